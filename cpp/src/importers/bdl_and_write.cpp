// balldontlie box scores → nba_raw.bdl_player_boxscores.
#include <algorithm>
#include <array>
#include <climits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/importers/validate.hpp"
#include "json_input.hpp"
#include "raw_internal.hpp"

namespace nbaprops::importers {
namespace {

namespace bdlp = cols::bdl_player_boxscores;

using nlohmann::json;

// Deterministic load stamp for the required created_at/processed_at columns:
// reruns give identical rows (the same convention as Schedule::to_table()).
constexpr const char* kLoadStamp = "1970-01-01T00:00:00Z";

/// One balldontlie stat: JSON key, column, limits, and whether it is a fraction
/// (else a count).
struct StatSpec {
  const char* key;
  ColumnId column;
  Limits limits;
  bool real;
};

constexpr StatSpec kStats[] = {
    {"pts", bdlp::points, limits::kPoints, false},
    {"ast", bdlp::assists, limits::kPlayerCount, false},
    {"reb", bdlp::rebounds, limits::kPlayerCount, false},
    {"oreb", bdlp::offensive_rebounds, limits::kPlayerCount, false},
    {"dreb", bdlp::defensive_rebounds, limits::kPlayerCount, false},
    {"stl", bdlp::steals, limits::kPlayerCount, false},
    {"blk", bdlp::blocks, limits::kPlayerCount, false},
    {"turnover", bdlp::turnovers, limits::kPlayerCount, false},
    {"pf", bdlp::personal_fouls, limits::kFouls, false},
    {"fgm", bdlp::field_goals_made, limits::kPlayerCount, false},
    {"fga", bdlp::field_goals_attempted, limits::kPlayerCount, false},
    {"fg_pct", bdlp::field_goal_pct, limits::kFraction, true},
    {"fg3m", bdlp::three_pointers_made, limits::kPlayerCount, false},
    {"fg3a", bdlp::three_pointers_attempted, limits::kPlayerCount, false},
    {"fg3_pct", bdlp::three_point_pct, limits::kFraction, true},
    {"ftm", bdlp::free_throws_made, limits::kPlayerCount, false},
    {"fta", bdlp::free_throws_attempted, limits::kPlayerCount, false},
    {"ft_pct", bdlp::free_throw_pct, limits::kFraction, true},
};
constexpr size_t kNumStats = sizeof(kStats) / sizeof(kStats[0]);

/// (makes, attempts) pairs by index into kStats: FG, 3P, FT, 3PM ≤ FGM, 3PA ≤
/// FGA.
constexpr std::pair<size_t, size_t> kMakes[] = {{9, 10}, {12, 13}, {15, 16}, {12, 9}, {13, 10}};

/// A checked number of a JSON member: nullopt when absent or null.
std::optional<double> number_of(const RowRef& at, const json& obj, const char* key, Limits lim, bool real) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    at.fail(key, json_preview(*it), "integer out of range");
  }
  if (it->is_number_integer()) return static_cast<double>(check_int(at, key, it->get<int64_t>(), lim));
  if (it->is_number()) {
    const double v = it->get<double>();
    return real ? check_real(at, key, v, lim) : static_cast<double>(check_int(at, key, v, lim));
  }
  at.fail(key, json_preview(*it), "not a number");
}

std::string text_member(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

struct GameInfo {
  Date date;
  std::string game_id, home, away, status;
  std::optional<double> period, home_score, away_score;
  bool postseason = false;
};

struct BdlLine {
  const GameInfo* game;
  std::string team;
  std::string full_name;
  std::string lookup;
  std::optional<double> player_id;
  std::string jersey, position, minutes;
  std::array<std::optional<double>, kNumStats> stats;
};

/// The games list of a response: the top-level list, or its data[].
const json& games_list(const json& root, const std::string& source_name) {
  const json* games = &root;
  if (root.is_object()) {
    auto it = root.find("data");
    if (it == root.end()) throw DataError(source_name + ": no data[] list at the top level");
    games = &*it;
  }
  if (!games->is_array()) throw DataError(source_name + ": data is not a list");
  return *games;
}

/// Game @p g's date, teams, status, period and score; @p at is re-pointed at
/// the game once its id is known.
GameInfo game_info(const json& g, const std::string& source_name, size_t gi, RowRef& at) {
  if (!g.is_object()) at.fail("(game)", json_preview(g), "not an object");
  GameInfo info;
  const std::string date_text = text_member(g, "date");
  try {
    info.date = Date::parse(date_text.substr(0, std::min<size_t>(10, date_text.size())), "date");
  } catch (const Error&) {
    at.fail("date", date_text, "expected YYYY-MM-DD");
  }
  at.set_date(info.date.iso());
  auto team_code = [&](const char* side) {
    auto it = g.find(side);
    if (it == g.end() || !it->is_object()) at.fail(side, "", "missing");
    std::string code = text_member(*it, "abbreviation");
    if (!is_nba_tricode(code)) at.fail(std::string(side) + ".abbreviation", code, "not an NBA tricode");
    return code;
  };
  info.home = team_code("home_team");
  info.away = team_code("visitor_team");
  if (info.home == info.away) at.fail("visitor_team.abbreviation", info.away, "same team as home_team");
  info.game_id = info.date.compact() + "_" + info.away + "_" + info.home;
  at = RowRef(source_name, "game #" + std::to_string(gi) + " (" + info.game_id + ")", info.date.iso());
  info.status = text_member(g, "status");
  info.period = number_of(at, g, "period", limits::kPeriod, false);
  if (auto ps = g.find("postseason"); ps != g.end() && !ps->is_null()) {
    if (!ps->is_boolean()) at.fail("postseason", json_preview(*ps), "expected true or false");
    info.postseason = ps->get<bool>();
  }
  info.home_score = number_of(at, g, "home_team_score", limits::kTeamScore, false);
  info.away_score = number_of(at, g, "visitor_team_score", limits::kTeamScore, false);
  return info;
}

/// Player entry @p p of @p team in @p game, checked (name, one row per player
/// and game, minutes, stat limits, makes ≤ attempts); @p game_row names the
/// game in messages, @p pat the entry until its player is known.
BdlLine player_line(const json& p, const GameInfo& game, const std::string& team, const std::string& game_row,
                    RowRef pat, UniqueKeys& keys) {
  auto pl = p.is_object() ? p.find("player") : p.end();
  if (!p.is_object() || pl == p.end() || !pl->is_object()) pat.fail("player", "", "missing");
  BdlLine line;
  line.game = &game;
  line.team = team;
  for (const char* part : {"first_name", "last_name"}) {
    auto it = pl->find(part);
    if (it == pl->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      pat.fail(std::string("player.") + part, it == pl->end() ? "" : json_preview(*it), "missing or not text");
    }
  }
  line.full_name = text_member(*pl, "first_name") + " " + text_member(*pl, "last_name");
  // The rule of every importer: a name without letters ("123 45") is refused.
  line.lookup = raw::checked_player_lookup(line.full_name, pat, "player.first_name + last_name");
  pat = RowRef(pat.source(), game_row + " player " + line.lookup, game.date.iso());
  keys.claim(pat, game.game_id + " " + line.lookup);
  line.player_id = number_of(pat, *pl, "id", limits::kId, false);
  line.jersey = text_member(*pl, "jersey_number");
  line.position = text_member(*pl, "position");
  bool played = false;
  if (auto m = p.find("min"); m != p.end() && !m->is_null()) {
    if (!m->is_string()) pat.fail("min", json_preview(*m), "expected minutes as text (MM or MM:SS)");
    line.minutes = m->get<std::string>();
    if (!line.minutes.empty()) played = parse_minutes(pat, "min", line.minutes) > 0;
  }
  for (size_t k = 0; k < kNumStats; ++k) {
    line.stats[k] = number_of(pat, p, kStats[k].key, kStats[k].limits, kStats[k].real);
    // A player who played has every count: a missing one would be stored as
    // NULL over the warehouse's value (the raw bdl kinds refuse it too).
    if (played && !kStats[k].real && !line.stats[k]) {
      pat.fail(kStats[k].key, "", "missing for a player who played (min " + line.minutes + ")");
    }
  }
  for (auto [m, a] : kMakes) {
    if (line.stats[m] && line.stats[a]) {
      check_makes(pat, kStats[m].key, static_cast<int64_t>(*line.stats[m]), kStats[a].key,
                  static_cast<int64_t>(*line.stats[a]));
    }
  }
  return line;
}

/// The lines as rows of nba_raw.bdl_player_boxscores.
Table box_score_rows(const std::vector<BdlLine>& lines, const std::string& source_name) {
  Table t(catalog::get("nba_raw.bdl_player_boxscores"));
  t.resize(lines.size());
  auto set_opt = [&](size_t r, ColumnId col, const std::optional<double>& v, bool real) {
    if (!v) return t.col(col).set_null(r);
    if (real) return t.set(r, col, *v);
    t.set(r, col, static_cast<int64_t>(*v));
  };
  for (size_t r = 0; r < lines.size(); ++r) {
    const BdlLine& l = lines[r];
    const GameInfo& g = *l.game;
    t.set(r, bdlp::game_id, g.game_id);
    t.set(r, bdlp::game_date, g.date);
    t.set(r, bdlp::season_year, season_of(g.date));
    if (!g.status.empty()) t.set(r, bdlp::game_status, g.status);
    set_opt(r, bdlp::period, g.period, false);
    t.set(r, bdlp::is_postseason, g.postseason);
    t.set(r, bdlp::home_team_abbr, g.home);
    t.set(r, bdlp::away_team_abbr, g.away);
    set_opt(r, bdlp::home_team_score, g.home_score, false);
    set_opt(r, bdlp::away_team_score, g.away_score, false);
    t.set(r, bdlp::team_abbr, l.team);
    t.set(r, bdlp::player_full_name, l.full_name);
    t.set(r, bdlp::player_lookup, l.lookup);
    set_opt(r, bdlp::bdl_player_id, l.player_id, false);
    if (!l.jersey.empty()) t.set(r, bdlp::jersey_number, l.jersey);
    if (!l.position.empty()) t.set(r, bdlp::position, l.position);
    if (!l.minutes.empty()) t.set(r, bdlp::minutes, l.minutes);
    for (size_t k = 0; k < kNumStats; ++k) set_opt(r, kStats[k].column, l.stats[k], kStats[k].real);
    t.set(r, bdlp::source_file_path, source_name);
    t.set(r, bdlp::created_at, kLoadStamp);
    t.set(r, bdlp::processed_at, kLoadStamp);
  }
  return t;
}

}  // namespace

Table parse_bdl_box_scores(const std::string& json_text, const std::string& source_name) {
  json root;
  try {
    root = parse_json_limited(json_text, source_name);
  } catch (const json::exception& e) {
    throw DataError(source_name + ": malformed JSON " + plain_json_error(e));
  }
  const json& games = games_list(root, source_name);
  std::vector<GameInfo> infos(games.size());
  std::vector<BdlLine> lines;
  UniqueKeys keys("(game_id, player_lookup)");
  for (size_t gi = 0; gi < games.size(); ++gi) {
    const json& g = games[gi];
    RowRef at(source_name, "game #" + std::to_string(gi));
    infos[gi] = game_info(g, source_name, gi, at);
    const GameInfo& info = infos[gi];
    for (const char* side : {"home_team", "visitor_team"}) {
      const json& team = g.at(side);
      auto players = team.find("players");
      if (players == team.end() || !players->is_array()) {
        at.fail(std::string(side) + ".players", "", "missing or not a list");
      }
      const std::string& code = std::string(side) == "home_team" ? info.home : info.away;
      for (size_t pi = 0; pi < players->size(); ++pi) {
        RowRef pat(source_name, at.row() + " " + side + ".players[" + std::to_string(pi) + "]", info.date.iso());
        lines.push_back(player_line((*players)[pi], info, code, at.row(), pat, keys));
      }
    }
  }
  std::sort(lines.begin(), lines.end(), [](const BdlLine& a, const BdlLine& b) {
    return std::tie(a.game->date, a.game->game_id, a.team, a.lookup) <
           std::tie(b.game->date, b.game->game_id, b.team, b.lookup);
  });
  Table t = box_score_rows(lines, source_name);
  // The legacy DDL's hash inputs for this table.
  fill_data_hash(
      t, {"game_id", "player_lookup", "points", "rebounds", "assists", "field_goals_made", "field_goals_attempted"});
  require_unique_keys(t, source_name);
  return t;
}

Table import_bdl_box_scores(const std::string& path) { return parse_bdl_box_scores(read_text_file(path), path); }

}  // namespace nbaprops::importers
