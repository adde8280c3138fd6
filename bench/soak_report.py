"""The soak's report, for bench_soak.py: what a run measured (`Window`, one row of the table per simulated
WINDOW minutes; `Result`, what `run_soak` returns), the verdicts' bounds, and the text of the "soak" section of
bench/README.md: the table, the verdicts (memory, latency, the churn, the file, the streams) and `meaning`.

Why apart from the run: it only reads a finished `Result`, and its wording is what the README shows.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # its siblings, also when a test loads bench_soak.py from its file

from bench_common import pct  # noqa: E402
from soak_ledger import SIM_MINUTES, ChurnLog, Ledger  # noqa: E402
from soak_memory import Quiet  # noqa: E402

WINDOW = 10  # simulated minutes per row of the table
# The verdicts' bounds, fixed before any run of the content walk or the churn (the README says why):
FLAT_MB = 5.0  # RSS − content, windows after the first: flat if max − min ≤ this
CHURN_BLOCKS_PER_REQUEST = 0.1  # churn: flat if live blocks grow by less than one per ten requests…
CHURN_RSS_MB = 1.0  # …and resident memory by at most this


# -- what a run measured -----------------------------------------------------------------------------------------
@dataclass
class Window:
    start: int
    rss: int  # the server's process
    blocks: int  # the server's process: memory blocks Python has allocated and not freed (live objects)
    content: int  # the server's process: bytes held by the session's content (content_size, an estimate)
    malloc_free: int | None  # the server's process: glibc's free space (malloc_free_bytes)
    phones_rss: int  # the phones' process
    file_bytes: int
    cards: int
    events: int
    streams: int
    requests: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    reconnects: int = 0
    script: list[str] = field(default_factory=list)


@dataclass
class Result:
    phones: int
    seconds: float
    wall: float
    rss_start: int
    blocks_start: int
    rss_end: int  # the server's process once the phones have gone, the server has stopped and the hub is closed
    blocks_end: int  # the same, after a garbage collection: what the session left behind
    windows: list[Window]
    ledger: Ledger
    file_check: list[str]  # problems; empty: OK
    file_summary: str
    boards_checked: int
    board_problems: list[str]  # empty: every phone's stream ended on the server's board
    crashed: list[str]
    file_bytes: int
    walk_seconds: float = 0.0  # the longest content_size walk of the windows (it runs in the server's loop)
    walk_objects: int = 0  # objects the last walk visited
    reveals: list[tuple[float, int]] = field(default_factory=list)  # (minute, cards the reveal's event changed)
    churn_rounds: int = 0
    churn_before: Quiet | None = None  # after the warm-up round
    churn_after: Quiet | None = None
    churn_at_rest: list[Quiet] = field(default_factory=list)  # after each round; the last is churn_after
    churn: ChurnLog = field(default_factory=ChurnLog)


# -- the report --------------------------------------------------------------------------------------------------
def ms(x: float) -> str:
    return "—" if math.isnan(x) else f"{x * 1000:.1f}"


def mb(n: int) -> str:
    return f"{n / 2**20:.1f}"


def mb_or_dash(n: int | None) -> str:
    return "—" if n is None else mb(n)


def table(result: Result) -> str:
    lines = [("| simulated minutes | the facilitator | requests (notes · votes · done · answers) | p50 ms | p99 ms "
              "| max ms | not 2xx | streams open · reconnects | server RSS MB · live blocks (k) | content MB "
              "| RSS − content MB | malloc free MB | phones' RSS MB | file MB · cards |"),
             "|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    for w in result.windows:
        r = w.requests
        other = ", ".join(f"{s}: {n}" for s, n in sorted(w.statuses.items()) if not 200 <= s < 300) or "—"
        lines.append(f"| {w.start}–{w.start + WINDOW} | {'; '.join(w.script) or ''} | "
                     f"{r['note']} · {r['vote']} · {r['done']} · {r['answer']} | {ms(pct(w.latencies, 50))} | "
                     f"{ms(pct(w.latencies, 99))} | {ms(pct(w.latencies, 100))} | {other} | {w.streams} · "
                     f"{w.reconnects} | {mb(w.rss)} · {w.blocks / 1000:,.0f} | {mb(w.content)} | "
                     f"{mb(w.rss - w.content)} | {mb_or_dash(w.malloc_free)} | {mb(w.phones_rss)} | "
                     f"{w.file_bytes / 2**20:.2f} · {w.cards:,} |")
    return "\n".join(lines)


def net_memory(result: Result) -> tuple[float, bool] | None:
    """The spread (max − min, MB) of RSS − content over the windows after the first, and whether it is flat."""
    net = [(w.rss - w.content) / 2**20 for w in result.windows[1:]]
    if not net:
        return None
    spread = max(net) - min(net)
    return spread, spread <= FLAT_MB


def _net_parts(result: Result) -> str:
    """Where RSS − content went over the windows after the first: glibc's free space, and the rest (not a verdict:
    the bound above is on RSS − content)."""
    ws = result.windows[1:]
    if len(ws) < 2 or any(w.malloc_free is None for w in ws):
        return ""
    a, b = ws[0], ws[-1]
    rest = [(w.rss - w.content - w.malloc_free) / 2**20 for w in ws]
    return (f" Of its change from the {a.start}–{a.start + WINDOW} window to the last "
            f"({(b.rss - b.content - a.rss + a.content) / 2**20:+.1f} MB), glibc's free space (memory freed and "
            f"kept by the C allocator, `mallinfo2`) accounts for {(b.malloc_free - a.malloc_free) / 2**20:+.1f} MB "
            f"({mb(a.malloc_free)} → {mb(b.malloc_free)} MB); RSS − content − that free space spreads "
            f"{max(rest) - min(rest):.1f} MB over the same windows.")


def churn_verdict(result: Result) -> tuple[int, int, int, bool] | None:
    """(requests, live blocks grown, resident bytes grown, flat) over the churn rounds after the warm-up."""
    before, after = result.churn_before, result.churn_after
    if before is None or after is None or result.churn_rounds < 1:
        return None
    requests = 4 * result.phones * result.churn_rounds  # per phone and round: stream, board, vote, note
    blocks, rss = after.blocks - before.blocks, after.rss - before.rss
    return requests, blocks, rss, blocks < CHURN_BLOCKS_PER_REQUEST * requests and rss <= CHURN_RSS_MB * 2**20


def verdicts(result: Result) -> list[str]:
    ws = [w for w in result.windows if w.latencies]
    busy = [w for w in ws if len(w.latencies) >= 20]
    p99s = [pct(w.latencies, 99) for w in busy]
    first, last = result.windows[0], result.windows[-1]
    grew, blocks = last.rss - first.rss, last.blocks - first.blocks
    changes = max(1, last.events - first.events)
    content = last.content - first.content
    out = [f"Memory (the server's process: hub, phone server, streams): {mb(result.rss_start)} MB before the phones "
           f"joined, {mb(first.rss)} MB after the first {WINDOW} minutes, {mb(last.rss)} MB at the end "
           f"({grew / 2**20:+.1f} MB, {grew / changes / 1024:.1f} KB per change, while the session grew to "
           f"{last.cards:,} cards and {last.events:,} events, {last.file_bytes / 2**20:.2f} MB on disk). Live memory "
           f"blocks {first.blocks / 1000:,.0f}k → {last.blocks / 1000:,.0f}k ({blocks / changes:,.0f} per change); "
           f"after the phones left, the server stopped and the hub closed: {result.blocks_end / 1000:,.0f}k blocks "
           f"({result.blocks_start / 1000:,.0f}k before the session) and {mb(result.rss_end)} MB resident."]
    net = net_memory(result)
    if net is not None:
        spread, flat = net
        values = [(w.rss - w.content) / 2**20 for w in result.windows[1:]]
        requests = sum(len(w.latencies) for w in result.windows)
        out.append(
            f"Memory that is not the session's content: the content (a deep size, `content_size`) grew from "
            f"{mb(first.content)} to {mb(last.content)} MB ({content / 2**20:+.1f} MB, "
            f"{content / changes / 1024:.1f} KB per change; {result.walk_objects:,} objects at the end, walked in "
            f"at most {result.walk_seconds * 1000:.0f} ms per window, in the server's loop). RSS − content: "
            f"{mb(first.rss - first.content)} MB in the first window, then from {min(values):.1f} to "
            f"{max(values):.1f} MB over the next {len(values)}: a spread of **{spread:.1f} MB** — "
            f"{'**flat**' if flat else '**not flat**'} (bound: ≤ {FLAT_MB:g} MB, "
            f"{FLAT_MB / ((first.rss - first.content) / 2**20) * 100:.0f}% of the first window's; a leak of "
            f"{FLAT_MB * 2**20 / max(1, requests) / 1024:.1f} KB per request over this run's {requests:,} requests "
            f"would exceed it)." + _net_parts(result))
    if p99s:
        writing = [w for w in busy if w.requests["note"] >= 100]
        trend = ""
        if len(writing) >= 2:
            a, b = writing[0], writing[-1]
            trend = (f" In the busiest writing windows the median went from {ms(pct(a.latencies, 50))} ms "
                     f"({a.start}–{a.start + WINDOW} min, file {a.file_bytes / 2**20:.2f} MB) to "
                     f"{ms(pct(b.latencies, 50))} ms ({b.start}–{b.start + WINDOW} min, file "
                     f"{b.file_bytes / 2**20:.2f} MB), p99 from {ms(pct(a.latencies, 99))} to "
                     f"{ms(pct(b.latencies, 99))} ms.")
        out.append(f"Latency: p99 per busy window (≥ 20 requests) from {min(p99s) * 1000:.1f} to "
                   f"{max(p99s) * 1000:.1f} ms; first busy window {p99s[0] * 1000:.1f} ms, last "
                   f"{p99s[-1] * 1000:.1f} ms.{trend}")
    out.append(churn_text(result))
    out.append("Session file, reopened: " + ("OK — " + result.file_summary if not result.file_check else
                                             "FAIL — " + "; ".join(result.file_check[:5])) + ".")
    out.append("Event streams: " + (f"all {result.boards_checked} phones' streams ended on the board `GET …/board` "
                                    f"gives each of them (cards, phase, voting, tallies, done count, and their own "
                                    f"dots, dots left, \"done\" and answer), and all on the same cards"
                                    if not result.board_problems
                                     else "FAIL — " + "; ".join(result.board_problems[:5])) + ".")
    errs = ", ".join(f"{k}: {v}" for k, v in sorted(result.ledger.errors.items()))
    if errs or result.crashed:
        out.append(f"Client-side errors: {errs or 'none'}; crashed tasks: {result.crashed or 'none'}.")
    return out


def churn_text(result: Result) -> str:
    """The churn stage's paragraph: what was sent, how it was answered, the session unchanged, memory, verdict."""
    if result.churn_rounds < 1:
        return "Churn: not run (--churn-rounds 0)."
    verdict = churn_verdict(result)
    log = result.churn
    if verdict is None:
        why = "; ".join(log.problems[:3]) or "no answer from the phones"
        return f"Churn: FAIL — the stage did not finish ({why})."
    requests, blocks, rss, flat = verdict
    before, after = result.churn_before, result.churn_after
    rounds, n = result.churn_rounds, result.phones
    answers = ", ".join(f"{k}: {v:,}" for k, v in sorted(log.statuses.items()))
    too_fast = sum(v for k, v in log.statuses.items() if k.endswith(" 429"))
    same = before.events == after.events and before.cards == after.cards and before.content == after.content
    objects = after.objects - before.objects
    return (
        f"Churn (after the {SIM_MINUTES} minutes, before the phones left): {rounds} rounds after a warm-up round; in "
        f"each, every one of the {n} phones closed and reopened its event stream, fetched its board (`GET …/board`) "
        f"and sent a vote "
        f"with no round open and a note of no known kind — {requests:,} requests in {sum(log.rounds[1:]):.1f} s "
        f"(p50 {ms(pct(log.latencies, 50))} ms, p99 {ms(pct(log.latencies, 99))} ms, warm-up round included). "
        f"Answers, warm-up included: {answers} ({too_fast} refused for speed, 429). "
        + ("Every reopened stream's board equal to `GET …/board`. " if not log.problems else
           f"FAIL — {len(log.problems)} problems, e.g. {'; '.join(log.problems[:3])}. ")
        + (f"The session did not change ({after.events:,} events, {after.cards:,} cards, content "
           f"{mb(after.content)} MB before and after). " if same else
           f"FAIL — the session changed: {before.events:,} → {after.events:,} events, {before.cards:,} → "
           f"{after.cards:,} cards. ")
        + f"The server's process at rest (every stream open, after a collection), after the warm-up → after the "
          f"churn: resident {mb(before.rss)} → {mb(after.rss)} MB ({rss / 2**20:+.2f} MB: "
          f"{rss / rounds / 1024:+.1f} KB per round, {rss / requests:+.0f} bytes per request); live memory blocks "
          f"{before.blocks:,} → {after.blocks:,} ({blocks:+,}: {blocks / rounds:+,.1f} per round, "
          f"{blocks / requests:+.3f} per request); objects the collector tracks {before.objects:,} → "
          f"{after.objects:,} ({objects:+,})"
        + (f"; glibc's free space {mb(before.malloc_free)} → {mb(after.malloc_free)} MB. "
           if before.malloc_free is not None and after.malloc_free is not None else ". ")
        + f"{'**Flat**' if flat else '**Not flat**'} (bound: fewer than one live block per "
          f"{1 / CHURN_BLOCKS_PER_REQUEST:.0f} requests, i.e. < {CHURN_BLOCKS_PER_REQUEST * requests:,.0f}, and "
          f"≤ {CHURN_RSS_MB:g} MB resident)." + _churn_steps(result))


def _churn_steps(result: Result) -> str:
    """At rest after each round: a leak grows round after round, a high-water mark steps once and stays."""
    rest, before = result.churn_at_rest, result.churn_before
    if len(rest) < 2 or before is None:
        return ""
    first, last = rest[0], rest[-1]
    return (f" At rest after each round, resident MB: {', '.join(mb(q.rss) for q in rest)}; live blocks against "
            f"the warm-up's: {', '.join(f'{q.blocks - before.blocks:+,}' for q in rest)}. From the end of round 1 "
            f"to the end of round {len(rest)}: resident {(last.rss - first.rss) / 2**20:+.2f} MB, live blocks "
            f"{last.blocks - first.blocks:+,}.")


def meaning(result: Result) -> str:
    """The closing paragraph; its figures are this run's."""
    reconnects = len(result.ledger.reconnects)
    if result.reveals:
        each = ", ".join(f"{n:,} at minute {minute:g}" for minute, n in result.reveals)
        reveal = (f"The reveals changed many notes at once ({each}): each phone was sent one `card` message per "
                  f"note, all of them in one write and as one item of its queue (coprod_tui/web/feed.py, sse.py), "
                  f"so no queue overflowed; streams reconnected during the session: {reconnects} (the reconnects "
                  f"column: a stream the server drops is reopened after its `retry`, 3 s).")
    else:
        reveal = f"Streams reconnected during the session: {reconnects} (the reconnects column)."
    return (
        "What the numbers mean: the server's process holds the session's content — every card and every event, kept "
        "for undo and replay, the request ids a phone's retry is answered from, and each record's line of the file, "
        "ready for the next write — and, besides, the interpreter and its libraries, the phone server and its "
        f"{result.phones} event streams; the phones, each with its own copy of the board, are in the other process. "
        "A session that grows cannot have flat resident memory, so the table splits it: \"content MB\" is a deep "
        "size of the content (`content_size`: `sys.getsizeof` summed over every object reachable from it, each "
        "counted once — an estimate, low by the allocators' own overhead), and \"RSS − content\" is the rest. The "
        "rest also holds the allocators' free space: memory the program has freed that glibc's malloc (\"malloc "
        "free\", from `mallinfo2`) and Python's own allocator keep for reuse instead of giving back, and whose "
        "high-water mark follows the biggest buffers the session has needed, so it grows with the session too (the "
        "file is written in 64 KiB pieces and boards are encoded once per kind of phone to keep those buffers "
        "small). Live blocks (Python's allocated memory blocks, sampled without a collection) grow with the "
        "content. The churn is the leak test for traffic that changes nothing: the same streams, boards and "
        "refusals again and again, measured at rest after every round; a leak grows round after round, a "
        "high-water mark steps once and stays. What survives the session is the last test: once the phones have "
        "gone, the server has stopped and the hub is closed, the live blocks are back to where they started. "
        "Latency is POST sent → answer read, and every answer is durable: each group "
        "commit rewrites and fsyncs the whole file, so the cost of a write — and the latency — grows with the "
        "file, not with the time the session has run; each window's content walk holds the server's loop for the "
        "time given above. " + reveal)
