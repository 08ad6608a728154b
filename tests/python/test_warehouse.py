from __future__ import annotations

import pandas as pd

import nbaprops


def test_empty_table_reads_with_schema_columns(warehouse):
    df = nbaprops.read(warehouse, "nba_analytics.team_offense_game_summary")
    assert df.empty
    assert list(df.columns)[:4] == ["game_id", "nba_game_id", "game_date", "team_abbr"]


def test_catalog_has_every_legacy_table():
    cat = nbaprops.catalog()
    tables = set(cat["table"])
    assert "nba_precompute.player_shot_zone_analysis" in tables
    assert "nba_predictions.ml_feature_store_v2" in tables
    psza = cat[cat["table"] == "nba_precompute.player_shot_zone_analysis"]
    assert psza[psza["partition"]]["column"].tolist() == ["analysis_date"]
    togs = cat[cat["table"] == "nba_analytics.team_offense_game_summary"].set_index("column")
    assert togs.loc["offensive_rating", "type"] == "NUMERIC(6,2)"
    assert bool(togs.loc["game_id", "required"]) is True


def test_processors_are_listed_in_dependency_order():
    procs = nbaprops.processors()
    names = [p["name"] for p in procs]
    assert "team_offense_game_summary" in names
    togs = procs[names.index("team_offense_game_summary")]
    assert togs["code"] == "togs"
    assert togs["output_table"] == "nba_analytics.team_offense_game_summary"
    # Every processor comes after the processors whose tables it reads.
    produced = {}
    for i, p in enumerate(procs):
        for table, *_ in p["reads"]:
            if table in produced:
                assert produced[table] < i
        produced[p["output_table"]] = i


def test_partition_counts_is_a_series(warehouse):
    s = warehouse.partition_counts("nba_raw.nbac_schedule")
    assert isinstance(s, pd.Series)
    assert s.empty
