#pragma once
// Internal helpers shared by PGS and TDGS (not a public header): same-date team
// box lines with NULL-aware reconstruction from player rows, and the run-level
// source_* block of legacy §9.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "nbaprops/core/table.hpp"

namespace nbaprops::analytics::detail {

/// A player-summed total: NULL when every contributing row is NULL, else Σ
/// COALESCE(v, 0) (the legacy per-row COALESCE). Keeps shots-only gamebook rows
/// from inventing zeros.
struct NullableSum {
  int64_t sum = 0;
  bool any = false;
  void add(std::optional<int64_t> v) {
    if (v) {
      sum += *v;
      any = true;
    }
  }
  [[nodiscard]] std::optional<int64_t> value() const { return any ? std::optional<int64_t>(sum) : std::nullopt; }
};

/// One team's line of one game.
struct TeamLine {
  std::optional<int64_t> pts, fga, fgm, tpa, tpm, fta, ftm, oreb, dreb, reb, ast, stl, tov, pf;
  std::optional<std::string> minutes;       ///< team minutes "240:00" (team box only)
  std::optional<std::string> processed_at;  ///< team box processed_at (dedup key)
  std::optional<std::string> source_hash;   ///< team box data_hash
  bool reconstructed = false;
  int active_rows = 0;  ///< active player rows behind a reconstructed line
};

/// Team lines of one date keyed by "game_id|team_abbr".
struct DateTeamLines {
  std::map<std::string, TeamLine> box;           ///< nbac_team_boxscore, latest processed_at per key
  std::map<std::string, TeamLine> rebuilt;       ///< Σ over active gamebook rows
  std::map<std::string, int64_t> inactive;       ///< inactive gamebook rows per key
  std::map<std::string, int64_t> gamebook_rows;  ///< any gamebook rows per key
  /// @return the team box line, else the reconstruction from ≥ 5 active
  /// players, else nullptr.
  [[nodiscard]] const TeamLine* find(const std::string& game_id, const std::string& team) const;
};

/// Builds the team lines of a date from the team box score and gamebook rows.
DateTeamLines build_team_lines(const Table& team_box, const Table& gamebook);

/// The legacy run-level source block (§9) of one upstream table over the run's
/// rows.
struct SourceBlock {
  std::optional<std::string> last_updated;  ///< MAX(processed_at)
  int64_t rows_found = 0;
  std::optional<double> completeness_pct;  ///< min(100, rows / expected × 100), 2 dp
  std::optional<std::string> hash;         ///< the latest non-null data_hash
};
/// @param expected legacy expected_count_min (0 → completeness NULL).
SourceBlock source_block(const Table& src, int64_t expected);
/// Writes source_<prefix>_{last_updated,rows_found,completeness_pct,hash} on @p
/// row.
void write_source_block(Table& t, size_t row, const std::string& prefix, const SourceBlock& b);

/// Normalises a timestamp text to "YYYY-MM-DD HH:MM:SS" (UTC assumed) for
/// ordering.
std::string normalize_ts(const std::string& ts);

}  // namespace nbaprops::analytics::detail
