// Raw (data-lake) importers: golden tests on the legacy's own scraped samples
// (shared/data), bad-input tests and the import driver's trust rules (newest
// file wins, all-or-nothing, replace only the covered games, ledger rows).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/importers/raw.hpp"
#include "nbaprops/io/object_store.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "test_util.hpp"

namespace nbaprops {
namespace {

namespace fs = std::filesystem;
using importers::import_raw;
using importers::parse_raw_file;
using importers::RawImportOptions;
using nlohmann::json;

#define NBAPROPS_SAMPLE(var, rel)                                                   \
  NBAPROPS_REQUIRE_SHARED_FILE(var##_path, std::string("legacy-samples/") + (rel)); \
  const std::string var = io::read_file(var##_path.string())

/// Index of the first row whose column @p col has text @p value (fails the test
/// when absent).
size_t row_where(const Table& t, const std::string& col, const std::string& value, const std::string& game_id = "") {
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (t.get_text(r, col) == value && (game_id.empty() || t.get_text(r, "game_id") == game_id)) return r;
  }
  ADD_FAILURE() << "no row with " << col << " = " << value;
  return 0;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const DataError& e) {
    return e.what();
  }
  return "(no DataError)";
}

/// The warnings @p f logs (through a log file; stderr logging at info after).
std::string warnings_of(const std::function<void()>& f) {
  testing::TempDir dir;
  const fs::path log = dir.path() / "warnings.log";
  logging::configure(logging::Level::kWarning, log.string(), false);
  f();
  logging::configure(logging::Level::kInfo);  // closes the log file
  return fs::exists(log) ? io::read_file(log.string()) : "";
}

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

Schedule schedule_with(std::vector<Game> games) { return Schedule(std::move(games)); }

Game game(const std::string& id, const std::string& date, const std::string& away, const std::string& home,
          GameType type = GameType::kRegularSeason) {
  Game g;
  g.nba_game_id = id;
  g.date = Date::parse(date);
  g.season = season_of(g.date);
  g.away = away;
  g.home = home;
  g.type = type;
  g.status = GameStatus::kFinal;
  return g;
}

constexpr const char* kGamebookPath = "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20250805_151438.json";

TEST(RawGamebook, GoldenOnTheLegacySample) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  Table t = parse_raw_file("gamebook", text, kGamebookPath, Schedule());
  ASSERT_EQ(t.num_rows(), 41u);  // 21 active + 6 DNP + 14 inactive
  int active = 0, dnp = 0, inactive = 0;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const std::string s = *t.get_text(r, "player_status");
    active += s == "active";
    dnp += s == "dnp";
    inactive += s == "inactive";
    EXPECT_EQ(t.get_text(r, "game_id"), "20240410_MEM_CLE");
    EXPECT_EQ(t.get_date(r, "game_date"), Date::parse("2024-04-10"));
    EXPECT_EQ(t.get_int(r, "season_year"), 2023);
    EXPECT_EQ(t.get_text(r, "home_team_abbr"), "CLE");
    EXPECT_TRUE(t.get_text(r, "data_hash").has_value());
  }
  EXPECT_EQ(active, 21);
  EXPECT_EQ(dnp, 6);
  EXPECT_EQ(inactive, 14);
  size_t gg = row_where(t, "player_lookup", "ggjackson");
  EXPECT_EQ(t.get_text(gg, "team_abbr"), "MEM");
  EXPECT_EQ(t.get_text(gg, "minutes"), "35:42");
  EXPECT_NEAR(*t.get_real(gg, "minutes_decimal"), 35.7, 1e-9);
  EXPECT_EQ(t.get_int(gg, "points"), 22);
  EXPECT_EQ(t.get_int(gg, "plus_minus"), -13);
  EXPECT_EQ(t.get_int(gg, "total_rebounds"),
            2);  // legacy read the wrong key: NULL
  EXPECT_EQ(t.get_int(gg, "personal_fouls"), 2);
  // Suffixes are kept in the lookup and flagged.
  size_t pippen = row_where(t, "player_name_original", "Scotty Pippen Jr.");
  EXPECT_EQ(t.get_text(pippen, "player_lookup"), "scottypippenjr");
  EXPECT_NE(t.get_text(pippen, "data_quality_flags")->find("suffix_handled"), std::string::npos);
  // DNP: reason kept, every stat NULL (not 0).
  size_t morris = row_where(t, "player_lookup", "marcusmorrissr");
  EXPECT_EQ(t.get_text(morris, "player_status"), "dnp");
  EXPECT_EQ(t.get_text(morris, "dnp_reason"), "DNP - Coach's Decision");
  EXPECT_EQ(t.get_text(morris, "team_abbr"), "CLE");
  EXPECT_FALSE(t.get_int(morris, "points").has_value());
  EXPECT_FALSE(t.get_text(morris, "minutes").has_value());
  // Inactive: last name only, unresolved, flagged for review.
  size_t bane = row_where(t, "player_name_original", "Bane");
  EXPECT_EQ(t.get_text(bane, "player_lookup"), "bane");
  EXPECT_EQ(t.get_text(bane, "name_resolution_status"), "not_found");
  EXPECT_EQ(t.get_bool(bane, "requires_manual_review"), true);
  EXPECT_EQ(t.get_text(row_where(t, "player_name_original", "Jackson Jr."), "player_lookup"), "jacksonjr");
}

TEST(RawGamebook, AccentsApostrophesAndExhibitionDates) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  json j = json::parse(text);
  j["active_players"][0]["name"] = "Jusuf Nurkić";
  j["active_players"][1]["name"] = "De'Anthony Melton";
  Table t = parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule());
  EXPECT_EQ(t.get_text(0, "player_lookup"), "jusufnurkic");
  EXPECT_EQ(t.get_text(0, "player_name_original"), "Jusuf Nurkić");
  EXPECT_EQ(t.get_text(1, "player_lookup"), "deanthonymelton");
  // Legacy: preseason / All-Star games give no rows.
  Schedule pre = schedule_with({game("0012300001", "2024-04-10", "MEM", "CLE", GameType::kPreseason)});
  EXPECT_EQ(parse_raw_file("gamebook", text, kGamebookPath, pre).num_rows(), 0u);
  // An All-Star game: team codes that are not NBA teams give no rows instead of
  // an error.
  j = json::parse(text);
  j["away_team"] = "EST";
  j["home_team"] = "WST";
  j["game_code"] = "20240218/ESTWST";
  const std::string all_star_path = "nba-com/gamebooks-data/2024-02-18/20240218-ESTWST/20240219_040000.json";
  j["date"] = "2024-02-18";
  EXPECT_EQ(parse_raw_file("gamebook", j.dump(), all_star_path, Schedule()).num_rows(), 0u);
}

TEST(RawGamebook, BadInputNamesFileRecordFieldValueAndDate) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  // Truncated JSON.
  std::string msg =
      error_of([&] { parse_raw_file("gamebook", text.substr(0, text.size() / 2), kGamebookPath, Schedule()); });
  EXPECT_NE(msg.find(kGamebookPath), std::string::npos) << msg;
  EXPECT_NE(msg.find("truncated JSON"), std::string::npos) << msg;
  // The position in plain words, not the JSON library's jargon.
  EXPECT_NE(msg.find(" at line "), std::string::npos) << msg;
  EXPECT_NE(msg.find(", column "), std::string::npos) << msg;
  EXPECT_EQ(msg.find("json.exception"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("syntax error while parsing"), std::string::npos) << msg;
  msg = error_of([&] { parse_raw_file("gamebook", "STAT,X\n1,2\n", kGamebookPath, Schedule()); });
  EXPECT_NE(msg.find(std::string(kGamebookPath) + ": malformed or truncated JSON (byte 1 of 11) at line 1, column 1: "
                                                  "invalid literal; last read: 'S'"),
            std::string::npos)
      << msg;
  msg = error_of([&] { parse_raw_file("gamebook", "", kGamebookPath, Schedule()); });
  EXPECT_NE(msg.find(std::string(kGamebookPath) + ": empty file (0 bytes), not a JSON document"), std::string::npos)
      << msg;
  // A missing field.
  json j = json::parse(text);
  j["active_players"][3].erase("team");
  msg = error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); });
  EXPECT_NE(msg.find("active_players[3] 'Jake LaRavia'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("field team"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2024-04-10"), std::string::npos) << msg;
  j = json::parse(text);
  j.erase("game_code");
  EXPECT_NE(error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); }).find("game_code"),
            std::string::npos);
  // An absurd value.
  j = json::parse(text);
  j["active_players"][0]["stats"]["plus_minus"] = 500;
  msg = error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); });
  EXPECT_NE(msg.find("field plus_minus = 500"), std::string::npos) << msg;
  EXPECT_NE(msg.find("GG Jackson"), std::string::npos) << msg;
  EXPECT_NE(msg.find("plausible range"), std::string::npos) << msg;
  // Points that do not match the shots (a misaligned PDF column).
  j = json::parse(text);
  j["active_players"][0]["stats"]["points"] = 23;
  msg = error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); });
  EXPECT_NE(msg.find("does not match the shots"), std::string::npos) << msg;
  // Malformed minutes and an unknown team.
  j = json::parse(text);
  j["active_players"][0]["stats"]["minutes"] = "35.7";
  EXPECT_NE(error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); }).find("expected MM:SS"),
            std::string::npos);
  j = json::parse(text);
  j["dnp_players"][0]["team"] = "Seattle SuperSonics";
  EXPECT_NE(
      error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); }).find("unknown team name"),
      std::string::npos);
}

// A number where a player's name belongs (a misread PDF column) was stored as
// the name and the lookup: refused, whether a JSON number or digits as text.
TEST(RawGamebook, NumericPlayerNamesAreRefused) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  auto msg_of = [&](const char* list, const json& name) {
    json j = json::parse(text);
    j[list][0]["name"] = name;
    return error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); });
  };
  std::string m = msg_of("dnp_players", 12345);
  EXPECT_NE(m.find(std::string(kGamebookPath) + ": record dnp_players[0] '12345', field name = '12345' (date "
                                                "2024-04-10): a number, not a player name (no letters)"),
            std::string::npos)
      << m;
  m = msg_of("active_players", "12345");
  EXPECT_NE(m.find("record active_players[0] '12345', field name = '12345' (date 2024-04-10): a number, not a "
                   "player name"),
            std::string::npos)
      << m;
  m = msg_of("inactive_players", "#23");
  EXPECT_NE(m.find("record inactive_players[0] '#23', field name = '#23' (date 2024-04-10): a number"),
            std::string::npos)
      << m;
}

// The rows replace every stored row of the game, so a gamebook without all its
// active players (missing, renamed, empty, one team, fewer than it counts) is
// refused rather than turning the stored box score into DNP / inactive rows.
TEST(RawGamebook, ActivePlayersMustBeThereForBothTeamsAndMatchTheirCount) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  const json good = json::parse(text);
  auto msg_of = [&](const std::function<void(json&)>& change) {
    json j = good;
    change(j);
    return error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); });
  };
  const std::string file_field = std::string(kGamebookPath) + ": record (file), field active_players";
  std::string m = msg_of([](json& j) { j.erase("active_players"); });
  EXPECT_NE(m.find(file_field + " (date 2024-04-10): missing field"), std::string::npos) << m;
  m = msg_of([](json& j) {
    j["activePlayers"] = j["active_players"];
    j.erase("active_players");
  });
  EXPECT_NE(m.find(file_field + " (date 2024-04-10): missing field"), std::string::npos) << m;
  m = msg_of([](json& j) { j["active_players"] = json::array(); });
  EXPECT_NE(m.find(file_field + " (date 2024-04-10): empty list"), std::string::npos) << m;
  m = msg_of([](json& j) { j["active_players"].erase(j["active_players"].begin() + 3, j["active_players"].end()); });
  EXPECT_NE(m.find(file_field + " = 3 players (date 2024-04-10): the file's own active_count is 21"), std::string::npos)
      << m;
  m = msg_of([](json& j) {
    json mem = json::array();
    for (const json& p : j["active_players"]) {
      if (p["team"] == "Memphis Grizzlies") mem.push_back(p);
    }
    j["active_players"] = mem;
    j.erase("active_count");
  });
  EXPECT_NE(m.find(file_field + " (date 2024-04-10): no active player of CLE"), std::string::npos) << m;
  m = msg_of([](json& j) { j["dnp_count"] = 7; });
  EXPECT_NE(m.find("field dnp_players = 6 players (date 2024-04-10): the file's own dnp_count is 7"), std::string::npos)
      << m;
}

TEST(RawGamebook, MissingStatsOfAPlayerWhoPlayedAndHugeIntegersAreRefused) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  auto msg_of = [&](const char* key, const json& value) {
    json j = json::parse(text);
    j["active_players"][4]["stats"][key] = value;
    return error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); });
  };
  const std::string who = "record active_players[4] 'Scotty Pippen Jr.', field ";
  std::string m = msg_of("points", nullptr);
  EXPECT_NE(m.find(who + "points (date 2024-04-10): missing for a player who played (minutes 35:47)"),
            std::string::npos)
      << m;
  m = msg_of("plus_minus", json(uint64_t{18446744073709551612ULL}));  // would wrap to -4
  EXPECT_NE(m.find(who + "plus_minus = 18446744073709551612 (date 2024-04-10): integer out of range"),
            std::string::npos)
      << m;
  m = msg_of("points", 1e20);
  EXPECT_NE(m.find(who + "points = 1e+20 (date 2024-04-10): integer out of range"), std::string::npos) << m;
  m = msg_of("points", "99999999999999999999");
  EXPECT_NE(m.find("integer out of range"), std::string::npos) << m;
}

// game_code is stored as is: it must be "YYYYMMDD/AWAYHOME" of the file's own
// date and teams, as the game folder must.
TEST(RawGamebook, GameCodeMustBeTheFilesDateAndTeams) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  auto msg_of = [&](const char* code) {
    json j = json::parse(text);
    j["game_code"] = code;
    return error_of([&] { parse_raw_file("gamebook", j.dump(), kGamebookPath, Schedule()); });
  };
  const std::string where = std::string(kGamebookPath) + ": record (file), field game_code = ";
  std::string m = msg_of("garbage");
  EXPECT_NE(m.find(where + "'garbage' (date 2024-04-10): expected YYYYMMDD/AWAYHOME"), std::string::npos) << m;
  m = msg_of("20240411/MEMCLE");
  EXPECT_NE(m.find(where + "'20240411/MEMCLE' (date 2024-04-10): the file's date and teams"), std::string::npos) << m;
  EXPECT_NE(m.find("say 20240410/MEMCLE"), std::string::npos) << m;
  m = msg_of("20240410/CLEMEM");
  EXPECT_NE(m.find("say 20240410/MEMCLE"), std::string::npos) << m;
  // Without a game folder (the older layout) the code is checked all the same.
  m = error_of([&] {
    json j = json::parse(text);
    j["game_code"] = "2024041/MEMCLE";
    parse_raw_file("gamebook", j.dump(), "nba-com/gamebooks-data/2024-04-10/20250805_151438.json", Schedule());
  });
  EXPECT_NE(m.find("field game_code = '2024041/MEMCLE'"), std::string::npos) << m;
  EXPECT_EQ(parse_raw_file("gamebook", text, kGamebookPath, Schedule()).num_rows(), 41u);
}

constexpr const char* kBoxPath = "nba-com/team-boxscore/20250115/0022400561/20250116_031500.json";

// Team minutes go through the gamebook's MM:SS parser: "lots" is refused in
// both, naming the file's field (MIN in the API response, minutes in the
// DATA export).
TEST(RawTeamBoxscore, MinutesAreParsedLikeTheGamebooks) {
  NBAPROPS_SAMPLE(text, "nbac_team_boxscore/exp_12f99055.json");
  Schedule s = schedule_with({game("0022400561", "2025-01-15", "NYK", "PHI")});
  auto with_min = [&](const json& value) {
    json j = json::parse(text);
    for (json& rs : j["resultSets"]) {
      if (rs["name"] != "TeamStats") continue;
      size_t col = 0;
      while (rs["headers"][col] != "MIN") ++col;
      rs["rowSet"][1][col] = value;
    }
    return j.dump();
  };
  std::string m = error_of([&] { parse_raw_file("team-boxscore", with_min("lots"), kBoxPath, s); });
  EXPECT_NE(m.find(std::string(kBoxPath) + ": record TeamStats.rowSet[1] NYK, field MIN = 'lots' (date 2025-01-15): "
                                           "expected MM:SS"),
            std::string::npos)
      << m;
  m = error_of([&] { parse_raw_file("team-boxscore", with_min("2650:00"), kBoxPath, s); });
  EXPECT_NE(m.find("field MIN = '2650:00' (date 2025-01-15): outside the plausible range [0, 490] minutes"),
            std::string::npos)
      << m;
  EXPECT_EQ(parse_raw_file("team-boxscore", with_min("240:00"), kBoxPath, s).get_text(1, "minutes"), "240:00");
  EXPECT_FALSE(parse_raw_file("team-boxscore", with_min(nullptr), kBoxPath, s).get_text(1, "minutes").has_value());
}

TEST(RawTeamBoxscore, HomeAwayFromTheScheduleNotListOrder) {
  NBAPROPS_SAMPLE(text, "nbac_team_boxscore/exp_12f99055.json");
  Schedule s = schedule_with({game("0022400561", "2025-01-15", "NYK", "PHI")});
  Table t = parse_raw_file("team-boxscore", text, kBoxPath, s);
  ASSERT_EQ(t.num_rows(), 2u);
  size_t phi = row_where(t, "team_abbr", "PHI"), nyk = row_where(t, "team_abbr", "NYK");
  EXPECT_EQ(t.get_text(phi, "game_id"), "20250115_NYK_PHI");
  EXPECT_EQ(t.get_text(phi, "nba_game_id"), "0022400561");
  EXPECT_EQ(t.get_bool(phi, "is_home"),
            true);  // listed first: legacy made it the away team
  EXPECT_EQ(t.get_bool(nyk, "is_home"), false);
  EXPECT_EQ(t.get_int(phi, "points"), 119);
  EXPECT_EQ(t.get_int(nyk, "points"), 125);
  EXPECT_EQ(t.get_int(phi, "plus_minus"), -6);
  EXPECT_EQ(t.get_int(nyk, "total_rebounds"), 45);
  EXPECT_EQ(t.get_text(phi, "minutes"), "265:00");
  EXPECT_EQ(t.get_text(phi, "team_name"), "76ers");
  EXPECT_EQ(t.get_int(phi, "team_id"), 1610612755);
  EXPECT_EQ(t.get_int(phi, "season_year"), 2024);
  // Without the schedule the sides are unknown: an error, not a guess.
  EXPECT_NE(error_of([&] { parse_raw_file("team-boxscore", text, kBoxPath, Schedule()); }).find("home/away unknown"),
            std::string::npos);
}

/// One team of the scraper's DATA export (teams[] with nested objects),
/// carrying homeAway.
json data_team(const char* abbr, long long id, int pts, const char* ha) {
  return json{{"teamId", id},
              {"teamAbbreviation", abbr},
              {"teamName", "X"},
              {"teamCity", "  Some   City "},
              {"minutes", "240:00"},
              {"fieldGoals", {{"made", 40}, {"attempted", 85}, {"percentage", 0.47}}},
              {"threePointers", {{"made", 12}, {"attempted", 30}, {"percentage", 0.4}}},
              {"freeThrows", {{"made", pts - 2 * 28 - 36}, {"attempted", 20}, {"percentage", 0.8}}},
              {"rebounds", {{"offensive", 10}, {"defensive", 30}, {"total", 40}}},
              {"assists", 25},
              {"steals", 7},
              {"blocks", 5},
              {"turnovers", 12},
              {"personalFouls", 18},
              {"points", pts},
              {"plusMinus", 0},
              {"homeAway", ha}};
}

TEST(RawTeamBoxscore, DataExportLayoutAndConsistencyChecks) {
  auto team = data_team;
  json j = {{"gameId", "0022400001"},
            {"gameDate", "2024-10-22"},
            {"teams", {team("BOS", 1610612738, 108, "HOME"), team("NYK", 1610612752, 104, "AWAY")}}};
  Table t = parse_raw_file("team-boxscore", j.dump(), "nba-com/team-boxscore/20241022/0022400001/20241023_010000.json",
                           Schedule());
  ASSERT_EQ(t.num_rows(), 2u);
  EXPECT_EQ(t.get_text(0, "game_id"), "20241022_NYK_BOS");
  EXPECT_EQ(t.get_text(0, "team_city"), "Some City");
  j["teams"][0]["rebounds"]["total"] = 41;
  EXPECT_NE(
      error_of([&] { parse_raw_file("team-boxscore", j.dump(), "x.json", Schedule()); }).find("offensive + defensive"),
      std::string::npos);
  j["teams"][0]["rebounds"]["total"] = 40;
  j["teams"][1]["minutes"] = "240.5";
  EXPECT_NE(error_of([&] {
              parse_raw_file("team-boxscore", j.dump(), "x.json", Schedule());
            }).find("record teams[1] NYK, field minutes = '240.5' (date 2024-10-22): expected MM:SS"),
            std::string::npos);
  j["teams"][1]["minutes"] = "240:00";
  j["teams"].erase(1);
  EXPECT_NE(error_of([&] { parse_raw_file("team-boxscore", j.dump(), "x.json", Schedule()); }).find("exactly 2 teams"),
            std::string::npos);
}

// Legacy stored any team id and dropped columns it did not know (a renamed
// column left its stat NULL): the id must be NBA.com's id of the line's team,
// and every column / field one the importer reads, once.
TEST(RawTeamBoxscore, TeamIdsAndUnknownColumnsAreRefused) {
  NBAPROPS_SAMPLE(text, "nbac_team_boxscore/exp_12f99055.json");
  Schedule s = schedule_with({game("0022400561", "2025-01-15", "NYK", "PHI")});
  auto msg_of = [&](const std::function<void(json&)>& change) {
    json j = json::parse(text);
    for (json& rs : j["resultSets"]) {
      if (rs["name"] == "TeamStats") change(rs);
    }
    return error_of([&] { parse_raw_file("team-boxscore", j.dump(), kBoxPath, s); });
  };
  const std::string box = std::string(kBoxPath) + ": record TeamStats";
  std::string m = msg_of([](json& ts) { ts["rowSet"][0][1] = 1610612752; });
  EXPECT_NE(m.find(box + ".rowSet[0] PHI, field TEAM_ID = 1610612752 (date 2025-01-15): "
                         "not the NBA.com team id of PHI (1610612755)"),
            std::string::npos)
      << m;
  m = msg_of([](json& ts) { ts["rowSet"][1][1] = 12345; });
  EXPECT_NE(m.find(box + ".rowSet[1] NYK, field TEAM_ID = 12345 (date 2025-01-15): "
                         "not the NBA.com team id of NYK (1610612752)"),
            std::string::npos)
      << m;
  m = msg_of([](json& ts) {
    ts["headers"].push_back("FOO");
    for (json& row : ts["rowSet"]) row.push_back(1);
  });
  EXPECT_NE(m.find(box + ", field headers[25] = 'FOO' (date 2025-01-15): unknown column (the TeamStats columns are "
                         "GAME_ID, TEAM_ID, TEAM_NAME, "),
            std::string::npos)
      << m;
  m = msg_of([](json& ts) { ts["headers"][24] = "PLUSMINUS"; });
  EXPECT_NE(m.find(box + ", field headers[24] = 'PLUSMINUS' (date 2025-01-15): unknown column"), std::string::npos)
      << m;
  m = msg_of([](json& ts) { ts["headers"][2] = "TEAM_CITY"; });
  EXPECT_NE(m.find(box + ", field headers[4] = 'TEAM_CITY' (date 2025-01-15): the column appears twice (also "
                         "headers[2])"),
            std::string::npos)
      << m;
  // A header that is not text is a DataError, not the JSON library's type error.
  m = msg_of([](json& ts) { ts["headers"][24] = 7; });
  EXPECT_NE(m.find(box + ", field headers[24] = 7 (date 2025-01-15): expected a column name (text)"), std::string::npos)
      << m;

  // The DATA export: the fields of a team line and of its nested objects.
  const std::string path = "nba-com/team-boxscore/20241022/0022400001/20241023_010000.json";
  const json good = {{"gameId", "0022400001"},
                     {"gameDate", "2024-10-22"},
                     {"teams", {data_team("BOS", 1610612738, 108, "HOME"), data_team("NYK", 1610612752, 104, "AWAY")}}};
  auto data_msg = [&](const std::function<void(json&)>& change) {
    json j = good;
    change(j["teams"]);
    return error_of([&] { parse_raw_file("team-boxscore", j.dump(), path, Schedule()); });
  };
  m = data_msg([](json& t) { t[0]["teamId"] = 1610612752; });
  EXPECT_NE(m.find(path + ": record teams[0] BOS, field teamId = 1610612752 (date 2024-10-22): "
                          "not the NBA.com team id of BOS (1610612738)"),
            std::string::npos)
      << m;
  m = data_msg([](json& t) { t[1]["fieldGoalPct"] = 0.47; });
  EXPECT_NE(m.find(path + ": record teams[1], field fieldGoalPct = 0.47 (date 2024-10-22): unknown field of a team "
                          "line (its fields are gameId, teamId, "),
            std::string::npos)
      << m;
  m = data_msg([](json& t) { t[0]["rebounds"]["totl"] = 40; });
  EXPECT_NE(m.find("record teams[0], field rebounds.totl = 40 (date 2024-10-22): unknown field of rebounds (its "
                   "fields are offensive, defensive, total)"),
            std::string::npos)
      << m;
  m = data_msg([](json& t) { t[1]["isHome"] = true; });
  EXPECT_NE(m.find("record teams[1] NYK, field isHome = true (date 2024-10-22): disagrees with the schedule / "
                   "homeAway: NYK is the away team of 20241022_NYK_BOS"),
            std::string::npos)
      << m;
  m = data_msg([](json& t) { t[0]["isHome"] = "yes"; });
  EXPECT_NE(m.find("record teams[0], field isHome = \"yes\" (date 2024-10-22): expected true or false"),
            std::string::npos)
      << m;
  // The newer scraper's gameId and isHome are fields of a team line.
  json j = good;
  j["teams"][0]["gameId"] = "0022400001";
  j["teams"][0]["isHome"] = true;
  j["teams"][1]["isHome"] = false;
  EXPECT_EQ(parse_raw_file("team-boxscore", j.dump(), path, Schedule()).num_rows(), 2u);
}

// Legacy ignored a team line's own game id: a line of another game was stored
// under the file's game. Refused, naming the line and both ids.
TEST(RawTeamBoxscore, ALineOfAnotherGameIsRefused) {
  NBAPROPS_SAMPLE(text, "nbac_team_boxscore/exp_12f99055.json");
  Schedule s = schedule_with({game("0022400561", "2025-01-15", "NYK", "PHI")});
  auto msg_of = [&](const std::function<void(json&)>& change) {
    json j = json::parse(text);
    change(j);
    return error_of([&] { parse_raw_file("team-boxscore", j.dump(), kBoxPath, s); });
  };
  auto team_stats = [](json& j) -> json& {
    for (json& rs : j["resultSets"]) {
      if (rs["name"] == "TeamStats") return rs;
    }
    throw std::runtime_error("no TeamStats");
  };
  const std::string box = std::string(kBoxPath) + ": record TeamStats";
  std::string m = msg_of([&](json& j) { team_stats(j)["rowSet"][1][0] = "0022400562"; });
  EXPECT_NE(m.find(box + ".rowSet[1] NYK, field GAME_ID = '0022400562' (date 2025-01-15): not the file's game "
                         "0022400561 (its parameters.GameID)"),
            std::string::npos)
      << m;
  // Both rows of another game than the request's.
  m = msg_of([&](json& j) {
    for (json& row : team_stats(j)["rowSet"]) row[0] = "0022400562";
  });
  EXPECT_NE(m.find(box + ".rowSet[0] PHI, field GAME_ID = '0022400562' (date 2025-01-15): not the file's game "
                         "0022400561 (its parameters.GameID)"),
            std::string::npos)
      << m;
  // Without the request's parameters, the first row names the file's game.
  m = msg_of([&](json& j) {
    j.erase("parameters");
    team_stats(j)["rowSet"][1][0] = "0022400562";
  });
  EXPECT_NE(m.find(box + ".rowSet[1] NYK, field GAME_ID = '0022400562' (date 2025-01-15): not the file's game "
                         "0022400561 (its TeamStats.rowSet[0] GAME_ID)"),
            std::string::npos)
      << m;
  // Leading zeros aside, the same game.
  json j = json::parse(text);
  team_stats(j)["rowSet"][1][0] = "22400561";
  EXPECT_EQ(parse_raw_file("team-boxscore", j.dump(), kBoxPath, s).num_rows(), 2u);

  // The DATA export: a team line's gameId (newer scrapers) against the file's gameId.
  const std::string path = "nba-com/team-boxscore/20241022/0022400001/20241023_010000.json";
  j = {{"gameId", "0022400001"},
       {"gameDate", "2024-10-22"},
       {"teams", {data_team("BOS", 1610612738, 108, "HOME"), data_team("NYK", 1610612752, 104, "AWAY")}}};
  j["teams"][0]["gameId"] = "0022400001";
  EXPECT_EQ(parse_raw_file("team-boxscore", j.dump(), path, Schedule()).num_rows(), 2u);
  j["teams"][1]["gameId"] = "0022400002";
  m = error_of([&] { parse_raw_file("team-boxscore", j.dump(), path, Schedule()); });
  EXPECT_NE(m.find(path + ": record teams[1] NYK, field gameId = '0022400002' (date 2024-10-22): not the file's game "
                          "0022400001 (its gameId)"),
            std::string::npos)
      << m;
}

// A newer scraper's file whose game the schedule does not have: isHome on both
// lines, exactly one home, gives the sides (legacy never read isHome and took
// list order); absent on a line or the same on both, home/away stays unknown.
TEST(RawTeamBoxscore, IsHomeGivesTheSidesWhenTheScheduleHasNoGame) {
  const std::string path = "nba-com/team-boxscore/20241022/0022400001/20241023_010000.json";
  auto file = [](std::optional<bool> nyk_home, std::optional<bool> bos_home) {
    json nyk = data_team("NYK", 1610612752, 104, ""), bos = data_team("BOS", 1610612738, 108, "");
    nyk.erase("homeAway");
    bos.erase("homeAway");
    if (nyk_home) nyk["isHome"] = *nyk_home;
    if (bos_home) bos["isHome"] = *bos_home;
    return json{{"gameId", "0022400001"}, {"gameDate", "2024-10-22"}, {"teams", {nyk, bos}}}.dump();
  };
  Table t = parse_raw_file("team-boxscore", file(false, true), path, Schedule());
  ASSERT_EQ(t.num_rows(), 2u);
  const size_t bos = row_where(t, "team_abbr", "BOS"), nyk = row_where(t, "team_abbr", "NYK");
  EXPECT_EQ(t.get_text(bos, "game_id"), "20241022_NYK_BOS");
  EXPECT_EQ(t.get_bool(bos, "is_home"), true);
  EXPECT_EQ(t.get_bool(nyk, "is_home"), false);
  // Listed home first, the same sides.
  t = parse_raw_file("team-boxscore", file(true, false), path, Schedule());
  EXPECT_EQ(t.get_text(0, "game_id"), "20241022_BOS_NYK");
  EXPECT_EQ(t.get_bool(row_where(t, "team_abbr", "NYK"), "is_home"), true);

  std::string m = error_of([&] { parse_raw_file("team-boxscore", file(true, true), path, Schedule()); });
  EXPECT_NE(m.find(path + ": record teams[1] BOS, field isHome = true (date 2024-10-22): home/away unknown: NYK and "
                          "BOS both say isHome = true, and the schedule has no such game with these teams"),
            std::string::npos)
      << m;
  m = error_of([&] { parse_raw_file("team-boxscore", file(false, false), path, Schedule()); });
  EXPECT_NE(m.find("record teams[1] BOS, field isHome = false (date 2024-10-22): home/away unknown: NYK and BOS both "
                   "say isHome = false"),
            std::string::npos)
      << m;
  for (const auto& [nyk_home, bos_home] : std::vector<std::pair<std::optional<bool>, std::optional<bool>>>{
           {std::nullopt, true}, {false, std::nullopt}, {std::nullopt, std::nullopt}}) {
    m = error_of([&] { parse_raw_file("team-boxscore", file(nyk_home, bos_home), path, Schedule()); });
    EXPECT_NE(m.find(path + ": record (file), field gameId = 0022400001 (date 2024-10-22): home/away unknown: "
                            "neither homeAway nor isHome is on both team lines, and the schedule has no such game"),
              std::string::npos)
        << m;
  }
  // The schedule, when it has the game, decides; isHome must agree with it.
  const Schedule s = schedule_with({game("0022400001", "2024-10-22", "NYK", "BOS")});
  EXPECT_EQ(parse_raw_file("team-boxscore", file(false, true), path, s).get_text(0, "game_id"), "20241022_NYK_BOS");
  EXPECT_EQ(parse_raw_file("team-boxscore", file(std::nullopt, true), path, s).num_rows(), 2u);
  m = error_of([&] { parse_raw_file("team-boxscore", file(true, false), path, s); });
  EXPECT_NE(m.find("record teams[0] NYK, field isHome = true (date 2024-10-22): disagrees with the schedule / "
                   "homeAway: NYK is the away team of 20241022_NYK_BOS"),
            std::string::npos)
      << m;
  // A schedule game of that id between other teams is named, not overridden.
  const Schedule other = schedule_with({game("0022400001", "2024-10-22", "MIA", "ORL")});
  m = error_of([&] { parse_raw_file("team-boxscore", file(false, true), path, other); });
  EXPECT_NE(m.find("field teamAbbreviation = NYK@BOS (date 2024-10-22): the schedule has MIA@ORL for game 0022400001"),
            std::string::npos)
      << m;
}

TEST(RawInjuryReport, GoldenOnTheLegacySample) {
  NBAPROPS_SAMPLE(text, "nbac_injury_report/exp_f4391904.json");
  Table t = parse_raw_file("injury-report", text, "nba-com/injury-report-data/2024-01-04/12/20240104_121438.json",
                           Schedule());
  ASSERT_EQ(t.num_rows(), 14u);
  EXPECT_EQ(t.get_date(0, "report_date"), Date::parse("2024-01-04"));
  EXPECT_EQ(t.get_int(0, "report_hour"), 12);
  EXPECT_EQ(t.get_text(0, "season"),
            "2023-24");  // from the date (the file's metadata says 2024-25)
  EXPECT_EQ(t.get_text(0, "game_id"), "20240104_MIL_SAS");
  EXPECT_EQ(t.get_text(0, "game_time"), "07:30");
  size_t duke = row_where(t, "player_name_original", "Duke Jr., David");
  EXPECT_EQ(t.get_text(duke, "player_full_name"), "David Duke Jr.");
  EXPECT_EQ(t.get_text(duke, "player_lookup"), "daviddukejr");
  EXPECT_EQ(t.get_text(duke, "injury_status"), "out");
  EXPECT_EQ(t.get_text(duke, "reason_category"), "g_league");
  size_t payton = row_where(t, "player_name_original", "Payton II, Gary");
  EXPECT_EQ(t.get_text(payton, "player_lookup"), "garypaytonii");
  EXPECT_EQ(t.get_text(payton, "game_id"), "20240104_DEN_GSW");
  EXPECT_EQ(t.get_text(row_where(t, "player_lookup", "draymondgreen"), "reason_category"), "suspension");
  EXPECT_EQ(t.get_text(row_where(t, "player_lookup", "vlatkocancar"), "reason_category"), "injury");
  EXPECT_NEAR(*t.get_real(duke, "confidence_score"), 0.9, 1e-12);
  EXPECT_NEAR(*t.get_real(duke, "overall_report_confidence"), 0.97, 1e-12);
  // The legacy's variant turned "Jrue Holiday" into "eholiday"; ours is
  // canonical.
  json j = json::parse(text);
  j["records"][0]["player"] = "Holiday, Jrue";
  j["records"][0]["team"] = "MIL";
  EXPECT_EQ(parse_raw_file("injury-report", j.dump(), "r.json", Schedule()).get_text(0, "player_lookup"),
            "jrueholiday");
  j["records"][0]["team"] = "LAL";
  EXPECT_NE(
      error_of([&] { parse_raw_file("injury-report", j.dump(), "r.json", Schedule()); }).find("not a team of MIL@SAS"),
      std::string::npos);
  j = json::parse(text);
  j["records"][2]["status"] = "Maybe";
  EXPECT_NE(error_of([&] { parse_raw_file("injury-report", j.dump(), "r.json", Schedule()); }).find("records[2]"),
            std::string::npos);
}

// A record's date reads as the legacy's strptime("%m/%d/%Y") reads it: a
// two-digit year or text after the year is refused, naming the record, the
// field and the value (sscanf had stored "01/04/24" as the year 24).
TEST(RawInjuryReport, RecordDatesReadAsTheLegacyReadsThem) {
  NBAPROPS_SAMPLE(text, "nbac_injury_report/exp_f4391904.json");
  const std::string path = "nba-com/injury-report-data/2024-01-04/12/20240104_121438.json";
  json j = json::parse(text);
  const size_t rows = parse_raw_file("injury-report", j.dump(), path, Schedule()).num_rows();
  j["records"][0]["date"] = "1/4/2024";  // strptime's %m and %d take one digit too
  const Table t = parse_raw_file("injury-report", j.dump(), path, Schedule());
  ASSERT_EQ(t.num_rows(), rows);
  for (size_t r = 0; r < t.num_rows(); ++r) EXPECT_EQ(t.get_date(r, "game_date"), Date::from_ymd(2024, 1, 4));
  for (const char* bad : {"01/04/24", "01/04/2024 junk", "02/30/2024", "2024-01-04"}) {
    j["records"][0]["date"] = bad;
    const std::string m = error_of([&] { parse_raw_file("injury-report", j.dump(), path, Schedule()); });
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("records[0]"), std::string::npos) << m;
    EXPECT_NE(m.find(std::string("date = '") + bad + "'"), std::string::npos) << m;
    EXPECT_NE(m.find("not a calendar date (expected MM/DD/YYYY)"), std::string::npos) << m;
  }
}

constexpr const char* kLinesPath =
    "odds-api/game-lines-history/2024-01-24/"
    "cd0bc7d0c238f4446ce1c03d0cea7ec4-ATLGSW/20240125_035540-snap-0355.json";

// A player name that is a number ("123", 45: a misread column) is refused like
// the gamebook's (legacy stored the text as the name and lookup).
TEST(RawInjuryReport, NumericPlayerNamesAreRefused) {
  NBAPROPS_SAMPLE(text, "nbac_injury_report/exp_f4391904.json");
  const std::string path = "nba-com/injury-report-data/2024-01-04/12/20240104_121438.json";
  auto msg_of = [&](const json& name) {
    json j = json::parse(text);
    j["records"][1]["player"] = name;
    return error_of([&] { parse_raw_file("injury-report", j.dump(), path, Schedule()); });
  };
  std::string m = msg_of("123");
  EXPECT_NE(m.find(path + ": record records[1] '123', field player = '123' (date 2024-01-04): a number, not a player "
                          "name (no letters)"),
            std::string::npos)
      << m;
  m = msg_of(45);
  EXPECT_NE(m.find(path + ": record records[1] '45', field player = '45' (date 2024-01-04): a number, not a player "
                          "name (no letters)"),
            std::string::npos)
      << m;
  // "Last, First" of numbers: the name as given is quoted.
  m = msg_of("12, 34");
  EXPECT_NE(m.find("record records[1] '12, 34', field player = '12, 34' (date 2024-01-04): a number"),
            std::string::npos)
      << m;
  m = msg_of("#, .");
  EXPECT_NE(m.find("field player = '#, .' (date 2024-01-04): no letters or digits in the player name"),
            std::string::npos)
      << m;
}

TEST(RawGameLines, GoldenOnTheLegacySamples) {
  NBAPROPS_SAMPLE(text, "oddsa_game_lines_his/exp_b722994c.json");
  Table t = parse_raw_file("game-lines", text, kLinesPath, Schedule());
  ASSERT_EQ(t.num_rows(), 8u);  // 2 books × (2 spreads + 2 totals)
  for (size_t r = 0; r < t.num_rows(); ++r) {
    // 03:20Z on Jan 25 is 22:20 ET on Jan 24: the Eastern date, and the
    // standard game id.
    EXPECT_EQ(t.get_date(r, "game_date"), Date::parse("2024-01-24"));
    EXPECT_EQ(t.get_text(r, "game_id"), "20240124_ATL_GSW");
    EXPECT_EQ(t.get_text(r, "home_team_abbr"), "GSW");
    EXPECT_EQ(t.get_text(r, "snapshot_timestamp"), "2024-01-25T03:55:40Z");
    EXPECT_EQ(t.get_text(r, "data_source"), "historical");
  }
  size_t over = row_where(t, "outcome_name", "Over");
  EXPECT_EQ(t.get_text(over, "market_key"), "totals");
  EXPECT_DOUBLE_EQ(*t.get_real(over, "outcome_point"), 248.5);
  NBAPROPS_SAMPLE(h2h, "odds_api_historical_game_lines/exp_9221b91f.json");
  Table t2 = parse_raw_file("game-lines", h2h, kLinesPath, Schedule());
  ASSERT_EQ(t2.num_rows(), 4u);
  EXPECT_FALSE(t2.get_real(0, "outcome_point").has_value());
  EXPECT_EQ(t2.get_text(0, "market_key"), "h2h");
  json j = json::parse(text);
  j["data"]["bookmakers"][0]["markets"][0]["outcomes"][0]["price"] = 0.5;
  EXPECT_NE(
      error_of([&] { parse_raw_file("game-lines", j.dump(), kLinesPath, Schedule()); }).find("outcome_price = 0.5"),
      std::string::npos);
  j = json::parse(text);
  j["data"]["home_team"] = "Springfield Atoms";
  EXPECT_NE(error_of([&] { parse_raw_file("game-lines", j.dump(), kLinesPath, Schedule()); }).find("unknown team name"),
            std::string::npos);
}

// h2h / spreads outcomes name a team of the game and spreads / totals carry
// their line; a stray team or a line without its point is refused, not stored.
TEST(RawGameLines, OutcomesNameTheGamesTeamsAndCarryTheirPoint) {
  NBAPROPS_SAMPLE(text, "oddsa_game_lines_his/exp_b722994c.json");
  const json good = json::parse(text);
  // Market 0 of bookmaker 0 is spreads, market 1 totals (as the golden test counts them).
  ASSERT_EQ(good["data"]["bookmakers"][0]["markets"][0]["key"], "spreads");
  ASSERT_EQ(good["data"]["bookmakers"][0]["markets"][1]["key"], "totals");
  auto msg_of = [&](const std::function<void(json&)>& change) {
    json j = good;
    change(j["data"]["bookmakers"][0]["markets"]);
    return error_of([&] { parse_raw_file("game-lines", j.dump(), kLinesPath, Schedule()); });
  };
  const std::string book = std::string(kLinesPath) + ": record event cd0bc7d0c238f4446ce1c03d0cea7ec4 bookmakers[0] " +
                           good["data"]["bookmakers"][0]["key"].get<std::string>();
  std::string m = msg_of([](json& mk) { mk[0]["outcomes"][0]["name"] = "Boston Celtics"; });
  EXPECT_NE(m.find(book + " markets[0] spreads outcomes[0] 'Boston Celtics', field name = 'Boston Celtics' "
                          "(date 2024-01-24): not a team of this game (Atlanta Hawks @ Golden State Warriors)"),
            std::string::npos)
      << m;
  m = msg_of([](json& mk) { mk[0]["outcomes"][1]["name"] = "Springfield Atoms"; });
  EXPECT_NE(m.find("field name = 'Springfield Atoms' (date 2024-01-24): unknown team name"), std::string::npos) << m;
  m = msg_of([](json& mk) { mk[0]["outcomes"][1].erase("point"); });
  EXPECT_NE(m.find(" markets[0] spreads outcomes[1] 'Golden State Warriors', field point (date 2024-01-24): "
                   "missing field"),
            std::string::npos)
      << m;
  m = msg_of([](json& mk) { mk[1]["outcomes"][0]["point"] = nullptr; });
  EXPECT_NE(m.find(" markets[1] totals outcomes[0] 'Over', field point (date 2024-01-24): missing field"),
            std::string::npos)
      << m;
  m = msg_of([](json& mk) { mk[1]["outcomes"][0]["name"] = "Atlanta Hawks"; });
  EXPECT_NE(m.find("field name = 'Atlanta Hawks' (date 2024-01-24): expected Over or Under"), std::string::npos) << m;
  // The Odds API writes numbers: a price or a line given as text is refused.
  m = msg_of([](json& mk) { mk[0]["outcomes"][0]["price"] = "1.91"; });
  EXPECT_NE(m.find(" markets[0] spreads outcomes[0] "), std::string::npos) << m;
  EXPECT_NE(m.find("field price = '1.91' (date 2024-01-24): expected a JSON number, not text"), std::string::npos) << m;
  m = msg_of([](json& mk) { mk[1]["outcomes"][1]["point"] = "248.5"; });
  EXPECT_NE(m.find(" markets[1] totals outcomes[1] 'Under', field point = '248.5' (date 2024-01-24): expected a JSON "
                   "number, not text"),
            std::string::npos)
      << m;
  // h2h outcomes name the teams too (and have no point).
  NBAPROPS_SAMPLE(h2h, "odds_api_historical_game_lines/exp_9221b91f.json");
  json j = json::parse(h2h);
  EXPECT_EQ(parse_raw_file("game-lines", j.dump(), kLinesPath, Schedule()).num_rows(), 4u);
  j["data"]["bookmakers"][0]["markets"][0]["outcomes"][0]["name"] = "Boston Celtics";
  EXPECT_NE(
      error_of([&] { parse_raw_file("game-lines", j.dump(), kLinesPath, Schedule()); }).find("not a team of this game"),
      std::string::npos);
}

/// The historical wrapper of the props sample with a player_points market (the
/// layout the legacy processor reads; the sample itself holds spreads/totals).
std::string props_file(const std::string& sample) {
  json j = json::parse(sample);
  auto outcomes = [](double line, std::vector<std::pair<std::string, std::pair<double, double>>> players) {
    json o = json::array();
    for (const auto& [name, prices] : players) {
      o.push_back({{"name", "Over"}, {"description", name}, {"price", prices.first}, {"point", line}});
      o.push_back({{"name", "Under"}, {"description", name}, {"price", prices.second}, {"point", line}});
    }
    return o;
  };
  for (json& b : j["data"]["bookmakers"]) {
    b["markets"] = json::array({json{{"key", "player_points"},
                                     {"last_update", b["last_update"]},
                                     {"outcomes", outcomes(24.5, {{"Bogdan Bogdanović", {1.87, 1.91}},
                                                                  {"De'Andre Hunter", {2.1, 1.7}},
                                                                  {"Gary Payton II", {1.95, 1.85}}})}}});
  }
  return j.dump();
}

constexpr const char* kPropsPath =
    "odds-api/player-props-history/2024-01-24/"
    "cd0bc7d0c238f4446ce1c03d0cea7ec4-ATLGSW/20240125_035540-snap-0355.json";

TEST(RawPlayerProps, PairsOverUnderPerBookAndPlayer) {
  NBAPROPS_SAMPLE(sample, "oddsa_player_props_his/exp_815b3ee3.json");
  // The sample as it is has no player_points market: no rows.
  EXPECT_EQ(parse_raw_file("props", sample, kPropsPath, Schedule()).num_rows(), 0u);
  Table t = parse_raw_file("props", props_file(sample), kPropsPath, Schedule());
  ASSERT_EQ(t.num_rows(), 6u);  // 2 books × 3 players
  size_t bog = row_where(t, "player_name", "Bogdan Bogdanović");
  EXPECT_EQ(t.get_text(bog, "player_lookup"), "bogdanbogdanovic");
  EXPECT_EQ(t.get_text(row_where(t, "player_name", "De'Andre Hunter"), "player_lookup"), "deandrehunter");
  EXPECT_EQ(t.get_text(row_where(t, "player_name", "Gary Payton II"), "player_lookup"), "garypaytonii");
  EXPECT_EQ(t.get_text(bog, "game_id"), "20240124_ATL_GSW");
  EXPECT_EQ(t.get_text(bog, "odds_api_event_id"), "cd0bc7d0c238f4446ce1c03d0cea7ec4");
  EXPECT_EQ(t.get_date(bog, "game_date"), Date::parse("2024-01-24"));
  EXPECT_EQ(t.get_text(bog, "bookmaker"), "draftkings");
  EXPECT_DOUBLE_EQ(*t.get_real(bog, "points_line"), 24.5);
  EXPECT_DOUBLE_EQ(*t.get_real(bog, "over_price"), 1.87);
  EXPECT_EQ(t.get_int(bog, "over_price_american"),
            -114);  // −100 / 0.87, truncated
  EXPECT_EQ(t.get_int(row_where(t, "player_name", "De'Andre Hunter"), "over_price_american"), 110);
  EXPECT_EQ(t.get_text(bog, "snapshot_timestamp"), "2024-01-25T03:55:40Z");
  EXPECT_EQ(t.get_text(bog, "snapshot_tag"), "snap-0355");
  EXPECT_EQ(t.get_text(bog, "capture_timestamp"), "2024-01-25T03:55:40Z");
  EXPECT_EQ(t.get_int(bog, "minutes_before_tipoff"),
            -35);  // a snapshot after tip-off
  EXPECT_EQ(t.get_text(bog, "data_source"), "historical");
  json j = json::parse(props_file(sample));
  j["data"]["bookmakers"][0]["markets"][0]["outcomes"][0]["point"] = 245.5;
  EXPECT_NE(error_of([&] { parse_raw_file("props", j.dump(), kPropsPath, Schedule()); }).find("points_line = 245.5"),
            std::string::npos);
  // An outcome without its player is refused (legacy skipped it, leaving the
  // player's row with one price).
  j = json::parse(props_file(sample));
  j["data"]["bookmakers"][0]["markets"][0]["outcomes"][2].erase("description");
  const std::string m = error_of([&] { parse_raw_file("props", j.dump(), kPropsPath, Schedule()); });
  EXPECT_NE(m.find(std::string(kPropsPath) + ": record event cd0bc7d0c238f4446ce1c03d0cea7ec4 bookmakers[0] draftkings "
                                             "player_points.outcomes[2], field description = "),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("(date 2024-01-24): missing field (the player of a player_points outcome)"), std::string::npos) << m;
  j["data"]["bookmakers"][0]["markets"][0]["outcomes"][2]["description"] = "";
  EXPECT_NE(error_of([&] { parse_raw_file("props", j.dump(), kPropsPath, Schedule()); }).find("field description"),
            std::string::npos);
  j = json::parse(props_file(sample));
  j.erase("timestamp");
  EXPECT_NE(error_of([&] { parse_raw_file("props", j.dump(), kPropsPath, Schedule()); }).find("field timestamp"),
            std::string::npos);
}

// A line with one side only was stored by the legacy with a NULL price (no
// sign of the missing side), and a line given as text ("24.5") was read as a
// number: both are refused, naming the player's outcome.
TEST(RawPlayerProps, OneSidedLinesAreStoredAndLinesAsTextAreRefused) {
  NBAPROPS_SAMPLE(sample, "oddsa_player_props_his/exp_815b3ee3.json");
  const json good = json::parse(props_file(sample));
  // Outcomes of bookmaker 0: Over then Under of Bogdanović (0, 1), Hunter (2, 3), Payton (4, 5).
  auto msg_of = [&](const std::function<void(json&)>& change) {
    json j = good;
    change(j["data"]["bookmakers"][0]["markets"][0]["outcomes"]);
    return error_of([&] { parse_raw_file("props", j.dump(), kPropsPath, Schedule()); });
  };
  const std::string market =
      std::string(kPropsPath) + ": record event cd0bc7d0c238f4446ce1c03d0cea7ec4 bookmakers[0] draftkings ";
  // A line offered on one side only is stored as the legacy stores it: the missing side's prices NULL.
  json one_sided = good;
  one_sided["data"]["bookmakers"][0]["markets"][0]["outcomes"].erase(3);
  const Table t = parse_raw_file("props", one_sided.dump(), kPropsPath, Schedule());
  ASSERT_EQ(t.num_rows(), 6u);
  const std::string book = good["data"]["bookmakers"][0]["key"].get<std::string>();
  size_t found = 0;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (t.get_text(r, "player_lookup") != "deandrehunter" || t.get_text(r, "bookmaker") != book) continue;
    ++found;
    EXPECT_TRUE(t.get_real(r, "over_price").has_value());
    EXPECT_FALSE(t.get_real(r, "under_price").has_value());
  }
  EXPECT_EQ(found, 1u);
  std::string m;
  m = msg_of([](json& o) { o[4]["price"] = "1.87"; });
  EXPECT_NE(m.find("player_points.outcomes[4] 'Gary Payton II', field price = '1.87' (date 2024-01-24): "
                   "expected a JSON number, not text"),
            std::string::npos)
      << m;
  m = msg_of([](json& o) { o[0]["point"] = "24.5"; });
  EXPECT_NE(m.find(market + "player_points.outcomes[0] 'Bogdan Bogdanović', field point = '24.5' (date 2024-01-24): "
                            "expected a JSON number, not text"),
            std::string::npos)
      << m;
  // The second side's line too (only the first one seen is stored).
  m = msg_of([](json& o) { o[5]["point"] = "24.5"; });
  EXPECT_NE(m.find("player_points.outcomes[5] 'Gary Payton II', field point = '24.5' (date 2024-01-24): "
                   "expected a JSON number, not text"),
            std::string::npos)
      << m;
  EXPECT_EQ(parse_raw_file("props", good.dump(), kPropsPath, Schedule()).num_rows(), 6u);
}

// An Under at another line than the player's Over: the legacy keeps the first
// line seen (and both prices); so do we, and a warning names the file, the
// bookmaker, the player and both lines.
TEST(RawPlayerProps, AnUnderAtAnotherLineKeepsTheFirstLineWithAWarning) {
  NBAPROPS_SAMPLE(sample, "oddsa_player_props_his/exp_815b3ee3.json");
  json j = json::parse(props_file(sample));
  // Outcomes of bookmaker 0: Over then Under of Bogdanović (0, 1), Hunter (2, 3), Payton (4, 5).
  json& outcomes = j["data"]["bookmakers"][0]["markets"][0]["outcomes"];
  outcomes[3]["point"] = 25.5;  // Hunter's Under
  std::swap(outcomes[4], outcomes[5]);
  outcomes[4]["point"] = 23.5;  // Payton's Under, seen first
  const std::string book = j["data"]["bookmakers"][0]["key"].get<std::string>();
  Table t(catalog::get("nba_raw.odds_api_player_points_props"));
  const std::string err = warnings_of([&] { t = parse_raw_file("props", j.dump(), kPropsPath, Schedule()); });
  ASSERT_EQ(t.num_rows(), 6u);
  auto row_of = [&](const char* lookup) {
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (t.get_text(r, "player_lookup") == lookup && t.get_text(r, "bookmaker") == book) return r;
    }
    ADD_FAILURE() << lookup;
    return size_t{0};
  };
  const size_t hunter = row_of("deandrehunter"), payton = row_of("garypaytonii");
  EXPECT_DOUBLE_EQ(*t.get_real(hunter, "points_line"), 24.5);
  EXPECT_DOUBLE_EQ(*t.get_real(hunter, "over_price"), 2.1);
  EXPECT_DOUBLE_EQ(*t.get_real(hunter, "under_price"), 1.7);
  EXPECT_DOUBLE_EQ(*t.get_real(payton, "points_line"), 23.5);
  EXPECT_DOUBLE_EQ(*t.get_real(payton, "over_price"), 1.95);
  EXPECT_DOUBLE_EQ(*t.get_real(payton, "under_price"), 1.85);
  const std::string market =
      std::string(kPropsPath) + ": record event cd0bc7d0c238f4446ce1c03d0cea7ec4 bookmakers[0] " + book + " ";
  EXPECT_NE(err.find(market + "player_points.outcomes[3] 'De'Andre Hunter' (date 2024-01-24): the Under line (point "
                              "25.5) differs from the Over line (24.5, the player's first outcome); the row keeps "
                              "points_line 24.5, as the legacy does"),
            std::string::npos)
      << err;
  EXPECT_NE(err.find(market + "player_points.outcomes[5] 'Gary Payton II' (date 2024-01-24): the Over line (point "
                              "24.5) differs from the Under line (23.5, the player's first outcome); the row keeps "
                              "points_line 23.5"),
            std::string::npos)
      << err;
  // Lines that agree give no warning.
  EXPECT_EQ(warnings_of([&] { parse_raw_file("props", props_file(sample), kPropsPath, Schedule()); }), "");
}

// A player (`description`) that is a number ("123", 45) is refused like the
// gamebook's (legacy stored the text as the name and lookup).
TEST(RawPlayerProps, NumericPlayerNamesAreRefused) {
  NBAPROPS_SAMPLE(sample, "oddsa_player_props_his/exp_815b3ee3.json");
  auto msg_of = [&](const json& name) {
    json j = json::parse(props_file(sample));
    for (size_t i : {2, 3}) j["data"]["bookmakers"][1]["markets"][0]["outcomes"][i]["description"] = name;
    return error_of([&] { parse_raw_file("props", j.dump(), kPropsPath, Schedule()); });
  };
  const std::string book = json::parse(sample)["data"]["bookmakers"][1]["key"].get<std::string>();
  const std::string outcome = std::string(kPropsPath) +
                              ": record event cd0bc7d0c238f4446ce1c03d0cea7ec4 bookmakers[1] " + book +
                              " player_points.outcomes[2] ";
  std::string m = msg_of("123");
  EXPECT_NE(m.find(outcome + "'123', field description = '123' (date 2024-01-24): a number, not a player name (no "
                             "letters)"),
            std::string::npos)
      << m;
  m = msg_of(45);
  EXPECT_NE(m.find(outcome + "'45', field description = '45' (date 2024-01-24): a number, not a player name"),
            std::string::npos)
      << m;
}

TEST(RawBdl, BoxScoresGoldenOnTheLegacySample) {
  NBAPROPS_SAMPLE(text, "bdl_box_scores/exp_7a649e12.json");
  Table t =
      parse_raw_file("bdl-boxscores", text, "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json", Schedule());
  ASSERT_EQ(t.num_rows(), 384u);
  size_t batum = row_where(t, "player_lookup", "nicolasbatum");
  EXPECT_EQ(t.get_text(batum, "game_id"), "20240115_HOU_PHI");
  EXPECT_EQ(t.get_text(batum, "team_abbr"), "PHI");
  EXPECT_EQ(t.get_int(batum, "points"), 5);
  EXPECT_EQ(t.get_text(batum, "minutes"), "28");
  EXPECT_EQ(t.get_int(batum, "season_year"), 2023);
  EXPECT_EQ(t.get_int(batum, "home_team_score"), 124);
  EXPECT_EQ(t.get_text(row_where(t, "player_full_name", "De'Anthony Melton"), "player_lookup"), "deanthonymelton");
  EXPECT_EQ(t.get_text(row_where(t, "player_full_name", "Jaren Jackson Jr."), "player_lookup"), "jarenjacksonjr");
  EXPECT_EQ(t.get_text(row_where(t, "player_full_name", "E.J. Liddell"), "player_lookup"), "ejliddell");
  // DNP lines (minutes "00") are kept with zero counting stats.
  size_t dnp = row_where(t, "minutes", "00");
  EXPECT_EQ(t.get_int(dnp, "points"), 0);
  // Empty day.
  NBAPROPS_SAMPLE(empty, "bdl_box_scores/exp_d62cc934.json");
  EXPECT_EQ(parse_raw_file("bdl-boxscores", empty, "e.json", Schedule()).num_rows(), 0u);
}

TEST(RawBdl, StatsEndpointGoldenOnTheLegacySample) {
  NBAPROPS_SAMPLE(text, "bdl_player_box_scores/exp_1db4c01e.json");
  Table t =
      parse_raw_file("bdl-stats", text, "ball-dont-lie/player-box-scores/2025-06-23/20250623_080000.json", Schedule());
  ASSERT_EQ(t.num_rows(), 30u);
  size_t sga = row_where(t, "player_full_name", "Shai Gilgeous-Alexander");
  EXPECT_EQ(t.get_text(sga, "player_lookup"), "shaigilgeousalexander");
  EXPECT_EQ(t.get_text(sga, "game_id"), "20250622_IND_OKC");
  EXPECT_EQ(t.get_text(sga, "team_abbr"), "OKC");
  EXPECT_EQ(t.get_bool(sga, "is_postseason"), true);
  EXPECT_EQ(t.get_int(sga, "away_team_score"), 91);
  EXPECT_EQ(t.get_text(row_where(t, "player_full_name", "T.J. McConnell"), "team_abbr"), "IND");
}

// A balldontlie player whose name has no letters ("123" + 45: a misread
// column) is refused like the gamebook's, props' and injury report's, by the
// one helper (legacy BdlBoxscoresProcessor / BdlPlayerBoxScoresProcessor
// skipped only an empty first or last name and stored "123 45" / "12345").
TEST(RawBdl, NumericPlayerNamesAreRefused) {
  NBAPROPS_SAMPLE(box, "bdl_box_scores/exp_7a649e12.json");
  const std::string box_file = "ball-dont-lie/boxscores/2024-01-15/20240116_090000.json";
  auto box_error = [&](const json& first, const json& last) {
    json j = json::parse(box);
    j["data"][0]["home_team"]["players"][0]["player"]["first_name"] = first;
    j["data"][0]["home_team"]["players"][0]["player"]["last_name"] = last;
    return error_of([&] { parse_raw_file("bdl-boxscores", j.dump(), box_file, Schedule()); });
  };
  std::string m = box_error("123", 45);
  EXPECT_NE(m.find(box_file + ": record boxScores[0] HOU@PHI home_team.players[0] '123 45', field "
                              "player.first_name + last_name = '123 45' (date 2024-01-15): a number, not a player "
                              "name (no letters)"),
            std::string::npos)
      << m;
  m = box_error("#", ".");
  EXPECT_NE(m.find("field player.first_name + last_name = '# .' (date 2024-01-15): no letters or digits in the "
                   "player name"),
            std::string::npos)
      << m;
  NBAPROPS_SAMPLE(stats, "bdl_player_box_scores/exp_1db4c01e.json");
  const std::string stats_file = "ball-dont-lie/player-box-scores/2025-06-23/20250623_080000.json";
  json j = json::parse(stats);
  j["data"][0]["player"]["first_name"] = "12";
  j["data"][0]["player"]["last_name"] = "34";
  m = error_of([&] { parse_raw_file("bdl-stats", j.dump(), stats_file, Schedule()); });
  EXPECT_NE(m.find(stats_file + ": record stats[0] IND@OKC '12 34', field player.first_name + last_name = '12 34' "
                                "(date 2025-06-22): a number, not a player name (no letters)"),
            std::string::npos)
      << m;
}

/// A lake directory with the gamebook sample under @p date_dir / @p game_dir /
/// @p file.
void put_gamebook(const fs::path& lake, const std::string& text, const std::string& date_dir,
                  const std::string& game_dir, const std::string& file) {
  write_file(lake / "nba-com/gamebooks-data" / date_dir / game_dir / file, text);
}

TEST(RawImport, NewestFileWinsReplacesOnlyCoveredGamesAndWritesTheLedger) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  testing::TempDir dir;
  const fs::path lake = dir.path() / "lake";
  json newer = json::parse(text);
  newer["active_players"][0]["stats"]["plus_minus"] = -12;  // a corrected re-scrape
  put_gamebook(lake, text, "2024-04-10", "20240410-MEMCLE", "20240411_040000.json");
  put_gamebook(lake, newer.dump(), "2024-04-10", "20240410-MEMCLE", "20240411_050000.json");
  // A second game of the same date, from a different file.
  json other = json::parse(text);
  other["away_team"] = "BOS";
  other["home_team"] = "LAL";
  other["game_code"] = "20240410/BOSLAL";
  for (const char* a : {"active_players", "dnp_players", "inactive_players"}) {
    for (json& p : other[a]) p["team"] = p["team"] == "Memphis Grizzlies" ? "Boston Celtics" : "Los Angeles Lakers";
  }
  put_gamebook(lake, other.dump(), "2024-04-10", "20240410-BOSLAL", "20240411_040000.json");
  auto wh = open_warehouse((dir.path() / "wh").string());
  RawImportOptions o;
  o.dates = {Date::parse("2024-04-10")};
  auto res = import_raw(*wh, "gamebook", lake.string(), Schedule(), o);
  EXPECT_EQ(res.rows, 82);
  ASSERT_EQ(res.files.size(), 2u);  // the older MEMCLE file is not even read
  const TableSchema& gb = catalog::get("nba_raw.nbac_gamebook_player_stats");
  Table t = wh->read(gb, std::nullopt);
  ASSERT_EQ(t.num_rows(), 82u);
  size_t gg = row_where(t, "player_lookup", "ggjackson", "20240410_MEM_CLE");
  EXPECT_EQ(t.get_int(gg, "plus_minus"), -12);
  EXPECT_EQ(t.get_text(gg, "processed_by_run_id"), res.run_id);
  // Re-import only the MEMCLE game from a single file: BOS@LAL stays, no
  // duplicates.
  const fs::path one = lake / "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_040000.json";
  import_raw(*wh, "gamebook", one.string(), Schedule(), {});
  t = wh->read(gb, std::nullopt);
  EXPECT_EQ(t.num_rows(), 82u);
  EXPECT_EQ(t.get_int(row_where(t, "player_lookup", "ggjackson", "20240410_MEM_CLE"), "plus_minus"), -13);
  EXPECT_EQ(t.get_int(row_where(t, "player_lookup", "ggjackson", "20240410_BOS_LAL"), "plus_minus"), -13);
  // Ledger: one success row per import for the date.
  Table ledger = wh->read(catalog::get("nba_orchestration.run_ledger"), std::nullopt);
  ASSERT_EQ(ledger.num_rows(), 2u);
  EXPECT_EQ(ledger.get_text(0, "processor"), "raw.gamebook");
  EXPECT_EQ(ledger.get_text(0, "output_table"), "nba_raw.nbac_gamebook_player_stats");
  EXPECT_EQ(ledger.get_text(0, "status"), "success");
  EXPECT_EQ(ledger.get_int(0, "rows_written"), 82);
}

TEST(RawImport, AllOrNothingDuplicatesAndFailedLedgerRows) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  testing::TempDir dir;
  const fs::path lake = dir.path() / "lake";
  put_gamebook(lake, text, "2024-04-10", "20240410-MEMCLE", "20240411_040000.json");
  // A second, truncated file of another game: nothing of the import may be
  // written.
  put_gamebook(lake, text.substr(0, 500), "2024-04-10", "20240410-BOSLAL", "20240411_040000.json");
  auto wh = open_warehouse((dir.path() / "wh").string());
  RawImportOptions o;
  o.dates = {Date::parse("2024-04-10")};
  std::string msg = error_of([&] { import_raw(*wh, "gamebook", lake.string(), Schedule(), o); });
  EXPECT_NE(msg.find("20240410-BOSLAL/20240411_040000.json"), std::string::npos) << msg;
  const TableSchema& gb = catalog::get("nba_raw.nbac_gamebook_player_stats");
  EXPECT_EQ(wh->read(gb, std::nullopt).num_rows(), 0u);
  Table ledger = wh->read(catalog::get("nba_orchestration.run_ledger"), std::nullopt);
  ASSERT_EQ(ledger.num_rows(), 1u);
  EXPECT_EQ(ledger.get_text(0, "status"), "failed");
  EXPECT_NE(ledger.get_text(0, "reason")->find("truncated JSON"), std::string::npos);
  // A file whose game folder disagrees with its content.
  put_gamebook(lake, text, "2024-04-10", "20240410-BOSLAL", "20240411_040000.json");
  msg = error_of([&] { import_raw(*wh, "gamebook", lake.string(), Schedule(), o); });
  EXPECT_NE(msg.find("the game folder says BOSLAL"), std::string::npos) << msg;
  fs::remove_all(lake / "nba-com/gamebooks-data/2024-04-10/20240410-BOSLAL");
  // A duplicate record (the same player twice in one file) is an error too.
  json dup = json::parse(text);
  dup["active_players"].push_back(dup["active_players"][0]);
  dup["active_count"] = 22;  // else the count check names the extra player first
  put_gamebook(lake, dup.dump(), "2024-04-10", "20240410-MEMCLE", "20240411_050000.json");
  msg = error_of([&] { import_raw(*wh, "gamebook", lake.string(), Schedule(), o); });
  EXPECT_NE(msg.find("duplicate record"), std::string::npos) << msg;
  EXPECT_NE(msg.find("player_lookup=ggjackson"), std::string::npos) << msg;
  EXPECT_EQ(wh->read(gb, std::nullopt).num_rows(), 0u);
  // Dry run: everything checked, nothing written.
  fs::remove(lake / "nba-com/gamebooks-data/2024-04-10/20240410-MEMCLE/20240411_050000.json");
  o.dry_run = true;
  auto res = import_raw(*wh, "gamebook", lake.string(), Schedule(), o);
  EXPECT_EQ(res.rows, 41);
  EXPECT_EQ(wh->read(gb, std::nullopt).num_rows(), 0u);
}

TEST(RawImport, InactiveLastNamesResolvedFromTheInjuryReport) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  NBAPROPS_SAMPLE(injury, "nbac_injury_report/exp_f4391904.json");
  testing::TempDir dir;
  const fs::path lake = dir.path() / "lake";
  json report = json::parse(injury);
  report["metadata"]["gamedate"] = "20240410";
  report["records"] = json::array();
  for (const char* p :
       {"Bane, Desmond", "Jackson Jr., Jaren", "Jackson, GG", "Williams Jr., Vince", "Williams Jr., Mark"}) {
    report["records"].push_back({{"date", "04/10/2024"},
                                 {"gametime", "07:30 (ET)"},
                                 {"matchup", "MEM@CLE"},
                                 {"team", "MEM"},
                                 {"player", p},
                                 {"status", "Out"},
                                 {"reason", "Injury/Illness"}});
  }
  write_file(lake / "nba-com/injury-report-data/2024-04-10/17/20240410_170000.json", report.dump());
  put_gamebook(lake, text, "2024-04-10", "20240410-MEMCLE", "20240411_040000.json");
  auto wh = open_warehouse((dir.path() / "wh").string());
  import_raw(*wh, "injury-report", lake.string(), Schedule(), {});
  import_raw(*wh, "gamebook", lake.string(), Schedule(), {});
  Table t = wh->read(catalog::get("nba_raw.nbac_gamebook_player_stats"), std::nullopt);
  size_t bane = row_where(t, "player_name_original", "Bane");
  EXPECT_EQ(t.get_text(bane, "player_name"), "Desmond Bane");
  EXPECT_EQ(t.get_text(bane, "player_lookup"), "desmondbane");
  EXPECT_EQ(t.get_text(bane, "name_resolution_status"), "resolved");
  EXPECT_EQ(t.get_bool(bane, "requires_manual_review"), false);
  EXPECT_NE(t.get_text(bane, "data_quality_flags")->find("name_resolved"), std::string::npos);
  // The suffix picks Jaren Jackson Jr., not GG Jackson.
  EXPECT_EQ(t.get_text(row_where(t, "player_name_original", "Jackson Jr."), "player_lookup"), "jarenjacksonjr");
  size_t williams = row_where(t, "player_name_original", "Williams Jr.");
  EXPECT_EQ(t.get_text(williams, "name_resolution_status"), "multiple_matches");
  EXPECT_EQ(t.get_bool(williams, "requires_manual_review"), true);
  size_t konchar = row_where(t, "player_name_original", "Konchar");
  EXPECT_EQ(t.get_text(konchar, "name_resolution_status"), "not_found");
  EXPECT_EQ(t.get_text(konchar, "player_lookup"), "konchar");
}

TEST(RawImport, OlderLayoutWithoutGameFolderAndTeamFilter) {
  NBAPROPS_SAMPLE(text, "nbac_gamebook_pdf/exp_0173bcd1.json");
  testing::TempDir dir;
  const fs::path lake = dir.path() / "lake";
  // Older files sit directly in the date folder: every one is read, the content
  // says the game.
  write_file(lake / "nba-com/gamebooks-data/2024-04-10/20240411_040000.json", text);
  json other = json::parse(text);
  other["away_team"] = "BOS";
  other["home_team"] = "LAL";
  other["game_code"] = "20240410/BOSLAL";
  for (const char* a : {"active_players", "dnp_players", "inactive_players"}) {
    for (json& p : other[a]) p["team"] = p["team"] == "Memphis Grizzlies" ? "Boston Celtics" : "Los Angeles Lakers";
  }
  write_file(lake / "nba-com/gamebooks-data/2024-04-10/20240411_041000.json", other.dump());
  auto wh = open_warehouse((dir.path() / "wh").string());
  RawImportOptions o;
  o.team_filter = {"BOS"};
  auto res = import_raw(*wh, "gamebook", lake.string(), Schedule(), o);
  EXPECT_EQ(res.rows, 41);
  Table t = wh->read(catalog::get("nba_raw.nbac_gamebook_player_stats"), std::nullopt);
  ASSERT_EQ(t.num_rows(), 41u);
  EXPECT_EQ(t.get_text(0, "game_id"), "20240410_BOS_LAL");
  EXPECT_EQ(import_raw(*wh, "gamebook", lake.string(), Schedule(), {}).rows, 82);
  EXPECT_THROW(import_raw(*wh, "injury-report", lake.string(), Schedule(), o), ConfigError);
}

TEST(RawImport, GameLinesLatestSnapshotPerEventOrAll) {
  NBAPROPS_SAMPLE(text, "oddsa_game_lines_his/exp_b722994c.json");
  testing::TempDir dir;
  const fs::path lake = dir.path() / "lake";
  const fs::path ev = lake /
                      "odds-api/game-lines-history/2024-01-24/"
                      "cd0bc7d0c238f4446ce1c03d0cea7ec4-ATLGSW";
  json later = json::parse(text);
  later["timestamp"] = "2024-01-25T03:00:40Z";
  write_file(ev / "20240125_030040-snap-0300.json", later.dump());
  write_file(ev / "20240125_035540-snap-0355.json", text);
  auto wh = open_warehouse((dir.path() / "wh").string());
  auto res = import_raw(*wh, "game-lines", lake.string(), Schedule(), {});
  EXPECT_EQ(res.rows, 8);
  ASSERT_EQ(res.dates.size(), 1u);
  RawImportOptions all;
  all.all_snapshots = true;
  res = import_raw(*wh, "game-lines", lake.string(), Schedule(), all);
  EXPECT_EQ(res.rows, 16);
  EXPECT_EQ(wh->read(catalog::get("nba_raw.odds_api_game_lines"), std::nullopt).num_rows(), 16u);
  // Re-running is idempotent (the snapshots are replaced, not appended).
  import_raw(*wh, "game-lines", lake.string(), Schedule(), all);
  EXPECT_EQ(wh->read(catalog::get("nba_raw.odds_api_game_lines"), std::nullopt).num_rows(), 16u);
}

TEST(RawImport, UnknownKindAndMissingSource) {
  testing::TempDir dir;
  auto wh = open_warehouse((dir.path() / "wh").string());
  EXPECT_THROW(import_raw(*wh, "espn-boxscore", dir.path().string(), Schedule(), {}), ConfigError);
  EXPECT_THROW(import_raw(*wh, "gamebook", (dir.path() / "nope").string(), Schedule(), {}), StorageError);
  EXPECT_GE(importers::raw_sources().size(), 7u);
}

}  // namespace
}  // namespace nbaprops
