#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "nbaprops/processors/predictions/feature_store.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "test_util.hpp"

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

  // recent_trend — DECISION 6 changes the sign: newest-first [30, 30, 30, 20, 20] means the player
  // scores more recently → +2 (the legacy returned −2 for this list).
  EXPECT_DOUBLE_EQ(recent_trend({30, 30, 30, 20, 20}), 2.0);
  EXPECT_DOUBLE_EQ(recent_trend({20, 20, 20, 30, 30}), -2.0);
  EXPECT_DOUBLE_EQ(recent_trend({23, 23, 23, 20, 20, 5}), 1.0);   // diff 3
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
  EXPECT_DOUBLE_EQ(pct_free_throw({9, 9, 9, 9, 9}, {10, 10, 10, 10, 10}), 0.5);  // clamped
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

// legacy-mlfs-phase5-6.md §1.6: best case 97.0 (phase4_partial), worst case 58.6.
TEST(MlfsQuality, BestAndWorstCase) {
  FeatureVector best = build_features(full_phase4(), Phase3Values{});
  EXPECT_DOUBLE_EQ(feature_quality_score(best), 97.0);
  EXPECT_EQ(feature_data_source(best), "phase4_partial");
  EXPECT_EQ(feature_quality_tier(97.0), "gold");
  EXPECT_DOUBLE_EQ(best.values[0], 28.0);
  EXPECT_DOUBLE_EQ(best.values[5], 95.0);
  EXPECT_DOUBLE_EQ(best.values[13], 110.5);
  EXPECT_DOUBLE_EQ(best.values[18], 0.5);  // PSZA 50.0 overrides PDC 48.3 (present)
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
  const double defaults[25] = {10, 10, 10, 5, 3, 50, 0, 0, 0, 0, 0, 0, 0, 112, 100, 0, 0, 0,
                               0.30, 0.20, 0.35, 0.15, 100, 112, 0.5};
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
  EXPECT_DOUBLE_EQ(f.values[11], 2.0);  // (30+28+26)/3 = 28 vs (24+22)/2 = 23: diff +5 → +2
  EXPECT_DOUBLE_EQ(f.values[12], 2.0);  // 32 vs 26 → +23 %
  EXPECT_DOUBLE_EQ(f.values[15], 1.0);
  EXPECT_DOUBLE_EQ(f.values[17], 1.0);
  EXPECT_DOUBLE_EQ(f.values[21], 24.0 / 150.0);
  EXPECT_DOUBLE_EQ(f.values[24], 0.666666667);
  // 3 × 75 (f0–f2) + 13 × 40 (P4-only defaults) + 6 × 100 (calculated) + 3 × 75 (f15–f17) = 1570
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
