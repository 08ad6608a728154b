// streaks/today.json (legacy StreaksExporter) and trends/whos-hot-v2.json
// (legacy WhosHotColdExporter).
#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <unordered_map>

#include "nbaprops/core/schema.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

/// One player_game_summary game with a prop result.
struct PropGame {
  int32_t day = 0;
  int64_t points = 0;
  double line = 0;
  std::string result, team, opponent, name;
};

/// player_game_summary games in [first, last] with a prop result, per player,
/// newest first.
std::map<std::string, std::vector<PropGame>> prop_games(Warehouse& wh, Date first, Date last,
                                                        std::optional<int64_t> season) {
  const Table t = wh.read(catalog::get("nba_analytics.player_game_summary"), DateRange{first, last},
                          {"player_lookup", "player_full_name", "game_date", "season_year", "team_abbr",
                           "opponent_team_abbr", "points", "points_line", "over_under_result"});
  const Column& player = t.col(pgs::player_lookup);
  const Column& name = t.col(pgs::player_full_name);
  const Column& day = t.col(pgs::game_date);
  const Column& season_year = t.col(pgs::season_year);
  const Column& team = t.col(pgs::team_abbr);
  const Column& opp = t.col(pgs::opponent_team_abbr);
  const Column& points = t.col(pgs::points);
  const Column& line = t.col(pgs::points_line);
  const Column& result = t.col(pgs::over_under_result);
  std::map<std::string, std::vector<PropGame>> out;
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (result.is_null(r) || points.is_null(r) || line.is_null(r)) continue;
    if (season && (season_year.is_null(r) || season_year.int_at(r) != *season)) continue;
    out[player.text_at(r)].push_back({static_cast<int32_t>(day.int_at(r)), points.int_at(r), line.real_at(r),
                                      result.text_at(r), team.get_text(r).value_or(""), opp.get_text(r).value_or(""),
                                      name.get_text(r).value_or("")});
  }
  for (auto& [_, games] : out) {
    std::stable_sort(games.begin(), games.end(), [](const PropGame& a, const PropGame& b) { return a.day > b.day; });
  }
  return out;
}

Json over_under_streaks(const std::map<std::string, std::vector<PropGame>>& games, const std::string& type,
                        int min_streak) {
  struct Streak {
    const std::string* lookup;
    const std::vector<PropGame>* games;
    size_t length;
    double margin;
  };
  std::vector<Streak> streaks;
  for (const auto& [lookup, list] : games) {
    size_t n = 0;
    double sum = 0;
    // The legacy looked at the last 20 games: a streak runs from the newest
    // game to the first break.
    while (n < std::min<size_t>(list.size(), kStreakWindow) && list[n].result == type) {
      sum += static_cast<double>(list[n].points) - list[n].line;
      ++n;
    }
    if (n >= static_cast<size_t>(min_streak)) streaks.push_back({&lookup, &list, n, bq_round(sum / n, 1)});
  }
  std::stable_sort(streaks.begin(), streaks.end(), [](const Streak& a, const Streak& b) {
    return std::tie(b.length, b.margin) < std::tie(a.length, a.margin);
  });
  if (streaks.size() > kStreaksLimit) streaks.resize(kStreaksLimit);
  Json out = Json::array();
  for (const Streak& s : streaks) {
    const PropGame& newest = s.games->front();
    Json j;
    j["player_lookup"] = *s.lookup;
    j["player_full_name"] = newest.name.empty() ? *s.lookup : newest.name;
    j["team"] = newest.team;
    j["streak_length"] = static_cast<int64_t>(s.length);
    j["avg_margin"] = number(s.margin, 2);
    Json list = Json::array();
    for (size_t i = 0; i < std::min<size_t>(s.length, 5); ++i) {
      const PropGame& g = (*s.games)[i];
      Json e;
      e["game_date"] = Date(g.day).iso();
      e["points"] = g.points;
      e["line"] = number(g.line, 2);
      e["opponent"] = g.opponent;
      list.push_back(std::move(e));
    }
    j["games"] = std::move(list);
    out.push_back(std::move(j));
  }
  return out;
}

int64_t longest(const Json& list) {
  int64_t best = 0;
  for (const auto& e : list) best = std::max(best, e.at("streak_length").get<int64_t>());
  return best;
}

}  // namespace

Json streaks_payload(Warehouse& wh, Date as_of, int min_streak, const std::string& generated_at) {
  const int64_t season = legacy_season(as_of);
  // Season-to-date games (a season is shorter than 366 days).
  const auto games = prop_games(wh, as_of - 366, as_of, season);
  const Json over = over_under_streaks(games, "OVER", min_streak);
  const Json under = over_under_streaks(games, "UNDER", min_streak);

  // Consecutive correct ensemble OVER/UNDER calls, newest first (every season:
  // the legacy had no season filter here), over the last 20 calls.
  const Table acc = wh.read(catalog::get("nba_predictions.prediction_accuracy"), DateRange{Date(0), as_of},
                            {"player_lookup", "game_date", "system_id", "recommendation", "prediction_correct"});
  const Column& player = acc.col(pa::player_lookup);
  const Column& day = acc.col(pa::game_date);
  const Column& system = acc.col(pa::system_id);
  const Column& rec = acc.col(pa::recommendation);
  const Column& correct = acc.col(pa::prediction_correct);
  std::map<std::string, std::vector<std::pair<int32_t, bool>>> calls;
  for (size_t r = 0; r < acc.num_rows(); ++r) {
    if (system.is_null(r) || system.text_at(r) != kEnsembleSystem || rec.is_null(r)) continue;
    if (rec.text_at(r) != "OVER" && rec.text_at(r) != "UNDER") continue;
    calls[player.text_at(r)].emplace_back(static_cast<int32_t>(day.int_at(r)),
                                          !correct.is_null(r) && correct.int_at(r) != 0);
  }
  std::unordered_map<std::string, const PropGame*> latest;
  for (const auto& [lookup, list] : games) latest.emplace(lookup, &list.front());
  std::vector<std::pair<int64_t, const std::string*>> hits;
  for (auto& [lookup, list] : calls) {
    std::stable_sort(list.begin(), list.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    size_t n = 0;
    while (n < std::min<size_t>(list.size(), kStreakWindow) && list[n].second) ++n;
    if (n >= static_cast<size_t>(min_streak)) hits.emplace_back(static_cast<int64_t>(n), &lookup);
  }
  std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (hits.size() > kPredictionStreaksLimit) hits.resize(kPredictionStreaksLimit);
  Json prediction_hits = Json::array();
  for (const auto& [length, lookup] : hits) {
    auto it = latest.find(*lookup);
    Json j;
    j["player_lookup"] = *lookup;
    j["player_full_name"] = it != latest.end() && !it->second->name.empty() ? it->second->name : *lookup;
    j["team"] = it != latest.end() ? it->second->team : "";
    j["streak_length"] = length;
    j["streak_type"] = "prediction_hits";
    prediction_hits.push_back(std::move(j));
  }

  Json out;
  out["generated_at"] = generated_at;
  out["as_of_date"] = as_of.iso();
  out["min_streak_length"] = min_streak;
  out["streaks"] = {{"over", over}, {"under", under}, {"prediction_hits", prediction_hits}};
  Json summary;
  summary["total_over_streaks"] = over.size();
  summary["total_under_streaks"] = under.size();
  summary["total_prediction_streaks"] = prediction_hits.size();
  summary["longest_over"] = longest(over);
  summary["longest_under"] = longest(under);
  summary["longest_prediction"] = longest(prediction_hits);
  out["summary"] = std::move(summary);
  return out;
}

Json hot_cold_payload(Warehouse& wh, Date as_of, const std::string& generated_at) {
  const int lookback = kHotColdLookbackDays;
  const auto games = prop_games(wh, as_of - lookback, as_of, std::nullopt);
  struct Entry {
    std::string lookup, name, team, direction;
    int64_t n = 0, streak = 0;
    double hit_rate = 0, margin = 0, heat = 0;
  };
  std::vector<Entry> all;
  for (const auto& [lookup, list] : games) {
    std::vector<const PropGame*> g;
    for (const auto& x : list) {
      if (x.result == "OVER" || x.result == "UNDER") g.push_back(&x);
    }
    if (g.size() < static_cast<size_t>(kHotColdMinGames)) continue;
    Entry e;
    e.lookup = lookup;
    e.name = g.front()->name.empty() ? lookup : g.front()->name;
    int64_t overs = 0;
    double margin = 0;
    for (const PropGame* x : g) {
      overs += x->result == "OVER" ? 1 : 0;
      margin += static_cast<double>(x->points) - x->line;
      e.team = std::max(e.team, x->team);  // legacy MAX(team_abbr)
    }
    e.n = static_cast<int64_t>(g.size());
    e.hit_rate = bq_round(static_cast<double>(overs) / static_cast<double>(e.n), 3);
    e.margin = bq_round(margin / static_cast<double>(e.n), 2);
    while (e.streak < e.n && g[static_cast<size_t>(e.streak)]->result == g.front()->result) ++e.streak;
    e.direction = g.front()->result == "OVER" ? "over" : "under";
    e.heat = bq_round(10.0 * (0.5 * e.hit_rate + 0.25 * std::min(static_cast<double>(e.streak) / 10.0, 1.0) +
                              0.25 * std::clamp((e.margin + 10.0) / 20.0, 0.0, 1.0)),
                      1);
    all.push_back(std::move(e));
  }
  std::stable_sort(all.begin(), all.end(), [](const Entry& a, const Entry& b) { return a.heat > b.heat; });

  const auto tonight = tonight_games(wh, as_of);
  auto entry = [&](const Entry& e, int64_t rank) {
    Json j;
    j["player_lookup"] = e.lookup;
    j["player_full_name"] = e.name;
    j["team_abbr"] = e.team;
    j["position"] = nullptr;  // the legacy read it from the players registry,
                              // which is not in the warehouse
    j["heat_score"] = number(e.heat, 3);
    j["hit_rate"] = number(e.hit_rate, 3);
    j["hit_rate_games"] = e.n;
    j["current_streak"] = e.streak;
    j["streak_direction"] = e.direction;
    j["avg_margin"] = number(e.margin, 3);
    j["rank"] = rank;
    j["playing_tonight"] = tonight.contains(e.team);
    j["tonight"] = tonight_of(tonight, e.team);
    return j;
  };
  Json hot = Json::array(), cold = Json::array();
  const size_t n = std::min<size_t>(all.size(), kHotColdTopN);
  for (size_t i = 0; i < n; ++i) hot.push_back(entry(all[i], static_cast<int64_t>(i + 1)));
  for (size_t i = 0; i < n; ++i) cold.push_back(entry(all[all.size() - 1 - i], static_cast<int64_t>(i + 1)));

  Json out;
  out["generated_at"] = generated_at;
  out["as_of_date"] = as_of.iso();
  out["time_period"] = "last_" + std::to_string(lookback) + "_days";
  out["min_games"] = kHotColdMinGames;
  out["total_qualifying_players"] = all.size();
  out["hot"] = std::move(hot);
  out["cold"] = std::move(cold);
  if (all.empty()) {
    out["league_average"] = {{"hit_rate", nullptr}, {"avg_margin", nullptr}};
  } else {
    double hit = 0, margin = 0;
    for (const Entry& e : all) {
      hit += e.hit_rate;
      margin += e.margin;
    }
    const double count = static_cast<double>(all.size());
    out["league_average"] = {{"hit_rate", number(hit / count, 3)}, {"avg_margin", number(margin / count, 2)}};
  }
  return out;
}

}  // namespace nbaprops::exports::detail
