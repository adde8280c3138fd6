"""Helpers for the tests of the method's screens (test_tui_method*.py): answers, plan actions, pushing a screen.

Sessions come from conftest's `make_session` (fixed ids and clock). Setup changes are applied to the session file
before the app opens it (`prepare`), or to the app's live hub while a screen is shown (to check it follows the hub).
Phone answers are sent in the reflection phase with a phone id and Source.PHONE, as the web handler sends them.
"""

from __future__ import annotations


from support.app import open_board, screen_text, settle
from coprod_tui.core.commands import Source
from coprod_tui.core.commands import ActionDraft, AddAction, SubmitReflection
from coprod_tui.core.commands import SetPhase

REFLECTION_PHASE = 5  # index of the default "Reflection" phase
PHONE_1, PHONE_2 = "phone-one-000000001", "phone-two-000000002"


def answer(role: str, now: int | None = None, target: int | None = None, *, evidence: dict[str, str] | None = None,
           participant: str | None = None, **scores: int) -> SubmitReflection:
    """One person's answers (typed in by the facilitator unless a phone id is given)."""
    return SubmitReflection(role=role, ladder_now=now, ladder_target=target, scores=scores, evidence=evidence or {},
                            participant=participant, source=Source.PHONE if participant else Source.FACILITATOR)


def action(what: str, **fields) -> AddAction:
    return AddAction(action=ActionDraft(what=what, **fields))


async def show(pilot, screen, ready=lambda screen: True):
    """Open the board, push `screen` over it (as the board's keys will) and wait until it is drawn."""
    await open_board(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot, lambda: pilot.app.screen is screen and screen.is_mounted and ready(screen))
    await pilot.pause()
    return screen


async def wait_for(pilot, kind):
    await settle(pilot, lambda: isinstance(pilot.app.screen, kind))
    await pilot.pause()
    return pilot.app.screen


def shown(app) -> str:
    return screen_text(app)


__all__ = ["PHONE_1", "PHONE_2", "REFLECTION_PHASE", "SetPhase", "action", "answer", "prepare", "show", "shown",
           "wait_for"]
