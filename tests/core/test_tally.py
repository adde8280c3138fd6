"""Counting the room (core/reading/tally.py) on sessions built by hand: vote results with their roll-up into clusters and
their split by group and role, who voted, a phone's own dots, the balance of voices, "I'm done" and held notes.

The hub tests (test_hub_run.py) show the same counts arising from real commands; here each rule is pinned on the
smallest session that shows it.
"""

from __future__ import annotations

import pytest

from coprod_tui.core.model import Card, Group, Kind, Meta, Role, Session
from coprod_tui.core.running import Voting
from coprod_tui.core.reading.tally import (balance, counted_card, done_counts, held_counts, my_votes, vote_results,
                                   voters)

P, O, C = Kind.PROBLEM, Kind.OPTION, Kind.CONTRIBUTION
AT = "2025-03-12T10:00:00.000+00:00"
CARERS, STAFF, WARD = 1, 2, 3
GROUPS = {
    CARERS: Group(CARERS, "Carers", "orange", Role.CARERS),
    STAFF: Group(STAFF, "Staff", "sky", Role.PRACTITIONERS),
    WARD: Group(WARD, "Ward team", "green", Role.PRACTITIONERS),
}
ROUND_1 = Voting(round=1, kind="problem", per_person=5, per_card=3)


def card(card_id: int, kind: Kind = P, group: int | None = None, order: float | None = None, **flags) -> Card:
    return Card(id=card_id, kind=kind, text=f"note {card_id}", group_id=group, author=None,
                order=float(card_id if order is None else order), created=AT, source="phone", **flags)


def ballot(round_no: int, who: str, group: int | None, dots: dict[int, int]) -> tuple[str, dict]:
    """One phone's votes in a round, keyed as in the file."""
    return f"{round_no}:{who}", {"round": round_no, "participant": who, "group": group,
                                 "cards": {str(k): n for k, n in dots.items()}}


def session(cards, ballots=(), voting: Voting | None = ROUND_1, phase: int = 0, done=()) -> Session:
    meta = Meta(id="s", title="t", question="", created=AT, updated=AT, voting=voting, phase=phase)
    return Session(meta=meta, groups=dict(GROUPS), cards={c.id: c for c in cards}, votes=dict(ballots),
                   done={f"{p}:{who}": {"phase": p, "participant": who, "group": g} for p, who, g in done})


def totals(s: Session, round_no: int | None = None) -> list[tuple[int, int]]:
    return [(t.card.id, t.total) for t in vote_results(s, round_no)]


# -- vote results ----------------------------------------------------------------------------------------------------

def test_results_list_every_card_of_the_rounds_column_most_votes_first():
    s = session([card(1), card(2), card(3), card(4, O)],
                [ballot(1, "alice", None, {2: 2, 3: 1}), ballot(1, "bob", None, {3: 2})])
    assert totals(s) == [(3, 3), (2, 2), (1, 0)]


def test_ties_are_broken_by_board_order():
    s = session([card(1, order=3), card(2, order=1), card(3, order=2)], [ballot(1, "alice", None, {1: 1, 2: 1})])
    assert totals(s) == [(2, 1), (1, 1), (3, 0)]


def test_results_split_by_group_and_by_role():
    s = session([card(1)], [ballot(1, "alice", CARERS, {1: 2}), ballot(1, "bob", STAFF, {1: 1}),
                            ballot(1, "carol", WARD, {1: 1}), ballot(1, "dan", None, {1: 1})])
    [tally] = vote_results(s)
    assert tally.total == 5
    assert tally.by_group == {CARERS: 2, STAFF: 1, WARD: 1, None: 1}
    assert tally.by_role == {Role.CARERS: 2, Role.PRACTITIONERS: 2, None: 1}


def test_dots_on_members_count_for_their_cluster():
    cards = [card(1, cluster=5), card(2, cluster=5), card(3), card(5, is_cluster=True, order=1)]
    s = session(cards, [ballot(1, "alice", CARERS, {1: 2}), ballot(1, "bob", STAFF, {2: 1, 5: 1}),
                        ballot(1, "carol", None, {3: 1})])
    results = vote_results(s)
    assert [(t.card.id, t.total) for t in results] == [(5, 4), (3, 1)]
    assert results[0].by_group == {CARERS: 2, STAFF: 2}


def test_counted_card_is_the_card_or_its_cluster():
    s = session([card(1, cluster=5), card(2), card(5, is_cluster=True)])
    assert counted_card(s, 1).id == 5 and counted_card(s, 2).id == 2 and counted_card(s, 5).id == 5
    assert counted_card(s, 99) is None


@pytest.mark.parametrize("voted", [
    card(2, hidden=True), card(2, parked=True), card(2, held=True), card(2, O), None,
], ids=["hidden-by-moderation", "parked", "held", "moved-to-options", "deleted"])
def test_results_show_only_what_the_room_may_see_in_the_rounds_column(voted):
    s = session([card(1)] + ([voted] if voted else []), [ballot(1, "alice", None, {1: 1, 2: 2})])
    assert totals(s) == [(1, 1)]
    assert voters(s, 1) == (1, 3)  # still counted as placed


def test_results_of_an_earlier_round_list_only_the_cards_it_voted_on():
    s = session([card(1), card(2), card(3), card(4, O)],
                [ballot(1, "alice", None, {1: 1}), ballot(2, "alice", None, {4: 3})],
                voting=Voting(round=2, kind="option", per_person=3, per_card=3))
    assert totals(s, 1) == [(1, 1)]
    assert totals(s) == [(4, 3)]


def test_no_round_no_results():
    assert vote_results(session([card(1)], voting=None)) == []


# -- voters and a phone's own dots -----------------------------------------------------------------------------------

def test_voters_are_the_phones_and_dots_of_one_round():
    s = session([card(1), card(2)], [ballot(1, "alice", None, {1: 2, 2: 1}), ballot(1, "bob", STAFF, {2: 1}),
                                     ballot(2, "alice", None, {1: 1})])
    assert voters(s, 1) == (2, 4) and voters(s, 2) == (1, 1) and voters(s, 3) == (0, 0)


def test_my_votes_are_one_phones_dots_in_one_round():
    s = session([card(1), card(2)], [ballot(1, "alice", None, {1: 2, 2: 1}), ballot(2, "alice", None, {1: 1})])
    assert my_votes(s, 1, "alice") == {1: 2, 2: 1}
    assert my_votes(s, 2, "alice") == {1: 1} and my_votes(s, 1, "bob") == {}


# -- the balance of voices -------------------------------------------------------------------------------------------

def test_balance_counts_participants_notes_by_group_and_role():
    s = session([card(1, group=CARERS), card(2, group=CARERS, held=True), card(3, group=STAFF, parked=True),
                 card(4, group=WARD, cluster=9), card(5), card(9, is_cluster=True), card(6, group=STAFF, hidden=True)],
                voting=None)
    result = balance(s)
    # held notes are written, just not shown yet; parked and clustered ones too; clusters (the facilitator's) and
    # notes hidden by moderation are not
    assert result.notes_by_group == {CARERS: 2, STAFF: 1, WARD: 1, None: 1}
    assert result.notes_by_role == {Role.CARERS: 2, Role.PRACTITIONERS: 2, None: 1}
    assert result.notes == 5 and result.votes == 0


def test_balance_counts_the_votes_of_the_current_round_only():
    s = session([card(1), card(2)], [ballot(1, "old", CARERS, {1: 3}), ballot(2, "alice", CARERS, {1: 1, 2: 1}),
                                     ballot(2, "bob", STAFF, {2: 1}), ballot(2, "dan", None, {1: 1})],
                voting=Voting(round=2, kind="problem", per_person=3, per_card=2, open=False))
    result = balance(s)
    assert result.votes_by_group == {CARERS: 2, STAFF: 1, None: 1}
    assert result.votes_by_role == {Role.CARERS: 2, Role.PRACTITIONERS: 1, None: 1}
    assert result.votes == 4


# -- "I'm done" and held notes ---------------------------------------------------------------------------------------

def test_done_counts_are_per_group_for_the_current_phase_by_default():
    s = session([], phase=2, done=[(2, "alice", CARERS), (2, "bob", CARERS), (2, "dan", None), (1, "carol", STAFF)])
    assert done_counts(s) == {CARERS: 2, None: 1}
    assert done_counts(s, 1) == {STAFF: 1} and done_counts(s, 0) == {}


def test_held_counts_say_how_many_notes_wait_in_each_column_never_what_they_say():
    s = session([card(1, held=True), card(2, held=True), card(3, O, held=True), card(4, C),
                 card(5, held=True, hidden=True)])
    assert held_counts(s) == {P: 2, O: 1}
