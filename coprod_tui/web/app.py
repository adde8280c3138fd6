"""The phone app: routes and handlers. Handlers read the hub and send it commands; nothing else changes state.

Why the order of checks in a post (fields.py reads them, the same for every post): the cheap, body-free refusals come
first (unknown token 404, wrong content type 415), then the body is read under the size cap (413) and decoded
strictly (400), then the client's rate limit is spent (429), then every field is checked (422) before one `AddCard`
reaches the hub. "Closed" (403) is the core's call, made after it has answered a repeated request_id: a retry of a
note saved just before closing hears "saved". The answer (201, or 200 for a repeated request_id) is sent only after
`hub.apply_durable` says the note is on disk; a storage failure is a 503 with Retry-After and the phone keeps its
draft and request_id, so its retry is safe.

Phones can add notes, vote, say "I'm done", pick their group's notes in a breakout (actions.py), answer the
self-reflection during a reflection phase (reflection.py; the form: reflection_page.py) and read what they may see;
no facilitator action (hide, reveal, open a vote, rotate, close, delete…) has a route.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from aiohttp import web

from coprod_tui.core import text as T
from coprod_tui.core.commands import AddCard, CardDraft, Source
from coprod_tui.core.errors import NotFound, SubmissionsClosed, ValidationError
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Kind
from coprod_tui.web.handlers.taps import post_done, post_pick, post_vote
from coprod_tui.web.errors import ApiError, add_security_headers, error_middleware
from coprod_tui.web.feed import PublicFeed
from coprod_tui.web.request import (apply_durably, checked, group_field, join_request, participant_field, read_fields,
                     request_id_field, spend, valid_request_id, viewer_from_query)
from coprod_tui.web.limits import RateLimiter
from coprod_tui.web.page import Draft, PageContext, form_page, new_request_id, root_for, saved_page
from coprod_tui.web.handlers.reflection import MAX_FIELDS, get_reflection, post_reflection, submit_answer
from coprod_tui.web.reflection_page import Answers, new_participant, reflection_section
from coprod_tui.web.sse import end_streams, stream_events
from coprod_tui.web.keys import (FEED, HUB, LIMITER, MAX_BODY_BYTES, PUBLIC_URL, SETTINGS, STREAM_COUNTS, STREAMS,
                    TAP_LIMITER, WebSettings)
from coprod_tui.web.public import in_reflection, members_index, public_card, public_phase

STATIC_DIR = Path(__file__).parent / "static"
_STATIC_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(?:css|js|svg|png|ico|woff2)")


# -- a note ----------------------------------------------------------------------------------------------------------
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


# -- handlers --------------------------------------------------------------------------------------------------------
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def post_note(request: web.Request) -> web.Response:
    hub, target, _ = join_request(request)
    fields = await read_fields(request)
    note, created = await submit(request, target, fields)
    return web.json_response(note, status=201 if created else 200)


async def get_board(request: web.Request) -> web.Response:
    hub, target, _ = join_request(request)
    body = request.app[FEED].boards.json(viewer_from_query(request, hub, target))
    return web.Response(body=body, content_type="application/json")


def _context(request: web.Request, hub: Hub, target: int | None, token: str) -> PageContext:
    meta = hub.session.meta
    groups = tuple((g.id, g.name) for g in sorted(hub.session.groups.values(), key=lambda g: g.id))
    phase = public_phase(meta)
    group = hub.session.groups[target] if target is not None else None
    return PageContext(token=token, title=meta.title, question=meta.question, open=meta.open, groups=groups,
                       fixed_group=group.name if group is not None else None,
                       root=root_for(request.path), phase_index=phase["index"], phase=phase["name"],
                       prompt=phase["prompt"], phase_kind=phase["kind"], private=meta.private,
                       default_role=group.role.value if group is not None else None)


def _html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", headers=headers)


async def get_page(request: web.Request) -> web.Response:
    hub, target, token = join_request(request)
    ctx = _context(request, hub, target, token)
    section = reflection_section(ctx) if in_reflection(hub.session.meta) else ""
    return _html(form_page(ctx, reflection=section))


async def static_file(request: web.Request) -> web.StreamResponse:
    """/static/{name}: the page's own files only (one folder level, known extensions); 404 for anything else.

    A handler of our own rather than add_static, so a missing file (phone.js is optional) is a clean 404 page.
    """
    name = request.match_info["name"]
    path = STATIC_DIR / name
    if not _STATIC_NAME.fullmatch(name) or not path.is_file():
        raise ApiError(404, "not_found", "There is no such file.")
    return web.FileResponse(path)


def _draft(fields: dict[str, Any]) -> Draft:
    """The participant's input, to put back into the form; a fresh request_id only if theirs was unusable."""
    def value(name: str) -> str:
        v = fields.get(name)
        return v if isinstance(v, str) else ""
    request_id = fields.get("request_id")
    return Draft(text=value("text"), kind=value("kind"), group=value("group"), author=value("author"),
                 request_id=request_id if valid_request_id(request_id) else new_request_id())


async def post_form(request: web.Request) -> web.Response:
    """The no-JavaScript path: the confirmation page once durable, else the form again with the draft kept."""
    hub, target, token = join_request(request)
    fields = await read_fields(request)
    try:
        note, _ = await submit(request, target, fields)
    except ApiError as exc:
        if exc.code == "closed":
            raise
        page = form_page(_context(request, hub, target, token), _draft(fields), error=exc.message,
                         error_field=exc.field)
        return _html(page, exc.status, exc.headers)
    return _html(saved_page(_context(request, hub, target, token), note["text"], note["kind"],
                            held=bool(note.get("held"))))


async def post_reflection_form(request: web.Request) -> web.Response:
    """The self-reflection without JavaScript: once durable, the page again with "thank you" and the saved answers
    (and the same phone id, so changing them replaces them); after a bad field, the form again with the answers kept.
    Outside a reflection phase (409), a page saying so with the way back to the form."""
    hub, target, token = join_request(request)
    fields = await read_fields(request, MAX_FIELDS)
    ctx = _context(request, hub, target, token)
    participant = fields.get("participant")
    participant = participant if isinstance(participant, str) and T.PARTICIPANT.match(participant) else \
        new_participant()
    try:
        mine, _, _ = await submit_answer(request, target, fields)
    except ApiError as exc:
        if exc.code in ("refused", "request_id_reused") or not in_reflection(hub.session.meta):
            raise
        request_id = fields.get("request_id")
        answers = Answers.from_fields(fields, participant,
                                      request_id if valid_request_id(request_id) else new_request_id())
        section = reflection_section(ctx, answers, error=exc.message, error_field=exc.field)
        return _html(form_page(ctx, reflection=section, title=f"Not sent — {ctx.title}"), exc.status, exc.headers)
    section = reflection_section(ctx, Answers.from_answer(mine, participant), saved=True)
    return _html(form_page(ctx, reflection=section, title=f"Saved — {ctx.title}"))


async def get_reflection_page(request: web.Request) -> web.Response:
    """The thank-you page's address opened again (a bookmark, a restored tab): back to the page itself."""
    _, _, token = join_request(request)
    raise web.HTTPSeeOther(location=f"../{token}")


# -- the app ---------------------------------------------------------------------------------------------------------
def make_web_app(hub: Hub, *, public_url: str | None = None, settings: WebSettings | None = None) -> web.Application:
    """The phone app for one live session. Run it with `start_phone_server`, or aiohttp's TestServer in tests."""
    settings = settings or WebSettings()
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY_BYTES)
    app[HUB] = hub
    app[SETTINGS] = settings
    app[LIMITER] = RateLimiter(settings.rate_limit)
    app[TAP_LIMITER] = RateLimiter(settings.tap_limit)
    app[FEED] = PublicFeed(hub)
    app[STREAMS] = set()
    app[STREAM_COUNTS] = Counter()
    app[PUBLIC_URL] = (public_url or "").rstrip("/")
    app.on_response_prepare.append(add_security_headers)
    app.on_shutdown.append(end_streams)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/j/{token}", get_page)
    app.router.add_post("/j/{token}", post_form)
    app.router.add_post("/api/v1/j/{token}/notes", post_note)
    app.router.add_post("/api/v1/j/{token}/votes", post_vote)
    app.router.add_post("/api/v1/j/{token}/done", post_done)
    app.router.add_post("/api/v1/j/{token}/picks", post_pick)
    app.router.add_get("/api/v1/j/{token}/reflection", get_reflection)
    app.router.add_post("/api/v1/j/{token}/reflection", post_reflection)
    app.router.add_get("/j/{token}/reflection", get_reflection_page)
    app.router.add_post("/j/{token}/reflection", post_reflection_form)
    app.router.add_get("/api/v1/j/{token}/board", get_board)
    app.router.add_get("/api/v1/j/{token}/events", stream_events, allow_head=False)
    app.router.add_get("/static/{name}", static_file)
    return app
