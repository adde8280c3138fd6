"""The hub: every command, undo/redo, idempotent requests, read-only review, subscribers, and hostile input."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
from hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected, rejection_words

from coprod_tui.core import text as T
from coprod_tui.core.commands import (AddCard, AddGroup, CardDraft, Command, DeleteCard, EditCard, EditGroup,
                                      EditSession, Event, ImportCards, MoveCard, Redo, SetCardGroup, Source,
                                      SwapCards, ToggleLink, Undo)
from coprod_tui.core.errors import NotFound, UnreadableSession, ValidationError
from coprod_tui.core.hub import Hub, new_session
from coprod_tui.core.model import Card, Group, Kind, Role
from coprod_tui.core.store import SessionFolder

P, O, C = Kind.PROBLEM, Kind.OPTION, Kind.CONTRIBUTION


class Clock:
    """A deterministic clock: each call is one second later."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"2024-05-01T10:{self.n // 60:02d}:{self.n % 60:02d}.000+00:00"


@pytest.fixture
def folder(tmp_path) -> SessionFolder:
    return SessionFolder(tmp_path / "sessions")


@pytest.fixture
def hub(folder):
    h = new_session(folder, "Mental health crisis support", "What gets in the way?",
                    [("Carers", "carers", None), ("Staff", "practitioners", None)], clock=Clock())
    yield h
    h.close()


def path_of(hub: Hub) -> Path:
    return hub.storage.path


def reopen(folder: SessionFolder, hub: Hub, **kwargs) -> Hub:
    hub.close()
    return Hub(folder.open(hub.session.meta.id), **kwargs)


def add(hub: Hub, kind: Kind, text: str, **kwargs) -> Card:
    source = kwargs.pop("source", Source.FACILITATOR)
    request_id = kwargs.pop("request_id", None)
    event = hub.apply(AddCard(card=CardDraft(kind=kind, text=text, **kwargs), source=source, request_id=request_id))
    return hub.session.cards[event.card_id]


def snapshot(hub: Hub) -> tuple:
    """Everything a command could change, to prove a refused command changed nothing."""
    return (
        {k: c.to_record() for k, c in hub.session.cards.items()},
        {k: g.to_record() for k, g in hub.session.groups.items()},
        hub.session.meta.to_record(),
        len(hub.events),
        hub.can_undo(),
        hub.can_redo(),
        json.dumps(hub.storage.read(), sort_keys=True),
    )


def file_doc(hub: Hub) -> dict:
    hub.storage.flush(5)
    return json.loads(path_of(hub).read_text("utf-8"))


def links(hub: Hub, card: Card) -> list[int]:
    return hub.session.cards[card.id].links


# -- a new session ---------------------------------------------------------------------------------------------------

def test_new_session_writes_its_file(hub, folder):
    meta = hub.session.meta
    assert meta.title == "Mental health crisis support" and meta.question == "What gets in the way?"
    assert meta.id.startswith("2024-05-01-mental-health-crisis-support-")
    assert [(g.id, g.name, g.role, g.colour) for g in hub.session.groups.values()] == [
        (1, "Carers", Role.CARERS, "orange"), (2, "Staff", Role.PRACTITIONERS, "sky")]
    doc = json.loads(path_of(hub).read_text("utf-8"))  # written before new_session returns
    assert doc["meta"]["1"]["schema_version"] == 1
    assert doc["meta"]["1"]["id"] == meta.id
    assert set(doc["groups"]) == {"1", "2"}
    assert [e["type"] for e in doc["events"].values()] == ["session.create"]
    assert not hub.can_undo() and not hub.can_redo()
    assert [s.id for s in folder.list()] == [meta.id]


@pytest.mark.parametrize("groups, message", [
    ([("Carers", "boss", None)], "Unknown role"),
    ([("Carers", "carers", None), (" carers ", "people", None)], "already a group called"),
    ([("Carers", "carers", "red")], "Unknown colour"),
    ([("", "carers", None)], "Group name can't be empty"),
])
def test_new_session_checks_everything_before_writing(folder, groups, message):
    with pytest.raises(ValidationError, match=message):
        new_session(folder, "Title", groups=groups)
    assert not folder.folder.exists() or list(folder.folder.iterdir()) == []


def test_new_session_refuses_an_empty_title(folder):
    with pytest.raises(ValidationError, match="Title can't be empty"):
        new_session(folder, " \n ")


# -- adding ----------------------------------------------------------------------------------------------------------

def test_add_card(hub):
    event = hub.apply(AddCard(card=CardDraft(kind=P, text="  Long waits  ", group_id=1, author=" Sam "),
                              source=Source.PHONE))
    assert event.type == "card.add" and event.seq == 2 and event.source == "phone"
    card = hub.session.cards[event.card_id]
    assert (card.id, card.kind, card.text, card.group_id, card.author, card.source) == (
        1, P, "Long waits", 1, "Sam", "phone")
    assert event.patch == {"cards": {"1": (None, card.to_record())}}
    assert file_doc(hub)["cards"]["1"]["text"] == "Long waits"


def test_add_card_puts_each_column_in_arrival_order(hub):
    a, b = add(hub, P, "a"), add(hub, P, "b")
    x = add(hub, O, "x")
    c = add(hub, P, "c")
    assert [k.id for k in hub.session.column(P)] == [a.id, b.id, c.id]
    assert x.order == 1.0 and c.order == 3.0


def test_add_card_accepts_kind_as_text(hub):
    assert add(hub, "Options", "x").kind is O


@pytest.mark.parametrize("draft, error, message", [
    (CardDraft(kind=P, text="x", group_id=99), ValidationError, "Unknown group"),
    (CardDraft(kind="idea", text="x"), ValidationError, "Unknown kind"),
    (CardDraft(kind=P, text=""), ValidationError, "Card text can't be empty"),
    (CardDraft(kind=P, text="x" * 2001), ValidationError, "limit is 2,000"),
    (CardDraft(kind=P, text="x", author="a" * 81), ValidationError, "Name is 81"),
    (CardDraft(kind=P, text=None), ValidationError, "empty"),
    (CardDraft(kind=P, text=12), ValidationError, "must be text"),
])
def test_add_card_refusals_change_nothing(hub, draft, error, message):
    before = snapshot(hub)
    with pytest.raises(error, match=message):
        hub.apply(AddCard(card=draft))
    assert snapshot(hub) == before


def test_unknown_command_is_refused(hub):
    @dataclass(frozen=True, kw_only=True)
    class Bogus(Command):
        pass

    with pytest.raises(ValidationError, match="Unknown command Bogus"):
        hub.apply(Bogus())


# -- import ----------------------------------------------------------------------------------------------------------

def test_import_is_one_event_and_one_undo_step(hub):
    add(hub, P, "already here")
    event = hub.apply(ImportCards(cards=(
        CardDraft(kind=P, text="p1", group_id=1),
        CardDraft(kind=O, text="o1"),
        CardDraft(kind=P, text="p2", author="Ann"),
    ), source=Source.IMPORT))
    assert event.type == "card.import" and event.card_id == 2
    assert sorted(event.patch["cards"]) == ["2", "3", "4"]
    assert [c.text for c in hub.session.column(P)] == ["already here", "p1", "p2"]
    assert [c.order for c in hub.session.column(P)] == [1.0, 2.0, 3.0]
    assert hub.session.cards[3].order == 1.0
    assert {c.source for c in hub.session.cards.values() if c.id > 1} == {"import"}

    # An import is a change by the facilitator's hand only when its source is the facilitator; do one that is.
    event = hub.apply(ImportCards(cards=(CardDraft(kind=C, text="c1"), CardDraft(kind=C, text="c2"))))
    assert hub.describe_undo() == "import"
    hub.apply(Undo())
    assert [c.text for c in hub.session.column(C)] == []
    assert len(hub.session.cards) == 4
    hub.apply(Redo())
    assert [c.text for c in hub.session.column(C)] == ["c1", "c2"]


def test_import_with_one_bad_row_adds_nothing(hub):
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="limit is 2,000"):
        hub.apply(ImportCards(cards=(CardDraft(kind=P, text="fine"), CardDraft(kind=P, text="x" * 3000))))
    with pytest.raises(ValidationError, match="Unknown group"):
        hub.apply(ImportCards(cards=(CardDraft(kind=P, text="fine"), CardDraft(kind=P, text="x", group_id=5))))
    with pytest.raises(ValidationError, match="Nothing to import"):
        hub.apply(ImportCards(cards=()))
    assert snapshot(hub) == before


# -- edit and delete -------------------------------------------------------------------------------------------------

def test_edit_card(hub):
    card = add(hub, P, "old", author="Sam")
    event = hub.apply(EditCard(card_id=card.id, text=" new\r\ntext ", author="Sam"))
    assert event.type == "card.edit" and event.card_id == card.id
    assert hub.session.cards[card.id].text == "new\ntext"
    assert event.patch["cards"][str(card.id)][0]["text"] == "old"
    hub.apply(Undo())
    assert hub.session.cards[card.id].text == "old"


def test_edit_card_refusals(hub):
    card = add(hub, P, "same", author="Sam")
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="Nothing changed"):
        hub.apply(EditCard(card_id=card.id, text="  same ", author="Sam"))
    with pytest.raises(NotFound):
        hub.apply(EditCard(card_id=999, text="x"))
    with pytest.raises(ValidationError, match="limit is 2,000"):
        hub.apply(EditCard(card_id=card.id, text="x" * 2001, author="Sam"))
    with pytest.raises(ValidationError, match="empty"):
        hub.apply(EditCard(card_id=card.id, text="\x1b", author="Sam"))
    assert snapshot(hub) == before


def test_delete_removes_links_pointing_at_the_card_and_undo_restores_them(hub):
    p1, p2 = add(hub, P, "p1"), add(hub, P, "p2")
    o1, o2 = add(hub, O, "o1"), add(hub, O, "o2")
    c1 = add(hub, C, "c1")
    for card, target in ((o1, p1), (o1, p2), (o2, p1), (c1, o1)):
        hub.apply(ToggleLink(card_id=card.id, target_id=target.id))
    assert links(hub, o1) == [p1.id, p2.id] and links(hub, o2) == [p1.id]

    event = hub.apply(DeleteCard(card_id=p1.id))
    assert event.type == "card.delete"
    assert p1.id not in hub.session.cards
    assert links(hub, o1) == [p2.id] and links(hub, o2) == [] and links(hub, c1) == [o1.id]
    doc = file_doc(hub)
    assert str(p1.id) not in doc["cards"]
    assert doc["cards"][str(o1.id)]["links"] == [p2.id]

    hub.apply(Undo())
    assert hub.session.cards[p1.id].text == "p1"
    assert links(hub, o1) == [p1.id, p2.id] and links(hub, o2) == [p1.id]
    assert file_doc(hub)["cards"][str(o2.id)]["links"] == [p1.id]

    hub.apply(Redo())
    assert p1.id not in hub.session.cards and links(hub, o2) == []


def test_delete_unknown_card(hub):
    with pytest.raises(NotFound, match="no longer exists"):
        hub.apply(DeleteCard(card_id=1))


# -- move ------------------------------------------------------------------------------------------------------------

def test_move_drops_invalid_links_both_ways_and_undo_restores(hub):
    p = add(hub, P, "p")
    o = add(hub, O, "o")
    c = add(hub, C, "c")
    o_other = add(hub, O, "o-other")
    hub.apply(ToggleLink(card_id=o.id, target_id=p.id))
    hub.apply(ToggleLink(card_id=c.id, target_id=o.id))
    hub.apply(ToggleLink(card_id=o_other.id, target_id=p.id))
    before = {k: v.to_record() for k, v in hub.session.cards.items()}

    # The option becomes a problem: its own links (to a problem) and the contribution's link to it both go.
    event = hub.apply(MoveCard(card_id=o.id, kind=P))
    assert event.type == "card.move"
    moved = hub.session.cards[o.id]
    assert moved.kind is P and moved.links == [] and moved.order == 2.0
    assert links(hub, c) == [] and links(hub, o_other) == [p.id]
    assert [k.id for k in hub.session.column(P)] == [p.id, o.id]

    hub.apply(Undo())
    assert {k: v.to_record() for k, v in hub.session.cards.items()} == before


def test_move_a_problem_drops_options_pointing_at_it(hub):
    p = add(hub, P, "p")
    o = add(hub, O, "o")
    hub.apply(ToggleLink(card_id=o.id, target_id=p.id))
    hub.apply(MoveCard(card_id=p.id, kind="contribution"))
    assert hub.session.cards[p.id].kind is C and links(hub, o) == []
    # Now a contribution, it may serve the option.
    hub.apply(ToggleLink(card_id=p.id, target_id=o.id))
    assert links(hub, p) == [o.id]


def test_move_refusals(hub):
    p = add(hub, P, "p")
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="already in Problems"):
        hub.apply(MoveCard(card_id=p.id, kind=P))
    with pytest.raises(ValidationError, match="Unknown kind"):
        hub.apply(MoveCard(card_id=p.id, kind="ideas"))
    with pytest.raises(NotFound):
        hub.apply(MoveCard(card_id=42, kind=O))
    assert snapshot(hub) == before


# -- reorder and groups ----------------------------------------------------------------------------------------------

def test_swap_reorders_and_undo(hub):
    a, b, c = add(hub, P, "a"), add(hub, P, "b"), add(hub, P, "c")
    event = hub.apply(SwapCards(card_id=c.id, other_id=b.id))
    assert event.type == "card.reorder" and event.card_id == c.id
    assert [k.text for k in hub.session.column(P)] == ["a", "c", "b"]
    hub.apply(Undo())
    assert [k.text for k in hub.session.column(P)] == ["a", "b", "c"]


def test_swap_with_equal_orders_still_changes_places(hub):
    a, b = add(hub, P, "a"), add(hub, P, "b")
    o = add(hub, O, "o")
    hub.apply(MoveCard(card_id=o.id, kind=P))  # order 3.0
    hub.apply(SwapCards(card_id=b.id, other_id=o.id))
    assert [k.text for k in hub.session.column(P)] == ["a", "o", "b"]
    # Force a tie through two swaps and check the pair still flips.
    x, y = hub.session.column(P)[1], hub.session.column(P)[2]
    hub.session.cards[y.id].order = x.order  # not via the hub: simulate a tie left by an old file
    first = hub.session.column(P)[1].id
    hub.apply(SwapCards(card_id=x.id, other_id=y.id))
    assert hub.session.column(P)[1].id != first


def test_swap_refusals(hub):
    p, o = add(hub, P, "p"), add(hub, O, "o")
    with pytest.raises(ValidationError, match="within one column"):
        hub.apply(SwapCards(card_id=p.id, other_id=o.id))
    with pytest.raises(ValidationError, match="within one column"):
        hub.apply(SwapCards(card_id=p.id, other_id=p.id))
    with pytest.raises(NotFound):
        hub.apply(SwapCards(card_id=p.id, other_id=77))


def test_set_card_group(hub):
    card = add(hub, P, "p")
    event = hub.apply(SetCardGroup(card_id=card.id, group_id=2))
    assert event.type == "card.group" and hub.session.cards[card.id].group_id == 2
    hub.apply(SetCardGroup(card_id=card.id, group_id=None))
    assert hub.session.cards[card.id].group_id is None
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="already in that group"):
        hub.apply(SetCardGroup(card_id=card.id, group_id=None))
    with pytest.raises(ValidationError, match="Unknown group"):
        hub.apply(SetCardGroup(card_id=card.id, group_id=9))
    assert snapshot(hub) == before
    hub.apply(Undo())
    assert hub.session.cards[card.id].group_id == 2


# -- links -----------------------------------------------------------------------------------------------------------

def test_toggle_link_adds_then_removes(hub):
    p, o, c = add(hub, P, "p"), add(hub, O, "o"), add(hub, C, "c")
    assert hub.apply(ToggleLink(card_id=o.id, target_id=p.id)).type == "link.add"
    assert hub.apply(ToggleLink(card_id=c.id, target_id=o.id)).type == "link.add"
    assert links(hub, o) == [p.id] and links(hub, c) == [o.id]
    assert hub.apply(ToggleLink(card_id=o.id, target_id=p.id)).type == "link.remove"
    assert links(hub, o) == []
    assert hub.describe_undo() == "unlink"


@pytest.mark.parametrize("source_kind, target_kind", [
    (P, P), (P, O), (P, C), (O, O), (O, C), (C, P), (C, C),
])
def test_toggle_link_only_option_to_problem_or_contribution_to_option(hub, source_kind, target_kind):
    a = add(hub, source_kind, "a")
    b = add(hub, target_kind, "b")
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="Link an option to a problem"):
        hub.apply(ToggleLink(card_id=a.id, target_id=b.id))
    assert snapshot(hub) == before


def test_toggle_link_to_missing_card(hub):
    o = add(hub, O, "o")
    with pytest.raises(NotFound):
        hub.apply(ToggleLink(card_id=o.id, target_id=50))


# -- groups and session ----------------------------------------------------------------------------------------------

def test_add_group_defaults_to_the_next_free_colour(hub):
    event = hub.apply(AddGroup(name="  Service   users ", role="people"))
    assert event.type == "group.add" and event.card_id is None
    group = hub.session.groups[3]
    assert (group.name, group.role, group.colour) == ("Service users", Role.PEOPLE, "green")
    hub.apply(AddGroup(name="Managers", role=Role.COMMISSIONERS, colour="#ABCDEF"))
    assert hub.session.groups[4].colour == "#abcdef" and hub.session.groups[4].role is Role.COMMISSIONERS
    assert file_doc(hub)["groups"]["4"]["role"] == "commissioners-and-managers"


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="carers", role="carers"), "already a group called 'carers'"),
    (dict(name="New", role="boss"), "Unknown role"),
    (dict(name="New", role="carers", colour="mauve"), "Unknown colour"),
    (dict(name="\n", role="carers"), "Group name can't be empty"),
    (dict(name="n" * 61, role="carers"), "Group name is 61 characters"),
])
def test_add_group_refusals(hub, kwargs, message):
    before = snapshot(hub)
    with pytest.raises(ValidationError, match=message):
        hub.apply(AddGroup(**kwargs))
    assert snapshot(hub) == before


def test_undo_add_group_refused_while_cards_belong_to_it(hub):
    hub.apply(AddGroup(name="Community", role="community"))
    card = add(hub, P, "p", group_id=3, source=Source.PHONE)
    with pytest.raises(ValidationError, match="cards belong to it"):
        hub.apply(Undo())
    hub.apply(SetCardGroup(card_id=card.id, group_id=None, source=Source.PHONE))
    hub.apply(Undo())
    assert 3 not in hub.session.groups


def test_edit_group(hub):
    event = hub.apply(EditGroup(group_id=1, name="Family carers", role="family", colour="yellow"))
    assert event.type == "group.edit"
    assert hub.session.groups[1] == Group(1, "Family carers", "yellow", Role.CARERS)
    hub.apply(EditGroup(group_id=1, name="FAMILY CARERS"))  # a new spelling of its own name is fine
    assert hub.session.groups[1].name == "FAMILY CARERS"
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="already a group called 'staff'"):
        hub.apply(EditGroup(group_id=1, name="staff"))
    with pytest.raises(ValidationError, match="Nothing changed"):
        hub.apply(EditGroup(group_id=1))
    with pytest.raises(NotFound, match="group no longer exists"):
        hub.apply(EditGroup(group_id=9, name="x"))
    assert snapshot(hub) == before
    hub.apply(Undo())
    hub.apply(Undo())
    assert hub.session.groups[1] == Group(1, "Carers", "orange", Role.CARERS)


def test_edit_session(hub):
    event = hub.apply(EditSession(title=" New\ntitle ", question="Q1\nQ2"))
    assert event.type == "session.edit"
    assert hub.session.meta.title == "New title" and hub.session.meta.question == "Q1\nQ2"
    assert file_doc(hub)["meta"]["1"]["title"] == "New title"
    before = snapshot(hub)
    with pytest.raises(ValidationError, match="Nothing changed"):
        hub.apply(EditSession(title="New title"))
    with pytest.raises(ValidationError, match="Title can't be empty"):
        hub.apply(EditSession(title=""))
    with pytest.raises(ValidationError, match="Question is 1,001"):
        hub.apply(EditSession(question="q" * 1001))
    assert snapshot(hub) == before
    hub.apply(EditSession(question=""))
    assert hub.session.meta.question == ""
    hub.apply(Undo())
    hub.apply(Undo())
    assert (hub.session.meta.title, hub.session.meta.question) == ("Mental health crisis support",
                                                                  "What gets in the way?")
    assert file_doc(hub)["meta"]["1"]["title"] == "Mental health crisis support"


def test_every_change_updates_the_session_time(hub):
    before = hub.session.meta.updated
    event = hub.apply(AddGroup(name="x", role="other"))
    assert hub.session.meta.updated == event.at != before
    assert file_doc(hub)["meta"]["1"]["updated"] == event.at


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

    import coprod_tui.core.storage as storage

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
    import coprod_tui.core.storage as storage

    seen: list[tuple[set, set]] = []
    real = storage.render

    def capturing(lines):
        events = [json.loads(line) for line in lines["events"].values()]
        seen.append((set(lines["cards"]), {str(e["card_id"]) for e in events if "card_id" in e}))
        return real(lines)

    monkeypatch.setattr(storage, "render", capturing)
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


# -- damaged files ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("doc", [
    {"meta": {"1": {"schema_version": 1}}},
    {"meta": {"1": {"schema_version": 1, "id": "x", "title": "t", "created": "c"}},
     "cards": {"1": {"id": 1, "kind": "idea", "text": "t", "order": 1, "created": "c"}}},
    {"meta": {"1": {"schema_version": 1, "id": "x", "title": "t", "created": "c"}},
     "groups": {"1": {"id": 1, "name": "g", "colour": "orange", "role": "boss"}}},
    {"meta": {"1": {"schema_version": 1, "id": "x", "title": "t", "created": "c"}},
     "events": {"1": {"seq": "one", "at": "c", "source": "facilitator", "type": "x"}}},
])
def test_hub_refuses_a_file_with_foreign_records(folder, doc):
    folder.folder.mkdir(parents=True)
    path = folder.folder / "odd.json"
    path.write_text(json.dumps(doc))
    before = path.read_bytes()
    with pytest.raises(UnreadableSession) as info:
        Hub(folder.open("odd"))
    assert "odd.json is damaged" in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == before


# -- hostile text ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_card_text(hub, folder, text):
    if rejected(text):
        hub.storage.flush(5)
        before, file_before = snapshot(hub), path_of(hub).read_bytes()
        with pytest.raises(ValidationError, match=rejection_words(text)) as info:
            hub.apply(AddCard(card=CardDraft(kind=P, text=text), source=Source.PHONE, request_id="h"))
        assert str(info.value).startswith("Card text ")
        assert snapshot(hub) == before
        hub.storage.flush(5)
        assert path_of(hub).read_bytes() == file_before
        return
    card = add(hub, P, text, source=Source.PHONE)
    assert card.text == expected_stored(text)
    hub2 = reopen(folder, hub)
    try:
        assert hub2.session.cards[card.id].text == expected_stored(text)
        json.loads(path_of(hub2).read_text("utf-8"))
        edited = "edited: " + text[:1900]
        hub2.apply(EditCard(card_id=card.id, text=edited))
        assert hub2.session.cards[card.id].text == expected_stored(edited)
    finally:
        hub2.close()


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_titles_names_and_authors(hub, folder, text):
    single = expected_stored(text, multiline=False)
    multi = expected_stored(text)
    if rejected(text, T.TITLE_LIMIT, multiline=False):
        before = snapshot(hub)
        with pytest.raises(ValidationError, match=rejection_words(text, T.TITLE_LIMIT, multiline=False)):
            hub.apply(EditSession(title=text))
        assert snapshot(hub) == before
    elif single != hub.session.meta.title:
        hub.apply(EditSession(title=text))
        assert hub.session.meta.title == single

    if rejected(text, T.NAME_LIMIT, multiline=False):
        before = snapshot(hub)
        with pytest.raises(ValidationError, match=rejection_words(text, T.NAME_LIMIT, multiline=False)):
            hub.apply(AddGroup(name=text, role="other"))
        assert snapshot(hub) == before
    else:
        event = hub.apply(AddGroup(name=text, role="other"))
        group_id = int(next(iter(event.patch["groups"])))
        assert hub.session.groups[group_id].name == single

    if len(single) > T.AUTHOR_LIMIT:
        with pytest.raises(ValidationError, match="Name is"):
            add(hub, O, "by someone", author=text)
    else:
        card = add(hub, O, "by someone", author=text)
        assert card.author == (single or None)

    if not rejected(text, T.QUESTION_LIMIT) and multi != hub.session.meta.question:
        hub.apply(EditSession(question=text))
        assert hub.session.meta.question == multi

    hub2 = reopen(folder, hub)
    try:
        assert hub2.session.meta.to_record() == hub.session.meta.to_record()
        assert hub2.session.groups == hub.session.groups
        assert [s.id for s in folder.list()] == [hub.session.meta.id]
    finally:
        hub2.close()


def test_hostile_import_is_one_step(hub, folder):
    accepted = [t for t in HOSTILE if not rejected(t)]
    event = hub.apply(ImportCards(cards=tuple(CardDraft(kind=P, text=t) for t in accepted)))
    assert len(event.patch["cards"]) == len(accepted)
    hub2 = reopen(folder, hub)
    try:
        assert [c.text for c in hub2.session.column(P)] == [expected_stored(t) for t in accepted]
        hub2.apply(Undo())
        assert hub2.session.cards == {}
    finally:
        hub2.close()


def test_hostile_session_title_at_creation(folder):
    for text in HOSTILE:
        if rejected(text, T.TITLE_LIMIT, multiline=False):
            with pytest.raises(ValidationError):
                new_session(folder, text)
            continue
        hub = new_session(folder, text, question="q")
        try:
            assert hub.session.meta.title == expected_stored(text, multiline=False)
            assert folder.path_for(hub.session.meta.id).parent == folder.folder
        finally:
            hub.close()
    summaries = folder.list()
    assert all(s.readable for s in summaries)
    assert len(summaries) == sum(not rejected(t, T.TITLE_LIMIT, multiline=False) for t in HOSTILE)
