"""`coprod qr` and `coprod open`'s phone options, as a facilitator runs them."""

from __future__ import annotations

import json
import socket

from coprod_tui.cli import main
from coprod_tui.core.hub import new_session, open_session
from coprod_tui.core.tokens import ensure_tokens
from coprod_tui.core.store.folder import SessionFolder


def make(tmp_path):
    hub = new_session(SessionFolder(tmp_path), "Short breaks", "What would help?",
                      [("Carers", "carers", None), ("Staff <b>", "practitioners", None)])
    session_id = hub.session.meta.id
    hub.close()
    return session_id


def test_qr_prints_one_link_for_everyone_and_one_per_group(tmp_path, capsys):
    session_id = make(tmp_path)
    assert main(["--sessions-dir", str(tmp_path), "qr", session_id, "--public-url", "https://room.example/c"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(": ")[0] for line in lines] == ["Everyone (choose your group)", "Carers", "Staff <b>"]
    assert all(line.split(": ")[1].startswith("https://room.example/c/j/") for line in lines)
    # the same links next time: tokens are made once and kept
    main(["--sessions-dir", str(tmp_path), "qr", session_id, "--public-url", "https://room.example/c"])
    assert capsys.readouterr().out.splitlines() == lines


def test_qr_json_and_sheet(tmp_path, capsys):
    session_id = make(tmp_path)
    sheet = tmp_path / "sheet.html"
    assert main(["--sessions-dir", str(tmp_path), "qr", session_id, "--json", "--sheet", str(sheet),
                 "--host", "127.0.0.1", "--port", "9000"]) == 0
    codes = json.loads(capsys.readouterr().out)
    assert [c["group"] for c in codes] == [None, 1, 2]
    assert all(c["url"].startswith("http://127.0.0.1:9000/j/") for c in codes)
    html = sheet.read_text("utf-8")
    assert html.count("<svg") == 3 and "Staff &lt;b&gt;" in html and "Staff <b>" not in html


def test_qr_works_while_the_board_holds_the_session(tmp_path, capsys):
    session_id = make(tmp_path)
    board = open_session(SessionFolder(tmp_path), session_id)  # the live board: holds the writer lock
    ensure_tokens(board)
    board.storage.flush(5)
    try:
        assert main(["--sessions-dir", str(tmp_path), "qr", session_id, "--host", "127.0.0.1"]) == 0
    finally:
        board.close()
    out = capsys.readouterr().out
    assert board.session.meta.tokens["all"] in out


def test_bad_phone_options_are_one_line_errors(tmp_path, capsys):
    session_id = make(tmp_path)
    assert main(["--sessions-dir", str(tmp_path), "qr", session_id, "--public-url", "ftp://x"]) == 1
    assert capsys.readouterr().err.strip() == "coprod: error: --public-url must start with http:// or https://."
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["--sessions-dir", str(tmp_path), "open", session_id, "--host", "127.0.0.1", "--port", str(port)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1 and err == [f"coprod: error: Port {port} is already in use — another coprod? Choose another "
                                 "with --port."]
    assert main(["--sessions-dir", str(tmp_path), "open", session_id, "--port", "70000"]) == 1
    assert "between 1 and 65535" in capsys.readouterr().err
