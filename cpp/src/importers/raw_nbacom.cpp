// NBA.com lake files: parsed gamebooks (player lines with DNP / inactive), team
// box scores and injury reports → nba_raw.nbac_gamebook_player_stats,
// nbac_team_boxscore, nbac_injury_report.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string_view>
#include <vector>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/teams.hpp"
#include "raw_internal.hpp"

namespace nbaprops::importers::raw {
namespace {

namespace gbps = cols::nbac_gamebook_player_stats;
namespace tbx = cols::nbac_team_boxscore;
namespace injr = cols::nbac_injury_report;
namespace bdlp = cols::bdl_player_boxscores;

std::string upper_trim(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }), s.end());
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string collapse_spaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// "35:42" → 35.7; "" / "-" → nullopt; anything else → DataError naming
/// @p field. Player (gamebook) and team (box score, "265:00") minutes alike.
std::optional<double> minutes_decimal(const std::string& text, const Where& w, const char* field = "minutes") {
  if (text.empty() || text == "-") return std::nullopt;
  auto colon = text.find(':');
  int mm = 0, ss = 0;
  bool ok = colon != std::string::npos && colon > 0 && text.size() - colon - 1 == 2;
  for (size_t i = 0; ok && i < text.size(); ++i) {
    if (i == colon) continue;
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) ok = false;
  }
  if (ok) {
    mm = std::stoi(text.substr(0, colon));
    ss = std::stoi(text.substr(colon + 1));
    ok = ss < 60;
  }
  if (!ok) fail(w, field, "'" + text + "'", "expected MM:SS");
  return mm + ss / 60.0;
}

bool has_suffix(const std::string& name) {
  static const char* kSuffixes[] = {" jr", " jr.", " sr", " sr.", " ii", " iii", " iv", " v"};
  const std::string l = lower(name);
  return std::any_of(std::begin(kSuffixes), std::end(kSuffixes), [&](const char* s) {
    const std::string suf(s);
    return l.size() > suf.size() && l.compare(l.size() - suf.size(), suf.size(), suf) == 0;
  });
}

/// 2·(FGM − 3PM) + 3·3PM + FTM must equal PTS when all are known.
/// @p fgm, @p tpm, @p ftm, @p pts: the columns (of the gamebook or the team
/// box score); @p pts_name names the points column in the error.
void check_points(const Table& t, size_t r, const Where& w, ColumnId fgm, ColumnId tpm, ColumnId ftm, ColumnId pts,
                  const char* pts_name) {
  auto a = t.col(fgm).get_int(r), b = t.col(tpm).get_int(r), c = t.col(ftm).get_int(r), p = t.col(pts).get_int(r);
  if (a && b && c && p && 2 * (*a - *b) + 3 * *b + *c != *p) {
    fail(w, pts_name, std::to_string(*p),
         "does not match the shots: 2·(" + std::to_string(*a) + "−" + std::to_string(*b) + ") + 3·" +
             std::to_string(*b) + " + " + std::to_string(*c) + " = " + std::to_string(2 * (*a - *b) + 3 * *b + *c));
  }
}

/// The game a gamebook file is of.
struct GamebookGame {
  std::string game_code, away, home, game_id;
  Date date;
};

/// game_code is stored as is: it must be NBA.com's "YYYYMMDD/AWAYHOME" of the
/// file's own date and teams (as the game folder must).
void check_game_code(const GamebookGame& g, const Where& w) {
  const std::string& c = g.game_code;
  const bool shape = c.size() == 15 && c[8] == '/' &&
                     std::all_of(c.begin(), c.begin() + 8, [](unsigned char x) { return std::isdigit(x); }) &&
                     std::all_of(c.begin() + 9, c.end(), [](unsigned char x) { return std::isupper(x); });
  if (!shape) fail(w, "game_code", "'" + c + "'", "expected YYYYMMDD/AWAYHOME (e.g. 20240410/MEMCLE)");
  const std::string expect = g.date.compact() + "/" + g.away + g.home;
  if (c != expect) {
    fail(w, "game_code", "'" + c + "'", "the file's date and teams (date, away_team, home_team) say " + expect);
  }
}

/// Date and teams: the JSON's own fields, else the game-code folder
/// YYYYMMDD-AWAYHOME, else the game_code "YYYYMMDD/AWAYHOME". nullopt for a
/// preseason or All-Star game (legacy: no rows). @p w receives the date.
std::optional<GamebookGame> gamebook_game(const json& root, const LakePath& lp, const Schedule& s, Where& w) {
  GamebookGame g;
  g.game_code = need_text(root, "game_code", w);
  static const char* kArrays[] = {"active_players", "dnp_players", "inactive_players"};
  if (std::none_of(std::begin(kArrays), std::end(kArrays), [&](const char* k) { return root.contains(k); })) {
    fail(w, "active_players", "", "none of active_players, dnp_players, inactive_players is present");
  }
  std::string code_tail =
      g.game_code.find('/') != std::string::npos ? g.game_code.substr(g.game_code.find('/') + 1) : "";
  if (lp.group.size() == 15 && lp.group[8] == '-') code_tail = lp.group.substr(9);
  if (auto d = opt_text(root, "date", w)) {
    try {
      g.date = Date::parse(d->substr(0, 10), "date");
    } catch (const Error&) {
      fail(w, "date", "'" + *d + "'", "expected YYYY-MM-DD");
    }
  } else if (lp.date) {
    g.date = *lp.date;
  } else {
    fail(w, "date", "", "missing field (and the path has no date folder)");
  }
  w.date = g.date.iso();
  g.away = upper_trim(opt_text(root, "away_team", w).value_or(code_tail.size() == 6 ? code_tail.substr(0, 3) : ""));
  g.home = upper_trim(opt_text(root, "home_team", w).value_or(code_tail.size() == 6 ? code_tail.substr(3, 3) : ""));
  // Legacy: preseason and All-Star games give no rows (All-Star teams have no
  // NBA code).
  if ((!is_nba_tricode(g.away) || !is_nba_tricode(g.home)) && is_exhibition_game(s, g.date, g.away, g.home)) {
    return std::nullopt;
  }
  if (!is_nba_tricode(g.away)) fail(w, "away_team", "'" + g.away + "'", "not an NBA team code");
  if (!is_nba_tricode(g.home)) fail(w, "home_team", "'" + g.home + "'", "not an NBA team code");
  check_game_code(g, w);
  if (lp.group.size() == 15 && lp.group[8] == '-' &&
      (lp.group.substr(0, 8) != g.date.compact() || lp.group.substr(9) != g.away + g.home)) {
    fail(w, "game_code", "'" + g.game_code + "'",
         "the game folder says " + lp.group.substr(9) + " on " + lp.group.substr(0, 8));
  }
  // Legacy: preseason and All-Star dates give no rows.
  if (is_exhibition(find_game(s, g.date, g.away, g.home))) return std::nullopt;
  g.game_id = standard_game_id(g.date, g.away, g.home);
  return g;
}

/// A gamebook player's stat: its key in the stats object (the field errors
/// name) and its column.
struct GamebookStat {
  const char* key;
  ColumnId column;
};

/// A gamebook player's counts (those a player who played must have come
/// first, kRequiredInts) and percentages.
constexpr GamebookStat kInts[] = {{"points", gbps::points},
                                  {"field_goals_made", gbps::field_goals_made},
                                  {"field_goals_attempted", gbps::field_goals_attempted},
                                  {"three_pointers_made", gbps::three_pointers_made},
                                  {"three_pointers_attempted", gbps::three_pointers_attempted},
                                  {"free_throws_made", gbps::free_throws_made},
                                  {"free_throws_attempted", gbps::free_throws_attempted},
                                  {"assists", gbps::assists},
                                  {"offensive_rebounds", gbps::offensive_rebounds},
                                  {"defensive_rebounds", gbps::defensive_rebounds},
                                  {"steals", gbps::steals},
                                  {"blocks", gbps::blocks},
                                  {"turnovers", gbps::turnovers},
                                  {"plus_minus", gbps::plus_minus}};
constexpr size_t kRequiredInts = 8;
constexpr GamebookStat kReals[] = {{"field_goal_percentage", gbps::field_goal_percentage},
                                   {"three_point_percentage", gbps::three_point_percentage},
                                   {"free_throw_percentage", gbps::free_throw_percentage}};

/// An active player's box score (object @p st) into row @p r, checked: points
/// against the shots, total rebounds against offensive + defensive.
void gamebook_stats(Table& t, size_t r, const json& st, const Where& pw) {
  if (!st.is_object()) fail(pw, "stats", json_preview(st), "expected an object");
  if (auto m = opt_text(st, "minutes", pw)) {
    t.set(r, gbps::minutes, *m);
    t.col(gbps::minutes_decimal).set_real(r, minutes_decimal(*m, pw));
  }
  for (size_t k = 0; k < std::size(kInts); ++k) t.col(kInts[k].column).set_int(r, opt_int(st, kInts[k].key, pw));
  for (size_t k = 0; k < std::size(kReals); ++k) t.col(kReals[k].column).set_real(r, opt_real(st, kReals[k].key, pw));
  // Legacy read `rebounds_total` / `rebounds` while the scraper writes
  // `total_rebounds`, so its rows had NULL total rebounds. Fixed:
  // `total_rebounds` first, the legacy names as fallbacks.
  auto reb = opt_int(st, "total_rebounds", pw);
  if (!reb) reb = opt_int(st, "rebounds_total", pw);
  if (!reb) reb = opt_int(st, "rebounds", pw);
  t.col(gbps::total_rebounds).set_int(r, reb);
  auto pf = opt_int(st, "fouls", pw);
  if (!pf) pf = opt_int(st, "personal_fouls", pw);
  t.col(gbps::personal_fouls).set_int(r, pf);
  // A player with minutes has his box score: a missing count would replace
  // the stored value with NULL.
  if (auto m = t.col(gbps::minutes_decimal).get_real(r); m && *m > 0) {
    auto require = [&](const char* k, ColumnId col) {
      if (t.col(col).is_null(r))
        fail(pw, k, "", "missing for a player who played (minutes " + *t.col(gbps::minutes).get_text(r) + ")");
    };
    for (size_t i = 0; i < kRequiredInts; ++i) require(kInts[i].key, kInts[i].column);
    require("total_rebounds", gbps::total_rebounds);
  }
  check_points(t, r, pw, gbps::field_goals_made, gbps::three_pointers_made, gbps::free_throws_made, gbps::points,
               "points");
  auto o = t.col(gbps::offensive_rebounds).get_int(r), d = t.col(gbps::defensive_rebounds).get_int(r);
  if (o && d && reb && *o + *d != *reb) {
    fail(pw, "total_rebounds", std::to_string(*reb),
         "is not offensive + defensive rebounds (" + std::to_string(*o) + " + " + std::to_string(*d) + ")");
  }
}

/// One player @p p of list @p status ("active", "dnp", "inactive") as a row.
void gamebook_player(const json& p, const std::string& status, const GamebookGame& g, Where& pw, Parsed& out) {
  const std::string name = need_text(p, "name", pw);
  pw.record += " '" + name + "'";
  const std::string team_name = need_text(p, "team", pw);
  const std::string team = team_code(team_name);
  if (team.empty()) fail(pw, "team", "'" + team_name + "'", "unknown team name");
  if (team != g.away && team != g.home) fail(pw, "team", "'" + team_name + "'", "not a team of game " + g.game_id);
  // Legacy stored a number (12345, a misread PDF column) as a player's name and
  // lookup. A name has letters.
  const std::string lookup = checked_player_lookup(name, pw, "name");

  const size_t r = out.add(pw);
  Table& t = out.rows;
  t.set(r, gbps::game_id, g.game_id);
  t.set(r, gbps::game_code, g.game_code);
  t.set(r, gbps::game_date, g.date);
  t.set(r, gbps::season_year, season_of(g.date));
  t.set(r, gbps::home_team_abbr, g.home);
  t.set(r, gbps::away_team_abbr, g.away);
  t.set(r, gbps::player_name_original, name);
  t.set(r, gbps::player_name, name);
  t.set(r, gbps::player_lookup, lookup);
  t.set(r, gbps::team_abbr, team);
  t.set(r, gbps::player_status, status);
  std::string flags = "\"team_mapped\"";
  if (has_suffix(name)) flags += ",\"suffix_handled\"";
  if (status == "inactive") {
    // Inactive players carry only the last name: not_found (lookup of the
    // last name, flagged for review) until resolve_inactive_names() finds the
    // full name in the warehouse at import.
    t.set(r, gbps::name_resolution_status, "not_found");
    t.set(r, gbps::name_resolution_confidence, 0.0);
    t.set(r, gbps::name_resolution_method, "not_found");
    t.set(r, gbps::requires_manual_review, true);
    flags += ",\"no_roster_match\"";
  } else {
    t.set(r, gbps::name_resolution_status, "original");
    t.set(r, gbps::name_resolution_confidence, 1.0);
    t.set(r, gbps::requires_manual_review, false);
  }
  t.set(r, gbps::data_quality_flags, "[" + flags + "]");
  if (status != "active") {
    auto reason = opt_text(p, "dnp_reason", pw);
    if (!reason) reason = opt_text(p, "reason", pw);
    if (reason) t.set(r, gbps::dnp_reason, *reason);
    return;  // DNP and inactive rows: every stat column NULL (not 0)
  }
  gamebook_stats(t, r, need(p, "stats", pw), pw);
}

}  // namespace

Parsed parse_gamebook(const std::string& text, const std::string& path, const Schedule& s) {
  static const TableSchema& schema = catalog::get("nba_raw.nbac_gamebook_player_stats");
  Parsed out(schema);
  auto [root, lp, w] = open_lake_file(text, path);
  if (!root.is_object()) fail(w, "(top level)", "", "expected a JSON object");
  const std::optional<GamebookGame> game = gamebook_game(root, lp, s, w);
  if (!game) {
    out.exhibition = true;
    return out;
  }
  static const std::pair<const char*, const char*> kLists[] = {
      {"active_players", "active"}, {"dnp_players", "dnp"}, {"inactive_players", "inactive"}};
  // The rows replace every stored row of the game: a file without its active
  // players (renamed list, one team only, fewer than it counts) would turn
  // the stored box score into DNP / inactive rows, so it is refused.
  if (auto it = root.find("active_players"); it == root.end() || it->is_null() || (it->is_array() && it->empty())) {
    fail(w, "active_players", "",
         it == root.end() || it->is_null() ? "missing field (a gamebook without its active players is not imported)"
                                           : "empty list (a gamebook without its active players is not imported)");
  }
  for (const auto& [array, status] : kLists) {
    auto it = root.find(array);
    const bool absent = it == root.end() || it->is_null();
    if (!absent && !it->is_array()) fail(w, array, json_preview(*it), "expected a list");
    const std::string count_key = std::string(status) + "_count";
    if (auto n = opt_int(root, count_key.c_str(), w); n && *n != static_cast<int64_t>(absent ? 0 : it->size())) {
      fail(w, array, std::to_string(absent ? 0 : it->size()) + " players",
           "the file's own " + count_key + " is " + std::to_string(*n));
    }
    if (absent) continue;
    for (size_t i = 0; i < it->size(); ++i) {
      Where pw{path, std::string(array) + "[" + std::to_string(i) + "]", w.date};
      gamebook_player((*it)[i], status, *game, pw, out);
    }
  }
  for (const std::string& team : {game->away, game->home}) {
    bool seen = false;
    for (size_t r = 0; r < out.rows.num_rows() && !seen; ++r) {
      seen = out.rows.get_text(r, gbps::player_status) == "active" && out.rows.get_text(r, gbps::team_abbr) == team;
    }
    if (!seen) fail(w, "active_players", "", "no active player of " + team + " (the list covers one team only)");
  }
  for (size_t r = 0; r < out.rows.num_rows(); ++r) {
    out.rows.set(r, gbps::source_file_path, path);
    out.rows.set(r, gbps::processed_at, kLoadStamp);
  }
  return out;
}

namespace {

/// Lookup key of a last name ("Jackson Jr." → {"jackson", "jr"}): the suffix is
/// split off.
std::pair<std::string, std::string> last_name_key(const std::string& last) {
  std::vector<std::string> words;
  std::string w;
  for (char c : last + " ") {
    if (c == ' ') {
      if (!w.empty()) words.push_back(w);
      w.clear();
    } else {
      w.push_back(c);
    }
  }
  std::string suffix;
  if (words.size() > 1) {
    const std::string tail = player_lookup(words.back());
    static const char* kSuffixes[] = {"jr", "sr", "ii", "iii", "iv", "v"};
    if (std::any_of(std::begin(kSuffixes), std::end(kSuffixes), [&](const char* k) { return tail == k; })) {
      suffix = tail;
      words.pop_back();
    }
  }
  std::string rest;
  for (const std::string& x : words) rest += x;
  return {player_lookup(rest), suffix};
}

/// Full name → the key of its last name (everything after the first word).
std::pair<std::string, std::string> full_name_key(const std::string& full) {
  auto sp = full.find(' ');
  return last_name_key(sp == std::string::npos ? full : full.substr(sp + 1));
}

/// Candidates: index key → {player_lookup → (full name, suffix)}.
using CandidateIndex = std::map<std::string, std::map<std::string, std::pair<std::string, std::string>>>;

void add_candidate(CandidateIndex& idx, const std::string& prefix, const std::optional<std::string>& full) {
  if (!full || full->find(' ') == std::string::npos) return;
  const std::string lookup = player_lookup(*full);
  if (lookup.empty()) return;
  auto [key, suffix] = full_name_key(*full);
  idx[prefix + key][lookup] = {*full, suffix};
}

}  // namespace

void resolve_inactive_names(Table& rows, Warehouse& wh) {
  std::vector<size_t> inactive;
  std::optional<Date> lo, hi;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    if (rows.get_text(r, gbps::player_status) != "inactive") continue;
    inactive.push_back(r);
    const Date d = *rows.get_date(r, gbps::game_date);
    lo = lo ? std::min(*lo, d) : d;
    hi = hi ? std::max(*hi, d) : d;
  }
  if (inactive.empty()) return;
  CandidateIndex by_game, by_team;  // "game|team|last" (injury report of the
                                    // game), "team|last" (history)
  Table inj = wh.read(catalog::get("nba_raw.nbac_injury_report"), DateRange{*lo - 2, *hi},
                      {"game_id", "team", "player_full_name"});
  for (size_t r = 0; r < inj.num_rows(); ++r) {
    add_candidate(by_game,
                  inj.get_text(r, injr::game_id).value_or("") + "|" + inj.get_text(r, injr::team).value_or("") + "|",
                  inj.get_text(r, injr::player_full_name));
  }
  const DateRange history{*lo - 90, *hi};
  Table bdl = wh.read(catalog::get("nba_raw.bdl_player_boxscores"), history, {"team_abbr", "player_full_name"});
  for (size_t r = 0; r < bdl.num_rows(); ++r) {
    add_candidate(by_team, bdl.get_text(r, bdlp::team_abbr).value_or("") + "|",
                  bdl.get_text(r, bdlp::player_full_name));
  }
  Table gb = wh.read(catalog::get("nba_raw.nbac_gamebook_player_stats"), history,
                     {"team_abbr", "player_name", "player_status"});
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    if (gb.get_text(r, gbps::player_status) == "inactive") continue;
    add_candidate(by_team, gb.get_text(r, gbps::team_abbr).value_or("") + "|", gb.get_text(r, gbps::player_name));
  }
  for (size_t r : inactive) {
    const std::string team = rows.get_text(r, gbps::team_abbr).value_or("");
    // Not a structured binding: the lambda below captures the suffix (clang < 16 refuses that).
    const auto name_key = last_name_key(rows.get_text(r, gbps::player_name_original).value_or(""));
    const std::string& key = name_key.first;
    const std::string& suffix = name_key.second;
    auto pick = [&](const CandidateIndex& idx, const std::string& k) {
      std::vector<std::pair<std::string, std::string>> out;  // (lookup, full)
      auto it = idx.find(k);
      if (it == idx.end()) return out;
      for (const auto& [lookup, cand] : it->second) {
        if (cand.second == suffix) out.emplace_back(lookup, cand.first);
      }
      return out;
    };
    auto cands = pick(by_game, rows.get_text(r, gbps::game_id).value_or("") + "|" + team + "|" + key);
    if (cands.empty()) cands = pick(by_team, team + "|" + key);
    if (cands.empty()) continue;  // stays not_found, flagged for review
    std::string flags = *rows.get_text(r, gbps::data_quality_flags);
    if (cands.size() == 1) {
      rows.set(r, gbps::player_name, cands[0].second);
      rows.set(r, gbps::player_lookup, cands[0].first);
      rows.set(r, gbps::name_resolution_status, "resolved");
      rows.set(r, gbps::name_resolution_confidence, 1.0);
      rows.set(r, gbps::name_resolution_method, "auto_exact");
      rows.set(r, gbps::requires_manual_review, false);
      flags.replace(flags.find("\"no_roster_match\""), 17, "\"name_resolved\"");
    } else {
      rows.set(r, gbps::name_resolution_status, "multiple_matches");
      rows.set(r, gbps::name_resolution_confidence, 0.6);
      rows.set(r, gbps::name_resolution_method, "pending_review");
      flags.replace(flags.find("\"no_roster_match\""), 17, "\"multiple_candidates\"");
    }
    rows.set(r, gbps::data_quality_flags, flags);
  }
}

namespace {

/// One team's line, from either team-box-score layout.
struct TeamLine {
  Where where;
  std::optional<int64_t> team_id;
  std::string abbr, name, city, minutes, home_away;
  std::optional<bool> is_home;            ///< the DATA export's isHome (newer scrapers), when given
  std::string game_id;                    ///< the line's own game id (GAME_ID; newer scrapers' gameId), or ""
  const char* game_id_field = "gameId";   ///< the file's name of the line's game id field
  const char* minutes_field = "minutes";  ///< the file's name of the minutes field
  const char* team_id_field = "teamId";   ///< the file's name of the team id field
  std::optional<int64_t> fgm, fga, tpm, tpa, ftm, fta, oreb, dreb, reb, ast, stl, blk, tov, pf, pts, pm;
  std::optional<double> fgp, tpp, ftp;
};

std::string joined(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::string_view n : names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

/// Refuses a member of object @p obj that is not one of @p known: a renamed or
/// misspelt field would be dropped, its column stored NULL, without a trace.
/// @p prefix names the object in the message ("fieldGoals.").
void only_known_fields(const json& obj, const std::vector<std::string_view>& known, const Where& w,
                       const std::string& prefix = "") {
  if (!obj.is_object()) return;
  const std::string what = prefix.empty() ? "a team line" : prefix.substr(0, prefix.size() - 1);
  for (const auto& item : obj.items()) {
    if (std::find(known.begin(), known.end(), item.key()) == known.end()) {
      fail(w, prefix + item.key(), json_preview(item.value()),
           "unknown field of " + what + " (its fields are " + joined(known) + ")");
    }
  }
}

/// The scraper's DATA export: teams[] with nested made/attempted objects.
TeamLine team_from_data(const json& t, const Where& w) {
  TeamLine l;
  l.where = w;
  static const char* kRequired[] = {"teamId",        "teamAbbreviation", "teamName",      "teamCity", "fieldGoals",
                                    "threePointers", "freeThrows",       "rebounds",      "assists",  "steals",
                                    "blocks",        "turnovers",        "personalFouls", "points"};
  for (const char* k : kRequired) need(t, k, w);
  // The scraper's fields (gameId and isHome: newer scrapers; homeAway: legacy
  // processor input).
  only_known_fields(t,
                    {"gameId", "teamId", "teamName", "teamAbbreviation", "teamCity", "minutes", "fieldGoals",
                     "threePointers", "freeThrows", "rebounds", "assists", "steals", "blocks", "turnovers",
                     "personalFouls", "points", "plusMinus", "homeAway", "isHome"},
                    w);
  for (const char* shots : {"fieldGoals", "threePointers", "freeThrows"}) {
    only_known_fields(t.at(shots), {"made", "attempted", "percentage"}, w, std::string(shots) + ".");
  }
  only_known_fields(t.at("rebounds"), {"offensive", "defensive", "total"}, w, "rebounds.");
  if (auto h = t.find("isHome"); h != t.end() && !h->is_null()) {
    if (!h->is_boolean()) fail(w, "isHome", json_preview(*h), "expected true or false");
    l.is_home = h->get<bool>();
  }
  l.game_id = opt_text(t, "gameId", w).value_or("");
  l.team_id = opt_int(t, "teamId", w);
  l.abbr = need_text(t, "teamAbbreviation", w);
  l.name = opt_text(t, "teamName", w).value_or("");
  l.city = opt_text(t, "teamCity", w).value_or("");
  l.minutes = opt_text(t, "minutes", w).value_or("");
  l.home_away = upper_trim(opt_text(t, "homeAway", w).value_or(""));
  const json& fg = need(t, "fieldGoals", w);
  const json& tp = need(t, "threePointers", w);
  const json& ft = need(t, "freeThrows", w);
  const json& rb = need(t, "rebounds", w);
  l.fgm = opt_int(fg, "made", w), l.fga = opt_int(fg, "attempted", w), l.fgp = opt_real(fg, "percentage", w);
  l.tpm = opt_int(tp, "made", w), l.tpa = opt_int(tp, "attempted", w), l.tpp = opt_real(tp, "percentage", w);
  l.ftm = opt_int(ft, "made", w), l.fta = opt_int(ft, "attempted", w), l.ftp = opt_real(ft, "percentage", w);
  l.oreb = opt_int(rb, "offensive", w), l.dreb = opt_int(rb, "defensive", w), l.reb = opt_int(rb, "total", w);
  l.ast = opt_int(t, "assists", w), l.stl = opt_int(t, "steals", w), l.blk = opt_int(t, "blocks", w);
  l.tov = opt_int(t, "turnovers", w), l.pf = opt_int(t, "personalFouls", w), l.pts = opt_int(t, "points", w);
  l.pm = opt_int(t, "plusMinus", w);
  return l;
}

/// The TeamStats columns of boxscoretraditionalv2, each once: an unknown or
/// renamed column (its values dropped, the stored column NULL) or a repeated
/// one (the later values winning silently) is refused.
void check_team_stats_headers(const json& headers, const Where& w) {
  static const std::vector<std::string_view> kColumns = {"GAME_ID",   "TEAM_ID", "TEAM_NAME", "TEAM_ABBREVIATION",
                                                         "TEAM_CITY", "MIN",     "FGM",       "FGA",
                                                         "FG_PCT",    "FG3M",    "FG3A",      "FG3_PCT",
                                                         "FTM",       "FTA",     "FT_PCT",    "OREB",
                                                         "DREB",      "REB",     "AST",       "STL",
                                                         "BLK",       "TO",      "PF",        "PTS",
                                                         "PLUS_MINUS"};
  const Where hw{w.file, "TeamStats", w.date};
  for (size_t c = 0; c < headers.size(); ++c) {
    const std::string field = "headers[" + std::to_string(c) + "]";
    if (!headers[c].is_string()) fail(hw, field, json_preview(headers[c]), "expected a column name (text)");
    const std::string& name = headers[c].get_ref<const std::string&>();
    if (std::find(kColumns.begin(), kColumns.end(), name) == kColumns.end()) {
      fail(hw, field, "'" + name + "'", "unknown column (the TeamStats columns are " + joined(kColumns) + ")");
    }
    for (size_t e = 0; e < c; ++e) {
      if (headers[e] == headers[c]) {
        fail(hw, field, "'" + name + "'", "the column appears twice (also headers[" + std::to_string(e) + "])");
      }
    }
  }
}

/// The game a box-score file is of.
struct FileGame {
  std::string id;      ///< the stored nba_game_id
  std::string expect;  ///< the id each team line's own game id must be (leading zeros aside)
  std::string field;   ///< where @ref expect was read (for the messages)
};

/// The undecoded stats.nba.com response: resultSets[name=TeamStats] with
/// headers + rowSet. @p game receives the file's game: the request's
/// parameters.GameID when given, else the first row's GAME_ID.
std::vector<TeamLine> teams_from_result_sets(const json& root, const Where& w, FileGame& game) {
  const json& sets = need(root, "resultSets", w);
  if (!sets.is_array()) fail(w, "resultSets", "", "expected a list");
  const json* ts = nullptr;
  for (const json& rs : sets) {
    if (rs.is_object() && rs.value("name", "") == "TeamStats") ts = &rs;
  }
  if (!ts) fail(w, "resultSets", "", "no TeamStats result set");
  const json& headers = need(*ts, "headers", w);
  const json& rows = need(*ts, "rowSet", w);
  if (!headers.is_array() || !rows.is_array()) fail(w, "TeamStats", "", "headers and rowSet must be lists");
  check_team_stats_headers(headers, w);
  std::vector<TeamLine> out;
  for (size_t i = 0; i < rows.size(); ++i) {
    const json& row = rows[i];
    Where rw{w.file, "TeamStats.rowSet[" + std::to_string(i) + "]", w.date};
    if (!row.is_array() || row.size() != headers.size()) {
      fail(rw, "(row)", json_preview(row), "expected " + std::to_string(headers.size()) + " values like the headers");
    }
    json obj = json::object();
    for (size_t c = 0; c < headers.size(); ++c) obj[headers[c].get<std::string>()] = row[c];
    static const char* kRequired[] = {"GAME_ID", "TEAM_ID", "TEAM_ABBREVIATION",
                                      "FGM",     "FGA",     "FG3M",
                                      "FG3A",    "FTM",     "FTA",
                                      "OREB",    "DREB",    "REB",
                                      "AST",     "STL",     "BLK",
                                      "TO",      "PF",      "PTS"};
    for (const char* k : kRequired) need(obj, k, rw);
    TeamLine l;
    l.where = rw;
    l.game_id = need_text(obj, "GAME_ID", rw);
    l.game_id_field = "GAME_ID";
    l.team_id = opt_int(obj, "TEAM_ID", rw);
    l.team_id_field = "TEAM_ID";
    l.abbr = need_text(obj, "TEAM_ABBREVIATION", rw);
    l.name = opt_text(obj, "TEAM_NAME", rw).value_or("");
    l.city = opt_text(obj, "TEAM_CITY", rw).value_or("");
    l.minutes = opt_text(obj, "MIN", rw).value_or("");
    l.minutes_field = "MIN";
    l.fgm = opt_int(obj, "FGM", rw), l.fga = opt_int(obj, "FGA", rw), l.fgp = opt_real(obj, "FG_PCT", rw);
    l.tpm = opt_int(obj, "FG3M", rw), l.tpa = opt_int(obj, "FG3A", rw), l.tpp = opt_real(obj, "FG3_PCT", rw);
    l.ftm = opt_int(obj, "FTM", rw), l.fta = opt_int(obj, "FTA", rw), l.ftp = opt_real(obj, "FT_PCT", rw);
    l.oreb = opt_int(obj, "OREB", rw), l.dreb = opt_int(obj, "DREB", rw), l.reb = opt_int(obj, "REB", rw);
    l.ast = opt_int(obj, "AST", rw), l.stl = opt_int(obj, "STL", rw), l.blk = opt_int(obj, "BLK", rw);
    l.tov = opt_int(obj, "TO", rw), l.pf = opt_int(obj, "PF", rw), l.pts = opt_int(obj, "PTS", rw);
    l.pm = opt_int(obj, "PLUS_MINUS", rw);
    out.push_back(std::move(l));
  }
  if (out.empty()) return out;
  // The stored id is the rows' own; the request's id, when given, is the one
  // they must all be.
  game = {out[0].game_id, out[0].game_id, "TeamStats.rowSet[0] GAME_ID"};
  if (auto p = root.find("parameters"); p != root.end() && p->is_object()) {
    if (auto id = opt_text(*p, "GameID", Where{w.file, "parameters", w.date}); id && !id->empty()) {
      game.expect = *id;
      game.field = "parameters.GameID";
    }
  }
  return out;
}

}  // namespace

namespace {

/// The team lines of a box-score file: the `teams` list of the boxscoretraditional
/// v3 shape (with gameId and gameDate), else the resultSets of v2.
/// @p game and @p date receive the file's game and, when the file has one,
/// its date.
std::vector<TeamLine> team_lines(const json& root, const std::string& path, Where& w, FileGame& game,
                                 std::optional<Date>& date) {
  if (!root.contains("teams")) return teams_from_result_sets(root, w, game);
  const std::string id = need_text(root, "gameId", w);
  game = {id, id, "gameId"};
  const std::string gd = need_text(root, "gameDate", w);
  try {
    date = Date::parse(gd.substr(0, 10), "gameDate");
  } catch (const Error&) {
    fail(w, "gameDate", "'" + gd + "'", "expected YYYY-MM-DD");
  }
  w.date = date->iso();
  const json& teams = need(root, "teams", w);
  if (!teams.is_array()) fail(w, "teams", "", "expected a list");
  std::vector<TeamLine> lines;
  for (size_t i = 0; i < teams.size(); ++i) {
    lines.push_back(team_from_data(teams[i], Where{path, "teams[" + std::to_string(i) + "]", w.date}));
  }
  return lines;
}

/// A team line of another game than the file's (its own GAME_ID / gameId) is
/// refused: legacy ignored the line's id, storing its stats under the file's
/// game. Leading zeros aside ("22400561" is "0022400561").
void check_line_game(const TeamLine& l, const FileGame& game) {
  if (l.game_id.empty()) return;
  auto digits = [](const std::string& id) { return id.substr(std::min(id.find_first_not_of('0'), id.size())); };
  if (digits(l.game_id) != digits(game.expect)) {
    fail(l.where, l.game_id_field, "'" + l.game_id + "'",
         "not the file's game " + game.expect + " (its " + game.field + ")");
  }
}

/// Which of the two lines is the home team. Legacy: `homeAway` when both teams
/// carry it, else list order (teams[0] away); it never read `isHome`. The
/// scraper never writes homeAway and NBA.com lists the home team first, so
/// legacy rows were inverted. Fixed: homeAway when present, else the schedule's
/// home team for the NBA game id (@p g), else the newer scrapers' isHome when
/// both lines carry it and exactly one is home; otherwise refused.
size_t home_index(const std::vector<TeamLine>& lines, const Game* g, const Where& w, const std::string& nba_game_id) {
  if (lines[0].home_away == "HOME" && lines[1].home_away == "AWAY") return 0;
  if (lines[0].home_away == "AWAY" && lines[1].home_away == "HOME") return 1;
  if (g && (g->home == lines[0].abbr || g->home == lines[1].abbr)) return g->home == lines[0].abbr ? 0 : 1;
  const std::string no_schedule = "the schedule has no such game with these teams (import the NBA.com schedule first)";
  if (lines[0].is_home && lines[1].is_home) {
    if (*lines[0].is_home != *lines[1].is_home) return *lines[0].is_home ? 0 : 1;
    const std::string both = *lines[0].is_home ? "true" : "false";
    fail(lines[1].where, "isHome", both,
         "home/away unknown: " + lines[0].abbr + " and " + lines[1].abbr + " both say isHome = " + both + ", and " +
             no_schedule);
  }
  fail(w, "gameId", nba_game_id,
       "home/away unknown: neither homeAway nor isHome is on both team lines, and " + no_schedule);
}

constexpr int kMaxTeamMinutes = 490;  // 5 × (48 + 10 overtimes × 5)

/// Line @p l as a row of game @p game_id, checked (rebounds, points formula).
void team_box_row(const TeamLine& l, bool home, const std::string& game_id, const std::string& nba_game_id, Date date,
                  const std::string& path, Parsed& out) {
  const size_t r = out.add(l.where);
  Table& t = out.rows;
  t.set(r, tbx::game_id, game_id);
  t.set(r, tbx::nba_game_id, nba_game_id);
  t.set(r, tbx::game_date, date);
  t.set(r, tbx::season_year, season_of(date));
  if (!l.team_id) fail(l.where, l.team_id_field, "", "missing field");
  // Legacy stored any id: the id must be NBA.com's id of the line's own team.
  if (const TeamInfo* info = find_team(l.abbr); info && *l.team_id != info->nba_team_id) {
    fail(l.where, l.team_id_field, std::to_string(*l.team_id),
         "not the NBA.com team id of " + l.abbr + " (" + std::to_string(info->nba_team_id) + ")");
  }
  // isHome (newer scrapers) must agree with the sides found (homeAway or the
  // schedule; when it found them itself, it does).
  if (l.is_home && *l.is_home != home) {
    fail(l.where, "isHome", *l.is_home ? "true" : "false",
         "disagrees with the schedule / homeAway: " + l.abbr + " is the " + (home ? "home" : "away") + " team of " +
             game_id);
  }
  t.set(r, tbx::team_id, *l.team_id);
  t.set(r, tbx::team_abbr, l.abbr);
  if (!l.name.empty()) t.set(r, tbx::team_name, collapse_spaces(l.name));
  if (!l.city.empty()) t.set(r, tbx::team_city, collapse_spaces(l.city));
  t.set(r, tbx::is_home, home);
  if (!l.minutes.empty()) {
    // The gamebook's parser: "lots" is refused here as it is there. A team
    // plays 5 × 48 minutes plus 25 per overtime (the record is 6 OT = 390).
    const auto m = minutes_decimal(l.minutes, l.where, l.minutes_field);
    if (m && *m > kMaxTeamMinutes) {
      fail(l.where, l.minutes_field, "'" + l.minutes + "'",
           "outside the plausible range [0, " + std::to_string(kMaxTeamMinutes) + "] minutes");
    }
    t.set(r, tbx::minutes, l.minutes);
  }
  t.col(tbx::fg_made).set_int(r, l.fgm);
  t.col(tbx::fg_attempted).set_int(r, l.fga);
  t.col(tbx::fg_percentage).set_real(r, l.fgp);
  t.col(tbx::three_pt_made).set_int(r, l.tpm);
  t.col(tbx::three_pt_attempted).set_int(r, l.tpa);
  t.col(tbx::three_pt_percentage).set_real(r, l.tpp);
  t.col(tbx::ft_made).set_int(r, l.ftm);
  t.col(tbx::ft_attempted).set_int(r, l.fta);
  t.col(tbx::ft_percentage).set_real(r, l.ftp);
  t.col(tbx::offensive_rebounds).set_int(r, l.oreb);
  t.col(tbx::defensive_rebounds).set_int(r, l.dreb);
  t.col(tbx::total_rebounds).set_int(r, l.reb);
  t.col(tbx::assists).set_int(r, l.ast);
  t.col(tbx::steals).set_int(r, l.stl);
  t.col(tbx::blocks).set_int(r, l.blk);
  t.col(tbx::turnovers).set_int(r, l.tov);
  t.col(tbx::personal_fouls).set_int(r, l.pf);
  t.col(tbx::points).set_int(r, l.pts);
  t.col(tbx::plus_minus).set_int(r, l.pm);
  t.set(r, tbx::source_file_path, path);
  t.set(r, tbx::created_at, kLoadStamp);
  t.set(r, tbx::processed_at, kLoadStamp);
  // Legacy validation: OREB + DREB = REB and the points formula.
  if (l.oreb && l.dreb && l.reb && *l.oreb + *l.dreb != *l.reb) {
    fail(l.where, "rebounds.total", std::to_string(*l.reb),
         "is not offensive + defensive (" + std::to_string(*l.oreb) + " + " + std::to_string(*l.dreb) + ")");
  }
  check_points(t, r, l.where, tbx::fg_made, tbx::three_pt_made, tbx::ft_made, tbx::points, "points");
}

}  // namespace

Parsed parse_team_boxscore(const std::string& text, const std::string& path, const Schedule& s) {
  static const TableSchema& schema = catalog::get("nba_raw.nbac_team_boxscore");
  Parsed out(schema);
  auto [root, lp, w] = open_lake_file(text, path);
  if (!root.is_object()) fail(w, "(top level)", "", "expected a JSON object");
  FileGame game;
  std::optional<Date> date = lp.date;
  std::vector<TeamLine> lines = team_lines(root, path, w, game, date);
  const std::string& nba_game_id = game.id;
  if (lines.size() != 2) fail(w, "teams", std::to_string(lines.size()), "expected exactly 2 teams");
  const Game* g = find_game_by_id(s, nba_game_id, date);
  if (!date) {
    if (!g) fail(w, "gameDate", nba_game_id, "no date in the file or its path, and the game is not in the schedule");
    date = g->date;
  }
  w.date = date->iso();
  for (TeamLine& l : lines) l.abbr = upper_trim(l.abbr);
  if ((!is_nba_tricode(lines[0].abbr) || !is_nba_tricode(lines[1].abbr)) &&
      is_exhibition_game(s, *date, lines[0].abbr, lines[1].abbr)) {
    out.exhibition = true;
    return out;
  }
  for (TeamLine& l : lines) {
    l.where.date = w.date;
    if (!is_nba_tricode(l.abbr)) fail(l.where, "teamAbbreviation", "'" + l.abbr + "'", "not an NBA team code");
    l.where.record += " " + l.abbr;
    check_line_game(l, game);
  }
  if (lines[0].abbr == lines[1].abbr) fail(w, "teamAbbreviation", lines[0].abbr, "both teams have the same code");
  if (is_exhibition(g)) {
    out.exhibition = true;
    return out;
  }
  const size_t home_idx = home_index(lines, g, w, nba_game_id);
  const std::string& home = lines[home_idx].abbr;
  const std::string& away = lines[1 - home_idx].abbr;
  if (g && (g->away != away || g->home != home)) {
    fail(w, "teamAbbreviation", away + "@" + home,
         "the schedule has " + g->away + "@" + g->home + " for game " + nba_game_id);
  }
  const std::string game_id = standard_game_id(*date, away, home);
  for (size_t i = 0; i < 2; ++i) team_box_row(lines[i], i == home_idx, game_id, nba_game_id, *date, path, out);
  return out;
}

namespace {

std::string reason_category(const std::string& reason) {
  const std::string l = lower(reason);
  auto has = [&](const char* s) { return l.find(s) != std::string::npos; };
  if (l.find_first_not_of(" \t") == std::string::npos) return "unknown";
  if (has("injury/illness")) return "injury";
  if (has("g league")) return "g_league";
  if (has("suspension")) return "suspension";
  if (has("health and safety") || has("protocol")) return "health_safety_protocol";
  if (has("rest")) return "rest";
  if (has("personal")) return "personal";
  return "other";
}

/// "Last, First" → "First Last" (suffix kept with the last name: "Duke Jr.,
/// David" → "David Duke Jr.").
std::string full_name(const std::string& original) {
  auto comma = original.find(',');
  if (comma == std::string::npos) return collapse_spaces(original);
  return collapse_spaces(original.substr(comma + 1) + " " + original.substr(0, comma));
}

}  // namespace

namespace {

/// What every row of one injury report shares.
struct ReportMeta {
  Date report_date;
  int64_t hour = 0;
  std::string season;  ///< "2023-24"
  std::optional<double> overall;
  std::optional<std::string> scrape_time, run_id;
};

/// The report's date (metadata.gamedate, YYYYMMDD or YYYY-MM-DD, else the
/// path's date folder; legacy fell back to today's date, which is not
/// reproducible, so it is an error) and hour (hour24, else hour with AM/PM
/// when given, else the path's hour folder). @p w receives the date.
ReportMeta report_meta(const json& root, const json& meta, const LakePath& lp, const std::string& path, Where& w) {
  ReportMeta m;
  Where mw{path, "metadata", w.date};
  if (auto gd = opt_text(meta, "gamedate", mw)) {
    LakePath probe = parse_lake_path(*gd + "/x");
    if (!probe.date) fail(mw, "gamedate", "'" + *gd + "'", "expected YYYYMMDD or YYYY-MM-DD");
    m.report_date = *probe.date;
  } else if (lp.date) {
    m.report_date = *lp.date;
  } else {
    fail(mw, "gamedate", "", "missing field (and the path has no date folder)");
  }
  w.date = mw.date = m.report_date.iso();
  std::optional<int64_t> hour = opt_int(meta, "hour24", mw);
  if (!hour) {
    hour = opt_int(meta, "hour", mw);
    const std::string period = lower(opt_text(meta, "period", mw).value_or(""));
    if (hour && period == "pm" && *hour < 12) *hour += 12;
    if (hour && period == "am" && *hour == 12) *hour = 0;
  }
  if (!hour && !lp.group.empty()) {
    hour = opt_int(json{{"hour", lp.group}}, "hour", Where{path, "(hour folder)", w.date});
  }
  if (!hour) fail(mw, "hour24", "", "missing field (and the path has no hour folder)");
  if (*hour < 0 || *hour > 23) fail(mw, "hour24", std::to_string(*hour), "outside 0-23");
  m.hour = *hour;
  const int season = season_of(m.report_date);
  char season_text[16];
  std::snprintf(season_text, sizeof season_text, "%d-%02d", season, (season + 1) % 100);
  m.season = season_text;
  if (auto ps = root.find("parsing_stats"); ps != root.end() && ps->is_object()) {
    m.overall = opt_real(*ps, "overall_confidence", Where{path, "parsing_stats", w.date});
  }
  m.scrape_time = opt_text(meta, "scrape_time", mw);
  m.run_id = opt_text(meta, "run_id", mw);
  return m;
}

/// A record's game date, MM/DD/YYYY (read as the legacy's strptime does).
Date record_game_date(const std::string& gdate, const Where& rw) {
  const auto date = Date::try_parse_mdy(gdate);
  if (!date) fail(rw, "date", "'" + gdate + "'", "not a calendar date (expected MM/DD/YYYY)");
  return *date;
}

/// Record @p rec as a row, checked; a team that has not submitted its report
/// (a bare line naming no player) gives none.
void injury_row(const json& rec, Where& rw, const ReportMeta& m, const std::string& path, Parsed& out) {
  const std::string player = opt_text(rec, "player", rw).value_or("");
  if (player.empty() &&
      lower(opt_text(rec, "reason", rw).value_or("")).find("not yet submitted") != std::string::npos) {
    return;
  }
  if (player.empty()) fail(rw, "player", "", "missing field");
  rw.record += " '" + player + "'";
  const Date game_date = record_game_date(need_text(rec, "date", rw), rw);
  std::string gametime = need_text(rec, "gametime", rw);
  if (auto p = gametime.find('('); p != std::string::npos) gametime = gametime.substr(0, p);
  gametime = collapse_spaces(gametime);
  const std::string matchup = need_text(rec, "matchup", rw);
  const auto at = matchup.find('@');
  const std::string away = at == std::string::npos ? "" : upper_trim(matchup.substr(0, at));
  const std::string home = at == std::string::npos ? "" : upper_trim(matchup.substr(at + 1));
  if (!is_nba_tricode(away) || !is_nba_tricode(home)) {
    fail(rw, "matchup", "'" + matchup + "'", "expected AWAY@HOME NBA team codes");
  }
  const std::string team = upper_trim(need_text(rec, "team", rw));
  if (team != away && team != home) fail(rw, "team", "'" + team + "'", "not a team of " + matchup);
  const std::string status = lower(need_text(rec, "status", rw));
  static const char* kStatuses[] = {"out", "questionable", "doubtful", "probable", "available"};
  if (std::none_of(std::begin(kStatuses), std::end(kStatuses), [&](const char* k) { return status == k; })) {
    fail(rw, "status", "'" + status + "'", "expected Out, Questionable, Doubtful, Probable or Available");
  }
  const std::string full = full_name(player);
  // Legacy removed "jr", "sr", "ii"… anywhere in the lowercased name (mangling
  // "Jrue", "Olivier") and kept diacritics. Fixed: the canonical
  // player_lookup used by every other table.
  // A name has letters (legacy stored "123" as a name and lookup).
  const std::string lookup = checked_player_lookup(full, rw, "player", player);
  const std::string reason = opt_text(rec, "reason", rw).value_or("");

  const size_t r = out.add(rw);
  Table& t = out.rows;
  t.set(r, injr::report_date, m.report_date);
  t.set(r, injr::report_hour, m.hour);
  t.set(r, injr::season, m.season);
  t.set(r, injr::game_date, game_date);
  t.set(r, injr::game_time, gametime);
  t.set(r, injr::game_id, standard_game_id(game_date, away, home));
  t.set(r, injr::matchup, matchup);
  t.set(r, injr::away_team, away);
  t.set(r, injr::home_team, home);
  t.set(r, injr::team, team);
  t.set(r, injr::player_name_original, player);
  t.set(r, injr::player_full_name, full);
  t.set(r, injr::player_lookup, lookup);
  t.set(r, injr::injury_status, status);
  t.set(r, injr::reason, reason);
  t.set(r, injr::reason_category, reason_category(reason));
  t.set(r, injr::confidence_score, opt_real(rec, "confidence", rw).value_or(1.0));
  t.set(r, injr::overall_report_confidence, m.overall.value_or(1.0));
  if (m.scrape_time) t.set(r, injr::scrape_time, *m.scrape_time);
  if (m.run_id) t.set(r, injr::run_id, *m.run_id);
  t.set(r, injr::source_file_path, path);
  t.set(r, injr::processed_at, kLoadStamp);
}

}  // namespace

Parsed parse_injury_report(const std::string& text, const std::string& path, const Schedule&) {
  static const TableSchema& schema = catalog::get("nba_raw.nbac_injury_report");
  Parsed out(schema);
  auto [root, lp, w] = open_lake_file(text, path);
  if (!root.is_object()) fail(w, "(top level)", "", "expected a JSON object");
  const json& meta = need(root, "metadata", w);
  const json& records = need(root, "records", w);
  if (!records.is_array()) fail(w, "records", "", "expected a list");
  const ReportMeta m = report_meta(root, meta, lp, path, w);
  for (size_t i = 0; i < records.size(); ++i) {
    Where rw{path, "records[" + std::to_string(i) + "]", w.date};
    injury_row(records[i], rw, m, path, out);
  }
  return out;
}

}  // namespace nbaprops::importers::raw
