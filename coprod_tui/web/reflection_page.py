"""The self-reflection form, rendered on the server: the page shows it instead of the note form during a reflection
phase, and it is complete without JavaScript (a plain POST to /j/{token}/reflection).

Why one renderer: phone.js does not build this form. When the phase turns to a reflection on an open page, it
fetches the page and takes this section from it, so the markup (labels, fieldsets, ids) exists once, here, and the
page with and without JavaScript is the same form. Every text is escaped; the method's wording and credits come from
core/method.py.

A phone without JavaScript has no id of its own, so the form carries one made up for it here (a hidden field): the
confirmation page carries it on, so "change my answers" replaces that answer instead of adding another.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from coprod_tui.core.text import EVIDENCE_LIMIT
from coprod_tui.core.method import CREDITS, LADDER, PRINCIPLES, SCALE
from coprod_tui.core.model import Role
from coprod_tui.web.page import PageContext, esc, new_request_id
from coprod_tui.web.public import SCALE_ORDER

TITLE = "Your self-reflection"
ANONYMOUS = "Your answers are anonymous: only your role is recorded."
THANKS = "Thank you — you can change your answers until the facilitator moves on."
LADDER_QUESTIONS = (("ladder_now", "Where is this work now?"), ("ladder_target", "Where should it be?"))


def new_participant() -> str:
    """An id for a phone without JavaScript: the same shape phone.js makes (24 URL-safe characters)."""
    return secrets.token_urlsafe(18)


@dataclass(frozen=True)
class Answers:
    """What the form shows: the participant's input (kept when the form comes back with an error) or their saved
    answer (after saving). Values are the form's strings."""

    role: str = ""
    ladder_now: str = ""
    ladder_target: str = ""
    scores: Mapping[str, str] = field(default_factory=dict)
    evidence: Mapping[str, str] = field(default_factory=dict)
    participant: str = ""
    request_id: str = ""

    @classmethod
    def from_fields(cls, fields: Mapping[str, Any], participant: str, request_id: str) -> Answers:
        def text(value: Any) -> str:
            return value if isinstance(value, str) else ""
        return cls(role=text(fields.get("role")), ladder_now=text(fields.get("ladder_now")),
                   ladder_target=text(fields.get("ladder_target")),
                   scores={k[6:]: text(v) for k, v in fields.items() if k.startswith("score-")},
                   evidence={k[9:]: text(v) for k, v in fields.items() if k.startswith("evidence-")},
                   participant=participant, request_id=request_id)

    @classmethod
    def from_answer(cls, answer: Mapping[str, Any] | None, participant: str) -> Answers:
        answer = answer or {}
        def rung(value: Any) -> str:
            return "" if value is None else str(value)
        return cls(role=str(answer.get("role") or ""), ladder_now=rung(answer.get("ladder_now")),
                   ladder_target=rung(answer.get("ladder_target")),
                   scores={k: str(v) for k, v in (answer.get("scores") or {}).items()},
                   evidence=dict(answer.get("evidence") or {}), participant=participant,
                   request_id=new_request_id())


def _invalid(on: bool) -> str:
    return ' aria-invalid="true"' if on else ""


def _role(answers: Answers, default: str | None, invalid: bool) -> str:
    chosen = answers.role or default or ""
    options = ['<option value="">Choose your role</option>']
    for role in Role:
        selected = " selected" if chosen == role.value else ""
        options.append(f'<option value="{role.value}"{selected}>{esc(role.label)}</option>')
    return ('<div class="field">\n<label for="role">Your role</label>\n'
            f'<select id="role" name="role" data-field="role" required aria-describedby="role-hint"'
            f'{_invalid(invalid)}>\n'
            + "\n".join(options) + '\n</select>\n<p class="hint" id="role-hint">People sit at mixed tables: choose '
            'the one that fits you best.</p>\n</div>')


def _ladder(name: str, question: str, chosen: str, invalid: bool) -> str:
    rungs = []
    for rung in LADDER:
        checked = " checked" if chosen == str(rung.number) else ""
        rungs.append(f'<div class="choice"><input type="radio" id="{name}-{rung.number}" name="{name}" '
                     f'value="{rung.number}"{checked}>\n<label for="{name}-{rung.number}"><span class="choice-name">'
                     f'{rung.number}. {esc(rung.name)}</span><span class="hint">{esc(rung.meaning)}</span>'
                     '</label></div>')
    return (f'<fieldset class="ladder" data-field="{name}"{_invalid(invalid)}>\n<legend>{esc(question)}</legend>\n'
            '<p class="hint">The ladder of co-production, lowest rung first.</p>\n' + "\n".join(rungs)
            + "\n</fieldset>")


def _statement(statement_id: str, text: str, answers: Answers, error_field: str | None) -> str:
    """One statement: its five choices (each radio inside its label: the whole box is the target) and the optional
    example behind an "Add an example" toggle (open when it holds one, or is the field at fault)."""
    chosen = answers.scores.get(statement_id, "")
    choices = []
    for value in SCALE_ORDER:
        checked = " checked" if chosen == str(value) else ""
        number = f"{value} " if value else ""
        choices.append(f'<label class="score"><input type="radio" name="score-{statement_id}" value="{value}"'
                       f'{checked}> {number}{esc(SCALE[value])}</label>')
    note = answers.evidence.get(statement_id, "")
    name = f"evidence-{statement_id}"
    is_open = " open" if note.strip() or error_field == name else ""
    return (f'<fieldset class="statement" data-field="score-{statement_id}"'
            f'{_invalid(error_field == "score-" + statement_id)}>\n<legend>{esc(text)}</legend>\n'
            '<div class="scale">\n' + "\n".join(choices) + "\n</div>\n"
            f'<details class="evidence"{is_open}><summary>Add an example</summary>\n'
            f'<label for="{name}">An example that shows this (optional)</label>\n'
            f'<textarea id="{name}" name="{name}" data-field="{name}" rows="3" maxlength="{EVIDENCE_LIMIT}"'
            f'{_invalid(error_field == name)}>{esc(note)}</textarea>\n</details>\n</fieldset>')


def reflection_section(ctx: PageContext, answers: Answers | None = None, *, error: str | None = None,
                       error_field: str | None = None, saved: bool = False) -> str:
    """The section the page shows during a reflection phase: the form, its notices and the credits."""
    answers = answers or Answers()
    participant = answers.participant or new_participant()
    request_id = answers.request_id or new_request_id()
    alert = (f'<div class="notice error" id="reflection-error" role="alert"><strong>Not sent.</strong> '
             f'{esc(error)}</div>\n' if error else "")
    thanks = f'<p class="notice saved-note" id="reflection-saved" role="status">{esc(THANKS)}</p>\n' if saved else ""
    principles = []
    for principle in PRINCIPLES:
        rows = "\n".join(_statement(s.id, s.text, answers, error_field) for s in principle.statements)
        principles.append(f'<fieldset class="principle">\n<legend>{esc(principle.name)}</legend>\n'
                          f'<p class="hint">{esc(principle.summary)}</p>\n{rows}\n</fieldset>')
    ladders = "\n".join(_ladder(name, question, getattr(answers, name), error_field == name)
                        for name, question in LADDER_QUESTIONS)
    credits = "\n".join(f"<p>{esc(line)}</p>" for line in CREDITS)
    action = f"{ctx.root}j/{ctx.token}/reflection"
    return (
        '<section class="reflection" id="reflection" aria-labelledby="reflection-title">\n'
        f'<h2 id="reflection-title">{esc(TITLE)}</h2>\n'
        f'<p class="notice" id="reflection-anonymous">{esc(ANONYMOUS)}</p>\n{thanks}'
        f'<form id="reflection-form" method="post" action="{esc(action)}">\n{alert}'
        f'{_role(answers, ctx.default_role, error_field == "role")}\n{ladders}\n'
        '<p class="hint scale-hint">Score each statement from 1 (not yet) to 4 (doing really well), or choose '
        '"Don\'t know". Honest answers help more than good ones.</p>\n'
        + "\n".join(principles) + "\n"
        f'<input type="hidden" name="participant" value="{esc(participant)}">\n'
        f'<input type="hidden" name="request_id" value="{esc(request_id)}">\n'
        '<button type="submit" class="send">Send my answers</button>\n'
        '<p class="status" id="reflection-status" role="status" aria-live="polite"></p>\n</form>\n'
        f'<div class="credits">\n<p class="credits-title">Where these questions come from</p>\n{credits}\n</div>\n'
        '</section>'
    )
