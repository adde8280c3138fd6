"""`coprod delete`, `coprod trash`, `coprod restore` as a person types them."""

from __future__ import annotations

import json

from support.cli import make


def test_delete_list_and_restore(coprod, sessions):  # noqa: F811
    sid = make(sessions, "Respite [b]review[/b]")
    deleted = coprod("delete", sid)
    assert deleted.code == 0 and f"coprod restore {sid}.json" in deleted.out
    assert "Respite [b]review[/b]" in deleted.out
    assert sid not in coprod("list").out
    listing = coprod("trash")
    assert listing.code == 0 and listing.out.startswith(f"{sid}.json") and "deleted 20" in listing.out
    [entry] = json.loads(coprod("trash", "--json").out)
    assert entry["id"] == sid and entry["title"] == "Respite [b]review[/b]" and entry["error"] is None
    restored = coprod("restore", f"{sid}.json")
    assert restored.code == 0 and f"coprod open {sid}" in restored.out
    assert sid in coprod("list").out
    assert "is empty" in coprod("trash").out


def test_restore_refuses_to_overwrite_and_unknown_names(coprod, sessions):  # noqa: F811
    sid = make(sessions)
    coprod("delete", sid)
    make(sessions)  # same title and date: a new file of another id…
    result = coprod("restore", "nothing-here")
    assert result.code == 1 and "Nothing called 'nothing-here.json' in the trash" in result.err
    assert coprod("delete", "no-such").code == 1


def test_delete_of_a_session_open_for_editing_is_refused(coprod, sessions):  # noqa: F811
    from coprod_tui.core.store.folder import SessionFolder

    sid = make(sessions)
    db = SessionFolder(sessions).open(sid)
    try:
        result = coprod("delete", sid)
    finally:
        db.close()
    assert result.code == 1 and "open for editing in another coprod" in result.err
    assert sid in coprod("list").out
