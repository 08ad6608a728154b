#pragma once
/// @file schedule.hpp
/// The league schedule: games, game dates, season starts, the bootstrap rule
/// and off days. Built from `nba_raw.nbac_schedule` rows (or an
/// importer/generator); immutable once built, so safe to share across threads.

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/core/table.hpp"

namespace nbaprops {

/// Game type, classified as the legacy schedule reader does (spec §5).
enum class GameType { kPreseason, kRegularSeason, kAllStar, kPlayIn, kPlayoff };
/// Game status: NBA.com gameStatus 1 scheduled, 2 live, 3 final; postponed from
/// the status text.
enum class GameStatus { kScheduled, kLive, kFinal, kPostponed };

const char* to_string(GameType t) noexcept;
const char* to_string(GameStatus s) noexcept;
/// @throws ConfigError on an unknown name.
GameType parse_game_type(const std::string& s);

/// One game.
struct Game {
  std::string nba_game_id;  ///< NBA.com id, e.g. "0022400561"
  Date date;                ///< local (ET) game date
  int season = 0;           ///< season start year
  std::string home;         ///< home tricode
  std::string away;         ///< away tricode
  GameType type = GameType::kRegularSeason;
  GameStatus status = GameStatus::kScheduled;
  std::optional<int> home_score;
  std::optional<int> away_score;
  bool is_cup = false;  ///< NBA Cup (in-season tournament) game, counted as regular season
  std::string label;    ///< NBA.com gameLabel (e.g. "Emirates NBA Cup", "First Round")

  /// The canonical engine key `YYYYMMDD_AWAY_HOME`.
  [[nodiscard]] std::string date_id() const;
  /// @return true for regular season (Cup included), play-in and playoffs that
  /// were not postponed.
  [[nodiscard]] bool counts() const noexcept;
  /// @return the opponent of @p team, or "" when @p team did not play.
  [[nodiscard]] const std::string& opponent_of(const std::string& team) const;
};

/// The 30 NBA tricodes.
const std::vector<std::string>& nba_tricodes();
/// @return true for one of the 30 tricodes.
bool is_nba_tricode(const std::string& code);

/// Legacy fallback season starts (spec §6): 2021→2021-10-19, 2022→2022-10-18,
/// 2023→2023-10-24, 2024→2024-10-22. @return nullopt for other seasons.
std::optional<Date> legacy_season_start(int season);

/// Number of days counted as bootstrap after a season's first regular-season
/// game (days 0–13).
inline constexpr int kBootstrapDays = 14;

/// The schedule.
class Schedule {
 public:
  Schedule() = default;
  /// @param games any order; sorted by date then id internally.
  explicit Schedule(std::vector<Game> games);

  /// Builds from `nba_raw.nbac_schedule` rows. @throws DataError naming the row
  /// and field.
  static Schedule from_table(const Table& rows);
  /// The columns of `nba_raw.nbac_schedule` from_table() reads (a projection
  /// for loading the schedule).
  static const std::vector<std::string>& table_columns();
  /// @return rows of `nba_raw.nbac_schedule` (every column the engine knows
  /// filled).
  [[nodiscard]] Table to_table() const;

  [[nodiscard]] const std::vector<Game>& games() const noexcept { return games_; }
  [[nodiscard]] bool empty() const noexcept { return games_.empty(); }
  /// @return seasons present, ascending.
  [[nodiscard]] std::vector<int> seasons() const;

  /// Sorted game dates in @p range with at least one counted game (regular
  /// season incl. Cup, play-in, playoffs; never preseason, All-Star or
  /// postponed).
  [[nodiscard]] std::vector<Date> game_dates(DateRange range) const;
  /// Counted games on @p d.
  [[nodiscard]] std::vector<const Game*> games_on(Date d) const;
  /// Every game on @p d, of any type.
  [[nodiscard]] std::vector<const Game*> all_games_on(Date d) const;
  /// Counted games of @p team strictly before @p d in season @p season, oldest
  /// first.
  [[nodiscard]] std::vector<const Game*> team_games_before(const std::string& team, Date d, int season) const;
  /// Calendar days of @p range without a counted game.
  [[nodiscard]] std::vector<Date> off_days(DateRange range) const;

  /// First regular-season game date of @p season from the data; the legacy
  /// fallback table when the schedule lacks that season (DECISION 2).
  [[nodiscard]] std::optional<Date> season_start(int season) const;
  /// Days 0–13 after the first regular-season game of the date's season.
  [[nodiscard]] bool is_bootstrap(Date d) const;
  /// Last counted game date of @p season.
  [[nodiscard]] std::optional<Date> season_end(int season) const;

 private:
  std::vector<Game> games_;
  std::map<Date, std::vector<size_t>> by_date_;
  std::map<int, Date> season_start_;
  std::map<int, Date> season_end_;
};

}  // namespace nbaprops
