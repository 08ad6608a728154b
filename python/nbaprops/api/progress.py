"""Progress display for backfills: live bars on a terminal or in Jupyter, legacy log lines otherwise.

Events come from the native runner through a queue polled on the calling thread; nothing here ever runs
inside a TBB task.
"""
from __future__ import annotations

import logging
import sys
import time
from collections import defaultdict
from typing import Any, Optional

log = logging.getLogger("nbaprops.backfill")

# Outcome line of the legacy scripts, by processor entity.
_ENTITY_WORD = {"teams": "teams", "players": "players"}


def in_notebook() -> bool:
    try:
        from IPython import get_ipython  # type: ignore[import-not-found]
    except ImportError:
        return False
    ip = get_ipython()
    return ip is not None and ip.__class__.__name__ == "ZMQInteractiveShell"


def outcome_line(event: dict[str, Any], entity: str, phase: int = 4) -> str:
    """The legacy per-date outcome line for one finished unit (Phase 3 counts records, Phase 4 entities)."""
    status = event["status"]
    if status == "success":
        if phase == 3:
            return f"  ✓ Success: {event['rows']} records"
        word = _ENTITY_WORD.get(entity, "records")
        return f"  ✓ Success: {event['entities']} {word} processed"
    if status == "empty":
        return f"  ✓ Success: 0 {_ENTITY_WORD.get(entity, 'records')} processed ({event['reason']})"
    if status == "skipped_bootstrap":
        return "  ⏭ Skipped: bootstrap period"
    if status == "skipped_no_games":
        return "  ⏭ Skipped: no games"
    if status == "blocked":
        return f"  ✗ Blocked: {event['reason']}"
    if status == "cancelled":
        return f"  ✗ Cancelled: {event['reason']}"
    return f"  ✗ Failed: {event['reason'] or 'Unknown'}"


class LegacyLogProgress:
    """Plain legacy log lines (`Processing game date i/N: YYYY-MM-DD`, outcome, `Progress:` every 10)."""

    def __init__(self, totals: dict[str, int], entities: dict[str, str], prefix_processor: bool,
                 phases: Optional[dict[str, int]] = None) -> None:
        self.totals = totals
        self.entities = entities
        self.phases = phases or {}
        self.prefix = prefix_processor
        self.done: dict[str, int] = defaultdict(int)
        self.ok: dict[str, int] = defaultdict(int)
        self.skipped: dict[str, int] = defaultdict(int)

    def update(self, event: dict[str, Any]) -> None:
        p = event["processor"]
        self.done[p] += 1
        if event["status"] in ("success", "empty"):
            self.ok[p] += 1
        if event["status"].startswith("skipped"):
            self.skipped[p] += 1
        tag = f"[{p}] " if self.prefix else ""
        phase = self.phases.get(p, 4)
        what = "day" if phase == 3 else "game date"
        log.info("%sProcessing %s %d/%d: %s", tag, what, self.done[p], self.totals.get(p, 0), event["date"])
        line = outcome_line(event, self.entities.get(p, ""), phase)
        (log.info if event["status"] in ("success", "empty") or event["status"].startswith("skipped")
         else log.error)("%s%s", tag, line)
        if self.done[p] % 10 == 0:
            denom = max(self.done[p] - self.skipped[p], 1)
            log.info("%sProgress: %d/%d game dates (%.1f%% success)", tag, self.done[p], self.totals.get(p, 0),
                     100.0 * self.ok[p] / denom)

    def close(self) -> None:
        pass


class BarProgress:
    """One live bar per processor (done/total units, rate, ETA) on a terminal or in Jupyter."""

    def __init__(self, totals: dict[str, int]) -> None:
        from tqdm.std import tqdm as text_bar

        bar_cls = text_bar
        if in_notebook():
            try:
                from tqdm.notebook import tqdm as widget_bar

                widget_bar(total=0, disable=False).close()  # raises ImportError without ipywidgets
                bar_cls = widget_bar
            except ImportError:  # no ipywidgets: text bars still render in the notebook's stderr
                bar_cls = text_bar
        self.bars = {p: bar_cls(total=n, desc=p, unit="date", leave=True, dynamic_ncols=True, file=sys.stderr)
                     for p, n in totals.items()}
        self.failed: dict[str, int] = defaultdict(int)

    def update(self, event: dict[str, Any]) -> None:
        bar = self.bars.get(event["processor"])
        if bar is None:
            return
        if event["status"] in ("failed", "blocked"):
            self.failed[event["processor"]] += 1
            bar.set_postfix(failed=self.failed[event["processor"]], refresh=False)
        bar.update(1)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def make_progress(mode: Optional[str | bool], totals: dict[str, int], entities: dict[str, str],
                  prefix_processor: bool = True, phases: Optional[dict[str, int]] = None):
    """``mode``: True/"bar" for bars, False/"log" for legacy lines, None to choose (bars on a TTY or in
    Jupyter, log lines otherwise)."""
    if mode is None:
        mode = "bar" if (sys.stderr.isatty() or in_notebook()) else "log"
    if mode is True:
        mode = "bar"
    if mode is False:
        mode = "log"
    if mode == "bar":
        return BarProgress(totals)
    if mode == "log":
        return LegacyLogProgress(totals, entities, prefix_processor, phases)
    if mode == "none":
        return None
    raise ValueError(f"unknown progress mode {mode!r} (use 'bar', 'log' or 'none')")


class Stopwatch:
    def __init__(self) -> None:
        self.t0 = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.t0
