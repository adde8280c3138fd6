"""SessionStorage: the atomic, group-committing TinyDB storage of one session file."""

from __future__ import annotations

import errno
import json
import os
import threading
from concurrent.futures import Future

import pytest
from support.hostile import HOSTILE, HOSTILE_IDS
from tinydb import TinyDB

import coprod_tui.core.store.file as storage_mod
from coprod_tui.core.errors import StorageError, UnreadableSession, ValidationError
from coprod_tui.core.store.file import TABLES, SessionStorage, atomic_write, dumps, encode_document, read_document


def render(lines: dict[str, dict[str, str]]) -> str:
    """The whole document the writer writes, as text."""
    return b"".join(encode_document(lines)).decode("utf-8")


def meta(**extra) -> dict:
    return {"schema_version": 1, "id": "s", "title": "T", "question": "", "created": "c", "updated": "c", **extra}


@pytest.fixture
def path(tmp_path):
    return tmp_path / "s.json"


@pytest.fixture
def store(path):
    s = SessionStorage(path, create={"meta": {"1": meta()}})
    yield s
    s.close()


def on_disk(path) -> dict:
    return json.loads(path.read_text("utf-8"))


# -- the document format ---------------------------------------------------------------------------------------------

def test_render_is_valid_json_with_every_table():
    assert json.loads(render({})) == {t: {} for t in TABLES}
    lines = {"meta": {"1": dumps(meta())}, "cards": {"1": dumps({"a": 1}), "2": dumps({"b": [1, None]})}}
    assert json.loads(render(lines)) == {"meta": {"1": meta()}, "groups": {}, "cards": {"1": {"a": 1},
                                         "2": {"b": [1, None]}}, "votes": {}, "done": {}, "reflections": {}, "plan": {}, "responses": {},
                                         "events": {}}


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_render_survives_hostile_text(text):
    text = text.encode("utf-8", "ignore").decode("utf-8")  # lone surrogates never reach render (put refuses them)
    lines = {"cards": {"1": dumps({"text": text, "author": text[:80]})}}
    assert json.loads(render(lines))["cards"]["1"]["text"] == text


def test_dumps_keeps_text_readable():
    assert dumps({"t": "café 👍"}) == '{"t": "café 👍"}'


# -- create / open ---------------------------------------------------------------------------------------------------

def test_create_writes_the_file_at_once(store, path):
    doc = on_disk(path)
    assert doc["meta"]["1"]["schema_version"] == 1
    assert set(doc) == set(TABLES)


def test_create_refuses_an_existing_file(store, path):
    before = path.read_bytes()
    with pytest.raises(StorageError, match="already exists"):
        SessionStorage(path, create={"meta": {"1": meta()}})
    assert path.read_bytes() == before


def test_open_reads_what_was_written(store, path):
    store.put("cards", 1, {"id": 1, "text": "hello"})
    store.close()
    again = SessionStorage(path)
    try:
        assert again.read()["cards"] == {"1": {"id": 1, "text": "hello"}}
    finally:
        again.close()


def test_open_missing_file_raises_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        SessionStorage(tmp_path / "nope.json")


# -- put / remove / durable ------------------------------------------------------------------------------------------

def test_file_is_valid_json_with_schema_version_after_every_flush(store, path):
    for i in range(1, 51):
        store.put("cards", i, {"id": i, "text": f"card {i} \"quoted\" \\ [b]"})
        if i % 7 == 0:
            store.remove("cards", i - 1)
        store.put("meta", 1, meta(updated=str(i)))
        store.flush(5)
        doc = on_disk(path)
        assert doc["meta"]["1"]["schema_version"] == 1 and doc["meta"]["1"]["updated"] == str(i)
        assert str(i) in doc["cards"]
    assert len(on_disk(path)["cards"]) == 50 - 7


def test_durable_future_resolves(store, path):
    store.put("cards", 1, {"id": 1})
    fut = store.durable()
    assert isinstance(fut, Future)
    assert isinstance(fut.result(timeout=5), int)
    assert "1" in on_disk(path)["cards"]


def test_durable_with_nothing_pending_is_already_done(store):
    store.flush(5)
    fut = store.durable()
    assert fut.done() and fut.exception() is None


def test_durable_future_cannot_be_cancelled(store):
    store.put("cards", 1, {"id": 1})
    fut = store.durable()
    assert fut.cancel() is False
    fut.result(timeout=5)


def test_put_keeps_a_snapshot_of_the_record(store, path):
    record = {"id": 1, "text": "before"}
    store.put("cards", 1, record)
    record["text"] = "mutated after put"  # the line was serialised at put time
    store.flush(5)
    assert on_disk(path)["cards"]["1"]["text"] == "before"


def test_put_refuses_lone_surrogates_and_changes_nothing(store, path):
    store.flush(5)
    before = json.dumps(store.read(), sort_keys=True)
    with pytest.raises(ValidationError, match="lone surrogates"):
        store.put("cards", 1, {"text": "bad \ud800"})
    assert json.dumps(store.read(), sort_keys=True) == before
    store.flush(5)
    assert on_disk(path)["cards"] == {}


def test_concurrent_puts_from_many_threads(store, path):
    threads_n, per_thread = 16, 250
    start = threading.Barrier(threads_n)

    def work(t: int) -> None:
        start.wait()
        for i in range(per_thread):
            store.put("cards", f"{t}-{i}", {"t": t, "i": i, "text": f"from thread {t}"})

    threads = [threading.Thread(target=work, args=(t,)) for t in range(threads_n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    store.flush(30)
    cards = on_disk(path)["cards"]
    assert len(cards) == threads_n * per_thread
    assert all(cards[f"{t}-{i}"] == {"t": t, "i": i, "text": f"from thread {t}"}
               for t in range(threads_n) for i in range(per_thread))


def test_bursts_share_writes(store, path, monkeypatch):
    """Group commit: a burst of changes costs far fewer writes than changes (counted, not timed)."""
    writes = []
    real = storage_mod.atomic_write
    gate = threading.Event()

    def counting(p, data):
        writes.append(p)
        gate.wait(5)  # hold the first write so the burst piles up behind it
        real(p, data)

    monkeypatch.setattr(storage_mod, "atomic_write", counting)
    for i in range(500):
        store.put("cards", i, {"i": i})
    gate.set()
    store.flush(10)
    assert len(on_disk(path)["cards"]) == 500
    assert 1 <= len(writes) <= 2


def test_close_writes_what_is_pending(path):
    s = SessionStorage(path, create={"meta": {"1": meta()}})
    for i in range(100):
        s.put("cards", i, {"i": i})
    s.close()
    assert len(on_disk(path)["cards"]) == 100
    assert not s._thread.is_alive()


def test_no_temp_files_left_after_writes(store, path):
    for i in range(20):
        store.put("cards", i, {"i": i})
        store.flush(5)
    # the session and its writer lock, nothing else
    assert sorted(p.name for p in path.parent.iterdir()) == [f".{path.stem}.lock", path.name]


# -- TinyDB's own interface ------------------------------------------------------------------------------------------

def test_tinydb_reads_and_writes_through_the_storage(path):
    SessionStorage(path, create={"meta": {"1": meta()}, "cards": {"1": {"id": 1, "kind": "problem"}}}).close()
    db = TinyDB(path, storage=SessionStorage)
    try:
        assert db.table("cards").all() == [{"id": 1, "kind": "problem"}]
        db.table("cards").insert({"id": 2, "kind": "option"})
        db.storage.flush(5)
    finally:
        db.close()
    assert on_disk(path)["cards"]["2"] == {"id": 2, "kind": "option"}
    assert on_disk(path)["meta"]["1"]["schema_version"] == 1


# -- write failures --------------------------------------------------------------------------------------------------

class Disk:
    """Stands in for atomic_write: fails with ENOSPC while `full` is set."""

    def __init__(self) -> None:
        self.full = threading.Event()
        self.attempts = 0
        self.real = storage_mod.atomic_write

    def __call__(self, path, data):
        self.attempts += 1
        if self.full.is_set():
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.real(path, data)


def test_write_failure_fails_futures_keeps_data_and_recovers(path, monkeypatch):
    disk = Disk()
    monkeypatch.setattr(storage_mod, "atomic_write", disk)
    monkeypatch.setattr(storage_mod, "RETRY_SECONDS", 0.05)
    calls: list[Exception | None] = []
    recovered = threading.Event()

    def on_error(err):
        calls.append(err)
        if err is None:
            recovered.set()

    s = SessionStorage(path, create={"meta": {"1": meta()}}, on_error=on_error)
    try:
        disk.full.set()
        s.put("cards", 1, {"id": 1, "text": "kept in memory"})
        fut = s.durable()
        err = fut.exception(timeout=5)
        assert isinstance(err, StorageError)
        assert "No space left on device" in str(err) and "\n" not in str(err)
        assert s.error is err
        assert s.read()["cards"]["1"]["text"] == "kept in memory"
        assert on_disk(path)["cards"] == {}
        assert isinstance(calls[0], StorageError)

        s.put("cards", 2, {"id": 2, "text": "also while full"})
        assert isinstance(s.durable().exception(timeout=5), StorageError)

        disk.full.clear()  # space freed: the retry loop writes everything without another change
        assert recovered.wait(5)
        s.flush(5)
        assert {k: v["text"] for k, v in on_disk(path)["cards"].items()} == {"1": "kept in memory",
                                                                              "2": "also while full"}
        assert calls[-1] is None and all(isinstance(c, StorageError) for c in calls[:-1])
        assert s.error is None
        assert s.durable().result(timeout=5) >= 0
    finally:
        disk.full.clear()
        s.close()


def test_close_while_the_disk_is_full_raises_and_does_not_hang(path, monkeypatch):
    disk = Disk()
    monkeypatch.setattr(storage_mod, "atomic_write", disk)
    monkeypatch.setattr(storage_mod, "RETRY_SECONDS", 30)  # close must not wait for the retry timer
    s = SessionStorage(path, create={"meta": {"1": meta()}})
    disk.full.set()
    s.put("cards", 1, {"id": 1})
    with pytest.raises(StorageError, match="could not save"):
        s.close()
    assert not s._thread.is_alive()
    assert on_disk(path)["cards"] == {}  # the old file is intact, never half-written


def test_os_replace_failing_leaves_old_file_and_no_temp(path, monkeypatch):
    s = SessionStorage(path, create={"meta": {"1": meta()}})
    s.close()
    before = path.read_bytes()

    def broken_replace(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        atomic_write(path, b"new contents")
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert not [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_raising_on_error_callback_does_not_kill_the_writer(path, monkeypatch):
    disk = Disk()
    monkeypatch.setattr(storage_mod, "atomic_write", disk)
    monkeypatch.setattr(storage_mod, "RETRY_SECONDS", 0.05)

    def on_error(err):
        raise RuntimeError("the front end is gone")

    s = SessionStorage(path, create={"meta": {"1": meta()}}, on_error=on_error)
    try:
        disk.full.set()
        s.put("cards", 1, {"id": 1})
        assert isinstance(s.durable().exception(timeout=5), StorageError)
        disk.full.clear()
        s.flush(5)
        assert s._thread.is_alive()
        assert "1" in on_disk(path)["cards"]
    finally:
        s.close()


def test_an_unexpected_error_fails_futures_instead_of_hanging_them(path, monkeypatch):
    """TinyDB's own write path does not check text; a lone surrogate must surface as StorageError, not a hang."""
    monkeypatch.setattr(storage_mod, "RETRY_SECONDS", 0.05)
    SessionStorage(path, create={"meta": {"1": meta()}}).close()
    db = TinyDB(path, storage=SessionStorage)
    db.table("cards").insert({"text": "bad \ud800"})
    err = db.storage.durable().exception(timeout=5)
    assert isinstance(err, StorageError)
    assert db.storage._thread.is_alive()
    with pytest.raises(StorageError):
        db.close()
    assert on_disk(path)["cards"] == {}


# -- reading and checking files --------------------------------------------------------------------------------------

@pytest.mark.parametrize("content, reason", [
    (b"", "is empty"),
    (b"  \n", "is empty"),
    (b'{"meta": {"1": {"schema_version": 1', "truncated"),
    (b"{not json}", "is not valid JSON (line 1, column 2)"),
    (b"[1, 2]", "is not a coprod session"),
    (b'{"a": 1}', "is not a coprod session"),
    (b'{"meta": []}', "is not a coprod session"),
    (b'{"meta": {"1": {"title": "x"}}}', "no schema_version"),
    (b'{"meta": {"1": "x"}}', "no schema_version"),
    (b'{"meta": {"1": {"schema_version": 99}}}', "newer coprod (schema 99"),
    (b'{"meta": {"1": {"schema_version": 1}}, "cards": [1]}', "table 'cards' is not a set of records"),
    (b'{"meta": {"1": {"schema_version": 1}}, "cards": {"1": 5}}', "table 'cards'"),
    (b"\xff\xfe{\x00}", "is not UTF-8"),
    (b'{"meta": {"1": {"schema_version": 1, "title": "\\ud800"}}}', "cannot be saved"),
])
def test_read_document_explains_what_is_wrong(tmp_path, content, reason):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(UnreadableSession) as info:
        read_document(path)
    message = str(info.value)
    assert reason in message and message.startswith("bad.json ") and "\n" not in message
    assert path.read_bytes() == content


def test_read_document_accepts_escaped_surrogate_pairs_and_literal_backslash_u(tmp_path):
    path = tmp_path / "ok.json"
    path.write_bytes(b'{"meta": {"1": {"schema_version": 1, "title": "\\ud83d\\ude00 \\\\ud800"}}}')
    doc = read_document(path)
    assert doc["meta"]["1"]["title"] == "😀 \\ud800"
    assert doc["cards"] == {} and doc["events"] == {}


def test_read_document_accepts_older_schema(tmp_path):
    path = tmp_path / "old.json"
    path.write_text(json.dumps({"meta": {"1": {"schema_version": 0}}}))
    assert read_document(path)["meta"]["1"]["schema_version"] == 0


def test_a_second_writer_is_refused_and_the_first_keeps_writing(store, path):
    """Two writers would overwrite each other's changes: the second open says who holds the session."""
    from coprod_tui.core.errors import SessionBusy

    with pytest.raises(SessionBusy, match="open for editing in another coprod"):
        SessionStorage(path)
    reader = SessionStorage(path, read_only=True)  # review needs no lock
    with pytest.raises(StorageError, match="read-only"):
        reader.put("cards", 1, {"id": 1})
    reader.close()
    store.put("cards", 7, {"id": 7})
    store.close()
    again = SessionStorage(path)  # the lock went with close()
    assert again.read()["cards"]["7"] == {"id": 7}
    again.close()


def test_stale_temp_files_of_a_crashed_writer_are_cleared_on_open(store, path):
    store.close()
    stale = path.with_name(f".{path.name}.abc123.tmp")
    stale.write_bytes(b"half a write")
    again = SessionStorage(path)
    assert not stale.exists()
    again.close()


def test_a_big_document_is_written_in_pieces_that_make_the_same_file():
    """The writer streams the file in 64 KiB pieces (no whole-file string and bytes held at once); the pieces must
    join to exactly the document written in one piece, whatever the records hold."""
    lines = {t: {} for t in TABLES}
    lines["meta"]["1"] = dumps(meta())
    for i in range(3000):
        lines["cards"][str(i)] = dumps({"id": i, "text": f"Note {i} — café ✓ " * (1 + i % 7)})
        lines["events"][str(i)] = dumps({"seq": i, "type": "card.add", "patch": {"cards": {str(i): [None, {"i": i}]}}})
    pieces = list(storage_mod.encode_document(lines))
    assert len(pieces) > 3 and all(len(p) < 4 * storage_mod.WRITE_CHUNK for p in pieces)
    assert b"".join(pieces) == b"".join(storage_mod.encode_document(lines, chunk=10**9))
    assert json.loads(b"".join(pieces))["cards"]["2999"]["id"] == 2999
