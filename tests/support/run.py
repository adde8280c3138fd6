"""Helpers for the tests of a running session on phones (test_web_run*.py, test_browser_run.py): phone ids, posts to
the new endpoints, and a few facilitator set-ups driven straight through the hub (the TUI is not needed)."""

from __future__ import annotations

import uuid
from typing import Any

from coprod_tui.core.commands import AddCard, CardDraft, Source
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Kind

P1 = "phone-one-000000001"
P2 = "phone-two-000000002"
P3 = "phone-three-0000003"


def rid() -> str:
    return uuid.uuid4().hex


def add(hub: Hub, text: str, kind: Kind | str = Kind.PROBLEM, *, group: int | None = None,
        participant: str | None = None) -> int:
    """A note as a phone would add it (source phone, its participant id), straight through the hub."""
    event = hub.apply(AddCard(card=CardDraft(kind=Kind(kind), text=text, group_id=group, participant=participant),
                              source=Source.PHONE, request_id=rid()))
    assert event.card_id is not None
    return event.card_id


async def post(client: Any, token: str, path: str, body: dict[str, Any], **kwargs: Any) -> tuple[int, Any]:
    resp = await client.post(f"/api/v1/j/{token}/{path}", json=body, **kwargs)
    return resp.status, await resp.json()


async def vote(client: Any, token: str, participant: str, card: int, round_no: int = 1, delta: int = 1,
               **extra: Any) -> tuple[int, Any]:
    body = {"participant": participant, "card": card, "round": round_no, "delta": delta, "request_id": rid()}
    body.update(extra)
    return await post(client, token, "votes", body)


async def mark_done(client: Any, token: str, participant: str, phase: int, done: bool = True,
                    **extra: Any) -> tuple[int, Any]:
    body = {"participant": participant, "phase": phase, "done": done, "request_id": rid()}
    body.update(extra)
    return await post(client, token, "done", body)


async def pick(client: Any, token: str, participant: str, card: int, picked: bool = True,
               **extra: Any) -> tuple[int, Any]:
    body = {"participant": participant, "card": card, "picked": picked, "request_id": rid()}
    body.update(extra)
    return await post(client, token, "picks", body)


async def get_board(client: Any, token: str, participant: str | None = None, group: int | str | None = None) -> Any:
    params = {k: str(v) for k, v in (("participant", participant), ("group", group)) if v is not None}
    resp = await client.get(f"/api/v1/j/{token}/board", params=params)
    assert resp.status == 200, await resp.text()
    return await resp.json()


def texts(board: dict[str, Any]) -> list[str]:
    return [c["text"] for c in board["cards"]]


REFLECTION_PHASE = 5  # DEFAULT_PHASES' last phase, "Reflection": its kind is "reflection"


async def reflect(client: Any, token: str, participant: str | None, **answer: Any) -> tuple[int, Any]:
    """A phone's self-reflection answer (POST …/reflection); `request_id` is made up unless given."""
    body: dict[str, Any] = {"participant": participant, "request_id": rid(), **answer}
    return await post(client, token, "reflection", body)
