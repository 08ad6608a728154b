#pragma once
/// @file upcoming_team_context.hpp
/// nba_analytics.upcoming_team_game_context (UTGC): pre-game context per team
/// per game of D, two rows per scheduled game (legacy spec phase3 §5). Also the
/// team-level helpers UPGC shares: team-oriented game lines (§10.13), schedule
/// rest and travel (§10.14), injury-report selection.
///
/// Point in time (DECISION 1): every history input is strictly before D. Inputs
/// of D itself that are legitimately pre-game: the schedule (who plays whom,
/// and games after D for forward-looking fields), game-line snapshots taken at
/// or before tip-off, and injury reports dated ≤ D. Scores of D's own games are
/// never read.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nbaprops/processors/processor.hpp"

namespace nbaprops::analytics {

// ---------------------------------------------------------------------------------------------
// Shared helpers (UTGC and UPGC)

/// Sortable key of a timestamp text: "2024-01-15T19:30:00Z" and "2024-01-15
/// 19:30:00+00:00" both map to "2024-01-15 19:30:00" (UTC assumed, fractions
/// dropped). Empty for empty input.
std::string timestamp_key(const std::string& ts);

/// timestamp_key held in place (at most 19 characters, no allocation), for
/// keys made per row. Orders as its text does.
class TimestampKey {
 public:
  TimestampKey() = default;
  explicit TimestampKey(std::string_view ts);
  [[nodiscard]] std::string_view view() const { return {chars_.data(), size_}; }
  [[nodiscard]] bool empty() const { return size_ == 0; }
  friend bool operator==(const TimestampKey& a, const TimestampKey& b) { return a.view() == b.view(); }
  friend auto operator<=>(const TimestampKey& a, const TimestampKey& b) { return a.view() <=> b.view(); }

 private:
  std::array<char, 19> chars_{};
  uint8_t size_ = 0;
};

/// The tricode that a sportsbook team name denotes: the tricode itself, "City
/// Nickname"
/// ("Boston Celtics"), "Los Angeles Clippers"/"LA Clippers", or any name ending
/// in a unique nickname ("Trail Blazers"). @return "" when no team matches.
std::string team_from_name(const std::string& name);

/// Bookmaker preference rank: draftkings 0, fanduel 1, every other book 2 (then
/// alphabetical).
int bookmaker_rank(std::string_view book);
/// @return true when book @p a is preferred over book @p b (rank, then
/// alphabetical).
bool bookmaker_before(std::string_view a, std::string_view b);

/// One team's view of a game's betting lines.
struct TeamGameLines {
  std::optional<double> spread;           ///< team's own spread at the current snapshot
                                          ///< (negative = favoured)
  std::optional<double> opening_spread;   ///< same book and outcome, earliest snapshot
  std::optional<double> total;            ///< 'Over' point of the totals market, current snapshot
  std::optional<double> opening_total;    ///< same book, earliest snapshot
  std::string spread_source;              ///< bookmaker of the spread ("" when none)
  std::string total_source;               ///< bookmaker of the total
  std::optional<std::string> updated_at;  ///< snapshot of the current spread row
                                          ///< (else of the total row)
};

/// One pre-game game-line row of D, parsed once per unit.
struct GameLineRow {
  std::string home,
      away;                   ///< tricodes (abbreviation columns, else mapped full names)
  std::string market;         ///< spreads | totals
  std::string outcome_team;   ///< spreads: the outcome's tricode
  bool over = false;          ///< totals: the 'Over' outcome
  std::string_view book;      ///< the table's text: the rows must not outlive the table
  TimestampKey snap_key;      ///< timestamp_key(snapshot_timestamp)
  std::string_view snapshot;  ///< snapshot_timestamp as stored (the table's text)
  double point = 0;
};
/// The pre-game rows (is_pregame_line) of @p lines for date @p d with a
/// non-NULL outcome_point.
std::vector<GameLineRow> parse_game_lines(const Table& lines, Date d);
/// team_game_lines over rows already parsed with parse_game_lines.
TeamGameLines team_game_lines(const std::vector<GameLineRow>& rows, const std::string& home, const std::string& away,
                              const std::string& team);

/// Team-oriented lines of the game (@p d, @p home, @p away) for @p team from
/// `nba_raw.odds_api_game_lines` rows (legacy UTGC rule, spec §5 and §10.13).
/// Rows are matched by (game_date, home, away) — abbreviations, or full names
/// mapped with team_from_name — never by the Odds-API event id (§10.1). Only
/// snapshots ≤ commence_time count (pre-game). Per market the bookmaker is
/// chosen DraftKings → FanDuel → alphabetical (legacy: DK and FD only); current
/// = that book's latest snapshot, opening = its earliest.
TeamGameLines team_game_lines(const Table& lines, Date d, const std::string& home, const std::string& away,
                              const std::string& team);

/// Rest days between a previous game on @p prev and a game on @p d: (d − prev)
/// − 1 (0 = back-to-back, the UTGC and docs convention; spec §10.9).
inline int rest_days(Date prev, Date d) { return (d - prev) - 1; }

/// Travel of @p team to game @p g: miles from where the team last played (its
/// own arena after a home game, the host's after a road game) to @p g's arena.
/// Includes trips home after a road game (legacy counted away games only,
/// §10.14). @return 0 for the first game of the season.
int team_travel_miles(const Schedule& schedule, const std::string& team, const Game& g);

/// Counted games of every team of one season, oldest first (schedule order:
/// date, then id), from one pass over the schedule — so that per-team lookups
/// in a unit do not rescan it.
class SeasonTeamGames {
 public:
  SeasonTeamGames(const Schedule& schedule, int season);
  /// Every counted game of @p team in the season (past and future); empty for
  /// a team without one.
  [[nodiscard]] std::span<const Game* const> of(const std::string& team) const;
  /// The games of @p team strictly before @p d (what
  /// Schedule::team_games_before returns for this season).
  [[nodiscard]] std::span<const Game* const> before(const std::string& team, Date d) const;

 private:
  std::unordered_map<std::string, std::vector<const Game*>> by_team_;
};

/// The SeasonTeamGames of each season, built once by the first unit that needs
/// it and shared by the units that carry it (thread-safe): a unit does not
/// rescan the whole multi-season schedule.
class SeasonGamesCache {
 public:
  /// The games of @p season of @p schedule.
  const SeasonTeamGames& of(const Schedule& schedule, int season);

 private:
  std::mutex mu_;
  std::map<std::pair<const Schedule*, int>, std::unique_ptr<const SeasonTeamGames>> seasons_;
};

/// team_travel_miles from @p team's season games (SeasonTeamGames::of): the
/// same value without a schedule scan.
int team_travel_miles(std::span<const Game* const> team_games, const std::string& team, const Game& g);

/// Completeness of one window (DECISION 3): the team games expected in it and
/// how many of them have the data checked (UTGC: a final score; UPGC: a
/// gamebook row of the player).
struct CompletenessWindow {
  int64_t expected = 0;
  int64_t actual = 0;
  /// round(100 · actual / expected, 2); 100 when no game is expected —
  /// nothing is missing (the legacy wrote 0 %, which failed or dropped the row).
  [[nodiscard]] double pct() const;
  [[nodiscard]] bool complete() const { return actual >= expected; }
};

/// Latest injury-report status per (game_date, player_lookup).
struct InjuryEntry {
  std::string player_lookup;
  std::string team;
  std::string status;  ///< lowercase: out, questionable, doubtful, probable, available
  std::optional<std::string> reason;
};

/// Selects the injury-report entries for games on @p d: rows with game_date = d
/// and report_date ≤ d, the latest per player by (report_date, report_hour),
/// then (legacy) only those with confidence_score ≥ 0.8 — or no confidence at
/// all (our importers may not score parsing).
std::vector<InjuryEntry> injuries_for_date(const Table& report, Date d);

/// @return true when game-line row @p r is dated @p d and its snapshot is not
/// after commence_time.
bool is_pregame_line(const Table& lines, size_t r, Date d);
/// is_pregame_line with the columns looked up once, for a loop over rows.
class PregameLines {
 public:
  explicit PregameLines(const Table& lines);
  [[nodiscard]] bool operator()(size_t r, Date d) const;

 private:
  const Column& date_;
  const Column& commence_;
  const Column& snapshot_;
};
/// @return true when injury-report row @p r was issued on or before @p d
/// (report_date ≤ d).
bool is_pregame_report(const Column& report_date, size_t r, Date d);

/// Run-level source tracking of one input (spec §9): rows read,
/// MAX(processed_at) and the data_hash of that latest row.
struct SourceStats {
  int64_t rows = 0;
  std::optional<std::string> last_updated;
  std::optional<std::string> hash;
};
/// Source stats of the rows of @p t that @p use accepts (all rows when empty) —
/// callers pass the rows they actually use, so that rows which are not pre-game
/// cannot change the output. Uses the processed_at and data_hash columns when
/// present.
SourceStats source_stats(const Table& t, const std::function<bool(size_t)>& use = {});
/// The source-tracking columns of one input in an output table,
/// `source_<prefix>_{last_updated,rows_found,completeness_pct,hash}`, resolved
/// once (UPGC and UTGC rows carry one such block per input).
struct SourceColumns {
  size_t last_updated, rows_found, completeness_pct, hash;
  /// @throws ConfigError when @p t lacks one of the four columns.
  SourceColumns(const Table& t, const std::string& prefix);
  /// Writes @p s into row @p row: its latest processed_at and data_hash (left
  /// NULL when unknown) and its row count; completeness_pct is the caller's.
  void write(Table& t, size_t row, const SourceStats& s) const;
};

// ---------------------------------------------------------------------------------------------
// UTGC

/// Inputs of one date D.
struct TeamContextInputs {
  const Table& game_lines;  ///< nba_raw.odds_api_game_lines rows of D (may be empty)
  const Table& injuries;    ///< nba_raw.nbac_injury_report rows with report_date
                            ///< in [D − 7, D] (may be empty)
  /// The season indexes carried by the runner (nullptr: built for this date).
  SeasonGamesCache* season_games = nullptr;
};

/// Win/loss streak entering a game and the previous result.
struct TeamForm {
  int win_streak = 0;
  int loss_streak = 0;
  std::optional<std::string> last_result;  ///< "W" / "L"
  std::optional<int> last_margin;          ///< own − opponent points of the previous game
};
/// Form of @p team from the scores of its counted games of @p season strictly
/// before @p d.
TeamForm team_form(const Schedule& schedule, const std::string& team, Date d, int season);
/// Form of @p team from its counted games @p before D (oldest first).
TeamForm team_form(std::span<const Game* const> before, const std::string& team);

/// Pure computation of UTGC rows for date @p d: two rows (home first) per
/// counted game of D.
UnitOutput compute_upcoming_team_context(const Schedule& schedule, Date d, const TeamContextInputs& in);

/// The registered processor (code "utgc").
std::unique_ptr<Processor> make_upcoming_team_context_processor();

}  // namespace nbaprops::analytics
