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

    code: str  # processor short code
    module: str  # our module (python -m ...)
    legacy_path: str  # the legacy file, relative to the legacy repository root
    style: str  # day | context | phase4 | predictions | grading | tier
    defaults: str  # last7 | start_required | start_argparse | tier
    class_name: str = ""  # legacy processor class in the summary header
    success: str = ""  # range-mode success line (format fields: n, rows, games, secs, d, ...)
    also: tuple[str, ...] = ()
    order: str = ""  # the Phase 4 "Execution order" note of the legacy script

    @property
    def legacy_name(self) -> str:
        return os.path.basename(self.legacy_path)


SCRIPTS: dict[str, Script] = {
    s.code: s
    for s in [
        Script(
            "pgs",
            "nbaprops.jobs.analytics.player_game_summary",
            "backfill_jobs/analytics/player_game_summary/player_game_summary_analytics_backfill.py",
            "day",
            "last7",
            "PlayerGameSummaryProcessor",
            "  ✓ Success: {rows} records from {games} games",
        ),
        Script(
            "tdgs",
            "nbaprops.jobs.analytics.team_defense_game_summary",
            "backfill_jobs/analytics/team_defense_game_summary/team_defense_game_summary_analytics_backfill.py",
            "day",
            "start_required",
            "TeamDefenseGameSummaryProcessor",
            "  ✓ Success: {rows} records",
        ),
        Script(
            "togs",
            "nbaprops.jobs.analytics.team_offense_game_summary",
            "backfill_jobs/analytics/team_offense_game_summary/team_offense_game_summary_analytics_backfill.py",
            "day",
            "start_required",
            "TeamOffenseGameSummaryProcessor",
            "  ✓ Success: {rows} records",
        ),
        Script(
            "upgc",
            "nbaprops.jobs.analytics.upcoming_player_game_context",
            "backfill_jobs/analytics/upcoming_player_game_context/upcoming_player_game_context_analytics_backfill.py",
            "context",
            "start_argparse",
            "Upcoming Player Game Context",
            "✅ {d}: Processed {n} players ({failed} failed)",
        ),
        Script(
            "utgc",
            "nbaprops.jobs.analytics.upcoming_team_game_context",
            "backfill_jobs/analytics/upcoming_team_game_context/upcoming_team_game_context_analytics_backfill.py",
            "context",
            "start_argparse",
            "Upcoming Team Game Context",
            "✅ {d}: Processed {n} teams, {games} games",
        ),
        Script(
            "tdza",
            "nbaprops.jobs.precompute.team_defense_zone_analysis",
            "backfill_jobs/precompute/team_defense_zone_analysis/team_defense_zone_analysis_precompute_backfill.py",
            "phase4",
            "last7",
            "TeamDefenseZoneAnalysisProcessor",
            "  ✓ Success: {n} teams processed",
            order="1/5 (runs first)",
        ),
        Script(
            "psza",
            "nbaprops.jobs.precompute.player_shot_zone_analysis",
            "backfill_jobs/precompute/player_shot_zone_analysis/player_shot_zone_analysis_precompute_backfill.py",
            "phase4",
            "last7",
            "PlayerShotZoneAnalysisProcessor",
            "  ✓ Success: {n} players processed",
            order="2/5 (can run parallel with #1)",
        ),
        Script(
            "pcf",
            "nbaprops.jobs.precompute.player_composite_factors",
            "backfill_jobs/precompute/player_composite_factors/player_composite_factors_precompute_backfill.py",
            "phase4",
            "last7",
            "PlayerCompositeFactorsProcessor",
            "  ✓ Success: {n} players",
            order="3/5 (depends on #1, #2)",
        ),
        Script(
            "pdc",
            "nbaprops.jobs.precompute.player_daily_cache",
            "backfill_jobs/precompute/player_daily_cache/player_daily_cache_precompute_backfill.py",
            "phase4",
            "last7",
            "PlayerDailyCacheProcessor",
            "  ✓ Success: {n} players",
            order="4/5 (depends on #1, #2, #3)",
        ),
        Script(
            "mlfs",
            "nbaprops.jobs.precompute.ml_feature_store",
            "backfill_jobs/precompute/ml_feature_store/ml_feature_store_precompute_backfill.py",
            "phase4",
            "last7",
            "MLFeatureStoreProcessor",
            "  ✓ Success: {n} players, version={version}",
            order="5/5 (FINAL)",
        ),
        Script(
            "pred",
            "nbaprops.jobs.prediction.player_prop_predictions",
            "backfill_jobs/prediction/player_prop_predictions_backfill.py",
            "predictions",
            "last7",
            "PlayerPropPredictionsBackfill",
            "  ✓ Success: {n} predictions in {secs:.1f}s",
        ),
        Script(
            "grade",
            "nbaprops.jobs.grading.prediction_accuracy",
            "backfill_jobs/grading/prediction_accuracy/prediction_accuracy_grading_backfill.py",
            "grading",
            "last7",
            "PredictionAccuracyProcessor",
            "  ✓ Success: {rows} graded, MAE={mae}, bias={bias} in {secs:.1f}s",
            also=("sdp",),
        ),
        Script(
            "tier",
            "nbaprops.jobs.grading.scoring_tier",
            "backfill_jobs/ml_feedback/scoring_tier_backfill.py",
            "tier",
            "tier",
            "ScoringTierProcessor",
        ),
    ]
}

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


def checkpoint_successes(path: str, warehouse: str = "") -> list[str]:
    """The dates a legacy-layout checkpoint file records as successful (empty when absent/corrupt, or
    when the file names another warehouse than ``warehouse``: the runner does not trust it then)."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        ok = set(data.get("successful_dates", [])) - set(data.get("failed_dates", []))
    except (OSError, ValueError, AttributeError, TypeError):
        return []
    other = data.get("warehouse")
    if warehouse and isinstance(other, str) and _same_place(other) != _same_place(warehouse):
        return []
    return sorted(ok)


def _same_place(uri: str) -> str:
    return uri if "://" in uri else os.path.realpath(uri)


@dataclass
class ResumeView:
    """What a resumed range run leaves out, known before it starts: ``silent`` game dates the runner
    skips as already committed (the checkpoint records them and the warehouse still holds them, as the
    runner checks), and ``quiet`` calendar off days before the first date that runs (Phase 3 ranges:
    the legacy skipped every day before its resume date)."""

    silent: set[str] = field(default_factory=set)
    quiet: set[str] = field(default_factory=set)

    @property
    def skipped(self) -> int:
        return len(self.silent) + len(self.quiet)


def resume_view(s: Script, processor: str, ctx: api.RunContext, args, ckpt: str) -> ResumeView:
    """The dates a resume leaves out of this run. A checkpoint date counts only where the runner will
    trust it: its run-ledger row is up to date, or (a legacy file, no ledger row) the warehouse holds
    rows for it. The legacy Phase 4-5 scripts never resumed in a dry run; Phase 3 ones did."""
    if ctx.explicit or args.no_resume or not ckpt or (args.dry_run and s.style not in ("day", "context")):
        return ResumeView()
    done = set(checkpoint_successes(ckpt, str(ctx.warehouse.uri))) & set(ctx.plan.dates)
    if not done:
        return ResumeView()
    import nbaprops

    try:
        fresh = nbaprops.freshness(ctx.warehouse, ctx.plan).to_frame()
    except errors.NbaPropsError:
        return ResumeView()
    silent = set()
    for row in fresh[fresh["processor"] == processor].itertuples():
        d = row.date.strftime("%Y-%m-%d")
        if d in done and (row.state == "up_to_date" or (row.state == "missing" and int(row.rows) > 0)):
            silent.add(d)
    quiet: set[str] = set()
    if silent and s.style in ("day", "context") and ctx.start:
        planned = set(ctx.plan.dates)
        to_run = [d for d in sorted(planned) if d not in silent]
        quiet = {d for d in calendar(ctx.start, ctx.end) if d not in planned and (not to_run or d < to_run[0])}
    return ResumeView(silent, quiet)


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
    resumed from the checkpoint print nothing; with ``by_position`` (the Phase 4-5 scripts) ``i`` is the
    date's place among all ``N`` game dates, so it counts from the resume offset as the legacy's did, and
    the progress line counts the ``remaining`` dates. Off days of a Phase 3 calendar range are reported
    as the legacy early exit did (success, 0 records)."""

    def __init__(
        self,
        script: Script,
        processor: str,
        dates: list[str],
        *,
        explicit: bool,
        game_dates: set[str],
        games_on: dict[str, int],
        resumed: set[str],
        numbering_total: int,
        remaining: Optional[int] = None,
        by_position: bool = False,
        extra: Optional[Callable[[str, dict], dict]] = None,
        skipped: Optional[dict[str, str]] = None,
        stored: Optional[Callable[[str, dict], int]] = None,
    ) -> None:
        self.s, self.processor, self.dates, self.explicit = script, processor, dates, explicit
        self.game_dates, self.games_on, self.resumed = game_dates, games_on, resumed
        self.total, self.extra = numbering_total, extra
        self.remaining = numbering_total if remaining is None else remaining
        self.position = {d: i for i, d in enumerate(dates, 1)} if by_position else None
        self.stored = stored
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
        i = self.position[d] if self.position is not None else self.number
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
            resumed = reason == "resumed"  # up to date: the runner reports its stored rows, no entities
            n = int(ev.get("entities", 0))
            if resumed:
                n = self.stored(d, ev) if self.stored is not None else int(ev.get("rows", 0))
            t.entities += n
            t.rows += int(ev.get("rows", 0))
            fields = dict(
                n=n,
                rows=ev.get("rows", 0),
                games=self.games_on.get(d, 0),
                secs=secs,
                d=d,
                failed=0,
                version=None,
                mae="N/A",
                bias="N/A",
            )
            if self.extra is not None:
                fields.update(self.extra(d, ev))
            line = self._success_line(fields)
            if line:
                log.info("%s%s", line, f" ({reason})" if status == "empty" and reason and not resumed else "")
        elif status.startswith("skipped"):
            t.skipped.append(d)
            if s.style == "tier":
                pass  # the legacy counted skips silently
            elif s.style == "grading":
                log.info("  ⏭ Skipped: no predictions")
            elif s.style in ("day", "context"):
                log.info("  ⏭ Skipped: %s", reason)
            elif self.explicit and s.code in ("pcf", "pdc", "pred"):
                log.info("%s: %s", d, status)  # the legacy's --dates line: the date and its status
            elif status == "skipped_no_games":
                log.info("  ⏭ Skipped: no games")  # legacy: no such line (it ran the processor anyway)
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
        elif s.style in ("predictions", "grading"):
            log.error("  ✗ Failed: %s", status)  # the legacy's line names the status; the reason follows the summary
        else:
            log.error("  ✗ Failed: %s", reason or "Unknown")

    def _progress(self) -> None:
        s, t = self.s, self.tally
        if self.explicit or t.processed % 10 or s.style in ("context", "tier"):
            return
        if s.style == "day":
            rate = 100.0 * len(t.ok) / max(t.processed, 1)
            log.info(
                "Progress: %d/%d days (%.1f%% success), %d total records (avg %.0f/day)",
                t.processed,
                self.remaining,
                rate,
                t.rows,
                t.rows / max(len(t.ok), 1),
            )
        elif s.code in ("tdza", "psza"):
            rate = 100.0 * len(t.ok) / max(t.processed - len(t.skipped), 1)
            log.info("Progress: %d/%d game dates (%.1f%% success)", t.processed, self.remaining, rate)
        else:
            log.info("Progress: %d/%d game dates", t.processed, self.remaining)

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
            out += [LINE80, "SPECIFIC DATES PROCESSING SUMMARY:", f"  Total dates: {n}", f"  Successful: {len(t.ok)}"]
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
        out += [
            LINE80,
            "DAY-BY-DAY BACKFILL SUMMARY:",
            f"  Date range: {start} to {end}",
            f"  Total days: {days}",
            f"  Successful days: {len(t.ok)}",
            f"  Failed days: {len(failed)}",
        ]
        if t.processed:
            out.append(f"  Success rate: {100.0 * len(t.ok) / t.processed:.1f}%")
        out.append(f"  Total records processed: {t.rows}")
        if t.ok:
            out.append(f"  Average records per day: {t.rows / len(t.ok):.1f}")
        out += ["\n📊 Checkpoint Summary:", *_checkpoint_summary(ckpt)]
        out += _failed_block(s, failed)
        out.append(LINE80)
    elif s.style == "context":
        out += [
            "\n" + "=" * 60,
            "BACKFILL COMPLETE",
            "=" * 60,
            f"Date Range: {start} to {end}",
            f"Days Processed: {len(t.ok)}/{t.processed}",
            f"Days Failed: {len(failed)}",
        ]
        if s.code == "upgc":
            out += [
                f"Total Players Processed: {t.entities}",
                "Total Players Failed: 0",
                "\n📊 Checkpoint Summary:",
                *_checkpoint_summary(ckpt),
            ]
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
            out += [
                f"  Successful days: {len(t.ok)}",
                f"  Skipped (bootstrap): {len(t.skipped)}",
                f"  Failed days: {len(failed)}",
            ]
            denom = len(ctx.plan.dates) - len(t.skipped)
            if denom > 0:
                out.append(f"  Success rate: {100.0 * len(t.ok) / denom:.1f}%")
            if t.ok:
                out += [
                    f"  Total teams processed: {t.entities}",
                    f"  Average teams per day: {t.entities / len(t.ok):.1f}",
                ]
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
        title = (
            "PHASE 5 PREDICTION BACKFILL SUMMARY:" if s.style == "predictions" else "PHASE 5B GRADING BACKFILL SUMMARY:"
        )
        out += [
            LINE80,
            title,
            f"  Game dates processed: {t.processed}",
            f"  Successful: {len(t.ok)}, Skipped: {len(t.skipped)}, Failed: {len(failed)}",
        ]
        if t.ok:
            # Predictions: the legacy's predictions_generated counted players; grading counts graded rows.
            total = t.entities if s.style == "predictions" else t.rows
            out.append(f"  Total predictions {'generated' if s.style == 'predictions' else 'graded'}: {total}")
        gate_skips = [d for d in t.skipped if d in ctx.skipped]
        listed = failed + gate_skips  # the legacy listed gate-skipped dates as failed, for a retry
        if listed:
            out.append(f"  Failed dates: {sorted(listed)[:10]}")
        out.append(LINE80)
    elif s.style == "tier":
        out += _tier_summary(t.processed, t)
    return out + _failure_details(t)


def _tier_summary(n: int, t: Tally) -> list[str]:
    return [
        "=" * 60,
        "SCORING TIER BACKFILL COMPLETE",
        f"  Processed: {n} dates",
        f"  Success: {len(t.ok)}, Skipped: {len(t.skipped)}, Failed: {len(t.failed)}",
        "=" * 60,
    ]


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
        out.append(
            f"  {row['table']} {row['date'].strftime('%Y-%m-%d')}: {row['status']} "
            f"(found {row['found']}, expected {row['expected']})"
        )
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
        f"{api.EXIT_SKIPPED} = a gate skipped dates (predictions' MLFS check), "
        f"{errors.BUSY_EXIT} = another run is writing the same tables (nothing ran; try again later), "
        "130 = interrupted.\n"
        "Today is $NBAPROPS_TODAY (YYYY-MM-DD) or the US/Eastern date."
    )
    parser = argparse.ArgumentParser(
        prog=f"python -m {module}",
        description=_defaults_help(s),
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_backfill_flags(parser, with_processors=False)
    for action in parser._actions:
        if "--progress" in action.option_strings:  # the scripts always print the legacy log lines
            action.help = (
                "accepted for `nbaprops backfill` compatibility and ignored: these scripts always "
                "print the legacy log lines (live bars: nbaprops backfill --progress bar)"
            )
    parser.add_argument(
        "--warehouse",
        "-w",
        default=os.environ.get("NBAPROPS_WAREHOUSE", "warehouse"),
        help="warehouse directory (SQLite); default $NBAPROPS_WAREHOUSE or ./warehouse",
    )
    return parser


def require_warehouse(parser: argparse.ArgumentParser, uri: str) -> None:
    """A usage error (exit 2, nothing created) when the SQLite warehouse directory does not exist, as
    ``nbaprops backfill`` refuses it; other warehouses (bigquery://…) are not checked here."""
    from ..cli import require_warehouse as check

    try:
        check(uri)
    except errors.ConfigError as e:
        parser.error(str(e))


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
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s - %(levelname)s - %(message)s", stream=sys.stdout, force=True
    )


def main_for(
    code: str,
    phase: int,
    module: str,
    argv: Optional[Sequence[str]] = None,
    *,
    also: Sequence[str] = (),
    add_flags=None,
    gate=None,
    prepare=None,
    help_text: str = "",
) -> int:
    """Entry point of one legacy job script (``code``: the processor's short code; ``phase`` is kept for
    callers, the script's row in :data:`SCRIPTS` decides the wording). ``add_flags(parser)`` adds
    job-specific flags; ``prepare(args, script, wh, parser) -> (start, end, dates)`` may replace the date
    selection; ``gate(args)`` returns a :func:`nbaprops.api.legacy.run_backfill` gate."""
    s = SCRIPTS[code]
    parser = build_parser(s, module, help_text)
    if add_flags is not None:
        add_flags(parser)
    args = parser.parse_args(argv)
    require_warehouse(parser, args.warehouse)
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
            state["ckpt"] = (
                checkpoint_path(info[code]["legacy_job"], ctx.start, ctx.end, args.checkpoint_dir)
                if ctx.start and not ctx.plan.explicit_dates
                else ""
            )
            state["resume"] = resume_view(s, processor, ctx, args, state["ckpt"])
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
            dry_run_lines(s, ctx, report, state.get("resume"), processor)

        return api.run_backfill(
            args,
            names,
            log=log,
            dates_fn=dates_fn,
            gate=gate(args) if gate else None,
            reporter=reporter,
            before_run=before,
            on_dry_run=on_dry_run,
            on_refusal=on_refusal,
            on_result=on_result,
        )
    except errors.WarehouseBusyError as e:  # nothing ran; the same command works once the other run ended
        log.error("%s", e)
        return errors.BUSY_EXIT
    except errors.NbaPropsError as e:
        log.error("%s", e)
        return 1
    except KeyboardInterrupt:
        return 130


def make_reporter(s: Script, processor: str, ctx: api.RunContext, args, state: dict) -> LegacyReporter:
    """The reporter of one run: report dates (calendar days for the Phase 3 scripts' ranges), the
    dates a resume leaves out (silent) and the numbering the legacy script used."""
    wh = ctx.warehouse
    games_on: dict[str, int] = {}
    from ..api.dates import iso

    for g in wh.schedule().games():
        if g["counts"]:
            d = iso(g["game_date"])
            games_on[d] = games_on.get(d, 0) + 1
    planned = list(ctx.plan.dates)
    gate_skips = dict(ctx.skipped)
    view = state.get("resume") or ResumeView()
    dates = run_dates(s, ctx, view)
    resumed = set(view.silent)
    game_dates = set(planned)
    by_position = s.style in ("phase4", "predictions", "grading") and not ctx.explicit
    if by_position:  # legacy: "game date offset+k/T", progress "k/R"
        total, remaining = len(dates), len(dates) - len(resumed)
    else:  # legacy Phase 3 (and ours for tier): numbered over the dates that run
        total = remaining = len(dates) - len(resumed)
    extra = _grading_extra(wh) if s.style == "grading" else _mlfs_extra(wh) if s.code == "mlfs" else None
    stored = _stored_players(wh) if s.code == "pred" else None
    return LegacyReporter(
        s,
        processor,
        dates,
        explicit=ctx.explicit,
        game_dates=game_dates,
        games_on=games_on,
        resumed=resumed,
        numbering_total=total,
        remaining=remaining,
        by_position=by_position,
        extra=extra,
        skipped=gate_skips,
        stored=stored,
    )


def run_dates(s: Script, ctx: api.RunContext, view: Optional["ResumeView"] = None) -> list[str]:
    """The dates a run of ``s`` reports, in order: the explicit list; every calendar day of a Phase 3
    range (less the off days a resume leaves out); the game dates otherwise (gate-skipped ones too)."""
    if ctx.explicit:
        return list(ctx.dates)
    if s.style in ("day", "context") and ctx.start:
        quiet = view.quiet if view is not None else set()
        return [d for d in calendar(ctx.start, ctx.end) if d not in quiet]
    return sorted(set(ctx.plan.dates) | set(ctx.skipped))


def _stored_players(wh) -> Callable[[str, dict], int]:
    """Players of a date's stored predictions (a resumed unit reports rows, the legacy line players)."""
    import nbaprops

    def stored(d: str, ev: dict) -> int:
        try:
            f = nbaprops.read(wh, "nba_predictions.player_prop_predictions", d, d, columns=["player_lookup"])
        except errors.NbaPropsError:
            return 0
        return int(f["player_lookup"].nunique())

    return stored


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
    """The lines the legacy script logged before its per-date loop, describing what this run does: the
    resume lines count the dates the run leaves out (:func:`resume_view`), not the checkpoint's list."""
    if ctx.explicit:
        log.info("Processing %d specific dates", len(ctx.dates))
        return
    start, end = ctx.start, ctx.end
    ckpt = state.get("ckpt", "")
    view: ResumeView = state.get("resume") or ResumeView()
    ndays = len(calendar(start, end))
    if s.style in ("day", "context"):
        days = run_dates(s, ctx, view)
        to_run = [d for d in days if d not in view.silent]
    if s.style == "day":
        log.info("Day-by-day analytics backfill configuration:")
        log.info("  Date range: %s to %s", start, end)
        log.info("  Dry run: %s", bool(args.dry_run))
        log.info("  No resume: %s", bool(args.no_resume))
        log.info("  Processing strategy: Day-by-day (fixes BigQuery size limits)")
        log.info("Starting day-by-day analytics backfill from %s to %s", start, end)
        log.info("Will process %d days from %s to %s", ndays, start, end)
        _phase3_resume_lines(view, to_run)
        log.info("Processing %d days individually (day-by-day approach)", len(to_run))
        log.info("Checkpoint: %s", ckpt)
    elif s.style == "context":
        log.info("%s", "=" * 60)
        log.info("%s Backfill", s.class_name)
        log.info("Date Range: %s to %s", start, end)
        log.info("Total Days: %d", ndays)
        if s.code == "upgc":
            _phase3_resume_lines(view, to_run)
            log.info("Remaining Days: %d", len(to_run))
        log.info("Mode: %s", "DRY RUN" if args.dry_run else "PRODUCTION")
        if s.code == "upgc":
            log.info("Checkpoint: %s", ckpt)
        log.info("%s", "=" * 60)
    elif s.style == "tier":
        log.info("Backfilling scoring tier adjustments from %s to %s", start, end)
        log.info("Processing %d dates", len(ctx.plan.dates) + len(ctx.skipped) - len(view.silent))
    else:
        what = {
            "phase4": "day-by-day precompute backfill",
            "predictions": "Phase 5 prediction backfill",
            "grading": "Phase 5B grading backfill",
        }[s.style]
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
        game_dates = run_dates(s, ctx)
        log.info(
            "Found %d game dates out of %d calendar days (skipping %d off-days)",
            len(game_dates),
            ndays,
            ndays - len(game_dates),
        )
        to_run = [d for d in game_dates if d not in view.silent]
        if view.silent:
            if to_run:
                log.info("RESUMING from checkpoint: %s", to_run[0])
            else:
                log.info("RESUMING from checkpoint: all %d game dates already processed", len(game_dates))
            _checkpoint_box(ctx, args, state)
        if s.style == "phase4":
            log.info("Processing %d game dates (of %d total game dates)", len(to_run), len(game_dates))
            log.info("  (Skipping %d off-days in the calendar range)", ndays - len(game_dates))
        else:
            log.info("Processing %d game dates (of %d total)", len(to_run), len(game_dates))
        if ckpt and s.style in ("predictions", "grading"):
            log.info("Checkpoint: %s", ckpt)


def _phase3_resume_lines(view: ResumeView, to_run: list[str]) -> None:
    if not view.silent:
        return
    if to_run:
        log.info("📂 Found checkpoint - resuming from %s", to_run[0])
    else:
        log.info("📂 Found checkpoint - all dates already processed")
    log.info("   Skipping %d already-processed dates", view.skipped)


def _checkpoint_box(ctx: api.RunContext, args, state: dict) -> None:
    """The checkpoint status box the legacy printed (with print) after "RESUMING from checkpoint"."""
    import nbaprops

    job = os.path.basename(state.get("ckpt", "")).rsplit(f"_{ctx.start}_{ctx.end}.json", 1)[0]
    try:
        box = nbaprops.checkpoint_status(job, ctx.start, ctx.end, args.checkpoint_dir)
    except errors.NbaPropsError:
        return
    for handler in logging.getLogger().handlers:
        handler.flush()
    print(box.rstrip("\n"), flush=True)


#: The legacy Phase 4 dry-run availability rules (spec legacy-backfill-framework §4.4): per script, the
#: upstream tables read for a date D — (table, date column, distinct-entity column or "" for rows, days
#: back from D, minimum) — and D is available when every one reaches its minimum.
DRY_RUN_RULES: dict[str, list[tuple[str, str, str, int, int]]] = {
    "tdza": [("nba_analytics.team_defense_game_summary", "game_date", "defending_team_abbr", 60, 20)],
    "psza": [("nba_analytics.player_game_summary", "game_date", "player_lookup", 30, 100)],
    "pcf": [
        ("nba_precompute.team_defense_zone_analysis", "analysis_date", "", 0, 20),
        ("nba_precompute.player_shot_zone_analysis", "analysis_date", "", 0, 100),
    ],
    "pdc": [
        ("nba_precompute.team_defense_zone_analysis", "analysis_date", "", 0, 20),
        ("nba_precompute.player_shot_zone_analysis", "analysis_date", "", 0, 20),
        ("nba_precompute.player_composite_factors", "game_date", "", 0, 20),
    ],
    "mlfs": [
        ("nba_precompute.team_defense_zone_analysis", "analysis_date", "", 0, 10),
        ("nba_precompute.player_shot_zone_analysis", "analysis_date", "", 0, 10),
        ("nba_precompute.player_composite_factors", "game_date", "", 0, 10),
        ("nba_precompute.player_daily_cache", "cache_date", "", 0, 10),
    ],
    # Phase 5A checks Phase 4 presence on D (spec legacy-mlfs-phase5-6 §7.1 step 2).
    "pred": [
        ("nba_precompute.player_daily_cache", "cache_date", "", 0, 30),
        ("nba_precompute.player_shot_zone_analysis", "analysis_date", "", 0, 50),
        ("nba_precompute.team_defense_zone_analysis", "analysis_date", "", 0, 15),
    ],
}


def availability(wh, rules: list[tuple[str, str, str, int, int]], dates: list[str]) -> dict[str, list[tuple]]:
    """Per date, (table, count, minimum) of each rule: distinct entities (or rows) of the table over
    D−back … D, read once per table for the whole span."""
    import nbaprops

    out: dict[str, list[tuple]] = {d: [] for d in dates}
    if not dates:
        return out
    for table, col, entity, back, minimum in rules:
        lo = (_dt.date.fromisoformat(min(dates)) - _dt.timedelta(days=back)).isoformat()
        try:
            f = nbaprops.read(wh, table, lo, max(dates), columns=[col] + ([entity] if entity else []))
        except errors.NbaPropsError:
            f = None
        days = f[col].dt.strftime("%Y-%m-%d") if f is not None and len(f) else None
        for d in dates:
            if days is None:
                n = 0
            else:
                first = (_dt.date.fromisoformat(d) - _dt.timedelta(days=back)).isoformat()
                sel = (days >= first) & (days <= d)
                n = int(f.loc[sel, entity].nunique()) if entity else int(sel.sum())
            out[d].append((table, n, minimum))
    return out


def dry_run_lines(
    s: Script, ctx: api.RunContext, report, view: Optional[ResumeView] = None, processor: str = ""
) -> None:
    """Per-date dry-run lines in the legacy shapes (nothing is written): the dates the real run would
    visit, each judged by the legacy script's own availability rule, bootstrap dates as skipped; then
    our pre-flight verdict and its problem cells."""
    if s.style == "context":
        noun = "player" if s.code == "upgc" else "team"
        log.info("DRY RUN MODE - No data will be processed")
        days = [d for d in run_dates(s, ctx, view) if view is None or d not in view.silent]
        log.info("Would process %s game context for %d dates:", noun, len(days))
        for d in days[:5]:
            log.info("  - %s", d)
        if len(days) > 5:
            log.info("  ... and %d more dates", len(days) - 5)
    else:
        dates = [d for d in run_dates(s, ctx, view) if view is None or d not in view.silent]
        units = ctx.plan.units()
        units = units[units["processor"] == (processor or ctx.plan.processors[0])]
        bootstrap = {
            t.strftime("%Y-%m-%d")
            for t, planned in zip(units["date"], units["planned"])
            if planned == "skipped_bootstrap"
        }
        no_games = {
            t.strftime("%Y-%m-%d")
            for t, planned in zip(units["date"], units["planned"])
            if planned == "skipped_no_games"
        }
        active = [d for d in dates if d not in bootstrap and d not in no_games and d not in ctx.skipped]
        rules = DRY_RUN_RULES.get(s.code)
        avail = availability(ctx.warehouse, rules, active) if rules else {}
        grading = _grading_counts(ctx.warehouse, active) if s.style == "grading" else {}
        for i, d in enumerate(dates, 1):
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
                if s.code == "pgs":
                    log.info("  ✓ Dry run: %d games available", _games(ctx, d))
                else:
                    log.info("  ✓ Dry run complete")
            elif d in ctx.skipped:
                log.warning("  ⚠ Skipped: MLFS incomplete (%s)", ctx.skipped[d])
            elif d in bootstrap:
                log.info("  ⏭ Skipped: bootstrap period")
            elif d in no_games:
                log.info("  ⏭ Skipped: no games")
            elif rules:
                checks = avail[d]
                ok = all(n >= minimum for _, n, minimum in checks)
                if s.code == "tdza":
                    log.info("  ✓ Dry run: Phase 3 %s (%d teams)", "available" if ok else "NOT available", checks[0][1])
                elif s.code == "psza":
                    log.info("  ✓ Dry run: %d players available", checks[0][1])
                elif s.code == "mlfs":
                    if ok:
                        log.info("  ✓ Dry run: ALL Phase 4 dependencies available")
                    else:
                        log.warning(
                            "  ⚠ Dry run: MISSING dependencies: %s",
                            [t.split(".")[-1] for t, n, minimum in checks if n < minimum],
                        )
                else:
                    log.info("  ✓ Dry run: deps %s", "OK" if ok else "MISSING")
            elif s.style == "grading":
                preds, systems, actuals = grading.get(d, (0, 0, 0))
                if not preds:
                    log.info("  ⏭ Skipped: no predictions")
                else:
                    log.info("  ✓ Dry run: %d predictions (%d systems), %d actuals", preds, systems, actuals)
    problems = report.problems()
    log.info("Pre-flight (nbaprops): %s", "OK" if not len(problems) else "problems found")
    for _, row in problems.head(20).iterrows():
        log.info(
            "  %s %s: %s (found %s, expected %s)",
            row["table"],
            row["date"].strftime("%Y-%m-%d"),
            row["status"],
            row["found"],
            row["expected"],
        )


def _grading_counts(wh, dates: list[str]) -> dict[str, tuple[int, int, int]]:
    """Per date: predictions, distinct systems, and actuals (box-score rows) — the legacy grading dry run."""
    import nbaprops

    out: dict[str, tuple[int, int, int]] = {}
    if not dates:
        return out
    lo, hi = min(dates), max(dates)
    try:
        p = nbaprops.read(wh, "nba_predictions.player_prop_predictions", lo, hi, columns=["game_date", "system_id"])
        a = nbaprops.read(wh, "nba_analytics.player_game_summary", lo, hi, columns=["game_date"])
    except errors.NbaPropsError:
        return out
    pd_ = p["game_date"].dt.strftime("%Y-%m-%d")
    ad = a["game_date"].dt.strftime("%Y-%m-%d").value_counts()
    for d in dates:
        sel = pd_ == d
        out[d] = (int(sel.sum()), int(p.loc[sel, "system_id"].nunique()), int(ad.get(d, 0)))
    return out


def _games(ctx: api.RunContext, d: str) -> int:
    from ..api.dates import iso

    return sum(1 for g in ctx.warehouse.schedule().games() if g["counts"] and iso(g["game_date"]) == d)


def run_module(processor: str, phase: int, module: str) -> None:
    sys.exit(main_for(processor, phase, module))
