"""`coprod export`: in-process through `main(argv)`, like tests/cli/test_cli.py.

Covers standard output (exact bytes, CSV too), -o files (atomic, replaced, format from the extension), --all into a
folder with an unreadable session among the good ones (exit 3, one line for it), and the one-line errors: a missing
or unusable output folder, ID together with --all, an unknown session, the sessions folder as the target.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.export import build_fixed

from coprod_tui import cli
from coprod_tui.cli import export as cli_export
from coprod_tui.cli import main
from coprod_tui.core.hub import open_session
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.export import export_bytes
from support.paths import REPO

FIXED = "2025-03-14-short-breaks"


@pytest.fixture
def sessions(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("COPROD_SESSIONS", raising=False)
    folder = tmp_path / "sessions"
    build_fixed(folder)
    shutil.copy(REPO / "sessions" / "demo-carers-respite.json", folder)
    return folder


@pytest.fixture
def coprod(capsysbinary, sessions):
    """Run `coprod --sessions-dir <tmp> ARGS…`; returns (exit code, stdout bytes, stderr text)."""

    def run(*args: str) -> tuple[int, bytes, str]:
        code = main(["--sessions-dir", str(sessions), *args])
        out, err = capsysbinary.readouterr()
        text = err.decode("utf-8")
        assert "Traceback" not in text and "unexpected" not in text, text
        return code, out, text

    return run


def one_error_line(code: int, err: str) -> str:
    assert code == 1, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("coprod: error: "), err
    return lines[0]


def expected(fmt: str, sessions: Path, session_id: str = FIXED) -> bytes:
    return export_bytes(fmt, SessionFolder(sessions), session_id)


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_export_to_standard_output_writes_the_exact_bytes(coprod, sessions, fmt):
    code, out, err = coprod("export", FIXED, "--format", fmt)
    assert (code, err) == (0, "")
    assert out == expected(fmt, sessions)
    if fmt == "csv":
        assert out.startswith(b"\xef\xbb\xbf") and b"\r\n" in out


def test_dash_is_standard_output_and_md_is_the_default(coprod, sessions):
    assert coprod("export", FIXED, "-o", "-")[1] == expected("md", sessions)
    assert coprod("export", "2025-03-14-sh")[1] == expected("md", sessions)  # a prefix is enough


def test_export_to_a_file_takes_the_format_from_its_extension_and_replaces_it(coprod, sessions, tmp_path):
    target = tmp_path / "report.html"
    target.write_text("stale", "utf-8")
    code, out, err = coprod("export", FIXED, "-o", str(target))
    assert (code, err) == (0, "")
    assert target.read_bytes() == expected("html", sessions)
    assert f"to {target}" in out.decode()
    code, _, _ = coprod("export", FIXED, "--format", "csv", "-o", str(target))
    assert code == 0 and target.read_bytes() == expected("csv", sessions)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left behind


def test_export_works_while_the_session_is_open_for_editing(coprod, sessions, tmp_path):
    hub = open_session(SessionFolder(sessions), FIXED)  # holds the writer lock, like an open board
    try:
        code, _, err = coprod("export", FIXED, "-o", str(tmp_path / "x.json"))
        assert (code, err) == (0, "")
        json.loads((tmp_path / "x.json").read_text("utf-8"))
    finally:
        hub.close()


def test_export_all_writes_every_format_of_every_session(coprod, sessions, tmp_path):
    out_dir = tmp_path / "out" / "nested"
    code, out, err = coprod("export", "--all", str(out_dir))
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        f"{sid}.{ext}" for sid in ("demo-carers-respite", FIXED) for ext in ("md", "html", "csv", "json"))
    assert (out_dir / f"{FIXED}.csv").read_bytes() == expected("csv", sessions)
    assert err.splitlines() == ["exported 1/2", "exported 2/2"]  # stderr is not a terminal: plain lines
    assert "Exported 2 of 2 sessions (8 files)" in out.decode()


def test_export_all_skips_an_unreadable_session_with_one_line_and_exit_3(coprod, sessions, tmp_path):
    (sessions / "broken.json").write_text('{"meta": {"1": {"schema_version": 1', "utf-8")
    code, out, err = coprod("export", "--all", str(tmp_path / "out"), "--format", "md")
    assert code == cli.EXIT_PARTIAL == cli_export.EXIT_PARTIAL == 3
    skipped = [line for line in err.splitlines() if "broken" in line]
    assert len(skipped) == 1 and skipped[0].startswith("coprod: skipped broken: ") and "JSON" in skipped[0]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"{FIXED}.md", "demo-carers-respite.md"]
    assert "1 unreadable skipped" in out.decode()


def test_export_all_of_an_empty_folder_says_so(coprod, sessions, tmp_path):
    for path in sessions.iterdir():
        path.unlink()
    code, out, _ = coprod("export", "--all", str(tmp_path / "out"))
    assert code == 0 and b"nothing exported" in out


@pytest.mark.parametrize("where", ["missing/x.md", "a-file/x.md"])
def test_output_into_a_missing_or_unusable_folder_is_one_line(coprod, tmp_path, where):
    (tmp_path / "a-file").write_text("not a folder", "utf-8")
    code, _, err = coprod("export", FIXED, "-o", str(tmp_path / where))
    line = one_error_line(code, err)
    assert "can't write" in line and str(tmp_path / where) in line


def test_output_onto_a_folder_is_one_line(coprod, tmp_path):
    (tmp_path / "folder.md").mkdir()
    one_error_line(*coprod("export", FIXED, "-o", str(tmp_path / "folder.md"))[::2])


def test_export_all_into_an_unusable_folder_is_one_line(coprod, tmp_path):
    (tmp_path / "a-file").write_text("x", "utf-8")
    line = one_error_line(*coprod("export", "--all", str(tmp_path / "a-file"))[::2])
    assert "can't create" in line


def test_the_sessions_folder_is_refused_as_a_json_target(coprod, sessions):
    before = {p.name: p.read_bytes() for p in sessions.iterdir()}
    assert "sessions folder" in one_error_line(*coprod("export", "--all", str(sessions))[::2])
    target = sessions / "demo-carers-respite.json"
    assert "sessions folder" in one_error_line(*coprod("export", FIXED, "-o", str(target))[::2])
    assert {p.name: p.read_bytes() for p in sessions.iterdir()} == before


def test_unknown_session_and_bad_combinations(coprod, tmp_path):
    assert "No session" in one_error_line(*coprod("export", "nope")[::2])
    assert "-o can't be used with --all" in one_error_line(
        *coprod("export", "--all", str(tmp_path), "-o", "x.md")[::2])
    code, _, err = coprod("export", FIXED, "--all", str(tmp_path))
    assert code == 2 and "not allowed with" in err
    code, _, err = coprod("export")
    assert code == 2 and "required" in err
    code, _, err = coprod("export", FIXED, "--format", "pdf")
    assert code == 2 and "invalid choice" in err


def test_exit_codes_agree_with_cli_and_help_mentions_export(coprod):
    assert (cli_export.EXIT_OK, cli_export.EXIT_PARTIAL) == (cli.EXIT_OK, cli.EXIT_PARTIAL)
    code, out, _ = coprod("--help")
    assert code == 0 and b"export" in out
    code, out, _ = coprod("export", "--help")
    assert code == 0 and b"overwritten" in out and b"--all DIR" in out


# -- reports: the method report and "you said, we did" ----------------------------------------------------------------

@pytest.mark.parametrize("report", ["method", "yousaid"])
@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_report_to_standard_output(coprod, sessions, report, fmt):
    code, out, err = coprod("export", FIXED, "--report", report, "--format", fmt)
    assert (code, err) == (0, "")
    assert out == export_bytes(fmt, SessionFolder(sessions), FIXED, report)
    assert out != expected(fmt, sessions)


def test_the_session_report_includes_the_method_when_there_is_one(coprod, sessions):
    from coprod_tui.core.hub import read_session
    from coprod_tui.export.method_md import has_method

    md = coprod("export", FIXED)[1].decode()
    assert "## Self-reflection: how are we doing?" in md and "## The plan (3 actions" in md and "## Credits" in md
    demo = read_session(SessionFolder(sessions), "demo-carers-respite")
    assert ("## Credits" in coprod("export", "demo-carers-respite")[1].decode()) == has_method(demo)


def test_a_report_to_a_file_takes_its_format_from_the_extension(coprod, sessions, tmp_path):
    target = tmp_path / "you-said.html"
    code, out, err = coprod("export", FIXED, "--report", "yousaid", "-o", str(target))
    assert (code, err) == (0, "")
    assert target.read_bytes() == export_bytes("html", SessionFolder(sessions), FIXED, "yousaid")
    assert f"Exported {FIXED} (yousaid report) as html to {target}" in out.decode()


def test_a_report_in_a_format_it_is_not_made_in_is_one_line(coprod, tmp_path):
    line = one_error_line(*coprod("export", FIXED, "--report", "method", "--format", "csv")[::2])
    assert "method report is made as md or html, not csv" in line
    line = one_error_line(*coprod("export", FIXED, "--report", "yousaid", "-o", str(tmp_path / "x.json"))[::2])
    assert "not json" in line and not (tmp_path / "x.json").exists()
    line = one_error_line(*coprod("export", "--all", str(tmp_path / "out"), "--report", "yousaid", "-f", "csv")[::2])
    assert "not csv" in line and not (tmp_path / "out").exists()
    code, _, err = coprod("export", FIXED, "--report", "minutes")
    assert code == 2 and "invalid choice" in err


def test_export_all_of_a_report_names_files_by_report(coprod, sessions, tmp_path):
    out_dir = tmp_path / "out"
    code, out, err = coprod("export", "--all", str(out_dir), "--report", "yousaid")
    assert code == 0, err
    assert sorted(p.name for p in out_dir.iterdir()) == sorted(
        f"{sid}.yousaid.{ext}" for sid in ("demo-carers-respite", FIXED) for ext in ("md", "html"))
    assert (out_dir / f"{FIXED}.yousaid.md").read_bytes() == export_bytes(
        "md", SessionFolder(sessions), FIXED, "yousaid")
    assert "Exported 2 of 2 sessions (4 files)" in out.decode()


def test_report_names_agree_and_help_explains_them(coprod):
    from coprod_tui.export import REPORTS

    assert cli_export.REPORT_NAMES == tuple(REPORTS)
    assert {name: tuple(r.formats) for name, r in REPORTS.items()} == cli_export.REPORT_FORMATS
    code, out, _ = coprod("export", "--help")
    text = out.decode()
    assert code == 0 and "--report" in text and "yousaid" in text and "you said, we did" in text
    assert "self-reflection" in text
