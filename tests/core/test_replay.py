"""core.replay: the board at any position of a session's history, its marks and its captions.

The oracles are independent of the code under test: the hub's own session after each command (recorded as the
commands are applied), and a plain forward replay of the afters as docs/session-format.md describes it.
"""

from __future__ import annotations

import copy
import random

import pytest

from coprod_tui.core.commands import (AddCard, AddGroup, CardDraft, DeleteCard, EditCard, EditSession, Event, MoveCard,
                                      Redo, RotateTokens, SetSubmissions, Source, SwapCards, ToggleLink, Undo)
from coprod_tui.core.hub import new_session, open_session
from coprod_tui.core.model import PLAIN_TABLES, Card, Group, Kind, Meta, Session
from coprod_tui.core.localtime import local_hm as clock_time
from coprod_tui.core.localtime import parse_stamp as parse_time
from coprod_tui.core.reading.replay import Mark, Replay, describe
from coprod_tui.core.store.folder import SessionFolder
from support.paths import SESSIONS

DEMO = "demo-carers-respite"
P, O, C = Kind.PROBLEM, Kind.OPTION, Kind.CONTRIBUTION


@pytest.fixture(scope="module")
def demo_hub(tmp_path_factory):
    """The bundled demo, copied (the bundled file must never be touched) and opened read-only."""
    folder = tmp_path_factory.mktemp("demo")
    (folder / f"{DEMO}.json").write_bytes((SESSIONS / f"{DEMO}.json").read_bytes())
    hub = open_session(SessionFolder(folder), DEMO, read_only=True)
    yield hub
    hub.close()


def plain_replay(events: list[Event], upto: int) -> Session:
    """The documented replay, written out independently: apply the afters of the first `upto` events."""
    tables: dict[str, dict[str, dict]] = {"meta": {}, "groups": {}, "cards": {}, **{t: {} for t in PLAIN_TABLES}}
    for event in events[:upto]:
        for table, rows in event.patch.items():
            for key, (_before, after) in rows.items():
                if table == "meta":
                    tables["meta"][key] = {**tables["meta"].get(key, {}), **(after or {})}
                elif after is None:
                    tables.setdefault(table, {}).pop(key, None)
                else:
                    tables.setdefault(table, {})[key] = after
    meta = Meta.from_record({**tables["meta"]["1"], "updated": events[upto - 1].at})
    return Session(meta=meta, groups={int(k): Group.from_record(r) for k, r in tables["groups"].items()},
                   cards={int(k): Card.from_record(r) for k, r in tables["cards"].items()},
                   **{t: tables[t] for t in PLAIN_TABLES})


# -- the demo ----------------------------------------------------------------------------------------------------

def test_the_last_position_is_the_hubs_session(demo_hub):
    replay = Replay(demo_hub.events)
    assert replay.total == len(demo_hub.events) > 48
    assert replay.seek(replay.total) == replay.total
    assert replay.session() == demo_hub.session


def test_forward_and_back_agree_at_every_position(demo_hub):
    events = demo_hub.events
    replay = Replay(events, checkpoint_every=10**9)  # walking only: no snapshot to hide a wrong backward step
    replay.seek(0)
    forward = []
    for position in range(replay.total + 1):
        assert replay.seek(position) == position
        forward.append(copy.deepcopy(replay.session()))
    for position in range(replay.total, -1, -1):
        replay.seek(position)
        assert replay.session() == forward[position], position
    for position in (1, 10, 17, 31, 48):
        assert forward[position] == plain_replay(events, position)


def test_jumps_land_on_the_same_board_as_steps(demo_hub):
    events = demo_hub.events
    stepped = Replay(events, checkpoint_every=10**9)
    expected = []
    for position in range(stepped.total + 1):
        stepped.seek(position)
        expected.append(copy.deepcopy(stepped.session()))
    jumper = Replay(events, checkpoint_every=5)  # many snapshots, so jumps restore them
    rng = random.Random(7)
    for _ in range(300):
        target = rng.randint(-3, stepped.total + 3)
        landed = jumper.seek(target)
        assert landed == min(max(target, 0), stepped.total)
        assert jumper.session() == expected[landed]
    assert jumper.step(-1000) == 0 and jumper.step(5) == 5 and jumper.position == 5


def test_position_zero_is_an_empty_board(demo_hub):
    replay = Replay(demo_hub.events)
    replay.seek(0)
    session = replay.session()
    assert session.cards == {} and session.groups == {} and session.meta.title == ""
    assert replay.event() is None and replay.focus_card() is None
    assert replay.describe() == ("Start: nothing on the board yet", None)
    replay.seek(1)
    assert replay.event().type == "session.create" and len(replay.session().groups) == 5
    assert replay.session().meta.updated == replay.event().at


def test_demo_captions_and_focus(demo_hub):
    events = demo_hub.events
    replay = Replay(events)
    first_note = 1 + next(i for i, e in enumerate(events) if e.type == "card.add")
    replay.seek(first_note)
    label, text = replay.describe()
    assert label == "Phone note added" and text.startswith("I only find out a respite bed")
    assert replay.focus_card() == 1
    replay.seek(1 + next(i for i, e in enumerate(events) if e.type == "card.import"))
    assert replay.describe()[0] == "2 cards imported"
    first_link = next(i for i, e in enumerate(events) if e.type == "link.add")
    replay.seek(first_link + 1)
    label, text = replay.describe()
    card_id = events[first_link].card_id
    assert label == "Link" and replay.focus_card() == card_id == 11
    [target] = events[first_link].patch["cards"]["11"][1]["links"]  # the option's first link: one problem
    assert text == f"{demo_hub.session.cards[11].text} → {demo_hub.session.cards[target].text}"
    replay.seek(2)
    assert replay.describe() == ("Phase: Problems", None)


def test_demo_marks_are_the_ends_of_its_phases(demo_hub):
    marks = Replay(demo_hub.events).marks()
    assert [m.label for m in marks] == ["End of Welcome", "End of Problems", "End of Options", "End of Contributions",
                                        "End of Plan", "End"]
    assert marks[-1] == Mark(len(demo_hub.events), "End", "end", demo_hub.events[-1].at)
    assert all(demo_hub.events[m.position].type == "phase.set" for m in marks[:-1])  # just before each change


# -- a history with every kind of change, undo and redo included ----------------------------------------------------

class StepClock:
    def __init__(self, start: int = 0, step: int = 20) -> None:
        self.seconds, self.step = start, step

    def __call__(self) -> str:
        self.seconds += self.step
        hours, rest = divmod(self.seconds, 3600)
        return f"2025-03-12T{10 + hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000+00:00"


def test_undo_redo_and_every_command_replay_exactly(tmp_path):
    clock = StepClock()
    hub = new_session(SessionFolder(tmp_path), "History", "Why?", [("Carers", "carers", None)], clock=clock)
    states = [None, copy.deepcopy(hub.session)]

    def apply(command) -> None:
        hub.apply(command)
        states.append(copy.deepcopy(hub.session))

    def add(kind: Kind, text: str, **kw) -> None:
        apply(AddCard(card=CardDraft(kind=kind, text=text, group_id=1), **kw))

    try:
        add(P, "No weekend cover")
        add(P, "Forms are long", source=Source.PHONE)
        add(O, "Volunteer sitters")
        apply(ToggleLink(card_id=3, target_id=1))
        apply(ToggleLink(card_id=3, target_id=2))
        add(C, "We can recruit")
        apply(ToggleLink(card_id=4, target_id=3))
        apply(EditCard(card_id=1, text="No cover at weekends"))
        apply(SwapCards(card_id=1, other_id=2))
        apply(DeleteCard(card_id=1))  # also rewrites option 3 without its link
        apply(Undo())                 # and the undo puts both back
        apply(Redo())
        apply(Undo())
        apply(MoveCard(card_id=3, kind=C))  # drops the option's links and the contribution's link to it
        apply(Undo())
        apply(AddGroup(name="Staff", role="practitioners"))
        apply(EditSession(title="History, renamed", question=""))
        apply(SetSubmissions(open=False))
        apply(RotateTokens())
        apply(SetSubmissions(open=True))
        apply(Undo())  # the session edit (phone controls are not on the undo stack)
        events = list(hub.events)
    finally:
        hub.close()

    replay = Replay(events, checkpoint_every=4)
    for position in list(range(len(events) + 1)) + list(range(len(events), -1, -1)) + [0, 17, 3, 21, 9]:
        replay.seek(position)
        if position == 0:
            assert replay.session().cards == {} and replay.session().groups == {}
        else:
            assert replay.session() == states[position], position
    assert [e.type for e in events].count("undo") == 4
    replay.seek(12)  # the undo of the delete
    assert replay.describe() == ("Undo: delete card", "No cover at weekends")
    assert replay.focus_card() == 1
    replay.seek(11)  # the delete itself: the card is gone, nothing to focus (not the option that lost its link)
    assert replay.focus_card() is None
    assert replay.touched(10, 11) == {P, O}  # the problem, and the option whose link went
    assert events[16].type == "group.add"
    assert replay.touched(16, 17) is None  # a group was added: every column may look different


def test_touched_columns():
    events = [
        _event(1, "10:00:00", "card.add", {"cards": {"1": (None, _card(1, "problem"))}}),
        _event(2, "10:00:10", "card.add", {"cards": {"2": (None, _card(2, "option"))}}),
        _event(3, "10:00:20", "link.add", {"cards": {"2": (_card(2, "option"), _card(2, "option", links=[1]))}}),
        _event(4, "10:00:30", "session.edit", {"meta": {"1": ({"title": "a"}, {"title": "b"})}}),
    ]
    replay = Replay(events)
    assert replay.touched(0, 1) == {P}
    assert replay.touched(2, 1) == {O}
    assert replay.touched(2, 3) == {P, O}  # the problem's link count changes too
    assert replay.touched(3, 4) == set()  # a title: no column
    assert replay.touched(-5, 99) == {P, O}


# -- marks ---------------------------------------------------------------------------------------------------------

def _card(card_id: int, kind: str, text: str = "note", links: list[int] | None = None) -> dict:
    return {"id": card_id, "kind": kind, "text": text, "group": None, "author": None, "order": float(card_id),
            "links": links or [], "hidden": False, "created": "2025-03-12T10:00:00.000+00:00", "source": "phone"}


def _event(seq: int, at: str, kind: str, patch: dict | None = None, source: str = "facilitator", **kw) -> Event:
    stamp = at if "T" in at else f"2025-03-12T{at}.000+00:00"
    return Event(seq=seq, at=stamp, source=source, type=kind, patch=patch or {}, **kw)


def _create(seq: int = 1, at: str = "10:00:00") -> Event:
    meta = {"schema_version": 1, "id": "s", "title": "T", "question": "", "created": f"2025-03-12T{at}.000+00:00",
            "updated": f"2025-03-12T{at}.000+00:00"}
    return _event(seq, at, "session.create", {"meta": {"1": (None, meta)}})


def _note(seq: int, at: str) -> Event:
    return _event(seq, at, "card.add", {"cards": {str(seq): (None, _card(seq, "problem"))}}, "phone", card_id=seq)


def _phase(seq: int, at: str, index: int, before: int) -> Event:
    return _event(seq, at, "phase.set", {"meta": {"1": ({"phase": before}, {"phase": index})}})


def test_marks_are_the_ends_of_phases_and_phones_opening_or_closing():
    renamed = [{"name": "Arrive", "prompt": "", "kind": None}, {"name": "Listen", "prompt": "", "kind": "problem"},
               {"name": "Imagine", "prompt": "", "kind": "option"}, {"name": "Commit", "prompt": "", "kind": None}]
    events = [
        _create(1, "10:00:00"),                     # no phase list in the file: the default phases
        _phase(2, "10:00:30", 1, 0),                # position 1 ends Welcome
        _note(3, "10:01:00"),
        _note(4, "10:02:00"),
        _note(5, "10:07:00"),                       # a 5-minute pause: no mark in a session with phases
        _phase(6, "10:08:00", 2, 1),                # position 5 ends Problems
        _note(7, "10:08:30"),
        _event(8, "10:09:00", "submissions.close", {"meta": {"1": ({"open": True}, {"open": False})}}),
        _event(9, "10:40:00", "phase.edit", {"meta": {"1": ({"phases": []}, {"phases": renamed})}}),
        _phase(10, "10:41:00", 3, 2),               # after the edit, phase 2 is called "Imagine"
        _event(11, "10:42:00", "submissions.open", {"meta": {"1": ({"open": False}, {"open": True})}}),
    ]
    marks = Replay(events).marks()
    assert [(m.position, m.kind, m.label) for m in marks] == [
        (1, "phase", "End of Welcome"),
        (5, "phase", "End of Problems"),
        (8, "phones", "Phones closed"),
        (9, "phase", "End of Imagine"),
        (11, "end", "End"),                         # the last position is always "End"
    ]
    replay = Replay(events)
    replay.seek(0)
    assert replay.previous_mark() is None and replay.next_mark().position == 1
    replay.seek(5)
    assert replay.previous_mark().position == 1 and replay.next_mark().position == 8
    replay.seek(10)
    assert replay.describe() == ("Phase: Commit", None)
    replay.seek(11)
    assert replay.next_mark() is None and replay.previous_mark().position == 9


def test_pause_threshold_and_long_pauses():
    events = [_create(1, "10:00:00"), _note(2, "10:02:59"), _note(3, "10:05:58"), _note(4, "11:30:00"),
              _note(5, "11:30:01")]
    marks = Replay(events).marks()
    assert [(m.position, m.label) for m in marks] == [(3, "Pause 10:05 (1 h 24 min)"), (5, "End")]
    assert Replay([]).marks() == [] and Replay([_create()]).marks() == [Mark(1, "End", "end", _create().at)]


def test_unreadable_times_never_make_pauses():
    events = [_create(1), _event(2, "yesterday-ish", "card.add", {"cards": {"2": (None, _card(2, "problem"))}}),
              _note(3, "12:00:00")]
    assert [m.label for m in Replay(events).marks()] == ["End"]


def test_parse_time_is_tolerant():
    assert parse_time("2025-03-12T10:00:01.000+00:00").hour == 10
    assert parse_time("2025-03-12T10:00:01Z") == parse_time("2025-03-12T10:00:01.000+00:00")
    assert parse_time("2025-03-12T10:00:01").tzinfo is not None  # naive: taken as UTC
    assert parse_time("") is None and parse_time("not a time") is None
    assert clock_time("2025-03-12T09:05:00.000+00:00") == "09:05"


def test_unknown_tables_are_carried_and_undone():
    """A later issue's tables (phases, votes…) replay too, so nothing is silently dropped."""
    events = [_create(), _event(2, "10:01:00", "phase.add", {"phases": {"1": (None, {"id": 1, "title": "Plan"})}})]
    replay = Replay(events)
    assert replay.record("phases", 1) == {"id": 1, "title": "Plan"}
    assert replay.touched(1, 2) is None
    replay.seek(1)
    assert replay.record("phases", 1) is None


def test_describe_labels():
    assert describe(_create()) == ("Session created", None)
    assert describe(_note(2, "10:00:00")) == ("Phone note added", "note")
    facilitator = _event(2, "10:00:00", "card.add", {"cards": {"2": (None, _card(2, "option", "x"))}}, card_id=2)
    assert describe(facilitator) == ("Add card", "x")
    imported = _event(3, "10:00:00", "card.edit", {"cards": {"2": (_card(2, "option"), _card(2, "option", "y"))}},
                      "import", card_id=2)
    assert describe(imported) == ("Edit card (import)", "y")
    assert describe(_event(4, "10:00:00", "submissions.close"))[0] == "Phones closed"
    assert describe(_event(5, "10:00:00", "undo", undoes=9))[0] == "Undo: a change"
    assert describe(_phase(6, "10:00:00", 2, 1))[0] == "Change phase"  # Replay.describe() names the phase
    assert describe(_event(7, "10:00:00", "something.new"))[0] == "Something new"


# -- speed ---------------------------------------------------------------------------------------------------------

def big_history(count: int = 5000) -> list[Event]:
    """A long session made of plain events (adds, edits, links, moves, deletes), like a busy day of phones."""
    rng = random.Random(3)
    cards: dict[int, dict] = {}
    events = [_create()]
    while len(events) < count:
        seq = len(events) + 1
        at = f"2025-03-12T{10 + seq // 3600:02d}:{seq // 60 % 60:02d}:{seq % 60:02d}.000+00:00"
        choice = rng.random()
        if choice < 0.6 or len(cards) < 20:
            card_id = max(cards, default=0) + 1
            after = _card(card_id, rng.choice(["problem", "option", "contribution"]), f"note {seq}")
            patch = {"cards": {str(card_id): (None, after)}}
        else:
            card_id = rng.choice(list(cards))
            before = cards[card_id]
            if choice < 0.8:
                after = {**before, "text": before["text"] + "!"}
            elif choice < 0.95:
                after = {**before, "kind": rng.choice(["problem", "option", "contribution"]), "links": []}
            else:
                after = None
            patch = {"cards": {str(card_id): (before, after)}}
        if after is None:
            del cards[card_id]
        else:
            cards[card_id] = after
        events.append(Event(seq=seq, at=at, source="phone", type="card.add", patch=patch, card_id=card_id))
    return events


def test_far_jumps_in_a_long_session_land_where_stepping_would():
    """Checkpoints make far jumps cheap (timings: bench/bench_review.py); here only that they land right."""
    events = big_history()
    replay = Replay(events)
    for target in (0, 5000, 0, 2500, 5000, 1234, 0):
        assert replay.seek(target) == target
        if target in (1234, 2500):
            assert replay.session() == plain_replay(events, target)
    replay.seek(5000)
    assert replay.session() == plain_replay(events, 5000)
    replay.seek(3333)
    assert replay.session() == plain_replay(events, 3333)
