"""Phones following a running session over the JSON API: the board's phase, hidden writing, voting, timer, "I'm
done" and breakout fields; what each phone may see (held notes only to their writer, a breakout only to its group,
clusters as one card, parked and hidden notes to no one); the vote / done / pick endpoints and every refusal; and a
phone that reconnects getting its own notes, dots and "done" back from the server."""

from __future__ import annotations

import errno
import json

import pytest

from coprod_tui.core.store import file as storage
from coprod_tui.core.commands import HideCard, RotateTokens, SetSubmissions
from coprod_tui.core.commands import (CloseVoting, EndBreakout, HoldNotes, MarkDone, MergeCards, OpenVoting,
                                          ParkCard, PauseTimer, RevealNotes, RevealVotes, SetPhase, StartBreakout,
                                          StartTimer)
from coprod_tui.core.model import Kind
from coprod_tui.web import RateLimit
from support.run import P1, P2, P3, add, get_board, mark_done, pick, post, rid, texts, vote
from support.web import CLIENT_HEADER, client_for, note, on_disk, tokens, web_settings


def all_link(hub) -> str:
    return tokens(hub)["all"]


# -- the board's new fields ------------------------------------------------------------------------------------------
async def test_the_board_carries_the_running_state(hub, client):
    board = await get_board(client, all_link(hub), P1)
    assert board["phase"] == {"index": 0, "name": "Welcome", "count": 6, "kind": None,
                              "prompt": "Welcome. Who is here, and what brings you to this question?"}
    assert (board["private"], board["voting"], board["timer"], board["breakout"]) == (False, None, None, False)
    assert (board["done"], board["done_count"]) == (False, 0)

    hub.apply(SetPhase(index=1))
    hub.apply(StartTimer(seconds=300, label="Write problems"))
    board = await get_board(client, all_link(hub), P1)
    assert board["phase"]["name"] == "Problems" and board["phase"]["kind"] == "problem"
    timer = board["timer"]
    assert timer["running"] is True and timer["seconds"] == 300 and timer["label"] == "Write problems"
    assert 0 < timer["remaining"] <= 300 and timer["ends_at"] and timer["server_now"]
    hub.apply(PauseTimer())
    timer = (await get_board(client, all_link(hub)))["timer"]
    assert timer["running"] is False and timer["ends_at"] is None and 0 < timer["remaining"] <= 300


async def test_a_board_without_a_participant_is_the_public_view(hub, client):
    hub.apply(HoldNotes())
    add(hub, "Held back", participant=P1)
    board = await get_board(client, all_link(hub))
    assert board["cards"] == [] and board["private"] is True and board["done"] is False


@pytest.mark.parametrize("query,code", [
    ({"participant": "short"}, "invalid_participant"),
    ({"participant": "has spaces in it"}, "invalid_participant"),
    ({"participant": "x" * 65}, "invalid_participant"),
    ({"participant": P1, "group": "Carers"}, "unknown_group"),
    ({"participant": P1, "group": "9"}, "unknown_group"),
])
async def test_a_bad_participant_or_group_in_the_query_is_422(hub, client, query, code):
    for path in ("board", "events"):
        resp = await client.get(f"/api/v1/j/{all_link(hub)}/{path}", params=query)
        assert resp.status == 422 and (await resp.json())["error"]["code"] == code


async def test_a_group_link_refuses_another_group_in_the_query(hub, client):
    resp = await client.get(f"/api/v1/j/{tokens(hub)['1']}/board", params={"group": "2"})
    assert resp.status == 422 and (await resp.json())["error"]["code"] == "wrong_group"
    assert (await client.get(f"/api/v1/j/{tokens(hub)['1']}/board", params={"group": "1"})).status == 200


# -- what each phone may see -----------------------------------------------------------------------------------------
async def test_a_held_note_is_seen_only_by_its_writer_until_the_reveal(hub, client):
    hub.apply(HoldNotes())
    status, answer = await post(client, all_link(hub), "notes", note("Only mine for now", participant=P1))
    assert status == 201 and answer["held"] is True
    add(hub, "The facilitator's, held too")
    mine = await get_board(client, all_link(hub), P1)
    assert [(c["text"], c.get("held")) for c in mine["cards"]] == [("Only mine for now", True)]
    assert (await get_board(client, all_link(hub), P2))["cards"] == []
    assert (await get_board(client, all_link(hub)))["cards"] == []
    assert (await get_board(client, tokens(hub)["1"], P2))["cards"] == []

    hub.apply(RevealNotes())
    for who in (P1, P2, None):
        board = await get_board(client, all_link(hub), who)
        assert texts(board) == ["Only mine for now", "The facilitator's, held too"]
        assert all("held" not in c for c in board["cards"]) and board["private"] is False


async def test_a_note_posted_without_a_participant_while_held_is_seen_by_no_phone(hub, client):
    hub.apply(HoldNotes())
    status, answer = await post(client, all_link(hub), "notes", note("No JavaScript here"))
    assert status == 201 and answer["held"] is True
    for who in (P1, None):
        assert (await get_board(client, all_link(hub), who))["cards"] == []


async def test_a_bad_participant_on_a_note_is_422_and_stores_nothing(hub, client):
    status, answer = await post(client, all_link(hub), "notes", note(participant="no good"))
    assert status == 422 and answer["error"]["code"] == "invalid_participant"
    assert answer["error"]["field"] == "participant" and hub.session.cards == {}


async def test_a_breakout_shows_each_group_only_its_own_notes(hub, client):
    before = add(hub, "Said in the room", group=1)
    hub.apply(StartBreakout())
    carers = add(hub, "Carers' idea", Kind.OPTION, group=1, participant=P1)
    staff = add(hub, "Staff idea", Kind.OPTION, group=2, participant=P2)
    own = add(hub, "Mine, no group", Kind.OPTION, participant=P3)
    add(hub, "The facilitator's, no group", Kind.OPTION)
    group_link = await get_board(client, tokens(hub)["1"], P2)  # P2 opened the carers' link: the link decides
    assert texts(group_link) == ["Said in the room", "Carers' idea", "Staff idea"]  # …and P2 keeps its own note
    assert texts(await get_board(client, tokens(hub)["1"])) == ["Said in the room", "Carers' idea"]
    chose_2 = await get_board(client, all_link(hub), P1, group=2)
    assert texts(chose_2) == ["Carers' idea", "Staff idea"]
    assert texts(await get_board(client, all_link(hub), P3)) == ["Mine, no group"]
    assert texts(await get_board(client, all_link(hub))) == []
    breakout_cards = {c["id"]: c for c in group_link["cards"]}
    assert breakout_cards[carers].get("breakout") is True and "breakout" not in breakout_cards[before]
    assert group_link["breakout"] is True

    assert (await pick(client, tokens(hub)["1"], P1, carers))[0] == 200
    hub.apply(EndBreakout())
    board = await get_board(client, all_link(hub), P1)
    assert texts(board) == ["Said in the room", "Carers' idea"]  # unpicked breakout notes are parked
    assert {c["text"]: c.get("picked") for c in board["cards"]} == {"Said in the room": None, "Carers' idea": True}
    assert hub.session.cards[staff].parked and hub.session.cards[own].parked and board["breakout"] is False


async def test_a_cluster_is_one_card_listing_its_visible_members(hub, client):
    a, b = add(hub, "Buses are late"), add(hub, "Buses don't come")
    c = add(hub, "Rude words")
    other = add(hub, "Parked one")
    hub.apply(ParkCard(card_id=other))
    event = hub.apply(MergeCards(card_ids=(a, b, c), title="Transport"))
    hub.apply(HideCard(card_id=c))
    board = await get_board(client, all_link(hub), P1)
    assert board["cards"] == [{"id": event.card_id, "kind": "problem", "text": "Transport", "group": None,
                               "author": None, "cluster": True, "members": ["Buses are late", "Buses don't come"]}]


async def test_the_board_never_leaks_ids_tokens_or_hidden_text(hub, client):
    hub.apply(HoldNotes())
    add(hub, "Secret draft", participant=P2)
    hub.apply(RevealNotes())
    hidden = add(hub, "Hidden words")
    hub.apply(HideCard(card_id=hidden))
    board = await get_board(client, all_link(hub), P1)
    raw = json.dumps(board)
    for secret in (P2, "Hidden words", *tokens(hub).values()):
        assert secret not in raw, secret
    allowed = {"id", "kind", "text", "group", "author", "held", "picked", "breakout", "cluster", "members"}
    assert all(set(card) <= allowed for card in board["cards"])


# -- votes -----------------------------------------------------------------------------------------------------------
async def test_voting_places_and_takes_back_dots_and_answers_with_my_voting(hub, client):
    p, q = add(hub, "P"), add(hub, "Q")
    add(hub, "An option", Kind.OPTION)
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))
    board = await get_board(client, all_link(hub), P1)
    assert board["voting"] == {"round": 1, "kind": "problem", "per_person": 3, "per_card": 2, "open": True,
                               "revealed": False, "mine": {}, "left": 3}
    status, answer = await vote(client, all_link(hub), P1, p, group=1)
    assert status == 200 and answer["voting"]["mine"] == {str(p): 1} and answer["voting"]["left"] == 2
    status, answer = await vote(client, all_link(hub), P1, p)
    assert answer["voting"]["mine"] == {str(p): 2} and "tallies" not in answer["voting"]
    status, answer = await vote(client, all_link(hub), P1, p, delta=-1)
    assert answer["voting"]["mine"] == {str(p): 1} and answer["voting"]["left"] == 2
    await vote(client, all_link(hub), P2, q)
    assert hub.session.votes[f"1:{P1}"]["group"] == 1 and on_disk(hub)["votes"][f"1:{P1}"]["cards"] == {str(p): 1}
    assert (await get_board(client, all_link(hub), P1))["voting"]["mine"] == {str(p): 1}  # a reconnect: same dots
    assert (await get_board(client, all_link(hub), P2))["voting"]["mine"] == {str(q): 1}


async def test_totals_reach_phones_only_once_revealed(hub, client):
    p, q = add(hub, "P"), add(hub, "Q")
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=3))
    await vote(client, all_link(hub), P1, p)
    await vote(client, all_link(hub), P2, p)
    for who in (P1, P2, None):
        assert "tallies" not in (await get_board(client, all_link(hub), who))["voting"]
    hub.apply(CloseVoting())
    hub.apply(RevealVotes())
    board = await get_board(client, all_link(hub), P1)
    assert board["voting"]["tallies"] == {str(p): 2} and board["voting"]["open"] is False
    assert str(q) not in board["voting"]["tallies"]  # Q has no dots: left out, a phone counts it as 0
    hub.apply(RevealVotes(revealed=False))
    assert "tallies" not in (await get_board(client, all_link(hub), P1))["voting"]


async def test_a_retried_vote_counts_once(hub, client):
    p = add(hub, "P")
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=3))
    body = {"participant": P1, "card": p, "round": 1, "delta": 1, "request_id": "vote-1"}
    first = await post(client, all_link(hub), "votes", body)
    again = await post(client, all_link(hub), "votes", body)
    assert first == again and first[1]["voting"]["mine"] == {str(p): 1}


async def test_a_dot_placed_before_a_merge_is_taken_back_from_the_cluster(hub, client):
    a, b = add(hub, "A"), add(hub, "B")
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))
    await vote(client, all_link(hub), P1, a)
    cluster = hub.apply(MergeCards(card_ids=(a, b), title="AB")).card_id
    board = await get_board(client, all_link(hub), P1)
    assert board["voting"]["mine"] == {str(cluster): 1} and board["voting"]["left"] == 2
    status, answer = await vote(client, all_link(hub), P1, cluster, delta=-1)
    assert status == 200 and answer["voting"]["mine"] == {} and answer["voting"]["left"] == 3
    status, answer = await vote(client, all_link(hub), P1, cluster)
    assert answer["voting"]["mine"] == {str(cluster): 1}


def _vote_setup(hub):
    p = add(hub, "P")
    option = add(hub, "O", Kind.OPTION)
    a, b = add(hub, "A"), add(hub, "B")
    hub.apply(MergeCards(card_ids=(a, b), title="AB"))
    hidden = add(hub, "H")
    hub.apply(HideCard(card_id=hidden))
    hub.apply(OpenVoting(kind="problem", per_person=2, per_card=1))
    return {"p": p, "option": option, "member": a, "hidden": hidden}


REFUSALS = [  # (name, how, status, code, words in the message)
    ("over-per-card", lambda c: [dict(card=c["p"]), dict(card=c["p"])], 409, "refused", "At most 1 vote"),
    ("member", lambda c: [dict(card=c["member"])], 409, "refused", "part of a cluster"),
    ("wrong-kind", lambda c: [dict(card=c["option"])], 409, "refused", "vote on problems"),
    ("stale-round", lambda c: [dict(card=c["p"], round=7)], 409, "refused", "new round"),
    ("nothing-to-take", lambda c: [dict(card=c["p"], delta=-1)], 409, "refused", "no vote on that note"),
    ("hidden-card", lambda c: [dict(card=c["hidden"])], 404, "unknown_card", "not on the board"),
    ("unknown-card", lambda c: [dict(card=999)], 404, "unknown_card", "not on the board"),
    ("bad-delta", lambda c: [dict(card=c["p"], delta=2)], 422, "invalid_delta", "delta"),
    ("delta-text", lambda c: [dict(card=c["p"], delta="up")], 422, "invalid_delta", "whole number"),
    ("card-bool", lambda c: [dict(card=True)], 422, "invalid_card", "whole number"),
    ("card-missing", lambda c: [dict(card=None)], 422, "invalid_card", "whole number"),
    ("round-float", lambda c: [dict(card=c["p"], round=1.5)], 422, "invalid_round", "whole number"),
    ("no-participant", lambda c: [dict(card=c["p"], participant=None)], 422, "invalid_participant", "reload"),
    ("bad-participant", lambda c: [dict(card=c["p"], participant="x")], 422, "invalid_participant", "reload"),
    ("unknown-group", lambda c: [dict(card=c["p"], group=9)], 422, "unknown_group", "Unknown group"),
    ("no-request-id", lambda c: [dict(card=c["p"], request_id=None)], 422, "invalid_request_id", "request_id"),
]


@pytest.mark.parametrize("how,status,code,words", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
async def test_every_vote_refusal_has_its_status_and_a_clear_message(hub, client, how, status, code, words):
    cards = _vote_setup(hub)
    *setup, last = how(cards)
    for extra in setup:
        assert (await vote(client, all_link(hub), P1, **extra))[0] == 200
    votes_before = dict(hub.session.votes)
    answer = await vote(client, all_link(hub), last.pop("participant", P1), **last)
    assert answer[0] == status and answer[1]["error"]["code"] == code
    assert words in answer[1]["error"]["message"]
    assert hub.session.votes == votes_before


async def test_over_the_per_person_limit_and_while_closed_are_409(hub, client):
    p, q, r = add(hub, "P"), add(hub, "Q"), add(hub, "R")
    hub.apply(OpenVoting(kind="problem", per_person=2, per_card=1))
    assert (await vote(client, all_link(hub), P1, p))[0] == 200
    assert (await vote(client, all_link(hub), P1, q))[0] == 200
    status, answer = await vote(client, all_link(hub), P1, r)
    assert status == 409 and "used all 2" in answer["error"]["message"]
    hub.apply(CloseVoting())
    status, answer = await vote(client, all_link(hub), P1, p, delta=-1)
    assert status == 409 and answer["error"]["message"] == "Voting is closed."
    status, answer = await vote(client, all_link(hub), P2, r, round_no=1)
    assert status == 409


async def test_a_vote_before_any_round_is_409(hub, client):
    p = add(hub, "P")
    status, answer = await vote(client, all_link(hub), P1, p)
    assert status == 409 and answer["error"]["code"] == "refused"


async def test_a_request_id_of_a_note_cannot_be_reused_for_a_vote(hub, client):
    p = add(hub, "P")
    hub.apply(OpenVoting(kind="problem", per_person=2, per_card=1))
    body = note(participant=P1)
    assert (await post(client, all_link(hub), "notes", body))[0] == 201
    status, answer = await vote(client, all_link(hub), P1, p, request_id=body["request_id"])
    assert status == 409 and answer["error"]["code"] == "request_id_reused"


async def test_a_group_link_votes_for_its_group(hub, client):
    p = add(hub, "P")
    hub.apply(OpenVoting(kind="problem", per_person=2, per_card=1))
    status, answer = await vote(client, tokens(hub)["2"], P1, p, group=1)
    assert status == 422 and answer["error"]["code"] == "wrong_group"
    assert (await vote(client, tokens(hub)["2"], P1, p))[0] == 200
    assert hub.session.votes[f"1:{P1}"]["group"] == 2


async def test_a_vote_is_answered_only_once_on_disk_and_a_storage_failure_is_503(hub, client, monkeypatch):
    p = add(hub, "P")
    hub.apply(OpenVoting(kind="problem", per_person=2, per_card=1))
    hub.durable().result(5)
    monkeypatch.setattr(storage, "RETRY_SECONDS", 0.05)
    real_write = storage.atomic_write

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "atomic_write", disk_full)
    body = {"participant": P1, "card": p, "round": 1, "delta": 1, "request_id": "v-503"}
    status, answer = await post(client, all_link(hub), "votes", body)
    assert status == 503 and answer["error"]["code"] == "storage_unavailable"
    assert "votes" not in on_disk(hub) or on_disk(hub)["votes"] == {}
    # Asking for what is already so ("done" twice) must not hear "saved" while the disk is failing either.
    hub.apply(MarkDone(participant=P2, phase=0, source="phone"))
    status, _ = await mark_done(client, all_link(hub), P2, 0)
    assert status == 503
    monkeypatch.setattr(storage, "atomic_write", real_write)
    status, answer = await post(client, all_link(hub), "votes", body)
    assert status == 200 and answer["voting"]["mine"] == {str(p): 1}
    assert on_disk(hub)["votes"][f"1:{P1}"]["cards"] == {str(p): 1}


async def test_quick_voting_is_not_throttled_and_taps_have_their_own_bucket(hub):
    """Notes throttled to one a minute; taps keep the default tap limit, which a person voting quickly never hits."""
    cards = [add(hub, f"P{i}") for i in range(10)]
    hub.apply(OpenVoting(kind="problem", per_person=10, per_card=3))
    settings = web_settings(rate_limit=RateLimit(burst=1, refill_seconds=60), tap_limit=RateLimit(burst=60,
                                                                                                   refill_seconds=0.25))
    async with client_for(hub, settings) as client:
        headers = {CLIENT_HEADER: "phone-a"}
        assert (await client.post(f"/api/v1/j/{all_link(hub)}/notes", json=note(), headers=headers)).status == 201
        assert (await client.post(f"/api/v1/j/{all_link(hub)}/notes", json=note(), headers=headers)).status == 429
        statuses = []
        for i in range(40):  # ten dots placed, moved and placed again, as fast as the loop goes
            card, delta = cards[i % 10], (1 if (i // 10) % 2 == 0 else -1)
            resp = await client.post(f"/api/v1/j/{all_link(hub)}/votes", headers=headers, json={
                "participant": P1, "card": card, "round": 1, "delta": delta, "request_id": rid()})
            statuses.append(resp.status)
        assert statuses == [200] * 40


async def test_taps_past_their_limit_are_429_with_retry_after(hub):
    p = add(hub, "P")
    hub.apply(OpenVoting(kind="problem", per_person=5, per_card=5))
    async with client_for(hub, web_settings(tap_limit=RateLimit(burst=2, refill_seconds=60))) as client:
        results = [await vote(client, all_link(hub), P1, p) for _ in range(3)]
        assert [r[0] for r in results] == [200, 200, 429]
        assert results[2][1]["error"]["code"] == "rate_limited" and "tapping" in results[2][1]["error"]["message"]


# -- I'm done ----------------------------------------------------------------------------------------------------------
async def test_im_done_marks_undoes_and_follows_the_phase(hub, client):
    status, answer = await mark_done(client, all_link(hub), P1, 0, group=1)
    assert status == 200 and answer == {"phase": 0, "done": True, "done_count": 1}
    assert (await mark_done(client, all_link(hub), P1, 0))[1] == answer  # already done: the same answer
    await mark_done(client, tokens(hub)["2"], P2, 0)
    board = await get_board(client, all_link(hub), P1)
    assert (board["done"], board["done_count"]) == (True, 2)
    assert (await get_board(client, all_link(hub), P3))["done"] is False
    status, answer = await mark_done(client, all_link(hub), P1, 0, done=False)
    assert answer == {"phase": 0, "done": False, "done_count": 1}

    hub.apply(SetPhase(index=2))
    status, answer = await mark_done(client, all_link(hub), P1, 0)
    assert status == 409 and answer["error"]["code"] == "refused" and "moved on" in answer["error"]["message"]
    board = await get_board(client, all_link(hub), P2)
    assert (board["done"], board["done_count"]) == (False, 0)
    status, answer = await mark_done(client, all_link(hub), P2, 2)
    assert answer == {"phase": 2, "done": True, "done_count": 1}


@pytest.mark.parametrize("body,code", [
    ({"phase": "first"}, "invalid_phase"), ({"phase": True}, "invalid_phase"), ({"done": "yes"}, "invalid_done"),
    ({"done": None}, "invalid_done"), ({"participant": ""}, "invalid_participant"),
])
async def test_bad_done_fields_are_422(hub, client, body, code):
    full = {"participant": P1, "phase": 0, "done": True, "request_id": rid(), **body}
    status, answer = await post(client, all_link(hub), "done", full)
    assert status == 422 and answer["error"]["code"] == code and hub.session.done == {}


async def test_a_form_encoded_done_works_too(hub, client):
    resp = await client.post(f"/api/v1/j/{all_link(hub)}/done", data={
        "participant": P1, "phase": "0", "done": "true", "request_id": rid()})
    assert resp.status == 200 and (await resp.json())["done"] is True


# -- picks -------------------------------------------------------------------------------------------------------------
async def test_picks_only_in_a_breakout_and_only_the_groups_own_notes(hub, client):
    plenary = add(hub, "Before", group=1)
    status, answer = await pick(client, tokens(hub)["1"], P1, plenary)
    assert status == 409 and "back together" in answer["error"]["message"]
    hub.apply(StartBreakout())
    ours = add(hub, "Ours", Kind.OPTION, group=1)
    theirs = add(hub, "Theirs", Kind.OPTION, group=2)
    nobody = add(hub, "No group", Kind.OPTION)
    status, answer = await pick(client, tokens(hub)["1"], P1, ours)
    assert status == 200 and answer == {"id": ours, "picked": True} and hub.session.cards[ours].picked
    assert (await pick(client, tokens(hub)["1"], P1, ours))[1] == answer  # already picked: the same answer
    assert (await pick(client, all_link(hub), P2, ours, group=1))[0] == 200
    for token, extra, card in ((tokens(hub)["1"], {}, theirs), (all_link(hub), {}, ours),
                               (all_link(hub), {"group": 1}, nobody), (tokens(hub)["1"], {}, 999)):
        status, answer = await pick(client, token, P1, card, **extra)
        assert status == 404 and answer["error"]["code"] == "unknown_card"
    status, answer = await pick(client, tokens(hub)["1"], P1, ours, picked=False)
    assert answer == {"id": ours, "picked": False}
    status, answer = await pick(client, tokens(hub)["1"], P1, ours, picked="maybe")
    assert status == 422 and answer["error"]["code"] == "invalid_picked"
    assert (await get_board(client, tokens(hub)["1"], P1))["cards"][-1].get("picked") is None


# -- reconnecting ------------------------------------------------------------------------------------------------------
async def test_a_phone_that_reconnects_gets_the_phase_its_notes_its_dots_and_done(hub, client):
    hub.apply(SetPhase(index=1))
    hub.apply(HoldNotes())
    status, mine = await post(client, all_link(hub), "notes", note("My held problem", participant=P1))
    await post(client, all_link(hub), "notes", note("Someone else's", participant=P2))
    public = add(hub, "Already public")
    hub.apply(RevealNotes())
    hub.apply(HoldNotes())
    status, later = await post(client, all_link(hub), "notes", note("Held again", participant=P1))
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=1))
    await vote(client, all_link(hub), P1, public)
    await mark_done(client, all_link(hub), P1, 1)
    hub.apply(RotateTokens())  # the phone scans the new code: its id is the same, so is what it gets back

    board = await get_board(client, all_link(hub), P1)
    assert board["phase"]["index"] == 1 and board["phase"]["name"] == "Problems" and board["private"] is True
    assert {c["text"]: c.get("held", False) for c in board["cards"]} == {
        "My held problem": False, "Someone else's": False, "Already public": False, "Held again": True}
    assert board["voting"]["mine"] == {str(public): 1} and board["voting"]["left"] == 2
    assert board["done"] is True and board["done_count"] == 1
    assert "Held again" not in texts(await get_board(client, all_link(hub), P2))


async def test_closed_submissions_still_let_phones_vote(hub, client):
    p = add(hub, "P")
    hub.apply(OpenVoting(kind="problem", per_person=2, per_card=1))
    hub.apply(SetSubmissions(open=False))
    assert (await vote(client, all_link(hub), P1, p))[0] == 200
    assert (await mark_done(client, all_link(hub), P1, 0))[0] == 200


async def test_a_dot_on_a_note_that_left_the_vote_stops_counting_on_the_phone_too(hub, client):
    p, q = add(hub, "P"), add(hub, "Q")
    hub.apply(OpenVoting(kind="problem", per_person=2, per_card=1))
    await vote(client, all_link(hub), P1, p)
    await vote(client, all_link(hub), P1, q)
    hub.apply(HideCard(card_id=q))
    voting = (await get_board(client, all_link(hub), P1))["voting"]
    assert voting["mine"] == {str(p): 1} and voting["left"] == 1  # as the core counts the allowance
    r = add(hub, "R")
    status, answer = await vote(client, all_link(hub), P1, r)
    assert status == 200 and answer["voting"]["left"] == 0
