#pragma once
/// @file importers.hpp
/// Importers of real data formats into warehouse tables: the NBA.com schedule
/// API JSON, NBA.com shot-chart CSVs and balldontlie box-score JSON. Files may
/// be plain or gzip-compressed. Every malformed input raises a DataError naming
/// the file, the row (line or game index), the field, the value and, where
/// known, the date; numbers are range-checked (validate.hpp) and keys are
/// unique per table. Pure functions (no clock, no globals): identical input
/// gives identical rows. Thread-safe.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "nbaprops/core/table.hpp"
#include "nbaprops/importers/import_writer.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::importers {

/// Reads a whole file, transparently gunzipping `.gz` (or any gzip-compressed)
/// content.
/// @throws StorageError when the file cannot be opened, DataError when it is
/// corrupt.
std::string read_text_file(const std::string& path);

/// Team tricode from an NBA.com full team name ("Boston Celtics" → "BOS"; "LA
/// Clippers" and "Los Angeles Clippers" → "LAC"). @return "" for an unknown
/// name.
std::string tricode_from_team_name(const std::string& full_name);

/// Team-level codes of exhibition opponents and All-Star teams the legacy
/// reader drops (spec §5).
bool is_exhibition_tricode(const std::string& code);

/// Result of parsing an NBA.com schedule response.
struct ScheduleImport {
  std::vector<Game> games;            ///< kept games, in file order
  int64_t dropped_exhibition = 0;     ///< games with an exhibition team code
  int64_t dropped_invalid = 0;        ///< no gameCode '/', a missing tricode, or a non-NBA tricode
  std::vector<std::string> warnings;  ///< data-quality notes (no games, dropped games)
};

/// Parses the NBA.com schedule API JSON, in either layout: old
/// `leagueSchedule.gameDates[].games[]` (date from the gameDates entry:
/// `gameDate|date|gameDateEst`) or new flat `games[]` (date from
/// `gameDate|gameDateEst`). Dates may be `MM/DD/YYYY HH:MM:SS`, `MM/DD/YYYY`,
/// ISO `…T…Z` or `YYYY-MM-DD`. Classification in the order of spec §5: All-Star
/// labels/weekName → kAllStar; "Play-In" → kPlayIn; playoff round names →
/// kPlayoff; weekNumber 0 → kPreseason; else regular season (Cup games too;
/// Game::is_cup from gameLabel/gameSubtype mentioning "Cup" or "In-Season").
/// Status: gameStatus 3 final, 2 live, else scheduled; "PPD"/"Postponed" in
/// gameStatusText (or postponedStatus "Y") → kPostponed. Scores kept for live
/// and final games. Checks: gameStatus 1–3, weekNumber 0–60, scores 0–250
/// (limits::kTeamScore) when present; gameId and (date, teams) unique among the
/// kept games.
/// @param source_name the file name used in error messages.
/// @throws DataError on malformed JSON, an unreadable date or a failed check
/// (names source, game index, field, value and date).
ScheduleImport parse_nbacom_schedule(const std::string& json_text, const std::string& source_name);

/// Reads and parses a schedule file (plain or .gz); logs the dropped counts.
Schedule load_nbacom_schedule(const std::string& path);

/// Result of importing an NBA.com shot-chart CSV.
struct ShotChartImport {
  Table player_zones;        ///< nba_raw.player_shot_zones (data_source
                             ///< 'nbacom_shotchart')
  Table team_zones_allowed;  ///< nba_raw.team_shot_zones_allowed
  /// nba_raw.nbac_gamebook_player_stats: one 'active' row per shooter per game
  /// with FGM, FGA, 3PM and 3PA; everything the shots do not give is NULL;
  /// data_quality_flags ["from_shot_chart"].
  Table gamebook;
  /// Final regular-season games (nba_game_id zero-padded to 10 chars), scores
  /// unknown; by date.
  std::vector<Game> games;
  int64_t shots = 0;   ///< shot rows read
  std::string source;  ///< the file name (messages)
  /// Data-quality notes: a header-only file, a GAME_ID shared by several games
  /// (each kept apart by date and teams), a game seen under several GAME_IDs.
  std::vector<std::string> warnings;
};

/// Imports an NBA.com shot-chart CSV (columns in the data README). Zones: paint
/// = Restricted Area
/// + In The Paint (Non-RA); mid-range = Mid-Range; three = every SHOT_TYPE "3PT
/// Field Goal" (the authority for threes). Shooter's team = TEAM_NAME's
/// tricode; defender = the other of HOME_TEAM/AWAY_TEAM. Games are keyed by
/// date and teams (game_id `YYYYMMDD_AWAY_HOME`, as the legacy does); GAME_ID
/// is kept as nba_game_id, and an id reused by several games is a warning, not
/// an error. One row per (game, player_lookup): a second PLAYER_ID for a
/// player-game, or a second name for a PLAYER_ID, is an error; PLAYER_ID must
/// be a positive integer and a player at most 100 attempts a game. Rows ordered
/// by date, game_id, team, player_lookup.
/// @throws DataError naming file, line, field, value and date on a malformed
/// row.
ShotChartImport import_shot_chart(const std::string& path);
/// Same, from CSV text already in memory (for tests). @param source_name used
/// in errors.
ShotChartImport parse_shot_chart(const std::string& csv_text, const std::string& source_name);

/// Imports balldontlie box scores (`{"data": [game, …]}`, each game with
/// `home_team.players[]` and `visitor_team.players[]`) into
/// nba_raw.bdl_player_boxscores rows, game_id `YYYYMMDD_AWAY_HOME`, data_hash
/// over the DDL's hash fields. Ordered by date, game_id, team, player_lookup.
/// Checks (validate.hpp): minutes "MM", "MM:SS" or "MM.D" within 0–70; points
/// 0–120; other counts 0–100 (fouls 0–10); percentages 0–1; scores 0–250; every
/// number finite and whole where a count; makes ≤ attempts (FG, 3P, FT; 3PM ≤
/// FGM, 3PA ≤ FGA); one line per (game_id, player_lookup).
/// @throws DataError naming file, game, player, field, value and date.
Table import_bdl_box_scores(const std::string& path);
/// Same, from JSON text already in memory. @param source_name used in errors
/// and source_file_path.
Table parse_bdl_box_scores(const std::string& json_text, const std::string& source_name);

/// Writes a shot-chart import in one transaction (import_writer.hpp): player
/// zones, team zones allowed and the field-goal-only gamebook lines replace the
/// stored rows of the games the file contains (by game_id), nothing else. Games
/// of the file missing from nba_raw.nbac_schedule are added; games already
/// there are left as they are (the schedule is the authority on games). Stored
/// gamebook lines with points or minutes, and stored zones with
/// assisted/and-one/block counts, are guarded: @p opt decides (default: refuse,
/// nothing written).
ImportReport write_shot_chart(Warehouse& wh, const ShotChartImport& imp, const ImportOptions& opt = {});
/// Writes a parsed NBA.com schedule, replacing the stored games it contains (by
/// date and teams, game_code) and no others; stored final scores are guarded.
/// @param source for messages.
ImportReport write_schedule(Warehouse& wh, const ScheduleImport& imp, std::string_view source,
                            const ImportOptions& opt = {});
/// Writes a Schedule's games (Schedule::to_table), as write_schedule above.
ImportReport write_schedule(Warehouse& wh, const Schedule& s, const ImportOptions& opt = {});
/// Imports the newest NBA.com schedule JSON (`.json` or `.json.gz`; newest by
/// the store's update time, then by path) under @p uri (`gs://bucket/prefix` or
/// a directory) into nba_raw.nbac_schedule, as write_schedule. @param source
/// set to the URI of the file imported (when not null).
/// @return rows written per table.
/// @throws StorageError when no schedule file is there, DataError on malformed
/// JSON.
std::map<std::string, int64_t> import_newest_schedule(Warehouse& wh, const std::string& uri, std::string* source);
/// Writes bdl_player_boxscores rows, replacing the stored lines of the games
/// they contain (by game_id); stored points and minutes are guarded. @throws
/// ConfigError for rows of another table.
/// @param source file name for messages (default: the rows' source_file_path).
ImportReport write_bdl(Warehouse& wh, const Table& rows, const ImportOptions& opt = {}, std::string_view source = "");

}  // namespace nbaprops::importers
