"""Home as a way back into past sessions: filter, sort, programme, review vs. editing, trash and restore."""

from __future__ import annotations

from textual.widgets import Input

from support.app import SIZE, notices, open_board, screen_text, select, settle
from coprod_tui.core.hub import open_session
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.core.store.trash import Trash
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.review.home import HomeScreen
from coprod_tui.tui.review.trash import TrashScreen
from support.home import open_home, rows


def make_programmes(make_session, sessions_dir):
    make_session("Short breaks: spring", at="2025-03-14T09:30:00.000+00:00", session_id="spring",
                 programme="Short breaks")
    make_session("Day services review", at="2025-02-01T10:00:00.000+00:00", session_id="day", cards=[], links=[])
    make_session("Short breaks: autumn", at="2025-10-02T09:30:00.000+00:00", session_id="autumn", cards=[],
                 links=[], programme="Short breaks")
    make_session("Café [b]chat[/b]", at="2024-12-01T09:30:00.000+00:00", session_id="cafe", cards=[], links=[])


async def test_type_to_filter_on_title_programme_or_date_and_esc_clears(make_session, app_factory, sessions_dir):
    make_programmes(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        home = await open_home(pilot)
        assert len(rows(home)) == 4
        await pilot.press("slash")
        assert home.query_one("#filter", Input).has_focus
        await pilot.press(*"short")  # n, o, r, s, t are keys on home: typed into the filter, they are letters
        await settle(pilot, lambda: len(rows(home)) == 2)
        assert {r[0] for r in rows(home)} == {"Short breaks: spring", "Short breaks: autumn"}
        assert "2 of 4 sessions" in screen_text(app)
        await pilot.press(*" 2025-10")
        await settle(pilot, lambda: [r[0] for r in rows(home)] == ["Short breaks: autumn"])
        await pilot.press("escape")
        await settle(pilot, lambda: len(rows(home)) == 4)
        await pilot.press("slash", *"cafe")  # accents and case do not matter; markup in titles is text
        await settle(pilot, lambda: [r[0] for r in rows(home)] == ["Café [b]chat[/b]"])
        await pilot.press("slash", "ctrl+a", "backspace", *"nothing like it")  # ctrl+a: start of the line
        await settle(pilot, lambda: "No session matches" in screen_text(app))
        assert isinstance(app.screen, HomeScreen)


async def test_enter_in_the_filter_goes_to_the_list_then_enter_reviews(make_session, app_factory, sessions_dir):
    make_programmes(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        home = await open_home(pilot)
        await pilot.press("slash", *"day", "enter")
        await settle(pilot, lambda: not home.query_one("#filter", Input).has_focus)
        await pilot.press("enter")
        board = await open_board(pilot)
        assert app.hub.read_only and app.hub.session.meta.id == "day"
        assert isinstance(board, BoardScreen)


async def test_s_cycles_the_sort_order(make_session, app_factory, sessions_dir):
    make_programmes(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        home = await open_home(pilot)
        assert "sorted by last change" in screen_text(app)
        assert [r[0] for r in rows(home)][:2] == ["Short breaks: autumn", "Short breaks: spring"]
        await pilot.press("s")
        await settle(pilot, lambda: "sorted by date" in screen_text(app))
        assert [r[0] for r in rows(home)] == ["Short breaks: autumn", "Short breaks: spring", "Day services review",
                                              "Café [b]chat[/b]"]  # "spring" got its cards the same day
        await pilot.press("s")
        await settle(pilot, lambda: "sorted by title" in screen_text(app))
        assert [r[0] for r in rows(home)] == ["Café [b]chat[/b]", "Day services review", "Short breaks: autumn",
                                              "Short breaks: spring"]
        await pilot.press("s")
        await settle(pilot, lambda: "sorted by programme" in screen_text(app))
        assert [r[2] for r in rows(home)][:2] == ["Short breaks", "Short breaks"]
        await pilot.press("s")
        await settle(pilot, lambda: "sorted by notes" in screen_text(app))
        assert rows(home)[0][0] == "Short breaks: spring"


async def test_review_then_reopen_for_editing_keeps_the_card(make_session, app_factory, sessions_dir):
    make_session()
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_home(pilot)
        await pilot.press("enter")
        board = await open_board(pilot)
        assert app.hub.read_only and "ctrl+e reopens for editing" in board.sub_title
        await pilot.press("n")  # refused in review: nothing happens
        await pilot.pause()
        assert app.screen is board
        await select(pilot, "A shared booking calendar")
        await pilot.press("ctrl+e")
        await settle(pilot, lambda: isinstance(app.screen, BoardScreen) and app.screen is not board
                     and app.hub is not None and not app.hub.read_only)
        live = app.screen
        await settle(pilot, lambda: live.selected_card() is not None)
        assert live.selected_card().text == "A shared booking calendar"
        assert len([s for s in app.screen_stack if isinstance(s, BoardScreen)]) == 1
        await pilot.press("escape")
        await open_home(pilot)


async def test_reopen_for_editing_while_open_elsewhere_says_why(make_session, app_factory, sessions_dir):
    sid = make_session()
    app = app_factory()
    other = open_session(SessionFolder(sessions_dir), sid)  # another coprod holds it
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            await open_home(pilot)
            await pilot.press("enter")
            board = await open_board(pilot)
            await pilot.press("ctrl+e")
            await settle(pilot, lambda: any(t == "Can't edit" for t, _ in notices(app)))
            assert app.screen is board and app.hub.read_only
    finally:
        other.close()


async def test_delete_moves_to_the_trash_and_the_trash_restores(make_session, app_factory, sessions_dir):
    make_programmes(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        home = await open_home(pilot)
        first = rows(home)[0][0]
        await pilot.press("delete")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")  # changed my mind
        await settle(pilot, lambda: app.screen is home)
        assert len(rows(home)) == 4
        await pilot.press("delete")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await settle(pilot, lambda: len(rows(home)) == 3 or bool(notices(app)))
        assert len(rows(home)) == 3, notices(app)
        assert first not in [r[0] for r in rows(home)]
        assert [t.title for t in Trash(SessionFolder(sessions_dir)).list()] == [first]
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, TrashScreen) and first in screen_text(app))
        await pilot.press("enter")
        await settle(pilot, lambda: "The trash is empty." in screen_text(app))
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is home and len(rows(home)) == 4)


async def test_deleting_for_good_asks_first(make_session, app_factory, sessions_dir):
    sid = make_session()
    Trash(SessionFolder(sessions_dir)).delete(sid)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot)
        await pilot.press("t")
        await settle(pilot, lambda: isinstance(app.screen, TrashScreen) and "Short breaks" in screen_text(app))
        trash = app.screen
        await pilot.press("delete")
        await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen) and "for good?" in screen_text(app))
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is trash and "The trash is empty." in screen_text(app))
    assert Trash(SessionFolder(sessions_dir)).list() == []


async def test_a_session_open_on_a_board_in_another_coprod_is_not_deleted(make_session, app_factory,
                                                                         sessions_dir):
    sid = make_session()
    other = open_session(SessionFolder(sessions_dir), sid)
    app = app_factory()
    try:
        async with app.run_test(size=SIZE, notifications=True) as pilot:
            home = await open_home(pilot)
            await pilot.press("d")
            await settle(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("y")
            await settle(pilot, lambda: any(t == "Not deleted" for t, _ in notices(app)))
            assert len(rows(home)) == 1
    finally:
        other.close()


async def test_f_finds_a_note_in_any_session_opens_it_for_review_and_esc_returns_to_the_results(
        make_session, app_factory, sessions_dir):
    from coprod_tui.tui.review.search import SearchScreen

    make_programmes(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await open_home(pilot)
        await pilot.press("f")
        await settle(pilot, lambda: isinstance(app.screen, SearchScreen) and app.screen.index.loaded)
        search = app.screen
        await pilot.press(*"volunteers kind:contribution")
        await settle(pilot, lambda: "1 note" in screen_text(app))
        await pilot.press("down", "enter")
        board = await open_board(pilot)
        assert app.hub.read_only and app.hub.session.meta.id == "spring"
        await settle(pilot, lambda: board.selected_card() is not None
                     and board.selected_card().text == "The carers' centre will recruit volunteers")
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is search and app.hub is None)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_c_compares_the_selected_session_with_one_picked_from_the_same_programme(
        make_session, app_factory, sessions_dir):
    from coprod_tui.tui.review.compare import ComparePicker, CompareScreen

    make_programmes(make_session, sessions_dir)
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        home = await open_home(pilot)
        assert rows(home)[0][0] == "Short breaks: autumn"
        await pilot.press("c")
        await settle(pilot, lambda: isinstance(app.screen, ComparePicker))
        await pilot.press("enter")  # the first offered: the other session of the same programme
        await settle(pilot, lambda: isinstance(app.screen, CompareScreen))
        shown = screen_text(app)
        assert "Short breaks: spring" in shown and "Short breaks: autumn" in shown
        assert "no longer raised" in shown  # spring's problems are not in autumn (which has no cards)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is home)
