"""A new session: its title, the question the room works on, its programme, and the groups (name, role, colour)."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select

from coprod_tui.core.colours import GROUP_COLOURS, GROUP_GLYPHS
from coprod_tui.core.model import Role
from coprod_tui.core.text import NAME_LIMIT, QUESTION_LIMIT, TITLE_LIMIT
from coprod_tui.tui.dialogs.form import FormDialog

DEFAULT_GROUPS = [
    ("People who use services", Role.PEOPLE),
    ("Carers", Role.CARERS),
    ("Practitioners", Role.PRACTITIONERS),
    ("Commissioners", Role.COMMISSIONERS),
]


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


class NewSessionScreen(FormDialog[None]):
    """Title, the question the room works on, and the groups (each with a name, a colour and a role). Saving
    creates the session and opens its board in this dialog's place."""

    FRAME_ID = "new-session"
    START_IN = "#title"
    CANCELLED = None
    wide = True
    save_label = "Create  ctrl+s"

    def fields(self) -> ComposeResult:
        yield Label("New session", classes="dialog-title")
        with Horizontal(classes="field-row"):
            with Vertical(classes="field"):
                yield Label("Title", classes="field-label")
                yield Input(placeholder="e.g. Short breaks for carers: review", id="title", max_length=TITLE_LIMIT)
            with Vertical(classes="field", id="programme-field"):
                yield Label("Programme (optional)", classes="field-label")
                yield Input(placeholder="e.g. Short breaks", id="programme", max_length=TITLE_LIMIT,
                            tooltip="Sessions of one programme can be compared over time")
        yield Label("The question the room works on", classes="field-label")
        yield Input(placeholder="What is the problem we are trying to solve, and what could we do?",
                    id="question", max_length=QUESTION_LIMIT)
        yield Label("Groups (name · role · colour)", classes="field-label")
        with VerticalScroll(id="group-rows"):
            for index, (name, role) in enumerate(DEFAULT_GROUPS):
                yield GroupRow(name, role, GROUP_COLOURS[index])
        yield Button("+ Add group", id="add-group")

    @on(Button.Pressed, "#add-group")
    async def _add_group(self) -> None:
        used = {row.spec().colour for row in self.query(GroupRow)}
        colour = next((c for c in GROUP_COLOURS if c not in used), GROUP_COLOURS[-1])
        row = GroupRow("", Role.OTHER, colour)
        await self.query_one("#group-rows").mount(row)  # awaited: the row's inputs exist only once mounted
        row.query_one(Input).focus()

    def action_save(self) -> None:
        # Not `send`: on success the app has already put the new board in this dialog's place.
        self.attempt(self._create, [row.spec() for row in self.query(GroupRow)])

    def _create(self, specs: list[GroupSpec]) -> None:
        self.app.create_session(  # type: ignore[attr-defined]
            self.query_one("#title", Input).value, self.query_one("#question", Input).value,
            [(s.name, s.role, s.colour) for s in specs if s.name.strip()],
            programme=self.query_one("#programme", Input).value)
