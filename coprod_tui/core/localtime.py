"""Stored times shown in the facilitator's own time zone.

Session files keep every time in UTC (`2025-07-14T09:30:00.000+00:00`): a file means the same moment wherever it
is opened, sorts as text, and never jumps when the clocks change. People read clock times and dates in their own
zone, though: a UK facilitator in summer (UTC+1) would otherwise see every time an hour early, and a session
started at 00:30 under yesterday's date. So the file stays UTC and every place that SHOWS a stored time goes
through here. "Local" is the computer's zone (`datetime.astimezone()` with no argument, which also picks the
right summer or winter offset for the moment itself, not for today).

A stamp that can't be read is shown as the characters stored (its first ten for a date, and so on) rather than
hidden: a hand-edited file should still show something the facilitator can recognise. A date without a clock time
("2025-07-14") has no moment to move, so it is shown as written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

__all__ = ["local", "local_date", "local_hm", "local_minute", "parse_stamp"]


def parse_stamp(stamp: str) -> datetime | None:
    """A stored time as an aware datetime (in the offset it was stored with), or None if it can't be read.

    The stored form (`2025-03-12T10:00:01.000+00:00`) parses with `fromisoformat` on Python 3.10 too; a trailing
    `Z` (which 3.10 refuses) and a missing offset (taken as UTC, what the app writes) are tolerated so a hand-made
    file still replays and lists.
    """
    if not isinstance(stamp, str):
        return None
    text = stamp.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except (ValueError, TypeError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def local(stamp: str) -> datetime | None:
    """A stored time in the computer's time zone; None when it can't be read or is a date with no clock time."""
    moment = parse_stamp(stamp)
    if moment is None or len(stamp.strip()) <= 10:  # "2025-07-14": a day, not a moment: nothing to convert
        return None
    try:
        return moment.astimezone()
    except (OverflowError, OSError, ValueError):  # year 1 or 9999 pushed past the calendar's edge
        return None


def _shown(stamp: str, form: Callable[[datetime], str], fallback: Callable[[str], str]) -> str:
    moment = local(stamp)
    if moment is not None:
        return form(moment)
    return fallback(stamp) if isinstance(stamp, str) else ""


def local_date(stamp: str) -> str:
    """`YYYY-MM-DD` of a stored time in local time: the day a session was "on" for the people who ran it."""
    return _shown(stamp, lambda m: m.date().isoformat(), lambda s: s[:10])


def local_hm(stamp: str) -> str:
    """`HH:MM` of a stored time in local time (replay's clock times, an answer's time of day)."""
    return _shown(stamp, lambda m: f"{m.hour:02d}:{m.minute:02d}", lambda s: s[11:16])


def local_minute(stamp: str) -> str:
    """`YYYY-MM-DD HH:MM` of a stored time in local time, for a time on another day than the one in view."""
    return _shown(stamp, lambda m: f"{m.date().isoformat()} {m.hour:02d}:{m.minute:02d}",
                  lambda s: s[:16].replace("T", " "))
