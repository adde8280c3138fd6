"""The phone app: routes and handlers. Handlers read the hub and send it commands; nothing else changes state.

Why the order of checks in a post: the cheap, body-free refusals come first (unknown token 404, wrong content type
415), then the body is read under the size cap (413) and decoded strictly (400), then the client's rate limit is
spent (429), then every field is checked (422) before one `AddCard` reaches the hub. "Closed" (403) is the core's
call, made after it has answered a repeated request_id: a retry of a note saved just before closing hears "saved". The answer
(201, or 200 for a repeated request_id) is sent only after `hub.apply_durable` says the note is on disk; a storage
failure is a 503 with Retry-After and the phone keeps its draft and request_id, so its retry is safe.

No facilitator action (hide, rotate, close, delete…) has a route: phones can only add notes and read the board.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any, TypeGuard
from urllib.parse import parse_qsl

from aiohttp import web

from ..core import storage
from ..core import text as T
from ..core.commands import AddCard, CardDraft, Source
from ..core.errors import NotFound, StorageError, SubmissionsClosed, ValidationError
from ..core.hub import REQUEST_ID_LIMIT, Hub
from ..core.model import Kind
from .errors import ApiError, add_security_headers, error_middleware
from .limits import RateLimiter
from .page import Draft, PageContext, form_page, new_request_id, root_for, saved_page
from .sse import end_streams, stream_events
from .state import (FEED, HUB, LIMITER, MAX_BODY_BYTES, PUBLIC_URL, SETTINGS, STREAM_COUNTS, STREAMS,
                    WebSettings)
from .views import PublicFeed, board, join, public_card

STATIC_DIR = Path(__file__).parent / "static"
JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
_GROUP_ID = re.compile(r"[0-9]{1,12}")
_STATIC_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*\.(?:css|js|svg|png|ico|woff2)")
MAX_FORM_FIELDS = 20


# -- reading a post ------------------------------------------------------------------------------------------------
def _join(request: web.Request) -> tuple[Hub, int | None, str]:
    """The hub, the token's group (None: everyone) and the token; 404 for a token that is not (or no longer) valid."""
    hub = request.app[HUB]
    token = request.match_info["token"]
    try:
        return hub, join(hub, token), token
    except NotFound as exc:
        raise ApiError(404, "unknown_token", str(exc)) from None


def _check_content_type(request: web.Request) -> None:
    if request.content_type.lower() not in (JSON_TYPE, FORM_TYPE):
        raise ApiError(415, "unsupported_media_type",
                       f"Send the note as {JSON_TYPE} or {FORM_TYPE} (UTF-8).")
    if request.charset and request.charset.lower().replace("-", "") != "utf8":
        raise ApiError(415, "unsupported_charset", "Send the note as UTF-8 text.")


async def read_fields(request: web.Request) -> dict[str, Any]:
    """The posted fields as a dict, from JSON or a url-encoded form; 400/413/415 for a body we cannot read."""
    _check_content_type(request)
    body = await request.read()  # raises 413 past client_max_size
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_utf8", "The request body is not valid UTF-8 text.") from None
    if request.content_type.lower() == JSON_TYPE:
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "invalid_json", "The request body must be a JSON object.")
        return data
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict",
                          max_num_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_utf8", "The form holds text that is not valid UTF-8.") from None
    except ValueError:
        raise ApiError(400, "invalid_form", "The form has too many fields.") from None
    fields: dict[str, Any] = {}
    for name, value in pairs:
        if name in fields:
            raise ApiError(400, "invalid_form", f"The form field {name[:40]!r} is given twice.")
        fields[name] = value
    return fields


def _checked(field: str, code: str, check: Any, *args: Any) -> Any:
    """Run a core check; its ValidationError becomes a 422 naming the field (the message is the core's)."""
    try:
        return check(*args)
    except ValidationError as exc:
        raise ApiError(422, code, str(exc), field=field) from None


def _group(hub: Hub, target: int | None, value: Any) -> int | None:
    """The card's group: forced on a group link; on the everyone link a known group id, or none."""
    if value is None or value == "":
        group_id = None
    elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12:
        group_id = value
    elif isinstance(value, str) and _GROUP_ID.fullmatch(value):
        group_id = int(value)
    else:
        raise ApiError(422, "unknown_group", "Unknown group: choose one of the groups on the page.", field="group")
    if target is not None:
        if group_id is not None and group_id != target:
            name = hub.session.groups[target].name
            raise ApiError(422, "wrong_group", f"This link is for the group {name!r}; it can't post to another group.",
                           field="group")
        return target
    if group_id is not None and group_id not in hub.session.groups:
        raise ApiError(422, "unknown_group", "Unknown group: choose one of the groups on the page.", field="group")
    return group_id


def valid_request_id(value: object) -> TypeGuard[str]:
    """The hub's rule, checked here so the phone hears which field is wrong."""
    return (isinstance(value, str) and 0 < len(value) <= REQUEST_ID_LIMIT
            and T.strip_controls(value) == value)


def parse_note(hub: Hub, target: int | None, fields: dict[str, Any]) -> AddCard:
    """Check every field of a posted note and build the command; 422 naming the first bad field."""
    text = _checked("text", "invalid_text", T.clean, fields.get("text"), "Your note", T.CARD_TEXT_LIMIT)
    kind_value = fields.get("kind")
    if not isinstance(kind_value, str) or not kind_value.strip():
        raise ApiError(422, "invalid_kind", "Choose what kind of note it is: problem, option or contribution.",
                       field="kind")
    kind = _checked("kind", "invalid_kind", Kind.parse, kind_value)
    group_id = _group(hub, target, fields.get("group"))
    author = _checked("author", "invalid_author", T.optional, fields.get("author"), "Your name", T.AUTHOR_LIMIT)
    request_id = fields.get("request_id")
    if not valid_request_id(request_id):
        raise ApiError(422, "invalid_request_id",
                       f"request_id is required: 1 to {REQUEST_ID_LIMIT} characters of plain text.",
                       field="request_id")
    return AddCard(card=CardDraft(kind=kind, text=text, group_id=group_id, author=author),
                   source=Source.PHONE, request_id=request_id)


async def submit(request: web.Request, target: int | None, fields: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Rate-limit, check and store one note; return (the public note + request_id, whether it is new)."""
    app = request.app
    hub, limiter = app[HUB], app[LIMITER]
    wait = limiter.take(app[SETTINGS].client_key(request))
    if wait > 0:
        raise ApiError(429, "rate_limited", "You are sending notes very fast. Please wait a moment and send again.",
                       headers={"Retry-After": str(limiter.retry_after(wait))})
    command = parse_note(hub, target, fields)
    last_seq = hub.events[-1].seq if hub.events else 0
    try:
        event = await hub.apply_durable(command)
    except StorageError:
        retry = max(1, math.ceil(storage.RETRY_SECONDS))
        raise ApiError(503, "storage_unavailable",
                       "The note could not be saved on the facilitator's computer yet. Please send it again.",
                       headers={"Retry-After": str(retry)}) from None
    except SubmissionsClosed as exc:  # the core decides, after answering a retry of an already saved note
        raise ApiError(403, "closed", str(exc)) from None
    except (ValidationError, NotFound) as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    rows = event.patch.get("cards", {})
    record = rows.get(str(event.card_id), (None, None))[1] if event.type == "card.add" else None
    if record is None:
        raise ApiError(409, "request_id_reused", "This request_id was used for something else: send a new one.",
                       field="request_id")
    return {**public_card(record), "request_id": event.request_id}, event.seq > last_seq


# -- handlers --------------------------------------------------------------------------------------------------------
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def post_note(request: web.Request) -> web.Response:
    hub, target, _ = _join(request)
    fields = await read_fields(request)
    note, created = await submit(request, target, fields)
    return web.json_response(note, status=201 if created else 200)


async def get_board(request: web.Request) -> web.Response:
    hub, _, _ = _join(request)
    return web.json_response(board(hub))


def _context(request: web.Request, hub: Hub, target: int | None, token: str) -> PageContext:
    meta = hub.session.meta
    groups = tuple((g.id, g.name) for g in sorted(hub.session.groups.values(), key=lambda g: g.id))
    return PageContext(token=token, title=meta.title, question=meta.question, open=meta.open, groups=groups,
                       fixed_group=hub.session.groups[target].name if target is not None else None,
                       root=root_for(request.path))


def _html(text: str, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html", headers=headers)


async def get_page(request: web.Request) -> web.Response:
    hub, target, token = _join(request)
    return _html(form_page(_context(request, hub, target, token)))


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
    hub, target, token = _join(request)
    fields = await read_fields(request)
    try:
        note, _ = await submit(request, target, fields)
    except ApiError as exc:
        if exc.code == "closed":
            raise
        page = form_page(_context(request, hub, target, token), _draft(fields), error=exc.message,
                         error_field=exc.field)
        return _html(page, exc.status, exc.headers)
    return _html(saved_page(_context(request, hub, target, token), note["text"], note["kind"]))


# -- the app ---------------------------------------------------------------------------------------------------------
def make_web_app(hub: Hub, *, public_url: str | None = None, settings: WebSettings | None = None) -> web.Application:
    """The phone app for one live session. Run it with `start_phone_server`, or aiohttp's TestServer in tests."""
    settings = settings or WebSettings()
    app = web.Application(middlewares=[error_middleware], client_max_size=MAX_BODY_BYTES)
    app[HUB] = hub
    app[SETTINGS] = settings
    app[LIMITER] = RateLimiter(settings.rate_limit)
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
    app.router.add_get("/api/v1/j/{token}/board", get_board)
    app.router.add_get("/api/v1/j/{token}/events", stream_events, allow_head=False)
    app.router.add_get("/static/{name}", static_file)
    return app
