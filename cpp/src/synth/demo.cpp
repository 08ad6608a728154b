// The demo league's raw tables: built in memory per season (seasons in
// parallel), then each table written once per season with one atomic
// replace_partitions over the season window.
#include "nbaprops/synth/demo.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include <tbb/task_group.h>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/teams.hpp"
#include "synth/league.hpp"

namespace nbaprops::synth {
namespace {

using detail::GameBox;
using detail::PlayerLine;
using detail::Rng;
using detail::SeasonPlan;

namespace gb_col = cols::nbac_gamebook_player_stats;
namespace pz_col = cols::player_shot_zones;
namespace tb_col = cols::nbac_team_boxscore;
namespace tz_col = cols::team_shot_zones_allowed;
namespace pp_col = cols::odds_api_player_points_props;
namespace gl_col = cols::odds_api_game_lines;
namespace ir_col = cols::nbac_injury_report;

/// A table of a catalog schema, written cell by cell by catalogue column.
class Sink {
 public:
  explicit Sink(std::string_view table) : table_(catalog::get(table)) {}
  size_t add() { return table_.add_row(); }
  // Cells by catalogue column (cols::<table>::<column>: no lookup).
  void i(size_t r, ColumnId c, int64_t v) { table_.col(c).set_int(r, v); }
  void b(size_t r, ColumnId c, bool v) { table_.col(c).set_int(r, int64_t{v ? 1 : 0}); }
  void d(size_t r, ColumnId c, Date v) { table_.col(c).set_int(r, int64_t{v.days()}); }
  void f(size_t r, ColumnId c, double v) { table_.col(c).set_real(r, v); }
  void s(size_t r, ColumnId c, const std::string& v) { table_.col(c).set_text(r, v); }
  Table& table() { return table_; }

 private:
  Table table_;
};

/// `YYYY-MM-DDTHH:MM:00Z` for @p minutes after midnight UTC of @p d (any sign
/// or size).
std::string iso_ts(Date d, int minutes) {
  int days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
  int m = minutes - days * 1440;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:00Z", (d + days).iso().c_str(), m / 60, m % 60);
  return buf;
}

/// Minutes to add to US Eastern local time to get UTC (DST: 2nd Sunday of March
/// .. 1st Sunday of Nov).
int et_to_utc(Date d) {
  int y = d.year();
  bool dst = detail::nth_weekday(y, 3, 7, 2) <= d && d < detail::nth_weekday(y, 11, 7, 1);
  return dst ? 240 : 300;
}

std::string mmss(int seconds) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", seconds / 60, seconds % 60);
  return buf;
}

double round_to(double v, double unit) { return std::round(v / unit) * unit; }

std::optional<double> pct(int made, int att) {
  if (att <= 0) return std::nullopt;
  return std::round(1000.0 * made / att) / 1000.0;
}

/// The Odds API event id of a game: 32 stable hex chars.
std::string event_id(uint64_t seed, const std::string& nba_game_id) {
  uint64_t h = detail::fnv1a(nba_game_id);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(detail::mix(h ^ seed)),
                static_cast<unsigned long long>(detail::mix(h + seed * 31 + 1)));
  return buf;
}

std::string full_name(const std::string& code) {
  const TeamInfo* t = find_team(code);
  return t ? t->city + " " + t->name : code;
}

double decimal_odds(int american) {
  double d = american < 0 ? 1.0 + 100.0 / -american : 1.0 + american / 100.0;
  return std::round(d * 100) / 100;
}

/// The raw tables of one season.
struct SeasonTables {
  int season = 0;
  std::vector<Date> window;
  int64_t games = 0;
  std::vector<std::pair<std::string, Table>> tables;
};

/// Per-game values shared by the tables of one game.
struct GameContext {
  const Game& g;
  const detail::GameExtra& x;
  std::string gid;        ///< date id
  std::string code;       ///< NBA.com game code
  std::string processed;  ///< deterministic load stamp: the next day 06:00 UTC
  int tip_utc = 0;        ///< minutes after midnight UTC of the game date
  std::string tip_ts;
  std::string event;  ///< Odds API event id
  Rng rng;
};

/// @return @p plan with only the games (and their extras) between @p teams;
/// @p plan itself when @p teams is empty.
SeasonPlan only_teams(SeasonPlan plan, const std::set<std::string>& teams) {
  if (teams.empty()) return plan;
  std::vector<Game> games;
  std::vector<detail::GameExtra> extras;
  const auto& all = plan.schedule.games();
  for (size_t i = 0; i < all.size(); ++i) {
    if (teams.count(all[i].home) && teams.count(all[i].away)) {
      games.push_back(all[i]);
      extras.push_back(plan.extras[i]);
    }
  }
  plan.schedule = Schedule(std::move(games));  // already in (date, id) order: extras stay aligned
  plan.extras = std::move(extras);
  return plan;
}

/// Builds the raw tables of one season in memory.
class SeasonBuilder {
 public:
  SeasonBuilder(int season, uint64_t seed, const std::set<std::string>& teams)
      : season_(season),
        seed_(seed),
        plan_(only_teams(detail::build_season(season, seed), teams)),
        tag_("demo://seed-" + std::to_string(seed_) + "/" + std::to_string(season)),
        hist_(plan_.league.players.size()) {}

  SeasonTables build() {
    std::vector<GameBox> boxes = detail::simulate_boxes(plan_);
    size_t lines = 0, counted = boxes.size();
    for (const GameBox& b : boxes) lines += b.lines[0].size() + b.lines[1].size();
    gb_.table().reserve(lines);
    pz_.table().reserve(lines * 3 / 4);
    tb_.table().reserve(2 * counted);
    tz_.table().reserve(2 * counted);
    pp_.table().reserve(72 * counted);
    gl_.table().reserve(16 * counted);
    ir_.table().reserve(10 * counted);
    const auto& games = plan_.schedule.games();
    for (const GameBox& box : boxes) {  // chronological: prop lines use the players' earlier games
      const Game& g = games[box.game];
      const auto& x = plan_.extras[box.game];
      int tip_utc = x.tip_minutes_et + et_to_utc(g.date);
      GameContext c{g,
                    x,
                    g.date_id(),
                    g.date.compact() + "/" + g.away + g.home,
                    iso_ts(g.date + 1, 6 * 60),
                    tip_utc,
                    iso_ts(g.date, tip_utc),
                    event_id(seed_, g.nba_game_id),
                    Rng(detail::derive(seed_, 30, static_cast<uint64_t>(season_), detail::fnv1a(g.nba_game_id)))};
      box_scores(c, box);
      props(c, box);
      game_lines(c);
      injuries(c, box);
    }
    SeasonTables out;
    out.season = season_;
    out.games = static_cast<int64_t>(games.size());
    for (Date d = Date::from_ymd(season_, 8, 1); d <= Date::from_ymd(season_ + 1, 7, 31); d = d + 1) {
      out.window.push_back(d);
    }
    out.tables.emplace_back("nba_raw.nbac_schedule", schedule());
    out.tables.emplace_back("nba_raw.nbac_gamebook_player_stats", std::move(gb_.table()));
    out.tables.emplace_back("nba_raw.nbac_team_boxscore", std::move(tb_.table()));
    out.tables.emplace_back("nba_raw.player_shot_zones", std::move(pz_.table()));
    out.tables.emplace_back("nba_raw.team_shot_zones_allowed", std::move(tz_.table()));
    out.tables.emplace_back("nba_raw.odds_api_player_points_props", std::move(pp_.table()));
    out.tables.emplace_back("nba_raw.odds_api_game_lines", std::move(gl_.table()));
    out.tables.emplace_back("nba_raw.nbac_injury_report", std::move(ir_.table()));
    return out;
  }

 private:
  static constexpr int kOpenMinutes = -6 * 60;  ///< opening snapshot: 18:00 UTC the day before

  /// Schedule rows, with the ET tip time and demo source tags.
  Table schedule() const {
    const auto& games = plan_.schedule.games();
    Table sched = plan_.schedule.to_table();
    const size_t date_est = sched.at(cols::nbac_schedule::game_date_est),
                 data_source = sched.at(cols::nbac_schedule::data_source),
                 source_file = sched.at(cols::nbac_schedule::source_file_path);
    for (size_t r = 0; r < games.size(); ++r) {
      int tip = plan_.extras[r].tip_minutes_et;
      char buf[32];
      std::snprintf(buf, sizeof buf, "%sT%02d:%02d:00", games[r].date.iso().c_str(), tip / 60, tip % 60);
      sched.set(r, date_est, std::string(buf));
      sched.set(r, data_source, "demo");
      sched.set(r, source_file, tag_ + "/schedule.json");
    }
    return sched;
  }

  /// Gamebook rows, player shot zones, team box scores and zones allowed.
  void box_scores(GameContext& c, const GameBox& box) {
    std::array<PlayerLine, 2> tot{};  // team sums
    for (int s = 0; s < 2; ++s) {
      const std::string& team = nba_tricodes()[box.team[s]];
      const std::string& opp = nba_tricodes()[box.team[1 - s]];
      for (const PlayerLine& l : box.lines[s]) {
        const auto& p = plan_.league.players[l.player];
        gamebook_row(c, l, p, team);
        if (l.status != PlayerLine::kActive) continue;
        shot_zone_row(c, l, p, team, opp);
        add_line(tot[s], l);
      }
    }
    for (int s = 0; s < 2; ++s) {
      const std::string& team = nba_tricodes()[box.team[s]];
      team_box_row(c, team, s == 1, tot[s]);
      // Zones allowed by this team = the opponent's shots.
      zones_allowed_row(c, team, nba_tricodes()[box.team[1 - s]], tot[1 - s]);
    }
  }

  /// A player's gamebook line; the box score only when he played.
  void gamebook_row(const GameContext& c, const PlayerLine& l, const detail::Player& p, const std::string& team) {
    const Game& g = c.g;
    size_t row = gb_.add();
    gb_.s(row, gb_col::game_id, c.gid);
    gb_.s(row, gb_col::game_code, c.code);
    gb_.d(row, gb_col::game_date, g.date);
    gb_.i(row, gb_col::season_year, season_);
    gb_.s(row, gb_col::home_team_abbr, g.home);
    gb_.s(row, gb_col::away_team_abbr, g.away);
    gb_.s(row, gb_col::player_name, p.name);
    gb_.s(row, gb_col::player_name_original, p.name);
    gb_.s(row, gb_col::player_lookup, p.lookup);
    gb_.s(row, gb_col::team_abbr, team);
    gb_.s(row, gb_col::player_status,
          l.status == PlayerLine::kActive ? "active"
          : l.status == PlayerLine::kDnp  ? "dnp"
                                          : "inactive");
    if (!l.dnp_reason.empty()) gb_.s(row, gb_col::dnp_reason, l.dnp_reason);
    gb_.s(row, gb_col::name_resolution_status, "original");
    gb_.f(row, gb_col::name_resolution_confidence, 1.0);
    gb_.s(row, gb_col::name_resolution_method, "exact");
    gb_.s(row, gb_col::source_file_path, tag_ + "/gamebook/" + c.code + ".json");
    gb_.s(row, gb_col::processed_by_run_id, "demo-" + std::to_string(seed_));
    gb_.s(row, gb_col::processed_at, c.processed);
    gb_.s(row, gb_col::data_quality_flags, "[]");
    gb_.b(row, gb_col::requires_manual_review, false);
    if (l.status != PlayerLine::kActive) return;
    gb_.s(row, gb_col::minutes, mmss(l.seconds));
    gb_.f(row, gb_col::minutes_decimal, std::round(l.seconds / 60.0 * 100) / 100);
    gb_.i(row, gb_col::points, l.points());
    gb_.i(row, gb_col::field_goals_made, l.fgm);
    gb_.i(row, gb_col::field_goals_attempted, l.fga);
    gb_.i(row, gb_col::three_pointers_made, l.tpm);
    gb_.i(row, gb_col::three_pointers_attempted, l.tpa);
    gb_.i(row, gb_col::free_throws_made, l.ftm);
    gb_.i(row, gb_col::free_throws_attempted, l.fta);
    if (auto v = pct(l.fgm, l.fga)) gb_.f(row, gb_col::field_goal_percentage, *v);
    if (auto v = pct(l.tpm, l.tpa)) gb_.f(row, gb_col::three_point_percentage, *v);
    if (auto v = pct(l.ftm, l.fta)) gb_.f(row, gb_col::free_throw_percentage, *v);
    gb_.i(row, gb_col::offensive_rebounds, l.oreb);
    gb_.i(row, gb_col::defensive_rebounds, l.dreb);
    gb_.i(row, gb_col::total_rebounds, l.oreb + l.dreb);
    gb_.i(row, gb_col::assists, l.ast);
    gb_.i(row, gb_col::steals, l.stl);
    gb_.i(row, gb_col::blocks, l.blk);
    gb_.i(row, gb_col::turnovers, l.tov);
    gb_.i(row, gb_col::personal_fouls, l.pf);
    gb_.i(row, gb_col::plus_minus, l.plus_minus);
  }

  /// An active player's shots by zone.
  void shot_zone_row(const GameContext& c, const PlayerLine& l, const detail::Player& p, const std::string& team,
                     const std::string& opp) {
    size_t z = pz_.add();
    pz_.s(z, pz_col::game_id, c.gid);
    pz_.s(z, pz_col::nba_game_id, c.g.nba_game_id);
    pz_.d(z, pz_col::game_date, c.g.date);
    pz_.i(z, pz_col::season_year, season_);
    pz_.s(z, pz_col::player_lookup, p.lookup);
    pz_.s(z, pz_col::player_name, p.name);
    pz_.s(z, pz_col::team_abbr, team);
    pz_.s(z, pz_col::opponent_team_abbr, opp);
    pz_.i(z, pz_col::paint_attempts, l.paint_a);
    pz_.i(z, pz_col::paint_makes, l.paint_m);
    pz_.i(z, pz_col::mid_range_attempts, l.mid_a);
    pz_.i(z, pz_col::mid_range_makes, l.mid_m);
    pz_.i(z, pz_col::three_pt_attempts, l.tpa);
    pz_.i(z, pz_col::three_pt_makes, l.tpm);
    pz_.i(z, pz_col::assisted_makes, l.assisted);
    pz_.i(z, pz_col::unassisted_makes, l.fgm - l.assisted);
    pz_.i(z, pz_col::blocks_paint, l.blk_paint);
    pz_.i(z, pz_col::blocks_mid_range, l.blk_mid);
    pz_.i(z, pz_col::blocks_three_pt, l.blk_three);
    pz_.i(z, pz_col::and1_count, l.and1);
    pz_.s(z, pz_col::data_source, "demo");
    pz_.s(z, pz_col::processed_at, c.processed);
  }

  /// Adds a player's line to his team's sums.
  static void add_line(PlayerLine& t, const PlayerLine& l) {
    t.fgm += l.fgm, t.fga += l.fga, t.tpm += l.tpm, t.tpa += l.tpa, t.ftm += l.ftm, t.fta += l.fta;
    t.oreb += l.oreb, t.dreb += l.dreb, t.ast += l.ast, t.stl += l.stl, t.blk += l.blk, t.tov += l.tov;
    t.pf += l.pf, t.plus_minus += l.plus_minus;
    t.paint_a += l.paint_a, t.paint_m += l.paint_m, t.mid_a += l.mid_a, t.mid_m += l.mid_m;
  }

  /// A team's box score from its players' sums @p t.
  void team_box_row(const GameContext& c, const std::string& team, bool home, const PlayerLine& t) {
    const Game& g = c.g;
    const TeamInfo* info = find_team(team);
    size_t row = tb_.add();
    tb_.s(row, tb_col::game_id, c.gid);
    tb_.s(row, tb_col::nba_game_id, g.nba_game_id);
    tb_.d(row, tb_col::game_date, g.date);
    tb_.i(row, tb_col::season_year, season_);
    tb_.i(row, tb_col::team_id, info ? info->nba_team_id : 0);
    tb_.s(row, tb_col::team_abbr, team);
    if (info) {
      tb_.s(row, tb_col::team_name, info->name);
      tb_.s(row, tb_col::team_city, info->city);
    }
    tb_.b(row, tb_col::is_home, home);
    tb_.s(row, tb_col::minutes, std::to_string(240 + 25 * c.x.overtimes) + ":00");
    tb_.i(row, tb_col::fg_made, t.fgm);
    tb_.i(row, tb_col::fg_attempted, t.fga);
    if (auto v = pct(t.fgm, t.fga)) tb_.f(row, tb_col::fg_percentage, *v);
    tb_.i(row, tb_col::three_pt_made, t.tpm);
    tb_.i(row, tb_col::three_pt_attempted, t.tpa);
    if (auto v = pct(t.tpm, t.tpa)) tb_.f(row, tb_col::three_pt_percentage, *v);
    tb_.i(row, tb_col::ft_made, t.ftm);
    tb_.i(row, tb_col::ft_attempted, t.fta);
    if (auto v = pct(t.ftm, t.fta)) tb_.f(row, tb_col::ft_percentage, *v);
    tb_.i(row, tb_col::offensive_rebounds, t.oreb);
    tb_.i(row, tb_col::defensive_rebounds, t.dreb);
    tb_.i(row, tb_col::total_rebounds, t.oreb + t.dreb);
    tb_.i(row, tb_col::assists, t.ast);
    tb_.i(row, tb_col::steals, t.stl);
    tb_.i(row, tb_col::blocks, t.blk);
    tb_.i(row, tb_col::turnovers, t.tov);
    tb_.i(row, tb_col::personal_fouls, t.pf);
    tb_.i(row, tb_col::points, t.points());
    tb_.i(row, tb_col::plus_minus, t.plus_minus / 5);
    tb_.s(row, tb_col::source_file_path, tag_ + "/team-boxscore/" + c.code + ".json");
    tb_.s(row, tb_col::created_at, c.processed);
    tb_.s(row, tb_col::processed_at, c.processed);
  }

  /// The zones @p team allowed: the sums @p o of @p offense's shots.
  void zones_allowed_row(const GameContext& c, const std::string& team, const std::string& offense,
                         const PlayerLine& o) {
    size_t z = tz_.add();
    tz_.s(z, tz_col::game_id, c.gid);
    tz_.d(z, tz_col::game_date, c.g.date);
    tz_.i(z, tz_col::season_year, season_);
    tz_.s(z, tz_col::defending_team_abbr, team);
    tz_.s(z, tz_col::offense_team_abbr, offense);
    tz_.i(z, tz_col::paint_attempts_allowed, o.paint_a);
    tz_.i(z, tz_col::paint_makes_allowed, o.paint_m);
    tz_.i(z, tz_col::mid_range_attempts_allowed, o.mid_a);
    tz_.i(z, tz_col::mid_range_makes_allowed, o.mid_m);
    tz_.i(z, tz_col::three_pt_attempts_allowed, o.tpa);
    tz_.i(z, tz_col::three_pt_makes_allowed, o.tpm);
    tz_.s(z, tz_col::data_source, "demo");
    tz_.s(z, tz_col::processed_at, c.processed);
  }

  /// Prop lines: players with regular minutes who are available, near their
  /// recent average (last ten games strictly before this one; talent prior
  /// early on). Opening the day before, closing an hour before tip.
  void props(GameContext& c, const GameBox& box) {
    const Game& g = c.g;
    auto& r = c.rng;
    const int open_min = kOpenMinutes;
    const int close_min = c.tip_utc - 60;
    static const int kPrices[][2] = {{-110, -110}, {-115, -105}, {-105, -115}, {-120, 100}, {100, -120}, {-112, -108}};
    for (int s = 0; s < 2; ++s) {
      for (const PlayerLine& l : box.lines[s]) {
        if (l.status == PlayerLine::kInactive) continue;
        const auto& p = plan_.league.players[l.player];
        const History& h = hist_[l.player];
        size_t n = std::min<size_t>(10, h.points.size());
        double pts = 0, secs = 0;
        for (size_t k = h.points.size() - n; k < h.points.size(); ++k) pts += h.points[k], secs += h.seconds[k];
        bool regular = n >= 3 ? secs / n >= 15 * 60 : p.tier <= detail::kRotation;
        if (!regular) continue;
        double avg = n >= 3 ? pts / n : (pts + p.ppm * p.minutes * (3 - n)) / 3.0;
        double base = std::floor(avg) + 0.5;
        for (int book = 0; book < 2; ++book) {
          double line = base;
          if (book == 1 && r.chance(0.25)) line = std::max(0.5, line + (r.chance(0.5) ? 1 : -1));
          for (int snap = 0; snap < 2; ++snap) {
            if (snap == 1 && r.chance(0.2)) line = std::max(0.5, line + (r.chance(0.5) ? 1 : -1));
            const int at = snap == 0 ? open_min : close_min;
            const auto& pr = kPrices[r.next() % 6];
            size_t row = pp_.add();
            pp_.s(row, pp_col::game_id, c.gid);
            pp_.s(row, pp_col::odds_api_event_id, c.event);
            pp_.d(row, pp_col::game_date, g.date);
            pp_.s(row, pp_col::game_start_time, c.tip_ts);
            pp_.s(row, pp_col::home_team_abbr, g.home);
            pp_.s(row, pp_col::away_team_abbr, g.away);
            std::string snap_ts = iso_ts(g.date, at);
            pp_.s(row, pp_col::snapshot_timestamp, snap_ts);
            pp_.s(row, pp_col::snapshot_tag, "snap-" + snap_ts.substr(11, 2) + snap_ts.substr(14, 2));
            pp_.s(row, pp_col::capture_timestamp, snap_ts);
            pp_.i(row, pp_col::minutes_before_tipoff, c.tip_utc - at);
            pp_.s(row, pp_col::bookmaker, book == 0 ? "draftkings" : "fanduel");
            pp_.s(row, pp_col::player_name, p.name);
            pp_.s(row, pp_col::player_lookup, p.lookup);
            pp_.f(row, pp_col::points_line, line);
            pp_.f(row, pp_col::over_price, decimal_odds(pr[0]));
            pp_.i(row, pp_col::over_price_american, pr[0]);
            pp_.f(row, pp_col::under_price, decimal_odds(pr[1]));
            pp_.i(row, pp_col::under_price_american, pr[1]);
            pp_.s(row, pp_col::bookmaker_last_update, iso_ts(g.date, at - 3));
            pp_.s(row, pp_col::source_file_path, tag_ + "/odds-api/player-props/" + c.event + "/" + snap_ts + ".json");
            pp_.s(row, pp_col::data_source, "historical");
            pp_.s(row, pp_col::processed_at, c.processed);
          }
        }
      }
    }
    for (int s = 0; s < 2; ++s) {
      for (const PlayerLine& l : box.lines[s]) {
        if (l.status != PlayerLine::kActive) continue;
        hist_[l.player].points.push_back(l.points());
        hist_[l.player].seconds.push_back(l.seconds);
      }
    }
  }

  /// Game lines: spreads and totals from the pre-game expectations, two books,
  /// two snapshots.
  void game_lines(GameContext& c) {
    const Game& g = c.g;
    const auto& x = c.x;
    auto& r = c.rng;
    const int open_min = kOpenMinutes;
    const int close_min = c.tip_utc - 60;
    double margin = x.home_expected - x.away_expected + r.normal(0, 1.5);
    double spread = round_to(margin, 0.5);
    if (spread == 0) spread = margin >= 0 ? 0.5 : -0.5;
    double total = round_to(x.home_expected + x.away_expected + r.normal(0, 3), 0.5);
    const std::string home_full = full_name(g.home), away_full = full_name(g.away);
    for (int book = 0; book < 2; ++book) {
      double sp = spread, to = total;
      if (book == 1 && r.chance(0.3)) sp += r.chance(0.5) ? 0.5 : -0.5;
      if (book == 1 && r.chance(0.3)) to += r.chance(0.5) ? 0.5 : -0.5;
      for (int snap = 0; snap < 2; ++snap) {
        if (snap == 1 && r.chance(0.3)) sp += r.chance(0.5) ? 0.5 : -0.5;
        if (snap == 1 && r.chance(0.3)) to += r.chance(0.5) ? 1.0 : -1.0;
        if (sp == 0) sp = 0.5;
        const int at = snap == 0 ? open_min : close_min;
        const std::string snap_ts = iso_ts(g.date, at);
        struct Outcome {
          const char* market;
          std::string name;
          double point;
        };
        const Outcome outcomes[4] = {
            {"spreads", home_full, -sp}, {"spreads", away_full, sp}, {"totals", "Over", to}, {"totals", "Under", to}};
        for (const Outcome& oc : outcomes) {
          size_t row = gl_.add();
          gl_.s(row, gl_col::snapshot_timestamp, snap_ts);
          if (snap == 1) gl_.s(row, gl_col::previous_snapshot_timestamp, iso_ts(g.date, open_min));
          if (snap == 0) gl_.s(row, gl_col::next_snapshot_timestamp, iso_ts(g.date, close_min));
          gl_.s(row, gl_col::game_id, c.event);
          gl_.s(row, gl_col::sport_key, "basketball_nba");
          gl_.s(row, gl_col::sport_title, "NBA");
          gl_.s(row, gl_col::commence_time, c.tip_ts);
          gl_.d(row, gl_col::game_date, g.date);
          gl_.s(row, gl_col::home_team, home_full);
          gl_.s(row, gl_col::away_team, away_full);
          gl_.s(row, gl_col::home_team_abbr, g.home);
          gl_.s(row, gl_col::away_team_abbr, g.away);
          gl_.s(row, gl_col::bookmaker_key, book == 0 ? "draftkings" : "fanduel");
          gl_.s(row, gl_col::bookmaker_title, book == 0 ? "DraftKings" : "FanDuel");
          gl_.s(row, gl_col::bookmaker_last_update, iso_ts(g.date, at - 2));
          gl_.s(row, gl_col::market_key, oc.market);
          gl_.s(row, gl_col::market_last_update, iso_ts(g.date, at - 2));
          gl_.s(row, gl_col::outcome_name, oc.name);
          gl_.f(row, gl_col::outcome_price, r.chance(0.7) ? 1.91 : r.chance(0.5) ? 1.87 : 1.95);
          gl_.f(row, gl_col::outcome_point, oc.point);
          gl_.s(row, gl_col::source_file_path, tag_ + "/odds-api/game-lines/" + c.event + "/" + snap_ts + ".json");
          gl_.s(row, gl_col::data_source, "historical");
          gl_.s(row, gl_col::created_at, c.processed);
          gl_.s(row, gl_col::processed_at, c.processed);
        }
      }
    }
  }

  /// The injury report of the game's day (17:00 ET issue).
  void injuries(GameContext& c, const GameBox& box) {
    const Game& g = c.g;
    const auto& x = c.x;
    for (const auto& e : box.report) {
      const auto& p = plan_.league.players[e.player];
      size_t row = ir_.add();
      ir_.d(row, ir_col::report_date, g.date);
      ir_.i(row, ir_col::report_hour, 17);
      ir_.s(row, ir_col::season, detail::season_label(season_));
      ir_.d(row, ir_col::game_date, g.date);
      char tbuf[16];
      int h12 = (x.tip_minutes_et / 60 + 11) % 12 + 1;
      std::snprintf(tbuf, sizeof tbuf, "%02d:%02d %s ET", h12, x.tip_minutes_et % 60,
                    x.tip_minutes_et >= 720 ? "PM" : "AM");
      ir_.s(row, ir_col::game_time, tbuf);
      ir_.s(row, ir_col::game_id, c.gid);
      ir_.s(row, ir_col::matchup, g.away + "@" + g.home);
      ir_.s(row, ir_col::away_team, g.away);
      ir_.s(row, ir_col::home_team, g.home);
      ir_.s(row, ir_col::team, nba_tricodes()[e.team]);
      size_t sp = p.name.find(' ');
      ir_.s(row, ir_col::player_name_original, p.name.substr(sp + 1) + ", " + p.name.substr(0, sp));
      ir_.s(row, ir_col::player_full_name, p.name);
      ir_.s(row, ir_col::player_lookup, p.lookup);
      ir_.s(row, ir_col::injury_status, e.status);
      ir_.s(row, ir_col::reason, e.reason);
      ir_.s(row, ir_col::reason_category, e.category);
      ir_.f(row, ir_col::confidence_score, 1.0);
      ir_.f(row, ir_col::overall_report_confidence, 1.0);
      ir_.s(row, ir_col::scrape_time, iso_ts(g.date, 17 * 60 + 15 + et_to_utc(g.date)));
      ir_.s(row, ir_col::run_id, "demo-" + std::to_string(seed_) + "-" + g.date.compact());
      ir_.s(row, ir_col::source_file_path, tag_ + "/injury-report/" + g.date.iso() + "_17.pdf");
      ir_.s(row, ir_col::processed_at, c.processed);
    }
  }

  int season_;
  uint64_t seed_;
  SeasonPlan plan_;
  std::string tag_;
  struct History {
    std::vector<int> points, seconds;
  };
  std::vector<History> hist_;
  Sink gb_{"nba_raw.nbac_gamebook_player_stats"};
  Sink tb_{"nba_raw.nbac_team_boxscore"};
  Sink pz_{"nba_raw.player_shot_zones"};
  Sink tz_{"nba_raw.team_shot_zones_allowed"};
  Sink pp_{"nba_raw.odds_api_player_points_props"};
  Sink gl_{"nba_raw.odds_api_game_lines"};
  Sink ir_{"nba_raw.nbac_injury_report"};
};

SeasonTables build_tables(int season, uint64_t seed, const std::set<std::string>& teams) {
  return SeasonBuilder(season, seed, teams).build();
}

}  // namespace

DemoSummary generate_demo(Warehouse& wh, const DemoOptions& opt) {
  if (opt.seasons.empty()) throw ConfigError("demo: no seasons requested");
  std::vector<int> seasons = opt.seasons;
  std::sort(seasons.begin(), seasons.end());
  seasons.erase(std::unique(seasons.begin(), seasons.end()), seasons.end());
  for (int s : seasons) {
    if (s < 2000 || s > 2030) throw ConfigError("demo season " + std::to_string(s) + " is outside 2000–2030");
  }
  const std::set<std::string> teams(opt.teams.begin(), opt.teams.end());
  for (const auto& t : teams) {
    if (!is_nba_tricode(t)) throw ConfigError("demo teams: '" + t + "' is not an NBA tricode");
  }
  if (teams.size() == 1)
    throw ConfigError("demo teams: a league needs at least two teams (got " + *teams.begin() + ")");
  // Pipeline: season i+1 is built (itself parallel over games) while season i
  // is written, so at most two seasons are held in memory.
  DemoSummary sum;
  sum.seasons = seasons;
  SeasonTables current = build_tables(seasons[0], opt.seed, teams);
  for (size_t i = 0; i < seasons.size(); ++i) {
    SeasonTables next;
    tbb::task_group tg;
    if (i + 1 < seasons.size()) tg.run([&] { next = build_tables(seasons[i + 1], opt.seed, teams); });
    try {
      sum.games += current.games;
      for (auto& [name, table] : current.tables) {
        wh.replace_partitions(catalog::get(name), current.window, table);
        sum.rows[name] += static_cast<int64_t>(table.num_rows());
      }
    } catch (...) {
      tg.wait();
      throw;
    }
    tg.wait();
    current = std::move(next);
  }
  return sum;
}

}  // namespace nbaprops::synth
