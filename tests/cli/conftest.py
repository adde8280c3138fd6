"""Fixtures of the CLI tests: a sessions folder, `coprod ARGS…` run in-process, and a stand-in for the TUI."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from coprod_tui.cli import main
from support.cli import Result


@pytest.fixture
def sessions(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("COPROD_SESSIONS", raising=False)
    return tmp_path / "sessions"


@pytest.fixture
def coprod(capsys, sessions):
    """Run `coprod --sessions-dir <tmp> ARGS…` in-process."""

    def run(*args: str, folder: Path | None = sessions) -> Result:
        argv = ["--sessions-dir", str(folder), *args] if folder is not None else list(args)
        code = main(argv)
        out, err = capsys.readouterr()
        assert "Traceback" not in err and "unexpected" not in err, err
        return Result(code, out, err)

    return run


@pytest.fixture
def fake_tui(monkeypatch):
    """A stand-in for coprod_tui.tui.app.make_app that records its calls instead of starting Textual."""
    calls: list[dict] = []

    class FakeApp:
        return_code = 0

        def run(self):
            calls[-1]["ran"] = True

    def make_app(sessions_dir, *, session_id=None, read_only=False, settings_path=None, themes_dir=None, serve=None):
        calls.append({"sessions_dir": Path(sessions_dir), "session_id": session_id, "read_only": read_only})
        assert (serve is not None) == (session_id is not None and not read_only)  # only `open` serves phones
        return FakeApp()

    module = types.ModuleType("coprod_tui.tui.app")
    module.make_app = make_app
    monkeypatch.setitem(sys.modules, "coprod_tui.tui.app", module)
    return calls
