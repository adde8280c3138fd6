"""The domain model of a co-production session, as plain dataclasses.

No I/O here. Records convert to and from the JSON-ready dicts kept in the session file (`to_record` /
`from_record`); the hub moves whole records in and out of the session, which is what makes undo and replay exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum

from coprod_tui.core.colours import GROUP_COLOURS
from coprod_tui.core.errors import ValidationError
from coprod_tui.core.running import DEFAULT_PHASES, REFLECTION, Phase, Timer, Voting

# 2: phases, hidden writing, voting, clusters, timer, "I'm done" and breakouts (tables `votes` and `done`). A coprod
# that only knows version 1 refuses these files instead of silently dropping the new tables when it saves.
SCHEMA_VERSION = 2
# Tables of plain records (dicts, no model class), as named in the file.
PLAIN_TABLES = ("votes", "done", "reflections", "plan", "responses")


class Kind(str, Enum):
    """The three columns of the board, in the order a session works through them."""

    PROBLEM = "problem"
    OPTION = "option"
    CONTRIBUTION = "contribution"

    @property
    def label(self) -> str:
        return {"problem": "Problems", "option": "Options", "contribution": "Contributions"}[self.value]

    @property
    def singular(self) -> str:
        return self.value.capitalize()

    @property
    def link_target(self) -> Kind | None:
        """What a card of this kind links to: an option addresses problems; a contribution serves options."""
        return {"problem": None, "option": Kind.PROBLEM, "contribution": Kind.OPTION}[self.value]

    @classmethod
    def parse(cls, value: object) -> Kind:
        """Accept 'problem', 'Problems', ' OPTION ' …; refuse anything else with the choices spelled out."""
        if isinstance(value, cls):  # str() of a (str, Enum) member is 'Kind.OPTION' on Python 3.11
            return value
        text = str(value or "").strip().lower()
        for kind in cls:
            if text in (kind.value, kind.value + "s"):
                return kind
        raise ValidationError(f"Unknown kind {str(value)!r}: use problem, option or contribution.")


KINDS: tuple[Kind, ...] = tuple(Kind)  # the board's columns, in order
VOTABLE: tuple[Kind, ...] = (Kind.PROBLEM, Kind.OPTION)  # the columns a round of dot voting can be on
# What a phase may put on the phones: a column's note form, or the self-reflection.
PHASE_KINDS: tuple[str, ...] = (*(k.value for k in KINDS), REFLECTION)


class Role(str, Enum):
    """Who a group speaks for. Co-production counts these voices side by side, so the role is always recorded."""

    PEOPLE = "people-who-use-services"
    CARERS = "carers-and-family"
    PRACTITIONERS = "practitioners"
    COMMISSIONERS = "commissioners-and-managers"
    COMMUNITY = "community-and-voluntary-sector"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _ROLE_LABELS[self]

    @property
    def is_staff(self) -> bool:
        return self in (Role.PRACTITIONERS, Role.COMMISSIONERS)

    @classmethod
    def parse(cls, value: object) -> Role:
        """Accept the value, the label or a short alias (people, carers, practitioners, commissioners, community)."""
        if isinstance(value, cls):
            return value
        text = " ".join(str(value or "").strip().lower().replace("-", " ").replace("_", " ").split())
        for role in cls:
            names = {role.value.replace("-", " "), role.label.lower(), *_ROLE_ALIASES.get(role, ())}
            if text in names:
                return role
        choices = ", ".join(r.value for r in cls)
        raise ValidationError(f"Unknown role {str(value)!r}: use one of {choices}.")


_ROLE_LABELS = {
    Role.PEOPLE: "People who use services",
    Role.CARERS: "Carers and family",
    Role.PRACTITIONERS: "Practitioners",
    Role.COMMISSIONERS: "Commissioners and managers",
    Role.COMMUNITY: "Community and voluntary sector",
    Role.OTHER: "Other",
}
_ROLE_ALIASES = {
    Role.PEOPLE: ("people", "service users", "users", "pwus", "experts by experience"),
    Role.CARERS: ("carers", "carer", "family"),
    Role.PRACTITIONERS: ("practitioner", "staff", "professionals"),
    Role.COMMISSIONERS: ("commissioners", "commissioner", "managers"),
    Role.COMMUNITY: ("community", "voluntary", "vcs", "vcse"),
}


@dataclass
class Group:
    """A participant group: a role in the room (carers, practitioners…) or a table."""

    id: int
    name: str
    colour: str
    role: Role

    def to_record(self) -> dict:
        return {"id": self.id, "name": self.name, "colour": self.colour, "role": self.role.value}

    @classmethod
    def from_record(cls, rec: dict) -> Group:
        return cls(id=int(rec["id"]), name=rec["name"], colour=rec["colour"], role=Role(rec["role"]))


def check_colour(colour: str) -> str:
    """A colour is one of the eight palette slots or a #rrggbb hex value."""
    value = (colour or "").strip().lower()
    if value in GROUP_COLOURS:
        return value
    if len(value) == 7 and value.startswith("#") and all(c in "0123456789abcdef" for c in value[1:]):
        return value
    raise ValidationError(f"Unknown colour {colour!r}: use one of {', '.join(GROUP_COLOURS)} or #rrggbb.")


@dataclass
class Card:
    """A note on the board. `links` point from an option to problems, or from a contribution to options."""

    id: int
    kind: Kind
    text: str
    group_id: int | None
    author: str | None
    order: float
    created: str
    source: str
    links: list[int] = field(default_factory=list)
    hidden: bool = False
    # Hidden writing: a held note is on no one's screen but its writer's until the facilitator reveals them all.
    held: bool = False
    # The phone that wrote it: a random id kept in that phone's browser (no personal data), so the phone can show
    # its own held notes and its own list.
    participant: str | None = None
    # Clusters: a cluster is itself a card (`is_cluster`) whose text is its title; its members point to it.
    cluster: int | None = None
    is_cluster: bool = False
    # Breakouts: written during a breakout; `picked` by its group to bring back; `parked` when the breakout ended
    # without being picked (kept in the file, off the plenary board and the phones).
    breakout: bool = False
    picked: bool = False
    parked: bool = False

    _OPTIONAL = ("held", "participant", "cluster", "is_cluster", "breakout", "picked", "parked")

    def to_record(self) -> dict:
        rec = {
            "id": self.id,
            "kind": self.kind.value,
            "text": self.text,
            "group": self.group_id,
            "author": self.author,
            "order": self.order,
            "links": list(self.links),
            "hidden": self.hidden,
            "created": self.created,
            "source": self.source,
        }
        for name in self._OPTIONAL:  # written only when set: most cards never use them
            value = getattr(self, name)
            if value:
                rec[name] = value
        return rec

    @property
    def on_board(self) -> bool:
        """Shown as a card of its own in the plenary: not held back, not parked, not folded into a cluster."""
        return not self.held and not self.parked and self.cluster is None

    @classmethod
    def from_record(cls, rec: dict) -> Card:
        return cls(
            id=int(rec["id"]),
            kind=Kind(rec["kind"]),
            text=rec["text"],
            group_id=rec.get("group"),
            author=rec.get("author"),
            order=float(rec["order"]),
            created=rec["created"],
            source=rec.get("source", "facilitator"),
            links=[int(x) for x in rec.get("links", [])],
            hidden=bool(rec.get("hidden", False)),
            held=bool(rec.get("held", False)),
            participant=rec.get("participant"),
            cluster=int(rec["cluster"]) if rec.get("cluster") is not None else None,
            is_cluster=bool(rec.get("is_cluster", False)),
            breakout=bool(rec.get("breakout", False)),
            picked=bool(rec.get("picked", False)),
            parked=bool(rec.get("parked", False)),
        )


@dataclass
class Meta:
    """What a session is about. Kept as the first record of the file so listings can show it cheaply."""

    id: str
    title: str
    question: str
    created: str
    updated: str
    schema_version: int = SCHEMA_VERSION
    # A programme groups sessions of the same piece of work over time (e.g. "Short breaks review 2026"), so a later
    # session can be compared with an earlier one. Empty: not part of a programme.
    programme: str = ""
    # Phones may post while submissions are open. Join tokens name the session for a phone: "all" for the QR that
    # lets the phone pick its group, and one per group id (as a string) for a group's own QR.
    open: bool = True
    tokens: dict[str, str] = field(default_factory=dict)
    phases: tuple[Phase, ...] = DEFAULT_PHASES
    phase: int = 0  # index into phases
    private: bool = False  # hidden writing: new notes are held until revealed
    voting: Voting | None = None  # the current (or last) round of dot voting
    timer: Timer | None = None
    breakout: bool = False  # groups work apart: each group's phones see only that group's notes
    review_date: str = ""  # when the plan is reviewed (YYYY-MM-DD), with a re-run of the self-reflection

    @property
    def current_phase(self) -> Phase:
        return self.phases[min(self.phase, len(self.phases) - 1)]

    def to_record(self) -> dict:
        return {
            "schema_version": self.schema_version,
            "id": self.id,
            "title": self.title,
            "question": self.question,
            "programme": self.programme,
            "created": self.created,
            "updated": self.updated,
            "open": self.open,
            "tokens": dict(self.tokens),
            "phases": [p.to_record() for p in self.phases],
            "phase": self.phase,
            "private": self.private,
            "voting": self.voting.to_record() if self.voting else None,
            "timer": self.timer.to_record() if self.timer else None,
            "breakout": self.breakout,
            "review_date": self.review_date,
        }

    @classmethod
    def from_record(cls, rec: dict) -> Meta:
        return cls(
            id=rec["id"],
            title=rec["title"],
            question=rec.get("question", ""),
            programme=str(rec.get("programme") or ""),
            created=rec["created"],
            updated=rec.get("updated", rec["created"]),
            schema_version=int(rec["schema_version"]),
            open=bool(rec.get("open", True)),
            tokens={str(k): str(v) for k, v in (rec.get("tokens") or {}).items()},
            phases=tuple(_phase(p) for p in rec["phases"]) if rec.get("phases") else DEFAULT_PHASES,
            phase=int(rec.get("phase") or 0),
            private=bool(rec.get("private", False)),
            voting=Voting.from_record(rec.get("voting")),
            timer=Timer.from_record(rec.get("timer")),
            breakout=bool(rec.get("breakout", False)),
            review_date=str(rec.get("review_date") or ""),
        )


def _phase(rec: dict) -> Phase:
    """A phase as the file has it; a kind that is neither a column nor the reflection reads as the writer's choice.
    (Checked here, not in running.py: the columns are Kinds, and running.py sits below this module.)"""
    phase = Phase.from_record(rec)
    return phase if phase.kind is None or phase.kind in PHASE_KINDS else replace(phase, kind=None)


@dataclass
class Session:
    """The whole board in memory. Only the hub changes it."""

    meta: Meta
    groups: dict[int, Group] = field(default_factory=dict)
    cards: dict[int, Card] = field(default_factory=dict)
    # Plain records, keyed as in the file: votes "<round>:<participant>" → {round, participant, group, cards:
    # {card id: dots}}; done "<phase>:<participant>" → {phase, participant, group}.
    votes: dict[str, dict] = field(default_factory=dict)
    done: dict[str, dict] = field(default_factory=dict)
    # The method (see core/method.py): self-reflection answers "<id>" → {id, participant, role, ladder_now,
    # ladder_target, scores: {statement: 0..4}, evidence: {statement: text}, created, source}; the plan "<id>" →
    # an action record (core/plan.py); responses "<card id>" → {card, text}: the facilitator's "why" for
    # "you said, we did".
    reflections: dict[str, dict] = field(default_factory=dict)
    plan: dict[str, dict] = field(default_factory=dict)
    responses: dict[str, dict] = field(default_factory=dict)

    def plain(self, table: str) -> dict[str, dict]:
        """One of the tables kept as plain records."""
        return {"votes": self.votes, "done": self.done, "reflections": self.reflections, "plan": self.plan,
                "responses": self.responses}[table]

    def column(self, kind: Kind, group_id: int | None | object = ...) -> list[Card]:
        """Cards of one kind in board order; `group_id` (None = no group) narrows it to one group."""
        cards = [
            c for c in self.cards.values() if c.kind is kind and (group_id is ... or c.group_id == group_id)
        ]
        cards.sort(key=lambda c: (c.order, c.id))
        return cards

    def group_of(self, card: Card) -> Group | None:
        return self.groups.get(card.group_id) if card.group_id is not None else None

    def group_named(self, name: str) -> Group | None:
        """Find a group by its name, ignoring case and surrounding space (CSV rows and CLI flags name groups)."""
        wanted = " ".join(name.split()).casefold()
        for group in self.groups.values():
            if group.name.casefold() == wanted:
                return group
        return None

    def linked_from(self, card_id: int) -> list[Card]:
        """Cards that link to this one (options addressing a problem, contributions serving an option)."""
        return sorted((c for c in self.cards.values() if card_id in c.links), key=lambda c: (c.order, c.id))

    def members(self, cluster_id: int) -> list[Card]:
        """The cards folded into a cluster, in board order."""
        return sorted((c for c in self.cards.values() if c.cluster == cluster_id), key=lambda c: (c.order, c.id))

    def next_id(self, table: dict) -> int:
        return max(table, default=0) + 1
