"""The detail pane: the selected card in full, and the chain it belongs to.

A card on the board shows two lines; here the whole text, its group and author, and its links both ways
(problem ← options that address it ← contributions that serve those options), so the facilitator can read the
chain aloud. A cluster lists the notes folded into it, and stands for them in every chain. Everything is built
as `rich.text.Text`, so user text is never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.model import Card, Kind, Session
from coprod_tui.core.reading.tally import vote_results
from coprod_tui.core.reading.board import chain_back, chain_links


class CardDetail(Static):
    """Shows one card (or a hint when none is selected)."""

    def show(self, session: Session, card: Card | None, shade: Callable[[str | None], str]) -> None:
        self.update(describe(session, card, shade))


def _who(session: Session, card: Card, shade: Callable[[str | None], str]) -> Text:
    group = session.group_of(card)
    text = Text()
    if group:
        text.append(f"{GROUP_GLYPHS.get(group.colour, '●')} {group.name}", style=f"bold {shade(group.colour)}")
        text.append(f" ({group.role.label})", style="dim")
    else:
        text.append("no group", style="italic dim")
    text.append(" · ")
    text.append(card.author or "anonymous", style="italic" if card.author is None else "")
    return text


def _flat(text: str, limit: int = 100) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _bullets(title: str, cards: list[Card]) -> Text:
    text = Text()
    text.append(f"\n{title}\n", style="bold")  # only the heading: a Text's own style would embolden every item
    if not cards:
        text.append("  none yet\n", style="dim")
    for other in cards:
        text.append("  • ")
        if other.is_cluster:
            text.append("⧉ ", style="bold")
        text.append(_flat(other.text))
        text.append("\n")
    return text


def _members(session: Session, cluster: Card, shade: Callable[[str | None], str]) -> Text:
    members = session.members(cluster.id)
    text = Text()
    text.append("\nNotes in this cluster\n", style="bold")
    for member in members:
        group = session.group_of(member)
        text.append("  • ")
        if group:
            text.append(f"{GROUP_GLYPHS.get(group.colour, '●')} {group.name}", style=f"bold {shade(group.colour)}")
        else:
            text.append("no group", style="italic dim")
        text.append(": ")
        text.append(_flat(member.text))
        text.append("\n")
    return text


def _votes(session: Session, card: Card, shade: Callable[[str | None], str]) -> Text | None:
    """The card's revealed votes with their split by group (None when no tallies are shown for its column)."""
    voting = session.meta.voting
    if voting is None or not voting.revealed or voting.kind != card.kind.value:
        return None
    tally = next((t for t in vote_results(session) if t.card.id == card.id), None)
    text = Text()
    total = tally.total if tally else 0
    text.append(f"● {total} vote" + ("" if total == 1 else "s"), style="bold")
    if tally and tally.by_group:
        text.append("  (")
        text.append_text(Text(" · ").join(_group_count(session, gid, n, shade)
                                          for gid, n in tally.by_group.most_common()))
        text.append(")")
    return text


def _group_count(session: Session, group_id: int | None, count: int, shade: Callable[[str | None], str]) -> Text:
    group = session.groups.get(group_id) if group_id is not None else None
    if group is None:
        return Text(f"○ no group {count}", style="dim")
    return Text.assemble((f"{GROUP_GLYPHS.get(group.colour, '●')} ", shade(group.colour)), group.name, f" {count}")


def describe(session: Session, card: Card | None, shade: Callable[[str | None], str]) -> Text:
    if card is None:
        return Text("Select a card to see it in full and what it is linked to.", style="dim")
    text = Text()
    if card.is_cluster:
        size = len(session.members(card.id))
        text.append("Cluster  ", style="bold reverse")
        text.append(f" ⧉ {size} note" + ("" if size == 1 else "s") + f" · {card.kind.label.lower()}")
    else:
        text.append(f"{card.kind.singular}  ", style="bold reverse")
        text.append(" ")
        text.append_text(_who(session, card, shade))
    if card.picked:
        group = session.group_of(card)
        text.append("  ★ picked in the breakout" + (f" by {group.name}" if group else ""), style="bold")
    votes = _votes(session, card, shade)
    if votes is not None:
        text.append("  ")
        text.append_text(votes)
    text.append("\n\n")
    text.append(card.text)
    text.append("\n")
    if card.is_cluster:
        text.append_text(_members(session, card, shade))
    links = chain_links(session, card)
    back = chain_back(session, card)
    if card.kind is Kind.PROBLEM:
        text.append_text(_bullets("Options that address it", back))
        serving = {c.id: c for o in back for c in chain_back(session, o)}
        text.append_text(_bullets("Contributions to those options", list(serving.values())))
    elif card.kind is Kind.OPTION:
        text.append_text(_bullets("Addresses the problems", links))
        text.append_text(_bullets("Contributions that serve it", back))
    else:
        text.append_text(_bullets("Serves the options", links))
        problems = {p.id: p for o in links for p in chain_links(session, o)}
        text.append_text(_bullets("…which address the problems", list(problems.values())))
    return text
