"""Running a session over time: every facilitator command undoes and redoes, every event replays, and a
version-1 file opens and is upgraded by its first change."""

from __future__ import annotations

import json

import pytest

from support.hub_run import *  # noqa: F401,F403  (fixtures, clock, phones, command builders)
from support.hub_run import _everything  # noqa: F401


# -- every facilitator command undoes and redoes ---------------------------------------------------------------------

def _nothing(hub, clock):
    return {}


def _last_phase(hub, clock):
    hub.apply(SetPhase(index=5))
    return {}


def _problems(hub, clock):
    a, b = note(hub, P, "a", group=1), note(hub, P, "b", group=2)
    option = note(hub, O, "o")
    hub.apply(ToggleLink(card_id=option.id, target_id=a.id))
    return {"a": a.id, "b": b.id, "o": option.id}


def _cluster(hub, clock):
    made = _problems(hub, clock)
    made["cluster"] = merge(hub, note(hub, P, "x"), hub.session.cards[made["b"]]).id
    hub.apply(ToggleLink(card_id=made["o"], target_id=made["cluster"]))
    return made


def _holding(hub, clock):
    hub.apply(HoldNotes())
    note(hub, P, "held", phone=ALICE)
    note(hub, O, "held too")
    return {}


def _voting(hub, clock):
    made = _problems(hub, clock)
    open_round(hub)
    vote(hub, made["a"])
    return made


def _revealed(hub, clock):
    _voting(hub, clock)
    hub.apply(RevealVotes())
    return {}


def _timer(hub, clock):
    hub.apply(StartTimer(seconds=300, label="Write"))
    clock.tick(100)
    return {}


def _paused(hub, clock):
    _timer(hub, clock)
    hub.apply(PauseTimer())
    clock.tick(20)
    return {}


def _breakout(hub, clock):
    hub.apply(StartBreakout())
    made = {"picked": note(hub, P, "picked", phone=ALICE, group=1).id,
            "left": note(hub, P, "left", phone=BOB, group=2).id}
    hub.apply(pick(hub.session.cards[made["picked"]]))
    return made


def _parked_after_breakout(hub, clock):
    made = _breakout(hub, clock)
    hub.apply(EndBreakout())
    return made


def _picked(hub, clock):
    made = _problems(hub, clock)
    hub.apply(PickCard(card_id=made["a"]))
    return made


UNDOABLE = [
    ("phase.set", _nothing, lambda m: SetPhase(index=2)),
    ("phase.edit", _last_phase, lambda m: EditPhases(phases=(Phase("A"), Phase("B")))),
    ("notes.hold", _nothing, lambda m: HoldNotes()),
    ("notes.unhold", _holding, lambda m: HoldNotes(hold=False)),
    ("notes.reveal", _holding, lambda m: RevealNotes()),
    ("vote.open", _problems, lambda m: OpenVoting(kind=O, per_person=4, per_card=2)),
    ("vote.close", _voting, lambda m: CloseVoting()),
    ("vote.reveal", _voting, lambda m: RevealVotes()),
    ("vote.conceal", _revealed, lambda m: RevealVotes(revealed=False)),
    ("cluster.merge", _problems, lambda m: MergeCards(card_ids=(m["b"], m["a"]), title="Waits")),
    ("cluster.merge", _cluster, lambda m: MergeCards(card_ids=(m["cluster"], m["a"]), title="Renamed")),
    ("cluster.split", _cluster, lambda m: SplitCluster(cluster_id=m["cluster"])),
    ("timer.start", _timer, lambda m: StartTimer(seconds=60, label="Again")),
    ("timer.pause", _timer, lambda m: PauseTimer()),
    ("timer.resume", _paused, lambda m: ResumeTimer()),
    ("timer.extend", _timer, lambda m: ExtendTimer(seconds=120)),
    ("timer.extend", _paused, lambda m: ExtendTimer(seconds=120)),
    ("timer.stop", _paused, lambda m: StopTimer()),
    ("breakout.start", _problems, lambda m: StartBreakout()),
    ("breakout.end", _breakout, lambda m: EndBreakout()),
    ("card.pick", _problems, lambda m: PickCard(card_id=m["b"])),
    ("card.unpick", _picked, lambda m: PickCard(card_id=m["a"], picked=False)),
    ("card.park", _problems, lambda m: ParkCard(card_id=m["a"])),
    ("card.unpark", _parked_after_breakout, lambda m: ParkCard(card_id=m["left"], parked=False)),
]


@pytest.mark.parametrize("kind, setup, command", UNDOABLE, ids=[f"{k}-{s.__name__.strip('_')}" for k, s, _ in UNDOABLE])
def test_every_facilitator_command_undoes_and_redoes(hub, clock, kind, setup, command):
    made = setup(hub, clock)
    before = state(hub)
    event = hub.apply(command(made))
    after = state(hub)
    assert event.type == kind and after != before
    assert hub.describe_undo() == RUN_LABELS[kind]
    clock.tick(30)  # undo puts back exactly what was, whatever the time (the timer's ends_at included)
    hub.apply(Undo())
    assert state(hub) == before
    hub.apply(Redo())
    assert state(hub) == after


def test_the_undo_loop_covers_every_facilitator_event_type():
    from_phones = {"vote.cast", "vote.take", "done.mark", "done.unmark"}
    assert {kind for kind, _, _ in UNDOABLE} == set(RUN_LABELS) - from_phones


# -- replay and the file ---------------------------------------------------------------------------------------------

def a_whole_session(hub: Hub, clock: StillClock) -> dict[str, Card]:
    """A session that uses every kind of event this issue adds, with undo and redo among them; returns its notes."""
    hub.apply(EditPhases(phases=(*DEFAULT_PHASES[:4], Phase("Vote", "Which matter most?", "problem"))))
    hub.apply(SetPhase(index=1))
    hub.apply(HoldNotes())
    a = note(hub, P, "Long waits", phone=ALICE, group=1)
    b = note(hub, P, "Nobody calls back", phone=BOB, group=2)
    hub.apply(HoldNotes(hold=False))
    c = note(hub, P, "Forms, forms, forms", phone=CAROL)
    hub.apply(RevealNotes())
    hub.apply(done(ALICE, 1, group=1))
    hub.apply(done(BOB, 1, group=2))
    hub.apply(done(BOB, 1, is_done=False))
    hub.apply(StartTimer(seconds=300, label="Problems"))
    clock.tick(100)
    hub.apply(PauseTimer())
    clock.tick(30)
    hub.apply(ResumeTimer())
    hub.apply(ExtendTimer(seconds=60))
    clock.tick(260)
    hub.apply(StopTimer())
    cluster = merge(hub, a, b, title="Waiting")
    hub.apply(SplitCluster(cluster_id=cluster.id))
    hub.apply(Undo())
    d = note(hub, P, "No parking")
    hub.apply(SetPhase(index=4))
    hub.apply(OpenVoting(kind=P, per_person=3, per_card=2))
    vote(hub, cluster, ALICE, group=1)
    vote(hub, cluster, ALICE)
    vote(hub, c, BOB, group=2)
    vote(hub, c, BOB, delta=-1)
    vote(hub, d, CAROL)
    hub.apply(RevealVotes())
    hub.apply(RevealVotes(revealed=False))
    hub.apply(RevealVotes())
    hub.apply(CloseVoting())
    hub.apply(StartBreakout())
    e = note(hub, O, "Respite swap", phone=ALICE, group=1)
    f = note(hub, O, "Carers' buddy", phone=BOB, group=2)
    hub.apply(pick(e, ALICE, group=1))
    hub.apply(pick(f, BOB, group=2))
    hub.apply(pick(f, BOB, group=2, picked=False))
    hub.apply(EndBreakout())
    hub.apply(ParkCard(card_id=d.id))
    hub.apply(ParkCard(card_id=f.id, parked=False))
    hub.apply(Undo())
    hub.apply(Redo())
    return {"a": a, "b": b, "c": c, "cluster": cluster, "d": d, "e": e, "f": f}


def test_every_new_event_type_replays_to_the_same_session(hub, folder, clock):
    a_whole_session(hub, clock)
    assert set(RUN_LABELS) <= {e.type for e in hub.events}
    live, session_id = hub.session, hub.session.meta.id
    hub.close()

    again = open_session(folder, session_id, read_only=True)
    try:
        assert again.session == live
    finally:
        again.close()

    doc = json.loads(path_of(hub).read_text("utf-8"))
    assert list(doc) == list(TABLES)
    tables: dict[str, dict] = {}
    for rec in doc["events"].values():  # from nothing, each event's afters in order
        for table, rows in Event.from_record(rec).patch.items():
            for key, (_before, after) in rows.items():
                target = tables.setdefault(table, {})
                if table == "meta":
                    target[key] = {**target.get(key, {}), **after}
                elif after is None:
                    del target[key]
                else:
                    target[key] = after
    for table in ("groups", "cards", "votes", "done"):
        assert tables.get(table, {}) == doc[table], table
    assert {**tables["meta"]["1"], "updated": None} == {**doc["meta"]["1"], "updated": None}
    replay = Replay(Event.from_record(r) for r in doc["events"].values())  # review's replay carries them too
    assert {k: replay.record("votes", k) for k in doc["votes"]} == doc["votes"]
    assert {k: replay.record("done", k) for k in doc["done"]} == doc["done"]
    replay.seek(replay.total)
    board = replay.session()  # what review draws: votes and "done" included
    assert (board.votes, board.done) == (doc["votes"], doc["done"])


def test_undo_and_redo_work_across_a_restart(hub, folder, clock):
    notes = a_whole_session(hub, clock)
    again = reopen(folder, hub)
    try:
        assert again.describe_undo() == "unpark card" and again.describe_redo() is None
        again.apply(Undo())
        assert again.session.cards[notes["f"].id].parked
        again.apply(Redo())
        assert again.session.cards[notes["f"].id].picked
    finally:
        again.close()


# -- a version-1 file ------------------------------------------------------------------------------------------------

V1_ID = "2024-11-02-before-phases-a1b2"
T0, T1 = "2024-11-02T09:00:00.000+00:00", "2024-11-02T09:05:00.000+00:00"
V1_META = {"schema_version": 1, "id": V1_ID, "title": "Before phases", "question": "", "programme": "",
           "created": T0, "updated": T1, "open": True, "tokens": {}}
V1_GROUP = {"id": 1, "name": "Carers", "colour": "orange", "role": "carers-and-family"}
V1_CARD = {"id": 1, "kind": "problem", "text": "Long waits", "group": 1, "author": None, "order": 1.0, "links": [],
           "hidden": False, "created": T1, "source": "phone"}
V1_DOCUMENT = {  # as coprod wrote it before issue 5: no new meta fields, no votes or done tables
    "meta": {"1": V1_META},
    "groups": {"1": V1_GROUP},
    "cards": {"1": V1_CARD},
    "events": {
        "1": {"seq": 1, "at": T0, "source": "facilitator", "type": "session.create",
              "patch": {"meta": {"1": [None, V1_META]}, "groups": {"1": [None, V1_GROUP]}}},
        "2": {"seq": 2, "at": T1, "source": "phone", "type": "card.add", "patch": {"cards": {"1": [None, V1_CARD]}},
              "request_id": "r1", "card_id": 1},
    },
}


@pytest.fixture
def v1_file(folder):
    folder.folder.mkdir(parents=True, exist_ok=True)
    path = folder.folder / f"{V1_ID}.json"
    path.write_text(json.dumps(V1_DOCUMENT, indent=1), "utf-8")
    return path


def test_a_version_1_file_opens_with_the_defaults_and_is_not_rewritten_by_opening(folder, v1_file, clock):
    written = v1_file.read_bytes()
    hub = open_session(folder, V1_ID, clock=clock)
    try:
        meta, card = hub.session.meta, hub.session.cards[1]
        assert (meta.phases, meta.phase, meta.private, meta.voting, meta.timer, meta.breakout) == (
            DEFAULT_PHASES, 0, False, None, None, False)
        assert (card.held, card.participant, card.cluster, card.is_cluster, card.breakout, card.picked,
                card.parked) == (False, None, None, False, False, False, False)
        assert hub.session.votes == {} and hub.session.done == {}
    finally:
        hub.close()
    assert v1_file.read_bytes() == written


def test_a_version_1_file_gains_the_new_fields_and_tables_after_a_change(folder, v1_file, clock):
    hub = open_session(folder, V1_ID, clock=clock)
    hub.apply(SetPhase(index=1))
    hub.close()
    doc = json.loads(v1_file.read_text("utf-8"))
    assert list(doc) == list(TABLES) and doc["votes"] == {} and doc["done"] == {}
    meta = doc["meta"]["1"]
    assert meta["phase"] == 1 and meta["phases"] == [p.to_record() for p in DEFAULT_PHASES]
    assert (meta["private"], meta["voting"], meta["timer"], meta["breakout"]) == (False, None, None, False)
    assert doc["cards"]["1"] == V1_CARD  # unset card fields are still not written


def test_a_version_1_file_is_written_back_as_version_2_after_a_change(folder, v1_file, clock):
    hub = open_session(folder, V1_ID, clock=clock)
    hub.apply(SetPhase(index=1))
    hub.close()
    assert json.loads(v1_file.read_text("utf-8"))["meta"]["1"]["schema_version"] == SCHEMA_VERSION == 2
