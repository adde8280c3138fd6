"""Hub rules for the phone path: join tokens, open/closed submissions, hiding notes (moderation)."""

from __future__ import annotations

import pytest

from coprod_tui.core.commands import (AddCard, AddGroup, CardDraft, EditSession, HideCard, RotateTokens,
                                      SetSubmissions, Source, Undo)
from coprod_tui.core.errors import NotFound, ValidationError
from coprod_tui.core.hub import Hub, new_session
from coprod_tui.core.model import Kind
from coprod_tui.core.store.folder import SessionFolder
from coprod_tui.core.tokens import ensure_tokens, join_target


@pytest.fixture
def hub(tmp_path):
    h = new_session(SessionFolder(tmp_path), "Day services review", "What would make Tuesdays work?",
                    [("Carers", "carers", None), ("Staff", "practitioners", None)])
    yield h
    h.close()


def test_a_new_session_has_no_tokens_until_phones_are_invited(hub):
    assert hub.session.meta.tokens == {}
    with pytest.raises(NotFound):
        join_target(hub.session, "anything")
    ensure_tokens(hub)
    tokens = hub.session.meta.tokens
    assert set(tokens) == {"all", "1", "2"}
    assert len(set(tokens.values())) == 3 and all(len(t) >= 32 for t in tokens.values())  # ≥ 192 bits each
    assert join_target(hub.session, tokens["all"]) is None
    assert join_target(hub.session, tokens["2"]) == 2
    ensure_tokens(hub)  # already complete: nothing changes
    assert hub.session.meta.tokens == tokens


def test_rotating_tokens_retires_every_old_link_and_survives_reopening(hub, tmp_path):
    ensure_tokens(hub)
    old = dict(hub.session.meta.tokens)
    hub.apply(RotateTokens())
    new = hub.session.meta.tokens
    assert not set(old.values()) & set(new.values())
    for token in old.values():
        with pytest.raises(NotFound, match="not valid any more"):
            join_target(hub.session, token)
    assert not hub.can_undo()  # a facilitator control, not a board edit: undo never brings old links back
    session_id = hub.session.meta.id
    hub.close()
    again = Hub(SessionFolder(tmp_path).open(session_id))
    assert again.session.meta.tokens == new
    again.close()


def test_a_group_added_while_phones_are_invited_gets_its_own_token(hub):
    ensure_tokens(hub)
    hub.apply(AddGroup(name="Table 3", role="other"))
    group = hub.session.group_named("Table 3")
    assert join_target(hub.session, hub.session.meta.tokens[str(group.id)]) == group.id
    hub.apply(Undo())  # undoing the group takes its token too
    assert str(group.id) not in hub.session.meta.tokens


def test_closing_submissions_is_kept_and_not_an_undo_step(hub):
    hub.apply(SetSubmissions(open=False))
    assert hub.session.meta.open is False
    with pytest.raises(ValidationError, match="already stopped"):
        hub.apply(SetSubmissions(open=False))
    assert not hub.can_undo()
    hub.apply(SetSubmissions(open=True))
    assert hub.session.meta.open is True


def test_undoing_a_title_edit_leaves_later_tokens_alone(hub):
    hub.apply(EditSession(title="Day services: Tuesday review"))
    ensure_tokens(hub)
    tokens = dict(hub.session.meta.tokens)
    hub.apply(Undo())
    assert hub.session.meta.title == "Day services review"
    assert hub.session.meta.tokens == tokens


def test_hiding_a_note_keeps_it_and_can_be_undone(hub):
    event = hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text="Rude words", group_id=1),
                              source=Source.PHONE, request_id="phone-1"))
    card_id = event.card_id
    hub.apply(HideCard(card_id=card_id))
    assert hub.session.cards[card_id].hidden is True
    with pytest.raises(ValidationError, match="already hidden"):
        hub.apply(HideCard(card_id=card_id))
    assert hub.describe_undo() == "hide card"
    hub.apply(Undo())
    assert hub.session.cards[card_id].hidden is False
    hub.apply(HideCard(card_id=card_id))
    hub.apply(HideCard(card_id=card_id, hidden=False))
    assert hub.session.cards[card_id].hidden is False
