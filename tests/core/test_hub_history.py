"""The hub's history: undo/redo, events and replay, durability, idempotent requests, read-only review, subscribers."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from coprod_tui.core.commands import (AddCard, AddGroup, CardDraft, DeleteCard, EditCard, EditSession, Event,
                                      ImportCards, MoveCard, Redo, Source, ToggleLink, Undo)
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.hub import Hub
from support.hub import add, C, file_doc, folder, hub, O, P, path_of, reopen, snapshot  # noqa: F401  (fixtures: folder, hub)


# -- undo / redo -----------------------------------------------------------------------------------------------------

def test_undo_redo_walks_back_and_forth(hub):
    a = add(hub, P, "a")
    hub.apply(EditCard(card_id=a.id, text="a2"))
    assert hub.describe_undo() == "edit card" and hub.describe_redo() is None
    u = hub.apply(Undo())
    assert u.type == "undo" and u.undoes == 3 and u.card_id == a.id
    assert hub.session.cards[a.id].text == "a"
    assert hub.describe_undo() == "add card" and hub.describe_redo() == "edit card"
    hub.apply(Undo())
    assert a.id not in hub.session.cards and not hub.can_undo()
    with pytest.raises(ValidationError, match="Nothing to undo"):
        hub.apply(Undo())
    r = hub.apply(Redo())
    assert r.type == "redo" and r.undoes == 2
    hub.apply(Redo())
    assert hub.session.cards[a.id].text == "a2"
    with pytest.raises(ValidationError, match="Nothing to redo"):
        hub.apply(Redo())


def test_new_command_clears_redo(hub):
    add(hub, P, "a")
    hub.apply(Undo())
    assert hub.can_redo()
    add(hub, P, "b")
    assert not hub.can_redo()
    with pytest.raises(ValidationError, match="Nothing to redo"):
        hub.apply(Redo())


def test_phone_changes_are_not_on_the_facilitators_undo_stack(hub):
    add(hub, P, "from a phone", source=Source.PHONE)
    assert not hub.can_undo()
    add(hub, P, "mine")
    hub.apply(Undo())
    assert hub.can_redo()
    add(hub, P, "another phone", source=Source.PHONE)
    assert hub.can_redo()  # a phone note does not take the facilitator's redo away
    assert [c.text for c in hub.session.column(P)] == ["from a phone", "another phone"]


def test_undo_refused_when_a_later_change_touched_the_same_card(hub):
    card = add(hub, P, "mine")
    hub.apply(EditCard(card_id=card.id, text="changed from a phone", source=Source.PHONE))
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="Can't undo: that has been changed since"):
        hub.apply(Undo())
    assert snapshot(hub) == before


def test_undo_refused_when_a_link_was_added_later(hub):
    p = add(hub, P, "p", source=Source.PHONE)
    o = add(hub, O, "o")
    hub.apply(ToggleLink(card_id=o.id, target_id=p.id, source=Source.PHONE))
    with pytest.raises(ValidationError, match="changed since"):
        hub.apply(Undo())  # undoing the add would orphan the link
    assert o.id in hub.session.cards


def test_redo_refused_when_the_card_changed_since(hub):
    card = add(hub, P, "one")
    hub.apply(EditCard(card_id=card.id, text="two"))
    hub.apply(Undo())
    hub.apply(EditCard(card_id=card.id, text="three", source=Source.PHONE))
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="Can't redo"):
        hub.apply(Redo())
    assert snapshot(hub) == before


def test_undo_and_redo_stacks_survive_close_and_reopen(hub, folder):
    a = add(hub, P, "a")
    b = add(hub, P, "b")
    c = add(hub, P, "c")
    hub.apply(Undo())  # c
    hub.apply(Undo())  # b
    hub.apply(Redo())  # b again
    hub2 = reopen(folder, hub)
    try:
        assert hub2.describe_undo() == "add card" and hub2.describe_redo() == "add card"
        assert sorted(hub2.session.cards) == [a.id, b.id]
        hub2.apply(Redo())
        assert sorted(hub2.session.cards) == [a.id, b.id, c.id]
        assert not hub2.can_redo()
        hub2.apply(Undo())
        hub2.apply(Undo())
        hub2.apply(Undo())
        assert hub2.session.cards == {} and not hub2.can_undo()
    finally:
        hub2.close()


def test_undo_depth_is_bounded_and_reopen_agrees(hub, folder):
    from coprod_tui.core.hub import UNDO_DEPTH
    for i in range(UNDO_DEPTH + 5):
        add(hub, P, f"c{i}")
    for _ in range(UNDO_DEPTH):
        hub.apply(Undo())
    assert not hub.can_undo()
    assert len(hub.session.cards) == 5
    hub2 = reopen(folder, hub)
    try:
        assert not hub2.can_undo() and hub2.can_redo()
    finally:
        hub2.close()


# -- events, replay, persistence -------------------------------------------------------------------------------------

def test_events_replay_to_the_same_board(hub, folder):
    p, o = add(hub, P, "p"), add(hub, O, "o")
    hub.apply(ToggleLink(card_id=o.id, target_id=p.id))
    hub.apply(ImportCards(cards=(CardDraft(kind=C, text="c1"), CardDraft(kind=C, text="c2"))))
    hub.apply(DeleteCard(card_id=p.id))
    hub.apply(Undo())
    hub.apply(MoveCard(card_id=o.id, kind=P))
    hub.apply(AddGroup(name="New", role="other"))
    hub.apply(EditSession(title="Renamed"))
    hub.close()
    doc = json.loads(path_of(hub).read_text("utf-8"))

    cards: dict[str, dict] = {}
    groups: dict[str, dict] = {}
    meta: dict = {}
    seqs = []
    for rec in doc["events"].values():
        event = Event.from_record(rec)
        assert Event.from_record(json.loads(json.dumps(event.to_record()))) == event
        seqs.append(event.seq)
        for table, rows in event.patch.items():
            target = {"cards": cards, "groups": groups, "meta": meta}[table]
            for key, (_, after) in rows.items():
                if table == "meta":
                    meta.update(after)
                elif after is None:
                    target.pop(key)
                else:
                    target[key] = after
    assert seqs == list(range(1, len(seqs) + 1))
    assert cards == doc["cards"]
    assert groups == doc["groups"]
    assert meta["title"] == doc["meta"]["1"]["title"] == "Renamed"


def test_reopen_shows_exactly_what_was_saved(hub, folder):
    add(hub, P, "a", group_id=1, author="Ann")
    add(hub, O, "b")
    cards = {k: c.to_record() for k, c in hub.session.cards.items()}
    hub2 = reopen(folder, hub)
    try:
        assert {k: c.to_record() for k, c in hub2.session.cards.items()} == cards
        assert hub2.events[-1].seq == 3
        assert add(hub2, P, "c").id == 3
    finally:
        hub2.close()


async def test_apply_durable_waits_for_the_disk(hub):
    event = await hub.apply_durable(AddCard(card=CardDraft(kind=P, text="from the loop"), source=Source.PHONE))
    doc = json.loads(path_of(hub).read_text("utf-8"))
    assert doc["cards"][str(event.card_id)]["text"] == "from the loop"
    assert str(event.seq) in doc["events"]


async def test_many_concurrent_apply_durable(hub):
    events = await asyncio.gather(*(
        hub.apply_durable(AddCard(card=CardDraft(kind=P, text=f"note {i}"), source=Source.PHONE,
                                  request_id=f"req-{i}"))
        for i in range(100)))
    doc = json.loads(path_of(hub).read_text("utf-8"))
    assert sorted(doc["cards"][str(e.card_id)]["text"] for e in events) == sorted(f"note {i}" for i in range(100))


async def test_cancelled_durable_wait_does_not_stop_saving(hub, monkeypatch):
    """A phone that hangs up mid-save cancels its wait; the writer must survive and keep saving."""
    import time

    import coprod_tui.core.store.file as storage

    real = storage.atomic_write
    monkeypatch.setattr(storage, "atomic_write", lambda path, data: (time.sleep(0.2), real(path, data)))
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(hub.apply_durable(AddCard(card=CardDraft(kind=P, text="hung up"))), 0.01)
    event = await asyncio.wait_for(hub.apply_durable(AddCard(card=CardDraft(kind=P, text="next"))), 10)
    assert hub.storage._thread.is_alive()
    doc = json.loads(path_of(hub).read_text("utf-8"))
    assert {c["text"] for c in doc["cards"].values()} == {"hung up", "next"}
    assert str(event.seq) in doc["events"]


def test_no_write_ever_holds_half_a_command(hub, monkeypatch):
    """The writer thread snapshots while commands are applied; each snapshot must hold whole commands only
    (a card saved without its event would lose its request_id, and a phone's retry would add it twice)."""
    import coprod_tui.core.store.file as storage

    seen: list[tuple[set, set]] = []
    real = storage.encode_document

    def capturing(lines):
        events = [json.loads(line) for line in lines["events"].values()]
        seen.append((set(lines["cards"]), {str(e["card_id"]) for e in events if "card_id" in e}))
        return real(lines)

    monkeypatch.setattr(storage, "encode_document", capturing)
    for i in range(3000):
        add(hub, P, f"n{i}", source=Source.PHONE, request_id=f"r{i}")
    hub.storage.flush(30)
    assert len(seen) > 1
    assert all(cards == event_cards for cards, event_cards in seen)
    assert seen[-1][0] == {str(i) for i in range(1, 3001)}


# -- request ids -----------------------------------------------------------------------------------------------------

def test_same_request_id_returns_the_same_event_and_stores_nothing_new(hub):
    cmd = AddCard(card=CardDraft(kind=P, text="once"), source=Source.PHONE, request_id="abc-123")
    first = hub.apply(cmd)
    hub.storage.flush(5)
    before = snapshot(hub)
    bytes_before = path_of(hub).read_bytes()
    again = hub.apply(cmd)
    different_body = hub.apply(AddCard(card=CardDraft(kind=O, text="other"), source=Source.PHONE,
                                       request_id="abc-123"))
    assert again is first and different_body is first
    assert snapshot(hub) == before
    hub.storage.flush(5)
    assert path_of(hub).read_bytes() == bytes_before
    assert [c.text for c in hub.session.cards.values()] == ["once"]


def test_request_ids_are_remembered_across_reopen(hub, folder):
    first = hub.apply(AddCard(card=CardDraft(kind=P, text="once"), source=Source.PHONE, request_id="r1"))
    hub2 = reopen(folder, hub)
    try:
        again = hub2.apply(AddCard(card=CardDraft(kind=P, text="once"), source=Source.PHONE, request_id="r1"))
        assert again == first
        assert len(hub2.session.cards) == 1
    finally:
        hub2.close()


def test_a_refused_request_can_be_retried(hub):
    with pytest.raises(ValidationError):
        hub.apply(AddCard(card=CardDraft(kind=P, text=""), source=Source.PHONE, request_id="r2"))
    event = hub.apply(AddCard(card=CardDraft(kind=P, text="fixed"), source=Source.PHONE, request_id="r2"))
    assert hub.session.cards[event.card_id].text == "fixed"


@pytest.mark.parametrize("request_id", ["", "\ud800", "a\x00b", "\x1b[31m", "x" * 201, 123])
def test_bad_request_ids_are_refused_before_anything_changes(hub, request_id):
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="request_id"):
        hub.apply(AddCard(card=CardDraft(kind=P, text="t"), source=Source.PHONE, request_id=request_id))
    assert snapshot(hub) == before
    hub.storage.flush(5)
    json.loads(path_of(hub).read_text("utf-8"))


@pytest.mark.parametrize("request_id", ["👩‍👩‍👧", "[b]", '"}]},{', "x" * 200])
def test_odd_but_valid_request_ids_round_trip(hub, folder, request_id):
    first = hub.apply(AddCard(card=CardDraft(kind=P, text="t"), source=Source.PHONE, request_id=request_id))
    hub2 = reopen(folder, hub)
    try:
        assert hub2.apply(AddCard(card=CardDraft(kind=P, text="t"), request_id=request_id)) == first
    finally:
        hub2.close()


# -- read-only review ------------------------------------------------------------------------------------------------

def test_read_only_hub_refuses_every_change(hub, folder):
    add(hub, P, "a")
    sid = hub.session.meta.id
    hub.close()
    path = path_of(hub)
    before = path.read_bytes()
    review = Hub(folder.open(sid), read_only=True)
    try:
        for cmd in (AddCard(card=CardDraft(kind=P, text="x")), Undo(), EditSession(title="y"),
                    DeleteCard(card_id=1)):
            with pytest.raises(ValidationError, match="read-only"):
                review.apply(cmd)
        assert [c.text for c in review.session.cards.values()] == ["a"]
    finally:
        review.close()
    assert path.read_bytes() == before


# -- subscribers -----------------------------------------------------------------------------------------------------

def test_subscribers_receive_every_event_in_order(hub):
    seen_a: list[Event] = []
    seen_b: list[Event] = []
    hub.subscribe(seen_a.append)
    unsubscribe_b = hub.subscribe(seen_b.append)
    e1 = hub.apply(AddCard(card=CardDraft(kind=P, text="a")))
    e2 = hub.apply(Undo())
    unsubscribe_b()
    unsubscribe_b()  # twice is harmless
    e3 = hub.apply(Redo())
    with pytest.raises(ValidationError):
        hub.apply(Redo())  # refused: nobody hears about it
    hub.apply(AddCard(card=CardDraft(kind=P, text="a"), request_id="r"))
    hub.apply(AddCard(card=CardDraft(kind=P, text="a"), request_id="r"))  # a retry: no new event
    assert [e.seq for e in seen_a] == [e1.seq, e2.seq, e3.seq, e3.seq + 1]
    assert seen_b == [e1, e2]


def test_subscriber_sees_the_change_already_applied(hub):
    seen = []
    hub.subscribe(lambda e: seen.append(hub.session.cards[e.card_id].text))
    add(hub, P, "visible")
    assert seen == ["visible"]


def test_a_raising_subscriber_does_not_break_apply(hub, caplog):
    good: list[Event] = []

    def broken(event):
        raise RuntimeError("boom")

    hub.subscribe(broken)
    hub.subscribe(good.append)
    with caplog.at_level(logging.ERROR, logger="coprod_tui.core.hub"):
        event = hub.apply(AddCard(card=CardDraft(kind=P, text="still saved")))
    assert good == [event]
    assert hub.session.cards[event.card_id].text == "still saved"
    assert file_doc(hub)["cards"][str(event.card_id)]["text"] == "still saved"
    assert any("listener failed" in r.message for r in caplog.records)
    assert hub.can_undo()
