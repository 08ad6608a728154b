// The demo league: deterministic players, rosters, mid-season trades and injury
// spells.
#include <algorithm>
#include <set>
#include <unordered_set>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/names.hpp"
#include "synth/league.hpp"

namespace nbaprops::synth::detail {
namespace {

const std::vector<std::string>& first_names() {
  static const std::vector<std::string> v = {
      "Aaron",    "Adrian",  "Alec",    "Amir",    "Andre",  "Anthony",  "Bennett", "Brandon", "Bruno",   "Caleb",
      "Cameron",  "Carlos",  "Cedric",  "Chris",   "Cole",   "Corey",    "Dalton",  "Damian",  "Dante",   "Darius",
      "Davion",   "Deandre", "Derek",   "Desmond", "Dmitri", "Dominic",  "Elijah",  "Emeka",   "Emil",    "Evan",
      "Felipe",   "Gabriel", "Garrett", "Giannis", "Grant",  "Hakim",    "Isaiah",  "Ivan",    "Jabari",  "Jalen",
      "Jamal",    "Jaylen",  "Jerome",  "Joaquín", "Jonah",  "Jordan",   "Josh",    "Julian",  "Kai",     "Keegan",
      "Kendrick", "Khalil",  "Kobe",    "Lamar",   "Landry", "Luka",     "Malik",   "Marcus",  "Mateo",   "Max",
      "Micah",    "Miles",   "Nate",    "Nikola",  "Noah",   "Omar",     "Oscar",   "Paolo",   "Quentin", "Rafael",
      "Reggie",   "Rui",     "Sasha",   "Scottie", "Seth",   "Terrence", "Theo",    "Tobias",  "Trey",    "Tyrese",
      "Victor",   "Xavier",  "Zach",    "Zion"};
  return v;
}

const std::vector<std::string>& last_names() {
  static const std::vector<std::string> v = {
      "Adams",    "Alvarez",   "Anderson",  "Bailey",      "Banks",    "Barnes", "Bell",     "Bennett",   "Bertāns",
      "Bishop",   "Blake",     "Boateng",   "Bridges",     "Brooks",   "Bryant", "Caldwell", "Carter",    "Castillo",
      "Chambers", "Clarke",    "Coleman",   "Cooper",      "Crawford", "Cruz",   "Daniels",  "Davis",     "Diallo",
      "Dixon",    "Dončić",    "Dunn",      "Edwards",     "Ellis",    "Evans",  "Fleming",  "Ford",      "Foster",
      "Franklin", "Fuller",    "Garland",   "Gibson",      "Gordon",   "Graham", "Grant",    "Greene",    "Hamilton",
      "Harper",   "Harris",    "Hayes",     "Henderson",   "Holiday",  "Howard", "Hughes",   "Ingram",    "Jackson",
      "Jenkins",  "Johnson",   "Jokić",     "Jones",       "Kamara",   "Keller", "King",     "Knox",      "Lawson",
      "Lewis",    "Lopez",     "Lyles",     "Mack",        "Marshall", "Martin", "Mason",    "McDaniels", "Mills",
      "Mitchell", "Moore",     "Morris",    "Murray",      "Nash",     "Nelson", "Nwosu",    "O'Neal",    "Okafor",
      "Owens",    "Parker",    "Patterson", "Payne",       "Perry",    "Pierce", "Porter",   "Powell",    "Price",
      "Quinn",    "Randle",    "Reed",      "Reyes",       "Richards", "Riley",  "Robinson", "Rose",      "Ross",
      "Russell",  "Sanders",   "Šarić",     "Scott",       "Simmons",  "Smart",  "Stewart",  "Sullivan",  "Thompson",
      "Torres",   "Tucker",    "Turner",    "Valančiūnas", "Vaughn",   "Walker", "Wallace",  "Warren",    "Watson",
      "White",    "Whitfield", "Williams",  "Wright",      "Young"};
  return v;
}

struct PositionBase {
  double three_rate, ft_rate, p2, p3, pft, paint, assisted, oreb, dreb, ast, stl, blk, tov, pf;
};

const PositionBase& base_of(char pos) {
  static const PositionBase g{0.45,  0.25,  0.525, 0.370, 0.83,  0.50,  0.50,
                              0.015, 0.095, 0.170, 0.035, 0.008, 0.055, 0.065};
  static const PositionBase f{0.38,  0.24,  0.545, 0.360, 0.78,  0.60,  0.62,
                              0.035, 0.140, 0.085, 0.030, 0.018, 0.045, 0.075};
  static const PositionBase c{0.12,  0.32,  0.610, 0.330, 0.70,  0.86,  0.75,
                              0.090, 0.220, 0.070, 0.025, 0.050, 0.050, 0.090};
  return pos == 'C' ? c : pos == 'F' ? f : g;
}

Player make_player(Rng& r, std::string name, char pos, int tier) {
  Player p;
  p.lookup = player_lookup(name);
  p.name = std::move(name);
  p.pos = pos;
  p.tier = tier;
  // Minutes and points per minute by tier: a star ~26 a game, starters ~14,
  // rotation ~8, bench ~4.
  switch (tier) {
    case kStar:
      p.minutes = r.uniform(33, 36.5);
      p.ppm = r.uniform(0.66, 0.82);
      break;
    case kStarter:
      p.minutes = r.uniform(27, 33);
      p.ppm = r.uniform(0.36, 0.54);
      break;
    case kRotation:
      p.minutes = r.uniform(17, 25);
      p.ppm = r.uniform(0.28, 0.44);
      break;
    case kBench:
      p.minutes = r.uniform(8, 14);
      p.ppm = r.uniform(0.25, 0.40);
      break;
    default:
      p.minutes = r.uniform(3, 8);
      p.ppm = r.uniform(0.20, 0.35);
      break;
  }
  const PositionBase& b = base_of(pos);
  auto jitter = [&](double v, double rel) { return v * std::max(0.3, 1.0 + r.normal(0, rel)); };
  p.three_rate = std::clamp(jitter(b.three_rate, 0.18), 0.0, 0.75);
  p.ft_rate = jitter(b.ft_rate + (tier == kStar ? 0.08 : 0.0), 0.15);
  p.p2 = std::clamp(b.p2 + r.normal(0, 0.025), 0.42, 0.68);
  p.p3 = std::clamp(b.p3 + r.normal(0, 0.025), 0.25, 0.45);
  p.pft = std::clamp(b.pft + r.normal(0, 0.05), 0.5, 0.95);
  p.paint_share = std::clamp(jitter(b.paint, 0.1), 0.2, 0.97);
  p.assisted_rate = std::clamp(tier == kStar ? 0.40 + r.normal(0, 0.05) : b.assisted + r.normal(0, 0.06), 0.15, 0.95);
  p.oreb = jitter(b.oreb, 0.2);
  p.dreb = jitter(b.dreb, 0.15);
  p.ast = jitter(b.ast + (tier == kStar ? 0.04 : 0.0), 0.2);
  p.stl = jitter(b.stl, 0.2);
  p.blk = jitter(b.blk, 0.25);
  p.tov = jitter(b.tov + (tier == kStar ? 0.02 : 0.0), 0.15);
  p.pf = jitter(b.pf, 0.15);
  return p;
}

const std::vector<std::string>& injury_reasons() {
  static const std::vector<std::string> v = {
      "Injury/Illness - Left Ankle; Sprain",     "Injury/Illness - Right Ankle; Sprain",
      "Injury/Illness - Left Hamstring; Strain", "Injury/Illness - Right Hamstring; Strain",
      "Injury/Illness - Low Back; Soreness",     "Injury/Illness - Left Knee; Soreness",
      "Injury/Illness - Right Knee; Tendinitis", "Injury/Illness - Illness",
      "Injury/Illness - Right Foot; Contusion",  "Injury/Illness - Left Calf; Strain",
      "Injury/Illness - Right Shoulder; Sprain", "Injury/Illness - Left Wrist; Fracture",
      "Injury/Illness - Concussion Protocol",    "Injury/Illness - Right Groin; Strain"};
  return v;
}

}  // namespace

Date nth_weekday(int year, int month, int weekday, int n) {
  Date d = Date::from_ymd(year, month, 1);
  while (d.iso_weekday() != weekday) d = d + 1;
  return d + 7 * (n - 1);
}

int team_index(const std::string& code) {
  const auto& codes = nba_tricodes();
  auto it = std::find(codes.begin(), codes.end(), code);
  return it == codes.end() ? -1 : static_cast<int>(it - codes.begin());
}

std::string season_label(int season) {
  int next = (season + 1) % 100;
  return std::to_string(season) + "-" + (next < 10 ? "0" : "") + std::to_string(next);
}

std::vector<int> League::roster_on(int team, Date d) const {
  std::vector<int> r = opening[team];
  for (const Trade& t : trades) {
    if (t.date > d) break;
    if (t.team_a == team) std::replace(r.begin(), r.end(), t.player_a, t.player_b);
    if (t.team_b == team) std::replace(r.begin(), r.end(), t.player_b, t.player_a);
  }
  std::stable_sort(r.begin(), r.end(), [&](int a, int b) {
    if (players[a].tier != players[b].tier) return players[a].tier < players[b].tier;
    return players[a].minutes > players[b].minutes;
  });
  return r;
}

const Injury* League::injury_on(int player, Date d) const {
  for (const Injury& i : injuries[player]) {
    if (i.from <= d && d <= i.to) return &i;
  }
  return nullptr;
}

namespace {

/// 1. The player pool and base rosters follow from the seed alone, so players
/// persist across seasons.
void draft_players(League& lg, uint64_t seed) {
  Rng base(derive(seed, 1));
  std::unordered_set<std::string> used;
  const auto& firsts = first_names();
  const auto& lasts = last_names();
  lg.players.reserve(static_cast<size_t>(kTeams) * kRosterSize);
  for (int t = 0; t < kTeams; ++t) {
    for (int slot = 0; slot < kRosterSize; ++slot) {
      std::string name;
      for (int attempt = 0;; ++attempt) {
        name = firsts[base.next() % firsts.size()];
        name.append(" ").append(lasts[base.next() % lasts.size()]);
        if (base.chance(0.04)) name.append(base.chance(0.7) ? " Jr." : " III");
        if (attempt > 50) name.append(" ").append(std::to_string(attempt));  // never reached with these lists
        if (used.insert(player_lookup(name)).second) break;
      }
      int tier = slot == 0 ? kStar : slot <= 4 ? kStarter : slot <= 8 ? kRotation : slot <= 12 ? kBench : kTwoWay;
      char pos;
      if (slot == 0)
        pos = "GGGGFFFCC"[base.next() % 9];
      else if (slot <= 4)
        pos = "GGFC"[slot - 1];
      else
        pos = "GGGFFFCC"[base.next() % 8];
      lg.opening[t].push_back(static_cast<int>(lg.players.size()));
      lg.players.push_back(make_player(base, std::move(name), pos, tier));
    }
  }
}

/// 2. Season form and off-season moves (same-tier swaps between teams).
void season_form(League& lg, uint64_t seed, int season) {
  Rng sr(derive(seed, 2, static_cast<uint64_t>(season)));
  for (Player& p : lg.players) {
    p.ppm *= std::clamp(std::exp(sr.normal(0, 0.05)), 0.9, 1.1);
    p.minutes = std::clamp(p.minutes * (1.0 + sr.normal(0, 0.04)), 2.0, 38.0);
  }
  for (int k = 0; k < 25; ++k) {
    int ta = sr.range(0, kTeams - 1), tb = sr.range(0, kTeams - 1);
    int slot = sr.range(1, kRosterSize - 1);
    if (ta == tb) continue;
    std::swap(lg.opening[ta][slot], lg.opening[tb][slot]);
  }
}

/// 3. Mid-season trades: 3–5 one-for-one swaps of similar players before the
/// deadline.
void midseason_trades(League& lg, uint64_t seed, int season) {
  Rng tr(derive(seed, 3, static_cast<uint64_t>(season)));
  Date first = Date::from_ymd(season, 12, 15);
  Date deadline = Date::from_ymd(season + 1, 2, 8);
  int n_trades = tr.range(3, 5);
  std::vector<Date> dates;
  dates.reserve(static_cast<size_t>(n_trades));
  for (int k = 0; k < n_trades; ++k) dates.push_back(first + tr.range(0, deadline - first));
  std::sort(dates.begin(), dates.end());
  std::array<std::vector<int>, kTeams> current = lg.opening;
  std::set<int> traded;
  for (Date d : dates) {
    Trade t;
    t.date = d;
    t.team_a = tr.range(0, kTeams - 1);
    do t.team_b = tr.range(0, kTeams - 1);
    while (t.team_b == t.team_a);
    int tier = tr.range(kStarter, kBench);
    auto pick = [&](int team) {
      std::vector<int> c;
      for (int p : current[team]) {
        if (lg.players[p].tier == tier && !traded.count(p)) c.push_back(p);
      }
      return c.empty() ? -1 : c[tr.next() % c.size()];
    };
    t.player_a = pick(t.team_a);
    t.player_b = pick(t.team_b);
    if (t.player_a < 0 || t.player_b < 0) continue;
    traded.insert(t.player_a);
    traded.insert(t.player_b);
    std::replace(current[t.team_a].begin(), current[t.team_a].end(), t.player_a, t.player_b);
    std::replace(current[t.team_b].begin(), current[t.team_b].end(), t.player_b, t.player_a);
    lg.trades.push_back(t);
  }
}

/// 4. Injury spells and star rest days.
void injury_spells(League& lg, uint64_t seed, int season) {
  Rng ir(derive(seed, 4, static_cast<uint64_t>(season)));
  Date s0 = Date::from_ymd(season, 10, 20);
  Date s1 = Date::from_ymd(season + 1, 4, 5);
  const auto& reasons = injury_reasons();
  lg.injuries.resize(lg.players.size());
  for (size_t p = 0; p < lg.players.size(); ++p) {
    int spells = ir.poisson(0.9);
    for (int k = 0; k < spells; ++k) {
      Date from = s0 + ir.range(0, s1 - s0);
      int len = std::min(60, 1 + static_cast<int>(std::exp(ir.normal(1.6, 0.9))));
      lg.injuries[p].push_back({from, from + (len - 1), reasons[ir.next() % reasons.size()]});
    }
    if (lg.players[p].tier == kStar) {
      int rests = ir.range(1, 4);
      for (int k = 0; k < rests; ++k) {
        Date d = Date::from_ymd(season, 12, 1) + ir.range(0, 120);
        lg.injuries[p].push_back({d, d, "Rest"});
      }
    }
    std::sort(lg.injuries[p].begin(), lg.injuries[p].end(),
              [](const Injury& a, const Injury& b) { return a.from < b.from; });
  }
}

/// 5. Team strength: standardised expected scoring of the top ten plus a team
/// factor.
void team_strength(League& lg, uint64_t seed, int season) {
  std::array<double, kTeams> talent{};
  for (int t = 0; t < kTeams; ++t) {
    std::vector<double> e;
    for (int p : lg.opening[t]) e.push_back(lg.players[p].ppm * lg.players[p].minutes);
    std::sort(e.rbegin(), e.rend());
    for (int k = 0; k < 10; ++k) talent[t] += e[k];
  }
  double mean = 0, var = 0;
  for (double v : talent) mean += v / kTeams;
  for (double v : talent) var += (v - mean) * (v - mean) / kTeams;
  double sd = std::sqrt(std::max(var, 1e-9));
  Rng st(derive(seed, 5, static_cast<uint64_t>(season)));
  for (int t = 0; t < kTeams; ++t) {
    lg.strength[t] = std::clamp(4.0 * (talent[t] - mean) / sd + st.normal(0, 2.5), -12.0, 12.0);
  }
}

}  // namespace

League build_league(int season, uint64_t seed) {
  if (season < 2000 || season > 2030) {
    throw ConfigError("demo season " + std::to_string(season) + " is outside 2000–2030");
  }
  League lg;
  lg.season = season;
  lg.seed = seed;
  draft_players(lg, seed);
  season_form(lg, seed, season);
  midseason_trades(lg, seed, season);
  injury_spells(lg, seed, season);
  team_strength(lg, seed, season);
  return lg;
}

}  // namespace nbaprops::synth::detail
