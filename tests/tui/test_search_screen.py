"""The search screen: live results as you type, errors for bad filters, keys, and opening a result at its card."""

from __future__ import annotations

import threading

from textual.screen import Screen
from textual.widgets import DataTable, Input, Static

from support.app import GROUPS, SIZE, open_board, screen_text, settle, type_text
from coprod_tui.core.commands import AddCard, CardDraft, HideCard
from coprod_tui.core.hub import open_session
from coprod_tui.core.model import Kind
from coprod_tui.core.reading.search import SearchIndex, SearchResults
from coprod_tui.core.reading.search_query import parse_query
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.review.home import HomeScreen
from coprod_tui.tui.review.search import SearchScreen, highlighted, summary

HOSTILE_CARDS = [("problem", "[@click=app.quit]x[/] click here", "Carers", None),
                 ("option", "close it [/] [b]bold?[/b] [link=https://e.vil]x[/link]", "Carers", None),
                 ("contribution", "I ❤️ this 👍🏽 مرحبا e\u0301cole", "Carers", None)]


class GatedIndex(SearchIndex):
    """An index whose first refresh waits until the test lets it go: the screen's loading state can be seen."""

    def __init__(self, folder: SessionFolder) -> None:
        super().__init__(folder)
        self.gate = threading.Event()

    def refresh(self):
        self.gate.wait(10)
        return super().refresh()


def table(app) -> DataTable:
    return app.screen.query_one("#search-results", DataTable)


def status(app) -> str:
    return str(app.screen.query_one("#search-status", Static).render())


def error(app) -> str:
    widget = app.screen.query_one("#search-error", Static)
    return str(widget.render()) if widget.display else ""


def rows(app) -> list[list[str]]:
    t = table(app)
    return [[str(cell) for cell in t.get_row_at(i)] for i in range(t.row_count)]


def highlights(cell) -> list[str]:
    return [cell.plain[s.start:s.end] for s in cell.spans]


async def open_search(pilot, index: SearchIndex | None = None) -> SearchScreen:
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, HomeScreen))
    screen = SearchScreen(index or SearchIndex(app.folder))
    await app.push_screen(screen)
    await settle(pilot, lambda: app.screen is screen and screen.index.loaded and "Type to search" in status(app))
    return screen


async def search_for(pilot, text: str, *, expect: str) -> None:
    """Type the query like a person and wait for the count line to say `expect`."""
    await type_text(pilot, text)
    await settle(pilot, lambda: expect in status(pilot.app) or expect in error(pilot.app))


async def test_typing_shows_matching_notes_with_a_count_line(make_session, app_factory):
    make_session("Short breaks for carers")
    make_session("Transport to clinics", question="", groups=GROUPS[:1], at="2025-01-20T16:45:00.000+00:00",
                 cards=[("problem", "Buses stop at 6 and carers walk", "Carers", None)], links=[])
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        assert "Type to search 7 notes in 2 sessions" in status(app)
        assert 'group:"Table 2"' in screen_text(app) and "role:carers" in screen_text(app)
        await search_for(pilot, "carers", expect="3 notes and 1 session title in 2 sessions")
        assert [r[:4] for r in rows(app)] == [
            ["Short breaks for carers", "2025-03-14", "Session", "—"],
            ["Short breaks for carers", "2025-03-14", "Problem", "Carers"],
            ["Short breaks for carers", "2025-03-14", "Contribution", "Carers"],
            ["Transport to clinics", "2025-01-20", "Problem", "Carers"],
        ]
        assert rows(app)[1][4] == "Carers can't get a break at weekends"
        await search_for(pilot, " kind:problem", expect="2 notes in 2 sessions")
        assert "Buses stop at 6 and carers walk" in screen_text(app)


async def test_the_match_is_highlighted_in_the_note(make_session, app_factory):
    make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await search_for(pilot, "BOOKING", expect="2 notes in 1 session")
        note = table(app).get_row_at(0)[4]
        assert highlights(note) == ["booking"]


def test_a_match_deep_in_a_long_note_is_brought_into_view():
    text = "word " * 100 + "respite at last"
    start = text.index("respite")
    cell = highlighted(text, ((start, start + 7),), width=40)
    assert cell.plain.startswith("…") and "respite" in cell.plain[:40]
    assert highlights(cell) == ["respite"]


async def test_a_bad_filter_shows_a_clear_error_and_no_results(make_session, app_factory):
    make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await search_for(pilot, "carers", expect="notes")
        await search_for(pilot, " kind:banana", expect="Unknown kind 'banana'")
        assert table(app).row_count == 0 and "problem, option or contribution" in screen_text(app)
        await search_for(pilot, " from:2026-13-01", expect="Unknown kind")  # still the first bad filter
        for _ in range(len(" kind:banana from:2026-13-01")):
            await pilot.press("backspace")
        await settle(pilot, lambda: not error(app) and "2 notes" in status(app))


async def test_reading_sessions_is_shown_until_the_index_is_ready(make_session, app_factory):
    make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen))
        index = GatedIndex(app.folder)
        await app.push_screen(SearchScreen(index))
        await type_text(pilot, "weekend")
        await pilot.pause(0.3)
        assert "Reading sessions…" in status(app) and table(app).row_count == 0
        index.gate.set()
        await settle(pilot, lambda: "2 notes in 1 session" in status(app))


async def test_down_or_enter_moves_to_results_and_enter_opens_the_board_read_only_at_that_card(make_session,
                                                                                                app_factory):
    sid = make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_search(pilot)
        await search_for(pilot, "volunteers", expect="2 notes in 1 session")
        await pilot.press("down")
        assert app.focused is table(app)
        await pilot.press("up")  # from the first result back to typing, adding to the query
        assert isinstance(app.focused, Input)
        await search_for(pilot, " kind:contribution", expect="1 note in 1 session")
        await pilot.press(*["backspace"] * len(" kind:contribution"))
        await settle(pilot, lambda: "2 notes in 1 session" in status(app))
        await pilot.press("enter", "down")
        assert app.focused is table(app) and table(app).cursor_row == 1
        wanted = screen.results[1]
        assert wanted.text == "The carers' centre will recruit volunteers"
        await pilot.press("enter")
        board = await open_board(pilot)
        assert isinstance(board, BoardScreen) and board.hub.read_only and board.hub.session.meta.id == sid
        assert board.selected_card() is not None and board.selected_card().id == wanted.card_id


async def test_a_title_hit_opens_the_session_without_a_card(make_session, app_factory):
    sid = make_session("Transport to clinics", groups=GROUPS[:1], cards=[], links=[])
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await search_for(pilot, "clinics", expect="1 session title in 1 session")
        await pilot.press("enter", "enter")
        await settle(pilot, lambda: isinstance(app.screen, BoardScreen))
        assert app.screen.hub.read_only and app.screen.hub.session.meta.id == sid


async def test_coming_back_to_the_screen_shows_what_changed_meanwhile(make_session, app_factory, sessions_dir):
    sid = make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await search_for(pilot, "hydrotherapy", expect="Nothing found in 1 session")
        await app.push_screen(Screen())
        hub = open_session(SessionFolder(sessions_dir), sid)
        hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="Hydrotherapy sessions on Saturdays")))
        hub.close()
        app.pop_screen()
        await settle(pilot, lambda: "1 note in 1 session" in status(app))
        assert rows(app)[0][4] == "Hydrotherapy sessions on Saturdays"


async def test_escape_goes_back(make_session, app_factory):
    make_session()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_hidden_cards_are_marked(make_session, app_factory, sessions_dir):
    sid = make_session()
    hub = open_session(SessionFolder(sessions_dir), sid)
    hub.apply(HideCard(card_id=1))
    hub.close()
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        await search_for(pilot, "weekend", expect="2 notes in 1 session")
        assert [r[2] for r in rows(app)] == ["Problem · hidden", "Option"]


async def test_hostile_text_is_shown_as_typed_and_runs_nothing(make_session, app_factory):
    make_session("[b]Markup[/b] session [/]", groups=GROUPS[:1], cards=HOSTILE_CARDS, links=[])
    app = app_factory()
    async with app.run_test(size=(160, 40)) as pilot:
        await open_search(pilot)
        await search_for(pilot, "[/]", expect="2 notes and 1 session title in 1 session")
        shown = screen_text(app)
        assert "[@click=app.quit]x[/] click here" in shown
        assert "close it [/] [b]bold?[/b]" in shown and "[b]Markup[/b] session [/]" in shown
        await pilot.click("#search-results", offset=(60, 2))  # clicking the "link" must not run an action
        await pilot.pause()
        assert app.is_running
        app.screen.query_one(Input).focus()
        for query, match in (("ecole", "e\u0301cole"), ("مرحبا", "مرحبا"), ("👍🏽", "👍🏽")):
            app.screen.query_one(Input).value = query  # set, not typed: a pilot cannot press every character
            await settle(pilot, lambda: table(app).row_count == 1 and highlights(table(app).get_row_at(0)[4])
                         == [match])
            assert "1 note in 1 session" in status(app)
        assert app.is_running


async def test_an_unreadable_file_is_counted(make_session, app_factory, sessions_dir):
    make_session()
    (sessions_dir / "2025-03-20-broken.json").write_text('{"meta": {"1": {"schema_versi', "utf-8")
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_search(pilot)
        assert "(1 file could not be read)" in status(app)
        await search_for(pilot, "calendar", expect="2 notes in 1 session (1 file could not be read)")


def test_the_count_line():
    q = parse_query("x")
    assert summary(SearchResults(q, [], 37, 0, 5, 9)) == "37 notes in 5 sessions — showing the first 0"
    assert summary(SearchResults(q, [], 0, 0, 0, 9)) == "Nothing found in 9 sessions."
    assert summary(SearchResults(q, [], 1, 1, 1, 1)).startswith("1 note and 1 session title in 1 session")
