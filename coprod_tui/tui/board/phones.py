"""The board's phone control: join codes on screen, open/close submissions, new tokens, and "NEW" markers.

Every control is a hub command (so it is saved, and phones hear of it through the hub like any other change); none
is reachable over HTTP. The control owns the NEW markers: a phone's note wears one for NEW_SECONDS, and the board is
redrawn once when markers expire.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.binding import Binding
from textual.content import Content

from coprod_tui.core.commands import Event, RotateTokens, SetSubmissions
from coprod_tui.tui.board.control import Control, Desk
from coprod_tui.tui.board.qr import QrScreen, join_codes
from coprod_tui.tui.dialogs.cards import ConfirmScreen

NEW_SECONDS = 12.0  # how long a phone's note wears its NEW marker

# (delay in seconds, callback): the screen's `set_timer`.
Later = Callable[[float, Callable[[], None]], object]


class PhonesControl(Control):
    """Phones: the QR screen, whether they may post, their join codes, and which of their notes are new."""

    BINDINGS = [
        Binding("p", "phones", "QR"),
        Binding("o", "toggle_open", "Open/close phones", show=False),
        Binding("t", "rotate_tokens", "New join codes", show=False),
    ]
    WRITES = frozenset({"phones", "toggle_open", "rotate_tokens"})

    def __init__(self, desk: Desk, *, later: Later, redraw: Callable[[], None]) -> None:
        self.desk = desk
        self._later = later
        self._redraw = redraw  # redraw the board's cards (NEW markers went)
        self._new_until: dict[int, float] = {}

    def state(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "phones" and self.desk.app.phone_server is None:
            return None
        return True

    def new_cards(self) -> set[int]:
        """The phone notes that still wear their NEW marker."""
        now = time.monotonic()
        return {card_id for card_id, until in self._new_until.items() if until > now}

    def note(self, events: list[Event]) -> bool:
        """Mark the phones' new notes; True when the phones' status (open/closed, codes) may have changed."""
        fresh = [e.card_id for e in events if e.source == "phone" and e.type == "card.add" and e.card_id]
        if fresh:
            until = time.monotonic() + NEW_SECONDS
            self._new_until.update({card_id: until for card_id in fresh})
            self._later(NEW_SECONDS + 0.1, self._expire)
        return any(e.type.startswith(("submissions.", "tokens.")) for e in events)

    def _expire(self) -> None:
        now = time.monotonic()
        self._new_until = {k: v for k, v in self._new_until.items() if v > now}
        self._redraw()

    def status(self) -> str:
        """The board's subtitle: whether phones can post, and where."""
        hub = self.desk.hub
        if hub.read_only:
            return "review · read-only · ctrl+e reopens for editing"
        server = self.desk.app.phone_server
        if server is None:
            return "live"
        state = "phones open" if hub.session.meta.open else "phones CLOSED"
        return f"live · {state} · {server.urls().get('all', '')}"

    def phones(self) -> None:
        server = self.desk.app.phone_server
        if server is None:
            self.desk.notify("The phone server is not running: 'coprod open ID' starts it.", severity="warning")
            return
        self.desk.show(QrScreen(join_codes(self.desk.hub, server.urls())))

    def toggle_open(self) -> None:
        opening = not self.desk.session.meta.open
        if self.desk.apply(SetSubmissions(open=opening)):
            self.desk.notify("Phones can send notes again." if opening else
                             "Phones are closed: they see the board, and nothing they send is stored.", timeout=4)

    def rotate_tokens(self) -> None:
        question = Content("Make new join codes?\n\nEvery QR code shown or printed so far stops working at once; "
                           "phones must scan the new one.")

        def answer(yes: bool | None) -> None:
            if yes and self.desk.apply(RotateTokens()):
                self.desk.notify("New join codes made: press p to show them.", timeout=4)

        self.desk.show(ConfirmScreen(question, yes="New codes"), answer)
