"""Sample sessions and helpers for driving the app in a Textual pilot, as a facilitator would.

Sessions are built through the core (`new_session`, then hub commands) with a fixed clock and a fixed session id,
so the file names, dates and cards are the same on every run (the SVG snapshots rely on it). Setup cards are added
with `Source.IMPORT`: they are on the board but not on the facilitator's undo stack, so the first `u` in a test
undoes what that test did.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from textual.pilot import Pilot

from coprod_tui.core.commands import Command
from coprod_tui.core.hub import open_session
from coprod_tui.core.model import Kind
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.tui.app import CoprodApp
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.board.card_list import CardList
from coprod_tui.tui.board.detail import CardDetail

FIXED_NOW = "2025-03-14T09:30:00.000+00:00"
SIZE = (120, 40)

GROUPS: list[tuple[str, str, str | None]] = [
    ("Carers", "carers", "orange"),
    ("Practitioners", "practitioners", "sky"),
    ("People who use services", "people", "green"),
]

# (kind, text, group name or None, author or None); ids are 1.. in this order.
SAMPLE_CARDS: list[tuple[str, str, str | None, str | None]] = [
    ("problem", "Carers can't get a break at weekends", "Carers", "Asha"),
    ("problem", "Respite bookings get lost between teams", "Practitioners", None),
    ("option", "A shared booking calendar", "Practitioners", "Sam"),
    ("option", "A weekend sitting service run by volunteers", "Carers", None),
    ("contribution", "The council can host the calendar", "Practitioners", "Lee"),
    ("contribution", "The carers' centre will recruit volunteers", "Carers", None),
]
# option 3 addresses problem 2, option 4 addresses problem 1; contribution 5 serves 3, 6 serves 4.
SAMPLE_LINKS: list[tuple[int, int]] = [(3, 2), (4, 1), (5, 3), (6, 4)]
SAMPLE_QUESTION = "How do carers get a real break?"


def fixed_clock(at: str = FIXED_NOW) -> Callable[[], str]:
    return lambda: at


# -- helpers for driving the app ------------------------------------------------------------------------------------

async def settle(pilot: Pilot, until: Callable[[], bool], *, timeout: float = 15.0) -> None:
    """Let the app process messages until `until()` holds; fail after `timeout` seconds.

    Some work happens in threads (the session listing, saving settings), so waiting for idle alone is not enough:
    after a few idle rounds it waits in short sleeps. The timeout only bounds a failing test; nothing asserts on it.
    """
    deadline = time.monotonic() + timeout
    rounds = 0
    while not until():
        if time.monotonic() > deadline:
            raise AssertionError(f"the app never reached the expected state; the screen shows:\n"
                                 f"{screen_text(pilot.app)}")
        rounds += 1
        await pilot.pause(None if rounds < 20 else 0.02)


async def open_board(pilot: Pilot) -> BoardScreen:
    """Wait for the board and its cells to be mounted; return the board screen."""
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, BoardScreen) and bool(app.screen.query(CardList))
                 and all(cl.size.height for cl in app.screen.query(CardList)))
    await pilot.pause()
    return app.screen  # type: ignore[return-value]


def lists(board: BoardScreen) -> list[CardList]:
    return list(board.query(CardList))


def texts(card_list: CardList) -> list[str]:
    return [view.text for view in card_list.views]


def column(app: CoprodApp, kind: str | Kind) -> list[str]:
    """The texts of one column as the hub holds them, in board order."""
    return [c.text for c in app.hub.session.column(Kind(kind))]


def drawn(widget) -> str:
    """What a widget draws right now, line by line (CardList is a line API widget)."""
    return "\n".join(widget.render_line(y).text for y in range(widget.size.height))


def detail_text(app: CoprodApp) -> str:
    """The board's detail pane: its whole content (the pane scrolls when the chain is long)."""
    return str(app.screen.query_one(CardDetail).render())


def screen_text(app: CoprodApp) -> str:
    """The whole terminal as plain text, as the user sees it (the top screen composited over the ones below)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def select(pilot: Pilot, text: str) -> CardList:
    """Focus the cell holding a card with this text and put the cursor on it (keyboard only)."""
    board: BoardScreen = pilot.app.screen  # type: ignore[assignment]
    for card_list in lists(board):
        if text in texts(card_list):
            card_list.focus()
            await pilot.pause()
            card_list.cursor = texts(card_list).index(text)
            await pilot.pause()
            return card_list
    raise AssertionError(f"no card {text!r} on the board")


def card_by_text(app: CoprodApp, text: str):
    matches = [c for c in app.hub.session.cards.values() if c.text == text]
    assert len(matches) == 1, f"{len(matches)} cards with text {text!r}"
    return matches[0]


def read_file(sessions_dir: Path, session_id: str) -> dict:
    """The session document on disk (parsed JSON)."""
    return json.loads((sessions_dir / f"{session_id}.json").read_text("utf-8"))


def stored_cards(sessions_dir: Path, session_id: str) -> dict[int, dict]:
    return {int(k): v for k, v in read_file(sessions_dir, session_id)["cards"].items()}


def notices(app: CoprodApp) -> list[tuple[str, str]]:
    """(title, message) of the notifications currently shown, as plain text (a message given as a Content is shown
    as its text; `"x" in Content(...)` would be False whatever it says)."""
    return [(n.title, str(n.message)) for n in app._notifications]


async def type_text(pilot: Pilot, text: str) -> None:
    """Type like a person: one key press per character."""
    await pilot.press(*text)


async def dialog(pilot: Pilot, kind: type):
    """Wait until a screen of `kind` is on top, and return it."""
    await settle(pilot, lambda: isinstance(pilot.app.screen, kind))
    return pilot.app.screen


async def back_to(pilot: Pilot, board) -> None:
    """Wait until `board` is on top again (a dialog closed)."""
    await settle(pilot, lambda: pilot.app.screen is board)
    await pilot.pause()


def prepare(sessions_dir: Path, session_id: str, commands: Iterable[Command], at: str = FIXED_NOW) -> None:
    """Apply commands to a session file before the app opens it (setup, not under test; with a fixed clock)."""
    hub = open_session(SessionFolder(sessions_dir), session_id, clock=fixed_clock(at))
    try:
        for command in commands:
            hub.apply(command)
    finally:
        hub.close()
