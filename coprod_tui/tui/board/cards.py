"""The board's card actions: add, edit, delete, move, reorder, group, link, hide, undo, redo.

A mixin for BoardScreen, so the screen's own module keeps to layout and redrawing. Every action sends one hub command
(or opens a dialog whose callback does); a refusal from the hub becomes a notification, never an exception.
"""

from __future__ import annotations

from textual.content import Content

from coprod_tui.core.commands import (AddCard, CardDraft, DeleteCard, EditCard, HideCard, MoveCard, Redo, SetCardGroup,
                             SwapCards, ToggleLink, Undo)
from coprod_tui.core.model import Kind
from coprod_tui.core.reading.board import board_column
from coprod_tui.tui.dialogs.cards import NO_GROUP, CardEditor, CardForm, ConfirmScreen, GroupPicker, LinkPicker

KINDS = list(Kind)


class CardActions:
    """Needs from BoardScreen: `hub`, `session`, `focused_list()`, `selected_card()`, `_apply()`,
    `_refresh_undo_keys()`, `_last_group` / `_chose_group`."""

    def action_add(self) -> None:
        card_list = self.focused_list()
        if card_list is None:
            return
        kind = card_list.kind
        # The cell's group in one-group and lanes views; otherwise the group used last (at first, the first group).
        group = card_list.group_id if card_list.group_id is not ... else self._last_group
        if group is None and card_list.group_id is ... and not self._chose_group:
            group = next(iter(self.session.groups), None)

        def submit(form: CardForm) -> None:
            self.hub.apply(AddCard(card=CardDraft(kind=kind, text=form.text, group_id=form.group_id,
                                                  author=form.author)))
            self._last_group = form.group_id
            self._chose_group = True
            self._refresh_undo_keys()
            if self.session.meta.private:
                self.notify("Hidden writing is on: the note is held until you reveal the notes (R).", timeout=4)

        groups = list(self.session.groups.values())
        self.app.push_screen(CardEditor(f"New {kind.singular.lower()}", kind, groups, submit, group_id=group))

    def action_edit(self) -> None:
        card = self.selected_card()
        if card is None or self.hub.read_only:
            return

        def submit(form: CardForm) -> None:
            self.hub.apply(EditCard(card_id=card.id, text=form.text, author=form.author))
            self._refresh_undo_keys()

        self.app.push_screen(CardEditor(f"Edit {card.kind.singular.lower()}", card.kind, [], submit, card=card))

    def action_delete(self) -> None:
        card = self.selected_card()
        if card is None:
            return
        preview = " ".join(card.text.split())
        preview = preview if len(preview) <= 80 else preview[:79] + "…"
        question = Content.assemble("Delete this card?\n\n", (preview, "italic"),
                                    "\n\nYou can undo with u.")

        def answer(yes: bool | None) -> None:
            if yes and self._apply(DeleteCard(card_id=card.id)):
                self.notify("Card deleted. Press u to undo.", timeout=4)

        self.app.push_screen(ConfirmScreen(question), answer)

    def action_move(self, step: int) -> None:
        card = self.selected_card()
        if card is None:
            return
        index = KINDS.index(card.kind) + step
        if 0 <= index < len(KINDS):
            event = self._apply(MoveCard(card_id=card.id, kind=KINDS[index]))
            # Links leave with the move: the card's own, and other cards' links to it (more than one card patched).
            if event and (card.links or len(event.patch.get("cards", {})) > 1):
                self.notify("Links that no longer fit were removed (u to undo).", timeout=3)

    def action_reorder(self, step: int) -> None:
        card_list = self.focused_list()
        card = self.selected_card()
        if card_list is None or card is None:
            return
        ids = card_list.card_ids
        index = ids.index(card.id) + step
        if 0 <= index < len(ids):
            self._apply(SwapCards(card_id=card.id, other_id=ids[index]))

    def action_group(self) -> None:
        card = self.selected_card()
        if card is None:
            return

        def chosen(group_id: int | None) -> None:
            if group_id is not None:
                self._apply(SetCardGroup(card_id=card.id, group_id=None if group_id == NO_GROUP else group_id))

        groups = list(self.session.groups.values())
        self.app.push_screen(GroupPicker(groups, card.group_id, self.app.group_shade), chosen)

    def action_link(self) -> None:
        card = self.selected_card()
        if card is None or card.kind.link_target is None:
            return
        targets = board_column(self.session, card.kind.link_target)
        if not targets:
            self.notify(Content(f"There are no {card.kind.link_target.label.lower()} to link to yet."))
            return

        def toggle(target_id: int) -> None:
            self.hub.apply(ToggleLink(card_id=card.id, target_id=target_id))
            self._refresh_undo_keys()

        self.app.push_screen(LinkPicker(card, targets, toggle))

    def action_hide(self) -> None:
        """Moderation: hide a note from phones (kept in the file and on this board, struck through), or show it."""
        card = self.selected_card()
        if card is not None and self._apply(HideCard(card_id=card.id, hidden=not card.hidden)):
            self.notify("Hidden from phones (h shows it again)." if not card.hidden else "Shown on phones again.",
                        timeout=3)

    def action_undo(self) -> None:
        label = self.hub.describe_undo()
        if self._apply(Undo()) and label:
            self.notify(Content(f"Undone: {label}"), timeout=2)

    def action_redo(self) -> None:
        label = self.hub.describe_redo()
        if self._apply(Redo()) and label:
            self.notify(Content(f"Redone: {label}"), timeout=2)
