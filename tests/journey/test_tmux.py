"""The real app in a real terminal: `python -m coprod_tui` inside a detached tmux pane, driven by keys.

Skipped only where tmux is missing on a developer's machine; on CI (CI set) a missing tmux fails loudly, because this
is the one test that proves the installed command starts, draws, saves and restarts.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from support.tmux import PrivateTmux, private_tmux

pytestmark = pytest.mark.tmux

DEADLINE = 20.0  # seconds to wait for something to appear; only bounds a failing test
CARD = "Tmux card: [b]literal[/b]"


@pytest.fixture
def tmux() -> Iterator[PrivateTmux]:
    """Run tmux commands on a private server (a socket in a temp folder of its own), killed and removed afterwards."""
    yield from private_tmux("the end-to-end test")


def coprod(*args: str) -> list[str]:
    return [sys.executable, "-m", "coprod_tui", *args]


def wait_for(tmux: Callable[..., str], what: Callable[[str], bool], description: str) -> str:
    """Poll the pane until `what(screen)` holds; fail with the last screen after DEADLINE seconds."""
    deadline = time.monotonic() + DEADLINE
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", "board")
        if what(screen):
            return screen
        time.sleep(0.1)
    raise AssertionError(f"waited {DEADLINE:.0f} s for {description}; the pane shows:\n{screen}")


def test_add_a_card_quit_and_find_it_again(tmux, tmp_path):
    sessions = tmp_path / "sessions"
    config = tmp_path / "config"
    made = subprocess.run(coprod("--sessions-dir", str(sessions), "new", "Tmux session", "--group", "Carers:carers"),
                          capture_output=True, text=True, timeout=60)
    assert made.returncode == 0, made.stderr
    session_id = made.stdout.strip().splitlines()[-1]

    env = f"env TERM=xterm-256color XDG_CONFIG_HOME={shlex.quote(str(config))} COPROD_SESSIONS="
    board = shlex.join(coprod("--sessions-dir", str(sessions), "open", session_id))
    # The shell keeps the pane open after the app exits and prints its exit code (marked per run) for us to wait on.
    command = f"{env} {board}; echo EXITED-$RUN:$?; sleep 600"
    tmux("new-session", "-d", "-s", "board", "-x", "120", "-y", "40", f"RUN=1; {command}")

    wait_for(tmux, lambda s: "Problems" in s and "Contributions" in s, "the board")
    tmux("send-keys", "-t", "board", "n")
    wait_for(tmux, lambda s: "New problem" in s, "the add dialog")
    tmux("send-keys", "-t", "board", "-l", CARD)
    # As a person would: see the words in the box, then press ctrl+s. (Sent in one burst with the text, the
    # ctrl+s can arrive inside the same terminal read as the typing and be taken as typed text.)
    wait_for(tmux, lambda s: CARD in s, "the typed text in the dialog")
    tmux("send-keys", "-t", "board", "C-s")
    screen = wait_for(tmux, lambda s: CARD in s and "New problem" not in s, "the new card on the board")
    assert "Problems (1)" in screen
    tmux("send-keys", "-t", "board", "C-q")
    screen = wait_for(tmux, lambda s: "EXITED-1:" in s, "the app to exit")
    assert "EXITED-1:0" in screen, screen
    assert "Traceback" not in screen

    doc = json.loads((sessions / f"{session_id}.json").read_text("utf-8"))
    assert [card["text"] for card in doc["cards"].values()] == [CARD]

    tmux("respawn-pane", "-k", "-t", "board", f"RUN=2; {command}")
    screen = wait_for(tmux, lambda s: CARD in s, "the card after a restart")
    assert "Problems (1)" in screen
    tmux("send-keys", "-t", "board", "C-q")
    assert "EXITED-2:0" in wait_for(tmux, lambda s: "EXITED-2:" in s, "the app to exit again")
