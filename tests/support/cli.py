"""Running `coprod` in-process for the CLI tests: its result, and a session made through the core."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from coprod_tui.core.hub import new_session
from coprod_tui.core.store.folder import SessionFolder


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


def one_error_line(result: Result) -> str:
    assert result.code == 1, result
    assert len(result.err_lines) == 1, result.err
    assert result.err_lines[0].startswith("coprod: error: ")
    return result.err_lines[0]


def make(folder: Path, title: str = "Respite review", groups=(("Carers", "carers"), ("Staff", "practitioners")),
         at: str = "2025-03-12T10:00:00.000+00:00") -> str:
    hub = new_session(SessionFolder(folder), title, "", [(n, r, None) for n, r in groups], clock=lambda: at)
    try:
        return hub.session.meta.id
    finally:
        hub.close()


