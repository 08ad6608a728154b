"""Opening warehouses and reading tables."""

from __future__ import annotations

import os
from typing import Optional, Sequence

import pandas as pd

from .. import _core
from ..errors import ConfigError
from .._frames import to_frame
from ._handle import engine_of, name_list
from .dates import DateLike, check_order, to_days


class Warehouse:
    """A warehouse: a SQLite directory (the embedded default), one file per dataset.

    Thread-safe; reads run in parallel, writes are serialised. Use :func:`nbaprops.open`.
    """

    def __init__(self, native: "_core.Warehouse") -> None:
        self._native = native
        self._schedule: Optional[_core.Schedule] = None

    @property
    def uri(self) -> str:
        """The warehouse's location (the directory of a SQLite warehouse)."""
        return self._native.uri

    def __repr__(self) -> str:
        return f"Warehouse({self.uri!r})"

    def schedule(self, refresh: bool = False) -> "_core.Schedule":
        """The league schedule from ``nba_raw.nbac_schedule``.

        Parameters
        ----------
        refresh : bool
            Reload it (it is cached; imports and demo generation invalidate the cache).

        Returns
        -------
        nbaprops._core.Schedule
        """
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
        return (
            pd.Timestamp("1970-01-01") + pd.Timedelta(days=start),
            pd.Timestamp("1970-01-01") + pd.Timedelta(days=end),
        )

    def invalidate(self) -> None:
        """Forget cached state (the schedule) after raw data changed outside nbaprops.

        Returns
        -------
        None
        """
        self._schedule = None

    def has_table(self, table: str) -> bool:
        """Whether the table exists in this warehouse.

        Parameters
        ----------
        table : str
            A catalogued table name.

        Returns
        -------
        bool
        """
        return bool(self._native.has_table(table))

    def partition_counts(
        self, table: str, start: Optional[DateLike] = None, end: Optional[DateLike] = None
    ) -> pd.Series:
        """Rows per partition date.

        Parameters
        ----------
        table : str
            A catalogued table name.
        start, end : date-like, optional
            Inclusive bounds (None: open).

        Returns
        -------
        pandas.Series
            int64 counts indexed by date; dates without rows are absent.

        Raises
        ------
        ConfigError
            When ``end`` is before ``start``.
        """
        return _by_date(self._native.partition_counts(table, *_bounds(start, end)), table, "int64")

    def partition_hashes(
        self, table: str, start: Optional[DateLike] = None, end: Optional[DateLike] = None
    ) -> pd.Series:
        """Content hash of each partition as recorded when it was written through nbaprops.

        The same rows give the same hash on every backend (SQLite, BigQuery), so two
        warehouses can be compared partition by partition without reading their rows.

        Parameters
        ----------
        table : str
            A catalogued table name.
        start, end : date-like, optional
            Inclusive bounds (None: open).

        Returns
        -------
        pandas.Series
            16-hex-digit hashes indexed by date; partitions without a recorded hash (written
            by another tool, or empty) are absent.

        Raises
        ------
        ConfigError
            When ``end`` is before ``start``.
        """
        return _by_date(self._native.partition_hashes(table, *_bounds(start, end)), table, "object")


def _bounds(start: Optional[DateLike], end: Optional[DateLike]) -> tuple[Optional[int], Optional[int]]:
    """Inclusive date bounds as day numbers (None stays open); ConfigError when ``end`` is before ``start``."""
    s = None if start is None else to_days(start, "start")
    e = None if end is None else to_days(end, "end")
    check_order(s, e)
    return s, e


def _by_date(values: dict, name: str, dtype: str) -> pd.Series:
    """A {day number: value} mapping as a Series indexed by date."""
    idx = pd.to_datetime([pd.Timestamp("1970-01-01") + pd.Timedelta(days=d) for d in values])
    return pd.Series(list(values.values()), index=idx, name=name, dtype=dtype)


def open(uri: str | os.PathLike, read_only: bool = False) -> Warehouse:  # noqa: A001 - mirrors the built-in
    """Open a warehouse, creating it if needed (unless read-only).

    Parameters
    ----------
    uri : str or path-like
        A directory (the SQLite warehouse: one file per dataset), ``sqlite:///path`` or
        ``bigquery://PROJECT?location=US``.
    read_only : bool, default False
        Open read-only and never create it (also ``?mode=ro`` after the path). A warehouse whose
        directory or files are not writable opens read-only by itself; reads work, a write raises
        :class:`nbaprops.StorageError` naming the directory.

    Returns
    -------
    Warehouse

    Raises
    ------
    ConfigError
        For an unsupported URI scheme.
    StorageError
        When the directory cannot be created or opened.
    """
    uri = os.fspath(uri)
    if read_only and not uri.endswith("?mode=ro"):
        uri += "?mode=ro"
    return Warehouse(_core.open_warehouse(uri))


def read(
    wh: Warehouse,
    table: str,
    start: Optional[DateLike] = None,
    end: Optional[DateLike] = None,
    columns: Sequence[str] | str = (),
    *,
    categorical: bool = False,
) -> pd.DataFrame:
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
    columns : str or sequence of str, optional
        A projection, a list or a comma-separated string (default: every column, in DDL order).
    categorical : bool, keyword-only
        False (default): text as ``object`` columns of str (None for NULL). True: STRING columns as
        pandas ``category`` with sorted categories (hashes such as ``data_hash`` excepted) — less
        memory and faster groupby on large reads; TIMESTAMP/JSON/ARRAY text stays ``object``.

    Returns
    -------
    pandas.DataFrame
        One row per stored row, ordered by partition date then key. Dtypes: ``Int64`` (nullable
        ints), ``boolean``, ``datetime64[ns]`` (dates; NaT for NULL), ``float64`` (NaN for NULL),
        ``object`` or ``category`` text (None / NaN for NULL). ``attrs["table"]`` names the table.

    Raises
    ------
    ConfigError
        For an unknown table or column (the message lists the known ones), or an ``end`` before
        ``start``.
    DataError
        For an invalid date bound (the message names it) or an unreadable stored value.
    StorageError
        When the warehouse cannot be read.

    Notes
    -----
    Built without per-row Python: the native side decodes whole columns with the GIL released and
    pandas wraps the numpy arrays. On SQLite a whole-table read (or a range covering most of the table)
    decodes the table's pages straight from the file, at one snapshot, in parallel; a small range goes
    through the date index. A writable warehouse's write-ahead log may be checkpointed by such a read.
    """
    s, e = _bounds(start, end)
    return to_frame(engine_of(wh).read(table, s, e, name_list(columns), bool(categorical)))


def catalog() -> pd.DataFrame:
    """Every declared table and column.

    Returns
    -------
    pandas.DataFrame
        One row per column: table, column, type (``NUMERIC(5,2)`` with precision), required,
        partition, key, description.
    """
    rows = []
    for t in _core.catalog():
        for name, typ, required, desc in t["columns"]:
            rows.append(
                {
                    "table": t["name"],
                    "column": name,
                    "type": typ,
                    "required": required,
                    "partition": name == t["partition_column"],
                    "key": name in t["key_columns"],
                    "description": desc,
                }
            )
    return pd.DataFrame(rows)
