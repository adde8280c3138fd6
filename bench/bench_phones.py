"""Benchmark: phones posting notes to the real phone server, beside a bare aiohttp handler, in one run.

Run: python bench/bench_phones.py [--phones 50] [--notes 20] [--seconds-limit 120] [--no-readme] (--help: more)

Each server runs in a child process (this file with --serve) on 127.0.0.1, port 0: (a) `start_phone_server` on a
fresh session, rate limit raised so the run measures throughput, not 429s (a 201 means the note is on disk); (b) a
bare aiohttp handler that reads the JSON body and answers 201 {"id": n}. Every phone is its own ClientSession (own
cookie jar, own connector bound to 127.0.0.N, N = 2, 3, …) and times each POST. Then --listeners clients read
/api/v1/j/{token}/events on (a) while one more phone posts notes one at a time: when does every listener have each
card? After (a) stops, its session file must hold every 201 note exactly once. Loopback only; every phase stops at
--seconds-limit; the children are ended on exit. Figures go to the "phones" section of bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import random
import shutil
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # bench_common, also when a test imports this file

from bench_common import machine, pct, source_ip, update_readme  # noqa: E402
from coprod_tui.core.hub import new_session  # noqa: E402
from coprod_tui.core.store.folder import SessionFolder  # noqa: E402
from coprod_tui.web.limits import RateLimit  # noqa: E402
from coprod_tui.web.server import start_phone_server  # noqa: E402
from coprod_tui.web.keys import WebSettings  # noqa: E402

GROUPS = [("People who use services", "people", None), ("Carers", "carers", None),
          ("Practitioners", "practitioners", None)]
SETUP = ("Each phone is its own client (session, cookie jar, connection) from its own address 127.0.0.N. Both "
         "servers run in a child process on 127.0.0.1, all clients in one other process. Latency: POST sent → answer "
         "read.")
MEANING = ("What the numbers mean: the phone server sends a 201 only once the note is on disk — the whole session "
           "file rewritten atomically, with an fsync of the file and of the folder — while the bare handler touches "
           "no disk, so (a) ÷ (b) is the price of durability plus validation and the hub. Posts that arrive while a "
           "write is under way share the next write (group commit), so throughput keeps up with many phones although "
           "each write costs milliseconds. The event stream gets a card as soon as the hub applies it, before it is "
           "durable, which is why listeners can see it before the poster's 201.")
WRAP = textwrap.TextWrapper(width=116, break_on_hyphens=False, break_long_words=False)
TEXTS = ["The bus stops too far from the day centre", "Nobody tells carers where they are on the respite list",
         "Lunch is at 11:30, far too early for most of us", "Could the Tuesday group meet in the library?",
         "A named contact at the council who answers the phone", "I can help run a lift-share on Tuesdays",
         "The forms are only online and my dad has no computer", "Evening sessions so working carers can come"]


async def serve(kind: str, folder: str, limit: float) -> None:
    if kind == "app":
        hub = new_session(SessionFolder(folder), "Bench phones", "What would make Tuesdays work?", GROUPS)
        settings = WebSettings(rate_limit=RateLimit(burst=10_000, refill_seconds=0.001))
        server = await start_phone_server(hub, host="127.0.0.1", port=0, settings=settings)
        info = {"port": server.port, "token": hub.session.meta.tokens["all"], "groups": sorted(hub.session.groups)}
        stop = server.stop
    else:
        count = Counter()

        async def note(request: web.Request) -> web.Response:
            await request.json()
            count["n"] += 1
            return web.json_response({"id": count["n"]}, status=201)

        app = web.Application()
        app.router.add_post("/api/v1/j/{token}/notes", note)
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        info, stop = {"port": int(runner.addresses[0][1]), "token": "bare", "groups": [1, 2, 3]}, runner.cleanup
    print(json.dumps(info), flush=True)
    reader = asyncio.StreamReader()
    await asyncio.get_running_loop().connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    with contextlib.suppress(asyncio.TimeoutError):
        await asyncio.wait_for(reader.read(), timeout=limit + 60)  # EOF: the parent is done (or gone)
    await stop()
    if kind == "app":
        hub.close()


@contextlib.asynccontextmanager
async def child(kind: str, folder: Path, limit: float):
    """A server child process: yields its port, token and groups; on exit closes its stdin (it stops cleanly and
    flushes the session), then terminates it, then kills it."""
    command = (sys.executable, __file__, "--serve", kind, "--dir", str(folder), "--seconds-limit", str(limit))
    proc = await asyncio.create_subprocess_exec(*command, stdin=(pipe := asyncio.subprocess.PIPE), stdout=pipe)
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), timeout=30)
        if not line:
            raise RuntimeError(f"the {kind} server did not start")
        yield json.loads(line)
    finally:
        proc.stdin.close()
        for action, wait in ((lambda: None, 15), (proc.terminate, 5), (proc.kill, None)):
            if proc.returncode is None:
                action()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(proc.wait(), timeout=wait)


def client(n: int, **timeout) -> aiohttp.ClientSession:
    connector = aiohttp.TCPConnector(local_addr=(source_ip(n), 0), limit=4)
    return aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                 timeout=aiohttp.ClientTimeout(**(timeout or {"total": 10})))


def a_note(rng: random.Random, groups: list[int], rid: str) -> dict:
    text = rng.choice(TEXTS) + rng.choice(["", ".", " — and it has been like that for years.", " Please!"])
    return {"text": text, "kind": rng.choice(["problem", "option", "contribution"]), "request_id": rid,
            "group": rng.choice([*groups, None]), "author": rng.choice([None, "Sam", "Priya"])}


async def post(http: aiohttp.ClientSession, url: str, body: dict, run: dict) -> dict | None:
    start = time.perf_counter()
    try:
        async with http.post(url, json=body) as resp:
            answer = await resp.json(content_type=None)
            status = resp.status
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        run["errors"][type(exc).__name__] += 1
        return None
    run["latencies"].append(time.perf_counter() - start)
    if status == 201:
        run["stored"].append((answer["id"], body))
        return answer
    run["errors"][str(status)] += 1
    return None


async def phone(n: int, url: str, groups: list[int], args, run: dict) -> None:
    rng = random.Random(args.seed * 100_003 + n)
    async with client(n) as http:
        for i in range(args.notes):
            await asyncio.sleep(rng.uniform(*args.think_ms) / 1000)
            await post(http, url, a_note(rng, groups, f"bench-{n}-{i}-{rng.getrandbits(32):08x}"), run)


async def load(info: dict, args, deadline: float) -> dict:
    url = f"http://127.0.0.1:{info['port']}/api/v1/j/{info['token']}/notes"
    run, start = {"latencies": [], "stored": [], "errors": Counter(), "timed_out": False}, time.perf_counter()
    try:
        await asyncio.wait_for(asyncio.gather(*(phone(2 + p, url, info["groups"], args, run)
                                                for p in range(args.phones))), timeout=deadline - time.monotonic())
    except asyncio.TimeoutError:
        run["timed_out"] = True
    run["wall"] = time.perf_counter() - start
    return run


async def fanout(info: dict, args, deadline: float) -> dict:
    """Listeners on the event stream; one phone posts notes one at a time; when does every listener have each?"""
    base = f"http://127.0.0.1:{info['port']}/api/v1/j/{info['token']}"
    arrivals: dict[int, list[float]] = {}
    ready, all_ready = [], asyncio.Event()

    async def listen(n: int) -> None:
        async with client(n, total=None, connect=10, sock_read=None) as http:
            async with http.get(base + "/events") as resp:
                name = ""
                async for raw in resp.content:  # one SSE line at a time: "event: x", "data: {…}", ""
                    field, _, value = raw.decode("utf-8").rstrip("\n").partition(": ")
                    name = value if field == "event" else name
                    if field == "data" and name == "board":
                        ready.append(n)
                        if len(ready) == args.listeners:
                            all_ready.set()
                    elif field == "data" and name == "card" and (data := json.loads(value))["op"] == "upsert":
                        arrivals.setdefault(data["card"]["id"], []).append(time.perf_counter())

    first = 2 + args.phones
    tasks = [asyncio.create_task(listen(first + i)) for i in range(args.listeners)]
    result = {"from_201": [], "from_send": [], "before_201": 0, "missed": 0, "stored": [], "latencies": [],
              "errors": Counter()}
    try:
        await asyncio.wait_for(all_ready.wait(), timeout=max(1.0, min(30, deadline - time.monotonic())))
        async with client(first + args.listeners) as http:
            for i in range(args.fanout_posts):
                if time.monotonic() > deadline:
                    break
                note = a_note(random.Random(i), info["groups"], f"fanout-{i}")
                await asyncio.sleep(0.05)
                sent = time.perf_counter()
                answer = await post(http, base + "/notes", note, result)
                got_201 = time.perf_counter()
                if answer is None:
                    continue
                for _ in range(5000):  # up to 5 s; each listener stamps its own arrival time
                    if len(arrivals.get(answer["id"], ())) >= args.listeners:
                        break
                    await asyncio.sleep(0.001)
                else:
                    result["missed"] += 1
                    continue
                last = max(arrivals[answer["id"]])
                result["from_201"].append(last - got_201)
                result["from_send"].append(last - sent)
                result["before_201"] += last <= got_201
    except asyncio.TimeoutError:
        result["errors"]["listeners not ready"] += 1
    finally:
        for task in tasks:
            task.cancel()
        for outcome in await asyncio.gather(*tasks, return_exceptions=True):
            if isinstance(outcome, Exception):
                result["errors"]["listener " + type(outcome).__name__] += 1
    return result


def check_file(folder: Path, stored: list[tuple[int, dict]]) -> str:
    """Each 201 note in the file once: its card and text, one card.add event with its request_id, no extras."""
    files = list(folder.glob("*.json"))
    if len(files) != 1:
        return f"FAIL: {len(files)} session files"
    doc = json.loads(files[0].read_text("utf-8"))
    cards, events = doc.get("cards", {}), doc.get("events", {}).values()
    adds = Counter((e.get("request_id"), e.get("card_id")) for e in events if e.get("type") == "card.add")
    rids = Counter(rid for rid, _ in adds.elements())
    bad = [body["request_id"] for card_id, body in stored
           if cards.get(str(card_id), {}).get("text") != body["text"] or rids[body["request_id"]] != 1
           or adds[(body["request_id"], card_id)] != 1]
    twice = len(stored) - len({card_id for card_id, _ in stored})
    if bad or twice or len(cards) != len(stored):
        return (f"FAIL: {len(bad)} acknowledged notes missing, changed or stored twice; {twice} card ids "
                f"acknowledged twice; {len(cards)} cards in the file for {len(stored)} acknowledgements")
    return f"OK: {len(stored)}/{len(stored)} acknowledged notes in the file exactly once, no other cards"


def ms(x: float) -> str:
    return "—" if math.isnan(x) else f"{x * 1000:.1f} ms"


def errors(run: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(run["errors"].items())) or "none"


def table(app: dict, bare: dict, fan: dict, check: str, args) -> str:
    def row(label: str, a: float, b: float, show, ratio: str) -> str:
        return f"| {label} | {show(a)} | {show(b)} | {format(a / b, ratio) + '×' if b and a == a else ''} |"

    rate = [len(r["stored"]) / r["wall"] if r["wall"] else 0.0 for r in (app, bare)]
    lines = ["| measure | (a) phone server | (b) bare handler | (a) ÷ (b) |", "|---|---:|---:|---:|",
             row("notes stored (201)", len(app["stored"]), len(bare["stored"]), "{:,}".format, ".2f"),
             row("wall time", app["wall"], bare["wall"], "{:.2f} s".format, ".2f"),
             row("notes/s", *rate, "{:,.0f}".format, ".2f")]
    lines += [row(f"latency {name}", pct(app["latencies"], q), pct(bare["latencies"], q), ms, ".1f")
              for q, name in ((50, "p50"), (95, "p95"), (99, "p99"), (100, "max"))]
    lines.append(f"| errors by status | {errors(app)} | {errors(bare)} | |")
    n = len(fan["from_201"])
    lines += ["", WRAP.fill(f"Event-stream fan-out: {args.listeners} listeners, {n} notes posted one at a time, "
                            f"50 ms apart ({fan['missed']} not seen by every listener within five seconds; errors: "
                            f"{errors(fan)})."), "",
              "| time until every listener has the note's `card` event | p50 | p95 | max |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | " + " | ".join(ms(pct(fan[key], q)) for q in (50, 95, 100)) + " |"
              for key, label in (("from_send", "from the POST being sent"),
                                 ("from_201", "from its 201 (negative: they all had it before the 201)"))]
    lines += ["", f"In {fan['before_201']} of {n} posts every listener had the card before the poster had its 201.",
              "", WRAP.fill(f"Session file after the server stopped: {check}.")]
    if timed := [k for k, r in (("(a)", app), ("(b)", bare)) if r["timed_out"]]:
        lines.append(f"\n**Stopped at --seconds-limit: {' and '.join(timed)}. Figures are partial; a request cut off "
                     "by the limit may have stored its note without its 201 being read.**")
    return "\n".join(lines) + "\n"


async def run_all(args, root: Path) -> tuple[dict, dict, dict, str]:
    deadline = time.monotonic() + args.seconds_limit
    async with child("bare", root / "bare", args.seconds_limit) as info:
        bare = await load(info, args, time.monotonic() + args.seconds_limit / 3)
    async with child("app", root / "app", args.seconds_limit) as info:
        app = await load(info, args, deadline - args.seconds_limit / 6)
        fan = await fanout(info, args, deadline)
    return app, bare, fan, check_file(root / "app", app["stored"] + fan["stored"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for flag, default, what in (("--phones", 50, "simulated phones"), ("--notes", 20, "notes per phone"),
                                ("--seconds-limit", 120.0, "stop every phase by then"), ("--seed", 1, "random seed"),
                                ("--listeners", 50, "event-stream clients"),
                                ("--fanout-posts", 20, "notes posted while they listen")):
        parser.add_argument(flag, type=type(default), default=default, help=f"{what} (default {default:g})")
    parser.add_argument("--think-ms", type=float, nargs=2, default=[0.0, 50.0], metavar=("LO", "HI"),
                        help="random pause before each note, in ms (default 0 50)")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave bench/README.md alone")
    parser.add_argument("--serve", choices=["app", "bare"], help=argparse.SUPPRESS)
    parser.add_argument("--dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return asyncio.run(serve(args.serve, args.dir, args.seconds_limit))
    if min(args.phones, args.notes, args.listeners) < 1 or args.seconds_limit <= 0:
        parser.error("--phones, --notes and --listeners must be at least 1, --seconds-limit above 0")
    source_ip(args.phones + args.listeners + 2)  # every address we will bind is on loopback, or stop now

    root = Path(tempfile.mkdtemp(prefix="coprod-bench-phones-"))
    try:
        app, bare, fan, check = asyncio.run(run_all(args, root))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    command = "python bench/bench_phones.py" + "".join(f" {a}" for a in sys.argv[1:])
    intro = (f"{machine()}: `{command}`. {args.phones} phones × {args.notes} notes, each after a random "
             f"{args.think_ms[0]:g}–{args.think_ms[1]:g} ms pause. " + SETUP)
    section = (f"## phones\n\n{WRAP.fill(intro)}\n\n{table(app, bare, fan, check, args)}\n"
               f"{WRAP.fill(MEANING)}\n")
    print(section)
    if not args.no_readme:
        print(f"written to {update_readme(section, 'phones')}")


if __name__ == "__main__":
    main()
