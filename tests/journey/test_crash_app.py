"""SIGKILL the real app while phones post notes; every note a phone heard "saved" for survives, exactly once.

The real `coprod open ID --host 127.0.0.1 --port P` runs in a tmux pane (a private tmux server, as in
test_tmux.py). Once GET /healthz answers, CLIENTS phones (aiohttp clients, each from its own loopback address so
each has its own rate-limit bucket, as real phones do) post notes at once, each note with its own request_id; every
201/200 is recorded (request_id, card id, text). At a random moment — after a random number of acknowledgements,
plus a random few milliseconds, so the kill lands mid-request, mid-apply, mid-write or mid-rename — the coprod
Python process (the pane shell's child, checked to be `python -m coprod_tui` on this test's sessions folder) gets
SIGKILL. Phones then see connection errors: those notes were not acknowledged, which is fine. Before the phones
start, one more phone sends a note and hangs up before the answer (its Wi-Fi dropped); the test waits until that note
is in the file, so every cycle has a note that is saved but was never acknowledged.

After each kill the file is checked read-only: it parses (`read_document`), the hub opens it, every acknowledged
note is there exactly once with its id, text and request_id, no card text appears twice, and every card has its
add event. Then the app is restarted in the same pane, and the phones first send again every note that was never
acknowledged, with the same request_id (as the phone page does), plus a few that were: a note that is in the file
(acknowledged or not — it may have been saved just before the kill, its answer lost) must answer 200 with the id it
has in the file, never make a second card; a note that is not in the file answers 201. A last run, with no kill,
retries whatever is still unanswered, adds a few notes, quits with ctrl+q (exit code 0), and the file is checked
once more (with no temp file left behind).

Nothing here asserts a timing; deadlines only bound a failing test.

    COPROD_APP_CRASH_CYCLES   kill cycles (default 8, quick enough for CI). The full run is 100 cycles:
                              COPROD_APP_CRASH_CYCLES=100 ./scripts/test tests/journey/test_crash_app.py
    COPROD_APP_CRASH_SEED     replay a run: the seed is printed with every failure.

Needs tmux (scripts/test installs it): skipped where it is missing on a developer's machine, a failure on CI.
"""

from __future__ import annotations

import asyncio
import collections
import json
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from coprod_tui.core.hub import new_session, open_session
from coprod_tui.core.tokens import ensure_tokens
from coprod_tui.core.store.file import read_document
from coprod_tui.core.store.folder import SessionFolder
from support.tmux import PrivateTmux, private_tmux

pytestmark = pytest.mark.tmux

CYCLES = int(os.environ.get("COPROD_APP_CRASH_CYCLES", "8"))
CLIENTS = 6
NOTES_PER_RUN = 14  # new notes per phone per run: with its retries, within the server's burst of 20 per address
DEADLINE = 30.0  # seconds to wait for something to happen; only bounds a failing test
PHONES_FAILED = "Phones can't join"  # the board's warning when its phone server could not bind
SUFFIX = " — «ü» 👩‍👩‍👧 [b]"  # multi-byte text, so a torn write would show as bad UTF-8 or bad JSON


@pytest.fixture
def tmux() -> Iterator[PrivateTmux]:
    """Run tmux commands on a private server (a socket in a temp folder of its own), killed and removed afterwards."""
    yield from private_tmux("the crash test of the real app")


# -- the phones --------------------------------------------------------------------------------------------------------
@dataclass
class Note:
    client: int
    body: dict

    @property
    def rid(self) -> str:
        return self.body["request_id"]


@dataclass
class Ledger:
    """What the phones were told: `acked` request_id → (card id, text); `pending` per phone, notes never answered."""

    acked: dict[str, tuple[int, str]] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)  # request_id → the acknowledged note, to send again
    pending: dict[int, list[Note]] = field(default_factory=lambda: collections.defaultdict(list))
    hung_up: list[Note] = field(default_factory=list)  # notes whose phone lost the connection this run
    on_disk: dict[str, int] = field(default_factory=dict)  # request_id → card id in the file after the last kill
    retried_saved = 0  # retries answered 200 (the note was in the file already)
    retried_unacked_saved = 0  # … of which the phone had never heard "saved" (saved just before a kill)
    retried_new = 0  # retries answered 201 (the note had not reached the file)

    def ack(self, note: Note, answer: dict) -> None:
        text = note.body["text"]
        assert answer["text"] == text and answer["request_id"] == note.rid, answer
        earlier = self.acked.get(note.rid)
        assert earlier is None or earlier[0] == answer["id"], f"{note.rid} answered with two ids"
        self.acked[note.rid] = (answer["id"], text)
        self.notes[note.rid] = note

    def acked_by_client(self) -> dict[int, list[Note]]:
        by_client: dict[int, list[Note]] = collections.defaultdict(list)
        for rid in sorted(self.notes):
            by_client[self.notes[rid].client].append(self.notes[rid])
        return by_client


def loopback_addresses(n: int) -> list[str]:
    """One source address per phone (127.0.0.2 …) where the system allows it (Linux), else all 127.0.0.1."""
    addresses = [f"127.0.0.{2 + i}" for i in range(n)]
    try:
        for address in addresses:
            with socket.socket() as probe:
                probe.bind((address, 0))
    except OSError:
        return ["127.0.0.1"] * n
    return addresses


def free_port(rng: random.Random) -> int:
    """A free port below the ephemeral range where there is room (so no outgoing connection of another process
    takes it between this probe and the app's bind), else any free port. A port taken anyway is retried."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 0
    candidates = [rng.randrange(10_000, low) for _ in range(20)] if low > 12_000 else []
    for port in [*candidates, 0]:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return probe.getsockname()[1]
    raise AssertionError("no free port")


class Phones:
    """CLIENTS aiohttp sessions, one per phone, posting to the app on `port`."""

    def __init__(self, token: str, rng: random.Random, seed: int) -> None:
        self.token = token
        self.rng = rng
        self.seed = seed
        self.addresses = loopback_addresses(CLIENTS)
        self.serial = 0
        # Each address has a bucket of 20 notes (refilled at one per 2 s). Where all phones share 127.0.0.1, they
        # send fewer notes, so that one shared bucket is not emptied every run.
        distinct = len(set(self.addresses)) == CLIENTS
        self.notes_per_run = NOTES_PER_RUN if distinct else 2
        self.acked_retries = 2 if distinct else 1

    def new_note(self, client: int, run: int) -> Note:
        self.serial += 1
        text = f"run {run} phone {client} note {self.serial}{SUFFIX}"
        return Note(client, {"text": text, "kind": self.rng.choice(["problem", "option", "contribution"]),
                             "group": 1 + self.serial % 2, "request_id": uuid.uuid4().hex})

    async def run(self, port: int, run: int, ledger: Ledger, retry_acked: dict[int, list[Note]],
                  kill: Killer | None, new_notes: int | None = None) -> None:
        """Every phone: first its retries, then new notes, until its budget is spent or the app dies."""
        url = f"http://127.0.0.1:{port}/api/v1/j/{self.token}/notes"
        retries = {c: list(ledger.pending.pop(c, [])) for c in range(CLIENTS)}
        new_notes = self.notes_per_run if new_notes is None else new_notes
        await asyncio.gather(*(self._phone(c, url, run, ledger, retries[c], retry_acked.get(c, []), kill, new_notes)
                               for c in range(CLIENTS)))

    async def _phone(self, client: int, url: str, run: int, ledger: Ledger, retries: list[Note],
                     acked_again: list[Note], kill: Killer | None, new_notes: int) -> None:
        connector = aiohttp.TCPConnector(local_addr=(self.addresses[client], 0))
        timeout = aiohttp.ClientTimeout(total=DEADLINE)
        queue = [(n, "retry") for n in retries] + [(n, "acked") for n in acked_again]
        queue += [(self.new_note(client, run), "new") for _ in range(new_notes)]
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
            for i, (note, why) in enumerate(queue):
                try:
                    async with http.post(url, json=note.body) as resp:
                        status = resp.status
                        answer = await resp.json(content_type=None)
                except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                    # The app is gone (killed): the note in flight was not acknowledged (it may or may not have
                    # been saved); the phone keeps it, and the retries it had not sent yet, to send again. New notes
                    # not sent yet were never written on this phone: they are simply not sent.
                    unsent = [n for n, w in queue[i + 1:] if w == "retry"]
                    ledger.pending[client] += ([note] if why != "acked" else []) + unsent
                    return
                self._check(ledger, note, why, status, answer)
                if status == 429:
                    if why != "acked":
                        ledger.pending[client].append(note)
                    await asyncio.sleep(0.05)
                elif kill is not None:
                    kill.acknowledged()

    async def lost_answer(self, port: int, run: int, ledger: Ledger, path: Path) -> None:
        """A phone sends a note and loses the connection before the answer (Wi-Fi dropped): the app saves it anyway.
        Waits until it is in the file, so the next restart's retry of it must be a 200 with its id (not a new card)."""
        note = self.new_note(0, run)
        body = json.dumps(note.body).encode("utf-8")
        request = (f"POST /api/v1/j/{self.token}/notes HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                   f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n")
        _, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(self.addresses[0], 0))
        writer.write(request.encode("ascii") + body)
        await writer.drain()
        writer.close()  # gone before the answer
        ledger.hung_up.append(note)  # sent again after the next restart (this run has its retries already)
        deadline = time.monotonic() + DEADLINE
        while not any(e.get("request_id") == note.rid for e in read_document(path)["events"].values()):
            assert time.monotonic() < deadline, f"a note whose phone hung up was never saved ({note.rid})"
            await asyncio.sleep(0.02)

    def _check(self, ledger: Ledger, note: Note, why: str, status: int, answer: dict) -> None:
        where = f"(seed {self.seed}) {why} note {note.rid}: {status} {answer}"
        if status == 429:
            assert answer["error"]["code"] == "rate_limited", where
            return
        saved_id = ledger.on_disk.get(note.rid)
        if why == "new":
            assert status == 201, f"a new note must be created: {where}"
        elif saved_id is not None:
            # In the file the app restarted from: the same card again, never a second one.
            assert status == 200 and answer["id"] == saved_id, f"a retry of a saved note: {where}"
            ledger.retried_saved += 1
            ledger.retried_unacked_saved += note.rid not in ledger.acked
        else:
            assert why == "retry", f"an acknowledged note is missing from the file: {where}"
            assert status == 201, f"a retry of a note that never reached the file: {where}"
            ledger.retried_new += 1
        ledger.ack(note, answer)


class Killer:
    """SIGKILLs the app after `threshold` acknowledgements (or when the phones are done) plus a few random ms."""

    def __init__(self, pid: int, threshold: int, jitter: float) -> None:
        self.pid = pid
        self.threshold = threshold
        self.jitter = jitter
        self.count = 0
        self.reached = asyncio.Event()
        if threshold <= 0:
            self.reached.set()

    def acknowledged(self) -> None:
        self.count += 1
        if self.count >= self.threshold:
            self.reached.set()

    async def kill_when_due(self, phones_done: asyncio.Future) -> None:
        reached = asyncio.ensure_future(self.reached.wait())
        try:
            await asyncio.wait([reached, phones_done], return_when=asyncio.FIRST_COMPLETED)
        finally:
            reached.cancel()
        await asyncio.sleep(self.jitter)
        os.kill(self.pid, signal.SIGKILL)


# -- the app in its pane -----------------------------------------------------------------------------------------------
class Board:
    """`coprod open` in a tmux pane: started, found, killed, restarted, quit."""

    def __init__(self, tmux, sessions: Path, config: Path, session_id: str, rng: random.Random) -> None:
        self.tmux = tmux
        self.rng = rng
        self.sessions = sessions
        self.config = config
        self.session_id = session_id
        self.run = 0
        self.port = 0
        self.started = False

    def _command(self) -> str:
        env = f"env TERM=xterm-256color XDG_CONFIG_HOME={shlex.quote(str(self.config))} COPROD_SESSIONS="
        app = shlex.join([sys.executable, "-m", "coprod_tui", "--sessions-dir", str(self.sessions), "open",
                          self.session_id, "--host", "127.0.0.1", "--port", str(self.port)])
        # The shell keeps the pane open after the app ends and prints its exit code, marked with the run.
        return f"RUN={self.run}; {env} {app}; echo EXITED-$RUN:$?; sleep 600"

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "board")

    async def start(self) -> None:
        """Start (or restart in the same pane) and wait for /healthz; a port taken meanwhile: try another."""
        for _ in range(3):
            self.run += 1
            self.port = free_port(self.rng)
            if not self.started:
                self.tmux("new-session", "-d", "-s", "board", "-x", "120", "-y", "40", self._command())
                self.started = True
            else:
                self.tmux("respawn-pane", "-k", "-t", "board", self._command())
            if await self._healthy():
                return
            screen = self.screen()
            if "already in use" not in screen and PHONES_FAILED not in screen:
                raise AssertionError(f"the app exited at start-up; the pane shows:\n{screen}")
            await self.stop()  # what is left of this run must let go of the session before the next try
        raise AssertionError(f"no free port after three tries; the pane shows:\n{self.screen()}")

    async def _healthy(self) -> bool:
        """True once GET /healthz answers 200; False if the app exited first."""
        deadline = time.monotonic() + DEADLINE
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
            while time.monotonic() < deadline:
                try:
                    async with http.get(f"http://127.0.0.1:{self.port}/healthz") as resp:
                        if resp.status == 200:
                            return True
                except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                    pass
                screen = self.screen()
                if f"EXITED-{self.run}:" in screen or PHONES_FAILED in screen:
                    return False
                await asyncio.sleep(0.05)
        raise AssertionError(f"waited {DEADLINE:.0f} s for /healthz; the pane shows:\n{self.screen()}")

    def _find_pid(self) -> int | None:
        shell = self.tmux("display-message", "-p", "-t", "board", "#{pane_pid}").strip()
        found = subprocess.run(["pgrep", "-P", shell], capture_output=True, text=True, timeout=10).stdout.split()
        for pid in found:
            command = subprocess.run(["ps", "-ww", "-o", "args=", "-p", pid], capture_output=True, text=True,
                                     timeout=10).stdout
            if "coprod_tui" in command and str(self.sessions) in command:
                return int(pid)
        return None

    def pid(self) -> int:
        """The coprod process: the pane shell's child, checked to be `python -m coprod_tui` on our folder."""
        pid = self._find_pid()
        assert pid is not None, f"no coprod process under the pane's shell; the pane shows:\n{self.screen()}"
        return pid

    async def stop(self) -> None:
        """End this run's app if it is still there (its phone server could not start)."""
        pid = self._find_pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            await self.wait_dead(pid)

    async def wait_dead(self, pid: int) -> None:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            await asyncio.sleep(0.02)
        raise AssertionError(f"process {pid} still there {DEADLINE:.0f} s after SIGKILL")

    async def wait_exit(self) -> str:
        deadline = time.monotonic() + DEADLINE
        while time.monotonic() < deadline:
            screen = self.screen()
            if f"EXITED-{self.run}:" in screen:
                return screen
            await asyncio.sleep(0.1)
        raise AssertionError(f"waited {DEADLINE:.0f} s for the app to exit; the pane shows:\n{self.screen()}")


def check_file(folder: SessionFolder, session_id: str, ledger: Ledger, where: str) -> None:
    """The file parses, the hub opens it, every acknowledged note is in it exactly once; records what is on disk."""
    path = folder.path_for(session_id)
    doc = read_document(path)  # raises UnreadableSession if the kill left it torn
    hub = open_session(folder, session_id, read_only=True)
    try:
        cards = dict(hub.session.cards)
        adds = [e for e in hub.events if e.type == "card.add"]
    finally:
        hub.close()
    by_request = collections.Counter(e.request_id for e in adds)
    assert all(n == 1 for n in by_request.values()), f"{where}: a request_id made two cards"
    on_disk = {e.request_id: e.card_id for e in adds}
    texts = collections.Counter(c.text for c in cards.values())
    assert all(n == 1 for n in texts.values()), f"{where}: a note is stored twice: " \
        f"{[t for t, n in texts.items() if n > 1][:5]}"
    assert {e.card_id for e in adds} == set(cards) == {int(k) for k in doc["cards"]}, \
        f"{where}: every card has its add event and every add event its card"
    lost = [(rid, card_id, text) for rid, (card_id, text) in ledger.acked.items()
            if on_disk.get(rid) != card_id or cards.get(card_id) is None or cards[card_id].text != text]
    assert lost == [], f"{where}: acknowledged notes lost or changed: {lost[:5]}"
    ledger.on_disk = on_disk


async def test_sigkill_the_real_app_while_phones_post(tmux, tmp_path):
    seed = int(os.environ.get("COPROD_APP_CRASH_SEED", str(time.time_ns() % (1 << 32))))
    rng = random.Random(seed)
    folder = SessionFolder(tmp_path / "sessions")
    hub = new_session(folder, "Crash test of the real app", groups=[("Carers", "carers", None),
                                                                     ("Staff", "practitioners", None)])
    ensure_tokens(hub)
    session_id, token = hub.session.meta.id, hub.session.meta.tokens["all"]
    hub.close()

    board = Board(tmux, folder.folder, tmp_path / "config", session_id, rng)
    phones = Phones(token, rng, seed)
    ledger = Ledger()
    for cycle in range(CYCLES):
        where = f"cycle {cycle} (seed {seed})"
        await board.start()
        pid = board.pid()
        await phones.lost_answer(board.port, board.run, ledger, folder.path_for(session_id))
        killer = Killer(pid, threshold=rng.randint(0, CLIENTS * phones.notes_per_run * 2 // 3),
                        jitter=rng.uniform(0, 0.03))
        retry_acked = {c: rng.sample(ns, min(phones.acked_retries, len(ns)))
                       for c, ns in ledger.acked_by_client().items()}
        posting = asyncio.ensure_future(phones.run(board.port, board.run, ledger, retry_acked, killer))
        await asyncio.wait_for(killer.kill_when_due(posting), DEADLINE)
        await board.wait_dead(pid)
        await asyncio.wait_for(posting, DEADLINE)  # every phone saw the app go
        check_file(folder, session_id, ledger, where)
        ledger.pending[0] += ledger.hung_up
        ledger.hung_up.clear()

    # A last run, no kill: every note still unanswered is sent again until answered, then a few new ones, then quit.
    await board.start()
    where = f"the last run (seed {seed})"
    for attempt in range(30):
        await phones.run(board.port, board.run, ledger, {}, None, new_notes=None if attempt == 0 else 0)
        if not any(ledger.pending.values()):
            break
        await asyncio.sleep(1.0)  # let the rate-limit buckets refill a little between rounds
    assert not any(ledger.pending.values()), f"{where}: notes never answered: {dict(ledger.pending)}"
    board.tmux("send-keys", "-t", "board", "C-q")
    screen = await board.wait_exit()
    assert f"EXITED-{board.run}:0" in screen, screen
    check_file(folder, session_id, ledger, where)
    assert len(ledger.acked) >= CLIENTS * phones.notes_per_run  # at least the last run's notes
    # At least the note of each cycle whose phone hung up before its answer: saved, never acknowledged, then sent
    # again after a restart and answered 200 with its id.
    assert ledger.retried_unacked_saved >= CYCLES
    assert not [p.name for p in folder.folder.iterdir() if p.name.endswith(".tmp")], "a temp file was left"
    print(f"seed {seed}: {CYCLES} kills, {len(ledger.acked)} notes acknowledged; retries answered 200 "
          f"{ledger.retried_saved} (of which never acknowledged before {ledger.retried_unacked_saved}), "
          f"201 {ledger.retried_new}")

