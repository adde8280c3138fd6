"""The plan screen and its dialogs, driven with the keyboard: add, from a card, edit, done, delete, review date.

The sample board (conftest): contribution 5 "The council can host the calendar" (Practitioners, Lee) serves option
3 "A shared booking calendar", which addresses problem 2 "Respite bookings get lost between teams".
"""

from __future__ import annotations

from textual.widgets import Input, OptionList, Select, TextArea

from support.app import SIZE, read_file, screen_text, settle, type_text, prepare
from support.hostile import HOSTILE, expected_stored, rejected
from coprod_tui.core.commands import ActionDraft, AddAction
from coprod_tui.core.text import FIELD_LIMIT
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.method.plan import PlanScreen
from coprod_tui.tui.dialogs.form import LinePrompt
from coprod_tui.tui.method.plan_dialogs import ActionEditor, CardPicker
from coprod_tui.tui.row_table import RowTable
from support.tui_method import action, show, wait_for


def detail(app) -> str:
    return str(app.screen.query_one("#plan-detail").render())


def plan(app) -> list[dict]:
    return sorted(app.hub.session.plan.values(), key=lambda a: a["id"])


async def test_add_an_action_with_every_field(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, PlanScreen(app.hub))
        assert "No actions yet" in screen_text(app) and "Review date: not set" in screen_text(app)
        await pilot.press("n")
        editor = await wait_for(pilot, ActionEditor)
        assert editor.query_one("#action-what", TextArea).has_focus
        await type_text(pilot, "Book the hall for the carers' group")
        await pilot.press("tab")
        await type_text(pilot, "Asha")
        await pilot.press("tab")
        assert editor.query_one("#action-role", Select).has_focus
        await pilot.press("enter", "down", "down", "enter")  # the prompt, then people, then carers
        await pilot.press("tab")
        await type_text(pilot, "2025-04-30")
        await pilot.press("tab")
        await type_text(pilot, "Room hire, tea")
        await pilot.press("tab", "enter", "down", "enter")  # recognition: the prompt, then the first kind
        await pilot.press("tab")
        await type_text(pilot, "Travel repaid on the day")
        await pilot.press("tab")
        await type_text(pilot, "Step-free, hearing loop")
        await pilot.press("tab")
        await type_text(pilot, "A letter to everyone who came")
        assert "Never an amount here: amounts change every April" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen)

        (saved,) = plan(app)
        assert saved["what"] == "Book the hall for the carers' group" and saved["who"] == "Asha"
        assert saved["who_role"] == "carers-and-family" and saved["by"] == "2025-04-30"
        assert saved["resources"] == "Room hire, tea" and saved["recognition"] == "expenses"
        assert saved["recognition_note"] == "Travel repaid on the day" and saved["access"] == "Step-free, hearing loop"
        assert saved["feedback"] == "A letter to everyone who came" and saved["card"] is None and not saved["done"]
        text = screen_text(app)
        assert "Book the hall for the carers' group" in text and "Asha · Carers and family" in text
        assert "2025-04-30" in text and "1 action, 0 done." in text
        shown = detail(app)
        assert "Expenses repaid — Travel repaid on the day" in shown and "Comes from nothing on the board." in shown
        await pilot.press("ctrl+q")
    assert [a["what"] for a in read_file(sessions_dir, session_id)["plan"].values()] == [saved["what"]]


async def test_a_bad_date_keeps_the_dialog_with_its_message(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, PlanScreen(app.hub))
        await pilot.press("n")
        editor = await wait_for(pilot, ActionEditor)
        await type_text(pilot, "Ring round")
        editor.query_one("#action-by", Input).value = "31/03/2026"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor and "YYYY-MM-DD" in str(editor.query_one("#error").render())
        assert editor.query_one("#action-what", TextArea).text == "Ring round" and not plan(app)
        editor.query_one("#action-by", Input).value = "2026-03-31"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen)
        assert [a["by"] for a in plan(app)] == ["2026-03-31"]


async def test_a_new_action_from_a_contribution_follows_its_links(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, PlanScreen(app.hub))
        await pilot.press("N")
        picker = await wait_for(pilot, CardPicker)
        listed = [str(picker.query_one(OptionList).get_option_at_index(i).prompt)
                  for i in range(picker.query_one(OptionList).option_count)]
        assert listed[0].startswith("Contributions")
        assert "The council can host the calendar  — ▲ Practitioners · Lee" in listed[1]
        assert "Options" in listed
        await pilot.press("enter")  # the first contribution
        editor = await wait_for(pilot, ActionEditor)
        assert editor.query_one("#action-what", TextArea).text == "The council can host the calendar"
        assert editor.query_one("#action-who", Input).value == "Lee (Practitioners)"
        assert editor.query_one("#action-role", Select).value == "practitioners"
        assert editor.query_one("#action-card", Select).value == 5
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen)
        (saved,) = plan(app)
        assert saved["card"] == 5 and saved["who"] == "Lee (Practitioners)"
        assert "Lee (Practitioners)" in screen_text(app) and "· Practitioners" not in screen_text(app)
        shown = detail(app)
        assert "Comes from the contribution: The council can host the calendar" in shown
        assert "which serves the option" in shown and "A shared booking calendar" in shown
        assert "…which addresses the problem" in shown and "Respite bookings get lost between teams" in shown


async def test_edit_with_e_and_enter_keeps_done_and_its_note(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [action("Recruit sitters", who="Carers' centre", card_id=6),
                                       action("Write to carers")])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, PlanScreen(app.hub))
        await pilot.press("e")
        editor = await wait_for(pilot, ActionEditor)
        assert editor.query_one("#action-card", Select).value == 6
        editor.query_one("#action-who", Input).value = "Carers' centre and volunteers"
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen)
        assert plan(app)[0]["who"] == "Carers' centre and volunteers"
        await pilot.press("enter")  # enter edits too; saving without a change just closes
        await wait_for(pilot, ActionEditor)
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen)
        assert not [n for n in app._notifications if "Nothing changed" in str(n.message)]
        await pilot.press("down", "e")
        editor = await wait_for(pilot, ActionEditor)
        editor.query_one("#action-what", TextArea).text = ""
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is editor and "What can't be empty." in str(editor.query_one("#error").render())
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        assert plan(app)[1]["what"] == "Write to carers"


async def test_space_marks_done_with_a_note_and_undone(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        app.hub.apply(action("Write to every carer"))
        screen = await show(pilot, PlanScreen(app.hub))
        await pilot.press("space")
        prompt = await wait_for(pilot, LinePrompt)
        assert "Mark done: Write to every carer" in screen_text(app)
        await type_text(pilot, "Letters went out on 10 March")
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen)
        (done,) = plan(app)
        assert done["done"] and done["note"] == "Letters went out on 10 March" and done["done_at"]
        text = screen_text(app)
        assert " ✓  " in text and "1 action, 1 done." in text
        assert "What happened" in detail(app) and "Letters went out on 10 March" in detail(app)
        await pilot.press("space")  # done → not done at once, keeping the note
        await settle(pilot, lambda: not plan(app)[0]["done"])
        assert plan(app)[0]["note"] == "Letters went out on 10 March" and "1 action, 0 done." in screen_text(app)
        assert prompt is not app.screen


async def test_delete_after_confirming(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [action("First"), action("Second")])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, PlanScreen(app.hub))
        await pilot.press("down", "d")
        confirm = await wait_for(pilot, ConfirmScreen)
        assert "Second" in str(confirm.query_one("#question").render())
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is screen)
        assert len(plan(app)) == 2
        await pilot.press("delete")
        await wait_for(pilot, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, lambda: screen.query_one(RowTable).row_count == 1)
        assert [a["what"] for a in plan(app)] == ["First"]


async def test_the_review_date(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, PlanScreen(app.hub))
        await pilot.press("r")
        prompt = await wait_for(pilot, LinePrompt)
        await type_text(pilot, "30 Sept")
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is prompt and "YYYY-MM-DD" in str(prompt.query_one("#error").render())
        prompt.query_one(Input).value = "2025-09-30"
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen)
        assert app.hub.session.meta.review_date == "2025-09-30"
        assert "Review date: 2025-09-30 — look at the plan together again" in screen_text(app)
        await pilot.press("r")  # the same date again: just closes
        await wait_for(pilot, LinePrompt)
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("r")
        prompt = await wait_for(pilot, LinePrompt)
        prompt.query_one(Input).value = ""  # empty clears it
        await pilot.press("enter")
        await settle(pilot, lambda: app.screen is screen)
        assert app.hub.session.meta.review_date == "" and "Review date: not set" in screen_text(app)
        await pilot.press("ctrl+q")
    assert read_file(sessions_dir, session_id)["meta"]["1"]["review_date"] == ""


async def test_changes_from_elsewhere_show_live(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, PlanScreen(app.hub))
        app.hub.apply(action("Added while the plan was open", by="2025-05-01"))
        await settle(pilot, lambda: screen.query_one(RowTable).row_count == 1)
        assert "Added while the plan was open" in screen_text(app)
        app.hub.apply(AddAction(action=ActionDraft(what="From the contribution", card_id=5)))
        await settle(pilot, lambda: screen.query_one(RowTable).row_count == 2)
        await pilot.press("end")
        await settle(pilot, lambda: "Respite bookings get lost" in detail(app))


async def test_hostile_action_text_shows_as_typed(make_session, app_factory, sessions_dir):
    session_id = make_session()
    storable = [t for t in HOSTILE if not rejected(t, FIELD_LIMIT)]
    prepare(sessions_dir, session_id, [
        AddAction(action=ActionDraft(what=text, who=" ".join(text.split())[:FIELD_LIMIT] or "x",
                                     resources=text, recognition_note=text, access=text, feedback=text))
        for text in storable])
    app = app_factory(session_id, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, PlanScreen(app.hub))
        table = screen.query_one(RowTable)
        assert table.row_count == len(storable)
        assert screen.check_action("add", ()) is False and screen.check_action("done", ()) is False
        for row in range(table.row_count):
            table.cursor = row
            await pilot.pause()
            what = expected_stored(storable[row])
            if "\n" not in what and "\t" not in what and len(what) < 60:
                assert what in detail(app)
        await pilot.press("n", "space", "d", "r")
        await pilot.pause()
        assert app.screen is screen and app.is_running
