"""The phone JSON API: notes are stored once and durably, every bad request is a 4xx with the JSON error body and
stores nothing, the board shows only what participants may see, and the response headers protect the page."""

from __future__ import annotations

import errno
import json

import pytest
from yarl import URL
from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected

from coprod_tui.core.store import file as storage
from coprod_tui.core.commands import AddCard, CardDraft, HideCard, RotateTokens, SetSubmissions
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Kind
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.web import RateLimit
from coprod_tui.web.keys import MAX_BODY_BYTES, peer_address
from support.web import CLIENT_HEADER, cards_on_disk, client_for, note, on_disk, tokens, web_settings




def notes_url(token: str) -> str:
    return f"/api/v1/j/{token}/notes"


def board_url(token: str) -> str:
    return f"/api/v1/j/{token}/board"


def snapshot(hub: Hub) -> tuple[int, int]:
    return len(hub.session.cards), len(hub.events)


async def test_a_note_is_stored_and_on_disk_before_201(hub, client, tmp_path):
    body = note("Lifts are often broken", "problem", author=" Asha ", group=1)
    resp = await client.post(notes_url(tokens(hub)["all"]), json=body)
    assert resp.status == 201
    answer = await resp.json()
    assert answer == {"id": answer["id"], "kind": "problem", "text": "Lifts are often broken", "group": 1,
                      "author": "Asha", "request_id": body["request_id"]}
    card = hub.session.cards[answer["id"]]
    assert (card.text, card.source, card.group_id) == ("Lifts are often broken", "phone", 1)
    assert cards_on_disk(hub)[answer["id"]]["text"] == "Lifts are often broken"  # durable before the answer
    reopened = Hub(SessionFolder(tmp_path).open(hub.session.meta.id, read_only=True), read_only=True)
    assert reopened.session.cards[answer["id"]].text == "Lifts are often broken"
    reopened.close()


async def test_the_same_request_id_again_gives_200_and_the_same_note(hub, client):
    body = note()
    first = await client.post(notes_url(tokens(hub)["all"]), json=body)
    again = await client.post(notes_url(tokens(hub)["all"]), json=body)
    assert (first.status, again.status) == (201, 200)
    assert (await first.json()) == (await again.json())
    assert len(hub.session.cards) == 1 and len(cards_on_disk(hub)) == 1


async def test_a_form_encoded_post_works_too(hub, client):
    body = {k: str(v) for k, v in note(kind="Options", group=2).items()}
    resp = await client.post(notes_url(tokens(hub)["all"]), data=body)
    assert resp.status == 201
    assert (await resp.json())["kind"] == "option" and (await resp.json())["group"] == 2


async def test_a_group_link_forces_its_group(hub, client):
    token = tokens(hub)["2"]
    plain = await client.post(notes_url(token), json=note())
    same = await client.post(notes_url(token), json=note(group="2"))
    assert (plain.status, same.status) == (201, 201)
    assert (await plain.json())["group"] == 2 and (await same.json())["group"] == 2
    before = snapshot(hub)
    other = await client.post(notes_url(token), json=note(group=1))
    assert other.status == 422
    assert (await other.json())["error"]["code"] == "wrong_group"
    assert snapshot(hub) == before


GOOD = {"text": "fine", "kind": "problem", "request_id": "r-1"}
BAD_JSON_BODIES = [
    ("empty-text", {**GOOD, "text": "   "}, 422, "invalid_text"),
    ("missing-text", {"kind": "problem", "request_id": "r"}, 422, "invalid_text"),
    ("text-not-a-string", {**GOOD, "text": 42}, 422, "invalid_text"),
    ("oversized-text", {**GOOD, "text": "x" * 2001}, 422, "invalid_text"),
    ("bad-kind", {**GOOD, "kind": "complaint"}, 422, "invalid_kind"),
    ("missing-kind", {"text": "x", "request_id": "r"}, 422, "invalid_kind"),
    ("kind-not-a-string", {**GOOD, "kind": ["problem"]}, 422, "invalid_kind"),
    ("unknown-group", {**GOOD, "group": 99}, 422, "unknown_group"),
    ("group-not-a-number", {**GOOD, "group": "Carers"}, 422, "unknown_group"),
    ("group-bool", {**GOOD, "group": True}, 422, "unknown_group"),
    ("group-negative", {**GOOD, "group": -1}, 422, "unknown_group"),
    ("author-too-long", {**GOOD, "author": "a" * 81}, 422, "invalid_author"),
    ("author-not-text", {**GOOD, "author": {"x": 1}}, 422, "invalid_author"),
    ("missing-request-id", {"text": "x", "kind": "problem"}, 422, "invalid_request_id"),
    ("empty-request-id", {**GOOD, "request_id": ""}, 422, "invalid_request_id"),
    ("long-request-id", {**GOOD, "request_id": "r" * 201}, 422, "invalid_request_id"),
    ("control-in-request-id", {**GOOD, "request_id": "a\x00b"}, 422, "invalid_request_id"),
    ("surrogate-request-id", {**GOOD, "request_id": "a\ud800"}, 422, "invalid_request_id"),
    ("request-id-number", {**GOOD, "request_id": 7}, 422, "invalid_request_id"),
]


@pytest.mark.parametrize("body,status,code", [b[1:] for b in BAD_JSON_BODIES], ids=[b[0] for b in BAD_JSON_BODIES])
async def test_bad_fields_are_422_with_the_error_body_and_store_nothing(hub, client, body, status, code):
    before = snapshot(hub)
    resp = await client.post(notes_url(tokens(hub)["all"]), json=body)
    assert resp.status == status
    assert resp.content_type == "application/json"
    error = (await resp.json())["error"]
    assert error["code"] == code and error["message"]
    assert snapshot(hub) == before


async def test_an_oversized_note_gets_the_cores_message(hub, client):
    resp = await client.post(notes_url(tokens(hub)["all"]), json=note("x" * 2001))
    assert "2,000" in (await resp.json())["error"]["message"]


BAD_BODIES = [
    ("invalid-json", b'{"text": "x", ', "application/json", 400, "invalid_json"),
    ("json-array", b'["x"]', "application/json", 400, "invalid_json"),
    ("json-nested-deep", b"[" * 30000 + b"]" * 30000, "application/json", 400, "invalid_json"),
    ("json-bom", b'\xef\xbb\xbf{"text": "x"}', "application/json", 400, "invalid_json"),
    ("invalid-utf8-json", b'{"text": "\xff\xfe", "kind": "problem", "request_id": "r"}', "application/json", 400,
     "invalid_utf8"),
    ("invalid-utf8-form", b"text=%FF%FE&kind=problem&request_id=r", "application/x-www-form-urlencoded", 400,
     "invalid_utf8"),
    ("raw-invalid-utf8-form", b"text=\xff&kind=problem&request_id=r", "application/x-www-form-urlencoded", 400,
     "invalid_utf8"),
    ("form-field-twice", b"text=a&text=b&kind=problem&request_id=r", "application/x-www-form-urlencoded", 400,
     "invalid_form"),
    ("form-too-many-fields", b"&".join(b"f%d=1" % i for i in range(50)), "application/x-www-form-urlencoded", 400,
     "invalid_form"),
    ("text-plain", b"hello", "text/plain", 415, "unsupported_media_type"),
    ("multipart", b"--x--", "multipart/form-data; boundary=x", 415, "unsupported_media_type"),
    ("latin1-charset", b'{"text": "x"}', "application/json; charset=latin-1", 415, "unsupported_charset"),
    ("too-big", b'{"text": "' + b"x" * 70_000 + b'"}', "application/json", 413, "too_large"),
]


@pytest.mark.parametrize("data,ctype,status,code", [b[1:] for b in BAD_BODIES], ids=[b[0] for b in BAD_BODIES])
async def test_unreadable_bodies_are_4xx_with_the_error_body(hub, client, data, ctype, status, code):
    before = snapshot(hub)
    resp = await client.post(notes_url(tokens(hub)["all"]), data=data, headers={"Content-Type": ctype})
    assert resp.status == status
    assert (await resp.json())["error"]["code"] == code
    assert snapshot(hub) == before


async def test_no_content_type_is_415(hub, client):
    resp = await client.post(notes_url(tokens(hub)["all"]), data=b'{"text": "x"}',
                             skip_auto_headers=["Content-Type"])
    assert resp.status == 415


async def test_content_type_is_case_insensitive(hub, client):
    resp = await client.post(notes_url(tokens(hub)["all"]), data=json.dumps(note()).encode(),
                             headers={"Content-Type": "Application/JSON; charset=UTF-8"})
    assert resp.status == 201


async def test_unknown_and_rotated_tokens_are_404(hub, client):
    old = tokens(hub)
    for path in (notes_url("nope"), board_url("nope"), "/api/v1/j/nope/events"):
        resp = await (client.post(path, json=note()) if path.endswith("notes") else client.get(path))
        assert resp.status == 404 and (await resp.json())["error"]["code"] == "unknown_token"
    hub.apply(RotateTokens())
    for token in old.values():
        assert (await client.post(notes_url(token), json=note())).status == 404
        assert (await client.get(board_url(token))).status == 404
    assert hub.session.cards == {}
    assert (await client.post(notes_url(tokens(hub)["1"]), json=note())).status == 201


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF", "%00", "a%2Fb", "%E2%80%AE", "%C0%AF", "t" * 5000, "%F0%9F%98%80"])
async def test_odd_tokens_in_the_path_are_plain_404s(client, raw):
    for path in (f"/j/{raw}", f"/api/v1/j/{raw}/board", f"/api/v1/j/{raw}/events", f"/static/{raw}"):
        resp = await client.get(URL(path, encoded=True))
        assert resp.status == 404, path
    resp = await client.post(URL(f"/api/v1/j/{raw}/notes", encoded=True), json=note())
    assert resp.status == 404


async def test_a_closed_session_refuses_notes_and_says_so_on_the_board(hub, client):
    hub.apply(SetSubmissions(open=False))
    before = snapshot(hub)
    resp = await client.post(notes_url(tokens(hub)["all"]), json=note())
    assert resp.status == 403 and (await resp.json())["error"]["code"] == "closed"
    assert snapshot(hub) == before and cards_on_disk(hub) == {}
    board = await (await client.get(board_url(tokens(hub)["all"]))).json()
    assert board["session"]["open"] is False


async def test_a_retry_of_a_note_saved_before_closing_still_hears_saved(hub, client):
    """Flaky Wi-Fi: the phone never saw the first answer, the facilitator closes, the phone retries."""
    body = note("Sent just in time")
    first = await client.post(notes_url(tokens(hub)["all"]), json=body)
    assert first.status == 201
    hub.apply(SetSubmissions(open=False))
    retry = await client.post(notes_url(tokens(hub)["all"]), json=body)
    assert retry.status == 200 and (await retry.json())["id"] == (await first.json())["id"]
    fresh = await client.post(notes_url(tokens(hub)["all"]), json={**note("Too late"), "request_id": "new-one"})
    assert fresh.status == 403
    assert len(hub.session.cards) == 1


async def test_the_board_shows_only_what_participants_may_see(hub, client):
    token = tokens(hub)["all"]
    shown = await (await client.post(notes_url(token), json=note("Visible", group=1))).json()
    hidden = await (await client.post(notes_url(token), json=note("Rude words", "option"))).json()
    hub.apply(HideCard(card_id=hidden["id"]))
    board = await (await client.get(board_url(token))).json()
    assert board["session"] == {"title": "Day services review", "question": "What would make Tuesdays work?",
                                "open": True}
    assert board["groups"] == [{"id": 1, "name": "Carers", "role": "carers-and-family", "colour": "orange"},
                               {"id": 2, "name": "Staff", "role": "practitioners", "colour": "sky"}]
    assert board["cards"] == [{"id": shown["id"], "kind": "problem", "text": "Visible", "group": 1, "author": None}]
    assert "tokens" not in json.dumps(board) and token not in json.dumps(board)


def as_json_reads_it(text: str) -> str:
    """What the server receives: JSON spells lone surrogates as escapes, and a *pair* of them is one character."""
    return json.loads(json.dumps(text))


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
async def test_hostile_text_is_stored_clean_or_refused(hub, client, text):
    text = as_json_reads_it(text)
    resp = await client.post(notes_url(tokens(hub)["all"]), json=note(text))
    if len(json.dumps(text)) > MAX_BODY_BYTES:
        assert resp.status == 413 and (await resp.json())["error"]["code"] == "too_large"
        assert hub.session.cards == {}
    elif rejected(text):
        assert resp.status == 422
        assert (await resp.json())["error"]["code"] == "invalid_text"
        assert hub.session.cards == {}
    else:
        assert resp.status == 201
        answer = await resp.json()
        assert answer["text"] == expected_stored(text)
        assert cards_on_disk(hub)[answer["id"]]["text"] == expected_stored(text)


@pytest.mark.parametrize("author", HOSTILE, ids=HOSTILE_IDS)
async def test_hostile_names_are_stored_clean_or_refused(hub, client, author):
    author = as_json_reads_it(author)
    resp = await client.post(notes_url(tokens(hub)["all"]), json=note(author=author))
    assert resp.status < 500
    if len(json.dumps(author)) > MAX_BODY_BYTES:
        assert resp.status == 413
    elif rejected(author, 80, multiline=False, required=False):
        assert resp.status == 422 and (await resp.json())["error"]["code"] == "invalid_author"
    else:
        assert resp.status == 201
        assert (await resp.json())["author"] == (expected_stored(author, multiline=False) or None)
    on_disk(hub)  # the file still parses


async def test_the_rate_limit_answers_429_and_spares_other_phones(hub):
    settings = web_settings(rate_limit=RateLimit(burst=3, refill_seconds=60))
    async with client_for(hub, settings) as client:
        url = notes_url(tokens(hub)["all"])
        for _ in range(3):
            assert (await client.post(url, json=note(), headers={CLIENT_HEADER: "phone-a"})).status == 201
        limited = await client.post(url, json=note(), headers={CLIENT_HEADER: "phone-a"})
        assert limited.status == 429
        assert (await limited.json())["error"]["code"] == "rate_limited"
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert (await client.post(url, json=note(), headers={CLIENT_HEADER: "phone-b"})).status == 201
        assert len(hub.session.cards) == 4


async def test_by_default_the_limit_is_per_peer_address(hub):
    settings = web_settings(rate_limit=RateLimit(burst=1, refill_seconds=60), client_key=peer_address)
    async with client_for(hub, settings) as client:
        url = notes_url(tokens(hub)["all"])
        assert (await client.post(url, json=note(), headers={CLIENT_HEADER: "a"})).status == 201
        assert (await client.post(url, json=note(), headers={CLIENT_HEADER: "b"})).status == 429  # header ignored


async def test_a_storage_failure_is_503_and_the_retry_succeeds_once_the_disk_is_back(hub, client, monkeypatch):
    monkeypatch.setattr(storage, "RETRY_SECONDS", 0.05)
    real_write = storage.atomic_write

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "atomic_write", disk_full)
    body = note("Kept safe")
    resp = await client.post(notes_url(tokens(hub)["all"]), json=body)
    assert resp.status == 503
    assert (await resp.json())["error"]["code"] == "storage_unavailable"
    assert int(resp.headers["Retry-After"]) >= 1
    assert cards_on_disk(hub) == {}
    monkeypatch.setattr(storage, "atomic_write", real_write)
    again = await client.post(notes_url(tokens(hub)["all"]), json=body)
    assert again.status == 200  # the same request id: the note the first try left in memory, now durable
    assert cards_on_disk(hub)[(await again.json())["id"]]["text"] == "Kept safe"
    assert len(hub.session.cards) == 1


async def test_every_response_carries_the_security_headers(hub, client):
    token = tokens(hub)["all"]
    responses = [await client.get(f"/j/{token}"), await client.get(board_url(token)), await client.get("/healthz"),
                 await client.post(notes_url("nope"), json=note()), await client.get("/static/phone.css"),
                 await client.get("/no/such/page")]
    for resp in responses:
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert resp.headers["X-Frame-Options"] == "DENY"
    assert responses[0].headers["Cache-Control"] == "no-store"
    assert responses[1].headers["Cache-Control"] == "no-store"


async def test_healthz_and_unknown_paths(client):
    resp = await client.get("/healthz")
    assert resp.status == 200 and await resp.json() == {"ok": True}
    missing = await client.get("/api/v1/nothing")
    assert missing.status == 404 and (await missing.json())["error"]["code"] == "not_found"
    wrong = await client.put("/api/v1/j/x/notes", json={})
    assert wrong.status == 405 and (await wrong.json())["error"]["code"] == "method_not_allowed"


def test_no_facilitator_action_is_reachable_over_http(hub):
    from coprod_tui.web import make_web_app
    routes = {(r.method, r.resource.canonical) for r in make_web_app(hub).router.routes()}
    assert routes == {
        ("GET", "/healthz"), ("HEAD", "/healthz"),
        ("GET", "/j/{token}"), ("HEAD", "/j/{token}"), ("POST", "/j/{token}"),
        ("POST", "/api/v1/j/{token}/notes"), ("POST", "/api/v1/j/{token}/votes"),
        ("POST", "/api/v1/j/{token}/done"), ("POST", "/api/v1/j/{token}/picks"),
        ("GET", "/api/v1/j/{token}/reflection"), ("HEAD", "/api/v1/j/{token}/reflection"),
        ("POST", "/api/v1/j/{token}/reflection"), ("POST", "/j/{token}/reflection"),
        ("GET", "/j/{token}/reflection"), ("HEAD", "/j/{token}/reflection"),
        ("GET", "/api/v1/j/{token}/board"), ("HEAD", "/api/v1/j/{token}/board"),
        ("GET", "/api/v1/j/{token}/events"),
        ("GET", "/static/{name}"), ("HEAD", "/static/{name}"),
    }


async def test_a_note_from_the_facilitator_shows_on_the_phone_board(hub, client):
    hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="Typed for table 3", group_id=2)))
    board = await (await client.get(board_url(tokens(hub)["2"]))).json()
    assert [c["text"] for c in board["cards"]] == ["Typed for table 3"]
