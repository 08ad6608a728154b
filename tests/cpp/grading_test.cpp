#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>

#include "nbaprops/core/error.hpp"
#include "nbaprops/processors/grading/prediction_accuracy.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "table_assert.hpp"
#include "test_util.hpp"

using nbaprops::testing::row_with;

using namespace nbaprops;
using namespace nbaprops::grading;

namespace {

const Date kDay = Date::parse("2024-01-15");
constexpr const char* kGame = "20240115_LAL_BOS";

struct Pred {
  std::string system, player;
  std::optional<double> points, confidence;
  std::optional<std::string> rec;
  std::optional<double> line, pace = std::nullopt;
  std::optional<int64_t> similar = std::nullopt;
  std::optional<std::string> model = std::nullopt;
};

void add_prediction(Table& t, const Pred& p, Date d = kDay) {
  size_t r = t.add_row();
  t.set(r, "prediction_id", p.system + "-" + p.player);
  t.set(r, "system_id", p.system);
  t.set(r, "player_lookup", p.player);
  t.set(r, "game_date", d);
  t.set(r, "game_id", kGame);
  t.col("predicted_points").set_real(r, p.points);
  t.col("confidence_score").set_real(r, p.confidence);
  if (p.rec) t.set(r, "recommendation", *p.rec);
  t.col("current_points_line").set_real(r, p.line);
  t.set(r, "has_prop_line", p.line.has_value());
  t.col("pace_adjustment").set_real(r, p.pace);
  t.col("similar_games_count").set_int(r, p.similar);
  if (p.model) t.set(r, "ml_model_id", *p.model);
  t.set(r, "prediction_version", 1);
  t.set(r, "is_active", true);
  t.set(r, "created_at", "2024-01-15T12:00:00Z");
}

void add_actual(Table& t, const std::string& player, std::optional<int64_t> points, const std::string& team,
                const std::string& opp, double minutes, Date d = kDay) {
  size_t r = t.add_row();
  t.set(r, "player_lookup", player);
  t.set(r, "game_id", kGame);
  t.set(r, "game_date", d);
  t.set(r, "team_abbr", team);
  t.set(r, "opponent_team_abbr", opp);
  t.col("points").set_int(r, points);
  t.set(r, "minutes_played", minutes);
  t.set(r, "season_year", 2023);
  t.set(r, "starter_flag", true);
  t.set(r, "win_flag", team == "BOS");
  t.set(r, "is_active", true);
}

Table golden_predictions() {
  Table p(catalog::get("nba_predictions.player_prop_predictions"));
  add_prediction(p, {"ensemble_v1", "alice", 27.4, 0.74, "OVER", 25.5, 0.25, 12});             // OVER win
  add_prediction(p, {"ensemble_v1", "bob", 17.2, 0.66, "UNDER", 21.5, -0.25});                 // UNDER win
  add_prediction(p, {"moving_average", "alice", 24.0, 0.52, "UNDER", 25.5, 0.35});             // UNDER loss
  add_prediction(p, {"moving_average", "bob", 23.0, 0.55, "OVER", 20.0});                      // push
  add_prediction(p, {"zone_matchup_v1", "alice", 26.0, 0.45, "PASS", 25.5});                   // PASS
  add_prediction(p, {"zone_matchup_v1", "bob", 18.0, std::nullopt, "NO_LINE", std::nullopt});  // no line, no conf
  add_prediction(p, {"similarity_balanced_v1", "alice", std::nullopt, 0.0, "PASS", 25.5});     // no prediction
  add_prediction(p, {"xgboost_v1", "carl", 12.0, 0.8, "OVER", 10.5});                          // NULL points
  add_prediction(p, {"xgboost_v1", "erin", 12.0, 0.8, "OVER", 10.5});                          // no box score
  add_prediction(
      p, {"xgboost_v1", "alice", 35.0, 1.0, "OVER", 25.5, std::nullopt, std::nullopt, "xgboost_points_v4_21features"});
  add_prediction(p, {"ensemble_v1", "dave", 4.0, 0.70, "HOLD", 3.5});  // HOLD
  add_prediction(p, {"ensemble_v1", "alice", 27.4, 0.74, "OVER", 25.5},
                 kDay + 1);  // other date
  return p;
}

Table golden_actuals() {
  Table a(catalog::get("nba_analytics.player_game_summary"));
  add_actual(a, "alice", 30, "BOS", "LAL", 35.0);
  add_actual(a, "bob", 20, "LAL", "BOS", 30.5);
  add_actual(a, "carl", std::nullopt, "LAL", "BOS", 12.0);
  add_actual(a, "dave", 0, "BOS", "LAL", 5.0);
  add_actual(a, "erin", 40, "BOS", "LAL", 38.0,
             kDay - 1);  // yesterday's game does not count
  return a;
}

/// Finds the row of (system, player) in a prediction_accuracy table.
size_t row_of(const Table& t, const std::string& system, const std::string& player) {
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (t.get_text(r, "system_id") == system && t.get_text(r, "player_lookup") == player) return r;
  }
  ADD_FAILURE() << "no row for " << system << "/" << player;
  return 0;
}

size_t row_of(const Table& t, const std::string& system) { return row_with(t, "system_id", system); }

}  // namespace

namespace {

/// bq_numeric's rounding on the decimal string: the shortest digits, cut at
/// @p scale places and rounded half away from zero, parsed back.
double numeric_by_text(double v, int scale) {
  std::array<char, 64> buf{};
  const char* end = std::to_chars(buf.data(), buf.data() + buf.size(), std::fabs(v), std::chars_format::scientific).ptr;
  const std::string sci(static_cast<const char*>(buf.data()), end);
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  const int exp10 = std::stoi(sci.substr(e + 1));
  // Units of 10^-scale: the digits placed, then the next digit rounds.
  const int keep = exp10 + scale + 1;
  if (keep < 0) return 0.0;
  std::string kept = digits.substr(0, static_cast<size_t>(std::min<int>(keep, static_cast<int>(digits.size()))));
  kept += std::string(static_cast<size_t>(keep) - kept.size(), '0');
  const bool up = keep < static_cast<int>(digits.size()) && digits[static_cast<size_t>(keep)] >= '5';
  int64_t n = kept.empty() ? 0 : std::stoll(kept);
  n += up ? 1 : 0;
  const std::string text = std::to_string(n) + "e-" + std::to_string(scale);
  const double out = std::strtod(text.c_str(), nullptr);
  return v < 0 ? -out : out;
}

}  // namespace

// A value already of at most `scale` places comes back as it is (the short
// path); every value rounds as the decimal string does.
TEST(Grading, BigQueryNumericAgreesWithRoundingTheDecimalText) {
  std::mt19937_64 rng(7);
  const double pow10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
  for (int scale = 0; scale <= 4; ++scale) {
    for (int i = 0; i < 20000; ++i) {
      const int k = static_cast<int>(rng() % 7);
      const auto r = static_cast<int64_t>(rng() % 100000000) * (i % 2 ? -1 : 1);
      const double v = static_cast<double>(r) / pow10[k];
      ASSERT_EQ(bq_numeric(v, scale), numeric_by_text(v, scale)) << v << " scale " << scale;
      if (k <= scale) ASSERT_EQ(bq_numeric(v, scale), v);
      const double u = std::ldexp(static_cast<double>(rng() % (uint64_t{1} << 52)),
                                  -20 - static_cast<int>(rng() % 40));  // below 2^32
      ASSERT_EQ(bq_numeric(u, scale), numeric_by_text(u, scale)) << u << " scale " << scale;
    }
  }
}

TEST(Grading, BigQueryNumericRoundsTheShortestDecimalHalfAwayFromZero) {
  EXPECT_DOUBLE_EQ(bq_numeric(0.25, 1), 0.3);
  EXPECT_DOUBLE_EQ(bq_numeric(-0.25, 1), -0.3);
  EXPECT_DOUBLE_EQ(bq_numeric(0.35, 1),
                   0.4);                         // Python round(0.35, 1) gives 0.3 (binary 0.3499…)
  EXPECT_DOUBLE_EQ(bq_numeric(2.675, 2), 2.68);  // Python round gives 2.67
  EXPECT_DOUBLE_EQ(bq_numeric(0.0625, 3), 0.063);
  EXPECT_DOUBLE_EQ(bq_numeric(0.7449, 3), 0.745);
  EXPECT_DOUBLE_EQ(bq_numeric(0.0005, 3), 0.001);
  EXPECT_DOUBLE_EQ(bq_numeric(0.0004, 3), 0.0);
  EXPECT_DOUBLE_EQ(bq_numeric(0.00005, 3), 0.0);
  EXPECT_DOUBLE_EQ(bq_numeric(99.95, 1), 100.0);
  EXPECT_DOUBLE_EQ(bq_numeric(123.456, 0), 123.0);
  EXPECT_DOUBLE_EQ(bq_numeric(0.0, 2), 0.0);
  EXPECT_DOUBLE_EQ(bq_numeric(3.3000000000000007, 1), 3.3);
  EXPECT_DOUBLE_EQ(bq_numeric(1.8999999999999986, 1), 1.9);
}

TEST(Grading, SanitizeText) {
  EXPECT_EQ(sanitize_text("a\"b\nc\td\x7f"), "a'bcd");
  EXPECT_EQ(sanitize_text(std::string(600, 'x')).size(), 500u);
  std::string accents;
  for (int i = 0; i < 600; ++i) accents += "\xc3\xa9";         // é
  EXPECT_EQ(sanitize_text(accents), accents.substr(0, 1000));  // 500 code points
}

TEST(Grading, PredictionCorrectRules) {
  EXPECT_EQ(prediction_correct("OVER", 25.5, 30), true);
  EXPECT_EQ(prediction_correct("OVER", 25.5, 20), false);
  EXPECT_EQ(prediction_correct("UNDER", 25.5, 20), true);
  EXPECT_EQ(prediction_correct("UNDER", 25.5, 30), false);
  EXPECT_EQ(prediction_correct("OVER", 20.0, 20), std::nullopt);  // push
  EXPECT_EQ(prediction_correct("PASS", 25.5, 30), std::nullopt);
  EXPECT_EQ(prediction_correct("HOLD", 25.5, 30), std::nullopt);
  EXPECT_EQ(prediction_correct("NO_LINE", 25.5, 30), std::nullopt);
  EXPECT_EQ(prediction_correct(std::nullopt, 25.5, 30), std::nullopt);
  EXPECT_EQ(prediction_correct("OVER", std::nullopt, 30), std::nullopt);
  EXPECT_EQ(prediction_correct("LEAN_UNDER", 25.5, 20),
            true);  // any other string is an UNDER call
}

TEST(Grading, ConfidenceDecile) {
  EXPECT_EQ(confidence_decile(0.0), 1);
  EXPECT_EQ(confidence_decile(0.29), 3);
  EXPECT_EQ(confidence_decile(0.3), 4);   // 0.3 × 10 = 3.0000000000000004
  EXPECT_EQ(confidence_decile(0.57), 6);  // 5.699999999999999
  EXPECT_EQ(confidence_decile(0.7), 8);   // 7.000000000000001
  EXPECT_EQ(confidence_decile(0.95), 10);
  EXPECT_EQ(confidence_decile(1.0), 10);
  EXPECT_EQ(confidence_decile(std::nullopt), std::nullopt);
}

TEST(Grading, GoldenRows) {
  Table preds = golden_predictions();
  Table actuals = golden_actuals();
  UnitOutput out = compute_prediction_accuracy(kDay, {preds, actuals});
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 9u);
  EXPECT_EQ(out.entities_processed, 3);  // alice, bob, dave
  EXPECT_TRUE(out.empty_reason.empty());
  ASSERT_EQ(out.failures.size(), 2u);
  EXPECT_EQ(out.failures[0].entity_id, "carl");
  EXPECT_EQ(out.failures[0].category, "INCOMPLETE_UPSTREAM");
  EXPECT_NE(out.failures[0].reason.find("NULL points"), std::string::npos);
  EXPECT_EQ(out.failures[1].entity_id, "erin");
  EXPECT_EQ(out.failures[1].reason, "no actuals");

  // OVER win: |27.4 − 30| = 2.6, margins 1.9 and 4.5, decile int(7.4) + 1.
  size_t r = row_of(t, "ensemble_v1", "alice");
  EXPECT_EQ(*t.get_text(r, "game_id"), kGame);
  EXPECT_EQ(*t.get_date(r, "game_date"), kDay);
  EXPECT_EQ(*t.get_text(r, "team_abbr"), "BOS");
  EXPECT_EQ(*t.get_text(r, "opponent_team_abbr"), "LAL");
  EXPECT_DOUBLE_EQ(*t.get_real(r, "predicted_points"), 27.4);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "confidence_score"), 0.74);
  EXPECT_EQ(*t.get_int(r, "confidence_decile"), 8);
  EXPECT_EQ(*t.get_text(r, "recommendation"), "OVER");
  EXPECT_DOUBLE_EQ(*t.get_real(r, "line_value"), 25.5);
  EXPECT_FALSE(t.get_real(r, "referee_adjustment"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "pace_adjustment"),
                   0.3);  // 0.25 stored at NUMERIC(5,1), half away
  EXPECT_EQ(*t.get_int(r, "similarity_sample_size"), 12);
  EXPECT_EQ(*t.get_int(r, "actual_points"), 30);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "minutes_played"), 35.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "absolute_error"), 2.6);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "signed_error"), -2.6);
  EXPECT_TRUE(*t.get_bool(r, "prediction_correct"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "predicted_margin"), 1.9);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "actual_margin"), 4.5);
  EXPECT_TRUE(*t.get_bool(r, "within_3_points"));
  EXPECT_TRUE(*t.get_bool(r, "within_5_points"));
  EXPECT_FALSE(t.get_text(r, "model_version"));
  EXPECT_FALSE(t.get_text(r, "graded_at"));  // stamped by the runner

  // UNDER win.
  r = row_of(t, "ensemble_v1", "bob");
  EXPECT_TRUE(*t.get_bool(r, "prediction_correct"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "absolute_error"), 2.8);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "predicted_margin"), -4.3);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "actual_margin"), -1.5);
  EXPECT_EQ(*t.get_int(r, "confidence_decile"), 7);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "pace_adjustment"), -0.3);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "minutes_played"), 30.5);
  EXPECT_EQ(*t.get_text(r, "team_abbr"), "LAL");

  // UNDER loss: error 6 is outside 3 and 5.
  r = row_of(t, "moving_average", "alice");
  EXPECT_FALSE(*t.get_bool(r, "prediction_correct"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "signed_error"), -6.0);
  EXPECT_FALSE(*t.get_bool(r, "within_3_points"));
  EXPECT_FALSE(*t.get_bool(r, "within_5_points"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "pace_adjustment"),
                   0.4);  // "0.35" half away from zero

  // Push: actual == line → NULL; error exactly 3.0 is within 3.
  r = row_of(t, "moving_average", "bob");
  EXPECT_FALSE(t.get_bool(r, "prediction_correct"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "actual_margin"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "predicted_margin"), 3.0);
  EXPECT_TRUE(*t.get_bool(r, "within_3_points"));

  // PASS → NULL even though the call would have been checkable.
  r = row_of(t, "zone_matchup_v1", "alice");
  EXPECT_FALSE(t.get_bool(r, "prediction_correct"));
  EXPECT_FALSE(*t.get_bool(r, "within_3_points"));
  EXPECT_TRUE(*t.get_bool(r, "within_5_points"));

  // NO_LINE without confidence: no margins, no decile, errors still graded.
  r = row_of(t, "zone_matchup_v1", "bob");
  EXPECT_FALSE(t.get_bool(r, "prediction_correct"));
  EXPECT_FALSE(t.get_real(r, "line_value"));
  EXPECT_FALSE(t.get_real(r, "predicted_margin"));
  EXPECT_FALSE(t.get_real(r, "actual_margin"));
  EXPECT_FALSE(t.get_real(r, "confidence_score"));
  EXPECT_FALSE(t.get_int(r, "confidence_decile"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "signed_error"), -2.0);

  // No prediction: every error field NULL, the actual margin still set; decile
  // 1 at confidence 0.
  r = row_of(t, "similarity_balanced_v1", "alice");
  EXPECT_FALSE(t.get_real(r, "predicted_points"));
  EXPECT_FALSE(t.get_real(r, "absolute_error"));
  EXPECT_FALSE(t.get_real(r, "signed_error"));
  EXPECT_FALSE(t.get_bool(r, "within_3_points"));
  EXPECT_FALSE(t.get_bool(r, "within_5_points"));
  EXPECT_FALSE(t.get_real(r, "predicted_margin"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "actual_margin"), 4.5);
  EXPECT_EQ(*t.get_int(r, "confidence_decile"), 1);

  // Error exactly 5 is within 5; decile capped at 10; model id carried as
  // model_version.
  r = row_of(t, "xgboost_v1", "alice");
  EXPECT_DOUBLE_EQ(*t.get_real(r, "absolute_error"), 5.0);
  EXPECT_FALSE(*t.get_bool(r, "within_3_points"));
  EXPECT_TRUE(*t.get_bool(r, "within_5_points"));
  EXPECT_EQ(*t.get_int(r, "confidence_decile"), 10);
  EXPECT_EQ(*t.get_text(r, "model_version"), "xgboost_points_v4_21features");

  // HOLD with a zero-point actual.
  r = row_of(t, "ensemble_v1", "dave");
  EXPECT_FALSE(t.get_bool(r, "prediction_correct"));
  EXPECT_EQ(*t.get_int(r, "actual_points"), 0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "signed_error"), 4.0);
  EXPECT_EQ(*t.get_int(r, "confidence_decile"), 8);
}

// model_version is the prediction's model_version (legacy grading copies it);
// a row stored before predictions had the column falls back to ml_model_id.
TEST(Grading, ModelVersionIsThePredictionsModelVersion) {
  Table preds(catalog::get("nba_predictions.player_prop_predictions"));
  add_prediction(preds, {"ensemble_v1", "alice", 27.4, 0.74, "OVER", 25.5});
  preds.set(0, "model_version", "1.0");
  add_prediction(preds, {"xgboost_v1", "alice", 35.0, 1.0, "OVER", 25.5, std::nullopt, std::nullopt, "model_a"});
  preds.set(1, "model_version", "model_b");
  add_prediction(preds, {"xgboost_v1", "bob", 18.0, 0.6, "UNDER", 21.5, std::nullopt, std::nullopt, "model_a"});
  add_prediction(preds, {"moving_average", "bob", 18.0, 0.6, "UNDER", 21.5});
  const UnitOutput out = compute_prediction_accuracy(kDay, {preds, golden_actuals()});
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 4u);
  EXPECT_EQ(t.get_text(row_of(t, "ensemble_v1", "alice"), "model_version"), "1.0");
  EXPECT_EQ(t.get_text(row_of(t, "xgboost_v1", "alice"), "model_version"), "model_b");
  EXPECT_EQ(t.get_text(row_of(t, "xgboost_v1", "bob"), "model_version"), "model_a");
  EXPECT_FALSE(t.get_text(row_of(t, "moving_average", "bob"), "model_version"));
}

TEST(Grading, EmptyReasons) {
  Table preds(catalog::get("nba_predictions.player_prop_predictions"));
  Table actuals = golden_actuals();
  UnitOutput none = compute_prediction_accuracy(kDay, {preds, actuals});
  EXPECT_EQ(none.rows.num_rows(), 0u);
  EXPECT_EQ(none.empty_reason, "no predictions for 2024-01-15");

  add_prediction(preds, {"ensemble_v1", "alice", 27.4, 0.74, "OVER", 25.5});
  Table no_actuals(catalog::get("nba_analytics.player_game_summary"));
  UnitOutput missing = compute_prediction_accuracy(kDay, {preds, no_actuals});
  EXPECT_EQ(missing.rows.num_rows(), 0u);
  EXPECT_NE(missing.empty_reason.find("no actuals"), std::string::npos) << missing.empty_reason;
  ASSERT_EQ(missing.failures.size(), 1u);
  EXPECT_EQ(missing.failures[0].entity_id, "alice");

  UnitOutput daily = compute_system_daily_performance(kDay, Table(catalog::get("nba_predictions.prediction_accuracy")));
  EXPECT_EQ(daily.rows.num_rows(), 0u);
  EXPECT_EQ(daily.empty_reason, "no graded predictions for 2024-01-15");
}

TEST(Grading, DailyAggregationByHand) {
  Table preds = golden_predictions();
  Table actuals = golden_actuals();
  UnitOutput graded = compute_prediction_accuracy(kDay, {preds, actuals});
  UnitOutput out = compute_system_daily_performance(kDay, graded.rows);
  const Table& t = out.rows;
  ASSERT_EQ(t.num_rows(), 5u);
  EXPECT_EQ(out.entities_processed, 5);
  std::vector<std::string> order;
  for (size_t r = 0; r < t.num_rows(); ++r) order.push_back(*t.get_text(r, "system_id"));
  EXPECT_EQ(order, (std::vector<std::string>{"ensemble_v1", "moving_average", "similarity_balanced_v1", "xgboost_v1",
                                             "zone_matchup_v1"}));

  // ensemble_v1: alice OVER win (2.6, −2.6, .74), bob UNDER win (2.8, −2.8,
  // .66), dave HOLD (4.0, +4.0, .70).
  size_t r = row_of(t, "ensemble_v1");
  EXPECT_EQ(*t.get_date(r, "game_date"), kDay);
  EXPECT_EQ(*t.get_int(r, "predictions_count"), 3);
  EXPECT_EQ(*t.get_int(r, "recommendations_count"), 2);
  EXPECT_EQ(*t.get_int(r, "correct_count"), 2);
  EXPECT_EQ(*t.get_int(r, "incorrect_count"), 0);
  EXPECT_EQ(*t.get_int(r, "pass_count"), 0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "win_rate"), 1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "mae"), 3.13);        // 9.4 / 3 = 3.1333
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_bias"), -0.47);  // −1.4 / 3 = −0.4667
  EXPECT_EQ(*t.get_int(r, "over_count"), 1);
  EXPECT_EQ(*t.get_int(r, "over_correct"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "over_win_rate"), 1.0);
  EXPECT_EQ(*t.get_int(r, "under_count"), 1);
  EXPECT_EQ(*t.get_int(r, "under_correct"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "under_win_rate"), 1.0);
  EXPECT_EQ(*t.get_int(r, "within_3_count"), 2);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "within_3_pct"), 0.667);
  EXPECT_EQ(*t.get_int(r, "within_5_count"), 3);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "within_5_pct"), 1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_confidence"), 0.7);
  // alice's .74 OVER and dave's .70 HOLD: the legacy count is every row with
  // confidence ≥ 0.70 (this asserted 1 when the code counted OVER/UNDER only,
  // against spec §4); the win rate's denominator is alice's call alone.
  EXPECT_EQ(*t.get_int(r, "high_confidence_count"), 2);
  EXPECT_EQ(*t.get_int(r, "high_confidence_correct"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "high_confidence_win_rate"), 1.0);
  EXPECT_FALSE(t.get_text(r, "computed_at"));  // stamped by the runner

  // moving_average: an UNDER loss and a push — the push is a recommendation
  // that did not win.
  r = row_of(t, "moving_average");
  EXPECT_EQ(*t.get_int(r, "recommendations_count"), 2);
  EXPECT_EQ(*t.get_int(r, "correct_count"), 0);
  EXPECT_EQ(*t.get_int(r, "incorrect_count"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "win_rate"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "mae"), 4.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_bias"), -1.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "over_win_rate"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "under_win_rate"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "within_3_pct"), 0.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_confidence"), 0.535);
  EXPECT_EQ(*t.get_int(r, "high_confidence_count"), 0);
  EXPECT_FALSE(t.get_real(r, "high_confidence_win_rate"));

  // similarity: one PASS without a prediction — NULL rates and means, zero
  // shares.
  r = row_of(t, "similarity_balanced_v1");
  EXPECT_EQ(*t.get_int(r, "predictions_count"), 1);
  EXPECT_EQ(*t.get_int(r, "recommendations_count"), 0);
  EXPECT_EQ(*t.get_int(r, "pass_count"), 1);
  EXPECT_FALSE(t.get_real(r, "win_rate"));
  EXPECT_FALSE(t.get_real(r, "mae"));
  EXPECT_FALSE(t.get_real(r, "avg_bias"));
  EXPECT_FALSE(t.get_real(r, "over_win_rate"));
  EXPECT_DOUBLE_EQ(*t.get_real(r, "within_3_pct"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_confidence"), 0.0);

  // xgboost: carl and erin were not graded, so only alice counts.
  r = row_of(t, "xgboost_v1");
  EXPECT_EQ(*t.get_int(r, "predictions_count"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "mae"), 5.0);
  EXPECT_EQ(*t.get_int(r, "high_confidence_count"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "high_confidence_win_rate"), 1.0);

  // zone matchup: PASS and NO_LINE (not a PASS); confidence mean over the one
  // known value.
  r = row_of(t, "zone_matchup_v1");
  EXPECT_EQ(*t.get_int(r, "pass_count"), 1);
  EXPECT_EQ(*t.get_int(r, "recommendations_count"), 0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "mae"), 3.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_bias"), -3.0);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "within_3_pct"), 0.5);
  EXPECT_DOUBLE_EQ(*t.get_real(r, "avg_confidence"), 0.45);
}

TEST(Grading, HighConfidenceCountsEveryRowButRatesCallsOnly) {
  // Legacy SQL: COUNTIF(conf >= 0.70) for the count, COUNTIF(conf >= 0.70 AND
  // correct) for correct, and the win rate over the OVER/UNDER rows of the
  // count only.
  Table acc(catalog::get("nba_predictions.prediction_accuracy"));
  const double conf[] = {0.80, 0.72, 0.70, 0.69, 0.90};
  const char* recs[] = {"PASS", "OVER", "UNDER", "OVER", "HOLD"};
  const std::optional<bool> correct[] = {std::nullopt, true, false, true, std::nullopt};
  for (int i = 0; i < 5; ++i) {
    size_t r = acc.add_row();
    acc.set(r, "game_date", kDay);
    acc.set(r, "system_id", "s");
    acc.set(r, "player_lookup", "p" + std::to_string(i));
    acc.set(r, "confidence_score", conf[i]);
    acc.set(r, "recommendation", recs[i]);
    if (correct[i]) acc.set(r, "prediction_correct", *correct[i]);
  }
  UnitOutput out = compute_system_daily_performance(kDay, acc);
  ASSERT_EQ(out.rows.num_rows(), 1u);
  const Table& t = out.rows;
  EXPECT_EQ(*t.get_int(0, "high_confidence_count"), 4);  // PASS .80, OVER .72, UNDER .70, HOLD .90
  EXPECT_EQ(*t.get_int(0, "high_confidence_correct"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "high_confidence_win_rate"), 0.5);  // 1 of the 2 calls
}

TEST(Grading, DailyAggregationRounding) {
  // Four rows: errors 1.1, 1.1, 1.1, 1.2 → mae 1.125 → 1.13, bias −1.13: the
  // legacy's ROUND(AVG(NUMERIC), 2) in BigQuery is exact and rounds halves away
  // from zero (this asserted 1.12, Python's ties-to-even on a double mean);
  // confidences .5 .75 .5 .5 → 0.5625 stored at NUMERIC(4,3) half away from
  // zero → 0.563; 1 correct of 3 recommendations → 0.333; the one
  // high-confidence call (0.75 UNDER) lost.
  Table acc(catalog::get("nba_predictions.prediction_accuracy"));
  const double errors[] = {1.1, 1.1, 1.1, 1.2};
  const double conf[] = {0.5, 0.75, 0.5, 0.5};
  const char* recs[] = {"OVER", "UNDER", "UNDER", "PASS"};
  const std::optional<bool> correct[] = {true, false, false, std::nullopt};
  for (int i = 0; i < 4; ++i) {
    size_t r = acc.add_row();
    acc.set(r, "game_date", kDay);
    acc.set(r, "system_id", "s");
    acc.set(r, "player_lookup", "p" + std::to_string(i));
    acc.set(r, "absolute_error", errors[i]);
    acc.set(r, "signed_error", -errors[i]);
    acc.set(r, "confidence_score", conf[i]);
    acc.set(r, "recommendation", recs[i]);
    if (correct[i]) acc.set(r, "prediction_correct", *correct[i]);
    acc.set(r, "within_3_points", true);
    acc.set(r, "within_5_points", true);
  }
  UnitOutput out = compute_system_daily_performance(kDay, acc);
  ASSERT_EQ(out.rows.num_rows(), 1u);
  const Table& t = out.rows;
  EXPECT_DOUBLE_EQ(*t.get_real(0, "mae"), 1.13);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "avg_bias"), -1.13);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "avg_confidence"), 0.563);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "win_rate"), 0.333);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "under_win_rate"), 0.0);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "over_win_rate"), 1.0);
  EXPECT_EQ(*t.get_int(0, "pass_count"), 1);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "within_5_pct"), 1.0);
  EXPECT_EQ(*t.get_int(0, "high_confidence_count"), 1);
  EXPECT_EQ(*t.get_int(0, "high_confidence_correct"), 0);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "high_confidence_win_rate"), 0.0);
}

TEST(Grading, DailyAggregationRoundsExactHalvesAwayFromZero) {
  // 16 OVER calls, 9 correct → 0.5625 → 0.563 (Python's round gives 0.562);
  // errors: fourteen 0.1 and two 0.2 → 1.8 / 16 = 0.1125 → 0.11 (not a tie),
  // signed: fifteen −0.3 and one +0.1 → −4.4 / 16 = −0.275 → −0.28 (a tie that
  // a sum of doubles misses: 0.1 + 0.2 ≠ 0.3); within 3: 9 of 16 → 0.563;
  // confidences: eight 0.701 and eight 0.702 → 0.7015 → 0.702.
  Table acc(catalog::get("nba_predictions.prediction_accuracy"));
  for (int i = 0; i < 16; ++i) {
    size_t r = acc.add_row();
    acc.set(r, "game_date", kDay);
    acc.set(r, "system_id", "s");
    acc.set(r, "player_lookup", "p" + std::to_string(i));
    acc.set(r, "recommendation", "OVER");
    acc.set(r, "prediction_correct", i < 9);
    acc.set(r, "absolute_error", i < 14 ? 0.1 : 0.2);
    acc.set(r, "signed_error", i < 15 ? -0.3 : 0.1);
    acc.set(r, "within_3_points", i < 9);
    acc.set(r, "within_5_points", true);
    acc.set(r, "confidence_score", i < 8 ? 0.701 : 0.702);
  }
  UnitOutput out = compute_system_daily_performance(kDay, acc);
  ASSERT_EQ(out.rows.num_rows(), 1u);
  const Table& t = out.rows;
  EXPECT_DOUBLE_EQ(*t.get_real(0, "win_rate"), 0.563);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "over_win_rate"), 0.563);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "high_confidence_win_rate"), 0.563);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "mae"), 0.11);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "avg_bias"), -0.28);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "within_3_pct"), 0.563);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "within_5_pct"), 1.0);
  EXPECT_DOUBLE_EQ(*t.get_real(0, "avg_confidence"), 0.702);
}

TEST(Grading, ProcessorsRunThroughTheWarehouse) {
  nbaprops::testing::TempDir dir;
  SqliteWarehouse wh(dir.path());
  Schedule schedule(std::vector<Game>{});
  // The warehouse requires predicted_points, confidence_score and
  // recommendation: the two golden rows without them (and the other date's row)
  // stay out.
  Table all = golden_predictions();
  Table stored(all.schema());
  for (size_t r = 0; r < all.num_rows(); ++r) {
    if (all.get_date(r, "game_date") == kDay && all.get_real(r, "predicted_points") &&
        all.get_real(r, "confidence_score")) {
      stored.append_row(all, r);
    }
  }
  ASSERT_EQ(stored.num_rows(), 9u);
  wh.replace_partition(catalog::get("nba_predictions.player_prop_predictions"), kDay, stored);
  wh.replace_partition(catalog::get("nba_analytics.player_game_summary"), kDay, golden_actuals().slice(0, 4));

  const Processor& grade = registry::get("grade");
  EXPECT_EQ(grade.info().name, "prediction_accuracy");
  EXPECT_EQ(grade.info().legacy_job, "grading_backfill");
  EXPECT_EQ(grade.info().phase, 5);
  UnitOutput graded = grade.run(UnitContext{wh, schedule, kDay});
  ASSERT_EQ(graded.rows.num_rows(), 7u);
  EXPECT_EQ(graded.failures.size(), 2u);
  wh.replace_partition(catalog::get(grade.info().output_table), kDay, graded.rows);

  const Processor& sdp = registry::get("sdp");
  EXPECT_EQ(sdp.info().output_table, "nba_predictions.system_daily_performance");
  auto upstream = registry::upstream_of(sdp);
  ASSERT_EQ(upstream.size(), 1u);
  EXPECT_EQ(upstream[0]->info().code, "grade");
  UnitOutput daily = sdp.run(UnitContext{wh, schedule, kDay});
  ASSERT_EQ(daily.rows.num_rows(), 4u);
  size_t r = row_of(daily.rows, "ensemble_v1");
  EXPECT_DOUBLE_EQ(*daily.rows.get_real(r, "mae"), 3.13);
  // alice's .74 OVER and dave's .70 HOLD (was 1: OVER/UNDER only, not spec §4).
  EXPECT_EQ(*daily.rows.get_int(r, "high_confidence_count"), 2);
}
