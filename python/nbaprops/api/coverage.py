"""Coverage: what each table holds, by month (the demo's summary table) or by game date against the
schedule (the gap report, computed natively)."""

from __future__ import annotations

from typing import Iterable, Optional

import pandas as pd

from .. import _core
from .dates import DateLike, check_order, to_days
from ._handle import engine_of, name_list
from .warehouse import Warehouse

#: Raw input tables shown before the processor outputs.
RAW_TABLES = (
    "nba_raw.nbac_schedule",
    "nba_raw.nbac_gamebook_player_stats",
    "nba_raw.nbac_team_boxscore",
    "nba_raw.player_shot_zones",
    "nba_raw.odds_api_player_points_props",
)


def default_tables() -> list[str]:
    """The raw inputs, then every registered processor's output table in dependency order."""
    return list(RAW_TABLES) + [p["output_table"] for p in _core.processors()]


def monthly_counts(
    wh: Warehouse,
    start: Optional[DateLike] = None,
    end: Optional[DateLike] = None,
    tables: Optional[Iterable[str]] = None,
) -> pd.DataFrame:
    """Rows per table and month.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to count.
    start, end : date-like, optional
        Inclusive bounds (None: open).
    tables : iterable of str or str, optional
        Tables to count, or one comma-separated string (default: the raw inputs, then every processor's
        output table).

    Returns
    -------
    pandas.DataFrame
        Tables (rows) × months ``YYYY-MM`` (columns) plus ``total``; one grouped count per table.
    """
    names = name_list(tables) or default_tables()
    s = None if start is None else to_days(start, "start")
    e = None if end is None else to_days(end, "end")
    check_order(s, e)
    engine = engine_of(wh)
    data = {}
    for t in names:
        counts = engine.partition_counts(t, s, e)
        series = pd.Series(counts, dtype="int64")
        if series.empty:
            data[t] = pd.Series(dtype="int64")
            continue
        months = (pd.Timestamp("1970-01-01") + pd.to_timedelta(series.index, unit="D")).strftime("%Y-%m")
        data[t] = series.groupby(months).sum()
    frame = pd.DataFrame(data).T.fillna(0).astype("int64")
    frame = frame.reindex(names).fillna(0).astype("int64")
    frame = frame.reindex(sorted(frame.columns), axis=1)
    frame["total"] = frame.sum(axis=1)
    frame.index.name = "table"
    return frame


def format_monthly(frame: pd.DataFrame) -> str:
    """Render :func:`monthly_counts` as a plain-text grid.

    Parameters
    ----------
    frame : pandas.DataFrame
        The output of :func:`monthly_counts`.

    Returns
    -------
    str
        Aligned columns with thousands separators, a dot for an empty cell.
    """
    if frame.empty:
        return "(no tables)"
    cols = list(frame.columns)
    name_w = max(len(str(i)) for i in frame.index)
    widths = [max(len(str(c)), max(len(f"{v:,}") for v in frame[c])) for c in cols]
    lines = [" " * name_w + "  " + "  ".join(str(c).rjust(w) for c, w in zip(cols, widths))]
    for name, row in frame.iterrows():
        cells = [(f"{int(v):,}" if v else ".").rjust(w) for v, w in zip(row, widths)]
        lines.append(str(name).ljust(name_w) + "  " + "  ".join(cells))
    return "\n".join(lines)
