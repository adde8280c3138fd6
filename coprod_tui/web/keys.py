"""The phone server's settings and the typed keys under which the app keeps its shared objects.

Why a module of its own: the handlers (handlers/), the request readers (request.py) and the event stream (sse.py)
share the hub, the limiters and the settings; keeping the keys here lets them import the keys without importing each
other.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from coprod_tui.core.hub import Hub
from coprod_tui.web.feed import PublicFeed
from coprod_tui.web.limits import RateLimit, RateLimiter

MAX_BODY_BYTES = 64 * 1024  # a 2,000-character note is at most ~8 KB of UTF-8 (×3 if percent-encoded)


def peer_address(request: web.BaseRequest) -> str:
    """The default client key: the peer's IP address (each phone on the room's Wi-Fi has its own)."""
    return request.remote or "unknown"


@dataclass(frozen=True)
class WebSettings:
    """Limits of the phone server; the defaults suit a room of up to a few hundred phones."""

    rate_limit: RateLimit = field(default_factory=RateLimit)  # notes
    # Votes, "I'm done" and picks: a person placing five dots and moving two of them taps a dozen times in a few
    # seconds, so taps get a bucket of their own, larger and faster to refill, that never eats into the notes'.
    tap_limit: RateLimit = field(default_factory=lambda: RateLimit(burst=60, refill_seconds=0.25))
    # Which client a request counts against. Behind a reverse proxy every phone has the proxy's address: pass a
    # function that reads the proxy's forwarded-for header instead.
    client_key: Callable[[web.BaseRequest], str] = peer_address
    keepalive_seconds: float = 15.0  # SSE comment so proxies and phones keep an idle stream open
    poll_seconds: float = 1.0  # how often an idle stream checks whether its phone went away
    queue_size: int = 256  # events waiting for one slow phone before it is dropped (it reconnects and resyncs)
    streams_per_client: int = 16
    max_streams: int = 2000


HUB = web.AppKey("hub", Hub)
SETTINGS = web.AppKey("settings", WebSettings)
LIMITER = web.AppKey("limiter", RateLimiter)  # notes
TAP_LIMITER = web.AppKey("tap_limiter", RateLimiter)  # votes, done, picks
FEED = web.AppKey("feed", PublicFeed)
STREAMS = web.AppKey("streams", set)  # the live EventStream objects, ended on shutdown
STREAM_COUNTS = web.AppKey("stream_counts", Counter)  # client key → open streams
PUBLIC_URL = web.AppKey("public_url", str)  # "" when none was given
