"""Board controls beyond editing: the saving-failed warning, and hiding notes from phones (moderation)."""

from __future__ import annotations

import errno

import coprod_tui.core.store.file as storage
from support.app import open_board, settle

SIZE = (120, 40)


async def test_a_failing_disk_is_reported_on_the_board_and_recovery_too(make_session, app_factory, monkeypatch):
    session_id = make_session()
    app = app_factory(session_id)
    real_write = storage.atomic_write
    failing = {"on": True}

    def flaky_write(path, data):
        if failing["on"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(path, data)

    monkeypatch.setattr(storage, "RETRY_SECONDS", 0.05)
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        monkeypatch.setattr(storage, "atomic_write", flaky_write)
        await pilot.press("n", *"Kept in memory", "ctrl+s")
        messages = lambda: [str(n.message) for n in app._notifications]  # noqa: E731
        await settle(pilot, lambda: any("No space left on device" in m for m in messages()))
        assert any(c.text == "Kept in memory" for c in app.hub.session.cards.values())
        failing["on"] = False
        await settle(pilot, lambda: any("Saving works again" in m for m in messages()))
        path = app.hub.storage.path
        assert "Kept in memory" in path.read_text("utf-8")
        await pilot.press("ctrl+q")


async def test_h_hides_a_note_from_phones_and_u_brings_it_back(make_session, app_factory):
    from support.app import card_by_text, drawn, select

    session_id = make_session()
    app = app_factory(session_id)
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        cell = await select(pilot, "Carers can't get a break at weekends")
        card = card_by_text(app, "Carers can't get a break at weekends")
        await pilot.press("h")
        await settle(pilot, lambda: app.hub.session.cards[card.id].hidden)
        assert "HIDDEN" in drawn(cell)
        await pilot.press("u")
        await settle(pilot, lambda: not app.hub.session.cards[card.id].hidden)
        assert "HIDDEN" not in drawn(cell)
        await pilot.press("ctrl+q")


def test_every_board_key_reaches_an_action_and_each_control_declares_its_own():
    """Textual runs a key as `action_<name>` on the screen: each binding has one, and no two controls claim one."""
    from coprod_tui.tui.board.screen import CONTROLS, BoardScreen

    for binding in BoardScreen.BINDINGS:
        assert callable(getattr(BoardScreen, "action_" + binding.action.split("(")[0], None)), binding.action
    claimed = [action for control in CONTROLS for action in control.actions()]
    assert len(claimed) == len(set(claimed))
    for control in CONTROLS:
        assert control.WRITES <= control.actions(), control


async def test_the_undo_keys_follow_the_hub_whoever_changes_it(make_session, app_factory):
    """A change applied elsewhere (a method screen, a dialog: straight to the hub) lights the footer's undo key; its
    undo, applied the same way, dims undo again and lights redo."""
    from textual.widgets._footer import FooterKey

    from coprod_tui.core.commands import AddCard, CardDraft, Undo
    from coprod_tui.core.model import Kind

    def enabled(action: str) -> bool | None:
        keys = [k for k in app.screen.query(FooterKey) if k.action == action]
        return not keys[0].has_class("-disabled") if keys else None

    app = app_factory(make_session())
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        await settle(pilot, lambda: enabled("undo") is False)
        app.hub.apply(AddCard(card=CardDraft(kind=Kind.PROBLEM, text="Told on another screen")))
        await settle(pilot, lambda: enabled("undo") is True)
        app.hub.apply(Undo())
        await settle(pilot, lambda: enabled("undo") is False)
        assert app.screen.check_action("redo", ()) is True
