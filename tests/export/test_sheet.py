"""The printable QR sheet: one page per join link, everything typed by people inert, nothing fetched from elsewhere.

The output is parsed with the standard library's HTML parser (as a browser would tokenise it): only the expected
elements may appear, no attribute may be an event handler or point anywhere, and the text each page shows must
be exactly what was typed (control characters aside).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored

from coprod_tui.export import qr_sheet_html
from coprod_tui.export.sheet import HOW_TO
from coprod_tui.core.qr import qr_matrix

ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "main", "section",
    "h1", "p", "div", "ol", "li", "svg", "rect", "path",
}
ALLOWED_ATTRS = {
    "lang", "charset", "name", "content", "class", "id", "aria-labelledby", "role",
    "xmlns", "viewbox", "width", "height", "shape-rendering", "fill", "d",
}
SVG_NS = "http://www.w3.org/2000/svg"
BASE = "http://192.168.1.20:8765/j/"
CODES = [
    ("Everyone", BASE + secrets.token_urlsafe(32)),
    ("Carers", BASE + secrets.token_urlsafe(32)),
    ("Practitioners", BASE + secrets.token_urlsafe(32)),
    ("People who use services", BASE + secrets.token_urlsafe(32)),
]


class Page:
    """What one printed page shows: texts by class (or tag), and how many QR codes it holds."""

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.svgs = 0
        self.steps: list[str] = []


class SheetParser(HTMLParser):
    """Collect tags, attributes and each page's texts; record anything outside the allowed sets."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.pages: list[Page] = []
        self.stack: list[str] = []
        self.head_title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)
        cls = (dict(attrs).get("class") or "").split(" ")[0]
        if tag == "section":
            self.pages.append(Page())
        elif tag == "svg" and self.pages:
            self.pages[-1].svgs += 1
        elif tag == "li" and self.pages:
            self.pages[-1].steps.append("")
        if tag not in ("meta", "rect", "path"):  # void / self-closed elements never get an end tag here
            self.stack.append(cls or tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((name, value or "") for name, value in attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag not in ("meta", "rect", "path") and self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if not self.stack:
            return
        where = self.stack[-1]
        if where == "title" and not self.pages:
            self.head_title += data
        elif self.pages and where == "li":
            self.pages[-1].steps[-1] += data
        elif self.pages:
            page = self.pages[-1]
            page.texts[where] = page.texts.get(where, "") + data


def parse(html: str) -> SheetParser:
    parser = SheetParser()
    parser.feed(html)
    parser.close()
    return parser


def assert_inert(html: str, parser: SheetParser) -> None:
    """No unexpected element, no event handler, nothing that fetches or runs anything."""
    assert set(parser.tags) <= ALLOWED_TAGS, set(parser.tags) - ALLOWED_TAGS
    for name, value in parser.attrs:
        assert name in ALLOWED_ATTRS and not name.startswith("on"), name
        assert "javascript:" not in value.lower()
        assert "://" not in value or value == SVG_NS, value
    lowered = html.lower()
    for bad in ("<script", "<img", "<link", "<iframe", "<object", "<embed", "<image", "<use", "@import", "url("):
        assert bad not in lowered, bad
    assert not re.search(r"<[^>]*\son\w+\s*=", html)


def test_one_page_per_code_in_order() -> None:
    html = qr_sheet_html("Redesigning respite care", "What would make a short break work for you?", CODES)
    parser = parse(html)
    assert_inert(html, parser)
    assert len(parser.pages) == len(CODES)
    for page, (label, url) in zip(parser.pages, CODES):
        assert page.texts["label"] == label
        assert page.texts["url"] == url
        assert page.texts["session"] == "Redesigning respite care"
        assert page.texts["question"] == "What would make a short break work for you?"
        assert page.svgs == 1
        assert page.steps == list(HOW_TO)
    assert parser.head_title.endswith("Redesigning respite care")
    assert html.count("<svg ") == len(CODES)


def test_print_layout_and_document_basics() -> None:
    html = qr_sheet_html("T", "Q", CODES[:2])
    assert html.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in html and "<title>" in html and '<meta charset="utf-8">' in html
    assert "@page { size: A4; margin: 15mm; }" in html
    assert "break-after: page" in html and "page-break-after: always" in html
    assert ".qr { margin: 0 auto 4mm; width: 120mm;" in html
    assert "color: #000000" in html and "background: #ffffff" in html
    assert "<script" not in html.lower()


def test_no_external_resources_only_the_join_urls() -> None:
    html = qr_sheet_html("Title", "Question", CODES)
    urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
    assert urls == {url for _, url in CODES} | {SVG_NS}
    assert not re.search(r"\b(src|href|srcset|action|poster|data)\s*=", html)


def test_size_is_reasonable() -> None:
    html = qr_sheet_html("Title", "Question " * 20, CODES)
    assert len(html.encode("utf-8")) < 8_000 + 20_000 * len(CODES)


def test_qr_on_the_sheet_is_the_url_shown() -> None:
    html = qr_sheet_html("T", "Q", CODES[:1])
    size = len(qr_matrix(CODES[0][1]))
    assert f'viewBox="0 0 {size} {size}"' in html


def test_long_texts_get_smaller_type() -> None:
    html = qr_sheet_html("T" * 200, "word " * 200, [("A long group name " * 3, BASE + "x")])
    assert 'class="label long"' in html and 'class="session long"' in html and 'class="question long"' in html
    html = qr_sheet_html("Title", "Short question?", [("Carers", BASE + "x")])
    assert " long" not in html


def test_empty_question_is_left_out() -> None:
    parser = parse(qr_sheet_html("T", "  ", CODES[:1]))
    assert "question" not in parser.pages[0].texts


def test_no_codes_still_gives_a_page_saying_so() -> None:
    html = qr_sheet_html("<b>T</b>", "Q", [])
    parser = parse(html)
    assert_inert(html, parser)
    assert len(parser.pages) == 1 and "no join links" in html


@pytest.mark.parametrize(
    "text",
    ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)", "</title><script>x</script>"],
)
def test_classic_injections_come_out_escaped(text: str) -> None:
    html = qr_sheet_html(text, text, [(text, BASE + "abc"), ("Carers", text)])
    parser = parse(html)
    assert_inert(html, parser)
    assert "<script" not in html and "<img" not in html
    assert escape(text, quote=True) in html  # present, but only as escaped text
    assert parser.pages[0].texts["label"] == text and parser.pages[1].texts["url"] == text


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_text_everywhere_stays_text(text: str) -> None:
    url = text if len(text.encode("utf-8", "replace")) <= 1000 else BASE + "long"
    codes = [(text, BASE + "all"), ("Group " + text[:50], url)]
    html = qr_sheet_html(text, text, codes)
    html.encode("utf-8")  # writable: no lone surrogates left
    parser = parse(html)
    assert_inert(html, parser)
    assert len(parser.pages) == 2
    shown = expected_stored(text)  # controls and lone surrogates dropped, then compared without the trim
    first = parser.pages[0].texts
    assert first.get("label", "").strip() == shown
    assert first.get("session", "").strip() == shown
    assert first.get("question", "").strip() == shown
    assert parser.pages[1].texts.get("url", "").strip() == expected_stored(url)


@pytest.mark.browser  # prints the sheet with headless Chromium
@pytest.mark.skipif(shutil.which("chromium") is None and not os.environ.get("CI"),
                    reason="chromium is not installed (./scripts/test installs it; on CI this test must run)")
def test_prints_one_a4_page_per_code_even_with_long_texts(tmp_path: Path) -> None:
    """Print with headless Chromium: exactly one sheet per code, also with the longest title and question allowed."""
    codes = [("People who use services and their families", BASE + "x" * 43), ("Carers", BASE + "y" * 43)]
    source = tmp_path / "sheet.html"
    source.write_text(qr_sheet_html("Tw" * 100, "word " * 200, codes), encoding="utf-8")
    pdf = tmp_path / "sheet.pdf"
    subprocess.run(
        [
            "chromium", "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
            "--no-pdf-header-footer", f"--print-to-pdf={pdf}", source.as_uri(),
        ],
        capture_output=True, timeout=120, check=True,
    )
    data = pdf.read_bytes()
    assert len(re.findall(rb"/Type\s*/Page(?!s)", data)) == len(codes)
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes and all(abs(float(w) - 595.3) < 1.5 and abs(float(h) - 841.9) < 1.5 for w, h in boxes)  # A4
