"""docs/http-api.md and docs/openapi.json agree with the code: the same routes, every error code, and real
responses that validate against the published schemas."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import coprod_tui.web
from coprod_tui.web import make_web_app
from coprod_tui.web.errors import _HTTP_ERRORS
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
        found |= set(re.findall(r'ApiError\(422, "(invalid_participant)"', source))
        found |= {f"invalid_{name}" for name in re.findall(r'(?:whole|flag)_field\(fields, "([a-z_]+)"', source)}
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
    assert len(codes) >= 30 and {"refused", "unknown_card", "invalid_delta", "invalid_picked"} <= codes
    enum = set(SPEC["components"]["schemas"]["Error"]["properties"]["error"]["properties"]["code"]["enum"])
    assert codes <= enum, codes - enum
    documented = set(re.findall(r"\| `([a-z_]+)` \|", GUIDE))
    assert codes - {"http_error"} <= documented, codes - documented


async def test_real_responses_match_the_schemas(hub):
    import jsonschema  # a test dependency (pyproject): this check must run, not skip

    def check(name: str, value: object) -> None:
        schema = {"$ref": f"#/components/schemas/{name}", "components": SPEC["components"]}
        jsonschema.Draft202012Validator(schema).validate(value)

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
