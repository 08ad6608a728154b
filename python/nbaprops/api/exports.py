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
from .warehouse import Warehouse

#: The export types nbaprops implements (legacy ``--only`` names), in legacy run order.
EXPORT_TYPES: tuple[str, ...] = tuple(_core.export_types())


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
        For an unknown type, and for the legacy types nbaprops does not implement (tonight-players,
        streaks, trends-*, live, live-grading, player profiles), with the list of supported ones.
    """
    if types is None:
        return list(EXPORT_TYPES)
    if isinstance(types, str):
        types = types.split(",")
    names = [t.strip() for t in types if t and t.strip()]
    return list(_core.export_parse_types(names))


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
        rows = [{"date": pd.Timestamp(d["date"]), "type": t["type"], "status": "success" if t["ok"] else "failed",
                 "count": t["count"], "files": list(t["paths"]), "error": t["error"] or None}
                for d in self.dates for t in d["types"]]
        return pd.DataFrame(rows, columns=["date", "type", "status", "count", "files", "error"])

    def summary_text(self) -> str:
        """The summary block the export scripts print (counts per status, per-type status, failures)."""
        statuses = [d["status"] for d in self.dates]
        lines = ["=" * 80, "DAILY EXPORT SUMMARY:"]
        if self.dates:
            lines.append(f"  Dates: {len(self.dates)} ({self.dates[0]['date']} to {self.dates[-1]['date']})")
        else:
            lines.append("  Dates: 0")
        lines.append(f"  Successful: {statuses.count('success')}, Partial: {statuses.count('partial')}, "
                     f"Failed: {statuses.count('failed')}")
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
        return (f"ExportResult({len(self.dates)} dates, {len(self.files)} files under {self.out_dir}; "
                f"{per_type or 'nothing exported'})")


def export(wh: Warehouse, start: Optional[DateLike] = None, end: Optional[DateLike] = None,
           types: Optional[Iterable[str] | str] = None, out_dir: str | os.PathLike = "exports", *,
           dates: Optional[Sequence[DateLike]] = None, generated_at: Optional[str] = None,
           workers: int = 2) -> ExportResult:
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
        ``results``, ``performance``, ``best-bets``, ``predictions``, ``tonight`` (default all).
    out_dir : path
        Root of the output tree; files go to ``<out_dir>/v1/results/<date>.json`` and so on.
    dates : list of date-like, keyword-only
        Explicit dates instead of ``start``/``end`` (e.g. :func:`export_dates` for ``--backfill-all``).
    generated_at : str, optional
        The ``generated_at`` value of every payload (reproducible output); default the UTC clock.
    workers : int
        Dates built in parallel.

    Returns
    -------
    ExportResult
        Files written, per-date and per-type status; ``exit_code`` 1 when any type failed on any date.

    Notes
    -----
    Every file is written to a temporary file and renamed. ``latest.json``/``today.json``,
    ``systems/performance.json`` and ``tonight/all-players.json`` are written for the newest date only.
    """
    if dates is not None:
        if start is not None or end is not None:
            raise ConfigError("pass either dates or start/end, not both")
        days = [to_days(d, "date") for d in dates]
    elif start is None:
        raise ConfigError("export needs a start date (or dates=[...])")
    else:
        s = to_days(start, "start")
        e = s if end is None else to_days(end, "end")
        days = list(_core.export_calendar_days(s, e))
    names = export_types(types)
    native = _core.export_write(wh._native, days, os.fspath(out_dir), names, generated_at or "", int(workers))
    out_dates = [{"date": iso(d["date"]), "status": d["status"],
                  "types": [dict(t) for t in d["types"]]} for d in native["dates"]]
    return ExportResult(out_dir=Path(out_dir), dates=out_dates, type_status=dict(native["type_status"]),
                        files=list(native["files"]), generated_at=native["generated_at"],
                        seconds=float(native["seconds"]), exit_code=int(native["exit_code"]), types=names)


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
    return [iso(d) for d in _core.export_graded_dates(wh._native)]


def build(wh: Warehouse, type: str, date: DateLike, generated_at: Optional[str] = None,  # noqa: A002
          top_n: int = 15) -> dict:
    """One export payload as a dict, without writing a file (``performance``: ``date`` is the as-of date)."""
    return json.loads(_core.export_build(wh._native, type, to_days(date, "date"), generated_at or "", int(top_n)))
