#pragma once
/// @file team_defense_zone.hpp
/// nba_precompute.team_defense_zone_analysis (TDZA): per team and analysis date
/// D, how opponents shot against the team over its last 15 games strictly
/// before D, by zone, against a 31-day league average (legacy spec
/// legacy-tdza-psza.md §A). Pattern of TOGS: formula helpers, a pure compute
/// function over columnar inputs, and a Processor that loads those inputs.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nbaprops/processors/processor.hpp"
#include "nbaprops/processors/precompute/zone_common.hpp"

namespace nbaprops::precompute {

/// Games a team needs before D to get a row (the legacy window and its
/// minimum).
inline constexpr int kTdzaGames = 15;
/// Calendar days of the league-average window (D−31 … D−1).
inline constexpr int kTdzaLeagueDays = 31;
/// Minimum games per team, and teams, for a computed league average.
inline constexpr int kTdzaLeagueMinGames = 10;
inline constexpr int kTdzaLeagueMinTeams = 10;

/// League FG% by zone (0–1). The defaults are the legacy fallbacks
/// (teams_in_sample 0).
struct LeagueAverages {
  double paint = 0.580;
  double mid_range = 0.410;
  double three_pt = 0.355;
  int teams_in_sample = 0;
};

/// One team-game of opponent shooting (a team_defense_game_summary row; NULL
/// counts as 0, NULL rating/pace as absent).
struct DefenseGame {
  Date date;
  int64_t paint_makes = 0, paint_attempts = 0;
  int64_t mid_makes = 0, mid_attempts = 0;
  int64_t three_makes = 0, three_attempts = 0;
  int64_t paint_points = 0;
  int64_t blocks_paint = 0, blocks_mid = 0, blocks_three = 0;
  int64_t points_allowed = 0;
  /// Whether the source knew these (shot charts alone give no points allowed or
  /// blocks).
  bool paint_points_known = true, blocks_known = true, points_known = true;
  std::optional<double> defensive_rating;
  std::optional<double> opponent_pace;
};

/// Unrounded TDZA metrics of one team's window (spec A.3.1, A.3.3–A.3.6).
struct ZoneDefenseMetrics {
  std::optional<double> paint_pct, mid_pct,
      three_pct;  ///< pooled Σmakes/Σattempts; nullopt on 0 attempts
  double paint_att_pg = 0, mid_att_pg = 0, three_att_pg = 0;
  /// Per-game means; NULL when no game of the window knew the input (DECISION
  /// 6).
  std::optional<double> paint_pts_pg;
  std::optional<double> paint_blk_pg, mid_blk_pg, three_blk_pg;
  std::optional<double> opp_pts_pg;
  std::optional<double> defensive_rating;  ///< unweighted mean, NULLs skipped
  std::optional<double> opponent_pace;     ///< unweighted mean, NULLs skipped
  std::optional<double> paint_vs_league, mid_vs_league,
      three_vs_league;  ///< percentage points
  int games = 0;
  std::optional<std::string> strongest_zone, weakest_zone;
  std::optional<std::string> calculation_notes;
};

/// League averages from per-team zone totals over the league window (spec
/// A.3.2): teams with ≥ 10 games and all three zone percentages defined;
/// unweighted mean of team percentages; fewer than 10 such teams → the legacy
/// defaults with teams_in_sample 0.
/// @param team_games games of each team inside the window.
LeagueAverages league_averages(const std::vector<std::vector<DefenseGame>>& team_games);

/// Strongest (minimum) and weakest (maximum) zone among paint → mid_range →
/// perimeter, NULLs skipped, ties to the earliest key (spec A.3.4). Both
/// nullopt when every value is NULL.
std::pair<std::optional<std::string>, std::optional<std::string>> strongest_weakest_zone(
    std::optional<double> paint, std::optional<double> mid_range, std::optional<double> three_pt);

/// Legacy tier: ≥ 15 games high, 10–14 medium, < 10 low.
std::string tdza_quality_tier(int games);

/// Metrics of one team's games (all of @p games are used; N = games.size()).
ZoneDefenseMetrics zone_defense_metrics(const std::vector<DefenseGame>& games, const LeagueAverages& league);

/// Pure computation of TDZA rows for date @p d.
/// @param tdgs team_defense_game_summary rows covering at least [season start,
/// D−1] and the league
///        window [D−31, D−1]; rows dated ≥ D are ignored (DECISION 1).
UnitOutput compute_team_defense_zone(const Schedule& schedule, Date d, const Table& tdgs);

/// The registered processor (code "tdza").
std::unique_ptr<Processor> make_team_defense_zone_processor();

}  // namespace nbaprops::precompute
