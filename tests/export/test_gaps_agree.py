"""One gap, four outputs: the appraisal screen, the Markdown and HTML session reports and the method report say the
same numbers, because each gap is worked out from unrounded averages and rounded once (core/reading/appraisal.py).

The session, by hand. Two carers and two staff (a practitioner, a commissioner) answer; every statement is scored 3
except Reciprocity's (re1 re2 re3):

    practitioner    4 3 3   \\
    commissioner    3 3 3   /  staff:  19 / 6 = 3.1666…  → written 3.2
    carer           2 2 2   \\
    carer           2 2 1   /  carers: 11 / 6 = 1.8333…  → written 1.8

The gap is 19/6 − 11/6 = 8/6 = 1.3333…, written 1.3. Subtracting the rounded averages first would say
3.2 − 1.8 = 1.4: the bug this test keeps out ("1.3 lower" on the screen, "1.4 lower" in the report). Everyone's
Reciprocity average is (19 + 11) / 12 = 2.5; every other principle is 3.0 for everyone, so this is the only gap.
"""

from __future__ import annotations

from html import unescape

from support.app import SIZE
from support.export import Clock, answer, start_session
from support.tui_method import show

from coprod_tui.core.method import STATEMENTS
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.export import export_bytes
from coprod_tui.tui.method.appraisal import AppraisalScreen

SESSION = "2025-03-14-gaps"
GAP = "Carers and family score Reciprocity 1.3 lower than staff (1.8 vs 3.2)"
WRONG = "Reciprocity 1.4 lower"
RECIPROCITY = {"practitioners": ["4 3 3"], "commissioners": ["3 3 3"], "carers": ["2 2 2", "2 2 1"]}


def scores(reciprocity: str) -> str:
    """Fifteen scores in statement order: 3 everywhere, `reciprocity` for re1 re2 re3."""
    values = ["3"] * len(STATEMENTS)
    first = list(STATEMENTS).index("re1")
    values[first:first + 3] = reciprocity.split()
    return " ".join(values)


def build(folder) -> None:
    hub = start_session(folder, SESSION, "Gaps by hand", "", [("Carers", "carers", "orange"),
                                                             ("Staff", "practitioners", "blue")], "", Clock())
    try:
        for role, rows in RECIPROCITY.items():
            for row in rows:
                answer(hub, role, 3, 5, scores(row))
    finally:
        hub.close()


def report(folder, fmt: str, which: str = "session") -> str:
    text = export_bytes(fmt, SessionFolder(folder), SESSION, which).decode("utf-8")
    return unescape(text) if fmt == "html" else text


async def test_screen_markdown_html_and_method_report_say_the_same_gap(sessions_dir, app_factory):
    build(sessions_dir)
    outputs = {
        "session markdown": report(sessions_dir, "md"),
        "session html": report(sessions_dir, "html"),
        "method report": report(sessions_dir, "md", "method"),
        "method report html": report(sessions_dir, "html", "method"),
    }
    app = app_factory(SESSION)
    async with app.run_test(size=SIZE) as pilot:
        screen = await show(pilot, AppraisalScreen(app.hub.session), lambda s: bool(s.text().strip()))
        outputs["screen"] = screen.text()
    for name, text in outputs.items():
        assert GAP in text, name
        assert WRONG not in text, name
        assert text.count("lower than staff (") == 1, name  # the only gap
    markdown = outputs["session markdown"]
    assert f"- {GAP}." in markdown and markdown.count(GAP) == 1
    assert f"<li>{GAP}.</li>" in outputs["session html"]
    assert f"⚠ {GAP}" in outputs["screen"]
    # the averages beside it, as each output writes them
    assert "| Carers and family | 3.0 | 3.0 | 3.0 | 1.8 | 3.0 |" in markdown
    assert "| **Everyone** | 3.0 | 3.0 | 3.0 | 2.5 | 3.0 |" in markdown
    reciprocity = next(line for line in outputs["screen"].splitlines() if line.startswith("Reciprocity  ")
                       and "⚠" in line and "scores" in line)
    assert " 2.5 ⚠" in reciprocity and "12 scores" in reciprocity
