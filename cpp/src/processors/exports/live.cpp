// live/{date}.json (legacy LiveScoresExporter) and live-grading/{date}.json
// (legacy LiveGradingExporter). The legacy polled the BallDontLie live
// box-score API; we read the day's BallDontLie box scores from
// nba_raw.bdl_player_boxscores, or a saved API response
// (BuildOptions::live_file). Never the network.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

struct LivePlayer {
  std::string lookup, name, team, minutes;
  int64_t points = 0, rebounds = 0, assists = 0, steals = 0, blocks = 0, turnovers = 0;
  int64_t fgm = 0, fga = 0, fg3m = 0, fg3a = 0, ftm = 0, fta = 0;
};

struct LiveGame {
  std::string id, status_text, time, home, away;
  int64_t period = 0, home_score = 0, away_score = 0;
  std::vector<LivePlayer> players;  // home players first, then away

  /// Legacy status: "final" in the status text → final; a started period or
  /// "progress"/"live" in the text → in_progress; else scheduled.
  [[nodiscard]] std::string status() const {
    std::string s = status_text;
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s.find("final") != std::string::npos) return "final";
    if (period > 0 || s.find("progress") != std::string::npos || s.find("live") != std::string::npos) {
      return "in_progress";
    }
    return "scheduled";
  }
};

int64_t int_or_zero(const Column& c, size_t r) { return c.is_null(r) ? 0 : c.int_at(r); }

/// The day's games from nba_raw.bdl_player_boxscores, ordered by game_id.
std::vector<LiveGame> games_from_table(Warehouse& wh, Date day) {
  const Table t = wh.read(catalog::get("nba_raw.bdl_player_boxscores"), DateRange{day, day}, {});
  std::map<std::string, LiveGame> games;
  std::map<std::string, std::vector<LivePlayer>> away_players;
  const Column& gid = t.col(bdl::game_id);
  const Column& status = t.col(bdl::game_status);
  const Column& period = t.col(bdl::period);
  const Column& home = t.col(bdl::home_team_abbr);
  const Column& away = t.col(bdl::away_team_abbr);
  const Column& hs = t.col(bdl::home_team_score);
  const Column& as = t.col(bdl::away_team_score);
  const Column& team = t.col(bdl::team_abbr);
  const Column& name = t.col(bdl::player_full_name);
  const Column& lookup = t.col(bdl::player_lookup);
  const Column& minutes = t.col(bdl::minutes);
  const Column& pts = t.col(bdl::points);
  const Column& reb = t.col(bdl::rebounds);
  const Column& ast = t.col(bdl::assists);
  const Column& stl = t.col(bdl::steals);
  const Column& blk = t.col(bdl::blocks);
  const Column& tov = t.col(bdl::turnovers);
  const Column& fgm = t.col(bdl::field_goals_made);
  const Column& fga = t.col(bdl::field_goals_attempted);
  const Column& fg3m = t.col(bdl::three_pointers_made);
  const Column& fg3a = t.col(bdl::three_pointers_attempted);
  const Column& ftm = t.col(bdl::free_throws_made);
  const Column& fta = t.col(bdl::free_throws_attempted);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const std::string id = gid.get_text(r).value_or("");
    LiveGame& g = games[id];
    if (g.id.empty()) {
      g.id = id;
      g.status_text = status.get_text(r).value_or("");
      g.period = int_or_zero(period, r);
      g.home = home.get_text(r).value_or("");
      g.away = away.get_text(r).value_or("");
      g.home_score = int_or_zero(hs, r);
      g.away_score = int_or_zero(as, r);
    }
    LivePlayer p;
    p.lookup = lookup.get_text(r).value_or("");
    p.name = name.get_text(r).value_or(p.lookup);
    p.team = team.get_text(r).value_or("");
    p.minutes = minutes.get_text(r).value_or("0:00");
    p.points = int_or_zero(pts, r);
    p.rebounds = int_or_zero(reb, r);
    p.assists = int_or_zero(ast, r);
    p.steals = int_or_zero(stl, r);
    p.blocks = int_or_zero(blk, r);
    p.turnovers = int_or_zero(tov, r);
    p.fgm = int_or_zero(fgm, r);
    p.fga = int_or_zero(fga, r);
    p.fg3m = int_or_zero(fg3m, r);
    p.fg3a = int_or_zero(fg3a, r);
    p.ftm = int_or_zero(ftm, r);
    p.fta = int_or_zero(fta, r);
    (p.team == g.away && p.team != g.home ? away_players[id] : g.players).push_back(std::move(p));
  }
  std::vector<LiveGame> out;
  for (auto& [id, g] : games) {
    auto& a = away_players[id];
    g.players.insert(g.players.end(), std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()));
    out.push_back(std::move(g));
  }
  return out;
}

/// Legacy fallback lookup: first + last name, lower case, letters and digits
/// only.
std::string fallback_lookup(const std::string& first, const std::string& last) {
  std::string out;
  for (unsigned char c : first + last) {
    if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
  }
  return out;
}

int64_t json_int(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return 0;
  if (it->is_number()) return it->get<int64_t>();
  return 0;
}

std::string json_text(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

/// Member @p key of object @p j: an empty object (@p list: array) when absent;
/// @throws DataError naming @p where when it is of another type.
const nlohmann::json& member(const nlohmann::json& j, const char* key, bool list, const std::string& where) {
  static const nlohmann::json kEmptyObject = nlohmann::json::object();
  static const nlohmann::json kEmptyArray = nlohmann::json::array();
  auto it = j.find(key);
  if (it == j.end()) return list ? kEmptyArray : kEmptyObject;
  if (list ? !it->is_array() : !it->is_object()) {
    throw DataError(where + " is not " + (list ? "a list" : "an object"));
  }
  return *it;
}

/// The day's games from a saved BallDontLie live box-score response ({"data":
/// [...]} or a list); games of other dates are left out, as the legacy did.
/// Players are named through the bdl_player_id → player_lookup map of the raw
/// table's last 30 days, else the legacy fallback.
std::vector<LiveGame> games_from_file(Warehouse& wh, Date day, const std::string& path) {
  std::ifstream in(path);
  if (!in) throw StorageError("live file " + path + ": cannot open");
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& e) {
    throw DataError("live file " + path + ": not valid JSON (parse error at byte " + std::to_string(e.byte) + ")");
  }
  const nlohmann::json& boxes = doc.is_object() ? doc.value("data", nlohmann::json::array()) : doc;
  if (!boxes.is_array()) throw DataError("live file " + path + ": field 'data' is not a list of box scores");
  std::unordered_map<int64_t, std::pair<std::string, std::string>> ids;  // bdl id → (lookup, name)
  {
    const Table t = wh.read(catalog::get("nba_raw.bdl_player_boxscores"), DateRange{day - 30, day},
                            {"bdl_player_id", "player_lookup", "player_full_name", "game_date"});
    const Column& id = t.col(bdl::bdl_player_id);
    const Column& lookup = t.col(bdl::player_lookup);
    const Column& name = t.col(bdl::player_full_name);
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (!id.is_null(r)) ids[id.int_at(r)] = {lookup.get_text(r).value_or(""), name.get_text(r).value_or("")};
    }
  }
  std::vector<LiveGame> out;
  for (size_t i = 0; i < boxes.size(); ++i) {
    const nlohmann::json& box = boxes[i];
    if (!box.is_object()) throw DataError("live file " + path + ": record " + std::to_string(i) + " is not an object");
    const std::string date = json_text(box, "date").substr(0, 10);
    if (!date.empty() && date != day.iso()) continue;
    LiveGame g;
    g.id = json_text(box, "id");
    g.status_text = json_text(box, "status");
    g.period = json_int(box, "period");
    g.time = json_text(box, "time");
    g.home_score = json_int(box, "home_team_score");
    g.away_score = json_int(box, "visitor_team_score");
    for (const char* side : {"home_team", "visitor_team"}) {
      const std::string where = "live file " + path + ": record " + std::to_string(i) + " field " + side;
      const nlohmann::json& team = member(box, side, false, where);
      const std::string abbr = json_text(team, "abbreviation");
      (std::string(side) == "home_team" ? g.home : g.away) = abbr;
      const nlohmann::json& players = member(team, "players", true, where + ".players");
      for (size_t k = 0; k < players.size(); ++k) {
        const std::string at = where + ".players[" + std::to_string(k) + "]";
        const nlohmann::json& ps = players[k];
        if (!ps.is_object()) throw DataError(at + " is not an object");
        const nlohmann::json& info = member(ps, "player", false, at + ".player");
        const int64_t id = json_int(info, "id");
        if (id == 0) continue;
        LivePlayer p;
        if (auto it = ids.find(id); it != ids.end() && !it->second.first.empty()) {
          p.lookup = it->second.first;
          p.name = it->second.second;
        } else {
          const std::string first = json_text(info, "first_name"), last = json_text(info, "last_name");
          if (first.empty() || last.empty()) continue;
          p.lookup = fallback_lookup(first, last);
          p.name = first + " " + last;
        }
        p.team = abbr;
        p.minutes = json_text(ps, "min");
        if (p.minutes.empty()) p.minutes = "0:00";
        p.points = json_int(ps, "pts");
        p.rebounds = json_int(ps, "reb");
        p.assists = json_int(ps, "ast");
        p.steals = json_int(ps, "stl");
        p.blocks = json_int(ps, "blk");
        p.turnovers = json_int(ps, "turnover");
        p.fgm = json_int(ps, "fgm");
        p.fga = json_int(ps, "fga");
        p.fg3m = json_int(ps, "fg3m");
        p.fg3a = json_int(ps, "fg3a");
        p.ftm = json_int(ps, "ftm");
        p.fta = json_int(ps, "fta");
        g.players.push_back(std::move(p));
      }
    }
    out.push_back(std::move(g));
  }
  return out;
}

std::vector<LiveGame> live_games(Warehouse& wh, Date day, const BuildOptions& o) {
  return o.live_file.empty() ? games_from_table(wh, day) : games_from_file(wh, day, o.live_file);
}

/// "20241225T213000Z" from an ISO timestamp ("2024-12-25T21:30:00..."): the
/// poll id of the legacy.
std::string poll_id(const std::string& generated_at) {
  std::string digits;
  for (size_t i = 0; i < generated_at.size() && digits.size() < 15; ++i) {
    const char c = generated_at[i];
    if (std::isdigit(static_cast<unsigned char>(c))) digits.push_back(c);
    if (c == 'T' && digits.size() == 8) digits.push_back('T');
    if (c == '.' || c == '+' || c == 'Z') break;
  }
  return digits + "Z";
}

int status_rank(const std::string& s) { return s == "in_progress" ? 0 : s == "final" ? 1 : s == "scheduled" ? 2 : 3; }

double round_to(double x, int digits) {
  const double f = std::pow(10.0, digits);
  return std::nearbyint(x * f) / f;
}

}  // namespace

Json live_payload(Warehouse& wh, Date day, const BuildOptions& o, const std::string& generated_at) {
  std::vector<LiveGame> games = live_games(wh, day, o);
  std::stable_sort(games.begin(), games.end(), [](const LiveGame& a, const LiveGame& b) {
    return status_rank(a.status()) < status_rank(b.status());
  });
  Json list = Json::array();
  int64_t in_progress = 0, final_games = 0;
  for (LiveGame& g : games) {
    const std::string status = g.status();
    in_progress += status == "in_progress" ? 1 : 0;
    final_games += status == "final" ? 1 : 0;
    std::stable_sort(g.players.begin(), g.players.end(),
                     [](const LivePlayer& a, const LivePlayer& b) { return a.points > b.points; });
    Json players = Json::array();
    for (const LivePlayer& p : g.players) {
      Json j;
      j["player_lookup"] = p.lookup;
      j["name"] = p.name;
      j["team"] = p.team;
      j["points"] = p.points;
      j["rebounds"] = p.rebounds;
      j["assists"] = p.assists;
      j["steals"] = p.steals;
      j["blocks"] = p.blocks;
      j["turnovers"] = p.turnovers;
      j["minutes"] = p.minutes;
      j["fg_made"] = p.fgm;
      j["fg_attempted"] = p.fga;
      j["fg3_made"] = p.fg3m;
      j["fg3_attempted"] = p.fg3a;
      j["ft_made"] = p.ftm;
      j["ft_attempted"] = p.fta;
      players.push_back(std::move(j));
    }
    Json j;
    j["game_id"] = g.id;
    j["status"] = status;
    j["period"] = g.period;
    j["time_remaining"] = g.time;
    j["home_team"] = g.home;
    j["away_team"] = g.away;
    j["home_score"] = g.home_score;
    j["away_score"] = g.away_score;
    j["player_count"] = players.size();
    j["players"] = std::move(players);
    list.push_back(std::move(j));
  }
  Json out;
  out["updated_at"] = generated_at;
  out["game_date"] = day.iso();
  out["poll_id"] = poll_id(generated_at);
  out["games_in_progress"] = in_progress;
  out["games_final"] = final_games;
  out["total_games"] = list.size();
  out["games"] = std::move(list);
  return out;
}

namespace {

/// The ensemble's active prediction of one player.
struct ActivePrediction {
  std::string lookup, game_id;
  std::optional<double> predicted, confidence, line;
  std::optional<std::string> recommendation, line_source;
  bool has_line = false;
  int64_t version = 0;
  std::string updated;
};

/// The ensemble's active prediction per player of D (highest
/// prediction_version, then newest update).
std::map<std::string, ActivePrediction> active_predictions(Warehouse& wh, Date day) {
  const Table t = wh.read(
      catalog::get("nba_predictions.player_prop_predictions"), DateRange{day, day},
      {"system_id", "player_lookup", "game_date", "game_id", "predicted_points", "confidence_score", "recommendation",
       "current_points_line", "has_prop_line", "line_source", "is_active", "prediction_version", "updated_at"});
  std::map<std::string, ActivePrediction> best;
  // Handles resolved once per table, read by row below.
  const Column& system = t.col(ppp::system_id);
  const Column& active = t.col(ppp::is_active);
  const Column& lookup = t.col(ppp::player_lookup);
  const Column& game = t.col(ppp::game_id);
  const Column& predicted = t.col(ppp::predicted_points);
  const Column& confidence = t.col(ppp::confidence_score);
  const Column& line = t.col(ppp::current_points_line);
  const Column& recommendation = t.col(ppp::recommendation);
  const Column& line_source = t.col(ppp::line_source);
  const Column& has_line = t.col(ppp::has_prop_line);
  const Column& version = t.col(ppp::prediction_version);
  const Column& updated = t.col(ppp::updated_at);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (system.get_text(r) != std::optional<std::string>(kEnsembleSystem)) continue;
    if (!active.is_null(r) && active.int_at(r) == 0) continue;
    ActivePrediction p;
    p.lookup = lookup.get_text(r).value_or("");
    p.game_id = game.get_text(r).value_or("");
    p.predicted = predicted.get_real(r);
    p.confidence = confidence.get_real(r);
    p.line = line.get_real(r);
    p.recommendation = recommendation.get_text(r);
    p.line_source = line_source.get_text(r);
    p.has_line = has_line.get_int(r).value_or(0) != 0;
    p.version = version.get_int(r).value_or(0);
    p.updated = updated.get_text(r).value_or("");
    auto [it, fresh] = best.emplace(p.lookup, p);
    if (!fresh && std::tie(p.version, p.updated) > std::tie(it->second.version, it->second.updated)) it->second = p;
  }
  return best;
}

Json empty_grading_summary() {
  return {{"total_predictions", 0},
          {"graded", 0},
          {"pending", 0},
          {"correct", 0},
          {"incorrect", 0},
          {"trending_correct", 0},
          {"trending_incorrect", 0},
          {"win_rate", nullptr},
          {"avg_error", nullptr},
          {"games_in_progress", 0},
          {"games_final", 0}};
}

/// A player's live line and game.
struct Live {
  const LivePlayer* player = nullptr;
  const LiveGame* game = nullptr;
};

/// Counts of the graded rows.
struct GradeTally {
  int64_t graded = 0, correct = 0, incorrect = 0, trend_ok = 0, trend_bad = 0;
  double err_sum = 0;
  int64_t err_n = 0;
  void count(const std::string& status) {
    correct += status == "correct";
    incorrect += status == "incorrect";
    trend_ok += status == "trending_correct";
    trend_bad += status == "trending_incorrect";
  }
};

/// The status of a bet on @p line with @p actual points so far: final games
/// are correct or incorrect (legacy: an actual equal to the line counts as
/// incorrect; kept, lines are half points); live ones trend.
std::string bet_status(bool over, double actual, double line, bool final) {
  const bool winning = over ? actual > line : actual < line;
  if (final) return winning ? "correct" : "incorrect";
  if (winning) return "trending_correct";
  if (over ? actual < line - 5 : actual > line + 5) return "trending_incorrect";
  return "in_progress";
}

/// Row @p j's live fields and its status; counts it in @p tally.
std::string grade(const ActivePrediction& p, const Live& live, const std::string& gstatus,
                  const std::optional<double>& predicted, const std::optional<double>& line, Json& j,
                  GradeTally& tally) {
  if (!live.player || gstatus == "scheduled") {
    j["status"] = "pending";
    j["actual"] = nullptr;
    j["minutes"] = nullptr;
    j["error"] = nullptr;
    j["margin_vs_line"] = nullptr;
    return "pending";
  }
  const double actual = static_cast<double>(live.player->points);
  j["actual"] = live.player->points;
  j["minutes"] = live.player->minutes;
  j["error"] = predicted ? number(round_to(*predicted - actual, 1), 1) : Json(nullptr);
  if (predicted) {
    tally.err_sum += std::fabs(round_to(*predicted - actual, 1));
    ++tally.err_n;
  }
  ++tally.graded;
  std::string status;
  if (line && (p.recommendation == "OVER" || p.recommendation == "UNDER")) {
    j["margin_vs_line"] = number(round_to(actual - *line, 1), 1);
    status = bet_status(p.recommendation == "OVER", actual, *line, gstatus == "final");
  } else {
    status = gstatus == "final" ? "graded" : "in_progress";
  }
  j["status"] = status;
  return status;
}

struct GradedRow {
  Json j;
  int rank;
  double confidence;
};

/// One prediction's row of the page.
GradedRow grading_row(const std::string& lookup, const ActivePrediction& p, const Live& live, GradeTally& tally) {
  static const std::map<std::string, int> kOrder = {
      {"correct", 0},     {"incorrect", 1}, {"trending_correct", 2}, {"trending_incorrect", 3},
      {"in_progress", 4}, {"graded", 5},    {"pending", 6}};
  const LivePlayer* lp = live.player;
  const LiveGame* lg = live.game;
  const std::string gstatus = lg ? lg->status() : "scheduled";
  auto [away, home] = teams_of(p.game_id);
  const std::optional<double> predicted = p.predicted ? std::optional(round_to(*p.predicted, 1)) : std::nullopt;
  const std::optional<double> line = p.line ? std::optional(round_to(*p.line, 1)) : std::nullopt;
  const std::optional<double> conf = p.confidence ? std::optional(round_to(*p.confidence, 3)) : std::nullopt;
  Json j;
  j["player_lookup"] = lookup;
  j["player_name"] = lp && !lp->name.empty() ? lp->name : lookup;
  j["team"] = lp ? Json(lp->team) : Json(nullptr);
  j["home_team"] = text(home);
  j["away_team"] = text(away);
  j["game_status"] = gstatus;
  j["period"] = lg ? Json(lg->period) : Json(nullptr);
  j["time_remaining"] = lg ? Json(lg->time) : Json(nullptr);
  j["predicted"] = number(predicted, 1);
  j["line"] = number(line, 1);
  j["recommendation"] = text(p.recommendation);
  j["confidence"] = number(conf, 3);
  j["has_line"] = p.has_line;
  j["line_source"] = text(p.line_source);
  const std::string status = grade(p, live, gstatus, predicted, line, j, tally);
  tally.count(status);
  return {std::move(j), kOrder.at(status), conf.value_or(0)};
}

Json grading_summary(const GradeTally& t, int64_t total, const std::vector<LiveGame>& games) {
  int64_t in_progress = 0, final_games = 0;
  for (const LiveGame& g : games) {
    const std::string s = g.status();
    final_games += s == "final";
    in_progress += s != "final" && g.period > 0;
  }
  Json summary;
  summary["total_predictions"] = total;
  summary["graded"] = t.graded;
  summary["pending"] = total - t.graded;
  summary["correct"] = t.correct;
  summary["incorrect"] = t.incorrect;
  summary["trending_correct"] = t.trend_ok;
  summary["trending_incorrect"] = t.trend_bad;
  summary["win_rate"] =
      t.correct + t.incorrect > 0
          ? number(round_to(static_cast<double>(t.correct) / static_cast<double>(t.correct + t.incorrect), 3), 3)
          : Json(nullptr);
  summary["avg_error"] = t.err_n > 0 ? number(round_to(t.err_sum / static_cast<double>(t.err_n), 1), 1) : Json(nullptr);
  summary["games_in_progress"] = in_progress;
  summary["games_final"] = final_games;
  return summary;
}

}  // namespace

Json live_grading_payload(Warehouse& wh, Date day, const BuildOptions& o, const std::string& generated_at) {
  const std::map<std::string, ActivePrediction> best = active_predictions(wh, day);
  Json out;
  out["updated_at"] = generated_at;
  out["game_date"] = day.iso();
  if (best.empty()) {
    out["summary"] = empty_grading_summary();
    out["predictions"] = Json::array();
    return out;
  }
  const std::vector<LiveGame> games = live_games(wh, day, o);
  std::unordered_map<std::string, Live> live;
  for (const LiveGame& g : games) {
    for (const LivePlayer& p : g.players) live[p.lookup] = {&p, &g};
  }
  std::vector<GradedRow> rows;
  GradeTally tally;
  for (const auto& [lookup, p] : best) {
    auto it = live.find(lookup);
    rows.push_back(grading_row(lookup, p, it == live.end() ? Live{} : it->second, tally));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const GradedRow& a, const GradedRow& b) {
    return std::tie(a.rank, b.confidence) < std::tie(b.rank, a.confidence);
  });
  out["summary"] = grading_summary(tally, static_cast<int64_t>(rows.size()), games);
  Json list = Json::array();
  for (GradedRow& r : rows) list.push_back(std::move(r.j));
  out["predictions"] = std::move(list);
  return out;
}

}  // namespace nbaprops::exports::detail
