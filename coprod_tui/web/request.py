"""Reading what a phone sent: the join token, the body, each field, the rate limit, and the durable answer.

Why one module: every post (notes, votes, "I'm done", picks, self-reflection answers) goes through the same steps
in the same order — token (404), content type (415), body size and encoding (413, 400), rate limit (429), fields
(422), then the hub — and ends the same way: answered only once the change is on disk, or a 503 with Retry-After.
The GETs read the phone's `participant` and `group` from the query with the same checks.
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from coprod_tui.core.store import file as storage
from coprod_tui.core import text as T
from coprod_tui.core.commands import Command, Event
from coprod_tui.core.errors import NotFound, StorageError, ValidationError
from coprod_tui.core.hub import Hub
from coprod_tui.core.text import REQUEST_ID_LIMIT
from coprod_tui.web.errors import ApiError
from coprod_tui.web.limits import RateLimiter
from coprod_tui.web.keys import HUB, SETTINGS
from coprod_tui.web.public import Viewer, join

JSON_TYPE = "application/json"
FORM_TYPE = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 20
_GROUP_ID = re.compile(r"[0-9]{1,12}")
_WHOLE = re.compile(r"-?[0-9]{1,12}")
UNKNOWN_GROUP = "Unknown group: choose one of the groups on the page."
BAD_PARTICIPANT = "This phone's id is not valid: reload the page."


def join_request(request: web.Request) -> tuple[Hub, int | None, str]:
    """The hub, the token's group (None: everyone) and the token; 404 for a token that is not (or no longer) valid."""
    hub = request.app[HUB]
    token = request.match_info["token"]
    try:
        return hub, join(hub, token), token
    except NotFound as exc:
        raise ApiError(404, "unknown_token", str(exc)) from None


def _check_content_type(request: web.Request) -> None:
    if request.content_type.lower() not in (JSON_TYPE, FORM_TYPE):
        raise ApiError(415, "unsupported_media_type", f"Send it as {JSON_TYPE} or {FORM_TYPE} (UTF-8).")
    if request.charset and request.charset.lower().replace("-", "") != "utf8":
        raise ApiError(415, "unsupported_charset", "Send it as UTF-8 text.")


async def read_fields(request: web.Request, max_fields: int = MAX_FORM_FIELDS) -> dict[str, Any]:
    """The posted fields as a dict, from JSON or a url-encoded form; 400/413/415 for a body we cannot read.
    `max_fields`: the most a form may hold (the self-reflection's form has two per statement)."""
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
                          max_num_fields=max_fields)
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


def checked(field: str, code: str, check: Any, *args: Any) -> Any:
    """Run a core check; its ValidationError becomes a 422 naming the field (the message is the core's)."""
    try:
        return check(*args)
    except ValidationError as exc:
        raise ApiError(422, code, str(exc), field=field) from None


def group_field(hub: Hub, target: int | None, value: Any) -> int | None:
    """The phone's group: forced on a group link; on the everyone link a known group id, or none."""
    if value is None or value == "":
        group_id = None
    elif isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12:
        group_id = value
    elif isinstance(value, str) and _GROUP_ID.fullmatch(value):
        group_id = int(value)
    else:
        raise ApiError(422, "unknown_group", UNKNOWN_GROUP, field="group")
    if target is not None:
        if group_id is not None and group_id != target:
            name = hub.session.groups[target].name
            raise ApiError(422, "wrong_group",
                           f"This link is for the group {name!r}; it can't be used for another group.", field="group")
        return target
    if group_id is not None and group_id not in hub.session.groups:
        raise ApiError(422, "unknown_group", UNKNOWN_GROUP, field="group")
    return group_id


def request_id_field(fields: dict[str, Any]) -> str:
    """The note's request id, by the hub's rule (core.text), checked here so the phone hears which field is wrong."""
    request_id = fields.get("request_id")
    if not T.is_request_id(request_id):
        raise ApiError(422, "invalid_request_id",
                       f"request_id is required: 1 to {REQUEST_ID_LIMIT} characters of plain text.",
                       field="request_id")
    return request_id


def participant_field(value: Any, *, required: bool) -> str | None:
    """The phone's random id (`^[A-Za-z0-9_-]{8,64}$`); never logged, never shown to anyone."""
    if value is None or (value == "" and not required):
        if required:
            raise ApiError(422, "invalid_participant", BAD_PARTICIPANT, field="participant")
        return None
    return checked("participant", "invalid_participant", T.check_participant, value)


def whole_field(fields: dict[str, Any], name: str, what: str) -> int:
    """A whole number, as JSON gives it or as digits in a form; 422 `invalid_<name>` otherwise."""
    value = fields.get(name)
    if isinstance(value, str) and _WHOLE.fullmatch(value.strip()):
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= 10**12:
        raise ApiError(422, f"invalid_{name}", f"{what} must be a whole number.", field=name)
    return value


def flag_field(fields: dict[str, Any], name: str) -> bool:
    """true or false (JSON), or "true" / "false" in a form; 422 `invalid_<name>` otherwise."""
    value = fields.get(name)
    if isinstance(value, str):
        value = {"true": True, "false": False}.get(value.strip().lower(), value)
    if not isinstance(value, bool):
        raise ApiError(422, f"invalid_{name}", f"{name} must be true or false.", field=name)
    return value


def viewer_from_query(request: web.Request, hub: Hub, target: int | None) -> Viewer:
    """Who is looking (GET board / events): `?participant=` and, on the everyone link, `?group=`."""
    query = request.query
    participant = participant_field(query.get("participant"), required=False)
    return Viewer(participant=participant, group=group_field(hub, target, query.get("group")))


def spend(request: web.Request, limiter: RateLimiter, message: str) -> None:
    """Take one from this client's bucket; 429 with Retry-After when it is empty."""
    wait = limiter.take(request.app[SETTINGS].client_key(request))
    if wait > 0:
        raise ApiError(429, "rate_limited", message, headers={"Retry-After": str(limiter.retry_after(wait))})


def _not_saved(message: str) -> ApiError:
    retry = max(1, math.ceil(storage.RETRY_SECONDS))
    return ApiError(503, "storage_unavailable", message, headers={"Retry-After": str(retry)})


async def apply_durably(hub: Hub, command: Command, not_saved: str) -> Event:
    """Apply through the hub and wait until it is on disk; a storage failure is a 503 with Retry-After (the change
    may already be in memory: the phone's retry with the same request_id makes it durable and answers normally)."""
    try:
        return await hub.apply_durable(command)
    except StorageError:
        raise _not_saved(not_saved) from None


async def confirm_durable(hub: Hub, not_saved: str) -> None:
    """Nothing to change (the phone asks for what is already so): still answer only once that state is on disk."""
    try:
        await asyncio.wrap_future(hub.durable())
    except StorageError:
        raise _not_saved(not_saved) from None
