"""Independent pandas re-implementations of the two shot-zone Phase 4 processors, for the real-data tests.

Written from the spec text (`shared/spec/legacy-tdza-psza.md` A.2-A.3 and B.2-B.3) plus the project's
DECISION 1 (every history window for run date D uses games strictly before D; season-to-date windows start
at the season's first game instead of Oct 1). Not derived from the C++ code.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ZONES = ("paint", "mid_range", "three_pt")


def np_round(x: float, nd: int) -> float:
    """Legacy rounding per spec B.3.1: numpy style (scale by 10^nd, round half to even, scale back)."""
    return float(np.round(float(x), nd))


def _num(s: pd.Series) -> pd.Series:
    """NULL inputs sum as 0 (pandas)."""
    return pd.to_numeric(s, errors="coerce").astype("float64").fillna(0.0)


def _known(s: pd.Series) -> bool:
    """Whether any row of the window knew the value (DECISION 6: a window of NULLs gives NULL, not 0)."""
    return bool(pd.to_numeric(s, errors="coerce").notna().any())


# ---------------------------------------------------------------------------------------------- PSZA
def psza_qualifying(pgs: pd.DataFrame) -> pd.Series:
    """Spec B.2 row filter: is_active = TRUE and (minutes_played > 0 OR fg_attempts > 0); NULL minutes and
    NULL/0 FGA excluded."""
    active = pgs["is_active"].fillna(False).astype(bool)
    minutes = pd.to_numeric(pgs["minutes_played"], errors="coerce").fillna(0.0)
    fga = pd.to_numeric(pgs["fg_attempts"], errors="coerce").fillna(0)
    return active & ((minutes > 0) | (fga > 0))


def psza_history(pgs: pd.DataFrame, day: pd.Timestamp, season_start: pd.Timestamp) -> pd.DataFrame:
    """Qualifying rows of the season strictly before ``day``, ranked per player by game_date descending."""
    h = pgs[(pgs["game_date"] >= season_start) & (pgs["game_date"] < day) & psza_qualifying(pgs)].copy()
    h = h.sort_values(["player_lookup", "game_date"], ascending=[True, False])
    h["rank"] = h.groupby("player_lookup").cumcount() + 1
    return h[h["rank"] <= 20]


def _zone_metrics(w: pd.DataFrame) -> dict:
    pa, pm = _num(w["paint_attempts"]).sum(), _num(w["paint_makes"]).sum()
    ma, mm = _num(w["mid_range_attempts"]).sum(), _num(w["mid_range_makes"]).sum()
    ta, tm = _num(w["three_pt_attempts"]).sum(), _num(w["three_pt_makes"]).sum()
    fgm = _num(w["fg_makes"]).sum()
    ast, una = _num(w["assisted_fg_makes"]).sum(), _num(w["unassisted_fg_makes"]).sum()
    g = len(w)
    tot = pa + ma + ta
    out = {
        "paint_rate": np_round(pa / tot * 100, 2) if tot > 0 else None,
        "mid_range_rate": np_round(ma / tot * 100, 2) if tot > 0 else None,
        "three_pt_rate": np_round(ta / tot * 100, 2) if tot > 0 else None,
        "paint_pct": np_round(pm / pa, 3) if pa > 0 else None,
        "mid_range_pct": np_round(mm / ma, 3) if ma > 0 else None,
        "three_pt_pct": np_round(tm / ta, 3) if ta > 0 else None,
        "paint_apg": np_round(pa / g, 1),
        "mid_range_apg": np_round(ma / g, 1),
        "three_pt_apg": np_round(ta / g, 1),
        "assisted_rate": (
            np_round(ast / fgm * 100, 2) if tot > 0 and fgm > 0 and _known(w["assisted_fg_makes"]) else None
        ),
        "unassisted_rate": (
            np_round(una / fgm * 100, 2) if tot > 0 and fgm > 0 and _known(w["unassisted_fg_makes"]) else None
        ),
        "total_shots": int(tot) if tot > 0 else None,
    }
    return out


def primary_zone(paint: float | None, mid: float | None, three: float | None) -> str | None:
    """Spec B.3.3 on the rounded last-10 rates (NULL → 0)."""
    p, m, t = (x or 0.0 for x in (paint, mid, three))
    if p == 0 and m == 0 and t == 0:
        return None
    if p >= 40:
        return "paint"
    if t >= 40:
        return "perimeter"
    if m >= 35:
        return "mid_range"
    return "balanced"


def psza_reference(pgs: pd.DataFrame, day: pd.Timestamp, season_start: pd.Timestamp) -> pd.DataFrame:
    """PSZA rows for ``day``: players with 10 qualifying games in their last-10 window (spec B.3 step 5d)."""
    h = psza_history(pgs, day, season_start)
    rows = []
    for player, grp in h.groupby("player_lookup", sort=True):
        last10 = grp[grp["rank"] <= 10]
        if len(last10) < 10:
            continue
        m10 = _zone_metrics(last10)
        n20 = len(grp)
        m20 = _zone_metrics(grp) if n20 >= 15 else {"paint_rate": None, "paint_pct": None}
        rows.append(
            {
                "player_lookup": player,
                "paint_rate_last_10": m10["paint_rate"],
                "mid_range_rate_last_10": m10["mid_range_rate"],
                "three_pt_rate_last_10": m10["three_pt_rate"],
                "total_shots_last_10": m10["total_shots"],
                "paint_pct_last_10": m10["paint_pct"],
                "mid_range_pct_last_10": m10["mid_range_pct"],
                "three_pt_pct_last_10": m10["three_pt_pct"],
                "paint_attempts_per_game": m10["paint_apg"],
                "mid_range_attempts_per_game": m10["mid_range_apg"],
                "three_pt_attempts_per_game": m10["three_pt_apg"],
                "assisted_rate_last_10": m10["assisted_rate"],
                "unassisted_rate_last_10": m10["unassisted_rate"],
                "paint_rate_last_20": m20["paint_rate"],
                "paint_pct_last_20": m20["paint_pct"],
                "games_in_sample_10": len(last10),
                "games_in_sample_20": n20,
                "primary_scoring_zone": primary_zone(m10["paint_rate"], m10["mid_range_rate"], m10["three_pt_rate"]),
            }
        )
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------- TDZA
LEAGUE_DEFAULTS = {"paint": 0.580, "mid_range": 0.410, "three_pt": 0.355}
_OPP = {
    "paint": ("opp_paint_makes", "opp_paint_attempts"),
    "mid_range": ("opp_mid_range_makes", "opp_mid_range_attempts"),
    "three_pt": ("opp_three_pt_makes", "opp_three_pt_attempts"),
}


def league_averages(tdgs: pd.DataFrame, day: pd.Timestamp, days: int = 31) -> dict:
    """Spec A.3.2 over the ``days`` calendar days strictly before ``day``: per team (≥ 10 rows) pooled pct
    per zone; unweighted mean over teams with all three pcts; defaults when fewer than 10 teams."""
    w = tdgs[(tdgs["game_date"] >= day - pd.Timedelta(days=days)) & (tdgs["game_date"] < day)]
    per_team = []
    for _, grp in w.groupby("defending_team_abbr"):
        if len(grp) < 10:
            continue
        pcts = {}
        for z, (mk, at) in _OPP.items():
            a = _num(grp[at]).sum()
            pcts[z] = _num(grp[mk]).sum() / a if a > 0 else None
        if all(v is not None for v in pcts.values()):
            per_team.append(pcts)
    if len(per_team) < 10:
        return dict(LEAGUE_DEFAULTS, teams_in_sample=0)
    out = {z: float(np.mean([t[z] for t in per_team])) for z in ZONES}
    out["teams_in_sample"] = len(per_team)
    return out


def tdza_reference(tdgs: pd.DataFrame, day: pd.Timestamp, season_start: pd.Timestamp) -> pd.DataFrame:
    """TDZA rows for ``day`` (spec A.3.1-A.3.4): teams with 15 season games strictly before ``day``."""
    league = league_averages(tdgs, day)
    h = tdgs[(tdgs["game_date"] >= season_start) & (tdgs["game_date"] < day)]
    h = h.sort_values(["defending_team_abbr", "game_date"], ascending=[True, False])
    rows = []
    for team, grp in h.groupby("defending_team_abbr", sort=True):
        w = grp.head(15)
        if len(w) < 15:
            continue
        n = len(w)
        row = {"team_abbr": team, "games_in_sample": n}
        vs = {}
        for z, (mk, at) in _OPP.items():
            a = _num(w[at]).sum()
            pct = _num(w[mk]).sum() / a if a > 0 else None
            row[f"{z}_pct_allowed_last_15"] = pct
            row[f"{z}_attempts_allowed_per_game"] = a / n
            vs[z] = None if pct is None else (pct - league[z]) * 100
            row[f"{z}_defense_vs_league_avg"] = vs[z]
        row["paint_points_allowed_per_game"] = (
            _num(w["points_in_paint_allowed"]).sum() / n if _known(w["points_in_paint_allowed"]) else None
        )
        row["opponent_points_per_game"] = _num(w["points_allowed"]).sum() / n if _known(w["points_allowed"]) else None
        label = {"paint": "paint", "mid_range": "mid_range", "three_pt": "perimeter"}
        cands = [(label[z], vs[z]) for z in ZONES if vs[z] is not None]  # insertion order paint, mid, three
        if cands:
            # min()/max() return the first of equal keys, i.e. ties resolve to the earliest zone.
            row["strongest_zone"] = min(cands, key=lambda kv: kv[1])[0]
            row["weakest_zone"] = max(cands, key=lambda kv: kv[1])[0]
        else:
            row["strongest_zone"] = row["weakest_zone"] = None
        rows.append(row)
    return pd.DataFrame(rows)


__all__ = [
    "np_round",
    "primary_zone",
    "psza_qualifying",
    "psza_history",
    "psza_reference",
    "league_averages",
    "tdza_reference",
    "LEAGUE_DEFAULTS",
    "ZONES",
]
