"""SessionFolder: listing (newest first, unreadable files explained, never modified), the index, ids and resolving."""

from __future__ import annotations

import json
import os
import re

import pytest

import coprod_tui.core.store.folder as store_mod
from coprod_tui.core.commands import AddCard, CardDraft, EditSession
from coprod_tui.core.errors import NotFound, StorageError, UnreadableSession
from coprod_tui.core.hub import Hub, new_session
from coprod_tui.core.model import Kind
from coprod_tui.core.store.folder import INDEX_NAME, INDEX_VERSION, SessionFolder, slugify


def clock_at(stamp: str):
    return lambda: stamp


def session_doc(sid: str, title: str, updated: str, cards: int = 0) -> dict:
    return {
        "meta": {"1": {"schema_version": 1, "id": sid, "title": title, "question": "", "created": updated,
                       "updated": updated}},
        "groups": {"1": {"id": 1, "name": "Carers", "colour": "orange", "role": "carers-and-family"}},
        "cards": {str(i): {"id": i, "kind": "problem", "text": f"c{i}", "group": None, "author": None,
                           "order": float(i), "links": [], "hidden": False, "created": updated,
                           "source": "facilitator"} for i in range(1, cards + 1)},
        "events": {},
    }


def write_session(folder: SessionFolder, sid: str, title: str = "T", updated: str = "2024-01-01T00:00:00",
                  cards: int = 0) -> None:
    folder.folder.mkdir(parents=True, exist_ok=True)
    folder.path_for(sid).write_text(json.dumps(session_doc(sid, title, updated, cards)), "utf-8")


@pytest.fixture
def folder(tmp_path) -> SessionFolder:
    return SessionFolder(tmp_path / "sessions")


def fingerprint(path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


# -- ids -------------------------------------------------------------------------------------------------------------

def test_slugify():
    assert slugify("Crisis support: what next?") == "crisis-support-what-next"
    assert slugify("Café für Ärzte") == "cafe-fur-arzte"
    assert slugify("👩‍👩‍👧 مرحبا") == ""
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("x" * 100) == "x" * 40
    assert slugify("a" * 39 + " b") == "a" * 39


def test_new_id_is_dated_readable_and_unique(folder):
    folder.folder.mkdir()
    ids = {folder.new_id("Crisis support", "2024-05-01") for _ in range(50)}
    assert all(re.fullmatch(r"2024-05-01-crisis-support-[0-9a-f]{4}", i) for i in ids)
    assert folder.new_id("👩‍👩‍👧", "2024-05-01").startswith("2024-05-01-session-")


def test_new_id_skips_existing_files(folder, monkeypatch):
    folder.folder.mkdir()
    folder.path_for("2024-05-01-x-aaaa").write_text("{}")
    tokens = iter(["aaaa", "aaaa", "bbbb"])
    monkeypatch.setattr(store_mod.secrets, "token_hex", lambda n: next(tokens))
    assert folder.new_id("x", "2024-05-01") == "2024-05-01-x-bbbb"


def test_create_refuses_an_existing_id(folder):
    write_session(folder, "dup")
    with pytest.raises(StorageError, match="already exists"):
        folder.create("dup", session_doc("dup", "T", "u"))


# -- listing ---------------------------------------------------------------------------------------------------------

def test_list_newest_first(folder):
    hubs = [new_session(folder, f"Session {n}", clock=clock_at(f"2024-05-0{n}T10:00:00.000+00:00"))
            for n in (2, 3, 1)]
    for h in hubs:
        h.close()
    # A change makes an old session the newest.
    oldest = hubs[2]
    h = Hub(folder.open(oldest.session.meta.id), clock=clock_at("2024-06-01T00:00:00.000+00:00"))
    h.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text="new")))
    h.close()
    listing = folder.list()
    assert [s.title for s in listing] == ["Session 1", "Session 3", "Session 2"]
    assert listing[0].cards == 1 and listing[0].updated.startswith("2024-06-01")
    assert all(s.readable for s in listing)


def test_list_of_an_empty_or_missing_folder(folder):
    assert folder.list() == []
    folder.folder.mkdir()
    assert folder.list() == []


def test_list_ignores_temp_files_the_index_and_other_files(folder):
    write_session(folder, "real")
    (folder.folder / ".real.json.k2j3h4.tmp").write_text('{"half')
    (folder.folder / ".hidden.json").write_text("{}")
    (folder.folder / "notes.txt").write_text("x")
    (folder.folder / "dir.json").mkdir()
    folder.list()
    assert (folder.folder / INDEX_NAME).exists()
    assert [s.id for s in folder.list()] == ["real"]


def test_a_file_name_that_is_not_utf8_does_not_break_listing(folder):
    write_session(folder, "good", "Good")
    raw_name = os.path.join(os.fsencode(folder.folder), b"caf\xe9.json")
    with open(raw_name, "wb") as fh:
        fh.write(b"{}")
    listing = folder.list()
    assert [s.id for s in listing][0] == "good"
    odd = listing[1]
    assert not odd.readable and "not a coprod session" in odd.error
    assert [s.id for s in folder.list()] == [s.id for s in listing]  # and again, from the index
    with open(raw_name, "rb") as fh:
        assert fh.read() == b"{}"


BAD_FILES = {
    "corrupt": (b"{not json", "is not valid JSON"),
    "truncated": (None, "truncated"),
    "empty": (b"", "is empty"),
    "foreign-list": (b"[1,2]", "is not a coprod session"),
    "foreign-object": (b'{"a":1}', "is not a coprod session"),
    "newer": (b'{"meta": {"1": {"schema_version": 3, "id": "newer", "title": "From the future"}}}',
              "newer coprod"),
    "latin1": ("{\"meta\": {\"1\": {\"title\": \"caf\xe9\"}}}".encode("latin-1"), "not UTF-8"),
    "surrogate": (b'{"meta": {"1": {"schema_version": 1, "id": "s", "title": "\\udc80", "created": "c"}}}',
                  "cannot be saved"),
}


@pytest.fixture
def mixed(folder):
    """Two good sessions and one file of each bad kind."""
    write_session(folder, "good-old", "Old", "2024-01-01T00:00:00")
    write_session(folder, "good-new", "New", "2024-02-01T00:00:00", cards=3)
    good = folder.path_for("good-new").read_bytes()
    for name, (content, _) in BAD_FILES.items():
        folder.path_for(name).write_bytes(content if content is not None else good[: len(good) // 2])
    return {name: fingerprint(folder.path_for(name)) for name in BAD_FILES}


def test_unreadable_files_are_listed_with_a_reason_and_never_modified(folder, mixed):
    listing = folder.list()
    by_id = {s.id: s for s in listing}
    assert [s.id for s in listing[:2]] == ["good-new", "good-old"]  # readable first, newest first
    assert by_id["good-new"].cards == 3 and by_id["good-new"].groups == ["Carers"]
    for name, (_, reason) in BAD_FILES.items():
        summary = by_id[name]
        assert not summary.readable
        assert reason in summary.error and "\n" not in summary.error
        assert summary.title == f"{name}.json"
    folder.list()  # from the index this time
    assert {name: fingerprint(folder.path_for(name)) for name in BAD_FILES} == mixed


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_open_of_an_unreadable_file_says_why_in_one_line(folder, mixed, name):
    with pytest.raises(UnreadableSession) as info:
        folder.open(name)
    message = str(info.value)
    assert message.startswith(f"Can't open session {name!r}: ")
    assert BAD_FILES[name][1] in message and "\n" not in message
    assert fingerprint(folder.path_for(name)) == mixed[name]
    # The good sessions still open.
    hub = Hub(folder.open("good-new"))
    try:
        assert len(hub.session.cards) == 3
    finally:
        hub.close()


def test_open_unknown_session(folder):
    write_session(folder, "2024-05-01-a")
    with pytest.raises(NotFound, match="No session 'zzz'"):
        folder.open("zzz")


# -- the index -------------------------------------------------------------------------------------------------------

def count_reads(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = store_mod.read_document

    def counting(path):
        calls.append(path.name)
        return real(path)

    monkeypatch.setattr(store_mod, "read_document", counting)
    return calls


def test_index_spares_reading_a_thousand_sessions(folder, monkeypatch):
    for i in range(1000):
        write_session(folder, f"2024-01-01-s{i:04d}", f"Session {i}", f"2024-01-01T{i // 60 % 24:02d}:{i % 60:02d}")
    calls = count_reads(monkeypatch)
    first = folder.list()
    assert len(calls) == 1000 and len(first) == 1000
    calls.clear()
    second = folder.list()
    assert calls == []
    assert second == first
    # One file changes: only it is read again.
    write_session(folder, "2024-01-01-s0500", "Renamed", "2025-01-01T00:00:00", cards=2)
    third = folder.list()
    assert calls == ["2024-01-01-s0500.json"]
    assert third[0].id == "2024-01-01-s0500" and third[0].title == "Renamed" and third[0].cards == 2


def test_a_changed_file_is_summarised_again(folder, monkeypatch):
    hub = new_session(folder, "Before")
    sid = hub.session.meta.id
    hub.close()
    assert folder.list()[0].title == "Before"
    hub = Hub(folder.open(sid))
    hub.apply(EditSession(title="After"))
    hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="o")))
    hub.close()
    calls = count_reads(monkeypatch)
    summary = folder.list()[0]
    assert calls == [f"{sid}.json"]
    assert (summary.title, summary.cards) == ("After", 1)


def test_a_same_size_change_with_a_new_mtime_is_seen(folder):
    write_session(folder, "s", "AAAA")
    folder.list()
    path = folder.path_for("s")
    st = path.stat()
    write_session(folder, "s", "BBBB")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert path.stat().st_size == st.st_size
    assert folder.list()[0].title == "BBBB"


def test_a_deleted_file_leaves_the_listing_and_the_index(folder):
    write_session(folder, "a")
    write_session(folder, "b")
    folder.list()
    folder.path_for("a").unlink()
    assert [s.id for s in folder.list()] == ["b"]
    index = json.loads((folder.folder / INDEX_NAME).read_text("utf-8"))
    assert list(index["files"]) == ["b.json"]


@pytest.mark.parametrize("content", [
    b"{garbage", b"", b"[]", b'{"version": 99, "files": {}}', b'{"version": 1, "files": []}',
    b'{"version": 1, "files": {"a.json": 5, "b.json": {"stamp": "x"}}}',
    b'{"version": 1, "files": {"a.json": {"stamp": [0, 0], "summary": {"bogus": 1}}}}',
    b"\xff\xfe",
])
def test_a_corrupt_index_is_ignored_and_rebuilt(folder, content):
    write_session(folder, "a", "Alpha")
    write_session(folder, "b", "Beta", "2024-03-01T00:00:00")
    folder.folder.joinpath(INDEX_NAME).write_bytes(content)
    assert [(s.id, s.title) for s in folder.list()] == [("b", "Beta"), ("a", "Alpha")]
    index = json.loads((folder.folder / INDEX_NAME).read_text("utf-8"))
    assert index["version"] == INDEX_VERSION and sorted(index["files"]) == ["a.json", "b.json"]


def test_a_matching_index_entry_with_a_broken_summary_is_reread(folder):
    write_session(folder, "a", "Alpha")
    st = folder.path_for("a").stat()
    bad = {"version": INDEX_VERSION, "files": {"a.json": {"stamp": [st.st_mtime_ns, st.st_size], "summary": {"nope": 1}}}}
    folder.folder.joinpath(INDEX_NAME).write_text(json.dumps(bad))
    assert folder.list()[0].title == "Alpha"


def test_listing_works_when_the_index_cannot_be_written(folder, monkeypatch):
    write_session(folder, "a", "Alpha")

    def no_space(path, data):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_mod, "atomic_write", no_space)
    assert [s.title for s in folder.list()] == ["Alpha"]
    assert not (folder.folder / INDEX_NAME).exists()


# -- resolving ids ---------------------------------------------------------------------------------------------------

def test_resolve_exact_and_unique_prefix(folder):
    write_session(folder, "2024-05-01-crisis-ab12")
    write_session(folder, "2024-05-01-carers-cd34")
    write_session(folder, "2024-05-01-crisis")
    assert folder.resolve("2024-05-01-crisis") == "2024-05-01-crisis"  # exact wins over prefix
    assert folder.resolve("2024-05-01-ca") == "2024-05-01-carers-cd34"
    hub = Hub(folder.open("2024-05-01-ca"))
    assert hub.session.meta.id == "2024-05-01-carers-cd34"
    hub.close()


def test_resolve_ambiguous_prefix(folder):
    write_session(folder, "2024-05-01-crisis-ab12")
    write_session(folder, "2024-05-01-crisis-cd34")
    with pytest.raises(NotFound) as info:
        folder.resolve("2024-05-01-cr")
    message = str(info.value)
    assert "matches 2 sessions" in message
    assert "2024-05-01-crisis-ab12" in message and "2024-05-01-crisis-cd34" in message


def test_resolve_unknown(folder):
    write_session(folder, "a")
    with pytest.raises(NotFound, match="No session 'b'"):
        folder.resolve("b")


@pytest.mark.parametrize("sid", ["../x", "a/b", "..", "../sessions/x", "/etc/passwd", "", ".index",
                                 "x\x00", "a\\b", "-rf", " x", "x" * 200, "ü", "x\n"])
def test_path_traversal_and_odd_ids_are_not_found(folder, sid):
    write_session(folder, "x")
    outside = folder.folder.parent / "x.json"
    outside.write_text(json.dumps(session_doc("x", "outside", "u")))
    with pytest.raises(NotFound):
        folder.path_for(sid)
    with pytest.raises(NotFound):
        folder.resolve(sid)
    with pytest.raises(NotFound):
        folder.open(sid)
    assert sorted(p.name for p in folder.folder.iterdir()) == ["x.json"]
