"""Helpers shared by the phone-server tests: a live session with join tokens, a test client, an SSE reader.

Everything runs on 127.0.0.1 through aiohttp's TestServer. The test settings let a header choose the client key
(so one test can be two phones), refill the rate limit fast, and poll streams often so disconnects show quickly.
"""

from __future__ import annotations

import pytest

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.client import ClientResponse
from aiohttp.test_utils import TestClient, TestServer

from coprod_tui.core.hub import Hub, new_session
from coprod_tui.core.tokens import ensure_tokens
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.web import RateLimit, WebSettings, make_web_app

GROUPS: list[tuple[str, str, str | None]] = [("Carers", "carers", None), ("Staff", "practitioners", None)]
CLIENT_HEADER = "X-Test-Client"


def header_or_peer(request: web.BaseRequest) -> str:
    return request.headers.get(CLIENT_HEADER) or request.remote or "unknown"


def web_settings(**changes: Any) -> WebSettings:
    base: dict[str, Any] = dict(rate_limit=RateLimit(burst=10_000, refill_seconds=0.001),
                                tap_limit=RateLimit(burst=10_000, refill_seconds=0.001), client_key=header_or_peer,
                                keepalive_seconds=15.0, poll_seconds=0.05)
    base.update(changes)
    return WebSettings(**base)


def make_hub(folder: Path, title: str = "Day services review", question: str = "What would make Tuesdays work?",
             groups: list[tuple[str, str, str | None]] | None = None) -> Hub:
    hub = new_session(SessionFolder(folder), title, question, GROUPS if groups is None else groups)
    ensure_tokens(hub)
    return hub


def tokens(hub: Hub) -> dict[str, str]:
    return dict(hub.session.meta.tokens)


def on_disk(hub: Hub) -> dict:
    """The session file as it is on disk right now (no waiting: a 201 promises it is already there)."""
    return json.loads(Path(hub.storage.path).read_text("utf-8"))  # type: ignore[attr-defined]


def cards_on_disk(hub: Hub) -> dict[int, dict]:
    return {int(k): v for k, v in on_disk(hub)["cards"].items()}


def note(text: str = "The bus stops too far away", kind: str = "problem", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"text": text, "kind": kind, "request_id": uuid.uuid4().hex}
    body.update(extra)
    return body


def client_for(hub: Hub, settings: WebSettings | None = None, **server_kwargs: Any) -> TestClient:
    return TestClient(TestServer(make_web_app(hub, settings=settings or web_settings()), host="127.0.0.1",
                                 **server_kwargs))


async def next_event(resp: ClientResponse, *, timeout: float = 5.0,
                     comments: bool = False) -> tuple[str, Any]:
    """The next SSE message as (event name, parsed data); comments as (":", text) when asked for."""
    while True:
        chunk = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), timeout)
        if not chunk:
            raise EOFError("the stream ended")
        lines = chunk.decode("utf-8").strip("\n").split("\n")
        if all(line.startswith(":") for line in lines):
            if comments:
                return ":", lines[0][1:].strip()
            continue
        fields = dict(line.split(": ", 1) for line in lines if not line.startswith(":"))
        if "event" not in fields:
            continue  # the retry: line
        return fields["event"], json.loads(fields["data"])


async def wait_until(predicate: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


# -- fixtures shared by the web test modules (imported by name into each) ----------------------------------------
@pytest.fixture
def hub(tmp_path: Path):
    h = make_hub(tmp_path)
    yield h
    h.close()


@pytest.fixture
async def client(hub):
    async with client_for(hub) as c:
        yield c
