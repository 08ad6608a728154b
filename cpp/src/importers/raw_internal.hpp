#pragma once
// Shared helpers of the raw (data-lake) importers: error context, typed JSON
// field access, lake path segments, timestamps, team names, and the per-table
// checks (ranges, made ≤ attempted, duplicates). The range/consistency checks
// are deliberately one small, table-driven helper so the existing importers can
// share it later (see the issue-15 report).
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/importers/validate.hpp"
#include "nbaprops/schedule/schedule.hpp"
#include "nbaprops/warehouse/warehouse.hpp"
#include "json_input.hpp"

namespace nbaprops::importers::raw {

using nlohmann::json;

/// Where a value came from: file, record and date (for every error message).
struct Where {
  std::string file;
  std::string record;  ///< e.g. "active_players[3] 'GG Jackson'"
  std::string date;    ///< ISO date or ""
};

/// Throws DataError "<file>: record <record>, field <field> = <value> (date
/// <date>): <problem>".
[[noreturn]] void fail(const Where& w, const std::string& field, const std::string& value, const std::string& problem);

/// Parses JSON; a truncated or malformed file names the file and the byte
/// offset.
json parse_json(const std::string& text, const std::string& file);

/// The member @p key of @p obj; missing (or null) → DataError "missing field".
const json& need(const json& obj, const char* key, const Where& w);
/// Nullable typed members: absent or null → nullopt; a value of the wrong type
/// → DataError. Numbers given as numeric strings ("12", "0.5") are accepted
/// (NBA.com and the PDF parsers emit both).
std::optional<int64_t> opt_int(const json& obj, const char* key, const Where& w);
std::optional<double> opt_real(const json& obj, const char* key, const Where& w);
/// As opt_real, for sources that always write JSON numbers (The Odds API): a
/// number given as text ("24.5") is a DataError, not a number.
std::optional<double> opt_json_number(const json& obj, const char* key, const Where& w);
std::optional<std::string> opt_text(const json& obj, const char* key, const Where& w);
/// Required text (missing, null or empty → DataError).
std::string need_text(const json& obj, const char* key, const Where& w);

/// The canonical player_lookup of player name @p name, which came from field
/// @p field of @p w as @p given (the file's text; @p name itself when empty).
/// @throws DataError when the name has no letters or digits, or no letters: a
/// number (12345, "#23"; a misread column) is not a player's name (the legacy
/// stored it as the name and lookup).
std::string checked_player_lookup(const std::string& name, const Where& w, const std::string& field,
                                  const std::string& given = "");
/// As above, for the importers that report through a RowRef (the balldontlie
/// box-score import): the same rule, "<source> <row> field <field> value
/// '<name>' (date D): <problem>".
std::string checked_player_lookup(const std::string& name, const RowRef& at, const std::string& field);

/// Team tricode of a full team name ("Philadelphia 76ers", "LA Clippers", "Los
/// Angeles Lakers"), case- and punctuation-insensitive (legacy: lowercase, "la
/// " → "los angeles ", strip non-alphanumerics, 30-entry table); also accepts a
/// tricode itself. @return "" when unknown.
std::string team_code(const std::string& name_or_code);

/// `YYYYMMDD_AWAY_HOME`.
std::string standard_game_id(Date d, const std::string& away, const std::string& home);

/// A UTC instant.
struct Instant {
  int64_t epoch = 0;  ///< seconds since 1970-01-01T00:00:00Z
  /// ISO-8601 UTC text "YYYY-MM-DDTHH:MM:SSZ".
  [[nodiscard]] std::string iso() const;
};
/// Parses ISO-8601 ("2024-01-25T03:55:40Z", "+00:00" offsets, fractional
/// seconds ignored) or the lake's file-name stamp "YYYYMMDD_HHMMSS". @return
/// nullopt when unparseable.
std::optional<Instant> parse_instant(const std::string& text);
/// The US Eastern calendar date of an instant (EST/EDT with the US rules since
/// 2007).
Date eastern_date(Instant t);

/// Segments of a lake path.
struct LakePath {
  std::optional<Date> date;  ///< the first YYYY-MM-DD or YYYYMMDD folder segment
  std::string group;         ///< the folder between the date and the file (game / event
                             ///< / hour), or ""
  std::string file;          ///< file name
  std::string stamp;         ///< the file name's leading YYYYMMDD_HHMMSS, or ""
};
LakePath parse_lake_path(const std::string& path);

/// A lake file opened for parsing: its JSON, the segments of its path, and
/// where its file-level errors point (the path's date, if it has one).
struct LakeFile {
  json root;
  LakePath lp;
  Where w;
};
/// @throws DataError naming @p path when @p text is not JSON.
LakeFile open_lake_file(const std::string& text, const std::string& path);

/// Range and consistency checks of one table, applied to every row after
/// parsing.
struct Range {
  const char* column;
  double min;
  double max;
};
struct Checks {
  std::vector<Range> ranges;
  std::vector<std::pair<const char*, const char*>> made_attempted;  ///< made ≤ attempted
};
/// Runs @p checks over every row; @p where[r] describes row r. @throws
/// DataError on the first violation.
void run_checks(const Table& t, const std::vector<Where>& where, const Checks& checks);

/// Rows parsed from one file plus a description of each row's origin.
struct Parsed {
  explicit Parsed(const TableSchema& schema) : rows(schema) {}
  Table rows;
  std::vector<Where> where;
  bool exhibition = false;  ///< the file's game is preseason / All-Star: deliberately no rows
  /// Appends an all-null row with its origin. @return the row index.
  size_t add(Where w) {
    where.push_back(std::move(w));
    return rows.add_row();
  }
};

/// The schedule's game of @p date between @p away and @p home (any type), or
/// nullptr.
const Game* find_game(const Schedule& s, Date date, const std::string& away, const std::string& home);
/// The schedule's game with NBA.com id @p nba_game_id (leading zeros optional),
/// or nullptr.
const Game* find_game_by_id(const Schedule& s, const std::string& nba_game_id, std::optional<Date> date);
/// True for preseason and All-Star games (legacy: no rows for those dates).
bool is_exhibition(const Game* g);
/// True when a game with a non-NBA team code is an exhibition: an All-Star /
/// international club code (importers::is_exhibition_tricode), or a date whose
/// scheduled games are all preseason / All-Star.
bool is_exhibition_game(const Schedule& s, Date date, const std::string& away, const std::string& home);

// One parser per kind (raw_nbacom.cpp, raw_odds.cpp, raw_bdl.cpp).
Parsed parse_gamebook(const std::string& text, const std::string& path, const Schedule& s);
Parsed parse_team_boxscore(const std::string& text, const std::string& path, const Schedule& s);
Parsed parse_injury_report(const std::string& text, const std::string& path, const Schedule& s);
Parsed parse_player_props(const std::string& text, const std::string& path, const Schedule& s);
Parsed parse_game_lines(const std::string& text, const std::string& path, const Schedule& s);
Parsed parse_bdl_boxscores(const std::string& text, const std::string& path, const Schedule& s);
Parsed parse_bdl_stats(const std::string& text, const std::string& path, const Schedule& s);

/// Gamebook inactive players carry only a last name ("Bane", "Jackson Jr.").
/// Resolves each to a full name from what the warehouse already holds for the
/// player's team: the injury report of the game first (the legacy's first
/// source), then the team's balldontlie and gamebook lines of the 90 days
/// before. One candidate → resolved; several → multiple_matches (review); none
/// → left not_found. Reads the warehouse only; @p rows are
/// nbac_gamebook_player_stats rows.
void resolve_inactive_names(Table& rows, Warehouse& wh);

/// Deterministic load stamp for created_at / processed_at (reruns give
/// identical rows, as the other importers do).
inline constexpr const char* kLoadStamp = "1970-01-01T00:00:00Z";

}  // namespace nbaprops::importers::raw
