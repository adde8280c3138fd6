"""Sessions for the export tests: a fixed, ordinary one and one full of the hostile corpus, built through the core.

Both use a fixed clock and a fixed id, so their exports are the same bytes on every run (the golden files rely on
it). The hostile session holds every string of tests/hostile.py that the core accepts as a card, spread over the
three kinds and over groups whose names and authors are hostile too, with links and a hidden card.
"""

from __future__ import annotations

import os
from pathlib import Path

from hostile import HOSTILE, rejected

from coprod_tui.core.commands import AddCard, CardDraft, HideCard, ImportCards, Source, ToggleLink
from coprod_tui.core.commands_run import (CastVote, EndBreakout, HoldNotes, MergeCards, OpenVoting, PickCard,
                                          RevealVotes, StartBreakout)
from coprod_tui.core.hub import Hub, new_session, open_session
from coprod_tui.core.model import Kind, Session
from coprod_tui.core.store import SessionFolder

FIXED_NOW = "2025-03-14T09:30:00.000+00:00"
GOLDEN = Path(__file__).parent / "golden" / "export"
UPDATE_ENV = "COPROD_UPDATE_GOLDEN"

# Each line must come out of the Markdown / HTML as literal text (the list, plus a few more).
MARKDOWN_LINES = [
    "# x", "- x", "1. x", "> x", "    code", "---", "|a|b|", "<script>", "[x](javascript:alert(1))", "&amp;",
    "* x", "+ x", "2) x", "===", "```", "~~~", "<https://e.vil>", "![i](x)", "[a]: /u", "*em* _em_ **b** ~~s~~",
    "\\", "a\\", "`code`", "$x$", "@someone #12 :smile:", "\ttabbed", "  two spaces", "trailing  ",
]
MARKDOWN_CARD = "starts plain\n" + "\n".join(MARKDOWN_LINES) + "\n\nafter an empty line\n\u3000ideographic space"


def _hub(folder: Path, session_id: str, title: str, question: str, groups, programme: str) -> Hub:
    store = SessionFolder(folder)
    store.new_id = lambda title, date: session_id  # type: ignore[method-assign]
    return new_session(store, title, question, groups, programme=programme, clock=lambda: FIXED_NOW)


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
    """An ordinary session: four groups (one with a #hex colour), links, a hidden card, a multi-line note."""
    groups = [("Carers", "carers", "orange"), ("Practitioners", "practitioners", "sky"),
              ("People who use services", "people", "green"), ("Commissioners", "commissioners", "#123abc")]
    hub = _hub(folder, "2025-03-14-short-breaks", "Short breaks for carers",
               "How do carers get a real break?\nAnd what could each of us do?", groups, "Short breaks review 2026")
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
        return hub.session.meta.id
    finally:
        hub.close()


def build_running(folder: Path) -> str:
    """A session that was steered: a cluster of two problems (one voted for before the merge: its vote rolls up), a
    revealed vote, a note held until the reveal, and a breakout with a picked and a parked note."""
    groups = [("Carers", "carers", "orange"), ("Practitioners", "practitioners", "sky"),
              ("People who use services", "people", "green")]
    hub = _hub(folder, "2025-03-14-running", "Steered session", "", groups, "")
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
    hub = _hub(folder, "2025-03-14-hostile", title, question, HOSTILE_GROUPS, "[p](javascript:x) <b>prog</b>")
    try:
        cards = hostile_cards()
        ids = range(1, len(cards) + 1)
        first = {kind: next(i for i, c in zip(ids, cards) if c[0] is kind) for kind in Kind}
        links = [(i, first[Kind.PROBLEM]) for i, c in zip(ids, cards) if c[0] is Kind.OPTION]
        links += [(i, first[Kind.OPTION]) for i, c in zip(ids, cards) if c[0] is Kind.CONTRIBUTION]
        _fill(hub, cards, links, hidden=[first[Kind.OPTION]])
        return hub.session.meta.id
    finally:
        hub.close()


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


__all__ = ["MARKDOWN_LINES", "build_fixed", "build_hostile", "build_running", "check_golden", "load"]
