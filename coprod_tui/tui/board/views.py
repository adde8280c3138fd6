"""Which cells the board shows: all groups together, one group at a time, or groups side by side (lanes).

The rules for switching views and for which columns a hub event can change are plain functions of the session, so
the screen keeps the view (a reactive) and asks these what it means.
"""

from __future__ import annotations

from textual.binding import Binding

from coprod_tui.core.commands import Event
from coprod_tui.core.model import KINDS, Kind, Session

BINDINGS = [
    Binding("v", "cycle_view", "View"),
    Binding("1", "view('all')", "All groups", show=False),
    Binding("2", "next_group", "One group", show=False),
    Binding("3", "view('lanes')", "Lanes", show=False),
]

Cell = tuple[Kind, object, str]  # (kind, group filter: a group id, None for no group or ... for all; title)


def cells(session: Session, view: str) -> list[Cell]:
    """(kind, group filter, title) for each cell of `view`, row by row."""
    if view == "lanes":
        lanes: list[tuple[int | None, str]] = [(g.id, g.name) for g in session.groups.values()]
        if any(c.group_id is None and c.on_board for c in session.cards.values()):
            lanes.append((None, "No group"))
        return [(kind, gid, f"{name} · {kind.label}") for kind in KINDS for gid, name in lanes]
    if view.startswith("group:"):
        gid = int(view.split(":")[1])
        group = session.groups.get(gid)
        name = group.name if group else "?"
        return [(kind, gid, f"{kind.label} · {name}") for kind in KINDS]
    return [(kind, ..., kind.label) for kind in KINDS]


def describe(session: Session, view: str) -> str:
    """How a view is named when the board switches to it."""
    label = {"all": "all groups", "lanes": "groups side by side"}.get(view)
    if label is None:
        group = session.groups.get(int(view.split(":")[1]))
        label = f"only {group.name}" if group else "one group"
    return label


def next_group(session: Session, view: str) -> str | None:
    """The one-group view after `view` (the first group's, from any other view); None if there are no groups."""
    ids = list(session.groups)
    if not ids:
        return None
    current = int(view.split(":")[1]) if view.startswith("group:") else None
    following = ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0]
    return f"group:{following}"


def cycled(session: Session, view: str) -> str:
    """all → each group in turn → lanes → all."""
    ids = list(session.groups)
    if view == "all":
        return f"group:{ids[0]}" if ids else "lanes"
    if view.startswith("group:"):
        current = int(view.split(":")[1])
        position = ids.index(current) + 1 if current in ids else len(ids)
        return f"group:{ids[position]}" if position < len(ids) else "lanes"
    return "all"


def touched_kinds(session: Session, event: Event) -> set[Kind] | None:
    """Columns an event can change: its cards' columns and the columns of cards they link to (whose link counts
    change); for a vote, the voted column if its totals are shown. None means "all"."""
    kinds: set[Kind] = set()
    for before, after in event.patch.get("cards", {}).values():
        for record in (before, after):
            if record is None:
                continue
            kinds.add(Kind(record["kind"]))
            for target in record.get("links", []):
                card = session.cards.get(target)
                kinds.add(card.kind if card else Kind.PROBLEM)
    voting = session.meta.voting
    if "votes" in event.patch and voting is not None and voting.revealed:
        kinds.add(Kind(voting.kind))
    return kinds if event.patch.keys() <= {"cards", "votes", "done"} else None
