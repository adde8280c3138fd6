"""Home: every past session, filtered and sorted from the keyboard, and the ways into them.

Enter opens a session for review (read-only: nothing changes by accident); `o` opens it for editing with the phone
server. The listing is read in a worker thread (it stats every file in the folder) and arrives as a message, so a
large sessions folder never freezes the screen. Titles, programmes and group names are user text: cells are
`rich.text.Text`, never markup. Dates are the computer's local dates (files keep UTC): what the filter matches is
what the Date column shows.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.localtime import local_date
from coprod_tui.core.store.folder import SessionSummary
from coprod_tui.core.store.trash import Trash
from coprod_tui.core.wording import plural
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.row_table import Column, RowTable

COLUMNS = (Column("Title", 56), Column("Date", 10), Column("Programme", 30), Column("Notes", 6, "right"),
           Column("Groups", 200))


@dataclass(frozen=True)
class Sort:
    label: str
    key: Callable[[SessionSummary], object]
    newest_first: bool


SORTS = (
    Sort("last change", lambda s: (s.updated or s.created, s.id), True),
    Sort("date", lambda s: (s.created, s.id), True),
    Sort("title", lambda s: (fold(s.title), s.id), False),
    Sort("programme", lambda s: (fold(s.programme) or "\uffff", s.created), False),
    Sort("notes", lambda s: (s.cards, s.updated), True),
)


def fold(text: str) -> str:
    """Case- and accent-blind text for filtering: "Cafe" finds "Café"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def matches(summary: SessionSummary, words: list[str]) -> bool:
    """Whether every word is in the session's title, programme, date (the local one shown), id, groups or question."""
    haystack = fold(" ".join([summary.title, summary.programme, local_date(summary.created), summary.id,
                              *summary.groups, summary.question]))
    return all(word in haystack for word in words)


def arrange(summaries: list[SessionSummary], sort: Sort, filter_text: str) -> list[SessionSummary]:
    """The rows to show: filtered by every word typed, sorted, unreadable files last (still listed, with why)."""
    words = fold(filter_text).split()
    shown = [s for s in summaries if not words or matches(s, words)]
    readable = sorted((s for s in shown if s.readable), key=sort.key, reverse=sort.newest_first)
    return readable + [s for s in shown if not s.readable]


class SessionsLoaded(Message):
    def __init__(self, summaries: list[SessionSummary]) -> None:
        super().__init__()
        self.summaries = summaries


class HomeScreen(Screen):
    """Past sessions; enter reviews one, o opens it for editing, n starts a new one."""

    AUTO_FOCUS = "#sessions"  # keys act on the list; / moves to the filter

    BINDINGS = [
        Binding("n", "new", "New session"),
        Binding("enter,r", "review", "Review"),
        Binding("o", "open", "Open for editing"),
        Binding("slash", "filter", "Filter"),
        Binding("s", "sort", "Sort"),
        Binding("f", "find", "Find in all"),
        Binding("c", "compare", "Compare"),
        Binding("delete,d", "trash", "Delete", show=False),
        Binding("t", "show_trash", "Trash", show=False),
        Binding("f5", "reload", "Refresh", show=False),
        Binding("down", "to_table", show=False),
        Binding("escape", "clear_filter", show=False),
        Binding("question_mark", "help", "Help"),
    ]
    HELP_EXTRA = [
        ("↑ ↓", "Choose a session"),
        ("delete d", "Move the session to the trash (restorable)"),
        ("t", "The trash: restore a deleted session"),
        ("esc", "Clear the filter"),
        ("ctrl+p", "Command palette (themes too)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.summaries: list[SessionSummary] = []
        self.sort_index = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="home-hint")
        yield Input(placeholder="Filter: words from a title, programme, group or date ( / )", id="filter")
        yield RowTable(COLUMNS, id="sessions")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "coprod"
        self.sub_title = str(self.app.folder.folder)

    def on_screen_resume(self) -> None:
        """Also sent when the screen is first shown: the one place the listing is (re)loaded."""
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    # Its own group: `exclusive` cancels the other workers of its group, and the listing is reloaded whenever the
    # screen resumes — e.g. right after the delete dialog closed, which would cancel the delete before it started.
    @work(thread=True, exclusive=True, group="listing", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(SessionsLoaded(self.app.folder.list()))

    @on(SessionsLoaded)
    def _loaded(self, message: SessionsLoaded) -> None:
        self.summaries = message.summaries
        self._show()

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self._show()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.action_to_table()

    def _show(self) -> None:
        """Fill the table from the loaded summaries, the filter and the sort, keeping the selected session."""
        table = self.query_one("#sessions", RowTable)
        filter_text = self.query_one("#filter", Input).value
        sort = SORTS[self.sort_index]
        shown = arrange(self.summaries, sort, filter_text)
        table.set_rows([(s.id, self._row(s)) for s in shown], select=table.selected_key)
        self._hint(len(shown), filter_text, sort)
        self.refresh_bindings()

    @staticmethod
    def _row(s: SessionSummary) -> tuple[Text, ...]:
        if not s.readable:
            return (Text(f"⚠ {s.id}", style="bold"), Text("unreadable"), Text(""), Text("—"),
                    Text(s.error or "", style="italic"))
        return (Text(s.title), Text(local_date(s.created)), Text(s.programme), Text(str(s.cards), justify="right"),
                Text(", ".join(s.groups)))

    def _hint(self, shown: int, filter_text: str, sort: Sort) -> None:
        if not self.summaries:
            hint = "No sessions yet — press n to start one."
        elif filter_text.strip() and not shown:
            hint = f"No session matches “{filter_text.strip()}” — esc clears the filter."
        else:
            total = len(self.summaries)
            count = f"{shown} of {total} sessions" if shown != total else plural(total, "session")
            hint = f"{count} · sorted by {sort.label} · enter reviews, o opens for editing, n starts a new one"
        self.query_one("#home-hint", Static).update(Content(hint))

    def selected_id(self) -> str | None:
        return self.query_one("#sessions", RowTable).selected_key  # type: ignore[return-value]

    def selected(self) -> SessionSummary | None:
        wanted = self.selected_id()
        return next((s for s in self.summaries if s.id == wanted), None)

    # -- actions ------------------------------------------------------------------------------------------------
    @on(RowTable.Chosen)
    def _row_chosen(self) -> None:
        self.action_review()

    def action_review(self) -> None:
        if self.query_one("#filter", Input).has_focus:
            self.action_to_table()
            return
        session_id = self.selected_id()
        if session_id is not None:
            self.app.open_session(session_id, read_only=True)

    def action_open(self) -> None:
        session_id = self.selected_id()
        if session_id is not None:
            self.app.open_session(session_id)

    def action_new(self) -> None:
        from coprod_tui.tui.dialogs.new_session import NewSessionScreen

        self.app.push_screen(NewSessionScreen())

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_to_table(self) -> None:
        self.query_one("#sessions", RowTable).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.action_to_table()

    def action_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self._show()

    def action_find(self) -> None:
        from coprod_tui.tui.review.search import SearchScreen

        self.app.push_screen(SearchScreen(self.app.search_index()))

    def action_compare(self) -> None:
        first = self.selected()
        if first is None or not first.readable:
            self.notify("Choose a readable session to compare first.", severity="warning")
            return
        self.app.compare_with(self.summaries, first.id)

    def action_trash(self) -> None:
        summary = self.selected()
        if summary is None:
            return
        name = summary.title if summary.readable else summary.id
        question = Content(f"Move “{name}” to the trash? You can restore it from the trash (t).")

        def answered(yes: bool | None) -> None:
            if yes:
                self._move_to_trash(summary.id)

        self.app.push_screen(ConfirmScreen(question, yes="Move to trash"), answered)

    @work(thread=True, group="trash", exit_on_error=False)
    def _move_to_trash(self, session_id: str) -> None:
        self.app.finish_closing()  # a board just left may still hold the session's writer lock for a moment
        try:
            entry = Trash(self.app.folder).delete(session_id)
        except CoprodError as exc:
            self.app.notify(Content(str(exc)), title="Not deleted", severity="error", timeout=8)
            return
        self.app.notify(Content(f"“{entry.title}” is in the trash (t restores it)."), title="Deleted")
        self.post_message(SessionsLoaded(self.app.folder.list()))

    def action_show_trash(self) -> None:
        from coprod_tui.tui.review.trash import TrashScreen

        self.app.push_screen(TrashScreen())

    def action_help(self) -> None:
        from coprod_tui.tui.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("review", "open", "compare", "trash") and self.selected_id() is None:
            return None
        return True
