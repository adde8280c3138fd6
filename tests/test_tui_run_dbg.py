from conftest import SIZE, open_board, screen_text, settle
from coprod_tui.tui.help import HelpScreen

async def test_dump(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        print(screen_text(app))
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        print(screen_text(app))
