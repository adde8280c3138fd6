"""The board's phone controls: join codes on screen, open/close submissions, new tokens, "new" markers.

A mixin for BoardScreen, kept apart so the board's editing code stays readable. Every control is a hub command (so
it is saved, and phones hear of it through the hub like any other change); none is reachable over HTTP.
"""

from __future__ import annotations

import time

from textual.binding import Binding
from textual.content import Content

from coprod_tui.core.commands import Event, RotateTokens, SetSubmissions
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.board.qr import QrScreen, join_codes

NEW_SECONDS = 12.0  # how long a phone's note wears its NEW marker


class PhoneControls:
    """Needs `self.hub`, `self.app.phone_server`, `self._apply`, `self.refresh_cards` from BoardScreen."""

    PHONE_BINDINGS = [
        Binding("p", "phones", "QR"),
        Binding("o", "toggle_open", "Open/close phones", show=False),
        Binding("t", "rotate_tokens", "New join codes", show=False),
    ]
    PHONE_ACTIONS = {"toggle_open", "rotate_tokens"}

    def _init_phones(self) -> None:
        self._new_until: dict[int, float] = {}

    def new_cards(self) -> set[int]:
        now = time.monotonic()
        return {card_id for card_id, until in self._new_until.items() if until > now}

    def _note_phone_events(self, events: list[Event]) -> None:
        """Phone notes wear a NEW marker for a while; the marker goes with a redraw when it expires."""
        fresh = [e.card_id for e in events if e.source == "phone" and e.type == "card.add" and e.card_id]
        if fresh:
            until = time.monotonic() + NEW_SECONDS
            self._new_until.update({card_id: until for card_id in fresh})
            self.set_timer(NEW_SECONDS + 0.1, self._expire_new)
        if any(e.type.startswith(("submissions.", "tokens.")) for e in events):
            self.show_phone_status()

    def _expire_new(self) -> None:
        now = time.monotonic()
        self._new_until = {k: v for k, v in self._new_until.items() if v > now}
        self.refresh_cards()

    def show_phone_status(self) -> None:
        """The header's subtitle says whether phones can post, and where."""
        if self.hub.read_only:
            self.sub_title = "review · read-only · ctrl+e reopens for editing"
            return
        server = getattr(self.app, "phone_server", None)
        if server is None:
            self.sub_title = "live"
            return
        state = "phones open" if self.hub.session.meta.open else "phones CLOSED"
        self.sub_title = f"live · {state} · {server.urls().get('all', '')}"

    def action_phones(self) -> None:
        server = getattr(self.app, "phone_server", None)
        if server is None:
            self.notify("The phone server is not running: 'coprod open ID' starts it.", severity="warning")
            return
        self.app.push_screen(QrScreen(join_codes(self.hub, server.urls())))

    def action_toggle_open(self) -> None:
        opening = not self.hub.session.meta.open
        if self._apply(SetSubmissions(open=opening)):
            self.notify("Phones can send notes again." if opening else
                        "Phones are closed: they see the board, and nothing they send is stored.", timeout=4)

    def action_rotate_tokens(self) -> None:
        question = Content("Make new join codes?\n\nEvery QR code shown or printed so far stops working at once; "
                           "phones must scan the new one.")

        def answer(yes: bool | None) -> None:
            if yes and self._apply(RotateTokens()):
                self.notify("New join codes made: press p to show them.", timeout=4)

        self.app.push_screen(ConfirmScreen(question, yes="New codes"), answer)
