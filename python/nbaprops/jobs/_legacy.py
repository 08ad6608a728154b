"""Shared main() of the legacy-compatible job scripts: per-script default dates, log lines and summary
blocks as the legacy ``backfill_jobs/...`` scripts (najicham/nba-stats-scraper @ 779e8a78) had them.

Every script is described by one :class:`Script` row of :data:`SCRIPTS`; the shapes of its lines come
from its ``style`` (the legacy script family) and a few per-script strings. The run itself is
:func:`nbaprops.api.legacy.run_backfill`, shared with ``nbaprops backfill``.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Optional, Sequence

from .. import errors
from ..api import legacy as api

log = logging.getLogger("nbaprops.backfill")

LINE80 = "=" * 80


@dataclass(frozen=True)
class Script:
    """One legacy script: its processor, paths, family (``style``) and default-date rule."""

    code: str                 # processor short code
    module: str               # our module (python -m ...)
    legacy_path: str          # the legacy file, relative to the legacy repository root
    style: str                # day | context | phase4 | predictions | grading | tier
    defaults: str             # last7 | start_required | start_argparse | tier
    class_name: str = ""      # legacy processor class in the summary header
    success: str = ""         # range-mode success line (format fields: n, rows, games, secs, d, ...)
    also: tuple[str, ...] = ()
    order: str = ""           # the Phase 4 "Execution order" note of the legacy script

    @property
    def legacy_name(self) -> str:
        return os.path.basename(self.legacy_path)


SCRIPTS: dict[str, Script] = {s.code: s for s in [
    Script("pgs", "nbaprops.jobs.analytics.player_game_summary",
           "backfill_jobs/analytics/player_game_summary/player_game_summary_analytics_backfill.py",
           "day", "last7", "PlayerGameSummaryProcessor", "  ✓ Success: {rows} records from {games} games"),
    Script("tdgs", "nbaprops.jobs.analytics.team_defense_game_summary",
           "backfill_jobs/analytics/team_defense_game_summary/team_defense_game_summary_analytics_backfill.py",
           "day", "start_required", "TeamDefenseGameSummaryProcessor", "  ✓ Success: {rows} records"),
    Script("togs", "nbaprops.jobs.analytics.team_offense_game_summary",
           "backfill_jobs/analytics/team_offense_game_summary/team_offense_game_summary_analytics_backfill.py",
           "day", "start_required", "TeamOffenseGameSummaryProcessor", "  ✓ Success: {rows} records"),
    Script("upgc", "nbaprops.jobs.analytics.upcoming_player_game_context",
           "backfill_jobs/analytics/upcoming_player_game_context/"
           "upcoming_player_game_context_analytics_backfill.py",
           "context", "start_argparse", "Upcoming Player Game Context",
           "✅ {d}: Processed {n} players ({failed} failed)"),
    Script("utgc", "nbaprops.jobs.analytics.upcoming_team_game_context",
           "backfill_jobs/analytics/upcoming_team_game_context/upcoming_team_game_context_analytics_backfill.py",
           "context", "start_argparse", "Upcoming Team Game Context", "✅ {d}: Processed {n} teams, {games} games"),
    Script("tdza", "nbaprops.jobs.precompute.team_defense_zone_analysis",
           "backfill_jobs/precompute/team_defense_zone_analysis/team_defense_zone_analysis_precompute_backfill.py",
           "phase4", "last7", "TeamDefenseZoneAnalysisProcessor", "  ✓ Success: {n} teams processed",
           order="1/5 (runs first)"),
    Script("psza", "nbaprops.jobs.precompute.player_shot_zone_analysis",
           "backfill_jobs/precompute/player_shot_zone_analysis/player_shot_zone_analysis_precompute_backfill.py",
           "phase4", "last7", "PlayerShotZoneAnalysisProcessor", "  ✓ Success: {n} players processed",
           order="2/5 (can run parallel with #1)"),
    Script("pcf", "nbaprops.jobs.precompute.player_composite_factors",
           "backfill_jobs/precompute/player_composite_factors/player_composite_factors_precompute_backfill.py",
           "phase4", "last7", "PlayerCompositeFactorsProcessor", "  ✓ Success: {n} players",
           order="3/5 (depends on #1, #2)"),
    Script("pdc", "nbaprops.jobs.precompute.player_daily_cache",
           "backfill_jobs/precompute/player_daily_cache/player_daily_cache_precompute_backfill.py",
           "phase4", "last7", "PlayerDailyCacheProcessor", "  ✓ Success: {n} players",
           order="4/5 (depends on #1, #2, #3)"),
    Script("mlfs", "nbaprops.jobs.precompute.ml_feature_store",
           "backfill_jobs/precompute/ml_feature_store/ml_feature_store_precompute_backfill.py",
           "phase4", "last7", "MLFeatureStoreProcessor", "  ✓ Success: {n} players, version={version}",
           order="5/5 (FINAL)"),
    Script("pred", "nbaprops.jobs.prediction.player_prop_predictions",
           "backfill_jobs/prediction/player_prop_predictions_backfill.py",
           "predictions", "last7", "PlayerPropPredictionsBackfill", "  ✓ Success: {rows} predictions in {secs:.1f}s"),
    Script("grade", "nbaprops.jobs.grading.prediction_accuracy",
           "backfill_jobs/grading/prediction_accuracy/prediction_accuracy_grading_backfill.py",
           "grading", "last7", "PredictionAccuracyProcessor",
           "  ✓ Success: {rows} graded, MAE={mae}, bias={bias} in {secs:.1f}s", also=("sdp",)),
    Script("tier", "nbaprops.jobs.grading.scoring_tier", "backfill_jobs/ml_feedback/scoring_tier_backfill.py",
           "tier", "tier", "ScoringTierProcessor"),
]}

#: The legacy daily_export script (not a backfill job: no checkpoint, no processor).
DAILY_EXPORT = ("nbaprops.jobs.publishing.daily_export", "backfill_jobs/publishing/daily_export.py")

# --------------------------------------------------------------------------------------------- dates
def default_dates(script: Script, wh, args, parser: argparse.ArgumentParser) -> tuple:
    """(start, end, explicit dates) with the legacy script's defaults (today from api.legacy.today)."""
    dates = api.parse_dates(args.dates)
    if dates:
        return None, None, dates
    start = api.parse_date(args.start_date, "--start-date") if args.start_date else None
    end = api.parse_date(args.end_date, "--end-date") if args.end_date else None
    if script.defaults == "last7":
        start, end = start or api.days_ago(7), end or api.days_ago(1)
    elif script.defaults == "start_required":
        if start is None:
            raise errors.ConfigError("--start-date is required for range processing")
        end = end or start
    elif script.defaults == "start_argparse":
        if start is None:  # argparse `required=True` in the legacy: a usage error, exit 2
            parser.error("the following arguments are required: --start-date")
        end = end or start
    elif script.defaults == "tier":
        start = start or "2021-12-05"
        if end is None:
            end = latest_graded_date(wh)
            if end is None:
                raise errors.ConfigError("No graded predictions found")
    if start > end:
        raise errors.ConfigError("Start date must be before end date")
    if end > api.today().isoformat():
        raise errors.ConfigError(f"End date cannot be in the future ({end} > today {api.today().isoformat()})")
    return start, end, []


def latest_graded_date(wh) -> Optional[str]:
    import nbaprops

    graded = nbaprops.export_dates(wh)
    return graded[-1] if graded else None


def calendar(start: str, end: str) -> list[str]:
    s, e = _dt.date.fromisoformat(start), _dt.date.fromisoformat(end)
    return [(s + _dt.timedelta(days=i)).isoformat() for i in range((e - s).days + 1)]


def checkpoint_path(job: str, start: str, end: str, directory: Optional[str]) -> str:
    from ..api.runner import checkpoint_dir_of

    return os.path.join(checkpoint_dir_of(directory), f"{job}_{start}_{end}.json")


def checkpoint_successes(path: str) -> list[str]:
    """The dates a legacy-layout checkpoint file records as successful (empty when absent/corrupt)."""
    try:
        with open(path, encoding="utf-8") as f:
            return sorted(json.load(f).get("successful_dates", []))
    except (OSError, ValueError):
        return []


# ------------------------------------------------------------------------------------------ reporter
@dataclass
class Tally:
    ok: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    entities: int = 0
    rows: int = 0
    processed: int = 0


class LegacyReporter:
    """Prints each date's legacy lines in date order: ``Processing … i/N: D`` when the date is next to
    start (all earlier dates done), then its outcome line when its unit has finished. Dates the run
    resumed from the checkpoint print nothing. Off days of a Phase 3 calendar range are reported as the
    legacy early exit did (success, 0 records)."""

    def __init__(self, script: Script, processor: str, dates: list[str], *, explicit: bool,
                 game_dates: set[str], games_on: dict[str, int], resumed: set[str], numbering_total: int,
                 offset: int = 0, extra: Optional[Callable[[str, dict], dict]] = None,
                 skipped: Optional[dict[str, str]] = None) -> None:
        self.s, self.processor, self.dates, self.explicit = script, processor, dates, explicit
        self.game_dates, self.games_on, self.resumed = game_dates, games_on, resumed
        self.total, self.offset, self.extra = numbering_total, offset, extra
        self.gate_skips = skipped or {}
        self.events: dict[str, dict] = {}
        self.cursor = 0
        self.number = 0
        self.tally = Tally()
        self.t_started: Optional[float] = None
        self._opened: Optional[str] = None

    def begin(self) -> None:
        """The run started: open the first date."""
        self._advance()

    # The line that opens a date.
    def _start_line(self, d: str) -> None:
        self.number += 1
        i = self.number + self.offset
        st = self.s.style
        if st == "context":
            log.info("\n%s", "=" * 40)
            log.info("Processing date %d/%d: %s", i, self.total, d)
            log.info("%s", "=" * 40)
        elif st == "tier":
            log.info("[%d/%d] Processing %s", i, self.total, d)
        elif st == "grading":
            log.info("%s date %d/%d: %s", "Grading", i, self.total, d)
        elif self.explicit:
            log.info("Processing date %d/%d: %s", i, self.total, d)
        elif st == "day":
            log.info("Processing day %d/%d: %s", i, self.total, d)
        else:
            log.info("Processing game date %d/%d: %s", i, self.total, d)
        self.t_started = time.monotonic()

    def _is_silent(self, d: str) -> bool:
        ev = self.events.get(d)
        return ev is not None and ev.get("reason") == "resumed"

    def _ready(self, d: str) -> bool:
        return d in self.events or d in self.gate_skips or d not in self.game_dates

    def _advance(self) -> None:
        """Print outcomes of finished dates in order and open the next date."""
        while self.cursor < len(self.dates):
            d = self.dates[self.cursor]
            if d in self.resumed and (d not in self.events or self._is_silent(d)):
                if d not in self.events:
                    return  # wait: the runner may recompute it
                self.cursor += 1
                continue
            if self._opened != d:
                self._start_line(d)
                self._opened = d
            if not self._ready(d):
                return
            self._outcome(d)
            self.cursor += 1
            self._progress()

    def _outcome(self, d: str) -> None:
        s, t = self.s, self.tally
        t.processed += 1
        if d in self.gate_skips:
            t.skipped.append(d)
            log.warning("  ⚠ Skipped: MLFS incomplete (%s)", self.gate_skips[d])
            return
        if d not in self.game_dates:  # a Phase 3 calendar off day: the legacy early exit
            t.ok.append(d)
            if s.style == "context":
                log.info("✅ %s: Processed 0 %s", d, "players (0 failed)" if s.code == "upgc" else "teams, 0 games")
            else:
                log.info("  ✓ Success: 0 records%s", " from 0 games" if s.code == "pgs" and not self.explicit else "")
            return
        ev = self.events[d]
        status, reason = ev["status"], ev.get("reason") or ""
        secs = ev.get("seconds", 0.0)
        if status in ("success", "empty"):
            t.ok.append(d)
            t.entities += int(ev.get("entities", 0))
            t.rows += int(ev.get("rows", 0))
            fields = dict(n=ev.get("entities", 0), rows=ev.get("rows", 0), games=self.games_on.get(d, 0),
                          secs=secs, d=d, failed=0, version=None, mae="N/A", bias="N/A")
            if self.extra is not None:
                fields.update(self.extra(d, ev))
            line = self._success_line(fields)
            if line:
                log.info("%s%s", line, f" ({reason})" if status == "empty" and reason else "")
        elif status.startswith("skipped"):
            t.skipped.append(d)
            if s.style == "tier":
                pass  # the legacy counted skips silently
            elif s.style == "grading":
                log.info("  ⏭ Skipped: no predictions")
            elif s.style in ("day", "context"):
                log.info("  ⏭ Skipped: %s", reason)
            else:
                log.info("  ⏭ Skipped: bootstrap period")
        else:
            t.failed.append((d, f"{status} - {reason}"))
            self._failure_line(d, status, reason)

    def _success_line(self, f: dict) -> str:
        s = self.s
        if s.style == "tier":
            return ""
        if self.explicit:
            if s.style == "day":
                return f"  ✓ Success: {f['rows']} records"
            if s.code == "tdza":
                return f"  ✓ Success: {f['n']} teams"
            if s.code == "mlfs":
                return f"  ✓ {f['d']}: {f['n']} players"
            if s.code in ("pcf", "pdc"):
                return f"{f['d']}: success"
            if s.code == "pred":
                return f"{f['d']}: success"
            if s.code == "grade":
                return f"{f['d']}: success - {f['rows']} graded, MAE={f['mae']}, bias={f['bias']}"
        return s.success.format(**f)

    def _failure_line(self, d: str, status: str, reason: str) -> None:
        s = self.s
        if s.style == "context":
            if s.code == "upgc":
                log.warning("⚠️  %s: Processing failed - %s", d, reason)
            else:
                log.warning("⚠️  %s: Processing failed", d)
                log.error("    %s: %s", status, reason)
        elif s.style == "tier":
            log.error("  Error: %s", reason)
        elif self.explicit and s.code in ("pcf", "pdc", "pred"):
            log.info("%s: %s", d, status)
            log.error("    %s", reason)
        elif s.style in ("day",) or s.code in ("tdza", "psza"):
            if status == "failed":
                log.error("  ✗ Exception: %s", reason)
            else:
                log.error("  ✗ Failed: %s", d)
                log.error("    %s: %s", status, reason)
        else:
            log.error("  ✗ Failed: %s", f"{status} - {reason}" if reason else status)

    def _progress(self) -> None:
        s, t = self.s, self.tally
        if self.explicit or t.processed % 10 or s.style in ("context", "tier"):
            return
        if s.style == "day":
            rate = 100.0 * len(t.ok) / max(t.processed, 1)
            log.info("Progress: %d/%d days (%.1f%% success), %d total records (avg %.0f/day)", t.processed,
                     self.total, rate, t.rows, t.rows / max(len(t.ok), 1))
        elif s.code in ("tdza", "psza"):
            rate = 100.0 * len(t.ok) / max(t.processed - len(t.skipped), 1)
            log.info("Progress: %d/%d game dates (%.1f%% success)", t.processed, self.total - self.offset, rate)
        else:
            log.info("Progress: %d/%d game dates", t.processed, self.total - self.offset)

    # Reporter protocol of nbaprops.backfill.
    def update(self, event: dict) -> None:
        if event["processor"] != self.processor:
            return
        self.events[str(event["date"])[:10]] = event
        self._advance()

    def close(self) -> None:
        self._advance()


# ------------------------------------------------------------------------------------------ summaries
def summary_lines(s: Script, ctx: api.RunContext, rep: Optional[LegacyReporter], result, ckpt: str) -> list[str]:
    """The legacy summary block of ``s`` for a finished run (``rep`` None when nothing ran)."""
    t = rep.tally if rep is not None else Tally()
    failed = [d for d, _ in t.failed]
    start, end = ctx.start, ctx.end
    out: list[str] = []
    if ctx.explicit:
        n = len(ctx.dates)
        if s.style == "day" or s.code == "tdza":
            out += [LINE80, "SPECIFIC DATES PROCESSING SUMMARY:", f"  Total dates: {n}",
                    f"  Successful: {len(t.ok)}"]
            if s.code == "tdza":
                out.append(f"  Skipped: {len(t.skipped)}")
            out.append(f"  Failed: {len(failed)}")
            if t.ok:
                if s.code == "tdza":
                    out.append(f"  Total teams: {t.entities}")
                else:
                    out += [f"  Total records: {t.rows}", f"  Average per date: {t.rows / len(t.ok):.1f}"]
            if failed:
                out.append(f"  Failed dates: {', '.join(failed)}")
            out.append(LINE80)
        elif s.code in ("psza", "mlfs"):
            out.append(f"Summary: {len(t.ok)} success, {len(t.skipped)} skipped, {len(failed)} failed")
        elif s.style == "tier":
            out += _tier_summary(n, t)
        return out + _failure_details(t)
    if s.style == "day":
        days = len(calendar(start, end))
        out += [LINE80, "DAY-BY-DAY BACKFILL SUMMARY:", f"  Date range: {start} to {end}", f"  Total days: {days}",
                f"  Successful days: {len(t.ok)}", f"  Failed days: {len(failed)}"]
        if t.processed:
            out.append(f"  Success rate: {100.0 * len(t.ok) / t.processed:.1f}%")
        out.append(f"  Total records processed: {t.rows}")
        if t.ok:
            out.append(f"  Average records per day: {t.rows / len(t.ok):.1f}")
        out += ["\n📊 Checkpoint Summary:", *_checkpoint_summary(ckpt)]
        out += _failed_block(s, failed)
        out.append(LINE80)
    elif s.style == "context":
        out += ["\n" + "=" * 60, "BACKFILL COMPLETE", "=" * 60, f"Date Range: {start} to {end}",
                f"Days Processed: {len(t.ok)}/{t.processed}", f"Days Failed: {len(failed)}"]
        if s.code == "upgc":
            out += [f"Total Players Processed: {t.entities}", "Total Players Failed: 0",
                    "\n📊 Checkpoint Summary:", *_checkpoint_summary(ckpt)]
        else:
            games = sum(rep.games_on.get(d, 0) for d in t.ok) if rep else 0
            out += [f"Total Teams: {t.entities}", f"Total Games: {games}"]
        out.append("=" * 60)
    elif s.style == "phase4":
        offdays = len(calendar(start, end)) - len(ctx.plan.dates)
        out += [LINE80, f"PHASE 4 BACKFILL SUMMARY - {s.class_name}{' (FINAL)' if s.code == 'mlfs' else ''}:"]
        if s.code not in ("pcf", "pdc"):
            out.append(f"  Date range: {start} to {end}")
        out.append(f"  Game dates processed: {t.processed} (skipped {offdays} off-days)")
        if s.code == "tdza":
            out += [f"  Successful days: {len(t.ok)}", f"  Skipped (bootstrap): {len(t.skipped)}",
                    f"  Failed days: {len(failed)}"]
            denom = len(ctx.plan.dates) - len(t.skipped)
            if denom > 0:
                out.append(f"  Success rate: {100.0 * len(t.ok) / denom:.1f}%")
            if t.ok:
                out += [f"  Total teams processed: {t.entities}",
                        f"  Average teams per day: {t.entities / len(t.ok):.1f}"]
        else:
            out.append(f"  Successful: {len(t.ok)}, Skipped: {len(t.skipped)}, Failed: {len(failed)}")
            if t.ok:
                if s.code in ("psza", "mlfs"):
                    out.append(f"  Total players processed: {t.entities}")
                    if s.code == "mlfs":
                        out.append(f"  Average players/day: {t.entities / len(t.ok):.1f}")
                else:
                    out.append(f"  Total players: {t.entities}")
        if failed:
            if s.code in ("tdza", "mlfs"):
                out += _failed_block(s, failed)
            elif s.code == "psza":
                out.append(f"  Failed dates: {', '.join(failed[:10])}")
            else:
                out.append(f"  Failed dates: {failed[:10]}")
        if s.code == "psza":
            out.append(f"  Checkpoint: {ckpt}")
        out.append(LINE80)
    elif s.style in ("predictions", "grading"):
        title = "PHASE 5 PREDICTION BACKFILL SUMMARY:" if s.style == "predictions" else \
            "PHASE 5B GRADING BACKFILL SUMMARY:"
        out += [LINE80, title, f"  Game dates processed: {t.processed}",
                f"  Successful: {len(t.ok)}, Skipped: {len(t.skipped)}, Failed: {len(failed)}"]
        if t.ok:
            out.append(f"  Total predictions {'generated' if s.style == 'predictions' else 'graded'}: {t.rows}")
        gate_skips = [d for d in t.skipped if d in ctx.skipped]
        listed = failed + gate_skips  # the legacy listed gate-skipped dates as failed, for a retry
        if listed:
            out.append(f"  Failed dates: {sorted(listed)[:10]}")
        out.append(LINE80)
    elif s.style == "tier":
        out += _tier_summary(t.processed, t)
    return out + _failure_details(t)


def _tier_summary(n: int, t: Tally) -> list[str]:
    return ["=" * 60, "SCORING TIER BACKFILL COMPLETE", f"  Processed: {n} dates",
            f"  Success: {len(t.ok)}, Skipped: {len(t.skipped)}, Failed: {len(t.failed)}", "=" * 60]


def _checkpoint_summary(ckpt: str) -> list[str]:
    try:
        with open(ckpt, encoding="utf-8") as f:
            data = json.load(f)
        ok, bad = len(data.get("successful_dates", [])), len(data.get("failed_dates", []))
    except (OSError, ValueError):
        ok = bad = 0
    return [f"   Total successful: {ok}", f"   Total failed: {bad}", f"   Checkpoint file: {ckpt}"]


def _failed_block(s: Script, failed: list[str]) -> list[str]:
    if not failed:
        return []
    out = [f"\n  Failed dates ({len(failed)}{'' if s.code == 'mlfs' else ' total'}):", f"    {', '.join(failed[:10])}"]
    if len(failed) > 10:
        out.append(f"    ... and {len(failed) - 10} more")
    retry = f"python -m {s.module} --dates {','.join(failed[:5])}"
    if s.code == "mlfs":
        out.append(f"\n  To retry: {retry}")
    else:
        out += ["\n  To retry failed days, use --dates parameter:", f"    {retry}"]
    return out


def _failure_details(t: Tally) -> list[str]:
    """Ours, after the legacy block: why each failed date failed (the legacy logged it earlier, inline)."""
    if not t.failed:
        return []
    return ["Failure reasons:"] + [f"  {d}: {why}" for d, why in t.failed[:10]]


# --------------------------------------------------------------------------------------- pre-flight
PREFLIGHT_HEADERS = {
    "day": ("❌ PRE-FLIGHT CHECK FAILED: raw data is incomplete!", "Run the raw imports for these dates first"),
    "context": ("❌ PRE-FLIGHT CHECK FAILED: raw data is incomplete!", "Run the raw imports for these dates first"),
    "phase4": ("❌ PRE-FLIGHT CHECK FAILED: Phase 3 data is incomplete!", "Run Phase 3 backfill first to fill gaps"),
    "predictions": ("❌ PRE-FLIGHT CHECK FAILED: Phase 4 data is incomplete!", "Run Phase 4 backfill first"),
    "grading": ("❌ PRE-FLIGHT CHECK FAILED: No predictions found!", "Run Phase 5A prediction backfill first"),
    "tier": ("❌ PRE-FLIGHT CHECK FAILED: No predictions found!", "Run Phase 5B grading backfill first"),
}


def refusal_lines(s: Script, ctx: api.RunContext, report) -> list[str]:
    """The legacy refusal header, then our reasons per table and date, then the legacy options."""
    header, step = PREFLIGHT_HEADERS[s.style]
    out = ["=" * 70, header, "=" * 70]
    if ctx.start:
        out.append(f"Date range: {ctx.start} to {ctx.end}")
    problems = report.problems()
    out.append(f"Missing or partial upstream data ({len(problems)} table-date cells):")
    for _, row in problems.head(20).iterrows():
        out.append(f"  {row['table']} {row['date'].strftime('%Y-%m-%d')}: {row['status']} "
                   f"(found {row['found']}, expected {row['expected']})")
    if len(problems) > 20:
        out.append(f"  ... and {len(problems) - 20} more")
    out += ["", "Options:", f"  1. {step}", "  2. Use --skip-preflight to bypass (NOT RECOMMENDED)"]
    return out


# ---------------------------------------------------------------------------------------------- main
def build_parser(s: Script, module: str, help_text: str = "") -> argparse.ArgumentParser:
    from ..cli import add_backfill_flags

    epilog = help_text + (
        "\nExit codes: 0 = every date ran (the legacy exited 0 even after failed dates; nbaprops does not), "
        "1 = a date failed or was blocked, or the pre-flight refused the run, 2 = usage error, "
        f"{api.EXIT_SKIPPED} = a gate skipped dates (predictions' MLFS check), 130 = interrupted.\n"
        "Today is $NBAPROPS_TODAY (YYYY-MM-DD) or the US/Eastern date.")
    parser = argparse.ArgumentParser(prog=f"python -m {module}", description=_defaults_help(s),
                                     epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_backfill_flags(parser, with_processors=False)
    parser.add_argument("--warehouse", "-w", default=os.environ.get("NBAPROPS_WAREHOUSE", "warehouse"),
                        help="warehouse directory (SQLite); default $NBAPROPS_WAREHOUSE or ./warehouse")
    return parser


def _defaults_help(s: Script) -> str:
    head = f"Backfill {s.code} (nbaprops; replaces {s.legacy_path}, same flags and defaults)."
    rule = {
        "last7": "Without dates: today-7 … yesterday; --start-date alone runs to yesterday.",
        "start_required": "--start-date is required (exit 1 without it, as the legacy); --end-date defaults to it.",
        "start_argparse": "--start-date is required (usage error, exit 2); --end-date defaults to it.",
        "tier": "Without dates: 2021-12-05 … the newest graded date; --weekly steps 7 calendar days.",
    }[s.defaults]
    return f"{head}\n{rule}"


def setup_logging() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s - %(levelname)s - %(message)s", stream=sys.stdout,
                        force=True)


def main_for(code: str, phase: int, module: str, argv: Optional[Sequence[str]] = None, *,
             also: Sequence[str] = (), add_flags=None, gate=None, prepare=None, help_text: str = "") -> int:
    """Entry point of one legacy job script (``code``: the processor's short code; ``phase`` is kept for
    callers, the script's row in :data:`SCRIPTS` decides the wording). ``add_flags(parser)`` adds
    job-specific flags; ``prepare(args, script, wh, parser) -> (start, end, dates)`` may replace the date
    selection; ``gate(args)`` returns a :func:`nbaprops.api.legacy.run_backfill` gate."""
    s = SCRIPTS[code]
    parser = build_parser(s, module, help_text)
    if add_flags is not None:
        add_flags(parser)
    args = parser.parse_args(argv)
    setup_logging()
    import nbaprops

    try:
        info = {p["code"]: p for p in nbaprops.processors()}
        if code not in info:
            raise errors.ConfigError(f"processor {code} is not available in this build")
        processor = info[code]["name"]
        names = [processor] + [info[c]["name"] for c in (also or s.also) if c in info]
        state: dict[str, Any] = {}

        def dates_fn(wh, a):
            if prepare is not None:
                return prepare(a, s, wh, parser)
            return default_dates(s, wh, a, parser)

        def before(ctx: api.RunContext) -> None:
            state["ckpt"] = checkpoint_path(info[code]["legacy_job"], ctx.start, ctx.end, args.checkpoint_dir) \
                if ctx.start and not ctx.plan.explicit_dates else ""
            _header(s, ctx, args, state)

        def reporter(ctx: api.RunContext) -> LegacyReporter:
            rep = make_reporter(s, processor, ctx, args, state)
            state["rep"] = rep
            return rep

        def on_result(ctx, result) -> None:
            rep = state.get("rep")
            if rep is None and ctx.skipped:  # every date was skipped by the gate: report them
                rep = make_reporter(s, processor, ctx, args, state)
                rep.close()
            for line in summary_lines(s, ctx, rep, result, state.get("ckpt", "")):
                log.info("%s", line)

        def on_refusal(ctx, report) -> None:
            for line in refusal_lines(s, ctx, report):
                log.error("%s", line)

        def on_dry_run(ctx, report) -> None:
            dry_run_lines(s, ctx, report)

        return api.run_backfill(args, names, log=log, dates_fn=dates_fn, gate=gate(args) if gate else None,
                                reporter=reporter, before_run=before, on_dry_run=on_dry_run,
                                on_refusal=on_refusal, on_result=on_result)
    except errors.NbaPropsError as e:
        log.error("%s", e)
        return 1
    except KeyboardInterrupt:
        return 130


def make_reporter(s: Script, processor: str, ctx: api.RunContext, args, state: dict) -> LegacyReporter:
    """The reporter of one run: report dates (calendar days for the Phase 3 scripts' ranges), the
    checkpoint's already-committed dates (silent) and the numbering the legacy script used."""
    wh = ctx.warehouse
    games_on: dict[str, int] = {}
    from ..api.dates import iso

    for g in wh.schedule().games():
        if g["counts"]:
            d = iso(g["game_date"])
            games_on[d] = games_on.get(d, 0) + 1
    planned = list(ctx.plan.dates)
    gate_skips = dict(ctx.skipped)
    if ctx.explicit:
        dates = list(ctx.dates)
    elif s.style in ("day", "context") and ctx.start:
        dates = calendar(ctx.start, ctx.end)
    else:
        dates = sorted(set(planned) | set(gate_skips))
    resumed = set()
    if not ctx.plan.explicit_dates and not args.no_resume and state.get("ckpt"):
        resumed = set(checkpoint_successes(state["ckpt"])) & set(planned)
    game_dates = set(planned)
    if s.style in ("phase4", "predictions", "grading") and not ctx.explicit:
        total, offset = len(dates), 0
    else:
        total, offset = len(dates) - len(resumed), 0
    extra = _grading_extra(wh) if s.style == "grading" else _mlfs_extra(wh) if s.code == "mlfs" else None
    return LegacyReporter(s, processor, dates, explicit=ctx.explicit, game_dates=game_dates, games_on=games_on,
                          resumed=resumed, numbering_total=total, offset=offset, extra=extra, skipped=gate_skips)


def _grading_extra(wh) -> Callable[[str, dict], dict]:
    """MAE and bias of the day's graded predictions, read after the unit committed."""
    import nbaprops

    def extra(d: str, ev: dict) -> dict:
        try:
            f = nbaprops.read(wh, "nba_predictions.prediction_accuracy", d, d, columns=["signed_error"])
        except errors.NbaPropsError:
            return {}
        err = f["signed_error"].dropna() if "signed_error" in f else []
        if not len(err):
            return {}
        return {"mae": round(float(err.abs().mean()), 2), "bias": round(float(err.mean()), 2)}

    return extra


def _mlfs_extra(wh) -> Callable[[str, dict], dict]:
    """The feature_version the day's feature-store rows carry (the legacy ``version=``)."""
    import nbaprops

    def extra(d: str, ev: dict) -> dict:
        f = nbaprops.read(wh, "nba_predictions.ml_feature_store_v2", d, d, columns=["feature_version"])
        return {"version": f["feature_version"].iloc[0] if len(f) else None}

    return extra


def _header(s: Script, ctx: api.RunContext, args, state: dict) -> None:
    """The lines the legacy script logged before its per-date loop."""
    if ctx.explicit:
        log.info("Processing %d specific dates", len(ctx.dates))
        return
    start, end = ctx.start, ctx.end
    ckpt = state.get("ckpt", "")
    resumed = [] if args.no_resume else sorted(set(checkpoint_successes(ckpt)) & set(ctx.plan.dates)) if ckpt else []
    ndays = len(calendar(start, end))
    if s.style == "day":
        log.info("Day-by-day analytics backfill configuration:")
        log.info("  Date range: %s to %s", start, end)
        log.info("  Dry run: %s", bool(args.dry_run))
        log.info("  No resume: %s", bool(args.no_resume))
        log.info("  Processing strategy: Day-by-day (fixes BigQuery size limits)")
        log.info("Starting day-by-day analytics backfill from %s to %s", start, end)
        log.info("Will process %d days from %s to %s", ndays, start, end)
        if resumed:
            log.info("📂 Found checkpoint - resuming from %s", _resume_from(ctx.plan.dates, resumed))
            log.info("   Skipping %d already-processed dates", len(resumed))
        log.info("Processing %d days individually (day-by-day approach)", ndays - len(resumed))
        log.info("Checkpoint: %s", ckpt)
    elif s.style == "context":
        log.info("%s", "=" * 60)
        log.info("%s Backfill", s.class_name)
        log.info("Date Range: %s to %s", start, end)
        log.info("Total Days: %d", ndays)
        if s.code == "upgc":
            if resumed:
                log.info("📂 Found checkpoint - resuming from %s", _resume_from(ctx.plan.dates, resumed))
                log.info("   Skipping %d already-processed dates", len(resumed))
            log.info("Remaining Days: %d", ndays - len(resumed))
        log.info("Mode: %s", "DRY RUN" if args.dry_run else "PRODUCTION")
        if s.code == "upgc":
            log.info("Checkpoint: %s", ckpt)
        log.info("%s", "=" * 60)
    elif s.style == "tier":
        log.info("Backfilling scoring tier adjustments from %s to %s", start, end)
        log.info("Processing %d dates", len(ctx.plan.dates) + len(ctx.skipped))
    else:
        what = {"phase4": "day-by-day precompute backfill", "predictions": "Phase 5 prediction backfill",
                "grading": "Phase 5B grading backfill"}[s.style]
        if s.code == "mlfs":
            what = "ML Feature Store backfill"
        elif s.code in ("pcf", "pdc"):
            what = "backfill"
        log.info("Starting %s from %s to %s", what, start, end)
        if s.order:
            log.info("Execution order: %s", s.order)
        if s.style == "grading":
            log.info("Fetching game dates with predictions...")
        else:
            log.info("Fetching NBA schedule to find game dates...")
        game_dates = sorted(set(ctx.plan.dates) | set(ctx.skipped))
        log.info("Found %d game dates out of %d calendar days (skipping %d off-days)", len(game_dates), ndays,
                 ndays - len(game_dates))
        if resumed and len(resumed) == len(game_dates):
            log.info("RESUMING from checkpoint: all %d game dates already processed", len(game_dates))
        elif resumed:
            log.info("RESUMING from checkpoint: %s", _resume_from(game_dates, resumed))
        remaining = len(game_dates) - len(resumed)
        if s.style == "phase4":
            log.info("Processing %d game dates (of %d total game dates)", remaining, len(game_dates))
            log.info("  (Skipping %d off-days in the calendar range)", ndays - len(game_dates))
        else:
            log.info("Processing %d game dates (of %d total)", remaining, len(game_dates))
        if ckpt and s.style in ("predictions", "grading"):
            log.info("Checkpoint: %s", ckpt)


def _resume_from(dates: Sequence[str], done: Sequence[str]) -> str:
    rest = [d for d in dates if d not in set(done)]
    return rest[0] if rest else dates[-1]


def dry_run_lines(s: Script, ctx: api.RunContext, report) -> None:
    """Per-date dry-run lines in the legacy shapes, from our pre-flight report (nothing is written)."""
    frame = report.to_frame()
    per_date: dict[str, list] = {}
    for _, row in frame.iterrows():
        per_date.setdefault(row["date"].strftime("%Y-%m-%d"), []).append(row)
    dates = list(ctx.dates) if ctx.explicit else list(ctx.plan.dates)
    if s.style in ("context",):
        noun = "player" if s.code == "upgc" else "team"
        log.info("DRY RUN MODE - No data will be processed")
        days = dates if ctx.explicit else calendar(ctx.start, ctx.end)
        log.info("Would process %s game context for %d dates:", noun, len(days))
        for d in days[:5]:
            log.info("  - %s", d)
        if len(days) > 5:
            log.info("  ... and %d more dates", len(days) - 5)
    else:
        for i, d in enumerate(dates, 1):
            rows = per_date.get(d, [])
            ok = all(r["status"] == "ok" for r in rows)
            found = int(rows[0]["found"]) if rows else 0
            if s.style == "grading":
                log.info("Grading date %d/%d: %s", i, len(dates), d)
            elif s.style == "tier":
                log.info("[%d/%d] Processing %s", i, len(dates), d)
            elif s.style == "day" and not ctx.explicit:
                log.info("Processing day %d/%d: %s", i, len(dates), d)
            elif ctx.explicit:
                log.info("Processing date %d/%d: %s", i, len(dates), d)
            else:
                log.info("Processing game date %d/%d: %s", i, len(dates), d)
            if s.style == "day":
                log.info("  ✓ Dry run: %d games available" if s.code == "pgs" else "  ✓ Dry run complete",
                         *([ctx.warehouse and _games(ctx, d)] if s.code == "pgs" else []))
            elif s.code == "tdza":
                log.info("  ✓ Dry run: Phase 3 %s (%d teams)", "available" if ok else "NOT available", found)
            elif s.code == "psza":
                log.info("  ✓ Dry run: %d players available", found)
            elif s.code == "mlfs":
                if ok:
                    log.info("  ✓ Dry run: ALL Phase 4 dependencies available")
                else:
                    log.warning("  ⚠ Dry run: MISSING dependencies: %s",
                                sorted({r["table"] for r in rows if r["status"] != "ok"}))
            elif s.style == "grading":
                log.info("  ✓ Dry run: %d predictions (%d systems), %d actuals", found, 5 if found else 0,
                         int(rows[-1]["found"]) if rows else 0)
            else:
                log.info("  ✓ Dry run: deps %s", "OK" if ok else "MISSING")
    log.info("Pre-flight (nbaprops): %s", "OK" if report.ok else "problems found")
    if not report.ok:
        for _, row in report.problems().head(20).iterrows():
            log.info("  %s %s: %s (found %s, expected %s)", row["table"], row["date"].strftime("%Y-%m-%d"),
                     row["status"], row["found"], row["expected"])


def _games(ctx: api.RunContext, d: str) -> int:
    from ..api.dates import iso

    return sum(1 for g in ctx.warehouse.schedule().games() if g["counts"] and iso(g["game_date"]) == d)


def run_module(processor: str, phase: int, module: str) -> None:
    sys.exit(main_for(processor, phase, module))
