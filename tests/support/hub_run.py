"""Shared helpers of the hub tests for running a session (phases, hidden writing, voting, clusters, timer,
"I'm done", breakouts): a clock that stands still until moved, phone ids, and small command builders."""


from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone

import pytest

from coprod_tui.core.commands import (AddCard, CardDraft, DeleteCard, Event, HideCard, MoveCard, Redo, Source,
                                      ToggleLink, Undo)
from coprod_tui.core.commands import (CastVote, CloseVoting, EditPhases, EndBreakout, ExtendTimer, HoldNotes,
                                          MarkDone, MergeCards, OpenVoting, ParkCard, PauseTimer, PickCard,
                                          RevealNotes, RevealVotes, ResumeTimer, SetPhase, SplitCluster,
                                          StartBreakout, StartTimer, StopTimer)
from coprod_tui.core.errors import NotFound, Refused, ValidationError
from coprod_tui.core.handlers import room, votes
from coprod_tui.core.handlers.room import MAX_PHASES, MAX_TIMER_SECONDS
from coprod_tui.core.handlers.votes import MAX_DOTS
from coprod_tui.core.hub import Hub, new_session, open_session
from coprod_tui.core.model import SCHEMA_VERSION, Card, Role
from coprod_tui.core.reading.replay import Replay
from coprod_tui.core.running import DEFAULT_PHASES, Phase, Timer, Voting
from coprod_tui.core.store.file import TABLES
from coprod_tui.core.reading.tally import done_counts, held_counts, my_votes, vote_results, voters
from support.hub import C, file_doc, folder, O, P, path_of, reopen  # noqa: F401  (fixture: folder)

PHONE = Source.PHONE
RUN_LABELS = {**room.LABELS, **votes.LABELS}  # the event types of running a session (phases to breakouts)
ALICE, BOB, CAROL = "alice-phone-0001", "bob-phone-0002", "carol-phone-0003"  # phones' random ids
START = datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)


class StillClock:
    """The hub's clock: time stands still until the test moves it on (`clock.tick(90)`)."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> str:
        return self.now.isoformat(timespec="milliseconds")

    def tick(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    @staticmethod
    def at(seconds: float) -> str:
        """The clock's time `seconds` after the start, as the hub writes it."""
        return (START + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


@pytest.fixture
def clock() -> StillClock:
    return StillClock()


@pytest.fixture
def hub(folder, clock):
    h = new_session(folder, "Crisis support", "What gets in the way?",
                    [("Carers", "carers", None), ("Staff", "practitioners", None)], clock=clock)
    yield h
    h.close()


# -- helpers ---------------------------------------------------------------------------------------------------------

def note(hub: Hub, kind=P, text: str = "a note", *, phone: str | None = None, group: int | None = None) -> Card:
    """A note from the facilitator, or from the phone whose id is `phone`."""
    event = hub.apply(AddCard(card=CardDraft(kind=kind, text=text, group_id=group, participant=phone),
                              source=PHONE if phone else Source.FACILITATOR))
    return hub.session.cards[event.card_id]


def now(hub: Hub, card: Card) -> Card:
    """The card as it is now (cards are replaced, never changed in place)."""
    return hub.session.cards[card.id]


def open_round(hub: Hub, kind=P, per_person: int = 3, per_card: int = 2) -> Voting:
    hub.apply(OpenVoting(kind=kind, per_person=per_person, per_card=per_card))
    return hub.session.meta.voting


def cast(card: Card | int, who: str = ALICE, *, round_no: int = 1, delta: int = 1, group: int | None = None,
         request_id: str | None = None) -> CastVote:
    card_id = card.id if isinstance(card, Card) else card
    return CastVote(participant=who, card_id=card_id, round=round_no, delta=delta, group_id=group, source=PHONE,
                    request_id=request_id)


def vote(hub: Hub, card: Card | int, who: str = ALICE, **kwargs) -> Event:
    """A phone's dot in the current round."""
    return hub.apply(cast(card, who, round_no=hub.session.meta.voting.round, **kwargs))


def merge(hub: Hub, *cards: Card, title: str | None = "Cluster") -> Card:
    event = hub.apply(MergeCards(card_ids=tuple(c.id for c in cards), title=title))
    return hub.session.cards[event.card_id]


def pick(card: Card, who: str = ALICE, group: int | None = 1, picked: bool = True) -> PickCard:
    return PickCard(card_id=card.id, picked=picked, participant=who, group_id=group, source=PHONE)


def state(hub: Hub) -> dict:
    """The whole session as plain records, except `updated` (which every event moves on)."""
    meta = hub.session.meta.to_record()
    del meta["updated"]
    return json.loads(json.dumps({
        "meta": meta,
        "groups": {k: g.to_record() for k, g in hub.session.groups.items()},
        "cards": {k: c.to_record() for k, c in hub.session.cards.items()},
        "votes": hub.session.votes,
        "done": hub.session.done,
    }))


def _everything(hub: Hub) -> tuple:
    hub.storage.flush(5)
    return (state(hub), hub.session.meta.updated, len(hub.events), hub.can_undo(), hub.can_redo(),
            path_of(hub).read_text("utf-8"))


def refused(hub: Hub, command, error: type[Exception], match: str) -> None:
    """`command` is refused with exactly `error`, and nothing changed: session, history, undo, the file."""
    before = _everything(hub)
    with pytest.raises(error, match=match) as caught:
        hub.apply(command)
    assert type(caught.value) is error
    assert _everything(hub) == before


def done(who: str, phase: int, group: int | None = None, is_done: bool = True) -> MarkDone:
    return MarkDone(participant=who, phase=phase, group_id=group, done=is_done, source=PHONE)
