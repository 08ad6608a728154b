// NBA.com shot-chart CSV → player shot zones, team zones allowed, partial
// gamebook lines, games.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <tuple>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/importers/csv.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/importers/validate.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::importers {
namespace {

enum class Zone { kPaint, kMidRange, kThree };

struct ZoneCounts {
  std::array<int64_t, 3> attempts{};
  std::array<int64_t, 3> makes{};
  void add(Zone z, bool made) {
    ++attempts[static_cast<size_t>(z)];
    if (made) ++makes[static_cast<size_t>(z)];
  }
  void add(const ZoneCounts& o) {
    for (size_t i = 0; i < 3; ++i) {
      attempts[i] += o.attempts[i];
      makes[i] += o.makes[i];
    }
  }
};

struct PlayerGame {
  std::string game_key;  // YYYYMMDD_AWAY_HOME
  int64_t player_id = 0;
  int64_t first_line = 0;
  std::string name;
  std::string lookup;
  std::string team;
  std::string opponent;
  ZoneCounts zones;
};

/// One game of the file, keyed by date and teams; the NBA id is an attribute.
struct GameSeen {
  Game game;
  int64_t first_line = 0;
};

Date parse_mm_dd_yyyy(const std::string& s, const RowRef& at) {
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) at.fail("GAME_DATE", s, "expected MM-DD-YYYY");
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() != 10 || s[2] != '-' || s[5] != '-') at.fail("GAME_DATE", s, "expected MM-DD-YYYY");
  int m = num(0, 2), d = num(3, 2), y = num(6, 4);
  try {
    return Date::from_ymd(y, m, d);
  } catch (const Error&) {
    at.fail("GAME_DATE", s, "not a calendar date");
  }
}

std::string pad_game_id(const std::string& raw, const RowRef& at) {
  if (raw.empty() || raw.size() > 10 ||
      !std::all_of(raw.begin(), raw.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    at.fail("GAME_ID", raw, "expected up to 10 digits");
  }
  return std::string(10 - raw.size(), '0') + raw;
}

void set_zones(Table& t, size_t r, const ZoneCounts& z, const char* suffix_a, const char* suffix_m) {
  static const char* kNames[] = {"paint", "mid_range", "three_pt"};
  for (size_t i = 0; i < 3; ++i) {
    t.set(r, std::string(kNames[i]) + suffix_a, z.attempts[i]);
    t.set(r, std::string(kNames[i]) + suffix_m, z.makes[i]);
  }
}

}  // namespace

ShotChartImport import_shot_chart(const std::string& path) { return parse_shot_chart(read_text_file(path), path); }

ShotChartImport parse_shot_chart(const std::string& csv_text, const std::string& source_name) {
  CsvReader reader(csv_text, source_name);
  std::vector<std::string> f;
  if (!reader.next(f)) throw DataError(source_name + ": empty file (no header)");
  const CsvHeader header(f, source_name);
  const size_t c_team = header.require("TEAM_NAME"), c_pid = header.require("PLAYER_ID"),
               c_pname = header.require("PLAYER_NAME"), c_date = header.require("GAME_DATE"),
               c_gid = header.require("GAME_ID"), c_home = header.require("HOME_TEAM"),
               c_away = header.require("AWAY_TEAM"), c_made = header.require("SHOT_MADE"),
               c_type = header.require("SHOT_TYPE"), c_zone = header.require("BASIC_ZONE");

  ShotChartImport out{Table(catalog::get("nba_raw.player_shot_zones")),
                      Table(catalog::get("nba_raw.team_shot_zones_allowed")),
                      Table(catalog::get("nba_raw.nbac_gamebook_player_stats")),
                      {},
                      0,
                      source_name,
                      {}};
  // Games are keyed by date and teams (YYYYMMDD_AWAY_HOME, the legacy game_id):
  // shot charts of some past seasons reuse one GAME_ID for several games, so
  // the NBA id is only an attribute.
  std::map<std::string, GameSeen> games;                                   // by date_id
  std::map<std::string, std::map<std::string, int64_t>> games_of_id;       // nba id → date_id → first line
  std::map<std::string, std::map<std::string, int64_t>> ids_of_game;       // date_id → nba id → first line
  std::map<std::pair<std::string, std::string>, PlayerGame> player_games;  // (date_id, player_lookup)
  std::map<std::pair<std::string, int64_t>, std::string> lookup_of_id;     // (date_id, PLAYER_ID) → lookup
  std::map<std::string, std::string> team_cache;                           // TEAM_NAME → tricode

  while (reader.next(f)) {
    RowRef at(source_name, "line " + std::to_string(reader.line()));
    if (f.size() != header.size()) {
      at.fail(f.size() < header.size() ? header.name(f.size()) : "(extra)", std::to_string(f.size()) + " fields",
              "expected " + std::to_string(header.size()) + " fields, got " + std::to_string(f.size()));
    }
    const Date date = parse_mm_dd_yyyy(f[c_date], at);
    at.set_date(date.iso());
    const std::string nba_game_id = pad_game_id(f[c_gid], at);
    const std::string& home = f[c_home];
    const std::string& away = f[c_away];
    if (!is_nba_tricode(home)) at.fail("HOME_TEAM", home, "not an NBA tricode");
    if (!is_nba_tricode(away)) at.fail("AWAY_TEAM", away, "not an NBA tricode");
    if (home == away) at.fail("AWAY_TEAM", away, "same team as HOME_TEAM");

    auto cached = team_cache.find(f[c_team]);
    if (cached == team_cache.end()) cached = team_cache.emplace(f[c_team], tricode_from_team_name(f[c_team])).first;
    const std::string& team = cached->second;
    if (team.empty()) at.fail("TEAM_NAME", f[c_team], "unknown team name");
    if (team != home && team != away) {
      at.fail("TEAM_NAME", f[c_team], team + " played in neither side of " + away + "@" + home);
    }
    const std::string& opponent = team == home ? away : home;

    bool made;
    if (f[c_made] == "TRUE" || f[c_made] == "True" || f[c_made] == "true" || f[c_made] == "1")
      made = true;
    else if (f[c_made] == "FALSE" || f[c_made] == "False" || f[c_made] == "false" || f[c_made] == "0")
      made = false;
    else
      at.fail("SHOT_MADE", f[c_made], "expected TRUE or FALSE");

    Zone zone;
    const std::string& basic = f[c_zone];
    if (f[c_type] == "3PT Field Goal") {
      zone = Zone::kThree;  // SHOT_TYPE is the authority for threes (a few are
                            // tagged Mid-Range)
    } else if (f[c_type] == "2PT Field Goal") {
      if (basic == "Restricted Area" || basic == "In The Paint (Non-RA)")
        zone = Zone::kPaint;
      else if (basic == "Mid-Range" || basic == "Above the Break 3" || basic == "Left Corner 3" ||
               basic == "Right Corner 3" || basic == "Backcourt") {
        zone = Zone::kMidRange;  // a two outside the paint (a handful are tagged
                                 // with a three zone)
      } else {
        at.fail("BASIC_ZONE", basic, "unknown zone");
      }
    } else {
      at.fail("SHOT_TYPE", f[c_type], "expected '2PT Field Goal' or '3PT Field Goal'");
    }

    const int64_t player_id = parse_int(at, "PLAYER_ID", f[c_pid], limits::kId);
    if (f[c_pname].empty()) at.fail("PLAYER_NAME", "", "empty");
    const std::string lookup = player_lookup(f[c_pname]);
    if (lookup.empty()) at.fail("PLAYER_NAME", f[c_pname], "no letters or digits to build a player_lookup from");

    Game candidate;
    candidate.nba_game_id = nba_game_id;
    candidate.date = date;
    candidate.season = season_of(date);
    candidate.home = home;
    candidate.away = away;
    candidate.type = GameType::kRegularSeason;
    candidate.status = GameStatus::kFinal;
    const std::string game_key = candidate.date_id();
    auto [git, new_game] = games.try_emplace(game_key, GameSeen{candidate, reader.line()});
    games_of_id[nba_game_id].try_emplace(game_key, reader.line());
    ids_of_game[game_key].try_emplace(nba_game_id, reader.line());

    // One row per (game, player_lookup): a second PLAYER_ID for the same
    // player-game, or a second name for the same PLAYER_ID, would give two rows
    // with one key (or split one player).
    auto [lit, new_pid] = lookup_of_id.try_emplace({game_key, player_id}, lookup);
    if (!new_pid && lit->second != lookup) {
      at.fail("PLAYER_NAME", f[c_pname],
              "PLAYER_ID " + std::to_string(player_id) + " shot as '" + lit->second + "' earlier in game " + game_key);
    }
    auto [pit, new_player] = player_games.try_emplace({game_key, lookup});
    PlayerGame& pg = pit->second;
    if (new_player) {
      pg.game_key = game_key;
      pg.player_id = player_id;
      pg.first_line = reader.line();
      pg.name = f[c_pname];
      pg.lookup = lookup;
      pg.team = team;
      pg.opponent = opponent;
    } else if (pg.player_id != player_id) {
      at.fail("PLAYER_ID", f[c_pid],
              "player " + lookup + " already shot with PLAYER_ID " + std::to_string(pg.player_id) + " in game " +
                  game_key + " (line " + std::to_string(pg.first_line) + "): two players with one player_lookup");
    } else if (pg.team != team) {
      at.fail("TEAM_NAME", f[c_team], "player " + pg.name + " shot for " + pg.team + " earlier in game " + game_key);
    }
    pg.zones.add(zone, made);
    const int64_t attempts = pg.zones.attempts[0] + pg.zones.attempts[1] + pg.zones.attempts[2];
    if (attempts > static_cast<int64_t>(limits::kPlayerCount.max)) {
      at.fail("PLAYER_ID", f[c_pid],
              "player " + lookup + " has more than " + std::to_string(attempts - 1) + " field-goal attempts in game " +
                  game_key);
    }
    ++out.shots;
  }

  // Data-quality warnings: one GAME_ID for several games (kept apart), one game
  // under several ids.
  auto line_list = [](const std::map<std::string, int64_t>& m) {
    std::string s;
    for (const auto& [k, line] : m) s += (s.empty() ? "" : ", ") + k + " (line " + std::to_string(line) + ")";
    return s;
  };
  for (const auto& [id, keyed] : games_of_id) {
    if (keyed.size() < 2) continue;
    out.warnings.push_back(source_name + ": GAME_ID " + id + " is used by " + std::to_string(keyed.size()) +
                           " different games: " + line_list(keyed) +
                           "; each is kept as its own game (by date and teams)");
  }
  for (const auto& [key, ids] : ids_of_game) {
    if (ids.size() < 2) continue;
    out.warnings.push_back(source_name + ": game " + key + " appears under " + std::to_string(ids.size()) +
                           " GAME_IDs: " + line_list(ids) + "; kept once with GAME_ID " +
                           games.at(key).game.nba_game_id + " (its first line)");
  }

  // Deterministic order: date, canonical game id, team, player_lookup.
  std::vector<const PlayerGame*> rows;
  rows.reserve(player_games.size());
  for (const auto& [k, pg] : player_games) rows.push_back(&pg);
  // game_key starts with YYYYMMDD, so it orders by date first.
  std::sort(rows.begin(), rows.end(), [](const PlayerGame* a, const PlayerGame* b) {
    return std::tie(a->game_key, a->team, a->lookup) < std::tie(b->game_key, b->team, b->lookup);
  });

  // Per (game, offense team) sums → the defending team's zones allowed.
  std::map<std::tuple<Date, std::string, std::string>, ZoneCounts> allowed;  // (date, game_id, offense)

  Table& pz = out.player_zones;
  Table& gb = out.gamebook;
  pz.resize(rows.size());
  gb.resize(rows.size());
  const std::string flags = R"(["from_shot_chart"])";
  for (size_t r = 0; r < rows.size(); ++r) {
    const PlayerGame& p = *rows[r];
    const Game& g = games.at(p.game_key).game;
    const std::string& gid = p.game_key;
    pz.set(r, "game_id", gid);
    pz.set(r, "nba_game_id", g.nba_game_id);
    pz.set(r, "game_date", g.date);
    pz.set(r, "season_year", g.season);
    pz.set(r, "player_lookup", p.lookup);
    pz.set(r, "player_name", p.name);
    pz.set(r, "team_abbr", p.team);
    pz.set(r, "opponent_team_abbr", p.opponent);
    set_zones(pz, r, p.zones, "_attempts", "_makes");
    pz.set(r, "data_source", "nbacom_shotchart");
    allowed[{g.date, gid, p.team}].add(p.zones);

    const int64_t fga = p.zones.attempts[0] + p.zones.attempts[1] + p.zones.attempts[2];
    const int64_t fgm = p.zones.makes[0] + p.zones.makes[1] + p.zones.makes[2];
    gb.set(r, "game_id", gid);
    gb.set(r, "game_code", g.date.compact() + "/" + g.away + g.home);
    gb.set(r, "game_date", g.date);
    gb.set(r, "season_year", g.season);
    gb.set(r, "home_team_abbr", g.home);
    gb.set(r, "away_team_abbr", g.away);
    gb.set(r, "player_name", p.name);
    gb.set(r, "player_name_original", p.name);
    gb.set(r, "player_lookup", p.lookup);
    gb.set(r, "team_abbr", p.team);
    gb.set(r, "player_status", "active");
    gb.set(r, "field_goals_made", fgm);
    gb.set(r, "field_goals_attempted", fga);
    gb.set(r, "three_pointers_made", p.zones.makes[2]);
    gb.set(r, "three_pointers_attempted", p.zones.attempts[2]);
    gb.set(r, "source_file_path", source_name);
    gb.set(r, "data_quality_flags", flags);
  }
  // Legacy DDL hash inputs for the gamebook (rebounds is not a column of the
  // table).
  proc::fill_data_hash(
      gb, {"game_id", "player_lookup", "minutes", "field_goals_made", "field_goals_attempted", "points", "assists"});

  Table& tz = out.team_zones_allowed;
  tz.resize(allowed.size());
  size_t r = 0;
  for (const auto& [key, z] : allowed) {
    const auto& [date, gid, offense] = key;
    // game_id is YYYYMMDD_AWAY_HOME: the defender is the side that is not the
    // offense.
    const std::string away = gid.substr(9, gid.find('_', 9) - 9);
    const std::string home = gid.substr(gid.rfind('_') + 1);
    tz.set(r, "game_id", gid);
    tz.set(r, "game_date", date);
    tz.set(r, "season_year", season_of(date));
    tz.set(r, "defending_team_abbr", offense == home ? away : home);
    tz.set(r, "offense_team_abbr", offense);
    set_zones(tz, r, z, "_attempts_allowed", "_makes_allowed");
    tz.set(r, "data_source", "nbacom_shotchart");
    ++r;
  }

  out.games.reserve(games.size());
  for (auto& [key, seen] : games) out.games.push_back(seen.game);
  std::sort(out.games.begin(), out.games.end(), [](const Game& a, const Game& b) {
    return std::make_tuple(a.date, a.date_id()) < std::make_tuple(b.date, b.date_id());
  });
  return out;
}

}  // namespace nbaprops::importers
