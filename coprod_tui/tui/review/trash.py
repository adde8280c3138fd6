"""The trash: sessions deleted from home, most recent first; enter restores one, delete removes it for good.

Deleting for good is the only way coprod ever removes a session's file, so it is asked twice: once when the
session went to the trash, once here.
"""

from __future__ import annotations

import time

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.store.trash import Trash, TrashedSession
from coprod_tui.tui.dialogs.cards import ConfirmScreen


class TrashLoaded(Message):
    def __init__(self, entries: list[TrashedSession]) -> None:
        super().__init__()
        self.entries = entries


class TrashScreen(Screen):
    """What is in the trash of the sessions folder."""

    AUTO_FOCUS = "#trash"

    BINDINGS = [
        Binding("enter,r", "restore", "Restore"),
        Binding("delete,d", "purge", "Delete for good"),
        Binding("escape", "back", "Sessions"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[TrashedSession] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="trash-hint")
        yield DataTable(id="trash", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Trash"
        self.sub_title = str(Trash(self.app.folder).folder)
        table = self.query_one("#trash", DataTable)
        table.add_columns("Deleted", "Title", "Notes", "Name in the trash")
        self._load()

    @work(thread=True, exclusive=True, group="listing", exit_on_error=False)
    def _load(self) -> None:
        self.post_message(TrashLoaded(Trash(self.app.folder).list()))

    @on(TrashLoaded)
    def _loaded(self, message: TrashLoaded) -> None:
        self.entries = message.entries
        table = self.query_one("#trash", DataTable)
        table.clear()
        for entry in self.entries:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry.deleted))
            title = Text(entry.title) if entry.error is None else Text(f"⚠ unreadable: {entry.error}", style="italic")
            table.add_row(Text(when), title, Text(str(entry.cards), justify="right"), Text(entry.name),
                          key=entry.name)
        hint = ("The trash is empty." if not self.entries else
                "enter restores the selected session · delete removes it for good")
        self.query_one("#trash-hint", Static).update(Content(hint))
        self.refresh_bindings()

    def _selected(self) -> TrashedSession | None:
        table = self.query_one("#trash", DataTable)
        if not table.row_count:
            return None
        name = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((e for e in self.entries if e.name == name), None)

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_restore()

    def action_restore(self) -> None:
        entry = self._selected()
        if entry is None:
            return
        try:
            session_id = Trash(self.app.folder).restore(entry.name)
        except CoprodError as exc:
            self.notify(Content(str(exc)), title="Not restored", severity="error", timeout=8)
            return
        self.notify(Content(f"“{entry.title}” is back in the sessions ({session_id})."), title="Restored")
        self._load()

    def action_purge(self) -> None:
        entry = self._selected()
        if entry is None:
            return

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            try:
                Trash(self.app.folder).purge(entry.name)
            except CoprodError as exc:
                self.notify(Content(str(exc)), severity="error")
                return
            self.notify(Content(f"“{entry.title}” is deleted for good."))
            self._load()

        question = Content(f"Delete “{entry.title}” for good? This cannot be undone.")
        self.app.push_screen(ConfirmScreen(question, yes="Delete for good"), answered)

    def action_back(self) -> None:
        self.app.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("restore", "purge") and not self.entries:
            return None
        return True
