"""Benchmark: card inserts through the hub (atomic, group-committed, fsynced) against stock TinyDB JSONStorage.

Run: python bench/bench_store.py [--n 5000] [--batch 50] [--naive-budget 180] [--no-readme]

One run measures, each in a fresh session folder:
  (0) burst    — all N AddCard commands posted at once (every `apply_durable` gathered together): each is applied
                 and on the board at once, and group commit folds them into a few whole-file writes; timed until
                 every card is durable. The best case of group commit, and the figure the ≥ 50× goal is read on;
  (a) stream   — N AddCard commands through the hub as concurrent phone posts would arrive: batches of `--batch`
                 `apply_durable` coroutines gathered at once; timed until every card is durable (on disk, fsynced);
  (b) one by one — the same N, each insert awaited durable before the next is applied (the worst case: every card
                 pays a whole-file write and two fsyncs on its own);
  (d) by size  — one change awaited durable, 20 times, in a session of 100 cards, then grown to 1,000, 3,000 and N:
                 the cost of a durable write as the session grows (each write replaces the whole file);
  (c) naive    — N inserts of the same card records with stock TinyDB (`TinyDB(path)` + `table.insert(record)`):
                 JSONStorage re-reads and rewrites the whole file in place on every insert, without fsync and without
                 an atomic rename, so it is also *less* safe than (a)/(b). If it runs past `--naive-budget` seconds it
                 stops, and the figure reports how many inserts it managed (its per-insert cost only grows with N).

The figures are printed and, unless --no-readme, written to bench/README.md under the "store" heading (other
headings in that file are kept). Compare ratios, not absolute numbers: the machines here are shared.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # bench_common, also when a test imports this file

from tinydb import TinyDB  # noqa: E402

from bench_common import machine, update_readme  # noqa: E402

from coprod_tui.core.commands import AddCard, CardDraft, Source  # noqa: E402
from coprod_tui.core.hub import Hub, new_session  # noqa: E402
from coprod_tui.core.model import Kind  # noqa: E402
from coprod_tui.core.store.folder import SessionFolder  # noqa: E402

KINDS = list(Kind)
GROUPS = [("People who use services", "people", None), ("Carers", "carers", None),
          ("Practitioners", "practitioners", None)]


def commands(n: int) -> list[AddCard]:
    """N phone notes of realistic length, spread over kinds and groups, each with its own request id."""
    return [
        AddCard(card=CardDraft(kind=KINDS[i % 3], text=f"Note {i}: waiting lists for respite are too long, "
                               "and nobody tells carers where they are on the list ✓", group_id=1 + i % 3,
                               author="Sam" if i % 4 == 0 else None),
                source=Source.PHONE, request_id=f"bench-{i:06d}")
        for i in range(n)
    ]


def fresh_hub(root: Path, name: str) -> Hub:
    return new_session(SessionFolder(root / name), f"Bench {name}", "How fast is the store?", GROUPS)


async def stream(hub: Hub, cmds: list[AddCard], batch: int) -> float:
    start = time.perf_counter()
    for i in range(0, len(cmds), batch):
        await asyncio.gather(*(hub.apply_durable(c) for c in cmds[i:i + batch]))
    return time.perf_counter() - start


async def one_by_one(hub: Hub, cmds: list[AddCard]) -> float:
    start = time.perf_counter()
    for c in cmds:
        await hub.apply_durable(c)
    return time.perf_counter() - start


async def by_size(hub: Hub, cmds: list[AddCard], sizes: list[int], samples: int = 20) -> list[tuple[int, float, float]]:
    """(cards, file MB, median ms of one change awaited durable) at each size, growing the session in bursts."""
    out = []
    used = 0
    for size in sizes:
        await asyncio.gather(*(hub.apply_durable(c) for c in cmds[used:size]))
        used = size
        times = []
        for i in range(samples):
            start = time.perf_counter()
            await hub.apply_durable(AddCard(card=CardDraft(kind=Kind.PROBLEM, text=f"Probe {size}-{i}", group_id=1),
                                            source=Source.PHONE, request_id=f"probe-{size}-{i}"))
            times.append(time.perf_counter() - start)
        out.append((len(hub.session.cards), hub.storage.path.stat().st_size / 1e6, statistics.median(times) * 1000))
    return out


def naive(path: Path, records: list[dict], budget: float) -> tuple[float, int]:
    db = TinyDB(path)
    table = db.table("cards")
    start = time.perf_counter()
    done = 0
    for rec in records:
        table.insert(rec)
        done += 1
        if time.perf_counter() - start > budget:
            break
    elapsed = time.perf_counter() - start
    db.close()
    assert len(TinyDB(path).table("cards")) == done
    return elapsed, done


def filesystem_of(path: Path) -> str:
    """The mount's filesystem type (fsync cost depends on it), from /proc/mounts where there is one."""
    best, kind = "", "unknown"
    try:
        for line in Path("/proc/mounts").read_text().splitlines():
            parts = line.split()
            inside = str(path) == parts[1] if len(parts) >= 3 else False
            inside = inside or (len(parts) >= 3 and str(path).startswith(parts[1].rstrip("/") + "/"))
            if inside and len(parts[1]) > len(best):
                best, kind = parts[1], parts[2]
    except OSError:
        pass
    return kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000, help="cards to insert in each case (default 5000)")
    parser.add_argument("--batch", type=int, default=50, help="concurrent posts per group in (a) (default 50)")
    parser.add_argument("--naive-budget", type=float, default=180.0,
                        help="seconds after which the naive TinyDB case stops (default 180)")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the sessions (default: a temp dir)")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave bench/README.md alone")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="coprod-bench-", dir=args.dir))
    cmds = commands(args.n)
    try:
        hub_0 = fresh_hub(root, "burst")
        t_0 = asyncio.run(stream(hub_0, cmds, len(cmds)))
        assert len(hub_0.session.cards) == args.n
        hub_0.close()
        print(f"(0) hub, burst of {args.n} posted at once: {t_0:.2f} s", flush=True)

        hub_a = fresh_hub(root, "stream")
        t_a = asyncio.run(stream(hub_a, cmds, args.batch))
        assert len(hub_a.session.cards) == args.n
        records = [c.to_record() for c in hub_a.session.column(Kind.PROBLEM)] + \
            [c.to_record() for c in hub_a.session.column(Kind.OPTION)] + \
            [c.to_record() for c in hub_a.session.column(Kind.CONTRIBUTION)]
        records.sort(key=lambda r: r["id"])
        size_a = hub_a.storage.path.stat().st_size
        hub_a.close()
        print(f"(a) hub, stream of {args.n} in gathered batches of {args.batch}: {t_a:.2f} s", flush=True)

        hub_b = fresh_hub(root, "one-by-one")
        t_b = asyncio.run(one_by_one(hub_b, cmds))
        assert len(hub_b.session.cards) == args.n
        hub_b.close()
        print(f"(b) hub, one by one, each awaited durable: {t_b:.2f} s", flush=True)

        hub_d = fresh_hub(root, "by-size")
        sizes = sorted({min(x, args.n) for x in (100, 1000, 3000, args.n)})
        d_rows = asyncio.run(by_size(hub_d, cmds, sizes))
        hub_d.close()
        for cards, mb, ms in d_rows:
            print(f"(d) one change awaited durable at {cards} cards ({mb:.2f} MB): {ms:.2f} ms", flush=True)

        t_c, done_c = naive(root / "naive.json", records, args.naive_budget)
        print(f"(c) stock TinyDB JSONStorage, {done_c} inserts: {t_c:.2f} s", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)

    per = {"0": t_0 / args.n * 1000, "a": t_a / args.n * 1000, "b": t_b / args.n * 1000, "c": t_c / done_c * 1000}
    complete = done_c == args.n
    # Ratio of totals when (c) finished; otherwise of per-insert costs (which flatters (c): its cost grows with N).
    ratio_0 = (t_c / t_0) if complete else per["c"] / per["0"]
    ratio_a = (t_c / t_a) if complete else per["c"] / per["a"]
    ratio_b = (t_c / t_b) if complete else per["c"] / per["b"]
    basis = "total time" if complete else f"per-insert cost (naive stopped after {done_c} of {args.n})"

    where = f"{machine()}, temp files on {filesystem_of(root)}"
    intro = textwrap.fill(f"{where}: `python bench/bench_store.py --n {args.n}`.", 118)
    d_table = "\n".join(f"| {cards:,} | {mb:.2f} MB | {ms:.2f} ms | {ms / d_rows[0][2]:.2f}× |"
                        for cards, mb, ms in d_rows)
    naive_label = f"(c) stock TinyDB `insert`, {done_c:,} cards" + ("" if complete else " (stopped at the budget)")
    section = f"""## store

{intro}

| case | total | per insert |
|---|---:|---:|
| (0) hub, {args.n:,} cards posted at once (one burst), until all durable | {t_0:.2f} s | {per['0']:.2f} ms |
| (a) hub, {args.n:,} cards as concurrent posts (gathered batches of {args.batch}), until all durable | {t_a:.2f} s | {per['a']:.2f} ms |
| (b) hub, {args.n:,} cards one by one, each awaited durable | {t_b:.2f} s | {per['b']:.2f} ms |
| {naive_label} | {t_c:.2f} s | {per['c']:.2f} ms |

(d) One change awaited durable, by the session's size (median of 20; the same run):

| cards | file | one durable change | ÷ the smallest |
|---:|---:|---:|---:|
{d_table}

Naive ÷ hub ({basis}): **{ratio_0:.1f}×** for the burst (0), **{ratio_a:.1f}×** for the stream (a),
**{ratio_b:.1f}×** for one by one (b).
The hub's session file ended at {size_a / 1e6:.1f} MB (cards plus one event per change).

What the numbers mean: every hub write is a whole-file atomic replace with fsync of the file and of the folder, so
(a) and (b) are *durable* figures; (c) does no fsync and rewrites the file in place (a crash can leave it truncated),
and it re-reads the whole file on every insert, so its cost per insert grows with the session. In (a), changes that
arrive while a write is under way share the next write (group commit). (b) is the worst case — one client that
waits for each save before sending the next — and its cost per insert also grows with the file, because each card
pays for rewriting the whole session. (d) is that cost alone: rendering the document from its cached lines, writing
it and two fsyncs grow with the file — what a phone waits for "saved" grows with the session's size, not with how
long it has run.
"""
    print()
    print(section)
    if not args.no_readme:
        print(f"written to {update_readme(section, 'store')}")


if __name__ == "__main__":
    main()
