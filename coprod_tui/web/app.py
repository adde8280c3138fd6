"""The phone app: the factory and its routes. The handlers are in handlers/ (notes, taps, reflection, pages, board)
and the event stream in sse.py; they read the hub and send it commands, and nothing else changes state.

Phones can add notes, vote, say "I'm done", pick their group's notes in a breakout (handlers/taps.py), answer the
self-reflection during a reflection phase (handlers/reflection.py) and read what they may see; no facilitator action
(hide, reveal, open a vote, rotate, close, delete…) has a route.
"""

from __future__ import annotations

from collections import Counter

from aiohttp import web

from coprod_tui.core.hub import Hub
from coprod_tui.web.errors import add_security_headers, error_middleware
from coprod_tui.web.feed import PublicFeed
from coprod_tui.web.handlers.board import get_board, healthz
from coprod_tui.web.handlers.notes import post_note
from coprod_tui.web.handlers.pages import (get_page, get_reflection_page, post_form, post_reflection_form,
                                           static_file)
from coprod_tui.web.handlers.reflection import get_reflection, post_reflection
from coprod_tui.web.handlers.taps import post_done, post_pick, post_vote
from coprod_tui.web.keys import (FEED, HUB, LIMITER, MAX_BODY_BYTES, PUBLIC_URL, SETTINGS, STREAM_COUNTS, STREAMS,
                                 TAP_LIMITER, WebSettings)
from coprod_tui.web.limits import RateLimiter
from coprod_tui.web.sse import end_streams, stream_events


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
