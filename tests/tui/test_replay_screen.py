"""The replay screen (review): keys, what it shows at each position, hostile text, and one SVG snapshot.

The session is built through the hub with a clock that moves a minute a step (and jumps for a pause), so times,
captions and marks are the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.text import Text
from textual.widgets import Static

from support.app import GROUPS, SAMPLE_CARDS, SAMPLE_LINKS, SIZE, open_board, screen_text, settle
from coprod_tui.core.commands import AddCard, CardDraft, SetSubmissions, Source, ToggleLink
from coprod_tui.core.hub import new_session
from coprod_tui.core.model import Kind
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.tui.board.screen import BoardScreen
from coprod_tui.tui.board.card_list import CardList
from coprod_tui.tui.review.replay import SPEEDS, ReplayScreen, Scrubber
from support.hostile import HOSTILE, rejected

SESSION_ID = "2025-03-14-replayed"


class Clock:
    """Stands still until moved (a command may read the time twice): `tick(minutes)` moves it on."""

    def __init__(self) -> None:
        self.minutes = 0

    def __call__(self) -> str:
        return f"2025-03-14T{9 + self.minutes // 60:02d}:{self.minutes % 60:02d}:00.000+00:00"

    def tick(self, minutes: int = 1) -> None:
        self.minutes += minutes


def build_session(sessions_dir: Path, texts: list[tuple[str, str]] | None = None) -> str:
    """Create + one card per event (problems, a 7-minute pause, options, contributions) + links + phones closed.

    Events: 1 create, 2–7 the six sample cards (2–3 from phones), 8–11 links, 12 phones closed.
    """
    folder = SessionFolder(sessions_dir)
    folder.new_id = lambda title, date: SESSION_ID  # type: ignore[method-assign]
    clock = Clock()
    hub = new_session(folder, "Short breaks, replayed", "How do carers get a real break?", GROUPS, clock=clock)
    try:
        cards = texts or [(kind, text) for kind, text, _group, _author in SAMPLE_CARDS]
        for index, (kind, text) in enumerate(cards):
            clock.tick(7 if kind == "option" and cards[index - 1][0] == "problem" else 1)
            source = Source.PHONE if index < 2 else Source.FACILITATOR
            group = GROUPS[index % len(GROUPS)][0]
            hub.apply(AddCard(card=CardDraft(kind=Kind(kind), text=text, group_id=hub.session.group_named(group).id,
                                             author="Asha" if index == 0 else None), source=source))
        if texts is None:
            for card_id, target_id in SAMPLE_LINKS:
                clock.tick()
                hub.apply(ToggleLink(card_id=card_id, target_id=target_id))
            clock.tick()
            hub.apply(SetSubmissions(open=False))
        return hub.session.meta.id
    finally:
        hub.close()


async def open_replay(pilot, **kwargs) -> ReplayScreen:
    await open_board(pilot)
    pilot.app.push_screen(ReplayScreen(pilot.app.hub, **kwargs))
    await settle(pilot, lambda: isinstance(pilot.app.screen, ReplayScreen)
                 and all(cl.size.height for cl in pilot.app.screen.query(CardList)))
    await pilot.pause()
    return pilot.app.screen  # type: ignore[return-value]


def caption(screen: ReplayScreen) -> str:
    content = screen.query_one("#replay-caption", Static).content
    assert isinstance(content, Text)  # user text goes in as Text, never as a markup string
    return content.plain


def shown(screen: ReplayScreen) -> dict[Kind, list[str]]:
    return {cl.kind: [v.text for v in cl.views] for cl in screen.query(CardList)}


@pytest.fixture
def replay_app(sessions_dir, app_factory):
    return app_factory(build_session(sessions_dir), read_only=True)


async def test_steps_show_the_board_growing(replay_app):
    async with replay_app.run_test(size=SIZE) as pilot:
        screen = await open_replay(pilot)
        assert caption(screen) == "Step 0 of 12 · Start: nothing on the board yet"
        assert shown(screen) == {Kind.PROBLEM: [], Kind.OPTION: [], Kind.CONTRIBUTION: []}
        assert screen.focused is None
        await pilot.press("right")
        assert caption(screen) == "Step 1 of 12 · 09:00 · Session created"
        await pilot.press("right")
        assert caption(screen) == "Step 2 of 12 · 09:01 · Phone note added: Carers can't get a break at weekends"
        problems = screen.query(CardList).first()
        assert shown(screen)[Kind.PROBLEM] == ["Carers can't get a break at weekends"]
        assert screen.focused is problems and problems.selected_id == 1
        assert problems.views[0].new  # the card this step added carries the NEW badge
        await pilot.press("right", "right")
        assert caption(screen).startswith("Step 4 of 12 · 09:09 · Add card: A shared booking calendar")
        assert screen.focused.kind is Kind.OPTION and screen.focused.selected_id == 3
        await pilot.press("left")
        assert caption(screen).startswith("Step 3 of 12 · 09:02 · Phone note added: Respite bookings")
        assert shown(screen)[Kind.OPTION] == []
        await pilot.press("end")
        assert caption(screen).startswith("Step 12 of 12 · ") and "Phones closed" in caption(screen)
        hub = replay_app.hub
        assert shown(screen) == {kind: [c.text for c in hub.session.column(kind)] for kind in Kind}
        assert screen.focused is None  # closing phones is about no card
        await pilot.press("shift+left")
        assert screen.replay.position == 2
        await pilot.press("shift+left")
        assert screen.replay.position == 0
        await pilot.press("shift+right", "home")
        assert screen.replay.position == 0 and shown(screen)[Kind.PROBLEM] == []


async def test_link_steps_redraw_the_linked_column_too(replay_app):
    async with replay_app.run_test(size=SIZE) as pilot:
        screen = await open_replay(pilot, position=7)

        def link_counts(kind: Kind) -> dict[int, int]:
            return {v.id: v.linked_from for cl in screen.query(CardList) if cl.kind is kind for v in cl.views}

        assert link_counts(Kind.PROBLEM) == {1: 0, 2: 0}
        assert [v.new for cl in screen.query(CardList) for v in cl.views] == [False] * 5 + [True]
        await pilot.press("right")  # 8: option 3 links problem 2
        assert caption(screen).startswith("Step 8 of 12 · ") and caption(screen).endswith(
            "Link: A shared booking calendar → Respite bookings get lost between teams")
        assert link_counts(Kind.PROBLEM) == {1: 0, 2: 1}
        assert not any(v.new for cl in screen.query(CardList) for v in cl.views)  # the badge went with the step
        await pilot.press("left")
        assert link_counts(Kind.PROBLEM) == {1: 0, 2: 0}


async def test_marks_and_the_mark_keys(replay_app):
    async with replay_app.run_test(size=SIZE) as pilot:
        screen = await open_replay(pilot)
        marks = [(m.position, m.label) for m in screen.replay.marks()]
        assert marks == [(3, "Pause 09:02 (7 min)"), (12, "End")]
        text = screen_text(pilot.app)
        assert "09:02 Pause 7 min" in text and "09:17 End" in text
        await pilot.press("right_square_bracket")
        assert screen.replay.position == 3
        await pilot.press("right_square_bracket")
        assert screen.replay.position == 12
        await pilot.press("right_square_bracket")  # no mark after the end: stays
        assert screen.replay.position == 12
        await pilot.press("left_square_bracket")
        assert screen.replay.position == 3
        await pilot.press("left_square_bracket")  # before the first mark: the start
        assert screen.replay.position == 0


async def test_clicks_on_the_bar_and_on_a_mark_jump(replay_app):
    async with replay_app.run_test(size=SIZE) as pilot:
        screen = await open_replay(pilot)
        await pilot.click("#replay-marks", offset=(3, 1))  # the second line: End
        assert screen.replay.position == 12
        await pilot.click(Scrubber, offset=(0, 0))
        assert screen.replay.position == 0
        bar = screen.query_one(Scrubber)
        await pilot.click(Scrubber, offset=(bar.content_size.width - 1, 0))
        assert screen.replay.position == 12


async def test_play_pause_and_speed(replay_app):
    async with replay_app.run_test(size=SIZE) as pilot:
        screen = await open_replay(pilot)
        await pilot.press("plus", "plus", "plus", "plus", "minus")
        assert "16/s" in screen_text(pilot.app)
        await pilot.press("space")
        assert "▶ 16/s" in screen_text(pilot.app)
        await settle(pilot, lambda: screen.replay.position == 12 and screen._timer is None)
        assert "❚❚ 16/s" in screen_text(pilot.app)
        await pilot.press(*["minus"] * 5)  # 1 step a second: slow enough to catch it playing on a busy machine
        assert "❚❚ 1/s" in screen_text(pilot.app)
        await pilot.press("space")  # at the end, play starts again from the beginning
        assert screen._timer is not None and screen.replay.position <= 2
        await pilot.press("right")  # stepping pauses
        assert screen._timer is None
        await pilot.press(*["plus"] * 10)
        assert f"{SPEEDS[-1]}/s" in screen_text(pilot.app)


async def test_escape_goes_back_and_nothing_changed(sessions_dir, app_factory):
    """Over a live board too: the replay only reads the hub."""
    session_id = build_session(sessions_dir)
    before = (sessions_dir / f"{session_id}.json").read_bytes()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_replay(pilot)
        events = len(app.hub.events)
        await pilot.press("end", "left", "left_square_bracket", "home", "space", "space")
        await pilot.press("escape")
        await settle(pilot, lambda: isinstance(app.screen, BoardScreen))
        assert len(app.hub.events) == events and screen.replay.total == events
    assert (sessions_dir / f"{session_id}.json").read_bytes() == before


async def test_hostile_card_text_is_shown_as_typed(sessions_dir, app_factory):
    accepted = [t for t in HOSTILE if not rejected(t)]
    texts = [("problem", t) for t in accepted]
    app = app_factory(build_session(sessions_dir, texts), read_only=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_replay(pilot)
        stored = {c.id: c.text for c in app.hub.session.cards.values()}
        await pilot.press("right")  # step 1: the session is created
        for step in range(2, screen.replay.total + 1):
            await pilot.press("right")
            assert screen.replay.position == step
            card_id = screen.replay.focus_card()
            assert caption(screen).endswith(" ".join(stored[card_id].split()))
        await pilot.press("shift+left", "home", "end")
        assert "[@click=app.quit]x[/]" in "".join(shown(screen)[Kind.PROBLEM])
        assert app.is_running


def test_snapshot_mid_session(snap_compare, sessions_dir, app_factory):
    """Step 8: a link just made, the option focused; the problem it addresses shows its link."""
    app = app_factory(build_session(sessions_dir), read_only=True)

    async def run_before(pilot):
        await open_replay(pilot)
        await pilot.press("right_square_bracket", *["right"] * 5)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
