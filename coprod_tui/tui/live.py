"""Screens that follow the live hub (the board, the self-reflection answers, the plan, "you said, we did"), and the
one `HubChanged` message they hear it by.

A `LiveScreen` subscribes when mounted, unsubscribes when unmounted, and redraws from `hub.session` when an event
arrives — a burst of events (phones answering at once) collapses into one message, so it costs one redraw.

Every change goes through `LiveScreen.apply`, which turns a refusal from the hub into a notification: a screen never
crashes on a CoprodError. User text is only ever `rich.text.Text` / `Content`, never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.content import Content
from textual.message import Message
from textual.screen import Screen

from coprod_tui.core.commands import Command, Event
from coprod_tui.core.errors import CoprodError
from coprod_tui.core.hub import Hub


class HubChanged(Message):
    """The hub applied changes. Replaceable (toolong's habit): a burst collapses into one message carrying every
    event, so a flood of phone notes costs one redraw, not one each."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.events = [event]

    def can_replace(self, message: Message) -> bool:
        if isinstance(message, HubChanged):
            self.events[:0] = message.events
            return True
        return False


class LiveScreen(Screen):
    """A screen over the live hub. Subclasses implement `hub_changed(events)` and read `self.session`."""

    HELP_EXTRA: list[tuple[str, str]] = []

    def __init__(self, hub: Hub) -> None:
        super().__init__()
        self.hub = hub
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def session(self):
        return self.hub.session

    def on_mount(self) -> None:
        self._unsubscribe = self.hub.subscribe(self._post_hub_changed)

    def _post_hub_changed(self, event: Event) -> None:
        self.post_message(HubChanged(event))

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @on(HubChanged)
    def _hub_changed(self, message: HubChanged) -> None:
        self.hub_changed(message.events)

    def hub_changed(self, events: list[Event]) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def apply(self, command: Command) -> Event | None:
        """Send a command; a refusal becomes a notification (never an exception)."""
        try:
            return self.hub.apply(command)
        except CoprodError as exc:
            self.notify(Content(str(exc)), severity="warning")
            return None

    def writable(self) -> bool:
        return not self.hub.read_only

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        from coprod_tui.tui.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
