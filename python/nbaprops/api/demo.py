"""The demo league: a deterministic, realistic league generated natively into a warehouse."""
from __future__ import annotations

from typing import Iterable

from .. import _core
from .warehouse import Warehouse


def generate(wh: Warehouse, seasons: Iterable[int] = (2023,), seed: int = 7) -> dict:
    """Generate raw tables (schedule, gamebook, team box scores, shot zones, props, game lines, injuries)
    for ``seasons`` (season start years). Deterministic by ``seed``; replaces those seasons' partitions.

    Returns ``{"seasons": [...], "games": n, "rows": {table: n}}``."""
    seasons = [int(s) for s in seasons]
    if not seasons:
        raise ValueError("seasons must not be empty")
    summary = _core.generate_demo(wh._native, seasons, int(seed))
    wh.invalidate()
    return dict(summary)
