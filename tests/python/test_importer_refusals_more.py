"""More inputs the raw importers used to accept silently, now refused with a DataError naming the
file, record, field and date, the warehouse left as it was: Odds API player lines given as text (a
one-sided line, or an Under at another line than the Over, is stored as the legacy stores it, with a
warning); team box scores with another team's id, a column the importer does not know or a row of
another game, or whose game the schedule lacks without a consistent isHome; gamebook, props,
injury-report and balldontlie players whose name is a number."""

from __future__ import annotations

import copy
import gzip
import json

import pytest

from conftest import require_shared

PROPS_LAKE = (
    "odds-api/player-props-history/2024-01-24/cd0bc7d0c238f4446ce1c03d0cea7ec4-ATLGSW/20240125_035540-snap-0355.json"
)


def _table(wh, table):
    import nbaprops

    df = nbaprops.read(wh, table)
    return df.sort_values(list(df.columns[:4])).reset_index(drop=True)


def _write(path, doc):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))
    return path


def _refused(wh, kind, table, path):
    """The DataError text of importing @path, checking that the stored rows did not change."""
    import nbaprops

    before = _table(wh, table)
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_raw(wh, kind, path)
    assert _table(wh, table).equals(before)
    return str(e.value)


@pytest.fixture
def props(tmp_path):
    """A warehouse holding one snapshot of two books' player_points lines (Over and Under of
    Stephen Curry and Klay Thompson), and that snapshot's JSON to break."""
    import nbaprops

    doc = json.loads(require_shared("legacy-samples/oddsa_player_props_his/exp_815b3ee3.json").read_text())
    outcomes = [
        {"name": side, "description": player, "price": price, "point": point}
        for player, point in (("Stephen Curry", 27.5), ("Klay Thompson", 17.5))
        for side, price in (("Over", 1.87), ("Under", 1.91))
    ]
    for b in doc["data"]["bookmakers"]:
        b["markets"] = [{"key": "player_points", "last_update": b["last_update"], "outcomes": copy.deepcopy(outcomes)}]
    wh = nbaprops.open(tmp_path / "wh")
    assert nbaprops.import_raw(wh, "props", _write(tmp_path / "good" / PROPS_LAKE, doc)).rows == 4
    return wh, doc


def _drop_under(outcomes):
    del outcomes[3]


def _drop_over(outcomes):
    del outcomes[0]


def _text_point(outcomes):
    outcomes[0]["point"] = "27.5"


def _text_point_second_side(outcomes):
    outcomes[3]["point"] = "17.5"


@pytest.mark.parametrize(
    "breaks, says",
    [
        (
            _text_point,
            "player_points.outcomes[0] 'Stephen Curry', field point = '27.5' (date 2024-01-24): "
            "expected a JSON number, not text",
        ),
        (
            _text_point_second_side,
            "player_points.outcomes[3] 'Klay Thompson', field point = '17.5' (date 2024-01-24): "
            "expected a JSON number, not text",
        ),
    ],
)
def test_props_line_as_text_is_refused(props, tmp_path, breaks, says):
    wh, doc = props
    bad = copy.deepcopy(doc)
    breaks(bad["data"]["bookmakers"][1]["markets"][0]["outcomes"])
    msg = _refused(wh, "props", "nba_raw.odds_api_player_points_props", _write(tmp_path / "bad" / PROPS_LAKE, bad))
    assert PROPS_LAKE in msg and "record event cd0bc7d0c238f4446ce1c03d0cea7ec4 bookmakers[1] fanduel " in msg, msg
    assert says in msg, msg


@pytest.mark.parametrize(
    "breaks, kept, missing", [(_drop_under, "over_price", "under_price"), (_drop_over, "under_price", "over_price")]
)
def test_props_one_sided_line_is_stored_with_a_null_price(props, tmp_path, capfd, breaks, kept, missing):
    """The legacy stores a line the book offered on one side only, the other side's prices NULL; so do we,
    and the native warning (stderr) names the file and the player."""
    import nbaprops

    wh, doc = props
    one_sided = copy.deepcopy(doc)
    breaks(one_sided["data"]["bookmakers"][1]["markets"][0]["outcomes"])
    path = _write(tmp_path / "one-sided" / PROPS_LAKE, one_sided)
    capfd.readouterr()
    assert nbaprops.import_raw(wh, "props", path).rows == 4
    player = "Klay Thompson" if breaks is _drop_under else "Stephen Curry"
    side = "Under" if breaks is _drop_under else "Over"
    warned = [line for line in capfd.readouterr().err.splitlines() if f"no {side} outcome for this player" in line]
    assert len(warned) == 1 and PROPS_LAKE in warned[0] and player in warned[0], warned
    df = nbaprops.read(wh, "nba_raw.odds_api_player_points_props")
    row = df[
        (df["bookmaker"] == "fanduel")
        & (df["player_name"] == player)
        & (df["source_file_path"].str.contains("one-sided"))
    ]
    assert len(row) == 1 and row[kept].notna().all() and row[missing].isna().all(), row


def test_props_under_at_another_line_keeps_the_first_line_with_a_warning(props, tmp_path, capfd):
    """An Under whose line is not the Over's: the legacy keeps the first line seen and both prices; so do
    we, and the native warning (stderr) names the file, the bookmaker, the player and both lines."""
    import nbaprops

    wh, doc = props
    moved = copy.deepcopy(doc)
    moved["data"]["bookmakers"][1]["markets"][0]["outcomes"][3]["point"] = 18.5
    path = _write(tmp_path / "moved" / PROPS_LAKE, moved)
    capfd.readouterr()
    assert nbaprops.import_raw(wh, "props", path).rows == 4
    warned = [line for line in capfd.readouterr().err.splitlines() if "differs from the Over line" in line]
    assert len(warned) == 1, warned
    assert (
        f"{PROPS_LAKE}: record event cd0bc7d0c238f4446ce1c03d0cea7ec4 bookmakers[1] fanduel "
        "player_points.outcomes[3] 'Klay Thompson' (date 2024-01-24): the Under line (point 18.5) differs from "
        "the Over line (17.5, the player's first outcome); the row keeps points_line 17.5, as the legacy does"
    ) in warned[0], warned
    df = nbaprops.read(wh, "nba_raw.odds_api_player_points_props")
    row = df[
        (df["bookmaker"] == "fanduel")
        & (df["player_name"] == "Klay Thompson")
        & (df["source_file_path"].str.contains("moved"))
    ]
    assert len(row) == 1, row
    assert (row["points_line"] == 17.5).all() and (row["over_price"] == 1.87).all(), row
    assert (row["under_price"] == 1.91).all(), row


@pytest.mark.parametrize("name", ["123", 45])
def test_props_player_named_by_a_number_is_refused(props, tmp_path, name):
    """A `description` that is a number: the legacy stored the text as the player's name and lookup."""
    wh, doc = props
    bad = copy.deepcopy(doc)
    for outcome in bad["data"]["bookmakers"][1]["markets"][0]["outcomes"][2:]:
        outcome["description"] = name
    msg = _refused(wh, "props", "nba_raw.odds_api_player_points_props", _write(tmp_path / "bad" / PROPS_LAKE, bad))
    says = (
        f"{PROPS_LAKE}: record event cd0bc7d0c238f4446ce1c03d0cea7ec4 bookmakers[1] fanduel "
        f"player_points.outcomes[2] '{name}', field description = '{name}' (date 2024-01-24): "
        "a number, not a player name (no letters)"
    )
    assert says in msg, msg


INJURY = "nbac_injury_report/exp_f4391904.json"
INJURY_LAKE = "nba-com/injury-report-data/2024-01-04/12/20240104_121438.json"


@pytest.mark.parametrize("name", ["123", 45, "12, 34"])
def test_injury_report_player_named_by_a_number_is_refused(tmp_path, name):
    """A `player` that is a number: the legacy stored the text as the player's name and lookup."""
    import nbaprops

    doc = json.loads(require_shared(f"legacy-samples/{INJURY}").read_text())
    wh = nbaprops.open(tmp_path / "wh")
    assert nbaprops.import_raw(wh, "injury-report", _write(tmp_path / "good" / INJURY_LAKE, doc)).rows == 14
    bad = copy.deepcopy(doc)
    bad["records"][1]["player"] = name
    msg = _refused(wh, "injury-report", "nba_raw.nbac_injury_report", _write(tmp_path / "bad" / INJURY_LAKE, bad))
    says = f"record records[1] '{name}', field player = '{name}' (date 2024-01-04): a number, not a player name"
    assert f"{INJURY_LAKE}: {says}" in msg, msg


BDL = {
    "bdl-boxscores": (
        "bdl_box_scores/exp_7a649e12.json",
        "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json",
        lambda d: d["data"][0]["home_team"]["players"][0]["player"],
        "boxScores[0] HOU@PHI home_team.players[0]",
        "2024-01-15",
    ),
    "bdl-stats": (
        "bdl_player_box_scores/exp_1db4c01e.json",
        "ball-dont-lie/player-box-scores/2025-06-23/20250623_080000.json",
        lambda d: d["data"][0]["player"],
        "stats[0] IND@OKC",
        "2025-06-22",
    ),
}


@pytest.mark.parametrize("kind", sorted(BDL))
@pytest.mark.parametrize("first, last", [("123", 45), ("12", "34")])
def test_bdl_player_named_by_numbers_is_refused(tmp_path, kind, first, last):
    """A balldontlie player whose first and last names are numbers: the legacy BdlBoxscoresProcessor /
    BdlPlayerBoxScoresProcessor skipped only an empty name and stored "123 45" as the name, "12345" as
    the lookup."""
    import nbaprops

    rel, lake, player, record, date = BDL[kind]
    doc = json.loads(require_shared(f"legacy-samples/{rel}").read_text())
    wh = nbaprops.open(tmp_path / "wh")
    assert nbaprops.import_raw(wh, kind, _write(tmp_path / "good" / lake, doc)).rows > 0
    bad = copy.deepcopy(doc)
    player(bad).update(first_name=first, last_name=last)
    msg = _refused(wh, kind, "nba_raw.bdl_player_boxscores", _write(tmp_path / "bad" / lake, bad))
    name = f"{first} {last}"
    says = (
        f"{lake}: record {record} '{name}', field player.first_name + last_name = '{name}' (date {date}): "
        "a number, not a player name (no letters)"
    )
    assert says in msg, msg


def test_boxscores_player_named_by_numbers_is_refused(tmp_path):
    """nbaprops.import_boxscores (a balldontlie /boxscores file) applies the same rule."""
    import nbaprops

    path = require_shared("boxscores/bdl_box_scores_2024_01_15.json.gz")
    wh = nbaprops.open(tmp_path / "wh")
    nbaprops.import_boxscores(wh, path)
    doc = json.loads(gzip.open(path).read())
    doc["data"][0]["home_team"]["players"][0]["player"].update(first_name="123", last_name="45")
    before = _table(wh, "nba_raw.bdl_player_boxscores")
    with pytest.raises(nbaprops.DataError) as e:
        nbaprops.import_boxscores(wh, _write(tmp_path / "bad.json", doc))
    assert _table(wh, "nba_raw.bdl_player_boxscores").equals(before)
    says = (
        "bad.json game #0 (20240115_HOU_PHI) home_team.players[0] field player.first_name + last_name "
        "value '123 45' (date 2024-01-15): a number, not a player name (no letters)"
    )
    assert says in str(e.value), str(e.value)


TEAM_BOX = "nbac_team_boxscore/exp_12f99055.json"
TEAM_BOX_LAKE = "nba-com/team-boxscore/20250115/0022400561/20250116_031500.json"


@pytest.fixture
def team_box(tmp_path):
    """A warehouse holding the team box score sample (NYK @ PHI, its game in the schedule), and the
    sample's JSON to break."""
    import nbaprops

    game = {
        "gameId": "0022400561",
        "gameCode": "20250115/NYKPHI",
        "gameDate": "01/15/2025 00:00:00",
        "gameStatus": 3,
        "gameStatusText": "Final",
        "weekNumber": 13,
        "gameLabel": "",
        "homeTeam": {"teamTricode": "PHI", "score": 119},
        "awayTeam": {"teamTricode": "NYK", "score": 125},
    }
    wh = nbaprops.open(tmp_path / "wh")
    nbaprops.import_schedule(wh, _write(tmp_path / "schedule.json", {"leagueSchedule": {"games": [game]}}))
    doc = json.loads(require_shared(f"legacy-samples/{TEAM_BOX}").read_text())
    assert nbaprops.import_raw(wh, "team-boxscore", _write(tmp_path / "good" / TEAM_BOX_LAKE, doc)).rows == 2
    return wh, doc


def _other_teams_id(ts):
    ts["rowSet"][0][ts["headers"].index("TEAM_ID")] = 1610612752


def _made_up_id(ts):
    ts["rowSet"][1][ts["headers"].index("TEAM_ID")] = 12345


def _extra_column(ts):
    ts["headers"].append("FOO")
    for row in ts["rowSet"]:
        row.append(1)


def _renamed_column(ts):
    ts["headers"][ts["headers"].index("PLUS_MINUS")] = "PLUSMINUS"


def _other_game_row(ts):
    ts["rowSet"][1][ts["headers"].index("GAME_ID")] = "0022400562"


@pytest.mark.parametrize(
    "breaks, says",
    [
        (
            _other_teams_id,
            "record TeamStats.rowSet[0] PHI, field TEAM_ID = 1610612752 (date 2025-01-15): "
            "not the NBA.com team id of PHI (1610612755)",
        ),
        (
            _made_up_id,
            "record TeamStats.rowSet[1] NYK, field TEAM_ID = 12345 (date 2025-01-15): "
            "not the NBA.com team id of NYK (1610612752)",
        ),
        (
            _extra_column,
            "record TeamStats, field headers[25] = 'FOO' (date 2025-01-15): unknown column "
            "(the TeamStats columns are GAME_ID, TEAM_ID, ",
        ),
        (_renamed_column, "record TeamStats, field headers[24] = 'PLUSMINUS' (date 2025-01-15): unknown column"),
        (
            _other_game_row,
            "record TeamStats.rowSet[1] NYK, field GAME_ID = '0022400562' (date 2025-01-15): "
            "not the file's game 0022400561 (its parameters.GameID)",
        ),
    ],
)
def test_team_boxscore_other_teams_id_or_unknown_column_is_refused(team_box, tmp_path, breaks, says):
    wh, doc = team_box
    bad = copy.deepcopy(doc)
    breaks(next(rs for rs in bad["resultSets"] if rs["name"] == "TeamStats"))
    path = _write(tmp_path / "bad" / TEAM_BOX_LAKE, bad)
    msg = _refused(wh, "team-boxscore", "nba_raw.nbac_team_boxscore", path)
    assert f"{TEAM_BOX_LAKE}: {says}" in msg, msg


def _data_export(nyk_home, bos_home):
    """The newer scraper's DATA export of NYK @ BOS (no homeAway), each line's isHome as given (None: absent)."""

    def team(abbr, team_id, pts, is_home):
        line = {
            "gameId": "0022400001",
            "teamId": team_id,
            "teamName": abbr,
            "teamAbbreviation": abbr,
            "teamCity": "City",
            "minutes": "240:00",
            "fieldGoals": {"made": 40, "attempted": 85, "percentage": 0.47},
            "threePointers": {"made": 12, "attempted": 30, "percentage": 0.4},
            "freeThrows": {"made": pts - 92, "attempted": 20, "percentage": 0.8},
            "rebounds": {"offensive": 10, "defensive": 30, "total": 40},
            "assists": 25,
            "steals": 7,
            "blocks": 5,
            "turnovers": 12,
            "personalFouls": 18,
            "points": pts,
            "plusMinus": 0,
        }
        if is_home is not None:
            line["isHome"] = is_home
        return line

    return {
        "gameId": "0022400001",
        "gameDate": "2024-10-22",
        "teams": [team("NYK", 1610612752, 104, nyk_home), team("BOS", 1610612738, 108, bos_home)],
    }


DATA_BOX_LAKE = "nba-com/team-boxscore/20241022/0022400001/20241023_010000.json"


def test_team_boxscore_is_home_gives_the_sides_when_the_schedule_has_no_game(tmp_path):
    """No schedule row for the game: isHome on both lines, exactly one home, gives the sides."""
    import nbaprops

    wh = nbaprops.open(tmp_path / "wh")
    assert (
        nbaprops.import_raw(wh, "team-boxscore", _write(tmp_path / DATA_BOX_LAKE, _data_export(False, True))).rows == 2
    )
    df = nbaprops.read(wh, "nba_raw.nbac_team_boxscore").set_index("team_abbr")
    assert (df["game_id"] == "20241022_NYK_BOS").all(), df
    assert bool(df.loc["BOS", "is_home"]) and not bool(df.loc["NYK", "is_home"]), df


@pytest.mark.parametrize(
    "nyk_home, bos_home, says",
    [
        (
            True,
            True,
            "record teams[1] BOS, field isHome = true (date 2024-10-22): home/away unknown: NYK and BOS both say "
            "isHome = true, and the schedule has no such game with these teams",
        ),
        (
            None,
            True,
            "record (file), field gameId = 0022400001 (date 2024-10-22): home/away unknown: neither homeAway nor "
            "isHome is on both team lines, and the schedule has no such game with these teams",
        ),
    ],
)
def test_team_boxscore_without_schedule_or_consistent_is_home_is_refused(tmp_path, nyk_home, bos_home, says):
    import nbaprops

    wh = nbaprops.open(tmp_path / "wh")
    assert (
        nbaprops.import_raw(wh, "team-boxscore", _write(tmp_path / DATA_BOX_LAKE, _data_export(False, True))).rows == 2
    )
    path = _write(tmp_path / "bad" / DATA_BOX_LAKE, _data_export(nyk_home, bos_home))
    msg = _refused(wh, "team-boxscore", "nba_raw.nbac_team_boxscore", path)
    assert f"{DATA_BOX_LAKE}: {says}" in msg, msg


GAMEBOOK = "nbac_gamebook_pdf/exp_0173bcd1.json"
GAMEBOOK_LAKE = "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20250805_151438.json"


@pytest.mark.parametrize(
    "players, name",
    [("dnp_players", 12345), ("active_players", "12345"), ("inactive_players", "#23")],
)
def test_gamebook_player_named_by_a_number_is_refused(tmp_path, players, name):
    import nbaprops

    doc = json.loads(require_shared(f"legacy-samples/{GAMEBOOK}").read_text())
    wh = nbaprops.open(tmp_path / "wh")
    assert nbaprops.import_raw(wh, "gamebook", _write(tmp_path / "good" / GAMEBOOK_LAKE, doc)).rows == 41
    bad = copy.deepcopy(doc)
    bad[players][0]["name"] = name
    path = _write(tmp_path / "bad" / GAMEBOOK_LAKE, bad)
    msg = _refused(wh, "gamebook", "nba_raw.nbac_gamebook_player_stats", path)
    says = f"record {players}[0] '{name}', field name = '{name}' (date 2024-04-10): a number, not a player name"
    assert f"{GAMEBOOK_LAKE}: {says}" in msg, msg
