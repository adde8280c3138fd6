"""Notes from phones: POST /api/v1/j/{token}/notes, and `submit`, which the no-JavaScript form (pages.py) shares.

Why this order of checks (request.py reads a post the same way for every route): the cheap, body-free refusals come
first (unknown token 404, wrong content type 415), then the body is read under the size cap (413) and decoded
strictly (400), then the client's rate limit is spent (429), then every field is checked (422) before one `AddCard`
reaches the hub. "Closed" (403) is the core's call, made after it has answered a repeated request_id: a retry of a
note saved just before closing hears "saved". The answer (201, or 200 for a repeated request_id) is sent only after
`hub.apply_durable` says the note is on disk; a storage failure is a 503 with Retry-After and the phone keeps its
draft and request_id, so its retry is safe.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from coprod_tui.core import text as T
from coprod_tui.core.commands import AddCard, CardDraft, Source
from coprod_tui.core.errors import NotFound, SubmissionsClosed, ValidationError
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Kind
from coprod_tui.web.errors import ApiError
from coprod_tui.web.keys import HUB, LIMITER
from coprod_tui.web.public import members_index, public_card
from coprod_tui.web.request import (apply_durably, checked, group_field, join_request, participant_field, read_fields,
                                    request_id_field, spend)


def parse_note(hub: Hub, target: int | None, fields: dict[str, Any]) -> AddCard:
    """Check every field of a posted note and build the command; 422 naming the first bad field."""
    text = checked("text", "invalid_text", T.clean_note, fields.get("text"), "Your note")
    kind_value = fields.get("kind")
    if not isinstance(kind_value, str) or not kind_value.strip():
        raise ApiError(422, "invalid_kind", "Choose what kind of note it is: problem, option or contribution.",
                       field="kind")
    kind = checked("kind", "invalid_kind", Kind.parse, kind_value)
    group_id = group_field(hub, target, fields.get("group"))
    author = checked("author", "invalid_author", T.optional, fields.get("author"), "Your name", T.AUTHOR_LIMIT)
    participant = participant_field(fields.get("participant"), required=False)
    request_id = request_id_field(fields)
    return AddCard(card=CardDraft(kind=kind, text=text, group_id=group_id, author=author, participant=participant),
                   source=Source.PHONE, request_id=request_id)


async def submit(request: web.Request, target: int | None, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Rate-limit, check and store one note; return (the public note + request_id, whether it is new)."""
    hub = request.app[HUB]
    spend(request, request.app[LIMITER], "You are sending notes very fast. Please wait a moment and send again.")
    command = parse_note(hub, target, fields)
    last_seq = hub.events[-1].seq if hub.events else 0
    try:
        event = await apply_durably(hub, command, "The note could not be saved on the facilitator's computer yet. "
                                                  "Please send it again.")
    except SubmissionsClosed as exc:  # the core decides, after answering a retry of an already saved note
        raise ApiError(403, "closed", str(exc)) from None
    except (ValidationError, NotFound) as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    rows = event.patch.get("cards", {})
    record = rows.get(str(event.card_id), (None, None))[1] if event.type == "card.add" else None
    if record is None:
        raise ApiError(409, "request_id_reused", "This request_id was used for something else: send a new one.",
                       field="request_id")
    members = members_index(hub.session) if record.get("is_cluster") else None  # a new note is never a cluster
    return {**public_card(record, members), "request_id": event.request_id}, event.seq > last_seq


async def post_note(request: web.Request) -> web.Response:
    hub, target, _ = join_request(request)
    fields = await read_fields(request)
    note, created = await submit(request, target, fields)
    return web.json_response(note, status=201 if created else 200)
