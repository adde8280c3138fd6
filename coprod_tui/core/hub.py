"""The live session: the one place where state changes.

`hub.apply(command)` checks the command against the current session, turns it into a *patch* (records before and
after), applies the patch to the model and to the storage, keeps it as an event, and publishes that event to every
subscriber (the board, and later the phones). A command that fails its checks raises ValidationError / NotFound and
changes nothing, because the patch is only built, never half-applied.

Undo applies an event's "before" records — but only if the records still look as that event left them; otherwise it
refuses rather than overwrite someone else's later change.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timezone

from tinydb import TinyDB

from coprod_tui.core import text as T
from coprod_tui.core.commands import CardDraft, Command, Event, RotateTokens, Source
from coprod_tui.core.errors import NotFound, UnreadableSession, ValidationError
from coprod_tui.core.handlers import HANDLERS, LABELS, Patch, make_group
from coprod_tui.core.model import PLAIN_TABLES, SCHEMA_VERSION, Card, Group, Kind, Meta, Session
from coprod_tui.core.store.folder import SessionFolder

log = logging.getLogger(__name__)

Listener = Callable[[Event], None]
UNDO_DEPTH = 200
REQUEST_ID_LIMIT = 200
META_FIELDS = ("title", "question", "programme", "open", "tokens", "phases", "phase", "private", "voting", "timer",
               "breakout", "review_date")
# Facilitator controls of the phone path, not edits of the board: never on the undo stack.
NOT_UNDOABLE = {"session.create", "tokens.rotate", "submissions.open", "submissions.close"}


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _check_request_id(request_id: object) -> None:
    """A request id comes from a phone and is stored in the event, so it must be short, plain, savable text.

    Checked before anything changes: an id holding a lone surrogate used to fail only when the event was stored,
    after the card had already been applied (a half-applied command); an empty id would make every later
    empty-id request a "retry" of the first one.
    """
    if (not isinstance(request_id, str) or not request_id or len(request_id) > REQUEST_ID_LIMIT
            or T.strip_controls(request_id) != request_id):
        raise ValidationError(f"request_id must be 1 to {REQUEST_ID_LIMIT} characters of plain text.")


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
        self._ends: dict[str, float] | None = None  # column (kind value) → the highest card order; None: work it out

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
            _check_request_id(command.request_id)
        if command.request_id is not None and command.request_id in self._requests:
            return self._requests[command.request_id]
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise ValidationError(f"Unknown command {type(command).__name__}.")
        kind, patch, card_id, undoes = handler(self, command)
        event = Event(
            seq=self._seq + 1,
            at=self.clock(),
            source=Source(command.source).value,
            type=kind,
            patch=patch,
            request_id=command.request_id,
            undoes=undoes,
            card_id=card_id,
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
                    self._note_order(before if forward else after, record)
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

    def current(self, table: str, key: str) -> dict | None:
        if table == "meta":
            rec = self.session.meta.to_record()
            return {f: rec[f] for f in META_FIELDS}
        if table in PLAIN_TABLES:
            plain = self.session.plain(table).get(key)
            return dict(plain) if plain is not None else None
        models = self.session.cards if table == "cards" else self.session.groups
        model = models.get(int(key))
        return model.to_record() if model is not None else None

    def join_target(self, token: str) -> int | None:
        """The group a join token names (None: the everyone token, the phone picks); NotFound for any other token.

        Compared in constant time, token by token: the token is the only secret between a phone and the session.
        """
        found: str | None = None
        for key, value in self.session.meta.tokens.items():
            if hmac.compare_digest(value.encode(), str(token).encode()):
                found = key
        if found is None or (found != "all" and int(found) not in self.session.groups):
            raise NotFound("This link is not valid any more: ask the facilitator for the current QR code.")
        return None if found == "all" else int(found)

    def ensure_tokens(self) -> None:
        """Give the session join tokens if it has none yet (sessions made before phones could join)."""
        wanted = {"all", *(str(g) for g in self.session.groups)}
        if not wanted <= set(self.session.meta.tokens):
            self.apply(RotateTokens())

    def card(self, card_id: int) -> Card:
        card = self.session.cards.get(card_id)
        if card is None:
            raise NotFound("That card no longer exists.")
        return card

    def check_group(self, group_id: int | None) -> int | None:
        if group_id is not None and group_id not in self.session.groups:
            raise ValidationError("Unknown group.")
        return group_id

    def new_card(self, draft: CardDraft, card_id: int, order: float, source: Command) -> Card:
        return Card(
            id=card_id,
            kind=Kind.parse(draft.kind),
            text=T.clean(draft.text, "Card text", T.CARD_TEXT_LIMIT),
            group_id=self.check_group(draft.group_id),
            author=T.optional(draft.author, "Name", T.AUTHOR_LIMIT),
            order=order,
            created=self.clock(),
            source=Source(source.source).value,
            # Hidden writing holds every new note (whoever typed it) until the reveal; a phone's id lets that phone
            # keep seeing its own notes meanwhile.
            held=self.session.meta.private,
            participant=T.check_participant(draft.participant) if draft.participant is not None else None,
            breakout=self.session.meta.breakout,
        )

    def end_of(self, kind: Kind) -> float:
        """The order that puts a card last in its column. Kept per column as cards change (`_note_order`), because
        a scan of every card for each new note made a burst of notes cost quadratic time (the phone bench at
        saturation spent an eighth of the server's time here at 3,000 notes)."""
        if self._ends is None:
            ends: dict[str, float] = {}
            for card in self.session.cards.values():
                ends[card.kind.value] = max(ends.get(card.kind.value, 0.0), card.order)
            self._ends = ends
        return self._ends.get(kind.value, 0.0) + 1.0

    def _note_order(self, old: dict | None, new: dict | None) -> None:
        """Keep `end_of`'s per-column maximum as one card goes from record `old` to `new` (None: absent)."""
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
