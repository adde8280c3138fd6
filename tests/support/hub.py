"""Fixtures and helpers shared by the hub tests (test_hub*.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coprod_tui.core.commands import AddCard, CardDraft, Source
from coprod_tui.core.hub import Hub, new_session
from coprod_tui.core.model import Card, Kind
from coprod_tui.core.store.folder import SessionFolder

P, O, C = Kind.PROBLEM, Kind.OPTION, Kind.CONTRIBUTION


class Clock:
    """A deterministic clock: each call is one second later."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return f"2024-05-01T10:{self.n // 60:02d}:{self.n % 60:02d}.000+00:00"


@pytest.fixture
def folder(tmp_path) -> SessionFolder:
    return SessionFolder(tmp_path / "sessions")


@pytest.fixture
def hub(folder):
    h = new_session(folder, "Mental health crisis support", "What gets in the way?",
                    [("Carers", "carers", None), ("Staff", "practitioners", None)], clock=Clock())
    yield h
    h.close()


def path_of(hub: Hub) -> Path:
    return hub.storage.path


def reopen(folder: SessionFolder, hub: Hub, **kwargs) -> Hub:
    hub.close()
    return Hub(folder.open(hub.session.meta.id), **kwargs)


def add(hub: Hub, kind: Kind, text: str, **kwargs) -> Card:
    source = kwargs.pop("source", Source.FACILITATOR)
    request_id = kwargs.pop("request_id", None)
    event = hub.apply(AddCard(card=CardDraft(kind=kind, text=text, **kwargs), source=source, request_id=request_id))
    return hub.session.cards[event.card_id]


def snapshot(hub: Hub) -> tuple:
    """Everything a command could change, to prove a refused command changed nothing."""
    return (
        {k: c.to_record() for k, c in hub.session.cards.items()},
        {k: g.to_record() for k, g in hub.session.groups.items()},
        hub.session.meta.to_record(),
        len(hub.events),
        hub.can_undo(),
        hub.can_redo(),
        json.dumps(hub.storage.read(), sort_keys=True),
    )


def file_doc(hub: Hub) -> dict:
    hub.storage.flush(5)
    return json.loads(path_of(hub).read_text("utf-8"))


def links(hub: Hub, card: Card) -> list[int]:
    return hub.session.cards[card.id].links
