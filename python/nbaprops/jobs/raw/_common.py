"""Shared main() of the raw backfill scripts: the legacy flags (--start-date, --end-date, --dates,
--date-range, --dates-file, --dry-run, --bucket) plus --source DIR|gs://… and --warehouse.

Each date is one import (all-or-nothing, one transaction, one run-ledger row); a failed date does not
stop the others, is listed in the summary with a ``--dates`` retry hint, and makes the exit code 1.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import os
import sys
from typing import Optional, Sequence

from ... import errors
from ...cli import _setup_logging, _warehouse_arg

DEFAULT_BUCKET = "nba-scraped-data"


def _parse_args(kind: str, module: str, argv: Optional[Sequence[str]], extra) -> argparse.Namespace:
    import nbaprops

    src = next(s for s in nbaprops.raw_sources() if s["kind"] == kind)
    p = argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=f"Raw backfill of {src['table']} from the legacy data lake (replaces the legacy "
        f"{src['legacy_processor']} backfill). Files read per date: {src['selection']}.",
    )
    p.add_argument("--start-date", help="first date folder, YYYY-MM-DD")
    p.add_argument("--end-date", help="last date folder, YYYY-MM-DD (default: --start-date)")
    p.add_argument("--dates", help="comma-separated dates (takes priority over the range)")
    p.add_argument("--date-range", help="legacy form START:END")
    p.add_argument("--dates-file", help="a file with one YYYY-MM-DD per line")
    p.add_argument("--dry-run", action="store_true", help="list and check the files, write nothing")
    p.add_argument(
        "--source",
        default=os.environ.get("NBAPROPS_RAW_SOURCE"),
        help="the lake: a directory laid out like the bucket, or gs://bucket[/prefix] "
        "(default $NBAPROPS_RAW_SOURCE, else gs://<--bucket>)",
    )
    p.add_argument("--bucket", default=DEFAULT_BUCKET, help=f"legacy bucket name (default {DEFAULT_BUCKET})")
    _warehouse_arg(p)
    if extra is not None:
        extra(p)
    args = p.parse_args(argv)
    if args.source is None:
        args.source = f"gs://{args.bucket}"
    return args


def _dates(args) -> list[_dt.date]:
    from ...api.raw import date_list

    if args.dates:
        return date_list(dates=[d.strip() for d in args.dates.split(",") if d.strip()])
    if args.dates_file:
        with open(args.dates_file, encoding="utf-8") as f:
            return date_list(dates=[ln.strip() for ln in f if ln.strip() and not ln.startswith("#")])
    start, end = args.start_date, args.end_date
    if args.date_range:
        if ":" not in args.date_range:
            raise errors.ConfigError(f"--date-range must be START:END, got {args.date_range!r}")
        start, end = args.date_range.split(":", 1)
    if start is None:
        raise errors.ConfigError("give --start-date [--end-date], --dates, --date-range or --dates-file")
    return date_list(start, end or start)


def main_for(kind: str, module: str, argv: Optional[Sequence[str]] = None, *, extra=None, options=None) -> int:
    """Entry point of one raw backfill script. ``extra(parser)`` adds job flags; ``options(args)``
    returns extra keyword arguments for :func:`nbaprops.import_raw`."""
    import nbaprops

    args = _parse_args(kind, module, argv, extra)
    _setup_logging()
    log = logging.getLogger("nbaprops.raw")
    try:
        dates = _dates(args)
        wh = nbaprops.open(args.warehouse)
        kw = options(args) if options is not None else {}
        log.info(
            "Starting backfill from %s to %s (%d dates) from %s%s",
            dates[0],
            dates[-1],
            len(dates),
            args.source,
            " [DRY RUN]" if args.dry_run else "",
        )
        run_id = ""
        ok, failed, total_rows, total_files = 0, [], 0, 0
        t0 = _dt.datetime.now()
        for i, d in enumerate(dates, 1):
            log.info("Processing date %d/%d: %s", i, len(dates), d)
            try:
                r = nbaprops.import_raw(wh, kind, args.source, dates=[d], dry_run=args.dry_run, run_id=run_id, **kw)
            except errors.NbaPropsError as e:
                log.error("✗ Failed %s: %s", d, e)
                failed.append((d, str(e)))
                continue
            run_id = run_id or r.run_id
            ok += 1
            total_rows += r.rows
            total_files += len(r.files)
            for path, rows, status in r.files:
                log.info("  %s: %s rows (%s)", path, rows, status)
            log.info("✓ Success: %d rows from %d files%s", r.rows, len(r.files), " (dry run)" if args.dry_run else "")
        print("=" * 80)
        print(f"RAW BACKFILL SUMMARY - {kind}:")
        if run_id:
            print(f"  Processing run ID: {run_id}")
        print(f"  Date range: {dates[0]} to {dates[-1]}")
        print(f"  Duration: {_dt.datetime.now() - t0}")
        print(f"  Dates processed successfully: {ok}, failed: {len(failed)}")
        print(f"  Files read: {total_files}")
        print(f"  Total rows {'checked' if args.dry_run else 'loaded'}: {total_rows:,}")
        if failed:
            print(f"  Failed dates ({len(failed)} total):")
            for d, msg in failed[:10]:
                print(f"    {d}: {msg}")
            print(
                f"  Retry: python -m {module} --dates {','.join(str(d) for d, _ in failed[:5])} --source {args.source}"
            )
        print("=" * 80)
        return 1 if failed else 0
    except errors.NbaPropsError as e:
        log.error("%s", e)
        return 1
    except KeyboardInterrupt:
        return 130


def run_module(kind: str, module: str) -> None:
    sys.exit(main_for(kind, module))
