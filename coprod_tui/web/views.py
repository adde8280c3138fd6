"""What participants may see: the public JSON shapes of the board, and of each hub event.

Why a separate module: the board JSON (`GET …/board`), the first SSE `board` event and every later SSE change must
agree field for field, and must never leak what phones may not see — hidden cards, join tokens, the event log, who
did what. Everything a phone receives is built here, from the hub's records, and nothing else.
"""

from __future__ import annotations

from typing import Any

from ..core.commands import Event
from ..core.errors import NotFound
from ..core.hub import Hub
from ..core.model import Card, Kind, Meta

Message = tuple[str, dict[str, Any]]
PUBLIC_CARD_FIELDS = ("id", "kind", "text", "group", "author")
UNKNOWN_LINK = "This link is not valid any more: ask the facilitator for the current QR code."
TOKEN_MAX = 200


def join(hub: Hub, token: str) -> int | None:
    """The group a join token names (None: everyone); NotFound otherwise. Tokens are short URL-safe ASCII, so
    anything else is refused before the hub compares it (a decoded path may hold any character)."""
    if not token.isascii() or len(token) > TOKEN_MAX:
        raise NotFound(UNKNOWN_LINK)
    return hub.join_target(token)


def public_card(record: dict[str, Any]) -> dict[str, Any]:
    """A card as phones see it, from its stored record (no order, links, source, creation time or hidden flag)."""
    return {name: record.get(name) for name in PUBLIC_CARD_FIELDS}


def public_session(meta: Meta) -> dict[str, Any]:
    return {"title": meta.title, "question": meta.question, "open": meta.open}


def public_groups(hub: Hub) -> list[dict[str, Any]]:
    return [{"id": g.id, "name": g.name, "role": g.role.value, "colour": g.colour}
            for g in sorted(hub.session.groups.values(), key=lambda g: g.id)]


def visible_cards(hub: Hub) -> list[Card]:
    """Cards not hidden by the facilitator, column by column in board order."""
    return [c for kind in Kind for c in hub.session.column(kind) if not c.hidden]


def board(hub: Hub) -> dict[str, Any]:
    """Everything participants may see now: the body of GET …/board and of the SSE `board` event."""
    return {
        "session": public_session(hub.session.meta),
        "groups": public_groups(hub),
        "cards": [public_card(c.to_record()) for c in visible_cards(hub)],
    }


def _visible(record: dict | None) -> bool:
    return record is not None and not record.get("hidden", False)


def card_changes(event: Event) -> list[Message]:
    """The `card` messages of one event: an upsert for a card phones may see that is new or changed in a way they
    can see, a remove for a card that was visible and is now gone or hidden (only its id: hidden text stays home)."""
    out: list[Message] = []
    for key, (before, after) in event.patch.get("cards", {}).items():
        if _visible(after):
            assert after is not None
            if not _visible(before) or public_card(before or {}) != public_card(after):
                out.append(("card", {"op": "upsert", "card": public_card(after)}))
        elif _visible(before):
            out.append(("card", {"op": "remove", "card": {"id": int(key)}}))
    return out


class PublicFeed:
    """Turns hub events into public messages once per event, however many phones are listening.

    The token-independent part is cached by event (listeners run one after another for the same event); whether a
    particular stream's token still works is checked per stream, and only when an event touched tokens or groups.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._last: tuple[Event | None, list[Message]] = (None, [])

    def messages(self, event: Event) -> list[Message]:
        cached_event, cached = self._last
        if cached_event is event:
            return cached
        out = card_changes(event)
        if "groups" in event.patch:
            out = [("board", board(self.hub))]  # group names or colours changed: the phone redraws everything
        else:
            meta = event.patch.get("meta", {}).get("1")
            if meta is not None:
                before, after = meta[0] or {}, meta[1] or {}
                if any(name in after and before.get(name) != after[name] for name in ("title", "question", "open")):
                    out.append(("session", public_session(self.hub.session.meta)))
        self._last = (event, out)
        return out

    def still_valid(self, event: Event, token: str) -> bool:
        """Whether `token` still opens the session after `event` (rotation or a removed group retire it)."""
        meta_after = (event.patch.get("meta", {}).get("1") or (None, None))[1] or {}
        if "groups" not in event.patch and "tokens" not in meta_after:
            return True
        try:
            self.hub.join_target(token)
        except NotFound:
            return False
        return True
