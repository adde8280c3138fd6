"""An honest appraisal: what the room's self-reflection answers say (core/reading/appraisal.py), drawn in the terminal.

Averages per principle as bars of block characters with the number written beside them; the spread by role as a
small table of means (staff, people who use services, carers…); the gaps that matter flagged in plain words; the
"don't know"s counted (they are a finding too); the ladder of co-production now and where it should be, overall
and by role, on a 1–7 scale drawn with markers; the three lowest statements; and, given an earlier session of the
same programme, how each figure moved since. The frameworks are credited at the bottom (method.CREDITS). Every
figure, gap sentence and movement is written by core's one rounding (`gap_words`, `moved`, `number`), so the
screen says the same numbers as the reports.

Colour is never the only cue: every bar has its number, every marker its own glyph and a legend, every flag a ⚠.
The screen holds a Session, not a hub: r (or F5) works the figures out again from it — on a live board that is the
hub's own session object, so a refresh picks up answers that arrived since. Titles are user text: `Text` only.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from coprod_tui.core.method import CREDITS, GAP_THRESHOLD, LADDER, PRINCIPLES, SCALE
from coprod_tui.core.model import Role, Session
from coprod_tui.core.reading import appraisal as figures
from coprod_tui.core.reading.appraisal import (LIVED, Appraisal, Ladder, Movement, Progress, Score, appraise,
                                               compare_appraisals, gap_words, moved)
from coprod_tui.core.wording import plural
from coprod_tui.tui.review.compare_view import SideBySide, day

BAR_WIDTH = 32  # cells for a mean of 4
BLOCKS = " ▏▎▍▌▋▊▉█"
RUNG_STEP = 6  # cells between two rungs on the ladder chart
LABEL_WIDTH = 30
NAME_WIDTH = max(len(p.name) for p in PRINCIPLES) + 2
ONE_ROLE = "Only one role answered: no spread to compare."
MISSING = "—"


def number(value: float | None) -> str:
    """A figure as the reports write it (core's one rounding), with the screen's dash when there is none."""
    return figures.number(value, MISSING)


def bar(value: float | None, top: float = 4.0, width: int = BAR_WIDTH) -> tuple[str, str]:
    """The filled part of a bar (to an eighth of a cell) and the empty track after it, together `width` cells."""
    if value is None or value <= 0:
        return "", "·" * width
    eighths = min(round(value / top * width * 8), width * 8)
    full, part = divmod(eighths, 8)
    filled = "█" * full + (BLOCKS[part] if part else "")
    return filled, "·" * (width - len(filled))


class Palette:
    """Theme colours for the drawing (the numbers and glyphs carry the meaning; colour only helps)."""

    def __init__(self, variables: dict[str, str] | None = None) -> None:
        variables = variables or {}
        self.bar = variables.get("primary", "blue")
        self.target = variables.get("accent", "magenta")
        self.warn = variables.get("warning", "yellow")


def heading(title: str | Text) -> Text:
    text = Text("\n")
    text.append_text(title if isinstance(title, Text) else Text(title))
    text.stylize("bold underline", 1)
    return text


# -- sections -----------------------------------------------------------------------------------------------------

def averages(appraisal: Appraisal, colours: Palette) -> list[RenderableType]:
    blocks: list[RenderableType] = [heading("Average per principle")]
    legend = Text("1 to 4: ", style="dim")
    legend.append(" · ".join(f"{n} {SCALE[n]}" for n in (1, 2, 3, 4)), style="dim")
    legend.append(". \"Don't know\" is counted apart, never averaged.", style="dim")
    blocks.append(legend)
    flagged = {gap.principle for gap in appraisal.gaps}
    for principle in PRINCIPLES:
        score = appraisal.principles[principle.id]
        line = Text(f"{principle.name:<{NAME_WIDTH}}")
        filled, track = bar(score.mean)
        line.append(filled, style=colours.bar)
        line.append(track, style="dim")
        line.append(f" {number(score.mean)}", style="bold")
        if principle.id in flagged:
            line.append(" ⚠", style=f"bold {colours.warn}")
        line.append(f"  {_counts(score)}", style="dim")
        blocks.append(line)
    return blocks


def _counts(score: Score) -> str:
    text = plural(score.answered, "score")
    if score.dont_know:
        text += f" · {score.dont_know} don't know"
    return text


def spread(appraisal: Appraisal, colours: Palette) -> list[RenderableType]:
    """Means per role per principle, then the gaps in words (or why there is no spread to read)."""
    blocks: list[RenderableType] = [heading("Spread by role")]
    if appraisal.single_role:
        blocks.append(Text(ONE_ROLE, style="bold"))
        return blocks
    roles = appraisal.roles_in_order
    staff_roles = [role for role in roles if role.is_staff]
    table = Table(box=None, padding=(0, 2), pad_edge=False, show_edge=False)
    table.add_column(Text("Principle"), no_wrap=True)
    for role in roles:
        table.add_column(Text(f"{role.label} ({appraisal.roles[role]})"), max_width=16)
    if len(staff_roles) > 1:
        table.add_column(Text("All staff"))
    table.add_column(Text("Everyone"), style="bold")
    gaps = {(gap.principle, gap.role) for gap in appraisal.gaps}
    for principle in PRINCIPLES:
        cells: list[Text] = [Text(principle.name)]
        for role in roles:
            cell = Text(number(appraisal.by_role[role][principle.id].mean))
            if (principle.id, role) in gaps:
                cell.append(" ⚠", style=f"bold {colours.warn}")
            cells.append(cell)
        if len(staff_roles) > 1:
            cells.append(Text(number(appraisal.staff[principle.id].mean)))
        cells.append(Text(number(appraisal.principles[principle.id].mean)))
        table.add_row(*cells)
    blocks.append(table)
    blocks.append(Text(""))
    blocks.extend(gap_lines(appraisal, colours))
    return blocks


def gap_lines(appraisal: Appraisal, colours: Palette) -> list[Text]:
    """Each flagged gap in plain words, largest first; or, without any, what the absence means."""
    lines = []
    for gap in appraisal.gaps:
        line = Text("⚠ ", style=f"bold {colours.warn}")
        line.append(gap_words(gap))
        lines.append(line)
    if lines:
        lines.append(Text(f"A gap of {number(GAP_THRESHOLD)} or more between staff and people who use services or "
                          "carers is usually the most important thing this finds.", style="dim"))
        return lines
    has_staff = any(role.is_staff for role in appraisal.roles)
    has_lived = any(role in appraisal.roles for role in LIVED)
    if not has_staff:
        return [Text("No staff answered, so there is no staff score to measure a gap against.")]
    if not has_lived:
        return [Text("Neither people who use services nor carers answered: the gap that matters most cannot be "
                     "measured yet.")]
    return [Text(f"No gap of {number(GAP_THRESHOLD)} or more: people who use services and carers score every principle "
                 "about as staff do, or higher.")]


def dont_know(appraisal: Appraisal) -> list[RenderableType]:
    total = sum(score.dont_know for score in appraisal.principles.values())
    line = Text("\"Don't know\": ", style="bold")
    if not total:
        line.append("none.")
        return [Text(""), line]
    line.append(plural(total, "answer") + " in all — ")
    parts = [(p.name, appraisal.principles[p.id].dont_know) for p in PRINCIPLES]
    line.append(" · ".join(f"{name} {n}" for name, n in sorted(parts, key=lambda x: -x[1]) if n))
    line.append(". Many don't-knows are a finding too: people may never have been told.", style="dim")
    return [Text(""), line]


def ladder_scale() -> Text:
    """The rung numbers over the chart, each above its tick."""
    width = RUNG_STEP * (len(LADDER) - 1) + 1
    cells = [" "] * width
    for rung in LADDER:
        cells[(rung.number - 1) * RUNG_STEP] = str(rung.number)
    return Text(" " * LABEL_WIDTH + "".join(cells), style="bold")


def ladder_row(label: str, ladder: Ladder, colours: Palette) -> Text:
    """One row of the chart: a track from rung 1 to 7, ● where the work is now, ◆ where it should be."""
    width = RUNG_STEP * (len(LADDER) - 1) + 1
    now, target = ladder.now.mean, ladder.target.mean

    def position(value: float) -> int:
        return round((value - 1) * RUNG_STEP)

    cells: list[tuple[str, str]] = [("┼" if i % RUNG_STEP == 0 else "─", "dim") for i in range(width)]
    if now is not None and target is not None:
        low, high = sorted((position(now), position(target)))
        for i in range(low + 1, high):
            cells[i] = ("━", colours.bar)
    if now is not None:
        cells[position(now)] = ("●", f"bold {colours.bar}")
    if target is not None:
        same = now is not None and position(now) == position(target)
        cells[position(target)] = ("◉" if same else "◆", f"bold {colours.target}")
    text = Text(f"{label[:LABEL_WIDTH - 2]:<{LABEL_WIDTH}}")
    for glyph, style in cells:
        text.append(glyph, style=style)
    text.append(f"  now {number(now)} → should be {number(target)}")
    answered = max(ladder.now.answered, ladder.target.answered)
    text.append(f"  ({plural(answered, 'answer')})", style="dim")
    return text


def ladder_chart(appraisal: Appraisal, colours: Palette) -> list[RenderableType]:
    blocks: list[RenderableType] = [heading("Ladder of co-production: where the work is now, and where it should be")]
    if not appraisal.ladder.now.answered and not appraisal.ladder.target.answered:
        blocks.append(Text("Nobody has placed the work on the ladder yet.", style="dim"))
        return blocks
    blocks.append(ladder_scale())
    blocks.append(ladder_row("Everyone", appraisal.ladder, colours))
    if not appraisal.single_role:
        for role in Role:
            rungs = appraisal.ladder_by_role.get(role)
            if rungs is not None and (rungs.now.answered or rungs.target.answered):
                blocks.append(ladder_row(role.label, rungs, colours))
    legend = Text(" " * LABEL_WIDTH)
    legend.append("●", style=f"bold {colours.bar}").append(" now   ")
    legend.append("◆", style=f"bold {colours.target}").append(" should be   ")
    legend.append("◉", style=f"bold {colours.target}").append(" both")
    blocks.append(legend)
    blocks.append(Text(" · ".join(f"{r.number} {r.name}" for r in LADDER), style="dim"))
    return blocks


def lowest(appraisal: Appraisal) -> list[RenderableType]:
    count = len(appraisal.lowest)
    title = "The lowest statement" if count == 1 else f"The {count} lowest statements" if count else "Lowest statements"
    blocks: list[RenderableType] = [heading(title)]
    if not appraisal.lowest:
        blocks.append(Text("No statement has a score yet.", style="dim"))
        return blocks
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(ratio=1)
    for statement, mean in appraisal.lowest:
        score = appraisal.statements[statement.id]
        text = Text(statement.text)
        principle = next(p for p in PRINCIPLES if statement in p.statements)
        text.append(f"  ({principle.name}; {_counts(score)})", style="dim")
        grid.add_row(Text(number(mean), style="bold"), text)
    blocks.append(grid)
    return blocks


def _movement_cell(move: Movement) -> Text:
    words = moved(move)
    if words is None:
        return Text("— not comparable: " + ("no figure then" if move.before is None else "no figure now"),
                    style="dim")
    if words == "=":
        return Text("= no change")
    return Text(words, style="bold")


def movement(progress: Progress, earlier: Session) -> list[RenderableType]:
    title = Text("Since ")
    title.append(earlier.meta.title)
    title.append(f" ({day(earlier.meta.created)})")
    blocks: list[RenderableType] = [heading(title)]
    then, now = progress.responses
    blocks.append(Text(f"{plural(then, 'answer')} then, {plural(now, 'answer')} now.", style="dim"))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    grid.add_column(no_wrap=True)
    rows = [(p.name, progress.principles[p.id]) for p in PRINCIPLES]
    rows += [("Ladder: now", progress.ladder_now), ("Ladder: should be", progress.ladder_target)]
    for name, move in rows:
        grid.add_row(Text(name), Text(f"{number(move.before)} → {number(move.after)}"), _movement_cell(move))
    blocks.append(grid)
    return blocks


def credits() -> list[RenderableType]:
    blocks: list[RenderableType] = [heading("Sources")]
    blocks.extend(Text(line, style="dim") for line in CREDITS)
    return blocks


def report(session: Session, earlier: Session | None, colours: Palette) -> list[RenderableType]:
    """Every block of the appraisal, top to bottom."""
    appraisal = appraise(session)
    if not appraisal.responses:
        blocks: list[RenderableType] = [Text(
            "No self-reflection answers yet. Phones answer during the self-reflection; on the board, F lists the "
            "answers and types answers for someone.", style="bold")]
        return blocks + credits()
    blocks = [*averages(appraisal, colours), *spread(appraisal, colours), *dont_know(appraisal),
              *ladder_chart(appraisal, colours), *lowest(appraisal)]
    if earlier is not None:
        blocks += movement(compare_appraisals(appraise(earlier), appraisal), earlier)
    return blocks + credits()


def head(session: Session, earlier: Session | None) -> Text:
    appraisal = appraise(session)
    text = Text("An honest appraisal", style="bold")
    text.append(" · ")
    text.append(session.meta.title)
    text.append(f" · {day(session.meta.created)}", style="dim")
    if session.meta.programme:
        text.append(" · programme ", style="dim")
        text.append(session.meta.programme)
    text.append("\n")
    text.append(plural(appraisal.responses, "answer"), style="bold")
    if appraisal.roles:
        text.append(": ")
        text.append(" · ".join(f"{role.label} {n}" for role, n in
                               sorted(appraisal.roles.items(), key=lambda p: (-p[1], list(Role).index(p[0])))))
    if earlier is not None:
        text.append("\nCompared with ", style="dim")
        text.append(earlier.meta.title)
        text.append(f" ({day(earlier.meta.created)})", style="dim")
    return text


class AppraisalScreen(Screen):
    """The appraisal of one session's answers (read-only); `earlier`: a session of the same programme to compare."""

    BINDINGS = [
        Binding("r,f5", "refresh", "Refresh"),
        Binding("escape", "back", "Back"),
        Binding("question_mark", "help", "Help"),
    ]
    HELP_EXTRA = [("↑ ↓ PgUp PgDn Home End", "Scroll")]

    def __init__(self, session: Session, earlier: Session | None = None) -> None:
        super().__init__()
        self.session = session
        self.earlier = earlier

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="appraisal-head")
        yield SideBySide(id="appraisal-body")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Appraisal"
        self.sub_title = self.session.meta.title
        self.show()
        self.query_one(SideBySide).focus()
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.show())

    def show(self) -> None:
        self.query_one("#appraisal-head", Static).update(head(self.session, self.earlier))
        body = self.query_one(SideBySide)
        body.forget()
        body.show(report(self.session, self.earlier, Palette(getattr(self.app, "theme_variables", None))))

    def text(self) -> str:
        """What the screen says, as plain text (for tests)."""
        return f"{head(self.session, self.earlier).plain}\n{self.query_one(SideBySide).text()}"

    def action_refresh(self) -> None:
        self.show()
        self.notify("Worked out again from the answers so far.", timeout=2)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_help(self) -> None:
        from coprod_tui.tui.help import HelpScreen

        self.app.push_screen(HelpScreen(self))
