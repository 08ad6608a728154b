// Phase 5A predictions: the legacy spec's worked examples
// (legacy-mlfs-phase5-6.md §2.3–§2.7), the similarity rules, line selection,
// and the processor's rows, failures and point-in-time reads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <map>
#include <memory>
#include <set>

#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/models/xgboost.hpp"
#include "nbaprops/pipeline/plan.hpp"
#include "nbaprops/pipeline/runner.hpp"
#include "nbaprops/processors/grading/prediction_accuracy.hpp"
#include "nbaprops/processors/grading/scoring_tier.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/predictions/player_prop_predictions.hpp"
#include "nbaprops/processors/predictions/prediction_systems.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/synth/demo.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::predictions;
using nbaprops::testing::expect_same_rows;
using nbaprops::testing::row_with;

namespace {

/// The spec's documented feature vector.
Features doc_vector() {
  return {25.2,  24.8,  24.5, 4.23, 3, 75,   3.5,  1.5,  0.8,   0,    0,     -2,  1,
          110.5, 101.2, 0,    0,    0, 0.35, 0.20, 0.45, 0.286, 99.8, 115.2, 0.70};
}

HistoricalGame game(double points, OpponentTier tier = OpponentTier::kAverage, RestBucket rest = RestBucket::kOneDay,
                    bool home = false, Form form = Form::kNormal) {
  HistoricalGame g;
  g.points = points;
  g.opponent = tier;
  g.rest = rest;
  g.is_home = home;
  g.form = form;
  return g;
}

}  // namespace

TEST(PredictionSystems, MovingAverageWorkedExample) {
  SystemPrediction s = moving_average(doc_vector(), 25.5);
  ASSERT_TRUE(s.points);
  EXPECT_NEAR(*s.points, 23.76, 1e-9);  // base 24.94, adjustments −1.18
  EXPECT_NEAR(s.confidence, 0.52, 1e-12);
  EXPECT_EQ(s.recommendation, "PASS");  // edge 1.74 ≤ 2.0
  EXPECT_DOUBLE_EQ(*s.fatigue, -2.5);
  EXPECT_DOUBLE_EQ(*s.home_away, -0.5);
  // A clear edge with enough confidence recommends.
  EXPECT_EQ(moving_average(doc_vector(), 20.5).recommendation, "OVER");
  EXPECT_EQ(moving_average(doc_vector(), std::nullopt).recommendation, "PASS");
}

TEST(PredictionSystems, TupleConfidenceValues) {
  Features f = doc_vector();
  f[3] = 7;
  f[4] = 1;
  EXPECT_NEAR(tuple_confidence(f), 0.25, 1e-12);  // 0.5 − 0.15 − 0.10
  f[3] = 3;
  f[4] = 2.9;  // int() truncates to 2
  EXPECT_NEAR(tuple_confidence(f), 0.55, 1e-12);
  EXPECT_EQ(tuple_recommendation(30, 0.45, 25), "PASS");  // confidence ≤ 0.45
  EXPECT_EQ(tuple_recommendation(27, 0.6, 25), "PASS");   // edge exactly 2.0
  EXPECT_EQ(tuple_recommendation(22.9, 0.6, 25), "UNDER");
}

TEST(PredictionSystems, ZoneMatchupWorkedExample) {
  SystemPrediction s = zone_matchup(doc_vector(), 25.5);
  ASSERT_TRUE(s.points);
  EXPECT_NEAR(*s.shot_zone, -0.48, 1e-9);
  EXPECT_NEAR(*s.points, 22.32, 1e-9);
  EXPECT_NEAR(s.confidence, 0.52, 1e-12);
  EXPECT_EQ(s.recommendation, "UNDER");  // edge 3.18
  // Zone scores clamp at ±3 per zone.
  Features f = doc_vector();
  f[13] = 80;  // (110 − 80)·0.3 = 9 → every zone clamps to 3
  EXPECT_NEAR(*zone_matchup(f, 25.5).shot_zone, 3 * 0.7 + 3 * 0.7 + 3 * 1.0 + 3 * 0.7, 1e-9);
}

TEST(PredictionSystems, XgboostConfidenceAndRecommendation) {
  SystemPrediction s = xgboost_system(23.65, 95.0, doc_vector(), 25.5);
  EXPECT_NEAR(*s.points, 23.65, 1e-9);
  EXPECT_NEAR(s.confidence, 0.87,
              1e-12);                    // 70 + 10 (quality ≥ 90) + 7 (std < 6)
  EXPECT_EQ(s.recommendation, "UNDER");  // −1.85
  EXPECT_NEAR(xgboost_system(61.0, 50.0, doc_vector(), 25.5).confidence, 0.77, 1e-12);
  EXPECT_DOUBLE_EQ(*xgboost_system(61.0, 50.0, doc_vector(), 25.5).points,
                   60.0);  // clamped
  EXPECT_EQ(xgboost_system(24.5, 95.0, doc_vector(), 25.5).recommendation, "PASS");
}

TEST(PredictionSystems, EnsembleWorkedExample) {
  SystemPrediction ma = moving_average(doc_vector(), 25.5);
  SystemPrediction zm = zone_matchup(doc_vector(), 25.5);
  SystemPrediction xgb = xgboost_system(23.65, 95.0, doc_vector(), 25.5);
  SystemPrediction sim;  // no similar games: not a component
  SystemPrediction e = ensemble({ma, zm, sim, xgb}, 25.5);
  ASSERT_TRUE(e.points);
  EXPECT_NEAR(*e.points, 23.318, 5e-4);
  EXPECT_NEAR(e.confidence, 0.7367, 5e-5);  // mean 63.67 + 10 (σ 0.654 < 2)
  EXPECT_NEAR(*e.variance, 0.654, 5e-4);
  EXPECT_DOUBLE_EQ(*e.agreement_pct, 95.0);
  EXPECT_EQ(e.contributing, 3);
  EXPECT_EQ(e.recommendation, "UNDER");  // 2 of 3 components say UNDER
  // Fewer than two components: no prediction (legacy stored 0.0).
  SystemPrediction lone = ensemble({ma, sim}, 25.5);
  EXPECT_FALSE(lone.points);
  EXPECT_FALSE(lone.error.empty());
}

TEST(PredictionSystems, SimilarityScoresAndPrediction) {
  Features f = doc_vector();  // now: average opponent (110.5), away, normal form (0.7)
  SimilarityContext now{OpponentTier::kAverage, RestBucket::kOneDay, false, Form::kNormal};
  EXPECT_DOUBLE_EQ(similarity_score(now, game(10)), 100);
  EXPECT_DOUBLE_EQ(similarity_score(now, game(10, OpponentTier::kElite)), 80);
  EXPECT_DOUBLE_EQ(similarity_score(now, game(10, OpponentTier::kAverage, RestBucket::kTwoDays)), 85);
  EXPECT_DOUBLE_EQ(similarity_score(now, game(10, OpponentTier::kAverage, RestBucket::kWellRested, false, Form::kHot)),
                   60);
  std::vector<HistoricalGame> h = {game(20),
                                   game(22),
                                   game(24),
                                   game(26),
                                   game(28),
                                   game(30),
                                   game(50, OpponentTier::kAverage, RestBucket::kWellRested, false, Form::kHot)};
  SystemPrediction s = similarity_balanced(f, 1, h, 25.5);
  ASSERT_TRUE(s.points);
  EXPECT_EQ(s.similar_games, 6);                     // the 60-point game is not similar
  EXPECT_NEAR(*s.similarity_baseline, 25.0, 1e-12);  // equal weights
  EXPECT_DOUBLE_EQ(*s.fatigue, 0.07);                // round(0.075, 2) on the binary value
  EXPECT_NEAR(*s.points, 27.81, 1e-9);               // 25 + 0.07 + 1.4 + 1.2 + 0.64 − 0.5
  EXPECT_NEAR(s.confidence, 0.70,
              1e-12);  // 50 − 15 (6 games) + 20 (mean 100) + 15 (σ 3.42)
  EXPECT_EQ(s.recommendation, "OVER");
  // Fewer than 5 similar games: no prediction.
  SystemPrediction few = similarity_balanced(f, 1, {game(20), game(22), game(24), game(26)}, 25.5);
  EXPECT_FALSE(few.points);
  EXPECT_EQ(few.error, "Insufficient similar games");
  EXPECT_EQ(rest_bucket(0), RestBucket::kBackToBack);
  EXPECT_EQ(rest_bucket(5), RestBucket::kWellRested);
  EXPECT_EQ(opponent_tier(109.9), OpponentTier::kElite);
  EXPECT_EQ(opponent_tier(115.0), OpponentTier::kWeak);
}

TEST(PredictionSystems, RoundToHalfIsPythonRound) {
  EXPECT_DOUBLE_EQ(round_to_half(17.25),
                   17.0);                        // round(34.5) = 34 (ties to even)
  EXPECT_DOUBLE_EQ(round_to_half(17.75), 18.0);  // round(35.5) = 36
  EXPECT_DOUBLE_EQ(round_to_half(17.3), 17.5);
}

namespace {

const Date kD = Date::parse("2024-01-15");

struct Inputs {
  Table mlfs{catalog::get("nba_predictions.ml_feature_store_v2")};
  Table upgc{catalog::get("nba_analytics.upcoming_player_game_context")};
  Table pdc{catalog::get("nba_precompute.player_daily_cache")};
  Table pgs{catalog::get("nba_analytics.player_game_summary")};
  Table tdza{catalog::get("nba_precompute.team_defense_zone_analysis")};
  PredictionInputs view() const { return {mlfs, upgc, pdc, pgs, tdza}; }

  void add_player(const std::string& p, const std::string& team, const std::string& opp, std::optional<double> line,
                  std::optional<double> avg5 = std::nullopt, const std::string& features = "") {
    size_t r = mlfs.add_row();
    mlfs.set(r, "player_lookup", p);
    mlfs.set(r, "game_date", kD);
    mlfs.set(r, "game_id", "20240115_" + opp + "_" + team);
    Features f = doc_vector();
    mlfs.set(r, "features",
             features.empty() ? nlohmann::json(std::vector<double>(f.begin(), f.end())).dump() : features);
    mlfs.set(r, "feature_quality_score", 95.0);
    mlfs.set(r, "days_rest", int64_t{1});
    mlfs.set(r, "is_home", true);
    size_t u = upgc.add_row();
    upgc.set(u, "player_lookup", p);
    upgc.set(u, "game_date", kD);
    upgc.set(u, "team_abbr", team);
    if (line) {
      upgc.set(u, "has_prop_line", true);
      upgc.set(u, "current_points_line", *line);
    } else {
      upgc.set(u, "has_prop_line", false);
    }
    if (avg5) upgc.set(u, "points_avg_last_5", *avg5);
  }
  /// A game of @p p for @p team against @p opp, with @p team at home.
  void add_game(const std::string& p, Date d, double points, const std::string& team = "BOS",
                const std::string& opp = "LAL") {
    size_t r = pgs.add_row();
    pgs.set(r, "player_lookup", p);
    pgs.set(r, "game_date", d);
    pgs.set(r, "game_id", d.iso().substr(0, 4) + d.iso().substr(5, 2) + d.iso().substr(8, 2) + "_" + opp + "_" + team);
    pgs.set(r, "team_abbr", team);
    pgs.set(r, "opponent_team_abbr", opp);
    pgs.set(r, "points", points);
    pgs.set(r, "minutes_played", 30.0);
  }
};

std::vector<size_t> rows_of(const Table& t, const std::string& player) {
  std::vector<size_t> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (t.get_text(r, "player_lookup") == player) out.push_back(r);
  }
  return out;
}

}  // namespace

TEST(PredictionsCompute, RowsPerSystemLinesAndFailures) {
  Inputs in;
  in.add_player("alpha", "BOS", "LAL", 25.5);
  in.add_player("beta", "BOS", "LAL", std::nullopt,
                17.25);                                // estimated line 17.0
  in.add_player("gamma", "BOS", "LAL", std::nullopt);  // no line at all
  in.add_player("delta", "BOS", "LAL", 20.0, std::nullopt,
                "[1,2,3]");  // corrupt features
  UnitOutput out = compute_predictions(kD, in.view(), nullptr, "");
  const Table& t = out.rows;
  // Without a model: MA, ZM and the ensemble (no history → no similarity) for
  // three players.
  EXPECT_EQ(t.num_rows(), 9u);
  EXPECT_EQ(out.entities_processed, 3);
  ASSERT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.failures[0].entity_id, "delta");
  EXPECT_NE(out.failures[0].reason.find("ml_feature_store_v2 2024-01-15 player delta field features"),
            std::string::npos)
      << out.failures[0].reason;
  for (size_t r : rows_of(t, "alpha")) {
    EXPECT_EQ(t.get_text(r, "line_source"), "ACTUAL_PROP");
    EXPECT_EQ(t.get_bool(r, "has_prop_line"), true);
    EXPECT_DOUBLE_EQ(*t.get_real(r, "current_points_line"), 25.5);
    EXPECT_EQ(t.get_text(r, "warnings"), "[\"xgboost_model_unavailable\"]");
    EXPECT_EQ(t.get_text(r, "prediction_id"), "2024-01-15_alpha_" + *t.get_text(r, "system_id"));
    if (t.get_text(r, "system_id") == kSystemMovingAverage) {
      EXPECT_DOUBLE_EQ(*t.get_real(r, "predicted_points"),
                       23.8);  // 23.76 at NUMERIC(5,1)
      EXPECT_DOUBLE_EQ(*t.get_real(r, "line_margin"), -1.74);
      EXPECT_EQ(t.get_text(r, "recommendation"), "PASS");
    }
    if (t.get_text(r, "system_id") == kSystemEnsemble) {
      EXPECT_EQ(t.get_int(r, "contributing_systems"), 2);
    }
  }
  for (size_t r : rows_of(t, "beta")) {
    EXPECT_EQ(t.get_text(r, "line_source"), "ESTIMATED_AVG");
    EXPECT_EQ(t.get_bool(r, "has_prop_line"), false);
    EXPECT_DOUBLE_EQ(*t.get_real(r, "estimated_line_value"), 17.0);
    EXPECT_EQ(t.get_text(r, "estimation_method"), "points_avg_last_5");
  }
  for (size_t r : rows_of(t, "gamma")) {
    EXPECT_EQ(t.get_text(r, "recommendation"), "NO_LINE");
    EXPECT_FALSE(t.get_real(r, "current_points_line"));
    EXPECT_FALSE(t.get_real(r, "line_margin"));
  }
  // The key (game_id, player, system, line) is unique.
  std::set<std::string> keys;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    keys.insert(*t.get_text(r, "game_id") + *t.get_text(r, "player_lookup") + *t.get_text(r, "system_id"));
  }
  EXPECT_EQ(keys.size(), t.num_rows());
}

TEST(PredictionsCompute, CorruptFeaturesTextIsDescribedInOurOwnWords) {
  // A truncated or garbled features text fails its player with the byte where
  // the JSON stops, never the JSON library's "[json.exception.…]" tag.
  Inputs in;
  in.add_player("cut", "BOS", "LAL", 20.0, std::nullopt, "[1.0, 2.0,");
  in.add_player("garbled", "BOS", "LAL", 20.0, std::nullopt, "[1.0, x]");
  in.add_player("ok", "BOS", "LAL", 20.0);
  UnitOutput out = compute_predictions(kD, in.view(), nullptr, "");
  ASSERT_EQ(out.failures.size(), 2u);
  EXPECT_EQ(out.failures[0].reason,
            "nba_predictions.ml_feature_store_v2 2024-01-15 player cut field features: not valid JSON: the text "
            "ends after byte 10, inside a value");
  EXPECT_EQ(out.failures[1].reason,
            "nba_predictions.ml_feature_store_v2 2024-01-15 player garbled field features: not valid JSON at byte "
            "7 ('x')");
  EXPECT_EQ(out.entities_processed, 1);
}

TEST(PredictionsCompute, SimilarityHistoryDescribesEachGameAsPlayedAndIsPointInTime) {
  // alpha's current game: average opponent (f13 110.5), away (f15 0), days_rest
  // 1, normal form.
  auto run = [](bool home_history, double opp_rating) {
    Inputs in;
    in.add_player("alpha", "BOS", "LAL", 25.5);
    for (int k = 1; k <= 8; ++k) {
      const Date gd = kD - 2 * k;  // every other day: one day of rest before each game
      in.add_game("alpha", gd, 20.0, home_history ? "BOS" : "LAL", home_history ? "LAL" : "BOS");
      // The player plays for BOS either way; only the game id says who was at
      // home.
      in.pgs.set(in.pgs.num_rows() - 1, "team_abbr", "BOS");
      in.pgs.set(in.pgs.num_rows() - 1, "opponent_team_abbr", "LAL");
      size_t r = in.tdza.add_row();
      in.tdza.set(r, "team_abbr", "LAL");
      in.tdza.set(r, "analysis_date", gd);
      in.tdza.set(r, "defensive_rating_last_15", opp_rating);
    }
    return in;
  };
  auto sim = [](const Table& t) { return row_with(t, "system_id", kSystemSimilarity); };
  // The player's away games against an average defense a day after the previous
  // game: seven score 100; the oldest (no earlier game in the window → well
  // rested) scores 70.
  {
    Inputs in = run(false, 112.0);
    UnitOutput out = compute_predictions(kD, in.view(), nullptr, "");
    size_t r = sim(out.rows);
    EXPECT_EQ(out.rows.get_int(r, "similar_games_count"), 8);
    EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "avg_similarity_score"), 96.25);
    EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "min_similarity_score"), 70.0);
    EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "similarity_baseline"), 20.0);
    // Point in time: rows dated D or later change nothing.
    Table before = out.rows;
    in.add_game("alpha", kD, 60.0);
    in.add_game("alpha", kD + 2, 0.0);
    UnitOutput again = compute_predictions(kD, in.view(), nullptr, "");
    expect_same_rows(before, again.rows);
  }
  // A 0-minute PGS row is part of the history (spec §2.1: the newest 30 PGS rows
  // of D−90 … D−1, no minutes filter): its 0 points pull the baseline of
  // otherwise 20-point games below 20. (The history used to drop it.)
  {
    Inputs in = run(false, 112.0);
    const size_t newest = 0;  // k = 1: D−2, scores at least 85 whatever its form
    in.pgs.set(newest, "minutes_played", 0.0);
    in.pgs.set(newest, "points", 0.0);
    UnitOutput out = compute_predictions(kD, in.view(), nullptr, "");
    size_t r = sim(out.rows);
    EXPECT_LT(*out.rows.get_real(r, "similarity_baseline"), 20.0);
  }
  // Home games (venue differs): 85 each, the oldest 55 → seven similar games.
  {
    Inputs in = run(true, 112.0);
    UnitOutput out = compute_predictions(kD, in.view(), nullptr, "");
    size_t r = sim(out.rows);
    EXPECT_EQ(out.rows.get_int(r, "similar_games_count"), 7);
    EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "avg_similarity_score"), 85.0);
  }
  // An elite defense on those dates (TDZA 105; the current opponent is
  // average): 80 each, the oldest 50 → seven. The legacy's constant "average"
  // tier would have scored them 100.
  {
    Inputs in = run(false, 105.0);
    UnitOutput out = compute_predictions(kD, in.view(), nullptr, "");
    size_t r = sim(out.rows);
    EXPECT_EQ(out.rows.get_int(r, "similar_games_count"), 7);
    EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "avg_similarity_score"), 80.0);
  }
}

TEST(PredictionsModel, RealModelFedInTrainingSemantics) {
  NBAPROPS_REQUIRE_SHARED_FILE(v4_path, "models/xgboost_points_v4_21features.json.gz");
  auto model = std::make_shared<const models::XGBoostModel>(models::XGBoostModel::load(v4_path.string()));
  ModelExtras x;
  x.minutes_avg_last_10 = 34.0;
  x.assisted_rate_last_10 = 0.55;
  x.usage_rate_last_10 = 27.0;
  x.days_rest = 0;  // played yesterday
  x.is_home = true;
  const std::vector<float> row = model_row(*model, doc_vector(), x);
  ASSERT_EQ(row.size(), 21u);
  auto at = [&](const char* name) { return row[static_cast<size_t>(model->feature_index(name))]; };
  EXPECT_FLOAT_EQ(at("points_avg_last_5"), 25.2f);
  EXPECT_FLOAT_EQ(at("minutes_avg_last_10"), 34.0f);
  EXPECT_FLOAT_EQ(at("opponent_def_rating_last_15"), 110.5f);
  EXPECT_FLOAT_EQ(at("is_home"), 1.0f);
  EXPECT_FLOAT_EQ(at("days_rest"),
                  1.0f);  // training convention: 1 = back-to-back
  EXPECT_FLOAT_EQ(at("paint_rate_last_10"),
                  35.0f);  // MLFS 0–1 → training percent
  EXPECT_FLOAT_EQ(at("assisted_rate_last_10"), 55.0f);
  EXPECT_FLOAT_EQ(at("usage_rate_last_10"), 27.0f);
  // Training NULL defaults.
  const std::vector<float> bare = model_row(*model, doc_vector(), ModelExtras{});
  EXPECT_FLOAT_EQ(bare[static_cast<size_t>(model->feature_index("days_rest"))], 2.0f);
  EXPECT_FLOAT_EQ(bare[static_cast<size_t>(model->feature_index("assisted_rate_last_10"))], 60.0f);
  EXPECT_TRUE(std::isnan(bare[static_cast<size_t>(model->feature_index("minutes_avg_last_10"))]));
  const double points = model->predict(row);
  EXPECT_GT(points, 10.0);  // a 25-point scorer
  EXPECT_LT(points, 40.0);

  // Through the processor: five systems once the player has similar history,
  // ml_model_id set.
  Inputs in;
  in.add_player("alpha", "BOS", "LAL", 25.5);
  for (int k = 1; k <= 8; ++k) {
    in.add_game("alpha", kD - 2 * k, 20.0, "LAL", "BOS");
    in.pgs.set(in.pgs.num_rows() - 1, "team_abbr", "BOS");
    in.pgs.set(in.pgs.num_rows() - 1, "opponent_team_abbr", "LAL");
  }
  UnitOutput out = compute_predictions(kD, in.view(), model.get(), "xgboost_points_v4_21features");
  std::set<std::string> systems;
  for (size_t r = 0; r < out.rows.num_rows(); ++r) {
    systems.insert(*out.rows.get_text(r, "system_id"));
    EXPECT_FALSE(out.rows.get_text(r, "warnings"));
    if (out.rows.get_text(r, "system_id") == kSystemXgboost) {
      EXPECT_EQ(out.rows.get_text(r, "ml_model_id"), "xgboost_points_v4_21features");
    }
    if (out.rows.get_text(r, "system_id") == kSystemEnsemble) EXPECT_EQ(out.rows.get_int(r, "contributing_systems"), 4);
  }
  EXPECT_EQ(systems, (std::set<std::string>{kSystemMovingAverage, kSystemZoneMatchup, kSystemSimilarity, kSystemXgboost,
                                            kSystemEnsemble}));
}

namespace {

/// A one-tree model without feature names: feature 0 < 1 goes left (1.0),
/// else or missing right (7.0); base score 0.5.
nlohmann::json nameless_model_doc() {
  using nlohmann::json;
  const json tree{{"id", 0},
                  {"tree_param", {{"num_nodes", "3"}, {"num_deleted", "0"}, {"num_feature", "2"}}},
                  {"left_children", {1, -1, -1}},
                  {"right_children", {2, -1, -1}},
                  {"split_indices", {0, 0, 0}},
                  {"split_conditions", {1.0, 1.0, 7.0}},
                  {"default_left", {0, 0, 0}},
                  {"split_type", {0, 0, 0}},
                  {"base_weights", {1.0, 1.0, 7.0}},
                  {"parents", {2147483647, 0, 0}}};
  const json doc{{"learner",
                  {{"objective", {{"name", "reg:squarederror"}}},
                   {"learner_model_param", {{"base_score", "5E-1"}, {"num_feature", "2"}}},
                   {"gradient_booster",
                    {{"name", "gbtree"},
                     {"model",
                      {{"gbtree_model_param", {{"num_parallel_tree", "1"}, {"num_trees", "1"}}},
                       {"tree_info", {0}},
                       {"trees", {tree}}}}}}}}};
  return doc;
}

}  // namespace

// A model whose file names no features gets all-missing input rows (its
// feature count wide), as before the input plan: one split on feature 0 with
// missing values sent right, so every player scores base 0.5 + 7.0.
TEST(PredictionsModel, NamelessModelGetsAllMissingInputs) {
  const auto model = models::XGBoostModel::parse(nameless_model_doc().dump(), "nameless.json");
  ASSERT_TRUE(model.feature_names().empty());
  EXPECT_EQ(ModelInputPlan(model).width(), 0u);
  EXPECT_TRUE(model_row(model, doc_vector(), ModelExtras{}).empty());

  Inputs in;
  in.add_player("alpha", "BOS", "LAL", 25.5);
  in.add_player("beta", "BOS", "LAL", 12.5);
  const UnitOutput out = compute_predictions(kD, in.view(), &model, "nameless");
  size_t xgb = 0;
  for (size_t r = 0; r < out.rows.num_rows(); ++r) {
    if (out.rows.get_text(r, "system_id") != kSystemXgboost) continue;
    ++xgb;
    EXPECT_DOUBLE_EQ(*out.rows.get_real(r, "predicted_points"), 7.5);
  }
  EXPECT_EQ(xgb, 2u);
}

// Every row names its version (legacy backfill: "1.0"; XGBoost: the model's
// id, DECISION 7), and grading copies it into prediction_accuracy, so no
// system's graded rows have a NULL model_version (audit A finding 9).
TEST(PredictionsModel, EverySystemHasAModelVersionThatGradingKeeps) {
  const auto model = models::XGBoostModel::parse(nameless_model_doc().dump(), "nameless.json");
  Inputs in;
  in.add_player("alpha", "BOS", "LAL", 25.5);
  for (int k = 1; k <= 8; ++k) in.add_game("alpha", kD - 2 * k, 20.0, "BOS", "LAL");
  const UnitOutput out = compute_predictions(kD, in.view(), &model, "nameless");
  Table actuals(catalog::get("nba_analytics.player_game_summary"));
  const size_t a = actuals.add_row();
  actuals.set(a, "player_lookup", "alpha");
  actuals.set(a, "game_date", kD);
  actuals.set(a, "game_id", "20240115_LAL_BOS");
  actuals.set(a, "points", int64_t{22});
  actuals.set(a, "minutes_played", 30.0);
  const UnitOutput graded = grading::compute_prediction_accuracy(kD, {out.rows, actuals});
  const std::map<std::string, std::string> expected = {{kSystemMovingAverage, "1.0"},
                                                       {kSystemZoneMatchup, "1.0"},
                                                       {kSystemSimilarity, "1.0"},
                                                       {kSystemXgboost, "nameless"},
                                                       {kSystemEnsemble, "1.0"}};
  for (const Table* t : {&out.rows, &graded.rows}) {
    std::map<std::string, std::string> got;
    for (size_t r = 0; r < t->num_rows(); ++r) got[*t->get_text(r, "system_id")] = *t->get_text(r, "model_version");
    EXPECT_EQ(got, expected) << t->schema().name;
  }
}

// The default model is parsed on a thread of its own while a run starts: the
// first reader waits for it, and a file that fails to load fails every reader
// with its error, naming the file, until a model is set again.
TEST(PredictionsModel, LoadsInTheBackgroundAndAFailedLoadNamesItsFile) {
  nbaprops::testing::TempDir dir;
  const auto good = dir.path() / "tiny.json";
  std::ofstream(good) << nameless_model_doc().dump();
  load_xgboost_model_async(good.string(), "tiny");
  EXPECT_EQ(xgboost_model_id(), "tiny");  // known at once, without waiting
  auto [model, id] = xgboost_model();
  ASSERT_NE(model, nullptr);
  EXPECT_EQ(id, "tiny");
  EXPECT_DOUBLE_EQ(model->predict(std::vector<float>{0.0f, 0.0f}), 1.5);
  EXPECT_EQ(xgboost_model().first, model);  // taken once, then served as set

  const auto bad = dir.path() / "broken.json";
  std::ofstream(bad) << R"({"learner": {}})";
  load_xgboost_model_async(bad.string(), "broken");
  for (int i = 0; i < 2; ++i) {
    try {
      (void)xgboost_model();
      ADD_FAILURE() << "a model that failed to load was served";
    } catch (const DataError& e) {
      EXPECT_NE(std::string(e.what()).find("broken.json"), std::string::npos) << e.what();
    }
  }
  set_xgboost_model(nullptr, "");
  EXPECT_EQ(xgboost_model().first, nullptr);
  EXPECT_EQ(xgboost_model_id(), "");
}

// A child forked while the default model still loads (a notebook's fork-based
// worker pool) gets the loaded model: the fork waits for the load, instead of
// the child waiting forever on a thread it does not have. The model has enough
// trees that its parse is still running when the fork comes.
TEST(PredictionsModel, AProcessForkedDuringTheBackgroundLoadGetsTheModel) {
  constexpr int kTrees = 20000;
  nlohmann::json doc = nameless_model_doc();
  auto& model_json = doc["learner"]["gradient_booster"]["model"];
  const nlohmann::json tree = model_json["trees"][0];
  model_json["trees"] = nlohmann::json::array();
  model_json["tree_info"] = nlohmann::json::array();
  for (int i = 0; i < kTrees; ++i) {
    nlohmann::json t = tree;
    t["id"] = i;
    model_json["trees"].push_back(std::move(t));
    model_json["tree_info"].push_back(0);
  }
  model_json["gbtree_model_param"]["num_trees"] = std::to_string(kTrees);
  nbaprops::testing::TempDir dir;
  const auto path = dir.path() / "many_trees.json";
  std::ofstream(path) << doc.dump();

  load_xgboost_model_async(path.string(), "many_trees");
  const pid_t child = ::fork();
  ASSERT_GE(child, 0) << std::strerror(errno);
  if (child == 0) {
    ::alarm(20);  // a child stuck on the load is killed, and the test fails
    const auto [model, id] = xgboost_model();
    const bool served = model && id == "many_trees" && model->predict(std::vector<float>{0.0f, 0.0f}) == 0.5 + kTrees;
    ::_exit(served ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << (WIFSIGNALED(status) ? "the child was killed by signal " + std::to_string(WTERMSIG(status))
                              : "the child exited " + std::to_string(WEXITSTATUS(status)));
  EXPECT_NE(xgboost_model().first, nullptr);
  set_xgboost_model(nullptr, "");
}

// The carried state of predictions (similarity histories) and of the scoring
// tier (per-date summaries of grading): a date answered from a state that other
// dates — later ones first, then the rest interleaved — already filled equals
// the date computed alone and the rows the runner committed. Grading and its
// daily summary carry nothing; they are checked against the stored rows too.
TEST(PredictionsCarried, PointInTimeAnyDateOrderEqualsEachDateAlone) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  synth::generate_demo(*wh, {{2022}, 7});
  const Schedule schedule = Schedule::from_table(wh->read(catalog::get("nba_raw.nbac_schedule"), std::nullopt));
  const Date first = *schedule.season_start(2022);
  pipeline::PlanOptions po;
  po.range = DateRange{first, first + 45};
  po.processors = {"phase3", "phase4", "mlfs", "pred", "grade", "sdp", "tier"};
  const pipeline::Plan plan = pipeline::make_plan(schedule, po);
  pipeline::RunOptions ro;
  ro.checkpoint_dir = "";
  const pipeline::RunResult run = pipeline::run(*wh, schedule, plan, ro);
  ASSERT_EQ(run.exit_code(), 0) << run.summary_text();

  std::vector<Date> dates;
  for (Date d = first + 14; d <= first + 45; d = d + 1) {
    if (!schedule.games_on(d).empty()) dates.push_back(d);
  }
  ASSERT_GE(dates.size(), 10u);
  std::reverse(dates.begin(), dates.end());
  std::stable_partition(dates.begin(), dates.end(), [&](Date d) { return (d - dates.back()) % 2 == 0; });

  auto content = [](const Table& rows) {
    std::string out;
    for (const auto& [d, h] : partition_hashes_of(rows)) out += d.iso() + ":" + h.hex() + ";";
    return out;
  };
  for (const char* code : {"pred", "grade", "sdp", "tier"}) {
    const Processor& p = registry::get(code);
    std::unique_ptr<CarriedState> carried = p.make_carried_state();
    EXPECT_EQ(carried != nullptr, std::string(code) == "pred" || std::string(code) == "tier") << code;
    int nonempty = 0;
    for (Date d : dates) {
      UnitOutput shared = p.run(UnitContext{*wh, schedule, d, &p.info(), carried.get()});
      UnitOutput alone = p.run(UnitContext{*wh, schedule, d, &p.info(), nullptr});
      const Table stored = wh->read(catalog::get(p.info().output_table), DateRange{d, d});
      EXPECT_EQ(content(shared.rows), content(alone.rows)) << code << " " << d.iso();
      EXPECT_EQ(content(shared.rows), content(stored)) << code << " " << d.iso();
      EXPECT_EQ(shared.failures.size(), alone.failures.size()) << code << " " << d.iso();
      nonempty += shared.rows.num_rows() > 0 ? 1 : 0;
    }
    EXPECT_GT(nonempty, 0) << code << ": no date produced rows, the comparison would be vacuous";
  }
}

namespace {

void add_tier_row(Table& t, const std::string& tier, Date as_of, double adjustment) {
  const size_t r = t.add_row();
  t.set(r, "system_id", "ensemble_v1");
  t.set(r, "scoring_tier", tier);
  t.set(r, "as_of_date", as_of);
  t.set(r, "recommended_adjustment", adjustment);
}

}  // namespace

// Phase 5C (spec §5, §7.1): ensemble rows carry the player's scoring tier (by
// his MLFS season average) and the tier's adjustment × factor from the newest
// tier row dated before D; the other systems' rows carry none. Rows dated D or
// later (computed from D's own grading) change nothing.
TEST(PredictionsTiers, EnsembleRowsCarryTheAdjustmentOfEarlierDatesOnly) {
  Inputs in;
  in.add_player("alpha", "BOS", "LAL", 25.5);  // season average 24.5: STARTER
  Features bench = doc_vector();
  bench[2] = 0.0;  // no season average: the predicted points decide
  in.add_player("beta", "BOS", "LAL", 25.5, std::nullopt,
                nlohmann::json(std::vector<double>(bench.begin(), bench.end())).dump());
  Table tiers(catalog::get("nba_predictions.scoring_tier_adjustments"));
  add_tier_row(tiers, "STARTER_20_29", kD - 3, 1.0);
  add_tier_row(tiers, "STARTER_20_29", kD - 1, 2.0);  // the newest before D
  PredictionInputs view = in.view();
  view.tier_adjustments = &tiers;
  const UnitOutput base = compute_predictions(kD, in.view(), nullptr, "");
  const UnitOutput out = compute_predictions(kD, view, nullptr, "");
  size_t ensembles = 0;
  for (size_t r = 0; r < out.rows.num_rows(); ++r) {
    const Table& t = out.rows;
    if (t.get_text(r, "system_id") != kSystemEnsemble) {
      EXPECT_FALSE(t.get_text(r, "scoring_tier"));
      EXPECT_FALSE(t.get_real(r, "tier_adjustment"));
      EXPECT_FALSE(t.get_real(r, "adjusted_points"));
      continue;
    }
    ++ensembles;
    size_t b = 0;
    for (size_t k = 0; k < base.rows.num_rows(); ++k) {
      if (base.rows.get_text(k, "player_lookup") == t.get_text(r, "player_lookup") &&
          base.rows.get_text(k, "system_id") == kSystemEnsemble) {
        b = k;
      }
    }
    // Without adjustments: the tier only.
    EXPECT_EQ(base.rows.get_text(b, "scoring_tier"), t.get_text(r, "scoring_tier"));
    EXPECT_FALSE(base.rows.get_real(b, "tier_adjustment"));
    EXPECT_DOUBLE_EQ(*t.get_real(r, "predicted_points"), *base.rows.get_real(b, "predicted_points"));
    if (t.get_text(r, "player_lookup") == "alpha") {
      EXPECT_EQ(t.get_text(r, "scoring_tier"), "STARTER_20_29");
      EXPECT_DOUBLE_EQ(*t.get_real(r, "tier_adjustment"), 1.5);  // 2.0 × 0.75
      EXPECT_NEAR(*t.get_real(r, "adjusted_points"), *t.get_real(r, "predicted_points") + 1.5, 0.05 + 1e-9);
    } else {
      const double points = *t.get_real(r, "predicted_points");
      EXPECT_EQ(t.get_text(r, "scoring_tier"), std::string(grading::scoring_tier(points)));
    }
  }
  EXPECT_EQ(ensembles, 2u);

  // Point in time: rows dated D and after never change D's predictions.
  Table leaked = tiers;
  add_tier_row(leaked, "STARTER_20_29", kD, 40.0);
  add_tier_row(leaked, "BENCH_0_9", kD, -40.0);
  add_tier_row(leaked, "ROTATION_10_19", kD + 1, 40.0);
  add_tier_row(leaked, "STAR_30PLUS", kD + 7, 40.0);
  view.tier_adjustments = &leaked;
  expect_same_rows(out.rows, compute_predictions(kD, view, nullptr, "").rows);
}

// Through the runner: predictions of D are ordered after the tier units of the
// dates before D (which wait for those dates' predictions and grading), so
// every ensemble row of the run carries the adjustment of the newest tier row
// dated before D that the same run wrote, and a rerun of D with every later tier
// row present gives the same rows.
TEST(PredictionsTiers, RunUsesTheTierRowsOfEarlierDatesOfTheSameRun) {
  nbaprops::testing::TempDir dir;
  auto wh = open_warehouse(dir.path().string());
  synth::generate_demo(*wh, {{2022}, 7});
  const Schedule schedule = Schedule::from_table(wh->read(catalog::get("nba_raw.nbac_schedule"), std::nullopt));
  const Date first = *schedule.season_start(2022);
  const DateRange range{first, first + 50};
  pipeline::PlanOptions po;
  po.range = range;
  po.processors = {"phase3", "phase4", "mlfs", "pred", "grade", "tier"};
  const pipeline::Plan plan = pipeline::make_plan(schedule, po);
  // Plan order: predictions before grading and tiers (the feedback read orders
  // nothing at the processor level).
  std::vector<std::string> order;
  for (const Processor* p : plan.processors) order.push_back(p->info().code);
  const auto at = [&](const char* code) { return std::find(order.begin(), order.end(), code) - order.begin(); };
  EXPECT_LT(at("pred"), at("grade"));
  EXPECT_LT(at("grade"), at("tier"));
  pipeline::RunOptions ro;
  ro.checkpoint_dir = "";
  const pipeline::RunResult run = pipeline::run(*wh, schedule, plan, ro);
  ASSERT_EQ(run.exit_code(), 0) << run.summary_text();

  const Table tiers = wh->read(catalog::get("nba_predictions.scoring_tier_adjustments"), range);
  const Table preds = wh->read(catalog::get("nba_predictions.player_prop_predictions"), range);
  ASSERT_GT(tiers.num_rows(), 0u);
  std::set<Date> tier_dates;
  for (size_t r = 0; r < tiers.num_rows(); ++r) tier_dates.insert(*tiers.get_date(r, "as_of_date"));
  size_t adjusted = 0, own_date_differs = 0;
  std::set<Date> checked;
  for (size_t r = 0; r < preds.num_rows(); ++r) {
    if (preds.get_text(r, "system_id") != kSystemEnsemble) continue;
    const Date d = *preds.get_date(r, "game_date");
    const std::string tier = *preds.get_text(r, "scoring_tier");
    const grading::TierAdjustments before = grading::tier_adjustments_before(d, tiers);
    std::optional<double> raw;
    const char* labels[] = {"STAR_30PLUS", "STARTER_20_29", "ROTATION_10_19", "BENCH_0_9"};
    for (size_t i = 0; i < 4; ++i) {
      if (tier == labels[i]) raw = before.raw[i];
    }
    const double scaled = raw.value_or(0.0) * grading::tier_adjustment_factor(tier);
    if (scaled == 0.0) {
      EXPECT_FALSE(preds.get_real(r, "tier_adjustment")) << d.iso();
      continue;
    }
    ++adjusted;
    ASSERT_TRUE(preds.get_real(r, "tier_adjustment")) << d.iso() << " " << *preds.get_text(r, "player_lookup");
    EXPECT_DOUBLE_EQ(*preds.get_real(r, "tier_adjustment"), scaled) << d.iso();
    EXPECT_NEAR(*preds.get_real(r, "adjusted_points") - scaled, *preds.get_real(r, "predicted_points"), 0.05 + 1e-9);
    // D's own tier row (D's grading) would have given another value.
    const grading::TierAdjustments with_own = grading::tier_adjustments_before(d + 1, tiers);
    for (size_t i = 0; i < 4; ++i) {
      if (tier == labels[i] && with_own.raw[i] != raw) ++own_date_differs;
    }
    checked.insert(d);
  }
  EXPECT_GT(adjusted, 0u) << "no prediction was adjusted: the check would be vacuous";
  EXPECT_GT(own_date_differs, 0u) << "no date's own tier row differs: the point-in-time check would be vacuous";

  // Rerun of the adjusted dates now that every later tier row is stored: the
  // same rows.
  const Processor& pred = registry::get("pred");
  auto content = [](const Table& rows) {
    std::string out;
    for (const auto& [day, h] : partition_hashes_of(rows)) out += day.iso() + ":" + h.hex() + ";";
    return out;
  };
  for (Date d : checked) {
    const UnitOutput again = pred.run(UnitContext{*wh, schedule, d, &pred.info(), nullptr});
    EXPECT_EQ(content(again.rows),
              content(wh->read(catalog::get("nba_predictions.player_prop_predictions"), DateRange{d, d})))
        << d.iso();
  }
}
