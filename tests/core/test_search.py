"""Search across sessions (core): the query language, matching, filters, spans, and keeping up with the folder."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from support.app import GROUPS
from coprod_tui.core.commands import AddCard, CardDraft, EditSession, HideCard
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.hub import open_session
from coprod_tui.core.model import Kind, Role
from coprod_tui.core.reading.search import SearchIndex, match_spans
from coprod_tui.core.reading.search_query import fold, parse_query
from coprod_tui.core.store.folder import SessionFolder
from support.hostile import HOSTILE, HOSTILE_IDS, rejected

MARCH = "2025-03-14T09:30:00.000+00:00"
JANUARY = "2025-01-20T16:45:00.000+00:00"


def edit(sessions_dir: Path, session_id: str, *commands) -> None:
    """Change a session through the hub, as a board would (atomic rewrite of the file)."""
    hub = open_session(SessionFolder(sessions_dir), session_id)
    try:
        for command in commands:
            hub.apply(command)
    finally:
        hub.close()


def add_card(sessions_dir: Path, session_id: str, text: str, kind: str = "problem", group_id: int | None = None):
    edit(sessions_dir, session_id, AddCard(card=CardDraft(kind=Kind(kind), text=text, group_id=group_id)))


@pytest.fixture
def two_sessions(make_session, sessions_dir) -> tuple[str, str]:
    """March: the sample board (programme "Short breaks 2025"); January: transport notes, groups as tables."""
    march = make_session("Short breaks for carers", at=MARCH)
    edit(sessions_dir, march, EditSession(programme="Short breaks 2025"))
    january = make_session(
        "Transport to clinics", question="Why do people miss hospital appointments?", at=JANUARY,
        groups=[("Table 2", "community", "orange"), ("Table 10", "carers", "sky")],
        cards=[("problem", "Buses stop at 6 and the café closes", "Table 2", None),
               ("option", "A volunteer driver scheme for the weekend", "Table 10", "Zoë"),
               ("contribution", "Naïve question: can the GP surgery book taxis?", None, None)],
        links=[])
    return march, january


@pytest.fixture
def index(two_sessions, sessions_dir) -> SearchIndex:
    index = SearchIndex(SessionFolder(sessions_dir))
    index.refresh()
    return index


def found(index: SearchIndex, text: str) -> list[tuple[str, str | None]]:
    """(session title, card text or None for a session hit) of every result, in order."""
    return [(r.session_title, None if r.is_session else r.text) for r in index.search(text).results]


def card_texts(index: SearchIndex, text: str) -> list[str]:
    return [r.text for r in index.search(text).results if not r.is_session]


# -- the query language ----------------------------------------------------------------------------------------------

def test_words_phrases_and_every_filter_are_parsed():
    q = parse_query('Respite "Short  NOTICE" kind:problem kind:Options group:"Table 2" role:carers '
                    'prog:breaks programme:Day from:2025-01-01 to:2025-12-31')
    assert q.terms == ("respite", "short notice")
    assert q.kinds == {Kind.PROBLEM, Kind.OPTION}
    assert q.groups == ("table 2",) and q.roles == {Role.CARERS} and q.programmes == ("breaks", "day")
    assert (q.date_from, q.date_to) == ("2025-01-01", "2025-12-31")
    assert q.has_card_filters and not q.is_empty


def test_unknown_keys_times_and_addresses_are_words():
    assert parse_query("foo:bar 10:30 https://x.org/a").terms == ("foo:bar", "10:30", "https://x.org/a")


def test_an_unfinished_quote_while_typing_is_the_phrase_so_far():
    assert parse_query('carers "short not').terms == ("carers", "short not")
    assert parse_query('group:"Table').groups == ("table",)
    assert parse_query("“curly quotes”").terms == ("curly quotes",)


def test_empty_and_invisible_queries_are_empty():
    for text in ("", "   ", '""', "\u200b", "\x00\x1b"):
        assert parse_query(text).is_empty, text


@pytest.mark.parametrize("text, words", [
    ("kind:banana", "Unknown kind 'banana'"),
    ("role:aliens", "Unknown role 'aliens'"),
    ("from:2026-13-01", "not a real date"),
    ("to:yesterday", "YYYY-MM-DD"),
    ("from:2026-1-1", "YYYY-MM-DD"),
    ("kind:", "kind: needs a value"),
    ('group:""', "group: needs a value"),
    ("from:2026-02-01 to:2026-01-01", "after"),
])
def test_a_bad_filter_value_is_refused_clearly(text, words):
    with pytest.raises(ValidationError, match=words):
        parse_query(text)


def test_role_and_kind_aliases_are_accepted():
    assert parse_query("role:family role:staff role:vcse").roles == {Role.CARERS, Role.PRACTITIONERS, Role.COMMUNITY}
    assert parse_query("KIND:Contributions").kinds == {Kind.CONTRIBUTION}


# -- matching ------------------------------------------------------------------------------------------------------

def test_every_word_must_match_anywhere_in_one_card(index):
    assert card_texts(index, "break weekend") == ["Carers can't get a break at weekends"]
    assert card_texts(index, "weekend") == ["Carers can't get a break at weekends",
                                            "A weekend sitting service run by volunteers",
                                            "A volunteer driver scheme for the weekend"]
    assert card_texts(index, "weekend calendar") == []


def test_case_and_accents_are_ignored_both_ways(index):
    assert card_texts(index, "CAFE") == card_texts(index, "café") == ["Buses stop at 6 and the café closes"]
    assert card_texts(index, "naive") == card_texts(index, "NAÏVE") == [
        "Naïve question: can the GP surgery book taxis?"]
    assert fold("Straße ÉCOLE ﬁ") == "strasse ecole fi"


def test_a_phrase_must_match_as_written(index):
    assert card_texts(index, '"shared booking"') == ["A shared booking calendar"]
    assert card_texts(index, '"booking shared"') == []
    assert card_texts(index, "booking shared") == ["A shared booking calendar"]


def test_newest_session_first_then_board_order(index):
    # March (newer) before January; inside a session: problems, options, contributions, in column order.
    titles = [r.session_title for r in index.search("a").results]
    assert titles.index("Transport to clinics") > titles.index("Short breaks for carers")
    march = [r for r in index.search("a").results if r.session_title == "Short breaks for carers" and r.card_id]
    assert [r.kind for r in march] == sorted((r.kind for r in march), key=list(Kind).index)


def test_titles_and_questions_are_searchable_and_open_the_session(index, two_sessions):
    result = index.search("hospital appointments").results[0]
    assert result.is_session and result.card_id is None and result.kind is None
    assert result.session_id == two_sessions[1] and result.text == "Why do people miss hospital appointments?"
    assert found(index, "transport clinics") == [("Transport to clinics", None)]
    hit = index.search("clinics").results[0]
    assert hit.title_spans == ((13, 20),)
    found_both = index.search("carers")
    assert found_both.titles == 1 and found_both.notes == 2 and found_both.sessions == 1


def test_kind_group_and_role_filters(index):
    assert card_texts(index, "kind:option") == ["A shared booking calendar",
                                                "A weekend sitting service run by volunteers",
                                                "A volunteer driver scheme for the weekend"]
    assert card_texts(index, 'weekend group:"table 1"') == ["A volunteer driver scheme for the weekend"]
    assert card_texts(index, "group:table") == ["Buses stop at 6 and the café closes",
                                                "A volunteer driver scheme for the weekend"]
    assert card_texts(index, "role:community") == ["Buses stop at 6 and the café closes"]
    assert card_texts(index, "role:carers kind:contribution") == ["The carers' centre will recruit volunteers"]
    # A card filter never matches a session's title: "carers" is in a title, but not a card of that kind.
    assert all(not r.is_session for r in index.search("carers kind:problem").results)


def test_programme_and_date_filters_work_on_the_session(index):
    assert {r.session_title for r in index.search("a programme:breaks").results} == {"Short breaks for carers"}
    assert {r.session_title for r in index.search("a prog:2025").results} == {"Short breaks for carers"}
    assert {r.session_title for r in index.search("a from:2025-02-01").results} == {"Short breaks for carers"}
    assert {r.session_title for r in index.search("a to:2025-01-20").results} == {"Transport to clinics"}
    assert index.search("a from:2025-01-21 to:2025-03-13").total == 0
    # Filters alone list everything they let through, the session itself included.
    only = index.search("programme:breaks")
    assert only.titles == 1 and only.notes == 6


def test_total_counts_everything_even_past_the_limit(index):
    everything = index.search("e", limit=2)
    assert len(everything.results) == 2 and everything.limited and everything.total > 2
    assert everything.total == index.search("e").total == len(index.search("e").results)


def test_hidden_cards_are_found_and_marked(index, sessions_dir, two_sessions):
    edit(sessions_dir, two_sessions[0], HideCard(card_id=1))
    index.refresh()
    [result] = index.search("break weekends").results
    assert result.hidden and result.card_id == 1
    assert not index.search("shared booking").results[0].hidden


# -- spans -----------------------------------------------------------------------------------------------------------

def test_spans_point_into_the_original_text_even_when_folding_changes_lengths():
    text = "Straße café e\u0301cole ﬁne STRASSE"
    spans = match_spans(text, (fold("strasse"), "cafe", "ecole", "fine"))
    assert [text[a:b] for a, b in spans] == ["Straße", "café", "e\u0301cole", "ﬁne", "STRASSE"]
    assert match_spans("aaa", ("a",)) == ((0, 3),)  # adjacent hits merge
    assert match_spans("anything", ()) == ()


def test_results_carry_spans_for_every_term(index):
    result = index.search('"shared booking" calendar').results[0]
    assert [result.text[a:b] for a, b in result.spans] == ["shared booking", "calendar"]


STORABLE = [(name, text) for name, text in zip(HOSTILE_IDS, HOSTILE) if not rejected(text)]  # the rest never
# reach a file (tests/core/test_hub_hostile.py checks they are refused)


@pytest.mark.parametrize("text", [t for _, t in STORABLE], ids=[n for n, _ in STORABLE])
def test_hostile_text_is_searchable(make_session, sessions_dir, text):
    sid = make_session("Hostile", groups=GROUPS[:1], cards=[], links=[])
    add_card(sessions_dir, sid, text)
    stored = open_session(SessionFolder(sessions_dir), sid, read_only=True).session.cards[1].text
    index = SearchIndex(SessionFolder(sessions_dir))
    index.refresh()
    query = " ".join(f'"{w}"' for w in stored.replace('"', " ").split()[:3])
    results = index.search(query).results if not parse_query(query).is_empty else []
    if not parse_query(query).is_empty:
        assert [r.card_id for r in results if not r.is_session] == [1], query
        for start, end in results[-1].spans:
            assert 0 <= start < end <= len(stored)
    # folding a text whole and character by character agree, so spans line up with matches
    assert fold(stored) == "".join(fold(ch) for ch in stored)


def test_markup_looking_text_is_found_by_its_brackets(make_session, sessions_dir):
    sid = make_session("Markup", groups=GROUPS[:1], cards=[], links=[])
    add_card(sessions_dir, sid, "[@click=app.quit]x[/]")
    index = SearchIndex(SessionFolder(sessions_dir))
    index.refresh()
    [result] = index.search("[/]").results
    assert result.spans == ((18, 21),)


# -- keeping up with the folder --------------------------------------------------------------------------------------

def test_refresh_reads_only_what_changed_and_sees_new_changed_and_deleted_files(index, sessions_dir, two_sessions,
                                                                               make_session):
    assert index.sessions == 2 and index.cards == 9
    assert index.refresh().read == 0
    add_card(sessions_dir, two_sessions[0], "Hydrotherapy pool on Tuesdays")
    stats = index.refresh()
    assert stats.read == 1 and card_texts(index, "hydrotherapy") == ["Hydrotherapy pool on Tuesdays"]
    make_session("Day services", groups=[], cards=[], links=[], at="2025-05-01T10:00:00.000+00:00")
    assert index.refresh().read == 1 and found(index, "day services") == [("Day services", None)]
    (sessions_dir / f"{two_sessions[1]}.json").unlink()
    assert index.refresh().read == 0
    assert index.sessions == 2 and card_texts(index, "cafe") == []


def test_unreadable_files_are_skipped_counted_and_retried_only_when_changed(index, sessions_dir):
    broken = sessions_dir / "2025-04-01-broken.json"
    broken.write_text('{"meta": {"1": {"schema_versi', "utf-8")
    (sessions_dir / "2025-04-02-odd.json").write_text(
        '{"meta": {"1": {"schema_version": 1, "id": "x", "title": "Odd"}}, "cards": {"1": {"text": 5}}}', "utf-8")
    (sessions_dir / "2025-04-03-odd-group.json").write_text(
        '{"meta": {"1": {"schema_version": 1, "id": "y", "title": "Odd"}}, "cards": {"1": {"id": 1, '
        '"kind": "problem", "text": "carers", "group": [1]}}}', "utf-8")
    stats = index.refresh()
    assert stats.read == 3 and stats.unreadable == 3 and index.sessions == 2
    assert index.search("carers group:x").total == 0
    assert "not valid JSON" in index.unreadable["2025-04-01-broken.json"]
    assert "damaged" in index.unreadable["2025-04-02-odd.json"]
    assert index.search("carers").unreadable == 3
    assert index.refresh().read == 0
    broken.unlink()
    assert index.refresh().unreadable == 2


def test_files_that_are_not_sessions_are_ignored(index, sessions_dir):
    (sessions_dir / ".index.json").write_text("{}", "utf-8")
    (sessions_dir / ".2025-x.json.abc.tmp").write_text("{", "utf-8")
    (sessions_dir / "notes.txt").write_text("carers", "utf-8")
    assert index.refresh().unreadable == 0 and index.sessions == 2


def test_a_missing_folder_is_an_empty_index(tmp_path):
    index = SearchIndex(SessionFolder(tmp_path / "nowhere"))
    assert index.refresh().sessions == 0 and index.search("x").total == 0


def test_searching_while_another_thread_refreshes_sees_a_whole_index(index, sessions_dir, two_sessions):
    """refresh() swaps its new tables in at once: every search sees the old index or the new one, never half."""
    for i in range(3):
        add_card(sessions_dir, two_sessions[0], f"Extra note {i}")
    index.refresh()
    totals: set[int] = set()
    stop = threading.Event()

    def keep_searching() -> None:
        while not stop.is_set():
            totals.add(index.search("a").total)

    thread = threading.Thread(target=keep_searching)
    thread.start()
    try:
        for _ in range(20):
            os.utime(sessions_dir / f"{two_sessions[0]}.json")  # a new stamp: read again
            index.refresh()
    finally:
        stop.set()
        thread.join()
    assert totals == {index.search("a").total}
