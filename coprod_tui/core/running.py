"""The state a facilitator steers a session with: phases, voting, the timer. Kept in the session's meta record.

Each is a small dataclass with `to_record` / `from_record`, like the rest of the model, so the hub's before/after
patches (and therefore undo, replay and the phones' live view) cover them with no special cases. Older files have
none of these fields: `from_record` gives the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from coprod_tui.core.localtime import parse_stamp

REFLECTION = "reflection"  # a phase of this kind puts the self-reflection on every phone instead of the note form


@dataclass(frozen=True)
class Phase:
    """One step of the session: a name, the question put to the room, and the kind of note phones default to."""

    name: str
    prompt: str = ""
    kind: str | None = None  # a column ("problem", "option", "contribution"), REFLECTION, or None (writer's choice)

    def to_record(self) -> dict:
        return {"name": self.name, "prompt": self.prompt, "kind": self.kind}

    @classmethod
    def from_record(cls, rec: dict) -> Phase:
        """The record as written; model.Meta.from_record, which knows the columns, drops a kind it does not name."""
        kind = rec.get("kind")
        return cls(name=str(rec["name"]), prompt=str(rec.get("prompt") or ""),
                   kind=kind if isinstance(kind, str) and kind else None)


# The default running order of a co-production session (editable per session). The prompts are our own words.
DEFAULT_PHASES: tuple[Phase, ...] = (
    Phase("Welcome", "Welcome. Who is here, and what brings you to this question?"),
    Phase("Problems", "What gets in the way? One problem per note, in your own words.", "problem"),
    Phase("Options", "What could we try together? One idea per note.", "option"),
    Phase("Contributions", "What could you, your group or your organisation bring to an option?", "contribution"),
    Phase("Plan", "Who will do what, and by when?", "contribution"),
    Phase("Reflection", "How well are we working together as equal partners?", REFLECTION),
)


@dataclass(frozen=True)
class Voting:
    """A round of dot voting. Tallies stay hidden from the room until `revealed`."""

    round: int
    kind: str  # "problem" or "option"
    per_person: int
    per_card: int
    open: bool = True
    revealed: bool = False

    def to_record(self) -> dict:
        return {"round": self.round, "kind": self.kind, "per_person": self.per_person, "per_card": self.per_card,
                "open": self.open, "revealed": self.revealed}

    @classmethod
    def from_record(cls, rec: dict | None) -> Voting | None:
        if not rec:
            return None
        return cls(round=int(rec["round"]), kind=str(rec["kind"]), per_person=int(rec["per_person"]),
                   per_card=int(rec["per_card"]), open=bool(rec.get("open", True)),
                   revealed=bool(rec.get("revealed", False)))


@dataclass(frozen=True)
class Timer:
    """A countdown of any length. Running: `ends_at` is set. Paused: `remaining` seconds are kept instead.

    Times are the hub clock's ISO strings, so the file says when the timer ends, and every front end computes what
    is left from its own clock (phones get the server's time too, to correct for a phone's clock being off).
    """

    seconds: float  # the length it was set to (with extensions), for a progress bar
    ends_at: str | None = None
    remaining: float | None = None
    label: str = ""

    @property
    def running(self) -> bool:
        return self.ends_at is not None

    def left(self, now: str | datetime) -> float:
        """Seconds left at `now` (never negative)."""
        if self.ends_at is None:
            return max(self.remaining or 0.0, 0.0)
        return max((parse_time(self.ends_at) - _as_time(now)).total_seconds(), 0.0)

    def to_record(self) -> dict:
        return {"seconds": self.seconds, "ends_at": self.ends_at, "remaining": self.remaining, "label": self.label}

    @classmethod
    def from_record(cls, rec: dict | None) -> Timer | None:
        if not rec:
            return None
        remaining = rec.get("remaining")
        return cls(seconds=float(rec["seconds"]), ends_at=rec.get("ends_at"),
                   remaining=float(remaining) if remaining is not None else None, label=str(rec.get("label") or ""))


def parse_time(value: str) -> datetime:
    """The hub clock's ISO time ("2025-03-12T10:00:01.000+00:00"), read by the one parser (localtime.parse_stamp);
    ValueError when it is not a time (a timer must never count from a guess)."""
    moment = parse_stamp(value)
    if moment is None:
        raise ValueError(f"not a time: {value!r}")
    return moment


def _as_time(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else parse_time(value)


def iso_after(now: str, seconds: float) -> str:
    """`now` plus `seconds`, in the hub clock's format (milliseconds, offset kept)."""
    moment = parse_time(now) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds")
