// NBA.com shot-chart CSV → player shot zones, team zones allowed, partial
// gamebook lines, games.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <tuple>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/importers/csv.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/importers/validate.hpp"

namespace nbaprops::importers {
namespace {

namespace psz = cols::player_shot_zones;
namespace tsza = cols::team_shot_zones_allowed;
namespace gbps = cols::nbac_gamebook_player_stats;

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
  const auto date = Date::try_parse_mdy(s, '-');
  if (!date) at.fail("GAME_DATE", s, "not a calendar date (expected MM-DD-YYYY)");
  return *date;
}

std::string pad_game_id(const std::string& raw, const RowRef& at) {
  if (raw.empty() || raw.size() > 10 ||
      !std::all_of(raw.begin(), raw.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    at.fail("GAME_ID", raw, "expected up to 10 digits");
  }
  return std::string(10 - raw.size(), '0') + raw;
}

/// A table's zone columns (paint, mid-range, three), attempts and makes.
struct ZoneColumns {
  std::array<ColumnId, 3> attempts, makes;
};
constexpr ZoneColumns kPlayerZones{{psz::paint_attempts, psz::mid_range_attempts, psz::three_pt_attempts},
                                   {psz::paint_makes, psz::mid_range_makes, psz::three_pt_makes}};
constexpr ZoneColumns kZonesAllowed{
    {tsza::paint_attempts_allowed, tsza::mid_range_attempts_allowed, tsza::three_pt_attempts_allowed},
    {tsza::paint_makes_allowed, tsza::mid_range_makes_allowed, tsza::three_pt_makes_allowed}};

void set_zones(Table& t, size_t r, const ZoneCounts& z, const ZoneColumns& c) {
  for (size_t i = 0; i < 3; ++i) {
    t.set(r, c.attempts[i], z.attempts[i]);
    t.set(r, c.makes[i], z.makes[i]);
  }
}

/// The positions of the columns the import reads.
struct ShotColumns {
  size_t team = 0, pid = 0, pname = 0, date = 0, gid = 0, home = 0, away = 0, made = 0, type = 0, distance = 0;
  explicit ShotColumns(const CsvHeader& h);
};

/// A column the import reads and the ShotColumns member holding its position.
struct ShotColumn {
  const char* name;
  size_t ShotColumns::* position;
};

/// The columns the import reads, in the order they are required (and listed in
/// messages): the one list behind ShotColumns and the header checks.
constexpr std::array<ShotColumn, 10> kShotColumns = {{{"TEAM_NAME", &ShotColumns::team},
                                                      {"PLAYER_ID", &ShotColumns::pid},
                                                      {"PLAYER_NAME", &ShotColumns::pname},
                                                      {"GAME_DATE", &ShotColumns::date},
                                                      {"GAME_ID", &ShotColumns::gid},
                                                      {"HOME_TEAM", &ShotColumns::home},
                                                      {"AWAY_TEAM", &ShotColumns::away},
                                                      {"SHOT_MADE", &ShotColumns::made},
                                                      {"SHOT_TYPE", &ShotColumns::type},
                                                      {"SHOT_DISTANCE", &ShotColumns::distance}}};

ShotColumns::ShotColumns(const CsvHeader& h) {
  for (const ShotColumn& c : kShotColumns) this->*c.position = h.require(c.name);
}

/// One shot, validated.
struct Shot {
  Date date;
  std::string nba_game_id, team, opponent, lookup;
  int64_t player_id = 0;
  Zone zone = Zone::kPaint;
  bool made = false;
};

bool parse_made(const std::string& v, const RowRef& at) {
  if (v == "TRUE" || v == "True" || v == "true" || v == "1") return true;
  if (v == "FALSE" || v == "False" || v == "false" || v == "0") return false;
  at.fail("SHOT_MADE", v, "expected TRUE or FALSE");
}

/// A shot's distance from the basket in feet: the court is 94 ft long, so a
/// larger value (or a negative one, or a non-integer) is a broken row.
constexpr Limits kShotDistanceFeet{0, 94};
/// Legacy spec §6: the largest distance (ft) of a two counted as a paint shot.
constexpr int64_t kPaintMaxFeet = 8;

/// Legacy spec §6 (TOGS, and the recommended single engine rule): three =
/// SHOT_TYPE 3PT; paint = 2PT with SHOT_DISTANCE ≤ 8 ft; mid-range = any
/// other two. BASIC_ZONE is not read: it disagrees with SHOT_TYPE on a few
/// shots and puts 9–16 ft floaters "In The Paint".
Zone parse_zone(const std::string& type, const std::string& distance, const RowRef& at) {
  const bool three = type == "3PT Field Goal";
  if (!three && type != "2PT Field Goal") at.fail("SHOT_TYPE", type, "expected '2PT Field Goal' or '3PT Field Goal'");
  // Validated for threes too, so that every row's distance is plausible.
  const int64_t feet = parse_int(at, "SHOT_DISTANCE", distance, kShotDistanceFeet);
  if (three) return Zone::kThree;
  return feet <= kPaintMaxFeet ? Zone::kPaint : Zone::kMidRange;
}

/// Row @p f as a shot; every field is checked, in the order of the messages'
/// precedence. @p team_cache maps TEAM_NAME to its tricode.
Shot parse_shot(const std::vector<std::string>& f, const ShotColumns& c, RowRef& at,
                std::map<std::string, std::string>& team_cache) {
  Shot s;
  s.date = parse_mm_dd_yyyy(f[c.date], at);
  at.set_date(s.date.iso());
  s.nba_game_id = pad_game_id(f[c.gid], at);
  const std::string& home = f[c.home];
  const std::string& away = f[c.away];
  if (!is_nba_tricode(home)) at.fail("HOME_TEAM", home, "not an NBA tricode");
  if (!is_nba_tricode(away)) at.fail("AWAY_TEAM", away, "not an NBA tricode");
  if (home == away) at.fail("AWAY_TEAM", away, "same team as HOME_TEAM");
  auto cached = team_cache.find(f[c.team]);
  if (cached == team_cache.end()) cached = team_cache.emplace(f[c.team], tricode_from_team_name(f[c.team])).first;
  s.team = cached->second;
  if (s.team.empty()) at.fail("TEAM_NAME", f[c.team], "unknown team name");
  if (s.team != home && s.team != away) {
    at.fail("TEAM_NAME", f[c.team], s.team + " played in neither side of " + away + "@" + home);
  }
  s.opponent = s.team == home ? away : home;
  s.made = parse_made(f[c.made], at);
  s.zone = parse_zone(f[c.type], f[c.distance], at);
  s.player_id = parse_int(at, "PLAYER_ID", f[c.pid], limits::kId);
  if (f[c.pname].empty()) at.fail("PLAYER_NAME", "", "empty");
  s.lookup = player_lookup(f[c.pname]);
  if (s.lookup.empty()) at.fail("PLAYER_NAME", f[c.pname], "no letters or digits to build a player_lookup from");
  return s;
}

/// The file's games and player-games, built shot by shot.
class ShotTally {
 public:
  /// Adds shot @p s of line @p line (@p f: its fields, for messages).
  void add(const Shot& s, const std::vector<std::string>& f, const ShotColumns& c, int64_t line, const RowRef& at) {
    Game candidate;
    candidate.nba_game_id = s.nba_game_id;
    candidate.date = s.date;
    candidate.season = season_of(s.date);
    candidate.home = f[c.home];
    candidate.away = f[c.away];
    candidate.type = GameType::kRegularSeason;
    candidate.status = GameStatus::kFinal;
    const std::string game_key = candidate.date_id();
    games_.try_emplace(game_key, GameSeen{candidate, line});
    games_of_id_[s.nba_game_id].try_emplace(game_key, line);
    ids_of_game_[game_key].try_emplace(s.nba_game_id, line);

    // One row per (game, player_lookup): a second PLAYER_ID for the same
    // player-game, or a second name for the same PLAYER_ID, would give two rows
    // with one key (or split one player).
    auto [lit, new_pid] = lookup_of_id_.try_emplace({game_key, s.player_id}, s.lookup);
    if (!new_pid && lit->second != s.lookup) {
      at.fail(
          "PLAYER_NAME", f[c.pname],
          "PLAYER_ID " + std::to_string(s.player_id) + " shot as '" + lit->second + "' earlier in game " + game_key);
    }
    auto [pit, new_player] = player_games_.try_emplace({game_key, s.lookup});
    PlayerGame& pg = pit->second;
    if (new_player) {
      pg = PlayerGame{game_key, s.player_id, line, f[c.pname], s.lookup, s.team, s.opponent, {}};
    } else if (pg.player_id != s.player_id) {
      at.fail("PLAYER_ID", f[c.pid],
              "player " + s.lookup + " already shot with PLAYER_ID " + std::to_string(pg.player_id) + " in game " +
                  game_key + " (line " + std::to_string(pg.first_line) + "): two players with one player_lookup");
    } else if (pg.team != s.team) {
      at.fail("TEAM_NAME", f[c.team], "player " + pg.name + " shot for " + pg.team + " earlier in game " + game_key);
    }
    pg.zones.add(s.zone, s.made);
    const int64_t attempts = pg.zones.attempts[0] + pg.zones.attempts[1] + pg.zones.attempts[2];
    if (attempts > static_cast<int64_t>(limits::kPlayerCount.max)) {
      at.fail("PLAYER_ID", f[c.pid],
              "player " + s.lookup + " has more than " + std::to_string(attempts - 1) +
                  " field-goal attempts in game " + game_key);
    }
  }

  /// Data-quality warnings: one GAME_ID for several games (kept apart), one
  /// game under several ids.
  [[nodiscard]] std::vector<std::string> warnings(const std::string& source_name) const {
    auto line_list = [](const std::map<std::string, int64_t>& m) {
      std::string s;
      for (const auto& [k, line] : m) s += (s.empty() ? "" : ", ") + k + " (line " + std::to_string(line) + ")";
      return s;
    };
    std::vector<std::string> out;
    for (const auto& [id, keyed] : games_of_id_) {
      if (keyed.size() < 2) continue;
      out.push_back(source_name + ": GAME_ID " + id + " is used by " + std::to_string(keyed.size()) +
                    " different games: " + line_list(keyed) + "; each is kept as its own game (by date and teams)");
    }
    for (const auto& [key, ids] : ids_of_game_) {
      if (ids.size() < 2) continue;
      out.push_back(source_name + ": game " + key + " appears under " + std::to_string(ids.size()) +
                    " GAME_IDs: " + line_list(ids) + "; kept once with GAME_ID " + games_.at(key).game.nba_game_id +
                    " (its first line)");
    }
    return out;
  }

  /// The player-games in a deterministic order: date, canonical game id, team,
  /// player_lookup (game_key starts with YYYYMMDD, so it orders by date first).
  [[nodiscard]] std::vector<const PlayerGame*> player_games() const {
    std::vector<const PlayerGame*> rows;
    rows.reserve(player_games_.size());
    for (const auto& [k, pg] : player_games_) rows.push_back(&pg);
    std::sort(rows.begin(), rows.end(), [](const PlayerGame* a, const PlayerGame* b) {
      return std::tie(a->game_key, a->team, a->lookup) < std::tie(b->game_key, b->team, b->lookup);
    });
    return rows;
  }

  [[nodiscard]] const Game& game(const std::string& key) const { return games_.at(key).game; }

  /// The games by date, then canonical id.
  [[nodiscard]] std::vector<Game> games() const {
    std::vector<Game> out;
    out.reserve(games_.size());
    for (const auto& [key, seen] : games_) out.push_back(seen.game);
    std::sort(out.begin(), out.end(), [](const Game& a, const Game& b) {
      return std::make_tuple(a.date, a.date_id()) < std::make_tuple(b.date, b.date_id());
    });
    return out;
  }

 private:
  // Games are keyed by date and teams (YYYYMMDD_AWAY_HOME, the legacy game_id):
  // shot charts of some past seasons reuse one GAME_ID for several games, so
  // the NBA id is only an attribute.
  std::map<std::string, GameSeen> games_;                                   // by date_id
  std::map<std::string, std::map<std::string, int64_t>> games_of_id_;       // nba id → date_id → first line
  std::map<std::string, std::map<std::string, int64_t>> ids_of_game_;       // date_id → nba id → first line
  std::map<std::pair<std::string, std::string>, PlayerGame> player_games_;  // (date_id, player_lookup)
  std::map<std::pair<std::string, int64_t>, std::string> lookup_of_id_;     // (date_id, PLAYER_ID) → lookup
};

/// Zones allowed per (date, game_id, offense team).
using AllowedZones = std::map<std::tuple<Date, std::string, std::string>, ZoneCounts>;

/// The player_shot_zones and gamebook rows of the player-games; sums each
/// offense's zones into @p allowed.
void emit_player_rows(const ShotTally& tally, const std::string& source_name, ShotChartImport& out,
                      AllowedZones& allowed) {
  const std::vector<const PlayerGame*> rows = tally.player_games();
  Table& pz = out.player_zones;
  Table& gb = out.gamebook;
  pz.resize(rows.size());
  gb.resize(rows.size());
  const std::string flags = R"(["from_shot_chart"])";
  for (size_t r = 0; r < rows.size(); ++r) {
    const PlayerGame& p = *rows[r];
    const Game& g = tally.game(p.game_key);
    const std::string& gid = p.game_key;
    pz.set(r, psz::game_id, gid);
    pz.set(r, psz::nba_game_id, g.nba_game_id);
    pz.set(r, psz::game_date, g.date);
    pz.set(r, psz::season_year, g.season);
    pz.set(r, psz::player_lookup, p.lookup);
    pz.set(r, psz::player_name, p.name);
    pz.set(r, psz::team_abbr, p.team);
    pz.set(r, psz::opponent_team_abbr, p.opponent);
    set_zones(pz, r, p.zones, kPlayerZones);
    pz.set(r, psz::data_source, "nbacom_shotchart");
    allowed[{g.date, gid, p.team}].add(p.zones);

    const int64_t fga = p.zones.attempts[0] + p.zones.attempts[1] + p.zones.attempts[2];
    const int64_t fgm = p.zones.makes[0] + p.zones.makes[1] + p.zones.makes[2];
    gb.set(r, gbps::game_id, gid);
    gb.set(r, gbps::game_code, g.date.compact() + "/" + g.away + g.home);
    gb.set(r, gbps::game_date, g.date);
    gb.set(r, gbps::season_year, g.season);
    gb.set(r, gbps::home_team_abbr, g.home);
    gb.set(r, gbps::away_team_abbr, g.away);
    gb.set(r, gbps::player_name, p.name);
    gb.set(r, gbps::player_name_original, p.name);
    gb.set(r, gbps::player_lookup, p.lookup);
    gb.set(r, gbps::team_abbr, p.team);
    gb.set(r, gbps::player_status, "active");
    gb.set(r, gbps::field_goals_made, fgm);
    gb.set(r, gbps::field_goals_attempted, fga);
    gb.set(r, gbps::three_pointers_made, p.zones.makes[2]);
    gb.set(r, gbps::three_pointers_attempted, p.zones.attempts[2]);
    gb.set(r, gbps::source_file_path, source_name);
    gb.set(r, gbps::data_quality_flags, flags);
  }
  // Legacy DDL hash inputs for the gamebook (rebounds is not a column of the
  // table).
  fill_data_hash(
      gb, {"game_id", "player_lookup", "minutes", "field_goals_made", "field_goals_attempted", "points", "assists"});
}

/// The defending team's zones allowed, one row per (game, offense).
void emit_team_zones(const AllowedZones& allowed, Table& tz) {
  tz.resize(allowed.size());
  size_t r = 0;
  for (const auto& [key, z] : allowed) {
    const auto& [date, gid, offense] = key;
    // game_id is YYYYMMDD_AWAY_HOME: the defender is the side that is not the
    // offense.
    const std::string away = gid.substr(9, gid.find('_', 9) - 9);
    const std::string home = gid.substr(gid.rfind('_') + 1);
    tz.set(r, tsza::game_id, gid);
    tz.set(r, tsza::game_date, date);
    tz.set(r, tsza::season_year, season_of(date));
    tz.set(r, tsza::defending_team_abbr, offense == home ? away : home);
    tz.set(r, tsza::offense_team_abbr, offense);
    set_zones(tz, r, z, kZonesAllowed);
    tz.set(r, tsza::data_source, "nbacom_shotchart");
    ++r;
  }
}

/// The header record of a shot chart. A file that is not one (JSON, another
/// CSV) is named as such first, before any CSV detail of its first line.
CsvHeader shot_header(const std::string& text, CsvReader& reader, std::vector<std::string>& f) {
  const std::string& source = reader.source_name();
  std::string required;
  for (const ShotColumn& c : kShotColumns) required += std::string(required.empty() ? "" : ", ") + c.name;
  const std::string not_csv = source + ": not a shot-chart CSV: ";
  const size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
    throw DataError(not_csv + "it starts with '" + text[first] + "' like a JSON document; the first line must be a " +
                    "header naming the columns " + required);
  }
  try {
    if (!reader.next(f)) throw DataError(source + ": empty file (no header)");
  } catch (const DataError& e) {
    if (first == std::string::npos) throw;
    throw DataError(not_csv + "its first line is not a header naming the columns " + required + " (" + e.what() + ")");
  }
  for (size_t i = 0; i < f.size(); ++i) {
    // Appended, not "#" + std::to_string(...): GCC 12's -Wrestrict misreads the
    // insert at the front of a temporary string.
    std::string column(1, '#');
    column += std::to_string(i + 1);
    require_utf8(RowRef(source, "line 1 (header)"), column, f[i]);
  }
  if (std::none_of(kShotColumns.begin(), kShotColumns.end(),
                   [&](const ShotColumn& c) { return std::find(f.begin(), f.end(), c.name) != f.end(); })) {
    throw DataError(not_csv + "the header has none of the required columns " + required);
  }
  return CsvHeader(f, source);
}

}  // namespace

ShotChartImport import_shot_chart(const std::string& path) { return parse_shot_chart(read_text_file(path), path); }

ShotChartImport parse_shot_chart(const std::string& csv_text, const std::string& source_name) {
  CsvReader reader(csv_text, source_name);
  std::vector<std::string> f;
  const CsvHeader header = shot_header(csv_text, reader, f);
  const ShotColumns cols(header);

  ShotChartImport out{Table(catalog::get("nba_raw.player_shot_zones")),
                      Table(catalog::get("nba_raw.team_shot_zones_allowed")),
                      Table(catalog::get("nba_raw.nbac_gamebook_player_stats")),
                      {},
                      0,
                      source_name,
                      {}};
  ShotTally tally;
  std::map<std::string, std::string> team_cache;  // TEAM_NAME → tricode
  while (reader.next(f)) {
    RowRef at(source_name, "line " + std::to_string(reader.line()));
    if (f.size() != header.size()) {
      at.fail(f.size() < header.size() ? header.name(f.size()) : "(extra)", std::to_string(f.size()) + " fields",
              "expected " + std::to_string(header.size()) + " fields, got " + std::to_string(f.size()));
    }
    // Text is stored as UTF-8: a Latin-1 name ("J\xf6rdan") is refused, not
    // stored as bytes no reader can decode.
    for (size_t i = 0; i < f.size(); ++i) {
      if (valid_utf8_prefix(f[i]) == f[i].size()) continue;
      try {
        at.set_date(parse_mm_dd_yyyy(f[cols.date], at).iso());
      } catch (const DataError&) {
        // The message names the row without its date.
      }
      require_utf8(at, header.name(i), f[i]);
    }
    tally.add(parse_shot(f, cols, at, team_cache), f, cols, reader.line(), at);
    ++out.shots;
  }
  out.warnings = tally.warnings(source_name);
  AllowedZones allowed;
  emit_player_rows(tally, source_name, out, allowed);
  emit_team_zones(allowed, out.team_zones_allowed);
  out.games = tally.games();
  return out;
}

}  // namespace nbaprops::importers
