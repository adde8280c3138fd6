"""The bundled demo session: reproducible, current, valid, and a fair picture of a real session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coprod_tui.cli import demo
from coprod_tui.cli import main
from coprod_tui.core.commands import Undo
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Kind, Role
from coprod_tui.core.store.file import TABLES
from coprod_tui.core.store.folder import SessionFolder
from support.paths import SESSIONS

BUNDLED = SESSIONS / f"{demo.DEMO_ID}.json"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return demo.write(tmp_path_factory.mktemp("demo"))


def test_reproducible_and_the_bundled_file_is_current(built, tmp_path):
    again = demo.write(tmp_path)
    assert again.read_bytes() == built.read_bytes()
    assert BUNDLED.read_bytes() == built.read_bytes(), (
        "sessions/demo-carers-respite.json is out of date: run python -m coprod_tui.cli.demo --force")
    assert [p.name for p in tmp_path.iterdir()] == [f"{demo.DEMO_ID}.json"]  # no scratch left behind


def test_existing_demo_is_kept_unless_forced(built):
    with pytest.raises(FileExistsError):
        demo.write(built.parent)
    assert demo.main(["--sessions-dir", str(built.parent)]) == 1
    assert demo.main(["--sessions-dir", str(built.parent), "--force"]) == 0


def test_content(built):
    db = SessionFolder(built.parent).open(demo.DEMO_ID)
    hub = Hub(db, read_only=True)
    try:
        s = hub.session
        assert s.meta.id == demo.DEMO_ID and s.meta.title.startswith("Short breaks for carers")
        assert [(g.name, g.role) for g in s.groups.values()] == [
            ("People who use services", Role.PEOPLE), ("Carers", Role.CARERS),
            ("Practitioners", Role.PRACTITIONERS), ("Commissioners", Role.COMMISSIONERS),
            ("Carers' Centre", Role.COMMUNITY)]
        problems, options, contributions = (s.column(k) for k in Kind)
        assert (len(problems), len(options), len(contributions)) == (10, 8, 8)
        assert all(c.links for c in options + contributions)
        assert all(s.cards[t].kind is Kind.PROBLEM for c in options for t in c.links)
        assert all(s.cards[t].kind is Kind.OPTION for c in contributions for t in c.links)
        assert all(s.linked_from(p.id) for p in problems)  # every problem has at least one option
        assert {c.group_id for c in s.cards.values()} == set(s.groups)  # every group contributed
        authors = [c.author for c in s.cards.values()]
        assert None in authors and len({a for a in authors if a}) >= 4
        assert {c.source for c in s.cards.values()} == {"phone", "import"}
        # steered: phases, a revealed vote on options, the plan and the self-reflection (issue 6: the appraisal and
        # the plan are there the moment a newcomer opens the demo)
        assert s.meta.current_phase.name == "Reflection" and s.meta.voting.revealed and not s.meta.voting.open
        assert len(s.votes) == 9 and len(s.plan) == 5 and s.meta.review_date
        roles = {r["role"] for r in s.reflections.values()}
        assert len(s.reflections) == 8 and {"people-who-use-services", "carers-and-family", "practitioners"} <= roles
        assert all(s.cards[a["card"]].kind is Kind.CONTRIBUTION for a in s.plan.values())
    finally:
        hub.close()


def test_replaying_the_events_gives_the_board(built):
    doc = json.loads(built.read_text("utf-8"))
    state: dict[str, dict] = {table: {} for table in TABLES if table != "events"}
    for seq in sorted(doc["events"], key=int):
        for table, rows in doc["events"][seq]["patch"].items():
            for key, (_before, after) in rows.items():
                if table == "meta":
                    state["meta"][key] = {**state["meta"].get(key, {}), **(after or {})}
                elif after is None:
                    state[table].pop(key, None)
                else:
                    state[table][key] = after
    for table in state:
        if table != "meta":
            assert state[table] == doc[table], table
    meta = dict(doc["meta"]["1"], updated=state["meta"]["1"]["updated"])
    assert state["meta"]["1"] == meta


def test_demo_works_as_a_session(built, tmp_path, capsys):
    copy = tmp_path / built.name
    copy.write_bytes(built.read_bytes())
    hub = Hub(SessionFolder(tmp_path).open(demo.DEMO_ID))
    try:
        assert hub.can_undo() and hub.describe_undo() == "change phase"
        event = hub.apply(Undo())
        assert event.type == "undo"
    finally:
        hub.close()
    assert main(["--sessions-dir", str(tmp_path), "list", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed["id"] == demo.DEMO_ID and listed["cards"] == 26 and len(listed["groups"]) == 5
