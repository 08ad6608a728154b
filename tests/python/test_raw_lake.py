"""A small legacy data lake built from the legacy's own samples (two dates), imported with the
drop-in raw backfill scripts, then Phase 3 run on it: the points / minutes / plus-minus columns fill
where the raw data has them."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys

import pytest

from conftest import require_shared

GAMEBOOK_DATE = "2024-04-10"  # MEM @ CLE, NBA.com game 0022301158 (gamebook sample)
BOX_DATE = "2025-01-15"  # NYK @ PHI, NBA.com game 0022400561 (team box score sample)


def _schedule_2023_24_stub(gamebook: dict) -> dict:
    """An NBA.com schedule response with the one game of the gamebook sample (the shared data has
    the 2024-25 schedule only); the final score is the sum of the gamebook's points."""
    pts = {"MEM": 0, "CLE": 0}
    names = {"Memphis Grizzlies": "MEM", "Cleveland Cavaliers": "CLE"}
    for p in gamebook["active_players"]:
        pts[names[p["team"]]] += p["stats"]["points"]
    return {
        "leagueSchedule": {
            "gameDates": [
                {
                    "gameDate": "04/10/2024 00:00:00",
                    "games": [
                        {
                            "gameId": "0022301158",
                            "gameCode": "20240410/MEMCLE",
                            "gameStatus": 3,
                            "gameStatusText": "Final",
                            "weekNumber": 25,
                            "gameLabel": "",
                            "homeTeam": {
                                "teamId": 1610612739,
                                "teamTricode": "CLE",
                                "teamName": "Cavaliers",
                                "score": pts["CLE"],
                            },
                            "awayTeam": {
                                "teamId": 1610612763,
                                "teamTricode": "MEM",
                                "teamName": "Grizzlies",
                                "score": pts["MEM"],
                            },
                        }
                    ],
                }
            ]
        }
    }


def _props_snapshot(wrapper: dict) -> dict:
    """The props sample's historical wrapper, re-pointed at the gamebook game with a player_points
    market (the layout the legacy processor reads)."""
    w = json.loads(json.dumps(wrapper))
    w["timestamp"] = "2024-04-10T22:00:00Z"
    ev = w["data"]
    ev.update(
        id="0f00e1",
        commence_time="2024-04-10T23:40:00Z",
        home_team="Cleveland Cavaliers",
        away_team="Memphis Grizzlies",
    )
    for b in ev["bookmakers"]:
        b["markets"] = [
            {
                "key": "player_points",
                "last_update": b["last_update"],
                "outcomes": [
                    {"name": "Over", "description": "GG Jackson", "price": 1.87, "point": 19.5},
                    {"name": "Under", "description": "GG Jackson", "price": 1.91, "point": 19.5},
                    {"name": "Over", "description": "Scotty Pippen Jr.", "price": 1.9, "point": 15.5},
                    {"name": "Under", "description": "Scotty Pippen Jr.", "price": 1.9, "point": 15.5},
                ],
            }
        ]
    return w


@pytest.fixture(scope="module")
def lake(tmp_path_factory):
    samples = require_shared("legacy-samples")
    root = tmp_path_factory.mktemp("lake")
    gamebook = json.loads((samples / "nbac_gamebook_pdf/exp_0173bcd1.json").read_text())
    files = {
        f"nba-com/gamebooks-data/{GAMEBOOK_DATE}/20240410-MEMCLE/20250805_151438.json": json.dumps(gamebook),
        f"nba-com/team-boxscore/{BOX_DATE.replace('-', '')}/0022400561/20250116_031500.json": (
            samples / "nbac_team_boxscore/exp_12f99055.json"
        ).read_text(),
        f"odds-api/player-props-history/{GAMEBOOK_DATE}/0f00e1-MEMCLE/20240410_220000-snap-2200.json": json.dumps(
            _props_snapshot(json.loads((samples / "oddsa_player_props_his/exp_815b3ee3.json").read_text()))
        ),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    # A gzipped copy of the gamebook under an older timestamp: the newest file per game wins.
    older = root / f"nba-com/gamebooks-data/{GAMEBOOK_DATE}/20240410-MEMCLE/20240411_040000.json.gz"
    older.write_bytes(gzip.compress(json.dumps(gamebook).replace('"plus_minus": -13', '"plus_minus": -99').encode()))
    stub = tmp_path_factory.mktemp("sched") / "schedule_2023_24_stub.json"
    stub.write_text(json.dumps(_schedule_2023_24_stub(gamebook)))
    return root, stub


@pytest.fixture(scope="module")
def imported(lake, tmp_path_factory):
    import nbaprops
    from nbaprops.jobs.raw import nbac_team_boxscore, odds_api_props

    root, stub = lake
    wh_dir = tmp_path_factory.mktemp("wh") / "wh"
    wh = nbaprops.open(wh_dir)
    nbaprops.import_schedule(wh, require_shared("schedule/nbac_schedule_2024_25.json.gz"))
    nbaprops.import_schedule(wh, stub)
    common = ["--warehouse", str(wh_dir), "--source", str(root)]
    # One script as a real `python -m` process, the others in-process.
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "nbaprops.jobs.raw.nbac_gamebook",
            "--start-date",
            GAMEBOOK_DATE,
            "--end-date",
            "2024-04-11",
            *common,
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "RAW BACKFILL SUMMARY - gamebook" in proc.stdout
    assert "Total rows loaded: 41" in proc.stdout
    assert nbac_team_boxscore.main(["--dates", BOX_DATE, *common]) == 0
    assert odds_api_props.main(["--date-range", f"{GAMEBOOK_DATE}:{GAMEBOOK_DATE}", *common]) == 0
    wh = nbaprops.open(wh_dir)
    result = nbaprops.backfill(
        wh,
        dates=[GAMEBOOK_DATE, BOX_DATE],
        processors="phase3",
        skip_preflight=True,
        progress="none",
        checkpoint_dir=tmp_path_factory.mktemp("ckpt"),
    )
    return wh, result


def test_raw_tables_from_the_lake(imported):
    import nbaprops

    wh, _ = imported
    gb = nbaprops.read(wh, "nba_raw.nbac_gamebook_player_stats", GAMEBOOK_DATE, GAMEBOOK_DATE)
    assert len(gb) == 41
    assert set(gb["game_id"]) == {"20240410_MEM_CLE"}
    gg = gb[gb["player_lookup"] == "ggjackson"].iloc[0]
    assert gg["plus_minus"] == -13  # the newest file, not the older .gz re-scrape
    box = nbaprops.read(wh, "nba_raw.nbac_team_boxscore", BOX_DATE, BOX_DATE).set_index("team_abbr")
    assert bool(box.loc["PHI", "is_home"]) and not bool(box.loc["NYK", "is_home"])
    props = nbaprops.read(wh, "nba_raw.odds_api_player_points_props", GAMEBOOK_DATE, GAMEBOOK_DATE)
    assert len(props) == 4 and set(props["game_id"]) == {"20240410_MEM_CLE"}


def test_phase3_fills_points_minutes_and_plus_minus(imported):
    import nbaprops

    wh, result = imported
    failed = result.units[result.units["status"] == "failed"]
    assert failed.empty, failed[["processor", "date", "reason"]].to_string()
    pgs = nbaprops.read(wh, "nba_analytics.player_game_summary", GAMEBOOK_DATE, GAMEBOOK_DATE)
    assert len(pgs) == 21  # the active players
    gg = pgs[pgs["player_lookup"] == "ggjackson"].iloc[0]
    assert gg["points"] == 22 and gg["minutes_played"] == 36 and gg["plus_minus"] == -13
    assert gg["points_line"] == 19.5 and gg["over_under_result"] == "OVER"
    assert pgs["points"].notna().all() and pgs["plus_minus"].notna().all()
    assert pgs["minutes_played"].notna().all()
    togs = nbaprops.read(wh, "nba_analytics.team_offense_game_summary", BOX_DATE, BOX_DATE)
    nyk_phi = togs[togs["game_id"] == "20250115_NYK_PHI"].set_index("team_abbr")
    assert nyk_phi.loc["PHI", "points_scored"] == 119 and nyk_phi.loc["NYK", "points_scored"] == 125
    togs_gb = nbaprops.read(wh, "nba_analytics.team_offense_game_summary", GAMEBOOK_DATE, GAMEBOOK_DATE)
    assert set(togs_gb["team_abbr"]) == {"MEM", "CLE"} and togs_gb["points_scored"].notna().all()


def test_raw_backfills_appear_in_ledger_and_coverage(imported):
    import nbaprops

    wh, _ = imported
    ledger = nbaprops.read(wh, "nba_orchestration.run_ledger", GAMEBOOK_DATE, BOX_DATE)
    raw = ledger[ledger["processor"].str.startswith("raw.")]
    got = {(r.processor, r.unit_date.date().isoformat(), r.status) for r in raw.itertuples()}
    assert ("raw.gamebook", GAMEBOOK_DATE, "success") in got
    assert ("raw.gamebook", "2024-04-11", "empty") in got  # a date without files
    assert ("raw.team-boxscore", BOX_DATE, "success") in got
    cov = nbaprops.coverage(wh, GAMEBOOK_DATE, GAMEBOOK_DATE, tables=["nba_raw.nbac_gamebook_player_stats"])
    assert cov.gaps().empty
