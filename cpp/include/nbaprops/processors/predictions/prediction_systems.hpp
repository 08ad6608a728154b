#pragma once
/// @file prediction_systems.hpp
/// The five Phase 5A points-prediction systems (legacy spec
/// legacy-mlfs-phase5-6.md §2) as pure functions of one player's MLFS feature
/// vector, line and history: Moving Average Baseline, Zone Matchup V1,
/// Similarity Balanced V1, XGBoost V1 (the real tree model, DECISION 7) and the
/// confidence-weighted Ensemble V1. Confidence is returned on the 0–1 scale for
/// every system.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nbaprops::models {
class XGBoostModel;
}

namespace nbaprops::predictions {

/// MLFS v1_baseline_25 features f0 … f24 (see mlfs_feature_names()).
using Features = std::array<double, 25>;

/// Stored system ids (the backfill's names; the worker's "moving_average" is
/// not used).
inline constexpr const char* kSystemMovingAverage = "moving_average_baseline_v1";
inline constexpr const char* kSystemZoneMatchup = "zone_matchup_v1";
inline constexpr const char* kSystemSimilarity = "similarity_balanced_v1";
inline constexpr const char* kSystemXgboost = "xgboost_v1";
inline constexpr const char* kSystemEnsemble = "ensemble_v1";

/// One system's output. `points` is empty when the system could not predict.
struct SystemPrediction {
  std::optional<double> points;  ///< clamped to [0, 60], unrounded
  double confidence = 0;         ///< 0–1
  std::string recommendation;    ///< OVER | UNDER | PASS
  std::string error;             ///< why there is no prediction
  // Adjustment breakdown (NULL when the system has no such term).
  std::optional<double> fatigue, shot_zone, pace, usage_spike, home_away, other;
  // Similarity only.
  std::optional<double> similarity_baseline, avg_similarity, min_similarity;
  int similar_games = 0;
  // Ensemble only.
  std::optional<double> variance, agreement_pct;
  int contributing = 0;
};

/// MA / ZM confidence (§2.2): 0.5, volatility f3 > 6 → −0.15, > 4 → −0.08;
/// games int(f4) ≥ 3 → +0.10, = 2 → +0.05, < 2 → −0.10; clamp [0.2, 0.8].
double tuple_confidence(const Features& f);
/// MA / ZM recommendation (§2.2): PASS without a line, when |pred − line| ≤ 2.0
/// or confidence ≤ 0.45.
std::string tuple_recommendation(double pred, double confidence, std::optional<double> line);

/// Moving Average Baseline (§2.3).
SystemPrediction moving_average(const Features& f, std::optional<double> line);
/// Zone Matchup V1 (§2.4).
SystemPrediction zone_matchup(const Features& f, std::optional<double> line);

/// The game context the Similarity system compares.
enum class OpponentTier { kElite = 1, kAverage = 2, kWeak = 3 };
enum class RestBucket { kBackToBack = 0, kOneDay = 1, kTwoDays = 2, kWellRested = 3 };
enum class Form { kCold, kNormal, kHot };
/// < 110 elite, < 115 average, else weak (by the opponent's defensive rating
/// over its last 15).
OpponentTier opponent_tier(double def_rating_last_15);
/// days_rest 0 back-to-back, 1 one day, 2 two days, else well rested (0 =
/// played yesterday).
RestBucket rest_bucket(int64_t days_rest);
/// diff ≥ 3 hot, ≤ −3 cold, else normal.
Form form_of(double diff);

/// One past game of the player (strictly before D), as it was when played.
struct HistoricalGame {
  double points = 0;  ///< NULL points count as 0.0 (legacy)
  OpponentTier opponent = OpponentTier::kAverage;
  RestBucket rest = RestBucket::kOneDay;
  bool is_home = true;
  Form form = Form::kNormal;
};
/// The current game's context (from f13, the MLFS days_rest column, f15 and f0
/// − f2).
struct SimilarityContext {
  OpponentTier opponent = OpponentTier::kAverage;
  RestBucket rest = RestBucket::kOneDay;
  bool is_home = false;
  Form form = Form::kNormal;
};
/// Similarity score 0–100 of a past game to the current context (§2.5).
double similarity_score(const SimilarityContext& now, const HistoricalGame& g);
/// Similarity Balanced V1 (§2.5). @p history is newest first (≤ 30 games).
SystemPrediction similarity_balanced(const Features& f, std::optional<int64_t> days_rest,
                                     const std::vector<HistoricalGame>& history, std::optional<double> line);

/// XGBoost V1 with a real model: @p points is the model's raw prediction
/// (already evaluated); confidence 70 + quality bonus + volatility bonus
/// (§2.6), recommendation at ±1.5 with conf ≥ 60.
SystemPrediction xgboost_system(double model_points, double feature_quality_score, const Features& f,
                                std::optional<double> line);

/// Extra per-player inputs of the model features that MLFS does not carry (from
/// PDC), in the training semantics of legacy spec §3.3.
struct ModelExtras {
  std::optional<double> minutes_avg_last_10, assisted_rate_last_10 /* 0–1 */, usage_rate_last_10;
  std::optional<int64_t> days_rest;  ///< MLFS days_rest (0 = played yesterday)
  std::optional<bool> is_home;
};
/// Where each of a model's input features comes from, resolved once from the
/// model's feature names (training semantics: shot rates ×100, days_rest 1 =
/// back-to-back, NULL → the training defaults; unknown names are NaN, i.e.
/// missing), so that filling a row does no name lookups.
/// Thread-safety: immutable after construction; fill() may run concurrently.
class ModelInputPlan {
 public:
  /// @param model the model whose feature names are resolved.
  explicit ModelInputPlan(const models::XGBoostModel& model);
  /// Number of values fill() writes: the model's feature names (0 for a model
  /// without names).
  [[nodiscard]] size_t width() const noexcept { return sources_.size(); }
  /// Writes one input row of width() values to @p out.
  /// @param f the player's MLFS features.
  /// @param extras the PDC/MLFS values the features do not carry.
  void fill(const Features& f, const ModelExtras& extras, float* out) const noexcept;

 private:
  enum class Source : uint8_t {
    kFeature,  ///< f[index]
    kFeatureX100,
    kMinutesAvgLast10,
    kIsHome,
    kDaysRest,
    kAssistedRate,
    kUsageRate,
    kMissing
  };
  std::vector<std::pair<Source, uint8_t>> sources_;  ///< per model feature: source and feature index
};

/// Builds the model's input row by feature name (ModelInputPlan of @p model,
/// filled once).
std::vector<float> model_row(const models::XGBoostModel& model, const Features& f, const ModelExtras& extras);

/// Ensemble V1 (§2.7) over the component predictions (invalid ones are
/// skipped).
SystemPrediction ensemble(const std::vector<SystemPrediction>& components, std::optional<double> line);

}  // namespace nbaprops::predictions
