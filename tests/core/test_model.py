"""The domain model: parsing kinds and roles, colours, record round trips, and the Session queries."""

from __future__ import annotations

import json

import pytest
from support.hostile import HOSTILE, HOSTILE_IDS

from coprod_tui.core.colours import GROUP_COLOURS, GROUP_GLYPHS, DEFAULT_SHADES
from coprod_tui.core.errors import CoprodError, ValidationError
from coprod_tui.core.model import (SCHEMA_VERSION, Card, Group, Kind, Meta, Role, Session, check_colour)


# -- Kind ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, kind",
    [
        ("problem", Kind.PROBLEM),
        ("Problems", Kind.PROBLEM),
        (" OPTION ", Kind.OPTION),
        ("options", Kind.OPTION),
        ("Contribution", Kind.CONTRIBUTION),
        ("\tcontributions\n", Kind.CONTRIBUTION),
        (Kind.OPTION, Kind.OPTION),
        (Kind.CONTRIBUTION, Kind.CONTRIBUTION),
    ],
)
def test_kind_parse_accepts_names_plurals_and_members(value, kind):
    assert Kind.parse(value) is kind


@pytest.mark.parametrize("value", ["", None, "idea", "problemss", "prob", "Kind.PROBLEM", 3, "[b]problem"])
def test_kind_parse_refuses_with_the_choices(value):
    with pytest.raises(ValidationError) as info:
        Kind.parse(value)
    message = str(info.value)
    assert "problem, option or contribution" in message
    assert "\n" not in message


def test_kind_columns_and_links():
    assert [k.value for k in Kind] == ["problem", "option", "contribution"]
    assert [k.label for k in Kind] == ["Problems", "Options", "Contributions"]
    assert Kind.OPTION.singular == "Option"
    assert Kind.PROBLEM.link_target is None
    assert Kind.OPTION.link_target is Kind.PROBLEM
    assert Kind.CONTRIBUTION.link_target is Kind.OPTION


# -- Role ------------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "value, role",
    [
        ("people-who-use-services", Role.PEOPLE),
        ("People who use services", Role.PEOPLE),
        ("people_who_use_services", Role.PEOPLE),
        ("people", Role.PEOPLE),
        ("Service Users", Role.PEOPLE),
        ("experts-by-experience", Role.PEOPLE),
        ("  PWUS ", Role.PEOPLE),
        ("carers", Role.CARERS),
        ("Carer", Role.CARERS),
        ("family", Role.CARERS),
        ("Carers and family", Role.CARERS),
        ("staff", Role.PRACTITIONERS),
        ("Practitioners", Role.PRACTITIONERS),
        ("professionals", Role.PRACTITIONERS),
        ("commissioners", Role.COMMISSIONERS),
        ("managers", Role.COMMISSIONERS),
        ("commissioners-and-managers", Role.COMMISSIONERS),
        ("VCSE", Role.COMMUNITY),
        ("community   and  voluntary   sector", Role.COMMUNITY),
        ("other", Role.OTHER),
        (Role.CARERS, Role.CARERS),
        (Role.OTHER, Role.OTHER),
    ],
)
def test_role_parse_accepts_values_labels_aliases_and_members(value, role):
    assert Role.parse(value) is role


@pytest.mark.parametrize("value", ["", None, "boss", "carers family", "Role.CARERS", "<script>"])
def test_role_parse_refuses_with_every_choice_listed(value):
    with pytest.raises(ValidationError) as info:
        Role.parse(value)
    message = str(info.value)
    for role in Role:
        assert role.value in message
    assert "\n" not in message


def test_role_labels_and_staff():
    assert Role.PEOPLE.label == "People who use services"
    assert {r for r in Role if r.is_staff} == {Role.PRACTITIONERS, Role.COMMISSIONERS}
    assert all(r.label for r in Role)


def test_validation_error_is_a_coprod_error():
    assert issubclass(ValidationError, CoprodError)


# -- colours ---------------------------------------------------------------------------------------------------------

def test_palette_is_complete():
    assert len(GROUP_COLOURS) == len(set(GROUP_COLOURS)) == 8
    assert set(GROUP_GLYPHS) == set(DEFAULT_SHADES) == set(GROUP_COLOURS)
    assert len(set(GROUP_GLYPHS.values())) == 8


@pytest.mark.parametrize("value, result", [("orange", "orange"), (" Sky ", "sky"), ("#AABBCC", "#aabbcc"),
                                           ("#0072b2", "#0072b2")])
def test_check_colour_accepts_slots_and_hex(value, result):
    assert check_colour(value) == result


@pytest.mark.parametrize("value", ["red", "#abc", "#gggggg", "aabbcc", "#aabbccdd", "", None, "[b]orange"])
def test_check_colour_refuses_others(value):
    with pytest.raises(ValidationError, match="Unknown colour"):
        check_colour(value)


# -- records ---------------------------------------------------------------------------------------------------------

def make_card(**changes) -> Card:
    values = dict(id=7, kind=Kind.OPTION, text="Peer support café", group_id=2, author="Sam", order=3.5,
                  created="2024-05-01T10:00:00.000+00:00", source="phone", links=[1, 4], hidden=False)
    values.update(changes)
    return Card(**values)


def test_card_record_round_trip_through_json():
    card = make_card()
    rec = card.to_record()
    assert rec == {
        "id": 7, "kind": "option", "text": "Peer support café", "group": 2, "author": "Sam", "order": 3.5,
        "links": [1, 4], "hidden": False, "created": "2024-05-01T10:00:00.000+00:00", "source": "phone",
    }
    again = Card.from_record(json.loads(json.dumps(rec)))
    assert again == card
    assert again.kind is Kind.OPTION


def test_card_record_does_not_share_the_links_list():
    card = make_card()
    rec = card.to_record()
    rec["links"].append(99)
    assert card.links == [1, 4]


def test_card_from_minimal_record_uses_defaults():
    card = Card.from_record({"id": "3", "kind": "problem", "text": "t", "order": 1, "created": "x"})
    assert card.id == 3 and card.order == 1.0
    assert card.group_id is None and card.author is None
    assert card.links == [] and card.hidden is False and card.source == "facilitator"


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_card_round_trip_keeps_any_text(text):
    card = make_card(text=text, author=text[:80])
    assert Card.from_record(card.to_record()) == card


def test_card_from_bad_record_raises():
    with pytest.raises(ValueError):
        Card.from_record({"id": 1, "kind": "idea", "text": "t", "order": 1, "created": "x"})
    with pytest.raises(KeyError):
        Card.from_record({"id": 1, "kind": "problem", "order": 1, "created": "x"})


def test_group_record_round_trip():
    group = Group(id=2, name="Carers [b]", colour="sky", role=Role.CARERS)
    rec = group.to_record()
    assert rec == {"id": 2, "name": "Carers [b]", "colour": "sky", "role": "carers-and-family"}
    assert Group.from_record(json.loads(json.dumps(rec))) == group


def test_meta_record_round_trip_and_schema_version():
    meta = Meta(id="2024-05-01-x-ab12", title="T", question="Q?", created="c", updated="u")
    rec = meta.to_record()
    assert rec["schema_version"] == SCHEMA_VERSION == 2
    assert Meta.from_record(json.loads(json.dumps(rec))) == meta


def test_meta_from_record_defaults():
    meta = Meta.from_record({"id": "x", "title": "T", "created": "c", "schema_version": 1})
    assert meta.question == "" and meta.updated == "c"


# -- Session queries -------------------------------------------------------------------------------------------------

@pytest.fixture
def session() -> Session:
    s = Session(meta=Meta(id="s", title="T", question="", created="c", updated="c"))
    s.groups = {1: Group(1, "Carers", "orange", Role.CARERS), 2: Group(2, "Staff Team", "sky", Role.PRACTITIONERS)}
    s.cards = {
        1: make_card(id=1, kind=Kind.PROBLEM, order=2.0, group_id=1, links=[]),
        2: make_card(id=2, kind=Kind.PROBLEM, order=1.0, group_id=None, links=[]),
        3: make_card(id=3, kind=Kind.PROBLEM, order=2.0, group_id=2, links=[]),
        4: make_card(id=4, kind=Kind.OPTION, order=1.0, group_id=1, links=[1, 3]),
        5: make_card(id=5, kind=Kind.OPTION, order=2.0, group_id=2, links=[1]),
        6: make_card(id=6, kind=Kind.CONTRIBUTION, order=1.0, group_id=None, links=[4]),
    }
    return s


def test_column_orders_by_order_then_id(session):
    assert [c.id for c in session.column(Kind.PROBLEM)] == [2, 1, 3]
    assert [c.id for c in session.column(Kind.OPTION)] == [4, 5]
    assert [c.id for c in session.column(Kind.CONTRIBUTION)] == [6]


def test_column_narrowed_to_a_group_or_to_no_group(session):
    assert [c.id for c in session.column(Kind.PROBLEM, 1)] == [1]
    assert [c.id for c in session.column(Kind.PROBLEM, None)] == [2]
    assert session.column(Kind.CONTRIBUTION, 2) == []


def test_group_named_ignores_case_and_spacing(session):
    assert session.group_named("  staff   TEAM ").id == 2
    assert session.group_named("CARERS").id == 1
    assert session.group_named("carer") is None


def test_group_of(session):
    assert session.group_of(session.cards[1]).name == "Carers"
    assert session.group_of(session.cards[2]) is None


def test_linked_from(session):
    assert [c.id for c in session.linked_from(1)] == [4, 5]
    assert [c.id for c in session.linked_from(3)] == [4]
    assert [c.id for c in session.linked_from(4)] == [6]
    assert session.linked_from(6) == []


def test_next_id(session):
    assert session.next_id(session.cards) == 7
    assert session.next_id({}) == 1
