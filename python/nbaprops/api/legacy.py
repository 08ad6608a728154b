"""The run behind ``nbaprops backfill`` and the legacy-compatible job scripts: the injectable clock,
date selection, the optional job gate, dry-run, pre-flight refusal and checkpoint handling.

The job scripts (``nbaprops.jobs``) and the CLI both call :func:`run_backfill`; the scripts add the
legacy wording (log lines, summary blocks) through the ``reporter``/``on_result``/``on_refusal`` hooks.
"""

from __future__ import annotations

import datetime as _dt
import logging
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence
from zoneinfo import ZoneInfo

from ..errors import ConfigError
from .dates import iso

#: The legacy game dates are US/Eastern calendar days; "today" is read in that zone.
EASTERN = ZoneInfo("America/New_York")

#: Exit code of a run in which nothing failed but a job gate skipped one or more dates (the
#: predictions' MLFS coverage gate). 0 = everything ran, 1 = a failure or a pre-flight refusal,
#: 2 = usage error, 130 = interrupted.
EXIT_SKIPPED = 3


def today() -> _dt.date:
    """Today's date: ``$NBAPROPS_TODAY`` (YYYY-MM-DD, for tests and replays) or the US/Eastern clock."""
    fixed = os.environ.get("NBAPROPS_TODAY")
    if fixed:
        try:
            return _dt.date.fromisoformat(fixed.strip())
        except ValueError:
            raise ConfigError(f"NBAPROPS_TODAY={fixed!r} is not a date (YYYY-MM-DD)") from None
    return _dt.datetime.now(EASTERN).date()


def days_ago(n: int) -> str:
    """``today() - n`` days, ISO."""
    return (today() - _dt.timedelta(days=n)).isoformat()


def parse_date(value: str, flag: str) -> str:
    """Validates one YYYY-MM-DD value of ``flag``; raises ConfigError naming the flag and value."""
    try:
        return _dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ConfigError(f"{flag}: invalid date {value!r} (expected YYYY-MM-DD)") from None


def parse_dates(text: Optional[str]) -> list[str]:
    """The ``--dates`` list (comma separated, order kept), validated."""
    if not text:
        return []
    return [parse_date(d, "--dates") for d in text.split(",") if d.strip()]


def select_dates(wh, args) -> tuple[Optional[str], Optional[str], list[str]]:
    """(start, end, explicit dates) of ``nbaprops backfill``-style flags: ``--dates`` wins; a lone
    ``--start-date`` runs one day; no date flag means the warehouse's whole schedule."""
    dates = parse_dates(getattr(args, "dates", None))
    start, end = args.start_date, args.end_date
    if not dates and start is None and end is None:
        games = [g for g in wh.schedule().games() if g["counts"]]
        if not games:
            raise ConfigError(
                f"warehouse {wh.uri} has no schedule: run `nbaprops generate` or "
                "`nbaprops import schedule` first, or pass --start-date/--end-date"
            )
        start, end = iso(games[0]["game_date"]), iso(games[-1]["game_date"])
    elif not dates:
        if start is None:
            raise ConfigError("--start-date is required with --end-date")
        end = end or start
    return start, end, dates


@dataclass
class GateResult:
    """What a job gate decided before the run: dates to leave out, each with its reason."""

    skip: dict[str, str] = field(default_factory=dict)
    ok_dates: list[str] = field(default_factory=list)


@dataclass
class RunContext:
    """What :func:`run_backfill` planned, handed to the hooks."""

    warehouse: Any
    plan: Any
    start: Optional[str]
    end: Optional[str]
    dates: list[str]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def explicit(self) -> bool:
        return bool(self.dates)


def start_from(plan_processors: Sequence[str], name: str) -> list[str]:
    """The processors of a plan (in its dependency order) from ``name`` (a name or short code) on."""
    import nbaprops

    codes = {p["code"]: p["name"] for p in nbaprops.processors()}
    target = codes.get(name, name)
    order = list(plan_processors)
    if target not in order:
        raise ConfigError(f"--start-from {name}: not one of the selected processors ({', '.join(order)})")
    return order[order.index(target) :]


def run_backfill(
    args,
    processors,
    *,
    log: Optional[logging.Logger] = None,
    dates_fn: Optional[Callable[[Any, Any], tuple]] = None,
    gate: Optional[Callable[[RunContext, logging.Logger], GateResult]] = None,
    reporter: Optional[Callable[[RunContext], Any]] = None,
    before_run: Optional[Callable[[RunContext], None]] = None,
    on_dry_run: Optional[Callable[[RunContext, Any], None]] = None,
    on_refusal: Optional[Callable[[RunContext, Any], None]] = None,
    on_result: Optional[Callable[[RunContext, Any], None]] = None,
) -> int:
    """Plan, check and run a backfill from parsed backfill flags; returns the exit code.

    ``dates_fn(wh, args) -> (start, end, dates)`` picks the dates (default :func:`select_dates`);
    ``gate(ctx, log)`` may leave dates out (they are reported, the rest runs, exit code
    :data:`EXIT_SKIPPED` when nothing else went wrong); ``reporter(ctx)`` returns the progress
    reporter (an object with ``update(event)``/``close()``); ``on_dry_run``, ``on_refusal`` (pre-flight
    refused: nothing was written) and ``on_result`` print the job's own lines. A plan of explicit
    ``--dates`` never resumes from nor writes a checkpoint, so a retry leaves a range checkpoint as it was.
    """
    import nbaprops

    from .runner import caller_reports_outcome

    log = log or logging.getLogger("nbaprops.backfill")
    wh = nbaprops.open(args.warehouse)
    start, end, dates = (dates_fn or select_dates)(wh, args)
    if args.workers < 1:
        raise ConfigError("--workers must be at least 1")
    selection = processors
    if getattr(args, "start_from", None):
        selection = start_from(
            nbaprops.plan(wh, start, end, processors=processors, dates=dates or None).processors, args.start_from
        )
    p = nbaprops.plan(wh, start, end, processors=selection, dates=dates or None)
    ctx = RunContext(wh, p, start, end, list(dates))
    jobs = [x for x in nbaprops.processors() if x["name"] in p.processors]
    if args.status and not dates:  # the legacy ignored --status when --dates was given: the dates run
        # The checkpoint boxes, then what the warehouse says: which committed dates are stale (inputs changed since), missing or failed.
        for j in jobs:
            print(nbaprops.checkpoint_status(j["legacy_job"], start, end, args.checkpoint_dir))
        print(nbaprops.freshness(wh, p))
        return 0
    if not args.dry_run:
        from .runner import require_writable  # imports pandas: not before the arguments are parsed

        require_writable(wh)  # before a checkpoint is reset or a unit runs
    model = getattr(args, "xgboost_model", None)
    if model:
        nbaprops.set_xgboost_model(None if model.lower() == "none" else model)
    verdict = gate(ctx, log) if gate is not None else GateResult()
    if verdict.skip:
        ctx.skipped = dict(verdict.skip)
        if verdict.ok_dates:
            # The runner cannot leave single dates of a range out, so the rest runs as explicit dates:
            # the range checkpoint is then neither read nor written.
            if not dates:
                log.warning(
                    "%d date(s) skipped: the remaining %d run as explicit dates, without the range checkpoint",
                    len(verdict.skip),
                    len(verdict.ok_dates),
                )
            p = nbaprops.plan(wh, processors=selection, dates=verdict.ok_dates)
            ctx.plan = p
    if before_run is not None:
        before_run(ctx)
    if args.dry_run:
        report = nbaprops.preflight(wh, p)
        if on_dry_run is not None:
            on_dry_run(ctx, report)
        else:
            print(p)
            print(report)
        return 0
    if verdict.skip and not verdict.ok_dates:
        if on_result is not None:
            on_result(ctx, None)
        return EXIT_SKIPPED
    if args.no_resume and not dates:
        for j in jobs:
            if nbaprops.reset_checkpoint(j["legacy_job"], start, end, args.checkpoint_dir):
                log.info("🔄 --no-resume specified, starting fresh (%s)", j["legacy_job"])
    if args.skip_preflight:
        log.warning(
            "Skipping pre-flight checks (--skip-preflight): upstream gaps are not checked; a unit whose "
            "upstream rows are missing may fail, or succeed with fewer or no rows"
        )
    progress = reporter(ctx) if reporter is not None else args.progress
    with caller_reports_outcome():  # a refusal is printed below, in the caller's own words
        result = nbaprops.backfill(
            wh,
            p,
            workers=args.workers,
            resume=not args.no_resume,
            stop_on_failure=args.stop_on_failure,
            skip_preflight=args.skip_preflight,
            progress=progress,
            checkpoint_dir=args.checkpoint_dir,
        )
    if result.preflight is not None and not result.preflight.ok:
        if on_refusal is not None:
            on_refusal(ctx, result.preflight)
        else:
            print(result.summary_text)
        return result.exit_code
    if on_result is not None:
        on_result(ctx, result)
    else:
        print(result.summary_text)
    if result.cancelled:
        log.error("Interrupted: running units finished, checkpoint saved")
    if result.exit_code == 0 and ctx.skipped:
        return EXIT_SKIPPED
    return result.exit_code
