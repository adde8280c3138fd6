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

ROOT = Path(__file__).resolve().parent.parent
AXE_JS = Path(os.environ.get("COPROD_AXE_JS") or ROOT / ".cache/npm/node_modules/axe-core/axe.min.js")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
PHONE = dict(viewport={"width": 360, "height": 740}, device_scale_factor=2, is_mobile=True, has_touch=True)
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
