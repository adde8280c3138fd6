"""Helpers for the real-browser tests: Debian's Chromium driven by Playwright, and axe-core from npm.

Why these rules: the browser tests prove what the issue promises on a phone (JavaScript on and off, a kept draft,
accessibility), so CI must run them — a missing browser or axe-core fails there. On a developer's machine without
them the tests skip with the command that installs them (`./scripts/test` does it all).
Playwright is given the system Chromium (`executable_path`): `playwright install` downloads browsers, which this
workplace cannot do.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any, NoReturn

import pytest

from coprod_tui.web import start_phone_server
from coprod_tui.web.keys import STREAMS, WebSettings
from support.paths import REPO

try:
    from playwright.async_api import async_playwright, expect
except ImportError:  # pragma: no cover - scripts/test installs it
    async_playwright = expect = None  # type: ignore[assignment]

ROOT = REPO
AXE_JS = Path(os.environ.get("COPROD_AXE_JS") or ROOT / ".cache/npm/node_modules/axe-core/axe.min.js")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = dict(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
TIMEOUT = 10_000  # ms: generous for a loaded CI machine; the waits end as soon as the condition holds
# What axe checks: WCAG 2.0-2.2 A and AA, plus its best practices (landmarks, headings, region…).
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa",
                                                     "best-practice"]},
               "resultTypes": ["violations"]}


def missing(why: str) -> NoReturn:
    """Skip here, fail on CI: the browser tests must run there."""
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI must run the browser tests: ./scripts/test installs it)", pytrace=False)
    pytest.skip(f"{why}; ./scripts/test installs it")


def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        missing("Chromium is not installed (Debian package 'chromium')")
    return path


def axe_source() -> str:
    if not AXE_JS.is_file():
        missing(f"axe-core is not installed at {AXE_JS} (npm install --prefix .cache/npm axe-core@4)")
    return AXE_JS.read_text("utf-8")


async def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Run axe-core inside the page. Evaluated through the DevTools protocol rather than a <script> tag: the page's
    CSP (script-src 'self') rightly refuses injected scripts, and the test must not loosen it."""
    script = axe_source() + f"\n;axe.run(document, {json.dumps(AXE_OPTIONS)})"
    result = await page.evaluate(script)
    return result["violations"]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').replace(chr(10), ' ')}")
    return "\n".join(lines)


# -- fixtures and phones shared by the browser test modules (import them by name) ---------------------------------
@pytest.fixture
async def server(hub):  # `hub`: the web tests' shared fixture (web_support), a live session with tokens
    s = await start_phone_server(hub, host="127.0.0.1", port=0, settings=WebSettings(poll_seconds=0.1))
    yield s
    await s.stop()


@pytest.fixture
async def browser(server):  # after the server: the browser closes first, so no phone reconnects to a stopping server
    if async_playwright is None:
        missing("The Python package 'playwright' is not installed")
    path = chromium_path()
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield b
        await b.close()


class Phone:
    """One phone: a fresh browser context (its own storage) and a page, with every script error and CSP refusal
    recorded so a test can insist there were none."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.problems: list[str] = []
        self.posts: list[dict[str, Any]] = []
        page.on("pageerror", lambda exc: self.problems.append(f"page error: {exc}"))
        page.on("console", self._console)
        page.on("request", self._request)

    def _console(self, msg: Any) -> None:
        if msg.type == "error" and ("Content Security Policy" in msg.text or "Uncaught" in msg.text):
            self.problems.append(msg.text)

    def _request(self, request: Any) -> None:
        if request.method == "POST" and request.url.endswith("/notes"):
            self.posts.append(json.loads(request.post_data or "{}"))

    def check(self) -> None:
        assert self.problems == []


async def phone(browser: Any, **options: Any) -> Phone:
    context = await browser.new_context(**{**PHONE, **options})
    context.set_default_timeout(TIMEOUT)
    return Phone(await context.new_page())


async def write(page: Any, text: str, kind: str = "problem", group: str | None = None, name: str | None = None) -> None:
    await page.get_by_label("Your note").fill(text)
    await page.locator(f"label[for=kind-{kind}]").tap()
    if group is not None:
        await page.get_by_label("Your group (optional)").select_option(label=group)
    if name is not None:
        await page.get_by_label("Your name (optional)").fill(name)


async def tap_send(page: Any) -> None:
    await page.get_by_role("button", name="Send").tap()


def status(page: Any) -> Any:
    return expect(page.locator("#status"))


async def assert_accessible(page: Any, what: str) -> None:
    violations = await axe_violations(page)
    if violations:
        print(f"axe on {what}:\n{describe(violations)}")
    assert violations == [], f"axe on {what}:\n{describe(violations)}"


async def streams(server: Any, count: int) -> None:
    """Wait until `count` phones listen: what the hub does next reaches them live."""
    from support.web import wait_until
    await wait_until(lambda: len(server.runner.app[STREAMS]) >= count, timeout=TIMEOUT / 1000)


async def open_phones(browser: Any, server: Any, count: int, link: str = "all", **options: Any) -> list[Phone]:
    """`count` phones on the join link `link` ("all" or a group id), each listening live."""
    phones = [await phone(browser, **options) for _ in range(count)]
    for p in phones:
        await p.page.goto(server.urls()[link])
    await streams(server, count)
    return phones
