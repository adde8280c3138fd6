"""The home screen as a test meets it: wait until its list is drawn, and read its rows as text."""

from __future__ import annotations

from coprod_tui.tui.review.home import HomeScreen
from coprod_tui.tui.row_table import RowTable
from support.app import screen_text, settle


async def open_home(pilot) -> HomeScreen:
    app = pilot.app
    def shown() -> bool:
        if not isinstance(app.screen, HomeScreen):
            return False
        table = app.screen.query_one(RowTable)
        if not table.row_count:
            return "No sessions yet" in screen_text(app)
        return str(table.row_at(table.row_count - 1)[0]) in screen_text(app)

    await settle(pilot, shown)
    return app.screen  # type: ignore[return-value]


def rows(home: HomeScreen) -> list[list[str]]:
    table = home.query_one(RowTable)
    return [[str(cell) for cell in table.row_at(i)] for i in range(table.row_count)]
