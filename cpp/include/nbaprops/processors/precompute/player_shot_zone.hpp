#pragma once
/// @file player_shot_zone.hpp
/// nba_precompute.player_shot_zone_analysis (PSZA): per player and analysis
/// date D, where the player shoots (zone shares), how well (FG% by zone), how
/// much (attempts per game) and how shots are created (assisted share) over his
/// last 10 qualifying games strictly before D, plus a 20-game paint trend and a
/// primary scoring zone (legacy spec legacy-tdza-psza.md §B).

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "nbaprops/processors/processor.hpp"
#include "nbaprops/processors/precompute/zone_common.hpp"

namespace nbaprops::precompute {

/// Window sizes: last 10 games (the row needs 10), last 20 for the paint trend
/// (needs ≥ 15).
inline constexpr int kPszaGames = 10;
inline constexpr int kPszaTrendGames = 20;
inline constexpr int kPszaTrendMinGames = 15;

/// One qualifying player game (a player_game_summary row; NULL counts as 0).
struct ShotGame {
  Date date;
  const std::string* game_id = nullptr;  ///< interned game id ("" for NULL)
  int64_t paint_attempts = 0, paint_makes = 0;
  int64_t mid_attempts = 0, mid_makes = 0;
  int64_t three_attempts = 0, three_makes = 0;
  int64_t fg_makes = 0, assisted = 0, unassisted = 0;
  /// Whether the source knew the assisted / unassisted makes (shot charts alone
  /// do not).
  bool assisted_known = true, unassisted_known = true;
};

/// Rounded zone metrics of one window (spec B.3.1).
struct ShotZoneMetrics {
  std::optional<double> paint_rate, mid_rate,
      three_rate;  ///< % of zone attempts, 2 dp; nullopt if none
  std::optional<double> paint_pct, mid_pct,
      three_pct;                                         ///< FG% by zone, 3 dp; nullopt on 0 attempts
  double paint_apg = 0, mid_apg = 0, three_apg = 0;      ///< attempts per game, 1 dp
  std::optional<double> assisted_rate, unassisted_rate;  ///< % of fg_makes, 2 dp
  std::optional<int64_t> total_shots;                    ///< Σ zone attempts when > 0
  int games = 0;
};

/// Metrics of a window of games (all of @p games are used).
ShotZoneMetrics shot_zone_metrics(std::span<const ShotGame> games);

/// Primary scoring zone from the rounded last-10 rates (NULL as 0): all zero →
/// nullopt; paint ≥ 40 → "paint"; three ≥ 40 → "perimeter"; mid ≥ 35 →
/// "mid_range"; else "balanced" (spec B.3.3).
std::optional<std::string> primary_scoring_zone(std::optional<double> paint_rate, std::optional<double> mid_rate,
                                                std::optional<double> three_rate);

/// Legacy tier from games_in_sample_10: ≥ 10 high, 7–9 medium, < 7 low.
std::string psza_quality_tier(int games);

/// Legacy sample quality: n ≥ target excellent; ≥ int(0.7·target) good; ≥
/// int(0.5·target) limited; else insufficient.
std::string sample_quality(int n, int target);

/// Row filter of the legacy extract: is_active and (minutes_played > 0 or
/// fg_attempts > 0).
bool qualifies(std::optional<bool> is_active, std::optional<double> minutes_played, std::optional<int64_t> fg_attempts);

/// Pure computation of PSZA rows for date @p d.
/// @param pgs player_game_summary rows covering at least [season start, D−1];
/// rows dated ≥ D or
///        before the season's first game are ignored (DECISIONS 1, 2).
UnitOutput compute_player_shot_zone(const Schedule& schedule, Date d, const Table& pgs);

/// The registered processor (code "psza").
std::unique_ptr<Processor> make_player_shot_zone_processor();

}  // namespace nbaprops::precompute
