"""CSV and JSON exports, and the format registry.

CSV: golden files (tests/golden/export/*.csv; `COPROD_UPDATE_GOLDEN=1` regenerates them, see test_export.py), and a
read-back with the csv module as a spreadsheet would see it: the BOM, CRLF line ends, every card with every field,
and no cell that a spreadsheet would evaluate as a formula. JSON: the export is the session file itself, which
parses and opens again as the same session.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from support.export import build_fixed, build_hostile, build_running, check_golden, load

from coprod_tui.core.hub import open_session
from coprod_tui.core.model import Kind, Session
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.export import FORMATS, check_target, export_bytes, session_json, write_export
from coprod_tui.export.csv_export import BOM, COLUMNS, neutralise, session_csv
from support.paths import REPO

FORMULA = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> SessionFolder:
    path = tmp_path_factory.mktemp("sessions")
    build_fixed(path)
    build_hostile(path)
    build_running(path)
    shutil.copy(REPO / "sessions" / "demo-carers-respite.json", path)
    return SessionFolder(path)


@pytest.fixture(scope="module")
def sessions(folder) -> dict[str, Session]:
    return {"fixed": load(folder.folder, "2025-03-14-short-breaks"),
            "hostile": load(folder.folder, "2025-03-14-hostile"),
            "running": load(folder.folder, "2025-03-14-running"),
            "demo": load(folder.folder, "demo-carers-respite")}


def read_back(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("which", ["fixed", "hostile", "running"])
def test_csv_matches_its_golden_file(sessions, which):
    check_golden(f"{which}.csv", session_csv(sessions[which]))


@pytest.mark.parametrize("which", ["fixed", "hostile", "demo"])
def test_csv_reads_back_with_every_card_and_field(sessions, which):
    session = sessions[which]
    data = session_csv(session)
    assert data.startswith(BOM) and not data.startswith(BOM + BOM)
    assert data.split(b"\r\n", 1)[0] == BOM + ",".join(COLUMNS).encode()
    assert data.endswith(b"\r\n")
    rows = read_back(data)
    order = [c.id for kind in Kind for c in session.column(kind)]
    assert [int(r["id"]) for r in rows] == order
    for row in rows:
        card = session.cards[int(row["id"])]
        group = session.group_of(card)
        assert row["kind"] == card.kind.value
        assert row["text"] == neutralise(card.text)
        assert row["group_id"] == ("" if card.group_id is None else str(card.group_id))
        assert row["group_name"] == neutralise(group.name if group else "")
        assert row["group_role"] == (group.role.value if group else "")
        assert row["author"] == neutralise(card.author or "")
        assert float(row["order"]) == card.order
        assert row["links"].split() == [str(x) for x in card.links]
        assert row["hidden"] == ("true" if card.hidden else "false")
        assert (row["created"], row["source"]) == (card.created, card.source)
        assert (row["session_id"], row["session_title"]) == (session.meta.id, neutralise(session.meta.title))


@pytest.mark.parametrize("which", ["fixed", "hostile", "demo"])
def test_no_csv_cell_could_run_as_a_formula(sessions, which):
    for row in csv.reader(io.StringIO(session_csv(sessions[which]).decode("utf-8-sig"), newline="")):
        for cell in row:
            assert not cell.startswith(FORMULA), cell


def test_formula_cells_are_quoted_and_others_left_alone(sessions):
    rows = read_back(session_csv(sessions["hostile"]))
    texts = {r["text"] for r in rows}
    assert "'=cmd|' /C calc'!A0" in texts and "'+1+1" in texts and "'@SUM(1+1)*cmd|' /C calc'!A0" in texts
    assert {r["author"] for r in rows} >= {"'@SUM(1+1)", "'-2+3", "<img src=x onerror=alert(1)>", ""}
    assert {r["group_name"] for r in rows} >= {"'=cmd|' /C calc'!A0", "[x](javascript:alert(1))"}
    assert [neutralise(x) for x in ("\tx", "\rx", "x=1", "", "'=x")] == ["'\tx", "'\rx", "x=1", "", "'=x"]


def test_a_multi_line_note_stays_in_one_quoted_cell(sessions):
    rows = read_back(session_csv(sessions["fixed"]))
    assert rows[2]["text"] == "Nobody told me I could ask.\nI found out from another carer."


# -- JSON ---------------------------------------------------------------------------------------------------------

def test_json_export_is_the_session_file_and_opens_again(folder, tmp_path, sessions):
    for session_id in ("2025-03-14-hostile", "demo-carers-respite"):
        data = export_bytes("json", folder, session_id)
        assert data == folder.path_for(session_id).read_bytes()
        assert json.loads(data.decode("utf-8"))["meta"]["1"]["id"] == session_id
        elsewhere = SessionFolder(tmp_path / "elsewhere")
        elsewhere.folder.mkdir(exist_ok=True)
        (elsewhere.folder / f"{session_id}.json").write_bytes(data)
        hub = open_session(elsewhere, session_id, read_only=True)
        try:
            assert hub.session == load(folder.folder, session_id)
            assert len(hub.events) > 1
        finally:
            hub.close()


def test_json_export_refuses_an_unreadable_session(tmp_path):
    store = SessionFolder(tmp_path)
    (tmp_path / "broken.json").write_text('{"meta": {"1": {"schema_version": 1}}', "utf-8")
    from coprod_tui.core.errors import UnreadableSession

    with pytest.raises(UnreadableSession):
        session_json(store, "broken")


# -- the registry -----------------------------------------------------------------------------------------------------

def test_every_format_exports_the_demo_and_an_id_prefix_is_enough(folder):
    assert list(FORMATS) == ["md", "html", "csv", "json"]
    for name, fmt in FORMATS.items():
        assert fmt.extension == name and fmt.label
        data = export_bytes(name, folder, "demo-carers")
        assert data and data.decode("utf-8-sig")


def test_write_export_replaces_a_file_whole_and_refuses_the_sessions_folder(folder, tmp_path):
    target = tmp_path / "out.md"
    target.write_text("old and much longer " * 100, "utf-8")
    write_export("md", folder, "2025-03-14-short-breaks", target)
    assert target.read_bytes() == export_bytes("md", folder, "2025-03-14-short-breaks")
    before = folder.path_for("demo-carers-respite").read_bytes()
    from coprod_tui.core.errors import ValidationError

    with pytest.raises(ValidationError, match="sessions folder"):
        write_export("json", folder, "2025-03-14-short-breaks", folder.folder / "demo-carers-respite.json")
    assert folder.path_for("demo-carers-respite").read_bytes() == before
    check_target(folder, folder.folder / "notes.md")  # other formats may go anywhere
    with pytest.raises(ValidationError, match="Unknown export format"):
        export_bytes("pdf", folder, "demo")
