"""A per-client token bucket for posts: one limiter for notes, another for taps (votes, "I'm done", picks).

Why: one phone (or one script) sending notes in a loop must not flood the board or the disk, and must not slow the
other phones down. Each client address gets its own bucket of `burst` notes that refills at one note every
`refill_seconds`; an empty bucket answers "wait this long" (the 429's Retry-After) instead of queueing the request.

Taps have their own limiter with a bigger, faster bucket (see `WebSettings.tap_limit`): someone voting quickly must
never be told to wait, and voting must not use up the allowance for notes.

Memory is bounded: at most `max_clients` buckets are kept; full buckets (idle clients) are forgotten first, since a
forgotten client simply starts again with a full bucket, which is exactly what it would have had.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimit:
    """How many notes a client may send at once (`burst`) and how fast the allowance comes back."""

    burst: int = 20
    refill_seconds: float = 2.0
    max_clients: int = 10_000

    def __post_init__(self) -> None:
        if self.burst < 1 or self.refill_seconds <= 0 or self.max_clients < 1:
            raise ValueError("burst and max_clients must be at least 1, refill_seconds more than 0")


class RateLimiter:
    """Token buckets keyed by client (its address, unless the app is told otherwise)."""

    def __init__(self, limit: RateLimit = RateLimit(), *, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.clock = clock
        # key -> (tokens left, time of last refill); ordered by last use, oldest first.
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    def _level(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.limit.burst), now))
        return min(float(self.limit.burst), tokens + (now - at) / self.limit.refill_seconds)

    def take(self, key: str) -> float:
        """Spend one note for `key`: 0.0 if allowed, else the seconds to wait before the next one is allowed."""
        now = self.clock()
        tokens = self._level(key, now)
        if tokens < 1.0:
            self._buckets[key] = (tokens, now)
            self._buckets.move_to_end(key)
            return (1.0 - tokens) * self.limit.refill_seconds
        self._buckets[key] = (tokens - 1.0, now)
        self._buckets.move_to_end(key)
        if len(self._buckets) > self.limit.max_clients:
            self._prune(now)
        return 0.0

    def retry_after(self, wait: float) -> int:
        """Whole seconds for a Retry-After header: never 0, so a client that obeys it is let in."""
        return max(1, math.ceil(wait))

    def _prune(self, now: float) -> None:
        """Forget idle clients (full buckets) first, then the least recently seen, down to the cap."""
        for key in [k for k in self._buckets if self._level(k, now) >= self.limit.burst]:
            del self._buckets[key]
        while len(self._buckets) > self.limit.max_clients:
            self._buckets.popitem(last=False)
