"""docs/http-api.md and docs/openapi.json agree with the code: the same routes, every error code, and real
responses that validate against the published schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import coprod_tui.web
from coprod_tui.core.commands_run import (HoldNotes, MergeCards, OpenVoting, RevealNotes, RevealVotes, SetPhase,
                                          StartBreakout, StartTimer)
from coprod_tui.web import make_web_app
from coprod_tui.web.errors import _HTTP_ERRORS
from run_support import P1, P2, REFLECTION_PHASE, add, reflect, rid
from web_support import client_for, make_hub, next_event, note, tokens

ROOT = Path(__file__).parent.parent
SPEC = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
GUIDE = (ROOT / "docs" / "http-api.md").read_text("utf-8")
WEB_DIR = Path(coprod_tui.web.__file__).parent


def codes_in_code() -> set[str]:
    found = {code for code, _ in _HTTP_ERRORS.values()} | {"http_error"}
    for path in WEB_DIR.glob("*.py"):
        source = path.read_text("utf-8")
        found |= set(re.findall(r'ApiError\(\s*\d{3},\s*"([a-z_]+)"', source))
        found |= set(re.findall(r'checked\(\s*"[a-z_]+",\s*"([a-z_]+)"', source))
        found |= {f"invalid_{name}" for name in re.findall(r'(?:whole|flag)_field\(fields, "([a-z_]+)"', source)}
        found |= set(re.findall(r'"((?:invalid|unknown|wrong)_[a-z_]+)"', source))  # codes passed on as values
    return found


@pytest.fixture
def hub(tmp_path):
    h = make_hub(tmp_path)
    yield h
    h.close()


def test_the_spec_describes_exactly_the_api_routes(hub):
    assert SPEC["openapi"].startswith("3.1")
    routes = {r.resource.canonical for r in make_web_app(hub).router.routes()}
    api = {path for path in routes if path.startswith("/api/") or path == "/healthz"}
    assert set(SPEC["paths"]) == api


def test_every_error_code_is_documented():
    codes = codes_in_code()
    assert len(codes) >= 35 and {"refused", "unknown_card", "invalid_delta", "invalid_picked", "invalid_role",
                                 "invalid_ladder_now", "invalid_ladder_target", "invalid_scores",
                                 "invalid_evidence"} <= codes
    enum = set(SPEC["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"])
    assert codes <= enum, codes - enum
    documented = set(re.findall(r"\| `([a-z_]+)` \|", GUIDE))
    assert codes - {"http_error"} <= documented, codes - documented


def check(name: str, value: object) -> None:
    import jsonschema  # a test dependency (pyproject): this check must run, not skip
    schema = {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}
    jsonschema.Draft202012Validator(schema).validate(value)


async def test_real_responses_match_the_schemas(hub):
    async with client_for(hub) as client:
        token = tokens(hub)["all"]
        stream = await client.get(f"/api/v1/j/{token}/events")
        event, board = await next_event(stream)
        check("Board", board)
        created = await client.post(f"/api/v1/j/{token}/notes", json=note(author="Sam", group=2))
        check("NoteOut", await created.json())
        event, change = await next_event(stream)
        check("CardChange", change)
        check("Board", await (await client.get(f"/api/v1/j/{token}/board")).json())
        bad = await client.post(f"/api/v1/j/{token}/notes", json=note(kind="nope"))
        check("Error", await bad.json())
        check("NoteIn", note(group=1, author=None))
        stream.close()


async def test_real_responses_of_a_running_session_match_the_schemas(hub):
    """Every new shape, from real answers: a board with a held note, a cluster, a breakout note, an open and then
    revealed vote and a timer; the vote / done / pick answers; and each SSE message a phone can get."""
    async with client_for(hub) as client:
        token = tokens(hub)["all"]
        api = f"/api/v1/j/{token}"
        a, b, c = (add(hub, text) for text in ("Buses late", "Buses rare", "No ramp"))
        hub.apply(MergeCards(card_ids=(a, b), title="Buses"))
        stream = await client.get(f"{api}/events", params={"participant": P1, "group": "1"})
        check("Board", (await next_event(stream))[1])
        seen: dict[str, list] = {}

        async def drain(count: int) -> None:
            for _ in range(count):
                name, data = await next_event(stream)
                seen.setdefault(name, []).append(data)

        hub.apply(SetPhase(index=1))
        hub.apply(HoldNotes())
        held = await client.post(f"{api}/notes", json=note(participant=P1, group=1))
        check("NoteOut", await held.json())
        hub.apply(StartTimer(seconds=120, label="Write"))
        hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))
        await drain(2 + 1 + 1 + 1 + 2)  # state+mine, state, card, state, state+mine
        answer = await client.post(f"{api}/votes", json={"participant": P1, "card": c, "round": 1, "delta": 1,
                                                          "request_id": rid()})
        check("VoteOut", await answer.json())
        await drain(1)  # mine
        done = await client.post(f"{api}/done", json={"participant": P1, "phase": 1, "done": True,
                                                       "request_id": rid()})
        check("DoneOut", await done.json())
        await drain(2)  # state, mine
        hub.apply(RevealVotes())
        await drain(3)  # state, tallies, mine
        board = await (await client.get(f"{api}/board", params={"participant": P1})).json()
        check("Board", board)
        assert board["voting"]["tallies"] and board["timer"]["running"] and any(x.get("held") for x in board["cards"])
        assert any(x.get("cluster") for x in board["cards"])
        hub.apply(RevealNotes())
        await drain(2)  # card, state
        hub.apply(StartBreakout())
        await drain(1)  # board
        mine = await (await client.post(f"{api}/notes", json=note(participant=P1, group=1))).json()
        await drain(1)  # card
        picked = await client.post(f"{api}/picks", json={"participant": P1, "card": mine["id"], "picked": True,
                                                          "group": 1, "request_id": rid()})
        check("PickOut", await picked.json())
        await drain(1)  # card
        refused = await client.post(f"{api}/votes", json={"participant": P1, "card": c, "round": 9, "delta": 1,
                                                           "request_id": rid()})
        assert refused.status == 409
        check("Error", await refused.json())
        for name, schema in (("board", "Board"), ("card", "CardChange"), ("state", "State"), ("mine", "Mine"),
                             ("tallies", "Tallies")):
            assert seen.get(name), (name, sorted(seen))
            for data in seen[name]:
                check(schema, data)
        check("VoteIn", {"participant": P1, "card": 1, "round": 1, "delta": -1, "request_id": "r"})
        check("DoneIn", {"participant": P1, "phase": 0, "done": False, "request_id": "r", "group": None})
        check("PickIn", {"participant": P1, "card": 1, "picked": True, "request_id": "r", "group": 2})
        stream.close()


async def test_real_responses_of_the_self_reflection_match_the_schemas(hub):
    """The questions, an answer (first and replaced), the board and each SSE message during a reflection phase, and
    the refusals: all as published."""
    async with client_for(hub) as client:
        token = tokens(hub)["all"]
        api = f"/api/v1/j/{token}"
        check("ReflectionQuestions", await (await client.get(f"{api}/reflection")).json())
        check("Board", await (await client.get(f"{api}/board", params={"participant": P1})).json())
        stream = await client.get(f"{api}/events", params={"participant": P1})
        check("Board", (await next_event(stream))[1])
        status, refused = await reflect(client, token, P1, role="carers", scores={"eq1": 2})
        assert status == 409
        check("Error", refused)
        hub.apply(SetPhase(index=REFLECTION_PHASE))
        for name, schema in (("state", "State"), ("mine", "Mine")):
            event, data = await next_event(stream)
            assert event == name
            check(schema, data)
        assert data["reflection"] == {"mine": None}
        board = await (await client.get(f"{api}/board", params={"participant": P1})).json()
        check("Board", board)
        assert board["phase"]["kind"] == "reflection" and board["reflection"] == {"mine": None}
        body = {"role": "carers", "ladder_now": 3, "ladder_target": None, "scores": {"eq1": 2, "di1": 0},
                "evidence": {"eq1": "An example"}}
        check("ReflectionIn", {"participant": P1, "request_id": "r", "group": 1, **body})
        check("ReflectionIn", {"participant": P1, "request_id": "r", "role": None, "scores": {"eq1": None},
                               "ladder_now": "", "evidence": {"eq1": None}})
        for expected in (201, 200):
            status, answer = await reflect(client, token, P1, **body)
            assert status == expected
            check("ReflectionOut", answer)
            event, data = await next_event(stream)
            assert event == "mine" and data["reflection"]["mine"] == answer["mine"]
            check("Mine", data)
        board = await (await client.get(f"{api}/board", params={"participant": P1})).json()
        check("Board", board)
        assert board["reflection"]["mine"]["scores"] == {"eq1": 2, "di1": 0}
        status, bad = await reflect(client, token, P2, role="carers", scores={"eq1": 9})
        assert status == 422 and bad["error"]["field"] == "score-eq1"
        check("Error", bad)
        stream.close()
