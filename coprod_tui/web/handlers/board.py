"""The GETs that only read: the board a phone may see now (GET /api/v1/j/{token}/board), and /healthz.

The board's body is built by the feed's cache (boards.py) from what public.py allows this viewer; the live version
of the same board is the event stream (sse.py).
"""

from __future__ import annotations

from aiohttp import web

from coprod_tui.web.keys import FEED
from coprod_tui.web.request import join_request, viewer_from_query


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def get_board(request: web.Request) -> web.Response:
    hub, target, _ = join_request(request)
    body = request.app[FEED].boards.json(viewer_from_query(request, hub, target))
    return web.Response(body=body, content_type="application/json")
