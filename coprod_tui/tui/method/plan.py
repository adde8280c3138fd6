"""The practical plan: what will be done, by whom, by when — and what each action serves on the board.

A table of actions (done ✓, what, who, by when) with the selected action in full below: every field, and the chain
it serves, followed through the card links (a contribution → the options it serves → the problems those address).
The review date sits at the top: the plan is reviewed then, with the self-reflection run again.

Every change is one hub command (AddAction, EditAction, DeleteAction, SetActionDone, SetReviewDate); refusals are
shown in the dialog that asked, or as a notification — never a crash. The screen follows the hub like the board.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Static

from coprod_tui.core.commands import (ActionDraft, AddAction, DeleteAction, EditAction, Event, SetActionDone,
                                     SetReviewDate)
from coprod_tui.core.method import RECOGNITION
from coprod_tui.core.model import Card, Kind, Session
from coprod_tui.core.reading.yousaid import Action, plan_actions, serves
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.core.wording import one_line, plural
from coprod_tui.tui.dialogs.form import LinePrompt
from coprod_tui.tui.live import LiveScreen
from coprod_tui.tui.method.plan_dialogs import ActionEditor, CardPicker, action_draft, draft_from_card
from coprod_tui.tui.row_table import Column, RowTable


def who_text(action: Action) -> Text:
    text = Text(action.who)
    if action.who_role is not None:
        label = action.who_role.label
        if label.casefold() not in text.plain.casefold():  # "Lee (Practitioners)" says it already
            text.append(f" · {label}" if text.plain else label, style="dim")
    if not text.plain:
        text.append("not decided", style="dim italic")
    return text


def describe_action(session: Session, action: Action) -> Text:
    """One action in full: every field, then the card it comes from and the chain that card serves."""
    text = Text()
    text.append(f"Action {action.id}", style="bold")
    if action.done:
        text.append(f"  ✓ done {action.done_at}".rstrip(), style="bold")
    else:
        text.append("  not done yet", style="dim")
    text.append("\n")

    def field(label: str, value: str | Text, empty: str = "not set") -> None:
        text.append(f"{label:<26}", style="bold")
        if isinstance(value, Text):
            text.append_text(value)
        elif value:
            text.append(value)
        else:
            text.append(empty, style="dim italic")
        text.append("\n")

    field("What", action.what)
    field("Who", who_text(action))
    field("By when", action.by, "no date")
    field("Resources", action.resources)
    recognition = Text(RECOGNITION.get(action.recognition, action.recognition))
    if action.recognition_note:
        if recognition.plain:
            recognition.append(" — ")
        recognition.append(action.recognition_note)
    field("Recognition", recognition if recognition.plain else "", "not decided")
    field("Access needs", action.access)
    field("How results are fed back", action.feedback)
    if action.note:
        field("What happened", action.note)
    what = serves(session, action)
    text.append("\n")
    if what.card is None:
        text.append("Came from a card that is no longer on the board." if what.missing
                    else "Comes from nothing on the board.", style="dim")
        return text
    text.append(f"Comes from the {what.card.kind.value}: ", style="bold")
    text.append(one_line(what.card.text, 200))
    text.append("\n")
    if what.card.kind is Kind.CONTRIBUTION:
        text.append("  which serves the option\n" if len(what.options) == 1 else "  which serves the options\n",
                    style="bold")
        _bullets(text, what.options)
    one = len(what.problems) == 1
    text.append("  …which addresses the problem\n" if one else "  …which address the problems\n", style="bold")
    _bullets(text, what.problems)
    return text


def _bullets(text: Text, cards: tuple[Card, ...]) -> None:
    if not cards:
        text.append("    none linked yet\n", style="dim")
    for card in cards:
        text.append("    • ")
        if card.is_cluster:
            text.append("⧉ ", style="bold")
        text.append(one_line(card.text, 140))
        text.append("\n")


class PlanScreen(LiveScreen):
    """The practical plan of the session (live)."""

    BINDINGS = [
        Binding("n", "add", "New action"),
        Binding("N", "add_from_card", "New from a card"),
        Binding("e", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
        Binding("space", "done", "Done / not done"),
        Binding("r", "review_date", "Review date"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help"),
    ]
    HELP_EXTRA = [("↑ ↓ PgUp PgDn Home End", "Select an action (shown in full below)"),
                  ("enter", "Edit the selected action")]
    WRITE = {"add", "add_from_card", "edit", "delete", "done", "review_date"}
    NEEDS_ACTION = {"edit", "delete", "done"}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="plan-head")
        yield RowTable([Column("Done", 4), Column("What", 56), Column("Who", 30), Column("By when", 10)],
                       id="plan-table")
        with VerticalScroll(id="plan-detail-pane"):
            yield Static(id="plan-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "The plan"
        self.sub_title = self.session.meta.title
        table = self.query_one(RowTable)
        self.watch(table, "cursor", self._show_detail, init=False)
        self.refresh_plan()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITE and not self.writable():
            return False
        if action in self.NEEDS_ACTION and self.selected() is None:
            return None
        return True

    # -- drawing ------------------------------------------------------------------------------------------------
    def refresh_plan(self, select: int | None = None) -> None:
        actions = plan_actions(self.session)
        table = self.query_one(RowTable)
        keep = select if select is not None else table.selected_key
        rows = []
        for action in actions:
            done = Text(" ✓", style="bold") if action.done else Text("")
            what = Text(one_line(action.what, 200), style="dim" if action.done else "")
            rows.append((action.id, (done, what, who_text(action),
                                     Text(action.by or "—", style="" if action.by else "dim"))))
        table.set_rows(rows, select=keep)
        self.query_one("#plan-head", Static).update(self._head(actions))
        self._show_detail()
        self.refresh_bindings()

    def _head(self, actions: list[Action]) -> Text:
        review = self.session.meta.review_date
        text = Text("Review date: ", style="bold")
        if review:
            text.append(review, style="bold")
            text.append(" — look at the plan together again then, and run the self-reflection again.")
        else:
            text.append("not set", style="italic")
            text.append(" — r sets one." if self.writable() else ".")
        text.append("\n")
        done = sum(1 for a in actions if a.done)
        if actions:
            text.append(f"{plural(len(actions), 'action')}, {done} done.", style="dim")
        else:
            text.append("No actions yet: n adds one, N makes one from a contribution on the board."
                        if self.writable() else "No actions in this plan.", style="dim")
        return text

    def _show_detail(self, *_: object) -> None:
        action = self.selected()
        detail = self.query_one("#plan-detail", Static)
        if action is None:
            detail.update(Text("Select an action to see it in full.", style="dim"))
        else:
            detail.update(describe_action(self.session, action))
        self.query_one("#plan-detail-pane").scroll_home(animate=False)

    def selected(self) -> Action | None:
        key = self.query_one(RowTable).selected_key
        record = self.session.plan.get(str(key)) if key is not None else None
        return Action.from_record(record) if isinstance(record, dict) else None

    def hub_changed(self, events: list[Event]) -> None:
        if any(e.patch.keys() & {"plan", "meta", "cards"} for e in events):
            self.refresh_plan()

    # -- actions ------------------------------------------------------------------------------------------------
    def _open_editor(self, heading: str, draft: ActionDraft | None = None) -> None:
        added: list[int] = []

        def submit(draft: ActionDraft) -> None:
            event = self.hub.apply(AddAction(action=draft))
            added.extend(int(k) for k in event.patch.get("plan", {}))

        def done(saved: bool | None) -> None:
            if saved and added:
                self.refresh_plan(select=added[-1])

        self.app.push_screen(ActionEditor(heading, self.session, submit, draft), done)

    def action_add(self) -> None:
        if self.writable():
            self._open_editor("New action")

    def action_add_from_card(self) -> None:
        if not self.writable():
            return

        def chosen(card_id: int | None) -> None:
            card = self.session.cards.get(card_id) if card_id is not None else None
            if card is not None:
                self._open_editor(f"New action from a {card.kind.value}", draft_from_card(self.session, card))

        self.app.push_screen(CardPicker(self.session, getattr(self.app, "group_shade", None)), chosen)

    def action_edit(self) -> None:
        action = self.selected()
        if action is None or not self.writable():
            return
        def submit(draft: ActionDraft) -> None:
            self.hub.apply(EditAction(action_id=action.id, action=draft))

        self.app.push_screen(ActionEditor(f"Edit action {action.id}", self.session, submit, action_draft(action),
                                          unchanged_ok=True))

    @on(RowTable.Chosen)
    def _chosen(self) -> None:
        self.action_edit()

    def action_delete(self) -> None:
        action = self.selected()
        if action is None or not self.writable():
            return
        question = Content.assemble("Delete this action from the plan?\n\n", (one_line(action.what, 80), "italic"),
                                    "\n\nUndo (u on the board) brings it back.")

        def confirmed(yes: bool | None) -> None:
            if yes and self.apply(DeleteAction(action_id=action.id)):
                self.notify("Action deleted.", timeout=3)

        self.app.push_screen(ConfirmScreen(question), confirmed)

    def action_done(self) -> None:
        action = self.selected()
        if action is None or not self.writable():
            return
        action_id = action.id
        if action.done:
            if self.apply(SetActionDone(action_id=action_id, done=False)):
                self.notify("Marked not done (space marks it done again).", timeout=3)
            return

        def submit(note: str) -> None:
            self.hub.apply(SetActionDone(action_id=action_id, done=True, note=note))

        heading = Text("Mark done: ", style="bold")
        heading.append(one_line(action.what, 60))
        self.app.push_screen(LinePrompt(heading, "What happened (optional: it goes into \"you said, we did\")",
                                        submit, action.note, ok="Done"))

    def action_review_date(self) -> None:
        if not self.writable():
            return
        current = self.session.meta.review_date

        def submit(value: str) -> None:
            if value.strip() != current:
                self.hub.apply(SetReviewDate(date=value.strip()))

        self.app.push_screen(LinePrompt("Review date", "When is the plan reviewed? (YYYY-MM-DD; empty clears it)",
                                        submit, current, max_length=10, placeholder="e.g. 2026-03-31",
                                        hint="Then: look at the plan together again and run the self-reflection "
                                             "again, to see what moved."))
