"""Errors as phones see them, and the headers every response carries.

Why a middleware: the contract promises `{"error": {"code", "message"}}` with a 4xx for every bad request on /api
paths — including the ones aiohttp itself refuses (unknown route, wrong method, body over the size cap) — and a
friendly HTML page on the form path, where a person is reading. Anything unexpected becomes a logged 500 with the
same JSON shape (a bug, never bad input); the log names the route pattern, never the token or the note.
"""

from __future__ import annotations

import asyncio
import json
import logging
import traceback
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from coprod_tui.web.page import message_page, root_for

log = logging.getLogger("coprod_tui.web")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": ("default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
                                "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

# aiohttp's own refusals, in the contract's words.
_HTTP_ERRORS: Mapping[int, tuple[str, str]] = {
    400: ("bad_request", "The request could not be understood."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("too_large", "The request is too big: a note can be at most 2,000 characters."),
}


class ApiError(Exception):
    """A refusal with its status, machine-readable code and a message a participant can act on."""

    def __init__(self, status: int, code: str, message: str, *, field: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = dict(headers or {})


def is_api(request: web.Request) -> bool:
    """The JSON part of the app (everything a script or phone.js calls); the rest is read by people."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def route_name(request: web.BaseRequest) -> str:
    """The route pattern (`/api/v1/j/{token}/notes`), never the path: paths hold join tokens."""
    match_info = getattr(request, "match_info", None)
    resource = getattr(getattr(match_info, "route", None), "resource", None)
    return resource.canonical if resource is not None else "(unmatched)"


def error_response(request: web.Request, error: ApiError) -> web.Response:
    """The error as JSON on /api paths, as a friendly page elsewhere."""
    if is_api(request):
        body: dict[str, object] = {"code": error.code, "message": error.message}
        if error.field:
            body["field"] = error.field
        return web.Response(status=error.status, text=json.dumps({"error": body}),
                            content_type="application/json", headers=error.headers)
    heading = "Something went wrong" if error.status >= 500 else "That didn't work"
    # After a failed form post whose link still works (too big, wrong encoding…), offer the way back to the form.
    # The link is relative to the page's folder: /j/{token} → "{token}", /j/{token}/reflection → "../{token}".
    token = request.match_info.get("token") if request.path.startswith("/j/") else None
    back = ("../" * max(request.path.count("/") - 2, 0) + token
            if token and request.method == "POST" and error.status not in (403, 404) else None)
    page = message_page(heading, error.message, root=root_for(request.path), back=back)
    return web.Response(status=error.status, text=page, content_type="text/html", headers=error.headers)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ApiError as exc:
        return error_response(request, exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code, message = _HTTP_ERRORS.get(exc.status, ("http_error", exc.reason))
        headers = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
        return error_response(request, ApiError(exc.status, code, message, headers=headers))
    except (asyncio.CancelledError, ConnectionResetError):
        raise
    except Exception as exc:  # a bug: log where and what kind, not the message (it may quote a note)
        log.error("unexpected %s in %s %s\n%s", type(exc).__name__, request.method, route_name(request),
                  "".join(traceback.format_tb(exc.__traceback__)))
        return error_response(request, ApiError(
            500, "internal", "Something went wrong on the facilitator's computer. Please try again."))


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: every response, errors and static files included, gets the same protections.

    The join page's URL holds the token, so nothing may be cached or sent on as a referrer.
    """
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    static = request.path.startswith("/static/")
    response.headers.setdefault("Cache-Control", "no-cache" if static else "no-store")
