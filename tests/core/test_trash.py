"""The trash: deleting moves a session aside (byte for byte), restoring puts it back, nothing is ever overwritten."""

from __future__ import annotations

import pytest

from coprod_tui.core.errors import NotFound, SessionBusy, ValidationError
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.core.store.trash import TRASH_NAME, Trash


@pytest.fixture
def folder(sessions_dir) -> SessionFolder:
    return SessionFolder(sessions_dir)


def test_delete_moves_the_file_and_restore_brings_it_back_unchanged(make_session, folder):
    sid = make_session("Respite review")
    original = folder.path_for(sid).read_bytes()
    trashed = Trash(folder).delete(sid)
    assert not folder.path_for(sid).exists()
    assert [s.id for s in folder.list()] == []  # the trash is not a session
    assert trashed.id == sid and trashed.title == "Respite review" and trashed.cards == 6
    assert (folder.folder / TRASH_NAME / f"{sid}.json").read_bytes() == original
    assert [t.name for t in Trash(folder).list()] == [f"{sid}.json"]
    assert Trash(folder).restore(trashed.name) == sid
    assert folder.path_for(sid).read_bytes() == original
    assert Trash(folder).list() == []


def test_a_prefix_names_the_session_to_delete(make_session, folder):
    sid = make_session("Respite review")
    assert Trash(folder).delete(sid[:12]).id == sid


def test_deleting_the_same_id_twice_keeps_both_copies(make_session, folder):
    sid = make_session("Respite review", session_id="same")
    Trash(folder).delete(sid)
    make_session("Second life", session_id="same")
    Trash(folder).delete(sid)
    names = sorted(t.name for t in Trash(folder).list())
    assert names == ["same.json", "same~2.json"]
    assert {t.title for t in Trash(folder).list()} == {"Respite review", "Second life"}
    assert Trash(folder).restore("same~2") == "same"
    assert folder.open("same", read_only=True).storage.read()["meta"]["1"]["title"] == "Second life"


def test_restore_never_overwrites_a_session_that_exists_again(make_session, folder):
    sid = make_session("Old", session_id="same")
    Trash(folder).delete(sid)
    make_session("New", session_id="same")
    with pytest.raises(ValidationError, match="exists again"):
        Trash(folder).restore("same.json")
    assert folder.list()[0].title == "New"
    assert [t.title for t in Trash(folder).list()] == ["Old"]


def test_a_session_open_for_editing_is_not_deleted(make_session, folder):
    sid = make_session()
    db = folder.open(sid)  # holds the writer lock, as a board does
    try:
        with pytest.raises(SessionBusy):
            Trash(folder).delete(sid)
    finally:
        db.close()
    assert folder.path_for(sid).exists()


def test_read_only_viewers_do_not_block_deleting(make_session, folder):
    sid = make_session()
    db = folder.open(sid, read_only=True)
    try:
        Trash(folder).delete(sid)
    finally:
        db.close()
    assert not folder.path_for(sid).exists()


@pytest.mark.parametrize("name", ["../x", "nothing", ".index", "a/b.json", ""])
def test_unknown_or_outside_names_are_refused(folder, make_session, name):
    make_session()
    with pytest.raises(NotFound):
        Trash(folder).restore(name)
    with pytest.raises(NotFound):
        Trash(folder).purge(name)


def test_purge_deletes_for_good(make_session, folder):
    sid = make_session()
    name = Trash(folder).delete(sid).name
    Trash(folder).purge(name)
    assert Trash(folder).list() == [] and folder.list() == []


def test_deleting_an_unknown_session_says_so(folder, make_session):
    make_session()
    with pytest.raises(NotFound):
        Trash(folder).delete("no-such-session")


def test_an_unreadable_file_can_be_trashed_and_is_listed_with_its_reason(folder, make_session):
    make_session()
    (folder.folder / "broken.json").write_bytes(b"{nope")
    Trash(folder).delete("broken")
    [entry] = Trash(folder).list()
    assert entry.id == "broken" and entry.error
