""""You said, we did": for each problem and option the room raised, what the plan does about it and the
facilitator's words back to the room — what changed because of them, or why it did not.

The items come from core.yousaid (the export uses the same): only what is on the board counts, as the room saw it —
a cluster is one item (its notes are not listed apart); held, parked and hidden notes are left out. Each problem is
followed by the options that address it (an option addressing two problems is listed under both), then the options
that address none. For each item: the note and the groups that raised it, the plan's actions serving it (done or
not, found through the card links: an action from a contribution serves the options that contribution serves, and
the problems those address), and the response. Enter writes or edits the response (SetResponse through the hub); an
empty response removes it. The screen follows the hub like the board. All of it is user text: `Text` only.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Footer, Header, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.commands import Event, SetResponse
from coprod_tui.core.model import VOTABLE, Card
from coprod_tui.core.reading.yousaid import Item, shown, you_said_we_did
from coprod_tui.core.wording import one_line, plural
from coprod_tui.tui.dialogs.form import FormDialog
from coprod_tui.tui.live import LiveScreen


def describe_item(item: Item, shade: Callable[[str | None], str] | None = None, indent: str = "") -> Text:
    """A problem or option: what was said and by which groups, the plan's actions for it, the response."""
    card = item.card
    text = Text(indent)
    text.append("Option for it" if indent else card.kind.singular, style="bold")
    if card.is_cluster:
        text.append("  ⧉ cluster", style="dim")
    text.append("  ")
    if item.groups:
        for n, group in enumerate(item.groups):
            text.append(" · " if n else "", style="dim")
            text.append(f"{GROUP_GLYPHS.get(group.colour, '●')} ", style=shade(group.colour) if shade else "")
            text.append(group.name, style="dim")
    else:
        text.append("no group", style="dim italic")
    text.append(f"\n{indent}")
    text.append(one_line(card.text, 400))
    text.append("\n")
    for action in item.actions:
        text.append(f"{indent}  ")
        text.append("✓ done  " if action.done else "○ to do ", style="bold" if action.done else "")
        text.append(one_line(action.what, 90))
        if action.who:
            text.append(" — ", style="dim")
            text.append(one_line(action.who, 40), style="dim")
        if action.by and not action.done:
            text.append(f", by {action.by}", style="dim")
        if action.done and action.note:
            text.append(f"\n{indent}          ")
            text.append(one_line(action.note, 100), style="italic")
        text.append("\n")
    if not item.actions:
        text.append(f"{indent}  No action in the plan serves this yet.\n", style="dim")
    text.append(f"{indent}  ")
    if item.response:
        text.append("We said: ", style="bold")
        text.append(item.response)
    else:
        text.append("No response yet: enter writes one.", style="dim italic")
    return text


class ResponseEditor(FormDialog):
    """The facilitator's words to the room about one problem or option. `submit(text)` raises CoprodError to keep
    the dialog open."""

    FRAME_ID = "response-dialog"
    START_IN = "#response-text"
    wide = True

    def __init__(self, card: Card, current: str, submit: Callable[[str], None]) -> None:
        super().__init__()
        self.card = card
        self.current = current
        self.submit = submit

    def fields(self) -> ComposeResult:
        yield Label(Content(f"You said, we did: this {self.card.kind.value}"), classes="dialog-title")
        yield Static(Text(one_line(self.card.text, 300)), classes="hint")
        yield Label("What changed because of it — or why it did not", classes="field-label")
        yield TextArea(self.current, id="response-text", soft_wrap=True, show_line_numbers=False,
                       tab_behavior="focus")
        yield Static(Content("Plain words, for the people who were in the room. Leave it empty to remove the "
                             "response."), classes="hint")

    def begin(self) -> None:
        super().begin()
        area = self.query_one(TextArea)
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        value = self.query_one(TextArea).text
        if value.strip() == self.current.strip():
            self.dismiss(False)
            return
        self.send(self.submit, value)


class YouSaidScreen(LiveScreen):
    """Every problem and option with the plan's actions serving it and the response to the room (live)."""

    BINDINGS = [
        Binding("enter,e", "respond", "Write the response"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help"),
    ]
    HELP_EXTRA = [("↑ ↓ PgUp PgDn Home End", "Move between the problems and options")]

    def __init__(self, hub) -> None:
        super().__init__(hub)
        self._cards: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="yousaid-head")
        yield OptionList(id="yousaid-list", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "You said, we did"
        self.sub_title = self.session.meta.title
        self.refresh_items()
        self.query_one(OptionList).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "respond":
            if not self.writable():
                return False
            return True if self.selected() is not None else None
        return True

    def refresh_items(self) -> None:
        option_list = self.query_one(OptionList)
        keep = option_list.highlighted
        kept = self.selected()  # stay on the same note when items come or go above it
        shade = getattr(self.app, "group_shade", None)
        said = you_said_we_did(self.session)
        options: list[Option] = []
        self._cards = {}

        def add(item: Item, indent: str = "") -> None:
            key = f"{len(options)}:{item.card.id}"  # an option may address several problems: listed under each
            prompt = describe_item(item, shade, indent)
            prompt.append("\n")  # a blank line between items
            options.append(Option(prompt, id=key))
            self._cards[key] = item.card.id

        options.append(Option(Text(f"Problems ({len(said.problems)})", style="bold underline"), disabled=True))
        if not said.problems:
            options.append(Option(Text("No problems on the board.", style="dim italic"), disabled=True))
        for block in said.problems:
            add(block.problem)
            for idea in block.options:
                add(idea, "      ")
        if said.other_options:
            options.append(Option(Text(f"Options that address no problem ({len(said.other_options)})",
                                       style="bold underline"), disabled=True))
            for idea in said.other_options:
                add(idea)
        option_list.set_options(options)
        same = [i for i, o in enumerate(options) if kept is not None and self._cards.get(o.id or "") == kept.id]
        if same:
            option_list.highlighted = min(same, key=lambda i: abs(i - (keep or 0)))
        elif keep is not None and keep < len(options) and not options[keep].disabled:
            option_list.highlighted = keep
        else:
            option_list.action_first()
        self.query_one("#yousaid-head", Static).update(self._head())
        self.refresh_bindings()

    def _head(self) -> Text:
        cards = [c for c in self.session.cards.values() if shown(c) and c.kind in VOTABLE]
        answered = sum(1 for c in cards if str((self.session.responses.get(str(c.id)) or {}).get("text", "")).strip())
        text = Text("What the room said, what the plan does about it, and your words back to them.", style="bold")
        text.append(f"\n{answered} of {plural(len(cards), 'problem and option', 'problems and options')} answered. ",
                    style="dim")
        if self.writable():
            text.append("Enter writes or edits the response to the highlighted one.", style="dim")
        hidden = sum(1 for c in self.session.cards.values()
                     if c.hidden and c.on_board and c.kind in VOTABLE)
        if hidden:
            text.append(f" {plural(hidden, 'note')} hidden from phones left out.", style="dim")
        return text

    def selected(self) -> Card | None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is None:
            return None
        option = option_list.get_option_at_index(option_list.highlighted)
        card_id = self._cards.get(option.id or "") if not option.disabled else None
        return self.session.cards.get(card_id) if card_id is not None else None

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self.refresh_bindings()

    @on(OptionList.OptionSelected)
    def _selected(self) -> None:
        self.action_respond()

    def hub_changed(self, events: list[Event]) -> None:
        if any(e.patch.keys() & {"cards", "plan", "responses", "meta"} for e in events):
            self.refresh_items()

    def action_respond(self) -> None:
        card = self.selected()
        if card is None or not self.writable():
            return
        current = (self.session.responses.get(str(card.id)) or {}).get("text", "")

        def submit(text: str) -> None:
            self.hub.apply(SetResponse(card_id=card.id, text=text))

        def done(saved: bool | None) -> None:
            if saved:
                self.notify("Response saved.", timeout=2)

        self.app.push_screen(ResponseEditor(card, current, submit), done)
