"""Exports of a session for people outside the terminal: Markdown, HTML, CSV, JSON, and the printable QR sheet.

Every exporter escapes what participants and facilitators typed: exported files are opened in browsers and
spreadsheets, where text that looks like markup or a formula must stay plain text.

`FORMATS` is the one list of export formats the command line and the board's export dialog share. Each one turns
(sessions folder, session id) into the bytes of a file. Sessions are opened read-only — no lock, nothing written —
so a session can be exported while its board is open; exports are derived files and may be overwritten freely.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import UnreadableSession, ValidationError
from ..core.hub import open_session
from ..core.model import Session
from ..core.storage import atomic_write
from ..core.store import SessionFolder
from .sheet import qr_sheet_html

__all__ = ["FORMATS", "ExportFormat", "export_bytes", "qr_sheet_html", "session_json", "write_export"]


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name on the command line, file extension, label for people, and how to make it."""

    name: str
    extension: str
    label: str
    make: Callable[[SessionFolder, str], bytes]


def _from_session(render: Callable[[Session], str | bytes]) -> Callable[[SessionFolder, str], bytes]:
    """Open the session read-only, render it, close it (always): the shape of the md, html and csv exports."""

    def make(folder: SessionFolder, session_id: str) -> bytes:
        hub = open_session(folder, folder.resolve(session_id), read_only=True)
        try:
            result = render(hub.session)
        finally:
            hub.close()
        return result.encode("utf-8") if isinstance(result, str) else result

    return make


def session_json(folder: SessionFolder, session_id: str) -> bytes:
    """The session file itself, byte for byte: exactly what coprod reads back (history included).

    The session is opened first so an unreadable or damaged file is refused rather than copied; the bytes are then
    read once more (the live board replaces the file atomically, so any version read is a whole, valid document).
    """
    resolved = folder.resolve(session_id)
    open_session(folder, resolved, read_only=True).close()
    path = folder.path_for(resolved)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UnreadableSession(f"cannot read {path.name}: {exc.strerror or exc}") from None


def _markdown(session: Session) -> str:
    from .markdown import session_markdown

    return session_markdown(session)


def _html(session: Session) -> str:
    from .html import session_html

    return session_html(session)


def _csv(session: Session) -> bytes:
    from .csv_export import session_csv

    return session_csv(session)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("md", "md", "Markdown", _from_session(_markdown)),
        ExportFormat("html", "html", "HTML", _from_session(_html)),
        ExportFormat("csv", "csv", "CSV", _from_session(_csv)),
        ExportFormat("json", "json", "JSON", session_json),
    )
}


def export_bytes(format_name: str, folder: SessionFolder, session_id: str) -> bytes:
    """The export of one session in one format; CoprodError (NotFound, UnreadableSession…) says why not."""
    try:
        fmt = FORMATS[format_name]
    except KeyError:
        raise ValidationError(f"Unknown export format {format_name!r}: use one of {', '.join(FORMATS)}.") from None
    return fmt.make(folder, session_id)


def check_target(folder: SessionFolder, target: Path) -> None:
    """Refuse to write an export as a `.json` file in the sessions folder.

    There it would be taken for a session: a second copy under another name, or — worse — the session's own file
    overwritten with an older copy while its board is saving newer changes.
    """
    if target.suffix.lower() != ".json":
        return
    try:
        same = os.path.samefile(target.parent, folder.folder)
    except OSError:
        same = target.parent.resolve() == folder.folder.resolve()
    if same:
        raise ValidationError(
            f"won't write {target.name} into the sessions folder ({folder.folder}): it would be taken for a session. "
            "Choose another folder."
        )


def write_export(format_name: str, folder: SessionFolder, session_id: str, target: Path) -> None:
    """Export one session to `target`, atomically (an existing file is replaced whole, never half-written)."""
    check_target(folder, target)
    atomic_write(target, export_bytes(format_name, folder, session_id))
