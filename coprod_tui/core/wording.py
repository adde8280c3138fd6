"""How the app says things in plain words, the same in every front end: a count with its noun, a text on one line.

The terminal screens, the exports and the command line all call these, so "3 notes" or a note quoted on one line
read alike wherever they are shown. They only shape text; escaping it for a format (Markdown, HTML, Textual) is the
front end's job, after this.
"""

from __future__ import annotations

import re

from coprod_tui.core.text import strip_controls

__all__ = ["one_line", "plural"]

_WHITE = re.compile(r"\s+")
ELLIPSIS = "…"


def one_line(text: str, limit: int | None = None) -> str:
    """`text` on one line: every run of white space (line breaks, tabs, spaces) becomes one space and control
    characters (escape sequences in a hand-edited file) are dropped; cut to at most `limit` characters, ending
    with an ellipsis (no space left before it).

    The ends are kept as they are (a caller that wants them trimmed strips): a phrase such as " with 2 groups" is
    flattened without losing the space that joins it to what comes before.
    """
    flat = strip_controls(_WHITE.sub(" ", str(text)))
    if limit is None or len(flat) <= limit:
        return flat
    return flat[: limit - 1].rstrip() + ELLIPSIS


def plural(n: int, one: str, many: str | None = None) -> str:
    """"1 note", "2 notes", "1,204 notes"; `many` for a plural that is not `one` + "s" ("1 person", "3 people")."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
