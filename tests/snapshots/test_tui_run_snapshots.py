"""SVG snapshots of running the room: the phase bar with a timer, the vote results, a cluster with its detail, the
breakout lanes with picks, and the balance bar.

Stable like tests/snapshots/test_snapshots.py: fixed ids and times, a relative sessions folder, the header clock frozen, and
the phase bar's clock frozen too (a timer set at 09:30:00 for five minutes, drawn at 09:30:28, shows 04:32).
Update with `pytest tests/snapshots/test_tui_run_snapshots.py --snapshot-update`, then look at the pictures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import _header

from support.app import SIZE, open_board, settle, prepare
from coprod_tui.core.commands import AddCard, CardDraft, Source
from coprod_tui.core.commands import (CastVote, CloseVoting, HoldNotes, MarkDone, MergeCards, OpenVoting,
                                          PickCard, RevealVotes, SetPhase, StartBreakout, StartTimer)
from coprod_tui.core.model import Kind
from coprod_tui.tui.board import phase_bar
from coprod_tui.tui.board.card_list import CardList
from coprod_tui.tui.dialogs.votes import ResultsScreen
from support.tui_run import P1, P2, P3, P4

CARERS, STAFF, PEOPLE = 1, 2, 3


class FrozenClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2025, 3, 14, 9, 30, 0, tzinfo=tz)


@pytest.fixture(autouse=True)
def frozen_clocks(monkeypatch):
    monkeypatch.setattr(_header, "datetime", FrozenClock)
    monkeypatch.setattr(phase_bar, "now", lambda: dt.datetime(2025, 3, 14, 9, 30, 28, tzinfo=dt.timezone.utc))


@pytest.fixture
def sessions_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return Path("sessions")


def note(text: str, kind: Kind, group: int, participant: str) -> AddCard:
    return AddCard(card=CardDraft(kind=kind, text=text, group_id=group, participant=participant),
                   source=Source.PHONE)


def vote(participant: str, card: int, group: int) -> CastVote:
    return CastVote(participant=participant, card_id=card, round=1, group_id=group, source=Source.PHONE)


async def quiet_board(pilot) -> None:
    await open_board(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


def test_phase_bar_with_timer_and_held_notes(snap_compare, make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [
        SetPhase(index=1), HoldNotes(hold=True),
        note("Nobody answers the phone at night", Kind.PROBLEM, CARERS, P1),
        note("Forms ask the same thing three times", Kind.PROBLEM, STAFF, P2),
        StartTimer(seconds=300, label="Write"),
        MarkDone(participant=P1, phase=1, group_id=CARERS, source=Source.PHONE),
        MarkDone(participant=P2, phase=1, group_id=CARERS, source=Source.PHONE),
        MarkDone(participant=P3, phase=1, group_id=STAFF, source=Source.PHONE),
    ])
    assert snap_compare(app_factory(session_id), terminal_size=SIZE, run_before=quiet_board)


def test_vote_results_screen(snap_compare, make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [
        OpenVoting(kind="option", per_person=3, per_card=2),
        vote(P1, 4, CARERS), vote(P1, 4, CARERS), vote(P2, 4, CARERS), vote(P3, 4, STAFF),
        vote(P3, 3, STAFF), vote(P4, 3, PEOPLE), vote(P4, 4, PEOPLE),
        CloseVoting(), RevealVotes(),
    ])

    async def results(pilot):
        await quiet_board(pilot)
        await pilot.press("number_sign")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ResultsScreen))
        await pilot.pause()

    assert snap_compare(app_factory(session_id), terminal_size=SIZE, run_before=results)


def test_cluster_in_a_column_and_the_detail_pane(snap_compare, make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [MergeCards(card_ids=(1, 2), title="Breaks and bookings fall through")])
    assert snap_compare(app_factory(session_id), terminal_size=SIZE, run_before=quiet_board)


def test_breakout_lanes_with_picked_notes(snap_compare, make_session, app_factory, sessions_dir):
    session_id = make_session(cards=[], links=[])
    prepare(sessions_dir, session_id, [
        StartBreakout(),
        note("Weekend sitter rota", Kind.OPTION, CARERS, P1),
        note("Emergency respite number", Kind.OPTION, CARERS, P2),
        note("Shared rota spreadsheet", Kind.OPTION, STAFF, P3),
        note("A buddy at the day centre", Kind.OPTION, PEOPLE, P4),
        PickCard(card_id=1, participant=P1, group_id=CARERS, source=Source.PHONE),
        PickCard(card_id=3),
    ])

    async def lanes(pilot):
        board = await open_board(pilot)
        await pilot.press("3")
        await settle(pilot, lambda: len(board.query(CardList)) == 9
                     and board.query(CardList).first().cell_title == "Carers · Problems")
        await open_board(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app_factory(session_id), terminal_size=SIZE, run_before=lanes)


def test_balance_bar_with_votes_and_a_missing_voice(snap_compare, make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [
        OpenVoting(kind="problem", per_person=3, per_card=3),
        vote(P1, 1, CARERS), vote(P1, 1, CARERS), vote(P2, 2, STAFF), vote(P3, 1, CARERS),
    ])
    assert snap_compare(app_factory(session_id), terminal_size=SIZE, run_before=quiet_board)
