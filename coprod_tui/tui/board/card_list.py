"""A virtual list of cards: draws only the rows on screen, so a 2,000-card column costs what 20 cards cost.

Every card has the same height (two lines of text, one of group and author, one gap): the full text of the selected
card is shown in the detail pane. Fixed heights make scrolling and hit-testing simple arithmetic, and rendered cards
are cached by (card record, width, state) so a repaint after a key press redraws only what changed.

Card text is user text: it is only ever turned into `rich.text.Text` objects, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.model import Card, Group, Kind
from coprod_tui.core.reading.board import BoardFacts

CARD_HEIGHT = 4
TEXT_LINES = 2


@dataclass(frozen=True)
class CardView:
    """Everything needed to draw one card; hashable so drawings can be cached."""

    id: int
    text: str
    group_name: str | None
    group_slot: str | None
    author: str | None
    links: int
    linked_from: int
    hidden: bool = False
    new: bool = False
    marked: bool = False  # marked with m, to be clustered
    cluster_size: int | None = None  # a cluster: how many notes it holds
    votes: int | None = None  # dots, when the tallies of a vote on this column are revealed
    picked: str | None = None  # breakout pick: "picked" during the breakout, "from" (+ the group) after it


class CardList(ScrollView, can_focus=True):
    """One column (or one lane cell) of the board."""

    COMPONENT_CLASSES = {"card-list--card", "card-list--cursor", "card-list--selected", "card-list--meta",
                         "card-list--empty", "card-list--votes"}
    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "jump(0)", "First", show=False),
        Binding("end", "jump(-1)", "Last", show=False),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The selected card changed (or this list gained focus)."""

        def __init__(self, card_list: CardList, card_id: int | None) -> None:
            super().__init__()
            self.card_list = card_list
            self.card_id = card_id

    class Activated(Message):
        """Enter or a double click on a card."""

        def __init__(self, card_list: CardList, card_id: int) -> None:
            super().__init__()
            self.card_list = card_list
            self.card_id = card_id

    class EdgeReached(Message):
        """Up on the first card or down on the last: the board may move focus to the cell above or below."""

        def __init__(self, card_list: CardList, direction: int) -> None:
            super().__init__()
            self.card_list = card_list
            self.direction = direction

    def __init__(self, kind: Kind, group_id: int | None | object = ..., *, shade: Callable[[str | None], str],
                 empty_hint: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.kind = kind
        self.group_id = group_id
        self.shade = shade
        self.empty_hint = empty_hint
        self.cell_title = kind.label
        self.views: list[CardView] = []
        self._render_card = lru_cache(maxsize=512)(self._draw_card)

    # -- data ---------------------------------------------------------------------------------------------------
    @property
    def card_ids(self) -> list[int]:
        return [v.id for v in self.views]

    @property
    def selected_id(self) -> int | None:
        return self.views[self.cursor].id if self.views else None

    def set_cards(self, cards: list[Card], groups: dict[int, Group], facts: BoardFacts,
                  new_cards: set[int] = frozenset(), select: int | None = None,
                  marked: set[int] = frozenset()) -> None:
        """Show these cards; keep the selection on the same card when it is still there (or move to `select`)."""
        previous = select if select is not None else self.selected_id
        votes = facts.votes if facts.votes is not None and facts.votes_kind is self.kind else None
        self.views = [
            CardView(
                id=c.id,
                text=c.text,
                group_name=groups[c.group_id].name if c.group_id in groups else None,
                group_slot=groups[c.group_id].colour if c.group_id in groups else None,
                author=c.author,
                links=len(c.links),
                linked_from=facts.linked_from.get(c.id, 0),
                hidden=c.hidden,
                new=c.id in new_cards,
                marked=c.id in marked,
                cluster_size=facts.cluster_sizes.get(c.id, 0) if c.is_cluster else None,
                votes=votes.get(c.id, 0) if votes is not None else None,
                picked=_picked_marker(c, facts.breakout),
            )
            for c in cards
        ]
        ids = self.card_ids
        index = ids.index(previous) if previous in ids else min(self.cursor, max(len(ids) - 1, 0))
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.views) * CARD_HEIGHT)
        self.set_reactive(CardList.cursor, index)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.selected_id))

    def select_card(self, card_id: int) -> bool:
        ids = self.card_ids
        if card_id not in ids:
            return False
        self.cursor = ids.index(card_id)
        return True

    def clear_cache(self) -> None:
        """Theme changes alter colours: drop drawn cards."""
        self._render_card.cache_clear()
        self.refresh()

    # -- actions ------------------------------------------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if not self.views:
            self.post_message(self.EdgeReached(self, delta))
            return
        target = self.cursor + delta
        if target < 0 or target >= len(self.views):
            self.post_message(self.EdgeReached(self, delta))
            return
        self.cursor = target

    def action_page(self, direction: int) -> None:
        if self.views:
            step = max(self.scrollable_content_region.height // CARD_HEIGHT, 1)
            self.cursor = min(max(self.cursor + direction * step, 0), len(self.views) - 1)

    def action_jump(self, index: int) -> None:
        if self.views:
            self.cursor = index % len(self.views)

    def watch_cursor(self, old: int, new: int) -> None:
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self, self.selected_id))

    def _scroll_to_cursor(self) -> None:
        if self.views:
            region = Region(0, self.cursor * CARD_HEIGHT, self.scrollable_content_region.width, CARD_HEIGHT)
            self.scroll_to_region(region, animate=False, force=True, immediate=True)

    def on_focus(self) -> None:
        self.refresh()
        self.post_message(self.Highlighted(self, self.selected_id))

    def on_blur(self) -> None:
        self.refresh()

    def on_click(self, event: events.Click) -> None:
        index = (event.y + int(self.scroll_offset.y)) // CARD_HEIGHT
        if 0 <= index < len(self.views):
            self.cursor = index
            if event.chain >= 2:
                self.post_message(self.Activated(self, self.views[index].id))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.views) * CARD_HEIGHT)

    # -- drawing ------------------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        line = y + int(self.scroll_offset.y)
        if not self.views:
            return self._empty_line(y, width)
        index, row = divmod(line, CARD_HEIGHT)
        if index >= len(self.views):
            return Strip.blank(width, self.rich_style)
        state = "cursor" if index == self.cursor and self.has_focus else ("selected" if index == self.cursor else "")
        return self._render_card(self.views[index], width, state, self.app.theme)[row]

    def _empty_line(self, y: int, width: int) -> Strip:
        if y != 1 or not self.empty_hint:
            return Strip.blank(width, self.rich_style)
        style = self.get_component_rich_style("card-list--empty")
        text = Text(self.empty_hint, overflow="ellipsis", no_wrap=True)
        text.truncate(width, overflow="ellipsis")
        text.align("center", width)
        # Text.render() drops a Text's own style and justify when it has no spans: apply them here.
        segments = Segment.apply_style(text.render(self.app.console), style)
        return Strip(segments).extend_cell_length(width, self.rich_style).crop(0, width)

    def _draw_card(self, view: CardView, width: int, state: str, theme: str) -> list[Strip]:
        """The card's CARD_HEIGHT lines; the theme name is part of the cache key only."""
        base = self.get_component_rich_style("card-list--card")
        if state == "cursor":
            base += self.get_component_rich_style("card-list--cursor")
        elif state == "selected":
            base += self.get_component_rich_style("card-list--selected")
        shade = Style(color=self.shade(view.group_slot))
        bar = Segment("▌ ", base + shade if view.group_slot else base + Style(dim=True))
        inner = max(width - 3, 1)
        console = self.app.console
        text = Text(view.text, style=base + Style(dim=True, strike=True) if view.hidden else base, overflow="fold",
                    tab_size=2)
        lines = text.wrap(console, inner)
        shown = list(lines)[:TEXT_LINES]
        if len(lines) > TEXT_LINES and shown:
            last = shown[-1]
            last.truncate(inner - 1)
            last.append("…", style=base)
        while len(shown) < TEXT_LINES:
            shown.append(Text("", style=base))
        # Text.render() leaves a line without spans unstyled (no colour, no background): put the card style under it.
        strips = [self._strip([bar, *Segment.apply_style(t.render(console), base)], width, base) for t in shown]
        strips.append(self._strip([bar, *self._meta(view, base, shade).render(console)], width, base))
        strips.append(Strip.blank(width, self.rich_style))
        return strips

    def _meta(self, view: CardView, base: Style, shade: Style) -> Text:
        muted = self.get_component_rich_style("card-list--meta")
        meta = base + Style(color=muted.color)  # the colour only: its background would hide the cursor's
        badge = meta + Style(bold=True, reverse=True)
        text = Text(style=meta, no_wrap=True, overflow="ellipsis")
        # Markers first, so a narrow column never cuts them off.
        for shown, word in ((view.new, "NEW"), (view.hidden, "HIDDEN"), (view.marked, "MARKED")):
            if shown:  # NEW: a phone's note that just arrived; MARKED: to be clustered (m)
                text.append(word, style=badge)
                text.append(" ")
        if view.votes is not None:  # a chip, so the dots are never read as a group's ● glyph
            votes = self.get_component_rich_style("card-list--votes")
            text.append(f" ● {view.votes} ", style=base + Style(color=votes.color, bold=True, reverse=True))
            text.append(" ")
        if view.picked is not None:  # "★ picked ● Carers · …" in the breakout, "★ from ● Carers · …" after it
            text.append(f"★ {view.picked}", style=base + Style(bold=True))
            text.append(" ")
        if view.cluster_size is not None:
            text.append(f"⧉ {view.cluster_size} note" + ("" if view.cluster_size == 1 else "s"),
                        style=base + Style(bold=True))
        else:
            if view.group_name is not None:
                text.append(f"{GROUP_GLYPHS.get(view.group_slot or '', '●')} ", style=base + shade)
                text.append(view.group_name, style=base + shade + Style(bold=True))
            else:
                text.append("no group", style=meta + Style(italic=True))
            text.append(" · ")
            text.append(view.author or "anonymous", style=meta + Style(italic=view.author is None))
        link_total = view.links + view.linked_from
        if link_total:
            text.append(f"  · {link_total} link" + ("" if link_total == 1 else "s"))
        return text

    @staticmethod
    def _strip(segments: list[Segment], width: int, style: Style) -> Strip:
        return Strip(segments).extend_cell_length(width, style).crop(0, width)


def _picked_marker(card: Card, breakout: bool) -> str | None:
    """Breakout picks: "picked" while the groups are apart; afterwards "from" (followed by the group's name)."""
    if not card.picked:
        return None
    return "picked" if breakout else "from"
