"""Review's replay: step or scrub through a session's events and watch the board grow.

The screen only reads the hub (its events, and the session's title): the board at each position comes from
`core.reading.replay.Replay`, so replaying never changes the session, live or read-only. The three columns are the board's
own `CardList` widgets; a step redraws only the columns its events touched, and the card the step is about is
selected in a focused column, so it is highlighted exactly as the board highlights the card you are on.

Everything drawn from the session — card text, group names, phase names in mark labels — is user text: it only ever
goes into `rich.text.Text`, never into a markup string.
"""

from __future__ import annotations


from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Footer, Header, Static

from coprod_tui.core.hub import Hub
from coprod_tui.core.localtime import local_hm
from coprod_tui.core.model import Kind
from coprod_tui.core.reading.replay import Mark, Replay
from coprod_tui.core.reading.board import DRAWN_META, board_column, board_facts
from coprod_tui.tui.board.card_list import CardList

SPEEDS = (1, 2, 4, 8, 16, 32)  # steps per second
DEFAULT_SPEED = 2  # index into SPEEDS: 4 steps a second
BIG_STEP = 10


class Seek(Message):
    """Jump the replay to a position (a click on the bar or on a mark)."""

    def __init__(self, position: int) -> None:
        super().__init__()
        self.position = position


class Scrubber(Widget):
    """A one-line bar: how far through the session the replay is, with a diamond at every mark. Click to jump."""

    COMPONENT_CLASSES = {"scrubber--done", "scrubber--todo", "scrubber--mark", "scrubber--head"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.position = 0
        self.total = 0
        self.mark_positions: list[int] = []

    def show(self, position: int, total: int, marks: list[int]) -> None:
        self.position, self.total, self.mark_positions = position, total, marks
        self.refresh()

    def _cell(self, position: int, width: int) -> int:
        return round(position / self.total * (width - 1)) if self.total else 0

    def render(self) -> Text:
        width = max(self.content_size.width, 1)
        head = self._cell(self.position, width)
        marks = {self._cell(p, width) for p in self.mark_positions}
        done, todo, mark, head_style = (self.get_component_rich_style(f"scrubber--{name}")
                                        for name in ("done", "todo", "mark", "head"))
        bar = Text(no_wrap=True)
        for x in range(width):
            if x == head:
                bar.append("●", head_style)
            elif x in marks:
                bar.append("◆", mark)
            else:
                bar.append("━" if x < head else "─", done if x < head else todo)
        return bar

    def on_click(self, event: events.Click) -> None:
        width = max(self.content_size.width, 1)
        if self.total and width > 1:
            self.post_message(Seek(round(event.x / (width - 1) * self.total)))


class MarkList(Static):
    """The marks, one a line (time and label); a click on a line jumps there."""

    positions: tuple[int, ...] = ()

    def on_click(self, event: events.Click) -> None:
        if 0 <= event.y < len(self.positions):
            self.post_message(Seek(self.positions[event.y]))


class ReplayScreen(Screen):
    """The session's board at any point of its history (review mode)."""

    AUTO_FOCUS = ""  # focus marks the column of the card the step is about; nothing is focused at the start
    # Priority bindings: the focused column (a scroll view) would otherwise take the arrows, home and end.
    BINDINGS = [
        Binding("left", "step(-1)", "Back", priority=True),
        Binding("right", "step(1)", "Step", priority=True),
        Binding("shift+left", f"step(-{BIG_STEP})", f"Back {BIG_STEP}", show=False, priority=True),
        Binding("shift+right", f"step({BIG_STEP})", f"Step {BIG_STEP}", show=False, priority=True),
        Binding("home", "seek(0)", "First", show=False, priority=True),
        Binding("end", "seek(-1)", "Last", show=False, priority=True),
        Binding("left_square_bracket", "mark(-1)", "Prev mark", key_display="[", priority=True),
        Binding("right_square_bracket", "mark(1)", "Next mark", key_display="]", priority=True),
        Binding("space", "play", "Play/pause", priority=True),
        Binding("plus,equals_sign", "speed(1)", "Faster", key_display="+", priority=True),
        Binding("minus", "speed(-1)", "Slower", key_display="-", priority=True),
        Binding("escape", "back", "Board", priority=True),
    ]

    def __init__(self, hub: Hub, *, position: int = 0) -> None:
        super().__init__()
        self.hub = hub
        # A snapshot of the history: a live session may go on growing, the replay shows it as it was when opened.
        self.replay = Replay(list(hub.events))
        self._start = position
        self._speed = DEFAULT_SPEED
        self._timer: Timer | None = None
        self._focus_kind: Kind | None = None  # the column holding the last step's card (and its NEW badge)
        self._marks_drawn: tuple[int | None, bool] | None = None  # (current mark, exactly on it) last drawn

    # -- layout -------------------------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="replay-body"):
            with Grid(id="replay-columns"):
                for kind in Kind:
                    card_list = CardList(kind, shade=self.app.group_shade, empty_hint="—")
                    card_list.can_focus = False
                    yield card_list
            with VerticalScroll(id="replay-marks-pane"):
                yield MarkList(id="replay-marks")
        yield Static(id="replay-caption")
        with Horizontal(id="replay-bar"):
            yield Scrubber(id="replay-scrubber")
            yield Static(id="replay-speed")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Replay"
        self.sub_title = self.hub.session.meta.title
        self.query_one("#replay-marks-pane").border_title = Content("Marks  [ ]")
        self.replay.seek(self._start)
        self._show(None)

    def on_unmount(self) -> None:
        self._stop()

    def _lists(self) -> dict[Kind, CardList]:
        return {card_list.kind: card_list for card_list in self.query(CardList)}

    # -- drawing ------------------------------------------------------------------------------------------------
    def _show(self, kinds: set[Kind] | None) -> None:
        """Redraw for the replay's position: the columns in `kinds` (None: all), the caption, the bar, the marks."""
        replay = self.replay
        focus = replay.focus_card()
        lists = self._lists()
        session = replay.session()
        focus_kind = session.cards[focus].kind if focus is not None else None
        # Also the columns of this step's card and the last one's: the NEW badge moves, and must not stay behind.
        steps = {k for k in (focus_kind, self._focus_kind) if k is not None}
        redraw = set(Kind) if kinds is None else kinds | steps
        self._focus_kind = focus_kind
        if redraw:
            # As the board draws: only cards on the board (not held, parked or folded into a cluster), with the
            # vote totals once they were revealed.
            facts = board_facts(session)
            added = {focus} if focus is not None and self._added(focus) else set()
            for kind in redraw:
                cards = board_column(session, kind)
                card_list = lists[kind]
                card_list.set_cards(cards, session.groups, facts, added,
                                    select=focus if focus_kind is kind else None)
                title = Text(kind.label) + Text(f" ({len(cards)})", style="dim")
                held = facts.held_in(kind)
                if held:
                    title.append(f" +{held} held", style="bold")
                card_list.border_title = Content.from_rich_text(title)
        # Only the column of the step's card can take focus, so its cursor is drawn as the board draws the card
        # you are on; no card (a deletion, a group added) means no focus, and no column looks current.
        for kind, card_list in lists.items():
            card_list.can_focus = kind is focus_kind
        self.set_focus(lists[focus_kind] if focus_kind is not None else None, scroll_visible=False)
        self._show_status()
        self._show_marks()

    def _added(self, card_id: int) -> bool:
        """Whether this step put the card on the board (it then carries the board's NEW badge)."""
        event = self.replay.event()
        before_after = event.patch.get("cards", {}).get(str(card_id)) if event else None
        return before_after is not None and before_after[0] is None

    def _show_status(self) -> None:
        """The caption (what this step did), the bar and the play state."""
        replay = self.replay
        event = replay.event()
        label, card_text = replay.describe()
        caption = Text(no_wrap=True, overflow="ellipsis")
        caption.append(f"Step {replay.position} of {replay.total}", style="bold")
        if event is not None:
            caption.append(f" · {local_hm(event.at)}")
        caption.append(f" · {label}")
        if card_text:
            caption.append(": ")
            caption.append(" ".join(card_text.split()), style="italic")
        self.query_one("#replay-caption", Static).update(caption)
        marks = replay.marks()
        self.query_one(Scrubber).show(replay.position, replay.total, [m.position for m in marks])
        playing = self._timer is not None
        speed = Text(f" {'▶' if playing else '❚❚'} {SPEEDS[self._speed]}/s", style="bold" if playing else "dim")
        self.query_one("#replay-speed", Static).update(speed)

    def _show_marks(self) -> None:
        """The list of marks, the current one (the last at or before the position) marked; redrawn only when that
        changes, and scrolled so it stays in view in a long session."""
        position = self.replay.position
        marks = self.replay.marks()
        current = self._mark_at_or_before(marks, position)
        state = (current.position if current else None, current is not None and current.position == position)
        if state == self._marks_drawn:
            return
        self._marks_drawn = state
        lines = Text(no_wrap=True, overflow="ellipsis")
        for index, mark in enumerate(marks):
            here = mark is current
            style = ("bold reverse" if mark.position == position else "bold") if here else ""
            lines.append(f"{'▸' if here else ' '} {local_hm(mark.at)} ", style=style)
            lines.append(mark.short, style=style)  # a phase name is user text: Text, never markup
            if index < len(marks) - 1:
                lines.append("\n")
        if not marks:
            lines.append("No events", style="dim")
        marks_widget = self.query_one(MarkList)
        marks_widget.positions = tuple(m.position for m in marks)
        marks_widget.update(lines)
        if current is not None:
            pane = self.query_one("#replay-marks-pane", VerticalScroll)
            pane.scroll_to(y=max(marks.index(current) - pane.size.height // 2, 0), animate=False)

    @staticmethod
    def _mark_at_or_before(marks: list[Mark], position: int) -> Mark | None:
        found = None
        for mark in marks:
            if mark.position > position:
                break
            found = mark
        return found

    # -- moving -------------------------------------------------------------------------------------------------
    def go(self, position: int) -> None:
        """Move the replay to `position` and redraw what changed (the one place the position changes)."""
        old = self.replay.position
        new = self.replay.seek(position)
        if new != old:
            kinds = self.replay.touched(old, new)
            low, high = sorted((old, new))
            if any(field in (after or {}) for event in self.replay.events[low:high]
                   for _before, after in event.patch.get("meta", {}).values() for field in DRAWN_META):
                kinds = None  # a vote revealed or a breakout ended: every column may draw differently
            self._show(kinds)

    def action_step(self, delta: int) -> None:
        self._stop()
        self.go(self.replay.position + delta)

    def action_seek(self, position: int) -> None:
        self._stop()
        self.go(self.replay.total if position < 0 else position)

    def action_mark(self, direction: int) -> None:
        self._stop()
        mark = self.replay.next_mark() if direction > 0 else self.replay.previous_mark()
        if mark is not None:
            self.go(mark.position)
        elif direction < 0:
            self.go(0)

    def action_play(self) -> None:
        if self._timer is not None:
            self._stop()
        else:
            if self.replay.position >= self.replay.total:
                self.go(0)  # play from the end starts again
            self._timer = self.set_interval(1 / SPEEDS[self._speed], self._tick)
        self._show_status()

    def action_speed(self, change: int) -> None:
        self._speed = min(max(self._speed + change, 0), len(SPEEDS) - 1)
        if self._timer is not None:
            self._timer.stop()
            self._timer = self.set_interval(1 / SPEEDS[self._speed], self._tick)
        self._show_status()

    def _tick(self) -> None:
        if self.replay.position >= self.replay.total:
            self._stop()
            self._show_status()
            return
        self.go(self.replay.position + 1)

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def action_back(self) -> None:
        self._stop()
        self.app.pop_screen()

    @on(Seek)
    def _seek(self, message: Seek) -> None:
        self._stop()
        self.go(message.position)
        self._show_status()

    @on(CardList.Highlighted)
    def _highlighted(self, message: CardList.Highlighted) -> None:
        message.stop()  # the replay's columns are a display: nothing below needs to know
