"""One client flooding the notes endpoint: it is refused (429 with Retry-After) once its burst is spent, the other
phones' notes keep getting 201, and nothing it was refused is stored.

The server is the real app on 127.0.0.1 with the product's own settings (`WebSettings()`: the client is its peer
address, a burst of 20 notes then one every 2 s); each client connects from an address of its own (127.0.0.2, …),
as phones on the room's Wi-Fi do. The first test freezes the notes limiter's clock so the bucket's arithmetic is
exact; the second runs with the real clock and many requests in flight, and asserts only what no timing can change.
The speed of any of this is bench/bench_flood.py's business, never a test's.
"""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from collections import Counter
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from coprod_tui.web import RateLimiter, WebSettings, make_web_app
from coprod_tui.web.keys import LIMITER
from support.web import make_hub, on_disk, tokens

FLOODER, OTHERS = "127.0.0.2", [f"127.0.0.{n}" for n in range(3, 8)]
BURST = WebSettings().rate_limit.burst  # 20: the product's default


def loopback_aliases_work() -> bool:
    try:
        for address in (FLOODER, *OTHERS):
            with socket.socket() as probe:
                probe.bind((address, 0))
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not loopback_aliases_work(),
                                reason="this system cannot bind 127.0.0.2…: every client would be one address")


class FrozenClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def hub(tmp_path: Path):
    h = make_hub(tmp_path)
    yield h
    h.close()


def phone_from(address: str, inflight: int = 4) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=inflight)
    return aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30))


def a_note(who: str, i: int) -> dict:
    return {"text": f"{who} note {i}", "kind": "problem", "request_id": f"{who}-{i}-{uuid.uuid4().hex}"}


async def post(http: aiohttp.ClientSession, url: str, body: dict) -> tuple[int, dict, dict]:
    async with http.post(url, json=body) as resp:
        return resp.status, await resp.json(), dict(resp.headers)


def stored_request_ids(hub) -> Counter:
    """request_id → how many card.add events in the file carry it."""
    return Counter(e.get("request_id") for e in on_disk(hub)["events"].values() if e.get("type") == "card.add")


async def test_after_its_burst_a_flooder_gets_429_with_retry_after_while_another_phone_keeps_getting_201(hub):
    app = make_web_app(hub, settings=WebSettings())
    clock = FrozenClock()
    app[LIMITER] = RateLimiter(app[LIMITER].limit, clock=clock)  # the notes bucket, with time standing still
    async with TestServer(app, host="127.0.0.1") as server, phone_from(FLOODER) as flooder, \
            phone_from(OTHERS[0]) as other:
        url = str(server.make_url(f"/api/v1/j/{tokens(hub)['all']}/notes"))
        accepted: dict[str, tuple[int, str]] = {}  # request_id → (card id, text) of every 201
        for i in range(BURST):  # the burst: all stored
            status, answer, _ = await post(flooder, url, body := a_note("flood", i))
            assert status == 201, answer
            accepted[body["request_id"]] = (answer["id"], body["text"])

        # Bucket empty: 60 more, 8 at a time, interleaved with the other phone's 15 notes.
        refused: list[dict] = []

        async def flood_one(i: int) -> None:
            status, answer, headers = await post(flooder, url, body := a_note("flood", i))
            assert status == 429, answer
            assert answer["error"]["code"] == "rate_limited"
            assert headers["Retry-After"] == "2"  # one note comes back every 2 s, and none is left
            refused.append(body)

        async def other_one(i: int) -> None:
            status, answer, _ = await post(other, url, body := a_note("other", i))
            assert status == 201, answer
            accepted[body["request_id"]] = (answer["id"], body["text"])

        await asyncio.gather(*(flood_one(i) for i in range(BURST, BURST + 60)), *(other_one(i) for i in range(15)))
        assert len(refused) == 60

        # Its taps (votes, "I'm done", picks) have their own bucket: the flood has not used it up.
        done = {"participant": "flooder-phone-0001", "phase": hub.session.meta.phase, "done": True,
                "request_id": uuid.uuid4().hex}
        async with flooder.post(url.replace("/notes", "/done"), json=done) as resp:
            assert resp.status == 200, await resp.text()

        # Retry-After seconds later exactly one more note is let in: a refused one, sent again with its own id,
        # is stored as new (the refusal recorded nothing about it), and the next is refused again.
        clock.now += 2.0
        status, answer, _ = await post(flooder, url, retried := refused[0])
        assert status == 201, answer
        accepted[retried["request_id"]] = (answer["id"], retried["text"])
        status, _, headers = await post(flooder, url, a_note("flood", 999))
        assert status == 429 and headers["Retry-After"] == "2"

    hub.durable().result(10)
    assert stored_request_ids(hub) == Counter(accepted.keys())  # every 201 exactly once, and nothing that was refused
    assert {int(k): v["text"] for k, v in on_disk(hub)["cards"].items()} == dict(accepted.values())
    assert len(hub.session.cards) == BURST + 15 + 1


async def test_a_concurrent_flood_with_the_real_clock_spares_the_other_phones_and_stores_only_its_201s(hub):
    """400 notes, up to 32 in flight, from one address, while five other phones send 10 notes each (within their
    own bursts): whatever the timing, the others get 201 every time, and the file holds exactly the 201s."""
    server_settings = WebSettings()
    answers: dict[str, list[tuple[int, dict, dict, dict]]] = {"flood": [], "other": []}
    async with TestServer(make_web_app(hub, settings=server_settings), host="127.0.0.1") as server:
        url = str(server.make_url(f"/api/v1/j/{tokens(hub)['all']}/notes"))

        async def flood() -> None:
            async with phone_from(FLOODER, inflight=32) as http:
                gate = asyncio.Semaphore(32)

                async def one(i: int) -> None:
                    async with gate:
                        status, answer, headers = await post(http, url, body := a_note("flood", i))
                        answers["flood"].append((status, answer, headers, body))

                await asyncio.gather(*(one(i) for i in range(400)))

        async def other(address: str) -> None:
            async with phone_from(address) as http:
                for i in range(10):
                    status, answer, headers = await post(http, url, body := a_note(address, i))
                    answers["other"].append((status, answer, headers, body))

        await asyncio.gather(flood(), *(other(a) for a in OTHERS))

    assert Counter(s for s, *_ in answers["other"]) == Counter({201: 50})
    flood_statuses = Counter(s for s, *_ in answers["flood"])
    assert set(flood_statuses) == {201, 429} and flood_statuses[201] >= BURST and flood_statuses[429] >= 1
    for status, answer, headers, _ in answers["flood"]:
        if status == 429:
            assert answer["error"]["code"] == "rate_limited"
            assert int(headers["Retry-After"]) in (1, 2)

    hub.durable().result(10)
    acknowledged = {body["request_id"]: answer["id"] for status, answer, _, body in answers["flood"] + answers["other"]
                    if status == 201}
    in_file = stored_request_ids(hub)
    assert in_file == Counter(acknowledged.keys())
    cards = on_disk(hub)["cards"]
    assert sorted(int(k) for k in cards) == sorted(acknowledged.values())
    for status, answer, _, body in answers["flood"] + answers["other"]:
        if status == 201:
            assert cards[str(answer["id"])]["text"] == body["text"]
    assert json.dumps(on_disk(hub))  # and the file parses
