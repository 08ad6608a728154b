#pragma once
// The carried state of UPGC (internal header): one season of the player
// gamebook and of the points props, each ingested once, date by date, into
// per-player, date-ordered histories. A date D is answered by slicing them
// (D − 30 … D − 1 for the gamebook, D − 30 … D for the props), never by
// rescanning the window, so minutes and timestamp keys are parsed once per row
// and season instead of once per row and date.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "nbaprops/processors/analytics/upcoming_player_context.hpp"
#include "nbaprops/processors/analytics/upcoming_team_context.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics::upgc {

/// Source facts (spec §9) of the rows of one day of an input: how many rows
/// were used, and the first of its rows with the newest processed_at.
struct DaySource {
  int64_t rows = 0;
  std::string key;                         ///< timestamp_key of that processed_at
  const std::string* processed = nullptr;  ///< nullptr: no row of the day has one
  const std::string* hash = nullptr;       ///< that row's data_hash (nullptr: NULL)
  /// Counts a row; @p processed_at nullptr when NULL or not projected.
  void add(const std::string* processed_at, const std::string* data_hash);
};

/// Per-day source facts of one input, combined over a window as a scan of its
/// rows in date order would: the first row with the newest processed_at wins.
class SourceDays {
 public:
  DaySource& at(Date d) { return days_[d.days()]; }
  [[nodiscard]] SourceStats over(Date from, Date to) const;

 private:
  std::map<int32_t, DaySource> days_;
};

/// One pre-game prop snapshot of a player's game.
struct PropCand {
  std::string book;
  std::string snap;  ///< timestamp_key of snapshot_timestamp
  double line = 0;
};
/// Preferred book (DK → FD → alphabetical), then its latest (current) and
/// earliest (opening) line; ties on the snapshot keep the first candidate.
PropLine pick_prop_line(const std::vector<PropCand>& cands);

/// nba_raw.nbac_gamebook_player_stats of one season, per player.
class GamebookHistory final : public proc::SeasonHistory {
 public:
  /// A game of the player: the first row of its date with minutes > 0.
  struct Game {
    Date date;
    double minutes = 0;
    std::optional<int64_t> points;
    /// Team of the date's first row with minutes > 0 and a team (nullptr: none).
    const std::string* team = nullptr;
  };
  struct Player {
    std::vector<Date> row_dates;  ///< distinct dates with any row (minutes or not), ascending
    std::vector<Game> games;      ///< ascending, one per date
  };
  /// The player of interned @p lookup, or nullptr.
  [[nodiscard]] const Player* player(const std::string* lookup) const;
  [[nodiscard]] const std::unordered_map<const std::string*, Player>& players() const noexcept { return players_; }
  /// Source stats of the rows dated [@p from, @p to].
  [[nodiscard]] SourceStats source(Date from, Date to) const { return days_.over(from, to); }

 protected:
  void add_rows(const Table& gb, const std::vector<size_t>& rows) override;

 private:
  std::unordered_map<const std::string*, Player> players_;  // keyed by interned player_lookup
  SourceDays days_;
};

/// nba_raw.odds_api_player_points_props of one season: the chosen pre-game line
/// of each (player, date).
class PropsHistory final : public proc::SeasonHistory {
 public:
  /// A player's chosen lines, one per date with a pre-game snapshot, ascending.
  using Lines = std::vector<std::pair<Date, PropLine>>;
  /// The lines of interned @p lookup (nullptr: none).
  [[nodiscard]] const Lines* lines_of(const std::string* lookup) const;
  /// The line of @p d in @p lines, or nullptr when no pre-game snapshot has one.
  [[nodiscard]] static const PropLine* line_on(const Lines* lines, Date d);
  /// Source stats of the pre-game rows dated [@p from, @p to].
  [[nodiscard]] SourceStats source(Date from, Date to) const { return days_.over(from, to); }

 protected:
  void add_rows(const Table& props, const std::vector<size_t>& rows) override;

 private:
  std::unordered_map<const std::string*, Lines> lines_;
  SourceDays days_;
};

/// What UPGC carries per season: both histories (see CarriedState).
struct CarriedHistories final : public CarriedState {
  GamebookHistory gamebook;
  PropsHistory props;
};

}  // namespace nbaprops::analytics::upgc
