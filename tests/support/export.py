"""Sessions for the export tests: a fixed, ordinary one and one full of the hostile corpus, built through the core.

Both use a fixed clock and a fixed id, so their exports are the same bytes on every run (the golden files rely on
it). The hostile session holds every string of tests/support/hostile.py that the core accepts as a card, spread over the
three kinds and over groups whose names and authors are hostile too, with links and a hidden card.

Both carry the method too: self-reflection answers, a plan (some actions done, with notes) and "you said, we did"
responses. The fixed session's answers are hand-made (FIXED_ANSWERS) so its figures can be checked by hand; the
hostile session puts hostile strings in every free-text field of the plan and the responses.
"""

from __future__ import annotations

import os
from pathlib import Path

from support.hostile import HOSTILE, expected_stored, rejected

from coprod_tui.core.commands import AddCard, CardDraft, HideCard, ImportCards, Source, ToggleLink
from coprod_tui.core.commands import (ActionDraft, AddAction, SetActionDone, SetResponse, SetReviewDate,
                                             SubmitReflection)
from coprod_tui.core.commands import (CastVote, EndBreakout, HoldNotes, MergeCards, OpenVoting, PickCard,
                                          RevealVotes, StartBreakout)
from coprod_tui.core.hub import Hub, new_session, open_session
from coprod_tui.core.method import STATEMENTS
from coprod_tui.core.model import Kind, Session
from coprod_tui.core.store.folder import SessionFolder
from support.paths import GOLDEN as GOLDEN_DIR

FIXED_NOW = "2025-03-14T09:30:00.000+00:00"
GOLDEN = GOLDEN_DIR / "export"
UPDATE_ENV = "COPROD_UPDATE_GOLDEN"

# Each line must come out of the Markdown / HTML as literal text (the list, plus a few more).
MARKDOWN_LINES = [
    "# x", "- x", "1. x", "> x", "    code", "---", "|a|b|", "<script>", "[x](javascript:alert(1))", "&amp;",
    "* x", "+ x", "2) x", "===", "```", "~~~", "<https://e.vil>", "![i](x)", "[a]: /u", "*em* _em_ **b** ~~s~~",
    "\\", "a\\", "`code`", "$x$", "@someone #12 :smile:", "\ttabbed", "  two spaces", "trailing  ",
]
MARKDOWN_CARD = "starts plain\n" + "\n".join(MARKDOWN_LINES) + "\n\nafter an empty line\n\u3000ideographic space"


class Clock:
    """A clock the builder can move on (an action is marked done weeks after the session)."""

    def __init__(self, at: str = FIXED_NOW) -> None:
        self.at = at

    def __call__(self) -> str:
        return self.at


def start_session(folder: Path, session_id: str, title: str, question: str, groups, programme: str,
         clock: Clock | None = None) -> Hub:
    store = SessionFolder(folder)
    store.new_id = lambda title, date: session_id  # type: ignore[method-assign]
    return new_session(store, title, question, groups, programme=programme, clock=clock or Clock())


# The fixed session's self-reflection, by hand: (role, ladder now, ladder target, scores in statement order
# eq1 eq2 eq3 di1 di2 di3 ac1 ac2 ac3 re1 re2 re3 fb1 fb2 fb3; 0 = "don't know").
FIXED_ANSWERS: list[tuple[str, int | None, int | None, str]] = [
    ("carers", 3, 7, "2 1 0  2 2 3  1 2 1  2 1 2  1 2 0"),
    ("carers", 4, 6, "2 2 3  3 2 3  2 2 2  1 2 2  2 2 1"),
    ("people", 3, 6, "3 2 2  2 0 2  1 1 2  2 2 3  2 1 1"),
    ("practitioners", 5, 6, "4 3 4  3 3 3  3 2 3  3 3 3  3 3 2"),
    ("commissioners", 5, 7, "3 4 3  3 2 3  3 3 3  2 3 3  3 2 2"),
]


def answer(hub: Hub, role: str, now: int | None, target: int | None, scores: str) -> None:
    values = [int(x) for x in scores.split()]
    hub.apply(SubmitReflection(role=role, ladder_now=now, ladder_target=target,
                               scores=dict(zip(STATEMENTS, values))))


def _fixed_method(hub: Hub, clock: Clock) -> None:
    for row in FIXED_ANSWERS:
        answer(hub, *row)
    hub.apply(AddAction(action=ActionDraft(
        what="Set up a shared booking calendar", who="Sam", who_role="practitioners", by="2025-05-01",
        resources="Council IT time: two afternoons", recognition="none", access="",
        feedback="Show it at the next carers' forum", card_id=6)))
    hub.apply(AddAction(action=ActionDraft(
        what="Recruit ten volunteers for weekend sitting", who="The carers' centre", who_role="community",
        by="2025-06-30", resources="A volunteer coordinator, one day a week", recognition="expenses",
        recognition_note="Travel repaid within a week", access="Induction in the evening; BSL interpreter booked",
        feedback="Update at the carers' forum in July", card_id=7)))
    hub.apply(AddAction(action=ActionDraft(
        what="Write to every carer on the register about short breaks", who="Asha", who_role="carers",
        recognition="payment", recognition_note="Involvement payment at the current rate; benefits advice offered",
        access="Large print and easy read versions", feedback="", card_id=5)))
    clock.at = "2025-04-20T16:00:00.000+00:00"
    hub.apply(SetActionDone(action_id=1, note="The calendar went live on 20 April.\nBoth teams use it."))
    clock.at = FIXED_NOW
    hub.apply(SetResponse(card_id=5, text="Recruiting takes longer than we hoped: volunteer checks take eight weeks."))
    hub.apply(SetResponse(card_id=2, text="Bookings now go through one calendar."))
    hub.apply(SetReviewDate(date="2025-07-15"))


def _fill(hub: Hub, cards: list[tuple[Kind, str, str | None, str | None]], links: list[tuple[int, int]],
          hidden: list[int]) -> None:
    drafts = tuple(
        CardDraft(kind=kind, text=text, author=author,
                  group_id=hub.session.group_named(group).id if group else None)
        for kind, text, group, author in cards
    )
    hub.apply(ImportCards(cards=drafts, source=Source.IMPORT))
    for card_id, target_id in links:
        hub.apply(ToggleLink(card_id=card_id, target_id=target_id, source=Source.IMPORT))
    for card_id in hidden:
        hub.apply(HideCard(card_id=card_id))


def build_fixed(folder: Path) -> str:
    """An ordinary session: four groups (one with a #hex colour), links, a hidden card, a multi-line note; five
    self-reflection answers, a plan of three actions (one done) and two responses."""
    groups = [("Carers", "carers", "orange"), ("Practitioners", "practitioners", "sky"),
              ("People who use services", "people", "green"), ("Commissioners", "commissioners", "#123abc")]
    clock = Clock()
    hub = start_session(folder, "2025-03-14-short-breaks", "Short breaks for carers",
               "How do carers get a real break?\nAnd what could each of us do?", groups, "Short breaks review 2026",
               clock)
    try:
        _fill(hub, [
            (Kind.PROBLEM, "Carers can't get a break at weekends", "Carers", "Asha"),
            (Kind.PROBLEM, "Respite bookings get lost between teams", "Practitioners", None),
            (Kind.PROBLEM, "Nobody told me I could ask.\nI found out from another carer.", None, None),
            (Kind.OPTION, "A shared booking calendar", "Practitioners", "Sam"),
            (Kind.OPTION, "A weekend sitting service run by volunteers, so carers can plan a whole day off",
             "Carers", None),
            (Kind.CONTRIBUTION, "The council can host the calendar", "Commissioners", "Lee"),
            (Kind.CONTRIBUTION, "The carers' centre will recruit volunteers", "Carers", None),
            (Kind.CONTRIBUTION, "Spam from a phone", "People who use services", None),
        ], [(4, 2), (5, 1), (5, 3), (6, 4), (7, 5)], hidden=[8])
        _fixed_method(hub, clock)
        return hub.session.meta.id
    finally:
        hub.close()


def build_running(folder: Path) -> str:
    """A session that was steered: a cluster of two problems (one voted for before the merge: its vote rolls up), a
    revealed vote, a note held until the reveal, and a breakout with a picked and a parked note."""
    groups = [("Carers", "carers", "orange"), ("Practitioners", "practitioners", "sky"),
              ("People who use services", "people", "green")]
    hub = start_session(folder, "2025-03-14-running", "Steered session", "", groups, "")
    try:
        _fill(hub, [
            (Kind.PROBLEM, "Carers can't get a break at weekends", "Carers", "Asha"),
            (Kind.PROBLEM, "Respite bookings get lost between teams", "Practitioners", None),
            (Kind.PROBLEM, "Nobody told me I could ask", None, None),
            (Kind.OPTION, "A shared booking calendar", "Practitioners", "Sam"),
        ], [(4, 2)], hidden=[])
        _steer(hub)
        return hub.session.meta.id
    finally:
        hub.close()


def _steer(hub: Hub) -> None:
    hub.apply(OpenVoting(kind="problem", per_person=3, per_card=2))
    first, second = "phone-first-0001", "phone-second-002"
    hub.apply(CastVote(participant=first, card_id=3, round=1, group_id=1, source=Source.PHONE))
    hub.apply(MergeCards(card_ids=(1, 3), title="Breaks are hard to get, and nobody says you can ask"))
    for participant, card_id, group in ((first, 5, 1), (second, 5, 3), (second, 2, 3), (second, 2, 3)):
        hub.apply(CastVote(participant=participant, card_id=card_id, round=1, group_id=group, source=Source.PHONE))
    hub.apply(RevealVotes())
    hub.apply(StartBreakout())
    hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="Carers' own rota", group_id=1)))
    hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="Ring every carer once", group_id=1)))
    hub.apply(PickCard(card_id=6, participant="phone-first-0001", group_id=1, source=Source.PHONE))
    hub.apply(EndBreakout())
    hub.apply(HoldNotes(hold=True))
    hub.apply(AddCard(card=CardDraft(kind=Kind.OPTION, text="Still held", group_id=3)))


HOSTILE_GROUPS = [
    ("<b>Carers</b> | *x*", "carers", "orange"),
    ("[x](javascript:alert(1))", "people", "sky"),
    ("=cmd|' /C calc'!A0", "practitioners", "green"),
    ("# \\ ` _ { } ~ @ & ; :", "other", "yellow"),
]
HOSTILE_AUTHORS = ["@SUM(1+1)", "-2+3", "<img src=x onerror=alert(1)>", None, "[/]", "*"]


def hostile_cards() -> list[tuple[Kind, str, str | None, str | None]]:
    """Every accepted hostile string as a card (kinds, groups and authors in turn), then the Markdown-lines card."""
    accepted = [text for text in HOSTILE if not rejected(text)]
    kinds = list(Kind)
    names = [name for name, _, _ in HOSTILE_GROUPS] + [None]
    cards = [
        (kinds[i % 3], text, names[i % len(names)], HOSTILE_AUTHORS[i % len(HOSTILE_AUTHORS)])
        for i, text in enumerate(accepted)
    ]
    cards.append((Kind.PROBLEM, MARKDOWN_CARD, names[0], None))
    cards += [(Kind.OPTION, line, names[1], None) for line in MARKDOWN_LINES if line.strip()]
    return cards


def build_hostile(folder: Path) -> str:
    title = "<script>alert(1)</script> [x](javascript:alert(1)) # *t* =1+1 | &amp;"
    question = "# Question?\n- item\n    code\n<img src=x onerror=alert(1)>\n\n=HYPERLINK(\"http://e.vil\")"
    hub = start_session(folder, "2025-03-14-hostile", title, question, HOSTILE_GROUPS, "[p](javascript:x) <b>prog</b>")
    try:
        cards = hostile_cards()
        ids = range(1, len(cards) + 1)
        first = {kind: next(i for i, c in zip(ids, cards) if c[0] is kind) for kind in Kind}
        links = [(i, first[Kind.PROBLEM]) for i, c in zip(ids, cards) if c[0] is Kind.OPTION]
        links += [(i, first[Kind.OPTION]) for i, c in zip(ids, cards) if c[0] is Kind.CONTRIBUTION]
        _fill(hub, cards, links, hidden=[first[Kind.OPTION]])
        _hostile_method(hub, cards)
        return hub.session.meta.id
    finally:
        hub.close()


FIELD_LIMIT = 500


def _hostile_method(hub: Hub, cards: list) -> None:
    """Answers from every role (hostile evidence notes), then one action per hostile string that fits a plan field,
    with the other fields hostile too, every third one done with a hostile note; hostile responses."""
    roles = ["carers", "people", "practitioners", "commissioners", "community", "other"]
    texts = [expected_stored(t) for t in HOSTILE if not rejected(t, FIELD_LIMIT)] + [MARKDOWN_CARD]
    single = [expected_stored(t, multiline=False) for t in HOSTILE if not rejected(t, 200, multiline=False)]
    for n, role in enumerate(roles):
        scores = {s: (n + i) % 5 for i, s in enumerate(STATEMENTS)}
        hub.apply(SubmitReflection(role=role, ladder_now=n % 7 + 1, ladder_target=7, scores=scores,
                                   evidence={s: texts[(n + i) % len(texts)] for i, s in enumerate(STATEMENTS)}))
    options = [i for i, c in enumerate(cards, 1) if c[0] is Kind.OPTION]
    contributions = [i for i, c in enumerate(cards, 1) if c[0] is Kind.CONTRIBUTION]
    sources = options + contributions
    for n, text in enumerate(texts):
        hub.apply(AddAction(action=ActionDraft(
            what=text, who=single[n % len(single)], who_role=roles[n % len(roles)] if n % 4 else None,
            by="2025-06-30" if n % 2 else "", resources=texts[(n + 1) % len(texts)],
            recognition=["", "expenses", "payment", "voucher", "other", "none"][n % 6],
            recognition_note=texts[(n + 2) % len(texts)], access=texts[(n + 3) % len(texts)],
            feedback=texts[(n + 4) % len(texts)], card_id=sources[n % len(sources)] if n % 5 else None)))
        if n % 3 == 0:
            hub.apply(SetActionDone(action_id=n + 1, note=texts[(n + 5) % len(texts)]))
    for n, card_id in enumerate(i for i, c in enumerate(cards, 1) if c[0] is not Kind.CONTRIBUTION):
        if n % 2 == 0:
            hub.apply(SetResponse(card_id=card_id, text=texts[n % len(texts)]))
    hub.apply(SetReviewDate(date="2025-09-30"))


def load(folder: Path, session_id: str) -> Session:
    hub = open_session(SessionFolder(folder), session_id, read_only=True)
    try:
        return hub.session
    finally:
        hub.close()


def check_golden(name: str, data: bytes) -> None:
    """Compare with tests/golden/export/NAME; with COPROD_UPDATE_GOLDEN=1 write it instead."""
    path = GOLDEN / name
    if os.environ.get(UPDATE_ENV):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"no golden file {path}: run the tests once with {UPDATE_ENV}=1 and review it"
    expected = path.read_bytes()
    if data != expected:
        for number, (got, want) in enumerate(zip(data.splitlines(), expected.splitlines()), start=1):
            assert got == want, f"{name} differs from its golden file at line {number}"
        assert data == expected, f"{name} differs from its golden file in length ({UPDATE_ENV}=1 regenerates)"


__all__ = ["FIXED_ANSWERS", "MARKDOWN_LINES", "Clock", "answer", "build_fixed", "build_hostile", "build_running",
           "check_golden", "load", "start_session"]
