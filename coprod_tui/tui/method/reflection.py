"""The room's self-reflection answers, live.

The screen lists every answer so far — its role, where the person puts the work on the ladder now and where it should
be, how many statements they scored, when, and whether a phone sent it or it was typed in — and never a name: the
self-reflection is anonymous, an answer keeps a role only. It follows the hub like the board, so phones answering
appear as they arrive; n opens the form to type answers for someone (reflection_form.py).
"""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Footer, Header, Static

from coprod_tui.core.commands import DeleteReflection, Event, SubmitReflection
from coprod_tui.core.errors import CoprodError
from coprod_tui.core.localtime import local_date, local_hm, local_minute
from coprod_tui.core.method import DONT_KNOW, LADDER, PRINCIPLE_OF, PRINCIPLES, SCALE, STATEMENTS
from coprod_tui.core.model import Role, Session
from coprod_tui.tui.dialogs.cards import ConfirmScreen
from coprod_tui.core.wording import plural
from coprod_tui.tui.live import LiveScreen
from coprod_tui.tui.method.reflection_form import ReflectionForm
from coprod_tui.tui.row_table import Column, RowTable

SOURCES = {"phone": "phone", "facilitator": "typed in", "import": "imported"}


def rung_name(value: object) -> str:
    if isinstance(value, int) and 1 <= value <= len(LADDER):
        return f"{value} {LADDER[value - 1].name}"
    return "—"


def answers_in_order(session: Session) -> list[dict]:
    """The answers in the order they came (their numbers on screen are 1, 2, … in this order); answers of the same
    moment stay in the order the session holds them."""
    return sorted(session.reflections.values(), key=lambda r: str(r.get("created", "")))


def mapping(answer: dict, key: str) -> dict:
    """`scores` / `evidence` of an answer, or {} when a hand-edited file holds something else there."""
    value = answer.get(key)
    return value if isinstance(value, dict) else {}


def role_of(answer: dict) -> Role:
    try:
        return Role.parse(answer.get("role") or Role.OTHER)
    except CoprodError:
        return Role.OTHER


def when(answer: dict, session: Session) -> str:
    """When an answer came, in local time: the clock time alone on the day of the session, the date too otherwise."""
    stamp = str(answer.get("created", ""))
    if local_date(stamp) == local_date(session.meta.created):
        return local_hm(stamp)
    return local_minute(stamp)


def ladder_cell(answer: dict) -> Text:
    now, target = answer.get("ladder_now"), answer.get("ladder_target")
    if not now and not target:
        return Text("not answered", style="dim")
    return Text(f"{rung_name(now)} → {rung_name(target)}")


def scored_cell(answer: dict) -> Text:
    scores = {k: v for k, v in mapping(answer, "scores").items() if k in STATEMENTS}
    dont_know = sum(1 for v in scores.values() if v == DONT_KNOW)
    text = Text(f"{len(scores)} of {len(STATEMENTS)}")
    if dont_know:
        text.append(f" · {dont_know} don't know", style="dim")
    return text


def describe_answer(number: int, answer: dict, session: Session) -> Text:
    """One answer in full: ladder with meanings, each scored statement by principle, evidence as written."""
    text = Text()
    text.append(f"Answer {number}", style="bold")
    text.append(f" · {role_of(answer).label} · {SOURCES.get(str(answer.get('source')), 'typed in')} at "
                f"{when(answer, session)}\n")
    for label, key in (("Now", "ladder_now"), ("Should be", "ladder_target")):
        value = answer.get(key)
        text.append(f"{label:<10}", style="bold")
        if isinstance(value, int) and 1 <= value <= len(LADDER):
            text.append(rung_name(value))
            text.append(f" — {LADDER[value - 1].meaning}\n", style="dim")
        else:
            text.append("not answered\n", style="dim")
    scores = mapping(answer, "scores")
    evidence = mapping(answer, "evidence")
    for principle in PRINCIPLES:
        rows = [s for s in principle.statements if s.id in scores or s.id in evidence]
        if not rows:
            continue
        text.append(f"\n{principle.name}\n", style="bold")
        for statement in rows:
            score = scores.get(statement.id)
            mark = f"{score} {SCALE[score]}" if score in (1, 2, 3, 4) else (
                SCALE[DONT_KNOW] if score == DONT_KNOW else "not scored")
            text.append(f"  {mark:<20}", style="bold" if score is not None else "dim")
            text.append(statement.text)
            text.append("\n")
            note = evidence.get(statement.id)
            if note:
                text.append("  " + " " * 20)
                text.append("“")
                text.append(str(note))
                text.append("”\n", style="")
    unanswered = len(STATEMENTS) - len([s for s in scores if s in PRINCIPLE_OF])
    if unanswered:
        text.append(f"\n{plural(unanswered, 'statement')} not answered.", style="dim")
    return text


class ReflectionScreen(LiveScreen):
    """The room's self-reflection answers so far (live); type answers for someone, or delete one."""

    BINDINGS = [
        Binding("n", "answer", "Type answers for someone"),
        Binding("d,delete", "delete", "Delete answer"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help"),
    ]
    HELP_EXTRA = [("↑ ↓ PgUp PgDn Home End", "Select an answer (shown in full below)"),
                  ("", "Answers are anonymous: a role, never a name.")]
    WRITE = {"answer", "delete"}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="reflection-head")
        yield RowTable([Column("#", 3, "right"), Column("Role", 30), Column("Ladder now → should be", 34),
                        Column("Statements", 24), Column("When", 16), Column("From", 8)], id="reflection-table")
        with VerticalScroll(id="reflection-detail-pane"):
            yield Static(id="reflection-detail")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Self-reflection answers"
        self.sub_title = self.session.meta.title
        table = self.query_one(RowTable)
        self.watch(table, "cursor", self._show_detail, init=False)
        self.refresh_answers()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITE and not self.writable():
            return False
        if action == "delete" and self.selected() is None:
            return None
        return True

    # -- drawing ------------------------------------------------------------------------------------------------
    def refresh_answers(self, select: str | None = None) -> None:
        session = self.session
        answers = answers_in_order(session)
        table = self.query_one(RowTable)
        keep = select if select is not None else table.selected_key
        table.set_rows([(str(a.get("id")), (Text(str(n)), Text(role_of(a).label), ladder_cell(a), scored_cell(a),
                                             Text(when(a, session)),
                                             Text(SOURCES.get(str(a.get("source")), "typed in"))))
                        for n, a in enumerate(answers, 1)], select=keep)
        self.query_one("#reflection-head", Static).update(self._head(answers))
        self._show_detail()
        self.refresh_bindings()

    def _head(self, answers: list[dict]) -> Text:
        if not answers:
            text = Text("No answers yet. ", style="bold")
            text.append("Phones answer during the self-reflection; ")
            text.append("n types answers for someone." if self.writable() else "this review is read-only.")
            return text
        roles = Counter(role_of(a) for a in answers)
        text = Text(plural(len(answers), "answer") + " so far", style="bold")
        text.append(": ")
        text.append(" · ".join(f"{role.label} {n}" for role, n in sorted(roles.items(), key=lambda p: -p[1])))
        text.append("\nAnonymous: each answer keeps a role, never a name.", style="dim")
        return text

    def _show_detail(self, *_: object) -> None:
        detail = self.query_one("#reflection-detail", Static)
        answer = self.selected()
        if answer is None:
            detail.update(Text("Select an answer to see it in full.", style="dim"))
            return
        number = [str(a.get("id")) for a in answers_in_order(self.session)].index(str(answer.get("id"))) + 1
        detail.update(describe_answer(number, answer, self.session))
        self.query_one("#reflection-detail-pane").scroll_home(animate=False)

    def selected(self) -> dict | None:
        key = self.query_one(RowTable).selected_key
        return self.session.reflections.get(str(key)) if key is not None else None

    def hub_changed(self, events: list[Event]) -> None:
        if any("reflections" in e.patch for e in events):
            self.refresh_answers()

    # -- actions ------------------------------------------------------------------------------------------------
    def action_answer(self) -> None:
        if not self.writable():
            return
        added: list[str] = []

        def submit(command: SubmitReflection) -> None:
            event = self.hub.apply(command)
            added.extend(event.patch.get("reflections", {}))

        def done(saved: bool | None) -> None:
            if saved and added:
                self.refresh_answers(select=added[-1])
                self.notify("Answers saved (anonymous: their role only).", timeout=3)

        self.app.push_screen(ReflectionForm(submit), done)

    def action_delete(self) -> None:
        answer = self.selected()
        if answer is None or not self.writable():
            return
        number = [str(a.get("id")) for a in answers_in_order(self.session)].index(str(answer.get("id"))) + 1
        question = Content(f"Delete answer {number} ({role_of(answer).label})?\n\nIt leaves the appraisal. "
                           "Undo (u on the board) brings it back.")

        def confirmed(yes: bool | None) -> None:
            if yes and self.apply(DeleteReflection(reflection_id=str(answer.get("id")))):
                self.notify("Answer deleted.", timeout=3)

        self.app.push_screen(ConfirmScreen(question), confirmed)
