"""How each command becomes a change: one small function per command, grouped by theme, and the registry.

A handler receives a narrow `Context` (never the hub) and the command, checks everything, and returns a `Change`
without changing anything; the hub applies it, so a refused command can never leave half a change behind.
cards: the board, groups, the session, tokens; history: undo and redo; room: phases, hidden writing, timer,
"I'm done", breakouts; votes: voting and clusters; method: reflection, plan, "you said, we did". patch.py holds
the helpers they share, context.py what they receive and return.

`HANDLERS` maps each command class to its handler; `LABELS` names the undoable event types ("undo add card").
"""

from __future__ import annotations

from coprod_tui.core.handlers import cards, history, method, room, votes
from coprod_tui.core.handlers.context import Handler

HANDLERS: dict[type, Handler] = {**cards.HANDLERS, **history.HANDLERS, **room.HANDLERS, **votes.HANDLERS,
                                 **method.HANDLERS}
LABELS: dict[str, str] = {**cards.LABELS, **room.LABELS, **votes.LABELS, **method.LABELS}
