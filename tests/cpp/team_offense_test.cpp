#include <gtest/gtest.h>

#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::analytics;

TEST(Togs, SpecWorkedCheck) {
  // legacy-phase3.md §1: FGA 88, FTA 22, TOV 13, OREB 10, 240:00 → P = 100.7,
  // possessions 100, pace 100.7.
  double p = possessions_1dp(88, 22, 13, 10);
  EXPECT_DOUBLE_EQ(p, 100.7);
  EXPECT_EQ(static_cast<int64_t>(p), 100);
  EXPECT_DOUBLE_EQ(game_minutes(std::string("240:00")), 48.0);
  EXPECT_DOUBLE_EQ(*pace(p, game_minutes(std::string("240:00"))), 100.7);
}

TEST(Togs, FormulasHandWorked) {
  // ORtg = round(112 / 100.7 × 100, 2) = round(111.221449..., 2) = 111.22
  EXPECT_DOUBLE_EQ(*rating(112, 100.7), 111.22);
  EXPECT_FALSE(rating(100, 0).has_value());
  // Overtime: "265:00" → one OT, game minutes 53, pace = round(100.7 × 48 / 53,
  // 1) = 91.2
  EXPECT_EQ(overtime_periods(std::string("265:00")), 1);
  EXPECT_EQ(overtime_periods(std::string("290:00")), 2);
  EXPECT_EQ(overtime_periods(std::string("240:00")), 0);
  EXPECT_EQ(overtime_periods(std::nullopt), 0);
  EXPECT_DOUBLE_EQ(game_minutes(std::string("265:00")), 53.0);
  EXPECT_DOUBLE_EQ(*pace(100.7, 53.0), 91.2);
  EXPECT_DOUBLE_EQ(game_minutes(std::nullopt), 48.0);
  // TS% = round(112 / (2 × (88 + 0.44 × 22)), 3) = round(112 / 195.36, 3) =
  // 0.573
  EXPECT_DOUBLE_EQ(*true_shooting(112, 88, 22), 0.573);
  EXPECT_FALSE(true_shooting(0, 0, 0).has_value());
  // Python rounding: ties to even on the exact binary value.
  EXPECT_DOUBLE_EQ(proc::py_round(0.125, 2), 0.12);
  EXPECT_DOUBLE_EQ(proc::py_round(2.675, 2),
                   2.67);  // 2.675 is 2.67499999… in binary
  EXPECT_DOUBLE_EQ(proc::py_round(30.5, 0), 30.0);
}

namespace {

Schedule one_game(Date d) {
  Game g;
  g.nba_game_id = "0022300100";
  g.date = d;
  g.season = 2023;
  g.home = "BOS";
  g.away = "LAL";
  g.status = GameStatus::kFinal;
  g.home_score = 112;
  g.away_score = 104;
  return Schedule({g});
}

void box_row(Table& t, Date d, const std::string& team, bool home, int pts, int fga, int fgm, int fta, int tov,
             int oreb, const std::string& minutes) {
  size_t r = t.add_row();
  t.set(r, "game_id", d.compact() + "_LAL_BOS");
  t.set(r, "nba_game_id", "0022300100");
  t.set(r, "game_date", d);
  t.set(r, "season_year", 2023);
  t.set(r, "team_id", int64_t{1});
  t.set(r, "team_abbr", team);
  t.set(r, "is_home", home);
  t.set(r, "minutes", minutes);
  t.set(r, "fg_made", fgm);
  t.set(r, "fg_attempted", fga);
  t.set(r, "three_pt_made", 12);
  t.set(r, "three_pt_attempted", 35);
  t.set(r, "ft_made", 18);
  t.set(r, "ft_attempted", fta);
  t.set(r, "offensive_rebounds", oreb);
  t.set(r, "defensive_rebounds", 34);
  t.set(r, "total_rebounds", oreb + 34);
  t.set(r, "assists", 25);
  t.set(r, "turnovers", tov);
  t.set(r, "personal_fouls", 19);
  t.set(r, "points", pts);
  t.set(r, "processed_at", "2023-11-01T04:00:00Z");
}

}  // namespace

TEST(Togs, ComputeFromTeamBoxScores) {
  Date d = Date::parse("2023-11-01");
  Schedule s = one_game(d);
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  box_row(box, d, "BOS", true, 112, 88, 41, 22, 13, 10, "240:00");
  box_row(box, d, "LAL", false, 104, 90, 38, 20, 15, 12, "240:00");
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  UnitOutput out = compute_team_offense(s, d, {box, gb, zones});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  const Table& t = out.rows;
  EXPECT_EQ(*t.get_text(0, "team_abbr"), "BOS");
  EXPECT_EQ(*t.get_text(0, "game_id"), "20231101_LAL_BOS");
  EXPECT_EQ(*t.get_text(0, "opponent_team_abbr"), "LAL");
  EXPECT_EQ(*t.get_int(0, "possessions"), 100);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "offensive_rating"), 111.22);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "pace"), 100.7);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "ts_pct"), 0.573);
  EXPECT_TRUE(*t.get_bool(0, "win_flag"));
  EXPECT_TRUE(*t.get_bool(0, "home_game"));
  EXPECT_EQ(*t.get_int(0, "margin_of_victory"), 8);
  EXPECT_FALSE(*t.get_bool(1, "win_flag"));
  EXPECT_EQ(*t.get_int(1, "margin_of_victory"), -8);
  // LAL: P = round(90 + 8.8 + 15 − 12, 1) = 101.8 → ORtg round(104/101.8×100,
  // 2) = 102.16
  EXPECT_DOUBLE_EQ(*t.get_real(1, "offensive_rating"), 102.16);
  EXPECT_EQ(*t.get_text(0, "primary_source_used"), "nbac_team_boxscore");
  EXPECT_EQ(*t.get_text(0, "quality_tier"), "gold");
  EXPECT_FALSE(*t.get_bool(0, "shot_zones_available"));
  EXPECT_EQ(*t.get_text(0, "quality_issues"), R"(["shot_zones_unavailable"])");
  EXPECT_EQ(t.get_text(0, "data_hash")->size(), 16u);
  // Determinism: the same inputs give the same hashes.
  UnitOutput again = compute_team_offense(s, d, {box, gb, zones});
  EXPECT_EQ(*again.rows.get_text(0, "data_hash"), *t.get_text(0, "data_hash"));
  EXPECT_NE(*t.get_text(0, "data_hash"), *t.get_text(1, "data_hash"));
}

// Legacy spec §9: the team box score's source columns are run-level: COUNT(*)
// of the source rows (a re-scraped duplicate counts), min(100, rows / 20 ·
// 100), MAX(processed_at) and the latest non-null data_hash — the same on both
// rows. (They were per row: 2 rows, 100 %, the row's own timestamp and hash.)
TEST(Togs, SourceColumnsAreRunLevel) {
  Date d = Date::parse("2023-11-01");
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  box_row(box, d, "BOS", true, 112, 88, 41, 22, 13, 10, "240:00");
  box.set(0, "data_hash", "aaaa");
  box_row(box, d, "BOS", true, 112, 88, 41, 22, 13, 10, "240:00");
  box.set(1, "processed_at", "2023-11-01T06:00:00Z");
  box.set(1, "data_hash", "cccc");
  box_row(box, d, "LAL", false, 104, 90, 38, 20, 15, 12, "240:00");
  box.set(2, "processed_at", "2023-11-01T07:00:00Z");  // the newest row, without a hash
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  UnitOutput out = compute_team_offense(one_game(d), d, {box, gb, zones});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  const Table& t = out.rows;
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_EQ(*t.get_int(r, "source_nbac_boxscore_rows_found"), 3);
    EXPECT_DOUBLE_EQ(*t.get_real(r, "source_nbac_boxscore_completeness_pct"), 15.0);
    EXPECT_EQ(*t.get_text(r, "source_nbac_boxscore_last_updated"), "2023-11-01T07:00:00Z");
    EXPECT_EQ(*t.get_text(r, "source_nbac_boxscore_hash"), "cccc");
  }
  EXPECT_EQ(*t.get_int(0, "points_scored"), 112);  // the BOS duplicate counts once in the line
}

TEST(Togs, ReconstructsFromPlayersAndReportsMissingGames) {
  Date d = Date::parse("2023-11-01");
  Schedule s = one_game(d);
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  // Only BOS has player lines → the game is incomplete upstream.
  for (int i = 0; i < 6; ++i) {
    size_t r = gb.add_row();
    gb.set(r, "game_id", d.compact() + "_LAL_BOS");
    gb.set(r, "game_date", d);
    gb.set(r, "season_year", 2023);
    gb.set(r, "team_abbr", "BOS");
    gb.set(r, "player_name_original", "P" + std::to_string(i));
    gb.set(r, "player_status", "active");
    gb.set(r, "points", 10);
    gb.set(r, "field_goals_attempted", 9);
    gb.set(r, "free_throws_attempted", 2);
  }
  UnitOutput out = compute_team_offense(s, d, {box, gb, zones});
  EXPECT_EQ(out.rows.num_rows(), 0u);
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].category, "INCOMPLETE_UPSTREAM");
  // Add LAL players: now both sides reconstruct (silver, reconstructed).
  for (int i = 0; i < 5; ++i) {
    size_t r = gb.add_row();
    gb.set(r, "game_id", d.compact() + "_LAL_BOS");
    gb.set(r, "game_date", d);
    gb.set(r, "season_year", 2023);
    gb.set(r, "team_abbr", "LAL");
    gb.set(r, "player_name_original", "Q" + std::to_string(i));
    gb.set(r, "player_status", "active");
    gb.set(r, "points", 20);
    gb.set(r, "field_goals_attempted", 16);
  }
  out = compute_team_offense(s, d, {box, gb, zones});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  EXPECT_EQ(*out.rows.get_int(0, "points_scored"), 60);
  EXPECT_EQ(*out.rows.get_int(1, "points_scored"), 100);
  EXPECT_EQ(*out.rows.get_text(0, "quality_tier"), "silver");
  EXPECT_EQ(*out.rows.get_text(0, "primary_source_used"), "reconstructed_team_from_players");
  EXPECT_FALSE(*out.rows.get_bool(0, "win_flag"));  // 60 < 100
}

TEST(Togs, RunsThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Date d = Date::parse("2023-11-01");
  Schedule s = one_game(d);
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  box_row(box, d, "BOS", true, 112, 88, 41, 22, 13, 10, "265:00");
  box_row(box, d, "LAL", false, 104, 90, 38, 20, 15, 12, "265:00");
  wh.replace_partition(catalog::get("nba_raw.nbac_team_boxscore"), d, box);
  auto p = make_team_offense_processor();
  UnitOutput out = p->run(UnitContext{wh, s, d});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  EXPECT_EQ(*out.rows.get_int(0, "overtime_periods"), 1);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(0, "pace"), 91.2);
  wh.replace_partition(catalog::get(p->info().output_table), d, out.rows);
  EXPECT_EQ(wh.partition_counts(catalog::get(p->info().output_table), std::nullopt)[d], 2);
}

TEST(Togs, ProjectedReadsGiveTheRowsOfFullTables) {
  // The processor reads only its columns (detail::togs_*_columns); its rows
  // equal compute_team_offense over every column of the same stored rows.
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Date d = Date::parse("2023-11-01");
  Schedule s = one_game(d);
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  box_row(box, d, "BOS", true, 112, 88, 41, 22, 13, 10, "265:00");
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  for (int i = 0; i < 7; ++i) {  // LAL from 5 active players, BOS with 2 inactive
    size_t r = gb.add_row();
    gb.set(r, "game_id", d.compact() + "_LAL_BOS");
    gb.set(r, "game_date", d);
    gb.set(r, "season_year", 2023);
    gb.set(r, "team_abbr", i < 5 ? "LAL" : "BOS");
    gb.set(r, "player_name_original", "P" + std::to_string(i));
    gb.set(r, "player_status", i < 5 ? "active" : "inactive");
    gb.set(r, "points", 20);
    gb.set(r, "field_goals_attempted", 16);
  }
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  size_t z = zones.add_row();
  zones.set(z, "game_id", d.compact() + "_LAL_BOS");
  zones.set(z, "game_date", d);
  zones.set(z, "season_year", 2023);
  zones.set(z, "player_lookup", "bos0");
  zones.set(z, "team_abbr", "BOS");
  zones.set(z, "opponent_team_abbr", "LAL");
  zones.set(z, "paint_attempts", 30);
  zones.set(z, "paint_makes", 18);
  for (const auto& [name, t] : {std::pair{"nba_raw.nbac_team_boxscore", &box},
                                {"nba_raw.nbac_gamebook_player_stats", &gb},
                                {"nba_raw.player_shot_zones", &zones}}) {
    wh.replace_partition(catalog::get(name), d, *t);
  }
  UnitOutput out = make_team_offense_processor()->run(UnitContext{wh, s, d});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  auto full = [&](const char* name) { return wh.read(catalog::get(name), DateRange{d, d}); };
  UnitOutput expected =
      compute_team_offense(s, d,
                           {full("nba_raw.nbac_team_boxscore"), full("nba_raw.nbac_gamebook_player_stats"),
                            full("nba_raw.player_shot_zones")});
  nbaprops::testing::expect_same_rows(out.rows, expected.rows);
  EXPECT_EQ(*out.rows.get_text(1, "quality_tier"), "silver");  // LAL reconstructed
  EXPECT_EQ(*out.rows.get_int(0, "players_inactive"), 2);
  EXPECT_EQ(*out.rows.get_int(0, "points_in_paint_scored"), 36);
}
