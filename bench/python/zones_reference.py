"""Vectorised PSZA + TDZA, twice: idiomatic pandas and idiomatic Polars (bench references, not the product).

Both compute, for every analysis date of a range at once, the rows nbaprops writes to
``nba_precompute.player_shot_zone_analysis`` (PSZA) and ``nba_precompute.team_defense_zone_analysis`` (TDZA):
rolling sums over each player's / team's games, then an as-of join (strictly before D) to the analysis
dates. No Python loop over players, teams, dates or rows: only column operations, group-wise rolling sums
and as-of joins. The pandas half takes its window sums two ways (``windows=``): running-sum differences (the
default, the faster) or ``groupby().rolling()``, as issue 10 words the reference; both give the same rows.

Semantics are those of ``tests/python/real_reference.py`` (a per-date loop written from
``shared/spec/legacy-tdza-psza.md`` A.2–A.3 / B.2–B.3) plus the project's DECISIONS:

* windows for analysis date D use games strictly before D (DECISION 1); season-to-date windows start at the
  season's first regular-season game (DECISION 2); bootstrap dates (the season's first 14 days) are skipped;
* completeness (DECISION 3): TDZA expects the team's scheduled games before D (home and away), PSZA the
  player's team's last 10; actual = distinct dates with an upstream row; production ready at ≥ 70 %;
* a per-game mean or rate whose input no game of the window knew is NULL, not 0 (DECISION 6);
* source tracking (DECISIONS 4, 6): the newest upstream row's hash by game date, the newest processed_at,
  rows found in the dependency window;
* PSZA rounds numpy-style (spec B.3.1: ``round(x · 10^d) / 10^d``, ties to even on the scaled product);
  TDZA does not round in the legacy code, it is stored at the columns' NUMERIC scale with Python's
  correctly rounded ``round()`` (:func:`py_round`).

Compared with nbaprops: every column of both tables except ``data_hash`` (a per-row SHA-256 of 23–25 output
fields rendered as Python strings: a function of the compared columns, and a per-row hashlib call that has
no vectorised form) and the run stamps ``processed_at`` / ``created_at`` (see :data:`EXCLUDED`).
:func:`zones_pandas_hashed` adds ``data_hash`` to the pandas rows (one hashlib call per row,
:func:`data_hash_pandas`), for the like-with-like figure of the bench; it is compared too.

Imported by ``bench/python/bench_zones.py`` and ``tests/python/test_bench_zones.py`` (by path).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

PSZA_TABLE = "player_shot_zone_analysis"
TDZA_TABLE = "team_defense_zone_analysis"
PSZA_KEY = ["player_lookup", "analysis_date"]
TDZA_KEY = ["team_abbr", "analysis_date"]
#: Columns of the two tables that are not compared (and not computed), with the reason.
EXCLUDED = {
    "data_hash": "per-row SHA-256 of the output fields rendered as Python str: bookkeeping derived from the "
    "compared columns; a per-row hashlib call has no vectorised form",
    "processed_at": "run stamp",
    "created_at": "run stamp",
}

# Processor constants (legacy spec; nbaprops' processors/precompute headers).
BOOTSTRAP_DAYS = 14
PRODUCTION_READY_PCT = 70.0
PSZA_GAMES, PSZA_TREND_GAMES, PSZA_TREND_MIN_GAMES, PSZA_SOURCE_DAYS = 10, 20, 15, 20
TDZA_GAMES, TDZA_LEAGUE_DAYS, TDZA_LEAGUE_MIN_GAMES, TDZA_LEAGUE_MIN_TEAMS = 15, 31, 10, 10
LEAGUE_DEFAULTS = {"paint": 0.580, "mid_range": 0.410, "three_pt": 0.355}
#: Season openers used when the schedule has no regular-season game of a season (legacy table), else Oct 1.
LEGACY_SEASON_START = {2021: "2021-10-19", 2022: "2022-10-18", 2023: "2023-10-24", 2024: "2024-10-22"}
SEASON_BOUNDARY_MONTHS = (10, 11, 4)

ZONES = ("paint", "mid_range", "three_pt")
ZONE_LABEL = {"paint": "paint", "mid_range": "mid_range", "three_pt": "perimeter"}

SCHEDULE_COLUMNS = [
    "game_date",
    "season_year",
    "home_team_tricode",
    "away_team_tricode",
    "is_regular_season",
    "is_playoffs",
    "is_all_star",
    "game_status_text",
]
PGS_COLUMNS = [
    "player_lookup",
    "universal_player_id",
    "game_id",
    "game_date",
    "team_abbr",
    "paint_attempts",
    "paint_makes",
    "mid_range_attempts",
    "mid_range_makes",
    "three_pt_attempts",
    "three_pt_makes",
    "fg_makes",
    "assisted_fg_makes",
    "unassisted_fg_makes",
    "fg_attempts",
    "minutes_played",
    "is_active",
    "processed_at",
    "data_hash",
]
TDGS_COLUMNS = [
    "defending_team_abbr",
    "game_date",
    "opp_paint_makes",
    "opp_paint_attempts",
    "opp_mid_range_makes",
    "opp_mid_range_attempts",
    "opp_three_pt_makes",
    "opp_three_pt_attempts",
    "points_in_paint_allowed",
    "blocks_paint",
    "blocks_mid_range",
    "blocks_three_pt",
    "points_allowed",
    "defensive_rating",
    "opponent_pace",
    "processed_at",
    "data_hash",
]

#: Summed per window: zone attempts/makes, FG makes, assisted/unassisted makes (NULL as 0) ...
PSZA_SUMS = [
    "paint_attempts",
    "paint_makes",
    "mid_range_attempts",
    "mid_range_makes",
    "three_pt_attempts",
    "three_pt_makes",
    "fg_makes",
    "assisted_fg_makes",
    "unassisted_fg_makes",
]
#: ... and how many games of the window knew the assisted / unassisted split (DECISION 6).
PSZA_KNOWN = ["assisted_known", "unassisted_known"]
TDZA_SUMS = [
    "opp_paint_makes",
    "opp_paint_attempts",
    "opp_mid_range_makes",
    "opp_mid_range_attempts",
    "opp_three_pt_makes",
    "opp_three_pt_attempts",
    "points_in_paint_allowed",
    "blocks_paint",
    "blocks_mid_range",
    "blocks_three_pt",
    "points_allowed",
    "defensive_rating",
    "opponent_pace",
]
TDZA_KNOWN = ["paint_points_known", "blocks_known", "points_known", "defensive_rating_known", "opponent_pace_known"]
TDZA_LEAGUE = [
    "opp_paint_makes",
    "opp_paint_attempts",
    "opp_mid_range_makes",
    "opp_mid_range_attempts",
    "opp_three_pt_makes",
    "opp_three_pt_attempts",
]
#: TDZA values stored at their NUMERIC(p, s) scale.
TDZA_SCALE = {
    "paint_pct_allowed_last_15": 3,
    "mid_range_pct_allowed_last_15": 3,
    "three_pt_pct_allowed_last_15": 3,
    "paint_attempts_allowed_per_game": 1,
    "mid_range_attempts_allowed_per_game": 1,
    "three_pt_attempts_allowed_per_game": 1,
    "paint_points_allowed_per_game": 1,
    "paint_blocks_per_game": 1,
    "mid_range_blocks_per_game": 1,
    "three_pt_blocks_per_game": 1,
    "paint_defense_vs_league_avg": 2,
    "mid_range_defense_vs_league_avg": 2,
    "three_pt_defense_vs_league_avg": 2,
    "defensive_rating_last_15": 2,
    "opponent_points_per_game": 1,
    "opponent_pace": 1,
    "source_team_defense_completeness_pct": 2,
}

#: Output columns in table order (the tables' columns minus :data:`EXCLUDED`).
PSZA_COLUMNS = [
    "player_lookup",
    "universal_player_id",
    "analysis_date",
    "paint_rate_last_10",
    "mid_range_rate_last_10",
    "three_pt_rate_last_10",
    "total_shots_last_10",
    "games_in_sample_10",
    "sample_quality_10",
    "paint_pct_last_10",
    "mid_range_pct_last_10",
    "three_pt_pct_last_10",
    "paint_attempts_per_game",
    "mid_range_attempts_per_game",
    "three_pt_attempts_per_game",
    "paint_rate_last_20",
    "paint_pct_last_20",
    "games_in_sample_20",
    "sample_quality_20",
    "assisted_rate_last_10",
    "unassisted_rate_last_10",
    "player_position",
    "primary_scoring_zone",
    "data_quality_tier",
    "calculation_notes",
    "source_player_game_last_updated",
    "source_player_game_rows_found",
    "source_player_game_completeness_pct",
    "source_player_game_hash",
    "early_season_flag",
    "insufficient_data_reason",
    "expected_games_count",
    "actual_games_count",
    "completeness_percentage",
    "missing_games_count",
    "is_production_ready",
    "data_quality_issues",
    "last_reprocess_attempt_at",
    "reprocess_attempt_count",
    "circuit_breaker_active",
    "circuit_breaker_until",
    "manual_override_required",
    "season_boundary_detected",
    "backfill_bootstrap_mode",
    "processing_decision_reason",
]
TDZA_COLUMNS = [
    "team_abbr",
    "analysis_date",
    "paint_pct_allowed_last_15",
    "paint_attempts_allowed_per_game",
    "paint_points_allowed_per_game",
    "paint_blocks_per_game",
    "paint_defense_vs_league_avg",
    "mid_range_pct_allowed_last_15",
    "mid_range_attempts_allowed_per_game",
    "mid_range_blocks_per_game",
    "mid_range_defense_vs_league_avg",
    "three_pt_pct_allowed_last_15",
    "three_pt_attempts_allowed_per_game",
    "three_pt_blocks_per_game",
    "three_pt_defense_vs_league_avg",
    "defensive_rating_last_15",
    "opponent_points_per_game",
    "opponent_pace",
    "games_in_sample",
    "strongest_zone",
    "weakest_zone",
    "data_quality_tier",
    "calculation_notes",
    "source_team_defense_last_updated",
    "source_team_defense_rows_found",
    "source_team_defense_completeness_pct",
    "source_team_defense_hash",
    "early_season_flag",
    "insufficient_data_reason",
    "expected_games_count",
    "actual_games_count",
    "completeness_percentage",
    "missing_games_count",
    "is_production_ready",
    "data_quality_issues",
    "last_reprocess_attempt_at",
    "reprocess_attempt_count",
    "circuit_breaker_active",
    "circuit_breaker_until",
    "manual_override_required",
    "season_boundary_detected",
    "backfill_bootstrap_mode",
    "processing_decision_reason",
]
#: The legacy HASH_FIELDS of each table (spec legacy-tdza-psza.md A.3.7 and B.3): the fields data_hash is taken
#: over; of them, the integer columns (their value is rendered as a Python int, though a frame may hold it as a
#: float beside missing values).
HASH_FIELDS = {
    PSZA_TABLE: [
        "player_lookup",
        "universal_player_id",
        "analysis_date",
        "paint_rate_last_10",
        "mid_range_rate_last_10",
        "three_pt_rate_last_10",
        "paint_pct_last_10",
        "mid_range_pct_last_10",
        "three_pt_pct_last_10",
        "paint_attempts_per_game",
        "mid_range_attempts_per_game",
        "three_pt_attempts_per_game",
        "assisted_rate_last_10",
        "unassisted_rate_last_10",
        "total_shots_last_10",
        "games_in_sample_10",
        "sample_quality_10",
        "paint_rate_last_20",
        "paint_pct_last_20",
        "games_in_sample_20",
        "sample_quality_20",
        "player_position",
        "primary_scoring_zone",
        "data_quality_tier",
        "calculation_notes",
    ],
    TDZA_TABLE: [
        "team_abbr",
        "analysis_date",
        "paint_pct_allowed_last_15",
        "paint_attempts_allowed_per_game",
        "paint_points_allowed_per_game",
        "paint_blocks_per_game",
        "paint_defense_vs_league_avg",
        "mid_range_pct_allowed_last_15",
        "mid_range_attempts_allowed_per_game",
        "mid_range_blocks_per_game",
        "mid_range_defense_vs_league_avg",
        "three_pt_pct_allowed_last_15",
        "three_pt_attempts_allowed_per_game",
        "three_pt_blocks_per_game",
        "three_pt_defense_vs_league_avg",
        "defensive_rating_last_15",
        "opponent_points_per_game",
        "opponent_pace",
        "games_in_sample",
        "strongest_zone",
        "weakest_zone",
        "data_quality_tier",
        "calculation_notes",
    ],
}
HASH_INTEGERS = {"total_shots_last_10", "games_in_sample_10", "games_in_sample_20", "games_in_sample"}
#: Constant bookkeeping columns of every written row (legacy processing-status block).
STATUS_CONSTANTS: dict[str, Any] = {
    "data_quality_issues": "[]",
    "last_reprocess_attempt_at": None,
    "reprocess_attempt_count": 0,
    "circuit_breaker_active": False,
    "circuit_breaker_until": None,
    "manual_override_required": False,
    "backfill_bootstrap_mode": False,
    "processing_decision_reason": "processed_successfully",
    "insufficient_data_reason": None,
    "calculation_notes": None,
}


# ============================================================================================ shared helpers


def np_round(x, nd: int) -> np.ndarray:
    """Legacy PSZA rounding (spec B.3.1): numpy's ``round(x · 10^nd) / 10^nd``, ties to even; no -0.0."""
    return np.round(np.asarray(x, dtype=np.float64), nd) + 0.0


def py_round(x, nd: int) -> np.ndarray:
    """Python's correctly rounded ``round(x, nd)``, vectorised: the exact binary value rounded half to even.

    ``x · 10^nd`` is exact in x87 extended precision for nd ≤ 4 (53 + 10 significand bits ≤ 64), so rint on it
    rounds the true value; the integer divided by 10^nd in float64 is the nearest double, as round() returns."""
    if np.finfo(np.longdouble).nmant < 63 or not 0 <= nd <= 4:
        raise RuntimeError("py_round needs an 80-bit (or wider) long double and 0 ≤ nd ≤ 4")
    a = np.asarray(x, dtype=np.float64)
    m = np.rint(a.astype(np.longdouble) * np.longdouble(10**nd))
    return m.astype(np.float64) / float(10**nd) + 0.0


def sample_quality(n, target: int) -> np.ndarray:
    """excellent / good / limited / insufficient at target, int(0.7 · target), int(0.5 · target) games."""
    n = np.asarray(n)
    return np.select(
        [n >= target, n >= int(0.7 * target), n >= int(0.5 * target)], ["excellent", "good", "limited"], "insufficient"
    ).astype(object)


def primary_zone(paint, mid, three) -> np.ndarray:
    """Spec B.3.3 on the rounded last-10 rates (NULL as 0): paint ≥ 40, three ≥ 40, mid ≥ 35, else balanced."""
    p, m, t = (np.nan_to_num(np.asarray(v, dtype=np.float64)) for v in (paint, mid, three))
    out = np.select([p >= 40, t >= 40, m >= 35], ["paint", "perimeter", "mid_range"], "balanced").astype(object)
    out[(p == 0) & (m == 0) & (t == 0)] = None
    return out


def strongest_weakest(vs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of an (n, 3) array of zone values vs league (NaN = unknown): the zone of the minimum (strongest)
    and maximum (weakest), the earliest zone on ties, NULL when all are unknown."""
    labels = np.array([ZONE_LABEL[z] for z in ZONES] + [None], dtype=object)
    unknown = np.isnan(vs)
    none = unknown.all(axis=1)
    lo = np.where(unknown, np.inf, vs).argmin(axis=1)
    hi = np.where(unknown, -np.inf, vs).argmax(axis=1)
    return labels[np.where(none, 3, lo)], labels[np.where(none, 3, hi)]


def calculation_notes(pa, ma, ta) -> np.ndarray:
    """TDZA notes: "No paint attempts; No mid-range attempts; No three-point attempts" (the applicable ones)."""
    parts = [
        np.where(np.asarray(a) == 0, text + "; ", "")
        for a, text in ((pa, "No paint attempts"), (ma, "No mid-range attempts"), (ta, "No three-point attempts"))
    ]
    joined = np.char.rstrip(np.char.add(np.char.add(parts[0], parts[1]), parts[2]).astype(str), "; ")
    out = joined.astype(object)
    out[joined == ""] = None
    return out


def read_inputs(wh_dir: Path) -> dict[str, pd.DataFrame]:
    """Schedule, PGS and TDGS from the warehouse's SQLite files, as pandas frames (plain sqlite3 + read_sql)."""
    wh_dir = Path(wh_dir)
    with sqlite3.connect(wh_dir / "nba_raw.sqlite") as raw, sqlite3.connect(wh_dir / "nba_analytics.sqlite") as ana:
        return {
            "schedule": pd.read_sql_query(f"SELECT {', '.join(SCHEDULE_COLUMNS)} FROM nbac_schedule", raw),
            "pgs": pd.read_sql_query(f"SELECT {', '.join(PGS_COLUMNS)} FROM player_game_summary", ana),
            "tdgs": pd.read_sql_query(f"SELECT {', '.join(TDGS_COLUMNS)} FROM team_defense_game_summary", ana),
        }


def create_scratch_table(con: sqlite3.Connection, source: str, name: str, schema: str = "main") -> None:
    """(Re)create ``name`` with the DDL and indexes of ``source`` (same columns, types and index as ours), both in
    the attached database ``schema``."""
    con.execute(f'DROP TABLE IF EXISTS {schema}."{name}"')
    for (sql,) in con.execute(
        f"SELECT sql FROM {schema}.sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL ORDER BY type = 'index'",
        (source,),
    ).fetchall():
        sql = sql.replace(f'"{source}"', f'"{name}"').replace(f"ix_{source}_", f"ix_{name}_")
        con.execute(
            sql.replace("CREATE TABLE ", f"CREATE TABLE {schema}.", 1).replace(
                "CREATE INDEX ", f"CREATE INDEX {schema}.", 1
            )
        )


def write_rows(con: sqlite3.Connection, table: str, columns: list[str], rows: list) -> None:
    """One prepared INSERT, executemany, one transaction (the caller commits)."""
    cols = ", ".join(f'"{c}"' for c in columns)
    con.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(columns))})', rows)


def pandas_rows(frame: pd.DataFrame) -> list[list]:
    """DataFrame → rows of plain Python values for sqlite3 (NaN / NA → NULL), without per-cell Python code."""
    return frame.astype(object).where(frame.notna(), None).to_numpy().tolist()


def compare_tables(
    con: sqlite3.Connection, ours: str, ref: str, key: list[str], columns: list[str], start: str, end: str
) -> dict[str, Any]:
    """Our table's rows of [start, end] against a reference's scratch table (both read back from SQLite):
    same keys, and per column values equal (both NULL, or ==; no tolerance). Returns counts and examples."""
    cols = ", ".join(f'"{c}"' for c in columns)
    a = pd.read_sql_query(f'SELECT {cols} FROM "{ours}" WHERE analysis_date BETWEEN ? AND ?', con, params=(start, end))
    b = pd.read_sql_query(f'SELECT {cols} FROM "{ref}"', con)
    m = a.merge(b, on=key, how="outer", suffixes=("", "__ref"), indicator=True)
    both = m[m["_merge"] == "both"]
    out: dict[str, Any] = {
        "rows_ours": len(a),
        "rows_reference": len(b),
        "only_ours": int((m["_merge"] == "left_only").sum()),
        "only_reference": int((m["_merge"] == "right_only").sum()),
        "duplicate_keys": int(a.duplicated(key).sum() + b.duplicated(key).sum()),
        "columns": {},
    }
    for c in columns:
        if c in key:
            continue
        x, y = both[c], both[c + "__ref"]
        equal = (x.isna() & y.isna()) | (x == y)
        bad = both.loc[~equal, key + [c, c + "__ref"]]
        entry: dict[str, Any] = {"mismatches": int(len(bad))}
        if len(bad):
            entry["example"] = {
                k: (v.item() if isinstance(v, np.generic) else v) for k, v in bad.iloc[0].to_dict().items()
            }
        out["columns"][c] = entry
    out["mismatches"] = sum(v["mismatches"] for v in out["columns"].values())
    out["agree"] = (
        out["only_ours"] == 0 and out["only_reference"] == 0 and out["duplicate_keys"] == 0 and out["mismatches"] == 0
    )
    return out


# ====================================================================================================== pandas


def _flag(s: pd.Series) -> pd.Series:
    return s.fillna(0).astype(bool)


def _season_of(d: pd.Series) -> pd.Series:
    return (d.dt.year - (d.dt.month < 10)).astype("int64")


def calendar_pandas(schedule: pd.DataFrame, start: str, end: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The analysis dates (game dates of [start, end] past the season's 14 bootstrap days) with their season
    and season start, and every counted team-game (team_abbr, season, game_date, scheduled = games so far)."""
    s = schedule.dropna(subset=["game_date"])
    date = pd.to_datetime(s["game_date"], format="%Y-%m-%d")
    season = s["season_year"].fillna(_season_of(date)).astype("int64")
    postponed = s["game_status_text"].isin(["PPD", "Postponed"])
    all_star, playoffs, regular = _flag(s["is_all_star"]), _flag(s["is_playoffs"]), _flag(s["is_regular_season"])
    counts = ~postponed & ~all_star & (playoffs | regular)
    opener = ~postponed & ~all_star & ~playoffs & regular
    starts = date[opener].groupby(season[opener]).min()

    in_range = counts & date.between(pd.Timestamp(start), pd.Timestamp(end))
    cal = pd.DataFrame({"analysis_date": np.sort(date[in_range].unique())})
    cal["season"] = _season_of(cal["analysis_date"])
    legacy = pd.Series({y: pd.Timestamp(d) for y, d in LEGACY_SEASON_START.items()})
    known = cal["season"].map(starts).fillna(cal["season"].map(legacy))
    offset = (cal["analysis_date"] - known).dt.days
    cal = cal[~((offset >= 0) & (offset < BOOTSTRAP_DAYS))].copy()
    cal["season_start"] = known[cal.index].fillna(pd.to_datetime(cal["season"].astype(str) + "-10-01"))
    cal = cal.reset_index(drop=True)

    games = pd.DataFrame(
        {"game_date": date, "season": season, "home": s["home_team_tricode"], "away": s["away_team_tricode"]}
    )[counts]
    team_games = (
        games.melt(id_vars=["game_date", "season"], value_name="team_abbr")
        .drop(columns="variable")
        .sort_values("game_date", kind="stable")
    )
    team_games["scheduled"] = team_games.groupby(["team_abbr", "season"]).cumcount() + 1
    return cal, team_games


def _in_season(frame: pd.DataFrame, entity: str, cal: pd.DataFrame) -> pd.DataFrame:
    """Rows with an entity and a date, in a season of the calendar, on or after that season's start."""
    rows = frame.dropna(subset=[entity, "game_date"]).copy()
    rows["game_date"] = pd.to_datetime(rows["game_date"], format="%Y-%m-%d")
    rows["season"] = _season_of(rows["game_date"])
    start = rows["season"].map(cal.groupby("season")["season_start"].first())
    return rows[rows["game_date"] >= start]


def _asof(
    left: pd.DataFrame, right: pd.DataFrame, by: list[str], on: str = "analysis_date", right_on: str = "game_date"
) -> pd.DataFrame:
    """For each left row, the right row of the same ``by`` with the latest ``right_on`` strictly before ``on``."""
    return pd.merge_asof(
        left.sort_values(on, kind="stable"),
        right.sort_values(right_on, kind="stable"),
        left_on=on,
        right_on=right_on,
        by=by,
        allow_exact_matches=False,
    )


def _rolling_sums(
    rows: pd.DataFrame, keys: list[str], cols: list[str], n: int, suffix: str, windows: str = "running"
) -> pd.DataFrame:
    """Sums of ``cols`` over each entity's last ``n`` rows (rows sorted by date within ``keys``), indexed like
    ``rows``. ``windows="running"``: the running sum minus the running sum ``n`` rows earlier (two grouped
    column operations); ``windows="rolling"``: ``groupby().rolling(n, min_periods=1).sum()``, as the issue words
    the reference (the same sums, exact for these whole-number counts; pandas builds a window per group)."""
    group = [rows[k] for k in keys]
    if windows == "rolling":
        summed = rows[cols].groupby(group, sort=False).rolling(n, min_periods=1).sum()
        return summed.reset_index(level=list(range(len(keys))), drop=True).loc[rows.index].add_suffix(suffix)
    if windows != "running":
        raise ValueError(f"windows must be 'running' or 'rolling', not {windows!r}")
    running = rows[cols].groupby(group, sort=False).cumsum()
    return (running - running.groupby(group, sort=False).shift(n, fill_value=0)).add_suffix(suffix)


def _source_tracking(rows: pd.DataFrame, cal: pd.DataFrame, tiebreak: list[str], stamped_only: bool) -> pd.DataFrame:
    """Per analysis date: the newest processed_at of the season's rows before D and the data_hash of the
    newest row before D (by game date, then ``tiebreak``; PSZA: among rows with a processed_at)."""
    stamped = rows.dropna(subset=["processed_at"])
    stamp = stamped.groupby(["season", "game_date"], as_index=False)["processed_at"].max()
    codes, uniq = pd.factorize(stamp["processed_at"], sort=True)
    stamp["last_updated"] = np.asarray(uniq)[pd.Series(codes, index=stamp.index).groupby(stamp["season"]).cummax()]
    newest = (
        (stamped if stamped_only else rows)
        .sort_values(["season", "game_date"] + tiebreak)
        .drop_duplicates(["season", "game_date"], keep="last")
    )
    out = _asof(cal[["analysis_date", "season"]], stamp[["season", "game_date", "last_updated"]], ["season"])
    out = _asof(out.drop(columns="game_date"), newest[["season", "game_date", "data_hash"]], ["season"])
    return out.drop(columns="game_date").rename(columns={"data_hash": "source_hash"})


def _completeness(frame: pd.DataFrame, expected: pd.Series, actual: pd.Series) -> None:
    frame["expected_games_count"] = expected.astype("int64")
    frame["actual_games_count"] = actual.astype("int64")
    frame["completeness_percentage"] = np.where(
        expected > 0, py_round(actual / expected.where(expected > 0) * 100, 1), 0.0
    )
    frame["missing_games_count"] = (expected - actual).clip(lower=0).astype("int64")
    frame["is_production_ready"] = frame["completeness_percentage"] >= PRODUCTION_READY_PCT


def psza_pandas(
    pgs: pd.DataFrame, calendar: tuple[pd.DataFrame, pd.DataFrame], windows: str = "running"
) -> pd.DataFrame:
    """PSZA rows of every analysis date of ``calendar`` (players with 10 qualifying games before D); ``windows``
    as :func:`_rolling_sums`."""
    cal, team_games = calendar
    rows = _in_season(pgs, "player_lookup", cal)
    # One integer id per (player, season), so that the group-bys and as-of joins below do not re-hash names.
    rows["entity"] = rows.groupby(["player_lookup", "season"], sort=False).ngroup()
    keys = ["entity"]

    # Latest row of any status before D (current team) and distinct dates so far (completeness "actual").
    dated = rows.sort_values("game_date", kind="stable").drop_duplicates(["entity", "game_date"])
    dated = dated.assign(actual=dated.groupby(keys).cumcount() + 1)[keys + ["game_date", "team_abbr", "actual"]]

    # Qualifying games (spec B.2): active and (minutes > 0 or FGA > 0); rolling last-10 / last-20 sums.
    minutes = pd.to_numeric(rows["minutes_played"]).fillna(0)
    q = rows[_flag(rows["is_active"]) & ((minutes > 0) | (rows["fg_attempts"].fillna(0) > 0))]
    q = q.sort_values(keys + ["game_date", "game_id"])
    vals = (
        q[PSZA_SUMS]
        .fillna(0)
        .assign(assisted_known=q["assisted_fg_makes"].notna(), unassisted_known=q["unassisted_fg_makes"].notna())
        .astype("float64")
    )
    vals[keys] = q[keys]
    cols = PSZA_SUMS + PSZA_KNOWN
    games = pd.concat(
        [
            q[keys + ["game_date", "universal_player_id"]],
            _rolling_sums(vals, keys, cols, PSZA_GAMES, "_10", windows),
            _rolling_sums(vals, keys, cols, PSZA_TREND_GAMES, "_20", windows),
        ],
        axis=1,
    )
    games["games"] = games.groupby(keys).cumcount() + 1

    pairs = q.drop_duplicates("entity")[["entity", "player_lookup", "season"]].merge(
        cal[["analysis_date", "season"]], on="season"
    )
    w = _asof(pairs, games, keys)
    w = w[w["games"] >= PSZA_GAMES].drop(columns="game_date")
    w = _asof(w, dated, keys).drop(columns="game_date")
    w["team_abbr"] = w["team_abbr"].fillna("")
    w = _asof(w, team_games, ["team_abbr", "season"]).drop(columns="game_date")
    expected = w["scheduled"].fillna(0).clip(upper=PSZA_GAMES)
    _completeness(w, expected, w["actual"])
    w["season_boundary_detected"] = w["analysis_date"].dt.month.isin(SEASON_BOUNDARY_MONTHS)
    w = w[w["is_production_ready"] | w["season_boundary_detected"]]

    def metrics(sfx: str) -> dict[str, np.ndarray]:
        pa, pm = w["paint_attempts" + sfx], w["paint_makes" + sfx]
        ma, mm = w["mid_range_attempts" + sfx], w["mid_range_makes" + sfx]
        ta, tm = w["three_pt_attempts" + sfx], w["three_pt_makes" + sfx]
        tot, fgm = pa + ma + ta, w["fg_makes" + sfx]
        share = lambda part, whole, scale, nd: np_round(part / whole.where(whole > 0) * scale, nd)  # noqa: E731
        has_fgm = (tot > 0) & (fgm > 0)
        return {
            "paint_rate": share(pa, tot, 100.0, 2),
            "mid_range_rate": share(ma, tot, 100.0, 2),
            "three_pt_rate": share(ta, tot, 100.0, 2),
            "paint_pct": share(pm, pa, 1.0, 3),
            "mid_range_pct": share(mm, ma, 1.0, 3),
            "three_pt_pct": share(tm, ta, 1.0, 3),
            "paint_apg": np_round(pa / PSZA_GAMES, 1),
            "mid_range_apg": np_round(ma / PSZA_GAMES, 1),
            "three_pt_apg": np_round(ta / PSZA_GAMES, 1),
            "total": tot.where(tot > 0).astype("Int64"),
            "assisted": share(
                w["assisted_fg_makes" + sfx].where(has_fgm & (w["assisted_known" + sfx] > 0)), fgm, 100.0, 2
            ),
            "unassisted": share(
                w["unassisted_fg_makes" + sfx].where(has_fgm & (w["unassisted_known" + sfx] > 0)), fgm, 100.0, 2
            ),
        }

    m10, m20 = metrics("_10"), metrics("_20")
    games20 = w["games"].clip(upper=PSZA_TREND_GAMES)
    trend = games20 >= PSZA_TREND_MIN_GAMES
    src = _source_tracking(rows, cal, ["player_lookup", "game_id"], stamped_only=True)
    in_season = np.sort(rows["game_date"].to_numpy())
    src["rows_found"] = np.searchsorted(in_season, src["analysis_date"].to_numpy(), "left") - np.searchsorted(
        in_season, (src["analysis_date"] - pd.Timedelta(days=PSZA_SOURCE_DAYS)).to_numpy(), "left"
    )
    out = pd.DataFrame(
        {
            "player_lookup": w["player_lookup"],
            "universal_player_id": w["universal_player_id"],
            "analysis_date": w["analysis_date"],
            "paint_rate_last_10": m10["paint_rate"],
            "mid_range_rate_last_10": m10["mid_range_rate"],
            "three_pt_rate_last_10": m10["three_pt_rate"],
            "total_shots_last_10": m10["total"],
            "games_in_sample_10": PSZA_GAMES,
            "sample_quality_10": sample_quality(np.full(len(w), PSZA_GAMES), PSZA_GAMES),
            "paint_pct_last_10": m10["paint_pct"],
            "mid_range_pct_last_10": m10["mid_range_pct"],
            "three_pt_pct_last_10": m10["three_pt_pct"],
            "paint_attempts_per_game": m10["paint_apg"],
            "mid_range_attempts_per_game": m10["mid_range_apg"],
            "three_pt_attempts_per_game": m10["three_pt_apg"],
            "paint_rate_last_20": np.where(trend, m20["paint_rate"], np.nan),
            "paint_pct_last_20": np.where(trend, m20["paint_pct"], np.nan),
            "games_in_sample_20": games20.astype("int64"),
            "sample_quality_20": sample_quality(games20, PSZA_TREND_GAMES),
            "assisted_rate_last_10": m10["assisted"],
            "unassisted_rate_last_10": m10["unassisted"],
            "player_position": None,
            "primary_scoring_zone": primary_zone(m10["paint_rate"], m10["mid_range_rate"], m10["three_pt_rate"]),
            "data_quality_tier": "high",
        },
        index=w.index,
    )
    out = out.merge(src, on="analysis_date", how="left")
    out = out.rename(
        columns={
            "last_updated": "source_player_game_last_updated",
            "rows_found": "source_player_game_rows_found",
            "source_hash": "source_player_game_hash",
        }
    )
    out["source_player_game_completeness_pct"] = np.where(out["source_player_game_rows_found"] > 0, 100.0, 0.0)
    out["early_season_flag"] = False
    comp = w[
        [
            "expected_games_count",
            "actual_games_count",
            "completeness_percentage",
            "missing_games_count",
            "is_production_ready",
            "season_boundary_detected",
        ]
    ].reset_index(drop=True)
    out = pd.concat([out, comp], axis=1).assign(**STATUS_CONSTANTS)
    out["analysis_date"] = out["analysis_date"].dt.strftime("%Y-%m-%d")
    return out[PSZA_COLUMNS].sort_values(PSZA_KEY[::-1], ignore_index=True)


def tdza_pandas(
    tdgs: pd.DataFrame, calendar: tuple[pd.DataFrame, pd.DataFrame], windows: str = "running"
) -> pd.DataFrame:
    """TDZA rows of every analysis date of ``calendar`` (teams with 15 season games before D); ``windows`` as
    :func:`_rolling_sums`."""
    cal, team_games = calendar
    team = "defending_team_abbr"
    all_rows = tdgs.dropna(subset=[team, "game_date"]).copy()
    all_rows["game_date"] = pd.to_datetime(all_rows["game_date"], format="%Y-%m-%d")

    # League average (spec A.3.2): per team, pooled FG% over the 31 days before D (≥ 10 games, all three
    # zones attempted), mean over ≥ 10 such teams; window sums = cumulative sums as of D minus as of D − 31.
    lg = all_rows.sort_values("game_date", kind="stable")[[team, "game_date"] + TDZA_LEAGUE].fillna(0)
    lg = lg.assign(n=1)
    lg[TDZA_LEAGUE + ["n"]] = lg.groupby(team)[TDZA_LEAGUE + ["n"]].cumsum()
    pairs = lg[[team]].drop_duplicates().merge(cal[["analysis_date"]], how="cross")
    pairs["window_start"] = pairs["analysis_date"] - pd.Timedelta(days=TDZA_LEAGUE_DAYS)
    upto = _asof(pairs, lg, [team]).set_index([team, "analysis_date"])
    before = _asof(pairs, lg, [team], on="window_start").set_index([team, "analysis_date"])
    win = upto[TDZA_LEAGUE + ["n"]].fillna(0) - before[TDZA_LEAGUE + ["n"]].fillna(0)
    pct = pd.DataFrame({z: win[f"opp_{z}_makes"] / win[f"opp_{z}_attempts"] for z in ZONES})
    ok = (win["n"] >= TDZA_LEAGUE_MIN_GAMES) & (win[[f"opp_{z}_attempts" for z in ZONES]] > 0).all(axis=1)
    league = pct[ok].groupby(level="analysis_date").agg(["mean", "size"])
    league = league.reindex(cal["analysis_date"].rename("analysis_date"))
    league = pd.DataFrame(
        {
            f"league_{z}": league[(z, "mean")].where(league[(z, "size")] >= TDZA_LEAGUE_MIN_TEAMS, LEAGUE_DEFAULTS[z])
            for z in ZONES
        }
    )

    # Season games: rolling last-15 sums per team, as of D.
    rows = _in_season(tdgs, team, cal)
    keys = [team, "season"]
    rows = rows.sort_values(keys + ["game_date"])
    vals = (
        rows[TDZA_SUMS]
        .fillna(0)
        .assign(
            paint_points_known=rows["points_in_paint_allowed"].notna(),
            blocks_known=rows[["blocks_paint", "blocks_mid_range", "blocks_three_pt"]].notna().any(axis=1),
            points_known=rows["points_allowed"].notna(),
            defensive_rating_known=rows["defensive_rating"].notna(),
            opponent_pace_known=rows["opponent_pace"].notna(),
        )
        .astype("float64")
    )
    vals[keys] = rows[keys]
    sums = _rolling_sums(vals, keys, TDZA_SUMS + TDZA_KNOWN, TDZA_GAMES, "", windows)
    games = pd.concat([rows[keys + ["game_date"]], sums], axis=1)
    games["games"] = games.groupby(keys).cumcount() + 1
    games["actual"] = (~rows.duplicated(keys + ["game_date"])).groupby([rows[team], rows["season"]]).cumsum()

    pairs = rows[keys].drop_duplicates().merge(cal[["analysis_date", "season"]], on="season")
    w = _asof(pairs, games, keys).drop(columns="game_date")
    w[["games", "actual"]] = w[["games", "actual"]].fillna(0)
    src = w[w["games"] >= TDZA_GAMES].groupby("analysis_date")["games"].agg(["sum", "size"])
    w = w[w["games"] >= TDZA_GAMES]
    w = _asof(w.rename(columns={team: "team_abbr"}), team_games, ["team_abbr", "season"]).drop(columns="game_date")
    _completeness(w, w["scheduled"].fillna(0), w["actual"])
    w = w[w["is_production_ready"]].join(league, on="analysis_date")

    n = float(TDZA_GAMES)
    known = lambda k, v: v.where(w[k] > 0)  # noqa: E731  (DECISION 6)
    out = pd.DataFrame({"team_abbr": w["team_abbr"], "analysis_date": w["analysis_date"]})
    vs = {}
    for z in ZONES:  # the three zones' columns (not a loop over data)
        att = w[f"opp_{z}_attempts"]
        p = w[f"opp_{z}_makes"] / att.where(att > 0)
        vs[z] = (p - w[f"league_{z}"]) * 100.0
        out[f"{z}_pct_allowed_last_15"] = p
        out[f"{z}_attempts_allowed_per_game"] = att / n
        out[f"{z}_defense_vs_league_avg"] = vs[z]
    out["paint_points_allowed_per_game"] = known("paint_points_known", w["points_in_paint_allowed"] / n)
    for z, c in (("paint", "blocks_paint"), ("mid_range", "blocks_mid_range"), ("three_pt", "blocks_three_pt")):
        out[f"{z}_blocks_per_game"] = known("blocks_known", w[c] / n)
    out["defensive_rating_last_15"] = known(
        "defensive_rating_known", w["defensive_rating"] / w["defensive_rating_known"]
    )
    out["opponent_points_per_game"] = known("points_known", w["points_allowed"] / n)
    out["opponent_pace"] = known("opponent_pace_known", w["opponent_pace"] / w["opponent_pace_known"])
    out["games_in_sample"] = TDZA_GAMES
    out["strongest_zone"], out["weakest_zone"] = strongest_weakest(np.column_stack([vs[z].to_numpy() for z in ZONES]))
    out["data_quality_tier"] = "high"
    out = out.assign(**STATUS_CONSTANTS)
    out["calculation_notes"] = calculation_notes(*(w[f"opp_{z}_attempts"].to_numpy() for z in ZONES))

    tracking = _source_tracking(rows, cal, [team], stamped_only=False).set_index("analysis_date")
    tracking["rows_found"] = src["sum"].reindex(tracking.index).fillna(0).astype("int64")
    tracking["teams"] = src["size"].reindex(tracking.index).fillna(0)
    tracking["pct"] = (tracking["rows_found"] / (n * tracking["teams"].where(tracking["teams"] > 0)) * 100).clip(
        upper=100.0
    )
    out = out.join(
        tracking.rename(
            columns={
                "last_updated": "source_team_defense_last_updated",
                "rows_found": "source_team_defense_rows_found",
                "pct": "source_team_defense_completeness_pct",
                "source_hash": "source_team_defense_hash",
            }
        ),
        on="analysis_date",
    )
    for c, nd in TDZA_SCALE.items():
        out[c] = py_round(out[c], nd)
    out["early_season_flag"] = None
    for c in (
        "expected_games_count",
        "actual_games_count",
        "completeness_percentage",
        "missing_games_count",
        "is_production_ready",
    ):
        out[c] = w[c]
    out["season_boundary_detected"] = out["analysis_date"].dt.month.isin(SEASON_BOUNDARY_MONTHS)
    out["analysis_date"] = out["analysis_date"].dt.strftime("%Y-%m-%d")
    return out[TDZA_COLUMNS].sort_values(TDZA_KEY[::-1], ignore_index=True)


def zones_pandas(
    inputs: dict[str, pd.DataFrame], start: str, end: str, windows: str = "running"
) -> dict[str, pd.DataFrame]:
    """Both tables from already-loaded inputs (the compute-only part of the pandas reference); ``windows`` as
    :func:`_rolling_sums`."""
    calendar = calendar_pandas(inputs["schedule"], start, end)
    return {
        PSZA_TABLE: psza_pandas(inputs["pgs"], calendar, windows),
        TDZA_TABLE: tdza_pandas(inputs["tdgs"], calendar, windows),
    }


def data_hash_pandas(frame: pd.DataFrame, fields: list[str]) -> list[str]:
    """The legacy ``data_hash`` of every row of ``frame`` (spec 0.6): ``"field:value"`` for each field (a missing
    value ``NULL``, a number as Python's ``str``, text stripped), sorted, joined with ``|``, SHA-256, the first 16
    hex digits. The columns are turned into Python values column by column; the hash itself is one
    ``hashlib`` call per row (a list comprehension: hashlib has no vectorised form).

    The sorted order of a row's strings is the order of their ``"field:"`` prefixes: the fields are distinct, so
    two strings differ within the shorter prefix, its ``:`` included."""
    order = sorted(f + ":" for f in fields)
    columns = []
    for field in (prefix[:-1] for prefix in order):
        s = frame[field]
        known = s.notna()
        if field in HASH_INTEGERS:
            s = s.astype("Int64")
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            s = s.str.strip(" \t\n\r\f\v")
        columns.append(s.astype(object).where(known, None).tolist())
    sha256 = hashlib.sha256
    return [
        sha256("|".join([p + ("NULL" if v is None else str(v)) for p, v in zip(order, values)]).encode()).hexdigest()[
            :16
        ]
        for values in zip(*columns)
    ]


def zones_pandas_hashed(inputs: dict[str, pd.DataFrame], start: str, end: str) -> dict[str, pd.DataFrame]:
    """:func:`zones_pandas` with the ``data_hash`` column added (:func:`data_hash_pandas`): the same columns as
    our rows but the run stamps, for a like-with-like comparison (bench_zones ``pandas_hashed``)."""
    out = zones_pandas(inputs, start, end)
    for table, frame in out.items():
        frame["data_hash"] = data_hash_pandas(frame, HASH_FIELDS[table])
    return out


# ====================================================================================================== Polars
# The same computation, written as a Polars user would: window expressions (``rolling_sum().over()``) over each
# player's / team's games, then ``join_asof(..., allow_exact_matches=False)`` to the analysis dates. Imported
# lazily so that the pandas half works without Polars installed.

PGS_TYPES = {
    "minutes_played": "Float64",
    "universal_player_id": "String",
    "team_abbr": "String",
    "processed_at": "String",
    "data_hash": "String",
    "game_id": "String",
    **{c: "Int64" for c in PSZA_SUMS + ["fg_attempts", "is_active"]},
}
TDGS_TYPES = {
    "defensive_rating": "Float64",
    "opponent_pace": "Float64",
    "processed_at": "String",
    "data_hash": "String",
    **{c: "Int64" for c in TDZA_SUMS[:-2]},
}
SCHEDULE_TYPES = {
    "season_year": "Int64",
    "is_regular_season": "Int64",
    "is_playoffs": "Int64",
    "is_all_star": "Int64",
    "game_status_text": "String",
    "home_team_tricode": "String",
    "away_team_tricode": "String",
}


def _pl():
    import polars as pl  # noqa: PLC0415  (optional dependency, bench only)

    return pl


def read_inputs_polars(wh_dir: Path) -> dict[str, Any]:
    """Schedule, PGS and TDGS from the warehouse's SQLite files with ``pl.read_database`` on sqlite3."""
    pl = _pl()
    wh_dir = Path(wh_dir)

    def read(con, table, cols, types):
        return pl.read_database(
            f"SELECT {', '.join(cols)} FROM {table}",
            con,
            schema_overrides={c: getattr(pl, t) for c, t in types.items()},
        )

    with sqlite3.connect(wh_dir / "nba_raw.sqlite") as raw, sqlite3.connect(wh_dir / "nba_analytics.sqlite") as ana:
        return {
            "schedule": read(raw, "nbac_schedule", SCHEDULE_COLUMNS, SCHEDULE_TYPES),
            "pgs": read(ana, "player_game_summary", PGS_COLUMNS, PGS_TYPES),
            "tdgs": read(ana, "team_defense_game_summary", TDGS_COLUMNS, TDGS_TYPES),
        }


def _pl_season(col: str):
    pl = _pl()
    return (pl.col(col).dt.year() - (pl.col(col).dt.month() < 10).cast(pl.Int32)).cast(pl.Int64)


def _pl_py_round(expr, nd: int):
    """:func:`py_round` on a Polars column (one numpy call per column, not per value)."""
    pl = _pl()
    return expr.map_batches(
        lambda s: pl.Series(s.name, py_round(s.cast(pl.Float64).to_numpy(), nd), nan_to_null=True),
        return_dtype=pl.Float64,
    )


def _pl_asof(left, right, by: list[str], on: str = "analysis_date", right_on: str = "game_date"):
    return left.sort(on).join_asof(
        right.sort(right_on), left_on=on, right_on=right_on, by=by, allow_exact_matches=False, check_sortedness=False
    )


def calendar_polars(schedule, start: str, end: str):
    """Polars twin of :func:`calendar_pandas`."""
    pl = _pl()
    flag = lambda c: pl.col(c).fill_null(0).cast(pl.Boolean)  # noqa: E731
    s = (
        schedule.filter(pl.col("game_date").is_not_null())
        .with_columns(pl.col("game_date").str.to_date("%Y-%m-%d"))
        .with_columns(
            season=pl.coalesce(pl.col("season_year"), _pl_season("game_date")),
            postponed=pl.col("game_status_text").is_in(["PPD", "Postponed"]).fill_null(False),
        )
        .with_columns(
            counts=~pl.col("postponed") & ~flag("is_all_star") & (flag("is_playoffs") | flag("is_regular_season")),
            opener=~pl.col("postponed") & ~flag("is_all_star") & ~flag("is_playoffs") & flag("is_regular_season"),
        )
    )
    starts = s.filter("opener").group_by("season").agg(known=pl.col("game_date").min())
    legacy = pl.DataFrame(
        {"season": list(LEGACY_SEASON_START), "legacy": list(LEGACY_SEASON_START.values())}
    ).with_columns(pl.col("legacy").str.to_date(), pl.col("season").cast(pl.Int64))
    lo, hi = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    cal = (
        s.filter(pl.col("counts") & pl.col("game_date").is_between(lo, hi))
        .select(analysis_date=pl.col("game_date"))
        .unique()
        .sort("analysis_date")
        .with_columns(season=_pl_season("analysis_date"))
        .join(starts, on="season", how="left")
        .join(legacy, on="season", how="left")
        .with_columns(known=pl.coalesce("known", "legacy"))
        .with_columns(offset=(pl.col("analysis_date") - pl.col("known")).dt.total_days())
        .filter(~((pl.col("offset") >= 0) & (pl.col("offset") < BOOTSTRAP_DAYS)).fill_null(False))
        .select("analysis_date", "season", season_start=pl.coalesce("known", pl.date(pl.col("season"), 10, 1)))
    )
    team_games = (
        s.filter("counts")
        .select("game_date", "season", "home_team_tricode", "away_team_tricode")
        .unpivot(index=["game_date", "season"], value_name="team_abbr")
        .drop("variable")
        .sort("game_date", maintain_order=True)
        .with_columns(scheduled=pl.col("game_date").cum_count().over("team_abbr", "season"))
    )
    return cal, team_games


def _pl_in_season(frame, entity: str, cal):
    pl = _pl()
    starts = cal.group_by("season").agg(pl.col("season_start").first())
    return (
        frame.filter(pl.col(entity).is_not_null() & pl.col("game_date").is_not_null())
        .with_columns(pl.col("game_date").str.to_date("%Y-%m-%d"))
        .with_columns(season=_pl_season("game_date"))
        .join(starts, on="season", how="inner")
        .filter(pl.col("game_date") >= pl.col("season_start"))
        .drop("season_start")
    )


def _pl_source_tracking(rows, cal, tiebreak: list[str], stamped_only: bool):
    """Polars twin of :func:`_source_tracking`."""
    pl = _pl()
    stamped = rows.filter(pl.col("processed_at").is_not_null())
    stamp = (
        stamped.group_by("season", "game_date")
        .agg(pl.col("processed_at").max())
        .sort("season", "game_date")
        .with_columns(rank=pl.col("processed_at").rank("dense"))
        .with_columns(rank=pl.col("rank").cum_max().over("season"))
    )
    names = stamp.select("rank", last_updated="processed_at").unique("rank")
    stamp = stamp.join(names, on="rank").select("season", "game_date", "last_updated")
    newest = (
        (stamped if stamped_only else rows)
        .sort(["season", "game_date", *tiebreak])
        .group_by("season", "game_date", maintain_order=True)
        .agg(source_hash=pl.col("data_hash").last())
    )
    out = _pl_asof(cal.select("analysis_date", "season"), stamp, ["season"]).drop("game_date")
    return _pl_asof(out, newest, ["season"]).drop("game_date")


def _pl_completeness(frame, expected):
    pl = _pl()
    e, a = expected.cast(pl.Int64), pl.col("actual").cast(pl.Int64)
    pct = pl.when(e > 0).then(_pl_py_round(a / e * 100, 1)).otherwise(0.0)
    return frame.with_columns(
        expected_games_count=e.cast(pl.Int64),
        actual_games_count=a.cast(pl.Int64),
        completeness_percentage=pct,
        missing_games_count=(e - a).clip(0).cast(pl.Int64),
    ).with_columns(is_production_ready=pl.col("completeness_percentage") >= PRODUCTION_READY_PCT)


def _pl_sample_quality(n, target: int):
    pl = _pl()
    return (
        pl.when(n >= target)
        .then(pl.lit("excellent"))
        .when(n >= int(0.7 * target))
        .then(pl.lit("good"))
        .when(n >= int(0.5 * target))
        .then(pl.lit("limited"))
        .otherwise(pl.lit("insufficient"))
    )


def _pl_finish(frame, columns: list[str], key: list[str]):
    pl = _pl()
    return (
        frame.with_columns(
            season_boundary_detected=pl.col("analysis_date").dt.month().is_in(list(SEASON_BOUNDARY_MONTHS)),
            **{c: pl.lit(v) for c, v in STATUS_CONSTANTS.items() if c not in frame.columns},
        )
        .with_columns(pl.col("analysis_date").dt.strftime("%Y-%m-%d"))
        .select(columns)
        .sort(key[::-1])
    )


def psza_polars(pgs, calendar):
    """Polars twin of :func:`psza_pandas`."""
    pl = _pl()
    cal, team_games = calendar
    rows = _pl_in_season(pgs, "player_lookup", cal)
    keys = ["player_lookup", "season"]
    dated = (
        rows.sort("game_date", maintain_order=True)
        .unique(["player_lookup", "game_date"], keep="first", maintain_order=True)
        .with_columns(actual=pl.col("game_date").cum_count().over(keys))
        .select(*keys, "game_date", pl.col("team_abbr").fill_null(""), "actual")
    )
    cols = PSZA_SUMS + PSZA_KNOWN
    q = (
        rows.filter(
            pl.col("is_active").fill_null(0).cast(pl.Boolean)
            & ((pl.col("minutes_played").fill_null(0) > 0) | (pl.col("fg_attempts").fill_null(0) > 0))
        )
        .sort(*keys, "game_date", "game_id")
        .with_columns(
            assisted_known=pl.col("assisted_fg_makes").is_not_null().cast(pl.Int64),
            unassisted_known=pl.col("unassisted_fg_makes").is_not_null().cast(pl.Int64),
            *(pl.col(c).fill_null(0) for c in PSZA_SUMS),
        )
        .with_columns(
            *(
                pl.col(c).rolling_sum(n, min_samples=1).over(keys).alias(c + sfx)
                for n, sfx in ((PSZA_GAMES, "_10"), (PSZA_TREND_GAMES, "_20"))
                for c in cols
            ),
            games=pl.col("game_date").cum_count().over(keys),
        )
        .select(*keys, "game_date", "universal_player_id", "games", *(c + s for s in ("_10", "_20") for c in cols))
    )
    pairs = q.select(keys).unique().join(cal.select("analysis_date", "season"), on="season")
    w = (
        _pl_asof(pairs, q, keys)
        .filter(pl.col("games") >= PSZA_GAMES)
        .drop("game_date")
        .pipe(_pl_asof, dated, keys)
        .drop("game_date")
        .pipe(_pl_asof, team_games, ["team_abbr", "season"])
        .drop("game_date")
    )
    w = _pl_completeness(w, pl.col("scheduled").fill_null(0).clip(upper_bound=PSZA_GAMES)).filter(
        pl.col("is_production_ready") | pl.col("analysis_date").dt.month().is_in(list(SEASON_BOUNDARY_MONTHS))
    )

    def share(part, whole, scale, nd, when=True):
        return pl.when((pl.col(whole) > 0) & when).then((pl.col(part) / pl.col(whole) * scale).round(nd))

    metrics = []
    for sfx in ("_10", "_20"):  # the two windows' expressions (not a loop over data)
        tot, fgm = f"tot{sfx}", f"fg_makes{sfx}"
        w = w.with_columns(pl.sum_horizontal(f"{z}_attempts{sfx}" for z in ZONES).alias(tot))
        has_fgm = (pl.col(tot) > 0) & (pl.col(fgm) > 0)
        metrics.append(
            {
                **{f"{z}_rate": share(f"{z}_attempts{sfx}", tot, 100.0, 2) for z in ZONES},
                **{f"{z}_pct": share(f"{z}_makes{sfx}", f"{z}_attempts{sfx}", 1.0, 3) for z in ZONES},
                **{f"{z}_apg": (pl.col(f"{z}_attempts{sfx}") / PSZA_GAMES).round(1) for z in ZONES},
                "assisted": share(
                    f"assisted_fg_makes{sfx}", fgm, 100.0, 2, has_fgm & (pl.col("assisted_known" + sfx) > 0)
                ),
                "unassisted": share(
                    f"unassisted_fg_makes{sfx}", fgm, 100.0, 2, has_fgm & (pl.col("unassisted_known" + sfx) > 0)
                ),
                "total": pl.when(pl.col(tot) > 0).then(pl.col(tot)),
            }
        )
    m10, m20 = metrics
    games20 = pl.col("games").clip(upper_bound=PSZA_TREND_GAMES)
    trend = games20 >= PSZA_TREND_MIN_GAMES
    out = w.with_columns(
        paint_rate_last_10=m10["paint_rate"],
        mid_range_rate_last_10=m10["mid_range_rate"],
        three_pt_rate_last_10=m10["three_pt_rate"],
        total_shots_last_10=m10["total"],
        games_in_sample_10=pl.lit(PSZA_GAMES),
        sample_quality_10=_pl_sample_quality(pl.lit(PSZA_GAMES), PSZA_GAMES),
        paint_pct_last_10=m10["paint_pct"],
        mid_range_pct_last_10=m10["mid_range_pct"],
        three_pt_pct_last_10=m10["three_pt_pct"],
        paint_attempts_per_game=m10["paint_apg"],
        mid_range_attempts_per_game=m10["mid_range_apg"],
        three_pt_attempts_per_game=m10["three_pt_apg"],
        paint_rate_last_20=pl.when(trend).then(m20["paint_rate"]),
        paint_pct_last_20=pl.when(trend).then(m20["paint_pct"]),
        games_in_sample_20=games20.cast(pl.Int64),
        sample_quality_20=_pl_sample_quality(games20, PSZA_TREND_GAMES),
        assisted_rate_last_10=m10["assisted"],
        unassisted_rate_last_10=m10["unassisted"],
        player_position=pl.lit(None, pl.String),
        data_quality_tier=pl.lit("high"),
        early_season_flag=pl.lit(False),
    )
    r, m, t = (
        pl.col(c).fill_null(0) for c in ("paint_rate_last_10", "mid_range_rate_last_10", "three_pt_rate_last_10")
    )
    out = out.with_columns(
        primary_scoring_zone=pl.when((r == 0) & (m == 0) & (t == 0))
        .then(None)
        .when(r >= 40)
        .then(pl.lit("paint"))
        .when(t >= 40)
        .then(pl.lit("perimeter"))
        .when(m >= 35)
        .then(pl.lit("mid_range"))
        .otherwise(pl.lit("balanced"))
    )
    in_season = rows.get_column("game_date").sort()
    src = _pl_source_tracking(rows, cal, ["player_lookup", "game_id"], stamped_only=True)
    src = src.with_columns(
        source_player_game_rows_found=(
            in_season.search_sorted(src.get_column("analysis_date"), side="left")
            - in_season.search_sorted(
                src.get_column("analysis_date") - dt.timedelta(days=PSZA_SOURCE_DAYS), side="left"
            )
        ).cast(pl.Int64)
    )
    src = (
        src.with_columns(
            source_player_game_completeness_pct=pl.when(pl.col("source_player_game_rows_found") > 0)
            .then(100.0)
            .otherwise(0.0)
        )
        .rename({"last_updated": "source_player_game_last_updated", "source_hash": "source_player_game_hash"})
        .drop("season")
    )
    return _pl_finish(out.join(src, on="analysis_date", how="left"), PSZA_COLUMNS, PSZA_KEY)


def tdza_polars(tdgs, calendar):
    """Polars twin of :func:`tdza_pandas`."""
    pl = _pl()
    cal, team_games = calendar
    team = "defending_team_abbr"
    lcols = TDZA_LEAGUE + ["n"]
    lg = (
        tdgs.filter(pl.col(team).is_not_null() & pl.col("game_date").is_not_null())
        .with_columns(pl.col("game_date").str.to_date("%Y-%m-%d"), n=pl.lit(1, pl.Int64))
        .sort("game_date", maintain_order=True)
        .select(team, "game_date", *(pl.col(c).fill_null(0).cum_sum().over(team) for c in lcols))
    )
    pairs = (
        lg.select(team)
        .unique()
        .join(cal.select("analysis_date"), how="cross")
        .with_columns(window_start=pl.col("analysis_date") - dt.timedelta(days=TDZA_LEAGUE_DAYS))
    )
    upto = _pl_asof(pairs, lg, [team]).drop("game_date")
    before = _pl_asof(pairs, lg, [team], on="window_start").select(team, "analysis_date", *lcols)
    win = upto.join(before, on=[team, "analysis_date"], suffix="_before").with_columns(
        (pl.col(c).fill_null(0) - pl.col(c + "_before").fill_null(0)).alias(c) for c in lcols
    )
    ok = (pl.col("n") >= TDZA_LEAGUE_MIN_GAMES) & pl.all_horizontal(pl.col(f"opp_{z}_attempts") > 0 for z in ZONES)
    league = (
        win.filter(ok)
        .group_by("analysis_date")
        .agg(teams=pl.len(), **{z: (pl.col(f"opp_{z}_makes") / pl.col(f"opp_{z}_attempts")).mean() for z in ZONES})
    )
    league = (
        cal.select("analysis_date")
        .join(league, on="analysis_date", how="left")
        .select(
            "analysis_date",
            **{
                f"league_{z}": pl.when(pl.col("teams") >= TDZA_LEAGUE_MIN_TEAMS)
                .then(pl.col(z))
                .otherwise(LEAGUE_DEFAULTS[z])
                for z in ZONES
            },
        )
    )

    rows = _pl_in_season(tdgs, team, cal)
    keys = [team, "season"]
    known = {
        "paint_points_known": pl.col("points_in_paint_allowed").is_not_null(),
        "blocks_known": pl.any_horizontal(
            pl.col(c).is_not_null() for c in ("blocks_paint", "blocks_mid_range", "blocks_three_pt")
        ),
        "points_known": pl.col("points_allowed").is_not_null(),
        "defensive_rating_known": pl.col("defensive_rating").is_not_null(),
        "opponent_pace_known": pl.col("opponent_pace").is_not_null(),
    }
    games = (
        rows.sort(*keys, "game_date")
        .with_columns(
            *(v.cast(pl.Float64).alias(k) for k, v in known.items()),
            *(pl.col(c).fill_null(0).cast(pl.Float64) for c in TDZA_SUMS),
            new_date=pl.struct(keys + ["game_date"]).is_first_distinct(),
        )
        .with_columns(
            *(pl.col(c).rolling_sum(TDZA_GAMES, min_samples=1).over(keys) for c in TDZA_SUMS + TDZA_KNOWN),
            games=pl.col("game_date").cum_count().over(keys),
            actual=pl.col("new_date").cast(pl.Int64).cum_sum().over(keys),
        )
        .select(*keys, "game_date", "games", "actual", *TDZA_SUMS, *TDZA_KNOWN)
    )
    pairs = rows.select(keys).unique().join(cal.select("analysis_date", "season"), on="season")
    w = _pl_asof(pairs, games, keys).drop("game_date").with_columns(pl.col("games", "actual").fill_null(0))
    w = w.filter(pl.col("games") >= TDZA_GAMES)
    src = w.group_by("analysis_date").agg(rows_found=pl.col("games").sum(), teams=pl.len())
    w = _pl_asof(w.rename({team: "team_abbr"}), team_games, ["team_abbr", "season"]).drop("game_date")
    w = (
        _pl_completeness(w, pl.col("scheduled").fill_null(0))
        .filter("is_production_ready")
        .join(league, on="analysis_date", how="left")
    )

    n = float(TDZA_GAMES)
    when_known = lambda k, v: pl.when(pl.col(k) > 0).then(v)  # noqa: E731  (DECISION 6)
    pct = {
        z: pl.when(pl.col(f"opp_{z}_attempts") > 0).then(pl.col(f"opp_{z}_makes") / pl.col(f"opp_{z}_attempts"))
        for z in ZONES
    }
    out = w.with_columns(
        **{f"{z}_pct_allowed_last_15": pct[z] for z in ZONES},
        **{f"{z}_attempts_allowed_per_game": pl.col(f"opp_{z}_attempts") / n for z in ZONES},
        **{f"{z}_defense_vs_league_avg": (pct[z] - pl.col(f"league_{z}")) * 100.0 for z in ZONES},
        **{
            f"{z}_blocks_per_game": when_known("blocks_known", pl.col(c) / n)
            for z, c in (("paint", "blocks_paint"), ("mid_range", "blocks_mid_range"), ("three_pt", "blocks_three_pt"))
        },
        paint_points_allowed_per_game=when_known("paint_points_known", pl.col("points_in_paint_allowed") / n),
        defensive_rating_last_15=when_known(
            "defensive_rating_known", pl.col("defensive_rating") / pl.col("defensive_rating_known")
        ),
        opponent_points_per_game=when_known("points_known", pl.col("points_allowed") / n),
        opponent_pace=when_known("opponent_pace_known", pl.col("opponent_pace") / pl.col("opponent_pace_known")),
        games_in_sample=pl.lit(TDZA_GAMES),
        data_quality_tier=pl.lit("high"),
        early_season_flag=pl.lit(None, pl.Boolean),
        calculation_notes=pl.concat_str(
            [
                pl.when(pl.col(f"opp_{z}_attempts") == 0).then(pl.lit(text))
                for z, text in (
                    ("paint", "No paint attempts"),
                    ("mid_range", "No mid-range attempts"),
                    ("three_pt", "No three-point attempts"),
                )
            ],
            separator="; ",
            ignore_nulls=True,
        ),
    )
    vs = [pl.col(f"{z}_defense_vs_league_avg") for z in ZONES]
    lo, hi = pl.min_horizontal(vs), pl.max_horizontal(vs)

    def pick(best):
        expr = pl.when(vs[0] == best).then(pl.lit(ZONE_LABEL[ZONES[0]]))
        for z, v in zip(ZONES[1:], vs[1:]):
            expr = expr.when(v == best).then(pl.lit(ZONE_LABEL[z]))
        return expr

    out = out.with_columns(
        strongest_zone=pick(lo),
        weakest_zone=pick(hi),
        calculation_notes=pl.when(pl.col("calculation_notes") != "").then("calculation_notes"),
    )
    tracking = (
        _pl_source_tracking(rows, cal, [team], stamped_only=False)
        .drop("season")
        .join(src, on="analysis_date", how="left")
        .select(
            "analysis_date",
            source_team_defense_last_updated="last_updated",
            source_team_defense_hash="source_hash",
            source_team_defense_rows_found=pl.col("rows_found").fill_null(0).cast(pl.Int64),
            source_team_defense_completeness_pct=pl.when(pl.col("teams") > 0).then(
                (pl.col("rows_found") / (n * pl.col("teams")) * 100).clip(upper_bound=100.0)
            ),
        )
    )
    out = out.join(tracking, on="analysis_date", how="left").with_columns(
        _pl_py_round(pl.col(c), nd) for c, nd in TDZA_SCALE.items()
    )
    return _pl_finish(out, TDZA_COLUMNS, TDZA_KEY)


def zones_polars(inputs: dict[str, Any], start: str, end: str) -> dict[str, Any]:
    """Both tables from already-loaded Polars inputs (the compute-only part of the Polars reference)."""
    calendar = calendar_polars(inputs["schedule"], start, end)
    return {PSZA_TABLE: psza_polars(inputs["pgs"], calendar), TDZA_TABLE: tdza_polars(inputs["tdgs"], calendar)}
