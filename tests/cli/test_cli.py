"""The `coprod` command line: in-process through `main(argv)`, plus a few real `python -m coprod_tui` runs.

The TUI is never started here: commands that would start it are run with a stand-in `make_app`, or on sessions that
must be refused before it starts.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import coprod_tui
from coprod_tui import cli
from coprod_tui.cli import main
from support.cli import make, one_error_line
from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected, rejection_words

REPO = Path(coprod_tui.__file__).resolve().parent.parent


def session_doc(folder: Path, session_id: str) -> dict:
    return json.loads((folder / f"{session_id}.json").read_text("utf-8"))


# -- new ----------------------------------------------------------------------------------------------------------

def test_new_prints_the_id_alone_on_the_last_line(coprod, sessions):
    result = coprod("new", "Short breaks review", "--group", "Carers:carers", "--group", "Staff:staff",
                    "--question", "What is the problem?")
    assert result.code == 0 and result.err == ""
    session_id = result.lines[-1]
    assert session_id == session_id.strip() and " " not in session_id
    assert len(result.lines) >= 2 and "Short breaks review" in result.lines[0]
    doc = session_doc(sessions, session_id)
    assert doc["meta"]["1"]["title"] == "Short breaks review"
    assert doc["meta"]["1"]["question"] == "What is the problem?"
    assert [(g["name"], g["role"]) for g in doc["groups"].values()] == [
        ("Carers", "carers-and-family"), ("Staff", "practitioners")]


def test_new_role_aliases_and_default(coprod, sessions):
    specs = ["People:people", "Carers:carers", "Workers:practitioners", "Leads:commissioners",
             "Centre:community", "Misc:other", "Table 3", "Empty role:", "Time: 10am:other"]
    result = coprod("new", "Roles", *[f"--group={s}" for s in specs])
    assert result.code == 0, result.err
    doc = session_doc(sessions, result.lines[-1])
    assert [(g["name"], g["role"]) for g in doc["groups"].values()] == [
        ("People", "people-who-use-services"), ("Carers", "carers-and-family"), ("Workers", "practitioners"),
        ("Leads", "commissioners-and-managers"), ("Centre", "community-and-voluntary-sector"), ("Misc", "other"),
        ("Table 3", "other"), ("Empty role", "other"), ("Time: 10am", "other"),
    ]


@pytest.mark.parametrize("args, words", [
    (["--group", "Carers:wizards"], "Unknown role 'wizards'"),
    (["--group", "Time: 10am"], "must end with a role"),
    (["--group", "Carers", "--group", "carers"], "already a group called"),
    (["--group", "  :carers"], "Group name can't be empty"),
])
def test_new_bad_groups_create_nothing(coprod, sessions, args, words):
    line = one_error_line(coprod("new", "T", *args))
    assert words in line
    assert not sessions.exists() or not list(sessions.glob("*.json"))


def test_new_title_checked(coprod, sessions):
    assert "Title can't be empty" in one_error_line(coprod("new", "  "))
    assert "200" in one_error_line(coprod("new", "x" * 201))
    result = coprod("new", "--", "-dash first")
    assert result.code == 0 and session_doc(sessions, result.lines[-1])["meta"]["1"]["title"] == "-dash first"


def test_new_into_a_folder_that_is_a_file(coprod, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    one_error_line(coprod("new", "T", folder=blocker))


# -- --sessions-dir, COPROD_SESSIONS, ./sessions -------------------------------------------------------------------

def test_sessions_dir_before_or_after_the_subcommand(coprod, tmp_path):
    before, after = tmp_path / "before", tmp_path / "after"
    id_a = coprod("--sessions-dir", str(before), "new", "A", folder=None).lines[-1]
    id_b = coprod("new", "B", "--sessions-dir", str(after), folder=None).lines[-1]
    assert (before / f"{id_a}.json").exists() and (after / f"{id_b}.json").exists()
    assert id_b in coprod("list", "--sessions-dir", str(after), folder=None).out
    listed = coprod("--sessions-dir", str(before), "list", "--json", folder=None)
    assert [s["id"] for s in json.loads(listed.out)] == [id_a]
    # given twice: the later one (after the subcommand) wins
    both = coprod("--sessions-dir", str(before), "list", "--sessions-dir", str(after), "--json", folder=None)
    assert [s["id"] for s in json.loads(both.out)] == [id_b]


def test_env_and_default_folder(coprod, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    default_id = coprod("new", "Default", folder=None).lines[-1]
    assert (tmp_path / "sessions" / f"{default_id}.json").exists()
    monkeypatch.setenv("COPROD_SESSIONS", str(tmp_path / "from-env"))
    env_id = coprod("new", "Env", folder=None).lines[-1]
    assert (tmp_path / "from-env" / f"{env_id}.json").exists()
    flag = coprod("--sessions-dir", str(tmp_path / "flag"), "new", "Flag", folder=None).lines[-1]
    assert (tmp_path / "flag" / f"{flag}.json").exists()  # the flag beats the environment


# -- list ---------------------------------------------------------------------------------------------------------

def test_list_newest_first_with_unreadable_files(coprod, sessions):
    old = make(sessions, "Older review", at="2025-01-05T10:00:00.000+00:00")
    new = make(sessions, "Newer [b]review[/b] <i>", groups=(("Carers", "carers"),),
               at="2025-03-12T10:00:00.000+00:00")
    (sessions / "broken.json").write_text("{not json", "utf-8")
    result = coprod("list")
    assert result.code == 0 and result.err == ""
    assert [line.split()[0] for line in result.lines] == [new, old, "broken"]
    first, second, third = result.lines
    assert "2025-03-12" in first and "0 notes" in first and "Carers" in first
    assert first.endswith("Newer [b]review[/b] <i>")  # user text verbatim: a terminal, not markup
    assert "2025-01-05" in second and "Carers, Staff" in second and second.endswith("Older review")
    assert "unreadable: broken.json is not valid JSON" in third


def test_list_json(coprod, sessions):
    sid = make(sessions)
    coprod("import", sid, str(write_csv(sessions.parent / "n.csv", ["problem", "a"], ["option", "b"])))
    (sessions / "empty.json").write_bytes(b"")
    data = json.loads(coprod("list", "--json").out)
    assert data[0] == {
        "id": sid, "title": "Respite review", "question": "", "programme": "", "created": "2025-03-12T10:00:00.000+00:00",
        "updated": data[0]["updated"], "date": data[0]["updated"][:10], "cards": 2, "groups": ["Carers", "Staff"],
        "error": None,
    }
    assert data[1] == {"id": "empty", "error": "empty.json is empty"}


def test_list_empty_or_missing_folder(coprod, sessions):
    result = coprod("list")
    assert result.code == 0 and "No sessions" in result.out
    assert json.loads(coprod("list", "--json").out) == []


def test_list_strips_terminal_controls_from_hand_edited_titles(coprod, sessions):
    sid = make(sessions)
    path = sessions / f"{sid}.json"
    doc = path.read_text("utf-8").replace('"title": "Respite review"', '"title": "Evil\\u001b[2J\\nTitle"')
    path.write_text(doc, "utf-8")
    [line] = coprod("list").lines
    assert line.endswith("Evil[2J Title") and "\x1b" not in line
    assert json.loads(coprod("list", "--json").out)[0]["title"] == "Evil\x1b[2J\nTitle"


# -- import -------------------------------------------------------------------------------------------------------

def write_csv(path: Path, *rows: list[str]) -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    path.write_bytes(buf.getvalue().encode("utf-8", "surrogatepass"))
    return path


def test_import_good_rows_as_one_change(coprod, sessions, tmp_path):
    sid = make(sessions)
    notes = write_csv(tmp_path / "notes.csv", ["kind", "text", "group", "author"],
                      ["problem", "Forms are 14 pages", "carers", "Margaret"],
                      ["option", "One short form\nfilled in once", "", ""],
                      ["contribution", "I'll test it", "STAFF", "Sam"])
    result = coprod("import", sid, str(notes))
    assert result.code == 0 and result.err == ""
    assert result.lines == ["Imported 3 cards into Respite review; 0 rows skipped."]
    doc = session_doc(sessions, sid)  # durable: on disk when main returns
    cards = list(doc["cards"].values())
    assert [(c["kind"], c["text"], c["group"], c["author"], c["source"]) for c in cards] == [
        ("problem", "Forms are 14 pages", 1, "Margaret", "import"),
        ("option", "One short form\nfilled in once", None, None, "import"),
        ("contribution", "I'll test it", 2, "Sam", "import"),
    ]
    events = list(doc["events"].values())
    assert [e["type"] for e in events] == ["session.create", "card.import"]
    assert events[-1]["source"] == "import" and len(events[-1]["patch"]["cards"]) == 3


def test_import_partial(coprod, sessions, tmp_path):
    sid = make(sessions)
    rows = [
        ["problem", "one"],                    # line 1
        ["problem", "two", "Carers"],          # 2
        ["option", "three", "", "Ann"],        # 3
        ["problem", "a", "b", "c", "d", "e"],  # 4
        ["option", "four"],                    # 5
        ["contribution", "five", "staff"],     # 6
        ["problem", "x", "Tabel 3"],           # 7
        ["problem", "a", "b", "c", "d", "e"],  # 8
        ["option", "y" * 2345],                # 9
    ]
    result = coprod("import", sid, str(write_csv(tmp_path / "p.csv", *rows)))
    assert result.code == 3
    assert result.err_lines == [
        "line 4: expected 2 to 4 columns, got 6",
        "line 7: unknown group 'Tabel 3' (groups: Carers, Staff)",
        "line 8: expected 2 to 4 columns, got 6",
        "line 9: card text is 2,345 characters long; the limit is 2,000. Please shorten it or split it in two.",
    ]
    assert result.lines == ["Imported 5 cards into Respite review; 4 rows skipped (see above)."]
    assert len(session_doc(sessions, sid)["cards"]) == 5


@pytest.mark.parametrize("data, words", [
    (b"problem,caf\xe9\n", "is not UTF-8 text"),
    (b"problem,a\x00b\n", "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00", "binary"),
    (b"", "is empty"),
    (b"\n \n", "is empty"),
    ("kind,text\nproblem,x\n".encode("utf-16"), "UTF-16"),
    (b"kind,text\n", "has no rows after its header"),
    (b"kind,text,colour\nproblem,x,red\n", "unknown column 'colour'"),
])
def test_import_refused_files_leave_the_session_untouched(coprod, sessions, tmp_path, data, words):
    sid = make(sessions)
    path = sessions / f"{sid}.json"
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    (tmp_path / "bad.csv").write_bytes(data)
    line = one_error_line(coprod("import", sid, str(tmp_path / "bad.csv")))
    assert words in line and "bad.csv" in line
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


def test_import_all_rows_bad(coprod, sessions, tmp_path):
    sid = make(sessions)
    path = sessions / f"{sid}.json"
    before = path.read_bytes()
    result = coprod("import", sid, str(write_csv(tmp_path / "b.csv", ["idea", "x"], ["problem", ""])))
    assert result.code == 1 and result.out == ""
    assert result.err_lines[:2] == ["line 1: unknown kind 'idea': use problem, option or contribution",
                                    "line 2: card text can't be empty"]
    assert result.err_lines[2:] == ["coprod: error: nothing imported: none of the 2 rows in "
                                    f"{tmp_path / 'b.csv'} could be used (see above)"]
    assert path.read_bytes() == before


def test_import_errors_about_the_session_or_file(coprod, sessions, tmp_path):
    sid = make(sessions)
    good = write_csv(tmp_path / "g.csv", ["problem", "x"])
    assert "No session 'nope'" in one_error_line(coprod("import", "nope", str(good)))
    assert "can't read" in one_error_line(coprod("import", sid, str(tmp_path / "missing.csv")))
    assert "can't read" in one_error_line(coprod("import", sid, str(tmp_path)))
    (sessions / "broken.json").write_bytes(b'{"meta": ')
    assert "truncated" in one_error_line(coprod("import", "broken", str(good)))
    assert (sessions / "broken.json").read_bytes() == b'{"meta": '


def test_import_by_prefix_and_from_stdin(coprod, sessions, monkeypatch):
    sid = make(sessions)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\xef\xbb\xbfproblem,from a pipe\n")))
    result = coprod("import", sid[:12], "-")
    assert result.code == 0 and result.lines == ["Imported 1 card into Respite review; 0 rows skipped."]
    assert [c["text"] for c in session_doc(sessions, sid)["cards"].values()] == ["from a pipe"]


# -- open / show / home -------------------------------------------------------------------------------------------

def test_home_open_and_show_start_the_board(coprod, sessions, fake_tui):
    sid = make(sessions)
    assert coprod().code == 0
    assert coprod("open", sid).code == 0
    assert coprod("show", sid[:10]).code == 0  # a prefix is resolved to the full id
    assert fake_tui == [
        {"sessions_dir": sessions, "session_id": None, "read_only": False, "ran": True},
        {"sessions_dir": sessions, "session_id": sid, "read_only": False, "ran": True},
        {"sessions_dir": sessions, "session_id": sid, "read_only": True, "ran": True},
    ]


def test_opening_does_not_touch_the_file(coprod, sessions, fake_tui):
    sid = make(sessions)
    path = sessions / f"{sid}.json"
    before = path.read_bytes()
    coprod("show", sid)
    coprod("open", sid)
    assert path.read_bytes() == before


def _damage(sessions: Path, sid: str) -> None:
    path = sessions / f"{sid}.json"
    doc = json.loads(path.read_text("utf-8"))
    doc["cards"] = {"1": {"id": 1, "kind": "problem"}}  # no text, order…
    path.write_text(json.dumps(doc), "utf-8")


@pytest.mark.parametrize("command", ["open", "show"])
@pytest.mark.parametrize("case, words", [
    ("unknown", "No session"),
    ("invalid-id", "No session"),
    ("not-json", "not valid JSON"),
    ("newer", "newer coprod"),
    ("damaged", "damaged"),
    ("ambiguous", "matches 2 sessions"),
])
def test_open_and_show_refuse_bad_sessions_before_the_board(coprod, sessions, fake_tui, command, case, words):
    sessions.mkdir()
    target = case
    if case == "invalid-id":
        target = "../etc/passwd"
    elif case == "not-json":
        (sessions / "not-json.json").write_text("{]", "utf-8")
    elif case == "newer":
        (sessions / "newer.json").write_text('{"meta": {"1": {"schema_version": 99}}}', "utf-8")
    elif case == "damaged":
        _damage(sessions, make(sessions))
        target = "2025"
    elif case == "ambiguous":
        make(sessions, "One")
        make(sessions, "Two")
        target = "2025-03-12"
    files = {p: p.read_bytes() for p in sessions.glob("*.json")}
    line = one_error_line(coprod(command, target))
    assert words in line
    assert fake_tui == []  # the TUI was never started
    assert {p: p.read_bytes() for p in sessions.glob("*.json")} == files


def test_board_exit_code_is_passed_on(coprod, sessions, fake_tui, monkeypatch):
    module = sys.modules["coprod_tui.tui.app"]

    class Failing:
        return_code = 4

        def run(self):
            return None

    monkeypatch.setattr(module, "make_app", lambda *a, **k: Failing())
    assert coprod().code == 4


# -- general ------------------------------------------------------------------------------------------------------

def test_version_and_help(coprod):
    result = coprod("--version", folder=None)
    assert result.code == 0 and result.out.strip() == f"coprod {coprod_tui.__version__}"
    result = coprod("--help", folder=None)
    assert result.code == 0 and "--sessions-dir" in result.out and "exit codes" in result.out
    for name in ("new", "open", "show", "list", "import"):
        assert name in result.out
    assert coprod("import", "--help").code == 0


@pytest.mark.parametrize("argv", [["frobnicate"], ["new"], ["open"], ["import", "x"], ["list", "--bogus"]])
def test_usage_errors_exit_2(coprod, argv):
    result = coprod(*argv)
    assert result.code == 2 and "usage:" in result.err


def test_interrupt_exits_130(coprod, monkeypatch):
    def interrupted(args, folder):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "list", interrupted)
    result = coprod("list")
    assert result.code == 130 and result.out == ""


def test_a_bug_is_one_line_not_a_traceback(capsys, monkeypatch, sessions):
    def broken(args, folder):
        raise RuntimeError("boom")

    monkeypatch.setitem(cli.COMMANDS, "list", broken)
    monkeypatch.delenv("COPROD_DEBUG", raising=False)
    assert main(["--sessions-dir", str(sessions), "list"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "coprod: error: unexpected RuntimeError: boom" in err


# -- hostile text -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_titles_and_group_names(coprod, sessions, text):
    result = coprod("new", "--", text)
    if rejected(text, 200, multiline=False):
        one_error_line(result)
    else:
        assert result.code == 0
        assert session_doc(sessions, result.lines[-1])["meta"]["1"]["title"] == expected_stored(text, multiline=False)
    result = coprod("new", "Groups", f"--group={text}:other", "--group=Plain:carers")
    if rejected(text, 60, multiline=False):
        one_error_line(result)
    else:
        assert result.code == 0, result.err
        groups = session_doc(sessions, result.lines[-1])["groups"].values()
        assert [g["name"] for g in groups] == [expected_stored(text, multiline=False), "Plain"]
    assert coprod("list").code == 0 and coprod("list", "--json").code == 0


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_csv_rows(coprod, sessions, tmp_path, text):
    sid = make(sessions)
    path = sessions / f"{sid}.json"
    before = path.read_bytes()
    notes = write_csv(tmp_path / "h.csv", ["problem", "fine"], ["option", text, "Carers", "Ann"])
    result = coprod("import", sid, str(notes))
    if "\x00" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text):
        one_error_line(result)  # cannot be in a UTF-8 text file: the file is refused whole
        assert path.read_bytes() == before
        return
    cards = [c["text"] for c in session_doc(sessions, sid)["cards"].values()]
    if rejected(text):
        assert result.code == 3 and len(result.err_lines) == 1
        assert result.err_lines[0].startswith("line 2: ") and rejection_words(text) in result.err_lines[0]
        assert cards == ["fine"]
    else:
        assert result.code == 0 and result.err == ""
        assert cards == ["fine", expected_stored(text)]


# -- real processes -----------------------------------------------------------------------------------------------

def run_coprod(*args: str, cwd: Path, env: dict | None = None, stdin: bytes | None = None):
    full_env = {k: v for k, v in os.environ.items() if k not in ("COPROD_SESSIONS", "COPROD_DEBUG")}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), full_env.get("PYTHONPATH")]))
    full_env.update(env or {})
    proc = subprocess.run([sys.executable, "-m", "coprod_tui", *args], cwd=cwd, env=full_env, input=stdin,
                          capture_output=True, timeout=60)
    return proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")


def test_process_new_list_import(tmp_path):
    code, out, err = run_coprod("new", "Carers' review", "--group", "Carers:carers", cwd=tmp_path)
    assert code == 0 and err == ""
    sid = out.splitlines()[-1]
    assert (tmp_path / "sessions" / f"{sid}.json").exists()  # the default ./sessions
    write_csv(tmp_path / "n.csv", ["problem", "Beds free the day before"], ["problem", "x", "Nope"])
    code, out, err = run_coprod("import", sid, "n.csv", cwd=tmp_path)
    assert code == 3 and out.strip() == "Imported 1 card into Carers' review; 1 row skipped (see above)."
    assert err.strip() == "line 2: unknown group 'Nope' (groups: Carers)"
    code, out, err = run_coprod("list", "--json", cwd=tmp_path / "sessions", env={"COPROD_SESSIONS": "."})
    assert code == 0 and [(s["id"], s["cards"]) for s in json.loads(out)] == [(sid, 1)]


def test_process_version(tmp_path):
    code, out, err = run_coprod("--version", cwd=tmp_path)
    assert (code, out.strip(), err) == (0, f"coprod {coprod_tui.__version__}", "")


@pytest.mark.parametrize("command", ["open", "show"])
def test_process_open_bad_session_is_one_line(tmp_path, command):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "corrupt.json").write_bytes(b'{"meta": {"1": {"schema_version": 1, "id"')
    for target, words in (("nope", "No session 'nope'"), ("corrupt", "truncated")):
        code, out, err = run_coprod(command, target, "--sessions-dir", str(folder), cwd=tmp_path)
        assert code == 1 and out == ""
        assert len(err.splitlines()) == 1 and err.startswith("coprod: error: ") and words in err, err


def test_process_list_does_not_import_textual(tmp_path):
    make(tmp_path / "s")
    script = ("import sys; from coprod_tui.cli import main; code = main(['--sessions-dir', sys.argv[1], 'list']); "
              "sys.stdout.flush(); print('textual' in sys.modules, 'aiohttp' in sys.modules); sys.exit(code)")
    env = {k: v for k, v in os.environ.items() if k != "COPROD_SESSIONS"}
    env["PYTHONPATH"] = str(REPO)
    proc = subprocess.run([sys.executable, "-c", script, str(tmp_path / "s")], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "False False"
