"""The one modal form of the TUI, and the one-line prompt built on it.

A form never changes the session itself: saving hands what was typed to the caller's function, which sends the hub
command. A refusal (a CoprodError: a field too long, a date written wrongly) keeps the form open with the reason
shown as plain text and the person's words intact; success dismisses it. Every form has the same keys (ctrl+s
saves, esc cancels), the same frame (title, fields, the reason, then the buttons) and starts where typing starts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.text import FIELD_LIMIT

ResultT = TypeVar("ResultT")
ValueT = TypeVar("ValueT")


class FormDialog(ModalScreen[ResultT]):
    """A modal form. Subclasses yield their title and fields from `fields()` and implement `action_save`, which
    reads the fields and calls `send(submit, value)` (or `attempt` when success should not close the form).

    The class attributes set what differs between forms: the frame's id and width, whether it scrolls, where the
    focus starts, the buttons' labels, whether enter in a one-line field saves, and what the form dismisses with.
    """

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    FRAME_ID: ClassVar[str | None] = None
    SCROLLS: ClassVar[bool] = False  # a long form scrolls inside its frame
    START_IN: ClassVar[str] = "Input"  # the selector of the field typing starts in
    ENTER_SAVES: ClassVar[bool] = False  # short forms: enter in a one-line field saves too
    SAVED: ClassVar[Any] = True
    CANCELLED: ClassVar[Any] = False
    wide = False  # these may be set per form
    save_label = "Save  ctrl+s"
    cancel_label = "Cancel  esc"
    reason_line = True  # False: nothing here can be refused, so no line is kept for a reason

    def compose(self) -> ComposeResult:
        frame = VerticalScroll if self.SCROLLS else Vertical
        with frame(id=self.FRAME_ID, classes="dialog wide" if self.wide else "dialog"):
            yield from self.fields()
            if self.reason_line:
                yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield from self.buttons()

    def fields(self) -> ComposeResult:
        """The title and the fields, above the line for the reason and the buttons."""
        raise NotImplementedError

    def buttons(self) -> ComposeResult:
        yield Button(self.save_label, variant="primary", id="save")
        yield Button(self.cancel_label, id="cancel")

    def on_mount(self) -> None:
        self.begin()

    def begin(self) -> None:
        """Fill what needs the mounted form, and focus where typing starts."""
        start = self.query(self.START_IN)
        if start:
            start.first().focus()

    # -- saving -------------------------------------------------------------------------------------------------
    def action_save(self) -> None:
        raise NotImplementedError

    def attempt(self, submit: Callable[[ValueT], object], value: ValueT) -> bool:
        """Call `submit(value)`; on a refusal show its reason and return False."""
        try:
            submit(value)
        except CoprodError as exc:
            self.show_error(str(exc))
            return False
        return True

    def send(self, submit: Callable[[ValueT], object], value: ValueT) -> None:
        """Call `submit(value)`: success dismisses the form, a refusal keeps it open with the reason."""
        if self.attempt(submit, value):
            self.dismiss(self.SAVED)

    def show_error(self, message: str) -> None:
        """The reason, as plain text (it may quote what was typed), scrolled into view in a long form."""
        error = self.query_one("#error", Static)
        error.update(Content(message))
        error.scroll_visible(animate=False)

    def action_cancel(self) -> None:
        self.dismiss(self.CANCELLED)

    @on(Input.Submitted)
    def _entered(self) -> None:
        if self.ENTER_SAVES:
            self.action_save()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()


class LinePrompt(FormDialog[bool]):
    """One line of text (a note, a date). `submit(value)` raises CoprodError to keep the prompt open."""

    FRAME_ID = "line-prompt"
    ENTER_SAVES = True

    def __init__(self, heading: str | Text, label: str, submit: Callable[[str], None], value: str = "", *,
                 hint: str | Text = "", placeholder: str = "", max_length: int = FIELD_LIMIT, ok: str = "Save",
                 wide: bool = False) -> None:
        super().__init__()
        self.heading = heading
        self.label = label
        self.submit = submit
        self.value = value
        self.hint = hint
        self.placeholder = placeholder
        self.max_length = max_length
        self.save_label = f"{ok}  enter"
        self.wide = wide

    def fields(self) -> ComposeResult:
        heading = self.heading if isinstance(self.heading, Text) else Text(self.heading)
        yield Static(heading, classes="dialog-title")
        yield Label(Content(self.label), classes="field-label")
        yield Input(self.value, id="line-value", max_length=self.max_length, placeholder=self.placeholder)
        if self.hint:  # user text (a list of notes) comes as Text, never as markup
            yield Static(self.hint if isinstance(self.hint, Text) else Content(self.hint), classes="hint")

    def action_save(self) -> None:
        self.send(self.submit, self.query_one("#line-value", Input).value)
