"""THE rule for "the earlier session of this programme": what the appraisal screen and the exports compare with.

A programme is a series of sessions that meet again to ask "did anything change?". The appraisal on the board and
the session and method reports measure how the self-reflection answers moved since the earlier session this module
chooses, so both always name the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from coprod_tui.core.errors import CoprodError
from coprod_tui.core.hub import read_session
from coprod_tui.core.localtime import parse_stamp
from coprod_tui.core.model import Session
from coprod_tui.core.store.folder import SessionFolder

__all__ = ["Since", "earlier_of_programme", "same_programme"]


@dataclass(frozen=True)
class Since:
    """What a report measures movement against, once looked up: `earlier` is the session `earlier_of_programme`
    found, or None when the programme has no earlier session with answers (a report says so). A report given no
    Since at all (None) has nothing to say about the past."""

    earlier: Session | None


def same_programme(a: str, b: str) -> bool:
    """Whether two programme names name one programme: compared with white space normalised (ends trimmed, runs
    made one space) and case ignored, as people type a name again months later. An empty name is no programme."""
    mine, theirs = " ".join(a.split()).casefold(), " ".join(b.split()).casefold()
    return bool(mine) and mine == theirs


def earlier_of_programme(folder: SessionFolder, session: Session) -> Session | None:
    """The most recent session of `session`'s programme created before it that has self-reflection answers.

    What that means, exactly:
    - the same programme: `same_programme` (white space and case do not matter); a session with no programme has
      no earlier session;
    - created before: creation times are compared as times (`localtime.parse_stamp`, the app's one parser), not as
      text, so offsets and precision do not change the order; strictly before, so a copy of the session itself (the
      same creation time) is never its own "earlier" session; a session whose creation time cannot be read cannot
      be placed in time and is passed over (and when it is `session`'s own, there is no earlier session);
    - with answers: a session without self-reflection answers has nothing to compare, so the search goes further
      back;
    - unreadable or busy sessions (listed with an error, or failing to open read-only) are passed over: a damaged
      file elsewhere never stops an appraisal or an export;
    - ties (two sessions created at the same moment): the one whose id sorts last wins, so the choice never depends
      on the order files are listed in.
    Sessions are read read-only: nothing is locked or written. Listing the folder may raise OSError or CoprodError.
    """
    mine = parse_stamp(session.meta.created)
    if mine is None or not session.meta.programme.strip():
        return None
    candidates: list[tuple[datetime, str]] = []
    for summary in folder.list():
        if summary.id == session.meta.id or not summary.readable:
            continue
        if not same_programme(summary.programme, session.meta.programme):
            continue
        when = parse_stamp(summary.created)
        if when is not None and when < mine:
            candidates.append((when, summary.id))
    for _, other_id in sorted(candidates, reverse=True):
        try:
            other = read_session(folder, other_id)
        except CoprodError:
            continue
        if other.reflections:
            return other
    return None
