#pragma once
// The carried state of UPGC (internal header): one season of the player
// gamebook and of the points props, each date digested once — by whichever
// unit first needs it, in any order — into an immutable per-date digest
// (per-player entries sorted by interned lookup, the day's source facts). A
// date D is answered from the digests of D − 30 … D − 1 (gamebook) and
// D − 30 … D (props): minutes and timestamp keys are parsed once per row and
// season, a unit reads only dates of its own declared window, and no lock is
// held while it computes.
//
// Why per date and not per player in date order: units of one season do not
// run in date order (with two workers one thread takes the earliest dates and
// the other steals the latest ones, walking backwards), so a history that can
// only grow forwards from the first unit's window serves one of them and makes
// every unit of the other rebuild its own 30-day window.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
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
  TimestampKey key;                        ///< timestamp_key of that processed_at
  const std::string* processed = nullptr;  ///< nullptr: no row of the day has one
  const std::string* hash = nullptr;       ///< that row's data_hash (nullptr: NULL)
  /// Counts a row; @p processed_at nullptr when NULL or not projected.
  void add(const std::string* processed_at, const std::string* data_hash);
};

/// Source facts of consecutive days combined as a scan of their rows in date
/// order would: rows summed, the first row with the newest processed_at wins.
SourceStats source_over(std::span<const DaySource* const> days);

/// Per-date digests of one input table for one season. A date's digest is a
/// function of that date's stored rows alone, made once by the first unit
/// that asks for it; what a unit gets never depends on which dates other units
/// digested before. @p Day is constructible from (table, rows of one date in
/// stored order) and immutable afterwards.
template <class Day>
class DayDigests {
 public:
  using Read = std::function<Table(Date from, Date to)>;
  /// The digests of every date of [@p from, @p to] (index: date − from).
  /// Dates not digested yet are read with @p read (one call per run of
  /// consecutive missing dates, outside the lock: units computing other dates
  /// never wait for it) and kept. Pointers stay valid while this object lives.
  std::vector<const Day*> get(Date from, Date to, const Read& read);
  /// How many dates are digested.
  [[nodiscard]] size_t size() const;

 private:
  mutable std::mutex mu_;
  std::unordered_map<int32_t, std::unique_ptr<const Day>> days_;
};

/// One date of nba_raw.nbac_gamebook_player_stats.
struct GamebookDay {
  /// A player with any row of the date.
  struct Entry {
    const std::string* lookup = nullptr;  ///< interned player_lookup
    /// The game: the date's first row with minutes > 0 (false: none).
    bool played = false;
    double minutes = 0;
    std::optional<int64_t> points;
    /// Team of that row, else of the date's next row with minutes > 0 and a
    /// team (nullptr: none).
    const std::string* team = nullptr;
  };
  std::vector<Entry> players;  ///< sorted by lookup pointer
  DaySource source;            ///< every row of the date
  GamebookDay(const Table& gb, const std::vector<size_t>& rows);
  /// The entry of interned @p lookup, or nullptr.
  [[nodiscard]] const Entry* find(const std::string* lookup) const;
};

/// One date of nba_raw.odds_api_player_points_props: the chosen pre-game line
/// of each player.
struct PropsDay {
  std::vector<std::pair<const std::string*, PropLine>> lines;  ///< sorted by lookup pointer
  DaySource source;                                            ///< the pre-game rows
  PropsDay(const Table& props, const std::vector<size_t>& rows);
  /// The line of interned @p lookup, or nullptr when no pre-game snapshot has
  /// one.
  [[nodiscard]] const PropLine* line_of(const std::string* lookup) const;
};

/// One pre-game prop snapshot of a player's game.
struct PropCand {
  std::string_view book;  ///< the table's text (it outlives the candidates)
  TimestampKey snap;      ///< timestamp_key of snapshot_timestamp
  double line = 0;
};
/// Preferred book (DK → FD → alphabetical), then its latest (current) and
/// earliest (opening) line; ties on the snapshot keep the first candidate.
PropLine pick_prop_line(const std::vector<PropCand>& cands);

/// What UPGC carries per season: the digests of both inputs and the season's
/// schedule index (see CarriedState).
struct CarriedHistories final : public CarriedState {
  DayDigests<GamebookDay> gamebook;
  DayDigests<PropsDay> props;
  SeasonGamesCache season_games;
};

// ---------------------------------------------------------------------------------------------

template <class Day>
std::vector<const Day*> DayDigests<Day>::get(Date from, Date to, const Read& read) {
  const auto n = static_cast<size_t>(std::max(0, (to - from) + 1));
  std::vector<const Day*> out(n, nullptr);
  {
    const std::lock_guard lock(mu_);
    for (size_t i = 0; i < n; ++i) {
      if (auto it = days_.find(from.days() + static_cast<int32_t>(i)); it != days_.end()) out[i] = it->second.get();
    }
  }
  for (size_t i = 0; i < n;) {
    if (out[i] != nullptr) {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < n && out[j] == nullptr) ++j;  // the missing run [i, j)
    const Date a = from + static_cast<int32_t>(i);
    const Table t = read(a, from + static_cast<int32_t>(j - 1));
    std::vector<std::vector<size_t>> rows(j - i);
    const Column& date = t.col(t.schema().partition_column);
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (date.is_null(r)) continue;
      const int64_t k = date.int_at(r) - a.days();
      if (k >= 0 && k < static_cast<int64_t>(rows.size())) rows[static_cast<size_t>(k)].push_back(r);
    }
    std::vector<std::unique_ptr<const Day>> made;
    made.reserve(rows.size());
    for (const auto& day_rows : rows) made.push_back(std::make_unique<const Day>(t, day_rows));
    const std::lock_guard lock(mu_);
    for (size_t k = 0; k < made.size(); ++k) {
      // A unit racing for the same date made an equal digest: the first stays.
      auto [it, inserted] = days_.try_emplace(a.days() + static_cast<int32_t>(k), std::move(made[k]));
      out[i + k] = it->second.get();
    }
    i = j;
  }
  return out;
}

template <class Day>
size_t DayDigests<Day>::size() const {
  const std::lock_guard lock(mu_);
  return days_.size();
}

}  // namespace nbaprops::analytics::upgc
