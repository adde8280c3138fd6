"""The one set of escaping helpers of the exports: untrusted text into Markdown (the reports) and into HTML (the
QR sheet and the HTML page's title).

Everything people typed is escaped so that it can never change a Markdown document's structure. The rule is
deliberately blunt: a backslash before every ASCII punctuation character that has any meaning in CommonMark or
GitHub's dialect (CommonMark allows `\\` before any of them), so
`# x`, `- x`, `> x`, `<script>`, `[x](javascript:…)`, `|a|b|`, `&amp;`, `@name` and `$math$` all stay literal text.
A few characters are left alone so the raw file stays readable: `, ; ? ' " % / ( )` mean nothing in inline text;
`- + =` mean something only as the first character of a line (lists, rules, headings), so they are escaped there;
`.` and `)` only after the digits that start a line (an ordered-list marker such as `1.`).
White space at either end of a line is written as numeric character references, because a Markdown parser strips it
(and four leading spaces would otherwise mean "code"); line breaks inside a text become hard breaks (`\\` at the end
of the line) indented to stay inside their list item. The golden and round-trip tests in tests/export/test_export.py
check that every card of the hostile corpus renders back to exactly its own text.

Emphasis (`*…*`) is reserved for group names (`group_mention`): user text cannot produce it, so the HTML export
can recognise a group mention and give it a colour swatch.
"""

from __future__ import annotations

import re
import string
from html import escape

from coprod_tui.core.model import Group
from coprod_tui.core.text import strip_controls
from coprod_tui.core.wording import one_line

__all__ = ["INDENT", "escape_line", "escape_text", "group_mention", "html_text"]

INDENT = "  "  # continuation indent of a "- " list item

# Left alone (see the module docstring: `- + = . )` are escaped where a line starts); all other ASCII punctuation is
# always escaped.
_LEFT_ALONE = frozenset(",;?'\"%/().-+=")
_ESCAPED = frozenset(string.punctuation) - _LEFT_ALONE
_LINE_START = re.compile(r"^(?:([-+=])|([0-9]+)([.)]))")


def _references(white: str) -> str:
    """White space as numeric character references: parsers strip literal white space at the ends of a line."""
    return "".join(f"&#{ord(ch)};" for ch in white)


def _escape_start(match: re.Match[str]) -> str:
    """`-x` → `\\-x`, `12.` → `12\\.`: the line-start characters that could begin a list, rule or heading."""
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def escape_line(line: str) -> str:
    """One line of untrusted text as Markdown inline content that renders back to exactly `line`.

    Python's notion of white space (`str.isspace`) is used for the ends because it is what markdown-it-py strips
    (ideographic and no-break spaces included).
    """
    body = line.strip()
    if not body:
        return _references(line)
    start = len(line) - len(line.lstrip())
    lead, trail = line[:start], line[start + len(body):]
    escaped = "".join("\\" + ch if ch in _ESCAPED else ch for ch in body)
    escaped = _LINE_START.sub(_escape_start, escaped)
    return _references(lead) + escaped + _references(trail)


def escape_text(text: str, indent: str = "") -> str:
    """Multi-line untrusted text as one Markdown paragraph: lines joined by hard breaks, continuation lines indented.

    An empty line inside the text becomes a line holding only the hard-break backslash, so it neither ends the
    paragraph nor the list item. Trailing empty lines are dropped: a backslash at the very end of a paragraph would
    show as a literal backslash.
    """
    lines = text.rstrip("\n").split("\n")
    return ("\\\n" + indent).join(escape_line(line) for line in lines)


def group_mention(group: Group | None) -> str:
    """A group's name, emphasised (the HTML export turns emphasis into a colour swatch + name)."""
    if group is None:
        return "no group"
    name = one_line(group.name).strip() or f"group {group.id}"
    return f"*{escape_line(name)}*"


def html_text(value: str) -> str:
    """Untrusted text for HTML (an element's text or a quoted attribute), after dropping control characters and
    lone surrogates: they are invisible on paper yet can break the file (a lone surrogate cannot even be written as
    UTF-8)."""
    return escape(strip_controls(value), quote=True)
