#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "nbaprops/processors/predictions/feature_store.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "table_assert.hpp"
#include "store_partitions.hpp"
#include "test_util.hpp"

using nbaprops::testing::row_with;
using nbaprops::testing::store_partitions;

using nbaprops::testing::expect_same_rows;

using namespace nbaprops;
using namespace nbaprops::predictions;

TEST(MlfsFormulas, FeatureNamesAndDerivedFeatures) {
  const auto& names = mlfs_feature_names();
  ASSERT_EQ(names.size(), 25u);
  EXPECT_EQ(names[0], "points_avg_last_5");
  EXPECT_EQ(names[5], "fatigue_score");
  EXPECT_EQ(names[13], "opponent_def_rating");
  EXPECT_EQ(names[21], "pct_free_throw");
  EXPECT_EQ(names[24], "team_win_pct");

  EXPECT_DOUBLE_EQ(rest_advantage(3, 1), 2.0);
  EXPECT_DOUBLE_EQ(rest_advantage(1, 4), -2.0);  // −3 clamped
  EXPECT_DOUBLE_EQ(rest_advantage(2, 1), 1.0);
  EXPECT_DOUBLE_EQ(rest_advantage(2, std::nullopt), 0.0);
  EXPECT_DOUBLE_EQ(injury_risk(std::string("Available")), 0.0);
  EXPECT_DOUBLE_EQ(injury_risk(std::string("probable")), 1.0);
  EXPECT_DOUBLE_EQ(injury_risk(std::string("Questionable")), 2.0);
  EXPECT_DOUBLE_EQ(injury_risk(std::string("doubtful")), 3.0);
  EXPECT_DOUBLE_EQ(injury_risk(std::string("OUT")), 3.0);
  EXPECT_DOUBLE_EQ(injury_risk(std::nullopt), 0.0);
  EXPECT_DOUBLE_EQ(injury_risk(std::string("day-to-day")), 0.0);

  // recent_trend — DECISION 6 changes the sign: newest-first [30, 30, 30, 20,
  // 20] means the player scores more recently → +2 (the legacy returned −2 for
  // this list).
  EXPECT_DOUBLE_EQ(recent_trend({30, 30, 30, 20, 20}), 2.0);
  EXPECT_DOUBLE_EQ(recent_trend({20, 20, 20, 30, 30}), -2.0);
  EXPECT_DOUBLE_EQ(recent_trend({23, 23, 23, 20, 20, 5}), 1.0);  // diff 3
  EXPECT_DOUBLE_EQ(recent_trend({20, 20, 20, 23, 23}), -1.0);
  EXPECT_DOUBLE_EQ(recent_trend({21, 21, 21, 20, 20}), 0.0);
  EXPECT_DOUBLE_EQ(recent_trend({30, 30, 30, 20}), 0.0);  // fewer than 5 games

  EXPECT_DOUBLE_EQ(minutes_change(36, 30), 2.0);   // +20 %
  EXPECT_DOUBLE_EQ(minutes_change(33, 30), 1.0);   // +10 %
  EXPECT_DOUBLE_EQ(minutes_change(24, 30), -2.0);  // −20 %
  EXPECT_DOUBLE_EQ(minutes_change(27, 30), -1.0);  // −10 %
  EXPECT_DOUBLE_EQ(minutes_change(31, 30), 0.0);
  EXPECT_DOUBLE_EQ(minutes_change(0, 30), 0.0);
  EXPECT_DOUBLE_EQ(minutes_change(30, 0), 0.0);

  // FT share of points: Σ ft / Σ pts over ≤ 10 games (needs 5).
  std::vector<std::optional<double>> ft = {4, 5, 6, 3, 2}, pts = {20, 25, 30, 15, 10};
  EXPECT_DOUBLE_EQ(pct_free_throw(ft, pts), 0.2);
  EXPECT_DOUBLE_EQ(pct_free_throw({4, 5, 6, 3}, {20, 25, 30, 15}), 0.15);
  EXPECT_DOUBLE_EQ(pct_free_throw({0, 0, 0, 0, 0}, {0, 0, 0, 0, 0}), 0.15);
  EXPECT_DOUBLE_EQ(pct_free_throw({9, 9, 9, 9, 9}, {10, 10, 10, 10, 10}),
                   0.5);  // clamped
  EXPECT_DOUBLE_EQ(pct_free_throw({1, 1, 1, 1, 1, 1}, {3, 3, 3, 3, 3, 3}), 0.333333333);

  EXPECT_DOUBLE_EQ(team_win_pct(4, 6), 0.666666667);
  EXPECT_DOUBLE_EQ(team_win_pct(3, 4), 0.5);  // < 5 games
  EXPECT_DOUBLE_EQ(team_win_pct(0, 10), 0.0);
}

namespace {

Phase4Values full_phase4() {
  Phase4Values p4;
  p4.points_avg_last_5 = 28.0;
  p4.points_avg_last_10 = 30.5;
  p4.points_avg_season = 27.0;
  p4.points_std_last_10 = 3.0277;
  p4.games_in_last_7_days = 3;
  p4.minutes_avg_last_10 = 35.0;
  p4.team_pace_last_10 = 106.5;
  p4.team_off_rating_last_10 = 115.0;
  p4.pdc_paint_rate_last_10 = 48.3;
  p4.pdc_three_pt_rate_last_10 = 31.2;
  p4.fatigue_score = 95;
  p4.shot_zone_mismatch_score = 4.3;
  p4.pace_score = 1.8;
  p4.usage_spike_score = 0.3;
  p4.has_psza = true;
  p4.paint_rate_last_10 = 50.0;
  p4.mid_range_rate_last_10 = 20.0;
  p4.three_pt_rate_last_10 = 30.0;
  p4.opponent_def_rating = 110.5;
  p4.opponent_pace = 99.0;
  return p4;
}

}  // namespace

// legacy-mlfs-phase5-6.md §1.6: best case 97.0 (phase4_partial), worst
// case 58.6.
TEST(MlfsQuality, BestAndWorstCase) {
  FeatureVector best = build_features(full_phase4(), Phase3Values{});
  EXPECT_DOUBLE_EQ(feature_quality_score(best), 97.0);
  EXPECT_EQ(feature_data_source(best), "phase4_partial");
  EXPECT_EQ(feature_quality_tier(97.0), "gold");
  EXPECT_DOUBLE_EQ(best.values[0], 28.0);
  EXPECT_DOUBLE_EQ(best.values[5], 95.0);
  EXPECT_DOUBLE_EQ(best.values[13], 110.5);
  EXPECT_DOUBLE_EQ(best.values[18],
                   0.5);  // PSZA 50.0 overrides PDC 48.3 (present)
  EXPECT_DOUBLE_EQ(best.values[19], 0.2);
  EXPECT_DOUBLE_EQ(best.values[20], 0.3);
  EXPECT_DOUBLE_EQ(best.values[22], 106.5);
  EXPECT_DOUBLE_EQ(best.values[24], 0.5);  // no team games
  EXPECT_EQ(best.sources[9], FeatureSource::kCalculated);
  EXPECT_EQ(best.sources[15], FeatureSource::kPhase3);

  FeatureVector worst = build_features(Phase4Values{}, Phase3Values{});
  EXPECT_DOUBLE_EQ(feature_quality_score(worst), 58.6);
  EXPECT_EQ(feature_data_source(worst), "mixed");
  EXPECT_EQ(feature_quality_tier(58.6), "bronze");
  // §1.6 thresholds: gold ≥ 95, silver ≥ 75, bronze ≥ 50, poor ≥ 25, else unusable.
  const std::vector<std::pair<double, std::string>> tiers = {
      {100.0, "gold"},  {95.0, "gold"},  {94.99, "silver"}, {75.0, "silver"},    {74.99, "bronze"},
      {50.0, "bronze"}, {49.99, "poor"}, {25.0, "poor"},    {24.99, "unusable"}, {0.0, "unusable"}};
  for (const auto& [score, tier] : tiers) EXPECT_EQ(feature_quality_tier(score), tier) << score;
  const double defaults[25] = {10,  10,  10, 5, 3, 50,   0,    0,    0,    0,   0,   0,  0,
                               112, 100, 0,  0, 0, 0.30, 0.20, 0.35, 0.15, 100, 112, 0.5};
  for (int i = 0; i < 25; ++i) EXPECT_DOUBLE_EQ(worst.values[i], defaults[i]) << "f" << i;
}

TEST(MlfsQuality, PhaseThreeFallbacksAndPszaOverride) {
  Phase3Values p3;
  for (double p : {30.0, 28.0, 26.0, 24.0, 22.0, 20.0}) p3.last_10_games.push_back(RecentGame{p, 32.0, 4.0});
  p3.points_avg_season = 21.5;
  p3.minutes_avg_season = 26.0;
  p3.home_game = true;
  p3.season_phase = "Playoffs";
  p3.days_rest = 2;
  p3.opponent_days_rest = 1;
  p3.player_status = "questionable";
  p3.team_wins = 4;
  p3.team_games = 6;
  FeatureVector f = build_features(Phase4Values{}, p3);
  EXPECT_DOUBLE_EQ(f.values[0], 26.0);  // mean of 5 most recent
  EXPECT_DOUBLE_EQ(f.values[1], 25.0);  // mean of 6
  EXPECT_DOUBLE_EQ(f.values[2], 21.5);
  EXPECT_EQ(f.sources[0], FeatureSource::kPhase3);
  EXPECT_EQ(f.sources[3], FeatureSource::kDefault);
  EXPECT_DOUBLE_EQ(f.values[9], 1.0);
  EXPECT_DOUBLE_EQ(f.values[10], 2.0);
  EXPECT_DOUBLE_EQ(f.values[11],
                   2.0);                // (30+28+26)/3 = 28 vs (24+22)/2 = 23: diff +5 → +2
  EXPECT_DOUBLE_EQ(f.values[12], 2.0);  // 32 vs 26 → +23 %
  EXPECT_DOUBLE_EQ(f.values[15], 1.0);
  EXPECT_DOUBLE_EQ(f.values[17], 1.0);
  EXPECT_DOUBLE_EQ(f.values[21], 24.0 / 150.0);
  EXPECT_DOUBLE_EQ(f.values[24], 0.666666667);
  // 3 × 75 (f0–f2) + 13 × 40 (P4-only defaults) + 6 × 100 (calculated) + 3 × 75
  // (f15–f17) = 1570
  EXPECT_DOUBLE_EQ(feature_quality_score(f), 62.8);
  EXPECT_EQ(feature_data_source(f), "mixed");

  // DECISION 6: a PSZA row with NULL rates no longer hides the PDC values.
  Phase4Values p4;
  p4.has_psza = true;
  p4.pdc_paint_rate_last_10 = 48.3;
  p4.pdc_three_pt_rate_last_10 = 31.2;
  FeatureVector z = build_features(p4, Phase3Values{});
  EXPECT_DOUBLE_EQ(z.values[18], 0.483);
  EXPECT_EQ(z.sources[18], FeatureSource::kPhase4);
  EXPECT_DOUBLE_EQ(z.values[19], 0.20);  // mid-range has no PDC source
  EXPECT_EQ(z.sources[19], FeatureSource::kDefault);
  EXPECT_DOUBLE_EQ(z.values[20], 0.312);
}

namespace {

const Date kD = Date::parse("2025-01-21");

Schedule mlfs_schedule() {
  std::vector<Game> games;
  auto add = [&](Date d, const std::string& away, const std::string& home) {
    Game g;
    g.nba_game_id = "00224" + std::to_string(d.days());
    g.date = d;
    g.season = 2024;
    g.home = home;
    g.away = away;
    g.status = GameStatus::kFinal;
    games.push_back(g);
  };
  add(Date::parse("2024-10-22"), "NYK", "BOS");
  for (int k = 6; k >= 1; --k) add(kD - 2 * k, "LAL", "DEN");
  add(kD, "GSW", "LAL");
  return Schedule(std::move(games));
}

struct Fixture {
  Table upgc{catalog::get("nba_analytics.upcoming_player_game_context")};
  Table pdc{catalog::get("nba_precompute.player_daily_cache")};
  Table pcf{catalog::get("nba_precompute.player_composite_factors")};
  Table psza{catalog::get("nba_precompute.player_shot_zone_analysis")};
  Table tdza{catalog::get("nba_precompute.team_defense_zone_analysis")};
  Table pgs{catalog::get("nba_analytics.player_game_summary")};
  Table togs{catalog::get("nba_analytics.team_offense_game_summary")};

  void context(Date d, const std::string& player) {
    size_t r = upgc.add_row();
    upgc.set(r, "player_lookup", player);
    upgc.set(r, "universal_player_id", player + "_001");
    upgc.set(r, "game_id", d.compact() + "_GSW_LAL");
    upgc.set(r, "game_date", d);
    upgc.set(r, "team_abbr", "LAL");
    upgc.set(r, "opponent_team_abbr", "GSW");
    upgc.set(r, "home_game", true);
    upgc.set(r, "back_to_back", false);
    upgc.set(r, "season_phase", "regular_season");
    upgc.set(r, "days_rest", int64_t{2});
    upgc.set(r, "opponent_days_rest", int64_t{1});
    upgc.set(r, "player_status", "available");
  }
  void phase4(Date d, const std::string& player) {
    size_t r = pdc.add_row();
    pdc.set(r, "player_lookup", player);
    pdc.set(r, "cache_date", d);
    pdc.set(r, "points_avg_last_5", 28.0);
    pdc.set(r, "points_avg_last_10", 30.5);
    pdc.set(r, "points_avg_season", 27.0);
    pdc.set(r, "points_std_last_10", 3.0277);
    pdc.set(r, "games_in_last_7_days", int64_t{3});
    pdc.set(r, "minutes_avg_last_10", 35.0);
    pdc.set(r, "team_pace_last_10", 106.5);
    pdc.set(r, "team_off_rating_last_10", 115.0);
    pdc.set(r, "paint_rate_last_10", 48.3);
    pdc.set(r, "three_pt_rate_last_10", 31.2);
    pdc.set(r, "is_production_ready", true);
    pdc.set(r, "data_hash", "pdchash");
    r = pcf.add_row();
    pcf.set(r, "player_lookup", player);
    pcf.set(r, "game_date", d);
    pcf.set(r, "game_id", d.compact() + "_GSW_LAL");
    pcf.set(r, "fatigue_score", int64_t{95});
    pcf.set(r, "shot_zone_mismatch_score", 4.3);
    pcf.set(r, "pace_score", 1.8);
    pcf.set(r, "usage_spike_score", 0.3);
    pcf.set(r, "is_production_ready", true);
    r = psza.add_row();
    psza.set(r, "player_lookup", player);
    psza.set(r, "analysis_date", d);
    psza.set(r, "paint_rate_last_10", 50.0);
    psza.set(r, "mid_range_rate_last_10", 20.0);
    psza.set(r, "three_pt_rate_last_10", 30.0);
    psza.set(r, "is_production_ready", true);
  }
  void defence(Date d, double rating) {
    size_t r = tdza.add_row();
    tdza.set(r, "team_abbr", "GSW");
    tdza.set(r, "analysis_date", d);
    tdza.set(r, "defensive_rating_last_15", rating);
    tdza.set(r, "opponent_pace", 99.0);
    tdza.set(r, "is_production_ready", true);
    tdza.set(r, "processed_at", d.iso() + "T08:00:00Z");
    tdza.set(r, "data_hash", "tdzahash");
  }
  void game(const std::string& player, Date d, int64_t pts, int64_t ft) {
    size_t r = pgs.add_row();
    pgs.set(r, "player_lookup", player);
    pgs.set(r, "game_id", d.compact() + "_LAL_DEN");
    pgs.set(r, "game_date", d);
    pgs.set(r, "team_abbr", "LAL");
    pgs.set(r, "opponent_team_abbr", "DEN");
    pgs.set(r, "season_year", 2024);
    pgs.set(r, "starter_flag", true);
    pgs.set(r, "win_flag", true);
    pgs.set(r, "is_active", true);
    pgs.set(r, "points", pts);
    pgs.set(r, "minutes_played", 30.0);
    pgs.set(r, "ft_makes", ft);
  }
  void team_game(Date d, bool win) {
    size_t r = togs.add_row();
    togs.set(r, "game_id", d.compact() + "_LAL_DEN");
    togs.set(r, "game_date", d);
    togs.set(r, "team_abbr", "LAL");
    togs.set(r, "opponent_team_abbr", "DEN");
    togs.set(r, "season_year", 2024);
    togs.set(r, "home_game", false);
    togs.set(r, "win_flag", win);
  }
  /// star: full Phase 4 rows; rookie: only Phase 3 history (6 games, newest
  /// first 30 … 20).
  void build() {
    context(kD, "star");
    context(kD, "rookie");
    phase4(kD, "star");
    defence(kD, 110.5);
    const int64_t pts[6] = {30, 28, 26, 24, 22, 20};
    for (int k = 1; k <= 6; ++k) {
      game("rookie", kD - 2 * k, pts[k - 1], 4);
      game("star", kD - 2 * k, 30, 6);
      team_game(kD - 2 * k, k <= 4);  // 4 wins in 6 games
    }
  }
  UnitOutput run(const Schedule& s, Date d) const {
    return compute_feature_store(s, d, {upgc, pdc, pcf, psza, tdza, pgs, togs});
  }
};

std::vector<double> features_of(const Table& t, size_t r) {
  return nlohmann::json::parse(*t.get_text(r, "features")).get<std::vector<double>>();
}
size_t row_of(const Table& t, const std::string& player) { return row_with(t, "player_lookup", player); }

}  // namespace

TEST(MlfsCompute, RowsWithPhase4AndFallbacks) {
  Fixture f;
  f.build();
  Schedule s = mlfs_schedule();
  UnitOutput out = f.run(s, kD);
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 2u);

  size_t st = row_of(t, "star");
  auto fs = features_of(t, st);
  ASSERT_EQ(fs.size(), 25u);
  EXPECT_DOUBLE_EQ(fs[0], 28.0);
  EXPECT_DOUBLE_EQ(fs[5], 95.0);
  EXPECT_DOUBLE_EQ(fs[9], 1.0);   // rest 2 vs 1
  EXPECT_DOUBLE_EQ(fs[12], 1.0);  // PDC minutes 35 vs season 30: +16.7 %
  EXPECT_DOUBLE_EQ(fs[13], 110.5);
  EXPECT_DOUBLE_EQ(fs[15], 1.0);
  EXPECT_DOUBLE_EQ(fs[18], 0.5);
  EXPECT_DOUBLE_EQ(fs[21], 0.2);  // 36 / 180
  EXPECT_DOUBLE_EQ(fs[24],
                   0.666666667);  // legacy constant 0.5; fixed (DECISION 6)
  EXPECT_DOUBLE_EQ(*t.get_real(st, "feature_quality_score"), 97.0);
  EXPECT_EQ(*t.get_text(st, "data_source"), "phase4_partial");
  EXPECT_EQ(*t.get_text(st, "quality_tier"), "gold");  // spec §1.6: 97.0 ≥ 95
  EXPECT_EQ(*t.get_text(st, "feature_version"), "v1_baseline_25");
  EXPECT_EQ(*t.get_int(st, "feature_count"), 25);
  EXPECT_EQ(nlohmann::json::parse(*t.get_text(st, "feature_names"))[11], "recent_trend");
  EXPECT_EQ(*t.get_text(st, "opponent_team_abbr"), "GSW");
  EXPECT_TRUE(*t.get_bool(st, "is_home"));
  EXPECT_EQ(*t.get_int(st, "days_rest"), 2);
  EXPECT_EQ(*t.get_text(st, "game_id"), "20250121_GSW_LAL");
  EXPECT_TRUE(*t.get_bool(st, "is_production_ready"));
  EXPECT_EQ(*t.get_text(st, "data_quality_issues"), "[]");
  EXPECT_EQ(*t.get_text(st, "source_daily_cache_hash"), "pdchash");
  EXPECT_EQ(*t.get_int(st, "source_team_defense_rows_found"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(st, "source_team_defense_completeness_pct"),
                   5.0);  // 1 of 20
  EXPECT_EQ(*t.get_text(st, "source_team_defense_last_updated"), "2025-01-21T08:00:00Z");
  EXPECT_EQ(*t.get_int(st, "expected_games_count"), 6);
  EXPECT_FALSE(*t.get_bool(st, "early_season_flag"));
  EXPECT_FALSE(t.get_int(st, "feature_generation_time_ms"));
  // Legacy mixin hash with Python str() of the lists, cross-checked in Python.
  EXPECT_EQ(*t.get_text(st, "data_hash"), "8794c930f4e1de67");

  size_t rk = row_of(t, "rookie");
  auto fr = features_of(t, rk);
  EXPECT_DOUBLE_EQ(fr[0], 26.0);  // Phase 3: mean of 5 most recent
  EXPECT_DOUBLE_EQ(fr[1], 25.0);
  EXPECT_DOUBLE_EQ(fr[2], 25.0);  // season average
  EXPECT_DOUBLE_EQ(fr[3], 5.0);   // default
  EXPECT_DOUBLE_EQ(fr[5], 50.0);
  EXPECT_DOUBLE_EQ(fr[11], 2.0);  // scoring more recently: +2 (legacy sign: −2)
  EXPECT_DOUBLE_EQ(fr[13],
                   110.5);  // opponent row exists for everyone facing GSW
  // f0–f2 phase3 (225) + f13, f14 phase4 (200) + 11 defaults (440) + 6
  // calculated (600) + 3 phase3 (225)
  EXPECT_DOUBLE_EQ(*t.get_real(rk, "feature_quality_score"), 67.6);
  EXPECT_EQ(*t.get_text(rk, "data_source"), "mixed");
  EXPECT_EQ(*t.get_text(rk, "quality_tier"), "bronze");  // 67.6: ≥ 50, < 75
  EXPECT_FALSE(*t.get_bool(rk, "is_production_ready"));
  EXPECT_EQ(*t.get_text(rk, "data_quality_issues"),
            R"(["upstream_player_daily_cache_incomplete","upstream_player_composite_factors_incomplete",)"
            R"("upstream_player_shot_zone_incomplete"])");
  EXPECT_NE(*t.get_text(rk, "data_hash"), *t.get_text(st, "data_hash"));
}

TEST(MlfsCompute, PointInTimeAndIdempotence) {
  Schedule s = mlfs_schedule();
  Fixture base;
  base.build();
  UnitOutput a = base.run(s, kD);
  expect_same_rows(a.rows, base.run(s, kD).rows);
  Fixture leak;
  leak.build();
  for (Date d : {kD, kD + 1}) {
    leak.game("rookie", d, 60, 20);
    leak.game("star", d, 60, 20);
    leak.team_game(d, false);
  }
  leak.phase4(kD + 1, "rookie");
  leak.defence(kD + 1, 90.0);
  leak.context(kD + 1, "ghost");
  expect_same_rows(a.rows, leak.run(s, kD).rows);
  Fixture empty;
  EXPECT_EQ(empty.run(s, kD).rows.num_rows(), 0u);
}

TEST(MlfsProcessor, RunsOnSqliteWarehouse) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Fixture f;
  f.build();
  std::vector<Date> hist;
  for (int k = 1; k <= 6; ++k) hist.push_back(kD - 2 * k);
  wh->replace_partitions(f.upgc.schema(), {kD}, f.upgc);
  wh->replace_partitions(f.pdc.schema(), {kD}, f.pdc);
  wh->replace_partitions(f.pcf.schema(), {kD}, f.pcf);
  wh->replace_partitions(f.psza.schema(), {kD}, f.psza);
  wh->replace_partitions(f.tdza.schema(), {kD}, f.tdza);
  wh->replace_partitions(f.pgs.schema(), hist, f.pgs);
  wh->replace_partitions(f.togs.schema(), hist, f.togs);
  Schedule s = mlfs_schedule();
  register_builtins();
  const Processor& p = registry::get("mlfs");
  EXPECT_EQ(p.info().output_table, "nba_predictions.ml_feature_store_v2");
  EXPECT_EQ(p.info().bootstrap, BootstrapPolicy::kSkip);
  // DAG edges: MLFS after PDC and PCF; PDC does not depend on PCF (legacy
  // ordering was false).
  std::vector<std::string> ups;
  for (const Processor* u : registry::upstream_of(p)) ups.push_back(u->info().code);
  EXPECT_NE(std::find(ups.begin(), ups.end(), "pdc"), ups.end());
  EXPECT_NE(std::find(ups.begin(), ups.end(), "pcf"), ups.end());
  for (const Processor* u : registry::upstream_of(registry::get("pdc"))) EXPECT_NE(u->info().code, "pcf");
  UnitOutput out = p.run(UnitContext{*wh, s, kD});
  expect_same_rows(f.run(s, kD).rows, out.rows);
  ASSERT_EQ(out.rows.num_rows(), 2u);
  EXPECT_DOUBLE_EQ(*out.rows.get_real(row_of(out.rows, "star"), "feature_quality_score"), 97.0);
  // quality_tier (a legacy ALTER column) is stored and read back (once the
  // runner has stamped created_at).
  for (size_t r = 0; r < out.rows.num_rows(); ++r) out.rows.col("created_at").set_text(r, "2025-01-21T09:00:00Z");
  wh->replace_partition(catalog::get("nba_predictions.ml_feature_store_v2"), kD, out.rows);
  Table back = wh->read(catalog::get("nba_predictions.ml_feature_store_v2"), DateRange{kD, kD});
  ASSERT_EQ(back.num_rows(), 2u);
  EXPECT_EQ(*back.get_text(row_of(back, "star"), "quality_tier"), "gold");
  EXPECT_EQ(*back.get_text(row_of(back, "rookie"), "quality_tier"), "bronze");
}

// The carried histories (PGS with running season sums, TOGS with running win
// counts): every date answered from one state that already holds later dates
// equals the date computed alone.
TEST(MlfsCarried, PointInTimeAnyDateOrderEqualsEachDateAlone) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  Fixture f;
  f.build();
  for (const char* p : {"star", "rookie"}) {
    f.game(p, kD, 50, 10);  // D's own game: read by later dates only
    f.context(kD - 2, p);
    f.context(kD + 1, p);
  }
  f.team_game(kD, false);
  f.phase4(kD - 2, "star");
  for (const Table* t : {&f.upgc, &f.pdc, &f.pcf, &f.psza, &f.tdza, &f.pgs, &f.togs}) store_partitions(*wh, *t);
  const Schedule s = mlfs_schedule();
  register_builtins();
  const Processor& p = registry::get("mlfs");
  std::unique_ptr<CarriedState> carried = p.make_carried_state();
  ASSERT_NE(carried, nullptr);
  // Team record before D: 3 of 5 (kD − 2), 4 of 7 (kD + 1), 4 of 6 (kD).
  const std::vector<std::pair<Date, double>> dates = {{kD - 2, 0.6}, {kD + 1, 0.571428571}, {kD, 0.666666667}};
  for (const auto& [d, win_pct] : dates) {
    const UnitOutput shared = p.run(UnitContext{*wh, s, d, &p.info(), carried.get()});
    const UnitOutput alone = p.run(UnitContext{*wh, s, d, &p.info(), nullptr});
    expect_same_rows(alone.rows, shared.rows);
    ASSERT_EQ(shared.rows.num_rows(), 2u) << d.iso();
    EXPECT_DOUBLE_EQ(features_of(shared.rows, row_of(shared.rows, "rookie"))[24], win_pct) << d.iso();
  }
}
