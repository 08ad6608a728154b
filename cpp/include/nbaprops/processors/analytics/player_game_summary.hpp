#pragma once
/// @file player_game_summary.hpp
/// nba_analytics.player_game_summary (PGS): one row per active player per game
/// of the date (legacy spec phase3 §3): box score, efficiency, shot zones, and
/// the points prop outcome.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::analytics {

/// Legacy minutes parsing: "MM:SS" → round(MM + SS/60, 2) (SS must be 0–59,
/// else nullopt); a plain number → that number; "", "-", "null" or anything
/// else → nullopt.
std::optional<double> pgs_minutes_decimal(const std::optional<std::string>& text);
/// minutes_played as written by the legacy: round-half-even to a whole number;
/// 0 → nullopt.
std::optional<double> pgs_minutes_played(std::optional<double> minutes_decimal);
/// Usage rate: round(100 × (FGA + 0.44·FTA + TOV) × 48 / (MIN × (TmFGA +
/// 0.44·TmFTA + TmTOV)), 1); nullopt when minutes ≤ 0 or the team denominator ≤
/// 0.
std::optional<double> usage_rate(double fga, double fta, double tov, double minutes, double team_fga, double team_fta,
                                 double team_tov);
/// Effective FG%: round((FGM + 0.5·3PM) / FGA, 3); nullopt when FGA ≤ 0.
std::optional<double> effective_fg(double fgm, double tpm, double fga);
/// "OVER" when points > line, "UNDER" when points < line, "PUSH" when equal.
std::string over_under(double points, double line);

/// The chosen points line of one player-game (spec §10.3 engine rule).
struct PointsLine {
  double closing = 0;  ///< latest snapshot ≤ tip-off of the chosen book
  std::string source;  ///< chosen bookmaker
  double opening = 0;  ///< earliest eligible snapshot of the same book
  std::string opening_source;
};

/// Inputs of one date.
struct PlayerGameInputs {
  const Table& gamebook;    ///< nba_raw.nbac_gamebook_player_stats rows of D
  const Table& team_box;    ///< nba_raw.nbac_team_boxscore rows of D (optional;
                            ///< may be empty)
  const Table& shot_zones;  ///< nba_raw.player_shot_zones rows of D (optional;
                            ///< may be empty)
  const Table& props;       ///< nba_raw.odds_api_player_points_props rows of D
                            ///< (optional; may be empty)
};

/// Picks the points line per (player_lookup, home, away) from Odds-API rows:
/// snapshots after tip-off are ignored; book DraftKings → FanDuel →
/// alphabetical; closing = latest snapshot, opening = earliest. Key:
/// "player_lookup|AWAY|HOME".
std::map<std::string, PointsLine> select_points_lines(const Table& props);

/// Pure computation of PGS rows for date @p d (games from @p schedule).
UnitOutput compute_player_game_summary(const Schedule& schedule, Date d, const PlayerGameInputs& in);

/// The registered processor.
std::unique_ptr<Processor> make_player_game_summary_processor();

}  // namespace nbaprops::analytics
