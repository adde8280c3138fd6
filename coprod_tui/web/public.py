"""What participants may see: the public JSON shapes of the board, and of each hub event.

Why a separate module: the board JSON (`GET …/board`), the first SSE `board` event and every later SSE change must
agree field for field, and must never leak what phones may not see — hidden, parked or held cards, another group's
breakout notes, join tokens, the event log, other phones' votes before the reveal, who did what, anyone's
self-reflection answers but the phone's own (the appraisal is the facilitator's to share). Everything a phone receives
is built here, from the hub's records, and nothing else.

A phone is a `Viewer`: its random participant id (None: a phone without JavaScript, or a script) and its group (the
join link's group, or the one the phone chose on the everyone link). Each card has an `Audience` worked out once from
its record; whether a viewer is in it is two comparisons, so one event is turned into messages once and filtered per
listening phone cheaply (`feed.PublicFeed`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from functools import cache

from coprod_tui.core import method
from coprod_tui.core.errors import NotFound
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Kind, Meta, Role, Session
from coprod_tui.core.running import REFLECTION, Timer, Voting
from coprod_tui.core.tokens import join_target
from coprod_tui.core.reading.tally import counted_card, done_counts, in_vote, my_votes, vote_results

Message = tuple[str, dict[str, Any]]
PUBLIC_CARD_FIELDS = ("id", "kind", "text", "group", "author")
PUBLIC_FLAGS = ("held", "picked", "breakout")  # sent only when set (and `held` only ever reaches the writer)
RUN_FIELDS = ("phases", "phase", "private", "voting", "timer", "breakout")  # meta fields behind the `state` message
UNKNOWN_LINK = "This link is not valid any more: ask the facilitator for the current QR code."
TOKEN_MAX = 200


def join(hub: Hub, token: str) -> int | None:
    """The group a join token names (None: everyone); NotFound otherwise. Tokens are short URL-safe ASCII, so
    anything else is refused before the hub compares it (a decoded path may hold any character)."""
    if not token.isascii() or len(token) > TOKEN_MAX:
        raise NotFound(UNKNOWN_LINK)
    return join_target(hub.session, token)


# -- who sees a card -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Viewer:
    """One phone: its participant id (None: unknown) and its group (None: no group)."""

    participant: str | None = None
    group: int | None = None


EVERYONE = Viewer()


@dataclass(frozen=True)
class Audience:
    """Who may see a card: every phone, or only its group's phones (breakout) and/or the phone that wrote it."""

    everyone: bool = False
    group: int | None = None
    writer: str | None = None

    def sees(self, viewer: Viewer) -> bool:
        return (self.everyone or (self.group is not None and self.group == viewer.group)
                or (self.writer is not None and self.writer == viewer.participant))


NOBODY = Audience()
ALL = Audience(everyone=True)


def audience(record: Mapping[str, Any] | None, breakout: bool) -> Audience:
    """The rules, in one place: hidden (moderation), parked and cluster members (shown inside their cluster) reach no
    one; a held note only its writer; during a breakout a note reaches its group's phones (and its writer)."""
    if record is None or record.get("hidden") or record.get("parked") or record.get("cluster") is not None:
        return NOBODY
    writer = record.get("participant")
    if record.get("held"):
        return Audience(writer=writer) if writer else NOBODY
    if breakout:
        return Audience(group=record.get("group"), writer=writer)
    return ALL


def members_index(session: Session) -> dict[int, list[str]]:
    """Cluster id → the texts of its visible members, in board order (one pass over the cards)."""
    index: dict[int, list[tuple[float, int, str]]] = {}
    for card in session.cards.values():
        if card.cluster is not None and not card.hidden:
            index.setdefault(card.cluster, []).append((card.order, card.id, card.text))
    return {cid: [text for _, _, text in sorted(rows)] for cid, rows in index.items()}


def public_card(record: Mapping[str, Any], members: Mapping[int, list[str]] | None = None) -> dict[str, Any]:
    """A card as phones see it, from its stored record: no order, links, source, creation time, hidden flag or
    writer's id. Flags only when set; a cluster says so and lists its members' texts."""
    out = {name: record.get(name) for name in PUBLIC_CARD_FIELDS}
    for flag in PUBLIC_FLAGS:
        if record.get(flag):
            out[flag] = True
    if record.get("is_cluster"):
        out["cluster"] = True
        out["members"] = list((members or {}).get(int(record["id"]), ()))
    return out


def visible_cards(hub: Hub, viewer: Viewer = EVERYONE) -> list[dict[str, Any]]:
    """The viewer's cards as public dicts, column by column in board order."""
    session = hub.session
    breakout = session.meta.breakout
    members = members_index(session)
    out = []
    for kind in Kind:
        for card in session.column(kind):
            record = card.to_record()
            if audience(record, breakout).sees(viewer):
                out.append(public_card(record, members))
    return out


# -- the session's running state -------------------------------------------------------------------------------------
def public_session(meta: Meta) -> dict[str, Any]:
    return {"title": meta.title, "question": meta.question, "open": meta.open}


def public_groups(hub: Hub) -> list[dict[str, Any]]:
    return [{"id": g.id, "name": g.name, "role": g.role.value, "colour": g.colour}
            for g in sorted(hub.session.groups.values(), key=lambda g: g.id)]


def public_phase(meta: Meta) -> dict[str, Any]:
    """`kind`: the kind the note form starts on, or "reflection": the phones show the self-reflection instead."""
    index = min(meta.phase, len(meta.phases) - 1)
    phase = meta.phases[index]
    return {"index": index, "name": phase.name, "prompt": phase.prompt, "kind": phase.kind, "count": len(meta.phases)}


def public_voting(voting: Voting | None) -> dict[str, Any] | None:
    if voting is None:
        return None
    return {"round": voting.round, "kind": voting.kind, "per_person": voting.per_person, "per_card": voting.per_card,
            "open": voting.open, "revealed": voting.revealed}


def public_timer(timer: Timer | None, now: str) -> dict[str, Any] | None:
    """`remaining`: the seconds left at `server_now`. A phone counts down from there with its own clock, so a phone
    whose clock is off still ends with the room."""
    if timer is None:
        return None
    return {"seconds": timer.seconds, "running": timer.running, "ends_at": timer.ends_at,
            "remaining": round(timer.left(now), 3), "label": timer.label, "server_now": now}


def run_state(hub: Hub) -> dict[str, Any]:
    """The `state` message: the same for every phone (no votes of anyone, no tallies)."""
    meta = hub.session.meta
    return {"phase": public_phase(meta), "private": meta.private, "voting": public_voting(meta.voting),
            "timer": public_timer(meta.timer, hub.clock()), "breakout": meta.breakout,
            "done_count": sum(done_counts(hub.session).values())}


def tallies(hub: Hub) -> dict[str, int] | None:
    """Total dots per card (clusters counting their members' dots) once the facilitator reveals them; else None.
    Only cards every phone may see: a hidden or held card's count is never sent. A card without dots is left out
    (a phone counts it as 0): every phone is sent the whole tally again on each change, and most notes have none."""
    session = hub.session
    voting = session.meta.voting
    if voting is None or not voting.revealed:
        return None
    return {str(t.card.id): t.total for t in vote_results(session)
            if t.total and audience(t.card.to_record(), False).everyone}


def mine(hub: Hub, viewer: Viewer) -> dict[str, Any]:
    """The `mine` message: this phone's dots in the current round (on a cluster when they were placed on a note that
    has since been clustered), the dots it has left, whether it said "I'm done" with the current phase, and during a
    reflection phase its own saved answer (`reflection`, as on the board)."""
    session = hub.session
    voting = session.meta.voting
    done = viewer.participant is not None and f"{session.meta.phase}:{viewer.participant}" in session.done
    reflection = reflection_for(hub, viewer)
    if voting is None:
        return {"round": None, "mine": {}, "left": None, "done": done, "reflection": reflection}
    dots: dict[str, int] = {}
    if viewer.participant is not None:
        for card_id, n in my_votes(session, voting.round, viewer.participant).items():
            card = session.cards.get(card_id)
            if card is None or not in_vote(session, card, voting):
                continue  # a note that left the vote (hidden, parked, moved): its dot no longer counts
            counted = counted_card(session, card_id) or card
            dots[str(counted.id)] = dots.get(str(counted.id), 0) + n
    return {"round": voting.round, "mine": dots, "left": max(voting.per_person - sum(dots.values()), 0),
            "done": done, "reflection": reflection}


# -- the self-reflection ---------------------------------------------------------------------------------------------
ANSWER_FIELDS = ("role", "ladder_now", "ladder_target", "scores", "evidence")
SCALE_ORDER = (1, 2, 3, 4, method.DONT_KNOW)  # as a phone lists them: "don't know" last


def in_reflection(meta: Meta) -> bool:
    """The current phase is the self-reflection: phones show its form instead of the note form, and may answer."""
    return meta.current_phase.kind == REFLECTION


def my_answer(session: Session, participant: str | None) -> dict[str, Any] | None:
    """This phone's saved self-reflection: its answers only — never its id, the time, or anyone else's answer."""
    record = session.reflections.get(participant) if participant else None
    if record is None or record.get("participant") != participant:
        return None
    return {name: (dict(record[name]) if isinstance(record.get(name), dict) else record.get(name))
            for name in ANSWER_FIELDS}


def reflection_for(hub: Hub, viewer: Viewer) -> dict[str, Any] | None:
    """The board's `reflection`: null outside a reflection phase; during one, `mine` (this phone's answer or null)."""
    if not in_reflection(hub.session.meta):
        return None
    return {"mine": my_answer(hub.session, viewer.participant)}


@cache
def reflection_questions() -> dict[str, Any]:
    """GET …/reflection: the questions, the scale, the roles and the credits; the same for every phone and session."""
    return {
        "ladder": [{"number": r.number, "name": r.name, "meaning": r.meaning} for r in method.LADDER],
        "principles": [{"id": p.id, "name": p.name, "summary": p.summary,
                        "statements": [{"id": s.id, "text": s.text} for s in p.statements]}
                       for p in method.PRINCIPLES],
        "scale": [{"value": v, "label": method.SCALE[v]} for v in SCALE_ORDER],
        "credits": list(method.CREDITS),
        "roles": [{"value": r.value, "label": r.label} for r in Role],
    }


def vote_target(hub: Hub, viewer: Viewer, card_id: int, round_no: int, delta: int) -> int:
    """The note a tap acts on: the one tapped, except when taking a dot back from a cluster that holds none of this
    phone's dots directly: then from a member note it voted on before the notes were clustered (`mine` shows those
    dots on the cluster, so that is where the phone offers to take them back)."""
    session = hub.session
    voting = session.meta.voting
    card = session.cards.get(card_id)
    if (delta != -1 or viewer.participant is None or voting is None or voting.round != round_no or card is None
            or not card.is_cluster):
        return card_id
    dots = my_votes(session, voting.round, viewer.participant)
    if dots.get(card_id):
        return card_id
    return next((m.id for m in session.members(card_id) if dots.get(m.id)), card_id)


_COUNT_NOW: Any = object()


def voting_for(hub: Hub, viewer: Viewer, totals: dict[str, int] | None = _COUNT_NOW) -> dict[str, Any] | None:
    """The board's `voting`: the round, this phone's dots and dots left, and the tallies only once revealed
    (`totals`: `tallies(hub)` already counted for this moment by the caller, or counted here)."""
    public = public_voting(hub.session.meta.voting)
    if public is None:
        return None
    personal = mine(hub, viewer)
    public.update(mine=personal["mine"], left=personal["left"])
    if totals is _COUNT_NOW:
        totals = tallies(hub)
    if totals is not None:
        public["tallies"] = totals
    return public


def board(hub: Hub, viewer: Viewer = EVERYONE) -> dict[str, Any]:
    """Everything this phone may see now: the body of GET …/board and of the SSE `board` event. The definition;
    the server sends the same, built once for many phones (boards.BoardCache, tested equal to this)."""
    return {**shared_board(hub, viewer), **personal_part(hub, viewer)}


def shared_board(hub: Hub, viewer: Viewer) -> dict[str, Any]:
    """The part of a board that is the same for every phone of the viewer's kind (its group, or its own held notes)."""
    return {"session": public_session(hub.session.meta), "groups": public_groups(hub),
            "cards": visible_cards(hub, viewer), **run_state(hub)}


def personal_part(hub: Hub, viewer: Viewer, totals: dict[str, int] | None = _COUNT_NOW) -> dict[str, Any]:
    """What differs from phone to phone on a board: its dots and dots left (with the round), whether it is done with
    the phase, its self-reflection. Kept apart so a board sent to many phones is encoded once plus this (feed.py)."""
    done = viewer.participant is not None and f"{hub.session.meta.phase}:{viewer.participant}" in hub.session.done
    return {"voting": voting_for(hub, viewer, totals), "done": done, "reflection": reflection_for(hub, viewer)}
