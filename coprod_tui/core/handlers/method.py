"""Handlers for the method: self-reflection answers, the plan (actions and its review date) and the facilitator's
"you said, we did" responses.

Dates are plain `YYYY-MM-DD` strings (a plan is read by people; the day is what matters). The day an action is
marked done is the computer's LOCAL date (localtime.local_date of the hub clock), like the "by" and review dates
people type beside it: a date with no clock time can't be moved to another zone when shown, so it is stored as
meant. Recognition is a kind ("expenses", "payment", …) plus a note in the facilitator's words: the app never holds
an amount, because amounts change every April and depend on each person's benefits situation.
"""

from __future__ import annotations

from datetime import date

from coprod_tui.core import text as T
from coprod_tui.core.commands import (ActionDraft, AddAction, DeleteAction, DeleteReflection, EditAction,
                                      SetActionDone, SetResponse, SetReviewDate, Source, SubmitReflection)
from coprod_tui.core.errors import NotFound, Refused, ValidationError
from coprod_tui.core.handlers.context import Change, Context, Handler
from coprod_tui.core.handlers.patch import find_card, meta_patch
from coprod_tui.core.localtime import local_date
from coprod_tui.core.method import DONT_KNOW, LADDER, RECOGNITION, STATEMENTS
from coprod_tui.core.model import Kind, Role
from coprod_tui.core.running import REFLECTION


# -- self-reflection --------------------------------------------------------------------------------------------

def _rung(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= len(LADDER):
        raise ValidationError(f"{what} must be a rung from 1 to {len(LADDER)}.")
    return value


def submit_reflection(ctx: Context, cmd: SubmitReflection) -> Change:
    session = ctx.session
    # Checked here, after the hub has answered a known request_id: a phone retrying an answer saved just before the
    # facilitator moved on hears "saved", not "not open now". The facilitator may type answers at any time.
    if cmd.source == Source.PHONE and session.meta.current_phase.kind != REFLECTION:
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
        cleaned = T.clean(note, "Evidence", T.EVIDENCE_LIMIT, required=False)
        if cleaned:
            evidence[statement] = cleaned
    now, target = _rung(cmd.ladder_now, "Where we are now"), _rung(cmd.ladder_target, "Where we should be")
    if not scores and now is None and target is None:
        raise ValidationError("Answer at least one question before sending.")
    if cmd.participant is not None:
        key = T.check_participant(cmd.participant)
    else:
        used = [int(k[1:]) for k in session.reflections if k.startswith("f") and k[1:].isdigit()]
        key = f"f{max(used, default=0) + 1}"
    before = session.reflections.get(key)
    after = {"id": key, "participant": cmd.participant, "role": role, "ladder_now": now, "ladder_target": target,
             "scores": scores, "evidence": evidence, "created": ctx.clock(), "source": Source(cmd.source).value}
    return Change("reflection.update" if before else "reflection.add", {"reflections": {key: (before, after)}})


def delete_reflection(ctx: Context, cmd: DeleteReflection) -> Change:
    before = ctx.session.reflections.get(str(cmd.reflection_id))
    if before is None:
        raise NotFound("That answer no longer exists.")
    return Change("reflection.delete", {"reflections": {str(cmd.reflection_id): (before, None)}})


# -- the plan ---------------------------------------------------------------------------------------------------

def _check_date(value: object, what: str) -> str:
    text = T.clean(value, what, 10, required=False, multiline=False)
    if text:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise ValidationError(f"{what}: write the date as YYYY-MM-DD, e.g. 2026-03-31.") from None
    return text


def _action_record(ctx: Context, action_id: int, draft: ActionDraft, done: bool = False, done_at: str = "",
                   note: str = "") -> dict:
    recognition = (draft.recognition or "").strip().lower()
    if recognition and recognition not in RECOGNITION:
        raise ValidationError(f"Recognition is one of {', '.join(RECOGNITION)} (the details go in the note).")
    card_id = draft.card_id
    if card_id is not None:
        card = find_card(ctx.session, card_id)
        if card.kind is Kind.PROBLEM:
            raise ValidationError("An action comes from a contribution or an option, not from a problem.")
    limit = T.FIELD_LIMIT
    return {
        "id": action_id,
        "what": T.clean(draft.what, "What", limit),
        "who": T.clean(draft.who, "Who", limit, required=False, multiline=False),
        "who_role": Role.parse(draft.who_role).value if draft.who_role else None,
        "by": _check_date(draft.by, "By when"),
        "resources": T.clean(draft.resources, "Resources", limit, required=False),
        "recognition": recognition,
        "recognition_note": T.clean(draft.recognition_note, "Recognition", limit, required=False),
        "access": T.clean(draft.access, "Access needs", limit, required=False),
        "feedback": T.clean(draft.feedback, "Feedback", limit, required=False),
        "card": card_id,
        "done": done,
        "done_at": done_at,
        "note": note,
    }


def _action(ctx: Context, action_id: object) -> dict:
    record = ctx.session.plan.get(str(action_id))
    if record is None:
        raise NotFound("That action is no longer in the plan.")
    return record


def add_action(ctx: Context, cmd: AddAction) -> Change:
    action_id = max((int(k) for k in ctx.session.plan), default=0) + 1
    record = _action_record(ctx, action_id, cmd.action)
    return Change("plan.add", {"plan": {str(action_id): (None, record)}}, record["card"])


def edit_action(ctx: Context, cmd: EditAction) -> Change:
    before = _action(ctx, cmd.action_id)
    after = _action_record(ctx, before["id"], cmd.action, before["done"], before["done_at"], before["note"])
    if after == before:
        raise ValidationError("Nothing changed.")
    return Change("plan.edit", {"plan": {str(before["id"]): (before, after)}}, after["card"])


def delete_action(ctx: Context, cmd: DeleteAction) -> Change:
    before = _action(ctx, cmd.action_id)
    return Change("plan.delete", {"plan": {str(before["id"]): (before, None)}})


def set_action_done(ctx: Context, cmd: SetActionDone) -> Change:
    before = _action(ctx, cmd.action_id)
    note = before["note"] if cmd.note is None else T.clean(cmd.note, "Note", T.FIELD_LIMIT, required=False)
    if before["done"] == cmd.done and note == before["note"]:
        raise ValidationError("That action is already marked done." if cmd.done else "That action is not done.")
    after = {**before, "done": cmd.done, "done_at": local_date(ctx.clock()) if cmd.done else "", "note": note}
    return Change("plan.done" if cmd.done else "plan.undone", {"plan": {str(before["id"]): (before, after)}})


def set_review_date(ctx: Context, cmd: SetReviewDate) -> Change:
    value = _check_date(cmd.date, "Review date")
    if value == ctx.session.meta.review_date:
        raise ValidationError("That is already the review date.")
    return Change("plan.review", meta_patch(ctx.session, review_date=value))


# -- "you said, we did" -----------------------------------------------------------------------------------------

def set_response(ctx: Context, cmd: SetResponse) -> Change:
    card = find_card(ctx.session, cmd.card_id)
    if card.kind is Kind.CONTRIBUTION:
        raise ValidationError("\"You said, we did\" answers problems and options.")
    text = T.clean(cmd.text, "Response", T.CARD_TEXT_LIMIT, required=False)
    key = str(card.id)
    before = ctx.session.responses.get(key)
    after = {"card": card.id, "text": text} if text else None
    if before == after:
        raise ValidationError("Nothing changed.")
    return Change("response.set", {"responses": {key: (before, after)}}, card.id)


HANDLERS: dict[type, Handler] = {
    SubmitReflection: submit_reflection, DeleteReflection: delete_reflection,
    AddAction: add_action, EditAction: edit_action, DeleteAction: delete_action,
    SetActionDone: set_action_done, SetReviewDate: set_review_date, SetResponse: set_response,
}

LABELS = {
    "reflection.add": "self-reflection answer", "reflection.update": "self-reflection answer",
    "reflection.delete": "delete answer",
    "plan.add": "add action", "plan.edit": "edit action", "plan.delete": "delete action",
    "plan.done": "action done", "plan.undone": "action not done", "plan.review": "review date",
    "response.set": "you said, we did",
}
