"""SVG snapshots of the main screens (pytest-textual-snapshot).

Stable by construction: fixed session ids and dates (conftest), a fixed 120x40 terminal, a relative sessions folder
(the home header names it), the header clock frozen, and transient toasts cleared before the picture is taken.
Update with `pytest tests/snapshots/test_snapshots.py --snapshot-update`, then look at the pictures before committing them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import _header

from support.app import GROUPS, SIZE, open_board, screen_text, settle
from coprod_tui.tui.dialogs.cards import CardEditor
from coprod_tui.tui.help import HelpScreen
from coprod_tui.tui.review.home import HomeScreen
from coprod_tui.tui.row_table import RowTable


class FrozenClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2025, 3, 14, 9, 30, 0, tzinfo=tz)


@pytest.fixture(autouse=True)
def frozen_header_clock(monkeypatch):
    """The board's header shows a clock (Header(show_clock=True)); freeze it so pictures do not change by the second."""
    monkeypatch.setattr(_header, "datetime", FrozenClock)


@pytest.fixture
def sessions_dir(tmp_path, monkeypatch) -> Path:
    """A relative folder: the home screen shows it in its header, and a tmp path would differ on every run."""
    monkeypatch.chdir(tmp_path)
    return Path("sessions")


@pytest.fixture
def board_app(make_session, app_factory):
    return app_factory(make_session())


def quiet(pilot) -> None:
    pilot.app.clear_notifications()


async def show_board(pilot, key: str | None = None, first_title: str | None = None) -> None:
    board = await open_board(pilot)
    if key:
        await pilot.press(key)
        await settle(pilot, lambda: board.query("CardList").first().cell_title == first_title)
        await open_board(pilot)
    quiet(pilot)


def test_home(snap_compare, make_session, app_factory, sessions_dir):
    make_session("Day services review", at="2025-02-01T10:00:00.000+00:00", groups=[], cards=[], links=[])
    make_session("Short breaks for carers")
    make_session("Transport to clinics", question="", at="2025-01-20T16:45:00.000+00:00", groups=GROUPS[:1],
                 cards=[("problem", "Buses stop at 6", "Carers", None)], links=[])
    (sessions_dir / "2025-03-20-broken.json").write_text('{"meta": {"1": {"schema_versi', "utf-8")

    async def wait(pilot):
        await settle(pilot, lambda: isinstance(pilot.app.screen, HomeScreen)
                     and pilot.app.screen.query_one(RowTable).row_count == 4
                     and "2025-03-20-broken" in screen_text(pilot.app))

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=wait)


def test_board_all_groups(snap_compare, board_app):
    assert snap_compare(board_app, terminal_size=SIZE, run_before=show_board)


def test_board_one_group(snap_compare, board_app):
    async def one_group(pilot):
        await show_board(pilot, "2", "Problems · Carers")

    assert snap_compare(board_app, terminal_size=SIZE, run_before=one_group)


def test_board_lanes(snap_compare, board_app):
    async def lanes(pilot):
        await show_board(pilot, "3", "Carers · Problems")

    assert snap_compare(board_app, terminal_size=SIZE, run_before=lanes)


def test_help_screen(snap_compare, board_app):
    async def help_screen(pilot):
        await show_board(pilot)
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(pilot.app.screen, HelpScreen))

    assert snap_compare(board_app, terminal_size=SIZE, run_before=help_screen)


def test_add_card_dialog(snap_compare, board_app):
    async def add_dialog(pilot):
        await show_board(pilot)
        await pilot.press("right", "n")
        await settle(pilot, lambda: isinstance(pilot.app.screen, CardEditor))
        await pilot.press(*"Pop-up cafe on Fridays [b]")

    assert snap_compare(board_app, terminal_size=SIZE, run_before=add_dialog)
