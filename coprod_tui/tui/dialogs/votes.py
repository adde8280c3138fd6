"""Dot voting on the board: the voting dialog (V) and the results screen.

The dialog opens a round (on problems or options, votes per person, at most so many on one note) or, while a round
is open or was the last one, closes it, shows or hides its totals, and opens the results. The results list every
note of the round's column, most votes first, with a bar drawn in block characters and the split of its votes by
group (glyph and name, never colour alone) and by role — whose priorities these are is the point of co-production.

Note text and group names are user text: only `rich.text.Text` / `Content`, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.commands import OpenVoting
from coprod_tui.core.errors import CoprodError, ValidationError
from coprod_tui.core.model import VOTABLE, Kind, Session
from coprod_tui.core.reading.tally import CardTally, vote_results, voters
from coprod_tui.core.wording import plural
from coprod_tui.tui.dialogs.form import FormDialog

BLOCKS = " ▏▎▍▌▋▊▉█"
BAR_WIDTH = 24


def block_bar(value: int, most: int, width: int = BAR_WIDTH) -> str:
    """`value` out of `most` as a bar of `width` cells, to an eighth of a cell."""
    if most <= 0 or value <= 0:
        return ""
    eighths = max(round(value / most * width * 8), 1)
    full, part = divmod(eighths, 8)
    return "█" * full + (BLOCKS[part] if part else "")


def voting_summary(session: Session) -> str:
    voting = session.meta.voting
    if voting is None:
        return "No vote yet."
    phones, dots = voters(session, voting.round)
    state = "open" if voting.open else "closed"
    shown = "totals shown to the room" if voting.revealed else "totals hidden"
    return (f"Round {voting.round} on {Kind(voting.kind).label.lower()}: {state}, {plural(dots, 'dot')} "
            f"from {plural(phones, 'phone')} ({voting.per_person} each, at most {voting.per_card} on "
            f"one note); {shown}.")


class VotingDialog(FormDialog[str | None]):
    """Open a round (`submit(OpenVoting)` raises CoprodError to keep the dialog open), or dismiss with what to do
    with the current round: "close", "reveal", "conceal" or "results"."""

    FRAME_ID = "voting-dialog"
    START_IN = "Button"
    ENTER_SAVES = True
    SAVED = "opened"
    CANCELLED = None
    save_label = "Open voting  ctrl+s"

    def __init__(self, session: Session, submit: Callable[[OpenVoting], None], default_kind: Kind) -> None:
        super().__init__()
        self.session = session
        self.submit = submit
        self.default_kind = default_kind

    @property
    def round_open(self) -> bool:
        voting = self.session.meta.voting
        return voting is not None and voting.open

    @property
    def reason_line(self) -> bool:  # type: ignore[override]
        return not self.round_open  # an open round has no fields: nothing to refuse

    def fields(self) -> ComposeResult:
        voting = self.session.meta.voting
        yield Label("Dot voting", classes="dialog-title")
        if voting is not None:
            yield Static(Content(voting_summary(self.session)), id="voting-state")
            if not voting.open:
                with Horizontal(classes="buttons"):
                    yield from self._round_buttons()
        if not self.round_open:
            yield Label("New round: vote on", classes="field-label")
            yield Select([(Text(k.label), k.value) for k in VOTABLE],
                         value=self.default_kind.value, allow_blank=False, id="vote-kind")
            with Horizontal(classes="field-row"):
                with Vertical(classes="field"):
                    yield Label("Votes per person", classes="field-label")
                    yield Input("3", id="vote-per-person", type="integer")
                with Vertical(classes="field"):
                    yield Label("At most on one note", classes="field-label")
                    yield Input("2", id="vote-per-card", type="integer")

    def _round_buttons(self) -> ComposeResult:
        """What can be done with the current round (shown above a new round's fields when it is closed)."""
        voting = self.session.meta.voting
        assert voting is not None
        if voting.open:
            yield Button("Close voting", variant="warning", id="close")
        yield Button("Hide totals" if voting.revealed else "Show totals",
                     id="conceal" if voting.revealed else "reveal")
        yield Button("Results", id="results")

    def buttons(self) -> ComposeResult:
        if self.round_open:  # while a round is open there is nothing to fill in: its buttons are the form's
            yield from self._round_buttons()
        else:
            yield Button(self.save_label, variant="primary", id="save")
        yield Button(self.cancel_label, id="cancel")

    def action_save(self) -> None:
        if not self.query("#vote-kind"):  # a round is open: nothing to save
            return
        try:
            per_person = _whole(self.query_one("#vote-per-person", Input).value, "Votes per person")
            per_card = _whole(self.query_one("#vote-per-card", Input).value, "Votes on one note")
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        self.send(self.submit, OpenVoting(kind=str(self.query_one("#vote-kind", Select).value),
                                          per_person=per_person, per_card=per_card))

    @on(Button.Pressed, "#close, #reveal, #conceal, #results")
    def _round_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)


def _whole(value: str, what: str) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValidationError(f"{what}: type a whole number.") from None


def _split(session: Session, tally: CardTally, shade: Callable[[str | None], str]) -> Text:
    parts = []
    for group_id, dots in tally.by_group.most_common():
        group = session.groups.get(group_id) if group_id is not None else None
        if group is None:
            parts.append(Text(f"○ no group {dots}", style="dim"))
        else:
            parts.append(Text.assemble((f"{GROUP_GLYPHS.get(group.colour, '●')} ", shade(group.colour)),
                                       (group.name, f"bold {shade(group.colour)}"), f" {dots}"))
    roles = [Text(f"{role.label if role else 'no group'} {dots}") for role, dots in tally.roles_most_first()]
    text = Text(" · ").join(parts)
    if roles:
        text.append("\nby role: ", style="dim")
        text.append_text(Text(" · ", style="dim").join(roles))
    return text


def results_table(session: Session, shade: Callable[[str | None], str], bar: str = "bold") -> Table:
    """One row per note: rank, bar, total, and the note with its split by group and by role beneath."""
    tallies = vote_results(session)
    most = max((t.total for t in tallies), default=0)
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True)
    table.add_column(justify="right", width=3, no_wrap=True)
    table.add_column(width=BAR_WIDTH, no_wrap=True)
    table.add_column(justify="right", width=4, no_wrap=True)
    table.add_column(ratio=1)
    rank = 0
    previous = None
    for index, tally in enumerate(tallies, start=1):
        if tally.total != previous:
            rank, previous = index, tally.total
        note = Text()
        if tally.card.is_cluster:
            note.append("⧉ ", style="bold")
        note.append(" ".join(tally.card.text.split()))
        if tally.total:
            note.append("\n")
            note.append_text(_split(session, tally, shade))
        table.add_row(Text(f"{rank}."), Text(block_bar(tally.total, most), style=bar),
                      Text(str(tally.total), style="bold"), note)
        table.add_row("", "", "", "")
    return table


class ResultsScreen(ModalScreen[None]):
    """The round's results, most votes first. `r` shows or hides the totals in the room (not on a review board)."""

    BINDINGS = [
        Binding("r", "toggle_reveal", "Show/hide totals in the room"),
        Binding("escape,q", "close", "Close"),
    ]

    def __init__(self, session: Session, shade: Callable[[str | None], str],
                 reveal: Callable[[bool], None] | None) -> None:
        super().__init__()
        self.session = session
        self.shade = shade
        self.reveal = reveal

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="results-dialog"):
            yield Label("", id="results-title", classes="dialog-title")
            with VerticalScroll(id="results-body"):
                yield Static(id="results")
            yield Static(Content("r shows or hides the totals on the board and phones · esc closes"
                                 if self.reveal else "esc closes"), classes="hint")

    def on_mount(self) -> None:
        self.show()

    def show(self) -> None:
        voting = self.session.meta.voting
        title = Text("Vote results")
        if voting is not None:
            title.append(f" — {Kind(voting.kind).label.lower()}, round {voting.round}")
            title.append("  (totals shown to the room)" if voting.revealed else
                         "  (not revealed: the room doesn't see these yet)", style="dim")
        self.query_one("#results-title", Label).update(title)
        bar = f"bold {self.app.current_theme.accent or self.app.current_theme.primary}"
        self.query_one("#results", Static).update(results_table(self.session, self.shade, bar) if voting else
                                                  Text("No vote yet.", style="dim"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_reveal" and (self.reveal is None or self.session.meta.voting is None):
            return False
        return True

    def action_toggle_reveal(self) -> None:
        voting = self.session.meta.voting
        if self.reveal is None or voting is None:
            return
        try:
            self.reveal(not voting.revealed)
        except CoprodError as exc:
            self.notify(Content(str(exc)), severity="warning")
        self.show()

    def action_close(self) -> None:
        self.dismiss(None)
