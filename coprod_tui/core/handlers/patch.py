"""The helpers every handler shares: reading a record as it is now, building patches, and the checks and builders
more than one theme needs (find a card or fail, a known group, a whole number, a new card from a draft, a new
group). All pure: they read the session and return values; only the hub changes anything.
"""

from __future__ import annotations

from collections.abc import Callable

from coprod_tui.core import text as T
from coprod_tui.core.colours import GROUP_COLOURS
from coprod_tui.core.commands import CardDraft, Source
from coprod_tui.core.errors import NotFound, ValidationError
from coprod_tui.core.model import PLAIN_TABLES, Card, Group, Kind, Role, Session, check_colour

Patch = dict[str, dict[str, tuple[dict | None, dict | None]]]  # table -> key -> (before, after); None: absent

# The meta fields a patch may change (the rest, such as ids and times, are the hub's own).
META_FIELDS = ("title", "question", "programme", "open", "tokens", "phases", "phase", "private", "voting", "timer",
               "breakout", "review_date")


def current(session: Session, table: str, key: str) -> dict | None:
    """The record `table`/`key` as it is now (None: absent); for "meta", only the fields patches change."""
    if table == "meta":
        rec = session.meta.to_record()
        return {f: rec[f] for f in META_FIELDS}
    if table in PLAIN_TABLES:
        plain = session.plain(table).get(key)
        return dict(plain) if plain is not None else None
    models = session.cards if table == "cards" else session.groups
    model = models.get(int(key))
    return model.to_record() if model is not None else None


def card_patch(*pairs: tuple[Card | None, Card | None]) -> Patch:
    """A patch of whole cards, each given as (before, after); None for a card that is not there on that side."""
    rows: dict[str, tuple[dict | None, dict | None]] = {}
    for before, after in pairs:
        key = str((before or after).id)  # type: ignore[union-attr]
        rows[key] = (before.to_record() if before else None, after.to_record() if after else None)
    return {"cards": rows}


def group_patch(before: Group | None, after: Group) -> Patch:
    """A patch of one group (None before: a new group)."""
    return {"groups": {str(after.id): (before.to_record() if before else None, after.to_record())}}


def meta_patch(session: Session, **changes: object) -> Patch:
    """A patch of some meta fields only, so undoing a title edit does not also roll back, say, the tokens."""
    now = current(session, "meta", "1") or {}
    return {"meta": {"1": ({k: now[k] for k in changes}, changes)}}


def copy_card(card: Card, **changes: object) -> Card:
    """A copy of `card` with some record fields changed (record names: `group`, not `group_id`)."""
    return Card.from_record({**card.to_record(), **changes})


def unlinked_from(session: Session, card_id: int, keep: Callable[[Card], bool]) -> list[tuple[Card, Card]]:
    """(before, after) for the other cards whose links to `card_id` must go (it is deleted, or moved where the link
    makes no sense); `keep` says which linking cards may keep their link."""
    return [(c, copy_card(c, links=[x for x in c.links if x != card_id]))
            for c in session.linked_from(card_id) if not keep(c)]


def find_card(session: Session, card_id: int) -> Card:
    """The card, or NotFound (it was deleted meanwhile, e.g. by an undo)."""
    card = session.cards.get(card_id)
    if card is None:
        raise NotFound("That card no longer exists.")
    return card


def check_group(session: Session, group_id: int | None) -> int | None:
    """`group_id` if the session has that group (None: no group); ValidationError otherwise."""
    if group_id is not None and group_id not in session.groups:
        raise ValidationError("Unknown group.")
    return group_id


def whole(value: object) -> bool:
    """A whole number, not a bool (True == 1 in Python, but a phone sending `true` did not mean phase 1)."""
    return isinstance(value, int) and not isinstance(value, bool)


def new_card(session: Session, draft: CardDraft, *, card_id: int, order: float, created: str,
             source: Source | str) -> Card:
    """Check a draft and build the card it becomes, numbered `card_id` at `order` in its column."""
    return Card(
        id=card_id,
        kind=Kind.parse(draft.kind),
        text=T.clean_note(draft.text),
        group_id=check_group(session, draft.group_id),
        author=T.optional(draft.author, "Name", T.AUTHOR_LIMIT),
        order=order,
        created=created,
        source=Source(source).value,
        # Hidden writing holds every new note (whoever typed it) until the reveal; a phone's id lets that phone
        # keep seeing its own notes meanwhile.
        held=session.meta.private,
        participant=T.check_participant(draft.participant) if draft.participant is not None else None,
        breakout=session.meta.breakout,
    )


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
