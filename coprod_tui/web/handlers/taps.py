"""What a phone does while the session runs: place or take back a dot, say "I'm done", pick its group's notes in a
breakout. Each is one command to the hub, answered only once it is on disk.

Why the core decides the refusals: a retry (the same request_id) of something accepted just before the facilitator
closed the vote or moved on must hear the first answer, and the hub answers a known request_id before any check.
So nothing here looks at the state before the hub has; the core's `Refused` (valid, but the session's state does not
allow it: voting closed, a round or phase the phone is behind on, a limit reached) becomes a 409 `refused` with the
core's sentence, and the phone fetches the board again. The one exception is asking for what is already so ("done"
when done, "picked" when picked): that is answered as a success, after waiting for the state to be durable, so two
tabs of one phone never argue.

Taps have their own rate limit (`WebSettings.tap_limit`), so quick voting is never throttled by, or throttles, notes.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from coprod_tui.core.commands import Command, Event, Source
from coprod_tui.core.commands import CastVote, MarkDone, PickCard
from coprod_tui.core.errors import NotFound, Refused, ValidationError
from coprod_tui.core.hub import Hub
from coprod_tui.core.reading.tally import done_counts
from coprod_tui.web.errors import ApiError
from coprod_tui.web.request import (apply_durably, confirm_durable, flag_field, group_field, join_request, participant_field,
                     read_fields, request_id_field, spend, whole_field)
from coprod_tui.web.keys import TAP_LIMITER
from coprod_tui.web.public import Viewer, vote_target, voting_for

NOT_SAVED = "That could not be saved on the facilitator's computer yet. Please try again."
TOO_FAST = "You are tapping very fast. Please wait a moment and try again."


async def _read(request: web.Request) -> tuple[Hub, Viewer, dict[str, Any]]:
    """Token, body, rate limit, then who is asking: the phone's id (required) and its group."""
    hub, target, _ = join_request(request)
    fields = await read_fields(request)
    spend(request, request.app[TAP_LIMITER], TOO_FAST)
    participant = participant_field(fields.get("participant"), required=True)
    return hub, Viewer(participant=participant, group=group_field(hub, target, fields.get("group"))), fields


async def _apply(hub: Hub, command: Command, types: tuple[str, ...]) -> Event:
    try:
        event = await apply_durably(hub, command, NOT_SAVED)
    except Refused as exc:
        raise ApiError(409, "refused", str(exc)) from None
    except NotFound as exc:
        raise ApiError(404, "unknown_card", str(exc)) from None
    except ValidationError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    if event.type not in types:
        raise ApiError(409, "request_id_reused", "This request_id was used for something else: send a new one.",
                       field="request_id")
    return event


async def post_vote(request: web.Request) -> web.Response:
    """{participant, card, round, delta: 1 | -1, group?, request_id} → {"voting": …as on the board…}."""
    hub, viewer, fields = await _read(request)
    card_id = whole_field(fields, "card", "card (the note's id)")
    round_no = whole_field(fields, "round", "round")
    delta = whole_field(fields, "delta", "delta")
    if delta not in (1, -1):
        raise ApiError(422, "invalid_delta", "delta is 1 (add a dot) or -1 (take one back).", field="delta")
    request_id = request_id_field(fields)
    assert viewer.participant is not None
    command = CastVote(participant=viewer.participant, card_id=vote_target(hub, viewer, card_id, round_no, delta),
                       round=round_no, delta=delta, group_id=viewer.group, source=Source.PHONE,
                       request_id=request_id)
    await _apply(hub, command, ("vote.cast", "vote.take"))
    return web.json_response({"voting": voting_for(hub, viewer)})


def _done_answer(hub: Hub, viewer: Viewer) -> web.Response:
    session = hub.session
    return web.json_response({"phase": session.meta.phase,
                              "done": f"{session.meta.phase}:{viewer.participant}" in session.done,
                              "done_count": sum(done_counts(session).values())})


async def post_done(request: web.Request) -> web.Response:
    """{participant, phase, done, group?, request_id} → {"phase", "done", "done_count"} (the current phase)."""
    hub, viewer, fields = await _read(request)
    phase = whole_field(fields, "phase", "phase")
    done = flag_field(fields, "done")
    request_id = request_id_field(fields)
    assert viewer.participant is not None
    session = hub.session
    if phase == session.meta.phase and (f"{phase}:{viewer.participant}" in session.done) == done:
        await confirm_durable(hub, NOT_SAVED)
    else:
        await _apply(hub, MarkDone(participant=viewer.participant, phase=phase, done=done, group_id=viewer.group,
                                   source=Source.PHONE, request_id=request_id), ("done.mark", "done.unmark"))
    return _done_answer(hub, viewer)


async def post_pick(request: web.Request) -> web.Response:
    """{participant, card, picked, group?, request_id} → {"id", "picked"}: breakout only, own group's notes only."""
    hub, viewer, fields = await _read(request)
    card_id = whole_field(fields, "card", "card (the note's id)")
    picked = flag_field(fields, "picked")
    request_id = request_id_field(fields)
    card = hub.session.cards.get(card_id)
    already = (card is not None and hub.session.meta.breakout and viewer.group is not None
               and card.group_id == viewer.group and not (card.hidden or card.held or card.parked)
               and card.picked == picked)
    if already:
        await confirm_durable(hub, NOT_SAVED)
    else:
        await _apply(hub, PickCard(card_id=card_id, picked=picked, participant=viewer.participant,
                                   group_id=viewer.group, source=Source.PHONE, request_id=request_id),
                     ("card.pick", "card.unpick"))
    card = hub.session.cards.get(card_id)
    return web.json_response({"id": card_id, "picked": bool(card and card.picked)})
