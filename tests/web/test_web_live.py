"""The live stream while a session runs: each phone hears only what it may see (a held note only its writer, a
breakout note only its group), `state` when the facilitator steers, `mine` only to the phone whose dots or "done"
changed, `tallies` only once revealed, clusters as upserts, a fresh `board` when a breakout starts or ends; and the
feed works each event out once however many phones listen."""

from __future__ import annotations

from typing import Any

from coprod_tui.core.commands import EditSession, HideCard
from coprod_tui.core.commands import (EndBreakout, HoldNotes, MarkDone, MergeCards, OpenVoting, PickCard,
                                          RevealNotes, RevealVotes, SetPhase, StartBreakout, StartTimer, StopTimer)
from coprod_tui.core.model import Kind
from coprod_tui.web import boards, feed
from coprod_tui.web import public as views
from support.run import P1, P2, P3, add, get_board, mark_done, post, vote
from support.web import next_event, note, tokens, wait_until


async def listen(client: Any, token: str, participant: str | None = None, group: int | None = None) -> Any:
    params = {k: str(v) for k, v in (("participant", participant), ("group", group)) if v is not None}
    resp = await client.get(f"/api/v1/j/{token}/events", params=params)
    assert resp.status == 200
    name, board = await next_event(resp)
    assert name == "board"
    resp.first_board = board  # type: ignore[attr-defined]
    return resp


async def quiet(hub: Any, *streams: Any) -> None:
    """Prove a stream heard nothing more: a public title change must be the very next thing it hears."""
    title = f"Checkpoint {len(hub.events)}"
    hub.apply(EditSession(title=title))
    for stream in streams:
        assert await next_event(stream) == ("session", {"title": title, "question": hub.session.meta.question,
                                                        "open": True})


async def test_a_held_note_reaches_only_its_writer_and_the_reveal_reaches_everyone(hub, client):
    token = tokens(hub)["all"]
    hub.apply(HoldNotes())
    writer, other, anonymous = [await listen(client, token, who) for who in (P1, P2, None)]
    status, saved = await post(client, token, "notes", note("Only mine", participant=P1))
    assert status == 201
    name, data = await next_event(writer)
    assert (name, data["op"], data["card"]["held"], data["card"]["text"]) == ("card", "upsert", True, "Only mine")
    await quiet(hub, writer, other, anonymous)

    hub.apply(RevealNotes())
    for stream in (writer, other, anonymous):
        name, data = await next_event(stream)
        assert (name, data["op"], data["card"]["id"]) == ("card", "upsert", saved["id"])
        assert "held" not in data["card"]
        name, state = await next_event(stream)
        assert name == "state" and state["private"] is False
    for stream in (writer, other, anonymous):
        stream.close()


async def test_a_breakout_sends_each_phone_a_fresh_board_and_then_only_its_groups_notes(hub, client):
    before = add(hub, "In the room", group=1)
    carers = await listen(client, tokens(hub)["1"], P1)
    staff = await listen(client, tokens(hub)["all"], P2, group=2)
    nobody = await listen(client, tokens(hub)["all"], P3)
    assert [c["id"] for c in carers.first_board["cards"]] == [before]

    hub.apply(StartBreakout())
    boards = {}
    for name, stream in (("carers", carers), ("staff", staff), ("nobody", nobody)):
        event, board = await next_event(stream)
        assert event == "board" and board["breakout"] is True
        boards[name] = [c["text"] for c in board["cards"]]
    assert boards == {"carers": ["In the room"], "staff": [], "nobody": []}

    ours = add(hub, "Carers' idea", Kind.OPTION, group=1)
    name, data = await next_event(carers)
    assert data["card"]["text"] == "Carers' idea" and data["card"]["breakout"] is True
    add(hub, "My own, no group", Kind.OPTION, participant=P3)
    assert (await next_event(nobody))[1]["card"]["text"] == "My own, no group"
    await quiet(hub, carers, staff, nobody)

    hub.apply(PickCard(card_id=ours, participant=P1, group_id=1, source="phone"))
    name, data = await next_event(carers)
    assert data["card"]["picked"] is True
    await quiet(hub, carers, staff, nobody)

    hub.apply(EndBreakout())
    for stream in (carers, staff, nobody):
        event, board = await next_event(stream)
        assert event == "board" and board["breakout"] is False
        assert [c["text"] for c in board["cards"]] == ["In the room", "Carers' idea"]  # the rest is parked
    for stream in (carers, staff, nobody):
        stream.close()


async def test_the_facilitator_steering_is_a_state_message_and_the_timer_is_sent_only_when_it_changes(hub, client):
    stream = await listen(client, tokens(hub)["all"], P1)
    hub.apply(SetPhase(index=2))
    name, state = await next_event(stream)
    assert name == "state" and state["phase"]["name"] == "Options" and state["phase"]["kind"] == "option"
    assert set(state) == {"phase", "private", "voting", "timer", "breakout", "done_count"}
    assert await next_event(stream) == ("mine", {"round": None, "mine": {}, "left": None,
                                                 "done": False, "reflection": None})

    hub.apply(StartTimer(seconds=90, label="Quick round"))
    name, state = await next_event(stream)
    assert name == "state" and state["timer"]["running"] is True and state["timer"]["label"] == "Quick round"
    assert 0 < state["timer"]["remaining"] <= 90 and state["timer"]["server_now"]
    await quiet(hub, stream)  # no ticking: nothing until the facilitator changes the timer again
    hub.apply(StopTimer())
    name, state = await next_event(stream)
    assert name == "state" and state["timer"] is None
    stream.close()


async def test_im_done_tells_everyone_the_count_and_only_the_phone_its_own_state(hub, client):
    token = tokens(hub)["all"]
    mine, other = await listen(client, token, P1), await listen(client, token, P2)
    await mark_done(client, token, P1, 0)
    name, state = await next_event(mine)
    assert name == "state" and state["done_count"] == 1
    assert await next_event(mine) == ("mine", {"round": None, "mine": {}, "left": None,
                                               "done": True, "reflection": None})
    name, state = await next_event(other)
    assert name == "state" and state["done_count"] == 1
    await quiet(hub, other)
    hub.apply(MarkDone(participant=P2, phase=0, source="phone", group_id=None))
    assert (await next_event(other))[0] == "state"
    assert (await next_event(other)) == ("mine", {"round": None, "mine": {}, "left": None,
                                                  "done": True, "reflection": None})
    mine.close()
    other.close()


async def test_votes_reach_only_the_voter_until_the_reveal_then_tallies_reach_everyone(hub, client):
    token = tokens(hub)["all"]
    p, q = add(hub, "P"), add(hub, "Q")
    voter, other = await listen(client, token, P1), await listen(client, token, P2)
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))
    for stream in (voter, other):
        name, state = await next_event(stream)
        assert name == "state" and state["voting"] == {"round": 1, "kind": "problem", "per_person": 3,
                                                       "per_card": 2, "open": True, "revealed": False}
        assert await next_event(stream) == ("mine", {"round": 1, "mine": {}, "left": 3,
                                                     "done": False, "reflection": None})

    await vote(client, token, P1, p)
    assert await next_event(voter) == ("mine", {"round": 1, "mine": {str(p): 1}, "left": 2,
                                                "done": False, "reflection": None})
    await quiet(hub, voter, other)  # no state, no tallies: nobody hears about someone else's dots

    hub.apply(RevealVotes())
    for stream in (voter, other):
        name, state = await next_event(stream)
        assert name == "state" and state["voting"]["revealed"] is True and "tallies" not in state["voting"]
        assert await next_event(stream) == ("tallies", {"round": 1, "tallies": {str(p): 1}})  # Q: no dots
        assert (await next_event(stream))[0] == "mine"
    await vote(client, token, P2, q)
    assert await next_event(other) == ("tallies", {"round": 1, "tallies": {str(p): 1, str(q): 1}})
    assert (await next_event(other))[0] == "mine"
    assert await next_event(voter) == ("tallies", {"round": 1, "tallies": {str(p): 1, str(q): 1}})
    await quiet(hub, voter)
    voter.close()
    other.close()


async def test_a_merge_removes_the_members_and_upserts_the_cluster_with_them(hub, client):
    a, b = add(hub, "Buses late"), add(hub, "Buses rare")
    stream = await listen(client, tokens(hub)["all"], P1)
    cluster = hub.apply(MergeCards(card_ids=(a, b), title="Buses")).card_id
    got = [await next_event(stream) for _ in range(3)]
    assert ("card", {"op": "remove", "card": {"id": a}}) in got
    assert ("card", {"op": "remove", "card": {"id": b}}) in got
    assert ("card", {"op": "upsert", "card": {"id": cluster, "kind": "problem", "text": "Buses", "group": None,
                                              "author": None, "cluster": True,
                                              "members": ["Buses late", "Buses rare"]}}) in got
    hub.apply(HideCard(card_id=b))  # a member hidden: the cluster's list changes, the member itself is not sent
    assert await next_event(stream) == ("card", {"op": "upsert", "card": {
        "id": cluster, "kind": "problem", "text": "Buses", "group": None, "author": None, "cluster": True,
        "members": ["Buses late"]}})
    await quiet(hub, stream)
    stream.close()


async def test_each_event_is_worked_out_once_for_all_phones(hub, client, monkeypatch):
    token = tokens(hub)["all"]
    streams = [await listen(client, token, f"phone-many-{i:08d}", group=1 + i % 2) for i in range(12)]
    calls: list[int] = []
    real = feed.PublicFeed._make_plan

    def counting(self, event):
        calls.append(event.seq)
        return real(self, event)

    monkeypatch.setattr(feed.PublicFeed, "_make_plan", counting)
    hub.apply(HoldNotes())
    add(hub, "Held", participant="phone-many-00000003")
    hub.apply(RevealNotes())
    for stream in streams:
        await next_event(stream)  # state (private on)
    assert (await next_event(streams[3]))[1]["card"]["held"] is True
    for stream in streams:
        name, data = await next_event(stream)
        assert name == "card" and "held" not in data["card"]
    assert len(calls) == len(set(calls)) == 3
    for stream in streams:
        stream.close()
    await wait_until(lambda: len(hub._listeners) == 0)


async def test_revealing_more_held_notes_than_a_queue_holds_keeps_every_stream(hub, client):
    """Found by the soak: a reveal queued one item per note, so revealing 256 held notes or more overflowed every
    phone's queue at once and dropped every stream at the moment the room was looking. Now one event is one item
    however many messages it sends: every phone gets every note, and its stream stays open."""
    token = tokens(hub)["all"]
    hub.apply(HoldNotes())
    held = [add(hub, f"Held note {i}", participant=(P1, P2)[i % 2]) for i in range(300)]
    streams = {who: await listen(client, token, who) for who in (P1, P2, P3, None)}
    assert len(streams[P1].first_board["cards"]) == 150  # its own held notes only
    hub.apply(RevealNotes())
    for stream in streams.values():
        got = [await next_event(stream) for _ in range(301)]
        assert [(name, data["op"], data["card"]["id"]) for name, data in got[:300]] == [
            ("card", "upsert", card) for card in held]
        assert not any("held" in data["card"] for _, data in got[:300])
        assert got[300][0] == "state" and got[300][1]["private"] is False
    await quiet(hub, *streams.values())  # still open: nothing dropped
    for stream in streams.values():
        stream.close()


async def test_a_breakout_board_is_built_once_per_group_not_once_per_writer(hub, client, monkeypatch):
    """Starting a breakout sends every phone a fresh board; phones share their group's unless they wrote a note
    their group's board leaves out (a note in another group): 100 phones cost a handful of boards, not 100."""
    token = tokens(hub)["all"]
    for i in range(12):
        add(hub, f"Note {i}", group=1 + i % 2, participant=f"phone-writer-{i:06d}")
    add(hub, "Written in group 1 by a phone now in group 2", group=1, participant="phone-mover-000001")
    phones = [(f"phone-writer-{i:06d}", 1 + i % 2) for i in range(12)] + [("phone-mover-000001", 2)]
    streams = {who: await listen(client, token, who, group) for who, group in phones}
    built: list[tuple[int | None, str | None]] = []
    real = views.shared_board

    def counting(hub_: Any, viewer: Any) -> Any:
        built.append((viewer.group, viewer.participant))
        return real(hub_, viewer)

    monkeypatch.setattr(boards, "shared_board", counting)
    hub.apply(StartBreakout())
    for (who, group), stream in zip(phones, streams.values()):
        name, fresh = await next_event(stream)
        assert name == "board" and fresh == await get_board(client, token, who, group)
    assert len(built) == 3  # group 1, group 2, and the phone whose group-1 note group 2's board leaves out
    assert any(who == "phone-mover-000001" for _, who in built)
    for stream in streams.values():
        stream.close()
