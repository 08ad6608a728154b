#include "game_lines.hpp"

#include <algorithm>

#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics::detail {

namespace {
std::string key_of(const Table& t, size_t r) {
  return t.get_text(r, "game_id").value_or("") + "|" + t.get_text(r, "team_abbr").value_or("");
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
  for (size_t r = 0; r < tb.num_rows(); ++r) {
    auto pa = tb.get_text(r, "processed_at");
    TeamLine& l = out.box[key_of(tb, r)];
    if (l.processed_at && pa && *pa <= *l.processed_at) continue;  // keep the latest processed_at
    l = TeamLine{};
    l.processed_at = pa;
    l.pts = tb.get_int(r, "points");
    l.fga = tb.get_int(r, "fg_attempted");
    l.fgm = tb.get_int(r, "fg_made");
    l.tpa = tb.get_int(r, "three_pt_attempted");
    l.tpm = tb.get_int(r, "three_pt_made");
    l.fta = tb.get_int(r, "ft_attempted");
    l.ftm = tb.get_int(r, "ft_made");
    l.oreb = tb.get_int(r, "offensive_rebounds");
    l.dreb = tb.get_int(r, "defensive_rebounds");
    l.reb = tb.get_int(r, "total_rebounds");
    l.ast = tb.get_int(r, "assists");
    l.stl = tb.get_int(r, "steals");
    l.tov = tb.get_int(r, "turnovers");
    l.pf = tb.get_int(r, "personal_fouls");
    l.minutes = tb.get_text(r, "minutes");
    l.source_hash = tb.get_text(r, "data_hash");
  }

  struct Sums {
    NullableSum pts, fga, fgm, tpa, tpm, fta, ftm, oreb, dreb, reb, ast, stl, tov, pf;
    int rows = 0;
  };
  std::map<std::string, Sums> sums;
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    const std::string key = key_of(gb, r);
    ++out.gamebook_rows[key];
    const std::string status = gb.get_text(r, "player_status").value_or("");
    if (status == "inactive") ++out.inactive[key];
    if (status != "active") continue;
    Sums& s = sums[key];
    ++s.rows;
    s.pts.add(gb.get_int(r, "points"));
    s.fga.add(gb.get_int(r, "field_goals_attempted"));
    s.fgm.add(gb.get_int(r, "field_goals_made"));
    s.tpa.add(gb.get_int(r, "three_pointers_attempted"));
    s.tpm.add(gb.get_int(r, "three_pointers_made"));
    s.fta.add(gb.get_int(r, "free_throws_attempted"));
    s.ftm.add(gb.get_int(r, "free_throws_made"));
    s.oreb.add(gb.get_int(r, "offensive_rebounds"));
    s.dreb.add(gb.get_int(r, "defensive_rebounds"));
    s.reb.add(gb.get_int(r, "total_rebounds"));
    s.ast.add(gb.get_int(r, "assists"));
    s.stl.add(gb.get_int(r, "steals"));
    s.tov.add(gb.get_int(r, "turnovers"));
    s.pf.add(gb.get_int(r, "personal_fouls"));
  }
  for (const auto& [key, s] : sums) {
    TeamLine l;
    l.reconstructed = true;
    l.active_rows = s.rows;
    l.pts = s.pts.value();
    l.fga = s.fga.value();
    l.fgm = s.fgm.value();
    l.tpa = s.tpa.value();
    l.tpm = s.tpm.value();
    l.fta = s.fta.value();
    l.ftm = s.ftm.value();
    l.oreb = s.oreb.value();
    l.dreb = s.dreb.value();
    l.reb = s.reb.value();
    l.ast = s.ast.value();
    l.stl = s.stl.value();
    l.tov = s.tov.value();
    l.pf = s.pf.value();
    out.rebuilt.emplace(key, l);
  }
  return out;
}

SourceBlock source_block(const Table& src, int64_t expected) {
  SourceBlock b;
  b.rows_found = static_cast<int64_t>(src.num_rows());
  const bool has_pa = src.index_of("processed_at") >= 0;
  const bool has_hash = src.index_of("data_hash") >= 0;
  std::optional<std::string> hash_at;
  for (size_t r = 0; r < src.num_rows(); ++r) {
    auto pa = has_pa ? src.get_text(r, "processed_at") : std::nullopt;
    if (pa && (!b.last_updated || *pa > *b.last_updated)) b.last_updated = pa;
    if (!has_hash) continue;
    auto h = src.get_text(r, "data_hash");
    if (!h) continue;
    // Latest non-null hash; ties broken by the hash text so the choice is
    // deterministic.
    std::string at = pa.value_or("");
    if (!b.hash || at > hash_at.value_or("") || (at == hash_at.value_or("") && *h > *b.hash)) {
      b.hash = h;
      hash_at = at;
    }
  }
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
