"""Commands that steer a session: phases, hidden writing, dot voting, clusters, the timer, "I'm done", breakouts.

Like every command, each becomes one event through `Hub.apply`: saved, undoable (the facilitator's), replayed in
review, and followed live by the board and the phones. Commands a phone sends carry its `participant` id: a random
string the phone keeps in its browser, never personal data.
"""

from __future__ import annotations

from dataclasses import dataclass

from coprod_tui.core.commands.base import Command
from coprod_tui.core.model import Kind
from coprod_tui.core.running import Phase


@dataclass(frozen=True, kw_only=True)
class SetPhase(Command):
    index: int


@dataclass(frozen=True, kw_only=True)
class EditPhases(Command):
    phases: tuple[Phase, ...]


@dataclass(frozen=True, kw_only=True)
class HoldNotes(Command):
    """Hidden writing on (`hold`) or off: while on, new notes are held until the facilitator reveals them."""

    hold: bool = True


@dataclass(frozen=True, kw_only=True)
class RevealNotes(Command):
    """Show every held note at once, on the board and on phones, and end hidden writing."""


@dataclass(frozen=True, kw_only=True)
class OpenVoting(Command):
    kind: Kind | str
    per_person: int
    per_card: int


@dataclass(frozen=True, kw_only=True)
class CloseVoting(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class RevealVotes(Command):
    revealed: bool = True


@dataclass(frozen=True, kw_only=True)
class CastVote(Command):
    """A phone places (`delta` +1) or takes back (-1) one dot. `round` is the round the phone is showing: a phone
    that missed a new round is told so instead of voting in the wrong one."""

    participant: str
    card_id: int
    round: int
    delta: int = 1
    group_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class MergeCards(Command):
    """Fold cards of one column into a titled cluster (or into the one cluster among them)."""

    card_ids: tuple[int, ...]
    title: str | None = None


@dataclass(frozen=True, kw_only=True)
class SplitCluster(Command):
    cluster_id: int


@dataclass(frozen=True, kw_only=True)
class StartTimer(Command):
    seconds: float
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class PauseTimer(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class ResumeTimer(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class ExtendTimer(Command):
    seconds: float


@dataclass(frozen=True, kw_only=True)
class StopTimer(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class MarkDone(Command):
    """A phone says "I'm done" with a phase (or takes it back). `phase` is the phase the phone is showing."""

    participant: str
    phase: int
    group_id: int | None = None
    done: bool = True


@dataclass(frozen=True, kw_only=True)
class StartBreakout(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class EndBreakout(Command):
    """Back to the whole room: the notes each group picked come back, marked with their group; the rest are parked."""


@dataclass(frozen=True, kw_only=True)
class PickCard(Command):
    """Choose (or un-choose) a breakout note to bring back to the whole room. From a phone: only its group's notes,
    during a breakout."""

    card_id: int
    picked: bool = True
    participant: str | None = None
    group_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class ParkCard(Command):
    """The facilitator parks a note (off the plenary board and phones, kept in the file) or brings it back."""

    card_id: int
    parked: bool = True
