"""End to end, as in the room: the facilitator's board (the real app under run_test, its real phone server on
127.0.0.1) and two phones (headless Chromium contexts on the join page).

The facilitator opens a vote from the board; two phones vote; the board shows no totals until the facilitator reveals
them from the board, then the board and both phones show them; a phase change made on the board reaches an open
phone without a reload. Nothing here asserts how long anything takes.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Select

from support.browser import CHROMIUM_ARGS, PHONE, TIMEOUT, chromium_path, missing
from support.app import back_to, dialog, drawn, lists, open_board, settle
from coprod_tui.tui.dialogs.votes import VotingDialog
from coprod_tui.web.server import start_phone_server
from coprod_tui.web.keys import STREAMS, WebSettings

try:
    from playwright.async_api import async_playwright, expect
except ImportError:  # pragma: no cover - scripts/test installs it
    async_playwright = expect = None  # type: ignore[assignment]

SIZE = (120, 40)


async def serve_locally(hub):
    return await start_phone_server(hub, host="127.0.0.1", port=0, settings=WebSettings(poll_seconds=0.1))


def vote_card(page: Any, text: str) -> Any:
    return page.locator("#vote-cards > li").filter(has=page.get_by_text(text, exact=True))


@pytest.fixture
async def chromium():
    if async_playwright is None:
        missing("The Python package 'playwright' is not installed")
    path = chromium_path()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        await browser.close()


async def test_two_phones_vote_and_the_board_shows_the_tally_only_after_the_reveal(make_session, app_factory,
                                                                                     chromium):
    app = app_factory(make_session(), serve=serve_locally)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await settle(pilot, lambda: app.phone_server is not None)
        problems = lists(board)[0]

        await pilot.press("V")  # the facilitator opens a vote on problems: 2 dots each, at most 2 on one note
        voting = await dialog(pilot, VotingDialog)
        voting.query_one("#vote-kind", Select).value = "problem"
        voting.query_one("#vote-per-person", Input).value = "2"
        voting.query_one("#vote-per-card", Input).value = "2"
        await pilot.press("ctrl+s")
        await back_to(pilot, board)

        phones = []
        for _ in range(2):
            context = await chromium.new_context(**PHONE)
            context.set_default_timeout(TIMEOUT)
            page = await context.new_page()
            await page.goto(app.phone_server.urls()["all"])
            phones.append(page)
        streams = app.phone_server.runner.app[STREAMS]
        await settle(pilot, lambda: len(streams) >= 2)
        for page in phones:
            await expect(page.locator("#vote")).to_be_visible()
        await vote_card(phones[0], "Carers can't get a break at weekends").get_by_role(
            "button", name="Add a vote").tap()
        item = vote_card(phones[1], "Carers can't get a break at weekends")
        await item.get_by_role("button", name="Add a vote").tap()
        await expect(item.locator(".vote-count")).to_have_text("Your votes: 1")
        await settle(pilot, lambda: sum(sum(r["cards"].values()) for r in app.hub.session.votes.values()) == 2)

        await pilot.pause(0.3)  # give the board every chance to (wrongly) show the tally
        assert "● 2" not in drawn(problems)
        for page in phones:
            await expect(page.locator(".vote-total:visible")).to_have_count(0)

        await pilot.press("V")  # …and reveals it from the board
        await dialog(pilot, VotingDialog)
        await pilot.click("#reveal")
        await back_to(pilot, board)
        await settle(pilot, lambda: "● 2" in drawn(problems))
        for page in phones:
            await expect(vote_card(page, "Carers can't get a break at weekends").locator(".vote-total")) \
                .to_have_text("Total: 2")

        name = app.hub.session.meta.phases[app.hub.session.meta.phase + 1].name
        await pilot.press("right_square_bracket")  # the next phase, from the board: phones follow without a reload
        for page in phones:
            await expect(page.locator("#phase-name")).to_have_text(name)
        await pilot.press("ctrl+q")
