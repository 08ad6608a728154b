// Box-score simulation: minutes, shooting lines reconciled to the schedule's
// final score, rebounds, assists, steals, blocks by zone, fouls, plus-minus,
// and the game's injury-report entries.
#include <algorithm>
#include <numeric>

#include <tbb/parallel_for.h>

#include "nbaprops/core/error.hpp"
#include "synth/league.hpp"

namespace nbaprops::synth::detail {
namespace {

/// @p n categorical draws over @p w; calls add(i) per draw.
template <class F>
void spread(Rng& r, int n, const std::vector<double>& w, F add) {
  for (int k = 0; k < n; ++k) {
    int i = r.weighted(w.data(), w.size());
    if (i < 0) return;
    add(static_cast<size_t>(i));
  }
}

/// Splits @p total seconds over weights with a per-player cap (water-filling),
/// in whole seconds.
std::vector<int> allocate_seconds(std::vector<double> w, int total, int cap) {
  size_t n = w.size();
  std::vector<double> sec(n, 0.0);
  std::vector<bool> fixed(n, false);
  double left = total;
  for (int iter = 0; iter < 20; ++iter) {
    double sw = 0;
    for (size_t i = 0; i < n; ++i)
      if (!fixed[i]) sw += w[i];
    if (sw <= 0) break;
    bool capped = false;
    for (size_t i = 0; i < n; ++i) {
      if (fixed[i]) continue;
      sec[i] = w[i] * left / sw;
      if (sec[i] > cap) {
        sec[i] = cap;
        fixed[i] = true;
        capped = true;
      }
    }
    if (!capped) break;
    left = total;
    for (size_t i = 0; i < n; ++i)
      if (fixed[i]) left -= sec[i];
  }
  std::vector<int> out(n);
  int sum = 0;
  for (size_t i = 0; i < n; ++i) sum += out[i] = static_cast<int>(sec[i]);
  // Hand out the rounding residual one second at a time to the largest
  // fractional parts.
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    double fa = sec[a] - out[a], fb = sec[b] - out[b];
    return fa != fb ? fa > fb : a < b;
  });
  for (size_t k = 0, idle = 0; sum < total && idle < n; k = (k + 1) % n) {  // idle: everyone at the cap
    if (out[order[k]] < cap) {
      ++out[order[k]];
      ++sum;
      idle = 0;
    } else {
      ++idle;
    }
  }
  return out;
}

/// Rounds reals to integers keeping their (integral) sum @p target.
std::vector<int> round_to_sum(const std::vector<double>& x, int target) {
  size_t n = x.size();
  std::vector<int> out(n);
  int sum = 0;
  for (size_t i = 0; i < n; ++i) sum += out[i] = static_cast<int>(std::floor(x[i]));
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    double fa = x[a] - out[a], fb = x[b] - out[b];
    return fa != fb ? fa > fb : a < b;
  });
  for (size_t k = 0; sum < target && n > 0; k = (k + 1) % n) {
    ++out[order[k]];
    ++sum;
  }
  for (size_t k = 0; sum > target && n > 0; k = (k + 1) % n) {
    --out[order[n - 1 - k]];
    --sum;
  }
  return out;
}

struct Side {
  int team = 0;
  int points = 0;
  std::vector<PlayerLine> active, dnp, inactive;
  std::vector<int> two_a, two_m;  // per active line
};

/// Shooting lines whose points add up exactly to the team's final score.
void shoot(Rng& r, const League& lg, Side& s) {
  size_t n = s.active.size();
  std::vector<double> mu(n);
  double expected = 0;
  for (size_t i = 0; i < n; ++i) {
    const Player& p = lg.players[s.active[i].player];
    mu[i] = p.ppm * s.active[i].seconds / 60.0;
    expected += mu[i];
  }
  double k = expected > 0 ? s.points / expected : 1.0;
  s.two_a.assign(n, 0);
  s.two_m.assign(n, 0);
  int total = 0;
  for (size_t i = 0; i < n; ++i) {
    const Player& p = lg.players[s.active[i].player];
    PlayerLine& l = s.active[i];
    mu[i] *= k;
    double per_fga = 2 * p.p2 * (1 - p.three_rate) + 3 * p.p3 * p.three_rate + p.ft_rate * p.pft;
    double fga = mu[i] / per_fga;
    l.fga = r.poisson(fga);
    l.tpa = r.binomial(l.fga, p.three_rate);
    l.tpm = r.binomial(l.tpa, p.p3);
    s.two_a[i] = l.fga - l.tpa;
    s.two_m[i] = r.binomial(s.two_a[i], p.p2);
    l.fgm = s.two_m[i] + l.tpm;
    l.fta = r.poisson(fga * p.ft_rate);
    l.ftm = r.binomial(l.fta, p.pft);
    total += l.points();
  }
  int d = s.points - total;
  std::vector<double> w(mu);
  for (int guard = 0; d != 0; ++guard) {
    if (guard > 100000) throw DataError("demo box score could not reach the final score");
    size_t i = static_cast<size_t>(std::max(0, r.weighted(w.data(), n)));
    PlayerLine& l = s.active[i];
    if (d > 0) {
      if (d >= 3 && l.tpa > l.tpm && r.chance(0.4)) {
        ++l.tpm, ++l.fgm, d -= 3;
      } else if (d >= 2 && s.two_a[i] > s.two_m[i]) {
        ++s.two_m[i], ++l.fgm, d -= 2;
      } else if (l.fta > l.ftm && r.chance(0.5)) {
        ++l.ftm, d -= 1;
      } else if (r.chance(0.3)) {
        ++l.fta, ++l.ftm, d -= 1;
      }
    } else {
      if (l.tpm > 0 && (d <= -3 || guard > 200) && r.chance(0.4)) {
        --l.tpm, --l.fgm, d += 3;
      } else if (d <= -2 && s.two_m[i] > 0) {
        --s.two_m[i], --l.fgm, d += 2;
      } else if (l.ftm > 0) {
        --l.ftm, d += 1;
      } else if (d == -1 && s.two_m[i] > 0) {  // a made two becomes a miss plus a made free throw
        --s.two_m[i], --l.fgm, ++l.fta, ++l.ftm, d += 1;
      }
    }
  }
}

/// Paint/mid split of twos, assisted makes and and-ones.
void zones(Rng& r, const League& lg, Side& s) {
  for (size_t i = 0; i < s.active.size(); ++i) {
    const Player& p = lg.players[s.active[i].player];
    PlayerLine& l = s.active[i];
    l.paint_a = r.binomial(s.two_a[i], p.paint_share);
    l.mid_a = s.two_a[i] - l.paint_a;
    for (int m = 0; m < s.two_m[i]; ++m) {
      double wp = (l.paint_a - l.paint_m) * 0.62, wm = (l.mid_a - l.mid_m) * 0.42;
      if (r.uniform() * (wp + wm) < wp)
        ++l.paint_m;
      else
        ++l.mid_m;
    }
    l.assisted = r.binomial(l.fgm, p.assisted_rate);
    l.and1 = std::min(r.binomial(l.paint_m, 0.07), l.fta);
  }
}

std::vector<double> weights(const League& lg, const Side& s, double Player::* rate) {
  std::vector<double> w;
  for (const PlayerLine& l : s.active) w.push_back(lg.players[l.player].*rate * l.seconds);
  return w;
}

/// Rebounds, assists, turnovers, steals, blocks by zone and fouls of @p s's
/// offense against @p o.
void possessions(Rng& r, const League& lg, Side& s, Side& o, int overtimes) {
  int misses = 0, paint_miss = 0, mid_miss = 0, three_miss = 0, assisted = 0;
  for (const PlayerLine& l : s.active) {
    misses += l.fga - l.fgm;
    paint_miss += l.paint_a - l.paint_m;
    mid_miss += l.mid_a - l.mid_m;
    three_miss += l.tpa - l.tpm;
    assisted += l.assisted;
  }
  auto ws = [&](double Player::* rate) { return weights(lg, s, rate); };
  auto wo = [&](double Player::* rate) { return weights(lg, o, rate); };
  int oreb = r.binomial(misses, 0.23);
  int dreb = r.binomial(misses - oreb, 0.93);
  spread(r, oreb, ws(&Player::oreb), [&](size_t i) { ++s.active[i].oreb; });
  spread(r, dreb, wo(&Player::dreb), [&](size_t i) { ++o.active[i].dreb; });
  spread(r, assisted, ws(&Player::ast), [&](size_t i) { ++s.active[i].ast; });
  int tov = r.poisson(13.5 * (1 + 0.1 * overtimes));
  spread(r, tov, ws(&Player::tov), [&](size_t i) { ++s.active[i].tov; });
  spread(r, r.binomial(tov, 0.55), wo(&Player::stl), [&](size_t i) { ++o.active[i].stl; });
  auto wb = wo(&Player::blk);
  spread(r, r.binomial(paint_miss, 0.26), wb, [&](size_t i) { ++o.active[i].blk_paint, ++o.active[i].blk; });
  spread(r, r.binomial(mid_miss, 0.08), wb, [&](size_t i) { ++o.active[i].blk_mid, ++o.active[i].blk; });
  spread(r, r.binomial(three_miss, 0.02), wb, [&](size_t i) { ++o.active[i].blk_three, ++o.active[i].blk; });
  auto wf = ws(&Player::pf);
  int fouls = r.poisson(19.5 + 2.0 * overtimes);
  for (int k = 0; k < fouls; ++k) {
    int i = r.weighted(wf.data(), wf.size());
    if (i < 0) break;
    if (++s.active[i].pf >= 6) wf[i] = 0;  // fouled out
  }
}

void plus_minus(Rng& r, Side& s, int margin, int team_seconds) {
  std::vector<double> x;
  double sum = 0;
  for (const PlayerLine& l : s.active) {
    double share = static_cast<double>(l.seconds) / (team_seconds / 5.0);
    x.push_back(margin * share + r.normal(0, 5.0 * std::sqrt(share)));
    sum += x.back();
  }
  for (size_t i = 0; i < x.size(); ++i) {
    x[i] += (5.0 * margin - sum) * s.active[i].seconds / team_seconds;
  }
  auto v = round_to_sum(x, 5 * margin);
  for (size_t i = 0; i < v.size(); ++i) s.active[i].plus_minus = v[i];
}

const char* kMinorReasons[] = {"Injury/Illness - Right Knee; Soreness", "Injury/Illness - Left Ankle; Soreness",
                               "Injury/Illness - Low Back; Tightness", "Injury/Illness - Illness",
                               "Injury/Illness - Right Hip; Contusion"};

/// Availability, minutes and the injury-report entries of one team in one game.
void lineup(Rng& r, const League& lg, const Game& g, Side& s, int margin, int overtimes,
            std::vector<ReportEntry>& rep) {
  std::vector<int> roster = lg.roster_on(s.team, g.date);
  // Two-way players go to the G League only while at least nine others are
  // healthy.
  int healthy_regulars = 0;
  for (int p : roster) healthy_regulars += lg.players[p].tier != kTwoWay && !lg.injury_on(p, g.date);
  std::vector<int> available;
  for (int p : roster) {
    const Player& pl = lg.players[p];
    PlayerLine l;
    l.player = p;
    if (const Injury* inj = lg.injury_on(p, g.date)) {
      l.status = PlayerLine::kInactive;
      l.dnp_reason = inj->reason == "Rest" ? "Rest" : inj->reason;
      bool rest = inj->reason == "Rest";
      std::string status = !rest && inj->from == g.date && r.chance(0.5) ? "doubtful" : "out";
      rep.push_back({p, s.team, status, inj->reason, rest ? "rest" : "injury"});
      s.inactive.push_back(l);
      continue;
    }
    if (pl.tier == kTwoWay && healthy_regulars >= 9 && r.chance(0.65)) {
      l.status = PlayerLine::kInactive;
      l.dnp_reason = "G League - Two-Way";
      rep.push_back({p, s.team, "out", "G League - Two-Way", "g_league"});
      s.inactive.push_back(l);
      continue;
    }
    // Back from an injury in the last three days: listed questionable or
    // probable, and plays.
    for (const Injury& inj : lg.injuries[p]) {
      int since = g.date - inj.to;
      if (since >= 1 && since <= 3 && inj.reason != "Rest") {
        rep.push_back({p, s.team, r.chance(0.5) ? "questionable" : "probable", inj.reason, "injury"});
        break;
      }
    }
    available.push_back(p);
  }
  if (available.size() < 6) {
    throw DataError("demo: " + nba_tricodes()[s.team] + " has fewer than six players on " + g.date.iso());
  }
  size_t plays = std::min(available.size(), static_cast<size_t>(r.chance(0.45) ? 11 : 10));
  bool blowout = std::abs(margin) >= 20;
  if (blowout) plays = std::min(available.size(), plays + 2);
  if (plays > 0 && r.chance(0.25)) {  // a rotation player listed with a minor knock, plays anyway
    int p = available[r.range(0, static_cast<int>(std::min<size_t>(plays, 8)) - 1)];
    bool listed = false;
    for (const auto& e : rep) listed = listed || e.player == p;
    if (!listed)
      rep.push_back({p, s.team, r.chance(0.6) ? "probable" : "questionable", kMinorReasons[r.next() % 5], "injury"});
  }
  std::vector<double> w;
  for (size_t i = 0; i < plays; ++i) {
    const Player& pl = lg.players[available[i]];
    double m = pl.minutes * std::exp(r.normal(0, 0.12));
    if (blowout) m *= pl.tier <= kStarter ? 0.82 : pl.tier >= kBench ? 1.6 : 1.0;
    w.push_back(m);
  }
  int game_seconds = 2880 + 300 * overtimes;
  auto sec = allocate_seconds(w, 5 * game_seconds, std::min(game_seconds, 2760 + 300 * overtimes));
  for (size_t i = 0; i < plays; ++i) {
    PlayerLine l;
    l.player = available[i];
    l.seconds = sec[i];
    s.active.push_back(l);
  }
  std::stable_sort(s.active.begin(), s.active.end(),
                   [](const PlayerLine& a, const PlayerLine& b) { return a.seconds > b.seconds; });
  for (size_t i = plays; i < available.size(); ++i) {
    PlayerLine l;
    l.player = available[i];
    l.status = PlayerLine::kDnp;
    l.dnp_reason = "DNP - Coach's Decision";
    s.dnp.push_back(l);
  }
}

}  // namespace

std::vector<GameBox> simulate_boxes(const SeasonPlan& plan) {
  const auto& games = plan.schedule.games();
  std::vector<size_t> idx;
  for (size_t i = 0; i < games.size(); ++i) {
    if (games[i].counts() && games[i].status == GameStatus::kFinal) idx.push_back(i);
  }
  std::vector<GameBox> out(idx.size());
  const League& lg = plan.league;
  tbb::parallel_for(size_t{0}, idx.size(), [&](size_t k) {
    const Game& g = games[idx[k]];
    int ot = plan.extras[idx[k]].overtimes;
    Rng r(derive(lg.seed, 20, static_cast<uint64_t>(lg.season), fnv1a(g.nba_game_id)));
    std::array<Side, 2> side;
    side[0].team = team_index(g.away);
    side[1].team = team_index(g.home);
    side[0].points = *g.away_score;
    side[1].points = *g.home_score;
    GameBox& box = out[k];
    box.game = idx[k];
    for (int s = 0; s < 2; ++s) {
      box.team[s] = side[s].team;
      lineup(r, lg, g, side[s], side[s].points - side[1 - s].points, ot, box.report);
    }
    for (int s = 0; s < 2; ++s) {
      shoot(r, lg, side[s]);
      zones(r, lg, side[s]);
    }
    for (int s = 0; s < 2; ++s) possessions(r, lg, side[s], side[1 - s], ot);
    for (int s = 0; s < 2; ++s) plus_minus(r, side[s], side[s].points - side[1 - s].points, 5 * (2880 + 300 * ot));
    for (int s = 0; s < 2; ++s) {
      auto& lines = box.lines[s];
      lines = std::move(side[s].active);
      lines.insert(lines.end(), side[s].dnp.begin(), side[s].dnp.end());
      lines.insert(lines.end(), side[s].inactive.begin(), side[s].inactive.end());
    }
  });
  return out;
}

}  // namespace nbaprops::synth::detail
