"""Running the room from the board: phases, hidden writing, the timer, breakouts (and their parked notes).

Every control is one hub command, so it is saved, undoable, replayed in review and heard by the phones like any
other change; the board redraws from the hub's event, not from the key press. Keys that would change the session are
in WRITES: a review board hides them.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.binding import Binding
from textual.content import Content

from coprod_tui.core.commands import (EditPhases, EndBreakout, ExtendTimer, HoldNotes, ParkCard, PauseTimer, PickCard,
                                      ResumeTimer, RevealNotes, SetPhase, StartBreakout, StartTimer, StopTimer)
from coprod_tui.core.reading.tally import held_counts
from coprod_tui.core.wording import plural
from coprod_tui.tui.board import phase_bar
from coprod_tui.tui.board.control import Control, Desk, Selection
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.tui.dialogs.phases import PhasesScreen
from coprod_tui.tui.dialogs.run import ParkedScreen, TimerChoice, TimerDialog

PHASE_KEYS = Binding.Group("Phase")
EXTEND_SECONDS = 60


# (view) -> None: the board switches view (a breakout shows the groups side by side).
ShowView = Callable[[str], None]


class RoomControl(Control):
    """Phases, hidden writing, the timer and breakouts."""

    BINDINGS = [
        Binding("left_square_bracket", "phase(-1)", "Previous phase", key_display="[", group=PHASE_KEYS),
        Binding("right_square_bracket", "phase(1)", "Next phase", key_display="]", group=PHASE_KEYS),
        Binding("P", "phases", "Phases: jump to one, edit them", show=False),
        Binding("w", "hold", "Hidden writing on/off", show=False),
        Binding("R", "reveal", "Reveal held notes", show=False),
        Binding("T", "timer", "Timer: set / stop", show=False),
        Binding("space", "pause_timer", "Pause / resume the timer", show=False),
        Binding("plus", "extend_timer", "Timer: one more minute", key_display="+", show=False),
        Binding("b", "breakout", "Breakout: start / end", show=False),
        Binding("k", "pick", "Pick a note for the room", show=False),
        Binding("K", "parked", "Parked notes", show=False),
        # The screen's own action (it shows or hides its bar), listed here with the room's keys.
        Binding("B", "toggle_balance", "Balance bar on/off", show=False),
    ]
    WRITES = frozenset({"phase", "phases", "hold", "reveal", "timer", "pause_timer", "extend_timer", "breakout",
                        "pick"})

    def __init__(self, desk: Desk, selection: Selection, show_view: ShowView) -> None:
        self.desk = desk
        self.selection = selection
        self._show_view = show_view

    def state(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """None dims a key that can't act now (the footer shows it greyed)."""
        session = self.desk.session
        meta = session.meta
        if action == "phase" and parameters:
            target = meta.phase + int(parameters[0])  # type: ignore[call-overload]
            return True if 0 <= target < len(meta.phases) else None
        if action == "reveal" and not meta.private and not held_counts(session):
            return None
        if action in ("pause_timer", "extend_timer") and meta.timer is None:
            return None
        if action == "pick" and ((card := self.selection.selected_card()) is None or not card.breakout):
            return None
        return True

    # -- phases -------------------------------------------------------------------------------------------------
    def phase(self, step: int) -> None:
        meta = self.desk.session.meta
        index = meta.phase + step
        if not 0 <= index < len(meta.phases):
            self.desk.notify("This is the last phase." if step > 0 else "This is the first phase.", timeout=2)
            return
        if self.desk.apply(SetPhase(index=index)):
            phase = self.desk.session.meta.current_phase
            self.desk.notify(Content(f"Phase {index + 1} of {len(meta.phases)}: {phase.name}"), timeout=3)

    def phases(self) -> None:
        meta = self.desk.session.meta
        hub = self.desk.hub

        def save(phases) -> None:
            hub.apply(EditPhases(phases=phases))

        def go(index: int) -> None:
            hub.apply(SetPhase(index=index))

        self.desk.show(PhasesScreen(meta.phases, meta.phase, save, go))

    # -- hidden writing -----------------------------------------------------------------------------------------
    def hold(self) -> None:
        holding = not self.desk.session.meta.private
        if not self.desk.apply(HoldNotes(hold=holding)):
            return
        held = sum(held_counts(self.desk.session).values())
        if holding:
            self.desk.notify("Hidden writing: new notes are held until you reveal them (R).", timeout=4)
        else:
            self.desk.notify(f"New notes show as they arrive. {plural(held, 'held note')} wait for R."
                             if held else "New notes show as they arrive.", timeout=4)

    def reveal(self) -> None:
        held = sum(held_counts(self.desk.session).values())
        if held:
            question = Content(f"Reveal {plural(held, 'held note')}?\n\nThey appear on the board and on "
                               "every phone at once, and hidden writing ends.")
        else:
            question = Content("No notes are held yet.\n\nEnd hidden writing, so new notes show as they arrive?")

        def answer(yes: bool | None) -> None:
            if yes and self.desk.apply(RevealNotes()):
                self.desk.notify(f"Revealed {plural(held, 'note')}." if held else "Hidden writing ended.",
                                 timeout=3)

        self.desk.show(ConfirmScreen(question, yes="Reveal"), answer)

    # -- the timer ----------------------------------------------------------------------------------------------
    def timer(self) -> None:
        timer = self.desk.session.meta.timer
        hub = self.desk.hub

        def submit(choice: TimerChoice) -> None:
            if choice.action == "stop":
                hub.apply(StopTimer())
            else:
                hub.apply(StartTimer(seconds=choice.seconds, label=choice.label))

        left = timer.left(phase_bar.now()) if timer else 0.0
        self.desk.show(TimerDialog(timer, left, submit))

    def pause_timer(self) -> None:
        timer = self.desk.session.meta.timer
        if timer is None:
            self.desk.notify("No timer is set: T sets one.", timeout=3)
        elif timer.left(phase_bar.now()) <= 0:
            self.desk.notify("Time's up: + adds a minute, T sets a new timer.", timeout=3)
        else:
            self.desk.apply(PauseTimer() if timer.running else ResumeTimer())

    def extend_timer(self) -> None:
        if self.desk.session.meta.timer is None:
            self.desk.notify("No timer is set: T sets one.", timeout=3)
        elif self.desk.apply(ExtendTimer(seconds=EXTEND_SECONDS)):
            self.desk.notify("One more minute.", timeout=2)

    # -- breakouts ----------------------------------------------------------------------------------------------
    def breakout(self) -> None:
        session = self.desk.session
        if not session.meta.breakout:
            question = Content("Start a breakout?\n\nEach group works apart: its phones see only its own notes, "
                               "and it picks (k) the notes to bring back to the room. The board shows the groups "
                               "side by side.")

            def start(yes: bool | None) -> None:
                if yes and self.desk.apply(StartBreakout()):
                    self._show_view("lanes")
                    self.desk.notify("Breakout: groups work apart. k picks a note for the room; b ends it.",
                                     timeout=4)

            self.desk.show(ConfirmScreen(question, yes="Start"), start)
            return
        waiting = [c for c in session.cards.values()
                   if c.breakout and not c.picked and not c.parked and c.cluster is None]
        picked = sum(1 for c in session.cards.values() if c.breakout and c.picked and not c.parked)
        question = Content(f"End the breakout?\n\n{plural(picked, 'picked note')} come back to the "
                           f"room; {len(waiting)} not picked {'is' if len(waiting) == 1 else 'are'} parked "
                           "(kept, off the board: K shows them).")

        def end(yes: bool | None) -> None:
            if not yes:
                return
            event = self.desk.apply(EndBreakout())
            if event is None:
                return
            parked = sum(1 for _b, after in event.patch.get("cards", {}).values() if after and after.get("parked"))
            self._show_view("all")
            self.desk.notify(f"Back together. {plural(parked, 'note')} parked (K shows them).", timeout=5)

        self.desk.show(ConfirmScreen(question, yes="End"), end)

    def pick(self) -> None:
        card = self.selection.selected_card()
        if card is None:
            return
        if not card.breakout:
            self.desk.notify("Only notes written in a breakout are picked to come back.", timeout=3)
            return
        if self.desk.apply(PickCard(card_id=card.id, picked=not card.picked)):
            self.desk.notify("Picked to bring back to the room." if not card.picked else "Not picked any more.",
                             timeout=2)

    def parked(self) -> None:
        hub = self.desk.hub

        def unpark(card_id: int) -> None:
            hub.apply(ParkCard(card_id=card_id, parked=False))

        self.desk.show(ParkedScreen(self.desk.session, self.desk.shade, None if hub.read_only else unpark))
