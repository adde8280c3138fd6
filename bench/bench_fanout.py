"""Benchmark: the server's work to tell a room of phones about one change (the live event stream's fan-out).

Run: python bench/bench_fanout.py [--phones 100] [--cards 300] [--repeat 20] [--no-readme]

Every phone's stream listener runs inside `hub.apply`, on the event loop that also answers the phones' POSTs: the
time it takes for all phones together is time no phone gets an answer. This measures, in one process and one run,
that work for one event and --phones listening phones (a quarter of them writers with a held note, a few with dots),
for the events a session is made of:

  * a phone's note, a dot while the totals are shown, the next phase (every phone's own `mine` too), the start of a
    breakout (a fresh board per group), and revealing --cards notes written in hidden writing;
  * "now": `PublicFeed.payload`, what sse.py sends (shared messages encoded once per event, a fresh board encoded
    once per kind of phone plus each phone's own fields);
  * "per phone" (the baseline, the design before, in the same run): the same messages encoded again for every phone.

Each figure is the median of --repeat runs over a fresh feed (nothing cached from the run before). Compare the
ratio, not the milliseconds: the machines here are shared. Figures go to the "fanout" section of bench/README.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # bench_common, also when a test imports this file

from bench_common import machine, update_readme  # noqa: E402
from coprod_tui.core.commands import AddCard, CardDraft, Command, Source  # noqa: E402
from coprod_tui.core.commands import (CastVote, EndBreakout, HoldNotes, OpenVoting, RevealNotes,  # noqa: E402
                                          RevealVotes, SetPhase, StartBreakout)
from coprod_tui.core.hub import Hub, new_session  # noqa: E402
from coprod_tui.core.model import Kind  # noqa: E402
from coprod_tui.core.store.folder import SessionFolder  # noqa: E402
from coprod_tui.web.feed import PublicFeed, encode  # noqa: E402
from coprod_tui.web.public import Viewer  # noqa: E402

GROUPS = [("People who use services", "people", None), ("Carers", "carers", None),
          ("Practitioners", "practitioners", None), ("Commissioners", "commissioners", None)]
TEXT = "Nobody tells carers where they are on the respite list, so we ring round every week {}"


def phone_id(n: int) -> str:
    return f"phone-bench-{n:08d}"


def note(hub: Hub, n: int, kind: Kind = Kind.PROBLEM) -> int:
    event = hub.apply(AddCard(card=CardDraft(kind=kind, text=TEXT.format(n), group_id=1 + n % 4,
                                             participant=phone_id(n)), source=Source.PHONE, request_id=f"r-{n}"))
    assert event.card_id is not None
    return event.card_id


def build(folder: Path, phones: int, cards: int) -> tuple[Hub, list[Viewer], int]:
    """A session with `cards` notes on the board, an open and revealed vote, and the phones (group by number)."""
    hub = new_session(SessionFolder(folder), "Fan-out bench", "How fast do phones hear?", GROUPS)
    first = 0
    for n in range(cards):
        card = note(hub, n)
        first = first or card
    hub.apply(OpenVoting(kind="problem", per_person=5, per_card=2))
    hub.apply(RevealVotes())
    for n in range(0, phones, 10):
        hub.apply(CastVote(participant=phone_id(n), card_id=first + n % cards, round=1, source=Source.PHONE))
    viewers = [Viewer(phone_id(n), 1 + n % 4) for n in range(phones)]
    return hub, viewers, first


def fan_out(hub: Hub, viewers: list[Viewer], command: Command, per_phone: bool) -> tuple[float, int]:
    """Apply `command` and give every phone its bytes the way sse.py does (or the baseline's way): (seconds, bytes
    per phone on average). The hub's own work is outside the timing: only what the listeners add is measured."""
    feed = PublicFeed(hub)
    event = hub.apply(command)
    start = time.perf_counter()
    total = 0
    for viewer in viewers:
        if per_phone:
            data = b"".join(encode(name, body) for name, body in feed.messages(event, viewer))
        else:
            data = feed.payload(event, viewer)
        total += len(data)
    return time.perf_counter() - start, total // max(len(viewers), 1)


def scenarios(cards: int) -> list[tuple[str, Callable[[Hub, int, int], tuple[list[Command], Command, list[Command]]]]]:
    """(name, f(hub, first card, repeat number) → (set-up commands, the measured command, tidy-up commands))."""
    return [
        ("a phone's note", lambda hub, first, i: ([], AddCard(card=CardDraft(
            kind=Kind.PROBLEM, text=TEXT.format(f"new {i}"), group_id=1, participant=phone_id(1)),
            source=Source.PHONE, request_id=f"new-{i}"), [])),
        ("a dot, totals shown", lambda hub, first, i: (
            [], CastVote(participant=phone_id(7), card_id=first + i % cards, round=1, source=Source.PHONE),
            [CastVote(participant=phone_id(7), card_id=first + i % cards, round=1, delta=-1, source=Source.PHONE)])),
        ("the next phase", lambda hub, first, i: ([], SetPhase(index=1 + i % 2), [])),
        ("a breakout starts", lambda hub, first, i: ([], StartBreakout(), [EndBreakout()])),
        (f"reveal {cards} held notes", lambda hub, first, i: (
            [HoldNotes()] + [AddCard(card=CardDraft(kind=Kind.OPTION, text=TEXT.format(f"held {i}-{n}"),
                                                    group_id=1 + n % 4, participant=phone_id(n * 4)),
                                     source=Source.PHONE, request_id=f"held-{i}-{n}") for n in range(cards)],
            RevealNotes(), [])),
    ]


def measure(hub: Hub, viewers: list[Viewer], first: int, repeat: int, cards: int) -> list[dict]:
    rows = []
    step = 0
    for name, make in scenarios(cards):
        runs: dict[bool, list[float]] = {False: [], True: []}
        sizes: dict[bool, int] = {}
        for i in range(repeat):
            for per_phone in (False, True):  # interleaved, so both see the same machine
                step += 1
                setup, command, tidy = make(hub, first, step)
                for c in setup:
                    hub.apply(c)
                seconds, size = fan_out(hub, viewers, command, per_phone)
                for c in tidy:
                    hub.apply(c)
                runs[per_phone].append(seconds)
                sizes[per_phone] = size
        now, before = statistics.median(runs[False]), statistics.median(runs[True])
        rows.append({"event": name, "now_ms": now * 1000, "before_ms": before * 1000, "ratio": now / before,
                     "now_bytes": sizes[False], "before_bytes": sizes[True]})
    return rows


def table(rows: list[dict], phones: int) -> str:
    lines = [f"| event ({phones} phones) | now: ms for all phones | per phone (before): ms | now ÷ before "
             "| bytes per phone: now · before |", "|---|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['event']} | {r['now_ms']:.2f} | {r['before_ms']:.2f} | {r['ratio']:.2f}× "
                     f"| {r['now_bytes']:,} · {r['before_bytes']:,} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=100, help="listening phones (default 100)")
    parser.add_argument("--cards", type=int, default=300, help="notes on the board, and notes revealed (default 300)")
    parser.add_argument("--repeat", type=int, default=20, help="runs per event and way (default 20)")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        hub, viewers, first = build(Path(tmp), args.phones, args.cards)
        try:
            rows = measure(hub, viewers, first, args.repeat, args.cards)
        finally:
            hub.close()
    command = "python bench/bench_fanout.py" + ("" if (args.phones, args.cards, args.repeat) == (100, 300, 20)
                                                else f" --phones {args.phones} --cards {args.cards} "
                                                     f"--repeat {args.repeat}")
    section = "\n".join(part if part.startswith(("|", "#")) else textwrap.fill(part, 118) for part in [
        "## fanout", "",
        f"{machine()}: `{command}`. One process; a session of {args.cards} notes with a revealed vote, "
        f"{args.phones} phones listening (four groups); the median of {args.repeat} runs per event and way, "
        "interleaved. The time is what the phones' listeners add to the change, on the loop that answers the "
        "phones: the hub's own work is not in it.", "",
        table(rows, args.phones), "",
        "\"Now\" is what sse.py sends (feed.PublicFeed.payload): a message the same for many phones is encoded once "
        "per event, a fresh board once per kind of phone (its group during a breakout; a phone of its own only if it "
        "wrote a note its group's board leaves out) plus each phone's own fields, and all of an event's messages go "
        "into the phone's queue as one item. \"Before\" encodes every message again for every phone. Each reveal "
        f"adds {args.cards} notes, so the session grows through that row (the rows above it ran first).", "",
        "Two earlier costs this run cannot show, measured with this script on 2026-11-27 before they were fixed: a "
        "breakout start built a board for every phone that had written a note (80.2 ms for the 100 phones, against "
        "6–10 ms once phones share their group's board), and every dot while totals were shown sent each phone the "
        "totals of every note, zeros included (2,418 bytes per phone at 300 notes, against ~120 now).",
    ])
    print(section)
    if not args.no_readme:
        print(f"written to {update_readme(section, 'fanout')}")


if __name__ == "__main__":
    main()
