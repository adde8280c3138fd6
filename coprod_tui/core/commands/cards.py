"""Commands that edit the board itself: cards, links, groups, the session's title, moderation, undo and redo."""

from __future__ import annotations

from dataclasses import dataclass

from coprod_tui.core.commands.base import Command
from coprod_tui.core.model import Kind


@dataclass(frozen=True, kw_only=True)
class CardDraft:
    """A card not yet on the board (a CSV row, a phone note, the add dialog)."""

    kind: Kind
    text: str
    group_id: int | None = None
    author: str | None = None
    participant: str | None = None  # the phone's random id (phones only)


@dataclass(frozen=True, kw_only=True)
class AddCard(Command):
    card: CardDraft


@dataclass(frozen=True, kw_only=True)
class ImportCards(Command):
    """Several cards as one change (one undo step): notes typed up from paper."""

    cards: tuple[CardDraft, ...]


@dataclass(frozen=True, kw_only=True)
class EditCard(Command):
    card_id: int
    text: str
    author: str | None = None


@dataclass(frozen=True, kw_only=True)
class DeleteCard(Command):
    card_id: int


@dataclass(frozen=True, kw_only=True)
class MoveCard(Command):
    """Move a card to another column; links that no longer make sense there are dropped (and come back on undo)."""

    card_id: int
    kind: Kind


@dataclass(frozen=True, kw_only=True)
class SwapCards(Command):
    """Reorder: the card takes its neighbour's place. The front end names the neighbour it shows (view-dependent)."""

    card_id: int
    other_id: int


@dataclass(frozen=True, kw_only=True)
class SetCardGroup(Command):
    card_id: int
    group_id: int | None


@dataclass(frozen=True, kw_only=True)
class ToggleLink(Command):
    """Link (or unlink) an option to a problem it addresses, or a contribution to an option it serves."""

    card_id: int
    target_id: int


@dataclass(frozen=True, kw_only=True)
class AddGroup(Command):
    name: str
    role: str
    colour: str | None = None


@dataclass(frozen=True, kw_only=True)
class EditGroup(Command):
    group_id: int
    name: str | None = None
    role: str | None = None
    colour: str | None = None


@dataclass(frozen=True, kw_only=True)
class EditSession(Command):
    title: str | None = None
    question: str | None = None
    programme: str | None = None


@dataclass(frozen=True, kw_only=True)
class HideCard(Command):
    """Moderation: a hidden card stays in the file (and on the facilitator's board, marked) but not on phones."""

    card_id: int
    hidden: bool = True


@dataclass(frozen=True, kw_only=True)
class SetSubmissions(Command):
    """Open or close the session to phones: closed, phones see it and nothing they send is stored."""

    open: bool


@dataclass(frozen=True, kw_only=True)
class RotateTokens(Command):
    """New join tokens for everyone and every group: old QR codes stop working at once."""


@dataclass(frozen=True, kw_only=True)
class Undo(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class Redo(Command):
    pass
