"""The board's lasting "NOT SAVED" mark: on screen for exactly as long as the session's writer cannot save.

Why: the "Saving failed" toast times out (SAVING_WARNING_SECONDS) and comes back at most once per window, so for most
of an outage nothing said the work was at risk; a facilitator who looks up after a minute, or who would quit now
(and lose what is only in memory), must still see it. The mark is a line under the phase bar in the theme's error
colour, and it says so in words ("⚠ NOT SAVED — reason") so it never relies on colour alone.

The reason is an OS error message with a folder path, either of which may hold "[": it is only ever put into a
`Content` as plain text, never parsed as markup.

How it learns: the session's writer thread calls the app's `on_error` callback on every failed write and once when a
write succeeds again; the app posts `SavingTrouble` (thread-safe, never waits on the event loop, so a writer thread
that `hub.close()` is joining cannot deadlock), and on the event loop hands it to the board showing that hub.
"""

from __future__ import annotations

from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from coprod_tui.core.hub import Hub

MARK = "⚠ NOT SAVED"
ADVICE = "kept in memory, retried every second: don't quit"


class SavingTrouble(Message):
    """The writer of `hub` failed (`reason` says why) or saves again (`reason` is None)."""

    def __init__(self, hub: Hub, reason: str | None) -> None:
        super().__init__()
        self.hub = hub
        self.reason = reason


def not_saved_text(reason: str) -> Content:
    """The mark's words: the reason as plain text, whatever brackets it holds."""
    return Content.assemble((MARK, "bold"), " — ", reason, " · ", ADVICE)


class NotSavedMark(Static):
    """One line (two at most, if the reason is long) under the phase bar; hidden while saving works."""

    DEFAULT_CSS = """
    NotSavedMark {
        display: none;
        height: auto;
        max-height: 2;
        padding: 0 1;
        background: $error;
        color: $text;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(markup=False, id=id)
        self.reason: str | None = None

    def show_reason(self, reason: str | None) -> None:
        """Show the mark with `reason`, or hide it (None: saving works)."""
        self.reason = reason
        if reason is not None:
            self.update(not_saved_text(reason))
        self.display = reason is not None
