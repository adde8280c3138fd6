"""The board's keys for the method (board/method.py MethodControl): free keys, each opening its screen."""

from __future__ import annotations

from support.app import SIZE, open_board, settle, prepare
from coprod_tui.tui.method.appraisal import AppraisalScreen
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.board.method import MethodControl
from coprod_tui.tui.help import HelpScreen
from coprod_tui.tui.method.plan import PlanScreen
from coprod_tui.tui.method.reflection import ReflectionScreen
from coprod_tui.tui.method.yousaid import YouSaidScreen
from support.tui_method import answer, wait_for
from support.paths import SESSIONS


def keys(bindings) -> set[str]:
    return {key.strip() for binding in bindings for key in binding.key.split(",")}


def test_the_method_keys_are_free_on_the_board():
    method_actions = {b.action for b in MethodControl.BINDINGS}
    board = keys(b for b in BoardScreen.BINDINGS if b.action not in method_actions)
    assert not keys(MethodControl.BINDINGS) & board
    assert not keys(MethodControl.BINDINGS) & {"ctrl+q", "ctrl+p", "ctrl+c"}
    assert MethodControl.WRITES == set()  # none changes anything by itself: the screens hide their own


async def test_each_key_opens_its_screen_and_escape_comes_back(make_session, app_factory, sessions_dir):
    earlier = make_session("Short breaks: first look", programme="Short breaks", at="2024-09-10T10:00:00.000+00:00")
    prepare(sessions_dir, earlier, [answer("carers", 2, 5, eq1=1)])
    session_id = make_session(programme="Short breaks")
    prepare(sessions_dir, session_id, [answer("carers", 3, 6, eq1=3)])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        probe = await open_board(pilot)
        for key, kind in (("F", ReflectionScreen), ("A", AppraisalScreen), ("L", PlanScreen), ("Y", YouSaidScreen)):
            await pilot.press(key)
            await settle(pilot, lambda: isinstance(app.screen, kind))
            screen = app.screen
            if kind is AppraisalScreen:
                assert screen.earlier is not None and screen.earlier.meta.id == earlier
                await settle(pilot, lambda: "Since Short breaks: first look (2024-09-10)" in screen.text())
                assert screen.session is app.hub.session
            else:
                assert screen.hub is app.hub
            await pilot.press("question_mark")
            help_screen = await wait_for(pilot, HelpScreen)
            assert help_screen.for_screen is screen
            await pilot.press("escape")
            await settle(pilot, lambda: app.screen is screen)
            await pilot.press("escape")
            await settle(pilot, lambda: app.screen is probe)


async def test_the_appraisal_without_a_programme_compares_with_nothing(make_session, app_factory, sessions_dir):
    other = make_session("Earlier, no programme", at="2024-09-10T10:00:00.000+00:00")
    prepare(sessions_dir, other, [answer("carers", 2, 5, eq1=1)])
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        await pilot.press("A")
        await settle(pilot, lambda: isinstance(app.screen, AppraisalScreen))
        assert app.screen.earlier is None and "Since " not in app.screen.text()


async def test_the_demo_opens_on_its_reflection_and_a_opens_the_appraisal_from_the_board(app_factory, tmp_path):
    """A newcomer who opens the demo sees where the appraisal and the plan are, and they are filled in."""
    import shutil

    from support.app import open_board, screen_text
    from support.tui_run import bar_text

    folder = tmp_path / "demo"
    folder.mkdir()
    shutil.copy(SESSIONS / "demo-carers-respite.json", folder)
    app = app_factory("demo-carers-respite", read_only=True, folder=folder)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await settle(pilot, lambda: "8 answers · F answers · A appraisal" in bar_text(app))
        assert "Phase 6 of 6" in bar_text(app) and isinstance(board, BoardScreen)
        await pilot.press("A")
        await settle(pilot, lambda: isinstance(app.screen, AppraisalScreen))
        await settle(pilot, lambda: "lower than staff" in app.screen.text())
        await pilot.press("escape")
        await pilot.press("L")
        await settle(pilot, lambda: isinstance(app.screen, PlanScreen) and "evening" in screen_text(app))
