"""The appraisal screen: figures a person can work out by hand, gaps in words, movement since an earlier session.

The answers below (three people, two roles):

    practitioners  eq1 4  eq2 3  di1 3             ladder 4 → 6
    practitioners  eq1 3  eq2 4  di1 don't know    ladder 5 → 6
    carers         eq1 2  eq2 2  di1 3   ac1 1     ladder 2 → 7

Equality: (4+3+3+4+2+2)/6 = 3.0; staff (4+3+3+4)/4 = 3.5; carers (2+2)/2 = 2.0 — a gap of 1.5.
Diversity: (3+3)/2 = 3.0 with one "don't know"; staff 3.0, carers 3.0 — no gap. Accessibility: carers only, 1.0.
Ladder: now (4+5+2)/3 = 3.7, target (6+6+7)/3 = 6.3. Lowest statements: ac1 1.0, then di1 3.0 and eq1 3.0 (ties
by id).
"""

from __future__ import annotations

from support.app import SIZE, notices, settle, prepare
from coprod_tui.core.hub import read_session
from coprod_tui.core.method import CREDITS
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.core.reading.appraisal import Ladder
from coprod_tui.tui.method.appraisal import AppraisalScreen, Palette, bar, ladder_row
from coprod_tui.core.reading.programme import earlier_of_programme
from support.tui_method import answer, show

ANSWERS = [
    answer("practitioners", 4, 6, eq1=4, eq2=3, di1=3),
    answer("practitioners", 5, 6, eq1=3, eq2=4, di1=0),
    answer("carers", 2, 7, eq1=2, eq2=2, di1=3, ac1=1),
]


def lines(screen: AppraisalScreen) -> list[str]:
    return [line.rstrip() for line in screen.text().splitlines()]


def line_with(screen: AppraisalScreen, start: str, after: str = "") -> str:
    """The first line starting with `start` (below the first line starting with `after`, if given)."""
    shown = lines(screen)
    if after:
        shown = shown[next(i for i, line in enumerate(shown) if line.startswith(after)):]
    return next(line for line in shown if line.startswith(start))


async def test_figures_gaps_dont_knows_ladder_and_lowest(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, ANSWERS)
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, AppraisalScreen(app.hub.session), lambda s: bool(s.text().strip()))
        text = screen.text()
        assert "An honest appraisal · Short breaks for carers · 2025-03-14" in text
        assert "3 answers: Practitioners 2 · Carers and family 1" in text

        equality = line_with(screen, "Equality  ")
        assert " 3.0 ⚠" in equality and "6 scores" in equality
        filled, track = bar(3.0)
        assert filled + track in equality and len(filled) == 24  # 3 of 4 → three quarters of 32 cells
        diversity = line_with(screen, "Diversity  ")
        assert " 3.0" in diversity and "2 scores · 1 don't know" in diversity and "⚠" not in diversity
        assert "1.0" in line_with(screen, "Accessibility  ")
        assert "—  0 scores" in line_with(screen, "Reciprocity  ")

        assert "Carers and family score Equality 1.5 lower than staff (2.0 vs 3.5)" in text
        assert text.count("lower than staff") == 1
        # The spread table: principle, carers, practitioners, everyone.
        row = [cell for cell in lines(screen) if cell.startswith("Equality ") and "⚠" in cell and "█" not in cell]
        assert len(row) == 1 and row[0].split() == ["Equality", "2.0", "⚠", "3.5", "3.0"]
        assert "\"Don't know\": 1 answer in all — Diversity 1." in text

        everyone = line_with(screen, "Everyone  ")
        assert "now 3.7 → should be 6.3  (3 answers)" in everyone
        assert "●" in everyone and "◆" in everyone
        assert "now 2.0 → should be 7.0" in line_with(screen, "Carers and family  ")
        assert "now 4.5 → should be 6.0" in line_with(screen, "Practitioners  ")

        lowest = lines(screen)[lines(screen).index("The 3 lowest statements") + 1:][:3]
        assert lowest[0].startswith("1.0  Everyone can take part in a way that suits them")
        assert lowest[1].startswith("3.0  We actively seek out people") and lowest[2].startswith("3.0  People who use")
        assert "Only one role answered" not in text and "Since " not in text
        assert text.index("Sources") > text.index("The 3 lowest statements")
        for credit in CREDITS:
            assert " ".join(credit.split()[:6]) in " ".join(text.split())


async def test_one_role_says_there_is_no_spread(make_session, app_factory, sessions_dir):
    session_id = make_session()
    prepare(sessions_dir, session_id, ANSWERS[:2])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, AppraisalScreen(app.hub.session), lambda s: bool(s.text().strip()))
        text = screen.text()
        assert "Only one role answered: no spread to compare" in text
        assert "lower than staff" not in text and "Practitioners  " not in "\n".join(lines(screen)[-30:])
        assert "now 4.5 → should be 6.0  (2 answers)" in line_with(screen, "Everyone  ")


async def test_no_answers_yet_and_refresh_picks_up_new_ones(make_session, app_factory):
    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, AppraisalScreen(app.hub.session), lambda s: bool(s.text().strip()))
        assert "No self-reflection answers yet" in screen.text() and "Sources" in screen.text()
        app.hub.apply(answer("carers", 3, 5, eq1=2))
        await pilot.press("r")
        await settle(pilot, lambda: "1 answer: Carers and family 1" in screen.text())
        assert " 2.0" in line_with(screen, "Equality  ")
        assert any("Worked out again" in message for _, message in notices(app))
        app.hub.apply(answer("practitioners", 5, 6, eq1=4))
        await pilot.press("f5")
        await settle(pilot, lambda: "2 answers" in screen.text())
        assert "Carers and family score Equality 2.0 lower than staff (2.0 vs 4.0)" in screen.text()
        await pilot.press("escape")
        await settle(pilot, lambda: app.screen is not screen)


async def test_movement_since_an_earlier_session_of_the_programme(make_session, app_factory, sessions_dir):
    folder = SessionFolder(sessions_dir)
    first = make_session("Short breaks: first look", programme="Short breaks", at="2024-09-10T10:00:00.000+00:00")
    prepare(sessions_dir, first, [answer("carers", 2, 6, eq1=1, eq2=2, ac1=4), answer("practitioners", 3, 6, eq1=3)],
            at="2024-09-10T11:00:00.000+00:00")
    empty = make_session("Short breaks: no reflection", programme="short breaks", at="2024-12-01T10:00:00.000+00:00")
    other = make_session("Day services", programme="Day services", at="2025-01-05T10:00:00.000+00:00")
    prepare(sessions_dir, other, [answer("carers", 1, 2, eq1=1)])
    later = make_session(programme="Short breaks")
    prepare(sessions_dir, later, ANSWERS)
    after = make_session("Short breaks: next year", programme="Short breaks", at="2026-01-01T10:00:00.000+00:00")
    prepare(sessions_dir, after, ANSWERS[:1])

    found = earlier_of_programme(folder, read_session(folder, later))
    assert found is not None and found.meta.id == first  # not the empty one, another programme, or a later one
    assert read_session(folder, empty).reflections == {}

    app = app_factory(later)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, AppraisalScreen(app.hub.session, found), lambda s: bool(s.text().strip()))
        text = screen.text()
        assert "Compared with Short breaks: first look (2024-09-10)" in text
        assert "Since Short breaks: first look (2024-09-10)" in text
        assert "2 answers then, 3 answers now." in text
        # Equality: (1+2+3)/3 = 2.0 then, 3.0 now.
        since = "Since Short breaks"
        assert line_with(screen, "Equality ", since).split() == ["Equality", "2.0", "→", "3.0", "▲", "+1.0"]
        assert "— → 3.0  — not comparable: no figure then" in line_with(screen, "Diversity ", since)
        assert "4.0 → 1.0  ▼ −3.0" in line_with(screen, "Accessibility ", since)
        assert "= no change" not in screen.text()
        assert "2.5 → 3.7  ▲ +1.2" in line_with(screen, "Ladder: now", since)
        assert "6.0 → 6.3  ▲ +0.3" in line_with(screen, "Ladder: should be", since)


def test_the_drawing_helpers():
    assert bar(None) == ("", "·" * 32)
    assert bar(4.0) == ("█" * 32, "")
    filled, track = bar(1.0)
    assert filled == "█" * 8 and len(filled + track) == 32
    filled, _ = bar(2.05)
    assert filled.startswith("█" * 16) and filled[-1] in "▏▎▍▌▋▊▉"
    ladder = Ladder()
    ladder.now.add(3)
    ladder.target.add(3)
    row = ladder_row("Everyone", ladder, Palette())
    assert "◉" in row.plain and "●" not in row.plain  # now and target on the same rung: one marker for both
    assert "now 3.0 → should be 3.0  (1 answer)" in row.plain


async def test_hostile_titles_show_as_typed(make_session, app_factory, sessions_dir):
    title = "[@click=app.quit]x[/] <b>& {{7*7}}"
    session_id = make_session(title, programme="[bold red]P[/]", session_id="2025-03-14-hostile")
    prepare(sessions_dir, session_id, ANSWERS)
    earlier = make_session("[/] earlier ‮dcba", programme="[bold red]P[/]", at="2025-01-01T10:00:00.000+00:00",
                           session_id="2025-01-01-hostile")
    prepare(sessions_dir, earlier, ANSWERS[2:])
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        found = earlier_of_programme(app.folder, app.hub.session)
        screen = await show(pilot, AppraisalScreen(app.hub.session, found), lambda s: bool(s.text().strip()))
        text = screen.text()
        assert title in text and "programme [bold red]P[/]" in text and "Since [/] earlier ‮dcba (2025-01-01)" in text
        assert app.is_running
