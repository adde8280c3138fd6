"""Disk trouble mid-session: the sessions folder becomes full (ENOSPC) or read-only (EROFS) while phones post.

The app runs under `run_test` with its real phone server on 127.0.0.1; phones are aiohttp clients. What must hold:

* before the fault, notes get 201 and are on disk;
* during it, every POST is a 503 with `Retry-After` and a JSON error `storage_unavailable` whose message asks the
  phone to send again (never 201/200 "saved"); a phone's retry with the same request_id is still a 503 while the
  disk is bad; the board shows a "Saving failed" notification naming the reason, and a lasting "⚠ NOT SAVED"
  mark for as long as the fault lasts; the session file is byte-for-byte what it was before the fault (nothing already saved is harmed), still parses, and no temp file is
  left behind;
* the notes applied during the fault are NOT lost: the hub applied them in memory before the write failed (the
  board shows them), and the writer thread's retry loop (every `RETRY_SECONDS`) writes them as soon as the disk
  recovers, without any new change. So they ARE in the file after recovery, although their phones never heard
  "saved"; each such phone's retry with its request_id then answers 200 with the id of that one card (never a
  second card);
* after recovery the board says "Saving works again" and its mark is gone, new POSTs get 201, and the file holds
  every note that got a 201 or 200.

The mark is also checked on its own, without phones: it outlasts its toast, shows a reason holding markup
("[/]", "[@click=app.quit]x[/]") as plain text, and goes when saving works again.

Tests run as root on CI, where chmod cannot stop a write, so the failure is injected at the OS boundary the storage
module uses: its `os` and `tempfile` names are swapped for views of the real modules that fail like a full or
read-only file system would — ENOSPC after half of the temp file is written (the partial temp file must be cleaned
up), EROFS when the temp file is created. Only calls made by coprod_tui.core.store.file see the fault.
A last test uses a genuinely read-only folder (chmod) and runs only when not root.
"""

from __future__ import annotations

import asyncio
import errno
import os
import stat
import tempfile as real_tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from textual.color import Color

import coprod_tui.core.store.file as storage
from support.app import back_to, dialog, notices, open_board, screen_text, settle, stored_cards, type_text
from coprod_tui.core.store.file import read_document
from coprod_tui.tui.app import SAVING_WARNING_SECONDS
from coprod_tui.tui.board.saving import NotSavedMark
from coprod_tui.tui.dialogs.cards import CardEditor
from coprod_tui.web.server import start_phone_server

SIZE = (120, 40)
RETRY = 0.05  # the writer's retry period in these tests (the app's is 1 s); Retry-After is still at least 1


class _FailingFile:
    """The temp file's handle while the disk is full: writes half of what it is given, then ENOSPC."""

    def __init__(self, real, message: str) -> None:
        self.real = real
        self.message = message

    def write(self, data: bytes) -> int:
        self.real.write(data[: len(data) // 2])
        self.real.flush()
        raise OSError(errno.ENOSPC, self.message)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def __enter__(self) -> _FailingFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.real.close()


class BadDisk:
    """Stands in for the `os` and `tempfile` modules inside coprod_tui.core.store.file; `fault` says how the disk fails.

    None: everything passes through to the real modules. ENOSPC: the temp file is created and half written, then the
    write fails (the device filled up). EROFS: creating the temp file fails (the file system went read-only).
    `message` replaces the system's words for the fault (a hostile reason, to check it is shown as plain text).
    """

    def __init__(self, folder: Path, message: str | None = None) -> None:
        self.folder = folder.resolve()
        self.message = message
        self.fault: int | None = None
        self.failures = 0
        self._lock = threading.Lock()
        bad = self

        class OsView:
            def __getattr__(self, name: str) -> Any:
                return getattr(os, name)

            @staticmethod
            def fdopen(fd: int, *args: Any, **kwargs: Any):
                real = os.fdopen(fd, *args, **kwargs)
                if bad.fault == errno.ENOSPC:
                    bad._count()
                    return _FailingFile(real, bad.message or os.strerror(errno.ENOSPC))
                return real

        class TempfileView:
            def __getattr__(self, name: str) -> Any:
                return getattr(real_tempfile, name)

            @staticmethod
            def mkstemp(*args: Any, dir: Any = None, **kwargs: Any):
                if bad.fault == errno.EROFS and dir is not None and Path(dir).resolve() == bad.folder:
                    bad._count()
                    raise OSError(errno.EROFS, bad.message or os.strerror(errno.EROFS), str(dir))
                return real_tempfile.mkstemp(*args, dir=dir, **kwargs)

        self.os = OsView()
        self.tempfile = TempfileView()

    def _count(self) -> None:
        with self._lock:
            self.failures += 1

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setattr(storage, "os", self.os)
        monkeypatch.setattr(storage, "tempfile", self.tempfile)


async def serve_locally(hub):
    return await start_phone_server(hub, host="127.0.0.1", port=0)


def note(text: str) -> dict[str, Any]:
    return {"text": text, "kind": "problem", "group": 1, "request_id": uuid.uuid4().hex}


def temp_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def saving_failed(app) -> list[str]:
    return [str(message) for title, message in notices(app) if title == "Saving failed"]


def saving_works(app) -> list[str]:
    return [str(message) for _, message in notices(app) if "Saving works again" in str(message)]


@pytest.mark.parametrize("fault, reason", [(errno.ENOSPC, os.strerror(errno.ENOSPC)),
                                           (errno.EROFS, os.strerror(errno.EROFS))],
                         ids=["disk-full", "read-only"])
async def test_disk_trouble_mid_session_warns_refuses_harms_nothing_and_recovers(
        fault, reason, make_session, sessions_dir, app_factory, monkeypatch):
    session_id = make_session()
    monkeypatch.setattr(storage, "RETRY_SECONDS", RETRY)
    disk = BadDisk(sessions_dir)
    disk.install(monkeypatch)
    app = app_factory(session_id, serve=serve_locally)
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        await settle(pilot, lambda: app.phone_server is not None)
        url = app.phone_server.urls()["all"]
        base, token = url.split("/j/")
        notes_url = f"{base}/api/v1/j/{token}/notes"
        path = app.hub.storage.path
        saved: dict[str, tuple[int, str]] = {}  # request_id -> (card id, text) of every 201/200

        async with aiohttp.ClientSession() as phone_a, aiohttp.ClientSession() as phone_b:
            async def post(http: aiohttp.ClientSession, body: dict) -> tuple[int, dict, Any]:
                async with http.post(notes_url, json=body) as resp:
                    return resp.status, await resp.json(), resp.headers

            # -- before: saved means saved ----------------------------------------------------------------------
            for i, http in enumerate((phone_a, phone_b, phone_a)):
                body = note(f"Before the fault {i}")
                status, answer, _ = await post(http, body)
                assert status == 201, answer
                saved[body["request_id"]] = (answer["id"], body["text"])
            await asyncio.wrap_future(app.hub.durable())  # nothing left to write: the file is settled
            before = path.read_bytes()
            before_doc = read_document(path)
            assert {c["text"] for c in before_doc["cards"].values()} >= {t for _, t in saved.values()}

            # -- the disk fails ---------------------------------------------------------------------------------
            disk.fault = fault
            fault_began = time.monotonic()
            refused: list[dict] = []
            for i, http in enumerate((phone_a, phone_b, phone_b)):
                body = note(f"During the fault {i}")
                status, answer, headers = await post(http, body)
                assert status == 503, (status, answer)
                assert int(headers["Retry-After"]) >= 1
                assert answer["error"]["code"] == "storage_unavailable"
                assert "could not be saved" in answer["error"]["message"] and "send it again" in \
                    answer["error"]["message"]
                refused.append(body)
            # The phone keeps its draft and request_id and sends again: still not "saved" while the disk is bad.
            status, answer, headers = await post(phone_a, refused[0])
            assert status == 503 and answer["error"]["code"] == "storage_unavailable", (status, answer)
            assert int(headers["Retry-After"]) >= 1

            # The facilitator sees why, at once.
            await settle(pilot, lambda: any(reason in m for m in saving_failed(app)))
            assert any("retried" in m for m in saving_failed(app))
            mark = app.screen.query_one(NotSavedMark)
            await settle(pilot, lambda: mark.display)
            assert mark.reason is not None and reason in mark.reason
            # The notes are in memory (and on the board), one card each, not on disk.
            in_memory = [c.text for c in app.hub.session.cards.values()]
            assert all(in_memory.count(b["text"]) == 1 for b in refused)
            # Nothing already saved is harmed: the file is exactly as before, whole, and no temp file is left.
            await settle(pilot, lambda: disk.failures >= 3)  # a few rounds of the retry loop failed meanwhile
            assert path.read_bytes() == before
            assert read_document(path) == before_doc
            assert temp_files(sessions_dir) == []

            # -- the disk recovers ------------------------------------------------------------------------------
            disk.fault = None
            fault_lasted = time.monotonic() - fault_began
            await settle(pilot, lambda: bool(saving_works(app)))
            assert app.hub.storage.error is None
            assert not mark.display and mark.reason is None
            recovered = read_document(path)
            # What was saved before is still there, unchanged.
            for key, card in before_doc["cards"].items():
                assert recovered["cards"][key] == card
            # The notes refused during the fault were kept in memory and written by the retry loop.
            on_disk = [c["text"] for c in recovered["cards"].values()]
            assert all(on_disk.count(b["text"]) == 1 for b in refused)

            # Each refused phone sends again with the same request_id: 200, the one card that was written.
            for body, http in zip(refused, (phone_a, phone_b, phone_b)):
                status, answer, _ = await post(http, body)
                assert status == 200, (status, answer)
                assert answer["text"] == body["text"] and answer["request_id"] == body["request_id"]
                assert recovered["cards"][str(answer["id"])]["text"] == body["text"]
                again_status, again, _ = await post(http, body)
                assert (again_status, again["id"]) == (200, answer["id"])
                saved[body["request_id"]] = (answer["id"], body["text"])
            # New notes are saved again.
            for i, http in enumerate((phone_b, phone_a)):
                body = note(f"After the recovery {i}")
                status, answer, _ = await post(http, body)
                assert status == 201, answer
                saved[body["request_id"]] = (answer["id"], body["text"])

        final = read_document(path)
        texts = [c["text"] for c in final["cards"].values()]
        for card_id, text in saved.values():
            assert final["cards"][str(card_id)]["text"] == text
            assert texts.count(text) == 1
        adds = {e["request_id"]: e["card_id"] for e in final["events"].values() if e.get("request_id")}
        assert {rid: adds.get(rid) for rid in saved} == {rid: card_id for rid, (card_id, _) in saved.items()}
        assert temp_files(sessions_dir) == []
        # One warning on the board while the disk was bad, not one per failed retry of the writer (there were at
        # least three). It is shown again only after it timed out, so this holds for any fault shorter than that.
        if fault_lasted < SAVING_WARNING_SECONDS:
            assert len(saving_failed(app)) == 1, saving_failed(app)
        await pilot.press("ctrl+q")


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root ignores folder permissions; the injected EROFS/ENOSPC tests above cover root")
@pytest.mark.skipif(not hasattr(os, "geteuid"), reason="POSIX permissions only")
async def test_a_genuinely_read_only_folder(make_session, sessions_dir, app_factory, monkeypatch):
    session_id = make_session()
    monkeypatch.setattr(storage, "RETRY_SECONDS", RETRY)
    app = app_factory(session_id, serve=serve_locally)
    mode = sessions_dir.stat().st_mode
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_board(pilot)
            await settle(pilot, lambda: app.phone_server is not None)
            url = app.phone_server.urls()["all"]
            base, token = url.split("/j/")
            notes_url = f"{base}/api/v1/j/{token}/notes"
            path = app.hub.storage.path
            async with aiohttp.ClientSession() as http:
                first = note("Before the folder went read-only")
                async with http.post(notes_url, json=first) as resp:
                    assert resp.status == 201
                    first_id = (await resp.json())["id"]
                await settle(pilot, lambda: app.hub.storage.error is None)
                before = path.read_bytes()

                sessions_dir.chmod(stat.S_IRUSR | stat.S_IXUSR)
                refused = note("While the folder is read-only")
                async with http.post(notes_url, json=refused) as resp:
                    assert resp.status == 503 and int(resp.headers["Retry-After"]) >= 1
                    assert (await resp.json())["error"]["code"] == "storage_unavailable"
                await settle(pilot, lambda: bool(saving_failed(app)))
                assert path.read_bytes() == before

                sessions_dir.chmod(mode)
                await settle(pilot, lambda: bool(saving_works(app)))
                async with http.post(notes_url, json=refused) as resp:
                    assert resp.status == 200
                    refused_id = (await resp.json())["id"]
            doc = read_document(path)
            assert doc["cards"][str(first_id)]["text"] == first["text"]
            assert doc["cards"][str(refused_id)]["text"] == refused["text"]
            await pilot.press("ctrl+q")
    finally:
        sessions_dir.chmod(mode)


HOSTILE_REASON = "Disk [/] full [@click=app.quit]x[/] [b]not bold"


async def test_the_board_is_marked_not_saved_until_saving_works_again(make_session, sessions_dir, app_factory,
                                                                      monkeypatch):
    session_id = make_session()
    monkeypatch.setattr(storage, "RETRY_SECONDS", RETRY)
    disk = BadDisk(sessions_dir, message=HOSTILE_REASON)
    disk.install(monkeypatch)
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        mark = board.query_one(NotSavedMark)
        assert not mark.display and "NOT SAVED" not in screen_text(app)

        # The disk fills up; the facilitator adds a card: applied in memory, its write fails.
        disk.fault = errno.ENOSPC
        await pilot.press("n")
        await dialog(pilot, CardEditor)
        await type_text(pilot, "Written while the disk is full")
        await pilot.press("ctrl+s")
        await back_to(pilot, board)
        await settle(pilot, lambda: mark.display and bool(saving_failed(app)))

        # In words (not colour alone), in the theme's error colour, the reason as plain text: its brackets are
        # neither markup styling the line nor a link that could quit the app.
        expected = f"could not save to {sessions_dir.resolve()}: {HOSTILE_REASON}"
        assert mark.reason == expected
        plain = mark.render().plain
        assert plain.startswith(f"⚠ NOT SAVED — {expected} · ") and "don't quit" in plain
        assert not any(span.style and "@click" in str(span.style) for span in mark.render().spans)
        assert mark.styles.background == Color.parse(app.theme_variables["error"])
        shown = screen_text(app)
        assert "⚠ NOT SAVED — could not save to" in shown
        # (The line wraps where the tmp path makes it; these pieces hold no space, so no wrap splits them.)
        for literal in ("[@click=app.quit]x[/]", "[/]", "[b]not"):
            assert literal in shown, shown

        # It lasts: with the toast gone and the writer failing again and again, the mark stays.
        app.clear_notifications()
        failures = disk.failures
        await settle(pilot, lambda: disk.failures >= failures + 3)
        await pilot.pause()
        assert mark.display and "⚠ NOT SAVED" in screen_text(app)
        assert app.is_running
        on_disk = [c["text"] for c in stored_cards(sessions_dir, session_id).values()]
        assert "Written while the disk is full" not in on_disk

        # The disk recovers: the writer's retry saves the card, the notice says so, and the mark is gone.
        disk.fault = None
        await settle(pilot, lambda: bool(saving_works(app)))
        assert not mark.display and mark.reason is None
        assert "NOT SAVED" not in screen_text(app)
        on_disk = [c["text"] for c in stored_cards(sessions_dir, session_id).values()]
        assert on_disk.count("Written while the disk is full") == 1
        await pilot.press("ctrl+q")
