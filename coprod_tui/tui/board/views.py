"""The board's views: all groups together, one group at a time, or groups side by side (lanes).

A mixin for BoardScreen: which cells the board shows, and the keys that switch between them.
"""

from __future__ import annotations

from textual.content import Content

from coprod_tui.core.model import Kind

KINDS = list(Kind)


class ViewControls:
    """Needs from BoardScreen: `session`, the reactive `view`, `_build_cells()`, `_lists()`, `_focused_index()`."""

    def _cells(self) -> list[tuple[Kind, int | None | object, str]]:
        """(kind, group filter, title) for each cell of the current view, row by row."""
        if self.view == "lanes":
            lanes: list[tuple[int | None, str]] = [(g.id, g.name) for g in self.session.groups.values()]
            if any(c.group_id is None and c.on_board for c in self.session.cards.values()):
                lanes.append((None, "No group"))
            return [(kind, gid, f"{name} · {kind.label}") for kind in KINDS for gid, name in lanes]
        if self.view.startswith("group:"):
            gid = int(self.view.split(":")[1])
            group = self.session.groups.get(gid)
            name = group.name if group else "?"
            return [(kind, gid, f"{kind.label} · {name}") for kind in KINDS]
        return [(kind, ..., kind.label) for kind in KINDS]

    def watch_view(self) -> None:
        self._build_cells()
        label = {"all": "all groups", "lanes": "groups side by side"}.get(self.view)
        if label is None:
            group = self.session.groups.get(int(self.view.split(":")[1]))
            label = f"only {group.name}" if group else "one group"
        self.notify(Content(f"View: {label}"), timeout=2)

    def action_view(self, view: str) -> None:
        self.view = view

    def action_next_group(self) -> None:
        ids = list(self.session.groups)
        if not ids:
            self.notify("This session has no groups.")
            return
        current = int(self.view.split(":")[1]) if self.view.startswith("group:") else None
        following = ids[(ids.index(current) + 1) % len(ids)] if current in ids else ids[0]
        self.view = f"group:{following}"

    def action_cycle_view(self) -> None:
        """all → each group in turn → lanes → all."""
        ids = list(self.session.groups)
        if self.view == "all":
            self.view = f"group:{ids[0]}" if ids else "lanes"
        elif self.view.startswith("group:"):
            current = int(self.view.split(":")[1])
            position = ids.index(current) + 1 if current in ids else len(ids)
            self.view = f"group:{ids[position]}" if position < len(ids) else "lanes"
        else:
            self.view = "all"

    def action_focus_cell(self, step: int) -> None:
        lists = self._lists()
        if lists:
            lists[(self._focused_index() + step) % len(lists)].focus()
