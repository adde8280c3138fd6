"""The sessions folder: one TinyDB file per session, a cheap listing, and safe creation.

Listing must stay fast with a thousand past sessions, so it never parses every card of every session: a small index
(`.index.json`) keeps each file's summary keyed by its size and modification time, and only files that changed since
are read again. A file that cannot be read is listed with the reason and is never written to.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from tinydb import TinyDB

from coprod_tui.core.errors import NotFound, UnreadableSession
from coprod_tui.core.store.file import SessionStorage, atomic_write, read_document

INDEX_NAME = ".index.json"
INDEX_VERSION = 2
SUFFIX = ".json"


@dataclass
class SessionSummary:
    """What the home screen and `coprod list` show for one session file."""

    id: str
    title: str = ""
    created: str = ""
    updated: str = ""
    cards: int = 0
    groups: list[str] = field(default_factory=list)
    question: str = ""
    programme: str = ""
    error: str | None = None

    @property
    def readable(self) -> bool:
        return self.error is None


def summarise(session_id: str, doc: dict) -> SessionSummary:
    meta = doc["meta"]["1"]
    return SessionSummary(
        id=session_id,
        title=str(meta.get("title", "")),
        created=str(meta.get("created", "")),
        updated=str(meta.get("updated", meta.get("created", ""))),
        cards=len(doc.get("cards", {})),
        groups=[str(g.get("name", "")) for g in doc.get("groups", {}).values()],
        question=str(meta.get("question", "")),
        programme=str(meta.get("programme") or ""),
    )


def slugify(title: str, limit: int = 40) -> str:
    """A file-name-safe, readable slug: ASCII letters and digits joined by hyphens (may be empty)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}\Z")


class SessionFolder:
    """The folder of session files (`--sessions-dir`)."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def path_for(self, session_id: str) -> Path:
        if not _ID_RE.match(session_id):
            raise NotFound(f"No session {session_id!r}: session ids use letters, digits, '-', '_' and '.'.")
        return self.folder / f"{session_id}{SUFFIX}"

    def new_id(self, title: str, date: str) -> str:
        """`YYYY-MM-DD-slug-xxxx`: sorts by date, readable in a shell, and never collides with an existing file."""
        slug = slugify(title) or "session"
        while True:
            candidate = f"{date}-{slug}-{secrets.token_hex(2)}"
            if not self.path_for(candidate).exists():
                return candidate

    def resolve(self, session_id: str) -> str:
        """An exact id, or a prefix that names exactly one session (ids are long to type)."""
        if self.path_for(session_id).exists():
            return session_id
        matches = sorted(p.stem for p in self._files() if p.stem.startswith(session_id))
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise NotFound(f"{session_id!r} matches {len(matches)} sessions: {', '.join(matches[:5])}")
        raise NotFound(f"No session {session_id!r} in {self.folder}.")

    def open(self, session_id: str, *, read_only: bool = False, **kwargs) -> TinyDB:
        """Open a session's TinyDB with the atomic storage; NotFound / UnreadableSession / SessionBusy say why not.

        For editing, the session is locked against other coprod processes until the TinyDB is closed.
        """
        path = self.path_for(self.resolve(session_id))
        try:
            return TinyDB(path, storage=SessionStorage, read_only=read_only, **kwargs)
        except FileNotFoundError:
            raise NotFound(f"No session {session_id!r} in {self.folder}.") from None
        except UnreadableSession as exc:
            raise UnreadableSession(f"Can't open session {session_id!r}: {exc}") from None

    def create(self, session_id: str, document: dict) -> TinyDB:
        self.folder.mkdir(parents=True, exist_ok=True)
        return TinyDB(self.path_for(session_id), storage=SessionStorage, create=document)

    # -- listing ------------------------------------------------------------------------------------------------
    def _files(self) -> list[Path]:
        try:
            return [
                Path(e.path)
                for e in os.scandir(self.folder)
                if e.name.endswith(SUFFIX) and not e.name.startswith(".") and e.is_file()
            ]
        except FileNotFoundError:
            return []

    def list(self) -> list[SessionSummary]:
        """Every session file, newest first (by last change); unreadable files are included with their reason."""
        index = self._read_index()
        fresh: dict[str, dict] = {}
        summaries: list[SessionSummary] = []
        for path in self._files():
            try:
                st = path.stat()
            except OSError:
                continue
            stamp = [st.st_mtime_ns, st.st_size]
            entry = index.get(path.name)
            summary = self._cached(entry, stamp) or self._summarise_file(path)
            fresh[path.name] = {"stamp": stamp, "summary": asdict(summary)}
            summaries.append(summary)
        if fresh != index:
            self._write_index(fresh)
        summaries.sort(key=lambda s: (s.readable, s.updated or s.created, s.id), reverse=True)
        return summaries

    @staticmethod
    def _cached(entry: object, stamp: list[int]) -> SessionSummary | None:
        if not isinstance(entry, dict) or entry.get("stamp") != stamp:
            return None
        try:
            return SessionSummary(**entry["summary"])
        except (TypeError, KeyError):
            return None

    def _summarise_file(self, path: Path) -> SessionSummary:
        try:
            return summarise(path.stem, read_document(path))
        except UnreadableSession as exc:
            return SessionSummary(id=path.stem, title=path.name, error=str(exc))
        except OSError as exc:
            return SessionSummary(id=path.stem, title=path.name, error=f"cannot read: {exc.strerror or exc}")

    def _read_index(self) -> dict[str, dict]:
        try:
            data = json.loads((self.folder / INDEX_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != INDEX_VERSION:
            return {}
        entries = data.get("files")
        return entries if isinstance(entries, dict) else {}

    def _write_index(self, entries: dict[str, dict]) -> None:
        """Best effort: the index is a cache, so a read-only folder just means slower listings."""
        # ASCII escapes: a file name that is not UTF-8 reaches us with surrogate escapes, which cannot be encoded.
        payload = json.dumps({"version": INDEX_VERSION, "files": entries})
        try:
            atomic_write(self.folder / INDEX_NAME, payload.encode("utf-8"))
        except OSError:
            pass
