"""Choosing together on the board: dot voting (phones vote, the board opens, closes and reveals) and clusters.

The sample board (conftest): problems 1 (Carers) and 2 (Practitioners); options 3 (Practitioners, addresses 2) and
4 (Carers, addresses 1); contributions 5 (serves 3) and 6 (serves 4).
"""

from __future__ import annotations

from textual.widgets import Input, Select

from support.app import (SIZE, back_to, detail_text, dialog, drawn, lists, notices, open_board, screen_text, select,
                      settle, type_text)
from coprod_tui.core.commands import AddCard, CardDraft
from coprod_tui.core.commands import OpenVoting
from coprod_tui.core.model import Kind
from coprod_tui.tui.dialogs.run import TitlePrompt
from coprod_tui.tui.dialogs.votes import ResultsScreen, VotingDialog, block_bar
from support.tui_run import P1, P2, P3, P4, balance_text, bar_text, phone_vote


def test_block_bars():
    assert block_bar(0, 7) == ""
    assert block_bar(7, 7, 8) == "█" * 8
    assert block_bar(1, 2, 3) == "█▌"
    assert block_bar(1, 100, 4) == "▏"  # a single dot still shows


async def test_voting_open_phones_vote_reveal_and_results(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        options = lists(board)[1]
        await pilot.press("V")
        voting_dialog = await dialog(pilot, VotingDialog)
        voting_dialog.query_one("#vote-kind", Select).value = "option"
        voting_dialog.query_one("#vote-per-person", Input).value = "3"
        voting_dialog.query_one("#vote-per-card", Input).value = "2"
        await pilot.press("ctrl+s")
        await back_to(pilot, board)
        voting = app.hub.session.meta.voting
        assert voting is not None and voting.open and voting.kind == "option"
        assert (voting.per_person, voting.per_card) == (3, 2)

        phone_vote(app, P1, 4, "Carers")
        phone_vote(app, P1, 4, "Carers")
        phone_vote(app, P2, 4, "Carers")
        phone_vote(app, P3, 4, "Practitioners")
        phone_vote(app, P3, 3, "Practitioners")
        await settle(pilot, lambda: "Voting on options: 5 dots from 3 phones · totals hidden" in bar_text(app))
        assert "● 4" not in drawn(options) and "● 1" not in drawn(options)  # nothing sways the room yet
        await settle(pilot, lambda: "Votes 5" in balance_text(app))

        await pilot.press("V")
        voting_dialog = await dialog(pilot, VotingDialog)
        assert "5 dots from 3 phones" in screen_text(app)
        await pilot.click("#reveal")
        await back_to(pilot, board)
        assert app.hub.session.meta.voting.revealed
        await settle(pilot, lambda: "● 4" in drawn(options) and "● 1" in drawn(options))
        assert "totals shown" in bar_text(app)

        await select(pilot, "A weekend sitting service run by volunteers")
        assert "● 4 votes" in detail_text(app) and "● Carers 3 · ▲ Practitioners 1" in detail_text(app)

        await pilot.press("number_sign")
        results = await dialog(pilot, ResultsScreen)
        shown = screen_text(app)
        first, second = shown.index("A weekend sitting service"), shown.index("A shared booking calendar")
        assert first < second  # most votes first
        assert "● Carers 3 · ▲ Practitioners 1" in shown
        assert "by role: Carers and family 3 · Practitioners 1" in shown
        assert "█" in shown
        await pilot.press("r")  # hide the totals again, from the results
        await settle(pilot, lambda: not app.hub.session.meta.voting.revealed)
        assert "not revealed" in screen_text(app)
        await pilot.press("escape")
        await back_to(pilot, board)
        await settle(pilot, lambda: "● 4" not in drawn(options))

        await pilot.press("V")
        await dialog(pilot, VotingDialog)
        await pilot.click("#close")
        await back_to(pilot, board)
        assert not app.hub.session.meta.voting.open
        await settle(pilot, lambda: "Vote on options closed: 5 dots" in bar_text(app))
        await pilot.press("u")  # reopen by undo
        await settle(pilot, lambda: app.hub.session.meta.voting.open)
        assert results is not None


async def test_a_refused_round_keeps_the_dialog_open(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        await pilot.press("V")
        voting_dialog = await dialog(pilot, VotingDialog)
        voting_dialog.query_one("#vote-per-person", Input).value = "1"
        voting_dialog.query_one("#vote-per-card", Input).value = "2"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is voting_dialog and app.hub.session.meta.voting is None
        assert "more than votes per person" in str(voting_dialog.query_one("#error").render())


async def test_results_update_live_as_phones_vote(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        app.hub.apply(OpenVoting(kind="problem", per_person=2, per_card=2))
        await pilot.press("number_sign")
        await dialog(pilot, ResultsScreen)
        phone_vote(app, P4, 2, None)
        await settle(pilot, lambda: "○ no group 1" in screen_text(app))


# -- clusters -------------------------------------------------------------------------------------------------------

async def test_mark_cluster_split_and_undo(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        problems = lists(board)[0]
        assert board.check_action("cluster", ()) is None
        await select(pilot, "Carers can't get a break at weekends")
        await pilot.press("m")
        assert "MARKED" in drawn(problems)
        await pilot.press("c")  # one mark is not enough
        await pilot.pause()
        assert app.screen is board
        await pilot.press("down", "m")
        assert drawn(problems).count("MARKED") == 2

        await pilot.press("c")
        prompt = await dialog(pilot, TitlePrompt)
        assert "Respite bookings get lost" in screen_text(app)
        await type_text(pilot, "Breaks [b] and bookings")
        await pilot.press("enter")
        await back_to(pilot, board)
        cluster = next(c for c in app.hub.session.cards.values() if c.is_cluster)
        assert cluster.text == "Breaks [b] and bookings"
        assert {m.id for m in app.hub.session.members(cluster.id)} == {1, 2}
        await settle(pilot, lambda: "⧉ 2 notes" in drawn(problems))
        shown = drawn(problems)
        assert "Breaks [b] and bookings" in shown and "MARKED" not in shown
        assert "Carers can't get a break" not in shown and "Respite bookings" not in shown
        assert "(1)" in str(problems.border_title)
        assert problems.selected_id == cluster.id
        detail = detail_text(app)
        assert "Notes in this cluster" in detail
        assert "● Carers: Carers can't get a break at weekends" in detail
        assert "▲ Practitioners: Respite bookings get lost between teams" in detail
        # The chain: both options address a note of the cluster, so both address the cluster.
        assert "A shared booking calendar" in detail and "A weekend sitting service" in detail
        assert "The council can host the calendar" in detail  # …and their contributions

        await select(pilot, "A shared booking calendar")
        assert "⧉ Breaks [b] and bookings" in detail_text(app)  # the option addresses the cluster now

        await select(pilot, "Breaks [b] and bookings")
        await pilot.press("C")
        await settle(pilot, lambda: not any(c.is_cluster for c in app.hub.session.cards.values()))
        await settle(pilot, lambda: "Respite bookings" in drawn(problems) and "⧉" not in drawn(problems))
        await pilot.press("u")  # the split undone: the cluster is back
        await settle(pilot, lambda: "⧉ 2 notes" in drawn(problems))
        await pilot.press("u")  # the merge undone
        await settle(pilot, lambda: "Carers can't get a break" in drawn(problems) and "⧉" not in drawn(problems))
        assert prompt is not None


async def test_adding_a_note_to_a_cluster_and_marks_that_leave(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        options = lists(board)[1]
        await select(pilot, "A shared booking calendar")
        await pilot.press("m", "down", "m", "c")
        await dialog(pilot, TitlePrompt)
        await pilot.press("enter")  # a new cluster needs a title
        await pilot.pause()
        assert "title" in str(app.screen.query_one("#error").render()).lower()
        await type_text(pilot, "Booking")
        await pilot.press("enter")
        await back_to(pilot, board)
        cluster_id = next(c.id for c in app.hub.session.cards.values() if c.is_cluster)
        assert app.hub.session.cards[cluster_id].links == [1, 2]  # the members' links, gathered
        assert "4 links" in drawn(options)  # its two problems, and the contributions that served its notes

        event = app.hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="Text reminders", group_id=None)))
        await settle(pilot, lambda: "Text reminders" in drawn(options))
        await select(pilot, "Booking")
        await pilot.press("m")
        await select(pilot, "Text reminders")
        await pilot.press("m", "c")
        prompt = await dialog(pilot, TitlePrompt)
        assert "Add 1 note to the cluster" in screen_text(app)
        assert prompt.query_one(Input).value == "Booking"
        await pilot.press("enter")
        await back_to(pilot, board)
        assert {m.id for m in app.hub.session.members(cluster_id)} == {3, 4, event.card_id}
        await settle(pilot, lambda: "⧉ 3 notes" in drawn(options) and "Text reminders" not in drawn(options))

        await select(pilot, "Booking")
        assert board.check_action("split", ()) is True
        await pilot.press("C")
        await settle(pilot, lambda: cluster_id not in app.hub.session.cards)
        assert not board.votes.marked
        assert any("Split: 3 notes" in str(m) for _, m in notices(app))
        await settle(pilot, lambda: "Text reminders" in drawn(options))
