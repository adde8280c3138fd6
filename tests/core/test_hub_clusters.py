"""Clusters: merging notes of one column under a title, splitting them again, and what they refuse."""

from __future__ import annotations

import pytest

from support.hub_run import *  # noqa: F401,F403  (fixtures, clock, phones, command builders)
from support.hub_run import _everything  # noqa: F401


# -- clusters --------------------------------------------------------------------------------------------------------

def test_merge_makes_a_titled_cluster_card_in_board_order_of_its_first_member(hub):
    a, b, c = note(hub, P, "a", group=1), note(hub, P, "b", group=2), note(hub, P, "c")
    event = hub.apply(MergeCards(card_ids=(c.id, b.id), title="  Waiting \n times "))
    cluster = hub.session.cards[event.card_id]
    assert event.type == "cluster.merge" and sorted(event.patch["cards"]) == sorted(map(str, (cluster.id, b.id, c.id)))
    assert (cluster.kind, cluster.text, cluster.is_cluster, cluster.group_id, cluster.order, cluster.source) == (
        P, "Waiting times", True, None, b.order, "facilitator")
    assert [m.id for m in hub.session.members(cluster.id)] == [b.id, c.id]
    assert [x.id for x in hub.session.column(P) if x.on_board] == [a.id, cluster.id]
    cards = file_doc(hub)["cards"]
    assert cards[str(cluster.id)]["is_cluster"] is True and cards[str(b.id)]["cluster"] == cluster.id


def test_a_cluster_links_to_everything_its_members_link_to(hub):
    p1, p2, p3 = (note(hub, P, t) for t in ("p1", "p2", "p3"))
    o1, o2 = note(hub, O, "o1"), note(hub, O, "o2")
    for option, problem in ((o1, p3), (o1, p2), (o2, p2), (o2, p1)):
        hub.apply(ToggleLink(card_id=option.id, target_id=problem.id))
    cluster = merge(hub, o1, o2)
    assert cluster.links == [p1.id, p2.id, p3.id]
    assert now(hub, o1).links == [p3.id, p2.id]  # members keep their own


def test_merging_into_an_existing_cluster_adds_members_links_and_keeps_or_renames_the_title(hub):
    problems = [note(hub, P, f"p{i}") for i in range(3)]
    options = [note(hub, O, f"o{i}") for i in range(4)]
    for option, problem in zip(options, problems):
        hub.apply(ToggleLink(card_id=option.id, target_id=problem.id))
    cluster = merge(hub, options[0], options[1], title="Transport")
    event = hub.apply(MergeCards(card_ids=(options[2].id, cluster.id)))
    assert event.card_id == cluster.id and sorted(event.patch["cards"]) == sorted(map(str, (cluster.id, options[2].id)))
    joined = now(hub, cluster)
    assert joined.text == "Transport" and joined.links == [p.id for p in problems]
    assert [m.id for m in hub.session.members(cluster.id)] == [o.id for o in options[:3]]
    hub.apply(MergeCards(card_ids=(cluster.id, options[3].id), title="Getting there"))
    assert now(hub, cluster).text == "Getting there"


def _one(hub):
    return (note(hub, P, "a").id,), "T"


def _same_twice(hub):
    a = note(hub, P, "a")
    return (a.id, a.id), "T"


def _two_columns(hub):
    return (note(hub, P, "a").id, note(hub, O, "b").id), "T"


def _with_held(hub):
    a = note(hub, P, "a")
    hub.apply(HoldNotes())
    return (a.id, note(hub, P, "held").id), "T"


def _with_parked(hub):
    a, b = note(hub, P, "a"), note(hub, P, "b")
    hub.apply(ParkCard(card_id=b.id))
    return (a.id, b.id), "T"


def _with_member(hub):
    a, b, c = note(hub, P, "a"), note(hub, P, "b"), note(hub, P, "c")
    merge(hub, a, b)
    return (a.id, c.id), "T"


def _two_clusters(hub):
    first = merge(hub, note(hub, P, "a"), note(hub, P, "b"))
    second = merge(hub, note(hub, P, "c"), note(hub, P, "d"))
    return (first.id, second.id), "T"


def _untitled(hub):
    return (note(hub, P, "a").id, note(hub, P, "b").id), None


def _long_title(hub):
    return (note(hub, P, "a").id, note(hub, P, "b").id), "t" * 2001


def _unknown(hub):
    return (note(hub, P, "a").id, 999), "T"


@pytest.mark.parametrize("make, error, message", [
    (_one, ValidationError, "at least two notes"),
    (_same_twice, ValidationError, "at least two notes"),
    (_two_columns, ValidationError, "Only notes of one column"),
    (_with_held, ValidationError, "held, parked or already in a cluster"),
    (_with_parked, ValidationError, "held, parked or already in a cluster"),
    (_with_member, ValidationError, "held, parked or already in a cluster"),
    (_two_clusters, ValidationError, "Merge one cluster at a time"),
    (_untitled, ValidationError, "Cluster title can't be empty"),
    (_long_title, ValidationError, "Cluster title is 2,001 characters"),
    (_unknown, NotFound, "no longer exists"),
], ids=["one", "same-twice", "two-columns", "held", "parked", "member", "two-clusters", "untitled", "long-title",
        "unknown"])
def test_merge_refusals(hub, make, error, message):
    card_ids, title = make(hub)
    refused(hub, MergeCards(card_ids=card_ids, title=title), error, message)


def test_split_gives_the_members_back_and_drops_links_to_the_cluster(hub):
    a, b = note(hub, P, "a"), note(hub, P, "b")
    cluster = merge(hub, a, b)
    option = note(hub, O, "o")
    hub.apply(ToggleLink(card_id=option.id, target_id=cluster.id))
    event = hub.apply(SplitCluster(cluster_id=cluster.id))
    assert event.type == "cluster.split" and event.card_id == a.id
    assert cluster.id not in hub.session.cards
    assert all(now(hub, m).cluster is None and now(hub, m).on_board for m in (a, b))
    assert now(hub, option).links == []


@pytest.mark.parametrize("target, error, message", [
    ("plain", ValidationError, "not a cluster"), ("unknown", NotFound, "no longer exists")])
def test_split_refuses_what_is_not_a_cluster(hub, target, error, message):
    card_id = note(hub, P, "a").id if target == "plain" else 999
    refused(hub, SplitCluster(cluster_id=card_id), error, message)


@pytest.mark.parametrize("which", ["cluster", "member"])
@pytest.mark.parametrize("command, message", [
    (lambda card_id: DeleteCard(card_id=card_id), "Split the cluster before you delete its notes"),
    (lambda card_id: MoveCard(card_id=card_id, kind=O), "Split the cluster before you move its notes"),
    (lambda card_id: ParkCard(card_id=card_id), "Split the cluster before parking its notes"),
], ids=["delete", "move", "park"])
def test_a_cluster_and_its_members_cannot_be_deleted_moved_or_parked(hub, which, command, message):
    a, b = note(hub, P, "a"), note(hub, P, "b")
    cluster = merge(hub, a, b)
    refused(hub, command(cluster.id if which == "cluster" else a.id), ValidationError, message)


def test_undo_and_redo_of_merge_and_split(hub):
    a, b = note(hub, P, "a"), note(hub, P, "b")
    start = state(hub)
    cluster = merge(hub, a, b)
    merged = state(hub)
    hub.apply(SplitCluster(cluster_id=cluster.id))
    split = state(hub)
    hub.apply(Undo())
    assert state(hub) == merged and [m.id for m in hub.session.members(cluster.id)] == [a.id, b.id]
    hub.apply(Undo())
    assert state(hub) == start
    hub.apply(Redo())
    hub.apply(Redo())
    assert state(hub) == split
