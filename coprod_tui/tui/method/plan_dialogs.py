"""Dialogs of the practical plan: edit an action, pick the card an action comes from, mark done, the review date.

The editor is a FormDialog: it hands what was typed to a callback that sends the hub command, and a refusal (a date
written wrongly, a field too long) keeps it open with the reason. Card text, names and every field are user text:
`Content` / `rich.text.Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.commands import ActionDraft
from coprod_tui.core.text import FIELD_LIMIT
from coprod_tui.core.method import RECOGNITION
from coprod_tui.core.model import Card, Kind, Role, Session
from coprod_tui.core.reading.yousaid import Action
from coprod_tui.core.reading.board import board_column
from coprod_tui.tui.dialogs.form import FormDialog
from coprod_tui.core.wording import one_line

NO_CARD = -1
SOURCE_KINDS = (Kind.CONTRIBUTION, Kind.OPTION)


def action_draft(action: Action) -> ActionDraft:
    """An action of the plan as a draft (what the editor starts from)."""
    return ActionDraft(what=action.what, who=action.who,
                       who_role=action.who_role.value if action.who_role is not None else None, by=action.by,
                       resources=action.resources, recognition=action.recognition,
                       recognition_note=action.recognition_note, access=action.access, feedback=action.feedback,
                       card_id=action.card_id)


def draft_from_card(session: Session, card: Card) -> ActionDraft:
    """An action prefilled from a card: its words as what is to be done; for a contribution, who brings it."""
    what = one_line(card.text, FIELD_LIMIT)
    if card.kind is not Kind.CONTRIBUTION:
        return ActionDraft(what=what, card_id=card.id)
    group = session.group_of(card)
    who = card.author or ""
    if group is not None:
        who = f"{who} ({group.name})" if who else group.name
    return ActionDraft(what=what, who=who, who_role=group.role.value if group else None, card_id=card.id)


def card_prompt(session: Session, card: Card, shade: Callable[[str | None], str] | None = None,
                limit: int = 70) -> Text:
    """A card on one line, then who brings it (group glyph and name, author)."""
    text = Text()
    if card.is_cluster:
        text.append("⧉ ", style="bold")
    text.append(one_line(card.text, limit))
    group = session.group_of(card)
    text.append("  — ", style="dim")
    if group is not None:
        text.append(f"{GROUP_GLYPHS.get(group.colour, '●')} ", style=shade(group.colour) if shade else "")
        text.append(group.name, style="dim")
    else:
        text.append("no group", style="dim italic")
    if card.author:
        text.append(" · ", style="dim")
        text.append(card.author, style="dim")
    return text


def source_cards(session: Session) -> list[Card]:
    """Cards an action can come from: contributions, then options, as on the board."""
    return [card for kind in SOURCE_KINDS for card in board_column(session, kind)]


class ActionEditor(FormDialog[bool]):
    """Every field of one action. `submit(draft)` applies it and raises CoprodError to keep the dialog open."""

    FRAME_ID = "action-form"
    SCROLLS = True
    START_IN = "#action-what"

    def __init__(self, heading: str, session: Session, submit: Callable[[ActionDraft], None],
                 draft: ActionDraft | None = None, *, unchanged_ok: bool = False) -> None:
        super().__init__()
        self.heading = heading
        self.session = session
        self.submit = submit
        self.draft = draft or ActionDraft(what="")
        self.unchanged_ok = unchanged_ok  # editing: saving without a change just closes

    def fields(self) -> ComposeResult:
        d = self.draft
        yield Label(Content(self.heading), classes="dialog-title")
        yield Label("What will be done", classes="field-label")
        yield TextArea(d.what, id="action-what", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
        with Horizontal(classes="field-row"):
            with Vertical(classes="field"):
                yield Label("Who (anyone: staff, people who use services, carers…)", classes="field-label")
                yield Input(d.who, id="action-who", max_length=FIELD_LIMIT, placeholder="a name, a group, a team")
            with Vertical(classes="field"):
                yield Label("Their role (optional)", classes="field-label")
                yield Select([(Text(role.label), role.value) for role in Role], prompt="Not said",
                             value=d.who_role if d.who_role in {r.value for r in Role} else Select.NULL,
                             id="action-role")
        yield Label("By when (YYYY-MM-DD, optional)", classes="field-label")
        yield Input(d.by, id="action-by", max_length=10, placeholder="e.g. 2026-03-31")
        yield Label("Resources (time, money, rooms, equipment)", classes="field-label")
        yield Input(d.resources, id="action-resources", max_length=FIELD_LIMIT)
        with Horizontal(classes="field-row"):
            with Vertical(classes="field"):
                yield Label("How people are recognised", classes="field-label")
                yield Select([(Text(label), kind) for kind, label in RECOGNITION.items()], prompt="Not decided",
                             value=d.recognition if d.recognition in RECOGNITION else Select.NULL,
                             id="action-recognition")
            with Vertical(classes="field"):
                yield Label("Recognition: details", classes="field-label")
                yield Input(d.recognition_note, id="action-recognition-note", max_length=FIELD_LIMIT,
                            placeholder="e.g. travel repaid on the day")
        yield Static(Content("Never an amount here: amounts change every April, and a payment can affect "
                             "someone's benefits (offer independent advice; people may decline)."),
                     classes="hint")
        yield Label("Access needs", classes="field-label")
        yield Input(d.access, id="action-access", max_length=FIELD_LIMIT,
                    placeholder="e.g. step-free venue, papers in large print, BSL")
        yield Label("How results are fed back", classes="field-label")
        yield Input(d.feedback, id="action-feedback", max_length=FIELD_LIMIT,
                    placeholder="e.g. a letter and a call to everyone who took part")
        yield Label("Comes from (the card it serves)", classes="field-label")
        yield Select(self._card_options(), value=d.card_id if d.card_id in self._card_ids() else NO_CARD,
                     allow_blank=False, id="action-card")

    def _cards(self) -> list[Card]:
        cards = source_cards(self.session)
        current = self.session.cards.get(self.draft.card_id) if self.draft.card_id is not None else None
        if current is not None and current not in cards:
            cards.append(current)  # a card no longer on the board (clustered, parked) stays choosable
        return cards

    def _card_ids(self) -> set[int]:
        return {card.id for card in self._cards()}

    def _card_options(self) -> list[tuple[Text, int]]:
        options = [(Text("Nothing on the board"), NO_CARD)]
        for card in self._cards():
            label = Text(f"{card.kind.singular}: ", style="dim")
            label.append(one_line(card.text, 70))
            options.append((label, card.id))
        return options

    def form(self) -> ActionDraft:
        role = self.query_one("#action-role", Select)
        recognition = self.query_one("#action-recognition", Select)
        card = self.query_one("#action-card", Select).value
        return ActionDraft(
            what=self.query_one("#action-what", TextArea).text,
            who=self.query_one("#action-who", Input).value,
            who_role=None if role.is_blank() else str(role.value),
            by=self.query_one("#action-by", Input).value,
            resources=self.query_one("#action-resources", Input).value,
            recognition="" if recognition.is_blank() else str(recognition.value),
            recognition_note=self.query_one("#action-recognition-note", Input).value,
            access=self.query_one("#action-access", Input).value,
            feedback=self.query_one("#action-feedback", Input).value,
            card_id=None if card in (NO_CARD, Select.NULL) else int(card),  # type: ignore[arg-type]
        )

    def action_save(self) -> None:
        draft = self.form()
        if self.unchanged_ok and draft == self.draft:
            self.dismiss(False)
            return
        self.send(self.submit, draft)


class CardPicker(ModalScreen[int | None]):
    """Choose the contribution (or option) a new action comes from; dismisses with its id, or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session: Session, shade: Callable[[str | None], str] | None = None) -> None:
        super().__init__()
        self.session = session
        self.shade = shade

    def compose(self) -> ComposeResult:
        options: list[Option] = []
        for kind, title in ((Kind.CONTRIBUTION, "Contributions: who brings what"),
                            (Kind.OPTION, "Options")):
            cards = board_column(self.session, kind)
            if cards:
                options.append(Option(Text(title, style="bold"), disabled=True))
                options += [Option(card_prompt(self.session, c, self.shade), id=str(c.id)) for c in cards]
        if not options:
            options.append(Option(Text("There are no contributions or options on the board yet.", style="italic"),
                                  disabled=True))
        with Vertical(classes="dialog wide"):
            yield Label("A new action from which card?", classes="dialog-title")
            yield Static(Content("Its words become what will be done; a contribution's group and name become who. "
                                 "You can change both next."), classes="hint")
            yield OptionList(*options, id="contribution-picker", markup=False)
            yield Static(Content("↑ ↓ choose · enter picks · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        picker = self.query_one(OptionList)
        picker.action_first()
        picker.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(int(event.option.id))

    def action_cancel(self) -> None:
        self.dismiss(None)

