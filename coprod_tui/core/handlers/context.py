"""What a handler is given and what it gives back: the narrow view of the live session, and the typed change.

A handler never sees the hub. It gets a `Context` (the session to read, the events so far, the clock, where a
column ends, what undo and redo would reverse) and returns a `Change` (the event type, the before/after patch, the
card to focus, the undone event) for the hub to apply. `ColumnEnds` is the hub's per-column cache behind `end_of`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from coprod_tui.core.commands import Event
from coprod_tui.core.handlers.patch import Patch
from coprod_tui.core.model import Kind, Session


@dataclass(frozen=True)
class Context:
    """The live session as a handler may see it: read, never change (the hub applies the returned Change)."""

    session: Session
    events: Sequence[Event]
    clock: Callable[[], str]
    end_of: Callable[[Kind], float]  # the order that puts a new card last in a column
    undo_target: Callable[[], Event | None]  # the event the next Undo would reverse
    redo_target: Callable[[], Event | None]


@dataclass(frozen=True)
class Change:
    """What a command does, not yet done: the event's type, its patch, the card to focus and the event undone."""

    type: str
    patch: Patch
    card_id: int | None = None
    undoes: int | None = None


Handler = Callable[[Context, Any], Change]


class ColumnEnds:
    """The highest card order in each column, kept as cards change rather than found by a scan per new note (a
    scan made a burst of notes cost quadratic time: at 3,000 notes the phone bench spent an eighth of the server's
    time there)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._ends: dict[str, float] | None = None  # column (kind value) -> highest order; None: work it out

    def end_of(self, kind: Kind) -> float:
        """The order that puts a card last in its column."""
        if self._ends is None:
            ends: dict[str, float] = {}
            for card in self._session.cards.values():
                ends[card.kind.value] = max(ends.get(card.kind.value, 0.0), card.order)
            self._ends = ends
        return self._ends.get(kind.value, 0.0) + 1.0

    def note(self, old: dict | None, new: dict | None) -> None:
        """One card goes from record `old` to `new` (None: absent)."""
        if self._ends is None:
            return
        if old is not None and (new is None or (old.get("kind"), old.get("order")) != (new.get("kind"),
                                                                                     new.get("order"))):
            if old.get("order", 0.0) >= self._ends.get(old.get("kind"), 0.0):
                self._ends = None  # the column's last card moved or went: work it out again when next asked
                return
        if new is not None:
            kind, order = new.get("kind"), new.get("order", 0.0)
            self._ends[kind] = max(self._ends.get(kind, 0.0), order)
