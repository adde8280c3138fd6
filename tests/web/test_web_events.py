"""The live stream (SSE): a board first, then each public change; the hub listener always goes when the phone does."""

from __future__ import annotations

import asyncio


from coprod_tui.core.commands import AddCard, AddGroup, CardDraft, EditSession, HideCard, RotateTokens, \
    SetSubmissions
from coprod_tui.core.model import Kind
from coprod_tui.web.keys import STREAMS
from support.web import client_for, next_event, note, tokens, wait_until, web_settings




def events_url(token: str) -> str:
    return f"/api/v1/j/{token}/events"


async def test_the_stream_starts_with_the_board_and_follows_every_public_change(hub, client):
    token = tokens(hub)["all"]
    resp = await client.get(events_url(token))
    assert resp.status == 200
    assert resp.headers["Content-Type"].startswith("text/event-stream")
    assert resp.headers["Cache-Control"] == "no-cache"
    name, board = await next_event(resp)
    assert name == "board" and board["cards"] == [] and board["session"]["open"] is True
    assert len(hub._listeners) == 1

    posted = await (await client.post(f"/api/v1/j/{token}/notes", json=note("From a phone", group=1))).json()
    assert await next_event(resp) == ("card", {"op": "upsert", "card": {
        "id": posted["id"], "kind": "problem", "text": "From a phone", "group": 1, "author": None}})

    hub.apply(HideCard(card_id=posted["id"]))
    assert await next_event(resp) == ("card", {"op": "remove", "card": {"id": posted["id"]}})
    hub.apply(HideCard(card_id=posted["id"], hidden=False))
    name, data = await next_event(resp)
    assert (name, data["op"], data["card"]["text"]) == ("card", "upsert", "From a phone")

    hub.apply(SetSubmissions(open=False))
    name, session = await next_event(resp)
    assert name == "session" and session["open"] is False
    hub.apply(EditSession(title="Tuesday review"))
    assert (await next_event(resp))[1]["title"] == "Tuesday review"

    hub.apply(AddGroup(name="Table 3", role="other"))
    name, board = await next_event(resp)
    assert name == "board" and [g["name"] for g in board["groups"]] == ["Carers", "Staff", "Table 3"]

    hub.apply(RotateTokens())
    name, data = await next_event(resp)
    assert name == "closed" and "not valid" in data["message"]
    assert await resp.content.read() == b""  # the stream ended
    await wait_until(lambda: len(hub._listeners) == 0)


async def test_the_facilitators_notes_reach_phones_and_hidden_ones_never_do(hub, client):
    resp = await client.get(events_url(tokens(hub)["1"]))
    await next_event(resp)
    event = hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="On behalf of table 2", group_id=1)))
    name, data = await next_event(resp)
    assert data["card"]["id"] == event.card_id and data["card"]["text"] == "On behalf of table 2"
    hub.apply(HideCard(card_id=event.card_id))
    await next_event(resp)
    resp.close()


async def test_the_listener_is_removed_when_the_phone_goes_away(hub, client):
    streams = [await client.get(events_url(tokens(hub)["all"])) for _ in range(3)]
    for resp in streams:
        await next_event(resp)
    assert len(hub._listeners) == 3
    for resp in streams:
        resp.close()
    await wait_until(lambda: len(hub._listeners) == 0)
    await wait_until(lambda: not client.server.app[STREAMS])


async def test_an_idle_stream_gets_keep_alive_comments(hub):
    async with client_for(hub, web_settings(keepalive_seconds=0.1)) as client:
        resp = await client.get(events_url(tokens(hub)["all"]))
        await next_event(resp)
        assert await next_event(resp, comments=True) == (":", "keep-alive")
        resp.close()


async def test_a_phone_that_cannot_keep_up_is_dropped_not_buffered(hub):
    async with client_for(hub, web_settings(queue_size=2)) as client:
        resp = await client.get(events_url(tokens(hub)["all"]))
        await next_event(resp)
        for i in range(10):  # no await in between: the stream's queue overflows at once
            hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text=f"note {i}")))
        await wait_until(lambda: len(hub._listeners) == 0)
        assert await resp.content.read() == b""  # ended; its browser reconnects and gets a fresh board


async def test_too_many_streams_from_one_phone_are_refused(hub):
    async with client_for(hub, web_settings(streams_per_client=2)) as client:
        first = [await client.get(events_url(tokens(hub)["all"])) for _ in range(2)]
        extra = await client.get(events_url(tokens(hub)["all"]))
        assert extra.status == 429 and (await extra.json())["error"]["code"] == "too_many_streams"
        for resp in first:
            resp.close()
        await wait_until(lambda: len(hub._listeners) == 0)


async def test_stopping_the_server_ends_streams_promptly(hub):
    client = client_for(hub)
    await client.start_server()
    resp = await client.get(events_url(tokens(hub)["all"]))
    await next_event(resp)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await client.close()
    assert loop.time() - started < 2.0
    assert len(hub._listeners) == 0


async def test_unknown_token_stream_is_404_json(client):
    resp = await client.get(events_url("nope"))
    assert resp.status == 404 and (await resp.json())["error"]["code"] == "unknown_token"


async def test_an_open_stream_keeps_no_copy_of_its_first_board(hub, client):
    """Streams live for hours: found by the soak, each one used to keep the board it started with (100 phones held
    three times the session's content). Once sent, a stream's first board is no longer in memory: what remains is
    the one shared board the phone server keeps for the current state (boards.BoardCache), whatever the phones."""
    import gc

    for i in range(5):
        hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text=f"note {i}")))
    streams = []
    for _ in range(3):
        resp = await client.get(events_url(tokens(hub)["all"]))
        assert (await next_event(resp))[0] == "board"
        streams.append(resp)
    gc.collect()
    boards = [o for o in gc.get_objects() if isinstance(o, dict) and isinstance(o.get("cards"), list)
              and len(o["cards"]) == 5 and "session" in o]
    assert len(boards) == 1
    for resp in streams:
        resp.close()
    await wait_until(lambda: len(hub._listeners) == 0)
