"""The live board: Problems → Options → Contributions, for all groups, one group, or groups side by side.

The screen owns no session state: it reads `hub.session`, sends every change as a hub command, and redraws when the
hub publishes an event — so what you see is what was applied, whichever front end applied it.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Grid, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header

from coprod_tui.core.commands import Event
from coprod_tui.core.errors import CoprodError
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Card, Kind
from coprod_tui.tui.board.balance_bar import BalanceBar
from coprod_tui.tui.board.cards import KINDS, CardActions
from coprod_tui.core.reading.board import board_column, board_facts
from coprod_tui.tui.board.method import MethodControls
from coprod_tui.tui.board.phones import PhoneControls
from coprod_tui.tui.board.review import ReviewControls
from coprod_tui.tui.board.room import RunControls
from coprod_tui.tui.board.saving import NotSavedMark
from coprod_tui.tui.board.views import ViewControls
from coprod_tui.tui.board.votes import VoteControls
from coprod_tui.tui.board.card_list import CardList
from coprod_tui.tui.board.detail import CardDetail
from coprod_tui.tui.board.palette import BoardCommands
from coprod_tui.tui.board.phase_bar import PhaseBar
from coprod_tui.tui.dialogs.votes import ResultsScreen

# Actions that change the session: hidden in review (read-only) mode.
WRITE_ACTIONS = {"add", "edit", "delete", "move", "reorder", "group", "link", "hide", "undo", "redo",
                 *PhoneControls.PHONE_ACTIONS, "phones", *RunControls.RUN_ACTIONS, *VoteControls.VOTE_ACTIONS}


class HubChanged(Message):
    """The hub applied changes. A burst collapses into one message carrying every event (toolong's habit of
    replaceable messages), so a flood of phone notes costs one redraw, not one each."""

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.events = [event]

    def can_replace(self, message: Message) -> bool:
        if isinstance(message, HubChanged):
            self.events[:0] = message.events
            return True
        return False


class BoardScreen(CardActions, PhoneControls, ReviewControls, RunControls, VoteControls, ViewControls, MethodControls,
                  Screen):
    """One session's board."""

    COMMANDS = Screen.COMMANDS | {BoardCommands}
    BINDINGS = [
        Binding("n", "add", "Add"),
        Binding("e,enter", "edit", "Edit"),
        Binding("d,delete", "delete", "Delete"),
        Binding("g", "group", "Group"),
        Binding("l", "link", "Link"),
        Binding("h", "hide", "Hide from phones", show=False),
        Binding("shift+left", "move(-1)", "Move ←", show=False),
        Binding("shift+right", "move(1)", "Move →", show=False),
        Binding("shift+up", "reorder(-1)", "Move up", show=False),
        Binding("shift+down", "reorder(1)", "Move down", show=False),
        Binding("u", "undo", "Undo"),
        Binding("ctrl+r", "redo", "Redo", show=False),
        Binding("v", "cycle_view", "View"),
        Binding("1", "view('all')", "All groups", show=False),
        Binding("2", "next_group", "One group", show=False),
        Binding("3", "view('lanes')", "Lanes", show=False),
        *RunControls.RUN_BINDINGS,
        *VoteControls.VOTE_BINDINGS,
        Binding("left", "focus_cell(-1)", "Column ←", show=False),
        Binding("right", "focus_cell(1)", "Column →", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("escape", "home", "Sessions", show=False),
        *PhoneControls.PHONE_BINDINGS,
        *ReviewControls.REVIEW_BINDINGS,
        *MethodControls.METHOD_BINDINGS,
    ]
    HELP_EXTRA = [
        ("↑ ↓ PgUp PgDn Home End", "Select a card"),
        ("← → tab", "Next / previous column"),
        ("ctrl+p", "Command palette: every action, views, themes"),
        ("ctrl+q", "Quit (everything is already saved)"),
    ]

    view: reactive[str] = reactive("all", init=False)

    def __init__(self, hub: Hub, *, focus_card: int | None = None) -> None:
        super().__init__()
        self.hub = hub
        self._start_card = focus_card  # a search result opens the board at its card
        self._unsubscribe = None
        self._last_group: int | None = None
        self._chose_group = False
        # Footer redraws are not free: bindings are refreshed only when these change.
        self._had_card: bool | None = None
        self._undo_state: tuple[bool, bool] | None = None
        self._cells_wanted: list = []
        self._init_phones()
        self._init_votes()

    @property
    def session(self):
        return self.hub.session

    # -- layout -------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield PhaseBar(self.hub, self.app.group_shade, id="phase-bar")
        yield NotSavedMark(id="not-saved")
        yield Container(id="board")
        with VerticalScroll(id="detail-pane"):
            yield CardDetail(id="detail")
        yield BalanceBar(self.hub, self.app.group_shade, id="balance")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = self.session.meta.title
        self.show_phone_status()
        self.set_class(self.hub.read_only, "read-only")
        error = getattr(self.hub.storage, "error", None)  # a failure reported before this board was up
        self.show_saving(None if error is None else str(error))
        self._unsubscribe = self.hub.subscribe(lambda event: self.post_message(HubChanged(event)))
        self._build_cells()

    def on_unmount(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()

    def _build_cells(self, focus_index: int = 0) -> None:
        # What the board shows (or is about to): a hub event arriving before the cells are mounted compares with
        # this, so it does not cancel the rebuild that already has the right cells.
        self._cells_wanted = self._cells()
        self.run_worker(self._rebuild(focus_index), group="cells", exclusive=True)

    async def _rebuild(self, focus_index: int) -> None:
        """Replace the grid of cells for the current view (old cells go first, so nothing is shown twice)."""
        board = self.query_one("#board", Container)
        await board.remove_children()
        cells = self._cells_wanted
        grid = Grid(classes="cells")
        lists = []
        for kind, group, title in cells:
            hint = f"No {kind.label.lower()} yet: n adds one" if not self.hub.read_only else "—"
            card_list = CardList(kind, group, shade=self.app.group_shade, empty_hint=hint)
            card_list.cell_title = title
            lists.append(card_list)
        await board.mount(grid)
        rows = len(KINDS) if self.view == "lanes" else 1
        grid.styles.grid_size_rows = rows
        grid.styles.grid_size_columns = len(cells) // rows
        await grid.mount_all(lists)
        lists[min(focus_index, len(lists) - 1)].focus()
        start, self._start_card = self._start_card, None
        self.refresh_cards(start)

    def show_saving(self, reason: str | None) -> None:
        """Mark the board "NOT SAVED — reason" while its session's writer fails; None (saving works) clears it."""
        self.query_one(NotSavedMark).show_reason(reason)

    def _lists(self) -> list[CardList]:
        return list(self.query(CardList))

    # -- hub events ---------------------------------------------------------------------------------------------
    @on(HubChanged)
    def _hub_changed(self, message: HubChanged) -> None:
        events = message.events
        types = {e.type for e in events}
        if types & {"group.add", "group.edit"} or (self.view == "lanes" and types - {"card.reorder"}):
            if self._cells() != self._cells_wanted:
                self._build_cells(self._focused_index())
                return
        if "session.edit" in types:
            self.title = self.session.meta.title
        self._note_phone_events(events)
        mine = [e.card_id for e in events if e.source == "facilitator"]
        kinds: set[Kind] | None = set()
        for event in events:
            touched = self._touched_kinds(event)
            kinds = None if touched is None or kinds is None else kinds | touched
        if kinds is None or kinds:
            self.refresh_cards(mine[-1] if mine else None, kinds)
        self.query_one(PhaseBar).sync()
        self.query_one(BalanceBar).refresh()
        if any("meta" in e.patch for e in events):
            self.refresh_bindings()  # keys that depend on the phase, the timer, the vote…
        if isinstance(self.app.screen, ResultsScreen):
            self.app.screen.show()

    def _touched_kinds(self, event: Event) -> set[Kind] | None:
        """Columns an event can change: its cards' columns and the columns of cards they link to (whose link
        counts change); for a vote, the voted column if its totals are shown. None means "all" (a message may
        stand for several collapsed events)."""
        kinds: set[Kind] = set()
        for before, after in event.patch.get("cards", {}).values():
            for record in (before, after):
                if record is None:
                    continue
                kinds.add(Kind(record["kind"]))
                for target in record.get("links", []):
                    card = self.session.cards.get(target)
                    kinds.add(card.kind if card else Kind.PROBLEM)
        voting = self.session.meta.voting
        if "votes" in event.patch and voting is not None and voting.revealed:
            kinds.add(Kind(voting.kind))
        return kinds if event.patch.keys() <= {"cards", "votes", "done"} else None

    def refresh_cards(self, focus_card: int | None = None, kinds: set[Kind] | None = None) -> None:
        """Redraw the cells (of `kinds`, default all) from the hub's session; select `focus_card` if given.

        Only cards on the board are drawn (not held, parked or folded into a cluster); a cell's title says how many
        notes of its own are held until the reveal."""
        session = self.session
        facts = board_facts(session)
        self.marked &= {c.id for c in session.cards.values() if c.on_board}
        focus_list = None
        new_cards = self.new_cards()
        for card_list in self._lists():
            if kinds is not None and card_list.kind not in kinds:
                continue
            cards = board_column(session, card_list.kind, card_list.group_id)
            card_list.set_cards(cards, session.groups, facts, new_cards,
                                select=focus_card if focus_card in {c.id for c in cards} else None,
                                marked=self.marked)
            title = Text(card_list.cell_title) + Text(f" ({len(cards)})", style="dim")
            held = facts.held_in(card_list.kind, card_list.group_id)
            if held:
                title.append(f" +{held} held", style="bold")
            card_list.border_title = Content.from_rich_text(title)
            if focus_card is not None and card_list.selected_id == focus_card:
                focus_list = card_list
        if focus_list is not None and self.app.screen is self:
            focus_list.focus()
        self._update_detail()

    @on(CardList.Highlighted)
    def _highlighted(self, message: CardList.Highlighted) -> None:
        if message.card_list is self.focused:
            self._update_detail()
            has_card = message.card_id is not None
            if has_card != self._had_card:
                self._had_card = has_card
                self.refresh_bindings()

    @on(CardList.Activated)
    def _activated(self, message: CardList.Activated) -> None:
        self.action_edit()

    @on(CardList.EdgeReached)
    def _edge(self, message: CardList.EdgeReached) -> None:
        """In lanes, up from the top of a cell goes to the cell above; down from the bottom to the cell below."""
        lists = self._lists()
        columns = len(lists) // len(KINDS) if self.view == "lanes" else len(lists)
        index = lists.index(message.card_list)
        target = index + message.direction * columns
        if self.view == "lanes" and 0 <= target < len(lists):
            lists[target].focus()

    def _update_detail(self) -> None:
        card = self.selected_card()
        self.query_one(CardDetail).show(self.session, card, self.app.group_shade)

    # -- selection helpers --------------------------------------------------------------------------------------
    def focused_list(self) -> CardList | None:
        focused = self.focused
        if isinstance(focused, CardList):
            return focused
        lists = self._lists()
        return lists[0] if lists else None

    def _focused_index(self) -> int:
        focused = self.focused_list()
        lists = self._lists()
        return lists.index(focused) if focused in lists else 0

    def selected_card(self) -> Card | None:
        card_list = self.focused_list()
        if card_list is None or card_list.selected_id is None:
            return None
        return self.session.cards.get(card_list.selected_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and self.hub.read_only:
            return False
        if action in self.RUN_ACTIONS:
            return self.run_action_state(action, parameters)
        if action in self.VOTE_ACTIONS or action == "vote_results":
            return self.vote_action_state(action)
        if action == "reopen" and not self.hub.read_only:
            return False
        if action in ("edit", "delete", "move", "reorder", "group", "link", "hide") and self.selected_card() is None:
            return None
        if action == "link" and (card := self.selected_card()) and card.kind.link_target is None:
            return None
        if action in ("delete", "move", "group") and (card := self.selected_card()) and card.is_cluster:
            return None  # a cluster is split (C) first; it has no group of its own
        if action == "phones" and getattr(self.app, "phone_server", None) is None:
            return None
        if action == "undo" and not self.hub.can_undo():
            return None
        if action == "redo" and not self.hub.can_redo():
            return None
        return True

    def _apply(self, command) -> Event | None:
        """Send a command to the hub; a refusal becomes a notification, never an exception."""
        try:
            event = self.hub.apply(command)
        except CoprodError as exc:
            self.notify(Content(str(exc)), severity="warning")
            return None
        self._refresh_undo_keys()
        return event

    def _refresh_undo_keys(self) -> None:
        """Redraw the footer only when undo/redo availability changed (a footer redraw is not free)."""
        state = (self.hub.can_undo(), self.hub.can_redo())
        if state != self._undo_state:
            self._undo_state = state
            self.refresh_bindings()

    def action_help(self) -> None:
        from coprod_tui.tui.help import HelpScreen

        self.app.push_screen(HelpScreen(self))

    def action_home(self) -> None:
        self.app.action_show_home()
