"""The self-reflection on real phones: headless Chromium at phone size against the real phone server, the facilitator
driven straight through the hub.

When the facilitator moves into the reflection phase an open page swaps the note form for the self-reflection form
without reloading (and back when the phase moves on); a phone fills it in (role, both ladder questions, some scores
including "don't know", one example), sends, hears "thank you", and the hub holds exactly that one answer; changing
and sending again replaces it; a reload brings the saved answers back from the server. Without JavaScript the plain
form does the same through the thank-you page. Nothing scrolls sideways at 320 px, the targets are large, and
axe-core finds no violations, light and dark. Nothing here asserts how long anything takes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from support.browser import (assert_accessible, browser, open_phones, phone, server, streams)  # noqa: F401
from coprod_tui.core.commands import SetPhase
from coprod_tui.core.method import STATEMENTS
from support.run import REFLECTION_PHASE
from support.web import wait_until

try:
    from playwright.async_api import expect
except ImportError:  # pragma: no cover - scripts/test installs it; the `browser` fixture skips (or fails on CI)
    expect = None  # type: ignore[assignment]

THANKS = "Thank you — you can change your answers until the facilitator moves on."
ANONYMOUS = "Your answers are anonymous: only your role is recorded."
EXAMPLE = "Staff set the agenda before we arrived."


def statement(page: Any, statement_id: str) -> Any:
    """A statement's fieldset, found as a person would: by its wording."""
    return page.get_by_role("group", name=STATEMENTS[statement_id].text, exact=True)


async def score(page: Any, statement_id: str, choice: str) -> None:
    await statement(page, statement_id).get_by_role("radio", name=choice, exact=True).check()


async def rung(page: Any, question: str, name: str) -> None:
    await page.get_by_role("group", name=question).get_by_role("radio", name=re.compile("^" + re.escape(name))).check()


async def example(page: Any, statement_id: str, text: str) -> None:
    box = statement(page, statement_id)
    await box.get_by_text("Add an example").tap()
    await box.get_by_label("An example that shows this (optional)").fill(text)


async def fill_in(page: Any) -> None:
    """Role, both ladder questions, three scores (one "don't know") and one example."""
    await page.get_by_label("Your role").select_option(label="People who use services")
    await rung(page, "Where is this work now?", "3. Informing")
    await rung(page, "Where should it be?", "6. Co-design")
    await score(page, "eq1", "2 Made a start")
    await score(page, "eq2", "Don't know")
    await score(page, "di1", "4 Doing really well")
    await example(page, "eq1", EXAMPLE)


def answers(hub: Any) -> list[dict[str, Any]]:
    return [{k: r[k] for k in ("role", "ladder_now", "ladder_target", "scores", "evidence")}
            for r in hub.session.reflections.values()]


FILLED = {"role": "people-who-use-services", "ladder_now": 3, "ladder_target": 6,
          "scores": {"eq1": 2, "eq2": 0, "di1": 4}, "evidence": {"eq1": EXAMPLE}}


async def test_a_phone_answers_changes_its_answer_and_follows_the_phase_without_reloading(hub, server, browser):
    [p] = await open_phones(browser, server, 1, link="1")
    page = p.page
    await page.evaluate("window.sameDocument = true")
    await expect(page.locator("#note-form")).to_be_visible()
    await expect(page.locator("#reflection")).to_have_count(0)

    hub.apply(SetPhase(index=REFLECTION_PHASE))  # into the reflection: the form replaces the note form
    await expect(page.locator("#reflection-form")).to_be_visible()
    await expect(page.locator("#note-form")).to_be_hidden()
    await expect(page.get_by_text(ANONYMOUS)).to_be_visible()
    await expect(page.get_by_label("Your role")).to_have_value("carers-and-family")  # the group's, to start with
    await fill_in(page)
    await page.get_by_role("button", name="Send my answers").tap()
    await expect(page.locator("#reflection-status")).to_have_text(THANKS)
    assert answers(hub) == [FILLED]
    participant = await page.evaluate("localStorage.getItem('coprod:participant')")
    assert list(hub.session.reflections) == [participant]
    await expect(statement(page, "eq1").get_by_role("radio", name="2 Made a start")).to_be_checked()  # kept

    await score(page, "eq1", "3 Getting there")  # changing it: the same phone's answer is replaced
    await expect(page.locator("#reflection-status")).to_have_text("Changed — tap Send my answers to save it.")
    await page.get_by_role("button", name="Send my answers").tap()
    await wait_until(lambda: answers(hub) and answers(hub)[0]["scores"]["eq1"] == 3)
    await expect(page.locator("#reflection-status")).to_have_text(THANKS)
    assert answers(hub) == [{**FILLED, "scores": {"eq1": 3, "eq2": 0, "di1": 4}}]
    assert await page.evaluate("window.sameDocument") is True

    hub.apply(SetPhase(index=1))  # out of it: the note form is back, still without a reload
    await expect(page.locator("#note-form")).to_be_visible()
    await expect(page.locator("#reflection")).to_be_hidden()
    await expect(page.locator("#kind-problem")).to_be_checked()
    hub.apply(SetPhase(index=REFLECTION_PHASE))
    await expect(page.locator("#reflection-form")).to_be_visible()
    await expect(statement(page, "eq1").get_by_role("radio", name="3 Getting there")).to_be_checked()
    assert await page.evaluate("window.sameDocument") is True

    await page.reload()  # the page comes empty from the server; the phone's answer comes back from the board
    await expect(statement(page, "eq1").get_by_role("radio", name="3 Getting there")).to_be_checked()
    await expect(statement(page, "eq2").get_by_role("radio", name="Don't know")).to_be_checked()
    await expect(page.get_by_role("group", name="Where should it be?").get_by_role(
        "radio", name=re.compile("^6. Co-design"))).to_be_checked()
    await expect(page.get_by_label("Your role")).to_have_value("people-who-use-services")
    await expect(statement(page, "eq1").get_by_label("An example that shows this (optional)")).to_have_value(EXAMPLE)
    await expect(page.locator("#reflection-status")).to_have_text(THANKS)
    assert len(hub.session.reflections) == 1
    p.check()


def rewrite(**changes: Any) -> Any:
    """A route handler that changes the answer on its way to the server (as a broken or stale phone might)."""
    async def handle(route: Any) -> None:
        body = json.loads(route.request.post_data or "{}")
        for name, value in changes.items():
            if name.startswith("score-"):
                body["scores"][name[6:]] = value
            else:
                body[name] = value
        await route.continue_(post_data=json.dumps(body))
    return handle


async def test_a_refusal_is_explained_beside_the_button_and_the_field_is_marked(hub, server, browser):
    hub.apply(SetPhase(index=REFLECTION_PHASE))
    [p] = await open_phones(browser, server, 1)  # the everyone link, no group chosen: no role to start on
    page = p.page
    role = page.get_by_label("Your role")
    await expect(role).to_have_value("")
    await score(page, "fb1", "1 Not yet")
    await page.get_by_role("button", name="Send my answers").tap()  # the browser asks for the role first
    await expect(role).to_be_focused()
    assert hub.session.reflections == {}

    await role.select_option(label="Carers and family")
    await page.route("**/reflection", rewrite(role="boss"))
    await page.get_by_role("button", name="Send my answers").tap()
    await expect(page.locator("#reflection-status")).to_have_text(re.compile(
        r"^Not sent: Unknown role 'boss': use one of .* Your answers are kept\.$"))
    await expect(role).to_have_attribute("aria-invalid", "true")
    await expect(role).to_be_focused()
    await expect(statement(page, "fb1").get_by_role("radio", name="1 Not yet")).to_be_checked()
    assert hub.session.reflections == {}

    await page.unroute("**/reflection")
    await page.get_by_role("button", name="Send my answers").tap()
    await expect(page.locator("#reflection-status")).to_have_text(THANKS)
    await expect(role).not_to_have_attribute("aria-invalid", "true")
    assert answers(hub) == [{"role": "carers-and-family", "ladder_now": None, "ladder_target": None,
                             "scores": {"fb1": 1}, "evidence": {}}]
    p.check()


async def test_with_javascript_off_the_plain_form_saves_thanks_and_changes(hub, server, browser):
    hub.apply(SetPhase(index=REFLECTION_PHASE))
    p = await phone(browser, java_script_enabled=False)
    page = p.page
    await page.goto(server.urls()["2"])
    await expect(page.locator("#note-form")).to_be_hidden()
    await expect(page.get_by_label("Your role")).to_have_value("practitioners")
    await fill_in(page)
    await page.get_by_role("button", name="Send my answers").tap()
    await expect(page.get_by_text(THANKS)).to_be_visible()
    await expect(page).to_have_title(re.compile("^Saved"))
    await expect(statement(page, "di1").get_by_role("radio", name="4 Doing really well")).to_be_checked()
    await expect(statement(page, "eq1").get_by_label("An example that shows this (optional)")).to_have_value(EXAMPLE)
    assert answers(hub) == [FILLED]

    await score(page, "di1", "1 Not yet")  # changing the answers on the thank-you page replaces them
    await page.get_by_role("button", name="Send my answers").tap()
    await expect(page.get_by_text(THANKS)).to_be_visible()
    await expect(statement(page, "di1").get_by_role("radio", name="1 Not yet")).to_be_checked()
    assert answers(hub) == [{**FILLED, "scores": {"eq1": 2, "eq2": 0, "di1": 1}}]
    p.check()


async def test_at_320px_the_form_does_not_scroll_sideways_and_targets_are_large(hub, server, browser):
    hub.apply(SetPhase(index=REFLECTION_PHASE))
    for js in (True, False):
        p = await phone(browser, viewport={"width": 320, "height": 640}, java_script_enabled=js)
        page = p.page
        await page.goto(server.urls()["1"])
        await expect(page.locator("#reflection-form")).to_be_visible()
        await statement(page, "ac2").get_by_text("Add an example").tap()
        for selector in ("#reflection .score", "#reflection summary", "#reflection .choice label", "#role",
                         "#reflection button.send"):
            boxes = [await el.bounding_box() for el in await page.locator(selector).all()]
            assert boxes and all(b["height"] >= 44 for b in boxes), (selector, js)
            assert all(b["x"] >= 0 and b["x"] + b["width"] <= 320 for b in boxes), (selector, js)
        assert await page.evaluate("document.scrollingElement.scrollWidth") <= 320
        p.check()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_axe_finds_no_violations_in_the_self_reflection(hub, server, browser, scheme):
    [p] = await open_phones(browser, server, 1, color_scheme=scheme)
    page = p.page
    hub.apply(SetPhase(index=REFLECTION_PHASE))
    await expect(page.locator("#reflection-form")).to_be_visible()
    await assert_accessible(page, "the self-reflection form, arrived live")
    await page.get_by_label("Your role").select_option(label="Other")
    await score(page, "re2", "Don't know")
    await page.route("**/reflection", rewrite(**{"score-re2": 9}))
    await page.get_by_role("button", name="Send my answers").tap()
    await expect(statement(page, "re2")).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#reflection-status")).to_contain_text("Not sent")
    await assert_accessible(page, "the form with a refused field")
    await page.unroute("**/reflection")
    await fill_in(page)
    await page.get_by_role("button", name="Send my answers").tap()
    await expect(page.locator("#reflection-status")).to_have_text(THANKS)
    await assert_accessible(page, "the form after saving, an example open")

    # The page as a phone without JavaScript gets it. phone.js is kept away rather than JavaScript switched off:
    # axe-core runs inside the page and needs its timers.
    quiet = await phone(browser, color_scheme=scheme)
    await quiet.page.route("**/static/phone.js", lambda route: route.abort())
    await quiet.page.goto(server.urls()["1"])
    await score(quiet.page, "eq3", "3 Getting there")
    await quiet.page.get_by_role("button", name="Send my answers").tap()
    await expect(quiet.page.get_by_text(THANKS)).to_be_visible()
    await assert_accessible(quiet.page, "the thank-you page without JavaScript")
    await quiet.page.evaluate("const rung = document.getElementById('ladder_now-7');"  # a rung the server refuses
                              "rung.value = '9'; rung.checked = true;"
                              "document.getElementById('reflection-form').submit()")
    await expect(quiet.page.locator("#reflection-error")).to_be_visible()
    await expect(quiet.page.get_by_role("group", name="Where is this work now?")).to_have_attribute("aria-invalid",
                                                                                                    "true")
    await assert_accessible(quiet.page, "the form returned with an error, without JavaScript")
    assert len(hub.session.reflections) == 2
    p.check()
    quiet.check()
