"""nbaprops.query: read-only SQL over the warehouse under the legacy table names."""

from __future__ import annotations

import contextlib
import datetime as dt
import sqlite3

import numpy as np
import pandas as pd
import pytest

import nbaprops
from nbaprops.api import query as q

TOGS = "nba_analytics.team_offense_game_summary"


def test_select_with_positional_params_matches_read(demo):
    got = nbaprops.query(
        demo,
        f"SELECT game_date, team_abbr, points_scored FROM {TOGS} "
        "WHERE game_date BETWEEN ? AND ? ORDER BY game_date, game_id, team_abbr",
        ["2023-11-01", "2023-11-07"],
    )
    want = nbaprops.read(demo, TOGS, "2023-11-01", "2023-11-07", columns=["game_date", "team_abbr", "points_scored"])
    assert len(got) == len(want) > 0
    assert got["game_date"].dtype == "datetime64[ns]"  # catalogued DATE column names come back as dates
    assert got["game_date"].tolist() == want["game_date"].tolist()
    assert sorted(zip(got["team_abbr"], got["points_scored"])) == sorted(
        zip(want["team_abbr"], want["points_scored"].astype(int))
    )


def test_named_params_dates_and_legacy_backquoted_names(demo):
    sql = (
        "SELECT COUNT(*) AS n FROM `nba-props-platform.nba_analytics.player_game_summary` "
        "WHERE game_date = @day AND team_abbr = :team"
    )
    day = nbaprops.read(demo, TOGS, "2023-11-10", "2023-11-10")
    team = day["team_abbr"].iloc[0]
    n = nbaprops.query(demo, sql, {"day": dt.date(2023, 11, 10), "team": team})["n"].iloc[0]
    pgs = nbaprops.read(demo, "nba_analytics.player_game_summary", "2023-11-10", "2023-11-10")
    assert n == (pgs["team_abbr"] == team).sum() > 0
    ts = nbaprops.query(demo, sql, {"@day": pd.Timestamp("2023-11-10"), "team": np.str_(team)})["n"].iloc[0]
    assert ts == n


def test_joins_across_datasets(demo):
    got = nbaprops.query(
        demo,
        """
        SELECT p.system_id, COUNT(*) AS n, AVG(a.absolute_error) AS mae
        FROM nba_predictions.prediction_accuracy a
        JOIN nba_analytics.player_game_summary p0 ON p0.player_lookup = a.player_lookup AND p0.game_id = a.game_id
        JOIN nba_predictions.player_prop_predictions p
          ON p.player_lookup = a.player_lookup AND p.game_id = a.game_id AND p.system_id = a.system_id
        WHERE a.game_date = ? GROUP BY p.system_id""",
        ("2023-12-01",),
    )
    assert set(got["system_id"]) >= {"ensemble_v1", "moving_average_baseline_v1"}
    assert (got["n"] > 0).all()


def test_datasets_are_the_catalogued_ones(demo):
    names = q.datasets(demo)
    assert {"nba_raw", "nba_analytics", "nba_precompute", "nba_predictions"} <= set(names)
    assert "warehouse" not in names


def test_legacy_sql_rewrites_backquoted_names_only():
    assert q.legacy_sql("SELECT * FROM `p-1.ds.t` JOIN `ds.u` ON 1") == "SELECT * FROM ds.t JOIN ds.u ON 1"
    assert q.legacy_sql("SELECT 'a.b' AS x") == "SELECT 'a.b' AS x"


@pytest.mark.parametrize(
    "sql",
    [
        f"DELETE FROM {TOGS}",
        f"UPDATE {TOGS} SET points_scored = 0",
        f"INSERT INTO {TOGS} (game_id) VALUES ('x')",
        f"DROP TABLE {TOGS}",
        "CREATE TABLE nba_raw.evil (x INTEGER)",
        "ATTACH DATABASE '/tmp/nbaprops-evil.sqlite' AS evil",
        "PRAGMA nba_raw.user_version = 7",
        f"WITH d AS (SELECT 1) DELETE FROM {TOGS}",
    ],
)
def test_writes_are_refused_and_nothing_changes(demo_copy, sql):
    before = nbaprops.read(demo_copy, TOGS)
    with pytest.raises(nbaprops.ConfigError, match="read-only") as info:
        nbaprops.query(demo_copy, sql)
    assert isinstance(info.value, ValueError)
    after = nbaprops.read(demo_copy, TOGS)
    assert len(after) == len(before) and after["points_scored"].equals(before["points_scored"])


PGS = "nba_analytics.player_game_summary"


@pytest.mark.parametrize(
    ("sql", "refused"),
    [
        (f"DELETE FROM {PGS}", f"refused delete {PGS} in"),
        (f"INSERT INTO {PGS} (player_lookup) VALUES ('x')", f"refused insert {PGS} in"),
        (f"UPDATE {PGS} SET points = 0", f"refused update {PGS} in"),
        ("ATTACH DATABASE '/tmp/nbaprops-evil.sqlite' AS evil", "refused attach /tmp/nbaprops-evil.sqlite in"),
        ("DETACH DATABASE nba_raw", "refused detach nba_raw in"),
        ("CREATE TABLE evil (x INTEGER)", "refused create table evil in"),
        ("CREATE TABLE nba_raw.evil (x INTEGER)", "refused create table nba_raw.evil in"),
        ("CREATE TEMP TABLE evil (x INTEGER)", "refused create temp table temp.evil in"),
        ("CREATE VIEW evil AS SELECT 1", "refused create view evil in"),
        (f"DROP TABLE {PGS}", f"refused drop table {PGS} in"),
        (f"ALTER TABLE {PGS} ADD COLUMN evil", f"refused alter table {PGS} in"),
        ("PRAGMA nba_raw.user_version = 7", "refused pragma nba_raw.user_version in"),
        ("BEGIN", "refused transaction BEGIN in"),
        ("SAVEPOINT evil", "refused savepoint BEGIN in"),
    ],
)
def test_a_refused_write_names_the_authorizer_action(demo, sql, refused):
    # The refusal names the statement's own action, not a result code that shares its number
    # (DELETE was "interrupt", INSERT "toobig", ATTACH "format", CREATE TABLE "toobig sqlite_master").
    with pytest.raises(nbaprops.ConfigError) as info:
        nbaprops.query(demo, sql)
    assert f"query is read-only: {refused}" in str(info.value)


def test_the_schema_table_stays_unwritable(demo):
    for sql in (
        "INSERT INTO nba_raw.sqlite_master VALUES ('table', 'x', 'x', 0, '')",
        "DELETE FROM nba_raw.sqlite_master",
        "UPDATE sqlite_master SET name = 'x'",
    ):
        with pytest.raises(nbaprops.ConfigError, match="read-only"):
            nbaprops.query(demo, sql)
    assert len(nbaprops.query(demo, "SELECT name FROM nba_raw.sqlite_master WHERE type = 'table'")) > 0


def test_connect_is_read_only_at_the_sqlite_level(demo):
    with contextlib.closing(q.connect(demo)) as con:
        assert con.execute("PRAGMA query_only").fetchone()[0] == 1
        assert con.execute(f"SELECT COUNT(*) FROM {TOGS}").fetchone()[0] > 0
        with pytest.raises(sqlite3.DatabaseError):
            con.execute(f"DELETE FROM {TOGS}")


def test_bad_sql_and_bad_params_are_config_errors(demo):
    with pytest.raises(nbaprops.ConfigError, match="no such table.*datasets: .*nba_analytics"):
        nbaprops.query(demo, "SELECT * FROM nba_analytics.nope")
    with pytest.raises(nbaprops.ConfigError, match="syntax error"):
        nbaprops.query(demo, "SELEKT 1")
    with pytest.raises(nbaprops.ConfigError, match="bindings"):
        nbaprops.query(demo, f"SELECT * FROM {TOGS} WHERE game_date = ?", [])
    with pytest.raises(nbaprops.ConfigError, match="sequence or a mapping"):
        nbaprops.query(demo, f"SELECT * FROM {TOGS} WHERE game_date = ?", "2023-11-01")
    with pytest.raises(nbaprops.ConfigError, match="one SQL statement"):
        nbaprops.query(demo, "  ")
    with pytest.raises(nbaprops.ConfigError, match="one statement"):
        nbaprops.query(demo, "SELECT 1; SELECT 2")


def test_query_on_an_empty_warehouse(warehouse):
    assert nbaprops.query(warehouse, "SELECT 1 AS one")["one"].tolist() == [1]
