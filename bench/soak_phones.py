"""The soak's simulated phones, for bench_soak.py: `Phone` (one participant: its own client and address 127.0.0.N,
an event stream it reads, the notes, dots, "I'm done" and answers it sends on what that stream shows, and its rounds
of the churn stage), `board_differences` (a phone's board against `GET …/board`), and `phones_main`, the phones'
process (bench_soak.py started again with --phones-child).

Why a module of their own: they run in the other process, and share with the server's only the clock, the ledger and
the churn log (soak_ledger.py). One class, `Phone`, is most of this file.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # its siblings, also when a test loads bench_soak.py from its file

from bench_common import source_ip  # noqa: E402
from soak_ledger import END_LABEL, SIM_MINUTES, ChurnLog, Clock, Ledger  # noqa: E402
from coprod_tui.core.method import STATEMENTS  # noqa: E402

KINDS = ("problem", "option", "contribution")
ROLES = ["people-who-use-services", "carers-and-family", "practitioners", "commissioners-and-managers", ""]
TEXTS = ["The bus stops too far from the day centre", "Nobody tells carers where they are on the respite list",
         "Lunch is at 11:30, far too early for most of us", "Could the Tuesday group meet in the library?",
         "A named contact at the council who answers the phone", "I can help run a lift-share on Tuesdays",
         "The forms are only online and my dad has no computer", "Evening sessions so working carers can come",
         "Staff change so often nobody knows my mum", "We could host a drop-in at the community centre"]


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


def _ended(phone: Phone) -> bool:
    return bool(phone.view) and (phone.view.get("timer") or {}).get("label") == END_LABEL
