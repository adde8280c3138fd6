"""Handlers for steering the room: phases, hidden writing, the timer, "I'm done" and breakouts (with the notes a
group picks or the facilitator parks).

A phone a step behind (the session moved to another phase, the groups came back together) is told so with
Refused rather than acting on the wrong phase.
"""

from __future__ import annotations

import math

from coprod_tui.core import text as T
from coprod_tui.core.commands import (EditPhases, EndBreakout, ExtendTimer, HoldNotes, MarkDone, ParkCard,
                                      PauseTimer, PickCard, ResumeTimer, RevealNotes, SetPhase, Source,
                                      StartBreakout, StartTimer, StopTimer)
from coprod_tui.core.errors import NotFound, Refused, ValidationError
from coprod_tui.core.handlers.context import Change, Context, Handler
from coprod_tui.core.handlers.patch import Patch, card_patch, check_group, copy_card, find_card, meta_patch, whole
from coprod_tui.core.model import Kind
from coprod_tui.core.running import REFLECTION, Phase, Timer, iso_after

MAX_PHASES = 20
MAX_TIMER_SECONDS = 366 * 24 * 3600  # no practical cap; only what a date can hold comfortably


# -- phases -----------------------------------------------------------------------------------------------------

def set_phase(ctx: Context, cmd: SetPhase) -> Change:
    meta = ctx.session.meta
    if not whole(cmd.index) or not 0 <= cmd.index < len(meta.phases):
        raise ValidationError(f"There is no phase {cmd.index!r}: this session has {len(meta.phases)} phases.")
    if cmd.index == meta.phase:
        raise ValidationError(f"The session is already in “{meta.phases[cmd.index].name}”.")
    return Change("phase.set", meta_patch(ctx.session, phase=cmd.index))


def edit_phases(ctx: Context, cmd: EditPhases) -> Change:
    if not 1 <= len(cmd.phases) <= MAX_PHASES:
        raise ValidationError(f"A session has between 1 and {MAX_PHASES} phases.")
    phases = []
    for phase in cmd.phases:
        kind = (REFLECTION if str(phase.kind).strip().lower() == REFLECTION else Kind.parse(phase.kind).value) \
            if phase.kind else None
        phases.append(Phase(name=T.clean(phase.name, "Phase name", T.NAME_LIMIT, multiline=False),
                            prompt=T.clean(phase.prompt, "Prompt", T.QUESTION_LIMIT, required=False), kind=kind))
    records = [p.to_record() for p in phases]
    meta = ctx.session.meta
    if records == [p.to_record() for p in meta.phases]:
        raise ValidationError("Nothing changed.")
    return Change("phase.edit", meta_patch(ctx.session, phases=records, phase=min(meta.phase, len(phases) - 1)))


# -- hidden writing ---------------------------------------------------------------------------------------------

def hold_notes(ctx: Context, cmd: HoldNotes) -> Change:
    if ctx.session.meta.private == cmd.hold:
        raise ValidationError("New notes are already held until reveal." if cmd.hold else
                              "New notes already show as they arrive.")
    return Change("notes.hold" if cmd.hold else "notes.unhold", meta_patch(ctx.session, private=cmd.hold))


def reveal_notes(ctx: Context, cmd: RevealNotes) -> Change:
    held = [c for c in ctx.session.cards.values() if c.held]
    if not held and not ctx.session.meta.private:
        raise ValidationError("No notes are held back.")
    patch: Patch = card_patch(*[(c, copy_card(c, held=False)) for c in held]) if held else {}
    if ctx.session.meta.private:
        patch.update(meta_patch(ctx.session, private=False))
    return Change("notes.reveal", patch)


# -- timer ------------------------------------------------------------------------------------------------------

def _seconds(value: object, what: str = "The timer") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValidationError(f"{what} needs a length in seconds above zero.")
    if value > MAX_TIMER_SECONDS:
        raise ValidationError(f"{what} can run for at most a year.")
    return float(value)


def _timer(ctx: Context) -> Timer:
    timer = ctx.session.meta.timer
    if timer is None:
        raise ValidationError("No timer is set.")
    return timer


def start_timer(ctx: Context, cmd: StartTimer) -> Change:
    seconds = _seconds(cmd.seconds)
    timer = Timer(seconds=seconds, ends_at=iso_after(ctx.clock(), seconds),
                  label=T.clean(cmd.label, "Timer label", T.NAME_LIMIT, required=False, multiline=False))
    return Change("timer.start", meta_patch(ctx.session, timer=timer.to_record()))


def pause_timer(ctx: Context, cmd: PauseTimer) -> Change:
    timer = _timer(ctx)
    if not timer.running:
        raise ValidationError("The timer is already paused.")
    paused = Timer(seconds=timer.seconds, remaining=timer.left(ctx.clock()), label=timer.label)
    return Change("timer.pause", meta_patch(ctx.session, timer=paused.to_record()))


def resume_timer(ctx: Context, cmd: ResumeTimer) -> Change:
    timer = _timer(ctx)
    if timer.running:
        raise ValidationError("The timer is already running.")
    left = timer.left(ctx.clock())
    if left <= 0:
        raise ValidationError("The timer has run out: extend it or start a new one.")
    running = Timer(seconds=timer.seconds, ends_at=iso_after(ctx.clock(), left), label=timer.label)
    return Change("timer.resume", meta_patch(ctx.session, timer=running.to_record()))


def extend_timer(ctx: Context, cmd: ExtendTimer) -> Change:
    timer = _timer(ctx)
    extra = _seconds(cmd.seconds, "Extending the timer")
    now = ctx.clock()
    if timer.running:
        # From what is left (or from now, if it already ran out): extending a finished timer restarts it.
        extended = Timer(seconds=timer.seconds + extra, ends_at=iso_after(now, timer.left(now) + extra),
                         label=timer.label)
    else:
        extended = Timer(seconds=timer.seconds + extra, remaining=timer.left(now) + extra, label=timer.label)
    if extended.seconds > MAX_TIMER_SECONDS:
        raise ValidationError("The timer can run for at most a year.")
    return Change("timer.extend", meta_patch(ctx.session, timer=extended.to_record()))


def stop_timer(ctx: Context, cmd: StopTimer) -> Change:
    _timer(ctx)
    return Change("timer.stop", meta_patch(ctx.session, timer=None))


# -- "I'm done" -------------------------------------------------------------------------------------------------

def mark_done(ctx: Context, cmd: MarkDone) -> Change:
    participant = T.check_participant(cmd.participant)
    if not whole(cmd.phase):
        raise ValidationError("The phase is a whole number.")
    if cmd.phase != ctx.session.meta.phase:
        raise Refused("The session has moved on to another phase: your screen has been updated.")
    key = f"{cmd.phase}:{participant}"
    before = ctx.session.done.get(key)
    if bool(before) == cmd.done:
        raise Refused("You have already said you are done." if cmd.done else "You had not said you were done.")
    after = {"phase": cmd.phase, "participant": participant,
             "group": check_group(ctx.session, cmd.group_id) if cmd.group_id is not None else None} \
        if cmd.done else None
    return Change("done.mark" if cmd.done else "done.unmark", {"done": {key: (before, after)}})


# -- breakouts --------------------------------------------------------------------------------------------------

def start_breakout(ctx: Context, cmd: StartBreakout) -> Change:
    if ctx.session.meta.breakout:
        raise ValidationError("The groups are already in breakout.")
    if not ctx.session.groups:
        raise ValidationError("This session has no groups to send into breakout.")
    return Change("breakout.start", meta_patch(ctx.session, breakout=True))


def end_breakout(ctx: Context, cmd: EndBreakout) -> Change:
    if not ctx.session.meta.breakout:
        raise ValidationError("The groups are not in breakout.")
    parked = [(c, copy_card(c, parked=True)) for c in ctx.session.cards.values()
              if c.breakout and not c.picked and not c.parked and c.cluster is None]
    patch: Patch = card_patch(*parked) if parked else {}
    patch.update(meta_patch(ctx.session, breakout=False))
    return Change("breakout.end", patch)


def pick_card(ctx: Context, cmd: PickCard) -> Change:
    card = find_card(ctx.session, cmd.card_id)
    if cmd.source == Source.PHONE:
        T.check_participant(cmd.participant)
        if not ctx.session.meta.breakout:
            raise Refused("The groups are back together: the facilitator now chooses.")
        if not card.breakout:
            raise Refused("Only notes written in this breakout can be brought back from a phone.")
        if card.group_id is None or card.group_id != cmd.group_id or card.hidden or card.held or card.parked:
            raise NotFound("That note is not one of your group's.")
    if card.picked == cmd.picked:
        raise Refused("That note is already picked." if cmd.picked else "That note was not picked.")
    return Change("card.pick" if cmd.picked else "card.unpick",
                  card_patch((card, copy_card(card, picked=cmd.picked))), card.id)


def park_card(ctx: Context, cmd: ParkCard) -> Change:
    card = find_card(ctx.session, cmd.card_id)
    if card.parked == cmd.parked:
        raise ValidationError("That note is already parked." if cmd.parked else "That note is not parked.")
    if card.is_cluster or card.cluster is not None:
        raise ValidationError("Split the cluster before parking its notes.")
    changes: dict = {"parked": cmd.parked}
    if not cmd.parked and card.breakout and not ctx.session.meta.breakout:
        # Brought back to the plenary by the facilitator: picked, as if its group had chosen it, so the end of a
        # later breakout (which parks unpicked breakout notes) does not park it again. During a breakout, unparking
        # only returns it to its group's list.
        changes["picked"] = True
    return Change("card.park" if cmd.parked else "card.unpark", card_patch((card, copy_card(card, **changes))),
                  card.id)


HANDLERS: dict[type, Handler] = {
    SetPhase: set_phase, EditPhases: edit_phases,
    HoldNotes: hold_notes, RevealNotes: reveal_notes,
    StartTimer: start_timer, PauseTimer: pause_timer, ResumeTimer: resume_timer, ExtendTimer: extend_timer,
    StopTimer: stop_timer,
    MarkDone: mark_done,
    StartBreakout: start_breakout, EndBreakout: end_breakout, PickCard: pick_card, ParkCard: park_card,
}

LABELS = {
    "phase.set": "change phase", "phase.edit": "edit phases",
    "notes.hold": "hold notes until reveal", "notes.unhold": "stop holding notes", "notes.reveal": "reveal notes",
    "timer.start": "start timer", "timer.pause": "pause timer", "timer.resume": "resume timer",
    "timer.extend": "extend timer", "timer.stop": "stop timer",
    "done.mark": "I'm done", "done.unmark": "not done",
    "breakout.start": "start breakout", "breakout.end": "end breakout",
    "card.pick": "pick card", "card.unpick": "unpick card", "card.park": "park card", "card.unpark": "unpark card",
}
