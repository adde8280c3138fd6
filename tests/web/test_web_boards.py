"""The phone server's cached boards (web/boards.py) against the plain definition (views.board), in every state a
session goes through, for every kind of phone: the cache may only save work, never change what a phone sees."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from coprod_tui.core.commands import AddGroup, EditSession, HideCard
from coprod_tui.core.commands import SubmitReflection
from coprod_tui.core.commands import (CastVote, EndBreakout, HoldNotes, MarkDone, MergeCards, OpenVoting,
                                          PauseTimer, RevealNotes, RevealVotes, SetPhase, StartBreakout, StartTimer)
from coprod_tui.core.hub import Hub
from coprod_tui.web.boards import BoardCache
from coprod_tui.web.public import Viewer, board
from support.run import P1, P2, P3, add
from support.web import make_hub

VIEWERS = [Viewer(), Viewer(None, 1), Viewer(P1, 1), Viewer(P2, 2), Viewer(P3, None), Viewer(P3, 2),
           Viewer("phone-nobody-000001", 1)]


class Clock:
    """The hub's clock, moved by hand: the timer's `remaining` and `server_now` are computed from it."""

    def __init__(self) -> None:
        self.now = "2026-11-27T10:00:00.000+00:00"

    def __call__(self) -> str:
        return self.now


def steps(hub: Hub) -> list[tuple[str, Callable[[], object]]]:
    ids: dict[str, int] = {}

    def note(name: str, **kw: object) -> Callable[[], None]:
        return lambda: ids.__setitem__(name, add(hub, name, **kw))  # type: ignore[arg-type]

    return [
        ("a note from each group", lambda: [note(f"n{g}", group=g, participant=p)() for g, p in ((1, P1), (2, P2))]),
        ("hidden writing", lambda: hub.apply(HoldNotes())),
        ("held notes", lambda: [note(f"h{p}", group=1, participant=p)() for p in (P1, P3)]),
        ("reveal", lambda: hub.apply(RevealNotes())),
        ("a cluster", lambda: hub.apply(MergeCards(card_ids=(ids["n1"], ids["n2"]), title="Both"))),
        ("a vote", lambda: hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))),
        ("dots", lambda: hub.apply(CastVote(participant=P1, card_id=ids["h" + P1],
                                            round=1, source="phone"))),
        ("totals shown", lambda: hub.apply(RevealVotes())),
        ("a timer", lambda: hub.apply(StartTimer(seconds=300, label="Write"))),
        ("done", lambda: hub.apply(MarkDone(participant=P2, phase=0, source="phone"))),
        ("a breakout", lambda: hub.apply(StartBreakout())),
        ("breakout notes", lambda: [note(f"b{p}", group=g, participant=p)() for g, p in ((1, P3), (2, P1))]),
        ("a new group", lambda: hub.apply(AddGroup(name="Commissioners", role="commissioners"))),
        ("timer paused", lambda: hub.apply(PauseTimer())),
        ("breakout ends", lambda: hub.apply(EndBreakout())),
        ("a note hidden", lambda: hub.apply(HideCard(card_id=ids["h" + P3]))),
        ("title", lambda: hub.apply(EditSession(title="Renamed [b]x[/b]"))),
        ("reflection phase", lambda: hub.apply(SetPhase(index=len(hub.session.meta.phases) - 1))),
        ("an answer", lambda: hub.apply(SubmitReflection(role="carers", ladder_now=3, scores={"eq1": 2},
                                                         participant=P1, source="phone"))),
    ]


def test_the_cached_board_is_the_board_in_every_state_for_every_phone(tmp_path: Path) -> None:
    hub = make_hub(tmp_path)
    clock = Clock()
    hub.clock = clock
    cache = BoardCache(hub)
    try:
        for i, (name, step) in enumerate(steps(hub)):
            step()
            for second in (0, 7):  # the same state later: shared part reused, timer computed now
                clock.now = f"2026-11-27T10:{i:02d}:{second:02d}.000+00:00"
                for viewer in VIEWERS:
                    expected = board(hub, viewer)
                    assert json.loads(cache.json(viewer)) == expected, (name, viewer)
                    assert cache.data(viewer) == expected, (name, viewer)
    finally:
        hub.close()
