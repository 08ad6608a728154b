"""Opening warehouses and reading tables."""
from __future__ import annotations

import os
from typing import Optional, Sequence

import pandas as pd

from .. import _core
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


def open(uri: str | os.PathLike, read_only: bool = False) -> Warehouse:  # noqa: A001 - mirrors the built-in
    """Open (creating if needed) a warehouse: a directory path or ``sqlite:///path``.

    ``read_only=True`` (or ``?mode=ro`` after the path) opens it read-only and never creates it; a
    warehouse whose directory or files are not writable opens read-only by itself. Reads work; a
    write raises :class:`nbaprops.StorageError` naming the directory.
    """
    uri = os.fspath(uri)
    if read_only and not uri.endswith("?mode=ro"):
        uri += "?mode=ro"
    return Warehouse(_core.open_warehouse(uri))


def read(wh: Warehouse, table: str, start: Optional[DateLike] = None, end: Optional[DateLike] = None,
         columns: Sequence[str] = ()) -> pd.DataFrame:
    """Rows of ``table`` whose partition date lies in [start, end] (all rows when both are None).

    Returns a DataFrame with nullable dtypes (Int64, boolean), dates as datetime64 and NULL text as None.
    """
    s = None if start is None else to_days(start, "start")
    e = None if end is None else to_days(end, "end")
    return to_frame(wh._native.read(table, s, e, list(columns)))


def catalog() -> pd.DataFrame:
    """Every declared table and column (name, type, required, description)."""
    rows = []
    for t in _core.catalog():
        for name, typ, required, desc in t["columns"]:
            rows.append({"table": t["name"], "column": name, "type": typ, "required": required,
                         "partition": name == t["partition_column"], "key": name in t["key_columns"],
                         "description": desc})
    return pd.DataFrame(rows)
