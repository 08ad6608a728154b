// predictions/{date}.json (legacy PredictionsExporter, spec
// legacy-mlfs-phase5-6 §6.6).
#include <algorithm>
#include <map>
#include <unordered_map>

#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

struct Entry {
  std::string player_lookup;
  std::optional<std::string> recommendation;
  std::optional<double> predicted, confidence, line, pace;
  std::optional<int64_t> similar_games;
};

}  // namespace

std::pair<std::optional<std::string>, std::optional<std::string>> teams_of(const std::string& game_id) {
  const auto a = game_id.find('_');
  if (a == std::string::npos) return {};
  const auto b = game_id.find('_', a + 1);
  if (b == std::string::npos || game_id.find('_', b + 1) != std::string::npos) return {};
  std::string away = game_id.substr(a + 1, b - a - 1), home = game_id.substr(b + 1);
  if (away.empty() || home.empty()) return {};
  return {away, home};
}

Json predictions_payload(const Inputs& in, Date date, const std::string& generated_at) {
  // Team of each (player, game) from the date's graded rows (legacy LEFT JOIN
  // prediction_accuracy).
  std::unordered_map<std::string, std::string> team_of;
  {
    const Table& acc = *in.accuracy.table;
    const Column& team_col = acc.col(pa::team_abbr);
    const Column& player_col = acc.col(pa::player_lookup);
    const Column& game_col = acc.col(pa::game_id);
    const auto [begin, end] = in.accuracy.rows_on(date);
    for (size_t r = begin; r < end; ++r) {
      if (auto team = team_col.get_text(r)) {
        team_of.emplace(player_col.get_text(r).value_or("") + "|" + game_col.get_text(r).value_or(""), *team);
      }
    }
  }

  std::map<std::string, std::vector<Entry>> games;  // ordered by game_id
  const Table& t = *in.predictions.table;
  // Handles resolved once per table, read by row below.
  const Column& system = t.col(ppp::system_id);
  const Column& player = t.col(ppp::player_lookup);
  const Column& recommendation = t.col(ppp::recommendation);
  const Column& predicted = t.col(ppp::predicted_points);
  const Column& confidence = t.col(ppp::confidence_score);
  const Column& line = t.col(ppp::current_points_line);
  const Column& pace = t.col(ppp::pace_adjustment);
  const Column& similar_games = t.col(ppp::similar_games_count);
  const Column& game = t.col(ppp::game_id);
  const auto [begin, end] = in.predictions.rows_on(date);
  int64_t total = 0;
  for (size_t r = begin; r < end; ++r) {
    // All lines, no is_active filter (legacy).
    if (system.get_text(r) != kEnsembleSystem) continue;
    Entry e;
    e.player_lookup = player.get_text(r).value_or("");
    e.recommendation = recommendation.get_text(r);
    e.predicted = predicted.get_real(r);
    e.confidence = confidence.get_real(r);
    e.line = line.get_real(r);
    e.pace = pace.get_real(r);
    e.similar_games = similar_games.get_int(r);
    games[game.get_text(r).value_or("")].push_back(std::move(e));
    ++total;
  }

  Json list = Json::array();
  for (auto& [game_id, entries] : games) {
    // Confidence descending; rows without a confidence last.
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
      if (a.confidence.has_value() != b.confidence.has_value()) return a.confidence.has_value();
      return a.confidence && *a.confidence > *b.confidence;
    });
    const auto [away, home] = teams_of(game_id);
    int64_t over = 0, under = 0, pass = 0;
    Json players = Json::array();
    for (const Entry& e : entries) {
      if (e.recommendation == "OVER") ++over;
      if (e.recommendation == "UNDER") ++under;
      if (e.recommendation == "PASS") ++pass;
      std::optional<std::string> team;
      if (auto it = team_of.find(e.player_lookup + "|" + game_id); it != team_of.end()) team = it->second;
      Json prediction;
      prediction["points"] = number(e.predicted, 2);
      prediction["confidence"] = number(e.confidence, 2);
      prediction["recommendation"] = text(e.recommendation);
      prediction["line"] = number(e.line, 2);
      prediction["edge"] =
          number(e.predicted && e.line ? std::optional<double>(*e.predicted - *e.line) : std::nullopt, 1);
      Json context;
      context["pace_adjustment"] = number(e.pace, 2);
      context["similar_games"] = integer(e.similar_games);
      Json p;
      p["player_lookup"] = e.player_lookup;
      p["team"] = text(team);
      p["is_home"] = team && home ? Json(*team == *home) : Json(nullptr);
      p["prediction"] = std::move(prediction);
      p["context"] = std::move(context);
      players.push_back(std::move(p));
    }
    Json g;
    g["game_id"] = game_id;
    g["home_team"] = text(home);
    g["away_team"] = text(away);
    g["prediction_count"] = static_cast<int64_t>(entries.size());
    Json breakdown;
    breakdown["over"] = over;
    breakdown["under"] = under;
    breakdown["pass"] = pass;
    g["recommendation_breakdown"] = std::move(breakdown);
    g["predictions"] = std::move(players);
    list.push_back(std::move(g));
  }

  Json out;
  out["game_date"] = date.iso();
  out["generated_at"] = generated_at;
  out["total_games"] = static_cast<int64_t>(list.size());
  out["total_predictions"] = total;
  out["games"] = std::move(list);
  return out;
}

}  // namespace nbaprops::exports::detail
