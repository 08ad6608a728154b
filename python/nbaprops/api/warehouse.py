"""Opening warehouses and reading tables."""
from __future__ import annotations

import os
from typing import Optional, Sequence

import pandas as pd

from .. import _core
from ..errors import ConfigError
from .._frames import to_frame
from .dates import DateLike, to_days


class Warehouse:
    """A warehouse: a SQLite directory (the embedded default), one file per dataset.

    Thread-safe; reads run in parallel, writes are serialised. Use :func:`nbaprops.open`.
    """

    def __init__(self, native: "_core.Warehouse") -> None:
        self._native = native
        self._schedule: Optional[_core.Schedule] = None

    @property
    def uri(self) -> str:
        return self._native.uri

    def __repr__(self) -> str:
        return f"Warehouse({self.uri!r})"

    def schedule(self, refresh: bool = False) -> "_core.Schedule":
        """The league schedule from ``nba_raw.nbac_schedule`` (cached; ``refresh`` reloads it)."""
        if self._schedule is None or refresh:
            self._schedule = _core.load_schedule(self._native)
        return self._schedule

    def season_range(self, season: int) -> tuple[pd.Timestamp, pd.Timestamp]:
        """First and last game date of a season in the schedule.

        Parameters
        ----------
        season : int
            The season's start year (2023 for 2023-24).

        Returns
        -------
        tuple of pandas.Timestamp
            (first game date, last game date), playoffs included.

        Raises
        ------
        ConfigError
            When the schedule has no game of that season (the message lists the seasons it has).
        """
        sched = self.schedule()
        start, end = sched.season_start(int(season)), sched.season_end(int(season))
        if start is None or end is None:
            have = ", ".join(str(s) for s in sched.seasons()) or "none"
            raise ConfigError(f"season {season} is not in the schedule of {self.uri} (seasons: {have})")
        return (pd.Timestamp("1970-01-01") + pd.Timedelta(days=start),
                pd.Timestamp("1970-01-01") + pd.Timedelta(days=end))

    def invalidate(self) -> None:
        """Forget cached state after raw data changed (imports, demo generation)."""
        self._schedule = None

    def has_table(self, table: str) -> bool:
        return bool(self._native.has_table(table))

    def partition_counts(self, table: str, start: Optional[DateLike] = None,
                         end: Optional[DateLike] = None) -> pd.Series:
        """Rows per partition date (a Series indexed by date)."""
        s = None if start is None else to_days(start, "start")
        e = None if end is None else to_days(end, "end")
        counts = self._native.partition_counts(table, s, e)
        idx = pd.to_datetime([pd.Timestamp("1970-01-01") + pd.Timedelta(days=d) for d in counts])
        return pd.Series(list(counts.values()), index=idx, name=table, dtype="int64")


def open(uri: str | os.PathLike) -> Warehouse:  # noqa: A001 - mirrors the built-in on purpose
    """Open (creating if needed) a warehouse: a directory path or ``sqlite:///path``."""
    return Warehouse(_core.open_warehouse(os.fspath(uri)))


def read(wh: Warehouse, table: str, start: Optional[DateLike] = None, end: Optional[DateLike] = None,
         columns: Sequence[str] = (), *, categorical: bool = True) -> pd.DataFrame:
    """Read the rows of a table whose partition date lies in [start, end] into a DataFrame.

    Parameters
    ----------
    wh : Warehouse
        An open warehouse.
    table : str
        A catalogued table, ``dataset.table`` (``nba_analytics.player_game_summary``).
    start, end : date-like, optional
        Inclusive partition-date bounds (ISO string, ``datetime.date`` or Timestamp); both None
        reads every row, one None leaves that side open.
    columns : sequence of str, optional
        A projection (default: every column, in DDL order).
    categorical : bool, keyword-only
        STRING columns as pandas ``category`` (default; hashes such as ``data_hash`` excepted), or
        as plain ``object`` text when False.

    Returns
    -------
    pandas.DataFrame
        One row per stored row, ordered by partition date then key. Dtypes: ``Int64`` (nullable
        ints), ``boolean``, ``datetime64[ns]`` (dates; NaT for NULL), ``float64`` (NaN for NULL),
        ``category`` / ``object`` text (None for NULL). ``attrs["table"]`` names the table.

    Raises
    ------
    ConfigError
        For an unknown table or column (the message lists the known ones).
    DataError
        For an invalid date bound (the message names it) or an unreadable stored value.
    StorageError
        When the warehouse cannot be read.

    Notes
    -----
    Built without per-row Python: the native side decodes whole columns (on SQLite, date or rowid
    slices in parallel, with the GIL released) and pandas wraps the numpy arrays.
    """
    s = None if start is None else to_days(start, "start")
    e = None if end is None else to_days(end, "end")
    return to_frame(wh._native.read(table, s, e, list(columns), bool(categorical)))


def catalog() -> pd.DataFrame:
    """Every declared table and column (name, type, required, description)."""
    rows = []
    for t in _core.catalog():
        for name, typ, required, desc in t["columns"]:
            rows.append({"table": t["name"], "column": name, "type": typ, "required": required,
                         "partition": name == t["partition_column"], "key": name in t["key_columns"],
                         "description": desc})
    return pd.DataFrame(rows)
