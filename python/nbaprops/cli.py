"""The ``nbaprops`` command line: demo, generate, import, backfill, preflight, coverage, export, copy,
legacy-tree, processors."""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import os
import re
import sys
from typing import Optional, Sequence

from . import _core, errors

DEFAULT_WAREHOUSE = "warehouse"

# ---------------------------------------------------------------- usage validation (exit code 2)
# Argument types reject malformed values while parsing (argparse exits 2); `_check_usage` checks the
# combinations after parsing; `main` maps every ConfigError (unknown processor, bad range…) to 2.
USAGE_EXIT = 2
# Another run is writing the same tables: nothing ran, try again once it finished (sysexits EX_TEMPFAIL).
BUSY_EXIT = errors.BUSY_EXIT
# Commands that read an existing warehouse: a missing directory is an error, never created.
_NEEDS_WAREHOUSE = frozenset({"backfill", "preflight", "coverage", "export"})


class UsageError(errors.ConfigError):
    """A command-line usage error (exit code 2)."""


_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_date(text: str) -> str:
    """argparse type: a real calendar date written YYYY-MM-DD (the Python API's wording when it is not)."""
    try:
        if not _ISO_SHAPE.fullmatch(text):
            raise argparse.ArgumentTypeError(f"invalid date {text!r} (bad format; expected YYYY-MM-DD)")
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r} (no such day; expected YYYY-MM-DD)") from None


def _date_list(text: str) -> str:
    """argparse type: a non-empty comma-separated list of YYYY-MM-DD dates."""
    parts = [d.strip() for d in text.split(",")]
    if not any(parts):
        raise argparse.ArgumentTypeError("empty list of dates (give at least one YYYY-MM-DD, or drop --dates)")
    if not all(parts):
        raise argparse.ArgumentTypeError(f"empty date in {text!r}")
    return ",".join(_iso_date(d) for d in parts)


def _tricodes(text: str) -> list[str]:
    """argparse type: comma-separated team tricodes (upper-cased)."""
    codes = [t.strip().upper() for t in text.split(",") if t.strip()]
    if len(codes) < 2:
        raise argparse.ArgumentTypeError(f"a league needs at least two teams, got {text!r}")
    return codes


def _positive_int(text: str) -> int:
    """argparse type: an integer ≥ 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def require_warehouse(uri: str, flag: str = "--warehouse") -> None:
    """Raise UsageError when the warehouse directory does not exist (commands that read one); other backends
    (``bigquery://…``) are not checked."""
    from .api._handle import sqlite_dir

    path = sqlite_dir(uri)
    if path is not None and not os.path.isdir(path):
        raise UsageError(
            f"{flag}: warehouse directory {path!r} does not exist. Create one with "
            f"`nbaprops generate --warehouse {path}` (demo raw data), `nbaprops demo --warehouse {path}` (demo "
            f"data, backfilled), or `nbaprops import schedule|shots|boxscores FILE --warehouse {path}` (real data)"
        )


def _check_usage(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Checks that need several arguments; exits 2 through the subcommand's parser.error (its usage line)."""
    start, end = getattr(args, "start_date", None), getattr(args, "end_date", None)
    if start and end and end < start:
        getattr(args, "command_parser", parser).error(f"--end-date {end} is before --start-date {start}")


def _warehouse_arg(p: argparse.ArgumentParser, default: Optional[str] = None) -> None:
    p.add_argument(
        "--warehouse",
        "-w",
        default=default or os.environ.get("NBAPROPS_WAREHOUSE", DEFAULT_WAREHOUSE),
        help="warehouse: a SQLite directory or bigquery://PROJECT?location=US; "
        "default $NBAPROPS_WAREHOUSE or ./warehouse",
    )


def _run_flags(p: argparse.ArgumentParser) -> None:
    """How a run goes: --workers, --progress, --checkpoint-dir (backfill and demo)."""
    p.add_argument("--workers", type=_positive_int, default=2, help="units run concurrently (default 2)")
    p.add_argument(
        "--progress",
        choices=["bar", "log", "none"],
        default=None,
        help="live bars or legacy log lines (default: bars on a terminal, log lines otherwise)",
    )
    p.add_argument(
        "--checkpoint-dir", default=None, help="default $NBAPROPS_CHECKPOINT_DIR or /tmp/backfill_checkpoints"
    )


def _league_flags(p: argparse.ArgumentParser) -> None:
    """Which demo league: --seasons, --seed, --teams (demo and generate)."""
    p.add_argument(
        "--seasons",
        type=int,
        nargs="+",
        default=[2023],
        help="season start years, e.g. 2022 2023 for 2022-23 and 2023-24 (default 2023)",
    )
    p.add_argument("--seed", type=int, default=7, help="the league's seed: the same seed, the same league (default 7)")
    p.add_argument(
        "--teams",
        type=_tricodes,
        default=None,
        help="a small league: only the games between these tricodes (comma-separated, e.g. BOS,NYK,PHI)",
    )


def _range_flags(p: argparse.ArgumentParser) -> None:
    """--start-date and --end-date of a report (preflight, coverage)."""
    p.add_argument(
        "--start-date",
        type=_iso_date,
        help="start of the range, YYYY-MM-DD (inclusive; alone: that one day; default: the whole schedule)",
    )
    p.add_argument("--end-date", type=_iso_date, help="end of the range, YYYY-MM-DD (inclusive)")


def add_backfill_flags(p: argparse.ArgumentParser, with_processors: bool = True) -> None:
    """The legacy backfill flags plus ours (--workers, --stop-on-failure, --progress)."""
    p.add_argument("--start-date", type=_iso_date, help="start of the range, YYYY-MM-DD (inclusive)")
    p.add_argument("--end-date", type=_iso_date, help="end of the range, YYYY-MM-DD (inclusive)")
    p.add_argument("--dates", type=_date_list, help="comma-separated dates; takes priority over the range, order kept")
    p.add_argument("--dry-run", action="store_true", help="print the plan and the pre-flight report, write nothing")
    p.add_argument("--no-resume", action="store_true", help="delete the checkpoint and start fresh")
    p.add_argument("--status", action="store_true", help="print the checkpoint status and exit")
    p.add_argument("--skip-preflight", action="store_true", help="bypass the pre-flight check (logs a warning)")
    p.add_argument("--stop-on-failure", action="store_true", help="stop launching units after the first failure")
    _run_flags(p)
    p.add_argument(
        "--xgboost-model",
        default=None,
        metavar="PATH|none",
        help="XGBoost model for the predictions (default $NBAPROPS_XGBOOST_MODEL or the shared "
        "21-feature model; 'none' runs without the XGBoost system)",
    )
    if with_processors:
        p.add_argument(
            "--processors",
            "-p",
            default="all",
            help="names, short codes (togs,psza) or phases (phase3,phase4); default all",
        )


def _setup_logging(verbose: bool = False) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s - %(levelname)s - %(message)s",
        stream=sys.stdout,
        force=True,
    )


def _range(wh, args) -> tuple[Optional[str], Optional[str], list[str]]:
    from .api.legacy import select_dates

    return select_dates(wh, args)


def _warn_if_no_games(log: logging.Logger, plan) -> None:
    """A range (or a --dates list) without a single game date is almost always a mistake: say so (the
    warning :func:`nbaprops.backfill` logs)."""
    from .api.runner import no_game_dates_warning

    warning = no_game_dates_warning(plan)
    if warning:
        log.warning("%s", warning)


def run_backfill(args, processors, log_header: Optional[str] = None) -> int:
    """`nbaprops backfill` (and `nbaprops demo`): the shared run of nbaprops.api.legacy with the plan's header.
    It prints a pre-flight refusal and warns of a range without game dates itself (also for --dry-run), so
    :func:`nbaprops.backfill` does not log them a second time."""
    from .api.legacy import run_backfill as run
    from .api.runner import caller_reports_outcome

    log = logging.getLogger("nbaprops.backfill")
    require_warehouse(args.warehouse)

    def header(ctx) -> None:
        if log_header:
            log.info(log_header)
        log.info("Fetching NBA schedule to find game dates...")
        if not ctx.dates:
            total_days = (_dt.date.fromisoformat(ctx.end) - _dt.date.fromisoformat(ctx.start)).days + 1
            log.info(
                "Found %d game dates out of %d calendar days (skipping %d off-days)",
                len(ctx.plan.dates),
                total_days,
                total_days - len(ctx.plan.dates),
            )
        log.info(
            "Processing %d units: %d processors × %d game dates",
            len(ctx.plan),
            len(ctx.plan.processors),
            len(ctx.plan.dates),
        )
        _warn_if_no_games(log, ctx.plan)

    with caller_reports_outcome():
        return run(args, processors, log=log, before_run=header)


def cmd_backfill(args) -> int:
    return run_backfill(args, args.processors)


def cmd_preflight(args) -> int:
    import nbaprops

    wh = nbaprops.open(args.warehouse)
    start, end, dates = _range(wh, args)
    p = nbaprops.plan(wh, start, end, processors=args.processors, dates=dates or None)
    _warn_if_no_games(logging.getLogger("nbaprops.preflight"), p)
    report = nbaprops.preflight(wh, p)
    print(report)
    return 0 if report.ok else 1


def cmd_generate(args) -> int:
    import nbaprops

    wh = nbaprops.open(args.warehouse)
    summary = nbaprops.demo.generate(wh, seasons=args.seasons, seed=args.seed, teams=args.teams)
    print(f"Generated demo league: seasons {summary['seasons']}, {summary['games']:,} games")
    for table, n in summary["rows"].items():
        print(f"  {table:<45} {n:>10,} rows")
    return 0


def cmd_import(args) -> int:
    import nbaprops

    wh = nbaprops.open(args.warehouse)
    if args.kind in nbaprops.raw_kinds():  # legacy data-lake formats: a file, a lake directory or gs://
        r = nbaprops.import_raw(
            wh,
            args.kind,
            args.path,
            start=args.start_date,
            end=args.end_date,
            dates=args.dates.split(",") if args.dates else None,
            dry_run=args.dry_run,
        )
        print(
            f"{'Checked' if r.dry_run else 'Imported'} {len(r.files)} files → {r.table}: {r.rows:,} rows "
            f"(run {r.run_id})"
        )
        return 0
    fn = {"schedule": nbaprops.import_schedule, "shots": nbaprops.import_shots, "boxscores": nbaprops.import_boxscores}[
        args.kind
    ]
    if args.kind == "schedule" and args.path.startswith("gs://"):
        out = nbaprops.import_schedule_from_store(wh, args.path)  # the newest schedule JSON under the prefix
    else:
        if os.path.isdir(args.path):
            raise UsageError(f"import file {args.path!r} is a directory, not a file: give one {args.kind} file")
        if not os.path.isfile(args.path):
            raise UsageError(f"import file {args.path!r} does not exist")
        out = fn(wh, args.path, on_richer=args.on_richer)
    for k, v in out.items():
        print(f"  {k:<45} {v:>10,}" if isinstance(v, int) else f"  {k:<45} {v}")
    return 0


def cmd_coverage(args) -> int:
    import nbaprops

    wh = nbaprops.open(args.warehouse)
    if args.format == "months":
        print(
            nbaprops.format_monthly(
                nbaprops.monthly_counts(
                    wh, args.start_date, args.end_date, args.tables.split(",") if args.tables else None
                )
            )
        )
        return 0
    start, end, _ = _range(wh, argparse.Namespace(start_date=args.start_date, end_date=args.end_date, dates=None))
    report = nbaprops.coverage(wh, start, end, args.tables.split(",") if args.tables else None)
    print(report.to_json() if args.format == "json" else report)
    return 0 if report.gaps().empty else 1


def cmd_processors(args) -> int:
    import nbaprops

    for p in nbaprops.processors():
        reads = ", ".join(f"{t} ({w}{'' if not n else ' ' + str(n)})" for t, w, n, _ in p["reads"])
        print(f"{p['code']:<6} phase {p['phase']}  {p['output_table']:<48} ← {reads}")
    return 0


def cmd_demo(args) -> int:
    import nbaprops

    _setup_logging()
    wh = nbaprops.open(args.warehouse)
    have = set(s for s in wh.schedule().seasons())
    if args.fresh or not set(args.seasons) <= have:
        cmd_generate(args)
        wh.invalidate()
    sched = nbaprops.open(args.warehouse).schedule()
    starts = [sched.season_start(s) for s in args.seasons]
    ends = [sched.season_end(s) for s in args.seasons]
    from .api.dates import iso

    ns = argparse.Namespace(
        warehouse=args.warehouse,
        start_date=iso(min(starts)),
        end_date=iso(max(ends)),
        dates=None,
        dry_run=False,
        no_resume=True,
        status=False,
        skip_preflight=False,
        stop_on_failure=False,
        workers=args.workers,
        progress=args.progress,
        checkpoint_dir=args.checkpoint_dir,
    )
    code = run_backfill(ns, "all")
    print()
    print("Coverage (rows per table and month):")
    print(nbaprops.format_monthly(nbaprops.monthly_counts(nbaprops.open(args.warehouse))))
    graded = nbaprops.export_dates(wh)
    if graded:
        out = os.path.join(args.warehouse, "exports")
        exported = nbaprops.export(wh, dates=graded, out_dir=out, workers=args.workers)
        print(
            f"\nExports (Phase 6): {len(exported.files):,} JSON files for {len(graded)} graded dates under "
            f"{os.path.join(out, 'v1')}"
        )
        code = code or exported.exit_code
    return code


def cmd_legacy_tree(args) -> int:
    from .jobs.runbook import cmd_legacy_tree as run

    return run(args)


def add_export_flags(p: argparse.ArgumentParser) -> None:
    """The legacy daily_export date flags and --only, plus --out, --generated-at, --live-file and --workers."""
    from .api.export_names import ALL_LEGACY_TYPES, default_export_dir

    p.add_argument(
        "--date", type=_iso_date, help="export one date, YYYY-MM-DD (default: yesterday, US/Eastern or $NBAPROPS_TODAY)"
    )
    p.add_argument("--start-date", type=_iso_date, help="range start: every calendar day to --end-date, inclusive")
    p.add_argument("--end-date", type=_iso_date, help="range end (inclusive)")
    p.add_argument(
        "--backfill-all", action="store_true", help="every distinct game_date in nba_predictions.prediction_accuracy"
    )
    p.add_argument("--only", default=None, help="comma-separated types (default all): " + ",".join(ALL_LEGACY_TYPES))
    p.add_argument(
        "--out",
        default=default_export_dir(),
        help="output directory, files under <out>/v1/ (default $NBAPROPS_EXPORT_DIR or ./exports)",
    )
    p.add_argument(
        "--generated-at", default=None, help="fixed generated_at value for reproducible files (default: the UTC clock)"
    )
    p.add_argument(
        "--live-file",
        default=None,
        metavar="PATH",
        help="live, live-grading: a saved BallDontLie live box-score response to read instead of "
        "nba_raw.bdl_player_boxscores (the network is never used)",
    )
    p.add_argument("--workers", type=_positive_int, default=2, help="dates built in parallel (default 2)")
    p.add_argument(
        "--players",
        action="store_true",
        help="export the player profiles (players/index.json and players/<lookup>.json) instead of "
        "daily data; the dates and --only are not used (legacy)",
    )
    p.add_argument(
        "--min-games",
        type=int,
        default=5,
        help="--players: graded dates a player needs for a profile file (default: 5)",
    )


def run_export(args, legacy: bool = False) -> int:
    """`nbaprops export` (and, with ``legacy``, the legacy daily_export wording). Returns the exit code."""
    from .api.exports import run_export as run

    require_warehouse(args.warehouse)
    return run(args, legacy=legacy)


def cmd_copy(args) -> int:
    import nbaprops

    require_warehouse(args.source, "--from")  # a mistyped source is refused, never created empty
    start, end = (args.dates, args.dates) if args.dates else (args.start_date, args.end_date)
    df = nbaprops.copy(args.source, args.destination, args.tables, start, end)
    for r in df.itertuples():
        print(f"  {r.table:<45} {r.partitions:>6,} partitions {r.rows:>10,} rows")
    return 0


def version_text() -> str:
    """nbaprops's version and the SQLite library this process runs on (the one built with nbaprops, or a
    system one loaded first: docs/runner.md, "The SQLite library")."""
    lib = _core.sqlite_library()
    origin = "bundled" if lib["bundled"] else "system"
    return f"nbaprops {_core.__version__} (SQLite {lib['version']}, {origin})"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nbaprops", description=__doc__)
    parser.add_argument("--log-level", default="warning", help="native engine log level (default warning)")
    parser.add_argument("--version", action="version", version=version_text(), help="versions, and which SQLite")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="generate a demo league, backfill everything, print coverage")
    _warehouse_arg(p, default="demo-warehouse")
    _league_flags(p)
    p.add_argument("--fresh", action="store_true", help="regenerate the raw data even if present")
    _run_flags(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("generate", help="generate demo raw data")
    _warehouse_arg(p)
    _league_flags(p)
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("import", help="import real data files")
    p.add_argument(
        "kind",
        choices=[
            "schedule",
            "shots",
            "boxscores",
            "gamebook",
            "team-boxscore",
            "props",
            "game-lines",
            "injury-report",
            "bdl-boxscores",
            "bdl-stats",
        ],
    )
    p.add_argument("path", help="a file; for the raw kinds also a lake directory or gs://bucket[/prefix]")
    for flag, kind in (("--start-date", _iso_date), ("--end-date", _iso_date), ("--dates", _date_list)):
        p.add_argument(flag, type=kind, help="raw kinds: the lake date folders to read (default: all)")
    p.add_argument("--dry-run", action="store_true", help="raw kinds: parse and check, write nothing")
    _warehouse_arg(p)
    richer = p.add_mutually_exclusive_group()
    richer.add_argument(
        "--replace",
        dest="on_richer",
        action="store_const",
        const="replace",
        default="refuse",
        help="overwrite stored rows of the file's games even where they carry fields the file "
        "lacks (e.g. gamebook points under a shot chart)",
    )
    richer.add_argument(
        "--keep-existing",
        dest="on_richer",
        action="store_const",
        const="keep",
        help="keep those games' stored rows and import the rest of the file",
    )
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("backfill", help="run processors over a date range")
    _warehouse_arg(p)
    add_backfill_flags(p)
    p.add_argument(
        "--start-from",
        metavar="PROCESSOR",
        help="resume the chain from this processor (name or code): it and everything after it in the "
        "selection's dependency order",
    )
    p.set_defaults(func=cmd_backfill)

    p = sub.add_parser("preflight", help="check upstream data for a planned backfill")
    _warehouse_arg(p)
    _range_flags(p)
    p.add_argument("--dates", type=_date_list, help="comma-separated dates; takes priority over the range")
    p.add_argument(
        "--processors",
        "-p",
        default="all",
        help="names, short codes (togs,psza) or phases (phase3,phase4); default all",
    )
    p.set_defaults(func=cmd_preflight)

    p = sub.add_parser("coverage", help="gap report: tables × game dates against the schedule")
    _warehouse_arg(p)
    _range_flags(p)
    p.add_argument("--tables", help="comma-separated tables (default: every processor output)")
    p.add_argument(
        "--format",
        choices=["text", "json", "months"],
        default="text",
        help="text: tables × game dates with the gaps (exit 1 when any); json: the same as JSON; "
        "months: rows per table and month, raw inputs included (default text)",
    )
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("export", help="write the Phase 6 JSON exports (every legacy daily_export type)")
    _warehouse_arg(p)
    add_export_flags(p)
    p.set_defaults(func=run_export)

    p = sub.add_parser("copy", help="copy table partitions between warehouses (SQLite, bigquery://)")
    p.add_argument("--from", dest="source", required=True, help="source warehouse (directory or bigquery://PROJECT)")
    p.add_argument("--to", dest="destination", required=True, help="destination warehouse")
    p.add_argument("--tables", required=True, help="comma-separated tables or datasets (nba_raw), or all")
    p.add_argument(
        "--start-date", type=_iso_date, help="first partition date to copy, YYYY-MM-DD (default: every date)"
    )
    p.add_argument("--end-date", type=_iso_date, help="last partition date to copy, YYYY-MM-DD (inclusive)")
    p.add_argument("--dates", type=_iso_date, help="one date (YYYY-MM-DD) instead of a range")
    p.set_defaults(func=cmd_copy)

    p = sub.add_parser("legacy-tree", help="write launchers at the legacy backfill_jobs/... and bin/ paths under DIR")
    p.add_argument("dir", metavar="DIR")
    p.set_defaults(func=cmd_legacy_tree)

    p = sub.add_parser("processors", help="list the registered processors and what they read")
    p.set_defaults(func=cmd_processors)
    for sp in sub.choices.values():  # usage errors found after parsing print the subcommand's usage
        sp.set_defaults(command_parser=sp)
    return parser


def _sigterm_interrupts(signum: int, frame) -> None:
    """SIGTERM stops a command as Ctrl-C does (legacy spec §2.6: 130 on SIGINT/SIGTERM); during a backfill's
    run, :func:`nbaprops.api.runner._drive` cancels the run instead, so its summary is still printed."""
    raise KeyboardInterrupt


def main(argv: Optional[Sequence[str]] = None) -> int:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is None:
        return _main(argv)
    previous = signal.signal(signal.SIGTERM, _sigterm_interrupts)
    try:
        return _main(argv)
    finally:
        signal.signal(signal.SIGTERM, previous)


def _main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_usage(parser, args)
    import nbaprops

    try:
        nbaprops.configure_logging(args.log_level)
    except errors.ConfigError as e:
        parser.error(f"--log-level: {e}")
    if args.command != "demo":
        _setup_logging()
    try:
        if args.command in _NEEDS_WAREHOUSE:
            require_warehouse(args.warehouse)
        return int(args.func(args))
    except _core.WarehouseBusyError as e:  # not a usage error: the same command works once the other run ends
        print(f"nbaprops: warehouse busy: {e}", file=sys.stderr)
        return BUSY_EXIT
    except errors.ConfigError as e:
        print(f"nbaprops: usage error: {e}", file=sys.stderr)
        return USAGE_EXIT
    except errors.NbaPropsError as e:
        print(f"nbaprops: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("nbaprops: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
