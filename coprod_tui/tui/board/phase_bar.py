"""The phase bar under the header: where the room is, and what is running.

Line one: "Phase 2 of 6 · Problems — What gets in the way? …" with the timer on the right. Line two: hidden writing
("✎ notes held until reveal: 7"), the vote, the breakout and who said "I'm done" — or, when none of these is going
on, the session's question.

The timer counts down on the board's own clock: a one-second interval redraws it from `Timer.left(now())`, so a
running timer costs no hub command per tick (the hub only hears start, pause, resume, extend and stop). `now` is a
module function so tests can freeze it. At zero the bar rings the terminal bell once and says "Time's up" in the
theme's warning colour.

Phase names and prompts are written by the facilitator and the timer label too: they only ever go into
`rich.text.Text`, never into markup.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime, timezone

from rich.style import Style
from rich.text import Text
from textual.timer import Timer as Interval
from textual.widget import Widget

from coprod_tui.core.colours import GROUP_GLYPHS
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Kind, Session
from coprod_tui.core.running import REFLECTION, Timer
from coprod_tui.core.reading.tally import done_counts, held_counts, voters
from coprod_tui.core.wording import plural

SEPARATOR = "  ·  "


def now() -> datetime:
    """The board's clock for drawing timers (patched in tests)."""
    return datetime.now(timezone.utc)


def clock_text(seconds: float) -> str:
    """04:32, or 1:04:32 past an hour. Rounded up, so 00:00 shows only when the time is up."""
    whole = max(math.ceil(seconds - 1e-6), 0)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class PhaseBar(Widget):
    """Two lines: the phase and its prompt (timer on the right), then the state of the room."""

    COMPONENT_CLASSES = {"phase-bar--phase", "phase-bar--muted", "phase-bar--timer", "phase-bar--timeup"}

    def __init__(self, hub: Hub, shade: Callable[[str | None], str], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.hub = hub
        self.shade = shade
        self._interval: Interval | None = None
        self._armed = False  # a running timer was seen with time left: ring once when it reaches zero

    # -- the clock ----------------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self.sync()

    def on_unmount(self) -> None:
        self._stop()

    def sync(self) -> None:
        """After a hub change: redraw, and tick every second only while a timer runs."""
        self._check_time()
        timer = self.hub.session.meta.timer
        if timer is not None and timer.running and timer.left(now()) > 0:
            if self._interval is None:
                self._interval = self.set_interval(1.0, self._tick)
        else:
            self._stop()
        self.refresh()

    def _tick(self) -> None:
        self._check_time()
        timer = self.hub.session.meta.timer
        if timer is None or not timer.running or timer.left(now()) <= 0:
            self._stop()
        self.refresh()

    def _check_time(self) -> None:
        timer = self.hub.session.meta.timer
        if timer is None:
            self._armed = False
            return
        left = timer.left(now())
        if left > 0:
            self._armed = self._armed or timer.running
        elif self._armed:
            self._armed = False
            self.app.bell()

    def _stop(self) -> None:
        if self._interval is not None:
            self._interval.stop()
            self._interval = None

    # -- drawing ------------------------------------------------------------------------------------------------
    def render(self) -> Text:
        width = max(self.content_size.width, 10)
        session = self.hub.session
        timer = self.timer_text(session.meta.timer)
        first = self.phase_text(session)
        room = width - (timer.cell_len + 2 if timer.cell_len else 0)
        first.truncate(max(room, 1), overflow="ellipsis", pad=bool(timer.cell_len))
        if timer.cell_len:
            first.append("  ")
            first.append_text(timer)
        second = self.state_text(session)
        second.truncate(width, overflow="ellipsis")
        return Text("\n", no_wrap=True).join([first, second])

    def phase_text(self, session: Session) -> Text:
        meta = session.meta
        phase = meta.current_phase
        muted = self.get_component_rich_style("phase-bar--muted")
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"Phase {min(meta.phase, len(meta.phases) - 1) + 1} of {len(meta.phases)} · ", style=muted)
        text.append(phase.name, style=self.get_component_rich_style("phase-bar--phase"))
        prompt = " ".join(phase.prompt.split())
        if prompt:
            text.append(" — ")
            text.append(prompt)
        return text

    def timer_text(self, timer: Timer | None) -> Text:
        if timer is None:
            return Text()
        text = Text(no_wrap=True)
        label = " ".join(timer.label.split())
        left = timer.left(now())
        if left <= 0:
            style = self.get_component_rich_style("phase-bar--timeup")
            text.append("◷ ", style=style)
            if label:
                text.append(label + " ", style=style)
            text.append("Time's up", style=style)
            return text
        style = self.get_component_rich_style("phase-bar--timer")
        text.append("◷ " if timer.running else "⏸ ", style=style)
        if label:
            text.append(label + " ", style=style)
        text.append(clock_text(left), style=style + Style(bold=True))
        if not timer.running:
            text.append(" paused", style=style)
        return text

    def state_text(self, session: Session) -> Text:
        meta = session.meta
        items: list[Text] = []
        held = sum(held_counts(session).values())
        if meta.private or held:
            items.append(Text(f"✎ notes held until reveal: {held}", style="bold"))
        if meta.voting is not None:
            items.append(self._voting(session))
        if meta.breakout:
            picked = sum(1 for c in session.cards.values() if c.breakout and c.picked and not c.hidden)
            items.append(Text(f"⇄ Breakout: groups work apart · ★ {picked} picked", style="bold"))
        done = done_counts(session)
        if done:
            items.append(self._done(session, done))
        # The method's screens are out of the footer (it is full): say where they are when their phase comes.
        kind, name = meta.current_phase.kind, meta.current_phase.name.casefold()
        if kind == REFLECTION:
            items.append(Text(f"{len(session.reflections)} answers · F answers · A appraisal", style="bold"))
        elif name == "plan" or session.plan:
            items.append(Text(f"L plan ({len(session.plan)} actions) · Y you said, we did"))
        if not items:
            question = " ".join(meta.question.split())
            return Text(question, style=self.get_component_rich_style("phase-bar--muted") + Style(italic=True),
                        no_wrap=True, overflow="ellipsis")
        return Text(SEPARATOR, no_wrap=True, overflow="ellipsis").join(items)

    @staticmethod
    def _voting(session: Session) -> Text:
        voting = session.meta.voting
        assert voting is not None
        phones, dots = voters(session, voting.round)
        what = Kind(voting.kind).label.lower()
        text = Text("☑ ", style="bold")
        if voting.open:
            text.append(f"Voting on {what}", style="bold")
            text.append(f": {plural(dots, 'dot')} from {plural(phones, 'phone')}")
        else:
            text.append(f"Vote on {what} closed", style="bold")
            text.append(f": {plural(dots, 'dot')}")
        text.append(" · totals shown" if voting.revealed else " · totals hidden")
        return text

    def _done(self, session: Session, done) -> Text:
        text = Text(f"Done: {sum(done.values())} (", style="bold")
        parts = []
        for group_id, count in sorted(done.items(), key=lambda item: (item[0] is None, item[0] or 0)):
            group = session.groups.get(group_id) if group_id is not None else None
            if group is None:
                parts.append(Text(f"○ no group {count}"))
            else:
                parts.append(Text.assemble((f"{GROUP_GLYPHS.get(group.colour, '●')} ", self.shade(group.colour)),
                                           group.name, f" {count}"))
        text.append_text(Text(" · ").join(parts))
        text.append(")")
        return text
