#pragma once
/// @file prediction_accuracy.hpp
/// Phase 5B grading (legacy spec legacy-mlfs-phase5-6.md §4):
/// - nba_predictions.prediction_accuracy (`grade`): every prediction of D (all
/// systems, all lines)
///   graded against the player's box score of D from player_game_summary;
/// - nba_predictions.system_daily_performance (`sdp`): the graded rows of D
/// aggregated per system.
///
/// Differences from the legacy processor (DECISION 6):
/// - a player whose box-score row has NULL points is reported as an entity
/// failure and skipped;
///   the legacy actuals loader raised on the NaN and returned nothing, so the
///   whole date was reported as having no actuals;
/// - a NO_LINE recommendation is never graded, even when a line value is
/// present (the legacy
///   graded any non-OVER string as UNDER).
/// graded_at / computed_at are left NULL here: the runner stamps them with the
/// run's timestamp (processors never read a clock). Both functions are pure and
/// thread-safe.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::grading {

/// A value as BigQuery stores it in a NUMERIC(p, @p scale) column: the float's
/// shortest decimal representation (what the JSON load sends) rounded half away
/// from zero to @p scale digits (BigQuery's default rounding mode on write).
/// @param v a finite value.
/// @param scale digits after the decimal point (0–9).
/// @return the nearest double to the stored decimal.
double bq_numeric(double v, int scale);

/// The legacy string sanitiser applied before load: control characters removed,
/// double quotes replaced by single quotes, cut to 500 characters (code points,
/// not bytes).
std::string sanitize_text(std::string_view s);

/// Whether an OVER/UNDER call was right.
/// @param recommendation the prediction's recommendation (NULL allowed).
/// @param line the line it was made against (NULL allowed).
/// @param actual the points scored.
/// @return NULL for PASS, HOLD, NO_LINE or a NULL recommendation, a NULL line,
/// or a push
///         (actual == line); else (actual > line) == (recommendation == "OVER")
///         — any other string counts as UNDER, as in the legacy.
std::optional<bool> prediction_correct(const std::optional<std::string>& recommendation, std::optional<double> line,
                                       int64_t actual);

/// Confidence bucket: min(10, int(confidence × 10) + 1); NULL when confidence
/// is NULL.
/// @param confidence the 0–1 confidence score.
std::optional<int64_t> confidence_decile(std::optional<double> confidence);

/// Inputs of one grading date.
struct GradingInputs {
  const Table& predictions;  ///< nba_predictions.player_prop_predictions rows of D
  const Table& actuals;      ///< nba_analytics.player_game_summary rows of D
};

/// Grades the predictions of @p d: one prediction_accuracy row per prediction
/// row of a player with a box score; a player without a box-score row, or with
/// NULL points, becomes one EntityFailure (INCOMPLETE_UPSTREAM) and no rows.
/// Rows keep the order of @p in.predictions. Rounding: predicted points, line,
/// errors and margins 2 dp, confidence and pace adjustment 4 dp (legacy), then
/// each NUMERIC value at its column's scale (BigQuery); NaN/Inf → NULL.
UnitOutput compute_prediction_accuracy(Date d, const GradingInputs& in);

/// Aggregates prediction_accuracy rows of @p d per system_id (rows sorted by
/// system_id): predictions_count (all rows), recommendations_count (OVER +
/// UNDER), correct/incorrect (prediction_correct TRUE/FALSE), pass_count
/// (PASS), win_rate = correct / recommendations (3 dp; a push counts as a
/// recommendation that did not win), mae and avg_bias (means of absolute/signed
/// error, 2 dp), over/under counts, correct and win rates (3 dp), within 3/5
/// counts and their share of all rows, avg_confidence (mean over known
/// confidences), and the high-confidence figures (legacy COUNTIFs): rows with
/// confidence ≥ 0.70 whatever their recommendation, how many of them were
/// correct, and correct / their OVER + UNDER count (3 dp). Rates with a zero
/// denominator and means of no value are NULL. Rounding as the legacy's
/// BigQuery SQL: exact (means over the stored NUMERIC errors and confidences),
/// halves away from zero.
/// @param accuracy prediction_accuracy rows (rows of other dates are ignored).
UnitOutput compute_system_daily_performance(Date d, const Table& accuracy);

/// The `grade` processor (prediction_accuracy; legacy job "grading_backfill").
std::unique_ptr<Processor> make_prediction_accuracy_processor();
/// The `sdp` processor (system_daily_performance).
std::unique_ptr<Processor> make_system_daily_performance_processor();

}  // namespace nbaprops::grading
