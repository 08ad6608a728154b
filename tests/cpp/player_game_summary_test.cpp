#include <gtest/gtest.h>

#include "nbaprops/processors/analytics/player_game_summary.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using nbaprops::testing::row_with;

using namespace nbaprops;
using namespace nbaprops::analytics;

TEST(PgsFormulas, MinutesParsing) {
  // Spec §3: "MM:SS" → round(MM + SS/60, 2); SS must be 0–59; plain number →
  // float; ''/'-'/'null' → NULL.
  EXPECT_DOUBLE_EQ(*pgs_minutes_decimal(std::string("32:30")), 32.5);
  EXPECT_DOUBLE_EQ(*pgs_minutes_decimal(std::string("12:07")),
                   12.12);  // 12 + 7/60 = 12.1166… → 12.12
  EXPECT_DOUBLE_EQ(*pgs_minutes_decimal(std::string("28")), 28.0);
  EXPECT_FALSE(pgs_minutes_decimal(std::string("32:60")).has_value());
  EXPECT_FALSE(pgs_minutes_decimal(std::string("-")).has_value());
  EXPECT_FALSE(pgs_minutes_decimal(std::string("")).has_value());
  EXPECT_FALSE(pgs_minutes_decimal(std::string("null")).has_value());
  EXPECT_FALSE(pgs_minutes_decimal(std::nullopt).has_value());
  // minutes_played: round-half-even to whole minutes, 0 → NULL.
  EXPECT_DOUBLE_EQ(*pgs_minutes_played(32.5), 32.0);
  EXPECT_DOUBLE_EQ(*pgs_minutes_played(33.5), 34.0);
  EXPECT_DOUBLE_EQ(*pgs_minutes_played(12.12), 12.0);
  EXPECT_FALSE(pgs_minutes_played(0.3).has_value());
  EXPECT_FALSE(pgs_minutes_played(std::nullopt).has_value());
}

TEST(PgsFormulas, UsageTsEfgOverUnder) {
  // Usage: player 20 FGA, 5 FTA, 3 TOV in 36 min; team 88 FGA, 22 FTA, 13 TOV.
  // 100 × (20 + 2.2 + 3) × 48 / (36 × (88 + 9.68 + 13)) = 120960 / 3984.48
  // = 30.3578 → 30.4
  EXPECT_DOUBLE_EQ(*usage_rate(20, 5, 3, 36, 88, 22, 13), 30.4);
  EXPECT_FALSE(usage_rate(20, 5, 3, 0, 88, 22, 13).has_value());
  EXPECT_FALSE(usage_rate(20, 5, 3, 36, 0, 0, 0).has_value());
  EXPECT_DOUBLE_EQ(*usage_rate(0, 0, 0, 10, 88, 22, 13),
                   0.0);  // a real 0 stays 0 (legacy made it NULL)
  // TS%: 30 / (2 × (20 + 0.44·5)) = 30 / 44.4 = 0.67567… → 0.676
  EXPECT_DOUBLE_EQ(*true_shooting(30, 20, 5), 0.676);
  // eFG%: (11 + 0.5·4) / 20 = 0.65
  EXPECT_DOUBLE_EQ(*effective_fg(11, 4, 20), 0.65);
  // (5 + 0.5·1) / 12 = 0.458333… → 0.458
  EXPECT_DOUBLE_EQ(*effective_fg(5, 1, 12), 0.458);
  EXPECT_FALSE(effective_fg(0, 0, 0).has_value());
  EXPECT_EQ(over_under(30, 29.5), "OVER");
  EXPECT_EQ(over_under(29, 29.5), "UNDER");
  EXPECT_EQ(over_under(24, 24.0),
            "PUSH");  // legacy counted a push as OVER (§10.17)
}

namespace {

const Date kDay = Date::parse("2023-11-01");
const std::string kGid = "20231101_LAL_BOS";

Schedule one_game(bool with_scores = true) {
  Game g;
  g.nba_game_id = "0022300100";
  g.date = kDay;
  g.season = 2023;
  g.home = "BOS";
  g.away = "LAL";
  g.status = GameStatus::kFinal;
  if (with_scores) {
    g.home_score = 112;
    g.away_score = 104;
  }
  return Schedule({g});
}

struct Line {
  std::string team, lookup, name, status, minutes;
  std::optional<int64_t> pts, fga, fgm, tpa, tpm, fta, ftm, tov;
};

void gb_row(Table& t, const Line& l) {
  size_t r = t.add_row();
  t.set(r, "game_id", kGid);
  t.set(r, "game_date", kDay);
  t.set(r, "season_year", 2023);
  t.set(r, "home_team_abbr", "BOS");
  t.set(r, "away_team_abbr", "LAL");
  t.set(r, "team_abbr", l.team);
  t.set(r, "player_lookup", l.lookup);
  t.set(r, "player_name", l.name);
  t.set(r, "player_name_original", l.name);
  t.set(r, "player_status", l.status);
  if (!l.minutes.empty()) t.set(r, "minutes", l.minutes);
  t.col("points").set_int(r, l.pts);
  t.col("field_goals_attempted").set_int(r, l.fga);
  t.col("field_goals_made").set_int(r, l.fgm);
  t.col("three_pointers_attempted").set_int(r, l.tpa);
  t.col("three_pointers_made").set_int(r, l.tpm);
  t.col("free_throws_attempted").set_int(r, l.fta);
  t.col("free_throws_made").set_int(r, l.ftm);
  t.col("turnovers").set_int(r, l.tov);
  if (l.pts) {  // full box rows carry the rest too
    t.set(r, "offensive_rebounds", 1);
    t.set(r, "defensive_rebounds", 7);
    t.set(r, "assists", 5);
    t.set(r, "steals", 1);
    t.set(r, "blocks", 1);
    t.set(r, "personal_fouls", 2);
    t.set(r, "plus_minus", 10);
  }
  t.set(r, "processed_at", "2023-11-02T04:00:00Z");
}

/// BOS: Tatum 30 pts (20 FGA, 11 FGM, 8 3PA, 4 3PM, 5 FTA, 4 FTM, 3 TOV,
/// 36:00), Brown 24 pts, three role players (17 FGA, 4 FTA, 2 TOV each, the
/// last with 0 FGA), a DNP. LAL: James 25 pts and four others.
Table full_gamebook() {
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  gb_row(gb, {"BOS", "jaysontatum", "Jayson Tatum", "active", "36:00", 30, 20, 11, 8, 4, 5, 4, 3});
  gb_row(gb, {"BOS", "jaylenbrown", "Jaylen Brown", "active", "33:30", 24, 17, 9, 5, 2, 4, 4, 2});
  gb_row(gb, {"BOS", "derrickwhite", "Derrick White", "active", "30:00", 14, 17, 6, 6, 2, 4, 0, 2});
  gb_row(gb, {"BOS", "alhorford", "Al Horford", "active", "25:00", 10, 17, 5, 4, 0, 4, 0, 2});
  gb_row(gb, {"BOS", "lukekornet", "Luke Kornet", "active", "4:10", 0, 0, 0, 0, 0, 0, 0, 0});
  gb_row(gb, {"BOS", "nealpierce", "Neemias Queta", "dnp", "", std::nullopt, std::nullopt, std::nullopt, std::nullopt,
              std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  gb_row(gb, {"LAL", "lebronjames", "LeBron James", "active", "35:00", 25, 18, 10, 4, 1, 5, 4, 4});
  for (int i = 0; i < 4; ++i) {
    gb_row(gb, {"LAL", "lal" + std::to_string(i), "Laker " + std::to_string(i), "active", "30:00", 19, 18, 7, 5, 2, 4,
                3, 3});
  }
  return gb;
}

void team_box_row(Table& t, const std::string& team, bool home, int pts, int fga, int fta, int tov) {
  size_t r = t.add_row();
  t.set(r, "game_id", kGid);
  t.set(r, "game_date", kDay);
  t.set(r, "season_year", 2023);
  t.set(r, "nba_game_id", "0022300100");
  t.set(r, "team_id", int64_t{1});
  t.set(r, "team_abbr", team);
  t.set(r, "is_home", home);
  t.set(r, "minutes", "240:00");
  t.set(r, "points", pts);
  t.set(r, "fg_attempted", fga);
  t.set(r, "ft_attempted", fta);
  t.set(r, "turnovers", tov);
  t.set(r, "offensive_rebounds", 10);
  t.set(r, "processed_at", "2023-11-02T04:00:00Z");
}

void zone_row(Table& t, const std::string& team, const std::string& lookup, int pa, int pm, int ma, int mm,
              std::optional<int64_t> assisted, std::optional<int64_t> blocks_paint) {
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
  t.col("assisted_makes").set_int(r, assisted);
  t.col("unassisted_makes").set_int(r, assisted ? std::optional<int64_t>(pm + mm + 4 - *assisted) : std::nullopt);
  t.col("blocks_paint").set_int(r, blocks_paint);
  t.col("blocks_mid_range").set_int(r, blocks_paint ? std::optional<int64_t>(0) : std::nullopt);
  t.col("blocks_three_pt").set_int(r, blocks_paint ? std::optional<int64_t>(0) : std::nullopt);
  t.col("and1_count").set_int(r, blocks_paint ? std::optional<int64_t>(1) : std::nullopt);
}

void prop_row(Table& t, const std::string& lookup, const std::string& book, const std::string& snap, double line) {
  size_t r = t.add_row();
  t.set(r, "game_id", kGid);
  t.set(r, "game_date", kDay);
  t.set(r, "game_start_time", "2023-11-01T23:30:00Z");
  t.set(r, "home_team_abbr", "BOS");
  t.set(r, "away_team_abbr", "LAL");
  t.set(r, "snapshot_timestamp", snap);
  t.set(r, "bookmaker", book);
  t.set(r, "player_lookup", lookup);
  t.set(r, "player_name", lookup);
  t.set(r, "odds_api_event_id", "evt1");
  t.set(r, "points_line", line);
}

Table props_table() {
  Table p(catalog::get("nba_raw.odds_api_player_points_props"));
  // Tatum: DK 28.5 (18:00) → 29.5 (23:00); a 31.5 after tip-off is ignored;
  // FD/BetMGM lose to DK.
  prop_row(p, "jaysontatum", "fanduel", "2023-11-01T23:10:00Z", 30.5);
  prop_row(p, "jaysontatum", "draftkings", "2023-11-01T23:00:00Z", 29.5);
  prop_row(p, "jaysontatum", "betmgm", "2023-11-01T23:20:00Z", 27.5);
  prop_row(p, "jaysontatum", "draftkings", "2023-11-02T00:30:00Z", 31.5);
  prop_row(p, "jaysontatum", "draftkings", "2023-11-01T18:00:00Z", 28.5);
  // Brown: no DK → FanDuel 24.0 (a push at 24 points).
  prop_row(p, "jaylenbrown", "williamhill_us", "2023-11-01T22:00:00Z", 22.5);
  prop_row(p, "jaylenbrown", "fanduel", "2023-11-01T22:00:00Z", 24.0);
  // James: neither DK nor FD → alphabetical: betmgm before betrivers.
  prop_row(p, "lebronjames", "betrivers", "2023-11-01T22:00:00Z", 26.5);
  prop_row(p, "lebronjames", "betmgm", "2023-11-01T22:00:00Z", 25.5);
  return p;
}

/// Row index of @p lookup in the output.
size_t row_of(const Table& t, const std::string& lookup) { return row_with(t, "player_lookup", lookup); }

}  // namespace

TEST(PgsLines, SelectsClosingLineDraftKingsFirst) {
  auto lines = select_points_lines(props_table());
  ASSERT_EQ(lines.size(), 3u);
  const PointsLine& t = lines.at("jaysontatum|LAL|BOS");
  EXPECT_EQ(t.source, "draftkings");
  EXPECT_DOUBLE_EQ(t.closing,
                   29.5);  // latest ≤ 23:30 tip-off (the 00:30 snapshot is excluded)
  EXPECT_DOUBLE_EQ(t.opening, 28.5);
  EXPECT_EQ(lines.at("jaylenbrown|LAL|BOS").source, "fanduel");
  EXPECT_DOUBLE_EQ(lines.at("jaylenbrown|LAL|BOS").closing, 24.0);
  EXPECT_EQ(lines.at("lebronjames|LAL|BOS").source, "betmgm");
  EXPECT_DOUBLE_EQ(lines.at("lebronjames|LAL|BOS").closing, 25.5);
}

TEST(PgsCompute, FullBoxWithTeamBoxZonesAndProps) {
  Table gb = full_gamebook();
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  team_box_row(box, "BOS", true, 112, 88, 22, 13);
  team_box_row(box, "LAL", false, 104, 90, 21, 16);
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  zone_row(zones, "BOS", "jaysontatum", 8, 5, 4, 2, 6, 1);
  Table props = props_table();
  UnitOutput out = compute_player_game_summary(one_game(), kDay, {gb, box, zones, props});
  EXPECT_TRUE(out.failures.empty());
  ASSERT_EQ(out.rows.num_rows(),
            10u);  // 10 active players; the DNP row is not emitted
  const Table& t = out.rows;
  size_t r = row_of(t, "jaysontatum");
  EXPECT_EQ(*t.get_text(r, "game_id"), kGid);
  EXPECT_EQ(*t.get_text(r, "team_abbr"), "BOS");
  EXPECT_EQ(*t.get_text(r, "opponent_team_abbr"), "LAL");
  EXPECT_EQ(*t.get_text(r, "universal_player_id"), "jaysontatum_001");
  EXPECT_EQ(*t.get_int(r, "points"), 30);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "minutes_played"), 36.0);
  // Usage from the team box (88 FGA, 22 FTA, 13 TOV): 30.4 (worked in
  // PgsFormulas).
  EXPECT_DOUBLE_EQ(*t.get_real(r, "usage_rate"), 30.4);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "ts_pct"), 0.676);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "efg_pct"), 0.65);
  EXPECT_TRUE(*t.get_bool(r, "starter_flag"));
  // Zones: paint 8/5, mid 4/2; assisted 6, unassisted 5 + 2 + 4 − 6 = 5; blocks
  // paint 1; and-one 1.
  EXPECT_EQ(*t.get_int(r, "paint_attempts"), 8);
  EXPECT_EQ(*t.get_int(r, "paint_makes"), 5);
  EXPECT_EQ(*t.get_int(r, "mid_range_attempts"), 4);
  EXPECT_EQ(*t.get_int(r, "mid_range_makes"), 2);
  EXPECT_EQ(*t.get_int(r, "assisted_fg_makes"), 6);
  EXPECT_EQ(*t.get_int(r, "unassisted_fg_makes"), 5);
  EXPECT_EQ(*t.get_int(r, "paint_blocks"), 1);
  EXPECT_EQ(*t.get_int(r, "mid_range_blocks"), 0);
  EXPECT_EQ(*t.get_int(r, "and1_count"), 1);
  // Win from the schedule's final score (BOS 112–104).
  EXPECT_TRUE(*t.get_bool(r, "win_flag"));
  // Props: DK closing 29.5, opening 28.5, movement 1.0; 30 points → OVER by
  // 0.5.
  EXPECT_DOUBLE_EQ(*t.get_real(r, "points_line"), 29.5);
  EXPECT_EQ(*t.get_text(r, "points_line_source"), "draftkings");
  EXPECT_DOUBLE_EQ(*t.get_real(r, "opening_line"), 28.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "line_movement"), 1.0);
  EXPECT_EQ(*t.get_text(r, "over_under_result"), "OVER");
  EXPECT_DOUBLE_EQ(*t.get_real(r, "margin"), 0.5);
  EXPECT_EQ(*t.get_text(r, "quality_tier"), "gold");
  EXPECT_TRUE(*t.get_bool(r, "is_active"));
  EXPECT_EQ(*t.get_text(r, "player_status"), "active");
  EXPECT_EQ(*t.get_int(r, "source_nbac_rows_found"), 11);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "source_nbac_completeness_pct"),
                   5.5);  // 11 / 200
  EXPECT_EQ(t.get_text(r, "data_hash")->size(), 16u);

  size_t b = row_of(t, "jaylenbrown");
  EXPECT_EQ(*t.get_text(b, "over_under_result"), "PUSH");
  EXPECT_DOUBLE_EQ(*t.get_real(b, "margin"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(b, "minutes_played"),
                   34.0);  // 33.5 → 34 (half to even)
  // Brown has shots but no zone row → NULL zones and an issue.
  EXPECT_FALSE(t.get_int(b, "paint_attempts").has_value());
  EXPECT_EQ(*t.get_text(b, "quality_issues"), R"(["shot_zones_unavailable"])");
  // Kornet: 0 FGA in a game the zone source covers → zone attempts 0, blocks
  // unknown.
  size_t k = row_of(t, "lukekornet");
  EXPECT_EQ(*t.get_int(k, "paint_attempts"), 0);
  EXPECT_FALSE(t.get_int(k, "paint_blocks").has_value());
  EXPECT_FALSE(*t.get_bool(k, "starter_flag"));
  EXPECT_FALSE(t.get_real(k, "ts_pct").has_value());  // FGA 0 → NULL
  size_t j = row_of(t, "lebronjames");
  EXPECT_FALSE(*t.get_bool(j, "win_flag"));
  EXPECT_EQ(*t.get_text(j, "points_line_source"), "betmgm");
  EXPECT_EQ(*t.get_text(j, "over_under_result"), "UNDER");  // 25 < 25.5
}

TEST(PgsCompute, UsageFromReconstructedTeamAndWinFromBoxWithoutScores) {
  Table gb = full_gamebook();
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  Table props(catalog::get("nba_raw.odds_api_player_points_props"));
  UnitOutput out = compute_player_game_summary(one_game(), kDay, {gb, box, zones, props});
  size_t r = row_of(out.rows, "jaysontatum");
  // Team from BOS active players: FGA 20+17+17+17+0 = 71, FTA 5+4+4+4 = 17, TOV
  // 3+2+2+2 = 9. U = 100 × 25.2 × 48 / (36 × (71 + 7.48 + 9)) = 120960 /
  // 3149.28 = 38.408… → 38.4
  EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "usage_rate"), 38.4);
  EXPECT_FALSE(out.rows.get_real(r, "points_line").has_value());
  EXPECT_FALSE(out.rows.get_text(r, "over_under_result").has_value());

  // The schedule has no score: the team box decides (here LAL 104 beats BOS
  // 100).
  team_box_row(box, "BOS", true, 100, 88, 22, 13);
  team_box_row(box, "LAL", false, 104, 90, 21, 16);
  out = compute_player_game_summary(one_game(false), kDay, {gb, box, zones, props});
  EXPECT_FALSE(*out.rows.get_bool(row_of(out.rows, "jaysontatum"), "win_flag"));
  EXPECT_TRUE(*out.rows.get_bool(row_of(out.rows, "lebronjames"), "win_flag"));
  // With scores in the schedule, the scores win (BOS 112–104).
  out = compute_player_game_summary(one_game(true), kDay, {gb, box, zones, props});
  EXPECT_TRUE(*out.rows.get_bool(row_of(out.rows, "jaysontatum"), "win_flag"));
}

TEST(PgsCompute, ShotsOnlyGamebookKeepsRowsAndNullsWhatIsMissing) {
  // The shot-chart importer: FGM/FGA/3PM/3PA only, no team box, no props; zones
  // without assists/blocks.
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  for (const std::string team : {"BOS", "LAL"}) {
    for (int i = 0; i < 5; ++i) {
      std::string lookup = team + std::to_string(i);
      gb_row(gb,
             {team, lookup, lookup, "active", "", std::nullopt, 12, 5, 4, 1, std::nullopt, std::nullopt, std::nullopt});
      zone_row(zones, team, lookup, 6, 3, 2, 1, std::nullopt, std::nullopt);
    }
  }
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  Table props(catalog::get("nba_raw.odds_api_player_points_props"));
  UnitOutput out = compute_player_game_summary(one_game(), kDay, {gb, box, zones, props});
  EXPECT_TRUE(out.failures.empty());
  ASSERT_EQ(out.rows.num_rows(), 10u);
  const Table& t = out.rows;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    EXPECT_EQ(*t.get_int(r, "fg_attempts"), 12);
    EXPECT_FALSE(t.get_int(r, "points").has_value());
    EXPECT_FALSE(t.get_real(r, "minutes_played").has_value());
    EXPECT_FALSE(t.get_real(r, "usage_rate").has_value());
    EXPECT_FALSE(t.get_real(r, "ts_pct").has_value());
    EXPECT_DOUBLE_EQ(*t.get_real(r, "efg_pct"), 0.458);  // (5 + 0.5·1) / 12
    EXPECT_EQ(*t.get_int(r, "paint_attempts"), 6);
    EXPECT_EQ(*t.get_int(r, "mid_range_makes"), 1);
    EXPECT_FALSE(t.get_int(r, "assisted_fg_makes").has_value());
    EXPECT_FALSE(t.get_int(r, "paint_blocks").has_value());
    EXPECT_FALSE(*t.get_bool(r, "starter_flag"));
    EXPECT_FALSE(t.get_text(r, "over_under_result").has_value());
    EXPECT_EQ(*t.get_text(r, "quality_tier"), "bronze");
    EXPECT_EQ(*t.get_text(r, "quality_issues"), R"(["partial_box_score"])");
  }
  EXPECT_TRUE(*t.get_bool(row_of(t, "BOS0"), "win_flag"));
  EXPECT_FALSE(*t.get_bool(row_of(t, "LAL0"), "win_flag"));
}

TEST(PgsCompute, DeterministicRowsAndHashes) {
  Table gb = full_gamebook();
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  team_box_row(box, "BOS", true, 112, 88, 22, 13);
  team_box_row(box, "LAL", false, 104, 90, 21, 16);
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  zone_row(zones, "BOS", "jaysontatum", 8, 5, 4, 2, 6, 1);
  Table props = props_table();
  UnitOutput a = compute_player_game_summary(one_game(), kDay, {gb, box, zones, props});
  UnitOutput b = compute_player_game_summary(one_game(), kDay, {gb, box, zones, props});
  ASSERT_EQ(a.rows.num_rows(), b.rows.num_rows());
  for (size_t r = 0; r < a.rows.num_rows(); ++r) {
    for (size_t c = 0; c < a.rows.num_columns(); ++c) {
      EXPECT_EQ(a.rows.cell_text(r, c), b.rows.cell_text(r, c)) << a.rows.column_names()[c];
    }
  }
  // A changed stat changes that row's hash only.
  gb.set(0, "points", 31);
  UnitOutput c = compute_player_game_summary(one_game(), kDay, {gb, box, zones, props});
  size_t ra = row_of(a.rows, "jaysontatum"), rc = row_of(c.rows, "jaysontatum");
  EXPECT_NE(*a.rows.get_text(ra, "data_hash"), *c.rows.get_text(rc, "data_hash"));
  size_t ja = row_of(a.rows, "lebronjames"), jc = row_of(c.rows, "lebronjames");
  EXPECT_EQ(*a.rows.get_text(ja, "data_hash"), *c.rows.get_text(jc, "data_hash"));
}

TEST(PgsCompute, ReportsGamesWithoutGamebookRows) {
  Table gb(catalog::get("nba_raw.nbac_gamebook_player_stats"));
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  Table props(catalog::get("nba_raw.odds_api_player_points_props"));
  UnitOutput out = compute_player_game_summary(one_game(), kDay, {gb, box, zones, props});
  EXPECT_EQ(out.rows.num_rows(), 0u);
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].entity_id, kGid);
  EXPECT_EQ(out.failures[0].category, "INCOMPLETE_UPSTREAM");
  EXPECT_FALSE(out.empty_reason.empty());
}

TEST(PgsProcessor, RunsThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Schedule s = one_game();
  Table gb = full_gamebook();
  Table box(catalog::get("nba_raw.nbac_team_boxscore"));
  team_box_row(box, "BOS", true, 112, 88, 22, 13);
  team_box_row(box, "LAL", false, 104, 90, 21, 16);
  wh.replace_partitions(catalog::get("nba_raw.nbac_gamebook_player_stats"), {kDay}, gb);
  wh.replace_partitions(catalog::get("nba_raw.nbac_team_boxscore"), {kDay}, box);
  wh.replace_partitions(catalog::get("nba_raw.odds_api_player_points_props"), {kDay}, props_table());
  Table zones(catalog::get("nba_raw.player_shot_zones"));
  zone_row(zones, "BOS", "jaysontatum", 8, 5, 4, 2, 6, 1);
  wh.replace_partitions(catalog::get("nba_raw.player_shot_zones"), {kDay}, zones);
  auto p = make_player_game_summary_processor();
  EXPECT_EQ(p->info().code, "pgs");
  UnitOutput out = p->run(UnitContext{wh, s, kDay});
  ASSERT_EQ(out.rows.num_rows(), 10u);
  size_t r = row_of(out.rows, "jaysontatum");
  EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "usage_rate"), 30.4);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "points_line"), 29.5);
  EXPECT_EQ(*out.rows.get_int(r, "paint_attempts"), 8);
  // The processor reads only its columns; its rows equal
  // compute_player_game_summary over every column of the same stored rows.
  auto full = [&](const char* name) { return wh.read(catalog::get(name), DateRange{kDay, kDay}); };
  UnitOutput expected =
      compute_player_game_summary(s, kDay,
                                  {full("nba_raw.nbac_gamebook_player_stats"), full("nba_raw.nbac_team_boxscore"),
                                   full("nba_raw.player_shot_zones"), full("nba_raw.odds_api_player_points_props")});
  nbaprops::testing::expect_same_rows(out.rows, expected.rows);
  wh.replace_partitions(catalog::get(p->info().output_table), {kDay}, out.rows);
  EXPECT_EQ(wh.partition_counts(catalog::get(p->info().output_table), std::nullopt)[kDay], 10);
}
