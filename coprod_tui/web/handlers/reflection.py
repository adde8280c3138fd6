"""The self-reflection from a phone: the questions (GET …/reflection) and this phone's answer (POST …/reflection).

During a phase whose kind is "reflection" each phone answers: its role, where the work is now and where it should be
on the ladder of co-production, and each statement scored 1–4 or "don't know" (0), with an optional example. The
answer is keyed by the phone's id, so answering again replaces it (201 the first time, 200 after). It is anonymous:
the record keeps a role, never a name or a group, and no response ever carries anyone else's answer or a tally.

Why the phase check is the core's (`Refused`, a 409): as for votes, a retry (the same request_id) of an answer saved
just before the facilitator moved on must hear the first answer, and the hub answers a known request_id before any
check. A phone without JavaScript posts the same fields as a form: `score-<statement>` and `evidence-<statement>`
(JSON may use them too, or the `scores` and `evidence` objects). Answers use the taps' rate limit.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web

from coprod_tui.core import text as T
from coprod_tui.core.commands import Source
from coprod_tui.core.commands import SubmitReflection
from coprod_tui.core.errors import NotFound, Refused, ValidationError
from coprod_tui.core.text import EVIDENCE_LIMIT
from coprod_tui.core.hub import Hub
from coprod_tui.core.method import DONT_KNOW, LADDER, STATEMENTS
from coprod_tui.core.model import Role
from coprod_tui.web.errors import ApiError
from coprod_tui.web.request import (MAX_FORM_FIELDS, apply_durably, checked, group_field, join_request, participant_field,
                     read_fields, request_id_field, spend)
from coprod_tui.web.keys import HUB, TAP_LIMITER
from coprod_tui.web.public import my_answer, reflection_questions

# role, two rungs, a score and an example per statement, participant, request_id, group — and room to spare
MAX_FIELDS = max(MAX_FORM_FIELDS, 2 * len(STATEMENTS) + 10)
NOT_SAVED = "Your answers could not be saved on the facilitator's computer yet. Please send them again."
TOO_FAST = "You are sending very fast. Please wait a moment and send again."
CHOOSE_ROLE = "Choose your role: the one that fits you best today."
SCORE_RULE = "Score each statement 1 to 4, or 0 for \"don't know\"."
_RUNG = re.compile(r"[0-9]{1,2}")


def _rung(fields: dict[str, Any], name: str, question: str) -> int | None:
    """A rung of the ladder, 1–7, as JSON gives it or as digits in a form; absent, null or "" is not answered."""
    value = fields.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str) and _RUNG.fullmatch(value.strip()):  # not isdigit(): "²" is a digit to it
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= len(LADDER):
        code = "invalid_ladder_now" if name == "ladder_now" else "invalid_ladder_target"
        raise ApiError(422, code, f"{question} Choose a rung from 1 to {len(LADDER)}.", field=name)
    return value


def _per_statement(fields: dict[str, Any], name: str, prefix: str, code: str) -> dict[str, Any]:
    """`scores` / `evidence`: an object keyed by statement id, and/or one field per statement (`score-eq1`)."""
    out: dict[str, Any] = {}
    nested = fields.get(name)
    if nested is not None and nested != "":
        if not isinstance(nested, dict):
            raise ApiError(422, code, f"{name} is an object: statement id → answer.", field=name)
        out.update(nested)
    for key, value in fields.items():
        if key.startswith(prefix):
            statement = key[len(prefix):]
            if statement in out:
                raise ApiError(422, code, f"The statement {statement[:40]!r} is answered twice.", field=key)
            out[statement] = value
    for statement in out:
        if statement not in STATEMENTS:
            raise ApiError(422, code, f"Unknown statement {statement[:40]!r}.", field=name)
    return out


def _score(statement: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip() in ("0", "1", "2", "3", "4"):
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not DONT_KNOW <= value <= 4:
        raise ApiError(422, "invalid_scores", SCORE_RULE, field=f"score-{statement}")
    return value


def _evidence(statement: str, value: Any) -> str:
    if value is None:
        return ""
    try:
        return T.clean(value, "Your example", EVIDENCE_LIMIT, required=False)
    except ValidationError as exc:
        raise ApiError(422, "invalid_evidence", str(exc), field=f"evidence-{statement}") from None


def parse_answer(hub: Hub, target: int | None, fields: dict[str, Any]) -> SubmitReflection:
    """Check every field of a posted answer and build the command; 422 naming the first bad field."""
    participant = participant_field(fields.get("participant"), required=True)
    group = group_field(hub, target, fields.get("group"))
    role_value = fields.get("role")
    if role_value is None or role_value == "":
        if group is None:  # no role given: the phone's group's role (its link's, or the group it chose)
            raise ApiError(422, "invalid_role", CHOOSE_ROLE, field="role")
        role = hub.session.groups[group].role.value
    else:
        role = checked("role", "invalid_role", Role.parse, role_value).value
    ladder_now = _rung(fields, "ladder_now", "Where is this work now?")
    ladder_target = _rung(fields, "ladder_target", "Where should it be?")
    scores = {s: v for s, raw in _per_statement(fields, "scores", "score-", "invalid_scores").items()
              if (v := _score(s, raw)) is not None}
    evidence = {s: v for s, raw in _per_statement(fields, "evidence", "evidence-", "invalid_evidence").items()
                if (v := _evidence(s, raw))}
    request_id = request_id_field(fields)
    return SubmitReflection(role=role, ladder_now=ladder_now, ladder_target=ladder_target, scores=scores,
                            evidence=evidence, participant=participant, source=Source.PHONE, request_id=request_id)


async def submit_answer(request: web.Request, target: int | None,
                        fields: dict[str, Any]) -> tuple[dict[str, Any] | None, bool, str]:
    """Rate-limit, check and store one answer; return (this phone's answer now, whether it is new, its id)."""
    hub = request.app[HUB]
    spend(request, request.app[TAP_LIMITER], TOO_FAST)
    command = parse_answer(hub, target, fields)
    last_seq = hub.events[-1].seq if hub.events else 0
    try:
        event = await apply_durably(hub, command, NOT_SAVED)
    except Refused as exc:
        raise ApiError(409, "refused", str(exc)) from None
    except (ValidationError, NotFound) as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    if event.type not in ("reflection.add", "reflection.update") or command.participant not in event.patch.get(
            "reflections", {}):  # a request_id another phone (or another kind of request) already used
        raise ApiError(409, "request_id_reused", "This request_id was used for something else: send a new one.",
                       field="request_id")
    assert command.participant is not None
    created = event.type == "reflection.add" and event.seq > last_seq
    return my_answer(hub.session, command.participant), created, command.participant


async def post_reflection(request: web.Request) -> web.Response:
    """{participant, role?, ladder_now?, ladder_target?, scores?, evidence?, group?, request_id} →
    201 {"mine": …} the first time, 200 when it replaces this phone's answer (or repeats a request_id)."""
    _, target, _ = join_request(request)
    fields = await read_fields(request, MAX_FIELDS)
    mine, created, _ = await submit_answer(request, target, fields)
    return web.json_response({"mine": mine}, status=201 if created else 200)


async def get_reflection(request: web.Request) -> web.Response:
    """The questions: ladder, principles with their statements, the scale, the roles and the credits."""
    join_request(request)
    return web.json_response(reflection_questions())
