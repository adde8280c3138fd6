"""The phone page in a real browser: headless Chromium at a phone's size, against the real phone server.

Covers what only a browser can show: the page with JavaScript on (send without reload, "Saved" only once the server
confirms, "my notes" kept across a reload) and off (a plain form post and its confirmation page); a failed send keeps
the draft and its retry stores the note once; the facilitator's open/close and link rotation reach an open page live;
the layout at 320 px; and axe-core finds no accessibility violations. Everything listens on 127.0.0.1 only.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from support.browser import (TIMEOUT, assert_accessible, browser, phone, server, status, tap_send,  # noqa: F401
                             write)
from coprod_tui.core.commands import RotateTokens, SetSubmissions
from coprod_tui.web import start_phone_server
from coprod_tui.web.handlers.pages import STATIC_DIR
from coprod_tui.web.keys import STREAMS, WebSettings
from support.web import cards_on_disk, client_for, make_hub, tokens, wait_until

try:
    from playwright.async_api import expect
except ImportError:  # pragma: no cover - scripts/test installs it; the `browser` fixture skips (or fails on CI)
    expect = None  # type: ignore[assignment]

NOTE = "The bus stops too far away"
SAVED = re.compile(r"^Saved\b")


def phone_cards(hub) -> list[Any]:
    return sorted(hub.session.cards.values(), key=lambda c: c.id)


async def test_a_note_sent_with_javascript_is_saved_listed_and_kept_after_a_reload(hub, server, browser):
    p = await phone(browser)
    page = p.page
    await page.goto(server.urls()["all"])
    await write(page, NOTE, "option", group="Staff", name="Sam")
    await tap_send(page)
    await status(page).to_have_text(SAVED, timeout=TIMEOUT)
    assert page.url == server.urls()["all"]  # no reload: the page stayed

    [card] = phone_cards(hub)
    assert (card.text, card.kind.value, card.group_id, card.author) == (NOTE, "option", 2, "Sam")
    hub.storage.flush()
    assert cards_on_disk(hub)[card.id]["text"] == NOTE  # "Saved" came after the note was on disk
    mine = page.locator("#my-notes li")
    await expect(page.locator("#my-notes")).to_be_visible()
    await expect(mine).to_have_text([f"Option: {NOTE}"])
    # Ready for the next note: the text is cleared, the choices are kept, a new request id.
    await expect(page.get_by_label("Your note")).to_have_value("")
    await expect(page.locator("#kind-option")).to_be_checked()
    await expect(page.get_by_label("Your group (optional)")).to_have_value("2")
    await expect(page.get_by_label("Your name (optional)")).to_have_value("Sam")

    hostile = '<img src=x onerror="document.title=1"> & </li><b>bold</b>'
    await page.get_by_label("Your note").fill(hostile)
    await tap_send(page)
    await expect(mine).to_have_count(2, timeout=TIMEOUT)
    await expect(mine.nth(1)).to_have_text(f"Option: {hostile}")  # shown as text, never as markup
    assert await page.locator("#my-notes img, #my-notes b").count() == 0
    assert len({post["request_id"] for post in p.posts}) == 2 and len(hub.session.cards) == 2

    await page.reload()
    await expect(mine).to_have_text([f"Option: {NOTE}", f"Option: {hostile}"])
    await expect(page.locator("#kind-option")).to_be_checked()
    await expect(page.get_by_label("Your name (optional)")).to_have_value("Sam")
    await expect(page.locator("#status")).to_be_empty()
    p.check()


async def test_a_group_link_posts_to_its_group(hub, server, browser):
    p = await phone(browser)
    await p.page.goto(server.urls()["1"])
    await expect(p.page.get_by_text("Your group: Carers")).to_be_visible()
    await write(p.page, NOTE, "contribution")
    await tap_send(p.page)
    await status(p.page).to_have_text(SAVED, timeout=TIMEOUT)
    [card] = phone_cards(hub)
    assert (card.kind.value, card.group_id, card.author) == ("contribution", 1, None)
    assert "group" not in p.posts[0]
    p.check()


async def test_with_javascript_off_the_plain_form_post_saves_and_confirms(hub, server, browser):
    p = await phone(browser, java_script_enabled=False)
    page = p.page
    await page.goto(server.urls()["all"])
    await write(page, NOTE, "problem", group="Carers", name="Ann")
    await tap_send(page)
    await expect(page.get_by_role("heading", name="Saved — thank you")).to_be_visible()
    await expect(page.locator("blockquote.note")).to_have_text(NOTE)
    [card] = phone_cards(hub)
    assert (card.text, card.kind.value, card.group_id, card.author) == (NOTE, "problem", 1, "Ann")
    assert cards_on_disk(hub)[card.id]["text"] == NOTE

    await page.get_by_role("link", name="Write another note").tap()
    await expect(page.get_by_label("Your note")).to_have_value("")
    p.check()


async def test_a_failed_send_keeps_the_draft_and_the_retry_stores_it_once(hub, server, browser):
    p = await phone(browser)
    page = p.page
    await page.route("**/api/v1/**/notes", lambda route: route.abort())
    await page.goto(server.urls()["all"])
    await write(page, NOTE, "option", group="Carers", name="Jo")
    await tap_send(page)
    await status(page).to_contain_text("Not sent — no connection", timeout=TIMEOUT)
    await status(page).to_contain_text("tap Send to try again")
    await expect(page.get_by_label("Your note")).to_have_value(NOTE)
    await expect(page.get_by_role("button", name="Send")).to_be_enabled()
    assert hub.session.cards == {}
    await expect(page.locator("#my-notes")).to_be_hidden()

    # A reload (or the browser closing) does not lose it: the draft is on the phone, with its request id.
    draft = await page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':draft'))"
                                ".map(k => JSON.parse(localStorage.getItem(k)))")
    assert [(d["text"], d["kind"], d["group"], d["author"]) for d in draft] == [(NOTE, "option", "1", "Jo")]
    await page.reload()
    await expect(page.get_by_label("Your note")).to_have_value(NOTE)
    await expect(page.locator("#kind-option")).to_be_checked()
    await expect(page.get_by_label("Your group (optional)")).to_have_value("1")
    await status(page).to_contain_text("not been sent")

    # The server is busy: still kept, still not "Saved".
    await page.unroute("**/api/v1/**/notes")
    await page.route("**/api/v1/**/notes", lambda route: route.fulfill(
        status=503, content_type="application/json", headers={"Retry-After": "30"},
        body='{"error": {"code": "storage_unavailable", "message": "Not saved yet."}}'))
    await tap_send(page)
    await status(page).to_contain_text("Not sent", timeout=TIMEOUT)
    await expect(page.get_by_label("Your note")).to_have_value(NOTE)
    assert hub.session.cards == {}

    await page.unroute("**/api/v1/**/notes")
    await tap_send(page)
    await status(page).to_have_text(SAVED, timeout=TIMEOUT)
    [card] = phone_cards(hub)
    assert (card.text, card.kind.value, card.group_id, card.author) == (NOTE, "option", 1, "Jo")
    assert len(p.posts) >= 3 and len({post["request_id"] for post in p.posts}) == 1  # every try: one request id
    await expect(page.locator("#my-notes li")).to_have_text([f"Option: {NOTE}"])
    assert await page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':draft')).length") == 0

    # Sending the same request again (a lost answer) still makes one card.
    resend = await page.evaluate("(b) => fetch(document.getElementById('note-form').dataset.root + "
                                 "'api/v1/j/' + document.getElementById('note-form').dataset.token + '/notes', "
                                 "{method: 'POST', headers: {'Content-Type': 'application/json'}, "
                                 "body: JSON.stringify(b)}).then(r => r.status)", p.posts[-1])
    assert resend == 200 and len(hub.session.cards) == 1
    p.check()


async def test_a_refused_note_shows_the_message_next_to_the_field_and_keeps_the_draft(hub, server, browser):
    p = await phone(browser)
    page = p.page
    await page.goto(server.urls()["all"])
    await write(page, "   \u0007  ", "problem", name="Kim")  # only white space and a control character
    await tap_send(page)
    error = page.locator("#error-text")
    await expect(error).to_contain_text("can't be empty", timeout=TIMEOUT)
    textarea = page.get_by_label("Your note")
    await expect(textarea).to_have_attribute("aria-invalid", "true")
    await expect(textarea).to_have_attribute("aria-describedby", re.compile(r"\berror-text\b"))
    await expect(textarea).to_be_focused()
    await expect(page.get_by_label("Your name (optional)")).to_have_value("Kim")
    await status(page).to_contain_text("Not sent")
    assert hub.session.cards == {}

    await textarea.fill(NOTE)
    await tap_send(page)
    await status(page).to_have_text(SAVED, timeout=TIMEOUT)
    await expect(error).to_have_count(0)
    await expect(textarea).not_to_have_attribute("aria-invalid", "true")
    await expect(textarea).to_have_attribute("aria-describedby", "text-hint")
    assert [c.text for c in phone_cards(hub)] == [NOTE]
    p.check()


async def test_a_page_opened_while_closed_shows_the_form_when_notes_open(hub, server, browser):
    hub.apply(SetSubmissions(open=False))
    p = await phone(browser)
    page = p.page
    await page.goto(server.urls()["all"])
    await expect(page.locator("#closed-notice")).to_be_visible(timeout=TIMEOUT)
    await expect(page.get_by_label("Your note")).to_have_count(0)
    await wait_until(lambda: len(server.runner.app[STREAMS]) == 1, timeout=TIMEOUT / 1000)
    hub.apply(SetSubmissions(open=True))
    await expect(page.get_by_label("Your note")).to_be_visible(timeout=TIMEOUT)  # reloaded by itself
    await write(page, NOTE, "problem")
    await tap_send(page)
    await status(page).to_have_text(SAVED, timeout=TIMEOUT)
    assert [c.text for c in phone_cards(hub)] == [NOTE]
    p.check()


async def test_open_close_and_new_codes_reach_an_open_page_without_reload(hub, server, browser):
    p = await phone(browser)
    page = p.page
    await page.goto(server.urls()["all"])
    await write(page, NOTE, "problem")
    await wait_until(lambda: len(server.runner.app[STREAMS]) == 1, timeout=TIMEOUT / 1000)
    send = page.get_by_role("button", name="Send")

    hub.apply(SetSubmissions(open=False))
    await expect(send).to_be_disabled(timeout=TIMEOUT)
    await expect(page.get_by_label("Your note")).to_be_disabled()
    await status(page).to_contain_text("paused")
    await expect(page.get_by_label("Your note")).to_have_value(NOTE)  # the draft waits

    hub.apply(SetSubmissions(open=True))
    await expect(send).to_be_enabled(timeout=TIMEOUT)
    await status(page).to_contain_text("open again")
    await tap_send(page)
    await status(page).to_have_text(SAVED, timeout=TIMEOUT)

    hub.apply(RotateTokens())
    await status(page).to_contain_text("Scan the new QR code", timeout=TIMEOUT)
    await expect(send).to_be_disabled()
    p.check()


async def test_at_320px_nothing_scrolls_sideways_and_tap_targets_are_large(tmp_path, browser):
    long_word = "Unbrokenwordwithoutanyspaces" * 6
    hub = make_hub(tmp_path / "wide", title="A title " + long_word, question="Why? " + long_word,
                   groups=[("Carers" + long_word[:54], "carers", None), ("Staff", "other", None)])
    server = await start_phone_server(hub, host="127.0.0.1", port=0, settings=WebSettings(poll_seconds=0.1))
    try:
        for js in (True, False):
            p = await phone(browser, viewport={"width": 320, "height": 640}, java_script_enabled=js)
            page = p.page
            await page.goto(server.urls()["all"])
            for selector in ("button.send", ".choice label", "#text", "#group", "#author"):
                boxes = [await el.bounding_box() for el in await page.locator(selector).all()]
                assert boxes and all(b["height"] >= 44 for b in boxes), (selector, boxes)
                assert all(b["x"] >= 0 and b["x"] + b["width"] <= 320 for b in boxes), (selector, boxes)
            await write(page, long_word, "problem", group="Staff")
            await tap_send(page)
            if js:
                await status(page).to_have_text(SAVED, timeout=TIMEOUT)
                await expect(page.locator("#my-notes li")).to_have_count(1)
            else:
                await expect(page.locator("blockquote.note")).to_have_text(long_word)
                box = await page.locator("a.again").bounding_box()
                assert box and box["height"] >= 44
            assert await page.evaluate("document.scrollingElement.scrollWidth") <= 320
            p.check()
    finally:
        await server.stop()
        hub.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_axe_finds_no_violations_on_any_phone_page(hub, server, browser, scheme):
    p = await phone(browser, color_scheme=scheme)
    page = p.page
    url = server.urls()["all"]
    await page.goto(url)
    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == ("rgb(18, 18, 18)" if scheme == "dark" else "rgb(255, 255, 255)")  # the scheme is in use
    await assert_accessible(page, "the form")

    await write(page, "   ", "problem")  # refused: the message next to the field
    await tap_send(page)
    await expect(page.locator("#error-text")).to_be_visible(timeout=TIMEOUT)
    await assert_accessible(page, "the form with a refused note")

    await page.get_by_label("Your note").fill(NOTE)
    await tap_send(page)
    await status(page).to_have_text(SAVED, timeout=TIMEOUT)
    await expect(page.locator("#my-notes")).to_be_visible()
    await assert_accessible(page, "the form with my notes")

    await page.route("**/api/v1/**/notes", lambda route: route.abort())
    await page.get_by_label("Your note").fill(NOTE + " again")
    await tap_send(page)
    await status(page).to_contain_text("Not sent", timeout=TIMEOUT)
    await assert_accessible(page, "the form after a failed send")
    await page.unroute("**/api/v1/**/notes")

    hub.apply(SetSubmissions(open=False))
    await status(page).to_contain_text("paused", timeout=TIMEOUT)
    await assert_accessible(page, "the paused form")
    hub.apply(SetSubmissions(open=True))
    await status(page).to_contain_text("open again", timeout=TIMEOUT)

    # The no-JavaScript post and its confirmation page: form.submit() skips phone.js's submit handler.
    await page.get_by_label("Your note").fill("Sent the plain way")
    async with page.expect_navigation():
        await page.evaluate("document.getElementById('note-form').submit()")
    await expect(page.get_by_role("heading", name="Saved — thank you")).to_be_visible()
    await assert_accessible(page, "the confirmation page")

    # The form again with the server's error (the no-JavaScript path), and the closed page.
    await page.goto(url)
    await page.evaluate("document.querySelectorAll('input[name=kind]').forEach(r => r.checked = false);"
                        "document.getElementById('text').value = '  ';"
                        "document.getElementById('note-form').noValidate = true;"
                        "document.getElementById('note-form').submit()")
    await expect(page.locator("#form-error")).to_be_visible()
    await assert_accessible(page, "the form returned with an error")

    hub.apply(SetSubmissions(open=False))
    await page.goto(url)
    await expect(page.locator(".notice.closed")).to_be_visible()
    await assert_accessible(page, "the closed page")

    hub.apply(RotateTokens())
    await page.goto(url)  # an old link: the "not valid any more" page
    await assert_accessible(page, "the old-link page")
    p.check()


async def test_page_css_and_script_fit_in_48_kb(tmp_path):
    """The worst case page (long title and question, a dozen groups) with its CSS and script. 30 KB while the page only
    sent notes; the live session (phases, voting, timer, "I'm done", breakouts) added ~10 KB of commented script and
    style, the self-reflection ~6 KB (its form is rendered on the server, so the script only swaps it in, fills it and
    sends it), uncompressed — still one small load on the room's Wi-Fi, with no framework. The reflection phase's page
    carries the form's 15 statements too: one load of at most 72 KB, once, when the phase begins."""
    from coprod_tui.core.commands import SetPhase
    hub = make_hub(tmp_path, title="T" * 200, question="Q" * 1000,
                   groups=[(f"Group number {i}", "other", None) for i in range(12)])
    try:
        async with client_for(hub) as client:
            html = await (await client.get(f"/j/{tokens(hub)['all']}")).read()
            js = await client.get("/static/phone.js")
            assert js.status == 200 and "javascript" in js.content_type
            assert js.headers["X-Content-Type-Options"] == "nosniff"
            hub.apply(SetPhase(index=5))
            reflection = await (await client.get(f"/j/{tokens(hub)['all']}")).read()
        assets = [len(Path(STATIC_DIR, name).read_bytes()) for name in ("phone.css", "phone.js")]
        sizes = [len(html), *assets]
        assert sum(sizes) <= 48 * 1024, sizes
        assert len(reflection) + sum(assets) <= 72 * 1024, (len(reflection), assets)
        source = Path(STATIC_DIR, "phone.js").read_text("utf-8")
        assert not re.search(r"\.(inner|outer)HTML\b|insertAdjacentHTML|document\.write|eval\(|new Function|https?:",
                             source)
    finally:
        hub.close()
