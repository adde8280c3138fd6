"""The phone page: a complete form without JavaScript, small, self-contained, and safe with hostile session text."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

import pytest
from support.hostile import HOSTILE, fits

from coprod_tui.core.commands import SetSubmissions
from coprod_tui.web.handlers.pages import STATIC_DIR
from support.web import client_for, make_hub, tokens

ALLOWED_TAGS = {"html", "head", "meta", "title", "link", "script", "body", "main", "header", "h1", "h2", "p", "form",
                "div", "label", "textarea", "fieldset", "legend", "input", "span", "select", "option", "strong",
                "button", "section", "ul", "blockquote", "a", "details", "summary"}


class Page(HTMLParser):
    """Every tag with its attributes, and the visible text, of one page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def one(self, tag: str, **attrs: str) -> dict[str, str | None]:
        found = self.find(tag, **attrs)
        assert len(found) == 1, (tag, attrs, found)
        return found[0]

    @property
    def all_text(self) -> str:
        return "".join(self.text)




async def get_page(client, token: str) -> Page:
    resp = await client.get(f"/j/{token}")
    assert resp.status == 200 and resp.content_type == "text/html"
    assert resp.headers["Cache-Control"] == "no-store"
    return Page(await resp.text())


async def post_form(client, token: str, fields: dict[str, str]):
    return await client.post(f"/j/{token}", data=urlencode(fields),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})


def form_fields(page: Page) -> dict[str, str]:
    return {"request_id": page.one("input", name="request_id")["value"] or ""}


async def test_the_everyone_page_is_a_complete_labelled_form(hub, client):
    page = await get_page(client, tokens(hub)["all"])
    assert page.one("html")["lang"] == "en"
    assert "width=device-width" in (page.one("meta", name="viewport")["content"] or "")
    assert page.one("form")["method"] == "post"
    text = page.one("textarea", name="text")
    assert text["maxlength"] == "2000" and "required" in text
    labels = {a["for"] for a in page.find("label")}
    radios = page.find("input", type="radio", name="kind")
    assert [r["value"] for r in radios] == ["problem", "option", "contribution"]
    for field_id in ["text", "author", "group", *(r["id"] for r in radios)]:
        assert field_id in labels
    assert page.one("select", name="group")["id"] == "group"
    assert [o.get("value") for o in page.find("option")] == ["", "1", "2"]
    assert page.one("input", name="author")["maxlength"] == "80"
    assert "Leave empty to stay anonymous" in page.all_text
    assert re.fullmatch(r"[0-9a-f]{32}", page.one("input", type="hidden", name="request_id")["value"] or "")
    assert page.one("button", type="submit") is not None and "Send" in page.all_text
    assert "Day services review" in page.all_text and "What would make Tuesdays work?" in page.all_text
    again = await get_page(client, tokens(hub)["all"])
    assert form_fields(again)["request_id"] != form_fields(page)["request_id"]


async def test_a_group_page_names_its_group_and_has_no_group_choice(hub, client):
    page = await get_page(client, tokens(hub)["2"])
    assert page.find("select") == []
    assert "Your group: Staff" in page.all_text


async def test_the_no_javascript_post_stores_the_note_and_confirms_it_escaped(hub, client):
    token = tokens(hub)["all"]
    page = await get_page(client, token)
    fields = {"text": "<script>alert(1)</script> & more", "kind": "option", "group": "1", "author": "",
              **form_fields(page)}
    resp = await post_form(client, token, fields)
    assert resp.status == 200
    html = await resp.text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    saved = Page(html)
    assert saved.find("script") == [] and "Saved — thank you" in saved.all_text
    assert saved.one("a", **{"class": "again"})["href"] == token  # relative: back to this same page
    [card] = hub.session.cards.values()
    assert (card.text, card.kind.value, card.group_id, card.author) == (fields["text"], "option", 1, None)
    twice = await post_form(client, token, fields)  # the same form sent again (double tap, reload)
    assert twice.status == 200 and len(hub.session.cards) == 1


async def test_an_error_shows_the_form_again_with_the_draft_kept(hub, client):
    token = tokens(hub)["all"]
    page = await get_page(client, token)
    fields = {"text": "Keep <these> words\nplease", "kind": "", "group": "2", "author": "Sam", **form_fields(page)}
    resp = await post_form(client, token, fields)
    assert resp.status == 422 and resp.content_type == "text/html"
    again = Page(await resp.text())
    assert "Keep <these> words\nplease" in again.all_text  # inside the textarea, escaped in the source
    assert again.one("input", name="author")["value"] == "Sam"
    assert "selected" in again.one("option", value="2")
    assert again.one("input", name="request_id")["value"] == fields["request_id"]
    assert "Choose what kind of note" in again.all_text
    assert again.one("div", role="alert") is not None
    assert again.one("fieldset")["aria-invalid"] == "true"
    assert hub.session.cards == {}
    fields["kind"] = "problem"
    assert (await post_form(client, token, fields)).status == 200
    assert [c.text for c in hub.session.cards.values()] == [fields["text"]]


async def test_an_oversized_note_from_the_form_comes_back_with_the_message(hub, client):
    token = tokens(hub)["1"]
    fields = {"text": "x" * 2001, "kind": "problem", "request_id": "r1"}
    resp = await post_form(client, token, fields)
    assert resp.status == 422 and "2,000" in await resp.text()


async def test_a_closed_session_shows_no_form_and_refuses_posts(hub, client):
    hub.apply(SetSubmissions(open=False))
    page = await get_page(client, tokens(hub)["all"])
    assert page.find("form") == [] and page.find("textarea") == []
    assert "closed this session" in page.all_text
    resp = await post_form(client, tokens(hub)["all"], {"text": "late", "kind": "problem", "request_id": "r"})
    assert resp.status == 403 and resp.content_type == "text/html"
    assert "closed this session" in await resp.text() and hub.session.cards == {}


async def test_an_old_link_gets_a_friendly_404_page(client):
    resp = await client.get("/j/not-a-token")
    assert resp.status == 404 and resp.content_type == "text/html"
    page = Page(await resp.text())
    assert "not valid any more" in page.all_text and page.one("link")["href"] == "../static/phone.css"


async def test_the_static_files_are_served_and_missing_ones_are_404(client):
    css = await client.get("/static/phone.css")
    assert css.status == 200 and css.content_type == "text/css"
    for missing in ("/static/nope.js", "/static/..%2Fapp.py", "/static/.hidden.css"):
        assert (await client.get(missing)).status == 404


async def test_page_and_css_are_small_and_self_contained(tmp_path):
    hub = make_hub(tmp_path, title="T" * 200, question="Q" * 1000,
                   groups=[(f"Group number {i}", "other", None) for i in range(12)])
    try:
        async with client_for(hub) as client:
            resp = await client.get(f"/j/{tokens(hub)['all']}")
            html = await resp.read()
        css = (STATIC_DIR / "phone.css").read_bytes()
        assert len(html) + len(css) <= 30 * 1024
        page = Page(html.decode())
        for tag, attrs in page.tags:
            for name in ("src", "href", "action"):
                value = attrs.get(name)
                if value is not None:
                    assert "//" not in value and ":" not in value, (tag, name, value)
            assert "style" not in attrs
        assert b"<style" not in html
        assert [a.get("src") for a in page.find("script")] == ["../static/phone.js"]
        assert b"http://" not in css and b"https://" not in css and b"@import" not in css and b"url(" not in css
    finally:
        hub.close()


def test_tap_targets_are_at_least_44px():
    css = Path(STATIC_DIR / "phone.css").read_text()
    for selector in ("button.send", ".choice label", "textarea, input[type=\"text\"], select", "a.again",
                     ".vote-button, .done-button, .pick-button", ".score", ".evidence summary"):
        block = css[css.index(selector + " {"):]
        block = block[:block.index("}")]
        height = re.search(r"min-height: ([0-9.]+)rem", block)
        assert height and float(height.group(1)) * 16 >= 44, selector


HOSTILE_TITLES = [t for t in HOSTILE if fits(t, 200)]
HOSTILE_NAMES = list(dict.fromkeys(" ".join(t.split()).strip() for t in HOSTILE if fits(t, 60)))


@pytest.mark.parametrize("index", range(0, len(HOSTILE_TITLES)))
async def test_hostile_session_text_is_escaped(tmp_path, index):
    from coprod_tui.core.commands import SetPhase
    title = HOSTILE_TITLES[index]
    groups = [(name, "other", None) for name in HOSTILE_NAMES[index % 5::5][:6]]
    hub = make_hub(tmp_path, title=title, question=HOSTILE_TITLES[-1 - index], groups=groups)
    try:
        async with client_for(hub) as client:
            for reflection in (False, True):  # the note form, then the self-reflection
                if reflection:
                    hub.apply(SetPhase(index=5))
                for key in tokens(hub):
                    page = Page(await (await client.get(f"/j/{tokens(hub)[key]}")).text())
                    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
                    assert not [n for _, attrs in page.tags for n in attrs if n.startswith("on")]
                    assert [a.get("src") for a in page.find("script")] == ["../static/phone.js"]
                    assert hub.session.meta.title in page.all_text
                    assert bool(page.find("form", id="reflection-form")) is reflection
    finally:
        hub.close()


async def test_a_form_post_too_big_gets_a_page_with_the_way_back(hub, client):
    token = tokens(hub)["all"]
    resp = await post_form(client, token, {"text": "x" * 70_000, "kind": "problem", "request_id": "r"})
    assert resp.status == 413 and resp.content_type == "text/html"
    page = Page(await resp.text())
    assert page.one("a", **{"class": "again"})["href"] == token
    assert hub.session.cards == {}


async def test_a_rate_limited_form_keeps_the_draft_and_says_when_to_retry(hub):
    from coprod_tui.web import RateLimit
    from support.web import web_settings
    async with client_for(hub, web_settings(rate_limit=RateLimit(burst=1, refill_seconds=30))) as client:
        token = tokens(hub)["all"]
        assert (await post_form(client, token, {"text": "one", "kind": "problem", "request_id": "r1"})).status == 200
        resp = await post_form(client, token, {"text": "two words", "kind": "option", "request_id": "r2"})
        assert resp.status == 429 and int(resp.headers["Retry-After"]) >= 1
        page = Page(await resp.text())
        assert "two words" in page.all_text and "checked" in page.one("input", value="option")
        assert page.one("input", name="request_id")["value"] == "r2"
        assert [c.text for c in hub.session.cards.values()] == ["one"]


# -- a running session, as the page shows it without JavaScript --------------------------------------------------------
async def test_the_page_shows_the_phase_and_its_prompt_and_starts_on_its_kind(hub, client):
    from coprod_tui.core.commands import SetPhase
    page = await get_page(client, tokens(hub)["all"])
    assert page.one("section", id="phase")["data-index"] == "0"
    assert "Welcome" in page.all_text and "Who is here" in page.all_text
    assert not [r for r in page.find("input", type="radio") if "checked" in r]  # the Welcome phase has no kind
    assert "hidden" in page.one("p", id="private-note")
    for hook in ("timer", "vote", "done", "group-notes", "breakout-note"):
        assert "hidden" in next(a for _, a in page.tags if a.get("id") == hook), hook  # until phone.js shows it
    hub.apply(SetPhase(index=2))
    page = await get_page(client, tokens(hub)["2"])
    assert page.one("section", id="phase")["data-index"] == "2"
    assert "What could we try together?" in page.all_text
    assert [r["value"] for r in page.find("input", type="radio") if "checked" in r] == ["option"]


async def test_a_draft_kind_wins_over_the_phases_default(hub, client):
    from coprod_tui.core.commands import SetPhase
    hub.apply(SetPhase(index=1))
    resp = await post_form(client, tokens(hub)["all"], {"text": "", "kind": "contribution", "request_id": "r"})
    page = Page(await resp.text())
    assert [r["value"] for r in page.find("input", type="radio") if "checked" in r] == ["contribution"]


async def test_hidden_writing_is_announced_and_a_held_note_is_confirmed_as_private(hub, client):
    from coprod_tui.core.commands import HoldNotes
    hub.apply(HoldNotes())
    token = tokens(hub)["all"]
    page = await get_page(client, token)
    assert "hidden" not in page.one("p", id="private-note")
    assert "Notes stay private until the facilitator reveals them" in page.all_text
    resp = await post_form(client, token, {"text": "A quiet thought", "kind": "problem", **form_fields(page)})
    saved = Page(await resp.text())
    assert resp.status == 200 and "seen only by you" in saved.all_text and "is on the board" not in saved.all_text
    [card] = hub.session.cards.values()
    assert card.held and card.participant is None  # no JavaScript, no phone id


async def test_the_closed_page_still_follows_the_session(hub, client):
    hub.apply(SetSubmissions(open=False))
    page = await get_page(client, tokens(hub)["all"])
    assert page.find("form") == [] and page.one("p", id="closed-notice")["data-token"] == tokens(hub)["all"]
    for hook in ("phase", "vote", "done", "timer"):
        assert any(a.get("id") == hook for _, a in page.tags), hook


@pytest.mark.parametrize("index", range(0, len(HOSTILE_TITLES), 7))
async def test_hostile_phase_names_and_prompts_are_escaped(hub, client, index):
    from coprod_tui.core.commands import EditPhases
    from coprod_tui.core.errors import ValidationError
    from coprod_tui.core.running import Phase
    name = " ".join(HOSTILE_NAMES[index % len(HOSTILE_NAMES)].split()) or "x"
    prompt = HOSTILE_TITLES[index]
    try:
        hub.apply(EditPhases(phases=(Phase(name=name, prompt=prompt, kind="problem"), Phase("Next"))))
    except ValidationError:
        pytest.skip("not a storable phase")
    page = Page(await (await client.get(f"/j/{tokens(hub)['all']}")).text())
    assert {tag for tag, _ in page.tags} <= ALLOWED_TAGS
    assert not [n for _, attrs in page.tags for n in attrs if n.startswith("on")]
    assert hub.session.meta.phases[0].name in page.all_text
