"""A virtual table of one-line rows: draws only the rows on screen.

The home screen rebuilds its rows on every filter keystroke, so measuring every cell (as DataTable does) is too
slow for 1,000 sessions. This table takes rows as ready `rich.text.Text` cells, sizes columns from their plain
lengths, and renders only the lines in view: 1,000 past sessions cost what a screenful costs. Cells are user text:
they are only ever `Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

GAP = 2  # spaces between columns


@dataclass(frozen=True)
class Column:
    label: str
    limit: int  # the widest the column may grow (the last column takes what is left)
    justify: str = "left"


class RowTable(ScrollView, can_focus=True):
    """Rows of Text cells with a fixed header line, a cursor, enter to choose."""

    COMPONENT_CLASSES = {"row-table--header", "row-table--cursor", "row-table--odd"}
    DEFAULT_CSS = """
    RowTable { background: $surface; scrollbar-size-vertical: 1; }
    RowTable > .row-table--header { text-style: bold; background: $panel; color: $text; }
    RowTable > .row-table--cursor { background: $block-cursor-blurred-background; }
    RowTable:focus > .row-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground;
                                          text-style: $block-cursor-text-style; }
    RowTable > .row-table--odd { background: $surface-lighten-1; }
    """
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
        Binding("enter", "choose", "Choose", show=False),
    ]

    class Chosen(Message):
        """Enter or a double click on a row."""

        def __init__(self, table: RowTable, key: Hashable) -> None:
            super().__init__()
            self.table = table
            self.key = key

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    def __init__(self, columns: Sequence[Column], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self.keys: list[Hashable] = []
        self.rows: list[tuple[Text, ...]] = []
        self.widths = [len(c.label) for c in self.columns]

    # -- data -----------------------------------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def selected_key(self) -> Hashable | None:
        return self.keys[self.cursor] if self.rows else None

    def set_rows(self, rows: Sequence[tuple[Hashable, tuple[Text, ...]]], *, select: Hashable | None = None) -> None:
        """Replace every row; keep the cursor on `select` if it is still there, else on the first row."""
        self.keys = [key for key, _ in rows]
        self.rows = [cells for _, cells in rows]
        self.widths = [
            min(max([len(column.label), *(cell_len(cells[i].plain) for cells in self.rows)]), column.limit)
            for i, column in enumerate(self.columns)
        ]
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)
        index = self.keys.index(select) if select is not None and select in self.keys else 0
        self.cursor = min(index, max(len(self.rows) - 1, 0))
        self.refresh()

    def row_at(self, index: int) -> tuple[Text, ...]:
        return self.rows[index]

    # -- keys and mouse -------------------------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = min(max(self.cursor + delta, 0), len(self.rows) - 1)

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.scrollable_content_region.height - 2, 1))

    def action_jump(self, index: int) -> None:
        if self.rows:
            self.cursor = index % len(self.rows)

    def action_choose(self) -> None:
        if self.rows:
            self.post_message(self.Chosen(self, self.keys[self.cursor]))

    def watch_cursor(self) -> None:
        """Keep the cursor row in view below the header line."""
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            return
        index = event.y - 1 + int(self.scroll_offset.y)
        if 0 <= index < len(self.rows):
            self.cursor = index
            if event.chain >= 2:
                self.action_choose()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows) + 1)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- drawing --------------------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self.get_component_rich_style("row-table--header")
            return self._line([Text(c.label) for c in self.columns], header, width)
        index = y - 1 + int(self.scroll_offset.y)
        if index >= len(self.rows):
            return Strip.blank(width, base)
        if index == self.cursor:
            style = base + self.get_component_rich_style("row-table--cursor")
        elif index % 2:
            style = base + self.get_component_rich_style("row-table--odd")
        else:
            style = base
        return self._line(self.rows[index], style, width)

    def _line(self, cells: Sequence[Text], style: Style, width: int) -> Strip:
        console = self.app.console
        segments: list[Segment] = [Segment(" ", style)]
        used = 1
        for i, (column, cell) in enumerate(zip(self.columns, cells)):
            last = i == len(self.columns) - 1
            room = max(width - used, 0) if last else self.widths[i]
            text = cell.copy()
            text.no_wrap = True
            if column.justify == "right" and text.cell_len < room:
                text = Text(" " * (room - text.cell_len)) + text
            text.truncate(room, overflow="ellipsis", pad=not last)
            segments.extend(Segment.apply_style(text.render(console), style))
            used += room
            if not last:
                segments.append(Segment(" " * GAP, style))
                used += GAP
        return Strip(segments).extend_cell_length(width, style).crop(0, width)
