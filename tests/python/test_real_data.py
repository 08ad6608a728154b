"""Real-data tests: the 2023-24 NBA.com shot chart through import → PGS/TDGS → TDZA/PSZA.

Skipped (with the path in the message) when ``../shared/data`` (or ``$NBAPROPS_SHARED_DATA``) does not hold
``shots/nba_shots_2023_24.csv.gz``. One module-scoped fixture imports the season and backfills it once
(~7 s); every test reads from it. Whole file: ~25 s. Reference values come from ``real_reference.py`` (pandas, written from
the spec text, not from the C++ code).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import real_reference as ref
from conftest import RUN_STAMPS, require_shared

SHOTS = "shots/nba_shots_2023_24.csv.gz"
START, END = "2023-10-24", "2024-04-14"
PROCESSORS = ["pgs", "tdgs", "tdza", "psza"]
SEASON_START = pd.Timestamp(START)

PGS = "nba_analytics.player_game_summary"
TDGS = "nba_analytics.team_defense_game_summary"
TDZA = "nba_precompute.team_defense_zone_analysis"
PSZA = "nba_precompute.player_shot_zone_analysis"

PGS_ZONE_COLS = [
    "paint_attempts",
    "paint_makes",
    "mid_range_attempts",
    "mid_range_makes",
    "three_pt_attempts",
    "three_pt_makes",
]
TDGS_ZONE_COLS = [
    "opp_paint_attempts",
    "opp_paint_makes",
    "opp_mid_range_attempts",
    "opp_mid_range_makes",
    "opp_three_pt_attempts",
    "opp_three_pt_makes",
]
# Shot-chart BASIC_ZONE → pipeline zone (shared/data/README.md).
BASIC_ZONE = {
    "Restricted Area": "paint",
    "In The Paint (Non-RA)": "paint",
    "Mid-Range": "mid_range",
    "Left Corner 3": "three_pt",
    "Right Corner 3": "three_pt",
    "Above the Break 3": "three_pt",
    "Backcourt": "three_pt",
}
# Dates for the independent recomputation: first TDZA date, early/mid season, last day.
SAMPLE_DATES = ["2023-11-21", "2023-12-15", "2024-02-01", "2024-04-14"]


def _days(ts: pd.Timestamp) -> int:
    return int((pd.Timestamp(ts) - pd.Timestamp("1970-01-01")).days)


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    """The whole 2023-24 regular season imported from the shot chart and backfilled (read-only)."""
    path = require_shared(SHOTS)
    import nbaprops

    root = tmp_path_factory.mktemp("real_2023_24")
    wh = nbaprops.open(root / "wh")
    imported = nbaprops.import_shots(wh, path)
    p = nbaprops.plan(wh, START, END, processors=PROCESSORS)
    # Pre-flight must pass on shots-only data: the team box scores and prop lines PGS/TDGS read are
    # optional upstreams (reported as missing, not blocking); gamebook lines are the one required input.
    report = nbaprops.preflight(wh, p)
    assert report.ok, f"pre-flight blocks the real-data backfill:\n{report}"
    result = nbaprops.backfill(wh, START, END, processors=PROCESSORS, progress="none", checkpoint_dir=root / "ckpt")
    if result.exit_code != 0:
        print(result.summary_text)
    assert result.exit_code == 0, result.summary_text

    shots = pd.read_csv(
        path, usecols=["GAME_ID", "PLAYER_ID", "GAME_DATE", "BASIC_ZONE", "SHOT_TYPE", "SHOT_MADE", "SHOT_DISTANCE"]
    )
    return SimpleNamespace(
        root=root,
        wh=wh,
        imported=imported,
        result=result,
        shots=shots,
        psz=nbaprops.read(wh, "nba_raw.player_shot_zones"),
        gamebook=nbaprops.read(wh, "nba_raw.nbac_gamebook_player_stats"),
        schedule=nbaprops.read(wh, "nba_raw.nbac_schedule"),
        pgs=nbaprops.read(wh, PGS),
        tdgs=nbaprops.read(wh, TDGS),
        tdza=nbaprops.read(wh, TDZA),
        psza=nbaprops.read(wh, PSZA),
    )


def _game_dates(s) -> list[pd.Timestamp]:
    return sorted(pd.Timestamp(d) for d in s.schedule["game_date"].unique())


def _post_bootstrap_dates(s) -> list[pd.Timestamp]:
    sched = s.wh.schedule()
    return [d for d in _game_dates(s) if not sched.is_bootstrap(_days(d))]


# ------------------------------------------------------------------------------------------ 1. import
def test_import_counts_and_schedule(season):
    s = season
    assert len(s.shots) == 218_701
    assert s.shots["GAME_ID"].nunique() == 1230 and s.shots["GAME_DATE"].nunique() == 160
    assert s.imported["nba_raw.nbac_schedule"] == 1230
    assert s.imported["nba_raw.team_shot_zones_allowed"] == 2460
    assert len(s.schedule) == 1230 and s.schedule["game_id"].is_unique
    assert s.schedule["game_date"].nunique() == 160
    assert s.schedule["game_date"].min() == pd.Timestamp(START)
    assert s.schedule["game_date"].max() == pd.Timestamp(END)
    assert len(s.wh.schedule()) == 1230
    assert s.schedule["is_regular_season"].fillna(False).all()
    # Every game has both teams; each team plays 82.
    per_team = pd.concat([s.schedule["home_team_tricode"], s.schedule["away_team_tricode"]]).value_counts()
    assert len(per_team) == 30 and (per_team == 82).all()
    # One shot-zone line per (game, player) that took a shot: 24,895 player-games, 568 players.
    player_games = s.shots.groupby(["GAME_ID", "PLAYER_ID"]).ngroups
    assert len(s.psz) == player_games == 24_895
    assert s.shots["PLAYER_ID"].nunique() == 568
    assert s.psz["player_lookup"].nunique() == 568  # no two players collapse onto one lookup key


def test_import_zone_attempts_sum_to_fga(season):
    s = season
    zones = ["paint_attempts", "mid_range_attempts", "three_pt_attempts"]
    psz = s.psz.copy()
    psz["zone_fga"] = psz[zones].sum(axis=1)
    assert psz[zones + ["paint_makes", "mid_range_makes", "three_pt_makes"]].notna().all().all()
    assert int(psz["zone_fga"].sum()) == 218_701
    # Per player-game: zone attempts = the gamebook FGA and 3PA written by the same import.
    gb = s.gamebook[
        ["game_id", "player_lookup", "field_goals_attempted", "field_goals_made", "three_pointers_attempted"]
    ]
    m = psz.merge(gb, on=["game_id", "player_lookup"], how="outer", indicator=True, validate="one_to_one")
    assert (m["_merge"] == "both").all()
    assert (m["zone_fga"] == m["field_goals_attempted"]).all()
    assert (m["three_pt_attempts"] == m["three_pointers_attempted"]).all()
    assert (m[["paint_makes", "mid_range_makes", "three_pt_makes"]].sum(axis=1) == m["field_goals_made"]).all()
    # Independently from the CSV, by the legacy spec §6 rule: three = all 3PT attempts (SHOT_TYPE); a two is
    # paint when SHOT_DISTANCE ≤ 8 ft, else mid-range (BASIC_ZONE is not read: it puts 13,423 twos of 9+ ft "in
    # the paint" and 434 twos of ≤ 8 ft outside it). The real file has 21 shots whose BASIC_ZONE disagrees with
    # SHOT_TYPE (11 "Mid-Range" threes, 10 "Above the Break 3" twos); SHOT_TYPE decides.
    shots = s.shots.copy()
    is3 = shots["SHOT_TYPE"] == "3PT Field Goal"
    assert (is3 | (shots["SHOT_TYPE"] == "2PT Field Goal")).all()
    assert shots["BASIC_ZONE"].isin(list(BASIC_ZONE)).all()
    assert int((is3 != (shots["BASIC_ZONE"].map(BASIC_ZONE) == "three_pt")).sum()) == 21
    shots["zone"] = np.where(is3, "three_pt", np.where(shots["SHOT_DISTANCE"] <= 8, "paint", "mid_range"))
    shots["made"] = shots["SHOT_MADE"].astype(str).str.upper().eq("TRUE")
    shots["nba_game_id"] = shots["GAME_ID"].astype(str).str.zfill(10)
    csv = shots.groupby(["nba_game_id", "zone"]).agg(att=("made", "size"), mk=("made", "sum")).unstack(fill_value=0)
    got = psz.groupby("nba_game_id")[
        [
            "paint_attempts",
            "mid_range_attempts",
            "three_pt_attempts",
            "paint_makes",
            "mid_range_makes",
            "three_pt_makes",
        ]
    ].sum()
    assert len(csv) == len(got) == 1230
    for z in ref.ZONES:
        assert (got[f"{z}_attempts"] == csv[("att", z)].reindex(got.index)).all(), z
        assert (got[f"{z}_makes"] == csv[("mk", z)].reindex(got.index)).all(), z


# ----------------------------------------------------------------------------------------- 2. PGS/TDGS
def test_zone_columns_declared():
    import nbaprops

    cat = nbaprops.catalog()
    assert set(PGS_ZONE_COLS) <= set(cat.loc[cat["table"] == PGS, "column"])
    assert set(TDGS_ZONE_COLS) <= set(cat.loc[cat["table"] == TDGS, "column"])


def test_pgs_zone_columns_filled_for_every_player_game(season):
    s = season
    pgs = s.pgs
    assert len(pgs) == len(s.psz) == 24_895
    assert pgs["game_id"].nunique() == 1230
    assert set(pgs["game_id"]) == set(s.psz["game_id"])
    assert not pgs.duplicated(["game_id", "player_lookup"]).any()
    nulls = pgs[PGS_ZONE_COLS].isna().sum()
    assert (nulls == 0).all(), nulls[nulls > 0].to_dict()
    assert (pgs[PGS_ZONE_COLS[0::2]].sum(axis=1) == pgs["fg_attempts"]).all()
    assert (pgs[PGS_ZONE_COLS[1::2]].sum(axis=1) == pgs["fg_makes"]).all()
    # Same numbers as the raw shot zones, line for line.
    m = pgs.merge(s.psz, on=["game_id", "player_lookup"], suffixes=("", "_raw"))
    assert len(m) == len(pgs)
    for c in PGS_ZONE_COLS:
        assert (m[c] == m[f"{c}_raw"]).all(), c
    assert not pgs["shot_zones_estimated"].fillna(True).any()


def test_tdgs_zones_allowed_filled_and_match_opponent_pgs(season):
    s = season
    tdgs = s.tdgs
    assert len(tdgs) == 2460
    assert tdgs["game_id"].nunique() == 1230
    assert (tdgs.groupby("game_id").size() == 2).all()
    nulls = tdgs[TDGS_ZONE_COLS].isna().sum()
    assert (nulls == 0).all(), nulls[nulls > 0].to_dict()
    # Zones allowed by a team = the opponent's PGS attempts/makes in that game.
    opp = s.pgs.groupby(["game_id", "team_abbr"])[PGS_ZONE_COLS].sum().reset_index()
    m = tdgs.merge(
        opp,
        left_on=["game_id", "opponent_team_abbr"],
        right_on=["game_id", "team_abbr"],
        how="left",
        validate="one_to_one",
    )
    assert m["team_abbr"].notna().all()
    for c in PGS_ZONE_COLS:
        assert (m[f"opp_{c}"] == m[c]).all(), c
    assert (m["opp_fg_attempts"] == m[PGS_ZONE_COLS[0::2]].sum(axis=1)).all()


# ------------------------------------------------------------------------------------------ 3. TDZA
def test_backfill_unit_statuses(season):
    """160 game dates: PGS/TDGS succeed on all; TDZA/PSZA skip the 14 bootstrap dates (days 0-13 after the
    2023-10-24 opener) and are `empty` (not failed) on dates where no entity qualifies yet."""
    units = season.result.units
    counts = units.groupby(["processor", "status"]).size().unstack(fill_value=0)
    assert counts.loc["player_game_summary"].to_dict() == {**dict.fromkeys(counts.columns, 0), "success": 160}
    assert counts.loc["team_defense_game_summary"].to_dict() == {**dict.fromkeys(counts.columns, 0), "success": 160}
    tdza = counts.loc["team_defense_zone_analysis"]
    assert (tdza["success"], tdza["empty"], tdza["skipped_bootstrap"]) == (133, 13, 14)
    psza = counts.loc["player_shot_zone_analysis"]
    assert (psza["success"], psza["empty"], psza["skipped_bootstrap"]) == (143, 3, 14)
    assert not units["status"].isin(["failed", "blocked", "cancelled"]).any()


def test_tdza_rows_are_the_teams_with_15_prior_games(season):
    s = season
    tdza, tdgs = s.tdza, s.tdgs
    sched = s.wh.schedule()
    boot = [d for d in _game_dates(s) if sched.is_bootstrap(_days(d))]
    assert len(boot) == 14 and boot[-1] == pd.Timestamp("2023-11-06")
    assert not tdza["analysis_date"].isin(boot).any()
    full_dates = 0
    for d in _post_bootstrap_dates(s):
        prior = tdgs[tdgs["game_date"] < d].groupby("defending_team_abbr").size()
        expected = set(prior[prior >= 15].index)
        got = tdza.loc[tdza["analysis_date"] == d, "team_abbr"]
        assert got.is_unique
        assert set(got) == expected, (d.date(), sorted(set(got) ^ expected))
        if len(prior) == 30 and (prior >= 15).all():
            assert len(got) == 30, d.date()
            full_dates += 1
    assert full_dates == 126  # 2023-11-29 .. 2024-04-14
    assert (tdza["games_in_sample"] == 15).all()
    # DECISION 3 completeness: expected = the team's scheduled games before D (home and away), actual = its
    # TDGS games before D; every team is complete on real data.
    games = s.schedule.melt(
        id_vars=["game_date"], value_vars=["home_team_tricode", "away_team_tricode"], value_name="team_abbr"
    )
    for d, rows in tdza.groupby("analysis_date"):
        sched_n = games[games["game_date"] < d].groupby("team_abbr").size()
        tdgs_n = tdgs[tdgs["game_date"] < d].groupby("defending_team_abbr").size()
        r = rows.set_index("team_abbr")
        assert (r["expected_games_count"] == sched_n[r.index]).all(), d.date()
        assert (r["actual_games_count"] == tdgs_n[r.index]).all(), d.date()
    assert (tdza["completeness_percentage"] == 100.0).all() and tdza["is_production_ready"].all()
    assert (tdza["data_quality_tier"] == "high").all()
    assert len(tdza) == 3917 and tdza["analysis_date"].min() == pd.Timestamp("2023-11-21")


# ------------------------------------------------------------------------------------------ 4. PSZA
def test_psza_rows_are_the_players_with_10_qualifying_prior_games(season):
    """Spec B.2: a row qualifies when is_active and (minutes_played > 0 OR fg_attempts > 0). The shot chart
    has no minutes (PGS minutes_played is NULL on every row) and only lists players who took a shot, so
    every PGS row qualifies through fg_attempts > 0: the engine treats NULL minutes as 0, not as 'unknown,
    exclude'."""
    s = season
    pgs, psza = s.pgs, s.psza
    assert pgs["minutes_played"].isna().all()
    assert (pgs["fg_attempts"] > 0).all() and pgs["is_active"].fillna(False).all()
    assert ref.psza_qualifying(pgs).all()
    sched = s.wh.schedule()
    assert not psza["analysis_date"].isin([d for d in _game_dates(s) if sched.is_bootstrap(_days(d))]).any()
    q = pgs[ref.psza_qualifying(pgs)]
    dates = _post_bootstrap_dates(s)
    sample = dates[:6] + dates[20::25] + dates[-2:]
    for d in sample:
        prior = q[(q["game_date"] >= SEASON_START) & (q["game_date"] < d)].groupby("player_lookup").size()
        expected = set(prior[prior >= 10].index)
        rows = psza[psza["analysis_date"] == d].set_index("player_lookup")
        assert rows.index.is_unique
        assert set(rows.index) == expected, (d.date(), sorted(set(rows.index) ^ expected)[:10])
        if expected:
            n = prior[sorted(expected)]
            assert (rows.loc[n.index, "games_in_sample_10"] == 10).all()
            assert (rows.loc[n.index, "games_in_sample_20"] == n.clip(upper=20)).all()
    assert len(psza) == 54_964


# ------------------------------------------------------------------------ 5. independent recomputation
PSZA_NUMERIC = [
    "paint_rate_last_10",
    "mid_range_rate_last_10",
    "three_pt_rate_last_10",
    "total_shots_last_10",
    "paint_pct_last_10",
    "mid_range_pct_last_10",
    "three_pt_pct_last_10",
    "paint_attempts_per_game",
    "mid_range_attempts_per_game",
    "three_pt_attempts_per_game",
    "assisted_rate_last_10",
    "unassisted_rate_last_10",
    "paint_rate_last_20",
    "paint_pct_last_20",
    "games_in_sample_10",
    "games_in_sample_20",
]


def _same(a: pd.Series, b: pd.Series, tol: float = 1e-9) -> pd.Series:
    a = pd.to_numeric(a, errors="coerce").astype("float64")
    b = pd.to_numeric(b, errors="coerce").astype("float64")
    return (a.isna() & b.isna()) | ((a - b).abs() <= tol)


@pytest.mark.parametrize("day", SAMPLE_DATES)
def test_psza_matches_pandas_reference(season, day):
    """Exact equality with the spec's numpy-style rounding (B.3.1): rates 2 dp, pcts 3 dp, per game 1 dp."""
    s = season
    d = pd.Timestamp(day)
    want = ref.psza_reference(s.pgs, d, SEASON_START).set_index("player_lookup").sort_index()
    got = s.psza[s.psza["analysis_date"] == d].set_index("player_lookup").sort_index()
    assert len(want) > 200
    assert list(got.index) == list(want.index)
    for c in PSZA_NUMERIC:
        ok = _same(got[c], want[c])
        assert ok.all(), (c, got.loc[~ok, c].head().to_dict(), want.loc[~ok, c].head().to_dict())
    zone_ok = got["primary_scoring_zone"].fillna("-") == want["primary_scoring_zone"].fillna("-")
    assert zone_ok.all(), got.loc[~zone_ok, "primary_scoring_zone"].head().to_dict()
    # Shots carry no assisted/unassisted split. The legacy summed the NULLs as 0 and reported 0.0 %
    # (spec B.3.1); DECISION 6: unknown stays NULL.
    assert got["assisted_rate_last_10"].isna().all() and got["unassisted_rate_last_10"].isna().all()


def test_psza_rounding_is_numpy_style_on_real_ties(season):
    """Two real last-10 paint lines are 43/80 = 0.5375: numpy-style rounding (spec B.3.1) gives 0.538, Python's
    correctly rounded round() would give 0.537 (0.5375 is stored just below the tie)."""
    s = season
    # Players with a 43/80 last-10 paint line under the spec §6 zone rule (a two is paint when SHOT_DISTANCE
    # ≤ 8 ft); under the former BASIC_ZONE rule they were jordanclarkson 2024-02-01 and jamalmurray 2024-04-14.
    for day, player in (("2024-01-25", "dejountemurray"), ("2024-04-12", "amenthompson")):
        h = ref.psza_history(s.pgs, pd.Timestamp(day), SEASON_START)
        last10 = h[(h["player_lookup"] == player) & (h["rank"] <= 10)]
        assert len(last10) == 10
        assert (int(last10["paint_makes"].sum()), int(last10["paint_attempts"].sum())) == (43, 80)
        assert round(43 / 80, 3) == 0.537 and ref.np_round(43 / 80, 3) == 0.538
        row = s.psza[(s.psza["analysis_date"] == pd.Timestamp(day)) & (s.psza["player_lookup"] == player)]
        assert row["paint_pct_last_10"].tolist() == [0.538]


TDZA_SCALE = {
    "paint_pct_allowed_last_15": 3,
    "mid_range_pct_allowed_last_15": 3,
    "three_pt_pct_allowed_last_15": 3,
    "paint_attempts_allowed_per_game": 1,
    "mid_range_attempts_allowed_per_game": 1,
    "three_pt_attempts_allowed_per_game": 1,
    "paint_points_allowed_per_game": 1,
    "opponent_points_per_game": 1,
    "paint_defense_vs_league_avg": 2,
    "mid_range_defense_vs_league_avg": 2,
    "three_pt_defense_vs_league_avg": 2,
    "games_in_sample": 0,
}


@pytest.mark.parametrize("day", SAMPLE_DATES)
def test_tdza_matches_pandas_reference(season, day):
    """TDZA does not round (spec A.3.1); values are stored at the column's NUMERIC scale, so they must lie
    within half a unit of that scale of the unrounded reference. League average: 31 days before D."""
    s = season
    d = pd.Timestamp(day)
    league = ref.league_averages(s.tdgs, d)
    assert league["teams_in_sample"] == 30  # real league average, not the 0.580/0.410/0.355 defaults
    want = ref.tdza_reference(s.tdgs, d, SEASON_START).set_index("team_abbr").sort_index()
    got = s.tdza[s.tdza["analysis_date"] == d].set_index("team_abbr").sort_index()
    assert len(want) >= 3
    assert list(got.index) == list(want.index)
    for c, scale in TDZA_SCALE.items():
        ok = _same(got[c], want[c], tol=0.5 * 10.0**-scale + 1e-9)
        assert ok.all(), (c, got.loc[~ok, c].head().to_dict(), want.loc[~ok, c].head().to_dict())
    for c in ("strongest_zone", "weakest_zone"):
        ok = got[c].fillna("-") == want[c].fillna("-")
        assert ok.all(), (c, got.loc[~ok, c].to_dict(), want.loc[~ok, c].to_dict())


# -------------------------------------------------------------------------------------- 6. point in time
PIT_DAY = "2024-02-01"
VOLATILE = tuple(sorted(RUN_STAMPS))


def _stable(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    keep = [c for c in frame.columns if c not in VOLATILE and not c.endswith("_last_updated")]
    return frame[keep].sort_values(key).reset_index(drop=True)


def test_no_row_uses_a_game_on_or_after_its_analysis_date(season, tmp_path):
    """Change every PGS/TDGS row dated ≥ D in a copy, rerun TDZA/PSZA for D (and the next game date, which
    must change, proving the edit is material): D's rows are identical except the timestamps."""
    import nbaprops

    s = season
    dates = _game_dates(s)
    d = pd.Timestamp(PIT_DAY)
    d_next = dates[dates.index(d) + 1]
    dst = tmp_path / "wh"
    shutil.copytree(Path(s.wh.uri), dst)
    con = sqlite3.connect(dst / "nba_analytics.sqlite")
    try:
        n_pgs = con.execute(
            "UPDATE player_game_summary SET paint_attempts = paint_attempts + 9, paint_makes = 0, "
            "mid_range_makes = mid_range_attempts, three_pt_attempts = three_pt_attempts + 4, "
            "three_pt_makes = 0, fg_makes = 0, data_hash = 'tampered', processed_at = '2099-01-01T00:00:00Z' "
            "WHERE game_date >= ?",
            (PIT_DAY,),
        ).rowcount
        n_tdgs = con.execute(
            "UPDATE team_defense_game_summary SET opp_paint_attempts = opp_paint_attempts + 30, "
            "opp_paint_makes = 0, opp_mid_range_makes = opp_mid_range_attempts, opp_three_pt_makes = 0, "
            "points_in_paint_allowed = 999, data_hash = 'tampered', processed_at = '2099-01-01T00:00:00Z' "
            "WHERE game_date >= ?",
            (PIT_DAY,),
        ).rowcount
        con.commit()
    finally:
        con.close()
    assert n_pgs == int((s.pgs["game_date"] >= d).sum()) > 0
    assert n_tdgs == int((s.tdgs["game_date"] >= d).sum()) > 0

    wh2 = nbaprops.open(dst)
    result = nbaprops.backfill(
        wh2,
        dates=[PIT_DAY, d_next.date().isoformat()],
        processors=["tdza", "psza"],
        resume=False,
        progress="none",
        checkpoint_dir=tmp_path / "ckpt",
    )
    assert result.exit_code == 0, result.summary_text
    assert (result.units["status"] == "success").all(), result.units

    for table, key in ((TDZA, "team_abbr"), (PSZA, "player_lookup")):
        before = _stable(nbaprops.read(s.wh, table, PIT_DAY, PIT_DAY), key)
        after = _stable(nbaprops.read(wh2, table, PIT_DAY, PIT_DAY), key)
        assert len(before) > 0
        pd.testing.assert_frame_equal(before, after, obj=f"{table} @ {PIT_DAY}")
        # ...and D really was recomputed by the second run (new run timestamp), not skipped.
        stamps_before = set(nbaprops.read(s.wh, table, PIT_DAY, PIT_DAY)["processed_at"])
        stamps_after = set(nbaprops.read(wh2, table, PIT_DAY, PIT_DAY)["processed_at"])
        assert stamps_before.isdisjoint(stamps_after)
        nxt = d_next.date().isoformat()
        before_n = _stable(nbaprops.read(s.wh, table, nxt, nxt), key)
        after_n = _stable(nbaprops.read(wh2, table, nxt, nxt), key)
        assert not before_n["data_hash"].equals(after_n["data_hash"]), f"{table} @ {nxt} should change"
