#pragma once
/// @file team_offense.hpp
/// nba_analytics.team_offense_game_summary (TOGS): one offensive line per team
/// per game (legacy spec phase3 §1). The pattern every processor follows:
/// formula helpers, a pure compute function over columnar inputs, and a
/// Processor that loads those inputs.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

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

namespace detail {

/// The two team slots of each game of a date (home 2i, away 2i + 1), keyed by
/// interned (game_id, team_abbr) pointers: the box-score processors resolve a
/// raw row to its slot by pointer comparison, with no key strings built.
class GameSlots {
 public:
  explicit GameSlots(const std::vector<const Game*>& games);
  /// @return the slot of (@p game_id, @p team) (interned pointers), or -1 when
  /// that team does not play that game on this date.
  [[nodiscard]] int find(const std::string* game_id, const std::string* team) const noexcept;
  [[nodiscard]] size_t size() const noexcept { return teams_.size(); }
  /// Interned game_id ("YYYYMMDD_AWAY_HOME") and team of slot @p s.
  [[nodiscard]] const std::string* game_id(size_t s) const noexcept { return ids_[s / 2]; }
  [[nodiscard]] const std::string* team(size_t s) const noexcept { return teams_[s]; }

 private:
  std::vector<const std::string*> ids_;    ///< per game
  std::vector<const std::string*> teams_;  ///< per slot
};

/// Blocks of output cells that take few distinct values per date (quality,
/// sources, flags): each distinct block, named by a small key, is rendered once
/// into a scratch row (by the processor's own writers, e.g.
/// proc::write_quality) and then copied cell by cell into every row that has
/// it — no per-row JSON, name lookup or interning.
class BlockMemo {
 public:
  /// @param out the output table. @param columns the columns a block covers
  /// (the scratch rows have only these, so a renderer writing another column
  /// is an error; names absent from @p out are skipped, names unknown to its
  /// schema are an error).
  BlockMemo(const Table& out, const std::vector<std::string>& columns);
  /// Copies block @p key into row @p row of @p t, rendering it first with
  /// @p render(Table& scratch, size_t scratch_row) when it is new.
  template <class Render>
  void write(Table& t, size_t row, uint32_t key, Render&& render) {
    size_t s = 0;
    if (!lookup(key, s)) {
      s = scratch_.add_row();
      render(scratch_, s);
      keys_.emplace_back(key, s);
    }
    for (const auto& [out, from] : columns_) t.col(out).copy_cell(row, scratch_.col(from), s);
  }

 private:
  [[nodiscard]] bool lookup(uint32_t key, size_t& row) const noexcept;
  Table scratch_;
  std::vector<std::pair<size_t, size_t>> columns_;  ///< (output column, scratch column)
  std::vector<std::pair<uint32_t, size_t>> keys_;
};

/// Exact projections of the raw reads (each processor reads only the columns
/// it uses). Every list starts with "game_date", the partition column, which
/// the run cache needs to serve a projection.
/// The team box score / gamebook columns TOGS reads.
const std::vector<std::string>& togs_team_box_columns();
const std::vector<std::string>& togs_gamebook_columns();
/// The team box score / gamebook columns detail::build_team_lines and
/// detail::source_block read (TDGS, PGS): TOGS's, defensive rebounds and
/// steals, and the source facts (processed_at, data_hash).
const std::vector<std::string>& team_line_box_columns();
const std::vector<std::string>& team_line_gamebook_columns();

/// The columns proc::write_quality writes.
const std::vector<std::string>& quality_columns();

}  // namespace detail

}  // namespace nbaprops::analytics
