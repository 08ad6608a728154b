#pragma once
/// @file daily_cache.hpp
/// nba_precompute.player_daily_cache (PDC): a once-per-day snapshot, per player
/// scheduled on D, of recent scoring, L10 minutes/usage/TS%, season usage, team
/// pace and offensive rating, workload fields copied from UPGC, shot-zone
/// fields copied from PSZA and multi-window completeness (legacy spec
/// legacy-pcf-pdc.md §B, cache_version `v1`). History is strictly before D.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nbaprops/processors/processor.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::precompute {

/// One kept PGS game of a player (newest first in the vectors below).
struct PlayerGame {
  std::optional<double> points, minutes, usage_rate, ts_pct, fg_makes, assisted_fg_makes;
};
/// The performance block of a PDC row (values already rounded as stored).
struct CacheMetrics {
  std::optional<double> points_avg_last_5, points_avg_last_10, points_avg_season, points_std_last_10;
  std::optional<double> minutes_avg_last_10, usage_rate_last_10, ts_pct_last_10, player_usage_rate_season;
  std::optional<double> assisted_rate_last_10;
  int64_t games_played_season = 0;
};
/// Metrics over a player's kept games (newest first, ≤ 82): r4 means over
/// L5/L10/all, sample std (ddof 1) of L10 points (NULL with < 2), Σ assisted /
/// Σ makes over L10 rounded to 9 dp.
CacheMetrics cache_metrics(const std::vector<PlayerGame>& games_newest_first);
/// r4 mean of the team's ≤ 10 most recent pace / offensive rating values;
/// nullopt when none.
std::optional<double> team_mean_r4(const std::vector<std::optional<double>>& values);

/// One completeness window result.
struct WindowCompleteness {
  int64_t expected = 0, actual = 0, missing = 0;
  double pct = 0;
  bool ready = false;  ///< pct ≥ 70
};
/// pct = round(actual / expected × 100, 1) (0 when expected is 0), missing =
/// max(0, e − a).
WindowCompleteness window_completeness(int64_t expected, int64_t actual);
using proc::kProductionReadyPct;

/// Inputs of one date D.
struct DailyCacheInputs {
  const Table& pgs;   ///< nba_analytics.player_game_summary, season start … D − 1
  const Table& togs;  ///< nba_analytics.team_offense_game_summary, ≥ the team's
                      ///< last 10 games before D
  const Table& upgc;  ///< nba_analytics.upcoming_player_game_context, game_date = D
  const Table& psza;  ///< nba_precompute.player_shot_zone_analysis,
                      ///< analysis_date = D (optional)
};

/// Pure computation of the PDC rows of date @p d (players with ≥ 5 season games
/// before D).
UnitOutput compute_daily_cache(const Schedule& schedule, Date d, const DailyCacheInputs& in);

/// The registered processor (code `pdc`).
std::unique_ptr<Processor> make_daily_cache_processor();

}  // namespace nbaprops::precompute
