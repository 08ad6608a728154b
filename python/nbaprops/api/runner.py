"""Planning, pre-flight, backfills and coverage: the Python face of the native runner."""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Optional, Sequence

import pandas as pd

from .. import _core
from .dates import DateLike, iso, to_days
from .models import ensure_default_model
from .progress import make_progress
from .warehouse import Warehouse

#: The legacy checkpoint directory: the native ``RunOptions`` default, defined once in the core.
DEFAULT_CHECKPOINT_DIR: str = _core.RunOptions().checkpoint_dir


def resolve_checkpoint_dir(path: Optional[str | os.PathLike] = None) -> str:
    """The checkpoint directory a run uses.

    Parameters
    ----------
    path : path-like, optional
        An explicit directory (``--checkpoint-dir``); wins when given.

    Returns
    -------
    str
        ``path``, else ``$NBAPROPS_CHECKPOINT_DIR``, else :data:`DEFAULT_CHECKPOINT_DIR`
        (``/tmp/backfill_checkpoints``, the legacy layout).
    """
    if path:
        return os.fspath(path)
    return os.environ.get("NBAPROPS_CHECKPOINT_DIR") or DEFAULT_CHECKPOINT_DIR


#: Kept for the legacy job helpers: the same rule as :func:`resolve_checkpoint_dir`.
checkpoint_dir_of = resolve_checkpoint_dir


def _selection(processors: Optional[Iterable[str] | str]) -> list[str]:
    if processors is None:
        return []
    if isinstance(processors, str):
        processors = [p for chunk in processors.split(",") for p in [chunk.strip()] if p]
    return [str(p) for p in processors]


@dataclass
class Plan:
    """Units (processor, date) of a backfill, with bootstrap/no-game dates marked and why."""

    native: Any
    warehouse: Warehouse
    #: True when the plan lists explicit dates (``--dates``): such runs never read or write a checkpoint.
    explicit_dates: bool = False

    @property
    def processors(self) -> list[str]:
        return list(self.native.processors())

    @property
    def dates(self) -> list[str]:
        return [iso(d) for d in self.native.dates()]

    def units(self) -> pd.DataFrame:
        rows = self.native.units()
        frame = pd.DataFrame(rows, columns=["processor", "date", "planned", "reason"])
        frame["date"] = pd.to_datetime([iso(d) for d in frame["date"]]) if len(frame) else frame["date"]
        return frame

    def to_frame(self) -> pd.DataFrame:
        return self.units()

    def __len__(self) -> int:
        return int(self.native.size())

    def __str__(self) -> str:
        return str(self.native.to_text())

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return f"<pre>{self}</pre>"


def plan(wh: Warehouse, start: Optional[DateLike] = None, end: Optional[DateLike] = None, *,
         processors: Optional[Iterable[str] | str] = None, dates: Optional[Sequence[DateLike]] = None) -> Plan:
    """Plan a backfill over [start, end] (or explicit ``dates``, kept in the given order).

    ``processors``: names, short codes (``psza``), phases (``phase4``) or ``all`` (default)."""
    s = None if start is None else to_days(start, "--start-date")
    e = None if end is None else to_days(end, "--end-date")
    ds = [to_days(d, "--dates") for d in (dates or [])]
    native = _core.make_plan(wh._native, wh.schedule(), s, e, ds, _selection(processors))
    return Plan(native, wh, explicit_dates=bool(ds))


@dataclass
class PreflightReport:
    """Pre-flight: upstream tables × planned dates, ok / missing / partial with counts."""

    native: Any

    @property
    def ok(self) -> bool:
        return bool(self.native.ok())

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.native.cells(), columns=["table", "date", "status", "expected", "found"])
        if len(frame):
            frame["date"] = pd.to_datetime([iso(d) for d in frame["date"]])
        return frame

    def problems(self) -> pd.DataFrame:
        f = self.to_frame()
        return f[f["status"] != "ok"].reset_index(drop=True)

    def __str__(self) -> str:
        return str(self.native.to_text())


def preflight(wh: Warehouse, p: Plan) -> PreflightReport:
    """Check, before any write, that every upstream table the plan reads (and does not produce itself)
    has the rows the schedule says must exist."""
    return PreflightReport(_core.preflight(wh._native, wh.schedule(), p.native))


@dataclass
class RunResult:
    """Outcome of a backfill: one terminal status per unit, an exit code, a summary."""

    units: pd.DataFrame
    exit_code: int
    cancelled: bool
    seconds: float
    summary_text: str
    preflight: Optional[PreflightReport] = None
    run_id: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def failed(self) -> pd.DataFrame:
        return self.units[self.units["status"].isin(["failed", "blocked"])].reset_index(drop=True)

    @property
    def summary(self) -> pd.DataFrame:
        """Units per processor × status (plus rows written)."""
        if self.units.empty:
            return pd.DataFrame()
        counts = self.units.pivot_table(index="processor", columns="status", values="date", aggfunc="count",
                                        fill_value=0)
        counts["rows"] = self.units.groupby("processor")["rows"].sum()
        order = [p for p in dict.fromkeys(self.units["processor"])]
        return counts.reindex(order)

    def __str__(self) -> str:
        return self.summary_text


def _result_frame(native_units: list[dict]) -> pd.DataFrame:
    cols = ["processor", "date", "status", "rows", "entities", "attempts", "seconds", "read_seconds",
            "write_seconds", "reason", "start_seq", "end_seq"]
    frame = pd.DataFrame(native_units, columns=cols)
    if len(frame):
        frame["date"] = pd.to_datetime([iso(d) for d in frame["date"]])
    return frame


def backfill(wh: Warehouse, p: Plan | DateLike | None = None, end: Optional[DateLike] = None, *,
             processors: Optional[Iterable[str] | str] = None, dates: Optional[Sequence[DateLike]] = None,
             workers: int = 2, resume: bool = True, stop_on_failure: bool = False, skip_preflight: bool = False,
             progress: Optional[str | bool] = None, checkpoint_dir: Optional[str | os.PathLike] = None,
             max_retries: int = 3, retry_base_seconds: float = 0.5, cache_reads: bool = True) -> RunResult:
    """Run a backfill: every unit of the plan, in dependency order, ``workers`` at a time.

    ``p`` is a :class:`Plan`, or a start date (with ``end``). Pre-flight runs first and blocks the run
    (``RunResult.exit_code`` 1, nothing written) unless ``skip_preflight``. Ctrl-C stops cleanly: running
    units finish, nothing half-written remains, the checkpoint is saved, exit code 130.
    ``cache_reads=False`` makes every unit read from the warehouse (to measure the cache or debug).
    ``progress`` may also be an object with ``update(event)`` and ``close()`` (a custom reporter; an
    optional ``begin()`` is called once the run has started).
    A plan of explicit dates neither resumes from nor writes a checkpoint (as the legacy ``--dates``), so
    a retry never rewrites the checkpoint of a range.
    """
    if not isinstance(p, Plan):
        p = plan(wh, p, end, processors=processors, dates=dates)
    if workers < 1:
        raise ValueError("workers must be at least 1")
    report = None
    if not skip_preflight:
        report = preflight(wh, p)
        if not report.ok:
            return RunResult(units=_result_frame([]), exit_code=1, cancelled=False, seconds=0.0,
                             summary_text="PRE-FLIGHT FAILED — nothing was written.\n" + str(report),
                             preflight=report)
    ckpt = "" if p.explicit_dates else resolve_checkpoint_dir(checkpoint_dir)
    run_id = uuid.uuid4().hex[:12]
    infos = {x["name"]: x for x in _core.processors()}
    totals: dict[str, int] = {}
    for u in p.native.units():
        totals[u["processor"]] = totals.get(u["processor"], 0) + 1
    if "player_prop_predictions" in totals:
        ensure_default_model()
    reporter = progress if hasattr(progress, "update") else make_progress(
        progress, totals, {k: v["entity"] for k, v in infos.items()}, prefix_processor=len(totals) > 1,
        phases={k: v["phase"] for k, v in infos.items()})
    options = _core.RunOptions()
    options.workers = int(workers)
    options.stop_on_failure = bool(stop_on_failure)
    options.resume = bool(resume)
    options.max_retries = int(max_retries)
    options.retry_base_seconds = float(retry_base_seconds)
    options.checkpoint_dir = ckpt
    options.run_id = run_id
    options.cache_reads = bool(cache_reads)
    handle = _core.start_run(wh._native, wh.schedule(), p.native, options)
    if hasattr(reporter, "begin"):
        reporter.begin()  # the run has started (pre-flight passed)
    try:
        while True:
            for ev in handle.poll(0.2):
                if reporter is not None:
                    reporter.update(ev)
            if handle.done():
                for ev in handle.poll(0.0):
                    if reporter is not None:
                        reporter.update(ev)
                break
    except KeyboardInterrupt:
        handle.cancel()
    finally:
        native = handle.wait()
        if reporter is not None:
            reporter.close()
    return RunResult(units=_result_frame(native.units()), exit_code=int(native.exit_code()),
                     cancelled=bool(native.cancelled), seconds=float(native.seconds),
                     summary_text=str(native.summary_text()), preflight=report, run_id=run_id)


def checkpoint_status(job: str, start: DateLike, end: DateLike,
                      checkpoint_dir: Optional[str | os.PathLike] = None) -> str:
    """The legacy checkpoint status box for (job, start, end), or the would-be path."""
    ckpt = resolve_checkpoint_dir(checkpoint_dir)
    return str(_core.checkpoint_status(ckpt, job, to_days(start, "--start-date"), to_days(end, "--end-date")))


def reset_checkpoint(job: str, start: DateLike, end: DateLike,
                     checkpoint_dir: Optional[str | os.PathLike] = None) -> bool:
    """Delete the checkpoint of (job, start, end) (``--no-resume``). Returns True if one existed."""
    ckpt = resolve_checkpoint_dir(checkpoint_dir)
    return bool(_core.checkpoint_reset(ckpt, job, to_days(start, "--start-date"), to_days(end, "--end-date")))


@dataclass
class CoverageReport:
    """Tables × game dates: ok / missing / partial / failed / bootstrap against the schedule."""

    native: Any

    def to_frame(self) -> pd.DataFrame:
        frame = pd.DataFrame(self.native.cells(), columns=["table", "date", "status", "expected", "found"])
        if len(frame):
            frame["date"] = pd.to_datetime([iso(d) for d in frame["date"]])
        return frame

    def gaps(self) -> pd.DataFrame:
        f = self.to_frame()
        return f[~f["status"].isin(["ok", "bootstrap"])].reset_index(drop=True)

    def to_json(self) -> str:
        f = self.to_frame()
        if len(f):
            f["date"] = f["date"].dt.strftime("%Y-%m-%d")
        return f.to_json(orient="records")

    def __str__(self) -> str:
        return str(self.native.to_text())


def coverage(wh: Warehouse, start: DateLike, end: DateLike, tables: Optional[Iterable[str]] = None) -> CoverageReport:
    """Gap report over the game dates of [start, end] for ``tables`` (default: every processor output)."""
    names = list(tables) if tables else [x["output_table"] for x in _core.processors()]
    return CoverageReport(_core.coverage(wh._native, wh.schedule(), to_days(start, "--start-date"),
                                         to_days(end, "--end-date"), names))
