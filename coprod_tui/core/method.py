"""The co-production method the app carries: the ladder, the principles and their statements, the scoring scale.

All wording is ours. The frameworks it draws on are credited wherever they are shown (screen and exports):
`CREDITS` is the one place those credits are written. Statement ids are stable keys in session files: reword a
statement freely, but never reuse an id for a different idea.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rung:
    number: int  # 1 (lowest) … 7
    name: str
    meaning: str


# The ladder of co-production, lowest rung first (TLAP and its National Co-production Advisory Group, after Arnstein).
LADDER: tuple[Rung, ...] = (
    Rung(1, "Coercion", "People are present but have no influence; nothing changes because of them."),
    Rung(2, "Educating", "People are helped to understand how things work, and that is all."),
    Rung(3, "Informing", "People are told what has already been decided, and why."),
    Rung(4, "Consultation", "People's views are asked for; often nothing can change as a result."),
    Rung(5, "Engagement", "People have more chances to give views and some influence, within set limits."),
    Rung(6, "Co-design", "People shape the design with real influence, but are not part of delivering it."),
    Rung(7, "Co-production", "Equal partners from defining the problem through design, delivery and review."),
)


@dataclass(frozen=True)
class Statement:
    id: str
    text: str


@dataclass(frozen=True)
class Principle:
    id: str
    name: str
    summary: str
    statements: tuple[Statement, ...]


PRINCIPLES: tuple[Principle, ...] = (
    Principle("equality", "Equality", "Everyone brings something of value, and power is shared.", (
        Statement("eq1", "People who use services and carers have as much say in decisions as staff."),
        Statement("eq2", "Lived experience is valued as highly as professional knowledge."),
        Statement("eq3", "Decisions are made together here, not beforehand or somewhere else."),
    )),
    Principle("diversity", "Diversity", "We reach out, and we notice who is missing.", (
        Statement("di1", "We actively seek out people whose voices are seldom heard."),
        Statement("di2", "When someone is missing from the room, we notice and act on it."),
        Statement("di3", "The people involved reflect the communities the service is for."),
    )),
    Principle("accessibility", "Accessibility", "Everyone can take part in a way that works for them.", (
        Statement("ac1", "Everyone can take part in a way that suits them: format, time, place and support."),
        Statement("ac2", "Papers arrive in good time, in plain words and in the formats people need."),
        Statement("ac3", "Access needs are asked about beforehand, and they are met."),
    )),
    Principle("reciprocity", "Reciprocity", "People get something back for what they give.", (
        Statement("re1", "People get something back for taking part: payment, learning, skills or contacts."),
        Statement("re2", "Expenses are repaid promptly, and payment is offered where it is right to."),
        Statement("re3", "People's time and expertise are treated as being worth as much as staff time."),
    )),
    Principle("feedback", "Feedback and review", "We say what changed, and review how we work together.", (
        Statement("fb1", "We tell people what changed because of them, and what did not and why."),
        Statement("fb2", "We regularly review together how well we work as partners."),
        Statement("fb3", "People who use services and carers help decide what happens next."),
    )),
)

STATEMENTS: dict[str, Statement] = {s.id: s for p in PRINCIPLES for s in p.statements}
PRINCIPLE_OF: dict[str, Principle] = {s.id: p for p in PRINCIPLES for s in p.statements}

# The scale: 1–4, and 0 for "don't know" (kept, but never averaged).
DONT_KNOW = 0
SCALE: dict[int, str] = {1: "Not yet", 2: "Made a start", 3: "Getting there", 4: "Doing really well",
                         DONT_KNOW: "Don't know"}

# Where people who use services or carers score a principle this much lower than staff, that gap is the finding.
GAP_THRESHOLD = 0.5

CREDITS: tuple[str, ...] = (
    "Ladder of co-production: Think Local Act Personal (TLAP) and its National Co-production Advisory Group, "
    "after Arnstein's ladder of citizen participation (1969).",
    "Principles: equality, diversity, accessibility and reciprocity after SCIE Guide 51; feedback and review after "
    "NHS England, Working in partnership with people and communities (2022).",
    "Scoring 1–4 with \"don't know\", several viewpoints compared: in the spirit of the self-reflection tool "
    "Co-production: how are you doing? (2011). Statements are coprod-tui's own wording.",
)

RECOGNITION = {
    "expenses": "Expenses repaid",
    "payment": "Involvement payment",
    "voucher": "Voucher or gift",
    "other": "Other recognition",
    "none": "None offered",
}
