"""Where things are in the checkout, for tests in any folder: one place, so moving a test never breaks a path."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
SESSIONS = REPO / "sessions"  # the bundled demo session
GOLDEN = TESTS / "golden"
BENCH = REPO / "bench"
