#include "game_lines.hpp"

#include <algorithm>
#include <array>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics::detail {

namespace {

namespace tbx = cols::nbac_team_boxscore;
namespace gbps = cols::nbac_gamebook_player_stats;

/// "game_id|team_abbr" of row @p r (NULL cells as "").
std::string key_of(const Column& game, const Column& team, size_t r) {
  std::string key = game.is_null(r) ? std::string() : game.text_at(r);
  key += '|';
  if (!team.is_null(r)) key += team.text_at(r);
  return key;
}

/// A counted field of a team line and the columns it comes from: the team box
/// score's, and the gamebook's that a reconstruction sums.
struct StatColumn {
  ColumnId box;
  ColumnId gamebook;
  std::optional<int64_t> TeamLine::* field;
};
constexpr std::array<StatColumn, 14> kStatColumns = {{
    {tbx::points, gbps::points, &TeamLine::pts},
    {tbx::fg_attempted, gbps::field_goals_attempted, &TeamLine::fga},
    {tbx::fg_made, gbps::field_goals_made, &TeamLine::fgm},
    {tbx::three_pt_attempted, gbps::three_pointers_attempted, &TeamLine::tpa},
    {tbx::three_pt_made, gbps::three_pointers_made, &TeamLine::tpm},
    {tbx::ft_attempted, gbps::free_throws_attempted, &TeamLine::fta},
    {tbx::ft_made, gbps::free_throws_made, &TeamLine::ftm},
    {tbx::offensive_rebounds, gbps::offensive_rebounds, &TeamLine::oreb},
    {tbx::defensive_rebounds, gbps::defensive_rebounds, &TeamLine::dreb},
    {tbx::total_rebounds, gbps::total_rebounds, &TeamLine::reb},
    {tbx::assists, gbps::assists, &TeamLine::ast},
    {tbx::steals, gbps::steals, &TeamLine::stl},
    {tbx::turnovers, gbps::turnovers, &TeamLine::tov},
    {tbx::personal_fouls, gbps::personal_fouls, &TeamLine::pf},
}};

/// The stat columns of @p t (the box score's, or the gamebook's), resolved
/// once, in kStatColumns order.
std::array<const Column*, kStatColumns.size()> stat_columns(const Table& t, bool gamebook) {
  std::array<const Column*, kStatColumns.size()> out{};
  for (size_t k = 0; k < out.size(); ++k) out[k] = &t.col(gamebook ? kStatColumns[k].gamebook : kStatColumns[k].box);
  return out;
}

}  // namespace

const TeamLine* DateTeamLines::find(const std::string& game_id, const std::string& team) const {
  const std::string key = game_id + "|" + team;
  if (auto it = box.find(key); it != box.end()) return &it->second;
  // Legacy reconstruction keeps teams with at least 5 active player rows.
  if (auto it = rebuilt.find(key); it != rebuilt.end() && it->second.active_rows >= 5) return &it->second;
  return nullptr;
}

DateTeamLines build_team_lines(const Table& tb, const Table& gb) {
  DateTeamLines out;
  {
    const Column& game = tb.col(tbx::game_id);
    const Column& team = tb.col(tbx::team_abbr);
    const Column& processed = tb.col(tbx::processed_at);
    const Column& minutes = tb.col(tbx::minutes);
    const Column& hash = tb.col(tbx::data_hash);
    const auto stats = stat_columns(tb, false);
    for (size_t r = 0; r < tb.num_rows(); ++r) {
      const std::string* pa = proc::text_of(&processed, r);
      TeamLine& l = out.box[key_of(game, team, r)];
      if (l.processed_at && pa && *pa <= *l.processed_at) continue;  // keep the latest processed_at
      l = TeamLine{};
      if (pa) l.processed_at = *pa;
      for (size_t k = 0; k < stats.size(); ++k) l.*kStatColumns[k].field = stats[k]->get_int(r);
      if (const std::string* m = proc::text_of(&minutes, r)) l.minutes = *m;
      if (const std::string* h = proc::text_of(&hash, r)) l.source_hash = *h;
    }
  }

  struct Sums {
    std::array<NullableSum, kStatColumns.size()> stats;  ///< kStatColumns order
    int rows = 0;
  };
  std::map<std::string, Sums> sums;
  const Column& game = gb.col(gbps::game_id);
  const Column& team = gb.col(gbps::team_abbr);
  const Column& status_col = gb.col(gbps::player_status);
  const auto stats = stat_columns(gb, true);
  // A team's rows come together: the key and its map slots are found again
  // only when the (interned) game or team changes.
  const std::string* last_game = nullptr;
  const std::string* last_team = nullptr;
  std::string key;
  int64_t* rows_of_key = nullptr;  // the slot of key (nullptr before the first row)
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    const std::string* g = game.is_null(r) ? nullptr : game.text_ptr(r);
    const std::string* t = team.is_null(r) ? nullptr : team.text_ptr(r);
    if (rows_of_key == nullptr || g != last_game || t != last_team) {
      key = key_of(game, team, r);
      rows_of_key = &out.gamebook_rows[key];
      last_game = g;
      last_team = t;
    }
    ++*rows_of_key;
    const std::string* status = status_col.is_null(r) ? nullptr : status_col.text_ptr(r);
    if (status && *status == "inactive") ++out.inactive[key];
    if (!status || *status != "active") continue;
    Sums& s = sums[key];
    ++s.rows;
    for (size_t k = 0; k < stats.size(); ++k) s.stats[k].add(stats[k]->get_int(r));
  }
  for (const auto& [k, s] : sums) {
    TeamLine l;
    l.reconstructed = true;
    l.active_rows = s.rows;
    for (size_t i = 0; i < s.stats.size(); ++i) l.*kStatColumns[i].field = s.stats[i].value();
    out.rebuilt.emplace(k, l);
  }
  return out;
}

SourceBlock source_block(const Table& src, int64_t expected) {
  SourceBlock b;
  b.rows_found = static_cast<int64_t>(src.num_rows());
  const Column* processed = proc::col_if_any(src, "processed_at");
  const Column* hash_col = proc::col_if_any(src, "data_hash");
  static const std::string kEmpty;
  const std::string* last = nullptr;  // MAX(processed_at)
  const std::string* hash = nullptr;  // the latest non-null hash
  const std::string* hash_at = nullptr;
  for (size_t r = 0; r < src.num_rows(); ++r) {
    const std::string* pa = proc::text_of(processed, r);
    if (pa && (!last || *pa > *last)) last = pa;
    const std::string* h = proc::text_of(hash_col, r);
    if (!h) continue;
    // Latest non-null hash; ties broken by the hash text so the choice is
    // deterministic.
    const std::string& at = pa ? *pa : kEmpty;
    const std::string& best_at = hash_at ? *hash_at : kEmpty;
    if (!hash || at > best_at || (at == best_at && *h > *hash)) {
      hash = h;
      hash_at = &at;
    }
  }
  if (last) b.last_updated = *last;
  if (hash) b.hash = *hash;
  if (expected > 0) {
    b.completeness_pct =
        proc::py_round(std::min(100.0, static_cast<double>(b.rows_found) / static_cast<double>(expected) * 100.0), 2);
  }
  return b;
}

void write_source_block(Table& t, size_t row, const std::string& prefix, const SourceBlock& b) {
  const std::string p = "source_" + prefix + "_";
  if (b.last_updated) t.set(row, p + "last_updated", *b.last_updated);
  t.set(row, p + "rows_found", b.rows_found);
  t.col(p + "completeness_pct").set_real(row, b.completeness_pct);
  if (b.hash) t.set(row, p + "hash", *b.hash);
}

std::string normalize_ts(const std::string& ts) {
  std::string s = ts.substr(0, std::min<size_t>(ts.size(), 19));
  std::replace(s.begin(), s.end(), 'T', ' ');
  return s;
}

}  // namespace nbaprops::analytics::detail
