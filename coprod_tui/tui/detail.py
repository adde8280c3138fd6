"""The detail pane: the selected card in full, and the chain it belongs to.

A card on the board shows two lines; here the whole text, its group and author, and its links both ways
(problem ← options that address it ← contributions that serve those options), so the facilitator can read the
chain aloud. Everything is built as `rich.text.Text`, so user text is never markup.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.widgets import Static

from ..core.colours import GROUP_GLYPHS
from ..core.model import Card, Kind, Session


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


def _bullets(title: str, cards: list[Card]) -> Text:
    text = Text()
    text.append(f"\n{title}\n", style="bold")  # only the heading: a Text's own style would embolden every item
    if not cards:
        text.append("  none yet\n", style="dim")
    for other in cards:
        flat = " ".join(other.text.split())
        text.append("  • ")
        text.append(flat if len(flat) <= 100 else flat[:99] + "…")
        text.append("\n")
    return text


def describe(session: Session, card: Card | None, shade: Callable[[str | None], str]) -> Text:
    if card is None:
        return Text("Select a card to see it in full and what it is linked to.", style="dim")
    text = Text()
    text.append(f"{card.kind.singular}  ", style="bold reverse")
    text.append(" ")
    text.append_text(_who(session, card, shade))
    text.append("\n\n")
    text.append(card.text)
    text.append("\n")
    links = [session.cards[i] for i in card.links if i in session.cards]
    back = session.linked_from(card.id)
    if card.kind is Kind.PROBLEM:
        text.append_text(_bullets("Options that address it", back))
        serving = {c.id: c for o in back for c in session.linked_from(o.id)}
        text.append_text(_bullets("Contributions to those options", list(serving.values())))
    elif card.kind is Kind.OPTION:
        text.append_text(_bullets("Addresses the problems", links))
        text.append_text(_bullets("Contributions that serve it", back))
    else:
        text.append_text(_bullets("Serves the options", links))
        problems = {p.id: p for o in links for p in (session.cards.get(i) for i in o.links) if p}
        text.append_text(_bullets("…which address the problems", list(problems.values())))
    return text
