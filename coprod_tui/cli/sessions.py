"""The session commands: `coprod new`, `list`, `import`, and the three that show the board (`coprod`, `open`,
`show`).

Commands that only read or write session files never import Textual: the TUI is imported by `cmd_tui` alone, and only
after the session has been opened once here, so an unknown or damaged session is one line on stderr instead of a
half-started full-screen app.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from coprod_tui.cli.common import EXIT_OK, EXIT_PARTIAL, PROG, Failure, live
from coprod_tui.core.wording import one_line, plural
from coprod_tui.cli.phones import check_options, phone_starter
from coprod_tui.core.commands import ImportCards, Source
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.hub import new_session
from coprod_tui.core.localtime import local_date
from coprod_tui.core.model import Role
from coprod_tui.core.store.folder import SessionFolder, SessionSummary


def cmd_new(args: argparse.Namespace, folder: SessionFolder) -> int:
    groups = [parse_group(spec) for spec in args.group]
    hub = new_session(folder, args.title, args.question, groups, programme=args.programme)
    try:
        meta = hub.session.meta
        names = [g.name for g in hub.session.groups.values()]
    finally:
        hub.close()
    where = folder.folder
    with_groups = f" with {plural(len(names), 'group')} ({', '.join(names)})" if names else ""
    print(f'Created session "{one_line(meta.title)}"{one_line(with_groups)} in {where}. '
          f"Open it with: {PROG} open {meta.id}")
    print(meta.id)
    return EXIT_OK


def parse_group(spec: str) -> tuple[str, str, None]:
    """`NAME[:ROLE]` → (name, role value, no colour). The role is after the last colon."""
    name, sep, role_text = spec.rpartition(":")
    if not sep:
        return spec, Role.OTHER.value, None
    if not role_text.strip():
        return name, Role.OTHER.value, None
    try:
        role = Role.parse(role_text)
    except ValidationError as exc:
        raise ValidationError(
            f"--group {spec!r}: {exc} (a group name containing ':' must end with a role, e.g. 'Time: 10am:other')"
        ) from None
    return name, role.value, None


def cmd_list(args: argparse.Namespace, folder: SessionFolder) -> int:
    summaries = folder.list()
    if args.json:
        encoding = (getattr(sys.stdout, "encoding", None) or "").lower().replace("-", "").replace("_", "")
        print(json.dumps([summary_json(s) for s in summaries], indent=2, ensure_ascii=encoding != "utf8"))
        return EXIT_OK
    if not summaries:
        print(f"No sessions in {folder.folder}. Create one with: {PROG} new \"TITLE\"")
        return EXIT_OK
    for line in list_lines(summaries):
        print(line)
    return EXIT_OK


def summary_json(s: SessionSummary) -> dict:
    if s.error is not None:
        return {"id": s.id, "error": s.error}
    return {
        "id": s.id,
        "title": s.title,
        "question": s.question,
        "programme": s.programme,
        "created": s.created,
        "updated": s.updated,
        "date": local_date(s.updated),  # the local date of the last change, as the listing shows it
        "cards": s.cards,
        "groups": list(s.groups),
        "error": None,
    }


GROUPS_WIDTH = 40


def list_lines(summaries: Sequence[SessionSummary]) -> list[str]:
    """One line per session: id, date, notes, groups, title — aligned on the fixed-width columns."""
    id_width = max(len(s.id) for s in summaries)
    groups_text = {s.id: one_line(", ".join(s.groups)) or "-" for s in summaries if s.readable}
    g_width = min(GROUPS_WIDTH, max((len(t) for t in groups_text.values()), default=1))
    lines = []
    for s in summaries:
        if not s.readable:
            lines.append(f"{s.id:<{id_width}}  unreadable: {one_line(s.error or '')}")
            continue
        groups = groups_text[s.id]
        if len(groups) > g_width:
            groups = groups[: g_width - 1] + "…"
        notes, day = plural(s.cards, "note"), local_date(s.updated)
        lines.append(f"{s.id:<{id_width}}  {day:<10}  {notes:>10}  {groups:<{g_width}}  {one_line(s.title)}")
    return lines


def cmd_import(args: argparse.Namespace, folder: SessionFolder) -> int:
    from coprod_tui.cli.csv_import import decode, parse_csv

    session_id = folder.resolve(args.id)
    if args.file == "-":
        name, data = "Standard input", sys.stdin.buffer.read()
    else:
        name = args.file
        try:
            data = Path(args.file).read_bytes()
        except OSError as exc:
            raise Failure(f"can't read {args.file}: {exc.strerror or exc}") from None
    text = decode(data, name)  # a file we cannot read at all fails before the session is even opened
    with live(folder, session_id) as hub:
        parsed = parse_csv(text, hub.session, name=name)
        for row_error in parsed.errors:
            print(one_line(str(row_error)), file=sys.stderr)
        if not parsed.drafts:
            if parsed.errors:
                rows = len(parsed.errors)
                which = f"the one row in {name} could not" if rows == 1 else f"none of the {rows:,} rows in {name} could"
                raise Failure(f"nothing imported: {which} be used (see above)")
            raise Failure(f"nothing imported: {name} has no rows" + (" after its header" if parsed.header else ""))
        hub.apply(ImportCards(cards=tuple(parsed.drafts), source=Source.IMPORT))
        title = hub.session.meta.title
    skipped = len(parsed.errors)
    print(f"Imported {plural(len(parsed.drafts), 'card')} into {one_line(title)}; "
          f"{plural(skipped, 'row')} skipped" + (" (see above)." if skipped else "."))
    return EXIT_PARTIAL if skipped else EXIT_OK


def cmd_tui(args: argparse.Namespace, folder: SessionFolder) -> int:
    """`coprod`, `coprod open ID`, `coprod show ID`: check the session here, then start the Textual app."""
    read_only = args.command == "show"
    session_id = None
    if args.command in ("open", "show"):
        session_id = folder.resolve(args.id)
        with live(folder, session_id, read_only=read_only):
            pass  # opened once: unknown, damaged or busy (open elsewhere) sessions stop here with one line
    serve = None
    if args.command == "open":
        check_options(args)
        serve = phone_starter(args)
    try:
        from coprod_tui.tui.app import make_app
    except ImportError as exc:
        raise Failure(f"the board can't start: {exc}") from None
    app = make_app(folder.folder, session_id=session_id, read_only=read_only, serve=serve)
    result = app.run()
    code = getattr(app, "return_code", None)
    if isinstance(code, int):
        return code
    return result if isinstance(result, int) and not isinstance(result, bool) else EXIT_OK
