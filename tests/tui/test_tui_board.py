"""The board, driven as a facilitator drives it: keys, dialogs and the mouse.

Each test checks three things where they apply: the hub's session (what was applied), the screen (what the
facilitator sees) and, for changes, the session file on disk.
"""

from __future__ import annotations

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input, OptionList, Select, SelectionList, TextArea

from support.app import (SIZE, dialog, card_by_text, column, detail_text, drawn, lists, notices, open_board, screen_text,
                      select, settle, stored_cards, texts, type_text)
from coprod_tui.core.model import Kind
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.dialogs.cards import CardEditor, ConfirmScreen, GroupPicker, LinkPicker
from coprod_tui.tui.help import HelpScreen, key_label


@pytest.mark.parametrize("column_index, kind", [(0, Kind.PROBLEM), (1, Kind.OPTION), (2, Kind.CONTRIBUTION)])
async def test_add_a_card_to_the_focused_column(make_session, app_factory, sessions_dir, column_index, kind):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await pilot.press(*["right"] * column_index)
        assert board.focused is lists(board)[column_index]
        await pilot.press("n")
        editor = await dialog(pilot, CardEditor)
        assert editor.query_one(TextArea).has_focus
        await type_text(pilot, "Pop-up cafe, Fridays")
        await pilot.press("tab")  # TextArea → group Select
        assert editor.query_one(Select).has_focus
        assert editor.query_one(Select).value == 1  # in the all-groups view the first group is offered first
        await pilot.press("enter", "down", "enter")  # open the list; Carers → the next choice
        await pilot.press("tab")
        assert editor.query_one("#card-author", Input).has_focus
        await type_text(pilot, "Rosa")
        await pilot.press("ctrl+s")
        await settle(pilot, lambda: app.screen is board)

        card = card_by_text(app, "Pop-up cafe, Fridays")
        assert card.kind is kind and card.author == "Rosa"
        assert app.hub.session.groups[card.group_id].name == "Practitioners"
        assert column(app, kind)[-1] == "Pop-up cafe, Fridays"
        cell = lists(board)[column_index]
        assert board.focused is cell and cell.selected_id == card.id
        assert "Pop-up cafe, Fridays" in drawn(cell) and "Practitioners · Rosa" in drawn(cell)
        assert "(3)" in str(cell.border_title)
        await pilot.press("ctrl+q")
    assert stored_cards(sessions_dir, session_id)[card.id]["text"] == "Pop-up cafe, Fridays"


async def test_edit_with_e_enter_and_double_click(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        cell = await select(pilot, "A shared booking calendar")
        for how in ("e", "enter", "double-click"):
            if how == "double-click":
                await pilot.double_click(cell, offset=(5, 1))
            else:
                await pilot.press(how)
            editor = await dialog(pilot, CardEditor)
            assert editor.query_one(TextArea).text.startswith("A shared booking calendar")
            await pilot.press("end", *f" +{how}", "ctrl+s")
            await settle(pilot, lambda: app.screen is board)
        expected = "A shared booking calendar +e +enter +double-click"
        assert app.hub.session.cards[3].text == expected
        assert app.hub.session.cards[3].links == [2]  # editing keeps the links
        assert "+double-click" in detail_text(app)
        await pilot.press("ctrl+q")
    assert stored_cards(sessions_dir, session_id)[3]["text"] == expected


async def test_delete_asks_first_and_undo_brings_the_links_back(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        problems = await select(pilot, "Carers can't get a break at weekends")
        await pilot.press("d")
        await dialog(pilot, ConfirmScreen)
        assert "Carers can't get a break at weekends" in screen_text(app)
        await pilot.press("n")  # no: nothing happens
        await settle(pilot, lambda: app.screen is board)
        assert 1 in app.hub.session.cards

        await pilot.press("d")
        await dialog(pilot, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is board)
        assert 1 not in app.hub.session.cards
        assert app.hub.session.cards[4].links == []  # the option no longer points at a deleted problem
        assert "Carers can't get a break" not in drawn(problems)
        assert any("Press u to undo" in message for _, message in notices(app))

        await pilot.press("u")
        assert app.hub.session.cards[1].text == "Carers can't get a break at weekends"
        assert app.hub.session.cards[4].links == [1]
        assert "Carers can't get a break" in drawn(problems)

        await pilot.press("ctrl+r")
        assert 1 not in app.hub.session.cards and app.hub.session.cards[4].links == []
        await pilot.press("ctrl+q")
    assert 1 not in stored_cards(sessions_dir, session_id)


async def test_move_between_columns_drops_links_that_no_longer_fit(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await select(pilot, "A shared booking calendar")  # option 3: addresses problem 2, served by contribution 5
        await pilot.press("shift+right")
        card = app.hub.session.cards[3]
        assert card.kind is Kind.CONTRIBUTION and card.links == []
        assert app.hub.session.cards[5].links == []  # a contribution cannot serve a contribution
        options, contributions = lists(board)[1], lists(board)[2]
        assert "A shared booking calendar" not in drawn(options)
        assert "A shared booking calendar" in drawn(contributions)
        assert board.focused is contributions and contributions.selected_id == 3

        await pilot.press("shift+right")  # already in the last column: nothing happens
        assert app.hub.session.cards[3].kind is Kind.CONTRIBUTION
        await pilot.press("shift+left", "shift+left")
        assert app.hub.session.cards[3].kind is Kind.PROBLEM
        assert "A shared booking calendar" in drawn(lists(board)[0])

        await pilot.press("u", "u", "u")
        assert app.hub.session.cards[3].kind is Kind.OPTION
        assert app.hub.session.cards[3].links == [2] and app.hub.session.cards[5].links == [3]
        await pilot.press("ctrl+q")
    assert stored_cards(sessions_dir, session_id)[5]["links"] == [3]


async def test_reorder_within_a_column(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        problems = await select(pilot, "Carers can't get a break at weekends")
        await pilot.press("shift+down")
        assert column(app, "problem")[0] == "Respite bookings get lost between teams"
        assert texts(problems) == column(app, "problem") and problems.selected_id == 1
        assert drawn(problems).index("Respite") < drawn(problems).index("Carers can't")
        await pilot.press("shift+down")  # already last
        await pilot.press("shift+up")
        assert column(app, "problem")[0] == "Carers can't get a break at weekends"
        assert board.focused is problems


async def test_change_group_with_the_picker(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        problems = await select(pilot, "Carers can't get a break at weekends")
        await pilot.press("g")
        picker = await dialog(pilot, GroupPicker)
        options = picker.query_one(OptionList)
        assert options.highlighted == 0 and "Carers" in str(options.get_option_at_index(0).prompt)
        await pilot.press("down", "enter")
        await settle(pilot, lambda: app.screen is board)
        assert app.hub.session.cards[1].group_id == app.hub.session.group_named("Practitioners").id
        assert "Practitioners · Asha" in drawn(problems)

        await pilot.press("g", "end", "enter")  # the last choice: no group
        await settle(pilot, lambda: app.screen is board)
        assert app.hub.session.cards[1].group_id is None
        assert "no group · Asha" in drawn(problems)
        await pilot.press("g", "escape")  # cancelled: unchanged
        await settle(pilot, lambda: app.screen is board)
        assert app.hub.session.cards[1].group_id is None
        await pilot.press("ctrl+q")
    assert stored_cards(sessions_dir, session_id)[1]["group"] is None


async def test_link_options_to_problems_and_contributions_to_options(make_session, app_factory, sessions_dir):
    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await select(pilot, "A shared booking calendar")
        await pilot.press("l")
        picker = await dialog(pilot, LinkPicker)
        assert picker.query_one(SelectionList).selected == [2]
        await pilot.press("space")  # tick problem 1 (first in the list)
        assert app.hub.session.cards[3].links == [2, 1]
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is board)
        detail = detail_text(app)
        assert "Addresses the problems" in detail
        assert "Carers can't get a break at weekends" in detail and "Respite bookings" in detail
        assert "The council can host the calendar" in detail  # contributions that serve it

        await select(pilot, "The carers' centre will recruit volunteers")
        await pilot.press("l")
        await dialog(pilot, LinkPicker)
        await pilot.press("space")  # tick option 3 (first): the contribution now serves both options
        await pilot.press("down", "space")  # untick option 4
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is board)
        assert app.hub.session.cards[6].links == [3]
        detail = detail_text(app)
        assert "Serves the options" in detail and "A shared booking calendar" in detail
        assert "weekend sitting service" not in detail

        await select(pilot, "Respite bookings get lost between teams")
        assert board.check_action("link", ()) is None  # a problem links to nothing: dimmed
        await pilot.press("l")
        assert app.screen is board
        detail = detail_text(app)
        assert "Options that address it" in detail and "A shared booking calendar" in detail
        assert "The carers' centre will recruit volunteers" in detail  # the chain, two steps back
        await pilot.press("ctrl+q")
    assert stored_cards(sessions_dir, session_id)[3]["links"] == [2, 1]


async def test_detail_pane_follows_the_selection(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        assert "Carers can't get a break at weekends" in detail_text(app)
        await pilot.press("down")
        assert "Respite bookings get lost between teams" in detail_text(app)
        below_board = screen_text(app).split("▔" * 20)[-1]  # the pane sits under its top border
        assert "Respite bookings get lost between teams" in below_board
        await pilot.press("right")
        assert "A shared booking calendar" in detail_text(app)


async def test_views_all_one_group_and_lanes(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)

        assert [cl.cell_title for cl in lists(board)] == ["Problems", "Options", "Contributions"]
        await pilot.press("2")
        await settle(pilot, lambda: lists(board)[0].cell_title == "Problems · Carers")
        assert [texts(cl) for cl in lists(board)] == [["Carers can't get a break at weekends"],
                                                      ["A weekend sitting service run by volunteers"],
                                                      ["The carers' centre will recruit volunteers"]]
        assert "Problems · Carers (1)" in screen_text(app)
        await pilot.press("2")
        await settle(pilot, lambda: lists(board)[0].cell_title == "Problems · Practitioners")
        assert texts(lists(board)[1]) == ["A shared booking calendar"]

        await pilot.press("3")
        await settle(pilot, lambda: len(lists(board)) == 9)
        names = [g.name for g in app.hub.session.groups.values()]
        assert [cl.cell_title for cl in lists(board)] == [f"{n} · {k.label}" for k in Kind for n in names]
        assert texts(lists(board)[4]) == ["A shared booking calendar"]  # Practitioners · Options
        assert texts(lists(board)[2]) == []  # nobody from the third group has written yet
        assert "No problems yet" in drawn(lists(board)[2])

        await pilot.press("v")  # lanes → all
        await settle(pilot, lambda: len(lists(board)) == 3 and lists(board)[0].cell_title == "Problems")
        seen = []
        for _ in range(len(names) + 1):  # all → each group → lanes
            await pilot.press("v")
            await settle(pilot, lambda: lists(board)[0].cell_title not in seen[-1:] + ["Problems"])
            seen.append(lists(board)[0].cell_title)
        assert seen == [f"Problems · {n}" for n in names] + [f"{names[0]} · Problems"]
        await pilot.press("1")
        await settle(pilot, lambda: len(lists(board)) == 3 and lists(board)[0].cell_title == "Problems")


async def test_moving_between_cells_with_arrows_tab_and_up_in_lanes(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        cells = lists(board)
        assert board.focused is cells[0]
        await pilot.press("right")
        assert board.focused is cells[1]
        await pilot.press("right", "right")  # wraps round
        assert board.focused is cells[0]
        await pilot.press("left")
        assert board.focused is cells[2]
        await pilot.press("tab")
        assert board.focused is not cells[2]
        await pilot.press("shift+tab")
        assert board.focused is cells[2]
        cells[0].focus()
        await pilot.press("tab")
        assert board.focused is cells[1]

        await pilot.press("3")
        await settle(pilot, lambda: len(lists(board)) == 9)
        cells = lists(board)
        cells[4].focus()  # Practitioners · Options, one card
        await pilot.pause()
        await pilot.press("up")
        assert board.focused is cells[1]  # the cell above: Practitioners · Problems
        await pilot.press("down")  # on its only card: the bottom edge goes down a cell
        assert board.focused is cells[4]
        await pilot.press("down")
        assert board.focused is cells[7]  # Practitioners · Contributions
        assert board.selected_card().text == "The council can host the calendar"


async def test_footer_help_and_palette_list_the_actions(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        footer = screen_text(app).splitlines()[-1]
        for label in ("Add", "Edit", "Delete", "Group", "Link", "Undo", "View", "Help"):
            assert label in footer

        await pilot.press("question_mark")
        await dialog(pilot, HelpScreen)
        shown = screen_text(app)
        for binding in BoardScreen.BINDINGS:
            assert binding.description in shown and key_label(binding.key) in shown
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is board)

        await pilot.press("ctrl+p")
        palette = await dialog(pilot, CommandPalette)
        await type_text(pilot, "Board")
        commands = palette.query_one(CommandList)
        await settle(pilot, lambda: commands.option_count > 10)
        shown = "\n".join(str(option.prompt) for option in commands.options)
        assert "key ?" in shown  # keys are named as the help screen names them
        for binding in BoardScreen.BINDINGS:
            if binding.action.startswith(("focus_cell", "view(", "next_group")):
                continue
            if board.check_action(binding.action.split("(")[0], ()) is False:  # not offered here (e.g. reopen: live)
                assert f"Board: {binding.description}" not in shown, binding.description
            else:
                assert f"Board: {binding.description}" in shown, binding.description
        await pilot.press(*["backspace"] * 5)
        await type_text(pilot, "Delete")
        await settle(pilot, lambda: "Board: Delete" in screen_text(app))
        await pilot.press("enter")
        await dialog(pilot, ConfirmScreen)  # the palette ran the action on the selected card
        await pilot.press("y")
        await settle(pilot, lambda: app.screen is board)
        assert 1 not in app.hub.session.cards


async def test_click_selects_a_card(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        options = lists(board)[1]
        await pilot.click(options, offset=(6, 1 + 4 + 1))  # the second card (4 lines each, under the border)
        assert board.focused is options and options.selected_id == 4
        assert board.selected_card().text == "A weekend sitting service run by volunteers"
        assert "A weekend sitting service run by volunteers" in detail_text(app)
        assert isinstance(app.screen, BoardScreen)  # a single click does not open the editor
