"""Replay: the board as it was after any event of a session's history, for review.

Position 0 is before the first event (an empty board); position n is after event n. A `Replay` keeps the state at
its position as plain tables (table -> key -> record, the session file's own shape) and moves by applying the events
in between: each event's *afters* going forward, its *befores* going back (`meta` records are merged, as the hub
does, and `updated` is the time of the latest applied event). Records are never mutated, only replaced, so moving
costs only the records the crossed events touch. Snapshots every `checkpoint_every` events (taken in one forward
pass when the replay is built) bound a far jump: it restores the nearest snapshot and walks from there. Every table
is carried along (votes, "done", reflections, the plan…, and any a later version adds), so replay never drops one.

Marks are the positions worth jumping to, "the end of each phase":

- the position just before each `phase.set` event: the end of the phase the session was in ("End of Problems").
  Names come from the session's phase list as it was at that point (`meta.phases`, which `phase.edit` changes);
- in sessions that never changed phase (older ones), the end of each burst of activity followed by a pause of
  three minutes or more instead (real sessions alternate notes with discussion): "Pause 10:42 (5 min)", the clock
  time the pause began and its length. With phases, pauses would only be noise between the marks that matter;
- every `submissions.open` / `submissions.close`: "Phones opened" / "Phones closed";
- the last position: "End".

One mark per position: the last position is always "End"; elsewhere a phase end beats a phones mark, which beats
a pause. Clock times are shown in the computer's local time (core/localtime.py), like every time the app shows;
the file keeps them in UTC.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

from coprod_tui.core.commands import Event
from coprod_tui.core.handlers import LABELS
from coprod_tui.core.localtime import local_hm, parse_stamp
from coprod_tui.core.model import PLAIN_TABLES, Card, Group, Kind, Meta, Session
from coprod_tui.core.running import DEFAULT_PHASES
from coprod_tui.core.wording import plural

Tables = dict[str, dict[str, dict]]
PAUSE_SECONDS = 3 * 60
CHECKPOINT_EVERY = 200
_PRIORITY = {"pause": 1, "phones": 2, "phase": 3, "end": 4}
# Labels for event types handlers.LABELS does not name (controls of the phone path, history, later phases).
_EXTRA_LABELS = {"session.create": "session created", "submissions.open": "phones opened",
                 "submissions.close": "phones closed", "tokens.rotate": "new join codes"}


@dataclass(frozen=True)
class Mark:
    """A position worth jumping to, with a short label and the time of the event that ends there."""

    position: int
    label: str
    kind: str  # "phase", "pause", "phones" or "end"
    at: str
    short: str = ""  # the label for a list that already shows `at` ("Pause 5 min"); empty: the label itself

    def __post_init__(self) -> None:
        if not self.short:
            object.__setattr__(self, "short", self.label)


def duration(seconds: float) -> str:
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def _set(tables: Tables, table: str, key: str, record: dict | None) -> None:
    rows = tables.setdefault(table, {})
    if record is None:
        rows.pop(key, None)
    elif table == "meta":
        rows[key] = {**rows.get(key, {}), **record}  # meta patches hold only the fields they change
    else:
        rows[key] = record


class Replay:
    """A cursor over a session's events: `seek` anywhere, then read the board (`session()`) or the step's event."""

    def __init__(self, events: Iterable[Event], *, checkpoint_every: int = CHECKPOINT_EVERY) -> None:
        self.events: list[Event] = sorted(events, key=lambda e: e.seq)
        self._by_seq = {e.seq: e for e in self.events}
        self._every = max(int(checkpoint_every), 1)
        self._tables: Tables = {}
        self._position = 0
        self._checkpoints: dict[int, Tables] = {0: {}}
        self._cards: dict[str, tuple[dict, Card]] = {}  # model objects reused while their record is unchanged
        self._groups: dict[str, tuple[dict, Group]] = {}
        self._marks: list[Mark] | None = None
        for position in range(1, self.total + 1):
            self._forward(self.events[position - 1])
            self._position = position
            if position % self._every == 0 or position == self.total:
                self._checkpoints[position] = self._copy(self._tables)

    # -- moving -------------------------------------------------------------------------------------------------
    @property
    def total(self) -> int:
        return len(self.events)

    @property
    def position(self) -> int:
        return self._position

    def seek(self, position: int) -> int:
        """Move to `position` (clamped to 0…total); returns where the replay now is."""
        target = min(max(int(position), 0), self.total)
        distance = abs(target - self._position)
        if distance > self._every:
            nearest = min(self._checkpoints, key=lambda p: abs(p - target))
            if abs(target - nearest) < distance:
                self._tables, self._position = self._copy(self._checkpoints[nearest]), nearest
        while self._position < target:
            self._forward(self.events[self._position])
            self._position += 1
        while self._position > target:
            self._position -= 1
            for table, rows in self.events[self._position].patch.items():
                for key, (before, _after) in rows.items():
                    _set(self._tables, table, key, before)
        return self._position

    def step(self, delta: int) -> int:
        return self.seek(self._position + delta)

    def _forward(self, event: Event) -> None:
        for table, rows in event.patch.items():
            for key, (_before, after) in rows.items():
                _set(self._tables, table, key, after)

    @staticmethod
    def _copy(tables: Tables) -> Tables:
        return {table: dict(rows) for table, rows in tables.items()}

    # -- reading ------------------------------------------------------------------------------------------------
    def record(self, table: str, key: str | int) -> dict | None:
        """A record as it is at the current position (treat it as read-only: records are shared with the events)."""
        return self._tables.get(table, {}).get(str(key))

    def event(self) -> Event | None:
        """The event that led to the current position (None before the first)."""
        return self.events[self._position - 1] if self._position else None

    def session(self) -> Session:
        """The board at the current position as a model `Session` (read it, don't change it: cards are reused)."""
        meta_record = self.record("meta", "1")
        if meta_record is None:  # before the session existed: an empty board with no title
            meta = Meta(id="", title="", question="", created="", updated="")
        else:
            event = self.event()
            meta = Meta.from_record({**meta_record, "updated": event.at if event else meta_record.get("created")})
        return Session(meta=meta, groups=self._models("groups", self._groups, Group),
                       cards=self._models("cards", self._cards, Card),
                       **{table: {k: dict(r) for k, r in self._tables.get(table, {}).items()}
                          for table in PLAIN_TABLES})

    def _models(self, table: str, cache: dict, model: type) -> dict:
        out = {}
        for key, record in self._tables.get(table, {}).items():
            cached = cache.get(key)
            if cached is None or cached[0] is not record:
                cached = cache[key] = (record, model.from_record(record))
            out[int(key)] = cached[1]
        return out

    def focus_card(self) -> int | None:
        """The card the current step is about, if it is on the board now (an added, edited or linked card)."""
        event = self.event()
        if event is None:
            return None
        # The event's own card when it names one (a delete names the deleted card: nothing to show, rather than
        # the options that merely lost a link to it); otherwise the first card the patch leaves on the board.
        candidates = [event.card_id] if event.card_id is not None else [
            int(k) for k, (_b, after) in event.patch.get("cards", {}).items() if after is not None]
        return next((c for c in candidates if self.record("cards", c) is not None), None)

    def describe(self) -> tuple[str, str | None]:
        """(label, card text or None) of the current step, e.g. ("Phone note added", "I only find out…")."""
        event = self.event()
        if event is None:
            return "Start: nothing on the board yet", None
        label, text = describe(event, self._by_seq.get(event.undoes) if event.undoes is not None else None)
        if event.type == "phase.set":  # the phase list is in the state at this position
            meta = self.record("meta", "1") or {}
            phases, index = meta.get("phases") or [], meta.get("phase")
            if isinstance(index, int) and 0 <= index < len(phases):
                label = f"Phase: {phases[index].get('name', '')}"
        target = self._link_target(event)
        if text is not None and target is not None:  # "Link: <option> → <the problem it now addresses>"
            text = f"{text} → {target.get('text', '')}"
        return label, text

    def _link_target(self, event: Event) -> dict | None:
        """For a link made or removed, the card at the other end (as it is now), so a caption can name both."""
        if event.card_id is None or event.type not in ("link.add", "link.remove"):
            return None
        before, after = event.patch.get("cards", {}).get(str(event.card_id), (None, None))
        if before is None or after is None:
            return None
        changed = set(before.get("links", [])) ^ set(after.get("links", []))
        return self.record("cards", next(iter(changed))) if len(changed) == 1 else None

    def touched(self, start: int, end: int) -> set[Kind] | None:
        """Columns whose cards (or link counts) differ between two positions; None means "redraw everything"
        (groups or tables other than cards changed, which can change how every card is drawn)."""
        kinds: set[Kind] = set()
        low, high = sorted((min(max(start, 0), self.total), min(max(end, 0), self.total)))
        for event in self.events[low:high]:
            if any(table not in ("cards", "meta") for table in event.patch):
                return None
            for pair in event.patch.get("cards", {}).values():
                for record in pair:
                    if record is not None:
                        kind = Kind(record["kind"])
                        kinds.add(kind)
                        if record.get("links") and kind.link_target is not None:
                            kinds.add(kind.link_target)  # the cards it links to show a link count
            if len(kinds) == len(Kind):
                break
        return kinds

    # -- marks --------------------------------------------------------------------------------------------------
    def marks(self) -> list[Mark]:
        """Positions worth jumping to, in order (see the module docstring for what counts)."""
        if self._marks is None:
            self._marks = self._find_marks()
        return self._marks

    def next_mark(self) -> Mark | None:
        marks = self.marks()
        index = bisect_right([m.position for m in marks], self._position)
        return marks[index] if index < len(marks) else None

    def previous_mark(self) -> Mark | None:
        marks = self.marks()
        index = bisect_left([m.position for m in marks], self._position)
        return marks[index - 1] if index > 0 else None

    def _find_marks(self) -> list[Mark]:
        found: dict[int, Mark] = {}

        def add(position: int, kind: str, label: str, short: str = "") -> None:
            old = found.get(position)
            if old is None or _PRIORITY[kind] > _PRIORITY[old.kind]:
                found[position] = Mark(position, label, kind, self.events[position - 1].at, short)

        times = [parse_stamp(e.at) for e in self.events]
        phased = any(e.type == "phase.set" for e in self.events)
        phases, current = [p.name for p in DEFAULT_PHASES], 0
        for index, event in enumerate(self.events):
            meta_after = (event.patch.get("meta", {}).get("1") or (None, None))[1] or {}
            if event.type == "phase.set" and index > 0:
                name = phases[current] if current < len(phases) else None
                add(index, "phase", f"End of {name}" if name else "End of phase", name or "")
            if isinstance(meta_after.get("phases"), list):
                phases = [str(p.get("name", "")) for p in meta_after["phases"] if isinstance(p, dict)]
            if isinstance(meta_after.get("phase"), int):
                current = meta_after["phase"]
            if event.type in ("submissions.open", "submissions.close"):
                add(index + 1, "phones", "Phones opened" if event.type.endswith("open") else "Phones closed")
            if not phased and index + 1 < len(self.events) and times[index] is not None \
                    and times[index + 1] is not None:
                gap = (times[index + 1] - times[index]).total_seconds()
                if gap >= PAUSE_SECONDS:
                    add(index + 1, "pause", f"Pause {local_hm(event.at)} ({duration(gap)})", f"Pause {duration(gap)}")
        if self.events:
            add(self.total, "end", "End")
        return [found[p] for p in sorted(found)]


def describe(event: Event, undone: Event | None = None) -> tuple[str, str | None]:
    """A human label for an event ("Phone note added", "Undo: link", "3 cards imported") and its card's text."""
    if event.type in ("undo", "redo"):
        what = _label(undone) if undone is not None else "a change"
        label = f"{event.type.capitalize()}: {what}"
    elif event.type == "card.add" and event.source == "phone":
        label = "Phone note added"
    elif event.type == "card.import":
        count = sum(1 for _b, a in event.patch.get("cards", {}).values() if a is not None)
        label = f"{plural(count, 'card')} imported"
    else:
        label = _label(event).capitalize()
        if event.source != "facilitator" and event.type != "session.create":
            label += f" ({event.source})"
    return label, _card_text(event)


def _label(event: Event) -> str:
    return LABELS.get(event.type) or _EXTRA_LABELS.get(event.type) or event.type.replace(".", " ")


def _card_text(event: Event) -> str | None:
    rows = event.patch.get("cards", {})
    keys = ([str(event.card_id)] if event.card_id is not None else []) + list(rows)
    for key in keys:
        before, after = rows.get(key, (None, None))
        record = after or before
        if record is not None:
            return str(record.get("text", ""))
    return None
