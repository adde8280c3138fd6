"""In-memory sessions for the comparison tests.

`compare` and `CompareScreen` take `Session` objects, so most tests build them directly (no files, no hub): fast,
and free to hold text the hub would have cleaned. One test in test_compare.py goes through real files instead.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

from coprod_tui.core.model import Card, Group, Kind, Meta, Role, Session

EARLY = "2025-03-12T10:00:00.000+00:00"
LATE = "2025-09-10T10:00:00.000+00:00"

GROUPS_EARLY: list[tuple[str, str, Role]] = [
    ("Carers", "orange", Role.CARERS),
    ("Practitioners", "sky", Role.PRACTITIONERS),
    ("People who use services", "green", Role.PEOPLE),
]
GROUPS_LATE: list[tuple[str, str, Role]] = [
    ("Family carers", "orange", Role.CARERS),  # renamed: matched by role
    ("practitioners", "sky", Role.PRACTITIONERS),  # same name, other case: matched by name
    ("Commissioners", "blue", Role.COMMISSIONERS),  # new
]

# (kind, text, group name or None)
CARDS_EARLY: list[tuple[str, str, str | None]] = [
    ("problem", "Carers can't get a break at weekends", "Carers"),
    ("problem", "Respite bookings get lost between teams", "Practitioners"),
    ("problem", "Nobody tells us what is available", "Carers"),
    ("problem", "Day centre closes at 3 which is too early", "People who use services"),
    ("option", "A shared booking calendar", "Practitioners"),
    ("option", "A weekend sitting service run by volunteers", "Carers"),
    ("contribution", "The council can host the calendar", "Practitioners"),
]
CARDS_LATE: list[tuple[str, str, str | None]] = [
    ("problem", "carers cannot get a weekend break", "Family carers"),
    ("problem", "Respite bookings get lost between teams", "practitioners"),
    ("problem", "Nobody tells carers what support is available", "Family carers"),
    ("problem", "The bus to the clinic stops at 6", None),
    ("option", "A shared booking calendar", "practitioners"),
    ("contribution", "The council can host the calendar", "Commissioners"),
    ("contribution", "Volunteers from the carers' centre", "Family carers"),
]


def session(title: str = "Short breaks for carers", *, created: str = EARLY, programme: str = "",
            groups: Sequence[tuple[str, str, Role]] = GROUPS_EARLY,
            cards: Iterable[tuple[str, str, str | None]] = CARDS_EARLY, hidden: Iterable[int] = ()) -> Session:
    """A session with groups 1.. and cards 1.. in the order given (board order = list order)."""
    meta = Meta(id=title.lower().replace(" ", "-")[:40] or "s", title=title, question="", created=created,
                updated=created, programme=programme)
    result = Session(meta=meta)
    for gid, (name, colour, role) in enumerate(groups, 1):
        result.groups[gid] = Group(gid, name, colour, role)
    hidden = set(hidden)
    for cid, (kind, text, group) in enumerate(cards, 1):
        found = result.group_named(group) if group else None
        result.cards[cid] = Card(id=cid, kind=Kind(kind), text=text, group_id=found.id if found else None,
                                 author=None, order=float(cid), created=created, source="import",
                                 hidden=cid in hidden)
    return result


def early(**kwargs) -> Session:
    return session("Short breaks for carers: review", **{"programme": "Short breaks review", **kwargs})


def late(**kwargs) -> Session:
    return session("Short breaks: six months on", **{"created": LATE, "programme": "Short breaks review",
                                                     "groups": GROUPS_LATE, "cards": CARDS_LATE, **kwargs})


# (what, done_at or "" for not done, by, note, card id) — as the hub would record them (core/handlers/method.py).
PLAN_EARLY: list[tuple[str, str, str, str, int | None]] = [
    ("Set up a shared booking calendar", "2025-04-20", "2025-05-01", "Live since April", 5),
    ("Recruit volunteers for weekend sitting", "", "2025-06-30", "", 6),
    ("Write to every carer about short breaks", "2025-05-02", "", "", None),
]
PLAN_LATE: list[tuple[str, str, str, str, int | None]] = [
    ("Recruit volunteers for the weekend sitting service", "", "2025-12-01", "", None),
    ("Run a drop-in for carers at the library", "", "", "", 1),
]


def with_plan(target: Session, actions=PLAN_EARLY, review: str = "", who_role: str | None = "practitioners") -> Session:
    """`target` with plan records 1.. in the order given (written straight into the session, as a file holds them)."""
    for n, (what, done_at, by, note, card) in enumerate(actions, 1):
        target.plan[str(n)] = {"id": n, "what": what, "who": "", "who_role": who_role, "by": by, "resources": "",
                               "recognition": "", "recognition_note": "", "access": "", "feedback": "",
                               "card": card, "done": bool(done_at), "done_at": done_at, "note": note}
    target.meta.review_date = review
    return target


WORDS = ("carers respite weekend break booking calendar staff volunteers transport clinic bus day centre "
         "information phone council waiting list assessment money evening night family young parent school").split()


def big_sessions(n: int = 2000, seed: int = 4):
    """Two sessions of n notes: a third kept as is, a third reworded (shuffled, one word swapped), a third new."""
    rng = random.Random(seed)
    vocabulary = WORDS + [f"w{k}" for k in range(3000)]

    def note() -> str:
        return " ".join(rng.choice(vocabulary) for _ in range(rng.randint(4, 25)))

    first = [note() for _ in range(n)]
    second = []
    for text in first:
        roll = rng.random()
        words = text.split()
        if roll < 0.33:
            second.append(text)
        elif roll < 0.66:
            rng.shuffle(words)
            second.append(" ".join(words[:-1] + [rng.choice(vocabulary)]))
        else:
            second.append(note())
    kinds = list(Kind)
    return (session(cards=[(kinds[i % 3].value, t, None) for i, t in enumerate(first)]),
            session(created=LATE, cards=[(kinds[i % 3].value, t, None) for i, t in enumerate(second)]))
