// The demo season's schedule: matchups, calendar, results, play-in and
// playoffs.
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/teams.hpp"
#include "nbaprops/synth/demo.hpp"
#include "synth/league.hpp"

namespace nbaprops::synth::detail {
namespace {

/// Conferences → divisions → tricodes (real NBA alignment).
const std::array<std::array<std::array<const char*, 5>, 3>, 2>& alignment() {
  static const std::array<std::array<std::array<const char*, 5>, 3>, 2> a = {{
      {{{"BOS", "BKN", "NYK", "PHI", "TOR"}, {"CHI", "CLE", "DET", "IND", "MIL"}, {"ATL", "CHA", "MIA", "ORL", "WAS"}}},
      {{{"DEN", "MIN", "OKC", "POR", "UTA"}, {"GSW", "LAC", "LAL", "PHX", "SAC"}, {"DAL", "HOU", "MEM", "NOP", "SAS"}}},
  }};
  return a;
}

struct Matchup {
  int home, away;
};

std::string game_id(const char* prefix, int season, int number) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%s%02d%05d", prefix, season % 100, number);
  return buf;
}

/// The 1,230 regular-season matchups: 4 games vs division rivals, 4 vs six
/// conference teams and 3 vs the other four (the extra home game oriented along
/// a cycle so every team hosts 41), 2 vs the other conference.
std::vector<Matchup> build_matchups(Rng& r) {
  std::vector<Matchup> out;
  auto idx = [](const char* c) { return team_index(c); };
  const auto& al = alignment();
  std::set<std::pair<int, int>> three;  // (host of 2, other)
  for (int c = 0; c < 2; ++c) {
    for (int d = 0; d < 3; ++d) {
      for (int e = d + 1; e < 3; ++e) {
        int s = r.range(0, 4);
        for (int i = 0; i < 5; ++i) {
          int a = idx(al[c][d][i]);
          three.insert({a, idx(al[c][e][(i + s) % 5])});
          three.insert({idx(al[c][e][(i + s + 1) % 5]), a});
        }
      }
    }
  }
  auto conf_of = [&](int t, int& conf, int& div) {
    for (int c = 0; c < 2; ++c)
      for (int d = 0; d < 3; ++d)
        for (int i = 0; i < 5; ++i)
          if (idx(al[c][d][i]) == t) {
            conf = c;
            div = d;
          }
  };
  for (int a = 0; a < kTeams; ++a) {
    for (int b = a + 1; b < kTeams; ++b) {
      int ca = 0, da = 0, cb = 0, db = 0;
      conf_of(a, ca, da);
      conf_of(b, cb, db);
      auto add = [&](int home, int away, int n) {
        for (int k = 0; k < n; ++k) out.push_back({home, away});
      };
      if (ca != cb) {
        add(a, b, 1);
        add(b, a, 1);
      } else if (three.count({a, b})) {
        add(a, b, 2);
        add(b, a, 1);
      } else if (three.count({b, a})) {
        add(b, a, 2);
        add(a, b, 1);
      } else {
        add(a, b, 2);
        add(b, a, 2);
      }
    }
  }
  return out;
}

struct Score {
  int home, away, overtimes;
};

/// One game's result from the teams' strengths (home edge 2.5 points; ~6%
/// overtime).
Score play(Rng& r, double home_expected, double away_expected) {
  double total = r.normal(home_expected + away_expected, 14.0);
  if (r.chance(0.06)) {
    int reg = static_cast<int>(std::lround(total / 2 - 5));
    Score s{reg, reg, 0};
    do {
      ++s.overtimes;
      s.home += std::max(2, static_cast<int>(std::lround(r.normal(10.5, 3.2))));
      s.away += std::max(2, static_cast<int>(std::lround(r.normal(10.5, 3.2))));
      if (s.overtimes >= 4 && s.home == s.away) ++s.home;
    } while (s.home == s.away);
    return s;
  }
  double margin = r.normal(home_expected - away_expected, 12.5);
  Score s{static_cast<int>(std::lround((total + margin) / 2)), static_cast<int>(std::lround((total - margin) / 2)), 0};
  if (s.home == s.away) (margin >= 0 ? s.home : s.away) += 1;
  return s;
}

void expected_points(const League& lg, int home, int away, double base, double& he, double& ae) {
  double diff = lg.strength[home] - lg.strength[away] + 2.5;
  he = base + diff / 2;
  ae = base - diff / 2;
}

int tip_time(Rng& r, const std::string& home, Date d) {
  const TeamInfo* t = find_team(home);
  std::string tz = t ? t->timezone : "America/New_York";
  bool weekend = d.iso_weekday() >= 6;
  if (weekend && r.chance(0.15)) return 15 * 60 + 30;
  if (tz == "America/Los_Angeles") return r.chance(0.7) ? 22 * 60 : 22 * 60 + 30;
  if (tz == "America/Denver" || tz == "America/Phoenix") return 21 * 60;
  if (tz == "America/Chicago") return r.chance(0.5) ? 20 * 60 : 20 * 60 + 30;
  static const int et[] = {19 * 60, 19 * 60 + 30, 19 * 60 + 30, 20 * 60};
  return et[r.next() % 4];
}

/// A season's regular-season calendar: the opener (3rd or 4th Tuesday of
/// October), the last day (2nd Sunday of April) and the days without games
/// (Thanksgiving, Christmas Eve, the All-Star break Friday..Wednesday).
struct Calendar {
  Date opener, last, thanksgiving, christmas_eve, asg, break_from, break_to;

  Calendar(int season, Rng& r)
      : opener(nth_weekday(season, 10, 2, r.chance(0.5) ? 3 : 4)),
        last(nth_weekday(season + 1, 4, 7, 2)),
        thanksgiving(nth_weekday(season, 11, 4, 4)),
        christmas_eve(Date::from_ymd(season, 12, 24)),
        asg(nth_weekday(season + 1, 2, 7, 3)),
        break_from(asg - 2),
        break_to(asg + 3) {}
  [[nodiscard]] bool blackout(Date d) const {
    return d == thanksgiving || d == christmas_eve || (break_from <= d && d <= break_to);
  }
  [[nodiscard]] std::vector<Date> game_days() const {
    std::vector<Date> days;
    for (Date d = opener; d <= last; d = d + 1) {
      if (!blackout(d)) days.push_back(d);
    }
    return days;
  }
};

struct Placed {
  Matchup m;
  Date d;
};

/// Puts the matchups onto dates: greedy by urgency (teams with more games left
/// than days go first), at most one game per team per day, never three nights
/// in a row, back-to-backs rationed to ~14 a season.
class MatchupPlacer {
 public:
  MatchupPlacer(std::vector<Matchup> pool, Rng& r) : pool_(std::move(pool)), r_(r) {
    remaining_.fill(82);
    last1_.fill(-1000);
    last2_.fill(-1000);
  }

  /// Places every matchup over @p days (extending past @p last for rare
  /// leftovers, which moves @p last); @return the games by date, then home team.
  std::vector<Placed> place(const std::vector<Date>& days, Date& last) {
    static const double kWeekday[8] = {0, 1.15, 0.9, 1.3, 0.65, 1.2, 1.0, 0.8};
    for (size_t k = 0; k < days.size() && !pool_.empty(); ++k) {
      int days_left = static_cast<int>(days.size() - k);
      double base = static_cast<double>(pool_.size()) / days_left;
      int target = static_cast<int>(std::lround(base * kWeekday[days[k].iso_weekday()] * (1 + r_.normal(0, 0.12))));
      if (k == 0) target = 2;
      if (k + 1 == days.size()) target = 15;
      if (days[k].month() == 12 && days[k].day() == 25) target = 5;  // the Christmas Day slate
      schedule_day(days[k], std::clamp(target, 2, 15), days_left);
    }
    for (Date d = last + 1; !pool_.empty(); d = d + 1) {
      schedule_day(d, 15, 1);
      last = d;
    }
    std::sort(placed_.begin(), placed_.end(), [](const Placed& a, const Placed& b) {
      if (a.d != b.d) return a.d < b.d;
      return a.m.home < b.m.home;
    });
    return std::move(placed_);
  }

 private:
  /// The pool's candidates for day @p d, best first.
  void rank_candidates(Date d, int days_left) {
    cand_.clear();
    for (size_t i = 0; i < pool_.size(); ++i) {
      const Matchup& m = pool_[i];
      double score = r_.uniform(0, 0.25);
      bool ok = true;
      for (int t : {m.home, m.away}) {
        if (last1_[t] == d.days() - 1 && last2_[t] == d.days() - 2) ok = false;
        double u = static_cast<double>(remaining_[t]) / std::max(1, days_left);
        score += u;
        if (last1_[t] == d.days() - 1) {
          // Back-to-backs rationed: free while under the pro-rata quota.
          double quota = 14.0 * (82 - remaining_[t]) / 82.0;
          score -= b2b_[t] >= 17 ? 1.0 : b2b_[t] >= quota ? 0.15 : 0.0;
        }
      }
      if (ok) cand_.push_back({-score, i});
    }
    std::sort(cand_.begin(), cand_.end());
  }

  void schedule_day(Date d, int target, int days_left) {
    rank_candidates(d, days_left);
    std::array<bool, kTeams> busy{};
    std::vector<size_t> taken;
    for (const auto& [neg, i] : cand_) {
      if (static_cast<int>(taken.size()) >= target) break;
      const Matchup& m = pool_[i];
      if (busy[m.home] || busy[m.away]) continue;
      busy[m.home] = busy[m.away] = true;
      taken.push_back(i);
    }
    std::sort(taken.rbegin(), taken.rend());
    for (size_t i : taken) {
      const Matchup m = pool_[i];
      for (int t : {m.home, m.away}) {
        if (last1_[t] == d.days() - 1) ++b2b_[t];
        last2_[t] = last1_[t];
        last1_[t] = d.days();
        --remaining_[t];
      }
      placed_.push_back({m, d});
      pool_.erase(pool_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  std::vector<Matchup> pool_;
  Rng& r_;
  std::array<int, kTeams> remaining_{};
  std::array<int, kTeams> b2b_{};
  std::array<int32_t, kTeams> last1_{}, last2_{};  // each team's last two game days
  std::vector<Placed> placed_;
  std::vector<std::pair<double, size_t>> cand_;
};

/// Builds one season: calendar, regular season (with one postponed game),
/// play-in, playoffs, preseason and All-Star games, each game played out.
class SeasonBuilder {
 public:
  SeasonBuilder(int season, uint64_t seed)
      : season_(season), seed_(seed), r_(derive(seed, 6, static_cast<uint64_t>(season))), cal_(season, r_) {
    plan_.league = build_league(season, seed);
  }

  SeasonPlan build() && {
    std::vector<Matchup> pool = build_matchups(r_);
    r_.shuffle(pool);
    placed_ = MatchupPlacer(std::move(pool), r_).place(cal_.game_days(), cal_.last);
    regular_season();
    postseason();
    preseason_and_all_star();
    return finish();
  }

 private:
  [[nodiscard]] bool is_cup_night(Date d) const {
    Date from = nth_weekday(season_, 11, 5, 1);
    Date to = Date::from_ymd(season_, 12, 3);
    int wd = d.iso_weekday();
    return from <= d && d <= to && (wd == 2 || wd == 5);
  }

  /// @return true when team @p t plays on @p d in the placed regular season.
  [[nodiscard]] bool busy(int t, Date d) const {
    for (const auto& p : placed_) {
      if (p.d == d && (p.m.home == t || p.m.away == t)) return true;
    }
    return false;
  }

  /// A replay date for @p g at least three weeks later: first with both teams
  /// rested the day before and after, then with no three-in-three; Date{} when
  /// none.
  [[nodiscard]] Date find_makeup(const Placed& g) const {
    for (int pass = 0; pass < 2; ++pass) {
      for (Date d = g.d + 21; d < cal_.last; d = d + 1) {
        if (cal_.blackout(d)) continue;
        bool ok = true;
        for (int t : {g.m.home, g.m.away}) {
          bool before = busy(t, d - 1), after = busy(t, d + 1);
          ok = ok && !busy(t, d);
          if (pass == 0)
            ok = ok && !before && !after;
          else
            ok = ok && !(before && after) && !(before && busy(t, d - 2)) && !(after && busy(t, d + 2));
        }
        if (ok) return d;
      }
    }
    return Date{};
  }

  void push(Game g, const GameExtra& x) {
    games_.push_back(std::move(g));
    extras_.push_back(x);
  }

  /// Plays @p g out (score, tip time, overtimes) and records it. @return the
  /// winner's team index.
  int final_game(Game g, int home, int away, double base) {
    GameExtra x;
    expected_points(plan_.league, home, away, base, x.home_expected, x.away_expected);
    Rng gr(derive(seed_, 10, static_cast<uint64_t>(season_), fnv1a(g.nba_game_id)));
    x.tip_minutes_et = tip_time(gr, g.home, g.date);
    Score s = play(gr, x.home_expected, x.away_expected);
    x.overtimes = s.overtimes;
    g.home_score = s.home;
    g.away_score = s.away;
    g.status = GameStatus::kFinal;
    push(g, x);
    return s.home > s.away ? home : away;
  }

  /// A non-regular-season game numbered by @p counter. @return the winner.
  int special(GameType type, const char* prefix, int& counter, Date d, int home, int away, std::string label,
              double base) {
    Game g;
    g.nba_game_id = game_id(prefix, season_, ++counter);
    g.season = season_;
    g.date = d;
    g.home = nba_tricodes()[home];
    g.away = nba_tricodes()[away];
    g.type = type;
    g.label = std::move(label);
    return final_game(g, home, away, base);
  }

  /// The regular season, with one mid-January game postponed and replayed at
  /// least three weeks later (the replay gets the next free game number).
  void regular_season() {
    size_t ppd = placed_.size();
    Date makeup{};
    for (size_t i = 0; i < placed_.size(); ++i) {
      if (placed_[i].d < Date::from_ymd(season_ + 1, 1, 12)) continue;
      for (size_t c = i + static_cast<size_t>(r_.range(0, 10)); c < placed_.size() && c < i + 200; ++c) {
        makeup = find_makeup(placed_[c]);
        if (makeup.days() != 0) {
          ppd = c;
          break;
        }
      }
      break;
    }
    const auto& codes = nba_tricodes();
    for (size_t i = 0; i < placed_.size(); ++i) {
      const Placed& p = placed_[i];
      Game g;
      g.nba_game_id = game_id("002", season_, static_cast<int>(i) + 1);
      g.season = season_;
      g.date = p.d;
      g.home = codes[p.m.home];
      g.away = codes[p.m.away];
      g.type = GameType::kRegularSeason;
      g.is_cup = is_cup_night(p.d);
      if (g.is_cup) g.label = "Emirates NBA Cup";
      if (i == ppd) {
        Game orig = g;
        orig.status = GameStatus::kPostponed;
        GameExtra x;
        expected_points(plan_.league, p.m.home, p.m.away, 114, x.home_expected, x.away_expected);
        push(orig, x);
        g.nba_game_id = game_id("002", season_, static_cast<int>(placed_.size()) + 1);
        g.date = makeup;
        g.is_cup = false;
        g.label.clear();
      }
      ++wins_[final_game(g, p.m.home, p.m.away, 114)];
    }
  }

  /// @return true when @p a is the higher seed (record, then strength).
  [[nodiscard]] bool better(int a, int b) const {
    if (wins_[a] != wins_[b]) return wins_[a] > wins_[b];
    return plan_.league.strength[a] >= plan_.league.strength[b];
  }

  /// Best-of-seven, 2-2-1-1-1, the higher seed at home in games 1, 2, 5, 7.
  /// @return the winner and the last game's date.
  std::pair<int, Date> series(int round, int index, int high, int low, Date start) {
    static const int kOffsets[7] = {0, 2, 5, 7, 9, 11, 13};
    static const char* kRound[4] = {"First Round", "Conf. Semifinals", "Conf. Finals", "NBA Finals"};
    int w_high = 0, w_low = 0, g = 0;
    Date d = start;
    while (w_high < 4 && w_low < 4) {
      d = start + kOffsets[g];
      bool high_home = g == 0 || g == 1 || g == 4 || g == 6;
      int home = high_home ? high : low, away = high_home ? low : high;
      Game game;
      game.nba_game_id = game_id("004", season_, round * 100 + index * 10 + g + 1);
      game.season = season_;
      game.date = d;
      game.home = nba_tricodes()[home];
      game.away = nba_tricodes()[away];
      game.type = GameType::kPlayoff;
      game.label = kRound[round - 1];
      int winner = final_game(game, home, away, 110);
      (winner == high ? w_high : w_low)++;
      ++g;
    }
    return {w_high == 4 ? high : low, d};
  }

  /// Each conference's teams by record (then strength, then index).
  [[nodiscard]] std::array<std::vector<int>, 2> standings() const {
    std::array<std::vector<int>, 2> seeds;
    for (int c = 0; c < 2; ++c) {
      for (const auto& div : alignment()[c])
        for (const char* t : div) seeds[c].push_back(team_index(t));
      std::sort(seeds[c].begin(), seeds[c].end(), [&](int a, int b) {
        if (wins_[a] != wins_[b]) return wins_[a] > wins_[b];
        if (plan_.league.strength[a] != plan_.league.strength[b])
          return plan_.league.strength[a] > plan_.league.strength[b];
        return a < b;
      });
    }
    return seeds;
  }

  /// Play-in (7v8, 9v10, then the loser of 7v8 hosts the winner of 9v10) and
  /// the 16-team bracket.
  void postseason() {
    Date end = cal_.last;
    for (const Game& g : games_) end = std::max(end, g.date);
    const auto seeds = standings();
    int playin_no = 0;
    std::array<std::array<int, 8>, 2> bracket;  // seeds 1..8 per conference
    std::array<int, 2> loser78{}, winner910{};
    for (int c = 0; c < 2; ++c) {
      const auto& s = seeds[c];
      Date d1 = end + 2 + c;
      int w78 = special(GameType::kPlayIn, "005", playin_no, d1, s[6], s[7], "Play-In", 112);
      loser78[c] = w78 == s[6] ? s[7] : s[6];
      winner910[c] = special(GameType::kPlayIn, "005", playin_no, d1, s[8], s[9], "Play-In", 112);
      bracket[c] = {s[0], s[1], s[2], s[3], s[4], s[5], w78, 0};
    }
    for (int c = 0; c < 2; ++c) {
      bracket[c][7] = special(GameType::kPlayIn, "005", playin_no, end + 5, loser78[c], winner910[c], "Play-In", 112);
    }
    Date r1 = end + 7;
    std::array<int, 2> champs{};
    Date finals_start = r1;
    for (int c = 0; c < 2; ++c) {
      auto [champ, done] = conference_playoffs(c, bracket[c], r1);
      champs[c] = champ;
      finals_start = std::max(finals_start, done + 3);
    }
    if (better(champs[0], champs[1]))
      series(4, 0, champs[0], champs[1], finals_start);
    else
      series(4, 0, champs[1], champs[0], finals_start);
  }

  /// Three rounds of one conference from its seeded bracket. @return its
  /// champion and the last game's date.
  std::pair<int, Date> conference_playoffs(int c, const std::array<int, 8>& b, Date r1) {
    static const int kPairs[4][2] = {{0, 7}, {3, 4}, {2, 5}, {1, 6}};
    std::array<std::pair<int, Date>, 4> first{};
    for (int s = 0; s < 4; ++s) {
      first[s] = series(1, c * 4 + s, b[kPairs[s][0]], b[kPairs[s][1]], r1 + (s % 2) + c);
    }
    std::array<std::pair<int, Date>, 2> second{};
    for (int s = 0; s < 2; ++s) {
      const size_t i = 2 * static_cast<size_t>(s);
      int x = first[i].first, y = first[i + 1].first;
      Date start = std::max(first[i].second, first[i + 1].second) + 2;
      second[s] = better(x, y) ? series(2, c * 2 + s, x, y, start) : series(2, c * 2 + s, y, x, start);
    }
    int x = second[0].first, y = second[1].first;
    Date start = std::max(second[0].second, second[1].second) + 2;
    return better(x, y) ? series(3, c, x, y, start) : series(3, c, y, x, start);
  }

  /// Twelve preseason games in early October, then the All-Star events
  /// (Friday's Rising Stars, Sunday's game).
  void preseason_and_all_star() {
    int pre_no = 0;
    std::vector<std::pair<Date, Matchup>> pre;
    std::set<std::pair<int32_t, int>> taken;
    while (pre.size() < 12) {
      Date d = Date::from_ymd(season_, 10, 2) + r_.range(0, cal_.opener - 4 - Date::from_ymd(season_, 10, 2));
      int h = r_.range(0, kTeams - 1), a = r_.range(0, kTeams - 1);
      if (h == a || taken.count({d.days(), h}) || taken.count({d.days(), a})) continue;
      taken.insert({d.days(), h});
      taken.insert({d.days(), a});
      pre.push_back({d, {h, a}});
    }
    std::sort(pre.begin(), pre.end(), [](const auto& x, const auto& y) {
      return x.first != y.first ? x.first < y.first : x.second.home < y.second.home;
    });
    for (const auto& [d, m] : pre) {
      special(GameType::kPreseason, "001", pre_no, d, m.home, m.away, "Preseason", 110);
    }
    int host = r_.range(0, kTeams - 1), other;
    do other = r_.range(0, kTeams - 1);
    while (other == host);
    int as_no = 0;
    special(GameType::kAllStar, "003", as_no, cal_.asg - 2, host, other, "Rising Stars", 40);
    special(GameType::kAllStar, "003", as_no, cal_.asg, host, other, "All-Star Game", 85);
  }

  /// The schedule in its order (date, then id), with the extras aligned.
  SeasonPlan finish() {
    std::vector<size_t> order(games_.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (games_[a].date != games_[b].date) return games_[a].date < games_[b].date;
      return games_[a].nba_game_id < games_[b].nba_game_id;
    });
    std::vector<Game> sorted;
    sorted.reserve(games_.size());
    for (size_t i : order) {
      sorted.push_back(games_[i]);
      plan_.extras.push_back(extras_[i]);
    }
    plan_.schedule = Schedule(std::move(sorted));
    return std::move(plan_);
  }

  int season_;
  uint64_t seed_;
  SeasonPlan plan_;
  Rng r_;
  Calendar cal_;
  std::vector<Placed> placed_;
  std::vector<Game> games_;
  std::vector<GameExtra> extras_;
  std::array<int, kTeams> wins_{};
};

}  // namespace

SeasonPlan build_season(int season, uint64_t seed) { return SeasonBuilder(season, seed).build(); }

}  // namespace nbaprops::synth::detail

namespace nbaprops::synth {

Schedule generate_schedule(int season, uint64_t seed) { return detail::build_season(season, seed).schedule; }

}  // namespace nbaprops::synth
