"""The search box's little language, and the text folding both sides of a search share.

    respite "short notice" kind:problem group:"Table 2" role:carers programme:breaks from:2026-01-01 to:2026-06-30

Free words must ALL occur (each as a substring, ignoring case and accents); a "quoted phrase" counts as one word.
Filters narrow the search; several values of the same filter widen it again (kind:problem kind:option = either).
An unknown `foo:bar` is an ordinary word, so a time such as 10:30 or a web address is still searchable. A filter
with a value it cannot use (kind:banana, from:2026-13-01) raises ValidationError: a search that silently ignored
the filter would show results that look right and are not.

The query is re-parsed on every key press, so an unfinished quote ("short not…) is accepted as the phrase so far.

Both sides are compared after `fold`: NFKD-decomposed, casefolded, stripped of combining marks and invisible format
characters (zero-width spaces, bidi controls). Folding changes lengths ("ß" → "ss", "é" → "e" + accent → "e"), so
`match_spans` finds the matches again on a per-character fold that remembers where each folded character came from,
and reports spans in the ORIGINAL text, ready for highlighting.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from coprod_tui.core.errors import ValidationError
from coprod_tui.core.model import Kind, Role
from coprod_tui.core.text import strip_controls

_DROP = frozenset(("Mn", "Me", "Cf"))  # combining marks (accents) and invisible format characters
_ASCII_SPACE = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"})

FILTERS = ("kind", "group", "role", "programme", "prog", "from", "to")
FILTER_HELP = 'kind:problem  group:"Table 2"  role:carers  programme:NAME  from:YYYY-MM-DD  to:YYYY-MM-DD'

_TOKEN = re.compile(
    r'(?P<key>[A-Za-z]+):(?:"(?P<quoted>[^"]*)"?|(?P<value>[^\s"]*))'  # key:value, key:"a value"
    r'|"(?P<phrase>[^"]*)"?'  # "a phrase" (the closing quote may not be typed yet)
    r'|(?P<word>[^\s"]+)'
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def fold(text: str) -> str:
    """What the index and the query are compared in: lower case, no accents, white space as plain spaces."""
    if text.isascii():  # most notes: one C-level pass instead of a Python loop per character
        return text.lower().translate(_ASCII_SPACE)
    out = unicodedata.normalize("NFKD", text).casefold()
    return "".join(" " if c.isspace() else c for c in out if unicodedata.category(c) not in _DROP)


@dataclass(frozen=True)
class Query:
    """A parsed search: folded terms plus filters. Empty tuples / sets / None mean "no filter"."""

    text: str = ""
    terms: tuple[str, ...] = ()
    kinds: frozenset[Kind] = frozenset()
    groups: tuple[str, ...] = ()  # folded substrings of group names
    roles: frozenset[Role] = frozenset()
    programmes: tuple[str, ...] = ()  # folded substrings of programme names
    date_from: str | None = None  # YYYY-MM-DD, inclusive, on the session's creation date in LOCAL time (search.py)
    date_to: str | None = None

    @property
    def has_card_filters(self) -> bool:
        """Filters only a card can pass: a session's own title never matches kind:, group: or role:."""
        return bool(self.kinds or self.groups or self.roles)

    @property
    def is_empty(self) -> bool:
        return not (self.terms or self.has_card_filters or self.programmes or self.date_from or self.date_to)


def parse_query(text: str) -> Query:
    """Parse the search box; raise ValidationError naming the filter whose value cannot be used."""
    text = strip_controls(text).replace("“", '"').replace("”", '"')
    terms: list[str] = []
    kinds: set[Kind] = set()
    groups: list[str] = []
    roles: set[Role] = set()
    programmes: list[str] = []
    dates: dict[str, str] = {}
    for m in _TOKEN.finditer(text):
        key = (m["key"] or "").lower()
        if key and key not in FILTERS:
            _add_term(terms, m[0].replace('"', " "))
            continue
        if not key:
            _add_term(terms, m["phrase"] if m["phrase"] is not None else m["word"])
            continue
        value = " ".join((m["quoted"] if m["quoted"] is not None else m["value"]).split())
        if not value:
            raise ValidationError(f"{key}: needs a value, e.g. {_example(key)}.")
        if key == "kind":
            kinds.add(Kind.parse(value))
        elif key == "role":
            roles.add(Role.parse(value))
        elif key == "group":
            _add_term(groups, value)
        elif key in ("programme", "prog"):
            _add_term(programmes, value)
        else:
            dates[key] = _date(key, value)
    date_from, date_to = dates.get("from"), dates.get("to")
    if date_from and date_to and date_from > date_to:
        raise ValidationError(f"from:{date_from} is after to:{date_to}: nothing can match.")
    return Query(text=text, terms=tuple(terms), kinds=frozenset(kinds), groups=tuple(groups),
                 roles=frozenset(roles), programmes=tuple(programmes), date_from=date_from, date_to=date_to)


def _add_term(terms: list[str], raw: str) -> None:
    """Fold a word or phrase; white space inside a phrase counts as one space; nothing left (" ", "\u200b") → skip."""
    term = " ".join(fold(raw).split())
    if term and term not in terms:
        terms.append(term)


def _date(key: str, value: str) -> str:
    if _DATE.match(value):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            raise ValidationError(f"{key}:{value} is not a real date: use YYYY-MM-DD, e.g. 2026-03-14.") from None
    raise ValidationError(f"{key}: wants a date as YYYY-MM-DD, e.g. {key}:2026-03-14 (not {value!r}).")


def _example(key: str) -> str:
    return {"kind": "kind:problem", "role": "role:carers", "group": 'group:"Table 2"', "from": "from:2026-01-01",
            "to": "to:2026-12-31"}.get(key, f"{key}:NAME")


MAX_SPANS = 64  # per text: enough to light up every hit on screen, bounded for a 2,000-character note of "a"s
# Per-character folds, for spans. Grows with the distinct characters seen, so it is bounded by Unicode itself.
_FOLDED_CHARS: dict[str, str] = {}


def match_spans(text: str, terms: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """Where the folded `terms` occur in the ORIGINAL `text`, as sorted, merged (start, end) index pairs."""
    if not terms or not text:
        return ()
    if text.isascii():
        folded, origin = fold(text), None
    else:
        pieces: list[str] = []
        origin = []
        for i, ch in enumerate(text):
            piece = _FOLDED_CHARS.get(ch)
            if piece is None:
                piece = _FOLDED_CHARS[ch] = fold(ch)
            pieces.append(piece)
            if len(piece) == 1:
                origin.append(i)
            else:
                origin.extend([i] * len(piece))
        folded = "".join(pieces)
    found: list[tuple[int, int]] = []
    for term in terms:
        at = folded.find(term)
        while at != -1 and len(found) < MAX_SPANS:
            end = at + len(term)
            if origin is None:
                found.append((at, end))
            else:
                start, stop = origin[at], origin[end - 1] + 1
                while stop < len(text) and not _FOLDED_CHARS.get(text[stop], "x"):  # keep an accent with its letter
                    stop += 1
                found.append((start, stop))
            at = folded.find(term, end)
    found.sort()
    merged: list[tuple[int, int]] = []
    for start, stop in found:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(stop, merged[-1][1]))
        else:
            merged.append((start, stop))
    return tuple(merged)
