"""The live session: the one place where state changes.

`hub.apply(command)` hands the command to its handler (core/handlers) with a narrow view of the session, gets back
a Change (records before and after), applies the patch to the model and to the storage, keeps it as an event, and
publishes that event to every subscriber (the board, the phones). A command that fails its checks raises
ValidationError / NotFound and changes nothing, because the patch is only built, never half-applied.

The hub also keeps the undo and redo stacks (which events Undo and Redo would reverse) and the request ids phones
have used, and opens, reads and creates session files (`open_session`, `read_session`, `new_session`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timezone

from tinydb import TinyDB

from coprod_tui.core import text as T
from coprod_tui.core.commands import Command, Event, Source
from coprod_tui.core.errors import NotFound, UnreadableSession, ValidationError
from coprod_tui.core.handlers import HANDLERS, LABELS
from coprod_tui.core.handlers.context import ColumnEnds, Context
from coprod_tui.core.handlers.patch import Patch, make_group
from coprod_tui.core.model import PLAIN_TABLES, SCHEMA_VERSION, Card, Group, Meta, Session
from coprod_tui.core.store.folder import SessionFolder

log = logging.getLogger(__name__)

Listener = Callable[[Event], None]
UNDO_DEPTH = 200
# Facilitator controls of the phone path, not edits of the board: never on the undo stack.
NOT_UNDOABLE = {"session.create", "tokens.rotate", "submissions.open", "submissions.close"}


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class Hub:
    """Owns one open session. Both front ends call `apply` and listen through `subscribe`."""

    def __init__(self, db: TinyDB, *, clock: Callable[[], str] = utc_now, read_only: bool = False) -> None:
        self.db = db
        self.storage = db.storage
        self.clock = clock
        self.read_only = read_only
        doc = self.storage.read()
        try:
            self.session = Session(
                meta=Meta.from_record(doc["meta"]["1"]),
                groups={int(k): Group.from_record(r) for k, r in doc["groups"].items()},
                cards={int(k): Card.from_record(r) for k, r in doc["cards"].items()},
                **{table: {str(k): dict(r) for k, r in doc.get(table, {}).items()} for table in PLAIN_TABLES},
            )
            self._events = [Event.from_record(r) for r in doc["events"].values()]
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            # The file parsed and has a schema_version, but its records are not ours (hand-edited, foreign).
            db.close()
            name = getattr(self.storage, "path", None)
            where = f"{name.name} " if name is not None else ""
            raise UnreadableSession(f"{where}is damaged: a record is missing or wrong ({exc!r})") from None
        self._seq = max((e.seq for e in self._events), default=0)
        self._undo: list[int] = []
        self._redo: list[int] = []
        self._requests: dict[str, Event] = {}
        for event in self._events:
            self._track(event)
        self._listeners: list[Listener] = []
        self._ends = ColumnEnds(self.session)

    # -- reading ------------------------------------------------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        return self._events

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo_target(self) -> Event | None:
        """The event the next Undo would reverse (the facilitator's latest change not yet undone)."""
        return self._event(self._undo[-1]) if self._undo else None

    def redo_target(self) -> Event | None:
        return self._event(self._redo[-1]) if self._redo else None

    def describe_undo(self) -> str | None:
        event = self.undo_target()
        return LABELS.get(event.type) if event else None

    def describe_redo(self) -> str | None:
        event = self.redo_target()
        return LABELS.get(event.type) if event else None

    def context(self) -> Context:
        """What a handler sees of the session now (read-only: handlers return changes, the hub applies them)."""
        return Context(session=self.session, events=self._events, clock=self.clock, end_of=self._ends.end_of,
                       undo_target=self.undo_target, redo_target=self.redo_target)

    # -- listening ----------------------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(event)` after every applied change; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    # -- changing -----------------------------------------------------------------------------------------------
    def apply(self, command: Command) -> Event:
        """Check and apply one command; return its event (the first one again for a repeated request_id)."""
        if self.read_only:
            raise ValidationError("This session is open read-only for review; reopen it for editing to change it.")
        if command.request_id is not None:
            # Before anything changes: an id that cannot be saved would fail only when the event is stored.
            T.check_request_id(command.request_id)
        if command.request_id is not None and command.request_id in self._requests:
            return self._requests[command.request_id]
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise ValidationError(f"Unknown command {type(command).__name__}.")
        change = handler(self.context(), command)
        event = Event(
            seq=self._seq + 1,
            at=self.clock(),
            source=Source(command.source).value,
            type=change.type,
            patch=change.patch,
            request_id=command.request_id,
            undoes=change.undoes,
            card_id=change.card_id,
        )
        self._commit(event)
        return event

    async def apply_durable(self, command: Command) -> Event:
        """Apply, then wait (without blocking the loop) until the change is on disk; StorageError if it can't be."""
        event = self.apply(command)
        await asyncio.wrap_future(self.durable())
        return event

    def durable(self) -> Future:
        return self.storage.durable()

    def close(self) -> None:
        """Write what is pending and release the file."""
        self.db.close()

    # -- internals ----------------------------------------------------------------------------------------------
    def _commit(self, event: Event) -> None:
        # One transaction: the writer thread must never save the card without its event (or the reverse). A file
        # with the card but not the event forgets the request_id, so a phone's retry after a crash added it twice.
        with self.storage.transaction():
            self._apply_patch(event.patch, forward=True)
            self.session.meta.updated = event.at
            # A file first written by an older coprod is upgraded by its first change: from then on it may hold
            # what that version would drop on save, so it must say it is of this version (that version refuses it).
            self.session.meta.schema_version = SCHEMA_VERSION
            self.storage.put("meta", 1, self.session.meta.to_record())
            self.storage.put("events", event.seq, event.to_record())
        self._seq = event.seq
        self._events.append(event)
        self._track(event)
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # a broken listener must not undo a durable change or starve the others
                log.exception("hub listener failed")

    def _apply_patch(self, patch: Patch, *, forward: bool) -> None:
        for table, rows in patch.items():
            for key, (before, after) in rows.items():
                record = after if forward else before
                if table == "meta":
                    merged = {**self.session.meta.to_record(), **(record or {})}
                    self.session.meta = Meta.from_record(merged)
                    continue
                if table in PLAIN_TABLES:
                    plain = self.session.plain(table)
                    if record is None:
                        plain.pop(key, None)
                        self.storage.remove(table, key)
                    else:
                        plain[key] = dict(record)
                        self.storage.put(table, key, record)
                    continue
                models = self.session.cards if table == "cards" else self.session.groups
                if table == "cards":
                    self._ends.note(before if forward else after, record)
                if record is None:
                    models.pop(int(key), None)
                    self.storage.remove(table, key)
                else:
                    models[int(key)] = (Card if table == "cards" else Group).from_record(record)
                    self.storage.put(table, key, record)

    def _track(self, event: Event) -> None:
        """Keep undo/redo stacks and the request-id map; replayed over the file's events when a session opens."""
        if event.request_id is not None:
            self._requests[event.request_id] = event
        if event.source != Source.FACILITATOR.value or event.type in NOT_UNDOABLE:
            return
        if event.type == "undo":
            if self._undo and self._undo[-1] == event.undoes:
                self._redo.append(self._undo.pop())
        elif event.type == "redo":
            if self._redo and self._redo[-1] == event.undoes:
                self._undo.append(self._redo.pop())
        else:
            self._undo.append(event.seq)
            del self._undo[:-UNDO_DEPTH]
            self._redo.clear()

    def _event(self, seq: int) -> Event:
        for event in reversed(self._events):
            if event.seq == seq:
                return event
        raise NotFound(f"No change number {seq}.")


def open_session(folder: SessionFolder, session_id: str, *, read_only: bool = False,
                 clock: Callable[[], str] = utc_now) -> Hub:
    """Open a session live (locked for editing) or read-only for review; every failure is a CoprodError."""
    return Hub(folder.open(session_id, read_only=read_only), clock=clock, read_only=read_only)


def read_session(folder: SessionFolder, session_id: str) -> Session:
    """A session as it is on disk, for looking at (compare, export): read-only, no lock, closed at once."""
    hub = open_session(folder, session_id, read_only=True)
    try:
        return hub.session
    finally:
        hub.close()


def new_session(folder: SessionFolder, title: str, question: str = "",
                groups: list[tuple[str, str, str | None]] = (), *, programme: str = "",
                clock: Callable[[], str] = utc_now) -> Hub:
    """Create a session file (title, question, groups as (name, role, colour-or-None)) and open it live.

    Everything is checked before the file is written, so a bad group name leaves no half-made session behind.
    """
    now = clock()
    meta = Meta(id="", title=T.clean(title, "Title", T.TITLE_LIMIT, multiline=False),
                question=T.clean(question, "Question", T.QUESTION_LIMIT, required=False), created=now, updated=now,
                programme=T.clean(programme, "Programme", T.TITLE_LIMIT, required=False, multiline=False))
    session = Session(meta=meta)
    for name, role, colour in groups:
        group = make_group(session, name, role, colour)
        session.groups[group.id] = group
    meta.id = folder.new_id(meta.title, now[:10])
    patch: Patch = {
        "meta": {"1": (None, meta.to_record())},
        "groups": {str(g.id): (None, g.to_record()) for g in session.groups.values()},
    }
    event = Event(seq=1, at=now, source=Source.FACILITATOR.value, type="session.create", patch=patch)
    document = {
        "meta": {"1": meta.to_record()},
        "groups": {str(g.id): g.to_record() for g in session.groups.values()},
        "events": {"1": event.to_record()},
    }
    return Hub(folder.create(meta.id, document), clock=clock)
