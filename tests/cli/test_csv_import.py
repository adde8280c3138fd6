"""The CSV parser behind `coprod import`: pure, so tested without files or a hub (and then once with a hub)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from coprod_tui.cli import csv_import
from coprod_tui.core.commands import ImportCards, Source
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.hub import new_session
from coprod_tui.core.model import Group, Kind, Meta, Role, Session
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.cli.csv_import import RowError, decode, parse_csv, parse_row
from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected, rejection_words


def make_session(*names: str) -> Session:
    session = Session(meta=Meta(id="s", title="T", question="", created="2025-01-01", updated="2025-01-01"))
    for i, name in enumerate(names, start=1):
        session.groups[i] = Group(id=i, name=name, colour="orange", role=Role.OTHER)
    return session


SESSION = make_session("Carers", "Staff")


def csv_bytes(*rows: list[str]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode("utf-8")


def errors_of(data: bytes | str, session: Session = SESSION) -> list[str]:
    return [str(e) for e in parse_csv(data, session).errors]


# -- rows ---------------------------------------------------------------------------------------------------------

def test_two_to_four_columns():
    parsed = parse_csv(b"problem,Waiting lists\noption,Evening clinics,carers\ncontribution,I'll help,Staff,Sam\n",
                       SESSION)
    assert parsed.errors == []
    assert [(d.kind, d.text, d.group_id, d.author) for d in parsed.drafts] == [
        (Kind.PROBLEM, "Waiting lists", None, None),
        (Kind.OPTION, "Evening clinics", 1, None),
        (Kind.CONTRIBUTION, "I'll help", 2, "Sam"),
    ]
    assert parsed.lines == [1, 2, 3]
    assert parsed.rows == 3 and not parsed.header


@pytest.mark.parametrize("cell", ["problem", "Problems", " PROBLEM ", "problems"])
def test_kind_any_case_and_plural(cell):
    assert parse_row([cell, "x"], SESSION).kind is Kind.PROBLEM


def test_group_by_name_ignores_case_and_spacing():
    assert parse_row(["problem", "x", "  sTaFf "], SESSION).group_id == 2
    assert parse_row(["problem", "x", ""], SESSION).group_id is None
    assert parse_row(["problem", "x", "   "], SESSION).group_id is None
    two_words = make_session("Table 3")
    assert parse_row(["problem", "x", "table   3"], two_words).group_id == 1


def test_unknown_group_names_the_groups():
    assert errors_of(b"kind,text,group\nproblem,x,Carers\nproblem,y,Tabel 3\n") == [
        "line 3: unknown group 'Tabel 3' (groups: Carers, Staff)"
    ]
    assert errors_of(b"problem,x,Carers\n", make_session()) == [
        "line 1: unknown group 'Carers' (this session has no groups)"
    ]


def test_unknown_and_empty_kind():
    assert errors_of(b"idea,x\n,y\n") == [
        "line 1: unknown kind 'idea': use problem, option or contribution",
        "line 2: the kind is empty: use problem, option or contribution",
    ]


def test_long_cells_are_quoted_short_in_messages():
    message = errors_of(csv_bytes(["k" * 500, "x"]))[0]
    assert len(message) < 120 and "…" in message


def test_column_count():
    assert errors_of(b"problem,a,b,c,d,e\nproblem\n") == [
        "line 1: expected 2 to 4 columns, got 6",
        "line 2: expected 2 to 4 columns, got 1",
    ]


def test_padding_cells_from_spreadsheets_are_ignored():
    parsed = parse_csv(b"problem,a,,,,,\noption,b,Carers,Ann,,\n", SESSION)
    assert parsed.errors == [] and [d.text for d in parsed.drafts] == ["a", "b"]


def test_semicolon_files_get_a_hint():
    [message] = errors_of(b"problem;waiting lists\n")
    assert message.startswith("line 1: expected 2 to 4 columns, got 1") and "';'" in message


def test_text_limits_match_the_hub():
    too_long = "y" * 2345
    assert errors_of(csv_bytes(["problem", too_long])) == [
        "line 1: card text is 2,345 characters long; the limit is 2,000. Please shorten it or split it in two."
    ]
    assert parse_csv(csv_bytes(["problem", "y" * 2000]), SESSION).errors == []
    assert errors_of(b"problem,   \n") == ["line 1: card text can't be empty"]
    [author] = errors_of(csv_bytes(["problem", "x", "", "a" * 81]))
    assert author.startswith("line 1: author is 81 characters long")


def test_author_is_optional_and_single_line():
    assert parse_row(["problem", "x", "", "  "], SESSION).author is None
    assert parse_row(["problem", "x", "", " Ann \n Smith "], SESSION).author == "Ann Smith"


def test_text_keeps_newlines_and_drops_carriage_returns():
    parsed = parse_csv(b'problem,"first\r\nsecond"\r\n', SESSION)
    assert parsed.drafts[0].text == "first\nsecond"


# -- line numbers -------------------------------------------------------------------------------------------------

def test_line_numbers_count_from_the_start_of_multiline_rows():
    data = (
        "kind,text,group\n"          # 1
        "problem,\"one\n"            # 2 (a cell over three lines)
        "two\n"                      # 3
        "three\",Carers\n"           # 4
        "\n"                         # 5 blank
        "option,x,Nope\n"            # 6
        ",,,\n"                      # 7 empty cells
        "problem,\"a\r\nb\",Nope\r\n"  # 8-9
        "bad\n"                      # 10
    ).encode()
    parsed = parse_csv(data, SESSION)
    assert parsed.header
    assert parsed.lines == [2]
    assert [e.line for e in parsed.errors] == [6, 8, 10]


def test_unreadable_row_is_reported_and_the_rest_still_read():
    huge = "x" * 200_000  # beyond csv's own field limit
    parsed = parse_csv(f'problem,"{huge}"\noption,fine\n'.encode(), SESSION)
    assert [e.line for e in parsed.errors] == [1]
    assert "can't be read as CSV" in parsed.errors[0].message
    assert [d.text for d in parsed.drafts] == ["fine"]


def test_row_error_format():
    assert str(RowError(7, "unknown group 'x'")) == "line 7: unknown group 'x'"


# -- header -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["kind,text,group,author", "KIND,Text", " Kind ,text,group"])
def test_header_is_optional_and_any_case(header):
    parsed = parse_csv(f"{header}\nproblem,x\n".encode(), SESSION)
    assert parsed.header and [d.text for d in parsed.drafts] == ["x"] and parsed.lines == [2]


def test_header_only_on_the_first_row():
    parsed = parse_csv(b"problem,x\nkind,text\n", SESSION)
    assert not parsed.header and [str(e) for e in parsed.errors] == [
        "line 2: unknown kind 'kind': use problem, option or contribution"
    ]


def test_header_may_reorder_columns():
    parsed = parse_csv(b"kind,author,text,group\noption,Ann,Evening clinics,staff\n", SESSION)
    [draft] = parsed.drafts
    assert (draft.kind, draft.text, draft.group_id, draft.author) == (Kind.OPTION, "Evening clinics", 2, "Ann")


def test_header_rows_must_fit_the_header():
    parsed = parse_csv(b"kind,text\nproblem,x,Carers\n", SESSION)
    assert [str(e) for e in parsed.errors] == ["line 2: expected 2 columns (kind, text), got 3"]


@pytest.mark.parametrize("header, words", [
    ("kind,text,colour", "The file has an unknown column 'colour' in its header (line 1, column 3)"),
    ("kind,text,text", "names the column 'text' twice"),
    ("kind,group", "has no text column"),
])
def test_bad_header_is_a_file_error(header, words):
    with pytest.raises(ValidationError, match=re.escape(words)):
        parse_csv(f"{header}\nproblem,x\n".encode(), SESSION)


# -- the file as a whole -------------------------------------------------------------------------------------------

def test_excel_bom_is_fine():
    parsed = parse_csv(b"\xef\xbb\xbfkind,text\nproblem,caf\xc3\xa9\n", SESSION)
    assert parsed.header and parsed.drafts[0].text == "café"


@pytest.mark.parametrize("data, words", [
    (b"", "is empty"),
    (b"  \r\n\n", "is empty"),
    (b"\xef\xbb\xbf", "is empty"),
    (b"problem,caf\xe9\n", "not UTF-8 text (byte 0xe9 on line 1)"),
    (b"kind,text\nproblem,ok\nproblem,caf\xe9\n", "line 3"),
    (b"problem,a\x00b\n", "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ("kind,text\nproblem,x\n".encode("utf-16"), "UTF-16"),
])
def test_file_errors(data, words):
    with pytest.raises(ValidationError, match=re.escape(words)):
        parse_csv(data, SESSION)


def test_file_errors_name_the_file():
    with pytest.raises(ValidationError, match="^notes.csv is empty"):
        decode(b"", "notes.csv")


def test_oversized_file_is_refused(monkeypatch):
    monkeypatch.setattr(csv_import, "MAX_BYTES", 100)
    with pytest.raises(ValidationError, match="MB"):
        decode(b"problem,x\n" * 20)


def test_text_input_is_accepted():
    assert [d.text for d in parse_csv("problem,x\n", SESSION).drafts] == ["x"]
    with pytest.raises(ValidationError, match="empty"):
        parse_csv(" \n", SESSION)


def test_only_blank_rows_means_no_rows():
    parsed = parse_csv(b",,\n\n, ,\n", SESSION)
    assert parsed.rows == 0 and parsed.drafts == [] and parsed.errors == []


# -- hostile text ---------------------------------------------------------------------------------------------------

def _file_with(text: str, *, column: int = 1) -> bytes:
    row = ["option", "plain", "Carers", "Ann"]
    row[column] = text
    buf = io.StringIO()
    csv.writer(buf).writerows([["problem", "fine"], row])
    return buf.getvalue().encode("utf-8", "surrogatepass")


def _unencodable(text: str) -> bool:
    return "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_card_text(text):
    data = _file_with(text)
    if _unencodable(text):  # NUL or a lone surrogate cannot be in a UTF-8 text file: the file is refused
        with pytest.raises(ValidationError):
            parse_csv(data, SESSION)
        return
    parsed = parse_csv(data, SESSION)
    assert parsed.drafts[0].text == "fine"
    if rejected(text):
        [error] = parsed.errors
        assert error.line == 2 and rejection_words(text) in error.message
    else:
        assert parsed.errors == [] and parsed.drafts[1].text == expected_stored(text)


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_author(text):
    if _unencodable(text):
        return
    parsed = parse_csv(_file_with(text, column=3), SESSION)
    stored = expected_stored(text, multiline=False)
    if len(stored) > 80:
        assert [e.line for e in parsed.errors] == [2]
    else:
        assert parsed.errors == [] and parsed.drafts[1].author == (stored or None)


def test_every_parsed_row_is_accepted_by_the_hub(tmp_path):
    """The parser checks exactly what the hub checks: all drafts from the corpus go in as one import."""
    hub = new_session(SessionFolder(tmp_path), "Hostile", groups=[("Carers", "carers", None)])
    try:
        rows = [["problem", t, "carers", t[:80]] for t in HOSTILE if not _unencodable(t)]
        parsed = parse_csv(csv_bytes(*rows), hub.session)
        assert parsed.drafts and parsed.errors
        event = hub.apply(ImportCards(cards=tuple(parsed.drafts), source=Source.IMPORT))
        assert len(event.patch["cards"]) == len(parsed.drafts)
        stored = [c.text for c in hub.session.column(Kind.PROBLEM)]
        assert stored == [d.text for d in parsed.drafts]
    finally:
        hub.close()
