"""The running app in UK summer time: home dates and filter, and replay's clock times, are local (files keep UTC)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from support.app import GROUPS, SIZE, open_board, screen_text, settle
from coprod_tui.core.commands import AddCard, CardDraft
from coprod_tui.core.hub import new_session
from coprod_tui.core.model import Kind
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.tui.review.home import HomeScreen
from coprod_tui.tui.row_table import RowTable
from support.tui_run import open_replay
from support.tz import london  # noqa: F401  (fixture)

LATE = "2025-06-30T23:30:00.000+00:00"  # 00:30 on 1 July in London
WINTER = "2025-01-14T09:05:00.000+00:00"  # 09:05 in London (GMT)
SUMMER = "2025-07-14T09:30:00.000+00:00"  # 10:30 in London (BST)


def home_rows(home: HomeScreen) -> list[tuple[str, str]]:
    """(title, date) of each row shown."""
    table = home.query_one(RowTable)
    return [(str(table.row_at(i)[0]), str(table.row_at(i)[1])) for i in range(table.row_count)]


async def test_home_lists_and_filters_sessions_by_their_local_date(make_session, app_factory, sessions_dir, london):
    make_session("Late start", at=LATE, groups=[], cards=[], links=[])  # its id begins 2025-06-30 (the UTC day)
    make_session("Winter morning", at=WINTER, groups=[], cards=[], links=[])
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen)
                     and app.screen.query_one(RowTable).row_count == 2 and "Winter morning" in screen_text(app))
        home = app.screen
        assert home_rows(home) == [("Late start", "2025-07-01"), ("Winter morning", "2025-01-14")]
        assert "2025-07-01" in screen_text(app)
        await pilot.press("slash", *"2025-07-01")
        assert home.query_one("#filter", Input).value == "2025-07-01"
        await settle(pilot, lambda: home.query_one(RowTable).row_count == 1)
        assert home_rows(home) == [("Late start", "2025-07-01")]
    stored = (sessions_dir / "2025-06-30-late-start.json").read_text("utf-8")
    assert LATE in stored  # the file keeps the UTC time


def build_summer(sessions_dir: Path) -> str:
    folder = SessionFolder(sessions_dir)
    folder.new_id = lambda title, date: "summer-replay"  # type: ignore[method-assign]
    clock = {"now": SUMMER}
    hub = new_session(folder, "Summer replay", "What would help?", GROUPS, clock=lambda: clock["now"])
    try:
        clock["now"] = "2025-07-14T09:41:00.000+00:00"
        hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text="Buses stop at six")))
        return hub.session.meta.id
    finally:
        hub.close()


async def test_replay_captions_and_marks_show_local_clock_times(sessions_dir, app_factory, london):
    app = app_factory(build_summer(sessions_dir), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        await open_replay(pilot)
        screen = app.screen

        def caption() -> str:
            return screen.query_one("#replay-caption", Static).content.plain

        await pilot.press("home", "right")
        await settle(pilot, lambda: caption().startswith("Step 1 of 2"))
        assert caption() == "Step 1 of 2 · 10:30 · Session created"
        await pilot.press("right")
        await settle(pilot, lambda: caption().startswith("Step 2 of 2"))
        assert caption() == "Step 2 of 2 · 10:41 · Add card: Buses stop at six"
        assert "10:41 End" in screen_text(app)  # the list of marks, in local time too
