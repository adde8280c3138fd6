"""What a board offers for looking back: replay the session's events, export it, and reopen a review for editing.

A board opened for review is read-only so nothing changes by accident; reopening it for editing is an explicit key
(it takes the session's writer lock, so it fails with a clear message if the session is open in another coprod).
"""

from __future__ import annotations

from textual.binding import Binding


class ReviewControls:
    """Mixin for BoardScreen: replay, export, reopen for editing."""

    REVIEW_BINDINGS = [
        Binding("r", "replay", "Replay"),
        Binding("x", "export", "Export"),
        Binding("ctrl+e", "reopen", "Reopen to edit"),
    ]

    def action_replay(self) -> None:
        from coprod_tui.tui.review.replay import ReplayScreen

        self.app.push_screen(ReplayScreen(self.hub))

    def action_export(self) -> None:
        from coprod_tui.tui.dialogs.export import ExportScreen

        self.app.push_screen(ExportScreen(self.app.folder, self.hub.session.meta.id))

    def action_reopen(self) -> None:
        card = self.selected_card()
        self.app.reopen_for_editing(self.hub.session.meta.id, card.id if card else None)
