"""Handlers for the board itself: cards (add, import, edit, delete, move, reorder, group, hide), links, groups,
the session's title, whether phones may send, and the join tokens.

Each checks everything and returns a Change; the hub applies it, so a refused command leaves nothing behind.
"""

from __future__ import annotations

from coprod_tui.core import text as T
from coprod_tui.core.commands import (AddCard, AddGroup, DeleteCard, EditCard, EditGroup, EditSession, HideCard,
                                      ImportCards, MoveCard, RotateTokens, SetCardGroup, SetSubmissions, Source,
                                      SwapCards, ToggleLink)
from coprod_tui.core.errors import NotFound, SubmissionsClosed, ValidationError
from coprod_tui.core.handlers.context import Change, Context, Handler
from coprod_tui.core.handlers.patch import (card_patch, check_group, copy_card, current, find_card, group_patch,
                                            make_group, meta_patch, new_card, unlinked_from)
from coprod_tui.core.model import KINDS, Card, Group, Kind, Role, check_colour
from coprod_tui.core.tokens import new_token


def add_card(ctx: Context, cmd: AddCard) -> Change:
    # Checked here, after the hub has answered a known request_id: a phone retrying a note that was saved just
    # before the facilitator closed submissions still hears "saved", not "closed".
    if cmd.source == Source.PHONE and not ctx.session.meta.open:
        raise SubmissionsClosed("The facilitator has closed this session to new notes; nothing was saved.")
    kind = Kind.parse(cmd.card.kind)
    card = new_card(ctx.session, cmd.card, card_id=ctx.session.next_id(ctx.session.cards), order=ctx.end_of(kind),
                    created=ctx.clock(), source=cmd.source)
    return Change("card.add", card_patch((None, card)), card.id)


def import_cards(ctx: Context, cmd: ImportCards) -> Change:
    if not cmd.cards:
        raise ValidationError("Nothing to import.")
    next_id = ctx.session.next_id(ctx.session.cards)
    ends = {kind: ctx.end_of(kind) for kind in KINDS}
    made: list[tuple[Card | None, Card | None]] = []
    for offset, draft in enumerate(cmd.cards):
        kind = Kind.parse(draft.kind)
        made.append((None, new_card(ctx.session, draft, card_id=next_id + offset, order=ends[kind],
                                    created=ctx.clock(), source=cmd.source)))
        ends[kind] += 1.0
    return Change("card.import", card_patch(*made), next_id)


def edit_card(ctx: Context, cmd: EditCard) -> Change:
    card = find_card(ctx.session, cmd.card_id)
    new = copy_card(card, text=T.clean_note(cmd.text), author=T.optional(cmd.author, "Name", T.AUTHOR_LIMIT))
    if new == card:
        raise ValidationError("Nothing changed.")
    return Change("card.edit", card_patch((card, new)), card.id)


def _not_clustered(card: Card, what: str) -> None:
    if card.is_cluster or card.cluster is not None:
        raise ValidationError(f"Split the cluster before you {what} its notes.")


def delete_card(ctx: Context, cmd: DeleteCard) -> Change:
    card = find_card(ctx.session, cmd.card_id)
    _not_clustered(card, "delete")
    return Change("card.delete", card_patch((card, None), *unlinked_from(ctx.session, card.id, lambda c: False)),
                  card.id)


def move_card(ctx: Context, cmd: MoveCard) -> Change:
    card = find_card(ctx.session, cmd.card_id)
    _not_clustered(card, "move")
    kind = Kind.parse(cmd.kind)
    if kind is card.kind:
        raise ValidationError(f"The card is already in {kind.label}.")
    moved = copy_card(card, kind=kind.value, order=ctx.end_of(kind), links=[])
    dropped = unlinked_from(ctx.session, card.id, lambda c: c.kind.link_target is kind)
    return Change("card.move", card_patch((card, moved), *dropped), card.id)


def swap_cards(ctx: Context, cmd: SwapCards) -> Change:
    card, other = find_card(ctx.session, cmd.card_id), find_card(ctx.session, cmd.other_id)
    if card.kind is not other.kind or card.id == other.id:
        raise ValidationError("Cards can only swap places within one column.")
    order_a, order_b = card.order, other.order
    if order_a == order_b:
        order_b += 0.5 if card.id < other.id else -0.5
    return Change("card.reorder", card_patch((card, copy_card(card, order=order_b)),
                                             (other, copy_card(other, order=order_a))), card.id)


def set_group(ctx: Context, cmd: SetCardGroup) -> Change:
    card = find_card(ctx.session, cmd.card_id)
    group_id = check_group(ctx.session, cmd.group_id)
    if group_id == card.group_id:
        raise ValidationError("The card is already in that group.")
    return Change("card.group", card_patch((card, copy_card(card, group=group_id))), card.id)


def toggle_link(ctx: Context, cmd: ToggleLink) -> Change:
    card, target = find_card(ctx.session, cmd.card_id), find_card(ctx.session, cmd.target_id)
    wanted = card.kind.link_target
    if wanted is None or target.kind is not wanted:
        raise ValidationError("Link an option to a problem it addresses, or a contribution to an option it serves.")
    linked = target.id in card.links
    links = [x for x in card.links if x != target.id] if linked else [*card.links, target.id]
    return Change("link.remove" if linked else "link.add", card_patch((card, copy_card(card, links=links))), card.id)


def hide_card(ctx: Context, cmd: HideCard) -> Change:
    card = find_card(ctx.session, cmd.card_id)
    if card.hidden == cmd.hidden:
        raise ValidationError(f"The card is already {'hidden' if cmd.hidden else 'shown'}.")
    return Change("card.hide" if cmd.hidden else "card.unhide",
                  card_patch((card, copy_card(card, hidden=cmd.hidden))), card.id)


def add_group(ctx: Context, cmd: AddGroup) -> Change:
    group = make_group(ctx.session, cmd.name, cmd.role, cmd.colour)
    patch = group_patch(None, group)
    tokens = ctx.session.meta.tokens
    if tokens:  # the session is already open to phones: the new group gets its own QR at once
        patch.update(meta_patch(ctx.session, tokens={**tokens, str(group.id): new_token()}))
    return Change("group.add", patch)


def edit_group(ctx: Context, cmd: EditGroup) -> Change:
    group = ctx.session.groups.get(cmd.group_id)
    if group is None:
        raise NotFound("That group no longer exists.")
    name = T.clean(cmd.name, "Group name", T.NAME_LIMIT, multiline=False) if cmd.name is not None else group.name
    clash = ctx.session.group_named(name)
    if clash and clash.id != group.id:
        raise ValidationError(f"There is already a group called {name!r}.")
    new = Group(id=group.id, name=name,
                colour=check_colour(cmd.colour) if cmd.colour is not None else group.colour,
                role=Role.parse(cmd.role) if cmd.role is not None else group.role)
    if new == group:
        raise ValidationError("Nothing changed.")
    return Change("group.edit", group_patch(group, new))


def edit_session(ctx: Context, cmd: EditSession) -> Change:
    now = current(ctx.session, "meta", "1") or {}
    before = {"title": now["title"], "question": now["question"], "programme": now["programme"]}
    after = dict(before)
    if cmd.title is not None:
        after["title"] = T.clean(cmd.title, "Title", T.TITLE_LIMIT, multiline=False)
    if cmd.question is not None:
        after["question"] = T.clean(cmd.question, "Question", T.QUESTION_LIMIT, required=False)
    if cmd.programme is not None:
        after["programme"] = T.clean(cmd.programme, "Programme", T.TITLE_LIMIT, required=False, multiline=False)
    if after == before:
        raise ValidationError("Nothing changed.")
    return Change("session.edit", {"meta": {"1": (before, after)}})


def set_submissions(ctx: Context, cmd: SetSubmissions) -> Change:
    if ctx.session.meta.open == cmd.open:
        raise ValidationError(f"Phones are already {'allowed' if cmd.open else 'stopped'} from sending notes.")
    return Change("submissions.open" if cmd.open else "submissions.close", meta_patch(ctx.session, open=cmd.open))


def rotate_tokens(ctx: Context, cmd: RotateTokens) -> Change:
    tokens = {"all": new_token(), **{str(g): new_token() for g in ctx.session.groups}}
    return Change("tokens.rotate", meta_patch(ctx.session, tokens=tokens))


HANDLERS: dict[type, Handler] = {
    AddCard: add_card, ImportCards: import_cards, EditCard: edit_card, DeleteCard: delete_card,
    MoveCard: move_card, SwapCards: swap_cards, SetCardGroup: set_group, ToggleLink: toggle_link,
    HideCard: hide_card, AddGroup: add_group, EditGroup: edit_group, EditSession: edit_session,
    SetSubmissions: set_submissions, RotateTokens: rotate_tokens,
}

# What Undo/Redo say they would reverse. Session creation, tokens and submissions are not undoable: no label.
LABELS = {
    "card.add": "add card", "card.import": "import", "card.edit": "edit card", "card.delete": "delete card",
    "card.move": "move card", "card.reorder": "reorder", "card.group": "change group", "link.add": "link",
    "link.remove": "unlink", "group.add": "add group", "group.edit": "edit group", "session.edit": "edit session",
    "card.hide": "hide card", "card.unhide": "show card",
}
