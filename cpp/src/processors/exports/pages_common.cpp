// Helpers shared by the trends pages and the player pages: legacy number
// formatting, tonight's games, and one player_game_summary read.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <tuple>

#include "nbaprops/core/decimal.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {

double bq_round(double x, int digits) {
  const double f = std::pow(10.0, digits);
  return std::round(x * f) / f;
}

std::string py_str(std::optional<double> x) {
  if (!x) return "None";
  // nlohmann prints the shortest round-trip form and keeps ".0" on integral
  // values, as Python's repr does.
  return Json(*x).dump();
}

std::string fixed(double x, int digits, bool plus) {
  char buf[64];
  std::snprintf(buf, sizeof buf, plus ? "%+.*f" : "%.*f", digits, x);
  return buf;
}

std::string percent0(double x) { return fixed(x * 100.0, 0) + "%"; }

int64_t legacy_season(Date d) { return d.month() >= 10 ? d.year() : d.year() - 1; }

bool PgsRow::home() const { return game_id.size() > team.size() + 1 && game_id.ends_with("_" + team); }

std::unordered_map<std::string, TonightGame> tonight_games(Warehouse& wh, Date day) {
  const Table t = wh.read(catalog::get("nba_raw.nbac_schedule"), DateRange{day, day}, {});
  const Schedule sched = Schedule::from_table(t);
  std::unordered_map<std::string, std::optional<std::string>> est_of;
  const Column& id = t.col(sch::game_id);
  const Column& est = t.col(sch::game_date_est);
  for (size_t r = 0; r < t.num_rows(); ++r) est_of[id.get_text(r).value_or("")] = est.get_text(r);
  std::unordered_map<std::string, TonightGame> out;
  for (const Game* g : sched.games_on(day)) {
    const auto time = game_time(est_of[g->nba_game_id]);
    out[g->home] = {g->away, time, true};
    out[g->away] = {g->home, time, false};
  }
  return out;
}

Json tonight_of(const std::unordered_map<std::string, TonightGame>& games, const std::string& team) {
  auto it = games.find(team);
  if (it == games.end()) return nullptr;
  Json j;
  j["opponent"] = it->second.opponent;
  j["game_time"] = text(it->second.time);
  j["home"] = it->second.home;
  return j;
}

std::vector<PgsRow> read_pgs(Warehouse& wh, DateRange range) {
  const Table t = wh.read(catalog::get("nba_analytics.player_game_summary"), range,
                          {"player_lookup",
                           "player_full_name",
                           "game_id",
                           "game_date",
                           "season_year",
                           "team_abbr",
                           "opponent_team_abbr",
                           "points",
                           "minutes_played",
                           "fg_makes",
                           "fg_attempts",
                           "three_pt_makes",
                           "three_pt_attempts",
                           "ft_makes",
                           "ft_attempts",
                           "offensive_rebounds",
                           "defensive_rebounds",
                           "assists",
                           "steals",
                           "blocks",
                           "turnovers",
                           "points_line",
                           "over_under_result",
                           "win_flag"});
  const Column& player = t.col(pgs::player_lookup);
  const Column& name = t.col(pgs::player_full_name);
  const Column& game = t.col(pgs::game_id);
  const Column& day = t.col(pgs::game_date);
  const Column& season = t.col(pgs::season_year);
  const Column& team = t.col(pgs::team_abbr);
  const Column& opp = t.col(pgs::opponent_team_abbr);
  const Column& points = t.col(pgs::points);
  const Column& minutes = t.col(pgs::minutes_played);
  const Column& fgm = t.col(pgs::fg_makes);
  const Column& fga = t.col(pgs::fg_attempts);
  const Column& tpm = t.col(pgs::three_pt_makes);
  const Column& tpa = t.col(pgs::three_pt_attempts);
  const Column& ftm = t.col(pgs::ft_makes);
  const Column& fta = t.col(pgs::ft_attempts);
  const Column& oreb = t.col(pgs::offensive_rebounds);
  const Column& dreb = t.col(pgs::defensive_rebounds);
  const Column& ast = t.col(pgs::assists);
  const Column& stl = t.col(pgs::steals);
  const Column& blk = t.col(pgs::blocks);
  const Column& tov = t.col(pgs::turnovers);
  const Column& line = t.col(pgs::points_line);
  const Column& result = t.col(pgs::over_under_result);
  const Column& win = t.col(pgs::win_flag);
  std::vector<PgsRow> out(t.num_rows());
  for (size_t r = 0; r < t.num_rows(); ++r) {
    PgsRow& o = out[r];
    o.player = player.text_at(r);
    o.name = name.get_text(r).value_or("");
    o.game_id = game.get_text(r).value_or("");
    o.team = team.get_text(r).value_or("");
    o.opponent = opp.get_text(r).value_or("");
    o.day = static_cast<int32_t>(day.int_at(r));
    o.season = season.get_int(r).value_or(0);
    o.points = points.get_int(r);
    o.minutes = minutes.get_real(r);
    o.fg_makes = fgm.get_int(r);
    o.fg_attempts = fga.get_int(r);
    o.three_makes = tpm.get_int(r);
    o.three_attempts = tpa.get_int(r);
    o.ft_makes = ftm.get_int(r);
    o.ft_attempts = fta.get_int(r);
    o.oreb = oreb.get_int(r);
    o.dreb = dreb.get_int(r);
    o.assists = ast.get_int(r);
    o.steals = stl.get_int(r);
    o.blocks = blk.get_int(r);
    o.turnovers = tov.get_int(r);
    o.line = line.get_real(r);
    o.result = result.get_text(r);
    if (auto w = win.get_int(r)) o.win = *w != 0;
  }
  std::stable_sort(out.begin(), out.end(), [](const PgsRow& a, const PgsRow& b) {
    return std::tie(a.player, a.day, a.game_id) < std::tie(b.player, b.day, b.game_id);
  });
  return out;
}

std::string display_name(const std::vector<PgsRow>& rows, size_t begin, size_t end) {
  for (size_t i = end; i > begin; --i) {
    if (!rows[i - 1].name.empty()) return rows[i - 1].name;
  }
  return rows[begin].player;
}

std::vector<std::pair<size_t, size_t>> player_runs(const std::vector<PgsRow>& rows) {
  std::vector<std::pair<size_t, size_t>> out;
  for (size_t i = 0; i < rows.size();) {
    size_t j = i + 1;
    while (j < rows.size() && rows[j].player == rows[i].player) ++j;
    out.emplace_back(i, j);
    i = j;
  }
  return out;
}

}  // namespace nbaprops::exports::detail
