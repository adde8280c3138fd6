"""What the board offers for the co-production method: the self-reflection answers, the appraisal, the plan, and
"you said, we did".

A mixin for BoardScreen (the lead adds `MethodControls` to its bases and `*MethodControls.METHOD_BINDINGS` to its
BINDINGS). Each action pushes a screen over the board with the board's hub; those screens follow the hub, send
every change as a hub command, and hide their own writing keys when the hub is read-only — so a review board can
open all four to read. That is why `METHOD_WRITE_ACTIONS` is empty: none of these board actions changes anything
by itself (it is there so the board's WRITE_ACTIONS can include it, should one ever do).

The appraisal compares with the most recent earlier session of the same programme that has answers, when there is
one: read from disk read-only (never locked), chosen by created date.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.reading.programme import earlier_of_programme


class MethodControls:
    """Mixin for BoardScreen. Needs `hub` and `app.folder`."""

    METHOD_BINDINGS = [
        Binding("F", "reflections", "Self-reflection answers", show=False),
        Binding("A", "appraisal", "Appraisal", show=False),
        Binding("L", "plan", "Plan", show=False),
        Binding("Y", "you_said", "You said, we did", show=False),
    ]
    METHOD_WRITE_ACTIONS: set[str] = set()

    def action_reflections(self) -> None:
        from coprod_tui.tui.method.reflection import ReflectionScreen

        self.app.push_screen(ReflectionScreen(self.hub))

    def action_appraisal(self) -> None:
        from coprod_tui.tui.method.appraisal import AppraisalScreen

        session = self.hub.session
        try:
            earlier = earlier_of_programme(self.app.folder, session)
        except (CoprodError, OSError) as exc:
            self.notify(Content(f"No comparison with earlier sessions: {exc}"), severity="warning")
            earlier = None
        self.app.push_screen(AppraisalScreen(session, earlier))

    def action_plan(self) -> None:
        from coprod_tui.tui.method.plan import PlanScreen

        self.app.push_screen(PlanScreen(self.hub))

    def action_you_said(self) -> None:
        from coprod_tui.tui.method.yousaid import YouSaidScreen

        self.app.push_screen(YouSaidScreen(self.hub))
