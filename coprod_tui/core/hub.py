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
import logging
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime, timezone

from tinydb import TinyDB

from . import text as T
from .colours import GROUP_COLOURS
from .commands import (AddCard, AddGroup, CardDraft, Command, DeleteCard, EditCard, EditGroup, EditSession, Event,
                       ImportCards, MoveCard, Redo, SetCardGroup, Source, SwapCards, ToggleLink, Undo)
from .errors import NotFound, UnreadableSession, ValidationError
from .model import Card, Group, Kind, Meta, Role, Session, check_colour
from .store import SessionFolder

log = logging.getLogger(__name__)

Patch = dict[str, dict[str, tuple[dict | None, dict | None]]]
Listener = Callable[[Event], None]
UNDO_DEPTH = 200
REQUEST_ID_LIMIT = 200
META_FIELDS = ("title", "question")


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

    # -- reading ------------------------------------------------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        return self._events

    def can_undo(self) -> bool:
        return bool(self._undo)

    def can_redo(self) -> bool:
        return bool(self._redo)

    def describe_undo(self) -> str | None:
        return _LABELS.get(self._event(self._undo[-1]).type) if self._undo else None

    def describe_redo(self) -> str | None:
        return _LABELS.get(self._event(self._redo[-1]).type) if self._redo else None

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
        handler = _HANDLERS.get(type(command))
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
                models = self.session.cards if table == "cards" else self.session.groups
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
        if event.source != Source.FACILITATOR.value or event.type == "session.create":
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

    def _current(self, table: str, key: str) -> dict | None:
        if table == "meta":
            rec = self.session.meta.to_record()
            return {f: rec[f] for f in META_FIELDS}
        models = self.session.cards if table == "cards" else self.session.groups
        model = models.get(int(key))
        return model.to_record() if model is not None else None

    def _card(self, card_id: int) -> Card:
        card = self.session.cards.get(card_id)
        if card is None:
            raise NotFound("That card no longer exists.")
        return card

    def _group_id(self, group_id: int | None) -> int | None:
        if group_id is not None and group_id not in self.session.groups:
            raise ValidationError("Unknown group.")
        return group_id

    def _new_card(self, draft: CardDraft, card_id: int, order: float, source: Command) -> Card:
        return Card(
            id=card_id,
            kind=Kind.parse(draft.kind),
            text=T.clean(draft.text, "Card text", T.CARD_TEXT_LIMIT),
            group_id=self._group_id(draft.group_id),
            author=T.optional(draft.author, "Name", T.AUTHOR_LIMIT),
            order=order,
            created=self.clock(),
            source=Source(source.source).value,
        )

    def _end_of(self, kind: Kind) -> float:
        return max((c.order for c in self.session.cards.values() if c.kind is kind), default=0.0) + 1.0


def open_session(folder: SessionFolder, session_id: str, *, read_only: bool = False,
                 clock: Callable[[], str] = utc_now) -> Hub:
    """Open a session live (locked for editing) or read-only for review; every failure is a CoprodError."""
    return Hub(folder.open(session_id, read_only=read_only), clock=clock, read_only=read_only)


def new_session(folder: SessionFolder, title: str, question: str = "",
                groups: list[tuple[str, str, str | None]] = (), *, clock: Callable[[], str] = utc_now) -> Hub:
    """Create a session file (title, question, groups as (name, role, colour-or-None)) and open it live.

    Everything is checked before the file is written, so a bad group name leaves no half-made session behind.
    """
    now = clock()
    meta = Meta(id="", title=T.clean(title, "Title", T.TITLE_LIMIT, multiline=False),
                question=T.clean(question, "Question", T.QUESTION_LIMIT, required=False), created=now, updated=now)
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


# -- command handlers: (hub, command) -> (event type, patch, focus card id, undone seq) ------------------------------

def _card_patch(*pairs: tuple[Card | None, Card | None]) -> Patch:
    rows: dict[str, tuple[dict | None, dict | None]] = {}
    for before, after in pairs:
        key = str((before or after).id)  # type: ignore[union-attr]
        rows[key] = (before.to_record() if before else None, after.to_record() if after else None)
    return {"cards": rows}


def _copy(card: Card, **changes) -> Card:
    return Card.from_record({**card.to_record(), **changes})


def _add_card(hub: Hub, cmd: AddCard):
    kind = Kind.parse(cmd.card.kind)
    card = hub._new_card(cmd.card, hub.session.next_id(hub.session.cards), hub._end_of(kind), cmd)
    return "card.add", _card_patch((None, card)), card.id, None


def _import_cards(hub: Hub, cmd: ImportCards):
    if not cmd.cards:
        raise ValidationError("Nothing to import.")
    next_id = hub.session.next_id(hub.session.cards)
    ends = {kind: hub._end_of(kind) for kind in Kind}
    made = []
    for offset, draft in enumerate(cmd.cards):
        kind = Kind.parse(draft.kind)
        made.append((None, hub._new_card(draft, next_id + offset, ends[kind], cmd)))
        ends[kind] += 1.0
    return "card.import", _card_patch(*made), made[0][1].id, None


def _edit_card(hub: Hub, cmd: EditCard):
    card = hub._card(cmd.card_id)
    new = _copy(card, text=T.clean(cmd.text, "Card text", T.CARD_TEXT_LIMIT),
                author=T.optional(cmd.author, "Name", T.AUTHOR_LIMIT))
    if new == card:
        raise ValidationError("Nothing changed.")
    return "card.edit", _card_patch((card, new)), card.id, None


def _unlinked_from(hub: Hub, card_id: int, keep: Callable[[Card], bool]) -> list[tuple[Card, Card]]:
    """Other cards whose links to `card_id` must go (the card is deleted, or moved where the link makes no sense)."""
    return [(c, _copy(c, links=[x for x in c.links if x != card_id]))
            for c in hub.session.linked_from(card_id) if not keep(c)]


def _delete_card(hub: Hub, cmd: DeleteCard):
    card = hub._card(cmd.card_id)
    return "card.delete", _card_patch((card, None), *_unlinked_from(hub, card.id, lambda c: False)), card.id, None


def _move_card(hub: Hub, cmd: MoveCard):
    card = hub._card(cmd.card_id)
    kind = Kind.parse(cmd.kind)
    if kind is card.kind:
        raise ValidationError(f"The card is already in {kind.label}.")
    moved = _copy(card, kind=kind.value, order=hub._end_of(kind), links=[])
    dropped = _unlinked_from(hub, card.id, lambda c: c.kind.link_target is kind)
    return "card.move", _card_patch((card, moved), *dropped), card.id, None


def _swap_cards(hub: Hub, cmd: SwapCards):
    card, other = hub._card(cmd.card_id), hub._card(cmd.other_id)
    if card.kind is not other.kind or card.id == other.id:
        raise ValidationError("Cards can only swap places within one column.")
    order_a, order_b = card.order, other.order
    if order_a == order_b:
        order_b += 0.5 if card.id < other.id else -0.5
    return "card.reorder", _card_patch((card, _copy(card, order=order_b)), (other, _copy(other, order=order_a))), \
        card.id, None


def _set_group(hub: Hub, cmd: SetCardGroup):
    card = hub._card(cmd.card_id)
    group_id = hub._group_id(cmd.group_id)
    if group_id == card.group_id:
        raise ValidationError("The card is already in that group.")
    return "card.group", _card_patch((card, _copy(card, group=group_id))), card.id, None


def _toggle_link(hub: Hub, cmd: ToggleLink):
    card, target = hub._card(cmd.card_id), hub._card(cmd.target_id)
    wanted = card.kind.link_target
    if wanted is None or target.kind is not wanted:
        raise ValidationError("Link an option to a problem it addresses, or a contribution to an option it serves.")
    links = [x for x in card.links if x != target.id] if target.id in card.links else [*card.links, target.id]
    kind = "link.remove" if target.id in card.links else "link.add"
    return kind, _card_patch((card, _copy(card, links=links))), card.id, None


def _group_patch(before: Group | None, after: Group) -> Patch:
    return {"groups": {str(after.id): (before.to_record() if before else None, after.to_record())}}


def make_group(session: Session, name: str, role: str, colour: str | None = None) -> Group:
    """Check and build a new group; colour defaults to the first palette slot not yet used in the session."""
    used = {g.colour for g in session.groups.values()}
    if colour:
        colour = check_colour(colour)
    else:
        colour = next((c for c in GROUP_COLOURS if c not in used), GROUP_COLOURS[len(used) % len(GROUP_COLOURS)])
    name = T.clean(name, "Group name", T.NAME_LIMIT, multiline=False)
    if session.group_named(name):
        raise ValidationError(f"There is already a group called {name!r}.")
    return Group(id=session.next_id(session.groups), name=name, colour=colour, role=Role.parse(role))


def _add_group(hub: Hub, cmd: AddGroup):
    return "group.add", _group_patch(None, make_group(hub.session, cmd.name, cmd.role, cmd.colour)), None, None


def _edit_group(hub: Hub, cmd: EditGroup):
    group = hub.session.groups.get(cmd.group_id)
    if group is None:
        raise NotFound("That group no longer exists.")
    name = T.clean(cmd.name, "Group name", T.NAME_LIMIT, multiline=False) if cmd.name is not None else group.name
    clash = hub.session.group_named(name)
    if clash and clash.id != group.id:
        raise ValidationError(f"There is already a group called {name!r}.")
    new = Group(id=group.id, name=name,
                colour=check_colour(cmd.colour) if cmd.colour is not None else group.colour,
                role=Role.parse(cmd.role) if cmd.role is not None else group.role)
    if new == group:
        raise ValidationError("Nothing changed.")
    return "group.edit", _group_patch(group, new), None, None


def _edit_session(hub: Hub, cmd: EditSession):
    before = hub._current("meta", "1")
    after = dict(before)
    if cmd.title is not None:
        after["title"] = T.clean(cmd.title, "Title", T.TITLE_LIMIT, multiline=False)
    if cmd.question is not None:
        after["question"] = T.clean(cmd.question, "Question", T.QUESTION_LIMIT, required=False)
    if after == before:
        raise ValidationError("Nothing changed.")
    return "session.edit", {"meta": {"1": (before, after)}}, None, None


def _check_still(hub: Hub, patch: Patch, index: int, what: str) -> None:
    """Refuse undo/redo when a record no longer looks as expected (someone changed it since)."""
    for table, rows in patch.items():
        for key, pair in rows.items():
            if hub._current(table, key) != pair[index]:
                raise ValidationError(f"Can't {what}: that has been changed since.")


def _undo(hub: Hub, cmd: Undo):
    if not hub._undo:
        raise ValidationError("Nothing to undo.")
    original = hub._event(hub._undo[-1])
    _check_still(hub, original.patch, 1, "undo")
    inverse = {t: {k: (a, b) for k, (b, a) in rows.items()} for t, rows in original.patch.items()}
    for key, (_, after) in inverse.get("groups", {}).items():
        if after is None and any(c.group_id == int(key) for c in hub.session.cards.values()):
            raise ValidationError("Can't undo adding that group: cards belong to it now.")
    return "undo", inverse, original.card_id, original.seq


def _redo(hub: Hub, cmd: Redo):
    if not hub._redo:
        raise ValidationError("Nothing to redo.")
    original = hub._event(hub._redo[-1])
    _check_still(hub, original.patch, 0, "redo")
    return "redo", original.patch, original.card_id, original.seq


_HANDLERS: dict[type, Callable] = {
    AddCard: _add_card,
    ImportCards: _import_cards,
    EditCard: _edit_card,
    DeleteCard: _delete_card,
    MoveCard: _move_card,
    SwapCards: _swap_cards,
    SetCardGroup: _set_group,
    ToggleLink: _toggle_link,
    AddGroup: _add_group,
    EditGroup: _edit_group,
    EditSession: _edit_session,
    Undo: _undo,
    Redo: _redo,
}

_LABELS = {
    "card.add": "add card",
    "card.import": "import",
    "card.edit": "edit card",
    "card.delete": "delete card",
    "card.move": "move card",
    "card.reorder": "reorder",
    "card.group": "change group",
    "link.add": "link",
    "link.remove": "unlink",
    "group.add": "add group",
    "group.edit": "edit group",
    "session.edit": "edit session",
}
