"""Kill -9 a process that is adding cards as fast as it can; every acknowledged card must survive, exactly once.

The child applies AddCard commands in batches without waiting (so the writer thread is always mid-write while new
changes arrive), takes the durable() future of each batch, and prints a card's id only once that future resolved —
the same promise the phone path makes ("saved" only after the change is on disk). The parent SIGKILLs it at a random
moment after enough acknowledgements, then checks the file: it parses, the hub opens it, and every acknowledged card is
there exactly once. The next cycle reopens the same session and carries on.

COPROD_CRASH_CYCLES raises the number of kill cycles (default 5).
"""

from __future__ import annotations

import collections
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from coprod_tui.core.model import SCHEMA_VERSION
from coprod_tui.core.hub import Hub, new_session
from coprod_tui.core.store.folder import SessionFolder

CYCLES = int(os.environ.get("COPROD_CRASH_CYCLES", "5"))
CYCLE_TIMEOUT = 120.0
SUFFIX = " — note «ü» 👩‍👩‍👧 [b]"  # multi-byte text, so a torn write would show as bad UTF-8 or bad JSON

CHILD = r'''
import collections, random, sys
from coprod_tui.core.commands import AddCard, CardDraft, Source
from coprod_tui.core.hub import Hub
from coprod_tui.core.model import Kind
from coprod_tui.core.store.folder import SessionFolder

folder, session_id, prefix, suffix, seed = sys.argv[1:6]
rng = random.Random(int(seed))
hub = Hub(SessionFolder(folder).open(session_id))
kinds = list(Kind)
pending = collections.deque()
print("READY", flush=True)
n = 0
while True:
    batch = []
    for _ in range(rng.randint(1, 40)):
        ident = f"{prefix}-{n}"
        n += 1
        hub.apply(AddCard(card=CardDraft(kind=rng.choice(kinds), text=ident + suffix),
                          source=Source.PHONE, request_id=ident))
        batch.append(ident)
    pending.append((hub.durable(), batch))
    # Acknowledge every batch whose write has finished, in order; never wait unless far behind.
    while pending and (pending[0][0].done() or len(pending) > 20):
        fut, done = pending.popleft()
        fut.result()
        sys.stdout.write("".join(f"ACK {i}\n" for i in done))
        sys.stdout.flush()
'''


def run_cycle(folder: Path, session_id: str, cycle: int, rng: random.Random) -> list[str]:
    """Start the writer, let it acknowledge a few hundred cards, SIGKILL it; return the acknowledged ids."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder), session_id, f"c{cycle}", SUFFIX, str(rng.randrange(1 << 30))],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )
    acked: list[str] = []
    threshold = rng.randint(200, 600)
    watchdog = threading.Timer(CYCLE_TIMEOUT, proc.kill)  # a hung child must fail the test, not hang it
    watchdog.start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first == b"READY\n", (first, proc.stderr.read() if proc.poll() is not None else b"")
        while len(acked) < threshold:
            line = proc.stdout.readline()
            if not line:
                raise AssertionError(f"writer exited early: {proc.wait()} {proc.stderr.read().decode()}")
            acked.append(line.decode().split()[1])
        time.sleep(rng.uniform(0, 0.05))  # land the kill anywhere: mid-apply, mid-write, mid-rename
        proc.send_signal(signal.SIGKILL)
        # Read through the same buffered reader as readline() above: communicate() would read the raw pipe and
        # skip what that reader already buffered, cutting lines in two.
        rest = proc.stdout.read()
        proc.wait(timeout=30)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    # Lines printed before the kill were acknowledged; a torn last line (no newline) was not.
    for line in rest.decode().splitlines(keepends=True):
        if line.endswith("\n"):
            acked.append(line.split()[1])
    return acked


def test_sigkill_never_loses_an_acknowledged_card(tmp_path):
    rng = random.Random(int(os.environ.get("COPROD_CRASH_SEED", str(time.time_ns()))))
    folder = SessionFolder(tmp_path / "sessions")
    hub = new_session(folder, "Crash test", groups=[("Carers", "carers", None)])
    session_id = hub.session.meta.id
    hub.close()
    path = folder.path_for(session_id)

    all_acked: list[str] = []
    for cycle in range(CYCLES):
        acked = run_cycle(folder.folder, session_id, cycle, rng)
        assert len(acked) >= 200
        all_acked += acked

        doc = json.loads(path.read_bytes().decode("utf-8"))  # whole, valid JSON after a kill
        assert doc["meta"]["1"]["schema_version"] == SCHEMA_VERSION

        reopened = Hub(folder.open(session_id))
        try:
            texts = collections.Counter(c.text for c in reopened.session.cards.values())
            cards_by_seq = {e.card_id for e in reopened.events if e.type == "card.add"}
        finally:
            reopened.close()
        missing = [i for i in all_acked if texts[i + SUFFIX] != 1]
        assert missing == [], f"cycle {cycle}: acknowledged cards lost or duplicated: {missing[:10]}"
        assert all(n == 1 for n in texts.values()), "a card was stored twice"
        assert cards_by_seq == {int(k) for k in doc["cards"]}, "every card has its event and every add event its card"
        assert len(doc["events"]) == len(doc["cards"]) + 1  # session.create + one card.add each

    # Stray temp files from killed writes may remain; they must not disturb listing or opening.
    listing = folder.list()
    assert [s.id for s in listing] == [session_id]
    assert listing[0].readable and listing[0].cards >= len(all_acked)
    strays = [p.name for p in folder.folder.iterdir() if p.name.endswith(".tmp")]
    assert all(name.startswith(f".{session_id}.json.") for name in strays)
