"""What every `coprod` subcommand shares: the exit codes, `Failure` (an error printed as one line), the sessions
folder, opening a session for one command, and the wording of terminal output (`one_line`, `plural`, `error`).

The subcommand modules import from here, never from the `coprod_tui.cli` package itself, so the package's `main`
can import them without a cycle.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from coprod_tui.core.wording import one_line
from coprod_tui.core.hub import Hub, open_session
from coprod_tui.core.store.folder import SessionFolder

PROG = "coprod"
ENV_SESSIONS = "COPROD_SESSIONS"
DEFAULT_SESSIONS = "sessions"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130


class Failure(Exception):
    """An error to print as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


def sessions_dir(args: argparse.Namespace) -> Path:
    """--sessions-dir if given (before or after the subcommand), else $COPROD_SESSIONS, else ./sessions."""
    given = getattr(args, "sessions_dir", None)
    return Path(given or os.environ.get(ENV_SESSIONS) or DEFAULT_SESSIONS).expanduser()


@contextmanager
def live(folder: SessionFolder, session_id: str, *, read_only: bool = False) -> Iterator[Hub]:
    """A hub that is closed (pending writes flushed, StorageError raised if they fail) however the block ends."""
    hub = open_session(folder, session_id, read_only=read_only)
    try:
        yield hub
    finally:
        hub.close()


def error(message: str) -> None:
    """`coprod: error: MESSAGE` on stderr, as one line."""
    print(f"{PROG}: error: {one_line(message)}", file=sys.stderr)


def describe_os_error(exc: OSError) -> str:
    what = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {what}" if exc.filename else what
