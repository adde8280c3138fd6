"""The live board: Problems → Options → Contributions, for all groups, one group, or groups side by side.

The screen owns no session state: it reads `hub.session`, sends every change as a hub command, and redraws when the
hub publishes an event — so what you see is what was applied, whichever front end applied it.

What the keys do lives in the controls the screen owns (cards, phones, review, room, votes, method: see control.py);
the screen keeps the layout, the selection, the view and the redraws. Textual runs a key's action as `action_<name>`
on the screen, so each action below is one line handing the key to the control that owns it: a reader follows a key
from BINDINGS to its control by name, and each call is type-checked.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Grid, VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Footer, Header

from coprod_tui.core.commands import Event
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import KINDS, Card, Kind
from coprod_tui.core.reading.board import board_column, board_facts
from coprod_tui.tui.board import views
from coprod_tui.tui.board.balance_bar import BalanceBar
from coprod_tui.tui.board.card_list import CardList
from coprod_tui.tui.board.cards import CardsControl
from coprod_tui.tui.board.control import Control, Desk
from coprod_tui.tui.board.detail import CardDetail
from coprod_tui.tui.board.method import MethodControl
from coprod_tui.tui.board.palette import BoardCommands
from coprod_tui.tui.board.phase_bar import PhaseBar
from coprod_tui.tui.board.phones import PhonesControl
from coprod_tui.tui.board.review import ReviewControl
from coprod_tui.tui.board.room import RoomControl
from coprod_tui.tui.board.saving import NotSavedMark
from coprod_tui.tui.board.votes import VotesControl
from coprod_tui.tui.dialogs.votes import ResultsScreen
from coprod_tui.tui.live import LiveScreen

CONTROLS: list[type[Control]] = [CardsControl, PhonesControl, ReviewControl, RoomControl, VotesControl, MethodControl]
# Actions that change the session: hidden in review (read-only) mode.
WRITE_ACTIONS = frozenset().union(*(control.WRITES for control in CONTROLS))


class BoardScreen(LiveScreen):
    """One session's board."""

    COMMANDS = LiveScreen.COMMANDS | {BoardCommands}
    # In the order the footer, the help screen and the command palette list them.
    BINDINGS = [
        *CardsControl.BINDINGS,
        *views.BINDINGS,
        *RoomControl.BINDINGS,
        *VotesControl.BINDINGS,
        Binding("left", "focus_cell(-1)", "Column ←", show=False),
        Binding("right", "focus_cell(1)", "Column →", show=False),
        Binding("question_mark", "help", "Help"),
        Binding("escape", "home", "Sessions", show=False),
        *PhonesControl.BINDINGS,
        *ReviewControl.BINDINGS,
        *MethodControl.BINDINGS,
    ]
    HELP_EXTRA = [
        ("↑ ↓ PgUp PgDn Home End", "Select a card"),
        ("← → tab", "Next / previous column"),
        ("ctrl+p", "Command palette: every action, views, themes"),
        ("ctrl+q", "Quit (everything is already saved)"),
    ]

    view: reactive[str] = reactive("all", init=False)

    def __init__(self, hub: Hub, *, focus_card: int | None = None) -> None:
        super().__init__(hub)
        self._start_card = focus_card  # a search result opens the board at its card
        # Footer redraws are not free: bindings are refreshed only when these change.
        self._had_card: bool | None = None
        self._undo_state: tuple[bool, bool] | None = None
        self._cells_wanted: list[views.Cell] = []
        self._desk = desk = Desk(self, hub)
        self.cards = CardsControl(desk, self)
        self.phones = PhonesControl(desk, later=self.set_timer, redraw=self.refresh_cards)
        self.review = ReviewControl(desk, self)
        self.room = RoomControl(desk, self, show_view=self._show_view)
        self.votes = VotesControl(desk, self, redraw=lambda kinds: self.refresh_cards(kinds=kinds),
                                  refresh_keys=self.refresh_bindings)
        self.method = MethodControl(desk)
        # Which control answers check_action for an action (an action of no control, e.g. a view, is always on).
        self._control_of: dict[str, Control] = {
            action: control for control in (self.cards, self.phones, self.review, self.room, self.votes, self.method)
            for action in control.actions()}

    # -- layout -------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header(show_clock=True)
        yield PhaseBar(self.hub, self._desk.shade, id="phase-bar")
        yield NotSavedMark(id="not-saved")
        yield Container(id="board")
        with VerticalScroll(id="detail-pane"):
            yield CardDetail(id="detail")
        yield BalanceBar(self.hub, self._desk.shade, id="balance")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.title = self.session.meta.title
        self.show_phone_status()
        self.set_class(self.hub.read_only, "read-only")
        error = getattr(self.hub.storage, "error", None)  # a failure reported before this board was up
        self.show_saving(None if error is None else str(error))
        self._build_cells()  # LiveScreen.on_mount, run after this one, subscribes to the hub

    def _build_cells(self, focus_index: int = 0) -> None:
        # What the board shows (or is about to): a hub event arriving before the cells are mounted compares with
        # this, so it does not cancel the rebuild that already has the right cells.
        self._cells_wanted = views.cells(self.session, self.view)
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
            card_list = CardList(kind, group, shade=self._desk.shade, empty_hint=hint)
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

    def show_phone_status(self) -> None:
        """The header's subtitle says whether phones can post, and where."""
        self.sub_title = self.phones.status()

    def _lists(self) -> list[CardList]:
        return list(self.query(CardList))

    # -- following the hub --------------------------------------------------------------------------------------
    def hub_changed(self, events: list[Event]) -> None:
        types = {e.type for e in events}
        if types & {"group.add", "group.edit"} or (self.view == "lanes" and types - {"card.reorder"}):
            if views.cells(self.session, self.view) != self._cells_wanted:
                self._build_cells(self._focused_index())
                self._refresh_keys(events)
                return
        if "session.edit" in types:
            self.title = self.session.meta.title
        if self.phones.note(events):
            self.show_phone_status()
        mine = [e.card_id for e in events if e.source == "facilitator"]
        kinds: set[Kind] | None = set()
        for event in events:
            touched = views.touched_kinds(self.session, event)
            kinds = None if touched is None or kinds is None else kinds | touched
        if kinds is None or kinds:
            self.refresh_cards(mine[-1] if mine else None, kinds)
        self.query_one(PhaseBar).sync()
        self.query_one(BalanceBar).refresh()
        self._refresh_keys(events)
        if isinstance(self.app.screen, ResultsScreen):
            self.app.screen.show()

    def _refresh_keys(self, events: list[Event]) -> None:
        """Redraw the footer's keys when the events can have changed them: the phase, the timer, the vote… (any
        change to the session's meta), or whether undo / redo can act — whoever applied the change. A footer redraw
        is not free, so only then."""
        undo_state = (self.hub.can_undo(), self.hub.can_redo())
        undo_changed, self._undo_state = undo_state != self._undo_state, undo_state
        if undo_changed or any("meta" in e.patch for e in events):
            self.refresh_bindings()

    def refresh_cards(self, focus_card: int | None = None, kinds: set[Kind] | None = None) -> None:
        """Redraw the cells (of `kinds`, default all) from the hub's session; select `focus_card` if given.

        Only cards on the board are drawn (not held, parked or folded into a cluster); a cell's title says how many
        notes of its own are held until the reveal."""
        session = self.session
        facts = board_facts(session)
        marked = self.votes.keep_marks_on_board(session)
        focus_list = None
        new_cards = self.phones.new_cards()
        for card_list in self._lists():
            if kinds is not None and card_list.kind not in kinds:
                continue
            cards = board_column(session, card_list.kind, card_list.group_id)
            card_list.set_cards(cards, session.groups, facts, new_cards,
                                select=focus_card if focus_card in {c.id for c in cards} else None,
                                marked=marked)
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
        self.cards.edit()

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
        self.query_one(CardDetail).show(self.session, card, self._desk.shade)

    # -- the selection (what the controls are given as their `Selection`) -----------------------------------------
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
        control = self._control_of.get(action)
        return True if control is None else control.state(action, parameters)

    # -- the view -----------------------------------------------------------------------------------------------
    def watch_view(self) -> None:
        self._build_cells()
        self._desk.notify(Content(f"View: {views.describe(self.session, self.view)}"), timeout=2)

    def _show_view(self, view: str) -> None:
        self.view = view

    # -- keys: the screen's own ---------------------------------------------------------------------------------
    def action_view(self, view: str) -> None:
        self.view = view

    def action_next_group(self) -> None:
        following = views.next_group(self.session, self.view)
        if following is None:
            self.notify("This session has no groups.")
        else:
            self.view = following

    def action_cycle_view(self) -> None:
        self.view = views.cycled(self.session, self.view)

    def action_focus_cell(self, step: int) -> None:
        lists = self._lists()
        if lists:
            lists[(self._focused_index() + step) % len(lists)].focus()

    def action_toggle_balance(self) -> None:
        bar = self.query_one(BalanceBar)
        bar.display = not bar.display

    def action_home(self) -> None:
        self._desk.app.action_show_home()

    # -- keys: one line each, to the control that owns them -----------------------------------------------------
    def action_add(self) -> None: self.cards.add()
    def action_edit(self) -> None: self.cards.edit()
    def action_delete(self) -> None: self.cards.delete()
    def action_move(self, step: int) -> None: self.cards.move(step)
    def action_reorder(self, step: int) -> None: self.cards.reorder(step)
    def action_group(self) -> None: self.cards.group()
    def action_link(self) -> None: self.cards.link()
    def action_hide(self) -> None: self.cards.hide()
    def action_undo(self) -> None: self.cards.undo()
    def action_redo(self) -> None: self.cards.redo()

    def action_phones(self) -> None: self.phones.phones()
    def action_toggle_open(self) -> None: self.phones.toggle_open()
    def action_rotate_tokens(self) -> None: self.phones.rotate_tokens()

    def action_replay(self) -> None: self.review.replay()
    def action_export(self) -> None: self.review.export()
    def action_reopen(self) -> None: self.review.reopen()

    def action_phase(self, step: int) -> None: self.room.phase(step)
    def action_phases(self) -> None: self.room.phases()
    def action_hold(self) -> None: self.room.hold()
    def action_reveal(self) -> None: self.room.reveal()
    def action_timer(self) -> None: self.room.timer()
    def action_pause_timer(self) -> None: self.room.pause_timer()
    def action_extend_timer(self) -> None: self.room.extend_timer()
    def action_breakout(self) -> None: self.room.breakout()
    def action_pick(self) -> None: self.room.pick()
    def action_parked(self) -> None: self.room.parked()

    def action_voting(self) -> None: self.votes.voting()
    def action_vote_results(self) -> None: self.votes.vote_results()
    def action_mark(self) -> None: self.votes.mark()
    def action_cluster(self) -> None: self.votes.cluster()
    def action_split(self) -> None: self.votes.split()

    def action_reflections(self) -> None: self.method.reflections()
    def action_appraisal(self) -> None: self.method.appraisal()
    def action_plan(self) -> None: self.method.plan()
    def action_you_said(self) -> None: self.method.you_said()
