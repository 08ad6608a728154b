// balldontlie lake files → nba_raw.bdl_player_boxscores, to the legacy's rules:
// the /boxscores endpoint (games with nested players,
// `ball-dont-lie/boxscores/{date}/`) and the /stats endpoint (one entry per
// player-game, `ball-dont-lie/player-box-scores/{scrape date}/`).
#include <iterator>
#include <map>
#include <utility>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/schema.hpp"
#include "raw_internal.hpp"

namespace nbaprops::importers::raw {
namespace {

namespace bdlp = cols::bdl_player_boxscores;

const json& list_member(const json& root, const char* primary, const Where& w) {
  if (root.is_array()) return root;
  if (!root.is_object()) fail(w, "(top level)", "", "expected a JSON object or list");
  for (const char* k : {primary, "data"}) {
    if (auto it = root.find(k); it != root.end() && !it->is_null()) {
      if (!it->is_array()) fail(w, k, json_preview(*it), "expected a list");
      return *it;
    }
  }
  fail(w, primary, "", "missing field");
}

Date date_field(const json& obj, const char* key, const Where& w) {
  const std::string text = need_text(obj, key, w);
  try {
    return Date::parse(text.substr(0, std::min<size_t>(10, text.size())), key);
  } catch (const Error&) {
    fail(w, key, "'" + text + "'", "expected YYYY-MM-DD");
  }
}

/// A balldontlie team object → tricode: full_name, then abbreviation, then city
/// + name.
std::string bdl_team(const json& team, const Where& w) {
  for (const std::string& cand :
       {opt_text(team, "full_name", w).value_or(""), opt_text(team, "abbreviation", w).value_or(""),
        opt_text(team, "city", w).value_or("") + " " + opt_text(team, "name", w).value_or("")}) {
    std::string code = team_code(cand);
    if (!code.empty()) return code;
  }
  return "";
}

/// The fields a player's name is made of, as errors name them.
constexpr const char* kNameFields = "player.first_name + last_name";

/// Legacy: NULL counting stats become 0; percentages stay NULL (fill_player).
constexpr std::pair<const char*, ColumnId> kCounts[] = {{"pts", bdlp::points},
                                                        {"ast", bdlp::assists},
                                                        {"reb", bdlp::rebounds},
                                                        {"oreb", bdlp::offensive_rebounds},
                                                        {"dreb", bdlp::defensive_rebounds},
                                                        {"stl", bdlp::steals},
                                                        {"blk", bdlp::blocks},
                                                        {"turnover", bdlp::turnovers},
                                                        {"pf", bdlp::personal_fouls},
                                                        {"fgm", bdlp::field_goals_made},
                                                        {"fga", bdlp::field_goals_attempted},
                                                        {"fg3m", bdlp::three_pointers_made},
                                                        {"fg3a", bdlp::three_pointers_attempted},
                                                        {"ftm", bdlp::free_throws_made},
                                                        {"fta", bdlp::free_throws_attempted}};
constexpr std::pair<const char*, ColumnId> kPcts[] = {
    {"fg_pct", bdlp::field_goal_pct}, {"fg3_pct", bdlp::three_point_pct}, {"ft_pct", bdlp::free_throw_pct}};

/// Fills one player line (game-level columns are set by the caller).
void fill_player(Table& t, size_t r, const json& line, const json& player, const Where& w) {
  const std::string full = need_text(player, "first_name", w) + " " + need_text(player, "last_name", w);
  // Legacy: lowercase and drop non-[a-z0-9] without folding diacritics ("Jokić"
  // → "nikolajoki"). Fixed: the canonical player_lookup ("nikolajokic"), as in
  // every other table. A name without letters ("123 45", a misread column) is
  // refused like every importer's (legacy stored it as name and lookup).
  const std::string lookup = checked_player_lookup(full, w, kNameFields);
  t.set(r, bdlp::player_full_name, full);
  t.set(r, bdlp::player_lookup, lookup);
  t.col(bdlp::bdl_player_id).set_int(r, opt_int(player, "id", w));
  if (auto j = opt_text(player, "jersey_number", w)) t.set(r, bdlp::jersey_number, *j);
  if (auto p = opt_text(player, "position", w)) t.set(r, bdlp::position, *p);
  const std::optional<std::string> minutes = opt_text(line, "min", w);
  if (minutes) t.set(r, bdlp::minutes, *minutes);
  // Played: minutes other than "", "0", "00", "0:00".
  const bool played = minutes && minutes->find_first_not_of("0:.") != std::string::npos;
  // Legacy: NULL counting stats become 0; percentages stay NULL. Changed: a
  // player who played must carry every count (a missing one would replace the
  // stored value with a made-up 0).
  for (size_t k = 0; k < std::size(kCounts); ++k) {
    const char* src = kCounts[k].first;
    const std::optional<int64_t> v = opt_int(line, src, w);
    if (!v && played) fail(w, src, "", "missing for a player who played (min " + *minutes + ")");
    t.set(r, kCounts[k].second, v.value_or(0));
  }
  for (size_t k = 0; k < std::size(kPcts); ++k) t.col(kPcts[k].second).set_real(r, opt_real(line, kPcts[k].first, w));
}

void fill_game(Table& t, size_t r, const json& g, Date date, const std::string& away, const std::string& home,
               const std::string& team, const std::string& path, const Where& w) {
  t.set(r, bdlp::game_id, standard_game_id(date, away, home));
  t.set(r, bdlp::game_date, date);
  t.set(r, bdlp::season_year, opt_int(g, "season", w).value_or(season_of(date)));
  if (auto st = opt_text(g, "status", w)) t.set(r, bdlp::game_status, *st);
  t.col(bdlp::period).set_int(r, opt_int(g, "period", w));
  t.set(r, bdlp::is_postseason, g.is_object() && g.value("postseason", false));
  t.set(r, bdlp::home_team_abbr, home);
  t.set(r, bdlp::away_team_abbr, away);
  t.col(bdlp::home_team_score).set_int(r, opt_int(g, "home_team_score", w));
  t.col(bdlp::away_team_score).set_int(r, opt_int(g, "visitor_team_score", w));
  t.set(r, bdlp::team_abbr, team);
  t.set(r, bdlp::source_file_path, path);
  t.set(r, bdlp::created_at, kLoadStamp);
  t.set(r, bdlp::processed_at, kLoadStamp);
}

}  // namespace

Parsed parse_bdl_boxscores(const std::string& text, const std::string& path, const Schedule& s) {
  static const TableSchema& schema = catalog::get("nba_raw.bdl_player_boxscores");
  Parsed out(schema);
  auto [root, lp, w] = open_lake_file(text, path);
  const json& games = list_member(root, "boxScores", w);
  for (size_t gi = 0; gi < games.size(); ++gi) {
    const json& g = games[gi];
    Where gw{path, "boxScores[" + std::to_string(gi) + "]", w.date};
    const Date date = date_field(g, "date", gw);
    gw.date = date.iso();
    const json& ht = need(g, "home_team", gw);
    const json& vt = need(g, "visitor_team", gw);
    const std::string home = bdl_team(ht, gw), away = bdl_team(vt, gw);
    if (home.empty() || away.empty()) {
      // Legacy skips games whose teams are not NBA teams (All-Star and
      // exhibition opponents).
      NBAPROPS_LOG_INFO << path << ": skipping non-NBA game " << gi << " on " << date.iso();
      continue;
    }
    if (is_exhibition(find_game(s, date, away, home))) continue;
    gw.record += " " + away + "@" + home;
    for (const auto& [side, team_json, team] :
         {std::tuple{"home_team", &ht, home}, std::tuple{"visitor_team", &vt, away}}) {
      auto players = team_json->find("players");
      if (players == team_json->end() || players->is_null()) continue;
      if (!players->is_array()) fail(gw, std::string(side) + ".players", "", "expected a list");
      for (size_t pi = 0; pi < players->size(); ++pi) {
        const json& line = (*players)[pi];
        Where pw{path, gw.record + " " + side + ".players[" + std::to_string(pi) + "]", gw.date};
        const json& player = need(line, "player", pw);
        pw.record += " '" + opt_text(player, "first_name", pw).value_or("") + " " +
                     opt_text(player, "last_name", pw).value_or("") + "'";
        const size_t r = out.add(pw);
        fill_game(out.rows, r, g, date, away, home, team, path, pw);
        fill_player(out.rows, r, line, player, pw);
      }
    }
  }
  return out;
}

Parsed parse_bdl_stats(const std::string& text, const std::string& path, const Schedule& s) {
  static const TableSchema& schema = catalog::get("nba_raw.bdl_player_boxscores");
  Parsed out(schema);
  auto [root, lp, w] = open_lake_file(text, path);
  const json& stats = list_member(root, "stats", w);
  // balldontlie team id → tricode, from every entry (an entry names only its
  // own team).
  std::map<int64_t, std::string> team_of_id;
  for (size_t i = 0; i < stats.size(); ++i) {
    Where ew{path, "stats[" + std::to_string(i) + "]", w.date};
    const json& team = need(stats[i], "team", ew);
    auto id = opt_int(team, "id", ew);
    std::string code = bdl_team(team, ew);
    if (id && !code.empty()) team_of_id[*id] = code;
  }
  for (size_t i = 0; i < stats.size(); ++i) {
    const json& e = stats[i];
    Where ew{path, "stats[" + std::to_string(i) + "]", w.date};
    const json& g = need(e, "game", ew);
    const json& team = need(e, "team", ew);
    const json& player = need(e, "player", ew);
    const Date date = date_field(g, "date", ew);
    ew.date = date.iso();
    const std::string code = bdl_team(team, ew);
    if (code.empty()) {
      NBAPROPS_LOG_INFO << path << ": skipping entry " << i << " of a non-NBA team on " << date.iso();
      continue;
    }
    const auto team_id = opt_int(team, "id", ew);
    const auto home_id = opt_int(g, "home_team_id", ew), away_id = opt_int(g, "visitor_team_id", ew);
    if (!team_id || !home_id || !away_id || (*team_id != *home_id && *team_id != *away_id)) {
      fail(ew, "game.home_team_id", home_id ? std::to_string(*home_id) : "",
           "cannot tell the player's side of the game");
    }
    const bool is_home = *team_id == *home_id;
    const int64_t other_id = is_home ? *away_id : *home_id;
    std::string other = team_of_id.count(other_id) ? team_of_id[other_id] : "";
    if (other.empty()) {
      // The opponent has no entry in this file: take it from the schedule
      // (legacy wrote a YYYYMMDD_BDL<id> game id that joins nothing).
      for (const Game* sg : s.all_games_on(date)) {
        if (sg->home == code || sg->away == code) other = sg->home == code ? sg->away : sg->home;
      }
      if (other.empty())
        fail(ew, "game.id", opt_text(g, "id", ew).value_or(""),
             "opponent unknown (no entry in the file, no schedule game)");
    }
    const std::string home = is_home ? code : other, away = is_home ? other : code;
    if (is_exhibition(find_game(s, date, away, home))) continue;
    ew.record += " " + away + "@" + home + " '" + opt_text(player, "first_name", ew).value_or("") + " " +
                 opt_text(player, "last_name", ew).value_or("") + "'";
    const size_t r = out.add(ew);
    fill_game(out.rows, r, g, date, away, home, code, path, ew);
    fill_player(out.rows, r, e, player, ew);
  }
  return out;
}

}  // namespace nbaprops::importers::raw
