"""An atomic, group-committing TinyDB storage for one session file.

Why not TinyDB's JSONStorage: it re-reads and rewrites the whole file in place on every insert, so a crash mid-write
leaves a truncated file, and each insert costs O(size of session). Here:

* the document lives in memory; each record is serialised once, when it changes (`put`), and cached as one line;
* a background thread writes the file: temp file + fsync + `os.replace` + fsync of the folder, so the file on disk is
  always either the old or the new whole document;
* changes that arrive while a write is under way share the next write (group commit), so a burst of phone notes
  costs a handful of writes, not one each;
* `durable()` returns a future that resolves once every change made so far is on disk — what the phone path awaits
  before it says "saved". The caller's event loop never touches the disk.

It is still a TinyDB `Storage`: `TinyDB(path, storage=SessionStorage)` reads and queries the same document. TinyDB's
own table writes go through `write()` (whole-document, fine for rare use); the hub uses the O(1) `put` / `remove`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from pathlib import Path

from tinydb.storages import Storage

from coprod_tui.core.errors import SessionBusy, StorageError, UnreadableSession, ValidationError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one writer per session is then the user's job
    fcntl = None  # type: ignore[assignment]
from coprod_tui.core.model import SCHEMA_VERSION

log = logging.getLogger(__name__)

TABLES = ("meta", "groups", "cards", "votes", "done", "reflections", "plan", "responses", "events")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
RETRY_SECONDS = 1.0
WRITE_CHUNK = 1 << 16  # characters rendered, encoded and written at a time


def dumps(record: object) -> str:
    """One record as one line of JSON (UTF-8 text, not \\u escapes, so the file stays readable)."""
    return json.dumps(record, ensure_ascii=False, separators=(", ", ": "))


def render_parts(lines: dict[str, dict[str, str]]) -> Iterator[str]:
    """The whole document, one record per line (valid JSON that reads well and diffs well), piece by piece."""
    yield "{\n"
    for t_index, table in enumerate(TABLES):
        rows = lines.get(table, {})
        yield f' "{table}": {{\n'
        last = len(rows) - 1
        for i, (key, line) in enumerate(rows.items()):
            yield f'  "{key}": {line}' + (",\n" if i < last else "\n")
        yield " }" + (",\n" if t_index < len(TABLES) - 1 else "\n")
    yield "}\n"


def encode_document(lines: dict[str, dict[str, str]], chunk: int = WRITE_CHUNK) -> Iterator[bytes]:
    """The document as UTF-8, in pieces of about `chunk` characters: the writer never holds the whole file as a
    string and again as bytes (3.5× the file at once, which the C allocator keeps once freed: a 1.5 MB session
    left ~9 MB of resident memory behind) — and writing 64 KiB pieces is no slower than one big write."""
    buffer: list[str] = []
    size = 0
    for part in render_parts(lines):
        buffer.append(part)
        size += len(part)
        if size >= chunk:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def atomic_write(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Replace `path` with `data` (bytes, or its pieces in order) so that a crash at any moment leaves either the old
    or the new file, whole."""
    folder = path.parent
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            for piece in ([data] if isinstance(data, bytes) else data):
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_folder(folder)


def fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def read_document(path: Path) -> dict[str, dict[str, dict]]:
    """Parse and check a session file; raise UnreadableSession with a reason a person can act on."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise UnreadableSession(f"cannot read {path.name}: {exc.strerror or exc}") from None
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UnreadableSession(f"{path.name} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        what = "is empty" if not raw.strip() else f"is not valid JSON (line {exc.lineno}, column {exc.colno})"
        hint = "; it may be truncated" if raw.strip() and exc.pos >= len(raw.rstrip()) - 1 else ""
        raise UnreadableSession(f"{path.name} {what}{hint}") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("meta"), dict) or "1" not in doc["meta"]:
        raise UnreadableSession(f"{path.name} is not a coprod session (no meta record)")
    meta = doc["meta"]["1"]
    version = meta.get("schema_version") if isinstance(meta, dict) else None
    if not isinstance(version, int):
        raise UnreadableSession(f"{path.name} is not a coprod session (no schema_version)")
    if version > SCHEMA_VERSION:
        raise UnreadableSession(
            f"{path.name} was written by a newer coprod (schema {version}; this one reads up to {SCHEMA_VERSION})"
        )
    if _SURROGATE_ESCAPE.search(raw):
        # JSON may spell a lone surrogate as an escape (\ud800); such text parses but can never be written back,
        # so every later save (and the listing index) would fail. Checked only when an escape of that shape appears.
        try:
            json.dumps(doc, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise UnreadableSession(f"{path.name} holds text that cannot be saved (a lone surrogate)") from None
    for table in TABLES:
        rows = doc.setdefault(table, {})
        if not isinstance(rows, dict) or not all(isinstance(r, dict) for r in rows.values()):
            raise UnreadableSession(f"{path.name} is damaged: table {table!r} is not a set of records")
    return doc


class WriterLock:
    """An exclusive lock on a session, held by the one process that may write it.

    Without it, `coprod import` into a session that is open on a board would be silently overwritten by the board's
    next save. The lock is an flock on `.<id>.lock` beside the session: the kernel drops it when the process dies
    (even by SIGKILL), so a crash never leaves a session locked.
    """

    def __init__(self, path: Path) -> None:
        self.lock_path = path.with_name(f".{path.stem}.lock")
        self.fd: int | None = None
        if fcntl is None:
            return
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StorageError(f"Can't open {path.stem!r} for editing: {exc.strerror or exc} "
                               f"({path.parent})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (process {holder})" if holder.isdigit() else ""
            raise SessionBusy(
                f"Session {path.stem!r} is open for editing in another coprod{who}. Close it there first, "
                "or look at it read-only with 'coprod show'."
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor drops the flock
            self.fd = None


def remove_stale_temps(path: Path) -> None:
    """Temp files of writes cut short by a crash; only called while holding the writer lock, so none is live."""
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            stale.unlink()
        except OSError:
            pass


class SessionStorage(Storage):
    """TinyDB storage for one session file; see the module docstring for the guarantees.

    Opened `read_only` (review, listing, checks) it takes no lock, starts no writer and refuses every change.
    """

    def __init__(self, path: str | os.PathLike, *, create: dict | None = None, read_only: bool = False,
                 on_error: Callable[[Exception | None], None] | None = None) -> None:
        """Open an existing session file, or with `create` (a document) write a new one that must not exist yet."""
        super().__init__()
        self.path = Path(path)
        self.on_error = on_error
        self.read_only = read_only and create is None
        if create is not None and self.path.exists():
            raise StorageError(f"{self.path.name} already exists")
        self._lock = None if self.read_only else WriterLock(self.path)
        try:
            self._load(create)
        except BaseException:
            if self._lock:
                self._lock.release()
            raise
        if self._lock:
            remove_stale_temps(self.path)
        self._thread = threading.Thread(target=self._run, name=f"coprod-writer-{self.path.stem}", daemon=True)
        if not self.read_only:
            self._thread.start()

    def _load(self, create: dict | None) -> None:
        if create is not None:
            self._doc = {t: dict(create.get(t, {})) for t in TABLES}
        else:
            self._doc = read_document(self.path)
        self._lines = {t: {k: dumps(v) for k, v in self._doc[t].items()} for t in TABLES}
        self._cond = threading.Condition()
        self._generation = 0
        self._written = 0
        self._waiters: list[tuple[int, Future]] = []
        self._closing = False
        self.error: Exception | None = None
        if create is not None:
            self._write(self._lines)

    # -- TinyDB's interface -------------------------------------------------------------------------------------
    def read(self) -> dict:
        return self._doc

    def write(self, data: dict) -> None:
        self._check_writable()
        with self._cond:
            self._doc = {t: data.get(t, {}) for t in TABLES}
            self._lines = {t: {k: dumps(v) for k, v in self._doc[t].items()} for t in TABLES}
            self._changed()

    def close(self) -> None:
        """Write what is pending, stop the writer thread; raise StorageError if the last write failed."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join()
        if self._lock:
            self._lock.release()
        if self._written < self._generation:
            raise StorageError(f"could not save {self.path.name}: {self.error}")

    def _check_writable(self) -> None:
        if self.read_only:
            raise StorageError(f"{self.path.name} is open read-only.")

    # -- the fast path used by the hub ---------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group several put/remove calls so that no write (and no durable() result) sees only some of them.

        Holds the storage lock (re-entrant) for the duration: keep the body short and free of I/O.
        """
        with self._cond:
            yield

    def put(self, table: str, key: int | str, record: dict) -> None:
        """Insert or replace one record; O(size of that record)."""
        self._check_writable()
        line = dumps(record)
        try:
            line.encode("utf-8")
        except UnicodeEncodeError:
            raise ValidationError("Text holds characters that cannot be saved (lone surrogates).") from None
        with self._cond:
            self._doc[table][str(key)] = record
            self._lines[table][str(key)] = line
            self._changed()

    def remove(self, table: str, key: int | str) -> None:
        self._check_writable()
        with self._cond:
            self._doc[table].pop(str(key), None)
            self._lines[table].pop(str(key), None)
            self._changed()

    def durable(self) -> Future:
        """A future resolved when every change made before this call is on disk (or failed with StorageError)."""
        fut: Future = Future()
        # Mark it running so it cannot be cancelled: asyncio.wrap_future cancels it when the awaiting task is
        # cancelled (a phone hangs up, a wait_for times out), and set_result on a cancelled future raised in the
        # writer thread and killed it, so every later durable() hung.
        fut.set_running_or_notify_cancel()
        with self._cond:
            if self._written >= self._generation:
                fut.set_result(self._written)
            else:
                self._waiters.append((self._generation, fut))
        return fut

    def flush(self, timeout: float | None = None) -> None:
        """Block until everything so far is on disk: for command-line tools, never for the event loop."""
        self.durable().result(timeout)

    # -- the writer thread ---------------------------------------------------------------------------------------
    def _changed(self) -> None:
        self._generation += 1
        self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._written >= self._generation and not self._closing:
                    self._cond.wait()
                if self._written >= self._generation:
                    return
                target = self._generation
                snapshot = {t: dict(rows) for t, rows in self._lines.items()}
            try:
                self._write(snapshot)
            except Exception as exc:  # not just OSError: if this thread died, every durable() would hang forever
                self._failed(target, exc)
                if self._closing:
                    return
                with self._cond:
                    self._cond.wait(RETRY_SECONDS)
                continue
            self._done(target)

    def _write(self, lines: dict[str, dict[str, str]]) -> None:
        atomic_write(self.path, encode_document(lines))

    def _done(self, target: int) -> None:
        recovered = self.error is not None
        with self._cond:
            self._written = target
            self.error = None
            ready = [f for g, f in self._waiters if g <= target]
            self._waiters = [(g, f) for g, f in self._waiters if g > target]
        for fut in ready:
            fut.set_result(target)
        if recovered:
            self._notify(None)

    def _failed(self, target: int, exc: Exception) -> None:
        log.warning("could not write %s: %s", self.path.name, exc)
        error = StorageError(f"could not save to {self.path.parent}: {getattr(exc, 'strerror', None) or exc}")
        with self._cond:
            self.error = error
            failed = [f for g, f in self._waiters if g <= target]
            self._waiters = [(g, f) for g, f in self._waiters if g > target]
        for fut in failed:
            fut.set_exception(error)
        self._notify(error)

    def _notify(self, error: Exception | None) -> None:
        """Tell the front end; a failing callback must not kill the writer thread (durable() would then hang)."""
        if self.on_error is None:
            return
        try:
            self.on_error(error)
        except Exception:
            log.exception("storage on_error callback failed")
