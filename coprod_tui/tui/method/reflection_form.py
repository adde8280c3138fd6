"""Typing self-reflection answers in for someone: the form, and the numbered choices it is made of.

The form asks the questions the phones ask (core/method.py): the person's role, the ladder now and target with
what each rung means, then every statement grouped by principle, scored 1–4 or "don't know", each with an optional
note of evidence. It is for people who would rather answer aloud, on paper, or without a phone. Leaving a form
with answers in it asks first.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Input, Label, RadioButton, RadioSet, Select, Static

from coprod_tui.core.commands import SubmitReflection
from coprod_tui.core.text import EVIDENCE_LIMIT
from coprod_tui.core.method import CREDITS, DONT_KNOW, LADDER, PRINCIPLES, SCALE, STATEMENTS
from coprod_tui.core.model import Role
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.dialogs.form import FormDialog

SCALE_ORDER = (1, 2, 3, 4, DONT_KNOW)


class Choice(RadioButton):
    """A radio button whose dot shows only when chosen, so the choice never rests on colour alone."""

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]
        return "●" if self.value else " "


class ChoiceSet(RadioSet):
    """A radio set of numbered choices: number keys choose directly, backspace clears (nothing chosen = not
    answered), arrows and space work as in any radio set."""

    BINDINGS = [
        *[Binding(str(n), f"choose({n})", str(n), show=False) for n in range(1, 8)],
        Binding("0,question_mark", f"choose({DONT_KNOW})", "Don't know", show=False),
        Binding("backspace,delete", "clear", "Clear", show=False),
    ]

    def __init__(self, choices: list[tuple[int, str]], value: int | None = None, *, id: str | None = None,
                 classes: str | None = None, compact: bool = False) -> None:
        self.values = [v for v, _ in choices]
        buttons = [Choice(Content(label), value=v == value) for v, label in choices]
        super().__init__(*buttons, id=id, classes=classes, compact=compact)

    def on_mount(self) -> None:
        if self.pressed_index >= 0:
            self._selected = self.pressed_index  # arrows start from the choice already made

    @property
    def value(self) -> int | None:
        for choice, button in zip(self.values, self.query(RadioButton)):
            if button.value:
                return choice
        return None

    def action_choose(self, value: int) -> None:
        if value not in self.values:
            return
        index = self.values.index(value)
        self._selected = index
        button = list(self.query(RadioButton))[index]
        button.value = True

    def action_clear(self) -> None:
        with self.prevent(RadioButton.Changed):
            for button in self.query(RadioButton):
                button.value = False
        self._pressed_button = None


class ReflectionForm(FormDialog[bool]):
    """The phones' questions, typed in for someone. `submit(command)` raises CoprodError to keep the form open."""

    FRAME_ID = "reflection-form"
    SCROLLS = True
    START_IN = "#reflection-role"

    def __init__(self, submit: Callable[[SubmitReflection], None]) -> None:
        super().__init__()
        self.submit = submit

    def fields(self) -> ComposeResult:
        yield Label("Type answers for someone", classes="dialog-title")
        yield Static(Content(
            "The same questions as on the phones. Answers are anonymous: a role, never a name. Leave out "
            "anything they would rather not answer.\nNumber keys choose · backspace clears · tab moves on · "
            "ctrl+s saves · esc cancels"), classes="hint")
        yield Label("Their role", classes="field-label")
        yield Select([(Text(role.label), role.value) for role in Role], prompt="Choose their role",
                     id="reflection-role")
        rungs = [(r.number, f"{r.number} {r.name} — {r.meaning}") for r in LADDER]
        yield Label("Where is this work on the ladder of co-production now?", classes="field-label")
        yield ChoiceSet(rungs, id="ladder-now", classes="ladder")
        yield Label("Where should it be?", classes="field-label")
        yield ChoiceSet(rungs, id="ladder-target", classes="ladder")
        yield Static(Content(CREDITS[0]), classes="hint credit")
        scale = [(value, f"{value} {SCALE[value]}" if value else SCALE[value]) for value in SCALE_ORDER]
        for principle in PRINCIPLES:
            yield Static(Content.assemble((principle.name, "bold"), " — ", principle.summary),
                         classes="principle-title")
            for statement in principle.statements:
                yield Static(Content(statement.text), classes="statement")
                yield ChoiceSet(scale, id=f"score-{statement.id}", classes="scale", compact=True)
                yield Input(id=f"evidence-{statement.id}", classes="evidence", max_length=EVIDENCE_LIMIT,
                            placeholder="Evidence or an example (optional)", compact=True)

    def command(self) -> SubmitReflection | None:
        """The answers as a command, or None (with a message) when the role is missing."""
        role = self.query_one("#reflection-role", Select)
        if role.is_blank():
            self.show_error("Choose their role first: answers keep a role, never a name.")
            return None
        scores: dict[str, int] = {}
        evidence: dict[str, str] = {}
        for statement in STATEMENTS:
            value = self.query_one(f"#score-{statement}", ChoiceSet).value
            if value is not None:
                scores[statement] = value
            note = self.query_one(f"#evidence-{statement}", Input).value
            if note.strip():
                evidence[statement] = note
        return SubmitReflection(role=str(role.value), ladder_now=self.query_one("#ladder-now", ChoiceSet).value,
                                ladder_target=self.query_one("#ladder-target", ChoiceSet).value, scores=scores,
                                evidence=evidence)

    def action_save(self) -> None:
        command = self.command()
        if command is not None:
            self.send(self.submit, command)

    def _touched(self) -> bool:
        return (not self.query_one("#reflection-role", Select).is_blank()
                or any(c.value is not None for c in self.query(ChoiceSet))
                or any(i.value.strip() for i in self.query(Input)))

    def action_cancel(self) -> None:
        if not self._touched():
            self.dismiss(False)
            return

        def answer(leave: bool | None) -> None:
            if leave:
                self.dismiss(False)

        self.app.push_screen(ConfirmScreen(Content("Leave without saving these answers?"), yes="Leave"), answer)
