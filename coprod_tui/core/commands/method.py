"""Commands of the co-production method: the self-reflection, the practical plan, and "you said, we did".

The self-reflection is anonymous by default: an answer keeps a role, never a name. From a phone it is keyed by the
phone's random id, so answering again replaces that phone's answer instead of counting it twice; the facilitator
can type answers for someone (each becomes an answer of its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coprod_tui.core.commands.base import Command


@dataclass(frozen=True, kw_only=True)
class SubmitReflection(Command):
    role: str
    ladder_now: int | None = None  # 1–7, None: not answered
    ladder_target: int | None = None
    scores: dict[str, int] = field(default_factory=dict)  # statement id → 1..4, or 0 for "don't know"
    evidence: dict[str, str] = field(default_factory=dict)  # statement id → an optional note
    participant: str | None = None  # phones: replaces this phone's earlier answer


@dataclass(frozen=True, kw_only=True)
class DeleteReflection(Command):
    reflection_id: str


@dataclass(frozen=True, kw_only=True)
class ActionDraft:
    """One action of the plan: what, who (non-staff partners too), by when, with what, how people are recognised,
    access needs, how results are fed back; and the card it comes from (a contribution or an option)."""

    what: str
    who: str = ""
    who_role: str | None = None
    by: str = ""  # YYYY-MM-DD or empty
    resources: str = ""
    recognition: str = ""  # one of method.RECOGNITION, or empty; never an amount (amounts change every April)
    recognition_note: str = ""
    access: str = ""
    feedback: str = ""
    card_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class AddAction(Command):
    action: ActionDraft


@dataclass(frozen=True, kw_only=True)
class EditAction(Command):
    action_id: int
    action: ActionDraft


@dataclass(frozen=True, kw_only=True)
class DeleteAction(Command):
    action_id: int


@dataclass(frozen=True, kw_only=True)
class SetActionDone(Command):
    action_id: int
    done: bool = True
    note: str | None = None  # what happened (kept with the action; used in "you said, we did")


@dataclass(frozen=True, kw_only=True)
class SetReviewDate(Command):
    date: str  # YYYY-MM-DD, or "" to clear


@dataclass(frozen=True, kw_only=True)
class SetResponse(Command):
    """The facilitator's words to participants about one problem or option: what changed, or why it did not."""

    card_id: int
    text: str
