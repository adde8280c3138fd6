"""Handlers for the method's commands (commands_method.py): checks first, then one before/after patch.

Dates are plain `YYYY-MM-DD` strings (a plan is read by people; the day is what matters). The day an action is
marked done is the computer's LOCAL date (localtime.local_date of the hub clock), like the "by" and review dates
people type beside it: a date with no clock time can't be moved to another zone when shown, so it is stored as
meant. Recognition is a kind ("expenses", "payment", …) plus a note in the facilitator's words: the app never holds
an amount, because amounts change every April and depend on each person's benefits situation.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from coprod_tui.core import text as T
from coprod_tui.core.commands import Source
from coprod_tui.core.commands import (ActionDraft, AddAction, DeleteAction, DeleteReflection, EditAction, SetActionDone,
                              SetResponse, SetReviewDate, SubmitReflection)
from coprod_tui.core.errors import NotFound, Refused, ValidationError
from coprod_tui.core.handlers import _meta_patch
from coprod_tui.core.localtime import local_date
from coprod_tui.core.method import DONT_KNOW, LADDER, RECOGNITION, STATEMENTS
from coprod_tui.core.model import Kind, Role
from coprod_tui.core.running import REFLECTION
from coprod_tui.core.text import check_participant

if TYPE_CHECKING:
    from coprod_tui.core.hub import Hub

EVIDENCE_LIMIT = 1000
FIELD_LIMIT = 500


def _rung(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= len(LADDER):
        raise ValidationError(f"{what} must be a rung from 1 to {len(LADDER)}.")
    return value


def _submit_reflection(hub: Hub, cmd: SubmitReflection):
    # Checked here, after the hub has answered a known request_id: a phone retrying an answer saved just before the
    # facilitator moved on hears "saved", not "not open now". The facilitator may type answers at any time.
    if cmd.source == Source.PHONE and hub.session.meta.current_phase.kind != REFLECTION:
        raise Refused("The self-reflection is not open now: it is answered during its own phase. Your screen has "
                      "been updated.")
    role = Role.parse(cmd.role).value
    scores: dict[str, int] = {}
    for statement, score in (cmd.scores or {}).items():
        if statement not in STATEMENTS:
            raise ValidationError(f"Unknown statement {statement!r}.")
        if isinstance(score, bool) or not isinstance(score, int) or not DONT_KNOW <= score <= 4:
            raise ValidationError("Each statement is scored 1 to 4, or 0 for \"don't know\".")
        scores[statement] = score
    evidence: dict[str, str] = {}
    for statement, note in (cmd.evidence or {}).items():
        if statement not in STATEMENTS:
            raise ValidationError(f"Unknown statement {statement!r}.")
        cleaned = T.clean(note, "Evidence", EVIDENCE_LIMIT, required=False)
        if cleaned:
            evidence[statement] = cleaned
    now, target = _rung(cmd.ladder_now, "Where we are now"), _rung(cmd.ladder_target, "Where we should be")
    if not scores and now is None and target is None:
        raise ValidationError("Answer at least one question before sending.")
    if cmd.participant is not None:
        key = check_participant(cmd.participant)
    else:
        used = [int(k[1:]) for k in hub.session.reflections if k.startswith("f") and k[1:].isdigit()]
        key = f"f{max(used, default=0) + 1}"
    before = hub.session.reflections.get(key)
    after = {"id": key, "participant": cmd.participant, "role": role, "ladder_now": now, "ladder_target": target,
             "scores": scores, "evidence": evidence, "created": hub.clock(), "source": Source(cmd.source).value}
    return ("reflection.update" if before else "reflection.add"), {"reflections": {key: (before, after)}}, None, None


def _delete_reflection(hub: Hub, cmd: DeleteReflection):
    before = hub.session.reflections.get(str(cmd.reflection_id))
    if before is None:
        raise NotFound("That answer no longer exists.")
    return "reflection.delete", {"reflections": {str(cmd.reflection_id): (before, None)}}, None, None


def check_date(value: object, what: str) -> str:
    text = T.clean(value, what, 10, required=False, multiline=False)
    if text:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"{what}: write the date as YYYY-MM-DD, e.g. 2026-03-31.") from None
    return text


def _action_record(hub: Hub, action_id: int, draft: ActionDraft, done: bool = False, done_at: str = "",
                   note: str = "") -> dict:
    recognition = (draft.recognition or "").strip().lower()
    if recognition and recognition not in RECOGNITION:
        raise ValidationError(f"Recognition is one of {', '.join(RECOGNITION)} (the details go in the note).")
    card_id = draft.card_id
    if card_id is not None:
        card = hub.card(card_id)
        if card.kind is Kind.PROBLEM:
            raise ValidationError("An action comes from a contribution or an option, not from a problem.")
    return {
        "id": action_id,
        "what": T.clean(draft.what, "What", FIELD_LIMIT),
        "who": T.clean(draft.who, "Who", FIELD_LIMIT, required=False, multiline=False),
        "who_role": Role.parse(draft.who_role).value if draft.who_role else None,
        "by": check_date(draft.by, "By when"),
        "resources": T.clean(draft.resources, "Resources", FIELD_LIMIT, required=False),
        "recognition": recognition,
        "recognition_note": T.clean(draft.recognition_note, "Recognition", FIELD_LIMIT, required=False),
        "access": T.clean(draft.access, "Access needs", FIELD_LIMIT, required=False),
        "feedback": T.clean(draft.feedback, "Feedback", FIELD_LIMIT, required=False),
        "card": card_id,
        "done": done,
        "done_at": done_at,
        "note": note,
    }


def _action(hub: Hub, action_id: object) -> dict:
    record = hub.session.plan.get(str(action_id))
    if record is None:
        raise NotFound("That action is no longer in the plan.")
    return record


def _add_action(hub: Hub, cmd: AddAction):
    action_id = max((int(k) for k in hub.session.plan), default=0) + 1
    record = _action_record(hub, action_id, cmd.action)
    return "plan.add", {"plan": {str(action_id): (None, record)}}, record["card"], None


def _edit_action(hub: Hub, cmd: EditAction):
    before = _action(hub, cmd.action_id)
    after = _action_record(hub, before["id"], cmd.action, before["done"], before["done_at"], before["note"])
    if after == before:
        raise ValidationError("Nothing changed.")
    return "plan.edit", {"plan": {str(before["id"]): (before, after)}}, after["card"], None


def _delete_action(hub: Hub, cmd: DeleteAction):
    before = _action(hub, cmd.action_id)
    return "plan.delete", {"plan": {str(before["id"]): (before, None)}}, None, None


def _set_action_done(hub: Hub, cmd: SetActionDone):
    before = _action(hub, cmd.action_id)
    note = before["note"] if cmd.note is None else T.clean(cmd.note, "Note", FIELD_LIMIT, required=False)
    if before["done"] == cmd.done and note == before["note"]:
        raise ValidationError("That action is already marked done." if cmd.done else "That action is not done.")
    after = {**before, "done": cmd.done, "done_at": local_date(hub.clock()) if cmd.done else "", "note": note}
    return ("plan.done" if cmd.done else "plan.undone"), {"plan": {str(before["id"]): (before, after)}}, None, None


def _set_review_date(hub: Hub, cmd: SetReviewDate):
    value = check_date(cmd.date, "Review date")
    if value == hub.session.meta.review_date:
        raise ValidationError("That is already the review date.")
    return "plan.review", _meta_patch(hub, review_date=value), None, None


def _set_response(hub: Hub, cmd: SetResponse):
    card = hub.card(cmd.card_id)
    if card.kind is Kind.CONTRIBUTION:
        raise ValidationError("\"You said, we did\" answers problems and options.")
    text = T.clean(cmd.text, "Response", T.CARD_TEXT_LIMIT, required=False)
    key = str(card.id)
    before = hub.session.responses.get(key)
    after = {"card": card.id, "text": text} if text else None
    if before == after:
        raise ValidationError("Nothing changed.")
    return "response.set", {"responses": {key: (before, after)}}, card.id, None


METHOD_HANDLERS = {
    SubmitReflection: _submit_reflection, DeleteReflection: _delete_reflection,
    AddAction: _add_action, EditAction: _edit_action, DeleteAction: _delete_action,
    SetActionDone: _set_action_done, SetReviewDate: _set_review_date, SetResponse: _set_response,
}

METHOD_LABELS = {
    "reflection.add": "self-reflection answer", "reflection.update": "self-reflection answer",
    "reflection.delete": "delete answer",
    "plan.add": "add action", "plan.edit": "edit action", "plan.delete": "delete action",
    "plan.done": "action done", "plan.undone": "action not done", "plan.review": "review date",
    "response.set": "you said, we did",
}
