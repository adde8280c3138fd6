"""Stored times (UTC) shown in the computer's local zone: the helper, and every place that shows one, in UK time.

The run is pinned to UTC (conftest.py); the `london` fixture (tests/support/tz.py) moves one test to Europe/London, where
a summer time is shown an hour later (BST) and a winter time as stored (GMT). The files keep UTC throughout.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path

from support.app import GROUPS, fixed_clock
from support.export import load
from coprod_tui.cli.sessions import list_lines, summary_json
from coprod_tui.core.reading import replay as replay_module
from coprod_tui.core.commands import AddCard, CardDraft
from coprod_tui.core.commands import ActionDraft, AddAction, SetActionDone, SubmitReflection
from coprod_tui.core.hub import new_session
from coprod_tui.core.localtime import local, local_date, local_hm, local_minute, parse_stamp
from coprod_tui.core.model import Kind, Meta, Session
from coprod_tui.core.reading.replay import Replay
from coprod_tui.core.reading.search import SearchIndex
from coprod_tui.core.store.folder import SessionFolder, SessionSummary
from coprod_tui.export.markdown import session_markdown
from coprod_tui.export.method_md import method_markdown
from coprod_tui.export.yousaid import yousaid_markdown
from coprod_tui.tui.method import appraisal as appraisal_view
from coprod_tui.tui.review import compare
from coprod_tui.tui.review.home import SORTS, HomeScreen, arrange
from coprod_tui.tui.method.reflection import when
from support.tz import LONDON, london, zone  # noqa: F401  (fixture: london)

SUMMER = "2025-07-14T09:05:00.000+00:00"  # 10:05 BST in London
WINTER = "2025-01-14T09:05:00.000+00:00"  # 09:05 GMT in London
LATE = "2025-06-30T23:30:00.000+00:00"  # 00:30 on 1 July in London
NEXT_MORNING = "2025-07-01T08:15:00.000+00:00"  # 09:15 on 1 July in London


# -- the helper ------------------------------------------------------------------------------------------------------

def test_the_run_is_pinned_to_utc():
    assert time.tzname == ("UTC", "UTC") and time.timezone == 0
    assert (local_date(LATE), local_hm(LATE), local_hm(SUMMER)) == ("2025-06-30", "23:30", "09:05")


def test_a_summer_time_is_shown_an_hour_later(london):
    assert local_hm(SUMMER) == "10:05"
    assert local_minute(SUMMER) == "2025-07-14 10:05"
    assert local(SUMMER).utcoffset() == timedelta(hours=1)
    assert local_date(SUMMER) == "2025-07-14"


def test_a_winter_time_is_unchanged(london):
    assert (local_date(WINTER), local_hm(WINTER), local_minute(WINTER)) == ("2025-01-14", "09:05", "2025-01-14 09:05")
    assert local(WINTER).utcoffset() == timedelta(0)


def test_late_evening_utc_is_the_next_day_in_summer(london):
    assert (local_date(LATE), local_hm(LATE)) == ("2025-07-01", "00:30")


def test_the_offset_is_the_moments_own_not_todays(london):
    # The clocks went forward at 01:00 UTC on 30 March 2025: one minute before is GMT, the minute itself BST.
    assert local_minute("2025-03-30T00:59:00.000+00:00") == "2025-03-30 00:59"
    assert local_minute("2025-03-30T01:00:00.000+00:00") == "2025-03-30 02:00"
    # …and back at 01:00 UTC on 26 October.
    assert local_minute("2025-10-26T00:59:00.000+00:00") == "2025-10-26 01:59"
    assert local_minute("2025-10-26T01:00:00.000+00:00") == "2025-10-26 01:00"


def test_hand_made_stamps_are_tolerated(london):
    assert local_hm("2025-07-14T09:05:00Z") == "10:05"  # trailing Z (Python 3.10 refuses it)
    assert local_hm("2025-07-14T09:05:00") == "10:05"  # no offset: UTC, what the app writes
    assert local_hm("2025-07-14T11:05:00+02:00") == "10:05"  # another offset: converted, not shown as written
    assert local_hm("  2025-07-14T09:05:00.000+00:00 ") == "10:05"


def test_what_cannot_be_converted_is_shown_as_stored(london):
    assert local_date("2025-07-14") == "2025-07-14" and local_hm("2025-07-14") == ""  # a day, not a moment
    assert local("2025-07-14") is None
    assert local_date("not a time at all") == "not a time" and local_hm("yesterday at 10:30") == "t 10:"
    assert local_minute("2025-13-45T25:99") == "2025-13-45 25:99"
    assert (local_date(""), local_hm(""), local_minute("")) == ("", "", "")
    assert local_date(None) == "" and local(None) is None  # type: ignore[arg-type]  (a hand-edited file)
    assert local_date("0001-01-01T00:00:00+00:00") == "0001-01-01"  # the calendar's edges don't raise
    assert local_date("9999-12-31T23:59:00+00:00") == "9999-12-31"


def test_replay_parses_with_the_same_function():
    assert replay_module.parse_stamp is parse_stamp and replay_module.local_hm is local_hm
    assert parse_stamp("2025-07-14T09:05:00Z") == parse_stamp(SUMMER)
    assert parse_stamp("2025-07-14T09:05:00").utcoffset() == timedelta(0)
    assert parse_stamp("nope") is None and parse_stamp(None) is None  # type: ignore[arg-type]


def test_a_zone_is_put_back_after_use():
    with zone(LONDON):
        assert local_hm(SUMMER) == "10:05"
    assert time.tzname == ("UTC", "UTC") and local_hm(SUMMER) == "09:05"


# -- the places that show times ---------------------------------------------------------------------------------------

def make(sessions_dir: Path, at: str = LATE, session_id: str = "late-session", *, programme: str = "") -> str:
    """A session created at `at` (UTC) with one card, added the next morning (09:15 in London)."""
    folder = SessionFolder(sessions_dir)
    folder.new_id = lambda title, date: session_id  # type: ignore[method-assign]
    clock = {"now": at}
    hub = new_session(folder, "Late start", "What would help?", GROUPS, programme=programme,
                      clock=lambda: clock["now"])
    try:
        clock["now"] = NEXT_MORNING if at == LATE else at
        hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text="Buses stop at six")))
        return hub.session.meta.id
    finally:
        hub.close()


def test_the_file_keeps_utc(sessions_dir, london):
    folder = SessionFolder(sessions_dir)
    hub = new_session(folder, "Stored in UTC", "?", GROUPS)  # the real clock
    try:
        session_id = hub.session.meta.id
    finally:
        hub.close()
    doc = json.loads((sessions_dir / f"{session_id}.json").read_text("utf-8"))
    assert doc["meta"]["1"]["created"].endswith("+00:00")
    assert all(e["at"].endswith("+00:00") for e in doc["events"].values())


def test_home_shows_and_filters_on_the_local_date(sessions_dir, london):
    make(sessions_dir, LATE, "late-session")
    make(sessions_dir, WINTER, "winter-session")
    summaries = SessionFolder(sessions_dir).list()
    dates = {s.id: str(HomeScreen._row(s)[1]) for s in summaries}
    assert dates == {"late-session": "2025-07-01", "winter-session": "2025-01-14"}
    assert [s.id for s in arrange(summaries, SORTS[0], "2025-07-01")] == ["late-session"]
    assert [s.id for s in arrange(summaries, SORTS[0], "2025-06-30")] == []


def test_home_in_utc_shows_the_stored_date(sessions_dir):
    make(sessions_dir, LATE, "late-session")
    (summary,) = SessionFolder(sessions_dir).list()
    assert str(HomeScreen._row(summary)[1]) == "2025-06-30"


def test_search_dates_and_filters_are_local(sessions_dir, london):
    make(sessions_dir, LATE, "late-session")
    make(sessions_dir, WINTER, "winter-session")
    index = SearchIndex(SessionFolder(sessions_dir))
    index.refresh()

    def found(query: str) -> list[tuple[str, str]]:
        return [(r.session_id, r.date) for r in index.search(query).results if r.is_session]

    assert found("from:2025-07-01") == [("late-session", "2025-07-01")]
    assert found("from:2025-07-01 to:2025-07-01") == [("late-session", "2025-07-01")]
    assert found("to:2025-06-30") == [("winter-session", "2025-01-14")]
    cards = index.search("buses").results  # both sessions hold the card; each result carries its session's day
    assert {(r.session_id, r.date) for r in cards} == {("late-session", "2025-07-01"),
                                                        ("winter-session", "2025-01-14")}


def test_search_in_utc_keeps_the_utc_day(sessions_dir):
    make(sessions_dir, LATE, "late-session")
    index = SearchIndex(SessionFolder(sessions_dir))
    index.refresh()
    assert {(r.session_id, r.date) for r in index.search("to:2025-06-30").results} == {("late-session", "2025-06-30")}
    assert index.search("from:2025-07-01").results == []


def test_replay_marks_show_local_clock_times(sessions_dir, london):
    folder = SessionFolder(sessions_dir)
    clock = {"now": SUMMER}
    hub = new_session(folder, "Paused", "?", GROUPS, clock=lambda: clock["now"])
    try:
        hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text="one")))
        clock["now"] = "2025-07-14T09:25:00.000+00:00"  # a 20-minute pause after 09:05 UTC
        hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text="two")))
        replay = Replay(hub.events)
    finally:
        hub.close()
    pauses = [m.label for m in replay.marks() if m.kind == "pause"]
    assert pauses == ["Pause 10:05 (20 min)"]
    assert replay.marks()[-1].at == "2025-07-14T09:25:00.000+00:00"  # the mark keeps the stored time


def test_reflection_answer_times_are_local(london):
    session = Session(meta=Meta(id="s", title="t", question="q", created=LATE, updated=LATE))
    assert when({"created": NEXT_MORNING}, session) == "09:15"  # the same local day: the clock time alone
    assert when({"created": SUMMER}, session) == "2025-07-14 10:05"  # another day: date and time
    assert when({"created": "garbage"}, session) == "garbage"


def test_reflection_answer_times_in_utc():
    session = Session(meta=Meta(id="s", title="t", question="q", created=LATE, updated=LATE))
    assert when({"created": NEXT_MORNING}, session) == "2025-07-01 08:15"  # the next UTC day


def test_compare_and_appraisal_dates_are_local(london):
    assert compare.day(LATE) == appraisal_view.day(LATE) == "2025-07-01"
    assert compare.day("") == "date unknown"


def test_exports_date_the_session_locally(sessions_dir, london):
    session = load(sessions_dir, make(sessions_dir, LATE, "late-session"))
    assert session.meta.created == LATE and session.meta.updated == NEXT_MORNING  # stored as UTC
    # No "(last change …)": created at 00:30 and changed at 09:15 on the same local day.
    assert "**Date:** 2025-07-01 · **Session:**" in session_markdown(session)
    assert "**Date:** 2025-07-01 · **Session:**" in method_markdown(session)
    assert "our session on 1 July 2025." in yousaid_markdown(session)


def test_exports_in_utc_keep_the_utc_day(sessions_dir):
    session = load(sessions_dir, make(sessions_dir, LATE, "late-session"))
    assert "**Date:** 2025-06-30 (last change 2025-07-01) · **Session:**" in session_markdown(session)
    assert "our session on 30 June 2025." in yousaid_markdown(session)


def test_an_action_is_done_on_the_local_day(sessions_dir, london):
    folder = SessionFolder(sessions_dir)
    hub = new_session(folder, "Plan", "?", GROUPS, clock=fixed_clock(LATE))
    try:
        hub.apply(AddAction(action=ActionDraft(what="Ring the bus company", by="2025-07-01")))
        hub.apply(SetActionDone(action_id=1))
        assert hub.session.plan["1"]["done_at"] == "2025-07-01"  # the day the facilitator ticked it, in London
        assert hub.events[-1].at == LATE  # the event's time stays UTC
    finally:
        hub.close()


def test_an_action_done_in_utc_keeps_the_utc_day(sessions_dir):
    folder = SessionFolder(sessions_dir)
    hub = new_session(folder, "Plan", "?", GROUPS, clock=fixed_clock(LATE))
    try:
        hub.apply(AddAction(action=ActionDraft(what="Ring the bus company")))
        hub.apply(SetActionDone(action_id=1))
        assert hub.session.plan["1"]["done_at"] == "2025-06-30"
    finally:
        hub.close()


def test_coprod_list_shows_the_local_date(sessions_dir, london):
    make(sessions_dir, LATE, "late-session")
    (summary,) = SessionFolder(sessions_dir).list()
    assert summary.updated == NEXT_MORNING
    assert summary_json(summary)["date"] == "2025-07-01" and summary_json(summary)["updated"] == NEXT_MORNING
    created_late = SessionSummary(id="x", title="Late", created=LATE, updated=LATE)
    assert "  2025-07-01  " in list_lines([created_late])[0]


def test_an_answer_typed_in_keeps_a_utc_stamp(sessions_dir, london):
    folder = SessionFolder(sessions_dir)
    hub = new_session(folder, "Answers", "?", GROUPS, clock=fixed_clock(LATE))
    try:
        hub.apply(SubmitReflection(role="carers", ladder_now=3, ladder_target=5))
        (answer,) = hub.session.reflections.values()
        assert answer["created"] == LATE
        assert when(answer, hub.session) == "00:30"
    finally:
        hub.close()
