"""Reports as printable HTML pages: a Markdown report rendered with markdown-it-py, inline CSS, nothing else.

Three reports: the whole session (markdown.py), the self-reflection and plan (method_md.py) and "you said, we did"
(yousaid.py). Why render the Markdown rather than write HTML by hand: there is then one place per report that
decides what it says, one set of helpers that escape user text (escape.py), and the HTML cannot drift from it.
markdown-it-py runs with raw HTML off (`<script>` in a note is shown as text) and its default link check (no
`javascript:` links) — and since the Markdown escapes every piece of user text, the only links, tables, emphasis and
code spans in the page are the ones the report modules wrote.

The page is a single file for the same reasons as the QR sheet (no internet in the room, printed from any browser):
inline CSS, no scripts, no fonts or images from elsewhere. A Content-Security-Policy in a <meta> tag allows exactly
the one stylesheet (by its SHA-256 hash) and nothing else, so even a bug in the escaping could not run a script or
fetch anything. Print: A4 margins, readable type, a card is never split across pages, and each group mention shows
a small colour swatch beside the group's name (colour is never the only cue, and swatches print in colour); the
method report's averages are CSS bars beside their numbers.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Sequence
from html import escape

from markdown_it import MarkdownIt
from markdown_it.token import Token

from coprod_tui.core.colours import DEFAULT_SHADES
from coprod_tui.core.model import Group, Session
from coprod_tui.core.reading.programme import Since
from coprod_tui.core.wording import one_line
from coprod_tui.export.escape import html_text
from coprod_tui.export.markdown import session_markdown
from coprod_tui.export.method_md import bar_eighths, method_markdown
from coprod_tui.export.yousaid import yousaid_markdown

__all__ = ["CSS", "bar_width", "method_html", "page", "session_html", "swatch_colour", "yousaid_html"]

CSS = """
@page { size: A4; margin: 18mm 16mm; }
* { box-sizing: border-box; }
html { background: #ffffff; color: #111111; }
body {
  margin: 0 auto;
  max-width: 48rem;
  padding: 1.5rem;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 12pt;
  line-height: 1.45;
  overflow-wrap: anywhere;
}
h1 { font-size: 20pt; line-height: 1.2; margin: 0 0 0.6em; }
h2 { font-size: 15pt; margin: 1.4em 0 0.5em; border-bottom: 2px solid #111111; break-after: avoid; }
h3 { font-size: 13pt; margin: 1.1em 0 0.4em; break-after: avoid; }
p { margin: 0 0 0.5em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; break-inside: avoid; overflow-wrap: normal; }
th, td { border: 1px solid #777777; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #eeeeee; text-align: left; }
th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
ul { list-style: none; margin: 0; padding: 0; }
li {
  border: 1px solid #999999;
  border-left: 6px solid #555555;
  border-radius: 4px;
  margin: 0 0 0.6em;
  padding: 0.5em 0.8em 0.3em;
  break-inside: avoid;
  page-break-inside: avoid;
}
li > p:first-child { font-size: 12.5pt; }
li > p + p { font-size: 10.5pt; color: #333333; }
.group { font-weight: 600; }
.swatch {
  display: inline-block;
  width: 0.8em;
  height: 0.8em;
  margin-right: 0.3em;
  border: 1px solid #111111;
  vertical-align: -0.05em;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
.swatch.none { background: transparent; }
.bar {
  display: inline-block;
  width: 6em;
  height: 0.9em;
  margin-right: 0.4em;
  border: 1px solid #111111;
  background: #ffffff;
  vertical-align: -0.1em;
  -webkit-print-color-adjust: exact;
  print-color-adjust: exact;
}
.bar > span { display: block; height: 100%; background: #444444; }
@media print {
  body { max-width: none; padding: 0; font-size: 11pt; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
}
"""

_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def swatch_colour(colour: str) -> str:
    """A CSS colour for a group's slot or #rrggbb; anything else (a hand-edited file) becomes grey, never CSS."""
    value = (colour or "").strip().lower()
    if value in DEFAULT_SHADES:
        return DEFAULT_SHADES[value]
    return value if _HEX.match(value) else DEFAULT_SHADES["grey"]


def _stylesheet(groups: Sequence[Group], widths: Iterable[int] = ()) -> str:
    """The fixed CSS plus one rule per group and one per bar width used (classes, not style attributes, so the CSP
    needs no 'unsafe-inline')."""
    rules = "".join(f".swatch.g{g.id} {{ background: {swatch_colour(g.colour)}; }}\n" for g in groups)
    rules += "".join(f".bar > .w{pct} {{ width: {pct}%; }}\n" for pct in sorted(set(widths)))
    return CSS + rules


def bar_width(content: str) -> int | None:
    """The filled share (0–100, rounded half up) of a text bar from method_md.bar, or None if the code span is not
    a bar."""
    eighths = bar_eighths(content)
    if eighths is None:
        return None
    return (200 * eighths + 8 * len(content)) // (16 * len(content))  # 100·eighths/(8·cells), rounded half up


def _renderer(session: Session, widths: set[int]) -> MarkdownIt:
    """markdown-it-py as the house rules say (CommonMark, tables, raw HTML off), with group mentions as swatches.

    Emphasis is reserved for group names in the Markdown (user text cannot produce it), so an `em` whose text is a
    group's name becomes `<span class="group"><span class="swatch gN">` + the name; any other `em` stays emphasis.
    Code spans are reserved for the method report's bars in the same way: one becomes a CSS bar (its width is added
    to `widths`, for the stylesheet); the number is always written beside it, so the bar is hidden from screen readers.
    """
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    by_name: dict[str, int] = {}
    for group in session.groups.values():
        by_name.setdefault(one_line(group.name).strip(), group.id)

    def em_text(tokens: Sequence[Token], idx: int) -> str:
        parts = []
        for token in tokens[idx + 1:]:
            if token.type == "em_close":
                break
            parts.append(token.content)
        return "".join(parts)

    def em_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        group_id = by_name.get(em_text(tokens, idx))
        tokens[idx].meta["group"] = group_id is not None
        if group_id is None:
            return "<em>"
        return f'<span class="group"><span class="swatch g{group_id}" aria-hidden="true"></span>'

    def em_close(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        for token in reversed(tokens[:idx]):
            if token.type == "em_open":
                return "</span>" if token.meta.get("group") else "</em>"
        return "</em>"

    def cell_open(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        # markdown-it aligns columns with style attributes, which the CSP (rightly) blocks: use a class instead.
        token = tokens[idx]
        align = str(token.attrs.pop("style", ""))
        if "right" in align:
            token.attrSet("class", "num")
        return self.renderToken(tokens, idx, options, env)

    def code_inline(self, tokens: Sequence[Token], idx: int, options, env) -> str:
        width = bar_width(tokens[idx].content)
        if width is None:
            return f"<code>{escape(tokens[idx].content)}</code>"
        widths.add(width)
        return f'<span class="bar" aria-hidden="true"><span class="w{width}"></span></span>'

    md.add_render_rule("code_inline", code_inline)
    md.add_render_rule("th_open", cell_open)
    md.add_render_rule("td_open", cell_open)
    md.add_render_rule("em_open", em_open)
    md.add_render_rule("em_close", em_close)
    return md


def _csp(style: str) -> str:
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"


def page(session: Session, markdown: str, title: str) -> str:
    """A Markdown report of `session` as one HTML document (a string; write it as UTF-8) titled `title`."""
    widths: set[int] = set()
    body = _renderer(session, widths).render(markdown)
    style = _stylesheet(list(session.groups.values()), widths)
    heading = html_text(one_line(title))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_csp(style)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{heading}</title>\n"
        f"<style>{style}</style>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n"
        f"{body}"
        "</main>\n"
        "</body>\n"
        "</html>\n"
    )


def _title(session: Session) -> str:
    return one_line(session.meta.title).strip() or session.meta.id


def session_html(session: Session, since: Since | None = None) -> str:
    """The whole session as one HTML document (a string; write it as UTF-8)."""
    return page(session, session_markdown(session, since), f"{_title(session)} \u2014 co-production session")


def method_html(session: Session, since: Since | None = None) -> str:
    """The self-reflection and the plan as one printable HTML document."""
    return page(session, method_markdown(session, since), f"{_title(session)} \u2014 self-reflection and plan")


def yousaid_html(session: Session) -> str:
    """"You said, we did" as one printable HTML document, for participants."""
    return page(session, yousaid_markdown(session), f"You said, we did \u2014 {_title(session)}")
