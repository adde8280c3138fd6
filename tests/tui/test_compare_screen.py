"""The compare screen and the session picker, driven with the keyboard only."""

from __future__ import annotations

from support.compare import LATE, early, late, session
from support.app import SIZE, screen_text, settle
from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected
from coprod_tui.core.model import Kind
from coprod_tui.core.store.folder import SessionSummary
from coprod_tui.tui.review.compare import ComparePicker, CompareScreen
from coprod_tui.tui.review.compare_view import SideBySide
from coprod_tui.tui.help import HelpScreen
from coprod_tui.tui.review.home import HomeScreen


async def show(pilot, earlier, later) -> CompareScreen:
    """Push the compare screen over home (as the lead's home key will) and wait until it is drawn."""
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, HomeScreen))
    app.push_screen(CompareScreen(earlier, later))
    await settle(pilot, lambda: isinstance(app.screen, CompareScreen) and bool(app.screen.query(SideBySide))
                 and bool(body(app).text()))
    await pilot.pause()
    return app.screen  # type: ignore[return-value]


def body(app) -> SideBySide:
    return app.screen.query_one(SideBySide)


async def test_the_screen_shows_both_sessions_side_by_side(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, early(), late())
        shown = screen_text(app)
        assert "Short breaks for carers: review" in shown and "Short breaks: six months on" in shown
        assert "2025-03-12" in shown and "2025-09-10" in shown and "182 days apart" in shown
        assert "programme: Short breaks review" in shown
        assert "3 problems persist, 1 no longer raised, 1 new" in shown
        assert "1 option still proposed, 1 no longer proposed, 0 new" in shown
        lines = body(app).text().splitlines()
        row = next(line for line in lines if line.startswith("Carers can't get a break at weekends"))
        assert "carers cannot get a weekend break" in row and "99%" in row  # one row, with its similarity
        same = next(line for line in lines if line.startswith("Respite bookings get lost between teams"))
        assert "same" in same and same.count("Respite bookings get lost between teams") == 2
        text = body(app).text()
        assert text.index("Persist (3)") < text.index("No longer raised (1)") < text.index("New (1)")
        assert text.index("New (1)") < text.index("Who spoke: notes by role") < text.index("Notes by group")
        assert "Carers → Family carers" in text and "Commissioners (later only)" in text
        assert "Neither session has a plan yet" in text
        assert app.focused is body(app)


async def test_number_keys_switch_kinds_and_escape_goes_back(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, early(), late())
        await pilot.press("2")
        await settle(pilot, lambda: "Still proposed (1)" in body(app).text())
        assert screen.kind is Kind.OPTION and "A weekend sitting service run by volunteers" in body(app).text()
        assert "Carers can't get a break" not in body(app).text()
        await pilot.press("3")
        await settle(pilot, lambda: "Still offered (1)" in body(app).text())
        assert "Volunteers from the carers' centre" in body(app).text()
        await pilot.press("1")
        await settle(pilot, lambda: "Persist (3)" in body(app).text())
        await pilot.press("question_mark")
        await settle(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert "Contributions" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, HomeScreen))


async def test_tabs_switch_kinds_from_the_keyboard_too(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, early(), late())
        await pilot.press("shift+tab")  # from the body back to the tabs
        await settle(pilot, lambda: app.focused is not None and app.focused.id == "compare-kinds")
        await pilot.press("right")
        await settle(pilot, lambda: screen.kind is Kind.OPTION)


async def test_a_long_comparison_scrolls_with_the_keyboard(app_factory):
    many = [("problem", f"Problem number {n} about respite", None) for n in range(60)]
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, session(cards=many), session(created=LATE, cards=many[::-1]))
        view = body(app)
        assert view.max_scroll_y > 0
        await pilot.press("pagedown")
        await settle(pilot, lambda: view.scroll_y > 0)
        await pilot.press("end")
        await settle(pilot, lambda: view.scroll_y == view.max_scroll_y)
        assert "Neither session has a plan yet" in screen_text(app)


async def test_sessions_given_newest_first_are_shown_oldest_first(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, late(), early())
        shown = screen_text(app)
        assert shown.index("Short breaks for carers: review") < shown.index("Short breaks: six months on")
        assert "Shown oldest first" in shown


async def test_sessions_without_a_programme_or_notes(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, session(cards=[], groups=[]), session(created=LATE, cards=[], groups=[]))
        assert "neither session names a programme" in screen_text(app)
        assert "0 problems persist, 0 no longer raised, 0 new" in screen_text(app)
        assert "none" in body(app).text()


HOSTILE_KEPT = [(name, expected_stored(text)) for name, text in zip(HOSTILE_IDS, HOSTILE) if not rejected(text)]


async def test_hostile_text_is_shown_as_typed(app_factory):
    texts = [text for _, text in HOSTILE_KEPT]
    hostile_groups = [("[@click=app.quit]x[/]", "orange", early().groups[1].role)]
    earlier = session("[b]not bold[/b]", cards=[("problem", t, "[@click=app.quit]x[/]") for t in texts],
                      groups=hostile_groups, programme="[link=https://e.vil]x[/link]")
    later = session("<script>alert(1)</script>", created=LATE, programme="{{7*7}}",
                    cards=[("problem", t + " again", None) for t in texts] + [("option", "[/]", None)])
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, earlier, later)
        shown = screen_text(app)
        assert "[b]not bold[/b]" in shown and "<script>alert(1)</script>" in shown
        assert "[link=https://e.vil]x[/link]" in shown and "{{7*7}}" in shown
        text = body(app).text()
        for name in ("textual-click", "rich-style", "html-script", "template-braces"):
            assert dict(HOSTILE_KEPT)[name] in text
        for key in ("2", "3", "end", "home", "1"):
            await pilot.press(key)
            await pilot.pause()
        assert not app._exit and isinstance(app.screen, CompareScreen)


# -- the picker ------------------------------------------------------------------------------------------------------

SUMMARIES = [
    SessionSummary(id="s-new", title="Short breaks: six months on", created="2025-09-10T10:00:00.000+00:00",
                   programme="Short breaks review"),
    SessionSummary(id="s-transport", title="Transport to clinics", created="2025-08-01T10:00:00.000+00:00",
                   programme="Transport"),
    SessionSummary(id="s-broken", error="not valid JSON"),
    SessionSummary(id="s-mid", title="Short breaks: three months on", created="2025-06-10T10:00:00.000+00:00",
                   programme="SHORT BREAKS REVIEW"),
    SessionSummary(id="s-day", title="Day services [b]review[/b]", created="2025-02-01T10:00:00.000+00:00"),
    SessionSummary(id="s-first", title="Short breaks for carers: review", created="2025-03-12T10:00:00.000+00:00",
                   programme="Short breaks review"),
]


async def pick(pilot, summaries=SUMMARIES, first="s-first") -> tuple[ComparePicker, list]:
    app = pilot.app
    await settle(pilot, lambda: isinstance(app.screen, HomeScreen))
    chosen: list = []
    picker = ComparePicker(summaries, first)
    app.push_screen(picker, callback=chosen.append)
    await settle(pilot, lambda: app.screen is picker)
    await pilot.pause()
    return picker, chosen


def listed(picker: ComparePicker) -> list[str]:
    from textual.widgets import OptionList

    options = picker.query_one(OptionList)
    return [str(options.get_option_at_index(i).id or options.get_option_at_index(i).prompt)
            for i in range(options.option_count)]


async def test_the_picker_lists_the_same_programme_first_and_enter_chooses(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        picker, chosen = await pick(pilot)
        assert listed(picker) == ["Same programme", "s-new", "s-mid", "Other sessions", "s-transport", "s-day"]
        shown = screen_text(app)
        assert "Short breaks for carers: review" in shown and "Day services [b]review[/b]" in shown
        await pilot.press("down", "enter")
        await settle(pilot, lambda: chosen == ["s-mid"])


async def test_the_picker_filters_as_you_type_and_escape_cancels(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        picker, chosen = await pick(pilot)
        await pilot.press(*"transport")
        await settle(pilot, lambda: listed(picker) == ["s-transport"])
        await pilot.press("enter")
        await settle(pilot, lambda: chosen == ["s-transport"])

        picker, chosen = await pick(pilot)
        await pilot.press(*"zzz")
        await settle(pilot, lambda: listed(picker) == ["No session matches."])
        await pilot.press("enter")  # nothing to choose: stays open
        await pilot.pause()
        assert app.screen is picker and chosen == []
        await pilot.press("escape")
        await settle(pilot, lambda: chosen == [None])


async def test_the_picker_with_nothing_else_to_compare(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        picker, chosen = await pick(pilot, SUMMARIES[-1:])
        assert listed(picker) == ["There is no other session to compare with."]
        await pilot.press("enter", "escape")
        await settle(pilot, lambda: chosen == [None])


def test_snapshot(snap_compare, app_factory):
    async def compare_screen(pilot):
        await show(pilot, early(hidden=[3]), late())
        pilot.app.clear_notifications()

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=compare_screen)



async def test_rows_rewrap_on_resize_and_redraw_on_a_theme_change(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, early(), late())
        view = body(app)
        wide = len(view.text().splitlines())
        await pilot.resize_terminal(70, 30)
        await settle(pilot, lambda: len(view.text().splitlines()) > wide)
        width = view.scrollable_content_region.width
        assert all(strip.cell_length <= width for strip in view._strips)
        assert "carers cannot get a" in view.text()
        app.theme = "coprod-light"
        await pilot.pause()
        assert "Persist (3)" in view.text() and isinstance(app.screen, CompareScreen)


# -- the plan tab ------------------------------------------------------------------------------------------------------

async def test_the_plan_tab_checks_off_the_earlier_actions(app_factory):
    from support.compare import PLAN_LATE, with_plan

    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, with_plan(early(), review="2025-07-15"), with_plan(late(), PLAN_LATE))
        assert "Earlier plan: 2 of 3 actions done · later plan: 1 new, 1 taken up again" in body(app).text()
        await pilot.press("4")
        await settle(pilot, lambda: "Done (2)" in body(app).text())
        assert screen.page == "plan" and screen.kind is Kind.PROBLEM
        text = body(app).text()
        assert text.index("Done (2)") < text.index("Not done (1)") < text.index("New in the later plan (1)")
        assert "✓ Done 2025-04-20" in text and "What happened: Live since April" in text
        assert "Earlier plan's review date: 2025-07-15" in text
        assert "For the option: A shared booking calendar" in text
        assert "Who: Practitioners" in text
        row = next(line for line in text.splitlines() if line.startswith("✗ Not done · by 2025-06-30"))
        assert "✗ Not done · by 2025-12-01" in row  # the later action that takes it up, on the same row
        assert "Run a drop-in for carers at the library" in text
        assert "Carers can't get a break" not in text  # the notes are on the other tabs
        await pilot.press("1")
        await settle(pilot, lambda: "Persist (3)" in body(app).text())
        assert screen.page == "problem"


async def test_the_plan_tab_without_plans_says_so(app_factory):
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, early(), late())
        await pilot.press("4")
        await settle(pilot, lambda: body(app).text().startswith("Neither session has a plan yet"))


async def test_hostile_plan_text_is_shown_as_typed(app_factory):
    from support.compare import with_plan

    texts = [text for _, text in HOSTILE_KEPT]
    actions = [(t, "2025-04-20" if n % 2 else "", "", t, None) for n, t in enumerate(texts)]
    app = app_factory()
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, with_plan(early(), actions, who_role=None), late())
        await pilot.press("4")
        await settle(pilot, lambda: "Done (" in body(app).text())
        text = body(app).text()
        for name in ("textual-click", "rich-style", "html-script", "template-braces"):
            assert dict(HOSTILE_KEPT)[name] in text
        await pilot.press("end", "home")
        await pilot.pause()
        assert not app._exit and isinstance(app.screen, CompareScreen)


def test_snapshot_of_the_plan_tab(snap_compare, app_factory):
    from support.compare import PLAN_LATE, with_plan

    async def plan_tab(pilot):
        await show(pilot, with_plan(early(), review="2025-07-15"), with_plan(late(), PLAN_LATE))
        await pilot.press("4")
        await settle(pilot, lambda: "Done (2)" in body(pilot.app).text())
        pilot.app.clear_notifications()

    assert snap_compare(app_factory(), terminal_size=SIZE, run_before=plan_tab)
