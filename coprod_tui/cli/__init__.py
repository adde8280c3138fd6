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

This package is `main` and the parser; each subcommand lives in its own module (sessions, export, phones, trash),
and what they share in `common`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from coprod_tui import __version__
from coprod_tui.cli.common import (DEFAULT_SESSIONS, ENV_SESSIONS, EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_PARTIAL,
                                   EXIT_USAGE, PROG, Failure, describe_os_error, error, sessions_dir)
from coprod_tui.cli.export import add_export_parser, cmd_export
from coprod_tui.cli.phones import add_server_options, cmd_qr
from coprod_tui.cli.sessions import cmd_import, cmd_list, cmd_new, cmd_tui
from coprod_tui.cli.trash import TRASH_COMMANDS, add_trash_parsers
from coprod_tui.core.errors import CoprodError
from coprod_tui.core.store.folder import SessionFolder

EPILOG = f"""\
session folder: --sessions-dir DIR (before or after the subcommand), else ${ENV_SESSIONS}, else ./{DEFAULT_SESSIONS}
exit codes: {EXIT_OK} done, {EXIT_ERROR} error, {EXIT_USAGE} usage error, {EXIT_PARTIAL} import or export done in part \
(some rows or sessions skipped),
{EXIT_INTERRUPTED} interrupted"""


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



COMMANDS = {
    None: cmd_tui,
    "open": cmd_tui,
    "show": cmd_tui,
    "new": cmd_new,
    "list": cmd_list,
    "import": cmd_import,
    "qr": cmd_qr,
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
