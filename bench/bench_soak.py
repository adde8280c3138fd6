"""Benchmark: a simulated 2-hour session compressed into minutes — 100 phones, phases, votes, reveals — to see that
memory stays flat, latency stays flat, and the final file matches what the phones were told.

Run: python bench/bench_soak.py [--phones 100] [--minutes 4] [--churn-rounds 10] [--seed 1] [--no-readme]
(--help: more)

Two processes. This one: a real hub and the real phone server (`start_phone_server`, the product's default limits)
on 127.0.0.1, and the facilitator's script applied through the hub (as the board's keys would). A child (this file
with --phones-child): --phones phones, each its own client (cookie jar, connections) from its own address
127.0.0.N, each holding an event stream open and acting on what that stream shows it — writing notes of the phase's
kind, voting while a round is open, saying "I'm done", answering the self-reflection — after pauses of 0.5–4
simulated minutes. Both follow one clock (time.monotonic is the same clock in both). A phone retries a 429 or 503
after Retry-After with the same request_id, as phone.js does, and reconnects a dropped stream after the server's
`retry`. The script (simulated minutes):

   0 Welcome (phones join over the first five minutes)          50 Options
  10 Problems, hidden writing on, a 15-minute timer             68 two problems clustered, one note hidden
  30 reveal the held notes                                      75 Contributions, hidden writing on
  32 vote on problems (5 dots each, at most 2 on a note)        95 reveal
  45 close the vote; 46 show the totals                        100 Plan; 110 Reflection (the self-reflection)

Every simulated 10 minutes the server process's resident memory (/proc/self/statm; no psutil), its live memory
blocks, the memory held by the session's content (`content_size`, a deep size) and what the rest of the process
holds (RSS − content, which must stay flat while the content grows), the phones' process's resident memory, and the
latency of every request answered in the window are tabled.

Then, before the phones leave, the churn stage (--churn-rounds, default 10, after one warm-up round): in each round
every phone closes and reopens its event stream, GETs its board, and sends two requests that are refused without
changing anything (a vote when no round is open → 409, a note of no known kind → 422). The session does not change
during it, so the server's resident memory and live memory blocks (after a collection) must come back flat.

At the end: every phone's stream must show the board `GET …/board` gives that phone (and so must every stream
reopened in the churn), and the session file, reopened, must hold every note, dot, "I'm done" and self-reflection
answer acknowledged to a phone exactly once — and nothing from a phone that was not acknowledged, except what the hub
applied for a request whose answer never arrived; none of the churn's refused requests. Loopback only. Figures go to
the "soak" section of bench/README.md. tests/web/test_soak.py runs the same driver, tiny.

This file holds the run: the command line (`main`), the facilitator's script, and `run_soak` (the hub and the phone
server, the phones' process, the facilitator, the sampler of each window, the churn stage's steps). The rest is in
its siblings in bench/: soak_phones.py (the simulated phones and the phones' process, `phones_main`, which `main`
runs when started with --phones-child), soak_ledger.py (the simulated clock, what the phones were told and the check
of the session file against it), soak_memory.py (resident memory, glibc's free space, `content_size`, the server at
rest) and soak_report.py (`Window`, `Result`, the table, the verdicts and the section's text).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import shutil
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import aiohttp.web_app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # bench_common and the soak_* modules, also when a test imports this file

from bench_common import machine, update_readme  # noqa: E402
from soak_ledger import END_LABEL, SIM_MINUTES, ChurnLog, Clock, Ledger, check_file  # noqa: E402
from soak_memory import Quiet, content_size, malloc_free_bytes, quiet, rss_bytes, rss_of  # noqa: E402
from soak_phones import phones_main, source_ip  # noqa: E402
from soak_report import WINDOW, Result, Window, churn_verdict, mb, meaning, table, verdicts  # noqa: E402
from coprod_tui.core.commands import Command, HideCard  # noqa: E402
from coprod_tui.core.errors import CoprodError  # noqa: E402
from coprod_tui.core.commands import (CloseVoting, HoldNotes, MergeCards, OpenVoting, RevealNotes,  # noqa: E402
                                          RevealVotes, SetPhase, StartTimer, StopTimer)
from coprod_tui.core.hub import Hub, new_session  # noqa: E402
from coprod_tui.core.store.folder import SessionFolder  # noqa: E402
from coprod_tui.web.server import start_phone_server  # noqa: E402
from coprod_tui.web.keys import STREAMS, WebSettings  # noqa: E402

GROUPS = [("People who use services", "people", None), ("Carers", "carers", None),
          ("Practitioners", "practitioners", None)]
WRAP = textwrap.TextWrapper(width=116, break_on_hyphens=False, break_long_words=False)


# -- the facilitator's script ------------------------------------------------------------------------------------
def _cluster_and_hide(hub: Hub) -> list[Command]:
    """Fold the two most-voted visible problems into a cluster, and hide the newest option (moderation)."""
    problems = [c for c in hub.session.cards.values()
                if c.kind.value == "problem" and c.cluster is None and not c.hidden and not c.held and not c.is_cluster]
    options = [c for c in hub.session.cards.values() if c.kind.value == "option" and not c.hidden and not c.held]
    out: list[Command] = []
    if len(problems) >= 2:
        out.append(MergeCards(card_ids=(problems[0].id, problems[1].id), title="Getting there"))
    if options:
        out.append(HideCard(card_id=max(options, key=lambda c: c.id).id))
    return out


def script(scale: float) -> list[tuple[float, str, Callable[[Hub], list[Command]]]]:
    """(simulated minute, what, the commands) in order; `scale`: real seconds per simulated minute."""
    return [
        (10, "Problems, hidden writing, timer", lambda hub: [SetPhase(index=1), HoldNotes(),
                                                            StartTimer(seconds=15 * 60 * scale, label="Problems")]),
        (30, "reveal", lambda hub: [RevealNotes()]),
        (32, "vote on problems", lambda hub: [StopTimer(), OpenVoting(kind="problem", per_person=5, per_card=2)]),
        (45, "close the vote", lambda hub: [CloseVoting()]),
        (46, "show the totals", lambda hub: [RevealVotes()]),
        (50, "Options", lambda hub: [SetPhase(index=2)]),
        (68, "cluster, hide", _cluster_and_hide),
        (75, "Contributions, hidden writing", lambda hub: [SetPhase(index=3), HoldNotes()]),
        (95, "reveal", lambda hub: [RevealNotes()]),
        (100, "Plan", lambda hub: [SetPhase(index=4)]),
        (110, "Reflection", lambda hub: [SetPhase(index=5)]),
    ]


# -- the run -----------------------------------------------------------------------------------------------------
async def run_soak(folder: Path, *, phones: int = 100, seconds: float = 240.0, seed: int = 1,
                   reconnect: float | None = None, first_address: int = 2, churn_rounds: int = 10,
                   progress: Callable[[str], None] | None = None) -> Result:
    """The whole soak: the hub, the server and the facilitator in this process (and loop), the phones in a child
    process (so this process's memory is the server's alone), then the churn stage (`churn_rounds` rounds after a
    warm-up; 0: none). Returns the windows, the ledger, the churn's measurements and the checks."""
    say = progress or (lambda _: None)
    folder.mkdir(parents=True, exist_ok=True)
    hub = new_session(SessionFolder(folder), "Soak: short breaks review", "What would make short breaks work?",
                      GROUPS)
    path = Path(hub.storage.path)
    server = await start_phone_server(hub, host="127.0.0.1", port=0, settings=WebSettings())
    app = server.runner.app
    errors: Counter = Counter()
    windows: list[Window] = []
    done_script: list[tuple[float, str]] = []
    reveals: list[tuple[float, int]] = []
    walks: list[tuple[float, int]] = []  # (seconds, objects) of each window's content walk
    gc.collect()
    rss_start, blocks_start = rss_bytes(), sys.getallocatedblocks()
    clock = Clock(seconds, time.monotonic() + 2.0)  # the child starts in well under 2 s
    config = {"base": f"http://127.0.0.1:{server.port}", "tokens": dict(hub.session.meta.tokens),
              "groups": sorted(hub.session.groups), "seconds": seconds, "start": clock.start, "seed": seed,
              "reconnect": reconnect, "first_address": first_address, "phones": phones,
              "churn_rounds": churn_rounds}
    child = await asyncio.create_subprocess_exec(sys.executable, str(Path(__file__).resolve()), "--phones-child",
                                                 json.dumps(config), stdin=asyncio.subprocess.PIPE,
                                                 stdout=asyncio.subprocess.PIPE, limit=256 * 2**20)

    async def facilitator() -> None:
        for minute, what, commands in script(clock.scale):
            await clock.until(minute)
            for command in commands(hub):
                try:
                    event = hub.apply(command)
                    if isinstance(command, RevealNotes):
                        reveals.append((minute, len(event.patch.get("cards", {}))))
                except CoprodError as exc:  # the script asked for what already is: say so in the report
                    errors[f"facilitator {type(command).__name__}: {exc}"] += 1
            done_script.append((minute, what))
            say(f"  {minute:>3.0f} min  {what}")

    async def sampler() -> None:
        for w in range(SIM_MINUTES // WINDOW):
            await clock.until((w + 1) * WINDOW - 0.02)  # just before the facilitator's change at that minute
            rss, blocks, free = rss_bytes(), sys.getallocatedblocks(), malloc_free_bytes()
            walk = time.perf_counter()
            content, objects = content_size(hub)  # no await between: the session is the one RSS was read with
            walks.append((time.perf_counter() - walk, objects))
            windows.append(Window(start=w * WINDOW, rss=rss, blocks=blocks, content=content, malloc_free=free,
                                  phones_rss=rss_of(child.pid),
                                  file_bytes=path.stat().st_size, cards=len(hub.session.cards),
                                  events=len(hub.events), streams=len(app[STREAMS])))
            say(f"  window {w * WINDOW:>3}–{(w + 1) * WINDOW} min: server RSS {rss / 2**20:.1f} MB, content "
                f"{content / 2**20:.1f} MB, phones {windows[-1].phones_rss / 2**20:.1f} MB, {windows[-1].cards} "
                f"cards, {windows[-1].streams} streams")

    crashed: list[str] = []
    final_line = b""
    churn_before = churn_after = None
    churn_rounds_at_rest: list[Quiet] = []  # after each round

    async def told(what: str) -> bool:
        """Read the child's next line; whether it is {what: true}."""
        try:
            line = await asyncio.wait_for(child.stdout.readline(), timeout=300)
        except asyncio.TimeoutError:
            line = b""
        return bool(json.loads(line or b"{}").get(what))

    async def tell(what: bytes) -> None:
        child.stdin.write(what + b"\n")
        await child.stdin.drain()

    try:
        wall = time.perf_counter()
        steering, sampling = asyncio.create_task(facilitator()), asyncio.create_task(sampler())
        try:  # the phones stop at the session's end; a request may still take its 30 s timeout, and retries
            acted = await asyncio.wait_for(child.stdout.readline(), timeout=seconds + 300)
        except asyncio.TimeoutError:
            acted = b""
        for outcome in await asyncio.gather(steering, sampling, return_exceptions=True):
            if isinstance(outcome, BaseException):
                crashed.append(f"{type(outcome).__name__}: {outcome}")
        wall = time.perf_counter() - wall
        if json.loads(acted or "{}").get("acted"):
            hub.apply(StartTimer(seconds=60, label=END_LABEL))  # the last change: every stream must carry it
            await tell(b"end")
            if churn_rounds > 0:
                if await told("warm"):
                    churn_before = await quiet(hub, app, phones)
                    say(f"  churn: after the warm-up, RSS {mb(churn_before.rss)} MB, {churn_before.blocks:,} blocks")
                    await tell(b"go on")
                    while len(churn_rounds_at_rest) < churn_rounds and await told("round"):
                        churn_rounds_at_rest.append(await quiet(hub, app, phones))
                        say(f"  churn: round {len(churn_rounds_at_rest)}, RSS {mb(churn_rounds_at_rest[-1].rss)} MB, "
                            f"{churn_rounds_at_rest[-1].blocks:,} blocks")
                        await tell(b"go on")
                if len(churn_rounds_at_rest) == churn_rounds:
                    churn_after = churn_rounds_at_rest[-1]
                else:
                    crashed.append("the churn stage did not finish")
            while True:  # the ledger's line; a stage's line not waited for above is answered so the child goes on
                final_line = await asyncio.wait_for(child.stdout.readline(), timeout=300)
                if not final_line or "ledger" in json.loads(final_line):
                    break
                await tell(b"go on")
        else:
            crashed.append("the phones' process stopped before the end of the session")
    finally:
        if child.returncode is None:
            child.stdin.close()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(child.wait(), timeout=30)
        if child.returncode is None:
            child.kill()
            await child.wait()
        await server.stop()
        hub.close()
        hub = server = app = None  # the closures above hold them too: let the session go before measuring
        # aiohttp keeps the middleware chain it built for each (handler, app) in a module-level LRU cache of 1,024
        # entries, and with it the stopped app and its hub: empty it, so what is left is what the session left.
        cache = getattr(aiohttp.web_app, "_cached_build_middleware", None)
        if cache is not None:
            cache.cache_clear()
        gc.collect()
        rss_end, blocks_end = rss_bytes(), sys.getallocatedblocks()
    final = json.loads(final_line or b"{}")

    ledger = Ledger.from_json(final["ledger"]) if final else Ledger()
    ledger.errors.update(errors)
    for sim, kind, status, seconds_ in ledger.samples:
        w = max(0, min(int(sim // WINDOW), len(windows) - 1))
        windows[w].requests[kind] += 1
        windows[w].statuses[status] += 1
        windows[w].latencies.append(seconds_)
    for sim in ledger.reconnects:
        windows[max(0, min(int(sim // WINDOW), len(windows) - 1))].reconnects += 1
    for minute, what in done_script:
        windows[min(int(minute // WINDOW), len(windows) - 1)].script.append(f"{minute:g} {what}")
    problems, summary = check_file(path, ledger)
    return Result(phones=phones, seconds=seconds, wall=wall, rss_start=rss_start, blocks_start=blocks_start,
                  rss_end=rss_end, blocks_end=blocks_end, windows=windows,
                  ledger=ledger, file_check=problems, file_summary=summary,
                  boards_checked=final.get("boards_checked", 0), board_problems=final.get("board_problems", []),
                  crashed=crashed + final.get("crashed", []), file_bytes=path.stat().st_size,
                  walk_seconds=max((t for t, _ in walks), default=0.0), walk_objects=walks[-1][1] if walks else 0,
                  reveals=reveals, churn_rounds=churn_rounds, churn_before=churn_before, churn_after=churn_after,
                  churn_at_rest=churn_rounds_at_rest,
                  churn=ChurnLog.from_json(final["churn"]) if final.get("churn") else ChurnLog())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=100, help="simulated phones (default 100)")
    parser.add_argument("--minutes", type=float, default=4.0,
                        help="real minutes the 2-hour session is compressed into (default 4)")
    parser.add_argument("--churn-rounds", type=int, default=10,
                        help="rounds of the churn stage after the session, each phone reopening its stream, getting "
                             "its board and sending two refused requests (default 10, after one warm-up; 0: none)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--no-readme", action="store_true", help="print only; leave bench/README.md alone")
    parser.add_argument("--phones-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phones_child:
        return asyncio.run(phones_main(json.loads(args.phones_child)))
    if args.phones < 1 or args.minutes <= 0 or args.churn_rounds < 0:
        parser.error("--phones must be at least 1, --minutes above 0 and --churn-rounds at least 0")
    source_ip(args.phones + 1)
    root = Path(tempfile.mkdtemp(prefix="coprod-bench-soak-"))
    try:
        result = asyncio.run(run_soak(root / "sessions", phones=args.phones, seconds=args.minutes * 60,
                                      seed=args.seed, churn_rounds=args.churn_rounds,
                                      progress=lambda line: print(line, flush=True)))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    command = "python bench/bench_soak.py" + "".join(f" {a}" for a in sys.argv[1:])
    intro = (f"{machine()}: `{command}`. A 2-hour session ({SIM_MINUTES} simulated minutes) in "
             f"{args.minutes:g} real minutes ({SIM_MINUTES * 60 / (args.minutes * 60):.0f}× faster; it took "
             f"{result.wall:.0f} s), {args.phones} phones, each its own client from its own address 127.0.0.N, "
             f"holding an event stream open and acting on what it shows, all in a second process; the real hub and "
             f"phone server (default limits) and the facilitator's script (applied through the hub) in this one, on "
             f"127.0.0.1; both processes on the same CPUs. One row per simulated {WINDOW} minutes; memory and file "
             f"at the end of the window, just before the facilitator's change at that minute. Then the churn stage "
             f"({args.churn_rounds} rounds after a warm-up; below the table), then the phones leave.")
    body = "\n\n".join(WRAP.fill(v) for v in verdicts(result))
    section = f"## soak\n\n{WRAP.fill(intro)}\n\n{table(result)}\n\n{body}\n\n{WRAP.fill(meaning(result))}\n"
    print(section)
    if not args.no_readme:
        print(f"written to {update_readme(section, 'soak')}")
    churn = churn_verdict(result)
    if (result.file_check or result.board_problems or result.crashed or result.churn.problems
            or (result.churn_rounds and churn is None)):
        sys.exit(1)


if __name__ == "__main__":
    main()
