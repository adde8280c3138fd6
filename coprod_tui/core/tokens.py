"""Join tokens: the secret in a phone's link that names a session (the "all" token) or one of its groups.

Making a token (handlers use it when a group is added or the tokens are rotated), reading which group a token
names (the phone server, for every request), and giving an older session its tokens when it is opened to phones.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Protocol

from coprod_tui.core.commands import Command, Event, RotateTokens
from coprod_tui.core.errors import NotFound
from coprod_tui.core.model import Session


class LiveSession(Protocol):
    """What `ensure_tokens` needs of the hub: the session, and the way to change it."""

    session: Session

    def apply(self, command: Command) -> Event: ...


def new_token() -> str:
    """192 random bits, URL-safe: unguessable, and short enough for a QR code that scans from the back row."""
    return secrets.token_urlsafe(24)


def join_target(session: Session, token: str) -> int | None:
    """The group a join token names (None: the everyone token, the phone picks); NotFound for any other token.

    Compared in constant time, token by token: the token is the only secret between a phone and the session.
    """
    found: str | None = None
    for key, value in session.meta.tokens.items():
        if hmac.compare_digest(value.encode(), str(token).encode()):
            found = key
    if found is None or (found != "all" and int(found) not in session.groups):
        raise NotFound("This link is not valid any more: ask the facilitator for the current QR code.")
    return None if found == "all" else int(found)


def ensure_tokens(hub: LiveSession) -> None:
    """Give the session join tokens if it has none yet (sessions made before phones could join)."""
    wanted = {"all", *(str(g) for g in hub.session.groups)}
    if not wanted <= set(hub.session.meta.tokens):
        hub.apply(RotateTokens())
