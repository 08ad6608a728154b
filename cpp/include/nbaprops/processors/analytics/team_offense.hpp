#pragma once
/// @file team_offense.hpp
/// nba_analytics.team_offense_game_summary (TOGS): one offensive line per team
/// per game (legacy spec phase3 §1). The pattern every processor follows:
/// formula helpers, a pure compute function over columnar inputs, and a
/// Processor that loads those inputs.

#include <memory>
#include <optional>
#include <string>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::analytics {

/// Possessions with one decimal: round(FGA + 0.44·FTA + TOV − OREB, 1).
double possessions_1dp(double fga, double fta, double tov, double oreb);
/// Offensive (or defensive) rating: round(points / possessions × 100, 2);
/// nullopt if poss ≤ 0.
std::optional<double> rating(double points, double possessions_1dp);
/// Team game minutes "265:00" → game length in minutes per player slot (/5); 48
/// when missing.
double game_minutes(const std::optional<std::string>& team_minutes);
/// Pace: round(P × 48 / game_minutes, 1).
std::optional<double> pace(double possessions_1dp, double game_minutes);
/// True shooting: round(points / (2 × (FGA + 0.44·FTA)), 3); nullopt when the
/// denominator ≤ 0.
std::optional<double> true_shooting(double points, double fga, double fta);
/// Overtime periods from team minutes: 0 if ≤ 240 or missing, else (m − 240)
/// // 25.
int overtime_periods(const std::optional<std::string>& team_minutes);

/// Inputs of one date.
struct TeamOffenseInputs {
  const Table& team_box;    ///< nba_raw.nbac_team_boxscore rows of D
  const Table& gamebook;    ///< nba_raw.nbac_gamebook_player_stats rows of D
                            ///< (fallback + inactive counts)
  const Table& shot_zones;  ///< nba_raw.player_shot_zones rows of D (optional;
                            ///< may be empty)
};

/// Pure computation of TOGS rows for date @p d (games from @p schedule).
UnitOutput compute_team_offense(const Schedule& schedule, Date d, const TeamOffenseInputs& in);

/// The registered processor.
std::unique_ptr<Processor> make_team_offense_processor();

}  // namespace nbaprops::analytics
