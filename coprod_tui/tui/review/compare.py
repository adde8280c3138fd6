"""Two sessions side by side: which problems persist, which are no longer raised, which are new, whose voices grew,
and which plan actions were done (tab 4).

`CompareScreen` shows a `core.reading.compare.Comparison`; it holds no hub (the caller opens both sessions read-only, hands
over their `.session`, and closes the hubs), so nothing here can change a session. `ComparePicker` chooses the
second session, listing the first one's programme before the rest, because comparing a programme with itself
months later is what this is for.

Every card text, title, group and programme name is user text: it goes through `rich.text.Text` / `Content`,
never markup (a note reading "[@click=app.quit]" must show as typed).
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static, Tab, Tabs
from textual.widgets.option_list import Option

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.reading.compare import Comparison, KindComparison, PlanComparison, compare
from coprod_tui.core.localtime import local_date
from coprod_tui.core.model import Card, Kind, Session
from coprod_tui.core.store.folder import SessionSummary
from coprod_tui.core.reading.yousaid import Action, serves
from coprod_tui.core.wording import plural
from coprod_tui.tui.review.compare_view import Block, Row, SideBySide, balance_tables, day

# How each column's outcomes are said: kept (one / several), gone, and the heading of the kept section.
WORDS: dict[Kind, tuple[str, str, str, str]] = {
    Kind.PROBLEM: ("persists", "persist", "no longer raised", "Persist"),
    Kind.OPTION: ("still proposed", "still proposed", "no longer proposed", "Still proposed"),
    Kind.CONTRIBUTION: ("still offered", "still offered", "no longer offered", "Still offered"),
}


def summary_line(result: KindComparison) -> Text:
    """'4 problems persist, 3 no longer raised, 2 new' — the first thing a commissioner asks."""
    one, many, gone, _ = WORDS[result.kind]
    kept = len(result.persisting)
    noun = result.kind.value if kept == 1 else result.kind.value + "s"
    return Text(f"{kept} {noun} {one if kept == 1 else many}, {len(result.only_earlier)} {gone}, "
                f"{len(result.only_later)} new")


PLAN = "plan"


def plan_summary(plan: PlanComparison) -> Text:
    """'Earlier plan: 2 of 3 actions done · later plan: 1 new, 1 taken up again' — or that there is no plan."""
    if not plan.available:
        return Text("Neither session has a plan yet, so there are no actions to check off.")
    parts = []
    if plan.earlier_has_plan:
        parts.append(f"earlier plan: {len(plan.done)} of {plural(len(plan.earlier), 'action')} done")
    else:
        parts.append("the earlier session has no plan")
    if plan.later_has_plan:
        parts.append(f"later plan: {len(plan.new)} new, {len(plan.carried)} taken up again")
    else:
        parts.append("the later session has no plan")
    text = " · ".join(parts)
    return Text(text[0].upper() + text[1:])


class CompareScreen(Screen):
    """Side by side, one kind at a time (1 / 2 / 3), then the balance of voices; the plans on a tab of their own (4)."""

    BINDINGS = [
        Binding("1", "kind('problem')", "Problems"),
        Binding("2", "kind('option')", "Options"),
        Binding("3", "kind('contribution')", "Contributions"),
        Binding("4", "kind('plan')", "Plan"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help"),
    ]
    HELP_EXTRA = [("↑ ↓ PgUp PgDn Home End", "Scroll"), ("tab", "Move to the tabs (← → switch there)")]

    def __init__(self, earlier: Session, later: Session) -> None:
        super().__init__()
        self.comparison: Comparison = compare(earlier, later)
        self.kind = Kind.PROBLEM  # the kind on show (or last on show, while the plan tab is)
        self.page = Kind.PROBLEM.value  # the tab on show: a kind's value, or PLAN

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._head(), id="compare-head")
        yield Static(self._summary(), id="compare-summary")
        yield Tabs(*(Tab(Content(f"{n} {kind.label}"), id=kind.value) for n, kind in enumerate(Kind, 1)),
                   Tab(Content(f"{len(Kind) + 1} Plan"), id=PLAN), id="compare-kinds")
        yield SideBySide(id="compare-body")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Compare sessions"
        self.sub_title = self.comparison.later.meta.programme or self.comparison.earlier.meta.programme
        self._show_kind()
        self.query_one(SideBySide).focus()
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, _theme: object) -> None:
        """Group colours are theme shades baked into the drawn lines: draw them again."""
        self.query_one(SideBySide).forget()
        self._show_kind()

    # -- actions ------------------------------------------------------------------------------------------------
    def action_kind(self, kind: str) -> None:
        self.query_one(Tabs).active = kind  # the tab's TabActivated message redraws: one path for keys and clicks

    @on(Tabs.TabActivated)
    def _tab(self, event: Tabs.TabActivated) -> None:
        if event.tab.id is not None and event.tab.id != self.page:
            self.page = event.tab.id
            if self.page != PLAN:
                self.kind = Kind(self.page)
            self._show_kind()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        from coprod_tui.tui.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    # -- drawing ------------------------------------------------------------------------------------------------
    def _shade(self, slot: str | None) -> str:
        shade = getattr(self.app, "group_shade", None)
        return shade(slot) if shade is not None else ""

    def _head(self) -> Text:
        c = self.comparison
        text = Text()
        for label, session in (("Earlier ", c.earlier), ("Later   ", c.later)):
            text.append(label, style="bold")
            text.append(f"{day(session.meta.created)}  ", style="dim")
            text.append(session.meta.title)
            text.append("\n")
        if c.gap_days is not None:
            text.append(f"{c.gap_days} days apart ", style="dim")
        programmes = {s.meta.programme for s in (c.earlier, c.later)}
        if programmes == {""}:
            text.append("· neither session names a programme", style="dim")
        elif len(programmes) == 1:
            text.append("· programme: ", style="dim").append(c.later.meta.programme, style="bold")
        else:
            text.append("· programmes differ: ", style="dim").append(c.earlier.meta.programme or "(none)")
            text.append(" / ", style="dim").append(c.later.meta.programme or "(none)")
        if c.swapped:
            text.append("\nShown oldest first: the newer session was picked first.", style="italic")
        return text

    def _summary(self) -> Text:
        text = Text()
        for kind, result in self.comparison.kinds.items():
            text.append(f"{kind.label:<15}", style="bold").append_text(summary_line(result)).append("\n")
        text.rstrip()
        return text

    def _show_kind(self) -> None:
        if self.page == PLAN:
            self.query_one(SideBySide).show(self._plan_page(), key=PLAN)
            return
        blocks = [*self._cards(self.comparison.kinds[self.kind]), balance_tables(self.comparison.balance),
                  self._plan()]
        self.query_one(SideBySide).show(blocks, key=self.kind)

    def _card(self, card: Card, session: Session) -> Text:
        text = Text(card.text, overflow="fold")
        text.expand_tabs(4)  # a tab has no width of its own: left in, it would push the later column out of line
        group = session.group_of(card)
        if group is not None or card.hidden:
            text.append("\n")  # the group on a line of its own: two columns of text stay easy to scan
        if group is not None:
            text.append(f"{GROUP_GLYPHS.get(group.colour, '●')} ", style=self._shade(group.colour))
            text.append(group.name, style="dim")
        if card.hidden:
            text.append("  hidden from phones", style="dim italic")
        return text

    def _cards(self, result: KindComparison) -> list[Block]:
        """Persisting pairs side by side, then what only the earlier session had, then what only the later has."""
        c = self.comparison
        _, _, gone, kept = WORDS[result.kind]
        none = Text("—", style="dim")
        blocks: list[Block] = [Row(Text(f"Earlier · {day(c.earlier.meta.created)}", style="bold"),
                                   Text("match", style="bold"), Text(f"Later · {day(c.later.meta.created)}",
                                                                      style="bold"))]
        sections = (
            (f"{kept} ({len(result.persisting)})", result.persisting, "persisting"),
            (f"{gone.capitalize()} ({len(result.only_earlier)})", result.only_earlier, "earlier"),
            (f"New ({len(result.only_later)})", result.only_later, "later"),
        )
        for title, items, side in sections:
            blocks.append(Text("\n").append(title, style="bold underline"))
            if not items:
                blocks.append(Text("none", style="dim italic"))
            for item in items:
                if side == "persisting":
                    match = Text("same", style="dim") if item.same else Text(f"{int(item.score * 100)}%")
                    blocks.append(Row(self._card(item.earlier, c.earlier), match, self._card(item.later, c.later)))
                elif side == "earlier":
                    blocks.append(Row(self._card(item, c.earlier), Text(""), none))
                else:
                    blocks.append(Row(none, Text(""), self._card(item, c.later)))
        return blocks

    def _plan(self) -> Text:
        text = Text("\n").append("Plan actions", style="bold underline").append("\n")
        text.append_text(plan_summary(self.comparison.plan))
        if self.comparison.plan.available:
            text.append("  (4 shows them)", style="dim")
        return text

    def _action(self, action: Action, session: Session) -> Text:
        """One action: done or not (in words, not only a mark), what, who, by when, what happened, what it serves."""
        if action.done:
            text = Text("✓ Done", style="bold")
            if action.done_at:
                text.append(" ").append(action.done_at, style="dim")
        else:
            text = Text("✗ Not done", style="bold")
            if action.by:
                text.append(" ").append(f"· by {action.by}", style="dim")
        text.append("\n").append(action.what)
        who = action.who
        if action.who_role is not None:
            who = f"{who} ({action.who_role.label})" if who else action.who_role.label
        if who:
            text.append("\nWho: ", style="dim").append(who)
        if action.note:
            text.append("\nWhat happened: ", style="dim").append(action.note)
        found = serves(session, action)
        for card in (*found.options, *found.problems):
            text.append(f"\nFor the {card.kind.value}: ", style="dim").append(" ".join(card.text.split()))
        text.expand_tabs(4)
        return text

    def _plan_page(self) -> list[Block]:
        """The earlier plan's actions, done first, each beside the later action that takes it up again (if any);
        then the later plan's new actions."""
        c = self.comparison
        plan = c.plan
        blocks: list[Block] = [plan_summary(plan)]
        if not plan.available:
            return blocks
        reviews = [f"{side} plan's review date: {date}" for side, date in (("Earlier", plan.earlier_review),
                                                                           ("Later", plan.later_review)) if date]
        if reviews:
            blocks.append(Text(" · ".join(reviews), style="dim"))
        none = Text("—", style="dim")
        blocks.append(Row(Text(f"\nEarlier plan · {day(c.earlier.meta.created)}", style="bold"),
                          Text("\nmatch", style="bold"),
                          Text(f"\nLater plan · {day(c.later.meta.created)}", style="bold")))
        sections = ((f"Done ({len(plan.done)})", plan.done), (f"Not done ({len(plan.not_done)})", plan.not_done))
        for title, actions in sections:
            blocks.append(Text("\n").append(title, style="bold underline"))
            if not actions:
                blocks.append(Text("none", style="dim italic"))
            for action in actions:
                carried = plan.carried_into(action.id)
                if carried is None:
                    blocks.append(Row(self._action(action, c.earlier), Text(""), none))
                else:
                    match = Text("same", style="dim") if carried.score >= 1.0 else Text(f"{int(carried.score * 100)}%")
                    blocks.append(Row(self._action(action, c.earlier), match, self._action(carried.later, c.later)))
        blocks.append(Text("\n").append(f"New in the later plan ({len(plan.new)})", style="bold underline"))
        if not plan.new:
            blocks.append(Text("none", style="dim italic"))
        for action in plan.new:
            blocks.append(Row(none, Text(""), self._action(action, c.later)))
        return blocks


class ComparePicker(ModalScreen[str | None]):
    """Choose the session to compare with; dismisses with its id, or None when cancelled.

    Sessions of the same programme come first (newest first, as listed), then the rest. Typing filters by title,
    programme, date or id; ↑ ↓ move; enter compares.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel"),
        Binding("down", "move('cursor_down')", "Down", show=False),
        Binding("up", "move('cursor_up')", "Up", show=False),
        Binding("pagedown", "move('page_down')", "Page down", show=False),
        Binding("pageup", "move('page_up')", "Page up", show=False),
    ]

    def __init__(self, summaries: list[SessionSummary], first_id: str) -> None:
        super().__init__()
        self.first = next((s for s in summaries if s.id == first_id), None)
        programme = (self.first.programme if self.first else "").casefold()
        others = [s for s in summaries if s.id != first_id and s.readable]
        self.same = [s for s in others if programme and s.programme.casefold() == programme]
        self.rest = [s for s in others if s not in self.same]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="compare-picker"):
            yield Label("Compare with which session?", classes="dialog-title")
            heading = Text("")
            if self.first is not None:
                heading = Text("First: ", style="dim").append(self.first.title)
                heading.append(f"  {day(self.first.created)}", style="dim")
                if self.first.programme:
                    heading.append("  · programme ", style="dim").append(self.first.programme)
            yield Static(heading, classes="hint")
            yield Input(placeholder="Type to filter", id="compare-filter")
            yield OptionList(id="compare-choices")
            yield Static(Content("↑ ↓ choose · enter compares · esc cancels"), classes="hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()

    @on(Input.Changed, "#compare-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    def _fill(self, query: str) -> None:
        words = query.casefold().split()

        def wanted(s: SessionSummary) -> bool:
            haystack = f"{s.title} {s.programme} {local_date(s.created)} {s.id}".casefold()
            return all(w in haystack for w in words)

        options: list[Option] = []
        same = [s for s in self.same if wanted(s)]
        rest = [s for s in self.rest if wanted(s)]
        if same:
            options.append(Option(Text("Same programme", style="bold"), disabled=True))
            options += [self._option(s) for s in same]
        if rest:
            if same:
                options.append(Option(Text("Other sessions", style="bold"), disabled=True))
            options += [self._option(s) for s in rest]
        if not options:
            empty = "No session matches." if words else "There is no other session to compare with."
            options.append(Option(Text(empty, style="italic"), disabled=True))
        choices = self.query_one(OptionList)
        choices.set_options(options)
        choices.action_first()  # the first selectable session (headings are disabled, so skipped)

    @staticmethod
    def _option(s: SessionSummary) -> Option:
        prompt = Text(s.title).append(f"  {day(s.created)}", style="dim")
        if s.programme:
            prompt.append("  · ", style="dim").append(s.programme, style="dim")
        return Option(prompt, id=s.id)

    def action_move(self, action: str) -> None:
        getattr(self.query_one(OptionList), f"action_{action}")()

    @on(Input.Submitted, "#compare-filter")
    def _submitted(self) -> None:
        choices = self.query_one(OptionList)
        if choices.highlighted is not None:
            option = choices.get_option_at_index(choices.highlighted)
            if not option.disabled and option.id is not None:
                self.dismiss(option.id)

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
