"""A running session on real phones: headless Chromium at phone size against the real phone server, the facilitator's
actions applied straight through the hub (the board's TUI is not needed for this).

Two phones vote and see totals only once the facilitator reveals them; a phase change reaches an open page (prompt
and the form's kind); a held note is on its writer's phone only until the reveal, and comes back from the server
after a reload; "I'm done" toggles; the timer counts down and says "Time's up"; a breakout shows the group's notes
with their "Bring back to the room" toggles; nothing scrolls sideways at 320 px; and axe-core finds no violations
in any of these states, light and dark. Nothing here asserts how long anything takes.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from support.browser import (assert_accessible, browser, open_phones, server, status, streams,  # noqa: F401
                             tap_send, write)
from coprod_tui.core.commands import (CloseVoting, EndBreakout, HoldNotes, MergeCards, OpenVoting, PauseTimer,
                                          RevealNotes, RevealVotes, SetPhase, StartBreakout, StartTimer, StopTimer)
from coprod_tui.core.model import Kind
from support.run import add
from support.web import wait_until

try:
    from playwright.async_api import expect
except ImportError:  # pragma: no cover - scripts/test installs it; the `browser` fixture skips (or fails on CI)
    expect = None  # type: ignore[assignment]

BOARD_AS_SEEN = """() => {
  const anchor = document.getElementById('note-form') || document.getElementById('closed-notice');
  const me = localStorage.getItem('coprod:participant');
  return fetch(anchor.dataset.root + 'api/v1/j/' + anchor.dataset.token + '/board?participant=' + me)
    .then(r => r.json());
}"""


def vote_card(page: Any, text: str) -> Any:
    return page.locator("#vote-cards > li").filter(has=page.get_by_text(text, exact=True))


def participant_of(hub: Any) -> set[str]:
    return {r["participant"] for table in (hub.session.votes, hub.session.done) for r in table.values()}


async def test_two_phones_vote_and_see_the_totals_only_once_revealed(hub, server, browser):
    buses = add(hub, "Buses are late")
    add(hub, "No ramp at the stop")
    lifts, stairs = add(hub, "Lifts broken"), add(hub, "Stairs only")
    hub.apply(MergeCards(card_ids=(lifts, stairs), title="Getting in"))
    add(hub, "An option, not in this round", Kind.OPTION)
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))
    a, b = await open_phones(browser, server, 2)

    for p in (a, b):
        await expect(p.page.locator("#vote")).to_be_visible()
        await expect(p.page.locator("#vote-left")).to_have_text("3 of 3 votes left (up to 2 on one note).")
        await expect(p.page.locator("#vote-cards > li")).to_have_count(3)  # problems only; the cluster is one card
        await expect(vote_card(p.page, "Getting in").locator(".members li")).to_have_text(["Lifts broken",
                                                                                            "Stairs only"])
    item = vote_card(a.page, "Buses are late")
    plus, minus = item.get_by_role("button", name="Add a vote"), item.get_by_role("button", name="Take back a vote")
    await expect(minus).to_be_disabled()
    await plus.tap()
    await expect(item.locator(".vote-count")).to_have_text("Your votes: 1")
    await plus.tap()
    await expect(item.locator(".vote-count")).to_have_text("Your votes: 2")
    await expect(plus).to_be_disabled()  # two on one note is the limit: the panel says so before the server must
    await expect(a.page.locator("#vote-left")).to_have_text(re.compile(r"^1 of 3 votes left"))
    await minus.tap()
    await expect(item.locator(".vote-count")).to_have_text("Your votes: 1")
    await vote_card(a.page, "Getting in").get_by_role("button", name="Add a vote").tap()
    await expect(a.page.locator("#vote-left")).to_have_text(re.compile(r"^1 of 3 votes left"))
    await vote_card(b.page, "Buses are late").get_by_role("button", name="Add a vote").tap()
    await expect(vote_card(b.page, "Buses are late").locator(".vote-count")).to_have_text("Your votes: 1")
    await wait_until(lambda: sum(sum(r["cards"].values()) for r in hub.session.votes.values()) == 3)

    for p in (a, b):  # nobody sees a total before the reveal
        await expect(p.page.locator(".vote-total:visible")).to_have_count(0)
        assert "Total" not in await p.page.locator("#vote").inner_text()
    hub.apply(CloseVoting())
    hub.apply(RevealVotes())
    for p in (a, b):  # …and everyone sees them after it, without reloading
        await expect(vote_card(p.page, "Buses are late").locator(".vote-total")).to_have_text("Total: 2")
        await expect(vote_card(p.page, "Getting in").locator(".vote-total")).to_have_text("Total: 1")
        await expect(vote_card(p.page, "No ramp at the stop").locator(".vote-total")).to_have_text("Total: 0")
        await expect(p.page.locator("#vote-left")).to_have_text("Voting has closed. The totals are in.")
        await expect(p.page.locator("#vote-cards button:enabled")).to_have_count(0)
    assert buses and len(participant_of(hub)) == 2
    a.check()
    b.check()


async def test_a_refused_vote_is_explained_in_words_and_the_phone_catches_up(hub, server, browser):
    add(hub, "Buses are late")
    hub.apply(OpenVoting(kind="problem", per_person=2, per_card=2))
    [p] = await open_phones(browser, server, 1)
    page = p.page

    async def stale_round(route: Any) -> None:  # as if this phone had missed a new round
        body = json.loads(route.request.post_data or "{}")
        await route.continue_(post_data=json.dumps({**body, "round": body["round"] + 5}))

    await page.route("**/votes", stale_round)
    await vote_card(page, "Buses are late").get_by_role("button", name="Add a vote").tap()
    await expect(page.locator("#vote-status")).to_have_text(
        "Not counted: A new round of voting has started: your screen has been updated.")
    await expect(vote_card(page, "Buses are late").locator(".vote-count")).to_have_text("Your votes: 0")
    await page.unroute("**/votes")
    await vote_card(page, "Buses are late").get_by_role("button", name="Add a vote").tap()
    await expect(vote_card(page, "Buses are late").locator(".vote-count")).to_have_text("Your votes: 1")
    await expect(page.locator("#vote-status")).to_be_empty()
    p.check()


async def test_a_phase_change_reaches_an_open_page_with_its_prompt_and_kind(hub, server, browser):
    [p] = await open_phones(browser, server, 1)
    page = p.page
    await expect(page.locator("#phase-name")).to_have_text("Welcome")
    await expect(page.locator("input[name=kind]:checked")).to_have_count(0)
    hub.apply(SetPhase(index=2))
    await expect(page.locator("#phase-name")).to_have_text("Options")
    await expect(page.locator("#phase-prompt")).to_have_text("What could we try together? One idea per note.")
    await expect(page.locator("#kind-option")).to_be_checked()
    hub.apply(SetPhase(index=1))
    await expect(page.locator("#phase-prompt")).to_have_text(re.compile(r"^What gets in the way\?"))
    await expect(page.locator("#kind-problem")).to_be_checked()
    await write(page, "Written as a contribution anyway", "contribution")  # the writer may still choose
    await tap_send(page)
    await status(page).to_have_text(re.compile(r"^Saved\b"))
    [card] = hub.session.cards.values()
    assert card.kind is Kind.CONTRIBUTION and card.participant and len(card.participant) >= 16
    p.check()


async def test_a_held_note_is_on_its_writers_phone_only_until_the_reveal(hub, server, browser):
    hub.apply(HoldNotes())
    a, b = await open_phones(browser, server, 2)
    for p in (a, b):
        await expect(p.page.locator("#private-note")).to_have_text(
            "Notes stay private until the facilitator reveals them.")
    await write(a.page, "A thought I am not sure of yet", "problem")
    await tap_send(a.page)
    await status(a.page).to_have_text(re.compile(r"^Saved — only you can see it"))
    mine = a.page.locator("#my-notes li")
    await expect(mine).to_have_text(["Problem: A thought I am not sure of yetOnly you can see this until the reveal"])
    assert [c["text"] for c in (await a.page.evaluate(BOARD_AS_SEEN))["cards"]] == ["A thought I am not sure of yet"]
    assert (await b.page.evaluate(BOARD_AS_SEEN))["cards"] == []

    # The server is the truth: with its list of notes gone, the phone gets its held note back from the server.
    await a.page.evaluate("Object.keys(localStorage).filter(k => k.endsWith(':mine'))"
                          ".forEach(k => localStorage.removeItem(k))")
    await a.page.reload()
    await expect(mine).to_have_text(["Problem: A thought I am not sure of yetOnly you can see this until the reveal"])

    await streams(server, 2)
    hub.apply(RevealNotes())
    await expect(a.page.locator("#my-notes .held")).to_have_count(0)
    for p in (a, b):
        await expect(p.page.locator("#private-note")).to_be_hidden()
    assert [c["text"] for c in (await b.page.evaluate(BOARD_AS_SEEN))["cards"]] == ["A thought I am not sure of yet"]
    a.check()
    b.check()


async def test_im_done_toggles_and_starts_again_with_each_phase(hub, server, browser):
    [p] = await open_phones(browser, server, 1)
    button = p.page.locator("#done-button")
    await expect(button).to_have_text("I'm done")
    await button.tap()
    await expect(button).to_have_text("You said you're done \u2014 tap to undo")
    await wait_until(lambda: len(hub.session.done) == 1)
    await button.tap()
    await expect(button).to_have_text("I'm done")
    await wait_until(lambda: hub.session.done == {})
    await button.tap()
    await expect(button).to_have_text("You said you're done \u2014 tap to undo")
    await p.page.reload()  # the server remembers
    await expect(button).to_have_text("You said you're done \u2014 tap to undo")
    await streams(server, 1)
    hub.apply(SetPhase(index=1))
    await expect(button).to_have_text("I'm done")
    p.check()


async def test_the_timer_counts_down_pauses_and_says_times_up(hub, server, browser):
    [p] = await open_phones(browser, server, 1)
    page = p.page
    await expect(page.locator("#timer")).to_be_hidden()
    hub.apply(StartTimer(seconds=3725, label="Writing time"))
    await expect(page.locator("#timer-label")).to_have_text("Writing time")
    await expect(page.locator("#timer-time")).to_have_text(re.compile(r"^1:0[12]:\d\d$"))
    hub.apply(PauseTimer())
    await expect(page.locator("#timer-time")).to_have_text(re.compile(r"^1:0[12]:\d\d \(paused\)$"))
    hub.apply(StopTimer())
    await expect(page.locator("#timer")).to_be_hidden()
    hub.apply(StartTimer(seconds=1, label="Last call"))
    await expect(page.locator("#timer-up")).to_have_text("Time's up")
    await expect(page.locator("#timer")).to_have_class(re.compile(r"\bup\b"))
    await expect(page.locator("#timer-time")).to_have_text("00:00")
    p.check()


async def test_a_breakout_shows_the_groups_notes_to_bring_back(hub, server, browser):
    add(hub, "Said in the room before", group=2)
    [p] = await open_phones(browser, server, 1, link="1")
    page = p.page
    hub.apply(StartBreakout())
    await expect(page.locator("#breakout-note")).to_have_text("Your group is working on its own.")
    await write(page, "Carers could run a rota", "option")
    await tap_send(page)
    await status(page).to_have_text(re.compile(r"^Saved\b"))
    add(hub, "Staff's own idea", Kind.OPTION, group=2)
    toggle = page.get_by_role("button", name="Bring back to the room")
    await expect(page.locator("#group-notes li p")).to_have_text(["Carers could run a rota"])
    await expect(toggle).to_have_attribute("aria-pressed", "false")
    await toggle.tap()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await wait_until(lambda: any(c.picked for c in hub.session.cards.values()))
    hub.apply(EndBreakout())
    await expect(page.locator("#breakout-note")).to_be_hidden()
    await expect(page.locator("#group-notes")).to_be_hidden()
    p.check()


async def test_at_320px_the_running_page_does_not_scroll_sideways_and_targets_are_large(hub, server, browser):
    long_word = "Unbrokenwordwithoutanyspaces" * 6
    first = add(hub, long_word, group=1)  # the group's own notes: in a breakout the phone sees only those
    add(hub, "Member " + long_word, group=1)
    add(hub, "Second member", group=1)
    hub.apply(MergeCards(card_ids=(first + 1, first + 2), title="Cluster " + long_word))
    hub.apply(OpenVoting(kind="problem", per_person=5, per_card=2))
    hub.apply(StartTimer(seconds=600, label="L" + long_word[:59]))
    hub.apply(StartBreakout())
    add(hub, "Breakout " + long_word, group=1)
    [p] = await open_phones(browser, server, 1, link="1", viewport={"width": 320, "height": 640})
    page = p.page
    await expect(page.locator("#group-notes li")).to_have_count(1)
    await expect(page.locator("#vote-cards > li")).to_have_count(2)  # the cluster (no group) is not the group's
    for selector in (".vote-button", "#done-button", ".pick-button"):
        boxes = [await el.bounding_box() for el in await page.locator(selector).all()]
        assert boxes and all(b["height"] >= 44 and b["width"] >= 44 for b in boxes), (selector, boxes)
        assert all(b["x"] >= 0 and b["x"] + b["width"] <= 320 for b in boxes), (selector, boxes)
    assert await page.evaluate("document.scrollingElement.scrollWidth") <= 320
    p.check()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_axe_finds_no_violations_while_the_session_runs(hub, server, browser, scheme):
    buses = add(hub, "Buses are late")
    a, b = add(hub, "Lifts broken"), add(hub, "Stairs only")
    hub.apply(MergeCards(card_ids=(a, b), title="Getting in"))
    hub.apply(SetPhase(index=1))
    hub.apply(HoldNotes())
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))
    hub.apply(StartTimer(seconds=900, label="Vote and write"))
    [p] = await open_phones(browser, server, 1, color_scheme=scheme)
    page = p.page
    await write(page, "Held until the reveal", "problem")
    await tap_send(page)
    await expect(page.locator("#my-notes .held")).to_have_count(1)
    await vote_card(page, "Buses are late").get_by_role("button", name="Add a vote").tap()
    await expect(vote_card(page, "Buses are late").locator(".vote-count")).to_have_text("Your votes: 1")
    await page.locator("#done-button").tap()
    await expect(page.locator("#done-button")).to_have_text(re.compile("tap to undo"))
    await expect(page.locator("#timer-time")).to_have_text(re.compile(r"^1[45]:\d\d$"))
    await assert_accessible(page, "voting open, the timer running, a held note, done")

    async def refuse(route: Any) -> None:
        await route.fulfill(status=409, content_type="application/json",
                            body='{"error": {"code": "refused", "message": "Voting is closed."}}')

    await page.route("**/votes", refuse)
    await vote_card(page, "Getting in").get_by_role("button", name="Add a vote").tap()
    await expect(page.locator("#vote-status")).to_have_text("Not counted: Voting is closed.")
    await assert_accessible(page, "a refused vote")
    await page.unroute("**/votes")

    hub.apply(RevealNotes())
    hub.apply(CloseVoting())
    hub.apply(RevealVotes())
    hub.apply(StartTimer(seconds=1, label="Wrap up"))
    await expect(vote_card(page, "Buses are late").locator(".vote-total")).to_have_text("Total: 1")
    await expect(page.locator("#timer-up")).to_have_text("Time's up")
    await assert_accessible(page, "totals revealed and time's up")

    hub.apply(StopTimer())
    hub.apply(StartBreakout())
    add(hub, "A breakout note", group=1)
    await page.get_by_label("Your group (optional)").select_option(label="Carers")
    toggle = page.get_by_role("button", name="Bring back to the room")
    await toggle.tap()
    await expect(toggle).to_have_attribute("aria-pressed", "true")
    await assert_accessible(page, "a breakout with a picked note")
    assert buses
    p.check()
