"""The `coprod` command line.

    coprod                                   home screen: past sessions and "new session"
    coprod new TITLE [--group NAME[:ROLE]]… [--question TEXT]
    coprod open ID                           the live board
    coprod show ID                           read-only review of a session
    coprod list [--json]                     sessions, newest first
    coprod import ID FILE.csv                add cards typed up from paper (one undo step)
    coprod export ID [--format F] [-o FILE]  Markdown, HTML, CSV or JSON; --all DIR exports every session
    coprod delete ID / trash / restore NAME  move a session to the trash, list it, bring it back

`--sessions-dir DIR` (env COPROD_SESSIONS, default ./sessions) may come before or after the subcommand.

Exit codes: 0 done; 1 error (one line on stderr, nothing changed); 2 usage error (argparse); 3 import or export
done in part (some rows or sessions skipped, each reported on stderr); 130 interrupted (Ctrl+C).

Commands that only read or write session files never import Textual: the TUI is imported lazily by the three
commands that show it, and only after the session has been opened once here, so an unknown or damaged session is
one line on stderr instead of a half-started full-screen app.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from coprod_tui import __version__
from coprod_tui.core.commands import ImportCards, Source
from coprod_tui.core.errors import CoprodError, ValidationError
from coprod_tui.core.hub import Hub, new_session, open_session
from coprod_tui.core.localtime import local_date
from coprod_tui.core.model import Role
from coprod_tui.core.store.folder import SessionFolder, SessionSummary
from coprod_tui.core.wording import one_line, plural
from coprod_tui.cli.phones import PhoneOptionError, add_server_options, check_options, cmd_qr, phone_starter
from coprod_tui.cli.export import add_export_parser, cmd_export
from coprod_tui.cli.trash import TRASH_COMMANDS, add_trash_parsers

PROG = "coprod"
ENV_SESSIONS = "COPROD_SESSIONS"
DEFAULT_SESSIONS = "sessions"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
EXIT_INTERRUPTED = 130

EPILOG = f"""\
session folder: --sessions-dir DIR (before or after the subcommand), else ${ENV_SESSIONS}, else ./{DEFAULT_SESSIONS}
exit codes: 0 done, 1 error, 2 usage error, 3 import or export done in part (some rows or sessions skipped),
130 interrupted"""


class Failure(Exception):
    """An error to print as one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_ERROR) -> None:
        super().__init__(message)
        self.code = code


# -- the parser ---------------------------------------------------------------------------------------------------

def _add_sessions_dir(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS on every parser: the value is only set where it is given, so before and after both work.
    parser.add_argument(
        "--sessions-dir", metavar="DIR", default=argparse.SUPPRESS,
        help=f"folder of session files (default: ${ENV_SESSIONS} or ./{DEFAULT_SESSIONS})",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="A live co-production board: problems, options and who contributes what.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    _add_sessions_dir(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help: str, description: str | None = None) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=description or help, epilog=EPILOG,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        _add_sessions_dir(p)
        return p

    p = add("new", "create a session and print its id on the last line")
    p.add_argument("title", metavar="TITLE", help="what the session is about")
    p.add_argument(
        "--group", metavar="NAME[:ROLE]", action="append", default=[],
        help="a participant group (repeat for each); ROLE is one of people, carers, practitioners, "
             "commissioners, community, other (default other)",
    )
    p.add_argument("--question", metavar="TEXT", default="", help="the question the session starts from")
    p.add_argument("--programme", metavar="NAME", default="",
                   help="the programme of work this session belongs to (sessions of one programme can be compared)")

    p = add("open", "open a session's live board, with the phone server")
    p.add_argument("id", metavar="ID", help="session id (or a prefix naming exactly one session)")
    add_server_options(p)

    p = add("show", "review a session read-only")
    p.add_argument("id", metavar="ID", help="session id (or a prefix naming exactly one session)")

    p = add("list", "list sessions, newest first")
    p.add_argument("--json", action="store_true", help="print JSON (an array of objects) for scripts")

    p = add(
        "import", "add cards from a CSV file (columns kind,text[,group][,author])",
        description="Add cards from a CSV file as one change (one undo step). Columns kind,text[,group][,author], "
                    "optional header row starting with 'kind'; UTF-8 (Excel's 'CSV UTF-8' is fine). Rows with "
                    "problems are reported with their line number and skipped; the rest are imported.",
    )
    p.add_argument("id", metavar="ID", help="session id (or a prefix naming exactly one session)")
    p.add_argument("file", metavar="FILE.csv", help="the CSV file ('-' reads standard input)")

    p = add("qr", "print the join links for phones (and a printable QR sheet)")
    p.add_argument("id", metavar="ID", help="session id (or a prefix naming exactly one session)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument("--sheet", metavar="FILE.html", help="also write a printable A4 page per QR code")
    add_server_options(p)
    add_trash_parsers(add)
    add_export_parser(add)
    return parser


def sessions_dir(args: argparse.Namespace) -> Path:
    given = getattr(args, "sessions_dir", None)
    return Path(given or os.environ.get(ENV_SESSIONS) or DEFAULT_SESSIONS).expanduser()


# -- helpers ------------------------------------------------------------------------------------------------------

@contextmanager
def live(folder: SessionFolder, session_id: str, *, read_only: bool = False) -> Iterator[Hub]:
    """A hub that is closed (pending writes flushed, StorageError raised if they fail) however the block ends."""
    hub = open_session(folder, session_id, read_only=read_only)
    try:
        yield hub
    finally:
        hub.close()


def error(message: str) -> None:
    print(f"{PROG}: error: {one_line(message)}", file=sys.stderr)


def describe_os_error(exc: OSError) -> str:
    what = exc.strerror or str(exc) or type(exc).__name__
    return f"{exc.filename}: {what}" if exc.filename else what


# -- commands -----------------------------------------------------------------------------------------------------

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
        try:
            check_options(args)
        except PhoneOptionError as exc:
            raise Failure(str(exc)) from None
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


def cmd_qr_checked(args: argparse.Namespace, folder: SessionFolder) -> int:
    try:
        return cmd_qr(args, folder)
    except PhoneOptionError as exc:
        raise Failure(str(exc)) from None


COMMANDS = {
    None: cmd_tui,
    "open": cmd_tui,
    "show": cmd_tui,
    "new": cmd_new,
    "list": cmd_list,
    "import": cmd_import,
    "qr": cmd_qr_checked,
    "export": cmd_export,
    **TRASH_COMMANDS,
}


# -- entry point --------------------------------------------------------------------------------------------------

def _tolerant_streams() -> None:
    """Never die on a character the terminal can't encode: show an escape for it instead."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass


def main(argv: Sequence[str] | None = None) -> int:
    """Run `coprod` with `argv` (default: the process arguments); return the exit code instead of exiting."""
    _tolerant_streams()
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else (EXIT_OK if exc.code is None else EXIT_USAGE)
    folder = SessionFolder(sessions_dir(args))
    try:
        return COMMANDS[args.command](args, folder)
    except Failure as exc:
        error(str(exc))
        return exc.code
    except CoprodError as exc:
        error(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()  # `coprod list | head`: the reader left; say nothing more
        return EXIT_ERROR
    except OSError as exc:
        error(describe_os_error(exc))
        return EXIT_ERROR
    except Exception as exc:  # a bug: one line for people, the traceback when asked for
        if os.environ.get("COPROD_DEBUG"):
            raise
        error(f"unexpected {type(exc).__name__}: {exc} (set COPROD_DEBUG=1 to see the details, and please report it)")
        return EXIT_ERROR


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
