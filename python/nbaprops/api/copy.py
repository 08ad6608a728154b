"""Moving data: partitions between warehouses (SQLite ⇄ BigQuery) and files from object stores."""

from __future__ import annotations

import os
from typing import Iterable, Optional, Union

import pandas as pd

from .. import _core
from ..errors import ConfigError
from .dates import DateLike, check_order, to_days
from ._handle import engine_of, name_list, sqlite_dir
from .warehouse import Warehouse, open as open_warehouse

WarehouseLike = Union[Warehouse, str, os.PathLike]


def _warehouse(w: WarehouseLike) -> Warehouse:
    return w if isinstance(w, Warehouse) else open_warehouse(w)


def _source(w: WarehouseLike) -> Warehouse:
    """The source warehouse: a path must name an existing SQLite directory (a mistyped one is refused,
    never created empty)."""
    if isinstance(w, Warehouse):
        return w
    path = sqlite_dir(w)
    if path is not None and not os.path.isdir(path):
        raise ConfigError(
            f"copy: source warehouse directory {path!r} does not exist (nothing was created); "
            f"copy reads from an existing warehouse: a SQLite directory or bigquery://PROJECT"
        )
    return open_warehouse(w)


def expand_tables(tables: Union[str, Iterable[str]]) -> list[str]:
    """Table names from a comma-separated string or a list; a dataset name (``nba_raw``) stands for
    every catalog table of that dataset, ``all`` for every table. Raises ConfigError on an unknown name."""
    names = name_list(tables)
    catalog = [t["name"] for t in _core.catalog()]
    out: list[str] = []
    for n in names:
        if n == "all":
            picked = catalog
        elif "." not in n and any(c.startswith(n + ".") for c in catalog):
            picked = [c for c in catalog if c.startswith(n + ".")]
        else:
            picked = [n]  # validated by the core (ConfigError naming close table names)
        out.extend(p for p in picked if p not in out)
    return out


def copy(
    source: WarehouseLike,
    destination: WarehouseLike,
    tables: Union[str, Iterable[str]],
    start: Optional[DateLike] = None,
    end: Optional[DateLike] = None,
    *,
    dates_per_batch: int = 31,
) -> pd.DataFrame:
    """Copy table partitions from one warehouse to another (any two backends).

    Parameters
    ----------
    source, destination : Warehouse or URI
        E.g. ``"bigquery://my-project?location=US"`` and ``"warehouse/"`` (a SQLite directory). A
        destination path is created when missing; a source path must exist.
    tables : str or list of str
        Table names, dataset names (``nba_raw`` = all its tables) or ``all``.
    start, end : date-like, optional
        Partition dates to copy (inclusive); both None copies every date.
    dates_per_batch : int
        Dates written per atomic batch (one BigQuery load job + one transaction per batch).

    Returns
    -------
    DataFrame
        One row per table: ``table``, ``partitions`` replaced, ``rows`` written.

    Raises
    ------
    ConfigError
        For a source directory that does not exist (nothing is created), an unknown table, or an
        ``end`` before ``start``.

    Notes
    -----
    Each table is read once from the source; each batch of dates is replaced atomically in the
    destination. Only dates the source has rows for are replaced; the destination's other
    partitions are left alone.
    """
    s = None if start is None else to_days(start, "start")
    e = None if end is None else to_days(end, "end")
    check_order(s, e)
    names = expand_tables(tables)
    src, dst = _source(source), _warehouse(destination)
    reports = _core.copy_partitions(engine_of(src), engine_of(dst), names, s, e, int(dates_per_batch))
    dst.invalidate()
    return pd.DataFrame(list(reports), columns=["table", "partitions", "rows"])


def import_schedule_from_store(wh: Warehouse, uri: str) -> dict:
    """Import the newest NBA.com schedule JSON under a bucket prefix into ``nba_raw.nbac_schedule``.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to write.
    uri : str
        ``gs://bucket/prefix`` (or a directory): the newest ``.json`` / ``.json.gz`` below it wins
        (by the store's update time, then by path).

    Returns
    -------
    dict
        Rows written per table, plus ``source``: the URI of the file imported.
    """
    rows, source = _core.import_newest_schedule(engine_of(wh), uri)
    wh.invalidate()
    return {**dict(rows), "source": source}


def request_count(wh: Warehouse) -> int:
    """HTTP requests a BigQuery warehouse has sent (retries included, token requests excluded).

    Parameters
    ----------
    wh : Warehouse
        A ``bigquery://`` warehouse (ConfigError otherwise).

    Returns
    -------
    int
    """
    return int(_core.bigquery_request_count(engine_of(wh)))
