"""The plan read back, what each action serves, and "you said, we did" as plain data.

An action comes from a card: a contribution (which serves options) or an option (which addresses problems). Following
those links tells which ideas and problems an action answers; that is what a commissioner reads in the plan, what the
compare screen checks off months later, and what participants are told in "you said, we did".

Links may point into a cluster (a note folded into a cluster after it was linked): such a card counts as its cluster,
because the cluster is what the room sees as one note. Plan records are read tolerantly (a hand-edited file may miss
a field or hold an unknown role): a reader never fails on them.

Pure data in, pure data out: no I/O, no Textual. Exports and screens render it.
"""

from __future__ import annotations

from dataclasses import dataclass

from coprod_tui.core.errors import ValidationError
from coprod_tui.core.model import Card, Group, Kind, Role, Session


@dataclass(frozen=True)
class Action:
    """One action of the plan (see handlers/method.py `_action_record` for the record it comes from)."""

    id: int
    what: str
    who: str = ""
    who_role: Role | None = None
    by: str = ""
    resources: str = ""
    recognition: str = ""
    recognition_note: str = ""
    access: str = ""
    feedback: str = ""
    card_id: int | None = None
    done: bool = False
    done_at: str = ""
    note: str = ""

    @classmethod
    def from_record(cls, rec: dict) -> Action:
        def text(name: str) -> str:
            value = rec.get(name)
            return value if isinstance(value, str) else ""

        try:
            role = Role.parse(rec["who_role"]) if rec.get("who_role") else None
        except ValidationError:
            role = Role.OTHER
        card = rec.get("card")
        return cls(id=_int(rec.get("id")), what=text("what"), who=text("who"), who_role=role, by=text("by"),
                   resources=text("resources"), recognition=text("recognition"),
                   recognition_note=text("recognition_note"), access=text("access"), feedback=text("feedback"),
                   card_id=_int(card) if card is not None else None, done=bool(rec.get("done")),
                   done_at=text("done_at"), note=text("note"))


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0


def plan_actions(session: Session) -> list[Action]:
    """Every action of the session's plan, in the order they were added."""
    actions = [Action.from_record(rec) for rec in session.plan.values() if isinstance(rec, dict)]
    return sorted(actions, key=lambda a: a.id)


def top(session: Session, card_id: int | None) -> Card | None:
    """The card as the room sees it: itself, or the cluster it was folded into. None if it no longer exists."""
    card = session.cards.get(card_id) if card_id is not None else None
    if card is not None and card.cluster is not None:
        return session.cards.get(card.cluster, card)
    return card


def _targets(session: Session, card: Card, kind: Kind) -> list[Card]:
    """The cards of `kind` that `card` links to, as the room sees them (clusters for members), each once."""
    found: dict[int, Card] = {}
    for target_id in card.links:
        target = top(session, target_id)
        if target is not None and target.kind is kind:
            found.setdefault(target.id, target)
    return sorted(found.values(), key=lambda c: (c.order, c.id))


@dataclass(frozen=True)
class Serves:
    """Where an action comes from and what it answers."""

    card: Card | None  # the contribution or option it comes from (None: none given, or deleted)
    missing: bool  # a card was given but no longer exists
    options: tuple[Card, ...]
    problems: tuple[Card, ...]


def serves(session: Session, action: Action) -> Serves:
    card = top(session, action.card_id)
    if card is None:
        return Serves(None, action.card_id is not None, (), ())
    if card.kind is Kind.OPTION:
        options = [card]
    elif card.kind is Kind.CONTRIBUTION:
        options = _targets(session, card, Kind.OPTION)
    else:  # a problem (only a hand-edited file has one): it answers that problem directly
        return Serves(card, False, (), (card,))
    problems: dict[int, Card] = {}
    for option in options:
        for problem in _targets(session, option, Kind.PROBLEM):
            problems.setdefault(problem.id, problem)
    return Serves(card, False, tuple(options),
                  tuple(sorted(problems.values(), key=lambda c: (c.order, c.id))))


# -- you said, we did ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Item:
    """A problem or an idea raised in the room (a cluster counts as one), and what became of it."""

    card: Card
    groups: tuple[Group, ...]  # who raised it: groups, never people
    done: tuple[Action, ...]  # done first when listed: the oldest done first
    planned: tuple[Action, ...]  # not done yet, soonest "by" date first (no date last)
    response: str  # the facilitator's words about it ("" if none yet)

    @property
    def actions(self) -> tuple[Action, ...]:
        return self.done + self.planned

    @property
    def open(self) -> bool:
        """Something about it is not done (yet): nothing was done, or some of what was planned is still to do."""
        return not self.done or bool(self.planned)


@dataclass(frozen=True)
class ProblemBlock:
    problem: Item
    options: tuple[Item, ...]  # the ideas that address it, in board order


@dataclass(frozen=True)
class YouSaid:
    problems: tuple[ProblemBlock, ...]
    other_options: tuple[Item, ...]  # ideas that address no problem
    review_date: str


def shown(card: Card) -> bool:
    """Raised in the room and still in front of it: top-level (a cluster counts as one), not held back, not parked
    after a breakout, not hidden by moderation."""
    return card.on_board and not card.hidden


def _groups(session: Session, card: Card) -> tuple[Group, ...]:
    cards = session.members(card.id) if card.is_cluster else [card]
    found: dict[int, Group] = {}
    for member in cards:
        group = session.group_of(member)
        if group is not None:
            found.setdefault(group.id, group)
    return tuple(sorted(found.values(), key=lambda g: g.id))


def _item(session: Session, card: Card, actions: list[Action]) -> Item:
    unique = {a.id: a for a in actions}.values()
    done = sorted((a for a in unique if a.done), key=lambda a: (a.done_at or "9999", a.id))
    planned = sorted((a for a in unique if not a.done), key=lambda a: (a.by or "9999", a.id))
    record = session.responses.get(str(card.id))
    text = record.get("text") if isinstance(record, dict) else None
    response = text.strip() if isinstance(text, str) else ""
    return Item(card, _groups(session, card), tuple(done), tuple(planned), response)


def you_said_we_did(session: Session) -> YouSaid:
    """Every problem raised, with the ideas for it; then the ideas that address no problem."""
    by_option: dict[int, list[Action]] = {}
    by_problem: dict[int, list[Action]] = {}
    for action in plan_actions(session):
        what = serves(session, action)
        for option in what.options:
            by_option.setdefault(option.id, []).append(action)
        for problem in what.problems:
            by_problem.setdefault(problem.id, []).append(action)
    options = [c for c in session.column(Kind.OPTION) if shown(c)]
    placed: set[int] = set()
    blocks = []
    for problem in (c for c in session.column(Kind.PROBLEM) if shown(c)):
        ideas = [o for o in options if problem.id in {t.id for t in _targets(session, o, Kind.PROBLEM)}]
        placed.update(o.id for o in ideas)
        blocks.append(ProblemBlock(_item(session, problem, by_problem.get(problem.id, [])),
                                   tuple(_item(session, o, by_option.get(o.id, [])) for o in ideas)))
    others = tuple(_item(session, o, by_option.get(o.id, [])) for o in options if o.id not in placed)
    return YouSaid(tuple(blocks), others, session.meta.review_date)


__all__ = ["Action", "Item", "ProblemBlock", "Serves", "YouSaid", "plan_actions", "serves", "shown", "top",
           "you_said_we_did"]
