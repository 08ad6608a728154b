#pragma once
/// @file scoring_tier.hpp
/// Phase 5C scoring-tier feedback (legacy spec legacy-mlfs-phase5-6.md §5,
/// legacy `scoring_tier_processor.py` + `scoring_tier_backfill.py`):
/// nba_predictions.scoring_tier_adjustments (`tier`). For an as-of date A, the
/// graded ensemble_v1 predictions of A−29 … A (prediction_accuracy) are joined
/// to the player's ML feature store row of the same game date, put in a tier by
/// the season scoring average stored there (feature 2, points_avg_season), and
/// summarised per tier: mean signed / absolute error, their spread, the hit
/// rate and the points to add to remove the tier's bias.
///
/// Differences from the legacy processor (DECISION 6):
/// - current_win_rate is a true hit rate, correct / (correct + incorrect) over
/// the tier's graded
///   OVER/UNDER calls; the legacy averaged "1 if correct else 0" over every
///   row, so PASS, HOLD, NO_LINE, pushes and ungraded rows counted as losses.
/// - an ensemble row whose feature-store row is missing or unreadable is
/// reported as an entity
///   failure instead of vanishing in the join.
///
/// Applying the adjustments (the legacy ScoringTierAdjuster, §5) is
/// tier_adjustments_before() + apply_scoring_tier(), which the predictions
/// processor calls for its ensemble rows. The legacy adjuster looked up the
/// newest row with as_of_date ≤ game date, so a tier row computed on the game
/// date itself — which already contains that date's grading — leaked the
/// results into re-run predictions. Fixed (DECISION 1): the newest row with
/// as_of_date < game date.
///
/// computed_at is left NULL: the runner stamps it with the run's timestamp
/// (processors never read a clock). All functions are pure and thread-safe.

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::grading {

/// Days of grading summarised per as-of date: A−29 … A inclusive.
inline constexpr int kTierLookbackDays = 30;
/// Graded predictions a tier needs before a row is written.
inline constexpr int64_t kTierMinSample = 20;
/// The only system the legacy summarised.
inline constexpr std::string_view kTierSystem = "ensemble_v1";
/// model_version written on every row (legacy constant).
inline constexpr std::string_view kTierModelVersion = "v1.0";

/// The scoring tier of a season scoring average: ≥ 30 STAR_30PLUS, ≥ 20
/// STARTER_20_29, ≥ 10 ROTATION_10_19, else BENCH_0_9.
/// @param season_avg points_avg_season from the feature store; NULL or NaN
/// gives BENCH_0_9.
/// @return the tier label (a static string).
std::string_view scoring_tier(std::optional<double> season_avg) noexcept;

/// Confidence in a tier's adjustment: min(1, n / 100) · max(0.3, 1 − std / 20).
/// @param sample_size graded predictions in the tier.
/// @param std_signed_error sample standard deviation of their signed errors.
/// @return a value in [0, 1] (unrounded).
double adjustment_confidence(int64_t sample_size, double std_signed_error) noexcept;

/// Inputs of one as-of date.
struct TierInputs {
  /// nba_predictions.prediction_accuracy rows (player_lookup, game_date,
  /// system_id, signed_error, absolute_error, prediction_correct); rows outside
  /// A−29 … A or of another system are ignored.
  const Table& accuracy;
  /// nba_predictions.ml_feature_store_v2 rows (player_lookup, game_date,
  /// features as the JSON array the feature store writes); rows outside the
  /// window are ignored.
  const Table& mlfs;
};

/// Computes the scoring_tier_adjustments rows of @p as_of: one row per tier
/// with at least kTierMinSample graded ensemble_v1 predictions in A−29 … A,
/// ordered STAR, STARTER, ROTATION, BENCH. A graded prediction is a
/// prediction_accuracy row with a signed and an absolute error whose
/// (player_lookup, game_date) has a feature-store row.
///
/// Per tier: sample_size; avg_signed_error and avg_absolute_error (means, 2
/// dp); std_signed_error (sample standard deviation, 2 dp);
/// recommended_adjustment = −avg_signed_error (2 dp); adjustment_confidence
/// (see adjustment_confidence(), 3 dp); current_win_rate (hit rate over graded
/// OVER/UNDER calls, 3 dp; NULL when the tier has none); projected_win_rate
/// NULL; lookback_days 30; tier_min_points / tier_max_points 30/NULL, 20/30,
/// 10/20, 0/10; model_version "v1.0". Rounding is Python's round() (legacy),
/// then the column's NUMERIC scale.
///
/// An ensemble row without a feature-store row, or whose features value is not
/// a JSON array with a numeric or null element 2, becomes one EntityFailure
/// ("<player> <date>") and is left out; failures come in date order (a date's
/// rows in their order). When no tier qualifies, the output is empty with a
/// reason. The processor computes each date's part once per run (carried) and
/// answers A from the parts of A−29 … A; this function builds the parts of the
/// given rows the same way.
/// @param as_of the as-of date A (the output's partition date).
/// @param in the input tables.
/// @return the rows, failures, entities_processed (= tier rows) and
/// empty_reason.
UnitOutput compute_scoring_tier_adjustments(Date as_of, const TierInputs& in);

/// Share of a tier's recommended adjustment applied to a prediction (legacy
/// ScoringTierAdjuster defaults): BENCH_0_9 and ROTATION_10_19 0.5,
/// STARTER_20_29 0.75, STAR_30PLUS 1.0.
double tier_adjustment_factor(std::string_view tier) noexcept;

/// The adjustments predictions of one date may use: per tier, the
/// recommended_adjustment of the newest ensemble_v1 row dated before that date.
struct TierAdjustments {
  /// recommended_adjustment per tier, in kTier order (STAR, STARTER, ROTATION,
  /// BENCH); nullopt: no row (or a NULL adjustment), i.e. 0.
  std::array<std::optional<double>, 4> raw{};
  /// as_of_date of each tier's row.
  std::array<std::optional<Date>, 4> as_of{};
};

/// The adjustments for predictions of date @p d from scoring_tier_adjustments
/// rows (system_id, scoring_tier, as_of_date, recommended_adjustment; any
/// dates, any order): per tier the newest ensemble_v1 row with as_of_date < @p
/// d (the first stored of that date). Rows dated @p d or later are never used:
/// they contain the grading of @p d's own games (DECISION 1; the legacy
/// adjuster took as_of_date ≤ the game date).
TierAdjustments tier_adjustments_before(Date d, const Table& tiers);

/// One ensemble prediction's tier adjustment.
struct AppliedTier {
  std::string_view scoring_tier;          ///< the tier (a static string)
  std::optional<double> tier_adjustment;  ///< raw × factor; NULL when 0
  std::optional<double> adjusted_points;  ///< predicted + tier_adjustment; NULL when 0
};

/// Applies the adjustments to an ensemble prediction (legacy prediction
/// backfill, spec §5): the tier comes from the player's season average
/// (MLFS points_avg_season), or from @p predicted_points when the average is
/// missing or 0 (legacy: "season_avg if season_avg else predicted"); a basis ≤
/// 0 is BENCH_0_9. The adjustment is the tier's raw adjustment (0 without a
/// row) × tier_adjustment_factor(); tier_adjustment and adjusted_points are
/// NULL when it is 0. Values are not rounded (legacy FLOAT64 columns).
/// @param adj the adjustments of the prediction's date (tier_adjustments_before()).
/// @param season_avg points_avg_season; nullopt or NaN when unknown.
/// @param predicted_points the ensemble's predicted points (unrounded).
AppliedTier apply_scoring_tier(const TierAdjustments& adj, std::optional<double> season_avg,
                               double predicted_points) noexcept;

/// The `tier` processor (scoring_tier_adjustments; legacy job
/// "scoring_tier_backfill"). It reads prediction_accuracy and the feature store
/// for A−29 … A (same date plus the 29 days before), so the runner waits for
/// every grading unit of the window. Both prediction_accuracy reads are
/// optional for pre-flight: grading legitimately writes nothing on bootstrap
/// dates (no predictions), which fall inside the window of the season's first
/// weeks.
std::unique_ptr<Processor> make_scoring_tier_processor();

}  // namespace nbaprops::grading
