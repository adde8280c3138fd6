"""What the board offers for the co-production method: the self-reflection answers, the appraisal, the plan, and
"you said, we did".

Each action pushes a screen over the board with the board's hub; those screens follow the hub, send every change as
a hub command, and hide their own writing keys when the hub is read-only — so a review board can open all four to
read. That is why `MethodControl.WRITES` is empty: none of these board actions changes anything by itself.

The appraisal compares with the earlier session of the same programme that core/reading/programme.py chooses (the
one rule the reports use too), read from disk read-only, never locked.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.reading.programme import earlier_of_programme
from coprod_tui.tui.board.control import Control, Desk


class MethodControl(Control):
    """Opens the method's screens over the board with the board's hub."""

    BINDINGS = [
        Binding("F", "reflections", "Self-reflection answers", show=False),
        Binding("A", "appraisal", "Appraisal", show=False),
        Binding("L", "plan", "Plan", show=False),
        Binding("Y", "you_said", "You said, we did", show=False),
    ]

    def __init__(self, desk: Desk) -> None:
        self.desk = desk

    def reflections(self) -> None:
        from coprod_tui.tui.method.reflection import ReflectionScreen

        self.desk.show(ReflectionScreen(self.desk.hub))

    def appraisal(self) -> None:
        from coprod_tui.tui.method.appraisal import AppraisalScreen

        session = self.desk.session
        try:
            earlier = earlier_of_programme(self.desk.app.folder, session)
        except (CoprodError, OSError) as exc:
            self.desk.notify(Content(f"No comparison with earlier sessions: {exc}"), severity="warning")
            earlier = None
        self.desk.show(AppraisalScreen(session, earlier))

    def plan(self) -> None:
        from coprod_tui.tui.method.plan import PlanScreen

        self.desk.show(PlanScreen(self.desk.hub))

    def you_said(self) -> None:
        from coprod_tui.tui.method.yousaid import YouSaidScreen

        self.desk.show(YouSaidScreen(self.desk.hub))
