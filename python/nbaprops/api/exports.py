"""Phase 6 exports: the JSON files of the legacy ``daily_export.py`` written to a local directory tree."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional, Sequence

import pandas as pd

from .. import _core
from ..errors import ConfigError
from .dates import DateLike, iso, to_days
from .export_names import ALL_LEGACY_TYPES as ALL_LEGACY_TYPES  # re-exported (the names used to live here)
from .export_names import default_export_dir
from ._handle import engine_of, name_list
from .warehouse import Warehouse

#: The export types nbaprops implements (legacy ``--only`` names), in legacy run order; the public
#: spelling is :func:`nbaprops.export_types` (no argument).
EXPORT_TYPES: tuple[str, ...] = tuple(_core.export_types())

#: The legacy log label of each type ("  Results: <path>", "  Results error: <e>").
LEGACY_LABELS = {
    "results": "Results",
    "performance": "Performance",
    "best-bets": "Best Bets",
    "predictions": "Predictions",
    "tonight": "Tonight All Players",
    "tonight-players": "Tonight Players",
    "streaks": "Streaks",
    "trends-hot-cold": "Trends Hot/Cold",
    "trends-bounce-back": "Trends Bounce-Back",
    "trends-what-matters": "Trends What Matters",
    "trends-team": "Trends Team",
    "trends-quick-hits": "Trends Quick Hits",
    "trends-deep-dive": "Trends Deep Dive",
    "tonight-trend-plays": "Tonight Trend Plays",
    "live": "Live Scores",
    "live-grading": "Live Grading",
}

#: What ``count`` means per type in our own log lines.
NOUNS = {
    "results": "results",
    "performance": "systems",
    "best-bets": "picks",
    "predictions": "predictions",
    "tonight": "players",
    "tonight-players": "files",
    "streaks": "streaks",
    "trends-hot-cold": "players",
    "trends-bounce-back": "candidates",
    "trends-what-matters": "insights",
    "trends-team": "teams",
    "trends-quick-hits": "stats",
    "trends-deep-dive": "card",
    "tonight-trend-plays": "plays",
    "live": "games",
    "live-grading": "predictions",
    "players": "files",
}


def export_types(types: Optional[Iterable[str] | str] = None) -> list[str]:
    """Validate a ``--only`` selection of export types.

    Parameters
    ----------
    types : str or iterable of str, optional
        A comma-separated string or a list; None or empty means all.

    Returns
    -------
    list of str
        The selected types, in legacy run order.

    Raises
    ------
    ConfigError
        For an unknown type, with the list of supported ones. The legacy groups trends-daily /
        trends-weekly / trends-all expand to their members.
    """
    if types is None:
        return list(EXPORT_TYPES)
    return list(_core.export_parse_types(name_list(types)))


@dataclass
class ExportResult:
    """What :func:`export` wrote: per date and type the status, files and counts."""

    out_dir: Path
    dates: list[dict[str, Any]]
    type_status: dict[str, str]
    files: list[str]
    generated_at: str
    seconds: float
    exit_code: int
    types: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def failed(self) -> list[tuple[str, str, str]]:
        """(date, type, error) of every type that failed."""
        return [(d["date"], t["type"], t["error"]) for d in self.dates for t in d["types"] if not t["ok"]]

    def to_frame(self) -> pd.DataFrame:
        """One row per (date, type): status success/failed, count, files, error."""
        rows = [
            {
                "date": pd.Timestamp(d["date"]),
                "type": t["type"],
                "status": "success" if t["ok"] else "failed",
                "count": t["count"],
                "files": list(t["paths"]),
                "error": t["error"] or None,
            }
            for d in self.dates
            for t in d["types"]
        ]
        return pd.DataFrame(rows, columns=["date", "type", "status", "count", "files", "error"])

    def summary_text(self) -> str:
        """The summary block the export scripts print (counts per status, per-type status, failures)."""
        statuses = [d["status"] for d in self.dates]
        lines = ["=" * 80, "DAILY EXPORT SUMMARY:"]
        if self.dates:
            lines.append(f"  Dates: {len(self.dates)} ({self.dates[0]['date']} to {self.dates[-1]['date']})")
        else:
            lines.append("  Dates: 0")
        lines.append(
            f"  Successful: {statuses.count('success')}, Partial: {statuses.count('partial')}, "
            f"Failed: {statuses.count('failed')}"
        )
        for t, s in self.type_status.items():
            lines.append(f"  {t}: {s}")
        lines.append(f"  Files written: {len(self.files)} under {self.out_dir / 'v1'}")
        failed = self.failed
        if failed:
            lines.append(f"  Failed exports ({len(failed)} total):")
            for d, t, e in failed[:10]:
                lines.append(f"    {d} {t}: {e}")
            if len(failed) > 10:
                lines.append(f"    ... and {len(failed) - 10} more")
        lines.append(f"  Wall time: {self.seconds:.2f}s")
        lines.append("=" * 80)
        return "\n".join(lines)

    def __str__(self) -> str:
        per_type = ", ".join(f"{t} {s}" for t, s in self.type_status.items())
        return (
            f"ExportResult({len(self.dates)} dates, {len(self.files)} files under {self.out_dir}; "
            f"{per_type or 'nothing exported'})"
        )


def export(
    wh: Warehouse,
    start: Optional[DateLike] = None,
    end: Optional[DateLike] = None,
    types: Optional[Iterable[str] | str] = None,
    out_dir: Optional[str | os.PathLike] = None,
    *,
    dates: Optional[Sequence[DateLike]] = None,
    generated_at: Optional[str] = None,
    workers: int = 2,
    live_file: Optional[str | os.PathLike] = None,
) -> ExportResult:
    """Write the Phase 6 JSON exports for one date, a calendar range, or a list of dates.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to read (prediction_accuracy, system_daily_performance, player_prop_predictions,
        ml_feature_store_v2, player_composite_factors, player names; for ``tonight`` also nbac_schedule,
        upcoming_player_game_context, nbac_injury_report, odds_api_player_points_props and the
        player_game_summary history before the date).
    start, end : date-like
        A single date (``end`` None) or every calendar day from ``start`` to ``end`` inclusive.
    types : str or list of str, optional
        Any of the types :func:`export_types` returns and the groups ``trends-daily``, ``trends-weekly``,
        ``trends-all`` (default all 16 types).
    out_dir : path, optional
        Root of the output tree; files go to ``<out_dir>/v1/results/<date>.json`` and so on. Default
        ``$NBAPROPS_EXPORT_DIR``, else ``exports`` in the current directory (as ``nbaprops export``).
    dates : list of date-like or str, keyword-only
        Explicit dates instead of ``start``/``end`` (e.g. :func:`export_dates` for ``--backfill-all``); a
        comma-separated string works too.
    generated_at : str, optional
        The ``generated_at`` value of every payload (reproducible output); default the UTC clock.
    workers : int
        Dates built in parallel.
    live_file : path, optional
        ``live`` / ``live-grading``: a saved BallDontLie live box-score response (``{"data": [...]}``) read
        instead of ``nba_raw.bdl_player_boxscores``.

    Returns
    -------
    ExportResult
        Files written, per-date and per-type status; ``exit_code`` 1 when any type failed on any date.

    Notes
    -----
    Every file is written to a temporary file and renamed. ``latest.json``/``today.json`` and the files
    without a date in their path (performance, tonight, tonight/player/*, streaks, trends/*) are written for the
    newest date only.
    """
    if dates is not None:
        if start is not None or end is not None:
            raise ConfigError("pass either dates or start/end, not both")
        days = [to_days(d, "date") for d in (name_list(dates) if isinstance(dates, str) else dates)]
    elif start is None:
        raise ConfigError("export needs a start date (or dates=[...])")
    else:
        s = to_days(start, "start")
        e = s if end is None else to_days(end, "end")
        days = list(_core.export_calendar_days(s, e))
    names = export_types(types)
    out_dir = default_export_dir() if out_dir is None else out_dir
    native = _core.export_write(
        engine_of(wh),
        days,
        os.fspath(out_dir),
        names,
        generated_at or "",
        int(workers),
        os.fspath(live_file) if live_file else "",
    )
    return _result(native, out_dir, names)


def export_players(
    wh: Warehouse,
    out_dir: Optional[str | os.PathLike] = None,
    *,
    today: Optional[DateLike] = None,
    min_games: int = 5,
    generated_at: Optional[str] = None,
) -> ExportResult:
    """Write the player profiles of the legacy ``daily_export.py --players``.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to read (prediction_accuracy, player_game_summary, upcoming_player_game_context,
        player_prop_predictions).
    out_dir : path, optional
        Root of the output tree: ``<out_dir>/v1/players/index.json`` (every player with ≥ 3 graded ensemble
        dates) and ``<out_dir>/v1/players/<lookup>.json`` (players with ≥ ``min_games``). Default as in
        :func:`export`: ``$NBAPROPS_EXPORT_DIR``, else ``exports``.
    today : date-like, optional
        The date the next game is looked up from (default: US/Eastern today or ``$NBAPROPS_TODAY``).
    min_games : int
        Graded dates a player needs for a profile file (legacy ``--min-games``, default 5).
    generated_at : str, optional
        The ``generated_at`` value of every file.

    Returns
    -------
    ExportResult
        One "date" (``today``) with the ``players`` type; ``count`` is the number of files, index included.
    """
    from .legacy import today as legacy_today

    day = to_days(today if today is not None else legacy_today(), "today")
    out_dir = default_export_dir() if out_dir is None else out_dir
    native = _core.export_write(
        engine_of(wh), [day], os.fspath(out_dir), [], generated_at or "", 1, "", True, int(min_games)
    )
    return _result(native, out_dir, ["players"])


def _result(native: dict, out_dir: str | os.PathLike, names: list[str]) -> ExportResult:
    out_dates = [
        {"date": iso(d["date"]), "status": d["status"], "types": [dict(t) for t in d["types"]]} for d in native["dates"]
    ]
    return ExportResult(
        out_dir=Path(out_dir),
        dates=out_dates,
        type_status=dict(native["type_status"]),
        files=list(native["files"]),
        generated_at=native["generated_at"],
        seconds=float(native["seconds"]),
        exit_code=int(native["exit_code"]),
        types=names,
    )


def export_dates(wh: Warehouse) -> list[str]:
    """The dates the legacy ``--backfill-all`` exports.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to read.

    Returns
    -------
    list of str
        Every distinct game_date of prediction_accuracy, ISO strings, ascending.
    """
    return [iso(d) for d in _core.export_graded_dates(engine_of(wh))]


def build(
    wh: Warehouse,
    type: str,
    date: DateLike,
    generated_at: Optional[str] = None,  # noqa: A002
    top_n: int = 15,
    live_file: Optional[str | os.PathLike] = None,
    min_games: int = 5,
) -> dict:
    """One export payload as a dict, without writing a file (``performance`` and the trends pages: ``date`` is
    the as-of date). ``tonight-players`` and ``players`` give {relative path: payload} of every file."""
    return json.loads(
        _core.export_build(
            engine_of(wh),
            type,
            to_days(date, "date"),
            generated_at or "",
            int(top_n),
            os.fspath(live_file) if live_file else "",
            int(min_games),
        )
    )


def run_export(args, legacy: bool = False) -> int:
    """The run behind ``nbaprops export`` and the legacy ``daily_export`` script (parsed flags of
    ``nbaprops.cli.add_export_flags``). ``legacy`` prints the legacy script's lines (``  Results: <path>``,
    ``[i/N] Exporting D``, ``BACKFILL COMPLETE``); otherwise ours. Returns the exit code (1 when any type
    failed on any date)."""
    import datetime as _dt
    import logging

    from .legacy import today
    from .warehouse import open as open_warehouse

    log = logging.getLogger("nbaprops.export")
    types = export_types(args.only)
    if getattr(args, "players", False):
        return _run_players(args, legacy, log)
    ranged = args.start_date is not None or args.end_date is not None
    if sum([args.date is not None, ranged, bool(args.backfill_all)]) > 1:
        raise ConfigError("use only one of --date, --start-date/--end-date, --backfill-all")
    if ranged and not (args.start_date and args.end_date):
        raise ConfigError("--start-date and --end-date go together")
    wh = open_warehouse(args.warehouse)
    kw = dict(
        types=types,
        out_dir=args.out,
        generated_at=args.generated_at,
        workers=args.workers,
        live_file=getattr(args, "live_file", None),
    )
    if not legacy:
        log.info("Export types: %s → %s", ", ".join(types), os.path.join(args.out, "v1"))
    elif args.only:
        log.info("Export types: %s", [t.strip() for t in args.only.split(",")])
    single = False
    if args.backfill_all:
        dates = export_dates(wh)
        log.info(
            "Backfilling all %d dates with predictions"
            if legacy
            else "Backfill mode: %d dates with graded predictions",
            len(dates),
        )
        if not dates:
            log.warning("No graded dates in nba_predictions.prediction_accuracy: nothing to export")
            return 0
        result = export(wh, dates=dates, **kw)
    elif ranged:
        n = (_dt.date.fromisoformat(args.end_date) - _dt.date.fromisoformat(args.start_date)).days + 1
        if legacy:
            log.info("Backfilling %d dates from %s to %s", n, args.start_date, args.end_date)
        else:
            log.info("Range mode: %s to %s (every calendar day)", args.start_date, args.end_date)
        result = export(wh, args.start_date, args.end_date, **kw)
    else:
        single = True
        day = args.date or (today() - _dt.timedelta(days=1)).isoformat()
        if args.date is None and legacy:
            log.info("No date specified, exporting yesterday: %s", day)
        elif not legacy:
            log.info("Single date mode: %s", day)
        result = export(wh, day, **kw)
    out = Path(args.out)
    for i, d in enumerate(result.dates, 1):
        if legacy and not single:
            log.info("[%d/%d] Exporting %s", i, len(result.dates), d["date"])
        elif not legacy:
            log.info("Exporting date %d/%d: %s", i, len(result.dates), d["date"])
        for t in d["types"]:
            if legacy:
                label = LEGACY_LABELS.get(t["type"], t["type"])
                if t["ok"] and t["type"] == "tonight-players":
                    log.info("  %s: %d exported", label, t["count"])
                elif t["ok"]:
                    log.info("  %s: %s", label, out / t["paths"][0] if t["paths"] else "")
                else:
                    log.error("  %s error: %s", label, t["error"])
            elif t["ok"]:
                paths = t["paths"] if len(t["paths"]) <= 3 else [os.path.dirname(t["paths"][0]) + "/…"]
                log.info("  ✓ %s: %d %s → %s", t["type"], t["count"], NOUNS.get(t["type"], "rows"), ", ".join(paths))
            else:
                log.error("  ✗ %s: failed - %s", t["type"], t["error"])
        if not legacy:
            (log.info if d["status"] == "success" else log.error)("  %s: %s", d["date"], d["status"])
    if not legacy:
        print(result.summary_text())
    elif single and result.dates:
        d = result.dates[0]
        paths = {t["type"]: str(out / t["paths"][0]) for t in d["types"] if t["ok"] and t["paths"]}
        errs = [f"{t['type']}: {t['error']}" for t in d["types"] if not t["ok"]]
        if d["status"] == "success":
            log.info("Export complete: %s", paths)
        elif d["status"] == "partial":
            log.warning("Export partial: %s, errors: %s", paths, errs)
        else:
            log.error("Export failed: %s", errs)
    else:
        statuses = [d["status"] for d in result.dates]
        log.info("%s", "=" * 60)
        log.info("BACKFILL COMPLETE")
        log.info("  Successful: %d", statuses.count("success"))
        log.info("  Partial: %d", statuses.count("partial"))
        log.info("  Failed: %d", statuses.count("failed"))
        log.info("%s", "=" * 60)
    return result.exit_code


def _run_players(args, legacy: bool, log) -> int:
    """``--players``: the player profiles instead of daily data (legacy ``export_players``)."""
    from .warehouse import open as open_warehouse

    log.info("Exporting player profiles (min_games=%d)", args.min_games)
    result = export_players(
        open_warehouse(args.warehouse), args.out, min_games=args.min_games, generated_at=args.generated_at
    )
    t = result.dates[0]["types"][0]
    if not t["ok"]:
        log.error("Player export failed: %s" if legacy else "  ✗ players: failed - %s", t["error"])
        return 1
    if legacy:
        log.info("Found %d players with >= %d games", t["count"] - 1, args.min_games)
        log.info("Exported %d player profiles", t["count"])
        log.info("Player export complete: %d profiles", t["count"])
    else:
        log.info("  ✓ players: %d files → %s", t["count"], os.path.join(args.out, "v1", "players"))
        print(result.summary_text())
    return 0
