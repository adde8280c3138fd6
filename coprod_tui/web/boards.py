"""Fresh boards for many phones at once: the body of GET …/board, a stream's first message, and the `board` a breakout
or a change of groups sends every phone.

Why a cache: these come in storms. When the venue's Wi-Fi blips, every phone reconnects within a second or two and
each asks for its whole board; when a breakout starts, every phone is sent one. Built phone by phone, a board of
1,000 notes costs a few milliseconds each — 100 phones stall the loop that answers them for a third of a second (the
soak's churn measured 250 ms medians). Most of a board is the same for many phones: it depends only on the session's
state (the hub's latest event), the phone's group during a breakout, and — for a phone that wrote a note its group's
board leaves out (held in hidden writing, or in another group) — the phone itself. That shared part is built and
encoded once per state and kind of phone; each phone adds only its own fields (its dots, "done", self-reflection)
and the timer, which is computed now so a phone's countdown starts from the server's current clock.

The result is equal to `public.board(hub, viewer)` (tests compare them); public.py stays the one place that decides
what a phone may see.
"""

from __future__ import annotations

import json
from typing import Any

from coprod_tui.core.hub import Hub
from coprod_tui.web.public import Audience, Viewer, audience, personal_part, public_timer, shared_board, tallies

PERSONAL = ("voting", "timer")  # keys of the shared board that are rebuilt for each phone (voting: its own dots)


def dumps(data: Any) -> str:
    """Compact, ASCII-escaped JSON: one line whatever a note holds (an SSE `data:` line must be one line)."""
    return json.dumps(data, separators=(",", ":"))


class BoardCache:
    """Boards by the session's state and the kind of phone; see the module docstring."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._version = -1
        self._shared: dict[tuple[int | None, str | None], tuple[dict[str, Any], bytes]] = {}
        self._special: dict[str, set[Audience]] = {}
        self._totals: dict[str, int] | None = None

    def data(self, viewer: Viewer) -> dict[str, Any]:
        """The board this phone may see now, as data."""
        shared, _ = self._shared_for(viewer)
        return {**shared, **self._fresh(viewer)}

    def json(self, viewer: Viewer) -> bytes:
        """The board this phone may see now, as JSON bytes: the shared part's JSON without its closing brace, then
        this phone's own fields — one object, most of it encoded once for many phones."""
        _, prefix = self._shared_for(viewer)
        return prefix + dumps(self._fresh(viewer))[1:].encode("ascii")

    def _fresh(self, viewer: Viewer) -> dict[str, Any]:
        hub = self.hub
        return {"timer": public_timer(hub.session.meta.timer, hub.clock()), **personal_part(hub, viewer, self._totals)}

    def _shared_for(self, viewer: Viewer) -> tuple[dict[str, Any], bytes]:
        hub = self.hub
        events = hub.events
        version = events[-1].seq if events else 0
        breakout = hub.session.meta.breakout
        if version != self._version:  # a change since the last board: who has notes not every phone sees; totals
            special: dict[str, set[Audience]] = {}
            for card in hub.session.cards.values():
                if card.participant:
                    seen = audience(card.to_record(), breakout)
                    if not seen.everyone:
                        special.setdefault(card.participant, set()).add(seen)
            self._version, self._special, self._shared, self._totals = version, special, {}, tallies(hub)
        group = viewer.group if breakout else None
        # A phone shares its group's board unless it wrote a note that board leaves out (held, or in another group).
        own = viewer.participant is not None and any(
            seen.group is None or seen.group != group for seen in self._special.get(viewer.participant, ()))
        key = (group, viewer.participant if own else None)
        cached = self._shared.get(key)
        if cached is None:
            shared = shared_board(hub, viewer)
            for name in PERSONAL:
                shared.pop(name, None)
            cached = self._shared[key] = (shared, (dumps(shared)[:-1] + ",").encode("ascii"))
        return cached
