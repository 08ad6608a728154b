// The trends pages of the legacy Trends v2 exporters: bounce-back.json
// (BounceBackExporter), what-matters.json (WhatMattersExporter),
// team-tendencies.json (TeamTendenciesExporter), quick-hits.json
// (QuickHitsExporter) and deep-dive-current.json (DeepDiveExporter).
//
// Their SQL is recomputed here over player_game_summary,
// team_offense_game_summary and team_defense_zone_analysis. Fixed on purpose
// (DECISION 1 / 6), each also noted on its line:
//   - rows dated after the as-of date never count (the bounce-back history read
//     every later game);
//   - "rest days" is the gap to the player's previous game, not to his previous
//     game with a prop line;
//   - the deep dive's fallback hero stat is the month's real OVER rate, not the
//     constant "54%".
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "nbaprops/core/schema.hpp"
#include "nbaprops/processors/common.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

constexpr int kShortfallThreshold = 10;  ///< points below the season average (legacy default)
constexpr int64_t kMinBounceSample = 3;  ///< bad games needed for a bounce-back rate
constexpr int64_t kMinSeasonGames = 10;  ///< season games for a season average
constexpr int64_t kFirstSeason = 2021;   ///< legacy `season_year >= 2021`

/// Days since the player's previous row (rows ordered by player, date); null
/// for a player's first row.
std::vector<std::optional<int>> days_since_previous(const std::vector<PgsRow>& rows) {
  std::vector<std::optional<int>> out(rows.size());
  for (size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].player == rows[i - 1].player) out[i] = rows[i].day - rows[i - 1].day;
  }
  return out;
}

/// ROUND(overs * 100.0 / n, 1) of the legacy SQL.
double over_pct(int64_t overs, int64_t n) {
  return bq_round(static_cast<double>(overs) * 100.0 / static_cast<double>(n), 1);
}

/// Mean of the non-null points of rows [begin, end) that pass @p keep.
template <class Keep>
std::optional<double> mean_points(const std::vector<PgsRow>& rows, size_t begin, size_t end, Keep keep) {
  double sum = 0;
  int64_t n = 0;
  for (size_t i = begin; i < end; ++i) {
    if (!keep(rows[i]) || !rows[i].points) continue;
    sum += static_cast<double>(*rows[i].points);
    ++n;
  }
  if (n == 0) return std::nullopt;
  return sum / static_cast<double>(n);
}

/// Bad games (the previous game ≥ threshold below @p avg) and bounce-backs
/// (then ≥ @p avg) of rows [begin, end).
std::pair<int64_t, int64_t> bounce_counts(const std::vector<PgsRow>& rows, size_t begin, size_t end, double avg) {
  int64_t bad = 0, bounced = 0;
  for (size_t i = begin + 1; i < end; ++i) {
    const auto& prev = rows[i - 1].points;
    if (!prev || avg - static_cast<double>(*prev) < kShortfallThreshold) continue;
    ++bad;
    if (rows[i].points && static_cast<double>(*rows[i].points) >= avg) ++bounced;
  }
  return {bad, bounced};
}

/// Archetype by points per game (what-matters): star ≥ 22, scorer ≥ 15,
/// rotation ≥ 8, else role_player (also without any points).
size_t archetype_of(std::optional<double> ppg) {
  if (!ppg) return 3;
  return *ppg >= 22 ? 0 : *ppg >= 15 ? 1 : *ppg >= 8 ? 2 : 3;
}

/// "b2b" (0 rest days), "one_day" (1), "rested" (≥ 2): index 0..2, or -1.
int rest_category(std::optional<int> since_previous) {
  if (!since_previous) return -1;
  const int rest = *since_previous - 1;
  return rest <= 0 ? 0 : rest == 1 ? 1 : 2;
}

/// Home flags of team_offense_game_summary rows of @p range: (date, team) → home.
std::map<std::pair<int32_t, std::string>, bool> home_flags(Warehouse& wh, DateRange range) {
  const Table t =
      wh.read(catalog::get("nba_analytics.team_offense_game_summary"), range, {"game_date", "team_abbr", "home_game"});
  std::map<std::pair<int32_t, std::string>, bool> out;
  const Column& day = t.col(togs::game_date);
  const Column& team = t.col(togs::team_abbr);
  const Column& home = t.col(togs::home_game);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (home.is_null(r)) continue;
    out[{static_cast<int32_t>(day.int_at(r)), team.text_at(r)}] = home.int_at(r) != 0;
  }
  return out;
}

/// Counts of OVER results among OVER/UNDER results.
struct Tally {
  int64_t n = 0, overs = 0;
  void add(const PgsRow& g) {
    ++n;
    overs += g.result == "OVER" ? 1 : 0;
  }
};

Json factor(const Tally& t) {
  Json j;
  j["games"] = t.n;
  j["over_pct"] = number(over_pct(t.overs, t.n), 1);
  return j;
}

std::string trend_of(double pct) { return pct > 52 ? "positive" : pct < 48 ? "negative" : "neutral"; }

std::string signed_gap(double diff) {
  std::string out = diff > 0 ? "+" : "";  // appended, not "+" + temporary (a GCC 12 -Wrestrict false positive)
  out += fixed(diff, 1);
  out += '%';
  return out;
}

/// One quick-hits stat (legacy key order).
Json quick_stat(const std::string& id, const std::string& category, const std::string& headline, double pct,
                const std::string& description, int64_t sample, const std::string& trend, const std::string& context) {
  Json j;
  j["id"] = id;
  j["category"] = category;
  j["headline"] = headline;
  j["stat"] = py_str(pct) + "%";
  j["description"] = description;
  j["sample_size"] = sample;
  j["trend"] = trend;
  j["context"] = context;
  return j;
}

}  // namespace

Json bounce_back_payload(Warehouse& wh, Date as_of, const std::string& generated_at) {
  const int64_t season = legacy_season(as_of);
  // Legacy: the bounce-back history and the league baseline read every game of
  // the seasons ≥ 2021, later games included. Fixed (DECISION 1): games ≤ as_of.
  const auto rows = read_pgs(wh, DateRange{Date::from_ymd(kFirstSeason, 7, 1), as_of});
  struct Candidate {
    const PgsRow* last;
    std::string name;
    double season_avg, shortfall;
    std::optional<double> rate;
    int64_t sample = 0;
  };
  std::vector<Candidate> candidates;
  int64_t league_bad = 0, league_bounced = 0;
  for (const auto& [b, e] : player_runs(rows)) {
    auto first_season = b;  // rows are ordered by date: the season's rows are a tail
    while (first_season < e && rows[first_season].season < kFirstSeason) ++first_season;
    // League baseline: the player's average over every season ≥ 2021 (≥ 10 games).
    if (static_cast<int64_t>(e - first_season) >= kMinSeasonGames) {
      if (auto career = mean_points(rows, first_season, e, [](const PgsRow&) { return true; })) {
        const auto [bad, bounced] = bounce_counts(rows, first_season, e, *career);
        league_bad += bad;
        league_bounced += bounced;
      }
    }
    int64_t season_games = 0;
    const PgsRow* last = nullptr;
    for (size_t i = b; i < e; ++i) {
      if (rows[i].season != season) continue;
      ++season_games;
      last = &rows[i];
    }
    if (season_games < kMinSeasonGames) continue;
    const auto avg = mean_points(rows, b, e, [&](const PgsRow& g) { return g.season == season; });
    if (!avg || !last->points || *avg - static_cast<double>(*last->points) < kShortfallThreshold) continue;
    Candidate c{last, display_name(rows, b, e), *avg, bq_round(*avg - static_cast<double>(*last->points), 1)};
    const auto [bad, bounced] = bounce_counts(rows, first_season, e, *avg);
    if (bad >= kMinBounceSample) {
      c.rate = bq_round(static_cast<double>(bounced) / static_cast<double>(bad), 3);
      c.sample = bad;
    }
    candidates.push_back(std::move(c));
  }
  // ORDER BY bounce_back_rate DESC (no rate last), shortfall DESC.
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.rate.has_value() != b.rate.has_value()) return a.rate.has_value();
    if (a.rate != b.rate) return *a.rate > *b.rate;
    return a.shortfall > b.shortfall;
  });
  const auto tonight = tonight_games(wh, as_of);
  Json list = Json::array();
  int64_t rank = 0;
  for (const Candidate& c : candidates) {
    const double rate = c.rate.value_or(0.5);
    Json j;
    j["player_lookup"] = c.last->player;
    j["player_full_name"] = c.name;
    j["team_abbr"] = c.last->team;
    j["last_game"] = {{"date", Date(c.last->day).iso()},
                      {"result", *c.last->points},
                      {"opponent", c.last->opponent},
                      {"margin", number(-c.shortfall, 3)}};
    j["season_average"] = number(bq_round(c.season_avg, 1), 3);
    j["shortfall"] = number(c.shortfall, 3);
    j["bounce_back_rate"] = number(rate, 3);
    j["bounce_back_sample"] = c.sample;
    j["significance"] = c.sample >= 10 && rate >= 0.7 ? "high" : c.sample >= 5 && rate >= 0.6 ? "medium" : "low";
    j["rank"] = ++rank;
    j["playing_tonight"] = tonight.contains(c.last->team);
    j["tonight"] = tonight_of(tonight, c.last->team);
    list.push_back(std::move(j));
  }
  Json out;
  out["generated_at"] = generated_at;
  out["as_of_date"] = as_of.iso();
  out["shortfall_threshold"] = kShortfallThreshold;
  out["total_candidates"] = list.size();
  out["bounce_back_candidates"] = std::move(list);
  out["league_baseline"] = {
      {"avg_bounce_back_rate",
       league_bad > 0 ? number(bq_round(static_cast<double>(league_bounced) / static_cast<double>(league_bad), 3), 3)
                      : Json(nullptr)},
      {"sample_size", league_bad}};
  return out;
}

Json what_matters_payload(Warehouse& wh, Date as_of, const std::string& generated_at) {
  static const std::array<const char*, 4> kNames = {"star", "scorer", "rotation", "role_player"};
  static const std::array<const char*, 4> kDescriptions = {"22+ PPG stars", "15-22 PPG scorers", "8-15 PPG rotation",
                                                           "Under 8 PPG role players"};
  static const std::array<const char*, 3> kRest = {"b2b", "one_day", "rested"};
  const DateRange year{as_of - 365, as_of};
  const auto rows = read_pgs(wh, year);
  const auto since = days_since_previous(rows);
  const auto home = home_flags(wh, year);
  std::array<std::set<std::string>, 4> players;
  std::array<Tally, 4> totals;
  std::array<std::array<Tally, 3>, 4> rest{};
  std::array<std::array<Tally, 2>, 4> location{};  // home, away
  std::array<std::vector<std::pair<double, std::string>>, 4> examples;
  for (const auto& [b, e] : player_runs(rows)) {
    // Examples: the archetype of the last 90 days (≥ 10 games), by average.
    size_t recent = b;
    while (recent < e && rows[recent].day < (as_of - 90).days()) ++recent;
    if (e - recent >= 10) {
      const auto avg = mean_points(rows, recent, e, [](const PgsRow&) { return true; });
      examples[archetype_of(avg)].emplace_back(avg.value_or(0), display_name(rows, b, e));
    }
    if (e - b < 20) continue;
    const size_t arch = archetype_of(mean_points(rows, b, e, [](const PgsRow&) { return true; }));
    for (size_t i = b; i < e; ++i) {
      if (!rows[i].is_over_under()) continue;
      players[arch].insert(rows[i].player);
      totals[arch].add(rows[i]);
      // Legacy: the gap to the previous game WITH a prop result. Fixed: to the
      // previous game.
      if (int c = rest_category(since[i]); c >= 0) rest[arch][static_cast<size_t>(c)].add(rows[i]);
      auto h = home.find({rows[i].day, rows[i].team});
      if (h != home.end()) location[arch][h->second ? 0 : 1].add(rows[i]);
    }
  }
  Json archetypes;
  for (size_t a = 0; a < kNames.size(); ++a) {
    std::stable_sort(examples[a].begin(), examples[a].end(),
                     [](const auto& x, const auto& y) { return x.first > y.first; });
    Json names = Json::array();
    for (const auto& [_, name] : examples[a]) names.push_back(name);
    Json rest_j = Json::object(), home_j = Json::object();
    for (size_t c = 0; c < kRest.size(); ++c) {
      if (rest[a][c].n >= 20) rest_j[kRest[c]] = factor(rest[a][c]);
    }
    for (size_t l = 0; l < 2; ++l) {
      if (location[a][l].n >= 50) home_j[l == 0 ? "home" : "away"] = factor(location[a][l]);
    }
    Json j;
    j["description"] = kDescriptions[a];
    j["player_count"] = players[a].size();
    j["example_players"] = std::move(names);
    j["overall_over_pct"] = totals[a].n > 0 ? number(over_pct(totals[a].overs, totals[a].n), 1) : Json(nullptr);
    j["factors"] = {{"rest", std::move(rest_j)}, {"home_away", std::move(home_j)}};
    archetypes[kNames[a]] = std::move(j);
  }

  auto pct_of = [](const Json& j) -> std::optional<double> {
    if (!j.is_object() || !j.contains("over_pct") || j["over_pct"].is_null()) return std::nullopt;
    return j["over_pct"].get<double>();
  };
  std::vector<std::string> insights;
  const auto star = archetypes["star"]["overall_over_pct"];
  const auto role = archetypes["role_player"]["overall_over_pct"];
  if (!star.is_null() && !role.is_null()) {
    const double s = star.get<double>(), r = role.get<double>(), diff = s - r;
    if (std::fabs(diff) >= 5) {
      insights.push_back(
          diff > 0 ? "Stars significantly outperform role players (" + py_str(s) + "% vs " + py_str(r) + "% hit rate)"
                   : "Role players surprisingly outperform stars (" + py_str(r) + "% vs " + py_str(s) + "% hit rate)");
    }
  }
  const Json& star_rest = archetypes["star"]["factors"]["rest"];
  const auto b2b = pct_of(star_rest.value("b2b", Json())), rested = pct_of(star_rest.value("rested", Json()));
  if (b2b && rested && std::fabs(*b2b - *rested) >= 2) {
    insights.push_back(std::string("Stars perform ") + (*b2b > *rested ? "better" : "worse") + " on B2Bs (" +
                       py_str(*b2b) + "% vs " + py_str(*rested) + "% on 2+ rest)");
  }
  static const std::array<const char*, 4> kTitles = {"Star", "Scorer", "Rotation", "Role Player"};
  for (size_t a = 0; a < kNames.size(); ++a) {
    const Json& ha = archetypes[kNames[a]]["factors"]["home_away"];
    const auto h = pct_of(ha.value("home", Json())), w = pct_of(ha.value("away", Json()));
    if (!h || !w || std::fabs(*h - *w) < 3) continue;
    insights.push_back(std::string(kTitles[a]) + "s perform better at " + (*h > *w ? "home" : "road") + " (" +
                       py_str(std::max(*h, *w)) + "% vs " + py_str(std::min(*h, *w)) + "%)");
  }
  if (insights.empty()) insights.emplace_back("No significant factor differences detected in current sample");
  if (insights.size() > 5) insights.resize(5);

  Json out;
  out["generated_at"] = generated_at;
  out["as_of_date"] = as_of.iso();
  out["archetypes"] = std::move(archetypes);
  out["key_insights"] = insights;
  return out;
}

namespace {

// ---- trends/team ---------------------------------------------------------------

struct TeamGame {
  int32_t day;
  std::optional<int64_t> points;
  std::optional<double> pace;
  std::optional<bool> home;
};
/// Each team's games of the 90 days up to the date, in date order.
using TeamGames = std::map<std::string, std::vector<TeamGame>>;

TeamGames read_team_games(Warehouse& wh, Date as_of) {
  const Table t = wh.read(catalog::get("nba_analytics.team_offense_game_summary"), DateRange{as_of - 90, as_of},
                          {"game_date", "team_abbr", "points_scored", "pace", "home_game"});
  TeamGames games;
  // Handles resolved once per table, read by row below.
  const Column& day = t.col(togs::game_date);
  const Column& points = t.col(togs::points_scored);
  const Column& pace = t.col(togs::pace);
  const Column& home = t.col(togs::home_game);
  const Column& team = t.col(togs::team_abbr);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    TeamGame g{static_cast<int32_t>(day.int_at(r)), points.get_int(r), pace.get_real(r), std::nullopt};
    if (auto h = home.get_int(r)) g.home = *h != 0;
    games[team.text_at(r)].push_back(g);
  }
  for (auto& [_, list] : games) {
    std::stable_sort(list.begin(), list.end(), [](const TeamGame& a, const TeamGame& b) { return a.day < b.day; });
  }
  return games;
}

/// Mean points over the games of @p list whose index passes @p keep, and how
/// many games passed: (mean, count).
template <class Keep>
std::pair<std::optional<double>, int64_t> points_of(const std::vector<TeamGame>& list, Keep keep) {
  double sum = 0;
  int64_t n = 0, rows = 0;
  for (size_t i = 0; i < list.size(); ++i) {
    if (!keep(i)) continue;
    ++rows;
    if (list[i].points) {
      sum += static_cast<double>(*list[i].points);
      ++n;
    }
  }
  return {n > 0 ? std::optional(sum / static_cast<double>(n)) : std::nullopt, rows};
}

/// The first five and the last five (last first) of @p sorted, each made by
/// @p make(entry, is_top).
template <class T, class Make>
std::pair<Json, Json> top_bottom(const std::vector<T>& sorted, Make make) {
  Json first = Json::array(), last = Json::array();
  for (size_t i = 0; i < std::min<size_t>(5, sorted.size()); ++i) first.push_back(make(sorted[i], true));
  for (size_t i = 0; i < std::min<size_t>(5, sorted.size()); ++i)
    last.push_back(make(sorted[sorted.size() - 1 - i], false));
  return {std::move(first), std::move(last)};
}

/// Pace kings and grinders: the last 30 days, ≥ 5 games.
Json pace_section(const TeamGames& games, Date as_of) {
  struct Pace {
    std::string team;
    double pace;
    int64_t games;
    std::optional<double> points;
  };
  std::vector<Pace> pace;
  for (const auto& [team, list] : games) {
    double sum = 0;
    int64_t n = 0;
    std::vector<TeamGame> month;
    for (const TeamGame& g : list) {
      if (g.day < (as_of - 30).days()) continue;
      month.push_back(g);
      if (g.pace) {
        sum += *g.pace;
        ++n;
      }
    }
    if (month.size() < 5 || n == 0) continue;
    const auto pts = points_of(month, [](size_t) { return true; }).first;
    pace.push_back({team, bq_round(sum / static_cast<double>(n), 2), static_cast<int64_t>(month.size()),
                    pts ? std::optional(bq_round(*pts, 1)) : std::nullopt});
  }
  std::stable_sort(pace.begin(), pace.end(), [](const Pace& a, const Pace& b) { return a.pace > b.pace; });
  if (pace.empty()) return {{"kings", Json::array()}, {"grinders", Json::array()}};
  double league = 0;
  for (const Pace& p : pace) league += p.pace;
  league /= static_cast<double>(pace.size());
  auto [kings, grinders] = top_bottom(pace, [&](const Pace& p, bool fast) {
    Json j;
    j["team"] = p.team;
    j["pace"] = number(p.pace, 2);
    j["games"] = p.games;
    j["avg_points"] = number(p.points, 2);
    j["vs_league"] = number(bq_round(p.pace - league, 2), 2);
    j["insight"] = fast ? "High-scoring environment" : "Slower, grind-it-out games";
    return j;
  });
  Json out;
  out["kings"] = std::move(kings);
  out["grinders"] = std::move(grinders);
  out["league_average"] = number(league, 2);
  return out;
}

struct ZoneDefense {
  std::string team;
  std::optional<double> paint, three, opp_ppg;
  int64_t games = 0;
};

/// Each team's mean paint and three-point % allowed and opponent points over
/// its team_defense_zone_analysis rows of the last 30 days (teams with ≥ 5).
std::vector<ZoneDefense> read_zone_defense(Warehouse& wh, Date as_of) {
  const Table t = wh.read(catalog::get("nba_precompute.team_defense_zone_analysis"), DateRange{as_of - 30, as_of},
                          {"team_abbr", "analysis_date", "paint_pct_allowed_last_15", "three_pt_pct_allowed_last_15",
                           "opponent_points_per_game"});
  std::map<std::string, std::array<std::pair<double, int64_t>, 3>> sums;
  std::map<std::string, int64_t> rows_of;
  const std::array<const Column*, 3> pct_cols = {&t.col(tdza::paint_pct_allowed_last_15),
                                                 &t.col(tdza::three_pt_pct_allowed_last_15),
                                                 &t.col(tdza::opponent_points_per_game)};
  const Column& team = t.col(tdza::team_abbr);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    auto& s = sums[team.text_at(r)];
    ++rows_of[team.text_at(r)];
    for (size_t c = 0; c < 3; ++c) {
      if (auto v = pct_cols[c]->get_real(r)) {
        s[c].first += *v;
        ++s[c].second;
      }
    }
  }
  std::vector<ZoneDefense> defense;
  for (const auto& entry : sums) {  // named references, not a structured binding: the lambda captures them
    const std::string& team = entry.first;
    const auto& s = entry.second;
    if (rows_of[team] < 5) continue;
    auto avg = [&](size_t c, int d) {
      return s[c].second > 0 ? std::optional(bq_round(s[c].first / static_cast<double>(s[c].second), d)) : std::nullopt;
    };
    defense.push_back({team, avg(0, 3), avg(1, 3), avg(2, 1), rows_of[team]});
  }
  return defense;
}

/// Best and worst paint and perimeter defenses.
Json zone_defense_section(const std::vector<ZoneDefense>& defense) {
  Json zones;
  for (const bool paint : {true, false}) {
    auto sorted = defense;
    // Lower allowed % is better; a team without the figure sorts as 1.0 (legacy).
    std::stable_sort(sorted.begin(), sorted.end(), [&](const ZoneDefense& a, const ZoneDefense& b) {
      const auto& x = paint ? a.paint : a.three;
      const auto& y = paint ? b.paint : b.three;
      return (x && *x != 0 ? *x : 1.0) < (y && *y != 0 ? *y : 1.0);
    });
    auto [best, worst] = top_bottom(sorted, [&](const ZoneDefense& d, bool good) {
      const auto& pct = paint ? d.paint : d.three;
      Json j;
      j["team"] = d.team;
      j["dfg_pct"] = pct && *pct != 0 ? number(*pct * 100.0, 1) : Json(nullptr);
      j["opp_ppg"] = number(d.opp_ppg, 2);
      j["games"] = d.games;
      j["insight"] = paint
                         ? (good ? "Tough interior D - avoid paint scorers" : "Weak interior D - target paint scorers")
                         : (good ? "Tough perimeter D - avoid shooters" : "Weak perimeter D - target shooters");
      return j;
    });
    zones[paint ? "paint" : "perimeter"] = {{"best", std::move(best)}, {"worst", std::move(worst)}};
  }
  return zones;
}

/// A team's points in two kinds of games: a (home, back-to-back) vs b (away,
/// rested).
struct PointsSplit {
  std::string team;
  double a, b, diff;
  int64_t na, nb;
};

/// Home vs away points (the last 60 days, ≥ 5 of each), by differential,
/// highest first.
std::vector<PointsSplit> home_away_splits(const TeamGames& games, Date as_of) {
  std::vector<PointsSplit> out;
  for (const auto& entry : games) {  // named references: the lambdas capture them
    const auto& team = entry.first;
    const auto& list = entry.second;
    auto in60 = [&](size_t i) { return list[i].day >= (as_of - 60).days(); };
    const auto [hp, hn] = points_of(list, [&](size_t i) { return in60(i) && list[i].home == true; });
    const auto [ap, an] = points_of(list, [&](size_t i) { return in60(i) && list[i].home == false; });
    if (hn >= 5 && an >= 5 && hp && ap) out.push_back({team, *hp, *ap, *hp - *ap, hn, an});
  }
  std::stable_sort(out.begin(), out.end(), [](const PointsSplit& x, const PointsSplit& y) { return x.diff > y.diff; });
  return out;
}

/// Back-to-back vs rested points (days since the team's previous game in the
/// last 90 days; ≥ 3 and ≥ 5 games), by impact, most negative first.
std::vector<PointsSplit> back_to_back_splits(const TeamGames& games) {
  std::vector<PointsSplit> out;
  for (const auto& entry : games) {  // named references: the lambdas capture them
    const auto& team = entry.first;
    const auto& list = entry.second;
    auto gap = [&](size_t i) { return i == 0 ? -1 : list[i].day - list[i - 1].day; };
    const auto [bp, bn] = points_of(list, [&](size_t i) { return gap(i) == 1; });
    const auto [rp, rn] = points_of(list, [&](size_t i) { return gap(i) > 1; });
    if (bn >= 3 && rn >= 5 && bp && rp) out.push_back({team, *bp, *rp, *bp - *rp, bn, rn});
  }
  std::stable_sort(out.begin(), out.end(), [](const PointsSplit& x, const PointsSplit& y) { return x.diff < y.diff; });
  return out;
}

Json home_away_section(const std::vector<PointsSplit>& home_away) {
  if (home_away.empty()) return {{"home_dominant", Json::array()}, {"road_warriors", Json::array()}};
  auto [dominant, road] = top_bottom(home_away, [](const PointsSplit& s, bool top) {
    Json j;
    j["team"] = s.team;
    j["home_ppg"] = number(bq_round(s.a, 1), 2);
    j["away_ppg"] = number(bq_round(s.b, 1), 2);
    j["differential"] = number(bq_round(s.diff, 1), 2);
    j["insight"] =
        top ? "Much better at home - boost home player props" : "Consistent on the road - props less venue-dependent";
    return j;
  });
  return {{"home_dominant", std::move(dominant)}, {"road_warriors", std::move(road)}};
}

Json back_to_back_section(const std::vector<PointsSplit>& b2b) {
  if (b2b.empty()) return {{"vulnerable", Json::array()}, {"resilient", Json::array()}};
  auto [vulnerable, resilient] = top_bottom(b2b, [](const PointsSplit& s, bool top) {
    Json j;
    j["team"] = s.team;
    j["b2b_ppg"] = number(bq_round(s.a, 1), 2);
    j["rested_ppg"] = number(bq_round(s.b, 1), 2);
    j["impact"] = number(bq_round(s.diff, 1), 2);
    j["b2b_games"] = s.na;
    j["insight"] =
        top ? "Struggles on back-to-backs - fade player props" : "Handles B2B well - props less affected by schedule";
    return j;
  });
  return {{"vulnerable", std::move(vulnerable)}, {"resilient", std::move(resilient)}};
}

}  // namespace

Json team_tendencies_payload(Warehouse& wh, Date as_of, const std::string& generated_at) {
  const TeamGames games = read_team_games(wh, as_of);
  Json out;
  out["generated_at"] = generated_at;
  out["as_of_date"] = as_of.iso();
  out["pace"] = pace_section(games, as_of);
  out["defense_by_zone"] = zone_defense_section(read_zone_defense(wh, as_of));
  out["home_away"] = home_away_section(home_away_splits(games, as_of));
  out["back_to_back"] = back_to_back_section(back_to_back_splits(games));
  return out;
}

namespace {

// ---- trends/quick-hits -----------------------------------------------------------

/// BigQuery DAYOFWEEK order: Sunday = 1.
const std::array<const char*, 7> kDays = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

/// OVER/UNDER results of the window by day of week, rest, location and scorer
/// tier.
struct QuickTallies {
  std::array<Tally, 7> by_day{};
  std::array<Tally, 3> by_rest{};
  std::array<Tally, 2> by_location{};  // home, away
  std::array<Tally, 4> by_tier{};
  Tally rest_all, tier_all;
};

QuickTallies quick_tallies(Warehouse& wh, DateRange window) {
  const auto rows = read_pgs(wh, window);
  const auto since = days_since_previous(rows);
  const auto home = home_flags(wh, window);
  QuickTallies q;
  for (const auto& [b, e] : player_runs(rows)) {
    const size_t tier = archetype_of(mean_points(rows, b, e, [](const PgsRow&) { return true; }));
    for (size_t i = b; i < e; ++i) {
      const PgsRow& g = rows[i];
      if (!g.is_over_under()) continue;
      q.by_day[static_cast<size_t>(Date(g.day).iso_weekday() % 7)].add(g);
      // Legacy: the gap to the previous game WITH a prop result. Fixed: to the
      // previous game.
      if (int c = rest_category(since[i]); c >= 0) {
        q.by_rest[static_cast<size_t>(c)].add(g);
        q.rest_all.add(g);
      }
      auto h = home.find({g.day, g.team});
      if (h != home.end()) q.by_location[h->second ? 0 : 1].add(g);
      q.by_tier[tier].add(g);
      q.tier_all.add(g);
    }
  }
  return q;
}

/// Days whose OVER rate is ≥ 2 points off the mean of the days.
void day_of_week_stats(const QuickTallies& q, std::vector<Json>& all) {
  std::vector<std::pair<double, size_t>> days;
  double sum = 0;
  for (size_t d = 0; d < 7; ++d) {
    if (q.by_day[d].n == 0) continue;
    days.emplace_back(over_pct(q.by_day[d].overs, q.by_day[d].n), d);
    sum += days.back().first;
  }
  std::stable_sort(days.begin(), days.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  const double league = days.empty() ? 0 : bq_round(sum / static_cast<double>(days.size()), 1);
  for (const auto& [pct, d] : days) {
    const double diff = pct - league;
    if (std::fabs(diff) < 2) continue;
    std::string id = kDays[d];
    std::transform(id.begin(), id.end(), id.begin(), [](unsigned char c) { return std::tolower(c); });
    all.push_back(quick_stat(id + "_overs", "day_of_week", std::string(kDays[d]) + (diff > 0 ? " Surge" : " Slump"),
                             pct, std::string("OVER hit rate on ") + kDays[d] + "s", q.by_day[d].n, trend_of(pct),
                             "vs " + py_str(league) + "% overall (" + signed_gap(diff) + ")"));
  }
}

/// A group's id stem, title and what its rate is of ("OVER hit rate " + it).
using GroupLabel = std::array<const char*, 3>;

/// One stat per group whose OVER rate is at least @p min_gap points off the
/// rate of @p overall (the groups' union), in group order.
template <size_t N>
void groups_off_overall(const Tally& overall, const std::array<Tally, N>& groups,
                        const std::array<GroupLabel, N>& labels, double min_gap, const char* category,
                        std::vector<Json>& all) {
  if (overall.n == 0) return;
  const double league = over_pct(overall.overs, overall.n);
  for (size_t g = 0; g < N; ++g) {
    if (groups[g].n == 0) continue;
    const double pct = over_pct(groups[g].overs, groups[g].n), diff = pct - league;
    if (std::fabs(diff) < min_gap) continue;
    all.push_back(quick_stat(std::string(labels[g][0]) + "_overs", category, labels[g][1], pct,
                             std::string("OVER hit rate ") + labels[g][2], groups[g].n, trend_of(pct),
                             "vs " + py_str(league) + "% overall (" + signed_gap(diff) + ")"));
  }
}

/// Rest categories ≥ 1.5 points off the overall rate.
void rest_stats(const QuickTallies& q, std::vector<Json>& all) {
  static const std::array<GroupLabel, 3> kRestLabels = {{{"b2b", "Back-to-Back Blues", "on back-to-back games"},
                                                         {"one_day", "Standard Rest", "with 1 day rest"},
                                                         {"rested", "Fresh Legs", "with 2+ days rest"}}};
  groups_off_overall(q.rest_all, q.by_rest, kRestLabels, 1.5, "situational", all);
}

/// Home vs away, when ≥ 2 points apart.
void location_stat(const QuickTallies& q, std::vector<Json>& all) {
  const Tally &h = q.by_location[0], &a = q.by_location[1];
  if (h.n == 0 || a.n == 0) return;
  const double hp = over_pct(h.overs, h.n), ap = over_pct(a.overs, a.n), diff = hp - ap;
  if (std::fabs(diff) < 2) return;
  const double better = diff > 0 ? hp : ap;
  all.push_back(quick_stat("home_away_split", "situational", diff > 0 ? "Home Court Advantage" : "Road Warriors",
                           better, std::string("OVER hit rate for ") + (diff > 0 ? "home" : "away") + " players",
                           h.n + a.n, better > 52 ? "positive" : "neutral",
                           "vs " + py_str(diff < 0 ? hp : ap) + "% " + (diff > 0 ? "away" : "home") + " (" +
                               fixed(std::fabs(diff), 1) + "% gap)"));
}

/// Scorer tiers ≥ 2 points off the overall rate.
void tier_stats(const QuickTallies& q, std::vector<Json>& all) {
  static const std::array<GroupLabel, 4> kTierLabels = {{{"stars", "Star Power", "for 22+ PPG stars"},
                                                         {"scorers", "Secondary Scorers", "for 15-22 PPG players"},
                                                         {"rotation", "Rotation Players", "for 8-15 PPG players"},
                                                         {"bench", "Bench Mob", "for under 8 PPG players"}}};
  groups_off_overall(q.tier_all, q.by_tier, kTierLabels, 2, "player_type", all);
}

}  // namespace

Json quick_hits_payload(Warehouse& wh, Date as_of, const std::string& generated_at) {
  constexpr size_t kNumStats = 8;
  constexpr int64_t kMinSample = 50;
  const QuickTallies q = quick_tallies(wh, DateRange{as_of - 90, as_of});
  std::vector<Json> all;
  day_of_week_stats(q, all);
  rest_stats(q, all);
  location_stat(q, all);
  tier_stats(q, all);
  std::vector<Json> valid;
  for (auto& s : all) {
    if (s["sample_size"].get<int64_t>() >= kMinSample) valid.push_back(std::move(s));
  }
  // "Interestingness": distance of the rate from 50%, largest first.
  auto distance = [](const Json& s) {
    const std::string stat = s["stat"].get<std::string>();
    return std::fabs(std::stod(stat.substr(0, stat.size() - 1)) - 50.0);
  };
  std::stable_sort(valid.begin(), valid.end(), [&](const Json& a, const Json& b) { return distance(a) > distance(b); });
  Json stats = Json::array();
  for (size_t i = 0; i < std::min(kNumStats, valid.size()); ++i) stats.push_back(valid[i]);
  Json out;
  out["generated_at"] = generated_at;
  out["as_of_date"] = as_of.iso();
  out["stats"] = std::move(stats);
  out["total_available"] = valid.size();
  out["refresh_note"] = "Stats refresh every Wednesday";
  return out;
}

Json deep_dive_payload(Warehouse& wh, Date as_of, const std::string& generated_at) {
  struct Topic {
    int month;
    const char *title, *subtitle, *focus, *teaser;
  };
  static const std::array<Topic, 7> kTopics = {{
      {1, "The January Effect", "How post-holiday schedules impact player performance", "schedule_density",
       "January brings the densest part of the NBA schedule. We analyzed how teams handle the grind and which "
       "players thrive under pressure."},
      {2, "All-Star Break Impact", "Performance patterns before and after the break", "all_star_break",
       "The All-Star break is a reset point for the season. We examined performance patterns in the 10 games "
       "before and after the break."},
      {3, "Playoff Push Performance", "How contenders perform in the stretch run", "playoff_race",
       "As teams jockey for playoff position, performance patterns shift. Our analysis reveals who steps up in "
       "high-stakes games."},
      {4, "End of Season Trends", "Resting stars and hungry underdogs", "season_end",
       "The final weeks bring load management and motivation questions. We identified which trends matter most "
       "for bettors."},
      {10, "Season Opener Insights", "Early season trends and what they mean", "season_start",
       "Early season data is limited but valuable. We analyzed what October/November trends actually predict "
       "about the rest of the season."},
      {11, "November Grind", "How teams handle the first month marathon", "early_season",
       "A month into the season, patterns start to emerge. Our deep dive into November data reveals actionable "
       "insights."},
      {12, "December Deep Dive", "Rest patterns and holiday performance", "rest_impact",
       "Our analysis of rest patterns reveals significant differences in how players perform based on days off. "
       "The data shows clear trends that can inform your betting strategy."},
  }};
  static const std::array<const char*, 12> kMonths = {"January",   "February", "March",    "April",
                                                      "May",       "June",     "July",     "August",
                                                      "September", "October",  "November", "December"};
  // Months without a topic (May–September) use December's, as the legacy did.
  const Topic* topic = &kTopics.back();
  for (const Topic& t : kTopics) {
    if (t.month == as_of.month()) topic = &t;
  }
  Json hero;
  bool have_hero = false;
  if (std::string(topic->focus) == "rest_impact") {
    const auto rows = read_pgs(wh, DateRange{as_of - 90, as_of});
    const auto since = days_since_previous(rows);
    Tally rested, b2b;
    for (size_t i = 0; i < rows.size(); ++i) {
      // Legacy: the gap to the previous game WITH a prop result. Fixed: to the
      // previous game.
      const int c = rest_category(since[i]);
      if (!rows[i].is_over_under() || c < 0) continue;
      if (c == 2) rested.add(rows[i]);
      if (c == 0) b2b.add(rows[i]);
    }
    // Legacy: a window without back-to-back games raised an error (None
    // formatted as a number); here it falls through to the fallback.
    if (rested.n > 0 && rested.overs > 0 && b2b.n > 0) {
      const double r = over_pct(rested.overs, rested.n), b = over_pct(b2b.overs, b2b.n);
      const double diff = proc::py_round(r - b, 1);
      hero = {{"value", fixed(r, 0) + "%"},
              {"label", "OVER rate on 2+ rest days"},
              {"context", "vs " + fixed(b, 0) + "% on back-to-backs (" + (diff > 0 ? "+" : "") + py_str(diff) + "%)"}};
      have_hero = true;
    }
  }
  if (!have_hero) {
    // Legacy: the constant "54%". Fixed (DECISION 6): the OVER rate of the
    // month's points props up to the as-of date, null when none was graded.
    const auto rows = read_pgs(wh, DateRange{Date::from_ymd(as_of.year(), as_of.month(), 1), as_of});
    Tally month;
    for (const PgsRow& g : rows) {
      if (g.is_over_under()) month.add(g);
    }
    hero = {{"value", month.n > 0 ? Json(fixed(over_pct(month.overs, month.n), 0) + "%") : Json(nullptr)},
            {"label", "League-wide OVER rate this month"},
            {"context", month.n > 0 ? "Based on points props" : "No graded points props this month"}};
  }
  const std::string month_name = kMonths[static_cast<size_t>(as_of.month() - 1)];
  std::string slug = std::string(topic->focus) + "-" + month_name + "-" + std::to_string(as_of.year());
  std::replace(slug.begin(), slug.end(), '_', '-');
  std::transform(slug.begin(), slug.end(), slug.begin(), [](unsigned char c) { return std::tolower(c); });
  Json out;
  out["generated_at"] = generated_at;
  out["month"] = month_name + " " + std::to_string(as_of.year());
  out["title"] = topic->title;
  out["subtitle"] = topic->subtitle;
  out["hero_stat"] = std::move(hero);
  out["teaser"] = topic->teaser;
  out["slug"] = slug;
  out["cta"] = "Read the full analysis";
  return out;
}

}  // namespace nbaprops::exports::detail
