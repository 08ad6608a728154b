"""A rerun overwrites the stored partitions in place (SQLite): where upstream data changed so that a date has
fewer or more rows than stored, the leftover stored rows are deleted and the extra new rows appended. The
tables must end exactly as a run that wrote the same dates into empty partitions (the plain insert)."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pandas as pd

import nbaprops

from conftest import content_rows

RANGE = ("2024-01-08", "2024-01-20")
FEWER, MORE = "2024-01-10", "2024-01-15"  # a player's box score removed / a new player's added


def _gamebook(wh) -> sqlite3.Connection:
    return sqlite3.connect(Path(wh.uri) / "nba_raw.sqlite")


def _change_raw(wh) -> None:
    con = _gamebook(wh)
    try:
        pick = (
            "SELECT player_lookup FROM nbac_gamebook_player_stats WHERE game_date = ? AND points > 10 "
            "ORDER BY player_lookup LIMIT 1"
        )
        gone = con.execute(pick, (FEWER,)).fetchone()[0]
        con.execute("DELETE FROM nbac_gamebook_player_stats WHERE game_date = ? AND player_lookup = ?", (FEWER, gone))
        model = con.execute(pick, (MORE,)).fetchone()[0]
        cols = [r[1] for r in con.execute("PRAGMA table_info(nbac_gamebook_player_stats)")]
        renamed = {
            "player_lookup": "'zzzrookie'",
            "player_name": "'Zzz Rookie'",
            "player_name_original": "'Zzz Rookie'",
        }
        select = ", ".join(renamed.get(c, f'"{c}"') for c in cols)
        con.execute(
            f"INSERT INTO nbac_gamebook_player_stats SELECT {select} FROM nbac_gamebook_player_stats "
            "WHERE game_date = ? AND player_lookup = ?",
            (MORE, model),
        )
        con.commit()
    finally:
        con.close()


def _outputs() -> dict[str, str]:
    cat = nbaprops.catalog()
    tables = {p["output_table"] for p in nbaprops.processors()}
    part = cat[cat["partition"] & cat["table"].isin(tables)]
    return dict(zip(part["table"], part["column"]))


def _clear(wh, outputs: dict[str, str]) -> None:
    """Deletes the range's partitions of every output table: the next run inserts into empty partitions."""
    for table, col in outputs.items():
        dataset, name = table.split(".")
        con = sqlite3.connect(Path(wh.uri) / f"{dataset}.sqlite")
        try:
            con.execute(f'DELETE FROM "{name}" WHERE "{col}" BETWEEN ? AND ?', RANGE)
            con.commit()
        finally:
            con.close()


def _counts(wh, table, col):
    df = nbaprops.read(wh, table, *RANGE)
    return df.groupby(df[col].dt.strftime("%Y-%m-%d")).size()


def test_a_rerun_over_changed_counts_equals_a_write_into_empty_partitions(demo_copy, tmp_path):
    outputs = _outputs()
    before = {t: _counts(demo_copy, t, c) for t, c in outputs.items()}
    _change_raw(demo_copy)
    shutil.copytree(demo_copy.uri, tmp_path / "empty")
    empty = nbaprops.open(tmp_path / "empty")
    _clear(empty, outputs)

    over = nbaprops.backfill(demo_copy, *RANGE, resume=False, progress="none", checkpoint_dir=tmp_path / "ck1")
    assert over.exit_code == 0, over.summary_text
    fresh = nbaprops.backfill(empty, *RANGE, resume=False, progress="none", checkpoint_dir=tmp_path / "ck2")
    assert fresh.exit_code == 0, fresh.summary_text

    # The change reached the partitions both ways: fewer rows on one date, more on another.
    pgs = "nba_analytics.player_game_summary"
    delta = _counts(demo_copy, pgs, "game_date").sub(before[pgs], fill_value=0)
    assert delta[FEWER] == -1 and delta[MORE] == 1, delta[delta != 0]
    grew = shrank = 0
    for table, col in outputs.items():
        d = _counts(demo_copy, table, col).sub(before[table], fill_value=0)
        grew, shrank = grew + int((d > 0).sum()), shrank + int((d < 0).sum())
        pd.testing.assert_frame_equal(
            content_rows(demo_copy, table, *RANGE), content_rows(empty, table, *RANGE), obj=table
        )
    assert grew >= 4 and shrank >= 4, (grew, shrank)

    # Stored in key order within each date (reads only check it), overwritten or appended.
    con = sqlite3.connect(Path(demo_copy.uri) / "nba_analytics.sqlite")
    try:
        for day in (FEWER, MORE):
            by_rowid = con.execute(
                "SELECT player_lookup, game_id FROM player_game_summary WHERE game_date = ? ORDER BY rowid", (day,)
            ).fetchall()
            assert by_rowid == sorted(by_rowid), day
            assert ("zzzrookie" in {p for p, _ in by_rowid}) == (day == MORE)
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        con.close()
