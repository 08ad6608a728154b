"""Small, independent pandas re-implementations of processor formulas, used as golden references in the
tests and as the baseline in bench/. They follow the legacy spec text, not the C++ code."""

from __future__ import annotations

import numpy as np
import pandas as pd


def py_round(x: float, nd: int) -> float:
    """Python's round() (exact binary value, ties to even)."""
    return round(float(x), nd)


def team_offense_reference(team_box: pd.DataFrame) -> pd.DataFrame:
    """TOGS per legacy-phase3.md §1 from nbac_team_boxscore rows (one game date or many)."""
    tb = team_box.sort_values("processed_at").drop_duplicates(["game_id", "team_abbr"], keep="last")
    opp = tb[["game_id", "team_abbr", "points"]].rename(
        columns={"team_abbr": "opponent_team_abbr", "points": "opponent_points"}
    )
    m = tb.merge(opp, on="game_id")
    m = m[m["team_abbr"] != m["opponent_team_abbr"]].copy()
    p1 = [
        py_round(a + 0.44 * b + c - d, 1)
        for a, b, c, d in zip(m["fg_attempted"], m["ft_attempted"], m["turnovers"], m["offensive_rebounds"])
    ]
    m["p1"] = p1
    m["possessions"] = [int(x) for x in p1]
    m["offensive_rating"] = [py_round(pts / p * 100, 2) if p > 0 else np.nan for pts, p in zip(m["points"], p1)]
    gm = [int(str(x).split(":")[0]) / 5 if isinstance(x, str) and x else 48.0 for x in m["minutes"]]
    m["pace"] = [py_round(p * 48 / g, 1) for p, g in zip(p1, gm)]
    den = 2 * (m["fg_attempted"] + 0.44 * m["ft_attempted"])
    m["ts_pct"] = [py_round(pts / d, 3) if d > 0 else np.nan for pts, d in zip(m["points"], den)]
    m["win_flag"] = m["points"] > m["opponent_points"]
    m["margin_of_victory"] = m["points"] - m["opponent_points"]
    mins = [int(str(x).split(":")[0]) if isinstance(x, str) and x else 240 for x in m["minutes"]]
    m["overtime_periods"] = [0 if x <= 240 else (x - 240) // 25 for x in mins]
    return (
        m.rename(columns={"points": "points_scored"})[
            [
                "game_id",
                "game_date",
                "team_abbr",
                "opponent_team_abbr",
                "points_scored",
                "possessions",
                "offensive_rating",
                "pace",
                "ts_pct",
                "win_flag",
                "margin_of_victory",
                "overtime_periods",
            ]
        ]
        .sort_values(["game_date", "game_id", "team_abbr"])
        .reset_index(drop=True)
    )


__all__ = ["py_round", "team_offense_reference"]
