"""The timer and breakouts: the hub's rules, through hub.apply."""

from __future__ import annotations

import math

import pytest

from support.hub_run import *  # noqa: F401,F403  (fixtures, clock, phones, command builders)
from support.hub_run import _everything  # noqa: F401


# -- the timer -------------------------------------------------------------------------------------------------------

def test_start_timer(hub, clock):
    event = hub.apply(StartTimer(seconds=300, label=" Write \n problems "))
    timer = hub.session.meta.timer
    assert event.type == "timer.start"
    assert timer == Timer(seconds=300.0, ends_at=clock.at(300), remaining=None, label="Write problems")
    assert timer.running and timer.left(clock()) == 300
    clock.tick(120)
    assert timer.left(clock()) == 180
    clock.tick(1000)
    assert timer.left(clock()) == 0


def test_pause_keeps_what_is_left(hub, clock):
    hub.apply(StartTimer(seconds=300))
    clock.tick(100)
    event = hub.apply(PauseTimer())
    assert event.type == "timer.pause"
    assert hub.session.meta.timer == Timer(seconds=300.0, ends_at=None, remaining=200.0)
    clock.tick(500)
    assert not hub.session.meta.timer.running and hub.session.meta.timer.left(clock()) == 200


def test_resume_runs_on_from_what_was_left(hub, clock):
    hub.apply(StartTimer(seconds=300, label="Vote"))
    clock.tick(100)
    hub.apply(PauseTimer())
    clock.tick(50)
    event = hub.apply(ResumeTimer())
    assert event.type == "timer.resume"
    assert hub.session.meta.timer == Timer(seconds=300.0, ends_at=clock.at(150 + 200), label="Vote")


def test_extend_a_running_timer(hub, clock):
    hub.apply(StartTimer(seconds=300))
    clock.tick(100)
    event = hub.apply(ExtendTimer(seconds=60))
    assert event.type == "timer.extend"
    assert hub.session.meta.timer == Timer(seconds=360.0, ends_at=clock.at(360))
    assert hub.session.meta.timer.left(clock()) == 260


def test_extend_a_paused_timer(hub, clock):
    hub.apply(StartTimer(seconds=300))
    clock.tick(100)
    hub.apply(PauseTimer())
    hub.apply(ExtendTimer(seconds=60))
    assert hub.session.meta.timer == Timer(seconds=360.0, remaining=260.0)


def test_extending_a_finished_timer_runs_it_again_from_now(hub, clock):
    hub.apply(StartTimer(seconds=60))
    clock.tick(100)
    hub.apply(ExtendTimer(seconds=30))
    assert hub.session.meta.timer == Timer(seconds=90.0, ends_at=clock.at(130))


def test_a_timer_that_ran_out_while_paused_cannot_resume(hub, clock):
    hub.apply(StartTimer(seconds=60))
    clock.tick(60)
    hub.apply(PauseTimer())
    assert hub.session.meta.timer.remaining == 0
    refused(hub, ResumeTimer(), ValidationError, "run out: extend it or start a new one")


def test_stop_timer(hub):
    hub.apply(StartTimer(seconds=60))
    event = hub.apply(StopTimer())
    assert event.type == "timer.stop" and hub.session.meta.timer is None
    assert file_doc(hub)["meta"]["1"]["timer"] is None


def test_starting_a_timer_replaces_the_one_running(hub, clock):
    hub.apply(StartTimer(seconds=60, label="First"))
    clock.tick(10)
    hub.apply(StartTimer(seconds=120, label="Second"))
    assert hub.session.meta.timer == Timer(seconds=120.0, ends_at=clock.at(130), label="Second")


@pytest.mark.parametrize("command", [PauseTimer(), ResumeTimer(), ExtendTimer(seconds=60), StopTimer()],
                         ids=["pause", "resume", "extend", "stop"])
def test_timer_commands_need_a_timer(hub, command):
    refused(hub, command, ValidationError, "No timer is set")


def test_pause_twice_and_resume_while_running_are_refused(hub):
    hub.apply(StartTimer(seconds=60))
    refused(hub, ResumeTimer(), ValidationError, "already running")
    hub.apply(PauseTimer())
    refused(hub, PauseTimer(), ValidationError, "already paused")


BAD_LENGTHS = [0, 0.0, -1, -0.5, math.nan, math.inf, -math.inf, True, False, "60", None]


@pytest.mark.parametrize("seconds", BAD_LENGTHS)
def test_a_timer_needs_a_length_above_zero(hub, seconds):
    refused(hub, StartTimer(seconds=seconds), ValidationError, "needs a length in seconds above zero")


@pytest.mark.parametrize("seconds", BAD_LENGTHS)
def test_extending_needs_a_length_above_zero(hub, seconds):
    hub.apply(StartTimer(seconds=60))
    refused(hub, ExtendTimer(seconds=seconds), ValidationError, "needs a length in seconds above zero")


@pytest.mark.parametrize("seconds", [MAX_TIMER_SECONDS + 1, 1e308])
def test_a_timer_runs_for_at_most_a_year(hub, seconds):
    refused(hub, StartTimer(seconds=seconds), ValidationError, "at most a year")


def test_extending_past_a_year_is_refused(hub):
    hub.apply(StartTimer(seconds=MAX_TIMER_SECONDS))
    refused(hub, ExtendTimer(seconds=1), ValidationError, "at most a year")


@pytest.mark.parametrize("seconds", [0.5, 1, 90, MAX_TIMER_SECONDS])
def test_a_timer_of_any_length_up_to_a_year(hub, clock, seconds):
    hub.apply(StartTimer(seconds=seconds))
    assert hub.session.meta.timer.left(clock()) == seconds


def test_a_timer_label_is_one_short_line(hub):
    refused(hub, StartTimer(seconds=60, label="x" * 61), ValidationError, "Timer label is 61 characters")


def test_timer_left_is_never_negative_and_reads_either_kind_of_time():
    running = Timer(seconds=60, ends_at="2025-03-12T10:01:00.000+00:00")
    assert running.left("2025-03-12T10:00:30.000+00:00") == 30
    assert running.left(datetime(2025, 3, 12, 10, 0, 45, tzinfo=timezone.utc)) == 15
    assert running.left("2025-03-12T10:00:30Z") == 30  # a trailing Z (Python 3.10's fromisoformat refuses it)
    assert running.left("2025-03-12T11:00:00.000+00:00") == 0
    assert Timer(seconds=60, remaining=12.5).left("anything: a paused timer ignores the time") == 12.5
    assert Timer(seconds=60, remaining=-3).left("x") == 0 and Timer(seconds=60).left("x") == 0


# -- breakouts -------------------------------------------------------------------------------------------------------

def test_a_breakout_needs_groups(folder, clock):
    alone = new_session(folder, "No groups", clock=clock)
    try:
        refused(alone, StartBreakout(), ValidationError, "no groups to send into breakout")
    finally:
        alone.close()


def test_breakout_start_and_end_refuse_what_is_already_so(hub):
    refused(hub, EndBreakout(), ValidationError, "not in breakout")
    event = hub.apply(StartBreakout())
    assert event.type == "breakout.start" and hub.session.meta.breakout
    refused(hub, StartBreakout(), ValidationError, "already in breakout")


def test_notes_written_during_a_breakout_say_so(hub):
    before = note(hub, P, "plenary", group=1)
    hub.apply(StartBreakout())
    during = [note(hub, P, "phone", phone=ALICE, group=1), note(hub, O, "facilitator")]
    hub.apply(EndBreakout())
    after = note(hub, P, "plenary again", group=1)
    assert [c.breakout for c in (before, *during, after)] == [False, True, True, False]


def test_a_phone_picks_its_own_groups_notes_during_a_breakout(hub):
    hub.apply(StartBreakout())
    mine = note(hub, P, "ours", phone=ALICE, group=1)
    event = hub.apply(pick(mine, BOB, group=1))
    assert event.type == "card.pick" and event.card_id == mine.id and now(hub, mine).picked
    event = hub.apply(pick(mine, ALICE, group=1, picked=False))
    assert event.type == "card.unpick" and not now(hub, mine).picked
    assert hub.describe_undo() == "start breakout"  # phones' picks are not on the facilitator's undo stack


def _theirs(hub):
    return note(hub, P, "theirs", group=2)


def _nobodys(hub):
    return note(hub, P, "no group")


def _hidden_note(hub):
    card = note(hub, P, "moderated", group=1)
    hub.apply(HideCard(card_id=card.id))
    return card


def _held_note(hub):
    hub.apply(HoldNotes())
    return note(hub, P, "held", phone=BOB, group=1)


def _parked_note(hub):
    card = note(hub, P, "parked", group=1)
    hub.apply(ParkCard(card_id=card.id))
    return card


@pytest.mark.parametrize("make", [_theirs, _nobodys, _hidden_note, _held_note, _parked_note],
                         ids=["other-group", "no-group", "hidden", "held", "parked"])
def test_a_phone_cannot_pick_a_note_that_is_not_its_groups_to_see(hub, make):
    hub.apply(StartBreakout())
    refused(hub, pick(make(hub), group=1), NotFound, "not one of your group's")


def test_a_phone_cannot_pick_outside_a_breakout(hub):
    card = note(hub, P, "ours", group=1)
    refused(hub, pick(card), Refused, "back together")


@pytest.mark.parametrize("picked, message", [(True, "already picked"), (False, "was not picked")])
def test_a_phone_cannot_pick_or_unpick_twice(hub, picked, message):
    hub.apply(StartBreakout())
    card = note(hub, P, "ours", group=1)
    if picked:
        hub.apply(pick(card))
    refused(hub, pick(card, picked=picked), Refused, message)


@pytest.mark.parametrize("who", [None, "bad id"])
def test_a_phone_with_a_bad_id_cannot_pick(hub, who):
    hub.apply(StartBreakout())
    refused(hub, pick(note(hub, P, "ours", group=1), who), ValidationError, "phone's id is not valid")


def test_the_facilitator_may_pick_any_note_at_any_time(hub):
    card = note(hub, P, "plenary", group=2)
    event = hub.apply(PickCard(card_id=card.id))
    assert event.type == "card.pick" and now(hub, card).picked


def test_ending_a_breakout_parks_unpicked_notes_and_brings_back_picked_ones(hub):
    plenary = note(hub, P, "plenary", group=1)
    hub.apply(StartBreakout())
    picked = note(hub, P, "picked", phone=ALICE, group=1)
    left = note(hub, P, "not picked", phone=BOB, group=2)
    a, b = note(hub, O, "a", group=1), note(hub, O, "b", group=1)
    cluster = merge(hub, a, b)  # clustered by the facilitator during the breakout: stays clustered
    hub.apply(pick(picked))
    event = hub.apply(EndBreakout())
    assert event.type == "breakout.end" and not hub.session.meta.breakout
    assert sorted(event.patch["cards"]) == [str(left.id)]
    assert now(hub, left).parked and not now(hub, left).on_board
    assert now(hub, picked).on_board and now(hub, picked).picked and now(hub, picked).group_id == 1
    assert now(hub, plenary).on_board and now(hub, cluster).on_board
    assert all(now(hub, m).cluster == cluster.id and not now(hub, m).parked for m in (a, b))
    assert file_doc(hub)["cards"][str(left.id)]["parked"] is True


def test_undo_of_the_end_of_a_breakout_brings_its_notes_back(hub):
    hub.apply(StartBreakout())
    left = note(hub, P, "not picked", phone=BOB, group=2)
    during = state(hub)
    hub.apply(EndBreakout())
    ended = state(hub)
    hub.apply(Undo())
    assert state(hub) == during and not now(hub, left).parked and hub.session.meta.breakout
    hub.apply(Redo())
    assert state(hub) == ended


def test_the_facilitator_parks_and_unparks_a_note(hub):
    card = note(hub, P, "later", group=1)
    event = hub.apply(ParkCard(card_id=card.id))
    assert event.type == "card.park" and now(hub, card).parked and not now(hub, card).on_board
    refused(hub, ParkCard(card_id=card.id), ValidationError, "already parked")
    event = hub.apply(ParkCard(card_id=card.id, parked=False))
    assert event.type == "card.unpark" and now(hub, card).on_board and not now(hub, card).picked
    refused(hub, ParkCard(card_id=card.id, parked=False), ValidationError, "is not parked")


def test_a_breakout_note_brought_back_from_the_car_park_stays_after_the_next_breakout(hub):
    hub.apply(StartBreakout())
    card = note(hub, P, "good after all", phone=ALICE, group=1)
    hub.apply(EndBreakout())
    hub.apply(ParkCard(card_id=card.id, parked=False))
    assert now(hub, card).picked  # brought back by the facilitator: as good as picked
    hub.apply(StartBreakout())
    hub.apply(EndBreakout())
    assert now(hub, card).on_board


def test_unparking_during_a_breakout_does_not_pick_for_the_group(hub):
    hub.apply(StartBreakout())
    card = note(hub, P, "ours", group=1)
    hub.apply(ParkCard(card_id=card.id))
    hub.apply(ParkCard(card_id=card.id, parked=False))
    assert not now(hub, card).picked
