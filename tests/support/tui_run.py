"""Helpers for the tests of running a session from the board (test_tui_run*.py).

Phones are simulated by applying their commands to the app's hub (source phone, a participant id, a group), as the
web handlers do: the board must follow hub events, whoever sent them. Time is frozen: `freeze` points both the
hub's clock (which stamps a timer's end) and the phase bar's drawing clock at the same moment.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from support.app import FIXED_NOW
from coprod_tui.core.commands import AddCard, CardDraft, Source
from coprod_tui.core.commands import CastVote, MarkDone, PickCard
from coprod_tui.core.model import Kind
from coprod_tui.core.running import parse_time
from coprod_tui.tui.board import phase_bar
from coprod_tui.tui.board.balance_bar import BalanceBar
from coprod_tui.tui.board.phase_bar import PhaseBar
from coprod_tui.tui.review.replay import ReplayScreen

P1, P2, P3, P4 = "phone-one-000000001", "phone-two-000000002", "phone-three-0000003", "phone-four-000000004"


class Frozen:
    """A settable clock shared by the hub (ISO strings) and the phase bar (datetimes)."""

    def __init__(self, at: str = FIXED_NOW) -> None:
        self.moment = parse_time(at)

    def iso(self) -> str:
        return self.moment.isoformat(timespec="milliseconds")

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def freeze(monkeypatch, app, at: str = FIXED_NOW) -> Frozen:
    clock = Frozen(at)
    monkeypatch.setattr(phase_bar, "now", clock.now)
    if app is not None and app.hub is not None:
        app.hub.clock = clock.iso
    return clock


def group_id(app, name: str) -> int:
    group = app.hub.session.group_named(name)
    assert group is not None, name
    return group.id


def phone_note(app, text: str, kind: str = "problem", group: str | None = "Carers", participant: str = P1) -> int:
    """A note from a phone, as the web handler sends it."""
    event = app.hub.apply(AddCard(card=CardDraft(kind=Kind(kind), text=text,
                                                 group_id=group_id(app, group) if group else None,
                                                 participant=participant),
                                  source=Source.PHONE, request_id=uuid.uuid4().hex))
    return event.card_id


def phone_vote(app, participant: str, card_id: int, group: str | None, delta: int = 1) -> None:
    voting = app.hub.session.meta.voting
    app.hub.apply(CastVote(participant=participant, card_id=card_id, round=voting.round, delta=delta,
                           group_id=group_id(app, group) if group else None, source=Source.PHONE,
                           request_id=uuid.uuid4().hex))


def phone_done(app, participant: str, group: str | None) -> None:
    app.hub.apply(MarkDone(participant=participant, phase=app.hub.session.meta.phase,
                           group_id=group_id(app, group) if group else None, source=Source.PHONE,
                           request_id=uuid.uuid4().hex))


def phone_pick(app, participant: str, card_id: int, group: str) -> None:
    app.hub.apply(PickCard(card_id=card_id, participant=participant, group_id=group_id(app, group),
                           source=Source.PHONE, request_id=uuid.uuid4().hex))


def bar_text(app) -> str:
    """The phase bar as drawn (both lines)."""
    return app.screen.query_one(PhaseBar).render().plain


def balance_text(app) -> str:
    return app.screen.query_one(BalanceBar).render().plain


async def open_replay(pilot) -> ReplayScreen:
    """Open the replay of the app's session over its board and wait until its columns are drawn."""
    from support.app import settle
    from coprod_tui.tui.board.card_list import CardList

    app = pilot.app
    app.push_screen(ReplayScreen(app.hub))
    await settle(pilot, lambda: isinstance(app.screen, ReplayScreen)
                 and all(cl.size.height for cl in app.screen.query(CardList)))
    return app.screen
