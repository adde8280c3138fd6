""""You said, we did": a letter-like report for participants, in plain words (Markdown; html.py prints it).

For each problem raised in the room (a cluster counts as one) and each idea for it: what we did (the plan's actions
that serve it, done ones first, with what happened), what we have not done yet, and why — in the facilitator's own
words (Session.responses), or, while there are none, the promise "We have not yet said why — we will.". Ideas that
answer no problem follow at the end.

Written for people who were in the room, not for the people running the service: no jargon (problems and ideas,
not options and contributions), no internal ids or labels, and no names: a note's author is never shown, only the
groups that raised it; an action says which role takes it on, never who. Notes hidden from phones (moderation),
held back or parked after a breakout were not in front of the room, so they are left out. All user text goes
through escape.py.
"""

from __future__ import annotations

from datetime import date

from coprod_tui.core.localtime import local_date
from coprod_tui.core.model import Group, Session
from coprod_tui.core.reading.yousaid import Action, Item, you_said_we_did
from coprod_tui.core.wording import one_line, plural
from coprod_tui.export.escape import INDENT, escape_line, escape_text, group_mention

__all__ = ["NOT_YET_SAID", "plain_date", "yousaid_markdown"]

NOT_YET_SAID = "We have not yet said why \u2014 we will."
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def plain_date(value: str) -> str:
    """2025-04-20 → 20 April 2025 (the same in every locale); anything else is shown as written."""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _sentence(text: str) -> str:
    """Escaped text that ends like a sentence (a full stop added when it ends without one)."""
    body = text.strip() or "(no description)"
    escaped = escape_text(body, INDENT)
    return escaped if body[-1:] in ".!?…" else escaped + "."


def _raised_by(groups: tuple[Group, ...]) -> list[str]:
    if not groups:
        return []
    names = [group_mention(g) for g in groups]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return [f"Raised by {joined}.", ""]


def _who(action: Action) -> str:
    return f" Who: {escape_line(action.who_role.label.lower())}." if action.who_role is not None else ""


def _done(action: Action) -> list[str]:
    when = f"Done on {escape_line(plain_date(action.done_at))}." if action.done_at else "Done."
    lines = [f"- {_sentence(action.what)}", "", f"{INDENT}{when}{_who(action)}", ""]
    if action.note.strip():
        lines += [INDENT + escape_text(action.note.strip(), INDENT), ""]
    return lines


def _planned(action: Action) -> list[str]:
    when = (f"We plan to do this by {escape_line(plain_date(action.by))}." if action.by
            else "We have not set a date for this yet.")
    lines = [f"- {_sentence(action.what)}", "", f"{INDENT}{when}{_who(action)}", ""]
    if action.note.strip():
        lines += [INDENT + escape_text(action.note.strip(), INDENT), ""]
    return lines


def _why(item: Item) -> list[str]:
    if item.response:
        return [escape_text(item.response), ""]
    return [NOT_YET_SAID, ""] if item.open else []


def _idea(item: Item) -> list[str]:
    lines = [f"### Your idea: {escape_line(one_line(item.card.text).strip())}", ""] + _raised_by(item.groups)
    lines += ["**What we did**", ""]
    if item.done:
        for action in item.done:
            lines += _done(action)
    else:
        lines += ["Nothing yet.", ""]
    if item.open:
        lines += ["**What we have not done yet, and why**", ""]
        for action in item.planned:
            lines += _planned(action)
    return lines + _why(item)


def _problem(item: Item, ideas: tuple[Item, ...]) -> list[str]:
    lines = [f"## You said: {escape_line(one_line(item.card.text).strip())}", ""] + _raised_by(item.groups)
    planned, done = len(item.actions), len(item.done)
    things = plural(planned, "thing")
    if not planned:
        lines += ["We have not done anything about this yet.", ""]
    elif done == planned:
        lines += [f"We have done everything we planned for this ({things}).", ""]
    elif not done:
        lines += [f"We planned {things} for this; none is done yet.", ""]
    else:
        lines += [f"We planned {things} for this, and have done {done} so far.", ""]
    if not ideas:
        lines += ["Nobody has suggested an idea for this yet.", ""]
        return lines + _why(item)
    if item.response:
        lines += [escape_text(item.response), ""]
    for idea in ideas:
        lines += _idea(idea)
    return lines


def yousaid_markdown(session: Session) -> str:
    """"You said, we did" for one session, as one Markdown document ending with one newline."""
    meta = session.meta
    report = you_said_we_did(session)
    title = one_line(meta.title).strip()
    lines = ["# You said, we did", ""]
    if title:
        lines += [f"**{escape_line(title)}**", ""]
    lines += [(f"Thank you for coming to our session on {escape_line(plain_date(local_date(meta.created)))}. "
               "Here is each problem you told us about and the ideas for it: what we did, what we have not done yet, "
               "and why."), ""]
    if report.review_date:
        lines += [f"We will look at all of this again together on {escape_line(plain_date(report.review_date))}.",
                  ""]
    if not report.problems and not report.other_options:
        lines += ["No problems or ideas were raised in this session.", ""]
    for block in report.problems:
        lines += _problem(block.problem, block.options)
    if report.other_options:
        lines += ["## Other ideas you gave us", ""]
        for idea in report.other_options:
            lines += _idea(idea)
    lines += ["If something here is wrong or missing, please tell us.", ""]
    return "\n".join(lines).rstrip("\n") + "\n"
