"""Dialogs for running the room: the timer, a cluster's title, and the notes parked after a breakout.

They change nothing themselves: they hand what was asked for to a callback that sends the hub command; a refusal
keeps the dialog open with the message. User text (card text, group names, a timer label) is shown through
`Content` / `rich.text.Text`, never as markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.errors import CoprodError, ValidationError
from coprod_tui.core.model import Card, Session
from coprod_tui.core.running import Timer
from coprod_tui.core.text import CARD_TEXT_LIMIT, NAME_LIMIT
from coprod_tui.core.wording import one_line
from coprod_tui.tui.board.phase_bar import clock_text
from coprod_tui.tui.dialogs.form import FormDialog, LinePrompt


def parse_length(minutes: str, seconds: str = "") -> float:
    """A timer length from the dialog's two fields: minutes ("5", "2.5", or "1:30" / "1:02:03" as text) plus
    seconds. Any length above zero; ValidationError with a plain message otherwise."""
    minutes, seconds = minutes.strip(), seconds.strip()
    total = 0.0
    try:
        if ":" in minutes:
            parts = [int(p) for p in minutes.split(":")]
            if len(parts) > 3 or any(p < 0 for p in parts):
                raise ValueError
            for part in parts:
                total = total * 60 + part
        elif minutes:
            total = float(minutes.replace(",", ".")) * 60
        if seconds:
            total += float(seconds.replace(",", "."))
    except ValueError:
        raise ValidationError("Type minutes as a number (5, 2.5) or as minutes:seconds (1:30).") from None
    if not math.isfinite(total) or total <= 0:
        raise ValidationError("The timer needs a length above zero.")
    return total


@dataclass(frozen=True)
class TimerChoice:
    action: str  # "start" or "stop"
    seconds: float = 0.0
    label: str = ""


class TimerDialog(FormDialog[bool]):
    """Set the timer (minutes and seconds, or "1:30"), or stop the one running."""

    FRAME_ID = "timer-dialog"
    START_IN = "#timer-minutes"
    ENTER_SAVES = True
    save_label = "Start  ctrl+s"

    def __init__(self, current: Timer | None, left: float, submit: Callable[[TimerChoice], None]) -> None:
        super().__init__()
        self.current = current
        self.left = left
        self.submit = submit

    def fields(self) -> ComposeResult:
        yield Label("Timer", classes="dialog-title")
        with Horizontal(classes="field-row"):
            with Vertical(classes="field"):
                yield Label("Minutes (or 1:30)", classes="field-label")
                yield Input("5", id="timer-minutes")
            with Vertical(classes="field"):
                yield Label("Seconds", classes="field-label")
                yield Input("", id="timer-seconds", placeholder="0")
        yield Label("Label (optional, e.g. 'Table talk')", classes="field-label")
        yield Input(self.current.label if self.current else "", id="timer-label", max_length=NAME_LIMIT)
        if self.current is not None:
            state = "running" if self.current.running else "paused"
            yield Static(Content(f"Now: {clock_text(self.left)} left, {state}. Starting sets a new length."),
                         classes="hint")

    def buttons(self) -> ComposeResult:
        yield Button(self.save_label, variant="primary", id="save")
        if self.current is not None:
            yield Button("Stop timer", variant="error", id="stop")
        yield Button(self.cancel_label, id="cancel")

    def begin(self) -> None:
        super().begin()
        self.query_one("#timer-minutes", Input).action_select_all()

    def action_save(self) -> None:
        try:
            seconds = parse_length(self.query_one("#timer-minutes", Input).value,
                                   self.query_one("#timer-seconds", Input).value)
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        self.send(self.submit, TimerChoice("start", seconds, self.query_one("#timer-label", Input).value))

    @on(Button.Pressed, "#stop")
    def _stop_pressed(self) -> None:
        self.send(self.submit, TimerChoice("stop"))


class TitlePrompt(LinePrompt):
    """Ask for a cluster's title, listing the notes it gathers; `submit(title)` raises CoprodError to keep it open."""

    def __init__(self, heading: str, cards: list[Card], submit: Callable[[str], None], value: str = "") -> None:
        notes = Text()
        for card in cards[:8]:
            notes.append("• ")
            notes.append(one_line(card.text, 90))
            notes.append("\n")
        if len(cards) > 8:
            notes.append(f"… and {len(cards) - 8} more\n", style="dim")
        super().__init__(heading, "Title", submit, value, hint=notes, placeholder="What these notes have in common",
                         max_length=CARD_TEXT_LIMIT, ok="Cluster", wide=True)
        self.cards = cards


class ParkedScreen(ModalScreen[None]):
    """The notes parked when a breakout ended; enter brings the highlighted one back to the board."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, session: Session, shade: Callable[[str | None], str],
                 unpark: Callable[[int], None] | None) -> None:
        super().__init__()
        self.session = session
        self.shade = shade
        self.unpark = unpark  # None: a review board, nothing can be brought back

    def parked(self) -> list[Card]:
        cards = [c for c in self.session.cards.values() if c.parked]
        return sorted(cards, key=lambda c: (c.kind.value != "problem", c.kind.value != "option", c.order, c.id))

    def compose(self) -> ComposeResult:
        how = "enter brings the highlighted note back to the board" if self.unpark else "read-only"
        with Vertical(classes="dialog wide"):
            yield Label(Content(f"Parked notes — {how}; esc closes"), classes="dialog-title")
            yield OptionList(id="parked")
            yield Static("", id="error", classes="error")

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def _fill(self) -> None:
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted
        option_list.clear_options()
        cards = self.parked()
        for card in cards:
            group = self.session.group_of(card)
            prompt = Text(f"{card.kind.singular:<13}", style="dim")
            if group:
                prompt.append(f"{GROUP_GLYPHS.get(group.colour, '●')} {group.name}", style=self.shade(group.colour))
            else:
                prompt.append("no group", style="italic dim")
            prompt.append("  ")
            prompt.append(one_line(card.text, 70))
            option_list.add_option(Option(prompt, id=str(card.id)))
        if not cards:
            option_list.add_option(Option(Text("No parked notes.", style="dim"), disabled=True))
        else:
            option_list.highlighted = min(highlighted or 0, len(cards) - 1)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self.unpark is None or event.option.id is None:
            return
        try:
            self.unpark(int(event.option.id))
        except CoprodError as exc:
            self.query_one("#error", Static).update(Content(str(exc)))
            return
        self._fill()

    def action_close(self) -> None:
        self.dismiss(None)

