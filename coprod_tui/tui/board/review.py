"""The board's review control: replay the session's events, export it, and reopen a review for editing.

A board opened for review is read-only so nothing changes by accident; reopening it for editing is an explicit key
(it takes the session's writer lock, so it fails with a clear message if the session is open in another coprod).
"""

from __future__ import annotations

from textual.binding import Binding

from coprod_tui.tui.board.control import Control, Desk, Selection


class ReviewControl(Control):
    """Replay, export, reopen for editing (offered on a read-only board only)."""

    BINDINGS = [
        Binding("r", "replay", "Replay"),
        Binding("x", "export", "Export"),
        Binding("ctrl+e", "reopen", "Reopen to edit"),
    ]

    def __init__(self, desk: Desk, selection: Selection) -> None:
        self.desk = desk
        self.selection = selection

    def state(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action == "reopen" and not self.desk.hub.read_only)

    def replay(self) -> None:
        from coprod_tui.tui.review.replay import ReplayScreen

        self.desk.show(ReplayScreen(self.desk.hub))

    def export(self) -> None:
        from coprod_tui.tui.dialogs.export import ExportScreen

        self.desk.show(ExportScreen(self.desk.app.folder, self.desk.session.meta.id))

    def reopen(self) -> None:
        card = self.selection.selected_card()
        self.desk.app.reopen_for_editing(self.desk.session.meta.id, card.id if card else None)
