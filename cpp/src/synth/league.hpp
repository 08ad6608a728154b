#pragma once
// Internal to the demo generator: a portable RNG, the league (players, rosters,
// trades, injuries), the season plan (schedule + per-game extras) and the
// simulated box scores.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nbaprops/core/date.hpp"
#include "nbaprops/schedule/schedule.hpp"

namespace nbaprops::synth::detail {

/// splitmix64 step: the hash behind every derived seed.
inline uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
/// Seed derived from a parent seed and labels (order matters).
inline uint64_t derive(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0) {
  return mix(mix(mix(seed ^ 0x5DEECE66DULL) ^ a) + b * 0x9E3779B97F4A7C15ULL) ^ mix(c + 0x632BE59BD9B4E019ULL);
}

/// FNV-1a: a portable string hash for per-game seeds (std::hash is
/// implementation-defined).
inline uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

/// xoshiro256** with hand-written distributions, so the stream is identical on
/// every platform and standard library (std:: distributions are
/// implementation-defined).
class Rng {
 public:
  explicit Rng(uint64_t seed) {
    uint64_t x = seed;
    for (auto& w : s_) w = x = mix(x);
  }
  uint64_t next() {
    uint64_t result = rotl(s_[1] * 5, 7) * 9;
    uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [lo, hi].
  int range(int lo, int hi) { return lo + static_cast<int>(next() % static_cast<uint64_t>(hi - lo + 1)); }
  bool chance(double p) { return uniform() < p; }
  double normal(double mean = 0.0, double sd = 1.0) {
    double u1 = uniform();
    double u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return mean + sd * std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  int poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > 40) return std::max(0, static_cast<int>(std::lround(normal(lambda, std::sqrt(lambda)))));
    double l = std::exp(-lambda), p = 1.0;
    int k = 0;
    do {
      ++k;
      p *= uniform();
    } while (p > l);
    return k - 1;
  }
  int binomial(int n, double p) {
    int k = 0;
    for (int i = 0; i < n; ++i) k += uniform() < p ? 1 : 0;
    return k;
  }
  /// Index drawn with probability proportional to @p w (all weights ≥ 0; -1
  /// when they sum to 0).
  int weighted(const double* w, size_t n) {
    double total = 0;
    for (size_t i = 0; i < n; ++i) total += w[i];
    if (total <= 0) return -1;
    double x = uniform() * total;
    for (size_t i = 0; i < n; ++i) {
      if (x < w[i]) return static_cast<int>(i);
      x -= w[i];
    }
    for (size_t i = n; i-- > 0;) {
      if (w[i] > 0) return static_cast<int>(i);
    }
    return -1;
  }
  template <class T>
  void shuffle(std::vector<T>& v) {
    for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[next() % i]);
  }

 private:
  static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_{};
};

inline constexpr int kTeams = 30;
/// Roster slots per team.
inline constexpr int kRosterSize = 15;

/// Player tiers (roster depth).
enum Tier { kStar = 0, kStarter = 1, kRotation = 2, kBench = 3, kTwoWay = 4 };

/// A player's skills in one season.
struct Player {
  std::string name;    ///< display name ("First Last", maybe with a suffix or diacritics)
  std::string lookup;  ///< player_lookup(name), unique in the league
  char pos = 'G';      ///< G, F or C
  int tier = kRotation;
  double minutes = 20;      ///< typical minutes when healthy
  double ppm = 0.3;         ///< points per minute before the team's scoring scale
  double three_rate = 0.4;  ///< share of FGA from three
  double ft_rate = 0.25;    ///< FTA per FGA
  double p2 = 0.53, p3 = 0.36, pft = 0.78;
  double paint_share = 0.6;    ///< share of 2PA in the paint
  double assisted_rate = 0.6;  ///< share of makes assisted
  double oreb = 0.04, dreb = 0.12, ast = 0.1, stl = 0.03, blk = 0.02, tov = 0.05, pf = 0.07;  ///< per minute
};

/// A one-for-one mid-season trade.
struct Trade {
  Date date;
  int team_a = 0, team_b = 0;
  int player_a = 0,
      player_b = 0;  ///< player_a moves a → b, player_b moves b → a
};

/// An injury spell (inclusive dates) with its report reason.
struct Injury {
  Date from, to;
  std::string reason;
};

/// The league of one season.
struct League {
  int season = 0;
  uint64_t seed = 0;
  std::vector<Player> players;
  std::array<std::vector<int>, kTeams> opening;  ///< player indices per team
  std::vector<Trade> trades;                     ///< by date
  std::vector<std::vector<Injury>> injuries;     ///< per player
  std::array<double, kTeams> strength{};         ///< net rating (points per game vs average)

  /// Roster of @p team on @p d (trades dated ≤ d applied), ordered by depth
  /// (tier, then minutes).
  [[nodiscard]] std::vector<int> roster_on(int team, Date d) const;
  /// @return the injury covering @p d, or nullptr.
  [[nodiscard]] const Injury* injury_on(int player, Date d) const;
};

/// Extras of a schedule game the Game struct does not carry.
struct GameExtra {
  int overtimes = 0;
  int tip_minutes_et = 19 * 60 + 30;  ///< local ET tip time, minutes after midnight
  double home_expected = 114,
         away_expected = 114;  ///< pre-game expected points (lines)
};

/// A season: league + schedule, with extras aligned to schedule.games().
struct SeasonPlan {
  League league;
  Schedule schedule;
  std::vector<GameExtra> extras;
};

/// @return the @p n-th (1-based) @p weekday (ISO, 1 = Monday) of a month.
Date nth_weekday(int year, int month, int weekday, int n);
/// Index of a tricode in nba_tricodes() (-1 when unknown).
int team_index(const std::string& code);
/// "2023-24".
std::string season_label(int season);
/// Builds the league of @p season (players drawn from @p seed, season moves,
/// trades, injuries).
League build_league(int season, uint64_t seed);
/// Builds the whole season plan. @throws ConfigError outside 2000–2030.
SeasonPlan build_season(int season, uint64_t seed);

/// One player's line in one game.
struct PlayerLine {
  int player = 0;
  enum Status { kActive, kDnp, kInactive } status = kActive;
  std::string dnp_reason;
  int seconds = 0;
  int fgm = 0, fga = 0, tpm = 0, tpa = 0, ftm = 0, fta = 0;
  int oreb = 0, dreb = 0, ast = 0, stl = 0, blk = 0, tov = 0, pf = 0, plus_minus = 0;
  int paint_a = 0, paint_m = 0, mid_a = 0, mid_m = 0, assisted = 0;
  int blk_paint = 0, blk_mid = 0, blk_three = 0, and1 = 0;
  [[nodiscard]] int points() const { return 2 * fgm + tpm + ftm; }
};

/// An injury-report entry for one game.
struct ReportEntry {
  int player = 0;
  int team = 0;
  std::string status;  ///< out, doubtful, questionable, probable
  std::string reason;
  std::string category;  ///< injury, g_league, rest
};

/// Both teams' box scores of one counted game (side 0 = away, 1 = home).
struct GameBox {
  size_t game = 0;  ///< index into schedule.games()
  std::array<int, 2> team{};
  std::array<std::vector<PlayerLine>, 2> lines;  ///< active (starters first, by minutes), dnp, inactive
  std::vector<ReportEntry> report;
};

/// Simulates every counted game of @p plan (parallel over games, one RNG stream
/// per game).
std::vector<GameBox> simulate_boxes(const SeasonPlan& plan);

}  // namespace nbaprops::synth::detail
