"""The hub: a new session and every board command (add, import, edit, delete, move, reorder, groups, links)."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from coprod_tui.core.model import SCHEMA_VERSION
from coprod_tui.core.commands import (AddCard, AddGroup, CardDraft, Command, DeleteCard, EditCard, EditGroup,
                                      EditSession, ImportCards, MoveCard, Redo, SetCardGroup, Source, SwapCards,
                                      ToggleLink, Undo)
from coprod_tui.core.errors import NotFound, ValidationError
from coprod_tui.core.hub import new_session
from coprod_tui.core.model import Group, Role
from support.hub import add, C, file_doc, folder, hub, links, O, P, path_of, snapshot  # noqa: F401  (fixtures: folder, hub)


# -- a new session ---------------------------------------------------------------------------------------------------

def test_new_session_writes_its_file(hub, folder):
    meta = hub.session.meta
    assert meta.title == "Mental health crisis support" and meta.question == "What gets in the way?"
    assert meta.id.startswith("2024-05-01-mental-health-crisis-support-")
    assert [(g.id, g.name, g.role, g.colour) for g in hub.session.groups.values()] == [
        (1, "Carers", Role.CARERS, "orange"), (2, "Staff", Role.PRACTITIONERS, "sky")]
    doc = json.loads(path_of(hub).read_text("utf-8"))  # written before new_session returns
    assert doc["meta"]["1"]["schema_version"] == SCHEMA_VERSION
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


def test_a_new_card_goes_last_in_its_column_whatever_happened_before(hub):
    """`end_of` keeps each column's highest order as cards change instead of scanning every card (a burst of notes
    was quadratic): after any mix of adds, imports, moves, swaps, deletes, undos and redos it must still equal the
    plain definition."""
    import random

    from coprod_tui.core.commands import ImportCards, MoveCard, Redo, SwapCards, Undo
    from coprod_tui.core.model import Kind

    rng = random.Random(7)
    kinds = list(Kind)
    for step in range(400):
        ids = list(hub.session.cards)
        choice = rng.random()
        try:
            if choice < 0.3 or not ids:
                hub.apply(AddCard(card=CardDraft(kind=rng.choice(kinds), text=f"card {step}")))
            elif choice < 0.35:
                hub.apply(ImportCards(cards=tuple(CardDraft(kind=rng.choice(kinds), text=f"imported {step}.{i}")
                                                  for i in range(3))))
            elif choice < 0.5:
                hub.apply(MoveCard(card_id=rng.choice(ids), kind=rng.choice(kinds)))
            elif choice < 0.6:
                card = hub.session.cards[rng.choice(ids)]
                column = [c.id for c in hub.session.column(card.kind)]
                if len(column) > 1:
                    hub.apply(SwapCards(card_id=card.id, other_id=rng.choice([i for i in column if i != card.id])))
            elif choice < 0.75:
                hub.apply(DeleteCard(card_id=rng.choice(ids)))
            elif choice < 0.9:
                hub.apply(Undo())
            else:
                hub.apply(Redo())
        except (NotFound, ValidationError):
            pass  # nothing to undo / redo: refused, nothing changed
        for kind in kinds:
            plain = max((c.order for c in hub.session.cards.values() if c.kind is kind), default=0.0) + 1.0
            assert hub.context().end_of(kind) == plain, (step, kind)
