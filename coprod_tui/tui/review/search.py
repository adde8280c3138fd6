"""Search every session: type, see matching notes from all past sessions, enter opens one at that card.

Reading the folder takes about a second for a large archive, so the index is refreshed in a worker thread when the
screen opens (and again when it comes back into view); each search also runs in a worker, debounced while typing,
and answers come back as messages tagged with the query's generation so a slow, stale answer never overwrites a
newer one. Every cell is a `rich.text.Text`: notes are strangers' words and must never be read as markup.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Header, Input, Static

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.reading.search import SearchIndex, SearchResult, SearchResults
from coprod_tui.core.reading.search_query import FILTER_HELP, Query, parse_query
from coprod_tui.core.wording import plural

DEBOUNCE_SECONDS = 0.15
COLUMNS = ("Session", "Date", "Kind", "Group", "Note")
COLUMN_LIMITS = (36, 10, 16, 24)
HIGHLIGHT = "bold reverse"
HINT = f"All words must match; \"a phrase\" stays together.  Filters: {FILTER_HELP}"


class IndexRefreshed(Message):
    """The worker finished reading the folder (error: why it could not, in words for the facilitator)."""

    def __init__(self, error: str | None = None) -> None:
        super().__init__()
        self.error = error


class ResultsFound(Message):
    def __init__(self, generation: int, results: SearchResults) -> None:
        super().__init__()
        self.generation = generation
        self.results = results


class ResultsTable(DataTable):
    """The results; `up` on the first row goes back to the search box, so the keyboard loop is ↓ … ↑."""

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0:
            self.screen.query_one("#search-input", Input).focus()
        else:
            super().action_cursor_up()


def summary(found: SearchResults) -> str:
    """"37 notes in 5 sessions — showing the first 500": what the count line says about one search."""
    if not found.total:
        return f"Nothing found in {plural(found.searched, 'session')}."
    parts = [plural(found.notes, "note")] if found.notes or not found.titles else []
    if found.titles:
        parts.append(plural(found.titles, "session title"))
    line = f"{' and '.join(parts)} in {plural(found.sessions, 'session')}"
    if found.limited:
        line += f" — showing the first {len(found.results):,}"
    return line


def highlighted(text: str, spans: tuple[tuple[int, int], ...], width: int | None = None) -> Text:
    """User text on one line with its matches styled; a match far into a long note is brought into view."""
    flat = text.replace("\n", " ").replace("\t", " ")  # same length, so the spans still fit
    cell = Text(flat, no_wrap=True, overflow="ellipsis", end="")
    for start, end in spans:
        cell.stylize(HIGHLIGHT, start, end)
    if width and spans and spans[0][1] > width - 4:
        cell = Text("…", end="") + cell[max(0, spans[0][0] - width // 4):]
    return cell


def cells(result: SearchResult) -> tuple[Text, Text, Text, Text]:
    """Every cell of a result's row but the note (whose snippet depends on the width left for it)."""
    if result.is_session:
        kind = Text("Session", style="italic")
    else:
        kind = Text(result.kind.singular if result.kind else "?")
        if result.hidden:
            kind.append(" · hidden", style="bold")
    return highlighted(result.session_title, result.title_spans), Text(result.date), kind, Text(result.group or "—")


class SearchScreen(Screen):
    """Search across all sessions; enter opens the chosen session read-only at that card, escape goes back."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("down", "results", "Results", show=False),
    ]

    def __init__(self, index: SearchIndex) -> None:
        super().__init__()
        self.index = index
        self.results: list[SearchResult] = []
        self._generation = 0
        self._timer: Timer | None = None
        self._index_error: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        # Coming back up from the results adds to the query; selecting it all would let the next key replace it.
        yield Input(placeholder="Search every session…", id="search-input", select_on_focus=False)
        yield Static(Content(HINT), id="search-hint")
        yield Static("", id="search-error", classes="error")
        yield Static(Content("Reading sessions…"), id="search-status")
        table = ResultsTable(id="search-results", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Search"
        self.sub_title = str(self.index.folder.folder)
        self.query_one("#search-error").display = False
        self.query_one("#search-input", Input).focus()
        self._refresh_index()

    def on_screen_resume(self) -> None:
        if self.index.loaded:  # back from a board: sessions may have changed meanwhile; refresh is cheap now
            self._refresh_index()

    # -- the index ----------------------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="search-index", exit_on_error=False)
    def _refresh_index(self) -> None:
        try:
            self.index.refresh()
        except (OSError, CoprodError) as exc:
            self.post_message(IndexRefreshed(f"Could not read the sessions folder: {exc}"))
        else:
            self.post_message(IndexRefreshed())

    @on(IndexRefreshed)
    def _index_refreshed(self, message: IndexRefreshed) -> None:
        self._index_error = message.error
        self._start_search()

    # -- searching ----------------------------------------------------------------------------------------------
    @on(Input.Changed, "#search-input")
    def _typed(self) -> None:
        self._generation += 1  # any answer still on its way is now stale
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._start_search)

    @on(Input.Submitted, "#search-input")
    def _submitted(self) -> None:
        self.action_results()

    def _start_search(self) -> None:
        self._timer = None
        self._generation += 1
        try:
            query = parse_query(self.query_one("#search-input", Input).value)
        except CoprodError as exc:
            self._show_error(str(exc))
            self._fill([])
            self._status("")
            return
        self._show_error(self._index_error)
        if not self.index.loaded:
            self._status("Reading sessions…")
        elif query.is_empty:
            self._fill([])
            self._status(self._idle_line())
        else:
            self._search(query, self._generation)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def _search(self, query: Query, generation: int) -> None:
        self.post_message(ResultsFound(generation, self.index.search(query)))

    @on(ResultsFound)
    def _found(self, message: ResultsFound) -> None:
        if message.generation != self._generation:
            return
        self._fill(message.results.results)
        unreadable = message.results.unreadable
        note = f" ({plural(unreadable, 'file')} could not be read)" if unreadable else ""
        self._status(summary(message.results) + note)

    def _idle_line(self) -> str:
        unreadable = len(self.index.unreadable)
        note = f" ({plural(unreadable, 'file')} could not be read)" if unreadable else ""
        return f"Type to search {plural(self.index.cards, 'note')} in {plural(self.index.sessions, 'session')}{note}."

    def _fill(self, results: list[SearchResult]) -> None:
        self.results = results
        table = self.query_one("#search-results", ResultsTable)
        heads = [cells(result) for result in results]
        widths = [min(limit, max([len(label), *(cell_len(row[i].plain) for row in heads)]))
                  for i, (label, limit) in enumerate(zip(COLUMNS, COLUMN_LIMITS))]
        # The note gets the rest of the screen (cell padding is one column each side, plus the scroll bar).
        note_width = max(30, self.size.width - sum(widths) - 2 * len(COLUMNS) - 2)
        # Widths set here, as on the home screen: DataTable's own measuring can cache cells at the header's width.
        table.clear(columns=True)
        for label, width in zip(COLUMNS, widths):
            table.add_column(label, width=width)
        table.add_column(COLUMNS[-1], width=note_width)
        for index, (result, row) in enumerate(zip(results, heads)):
            table.add_row(*row, highlighted(result.text, result.spans, note_width), key=str(index))

    def _status(self, text: str) -> None:
        self.query_one("#search-status", Static).update(Content(text))

    def _show_error(self, text: str | None) -> None:
        error = self.query_one("#search-error", Static)
        error.update(Content(text or ""))
        error.display = bool(text)

    # -- keys ---------------------------------------------------------------------------------------------------
    def action_results(self) -> None:
        table = self.query_one("#search-results", ResultsTable)
        if table.row_count:
            table.focus()

    @on(DataTable.RowSelected, "#search-results")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        result = self.results[int(event.row_key.value or 0)]
        self.app.open_session(result.session_id, read_only=True, focus_card=result.card_id)

    def action_back(self) -> None:
        self.app.pop_screen()
