"""What the board's controls are given, and the one shape they share.

Each control (cards, phones, review, room, votes, method) is an object the board screen owns. It is built with a
`Desk` (the hub, and the board's ways to send a command, say something and open a screen over it), a `Selection`
when it acts on the chosen card, and the few callables of its own it needs: it never reaches into the screen or into
another control. A control declares its keys (`BINDINGS`), which of them change the session (`WRITES`: a read-only
board hides them) and `state()`, its part of the screen's `check_action`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, Protocol, TypeVar, cast

from textual.binding import Binding
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.screen import Screen

from coprod_tui.core.commands import Command, Event
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Card, Session
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.tui.board.card_list import CardList
from coprod_tui.tui.board.qr import PhoneServer

T = TypeVar("T")


class BoardApp(Protocol):
    """What the board needs of its app (tui/app.py), named here so that nothing in the board imports the app."""

    folder: SessionFolder
    phone_server: PhoneServer | None

    def group_shade(self, slot: str | None) -> str: ...

    def reopen_for_editing(self, session_id: str, focus_card: int | None = None) -> None: ...

    def action_show_home(self) -> None: ...


class Sender(Protocol):
    """The screen a desk serves: it sends commands (a refusal becomes a notification) and shows notifications."""

    @property
    def app(self) -> Any: ...

    def apply(self, command: Command) -> Event | None: ...

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None: ...


class Selection(Protocol):
    """Where the facilitator is on the board: the focused cell and its selected card."""

    def selected_card(self) -> Card | None: ...

    def focused_list(self) -> CardList | None: ...


class Desk:
    """The board's hub and its ways to act, as every control uses them."""

    def __init__(self, screen: Sender, hub: Hub) -> None:
        self._screen = screen
        self.hub = hub

    @property
    def session(self) -> Session:
        return self.hub.session

    @property
    def app(self) -> BoardApp:
        return cast(BoardApp, self._screen.app)

    def apply(self, command: Command) -> Event | None:
        """Send a command; a refusal from the hub becomes a notification, never an exception."""
        return self._screen.apply(command)

    def notify(self, message: str | Content, *, severity: SeverityLevel = "information",
               timeout: float | None = None) -> None:
        """Say something on the board, always as plain text: a control's words often carry a note, a group or a
        phase name, and a Content is never parsed as markup. (Textual's signature says str; it shows a Content.)"""
        text = message if isinstance(message, Content) else Content(message)
        self._screen.notify(cast(str, text), severity=severity, timeout=timeout)

    def show(self, screen: Screen[T], answer: Callable[[T | None], None] | None = None) -> None:
        """Open `screen` over the board; `answer` hears what it was dismissed with."""
        self._screen.app.push_screen(screen, answer)

    def shade(self, slot: str | None) -> str:
        """The theme's shade of a group colour slot."""
        return self.app.group_shade(slot)


class Control:
    """A control of the board: its keys, the ones that write, and whether each can act now."""

    BINDINGS: ClassVar[list[Binding]] = []
    WRITES: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def actions(cls) -> set[str]:
        """The action names of this control's keys (`move(1)` is `move`)."""
        return {binding.action.split("(")[0] for binding in cls.BINDINGS}

    def state(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """check_action for this control's keys: None dims a key that can't act now (read-only is the board's)."""
        return True
