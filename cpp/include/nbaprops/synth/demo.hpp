#pragma once
/// @file demo.hpp
/// The demo league: a deterministic, realistic NBA league (schedule, box
/// scores, shot zones, prop lines, game lines, injury reports) generated
/// natively into a warehouse's raw tables, so the whole pipeline can run
/// without any external data. Same seed → identical rows; nothing reads the
/// clock.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::synth {

/// What to generate.
struct DemoOptions {
  std::vector<int> seasons{2023};  ///< season start years, each in 2000–2030
  uint64_t seed = 7;               ///< every value of the league follows from it
  /// A small league: only the games between these tricodes (preseason to
  /// finals) are kept, with their box scores, props, lines and injury reports.
  /// A kept game's schedule row and box score are the full league's (per-game
  /// streams are seeded by game id); prop lines follow the players' kept games.
  /// Empty (the default): all 30 teams, unchanged.
  std::vector<std::string> teams;
};

/// What was written.
struct DemoSummary {
  std::vector<int> seasons;             ///< seasons generated, ascending
  int64_t games = 0;                    ///< schedule rows of every type (preseason … finals)
  std::map<std::string, int64_t> rows;  ///< rows written per qualified table name
};

/// The schedule of one demo season: preseason, 1,230 regular-season games (NBA
/// Cup nights flagged, one postponed game replayed later under its own id), the
/// All-Star break and its two events, play-in and best-of-seven playoffs
/// decided by simulation. Final games carry their scores. Pure: the same
/// (season, seed) gives the same schedule. Thread-safe.
/// @throws ConfigError when @p season is outside 2000–2030.
Schedule generate_schedule(int season, uint64_t seed);

/// Generates the seasons of @p opt and replaces, per season, every partition of
/// the season window (Aug 1 .. Jul 31) of the raw tables nba_raw.nbac_schedule,
/// nbac_gamebook_player_stats, nbac_team_boxscore, player_shot_zones,
/// team_shot_zones_allowed, odds_api_player_points_props, odds_api_game_lines
/// and nbac_injury_report (one atomic write per table and season).
/// @throws ConfigError (bad season or empty list), StorageError, DataError from
/// the warehouse.
DemoSummary generate_demo(Warehouse& wh, const DemoOptions& opt);

}  // namespace nbaprops::synth
