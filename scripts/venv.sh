# Sourced by the scripts: make (once) and name the project's virtual environment, .venv by default.
VENV="${COPROD_VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
    echo "coprod needs Python 3.10 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1)." >&2
    exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV" || {
        echo "Could not make a virtual environment: on Debian/Ubuntu run 'apt-get install python3-venv'." >&2
        exit 1
    }
    "$VENV/bin/python" -m pip install -q --upgrade pip
fi
