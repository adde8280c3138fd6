"""Phases, hidden writing and "I'm done": the hub's rules, through hub.apply."""

from __future__ import annotations

import pytest

from support.hub_run import *  # noqa: F401,F403  (fixtures, clock, phones, command builders)
from support.hub_run import _everything  # noqa: F401


# -- phases ----------------------------------------------------------------------------------------------------------

def test_a_new_session_starts_in_the_first_default_phase_with_nothing_running(hub):
    meta = hub.session.meta
    assert meta.phases == DEFAULT_PHASES and meta.phase == 0 and meta.current_phase.name == "Welcome"
    assert (meta.private, meta.voting, meta.timer, meta.breakout) == (False, None, None, False)
    assert hub.session.votes == {} and hub.session.done == {}


def test_set_phase(hub):
    event = hub.apply(SetPhase(index=2))
    assert event.type == "phase.set"
    assert event.patch == {"meta": {"1": ({"phase": 0}, {"phase": 2})}}
    assert hub.session.meta.current_phase == Phase("Options", DEFAULT_PHASES[2].prompt, "option")
    assert file_doc(hub)["meta"]["1"]["phase"] == 2


@pytest.mark.parametrize("index", [-1, len(DEFAULT_PHASES), 99, True, 1.0, "2", None])
def test_set_phase_refuses_a_phase_that_does_not_exist(hub, index):
    refused(hub, SetPhase(index=index), ValidationError, "There is no phase")


def test_set_phase_refuses_the_phase_the_session_is_in(hub):
    hub.apply(SetPhase(index=3))
    refused(hub, SetPhase(index=3), ValidationError, "already in “Contributions”")


def test_undo_and_redo_of_a_phase_change(hub):
    hub.apply(SetPhase(index=1))
    hub.apply(SetPhase(index=4))
    assert hub.describe_undo() == "change phase"
    hub.apply(Undo())
    assert hub.session.meta.phase == 1
    hub.apply(Undo())
    assert hub.session.meta.phase == 0
    hub.apply(Redo())
    assert hub.session.meta.phase == 1


def test_edit_phases_replaces_the_running_order_with_clean_text(hub):
    event = hub.apply(EditPhases(phases=(Phase("  Arrive \n now ", " Hello\x07 "),
                                         Phase("Ideas", "What could we try?", "Options"))))
    assert event.type == "phase.edit"
    assert hub.session.meta.phases == (Phase("Arrive now", "Hello", None),
                                       Phase("Ideas", "What could we try?", "option"))
    before, after = event.patch["meta"]["1"]
    assert before == {"phases": [p.to_record() for p in DEFAULT_PHASES], "phase": 0}
    assert after["phase"] == 0


@pytest.mark.parametrize("count", [1, MAX_PHASES])
def test_a_session_has_1_to_20_phases(hub, count):
    hub.apply(EditPhases(phases=tuple(Phase(f"Step {i}") for i in range(count))))
    assert len(hub.session.meta.phases) == count


def test_edit_phases_clamps_the_current_phase_and_undo_restores_both(hub):
    hub.apply(SetPhase(index=5))
    hub.apply(EditPhases(phases=(Phase("One"), Phase("Two"))))
    assert hub.session.meta.phase == 1 and hub.session.meta.current_phase.name == "Two"
    hub.apply(Undo())
    assert hub.session.meta.phases == DEFAULT_PHASES and hub.session.meta.phase == 5


def test_edit_phases_keeps_the_current_phase_when_it_still_exists(hub):
    hub.apply(SetPhase(index=1))
    hub.apply(EditPhases(phases=(Phase("One"), Phase("Two"), Phase("Three"))))
    assert hub.session.meta.phase == 1


@pytest.mark.parametrize("phases, message", [
    ((), "between 1 and 20 phases"),
    (tuple(Phase(f"P{i}") for i in range(MAX_PHASES + 1)), "between 1 and 20 phases"),
    ((Phase(" \n "),), "Phase name can't be empty"),
    ((Phase("x" * 61),), "Phase name is 61 characters"),
    ((Phase("Fine", "p" * 1001),), "Prompt is 1,001 characters"),
    ((Phase("Fine", kind="ideas"),), "Unknown kind"),
    (DEFAULT_PHASES, "Nothing changed"),
], ids=["none", "too-many", "empty-name", "long-name", "long-prompt", "bad-kind", "unchanged"])
def test_edit_phases_refusals(hub, phases, message):
    refused(hub, EditPhases(phases=phases), ValidationError, message)


# -- hidden writing --------------------------------------------------------------------------------------------------

def test_hidden_writing_holds_every_new_note_from_phones_and_facilitator(hub):
    earlier = note(hub, P, "written before")
    event = hub.apply(HoldNotes())
    assert event.type == "notes.hold" and hub.session.meta.private
    from_phone = note(hub, P, "from a phone", phone=ALICE, group=1)
    from_facilitator = note(hub, O, "typed at the board")
    assert from_phone.held and from_facilitator.held and not now(hub, earlier).held
    assert not from_phone.on_board
    assert held_counts(hub.session) == {P: 1, O: 1}


def test_a_phone_note_keeps_its_phones_id_and_only_set_fields_are_written(hub):
    hub.apply(HoldNotes())
    mine = note(hub, P, "mine", phone=ALICE)
    hub.apply(HoldNotes(hold=False))
    plain = note(hub, P, "typed")
    assert mine.participant == ALICE and plain.participant is None
    cards = file_doc(hub)["cards"]
    assert cards[str(mine.id)]["participant"] == ALICE and cards[str(mine.id)]["held"] is True
    assert not set(Card._OPTIONAL) & set(cards[str(plain.id)])


@pytest.mark.parametrize("participant", ["short", "has spaces in it", "x" * 65, "émile-phone", 12345678])
def test_a_note_from_a_phone_with_a_bad_id_is_refused(hub, participant):
    refused(hub, AddCard(card=CardDraft(kind=P, text="x", participant=participant), source=PHONE),
            ValidationError, "phone's id is not valid")


@pytest.mark.parametrize("hold, message", [(True, "already held until reveal"), (False, "already show as they arrive")])
def test_hidden_writing_refuses_what_is_already_so(hub, hold, message):
    if hold:
        hub.apply(HoldNotes())
    refused(hub, HoldNotes(hold=hold), ValidationError, message)


def test_reveal_shows_every_held_note_at_once_and_ends_hidden_writing(hub):
    note(hub, P, "written before")
    hub.apply(HoldNotes())
    held = [note(hub, P, "a", phone=ALICE), note(hub, O, "b", phone=BOB), note(hub, C, "c")]
    event = hub.apply(RevealNotes())
    assert event.type == "notes.reveal"
    assert sorted(event.patch["cards"]) == sorted(str(c.id) for c in held)
    assert event.patch["meta"] == {"1": ({"private": True}, {"private": False})}
    assert not any(c.held for c in hub.session.cards.values()) and not hub.session.meta.private
    assert now(hub, held[0]).participant == ALICE
    assert held_counts(hub.session) == {}


def test_undo_of_a_reveal_holds_exactly_those_notes_again(hub):
    shown = note(hub, P, "written before")
    hub.apply(HoldNotes())
    held = {note(hub, P, "a", phone=ALICE).id, note(hub, O, "b").id}
    hub.apply(RevealNotes())
    hub.apply(Undo())
    assert {c.id for c in hub.session.cards.values() if c.held} == held
    assert not now(hub, shown).held and hub.session.meta.private
    hub.apply(Redo())
    assert not any(c.held for c in hub.session.cards.values()) and not hub.session.meta.private


def test_turning_hidden_writing_off_keeps_held_notes_held_until_the_reveal(hub):
    hub.apply(HoldNotes())
    early = note(hub, P, "while held", phone=ALICE)
    event = hub.apply(HoldNotes(hold=False))
    assert event.type == "notes.unhold" and event.patch == {"meta": {"1": ({"private": True}, {"private": False})}}
    late = note(hub, P, "after", phone=BOB)
    assert now(hub, early).held and not late.held
    hub.apply(RevealNotes())
    assert not now(hub, early).held


def test_reveal_with_nothing_held_is_refused(hub):
    note(hub, P, "on the board")
    refused(hub, RevealNotes(), ValidationError, "No notes are held back")


def test_reveal_with_hidden_writing_on_and_nothing_written_just_ends_it(hub):
    hub.apply(HoldNotes())
    event = hub.apply(RevealNotes())
    assert event.patch == {"meta": {"1": ({"private": True}, {"private": False})}}


# -- "I'm done" ------------------------------------------------------------------------------------------------------



def test_a_phone_says_it_is_done_with_the_current_phase(hub):
    hub.apply(SetPhase(index=1))
    event = hub.apply(done(ALICE, 1, group=1))
    record = {"phase": 1, "participant": ALICE, "group": 1}
    assert event.type == "done.mark" and event.patch == {"done": {f"1:{ALICE}": (None, record)}}
    assert hub.session.done == {f"1:{ALICE}": record} and file_doc(hub)["done"] == {f"1:{ALICE}": record}
    assert hub.describe_undo() == "change phase"  # a phone's "done" is not the facilitator's to undo


def test_done_counts_by_group_for_a_phase(hub):
    hub.apply(SetPhase(index=1))
    for who, group in ((ALICE, 1), (BOB, 1), (CAROL, None)):
        hub.apply(done(who, 1, group=group))
    assert done_counts(hub.session) == {1: 2, None: 1}
    hub.apply(SetPhase(index=2))
    assert done_counts(hub.session) == {} and done_counts(hub.session, 1) == {1: 2, None: 1}


def test_a_phone_can_take_back_its_done(hub):
    hub.apply(done(ALICE, 0))
    event = hub.apply(done(ALICE, 0, is_done=False))
    assert event.type == "done.unmark" and hub.session.done == {}


def test_done_with_a_phase_the_session_has_left_is_refused(hub):
    hub.apply(SetPhase(index=2))
    refused(hub, done(ALICE, 1), Refused, "moved on to another phase")


@pytest.mark.parametrize("is_done, message", [(True, "already said you are done"), (False, "had not said")])
def test_done_twice_or_undone_twice_is_refused(hub, is_done, message):
    if is_done:
        hub.apply(done(ALICE, 0))
    refused(hub, done(ALICE, 0, is_done=is_done), Refused, message)


@pytest.mark.parametrize("phase", [True, 1.0, "1", None])
def test_done_needs_a_whole_phase_number(hub, phase):
    hub.apply(SetPhase(index=1))
    refused(hub, done(ALICE, phase), ValidationError, "The phase is a whole number")


@pytest.mark.parametrize("who, group, message", [
    ("bad id", None, "phone's id is not valid"), (ALICE, 9, "Unknown group")])
def test_done_checks_the_phone_and_its_group(hub, who, group, message):
    refused(hub, done(who, 0, group=group), ValidationError, message)
