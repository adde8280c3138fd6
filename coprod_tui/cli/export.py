"""`coprod export`: one session to a file or standard output, or every session into a folder.

    coprod export ID [--format md|html|csv|json] [--report session|method|yousaid] [-o FILE]
    coprod export --all DIR [--format md|html|csv|json] [--report session|method|yousaid]

The export code itself (coprod_tui.export) is imported only when a command uses it. Sessions are opened read-only,
so exporting works while a session's board is open elsewhere. An export that cannot be done at all (bad options, a
file that cannot be written) is a `Failure`; an unreadable session in `--all` is reported and skipped (exit 3).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from coprod_tui.cli.common import EXIT_OK, EXIT_PARTIAL, Failure
from coprod_tui.core.wording import one_line
from coprod_tui.core.errors import CoprodError
from coprod_tui.core.store.folder import SessionFolder

FORMAT_NAMES = ("md", "html", "csv", "json")
DEFAULT_FORMAT = "md"
# The same names as export.REPORTS (a test checks they agree); the reports other than "session" are md or html.
REPORT_NAMES = ("session", "method", "yousaid")
REPORT_FORMATS = {"session": FORMAT_NAMES, "method": ("md", "html"), "yousaid": ("md", "html")}
DEFAULT_REPORT = "session"

Add = Callable[..., argparse.ArgumentParser]


def add_export_parser(add: Add) -> argparse.ArgumentParser:
    """Add the `export` subcommand through the parser's `add(name, help, description)` helper."""
    p = add(
        "export", "export a session (or all) as Markdown, HTML, CSV or JSON",
        description="Export one session to a file or standard output, or every session into a folder.\n\n"
                    "  md    a report that reads well on GitHub (or any Markdown viewer)\n"
                    "  html  one printable page (A4), no scripts, nothing fetched from elsewhere\n"
                    "  csv   one row per card; UTF-8 with BOM for Excel; a cell that looks like a formula\n"
                    "        (= + - @) gets a leading ' so the spreadsheet never runs it\n"
                    "  json  the session file itself: coprod can open it again\n\n"
                    "The md and html reports of a session include its self-reflection (averages, spread by\n"
                    "role, gaps, the ladder) and its plan when it has them. --report picks another report:\n"
                    "  method   the self-reflection and the plan alone, with the movement since the last\n"
                    "           session of the same programme that has answers (md or html)\n"
                    "  yousaid  \"you said, we did\" for participants: for each problem and idea, what was\n"
                    "           done, what was not and why; plain words, no names (md or html)\n\n"
                    "Sessions are only read, never changed, so exporting works while a board is open.\n"
                    "Existing export files are overwritten: exports are derived files.\n"
                    "Exit code 3: --all skipped unreadable sessions (each reported on stderr).",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("id", metavar="ID", nargs="?", help="session id (or a prefix naming exactly one session)")
    which.add_argument("--all", metavar="DIR", dest="all_dir",
                       help="export every readable session into DIR (created if missing) as DIR/<id>.<ext>")
    p.add_argument("--format", "-f", choices=FORMAT_NAMES, default=None,
                   help="md, html, csv or json (default: from -o's extension, else md; with --all: all four, or "
                        "md and html for --report method|yousaid)")
    p.add_argument("--report", choices=REPORT_NAMES, default=DEFAULT_REPORT,
                   help="session (default): the whole session; method: self-reflection and plan; "
                        "yousaid: \"you said, we did\" for participants. With --all: DIR/<id>.<report>.<ext>")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="write to FILE (replaced if it exists; its folder must exist); '-' or none: standard output")
    return p


def cmd_export(args: argparse.Namespace, folder: SessionFolder) -> int:
    if args.all_dir is not None:
        if args.output is not None:
            raise Failure("-o can't be used with --all: files are named DIR/<id>.<ext>.")
        report = getattr(args, "report", DEFAULT_REPORT)
        formats = (args.format,) if args.format else REPORT_FORMATS[report]
        _check_report(report, formats)
        return export_all(folder, Path(args.all_dir).expanduser(), formats, report)
    return export_one(folder, args.id, args.format, args.output, getattr(args, "report", DEFAULT_REPORT))


def _check_report(report: str, formats: Sequence[str]) -> None:
    for name in formats:
        if name not in REPORT_FORMATS[report]:
            raise Failure(f"the {report} report is made as {' or '.join(REPORT_FORMATS[report])}, not {name}.")


def format_for(output: str | None, given: str | None) -> str:
    """--format if given, else the output file's extension when it names a format (`.markdown` too), else md."""
    if given:
        return given
    suffix = Path(output).suffix.lower().lstrip(".") if output and output != "-" else ""
    suffix = {"markdown": "md", "htm": "html"}.get(suffix, suffix)
    return suffix if suffix in FORMAT_NAMES else DEFAULT_FORMAT


def export_one(folder: SessionFolder, session_id: str, format_name: str | None, output: str | None,
               report: str = DEFAULT_REPORT) -> int:
    from coprod_tui.export import check_target, export_bytes
    from coprod_tui.core.store.file import atomic_write

    name = format_for(output, format_name)
    _check_report(report, (name,))
    resolved = folder.resolve(session_id)
    if output in (None, "-"):
        _write_stdout(export_bytes(name, folder, resolved, report))
        return EXIT_OK
    target = Path(output).expanduser()
    check_target(folder, target)
    data = export_bytes(name, folder, resolved, report)
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise Failure(f"can't write {output}: {exc.strerror or exc}") from None
    what = "" if report == DEFAULT_REPORT else f" ({report} report)"
    print(f"Exported {resolved}{what} as {name} to {one_line(str(target))}")
    return EXIT_OK


def _write_stdout(data: bytes) -> None:
    """The export's exact bytes (a CSV keeps its BOM and CRLFs); text only where stdout has no byte layer."""
    sys.stdout.flush()
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(data.decode("utf-8"))
    else:
        buffer.write(data)
        buffer.flush()


def export_all(folder: SessionFolder, out_dir: Path, formats: Sequence[str], report: str = DEFAULT_REPORT) -> int:
    """Every readable session, every format, into `out_dir`; unreadable ones reported one line each and skipped."""
    from coprod_tui.core.store.file import atomic_write
    from coprod_tui.export import check_target, export_bytes

    if "json" in formats:
        try:
            check_target(folder, out_dir / "session.json")
        except CoprodError:
            raise Failure(f"--all {out_dir} is the sessions folder: JSON exports there would be taken for "
                              "sessions. Choose another folder.") from None
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Failure(f"can't create {out_dir}: {exc.strerror or exc}") from None
    summaries = folder.list()
    if not summaries:
        print(f"No sessions in {folder.folder}: nothing exported.")
        return EXIT_OK
    skipped: list[str] = []
    files = 0
    with _Progress(len(summaries)) as progress:
        for summary in summaries:
            try:
                if not summary.readable:
                    raise CoprodError(summary.error or "unreadable")
                for name in formats:
                    data = export_bytes(name, folder, summary.id, report)
                    target = out_dir / (f"{summary.id}.{name}" if report == DEFAULT_REPORT
                                        else f"{summary.id}.{report}.{name}")
                    try:
                        atomic_write(target, data)
                    except OSError as exc:
                        raise Failure(f"can't write {target}: {exc.strerror or exc}") from None
                    files += 1
            except CoprodError as exc:
                skipped.append(summary.id)
                progress.report(f"skipped {summary.id}: {exc}")
            progress.advance(summary.id)
    done = len(summaries) - len(skipped)
    print(f"Exported {done} of {len(summaries)} sessions ({files} file{'' if files == 1 else 's'}) "
          f"to {one_line(str(out_dir))}"
          + (f"; {len(skipped)} unreadable skipped (see above)." if skipped else "."))
    return EXIT_PARTIAL if skipped else EXIT_OK


class _Progress:
    """A rich progress bar on stderr when it is a terminal; plain `exported N/M` lines otherwise (logs, CI)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.bar = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.task = self.bar.add_task("Exporting", total=total)

    def __enter__(self) -> _Progress:
        if self.bar is not None:
            self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()

    def report(self, message: str) -> None:
        """One line about one session (session ids and error messages are user text: never markup)."""
        line = f"coprod: {one_line(message)}"
        if self.bar is not None:
            self.bar.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            print(line, file=sys.stderr)

    def advance(self, session_id: str) -> None:
        self.done += 1
        if self.bar is not None:
            self.bar.update(self.task, advance=1)
        else:
            print(f"exported {self.done}/{self.total}", file=sys.stderr)

