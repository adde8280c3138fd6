"""Running the room from the board: phases, hidden writing, the timer and "I'm done".

Each test drives the keys a facilitator presses and checks the hub's session (what was applied) and the screen
(the phase bar, the columns). Phones are simulated through the hub, as the web handlers call it.
"""

from __future__ import annotations

import pytest
from textual.color import Color
from textual.widgets import Input, OptionList

from support.app import SIZE, back_to, dialog, drawn, lists, notices, open_board, screen_text, settle
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.running import Phase
from coprod_tui.core.commands import EditPhases
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.board.phase_bar import PhaseBar, clock_text
from coprod_tui.tui.dialogs.phases import PhasesScreen
from coprod_tui.tui.dialogs.run import TimerDialog, parse_length
from support.tui_run import P1, P2, P3, bar_text, freeze, phone_done, phone_note


# -- phases ---------------------------------------------------------------------------------------------------------

async def test_brackets_move_through_the_phases_and_the_bar_says_where(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        assert bar_text(app).startswith("Phase 1 of 6 · Welcome — Welcome. Who is here")
        assert board.check_action("phase", (-1,)) is None  # dimmed: there is no phase before the first
        await pilot.press("left_square_bracket")
        assert app.hub.session.meta.phase == 0

        await pilot.press("right_square_bracket")
        await settle(pilot, lambda: "Phase 2 of 6 · Problems" in bar_text(app))
        assert app.hub.session.meta.phase == 1
        assert "Problems — What gets in the way? One problem per note" in bar_text(app)
        assert "Phase 2 of 6 · Problems" in screen_text(app)
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot, lambda: "Phase 4 of 6 · Contributions" in bar_text(app))
        await pilot.press("left_square_bracket")
        await settle(pilot, lambda: app.hub.session.meta.phase == 2)
        await pilot.press("u")  # a phase change is undoable like any change
        await settle(pilot, lambda: "Phase 4 of 6" in bar_text(app))

        for _ in range(3):
            await pilot.press("right_square_bracket")
        await settle(pilot, lambda: app.hub.session.meta.phase == 5)
        assert board.check_action("phase", (1,)) is None
        await pilot.press("right_square_bracket")  # a dimmed key does nothing
        await pilot.pause()
        assert app.hub.session.meta.phase == 5


async def test_the_phases_dialog_jumps_to_a_phase_and_edits_the_list(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await pilot.press("P")
        screen = await dialog(pilot, PhasesScreen)
        assert screen.query_one(OptionList).has_focus
        await pilot.press("down", "down", "enter")  # Options
        await back_to(pilot, board)
        assert app.hub.session.meta.phase == 2
        assert "Phase 3 of 6 · Options" in bar_text(app)

        await pilot.press("P")
        screen = await dialog(pilot, PhasesScreen)
        assert screen.query_one(OptionList).highlighted == 2  # the current phase
        screen.query_one("#phase-name", Input).value = "Ideas [b] [/foo]"
        screen.query_one("#phase-prompt", Input).value = "What could we try? [@click=app.quit]x[/]"
        await pilot.pause()
        await pilot.click("#phase-add")  # a new phase after it
        await pilot.pause()
        assert len(screen.draft) == 7 and screen.draft[3].name == "New phase"
        screen.query_one("#phase-name", Input).value = "Break"
        await pilot.pause()
        await pilot.press("ctrl+s")
        await back_to(pilot, board)
        names = [p.name for p in app.hub.session.meta.phases]
        assert names == ["Welcome", "Problems", "Ideas [b] [/foo]", "Break", "Contributions", "Plan", "Reflection"]
        assert app.hub.session.meta.phases[2].prompt == "What could we try? [@click=app.quit]x[/]"
        assert app.hub.session.meta.phases[2].kind == "option"  # the kind was kept
        assert "Phase 3 of 7 · Ideas [b] [/foo] — What could we try? [@click=app.quit]x[/]" in bar_text(app)

        await pilot.press("P")
        screen = await dialog(pilot, PhasesScreen)
        await pilot.press("down")  # Break
        await pilot.click("#phase-remove")
        await pilot.pause()
        await pilot.press("ctrl+s")
        await back_to(pilot, board)
        assert [p.name for p in app.hub.session.meta.phases][3] == "Contributions"
        await pilot.press("u")
        await settle(pilot, lambda: len(app.hub.session.meta.phases) == 7)
        assert app.is_running


async def test_a_refused_phase_list_keeps_the_dialog_open_with_the_reason(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        await pilot.press("P")
        screen = await dialog(pilot, PhasesScreen)
        screen.query_one("#phase-name", Input).value = "   "
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        assert "Phase name" in str(screen.query_one("#error").render())
        assert app.hub.session.meta.phases[0].name == "Welcome"


# -- hidden writing -------------------------------------------------------------------------------------------------

async def test_hidden_writing_holds_phone_notes_until_the_reveal(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        problems = lists(board)[0]
        await pilot.press("w")
        await settle(pilot, lambda: app.hub.session.meta.private)
        await settle(pilot, lambda: "✎ notes held until reveal: 0" in bar_text(app))

        phone_note(app, "Nobody answers the phone at night", participant=P1)
        phone_note(app, "Forms ask the same thing three times", participant=P2, group="Practitioners")
        await settle(pilot, lambda: "+2 held" in str(problems.border_title))
        assert "✎ notes held until reveal: 2" in bar_text(app) and "(2)" in str(problems.border_title)
        assert "Nobody answers" not in drawn(problems) and "Forms ask" not in drawn(problems)

        await pilot.press("R")
        confirm = await dialog(pilot, ConfirmScreen)
        assert "Reveal 2 held notes?" in screen_text(app)
        await pilot.press("n")
        await back_to(pilot, board)
        assert "Nobody answers" not in drawn(problems)

        await pilot.press("R")
        confirm = await dialog(pilot, ConfirmScreen)
        await pilot.press("y")
        await back_to(pilot, board)
        await settle(pilot, lambda: "Nobody answers" in drawn(problems))
        assert "Forms ask the same thing" in drawn(problems)
        assert "held" not in str(problems.border_title) and "(4)" in str(problems.border_title)
        assert not app.hub.session.meta.private and "✎" not in bar_text(app)
        assert confirm is not None


async def test_w_turns_hidden_writing_off_without_revealing(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        assert board.check_action("reveal", ()) is None  # nothing held, hidden writing off
        await pilot.press("w")
        await settle(pilot, lambda: app.hub.session.meta.private)
        phone_note(app, "Held back for now", participant=P1)
        await pilot.press("w")
        await settle(pilot, lambda: not app.hub.session.meta.private)
        await settle(pilot, lambda: "✎ notes held until reveal: 1" in bar_text(app))
        assert "Held back for now" not in drawn(lists(board)[0])
        phone_note(app, "Shows at once", participant=P2)
        await settle(pilot, lambda: "Shows at once" in drawn(lists(board)[0]))


# -- the timer ------------------------------------------------------------------------------------------------------

def test_timer_lengths():
    assert parse_length("5") == 300
    assert parse_length("1:30") == 90
    assert parse_length("1:02:03") == 3723
    assert parse_length("2.5") == 150
    assert parse_length("", "45") == 45
    assert parse_length("1", "30") == 90
    assert parse_length("600") == 36000  # ten hours: any length
    for bad in ("", "0", "abc", "1:xx", "-3", "1:2:3:4"):
        with pytest.raises(ValidationError):
            parse_length(bad)
    assert clock_text(272) == "04:32" and clock_text(271.2) == "04:32" and clock_text(3723) == "1:02:03"
    assert clock_text(0) == "00:00"


async def test_timer_start_pause_extend_times_up_and_stop(make_session, app_factory, monkeypatch):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        clock = freeze(monkeypatch, app)
        bells: list[int] = []
        monkeypatch.setattr(app, "bell", lambda: bells.append(1))
        bar = board.query_one(PhaseBar)
        assert board.check_action("pause_timer", ()) is None

        await pilot.press("T")
        timer_dialog = await dialog(pilot, TimerDialog)
        timer_dialog.query_one("#timer-minutes", Input).value = "1:30"
        timer_dialog.query_one("#timer-label", Input).value = "Table talk [b]"
        await pilot.press("ctrl+s")
        await back_to(pilot, board)
        timer = app.hub.session.meta.timer
        assert timer is not None and timer.seconds == 90 and timer.running
        await settle(pilot, lambda: "◷ Table talk [b] 01:30" in bar_text(app))

        clock.advance(30)
        bar._tick()  # what the one-second interval does
        assert "01:00" in bar_text(app)

        await pilot.press("space")
        await settle(pilot, lambda: app.hub.session.meta.timer.running is False)
        assert "⏸ Table talk [b] 01:00 paused" in bar_text(app)
        clock.advance(100)  # paused: time passes, the timer does not move
        bar._tick()
        assert "01:00 paused" in bar_text(app)

        await pilot.press("plus")
        await settle(pilot, lambda: "02:00 paused" in bar_text(app))
        await pilot.press("space")
        await settle(pilot, lambda: app.hub.session.meta.timer.running)
        assert "◷ Table talk [b] 02:00" in bar_text(app)

        clock.advance(119)
        bar._tick()
        assert "00:01" in bar_text(app) and not bells
        clock.advance(5)
        bar._tick()
        assert "Time's up" in bar_text(app)
        assert bells == [1]  # the bell rings once
        bar._tick()
        bar.sync()
        assert bells == [1]
        # "Time's up" is drawn in the theme's warning colour.
        rendered = bar.render()
        start = rendered.plain.index("Time's up")
        styles = [span.style for span in rendered.spans if span.start <= start < span.end]
        warning = bar.get_component_rich_style("phase-bar--timeup").color
        assert warning is not None and any(getattr(s, "color", None) == warning for s in styles)
        theme_warning = Color.parse(app.current_theme.warning)
        assert warning.triplet is not None
        assert all(abs(a - b) <= 2 for a, b in zip(warning.triplet, theme_warning.rgb))  # blending rounds

        await pilot.press("space")  # nothing left to resume
        assert any("Time's up" in str(m) for _, m in notices(app))
        await pilot.press("plus")  # one more minute restarts it
        await settle(pilot, lambda: "01:00" in bar_text(app) and "Time's up" not in bar_text(app))

        await pilot.press("T")
        timer_dialog = await dialog(pilot, TimerDialog)
        await pilot.click("#stop")
        await back_to(pilot, board)
        assert app.hub.session.meta.timer is None
        assert "◷" not in bar_text(app)


async def test_the_timer_dialog_takes_minutes_and_seconds_and_refuses_nonsense(make_session, app_factory,
                                                                             monkeypatch):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        freeze(monkeypatch, app)
        await pilot.press("T")
        timer_dialog = await dialog(pilot, TimerDialog)
        timer_dialog.query_one("#timer-minutes", Input).value = "soon"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is timer_dialog and "minutes:seconds" in str(timer_dialog.query_one("#error").render())
        timer_dialog.query_one("#timer-minutes", Input).value = "90"
        timer_dialog.query_one("#timer-seconds", Input).value = "30"
        await pilot.press("ctrl+s")
        await back_to(pilot, board)
        assert app.hub.session.meta.timer.seconds == 90 * 60 + 30  # no cap at an hour
        await settle(pilot, lambda: "1:30:30" in bar_text(app))


# -- "I'm done" -----------------------------------------------------------------------------------------------------

async def test_done_counts_for_the_current_phase_by_group(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        phone_done(app, P1, "Carers")
        phone_done(app, P2, "Carers")
        phone_done(app, P3, "Practitioners")
        await settle(pilot, lambda: "Done: 3 (● Carers 2 · ▲ Practitioners 1)" in bar_text(app))
        await pilot.press("right_square_bracket")  # a new phase: nobody is done with it yet
        await settle(pilot, lambda: "Done:" not in bar_text(app))


async def test_the_session_question_shows_when_nothing_else_is_going_on(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        assert bar_text(app).splitlines()[1].strip() == "How do carers get a real break?"
        app.hub.apply(EditPhases(phases=(Phase("Only", ""),)))
        await settle(pilot, lambda: bar_text(app).startswith("Phase 1 of 1 · Only"))
