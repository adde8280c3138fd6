"""The printable QR sheet: one A4 page per join link, to put on the tables before a session.

The sheet is a single HTML file (inline CSS, inline SVG, no scripts, no fonts or images from elsewhere) because the
room may have no internet and the facilitator prints it from whatever browser is at hand. Each page carries a large
QR code, the link as text (for anyone whose camera will not scan), the session's title and question, and three
short lines on what to do, in plain words.

Everything typed by people — the title, the question, group names, even the URL — is HTML-escaped, so a title such
as `<script>…</script>` prints as those characters and never runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from coprod_tui.core.qr import svg_qr
from coprod_tui.core.text import strip_controls
from coprod_tui.export.escape import html_text

__all__ = ["HOW_TO", "qr_sheet_html"]

HOW_TO: tuple[str, str, str] = (
    "Point your phone\u2019s camera at the code above.",
    "Tap the link that pops up to open the page.",
    "Write your note and press Send. No app or account needed \u2014 it only works on this venue\u2019s Wi-Fi.",
)

_CSS = """
@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
html { background: #ffffff; color: #000000; }
body {
  margin: 0;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  font-size: 14pt;
  line-height: 1.35;
  background: #ffffff;
  color: #000000;
}
.page {
  break-after: page;
  page-break-after: always;
  break-inside: avoid;
  page-break-inside: avoid;
  text-align: center;
  padding: 0 0 8mm;
}
.page:last-child { break-after: auto; page-break-after: auto; }
.label { font-size: 40pt; line-height: 1.1; margin: 0 0 3mm; overflow-wrap: anywhere; }
.session { font-size: 15pt; font-weight: bold; margin: 0 0 2mm; overflow-wrap: anywhere; }
.question { font-size: 14pt; margin: 0 0 5mm; white-space: pre-line; overflow-wrap: anywhere; }
.qr { margin: 0 auto 4mm; width: 120mm; max-width: 100%; }
.qr svg { display: block; width: 100%; height: auto; }
.label.long { font-size: 26pt; }
.session.long { font-size: 12pt; }
.question.long { font-size: 10.5pt; line-height: 1.25; }
.session.long ~ .qr, .question.long ~ .qr { width: 95mm; }
.qr, .qr svg { break-inside: avoid; page-break-inside: avoid; }
.url {
  font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  font-size: 12pt;
  margin: 0 0 6mm;
  overflow-wrap: anywhere;
  word-break: break-all;
}
.howto { text-align: left; max-width: 150mm; margin: 0 auto; padding-left: 8mm; font-size: 14pt; }
.howto li { margin: 0 0 1.5mm; }
@media screen {
  body { padding: 8mm; }
  .page { border-bottom: 1px dashed #000000; margin-bottom: 8mm; }
}
"""


def _cls(name: str, value: str, long_at: int) -> str:
    """Return the class attribute for a text block, adding "long" past `long_at` characters.

    Long titles, questions and group names get a smaller type so the page still fits on one A4 sheet with the QR
    code at full size: a code split across two sheets cannot be scanned.
    """
    return f'class="{name} long"' if len(value) > long_at else f'class="{name}"'


def _page(index: int, title: str, question: str, label: str, url: str) -> str:
    """Return one printed page: label, QR code, URL, the session's title and question, and the how-to lines."""
    heading_id = f"code-{index}"
    link = strip_controls(url)  # what is printed and what is encoded must be the same characters
    question_html = f"<p {_cls('question', question, 250)}>{html_text(question)}</p>\n" if question.strip() else ""
    steps = "".join(f"<li>{escape(step)}</li>" for step in HOW_TO)
    return (
        f'<section class="page" aria-labelledby="{heading_id}">\n'
        f'<h1 id="{heading_id}" {_cls("label", label, 30)}>{html_text(label)}</h1>\n'
        f"<p {_cls('session', title, 90)}>{html_text(title)}</p>\n"
        f"{question_html}"
        f'<div class="qr">{svg_qr(link, title=f"QR code for {strip_controls(label)}")}</div>\n'
        f'<p class="url">{escape(link, quote=True)}</p>\n'
        f'<ol class="howto">{steps}</ol>\n'
        "</section>\n"
    )


def qr_sheet_html(title: str, question: str, codes: Sequence[tuple[str, str]]) -> str:
    """Return the printable sheet as one HTML document: a page per (label, url) pair, in the order given.

    Typically ("Everyone", url) first, then one pair per group. The URL is encoded in the QR code exactly as given
    (control characters aside; it must fit in a QR code, ValueError otherwise) and shown as text beside it. With no codes the sheet says so
    on its single page rather than being blank.
    """
    if codes:
        pages = "".join(_page(i, title, question, label, url) for i, (label, url) in enumerate(codes, start=1))
    else:
        pages = (
            '<section class="page">\n'
            f'<h1>{html_text(title)}</h1>\n'
            "<p>This session has no join links yet.</p>\n"
            "</section>\n"
        )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n'
        "<head>\n"
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Join codes \u2014 {html_text(title)}</title>\n"
        f"<style>{_CSS}</style>\n"
        "</head>\n"
        "<body>\n"
        "<main>\n"
        f"{pages}"
        "</main>\n"
        "</body>\n"
        "</html>\n"
    )
