"""A session as Markdown: a report that reads well on GitHub (or any CommonMark viewer) and feeds the HTML export.

Layout: the title, question, programme and date; the groups with their roles and how many notes each gave (one
table); then Problems, Options and Contributions in board order. Each card is a list item labelled P1, O1, C1… with
its text, its group and author, "hidden from phones" when it is, and what it links to (an option → the problems it
addresses, a contribution → the options it serves) by label and short text. Dates are the exporting computer's
local dates (core/localtime.py): a report is read where the session was run, and the file itself keeps UTC.
When the session has self-reflection answers or a plan, the appraisal, the plan and the credits follow
(method_md.py).

Everything people typed — title, question, programme, group names, authors, card text — goes through escape.py,
so it can never change the document's structure.

Emphasis (`*…*`) is reserved for group names: nothing else in this document is emphasised and user text cannot
produce emphasis, so the HTML export can recognise a group mention and give it a colour swatch.
"""

from __future__ import annotations

from coprod_tui.core.localtime import local_date
from coprod_tui.core.model import KINDS, Card, Kind, Session
from coprod_tui.core.reading.programme import Since
from coprod_tui.core.reading.tally import vote_results
from coprod_tui.core.wording import one_line, plural
from coprod_tui.export.escape import INDENT, escape_line, escape_text, group_mention
from coprod_tui.export.method_md import has_method, method_sections

__all__ = ["KIND_LETTERS", "labels", "session_markdown"]

KIND_LETTERS: dict[Kind, str] = {Kind.PROBLEM: "P", Kind.OPTION: "O", Kind.CONTRIBUTION: "C"}
LINK_WORDS: dict[Kind, str] = {Kind.OPTION: "Addresses", Kind.CONTRIBUTION: "Serves"}
SHORT_TEXT = 60


def labels(session: Session) -> dict[int, str]:
    """P1, P2 … O1 … C1 … by board order: short, stable within one export, and what link lines refer to."""
    found: dict[int, str] = {}
    for kind, letter in KIND_LETTERS.items():
        for number, card in enumerate(session.column(kind), start=1):
            found[card.id] = f"{letter}{number}"
    return found


def _short(text: str) -> str:
    return one_line(text, SHORT_TEXT).strip()


def _header(session: Session) -> list[str]:
    meta = session.meta
    title = one_line(meta.title).strip() or meta.id
    parts = [f"# {escape_line(title)}", ""]
    if meta.question.strip():
        parts += [f"**Question:** {escape_text(meta.question.strip())}", ""]
    if meta.programme.strip():
        parts += [f"**Programme:** {escape_line(one_line(meta.programme).strip())}", ""]
    created = local_date(meta.created)  # readers are where the session was run: their dates, not UTC's
    last = local_date(meta.updated)
    date = escape_line(created)
    changed = f" (last change {escape_line(last)})" if last and last != created else ""
    parts += [f"**Date:** {date}{changed} · **Session:** {escape_line(meta.id)}", ""]
    return parts


def _summary(session: Session) -> list[str]:
    """The groups with their roles and how many notes of each kind they gave: who was heard, at a glance. Clusters
    are the facilitator's titles, not anyone's note: their members are counted instead."""
    kinds = KINDS
    notes = [c for c in session.cards.values() if not c.is_cluster]
    rows: list[tuple[str, str, list[int]]] = []
    for group in session.groups.values():
        counts = [sum(1 for c in notes if c.kind is kind and c.group_id == group.id) for kind in kinds]
        rows.append((group_mention(group), escape_line(group.role.label), counts))
    ungrouped = [c for c in notes if session.group_of(c) is None]
    if ungrouped:
        counts = [sum(1 for c in ungrouped if c.kind is kind) for kind in kinds]
        rows.append(("No group", "", counts))
    totals = [sum(1 for c in notes if c.kind is kind) for kind in kinds]
    heading = ["Group", "Role", *(kind.label for kind in kinds), "All"]
    lines = ["## Groups", ""]
    if not session.groups:
        lines += ["This session has no groups.", ""]
    lines += [
        "| " + " | ".join(heading) + " |",
        "| --- | --- | " + " | ".join("---:" for _ in range(len(kinds) + 1)) + " |",
    ]
    for mention, role, counts in rows:
        lines.append(f"| {mention} | {role} | " + " | ".join(str(n) for n in [*counts, sum(counts)]) + " |")
    lines.append("| **All groups** | | " + " | ".join(str(n) for n in [*totals, sum(totals)]) + " |")
    hidden = sum(1 for c in session.cards.values() if c.hidden)
    if hidden:
        lines += ["", f"{hidden} of these notes {'is' if hidden == 1 else 'are'} hidden from phones."]
    return lines + [""]


def _card(session: Session, card: Card, label: dict[int, str], votes: dict[int, int]) -> list[str]:
    lines = [f"- **{label[card.id]}** {escape_text(card.text, INDENT)}", ""]
    if card.is_cluster:
        members = session.members(card.id)
        details = [f"cluster of {plural(len(members), 'note')}"]
    else:
        author = one_line(card.author or "").strip()
        details = [group_mention(session.group_of(card)), f"by {escape_line(author)}" if author else "anonymous"]
    if card.id in votes:
        details.append(f"**{plural(votes[card.id], 'vote')}**")
    details += [words for flag, words in ((card.hidden, "**hidden from phones**"),
                                          (card.held, "held until the reveal"),
                                          (card.picked, "brought back from a breakout"),
                                          (card.parked, "parked after a breakout")) if flag]
    lines += [INDENT + " · ".join(details), ""]
    if card.is_cluster:
        for member in session.members(card.id):
            author = one_line(member.author or "").strip()
            who = f"{group_mention(session.group_of(member))}, {f'by {escape_line(author)}' if author else 'anonymous'}"
            lines += [f"{INDENT}- **{label[member.id]}** {escape_text(member.text, INDENT * 2)} ({who})", ""]
    word = LINK_WORDS.get(card.kind)
    if word and card.links:
        targets = []
        for target_id in card.links:
            target = session.cards.get(target_id)
            if target is None:
                targets.append(f"card {target_id} (deleted)")
            else:
                targets.append(f"**{label[target_id]}** {escape_line(_short(target.text))}")
        lines += [f"{INDENT}{word}: " + " · ".join(targets), ""]
    return lines


def session_markdown(session: Session, since: Since | None = None) -> str:
    """The whole session as one Markdown document (UTF-8 text, `\\n` line ends, ending with one newline).

    A session with self-reflection answers or a plan gets those sections and the credits at the end
    (method_md.py); `since` names the earlier session of its programme to measure movement against.
    """
    label = labels(session)
    lines = _header(session) + _summary(session) + _votes(session, label)
    votes = {t.card.id: t.total for t in vote_results(session) if t.total} if session.meta.voting else {}
    for kind in Kind:
        cards = [c for c in session.column(kind) if c.cluster is None]  # members are listed under their cluster
        lines += [f"## {kind.label} ({len(cards)})", ""]
        if not cards:
            lines += [f"No {kind.label.lower()}.", ""]
        for card in cards:
            lines += _card(session, card, label, votes)
    if has_method(session):
        lines += method_sections(session, since=since, label=label)
    return "\n".join(lines).rstrip("\n") + "\n"


def _votes(session: Session, label: dict[int, str]) -> list[str]:
    """The latest round of dot voting: every note voted for, most votes first, with the split by role — whose
    priorities these are."""
    voting = session.meta.voting
    results = [t for t in vote_results(session) if t.total] if voting else []
    if voting is None or not results:
        return []
    state = "open" if voting.open else "closed"
    lines = [f"## Votes (round {voting.round}, {state})", "",
             f"{Kind(voting.kind).label}: {voting.per_person} votes per person, at most {voting.per_card} per note.",
             "", "| Note | Votes | By role |", "| --- | ---: | --- |"]
    for tally in results:
        split = ", ".join(f"{escape_line(role.label) if role else 'no group'} {n}"
                          for role, n in tally.roles_most_first())
        lines.append(f"| **{label[tally.card.id]}** {escape_line(_short(tally.card.text))} | {tally.total} | {split} |")
    return lines + [""]
