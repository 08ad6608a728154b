// File reading, team-name mapping and the NBA.com schedule API parser (spec
// §5).

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <string_view>
#include <tuple>
#include <nlohmann/json.hpp>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/teams.hpp"
#include "nbaprops/importers/importers.hpp"
#include "nbaprops/importers/validate.hpp"
#include "nbaprops/io/object_store.hpp"
#include "json_input.hpp"

namespace nbaprops::importers {
namespace {

using nlohmann::json;

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// Text of a JSON member that may be absent, null, a string or a number.
std::string text_of(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return "";
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
  return json_preview(*it);
}

/// Checked integer member (a number or a numeric string); nullopt when absent,
/// null or "".
/// @throws DataError (via @p at) for anything else or a value outside @p lim.
std::optional<int64_t> int_of(const RowRef& at, const json& obj, const char* key, Limits lim) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::nullopt;
  if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) {
    at.fail(key, json_preview(*it), "integer out of range");
  }
  if (it->is_number_integer()) return check_int(at, key, it->get<int64_t>(), lim);
  if (it->is_number()) return check_int(at, key, it->get<double>(), lim);
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    if (s.empty()) return std::nullopt;
    return parse_int(at, key, s, lim);
  }
  at.fail(key, json_preview(*it), "not a number");
}

/// Parses `MM/DD/YYYY[ HH:MM:SS]`, ISO `YYYY-MM-DDT…` or `YYYY-MM-DD`; nullopt
/// when unreadable.
std::optional<Date> parse_schedule_date(std::string_view s) {
  if (s.size() >= 10 && s[4] == '-' && (s.size() == 10 || s[10] == 'T' || s[10] == ' ')) {
    return Date::try_parse(s.substr(0, 10));
  }
  return Date::try_parse_mdy(s.substr(0, s.find(' ')));
}

constexpr std::array<std::string_view, 6> kAllStarLabels = {
    "Rising Stars", "All-Star Game", "Celebrity Game", "Skills Challenge", "Three-Point Contest", "Slam Dunk Contest"};
constexpr std::array<std::string_view, 4> kPlayoffLabels = {"First Round", "Conf. Semifinals", "Conf. Finals",
                                                            "NBA Finals"};

/// The legacy classification order (spec §5).
GameType classify(const std::string& label, const std::string& sub_label, const std::string& week_name,
                  std::optional<int64_t> week_number) {
  for (auto l : kAllStarLabels) {
    if (contains(label, l) || contains(sub_label, l)) return GameType::kAllStar;
  }
  if (week_name == "All-Star") return GameType::kAllStar;
  if (contains(label, "Play-In")) return GameType::kPlayIn;
  for (auto l : kPlayoffLabels) {
    if (contains(label, l)) return GameType::kPlayoff;
  }
  if (week_number && *week_number == 0) return GameType::kPreseason;
  return GameType::kRegularSeason;
}

std::string tricode_of(const json& g, const char* team_key, const char* flat_key) {
  auto it = g.find(team_key);
  if (it != g.end() && it->is_object()) {
    std::string t = text_of(*it, "teamTricode");
    if (!t.empty()) return t;
  }
  return text_of(g, flat_key);
}

std::optional<int> score_of(const RowRef& at, const json& g, const char* team_key) {
  auto it = g.find(team_key);
  if (it == g.end() || !it->is_object()) return std::nullopt;
  auto v = int_of(RowRef(at.source(), at.row() + " " + team_key, at.date()), *it, "score", limits::kTeamScore);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

/// The game's own date fields, when present, must be dates, and its Eastern
/// ones the game's date: a damaged date is a damaged record, not a field to
/// ignore (the date used comes from gameDates[].gameDate).
void check_own_dates(const RowRef& ref, const json& g, Date date) {
  for (const char* f : {"gameDateEst", "gameDateTimeEst", "gameDateUTC", "gameDateTimeUTC"}) {
    const std::string text = text_of(g, f);
    if (text.empty()) continue;
    const auto own = parse_schedule_date(text);
    if (!own) ref.fail(f, text, "not a calendar date (expected YYYY-MM-DD… or MM/DD/YYYY)");
    // UTC fields may fall on the next day (an evening tip-off); Eastern ones
    // are the game's date.
    const bool eastern = std::string_view(f).ends_with("Est");
    if (eastern && *own != date) ref.fail(f, text, "disagrees with the game's date " + date.iso());
  }
}

struct Parser {
  const std::string& source;
  ScheduleImport out;
  int64_t index = 0;  // game position in the file (0-based), for messages
  int64_t non_nba_warned = 0;
  std::vector<std::string> unusable;  // "game #3 (gameId …): no homeTeam", for the warning
  UniqueKeys ids{"gameId"};
  UniqueKeys codes{"game (date, away, home)"};

  void game(const json& g, const std::string& outer_date, const char* date_field) {
    const int64_t at = index++;
    if (!g.is_object()) {
      throw DataError(source + " game #" + std::to_string(at) + ": not a JSON object");
    }
    const std::string code = text_of(g, "gameCode");
    const std::string home = tricode_of(g, "homeTeam", "homeTeamTricode");
    const std::string away = tricode_of(g, "awayTeam", "awayTeamTricode");
    if (code.find('/') == std::string::npos || home.empty() || away.empty()) {
      // Not yet playable (a playoff game whose teams are TBD) or damaged:
      // skipped, and named in the import's warnings.
      ++out.dropped_invalid;
      const std::string id = text_of(g, "gameId");
      const char* field = code.find('/') == std::string::npos ? "gameCode"
                          : home.empty()                      ? "homeTeam.teamTricode"
                                                              : "awayTeam.teamTricode";
      unusable.push_back("game #" + std::to_string(at) + (id.empty() ? "" : " (gameId " + id + ")") + " field " +
                         field + (code.find('/') == std::string::npos && !code.empty() ? " = '" + code + "'" : "") +
                         ": missing");
      return;
    }
    if (is_exhibition_tricode(home) || is_exhibition_tricode(away)) {
      ++out.dropped_exhibition;
      return;
    }
    if (!is_nba_tricode(home) || !is_nba_tricode(away)) {
      ++out.dropped_invalid;
      ++non_nba_warned;
      return;
    }
    // Date: the gameDates entry's (old layout) or the game's own (new layout).
    std::string date_text = outer_date;
    std::string field = date_field;
    if (date_text.empty()) {
      for (const char* f : {"gameDate", "gameDateEst"}) {
        date_text = text_of(g, f);
        field = f;
        if (!date_text.empty()) break;
      }
    }
    auto date = parse_schedule_date(date_text);
    if (!date) {
      throw DataError(source + " game #" + std::to_string(at) + " (" + code + ") field " + field +
                      ": unreadable date '" + date_text + "'");
    }
    const RowRef ref(source, "game #" + std::to_string(at) + " (" + code + ")", date->iso());
    check_own_dates(ref, g, *date);
    Game out_game;
    out_game.nba_game_id = text_of(g, "gameId");
    if (out_game.nba_game_id.empty()) ref.fail("gameId", "", "missing");
    if (out_game.nba_game_id.size() != 10 ||
        out_game.nba_game_id.find_first_not_of("0123456789") != std::string::npos) {
      ref.fail("gameId", out_game.nba_game_id, "expected NBA.com's 10-digit game id (e.g. 0022400061)");
    }
    if (home == away) ref.fail("awayTeam.teamTricode", away, "the same team as homeTeam");
    out_game.date = *date;
    out_game.season = season_of(*date);
    out_game.home = home;
    out_game.away = away;
    const std::string label = text_of(g, "gameLabel");
    const std::string sub_label = text_of(g, "gameSubLabel");
    out_game.type = classify(label, sub_label, text_of(g, "weekName"), int_of(ref, g, "weekNumber", Limits{0, 60}));
    out_game.label = label;
    const std::string cup_text = lower(label + " " + text_of(g, "gameSubtype"));
    out_game.is_cup = contains(cup_text, "cup") || contains(cup_text, "in-season");
    const std::string status_text = text_of(g, "gameStatusText");
    const int64_t status = int_of(ref, g, "gameStatus", Limits{1, 3}).value_or(1);
    if (contains(status_text, "PPD") || contains(status_text, "Postponed") || text_of(g, "postponedStatus") == "Y") {
      out_game.status = GameStatus::kPostponed;
    } else if (status == 3) {
      out_game.status = GameStatus::kFinal;
    } else if (status == 2) {
      out_game.status = GameStatus::kLive;
    } else {
      out_game.status = GameStatus::kScheduled;
    }
    if (out_game.status == GameStatus::kFinal || out_game.status == GameStatus::kLive) {
      out_game.home_score = score_of(ref, g, "homeTeam");
      out_game.away_score = score_of(ref, g, "awayTeam");
    }
    ids.claim(ref, out_game.nba_game_id);
    // Two counted games of the same teams on one date cannot both be real
    // (All-Star events may).
    if (out_game.counts()) codes.claim(ref, out_game.date_id());
    out.games.push_back(std::move(out_game));
  }
};

}  // namespace

std::string read_text_file(const std::string& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    throw StorageError("cannot read " + path + ": it is a directory, not a file (give one file of the directory)");
  }
  return io::read_file(path);
}

std::string tricode_from_team_name(const std::string& full_name) {
  if (full_name == "LA Clippers" || full_name == "Los Angeles Clippers") return "LAC";
  for (const TeamInfo& t : teams()) {
    if (full_name == t.city + " " + t.name) return t.tricode;
  }
  return "";
}

bool is_exhibition_tricode(const std::string& code) {
  static const std::array<std::string_view, 24> kCodes = {"RMD", "CNS", "NZB", "MRA", "FLA", "JAL", "TAM", "DLF",
                                                          "PAU", "ULM", "KEN", "CHK", "CAN", "SHQ", "WST", "EST",
                                                          "TMG", "TMM", "TMC", "TML", "TMD", "TMS", "WOR", "RIS"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

ScheduleImport parse_nbacom_schedule(const std::string& json_text, const std::string& source_name) {
  json root;
  try {
    root = parse_json_limited(json_text, source_name);
  } catch (const json::exception& e) {
    throw DataError(source_name + ": malformed JSON " + plain_json_error(e));
  }
  Parser p{source_name, {}};
  const json* ls = &root;
  if (root.is_object() && root.contains("leagueSchedule") && root["leagueSchedule"].is_object()) {
    ls = &root["leagueSchedule"];
  }
  if (!ls->is_object()) throw DataError(source_name + ": expected a JSON object at the top level");
  if (auto it = ls->find("gameDates"); it != ls->end() && it->is_array()) {
    int64_t di = 0;
    for (const json& gd : *it) {
      std::string date_text;
      const char* field = "gameDate";
      for (const char* f : {"gameDate", "date", "gameDateEst"}) {
        date_text = text_of(gd, f);
        field = f;
        if (!date_text.empty()) break;
      }
      auto games = gd.find("games");
      if (games == gd.end() || !games->is_array()) {
        throw DataError(source_name + " gameDates[" + std::to_string(di) + "] (" + date_text +
                        ") field games: missing or not a list");
      }
      for (const json& g : *games) p.game(g, date_text, field);
      ++di;
    }
  } else if (auto flat = ls->find("games"); flat != ls->end() && flat->is_array()) {
    for (const json& g : *flat) p.game(g, "", "gameDate");
  } else {
    throw DataError(source_name + ": neither leagueSchedule.gameDates[] nor games[] found");
  }
  if (p.out.games.empty() && !p.unusable.empty()) {
    throw DataError(source_name + ": no usable game (" + std::to_string(p.unusable.size()) +
                    " without a gameCode or a team), first: " + p.unusable.front());
  }
  if (!p.unusable.empty()) {
    std::string list;
    for (size_t i = 0; i < p.unusable.size() && i < 5; ++i) list += (i ? "; " : "") + p.unusable[i];
    if (p.unusable.size() > 5) list += "; …";
    p.out.warnings.push_back(source_name + ": skipped " + std::to_string(p.unusable.size()) +
                             " games without a gameCode or a team: " + list);
  }
  if (p.non_nba_warned > 0) {
    p.out.warnings.push_back(source_name + ": dropped " + std::to_string(p.non_nba_warned) +
                             " games with a non-NBA tricode");
  }
  return std::move(p.out);
}

namespace {

void log_kept(const std::string& source, const ScheduleImport& imp) {
  NBAPROPS_LOG_INFO << source << ": " << imp.games.size() << " games kept, " << imp.dropped_exhibition
                    << " exhibition and " << imp.dropped_invalid << " invalid dropped";
}

bool is_schedule_file(const io::ObjectInfo& o) {
  const std::string_view p = o.path;
  return p.ends_with(".json") || p.ends_with(".json.gz");
}

}  // namespace

Schedule load_nbacom_schedule(const std::string& path) {
  ScheduleImport imp = parse_nbacom_schedule(read_text_file(path), path);
  log_kept(path, imp);
  return Schedule(std::move(imp.games));
}

std::map<std::string, int64_t> import_newest_schedule(Warehouse& wh, const std::string& uri, std::string* source) {
  auto store = io::open_object_store(uri);
  std::vector<io::ObjectInfo> files = store->list("");
  std::erase_if(files, [](const io::ObjectInfo& o) { return !is_schedule_file(o); });
  if (files.empty()) throw StorageError("no schedule JSON (.json or .json.gz) under " + uri);
  const auto newest = std::max_element(files.begin(), files.end(), [](const auto& a, const auto& b) {
    return std::tie(a.updated, a.path) < std::tie(b.updated, b.path);
  });
  const std::string name = store->uri() + (store->uri().back() == '/' ? "" : "/") + newest->path;
  const ScheduleImport imp = parse_nbacom_schedule(io::maybe_gunzip(store->read(newest->path), name), name);
  log_kept(name, imp);
  if (source) *source = name;
  return write_schedule(wh, imp, name).rows;
}

}  // namespace nbaprops::importers
