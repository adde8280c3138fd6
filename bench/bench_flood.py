"""Benchmark: 50 phones at a realistic pace, alone and again while one client floods the notes endpoint.

Run: python bench/bench_flood.py [--phones 50] [--notes 20] [--think-ms 50 150] [--flood-rate 1000] [--repeat 1]
     [--no-readme] (--help: more)

The phone server runs in a child process (this file with --serve) on 127.0.0.1, port 0, with the product's own
limits (`WebSettings()`: a burst of 20 notes per client address, then one every 2 s). Every phone is its own client
(session, cookie jar, connection) from its own address 127.0.0.N and times each POST, as in bench_phones.py's
realistic-pace scenario. Each run gets a fresh server and session:

- quiet: the phones alone;
- flood: the same phones (same seed, same notes, same pauses) while a flooder — another child process (--flood), from
  an address of its own — sends note POSTs at --flood-rate requests/s, open loop (a request every 1/rate s, up to
  --flood-inflight at once on keep-alive connections), from a second before the phones start until they finish.

Reported: p50/p95/p99/max of the phones' latencies in both runs and the flood ÷ quiet ratio (goal: p99 ≤ 2×), the
flooder's answers by status (429 with Retry-After vs 201), the phones' answers by status (goal: no 429), and a check
of the session file after the server stopped: every 201 (phones' and flooder's) there exactly once, no other card,
and none of the flooder's refused request_ids anywhere in it. Loopback only; every phase stops at --seconds-limit;
the children are ended on exit. Figures go to the "flood" section of bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_phones import WRAP, a_note, check_file, ms  # noqa: E402
from bench_common import machine, pct, source_ip, update_readme  # noqa: E402
from coprod_tui.core.hub import new_session  # noqa: E402
from coprod_tui.core.store.folder import SessionFolder  # noqa: E402
from coprod_tui.web.server import start_phone_server  # noqa: E402
from coprod_tui.web.keys import WebSettings  # noqa: E402

GROUPS = [("People who use services", "people", None), ("Carers", "carers", None),
          ("Practitioners", "practitioners", None)]
GOAL_RATIO = 2.0


# -- the two children: the server, and the flooder -------------------------------------------------------------
async def serve(folder: str, limit: float) -> None:
    """The real phone server with the product's default limits; stops (flushing the session) at stdin's EOF."""
    hub = new_session(SessionFolder(folder), "Bench flood", "What would make Tuesdays work?", GROUPS)
    server = await start_phone_server(hub, host="127.0.0.1", port=0, settings=WebSettings())
    print(json.dumps({"port": server.port, "token": hub.session.meta.tokens["all"],
                      "groups": sorted(hub.session.groups)}), flush=True)
    await until_eof(limit + 60)
    await server.stop()
    hub.close()


def cpu_seconds(pid: int | None = None) -> float:
    """CPU time (user + system, every thread) of a process: this one, or a child by its pid."""
    if pid is None:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def until_eof(timeout: float) -> None:
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(reader.read(), timeout=timeout)


async def flood(port: int, token: str, address: int, rate: float, inflight: int, pad: int, limit: float) -> None:
    """Open-loop note POSTs from one address until stdin's EOF; then one JSON line: what each request got. `pad`:
    bytes of an extra field (ignored by the server, but read and parsed before the rate limit is checked)."""
    url = f"http://127.0.0.1:{port}/api/v1/j/{token}/notes"
    connector = aiohttp.TCPConnector(local_addr=(source_ip(address), 0), limit=inflight)
    statuses: Counter[str] = Counter()
    stored: list[tuple[int, dict]] = []
    refused: list[str] = []
    retry_after: Counter[str] = Counter()
    busy = asyncio.Semaphore(inflight)
    tasks: set[asyncio.Task] = set()
    skipped = 0

    async def one(i: int, http: aiohttp.ClientSession) -> None:
        body = {"text": f"Flood note {i}", "kind": "problem", "request_id": f"flood-{i}"}
        if pad:
            body["padding"] = "x" * pad
        try:
            async with http.post(url, json=body) as resp:
                answer = await resp.json(content_type=None)
                statuses[str(resp.status)] += 1
                if resp.status == 201:
                    stored.append((answer["id"], body))
                elif resp.status == 429:
                    refused.append(body["request_id"])
                    retry_after[resp.headers.get("Retry-After", "missing")] += 1
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            statuses[type(exc).__name__] += 1
        finally:
            busy.release()

    stop = asyncio.create_task(until_eof(limit + 60))
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=10)) as http:
        print(json.dumps({"ready": True}), flush=True)
        start = time.perf_counter()
        i = 0
        while not stop.done():
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if busy.locked():  # every connection busy: this tick's request is not sent (the count says so)
                skipped += 1
            else:
                await busy.acquire()
                task = asyncio.create_task(one(i, http))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            i += 1
        sent_for = time.perf_counter() - start
        await asyncio.gather(*tasks)
    sent = sum(statuses.values())
    print(json.dumps({"statuses": statuses, "stored": stored, "refused": refused, "retry_after": retry_after,
                      "sent": sent, "skipped": skipped, "seconds": sent_for}), flush=True)


# -- the parent: phones, and the children's lifetimes ----------------------------------------------------------
@contextlib.asynccontextmanager
async def child(*extra: str, limit: float):
    """A child process of this file: yields its first JSON line and a reader of the next; on exit closes its stdin
    (it stops cleanly), then terminates it, then kills it."""
    command = (sys.executable, __file__, *extra, "--seconds-limit", str(limit))
    proc = await asyncio.create_subprocess_exec(*command, stdin=(pipe := asyncio.subprocess.PIPE), stdout=pipe,
                                                limit=64 * 1024 * 1024)

    async def last_line() -> dict:
        proc.stdin.close()
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=60)
        return json.loads(line) if line else {}

    try:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
        if not line:
            raise RuntimeError(f"the child {extra[:2]} did not start")
        yield json.loads(line), last_line, proc.pid
    finally:
        if not proc.stdin.is_closing():
            proc.stdin.close()
        for action, wait in ((lambda: None, 15), (proc.terminate, 5), (proc.kill, None)):
            if proc.returncode is None:
                action()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(proc.wait(), timeout=wait)


async def phone(n: int, url: str, groups: list[int], args, run: dict) -> None:
    rng = random.Random(args.seed * 100_003 + n)
    connector = aiohttp.TCPConnector(local_addr=(source_ip(n), 0), limit=4)
    async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                     timeout=aiohttp.ClientTimeout(total=10)) as http:
        for i in range(args.notes):
            await asyncio.sleep(rng.uniform(*args.think_ms) / 1000)
            body = a_note(rng, groups, f"phone-{n}-{i}-{rng.getrandbits(32):08x}")
            start = time.perf_counter()
            try:
                async with http.post(url, json=body) as resp:
                    answer = await resp.json(content_type=None)
                    status = resp.status
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                run["statuses"][type(exc).__name__] += 1
                continue
            run["latencies"].append(time.perf_counter() - start)
            run["statuses"][str(status)] += 1
            if status == 201:
                run["stored"].append((answer["id"], body))


async def one_run(folder: Path, args, flooding: bool) -> dict:
    run: dict = {"latencies": [], "stored": [], "statuses": Counter(), "flood": None, "timed_out": False}
    async with child("--serve", "--dir", str(folder), limit=args.seconds_limit) as (info, _, server_pid):
        url = f"http://127.0.0.1:{info['port']}/api/v1/j/{info['token']}/notes"
        flooder = child("--flood", "--port", str(info["port"]), "--token", info["token"],
                        "--flood-rate", str(args.flood_rate), "--flood-inflight", str(args.flood_inflight),
                        "--flood-pad", str(args.flood_pad),
                        "--flood-address", str(args.phones + 2), limit=args.seconds_limit) if flooding else None
        async with (flooder or contextlib.nullcontext((None, None, None))) as (_, flood_result, flood_pid):
            if flooding:
                await asyncio.sleep(1.0)  # the flooder has spent its burst: what the phones meet is the flood
            pids = {"server": server_pid, "flooder": flood_pid, "phones": None}
            cpu = {name: cpu_seconds(pid) for name, pid in pids.items() if name != "flooder" or flooding}
            start = time.perf_counter()
            try:
                await asyncio.wait_for(asyncio.gather(*(phone(2 + p, url, info["groups"], args, run)
                                                        for p in range(args.phones))), timeout=args.seconds_limit)
            except asyncio.TimeoutError:
                run["timed_out"] = True
            run["wall"] = time.perf_counter() - start
            run["cpu"] = {name: (cpu_seconds(pids[name]) - before) / run["wall"] for name, before in cpu.items()}
            if flooding:
                run["flood"] = await flood_result()
    flood_stored = [(i, b) for i, b in run["flood"]["stored"]] if flooding else []
    run["check"] = check_file(folder, run["stored"] + flood_stored)
    if flooding:
        doc = json.loads(next(folder.glob("*.json")).read_text("utf-8"))
        refused = set(run["flood"]["refused"])
        leaked = [e for e in doc.get("events", {}).values() if e.get("request_id") in refused]
        run["check"] += (f"; none of the flooder's {len(refused):,} refused request_ids in the file" if not leaked
                         else f"; FAIL: {len(leaked)} refused flood requests stored")
    return run


async def run_all(args, root: Path) -> list[tuple[dict, dict]]:
    pairs = []
    for r in range(args.repeat):
        quiet = await one_run(root / f"quiet-{r}", args, flooding=False)
        flooded = await one_run(root / f"flood-{r}", args, flooding=True)
        pairs.append((quiet, flooded))
    return pairs


# -- the report ------------------------------------------------------------------------------------------------
def statuses(counter: Counter) -> str:
    return ", ".join(f"{k}: {v:,}" for k, v in sorted(counter.items())) or "none"


def report(pairs: list[tuple[dict, dict]], args) -> str:
    lines = ["| run | phones' notes stored (201) | p50 | p95 | p99 | max | phones' answers "
             "| CPU used: server · flooder · phones | flood p99 ÷ quiet p99 |",
             "|---|---:|---:|---:|---:|---:|---|---|---:|"]
    for r, (quiet, flooded) in enumerate(pairs, start=1):
        tag = f" #{r}" if len(pairs) > 1 else ""
        ratio = pct(flooded["latencies"], 99) / pct(quiet["latencies"], 99)
        for label, run, cell in ((f"quiet{tag}", quiet, ""), (f"flood{tag}", flooded, f"**{ratio:.2f}×**")):
            q = [ms(pct(run["latencies"], x)) for x in (50, 95, 99, 100)]
            cpu = " · ".join(f"{run['cpu'][name]:.0%}" if name in run["cpu"] else "—"
                             for name in ("server", "flooder", "phones"))
            lines.append(f"| {label} | {len(run['stored']):,} | {' | '.join(q)} | {statuses(run['statuses'])} "
                         f"| {cpu} | {cell} |")
    if len(pairs) > 1:
        ratios = sorted(pct(f["latencies"], 99) / pct(q["latencies"], 99) for q, f in pairs)
        p99 = {name: statistics.median(pct(pair[i]["latencies"], 99) for pair in pairs)
               for i, name in enumerate(("quiet", "flood"))}
        lines += ["", WRAP.fill(f"Median of the {len(pairs)} pairs: p99 {ms(p99['quiet'])} quiet, {ms(p99['flood'])} "
                                f"with the flood; flood ÷ quiet **{statistics.median(ratios):.2f}×** (from "
                                f"{ratios[0]:.2f}× to {ratios[-1]:.2f}×; goal ≤ {GOAL_RATIO:g}×).")]
    extra = statistics.median(f["cpu"]["server"] - q["cpu"]["server"] for q, f in pairs)
    rate = statistics.median(f["flood"]["sent"] / f["flood"]["seconds"] for _, f in pairs)
    lines += ["", WRAP.fill(f"The flood cost the server {extra:.0%} of one CPU more than the quiet run (median), about "
                            f"{extra / rate * 1e6:,.0f} µs of CPU per refused request.")]
    lines += ["", "| the flooder | requests answered | sent per second | 429 (Retry-After: seconds × count) | 201 "
              "| other | ticks skipped (all connections busy) |", "|---|---:|---:|---|---:|---|---:|"]
    for r, (_, flooded) in enumerate(pairs, start=1):
        f, tag = flooded["flood"], f" #{r}" if len(pairs) > 1 else ""
        got = Counter(f["statuses"])
        after = ", ".join(f"{k} s × {v:,}" for k, v in sorted(f["retry_after"].items()))
        other = statuses(Counter({k: v for k, v in got.items() if k not in ("201", "429")}))
        lines.append(f"| flood{tag} | {f['sent']:,} | {f['sent'] / f['seconds']:,.0f}/s | **{got['429']:,}** ({after}) "
                     f"| **{got['201']:,}** | {other} | {f['skipped']:,} |")
    checks = [f"{name}{' #' + str(r) if len(pairs) > 1 else ''} — {run['check']}"
              for r, pair in enumerate(pairs, start=1) for name, run in zip(("quiet", "flood"), pair)]
    if all(run["check"].startswith("OK") and "FAIL" not in run["check"] for pair in pairs for run in pair):
        checks = [checks[0], checks[1]] if len(pairs) == 1 else \
            [f"all {len(checks)} OK, e.g. {checks[1]}"]
    lines += ["", WRAP.fill("Session files after the servers stopped: " + "; ".join(checks) + "."), ""]
    if any(run["timed_out"] for pair in pairs for run in pair):
        lines.append("**Stopped at --seconds-limit: figures are partial.**\n")
    return "\n".join(lines)


MEANING = ("What the numbers mean: each client address has its own token bucket, so the flooder spends its own "
           "burst in its first few milliseconds and from then on nearly every request it sends is answered 429 with "
           "Retry-After (it gets one more 201 every 2 s as its bucket refills); the phones' buckets are untouched, "
           "so none of them is refused. A refusal is cheap (token, content type, the body read and decoded, the "
           "bucket: no field checks, no hub, no disk) but not free: the flood shares the server's one event loop "
           "with the phones (and, here, the machine's 2 CPUs with the phones, the flooder and whatever else runs), "
           "so the phones' latencies rise; the ratio is the price a room pays for one misbehaving client. The quiet "
           "figures move from run to run with the machine's other load, which is why the runs are repeated and the "
           "median is given.")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default, what in (("--phones", 50, "simulated phones"), ("--notes", 20, "notes per phone"),
                                ("--flood-rate", 1000.0, "flooder's requests per second"),
                                ("--flood-inflight", 32, "flooder's requests in flight at most"),
                                ("--flood-pad", 0, "bytes of padding in each flood body (the cap is 65,536)"),
                                ("--repeat", 1, "quiet + flood pairs"), ("--seed", 1, "random seed"),
                                ("--seconds-limit", 120.0, "stop every phase by then")):
        parser.add_argument(flag, type=type(default), default=default, help=f"{what} (default {default:g})")
    parser.add_argument("--think-ms", type=float, nargs=2, default=[50.0, 150.0], metavar=("LO", "HI"),
                        help="random pause before each note, in ms (default 50 150)")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave bench/README.md alone")
    for hidden, kind in (("--serve", None), ("--flood", None), ("--dir", str), ("--port", int), ("--token", str),
                         ("--flood-address", int)):
        if kind is None:
            parser.add_argument(hidden, action="store_true", help=argparse.SUPPRESS)
        else:
            parser.add_argument(hidden, type=kind, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return asyncio.run(serve(args.dir, args.seconds_limit))
    if args.flood:
        return asyncio.run(flood(args.port, args.token, args.flood_address, args.flood_rate, args.flood_inflight,
                                 args.flood_pad, args.seconds_limit))
    if min(args.phones, args.notes, args.repeat, args.flood_inflight) < 1 or args.flood_rate <= 0:
        parser.error("--phones, --notes, --repeat and --flood-inflight must be at least 1, --flood-rate above 0")
    source_ip(args.phones + 2)  # every address we will bind is on loopback, or stop now

    root = Path(tempfile.mkdtemp(prefix="coprod-bench-flood-"))
    try:
        pairs = asyncio.run(run_all(args, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    command = "python bench/bench_flood.py" + "".join(f" {a}" for a in sys.argv[1:])
    intro = (f"{machine()}: `{command}`. {args.phones} phones × {args.notes} notes, each after a random "
             f"{args.think_ms[0]:g}–{args.think_ms[1]:g} ms pause, each phone its own client from its own address "
             f"127.0.0.N; the server in one child process with the product's default limits (a burst of 20 notes per "
             f"address, then one every 2 s); the flooder in another, from an address of its own, at "
             f"{args.flood_rate:,.0f} note POSTs/s scheduled (open loop, at most {args.flood_inflight} in flight), "
             f"from 1 s before the phones start until they finish; the phones in this process. Latency: POST sent → "
             f"answer read. Goal: the phones' p99 with the flood ≤ {GOAL_RATIO:g}× their p99 alone, and no 429 for "
             f"them.")
    section = f"## flood\n\n{WRAP.fill(intro)}\n\n{report(pairs, args)}\n{WRAP.fill(MEANING)}\n"
    print(section)
    if not args.no_readme:
        print(f"written to {update_readme(section, 'flood')}")


if __name__ == "__main__":
    main()
