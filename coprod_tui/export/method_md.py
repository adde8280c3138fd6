"""The self-reflection and the plan as Markdown: a section of the session report, and a report of their own.

What the appraisal (core/reading/appraisal.py) found, in this order: how many answered and in which roles; the average per
principle as a text bar (`████▋░░░`, two cells per point of the 1–4 scale) with the number always written beside
it; the spread by role per principle; the gaps between staff and people who use services or carers, in plain words;
the three lowest statements; the ladder now and where it should be, overall and by role; and, when the session
belongs to a programme, how the figures moved since the most recent earlier session of that programme with answers.
Then the plan, one list item per action with every field; then the credits of the frameworks shown (method.CREDITS).

Numbers are written as the appraisal screen writes them (core/reading/appraisal.py: worked out unrounded, rounded
once, half up as people round: 2.25 → 2.3), so screen and report always say the same figures; the ladder's
distance, shown only here, is the difference of the two figures beside it. Bars are code spans:
nothing else in these reports is one and user text cannot make one (backticks are escaped), so the HTML export can
turn exactly these into CSS bars. All user text goes through escape.py.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from coprod_tui.core.localtime import local_date
from coprod_tui.core.method import CREDITS, GAP_THRESHOLD, LADDER, PRINCIPLES, RECOGNITION, SCALE
from coprod_tui.core.model import Card, Kind, Session
from coprod_tui.core.reading.appraisal import (LIVED, MISSING, Appraisal, Ladder, Movement, appraise,
                                               compare_appraisals, gap_words, moved, number, tenths)
from coprod_tui.core.reading.programme import Since
from coprod_tui.core.reading.yousaid import Action, plan_actions, serves
from coprod_tui.core.wording import one_line, plural
from coprod_tui.export.escape import INDENT, escape_line, escape_text

__all__ = ["BAR_CELLS", "bar", "bar_eighths", "change", "has_method", "method_markdown", "method_sections"]

BAR_CELLS = 8  # two cells per point of the 1–4 scale
BAR_FULL, BAR_EMPTY = "█", "░"
BAR_PARTS = "▏▎▍▌▋▊▉"  # one to seven eighths of a cell
QUOTED = 80  # characters of a note quoted in the plan


def has_method(session: Session) -> bool:
    """Whether the session report carries the method sections: some self-reflection answers, or a plan."""
    return bool(session.reflections or session.plan)


# -- numbers and bars ----------------------------------------------------------------------------------------------

def change(before: float | None, after: float | None) -> str:
    """▲ +0.5 / ▼ −0.3 / = (core's `moved`: the exact change, rounded once); "–" when a side has no value."""
    return moved(Movement(before, after)) or MISSING


def _distance(now: float, target: float) -> str:
    """How far the ladder's "should be" is from "now": the difference of the two figures written beside it in the
    same row (only the reports show it, so no other front end has to agree)."""
    return number(float(tenths(target) - tenths(now)))


def bar(value: float, top: float = 4, cells: int = BAR_CELLS) -> str:
    """A text bar of `cells` characters for value out of top, to an eighth of a cell, as a code span (a bar is the
    only code span in these reports)."""
    eighths = int((Decimal(repr(float(value))) / Decimal(repr(float(top))) * 8 * cells)
                  .quantize(Decimal(1), rounding=ROUND_HALF_UP))
    eighths = max(0, min(8 * cells, eighths))
    full, part = divmod(eighths, 8)
    drawn = BAR_FULL * full + (BAR_PARTS[part - 1] if part else "")
    return f"`{drawn}{BAR_EMPTY * (cells - len(drawn))}`"


def bar_eighths(content: str) -> int | None:
    """How many eighths of a cell a text bar from `bar` fills (None: the text is not such a bar)."""
    if not content or set(content) - {BAR_FULL, BAR_EMPTY, *BAR_PARTS}:
        return None
    return sum(8 if ch == BAR_FULL else BAR_PARTS.index(ch) + 1 if ch in BAR_PARTS else 0 for ch in content)


def _rung(value: float | None) -> str:
    if value is None:
        return MISSING
    nearest = int(tenths(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    rung = LADDER[max(1, min(len(LADDER), nearest)) - 1]
    return f"{number(value)} ({rung.name})"


# -- the appraisal -------------------------------------------------------------------------------------------------

def _answered(appraisal: Appraisal) -> list[str]:
    n = appraisal.responses
    who = " · ".join(f"{escape_line(role.label)} {appraisal.roles[role]}" for role in appraisal.roles_in_order)
    return [f"{plural(n, 'person', 'people')} answered: {who}.", "",
            (f"Each statement is scored from 1 ({SCALE[1].lower()}) to 4 ({SCALE[4].lower()}). "
             "Answers of \u201cdon\u2019t know\u201d are counted, never averaged: many of them are a finding too."), ""]


def _averages(appraisal: Appraisal) -> list[str]:
    lines = ["### Average per principle", "", "| Principle | Average | Scores | Don\u2019t know |",
             "| --- | --- | ---: | ---: |"]
    for principle in PRINCIPLES:
        score = appraisal.principles[principle.id]
        shown = f"{bar(score.mean)} {number(score.mean)}" if score.mean is not None else "no scores"
        lines.append(f"| {escape_line(principle.name)} | {shown} | {score.answered} | {score.dont_know} |")
    return lines + [""]


def _spread(appraisal: Appraisal) -> list[str]:
    roles = appraisal.roles_in_order
    if appraisal.single_role:
        only = escape_line(roles[0].label) if roles else "One role"
        return [f"Only {only} answered, so there is no spread between roles to compare.", ""]
    lines = ["### Spread by role", "",
             "| Who | " + " | ".join(escape_line(p.name) for p in PRINCIPLES) + " |",
             "| --- | " + " | ".join("---:" for _ in PRINCIPLES) + " |"]
    for role in roles:
        lines.append(f"| {escape_line(role.label)} | "
                     + " | ".join(number(appraisal.by_role[role][p.id].mean) for p in PRINCIPLES) + " |")
    lines.append("| **Everyone** | " + " | ".join(number(appraisal.principles[p.id].mean) for p in PRINCIPLES) + " |")
    return lines + [""] + _gaps(appraisal)


def _gaps(appraisal: Appraisal) -> list[str]:
    lines = ["### Gaps between staff and people with lived experience", "",
             "Staff here means practitioners, commissioners and managers together.", ""]
    if appraisal.gaps:
        lines += [f"- {escape_line(gap_words(gap))}." for gap in appraisal.gaps]
        return lines + [""]
    has_staff = any(role.is_staff for role in appraisal.roles)
    has_lived = any(role in appraisal.roles for role in LIVED)
    if has_staff and has_lived:
        lines.append(f"No principle is scored {number(GAP_THRESHOLD)} or more lower by people who use services or "
                     "carers than by staff.")
    else:
        lines.append("No gap can be measured: that needs answers from staff and from people who use services or "
                     "carers.")
    return lines + [""]


def _lowest(appraisal: Appraisal) -> list[str]:
    if not appraisal.lowest:
        return []
    names = {s.id: p.name for p in PRINCIPLES for s in p.statements}
    lines = ["### The lowest scores", ""]
    for statement, mean in appraisal.lowest:
        score = appraisal.statements[statement.id]
        dont_know = f", {score.dont_know} don\u2019t know" if score.dont_know else ""
        lines.append(f"- **{number(mean)}** {escape_line(statement.text)} ({escape_line(names[statement.id])}; "
                     f"{plural(score.answered, 'score')}{dont_know})")
    return lines + [""]


def _ladder(appraisal: Appraisal) -> list[str]:
    overall = appraisal.ladder
    if overall.now.answered == 0 and overall.target.answered == 0:
        return ["### The ladder", "", "Nobody placed the work on the ladder.", ""]
    rungs = " · ".join(f"{r.number} {escape_line(r.name)}" for r in LADDER)
    lines = ["### The ladder: where we are, and where we should be", "",
             f"Rungs from the lowest: {rungs}. The rung named is the nearest to the average.", "",
             "| Who | Now | Where we should be | Distance |", "| --- | --- | --- | ---: |"]

    def row(who: str, ladder: Ladder) -> str:
        now, target = ladder.now.mean, ladder.target.mean
        distance = _distance(now, target) if now is not None and target is not None else MISSING
        return f"| {who} | {_rung(now)} | {_rung(target)} | {distance} |"

    lines.append(row("**Everyone**", overall))
    for role in appraisal.roles_in_order:
        ladder = appraisal.ladder_by_role.get(role)
        if ladder is not None and (ladder.now.answered or ladder.target.answered):
            lines.append(row(escape_line(role.label), ladder))
    return lines + [""]


def _since(session: Session, appraisal: Appraisal, since: Since | None) -> list[str]:
    if since is None or not session.meta.programme.strip():
        return []
    earlier = since.earlier
    if earlier is None:
        return ["### Over time", "",
                "No earlier session of this programme has self-reflection answers to compare with.", ""]
    title = escape_line(one_line(earlier.meta.title).strip() or earlier.meta.id)
    progress = compare_appraisals(appraise(earlier), appraisal)
    then, now = progress.responses
    lines = [f"### Since {title} ({escape_line(local_date(earlier.meta.created))})", "",
             f"Then {plural(then, 'person', 'people')} answered; this time {now}.", "",
             "| | Then | Now | Change |", "| --- | ---: | ---: | --- |"]
    for principle in PRINCIPLES:
        move = progress.principles[principle.id]
        lines.append(f"| {escape_line(principle.name)} | {number(move.before)} | {number(move.after)} | "
                     f"{change(move.before, move.after)} |")
    for words, move in (("Ladder: now", progress.ladder_now), ("Ladder: where we should be", progress.ladder_target)):
        lines.append(f"| {words} | {number(move.before)} | {number(move.after)} | {change(move.before, move.after)} |")
    return lines + [""]


def appraisal_lines(session: Session, since: Since | None = None) -> list[str]:
    appraisal = appraise(session)
    lines = ["## Self-reflection: how are we doing?", ""]
    if not appraisal.responses:
        return lines + ["Nobody has answered the self-reflection yet.", ""]
    return (lines + _answered(appraisal) + _averages(appraisal) + _spread(appraisal) + _lowest(appraisal)
            + _ladder(appraisal) + _since(session, appraisal, since))


# -- the plan ------------------------------------------------------------------------------------------------------

def _card_ref(card: Card, label: dict[int, str] | None) -> str:
    mark = f"**{label[card.id]}** " if label and card.id in label else ""
    return f"{mark}\u201c{escape_line(one_line(card.text, QUOTED).strip())}\u201d"


def _serves(session: Session, action: Action, label: dict[int, str] | None) -> list[str]:
    found = serves(session, action)
    if found.card is None:
        return [f"**Comes from:** {'a note that was deleted' if found.missing else 'no note on the board'}"]
    parts = []
    if found.card.kind is Kind.CONTRIBUTION:
        parts.append(f"**Comes from:** the contribution {_card_ref(found.card, label)}")
    if found.options:
        parts.append("**Serves:** " + " · ".join(f"the option {_card_ref(c, label)}" for c in found.options))
    if found.problems:
        parts.append("**For:** " + " · ".join(f"the problem {_card_ref(c, label)}" for c in found.problems))
    elif found.card.kind is not Kind.PROBLEM:
        parts.append("**For:** no problem linked yet")
    return parts


def _field(name: str, value: str) -> str:
    return f"{INDENT}**{name}:** " + (escape_text(value, INDENT) if value.strip() else "not recorded")


def _action(session: Session, number_: int, action: Action, label: dict[int, str] | None) -> list[str]:
    what = action.what.strip() or "(no description)"
    lines = [f"- **{number_}.** {escape_text(what, INDENT)}", ""]
    who = escape_line(one_line(action.who).strip()) if action.who.strip() else "not decided"
    if action.who_role is not None:
        who += f" ({escape_line(action.who_role.label)})"
    by = escape_line(action.by) if action.by else "no date set"
    status = f"**Done** {escape_line(action.done_at)}" if action.done and action.done_at else (
        "**Done**" if action.done else "**Not done yet**")
    lines += [f"{INDENT}**Who:** {who} · **By:** {by} · {status}", ""]
    if action.note.strip():
        lines += [_field("What happened", action.note), ""]
    recognition = RECOGNITION.get(action.recognition, "")
    note = action.recognition_note.strip()
    recognised = escape_line(recognition) if recognition else ""
    if note:
        recognised = f"{recognised}: {escape_text(note, INDENT)}" if recognised else escape_text(note, INDENT)
    lines += [f"{INDENT}**How people are recognised:** {recognised or 'not recorded'}", ""]
    for name, value in (("Resources", action.resources), ("Access needs", action.access),
                        ("How results are fed back", action.feedback)):
        lines += [_field(name, value), ""]
    lines += [INDENT + " · ".join(_serves(session, action, label)), ""]
    return lines


def plan_lines(session: Session, label: dict[int, str] | None = None) -> list[str]:
    actions = plan_actions(session)
    done = sum(1 for a in actions if a.done)
    heading = "## The plan"
    if actions:
        heading += f" ({plural(len(actions), 'action')}: {done} done, {len(actions) - done} not done yet)"
    lines = [heading, ""]
    review = session.meta.review_date
    if review:
        lines += [f"**Review date:** {escape_line(review)}: the plan is checked and the self-reflection is run again.",
                  ""]
    else:
        lines += ["No review date is set yet.", ""]
    if not actions:
        return lines + ["There are no actions in the plan yet.", ""]
    for n, action in enumerate(actions, start=1):
        lines += _action(session, n, action, label)
    return lines


def credit_lines() -> list[str]:
    lines = ["## Credits", ""]
    for credit in CREDITS:
        lines += [escape_line(credit), ""]
    return lines


# -- whole documents -----------------------------------------------------------------------------------------------

def method_sections(session: Session, *, since: Since | None = None,
                    label: dict[int, str] | None = None) -> list[str]:
    """The self-reflection, the plan and the credits, as lines to add to a report."""
    return appraisal_lines(session, since) + plan_lines(session, label) + credit_lines()


def method_markdown(session: Session, since: Since | None = None) -> str:
    """The self-reflection and the plan of one session as a report of their own."""
    meta = session.meta
    title = one_line(meta.title).strip() or meta.id
    lines = ["# Self-reflection and plan", "", f"**{escape_line(title)}**", ""]
    if meta.programme.strip():
        lines += [f"**Programme:** {escape_line(one_line(meta.programme).strip())}", ""]
    lines += [f"**Date:** {escape_line(local_date(meta.created))} · **Session:** {escape_line(meta.id)}", ""]
    lines += method_sections(session, since=since)
    return "\n".join(lines).rstrip("\n") + "\n"
