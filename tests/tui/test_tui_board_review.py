"""The board's ways of looking back: replay (r) and export (x), on a review board and on a live one."""

from __future__ import annotations

from support.app import SIZE, notices, open_board, screen_text, settle
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.dialogs.export import ExportScreen
from coprod_tui.tui.review.replay import ReplayScreen


async def test_r_replays_a_reviewed_session_and_escape_returns_to_the_board(make_session, app_factory,
                                                                           sessions_dir):
    session_id = make_session()
    before = (sessions_dir / f"{session_id}.json").read_bytes()
    app = app_factory(session_id=session_id, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, ReplayScreen) and "Step 0 of" in screen_text(app))
        await pilot.press("end")
        await settle(pilot, lambda: "A shared booking" in screen_text(app))
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is board)
    assert (sessions_dir / f"{session_id}.json").read_bytes() == before  # looking back changed nothing


async def test_x_exports_from_a_review_board(make_session, app_factory, sessions_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    session_id = make_session()
    app = app_factory(session_id=session_id, read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        board = await open_board(pilot)
        await pilot.press("x")
        await settle(pilot, lambda: isinstance(app.screen, ExportScreen))
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is board and any("Exported" in str(m) for _, m in notices(app)))
    exported = (tmp_path / "exports" / f"{session_id}.md").read_text("utf-8")
    assert "A shared booking calendar" in exported


async def test_replay_and_export_are_offered_on_a_live_board_too(make_session, app_factory):
    session_id = make_session()
    app = app_factory(session_id=session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        assert isinstance(board, BoardScreen) and not app.hub.read_only
        footer = screen_text(app).splitlines()[-1]
        assert "Replay" in footer and "Export" in footer
        assert board.check_action("reopen", ()) is False  # already editing
        await pilot.press("r")
        await settle(pilot, lambda: isinstance(app.screen, ReplayScreen))
