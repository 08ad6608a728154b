#pragma once
/// @file feature_store.hpp
/// nba_predictions.ml_feature_store_v2 (MLFS): the 25 ordered features
/// `v1_baseline_25` per player per game date, each from Phase 4 → Phase 3 →
/// default, with source tags, a quality score and tier (legacy spec
/// legacy-mlfs-phase5-6.md §1). Every input is strictly before D or a Phase 4
/// row stamped D (itself computed from games before D).

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::predictions {

inline constexpr const char* kMlfsVersion = "v1_baseline_25";
inline constexpr int kMlfsFeatureCount = 25;

/// The 25 feature names in order (f0 points_avg_last_5 … f24 team_win_pct).
const std::vector<std::string>& mlfs_feature_names();

/// Where a feature value came from (quality weights 100 / 75 / 40 / 100).
enum class FeatureSource { kPhase4, kPhase3, kDefault, kCalculated };
const char* to_string(FeatureSource s) noexcept;

/// f9: clamp(days_rest − opponent_days_rest, −2, 2); 0.0 when either is
/// missing.
double rest_advantage(std::optional<int64_t> days_rest, std::optional<int64_t> opponent_days_rest);
/// f10: available 0, probable 1, questionable 2, doubtful 3, out 3, anything
/// else 0.
double injury_risk(const std::optional<std::string>& player_status);
/// f11: needs ≥ 5 games (newest first); diff = mean(games 1–3) − mean(games
/// 4–5); ≥ 5 → +2, ≥ 2 → +1, ≤ −5 → −2, ≤ −2 → −1, else 0. Positive = scoring
/// more recently.
double recent_trend(const std::vector<std::optional<double>>& points_newest_first);
/// f12: pct = (recent − season) / season; ±0.20 → ±2, ±0.10 → ±1; 0.0 when
/// either is 0.
double minutes_change(double recent, double season);
/// f21: share of points from free throws over ≤ 10 games (needs ≥ 5): Σ
/// ft_makes / Σ points, clamped to [0, 0.5], 9 dp; 0.15 when Σ points = 0 or
/// fewer than 5 games.
double pct_free_throw(const std::vector<std::optional<double>>& ft_makes,
                      const std::vector<std::optional<double>>& points);
/// f24: wins / games over the team's season games before D (needs ≥ 5), 9 dp;
/// else 0.5.
double team_win_pct(int64_t wins, int64_t games);

/// Phase 4 values of one player (PDC row, PCF row, PSZA row, opponent TDZA row
/// of D).
struct Phase4Values {
  std::optional<double> points_avg_last_5, points_avg_last_10, points_avg_season, points_std_last_10,
      games_in_last_7_days, minutes_avg_last_10, team_pace_last_10, team_off_rating_last_10;  // PDC
  std::optional<double> pdc_paint_rate_last_10,
      pdc_three_pt_rate_last_10;  // PDC
  std::optional<double> fatigue_score, shot_zone_mismatch_score, pace_score,
      usage_spike_score;  // PCF
  bool has_psza = false;
  std::optional<double> paint_rate_last_10, mid_range_rate_last_10,
      three_pt_rate_last_10;                                 // PSZA
  std::optional<double> opponent_def_rating, opponent_pace;  // TDZA
};
/// One recent PGS game (newest first).
struct RecentGame {
  std::optional<double> points, minutes, ft_makes;
};
/// Phase 3 values of one player (UPGC context, PGS history before D, TOGS
/// season games before D).
struct Phase3Values {
  std::optional<int64_t> days_rest, opponent_days_rest;
  std::optional<std::string> player_status, season_phase;
  std::optional<bool> home_game, back_to_back;
  std::vector<RecentGame> last_10_games;  ///< PGS D−60 … D−1, ≤ 10, newest first
  std::optional<double> points_avg_season,
      minutes_avg_season;  ///< season to date, NULL with no games
  int64_t team_wins = 0, team_games = 0;
};
/// The 25 values with their source tags.
struct FeatureVector {
  std::array<double, kMlfsFeatureCount> values{};
  std::array<FeatureSource, kMlfsFeatureCount> sources{};
};
/// Builds the 25 features with the P4 → P3 → default chains of spec §1.4.
FeatureVector build_features(const Phase4Values& p4, const Phase3Values& p3);
/// round(Σ weights / 25, 2) with phase4 100, phase3 75, default 40, calculated
/// 100.
double feature_quality_score(const FeatureVector& f);
/// phase4 share ≥ 0.9 → phase4; ≥ 0.5 → phase4_partial; phase3 share ≥ 0.5 →
/// phase3; else mixed.
std::string feature_data_source(const FeatureVector& f);
/// gold ≥ 95, silver ≥ 75, bronze ≥ 50, poor ≥ 25, else unusable: the row's
/// quality_tier (a column the legacy added by ALTER; not in the data_hash).
std::string feature_quality_tier(double score);

/// Inputs of one date D.
struct FeatureStoreInputs {
  const Table& upgc;  ///< upcoming_player_game_context, game_date = D (roster
                      ///< and context)
  const Table& pdc;   ///< player_daily_cache, cache_date = D
  const Table& pcf;   ///< player_composite_factors, game_date = D
  const Table& psza;  ///< player_shot_zone_analysis, analysis_date = D
  const Table& tdza;  ///< team_defense_zone_analysis, analysis_date = D
  const Table& pgs;   ///< player_game_summary, from min(season start, D − 60) to D − 1
  const Table& togs;  ///< team_offense_game_summary, season start … D − 1
};

/// Pure computation of the MLFS rows of date @p d (one per UPGC player of D).
UnitOutput compute_feature_store(const Schedule& schedule, Date d, const FeatureStoreInputs& in);

/// The registered processor (code `mlfs`).
std::unique_ptr<Processor> make_feature_store_processor();

}  // namespace nbaprops::predictions
