"""Importers of real formats: NBA.com schedule JSON, NBA.com shot-chart CSV, balldontlie box scores.

Every import is one all-or-nothing transaction over every table it touches, and replaces only the
stored rows of the games the file contains. Values are range-checked (minutes 0–70, points 0–120,
makes ≤ attempts, finite numbers, unique keys); a bad value raises :class:`nbaprops.DataError`
naming the file, row, field, value and date, and nothing is written.

``on_richer`` decides what happens when stored rows of the file's games carry fields the file does
not (shot charts have no points or minutes; the stored gamebook lines may): ``"refuse"`` (default,
nothing is written and the error says so), ``"replace"`` (overwrite them) or ``"keep"`` (keep those
games' stored rows and import the rest).
"""

from __future__ import annotations

import logging
import os
from typing import Literal

from .. import _core
from ._handle import engine_of
from .warehouse import Warehouse

OnRicher = Literal["refuse", "replace", "keep"]
_log = logging.getLogger("nbaprops.import")


class ImportResult(dict):
    """Rows written per table (a ``dict``), plus ``warnings``: data-quality notes for the user (an
    empty file, a GAME_ID shared by several games, stored rows kept or replaced)."""

    def __init__(self, native: dict) -> None:
        super().__init__(native["rows"])
        self.warnings: list[str] = list(native["warnings"])
        for w in self.warnings:
            _log.warning(w)


def _run(fn, wh: Warehouse, path: str | os.PathLike, on_richer: OnRicher) -> ImportResult:
    try:
        return ImportResult(fn(engine_of(wh), os.fspath(path), on_richer))
    finally:
        wh.invalidate()


def import_schedule(wh: Warehouse, path: str | os.PathLike, on_richer: OnRicher = "refuse") -> ImportResult:
    """NBA.com schedule API JSON (either layout, optionally .gz) → ``nba_raw.nbac_schedule``.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to write (one transaction: all tables change or none).
    path : path-like
        The file (optionally gzipped).
    on_richer : {"refuse", "replace", "keep"}, default "refuse"
        What to do when stored rows of the same games carry fields this file lacks (points, minutes):
        refuse (nothing written; the message says how to force it), replace them, or keep them.

    Returns
    -------
    ImportResult
        Rows written per table, plus ``warnings``.

    Raises
    ------
    DataError
        For a malformed file or an absurd value (the message names file, row, field, value and date).
    """
    return _run(_core.import_schedule, wh, path, on_richer)


def import_shots(wh: Warehouse, path: str | os.PathLike, on_richer: OnRicher = "refuse") -> ImportResult:
    """NBA.com shot-chart CSV (optionally .gz) → player shot zones, team zones allowed, the games
    missing from the schedule and partial gamebook lines (field goals only). Games are keyed by date
    and teams; a GAME_ID reused by several games is a warning and every game is kept apart.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to write (one transaction: all tables change or none).
    path : path-like
        The file (optionally gzipped).
    on_richer : {"refuse", "replace", "keep"}, default "refuse"
        What to do when stored rows of the same games carry fields this file lacks (points, minutes):
        refuse (nothing written; the message says how to force it), replace them, or keep them.

    Returns
    -------
    ImportResult
        Rows written per table, plus ``warnings``.

    Raises
    ------
    DataError
        For a malformed file or an absurd value (the message names file, row, field, value and date).
    """
    return _run(_core.import_shot_chart, wh, path, on_richer)


def import_boxscores(wh: Warehouse, path: str | os.PathLike, on_richer: OnRicher = "refuse") -> ImportResult:
    """balldontlie box-score JSON (optionally .gz) → ``nba_raw.bdl_player_boxscores``.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to write (one transaction: all tables change or none).
    path : path-like
        The file (optionally gzipped).
    on_richer : {"refuse", "replace", "keep"}, default "refuse"
        What to do when stored rows of the same games carry fields this file lacks (points, minutes):
        refuse (nothing written; the message says how to force it), replace them, or keep them.

    Returns
    -------
    ImportResult
        Rows written per table, plus ``warnings``.

    Raises
    ------
    DataError
        For a malformed file or an absurd value (the message names file, row, field, value and date).
    """
    return _run(_core.import_bdl, wh, path, on_richer)
