"""The help screen: every key of the board, generated from the bindings so it can never drift from them."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

_KEY_NAMES = {
    "question_mark": "?",
    "shift+left": "shift+←",
    "shift+right": "shift+→",
    "shift+up": "shift+↑",
    "shift+down": "shift+↓",
    "left": "←",
    "right": "→",
    "escape": "esc",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "number_sign": "#",
    "plus": "+",
}


def key_label(keys: str) -> str:
    return " / ".join(_KEY_NAMES.get(k, k) for k in keys.split(","))


def _pairs(rows: list[tuple[str, str]]) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 2, 0, 0), expand=True)
    table.add_column(style="bold", no_wrap=True)
    table.add_column(ratio=1)
    for keys, description in rows:
        table.add_row(Text(keys), Text(description))
    return table


def keys_table(screen: Screen) -> RenderableType:
    """Every binding of the screen in two columns (a board has many keys), then its HELP_EXTRA lines."""
    rows = [(key_label(b.key), b.description) for b in screen.BINDINGS]
    half = (len(rows) + 1) // 2
    outer = Table.grid(expand=True, padding=(0, 2))
    outer.add_column(ratio=1)
    outer.add_column(ratio=1)
    outer.add_row(_pairs(rows[:half]), _pairs(rows[half:]))
    extra = getattr(screen, "HELP_EXTRA", [])
    return Group(outer, Text(""), _pairs(list(extra))) if extra else outer


class HelpScreen(ModalScreen[None]):
    """Lists every key of the screen it was opened from."""

    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog wide", id="help"):
            yield Static(Text("Keys", style="bold"))
            yield Static(keys_table(self.for_screen))
            yield Static(Text(
                "\nEvery change is saved the moment you make it: there is no save key. "
                "Undo (u) and redo (ctrl+r) reach back through recent changes, even after a restart.",
                style="dim",
            ))
