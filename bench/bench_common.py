"""What every benchmark shares: the line that says when and on what machine it ran, writing its section of
bench/README.md, the loopback address each simulated phone binds, and percentiles.

Why one place: figures mean little without the machine, and each script used to word it (and rewrite its README
section) its own way. Each script puts bench/ on its path before `from bench_common import`, so the import works when
it is run as `python bench/bench_x.py` and when a test loads it from its file, without making bench/ a package.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import os
import platform
import re
from pathlib import Path

README = Path(__file__).resolve().parent / "README.md"


def cpu_model() -> str:
    """The processor's model name from /proc/cpuinfo (Linux), else what platform knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text("utf-8", "replace").splitlines():
            if line.lower().startswith("model name"):
                return " ".join(line.split(":", 1)[1].split())
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gb() -> float | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    except (ValueError, OSError, AttributeError):
        return None


def usable_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def machine() -> str:
    """'Run 2026-11-27 on 2 CPUs (…), 8.3 GB, Python 3.11.7, Linux x86_64, aiohttp 3.14.5, Textual 8.2.8'."""
    parts = [f"{usable_cpus()} CPUs ({cpu_model()})"]
    gb = memory_gb()
    if gb:
        parts.append(f"{gb:.1f} GB")
    parts.append(f"Python {platform.python_version()}, {platform.system()} {platform.machine()}")
    for name, module in (("aiohttp", "aiohttp"), ("Textual", "textual")):
        try:
            from importlib.metadata import version
            parts.append(f"{name} {version(module)}")
        except Exception:  # not installed: the line just says less
            pass
    return f"Run {dt.date.today().isoformat()} on " + ", ".join(parts)


def update_readme(section: str, name: str) -> Path:
    """Replace the `## NAME` section of bench/README.md with `section` (appending it if absent), keeping the rest."""
    text = README.read_text("utf-8") if README.exists() else "# Benchmarks\n"
    old = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.M | re.S)
    text = old.sub(lambda _: section.rstrip("\n") + "\n\n", text, count=1) if old.search(text) \
        else f"{text.rstrip()}\n\n{section}"
    README.write_text(text.rstrip("\n") + "\n", "utf-8")
    return README


def source_ip(n: int) -> str:
    """127.0.0.N for N ≤ 254 (then on through 127.0.1.x…); never outside 127.0.0.0/8. Each simulated phone binds
    its own address, so the server's per-address limits see a room of phones, not one client."""
    ip = ipaddress.ip_address("127.0.0.0") + n
    if n < 2 or ip not in ipaddress.ip_network("127.0.0.0/8"):
        raise ValueError(f"source address #{n} is not on loopback")
    return str(ip)


def pct(values: list[float], q: float) -> float:
    """The q-th percentile by the nearest-rank method (NaN for no values)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] if ordered else math.nan
