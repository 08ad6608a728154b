// Importers of real formats: CSV reader, NBA.com schedule JSON, shot-chart CSV,
// balldontlie JSON, warehouse writers; unit tests on inline strings plus
// real-data tests on ../shared/data.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>
#include <map>
#include <set>

#include "nbaprops/core/error.hpp"
#include "nbaprops/importers/csv.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/importers/validate.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::importers;
using nbaprops::testing::TempDir;

namespace {

/// Runs @p fn and returns the DataError message it throws (fails the test when
/// none is thrown).
template <class F>
std::string data_error_of(F&& fn) {
  try {
    fn();
  } catch (const DataError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a DataError";
  return "";
}

const Game* find_game(const std::vector<Game>& games, const std::string& id) {
  for (const Game& g : games) {
    if (g.nba_game_id == id) return &g;
  }
  return nullptr;
}

// One schedule game object in NBA.com's shape.
std::string game_json(const std::string& id, const std::string& code, const std::string& home, const std::string& away,
                      const std::string& label, const std::string& sub_label, const std::string& week_name,
                      int week_number, int status, const std::string& status_text = "Final",
                      const std::string& subtype = "") {
  return R"({"gameId":")" + id + R"(","gameCode":")" + code + R"(","gameStatus":)" + std::to_string(status) +
         R"(,"gameStatusText":")" + status_text + R"(","weekNumber":)" + std::to_string(week_number) +
         R"(,"weekName":")" + week_name + R"(","gameLabel":")" + label + R"(","gameSubLabel":")" + sub_label +
         R"(","gameSubtype":")" + subtype + R"(","homeTeam":{"teamTricode":")" + home +
         R"(","score":110},"awayTeam":{"teamTricode":")" + away + R"(","score":99}})";
}

const char* kShotHeader =
    "SEASON_1,SEASON_2,TEAM_ID,TEAM_NAME,PLAYER_ID,PLAYER_NAME,POSITION_GROUP,"
    "POSITION,GAME_DATE,GAME_ID,HOME_TEAM,"
    "AWAY_TEAM,EVENT_TYPE,SHOT_MADE,ACTION_TYPE,SHOT_TYPE,BASIC_ZONE,ZONE_NAME,"
    "ZONE_ABB,ZONE_RANGE,LOC_X,LOC_Y,"
    "SHOT_DISTANCE,QUARTER,MINS_LEFT,SECS_LEFT\r\n";

/// A typical SHOT_DISTANCE (ft) for a BASIC_ZONE. The zone rule reads the
/// distance (legacy spec §6: a two ≤ 8 ft is paint), so the fixtures, written
/// by zone name before that fix, carry a distance that matches their zone.
std::string feet_of(const std::string& zone) {
  if (zone == "Restricted Area") return "2";
  if (zone == "In The Paint (Non-RA)") return "6";
  if (zone == "Mid-Range") return "15";
  if (zone == "Backcourt") return "60";
  return "25";  // the three-point zones
}

std::string shot(const std::string& team, const std::string& pid, const std::string& name, const std::string& date,
                 const std::string& gid, const std::string& home, const std::string& away, const std::string& made,
                 const std::string& type, const std::string& zone, const std::string& feet = "") {
  return "2024,2023-24,1," + team + "," + pid + "," + name + ",G,SG," + date + "," + gid + "," + home + "," + away +
         ",Made Shot," + made + ",\"Jump Shot, \"\"pull-up\"\"\"," + type + "," + zone + ",Center,C,8-16 ft.,0,1," +
         (feet.empty() ? feet_of(zone) : feet) + ",1,11,1\r\n";
}

}  // namespace

// ----------------------------------------------------------------------------------------
// CSV

TEST(ImportCsv, QuotedFieldsEscapedQuotesAndCrlf) {
  const std::string text = "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n\r\n\"multi\nline\",,end\n";
  CsvReader r(text, "t.csv");
  std::vector<std::string> f;
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(r.line(), 1);
  ASSERT_TRUE(r.next(f));
  EXPECT_EQ(f, (std::vector<std::string>{"1", "x, y", "say \"hi\""}));
  EXPECT_EQ(r.line(), 2);
  ASSERT_TRUE(r.next(f));  // the blank line 3 is skipped
  EXPECT_EQ(f, (std::vector<std::string>{"multi\nline", "", "end"}));
  EXPECT_EQ(r.line(), 4);
  EXPECT_FALSE(r.next(f));
}

TEST(ImportCsv, MalformedQuotesNameLineAndField) {
  std::vector<std::string> f;
  CsvReader r1("a,b\n1,\"open\n", "bad.csv");
  ASSERT_TRUE(r1.next(f));
  std::string m = data_error_of([&] { r1.next(f); });
  EXPECT_NE(m.find("bad.csv line 2 field 2"), std::string::npos) << m;
  EXPECT_NE(m.find("unterminated"), std::string::npos) << m;
  CsvReader r2("a,b\n1,x\"y\n", "bad.csv");
  ASSERT_TRUE(r2.next(f));
  m = data_error_of([&] { r2.next(f); });
  EXPECT_NE(m.find("bad.csv line 2 field 2"), std::string::npos) << m;
}

// ----------------------------------------------------------------------------------
// read_text_file

TEST(ImportFile, ReadsPlainAndGzipAndReportsMissing) {
  TempDir dir;
  const std::string plain = (dir.path() / "a.txt").string();
  const std::string gz = (dir.path() / "a.txt.gz").string();
  std::string content = "hello,\"world\"\n";
  for (int i = 0; i < 20000; ++i) content += "line " + std::to_string(i) + "\n";  // > one 64 KiB read
  std::ofstream(plain, std::ios::binary) << content;
  gzFile f = gzopen(gz.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  ASSERT_EQ(gzwrite(f, content.data(), static_cast<unsigned>(content.size())), static_cast<int>(content.size()));
  gzclose(f);
  EXPECT_EQ(read_text_file(plain), content);
  EXPECT_EQ(read_text_file(gz), content);
  EXPECT_THROW(read_text_file((dir.path() / "missing.json.gz").string()), StorageError);
  // A truncated gzip stream is a DataError.
  std::ifstream in(gz, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  std::ofstream(gz, std::ios::binary | std::ios::trunc) << bytes.substr(0, bytes.size() / 2);
  EXPECT_THROW(read_text_file(gz), DataError);
}

TEST(ImportFile, TeamNamesToTricodes) {
  EXPECT_EQ(tricode_from_team_name("Boston Celtics"), "BOS");
  EXPECT_EQ(tricode_from_team_name("LA Clippers"), "LAC");
  EXPECT_EQ(tricode_from_team_name("Los Angeles Clippers"), "LAC");
  EXPECT_EQ(tricode_from_team_name("Los Angeles Lakers"), "LAL");
  EXPECT_EQ(tricode_from_team_name("Portland Trail Blazers"), "POR");
  EXPECT_EQ(tricode_from_team_name("Philadelphia 76ers"), "PHI");
  EXPECT_EQ(tricode_from_team_name("Seattle SuperSonics"), "");
}

// ----------------------------------------------------------------------------------
// schedule

TEST(ImportSchedule, OldLayoutClassifiesEachBranchInOrder) {
  const std::string json =
      R"({"leagueSchedule":{"seasonYear":"2024-25","gameDates":[)"
      R"({"gameDate":"10/04/2024 00:00:00","games":[)" +
      game_json("0012400001", "20241004/BOSDEN", "DEN", "BOS", "Preseason", "", "", 0, 3) + "]}," +
      R"({"gameDate":"10/22/2024 00:00:00","games":[)" +
      game_json("0022400001", "20241022/NYKBOS", "BOS", "NYK", "", "", "Week 1", 1, 3) + "]}," +
      R"({"gameDate":"11/12/2024 00:00:00","games":[)" +
      game_json("0022400200", "20241112/ATLBOS", "BOS", "ATL", "Emirates NBA Cup", "East Group C", "Week 4", 4, 3,
                "Final", "in-season") +
      "," +
      // A Rising Stars label wins over weekNumber 0 and over a playoff-like
      // label (order (1) first).
      game_json("0032400001", "20250214/LALGSW", "GSW", "LAL", "Rising Stars Semifinal", "Game 1", "", 0, 3) + "," +
      // weekName All-Star alone is enough.
      game_json("0032400002", "20250215/LALGSW", "GSW", "LAL", "", "", "All-Star", 20, 3) + "," +
      // A sub-label can carry the All-Star event name.
      game_json("0032400003", "20250215/MIABOS", "BOS", "MIA", "Saturday Night", "Slam Dunk Contest", "", 20, 3) +
      "]}," + R"({"gameDate":"04/15/2025 00:00:00","games":[)" +
      game_json("0052400101", "20250415/MIAATL", "ATL", "MIA", "SoFi Play-In Tournament", "East", "Week 26", 26, 3) +
      "," +
      game_json("0042400101", "20250419/ORLBOS", "BOS", "ORL", "East First Round", "Game 1", "Week 26", 26, 2,
                "Q3 5:00") +
      "," +
      game_json("0042400401", "20250605/INDOKC", "OKC", "IND", "NBA Finals", "Game 1", "Week 33", 33, 1, "8:30 pm ET") +
      "," +
      game_json("0042400301", "20250521/MINOKC", "OKC", "MIN", "West Conf. Finals", "Game 1", "Week 31", 31, 1, "PPD") +
      "]}]}}";
  ScheduleImport imp = parse_nbacom_schedule(json, "sched.json");
  ASSERT_EQ(imp.games.size(), 10u);
  EXPECT_EQ(imp.dropped_exhibition, 0);
  EXPECT_EQ(imp.dropped_invalid, 0);
  auto type_of = [&](const std::string& id) { return find_game(imp.games, id)->type; };
  EXPECT_EQ(type_of("0012400001"), GameType::kPreseason);
  EXPECT_EQ(type_of("0022400001"), GameType::kRegularSeason);
  EXPECT_EQ(type_of("0022400200"), GameType::kRegularSeason);
  EXPECT_EQ(type_of("0032400001"), GameType::kAllStar);
  EXPECT_EQ(type_of("0032400002"), GameType::kAllStar);
  EXPECT_EQ(type_of("0032400003"), GameType::kAllStar);
  EXPECT_EQ(type_of("0052400101"), GameType::kPlayIn);
  EXPECT_EQ(type_of("0042400101"), GameType::kPlayoff);
  EXPECT_EQ(type_of("0042400401"), GameType::kPlayoff);
  EXPECT_EQ(type_of("0042400301"), GameType::kPlayoff);
  const Game& cup = *find_game(imp.games, "0022400200");
  EXPECT_TRUE(cup.is_cup);
  EXPECT_FALSE(find_game(imp.games, "0022400001")->is_cup);
  EXPECT_EQ(cup.date, Date::parse("2024-11-12"));
  EXPECT_EQ(cup.season, 2024);
  EXPECT_EQ(cup.home, "BOS");
  EXPECT_EQ(cup.away, "ATL");
  EXPECT_EQ(cup.status, GameStatus::kFinal);
  EXPECT_EQ(cup.home_score, 110);
  EXPECT_EQ(cup.away_score, 99);
  EXPECT_EQ(cup.date_id(), "20241112_ATL_BOS");
  EXPECT_EQ(find_game(imp.games, "0042400101")->status, GameStatus::kLive);
  EXPECT_EQ(find_game(imp.games, "0042400401")->status, GameStatus::kScheduled);
  EXPECT_FALSE(find_game(imp.games, "0042400401")->home_score.has_value());  // no score before tip-off
  EXPECT_EQ(find_game(imp.games, "0042400301")->status, GameStatus::kPostponed);
  // The playoff game date comes from the gameDates entry, not the game code.
  EXPECT_EQ(find_game(imp.games, "0042400401")->date, Date::parse("2025-04-15"));
  EXPECT_EQ(find_game(imp.games, "0042400401")->season, 2024);
}

// A game's own date fields that are not dates (2025-02-30), or Eastern dates
// that are not the game's date, mark a damaged record: refused, not ignored
// because the date used comes from the gameDates entry.
TEST(ImportSchedule, GamesOwnDateFieldsMustBeDatesOfTheGame) {
  auto file = [](const std::string& extra) {
    std::string g = game_json("0022400563", "20250115/ATLCHI", "CHI", "ATL", "", "", "Week 13", 13, 3);
    g = g.substr(0, g.size() - 1) + "," + extra + "}";
    return R"({"leagueSchedule":{"gameDates":[{"gameDate":"01/15/2025 00:00:00","games":[)" + g + "]}]}}";
  };
  const std::string ok = file(R"("gameDateEst":"2025-01-15T00:00:00Z","gameDateTimeEst":"2025-01-15T20:00:00Z",)"
                              R"("gameDateUTC":"2025-01-15T05:00:00Z","gameDateTimeUTC":"2025-01-16T01:00:00Z")");
  ASSERT_EQ(parse_nbacom_schedule(ok, "s.json").games.size(), 1u);  // UTC may be the next day
  std::string m =
      data_error_of([&] { parse_nbacom_schedule(file(R"("gameDateEst":"2025-02-30T00:00:00Z")"), "s.json"); });
  EXPECT_NE(m.find("s.json game #0 (20250115/ATLCHI) field gameDateEst value '2025-02-30T00:00:00Z' (date 2025-01-15): "
                   "not a calendar date"),
            std::string::npos)
      << m;
  m = data_error_of([&] { parse_nbacom_schedule(file(R"("gameDateTimeUTC":"2025-02-30T00:00:00Z")"), "s.json"); });
  EXPECT_NE(m.find("field gameDateTimeUTC value '2025-02-30T00:00:00Z'"), std::string::npos) << m;
  m = data_error_of([&] { parse_nbacom_schedule(file(R"("gameDateTimeEst":"2025-01-16T20:00:00Z")"), "s.json"); });
  EXPECT_NE(m.find("field gameDateTimeEst value '2025-01-16T20:00:00Z' (date 2025-01-15): disagrees with the game's "
                   "date 2025-01-15"),
            std::string::npos)
      << m;
}

TEST(ImportSchedule, FlatLayoutAndEveryDateFormat) {
  auto with_date = [](const std::string& id, const std::string& field, const std::string& date) {
    std::string g = game_json(id, "20241101/BOSNYK", "NYK", "BOS", "", "", "Week 2", 2, 1, "7:30 pm ET");
    return g.substr(0, g.size() - 1) + R"(,")" + field + R"(":")" + date + R"("})";
  };
  const std::string json = R"({"games":[)" + with_date("0022400001", "gameDate", "11/01/2024 00:00:00") + "," +
                           with_date("0022400002", "gameDate", "11/02/2024") + "," +
                           with_date("0022400003", "gameDateEst", "2024-11-03T00:00:00Z") + "," +
                           with_date("0022400004", "gameDate", "2024-11-04") + "]}";
  ScheduleImport imp = parse_nbacom_schedule(json, "flat.json");
  ASSERT_EQ(imp.games.size(), 4u);
  EXPECT_EQ(imp.games[0].date, Date::parse("2024-11-01"));
  EXPECT_EQ(imp.games[1].date, Date::parse("2024-11-02"));
  EXPECT_EQ(imp.games[2].date, Date::parse("2024-11-03"));
  EXPECT_EQ(imp.games[3].date, Date::parse("2024-11-04"));
  EXPECT_EQ(imp.games[0].status, GameStatus::kScheduled);
  EXPECT_EQ(imp.games[0].type, GameType::kRegularSeason);

  // Old layout with the ISO and the `date` key at the gameDates level.
  const std::string old = R"({"leagueSchedule":{"gameDates":[{"date":"2025-01-15T00:00:00Z","games":[)" +
                          game_json("0022400009", "20250115/BOSNYK", "NYK", "BOS", "", "", "Week 13", 13, 3) + "]}]}}";
  EXPECT_EQ(parse_nbacom_schedule(old, "old.json").games.at(0).date, Date::parse("2025-01-15"));
}

TEST(ImportSchedule, DropsExhibitionAndInvalidGames) {
  const std::string json =
      R"({"games":[)" +
      game_json("0022400001", "20241005/NZBUTA", "UTA", "NZB", "Preseason", "", "", 0,
                3) +
      "," +                                                                                            // exhibition
      game_json("0022400002", "20250216/KENCHK", "CHK", "KEN", "All-Star Game", "", "", 0, 3) + "," +  // exhibition
      game_json("0022400003", "20241101BOSNYK", "NYK", "BOS", "", "", "Week 2", 2, 3) + "," +          // no '/'
      game_json("0022400004", "20241101/BOSNYK", "NYK", "", "", "", "Week 2", 2, 3) + "," +            // no away
      game_json("0022400005", "20250214/TMTTMX", "TMX", "TMT", "", "", "", 0, 3) + "," +               // non-NBA
      game_json("0022400006", "20241101/BOSNYK", "NYK", "BOS", "", "", "Week 2", 2, 3) + "]}";
  // Give every game a date.
  std::string dated = json;
  for (size_t p = 0; (p = dated.find(R"("gameId")", p)) != std::string::npos; p += 30) {
    dated.insert(p, R"("gameDate":"11/01/2024",)");
  }
  ScheduleImport imp = parse_nbacom_schedule(dated, "drops.json");
  ASSERT_EQ(imp.games.size(), 1u);
  EXPECT_EQ(imp.games[0].nba_game_id, "0022400006");
  EXPECT_EQ(imp.dropped_exhibition, 2);
  EXPECT_EQ(imp.dropped_invalid, 3);
}

TEST(ImportSchedule, UnreadableDateOrJsonIsDataError) {
  const std::string json = R"({"leagueSchedule":{"gameDates":[{"gameDate":"Nov 1 2024","games":[)" +
                           game_json("0022400007", "20241101/BOSNYK", "NYK", "BOS", "", "", "Week 2", 2, 3) + "]}]}}";
  std::string m = data_error_of([&] { parse_nbacom_schedule(json, "s.json"); });
  EXPECT_NE(m.find("s.json game #0 (20241101/BOSNYK) field gameDate"), std::string::npos) << m;
  EXPECT_NE(m.find("Nov 1 2024"), std::string::npos) << m;
  m = data_error_of([&] { parse_nbacom_schedule("{\"games\": [", "broken.json"); });
  EXPECT_NE(m.find("broken.json: malformed JSON"), std::string::npos) << m;
  // The position in plain words, not the JSON library's tag and jargon.
  EXPECT_NE(m.find("broken.json: malformed JSON at line 1, column 12: unexpected end of input"), std::string::npos)
      << m;
  EXPECT_EQ(m.find("json.exception"), std::string::npos) << m;
  EXPECT_EQ(m.find("syntax error while parsing"), std::string::npos) << m;
  m = data_error_of([&] { parse_bdl_box_scores("{\"data\": [}", "box.json"); });
  EXPECT_NE(m.find("box.json: malformed JSON at line 1, column 11: "), std::string::npos) << m;
  EXPECT_EQ(m.find("json.exception"), std::string::npos) << m;
  m = data_error_of([&] { parse_nbacom_schedule("{\"foo\": 1}", "other.json"); });
  EXPECT_NE(m.find("other.json"), std::string::npos) << m;
}

// ----------------------------------------------------------------------------------
// shot chart

TEST(ImportShotChart, AggregatesZonesPerPlayerAndTeamAllowed) {
  const std::string d = "11-03-2023";
  std::string csv = kShotHeader;
  // Jordan Poole (WAS, away at MIA): RA make, paint miss, mid make, corner-3
  // make, a 3PT tagged Mid-Range miss.
  csv += shot("Washington Wizards", "1629673", "Jordan Poole", d, "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
              "Restricted Area");
  csv += shot("Washington Wizards", "1629673", "Jordan Poole", d, "22300003", "MIA", "WAS", "FALSE", "2PT Field Goal",
              "In The Paint (Non-RA)");
  csv += shot("Washington Wizards", "1629673", "Jordan Poole", d, "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
              "Mid-Range");
  csv += shot("Washington Wizards", "1629673", "Jordan Poole", d, "22300003", "MIA", "WAS", "TRUE", "3PT Field Goal",
              "Left Corner 3");
  csv += shot("Washington Wizards", "1629673", "Jordan Poole", d, "22300003", "MIA", "WAS", "FALSE", "3PT Field Goal",
              "Mid-Range");
  // Kelly Oubre Jr. style quoted name with a comma; a backcourt miss and a 2PT
  // tagged Above the Break 3.
  csv += shot("Washington Wizards", "1626162", "\"Oubre, Kelly Jr.\"", d, "22300003", "MIA", "WAS", "FALSE",
              "3PT Field Goal", "Backcourt");
  csv += shot("Washington Wizards", "1626162", "\"Oubre, Kelly Jr.\"", d, "22300003", "MIA", "WAS", "TRUE",
              "2PT Field Goal", "Above the Break 3");
  // Miami (home): one make in the paint.
  csv += shot("Miami Heat", "1628389", "Bam Adebayo", d, "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
              "Restricted Area");
  // A second game, next day, LA Clippers at home.
  csv += shot("LA Clippers", "202331", "Paul George", "11-04-2023", "22300010", "LAC", "HOU", "TRUE", "3PT Field Goal",
              "Above the Break 3");

  ShotChartImport imp = parse_shot_chart(csv, "shots.csv");
  EXPECT_EQ(imp.shots, 9);
  ASSERT_EQ(imp.games.size(), 2u);
  EXPECT_EQ(imp.games[0].nba_game_id, "0022300003");
  EXPECT_EQ(imp.games[0].date_id(), "20231103_WAS_MIA");
  EXPECT_EQ(imp.games[0].type, GameType::kRegularSeason);
  EXPECT_EQ(imp.games[0].status, GameStatus::kFinal);
  EXPECT_FALSE(imp.games[0].home_score.has_value());
  EXPECT_EQ(imp.games[1].date_id(), "20231104_HOU_LAC");

  const Table& pz = imp.player_zones;
  ASSERT_EQ(pz.num_rows(), 4u);
  // Order: date, game, team, player_lookup → MIA/bamadebayo, WAS/jordanpoole,
  // WAS/oubrekellyjr, LAC/paulgeorge.
  EXPECT_EQ(pz.get_text(0, "player_lookup"), "bamadebayo");
  EXPECT_EQ(pz.get_text(1, "player_lookup"), "jordanpoole");
  EXPECT_EQ(pz.get_text(2, "player_lookup"), "oubrekellyjr");
  EXPECT_EQ(pz.get_text(2, "player_name"), "Oubre, Kelly Jr.");
  EXPECT_EQ(pz.get_text(3, "team_abbr"), "LAC");
  EXPECT_EQ(pz.get_text(3, "opponent_team_abbr"), "HOU");
  EXPECT_EQ(pz.get_text(1, "game_id"), "20231103_WAS_MIA");
  EXPECT_EQ(pz.get_text(1, "nba_game_id"), "0022300003");
  EXPECT_EQ(pz.get_date(1, "game_date"), Date::parse("2023-11-03"));
  EXPECT_EQ(pz.get_int(1, "season_year"), 2023);
  EXPECT_EQ(pz.get_text(1, "team_abbr"), "WAS");
  EXPECT_EQ(pz.get_text(1, "opponent_team_abbr"), "MIA");
  EXPECT_EQ(pz.get_int(1, "paint_attempts"), 2);
  EXPECT_EQ(pz.get_int(1, "paint_makes"), 1);
  EXPECT_EQ(pz.get_int(1, "mid_range_attempts"), 1);
  EXPECT_EQ(pz.get_int(1, "mid_range_makes"), 1);
  EXPECT_EQ(pz.get_int(1, "three_pt_attempts"), 2);
  EXPECT_EQ(pz.get_int(1, "three_pt_makes"), 1);
  EXPECT_FALSE(pz.get_int(1, "assisted_makes").has_value());
  EXPECT_EQ(pz.get_text(1, "data_source"), "nbacom_shotchart");
  EXPECT_EQ(pz.get_int(2, "three_pt_attempts"), 1);
  EXPECT_EQ(pz.get_int(2, "mid_range_attempts"), 1);
  EXPECT_EQ(pz.get_int(2, "mid_range_makes"), 1);

  const Table& tz = imp.team_zones_allowed;
  ASSERT_EQ(tz.num_rows(),
            3u);  // MIA defended WAS, WAS defended MIA, HOU defended LAC
  std::map<std::string, size_t> by_def;
  for (size_t r = 0; r < tz.num_rows(); ++r) by_def[*tz.get_text(r, "defending_team_abbr")] = r;
  size_t mia = by_def.at("MIA");
  EXPECT_EQ(tz.get_text(mia, "offense_team_abbr"), "WAS");
  EXPECT_EQ(tz.get_int(mia, "paint_attempts_allowed"), 2);
  EXPECT_EQ(tz.get_int(mia, "mid_range_attempts_allowed"), 2);
  EXPECT_EQ(tz.get_int(mia, "mid_range_makes_allowed"), 2);
  EXPECT_EQ(tz.get_int(mia, "three_pt_attempts_allowed"), 3);
  EXPECT_EQ(tz.get_int(mia, "three_pt_makes_allowed"), 1);
  EXPECT_EQ(tz.get_int(by_def.at("WAS"), "paint_makes_allowed"), 1);
  EXPECT_EQ(tz.get_text(by_def.at("HOU"), "game_id"), "20231104_HOU_LAC");
  EXPECT_EQ(tz.get_int(by_def.at("HOU"), "three_pt_makes_allowed"), 1);

  const Table& gb = imp.gamebook;
  ASSERT_EQ(gb.num_rows(), 4u);
  EXPECT_EQ(gb.get_text(1, "player_lookup"), "jordanpoole");
  EXPECT_EQ(gb.get_int(1, "field_goals_made"), 3);
  EXPECT_EQ(gb.get_int(1, "field_goals_attempted"), 5);
  EXPECT_EQ(gb.get_int(1, "three_pointers_made"), 1);
  EXPECT_EQ(gb.get_int(1, "three_pointers_attempted"), 2);
  EXPECT_EQ(gb.get_text(1, "player_status"), "active");
  EXPECT_EQ(gb.get_text(1, "game_code"), "20231103/WASMIA");
  EXPECT_EQ(gb.get_text(1, "data_quality_flags"), R"(["from_shot_chart"])");
  EXPECT_FALSE(gb.get_int(1, "points").has_value());
  EXPECT_FALSE(gb.get_text(1, "minutes").has_value());
  EXPECT_FALSE(gb.get_int(1, "free_throws_attempted").has_value());
  EXPECT_EQ(gb.get_text(1, "data_hash")->size(), 16u);
}

TEST(ImportShotChart, MalformedRowNamesFileLineFieldAndDate) {
  std::string csv = kShotHeader;
  csv += shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
              "Restricted Area");
  std::string bad_made = csv + shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS",
                                    "MAYBE", "2PT Field Goal", "Restricted Area");
  std::string m = data_error_of([&] { parse_shot_chart(bad_made, "shots.csv"); });
  EXPECT_NE(m.find("shots.csv line 3 field SHOT_MADE value 'MAYBE' (date 2023-11-03)"), std::string::npos) << m;

  std::string bad_date = csv + shot("Miami Heat", "1628389", "Bam Adebayo", "2023-11-03", "22300003", "MIA", "WAS",
                                    "TRUE", "2PT Field Goal", "Restricted Area");
  m = data_error_of([&] { parse_shot_chart(bad_date, "shots.csv"); });
  EXPECT_NE(m.find("shots.csv line 3 field GAME_DATE"), std::string::npos) << m;

  std::string bad_team = csv + shot("Boston Celtics", "1", "X Y", "11-03-2023", "22300003", "MIA", "WAS", "TRUE",
                                    "2PT Field Goal", "Restricted Area");
  m = data_error_of([&] { parse_shot_chart(bad_team, "shots.csv"); });
  EXPECT_NE(m.find("line 3 field TEAM_NAME value 'Boston Celtics' (date 2023-11-03)"), std::string::npos) << m;

  std::string short_row = csv + "2024,2023-24,1,Miami Heat,1628389\r\n";
  m = data_error_of([&] { parse_shot_chart(short_row, "shots.csv"); });
  EXPECT_NE(m.find("shots.csv line 3 field PLAYER_NAME"), std::string::npos) << m;
  EXPECT_NE(m.find("expected 26 fields, got 5"), std::string::npos) << m;

  m = data_error_of([&] { parse_shot_chart("GAME_DATE,GAME_ID\n", "hdr.csv"); });
  EXPECT_NE(m.find("hdr.csv line 1: missing column TEAM_NAME"), std::string::npos) << m;
}

// The columns the import requires and the ones its messages list are one list
// (kShotColumns in shot_chart.cpp): each is named when missing, and the
// not-a-shot-chart message lists them all, in order.
TEST(ImportShotChart, EveryRequiredColumnIsNamedWhenMissing) {
  const std::vector<std::string> required = {"TEAM_NAME", "PLAYER_ID", "PLAYER_NAME", "GAME_DATE", "GAME_ID",
                                             "HOME_TEAM", "AWAY_TEAM", "SHOT_MADE",   "SHOT_TYPE", "SHOT_DISTANCE"};
  std::string listed;
  for (const std::string& c : required) listed += (listed.empty() ? "" : ", ") + c;
  std::string m = data_error_of([&] { parse_shot_chart("STAT,VALUE\npts,3\n", "other.csv"); });
  EXPECT_NE(m.find("other.csv: not a shot-chart CSV: the header has none of the required columns " + listed),
            std::string::npos)
      << m;
  const std::string header = kShotHeader;
  for (const std::string& col : required) {
    // The header with this one column renamed.
    std::string line = "," + header.substr(0, header.find("\r\n")) + ",";
    const size_t at = line.find("," + col + ",");
    ASSERT_NE(at, std::string::npos) << col;
    line.replace(at + 1, col.size(), "X_" + col);
    m = data_error_of([&] { parse_shot_chart(line.substr(1, line.size() - 2) + "\r\n", "h.csv"); });
    EXPECT_NE(m.find("h.csv line 1: missing column " + col), std::string::npos) << m;
  }
}

// Legacy spec §6: a two is paint when SHOT_DISTANCE ≤ 8 ft and mid-range
// otherwise, whatever BASIC_ZONE says; SHOT_TYPE decides threes.
TEST(ImportShotChart, TwoPointZoneFollowsShotDistance) {
  const std::string d = "11-03-2023";
  auto poole = [&](const std::string& made, const std::string& type, const std::string& zone, const std::string& ft) {
    return shot("Washington Wizards", "1629673", "Jordan Poole", d, "22300003", "MIA", "WAS", made, type, zone, ft);
  };
  std::string csv = kShotHeader;
  csv += poole("TRUE", "2PT Field Goal", "In The Paint (Non-RA)", "12");  // a 12-ft floater: mid
  csv += poole("FALSE", "2PT Field Goal", "In The Paint (Non-RA)", "9");  // mid
  csv += poole("TRUE", "2PT Field Goal", "Mid-Range", "8");               // 8 ft: paint
  csv += poole("TRUE", "2PT Field Goal", "Restricted Area", "0");         // paint
  csv += poole("FALSE", "3PT Field Goal", "Mid-Range", "3");              // SHOT_TYPE: three
  const ShotChartImport imp = parse_shot_chart(csv, "shots.csv");
  const Table& pz = imp.player_zones;
  ASSERT_EQ(pz.num_rows(), 1u);
  EXPECT_EQ(pz.get_int(0, "paint_attempts"), 2);
  EXPECT_EQ(pz.get_int(0, "paint_makes"), 2);
  EXPECT_EQ(pz.get_int(0, "mid_range_attempts"), 2);
  EXPECT_EQ(pz.get_int(0, "mid_range_makes"), 1);
  EXPECT_EQ(pz.get_int(0, "three_pt_attempts"), 1);
  EXPECT_EQ(pz.get_int(0, "three_pt_makes"), 0);
  EXPECT_EQ(imp.team_zones_allowed.get_int(0, "paint_attempts_allowed"), 2);
  EXPECT_EQ(imp.team_zones_allowed.get_int(0, "mid_range_attempts_allowed"), 2);
}

// SHOT_DISTANCE is required and validated like every other field; BASIC_ZONE
// is no longer read (an unknown value or a missing column is accepted).
TEST(ImportShotChart, ShotDistanceRequiredAndValidated) {
  std::string ok = kShotHeader;
  ok += shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
             "Restricted Area");
  for (const std::string& bad : {"twelve", "-1", "95", "12.5", "8 "}) {
    const std::string csv = ok + shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS",
                                      "TRUE", "3PT Field Goal", "Left Corner 3", bad);
    const std::string m = data_error_of([&] { parse_shot_chart(csv, "shots.csv"); });
    EXPECT_NE(m.find("shots.csv line 3 field SHOT_DISTANCE value '" + bad + "' (date 2023-11-03)"), std::string::npos)
        << m;
  }
  EXPECT_EQ(parse_shot_chart(ok + shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS",
                                       "TRUE", "2PT Field Goal", "Somewhere New", "94"),
                             "shots.csv")
                .player_zones.get_int(0, "mid_range_attempts"),
            1);
  std::string no_distance = kShotHeader;
  no_distance.replace(no_distance.find("SHOT_DISTANCE"), 13, "SHOT_DIST");
  const std::string m = data_error_of([&] { parse_shot_chart(no_distance, "old.csv"); });
  EXPECT_NE(m.find("old.csv line 1: missing column SHOT_DISTANCE"), std::string::npos) << m;
}

// A file that is not a shot chart is named as such before any CSV detail, two
// header columns of one name are refused, and a directory is not "missing".
TEST(ImportShotChart, NotAShotChartDuplicateColumnsAndDirectories) {
  std::string m = data_error_of([&] { parse_shot_chart(R"({"leagueSchedule": {"gameDates": []}})", "s.json.gz"); });
  EXPECT_NE(m.find("s.json.gz: not a shot-chart CSV: it starts with '{' like a JSON document"), std::string::npos) << m;
  EXPECT_EQ(m.find("quote inside"), std::string::npos) << m;
  m = data_error_of([&] { parse_shot_chart("TEAM_NAME,PLAYER\"ID\n", "q.csv"); });
  EXPECT_NE(m.find("q.csv: not a shot-chart CSV: its first line is not a header naming the columns TEAM_NAME, "),
            std::string::npos)
      << m;
  m = data_error_of([&] { parse_shot_chart("STAT,VALUE\npts,3\n", "other.csv"); });
  EXPECT_NE(m.find("other.csv: not a shot-chart CSV: the header has none of the required columns TEAM_NAME, PLAYER_ID"),
            std::string::npos)
      << m;
  std::string header = kShotHeader;
  header.insert(header.find("\r\n"), ",GAME_ID");
  m = data_error_of([&] { parse_shot_chart(header, "dup.csv"); });
  EXPECT_NE(m.find("dup.csv line 1 (header): column GAME_ID appears twice (columns 10 and 27)"), std::string::npos)
      << m;
  EXPECT_THROW(CsvHeader({"A", "B", "A"}, "x.csv"), DataError);
  TempDir dir;
  try {
    import_shot_chart(dir.path().string());
    ADD_FAILURE() << "a directory was read";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find(dir.path().string() + ": it is a directory, not a file"), std::string::npos)
        << e.what();
  }
}

// ----------------------------------------------------------------------------------
// balldontlie

TEST(ImportBdl, ParsesPlayersOfBothTeams) {
  const std::string json =
      R"({"data":[{"date":"2024-01-15","season":2023,"status":"Final","period":4,
    "postseason":false,"home_team_score":124,"visitor_team_score":115,
    "home_team":{"abbreviation":"PHI","players":[{"min":"31","fgm":12,"fga":21,"fg_pct":0.5714286,"fg3m":1,
      "fg3a":5,"fg3_pct":0.2,"ftm":16,"fta":17,"ft_pct":0.9411765,"oreb":2,"dreb":8,"reb":10,"ast":3,"stl":1,
      "blk":1,"turnover":2,"pf":5,"pts":41,"player":{"id":145,"first_name":"Joel","last_name":"Embiid",
      "position":"F-C","jersey_number":"21"}}]},
    "visitor_team":{"abbreviation":"HOU","players":[{"min":"00","fgm":0,"fga":0,"fg_pct":0,"fg3m":0,"fg3a":0,
      "fg3_pct":0,"ftm":0,"fta":0,"ft_pct":0,"oreb":0,"dreb":0,"reb":0,"ast":0,"stl":0,"blk":0,"turnover":0,
      "pf":0,"pts":0,"player":{"id":9,"first_name":"Jae'Sean","last_name":"Tate","position":"F"}}]}}]})";
  Table t = parse_bdl_box_scores(json, "bdl.json");
  ASSERT_EQ(t.num_rows(), 2u);
  // Sorted by team: HOU before PHI.
  EXPECT_EQ(t.get_text(0, "player_lookup"), "jaeseantate");
  EXPECT_EQ(t.get_text(0, "team_abbr"), "HOU");
  EXPECT_EQ(t.get_text(1, "game_id"), "20240115_HOU_PHI");
  EXPECT_EQ(t.get_text(1, "player_full_name"), "Joel Embiid");
  EXPECT_EQ(t.get_text(1, "home_team_abbr"), "PHI");
  EXPECT_EQ(t.get_text(1, "away_team_abbr"), "HOU");
  EXPECT_EQ(t.get_int(1, "home_team_score"), 124);
  EXPECT_EQ(t.get_int(1, "away_team_score"), 115);
  EXPECT_EQ(t.get_int(1, "points"), 41);
  EXPECT_EQ(t.get_int(1, "field_goals_made"), 12);
  EXPECT_EQ(t.get_int(1, "three_pointers_attempted"), 5);
  EXPECT_EQ(t.get_int(1, "free_throws_made"), 16);
  EXPECT_EQ(t.get_int(1, "rebounds"), 10);
  EXPECT_EQ(t.get_int(1, "turnovers"), 2);
  EXPECT_EQ(t.get_int(1, "personal_fouls"), 5);
  EXPECT_DOUBLE_EQ(*t.get_real(1, "free_throw_pct"), 0.9411765);
  EXPECT_EQ(t.get_text(1, "minutes"), "31");
  EXPECT_EQ(t.get_int(1, "bdl_player_id"), 145);
  EXPECT_EQ(t.get_bool(1, "is_postseason"), false);
  EXPECT_EQ(t.get_int(1, "season_year"), 2023);
  EXPECT_EQ(t.get_text(1, "data_hash")->size(), 16u);
  EXPECT_EQ(t.get_text(1, "source_file_path"), "bdl.json");

  std::string bad = json;
  bad.replace(bad.find(R"("pts":41)"), 8, R"("pts":"x")");
  std::string m = data_error_of([&] { parse_bdl_box_scores(bad, "bdl.json"); });
  EXPECT_NE(m.find("bdl.json game #0 (20240115_HOU_PHI) player joelembiid "
                   "field pts value '\"x\"' (date 2024-01-15)"),
            std::string::npos)
      << m;
}

// ----------------------------------------------------------------------------------
// writers

TEST(ImportWrite, ShotChartScheduleAndBdlReplaceCoveredDates) {
  std::string csv = kShotHeader;
  csv += shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
              "Restricted Area");
  csv += shot("Washington Wizards", "1629673", "Jordan Poole", "11-03-2023", "22300003", "MIA", "WAS", "FALSE",
              "3PT Field Goal", "Left Corner 3");
  csv += shot("LA Clippers", "202331", "Paul George", "11-04-2023", "22300010", "LAC", "HOU", "TRUE", "3PT Field Goal",
              "Above the Break 3");
  ShotChartImport imp = parse_shot_chart(csv, "shots.csv");
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  auto counts = write_shot_chart(*wh, imp).rows;
  EXPECT_EQ(counts.at("nba_raw.nbac_schedule"), 2);
  EXPECT_EQ(counts.at("nba_raw.player_shot_zones"), 3);
  EXPECT_EQ(counts.at("nba_raw.team_shot_zones_allowed"), 3);
  EXPECT_EQ(counts.at("nba_raw.nbac_gamebook_player_stats"), 3);
  // Idempotent: a rerun replaces, not appends.
  write_shot_chart(*wh, imp);
  auto pc = wh->partition_counts(catalog::get("nba_raw.player_shot_zones"), std::nullopt);
  ASSERT_EQ(pc.size(), 2u);
  EXPECT_EQ(pc.at(Date::parse("2023-11-03")), 2);
  EXPECT_EQ(pc.at(Date::parse("2023-11-04")), 1);
  Schedule back = Schedule::from_table(wh->read(catalog::get("nba_raw.nbac_schedule"), std::nullopt));
  ASSERT_EQ(back.games().size(), 2u);
  EXPECT_EQ(back.games()[0].date_id(), "20231103_WAS_MIA");
  EXPECT_EQ(back.games()[0].nba_game_id, "0022300003");
  Table zones = wh->read(catalog::get("nba_raw.player_shot_zones"),
                         DateRange{Date::parse("2023-11-04"), Date::parse("2023-11-04")});
  ASSERT_EQ(zones.num_rows(), 1u);
  EXPECT_EQ(zones.get_int(0, "three_pt_makes"), 1);

  Table bdl = parse_bdl_box_scores(
      R"({"data":[{"date":"2023-11-03","home_team":{"abbreviation":"MIA","players":[
      {"pts":10,"fgm":5,"fga":9,"player":{"id":1,"first_name":"Bam","last_name":"Adebayo"}}]},
      "visitor_team":{"abbreviation":"WAS","players":[]}}]})",
      "b.json");
  EXPECT_EQ(write_bdl(*wh, bdl).rows.at("nba_raw.bdl_player_boxscores"), 1);
  EXPECT_EQ(
      wh->partition_counts(catalog::get("nba_raw.bdl_player_boxscores"), std::nullopt).at(Date::parse("2023-11-03")),
      1);
  EXPECT_THROW(write_bdl(*wh, imp.gamebook), ConfigError);
}

// ----------------------------------------------------------------------------------
// real data

// Expected counts were computed independently once with a small Python script
// (json + gzip, the spec §5 rules), in essence:
//   for gd in d['leagueSchedule']['gameDates']: for g in gd['games']:
//     h, a = g['homeTeam'].get('teamTricode'), g['awayTeam'].get('teamTricode')
//     if '/' not in (g.get('gameCode') or '') or not h or not a: invalid += 1
//     elif h in EXHIBITION or a in EXHIBITION: exhibition += 1
//     elif h not in NBA30 or a not in NBA30: invalid += 1
//     else: t = 'all_star' if any(x in label or x in sub_label for x in
//     ALL_STAR_NAMES)
//                             or g.get('weekName') == 'All-Star'
//               else 'play_in' if 'Play-In' in label
//               else 'playoff' if any(x in label for x in ROUND_NAMES)
//               else 'preseason' if g.get('weekNumber') == 0 else 'regular'
// Result: 1,400 raw games; 10 dropped as exhibition (4 preseason games against
// NZB/ULM, the 3 Rising Stars and 3 All-Star games), 0 invalid; kept 1,390 =
// 1,230 regular + 6 play-in + 84 playoff
// + 70 preseason + 0 All-Star; 82 regular-season games for each of the 30
// teams; first regular game 10/22/2024; 213 distinct regular/play-in/playoff
// dates, 16 preseason-only dates. The Emirates NBA Cup final (2024-12-17,
// weekNumber 0) is classified preseason by rule (4) — which also keeps it out
// of the 82-game regular season, where the NBA does not count it either.
TEST(ImportRealData, Schedule2024_25CountsPerType) {
  NBAPROPS_REQUIRE_SHARED_FILE(path, "schedule/nbac_schedule_2024_25.json.gz");
  ScheduleImport imp = parse_nbacom_schedule(read_text_file(path.string()), path.string());
  EXPECT_EQ(imp.games.size(), 1390u);
  EXPECT_EQ(imp.dropped_exhibition, 10);
  EXPECT_EQ(imp.dropped_invalid, 0);
  std::map<GameType, int> by_type;
  std::map<std::string, int> regular_per_team;
  int cup_regular = 0;
  for (const Game& g : imp.games) {
    ++by_type[g.type];
    if (g.type == GameType::kRegularSeason) {
      ++regular_per_team[g.home];
      ++regular_per_team[g.away];
      cup_regular += g.is_cup ? 1 : 0;
    }
  }
  EXPECT_EQ(by_type[GameType::kRegularSeason], 1230);
  EXPECT_EQ(by_type[GameType::kPlayIn], 6);
  EXPECT_EQ(by_type[GameType::kPlayoff], 84);
  EXPECT_EQ(by_type[GameType::kPreseason], 70);
  EXPECT_EQ(by_type[GameType::kAllStar], 0);
  // Cup games in the regular season: 60 group games, 4 quarterfinals, 2
  // semifinals (same Python script: gameLabel/gameSubtype mentioning cup or
  // in-season, weekNumber != 0).
  EXPECT_EQ(cup_regular, 66);
  ASSERT_EQ(regular_per_team.size(), 30u);
  for (const auto& [team, n] : regular_per_team) EXPECT_EQ(n, 82) << team;

  Schedule s = load_nbacom_schedule(path.string());
  EXPECT_EQ(s.season_start(2024), Date::parse("2024-10-22"));
  auto dates = s.game_dates(DateRange{Date::parse("2024-09-01"), Date::parse("2025-07-31")});
  EXPECT_EQ(dates.size(), 213u);
  EXPECT_EQ(dates.front(), Date::parse("2024-10-22"));
  std::set<Date> date_set(dates.begin(), dates.end());
  EXPECT_EQ(date_set.count(Date::parse("2024-10-04")),
            0u);  // preseason (Abu Dhabi)
  EXPECT_EQ(date_set.count(Date::parse("2024-10-18")),
            0u);                                             // last preseason day
  EXPECT_EQ(date_set.count(Date::parse("2024-12-17")), 0u);  // Cup final only
  EXPECT_EQ(date_set.count(Date::parse("2025-02-14")),
            0u);  // Rising Stars (dropped)
  EXPECT_EQ(date_set.count(Date::parse("2025-02-16")),
            0u);                                             // All-Star Game (dropped)
  EXPECT_EQ(date_set.count(Date::parse("2025-04-15")), 1u);  // play-in
  for (const Game& g : s.games()) {
    if (g.type == GameType::kPreseason || g.type == GameType::kAllStar) {
      bool same_day_counted = false;
      for (const Game* o : s.games_on(g.date)) same_day_counted |= o->counts();
      EXPECT_EQ(date_set.count(g.date) > 0, same_day_counted) << g.date.iso();
    }
  }
}

// Expected values from the data README (218,701 shots, 1,230 games, 160 dates,
// 568 players), confirmed with a one-off Python csv+gzip count.
TEST(ImportRealData, Shots2023_24ZonesAndOpponents) {
  NBAPROPS_REQUIRE_SHARED_FILE(path, "shots/nba_shots_2023_24.csv.gz");
  ShotChartImport imp = import_shot_chart(path.string());
  EXPECT_EQ(imp.shots, 218701);
  EXPECT_EQ(imp.games.size(), 1230u);
  std::set<Date> dates;
  for (const Game& g : imp.games) dates.insert(g.date);
  EXPECT_EQ(dates.size(), 160u);
  EXPECT_EQ(*dates.begin(), Date::parse("2023-10-24"));
  EXPECT_EQ(*dates.rbegin(), Date::parse("2024-04-14"));
  EXPECT_EQ(imp.games.front().nba_game_id.size(), 10u);
  EXPECT_EQ(imp.games.front().nba_game_id.substr(0, 5), "00223");

  const Table& pz = imp.player_zones;
  std::set<std::string> players;
  int64_t fga_total = 0;
  // (game_id, offense team) → zone attempts/makes summed from player rows
  std::map<std::pair<std::string, std::string>, std::array<int64_t, 6>> offense;
  const char* kZoneCols[] = {"paint_attempts",  "paint_makes",       "mid_range_attempts",
                             "mid_range_makes", "three_pt_attempts", "three_pt_makes"};
  for (size_t r = 0; r < pz.num_rows(); ++r) {
    players.insert(*pz.get_text(r, "player_lookup"));
    auto& acc = offense[{*pz.get_text(r, "game_id"), *pz.get_text(r, "team_abbr")}];
    for (int i = 0; i < 6; ++i) acc[i] += *pz.get_int(r, kZoneCols[i]);
  }
  EXPECT_EQ(players.size(), 568u);
  // Zone sums equal FGA, row by row (gamebook rows are in the same order) and
  // in total.
  ASSERT_EQ(imp.gamebook.num_rows(), pz.num_rows());
  for (size_t r = 0; r < pz.num_rows(); ++r) {
    int64_t zones =
        *pz.get_int(r, "paint_attempts") + *pz.get_int(r, "mid_range_attempts") + *pz.get_int(r, "three_pt_attempts");
    ASSERT_EQ(zones, *imp.gamebook.get_int(r, "field_goals_attempted")) << r;
    ASSERT_EQ(*pz.get_int(r, "three_pt_attempts"), *imp.gamebook.get_int(r, "three_pointers_attempted")) << r;
    fga_total += zones;
  }
  EXPECT_EQ(fga_total, 218701);
  // Team zones allowed equal the opponent's player zones, for every game and
  // side.
  const Table& tz = imp.team_zones_allowed;
  EXPECT_EQ(tz.num_rows(), 2460u);
  const char* kAllowed[] = {"paint_attempts_allowed",  "paint_makes_allowed",       "mid_range_attempts_allowed",
                            "mid_range_makes_allowed", "three_pt_attempts_allowed", "three_pt_makes_allowed"};
  for (size_t r = 0; r < tz.num_rows(); ++r) {
    const std::string gid = *tz.get_text(r, "game_id");
    const std::string off = *tz.get_text(r, "offense_team_abbr");
    const std::string def = *tz.get_text(r, "defending_team_abbr");
    ASSERT_NE(off, def);
    ASSERT_TRUE(gid.ends_with("_" + def) || gid.find("_" + def + "_") != std::string::npos) << gid << " " << def;
    const auto& acc = offense.at({gid, off});
    for (int i = 0; i < 6; ++i) ASSERT_EQ(*tz.get_int(r, kAllowed[i]), acc[i]) << gid << " " << kAllowed[i];
  }
}

// Python cross-check (one-off, csv+json+gzip, names normalised like
// player_lookup): 216 players in both files on 2024-01-15, 215 identical
// (99.5%); the one difference is Mikal Bridges (FGA 23 in the shot chart, 24 at
// balldontlie).
TEST(ImportRealData, ShotsAgreeWithBdlBoxScoresOn20240115) {
  NBAPROPS_REQUIRE_SHARED_FILE(shots_path, "shots/nba_shots_2023_24.csv.gz");
  NBAPROPS_REQUIRE_SHARED_FILE(bdl_path, "boxscores/bdl_box_scores_2024_01_15.json.gz");
  ShotChartImport imp = import_shot_chart(shots_path.string());
  Table bdl = import_bdl_box_scores(bdl_path.string());
  EXPECT_EQ(bdl.num_rows(), 384u);
  const Date day = Date::parse("2024-01-15");
  using Line = std::array<int64_t, 4>;
  std::map<std::string, Line> shots;  // (game_id|player_lookup) → FGM, FGA, 3PM, 3PA
  const Table& gb = imp.gamebook;
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    if (gb.get_date(r, "game_date") != day) continue;
    shots[*gb.get_text(r, "game_id") + "|" + *gb.get_text(r, "player_lookup")] = {
        *gb.get_int(r, "field_goals_made"), *gb.get_int(r, "field_goals_attempted"),
        *gb.get_int(r, "three_pointers_made"), *gb.get_int(r, "three_pointers_attempted")};
  }
  int both = 0, same = 0;
  std::set<std::string> games;
  for (size_t r = 0; r < bdl.num_rows(); ++r) {
    const std::string key = *bdl.get_text(r, "game_id") + "|" + *bdl.get_text(r, "player_lookup");
    games.insert(*bdl.get_text(r, "game_id"));
    auto it = shots.find(key);
    if (it == shots.end()) continue;
    ++both;
    Line b{*bdl.get_int(r, "field_goals_made"), *bdl.get_int(r, "field_goals_attempted"),
           *bdl.get_int(r, "three_pointers_made"), *bdl.get_int(r, "three_pointers_attempted")};
    if (b == it->second) ++same;
  }
  EXPECT_EQ(games.size(), 11u);
  EXPECT_EQ(both, 216);
  const double ratio = static_cast<double>(same) / both;
  std::cout << "[ shots vs BDL 2024-01-15 ] " << same << " of " << both << " players identical (" << ratio * 100
            << "%)\n";
  EXPECT_GE(ratio, 0.95);
  EXPECT_EQ(same, 215);
}

// ------------------------------------------------------------------ trust
// (issue 13 findings)

namespace {

/// Every stored row of every raw table an import touches, rendered as text (for
/// equality checks).
std::map<std::string, std::vector<std::string>> dump_raw(Warehouse& wh) {
  std::map<std::string, std::vector<std::string>> out;
  for (const char* name : {"nba_raw.nbac_schedule", "nba_raw.player_shot_zones", "nba_raw.team_shot_zones_allowed",
                           "nba_raw.nbac_gamebook_player_stats", "nba_raw.bdl_player_boxscores"}) {
    Table t = wh.read(catalog::get(name), std::nullopt);
    auto& rows = out[name];
    for (size_t r = 0; r < t.num_rows(); ++r) {
      std::string line;
      for (size_t c = 0; c < t.num_columns(); ++c) line += t.cell_text(r, c) + "|";
      rows.push_back(line);
    }
  }
  return out;
}

/// Two games on 2023-11-03 and one on 2023-11-04.
std::string three_games_csv() {
  std::string csv = kShotHeader;
  csv += shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
              "Restricted Area");
  csv += shot("Washington Wizards", "1629673", "Jordan Poole", "11-03-2023", "22300003", "MIA", "WAS", "FALSE",
              "3PT Field Goal", "Left Corner 3");
  csv += shot("Boston Celtics", "1628369", "Jayson Tatum", "11-03-2023", "22300004", "BOS", "NYK", "TRUE",
              "3PT Field Goal", "Above the Break 3");
  csv += shot("New York Knicks", "1628973", "Jalen Brunson", "11-03-2023", "22300004", "BOS", "NYK", "TRUE",
              "2PT Field Goal", "Mid-Range");
  csv += shot("LA Clippers", "202331", "Paul George", "11-04-2023", "22300010", "LAC", "HOU", "TRUE", "3PT Field Goal",
              "Above the Break 3");
  return csv;
}

}  // namespace

// Finding 1: an import is one transaction across every table it touches; a
// failure in the middle (here: after some zone rows, with the schedule already
// inserted in the same transaction) leaves every table exactly as it was, and
// the error names the table and the step.
TEST(ImportTrust, Finding1_ShotImportIsAllOrNothing) {
  TempDir dir;
  SqliteWarehouse wh(dir.path());
  write_shot_chart(wh, parse_shot_chart(three_games_csv(), "a.csv"));
  const auto before = dump_raw(wh);
  std::string csv = kShotHeader;  // a new version of the 2023-11-03 games with
                                  // different shooters
  for (int i = 0; i < 6; ++i) {
    csv += shot("Miami Heat", std::to_string(100 + i), "Player " + std::string(1, static_cast<char>('A' + i)),
                "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal", "Restricted Area");
  }
  ShotChartImport imp = parse_shot_chart(csv, "b.csv");
  for (int64_t after_rows : {0, 1, 3}) {
    wh.inject_write_failure_after(after_rows + 2);  // the schedule (1 row) passes; zones fail
    try {
      write_shot_chart(wh, imp);
      ADD_FAILURE() << "expected the injected failure";
    } catch (const StorageError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("nba_raw.player_shot_zones (insert)"), std::string::npos) << m;
    }
    EXPECT_EQ(dump_raw(wh), before) << "a failed import changed stored rows (after " << after_rows << ")";
  }
  wh.inject_write_failure_after(-1);
  write_shot_chart(wh, imp);
  EXPECT_NE(dump_raw(wh), before);
}

// Finding 2a: a file with one game of a date replaces that game only, never the
// date's others.
TEST(ImportTrust, Finding2_OneGameFileKeepsTheDatesOtherGames) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  write_shot_chart(*wh, parse_shot_chart(three_games_csv(), "season.csv"));
  const auto zones = catalog::get("nba_raw.player_shot_zones");
  const Date d = Date::parse("2023-11-03");
  ASSERT_EQ(wh->partition_counts(zones, std::nullopt).at(d), 4);
  std::string one = kShotHeader;
  one += shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS", "FALSE", "2PT Field Goal",
              "Restricted Area");
  const ImportReport rep = write_shot_chart(*wh, parse_shot_chart(one, "one.csv"));
  EXPECT_EQ(rep.rows.at("nba_raw.player_shot_zones"), 1);
  EXPECT_EQ(rep.rows.at("nba_raw.nbac_schedule"),
            0);  // the game is already in the schedule
  // MIA-WAS now has Adebayo only (Poole's row was that game's: replaced);
  // BOS-NYK is untouched.
  Table z = wh->read(zones, DateRange{d, d});
  ASSERT_EQ(z.num_rows(), 3u);
  std::multiset<std::string> games;
  for (size_t r = 0; r < z.num_rows(); ++r) games.insert(*z.get_text(r, "game_id"));
  EXPECT_EQ(games.count("20231103_WAS_MIA"), 1u);
  EXPECT_EQ(games.count("20231103_NYK_BOS"), 2u);
  EXPECT_EQ(wh->partition_counts(catalog::get("nba_raw.nbac_schedule"), std::nullopt).at(d), 2);
  EXPECT_EQ(wh->partition_counts(catalog::get("nba_raw.team_shot_zones_allowed"), std::nullopt).at(d), 3);
  // A box-score file of one game leaves the other game's lines alone too.
  auto bdl_game = [](const std::string& home, const std::string& away, const std::string& first, int pts) {
    return R"({"date":"2023-11-03","home_team":{"abbreviation":")" + home + R"(","players":[{"pts":)" +
           std::to_string(pts) +
           R"(,"min":"30","fgm":0,"fga":0,"fg3m":0,"fg3a":0,"ftm":0,"fta":0,"oreb":0,"dreb":0,"reb":0,"ast":0,"stl":0,"blk":0,"turnover":0,"pf":0,"player":{"id":1,"first_name":")" +
           first + R"(","last_name":"X"}}]},"visitor_team":{"abbreviation":")" + away + R"(","players":[]}})";
  };
  write_bdl(*wh, parse_bdl_box_scores(
                     R"({"data":[)" + bdl_game("MIA", "WAS", "A", 10) + "," + bdl_game("BOS", "NYK", "B", 20) + "]}",
                     "two.json"));
  write_bdl(*wh, parse_bdl_box_scores(R"({"data":[)" + bdl_game("MIA", "WAS", "C", 12) + "]}", "one.json"));
  Table b = wh->read(catalog::get("nba_raw.bdl_player_boxscores"), std::nullopt);
  ASSERT_EQ(b.num_rows(), 2u);
  EXPECT_EQ(b.get_text(0, "player_lookup"),
            "bx");  // BOS-NYK (its game_id sorts first)
  EXPECT_EQ(b.get_text(1, "player_lookup"), "cx");
}

// Finding 2b: shots (field goals only) over gamebook lines that have points and
// minutes are refused (nothing written, the message says how to force it);
// --keep-existing keeps those lines and imports the zones; --replace overwrites
// them with a warning. Stored scores of a schedule survive a shot import, and a
// schedule snapshot without scores cannot blank them silently either.
TEST(ImportTrust, Finding2_ASourceWithLessNeverErasesStoredFields) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  const auto& gb_schema = catalog::get("nba_raw.nbac_gamebook_player_stats");
  const Date d = Date::parse("2023-11-03");
  // A full gamebook line for Adebayo (points, minutes) and a final schedule
  // game with scores.
  Table gb(gb_schema);
  gb.resize(1);
  gb.set(0, "game_id", "20231103_WAS_MIA");
  gb.set(0, "game_date", d);
  gb.set(0, "season_year", 2023);
  gb.set(0, "player_name_original", "Bam Adebayo");
  gb.set(0, "player_lookup", "bamadebayo");
  gb.set(0, "player_status", "active");
  gb.set(0, "points", int64_t{22});
  gb.set(0, "minutes", "34:10");
  wh->replace_partition(gb_schema, d, gb);
  Game g{"0022300003", d, 2023, "MIA", "WAS", GameType::kRegularSeason, GameStatus::kFinal, 121, 111, false, ""};
  write_schedule(*wh, Schedule({g}));
  const auto before = dump_raw(*wh);

  ShotChartImport imp = parse_shot_chart(three_games_csv(), "shots.csv");
  std::string m = data_error_of([&] { write_shot_chart(*wh, imp); });
  EXPECT_NE(m.find("nba_raw.nbac_gamebook_player_stats: 1 stored row of 1 game "
                   "(first: 20231103_WAS_MIA on "
                   "2023-11-03) has minutes, points"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("--replace"), std::string::npos) << m;
  EXPECT_NE(m.find("--keep-existing"), std::string::npos) << m;
  EXPECT_EQ(dump_raw(*wh), before);  // nothing written

  ImportReport kept = write_shot_chart(*wh, imp, ImportOptions{OnRicher::kKeep});
  ASSERT_EQ(kept.warnings.size(), 1u);
  EXPECT_NE(kept.warnings[0].find("--keep-existing"), std::string::npos);
  Table back = wh->read(gb_schema, DateRange{d, d});
  std::map<std::string, std::optional<int64_t>> points;
  for (size_t r = 0; r < back.num_rows(); ++r) points[*back.get_text(r, "player_lookup")] = back.get_int(r, "points");
  EXPECT_EQ(points.at("bamadebayo"), 22);  // kept
  EXPECT_EQ(points.count("jordanpoole"),
            0u);                                      // same game: the file's lines were skipped
  EXPECT_EQ(points.at("jaysontatum"), std::nullopt);  // another game: imported
  // The kept game is kept whole: none of its zones from the file either (only
  // BOS-NYK's two rows).
  EXPECT_EQ(wh->partition_counts(catalog::get("nba_raw.player_shot_zones"), std::nullopt).at(d), 2);
  EXPECT_EQ(wh->partition_counts(catalog::get("nba_raw.team_shot_zones_allowed"), std::nullopt).at(d), 2);
  Schedule sched = Schedule::from_table(wh->read(catalog::get("nba_raw.nbac_schedule"), std::nullopt));
  ASSERT_EQ(sched.games().size(), 3u);
  for (const Game& x : sched.games()) {
    if (x.date_id() == "20231103_WAS_MIA") EXPECT_EQ(x.home_score, 121);  // the real schedule row stays
  }

  ImportReport replaced = write_shot_chart(*wh, imp, ImportOptions{OnRicher::kReplace});
  ASSERT_EQ(replaced.warnings.size(), 1u);
  EXPECT_NE(replaced.warnings[0].find("replaced anyway"), std::string::npos);
  back = wh->read(gb_schema, DateRange{d, d});
  EXPECT_EQ(back.num_rows(), 4u);
  for (size_t r = 0; r < back.num_rows(); ++r) EXPECT_FALSE(back.get_int(r, "points").has_value());

  // A schedule without the score would blank it: refused as well.
  Game unplayed = g;
  unplayed.status = GameStatus::kScheduled;
  unplayed.home_score.reset();
  unplayed.away_score.reset();
  m = data_error_of([&] { write_schedule(*wh, Schedule({unplayed})); });
  EXPECT_NE(m.find("away_team_score, home_team_score"), std::string::npos) << m;
}

// Finding 5: absurd values are refused with file, row, field, value and date;
// nothing reaches the warehouse. Each case is one bad input.
TEST(ImportTrust, Finding5_AbsurdValuesAreRefusedNamingFileRowFieldValueDate) {
  auto bdl = [](const std::string& player_fields) {
    return R"({"data":[{"date":"2024-01-15","home_team_score":124,"visitor_team_score":115,
      "home_team":{"abbreviation":"PHI","players":[{)" +
           player_fields +
           R"(,"player":{"id":145,"first_name":"Joel","last_name":"Embiid"}}]},
      "visitor_team":{"abbreviation":"HOU","players":[]}}]})";
  };
  struct Case {
    std::string fields, expect;
  };
  const std::vector<Case> bdl_cases = {
      {R"("pts":1e300)",
       "field pts value '1e+300' (date 2024-01-15): outside "
       "the plausible range 0..120"},
      {R"("pts":-3)", "field pts value '-3'"},
      {R"("pts":121)", "field pts value '121'"},
      {R"("pts":12.5)", "field pts value '12.5' (date 2024-01-15): not a whole number"},
      {R"("pts":"12")", "field pts value '\"12\"' (date 2024-01-15): not a number"},
      {R"("pts":18446744073709551615)", "field pts value '18446744073709551615'"},
      {R"("min":"xx:yy")", "field min value 'xx:yy'"},
      {R"("min":"12:75")", "field min value '12:75' (date 2024-01-15): seconds above 59"},
      {R"("min":"71")", "field min value '71'"},
      {R"("min":"-5")", "field min value '-5'"},
      {R"("min":34)", "field min value '34'"},
      {R"("fgm":9,"fga":8)", "field fgm value '9' (date 2024-01-15): more than fga (8)"},
      {R"("fg3m":3,"fg3a":2)", "field fg3m value '3'"},
      {R"("ftm":5,"fta":4)", "field ftm value '5'"},
      {R"("fgm":2,"fga":8,"fg3m":3,"fg3a":4)", "field fg3m value '3' (date 2024-01-15): more than fgm (2)"},
      {R"("fga":3,"fg3a":4)", "field fg3a value '4'"},
      {R"("reb":-1)", "field reb value '-1'"},
      {R"("ast":101)", "field ast value '101'"},
      {R"("pf":11)", "field pf value '11'"},
      {R"("fg_pct":1.5)", "field fg_pct value '1.5'"},
      {R"("ft_pct":-0.1)", "field ft_pct value '-0.1'"},
      {R"("stl":1e400)", "malformed JSON"},
  };
  int tried = 0;
  for (const Case& c : bdl_cases) {
    std::string m = data_error_of([&] { parse_bdl_box_scores(bdl(c.fields), "box.json"); });
    ++tried;
    EXPECT_NE(m.find(c.expect), std::string::npos) << c.fields << " → " << m;
    if (c.expect != "malformed JSON") {
      EXPECT_NE(m.find("box.json game #0 (20240115_HOU_PHI) player joelembiid"), std::string::npos) << m;
    }
  }
  // Game-level numbers and keys.
  const std::vector<std::pair<std::string, std::string>> game_cases = {
      {R"({"data":[{"date":"2024-01-15","home_team_score":-1,"home_team":{"abbreviation":"PHI","players":[]},
          "visitor_team":{"abbreviation":"HOU","players":[]}}]})",
       "game #0 (20240115_HOU_PHI) field home_team_score value '-1' (date "
       "2024-01-15)"},
      {R"({"data":[{"date":"2024-01-15","period":99,"home_team":{"abbreviation":"PHI","players":[]},
          "visitor_team":{"abbreviation":"HOU","players":[]}}]})",
       "field period value '99'"},
      {R"({"data":[{"date":"2024-01-15","home_team":{"abbreviation":"PHI","players":[
          {"pts":1,"player":{"id":1,"first_name":"Joel","last_name":"Embiid"}},
          {"pts":2,"player":{"id":2,"first_name":"Joel","last_name":"Embiid"}}]},
          "visitor_team":{"abbreviation":"HOU","players":[]}}]})",
       "duplicate (game_id, player_lookup) 20240115_HOU_PHI joelembiid (first "
       "at game #0 (20240115_HOU_PHI) "
       "player joelembiid)"},
      {R"({"data":[{"date":"2024-01-15","postseason":"no","home_team":{"abbreviation":"PHI","players":[]},
          "visitor_team":{"abbreviation":"HOU","players":[]}}]})",
       "field postseason value '\"no\"'"},
      {R"({"data":[{"date":"2024-01-15","home_team":{"abbreviation":"PHI","players":[]},
          "visitor_team":{"abbreviation":"PHI","players":[]}}]})",
       "field visitor_team.abbreviation value 'PHI'"},
  };
  for (const auto& c : game_cases) {
    std::string m = data_error_of([&] { parse_bdl_box_scores(c.first, "box.json"); });
    ++tried;
    EXPECT_NE(m.find(c.second), std::string::npos) << m;
  }
  // Shot chart: a second PLAYER_ID for an existing player-game, a second name
  // for a PLAYER_ID, non-positive or non-integer ids, and more than 100
  // attempts for one player in one game.
  std::string ok = kShotHeader;
  ok += shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
             "Restricted Area");
  const std::vector<std::pair<std::string, std::string>> shot_cases = {
      {shot("Miami Heat", "999", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
            "Restricted Area"),
       "shots.csv line 3 field PLAYER_ID value '999' (date 2023-11-03): player "
       "bamadebayo already shot with PLAYER_ID "
       "1628389 in game 20231103_WAS_MIA (line 2)"},
      {shot("Miami Heat", "1628389", "Tyler Herro", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
            "Restricted Area"),
       "line 3 field PLAYER_NAME value 'Tyler Herro' (date 2023-11-03): "
       "PLAYER_ID 1628389 shot as 'bamadebayo'"},
      {shot("Miami Heat", "0", "Tyler Herro", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
            "Restricted Area"),
       "line 3 field PLAYER_ID value '0'"},
      {shot("Miami Heat", "1e300", "Tyler Herro", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
            "Restricted Area"),
       "line 3 field PLAYER_ID value '1e300' (date 2023-11-03): not an "
       "integer"},
      {shot("Miami Heat", "99999999999999999999", "Tyler Herro", "11-03-2023", "22300003", "MIA", "WAS", "TRUE",
            "2PT Field Goal", "Restricted Area"),
       "integer out of range"},
      {shot("Miami Heat", "-7", "Tyler Herro", "11-03-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
            "Restricted Area"),
       "line 3 field PLAYER_ID value '-7'"},
      {shot("Miami Heat", "5", "Tyler Herro", "02-30-2023", "22300003", "MIA", "WAS", "TRUE", "2PT Field Goal",
            "Restricted Area"),
       "line 3 field GAME_DATE value '02-30-2023': not a calendar date"},
      {shot("Miami Heat", "5", "Tyler Herro", "11-03-2023", "22300003", "MIA", "MIA", "TRUE", "2PT Field Goal",
            "Restricted Area"),
       "field AWAY_TEAM value 'MIA'"},
      {shot("Miami Heat", "5", "Tyler Herro", "11-03-2023", "2230000300001", "MIA", "WAS", "TRUE", "2PT Field Goal",
            "Restricted Area"),
       "field GAME_ID value '2230000300001'"},
  };
  for (const auto& c : shot_cases) {
    std::string m = data_error_of([&] { parse_shot_chart(ok + c.first, "shots.csv"); });
    ++tried;
    EXPECT_NE(m.find(c.second), std::string::npos) << m;
  }
  std::string flood = ok;
  for (int i = 0; i < 100; ++i) {
    flood += shot("Miami Heat", "1628389", "Bam Adebayo", "11-03-2023", "22300003", "MIA", "WAS", "FALSE",
                  "2PT Field Goal", "Restricted Area");
  }
  std::string m = data_error_of([&] { parse_shot_chart(flood, "shots.csv"); });
  ++tried;
  EXPECT_NE(m.find("line 102 field PLAYER_ID value '1628389' (date "
                   "2023-11-03): player bamadebayo has more than 100"),
            std::string::npos)
      << m;
  // Schedule: bad status, week and score values; duplicate ids and duplicate
  // games.
  auto sched = [](const std::string& games) {
    return R"({"leagueSchedule":{"gameDates":[{"gameDate":"11/01/2024","games":[)" + games + "]}]}}";
  };
  const std::string g1 = game_json("0022400101", "20241101/BOSNYK", "NYK", "BOS", "", "", "Week 2", 2, 3);
  const std::vector<std::pair<std::string, std::string>> sched_cases = {
      {game_json("0022400101", "20241101/BOSNYK", "NYK", "BOS", "", "", "Week 2", 2, 9),
       "s.json game #0 (20241101/BOSNYK) field gameStatus value '9' (date "
       "2024-11-01)"},
      {game_json("0022400101", "20241101/BOSNYK", "NYK", "BOS", "", "", "Week 2", 99, 3),
       "field weekNumber value '99'"},
      {[&] {
         std::string x = g1;
         x.replace(x.find(R"("score":110)"), 11, R"("score":-4)");
         return x;
       }(),
       "s.json game #0 (20241101/BOSNYK) homeTeam field score value '-4' (date "
       "2024-11-01)"},
      {[&] {
         std::string x = g1;
         x.replace(x.find(R"("score":110)"), 11, R"("score":1e300)");
         return x;
       }(),
       "field score value '1e+300'"},
      {g1 + "," + game_json("0022400101", "20241101/MIAATL", "ATL", "MIA", "", "", "Week 2", 2, 3),
       "s.json game #1 (20241101/MIAATL) (date 2024-11-01): duplicate gameId "
       "0022400101 (first at game #0"},
      {g1 + "," + game_json("0022400102", "20241101/BOSNYK", "NYK", "BOS", "", "", "Week 2", 2, 3),
       "duplicate game (date, away, home) 20241101_BOS_NYK"},
  };
  for (const auto& c : sched_cases) {
    std::string msg = data_error_of([&] { parse_nbacom_schedule(sched(c.first), "s.json"); });
    ++tried;
    EXPECT_NE(msg.find(c.second), std::string::npos) << msg;
  }
  std::cout << "[ bad inputs tried ] " << tried << "\n";
  EXPECT_GE(tried, 40);
}

// Finding 6: past seasons' shot charts reuse one GAME_ID for different games.
// Each game is kept apart by date and teams (the legacy game_id), the NBA id
// stays an attribute, and every clash is a data-quality warning; the file
// imports.
TEST(ImportTrust, Finding6_ReusedGameIdKeepsEveryGameApart) {
  std::string csv = kShotHeader;
  csv += shot("Denver Nuggets", "203999", "Nikola Jokic", "10-24-2023", "22300001", "DEN", "LAL", "TRUE",
              "2PT Field Goal", "Restricted Area");
  csv += shot("Los Angeles Lakers", "2544", "LeBron James", "10-24-2023", "22300001", "DEN", "LAL", "FALSE",
              "3PT Field Goal", "Left Corner 3");
  // The same GAME_ID for a different game the next day, and for another game
  // the same day.
  csv += shot("Boston Celtics", "1628369", "Jayson Tatum", "10-25-2023", "22300001", "NYK", "BOS", "TRUE",
              "3PT Field Goal", "Above the Break 3");
  csv += shot("Phoenix Suns", "1626164", "Devin Booker", "10-24-2023", "22300001", "PHX", "GSW", "TRUE",
              "2PT Field Goal", "Mid-Range");
  // One game (DEN-LAL) seen again under a second GAME_ID.
  csv += shot("Denver Nuggets", "203999", "Nikola Jokic", "10-24-2023", "22300077", "DEN", "LAL", "TRUE",
              "2PT Field Goal", "Mid-Range");
  ShotChartImport imp = parse_shot_chart(csv, "old_season.csv");
  ASSERT_EQ(imp.games.size(), 3u);
  EXPECT_EQ(imp.games[0].date_id(), "20231024_GSW_PHX");
  EXPECT_EQ(imp.games[1].date_id(), "20231024_LAL_DEN");
  EXPECT_EQ(imp.games[2].date_id(), "20231025_BOS_NYK");
  for (const Game& g : imp.games) EXPECT_EQ(g.nba_game_id, "0022300001");
  ASSERT_EQ(imp.warnings.size(), 2u);
  EXPECT_NE(imp.warnings[0].find("old_season.csv: GAME_ID 0022300001 is used by 3 different games: "
                                 "20231024_GSW_PHX "
                                 "(line 5), 20231024_LAL_DEN (line 2), 20231025_BOS_NYK (line 4)"),
            std::string::npos)
      << imp.warnings[0];
  EXPECT_NE(imp.warnings[1].find("game 20231024_LAL_DEN appears under 2 GAME_IDs"), std::string::npos)
      << imp.warnings[1];
  // Jokic's two rows are one player-game (2 attempts), in the DEN-LAL game.
  const Table& pz = imp.player_zones;
  ASSERT_EQ(pz.num_rows(), 4u);
  for (size_t r = 0; r < pz.num_rows(); ++r) {
    EXPECT_EQ(pz.get_text(r, "nba_game_id"), "0022300001");
    if (pz.get_text(r, "player_lookup") == "nikolajokic") {
      EXPECT_EQ(pz.get_text(r, "game_id"), "20231024_LAL_DEN");
      EXPECT_EQ(*pz.get_int(r, "paint_attempts") + *pz.get_int(r, "mid_range_attempts"), 2);
    }
  }
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  ImportReport rep = write_shot_chart(*wh, imp);
  EXPECT_EQ(rep.rows.at("nba_raw.nbac_schedule"), 3);
  EXPECT_EQ(rep.warnings.size(), 2u);
  Schedule back = Schedule::from_table(wh->read(catalog::get("nba_raw.nbac_schedule"), std::nullopt));
  EXPECT_EQ(back.games().size(), 3u);
  EXPECT_EQ(back.games_on(Date::parse("2023-10-24")).size(), 2u);
  EXPECT_EQ(wh->read(catalog::get("nba_raw.team_shot_zones_allowed"), std::nullopt).num_rows(),
            4u);  // offenses: DEN, LAL, BOS, PHX
}

TEST(ImportTrust, HeaderOnlyFileWarnsAndWritesNothing) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  ImportReport rep = write_shot_chart(*wh, parse_shot_chart(kShotHeader, "empty.csv"));
  ASSERT_EQ(rep.warnings.size(), 1u);
  EXPECT_NE(rep.warnings[0].find("no rows to import"), std::string::npos);
  EXPECT_EQ(rep.rows.at("nba_raw.player_shot_zones"), 0);
  rep = write_bdl(*wh, parse_bdl_box_scores(R"({"data":[]})", "empty.json"));
  ASSERT_EQ(rep.warnings.size(), 1u);
  EXPECT_FALSE(wh->has_table(catalog::get("nba_raw.bdl_player_boxscores")));
}

TEST(ImportValidate, MinutesIntsAndKeys) {
  RowRef at("f.csv", "line 7", "2024-01-15");
  EXPECT_DOUBLE_EQ(parse_minutes(at, "MIN", "34"), 34.0);
  EXPECT_DOUBLE_EQ(parse_minutes(at, "MIN", "34:30"), 34.5);
  EXPECT_DOUBLE_EQ(parse_minutes(at, "MIN", "0:00"), 0.0);
  EXPECT_DOUBLE_EQ(parse_minutes(at, "MIN", "12.5"), 12.5);
  for (const char* bad : {"", ":", "34:", ":30", "34:5", "3a", "34:30:00", "1e2", "-1", " 34", "70:01", "NaN"}) {
    std::string m = data_error_of([&] { parse_minutes(at, "MIN", bad); });
    EXPECT_NE(m.find(std::string("f.csv line 7 field MIN value '") + bad + "' (date 2024-01-15)"), std::string::npos)
        << m;
  }
  EXPECT_EQ(parse_int(at, "N", "42", Limits{0, 50}), 42);
  EXPECT_THROW(parse_int(at, "N", "4 2", Limits{0, 50}), DataError);
  EXPECT_THROW(parse_int(at, "N", "+4", Limits{0, 50}), DataError);
  EXPECT_THROW(check_int(at, "N", std::numeric_limits<double>::quiet_NaN(), Limits{0, 50}), DataError);
  EXPECT_THROW(check_int(at, "N", -std::numeric_limits<double>::infinity(), Limits{0, 50}), DataError);
  EXPECT_EQ(check_int(at, "N", 50.0, Limits{0, 50}), 50);
  EXPECT_THROW(check_real(at, "P", 1.0000001, limits::kFraction), DataError);
  EXPECT_NO_THROW(check_makes(at, "FGM", 3, "FGA", 3));
  UniqueKeys keys("(game_id, player_lookup)");
  keys.claim(at, "g1 p1");
  std::string m = data_error_of([&] { keys.claim(RowRef("f.csv", "line 9"), "g1 p1"); });
  EXPECT_EQ(m,
            "f.csv line 9: duplicate (game_id, player_lookup) g1 p1 (first "
            "at line 7)");
  Table t(catalog::get("nba_raw.player_shot_zones"), {"game_id", "game_date", "player_lookup"});
  t.resize(2);
  for (size_t r = 0; r < 2; ++r) {
    t.set(r, "game_id", "g");
    t.set(r, "game_date", Date::parse("2024-01-15"));
    t.set(r, "player_lookup", "p");
  }
  m = data_error_of([&] { require_unique_keys(t, "x.csv"); });
  EXPECT_EQ(m,
            "x.csv: nba_raw.player_shot_zones rows 0 and 1 share the key "
            "(game_id=g, player_lookup=p) (date 2024-01-15)");
}

// ----------------------------------------------------------------------------------------
// Audit of 2026-12: bad input refused, never stored.

TEST(ImportValidate, InvalidUtf8IsEscapedAndClippedAtCharacterBoundaries) {
  EXPECT_EQ(valid_utf8_prefix("Jos\xc3\xa9"), 5u);
  EXPECT_EQ(valid_utf8_prefix("Jos\xe9 Alvarado"), 3u);
  EXPECT_EQ(valid_utf8_prefix("\xed\xa0\x80"), 0u);  // a UTF-16 surrogate
  EXPECT_EQ(valid_utf8_prefix("\xc0\xaf"), 0u);      // overlong '/'
  EXPECT_EQ(utf8_clip("Jos\xe9 Alvarado", SIZE_MAX), "Jos\\xe9 Alvarado");
  EXPECT_EQ(utf8_clip("Jos\xc3\xa9", SIZE_MAX), "Jos\xc3\xa9");
  EXPECT_EQ(utf8_clip("cut \xc3", SIZE_MAX), "cut \\xc3");
  // Never ends inside a character: "é" is two bytes and does not fit in 4.
  EXPECT_EQ(utf8_clip("Jos\xc3\xa9", 4), "Jos");
  EXPECT_EQ(utf8_clip("ab\xff", 5), "ab");
  std::string m =
      data_error_of([] { require_utf8(RowRef("f.csv", "line 3", "2023-11-04"), "PLAYER_NAME", "J\xf6rdan"); });
  EXPECT_NE(m.find("f.csv line 3 field PLAYER_NAME value 'J\\xf6rdan' (date 2023-11-04): not valid UTF-8"),
            std::string::npos)
      << m;
}

TEST(ImportShotChart, Latin1TextIsRefusedNamingLineFieldValueAndDate) {
  const std::string csv = std::string(kShotHeader) +
                          shot("Utah Jazz", "203903", "Jordan Clarkson", "11-03-2023", "22300003", "UTA", "LAL", "TRUE",
                               "2PT Field Goal", "Mid-Range") +
                          shot("Utah Jazz", "203903", "J\xf6rdan Clarkson", "11-03-2023", "22300003", "UTA", "LAL",
                               "TRUE", "2PT Field Goal", "Mid-Range");
  std::string m = data_error_of([&] { parse_shot_chart(csv, "latin1.csv"); });
  EXPECT_NE(m.find("latin1.csv line 3 field PLAYER_NAME value 'J\\xf6rdan Clarkson' (date 2023-11-03)"),
            std::string::npos)
      << m;
  m = data_error_of([&] { parse_shot_chart("SEASON_1,PLAYER_\xe9\r\n", "hdr.csv"); });
  EXPECT_NE(m.find("hdr.csv line 1 (header) field #2 value 'PLAYER_\\xe9'"), std::string::npos) << m;
}

TEST(ImportSchedule, SameTeamsBadGameIdAndUnusableGamesAreNamed) {
  auto sched = [](const std::string& games) {
    return R"({"leagueSchedule":{"gameDates":[{"gameDate":"11/01/2024","games":[)" + games + "]}]}}";
  };
  const std::string good = game_json("0022400101", "20241101/BOSNYK", "NYK", "BOS", "", "", "Week 2", 2, 3);
  std::string m = data_error_of([&] {
    parse_nbacom_schedule(
        sched(good + "," + game_json("0022400102", "20241101/MIAMIA", "MIA", "MIA", "", "", "", 2, 3)), "s.json");
  });
  EXPECT_NE(m.find("s.json game #1 (20241101/MIAMIA) field awayTeam.teamTricode value 'MIA' (date 2024-11-01): the "
                   "same team as homeTeam"),
            std::string::npos)
      << m;
  for (const char* id : {"abc", "22400102", "00224001020"}) {
    m = data_error_of([&] {
      parse_nbacom_schedule(sched(good + "," + game_json(id, "20241101/ATLMIA", "MIA", "ATL", "", "", "", 2, 3)),
                            "s.json");
    });
    EXPECT_NE(m.find(std::string("field gameId value '") + id + "' (date 2024-11-01): expected NBA.com's 10-digit"),
              std::string::npos)
        << m;
  }
  // One unusable game: kept out and named in a warning; only unusable games: an
  // error, not an "empty file".
  ScheduleImport imp = parse_nbacom_schedule(
      sched(good + "," + game_json("0022400102", "20241101/ATLMIA", "", "ATL", "", "", "", 2, 3)), "s.json");
  ASSERT_EQ(imp.games.size(), 1u);
  ASSERT_EQ(imp.warnings.size(), 1u);
  EXPECT_NE(imp.warnings[0].find("game #1 (gameId 0022400102) field homeTeam.teamTricode: missing"), std::string::npos)
      << imp.warnings[0];
  m = data_error_of([&] {
    parse_nbacom_schedule(sched(game_json("0022400101", "", "NYK", "BOS", "", "", "", 2, 3)), "nocode.json");
  });
  EXPECT_NE(m.find("nocode.json: no usable game (1 without a gameCode or a team), first: game #0 (gameId "
                   "0022400101) field gameCode: missing"),
            std::string::npos)
      << m;
}

TEST(ImportBdl, PlayedPlayerMissingAStatOrNameIsRefused) {
  const std::string line =
      R"({"min":"31","fgm":12,"fga":21,"fg3m":1,"fg3a":5,"ftm":16,"fta":17,"oreb":2,"dreb":8,"reb":10,"ast":3,
      "stl":1,"blk":1,"turnover":2,"pf":5,"pts":41,"player":{"id":145,"first_name":"Joel","last_name":"Embiid"}})";
  auto file = [](const std::string& player) {
    return R"({"data":[{"date":"2024-01-15","home_team":{"abbreviation":"PHI","players":[)" + player +
           R"(]},"visitor_team":{"abbreviation":"HOU","players":[]}}]})";
  };
  auto with = [&](const std::string& from, const std::string& to) {
    std::string x = line;
    x.replace(x.find(from), from.size(), to);
    return file(x);
  };
  ASSERT_EQ(parse_bdl_box_scores(file(line), "ok.json").num_rows(), 1u);
  for (const std::string& bad : {with(R"("pts":41)", R"("pts":null)"), with(R"(,"pts":41)", "")}) {
    std::string m = data_error_of([&] { parse_bdl_box_scores(bad, "b.json"); });
    EXPECT_NE(m.find("b.json game #0 (20240115_HOU_PHI) player joelembiid field pts value '' (date 2024-01-15): "
                     "missing for a player who played"),
              std::string::npos)
        << m;
  }
  // A player who did not play may lack stats.
  EXPECT_EQ(parse_bdl_box_scores(with(R"("min":"31","fgm":12,"fga":21)", R"("min":"00")"), "dnp.json").num_rows(), 1u);
  std::string m =
      data_error_of([&] { parse_bdl_box_scores(with(R"("first_name":"Joel")", R"("first_name":null)"), "n.json"); });
  EXPECT_NE(m.find("field player.first_name value 'null' (date 2024-01-15)"), std::string::npos) << m;
}

// A player whose name has no letters ("123 45": a misread column) is refused by
// the rule of every importer (raw::checked_player_lookup); the legacy
// BdlBoxscoresProcessor stored it as the name and lookup ("12345"). A digit
// in a real name is kept.
TEST(ImportBdl, PlayerNamedByNumbersIsRefused) {
  auto file = [](const std::string& first, const std::string& last) {
    return R"({"data":[{"date":"2024-01-15","home_team":{"abbreviation":"PHI","players":[{"min":"00","player":{"id":1,)"
           R"("first_name":")" +
           first + R"(","last_name":")" + last + R"("}}]},"visitor_team":{"abbreviation":"HOU","players":[]}}]})";
  };
  const std::string where =
      "n.json game #0 (20240115_HOU_PHI) home_team.players[0] field player.first_name + last_name";
  std::string m = data_error_of([&] { parse_bdl_box_scores(file("123", "45"), "n.json"); });
  EXPECT_NE(m.find(where + " value '123 45' (date 2024-01-15): a number, not a player name (no letters)"),
            std::string::npos)
      << m;
  m = data_error_of([&] { parse_bdl_box_scores(file("#", "."), "n.json"); });
  EXPECT_NE(m.find(where + " value '# .' (date 2024-01-15): no letters or digits in the player name"),
            std::string::npos)
      << m;
  const Table t = parse_bdl_box_scores(file("Player", "2"), "ok.json");
  ASSERT_EQ(t.num_rows(), 1u);
  EXPECT_EQ(t.get_text(0, "player_lookup"), "player2");
}

TEST(ImportBdl, DeeplyNestedJsonIsADataErrorNotAStackOverflow) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string m = data_error_of([&] { parse_bdl_box_scores(deep, "deep.json"); });
  EXPECT_NE(m.find("deep.json: JSON nested deeper than 64 levels"), std::string::npos) << m;
  m = data_error_of([&] { parse_nbacom_schedule(deep, "deep.json"); });
  EXPECT_NE(m.find("deep.json: JSON nested deeper than 64 levels"), std::string::npos) << m;
  // 60 levels parse; the bad game is previewed briefly, not dumped whole.
  const std::string nested = R"({"data":[)" + std::string(60, '[') + std::string(60, ']') + "]}";
  m = data_error_of([&] { parse_bdl_box_scores(nested, "n.json"); });
  EXPECT_NE(m.find("n.json game #0 field (game) value '[[[[[[[[[["), std::string::npos) << m;
  EXPECT_LT(m.size(), 200u) << m;
}

TEST(ImportWrite, RefuseGuardComparesRowByRow) {
  TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  const std::string two = R"({"data":[{"date":"2024-01-15","home_team":{"abbreviation":"PHI","players":[
      {"min":"31","fgm":1,"fga":2,"fg3m":0,"fg3a":0,"ftm":0,"fta":0,"oreb":0,"dreb":0,"reb":0,"ast":0,"stl":0,
       "blk":0,"turnover":0,"pf":0,"pts":2,"player":{"first_name":"Joel","last_name":"Embiid"}},
      {"min":"00",PTS"player":{"first_name":"Jae","last_name":"Crowder"}}]},
      "visitor_team":{"abbreviation":"HOU","players":[]}}]})";
  auto file = [&](const std::string& pts) {
    std::string x = two;
    x.replace(x.find("PTS"), 3, pts);
    return x;
  };
  const Table stored = parse_bdl_box_scores(file(R"("pts":0,)"), "a.json");
  write_bdl(*wh, stored, ImportOptions{});
  // Embiid still carries points, but Crowder's stored 0 would become NULL.
  const Table lacking = parse_bdl_box_scores(file(""), "b.json");
  std::string m = data_error_of([&] { write_bdl(*wh, lacking, ImportOptions{}); });
  EXPECT_NE(m.find("1 stored row of 1 game (first: 20240115_HOU_PHI on 2024-01-15) has points"), std::string::npos)
      << m;
  const Table after = wh->read(catalog::get("nba_raw.bdl_player_boxscores"), std::nullopt);
  ASSERT_EQ(after.num_rows(), 2u);
  EXPECT_EQ(after.get_int(0, "points").value_or(-1) + after.get_int(1, "points").value_or(-1), 2);
}
