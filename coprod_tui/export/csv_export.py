"""A session as a CSV table: one row per card, every field, for spreadsheets and analysis.

Format: UTF-8 with a byte-order mark (Excel otherwise guesses a legacy code page and garbles accents and emoji),
CRLF line ends (RFC 4180, what Excel writes), a header row, cells quoted when they need it (a card's line breaks stay
inside its quoted cell). Rows follow the board: problems, then options, then contributions, each in board order.

Columns: id, kind, text, group_id, group_name, group_role, author, order, links (card ids joined by spaces), hidden
(true/false), created, source, is_cluster, cluster (the id of the cluster a note was folded into), held (waiting for
the reveal), breakout, picked, parked, votes (its total in the current voting round, clusters counting their
members' votes; empty when no vote or not of that kind), session_id, session_title. Empty cells mean "none" (no
group, anonymous, no links).

Formula injection: a spreadsheet treats a cell starting with `=`, `+`, `-` or `@` as a formula (and tab or carriage
return can smuggle one in), so a note such as `=HYPERLINK("http://evil", "click")` or `=cmd|' /C calc'!A0` would run
when the file is opened. Following OWASP's advice ("CSV Injection"), any cell that starts with one of those six
characters gets a leading apostrophe: the spreadsheet shows the text, prefixed by `'`, and never evaluates it. The
apostrophe is the one change made to what people wrote; a program reading the file can drop it again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from coprod_tui.core.model import Kind, Session
from coprod_tui.core.reading.tally import vote_results

__all__ = ["BOM", "COLUMNS", "neutralise", "session_csv", "session_rows"]

BOM = b"\xef\xbb\xbf"
COLUMNS: tuple[str, ...] = (
    "id", "kind", "text", "group_id", "group_name", "group_role", "author", "order", "links", "hidden",
    "created", "source", "is_cluster", "cluster", "held", "breakout", "picked", "parked", "votes",
    "session_id", "session_title",
)
# Not exported: the phone id (`participant`) of a note. It is random, but it ties notes (and votes) to one phone,
# which is more than a spreadsheet passed around after the meeting needs to say about anyone.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Prefix a cell that a spreadsheet would read as a formula with `'` (see the module docstring)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _number(value: float) -> str:
    """Orders are floats in the file; whole ones print as `3`, the rest as Python writes them (`2.5`)."""
    return str(int(value)) if value.is_integer() else repr(value)


def session_rows(session: Session) -> Iterator[list[str]]:
    """The table as lists of strings, header first, before neutralising (for callers that want the raw values)."""
    yield list(COLUMNS)
    meta = session.meta
    votes = {t.card.id: t.total for t in vote_results(session)} if meta.voting else {}
    for kind in Kind:
        for card in session.column(kind):
            group = session.group_of(card)
            yield [
                str(card.id),
                card.kind.value,
                card.text,
                "" if card.group_id is None else str(card.group_id),
                group.name if group else "",
                group.role.value if group else "",
                card.author or "",
                _number(card.order),
                " ".join(str(link) for link in card.links),
                "true" if card.hidden else "false",
                card.created,
                card.source,
                _flag(card.is_cluster),
                "" if card.cluster is None else str(card.cluster),
                _flag(card.held),
                _flag(card.breakout),
                _flag(card.picked),
                _flag(card.parked),
                str(votes[card.id]) if card.id in votes else "",
                meta.id,
                meta.title,
            ]


def session_csv(session: Session) -> bytes:
    """The CSV file's bytes: BOM, header, one CRLF-terminated row per card, every cell formula-safe."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in session_rows(session):
        writer.writerow([neutralise(cell) for cell in row])
    return BOM + out.getvalue().encode("utf-8")
