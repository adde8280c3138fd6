"""Start and stop the phone server inside an event loop that is already running (Textual's).

Why AppRunner + TCPSite rather than `web.run_app`: run_app owns the loop and the process's signals; the board
already owns both. `start_phone_server` binds, returns at once, and leaves the loop to its owner; `stop()` ends the
live streams first so stopping never waits for phones to hang up.

Binding failures become a CoprodError with a sentence the facilitator can act on (port in use, no such address,
privileged port), never a traceback.
"""

from __future__ import annotations

import errno
import logging
import socket

import aiohttp.web_app
from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.hub import Hub
from coprod_tui.core.tokens import ensure_tokens
from coprod_tui.web.app import make_web_app
from coprod_tui.web.errors import route_name
from coprod_tui.web.lan import lan_address
from coprod_tui.web.keys import WebSettings

SHUTDOWN_SECONDS = 2.0
_WILDCARDS = {"", "0.0.0.0", "::", "[::]"}


class PhoneServerError(CoprodError):
    """The phone server could not start (the message says why and what to change)."""


class PortInUse(PhoneServerError):
    """Another program (often another coprod) already listens on the port."""


class PhoneAccessLogger(AbstractAccessLogger):
    """One line per request: method, route pattern, status, time. Never the path (it holds the join token), the
    query, the client's address or anything from the body."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        self.logger.info("%s %s %s %.1fms", request.method, route_name(request), response.status, time * 1000)


def bind_error(exc: OSError, host: str, port: int) -> PhoneServerError:
    if exc.errno == errno.EADDRINUSE:
        return PortInUse(f"Port {port} is already in use — another coprod? Choose another with --port.")
    if exc.errno == errno.EACCES:
        return PhoneServerError(f"Not allowed to listen on port {port} (ports below 1024 need administrator "
                                "rights). Choose another with --port.")
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        return PhoneServerError(f"This computer has no address {host!r} to listen on. Choose another with --host, "
                                "or leave it out to listen on every network.")
    return PhoneServerError(f"Can't start the phone server on {host}:{port}: {exc.strerror or exc}.")


def base_url(host: str, port: int, public_url: str | None = None) -> str:
    """Where phones reach the app: the public URL if given, else this laptop's address on the room's network (the
    LAN address when listening on every interface, else the address listened on)."""
    public = (public_url or "").rstrip("/")
    if public:
        return public
    address = lan_address() if host in _WILDCARDS else host
    if ":" in address and not address.startswith("["):
        address = f"[{address}]"
    return f"http://{address}:{port}"


def join_urls(hub: Hub, base: str) -> dict[str, str]:
    """Join URLs: "all" (the phone picks its group) and one per group id (as a string), from the current tokens.
    Gives the session tokens first if it has none (a write: the caller must hold the session for editing)."""
    ensure_tokens(hub)
    return {key: f"{base}/j/{token}" for key, token in hub.session.meta.tokens.items()
            if key == "all" or (key.isdigit() and int(key) in hub.session.groups)}


class PhoneServer:
    """A running phone server: its join URLs, and `stop()`."""

    def __init__(self, hub: Hub, runner: web.AppRunner, *, host: str, port: int, public_url: str | None) -> None:
        self.hub = hub
        self.runner = runner
        self.host = host
        self.port = port
        self.public_url = public_url

    def base_url(self) -> str:
        return base_url(self.host, self.port, self.public_url)

    def urls(self) -> dict[str, str]:
        """Read them again after a token rotation: the old ones stop working."""
        return join_urls(self.hub, self.base_url())

    async def stop(self) -> None:
        await self.runner.cleanup()
        _forget_handlers()


def _forget_handlers() -> None:
    """Let a stopped server's app — and through its state, the session's hub with every card and event — be freed.

    aiohttp (3.10.6 and later) caches each route's chain of middlewares in a module-level LRU cache of 1,024 entries
    keyed by the app: a facilitator who opens one session after another in one run of coprod would keep every earlier
    session in memory until enough other requests pushed it out. Clearing the cache costs a live server only one
    rebuild per route on its next request. The cache is aiohttp's own, so it is looked up defensively:
    tests/web/test_web_server.py fails if a stopped server's hub stays alive, whatever aiohttp renames."""
    cache = getattr(aiohttp.web_app, "_cached_build_middleware", None)
    if callable(getattr(cache, "cache_clear", None)):
        cache.cache_clear()


async def start_phone_server(hub: Hub, *, host: str, port: int, public_url: str | None = None,
                             settings: WebSettings | None = None) -> PhoneServer:
    """Bind the phone app to host:port in the running loop (port 0: any free port) and return the server."""
    ensure_tokens(hub)
    app = make_web_app(hub, public_url=public_url, settings=settings)
    runner = web.AppRunner(app, access_log_class=PhoneAccessLogger, handle_signals=False,
                           shutdown_timeout=SHUTDOWN_SECONDS)
    await runner.setup()
    site = web.TCPSite(runner, host or None, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise bind_error(exc, host, port) from None
    bound = runner.addresses
    actual_port = int(bound[0][1]) if bound else port
    logging.getLogger("coprod_tui.web").info("phone server listening on port %s", actual_port)
    return PhoneServer(hub, runner, host=host, port=actual_port, public_url=public_url)
