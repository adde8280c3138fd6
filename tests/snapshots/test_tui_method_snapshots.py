"""SVG snapshots of the method's screens: the self-reflection answers and form, the appraisal, the plan, and
"you said, we did".

Stable like tests/snapshots/test_snapshots.py: fixed session ids and times (every change is applied before the app opens, with
the fixed clock), a relative sessions folder, the header clock frozen, notifications cleared before the picture.
Update with `pytest tests/snapshots/test_tui_method_snapshots.py --snapshot-update`, then look at the pictures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from textual.widgets import _header

from support.app import SIZE, settle, prepare
from coprod_tui.core.commands import SetActionDone, SetResponse, SetReviewDate
from coprod_tui.core.commands import SetPhase
from coprod_tui.core.hub import read_session
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.tui.method.appraisal import AppraisalScreen
from coprod_tui.tui.method.plan import PlanScreen
from coprod_tui.tui.method.reflection import ReflectionScreen
from coprod_tui.tui.method.reflection_form import ChoiceSet, ReflectionForm
from coprod_tui.tui.method.yousaid import YouSaidScreen
from support.tui_method import PHONE_1, REFLECTION_PHASE, action, answer, show

ANSWERS = [
    answer("people", 2, 7, participant=PHONE_1, eq1=1, eq2=2, eq3=1, di1=2, ac1=2, ac2=0, re1=1, fb1=2,
           evidence={"eq1": "Decisions were made before we arrived [again]."}),
    answer("carers", 3, 6, eq1=2, eq2=2, di1=3, ac1=3, ac3=0, re1=1, re2=2, fb1=0),
    answer("practitioners", 4, 6, eq1=4, eq2=3, eq3=3, di1=3, ac1=3, re1=2, fb1=3, fb2=2),
    answer("commissioners", 5, 6, eq1=3, eq2=4, di1=0, ac1=4, re1=3, fb1=3),
]


class FrozenClock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return cls(2025, 3, 14, 9, 30, 0, tzinfo=tz)


@pytest.fixture(autouse=True)
def frozen_header_clock(monkeypatch):
    monkeypatch.setattr(_header, "datetime", FrozenClock)


@pytest.fixture
def sessions_dir(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return Path("sessions")


@pytest.fixture
def answered(make_session, sessions_dir) -> str:
    session_id = make_session(programme="Short breaks")
    prepare(sessions_dir, session_id, [SetPhase(index=REFLECTION_PHASE), *ANSWERS])
    return session_id


def quiet(pilot) -> None:
    pilot.app.clear_notifications()


def test_reflection_answers(snap_compare, answered, app_factory):
    async def run(pilot):
        await show(pilot, ReflectionScreen(pilot.app.hub))
        await pilot.press("home")  # the phone's answer, with its evidence below
        quiet(pilot)

    assert snap_compare(app_factory(answered), terminal_size=SIZE, run_before=run)


def test_reflection_form(snap_compare, answered, app_factory):
    async def run(pilot):
        await show(pilot, ReflectionScreen(pilot.app.hub))
        await pilot.press("n")
        await settle(pilot, lambda: isinstance(pilot.app.screen, ReflectionForm))
        await pilot.press("enter", "down", "down", "enter", "tab", "3")  # carers; now: Informing
        await settle(pilot, lambda: pilot.app.screen.query_one("#ladder-now", ChoiceSet).value == 3)
        await pilot.pause()
        quiet(pilot)

    assert snap_compare(app_factory(answered), terminal_size=SIZE, run_before=run)


def test_appraisal(snap_compare, answered, make_session, sessions_dir, app_factory):
    earlier = make_session("Short breaks: first look", programme="Short breaks", at="2024-09-10T10:00:00.000+00:00")
    prepare(sessions_dir, earlier, [answer("carers", 2, 6, eq1=1, eq2=2, ac1=4),
                                    answer("practitioners", 3, 6, eq1=3, fb1=2)], at="2024-09-10T11:00:00.000+00:00")

    async def run(pilot):
        session = read_session(SessionFolder(sessions_dir), earlier)
        await show(pilot, AppraisalScreen(pilot.app.hub.session, session), lambda s: bool(s.text().strip()))
        quiet(pilot)

    assert snap_compare(app_factory(answered), terminal_size=SIZE, run_before=run)


def test_appraisal_end(snap_compare, answered, make_session, sessions_dir, app_factory):
    earlier = make_session("Short breaks: first look", programme="Short breaks", at="2024-09-10T10:00:00.000+00:00")
    prepare(sessions_dir, earlier, [answer("carers", 2, 6, eq1=1, eq2=2, ac1=4),
                                    answer("practitioners", 3, 6, eq1=3, fb1=2)], at="2024-09-10T11:00:00.000+00:00")

    async def run(pilot):
        session = read_session(SessionFolder(sessions_dir), earlier)
        await show(pilot, AppraisalScreen(pilot.app.hub.session, session), lambda s: bool(s.text().strip()))
        await pilot.press("end")  # movement since the earlier session, and the credits
        await pilot.pause()
        quiet(pilot)

    assert snap_compare(app_factory(answered), terminal_size=SIZE, run_before=run)


@pytest.fixture
def planned(make_session, sessions_dir) -> str:
    session_id = make_session()
    prepare(sessions_dir, session_id, [
        action("Set up the shared booking calendar", who="Lee (Practitioners)", who_role="practitioners",
               by="2025-04-30", resources="Two days of IT time", recognition="none",
               access="Works with a screen reader", feedback="An email to everyone who came", card_id=5),
        action("Recruit ten volunteer sitters [b]not bold[/b]", who="Carers' centre", who_role="carers",
               by="2025-06-01", recognition="expenses", recognition_note="Travel repaid on the day", card_id=6),
        action("Write to every carer about the pilot", who="Asha"),
        SetActionDone(action_id=3, note="Letters went out on 10 March"),
        SetReviewDate(date="2025-09-30"),
        SetResponse(card_id=1, text="Volunteers will sit on Saturdays from June."),
    ])
    return session_id


def test_plan(snap_compare, planned, app_factory):
    async def run(pilot):
        await show(pilot, PlanScreen(pilot.app.hub))
        await pilot.press("down")  # the action from a contribution: its chain below
        quiet(pilot)

    assert snap_compare(app_factory(planned), terminal_size=SIZE, run_before=run)


def test_you_said_we_did(snap_compare, planned, app_factory):
    async def run(pilot):
        await show(pilot, YouSaidScreen(pilot.app.hub))
        quiet(pilot)

    assert snap_compare(app_factory(planned), terminal_size=SIZE, run_before=run)
