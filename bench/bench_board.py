"""Benchmark: how fast the board opens and answers keys with a big session.

Run: python bench/bench_board.py [--cards 2000] [--keys 60]

Each measurement runs in a fresh Python process (imports and file reads are not warmed by an earlier run), headless
through Textual's `run_test`, in one run with its baseline:
  * open to first frame: from `make_app()` to the first refreshed screen with every card list filled,
    for an empty session (the baseline) and for a session of N cards;
  * key press → repaint: `down` in a card column (cursor move) and `shift+down` (a reorder: a hub command, a saved
    change and a redraw of the column), on the empty-ish and the N-card board.
Figures are printed as JSON and as a table; compare ratios, not absolute numbers (machines here are shared).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GROUPS = [("People who use services", "people", None), ("Carers", "carers", None),
          ("Practitioners", "practitioners", None), ("Commissioners", "commissioners", None)]


def make_session(folder: Path, cards: int) -> str:
    from coprod_tui.core.commands import CardDraft, ImportCards
    from coprod_tui.core.hub import new_session
    from coprod_tui.core.model import Kind
    from coprod_tui.core.store.folder import SessionFolder

    hub = new_session(SessionFolder(folder), f"Bench {cards}", "How fast is the board?", GROUPS)
    kinds = list(Kind)
    drafts = tuple(
        CardDraft(kind=kinds[i % 3], text=f"Card {i}: waiting lists for short breaks are long " * (1 + i % 3),
                  group_id=1 + i % 4, author=None if i % 2 else f"Person {i}")
        for i in range(cards)
    )
    if drafts:
        hub.apply(ImportCards(cards=drafts))
    session_id = hub.session.meta.id
    hub.close()
    return session_id


async def measure(folder: Path, session_id: str, keys: int) -> dict:
    from coprod_tui.tui.app import make_app
    from coprod_tui.tui.board.card_list import CardList

    start = time.perf_counter()
    app = make_app(folder, session_id=session_id, settings_path=folder / "settings.json")
    result: dict = {}
    async with app.run_test(size=(160, 50)) as pilot:
        while True:
            lists = list(app.screen.query(CardList))
            if lists and all(l.views or not app.hub.session.cards for l in lists):
                break
            await asyncio.sleep(0.002)
        await pilot.pause()
        result["open_s"] = time.perf_counter() - start
        paint = PaintClock(app)
        for name, pair in (("down", ("down", "up")), ("reorder", ("shift+down", "shift+up"))):
            samples = [await paint.key_to_paint(pair[i % 2]) for i in range(keys)]
            result[f"{name}_ms_median"] = statistics.median(samples)
            result[f"{name}_ms_p95"] = sorted(samples)[int(len(samples) * 0.95) - 1]
        await pilot.press("ctrl+q")
    return result


class PaintClock:
    """Times a key from the moment the driver receives it to the first frame the app produces afterwards.

    Pilot's press() also waits for the process to look idle, which adds tens of ms of sleeping to every key; here
    the key goes to the driver as a terminal's would, and the clock stops once the next screen update has been
    turned into terminal output (headless apps skip that step, so it is done here as a real terminal run would).
    """

    def __init__(self, app) -> None:
        from textual._compositor import CompositorUpdate

        self.app = app
        self.driver = app._driver
        self.written = asyncio.Event()
        self.stamp = 0.0
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is not None and not app._batch_count:
                if isinstance(renderable, CompositorUpdate):
                    renderable.render_segments(app.console)
                self.stamp = time.perf_counter()
                self.written.set()

        app._display = display

    async def key_to_paint(self, key: str) -> float:
        from textual import events

        await asyncio.sleep(0.03)  # let earlier frames finish: each key starts from a quiet app
        self.written.clear()
        event = events.Key(key, None)
        event.set_sender(self.app)
        start = time.perf_counter()
        self.driver.send_message(event)
        await asyncio.wait_for(self.written.wait(), 10)
        return (self.stamp - start) * 1000


def child(args: argparse.Namespace) -> None:
    result = asyncio.run(measure(Path(args.folder), args.session, args.keys))
    print(json.dumps(result))


def run_child(folder: Path, session_id: str, keys: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", "--folder", str(folder), "--session", session_id,
                          "--keys", str(keys)], capture_output=True, text=True, check=True,
                         env={**os.environ, "XDG_CONFIG_HOME": str(folder)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=2000)
    parser.add_argument("--keys", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per case; the median is reported")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--session", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cases = {"small (30 cards)": make_session(folder, 30), f"{args.cards} cards": make_session(folder, args.cards)}
        table = {}
        for label, session_id in cases.items():
            runs = [run_child(folder, session_id, args.keys) for _ in range(args.repeat)]
            table[label] = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    base, big = table["small (30 cards)"], table[f"{args.cards} cards"]
    print(json.dumps(table, indent=2))
    print(f"\nopen to first frame: 30 cards {base['open_s']:.3f} s, {args.cards} cards {big['open_s']:.3f} s, "
          f"ratio {big['open_s'] / base['open_s']:.2f}x (goal <= 1.5 s and <= 2x)")
    for name in ("down", "reorder"):
        print(f"{name:8} key -> repaint: median {big[name + '_ms_median']:.1f} ms, p95 {big[name + '_ms_p95']:.1f} ms "
              f"at {args.cards} cards; {base[name + '_ms_median']:.1f} ms at 30 cards (goal <= 50 ms)")


if __name__ == "__main__":
    main()
