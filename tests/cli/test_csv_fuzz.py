"""Property tests of the CSV import (`coprod import ID FILE.csv`): whatever the file holds — rows built from any
text, any kinds, groups and authors, headers good and bad, quoting of every style, a BOM or not, or plain random
bytes — the only exception is the documented ValidationError for a file that can't be read at all; every row is
either a draft or a reported error (never lost, never both); the drafts all go into the session as one change that
the hub accepts whole; and nothing is ever half-imported: the session file gains exactly the drafts, or nothing.

The parser is exercised directly (many examples, fast) and through the real command (`cli.main`, fewer examples):
exit 0 / 3 with "Imported N cards", or exit 1 with one line and the session untouched; never a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coprod_tui import cli
from coprod_tui.core import text as T
from coprod_tui.core.commands import ImportCards, Source
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.hub import Hub, new_session
from coprod_tui.core.store.file import read_document
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.cli.csv_import import parse_csv, records

GROUPS = [("Carers", "carers", None), ("Staff", "practitioners", None), ("Table 2", "other", None)]

ANY_TEXT = st.text(st.characters(min_codepoint=1, max_codepoint=0x10FFFF, exclude_categories=("Cs",)), max_size=60)
CELL_TEXT = st.one_of(
    st.text(max_size=40), ANY_TEXT, st.sampled_from(["", " ", "\n", '"', ",", "a,b", 'say "hi"', "line\r\nbreak",
                                                     "=SUM(A1)", "x" * 2000, "y" * 2001, "\u200b", "\x00"]))
KIND = st.sampled_from(["problem", "Problems", " OPTION ", "option", "contribution", "contributions", "", "idea",
                        "kind", "Kind"]) | ANY_TEXT
GROUP = st.sampled_from(["", "Carers", "  staff ", "table   2", "Tabel 3", "carers"]) | ANY_TEXT
AUTHOR = st.sampled_from(["", "Sam", "Ann\nSmith", "a" * 80, "a" * 81]) | ANY_TEXT
ROW = st.one_of(
    st.tuples(KIND, CELL_TEXT).map(list),
    st.tuples(KIND, CELL_TEXT, GROUP).map(list),
    st.tuples(KIND, CELL_TEXT, GROUP, AUTHOR).map(list),
    st.tuples(KIND, CELL_TEXT, GROUP, AUTHOR).map(lambda r: [*r, "", ""]),  # spreadsheet padding
    st.lists(CELL_TEXT, max_size=7),  # any number of cells
)
GOOD_ROW = st.tuples(st.sampled_from(["problem", "Options", "contribution"]),
                     st.text(st.characters(categories=("L", "N", "P", "Zs")), min_size=1, max_size=40)
                     .filter(str.strip),
                     st.sampled_from(["", "Carers", "staff"]), st.sampled_from(["", "Sam"])).map(list)
HEADER = st.one_of(st.none(),
                   st.sampled_from([["kind", "text"], ["Kind", "Text", "Group", "Author"], ["text", "kind"]]),
                   st.sampled_from([["kind", "text", "colour"], ["kind", "kind", "text"], ["kind", "group"],
                                    ["KIND "]]))
QUOTING = st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])


@st.composite
def csv_files(draw) -> bytes:
    """A CSV file as a spreadsheet (or a hand) might write it, or something that only looks like one."""
    shape = draw(st.integers(0, 9))
    if shape == 0:
        return draw(st.binary(max_size=300))
    if shape == 1:  # text with CSV's special characters in random places, badly quoted or not at all
        alphabet = st.sampled_from(list(',"\n\r ;\t') + ["problem", "option", "Carers", "x", "é", "\x00", "\ufeff"])
        return "".join(draw(st.lists(alphabet, max_size=80))).encode("utf-8")
    header = draw(HEADER)
    rows = draw(st.lists(GOOD_ROW if shape == 2 else ROW, max_size=8))
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=draw(QUOTING), lineterminator=draw(st.sampled_from(["\r\n", "\n"])))
    for row in ([header] if header else []) + rows:
        writer.writerow(row)
    text = buffer.getvalue()
    if draw(st.booleans()):
        text += draw(st.sampled_from(["", "\n\n", ",,,\n", '"unterminated', "problem;semi;colons\n"]))
    data = text.encode("utf-8")
    return draw(st.sampled_from([b"", b"", b"", b"\xef\xbb\xbf", b"\xff\xfe"])) + data


def cards_in_file(hub: Hub) -> dict[str, dict]:
    hub.durable().result(10)
    return read_document(hub.storage.path)["cards"]


@pytest.fixture
def hub(tmp_path: Path):
    h = new_session(SessionFolder(tmp_path), "CSV fuzz", groups=GROUPS)
    yield h
    h.close()


def test_any_file_is_parsed_with_every_row_accounted_for_and_imported_whole(hub):
    outcomes: Counter[str] = Counter()

    @settings(max_examples=300, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=csv_files())
    def import_anything(data: bytes) -> None:
        before = cards_in_file(hub)
        try:
            parsed = parse_csv(data, hub.session)
        except ValidationError as exc:  # the documented refusal of a whole file: one sentence, nothing changed
            assert str(exc) and "\n" not in str(exc).strip()
            assert cards_in_file(hub) == before
            outcomes["file refused"] += 1
            return
        # Every record that holds something (the header aside) is a draft or an error: once, never both.
        held = [line for line, cells, problem in records(data.decode("utf-8-sig"))
                if problem is not None or any(T.strip_controls(c).strip() for c in cells or ())]
        assert len(parsed.drafts) == len(parsed.lines)
        assert sorted(parsed.lines + [e.line for e in parsed.errors]) == (held[1:] if parsed.header else held)
        for error in parsed.errors:
            assert str(error).startswith(f"line {error.line}: ") and error.message
        outcomes["rows refused"] += bool(parsed.errors)
        if not parsed.drafts:
            assert cards_in_file(hub) == before
            return
        outcomes["imported"] += 1
        event = hub.apply(ImportCards(cards=tuple(parsed.drafts), source=Source.IMPORT))  # never a refusal
        after = cards_in_file(hub)
        new = {k: v for k, v in after.items() if k not in before}
        assert len(new) == len(parsed.drafts) == len(event.patch["cards"])
        assert sorted(c["text"] for c in new.values()) == sorted(d.text for d in parsed.drafts)
        assert {k: v for k, v in after.items() if k in before} == before

    import_anything()
    assert outcomes["file refused"] and outcomes["rows refused"] and outcomes["imported"], outcomes  # all were met


def test_the_import_command_imports_all_or_nothing_and_never_crashes(tmp_path, capsys, monkeypatch):
    """The same through `coprod import` itself, in-process (COPROD_DEBUG=1: a bug would raise here)."""
    monkeypatch.setenv("COPROD_DEBUG", "1")
    folder = SessionFolder(tmp_path / "sessions")
    seed = new_session(folder, "CSV fuzz", groups=GROUPS)
    session_id = seed.session.meta.id
    path = Path(seed.storage.path)
    seed.close()
    csv_path = tmp_path / "notes.csv"
    codes: Counter[int] = Counter()

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(data=csv_files())
    def run_import(data: bytes) -> None:
        before = json.loads(path.read_text("utf-8"))["cards"]
        csv_path.write_bytes(data)
        code = cli.main(["--sessions-dir", str(tmp_path / "sessions"), "import", session_id, str(csv_path)])
        out, err = capsys.readouterr()
        codes[code] += 1
        assert "Traceback" not in err and "unexpected" not in err, err
        after = json.loads(path.read_text("utf-8"))["cards"]
        if code in (cli.EXIT_OK, cli.EXIT_PARTIAL):
            imported = int(out.split("Imported ", 1)[1].split(" card", 1)[0].replace(",", ""))
            assert imported >= 1 and len(after) == len(before) + imported
            assert {k: v for k, v in after.items() if k in before} == before
            assert (code == cli.EXIT_PARTIAL) == ("skipped (see above)" in out)
        else:
            assert code == cli.EXIT_ERROR, (code, err)
            assert err.strip() and after == before  # one clear line, and the session as it was

    run_import()
    assert codes[cli.EXIT_ERROR] and codes[cli.EXIT_OK] + codes[cli.EXIT_PARTIAL], codes  # both ends were met
    assert not [p for p in os.listdir(path.parent) if p.endswith(".tmp")]  # no temp file left behind
