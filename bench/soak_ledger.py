"""What the soak's two processes share, for bench_soak.py and soak_phones.py: the simulated session's clock
(`Clock`, `SIM_MINUTES`) and the label of its last change (`END_LABEL`); what the phones were told (`Ledger`) and how
the churn stage went for them (`ChurnLog`), both sent back from the phones' process as JSON; and `check_file`, which
holds the session file, reopened, to that ledger.

Why apart from the phones: the run, the phones and the report all read these, and none of them needs the others.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # its siblings, also when a test loads bench_soak.py from its file

SIM_MINUTES = 120
END_LABEL = "soak: the end"


class Clock:
    """The simulated session's clock; `start` is a time.monotonic() value, the same clock in both processes."""

    def __init__(self, seconds: float, start: float) -> None:
        self.scale = seconds / SIM_MINUTES  # real seconds per simulated minute
        self.start = start

    def now(self) -> float:
        return (time.monotonic() - self.start) / self.scale

    async def until(self, minute: float) -> None:
        delay = self.start + minute * self.scale - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


# -- what the phones were told -----------------------------------------------------------------------------------
@dataclass
class Ledger:
    """Everything the phones sent and heard, for the final check and the table."""

    notes: dict[str, tuple[int, str]] = field(default_factory=dict)  # request_id → (card id, text): 201/200
    votes: dict[str, tuple[str, int, int, int]] = field(default_factory=dict)  # rid → (participant, round, card, ±1)
    done: dict[str, tuple[str, int, bool]] = field(default_factory=dict)  # rid → (participant, phase, done)
    done_last: dict[tuple[int, str], bool] = field(default_factory=dict)  # (phase, participant) → last answer
    reflections: dict[str, dict] = field(default_factory=dict)  # participant → its last acknowledged `mine`
    reflection_rids: set[str] = field(default_factory=set)
    unanswered: set[str] = field(default_factory=set)  # no answer read for at least one try: may have been applied
    refused: set[str] = field(default_factory=set)  # every try answered with a refusal: must not be in the file
    samples: list[tuple[float, str, int, float]] = field(default_factory=list)  # (sim minute, kind, status, seconds)
    reconnects: list[float] = field(default_factory=list)  # sim minutes at which a stream was opened again
    errors: Counter = field(default_factory=Counter)

    def to_json(self) -> dict:
        return {"notes": self.notes, "votes": self.votes, "done": self.done,
                "done_last": [[phase, who, done] for (phase, who), done in self.done_last.items()],
                "reflections": self.reflections, "reflection_rids": sorted(self.reflection_rids),
                "unanswered": sorted(self.unanswered), "refused": sorted(self.refused), "samples": self.samples,
                "reconnects": self.reconnects, "errors": dict(self.errors)}

    @classmethod
    def from_json(cls, data: dict) -> Ledger:
        return cls(notes={k: tuple(v) for k, v in data["notes"].items()},
                   votes={k: tuple(v) for k, v in data["votes"].items()},
                   done={k: tuple(v) for k, v in data["done"].items()},
                   done_last={(phase, who): done for phase, who, done in data["done_last"]},
                   reflections=data["reflections"], reflection_rids=set(data["reflection_rids"]),
                   unanswered=set(data["unanswered"]), refused=set(data["refused"]),
                   samples=[tuple(x) for x in data["samples"]], reconnects=data["reconnects"],
                   errors=Counter(data["errors"]))



@dataclass
class ChurnLog:
    """The churn stage as the phones saw it: answers by request and status, latencies, rounds, what went wrong."""

    statuses: Counter = field(default_factory=Counter)  # "vote 409", "note 422", "board 200", "events 200", …
    latencies: list[float] = field(default_factory=list)  # seconds: request sent → answer read (stream: → board)
    rounds: list[float] = field(default_factory=list)  # seconds per round, the warm-up round first
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"statuses": dict(self.statuses), "latencies": self.latencies, "rounds": self.rounds,
                "problems": self.problems}

    @classmethod
    def from_json(cls, data: dict) -> ChurnLog:
        return cls(statuses=Counter(data["statuses"]), latencies=data["latencies"], rounds=data["rounds"],
                   problems=data["problems"])


def check_file(path: Path, ledger: Ledger) -> tuple[list[str], str]:
    """Reopen the session file: every acknowledgement in it exactly once, nothing else from a phone."""
    doc = json.loads(path.read_text("utf-8"))
    events = list(doc["events"].values())
    by_rid: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        if event.get("request_id") is not None:
            by_rid[event["request_id"]].append(event)
    problems: list[str] = []
    # Notes: the card with the text the phone was told, and one card.add event with its request_id.
    for rid, (card_id, text) in ledger.notes.items():
        card = doc["cards"].get(str(card_id))
        adds = [e for e in by_rid.get(rid, []) if e["type"] == "card.add"]
        if card is None or card["text"] != text or len(adds) != 1 or adds[0].get("card_id") != card_id:
            problems.append(f"note {rid}: acknowledged as card {card_id} but not in the file exactly once as told")
    # Dots: each acknowledged vote one event; each phone's dots in the file = the sum of its acknowledged votes.
    expected_dots: dict[str, Counter] = defaultdict(Counter)
    for rid, (participant, round_no, card_id, delta) in ledger.votes.items():
        if len(by_rid.get(rid, [])) != 1 or not by_rid[rid][0]["type"].startswith("vote."):
            problems.append(f"vote {rid}: acknowledged but {len(by_rid.get(rid, []))} events in the file")
        expected_dots[f"{round_no}:{participant}"][str(card_id)] += delta
    for key, dots in expected_dots.items():
        stored = (doc["votes"].get(key) or {}).get("cards", {})
        if {k: v for k, v in dots.items() if v} != {k: int(v) for k, v in stored.items()}:
            problems.append(f"dots of {key}: {dict(dots)} acknowledged, {stored} in the file")
    # "I'm done": the last answer each phone heard for a phase is what the file says.
    for (phase, participant), done in ledger.done_last.items():
        if (f"{phase}:{participant}" in doc["done"]) != done:
            problems.append(f"done {phase}:{participant}: told {done}, the file says otherwise")
    for rid in ledger.done:
        if len(by_rid.get(rid, [])) > 1:
            problems.append(f"done {rid}: {len(by_rid[rid])} events")
    # The self-reflection: each phone's last acknowledged answer is its answer in the file.
    for participant, mine in ledger.reflections.items():
        record = doc["reflections"].get(participant) or {}
        if {k: record.get(k) for k in mine} != mine:
            problems.append(f"reflection of {participant}: the file holds another answer than the one acknowledged")
    # Nothing from a phone that was not acknowledged, but what the hub applied for a request never answered.
    acknowledged = set(ledger.notes) | set(ledger.votes) | set(ledger.done) | ledger.reflection_rids
    stray = [rid for rid in by_rid if rid not in acknowledged and rid not in ledger.unanswered]
    if stray:
        problems.append(f"{len(stray)} changes from phones in the file that no phone was told about, e.g. {stray[0]}")
    leaked = [rid for rid in ledger.refused if rid in by_rid]
    if leaked:
        problems.append(f"{len(leaked)} refused requests stored anyway, e.g. {leaked[0]}")
    applied_unanswered = sum(1 for rid in ledger.unanswered if rid in by_rid and rid not in acknowledged)
    phone_cards = sum(1 for e in events if e["type"] == "card.add" and e.get("request_id"))
    summary = (f"{len(ledger.notes):,} notes, {len(ledger.votes):,} votes, {len(ledger.done):,} \"I'm done\" and "
               f"{len(ledger.reflections):,} self-reflection answers acknowledged, each in the file exactly once as "
               f"told ({phone_cards:,} phone notes in the file, {len(events):,} events); "
               f"{len(ledger.refused):,} refused requests, none stored; {applied_unanswered} applied without the "
               f"phone hearing the answer")
    return problems, summary
