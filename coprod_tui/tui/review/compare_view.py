"""The scrolling body of the compare screen: rows of two columns, drawn one visible line at a time.

Two sessions of 2,000 notes make thousands of wrapped rows, too many to measure on every layout pass: every row
is wrapped once per width into `Strip`s and `render_line` only picks the visible ones.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group as Stack
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Span, Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from coprod_tui.core.reading.compare import Balance
from coprod_tui.core.localtime import local_date

MATCH_WIDTH = 5  # "same", "99%"
GAP = 2


@dataclass(frozen=True)
class Row:
    """One line of the side-by-side view: an earlier card, how alike, a later card (either side may be empty)."""

    left: Text
    match: Text
    right: Text


Block = Row | RenderableType  # anything else spans the full width (headings, tables, notes)


def day(stamp: str) -> str:
    """A session's date as the facilitator knows it: the local date (the file keeps UTC)."""
    return local_date(stamp) or "date unknown"


class SideBySide(ScrollView, can_focus=True):
    """A focusable, scrollable list of blocks; ↑ ↓ PgUp PgDn Home End scroll (ScrollView's own bindings)."""

    DEFAULT_CSS = """
    SideBySide {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;  /* always there, so the width rows are wrapped for never changes under them */
        scrollbar-size-vertical: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.blocks: list[Block] = []
        self._key: object = None
        self._strips: list[Strip] = []
        self._width = -1
        self._cache: dict[tuple[object, int], list[Strip]] = {}

    def show(self, blocks: list[Block], key: object = None) -> None:
        """Replace the content and go back to the top. Content shown again under the same `key` is not redrawn."""
        self.blocks = blocks
        self._key = key
        self._width = -1
        self._layout()
        self.scroll_home(animate=False)
        self.refresh()

    def forget(self) -> None:
        """Drop every drawn line (after a theme change: colours are part of them)."""
        self._cache.clear()
        self._width = -1

    def on_resize(self) -> None:
        self._layout()

    def _layout(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or width == self._width:
            return
        self._width = width
        cached = self._cache.get((self._key, width)) if self._key is not None else None
        self._strips = cached or [strip for block in self.blocks for strip in self._render_block(block, width)]
        if self._key is not None:
            self._cache[(self._key, width)] = self._strips
        self.virtual_size = Size(width, len(self._strips))

    def _render_block(self, block: Block, width: int) -> list[Strip]:
        console = self.app.console
        if not isinstance(block, Row):
            options = console.options.update_width(width)
            return [Strip(line) for line in console.render_lines(block, options, pad=True)]
        side = max(1, (width - MATCH_WIDTH - 2 * GAP) // 2)
        left = self._wrap(block.left, side)
        right = self._wrap(block.right, side)
        match = self._wrap(block.match, MATCH_WIDTH)
        gap = Segment(" " * GAP)
        strips = []
        for index in range(max(len(left), len(right), 1)):
            parts = [self._line(left, index, side), [gap], self._line(match, index, MATCH_WIDTH), [gap],
                     self._line(right, index, side)]
            strips.append(Strip([segment for part in parts for segment in part]))
        return strips

    def _wrap(self, text: Text, width: int) -> list[list[Segment]]:
        if not text.plain:
            return []
        if text.style:  # Text.wrap drops the base style: make it a span the lines keep
            text = Text(text.plain, spans=[Span(0, len(text.plain), text.style), *text.spans])
        console = self.app.console
        return [list(line.render(console)) for line in text.wrap(console, width)]

    @staticmethod
    def _line(lines: list[list[Segment]], index: int, width: int) -> list[Segment]:
        if index < len(lines):
            return Segment.adjust_line_length(lines[index], width)
        return [Segment(" " * width)]

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        index = scroll_y + y
        if index >= len(self._strips):
            return Strip.blank(width, self.rich_style)
        strip = self._strips[index].crop_extend(scroll_x, scroll_x + width, None)
        return strip.apply_style(self.rich_style or Style())

    def text(self) -> str:
        """Every line as plain text (tests read what a person would see, including lines scrolled out of view)."""
        return "\n".join(strip.text.rstrip() for strip in self._strips)


def _share(n: int, total: int) -> Text:
    return Text(f"{n} ({round(100 * n / total)}%)" if total else str(n))


def _change(earlier: int, later: int) -> Text:
    delta = later - earlier
    return Text("=" if not delta else f"{delta:+d}".replace("-", "−"), style="" if not delta else "bold")


def balance_tables(balance: Balance) -> Stack:
    """Notes by role, then by group, with each one's share of its session: a voice can shrink while its count grows."""
    e_total, l_total = balance.earlier_total, balance.later_total
    roles = Table(title=Text("Who spoke: notes by role", style="bold underline"), title_justify="left",
                  box=None, padding=(0, 2), pad_edge=False)
    for heading in ("Role", "Earlier", "Later", "Change"):
        roles.add_column(Text(heading), justify="left" if heading == "Role" else "right")
    for row in balance.roles:
        label = Text(row.role.label if row.role is not None else "No group")
        roles.add_row(label, _share(row.earlier, e_total), _share(row.later, l_total), _change(row.earlier, row.later))
    roles.add_row(Text("All notes", style="bold"), Text(str(e_total)), Text(str(l_total)), _change(e_total, l_total))

    groups = Table(title=Text("Notes by group", style="bold underline"), title_justify="left", box=None,
                   padding=(0, 2), pad_edge=False)
    for heading in ("Group", "Earlier", "Later", "Change"):
        groups.add_column(Text(heading), justify="left" if heading == "Group" else "right")
    for row in balance.groups:
        if row.earlier_name is None and row.later_name is None:
            label = Text("No group")
        elif row.earlier_name is None or row.later_name is None:
            label = Text(row.earlier_name or row.later_name or "")
            label.append(" (earlier only)" if row.later_name is None else " (later only)", style="dim")
        elif row.earlier_name == row.later_name:
            label = Text(row.earlier_name)
        else:
            label = Text(row.earlier_name).append(" → ", style="dim").append(row.later_name)
        groups.add_row(label, _share(row.earlier, e_total), _share(row.later, l_total), _change(row.earlier, row.later))
    return Stack(Text(""), roles, Text(""), groups)
