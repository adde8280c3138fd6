"""The phases dialog (P): jump to any phase, and edit the running order (names, prompts, the kind phones default to).

Edits are a draft until saved (ctrl+s: one EditPhases command, one undo step). Enter on a phase goes there; a
draft with changes is saved first, so what you see in the list is what you go to. Phase names and prompts are the
facilitator's words, shown only through `rich.text.Text` / `Content`.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Button, Input, Label, OptionList, Select
from textual.widgets.option_list import Option

from coprod_tui.core.model import Kind
from coprod_tui.core.running import Phase
from coprod_tui.core.text import NAME_LIMIT, QUESTION_LIMIT
from coprod_tui.tui.dialogs.form import FormDialog
from coprod_tui.core.wording import one_line

ANY_KIND = "any"
KIND_CHOICES = [(Text("the writer's choice"), ANY_KIND)] + [(Text(k.label), k.value) for k in Kind]


class PhasesScreen(FormDialog[bool]):
    """`save(phases)` applies an edited list; `go(index)` moves the session there. Both raise CoprodError to keep
    the dialog open with the message."""

    BINDINGS = [Binding("escape", "cancel", "Close")]
    FRAME_ID = "phases-dialog"
    START_IN = "#phase-list"
    wide = True
    cancel_label = "Close  esc"

    def __init__(self, phases: tuple[Phase, ...], current: int, save: Callable[[tuple[Phase, ...]], None],
                 go: Callable[[int], None]) -> None:
        super().__init__()
        self.saved = tuple(phases)
        self.draft = list(phases)
        self.current = current
        self.save = save
        self.go = go

    def fields(self) -> ComposeResult:
        yield Label("Phases — enter goes to the highlighted phase; edit it below; ctrl+s saves the list",
                    classes="dialog-title")
        yield OptionList(id="phase-list")
        with Horizontal(classes="buttons phase-tools"):
            yield Button("Add after", id="phase-add")
            yield Button("Remove", id="phase-remove")
            yield Button("Move up", id="phase-up")
            yield Button("Move down", id="phase-down")
        yield Label("Name", classes="field-label")
        yield Input(id="phase-name", max_length=NAME_LIMIT)
        yield Label("Question put to the room", classes="field-label")
        yield Input(id="phase-prompt", max_length=QUESTION_LIMIT)
        yield Label("Phones write", classes="field-label")
        yield Select(KIND_CHOICES, value=ANY_KIND, allow_blank=False, id="phase-kind")

    def begin(self) -> None:
        self._fill_list(self.current)
        super().begin()

    # -- the draft ----------------------------------------------------------------------------------------------
    @property
    def index(self) -> int:
        highlighted = self.query_one(OptionList).highlighted
        return min(highlighted if highlighted is not None else 0, len(self.draft) - 1)

    def _prompt(self, index: int) -> Text:
        phase = self.draft[index]
        text = Text("▸ " if index == self.current else "  ", style="bold")
        text.append(f"{index + 1}. ", style="dim")
        text.append(phase.name, style="bold" if index == self.current else "")
        if phase.prompt:
            text.append(" — ", style="dim")
            text.append(one_line(phase.prompt, 60), style="dim")
        return text

    def _fill_list(self, highlight: int) -> None:
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options([Option(self._prompt(i)) for i in range(len(self.draft))])
        option_list.highlighted = min(max(highlight, 0), len(self.draft) - 1)
        self._fill_fields()

    def _fill_fields(self) -> None:
        # All three are set before any of their Changed messages is handled, so `_edited` then finds the fields
        # equal to the draft and does nothing.
        phase = self.draft[self.index]
        self.query_one("#phase-name", Input).value = phase.name
        self.query_one("#phase-prompt", Input).value = phase.prompt
        self.query_one("#phase-kind", Select).value = phase.kind or ANY_KIND

    @on(OptionList.OptionHighlighted)
    def _highlighted(self) -> None:
        self._fill_fields()

    @on(Input.Changed)
    @on(Select.Changed)
    def _edited(self) -> None:
        kind = self.query_one("#phase-kind", Select).value
        phase = Phase(name=self.query_one("#phase-name", Input).value,
                      prompt=self.query_one("#phase-prompt", Input).value,
                      kind=None if kind in (ANY_KIND, Select.BLANK) else str(kind))
        if phase == self.draft[self.index]:
            return
        self.draft[self.index] = phase
        self.query_one(OptionList).replace_option_prompt_at_index(self.index, self._prompt(self.index))

    @on(Button.Pressed, ".phase-tools Button")
    def _tool(self, event: Button.Pressed) -> None:
        index = self.index
        if event.button.id == "phase-add":
            self.draft.insert(index + 1, Phase("New phase"))
            if self.current > index:
                self.current += 1
            self._fill_list(index + 1)
            self.query_one("#phase-name", Input).focus()
            return
        if event.button.id == "phase-remove":
            if len(self.draft) == 1:
                self.show_error("A session has at least one phase.")
                return
            del self.draft[index]
            if self.current > index or self.current >= len(self.draft):
                self.current = max(self.current - 1, 0)
            self._fill_list(index)
            return
        other = index + (-1 if event.button.id == "phase-up" else 1)
        if 0 <= other < len(self.draft):
            self.draft[index], self.draft[other] = self.draft[other], self.draft[index]
            if self.current in (index, other):
                self.current = other if self.current == index else index
            self._fill_list(other)

    # -- saving and going -----------------------------------------------------------------------------------------
    def _save_draft(self) -> bool:
        if tuple(self.draft) == self.saved:
            return True
        if not self.attempt(self.save, tuple(self.draft)):
            return False
        self.saved = tuple(self.draft)
        return True

    def action_save(self) -> None:
        if self._save_draft():
            self.dismiss(True)

    @on(OptionList.OptionSelected)
    def _go(self, event: OptionList.OptionSelected) -> None:
        if not self._save_draft():
            return
        if event.option_index != self.current and not self.attempt(self.go, event.option_index):
            return
        self.dismiss(True)
