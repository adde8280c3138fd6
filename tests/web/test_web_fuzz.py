"""Property tests of the phone endpoints: whatever arrives — random JSON, random bytes, random content types, text
with lone surrogates escaped in JSON, random queries — at notes, votes, "I'm done", picks and the board, in every
state a running session can be in, the answer is never a server error and the session file always parses."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import quote

import pytest
from aiohttp.test_utils import TestClient
from hypothesis import example, given, settings
from hypothesis import strategies as st
from yarl import URL

from coprod_tui.core.hub import Hub
from coprod_tui.core.store.file import read_document
from coprod_tui.core.store.folder import SessionFolder
from support.web import client_for, make_hub, tokens

# Any code point, lone surrogates included (json.dumps writes them as \udxxx escapes).
ANY_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()), max_size=300)
JSON_VALUE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | ANY_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(ANY_TEXT, inner, max_size=4),
    max_leaves=12,
)
FIELD = st.sampled_from(["text", "kind", "group", "author", "request_id", "hidden", "id"])
NOTE_LIKE = st.fixed_dictionaries(
    {"text": st.text(min_size=1, max_size=100) | ANY_TEXT,
     "kind": st.sampled_from(["problem", "option", "contribution", "Options", "", "x"]) | ANY_TEXT,
     "request_id": st.uuids().map(str) | st.sampled_from(["same-1", "same-2"]) | ANY_TEXT},
    optional={"group": st.none() | st.integers(-2, 4) | st.sampled_from(["1", "2", "", "01", "1.0"]) | ANY_TEXT,
              "author": st.none() | st.text(max_size=90) | ANY_TEXT, "hidden": JSON_VALUE},
)
CONTENT_TYPES = st.sampled_from([
    "application/json", "application/json; charset=utf-8", "application/json; charset=latin-1",
    "application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=zz", "", "application/jsonx",
    "APPLICATION/JSON", "application/x-www-form-urlencoded; charset=utf-16",
]) | st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)


def form_body(fields: dict) -> bytes:
    """URL-encode, letting surrogates through as the (invalid) UTF-8 bytes a broken client would send."""
    parts = []
    for key, value in fields.items():
        value = value if isinstance(value, str) else json.dumps(value)
        parts.append(quote(str(key), encoding="utf-8", errors="surrogatepass") + "="
                     + quote(value, encoding="utf-8", errors="surrogatepass"))
    return "&".join(parts).encode("ascii")


REQUESTS = st.one_of(
    NOTE_LIKE.map(lambda d: (json.dumps(d).encode(), "application/json")),
    NOTE_LIKE.map(lambda d: (form_body(d), "application/x-www-form-urlencoded")),
    st.tuples(JSON_VALUE.map(lambda v: json.dumps(v).encode()), CONTENT_TYPES),
    st.tuples(st.dictionaries(FIELD, JSON_VALUE, max_size=6).map(lambda d: json.dumps(d).encode()), CONTENT_TYPES),
    st.tuples(st.binary(max_size=400), CONTENT_TYPES),
)


@pytest.fixture
def fuzz_env(tmp_path):
    """A server on its own loop, kept for all the examples (starting one per example would be slow)."""
    loop = asyncio.new_event_loop()
    hub = make_hub(tmp_path)

    async def start() -> TestClient:
        client = client_for(hub)
        await client.start_server()
        return client

    client = loop.run_until_complete(start())
    yield loop, hub, client
    loop.run_until_complete(client.close())
    hub.close()
    loop.close()


def test_the_notes_endpoint_never_fails_with_a_server_error(fuzz_env, tmp_path):
    loop, hub, client = fuzz_env

    @settings(max_examples=150, deadline=None, database=None)
    @given(request=REQUESTS, token_key=st.sampled_from(["all", "1", "2", "bogus"]))
    def post_anything(request: tuple[bytes, str], token_key: str) -> None:
        body, content_type = request
        token = tokens(hub).get(token_key, "bogus")

        async def send() -> tuple[int, bytes]:
            headers = {"Content-Type": content_type} if content_type else {}
            resp = await client.post(f"/api/v1/j/{token}/notes", data=body, headers=headers,
                                     skip_auto_headers=[] if content_type else ["Content-Type"])
            return resp.status, await resp.read()

        status, answer = loop.run_until_complete(send())
        assert status < 500, answer
        parsed = json.loads(answer)
        if status >= 400:
            assert set(parsed) == {"error"} and parsed["error"]["code"] and parsed["error"]["message"]
        else:
            assert status in (200, 201) and hub.session.cards[parsed["id"]].text == parsed["text"]
        read_document(hub.storage.path)  # the file on disk always parses

    post_anything()
    hub.durable().result(5)
    reopened = Hub(SessionFolder(tmp_path).open(hub.session.meta.id, read_only=True), read_only=True)
    assert {k: c.text for k, c in reopened.session.cards.items()} == {k: c.text for k, c in hub.session.cards.items()}
    reopened.close()


PARTICIPANT = st.sampled_from(["phone-fuzz-0000001", "phone-fuzz-0000002", "short", ""]) | ANY_TEXT | JSON_VALUE
NUMBER_LIKE = st.integers(-3, 12) | st.sampled_from(["1", "-1", "01", "1.0", "", "true", 10**13]) | JSON_VALUE
FLAG_LIKE = st.booleans() | st.sampled_from(["true", "false", "yes", "1", 0, 1]) | JSON_VALUE
TAP_LIKE = st.fixed_dictionaries(
    {"participant": PARTICIPANT,
     "request_id": st.uuids().map(str) | st.sampled_from(["tap-1", "tap-2"]) | ANY_TEXT},
    optional={"card": NUMBER_LIKE, "round": NUMBER_LIKE, "delta": NUMBER_LIKE, "phase": NUMBER_LIKE,
              "done": FLAG_LIKE, "picked": FLAG_LIKE,
              "group": st.none() | st.integers(-2, 4) | st.sampled_from(["1", "2", "", "x"]) | ANY_TEXT},
)
WELL_FORMED_TAP = st.fixed_dictionaries(
    {"participant": st.sampled_from(["phone-fuzz-0000001", "phone-fuzz-0000002"]), "request_id": st.uuids().map(str),
     "card": st.integers(1, 8), "round": st.sampled_from([None, None, 1]), "delta": st.sampled_from([1, 1, -1]),
     "phase": st.sampled_from([None, None, 0, 3]), "done": st.booleans(), "picked": st.booleans()},
    optional={"group": st.sampled_from([None, 1, 2, "1"])},
)
TAP_REQUESTS = st.one_of(
    WELL_FORMED_TAP.map(lambda d: (d, "application/json")),  # round None: the current round, filled in when sent
    WELL_FORMED_TAP.map(lambda d: (d, "application/json")),
    TAP_LIKE.map(lambda d: (json.dumps(d).encode(), "application/json")),
    TAP_LIKE.map(lambda d: (form_body(d), "application/x-www-form-urlencoded")),
    st.tuples(JSON_VALUE.map(lambda v: json.dumps(v).encode()), CONTENT_TYPES),
    st.tuples(st.binary(max_size=300), CONTENT_TYPES),
)
QUERY_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
                     max_size=80)


def test_votes_done_picks_and_the_views_never_fail_with_a_server_error(fuzz_env, tmp_path):
    """The same for the endpoints of a running session, in every state a round can be in, and for the board's
    query; the phone-facing views (board JSON, feed messages) are rebuilt after each change without error."""
    from coprod_tui.core.commands import (CloseVoting, EndBreakout, HoldNotes, MergeCards, OpenVoting,
                                              RevealNotes, RevealVotes, SetPhase, StartBreakout)
    from coprod_tui.web.feed import PublicFeed
    from coprod_tui.web.public import Viewer, board
    from support.run import add

    loop, hub, client = fuzz_env
    cards = [add(hub, f"note {i}", group=(i % 3) or None, participant="phone-fuzz-0000001") for i in range(6)]
    hub.apply(MergeCards(card_ids=(cards[0], cards[3]), title="cluster"))
    hub.apply(OpenVoting(kind="problem", per_person=4, per_card=2))
    feed = PublicFeed(hub)
    steps = [StartBreakout(), EndBreakout(), HoldNotes(), RevealNotes(), SetPhase(index=1), SetPhase(index=2),
             CloseVoting(), RevealVotes(), OpenVoting(kind="problem", per_person=3, per_card=1)]

    @settings(max_examples=150, deadline=None, database=None)
    @given(request=TAP_REQUESTS, path=st.sampled_from(["votes", "done", "picks"]),
           token_key=st.sampled_from(["all", "1", "2", "bogus"]), query=st.dictionaries(
               st.sampled_from(["participant", "group", "x"]), QUERY_TEXT, max_size=3), step=st.integers(0, 30))
    def tap_anything(request: tuple[bytes | dict, str], path: str, token_key: str, query: dict, step: int) -> None:
        body, content_type = request
        token = tokens(hub).get(token_key, "bogus")
        if step < len(steps):
            try:
                event = hub.apply(steps[step])
            except Exception:  # already in that state: the session's rules refuse it, nothing changed
                event = None
            if event is not None:
                for viewer in (Viewer(), Viewer("phone-fuzz-0000001", 1), Viewer("phone-fuzz-0000002", 2)):
                    feed.messages(event, viewer)
                    json.dumps(board(hub, viewer))
        if isinstance(body, dict):
            voting = hub.session.meta.voting
            current = {"round": voting.round if voting else 1, "phase": hub.session.meta.phase}
            body = json.dumps({**body, **{k: v for k, v in current.items() if body.get(k) is None}}).encode()

        async def send() -> list[tuple[int, bytes]]:
            headers = {"Content-Type": content_type} if content_type else {}
            resp = await client.post(f"/api/v1/j/{token}/{path}", data=body, headers=headers,
                                     skip_auto_headers=[] if content_type else ["Content-Type"])
            out = [(resp.status, await resp.read())]
            got = await client.get(f"/api/v1/j/{token}/board", params=query)
            out.append((got.status, await got.read()))
            return out

        for status, answer in loop.run_until_complete(send()):
            assert status < 500, answer
            parsed = json.loads(answer)
            if status >= 400:
                assert set(parsed) == {"error"} and parsed["error"]["code"] and parsed["error"]["message"]
        read_document(hub.storage.path)

    tap_anything()



STATEMENT = st.sampled_from(["eq1", "eq2", "di3", "fb1", "zz9", ""]) | ANY_TEXT
ANSWER_LIKE = st.fixed_dictionaries(
    {"participant": PARTICIPANT,
     "request_id": st.uuids().map(str) | st.sampled_from(["answer-1", "answer-2"]) | ANY_TEXT},
    optional={"role": st.sampled_from(["carers", "practitioners", "Other", "", None, "boss"]) | ANY_TEXT | JSON_VALUE,
              "ladder_now": NUMBER_LIKE, "ladder_target": NUMBER_LIKE,
              "scores": st.dictionaries(STATEMENT, NUMBER_LIKE, max_size=5) | JSON_VALUE,
              "evidence": st.dictionaries(STATEMENT, ANY_TEXT | JSON_VALUE, max_size=4) | JSON_VALUE,
              "score-eq3": NUMBER_LIKE, "evidence-eq3": ANY_TEXT | JSON_VALUE,
              "group": st.none() | st.integers(-2, 4) | st.sampled_from(["1", "2", "", "x"]) | ANY_TEXT},
)
WELL_FORMED_ANSWER = st.fixed_dictionaries(
    {"participant": st.sampled_from(["phone-fuzz-0000001", "phone-fuzz-0000002"]), "request_id": st.uuids().map(str),
     "ladder_now": st.none() | st.integers(1, 7), "ladder_target": st.none() | st.integers(1, 7),
     "scores": st.dictionaries(st.sampled_from(["eq1", "di2", "ac3", "re1", "fb3"]), st.integers(0, 4), max_size=5),
     "evidence": st.dictionaries(st.sampled_from(["eq1", "fb3"]), st.text(max_size=40), max_size=2)},
    optional={"role": st.sampled_from(["carers", "people", "commissioners-and-managers", ""]),
              "group": st.sampled_from([None, 1, 2, "2"])},
)
ANSWER_REQUESTS = st.one_of(
    WELL_FORMED_ANSWER.map(lambda d: (json.dumps(d).encode(), "application/json")),
    WELL_FORMED_ANSWER.map(lambda d: (json.dumps(d).encode(), "application/json")),
    ANSWER_LIKE.map(lambda d: (json.dumps(d).encode(), "application/json")),
    ANSWER_LIKE.map(lambda d: (form_body(d), "application/x-www-form-urlencoded")),
    st.tuples(JSON_VALUE.map(lambda v: json.dumps(v).encode()), CONTENT_TYPES),
    st.tuples(st.binary(max_size=300), CONTENT_TYPES),
)


def test_the_self_reflection_never_fails_with_a_server_error_and_keeps_one_answer_per_phone(fuzz_env, tmp_path):
    """Whatever a phone sends to the self-reflection (the API and the form post), in and out of its phase: never a
    server error, an accepted answer is the phone's one answer as stored, and the views still build."""
    from coprod_tui.core.commands import SetPhase
    from coprod_tui.web.feed import PublicFeed
    from coprod_tui.web.public import Viewer, board

    loop, hub, client = fuzz_env
    feed = PublicFeed(hub)

    @settings(max_examples=150, deadline=None, database=None)
    @given(request=ANSWER_REQUESTS, page=st.booleans(), token_key=st.sampled_from(["all", "1", "2", "bogus"]),
           phase=st.sampled_from([None, None, None, 5, 1]))
    @example(request=(json.dumps({"participant": "phone-fuzz-0000001", "request_id": "well-formed-1",
                                  "scores": {"eq1": 2}, "role": "carers"}).encode(), "application/json"),
             page=False, token_key="all", phase=5)  # at least one answer gets through, whatever the seed draws
    def answer_anything(request: tuple[bytes, str], page: bool, token_key: str, phase: int | None) -> None:
        body, content_type = request
        token = tokens(hub).get(token_key, "bogus")
        if phase is not None and phase != hub.session.meta.phase:
            event = hub.apply(SetPhase(index=phase))
            for viewer in (Viewer(), Viewer("phone-fuzz-0000001", 1)):
                json.dumps(feed.messages(event, viewer))
        path = f"/j/{token}/reflection" if page else f"/api/v1/j/{token}/reflection"

        async def send() -> tuple[int, bytes]:
            headers = {"Content-Type": content_type} if content_type else {}
            resp = await client.post(path, data=body, headers=headers,
                                     skip_auto_headers=[] if content_type else ["Content-Type"])
            return resp.status, await resp.read()

        status, answer = loop.run_until_complete(send())
        assert status < 500, answer
        if not page:
            parsed = json.loads(answer)
            if status >= 400:
                assert set(parsed) == {"error"} and parsed["error"]["code"] and parsed["error"]["message"]
            else:
                assert status in (200, 201) and parsed["mine"] is not None
        for key, record in hub.session.reflections.items():
            assert record["participant"] == key  # one answer per phone, keyed by it
        for viewer in (Viewer(), Viewer("phone-fuzz-0000001", 1), Viewer("phone-fuzz-0000002", 2)):
            mine = board(hub, viewer)["reflection"]
            assert mine is None or mine["mine"] is None or viewer.participant in hub.session.reflections
        read_document(hub.storage.path)

    answer_anything()
    assert hub.session.reflections  # the well-formed answers in the reflection phase got through


PATH_TEXT = st.text(st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=("Cs",)), max_size=60)
PATH_PIECE = PATH_TEXT | st.sampled_from(["phone.js", "phone.css", "../pyproject.toml", "..%2f..%2fetc%2fpasswd",
                                          "%00", "phone.js%00.css", ".", "..", "", "PHONE.JS"])
PAGE_REQUESTS = st.one_of(
    st.tuples(st.just("POST"), st.just("page"), REQUESTS),
    st.tuples(st.just("POST"), st.just("reflection page"), REQUESTS),
    st.tuples(st.just("GET"), st.sampled_from(["page", "reflection page", "static", "healthz"]),
              st.tuples(st.just(b""), st.just(""))),
)


def test_the_pages_without_javascript_and_the_static_files_never_fail(fuzz_env, tmp_path):
    """The rest of the phone server, the parts a browser without JavaScript (or a prober) reaches: the note form's
    post, the pages and their queries, the reflection page, the static files under any name, any token. Never a
    server error; a page is HTML with what the phone sent escaped; no file outside the static folder is ever served."""
    loop, hub, client = fuzz_env
    marker = "<script>alert('fuzz')</script>"
    seen: set[tuple[str, int]] = set()

    @settings(max_examples=200, deadline=None, database=None)
    @given(request=PAGE_REQUESTS, token_key=st.sampled_from(["all", "1", "2", "bogus", "raw"]), raw=PATH_PIECE,
           query=st.dictionaries(st.sampled_from(["participant", "group", "kind", "x", marker]), PATH_TEXT,
                                 max_size=3), plant=st.booleans())
    def ask_anything(request: tuple, token_key: str, raw: str, query: dict, plant: bool) -> None:
        method, where, (body, content_type) = request
        token = quote(raw, safe="") if token_key == "raw" else tokens(hub).get(token_key, "bogus")
        if plant and method == "POST":  # a note form carrying markup: it must come back escaped, if at all
            body, content_type = form_body({"text": marker, "kind": "problem", "request_id": marker}), \
                "application/x-www-form-urlencoded"
        path = {"page": f"/j/{token}", "reflection page": f"/j/{token}/reflection",
                "static": f"/static/{quote(raw, safe='%.')}", "healthz": "/healthz"}[where]

        async def send() -> tuple[int, str, bytes]:
            headers = {"Content-Type": content_type} if content_type else {}
            resp = await client.request(method, URL(path, encoded=True), params=query or None, data=body or None,
                                        headers=headers, skip_auto_headers=[] if content_type else ["Content-Type"])
            return resp.status, resp.headers.get("Content-Type", ""), await resp.read()

        status, kind, answer = loop.run_until_complete(send())
        assert status < 500, answer[:300]
        seen.add((where, status // 100))
        if where in ("page", "reflection page"):
            assert kind.startswith("text/html") or status in (404, 405, 413, 415, 429), (status, kind)
            assert marker.encode() not in answer  # whatever was sent, it is never markup on the page
        if where == "static" and status == 200:
            assert raw in ("phone.js", "phone.css"), raw  # only the two files the page uses
        read_document(hub.storage.path)

    ask_anything()
    assert {("page", 2), ("page", 4), ("reflection page", 2), ("static", 4), ("healthz", 2)} <= seen, seen
