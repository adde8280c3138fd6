"""The hub against damaged files and hostile text: stored cleaned or refused clearly, never a crash."""

from __future__ import annotations

import json

import pytest
from support.hostile import HOSTILE, HOSTILE_IDS, expected_stored, rejected, rejection_words

from coprod_tui.core import text as T
from coprod_tui.core.commands import (AddCard, AddGroup, CardDraft, EditCard, EditSession, ImportCards, Source,
                                      Undo)
from coprod_tui.core.errors import UnreadableSession, ValidationError
from coprod_tui.core.hub import Hub, new_session
from support.hub import add, folder, hub, O, P, path_of, reopen, snapshot  # noqa: F401  (fixtures: folder, hub)


# -- damaged files ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("doc", [
    {"meta": {"1": {"schema_version": 1}}},
    {"meta": {"1": {"schema_version": 1, "id": "x", "title": "t", "created": "c"}},
     "cards": {"1": {"id": 1, "kind": "idea", "text": "t", "order": 1, "created": "c"}}},
    {"meta": {"1": {"schema_version": 1, "id": "x", "title": "t", "created": "c"}},
     "groups": {"1": {"id": 1, "name": "g", "colour": "orange", "role": "boss"}}},
    {"meta": {"1": {"schema_version": 1, "id": "x", "title": "t", "created": "c"}},
     "events": {"1": {"seq": "one", "at": "c", "source": "facilitator", "type": "x"}}},
])
def test_hub_refuses_a_file_with_foreign_records(folder, doc):
    folder.folder.mkdir(parents=True)
    path = folder.folder / "odd.json"
    path.write_text(json.dumps(doc))
    before = path.read_bytes()
    with pytest.raises(UnreadableSession) as info:
        Hub(folder.open("odd"))
    assert "odd.json is damaged" in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == before


# -- hostile text ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_card_text(hub, folder, text):
    if rejected(text):
        hub.storage.flush(5)
        before, file_before = snapshot(hub), path_of(hub).read_bytes()
        with pytest.raises(ValidationError, match=rejection_words(text)) as info:
            hub.apply(AddCard(card=CardDraft(kind=P, text=text), source=Source.PHONE, request_id="h"))
        assert str(info.value).startswith("Card text ")
        assert snapshot(hub) == before
        hub.storage.flush(5)
        assert path_of(hub).read_bytes() == file_before
        return
    card = add(hub, P, text, source=Source.PHONE)
    assert card.text == expected_stored(text)
    hub2 = reopen(folder, hub)
    try:
        assert hub2.session.cards[card.id].text == expected_stored(text)
        json.loads(path_of(hub2).read_text("utf-8"))
        edited = "edited: " + text[:1900]
        hub2.apply(EditCard(card_id=card.id, text=edited))
        assert hub2.session.cards[card.id].text == expected_stored(edited)
    finally:
        hub2.close()


@pytest.mark.parametrize("text", HOSTILE, ids=HOSTILE_IDS)
def test_hostile_titles_names_and_authors(hub, folder, text):
    single = expected_stored(text, multiline=False)
    multi = expected_stored(text)
    if rejected(text, T.TITLE_LIMIT, multiline=False):
        before = snapshot(hub)
        with pytest.raises(ValidationError, match=rejection_words(text, T.TITLE_LIMIT, multiline=False)):
            hub.apply(EditSession(title=text))
        assert snapshot(hub) == before
    elif single != hub.session.meta.title:
        hub.apply(EditSession(title=text))
        assert hub.session.meta.title == single

    if rejected(text, T.NAME_LIMIT, multiline=False):
        before = snapshot(hub)
        with pytest.raises(ValidationError, match=rejection_words(text, T.NAME_LIMIT, multiline=False)):
            hub.apply(AddGroup(name=text, role="other"))
        assert snapshot(hub) == before
    else:
        event = hub.apply(AddGroup(name=text, role="other"))
        group_id = int(next(iter(event.patch["groups"])))
        assert hub.session.groups[group_id].name == single

    if len(single) > T.AUTHOR_LIMIT:
        with pytest.raises(ValidationError, match="Name is"):
            add(hub, O, "by someone", author=text)
    else:
        card = add(hub, O, "by someone", author=text)
        assert card.author == (single or None)

    if not rejected(text, T.QUESTION_LIMIT) and multi != hub.session.meta.question:
        hub.apply(EditSession(question=text))
        assert hub.session.meta.question == multi

    hub2 = reopen(folder, hub)
    try:
        assert hub2.session.meta.to_record() == hub.session.meta.to_record()
        assert hub2.session.groups == hub.session.groups
        assert [s.id for s in folder.list()] == [hub.session.meta.id]
    finally:
        hub2.close()


def test_hostile_import_is_one_step(hub, folder):
    accepted = [t for t in HOSTILE if not rejected(t)]
    event = hub.apply(ImportCards(cards=tuple(CardDraft(kind=P, text=t) for t in accepted)))
    assert len(event.patch["cards"]) == len(accepted)
    hub2 = reopen(folder, hub)
    try:
        assert [c.text for c in hub2.session.column(P)] == [expected_stored(t) for t in accepted]
        hub2.apply(Undo())
        assert hub2.session.cards == {}
    finally:
        hub2.close()


def test_hostile_session_title_at_creation(folder):
    for text in HOSTILE:
        if rejected(text, T.TITLE_LIMIT, multiline=False):
            with pytest.raises(ValidationError):
                new_session(folder, text)
            continue
        hub = new_session(folder, text, question="q")
        try:
            assert hub.session.meta.title == expected_stored(text, multiline=False)
            assert folder.path_for(hub.session.meta.id).parent == folder.folder
        finally:
            hub.close()
    summaries = folder.list()
    assert all(s.readable for s in summaries)
    assert len(summaries) == sum(not rejected(t, T.TITLE_LIMIT, multiline=False) for t in HOSTILE)
