"""Running the phone server in the current loop, its URLs, the LAN address, the rate limiter, logs and the last-resort
error handler. Everything binds to 127.0.0.1 only."""

from __future__ import annotations

import gc
import logging
import socket
import weakref

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from coprod_tui.core.commands import RotateTokens
from coprod_tui.core.errors import CoprodError
from coprod_tui.web import PortInUse, RateLimit, RateLimiter, lan_address, start_phone_server
from coprod_tui.web import lan as lan_module
from coprod_tui.web.errors import error_middleware
from support.web import make_hub, next_event, note, tokens, wait_until, web_settings


@pytest.fixture
def hub(tmp_path):
    h = make_hub(tmp_path)
    yield h
    h.close()


async def test_the_server_runs_in_this_loop_and_serves_its_urls(hub):
    server = await start_phone_server(hub, host="127.0.0.1", port=0, public_url=None)
    try:
        urls = server.urls()
        assert set(urls) == {"all", "1", "2"}
        assert urls["all"] == f"http://127.0.0.1:{server.port}/j/{tokens(hub)['all']}"
        async with aiohttp.ClientSession() as session:
            async with session.get(urls["1"]) as resp:
                assert resp.status == 200 and "Carers" in await resp.text()
            api = urls["all"].replace("/j/", "/api/v1/j/") + "/notes"
            async with session.post(api, json=note()) as resp:
                assert resp.status == 201
    finally:
        await server.stop()
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as session:
            await session.get(urls["all"])


async def test_urls_use_the_public_url_and_follow_rotation(hub):
    server = await start_phone_server(hub, host="127.0.0.1", port=0, public_url="https://x.example/coprod/")
    try:
        assert server.urls()["all"] == f"https://x.example/coprod/j/{tokens(hub)['all']}"
        hub.apply(RotateTokens())
        assert server.urls()["2"] == f"https://x.example/coprod/j/{tokens(hub)['2']}"
    finally:
        await server.stop()


async def test_a_wildcard_bind_advertises_the_lan_address(hub, monkeypatch):
    monkeypatch.setattr("coprod_tui.web.server.lan_address", lambda: "10.1.2.3")
    server = await start_phone_server(hub, host="127.0.0.1", port=0, public_url=None)
    try:
        server.host = "0.0.0.0"  # as if bound to every interface; no need to really listen on the LAN in a test
        assert server.urls()["all"].startswith(f"http://10.1.2.3:{server.port}/j/")
    finally:
        await server.stop()


async def test_the_server_gives_a_session_without_tokens_its_tokens(tmp_path):
    from coprod_tui.core.hub import new_session
    from coprod_tui.core.store.folder import SessionFolder
    hub = new_session(SessionFolder(tmp_path), "No tokens yet", "", [("Carers", "carers", None)])
    assert hub.session.meta.tokens == {}
    server = await start_phone_server(hub, host="127.0.0.1", port=0, public_url=None)
    try:
        assert set(server.urls()) == {"all", "1"}
    finally:
        await server.stop()
        hub.close()


async def test_a_port_in_use_is_a_clear_error(hub):
    blocker = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    blocker.bind(("127.0.0.1", 0))
    blocker.listen()
    port = blocker.getsockname()[1]
    try:
        with pytest.raises(PortInUse) as info:
            await start_phone_server(hub, host="127.0.0.1", port=port, public_url=None)
        assert isinstance(info.value, CoprodError)
        assert str(info.value) == f"Port {port} is already in use — another coprod? Choose another with --port."
    finally:
        blocker.close()


async def test_an_address_this_computer_does_not_have_is_a_clear_error(hub):
    with pytest.raises(CoprodError, match="--host"):
        await start_phone_server(hub, host="192.0.2.77", port=0, public_url=None)


def test_lan_address_is_an_ipv4_address():
    address = lan_address()
    assert socket.inet_aton(address)


def test_lan_address_falls_back_without_any_network(monkeypatch):
    class NoRoute:
        def __init__(self, *args, **kwargs):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def connect(self, address):
            raise OSError("Network is unreachable")

    monkeypatch.setattr(lan_module.socket, "socket", NoRoute)
    monkeypatch.setattr(lan_module.socket, "getaddrinfo",
                        lambda *a, **k: [(socket.AF_INET, socket.SOCK_DGRAM, 0, "", ("127.0.1.1", 0))])
    assert lan_address() == "127.0.0.1"
    monkeypatch.setattr(lan_module.socket, "getaddrinfo",
                        lambda *a, **k: [(socket.AF_INET, socket.SOCK_DGRAM, 0, "", ("192.168.1.20", 0))])
    assert lan_address() == "192.168.1.20"


def test_the_rate_limiter_is_a_token_bucket_per_client():
    now = [100.0]
    limiter = RateLimiter(RateLimit(burst=3, refill_seconds=2.0), clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    wait = limiter.take("a")
    assert wait == pytest.approx(2.0) and limiter.retry_after(wait) == 2
    assert limiter.take("b") == 0.0  # another phone is not slowed down
    now[0] += 1.0
    assert limiter.take("a") == pytest.approx(1.0)  # half a note refilled: wait the other half
    now[0] += 1.0
    assert limiter.take("a") == 0.0
    now[0] += 100.0
    assert [limiter.take("a") for _ in range(4)][-1] > 0  # refills only up to the burst


def test_the_rate_limiter_keeps_bounded_memory():
    now = [0.0]
    limiter = RateLimiter(RateLimit(burst=2, refill_seconds=1.0, max_clients=50), clock=lambda: now[0])
    for i in range(1000):
        limiter.take(f"10.0.{i // 250}.{i % 250}")
        now[0] += 0.001
    assert len(limiter) <= 50


def test_rate_limit_settings_are_checked():
    with pytest.raises(ValueError):
        RateLimit(burst=0)


async def test_access_logs_name_the_route_never_the_token_or_the_note(hub, caplog):
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    server = await start_phone_server(hub, host="127.0.0.1", port=0, public_url=None)
    token = tokens(hub)["all"]
    try:
        async with aiohttp.ClientSession() as session:
            api = f"http://127.0.0.1:{server.port}/api/v1/j/{token}/notes"
            async with session.post(api, json=note("my private words")) as resp:
                assert resp.status == 201
            async with session.get(server.urls()["all"] + "?q=1") as resp:
                assert resp.status == 200
    finally:
        await server.stop()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert any(line.startswith("POST /api/v1/j/{token}/notes 201 ") for line in lines)
    assert any(line.startswith("GET /j/{token} 200 ") for line in lines)
    assert not any(token in line or "private" in line or "127.0.0.1" in line for line in lines)


async def test_an_unexpected_exception_is_a_logged_500_in_the_json_shape(caplog):
    async def broken(request: web.Request) -> web.Response:
        raise RuntimeError(await request.text())

    app = web.Application(middlewares=[error_middleware])
    app.router.add_post("/api/v1/broken/{token}", broken)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        resp = await client.post("/api/v1/broken/tok123", data=b"secret note")
        assert resp.status == 500
        assert (await resp.json())["error"]["code"] == "internal"
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "coprod_tui.web")
    assert "RuntimeError" in logged and "POST /api/v1/broken/{token}" in logged
    assert "secret note" not in logged and "tok123" not in logged


async def test_a_phone_leaving_the_real_server_removes_its_listener(hub):
    # The real runner does not cancel handlers when a client hangs up (TestServer does): the stream must notice.
    server = await start_phone_server(hub, host="127.0.0.1", port=0, public_url=None, settings=web_settings())
    try:
        async with aiohttp.ClientSession() as session:
            resp = await session.get(f"http://127.0.0.1:{server.port}/api/v1/j/{tokens(hub)['all']}/events")
            assert (await next_event(resp))[0] == "board"
            assert len(hub._listeners) == 1
            resp.close()
        await wait_until(lambda: len(hub._listeners) == 0)
    finally:
        await server.stop()


async def test_a_stopped_server_lets_its_session_go(tmp_path):
    """A facilitator may open one session after another in one run of coprod: once a phone server is stopped and
    its hub closed, nothing may keep that session (every card and event) in memory. aiohttp's cache of middleware
    chains used to (see web/server.py `_forget_handlers`)."""
    hub = make_hub(tmp_path)
    server = await start_phone_server(hub, host="127.0.0.1", port=0, public_url=None, settings=web_settings())
    async with aiohttp.ClientSession() as session:
        base = f"http://127.0.0.1:{server.port}"
        token = tokens(hub)["all"]
        for path in (f"/j/{token}", f"/api/v1/j/{token}/board", f"/api/v1/j/{token}/reflection", "/nowhere"):
            async with session.get(base + path) as resp:
                await resp.read()
        async with session.post(f"{base}/api/v1/j/{token}/notes", json=note()) as resp:
            assert resp.status == 201
    await server.stop()
    hub.close()
    gone = weakref.ref(hub)
    del hub, server
    gc.collect()
    assert gone() is None, [type(r).__name__ for r in gc.get_referrers(gone())]
