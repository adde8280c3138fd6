"""End to end: the board under run_test with its real phone server on 127.0.0.1; a phone's POST shows on the board
(with its NEW marker) and is in the session file; the facilitator's controls reach the phones."""

from __future__ import annotations

import json
import uuid

import aiohttp

from support.app import drawn, lists, open_board, settle
from coprod_tui.core.model import Kind
from coprod_tui.tui.board.qr import QrScreen
from coprod_tui.web.server import start_phone_server

SIZE = (120, 40)


async def serve_locally(hub):
    return await start_phone_server(hub, host="127.0.0.1", port=0)


async def test_a_phone_note_appears_on_the_board_and_on_disk(make_session, sessions_dir, app_factory):
    session_id = make_session()
    app = app_factory(session_id, serve=serve_locally)
    async with app.run_test(size=SIZE) as pilot:
        board = await open_board(pilot)
        await settle(pilot, lambda: app.phone_server is not None)
        urls = app.phone_server.urls()
        assert urls["all"].startswith("http://127.0.0.1:") and "/j/" in urls["all"]
        assert "phones open" in board.sub_title
        token = urls["all"].rsplit("/", 1)[1]
        base = urls["all"].split("/j/")[0]
        body = {"text": "The minibus never comes [b]on time[/b]", "kind": "problem", "group": 1,
                "request_id": uuid.uuid4().hex}
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{base}/api/v1/j/{token}/notes", json=body) as resp:
                assert resp.status == 201
                note = await resp.json()
            # saved before "saved": the file already holds it when the phone hears 201
            stored = json.loads(app.hub.storage.path.read_text("utf-8"))
            assert stored["cards"][str(note["id"])]["text"] == body["text"]
            problems = lists(board)[0]
            await settle(pilot, lambda: "The minibus never comes [b]on" in drawn(problems))
            assert "NEW" in drawn(problems)
            assert app.hub.session.cards[note["id"]].kind is Kind.PROBLEM

            await pilot.press("o")  # the facilitator closes the session to phones
            await settle(pilot, lambda: not app.hub.session.meta.open)
            assert "phones CLOSED" in board.sub_title
            body2 = {**body, "request_id": uuid.uuid4().hex, "text": "Too late"}
            async with http.post(f"{base}/api/v1/j/{token}/notes", json=body2) as resp:
                assert resp.status == 403
            assert not any(c.text == "Too late" for c in app.hub.session.cards.values())

            await pilot.press("t", "y")  # new join codes: the old link stops working
            await settle(pilot, lambda: app.phone_server.urls()["all"] != urls["all"])
            async with http.get(f"{base}/api/v1/j/{token}/board") as resp:
                assert resp.status == 404
        await pilot.press("p")
        await settle(pilot, lambda: isinstance(app.screen, QrScreen))
        await pilot.press("escape")
        await pilot.press("ctrl+q")
