"""How each command becomes a patch: the rules of the board, one small function per command.

A handler gets the hub (to read the session) and the command, checks everything, and returns
`(event type, patch, focus card id, undone seq)` without changing anything: the hub applies the patch. So a refused
command can never leave half a change behind.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING

from coprod_tui.core import text as T
from coprod_tui.core.colours import GROUP_COLOURS
from coprod_tui.core.commands import (AddCard, AddGroup, DeleteCard, EditCard, EditGroup, EditSession, HideCard, ImportCards, MoveCard,
                       Redo, RotateTokens, SetCardGroup, SetSubmissions, Source, SwapCards, ToggleLink, Undo)
from coprod_tui.core.errors import NotFound, SubmissionsClosed, ValidationError
from coprod_tui.core.model import Card, Group, Kind, Role, Session, check_colour

if TYPE_CHECKING:
    from coprod_tui.core.hub import Hub

Patch = dict[str, dict[str, tuple[dict | None, dict | None]]]

def _card_patch(*pairs: tuple[Card | None, Card | None]) -> Patch:
    rows: dict[str, tuple[dict | None, dict | None]] = {}
    for before, after in pairs:
        key = str((before or after).id)  # type: ignore[union-attr]
        rows[key] = (before.to_record() if before else None, after.to_record() if after else None)
    return {"cards": rows}


def _copy(card: Card, **changes) -> Card:
    return Card.from_record({**card.to_record(), **changes})


def _add_card(hub: Hub, cmd: AddCard):
    # Checked here, after the hub has answered a known request_id: a phone retrying a note that was saved just
    # before the facilitator closed submissions still hears "saved", not "closed".
    if cmd.source == Source.PHONE and not hub.session.meta.open:
        raise SubmissionsClosed("The facilitator has closed this session to new notes; nothing was saved.")
    kind = Kind.parse(cmd.card.kind)
    card = hub.new_card(cmd.card, hub.session.next_id(hub.session.cards), hub.end_of(kind), cmd)
    return "card.add", _card_patch((None, card)), card.id, None


def _import_cards(hub: Hub, cmd: ImportCards):
    if not cmd.cards:
        raise ValidationError("Nothing to import.")
    next_id = hub.session.next_id(hub.session.cards)
    ends = {kind: hub.end_of(kind) for kind in Kind}
    made = []
    for offset, draft in enumerate(cmd.cards):
        kind = Kind.parse(draft.kind)
        made.append((None, hub.new_card(draft, next_id + offset, ends[kind], cmd)))
        ends[kind] += 1.0
    return "card.import", _card_patch(*made), made[0][1].id, None


def _edit_card(hub: Hub, cmd: EditCard):
    card = hub.card(cmd.card_id)
    new = _copy(card, text=T.clean(cmd.text, "Card text", T.CARD_TEXT_LIMIT),
                author=T.optional(cmd.author, "Name", T.AUTHOR_LIMIT))
    if new == card:
        raise ValidationError("Nothing changed.")
    return "card.edit", _card_patch((card, new)), card.id, None


def _unlinked_from(hub: Hub, card_id: int, keep: Callable[[Card], bool]) -> list[tuple[Card, Card]]:
    """Other cards whose links to `card_id` must go (the card is deleted, or moved where the link makes no sense)."""
    return [(c, _copy(c, links=[x for x in c.links if x != card_id]))
            for c in hub.session.linked_from(card_id) if not keep(c)]


def _not_clustered(card: Card, what: str) -> None:
    if card.is_cluster or card.cluster is not None:
        raise ValidationError(f"Split the cluster before you {what} its notes.")


def _delete_card(hub: Hub, cmd: DeleteCard):
    card = hub.card(cmd.card_id)
    _not_clustered(card, "delete")
    return "card.delete", _card_patch((card, None), *_unlinked_from(hub, card.id, lambda c: False)), card.id, None


def _move_card(hub: Hub, cmd: MoveCard):
    card = hub.card(cmd.card_id)
    _not_clustered(card, "move")
    kind = Kind.parse(cmd.kind)
    if kind is card.kind:
        raise ValidationError(f"The card is already in {kind.label}.")
    moved = _copy(card, kind=kind.value, order=hub.end_of(kind), links=[])
    dropped = _unlinked_from(hub, card.id, lambda c: c.kind.link_target is kind)
    return "card.move", _card_patch((card, moved), *dropped), card.id, None


def _swap_cards(hub: Hub, cmd: SwapCards):
    card, other = hub.card(cmd.card_id), hub.card(cmd.other_id)
    if card.kind is not other.kind or card.id == other.id:
        raise ValidationError("Cards can only swap places within one column.")
    order_a, order_b = card.order, other.order
    if order_a == order_b:
        order_b += 0.5 if card.id < other.id else -0.5
    return "card.reorder", _card_patch((card, _copy(card, order=order_b)), (other, _copy(other, order=order_a))), \
        card.id, None


def _set_group(hub: Hub, cmd: SetCardGroup):
    card = hub.card(cmd.card_id)
    group_id = hub.check_group(cmd.group_id)
    if group_id == card.group_id:
        raise ValidationError("The card is already in that group.")
    return "card.group", _card_patch((card, _copy(card, group=group_id))), card.id, None


def _toggle_link(hub: Hub, cmd: ToggleLink):
    card, target = hub.card(cmd.card_id), hub.card(cmd.target_id)
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
    group = make_group(hub.session, cmd.name, cmd.role, cmd.colour)
    patch = _group_patch(None, group)
    tokens = hub.session.meta.tokens
    if tokens:  # the session is already open to phones: the new group gets its own QR at once
        patch.update(_meta_patch(hub, tokens={**tokens, str(group.id): new_token()}))
    return "group.add", patch, None, None


def new_token() -> str:
    """192 random bits, URL-safe: unguessable, and short enough for a QR code that scans from the back row."""
    return secrets.token_urlsafe(24)


def _rotate_tokens(hub: Hub, cmd: RotateTokens):
    tokens = {"all": new_token(), **{str(g): new_token() for g in hub.session.groups}}
    return "tokens.rotate", _meta_patch(hub, tokens=tokens), None, None


def _set_submissions(hub: Hub, cmd: SetSubmissions):
    if hub.session.meta.open == cmd.open:
        raise ValidationError(f"Phones are already {'allowed' if cmd.open else 'stopped'} from sending notes.")
    return ("submissions.open" if cmd.open else "submissions.close"), _meta_patch(hub, open=cmd.open), None, None


def _hide_card(hub: Hub, cmd: HideCard):
    card = hub.card(cmd.card_id)
    if card.hidden == cmd.hidden:
        raise ValidationError(f"The card is already {'hidden' if cmd.hidden else 'shown'}.")
    return ("card.hide" if cmd.hidden else "card.unhide"), _card_patch((card, _copy(card, hidden=cmd.hidden))), \
        card.id, None


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


def _meta_patch(hub: Hub, **changes) -> Patch:
    """A patch of some meta fields only, so undoing a title edit does not also roll back, say, the tokens."""
    current = hub.current("meta", "1") or {}
    return {"meta": {"1": ({k: current[k] for k in changes}, changes)}}


def _edit_session(hub: Hub, cmd: EditSession):
    current = hub.current("meta", "1") or {}
    before = {"title": current["title"], "question": current["question"], "programme": current["programme"]}
    after = dict(before)
    if cmd.title is not None:
        after["title"] = T.clean(cmd.title, "Title", T.TITLE_LIMIT, multiline=False)
    if cmd.question is not None:
        after["question"] = T.clean(cmd.question, "Question", T.QUESTION_LIMIT, required=False)
    if cmd.programme is not None:
        after["programme"] = T.clean(cmd.programme, "Programme", T.TITLE_LIMIT, required=False, multiline=False)
    if after == before:
        raise ValidationError("Nothing changed.")
    return "session.edit", {"meta": {"1": (before, after)}}, None, None


def _check_still(hub: Hub, patch: Patch, index: int, what: str) -> None:
    """Refuse undo/redo when a record no longer looks as expected (someone changed it since)."""
    for table, rows in patch.items():
        for key, pair in rows.items():
            current = hub.current(table, key)
            expected = pair[index]
            if table == "meta" and current is not None and expected is not None:
                current = {k: current.get(k) for k in expected}  # meta patches hold only the fields they change
            if current != expected:
                raise ValidationError(f"Can't {what}: that has been changed since.")


def _undo(hub: Hub, cmd: Undo):
    original = hub.undo_target()
    if original is None:
        raise ValidationError("Nothing to undo.")
    _check_still(hub, original.patch, 1, "undo")
    inverse = {t: {k: (a, b) for k, (b, a) in rows.items()} for t, rows in original.patch.items()}
    for key, (_, after) in inverse.get("groups", {}).items():
        if after is None and any(c.group_id == int(key) for c in hub.session.cards.values()):
            raise ValidationError("Can't undo adding that group: cards belong to it now.")
    return "undo", inverse, original.card_id, original.seq


def _redo(hub: Hub, cmd: Redo):
    original = hub.redo_target()
    if original is None:
        raise ValidationError("Nothing to redo.")
    _check_still(hub, original.patch, 0, "redo")
    return "redo", original.patch, original.card_id, original.seq


HANDLERS: dict[type, Callable] = {
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
    HideCard: _hide_card,
    SetSubmissions: _set_submissions,
    RotateTokens: _rotate_tokens,
    Undo: _undo,
    Redo: _redo,
}

LABELS = {
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
    "card.hide": "hide card",
    "card.unhide": "show card",
}


# The commands that steer a session live in handlers_run (imported last: it uses the helpers above).
from coprod_tui.core.handlers_method import METHOD_HANDLERS, METHOD_LABELS  # noqa: E402
from coprod_tui.core.handlers_run import RUN_HANDLERS, RUN_LABELS  # noqa: E402

HANDLERS.update(RUN_HANDLERS)
HANDLERS.update(METHOD_HANDLERS)
LABELS.update(RUN_LABELS)
LABELS.update(METHOD_LABELS)
