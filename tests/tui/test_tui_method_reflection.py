"""The self-reflection answers screen and the "type answers for someone" form, driven with the keyboard.

Each test checks what the hub holds (what was applied) and what the facilitator sees; answers never show a name
or a phone's id.
"""

from __future__ import annotations

from textual.widgets import Input, Select

from support.app import SIZE, notices, read_file, screen_text, settle, type_text, prepare
from support.hostile import HOSTILE, expected_stored, rejected
from coprod_tui.core.commands import SubmitReflection
from coprod_tui.core.text import EVIDENCE_LIMIT
from coprod_tui.core.method import STATEMENTS
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.method.reflection import ReflectionScreen
from coprod_tui.tui.method.reflection_form import ChoiceSet, ReflectionForm
from coprod_tui.tui.row_table import RowTable
from support.tui_method import PHONE_1, REFLECTION_PHASE, SetPhase, answer, show, wait_for


def detail(app) -> str:
    return str(app.screen.query_one("#reflection-detail").render())


async def test_type_answers_for_someone(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, ReflectionScreen(app.hub))
        assert "No answers yet" in screen_text(app)
        await pilot.press("n")
        form = await wait_for(pilot, ReflectionForm)
        role = form.query_one("#reflection-role", Select)
        assert role.has_focus and role.is_blank()
        await pilot.press("enter", "down", "down", "enter")  # the list opens on the prompt: 2nd role is carers
        assert role.value == "carers-and-family"
        await pilot.press("tab")
        assert form.query_one("#ladder-now", ChoiceSet).has_focus
        await pilot.press("3", "tab", "down", "down", "down", "down", "down", "space")  # target by arrows: rung 6
        assert form.query_one("#ladder-target", ChoiceSet).value == 6
        await pilot.press("tab")
        assert form.query_one("#score-eq1", ChoiceSet).has_focus
        await pilot.press("2", "tab")
        assert form.query_one("#evidence-eq1", Input).has_focus
        await type_text(pilot, "[b]Nobody[/b] asked us")
        await pilot.press("tab", "question_mark", "tab", "tab", "4")  # eq2: don't know; eq3: 4
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is screen)

        (saved,) = app.hub.session.reflections.values()
        assert saved["role"] == "carers-and-family" and saved["source"] == "facilitator"
        assert saved["participant"] is None
        assert (saved["ladder_now"], saved["ladder_target"]) == (3, 6)
        assert saved["scores"] == {"eq1": 2, "eq2": 0, "eq3": 4}
        assert saved["evidence"] == {"eq1": "[b]Nobody[/b] asked us"}
        text = screen_text(app)
        assert "1 answer so far: Carers and family 1" in text
        assert "3 Informing → 6 Co-design" in text and "3 of 15 · 1 don't know" in text and "typed in" in text
        shown = detail(app)
        assert "“[b]Nobody[/b] asked us”" in shown and "Don't know" in shown and "4 Doing really well" in shown
        assert "12 statements not answered" in shown
        assert ("Answers saved (anonymous: their role only).", ) == tuple(m for _, m in notices(app))[-1:]
        await pilot.press("ctrl+q")
    stored = read_file(sessions_dir, session_id)["reflections"]
    assert [r["scores"] for r in stored.values()] == [{"eq1": 2, "eq2": 0, "eq3": 4}]


async def test_the_role_is_asked_for_and_a_refusal_keeps_the_form(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, ReflectionScreen(app.hub))
        await pilot.press("n")
        form = await wait_for(pilot, ReflectionForm)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "Choose their role first" in str(form.query_one("#error").render())
        form.query_one("#reflection-role", Select).value = "practitioners"
        await pilot.press("ctrl+s")  # a role and nothing else: the hub refuses, the form stays with its message
        await pilot.pause()
        assert app.screen is form and "Answer at least one question" in str(form.query_one("#error").render())
        assert not app.hub.session.reflections
        form.query_one("#ladder-now", ChoiceSet).focus()
        await pilot.press("5", "ctrl+s")
        await settle(pilot, lambda: app.screen is screen)
        assert [r["ladder_now"] for r in app.hub.session.reflections.values()] == [5]


async def test_backspace_clears_a_choice_and_escape_asks_before_losing_answers(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, ReflectionScreen(app.hub))
        await pilot.press("n")
        form = await wait_for(pilot, ReflectionForm)
        score = form.query_one("#score-di1", ChoiceSet)
        score.focus()
        await pilot.press("3")
        assert score.value == 3
        await pilot.press("backspace")
        assert score.value is None
        await pilot.press("1", "escape")
        confirm = await wait_for(pilot, ConfirmScreen)
        await pilot.press("n")  # stay
        await settle(pilot, lambda: app.screen is form)
        assert score.value == 1
        await pilot.press("escape")
        await wait_for(pilot, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is screen)
        assert not app.hub.session.reflections and confirm is not app.screen


async def test_phone_answers_arrive_live_without_names_or_phone_ids(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [SetPhase(index=REFLECTION_PHASE)])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        await show(pilot, ReflectionScreen(app.hub))
        app.hub.apply(answer("people", 2, 7, participant=PHONE_1, eq1=1, di1=0))
        await settle(pilot, lambda: app.screen.query_one(RowTable).row_count == 1)
        app.hub.apply(answer("practitioners", 5, 6, eq1=4))
        await settle(pilot, lambda: app.screen.query_one(RowTable).row_count == 2)
        text = screen_text(app)
        assert "2 answers so far" in text and "People who use services 1" in text and "Practitioners 1" in text
        assert "2 Educating → 7 Co-production" in text and "phone" in text
        assert PHONE_1 not in text and PHONE_1 not in detail(app)
        # The same phone answering again replaces its answer: still two rows.
        app.hub.apply(answer("people", 3, 7, participant=PHONE_1, eq1=2))
        await settle(pilot, lambda: "3 Informing → 7 Co-production" in screen_text(app))
        assert app.screen.query_one(RowTable).row_count == 2


async def test_delete_an_answer_after_confirming(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [answer("carers", 2, 6, eq1=1), answer("practitioners", 4, 5, eq1=4)])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, ReflectionScreen(app.hub))
        await pilot.press("down", "d")
        confirm = await wait_for(pilot, ConfirmScreen)
        assert "Delete answer 2 (Practitioners)?" in str(confirm.query_one("#question").render())
        await pilot.press("n")
        await settle(pilot, lambda: app.screen is screen)
        assert len(app.hub.session.reflections) == 2
        await pilot.press("delete")
        await wait_for(pilot, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, lambda: screen.query_one(RowTable).row_count == 1)
        assert [r["role"] for r in app.hub.session.reflections.values()] == ["carers-and-family"]
        assert "Carers and family" in detail(app)
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is not screen)
        assert app.hub.can_undo()  # the board's u brings it back
        await pilot.press("ctrl+q")
    assert len(read_file(sessions_dir, session_id)["reflections"]) == 1


async def test_leaving_unsubscribes_and_a_review_hides_the_writing_keys(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [answer("carers", 2, 6, eq1=1)])
    app = app_factory(session_id, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        listeners = len(app.hub._listeners)
        screen = await show(pilot, ReflectionScreen(app.hub))
        assert len(app.hub._listeners) == listeners + 1
        assert screen.check_action("answer", ()) is False and screen.check_action("delete", ()) is False
        await pilot.press("n", "d")
        await pilot.pause()
        assert app.screen is screen and len(app.hub.session.reflections) == 1
        assert "this review is read-only" not in screen_text(app)  # there is an answer: the head lists it
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is not screen)
        assert len(app.hub._listeners) == listeners


async def test_hostile_evidence_is_shown_as_written(make_session, app_factory, sessions_dir):
    session_id = make_session()
    storable = [t for t in HOSTILE if not rejected(t, EVIDENCE_LIMIT, required=False) and expected_stored(t)]
    statements = list(STATEMENTS)
    commands = []
    for start in range(0, len(storable), len(statements)):
        chunk = storable[start:start + len(statements)]
        commands.append(SubmitReflection(role="carers", scores={s: 2 for s in statements[:len(chunk)]},
                                         evidence=dict(zip(statements, chunk))))
    prepare(sessions_dir, session_id, commands)
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, ReflectionScreen(app.hub))
        table = screen.query_one(RowTable)
        assert table.row_count == len(commands)
        for row in range(table.row_count):
            table.cursor = row
            await pilot.pause()
            shown = detail(app)
            answer_ = screen.selected()
            for note in answer_["evidence"].values():
                if "\n" not in note and "\t" not in note and len(note) < 80:
                    assert note in shown
        assert isinstance(app.screen, ReflectionScreen)
