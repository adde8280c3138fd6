"""Fixtures every test folder shares: a temporary sessions folder and settings file, `make_session`, `app_factory`;
and the markers that follow from a test's fixtures (below).

The whole run is pinned to UTC (below): the app shows stored times in the computer's local zone
(core/localtime.py), and the snapshots and golden exports were made in UTC, so they must not move with the zone of
the machine running the tests. A test that wants another zone sets it for itself (tests/support/tz.py).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pytest

pytest.register_assert_rewrite("support")

from coprod_tui.core.commands import CardDraft, ImportCards, Source, ToggleLink  # noqa: E402
from coprod_tui.core.hub import new_session  # noqa: E402
from coprod_tui.core.model import Kind  # noqa: E402
from coprod_tui.core.store.folder import SessionFolder, slugify  # noqa: E402
from coprod_tui.tui.app import CoprodApp, make_app  # noqa: E402
from support.app import FIXED_NOW, GROUPS, SAMPLE_CARDS, SAMPLE_LINKS, SAMPLE_QUESTION, fixed_clock  # noqa: E402

os.environ["TZ"] = "UTC"  # before any test module is imported or any app is built; subprocesses inherit it
time.tzset()

# The web tests' `hub` and `client` fixtures (a module's own fixture of the same name wins).
pytest_plugins = ["support.web"]

# Markers (declared in pyproject.toml). `slow`: the modules below, whose tests take seconds each (measured with
# --durations=0: the journeys, the soak, fuzzing and crash tests, and the screen tests that drive the app through many
# steps); `./scripts/test -m "not slow"` leaves them out for a quick loop that still reaches every area. A name that
# is not on the disk (a module renamed or split) stops the run, so the list cannot go stale in silence.
SLOW_MODULES = (
    "journey/",  # every journey: the real app, tmux, Chromium, a killed process
    "cli/test_csv_fuzz.py",
    "core/test_crash.py",
    "core/test_disk_trouble.py",
    "web/test_soak.py",
    "web/test_schemathesis.py",
    "web/test_web_fuzz.py",
    "tui/test_compare_screen.py",
    "tui/test_replay_screen.py",
    "tui/test_search_screen.py",
    "tui/test_tui_board.py",
    "tui/test_tui_board_input.py",
    "tui/test_tui_home.py",
    "tui/test_tui_home_review.py",
    "tui/test_tui_method_plan.py",
    "tui/test_tui_method_reflection.py",
    "tui/test_tui_run.py",
    "tui/test_tui_run_breakout.py",
    "tui/test_tui_run_votes.py",
)
# `browser` / `tmux`: a test that asks for one of these fixtures starts Chromium or drives tmux (and is slow).
FIXTURE_MARKERS = {"browser": "browser", "chromium": "browser", "tmux": "tmux"}
TESTS_DIR = Path(__file__).parent

_stale = [name for name in SLOW_MODULES if not (TESTS_DIR / name).exists()]
if _stale:
    raise pytest.UsageError(f"tests/conftest.py: SLOW_MODULES names what is not there: {', '.join(_stale)}")


def _in_slow_module(path: Path) -> bool:
    try:
        where = path.relative_to(TESTS_DIR).as_posix()
    except ValueError:
        return False
    return any(where.startswith(name) if name.endswith("/") else where == name for name in SLOW_MODULES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        marks = {FIXTURE_MARKERS[name] for name in getattr(item, "fixturenames", ()) if name in FIXTURE_MARKERS}
        for mark in sorted(marks):
            item.add_marker(mark)
        if marks or _in_slow_module(item.path):
            item.add_marker("slow")


@pytest.fixture
def sessions_dir(tmp_path: Path) -> Path:
    return tmp_path / "sessions"


@pytest.fixture
def settings_path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "coprod-tui" / "settings.json"


@pytest.fixture
def make_session(sessions_dir: Path) -> Callable[..., str]:
    """Build a session file through the core; returns its id (fixed: `DATE-slug`, unless `session_id` is given)."""

    def build(title: str = "Short breaks for carers", *, question: str = SAMPLE_QUESTION,
              groups: Sequence[tuple[str, str, str | None]] = GROUPS,
              cards: Iterable[tuple[str, str, str | None, str | None]] = SAMPLE_CARDS,
              links: Iterable[tuple[int, int]] = SAMPLE_LINKS,
              at: str = FIXED_NOW, session_id: str | None = None, programme: str = "") -> str:
        folder = SessionFolder(sessions_dir)
        folder.new_id = lambda title, date: session_id or f"{date}-{slugify(title) or 'session'}"  # type: ignore
        hub = new_session(folder, title, question, list(groups), programme=programme, clock=fixed_clock(at))
        try:
            drafts = tuple(
                CardDraft(kind=Kind(kind), text=text, author=author,
                          group_id=hub.session.group_named(group).id if group else None)
                for kind, text, group, author in cards
            )
            if drafts:
                hub.apply(ImportCards(cards=drafts, source=Source.IMPORT))
            for card_id, target_id in links:
                hub.apply(ToggleLink(card_id=card_id, target_id=target_id, source=Source.IMPORT))
            return hub.session.meta.id
        finally:
            hub.close()

    return build


@pytest.fixture
def app_factory(sessions_dir: Path, settings_path: Path) -> Callable[..., CoprodApp]:
    """`make_app` with the tmp sessions folder and settings file; pass session_id / read_only / themes_dir."""

    def build(session_id: str | None = None, *, read_only: bool = False, themes_dir: Path | None = None,
              folder: Path | None = None, serve=None) -> CoprodApp:
        return make_app(folder or sessions_dir, session_id=session_id, read_only=read_only,
                        settings_path=settings_path, themes_dir=themes_dir, serve=serve)

    return build
