"""The self-reflection and plan report, "you said, we did", and the method sections of the session report.

Golden files (tests/golden/export/*.method.* and *.yousaid.*; `COPROD_UPDATE_GOLDEN=1` regenerates them, see
test_export.py) pin the whole documents; the tests here check the figures by hand, the plain-language rules of
"you said, we did" (no names, no ids, no jargon, hidden notes left out, clusters as one), the movement since an earlier
session of the same programme, and — without trusting the golden files — that hostile text stays literal and inert.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support.export import (FIXED_NOW, Clock, answer, build_fixed, build_hostile, build_running, check_golden, load,
                            start_session)
from markdown_it import MarkdownIt
from support.html import ALLOWED_ATTRS, ALLOWED_TAGS, parse

from coprod_tui.core.commands import ActionDraft, AddAction, SetActionDone, SetResponse
from coprod_tui.core.method import CREDITS, STATEMENTS
from coprod_tui.core.model import Kind, Meta, Session
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.core.reading.yousaid import plan_actions, shown, you_said_we_did
from coprod_tui.core.reading.appraisal import number
from coprod_tui.core.reading.programme import Since, earlier_of_programme
from coprod_tui.core.wording import one_line
from coprod_tui.export import export_bytes
from coprod_tui.export.html import bar_width, method_html, session_html, yousaid_html
from coprod_tui.export.escape import escape_line
from coprod_tui.export.markdown import session_markdown
from coprod_tui.export.method_md import bar, change, method_markdown
from coprod_tui.export.yousaid import NOT_YET_SAID, plain_date, yousaid_markdown

FIXED = "2025-03-14-short-breaks"
HOSTILE = "2025-03-14-hostile"
PROGRAMME = "Short breaks review 2026"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sessions")
    build_fixed(path)
    build_hostile(path)
    build_running(path)
    return path


@pytest.fixture(scope="module")
def sessions(folder) -> dict[str, Session]:
    return {"fixed": load(folder, FIXED), "hostile": load(folder, HOSTILE),
            "running": load(folder, "2025-03-14-running")}


def md_parse(markdown: str):
    return MarkdownIt("commonmark", {"html": False}).enable("table").parse(markdown)


def inline_text(token) -> str:
    return "".join("\n" if c.type in ("hardbreak", "softbreak") else c.content for c in token.children or [])


# -- golden files --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["fixed", "hostile"])
def test_method_and_yousaid_reports_match_their_golden_files(sessions, which):
    session = sessions[which]
    since = Since(None)  # both belong to a programme; neither has an earlier session with answers
    check_golden(f"{which}.method.md", method_markdown(session, since).encode("utf-8"))
    check_golden(f"{which}.method.html", method_html(session, since).encode("utf-8"))
    check_golden(f"{which}.yousaid.md", yousaid_markdown(session).encode("utf-8"))
    check_golden(f"{which}.yousaid.html", yousaid_html(session).encode("utf-8"))


def test_the_registry_gives_what_the_functions_give(folder, sessions):
    store = SessionFolder(folder)
    fixed = sessions["fixed"]
    assert export_bytes("md", store, FIXED, "method") == method_markdown(fixed, Since(None)).encode()
    assert export_bytes("html", store, FIXED, "yousaid") == yousaid_html(fixed).encode()
    assert export_bytes("md", store, FIXED) == session_markdown(fixed, Since(None)).encode()


# -- the figures, by hand --------------------------------------------------------------------------------------------

def test_numbers_round_half_up_and_changes_are_rounded_once():
    assert [number(x) for x in (2.25, 2.65, 2.35, 20 / 7, 3.0, None)] == ["2.3", "2.7", "2.4", "2.9", "3.0", "–"]
    assert change(2.0, 2.5) == "▲ +0.5" and change(2.5, 2.2) == "▼ −0.3" and change(2.04, 2.0) == "="
    assert change(None, 2.0) == "–"
    assert bar(20 / 7) == "`█████▊░░`" and bar(4) == "`████████`" and bar(1) == "`██░░░░░░`"
    assert bar_width("█████▊░░") == 72 and bar_width("████████") == 100 and bar_width("abc") is None


def small_session(answers) -> Session:
    meta = Meta(id="small", title="Small", question="", created=FIXED_NOW, updated=FIXED_NOW)
    session = Session(meta=meta)
    for n, (role, now, target, scores) in enumerate(answers, 1):
        session.reflections[f"f{n}"] = {"id": f"f{n}", "participant": None, "role": role, "ladder_now": now,
                                        "ladder_target": target, "scores": scores, "evidence": {},
                                        "created": FIXED_NOW, "source": "facilitator"}
    return session


def test_hand_computed_appraisal():
    session = small_session([
        ("carers-and-family", 2, 6, {"eq1": 1, "eq2": 2, "eq3": 0}),
        ("practitioners", 4, 6, {"eq1": 4, "eq2": 3, "eq3": 3}),
        ("commissioners-and-managers", 5, 7, {"eq1": 3, "eq2": 4}),
    ])
    md = method_markdown(session)
    # Equality: 1 2 | 4 3 3 | 3 4 = 20 / 7 = 2.857…; one "don't know"
    assert "| Equality | `█████▊░░` 2.9 | 7 | 1 |" in md
    assert "| Diversity | no scores | 0 | 0 |" in md
    assert "3 people answered: Carers and family 1 · Practitioners 1 · Commissioners and managers 1." in md
    # carers 1.5; staff (4 + 3 + 3 + 3 + 4) / 5 = 3.4
    assert "- Carers and family score Equality 1.9 lower than staff (1.5 vs 3.4)." in md
    assert "| Carers and family | 1.5 | – | – | – | – |" in md
    assert "| Practitioners | 3.3 | – | – | – | – |" in md
    # lowest: eq1 (1 + 4 + 3) / 3, then eq2 3.0 and eq3 3.0 (one score, one "don't know"), ties by id
    lowest = md.split("### The lowest scores")[1].split("###")[0]
    assert [line[:8] for line in lowest.strip().splitlines()] == ["- **2.7*", "- **3.0*", "- **3.0*"]
    assert "have as much say in decisions as staff. (Equality; 3 scores)" in lowest
    assert "(Equality; 1 score, 1 don’t know)" in lowest
    # ladder: now (2 + 4 + 5) / 3 = 3.67, target (6 + 6 + 7) / 3 = 6.33
    assert "| **Everyone** | 3.7 (Consultation) | 6.3 (Co-design) | 2.6 |" in md
    assert "| Carers and family | 2.0 (Educating) | 6.0 (Co-design) | 4.0 |" in md
    assert "Over time" not in md and "Since" not in md  # no programme


def test_one_role_only_says_there_is_no_spread():
    session = small_session([("carers", 3, 6, {"eq1": 2}), ("carers", None, None, {"eq1": 3})])
    md = method_markdown(session)
    assert "Only Carers and family answered, so there is no spread between roles to compare." in md
    assert "Spread by role" not in md and "Gaps between" not in md


def test_a_session_without_answers_or_plan_has_no_method_sections(sessions):
    running = sessions["running"]
    assert "Self-reflection" not in session_markdown(running) and "## Credits" not in session_markdown(running)
    md = method_markdown(running)
    assert "Nobody has answered the self-reflection yet." in md and "There are no actions in the plan yet." in md
    assert "No review date is set yet." in md and md.rstrip().endswith(escape_line(CREDITS[-1]))


def test_the_fixed_session_report_carries_appraisal_plan_and_credits(sessions):
    md = session_markdown(sessions["fixed"])
    parts = ["## Contributions (3)", "## Self-reflection: how are we doing?", "### Average per principle",
             "### Spread by role", "### Gaps between staff", "### The lowest scores", "### The ladder",
             "## The plan (3 actions: 1 done, 2 not done yet)", "## Credits"]
    assert [md.index(p) for p in parts] == sorted(md.index(p) for p in parts)
    assert "- Carers and family score Equality 1.5 lower than staff (2.0 vs 3.5)." in md
    assert "| Equality | `█████▍░░` 2.7 | 14 | 1 |" in md  # 38 / 14 = 2.71: 43 eighths of 64
    assert "**Review date:** 2025-07-15" in md
    # the plan: every field; recognition as a kind and a note; where the action comes from, by label and text
    assert "**Who:** Sam (Practitioners) · **By:** 2025-05-01 · **Done** 2025-04-20" in md
    assert "**What happened:** The calendar went live on 20 April.\\\n  Both teams use it." in md
    assert "**How people are recognised:** Expenses repaid: Travel repaid within a week" in md
    assert "**How people are recognised:** None offered" in md
    assert "**Access needs:** Induction in the evening; BSL interpreter booked" in md
    assert "**How results are fed back:** Update at the carers' forum in July" in md
    assert ("**Comes from:** the contribution **C1** “The council can host the calendar” · **Serves:** the option "
            "**O1** “A shared booking calendar” · **For:** the problem **P2** “Respite bookings get lost between "
            "teams”") in md
    assert "**Who:** Asha (Carers and family) · **By:** no date set · **Not done yet**" in md
    assert md.index("## Credits") < min(md.index(escape_line(credit)) for credit in CREDITS)


def test_the_plan_text_renders_back_exactly(sessions):
    """Each action's first line is its number and its text, whatever the text holds (the hostile plan)."""
    session = sessions["hostile"]
    md = method_markdown(session)
    tokens = md_parse(md[md.index("## The plan"):md.index("## Credits")])
    firsts = [inline_text(tokens[i + 2]) for i, t in enumerate(tokens)
              if t.type == "list_item_open" and tokens[i + 2].type == "inline" and tokens[i].level == 1
              and inline_text(tokens[i + 2])[:1].isdigit()]
    assert firsts == [f"{n}. {a.what}" for n, a in enumerate(plan_actions(session), 1)]


# -- you said, we did ------------------------------------------------------------------------------------------------

def test_yousaid_is_plain_with_no_names_ids_or_jargon(sessions):
    session = sessions["fixed"]
    md = yousaid_markdown(session)
    for name in ("Asha", "Sam", "Lee"):  # authors of notes and people named in the plan
        assert name not in md
    for word in ("option", "contribution", "co-production", "P1", "O1", "C1", session.meta.id, "Action 1"):
        assert word.lower() not in md.lower(), word
    assert "Spam from a phone" not in md  # hidden from phones: not shown to participants
    assert "## You said: Carers can't get a break at weekends" in md
    assert "Raised by *Carers*." in md
    assert "Thank you for coming to our session on 14 March 2025." in md
    assert "We will look at all of this again together on 15 July 2025." in md


def test_yousaid_lists_what_was_done_and_what_was_not_and_why(sessions):
    md = yousaid_markdown(sessions["fixed"])
    calendar = md.split("### Your idea: A shared booking calendar")[1].split("## ")[0]
    assert "- Set up a shared booking calendar.\n\n  Done on 20 April 2025. Who: practitioners." in calendar
    assert "The calendar went live on 20 April.\\\n  Both teams use it." in calendar
    assert "not done" not in calendar and NOT_YET_SAID not in calendar
    respite = md.split("## You said: Respite bookings")[1].split("###")[0]
    assert "We have done everything we planned for this (1 thing)." in respite
    assert "Bookings now go through one calendar." in respite  # the facilitator's words on the problem
    sitting = md.split("### Your idea: A weekend sitting service")[1].split("## ")[0]
    assert "**What we did**\n\nNothing yet." in sitting
    assert "- Recruit ten volunteers for weekend sitting.\n\n  We plan to do this by 30 June 2025." in sitting
    assert "We have not set a date for this yet. Who: carers and family." in sitting
    assert "Recruiting takes longer than we hoped\\: volunteer checks take eight weeks." in sitting
    # an idea for two problems is told under each
    assert md.count("### Your idea: A weekend sitting service") == 2


def test_done_comes_first_and_the_promise_stands_in_for_a_missing_why(tmp_path):
    clock = Clock()
    hub = start_session(tmp_path, "s", "Session", "", [("Carers", "carers", "orange")], "", clock)
    try:
        from coprod_tui.core.commands import AddCard, CardDraft, ToggleLink

        hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text="No break", group_id=1, author="Asha")))
        hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="A sitting service", group_id=1)))
        hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="An idea for nothing in particular")))
        hub.apply(ToggleLink(card_id=2, target_id=1))
        hub.apply(AddAction(action=ActionDraft(what="Plan the service", card_id=2, by="2025-05-01")))
        hub.apply(AddAction(action=ActionDraft(what="Ask the council for money", card_id=2)))
        clock.at = "2025-04-02T10:00:00.000+00:00"
        hub.apply(SetActionDone(action_id=2, note="They said yes"))
        hub.apply(SetResponse(card_id=3, text="We could not find anyone to take this on"))
        session = hub.session
    finally:
        hub.close()
    md = yousaid_markdown(session)
    idea = md.split("### Your idea: A sitting service")[1]
    assert idea.index("Ask the council for money.") < idea.index("Plan the service.")
    assert "Done on 2 April 2025." in idea and "They said yes" in idea
    assert "We planned 2 things for this, and have done 1 so far." in md
    assert idea.split("## ")[0].rstrip().endswith(NOT_YET_SAID)
    other = md.split("## Other ideas you gave us")[1]
    assert "### Your idea: An idea for nothing in particular" in other
    assert "We could not find anyone to take this on" in other and NOT_YET_SAID not in other
    assert "Asha" not in md


def test_yousaid_counts_a_cluster_once_and_leaves_out_what_the_room_did_not_see(sessions):
    session = sessions["running"]
    report = you_said_we_did(session)
    problems = [b.problem.card.text for b in report.problems]
    assert problems == ["Breaks are hard to get, and nobody says you can ask",
                        "Respite bookings get lost between teams"]
    md = yousaid_markdown(session)
    assert "Carers can't get a break at weekends" not in md  # a member of the cluster
    assert "Still held" not in md and "Ring every carer once" not in md  # held; parked after the breakout
    assert "Carers' own rota" in md  # picked in the breakout: brought back to the room
    assert "Raised by *Carers*." in md
    assert all(shown(c) for c in session.cards.values() if c.text in md and not c.is_cluster)


def test_plain_dates():
    assert plain_date("2025-04-02") == "2 April 2025" and plain_date("2025-12-31T10:00") == "31 December 2025"
    assert plain_date("soon") == "soon"


def test_yousaid_headings_render_back_to_the_text_raised(sessions):
    session = sessions["hostile"]
    tokens = md_parse(yousaid_markdown(session))
    headings = [inline_text(tokens[i + 1]) for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    report = you_said_we_did(session)
    expected = [f"You said: {one_line(b.problem.card.text).strip()}" for b in report.problems]
    assert headings[:len(expected)] == expected


# -- over time -------------------------------------------------------------------------------------------------------

def _session_with(folder: Path, session_id: str, created: str, programme: str, answers) -> None:
    hub = start_session(folder, session_id, f"Session {session_id}", "", [("Carers", "carers", "orange")], programme,
               Clock(created))
    try:
        for row in answers:
            answer(hub, *row)
    finally:
        hub.close()


SCORES_2 = " ".join(["2"] * len(STATEMENTS))
SCORES_3 = " ".join(["3"] * len(STATEMENTS))


@pytest.fixture(scope="module")
def programme(tmp_path_factory) -> Path:
    """The fixed session (14 March) among others: the one to compare with is `first` (January); `empty` is more
    recent but has no answers; `other` has answers but another programme; `later` comes after."""
    path = tmp_path_factory.mktemp("programme")
    build_fixed(path)
    _session_with(path, "first", "2025-01-10T10:00:00.000+00:00", "short breaks  REVIEW 2026",
                  [("carers", 3, 6, SCORES_2), ("practitioners", 4, 6, SCORES_3)])
    _session_with(path, "older", "2024-11-10T10:00:00.000+00:00", PROGRAMME, [("carers", 1, 2, SCORES_2)])
    _session_with(path, "empty", "2025-02-10T10:00:00.000+00:00", PROGRAMME, [])
    _session_with(path, "other", "2025-03-01T10:00:00.000+00:00", "Transport", [("carers", 1, 1, SCORES_2)])
    _session_with(path, "later", "2025-06-01T10:00:00.000+00:00", PROGRAMME, [("carers", 7, 7, SCORES_3)])
    (path / "broken.json").write_text("{", "utf-8")
    return path


def test_the_most_recent_earlier_session_of_the_programme_with_answers_is_found(programme):
    store = SessionFolder(programme)
    fixed = load(programme, FIXED)
    assert earlier_of_programme(store, fixed).meta.id == "first"
    assert earlier_of_programme(store, load(programme, "first")).meta.id == "older"
    assert earlier_of_programme(store, load(programme, "older")) is None
    assert earlier_of_programme(store, load(programme, "other")) is None


def test_the_method_report_shows_movement_since_the_earlier_session(programme):
    md = export_bytes("md", SessionFolder(programme), FIXED, "method").decode()
    since = md.split("### Since Session first (2025-01-10)")[1].split("##")[0]
    assert "Then 2 people answered; this time 5." in since
    # then: every principle (2 + 3) / 2 = 2.5; ladder now 3.5, should be 6.0
    # now: equality 38/14 = 2.7, diversity 36/14 = 2.6, accessibility 31/15 = 2.1, reciprocity 34/15 = 2.3,
    # feedback 27/14 = 1.9; ladder now 20/5 = 4.0, should be 32/5 = 6.4
    assert since.strip().splitlines()[2:] == [
        "| | Then | Now | Change |", "| --- | ---: | ---: | --- |",
        "| Equality | 2.5 | 2.7 | ▲ +0.2 |",
        "| Diversity | 2.5 | 2.6 | ▲ +0.1 |",
        "| Accessibility | 2.5 | 2.1 | ▼ −0.4 |",
        "| Reciprocity | 2.5 | 2.3 | ▼ −0.2 |",
        "| Feedback and review | 2.5 | 1.9 | ▼ −0.6 |",
        "| Ladder: now | 3.5 | 4.0 | ▲ +0.5 |",
        "| Ladder: where we should be | 6.0 | 6.4 | ▲ +0.4 |",
    ]
    assert since in export_bytes("md", SessionFolder(programme), FIXED).decode()  # the session report too
    assert "Since Session first" in export_bytes("html", SessionFolder(programme), FIXED, "method").decode()


def test_without_an_earlier_session_with_answers_the_report_says_so(programme):
    md = export_bytes("md", SessionFolder(programme), "older", "method").decode()
    assert "No earlier session of this programme has self-reflection answers to compare with." in md


# -- HTML: inert, self-contained -------------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["fixed", "hostile"])
@pytest.mark.parametrize("render", [method_html, yousaid_html, session_html])
def test_method_and_yousaid_html_are_inert(sessions, which, render):
    html = render(sessions[which])
    page = parse(html)
    assert set(page.tags) <= ALLOWED_TAGS, set(page.tags) - ALLOWED_TAGS
    assert "script" not in page.tags
    assert {name for name, _ in page.attrs} <= ALLOWED_ATTRS
    assert not [name for name, _ in page.attrs if name.lower().startswith("on")]
    for name, value in page.attrs:
        assert not re.sub(r"\s", "", value).lower().startswith("javascript:"), (name, value)
    assert "url(" not in page.style and "@import" not in page.style
    # every bar's width has its rule, and nothing but bars uses the bar classes
    widths = set(re.findall(r'<span class="w(\d+)"></span>', html))
    assert widths == set(re.findall(r"\.bar > \.w(\d+) \{", page.style))
    assert bool(widths) == (render is not yousaid_html)


def test_hostile_titles_and_notes_stay_text(sessions):
    html = yousaid_html(sessions["hostile"])
    assert "<title>You said, we did \u2014 &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "<a " not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize("title", ["a*", "*a", "(x)", "_y_", "**", "`", "x\\", "1. first", "# h", "<b>", "a|b"])
def test_a_title_in_bold_renders_back_to_itself(title):
    session = small_session([])
    session.meta.title = title
    for markdown in (method_markdown(session), yousaid_markdown(session)):
        tokens = md_parse(markdown)
        first = next(i for i, t in enumerate(tokens) if t.type == "paragraph_open")
        children = [c for c in tokens[first + 1].children if c.type != "text" or c.content]
        assert children[0].type == "strong_open" and children[-1].type == "strong_close"
        assert "".join(c.content for c in children if c.type == "text") == title
