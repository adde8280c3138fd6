"""The Textual app and its factory.

`make_app` takes every path it needs (sessions folder, settings file, themes folder) so tests and the CLI can point
it at temporary folders — posting's factory habit. The app holds at most one live hub: the session on the board.
"""

from __future__ import annotations

import threading
import time
from functools import partial
from pathlib import Path

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.content import Content
from textual.theme import Theme

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.hub import Hub, new_session, open_session, read_session
from coprod_tui.core.reading.search import SearchIndex
from coprod_tui.core.store.folder import SessionFolder, SessionSummary
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.board.saving import SavingTrouble
from coprod_tui.tui.review.home import HomeScreen
from coprod_tui.tui.dialogs.new_session import NewSessionScreen
from coprod_tui.tui.board.qr import PhoneServer, ServerStarter
from coprod_tui.tui.settings import Settings, default_settings_path
from coprod_tui.tui.themes import (BoardTheme, bundled_themes_dir, group_shade, group_variable_defaults, load_themes,
                     resolve_theme_name, themes_by_name)


CLOSE_WAIT_SECONDS = 10.0
# How long the "Saving failed" warning stays up. While saving keeps failing (the writer retries every second and
# reports each failure) it is shown again once this has passed, so one warning is always on screen, never a pile.
SAVING_WARNING_SECONDS = 15.0


class CoprodApp(App):
    """coprod: the facilitator's board."""

    # Each screen's rules beside it, read in this order (at equal specificity a later file wins: qr after dialogs).
    CSS_PATH = ["app.tcss", "board/board.tcss", "dialogs/dialogs.tcss", "board/qr.tcss", "help.tcss", "review/home.tcss",
                "review/replay.tcss", "review/search.tcss", "review/compare.tcss", "method/method.tcss"]
    TITLE = "coprod"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]

    def __init__(self, folder: SessionFolder, *, settings: Settings, themes: list[BoardTheme],
                 theme_warnings: list[str], session_id: str | None = None, read_only: bool = False,
                 serve: ServerStarter | None = None) -> None:
        super().__init__()
        self.serve = serve
        self.phone_server: PhoneServer | None = None
        self.folder = folder
        self.settings = settings
        self.board_themes = themes_by_name(themes)
        self.theme_warnings = theme_warnings
        self.start_session = session_id
        self.start_read_only = read_only
        self.hub: Hub | None = None
        self._search_index: SearchIndex | None = None
        self._closing_hubs: list[threading.Thread] = []
        self._saving_warned: tuple[str, float] | None = None  # the reason shown, and when (monotonic)
        for board_theme in themes:
            self.register_theme(board_theme.theme)
        self.theme = resolve_theme_name(settings.theme, self.available_themes)

    def get_theme_variable_defaults(self) -> dict[str, str]:
        return {**super().get_theme_variable_defaults(), **group_variable_defaults()}

    def group_shade(self, slot: str | None) -> str:
        """The current theme's shade of a group colour slot (grey for no group)."""
        return group_shade(self.board_themes.get(self.theme), slot or "grey")

    def on_mount(self) -> None:
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        for warning in self.theme_warnings:
            self.notify(warning, title="Theme skipped", severity="warning", markup=False, timeout=12)
        if self.settings.problem:
            self.notify(self.settings.problem, title="Settings", severity="warning", markup=False)
        if self.start_session is None:
            self.push_screen(HomeScreen())
        elif not self.open_session(self.start_session, read_only=self.start_read_only):
            self.push_screen(HomeScreen())

    # -- sessions -----------------------------------------------------------------------------------------------
    def open_session(self, session_id: str, *, read_only: bool = False, focus_card: int | None = None) -> bool:
        """Show a session's board (at `focus_card` if given); an unreadable session becomes a notification."""
        self.finish_closing()
        try:
            hub = open_session(self.folder, session_id, read_only=read_only)
        except CoprodError as exc:
            self.notify(Content(str(exc)), title="Can't open", severity="error", timeout=8)
            return False
        self._attach(hub)
        self.push_screen(BoardScreen(hub, focus_card=focus_card))
        return True

    def reopen_for_editing(self, session_id: str, focus_card: int | None = None) -> None:
        """Replace a review (read-only) board by the same session's live board, at the same card."""
        self.finish_closing()
        try:
            hub = open_session(self.folder, session_id)
        except CoprodError as exc:
            self.notify(Content(str(exc)), title="Can't edit", severity="error", timeout=8)
            return
        self._attach(hub)
        self.switch_screen(BoardScreen(hub, focus_card=focus_card))
        self.notify("Open for editing: changes are saved as you make them.", timeout=4)

    def compare_with(self, summaries: list[SessionSummary], first_id: str) -> None:
        """Ask for the second session, then show both side by side (earlier left, later right)."""
        from coprod_tui.tui.review.compare import ComparePicker, CompareScreen

        def chosen(second_id: str | None) -> None:
            if second_id is None:
                return
            try:
                sessions = [read_session(self.folder, sid) for sid in (first_id, second_id)]
            except CoprodError as exc:
                self.notify(Content(str(exc)), title="Can't compare", severity="error", timeout=8)
                return
            self.push_screen(CompareScreen(*sessions))

        self.push_screen(ComparePicker(summaries, first_id), chosen)

    def search_index(self) -> SearchIndex:
        """One index for the app's lifetime: it re-reads only session files that changed since the last search."""
        if self._search_index is None:
            self._search_index = SearchIndex(self.folder)
        return self._search_index

    def create_session(self, title: str, question: str, groups: list[tuple[str, str, str | None]], *,
                       programme: str = "") -> None:
        """Create and open a session; raises CoprodError (shown by the dialog) when the input is refused."""
        hub = new_session(self.folder, title, question, groups, programme=programme)
        self._attach(hub)
        self.switch_screen(BoardScreen(hub))

    def _attach(self, hub: Hub) -> None:
        """Make `hub` the board's session, and hear from its writer thread when saving fails or recovers."""
        self._close_hub()
        self.hub = hub
        hub.storage.on_error = partial(self._storage_problem, hub)
        if self.serve is not None and not hub.read_only:
            self.run_worker(self._start_phones(hub), group="phones", exit_on_error=False)

    async def _start_phones(self, hub: Hub) -> None:
        """Start the phone server for this board; if it can't start (port taken), the board still works."""
        try:
            server = await self.serve(hub)  # type: ignore[misc]
        except CoprodError as exc:
            self.notify(Content(str(exc)), title="Phones can't join", severity="error", timeout=15)
            return
        if self.hub is not hub:  # the board was left while the server started
            await server.stop()
            return
        self.phone_server = server
        if isinstance(self.screen, BoardScreen):
            self.screen.show_phone_status()

    def _storage_problem(self, hub: Hub, error: Exception | None) -> None:
        """Called from `hub`'s writer thread (notify and post_message are thread-safe; neither waits on the event
        loop, which may be joining this very thread in `hub.close()`): the facilitator must know at once.

        The board keeps a "NOT SAVED" mark up for the whole outage (`SavingTrouble`). The writer reports every failed
        retry (one a second while the disk is full), so the toast with the same reason is shown again only once it
        has timed out: one warning stays on screen, instead of a new one each second stacking up over the board."""
        self.post_message(SavingTrouble(hub, None if error is None else str(error)))
        if error is not None:
            reason, now = str(error), time.monotonic()
            shown = self._saving_warned
            if shown is not None and shown[0] == reason and now - shown[1] < SAVING_WARNING_SECONDS:
                return
            self._saving_warned = (reason, now)
            self.notify(Content(f"Not saved: {error}. Changes are kept and retried every second."),
                        title="Saving failed", severity="error", timeout=SAVING_WARNING_SECONDS)
        else:
            self._saving_warned = None
            self.notify("Saving works again: everything is on disk.", title="Saved", timeout=6)

    @on(SavingTrouble)
    def _saving_trouble(self, message: SavingTrouble) -> None:
        """On the event loop: mark (or clear) every board of that hub; a board left meanwhile has nothing to show."""
        for screen in self.screen_stack:
            if isinstance(screen, BoardScreen) and screen.hub is message.hub and screen.is_mounted:
                screen.show_saving(message.reason)

    def action_show_home(self) -> None:
        """Leave the board for the list of sessions — or for the search results it was opened from — (the board's
        changes are already saved)."""
        from coprod_tui.tui.review.search import SearchScreen

        if not any(isinstance(s, HomeScreen) for s in self.screen_stack):
            self.switch_screen(HomeScreen())
        else:
            while not isinstance(self.screen, (HomeScreen, SearchScreen)):
                self.pop_screen()
        self._close_hub()

    def _close_hub(self) -> None:
        """Close the board's hub off the event loop (its last write may take a moment on a slow disk)."""
        if self.hub is not None:
            hub, self.hub = self.hub, None
            if self.phone_server is not None:
                server, self.phone_server = self.phone_server, None
                self.run_worker(server.stop(), group="phones-stop", exit_on_error=False)
            # A plain thread, started now: a Textual worker only starts once the event loop runs again, so
            # `finish_closing` waiting on it from the loop would wait for nothing.
            thread = threading.Thread(target=self._close_quietly, args=(hub,), name="coprod-close")
            thread.start()
            self._closing_hubs.append(thread)

    def _close_quietly(self, hub: Hub) -> None:
        try:
            hub.close()
        except CoprodError as exc:
            self.notify(Content(str(exc)), severity="error")  # notify is thread-safe

    def finish_closing(self) -> None:
        """Wait for sessions still being closed: until then they hold their writer lock (reopening one said it was
        "open in another coprod") and may have a last change to write (quitting could lose it). At most one write."""
        for thread in self._closing_hubs:
            thread.join(CLOSE_WAIT_SECONDS)
        self._closing_hubs = [thread for thread in self._closing_hubs if thread.is_alive()]

    async def action_quit(self) -> None:
        if self.phone_server is not None:
            server, self.phone_server = self.phone_server, None
            await server.stop()  # no phone request may reach a hub that is closing
        self.finish_closing()
        if self.hub is not None:
            hub, self.hub = self.hub, None
            try:
                hub.close()
            except CoprodError as exc:
                self.log.error(str(exc))
        self.exit()

    # -- themes -------------------------------------------------------------------------------------------------
    def _theme_changed(self, theme: Theme) -> None:
        self.settings.theme = theme.name
        self._save_settings()
        for screen in self.screen_stack:
            for card_list in screen.query("CardList"):
                card_list.clear_cache()
        if isinstance(self.screen, BoardScreen):
            self.screen.refresh_cards()

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def _save_settings(self) -> None:
        self.settings.save()


def make_app(sessions_dir: Path, *, session_id: str | None = None, read_only: bool = False,
             settings_path: Path | None = None, themes_dir: Path | None = None,
             serve: ServerStarter | None = None) -> CoprodApp:
    """Build the app with injected paths (the CLI passes the user's; tests pass temporary ones)."""
    themes, warnings = load_themes(themes_dir or bundled_themes_dir())
    settings = Settings.load(settings_path or default_settings_path())
    return CoprodApp(SessionFolder(sessions_dir), settings=settings, themes=themes, theme_warnings=warnings,
                     session_id=session_id, read_only=read_only, serve=serve)


__all__ = ["CoprodApp", "NewSessionScreen", "make_app"]
