"""Compare two sessions of one programme, months apart: which problems persist, which are new, whose voices grew.

A co-production programme meets again to ask "did anything change?". Cards are matched one-to-one, per kind, by
text similarity (`similarity.match`: the measure and its threshold are explained there), and notes are counted per
group and per role so a commissioner sees whether, say, carers' voices grew or shrank.

Hidden cards count like the others: hiding only keeps a note off the phones, and it was still raised in the room.

Plans: `Comparison.plan` lists the earlier session's actions with whether each was done (marked in the earlier
session, where the action lives), and the later session's actions: those that take up an earlier action again
(matched by the words of "what", like notes) and those that are new. A session without a plan says so; nothing is
invented.

Pure data in, pure data out: no I/O, no Textual. Showing or exporting a comparison is for the front ends.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from coprod_tui.core.localtime import parse_stamp
from coprod_tui.core.model import Card, Group, Kind, Role, Session
from coprod_tui.core.reading.similarity import THRESHOLD, match
from coprod_tui.core.reading.yousaid import Action, plan_actions


@dataclass(frozen=True)
class Pair:
    """A card of the earlier session recognised in the later one."""

    earlier: Card
    later: Card
    score: float  # 0..1; 1.0 when the normalised texts are equal

    @property
    def same(self) -> bool:
        return self.score >= 1.0


@dataclass(frozen=True)
class KindComparison:
    """One column (problems, options or contributions) compared. Lists keep each session's board order."""

    kind: Kind
    persisting: tuple[Pair, ...]
    only_earlier: tuple[Card, ...]  # for problems: no longer raised
    only_later: tuple[Card, ...]  # new

    @property
    def earlier_count(self) -> int:
        return len(self.persisting) + len(self.only_earlier)

    @property
    def later_count(self) -> int:
        return len(self.persisting) + len(self.only_later)


@dataclass(frozen=True)
class GroupCount:
    """Notes by one group in each session. A group is the same across sessions by name, else by role."""

    earlier_name: str | None
    later_name: str | None
    earlier_role: Role | None
    later_role: Role | None
    earlier: int
    later: int


@dataclass(frozen=True)
class RoleCount:
    """Notes by everyone speaking in one role (None: notes with no group). Survives renamed groups."""

    role: Role | None
    earlier: int
    later: int


@dataclass(frozen=True)
class Balance:
    """Whose voices were heard, then and now. Both views are kept: groups are what the facilitator set up (and may be
    renamed between sessions), roles are what a commissioner asks about ("did carers say less this time?")."""

    groups: tuple[GroupCount, ...]
    roles: tuple[RoleCount, ...]
    earlier_total: int
    later_total: int


@dataclass(frozen=True)
class Carried:
    """An earlier action taken up again in the later plan (often: not done then, tried again)."""

    earlier: Action
    later: Action
    score: float  # as Pair.score


@dataclass(frozen=True)
class PlanComparison:
    """Which plan actions were done. `earlier` and `later` are each plan in the order the actions were added."""

    earlier: tuple[Action, ...] = ()
    later: tuple[Action, ...] = ()
    carried: tuple[Carried, ...] = ()
    earlier_review: str = ""  # the earlier plan's review date (YYYY-MM-DD or "")
    later_review: str = ""

    @property
    def earlier_has_plan(self) -> bool:
        return bool(self.earlier)

    @property
    def later_has_plan(self) -> bool:
        return bool(self.later)

    @property
    def available(self) -> bool:
        return self.earlier_has_plan or self.later_has_plan

    @property
    def done(self) -> tuple[Action, ...]:
        return tuple(a for a in self.earlier if a.done)

    @property
    def not_done(self) -> tuple[Action, ...]:
        return tuple(a for a in self.earlier if not a.done)

    @property
    def new(self) -> tuple[Action, ...]:
        """The later plan's actions that take up no earlier one."""
        taken = {c.later.id for c in self.carried}
        return tuple(a for a in self.later if a.id not in taken)

    def carried_into(self, earlier_id: int) -> Carried | None:
        return next((c for c in self.carried if c.earlier.id == earlier_id), None)


def compare_plans(earlier: Session, later: Session) -> PlanComparison:
    first, second = plan_actions(earlier), plan_actions(later)
    pairs = match([a.what for a in first], [a.what for a in second])
    return PlanComparison(earlier=tuple(first), later=tuple(second),
                          carried=tuple(Carried(first[i], second[j], round(score, 3)) for i, j, score in pairs),
                          earlier_review=earlier.meta.review_date, later_review=later.meta.review_date)


@dataclass(frozen=True)
class Comparison:
    """Everything the compare screen (and, later, an export) shows; plain data, so both render the same facts."""

    earlier: Session
    later: Session
    swapped: bool  # the sessions were given newest first and have been put in date order
    kinds: dict[Kind, KindComparison]
    balance: Balance
    plan: PlanComparison = field(default_factory=PlanComparison)
    gap_days: int | None = None  # days between the two sessions' creation; None if a date is unreadable
    threshold: float = THRESHOLD


def compare(earlier: Session, later: Session) -> Comparison:
    """Compare two sessions, oldest first whatever order they are given in."""
    first, second = parse_stamp(earlier.meta.created), parse_stamp(later.meta.created)
    swapped = first is not None and second is not None and second < first
    if swapped:
        earlier, later = later, earlier
        first, second = second, first
    gap = (second - first).days if first is not None and second is not None else None
    kinds = {kind: match_cards(kind, earlier.column(kind), later.column(kind)) for kind in Kind}
    return Comparison(earlier=earlier, later=later, swapped=swapped, kinds=kinds,
                      balance=balance(earlier, later), plan=compare_plans(earlier, later), gap_days=gap)


def match_cards(kind: Kind, earlier: list[Card], later: list[Card]) -> KindComparison:
    """One-to-one matching of two columns (each in board order)."""
    pairs = match([c.text for c in earlier], [c.text for c in later])
    matched_e = {i for i, _, _ in pairs}
    matched_l = {j for _, j, _ in pairs}
    return KindComparison(
        kind=kind,
        persisting=tuple(Pair(earlier[i], later[j], round(score, 3)) for i, j, score in pairs),
        only_earlier=tuple(c for i, c in enumerate(earlier) if i not in matched_e),
        only_later=tuple(c for j, c in enumerate(later) if j not in matched_l),
    )


def balance(earlier: Session, later: Session) -> Balance:
    """Notes per group and per role in each session, so a shrinking voice is visible at a glance."""
    e_counts = _group_counts(earlier)
    l_counts = _group_counts(later)
    e_groups = sorted(earlier.groups.values(), key=lambda g: g.id)
    left = {g.id: g for g in sorted(later.groups.values(), key=lambda g: g.id)}
    twins: dict[int, Group] = {}
    for group in e_groups:  # the same name first: a renamed group must not take a same-named group's place
        twin = next((g for g in left.values() if g.name.casefold() == group.name.casefold()), None)
        if twin is not None:
            twins[group.id] = left.pop(twin.id)
    for group in e_groups:
        twin = next((g for g in left.values() if g.role is group.role), None) if group.id not in twins else None
        if twin is not None:
            twins[group.id] = left.pop(twin.id)
    rows: list[GroupCount] = []
    for group in e_groups:  # in the earlier session's order, then groups new in the later one
        twin = twins.get(group.id)
        rows.append(GroupCount(group.name, twin.name if twin else None, group.role, twin.role if twin else None,
                               e_counts.get(group.id, 0), l_counts.get(twin.id, 0) if twin else 0))
    for twin in left.values():
        rows.append(GroupCount(None, twin.name, None, twin.role, 0, l_counts.get(twin.id, 0)))
    if e_counts.get(None) or l_counts.get(None):
        rows.append(GroupCount(None, None, None, None, e_counts.get(None, 0), l_counts.get(None, 0)))

    e_roles = _role_counts(earlier, e_counts)
    l_roles = _role_counts(later, l_counts)
    roles = tuple(RoleCount(role, e_roles.get(role, 0), l_roles.get(role, 0))
                  for role in (*Role, None) if role in e_roles or role in l_roles)
    return Balance(groups=tuple(rows), roles=roles, earlier_total=len(earlier.cards), later_total=len(later.cards))


def _group_counts(session: Session) -> dict[int | None, int]:
    """Notes per group id; notes of no group (or of a group that no longer exists) count under None."""
    counts: dict[int | None, int] = {}
    for card in session.cards.values():
        key = card.group_id if card.group_id in session.groups else None
        counts[key] = counts.get(key, 0) + 1
    return counts


def _role_counts(session: Session, counts: dict[int | None, int]) -> dict[Role | None, int]:
    """Notes per role. Every role in the room is listed, even with no notes: a silent role is a finding."""
    roles: dict[Role | None, int] = {g.role: 0 for g in session.groups.values()}
    for group_id, n in counts.items():
        role = session.groups[group_id].role if group_id is not None else None
        roles[role] = roles.get(role, 0) + n
    return roles
