"""Home: past sessions newest first, and a new session with its question and groups.

The listing is read in a worker thread (it stats every file in the folder) and arrives as a message, so a large
sessions folder never freezes the screen. Titles and group names are user text: cells are `rich.text.Text`.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, DataTable, Footer, Header, Input, Label, Select, Static

from ..core.colours import GROUP_COLOURS, GROUP_GLYPHS
from ..core.errors import CoprodError
from ..core.model import Role
from ..core.store import SessionSummary
from ..core.text import NAME_LIMIT, QUESTION_LIMIT, TITLE_LIMIT

DEFAULT_GROUPS = [
    ("People who use services", Role.PEOPLE),
    ("Carers", Role.CARERS),
    ("Practitioners", Role.PRACTITIONERS),
    ("Commissioners", Role.COMMISSIONERS),
]


COLUMNS = ("Title", "Updated", "Notes", "Groups")
COLUMN_LIMITS = (60, 16, 6, 80)


class SessionsLoaded(Message):
    def __init__(self, summaries: list[SessionSummary]) -> None:
        super().__init__()
        self.summaries = summaries


class HomeScreen(Screen):
    """Past sessions; enter opens one live, r opens it read-only for review, n starts a new one."""

    BINDINGS = [
        Binding("n", "new", "New session"),
        Binding("enter", "open", "Open", show=False),
        Binding("r", "review", "Review (read-only)"),
        Binding("f5", "reload", "Refresh"),
        Binding("question_mark", "help", "Help"),
    ]
    HELP_EXTRA = [("↑ ↓", "Choose a session"), ("ctrl+p", "Command palette (themes too)")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Content("Sessions — enter opens, n starts a new one"), id="home-hint")
        table: DataTable = DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.title = "coprod"
        self.sub_title = str(self.app.folder.folder)
        self.summaries: list[SessionSummary] = []
        self.action_reload()

    def on_screen_resume(self) -> None:
        self.action_reload()

    def action_reload(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        self.post_message(SessionsLoaded(self.app.folder.list()))

    @on(SessionsLoaded)
    def _loaded(self, message: SessionsLoaded) -> None:
        self.summaries = message.summaries
        table = self.query_one("#sessions", DataTable)
        selected = self._selected_id()
        rows = []
        for s in self.summaries:
            if s.readable:
                row = (Text(s.title), Text((s.updated or s.created)[:16].replace("T", " ")), Text(str(s.cards)),
                       Text(", ".join(s.groups)))
            else:
                row = (Text(f"⚠ {s.id}", style="bold"), Text("unreadable"), Text("—"), Text(s.error or "",
                                                                                          style="italic"))
            rows.append(row)
        # Column widths are set here rather than measured by DataTable when idle: a repaint that came before that
        # measurement cached every cell at the header's width, and titles stayed cut ("Carer") until the next change.
        table.clear(columns=True)
        for index, label in enumerate(COLUMNS):
            width = max([len(label), *(cell_len(row[index].plain) for row in rows)])
            table.add_column(label, width=min(width, COLUMN_LIMITS[index]))
        for s, row in zip(self.summaries, rows):
            table.add_row(*row, key=s.id)
        hint = "Sessions — enter opens, n starts a new one" if self.summaries else \
            "No sessions yet — press n to start one."
        self.query_one("#home-hint", Static).update(Content(hint))
        if selected is not None and selected in {s.id for s in self.summaries}:
            table.move_cursor(row=table.get_row_index(selected))
        table.focus()

    def _selected_id(self) -> str | None:
        table = self.query_one("#sessions", DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_open()

    def action_open(self, read_only: bool = False) -> None:
        session_id = self._selected_id()
        if session_id is not None:
            self.app.open_session(session_id, read_only=read_only)

    def action_review(self) -> None:
        self.action_open(read_only=True)

    def action_new(self) -> None:
        self.app.push_screen(NewSessionScreen())

    def action_help(self) -> None:
        from .help import HelpScreen

        self.app.push_screen(HelpScreen(self))


@dataclass
class GroupSpec:
    name: str
    role: str
    colour: str


class GroupRow(Horizontal):
    """One group of a new session: name, role, colour."""

    def __init__(self, name: str = "", role: Role = Role.OTHER, colour: str = GROUP_COLOURS[0]) -> None:
        super().__init__(classes="group-row")
        self.initial = (name, role, colour)

    def compose(self) -> ComposeResult:
        name, role, colour = self.initial
        yield Input(name, placeholder="Group name", max_length=NAME_LIMIT, classes="group-name")
        yield Select([(r.label, r.value) for r in Role], value=role.value, allow_blank=False, classes="group-role")
        yield Select([(f"{GROUP_GLYPHS[c]} {c}", c) for c in GROUP_COLOURS], value=colour, allow_blank=False,
                     classes="group-colour")
        yield Button("✕", classes="remove-group", tooltip="Remove this group")

    def spec(self) -> GroupSpec:
        return GroupSpec(
            name=self.query_one(".group-name", Input).value,
            role=str(self.query_one(".group-role", Select).value),
            colour=str(self.query_one(".group-colour", Select).value),
        )

    @on(Button.Pressed, ".remove-group")
    def _remove(self) -> None:
        self.remove()


class NewSessionScreen(ModalScreen[None]):
    """Title, the question the room works on, and the groups (each with a name, a colour and a role)."""

    BINDINGS = [
        Binding("ctrl+s", "create", "Create", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="new-session"):
            yield Label("New session", classes="dialog-title")
            yield Label("Title", classes="field-label")
            yield Input(placeholder="e.g. Short breaks for carers: review", id="title", max_length=TITLE_LIMIT)
            yield Label("The question the room works on", classes="field-label")
            yield Input(placeholder="What is the problem we are trying to solve, and what could we do?",
                        id="question", max_length=QUESTION_LIMIT)
            yield Label("Groups (name · role · colour)", classes="field-label")
            with VerticalScroll(id="group-rows"):
                for index, (name, role) in enumerate(DEFAULT_GROUPS):
                    yield GroupRow(name, role, GROUP_COLOURS[index])
            yield Button("+ Add group", id="add-group")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Create  ctrl+s", variant="primary", id="create")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#title", Input).focus()

    @on(Button.Pressed, "#add-group")
    async def _add_group(self) -> None:
        used = {row.spec().colour for row in self.query(GroupRow)}
        colour = next((c for c in GROUP_COLOURS if c not in used), GROUP_COLOURS[-1])
        row = GroupRow("", Role.OTHER, colour)
        await self.query_one("#group-rows").mount(row)  # awaited: the row's inputs exist only once mounted
        row.query_one(Input).focus()

    @on(Button.Pressed, "#create")
    def _create_pressed(self) -> None:
        self.action_create()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_create(self) -> None:
        specs = [row.spec() for row in self.query(GroupRow)]
        groups = [(s.name, s.role, s.colour) for s in specs if s.name.strip()]
        try:
            self.app.create_session(
                self.query_one("#title", Input).value,
                self.query_one("#question", Input).value,
                groups,
            )
        except CoprodError as exc:
            self.query_one("#error", Static).update(Content(str(exc)))

    def action_cancel(self) -> None:
        self.dismiss(None)
