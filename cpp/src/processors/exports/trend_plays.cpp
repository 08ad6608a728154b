// trends/tonight-plays.json (legacy TonightTrendPlaysExporter): players of the
// teams playing on the date with an OVER/UNDER streak, a scoring swing (last 5
// vs last 15 games) or a rest edge, one play per player.
//
// Point in time (DECISION 1): every window ends the day before the date; the
// legacy's rest splits read every game of the seasons ≥ 2022, later ones too.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

constexpr int64_t kMinStreak = 3;
constexpr double kMinMomentum = 0.15;  ///< |L5 − L15| / L15
constexpr int kFresh = 3;              ///< days since the last game
constexpr int kTired = 1;
constexpr int kMaxRest = 7;
constexpr int64_t kRestFirstSeason = 2022;  ///< legacy `season_year >= 2022`

struct Play {
  std::string player;
  std::string team, type, direction, confidence;
  Json details;
  int64_t streak = 0;              ///< streak plays: length (first sort key)
  std::optional<double> sort_key;  ///< the unrounded margin / |change| / |impact| the legacy ordered by
  bool fresh = false;              ///< rest plays: fresh ones first
};

Json play_json(const Play& p, const std::string& name, const std::unordered_map<std::string, TonightGame>& tonight) {
  Json j;
  j["player_lookup"] = p.player;
  j["player_full_name"] = name;
  j["team_abbr"] = p.team;
  j["position"] = nullptr;  // the legacy read it from the players registry, which is not in the warehouse
  j["trend_type"] = p.type;
  j["trend_direction"] = p.direction;
  j["trend_details"] = p.details;
  j["confidence"] = p.confidence;
  j["tonight"] = tonight_of(tonight, p.team);
  return j;
}

std::optional<double> mean(double sum, int64_t n) {
  return n > 0 ? std::optional(sum / static_cast<double>(n)) : std::nullopt;
}

/// One player's games [begin, end) of the rows read (date order), and the
/// teams playing on the date.
struct PlayerRun {
  const std::vector<PgsRow>& rows;
  size_t begin, end;
  const std::string& player;
  const std::unordered_map<std::string, TonightGame>& tonight;
  [[nodiscard]] bool playing(const PgsRow& g) const { return tonight.contains(g.team); }
};

/// Streak: OVER/UNDER results of the last 30 days (teams playing tonight),
/// newest first; one play per (player, team) of those games, as the legacy
/// grouped.
void streak_plays(const PlayerRun& run, Date day, std::vector<Play>& out) {
  std::vector<const PgsRow*> recent;
  for (size_t i = run.end; i > run.begin; --i) {
    const PgsRow& g = run.rows[i - 1];
    if (g.day >= (day - 30).days() && g.is_over_under() && run.playing(g)) recent.push_back(&g);
  }
  if (recent.empty()) return;
  int64_t length = 0;
  while (static_cast<size_t>(length) < recent.size() &&
         recent[static_cast<size_t>(length)]->result == recent.front()->result) {
    ++length;
  }
  if (length < kMinStreak) return;
  std::map<std::string, std::array<double, 4>> by_team;  // margin sum, margin n, overs l10, games l10
  std::vector<std::string> team_order;
  for (size_t k = 0; k < recent.size(); ++k) {
    const PgsRow& g = *recent[k];
    auto [it, added] = by_team.try_emplace(g.team, std::array<double, 4>{0, 0, 0, 0});
    if (added) team_order.push_back(g.team);
    if (g.points && g.line) {
      it->second[0] += static_cast<double>(*g.points) - *g.line;
      it->second[1] += 1;
    }
    if (k < 10) {
      it->second[2] += g.result == "OVER" ? 1 : 0;
      it->second[3] += 1;
    }
  }
  for (const auto& team : team_order) {
    const auto& s = by_team[team];
    const auto margin = mean(s[0], static_cast<int64_t>(s[1]));
    Json details;
    details["streak_length"] = length;
    details["avg_margin"] = margin ? number(bq_round(*margin, 1), 2) : Json(nullptr);
    details["hit_rate_l10"] = s[3] > 0 ? number(bq_round(s[2] / s[3], 2), 2) : Json(nullptr);
    out.push_back({run.player, team, "streak", *recent.front()->result == "OVER" ? "over" : "under",
                   length >= 5 ? "high" : "medium", std::move(details), length, margin});
  }
}

/// Momentum: points of the last 45 days (teams playing tonight), newest first;
/// per (player, team) the mean of game numbers ≤ 5 and ≤ 15.
void momentum_plays(const PlayerRun& run, Date day, std::vector<Play>& out) {
  std::map<std::string, std::array<double, 6>> by_team;  // l5 sum, l5 n, l15 sum, l15 n, rows≤5, rows≤15
  std::vector<std::string> team_order;
  int64_t num = 0;
  for (size_t i = run.end; i > run.begin; --i) {
    const PgsRow& g = run.rows[i - 1];
    if (g.day < (day - 45).days() || !run.playing(g)) continue;
    ++num;
    auto [it, added] = by_team.try_emplace(g.team, std::array<double, 6>{0, 0, 0, 0, 0, 0});
    if (added) team_order.push_back(g.team);
    auto& s = it->second;
    if (num <= 5) {
      s[4] += 1;
      if (g.points) s[0] += static_cast<double>(*g.points), s[1] += 1;
    }
    if (num <= 15) {
      s[5] += 1;
      if (g.points) s[2] += static_cast<double>(*g.points), s[3] += 1;
    }
  }
  for (const auto& team : team_order) {
    const auto& s = by_team[team];
    const auto l5 = mean(s[0], static_cast<int64_t>(s[1])), l15 = mean(s[2], static_cast<int64_t>(s[3]));
    if (s[4] < 5 || s[5] < 10 || !l5 || !l15 || *l15 <= 0) continue;
    const double change = (*l5 - *l15) / *l15;
    if (std::fabs(change) < kMinMomentum) continue;
    const bool surging = *l5 > *l15;
    const double pct = bq_round(change * 100.0, 1);
    Json details;
    details["momentum_type"] = surging ? "surging" : "slumping";
    details["l5_avg"] = number(bq_round(*l5, 1), 2);
    details["l15_avg"] = number(bq_round(*l15, 1), 2);
    details["pct_change"] = number(pct, 2);
    details["ppg_change"] = number(bq_round(*l5 - *l15, 1), 2);
    out.push_back({run.player, team, "momentum", surging ? "over" : "under", std::fabs(pct) >= 25 ? "high" : "medium",
                   std::move(details), 0, std::fabs(change)});
  }
}

/// A player's scoring after ≥ 3 days of rest, on back-to-backs and overall,
/// over the seasons ≥ 2022 (games before the date).
struct RestSplits {
  double rested_sum = 0, b2b_sum = 0, all_sum = 0;
  int64_t rested_n = 0, b2b_n = 0, all_n = 0, rested_rows = 0, b2b_rows = 0, split_rows = 0;
};

RestSplits rest_splits(const PlayerRun& run) {
  RestSplits s;
  const PgsRow* prev = nullptr;
  for (size_t i = run.begin; i < run.end; ++i) {
    const PgsRow& g = run.rows[i];
    if (g.season < kRestFirstSeason) continue;
    if (prev) {
      const int since = g.day - prev->day;
      ++s.split_rows;
      const double pts = g.points ? static_cast<double>(*g.points) : 0.0;
      if (g.points) s.all_sum += pts, ++s.all_n;
      if (since >= 3) {
        ++s.rested_rows;
        if (g.points) s.rested_sum += pts, ++s.rested_n;
      }
      if (since == 1) {
        ++s.b2b_rows;
        if (g.points) s.b2b_sum += pts, ++s.b2b_n;
      }
    }
    prev = &g;
  }
  return s;
}

/// Rest: days from the newest game of a team playing tonight to the date; a
/// play when the player is fresh or tired and his history shows it.
void rest_play(const PlayerRun& run, Date day, std::vector<Play>& out) {
  const PgsRow* last = nullptr;
  for (size_t i = run.end; i > run.begin && !last; --i) {
    if (run.playing(run.rows[i - 1])) last = &run.rows[i - 1];
  }
  if (!last) return;
  const int days_rest = day.days() - last->day;
  const bool fresh = days_rest >= kFresh && days_rest <= kMaxRest, tired = days_rest == kTired;
  if (!fresh && !tired) return;
  const RestSplits s = rest_splits(run);
  if (s.split_rows == 0) return;
  const auto rested_avg = mean(s.rested_sum, s.rested_n), b2b_avg = mean(s.b2b_sum, s.b2b_n),
             overall = mean(s.all_sum, s.all_n);
  const bool enough = fresh ? s.rested_rows >= 5 && std::fabs(rested_avg.value_or(0) - overall.value_or(0)) >= 2
                            : s.b2b_rows >= 3 && std::fabs(b2b_avg.value_or(0) - overall.value_or(0)) >= 2;
  if (!enough) return;
  std::optional<double> raw_impact;
  if ((rested_avg || overall) && (b2b_avg || overall)) {
    raw_impact = (rested_avg ? *rested_avg : *overall) - (b2b_avg ? *b2b_avg : *overall);
  }
  const double impact = raw_impact ? bq_round(*raw_impact, 1) : 0.0;
  const int64_t sample = fresh ? s.rested_rows : s.b2b_rows;
  Json details;
  details["rest_status"] = fresh ? "fresh" : "tired";
  details["days_rest"] = days_rest;
  details["rested_avg"] = rested_avg ? number(bq_round(*rested_avg, 1), 2) : Json(nullptr);
  details["b2b_avg"] = b2b_avg ? number(bq_round(*b2b_avg, 1), 2) : Json(nullptr);
  details["overall_avg"] = overall ? number(bq_round(*overall, 1), 2) : Json(nullptr);
  details["rest_impact"] = number(impact, 2);
  details["sample_games"] = sample;
  // Fresh players lean OVER and tired ones UNDER when their history agrees.
  out.push_back({run.player, last->team, "rest",
                 fresh ? (impact > 0 ? "over" : "under") : (impact > 0 ? "under" : "over"),
                 sample >= 10 && std::fabs(impact) >= 3 ? "high" : "medium", std::move(details), 0,
                 raw_impact ? std::optional(std::fabs(*raw_impact)) : std::nullopt, fresh});
}

/// Legacy ORDER BYs (streak length then margin; |change|; fresh first then
/// |impact| — each descending, nulls last), then one play per player, high
/// confidence first, streaks before momentum before rest.
std::vector<const Play*> ranked_plays(std::vector<Play>& streaks, std::vector<Play>& momentum,
                                      std::vector<Play>& rest) {
  auto key = [](const Play& p) { return p.sort_key.value_or(-std::numeric_limits<double>::infinity()); };
  std::stable_sort(streaks.begin(), streaks.end(), [&](const Play& a, const Play& b) {
    return a.streak != b.streak ? a.streak > b.streak : key(a) > key(b);
  });
  std::stable_sort(momentum.begin(), momentum.end(), [&](const Play& a, const Play& b) { return key(a) > key(b); });
  std::stable_sort(rest.begin(), rest.end(),
                   [&](const Play& a, const Play& b) { return a.fresh != b.fresh ? a.fresh : key(a) > key(b); });
  std::vector<const Play*> plays;
  std::set<std::string> seen;
  for (const auto* list : {&streaks, &momentum, &rest}) {
    for (const Play& p : *list) {
      if (seen.insert(p.player).second) plays.push_back(&p);
    }
  }
  auto rank = [](const Play* p) {
    return std::make_pair(p->confidence == "high" ? 0 : 1, p->type == "streak" ? 0 : p->type == "momentum" ? 1 : 2);
  };
  std::stable_sort(plays.begin(), plays.end(), [&](const Play* a, const Play* b) { return rank(a) < rank(b); });
  return plays;
}

}  // namespace

Json trend_plays_payload(Warehouse& wh, Date day, const std::string& generated_at) {
  const auto tonight = tonight_games(wh, day);
  Json out;
  out["generated_at"] = generated_at;
  out["game_date"] = day.iso();
  out["games_tonight"] = tonight.size() / 2;
  std::vector<Play> streaks, momentum, rest;
  std::map<std::string, std::string> names;
  if (!tonight.empty()) {
    const Date rest_start = Date::from_ymd(static_cast<int>(kRestFirstSeason), 7, 1);
    const auto rows = read_pgs(wh, DateRange{std::min(day - 45, rest_start), day - 1});
    for (const auto& [b, e] : player_runs(rows)) {
      names[rows[b].player] = display_name(rows, b, e);
      const PlayerRun run{rows, b, e, rows[b].player, tonight};
      streak_plays(run, day, streaks);
      momentum_plays(run, day, momentum);
      rest_play(run, day, rest);
    }
  }
  Json list = Json::array();
  for (const Play* p : ranked_plays(streaks, momentum, rest)) list.push_back(play_json(*p, names[p->player], tonight));
  out["total_trend_plays"] = list.size();
  out["trend_plays"] = std::move(list);
  out["by_trend_type"] = {{"streak", streaks.size()}, {"momentum", momentum.size()}, {"rest", rest.size()}};
  return out;
}

}  // namespace nbaprops::exports::detail
