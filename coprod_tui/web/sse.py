"""GET /api/v1/j/{token}/events: the board, live, as Server-Sent Events.

Why this shape: the phone first gets the whole board it may see (`board`), then only what changed (`card`,
`session`, `state`, `mine`, `tallies`), so a room of phones costs one small message each per note. What each phone
may see differs (a held note reaches only its writer, a breakout note only its group): the feed works each event
out once and each phone's listener only filters it and takes its bytes (feed.PublicFeed). Each phone has its own
bounded queue fed by a hub listener, one item per event (an event's messages go out in one write); a phone that
cannot keep up is dropped (its browser reconnects and starts again from a fresh `board`) instead of making the server
hold an ever-growing backlog. The listener is always removed when the phone goes away,
however it goes: a write fails, the poll sees the connection closed, the token is rotated, or the server stops.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

from aiohttp import web

from coprod_tui.core.commands import Event
from coprod_tui.core.errors import NotFound
from coprod_tui.web.errors import ApiError
from coprod_tui.web.feed import encode
from coprod_tui.web.request import viewer_from_query
from coprod_tui.web.keys import FEED, HUB, SETTINGS, STREAM_COUNTS, STREAMS
from coprod_tui.web.public import UNKNOWN_LINK, join

RETRY_MS = 3000


class EventStream:
    """One phone's queue: the bytes each event sends it. `push` may be called from any thread; the queue lives on
    the server's loop."""

    END: Any = object()  # sentinel: stop streaming (dropped for being slow, or the server is shutting down)

    def __init__(self, loop: asyncio.AbstractEventLoop, size: int) -> None:
        self.loop = loop
        self.queue: asyncio.Queue[Any] = asyncio.Queue(max(size, 1))
        self.dropped = False
        self._loop_thread = threading.get_ident()

    def push(self, item: Any) -> None:
        if threading.get_ident() == self._loop_thread:
            self._put(item)
        else:
            self.loop.call_soon_threadsafe(self._put, item)

    def _put(self, item: Any) -> None:
        if self.dropped:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # Too slow: forget its backlog and end its stream. Memory stays bounded whatever the phone does.
            self.dropped = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(self.END)

    def end(self) -> None:
        self.push(self.END)


def _gone(request: web.Request) -> bool:
    transport = request.transport
    return transport is None or transport.is_closing()


async def stream_events(request: web.Request) -> web.StreamResponse:
    app = request.app
    hub, settings, feed = app[HUB], app[SETTINGS], app[FEED]
    token = request.match_info["token"]
    try:
        target = join(hub, token)
    except NotFound as exc:
        raise ApiError(404, "unknown_token", str(exc)) from None
    viewer = viewer_from_query(request, hub, target)
    key = settings.client_key(request)
    counts = app[STREAM_COUNTS]
    if counts[key] >= settings.streams_per_client or len(app[STREAMS]) >= settings.max_streams:
        raise ApiError(429, "too_many_streams", "Too many live connections from this device: close other tabs.",
                       headers={"Retry-After": "10"})

    loop = asyncio.get_running_loop()
    stream = EventStream(loop, settings.queue_size)

    def listener(event: Event) -> None:
        if not feed.still_valid(event, token):
            stream.push(encode("closed", {"message": UNKNOWN_LINK}))
            stream.end()
            return
        payload = feed.payload(event, viewer)
        if payload:
            stream.push(payload)

    # Subscribe and take the snapshot with no await in between: every later change arrives through the queue. Only
    # its bytes are kept, until written: a stream lives for hours, and 100 phones each holding their first board
    # would keep three times the session's content in memory.
    unsubscribe = hub.subscribe(listener)
    first = f"retry: {RETRY_MS}\n\nevent: board\ndata: ".encode("ascii") + feed.boards.json(viewer) + b"\n\n"
    app[STREAMS].add(stream)
    counts[key] += 1
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream; charset=utf-8",
                                           "Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
    try:
        await response.prepare(request)
        await response.write(first)
        del first
        await _pump(request, response, stream)
    except ConnectionError:
        pass  # the phone went away mid-write
    finally:
        unsubscribe()
        app[STREAMS].discard(stream)
        counts[key] -= 1
        if counts[key] <= 0:
            del counts[key]
    return response


async def _pump(request: web.Request, response: web.StreamResponse, stream: EventStream) -> None:
    settings = request.app[SETTINGS]
    loop = asyncio.get_running_loop()
    last_write = loop.time()
    while True:
        try:
            item = await asyncio.wait_for(stream.queue.get(), timeout=settings.poll_seconds)
        except asyncio.TimeoutError:
            if _gone(request):
                return
            if loop.time() - last_write >= settings.keepalive_seconds:
                await response.write(b": keep-alive\n\n")
                last_write = loop.time()
            continue
        if item is EventStream.END or _gone(request):
            return
        await response.write(item)
        last_write = loop.time()


async def end_streams(app: web.Application) -> None:
    """on_shutdown: end every stream so stopping the server does not wait for phones to hang up."""
    streams: set[EventStream] = app[STREAMS]
    for stream in list(streams):
        stream.end()
