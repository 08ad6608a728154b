#include <gtest/gtest.h>

#include "nbaprops/processors/analytics/team_defense.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using nbaprops::testing::row_with;

using namespace nbaprops;
using namespace nbaprops::analytics;

namespace {

const Date kDay = Date::parse("2023-11-01");
const std::string kGid = "20231101_LAL_BOS";

Schedule one_game(int home_score, int away_score) {
  Game g;
  g.nba_game_id = "0022300100";
  g.date = kDay;
  g.season = 2023;
  g.home = "BOS";
  g.away = "LAL";
  g.status = GameStatus::kFinal;
  g.home_score = home_score;
  g.away_score = away_score;
  return Schedule({g});
}

struct Box {
  std::string team;
  bool home;
  int pts, fga, fgm, tpa, tpm, fta, ftm, oreb, dreb, ast, stl, tov, pf;
};

void box_row(Table& t, const Box& b, const std::string& minutes) {
  size_t r = t.add_row();
  t.set(r, "game_id", kGid);
  t.set(r, "nba_game_id", "0022300100");
  t.set(r, "game_date", kDay);
  t.set(r, "season_year", 2023);
  t.set(r, "team_id", int64_t{1});
  t.set(r, "team_abbr", b.team);
  t.set(r, "is_home", b.home);
  t.set(r, "minutes", minutes);
  t.set(r, "points", b.pts);
  t.set(r, "fg_attempted", b.fga);
  t.set(r, "fg_made", b.fgm);
  t.set(r, "three_pt_attempted", b.tpa);
  t.set(r, "three_pt_made", b.tpm);
  t.set(r, "ft_attempted", b.fta);
  t.set(r, "ft_made", b.ftm);
  t.set(r, "offensive_rebounds", b.oreb);
  t.set(r, "defensive_rebounds", b.dreb);
  t.set(r, "total_rebounds", b.oreb + b.dreb);
  t.set(r, "assists", b.ast);
  t.set(r, "steals", b.stl);
  t.set(r, "turnovers", b.tov);
  t.set(r, "personal_fouls", b.pf);
  t.set(r, "processed_at", "2023-11-02T04:00:00Z");
}

const Box kBos{"BOS", true, 112, 88, 41, 35, 12, 22, 18, 10, 34, 25, 7, 13, 19};
const Box kLal{"LAL", false, 110, 85, 40, 30, 11, 23, 19, 9, 33, 22, 6, 14, 21};

void gb_row(Table& t, const std::string& team, const std::string& name, const std::string& status,
            std::optional<int64_t> stl, std::optional<int64_t> dreb, std::optional<int64_t> fga = std::nullopt,
            std::optional<int64_t> fgm = std::nullopt, std::optional<int64_t> tpa = std::nullopt,
            std::optional<int64_t> tpm = std::nullopt) {
  size_t r = t.add_row();
  t.set(r, "game_id", kGid);
  t.set(r, "game_date", kDay);
  t.set(r, "season_year", 2023);
  t.set(r, "team_abbr", team);
  t.set(r, "player_name_original", name);
  t.set(r, "player_lookup", name);
  t.set(r, "player_status", status);
  t.col("steals").set_int(r, stl);
  t.col("defensive_rebounds").set_int(r, dreb);
  t.col("field_goals_attempted").set_int(r, fga);
  t.col("field_goals_made").set_int(r, fgm);
  t.col("three_pointers_attempted").set_int(r, tpa);
  t.col("three_pointers_made").set_int(r, tpm);
}

void zone_row(Table& t, const std::string& team, const std::string& lookup, int pa, int pm, int ma, int mm,
              std::optional<int64_t> bp, std::optional<int64_t> bm, std::optional<int64_t> b3) {
  size_t r = t.add_row();
  t.set(r, "game_id", kGid);
  t.set(r, "game_date", kDay);
  t.set(r, "season_year", 2023);
  t.set(r, "player_lookup", lookup);
  t.set(r, "team_abbr", team);
  t.set(r, "opponent_team_abbr", team == "BOS" ? "LAL" : "BOS");
  t.set(r, "paint_attempts", pa);
  t.set(r, "paint_makes", pm);
  t.set(r, "mid_range_attempts", ma);
  t.set(r, "mid_range_makes", mm);
  t.col("blocks_paint").set_int(r, bp);
  t.col("blocks_mid_range").set_int(r, bm);
  t.col("blocks_three_pt").set_int(r, b3);
}

struct Inputs {
  Table box{catalog::get("nba_raw.nbac_team_boxscore")};
  Table gb{catalog::get("nba_raw.nbac_gamebook_player_stats")};
  Table zones{catalog::get("nba_raw.player_shot_zones")};
  Table allowed{catalog::get("nba_raw.team_shot_zones_allowed")};
  TeamDefenseInputs view() const { return {box, gb, zones, allowed}; }
};

/// Team box for both sides (265:00 = one OT); BOS gamebook (5 active, 1
/// inactive); LAL without gamebook rows; zones allowed for BOS as defender; BOS
/// player zones with blocks.
Inputs full_inputs() {
  Inputs in;
  box_row(in.box, kBos, "265:00");
  box_row(in.box, kLal, "265:00");
  const int steals[5] = {1, 2, 0, 1, 1};
  for (int i = 0; i < 5; ++i) gb_row(in.gb, "BOS", "bos" + std::to_string(i), "active", steals[i], 7);
  gb_row(in.gb, "BOS", "bosout", "inactive", std::nullopt, std::nullopt);
  size_t r = in.allowed.add_row();
  in.allowed.set(r, "game_id", kGid);
  in.allowed.set(r, "game_date", kDay);
  in.allowed.set(r, "season_year", 2023);
  in.allowed.set(r, "defending_team_abbr", "BOS");
  in.allowed.set(r, "offense_team_abbr", "LAL");
  in.allowed.set(r, "paint_attempts_allowed", 40);
  in.allowed.set(r, "paint_makes_allowed", 24);
  in.allowed.set(r, "mid_range_attempts_allowed", 15);
  in.allowed.set(r, "mid_range_makes_allowed", 6);
  zone_row(in.zones, "BOS", "bos0", 10, 6, 5, 2, 2, 0, 1);
  zone_row(in.zones, "BOS", "bos1", 8, 4, 3, 1, 1, 1, 0);
  return in;
}

size_t row_of(const Table& t, const std::string& defender) { return row_with(t, "defending_team_abbr", defender); }

}  // namespace

TEST(TdgsFormulas, DefensiveRatingUsesUnroundedPossessions) {
  // Opponent 110 pts, 85 FGA, 23 FTA, 14 TOV, 9 OREB: possessions 85 + 10.12 +
  // 14 − 9 = 100.12. DRtg = round(110 / 100.12 × 100, 2) = round(109.868…, 2) =
  // 109.87 (TOGS-style 100.1 would give 109.89).
  EXPECT_DOUBLE_EQ(*defensive_rating(110, 85, 23, 14, 9), 109.87);
  EXPECT_DOUBLE_EQ(*rating(110, possessions_1dp(85, 23, 14, 9)), 109.89);
  EXPECT_FALSE(defensive_rating(0, 0, 0, 0, 0).has_value());
}

TEST(TdgsCompute, OpponentOffenseRatingsZonesAndActions) {
  Inputs in = full_inputs();
  UnitOutput out = compute_team_defense(one_game(112, 110), kDay, in.view());
  EXPECT_TRUE(out.failures.empty());
  ASSERT_EQ(out.rows.num_rows(), 2u);
  const Table& t = out.rows;
  size_t b = row_of(t, "BOS");
  EXPECT_EQ(*t.get_text(b, "opponent_team_abbr"), "LAL");
  EXPECT_EQ(*t.get_int(b, "points_allowed"), 110);
  EXPECT_EQ(*t.get_int(b, "opp_fg_attempts"), 85);
  EXPECT_EQ(*t.get_int(b, "opp_rebounds"), 42);  // 9 + 33
  EXPECT_EQ(*t.get_int(b, "turnovers_forced"), 14);
  EXPECT_EQ(*t.get_int(b, "fouls_committed"), 19);          // BOS's own fouls
  EXPECT_EQ(*t.get_int(b, "three_pt_points_allowed"), 33);  // 3 × 11
  EXPECT_DOUBLE_EQ(*t.get_real(b, "defensive_rating"), 109.87);
  EXPECT_DOUBLE_EQ(*t.get_real(b, "opponent_pace"),
                   100.1);  // raw opponent possessions, 1 dp
  // TS = 110 / (2 × (85 + 10.12)) = 110 / 190.24 = 0.5782… → 0.578
  EXPECT_DOUBLE_EQ(*t.get_real(b, "opponent_ts_pct"), 0.578);
  // Zones allowed from team_shot_zones_allowed: paint 40/24, mid 15/6.
  EXPECT_EQ(*t.get_int(b, "opp_paint_attempts"), 40);
  EXPECT_EQ(*t.get_int(b, "points_in_paint_allowed"), 48);
  EXPECT_EQ(*t.get_int(b, "mid_range_points_allowed"), 12);
  // Blocks = Σ of BOS players: paint 2 + 1, mid 0 + 1, three 1 + 0.
  EXPECT_EQ(*t.get_int(b, "blocks_paint"), 3);
  EXPECT_EQ(*t.get_int(b, "blocks_mid_range"), 1);
  EXPECT_EQ(*t.get_int(b, "blocks_three_pt"), 1);
  // Actions from BOS's active gamebook rows: steals 1+2+0+1+1 = 5, DREB 5 × 7
  // = 35.
  EXPECT_EQ(*t.get_int(b, "steals"), 5);
  EXPECT_EQ(*t.get_int(b, "defensive_rebounds"), 35);
  EXPECT_EQ(*t.get_int(b, "players_inactive"), 1);
  EXPECT_TRUE(*t.get_bool(b, "home_game"));
  EXPECT_TRUE(*t.get_bool(b, "win_flag"));
  EXPECT_EQ(*t.get_int(b, "margin_of_victory"), 2);
  EXPECT_EQ(*t.get_int(b, "overtime_periods"), 1);  // 265:00
  EXPECT_FALSE(t.get_int(b, "second_chance_points_allowed").has_value());
  EXPECT_EQ(*t.get_text(b, "primary_source_used"), "nbac_team_boxscore+nbac_gamebook");
  EXPECT_EQ(*t.get_text(b, "quality_tier"), "gold");
  EXPECT_EQ(*t.get_int(b, "source_team_boxscore_rows_found"), 2);
  EXPECT_DOUBLE_EQ(*t.get_real(b, "source_team_boxscore_completeness_pct"),
                   50.0);  // 2 / 4

  size_t l = row_of(t, "LAL");
  EXPECT_EQ(*t.get_int(l, "points_allowed"), 112);
  // LAL has no zones-allowed row: BOS's own player zones (paint 10+8 / 6+4, mid
  // 5+3 / 2+1).
  EXPECT_EQ(*t.get_int(l, "opp_paint_attempts"), 18);
  EXPECT_EQ(*t.get_int(l, "opp_paint_makes"), 10);
  EXPECT_EQ(*t.get_int(l, "points_in_paint_allowed"), 20);
  EXPECT_EQ(*t.get_int(l, "opp_mid_range_makes"), 3);
  EXPECT_FALSE(t.get_int(l, "blocks_paint").has_value());  // no LAL zone rows
  // No LAL gamebook rows: team box steals/DREB; inactive count unknown.
  EXPECT_EQ(*t.get_int(l, "steals"), 6);
  EXPECT_EQ(*t.get_int(l, "defensive_rebounds"), 33);
  EXPECT_FALSE(t.get_int(l, "players_inactive").has_value());
  EXPECT_FALSE(*t.get_bool(l, "win_flag"));
  EXPECT_EQ(*t.get_int(l, "margin_of_victory"), -2);
  EXPECT_EQ(*t.get_text(l, "primary_source_used"), "nbac_team_boxscore+nbac_team_boxscore");
}

// Legacy spec §2: gamebook defensive actions count only for a team with at
// least 5 active rows; with 4 the team box score's steals/DREB are used, as
// for a team without gamebook rows.
TEST(TdgsCompute, FewerThanFiveActiveRowsFallBackToTheBoxScore) {
  Inputs in;
  box_row(in.box, kBos, "240:00");
  box_row(in.box, kLal, "240:00");
  for (int i = 0; i < 4; ++i) gb_row(in.gb, "BOS", "bos" + std::to_string(i), "active", 3, 9);
  gb_row(in.gb, "BOS", "bosout", "inactive", std::nullopt, std::nullopt);
  for (int i = 0; i < 5; ++i) gb_row(in.gb, "LAL", "lal" + std::to_string(i), "active", 1, 2);
  UnitOutput out = compute_team_defense(one_game(112, 110), kDay, in.view());
  ASSERT_EQ(out.rows.num_rows(), 2u);
  const Table& t = out.rows;
  size_t b = row_of(t, "BOS");
  EXPECT_EQ(*t.get_int(b, "steals"), 7);               // BOS box, not 4 × 3 = 12
  EXPECT_EQ(*t.get_int(b, "defensive_rebounds"), 34);  // BOS box, not 4 × 9 = 36
  EXPECT_EQ(*t.get_text(b, "primary_source_used"), "nbac_team_boxscore+nbac_team_boxscore");
  EXPECT_EQ(*t.get_int(b, "players_inactive"), 1);  // still counted from the gamebook
  size_t l = row_of(t, "LAL");
  EXPECT_EQ(*t.get_int(l, "steals"), 5);  // 5 active rows: the gamebook sum
  EXPECT_EQ(*t.get_int(l, "defensive_rebounds"), 10);
  EXPECT_EQ(*t.get_text(l, "primary_source_used"), "nbac_team_boxscore+nbac_gamebook");
}

TEST(TdgsCompute, MirrorsTheOpponentsOffense) {
  Inputs in = full_inputs();
  UnitOutput def = compute_team_defense(one_game(112, 110), kDay, in.view());
  UnitOutput off = compute_team_offense(one_game(112, 110), kDay, {in.box, in.gb, in.zones});
  ASSERT_EQ(def.rows.num_rows(), 2u);
  ASSERT_EQ(off.rows.num_rows(), 2u);
  for (size_t o = 0; o < 2; ++o) {
    const std::string offense = *off.rows.get_text(o, "team_abbr");
    size_t d = row_of(def.rows, *off.rows.get_text(o, "opponent_team_abbr"));
    EXPECT_EQ(*def.rows.get_text(d, "opponent_team_abbr"), offense);
    EXPECT_EQ(def.rows.get_int(d, "points_allowed"), off.rows.get_int(o, "points_scored"));
    EXPECT_EQ(def.rows.get_int(d, "opp_fg_attempts"), off.rows.get_int(o, "fg_attempts"));
    EXPECT_EQ(def.rows.get_int(d, "opp_fg_makes"), off.rows.get_int(o, "fg_makes"));
    EXPECT_EQ(def.rows.get_int(d, "opp_three_pt_attempts"), off.rows.get_int(o, "three_pt_attempts"));
    EXPECT_EQ(def.rows.get_int(d, "opp_three_pt_makes"), off.rows.get_int(o, "three_pt_makes"));
    EXPECT_EQ(def.rows.get_int(d, "opp_ft_attempts"), off.rows.get_int(o, "ft_attempts"));
    EXPECT_EQ(def.rows.get_int(d, "opp_ft_makes"), off.rows.get_int(o, "ft_makes"));
    EXPECT_EQ(def.rows.get_int(d, "opp_rebounds"), off.rows.get_int(o, "rebounds"));
    EXPECT_EQ(def.rows.get_int(d, "opp_assists"), off.rows.get_int(o, "assists"));
    EXPECT_EQ(def.rows.get_int(d, "turnovers_forced"), off.rows.get_int(o, "turnovers"));
    EXPECT_EQ(def.rows.get_real(d, "opponent_ts_pct"), off.rows.get_real(o, "ts_pct"));
    EXPECT_EQ(*def.rows.get_bool(d, "win_flag"), !*off.rows.get_bool(o, "win_flag"));
  }
}

TEST(TdgsCompute, ShotsOnlyGamebookWithoutTeamBox) {
  Inputs in;
  for (const std::string team : {"BOS", "LAL"}) {
    for (int i = 0; i < 5; ++i) {
      std::string name = team + std::to_string(i);
      gb_row(in.gb, team, name, "active", std::nullopt, std::nullopt, 12, 5, 4, 1);
      zone_row(in.zones, team, name, 6, 3, 2, 1, std::nullopt, std::nullopt, std::nullopt);
    }
  }
  UnitOutput out = compute_team_defense(one_game(112, 104), kDay, in.view());
  EXPECT_TRUE(out.failures.empty());
  ASSERT_EQ(out.rows.num_rows(), 2u);
  const Table& t = out.rows;
  size_t b = row_of(t, "BOS");
  EXPECT_FALSE(t.get_int(b, "points_allowed").has_value());
  EXPECT_EQ(*t.get_int(b, "opp_fg_attempts"), 60);  // 5 × 12
  EXPECT_EQ(*t.get_int(b, "opp_three_pt_makes"), 5);
  EXPECT_EQ(*t.get_int(b, "three_pt_points_allowed"), 15);
  EXPECT_FALSE(t.get_int(b, "opp_ft_attempts").has_value());
  EXPECT_EQ(*t.get_int(b, "opp_paint_attempts"), 30);       // 5 × 6 from LAL's zones
  EXPECT_EQ(*t.get_int(b, "points_in_paint_allowed"), 30);  // 2 × 15
  EXPECT_FALSE(t.get_int(b, "blocks_paint").has_value());
  EXPECT_FALSE(t.get_int(b, "steals").has_value());
  EXPECT_FALSE(t.get_real(b, "defensive_rating").has_value());
  EXPECT_FALSE(t.get_real(b, "opponent_pace").has_value());
  EXPECT_FALSE(t.get_real(b, "opponent_ts_pct").has_value());
  EXPECT_FALSE(t.get_int(b, "overtime_periods").has_value());
  EXPECT_TRUE(*t.get_bool(b, "win_flag"));  // from the schedule's score
  EXPECT_EQ(*t.get_int(b, "margin_of_victory"), 8);
  EXPECT_EQ(*t.get_int(b, "players_inactive"), 0);
  EXPECT_EQ(*t.get_text(b, "quality_tier"), "bronze");
  EXPECT_TRUE(*t.get_bool(b, "quality_reconstructed"));
}

TEST(TdgsCompute, IncompleteGameIsAFailureAndOutputIsDeterministic) {
  Inputs in;
  for (int i = 0; i < 4; ++i) gb_row(in.gb, "BOS", "b" + std::to_string(i), "active", 1, 1, 10, 4, 2, 1);
  UnitOutput out = compute_team_defense(one_game(112, 104), kDay, in.view());
  EXPECT_EQ(out.rows.num_rows(), 0u);
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].entity_id, kGid);
  EXPECT_EQ(out.failures[0].category, "INCOMPLETE_UPSTREAM");

  Inputs full = full_inputs();
  UnitOutput a = compute_team_defense(one_game(112, 110), kDay, full.view());
  UnitOutput b = compute_team_defense(one_game(112, 110), kDay, full.view());
  ASSERT_EQ(a.rows.num_rows(), 2u);
  for (size_t r = 0; r < 2; ++r) {
    for (size_t c = 0; c < a.rows.num_columns(); ++c) {
      EXPECT_EQ(a.rows.cell_text(r, c), b.rows.cell_text(r, c)) << a.rows.column_names()[c];
    }
  }
  EXPECT_EQ(a.rows.get_text(0, "data_hash")->size(), 16u);
  EXPECT_NE(*a.rows.get_text(0, "data_hash"), *a.rows.get_text(1, "data_hash"));
}

TEST(TdgsProcessor, RunsThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Inputs in = full_inputs();
  wh.replace_partitions(catalog::get("nba_raw.nbac_team_boxscore"), {kDay}, in.box);
  wh.replace_partitions(catalog::get("nba_raw.nbac_gamebook_player_stats"), {kDay}, in.gb);
  wh.replace_partitions(catalog::get("nba_raw.player_shot_zones"), {kDay}, in.zones);
  wh.replace_partitions(catalog::get("nba_raw.team_shot_zones_allowed"), {kDay}, in.allowed);
  auto p = make_team_defense_processor();
  EXPECT_EQ(p->info().code, "tdgs");
  Schedule s = one_game(112, 110);
  UnitOutput out = p->run(UnitContext{wh, s, kDay});
  ASSERT_EQ(out.rows.num_rows(), 2u);
  size_t b = row_of(out.rows, "BOS");
  EXPECT_DOUBLE_EQ(*out.rows.get_real(b, "defensive_rating"), 109.87);
  EXPECT_EQ(*out.rows.get_int(b, "opp_paint_attempts"), 40);
  EXPECT_EQ(*out.rows.get_int(b, "blocks_paint"), 3);
  // The processor reads only its columns; its rows equal compute_team_defense
  // over every column of the same stored rows.
  auto full = [&](const char* name) { return wh.read(catalog::get(name), DateRange{kDay, kDay}); };
  UnitOutput expected =
      compute_team_defense(s, kDay,
                           {full("nba_raw.nbac_team_boxscore"), full("nba_raw.nbac_gamebook_player_stats"),
                            full("nba_raw.player_shot_zones"), full("nba_raw.team_shot_zones_allowed")});
  nbaprops::testing::expect_same_rows(out.rows, expected.rows);
  // processed_at is NOT NULL in TDGS; the runner stamps it (processors never
  // read the clock).
  for (size_t r = 0; r < out.rows.num_rows(); ++r) out.rows.set(r, "processed_at", "2023-11-02T05:00:00Z");
  wh.replace_partitions(catalog::get(p->info().output_table), {kDay}, out.rows);
  EXPECT_EQ(wh.partition_counts(catalog::get(p->info().output_table), std::nullopt)[kDay], 2);
}
