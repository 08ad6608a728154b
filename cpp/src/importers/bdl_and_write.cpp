// balldontlie box scores → nba_raw.bdl_player_boxscores, and the warehouse writers of all imports.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::importers {
namespace {

using nlohmann::json;

// Deterministic load stamp for the required created_at/processed_at columns: reruns give identical
// rows (the same convention as Schedule::to_table()).
constexpr const char* kLoadStamp = "1970-01-01T00:00:00Z";

struct BdlLine {
  Date date;
  std::string game_id;
  std::string team;
  std::string lookup;
  const json* game;
  const json* player;
  bool home;
};

}  // namespace

Table parse_bdl_box_scores(const std::string& json_text, const std::string& source_name) {
  json root;
  try {
    root = json::parse(json_text);
  } catch (const json::parse_error& e) {
    throw DataError(source_name + ": malformed JSON at byte " + std::to_string(e.byte) + ": " + e.what());
  }
  const json* games = &root;
  if (root.is_object()) {
    auto it = root.find("data");
    if (it == root.end()) throw DataError(source_name + ": no data[] list at the top level");
    games = &*it;
  }
  if (!games->is_array()) throw DataError(source_name + ": data is not a list");

  std::vector<BdlLine> lines;
  for (size_t gi = 0; gi < games->size(); ++gi) {
    const json& g = (*games)[gi];
    auto where = [&](const std::string& field, const std::string& extra = "") {
      return source_name + " game #" + std::to_string(gi) + extra + " field " + field;
    };
    if (!g.is_object()) throw DataError(where("(game)") + ": not an object");
    const std::string date_text = g.value("date", std::string());
    Date date;
    try {
      date = Date::parse(date_text.substr(0, std::min<size_t>(10, date_text.size())), "date");
    } catch (const Error&) {
      throw DataError(where("date") + ": expected YYYY-MM-DD, got '" + date_text + "'");
    }
    auto team_code = [&](const char* side) {
      auto it = g.find(side);
      if (it == g.end() || !it->is_object()) throw DataError(where(side, " (" + date.iso() + ")") + ": missing");
      std::string code = it->value("abbreviation", std::string());
      if (!is_nba_tricode(code)) {
        throw DataError(where(std::string(side) + ".abbreviation", " (" + date.iso() + ")") + ": not an NBA tricode: '" +
                        code + "'");
      }
      return code;
    };
    const std::string home = team_code("home_team");
    const std::string away = team_code("visitor_team");
    const std::string game_id = date.compact() + "_" + away + "_" + home;
    for (const char* side : {"home_team", "visitor_team"}) {
      const json& team = g.at(side);
      auto players = team.find("players");
      if (players == team.end() || !players->is_array()) {
        throw DataError(where(std::string(side) + ".players", " (" + date.iso() + ")") + ": missing or not a list");
      }
      for (size_t pi = 0; pi < players->size(); ++pi) {
        const json& p = (*players)[pi];
        auto pl = p.find("player");
        if (pl == p.end() || !pl->is_object()) {
          throw DataError(where(std::string(side) + ".players[" + std::to_string(pi) + "].player", " (" + date.iso() + ")") +
                          ": missing");
        }
        std::string full = pl->value("first_name", std::string()) + " " + pl->value("last_name", std::string());
        std::string lookup = player_lookup(full);
        if (lookup.empty()) {
          throw DataError(where(std::string(side) + ".players[" + std::to_string(pi) + "].player.first_name",
                                " (" + date.iso() + ")") + ": empty player name");
        }
        bool is_home = std::string(side) == "home_team";
        lines.push_back({date, game_id, is_home ? home : away, std::move(lookup), &g, &p, is_home});
      }
    }
  }
  std::sort(lines.begin(), lines.end(), [](const BdlLine& a, const BdlLine& b) {
    return std::tie(a.date, a.game_id, a.team, a.lookup) < std::tie(b.date, b.game_id, b.team, b.lookup);
  });

  Table t(catalog::get("nba_raw.bdl_player_boxscores"));
  t.resize(lines.size());
  for (size_t r = 0; r < lines.size(); ++r) {
    const BdlLine& l = lines[r];
    const json& g = *l.game;
    const json& p = *l.player;
    const json& pl = p.at("player");
    auto int_field = [&](const json& obj, const char* key, const char* col) {
      auto it = obj.find(key);
      if (it == obj.end() || it->is_null()) return t.set_null(r, col);
      if (!it->is_number()) {
        throw DataError(source_name + " game " + l.game_id + " (" + l.date.iso() + ") player " + l.lookup + " field " +
                        key + ": not a number: " + it->dump());
      }
      t.set(r, col, static_cast<int64_t>(it->get<double>()));
    };
    auto real_field = [&](const json& obj, const char* key, const char* col) {
      auto it = obj.find(key);
      if (it == obj.end() || it->is_null()) return t.set_null(r, col);
      if (!it->is_number()) {
        throw DataError(source_name + " game " + l.game_id + " (" + l.date.iso() + ") player " + l.lookup + " field " +
                        key + ": not a number: " + it->dump());
      }
      t.set(r, col, it->get<double>());
    };
    const std::string& home = l.home ? l.team : g.at("home_team").value("abbreviation", std::string());
    const std::string& away = l.home ? g.at("visitor_team").value("abbreviation", std::string()) : l.team;
    t.set(r, "game_id", l.game_id);
    t.set(r, "game_date", l.date);
    t.set(r, "season_year", season_of(l.date));
    if (g.contains("status") && g["status"].is_string()) t.set(r, "game_status", g["status"].get<std::string>());
    int_field(g, "period", "period");
    t.set(r, "is_postseason", g.value("postseason", false));
    t.set(r, "home_team_abbr", home);
    t.set(r, "away_team_abbr", away);
    int_field(g, "home_team_score", "home_team_score");
    int_field(g, "visitor_team_score", "away_team_score");
    t.set(r, "team_abbr", l.team);
    t.set(r, "player_full_name", pl.value("first_name", std::string()) + " " + pl.value("last_name", std::string()));
    t.set(r, "player_lookup", l.lookup);
    int_field(pl, "id", "bdl_player_id");
    if (pl.contains("jersey_number") && pl["jersey_number"].is_string()) {
      t.set(r, "jersey_number", pl["jersey_number"].get<std::string>());
    }
    if (pl.contains("position") && pl["position"].is_string()) t.set(r, "position", pl["position"].get<std::string>());
    if (p.contains("min") && p["min"].is_string()) t.set(r, "minutes", p["min"].get<std::string>());
    int_field(p, "pts", "points");
    int_field(p, "ast", "assists");
    int_field(p, "reb", "rebounds");
    int_field(p, "oreb", "offensive_rebounds");
    int_field(p, "dreb", "defensive_rebounds");
    int_field(p, "stl", "steals");
    int_field(p, "blk", "blocks");
    int_field(p, "turnover", "turnovers");
    int_field(p, "pf", "personal_fouls");
    int_field(p, "fgm", "field_goals_made");
    int_field(p, "fga", "field_goals_attempted");
    real_field(p, "fg_pct", "field_goal_pct");
    int_field(p, "fg3m", "three_pointers_made");
    int_field(p, "fg3a", "three_pointers_attempted");
    real_field(p, "fg3_pct", "three_point_pct");
    int_field(p, "ftm", "free_throws_made");
    int_field(p, "fta", "free_throws_attempted");
    real_field(p, "ft_pct", "free_throw_pct");
    t.set(r, "source_file_path", source_name);
    t.set(r, "created_at", kLoadStamp);
    t.set(r, "processed_at", kLoadStamp);
  }
  // The legacy DDL's hash inputs for this table.
  proc::fill_data_hash(t, {"game_id", "player_lookup", "points", "rebounds", "assists", "field_goals_made",
                           "field_goals_attempted"});
  return t;
}

Table import_bdl_box_scores(const std::string& path) { return parse_bdl_box_scores(read_text_file(path), path); }

namespace {

std::vector<Date> partition_dates(const Table& t) {
  std::set<Date> dates;
  const std::string& col = t.schema().partition_column;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (auto d = t.get_date(r, col)) dates.insert(*d);
  }
  return {dates.begin(), dates.end()};
}

int64_t replace_covered(Warehouse& wh, const Table& rows, const std::vector<Date>& dates) {
  wh.ensure_table(rows.schema());
  wh.replace_partitions(rows.schema(), dates, rows);
  return static_cast<int64_t>(rows.num_rows());
}

}  // namespace

std::map<std::string, int64_t> write_schedule(Warehouse& wh, const Schedule& s) {
  Table t = s.to_table();
  std::set<Date> dates;
  for (const Game& g : s.games()) dates.insert(g.date);
  return {{t.schema().name, replace_covered(wh, t, {dates.begin(), dates.end()})}};
}

std::map<std::string, int64_t> write_shot_chart(Warehouse& wh, const ShotChartImport& imp) {
  // The covered dates are the games' dates: a date with a game but (absurdly) no shots still gets
  // its partitions cleared, so a rerun never leaves stale rows behind.
  std::set<Date> covered;
  for (const Game& g : imp.games) covered.insert(g.date);
  const std::vector<Date> dates(covered.begin(), covered.end());
  std::map<std::string, int64_t> out = write_schedule(wh, Schedule(imp.games));
  for (const Table* t : {&imp.player_zones, &imp.team_zones_allowed, &imp.gamebook}) {
    out[t->schema().name] = replace_covered(wh, *t, dates);
  }
  return out;
}

std::map<std::string, int64_t> write_bdl(Warehouse& wh, const Table& rows) {
  if (rows.schema().name != "nba_raw.bdl_player_boxscores") {
    throw ConfigError("write_bdl expects nba_raw.bdl_player_boxscores rows, got " + rows.schema().name);
  }
  return {{rows.schema().name, replace_covered(wh, rows, partition_dates(rows))}};
}

}  // namespace nbaprops::importers
