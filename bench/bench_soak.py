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
the "soak" section of bench/README.md. tests/test_soak.py runs the same driver, tiny.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import enum
import gc
import ipaddress
import itertools
import json
import math
import os
import random
import shutil
import sys
import tempfile
import textwrap
import time
import types
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import aiohttp
import aiohttp.web_app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # bench_common, also when a test imports this file

from bench_common import machine, update_readme  # noqa: E402
from coprod_tui.core.commands import Command, HideCard  # noqa: E402
from coprod_tui.core.errors import CoprodError  # noqa: E402
from coprod_tui.core.commands_run import (CloseVoting, HoldNotes, MergeCards, OpenVoting, RevealNotes,  # noqa: E402
                                          RevealVotes, SetPhase, StartTimer, StopTimer)
from coprod_tui.core.hub import Hub, new_session  # noqa: E402
from coprod_tui.core.method import STATEMENTS  # noqa: E402
from coprod_tui.core.store import SessionFolder  # noqa: E402
from coprod_tui.web.server import start_phone_server  # noqa: E402
from coprod_tui.web.state import STREAMS, WebSettings  # noqa: E402

SIM_MINUTES = 120
WINDOW = 10  # simulated minutes per row of the table
# The verdicts' bounds, fixed before any run of the content walk or the churn (the README says why):
FLAT_MB = 5.0  # RSS − content, windows after the first: flat if max − min ≤ this
CHURN_BLOCKS_PER_REQUEST = 0.1  # churn: flat if live blocks grow by less than one per ten requests…
CHURN_RSS_MB = 1.0  # …and resident memory by at most this
END_LABEL = "soak: the end"
GROUPS = [("People who use services", "people", None), ("Carers", "carers", None),
          ("Practitioners", "practitioners", None)]
KINDS = ("problem", "option", "contribution")
ROLES = ["people-who-use-services", "carers-and-family", "practitioners", "commissioners-and-managers", ""]
TEXTS = ["The bus stops too far from the day centre", "Nobody tells carers where they are on the respite list",
         "Lunch is at 11:30, far too early for most of us", "Could the Tuesday group meet in the library?",
         "A named contact at the council who answers the phone", "I can help run a lift-share on Tuesdays",
         "The forms are only online and my dad has no computer", "Evening sessions so working carers can come",
         "Staff change so often nobody knows my mum", "We could host a drop-in at the community centre"]
WRAP = textwrap.TextWrapper(width=116, break_on_hyphens=False, break_long_words=False)
PAGE = os.sysconf("SC_PAGE_SIZE")


def rss_bytes() -> int:
    """Resident memory of this process, from /proc/self/statm (no psutil)."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * PAGE


class _MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                      "fsmblks", "uordblks", "fordblks", "keepcost")]


def _mallinfo2() -> Callable[[], _MallInfo2] | None:
    try:
        fn = ctypes.CDLL("libc.so.6").mallinfo2  # glibc 2.33 and later
    except (OSError, AttributeError):
        return None
    fn.restype = _MallInfo2
    return fn


MALLINFO2 = _mallinfo2()


def malloc_free_bytes() -> int | None:
    """Free space glibc's malloc holds in its heaps (all threads' arenas): memory the program freed that the C
    allocator keeps for reuse instead of giving back, so it stays in RSS. None where glibc's mallinfo2 is missing.
    Python's own allocator (pymalloc) takes its objects of up to 512 bytes from arenas of its own, not counted here."""
    return MALLINFO2().fordblks if MALLINFO2 is not None else None


_NOT_CONTENT = (type, types.ModuleType, types.FunctionType, enum.Enum)  # shared by the whole program, never per record
_CONTAINERS = frozenset({dict, list, tuple, set, frozenset})


def content_size(hub: Hub) -> tuple[int, int]:
    """(bytes, objects): the memory held by the session's content — what the hub keeps because the session holds it.

    The roots are the session itself (meta, groups, cards, the plain tables), every event (kept for undo, redo and
    replay), the request-id map phones' retries are answered from, the undo and redo stacks, and the storage's
    copy of every record with the line of JSON it was serialised to (kept so a write need not encode it again).
    Walked breadth first with `gc.get_referents` (the traversal is in C, a level at a time) and an id() seen-set,
    so an object reachable from several roots (a card's record is in its event's patch and in the storage) is
    counted once; it descends only into plain containers and coprod_tui.core's own objects, and counts no class,
    function, module or enum member (those are the program's, not the session's).

    An estimate, and a low one: `sys.getsizeof` reports each object's own allocation as CPython sees it, not the
    allocator's rounding, pool and arena overhead or the free space left between objects; an interned string or a
    small int that the content shares with the rest of the program is counted here, once; and what an object keeps
    in a separate allocation that its __sizeof__ does not report is missed. It reaches into the hub's and the
    storage's private attributes on purpose (read only): there is no public way to ask for them.
    """
    storage = hub.storage
    roots = [hub.session, hub.events, getattr(hub, "_requests", {}), getattr(hub, "_undo", []),
             getattr(hub, "_redo", []), getattr(storage, "_doc", {}), getattr(storage, "_lines", {})]
    seen: set[int] = set()
    total = 0
    frontier: list[Any] = roots
    while frontier:
        descend = []
        for obj in frontier:
            key = id(obj)
            if key in seen or isinstance(obj, _NOT_CONTENT):
                continue
            seen.add(key)
            total += sys.getsizeof(obj)
            kind = type(obj)
            if kind in _CONTAINERS or kind.__module__.startswith("coprod_tui.core"):
                descend.append(obj)
        frontier = gc.get_referents(*descend)
    return total, len(seen)


def source_ip(n: int) -> str:
    ip = ipaddress.ip_address("127.0.0.0") + n
    if n < 2 or ip not in ipaddress.ip_network("127.0.0.0/8"):
        raise ValueError(f"source address #{n} is not on loopback")
    return str(ip)


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


# -- what the phones were told -----------------------------------------------------------------------------------
@dataclass
class Ledger:
    """Everything the phones sent and heard, for the final check and the table."""

    notes: dict[str, tuple[int, str]] = field(default_factory=dict)  # request_id → (card id, text): 201/200
    votes: dict[str, tuple[str, int, int, int]] = field(default_factory=dict)  # rid → (participant, round, card, ±1)
    done: dict[str, tuple[str, int, bool]] = field(default_factory=dict)  # rid → (participant, phase, done)
    done_last: dict[tuple[int, str], bool] = field(default_factory=dict)  # (phase, participant) → last answer
    reflections: dict[str, dict] = field(default_factory=dict)  # participant → its last acknowledged `mine`
    reflection_rids: set[str] = field(default_factory=set)
    unanswered: set[str] = field(default_factory=set)  # no answer read for at least one try: may have been applied
    refused: set[str] = field(default_factory=set)  # every try answered with a refusal: must not be in the file
    samples: list[tuple[float, str, int, float]] = field(default_factory=list)  # (sim minute, kind, status, seconds)
    reconnects: list[float] = field(default_factory=list)  # sim minutes at which a stream was opened again
    errors: Counter = field(default_factory=Counter)

    def to_json(self) -> dict:
        return {"notes": self.notes, "votes": self.votes, "done": self.done,
                "done_last": [[phase, who, done] for (phase, who), done in self.done_last.items()],
                "reflections": self.reflections, "reflection_rids": sorted(self.reflection_rids),
                "unanswered": sorted(self.unanswered), "refused": sorted(self.refused), "samples": self.samples,
                "reconnects": self.reconnects, "errors": dict(self.errors)}

    @classmethod
    def from_json(cls, data: dict) -> Ledger:
        return cls(notes={k: tuple(v) for k, v in data["notes"].items()},
                   votes={k: tuple(v) for k, v in data["votes"].items()},
                   done={k: tuple(v) for k, v in data["done"].items()},
                   done_last={(phase, who): done for phase, who, done in data["done_last"]},
                   reflections=data["reflections"], reflection_rids=set(data["reflection_rids"]),
                   unanswered=set(data["unanswered"]), refused=set(data["refused"]),
                   samples=[tuple(x) for x in data["samples"]], reconnects=data["reconnects"],
                   errors=Counter(data["errors"]))


class Clock:
    """The simulated session's clock; `start` is a time.monotonic() value, the same clock in both processes."""

    def __init__(self, seconds: float, start: float) -> None:
        self.scale = seconds / SIM_MINUTES  # real seconds per simulated minute
        self.start = start

    def now(self) -> float:
        return (time.monotonic() - self.start) / self.scale

    async def until(self, minute: float) -> None:
        delay = self.start + minute * self.scale - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)


class Phone:
    """One participant: an event stream it reads, and the actions it takes on what that stream shows."""

    def __init__(self, n: int, base: str, tokens: dict[str, str], groups: list[int], clock: Clock, ledger: Ledger,
                 rng: random.Random, reconnect: float | None) -> None:
        self.n, self.clock, self.ledger, self.rng, self.reconnect = n, clock, ledger, rng, reconnect
        self.participant = f"soak-phone-{n:04d}-{rng.getrandbits(32):08x}"
        self.group = rng.choice(groups)
        fixed = rng.random() < 0.3  # a third scan their table's QR code, the rest the one for everyone
        self.token = tokens[str(self.group)] if fixed else tokens["all"]
        self.body_group = None if fixed else self.group
        self.api = f"{base}/api/v1/j/{self.token}"
        self.view: dict[str, Any] = {}
        self.connected = asyncio.Event()
        self.closed = False
        self.quota: dict[int, int] = {}  # phase index → notes still to write in it
        self.said_done: set[int] = set()
        self.answered = 0
        self.seq = itertools.count()
        connector = aiohttp.TCPConnector(local_addr=(source_ip(n), 0), limit=4)
        self.http = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.CookieJar(unsafe=True),
                                          timeout=aiohttp.ClientTimeout(total=30))

    # the stream --------------------------------------------------------------------------------------------
    async def listen(self) -> None:
        query = self.query()
        first = True
        while not self.closed:
            retry_ms = 3000.0
            try:
                timeout = aiohttp.ClientTimeout(total=None, connect=30, sock_read=None)
                async with self.http.get(f"{self.api}/events", params=query, timeout=timeout) as resp:
                    if resp.status != 200:
                        self.ledger.errors[f"events {resp.status}"] += 1
                        retry_ms = float(resp.headers.get("Retry-After", "3")) * 1000
                    else:
                        if not first:
                            self.ledger.reconnects.append(self.clock.now())
                        first = False
                        name, data = "", []
                        async for raw in resp.content:
                            line = raw.decode("utf-8").rstrip("\r\n")
                            if not line:
                                if name and data:
                                    if self.apply(name, json.loads("\n".join(data))) == "closed":
                                        return
                                name, data = "", []
                            elif line.startswith("retry:"):
                                retry_ms = float(line.split(":", 1)[1])
                            elif line.startswith("event:"):
                                name = line.split(":", 1)[1].strip()
                            elif line.startswith("data:"):
                                data.append(line.split(":", 1)[1].lstrip(" "))
            except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
                self.ledger.errors[f"events {type(exc).__name__}"] += 1
            if self.closed:
                return
            # The stream ended (dropped for being behind, or the server stopped): reconnect as a browser does.
            await asyncio.sleep(self.reconnect if self.reconnect is not None else retry_ms / 1000)

    def apply(self, name: str, data: dict) -> str:
        view = self.view
        if name == "board":
            voting = data.get("voting") or None
            self.view = {"cards": {c["id"]: c for c in data["cards"]}, "phase": data["phase"],
                         "private": data["private"], "voting": _public_voting(voting), "timer": data["timer"],
                         "breakout": data["breakout"], "done": data["done"], "done_count": data["done_count"],
                         "mine": (voting or {}).get("mine", {}), "left": (voting or {}).get("left"),
                         "tallies": (voting or {}).get("tallies"), "reflection": data["reflection"]}
            self.connected.set()
        elif not view:
            pass  # nothing before the board
        elif name == "card":
            if data["op"] == "upsert":
                view["cards"][data["card"]["id"]] = data["card"]
            else:
                view["cards"].pop(data["card"]["id"], None)
        elif name == "state":
            view.update(phase=data["phase"], private=data["private"], voting=_public_voting(data["voting"]),
                        timer=data["timer"], breakout=data["breakout"], done_count=data["done_count"])
            if not (data["voting"] or {}).get("revealed"):
                view["tallies"] = None
        elif name == "mine":
            view.update(mine=data["mine"], left=data["left"], done=data["done"], reflection=data["reflection"])
        elif name == "tallies":
            view["tallies"] = data["tallies"]
        elif name == "closed":
            self.closed = True
            return "closed"
        return name

    # acting ------------------------------------------------------------------------------------------------
    async def post(self, kind: str, path: str, body: dict) -> tuple[int, dict] | None:
        """POST with retries of 429/503/network errors (same request_id); the answer, or None if none came."""
        rid = body["request_id"]
        answered_every_time = True
        for attempt in range(6):
            start = time.perf_counter()
            try:
                async with self.http.post(f"{self.api}/{path}", json=body) as resp:
                    answer = await resp.json(content_type=None)
                    status, wait = resp.status, resp.headers.get("Retry-After")
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
                self.ledger.errors[f"{kind} {type(exc).__name__}"] += 1
                answered_every_time = False
                self.ledger.unanswered.add(rid)
                await asyncio.sleep(1.0)
                continue
            self.ledger.samples.append((self.clock.now(), kind, status, time.perf_counter() - start))
            if status in (429, 503) and attempt < 5:
                await asyncio.sleep(float(wait or 1))
                continue
            if status >= 400:
                if answered_every_time:
                    self.ledger.refused.add(rid)
                return status, answer
            return status, answer
        return None

    def rid(self, what: str) -> str:
        return f"{what}-{self.n}-{next(self.seq)}-{self.rng.getrandbits(32):08x}"

    async def act(self, until: float) -> None:
        rng = self.rng
        await self.clock.until(rng.uniform(0, 5))  # people arrive over the first five minutes
        self.listener = asyncio.create_task(self.listen())
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self.connected.wait(), timeout=30)
        while self.clock.now() < until:
            await asyncio.sleep(rng.uniform(0.5, 4.0) * self.clock.scale)
            if self.clock.now() >= until or not self.view:
                continue
            await self.step()

    async def step(self) -> None:
        rng, view = self.rng, self.view
        phase = view["phase"]
        index, kind = phase["index"], phase["kind"]
        voting = view["voting"]
        if voting and voting["open"] and rng.random() < 0.7:
            return await self.vote(voting)
        if kind == "reflection":
            if self.answered == 0 or (self.answered == 1 and rng.random() < 0.15):
                return await self.reflect()
            return
        if index not in self.quota:
            self.quota[index] = rng.choice([0, 1, 2, 3, 3, 4, 5]) if kind else (1 if rng.random() < 0.25 else 0)
        if self.quota[index] > 0:
            self.quota[index] -= 1
            return await self.note(kind or rng.choice(KINDS))
        if index not in self.said_done and rng.random() < 0.6:
            self.said_done.add(index)
            await self.mark_done(index, True)
            if rng.random() < 0.05:
                await self.mark_done(index, False)

    async def note(self, kind: str) -> None:
        rng = self.rng
        text = f"{rng.choice(TEXTS)}{rng.choice(['', '.', '!', ' — and it has been like that for years.'])}"
        body = {"text": text, "kind": kind, "participant": self.participant, "request_id": self.rid("note"),
                "author": rng.choice([None, None, "Sam", "Priya", "Ade"])}
        if self.body_group is not None:
            body["group"] = self.body_group
        got = await self.post("note", "notes", body)
        if got and got[0] in (200, 201):
            self.ledger.notes[body["request_id"]] = (got[1]["id"], got[1]["text"])

    async def vote(self, voting: dict) -> None:
        rng, view = self.rng, self.view
        mine = {int(k): v for k, v in (view.get("mine") or {}).items()}
        if mine and (rng.random() < 0.12 or not view.get("left")):
            card, delta = rng.choice(sorted(mine)), -1
        else:
            candidates = [c["id"] for c in view["cards"].values() if c["kind"] == voting["kind"] and not c.get("held")]
            if not candidates or not view.get("left"):
                return
            card, delta = rng.choice(candidates), 1
        body = {"participant": self.participant, "card": card, "round": voting["round"], "delta": delta,
                "request_id": self.rid("vote")}
        if self.body_group is not None:
            body["group"] = self.body_group
        got = await self.post("vote", "votes", body)
        if got and got[0] == 200:
            self.ledger.votes[body["request_id"]] = (self.participant, voting["round"], card, delta)
            view.update(mine=got[1]["voting"]["mine"], left=got[1]["voting"]["left"])

    async def mark_done(self, index: int, done: bool) -> None:
        body = {"participant": self.participant, "phase": index, "done": done, "request_id": self.rid("done")}
        if self.body_group is not None:
            body["group"] = self.body_group
        got = await self.post("done", "done", body)
        if got and got[0] == 200:
            self.ledger.done[body["request_id"]] = (self.participant, got[1]["phase"], got[1]["done"])
            self.ledger.done_last[(got[1]["phase"], self.participant)] = got[1]["done"]

    async def reflect(self) -> None:
        rng = self.rng
        statements = rng.sample(sorted(STATEMENTS), rng.randint(1, 8))
        body = {"participant": self.participant, "request_id": self.rid("answer"), "role": rng.choice(ROLES),
                "ladder_now": rng.randint(1, 7), "ladder_target": rng.randint(1, 7),
                "scores": {s: rng.randint(0, 4) for s in statements},
                "evidence": {s: "As we saw at the last meeting." for s in statements[:1] if rng.random() < 0.3}}
        if self.body_group is not None:
            body["group"] = self.body_group
        self.answered += 1
        got = await self.post("answer", "reflection", body)
        if got and got[0] in (200, 201):
            self.ledger.reflections[self.participant] = got[1]["mine"]
            self.ledger.reflection_rids.add(body["request_id"])

    # the churn stage ----------------------------------------------------------------------------------------
    async def reopen(self) -> None:
        """Close this phone's event stream and open a new one (as a reloaded page does); back once its `board` came."""
        listener = getattr(self, "listener", None)
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        self.view = {}
        self.connected.clear()
        self.listener = asyncio.create_task(self.listen())
        await asyncio.wait_for(self.connected.wait(), timeout=30)

    async def once(self, log: ChurnLog, kind: str, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        """One request of the churn, never retried (a 429 is counted, not waited out); (0, None) if no answer."""
        start = time.perf_counter()
        try:
            async with self.http.request(method, f"{self.api}/{path}", **kwargs) as resp:
                answer = await resp.json(content_type=None)
                status = resp.status
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            log.statuses[f"{kind} {type(exc).__name__}"] += 1
            return 0, None
        log.statuses[f"{kind} {status}"] += 1
        log.latencies.append(time.perf_counter() - start)
        return status, answer

    async def churn_round(self, log: ChurnLog) -> None:
        """Reopen the stream, GET the board (it must equal the stream's), send a vote with no round open and a
        note of no known kind: both must be refused, and neither may change anything."""
        start = time.perf_counter()
        try:
            await self.reopen()
        except asyncio.TimeoutError:
            log.statuses["events no board"] += 1
            log.problems.append(f"phone {self.n}: its reopened stream sent no board within 30 s")
            return
        log.statuses["events 200"] += 1
        log.latencies.append(time.perf_counter() - start)
        status, served = await self.once(log, "board", "GET", "board", params=self.query())
        if status == 200:
            log.problems += board_differences(self, served, "reopened stream's")
        else:
            log.problems.append(f"phone {self.n}: GET …/board answered {status}")
        view = self.view
        cards = sorted(view.get("cards") or {}) or [1]
        vote = {"participant": self.participant, "card": cards[0], "round": (view.get("voting") or {}).get("round", 1),
                "delta": 1, "request_id": self.rid("churn-vote")}
        note = {"text": self.rng.choice(TEXTS), "kind": "wish", "participant": self.participant,
                "request_id": self.rid("churn-note")}
        for kind, path, body, expected in (("vote", "votes", vote, 409), ("note", "notes", note, 422)):
            if self.body_group is not None:
                body["group"] = self.body_group
            status, _ = await self.once(log, kind, "POST", path, json=body)
            if status == 0:
                self.ledger.unanswered.add(body["request_id"])
                continue
            if status >= 400:
                self.ledger.refused.add(body["request_id"])  # check_file: none of them may be in the file
            if status not in (expected, 429):
                log.problems.append(f"phone {self.n}: a {kind} that must be refused with {expected} got {status}")

    def query(self) -> dict[str, str]:
        """Who is looking, as the GETs say it: `?participant=` and, on the everyone link, `?group=`."""
        return {"participant": self.participant,
                **({"group": str(self.body_group)} if self.body_group is not None else {})}

    async def close(self) -> None:
        self.closed = True
        listener = getattr(self, "listener", None)
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await listener
        await self.http.close()


def _public_voting(voting: dict | None) -> dict | None:
    return None if voting is None else {k: v for k, v in voting.items() if k not in ("mine", "left", "tallies")}


def board_differences(phone: Phone, served: dict, whose: str = "stream's") -> list[str]:
    """What differs between the board this phone's stream shows and `served`, the answer of `GET …/board`."""
    voting = served["voting"] or {}
    expected = {"cards": {c["id"]: c for c in served["cards"]}, "phase": served["phase"],
                "private": served["private"], "voting": _public_voting(served["voting"]),
                "tallies": voting.get("tallies"), "done_count": served["done_count"], "done": served["done"],
                "reflection": served["reflection"], "mine": voting.get("mine", {}), "left": voting.get("left")}
    seen = {key: phone.view.get(key) for key in expected}
    seen["tallies"] = seen["tallies"] or None
    seen["cards"] = {int(k): v for k, v in (seen["cards"] or {}).items()}
    return [f"phone {phone.n}: its {whose} `{key}` differs from the server's" for key in expected
            if seen[key] != expected[key]]


@dataclass
class ChurnLog:
    """The churn stage as the phones saw it: answers by request and status, latencies, rounds, what went wrong."""

    statuses: Counter = field(default_factory=Counter)  # "vote 409", "note 422", "board 200", "events 200", …
    latencies: list[float] = field(default_factory=list)  # seconds: request sent → answer read (stream: → board)
    rounds: list[float] = field(default_factory=list)  # seconds per round, the warm-up round first
    problems: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"statuses": dict(self.statuses), "latencies": self.latencies, "rounds": self.rounds,
                "problems": self.problems}

    @classmethod
    def from_json(cls, data: dict) -> ChurnLog:
        return cls(statuses=Counter(data["statuses"]), latencies=data["latencies"], rounds=data["rounds"],
                   problems=data["problems"])


async def churn(crowd: list[Phone], log: ChurnLog) -> None:
    """One round of the churn stage: every phone at once."""
    start = time.perf_counter()
    outcomes = await asyncio.gather(*(p.churn_round(log) for p in crowd), return_exceptions=True)
    log.problems += [f"churn: {type(o).__name__}: {o}" for o in outcomes if isinstance(o, BaseException)]
    log.rounds.append(time.perf_counter() - start)


# -- the phones' process -----------------------------------------------------------------------------------------
async def phones_main(config: dict) -> None:
    """The child process: the phones act until the session's end, say so, wait for "end" on stdin, check that every
    stream ended on the board the server sends that phone (`GET …/board`); then, with --churn-rounds, one warm-up
    round of the churn and "warm", then each round and "round", each followed by a wait for a line; then the ledger
    as one JSON line. The parent measures its memory at rest while this process waits."""
    clock = Clock(config["seconds"], config["start"])
    ledger = Ledger()
    rng = random.Random(config["seed"])
    crowd = [Phone(config["first_address"] + i, config["base"], config["tokens"], config["groups"], clock, ledger,
                   random.Random(rng.getrandbits(64)), config["reconnect"]) for i in range(config["phones"])]
    crashed = [f"{type(o).__name__}: {o}" for o in await asyncio.gather(*(p.act(SIM_MINUTES) for p in crowd),
                                                                        return_exceptions=True)
               if isinstance(o, BaseException)]
    loop = asyncio.get_running_loop()

    async def say_and_wait(what: str) -> None:
        print(json.dumps({what: True}), flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)

    await say_and_wait("acted")  # the parent answers after the facilitator's last change
    deadline = loop.time() + 60
    while loop.time() < deadline and not all(_ended(p) for p in crowd):
        await asyncio.sleep(0.05)
    problems = []
    for p in crowd:
        if not _ended(p):
            problems.append(f"phone {p.n}: its stream never showed the end of the session")
            continue
        async with p.http.get(f"{p.api}/board", params=p.query()) as resp:
            served = await resp.json()
        problems += board_differences(p, served)
    boards = [p.view.get("cards") for p in crowd if p.view]
    if any(cards != boards[0] for cards in boards):
        problems.append("the phones' boards are not all the same")
    log = ChurnLog()
    if config["churn_rounds"] > 0:
        await churn(crowd, log)  # warm-up: what the first round allocates once (caches, buffers) is not a leak
        await say_and_wait("warm")
        for _ in range(config["churn_rounds"]):
            await churn(crowd, log)
            await say_and_wait("round")
    for p in crowd:
        await p.close()
    print(json.dumps({"ledger": ledger.to_json(), "board_problems": problems, "crashed": crashed,
                      "boards_checked": len(crowd), "churn": log.to_json()}), flush=True)


# -- the run -----------------------------------------------------------------------------------------------------
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


@dataclass
class Quiet:
    """The server's process at rest (every phone's stream open, no request in flight), after a collection."""

    rss: int
    blocks: int  # sys.getallocatedblocks()
    objects: int  # len(gc.get_objects()): the objects the collector tracks (containers)
    content: int
    malloc_free: int | None
    events: int
    cards: int
    streams: int


def rss_of(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


async def quiet(hub: Hub, app: aiohttp.web_app.Application, phones: int) -> Quiet:
    """Wait until every phone has exactly its one stream open (a stream a phone closed ends on the server's next
    poll, within `poll_seconds`) and a little more, collect, then measure."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while len(app[STREAMS]) != phones and loop.time() < deadline:
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.5)
    gc.collect()
    rss, blocks, free = rss_bytes(), sys.getallocatedblocks(), malloc_free_bytes()
    objects = len(gc.get_objects())  # after the others: the list it makes is freed into malloc's heap
    return Quiet(rss=rss, blocks=blocks, objects=objects, content=content_size(hub)[0], malloc_free=free,
                 events=len(hub.events), cards=len(hub.session.cards), streams=len(app[STREAMS]))


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


def _ended(phone: Phone) -> bool:
    return bool(phone.view) and (phone.view.get("timer") or {}).get("label") == END_LABEL


def check_file(path: Path, ledger: Ledger) -> tuple[list[str], str]:
    """Reopen the session file: every acknowledgement in it exactly once, nothing else from a phone."""
    doc = json.loads(path.read_text("utf-8"))
    events = list(doc["events"].values())
    by_rid: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        if event.get("request_id") is not None:
            by_rid[event["request_id"]].append(event)
    problems: list[str] = []
    # Notes: the card with the text the phone was told, and one card.add event with its request_id.
    for rid, (card_id, text) in ledger.notes.items():
        card = doc["cards"].get(str(card_id))
        adds = [e for e in by_rid.get(rid, []) if e["type"] == "card.add"]
        if card is None or card["text"] != text or len(adds) != 1 or adds[0].get("card_id") != card_id:
            problems.append(f"note {rid}: acknowledged as card {card_id} but not in the file exactly once as told")
    # Dots: each acknowledged vote one event; each phone's dots in the file = the sum of its acknowledged votes.
    expected_dots: dict[str, Counter] = defaultdict(Counter)
    for rid, (participant, round_no, card_id, delta) in ledger.votes.items():
        if len(by_rid.get(rid, [])) != 1 or not by_rid[rid][0]["type"].startswith("vote."):
            problems.append(f"vote {rid}: acknowledged but {len(by_rid.get(rid, []))} events in the file")
        expected_dots[f"{round_no}:{participant}"][str(card_id)] += delta
    for key, dots in expected_dots.items():
        stored = (doc["votes"].get(key) or {}).get("cards", {})
        if {k: v for k, v in dots.items() if v} != {k: int(v) for k, v in stored.items()}:
            problems.append(f"dots of {key}: {dict(dots)} acknowledged, {stored} in the file")
    # "I'm done": the last answer each phone heard for a phase is what the file says.
    for (phase, participant), done in ledger.done_last.items():
        if (f"{phase}:{participant}" in doc["done"]) != done:
            problems.append(f"done {phase}:{participant}: told {done}, the file says otherwise")
    for rid in ledger.done:
        if len(by_rid.get(rid, [])) > 1:
            problems.append(f"done {rid}: {len(by_rid[rid])} events")
    # The self-reflection: each phone's last acknowledged answer is its answer in the file.
    for participant, mine in ledger.reflections.items():
        record = doc["reflections"].get(participant) or {}
        if {k: record.get(k) for k in mine} != mine:
            problems.append(f"reflection of {participant}: the file holds another answer than the one acknowledged")
    # Nothing from a phone that was not acknowledged, but what the hub applied for a request never answered.
    acknowledged = set(ledger.notes) | set(ledger.votes) | set(ledger.done) | ledger.reflection_rids
    stray = [rid for rid in by_rid if rid not in acknowledged and rid not in ledger.unanswered]
    if stray:
        problems.append(f"{len(stray)} changes from phones in the file that no phone was told about, e.g. {stray[0]}")
    leaked = [rid for rid in ledger.refused if rid in by_rid]
    if leaked:
        problems.append(f"{len(leaked)} refused requests stored anyway, e.g. {leaked[0]}")
    applied_unanswered = sum(1 for rid in ledger.unanswered if rid in by_rid and rid not in acknowledged)
    phone_cards = sum(1 for e in events if e["type"] == "card.add" and e.get("request_id"))
    summary = (f"{len(ledger.notes):,} notes, {len(ledger.votes):,} votes, {len(ledger.done):,} \"I'm done\" and "
               f"{len(ledger.reflections):,} self-reflection answers acknowledged, each in the file exactly once as "
               f"told ({phone_cards:,} phone notes in the file, {len(events):,} events); "
               f"{len(ledger.refused):,} refused requests, none stored; {applied_unanswered} applied without the "
               f"phone hearing the answer")
    return problems, summary


# -- the report --------------------------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] if ordered else math.nan


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
