"""THE earlier-session rule (core/reading/programme.py): which session of a programme the appraisal screen and the
exports both compare with.

Before the rule was written once, the screen compared creation times as text and stripped programme names, while
the exports compared parsed times and normalised white space; the cases where those two copies chose differently
are pinned here (offsets, precision, white space inside a name), next to the ordinary ones.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.export import Clock, answer, load, start_session

from coprod_tui.core.errors import UnreadableSession
from coprod_tui.core.method import STATEMENTS
from coprod_tui.core.reading import programme
from coprod_tui.core.reading.programme import earlier_of_programme, same_programme
from coprod_tui.core.store.folder import SessionFolder

SCORES = " ".join(["3"] * len(STATEMENTS))
NOW = "2025-03-01T12:00:00.000+00:00"


def make(folder: Path, session_id: str, created: str, programme: str = "Short breaks", *, answered: bool = True,
         stored_programme: str | None = None) -> None:
    """A session created at `created` (with one answer unless `answered` is False). `stored_programme` writes the
    programme into the file by hand afterwards, as a hand-edited file would hold it (the core cleans what it is
    given)."""
    hub = start_session(folder, session_id, f"Session {session_id}", "", [("Carers", "carers", "orange")], programme,
                        Clock(created))
    try:
        if answered:
            answer(hub, "carers", 3, 5, SCORES)
    finally:
        hub.close()
    if stored_programme is not None:
        path = folder / f"{session_id}.json"
        doc = json.loads(path.read_text("utf-8"))
        doc["meta"]["1"]["programme"] = stored_programme
        path.write_text(json.dumps(doc), "utf-8")


def earlier_id(folder: Path, session_id: str) -> str | None:
    found = earlier_of_programme(SessionFolder(folder), load(folder, session_id))
    return None if found is None else found.meta.id


def test_the_most_recent_earlier_session_with_answers_of_the_same_programme(tmp_path):
    make(tmp_path, "old", "2024-06-01T10:00:00.000+00:00")
    make(tmp_path, "recent", "2025-01-01T10:00:00.000+00:00")
    make(tmp_path, "unanswered", "2025-02-01T10:00:00.000+00:00", answered=False)
    make(tmp_path, "elsewhere", "2025-02-10T10:00:00.000+00:00", programme="Day services")
    make(tmp_path, "later", "2025-06-01T10:00:00.000+00:00")
    make(tmp_path, "now", NOW)
    (tmp_path / "broken.json").write_text("{", "utf-8")
    assert earlier_id(tmp_path, "now") == "recent"  # not the unanswered, the other programme's, a later or broken one
    assert earlier_id(tmp_path, "recent") == "old"
    assert earlier_id(tmp_path, "old") is None


def test_times_are_compared_as_times_not_as_text(tmp_path):
    """The old screen copy compared the text: "…T09:30:00-02:00" (11:30 UTC) sorted before "…T10:00:00+00:00"."""
    make(tmp_path, "ten-utc", "2025-03-01T10:00:00.000+00:00")
    make(tmp_path, "half-past-eleven-utc", "2025-03-01T09:30:00.000-02:00")
    make(tmp_path, "now", NOW)
    assert "2025-03-01T09:30:00.000-02:00" < "2025-03-01T10:00:00.000+00:00"  # as text: the wrong order
    assert earlier_id(tmp_path, "now") == "half-past-eleven-utc"


def test_a_session_later_in_time_but_earlier_as_text_is_not_earlier(tmp_path):
    """13:30 UTC written as "…T11:30:00-02:00" sorts before NOW (12:00 UTC) as text, but it is later."""
    make(tmp_path, "morning", "2025-03-01T08:00:00.000+00:00")
    make(tmp_path, "afternoon", "2025-03-01T11:30:00.000-02:00")
    make(tmp_path, "now", NOW)
    assert earlier_id(tmp_path, "now") == "morning"


def test_white_space_and_case_inside_a_programme_name_do_not_matter(tmp_path):
    """The old screen copy only stripped the ends: "Short  breaks" (two spaces) was another programme to it."""
    make(tmp_path, "spaced", "2025-01-01T10:00:00.000+00:00", stored_programme="  SHORT \t breaks ")
    make(tmp_path, "now", NOW)
    assert earlier_id(tmp_path, "now") == "spaced"
    assert same_programme("Short  breaks", " short breaks") and not same_programme("Short breaks", "Short break")
    assert not same_programme("", "") and not same_programme("  ", "")


def test_a_session_without_a_programme_has_no_earlier_session(tmp_path):
    make(tmp_path, "old", "2024-06-01T10:00:00.000+00:00", programme="")
    make(tmp_path, "now", NOW, programme="")
    assert earlier_id(tmp_path, "now") is None


def test_an_unreadable_creation_time_cannot_be_placed(tmp_path):
    make(tmp_path, "dateless", "not a time")
    make(tmp_path, "old", "2024-06-01T10:00:00.000+00:00")
    make(tmp_path, "now", NOW)
    assert earlier_id(tmp_path, "now") == "old"  # the dateless one is passed over
    make(tmp_path, "lost", "not a time either")
    assert earlier_id(tmp_path, "lost") is None


@pytest.mark.parametrize("precise", ["2025-01-01T10:00:00+00:00", "2025-01-01T10:00:00.000+00:00"])
def test_ties_go_to_the_id_that_sorts_last_whatever_the_precision(tmp_path, precise):
    """Two sessions created at the same moment, written with different precision: as text they differ (the old
    screen copy then chose by the text); as times they tie, and the id decides."""
    make(tmp_path, "b-tie", precise)
    make(tmp_path, "a-tie", "2025-01-01T10:00:00.000+00:00" if precise.count(".") == 0 else "2025-01-01T10:00:00+00:00")
    make(tmp_path, "now", NOW)
    assert earlier_id(tmp_path, "now") == "b-tie"


def test_a_copy_with_the_same_creation_time_is_not_its_own_earlier_session(tmp_path):
    make(tmp_path, "now", NOW)
    (tmp_path / "copy.json").write_bytes((tmp_path / "now.json").read_bytes())
    assert earlier_id(tmp_path, "now") is None


def test_a_busy_or_damaged_candidate_is_passed_over(tmp_path, monkeypatch):
    """Listed as readable, but failing when opened (damaged since, or busy): the search goes further back."""
    make(tmp_path, "old", "2024-06-01T10:00:00.000+00:00")
    make(tmp_path, "busy", "2025-01-01T10:00:00.000+00:00")
    make(tmp_path, "now", NOW)
    (tmp_path / "broken.json").write_text("{", "utf-8")  # listed with an error: never opened
    real = programme.read_session
    opened = []

    def read(folder, session_id):
        opened.append(session_id)
        if session_id == "busy":
            raise UnreadableSession("busy.json is being replaced")
        return real(folder, session_id)

    monkeypatch.setattr(programme, "read_session", read)
    assert earlier_id(tmp_path, "now") == "old"
    assert opened == ["busy", "old"]
