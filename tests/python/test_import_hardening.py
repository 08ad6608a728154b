"""Bad input refused by every importer with a DataError naming file, row, field and date, and the
warehouse left byte-identical: gamebooks without their active players, one player's missing stat,
unusable schedule games, non-UTF-8 bytes (in files, in error messages, in the run ledger), integers
that would wrap, and JSON nested deep enough to overflow the stack."""

from __future__ import annotations

import copy
import gzip
import json

import pytest

from conftest import require_shared

GAMEBOOK = "nbac_gamebook_pdf/exp_0173bcd1.json"
GAMEBOOK_LAKE = "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20250805_151438.json"


def _table(wh, table):
    import nbaprops

    df = nbaprops.read(wh, table)
    return df.sort_values(list(df.columns[:4])).reset_index(drop=True)


def _write(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def gamebook(tmp_path):
    """A warehouse holding the gamebook sample's 41 rows, and the sample's JSON to break."""
    import nbaprops

    doc = json.loads(require_shared(f"legacy-samples/{GAMEBOOK}").read_text())
    wh = nbaprops.open(tmp_path / "wh")
    assert nbaprops.import_raw(wh, "gamebook", _write(tmp_path / "good" / GAMEBOOK_LAKE, doc)).rows == 41
    return wh, doc


def _refused_gamebook(tmp_path, wh, doc):
    import nbaprops

    before = _table(wh, "nba_raw.nbac_gamebook_player_stats")
    path = _write(tmp_path / "bad" / GAMEBOOK_LAKE, doc)
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(wh, "gamebook", path)
    after = _table(wh, "nba_raw.nbac_gamebook_player_stats")
    assert len(after) == 41 and after.equals(before)
    return str(e.value)


def _drop_active(doc):
    doc.pop("active_players")


def _rename_active(doc):
    doc["activePlayers"] = doc.pop("active_players")


def _empty_active(doc):
    doc["active_players"] = []
    doc.pop("active_count")


def _one_team_active(doc):
    doc["active_players"] = [p for p in doc["active_players"] if p["team"] == "Memphis Grizzlies"]
    doc.pop("active_count")


def _short_active(doc):
    doc["active_players"] = doc["active_players"][:3]


@pytest.mark.parametrize(
    "breaks, says",
    [
        (_drop_active, "missing field"),
        (_rename_active, "missing field"),
        (_empty_active, "empty list"),
        (_one_team_active, "no active player of CLE"),
        (_short_active, "active_count is 21"),
    ],
)
def test_gamebook_without_its_active_players_replaces_nothing(gamebook, tmp_path, breaks, says):
    wh, doc = gamebook
    bad = copy.deepcopy(doc)
    breaks(bad)
    msg = _refused_gamebook(tmp_path, wh, bad)
    assert "20250805_151438.json" in msg and "field active_players" in msg and "2024-04-10" in msg, msg
    assert says in msg, msg


def test_gamebook_played_player_without_points_is_refused(gamebook, tmp_path):
    wh, doc = gamebook
    bad = copy.deepcopy(doc)
    bad["active_players"][4]["stats"]["points"] = None  # Scotty Pippen Jr.: 7 FGM, 35:47
    msg = _refused_gamebook(tmp_path, wh, bad)
    assert "active_players[4] 'Scotty Pippen Jr.'" in msg and "field points" in msg and "2024-04-10" in msg, msg


@pytest.mark.parametrize(
    "value, says",
    [
        (18446744073709551612, "integer out of range"),  # would wrap to -4
        (9223372036854775808, "integer out of range"),
        (1e20, "integer out of range"),
        (18.5, "expected a whole number"),
    ],
)
def test_gamebook_huge_integers_are_refused_not_wrapped(gamebook, tmp_path, value, says):
    wh, doc = gamebook
    bad = copy.deepcopy(doc)
    bad["active_players"][4]["stats"]["plus_minus"] = value
    msg = _refused_gamebook(tmp_path, wh, bad)
    assert "field plus_minus" in msg and says in msg and "2024-04-10" in msg, msg


@pytest.fixture
def boxscores(tmp_path):
    """A warehouse holding the balldontlie sample day, and that day's JSON to break."""
    import nbaprops

    path = require_shared("boxscores/bdl_box_scores_2024_01_15.json.gz")
    wh = nbaprops.open(tmp_path / "wh")
    nbaprops.import_boxscores(wh, path)
    return wh, json.loads(gzip.open(path).read())


def _player(doc, minutes_played: bool):
    for g in doc["data"]:
        for p in g["home_team"]["players"]:
            if (p["min"] not in ("00", "0", "", None)) == minutes_played:
                return p
    raise AssertionError("no such player")


def _refused_boxscores(tmp_path, wh, doc, on_richer="refuse"):
    import nbaprops

    before = _table(wh, "nba_raw.bdl_player_boxscores")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_boxscores(wh, _write(tmp_path / "bad.json", doc), on_richer=on_richer)
    assert _table(wh, "nba_raw.bdl_player_boxscores").equals(before)
    return str(e.value)


@pytest.mark.parametrize("null", [False, True])
def test_boxscores_one_played_players_missing_points_is_refused(boxscores, tmp_path, null):
    wh, doc = boxscores
    p = _player(doc, minutes_played=True)
    if null:
        p["pts"] = None
    else:
        p.pop("pts")
    for on_richer in ("refuse", "replace"):
        msg = _refused_boxscores(tmp_path, wh, doc, on_richer)
        assert "bad.json" in msg and "field pts" in msg and "2024-01-15" in msg, msg


def test_boxscores_null_stat_of_a_dnp_player_does_not_erase_the_stored_one(boxscores, tmp_path):
    # A player who did not play may lack stats, but the refuse guard compares row by row: his stored
    # 0 points are not replaced by NULL just because other rows of the game carry points.
    wh, doc = boxscores
    _player(doc, minutes_played=False)["pts"] = None
    msg = _refused_boxscores(tmp_path, wh, doc)
    assert "points" in msg and "1 stored row of 1 game" in msg, msg


def test_boxscores_null_first_name_is_refused(boxscores, tmp_path):
    wh, doc = boxscores
    _player(doc, minutes_played=True)["player"]["first_name"] = None
    msg = _refused_boxscores(tmp_path, wh, doc)
    assert "player.first_name" in msg and "2024-01-15" in msg, msg


@pytest.mark.parametrize(
    "kind, rel, path_in_lake, players",
    [
        (
            "bdl-boxscores",
            "bdl_box_scores/exp_7a649e12.json.gz",
            "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json",
            lambda d: d["data"][10]["home_team"]["players"],
        ),
        (
            "bdl-stats",
            "bdl_player_box_scores/exp_1db4c01e.json",
            "ball-dont-lie/player-box-scores/2025-06-23/20250623_090000.json",
            lambda d: d["data"],
        ),
    ],
)
def test_raw_bdl_played_players_missing_points_is_refused(tmp_path, kind, rel, path_in_lake, players):
    import nbaprops

    raw = require_shared(f"legacy-samples/{rel}").read_bytes()
    doc = json.loads(gzip.decompress(raw) if rel.endswith(".gz") else raw)
    wh = nbaprops.open(tmp_path / "wh")
    nbaprops.import_raw(wh, kind, _write(tmp_path / "good" / path_in_lake, doc))
    before = _table(wh, "nba_raw.bdl_player_boxscores")
    p = next(p for p in players(doc) if p["min"] not in ("00", "0", "", None))
    p.pop("pts")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(wh, kind, _write(tmp_path / "bad" / path_in_lake, doc))
    assert "field pts" in str(e.value) and "missing for a player who played" in str(e.value), str(e.value)
    assert _table(wh, "nba_raw.bdl_player_boxscores").equals(before)


def _schedule_game(game_id, code, away, home, date="01/15/2025 00:00:00"):
    return {
        "gameId": game_id,
        "gameCode": code,
        "gameDate": date,
        "gameStatus": 3,
        "gameStatusText": "Final",
        "weekNumber": 13,
        "gameLabel": "",
        "homeTeam": {"teamTricode": home, "score": 100},
        "awayTeam": {"teamTricode": away, "score": 90},
    }


def _schedule(*games):
    return {"leagueSchedule": {"games": list(games)}}


GOOD = [
    _schedule_game("0022400561", "20250115/NYKPHI", "NYK", "PHI"),
    _schedule_game("0022400562", "20250115/ATLCHI", "ATL", "CHI"),
]


@pytest.fixture
def schedule(tmp_path):
    import nbaprops

    wh = nbaprops.open(tmp_path / "wh")
    nbaprops.import_schedule(wh, _write(tmp_path / "good.json", _schedule(*GOOD)))
    return wh


@pytest.mark.parametrize(
    "game, field, says",
    [
        (_schedule_game("0022400563", "20250115/CHICHI", "CHI", "CHI"), "awayTeam.teamTricode", "same team"),
        (_schedule_game("abc", "20250115/BOSMIA", "BOS", "MIA"), "gameId", "10-digit"),
        (_schedule_game("22400563", "20250115/BOSMIA", "BOS", "MIA"), "gameId", "10-digit"),
    ],
)
def test_schedule_same_team_or_bad_game_id_is_refused(schedule, tmp_path, game, field, says):
    import nbaprops

    before = _table(schedule, "nba_raw.nbac_schedule")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_schedule(schedule, _write(tmp_path / "bad.json", _schedule(*GOOD, game)))
    msg = str(e.value)
    assert "bad.json game #2" in msg and f"field {field}" in msg and "2025-01-15" in msg and says in msg, msg
    assert _table(schedule, "nba_raw.nbac_schedule").equals(before)


def test_schedule_games_without_code_or_team_are_named(schedule, tmp_path):
    import nbaprops

    games = copy.deepcopy(GOOD)
    del games[1]["homeTeam"]
    r = nbaprops.import_schedule(schedule, _write(tmp_path / "part.json", _schedule(*games)))
    assert any("game #1 (gameId 0022400562) field homeTeam.teamTricode" in w for w in r.warnings), r.warnings
    for g in games:
        g.pop("gameCode")
    before = _table(schedule, "nba_raw.nbac_schedule")
    with pytest.raises(nbaprops.DataError, match=r"no usable game .*game #0 \(gameId 0022400561\) field gameCode"):
        nbaprops.import_schedule(schedule, _write(tmp_path / "nocode.json", _schedule(*games)))
    assert _table(schedule, "nba_raw.nbac_schedule").equals(before)


def test_schedule_home_away_swap_keeps_one_row_per_game_id(schedule, tmp_path):
    import nbaprops

    swapped = _schedule_game("0022400562", "20250115/CHIATL", "CHI", "ATL")
    r = nbaprops.import_schedule(schedule, _write(tmp_path / "swap.json", _schedule(GOOD[0], swapped)))
    df = nbaprops.read(schedule, "nba_raw.nbac_schedule")
    assert sorted(df["game_id"]) == ["0022400561", "0022400562"]
    assert df.set_index("game_id").loc["0022400562", "game_code"] == "20250115/CHIATL"
    assert any("0022400562 was stored as 20250115/ATLCHI" in w for w in r.warnings), r.warnings
    # The same game moved to another date: still one row.
    moved = _schedule_game("0022400562", "20250120/CHIATL", "CHI", "ATL", date="01/20/2025 00:00:00")
    nbaprops.import_schedule(schedule, _write(tmp_path / "moved.json", _schedule(moved)))
    df = nbaprops.read(schedule, "nba_raw.nbac_schedule").set_index("game_id")
    assert len(df) == 2 and df.loc["0022400562", "game_code"] == "20250120/CHIATL"


def test_error_messages_with_invalid_utf8_reach_python_escaped():
    import nbaprops
    from nbaprops import _core

    with pytest.raises(nbaprops.DataError) as e:
        _core._raise_error("data", b"f.csv line 3 field PLAYER_NAME value 'Jos\xe9' (date 2023-11-04)")
    assert "Jos\\xe9" in str(e.value)


def test_latin1_shot_csv_is_a_data_error_naming_line_field_and_date(tmp_path):
    import nbaprops

    text = gzip.open(require_shared("shots/nba_shots_2023_24.csv.gz")).read()
    lines = text.split(b"\n")[:60]
    lines[1] = lines[1].replace(b"Jordan Poole", b"J\xf6rdan Poole")
    assert b"\xf6" in lines[1]
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"\n".join(lines) + b"\n")
    wh = nbaprops.open(tmp_path / "wh")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_shots(wh, path)
    msg = str(e.value)
    assert "latin1.csv line 2 field PLAYER_NAME" in msg and "J\\xf6rdan Poole" in msg and "2023-11-03" in msg, msg
    assert not (tmp_path / "wh").exists() or all(
        len(nbaprops.read(wh, t)) == 0 for t in ("nba_raw.player_shot_zones", "nba_raw.nbac_schedule")
    )


def test_failed_lake_import_with_latin1_bytes_leaves_a_readable_ledger(tmp_path):
    import nbaprops

    lake = tmp_path / "lake" / "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json"
    lake.parent.mkdir(parents=True)
    lake.write_bytes(b'{"boxScores": [{"date": "2024-01-15", "status": "caf\xe9"}]}')
    wh = nbaprops.open(tmp_path / "wh")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(wh, "bdl-boxscores", tmp_path / "lake", start="2024-01-15", end="2024-01-15")
    assert "20240116_090000.json" in str(e.value) and "\\xe9" in str(e.value)
    reasons = nbaprops.query(wh, "select status, reason from nba_orchestration.run_ledger")
    assert list(reasons["status"]) == ["failed"]
    assert "\\xe9" in reasons["reason"][0]


@pytest.mark.parametrize("where", ["top", "active_players"])
def test_deeply_nested_json_is_a_data_error_not_a_crash(tmp_path, where):
    import nbaprops

    deep = "[" * 100000 + "]" * 100000
    wh = nbaprops.open(tmp_path / "wh")
    if where == "top":
        path = tmp_path / "deep.json"
        path.write_text(deep)
        with pytest.raises(nbaprops.DataError, match="nested deeper than"):
            nbaprops.import_boxscores(wh, path)
        with pytest.raises(nbaprops.DataError, match="nested deeper than"):
            nbaprops.import_schedule(wh, path)
    else:
        doc = json.loads(require_shared(f"legacy-samples/{GAMEBOOK}").read_text())
        text = json.dumps(doc).replace('"active_players": [', '"active_players": [' + deep + ",", 1)
        path = tmp_path / "gb" / GAMEBOOK_LAKE
        path.parent.mkdir(parents=True)
        path.write_text(text)
        with pytest.raises(nbaprops.DataError, match="nested deeper than"):
            nbaprops.import_raw(wh, "gamebook", path)


def test_huge_non_list_value_is_previewed_briefly(gamebook, tmp_path):
    wh, doc = gamebook
    bad = copy.deepcopy(doc)
    bad["active_players"] = {f"k{i}": "x" * 100 for i in range(20000)}
    msg = _refused_gamebook(tmp_path, wh, bad)
    assert "expected a list" in msg and len(msg) < 400, msg


# ----------------------------------------------------------------------------------
# Audit of 2026-12 (second round): inputs that were accepted silently.

TEAM_BOX = "nbac_team_boxscore/exp_12f99055.json"
TEAM_BOX_LAKE = "nba-com/team-boxscore/20250115/0022400561/20250116_031500.json"


def _team_stats_min(doc, value):
    ts = next(rs for rs in doc["resultSets"] if rs["name"] == "TeamStats")
    ts["rowSet"][1][ts["headers"].index("MIN")] = value


@pytest.mark.parametrize(
    "value, says",
    [
        ("lots", "field MIN = 'lots' (date 2025-01-15): expected MM:SS"),
        ("2650:00", "outside the plausible range [0, 490] minutes"),
    ],
)
def test_team_boxscore_minutes_are_checked_like_the_gamebooks(schedule, tmp_path, value, says):
    import nbaprops

    doc = json.loads(require_shared(f"legacy-samples/{TEAM_BOX}").read_text())
    assert nbaprops.import_raw(schedule, "team-boxscore", _write(tmp_path / "good" / TEAM_BOX_LAKE, doc)).rows == 2
    before = _table(schedule, "nba_raw.nbac_team_boxscore")
    _team_stats_min(doc, value)
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(schedule, "team-boxscore", _write(tmp_path / "bad" / TEAM_BOX_LAKE, doc))
    assert TEAM_BOX_LAKE in str(e.value) and "record TeamStats.rowSet[1] NYK" in str(e.value), str(e.value)
    assert says in str(e.value), str(e.value)
    assert _table(schedule, "nba_raw.nbac_team_boxscore").equals(before)


@pytest.mark.parametrize(
    "code, says",
    [
        ("garbage", "expected YYYYMMDD/AWAYHOME"),
        ("20240411/MEMCLE", "the file's date and teams"),
        ("20240410/BOSLAL", "the file's date and teams (date, away_team, home_team) say 20240410/MEMCLE"),
    ],
)
def test_gamebook_game_code_must_be_the_files_date_and_teams(gamebook, tmp_path, code, says):
    wh, doc = gamebook
    bad = copy.deepcopy(doc)
    bad["game_code"] = code
    msg = _refused_gamebook(tmp_path, wh, bad)
    assert f"record (file), field game_code = '{code}' (date 2024-04-10): {says}" in msg, msg


LINES = "oddsa_game_lines_his/exp_b722994c.json"
LINES_LAKE = (
    "odds-api/game-lines-history/2024-01-24/cd0bc7d0c238f4446ce1c03d0cea7ec4-ATLGSW/20240125_035540-snap-0355.json"
)


def _other_team(markets):
    markets[0]["outcomes"][0]["name"] = "Boston Celtics"


def _no_point(markets):
    markets[0]["outcomes"][1].pop("point")


def _totals_no_point(markets):
    markets[1]["outcomes"][0]["point"] = None


@pytest.mark.parametrize(
    "breaks, says",
    [
        (
            _other_team,
            "spreads outcomes[0] 'Boston Celtics', field name = 'Boston Celtics' (date 2024-01-24): "
            "not a team of this game",
        ),
        (_no_point, "spreads outcomes[1] 'Golden State Warriors', field point (date 2024-01-24): missing field"),
        (_totals_no_point, "totals outcomes[0] 'Over', field point (date 2024-01-24): missing field"),
    ],
)
def test_game_lines_outcome_of_another_team_or_without_point_is_refused(tmp_path, breaks, says):
    import nbaprops

    doc = json.loads(require_shared(f"legacy-samples/{LINES}").read_text())
    wh = nbaprops.open(tmp_path / "wh")
    assert nbaprops.import_raw(wh, "game-lines", _write(tmp_path / "good" / LINES_LAKE, doc)).rows == 8
    before = _table(wh, "nba_raw.odds_api_game_lines")
    bad = copy.deepcopy(doc)
    breaks(bad["data"]["bookmakers"][1]["markets"])
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(wh, "game-lines", _write(tmp_path / "bad" / LINES_LAKE, bad))
    assert "bookmakers[1] fanduel markets[" in str(e.value) and says in str(e.value), str(e.value)
    assert _table(wh, "nba_raw.odds_api_game_lines").equals(before)


PROPS_LAKE = (
    "odds-api/player-props-history/2024-01-24/cd0bc7d0c238f4446ce1c03d0cea7ec4-ATLGSW/20240125_035540-snap-0355.json"
)


def test_props_outcome_without_its_player_is_refused_not_dropped(tmp_path):
    import nbaprops

    doc = json.loads(require_shared("legacy-samples/oddsa_player_props_his/exp_815b3ee3.json").read_text())
    outcomes = [
        {"name": side, "description": "Stephen Curry", "price": price, "point": 27.5}
        for side, price in (("Over", 1.87), ("Under", 1.91))
    ]
    for b in doc["data"]["bookmakers"]:
        b["markets"] = [{"key": "player_points", "last_update": b["last_update"], "outcomes": copy.deepcopy(outcomes)}]
    wh = nbaprops.open(tmp_path / "wh")
    assert nbaprops.import_raw(wh, "props", _write(tmp_path / "good" / PROPS_LAKE, doc)).rows == 2
    before = _table(wh, "nba_raw.odds_api_player_points_props")
    doc["data"]["bookmakers"][0]["markets"][0]["outcomes"][0].pop("description")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(wh, "props", _write(tmp_path / "bad" / PROPS_LAKE, doc))
    msg = str(e.value)
    assert "player_points.outcomes[0], field description = " in msg and "(date 2024-01-24): missing field" in msg, msg
    assert _table(wh, "nba_raw.odds_api_player_points_props").equals(before)


@pytest.mark.parametrize(
    "fields", [["gameDateEst"], ["gameDateEst", "gameDateTimeEst", "gameDateUTC", "gameDateTimeUTC"]]
)
def test_schedule_game_with_an_impossible_own_date_is_refused(schedule, tmp_path, fields):
    import nbaprops

    bad = copy.deepcopy(GOOD)
    for f in fields:
        bad[1][f] = "2025-02-30T00:00:00Z"
    before = _table(schedule, "nba_raw.nbac_schedule")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_schedule(schedule, _write(tmp_path / "bad.json", _schedule(*bad)))
    msg = str(e.value)
    assert (
        "bad.json game #1 (20250115/ATLCHI) field gameDateEst value '2025-02-30T00:00:00Z' (date 2025-01-15): "
        "not a calendar date"
    ) in msg, msg
    assert _table(schedule, "nba_raw.nbac_schedule").equals(before)


def test_json_parse_errors_give_the_position_in_plain_words(gamebook, tmp_path):
    wh, doc = gamebook
    path = tmp_path / "bad" / GAMEBOOK_LAKE
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(doc)[:500])
    import nbaprops

    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(wh, "gamebook", path)
    msg = str(e.value)
    assert "malformed or truncated JSON (byte 501 of 500) at line 1, column 501: " in msg, msg
    assert "json.exception" not in msg and "syntax error while parsing" not in msg, msg


def test_shots_import_names_directories_json_and_duplicate_columns(tmp_path):
    import nbaprops

    wh = nbaprops.open(tmp_path / "wh")
    with pytest.raises(nbaprops.StorageError, match="it is a directory, not a file"):
        nbaprops.import_shots(wh, tmp_path)
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_shots(wh, require_shared("schedule/nbac_schedule_2024_25.json.gz"))
    assert "nbac_schedule_2024_25.json.gz: not a shot-chart CSV: it starts with '{'" in str(e.value), str(e.value)
    assert "quote inside" not in str(e.value)
    lines = gzip.open(require_shared("shots/nba_shots_2023_24.csv.gz"), "rt").read().splitlines()[:3]
    dup = tmp_path / "dup.csv"
    dup.write_text("\n".join([lines[0] + ",GAME_ID"] + [line + ",1" for line in lines[1:]]) + "\n")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_shots(wh, dup)
    assert "dup.csv line 1 (header): column GAME_ID appears twice" in str(e.value), str(e.value)
    assert all(len(nbaprops.read(wh, t)) == 0 for t in ("nba_raw.player_shot_zones", "nba_raw.nbac_schedule"))
