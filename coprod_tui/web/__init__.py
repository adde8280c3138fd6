"""The phone server: join page, JSON API and live events for one session (aiohttp; imports only the core).

Public API: `make_web_app` (the aiohttp app), `start_phone_server` / `PhoneServer` (run it inside the current loop),
`lan_address` (the laptop's address on the room's network), `WebSettings` and `RateLimit` (limits).
"""

from coprod_tui.web.app import make_web_app
from coprod_tui.web.lan import lan_address
from coprod_tui.web.limits import RateLimit, RateLimiter
from coprod_tui.web.server import PhoneServer, PhoneServerError, PortInUse, start_phone_server
from coprod_tui.web.keys import WebSettings

__all__ = ["PhoneServer", "PhoneServerError", "PortInUse", "RateLimit", "RateLimiter", "WebSettings", "lan_address",
           "make_web_app", "start_phone_server"]
