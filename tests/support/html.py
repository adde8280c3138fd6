"""Reading an exported HTML page as a browser would (html.parser): its tags, attributes, card texts and group chips."""

from __future__ import annotations

from html.parser import HTMLParser

ALLOWED_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "h3", "p", "strong", "ul",
                "li", "br", "span", "table", "thead", "tbody", "tr", "th", "td"}
ALLOWED_ATTRS = {"lang", "charset", "http-equiv", "content", "name", "class", "aria-hidden"}


class Page(HTMLParser):
    """Every tag and attribute, the text of each card (<li>: first paragraph, <br> as a newline) and group chips."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str]] = []
        self.cards: list[str] = []
        self.groups: list[str] = []
        self.style = ""
        self.csp = ""
        self._where: list[str] = []
        self._paragraphs_in_li = 0
        self._after_br = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        values = {name: value or "" for name, value in attrs}
        self.attrs.extend(values.items())
        if values.get("http-equiv", "").lower() == "content-security-policy":
            self.csp = values["content"]
        if tag == "li":
            self._paragraphs_in_li = 0
        elif tag == "p" and self._where[-1:] == ["li"]:
            self._paragraphs_in_li += 1
            if self._paragraphs_in_li == 1:
                self.cards.append("")
        elif tag == "br" and self._in_card_text():
            self.cards[-1] += "\n"
            self._after_br = True
        elif tag == "span" and values.get("class") == "group":
            self.groups.append("")
        if tag not in ("br", "meta"):
            self._where.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._where and self._where[-1] == tag:
            self._where.pop()

    def _in_card_text(self) -> bool:
        return self._paragraphs_in_li == 1 and "p" in self._where and "li" in self._where

    def handle_data(self, data: str) -> None:
        if self._after_br and data.startswith("\n"):
            data = data[1:]  # markdown-it writes "<br />\n": the newline is the source's, not the text's
        self._after_br = False
        if self._where[-1:] == ["style"]:
            self.style += data
        elif self._in_card_text():
            self.cards[-1] += data
        if self._where[-1:] == ["span"] and self.groups:  # inside <span class="group">, after its swatch
            self.groups[-1] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page
