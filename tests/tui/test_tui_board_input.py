"""The board with what people really type, in review mode, across a restart, and with themes.

Hostile text comes from the shared corpus (tests/support/hostile.py): it must be stored as the core cleans it, drawn
literally (never read as markup), and must never run an action such as `[@click=app.quit]`.
"""

from __future__ import annotations

import asyncio
import json
import shutil

import pytest
from textual.widgets import Static, TextArea

from support.app import (SIZE, column, detail_text, drawn, lists, notices, open_board, read_file, screen_text,
                      select, settle, stored_cards, type_text)
from coprod_tui.core.model import Kind
from coprod_tui.tui.board.screen import WRITE_ACTIONS, BoardScreen
from coprod_tui.tui.board.detail import CardDetail
from coprod_tui.tui.dialogs.cards import CardEditor
from coprod_tui.tui.themes import bundled_themes_dir
from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected, rejection_words

MARKUP_LIKE = ["[b]", "[/]", "[/foo]", "[@click=app.quit]x[/]", "[link=https://e.vil]x[/link]",
               "<script>alert(1)</script>", "${{7*7}}", "a [ b ] c [/ d"]


async def add_card(pilot, text: str, *, typed: bool = False) -> tuple[CardEditor, str]:
    """Open the add dialog on the focused column, put `text` in it and press ctrl+s.

    Returns the dialog and the text it held when saved (TextArea normalises line breaks).
    """
    await pilot.press("n")
    await settle(pilot, lambda: isinstance(pilot.app.screen, CardEditor))
    editor = pilot.app.screen
    if typed:
        await type_text(pilot, text)
    else:
        editor.query_one(TextArea).text = text
    given = editor.query_one(TextArea).text
    await pilot.press("ctrl+s")
    await pilot.pause()
    return editor, given


async def test_over_long_text_keeps_the_dialog_open_and_the_words_intact(make_session, app_factory, sessions_dir):
    session_id = make_session()
    before = (sessions_dir / f"{session_id}.json").read_bytes()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        text = "z" * 2001
        editor, _ = await add_card(pilot, text)
        assert app.screen is editor
        error = str(editor.query_one("#error", Static).render())
        assert "2,001" in error and "2,000" in error
        assert editor.query_one(TextArea).text == text
        assert editor.query_one("#counter").has_class("over")
        assert "limit is 2,000" in screen_text(app)
        assert len(app.hub.session.cards) == 6
        await pilot.press("end", "backspace", "ctrl+s")  # one character fewer fits
        await settle(pilot, lambda: app.screen is board)
        assert column(app, Kind.PROBLEM)[-1] == "z" * 2000
        await pilot.press("ctrl+q")
    assert before != (sessions_dir / f"{session_id}.json").read_bytes()


async def test_hostile_text_is_stored_clean_and_drawn_literally(make_session, app_factory, sessions_dir):
    session_id = make_session(cards=[], links=[])
    app = app_factory(session_id)
    problems: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        cell = lists(board)[0]
        for name, text in zip(HOSTILE_IDS, HOSTILE):
            count = len(app.hub.session.cards)
            editor, given = await add_card(pilot, text)
            if given.splitlines() != text.splitlines():  # TextArea may only normalise line breaks (CRLF, NEL, LS)
                problems.append(f"{name}: the dialog changed the text to {given!r}")
            if rejected(text):
                if app.screen is not editor or len(app.hub.session.cards) != count:
                    problems.append(f"{name}: accepted, but should be refused")
                elif rejection_words(text) not in str(editor.query_one("#error", Static).render()):
                    problems.append(f"{name}: refusal does not say why")
                await pilot.press("escape")
                await settle(pilot, lambda: app.screen is board)
                continue
            await settle(pilot, lambda: app.screen is board)
            stored = expected_stored(given)
            card = app.hub.session.cards.get(cell.selected_id)
            if card is None or card.text != stored:
                problems.append(f"{name}: stored {card and card.text!r}, expected {stored!r}")
            elif stored not in detail_text(app):
                problems.append(f"{name}: the detail pane does not show the text as stored")
            elif len(stored) <= 30 and not {"\n", "\t"} & set(stored) and stored not in drawn(cell):
                problems.append(f"{name}: the card does not show {stored!r} literally")
        assert not problems, "\n".join(problems)
        for text in MARKUP_LIKE:
            assert text in {c.text for c in app.hub.session.cards.values()}
        assert "[31m" in {c.text for c in app.hub.session.cards.values()}  # the escape byte went, the rest stayed
        assert "\x1b" not in screen_text(app)

        await select(pilot, "[@click=app.quit]x[/]")
        assert "[@click=app.quit]x[/]" in drawn(cell) and "[@click=app.quit]x[/]" in screen_text(app)
        row = cell.cursor * 4 - int(cell.scroll_offset.y) + 1
        for x in range(3, 24):  # click along the whole text, then on it in the detail pane
            await pilot.click(cell, offset=(x, row))
        await pilot.click(board.query_one(CardDetail), offset=(1, 2))
        await pilot.click(board.query_one(CardDetail), offset=(3, 2))
        await pilot.pause()
        assert not app._exit and app.screen is board
    on_disk = {c["text"] for c in stored_cards(sessions_dir, session_id).values()}
    assert set(MARKUP_LIKE) <= on_disk


async def test_markup_typed_on_the_keyboard_is_kept_as_typed(make_session, app_factory, sessions_dir):
    session_id = make_session(cards=[], links=[])
    app = app_factory(session_id)
    typed = ["[/]", "[b]bold", "[@click=app.quit]x[/]", "<script>", "a [ b ] c [/ d"]
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        for text in typed:
            await add_card(pilot, text, typed=True)
            await settle(pilot, lambda: app.screen is board)
        assert column(app, Kind.PROBLEM) == typed
        shown = drawn(lists(board)[0])
        assert all(text in shown for text in typed)
        await pilot.press("ctrl+q")
    assert [c["text"] for c in stored_cards(sessions_dir, session_id).values()] == typed


async def test_review_mode_hides_and_refuses_every_change(make_session, app_factory, sessions_dir):
    session_id = make_session()
    path = sessions_dir / f"{session_id}.json"
    before = path.read_bytes()
    app = app_factory(session_id, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        assert board.sub_title.startswith("review · read-only")
        for action in WRITE_ACTIONS:
            assert board.check_action(action, ()) is False, action
        footer = screen_text(app).splitlines()[-1]
        assert "Add " not in footer and "Delete" not in footer and "Undo" not in footer
        assert "View" in footer and "Help" in footer and "Replay" in footer and "Export" in footer and "Reopen to edit" in footer
        cards = {k: c.to_record() for k, c in app.hub.session.cards.items()}
        await pilot.press("n", "d", "e", "enter", "g", "l", "u", "ctrl+r", "shift+right", "shift+down")
        await pilot.double_click(lists(board)[0], offset=(5, 1))
        await pilot.pause()
        assert app.screen is board
        assert {k: c.to_record() for k, c in app.hub.session.cards.items()} == cards
        await pilot.press("3")  # views still work in review
        await settle(pilot, lambda: len(lists(board)) == 9)
        await pilot.press("ctrl+q")
    assert path.read_bytes() == before


async def test_every_change_is_saved_and_survives_a_restart_with_undo(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await pilot.press("right")
        await add_card(pilot, "Drop-in hours at the library")
        await settle(pilot, lambda: app.screen is board)
        await pilot.press("shift+left")  # the new option becomes a problem
        await select(pilot, "A shared booking calendar")
        await pilot.press("l", "space", "escape")  # link to problem 1
        await settle(pilot, lambda: app.screen is board)
        await pilot.press("g", "down", "enter")  # Practitioners → People who use services
        await settle(pilot, lambda: app.screen is board)
        await select(pilot, "The council can host the calendar")
        await pilot.press("d", "y")
        await settle(pilot, lambda: app.screen is board and 5 not in app.hub.session.cards)
        await asyncio.wrap_future(app.hub.durable())  # no save key: already on disk while still running
        assert "Drop-in hours at the library" in {c["text"] for c in stored_cards(sessions_dir, session_id).values()}
        cards = {k: c.to_record() for k, c in app.hub.session.cards.items()}
        await pilot.press("ctrl+q")
    assert app._exit and app.hub is None

    again = app_factory(session_id)
    async with again.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        assert {k: c.to_record() for k, c in again.hub.session.cards.items()} == cards
        assert "Drop-in hours at the library" in drawn(lists(board)[0])
        await pilot.press("u")  # the delete, undone after the restart
        assert again.hub.session.cards[5].text == "The council can host the calendar"
        assert again.hub.session.cards[5].links == [3]
        await pilot.press("u")
        assert again.hub.session.group_of(again.hub.session.cards[3]).name == "Practitioners"
        await pilot.press("ctrl+q")
    on_disk = stored_cards(sessions_dir, session_id)
    assert on_disk[5]["text"] == "The council can host the calendar"
    assert read_file(sessions_dir, session_id)["meta"]["1"]["id"] == session_id


async def test_theme_choice_is_remembered_for_the_next_start(make_session, app_factory, settings_path):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        assert app.theme == "coprod-dark"
        dark_yellow = app.group_shade("yellow")
        app.theme = "coprod-light"
        await settle(pilot, lambda: settings_path.exists()
                     and json.loads(settings_path.read_text("utf-8")).get("theme") == "coprod-light")
        assert app.group_shade("yellow") != dark_yellow  # the board redraws with the light theme's shades
        await pilot.press("ctrl+q")

    again = app_factory(session_id)
    async with again.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        assert again.theme == "coprod-light" and again.current_theme.dark is False
        assert again.group_shade("yellow") == again.board_themes["coprod-light"].groups["yellow"]
        assert "Carers can't get a break" in drawn(lists(board)[0])


@pytest.mark.parametrize("content", ['name = "broken"\nprimary = "not-a-colour"\n', "name = [unclosed\n"],
                         ids=["bad-colour", "bad-toml"])
async def test_a_broken_theme_file_is_a_warning_not_a_crash(make_session, app_factory, tmp_path, content):
    themes = tmp_path / "themes"
    shutil.copytree(bundled_themes_dir(), themes)
    (themes / "broken.toml").write_text(content, "utf-8")
    app = app_factory(make_session(), themes_dir=themes)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        board = await open_board(pilot)
        warnings = [message for title, message in notices(app) if title == "Theme skipped"]
        assert len(warnings) == 1 and "broken.toml" in warnings[0]
        await settle(pilot, lambda: "Theme skipped" in screen_text(app))  # the toast, on top of the board
        assert "broken" not in app.available_themes and app.theme == "coprod-dark"
        assert "Carers can't get a break" in drawn(lists(board)[0])
        await pilot.press("n")  # and it still works
        await settle(pilot, lambda: isinstance(app.screen, CardEditor))
        assert isinstance(app.screen_stack[-2], BoardScreen)


async def test_cards_and_hints_are_drawn_in_the_board_colours(make_session, app_factory):
    """Every cell of a card (text included) carries the card's background, so the theme shows and dialogs dim it."""
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await pilot.press("3")  # lanes: some cells are empty and show a hint
        await settle(pilot, lambda: len(lists(board)) == 9 and all(cl.size.height for cl in lists(board)))
        for card_list in lists(board):
            for y in range(8):
                for segment in card_list.render_line(y)._segments:
                    assert segment.style is not None and segment.style.bgcolor is not None, (card_list.cell_title,
                                                                                              y, segment.text)
        cursor_meta = lists(board)[0].render_line(2)._segments  # the focused card's group · author line
        assert len({s.style.bgcolor for s in cursor_meta}) == 1
        hint = lists(board)[2].render_line(1).text
        assert hint.strip() == "No problems yet: n adds one" and hint.startswith("   ")  # centred
