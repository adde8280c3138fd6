"""The export dialog: choose a format and a file, write the session there.

The dialog is given the sessions folder and a session id, not the live hub: exports read the session file
read-only (export package), exactly as `coprod export` does, so the file written from the board and the one written
from the command line are the same bytes. Folders missing on the way to the file are created (the suggested
`exports/` folder usually is), unlike `coprod export -o`: here the full path is on screen before anything is
written. The write runs in a worker thread (an HTML export of a large session must not freeze the board) and the
dialog stays open with the reason when it fails (a read-only folder, a path that is a folder), with the path as
typed, so the facilitator can correct it.

Paths and error messages are user text: they are shown through `Content`, never as markup.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.export import FORMATS, REPORTS, ExportFormat, write_export

EXPORT_FOLDER = "exports"


@dataclass(frozen=True)
class Choice:
    """One line of the dialog: a report (the whole session, the self-reflection and plan, you said we did) in one
    format."""

    report: str
    format: ExportFormat
    label: str

    @property
    def key(self) -> str:
        return f"{self.report}:{self.format.name}"


class ExportScreen(ModalScreen[Path | None]):
    """Export one session; dismisses with the written file's path, or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "export", "Export", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, folder: SessionFolder, session_id: str) -> None:
        super().__init__()
        self.folder = folder
        self.session_id = session_id
        # Every (report, format) pair offered: the whole session in each format, then the method's reports.
        self.choices: list[Choice] = [Choice("session", fmt, fmt.label) for fmt in FORMATS.values()] + [
            Choice(report.name, FORMATS[name], f"{report.label} ({FORMATS[name].label.split(' ')[0]})")
            for report in REPORTS.values() if report.name != "session" for name in ("html", "md")
            if name in report.formats]
        self.choice = self.choices[0]
        self.edited = False  # the person typed a path of their own: format changes leave it alone
        self.busy = False

    def default_path(self, choice: Choice) -> str:
        middle = "" if choice.report == "session" else f".{choice.report}"
        return f"{EXPORT_FOLDER}/{self.session_id}{middle}.{choice.format.extension}"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Label(Content(f"Export {self.session_id}"), classes="dialog-title")
            yield Label("Format", classes="field-label")
            with RadioSet(id="export-format"):
                for index, choice in enumerate(self.choices):
                    yield RadioButton(Content(choice.label), value=index == 0, name=choice.key)
            yield Label("File (relative to the folder coprod was started in)", classes="field-label")
            yield Input(self.default_path(self.choice), id="export-path")
            yield Static("", id="export-resolved", classes="hint")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Export  ctrl+s", variant="primary", id="export")
                yield Button("Cancel  esc", id="cancel")

    def on_mount(self) -> None:
        self._show_resolved()
        self.query_one("#export-format", RadioSet).focus()

    # -- the form ---------------------------------------------------------------------------------------------
    def target(self) -> Path | None:
        value = self.query_one("#export-path", Input).value.strip()
        return Path(os.path.abspath(Path(value).expanduser())) if value else None

    def _show_resolved(self) -> None:
        target = self.target()
        text = f"Will write {target}" if target else "Type the file to write."
        self.query_one("#export-resolved", Static).update(Content(text))

    @on(RadioSet.Changed, "#export-format")
    def _format_chosen(self, event: RadioSet.Changed) -> None:
        self.choice = next((c for c in self.choices if c.key == event.pressed.name), self.choice)
        if not self.edited:
            self.query_one("#export-path", Input).value = self.default_path(self.choice)

    @on(Input.Changed, "#export-path")
    def _path_changed(self, event: Input.Changed) -> None:
        self.edited = event.value != self.default_path(self.choice)
        self.query_one("#error", Static).update("")
        self._show_resolved()

    @on(Input.Submitted, "#export-path")
    def _submitted(self) -> None:
        self.action_export()

    # -- exporting --------------------------------------------------------------------------------------------
    def action_export(self) -> None:
        target = self.target()
        if target is None:
            self._failed("Type the file to write.")
            return
        if self.busy:
            return
        self.busy = True
        self.query_one("#export", Button).disabled = True
        self._write(self.choice, target)

    @work(thread=True, exclusive=True, exit_on_error=False, group="export")
    def _write(self, choice: Choice, target: Path) -> None:
        """Make the export and write it atomically; the result goes back to the dialog on the app's thread."""
        try:
            # Missing folders are made (the suggested exports/ folder, or one the person typed): the dialog shows
            # the full path before anything is written, so there are no surprises.
            target.parent.mkdir(parents=True, exist_ok=True)
            write_export(choice.format.name, self.folder, self.session_id, target, report=choice.report)
        except CoprodError as exc:
            self.app.call_from_thread(self._failed, str(exc))
        except OSError as exc:
            what = exc.strerror or str(exc) or type(exc).__name__
            self.app.call_from_thread(self._failed, f"Can't write {target}: {what}")
        else:
            self.app.call_from_thread(self._done, target)

    def _done(self, target: Path) -> None:
        self.busy = False
        self.app.notify(Content(f"Exported to {target}"))
        self.dismiss(target)

    def _failed(self, message: str) -> None:
        self.busy = False
        self.query_one("#export", Button).disabled = False
        self.query_one("#error", Static).update(Content(message))

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#export")
    def _export_pressed(self) -> None:
        self.action_export()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()
