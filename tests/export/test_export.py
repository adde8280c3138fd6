"""Markdown and HTML exports: golden files, and proof that what people typed stays literal, inert text.

Golden files live in tests/golden/export/. After an intended change to an export, regenerate them with

    COPROD_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_export*.py

and review the diff before committing. The inertness tests do not trust the golden files: they parse the output the
way a browser or a Markdown viewer would (html.parser, markdown-it-py) and check that every card's text comes back
exactly, that no element or attribute could run anything, and that nothing is fetched from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from support.export import MARKDOWN_LINES, build_fixed, build_hostile, build_running, check_golden, load
from markdown_it import MarkdownIt

from coprod_tui.core.model import Session
from coprod_tui.export.html import session_html, swatch_colour
from coprod_tui.export.escape import escape_line, escape_text
from coprod_tui.export.markdown import labels, session_markdown
from support.html import ALLOWED_ATTRS, ALLOWED_TAGS, parse
from support.paths import REPO

# Where the board ends in a session report and the method sections (self-reflection, plan, credits) begin.
METHOD_HEADINGS = ("<h2>Self-reflection", "<h2>The plan")


@pytest.fixture(scope="module")
def sessions(tmp_path_factory) -> dict[str, Session]:
    folder = tmp_path_factory.mktemp("sessions")
    return {"fixed": load(folder, build_fixed(folder)), "hostile": load(folder, build_hostile(folder)),
            "running": load(folder, build_running(folder)),
            "demo": load(REPO / "sessions", "demo-carers-respite")}


def board_part(html: str) -> str:
    """The report up to the method sections: the part whose list items are the board's cards."""
    cut = min((html.find(h) for h in METHOD_HEADINGS if h in html), default=len(html))
    return html[:cut]


def card_texts(session: Session) -> list[str]:
    """The cards' texts in the order the exports list them, each prefixed by its label as the first line shows it."""
    label = labels(session)
    ordered = sorted(session.cards.values(), key=lambda c: (label[c.id][0] != "P", label[c.id][0] != "O",
                                                            int(label[c.id][1:])))
    return [f"{label[c.id]} {c.text}" for c in ordered]


# -- golden files -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["fixed", "hostile", "running"])
def test_markdown_and_html_match_their_golden_files(sessions, which):
    session = sessions[which]
    check_golden(f"{which}.md", session_markdown(session).encode("utf-8"))
    check_golden(f"{which}.html", session_html(session).encode("utf-8"))


def test_the_fixed_export_says_what_a_reader_needs(sessions):
    md = session_markdown(sessions["fixed"])
    assert md.startswith("# Short breaks for carers\n")
    for expected in ("**Question:** How do carers get a real break?\\\nAnd what could each of us do?",
                     "**Programme:** Short breaks review 2026", "**Date:** 2025-03-14",
                     "| *Carers* | Carers and family | 1 | 1 | 1 | 3 |", "## Problems (3)", "## Options (2)",
                     "- **O2** A weekend sitting service", "Addresses: **P1** Carers can't get a break at weekends",
                     "**hidden from phones**", "no group · anonymous", "*Commissioners* · by Lee"):
        assert expected in md, expected


# -- Markdown: the text round-trips ---------------------------------------------------------------------------------

@pytest.mark.parametrize("line", MARKDOWN_LINES)
def test_a_line_that_looks_like_markdown_stays_literal(line):
    tokens = MarkdownIt("commonmark").enable("table").parse(escape_line(line) + "\n")
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    assert [c.type for c in tokens[1].children] == ["text"] * len(tokens[1].children)
    assert "".join(c.content for c in tokens[1].children) == line


def test_multi_line_text_keeps_its_line_breaks_inside_one_list_item():
    text = "first\n    indented\n\n- not a list\n> nor a quote\nlast\\"
    tokens = MarkdownIt("commonmark").parse(f"- **P1** {escape_text(text, '  ')}\n")
    assert [t.type for t in tokens] == ["bullet_list_open", "list_item_open", "paragraph_open", "inline",
                                        "paragraph_close", "list_item_close", "bullet_list_close"]
    children = tokens[3].children
    assert {c.type for c in children} == {"strong_open", "strong_close", "text", "hardbreak"}
    assert "".join("\n" if c.type == "hardbreak" else c.content for c in children) == f"P1 {text}"


@pytest.mark.parametrize("which", ["fixed", "hostile", "demo"])
def test_markdown_rendered_back_gives_every_card_text_exactly(sessions, which):
    session = sessions[which]
    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render(session_markdown(session))
    assert parse(board_part(rendered)).cards == card_texts(session)


# -- HTML: inert, self-contained, printable --------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["fixed", "hostile", "demo"])
def test_html_is_inert_and_shows_every_card_text_exactly(sessions, which):
    session = sessions[which]
    html = session_html(session)
    page = parse(html)
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    assert "script" not in page.tags
    assert {name for name, _ in page.attrs} <= ALLOWED_ATTRS
    assert not [name for name, _ in page.attrs if name.lower().startswith("on")]
    for name, value in page.attrs:
        assert not re.sub(r"\s", "", value).lower().startswith("javascript:"), (name, value)
    assert parse(board_part(html)).cards == card_texts(session)
    names = {g.name for g in session.groups.values()}
    assert set(page.groups) <= names and (set(page.groups) == names or not session.cards)


def test_html_allows_only_its_own_stylesheet(sessions):
    page = parse(session_html(sessions["hostile"]))
    digest = base64.b64encode(hashlib.sha256(page.style.encode("utf-8")).digest()).decode()
    assert page.csp == f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    assert "url(" not in page.style and "@import" not in page.style
    assert "@media print" in page.style and "break-inside: avoid" in page.style and "@page" in page.style


def test_html_title_is_escaped_and_swatches_sit_beside_group_names(sessions):
    html = session_html(sessions["hostile"])
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) # *t* =1+1 | &amp;amp;" in html
    assert '<span class="group"><span class="swatch g1" aria-hidden="true"></span>&lt;b&gt;Carers&lt;/b&gt; | *x*' \
        in html
    fixed = session_html(sessions["fixed"])
    assert ".swatch.g1 { background: #E69F00; }" in fixed and ".swatch.g4 { background: #123abc; }" in fixed


@pytest.mark.parametrize("colour, css", [("orange", "#E69F00"), ("#A1b2C3", "#a1b2c3"), ("red; x: y", "#999999"),
                                         ("#12345", "#999999"), ("", "#999999")])
def test_a_group_colour_becomes_css_only_when_it_is_one(colour, css):
    assert swatch_colour(colour) == css


def test_a_steered_session_exports_clusters_votes_and_breakout_marks(sessions):
    md = session_markdown(sessions["running"])
    assert "## Votes (round 1, open)" in md
    # the vote cast on a note before it was clustered counts for its cluster
    assert "| **P2** Breaks are hard to get, and nobody says you can ask | 3 | Carers and family 2, " in md
    assert "cluster of 2 notes · **3 votes**" in md
    assert "  - **P1** Carers can't get a break at weekends (*Carers*, by Asha)" in md
    assert md.count("Carers can't get a break at weekends") == 1  # members only under their cluster
    for words in ("brought back from a breakout", "parked after a breakout", "held until the reveal"):
        assert words in md
