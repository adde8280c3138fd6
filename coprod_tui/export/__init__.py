"""Exports of a session for people outside the terminal: Markdown, HTML, CSV, JSON, and the printable QR sheet.

Every exporter escapes what participants and facilitators typed: exported files are opened in browsers and
spreadsheets, where text that looks like markup or a formula must stay plain text.

`FORMATS` is the one list of export formats the command line and the board's export dialog share. Each one turns
(sessions folder, session id) into the bytes of a file. `REPORTS` names what is exported: the whole session (every
format; its Markdown and HTML include the self-reflection and the plan when the session has them), the
self-reflection and plan alone ("method"), or "you said, we did" for participants ("yousaid"); the last two are
Markdown or HTML. When a session of a programme has self-reflection answers, its Markdown and HTML measure how they
moved since the earlier session of the same programme that core/reading/programme.py chooses (the appraisal
screen asks the same rule).
Sessions are opened read-only — no lock, nothing written — so a session can be exported while its board is open;
exports are derived files and may be overwritten freely.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from coprod_tui.core.errors import UnreadableSession, ValidationError
from coprod_tui.core.hub import open_session, read_session
from coprod_tui.core.model import Session
from coprod_tui.core.reading.programme import Since, earlier_of_programme
from coprod_tui.core.store.file import atomic_write
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.export.sheet import qr_sheet_html

__all__ = ["FORMATS", "REPORTS", "ExportFormat", "Report", "export_bytes", "qr_sheet_html", "session_json",
           "write_export"]


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


def _since(folder: SessionFolder, session: Session) -> Since | None:
    """What the method sections measure movement against: looked up only when there is something to measure."""
    if not session.reflections or not session.meta.programme.strip():
        return None
    return Since(earlier_of_programme(folder, session))


def _with_history(render: Callable[[Session, Since | None], str]) -> Callable[[SessionFolder, str], bytes]:
    """Read the session (read-only, closed at once), find the earlier session of its programme, render."""

    def make(folder: SessionFolder, session_id: str) -> bytes:
        resolved = folder.resolve(session_id)
        session = read_session(folder, resolved)
        return render(session, _since(folder, session)).encode("utf-8")

    return make


# Each renderer is imported when a report is made, not with this module: the command line and the board's export
# dialog load this module to list FORMATS and REPORTS, and need neither markdown-it nor the report modules for that.

def _markdown(session: Session, since: Since | None) -> str:
    from coprod_tui.export.markdown import session_markdown

    return session_markdown(session, since)


def _html(session: Session, since: Since | None) -> str:
    from coprod_tui.export.html import session_html

    return session_html(session, since)


def _csv(session: Session) -> bytes:
    from coprod_tui.export.csv_export import session_csv

    return session_csv(session)


def _method_md(session: Session, since: Since | None) -> str:
    from coprod_tui.export.method_md import method_markdown

    return method_markdown(session, since)


def _method_html(session: Session, since: Since | None) -> str:
    from coprod_tui.export.html import method_html

    return method_html(session, since)


def _yousaid_md(session: Session) -> str:
    from coprod_tui.export.yousaid import yousaid_markdown

    return yousaid_markdown(session)


def _yousaid_html(session: Session) -> str:
    from coprod_tui.export.html import yousaid_html

    return yousaid_html(session)


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("md", "md", "Markdown", _with_history(_markdown)),
        ExportFormat("html", "html", "HTML", _with_history(_html)),
        ExportFormat("csv", "csv", "CSV", _from_session(_csv)),
        ExportFormat("json", "json", "JSON", session_json),
    )
}


@dataclass(frozen=True)
class Report:
    """What is exported, and in which formats: `formats` maps a FORMATS name to how this report is made in it."""

    name: str
    label: str
    formats: dict[str, Callable[[SessionFolder, str], bytes]]


REPORTS: dict[str, Report] = {
    r.name: r
    for r in (
        Report("session", "The whole session", {name: fmt.make for name, fmt in FORMATS.items()}),
        Report("method", "Self-reflection and plan", {"md": _with_history(_method_md),
                                                      "html": _with_history(_method_html)}),
        Report("yousaid", "You said, we did", {"md": _from_session(_yousaid_md),
                                               "html": _from_session(_yousaid_html)}),
    )
}
DEFAULT_REPORT = "session"


def export_bytes(format_name: str, folder: SessionFolder, session_id: str, report: str = DEFAULT_REPORT) -> bytes:
    """One report of one session in one format; CoprodError (NotFound, UnreadableSession…) says why not."""
    if format_name not in FORMATS:
        raise ValidationError(f"Unknown export format {format_name!r}: use one of {', '.join(FORMATS)}.")
    try:
        chosen = REPORTS[report]
    except KeyError:
        raise ValidationError(f"Unknown report {report!r}: use one of {', '.join(REPORTS)}.") from None
    make = chosen.formats.get(format_name)
    if make is None:
        raise ValidationError(f"The {report} report is made as {' or '.join(chosen.formats)}, not {format_name}.")
    return make(folder, session_id)


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


def write_export(format_name: str, folder: SessionFolder, session_id: str, target: Path,
                 report: str = DEFAULT_REPORT) -> None:
    """Export one session to `target`, atomically (an existing file is replaced whole, never half-written)."""
    check_target(folder, target)
    atomic_write(target, export_bytes(format_name, folder, session_id, report))
