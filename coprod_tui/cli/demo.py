"""The bundled demo session: a review of a carers' short breaks (respite) service.

    python -m coprod_tui.cli.demo [--sessions-dir DIR] [--force]

The session is built through the hub, command by command, exactly as a real session would be — notes from phones,
a batch typed up from paper, links made by the facilitator — so the file is a valid session with a full event
history (undo and replay work on it). The id is fixed (`demo-carers-respite`) and so is the clock, so running this
twice gives the same bytes: `sessions/demo-carers-respite.json` in the repository is its output, and a test checks
that it is current.

The people and the borough are invented; the problems are the kind carers and staff commonly raise about short
breaks in UK local authorities.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from coprod_tui.core.commands import AddCard, CardDraft, ImportCards, Source, ToggleLink
from coprod_tui.core.errors import CoprodError
from coprod_tui.core.hub import Hub, new_session
from coprod_tui.core.model import Kind
from coprod_tui.core.commands import SetPhase
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.cli.demo_method import plan_and_reflect, steer_options_vote

DEMO_ID = "demo-carers-respite"
TITLE = "Short breaks for carers: what's not working and what could?"
QUESTION = ("What is really getting in the way of carers having a proper break — and what could we try, "
            "together, to change that?")
PROGRAMME = "Short breaks for carers"
START = datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)

GROUPS = [
    ("People who use services", "people"),
    ("Carers", "carers"),
    ("Practitioners", "practitioners"),
    ("Commissioners", "commissioners"),
    ("Carers' Centre", "community"),
]


@dataclass(frozen=True)
class Note:
    key: str
    kind: Kind
    text: str
    group: str | None
    author: str | None = None
    links: tuple[str, ...] = ()
    via: Source = Source.PHONE


P, O, C = Kind.PROBLEM, Kind.OPTION, Kind.CONTRIBUTION
PEOPLE, CARERS, PRACT, COMM, CENTRE = (name for name, _ in GROUPS)

# In the order they arrive. Notes sent `via` IMPORT were written on paper at the Carers' Centre table and typed up
# by the facilitator during the break; they go in as one import.
NOTES: list[Note] = [
    # -- problems ---------------------------------------------------------------------------------------------------
    Note("p-notice", P, "I only find out a respite bed is free the day before — I can't plan anything around that.",
         CARERS, "Margaret"),
    Note("p-forms", P, "The booking forms are 14 pages and ask me the same questions every single time.", CARERS),
    Note("p-routine", P, "When I go for respite nobody there knows my routine. I come home unsettled for a week.",
         PEOPLE, "Dev"),
    Note("p-ringround", P, "We can't see which places have space, so we ring round providers for hours to find one "
         "night.", PRACT, "Sam"),
    Note("p-emptybeds", P, "We pay for the beds whether they're used or not, and about a third sit empty midweek.",
         COMM),
    Note("p-far", P, "The respite house is forty minutes away on two buses and I don't know anyone there.", PEOPLE),
    Note("p-guilt", P, "I feel guilty asking. Nobody ever told me a break is something I'm allowed to ask for.",
         CARERS, "Priya"),
    Note("p-directpay", P, "Direct payments for short breaks take months to set up, so families give up and go "
         "without.", PRACT),
    Note("p-shifts", P, "Carers who work shifts can't get to daytime appointments, so they never get a carer's "
         "assessment in the first place.", CENTRE, via=Source.IMPORT),
    Note("p-reach", P, "Some communities hardly use the service at all: the leaflet is only in English and "
         "'respite' sounds like a care home.", CENTRE, "Nasreen", via=Source.IMPORT),
    # -- options ----------------------------------------------------------------------------------------------------
    Note("o-live", O, "Show which short-break places are free, live, so carers and workers can book up to three "
         "months ahead.", COMM, links=("p-notice", "p-ringround", "p-emptybeds")),
    Note("o-oneform", O, "One short form, filled in once, that follows the person — next time you only check what has "
         "changed.", CARERS, "Margaret", links=("p-forms", "p-directpay")),
    Note("o-thisisme", O, "A one-page 'This is me' written with the person — routines, food, what helps — that goes "
         "with them to every stay.", PEOPLE, "Dev", links=("p-routine",)),
    Note("o-evenings", O, "Carer's assessments in the evening and on Saturdays, and by phone or video for people "
         "who can't get away.", CENTRE, via=Source.IMPORT, links=("p-shifts",)),
    Note("o-midweek", O, "Use the empty midweek nights for short-notice breaks and day stays instead of leaving "
         "them empty.", PRACT, links=("p-emptybeds", "p-notice")),
    Note("o-local", O, "Breaks closer to home: trusted local sitters, Shared Lives carers and day activities, not "
         "only the respite house.", PEOPLE, links=("p-far", "p-reach")),
    Note("o-tellcarers", O, "Tell every carer, in plain words and in community languages, that breaks are for them "
         "too — and how to ask.", CENTRE, "Nasreen", via=Source.IMPORT, links=("p-guilt", "p-reach")),
    Note("o-fasttrack", O, "Fast-track direct payments for short breaks: a decision within four weeks and a "
         "pre-paid card.", PRACT, "Sam", links=("p-directpay",)),
    # -- contributions ----------------------------------------------------------------------------------------------
    Note("c-clinics", C, "We can host evening assessment clinics at the Centre, twice a month, with a worker from "
         "the council.", CENTRE, via=Source.IMPORT, links=("o-evenings",)),
    Note("c-testform", C, "I'll try the new short form with three other carers from my group and say what's "
         "confusing.", CARERS, "Margaret", links=("o-oneform",)),
    Note("c-template", C, "I'll help write the 'This is me' template and show other people how to fill theirs in.",
         PEOPLE, "Dev", links=("o-thisisme",)),
    Note("c-contract", C, "We'll change the contract when it renews in April so we pay for flexible nights, not "
         "fixed beds.", COMM, links=("o-midweek", "o-live")),
    Note("c-trial", C, "Our team will trial the live availability sheet for three months and report back what "
         "worked.", PRACT, "Sam", links=("o-live",)),
    Note("c-translate", C, "Our volunteers speak Urdu, Bengali and Polish — they'll co-write the leaflet, not just "
         "translate it.", CENTRE, "Nasreen", via=Source.IMPORT, links=("o-tellcarers",)),
    Note("c-sharedlives", C, "We'll fund two Shared Lives pilot places in the north of the borough this year.", COMM,
         links=("o-local",)),
    Note("c-peers", C, "I'll start a carers' group chat to swap tips on booking and direct payments, so nobody "
         "has to work it out alone.", CARERS, links=("o-fasttrack", "o-tellcarers")),
]


class Clock:
    """A fixed, advancing clock: every reading is one second after the last; `at()` jumps ahead."""

    def __init__(self, start: datetime) -> None:
        self.start = self.now = start

    def at(self, minutes: int) -> None:
        """Jump to `minutes` after the start (never backwards: events stay in time order)."""
        self.now = max(self.now, self.start + timedelta(minutes=minutes))

    def wait(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    def __call__(self) -> str:
        self.now += timedelta(seconds=1)
        return self.now.isoformat(timespec="milliseconds")


class _FixedIdFolder(SessionFolder):
    """A session folder that gives the new session the demo's fixed id."""

    def new_id(self, title: str, date: str) -> str:
        return DEMO_ID


def build(folder: SessionFolder, clock: Clock | None = None) -> Hub:
    """Create the demo session in `folder` (the id must be free) and return its open hub."""
    clock = clock or Clock(START)
    hub = new_session(_FixedIdFolder(folder.folder), TITLE, QUESTION,
                      [(name, role, None) for name, role in GROUPS], programme=PROGRAMME, clock=clock)
    try:
        _fill(hub, clock)
    except BaseException:
        hub.close()
        raise
    return hub


def _fill(hub: Hub, clock: Clock) -> None:
    groups = {g.name: g.id for g in hub.session.groups.values()}
    ids: dict[str, int] = {}
    phone = 0

    def draft(note: Note) -> CardDraft:
        return CardDraft(kind=note.kind, text=note.text, author=note.author,
                         group_id=groups[note.group] if note.group else None)

    def section(kind: Kind, minute: int) -> None:
        nonlocal phone
        clock.at(minute)
        notes = [n for n in NOTES if n.kind is kind]
        for note in notes:
            if note.via is Source.IMPORT:
                continue
            phone += 1
            clock.wait(40 + phone * 37 % 150)  # notes arrive unevenly, as they do in a room
            event = hub.apply(AddCard(card=draft(note), source=note.via, request_id=f"demo-{phone:03d}"))
            ids[note.key] = event.card_id
        paper = [n for n in notes if n.via is Source.IMPORT]
        if paper:
            clock.at(minute + 25)
            event = hub.apply(ImportCards(cards=tuple(draft(n) for n in paper), source=Source.IMPORT))
            first = event.card_id
            for offset, note in enumerate(paper):
                ids[note.key] = first + offset
        clock.at(minute + 28)
        for note in notes:
            for target in note.links:
                clock.wait(15)
                hub.apply(ToggleLink(card_id=ids[note.key], target_id=ids[target]))

    clock.at(10)
    hub.apply(SetPhase(index=1))
    section(Kind.PROBLEM, 10)  # 10:10, after introductions and the power check
    clock.at(48)
    hub.apply(SetPhase(index=2))
    section(Kind.OPTION, 50)
    clock.at(80)
    steer_options_vote(hub, ids, clock.wait)  # 11:20: which options matter most to the room
    hub.apply(SetPhase(index=3))
    section(Kind.CONTRIBUTION, 85)
    clock.at(118)
    plan_and_reflect(hub, ids, clock.wait)


def write(sessions_dir: Path, *, force: bool = False) -> Path:
    """Build the demo into `sessions_dir/demo-carers-respite.json`; replace an existing one only with `force`."""
    sessions_dir.mkdir(parents=True, exist_ok=True)
    target = SessionFolder(sessions_dir).path_for(DEMO_ID)
    if target.exists() and not force:
        raise FileExistsError(f"{target} already exists (use --force to rebuild it)")
    scratch = Path(tempfile.mkdtemp(dir=sessions_dir, prefix=".demo-"))
    try:
        build(SessionFolder(scratch)).close()
        os.replace(scratch / target.name, target)  # whole file or nothing, as the storage itself does
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coprod_tui.cli.demo", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions-dir", metavar="DIR", type=Path,
                        default=Path(os.environ.get("COPROD_SESSIONS") or "sessions"))
    parser.add_argument("--force", action="store_true", help="replace an existing demo session")
    args = parser.parse_args(argv)
    try:
        path = write(args.sessions_dir, force=args.force)
    except (CoprodError, OSError) as exc:
        print(f"coprod demo: error: {exc}", file=sys.stderr)
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
