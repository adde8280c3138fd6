"""Dot voting: opening, casting within the limits, revealing, and votes rolling up into clusters."""

from __future__ import annotations

import pytest

from support.hub_run import *  # noqa: F401,F403  (fixtures, clock, phones, command builders)
from support.hub_run import _everything  # noqa: F401


# -- voting: opening, closing, showing -------------------------------------------------------------------------------

def test_open_voting_starts_round_one_with_the_tallies_hidden(hub):
    event = hub.apply(OpenVoting(kind="Problems", per_person=5, per_card=2))
    voting = Voting(round=1, kind="problem", per_person=5, per_card=2, open=True, revealed=False)
    assert event.type == "vote.open" and hub.session.meta.voting == voting
    assert event.patch == {"meta": {"1": ({"voting": None}, {"voting": voting.to_record()})}}
    assert file_doc(hub)["meta"]["1"]["voting"] == voting.to_record()


@pytest.mark.parametrize("kind, stored", [(P, "problem"), (O, "option"), (" OPTIONS ", "option")])
def test_voting_is_on_problems_or_options(hub, kind, stored):
    assert open_round(hub, kind).kind == stored


@pytest.mark.parametrize("kind, message", [(C, "Voting is on problems or on options"), ("ideas", "Unknown kind")])
def test_voting_on_anything_else_is_refused(hub, kind, message):
    refused(hub, OpenVoting(kind=kind, per_person=3, per_card=1), ValidationError, message)


@pytest.mark.parametrize("per_person, per_card", [(1, 1), (MAX_DOTS, MAX_DOTS), (MAX_DOTS, 1), (7, 3)])
def test_vote_limits_from_1_to_50(hub, per_person, per_card):
    voting = open_round(hub, P, per_person, per_card)
    assert (voting.per_person, voting.per_card) == (per_person, per_card)


@pytest.mark.parametrize("bad", [0, -1, MAX_DOTS + 1, 1000, 2.0, "3", None, True])
@pytest.mark.parametrize("field, what", [("per_person", "Votes per person"), ("per_card", "Votes per card")])
def test_vote_limits_outside_1_to_50_are_refused(hub, field, what, bad):
    limits = {"per_person": 5, "per_card": 1, field: bad}
    refused(hub, OpenVoting(kind=P, **limits), ValidationError, f"{what} must be a whole number from 1 to 50")


def test_votes_per_card_cannot_be_more_than_votes_per_person(hub):
    refused(hub, OpenVoting(kind=P, per_person=2, per_card=3), ValidationError, "can't be more than votes per person")


def test_voting_cannot_be_opened_while_a_round_is_open(hub):
    open_round(hub)
    refused(hub, OpenVoting(kind=O, per_person=3, per_card=1), ValidationError, "already open")


def test_a_round_after_a_closed_one_gets_the_next_number(hub):
    open_round(hub)
    event = hub.apply(CloseVoting())
    assert event.type == "vote.close" and not hub.session.meta.voting.open
    assert open_round(hub, O).round == 2


def test_round_numbers_are_never_reused_even_after_undoing_an_open(hub, folder):
    open_round(hub)  # round 1: a phone may already show it
    hub.apply(Undo())
    assert hub.session.meta.voting is None
    assert open_round(hub, O).round == 2
    refused(hub, cast(1, round_no=1), Refused, "A new round of voting has started")
    hub.apply(CloseVoting())
    open_round(hub)  # round 3 …
    hub.apply(Undo())  # … undone: round 2 (closed) is the current one again
    assert hub.session.meta.voting.round == 2 and not hub.session.meta.voting.open
    assert open_round(hub).round == 4
    hub.apply(Undo())
    again = reopen(folder, hub)  # the history read back from the file remembers too
    try:
        assert open_round(again).round == 5
    finally:
        again.close()


def test_a_round_with_votes_is_never_reused_after_its_open_is_undone(hub):
    p = note(hub, P, "p")
    open_round(hub)
    vote(hub, p)
    hub.apply(Undo())  # the open; the phone's dot stays in round 1
    assert hub.session.meta.voting is None and f"1:{ALICE}" in hub.session.votes
    assert open_round(hub).round == 2


@pytest.mark.parametrize("setup", ["never opened", "closed"])
def test_close_voting_when_it_is_not_open_is_refused(hub, setup):
    if setup == "closed":
        open_round(hub)
        hub.apply(CloseVoting())
    refused(hub, CloseVoting(), ValidationError, "Voting is not open")


def test_tallies_stay_hidden_until_revealed_and_can_be_hidden_again(hub):
    open_round(hub)
    assert not hub.session.meta.voting.revealed
    event = hub.apply(RevealVotes())
    assert event.type == "vote.reveal"
    assert hub.session.meta.voting.revealed and hub.session.meta.voting.open  # showing does not close
    assert file_doc(hub)["meta"]["1"]["voting"]["revealed"] is True
    refused(hub, RevealVotes(), ValidationError, "already shown")
    event = hub.apply(RevealVotes(revealed=False))
    assert event.type == "vote.conceal" and not hub.session.meta.voting.revealed
    refused(hub, RevealVotes(revealed=False), ValidationError, "already hidden")


def test_showing_votes_before_any_round_is_refused(hub):
    refused(hub, RevealVotes(), ValidationError, "There has been no vote yet")


# -- voting: casting -------------------------------------------------------------------------------------------------

def test_a_phone_places_a_dot(hub):
    p = note(hub, P, "Long waits")
    open_round(hub)
    event = vote(hub, p, ALICE, group=1)
    key, record = f"1:{ALICE}", {"round": 1, "participant": ALICE, "group": 1, "cards": {str(p.id): 1}}
    assert (event.type, event.source, event.card_id) == ("vote.cast", "phone", p.id)
    assert event.patch == {"votes": {key: (None, record)}}
    assert hub.session.votes == {key: record} and file_doc(hub)["votes"] == {key: record}
    assert my_votes(hub.session, 1, ALICE) == {p.id: 1}
    assert hub.describe_undo() == "open voting"  # a phone's dot is not on the facilitator's undo stack


def test_a_phone_takes_its_dots_back_one_at_a_time(hub):
    p = note(hub, P, "p")
    open_round(hub)
    vote(hub, p)
    vote(hub, p)
    event = vote(hub, p, delta=-1)
    assert event.type == "vote.take" and my_votes(hub.session, 1, ALICE) == {p.id: 1}
    event = vote(hub, p, delta=-1)
    assert event.patch["votes"][f"1:{ALICE}"][1] is None  # no dots left: no record
    assert hub.session.votes == {} and file_doc(hub)["votes"] == {}


@pytest.mark.parametrize("mine", [{}, {"other": 1}], ids=["no-votes", "votes-elsewhere"])
def test_taking_back_a_dot_that_is_not_there_is_refused(hub, mine):
    p, other = note(hub, P, "p"), note(hub, P, "other")
    open_round(hub)
    if mine:
        vote(hub, other)
    refused(hub, cast(p, delta=-1), Refused, "no vote on that note to take back")


@pytest.mark.parametrize("delta", [0, 2, -2])
def test_a_vote_moves_one_dot_at_a_time(hub, delta):
    p = note(hub, P, "p")
    open_round(hub)
    refused(hub, cast(p, delta=delta), ValidationError, "one dot at a time")


@pytest.mark.parametrize("setup", ["never opened", "closed"])
def test_a_vote_while_voting_is_closed_is_refused(hub, setup):
    p = note(hub, P, "p")
    if setup == "closed":
        open_round(hub)
        hub.apply(CloseVoting())
    refused(hub, cast(p, round_no=1), Refused, "Voting is closed")


def test_a_phone_a_round_behind_is_refused(hub):
    p = note(hub, P, "p")
    open_round(hub)
    hub.apply(CloseVoting())
    open_round(hub)
    refused(hub, cast(p, round_no=1), Refused, "A new round of voting has started")


def test_a_phone_has_per_person_dots_in_all(hub):
    p1, p2, p3 = (note(hub, P, t) for t in ("p1", "p2", "p3"))
    open_round(hub, P, per_person=3, per_card=2)
    vote(hub, p1)
    vote(hub, p1)
    vote(hub, p2)
    refused(hub, cast(p3), Refused, "used all 3 of your votes")
    vote(hub, p3, BOB)  # another phone has its own dots
    vote(hub, p1, delta=-1)
    vote(hub, p3)  # a dot taken back can be placed again
    assert my_votes(hub.session, 1, ALICE) == {p1.id: 1, p2.id: 1, p3.id: 1}


@pytest.mark.parametrize("per_card, message", [(2, "At most 2 votes on one note"), (1, "At most 1 vote on one note")])
def test_a_phone_has_at_most_per_card_dots_on_one_note(hub, per_card, message):
    p = note(hub, P, "p")
    open_round(hub, P, per_person=5, per_card=per_card)
    for _ in range(per_card):
        vote(hub, p)
    refused(hub, cast(p), Refused, message)


def _gone(hub, card):
    hub.apply(DeleteCard(card_id=card.id))
    return card.id


def _hidden(hub, card):
    hub.apply(HideCard(card_id=card.id))
    return card.id


def _held(hub, card):
    hub.apply(HoldNotes())
    return note(hub, P, "held back", phone=BOB).id


def _parked(hub, card):
    hub.apply(ParkCard(card_id=card.id))
    return card.id


@pytest.mark.parametrize("make", [_gone, _hidden, _held, _parked, lambda hub, card: 999, lambda hub, card: "1"],
                         ids=["deleted", "hidden", "held", "parked", "unknown", "id-as-text"])
def test_a_vote_on_a_note_phones_cannot_see_is_refused(hub, make):
    card_id = make(hub, note(hub, P, "p"))
    open_round(hub)
    refused(hub, cast(card_id), NotFound, "not on the board")


def test_a_vote_on_a_clustered_note_is_refused_and_the_cluster_takes_it(hub):
    a, b = note(hub, P, "a"), note(hub, P, "b")
    cluster = merge(hub, a, b)
    open_round(hub)
    refused(hub, cast(a), Refused, "part of a cluster: vote on the cluster")
    vote(hub, cluster)
    assert my_votes(hub.session, 1, ALICE) == {cluster.id: 1}


def test_a_dot_placed_before_the_merge_can_still_be_taken_back_from_its_note(hub):
    a, b = note(hub, P, "a"), note(hub, P, "b")
    open_round(hub)
    vote(hub, a)
    cluster = merge(hub, a, b)
    assert vote_results(hub.session)[0].card.id == cluster.id and vote_results(hub.session)[0].total == 1
    event = vote(hub, a, delta=-1)
    assert event.type == "vote.take" and my_votes(hub.session, 1, ALICE) == {}
    refused(hub, cast(b, delta=-1), Refused, "no vote on that note to take back")


def test_a_vote_in_the_wrong_column_is_refused(hub):
    option = note(hub, O, "an option")
    open_round(hub, P)
    refused(hub, cast(option), Refused, "This round is a vote on problems")


@pytest.mark.parametrize("who", ["", "short", "has spaces in it", "x" * 65, "émile-phone", None, 12345678])
def test_a_phone_with_a_bad_id_cannot_vote(hub, who):
    p = note(hub, P, "p")
    open_round(hub)
    refused(hub, cast(p, who), ValidationError, "phone's id is not valid")


def test_a_vote_naming_an_unknown_group_is_refused(hub):
    p = note(hub, P, "p")
    open_round(hub)
    refused(hub, cast(p, group=9), ValidationError, "Unknown group")


def test_a_phones_group_is_kept_when_a_later_dot_names_none(hub):
    p = note(hub, P, "p")
    open_round(hub)
    vote(hub, p, group=2)
    vote(hub, p)
    assert hub.session.votes[f"1:{ALICE}"]["group"] == 2


def test_a_retried_vote_gets_the_first_answer_and_adds_no_dot(hub):
    p = note(hub, P, "p")
    open_round(hub)
    first = vote(hub, p, request_id="vote-req-1")
    count = len(hub.events)
    assert vote(hub, p, request_id="vote-req-1") == first
    assert len(hub.events) == count and my_votes(hub.session, 1, ALICE) == {p.id: 1}


def test_voters_counts_phones_and_dots_before_the_reveal(hub):
    p, q = note(hub, P, "p"), note(hub, P, "q")
    open_round(hub)
    vote(hub, p, ALICE)
    vote(hub, q, ALICE)
    vote(hub, p, BOB)
    assert voters(hub.session, 1) == (2, 3) and voters(hub.session, 2) == (0, 0)


# -- roll-up into clusters -------------------------------------------------------------------------------------------

def test_dots_on_notes_before_they_were_clustered_count_for_the_cluster(hub):
    a, b, c = note(hub, P, "a", group=1), note(hub, P, "b", group=2), note(hub, P, "c")
    open_round(hub, P, per_person=3, per_card=2)
    vote(hub, a, ALICE, group=1)
    vote(hub, a, ALICE)
    vote(hub, b, BOB, group=2)
    vote(hub, c, CAROL)
    cluster = merge(hub, a, b, title="Waiting")
    results = vote_results(hub.session)
    assert [(t.card.id, t.total) for t in results] == [(cluster.id, 3), (c.id, 1)]
    assert results[0].by_group == {1: 2, 2: 1}
    assert results[0].by_role == {Role.CARERS: 2, Role.PRACTITIONERS: 1}
    vote(hub, cluster, CAROL)
    assert vote_results(hub.session)[0].total == 4


def test_split_is_refused_while_the_cluster_itself_has_votes(hub):
    a, b = note(hub, P, "a"), note(hub, P, "b")
    cluster = merge(hub, a, b)
    open_round(hub)
    vote(hub, cluster)
    refused(hub, SplitCluster(cluster_id=cluster.id), ValidationError, "Votes were cast on this cluster")
    vote(hub, cluster, delta=-1)
    hub.apply(SplitCluster(cluster_id=cluster.id))
    assert cluster.id not in hub.session.cards


def test_split_keeps_dots_placed_on_members_before_the_merge(hub):
    a, b = note(hub, P, "a"), note(hub, P, "b")
    open_round(hub)
    vote(hub, a)
    cluster = merge(hub, a, b)
    hub.apply(SplitCluster(cluster_id=cluster.id))
    assert [(t.card.id, t.total) for t in vote_results(hub.session)] == [(a.id, 1), (b.id, 0)]


def test_a_dot_on_a_note_that_left_the_vote_can_be_taken_back_and_no_longer_uses_the_allowance(hub):
    first, second, third = note(hub), note(hub), note(hub)
    open_round(hub, per_person=2, per_card=2)
    vote(hub, first)
    vote(hub, first)
    refused(hub, cast(second), Refused, "used all 2")
    hub.apply(HideCard(card_id=first.id))  # moderation takes the note off the board
    vote(hub, second)  # the two dots on the hidden note no longer count
    vote(hub, third)
    vote(hub, first, delta=-1)  # and they can still be taken back, one at a time
    vote(hub, first, delta=-1)
    assert hub.session.votes[f"1:{ALICE}"]["cards"] == {str(second.id): 1, str(third.id): 1}


def test_the_per_note_limit_covers_a_cluster_and_the_dots_its_members_had_before_the_merge(hub):
    first, second = note(hub), note(hub)
    open_round(hub, per_person=5, per_card=2)
    vote(hub, first)
    vote(hub, first)
    cluster = merge(hub, first, second)
    refused(hub, cast(cluster), Refused, "At most 2 votes on one note")
    vote(hub, first, delta=-1)  # taking one back from the member frees a place on the cluster
    vote(hub, cluster)
    assert [t.total for t in vote_results(hub.session) if t.card.id == cluster.id] == [2]
