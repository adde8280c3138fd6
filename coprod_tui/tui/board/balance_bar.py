"""The balance bar above the footer: whose voice is on the board, in one line.

"Notes 23 [● 8 Carers|▲ 12 Practitioners|■ 3]  roles: Carers 8 · Practitioners 12 · People 3  ⚠ no notes from …
yet": the notes of each group as a segment as wide as its share, in the group's colour but always with its glyph
and count (colour is never the only cue); while a vote is on, the dots of each group the same way ("Votes 14 […]",
before the roles); then the notes of each role. A group
that speaks for people who use services or for carers and family, and has no note yet, is named in a warning: those
are the voices co-production exists to bring in, and the easiest to lose.

Counts come from `core.tally.balance` (the phones and the exports count the same way). Group names are user text:
only ever `rich.text.Text`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from rich.style import Style
from rich.text import Text
from textual.color import Color
from textual.widget import Widget

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Role, Session
from coprod_tui.core.reading.tally import balance

# Short role names: the bar is one line ("People": people who use services).
ROLE_SHORT = {
    Role.PEOPLE: "People",
    Role.CARERS: "Carers",
    Role.PRACTITIONERS: "Practitioners",
    Role.COMMISSIONERS: "Commissioners",
    Role.COMMUNITY: "Community",
    Role.OTHER: "Other",
}
MISSING_VOICES = (Role.PEOPLE, Role.CARERS)


def missing_voices(session: Session, notes_by_group: Counter) -> list[str]:
    """Names of the groups of people who use services or carers with no note on the board yet."""
    return [g.name for g in session.groups.values() if g.role in MISSING_VOICES and not notes_by_group.get(g.id)]


class BalanceBar(Widget):
    """One line: notes (and, while voting, dots) by group and by role, and a warning for a missing voice."""

    COMPONENT_CLASSES = {"balance-bar--label", "balance-bar--warning"}

    def __init__(self, hub: Hub, shade: Callable[[str | None], str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hub = hub
        self.shade = shade

    def render(self) -> Text:
        session = self.hub.session
        width = max(self.content_size.width, 10)
        counts = balance(session)
        label = self.get_component_rich_style("balance-bar--label")
        warning = Text(no_wrap=True)
        missing = missing_voices(session, counts.notes_by_group)
        if missing:
            warning.append(f"⚠ no notes from {', '.join(missing)} yet",
                           style=self.get_component_rich_style("balance-bar--warning"))
        room = width - (warning.cell_len + 2 if missing else 0)
        bar_width = max(min(room // 5, 40), 10)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(f"Notes {counts.notes} ", style=label)
        line.append_text(self.segments(session, counts.notes_by_group, bar_width))
        voting = session.meta.voting
        if voting is not None and voting.open or counts.votes:
            line.append("  Votes ", style=label)
            line.append(f"{counts.votes} ", style=label)
            line.append_text(self.segments(session, counts.votes_by_group, max(bar_width // 2, 8)))
        line.append("  roles: ", style=label)
        line.append_text(self.roles(session, counts.notes_by_role))
        line.truncate(max(room, 1), overflow="ellipsis", pad=bool(missing))
        if missing:
            line.append("  ")
            line.append_text(warning)
        return line

    def segments(self, session: Session, by_group: Counter, width: int) -> Text:
        """A bar `width` cells wide (wider if labels need it): one segment per group, as wide as its share."""
        total = sum(by_group.values())
        text = Text(no_wrap=True)
        if not total:
            text.append("·" * min(width, 12), style=self.get_component_rich_style("balance-bar--label"))
            return text
        order = [g.id for g in session.groups.values()] + [None]
        parts = []
        for gid in order:
            if by_group.get(gid):
                group = session.groups.get(gid) if gid is not None else None
                glyph = GROUP_GLYPHS.get(group.colour, "●") if group else "○"
                parts.append((group, by_group[gid], f"{glyph} {by_group[gid]}", group.name if group else "no group"))
        shares = [round(count / total * width) for _g, count, _l, _n in parts]
        # Names too when the bar can hold them (at most half as wide again); glyph and count always.
        named = [f"{label} {name}" for _g, _c, label, name in parts]
        if sum(max(s, len(n) + 2) for s, n in zip(shares, named)) > width * 3 // 2:
            named = [label for _g, _c, label, _n in parts]
        for (group, _count, _label, _name), share, label in zip(parts, shares, named):
            background = Color.parse(self.shade(group.colour if group else None))
            style = Style(bgcolor=background.rich_color, color=background.get_contrast_text(1.0).rich_color,
                          bold=True)
            piece = Text(f" {label}", style=style, no_wrap=True, overflow="ellipsis")
            piece.truncate(max(share, len(label) + 2), pad=True)
            text.append_text(piece)
        return text

    def roles(self, session: Session, by_role: Counter) -> Text:
        roles = list(dict.fromkeys(g.role for g in session.groups.values()))
        roles += [r for r in by_role if r is not None and r not in roles]
        parts = [Text(f"{ROLE_SHORT[role]} {by_role.get(role, 0)}") for role in roles]
        if by_role.get(None):
            parts.append(Text(f"no group {by_role[None]}"))
        return Text(" · ", no_wrap=True).join(parts)
