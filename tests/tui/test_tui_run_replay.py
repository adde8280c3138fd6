"""Replay of a steered session: phase marks named from the session's phases (as they were then), and the board drawn
as the live board draws it (held notes and cluster members are not cards of their own; revealed votes show)."""

from __future__ import annotations

from pathlib import Path

from support.app import GROUPS, SIZE, drawn, open_board
from coprod_tui.core.commands import AddCard, CardDraft, Source
from coprod_tui.core.commands import (CastVote, EditPhases, HoldNotes, MergeCards, OpenVoting, RevealNotes,
                                          RevealVotes, SetPhase)
from coprod_tui.core.hub import new_session
from coprod_tui.core.model import Kind
from coprod_tui.core.reading.replay import Replay
from coprod_tui.core.running import DEFAULT_PHASES, Phase
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.tui.board.card_list import CardList
from support.tui_run import P1, P2, open_replay

SESSION_ID = "2025-03-14-steered"


class Clock:
    def __init__(self) -> None:
        self.minutes = 0

    def __call__(self) -> str:
        self.minutes += 1
        return f"2025-03-14T{9 + self.minutes // 60:02d}:{self.minutes % 60:02d}:00.000+00:00"


def build(sessions_dir: Path) -> str:
    """Events: 1 create, 2 phase → Problems, 3 hold, 4–5 two held phone notes, 6 reveal, 7 phase → Options,
    8 rename Options to "Ideas [b]", 9 an idea, 10 another, 11 cluster them, 12 phase → Contributions,
    13 open a vote on options, 14 a vote, 15 reveal the votes."""
    folder = SessionFolder(sessions_dir)
    folder.new_id = lambda title, date: SESSION_ID  # type: ignore[method-assign]
    hub = new_session(folder, "Steered", "How do carers get a real break?", GROUPS, clock=Clock())
    try:
        def phone(text: str, kind: Kind, participant: str) -> AddCard:
            return AddCard(card=CardDraft(kind=kind, text=text, group_id=1, participant=participant),
                           source=Source.PHONE)

        phases = list(DEFAULT_PHASES)
        phases[2] = Phase("Ideas [b]", "What could we try?", "option")
        for command in [SetPhase(index=1), HoldNotes(hold=True), phone("Held one", Kind.PROBLEM, P1),
                        phone("Held two", Kind.PROBLEM, P2), RevealNotes(), SetPhase(index=2),
                        EditPhases(phases=tuple(phases)), phone("Sitter rota", Kind.OPTION, P1),
                        phone("Sitter pool", Kind.OPTION, P2), MergeCards(card_ids=(3, 4), title="Sitters"),
                        SetPhase(index=3), OpenVoting(kind="option", per_person=2, per_card=2),
                        CastVote(participant=P1, card_id=5, round=1, group_id=1, source=Source.PHONE),
                        RevealVotes()]:
            hub.apply(command)
        return hub.session.meta.id
    finally:
        hub.close()


def test_phase_marks_are_named_from_the_phase_list_at_that_point(sessions_dir):
    session_id = build(sessions_dir)
    folder = SessionFolder(sessions_dir)
    from coprod_tui.core.hub import open_session

    hub = open_session(folder, session_id, read_only=True)
    try:
        replay = Replay(list(hub.events))
        marks = {m.position: m.label for m in replay.marks() if m.kind == "phase"}
    finally:
        hub.close()
    assert marks == {1: "End of Welcome", 6: "End of Problems", 11: "End of Ideas [b]"}


async def test_the_replay_draws_only_cards_on_the_board(sessions_dir, app_factory):
    app = app_factory(build(sessions_dir), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        await open_replay(pilot)
        await pilot.pause()
        screen = app.screen
        lists = {cl.kind: cl for cl in screen.query(CardList)}
        text = str(screen.query_one("#replay-marks").render())
        assert "09:01 Welcome" in text and "09:16 Ideas [b]" in text  # the marks list names the phase that ended

        screen.go(5)  # both notes written, still held
        await pilot.pause()
        assert "Held one" not in drawn(lists[Kind.PROBLEM])
        assert "+2 held" in str(lists[Kind.PROBLEM].border_title)
        screen.go(6)  # revealed
        await pilot.pause()
        assert "Held one" in drawn(lists[Kind.PROBLEM]) and "held" not in str(lists[Kind.PROBLEM].border_title)

        screen.go(2)
        await pilot.pause()
        assert "Phase: Problems" in str(screen.query_one("#replay-caption").render())

        screen.go(11)  # clustered
        await pilot.pause()
        options = drawn(lists[Kind.OPTION])
        assert "Sitters" in options and "⧉ 2 notes" in options and "Sitter rota" not in options

        screen.go(14)  # a vote, totals hidden
        await pilot.pause()
        assert "● 1" not in drawn(lists[Kind.OPTION])
        screen.go(15)  # revealed: every option card shows its total
        await pilot.pause()
        assert "● 1" in drawn(lists[Kind.OPTION])
