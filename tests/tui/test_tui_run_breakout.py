"""Breakouts (start, picks, end, parked notes), the balance bar, review boards, and hostile text in the new places."""

from __future__ import annotations

import pytest
from textual.widgets import OptionList

from support.app import SIZE, back_to, dialog, drawn, lists, notices, open_board, prepare, screen_text, select, settle
from coprod_tui.core.commands import (EditPhases, MergeCards, OpenVoting, RevealVotes, StartBreakout,
                                          StartTimer)
from coprod_tui.core.running import Phase
from coprod_tui.tui.board.balance_bar import BalanceBar
from coprod_tui.tui.board.screen import WRITE_ACTIONS
from coprod_tui.tui.board.room import RoomControl
from coprod_tui.tui.board.votes import VotesControl
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.dialogs.run import ParkedScreen
from coprod_tui.tui.dialogs.votes import ResultsScreen
from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected
from support.tui_run import P1, P2, P3, P4, balance_text, bar_text, freeze, phone_note, phone_pick, phone_vote


def cell_text(board, title: str) -> str:
    cell = next(c for c in lists(board) if c.cell_title == title)
    return drawn(cell)


def picked_in(board, title: str) -> list[str]:
    """Texts of the cards marked as picked in a cell (all of them, drawn or scrolled out of a small lane)."""
    cell = next(c for c in lists(board) if c.cell_title == title)
    return [v.text for v in cell.views if v.picked == "picked"]


# -- breakouts ------------------------------------------------------------------------------------------------------

async def test_breakout_start_pick_end_and_unpark(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await pilot.press("b")
        await dialog(pilot, ConfirmScreen)
        assert "Start a breakout?" in screen_text(app)
        await pilot.press("y")
        await back_to(pilot, board)
        assert app.hub.session.meta.breakout
        await settle(pilot, lambda: len(lists(board)) == 9)  # lanes: the groups side by side
        assert "⇄ Breakout" in bar_text(app)

        first = phone_note(app, "Weekend sitter rota", group="Carers", participant=P1)
        second = phone_note(app, "Emergency respite number", group="Carers", participant=P2)
        third = phone_note(app, "Shared rota spreadsheet", group="Practitioners", participant=P3)
        await settle(pilot, lambda: "Weekend sitter rota" in cell_text(board, "Carers · Problems"))
        assert "Shared rota spreadsheet" in cell_text(board, "Practitioners · Problems")

        await select(pilot, "Weekend sitter rota")
        assert board.check_action("pick", ()) is True
        await pilot.press("k")
        await settle(pilot, lambda: app.hub.session.cards[first].picked)
        await settle(pilot, lambda: "★ picked" in cell_text(board, "Carers · Problems"))
        phone_pick(app, P3, third, "Practitioners")  # a group picks on its phone
        await settle(pilot, lambda: picked_in(board, "Practitioners · Problems") == ["Shared rota spreadsheet"])
        assert "★ 2 picked" in bar_text(app)
        await select(pilot, "Carers can't get a break at weekends")
        assert board.check_action("pick", ()) is None  # not a breakout note

        await pilot.press("b")
        await dialog(pilot, ConfirmScreen)
        assert "2 picked notes come back" in screen_text(app) and "1 not picked is parked" in screen_text(app)
        await pilot.press("y")
        await back_to(pilot, board)
        assert not app.hub.session.meta.breakout and app.hub.session.cards[second].parked
        await settle(pilot, lambda: len(lists(board)) == 3)  # back to all groups
        assert any("1 note parked" in str(m) for _, m in notices(app))
        problems = lists(board)[0]
        await settle(pilot, lambda: "★ from ● Carers" in drawn(problems))
        assert "★ from ▲ Practitioners" in drawn(problems)
        assert "Emergency respite number" not in drawn(problems)
        assert "(4)" in str(problems.border_title)

        await pilot.press("K")
        parked = await dialog(pilot, ParkedScreen)
        assert "Emergency respite number" in screen_text(app)
        await pilot.press("enter")
        await settle(pilot, lambda: not app.hub.session.cards[second].parked)
        assert "No parked notes." in screen_text(app)
        await pilot.press("escape")
        await back_to(pilot, board)
        await settle(pilot, lambda: "Emergency respite number" in drawn(problems))
        await pilot.press("u")  # unparking is undoable
        await settle(pilot, lambda: "Emergency respite number" not in drawn(problems))
        assert parked is not None


# -- the balance bar ------------------------------------------------------------------------------------------------

async def test_balance_bar_counts_and_names_a_missing_voice(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        text = balance_text(app)
        assert text.startswith("Notes 6 ")
        assert "● 3" in text and "▲ 3" in text  # glyph and count, never colour alone
        assert "Carers 3 · Practitioners 3 · People 0" in text or "Carers 3 · Practitioners 3 · Peo" in text
        assert text.rstrip().endswith("⚠ no notes from People who use services yet")
        # Each group's segment has its colour behind its glyph.
        rendered = board.query_one(BalanceBar).render()
        start = rendered.plain.index("● 3")
        assert any(span.start <= start < span.end and span.style.bgcolor is not None for span in rendered.spans
                   if not isinstance(span.style, str))

        phone_note(app, "Nobody asks us", group="People who use services", participant=P1)
        await settle(pilot, lambda: "Notes 7" in balance_text(app))
        assert "⚠" not in balance_text(app)
        assert "■ 1" in balance_text(app)

        app.hub.apply(OpenVoting(kind="problem", per_person=3, per_card=3))
        phone_vote(app, P2, 1, "Carers")
        phone_vote(app, P2, 1, "Carers")
        phone_vote(app, P3, 2, "Practitioners")
        await settle(pilot, lambda: "Votes 3" in balance_text(app))
        after_votes = balance_text(app).split("Votes 3", 1)[1]
        assert "● 2" in after_votes and "▲ 1" in after_votes

        await pilot.press("B")  # space is tight: hide it
        await pilot.pause()
        assert not board.query_one(BalanceBar).display
        await pilot.press("B")
        await pilot.pause()
        assert board.query_one(BalanceBar).display


async def test_a_held_note_counts_in_the_balance_but_is_not_shown(make_session, app_factory):
    app = app_factory(make_session(groups=[("Carers", "carers", "orange"), ("Staff", "practitioners", "sky")],
                                   cards=[("problem", "Only staff so far", "Staff", None)], links=[]))
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        assert "⚠ no notes from Carers yet" in balance_text(app)
        await pilot.press("w")
        await settle(pilot, lambda: app.hub.session.meta.private)
        phone_note(app, "A carer's held note", group="Carers", participant=P4)
        await settle(pilot, lambda: "⚠" not in balance_text(app))  # written, just not shown yet
        assert "A carer's held note" not in drawn(lists(board)[0])


# -- review (read-only) ---------------------------------------------------------------------------------------------

async def test_a_review_board_hides_and_refuses_every_running_control(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, [OpenVoting(kind="option", per_person=3, per_card=3), RevealVotes(),
                                       StartTimer(seconds=300), StartBreakout()])
    path = sessions_dir / f"{session_id}.json"
    before = path.read_bytes()
    app = app_factory(session_id, read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        for action in RoomControl.WRITES | VotesControl.WRITES:
            assert action in WRITE_ACTIONS
            assert board.check_action(action, ()) is False, action
        footer = screen_text(app).splitlines()[-1]
        assert "Phase" not in footer and "Vote" not in footer
        await select(pilot, "A shared booking calendar")
        await pilot.press("right_square_bracket", "left_square_bracket", "P", "w", "R", "V", "T", "space", "plus",
                          "b", "k", "m", "c", "C")
        await pilot.pause()
        assert app.screen is board and not board.votes.marked
        # Looking is allowed: the results (without the reveal key) and the parked notes.
        await pilot.press("number_sign")
        results = await dialog(pilot, ResultsScreen)
        assert results.check_action("toggle_reveal", ()) is False
        await pilot.press("r", "escape")
        await back_to(pilot, board)
        await pilot.press("K")
        parked = await dialog(pilot, ParkedScreen)
        assert "read-only" in screen_text(app)
        await pilot.press("escape")
        await back_to(pilot, board)
        assert parked.unpark is None
        await pilot.press("ctrl+q")
    assert path.read_bytes() == before


# -- hostile text ---------------------------------------------------------------------------------------------------

# One-line strings kept as typed, short enough for a group or phase name: markup first, then a few of each family.
PICKED = {"rich-bold", "rich-close", "rich-close-named", "textual-click", "rich-link", "rich-style", "rich-unbalanced",
          "html-script", "template-jinja", "emoji-zwj-family", "rtl-override", "zero-width-only", "cjk-wide",
          "unicode-line-sep", "backslashes"}
ONE_LINE = [(i, t) for i, t in zip(HOSTILE_IDS, HOSTILE) if i in PICKED
            and not rejected(t) and expected_stored(t) == t and "\n" not in t and "\t" not in t and len(t) <= 60]


@pytest.mark.parametrize("text", [t for _i, t in ONE_LINE], ids=[i for i, _t in ONE_LINE])
async def test_hostile_text_in_phases_timers_clusters_and_groups_is_shown_as_typed(make_session, app_factory,
                                                                                  sessions_dir, monkeypatch, text):
    session_id = make_session(groups=[(text, "carers", "orange"), ("Staff", "practitioners", "sky")],
                              cards=[("problem", text, text, None), ("problem", "second", "Staff", None)], links=[])
    prepare(sessions_dir, session_id, [EditPhases(phases=(Phase(text, text, "problem"), Phase("Two"))),
                                       MergeCards(card_ids=(1, 2), title=text),
                                       OpenVoting(kind="problem", per_person=2, per_card=2)])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        freeze(monkeypatch, app)
        app.hub.apply(StartTimer(seconds=60, label=text))
        phone_vote(app, P1, 3, text)
        app.hub.apply(RevealVotes())
        stored = expected_stored(text)
        flat = " ".join(stored.split())
        await settle(pilot, lambda: "● 1" in drawn(lists(board)[0]))
        assert f"Phase 1 of 2 · {flat}" in bar_text(app)
        assert f"◷ {flat}" in bar_text(app)
        assert stored.split()[0] in drawn(lists(board)[0])
        await pilot.press("number_sign")
        await dialog(pilot, ResultsScreen)
        await pilot.press("escape")
        await back_to(pilot, board)
        await pilot.press("P")
        await settle(pilot, lambda: bool(app.screen.query(OptionList)))
        await pilot.press("escape")
        await back_to(pilot, board)
        assert app.is_running
