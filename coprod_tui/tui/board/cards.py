"""The board's card control: add, edit, delete, move, reorder, group, link, hide, undo, redo.

Every action sends one hub command (or opens a dialog whose callback does). A dialog's own callback sends with
`hub.apply`, so a refusal reaches the dialog (which shows it); a key's command goes through `Desk.apply`, whose
refusal becomes a notification. The control remembers the group used last, so the next note starts there.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content

from coprod_tui.core.commands import (AddCard, CardDraft, DeleteCard, EditCard, HideCard, MoveCard, Redo, SetCardGroup,
                                      SwapCards, ToggleLink, Undo)
from coprod_tui.core.model import KINDS
from coprod_tui.core.reading.board import board_column
from coprod_tui.tui.board.control import Control, Desk, Selection
from coprod_tui.tui.dialogs.cards import NO_GROUP, CardEditor, CardForm, ConfirmScreen, GroupPicker, LinkPicker

ON_A_CARD = frozenset({"edit", "delete", "move", "reorder", "group", "link", "hide"})


class CardsControl(Control):
    """Cards and the undo history, for the board's selected card."""

    BINDINGS = [
        Binding("n", "add", "Add"),
        Binding("e,enter", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
        Binding("g", "group", "Group"),
        Binding("l", "link", "Link"),
        Binding("h", "hide", "Hide from phones", show=False),
        Binding("shift+left", "move(-1)", "Move ←", show=False),
        Binding("shift+right", "move(1)", "Move →", show=False),
        Binding("shift+up", "reorder(-1)", "Move up", show=False),
        Binding("shift+down", "reorder(1)", "Move down", show=False),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+r", "redo", "Redo", show=False),
    ]
    WRITES = frozenset({"add", "edit", "delete", "move", "reorder", "group", "link", "hide", "undo", "redo"})

    def __init__(self, desk: Desk, selection: Selection) -> None:
        self.desk = desk
        self.selection = selection
        self.last_group: int | None = None  # the group of the note added last
        self.chose_group = False  # once a note was added, its group (even none) is the next one's

    def state(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        card = self.selection.selected_card()
        if action in ON_A_CARD and card is None:
            return None
        if action == "link" and card is not None and card.kind.link_target is None:
            return None
        if action in ("delete", "move", "group") and card is not None and card.is_cluster:
            return None  # a cluster is split (C) first; it has no group of its own
        if action == "undo" and not self.desk.hub.can_undo():
            return None
        if action == "redo" and not self.desk.hub.can_redo():
            return None
        return True

    def add(self) -> None:
        card_list = self.selection.focused_list()
        if card_list is None:
            return
        session = self.desk.session
        kind = card_list.kind
        # The cell's group in one-group and lanes views; otherwise the group used last (at first, the first group).
        cell_group = card_list.group_id
        group = cell_group if cell_group is None or isinstance(cell_group, int) else self.last_group
        if group is None and cell_group is ... and not self.chose_group:
            group = next(iter(session.groups), None)

        def submit(form: CardForm) -> None:
            self.desk.hub.apply(AddCard(card=CardDraft(kind=kind, text=form.text, group_id=form.group_id,
                                                       author=form.author)))
            self.last_group = form.group_id
            self.chose_group = True
            if self.desk.session.meta.private:
                self.desk.notify("Hidden writing is on: the note is held until you reveal the notes (R).", timeout=4)

        groups = list(session.groups.values())
        self.desk.show(CardEditor(f"New {kind.singular.lower()}", kind, groups, submit, group_id=group))

    def edit(self) -> None:
        card = self.selection.selected_card()
        if card is None or self.desk.hub.read_only:
            return

        def submit(form: CardForm) -> None:
            self.desk.hub.apply(EditCard(card_id=card.id, text=form.text, author=form.author))

        self.desk.show(CardEditor(f"Edit {card.kind.singular.lower()}", card.kind, [], submit, card=card))

    def delete(self) -> None:
        card = self.selection.selected_card()
        if card is None:
            return
        preview = " ".join(card.text.split())
        preview = preview if len(preview) <= 80 else preview[:79] + "…"
        question = Content.assemble("Delete this card?\n\n", (preview, "italic"),
                                    "\n\nYou can undo with u.")

        def answer(yes: bool | None) -> None:
            if yes and self.desk.apply(DeleteCard(card_id=card.id)):
                self.desk.notify("Card deleted. Press u to undo.", timeout=4)

        self.desk.show(ConfirmScreen(question), answer)

    def move(self, step: int) -> None:
        card = self.selection.selected_card()
        if card is None:
            return
        index = KINDS.index(card.kind) + step
        if 0 <= index < len(KINDS):
            event = self.desk.apply(MoveCard(card_id=card.id, kind=KINDS[index]))
            # Links leave with the move: the card's own, and other cards' links to it (more than one card patched).
            if event and (card.links or len(event.patch.get("cards", {})) > 1):
                self.desk.notify("Links that no longer fit were removed (u to undo).", timeout=3)

    def reorder(self, step: int) -> None:
        card_list = self.selection.focused_list()
        card = self.selection.selected_card()
        if card_list is None or card is None:
            return
        ids = card_list.card_ids
        index = ids.index(card.id) + step
        if 0 <= index < len(ids):
            self.desk.apply(SwapCards(card_id=card.id, other_id=ids[index]))

    def group(self) -> None:
        card = self.selection.selected_card()
        if card is None:
            return

        def chosen(group_id: int | None) -> None:
            if group_id is not None:
                self.desk.apply(SetCardGroup(card_id=card.id, group_id=None if group_id == NO_GROUP else group_id))

        groups = list(self.desk.session.groups.values())
        self.desk.show(GroupPicker(groups, card.group_id, self.desk.shade), chosen)

    def link(self) -> None:
        card = self.selection.selected_card()
        if card is None or card.kind.link_target is None:
            return
        targets = board_column(self.desk.session, card.kind.link_target)
        if not targets:
            self.desk.notify(Content(f"There are no {card.kind.link_target.label.lower()} to link to yet."))
            return

        def toggle(target_id: int) -> None:
            self.desk.hub.apply(ToggleLink(card_id=card.id, target_id=target_id))

        self.desk.show(LinkPicker(card, targets, toggle))

    def hide(self) -> None:
        """Moderation: hide a note from phones (kept in the file and on this board, struck through), or show it."""
        card = self.selection.selected_card()
        if card is not None and self.desk.apply(HideCard(card_id=card.id, hidden=not card.hidden)):
            self.desk.notify("Hidden from phones (h shows it again)." if not card.hidden else "Shown on phones again.",
                             timeout=3)

    def undo(self) -> None:
        label = self.desk.hub.describe_undo()
        if self.desk.apply(Undo()) and label:
            self.desk.notify(Content(f"Undone: {label}"), timeout=2)

    def redo(self) -> None:
        label = self.desk.hub.describe_redo()
        if self.desk.apply(Redo()) and label:
            self.desk.notify(Content(f"Redone: {label}"), timeout=2)
