"""Deleting a session moves it to a trash folder inside the sessions folder, from where it can be restored.

A session is the record of what a room of people said; deleting one by a slip of the finger must be recoverable.
The trash is `.trash/` (hidden, so listings and search never see it). A trashed file keeps its content byte for byte;
its name is `<id>.json`, or `<id>~<n>.json` when a session of that id was trashed before ('~' never occurs in ids).
Restoring reads the id back from the name and refuses to overwrite a session that exists again under that id.

A session open for editing elsewhere (another coprod holds its writer lock) is refused, not pulled from under it.
"""

from __future__ import annotations

import errno
import os
import time
from dataclasses import dataclass
from pathlib import Path

from coprod_tui.core.errors import NotFound, StorageError, UnreadableSession, ValidationError
from coprod_tui.core.store.file import WriterLock, fsync_folder, read_document
from coprod_tui.core.store.folder import SUFFIX, SessionFolder

TRASH_NAME = ".trash"


@dataclass(frozen=True)
class TrashedSession:
    """One file in the trash, as the trash screen and `coprod trash` show it."""

    name: str  # the file name in the trash: what restore and "delete for good" take
    id: str
    title: str
    deleted: float  # when it was moved to the trash (seconds since the epoch)
    cards: int
    error: str | None = None


class Trash:
    """The trash folder of one sessions folder."""

    def __init__(self, folder: SessionFolder) -> None:
        self.sessions = folder
        self.folder = folder.folder / TRASH_NAME

    def delete(self, session_id: str) -> TrashedSession:
        """Move a session to the trash; SessionBusy if it is open for editing in another coprod."""
        session_id = self.sessions.resolve(session_id)
        source = self.sessions.path_for(session_id)
        lock = WriterLock(source)  # held while moving: no coprod may open it for editing meanwhile
        try:
            if not source.exists():
                raise NotFound(f"No session {session_id!r} in {self.sessions.folder}.")
            self.folder.mkdir(exist_ok=True)
            target = self._free_name(session_id)
            try:
                os.replace(source, target)
                os.utime(target)  # the trash lists by deletion time
                fsync_folder(self.folder)
                fsync_folder(source.parent)
            except OSError as exc:
                raise StorageError(f"Can't move {session_id!r} to the trash: {exc.strerror or exc}") from None
            _remove_quietly(lock.lock_path)
        finally:
            lock.release()
        return self._describe(target)

    def list(self) -> list[TrashedSession]:
        """Trashed sessions, most recently deleted first."""
        try:
            paths = [Path(e.path) for e in os.scandir(self.folder) if e.name.endswith(SUFFIX) and e.is_file()]
        except FileNotFoundError:
            return []
        entries = [self._describe(p) for p in paths]
        entries.sort(key=lambda t: (t.deleted, t.name), reverse=True)
        return entries

    def restore(self, name: str) -> str:
        """Put a trashed session back; returns its id. Refuses if a session with that id exists again."""
        source = self._path(name)
        session_id = _id_of(source.name)
        target = self.sessions.path_for(session_id)
        try:
            # A hard link fails if the target exists, so a session made since under the same id is never replaced.
            os.link(source, target)
        except FileExistsError:
            raise ValidationError(f"A session {session_id!r} exists again; rename or trash it first.") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise StorageError(f"Can't restore {session_id!r}: {exc.strerror or exc}") from None
            if target.exists():  # a filesystem without hard links: check, then move
                raise ValidationError(f"A session {session_id!r} exists again; rename or trash it first.") from None
            os.replace(source, target)
        else:
            source.unlink()
        fsync_folder(target.parent)
        fsync_folder(self.folder)
        return session_id

    def purge(self, name: str) -> None:
        """Delete a trashed session for good (the only way coprod ever removes a session's file)."""
        path = self._path(name)
        try:
            path.unlink()
        except OSError as exc:
            raise StorageError(f"Can't delete {name!r}: {exc.strerror or exc}") from None

    # -- helpers -------------------------------------------------------------------------------------------------
    def _path(self, name: str) -> Path:
        """A trash entry by file name (with or without `.json`); never a path outside the trash."""
        name = name if name.endswith(SUFFIX) else name + SUFFIX
        if "/" in name or "\\" in name or name.startswith("."):
            raise NotFound(f"Nothing called {name!r} in the trash.")
        path = self.folder / name
        if not path.is_file():
            raise NotFound(f"Nothing called {name!r} in the trash.")
        return path

    def _free_name(self, session_id: str) -> Path:
        candidate = self.folder / f"{session_id}{SUFFIX}"
        n = 2
        while candidate.exists():
            candidate = self.folder / f"{session_id}~{n}{SUFFIX}"
            n += 1
        return candidate

    @staticmethod
    def _describe(path: Path) -> TrashedSession:
        try:
            deleted = path.stat().st_mtime
        except OSError:
            deleted = time.time()
        try:
            doc = read_document(path)
            meta = doc["meta"]["1"]
            return TrashedSession(name=path.name, id=_id_of(path.name), title=str(meta.get("title", "")),
                                  deleted=deleted, cards=len(doc.get("cards", {})))
        except (UnreadableSession, OSError, KeyError, TypeError) as exc:
            return TrashedSession(name=path.name, id=_id_of(path.name), title=path.name, deleted=deleted, cards=0,
                                  error=str(exc))


def _id_of(name: str) -> str:
    return name[: -len(SUFFIX)].split("~", 1)[0]


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
