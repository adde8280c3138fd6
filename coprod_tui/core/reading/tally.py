"""Counting the room: vote results (rolled up to clusters, split by group and role), the balance of voices, and
who said "I'm done".

Co-production is about whose voice counts, so every total comes with its split: a card's votes by group and by role,
the notes and votes of each group and role on the board. Pure functions of a Session; the board, the phones and the
exports all count the same way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from coprod_tui.core.model import Card, Kind, Role, Session
from coprod_tui.core.running import Voting


@dataclass
class CardTally:
    card: Card
    total: int = 0
    by_group: Counter = field(default_factory=Counter)  # group id (None: a phone with no group) → dots
    by_role: Counter = field(default_factory=Counter)  # Role (None: no group) → dots

    def roles_most_first(self) -> list[tuple[Role | None, int]]:
        """Whose priority this card is: (role, dots), most dots first; ties in the order the votes were counted."""
        return self.by_role.most_common()


def counted_card(session: Session, card_id: int) -> Card | None:
    """The card a dot on `card_id` counts for: the card itself, or the cluster it was folded into."""
    card = session.cards.get(card_id)
    if card is not None and card.cluster is not None:
        return session.cards.get(card.cluster)
    return card


def in_vote(session: Session, card: Card, voting: Voting) -> bool:
    """Still in the vote: of the round's kind and on the board, or folded into a cluster that is. A dot on a note
    that left the vote (hidden, parked, moved) no longer counts against a phone's allowance, and can be taken back."""
    if card.hidden or card.held or card.parked or card.kind.value != voting.kind:
        return False
    if card.cluster is not None:
        cluster = session.cards.get(card.cluster)
        return cluster is not None and in_vote(session, cluster, voting)
    return True


def _role_of(session: Session, group_id: int | None) -> Role | None:
    group = session.groups.get(group_id) if group_id is not None else None
    return group.role if group else None


def vote_results(session: Session, round_no: int | None = None) -> list[CardTally]:
    """Every card of the round's kind that is on the board, most votes first (board order breaks ties)."""
    voting = session.meta.voting
    if round_no is None:
        if voting is None:
            return []
        round_no = voting.round
    kind = Kind(voting.kind) if voting is not None and voting.round == round_no else None
    tallies: dict[int, CardTally] = {}
    if kind is not None:
        for card in session.cards.values():
            if card.kind is kind and card.on_board and not card.hidden:
                tallies[card.id] = CardTally(card)
    for record in session.votes.values():
        if int(record.get("round", 0)) != round_no:
            continue
        group_id = record.get("group")
        role = _role_of(session, group_id)
        for card_id, dots in record.get("cards", {}).items():
            card = counted_card(session, int(card_id))
            # Only what the room may see, in the round's column: dots on a note hidden by moderation, parked, or
            # moved to another column since are not shown (voters() still counts them as placed).
            if card is None or card.hidden or not card.on_board or (kind is not None and card.kind is not kind):
                continue
            tally = tallies.setdefault(card.id, CardTally(card))
            tally.total += int(dots)
            tally.by_group[group_id] += int(dots)
            tally.by_role[role] += int(dots)
    return sorted(tallies.values(), key=lambda t: (-t.total, t.card.order, t.card.id))


def voters(session: Session, round_no: int) -> tuple[int, int]:
    """(phones that voted, dots placed) in a round — what the room may know before the reveal."""
    records = [r for r in session.votes.values() if int(r.get("round", 0)) == round_no]
    return len(records), sum(int(n) for r in records for n in r.get("cards", {}).values())


def my_votes(session: Session, round_no: int, participant: str) -> dict[int, int]:
    record = session.votes.get(f"{round_no}:{participant}")
    return {int(k): int(v) for k, v in (record or {}).get("cards", {}).items()}


@dataclass
class Balance:
    """Notes and votes per group and per role: whose voice is in the room, and whose is missing."""

    notes_by_group: Counter = field(default_factory=Counter)
    notes_by_role: Counter = field(default_factory=Counter)
    votes_by_group: Counter = field(default_factory=Counter)
    votes_by_role: Counter = field(default_factory=Counter)

    @property
    def notes(self) -> int:
        return sum(self.notes_by_group.values())

    @property
    def votes(self) -> int:
        return sum(self.votes_by_group.values())


def balance(session: Session) -> Balance:
    """Participants' notes (held ones too: they are written, just not shown yet; not clusters, which the facilitator
    makes, nor notes hidden by moderation) and the dots of the current voting round."""
    result = Balance()
    for card in session.cards.values():
        if card.is_cluster or card.hidden:
            continue
        result.notes_by_group[card.group_id] += 1
        result.notes_by_role[_role_of(session, card.group_id)] += 1
    voting = session.meta.voting
    if voting is not None:
        for record in session.votes.values():
            if int(record.get("round", 0)) == voting.round:
                dots = sum(int(n) for n in record.get("cards", {}).values())
                result.votes_by_group[record.get("group")] += dots
                result.votes_by_role[_role_of(session, record.get("group"))] += dots
    return result


def done_counts(session: Session, phase: int | None = None) -> Counter:
    """Phones that said "I'm done" with a phase (default: the current one), per group id (None: no group)."""
    phase = session.meta.phase if phase is None else phase
    return Counter(r.get("group") for r in session.done.values() if int(r.get("phase", -1)) == phase)


def held_counts(session: Session) -> Counter:
    """Notes held back by hidden writing, per kind: the board says how many are waiting, never what they say."""
    return Counter(c.kind for c in session.cards.values() if c.held and not c.hidden)
