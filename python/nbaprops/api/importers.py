"""Importers of real formats: NBA.com schedule JSON, NBA.com shot-chart CSV, balldontlie box scores."""
from __future__ import annotations

import os

from .. import _core
from .warehouse import Warehouse


def import_schedule(wh: Warehouse, path: str | os.PathLike) -> dict:
    """Import an NBA.com schedule API JSON file into ``nba_raw.nbac_schedule``.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to write.
    path : path-like
        The JSON file (either layout of the schedule API, optionally gzipped).

    Returns
    -------
    dict
        Rows written per table.

    Raises
    ------
    DataError
        For a malformed file (the message names file, record and field).
    """
    out = dict(_core.import_schedule(wh._native, os.fspath(path)))
    wh.invalidate()
    return out


def import_shots(wh: Warehouse, path: str | os.PathLike) -> dict:
    """Import an NBA.com shot-chart CSV.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to write.
    path : path-like
        The CSV (optionally gzipped).

    Returns
    -------
    dict
        Rows written per table: player shot zones, team zones allowed, the games (schedule) and
        partial gamebook lines (field goals only).

    Raises
    ------
    DataError
        For a malformed file (the message names file, row, field and value).
    """
    out = dict(_core.import_shot_chart(wh._native, os.fspath(path)))
    wh.invalidate()
    return out


def import_boxscores(wh: Warehouse, path: str | os.PathLike) -> dict:
    """Import a balldontlie box-score JSON file into ``nba_raw.bdl_player_boxscores``.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to write.
    path : path-like
        The JSON file (optionally gzipped).

    Returns
    -------
    dict
        Rows written per table.

    Raises
    ------
    DataError
        For a malformed file.
    """
    return dict(_core.import_bdl(wh._native, os.fspath(path)))
