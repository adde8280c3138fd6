"""Handlers for the commands that steer a session (see commands_run.py): one pure function each.

Same contract as handlers.py: check everything first, then return (event type, before/after patch, card to focus,
undone seq) — never a half-applied change. The rules a room relies on live here: vote limits per person and per
card, votes only on what phones can see, a phone a step behind is told so (Refused) rather than acting on the
wrong round or phase.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from coprod_tui.core import text as T
from coprod_tui.core.text import check_participant
from coprod_tui.core.commands import Source
from coprod_tui.core.commands import (CastVote, CloseVoting, EditPhases, EndBreakout, ExtendTimer, HoldNotes, MarkDone,
                           MergeCards, OpenVoting, ParkCard, PauseTimer, PickCard, RevealNotes, RevealVotes,
                           ResumeTimer, SetPhase, SplitCluster, StartBreakout, StartTimer, StopTimer)
from coprod_tui.core.errors import NotFound, Refused, ValidationError
from coprod_tui.core.handlers import Patch, _card_patch, _copy, _meta_patch, _unlinked_from
from coprod_tui.core.model import Card, Kind
from coprod_tui.core.running import REFLECTION, Phase, Timer, Voting, iso_after
from coprod_tui.core.reading.tally import in_vote

if TYPE_CHECKING:
    from coprod_tui.core.hub import Hub

MAX_PHASES = 20
MAX_DOTS = 50
MAX_TIMER_SECONDS = 366 * 24 * 3600  # no practical cap; only what a date can hold comfortably
VOTABLE = (Kind.PROBLEM, Kind.OPTION)


def _whole(value: object) -> bool:
    """A whole number, not a bool (True == 1 in Python, but a phone sending `true` did not mean phase 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


# -- phases -----------------------------------------------------------------------------------------------------

def _set_phase(hub: Hub, cmd: SetPhase):
    meta = hub.session.meta
    if not _whole(cmd.index) or not 0 <= cmd.index < len(meta.phases):
        raise ValidationError(f"There is no phase {cmd.index!r}: this session has {len(meta.phases)} phases.")
    if cmd.index == meta.phase:
        raise ValidationError(f"The session is already in “{meta.phases[cmd.index].name}”.")
    return "phase.set", _meta_patch(hub, phase=cmd.index), None, None


def _edit_phases(hub: Hub, cmd: EditPhases):
    if not 1 <= len(cmd.phases) <= MAX_PHASES:
        raise ValidationError(f"A session has between 1 and {MAX_PHASES} phases.")
    phases = []
    for phase in cmd.phases:
        kind = (REFLECTION if str(phase.kind).strip().lower() == REFLECTION else Kind.parse(phase.kind).value) \
            if phase.kind else None
        phases.append(Phase(name=T.clean(phase.name, "Phase name", T.NAME_LIMIT, multiline=False),
                            prompt=T.clean(phase.prompt, "Prompt", T.QUESTION_LIMIT, required=False), kind=kind))
    records = [p.to_record() for p in phases]
    if records == [p.to_record() for p in hub.session.meta.phases]:
        raise ValidationError("Nothing changed.")
    return "phase.edit", _meta_patch(hub, phases=records, phase=min(hub.session.meta.phase, len(phases) - 1)), \
        None, None


# -- hidden writing ---------------------------------------------------------------------------------------------

def _hold_notes(hub: Hub, cmd: HoldNotes):
    if hub.session.meta.private == cmd.hold:
        raise ValidationError("New notes are already held until reveal." if cmd.hold else
                              "New notes already show as they arrive.")
    return ("notes.hold" if cmd.hold else "notes.unhold"), _meta_patch(hub, private=cmd.hold), None, None


def _reveal_notes(hub: Hub, cmd: RevealNotes):
    held = [c for c in hub.session.cards.values() if c.held]
    if not held and not hub.session.meta.private:
        raise ValidationError("No notes are held back.")
    patch: Patch = _card_patch(*[(c, _copy(c, held=False)) for c in held]) if held else {}
    if hub.session.meta.private:
        patch.update(_meta_patch(hub, private=False))
    return "notes.reveal", patch, None, None


# -- voting -----------------------------------------------------------------------------------------------------

def _open_voting(hub: Hub, cmd: OpenVoting):
    kind = Kind.parse(cmd.kind)
    if kind not in VOTABLE:
        raise ValidationError("Voting is on problems or on options.")
    per_person, per_card = _dots(cmd.per_person, "Votes per person"), _dots(cmd.per_card, "Votes per card")
    if per_card > per_person:
        raise ValidationError("Votes per card can't be more than votes per person.")
    current = hub.session.meta.voting
    if current is not None and current.open:
        raise ValidationError("Voting is already open: close it before opening a new round.")
    round_no = max(_rounds_used(hub), default=0) + 1
    voting = Voting(round=round_no, kind=kind.value, per_person=per_person, per_card=per_card)
    return "vote.open", _meta_patch(hub, voting=voting.to_record()), None, None


def _rounds_used(hub: Hub) -> set[int]:
    """Every round number the session has given out: the current round, rounds with votes, and rounds in the
    history. A round that was opened and then undone may already be on a phone's screen, so its number is never
    given to another round (the phone would vote in it as if nothing had changed)."""
    used = {int(r["round"]) for r in hub.session.votes.values()}
    if hub.session.meta.voting is not None:
        used.add(hub.session.meta.voting.round)
    for event in hub.events:
        for record in event.patch.get("meta", {}).get("1", ()):
            voting = (record or {}).get("voting")
            if voting:
                used.add(int(voting["round"]))
    return used


def _dots(value: object, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_DOTS:
        raise ValidationError(f"{what} must be a whole number from 1 to {MAX_DOTS}.")
    return value


def _close_voting(hub: Hub, cmd: CloseVoting):
    voting = hub.session.meta.voting
    if voting is None or not voting.open:
        raise ValidationError("Voting is not open.")
    return "vote.close", _meta_patch(hub, voting={**voting.to_record(), "open": False}), None, None


def _reveal_votes(hub: Hub, cmd: RevealVotes):
    voting = hub.session.meta.voting
    if voting is None:
        raise ValidationError("There has been no vote yet.")
    if voting.revealed == cmd.revealed:
        raise ValidationError("The votes are already shown." if cmd.revealed else "The votes are already hidden.")
    return ("vote.reveal" if cmd.revealed else "vote.conceal"), \
        _meta_patch(hub, voting={**voting.to_record(), "revealed": cmd.revealed}), None, None


def _cast_vote(hub: Hub, cmd: CastVote):
    participant = check_participant(cmd.participant)
    voting = hub.session.meta.voting
    if voting is None or not voting.open:
        raise Refused("Voting is closed.")
    if cmd.round != voting.round:
        raise Refused("A new round of voting has started: your screen has been updated.")
    if cmd.delta not in (1, -1):
        raise ValidationError("A vote adds or takes back one dot at a time.")
    key = f"{voting.round}:{participant}"
    before = hub.session.votes.get(key)
    cards = dict((before or {}).get("cards", {}))
    card = hub.session.cards.get(cmd.card_id) if isinstance(cmd.card_id, int) else None
    if cmd.delta < 0 and str(cmd.card_id) in cards and (card is None or not in_vote(hub.session, card, voting)):
        # A dot on a note that has since gone (deleted, hidden, parked, moved) can always be taken back.
        mine = int(cards.pop(str(cmd.card_id))) - 1
        if mine:
            cards[str(cmd.card_id)] = mine
        after = {**(before or {}), "cards": cards} if cards else None
        return "vote.take", {"votes": {key: (before, after)}}, cmd.card_id, None
    if card is None or card.hidden or card.held or card.parked:
        raise NotFound("That note is not on the board (any more).")
    if card.cluster is not None and cmd.delta > 0:  # a dot placed before the merge can still be taken back
        raise Refused("That note is now part of a cluster: vote on the cluster.")
    if card.kind.value != voting.kind:
        raise Refused(f"This round is a vote on {Kind(voting.kind).label.lower()}.")
    mine = int(cards.get(str(card.id), 0)) + cmd.delta
    if mine < 0:
        raise Refused("You have no vote on that note to take back.")
    # The per-note limit is on what the room sees: a cluster together with the dots its members had before the merge.
    counted = card if card.cluster is None else hub.session.cards.get(card.cluster, card)
    family = {counted.id, *(m.id for m in hub.session.members(counted.id))}
    on_it = sum(int(n) for cid, n in cards.items() if int(cid) in family) + cmd.delta
    if cmd.delta > 0 and on_it > voting.per_card:
        raise Refused(f"At most {voting.per_card} vote{'s' * (voting.per_card != 1)} on one note.")
    # Only dots on notes still in the vote count against the allowance.
    live = sum(int(n) for cid, n in cards.items()
               if (c := hub.session.cards.get(int(cid))) is not None and in_vote(hub.session, c, voting))
    if cmd.delta > 0 and live + 1 > voting.per_person:
        raise Refused(f"You have used all {voting.per_person} of your votes: take one back to move it.")
    if mine:
        cards[str(card.id)] = mine
    else:
        cards.pop(str(card.id), None)
    group = hub.check_group(cmd.group_id) if cmd.group_id is not None else (before or {}).get("group")
    after = {"round": voting.round, "participant": participant, "group": group, "cards": cards} if cards else None
    if before is None and after is None:
        raise Refused("You have no vote on that note to take back.")
    return ("vote.cast" if cmd.delta > 0 else "vote.take"), {"votes": {key: (before, after)}}, card.id, None


# -- clusters ---------------------------------------------------------------------------------------------------

def _merge_cards(hub: Hub, cmd: MergeCards):
    ids = list(dict.fromkeys(cmd.card_ids))
    cards = [hub.card(i) for i in ids]
    if len(cards) < 2:
        raise ValidationError("Choose at least two notes to cluster.")
    if len({c.kind for c in cards}) != 1:
        raise ValidationError("Only notes of one column can be clustered.")
    if any(c.cluster is not None or c.held or c.parked for c in cards):
        raise ValidationError("A note that is held, parked or already in a cluster can't be clustered.")
    clusters = [c for c in cards if c.is_cluster]
    if len(clusters) > 1:
        raise ValidationError("Merge one cluster at a time: split one of them first.")
    pairs: list[tuple[Card | None, Card | None]] = []
    if clusters:
        cluster = clusters[0]
        title = T.clean(cmd.title, "Cluster title", T.CARD_TEXT_LIMIT, multiline=False) if cmd.title else cluster.text
        members = [c for c in cards if c is not cluster]
        links = sorted({*cluster.links, *(x for m in members for x in m.links)})
        pairs.append((cluster, _copy(cluster, text=title, links=links)))
    else:
        title = T.clean(cmd.title, "Cluster title", T.CARD_TEXT_LIMIT, multiline=False)
        members = cards
        first = min(members, key=lambda c: (c.order, c.id))
        cluster = Card(id=hub.session.next_id(hub.session.cards), kind=first.kind, text=title, group_id=None,
                       author=None, order=first.order, created=hub.clock(), source=Source(cmd.source).value,
                       links=sorted({x for m in members for x in m.links}), is_cluster=True)
        pairs.append((None, cluster))
    pairs.extend((m, _copy(m, cluster=cluster.id)) for m in members)
    return "cluster.merge", _card_patch(*pairs), cluster.id, None


def _split_cluster(hub: Hub, cmd: SplitCluster):
    cluster = hub.card(cmd.cluster_id)
    if not cluster.is_cluster:
        raise ValidationError("That note is not a cluster.")
    if any(str(cluster.id) in r.get("cards", {}) for r in hub.session.votes.values()):
        raise ValidationError("Votes were cast on this cluster as a whole; it stays together so they still count.")
    members = hub.session.members(cluster.id)
    pairs = [(cluster, None), *((m, _copy(m, cluster=None)) for m in members)]
    pairs.extend(_unlinked_from(hub, cluster.id, lambda c: False))
    return "cluster.split", _card_patch(*pairs), members[0].id if members else None, None


# -- timer ------------------------------------------------------------------------------------------------------

def _seconds(value: object, what: str = "The timer") -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValidationError(f"{what} needs a length in seconds above zero.")
    if value > MAX_TIMER_SECONDS:
        raise ValidationError(f"{what} can run for at most a year.")
    return float(value)


def _start_timer(hub: Hub, cmd: StartTimer):
    seconds = _seconds(cmd.seconds)
    timer = Timer(seconds=seconds, ends_at=iso_after(hub.clock(), seconds),
                  label=T.clean(cmd.label, "Timer label", T.NAME_LIMIT, required=False, multiline=False))
    return "timer.start", _meta_patch(hub, timer=timer.to_record()), None, None


def _timer(hub: Hub) -> Timer:
    timer = hub.session.meta.timer
    if timer is None:
        raise ValidationError("No timer is set.")
    return timer


def _pause_timer(hub: Hub, cmd: PauseTimer):
    timer = _timer(hub)
    if not timer.running:
        raise ValidationError("The timer is already paused.")
    paused = Timer(seconds=timer.seconds, remaining=timer.left(hub.clock()), label=timer.label)
    return "timer.pause", _meta_patch(hub, timer=paused.to_record()), None, None


def _resume_timer(hub: Hub, cmd: ResumeTimer):
    timer = _timer(hub)
    if timer.running:
        raise ValidationError("The timer is already running.")
    left = timer.left(hub.clock())
    if left <= 0:
        raise ValidationError("The timer has run out: extend it or start a new one.")
    running = Timer(seconds=timer.seconds, ends_at=iso_after(hub.clock(), left), label=timer.label)
    return "timer.resume", _meta_patch(hub, timer=running.to_record()), None, None


def _extend_timer(hub: Hub, cmd: ExtendTimer):
    timer = _timer(hub)
    extra = _seconds(cmd.seconds, "Extending the timer")
    now = hub.clock()
    if timer.running:
        # From what is left (or from now, if it already ran out): extending a finished timer restarts it.
        extended = Timer(seconds=timer.seconds + extra, ends_at=iso_after(now, timer.left(now) + extra),
                         label=timer.label)
    else:
        extended = Timer(seconds=timer.seconds + extra, remaining=timer.left(now) + extra, label=timer.label)
    if extended.seconds > MAX_TIMER_SECONDS:
        raise ValidationError("The timer can run for at most a year.")
    return "timer.extend", _meta_patch(hub, timer=extended.to_record()), None, None


def _stop_timer(hub: Hub, cmd: StopTimer):
    _timer(hub)
    return "timer.stop", _meta_patch(hub, timer=None), None, None


# -- "I'm done" -------------------------------------------------------------------------------------------------

def _mark_done(hub: Hub, cmd: MarkDone):
    participant = check_participant(cmd.participant)
    if not _whole(cmd.phase):
        raise ValidationError("The phase is a whole number.")
    if cmd.phase != hub.session.meta.phase:
        raise Refused("The session has moved on to another phase: your screen has been updated.")
    key = f"{cmd.phase}:{participant}"
    before = hub.session.done.get(key)
    if bool(before) == cmd.done:
        raise Refused("You have already said you are done." if cmd.done else "You had not said you were done.")
    after = {"phase": cmd.phase, "participant": participant,
             "group": hub.check_group(cmd.group_id) if cmd.group_id is not None else None} if cmd.done else None
    return ("done.mark" if cmd.done else "done.unmark"), {"done": {key: (before, after)}}, None, None


# -- breakouts --------------------------------------------------------------------------------------------------

def _start_breakout(hub: Hub, cmd: StartBreakout):
    if hub.session.meta.breakout:
        raise ValidationError("The groups are already in breakout.")
    if not hub.session.groups:
        raise ValidationError("This session has no groups to send into breakout.")
    return "breakout.start", _meta_patch(hub, breakout=True), None, None


def _end_breakout(hub: Hub, cmd: EndBreakout):
    if not hub.session.meta.breakout:
        raise ValidationError("The groups are not in breakout.")
    parked = [(c, _copy(c, parked=True)) for c in hub.session.cards.values()
              if c.breakout and not c.picked and not c.parked and c.cluster is None]
    patch: Patch = _card_patch(*parked) if parked else {}
    patch.update(_meta_patch(hub, breakout=False))
    return "breakout.end", patch, None, None


def _pick_card(hub: Hub, cmd: PickCard):
    card = hub.card(cmd.card_id)
    if cmd.source == Source.PHONE:
        check_participant(cmd.participant)
        if not hub.session.meta.breakout:
            raise Refused("The groups are back together: the facilitator now chooses.")
        if not card.breakout:
            raise Refused("Only notes written in this breakout can be brought back from a phone.")
        if card.group_id is None or card.group_id != cmd.group_id or card.hidden or card.held or card.parked:
            raise NotFound("That note is not one of your group's.")
    if card.picked == cmd.picked:
        raise Refused("That note is already picked." if cmd.picked else "That note was not picked.")
    return ("card.pick" if cmd.picked else "card.unpick"), _card_patch((card, _copy(card, picked=cmd.picked))), \
        card.id, None


def _park_card(hub: Hub, cmd: ParkCard):
    card = hub.card(cmd.card_id)
    if card.parked == cmd.parked:
        raise ValidationError("That note is already parked." if cmd.parked else "That note is not parked.")
    if card.is_cluster or card.cluster is not None:
        raise ValidationError("Split the cluster before parking its notes.")
    changes: dict = {"parked": cmd.parked}
    if not cmd.parked and card.breakout and not hub.session.meta.breakout:
        # Brought back to the plenary by the facilitator: picked, as if its group had chosen it, so the end of a
        # later breakout (which parks unpicked breakout notes) does not park it again. During a breakout, unparking
        # only returns it to its group's list.
        changes["picked"] = True
    return ("card.park" if cmd.parked else "card.unpark"), _card_patch((card, _copy(card, **changes))), \
        card.id, None


RUN_HANDLERS = {
    SetPhase: _set_phase, EditPhases: _edit_phases,
    HoldNotes: _hold_notes, RevealNotes: _reveal_notes,
    OpenVoting: _open_voting, CloseVoting: _close_voting, RevealVotes: _reveal_votes, CastVote: _cast_vote,
    MergeCards: _merge_cards, SplitCluster: _split_cluster,
    StartTimer: _start_timer, PauseTimer: _pause_timer, ResumeTimer: _resume_timer, ExtendTimer: _extend_timer,
    StopTimer: _stop_timer,
    MarkDone: _mark_done,
    StartBreakout: _start_breakout, EndBreakout: _end_breakout, PickCard: _pick_card, ParkCard: _park_card,
}

RUN_LABELS = {
    "phase.set": "change phase", "phase.edit": "edit phases",
    "notes.hold": "hold notes until reveal", "notes.unhold": "stop holding notes", "notes.reveal": "reveal notes",
    "vote.open": "open voting", "vote.close": "close voting", "vote.reveal": "show votes",
    "vote.conceal": "hide votes", "vote.cast": "vote", "vote.take": "take back a vote",
    "cluster.merge": "cluster", "cluster.split": "split cluster",
    "timer.start": "start timer", "timer.pause": "pause timer", "timer.resume": "resume timer",
    "timer.extend": "extend timer", "timer.stop": "stop timer",
    "done.mark": "I'm done", "done.unmark": "not done",
    "breakout.start": "start breakout", "breakout.end": "end breakout",
    "card.pick": "pick card", "card.unpick": "unpick card", "card.park": "park card", "card.unpark": "unpark card",
}
