"""Benchmark: looking back — the home screen with many past sessions, filtering it, and replaying a long session.

Run: python bench/bench_review.py [--sessions 1000] [--events 5000] [--repeat 3]

In one run, each with its baseline:
  * home to first frame: from `make_app()` to the first frame with every session listed, for 10 sessions (the
    baseline) and for N sessions — with the listing cache (`.index.json`) warm, as on every start but the first, and
    cold (cache deleted: every file is read once). Each case runs in a fresh Python process.
  * a filter keystroke on the N-session home → next frame (the table is rebuilt from the filtered list).
  * replay of a session of E events: building the replay, a jump end → start → end, one step, against applying the
    same events' patches one by one from the start (what a replay without checkpoints would do for a far jump).
Figures are printed as JSON and as a table; compare ratios, not absolute numbers (machines here are shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

GROUPS = [("People who use services", "people", None), ("Carers", "carers", None),
          ("Practitioners", "practitioners", None), ("Commissioners", "commissioners", None)]
PROGRAMMES = ["Short breaks", "Day services", "Transport", "Hospital discharge", ""]


def make_sessions(folder: Path, count: int) -> None:
    from coprod_tui.core.commands import CardDraft, ImportCards
    from coprod_tui.core.hub import new_session
    from coprod_tui.core.model import Kind
    from coprod_tui.core.store.folder import SessionFolder

    sessions = SessionFolder(folder)
    for i in range(count):
        day = f"20{20 + i % 7:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}T10:00:00.000+00:00"
        hub = new_session(sessions, f"Session {i}: what gets in the way of a break", "What could we try?", GROUPS,
                          programme=PROGRAMMES[i % len(PROGRAMMES)], clock=lambda day=day: day)
        drafts = tuple(CardDraft(kind=list(Kind)[j % 3], text=f"Note {j} of session {i}", group_id=1 + j % 4)
                       for j in range(20))
        hub.apply(ImportCards(cards=drafts))
        hub.close()


async def measure_home(folder: Path, expected: int, keys: int) -> dict:
    from bench_board import PaintClock
    from coprod_tui.tui.app import make_app

    start = time.perf_counter()
    app = make_app(folder, settings_path=folder / "settings.json")
    result: dict = {}
    async with app.run_test(size=(160, 50)) as pilot:
        while True:
            tables = list(app.screen.query("#sessions"))
            if tables and tables[0].row_count == expected:
                break
            await asyncio.sleep(0.002)
        await pilot.pause()
        result["home_s"] = time.perf_counter() - start
        if keys:
            await pilot.press("slash")
            paint = PaintClock(app)
            # typing "1" then deleting it: each key filters the list and redraws the table
            samples = [await paint.key_to_paint("1" if i % 2 == 0 else "backspace") for i in range(keys)]
            result["filter_ms_median"] = statistics.median(samples)
            result["filter_ms_p95"] = sorted(samples)[int(len(samples) * 0.95) - 1]
        await pilot.press("ctrl+q")
    return result


def run_child(folder: Path, expected: int, keys: int, cold: bool) -> dict:
    if cold:
        (folder / ".index.json").unlink(missing_ok=True)
    out = subprocess.run([sys.executable, __file__, "--child", "--folder", str(folder), "--expected", str(expected),
                          "--keys", str(keys)], capture_output=True, text=True, check=True,
                         env={**os.environ, "XDG_CONFIG_HOME": str(folder)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_replay(events_wanted: int) -> dict:
    from coprod_tui.core.commands import AddCard, CardDraft, EditCard
    from coprod_tui.core.hub import new_session, open_session
    from coprod_tui.core.model import Kind
    from coprod_tui.core.reading.replay import Replay
    from coprod_tui.core.store.folder import SessionFolder

    with tempfile.TemporaryDirectory() as tmp:
        folder = SessionFolder(Path(tmp))
        hub = new_session(folder, "Long session", "", GROUPS)
        for i in range(events_wanted - 1):
            if i % 5 == 4:
                hub.apply(EditCard(card_id=i // 2 + 1, text=f"Edited note {i}"))
            else:
                hub.apply(AddCard(card=CardDraft(kind=list(Kind)[i % 3], text=f"Note {i}", group_id=1 + i % 4)))
        session_id = hub.session.meta.id
        hub.close()
        hub = open_session(folder, session_id, read_only=True)
        events = hub.events
        hub.close()
    result = {"events": len(events)}
    start = time.perf_counter()
    replay = Replay(events)
    result["build_ms"] = (time.perf_counter() - start) * 1000
    jumps = []
    for target in (0, len(events), 0, len(events) // 2, len(events)):
        start = time.perf_counter()
        replay.seek(target)
        replay.session()
        jumps.append((time.perf_counter() - start) * 1000)
    result["jump_ms_max"] = max(jumps)
    start = time.perf_counter()
    replay.seek(len(events) - 1)
    replay.session()
    result["step_ms"] = (time.perf_counter() - start) * 1000
    plain = Replay(events, checkpoint_every=10**9)  # no checkpoints: a far jump walks every event
    plain.seek(len(events))
    start = time.perf_counter()
    plain.seek(0)
    plain.seek(len(events))
    result["walk_ms"] = (time.perf_counter() - start) * 1000
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--keys", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per case; the median is reported")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--expected", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(measure_home(Path(args.folder), args.expected, args.keys))))
        return
    table: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as small_dir, tempfile.TemporaryDirectory() as big_dir:
        make_sessions(Path(small_dir), 10)
        started = time.perf_counter()
        make_sessions(Path(big_dir), args.sessions)
        print(f"made {args.sessions} sessions in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        cases = {
            "10 sessions, warm": (Path(small_dir), 10, 0, False),
            f"{args.sessions} sessions, warm": (Path(big_dir), args.sessions, args.keys, False),
            f"{args.sessions} sessions, cold": (Path(big_dir), args.sessions, 0, True),
        }
        for label, (folder, expected, keys, cold) in cases.items():
            run_child(folder, expected, 0, False)  # writes the listing cache once
            runs = [run_child(folder, expected, keys, cold) for _ in range(args.repeat)]
            table[label] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    table["replay"] = bench_replay(args.events)
    print(json.dumps(table, indent=2))
    base, warm = table["10 sessions, warm"], table[f"{args.sessions} sessions, warm"]
    cold = table[f"{args.sessions} sessions, cold"]
    print(f"\nhome to first frame: 10 sessions {base['home_s']:.3f} s; {args.sessions} sessions {warm['home_s']:.3f} s "
          f"warm ({warm['home_s'] / base['home_s']:.2f}x), {cold['home_s']:.3f} s cold")
    print(f"filter keystroke -> frame at {args.sessions} sessions: median {warm['filter_ms_median']:.1f} ms, "
          f"p95 {warm['filter_ms_p95']:.1f} ms")
    r = table["replay"]
    print(f"replay of {r['events']} events: build {r['build_ms']:.1f} ms, far jump max {r['jump_ms_max']:.2f} ms, "
          f"one step {r['step_ms']:.2f} ms; walking end->start->end without checkpoints {r['walk_ms']:.1f} ms")


if __name__ == "__main__":
    main()
