#pragma once
/// @file player_prop_predictions.hpp
/// nba_predictions.player_prop_predictions (Phase 5A): for every player with an
/// MLFS row on D, one row per prediction system (moving average, zone matchup,
/// similarity, XGBoost, ensemble) against the player's points line (legacy spec
/// legacy-mlfs-phase5-6.md §2 and §7).
///
/// Differences from the legacy backfill (DECISIONS 1, 6, 7):
/// - players come from the MLFS roster (pre-game context), not from D's box
/// scores;
/// - the line is the player's real prop line from the pre-game context, else an
/// estimate from
///   points_avg_last_5 / _last_10 rounded to 0.5 (the worker's rule), never the
///   fixed 20.0;
/// - XGBoost evaluates a real tree model (the mock and its random noise are
/// gone), fed in the
///   model's training semantics; without a configured model the system is
///   skipped;
/// - similarity history describes each past game as it was (opponent tier from
/// that opponent's
///   TDZA rating on that date, home/away from the game id, rest before the
///   game, form over the games before it), where the legacy used constants and
///   the games after it;
/// - ensemble rows carry the Phase 5C scoring tier and its adjustment
///   (scoring_tier, tier_adjustment, adjusted_points; legacy spec §5, §7.1) from
///   the newest scoring_tier_adjustments row dated before D, never D's own row
///   (the legacy's ≤ D let D's grading in; DECISION 1).

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::models {
class XGBoostModel;
}

namespace nbaprops::predictions {

/// model_version of every row but XGBoost's (legacy backfill constant; grading
/// copies it into prediction_accuracy). XGBoost rows carry the model's id, as
/// ml_model_id does: the legacy "1.0" there named the mock (DECISION 7).
inline constexpr std::string_view kPredictionModelVersion = "1.0";

/// Sets the model the XGBoost system evaluates (shared by every unit of every
/// run until changed);
/// @p model_id is stored in ml_model_id (e.g. the file's stem). nullptr
/// disables the system.
void set_xgboost_model(std::shared_ptr<const models::XGBoostModel> model, std::string model_id);
/// Starts loading the model file @p path on a thread of its own and returns at
/// once: the first xgboost_model() waits for it. A file that fails to load
/// makes every xgboost_model() call throw its error (a DataError naming the
/// file) until the model is set again. A fork() while the file loads waits
/// for it, so a child process inherits the finished load.
void load_xgboost_model_async(std::string path, std::string model_id);
/// @return the configured model and its id (nullptr when none); waits for a
/// load_xgboost_model_async() still running. @throws DataError when it failed.
std::pair<std::shared_ptr<const models::XGBoostModel>, std::string> xgboost_model();
/// @return the configured model's id ('' when none) without waiting for a load.
std::string xgboost_model_id();

/// Rounds a points average to the nearest 0.5 (Python round(x × 2) / 2, ties to
/// even).
double round_to_half(double x);

/// Inputs of one date (rows may extend over the window; the function filters).
struct PredictionInputs {
  const Table& mlfs;  ///< ml_feature_store_v2 rows of D
  const Table& upgc;  ///< upcoming_player_game_context rows of D (team, line)
  const Table& pdc;   ///< player_daily_cache rows of D (model extras)
  const Table& pgs;   ///< player_game_summary rows of D−90 … D−1 (similarity history)
  const Table& tdza;  ///< team_defense_zone_analysis rows of D−90 … D−1
                      ///< (historical opponent tiers)
  /// scoring_tier_adjustments rows (Phase 5C): only those dated before D are
  /// used; nullptr: no adjustments.
  const Table* tier_adjustments = nullptr;
};
/// Computes the rows of D with the given model (nullptr: no XGBoost system).
UnitOutput compute_predictions(Date d, const PredictionInputs& in, const models::XGBoostModel* model,
                               const std::string& model_id);

std::unique_ptr<Processor> make_player_prop_predictions_processor();

}  // namespace nbaprops::predictions
