"""Handlers for undo and redo: re-apply an event's "before" (or "after") records, but only if the records still
look as that event left them; otherwise refuse rather than overwrite someone's later change.
"""

from __future__ import annotations

from coprod_tui.core.commands import Redo, Undo
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.handlers.context import Change, Context, Handler
from coprod_tui.core.handlers.patch import Patch, current


def _check_still(ctx: Context, patch: Patch, index: int, what: str) -> None:
    """Refuse when a record no longer looks as side `index` of the patch has it (someone changed it since)."""
    for table, rows in patch.items():
        for key, pair in rows.items():
            now = current(ctx.session, table, key)
            expected = pair[index]
            if table == "meta" and now is not None and expected is not None:
                now = {k: now.get(k) for k in expected}  # meta patches hold only the fields they change
            if now != expected:
                raise ValidationError(f"Can't {what}: that has been changed since.")


def undo(ctx: Context, cmd: Undo) -> Change:
    original = ctx.undo_target()
    if original is None:
        raise ValidationError("Nothing to undo.")
    _check_still(ctx, original.patch, 1, "undo")
    inverse = {t: {k: (a, b) for k, (b, a) in rows.items()} for t, rows in original.patch.items()}
    for key, (_, after) in inverse.get("groups", {}).items():
        if after is None and any(c.group_id == int(key) for c in ctx.session.cards.values()):
            raise ValidationError("Can't undo adding that group: cards belong to it now.")
    return Change("undo", inverse, original.card_id, original.seq)


def redo(ctx: Context, cmd: Redo) -> Change:
    original = ctx.redo_target()
    if original is None:
        raise ValidationError("Nothing to redo.")
    _check_still(ctx, original.patch, 0, "redo")
    return Change("redo", original.patch, original.card_id, original.seq)


HANDLERS: dict[type, Handler] = {Undo: undo, Redo: redo}
