"""Shared main() of the legacy-compatible job scripts."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from .. import errors
from ..cli import _setup_logging, _warehouse_arg, add_backfill_flags, run_backfill

# Legacy processor class names for the summary header.
CLASS_NAMES = {
    "pgs": "PlayerGameSummaryProcessor",
    "togs": "TeamOffenseGameSummaryProcessor",
    "tdgs": "TeamDefenseGameSummaryProcessor",
    "upgc": "UpcomingPlayerGameContextProcessor",
    "utgc": "UpcomingTeamGameContextProcessor",
    "tdza": "TeamDefenseZoneAnalysisProcessor",
    "psza": "PlayerShotZoneAnalysisProcessor",
    "pcf": "PlayerCompositeFactorsProcessor",
    "pdc": "PlayerDailyCacheProcessor",
    "mlfs": "MLFeatureStoreProcessor",
    "pred": "PlayerPropPredictionsBackfill",
    "grade": "PredictionAccuracyProcessor",
    "sdp": "SystemDailyPerformanceProcessor",
    "tier": "ScoringTierProcessor",
}


def summary_block(result, code: str, phase: int, module: str, start: Optional[str], end: Optional[str],
                  entity: str, processor: Optional[str] = None) -> str:
    """The legacy summary block (80 '=' lines, counts, failed dates, a --dates retry hint), over the
    units of ``processor`` when given (a job may run helpers alongside its processor)."""
    units = result.units
    if processor is not None and len(units):
        units = units[units["processor"] == processor]
    ok = units[units["status"].isin(["success", "empty"])]
    skipped = units[units["status"].str.startswith("skipped")]
    failed = units[units["status"].isin(["failed", "blocked", "cancelled"])]
    lines = ["=" * 80]
    if phase == 3:
        lines.append("DAY-BY-DAY BACKFILL SUMMARY:")
    else:
        lines.append(f"PHASE {phase} BACKFILL SUMMARY - {CLASS_NAMES.get(code, code)}:")
    if start:
        lines.append(f"  Date range: {start} to {end}")
    lines.append(f"  Game dates processed: {len(units)}")
    lines.append(f"  Successful: {len(ok)}, Skipped: {len(skipped)}, Failed: {len(failed)}")
    denom = max(len(units) - len(skipped), 1)
    lines.append(f"  Success rate: {100.0 * len(ok) / denom:.1f}%")
    if phase == 3:
        total = int(units["rows"].sum()) if len(units) else 0
        lines.append(f"  Total records: {total:,} (avg {total / max(len(ok), 1):.0f}/day)")
    else:
        total = int(units["entities"].sum()) if len(units) else 0
        lines.append(f"  Total {entity} processed: {total:,} (avg {total / max(len(ok), 1):.0f}/date)")
        if phase == 5:
            rows = int(units["rows"].sum()) if len(units) else 0
            lines.append(f"  Total rows written: {rows:,}")
    if len(failed):
        dates = [d.strftime("%Y-%m-%d") for d in failed["date"]]
        shown = ", ".join(dates[:10]) + (f" ... and {len(dates) - 10} more" if len(dates) > 10 else "")
        lines.append(f"  Failed dates ({len(dates)} total): {shown}")
        for _, row in failed.head(10).iterrows():
            lines.append(f"    {row['date'].strftime('%Y-%m-%d')}: {row['status']} - {row['reason']}")
        lines.append(f"  Retry: python -m {module} --dates {','.join(dates[:5])}")
    lines.append(f"  Wall time: {result.seconds:.2f}s")
    lines.append("=" * 80)
    return "\n".join(lines)


def main_for(code: str, phase: int, module: str, argv: Optional[Sequence[str]] = None, *,
             also: Sequence[str] = (), add_flags=None, gate=None, prepare=None) -> int:
    """Entry point of one legacy job script; ``code`` is the processor's short code, ``also`` the
    codes of processors the legacy job ran with it (e.g. grading's daily aggregation).
    ``add_flags(parser)`` adds job-specific flags; ``prepare(args)`` may rewrite the parsed flags
    before the run (e.g. turn a job's own date flags into ``--dates``); ``gate(args)`` returns the
    run's extra check (see ``run_backfill``)."""
    parser = argparse.ArgumentParser(prog=f"python -m {module}",
                                     description=f"Backfill {code} (nbaprops, legacy-compatible flags)")
    add_backfill_flags(parser, with_processors=False)
    _warehouse_arg(parser)
    if add_flags is not None:
        add_flags(parser)
    args = parser.parse_args(argv)
    _setup_logging()
    log = logging.getLogger("nbaprops.backfill")
    import nbaprops

    try:
        if prepare is not None:
            prepare(args)
        info = next((p for p in nbaprops.processors() if p["code"] == code), None)
        if info is None:
            raise errors.ConfigError(f"processor {code} is not available in this build")
        processor = info["name"]
        names = [processor] + [p["name"] for p in nbaprops.processors() if p["code"] in also]
        captured = {}

        def on_result(result, start, end):
            captured["block"] = summary_block(result, code, phase, module, start, end, info["entity"], processor)

        code = run_backfill(args, names, log_header=f"Starting {processor} backfill (nbaprops)",
                            on_result=on_result, gate=gate(args) if gate is not None else None)
        if "block" in captured:
            print(captured["block"])
        return code
    except errors.NbaPropsError as e:
        log.error("%s", e)
        return 1
    except KeyboardInterrupt:
        return 130


def run_module(processor: str, phase: int, module: str) -> None:
    sys.exit(main_for(processor, phase, module))
