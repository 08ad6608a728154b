"""Phase 2 from the legacy data lake: the scraped files of the legacy raw processors (NBA.com
gamebooks, team box scores and injury reports; Odds API props and game lines; balldontlie box
scores) imported into their ``nba_raw`` tables from a file, a directory laid out like the bucket, or
``gs://bucket/prefix``.

Each import is all-or-nothing (one transaction), replaces only the games / snapshots / reports its
files cover, and records one ``nba_orchestration.run_ledger`` row per date (``processor`` =
``raw.<kind>``), so raw backfills show up in :func:`nbaprops.coverage`.
"""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterable, Optional

from .. import _core
from ._handle import engine_of, name_list
from .dates import DateLike, check_order, to_date, to_days

if TYPE_CHECKING:  # annotations only: the warehouse module imports pandas
    from .warehouse import Warehouse


@dataclass
class RawImport:
    """Outcome of one raw import (or dry run)."""

    kind: str
    table: str
    run_id: str
    dry_run: bool
    rows: int
    seconds: float
    files: list = field(default_factory=list)  # (path, rows kept, status) per file read
    rows_by_date: dict = field(default_factory=dict)  # datetime.date → rows
    dates: list = field(default_factory=list)  # requested (or found) dates

    def summary(self) -> dict:
        """``{table: rows}`` like the other importers return."""
        return {self.table: self.rows}


def raw_sources() -> list[dict]:
    """The supported raw kinds.

    Returns
    -------
    list of dict
        Per kind: kind, table, legacy processor, job module, lake prefixes, replace key, and which
        files of a date are read.
    """
    return [dict(s) for s in _core.raw_sources()]


def raw_kinds() -> list[str]:
    """The kind names accepted by :func:`import_raw` and ``nbaprops import``.

    Returns
    -------
    list of str
    """
    return [s["kind"] for s in _core.raw_sources()]


def date_list(
    start: Optional[DateLike] = None, end: Optional[DateLike] = None, dates: Optional[Iterable[DateLike]] = None
) -> list[_dt.date]:
    """Calendar days of ``[start, end]`` (the legacy raw backfills walk every day), or ``dates`` (a list or a
    comma-separated string). An end before the start raises ConfigError: an empty list means every date."""
    if dates:
        return sorted({to_date(to_days(d, "--dates")) for d in (name_list(dates) if isinstance(dates, str) else dates)})
    if start is None and end is None:
        return []
    s = to_days(start if start is not None else end, "--start-date")
    e = to_days(end if end is not None else start, "--end-date")
    check_order(s, e, "--start-date", "--end-date")
    return [to_date(d) for d in range(s, e + 1)]


def import_raw(
    wh: Warehouse,
    kind: str,
    source: str | os.PathLike,
    *,
    start: Optional[DateLike] = None,
    end: Optional[DateLike] = None,
    dates: Optional[Iterable[DateLike]] = None,
    dry_run: bool = False,
    all_snapshots: bool = False,
    write_ledger: bool = True,
    run_id: str = "",
    team_filter: Optional[Iterable[str]] = None,
) -> RawImport:
    """Import legacy lake files of ``kind`` (see :func:`raw_kinds`) into the warehouse.

    Parameters
    ----------
    source
        One file, a directory laid out like the bucket (``nba-com/gamebooks-data/2024-04-10/…``), or
        ``gs://bucket/prefix``.
    start, end, dates
        The lake's date folders to read (every date found when none is given; ignored for a file).
    dry_run
        Read, parse and check everything; write nothing.
    all_snapshots
        Game lines: every snapshot file (legacy ``--snapshot-mode all``); default the newest per event.
    team_filter
        Keep only games where either team is one of these tricodes (legacy ``--team-filter``).

    Raises
    ------
    DataError
        A bad file: the message names the file, record, field, value and date; nothing was written.
    """
    days = [to_days(d) for d in date_list(start, end, dates)]
    out = _core.import_raw(
        engine_of(wh),
        kind,
        os.fspath(source),
        wh.schedule(),
        days,
        dry_run,
        all_snapshots,
        write_ledger,
        run_id,
        [t.upper() for t in name_list(team_filter)],
    )
    if not dry_run:
        wh.invalidate()
    return RawImport(
        kind=out["kind"],
        table=out["table"],
        run_id=out["run_id"],
        dry_run=out["dry_run"],
        rows=int(out["rows"]),
        seconds=float(out["seconds"]),
        files=list(out["files"]),
        rows_by_date={to_date(d): int(n) for d, n in out["rows_by_date"].items()},
        dates=[to_date(d) for d in out["dates"]],
    )
