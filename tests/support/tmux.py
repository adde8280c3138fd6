"""A private tmux server for the tests that drive the real app in a terminal (test_tmux.py, test_crash_app.py).

Why not `tmux -L NAME`: that socket lives in the shared /tmp/tmux-UID folder, and tmux (3.3 at least) leaves the
socket file there after `kill-server`, so every run left one behind; a plain `tmux` would even share the user's own
server. Here each test gets a server on a socket (`-S`) in a fresh temp folder of its own, with TMUX/TMUX_PANE
removed from the environment (nothing points at the user's server), and `close()` kills the server — by its pid if
`kill-server` does not end it — then removes the folder with the socket, whether the test passed or failed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# sun_path holds 108 bytes on Linux and 104 on macOS; a long TMPDIR (macOS's /var/folders/…) may not leave room.
MAX_SOCKET_PATH = 100
COMMAND_TIMEOUT = 10.0  # seconds for one tmux command; only bounds a failing test
GONE_TIMEOUT = 10.0  # seconds for the server to exit after kill-server; only bounds a failing test


def _socket_folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="coprod-tmux-"))
    if len(str(folder / "tmux.sock")) > MAX_SOCKET_PATH:
        folder.rmdir()
        folder = Path(tempfile.mkdtemp(prefix="coprod-tmux-", dir="/tmp"))
    return folder


class PrivateTmux:
    """Runs tmux commands on its own server; call it like `tmux("capture-pane", "-p", "-t", "board")`."""

    def __init__(self) -> None:
        self.folder = _socket_folder()
        self.socket = self.folder / "tmux.sock"
        self.env = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
        self._server_pid: int | None = None

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True, text=True,
                              timeout=COMMAND_TIMEOUT, env=self.env)

    def __call__(self, *args: str) -> str:
        done = self._run(*args)
        assert done.returncode == 0, f"tmux {' '.join(args)}: {done.stderr}"
        if self._server_pid is None:
            found = self._run("display-message", "-p", "#{pid}")
            if found.returncode == 0 and found.stdout.strip().isdigit():
                self._server_pid = int(found.stdout.strip())
        return done.stdout

    def close(self) -> None:
        """Kill the server (its panes get SIGHUP) and remove the socket's folder; safe to call when none started."""
        try:
            if self.socket.exists():
                self._run("kill-server")
                self._wait_gone()
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _wait_gone(self) -> None:
        pid = self._server_pid
        if pid is None:
            return
        deadline = time.monotonic() + GONE_TIMEOUT
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.02)
        os.kill(pid, signal.SIGKILL)  # our own server, by its pid: it ignored kill-server


def private_tmux(need: str) -> Iterator[PrivateTmux]:
    """The body of a `tmux` fixture: skip where tmux is missing (fail on CI, where `need` says why it matters)."""
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail(f"tmux is required on CI for {need} (apt-get install tmux)")
        pytest.skip("tmux is not installed")
    tmux = PrivateTmux()
    try:
        yield tmux
    finally:
        tmux.close()
