"""Live changes for phones: each hub event turned into Server-Sent Event messages once, however many phones listen.

Why a module of its own: public.py says *what* a phone may see; this says what an event *changes* for each phone and
puts it on the wire. A room of 100 phones hears every event, so everything that is the same for many phones — the
plan of who may see each changed card, the shared messages, their JSON, a fresh board's cards (boards.py) — is worked
out and encoded once per event, and each phone's part is a filter plus the few bytes that are its own (its dots, "done",
self-reflection).

All the messages one event sends a phone go into its queue as one item (sse.py): revealing 300 notes written in
hidden writing is 300 `card` messages but one item, so the moment everybody is looking never overflows anyone's
queue, and the phone draws its lists once for all of them (phone.js).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coprod_tui.core.commands import Event
from coprod_tui.core.errors import NotFound
from coprod_tui.core.hub import Hub
from coprod_tui.core.tokens import join_target
from coprod_tui.web.boards import BoardCache, dumps
from coprod_tui.web.public import (EVERYONE, RUN_FIELDS, Audience, Message, Viewer, audience, members_index, mine, public_card,
                    public_session, run_state, tallies)


def encode(name: str, data: dict[str, Any]) -> bytes:
    """One SSE message. JSON is ASCII-escaped, so `data:` is always one line whatever the note holds."""
    return f"event: {name}\ndata: {dumps(data)}\n\n".encode("ascii")


class Outgoing:
    """A message many phones may be sent, and its bytes, encoded the first time a phone needs them."""

    __slots__ = ("message", "_wire")

    def __init__(self, name: str, data: dict[str, Any]) -> None:
        self.message: Message = (name, data)
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = encode(*self.message)
        return self._wire


@dataclass
class _CardChange:
    id: int
    before: Audience
    after: Audience
    before_card: dict[str, Any] | None
    after_card: dict[str, Any] | None
    force: bool = False  # a cluster whose members changed: its `members` list is new even if its record is not
    _upsert: Outgoing | None = None
    _remove: Outgoing | None = None

    def message(self, viewer: Viewer) -> Outgoing | None:
        was, now = self.before.sees(viewer), self.after.sees(viewer)
        if now and (self.force or not was or self.before_card != self.after_card):
            if self._upsert is None:
                self._upsert = Outgoing("card", {"op": "upsert", "card": self.after_card})
            return self._upsert
        if was and not now:
            if self._remove is None:
                self._remove = Outgoing("card", {"op": "remove", "card": {"id": self.id}})
            return self._remove
        return None


@dataclass
class _Plan:
    """What one event means for phones, worked out once: the per-phone part is a filter over it."""

    board: bool = False  # groups changed, or a breakout started or ended: every phone redraws from a fresh board
    cards: tuple[_CardChange, ...] = ()
    shared: tuple[Outgoing, ...] = ()  # session / state / tallies: the same for every phone
    mine_all: bool = False  # a new round or phase (or the phases edited): every phone's own dots / done changed
    mine_for: frozenset[str] = frozenset()  # the phones whose votes, "done" or self-reflection this event changed


def _meta_change(event: Event) -> tuple[dict, dict]:
    meta = event.patch.get("meta", {}).get("1")
    if meta is None:
        return {}, {}
    return meta[0] or {}, meta[1] or {}


def _changed(before: dict, after: dict, names: tuple[str, ...]) -> set[str]:
    return {name for name in names if name in after and before.get(name) != after[name]}


class PublicFeed:
    """Turns hub events into phone messages once per event, however many phones are listening.

    `payload(event, viewer)` (the bytes for one phone's stream) and `messages(event, viewer)` (the same as data) are
    called by every stream's listener, one after another for the same event: the plan (who may see each changed
    card, the shared messages and their bytes) is cached by event; the fresh boards a breakout or a change of groups
    sends come from `boards` (boards.BoardCache, also the phone server's GET …/board and first stream message).
    Whether a particular stream's token still works is checked per stream, and only when an event
    touched tokens or groups.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self._event: Event | None = None
        self._plan = _Plan()
        self.boards = BoardCache(hub)

    def messages(self, event: Event, viewer: Viewer = EVERYONE) -> list[Message]:
        """What `event` sends this phone, as (name, data) pairs."""
        plan = self._plan_for(event)
        if plan.board:
            return [("board", self.boards.data(viewer))]
        out = [o.message for o in self._outgoing(plan, viewer)]
        if self._wants_mine(plan, viewer):
            out.append(("mine", mine(self.hub, viewer)))
        return out

    def payload(self, event: Event, viewer: Viewer = EVERYONE) -> bytes:
        """What `event` sends this phone, as the bytes of its event stream (b"" when nothing)."""
        plan = self._plan_for(event)
        if plan.board:
            return b"event: board\ndata: " + self.boards.json(viewer) + b"\n\n"
        parts = [o.wire for o in self._outgoing(plan, viewer)]
        if self._wants_mine(plan, viewer):
            parts.append(encode("mine", mine(self.hub, viewer)))
        return b"".join(parts)

    @staticmethod
    def _outgoing(plan: _Plan, viewer: Viewer) -> list[Outgoing]:
        out = [m for m in (change.message(viewer) for change in plan.cards) if m is not None]
        out.extend(plan.shared)
        return out

    @staticmethod
    def _wants_mine(plan: _Plan, viewer: Viewer) -> bool:
        return viewer.participant is not None and (plan.mine_all or viewer.participant in plan.mine_for)

    def _plan_for(self, event: Event) -> _Plan:
        if self._event is not event:
            self._plan = self._make_plan(event)
            self._event = event
        return self._plan

    def _make_plan(self, event: Event) -> _Plan:
        hub = self.hub
        session = hub.session
        meta_before, meta_after = _meta_change(event)
        run_changed = _changed(meta_before, meta_after, RUN_FIELDS)
        if "groups" in event.patch or "breakout" in run_changed:
            return _Plan(board=True)
        breakout = session.meta.breakout
        rows = event.patch.get("cards", {})
        # The texts of clusters' members, only when a cluster is involved (a note or a vote touches none; the index
        # is a pass over every card).
        involved = any(r is not None and (r.get("is_cluster") or r.get("cluster") is not None)
                       for pair in rows.values() for r in pair)
        members = members_index(session) if involved else {}
        changes: list[_CardChange] = []
        clusters: set[int] = set()
        for key, (before, after) in rows.items():
            for record in (before, after):
                if record is not None and record.get("cluster") is not None:
                    clusters.add(int(record["cluster"]))
            changes.append(_CardChange(
                int(key), audience(before, breakout), audience(after, breakout),
                public_card(before, members) if before is not None else None,
                public_card(after, members) if after is not None else None))
        for change in changes:
            change.force = change.id in clusters
        for cluster_id in sorted(clusters - {c.id for c in changes}):
            card = session.cards.get(cluster_id)
            if card is not None:
                record = card.to_record()
                seen = audience(record, breakout)
                changes.append(_CardChange(cluster_id, seen, seen, None, public_card(record, members), force=True))
        shared: list[Outgoing] = []
        if _changed(meta_before, meta_after, ("title", "question", "open")):
            shared.append(Outgoing("session", public_session(session.meta)))
        if run_changed or "done" in event.patch:
            shared.append(Outgoing("state", run_state(hub)))
        voting = session.meta.voting
        if voting is not None and voting.revealed and (
                "votes" in event.patch or "voting" in run_changed
                or any((r or {}).get("kind") == voting.kind for pair in rows.values() for r in pair)):
            totals = tallies(hub)
            if totals is not None:
                shared.append(Outgoing("tallies", {"round": voting.round, "tallies": totals}))
        # A self-reflection answer reaches no one but its own phone (its other tabs; a facilitator's delete).
        touched = frozenset(str(r["participant"]) for table in ("votes", "done", "reflections")
                            for pair in event.patch.get(table, {}).values() for r in pair
                            if r is not None and r.get("participant"))
        return _Plan(cards=tuple(changes), shared=tuple(shared),
                     mine_all=bool(run_changed & {"voting", "phase", "phases"}), mine_for=touched)

    def still_valid(self, event: Event, token: str) -> bool:
        """Whether `token` still opens the session after `event` (rotation or a removed group retire it)."""
        _, meta_after = _meta_change(event)
        if "groups" not in event.patch and "tokens" not in meta_after:
            return True
        try:
            join_target(self.hub.session, token)
        except NotFound:
            return False
        return True
