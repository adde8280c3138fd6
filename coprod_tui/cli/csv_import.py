"""Reading cards from a CSV file: notes typed up from paper, or exported from a spreadsheet.

Pure Python (no Textual, no I/O beyond what the caller hands in), so the command line and the board's import dialog
can share it. `parse_csv(data, session)` turns the bytes of a file into `CardDraft`s plus one `RowError` per row
that could not be used; the caller sends every draft to the hub as ONE `ImportCards` command (one undo step).

The format:

* columns `kind,text[,group][,author]`; `kind` is problem / option / contribution (plurals and any case are fine);
  `group` names one of the session's groups (any case; empty = no group); `author` is optional;
* an optional header row, recognised by its first cell being `kind` (any case). A header may put the columns in
  another order (`text,kind,author`), but only these four names are allowed;
* UTF-8, with or without the byte-order mark Excel writes ("CSV UTF-8"); cells may span several lines if quoted;
* blank rows (and rows of empty cells) are skipped silently; empty cells after the fourth column are ignored
  (spreadsheets pad rows).

A row is checked with exactly the rules the hub applies (same text limits), so a row that passes here will be
accepted by the hub and one bad row can never sink the whole import. Problems with the file as a whole (not UTF-8,
binary, empty, a bad header) raise ValidationError with one sentence a facilitator can act on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from coprod_tui.core import text as T
from coprod_tui.core.commands import CardDraft
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.model import Group, Kind

COLUMNS = ("kind", "text", "group", "author")
REQUIRED = ("kind", "text")
MAX_BYTES = 20 * 1024 * 1024
"""Refuse files bigger than this: typed-up notes are kilobytes; 20 MB is a wrong file, not a workshop."""


class GroupLookup(Protocol):
    """What the parser needs from a session: its groups, and finding one by name (model.Session fits)."""

    groups: dict[int, Group]

    def group_named(self, name: str) -> Group | None: ...


@dataclass(frozen=True)
class RowError:
    """One row that was skipped: its first line in the file and why, in plain words."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ParsedCsv:
    drafts: list[CardDraft] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    """The first line of each draft's row, in the same order as `drafts`."""
    header: bool = False

    @property
    def rows(self) -> int:
        """Rows that held something (good + bad), not counting the header and blank rows."""
        return len(self.drafts) + len(self.errors)


def decode(data: bytes, name: str = "The file") -> str:
    """Bytes → text, or ValidationError saying why this is not a CSV file we can read."""
    if len(data) > MAX_BYTES:
        raise ValidationError(
            f"{name} is {len(data) / 1_048_576:.0f} MB; a CSV of notes should be far smaller "
            f"(the limit is {MAX_BYTES // 1_048_576} MB). Is it the right file?"
        )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ValidationError(
            f"{name} is saved as UTF-16 ('Unicode text'); save it as 'CSV UTF-8 (comma delimited)' and try again."
        )
    if b"\x00" in data:
        raise ValidationError(f"{name} is not a CSV text file (it contains binary data).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ValidationError(
            f"{name} is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it as 'CSV UTF-8 (comma delimited)' and try again."
        ) from None
    if not text.strip():
        raise ValidationError(f"{name} is empty.")
    return text


def records(text: str) -> Iterator[tuple[int, list[str] | None, str | None]]:
    """Yield (first line, cells, None) per CSV record, or (line, None, message) for a record csv cannot read.

    `csv.reader.line_num` is the line a record *ends* on (quoted cells may hold newlines); the record starts one line
    after the previous one ended.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=False)
    ended = 0
    while True:
        start = ended + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            ended = reader.line_num
            yield start, None, f"this row can't be read as CSV ({exc})"
            continue
        ended = reader.line_num
        yield start, row, None


def parse_csv(data: bytes | str, session: GroupLookup, *, name: str = "The file") -> ParsedCsv:
    """Parse a whole CSV file against a session's groups. See the module docstring for the format."""
    text = decode(data, name) if isinstance(data, bytes) else data
    if not text.strip():
        raise ValidationError(f"{name} is empty.")
    result = ParsedCsv()
    columns: tuple[str, ...] = COLUMNS
    seen_first = False
    for line, cells, problem in records(text):
        if problem is not None:
            result.errors.append(RowError(line, problem))
            seen_first = True
            continue
        assert cells is not None
        if not any(T.strip_controls(c).strip() for c in cells):
            continue  # blank line or a row of empty cells
        if not seen_first:
            seen_first = True
            if _is_header(cells):
                columns = _header_columns(cells, line, name)
                result.header = True
                continue
        try:
            draft = parse_row(cells, session, columns)
        except ValidationError as exc:
            result.errors.append(RowError(line, _lower_first(str(exc))))
            continue
        result.drafts.append(draft)
        result.lines.append(line)
    return result


def parse_row(cells: list[str], session: GroupLookup, columns: tuple[str, ...] = COLUMNS) -> CardDraft:
    """One row → a CardDraft checked as the hub would check it; ValidationError says what is wrong."""
    cells = list(cells)
    while len(cells) > len(columns) and not cells[-1].strip():
        cells.pop()  # spreadsheets pad rows with empty cells
    fewest = max(columns.index(c) for c in REQUIRED) + 1
    if not fewest <= len(cells) <= len(columns):
        if columns == COLUMNS:
            want = "2 to 4 columns"
        elif fewest == len(columns):
            want = f"{len(columns)} columns ({', '.join(columns)})"
        else:
            want = f"{fewest} to {len(columns)} columns ({', '.join(columns)})"
        hint = ""
        if len(cells) == 1 and ";" in cells[0]:
            hint = " (the file seems to use ';' between columns: save it as comma-separated CSV)"
        raise ValidationError(f"expected {want}, got {len(cells)}{hint}")
    values = dict(zip(columns, cells))
    kind_cell = T.strip_controls(values.get("kind", "")).strip()
    if not kind_cell:
        raise ValidationError("the kind is empty: use problem, option or contribution")
    try:
        kind = Kind.parse(kind_cell)
    except ValidationError:
        raise ValidationError(f"unknown kind {_short(kind_cell)}: use problem, option or contribution") from None
    card_text = T.clean_note(values.get("text", ""))
    group_id = _group_id(values.get("group", ""), session)
    author = T.optional(values.get("author", ""), "Author", T.AUTHOR_LIMIT)
    return CardDraft(kind=kind, text=card_text, group_id=group_id, author=author)


def _group_id(cell: str, session: GroupLookup) -> int | None:
    name = " ".join(T.strip_controls(cell).split())
    if not name:
        return None
    group = session.group_named(name)
    if group is None:
        names = ", ".join(g.name for g in session.groups.values())
        known = f"groups: {names}" if names else "this session has no groups"
        raise ValidationError(f"unknown group {_short(name)} ({known})")
    return group.id


def _is_header(cells: list[str]) -> bool:
    return T.strip_controls(cells[0]).strip().lower() == "kind"


def _header_columns(cells: list[str], line: int, name: str) -> tuple[str, ...]:
    names = [T.strip_controls(c).strip().lower() for c in cells]
    while names and not names[-1]:
        names.pop()
    for position, column in enumerate(names, start=1):
        if column not in COLUMNS:
            raise ValidationError(
                f"{name} has an unknown column {_short(column)} in its header (line {line}, column {position}): "
                f"use {', '.join(COLUMNS)}."
            )
    for column in set(names):
        if names.count(column) > 1:
            raise ValidationError(f"{name} names the column {column!r} twice in its header (line {line}).")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise ValidationError(f"{name} has no {' or '.join(missing)} column in its header (line {line}).")
    return tuple(names)


def _short(value: str, limit: int = 40) -> str:
    """A cell quoted in a message, cut to a readable length (the cell may be a whole paragraph)."""
    return repr(value if len(value) <= limit else value[: limit - 1] + "…")


def _lower_first(message: str) -> str:
    """Core messages are sentences ("Card text is…"); after "line 9: " they read better in lower case."""
    message = message.rstrip()
    if message.endswith(".") and message.count(". ") == 0:
        message = message[:-1]
    if message[:2].isupper():  # an acronym: leave it
        return message
    return message[:1].lower() + message[1:]
