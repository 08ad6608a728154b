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
    if status in ("success", "empty") and event.get("reason") == "resumed":
        # Skipped by resume: nothing ran, the runner reports the rows the unit committed earlier.
        return f"  ✓ Up to date: {event.get('rows', 0)} rows stored (resumed)"
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

    def __init__(
        self,
        totals: dict[str, int],
        entities: dict[str, str],
        prefix_processor: bool,
        phases: Optional[dict[str, int]] = None,
    ) -> None:
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
        (log.info if event["status"] in ("success", "empty") or event["status"].startswith("skipped") else log.error)(
            "%s%s", tag, line
        )
        if self.done[p] % 10 == 0:
            denom = max(self.done[p] - self.skipped[p], 1)
            log.info(
                "%sProgress: %d/%d game dates (%.1f%% success)",
                tag,
                self.done[p],
                self.totals.get(p, 0),
                100.0 * self.ok[p] / denom,
            )

    def close(self) -> None:
        pass


class BarProgress:
    """Live bars: one per processor, or one per phase (the default in Jupyter).

    Parameters
    ----------
    totals : dict
        Units per processor name.
    phases : dict, optional
        Phase number per processor name; with ``by_phase`` the bars group processors by phase and
        each phase bar's postfix shows its processors' own progress (``pgs 12/60``).
    by_phase : bool, optional
        Group by phase; default True in Jupyter, False on a terminal.
    codes : dict, optional
        Short code per processor name (``pgs``) for the phase postfix.

    Notes
    -----
    In Jupyter the bars are ipywidgets (``tqdm.notebook``) when ipywidgets is installed, text bars in
    the cell's stderr otherwise.
    """

    def __init__(
        self,
        totals: dict[str, int],
        phases: Optional[dict[str, int]] = None,
        by_phase: Optional[bool] = None,
        codes: Optional[dict[str, str]] = None,
    ) -> None:
        from tqdm.std import tqdm as text_bar

        notebook = in_notebook()
        bar_cls = text_bar
        if notebook:
            try:
                from tqdm.notebook import tqdm as widget_bar

                widget_bar(total=0, disable=False).close()  # raises ImportError without ipywidgets
                bar_cls = widget_bar
            except ImportError:  # no ipywidgets: text bars still render in the notebook's stderr
                bar_cls = text_bar
        self.widgets = bar_cls is not text_bar
        phases = phases or {}
        self.by_phase = notebook if by_phase is None else bool(by_phase)
        self.codes = codes or {}
        self.totals = dict(totals)
        self.done: dict[str, int] = defaultdict(int)
        self.failed: dict[str, int] = defaultdict(int)
        if self.by_phase:
            self.group = {p: f"Phase {phases.get(p, '?')}" for p in totals}
        else:
            self.group = {p: p for p in totals}
        group_totals: dict[str, int] = {}
        for p, n in totals.items():
            group_totals[self.group[p]] = group_totals.get(self.group[p], 0) + n
        self.members: dict[str, list[str]] = defaultdict(list)
        for p in totals:
            self.members[self.group[p]].append(p)
        self.bars = {
            g: bar_cls(
                total=n,
                desc=g,
                unit="unit" if self.by_phase else "date",
                leave=True,
                dynamic_ncols=True,
                file=sys.stderr,
            )
            for g, n in group_totals.items()
        }

    def postfix(self, group: str) -> str:
        """The per-processor counts shown beside a phase bar (``pgs 12/60 · upgc 10/60``)."""
        parts = []
        for p in self.members.get(group, []):
            part = f"{self.codes.get(p, p)} {self.done[p]}/{self.totals[p]}"
            if self.failed[p]:
                part += f" ({self.failed[p]} failed)"
            parts.append(part)
        return " · ".join(parts)

    def update(self, event: dict[str, Any]) -> None:
        """Advance the bar of the event's processor (or phase) by one unit."""
        p = event["processor"]
        group = self.group.get(p)
        if group is None:
            return
        bar = self.bars[group]
        self.done[p] += 1
        if event["status"] in ("failed", "blocked"):
            self.failed[p] += 1
        if self.by_phase:
            bar.set_postfix_str(self.postfix(group), refresh=False)
        elif self.failed[p]:
            bar.set_postfix(failed=self.failed[p], refresh=False)
        bar.update(1)

    def close(self) -> None:
        """Close every bar (they stay visible)."""
        for bar in self.bars.values():
            bar.close()


def make_progress(
    mode: Optional[str | bool],
    totals: dict[str, int],
    entities: dict[str, str],
    prefix_processor: bool = True,
    phases: Optional[dict[str, int]] = None,
    codes: Optional[dict[str, str]] = None,
):
    """The progress display of a backfill.

    Parameters
    ----------
    mode : {"bar", "log", "none"} or bool or None
        True/"bar" for bars, False/"log" for the legacy log lines, "none" for nothing, None to choose
        (bars on a TTY or in Jupyter, log lines otherwise).
    totals : dict
        Units per processor.
    entities : dict
        Entity word per processor (``players``, ``teams``) for the legacy outcome lines.
    prefix_processor : bool
        Prefix log lines with ``[processor]`` (several processors in one run).
    phases : dict, optional
        Phase per processor (legacy wording; phase bars in Jupyter).
    codes : dict, optional
        Short code per processor (phase bar postfix).

    Returns
    -------
    BarProgress or LegacyLogProgress or None
        An object with ``update(event)`` and ``close()``, or None for ``"none"``.

    Raises
    ------
    ValueError
        For an unknown mode.
    """
    if mode is None:
        mode = "bar" if (sys.stderr.isatty() or in_notebook()) else "log"
    if mode is True:
        mode = "bar"
    if mode is False:
        mode = "log"
    if mode == "bar":
        return BarProgress(totals, phases, codes=codes)
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
