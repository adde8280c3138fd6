"""The soak driver of bench/bench_soak.py, tiny: a 2-hour session's script (phases, hidden writing and reveals, a
vote with its totals shown, a cluster, a hidden note, the self-reflection) compressed into about 15 seconds, with 20
phones on the real hub and server, then two rounds of the churn stage (every phone closes and reopens its event
stream, GETs its board, and sends a vote with no round open and a note of no known kind). What it checks cannot
depend on timing: the session file, reopened, holds every note, dot, "I'm done" and answer acknowledged to a phone
exactly once and nothing else from a phone (none of the churn's refused requests); every phone's event stream ended
on exactly the board the server would send it, and so did every reopened one; the refusals were refusals and the
churn changed nothing. Memory and latency are the bench's business (bench/README.md, "soak"), never asserted here.
"""

from __future__ import annotations

import importlib.util
import socket
import sys

import pytest
from support.paths import BENCH as BENCH_DIR

BENCH = BENCH_DIR / "bench_soak.py"
PHONES = 20
CHURN_ROUNDS = 2


def load_bench():
    spec = importlib.util.spec_from_file_location("bench_soak", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # as an import would: dataclasses and pickles look modules up there
    spec.loader.exec_module(module)
    return module


def loopback_aliases_work(count: int) -> bool:
    try:
        for n in range(2, 2 + count):
            with socket.socket() as probe:
                probe.bind((f"127.0.0.{n}", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not loopback_aliases_work(PHONES),
                    reason="this system cannot bind 127.0.0.2…: the phones would share one address and its limits")
async def test_a_compressed_session_ends_with_the_file_and_every_phone_matching_what_phones_were_told(tmp_path):
    soak = load_bench()
    # Reconnect a dropped stream after 0.2 s rather than the server's 3 s: in 15 s a phase lasts 2.5 s.
    result = await soak.run_soak(tmp_path / "sessions", phones=PHONES, seconds=15.0, seed=7, reconnect=0.2,
                                 churn_rounds=CHURN_ROUNDS)

    assert result.crashed == []
    assert result.file_check == [], result.file_check
    assert result.board_problems == [], result.board_problems
    ledger = result.ledger
    # The run did what a session does (counts only, never times): notes, dots, "done" and answers went in.
    assert ledger.notes and ledger.votes and ledger.done and ledger.reflections
    assert not any(key.startswith("facilitator") for key in ledger.errors), ledger.errors
    assert len(result.windows) == 12

    # The churn: a warm-up round and CHURN_ROUNDS more, every phone in each; every reopened stream's board was the
    # one GET …/board gives (a problem is recorded otherwise), and every request that had to be refused was.
    churn = result.churn
    assert churn.problems == [], churn.problems
    assert len(churn.rounds) == CHURN_ROUNDS + 1
    assert len(result.churn_at_rest) == CHURN_ROUNDS and result.churn_after is result.churn_at_rest[-1]
    rounds = PHONES * (CHURN_ROUNDS + 1)
    assert churn.statuses["events 200"] == churn.statuses["board 200"] == rounds, churn.statuses
    # A 429 would also be a refusal that stores nothing, but these few requests stay far below the limits.
    assert churn.statuses["vote 409"] == churn.statuses["note 422"] == rounds, churn.statuses
    # Refused means nothing changed: the same events and cards after the rounds as before them, and none of the
    # refused request_ids in the file (result.file_check above looks for each of them).
    before, after = result.churn_before, result.churn_after
    assert (after.events, after.cards) == (before.events, before.cards)
    assert sum(1 for rid in ledger.refused if rid.startswith("churn-")) == 2 * rounds
