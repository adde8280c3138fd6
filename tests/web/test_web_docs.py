"""docs/http-api.md and docs/openapi.json agree with the code: the same routes, every error code, every event of the
stream, and real responses and events that validate against the published schemas.

The event stream is described the OpenAPI 3.2 way: its 200's `text/event-stream` has an `itemSchema` (`Event`), one
schema per event name whose `data` is a string of JSON with a `contentSchema`. JSON Schema treats `contentSchema` as
a note, not a check, so the validator here checks it (as schemathesis does): an event's data is held to the schema
its name gives.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # a test dependency (pyproject): these checks must run, not skip
import pytest
import schemathesis

import coprod_tui.web
from coprod_tui.core.commands import AddGroup, HideCard, RotateTokens, SetSubmissions
from coprod_tui.core.commands import (HoldNotes, MergeCards, OpenVoting, RevealNotes, RevealVotes, SetPhase,
                                          StartBreakout, StartTimer)
from coprod_tui.web import make_web_app
from coprod_tui.web.errors import _HTTP_ERRORS
from support.run import P1, P2, REFLECTION_PHASE, add, reflect, rid, vote
from support.web import client_for, make_hub, next_event, note, tokens
from support.paths import REPO

ROOT = REPO
SPEC = json.loads((ROOT / "docs" / "openapi.json").read_text("utf-8"))
GUIDE = (ROOT / "docs" / "http-api.md").read_text("utf-8")
WEB_DIR = Path(coprod_tui.web.__file__).parent
STREAM = SPEC["paths"]["/api/v1/j/{token}/events"]["get"]["responses"]["200"]["content"]["text/event-stream"]
EVENT_MAPPING: dict[str, str] = SPEC["components"]["schemas"]["Event"]["discriminator"]["mapping"]


def codes_in_code() -> set[str]:
    found = {code for code, _ in _HTTP_ERRORS.values()} | {"http_error"}
    for path in WEB_DIR.rglob("*.py"):
        source = path.read_text("utf-8")
        found |= set(re.findall(r'ApiError\(\s*\d{3},\s*"([a-z_]+)"', source))
        found |= set(re.findall(r'checked\(\s*"[a-z_]+",\s*"([a-z_]+)"', source))
        found |= {f"invalid_{name}" for name in re.findall(r'(?:whole|flag)_field\(fields, "([a-z_]+)"', source)}
        found |= set(re.findall(r'"((?:invalid|unknown|wrong)_[a-z_]+)"', source))  # codes passed on as values
    return found


def _content_schema(validator: Any, content_schema: Any, instance: Any, schema: dict) -> Iterator[Any]:
    """`contentSchema` as a check: a JSON string's decoded value must match it (JSON Schema only annotates)."""
    if schema.get("contentMediaType") != "application/json" or not validator.is_type(instance, "string"):
        return
    try:
        decoded = json.loads(instance)
    except ValueError as exc:
        yield jsonschema.ValidationError(f"not JSON: {exc}")
        return
    yield from validator.descend(decoded, content_schema, schema_path="contentSchema")


Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, {"contentSchema": _content_schema})


def validate(schema: dict, value: object) -> None:
    """`value` against a schema of the file (`$ref`s into its components resolve)."""
    Validator({**schema, "components": SPEC["components"]}).validate(value)


def check(name: str, value: object) -> None:
    validate({"$ref": f"#/components/schemas/{name}"}, value)


def check_event(name: str, data: object) -> None:
    """One SSE message as OpenAPI models it (`event`, and `data` as JSON text), first against its own event schema
    (the discriminator's pick: a precise error), then against the stream's `itemSchema` (the union: exactly one)."""
    event = {"event": name, "data": json.dumps(data)}
    assert name in EVENT_MAPPING, f"docs/openapi.json has no schema for the event {name!r}"
    validate({"$ref": EVENT_MAPPING[name]}, event)
    validate(STREAM["itemSchema"], event)


# A message as the code builds it: its name, a literal opening a tuple or a call (`("card", {…`, `encode("mine",
# mine(…`, `return "card", {…`), then its data, a dict literal or a call.
MESSAGE = re.compile(r'''(?:\(|return)\s*"([a-z]+)",\s*(?:\{["*]|[A-Za-z_][\w.]*\()''')


def events_in_code() -> set[str]:
    """The message names the server's code can send."""
    return {name for path in WEB_DIR.rglob("*.py") for name in MESSAGE.findall(path.read_text("utf-8"))}


def events_in_guide() -> dict[str, set[str]]:
    """The events table of docs/http-api.md: each event name, and the schema(s) its Data column names in brackets."""
    section = GUIDE.split("### GET /api/v1/j/{token}/events", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, set[str]] = {}
    for name, data in re.findall(r"^\| `([a-z]+)` \| ([^|]*) \|", section, re.MULTILINE):
        rows.setdefault(name, set()).update(re.findall(r"\(`([A-Za-z]+)`", data))
    return rows


def data_schema(name: str) -> str:
    """The schema the file holds an event's `data` to (its event schema's `contentSchema`)."""
    schemas = SPEC["components"]["schemas"]
    event = schemas[EVENT_MAPPING[name].removeprefix("#/components/schemas/")]
    return event["properties"]["data"]["contentSchema"]["$ref"].removeprefix("#/components/schemas/")


@pytest.fixture
def hub(tmp_path):
    h = make_hub(tmp_path)
    yield h
    h.close()


def test_the_spec_describes_exactly_the_api_routes(hub):
    assert SPEC["openapi"].startswith("3.2")
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


def test_the_spec_is_openapi_3_2_and_gives_the_stream_event_by_event():
    """`itemSchema` (one schema per streamed event) exists from OpenAPI 3.2 on: the file validates as 3.2, and the
    stream's 200 is described by it rather than as one opaque string."""
    schemathesis.openapi.from_dict(SPEC).validate()
    assert STREAM == {"itemSchema": {"$ref": "#/components/schemas/Event"}}
    union = SPEC["components"]["schemas"]["Event"]
    assert union["discriminator"]["propertyName"] == "event"
    assert sorted(choice["$ref"] for choice in union["oneOf"]) == sorted(EVENT_MAPPING.values())


def test_every_event_the_server_can_send_has_a_schema_and_a_row_in_the_guide():
    """The code's message names, the file's event schemas and the guide's events table name the same events; each
    event's schema names it and holds its data to a schema of the file, the one the guide names for it."""
    names = events_in_code()
    assert {"board", "card", "closed"} <= names  # the scan still finds messages in the code
    assert names == set(EVENT_MAPPING)
    schemas = SPEC["components"]["schemas"]
    for name, ref in EVENT_MAPPING.items():
        event = schemas[ref.removeprefix("#/components/schemas/")]
        assert event["required"] == ["event", "data"] and event["properties"]["event"] == {"const": name}
        data = event["properties"]["data"]
        assert data["type"] == "string" and data["contentMediaType"] == "application/json", name
        assert data_schema(name) in schemas, name
    assert events_in_guide() == {name: {data_schema(name)} for name in names}


@pytest.mark.parametrize("event, sendable", [
    ({"event": "closed", "data": '{"message": "Ask for the new QR code."}'}, True),
    ({"event": "card", "data": '{"op": "remove", "card": {"id": 7}}'}, True),
    ({"event": "tallies", "data": '{"round": 1, "tallies": {"7": 2}}'}, True),
    ({"event": "tally", "data": '{"round": 1, "tallies": {"7": 2}}'}, False),  # no such event
    ({"data": '{"message": "x"}'}, False),  # unnamed: a browser's "message" event, never sent
    ({"event": "closed", "data": "Ask for the new QR code."}, False),  # data is JSON
    ({"event": "closed", "data": '{"message": 7}'}, False),
    ({"event": "closed", "data": '{"message": "x"}', "id": "4"}, False),  # the stream sends no ids
    ({"event": "card", "data": '{"op": "upsert", "card": {"id": 7}}'}, False),  # an upsert sends the whole card
    ({"event": "tallies", "data": '{"round": null, "mine": {}, "left": null, "done": false, "reflection": null}'},
     False),  # `mine`'s data under another name
])
def test_the_event_schemas_tell_what_the_server_may_send(event, sendable):
    """The schemas are not a formality: an event with the wrong name, data or fields fails them."""
    if sendable:
        validate(STREAM["itemSchema"], event)
    else:
        with pytest.raises(jsonschema.ValidationError):
            validate(STREAM["itemSchema"], event)


async def test_every_event_from_a_live_server_matches_the_file(hub):
    """One phone's stream from the real server (127.0.0.1), through every kind of change until its link is retired:
    every event the file documents arrives, `board` first and `closed` last, and each matches its schema."""
    async with client_for(hub) as client:
        token = tokens(hub)["all"]
        a, b, c = (add(hub, text) for text in ("Buses late", "Buses rare", "Forms only online"))
        stream = await client.get(f"/api/v1/j/{token}/events", params={"participant": P1, "group": "1"})
        hub.apply(MergeCards(card_ids=(a, b), title="Buses"))  # card: the members go, the cluster comes
        hub.apply(HideCard(card_id=add(hub, "No ramp", participant=P1)))  # card: upsert, then remove
        hub.apply(SetPhase(index=1))  # state, mine
        hub.apply(HoldNotes())
        add(hub, "Only mine until the reveal", participant=P1)  # card: held, to its writer
        hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))
        status, _ = await vote(client, token, P1, c)  # mine
        assert status == 200
        hub.apply(RevealVotes())  # tallies
        hub.apply(StartTimer(seconds=60, label="Vote"))
        hub.apply(SetSubmissions(open=False))  # session
        hub.apply(AddGroup(name="Table 3", role="other"))  # board
        hub.apply(RotateTokens())  # closed
        names: list[str] = []
        while names[-1:] != ["closed"]:
            name, data = await next_event(stream)
            check_event(name, data)
            names.append(name)
        assert await asyncio.wait_for(stream.content.read(), 5) == b""  # nothing after `closed`: the stream ended
    assert names[0] == "board" and set(names) == set(EVENT_MAPPING), names


async def test_real_responses_match_the_schemas(hub):
    async with client_for(hub) as client:
        token = tokens(hub)["all"]
        stream = await client.get(f"/api/v1/j/{token}/events")
        event, board = await next_event(stream)
        assert event == "board"
        check_event(event, board)
        created = await client.post(f"/api/v1/j/{token}/notes", json=note(author="Sam", group=2))
        check("NoteOut", await created.json())
        event, change = await next_event(stream)
        assert event == "card"
        check_event(event, change)
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
        seen: dict[str, list] = {}

        async def drain(count: int) -> None:
            for _ in range(count):
                name, data = await next_event(stream)
                seen.setdefault(name, []).append(data)

        await drain(1)
        assert list(seen) == ["board"]
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
        assert {"board", "card", "state", "mine", "tallies"} <= set(seen), sorted(seen)
        for name, messages in seen.items():
            for data in messages:
                check_event(name, data)
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
        event, board = await next_event(stream)
        assert event == "board"
        check_event(event, board)
        status, refused = await reflect(client, token, P1, role="carers", scores={"eq1": 2})
        assert status == 409
        check("Error", refused)
        hub.apply(SetPhase(index=REFLECTION_PHASE))
        for name in ("state", "mine"):
            event, data = await next_event(stream)
            assert event == name
            check_event(event, data)
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
            check_event(event, data)
        board = await (await client.get(f"{api}/board", params={"participant": P1})).json()
        check("Board", board)
        assert board["reflection"]["mine"]["scores"] == {"eq1": 2, "di1": 0}
        status, bad = await reflect(client, token, P2, role="carers", scores={"eq1": 9})
        assert status == 422 and bad["error"]["field"] == "score-eq1"
        check("Error", bad)
        stream.close()
