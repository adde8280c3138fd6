"""The appraisal: what the room's self-reflection answers say, and how they moved since an earlier session.

Honest over flattering: averages per principle ignore "don't know" (counted separately, since many "don't know"s
are a finding too); the spread by role is shown for every principle, and where people who use services or carers
score a principle at least GAP_THRESHOLD lower than staff do, that gap is flagged — it is usually the most
important thing the exercise finds. With only one role answering there is no spread to compare, and the appraisal
says so rather than inventing one.

Every figure is worked out from the answers unrounded — a gap or a movement is the difference of the exact means —
and rounded once, for display, by `tenths` (one decimal, half up on the value as written: 2.25 → 2.3). The screen
and every export write figures through `number`, `signed`, `gap_words` and `moved`, so they always say the same
numbers. A gap sentence may therefore differ by 0.1 from the difference of the two rounded means beside it (true
means 1.83 and 3.17: "1.3 lower (1.8 vs 3.2)"): the gap is the true one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from coprod_tui.core.method import DONT_KNOW, GAP_THRESHOLD, PRINCIPLE_OF, PRINCIPLES, STATEMENTS, Statement
from coprod_tui.core.model import Role, Session

PRINCIPLE_NAMES = {p.id: p.name for p in PRINCIPLES}
LIVED = (Role.PEOPLE, Role.CARERS)
LOWEST = 3
TENTH = Decimal("0.1")
MISSING = "–"
MINUS = "\u2212"


# -- the one display rounding --------------------------------------------------------------------------------------

def tenths(value: float) -> Decimal:
    """`value` rounded once for display: one decimal, half up on the value as written (2.25 → 2.3, 2.65 → 2.7;
    never −0.0)."""
    rounded = Decimal(repr(float(value))).quantize(TENTH, rounding=ROUND_HALF_UP)
    return abs(rounded) if not rounded else rounded


def number(value: float | None, missing: str = MISSING) -> str:
    """A figure with one decimal (a real minus sign when below zero); `missing` when there is none."""
    if value is None:
        return missing
    shown = tenths(value)
    return f"{MINUS}{-shown}" if shown < 0 else str(shown)


def signed(value: float) -> str:
    """A change with its sign: +0.5 / −0.3 / 0.0."""
    shown = tenths(value)
    return f"+{shown}" if shown > 0 else number(value)


@dataclass
class Score:
    """A mean of 1–4 scores (None when nobody scored it) and how many answers it rests on."""

    total: int = 0
    answered: int = 0
    dont_know: int = 0

    def add(self, score: int) -> None:
        if score == DONT_KNOW:
            self.dont_know += 1
        else:
            self.total += score
            self.answered += 1

    @property
    def mean(self) -> float | None:
        return self.total / self.answered if self.answered else None


@dataclass(frozen=True)
class Gap:
    principle: str
    role: Role
    theirs: float
    staff: float

    @property
    def size(self) -> float:
        """Staff's mean minus theirs, unrounded (round it only to show it: `gap_words`)."""
        return self.staff - self.theirs


def gap_words(gap: Gap) -> str:
    """A gap in plain words, as the screen and the reports write it: "Carers score Reciprocity 1.3 lower than staff
    (1.8 vs 3.2)". The size is the unrounded difference, rounded once."""
    return (f"{gap.role.label} score {PRINCIPLE_NAMES[gap.principle]} {number(gap.size)} lower than staff "
            f"({number(gap.theirs)} vs {number(gap.staff)})")


@dataclass
class Ladder:
    """Where the work is now and where it should be, as mean rungs (1–7)."""

    now: Score = field(default_factory=Score)
    target: Score = field(default_factory=Score)


@dataclass
class Appraisal:
    responses: int
    roles: Counter
    principles: dict[str, Score]
    by_role: dict[Role, dict[str, Score]]
    staff: dict[str, Score]  # practitioners and commissioners together
    statements: dict[str, Score]
    lowest: list[tuple[Statement, float]]
    gaps: list[Gap]
    ladder: Ladder
    ladder_by_role: dict[Role, Ladder]

    @property
    def single_role(self) -> bool:
        return len(self.roles) <= 1

    @property
    def roles_in_order(self) -> list[Role]:
        """The roles that answered, in Role's order (people who use services first): how every output lists them."""
        return [role for role in Role if self.roles.get(role)]


def appraise(session: Session) -> Appraisal:
    answers = sorted(session.reflections.values(), key=lambda r: (r.get("created", ""), r.get("id", "")))
    principles = {p.id: Score() for p in PRINCIPLES}
    statements = {s: Score() for s in STATEMENTS}
    by_role: dict[Role, dict[str, Score]] = {}
    staff = {p.id: Score() for p in PRINCIPLES}
    ladder, ladder_by_role = Ladder(), {}
    roles: Counter = Counter()
    for answer in answers:
        role = Role.parse(answer.get("role") or Role.OTHER)
        roles[role] += 1
        mine = by_role.setdefault(role, {p.id: Score() for p in PRINCIPLES})
        for statement, score in (answer.get("scores") or {}).items():
            principle = PRINCIPLE_OF.get(statement)
            if principle is None:
                continue  # a statement retired since: its answers stay in the file, out of the figures
            for bucket in (principles[principle.id], statements[statement], mine[principle.id]):
                bucket.add(int(score))
            if role.is_staff:
                staff[principle.id].add(int(score))
        rungs = ladder_by_role.setdefault(role, Ladder())
        for value, overall, own in ((answer.get("ladder_now"), ladder.now, rungs.now),
                                    (answer.get("ladder_target"), ladder.target, rungs.target)):
            if value:
                overall.add(int(value))
                own.add(int(value))
    scored = [(STATEMENTS[s], score.mean) for s, score in statements.items() if score.mean is not None]
    lowest = sorted(scored, key=lambda pair: (pair[1], pair[0].id))[:LOWEST]
    return Appraisal(responses=len(answers), roles=roles, principles=principles, by_role=by_role, staff=staff,
                     statements=statements, lowest=lowest, gaps=_gaps(by_role, staff), ladder=ladder,
                     ladder_by_role=ladder_by_role)


def _gaps(by_role: dict[Role, dict[str, Score]], staff: dict[str, Score]) -> list[Gap]:
    found = []
    for principle in PRINCIPLES:
        staff_mean = staff[principle.id].mean
        if staff_mean is None:
            continue
        for role in LIVED:
            theirs = by_role.get(role, {}).get(principle.id)
            # a tolerance: 13/6 - 5/3 is exactly 0.5 but comes out as 0.4999… in floating point
            if theirs is not None and theirs.mean is not None and staff_mean - theirs.mean >= GAP_THRESHOLD - 1e-9:
                found.append(Gap(principle.id, role, theirs.mean, staff_mean))
    return sorted(found, key=lambda g: -g.size)


@dataclass(frozen=True)
class Movement:
    """One figure then and now (None where a session had no answer for it)."""

    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        """After minus before, unrounded (None when either is missing)."""
        return None if self.before is None or self.after is None else self.after - self.before


def moved(move: Movement) -> str | None:
    """How a figure moved, rounded once: "▲ +0.5", "▼ −0.3", "=" (no change at one decimal); None when not
    comparable (a session had no figure for it)."""
    change = move.change
    if change is None:
        return None
    shown = tenths(change)
    if not shown:
        return "="
    return f"▲ {signed(change)}" if shown > 0 else f"▼ {signed(change)}"


@dataclass
class Progress:
    """An earlier and a later self-reflection of the same programme, side by side."""

    principles: dict[str, Movement]
    ladder_now: Movement
    ladder_target: Movement
    responses: tuple[int, int]


def compare_appraisals(earlier: Appraisal, later: Appraisal) -> Progress:
    return Progress(
        principles={p.id: Movement(earlier.principles[p.id].mean, later.principles[p.id].mean) for p in PRINCIPLES},
        ladder_now=Movement(earlier.ladder.now.mean, later.ladder.now.mean),
        ladder_target=Movement(earlier.ladder.target.mean, later.ladder.target.mean),
        responses=(earlier.responses, later.responses),
    )
