#pragma once
/// @file composite_factors.hpp
/// nba_precompute.player_composite_factors (PCF): four active adjustment
/// factors per player per game date — fatigue, shot-zone mismatch, pace, usage
/// spike — plus four deferred factors fixed at 0.0, summed into
/// total_composite_adjustment (legacy spec legacy-pcf-pdc.md §A, version
/// `v1_4factors`). Formula helpers, a pure compute function, and the registered
/// Processor.

#include <memory>
#include <optional>
#include <string>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::precompute {

/// `calculation_version` of every PCF row.
inline constexpr const char* kPcfVersion = "v1_4factors";

/// Workload/age context of one player (UPGC columns); nullopt = NULL → the
/// spec's default.
struct FatigueInputs {
  std::optional<int64_t> days_rest;              ///< dflt 1
  std::optional<bool> back_to_back;              ///< dflt false
  std::optional<int64_t> games_last_7;           ///< dflt 3
  std::optional<double> minutes_last_7;          ///< dflt 200.0
  std::optional<double> avg_minutes_last_7;      ///< dflt 30.0
  std::optional<int64_t> back_to_backs_last_14;  ///< dflt 0
  std::optional<int64_t> player_age;             ///< dflt 25
};
/// Fatigue score: start 100; b2b −15 else rest ≥ 3 +5; games7 ≥ 4 −10; min7 >
/// 240 −10; mpg > 35 −8; b2b14 ≥ 2 −12 / == 1 −5; age ≥ 35 −10 / ≥ 30 −5;
/// clamped to [0, 100].
int fatigue_score(const FatigueInputs& in);
/// (score − 100) / 20: 100 → 0.0, 80 → −1.0, 0 → −5.0.
double fatigue_adjustment(int score);

/// The player's shooting mix (PSZA row of D). Rates in percent of FGA.
struct PlayerZones {
  std::optional<std::string> primary_zone;  ///< paint | mid_range | perimeter | balanced | NULL
  std::optional<double> paint_rate, mid_range_rate, three_pt_rate;
};
/// The opponent's zone defence (TDZA row of D); percentage points vs league,
/// positive = weak.
struct OpponentZones {
  std::optional<double> paint_vs_league, mid_range_vs_league, three_pt_vs_league;
  std::optional<std::string> weakest_zone;
};
/// Shot-zone mismatch: 0.0 when either side is missing; else defence ×
/// min(rate/50, 1), ×1.2 when |m| > 5, clamped to [−10, 10]. Zones other than
/// paint/mid_range/perimeter use the paint fields.
double shot_zone_mismatch(const std::optional<PlayerZones>& player, const std::optional<OpponentZones>& opp);
/// clamp(pace_differential / 2, −3, 3); NULL → 0.0.
double pace_score(std::optional<double> pace_differential);
/// 0.3 × (projected − baseline) (both dflt 25), boosted ×1.15 (1 star out) /
/// ×1.30 (≥ 2) when positive, clamped to [−3, 3]; baseline 0 → 0.0.
double usage_spike_score(std::optional<double> projected, std::optional<double> baseline,
                         std::optional<int64_t> stars_out);

/// The 5-check data completeness: pct ∈ {0, 20, …, 100} and the failed check
/// names joined by ", ".
struct DataCompleteness {
  double pct = 0;
  std::optional<std::string> missing_fields;
};
DataCompleteness data_completeness(bool has_days_rest, bool has_projected_usage, bool has_pace_diff, bool has_psza,
                                   bool has_tdza);
/// Warnings on the unrounded values, "; "-joined; nullopt when none.
std::optional<std::string> composite_warnings(double fatigue, double shot_zone, double total);

/// Inputs of one date D (all rows dated D; the tables may hold other dates,
/// they are filtered).
struct CompositeFactorsInputs {
  const Table& upgc;  ///< nba_analytics.upcoming_player_game_context (game_date = D)
  const Table& utgc;  ///< nba_analytics.upcoming_team_game_context (game_date =
                      ///< D; readiness only)
  const Table& psza;  ///< nba_precompute.player_shot_zone_analysis (analysis_date = D)
  const Table& tdza;  ///< nba_precompute.team_defense_zone_analysis (analysis_date = D)
};

/// Pure computation of the PCF rows of date @p d (one per distinct UPGC player
/// of D).
UnitOutput compute_composite_factors(const Schedule& schedule, Date d, const CompositeFactorsInputs& in);

/// The registered processor (code `pcf`).
std::unique_ptr<Processor> make_composite_factors_processor();

}  // namespace nbaprops::precompute
