"""The demo league: a deterministic, realistic league generated natively into a warehouse."""

from __future__ import annotations

from typing import Iterable

from .. import _core
from ._handle import engine_of, name_list
from .warehouse import Warehouse


def generate(
    wh: Warehouse, seasons: int | Iterable[int] | str = (2023,), seed: int = 7, teams: Iterable[str] | str | None = None
) -> dict:
    """Generate the demo league's raw tables into a warehouse.

    Parameters
    ----------
    wh : Warehouse
        The warehouse to write.
    seasons : int or iterable of int
        Season start years (2023 for 2023-24); one year, a list, or a comma-separated string.
    seed : int
        Deterministic by seed: the same seed gives the same league.
    teams : str or iterable of str, optional
        A small league: only the games between these tricodes (``["BOS", "NYK", "PHI"]`` or
        ``"BOS,NYK,PHI"``), each identical to the full league's game. Default: all 30 teams.

    Returns
    -------
    dict
        ``{"seasons": [...], "games": n, "rows": {table: n}}``: schedule, gamebook, team box scores,
        shot zones, props, game lines and injuries; those seasons' partitions are replaced.

    Raises
    ------
    ValueError
        When ``seasons`` is empty, a team is not an NBA tricode or only one team is given.
    """
    seasons = [int(s) for s in ([seasons] if isinstance(seasons, int) else name_list(seasons))]
    if not seasons:
        raise ValueError("seasons must not be empty")
    summary = _core.generate_demo(engine_of(wh), seasons, int(seed), name_list(teams))
    wh.invalidate()
    return dict(summary)
