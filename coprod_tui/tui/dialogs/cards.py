"""The board's card dialogs: add or edit a card, pick its group, link it to others; and the yes/no confirmation.

Dialogs never change the session themselves: they call back into the board, which calls the hub. User text (card
text, group names) is shown through `Content` / `rich.text.Text`, never as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Select, SelectionList, Static, TextArea
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.model import Card, Group, Kind
from coprod_tui.core.text import AUTHOR_LIMIT, CARD_TEXT_LIMIT
from coprod_tui.tui.dialogs.form import FormDialog
from coprod_tui.core.wording import one_line

NO_GROUP = -1


@dataclass(frozen=True)
class CardForm:
    text: str
    group_id: int | None
    author: str | None


class CardEditor(FormDialog[bool]):
    """Add or edit one card. `submit(form)` applies it and raises CoprodError to keep the dialog open."""

    FRAME_ID = "dialog"
    SCROLLS = True
    START_IN = "#card-text"

    def __init__(self, title: str, kind: Kind, groups: list[Group], submit: Callable[[CardForm], None], *,
                 card: Card | None = None, group_id: int | None = None) -> None:
        super().__init__()
        self.heading = title
        self.kind = kind
        self.groups = groups
        self.submit = submit
        self.card = card
        self.group_id = card.group_id if card else group_id

    def fields(self) -> ComposeResult:
        yield Label(Content(self.heading), classes="dialog-title")
        yield Label("Text", classes="field-label")
        area = TextArea(self.card.text if self.card else "", id="card-text", soft_wrap=True,
                        show_line_numbers=False, tab_behavior="focus")
        area.border_subtitle = ""
        yield area
        yield Static("", id="counter", classes="hint")
        if self.card is None:
            yield Label("Group", classes="field-label")
            options = [(Text(g.name), g.id) for g in self.groups] + [(Text("No group"), NO_GROUP)]
            value = self.group_id if self.group_id in {g.id for g in self.groups} else NO_GROUP
            yield Select(options, value=value, allow_blank=False, id="card-group")
        yield Label("Name (leave empty for anonymous)", classes="field-label")
        yield Input(self.card.author or "" if self.card else "", id="card-author", max_length=AUTHOR_LIMIT,
                    placeholder="anonymous")

    def begin(self) -> None:
        super().begin()
        self._count()

    @on(TextArea.Changed, "#card-text")
    def _count(self) -> None:
        length = len(self.query_one("#card-text", TextArea).text.strip())
        counter = self.query_one("#counter", Static)
        counter.update(Content(f"{length:,} / {CARD_TEXT_LIMIT:,} characters"))
        counter.set_class(length > CARD_TEXT_LIMIT, "over")

    def action_save(self) -> None:
        group_id: int | None = self.card.group_id if self.card else None
        if self.card is None:
            value = self.query_one("#card-group", Select).value
            group_id = None if value in (NO_GROUP, Select.BLANK) else int(value)  # type: ignore[arg-type]
        form = CardForm(
            text=self.query_one("#card-text", TextArea).text,
            group_id=group_id,
            author=self.query_one("#card-author", Input).value or None,
        )
        self.send(self.submit, form)


class ConfirmScreen(ModalScreen[bool]):
    """Yes/no before something destructive. The question may quote user text, so it is Content, not markup."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes"),
        Binding("n,escape", "answer(False)", "No"),
    ]

    def __init__(self, question: Content, yes: str = "Delete") -> None:
        super().__init__()
        self.question = question
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(f"{self.yes}  y", variant="error", id="yes")
                yield Button("Cancel  n", id="no")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(value)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class GroupPicker(ModalScreen[int | None]):
    """Choose a card's group; dismisses with the group id, NO_GROUP, or None when cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, groups: list[Group], current: int | None, shade: Callable[[str | None], str]) -> None:
        super().__init__()
        self.groups = groups
        self.current = current
        self.shade = shade

    def compose(self) -> ComposeResult:
        options = []
        for g in self.groups:
            prompt = Text("● ", style=self.shade(g.colour)) + Text(g.name) + Text(f"  ({g.role.label})", style="dim")
            options.append(Option(prompt, id=str(g.id)))
        options.append(Option(Text("No group"), id=str(NO_GROUP)))
        with Vertical(classes="dialog"):
            yield Label("Move the card to which group?", classes="dialog-title")
            yield OptionList(*options, id="groups")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        ids = [g.id for g in self.groups] + [NO_GROUP]
        current = self.current if self.current is not None else NO_GROUP
        option_list.highlighted = ids.index(current) if current in ids else 0
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(int(event.option.id or NO_GROUP))

    def action_cancel(self) -> None:
        self.dismiss(None)


class LinkPicker(ModalScreen[None]):
    """Tick the problems an option addresses (or the options a contribution serves). Each tick applies at once."""

    BINDINGS = [Binding("escape", "close", "Done")]

    def __init__(self, card: Card, targets: list[Card], toggle: Callable[[int], None]) -> None:
        super().__init__()
        self.card = card
        self.targets = targets
        self.toggle = toggle

    def compose(self) -> ComposeResult:
        wanted = self.card.kind.link_target
        verb = "addresses" if self.card.kind is Kind.OPTION else "serves"
        selections = [
            Selection(Text(one_line(t.text, 90)), t.id, t.id in self.card.links) for t in self.targets
        ]
        with Vertical(classes="dialog wide"):
            yield Label(Content(f"Which {wanted.label.lower() if wanted else 'cards'} this {self.card.kind.value} "
                                f"{verb}? space ticks or unticks, esc closes"), classes="dialog-title")
            yield Static(Text(one_line(self.card.text, 120)), classes="hint")
            yield SelectionList[int](*selections, id="targets")
            yield Static("", id="error", classes="error")

    def on_mount(self) -> None:
        targets = self.query_one(SelectionList)
        targets.highlighted = 0
        targets.focus()

    @on(SelectionList.SelectionToggled)
    def _toggled(self, event: SelectionList.SelectionToggled) -> None:
        try:
            self.toggle(int(event.selection.value))
        except CoprodError as exc:
            self.query_one("#error", Static).update(Content(str(exc)))

    def action_close(self) -> None:
        self.dismiss(None)
