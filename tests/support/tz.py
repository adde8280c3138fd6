"""Run one test in another time zone: the app shows stored (UTC) times in the computer's zone.

conftest.py pins the whole run to UTC so snapshots and golden files never move; `zone()` (or the `london` fixture)
switches the process to another zone for one test and always puts UTC back, even when the test fails. The zone is
set through `TZ` and `time.tzset()`, which is what `datetime.astimezone()` with no argument reads.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

LONDON = "Europe/London"
# The same rules written out (POSIX TZ form: GMT, BST from 01:00 UTC on the last Sunday of March to the last Sunday
# of October), for a machine without the time zone database, where "Europe/London" would silently mean UTC.
LONDON_RULE = "GMT0BST,M3.5.0/1,M10.5.0"


@contextmanager
def zone(name: str) -> Iterator[None]:
    """The process's local zone is `name` inside the block, and what it was before afterwards."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


@pytest.fixture
def london() -> Iterator[None]:
    """This test runs in UK time: GMT in winter, BST (UTC+1) in summer."""
    with zone(LONDON):
        if time.tzname != ("GMT", "BST"):  # an unknown zone name silently means UTC: never test nothing
            with zone(LONDON_RULE):
                assert time.tzname == ("GMT", "BST")
                yield
        else:
            yield
