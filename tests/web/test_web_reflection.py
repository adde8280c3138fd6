"""The self-reflection from phones over the JSON API and the plain form: the board says when the phase is a
reflection and carries only the phone's own answer; the questions; an answer stored once durable, replaced (never
duplicated) when the phone answers again; the role starting on the group's; every field's refusal; refused outside
a reflection phase; the answer back after a reconnect; nobody ever hears anyone else's answer; and the page without
JavaScript (the form, the thank-you page that keeps the answers, the form again after a mistake)."""

from __future__ import annotations

import errno
import json
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

import pytest

from coprod_tui.core import method
from coprod_tui.core.store import file as storage
from coprod_tui.core.commands import EditSession, RotateTokens, SetSubmissions
from coprod_tui.core.commands import DeleteReflection, SubmitReflection
from coprod_tui.core.commands import EditPhases, SetPhase
from coprod_tui.core.running import DEFAULT_PHASES, Phase
from coprod_tui.web import RateLimit
from support.run import P1, P2, P3, REFLECTION_PHASE, get_board, post, reflect, rid
from support.web import client_for, next_event, on_disk, tokens, web_settings

FULL = {"role": "people-who-use-services", "ladder_now": 3, "ladder_target": 6,
        "scores": {"eq1": 2, "eq2": 0, "di1": 4}, "evidence": {"eq1": "Staff set the agenda last time."}}


def all_link(hub) -> str:
    return tokens(hub)["all"]


@pytest.fixture
def reflecting(hub):
    hub.apply(SetPhase(index=REFLECTION_PHASE))
    return hub


def stored(hub) -> dict[str, dict]:
    """The answers as the file on disk holds them (a 201 promises they are there)."""
    return on_disk(hub).get("reflections", {})


def answer_of(record: dict) -> dict:
    return {k: record[k] for k in ("role", "ladder_now", "ladder_target", "scores", "evidence")}


# -- the board and the questions -------------------------------------------------------------------------------------
async def test_the_board_says_when_the_phase_is_a_reflection(hub, client):
    board = await get_board(client, all_link(hub), P1)
    assert board["reflection"] is None and board["phase"]["kind"] is None
    hub.apply(SetPhase(index=REFLECTION_PHASE))
    board = await get_board(client, all_link(hub), P1)
    assert board["phase"]["kind"] == "reflection" and board["phase"]["name"] == "Reflection"
    assert board["reflection"] == {"mine": None}
    assert (await get_board(client, all_link(hub)))["reflection"] == {"mine": None}  # no phone id: nothing of its own
    hub.apply(SetPhase(index=1))
    assert (await get_board(client, all_link(hub), P1))["reflection"] is None


async def test_the_questions_are_the_methods_with_their_credits(hub, client):
    resp = await client.get(f"/api/v1/j/{all_link(hub)}/reflection")
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    questions = await resp.json()
    assert [r["number"] for r in questions["ladder"]] == [1, 2, 3, 4, 5, 6, 7]  # lowest rung first
    assert questions["ladder"][0]["name"] == "Coercion" and questions["ladder"][6]["name"] == "Co-production"
    assert all(r["meaning"] for r in questions["ladder"])
    assert [p["id"] for p in questions["principles"]] == ["equality", "diversity", "accessibility", "reciprocity",
                                                           "feedback"]
    assert [p["name"] for p in questions["principles"]][-1] == "Feedback and review"
    ids = [s["id"] for p in questions["principles"] for s in p["statements"]]
    assert ids == list(method.STATEMENTS) and len(ids) == 15
    assert questions["scale"] == [{"value": 1, "label": "Not yet"}, {"value": 2, "label": "Made a start"},
                                  {"value": 3, "label": "Getting there"}, {"value": 4, "label": "Doing really well"},
                                  {"value": 0, "label": "Don't know"}]
    assert questions["credits"] == list(method.CREDITS) and "TLAP" in questions["credits"][0]
    assert questions["roles"][0] == {"value": "people-who-use-services", "label": "People who use services"}
    assert len(questions["roles"]) == 6
    assert (await client.get("/api/v1/j/not-a-token/reflection")).status == 404


# -- answering ---------------------------------------------------------------------------------------------------------
async def test_an_answer_is_stored_once_durable_and_answering_again_replaces_it(reflecting, client):
    hub = reflecting
    status, answer = await reflect(client, all_link(hub), P1, **FULL)
    assert status == 201 and answer == {"mine": FULL}
    assert list(stored(hub)) == [P1] and answer_of(stored(hub)[P1]) == FULL  # on disk before the 201
    assert stored(hub)[P1]["source"] == "phone"

    changed = {**FULL, "ladder_now": 4, "scores": {"eq1": 3, "ac2": 1}, "evidence": {}}
    status, answer = await reflect(client, all_link(hub), P1, **changed)
    assert status == 200 and answer == {"mine": changed}
    assert list(stored(hub)) == [P1] and answer_of(stored(hub)[P1]) == changed  # replaced, not a second answer
    assert len(hub.session.reflections) == 1

    status, _ = await reflect(client, all_link(hub), P2, role="practitioners", scores={"eq1": 4})
    assert status == 201 and sorted(stored(hub)) == sorted([P1, P2])


async def test_a_retried_answer_is_stored_once_and_hears_200(reflecting, client):
    hub = reflecting
    body = {"participant": P1, "request_id": "answer-1", **FULL}
    first = await post(client, all_link(hub), "reflection", body)
    events = len(hub.events)
    again = await post(client, all_link(hub), "reflection", {**body, "ladder_now": 1})  # whatever the retry says
    assert first[0] == 201 and again == (200, first[1]) and len(hub.events) == events


async def test_the_role_starts_on_the_phones_group_and_the_participant_may_change_it(reflecting, client):
    hub = reflecting
    assert (await reflect(client, tokens(hub)["1"], P1, scores={"eq1": 1}))[1]["mine"]["role"] == "carers-and-family"
    status, answer = await reflect(client, all_link(hub), P2, group=2, role="", scores={"eq1": 1})
    assert status == 201 and answer["mine"]["role"] == "practitioners"
    status, answer = await reflect(client, tokens(hub)["1"], P3, role="practitioners", scores={"eq1": 1})
    assert answer["mine"]["role"] == "practitioners"  # a practitioner at the carers' table
    status, answer = await reflect(client, all_link(hub), P3, role="People who use services", scores={"eq1": 1})
    assert status == 200 and answer["mine"]["role"] == "people-who-use-services"  # labels and aliases work too
    status, answer = await reflect(client, all_link(hub), "phone-four-00000004", scores={"eq1": 1})
    assert status == 422 and answer["error"] == {"code": "invalid_role", "field": "role",
                                                 "message": "Choose your role: the one that fits you best today."}
    assert all("group" not in r and "author" not in r for r in stored(hub).values())  # a role, never a group or name


REFUSALS = [  # (name, body changes, code, field, words)
    ("no-participant", {"participant": None}, "invalid_participant", "participant", "reload"),
    ("bad-participant", {"participant": "x y"}, "invalid_participant", "participant", "reload"),
    ("unknown-role", {"role": "boss"}, "invalid_role", "role", "Unknown role"),
    ("role-not-text", {"role": ["carers"]}, "invalid_role", "role", "Unknown role"),
    ("rung-zero", {"ladder_now": 0}, "invalid_ladder_now", "ladder_now", "from 1 to 7"),
    ("rung-eight", {"ladder_target": 8}, "invalid_ladder_target", "ladder_target", "from 1 to 7"),
    ("rung-bool", {"ladder_now": True}, "invalid_ladder_now", "ladder_now", "Where is this work now?"),
    ("rung-word", {"ladder_target": "high"}, "invalid_ladder_target", "ladder_target", "Where should it be?"),
    ("rung-float", {"ladder_now": 2.5}, "invalid_ladder_now", "ladder_now", "rung"),
    ("rung-superscript", {"ladder_now": "\u00b2"}, "invalid_ladder_now", "ladder_now", "rung"),
    ("rung-digits", {"ladder_target": "17"}, "invalid_ladder_target", "ladder_target", "rung"),
    ("score-five", {"scores": {"eq1": 5}}, "invalid_scores", "score-eq1", "1 to 4, or 0"),
    ("score-negative", {"scores": {"di2": -1}}, "invalid_scores", "score-di2", "don't know"),
    ("score-bool", {"scores": {"eq1": True}}, "invalid_scores", "score-eq1", "1 to 4"),
    ("score-word", {"scores": {"eq1": "good"}}, "invalid_scores", "score-eq1", "1 to 4"),
    ("score-unknown", {"scores": {"zz9": 2}}, "invalid_scores", "scores", "Unknown statement"),
    ("scores-list", {"scores": [2, 3]}, "invalid_scores", "scores", "object"),
    ("score-twice", {"scores": {"eq1": 2}, "score-eq1": 3}, "invalid_scores", "score-eq1", "twice"),
    ("evidence-long", {"evidence": {"eq1": "x" * 1001}}, "invalid_evidence", "evidence-eq1", "1,000"),
    ("evidence-number", {"evidence": {"eq1": 7}}, "invalid_evidence", "evidence-eq1", "must be text"),
    ("evidence-unknown", {"evidence": {"nope": "x"}}, "invalid_evidence", "evidence", "Unknown statement"),
    ("evidence-text", {"evidence": "all of it"}, "invalid_evidence", "evidence", "object"),
    ("unknown-group", {"group": 9}, "unknown_group", "group", "Unknown group"),
    ("no-request-id", {"request_id": None}, "invalid_request_id", "request_id", "request_id"),
    ("nothing", {"scores": {}, "ladder_now": None, "ladder_target": None, "evidence": {"eq1": "only this"}},
     "invalid", None, "Answer at least one question"),
    ("only-unanswered", {"scores": {"eq1": None, "eq2": ""}, "ladder_now": "", "ladder_target": None},
     "invalid", None, "Answer at least one question"),
]


@pytest.mark.parametrize("changes,code,field,words", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
async def test_every_bad_field_is_422_naming_it_and_stores_nothing(reflecting, client, changes, code, field, words):
    hub = reflecting
    body = {"participant": P1, "request_id": rid(), **FULL, **changes}
    status, answer = await post(client, all_link(hub), "reflection", body)
    assert status == 422, answer
    assert answer["error"]["code"] == code and answer["error"].get("field") == field
    assert words in answer["error"]["message"]
    assert hub.session.reflections == {} and stored(hub) == {}


async def test_a_group_link_refuses_another_group(reflecting, client):
    status, answer = await reflect(client, tokens(reflecting)["1"], P1, group=2, **FULL)
    assert status == 422 and answer["error"]["code"] == "wrong_group"


async def test_a_form_encoded_answer_uses_one_field_per_statement(reflecting, client):
    hub = reflecting
    fields = {"participant": P1, "role": "", "ladder_now": "2", "ladder_target": "", "score-eq1": "3",
              "score-eq2": "0", "score-eq3": "", "evidence-eq1": "  An example  ", "evidence-eq2": "",
              "request_id": rid()}
    resp = await client.post(f"/api/v1/j/{tokens(hub)['2']}/reflection", data=urlencode(fields),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 201
    assert (await resp.json())["mine"] == {"role": "practitioners", "ladder_now": 2, "ladder_target": None,
                                           "scores": {"eq1": 3, "eq2": 0}, "evidence": {"eq1": "An example"}}


async def test_a_form_with_more_fields_than_the_reflection_has_is_400(reflecting, client):
    fields = {f"x{i}": "1" for i in range(60)}
    resp = await client.post(f"/api/v1/j/{all_link(reflecting)}/reflection", data=urlencode(fields),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status == 400 and (await resp.json())["error"]["code"] == "invalid_form"


# -- only during a reflection phase ------------------------------------------------------------------------------------
async def test_outside_a_reflection_phase_an_answer_is_409(hub, client):
    status, answer = await reflect(client, all_link(hub), P1, **FULL)
    assert status == 409 and answer["error"]["code"] == "refused"
    assert "not open now" in answer["error"]["message"]
    hub.apply(SetPhase(index=REFLECTION_PHASE))
    body = {"participant": P1, "request_id": "saved-just-before", **FULL}
    assert (await post(client, all_link(hub), "reflection", body))[0] == 201
    hub.apply(SetPhase(index=1))
    assert (await post(client, all_link(hub), "reflection", body)) == (200, {"mine": FULL})  # a retry: saved
    status, answer = await reflect(client, all_link(hub), P1, **{**FULL, "ladder_now": 7})
    assert status == 409 and answer_of(stored(hub)[P1]) == FULL
    # The facilitator may still type an answer for someone (it is not a phone's).
    hub.apply(SubmitReflection(role="carers", scores={"eq1": 1}))
    assert len(hub.session.reflections) == 2


async def test_any_phase_of_kind_reflection_opens_it_and_closing_notes_does_not_close_it(hub, client):
    hub.apply(EditPhases(phases=(Phase("Start", "How are we doing?", "reflection"), *DEFAULT_PHASES[1:])))
    hub.apply(SetSubmissions(open=False))
    assert (await reflect(client, all_link(hub), P1, **FULL))[0] == 201


# -- mine, and nobody else's ---------------------------------------------------------------------------------------
async def test_a_phone_that_reconnects_gets_its_own_answer_back_and_no_one_elses(reflecting, client):
    hub = reflecting
    await reflect(client, all_link(hub), P1, **FULL)
    await reflect(client, all_link(hub), P2, role="commissioners", scores={"fb1": 1},
                  evidence={"fb1": "We never report back."})
    hub.apply(SubmitReflection(role="carers", scores={"re1": 2}, evidence={"re1": "Typed for someone"}))
    hub.apply(RotateTokens())  # a new code: the same phone id, the same answer back
    board = await get_board(client, all_link(hub), P1)
    assert board["reflection"] == {"mine": FULL}
    raw = json.dumps(board)
    for secret in ("We never report back.", "Typed for someone", "commissioners", P2, P1):
        assert secret not in raw, secret
    assert (await get_board(client, all_link(hub), P3))["reflection"] == {"mine": None}
    assert (await get_board(client, all_link(hub)))["reflection"] == {"mine": None}


async def test_an_answer_reaches_only_its_own_phone_live(reflecting, client):
    hub = reflecting
    token = all_link(hub)
    mine = await client.get(f"/api/v1/j/{token}/events", params={"participant": P1})
    other = await client.get(f"/api/v1/j/{token}/events", params={"participant": P2})
    for stream in (mine, other):
        name, board = await next_event(stream)
        assert name == "board" and board["reflection"] == {"mine": None}
    await reflect(client, token, P1, **FULL)
    name, data = await next_event(mine)
    assert name == "mine" and data["reflection"] == {"mine": FULL}
    hub.apply(EditSession(title="Checkpoint"))  # the very next thing the other phone hears: nothing came before
    name, data = await next_event(other)
    assert name == "session" and data["title"] == "Checkpoint"
    assert (await next_event(mine))[0] == "session"

    hub.apply(DeleteReflection(reflection_id=P1))  # the facilitator removes it: the phone's copy goes too
    assert await next_event(mine) == ("mine", {"round": None, "mine": {}, "left": None, "done": False,
                                               "reflection": {"mine": None}})
    hub.apply(SetPhase(index=1))  # out of the reflection: every phone hears the phase, and `reflection` null
    for stream in (mine, other):
        name, state = await next_event(stream)
        assert name == "state" and state["phase"]["kind"] == "problem"
        name, data = await next_event(stream)
        assert name == "mine" and data["reflection"] is None
    mine.close()
    other.close()


async def test_editing_the_phases_into_a_reflection_sends_each_phone_its_answer(reflecting, client):
    hub = reflecting
    await reflect(client, all_link(hub), P1, **FULL)
    hub.apply(SetPhase(index=1))
    stream = await client.get(f"/api/v1/j/{all_link(hub)}/events", params={"participant": P1})
    assert (await next_event(stream))[1]["reflection"] is None
    phases = list(DEFAULT_PHASES)
    phases[1] = Phase("Problems, then how we work", "", "reflection")
    hub.apply(EditPhases(phases=tuple(phases)))
    name, state = await next_event(stream)
    assert name == "state" and state["phase"]["kind"] == "reflection"
    assert await next_event(stream) == ("mine", {"round": None, "mine": {}, "left": None, "done": False,
                                                 "reflection": {"mine": FULL}})
    stream.close()


# -- limits and storage --------------------------------------------------------------------------------------------
async def test_answers_use_the_taps_rate_limit(reflecting):
    async with client_for(reflecting, web_settings(tap_limit=RateLimit(burst=2, refill_seconds=60))) as client:
        results = [await reflect(client, all_link(reflecting), P1, **FULL) for _ in range(3)]
    assert [r[0] for r in results] == [201, 200, 429]
    assert results[2][1]["error"]["code"] == "rate_limited"


async def test_a_storage_failure_is_503_and_the_retry_answers(reflecting, client, monkeypatch):
    hub = reflecting
    hub.durable().result(5)
    monkeypatch.setattr(storage, "RETRY_SECONDS", 0.05)
    real_write = storage.atomic_write

    def disk_full(path, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "atomic_write", disk_full)
    body = {"participant": P1, "request_id": "r-503", **FULL}
    status, answer = await post(client, all_link(hub), "reflection", body)
    assert status == 503 and answer["error"]["code"] == "storage_unavailable" and stored(hub) == {}
    monkeypatch.setattr(storage, "atomic_write", real_write)
    status, answer = await post(client, all_link(hub), "reflection", body)
    assert status == 200 and answer == {"mine": FULL} and answer_of(stored(hub)[P1]) == FULL


async def test_a_request_id_of_a_vote_cannot_be_reused_for_an_answer(reflecting, client):
    from support.run import mark_done
    status, _ = await mark_done(client, all_link(reflecting), P1, REFLECTION_PHASE, request_id="one-id")
    assert status == 200
    status, answer = await reflect(client, all_link(reflecting), P1, request_id="one-id", **FULL)
    assert status == 409 and answer["error"]["code"] == "request_id_reused"



async def test_another_phones_request_id_is_refused_not_saved_for_nobody(reflecting, client):
    """Found by the fuzz test: a second phone sending the first phone's request_id used to hear 200 "saved" with
    nothing stored for it (the retry matched the first phone's answer)."""
    status, _ = await reflect(client, all_link(reflecting), P1, request_id="shared-id", **FULL)
    assert status == 201
    status, answer = await reflect(client, all_link(reflecting), P2, request_id="shared-id", **FULL)
    assert status == 409 and answer["error"]["code"] == "request_id_reused"
    assert sorted(stored(reflecting)) == [P1]

# -- the page without JavaScript -------------------------------------------------------------------------------------
class Page(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, Any]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, Any]]:
        return [a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())]

    def by_id(self, element_id: str) -> dict[str, Any]:
        [found] = [a for _, a in self.tags if a.get("id") == element_id]
        return found

    def selected(self) -> list[str]:
        return [a["value"] for a in self.find("option") if "selected" in a]

    def checked(self) -> dict[str, str]:
        return {a["name"]: a["value"] for a in self.find("input", type="radio") if "checked" in a}

    @property
    def all_text(self) -> str:
        return "".join(self.text)


async def page_of(client, token: str) -> Page:
    resp = await client.get(f"/j/{token}")
    assert resp.status == 200
    return Page(await resp.text())


async def post_page(client, token: str, fields: dict[str, str]):
    return await client.post(f"/j/{token}/reflection", data=urlencode(fields),
                             headers={"Content-Type": "application/x-www-form-urlencoded"})


def hidden_fields(page: Page) -> dict[str, str]:
    """The reflection form's own hidden fields (the hidden note form below it has a request_id too)."""
    found: dict[str, str] = {}
    for a in page.find("input", type="hidden"):
        found.setdefault(a["name"], a["value"])
    return {name: found[name] for name in ("participant", "request_id")}


async def test_the_page_shows_the_reflection_form_instead_of_the_note_form(reflecting, client):
    page = await page_of(client, tokens(reflecting)["1"])
    assert "hidden" in page.by_id("note-form") and "hidden" not in page.by_id("reflection")
    form = page.by_id("reflection-form")
    assert form["method"] == "post" and form["action"] == f"../j/{tokens(reflecting)['1']}/reflection"
    assert "Your answers are anonymous: only your role is recorded." in page.all_text
    assert page.selected() == ["carers-and-family"]  # the group link's role, to start with
    assert [a["value"] for a in page.find("input", name="ladder_now")] == [str(n) for n in range(1, 8)]
    assert [a["value"] for a in page.find("input", name="ladder_target")] == [str(n) for n in range(1, 8)]
    for statement in method.STATEMENTS:
        assert [a["value"] for a in page.find("input", name=f"score-{statement}")] == ["1", "2", "3", "4", "0"]
        assert page.by_id(f"evidence-{statement}")["maxlength"] == "1000"
    labels = {a["for"] for a in page.find("label") if a.get("for")}
    assert {"role", *(f"ladder_now-{n}" for n in range(1, 8)), *(f"evidence-{s}" for s in method.STATEMENTS)} <= labels
    assert len(page.find("fieldset", **{"class": "principle"})) == 5
    assert len(page.find("fieldset", **{"class": "statement"})) == 15
    assert len(page.find("details")) == 15 and page.all_text.count("Add an example") == 15
    assert "Don't know" in page.all_text and "4 Doing really well" in page.all_text
    for credit in method.CREDITS:
        assert credit in page.all_text
    assert all(a.get("data-field") for a in page.find("fieldset", **{"class": "statement"}))
    participant = hidden_fields(page)["participant"]  # a phone without JavaScript gets an id made up for it
    other = hidden_fields(await page_of(client, tokens(reflecting)["1"]))["participant"]
    assert len(participant) == 24 and participant != other
    assert (await page_of(client, all_link(reflecting))).selected() == []  # no group: the participant chooses


async def test_the_form_post_saves_then_thanks_and_keeps_the_answers_to_change(reflecting, client):
    hub = reflecting
    token = tokens(hub)["2"]
    page = await page_of(client, token)
    fields = {"role": "carers-and-family", "ladder_now": "2", "ladder_target": "7", "score-eq1": "1",
              "score-ac3": "0", "evidence-eq1": "<b>Nobody</b> asked us", **hidden_fields(page)}
    for statement in method.STATEMENTS:
        fields.setdefault(f"evidence-{statement}", "")  # a browser sends every textarea, empty or not
    resp = await post_page(client, token, fields)
    assert resp.status == 200
    html = await resp.text()
    assert "&lt;b&gt;Nobody&lt;/b&gt; asked us" in html and "<b>" not in html
    thanks = Page(html)
    assert "Thank you — you can change your answers until the facilitator moves on." in thanks.all_text
    assert thanks.checked() == {"ladder_now": "2", "ladder_target": "7", "score-eq1": "1", "score-ac3": "0"}
    assert thanks.selected() == ["carers-and-family"]
    assert "open" in thanks.find("details")[0]
    again = hidden_fields(thanks)
    assert again["participant"] == fields["participant"] and again["request_id"] != fields["request_id"]
    [record] = stored(hub).values()
    assert answer_of(record) == {"role": "carers-and-family", "ladder_now": 2, "ladder_target": 7,
                                 "scores": {"eq1": 1, "ac3": 0}, "evidence": {"eq1": "<b>Nobody</b> asked us"}}

    assert (await post_page(client, token, fields)).status == 200  # the same form twice (reload): one answer
    changed = {**fields, **again, "score-eq1": "4", "ladder_target": ""}
    resp = await post_page(client, token, changed)
    assert resp.status == 200 and Page(await resp.text()).checked()["score-eq1"] == "4"
    [record] = stored(hub).values()  # changing the answers replaced them
    assert record["scores"] == {"eq1": 4, "ac3": 0} and record["ladder_target"] is None


async def test_a_mistake_brings_the_form_back_with_the_answers_kept(reflecting, client):
    token = all_link(reflecting)
    page = await page_of(client, token)
    fields = {"role": "", "ladder_now": "5", "score-di1": "3", "evidence-di1": "Kept words", **hidden_fields(page)}
    resp = await post_page(client, token, fields)
    assert resp.status == 422 and resp.content_type == "text/html"
    again = Page(await resp.text())
    assert again.by_id("reflection-error")["role"] == "alert" and "Choose your role" in again.all_text
    assert again.by_id("role")["aria-invalid"] == "true"
    assert again.checked() == {"ladder_now": "5", "score-di1": "3"} and "Kept words" in again.all_text
    assert hidden_fields(again) == hidden_fields(page)  # the same phone and request: the retry is safe
    fields["evidence-di1"] = "x" * 1001
    fields["role"] = "other"
    again = Page(await (await post_page(client, token, fields)).text())
    assert again.by_id("evidence-di1")["aria-invalid"] == "true"
    assert "open" in [a for t, a in again.tags if t == "details"][3]  # the fourth statement's toggle is open
    assert reflecting.session.reflections == {}


async def test_outside_a_reflection_the_form_post_gets_a_page_with_the_way_back(reflecting, client):
    token = all_link(reflecting)
    page = await page_of(client, token)
    reflecting.apply(SetPhase(index=2))
    resp = await post_page(client, token, {"role": "other", "score-eq1": "2", **hidden_fields(page)})
    assert resp.status == 409 and resp.content_type == "text/html"
    back = Page(await resp.text())
    assert "not open now" in back.all_text and back.find("a", **{"class": "again"})[0]["href"] == f"../{token}"
    assert (await page_of(client, token)).find("section", id="reflection") == []


async def test_the_thank_you_pages_address_opened_again_leads_back_to_the_page(reflecting, client):
    token = all_link(reflecting)
    resp = await client.get(f"/j/{token}/reflection", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"../{token}"
    resp = await client.get(f"/j/{token}/reflection")
    assert resp.status == 200 and resp.url.path == f"/j/{token}"
    assert (await client.get("/j/not-a-token/reflection", allow_redirects=False)).status == 404
