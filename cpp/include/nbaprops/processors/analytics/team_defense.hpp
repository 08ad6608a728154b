#pragma once
/// @file team_defense.hpp
/// nba_analytics.team_defense_game_summary (TDGS): one defensive line per team
/// per game (legacy spec phase3 §2): the opponent's offense seen from the
/// defender, defensive actions and zones allowed.

#include <memory>
#include <optional>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::analytics {

/// Defensive rating: round(opp points / (FGA + 0.44·FTA − OREB + TOV) × 100, 2)
/// with the unrounded opponent possessions (unlike TOGS, which rounds
/// possessions first); nullopt if possessions ≤ 0.
std::optional<double> defensive_rating(double opp_points, double opp_fga, double opp_fta, double opp_tov,
                                       double opp_oreb);

/// Inputs of one date.
struct TeamDefenseInputs {
  const Table& team_box;       ///< nba_raw.nbac_team_boxscore rows of D (optional;
                               ///< may be empty)
  const Table& gamebook;       ///< nba_raw.nbac_gamebook_player_stats rows of D
  const Table& shot_zones;     ///< nba_raw.player_shot_zones rows of D (optional;
                               ///< may be empty)
  const Table& zones_allowed;  ///< nba_raw.team_shot_zones_allowed rows of D
                               ///< (optional; may be empty)
};

/// Pure computation of TDGS rows for date @p d (games from @p schedule).
UnitOutput compute_team_defense(const Schedule& schedule, Date d, const TeamDefenseInputs& in);

/// The registered processor.
std::unique_ptr<Processor> make_team_defense_processor();

}  // namespace nbaprops::analytics
