"""The soak's memory measures, for bench_soak.py: resident memory (/proc, no psutil), glibc's free space
(`mallinfo2`), the deep size of the session's content (`content_size`), and the server's process measured at rest
(`quiet` → `Quiet`).

Why a module of their own: they reach into /proc, libc and the hub's private attributes, and the run and the report
only need their numbers. All of it runs in the server's process; the phones' process is only ever read through
`rss_of(pid)`.
"""

from __future__ import annotations

import asyncio
import ctypes
import enum
import gc
import os
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import aiohttp.web_app

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))  # its siblings, also when a test loads bench_soak.py from its file

from coprod_tui.core.hub import Hub  # noqa: E402
from coprod_tui.web.keys import STREAMS  # noqa: E402

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
