"""Every board action in the command palette (ctrl+p), built from the board's own bindings so none is missed."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from coprod_tui.tui.help import key_label


class BoardCommands(Provider):
    """Board actions, views (including one per group) and help."""

    def _commands(self) -> list[tuple[str, str, object]]:
        screen = self.screen
        commands: list[tuple[str, str, object]] = []
        seen: set[str] = set()
        for binding in screen.BINDINGS:
            action = binding.action
            if action in seen or action.startswith(("focus_cell", "view(", "next_group")):
                continue
            seen.add(action)
            name = action.split("(")[0]
            if screen.check_action(name, ()) is False:
                continue
            key = binding.key.split(",")[0]
            commands.append((f"Board: {binding.description}", f"key {key_label(key)}",
                             partial(screen.run_action, action)))
        commands.append(("View: all groups together", "key 1", partial(screen.run_action, "view('all')")))
        commands.append(("View: groups side by side (lanes)", "key 3", partial(screen.run_action, "view('lanes')")))
        for group in screen.session.groups.values():
            commands.append((f"View: only {group.name}", "", partial(setattr, screen, "view", f"group:{group.id}")))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(Content(name), callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, text=name, help=help_text)
