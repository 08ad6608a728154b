"""Importers of real formats: NBA.com schedule JSON, NBA.com shot-chart CSV, balldontlie box scores."""
from __future__ import annotations

import os

from .. import _core
from .warehouse import Warehouse


def import_schedule(wh: Warehouse, path: str | os.PathLike) -> dict:
    """NBA.com schedule API JSON (either layout, optionally .gz) → ``nba_raw.nbac_schedule``."""
    out = dict(_core.import_schedule(wh._native, os.fspath(path)))
    wh.invalidate()
    return out


def import_shots(wh: Warehouse, path: str | os.PathLike) -> dict:
    """NBA.com shot-chart CSV (optionally .gz) → player shot zones, team zones allowed, the games
    (schedule) and partial gamebook lines (field goals only)."""
    out = dict(_core.import_shot_chart(wh._native, os.fspath(path)))
    wh.invalidate()
    return out


def import_boxscores(wh: Warehouse, path: str | os.PathLike) -> dict:
    """balldontlie box-score JSON (optionally .gz) → ``nba_raw.bdl_player_boxscores``."""
    return dict(_core.import_bdl(wh._native, os.fspath(path)))
