"""Phones on the board: the join QR codes, full screen for the projector.

The TUI never imports the web server (house rule: they meet only in the hub). The app is handed a `PhoneServer`
by the CLI — anything with `urls()` and `stop()` — and this screen only draws the URLs it gives.
The QR is drawn with explicit black and white (see `coprod_tui.core.qr`) so it scans on dark and light themes alike.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from coprod_tui.core.hub import Hub
from coprod_tui.core.qr import terminal_qr, terminal_size


class PhoneServer(Protocol):
    """What the board needs of the embedded phone server."""

    def urls(self) -> dict[str, str]:
        """Join URLs: "all" for everyone, and one per group id (as a string)."""

    async def stop(self) -> None: ...


# (hub) -> a started server; the CLI builds it from --host / --port / --public-url.
ServerStarter = Callable[[Hub], Awaitable[PhoneServer]]


def join_codes(hub: Hub, urls: dict[str, str]) -> list[tuple[str, str]]:
    """(label, url) pairs in board order: everyone first, then each group."""
    codes = [("Everyone (choose your group)", urls["all"])] if "all" in urls else []
    for group in hub.session.groups.values():
        url = urls.get(str(group.id))
        if url:
            codes.append((group.name, url))
    return codes


class QrScreen(ModalScreen[None]):
    """One join code at a time, as large as the terminal allows; ←/→ for the next group."""

    BINDINGS = [
        Binding("left", "step(-1)", "Previous"),
        Binding("right", "step(1)", "Next"),
        Binding("escape,q,p", "dismiss", "Close"),
    ]

    def __init__(self, codes: list[tuple[str, str]], start: int = 0) -> None:
        super().__init__()
        self.codes = codes
        self.index = start

    def compose(self) -> ComposeResult:
        with Vertical(id="qr-view"):
            yield Static(id="qr-label")
            with Center():
                yield Static(id="qr-code")
            yield Static(id="qr-url")
            yield Static(Content("← → another group · esc closes"), id="qr-hint")

    def on_mount(self) -> None:
        self._show()

    def on_resize(self) -> None:
        self._show()

    def action_step(self, delta: int) -> None:
        if self.codes:
            self.index = (self.index + delta) % len(self.codes)
            self._show()

    def _show(self) -> None:
        if not self.codes:
            self.query_one("#qr-label", Static).update(Content("Phones are not connected: no join codes yet."))
            return
        label, url = self.codes[self.index]
        self.query_one("#qr-label", Static).update(Text(label, style="bold", justify="center"))
        width, height = terminal_size(url)
        if width > self.size.width or height > self.size.height - 4:
            # A cropped code would not scan: say so instead of drawing half of it.
            self.query_one("#qr-code", Static).update(
                Text(f"Make the window at least {width}×{height + 4} to show the code; or type the address below.",
                     justify="center"))
        else:
            self.query_one("#qr-code", Static).update(terminal_qr(url))
        self.query_one("#qr-url", Static).update(Text(url, justify="center"))
