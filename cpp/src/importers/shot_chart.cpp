// NBA.com shot-chart CSV → player shot zones, team zones allowed, partial gamebook lines, games.
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
  std::string nba_game_id;
  int64_t player_id = 0;
  std::string name;
  std::string lookup;
  std::string team;
  std::string opponent;
  ZoneCounts zones;
};

/// Row context for error messages: "file line N field F (date D)".
struct RowCtx {
  const std::string& source;
  int64_t line;
  std::string date;  // ISO once known
  [[noreturn]] void fail(std::string_view field, const std::string& what) const {
    std::string msg = source + " line " + std::to_string(line) + " field " + std::string(field);
    if (!date.empty()) msg += " (date " + date + ")";
    throw DataError(msg + ": " + what);
  }
};

Date parse_mm_dd_yyyy(const std::string& s, const RowCtx& ctx) {
  auto num = [&](size_t pos, size_t len) {
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) ctx.fail("GAME_DATE", "expected MM-DD-YYYY, got '" + s + "'");
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() != 10 || s[2] != '-' || s[5] != '-') ctx.fail("GAME_DATE", "expected MM-DD-YYYY, got '" + s + "'");
  int m = num(0, 2), d = num(3, 2), y = num(6, 4);
  try {
    return Date::from_ymd(y, m, d);
  } catch (const Error&) {
    ctx.fail("GAME_DATE", "not a calendar date: '" + s + "'");
  }
}

std::string pad_game_id(const std::string& raw, const RowCtx& ctx) {
  if (raw.empty() || raw.size() > 10 ||
      !std::all_of(raw.begin(), raw.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    ctx.fail("GAME_ID", "expected up to 10 digits, got '" + raw + "'");
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
                      0};
  std::map<std::string, Game> games;                                   // by nba_game_id
  std::map<std::pair<std::string, int64_t>, PlayerGame> player_games;  // (nba_game_id, PLAYER_ID)
  std::map<std::string, std::string> team_cache;                       // TEAM_NAME → tricode

  while (reader.next(f)) {
    RowCtx ctx{source_name, reader.line(), ""};
    if (f.size() != header.size()) {
      ctx.fail(f.size() < header.size() ? header.name(f.size()) : "(extra)",
               "expected " + std::to_string(header.size()) + " fields, got " + std::to_string(f.size()));
    }
    const Date date = parse_mm_dd_yyyy(f[c_date], ctx);
    ctx.date = date.iso();
    const std::string nba_game_id = pad_game_id(f[c_gid], ctx);
    const std::string& home = f[c_home];
    const std::string& away = f[c_away];
    if (!is_nba_tricode(home)) ctx.fail("HOME_TEAM", "not an NBA tricode: '" + home + "'");
    if (!is_nba_tricode(away)) ctx.fail("AWAY_TEAM", "not an NBA tricode: '" + away + "'");
    if (home == away) ctx.fail("AWAY_TEAM", "same team as HOME_TEAM: '" + away + "'");

    auto cached = team_cache.find(f[c_team]);
    if (cached == team_cache.end()) cached = team_cache.emplace(f[c_team], tricode_from_team_name(f[c_team])).first;
    const std::string& team = cached->second;
    if (team.empty()) ctx.fail("TEAM_NAME", "unknown team name '" + f[c_team] + "'");
    if (team != home && team != away) {
      ctx.fail("TEAM_NAME", "'" + f[c_team] + "' (" + team + ") played in neither side of " + away + "@" + home);
    }
    const std::string& opponent = team == home ? away : home;

    bool made;
    if (f[c_made] == "TRUE" || f[c_made] == "True" || f[c_made] == "true" || f[c_made] == "1") made = true;
    else if (f[c_made] == "FALSE" || f[c_made] == "False" || f[c_made] == "false" || f[c_made] == "0") made = false;
    else ctx.fail("SHOT_MADE", "expected TRUE or FALSE, got '" + f[c_made] + "'");

    Zone zone;
    const std::string& basic = f[c_zone];
    if (f[c_type] == "3PT Field Goal") {
      zone = Zone::kThree;  // SHOT_TYPE is the authority for threes (a few are tagged Mid-Range)
    } else if (f[c_type] == "2PT Field Goal") {
      if (basic == "Restricted Area" || basic == "In The Paint (Non-RA)") zone = Zone::kPaint;
      else if (basic == "Mid-Range" || basic == "Above the Break 3" || basic == "Left Corner 3" ||
               basic == "Right Corner 3" || basic == "Backcourt") {
        zone = Zone::kMidRange;  // a two outside the paint (a handful are tagged with a three zone)
      } else {
        ctx.fail("BASIC_ZONE", "unknown zone '" + basic + "'");
      }
    } else {
      ctx.fail("SHOT_TYPE", "expected '2PT Field Goal' or '3PT Field Goal', got '" + f[c_type] + "'");
    }

    int64_t player_id = 0;
    try {
      size_t used = 0;
      player_id = std::stoll(f[c_pid], &used);
      if (used != f[c_pid].size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      ctx.fail("PLAYER_ID", "not an integer: '" + f[c_pid] + "'");
    }
    if (f[c_pname].empty()) ctx.fail("PLAYER_NAME", "empty");

    auto [git, inserted] = games.try_emplace(nba_game_id);
    Game& g = git->second;
    if (inserted) {
      g.nba_game_id = nba_game_id;
      g.date = date;
      g.season = season_of(date);
      g.home = home;
      g.away = away;
      g.type = GameType::kRegularSeason;
      g.status = GameStatus::kFinal;
    } else if (g.date != date || g.home != home || g.away != away) {
      ctx.fail("GAME_ID", "game " + nba_game_id + " was " + g.away + "@" + g.home + " on " + g.date.iso() +
                              " in earlier rows, now " + away + "@" + home);
    }

    auto [pit, new_player] = player_games.try_emplace({nba_game_id, player_id});
    PlayerGame& pg = pit->second;
    if (new_player) {
      pg.nba_game_id = nba_game_id;
      pg.player_id = player_id;
      pg.name = f[c_pname];
      pg.lookup = player_lookup(pg.name);
      pg.team = team;
      pg.opponent = opponent;
    } else if (pg.team != team) {
      ctx.fail("TEAM_NAME", "player " + pg.name + " shot for " + pg.team + " earlier in game " + nba_game_id);
    }
    pg.zones.add(zone, made);
    ++out.shots;
  }

  // Deterministic order: date, canonical game id, team, player_lookup.
  std::vector<const PlayerGame*> rows;
  rows.reserve(player_games.size());
  for (const auto& [k, pg] : player_games) rows.push_back(&pg);
  auto sort_key = [&](const PlayerGame* p) {
    const Game& g = games.at(p->nba_game_id);
    return std::make_tuple(g.date, g.date_id(), p->team, p->lookup, p->player_id);
  };
  std::sort(rows.begin(), rows.end(), [&](const PlayerGame* a, const PlayerGame* b) { return sort_key(a) < sort_key(b); });

  // Per (game, offense team) sums → the defending team's zones allowed.
  std::map<std::tuple<Date, std::string, std::string>, ZoneCounts> allowed;  // (date, game_id, offense)

  Table& pz = out.player_zones;
  Table& gb = out.gamebook;
  pz.resize(rows.size());
  gb.resize(rows.size());
  const std::string flags = R"(["from_shot_chart"])";
  for (size_t r = 0; r < rows.size(); ++r) {
    const PlayerGame& p = *rows[r];
    const Game& g = games.at(p.nba_game_id);
    const std::string gid = g.date_id();
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
  // Legacy DDL hash inputs for the gamebook (rebounds is not a column of the table).
  proc::fill_data_hash(gb, {"game_id", "player_lookup", "minutes", "field_goals_made", "field_goals_attempted",
                            "points", "assists"});

  Table& tz = out.team_zones_allowed;
  tz.resize(allowed.size());
  size_t r = 0;
  for (const auto& [key, z] : allowed) {
    const auto& [date, gid, offense] = key;
    // game_id is YYYYMMDD_AWAY_HOME: the defender is the side that is not the offense.
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
  for (auto& [id, g] : games) out.games.push_back(g);
  std::sort(out.games.begin(), out.games.end(), [](const Game& a, const Game& b) {
    return std::tie(a.date, a.nba_game_id) < std::tie(b.date, b.nba_game_id);
  });
  return out;
}

}  // namespace nbaprops::importers
