""""You said, we did": each problem with the options for it, the plan's actions serving them, the response.

The sample board (conftest): problem 1 ← option 4 ← contribution 6; problem 2 ← option 3 ← contribution 5.
"""

from __future__ import annotations

from textual.widgets import OptionList, TextArea

from support.app import SIZE, notices, read_file, screen_text, settle, type_text, prepare
from support.hostile import HOSTILE, expected_stored, rejected
from coprod_tui.core.commands import AddCard, CardDraft, HideCard, ToggleLink
from coprod_tui.core.commands import SetActionDone, SetResponse
from coprod_tui.core.commands import MergeCards
from coprod_tui.core.model import Kind
from coprod_tui.tui.method.yousaid import ResponseEditor, YouSaidScreen
from support.tui_method import action, show, wait_for


def listed(app) -> str:
    option_list = app.screen.query_one(OptionList)
    return "\n".join(str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count))


async def test_problems_options_actions_and_responses(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [
        action("Recruit ten volunteer sitters", who="Carers' centre", by="2025-06-01", card_id=6),
        action("Set up the calendar", who="Lee", card_id=5),
        SetActionDone(action_id=2, note="Live since 1 March"),
        SetResponse(card_id=1, text="Volunteers will sit on Saturdays from June."),
        AddCard(card=CardDraft(kind=Kind.OPTION, text="A helpline for carers")),  # addresses no problem
    ])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, YouSaidScreen(app.hub))
        text = listed(app)
        order = ["Problems (2)", "Carers can't get a break at weekends", "A weekend sitting service run by volunteers",
                 "Respite bookings get lost between teams", "A shared booking calendar",
                 "Options that address no problem (1)", "A helpline for carers"]
        assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)
        assert "○ to do Recruit ten volunteer sitters — Carers' centre, by 2025-06-01" in text
        assert "✓ done  Set up the calendar — Lee" in text and "Live since 1 March" in text
        assert "We said: Volunteers will sit on Saturdays from June." in text
        assert text.count("No response yet: enter writes one.") == 4
        assert "No action in the plan serves this yet." in text  # the helpline
        assert "1 of 5 problems and options answered." in screen_text(app)


async def test_enter_writes_edits_and_clears_a_response(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, YouSaidScreen(app.hub))
        assert screen.selected().id == 1  # the first problem, past the heading
        await pilot.press("enter")
        editor = await wait_for(pilot, ResponseEditor)
        assert editor.query_one(TextArea).has_focus
        await type_text(pilot, "We start [b]in June[/b].")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen)
        assert app.hub.session.responses["1"] == {"card": 1, "text": "We start [b]in June[/b]."}
        await settle(pilot, lambda: "We said: We start [b]in June[/b]." in listed(app))
        assert screen.selected().id == 1  # the highlight stays on the item
        assert ("Response saved." in [m for _, m in notices(app)])
        await pilot.press("down", "e")  # e works too: the option under problem 1
        editor = await wait_for(pilot, ResponseEditor)
        assert editor.card.id == 4
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is screen)
        await pilot.press("up", "enter")
        editor = await wait_for(pilot, ResponseEditor)
        assert editor.query_one(TextArea).text == "We start [b]in June[/b]."
        editor.query_one(TextArea).text = "   "
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen)
        assert "1" not in app.hub.session.responses
        await pilot.press("ctrl+q")
    assert read_file(sessions_dir, session_id).get("responses", {}) == {}


async def test_follows_the_hub_clusters_count_once_hidden_notes_are_left_out(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, YouSaidScreen(app.hub))
        await pilot.press("down", "down")
        assert screen.selected().id == 2
        event = app.hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="Carers' cafe")))
        app.hub.apply(ToggleLink(card_id=event.card_id, target_id=1))  # listed above problem 2 now
        await settle(pilot, lambda: "Carers' cafe" in listed(app))
        assert screen.selected().id == 2  # the highlight stays on the same note
        app.hub.apply(SetResponse(card_id=2, text="The calendar is live."))
        await settle(pilot, lambda: "We said: The calendar is live." in listed(app))
        app.hub.apply(MergeCards(card_ids=(1, 2), title="Breaks and bookings"))
        await settle(pilot, lambda: "Breaks and bookings" in listed(app))
        text = listed(app)
        assert "⧉ cluster" in text and "Problems (1)" in text and "Carers' cafe" in text
        assert "Carers can't get a break at weekends" not in text  # folded into the cluster
        app.hub.apply(HideCard(card_id=3, hidden=True))
        await settle(pilot, lambda: "A shared booking calendar" not in listed(app))
        assert "1 note hidden from phones left out." in " ".join(screen_text(app).split())


async def test_hostile_text_in_notes_actions_and_responses(make_session, app_factory, sessions_dir):
    session_id = make_session(cards=[], links=[])
    storable = [t for t in HOSTILE if not rejected(t)]
    commands = [AddCard(card=CardDraft(kind=Kind.PROBLEM, text=text)) for text in storable]
    commands += [SetResponse(card_id=n, text=text) for n, text in enumerate(storable, 1)]
    prepare(sessions_dir, session_id, commands)
    app = app_factory(session_id, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, YouSaidScreen(app.hub))
        text = listed(app)
        for value in storable:
            flat = " ".join(expected_stored(value).split())
            if 0 < len(flat) < 60:
                assert flat in text
        assert screen.check_action("respond", ()) is False
        await pilot.press("enter", "end", "enter")
        await pilot.pause()
        assert app.screen is screen and app.is_running
