"""What a board cell draws, computed from a session: shared by the live board and the replay, so both draw alike.

Only cards that are `on_board` are cards of their own: held notes (hidden writing), parked notes (a breakout's
leftovers) and the members of a cluster are not. A cluster stands for its members, so a link to a member counts
as a link to the cluster, and the chain in the detail pane shows the cluster, not its folded notes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from coprod_tui.core.model import Card, Kind, Session
from coprod_tui.core.reading.tally import vote_results

# Meta fields that change how cards are drawn (vote totals, breakout pick markers).
DRAWN_META = ("voting", "breakout")


def shown_as(session: Session, card: Card) -> Card:
    """The card that stands for `card` on the board: itself, or the cluster it was folded into."""
    if card.cluster is not None:
        return session.cards.get(card.cluster, card)
    return card


def board_column(session: Session, kind: Kind, group_id: int | None | object = ...) -> list[Card]:
    """The cards of one cell, in board order: only those on the board."""
    return [c for c in session.column(kind, group_id) if c.on_board]


@dataclass
class BoardFacts:
    """Everything about the whole session a cell needs beyond its own cards (computed once per redraw)."""

    linked_from: dict[int, int] = field(default_factory=dict)  # card id -> cards on the board linking to it
    cluster_sizes: dict[int, int] = field(default_factory=dict)  # cluster id -> notes folded into it
    held: Counter = field(default_factory=Counter)  # (kind, group id) -> held notes
    votes: dict[int, int] | None = None  # card id -> dots, when the tallies are revealed
    votes_kind: Kind | None = None
    breakout: bool = False

    def held_in(self, kind: Kind, group_id: int | None | object = ...) -> int:
        if group_id is ...:
            return sum(n for (k, _g), n in self.held.items() if k is kind)
        return self.held.get((kind, group_id), 0)


def board_facts(session: Session) -> BoardFacts:
    facts = BoardFacts(breakout=session.meta.breakout)
    for card in session.cards.values():
        if card.cluster is not None:
            facts.cluster_sizes[card.cluster] = facts.cluster_sizes.get(card.cluster, 0) + 1
        if card.held and not card.hidden:
            facts.held[(card.kind, card.group_id)] += 1
        if not card.on_board:
            continue
        for target_id in set(card.links):
            target = session.cards.get(target_id)
            if target is None:
                continue
            key = shown_as(session, target).id
            facts.linked_from[key] = facts.linked_from.get(key, 0) + 1
    voting = session.meta.voting
    if voting is not None and voting.revealed:
        facts.votes_kind = Kind(voting.kind)
        facts.votes = {t.card.id: t.total for t in vote_results(session)}
    return facts


def chain_links(session: Session, card: Card) -> list[Card]:
    """The cards `card` links to (for a cluster: its own links, which include its members'), as shown."""
    found: dict[int, Card] = {}
    for target_id in card.links:
        target = session.cards.get(target_id)
        if target is not None:
            shown = shown_as(session, target)
            found.setdefault(shown.id, shown)
    return list(found.values())


def chain_back(session: Session, card: Card) -> list[Card]:
    """The cards on the board that link to `card` (or, for a cluster, to it or to any of its members)."""
    ids = {card.id, *(m.id for m in session.members(card.id))} if card.is_cluster else {card.id}
    found: dict[int, Card] = {}
    for other in session.cards.values():
        if not other.on_board or other.id == card.id or not ids & set(other.links):
            continue
        found.setdefault(other.id, other)
    return sorted(found.values(), key=lambda c: (c.order, c.id))
