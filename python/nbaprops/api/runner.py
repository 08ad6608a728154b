"""Planning, pre-flight, backfills and coverage: the Python face of the native runner."""

from __future__ import annotations

import collections
import contextlib
import contextvars
import logging
import os
import signal
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Optional, Sequence

import pandas as pd

from .. import _core
from ..errors import ConfigError
from .dates import DateLike, iso, to_days
from .models import ensure_default_model
from .progress import make_progress
from ._handle import engine_of, name_list
from .warehouse import Warehouse

#: The dtype pandas gives dates parsed from ISO text (datetime64[ns] before pandas 3, [us] from it): report dates
#: keep it, whichever pandas is installed.
_DATE_DTYPE = pd.to_datetime(["2000-01-01"]).dtype


def _dated_frame(rows: Any, columns: list[str]) -> pd.DataFrame:
    """A report's rows (a sequence of rows, or the native side's dict of columns) as a frame, its "date" column
    (days since 1970-01-01) as datetimes, converted in one numpy step (formatting each day as ISO text to parse it
    back took 5 ms of a 0.1 s one-processor season)."""
    frame = pd.DataFrame(rows, columns=columns)
    if len(frame):
        days = frame["date"].to_numpy(dtype="int64").astype("datetime64[D]")
        frame["date"] = pd.to_datetime(days).astype(_DATE_DTYPE)
    return frame


#: Where :func:`backfill` warns (a refused pre-flight, a range without game dates). Without any logging
#: configuration Python's last-resort handler still shows a warning on stderr.
_log = logging.getLogger("nbaprops.backfill")

#: True while a caller that prints a refused pre-flight and an empty range itself runs a backfill (the
#: CLI): :func:`backfill` then leaves those warnings to it rather than showing them twice.
_CALLER_REPORTS = contextvars.ContextVar("nbaprops_caller_reports_outcome", default=False)


@contextlib.contextmanager
def caller_reports_outcome() -> Iterator[None]:
    """Within this block :func:`backfill` does not log a refused pre-flight or a range without game dates:
    the caller (the command line) prints them itself."""
    token = _CALLER_REPORTS.set(True)
    try:
        yield
    finally:
        _CALLER_REPORTS.reset(token)


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


@dataclass
class Plan:
    """Units (processor, date) of a backfill, with bootstrap/no-game dates marked and why."""

    native: Any
    warehouse: Warehouse
    #: True when the plan lists explicit dates (``--dates``): such runs never read or write a checkpoint.
    explicit_dates: bool = False
    #: What was asked for, for messages: the range (ISO, None when open) or the explicit dates.
    requested: str = ""

    @property
    def processors(self) -> list[str]:
        return list(self.native.processors())

    @property
    def dates(self) -> list[str]:
        return [iso(d) for d in self.native.dates()]

    def units(self) -> pd.DataFrame:
        return _dated_frame(self.native.units(), ["processor", "date", "planned", "reason"])

    def to_frame(self) -> pd.DataFrame:
        return self.units()

    def __len__(self) -> int:
        return int(self.native.size())

    def __str__(self) -> str:
        return str(self.native.to_text())

    def _repr_html_(self) -> str:  # pragma: no cover - notebook display
        return f"<pre>{self}</pre>"


def plan(
    wh: Warehouse,
    start: Optional[DateLike] = None,
    end: Optional[DateLike] = None,
    *,
    processors: Optional[Iterable[str] | str] = None,
    dates: Optional[Sequence[DateLike]] = None,
) -> Plan:
    """Plan a backfill: the units (processor, date) over [start, end] or explicit dates.

    Parameters
    ----------
    wh : Warehouse
        The warehouse whose schedule gives the game dates.
    start, end : date-like, optional
        The range (``--start-date`` / ``--end-date``).
    processors : str or iterable of str, keyword-only
        Names, short codes (``psza``), phases (``phase4``) or ``all`` (default); a comma-separated
        string works too.
    dates : sequence of date-like or str, keyword-only
        Explicit dates instead of a range, kept in the given order (``--dates``); a comma-separated
        string works too.

    Returns
    -------
    Plan
        ``.units()`` lists every unit with ``planned`` (run / skipped_bootstrap / skipped_no_games)
        and why; ``len(plan)`` counts them.

    Raises
    ------
    ConfigError
        For an unknown processor or an end before the start.
    DataError
        For an invalid date (the message names the flag).
    """
    s = None if start is None else to_days(start, "--start-date")
    e = None if end is None else to_days(end, "--end-date")
    ds = [to_days(d, "--dates") for d in (name_list(dates) if isinstance(dates, str) else dates or [])]
    native = _core.make_plan(engine_of(wh), wh.schedule(), s, e, ds, name_list(processors))
    if ds:
        requested = "--dates " + ",".join(iso(d) for d in ds)
    else:
        requested = f"{'…' if s is None else iso(s)} .. {'…' if e is None else iso(e)}"
    return Plan(native, wh, explicit_dates=bool(ds), requested=requested)


def no_game_dates_warning(p: Plan) -> Optional[str]:
    """The warning for a plan without a single game date (almost always a mistyped range), else None. Explicit
    dates stay in a plan, each unit ``skipped_no_games`` when the day has no game."""
    if p.native.dates() and not p.native.all_skipped_no_games():
        return None
    return f"No game dates in {p.requested or 'the plan'} according to the warehouse's schedule: nothing to do"


@dataclass
class PreflightReport:
    """Pre-flight: upstream tables × planned dates, ok / missing / partial / empty with counts."""

    native: Any

    @property
    def ok(self) -> bool:
        return bool(self.native.ok())

    def to_frame(self) -> pd.DataFrame:
        return _dated_frame(self.native.cells(), ["table", "date", "status", "expected", "found", "reason"])

    def problems(self) -> pd.DataFrame:
        f = self.to_frame()
        return f[~f["status"].isin(["ok", "empty"])].reset_index(drop=True)

    def __str__(self) -> str:
        return str(self.native.to_text())


def preflight(wh: Warehouse, p: Plan) -> PreflightReport:
    """Check, before any write, that every upstream table the plan reads has its rows.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to check.
    p : Plan
        The plan; tables it produces itself are not checked.

    Returns
    -------
    PreflightReport
        ``.ok`` and ``.problems()`` (table, date, status missing/partial, expected, found, reason);
        ``.to_frame()`` also has the ``empty`` cells: no rows, because the table's producer ran and had
        nothing to write (its run-ledger row says so, with the reason), which is not a problem.
    """
    return PreflightReport(_core.preflight(engine_of(wh), wh.schedule(), p.native))


@dataclass
class RunResult:
    """Outcome of a backfill: one terminal status per unit, an exit code, a summary.

    ``units`` may be given as a function returning the frame: :func:`backfill` passes one, so the frame of a
    run's units is built when it is first read (a caller that only checks the exit code or prints the summary
    never pays for it), then kept (the property below).
    """

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
        counts = self.units.pivot_table(
            index="processor", columns="status", values="date", aggfunc="count", fill_value=0
        )
        counts["rows"] = self.units.groupby("processor")["rows"].sum()
        order = [p for p in dict.fromkeys(self.units["processor"])]
        return counts.reindex(order)

    def __str__(self) -> str:
        return self.summary_text

    def __getstate__(self) -> dict:
        # A copy holds the frame, not the function building it.
        return {**self.__dict__, "_units": self.units}


def _units_of(result: RunResult) -> pd.DataFrame:
    units = result.__dict__["_units"]
    if callable(units):
        units = result.__dict__["_units"] = units()
    return units


def _set_units(result: RunResult, units: Any) -> None:
    result.__dict__["_units"] = units


# The dataclass's __init__ assigns ``units`` through this property: a function given for it is called at the
# first read.
RunResult.units = property(_units_of, _set_units, doc="One row per unit: its terminal status, rows, seconds.")  # type: ignore[assignment]


def _result_frame(native_units: Any) -> pd.DataFrame:
    return _dated_frame(
        native_units,
        [
            "processor",
            "date",
            "status",
            "rows",
            "entities",
            "attempts",
            "seconds",
            "read_seconds",
            "compute_seconds",
            "write_seconds",
            "reason",
            "start_seq",
            "end_seq",
        ],
    )


@contextlib.contextmanager
def _sigterm_cancels(handle: Any) -> Iterator[None]:
    """While a run is driven on the main thread, SIGTERM (``kill``, ``timeout``, a docker / Kubernetes / Cloud
    Run stop) cancels it as Ctrl-C does (legacy spec §2.6: 130 on SIGINT/SIGTERM); the previous handler is
    restored afterwards. The handler only asks the native run to cancel (thread-safe): it runs on the main
    thread, between Python bytecodes, never inside a TBB task. Off the main thread (where Python cannot set
    handlers), or when the current handler was installed outside Python (it could not be restored), nothing
    changes."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is None:
        yield
        return

    def cancel(signum: int, frame: Any) -> None:
        handle.cancel()

    previous = signal.signal(signal.SIGTERM, cancel)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _drive(handle: Any, reporter: Any) -> Any:
    """Poll the run's events on this thread until it ends; return the native result.

    A KeyboardInterrupt (Ctrl-C, or Jupyter's kernel interrupt, which is SIGINT too) cancels the run:
    units already running finish and commit, nothing new starts, the checkpoint is saved. Further
    interrupts while the run winds down are absorbed, so the caller always gets the result back. On the
    main thread SIGTERM does the same (:func:`_sigterm_cancels`).
    """
    with _sigterm_cancels(handle):
        return _drive_polling(handle, reporter)


def _drive_polling(handle: Any, reporter: Any) -> Any:
    """:func:`_drive` itself: the polling loop and the wind-down."""
    try:
        while True:
            try:
                for ev in handle.poll(0.1):
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
        native = None
        while native is None:
            try:
                native = handle.wait()
            except KeyboardInterrupt:  # a second interrupt during the wind-down: keep waiting
                handle.cancel()
        if reporter is not None:
            reporter.close()
    return native


#: What ``progress`` may be besides a reporter object.
_PROGRESS_MODES = (None, True, False, "bar", "log", "none")


def _check_progress(progress: Any) -> None:
    """Refuse an unknown ``progress`` before anything runs (ConfigError, also a ValueError)."""
    if hasattr(progress, "update") and hasattr(progress, "close"):
        return
    if isinstance(progress, (bool, str, type(None))) and progress in _PROGRESS_MODES:
        return
    raise ConfigError(
        f"progress={progress!r}: expected 'bar', 'log', 'none', True, False, None or a reporter "
        "with update(event) and close()"
    )


def require_writable(wh: Warehouse) -> None:
    """Refuse a backfill on a read-only warehouse before anything runs (ConfigError naming its path)."""
    _core.require_writable(engine_of(wh))


def backfill(
    wh: Warehouse,
    p: Plan | DateLike | None = None,
    end: Optional[DateLike] = None,
    *,
    processors: Optional[Iterable[str] | str] = None,
    dates: Optional[Sequence[DateLike]] = None,
    workers: int = 2,
    resume: bool = True,
    stop_on_failure: bool = False,
    skip_preflight: bool = False,
    progress: Optional[str | bool] = None,
    checkpoint_dir: Optional[str | os.PathLike] = None,
    max_retries: int = 3,
    retry_base_seconds: float = 0.5,
    cache_reads: bool = True,
) -> RunResult:
    """Run a backfill: every unit of the plan, in dependency order, ``workers`` at a time.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to read and write.
    p : Plan or date-like, optional
        A :class:`Plan`, or the start date (with ``end``; ``processors`` and ``dates`` as in :func:`plan`).
    end : date-like, optional
        The last date when ``p`` is a start date.
    processors, dates : keyword-only
        As in :func:`plan`, when no Plan is given.
    workers : int
        Units running at once (≥ 1).
    resume : bool
        Skip units whose inputs are unchanged since their last commit (content-aware resume), and
        dates a legacy checkpoint records as done. A plan of explicit dates neither resumes from nor
        writes a checkpoint (as the legacy ``--dates``).
    stop_on_failure : bool
        After the first failed unit start nothing new.
    skip_preflight : bool
        Run without the pre-flight check.
    progress : {"bar", "log", "none"}, bool or reporter, optional
        ``"bar"`` (or True): live bars on stderr (per phase in Jupyter, ipywidgets when installed).
        ``"log"`` (or False): the legacy per-date lines, logged at INFO to the ``nbaprops.backfill``
        logger; Python shows INFO records only once logging is configured, so a plain script prints
        nothing until it calls e.g. ``logging.basicConfig(level=logging.INFO)``. ``"none"``: nothing.
        None (default) chooses bars when stderr is a terminal or in Jupyter, else ``"log"``. An object
        with ``update(event)`` and ``close()`` is used as the reporter (an optional ``begin()`` is
        called once the run has started). Any other value raises ConfigError before anything runs.
    checkpoint_dir : path-like, optional
        See :func:`resolve_checkpoint_dir`.
    max_retries, retry_base_seconds
        Retries of a unit after a transient error, with exponential backoff.
    cache_reads : bool
        Serve upstream reads from a run-scoped cache (False: every unit reads the warehouse).

    Returns
    -------
    RunResult
        One terminal status per unit (``.units``), ``.summary`` per processor, ``.failed``,
        ``.exit_code`` (0 only when no unit failed or was blocked; 1 when pre-flight refused the run,
        with nothing written; 130 after an interrupt), ``.cancelled`` and ``.summary_text`` (the
        text the command line prints). When the pre-flight refuses, ``.units`` and ``.summary`` are
        empty, ``.summary_text`` holds the pre-flight report (``print(result.summary_text)``) and
        ``.preflight`` the :class:`PreflightReport` (``.problems()`` lists the missing and partial
        upstream cells).

    Raises
    ------
    ConfigError
        On a read-only warehouse (opened so, or its directory or a database file is not writable),
        naming its path, and for an unknown ``progress``, before anything runs.

    Notes
    -----
    A refused pre-flight and a plan without a single game date are also logged as warnings to the
    ``nbaprops.backfill`` logger, which Python shows on stderr even without any logging configuration.

    Ctrl-C — or Jupyter's "interrupt the kernel", the same signal — stops cleanly: units already
    running finish and commit, nothing new starts, nothing is half-written, the checkpoint is saved and
    the call returns a RunResult with ``cancelled`` True and exit code 130. Rerun to resume. Called on the
    main thread, SIGTERM (``kill``, ``timeout``, a container stop) stops the run the same way while it runs;
    the previous SIGTERM handler is restored when the call returns.

    Another run writing the same tables refuses this one before any unit runs with
    ``nbaprops.WarehouseBusyError`` (a StorageError) naming that run.
    """
    _check_progress(progress)
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if not isinstance(p, Plan):
        p = plan(wh, p, end, processors=processors, dates=dates)
    require_writable(wh)
    empty = no_game_dates_warning(p)
    if empty and not _CALLER_REPORTS.get():
        _log.warning("%s", empty)
    totals: dict[str, int] = dict(collections.Counter(p.native.units()["processor"]))
    if "player_prop_predictions" in totals:
        ensure_default_model()  # parsed in the background while pre-flight and the earlier phases run
    report = None
    if not skip_preflight:
        report = preflight(wh, p)
        if not report.ok:
            refused = RunResult(
                units=_result_frame([]),
                exit_code=1,
                cancelled=False,
                seconds=0.0,
                summary_text="PRE-FLIGHT FAILED — nothing was written.\n" + str(report),
                preflight=report,
            )
            if not _CALLER_REPORTS.get():
                _log.warning(
                    "backfill refused by the pre-flight (exit code 1; the report is also in "
                    "result.summary_text and result.preflight):\n%s",
                    refused.summary_text,
                )
            return refused
    ckpt = "" if p.explicit_dates else resolve_checkpoint_dir(checkpoint_dir)
    run_id = uuid.uuid4().hex[:12]
    infos = {x["name"]: x for x in _core.processors()}
    reporter = (
        progress
        if hasattr(progress, "update")
        else make_progress(
            progress,
            totals,
            {k: v["entity"] for k, v in infos.items()},
            prefix_processor=len(totals) > 1,
            phases={k: v["phase"] for k, v in infos.items()},
            codes={k: v["code"] for k, v in infos.items()},
        )
    )
    options = _core.RunOptions()
    options.workers = int(workers)
    options.stop_on_failure = bool(stop_on_failure)
    options.resume = bool(resume)
    options.max_retries = int(max_retries)
    options.retry_base_seconds = float(retry_base_seconds)
    options.checkpoint_dir = ckpt
    options.run_id = run_id
    options.cache_reads = bool(cache_reads)
    handle = _core.start_run(engine_of(wh), wh.schedule(), p.native, options)
    if hasattr(reporter, "begin"):
        reporter.begin()  # the run has started (pre-flight passed)
    native = _drive(handle, reporter)
    return RunResult(
        units=lambda: _result_frame(native.units()),
        exit_code=int(native.exit_code()),
        cancelled=bool(native.cancelled),
        seconds=float(native.seconds),
        summary_text=str(native.summary_text()),
        preflight=report,
        run_id=run_id,
    )


def checkpoint_status(
    job: str, start: DateLike, end: DateLike, checkpoint_dir: Optional[str | os.PathLike] = None
) -> str:
    """The legacy checkpoint status box of one job and range.

    Parameters
    ----------
    job : str
        The legacy job name (a processor's ``legacy_job``).
    start, end : date-like
        The range the checkpoint covers.
    checkpoint_dir : path-like, optional
        See :func:`resolve_checkpoint_dir`.

    Returns
    -------
    str
        The status box (dates done, failed, remaining), or the would-be path when none exists.
    """
    ckpt = resolve_checkpoint_dir(checkpoint_dir)
    return str(_core.checkpoint_status(ckpt, job, to_days(start, "--start-date"), to_days(end, "--end-date")))


def reset_checkpoint(
    job: str, start: DateLike, end: DateLike, checkpoint_dir: Optional[str | os.PathLike] = None
) -> bool:
    """Delete the checkpoint of one job and range (``--no-resume``).

    Parameters
    ----------
    job : str
        The legacy job name.
    start, end : date-like
        The range the checkpoint covers.
    checkpoint_dir : path-like, optional
        See :func:`resolve_checkpoint_dir`.

    Returns
    -------
    bool
        True if a checkpoint existed.
    """
    ckpt = resolve_checkpoint_dir(checkpoint_dir)
    return bool(_core.checkpoint_reset(ckpt, job, to_days(start, "--start-date"), to_days(end, "--end-date")))


@dataclass
class FreshnessReport:
    """Per unit of a plan: up_to_date / stale / missing / failed / skipped (check-only resume)."""

    native: Any

    def to_frame(self) -> pd.DataFrame:
        return _dated_frame(self.native.units(), ["processor", "date", "state", "reason", "rows", "committed_at"])

    def stale(self) -> pd.DataFrame:
        """The units whose inputs changed since their commit (a resume recomputes them)."""
        f = self.to_frame()
        return f[f["state"] == "stale"].reset_index(drop=True)

    def __str__(self) -> str:
        return str(self.native.to_text())


def freshness(
    wh: Warehouse,
    p: Plan | DateLike | None = None,
    end: Optional[DateLike] = None,
    *,
    processors: Optional[Iterable[str] | str] = None,
    dates: Optional[Sequence[DateLike]] = None,
) -> FreshnessReport:
    """Check, without running anything, which units of a plan are up to date and which are stale.

    Each unit's input fingerprint (the content hashes of the partitions its windows read) is
    compared with the one its last committed run-ledger row recorded, as a resume does. Nothing is
    written and no run lock is taken: it works on a read-only warehouse.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to check.
    p : Plan or date-like, optional
        A :class:`Plan`, or the start date (with ``end``; ``processors`` and ``dates`` as in :func:`plan`).
    end : date-like, optional
        The last date when ``p`` is a start date.
    processors, dates : keyword-only
        As in :func:`plan`, when no Plan is given.

    Returns
    -------
    FreshnessReport
        ``.to_frame()`` (processor, date, state, reason, rows, committed_at) with state
        ``up_to_date`` (a resume skips it), ``stale`` (committed, but its inputs changed since, its
        stored rows changed, or an upstream unit of the plan is not up to date: a resume recomputes
        it), ``missing`` (never committed, or its rows are gone), ``failed`` (its latest run failed
        or was blocked) or ``skipped`` (bootstrap or no-game date); ``.stale()``; ``str()`` is the
        per-processor table that ``--status`` prints.
    """
    if not isinstance(p, Plan):
        p = plan(wh, p, end, processors=processors, dates=dates)
    return FreshnessReport(_core.freshness(engine_of(wh), wh.schedule(), p.native))


@dataclass
class CoverageReport:
    """Tables × game dates: ok / missing / partial / stale / failed / bootstrap / empty against the schedule."""

    native: Any

    def to_frame(self) -> pd.DataFrame:
        return _dated_frame(self.native.cells(), ["table", "date", "status", "expected", "found", "reason"])

    def gaps(self) -> pd.DataFrame:
        f = self.to_frame()
        return f[~f["status"].isin(["ok", "bootstrap", "empty"])].reset_index(drop=True)

    def to_json(self) -> str:
        f = self.to_frame()
        if len(f):
            f["date"] = f["date"].dt.strftime("%Y-%m-%d")
        return f.to_json(orient="records")

    def __str__(self) -> str:
        return str(self.native.to_text())


def coverage(
    wh: Warehouse, start: DateLike, end: DateLike, tables: Optional[Iterable[str] | str] = None
) -> CoverageReport:
    """Gap report: tables × game dates against the schedule.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to inspect.
    start, end : date-like
        The range; only its game dates are checked.
    tables : str or iterable of str, optional
        Tables to check, a list or a comma-separated string (default: every processor's output
        table, in dependency order).

    Returns
    -------
    CoverageReport
        ``.to_frame()`` (table, date, status ok/missing/partial/stale/failed/bootstrap/empty, expected,
        found, reason), ``.gaps()`` (every status but ok, bootstrap and empty), ``.to_json()``. ``stale``:
        the rows are there, but the unit that wrote them is stale (see :func:`freshness`): its inputs
        changed since it committed, or an upstream result it reads is stale, failed or missing.
        ``empty``: a precompute or prediction table holds no rows on the date because its producer ran
        and had nothing to write (e.g. TDZA before any team has played 15 games); ``reason`` is the
        run's. ``failed`` and ``missing`` cells carry the newest run's reason too, when there is one.
    """
    names = name_list(tables) or [x["output_table"] for x in _core.processors()]
    return CoverageReport(
        _core.coverage(engine_of(wh), wh.schedule(), to_days(start, "--start-date"), to_days(end, "--end-date"), names)
    )
