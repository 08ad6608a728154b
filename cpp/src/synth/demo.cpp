// The demo league's raw tables: built in memory per season (seasons in parallel), then each table
// written once per season with one atomic replace_partitions over the season window.
#include "nbaprops/synth/demo.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <unordered_map>

#include <tbb/task_group.h>

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

/// A table of a catalog schema with its column positions resolved once.
class Sink {
 public:
  explicit Sink(std::string_view table) : table_(catalog::get(table)) {
    const auto& names = table_.column_names();
    for (size_t i = 0; i < names.size(); ++i) idx_.emplace(names[i], i);
  }
  size_t add() { return table_.add_row(); }
  void i(size_t r, std::string_view c, int64_t v) { col(c).set_int(r, v); }
  void b(size_t r, std::string_view c, bool v) { col(c).set_int(r, int64_t{v ? 1 : 0}); }
  void d(size_t r, std::string_view c, Date v) { col(c).set_int(r, int64_t{v.days()}); }
  void f(size_t r, std::string_view c, double v) { col(c).set_real(r, v); }
  void s(size_t r, std::string_view c, std::string v) { col(c).set_text(r, std::move(v)); }
  Table& table() { return table_; }

 private:
  Column& col(std::string_view c) {
    auto it = idx_.find(c);
    if (it == idx_.end()) throw ConfigError("demo: column " + std::string(c) + " not in " + table_.schema().name);
    return table_.col(it->second);
  }
  Table table_;
  std::unordered_map<std::string_view, size_t> idx_;
};

/// `YYYY-MM-DDTHH:MM:00Z` for @p minutes after midnight UTC of @p d (any sign or size).
std::string iso_ts(Date d, int minutes) {
  int days = minutes >= 0 ? minutes / 1440 : -((-minutes + 1439) / 1440);
  int m = minutes - days * 1440;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%sT%02d:%02d:00Z", (d + days).iso().c_str(), m / 60, m % 60);
  return buf;
}

/// Minutes to add to US Eastern local time to get UTC (DST: 2nd Sunday of March .. 1st Sunday of Nov).
int et_to_utc(Date d) {
  int y = d.year();
  bool dst = detail::nth_weekday(y, 3, 7, 2) <= d && d < detail::nth_weekday(y, 11, 7, 1);
  return dst ? 240 : 300;
}

std::string mmss(int seconds) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%d:%02d", seconds / 60, seconds % 60);
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

SeasonTables build_tables(int season, uint64_t seed) {
  SeasonPlan plan = detail::build_season(season, seed);
  std::vector<GameBox> boxes = detail::simulate_boxes(plan);
  const auto& lg = plan.league;
  const auto& games = plan.schedule.games();
  const auto& codes = nba_tricodes();
  SeasonTables out;
  out.season = season;
  out.games = static_cast<int64_t>(games.size());
  for (Date d = Date::from_ymd(season, 8, 1); d <= Date::from_ymd(season + 1, 7, 31); d = d + 1) out.window.push_back(d);
  const std::string tag = "demo://seed-" + std::to_string(seed) + "/" + std::to_string(season);

  // 1. Schedule.
  Table sched = plan.schedule.to_table();
  for (size_t r = 0; r < games.size(); ++r) {
    int tip = plan.extras[r].tip_minutes_et;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%sT%02d:%02d:00", games[r].date.iso().c_str(), tip / 60, tip % 60);
    sched.set(r, "game_date_est", std::string(buf));
    sched.set(r, "data_source", "demo");
    sched.set(r, "source_file_path", tag + "/schedule.json");
  }

  Sink gb("nba_raw.nbac_gamebook_player_stats");
  Sink tb("nba_raw.nbac_team_boxscore");
  Sink pz("nba_raw.player_shot_zones");
  Sink tz("nba_raw.team_shot_zones_allowed");
  Sink pp("nba_raw.odds_api_player_points_props");
  Sink gl("nba_raw.odds_api_game_lines");
  Sink ir("nba_raw.nbac_injury_report");

  {
    size_t lines = 0, counted = boxes.size();
    for (const GameBox& b : boxes) lines += b.lines[0].size() + b.lines[1].size();
    gb.table().reserve(lines);
    pz.table().reserve(lines * 3 / 4);
    tb.table().reserve(2 * counted);
    tz.table().reserve(2 * counted);
    pp.table().reserve(72 * counted);
    gl.table().reserve(16 * counted);
    ir.table().reserve(10 * counted);
  }
  struct History {
    std::vector<int> points, seconds;
  };
  std::vector<History> hist(lg.players.size());

  for (const GameBox& box : boxes) {
    const Game& g = games[box.game];
    const auto& x = plan.extras[box.game];
    const std::string gid = g.date_id();
    const std::string code = g.date.compact() + "/" + g.away + g.home;
    const std::string processed = iso_ts(g.date + 1, 6 * 60);
    const int tip_utc = x.tip_minutes_et + et_to_utc(g.date);
    const std::string tip_ts = iso_ts(g.date, tip_utc);
    const std::string event = event_id(seed, g.nba_game_id);
    const int ot = x.overtimes;
    Rng r(detail::derive(seed, 30, static_cast<uint64_t>(season), detail::fnv1a(g.nba_game_id)));

    std::array<PlayerLine, 2> tot{};  // team sums
    for (int s = 0; s < 2; ++s) {
      const std::string& team = codes[box.team[s]];
      const std::string& opp = codes[box.team[1 - s]];
      for (const PlayerLine& l : box.lines[s]) {
        const auto& p = lg.players[l.player];
        size_t row = gb.add();
        gb.s(row, "game_id", gid);
        gb.s(row, "game_code", code);
        gb.d(row, "game_date", g.date);
        gb.i(row, "season_year", season);
        gb.s(row, "home_team_abbr", g.home);
        gb.s(row, "away_team_abbr", g.away);
        gb.s(row, "player_name", p.name);
        gb.s(row, "player_name_original", p.name);
        gb.s(row, "player_lookup", p.lookup);
        gb.s(row, "team_abbr", team);
        gb.s(row, "player_status", l.status == PlayerLine::kActive ? "active" : l.status == PlayerLine::kDnp ? "dnp" : "inactive");
        if (!l.dnp_reason.empty()) gb.s(row, "dnp_reason", l.dnp_reason);
        gb.s(row, "name_resolution_status", "original");
        gb.f(row, "name_resolution_confidence", 1.0);
        gb.s(row, "name_resolution_method", "exact");
        gb.s(row, "source_file_path", tag + "/gamebook/" + code + ".json");
        gb.s(row, "processed_by_run_id", "demo-" + std::to_string(seed));
        gb.s(row, "processed_at", processed);
        gb.s(row, "data_quality_flags", "[]");
        gb.b(row, "requires_manual_review", false);
        if (l.status != PlayerLine::kActive) continue;
        gb.s(row, "minutes", mmss(l.seconds));
        gb.f(row, "minutes_decimal", std::round(l.seconds / 60.0 * 100) / 100);
        gb.i(row, "points", l.points());
        gb.i(row, "field_goals_made", l.fgm);
        gb.i(row, "field_goals_attempted", l.fga);
        gb.i(row, "three_pointers_made", l.tpm);
        gb.i(row, "three_pointers_attempted", l.tpa);
        gb.i(row, "free_throws_made", l.ftm);
        gb.i(row, "free_throws_attempted", l.fta);
        if (auto v = pct(l.fgm, l.fga)) gb.f(row, "field_goal_percentage", *v);
        if (auto v = pct(l.tpm, l.tpa)) gb.f(row, "three_point_percentage", *v);
        if (auto v = pct(l.ftm, l.fta)) gb.f(row, "free_throw_percentage", *v);
        gb.i(row, "offensive_rebounds", l.oreb);
        gb.i(row, "defensive_rebounds", l.dreb);
        gb.i(row, "total_rebounds", l.oreb + l.dreb);
        gb.i(row, "assists", l.ast);
        gb.i(row, "steals", l.stl);
        gb.i(row, "blocks", l.blk);
        gb.i(row, "turnovers", l.tov);
        gb.i(row, "personal_fouls", l.pf);
        gb.i(row, "plus_minus", l.plus_minus);

        size_t z = pz.add();
        pz.s(z, "game_id", gid);
        pz.s(z, "nba_game_id", g.nba_game_id);
        pz.d(z, "game_date", g.date);
        pz.i(z, "season_year", season);
        pz.s(z, "player_lookup", p.lookup);
        pz.s(z, "player_name", p.name);
        pz.s(z, "team_abbr", team);
        pz.s(z, "opponent_team_abbr", opp);
        pz.i(z, "paint_attempts", l.paint_a);
        pz.i(z, "paint_makes", l.paint_m);
        pz.i(z, "mid_range_attempts", l.mid_a);
        pz.i(z, "mid_range_makes", l.mid_m);
        pz.i(z, "three_pt_attempts", l.tpa);
        pz.i(z, "three_pt_makes", l.tpm);
        pz.i(z, "assisted_makes", l.assisted);
        pz.i(z, "unassisted_makes", l.fgm - l.assisted);
        pz.i(z, "blocks_paint", l.blk_paint);
        pz.i(z, "blocks_mid_range", l.blk_mid);
        pz.i(z, "blocks_three_pt", l.blk_three);
        pz.i(z, "and1_count", l.and1);
        pz.s(z, "data_source", "demo");
        pz.s(z, "processed_at", processed);

        PlayerLine& t = tot[s];
        t.fgm += l.fgm, t.fga += l.fga, t.tpm += l.tpm, t.tpa += l.tpa, t.ftm += l.ftm, t.fta += l.fta;
        t.oreb += l.oreb, t.dreb += l.dreb, t.ast += l.ast, t.stl += l.stl, t.blk += l.blk, t.tov += l.tov;
        t.pf += l.pf, t.plus_minus += l.plus_minus;
        t.paint_a += l.paint_a, t.paint_m += l.paint_m, t.mid_a += l.mid_a, t.mid_m += l.mid_m;
      }
    }
    for (int s = 0; s < 2; ++s) {
      const std::string& team = codes[box.team[s]];
      const TeamInfo* info = find_team(team);
      const PlayerLine& t = tot[s];
      size_t row = tb.add();
      tb.s(row, "game_id", gid);
      tb.s(row, "nba_game_id", g.nba_game_id);
      tb.d(row, "game_date", g.date);
      tb.i(row, "season_year", season);
      tb.i(row, "team_id", info ? info->nba_team_id : 0);
      tb.s(row, "team_abbr", team);
      if (info) {
        tb.s(row, "team_name", info->name);
        tb.s(row, "team_city", info->city);
      }
      tb.b(row, "is_home", s == 1);
      tb.s(row, "minutes", std::to_string(240 + 25 * ot) + ":00");
      tb.i(row, "fg_made", t.fgm);
      tb.i(row, "fg_attempted", t.fga);
      if (auto v = pct(t.fgm, t.fga)) tb.f(row, "fg_percentage", *v);
      tb.i(row, "three_pt_made", t.tpm);
      tb.i(row, "three_pt_attempted", t.tpa);
      if (auto v = pct(t.tpm, t.tpa)) tb.f(row, "three_pt_percentage", *v);
      tb.i(row, "ft_made", t.ftm);
      tb.i(row, "ft_attempted", t.fta);
      if (auto v = pct(t.ftm, t.fta)) tb.f(row, "ft_percentage", *v);
      tb.i(row, "offensive_rebounds", t.oreb);
      tb.i(row, "defensive_rebounds", t.dreb);
      tb.i(row, "total_rebounds", t.oreb + t.dreb);
      tb.i(row, "assists", t.ast);
      tb.i(row, "steals", t.stl);
      tb.i(row, "blocks", t.blk);
      tb.i(row, "turnovers", t.tov);
      tb.i(row, "personal_fouls", t.pf);
      tb.i(row, "points", t.points());
      tb.i(row, "plus_minus", t.plus_minus / 5);
      tb.s(row, "source_file_path", tag + "/team-boxscore/" + code + ".json");
      tb.s(row, "created_at", processed);
      tb.s(row, "processed_at", processed);

      // Zones allowed by this team = the opponent's shots.
      const PlayerLine& o = tot[1 - s];
      size_t z = tz.add();
      tz.s(z, "game_id", gid);
      tz.d(z, "game_date", g.date);
      tz.i(z, "season_year", season);
      tz.s(z, "defending_team_abbr", team);
      tz.s(z, "offense_team_abbr", codes[box.team[1 - s]]);
      tz.i(z, "paint_attempts_allowed", o.paint_a);
      tz.i(z, "paint_makes_allowed", o.paint_m);
      tz.i(z, "mid_range_attempts_allowed", o.mid_a);
      tz.i(z, "mid_range_makes_allowed", o.mid_m);
      tz.i(z, "three_pt_attempts_allowed", o.tpa);
      tz.i(z, "three_pt_makes_allowed", o.tpm);
      tz.s(z, "data_source", "demo");
      tz.s(z, "processed_at", processed);
    }

    // Prop lines: players with regular minutes who are available, near their recent average
    // (last ten games strictly before this one; talent prior early on). Opening the day before,
    // closing an hour before tip.
    const int open_min = -6 * 60;  // 18:00 UTC the day before
    const int close_min = tip_utc - 60;
    static const int kPrices[][2] = {{-110, -110}, {-115, -105}, {-105, -115}, {-120, 100}, {100, -120}, {-112, -108}};
    for (int s = 0; s < 2; ++s) {
      for (const PlayerLine& l : box.lines[s]) {
        if (l.status == PlayerLine::kInactive) continue;
        const auto& p = lg.players[l.player];
        const History& h = hist[l.player];
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
            size_t row = pp.add();
            pp.s(row, "game_id", gid);
            pp.s(row, "odds_api_event_id", event);
            pp.d(row, "game_date", g.date);
            pp.s(row, "game_start_time", tip_ts);
            pp.s(row, "home_team_abbr", g.home);
            pp.s(row, "away_team_abbr", g.away);
            std::string snap_ts = iso_ts(g.date, at);
            pp.s(row, "snapshot_timestamp", snap_ts);
            pp.s(row, "snapshot_tag", "snap-" + snap_ts.substr(11, 2) + snap_ts.substr(14, 2));
            pp.s(row, "capture_timestamp", snap_ts);
            pp.i(row, "minutes_before_tipoff", tip_utc - at);
            pp.s(row, "bookmaker", book == 0 ? "draftkings" : "fanduel");
            pp.s(row, "player_name", p.name);
            pp.s(row, "player_lookup", p.lookup);
            pp.f(row, "points_line", line);
            pp.f(row, "over_price", decimal_odds(pr[0]));
            pp.i(row, "over_price_american", pr[0]);
            pp.f(row, "under_price", decimal_odds(pr[1]));
            pp.i(row, "under_price_american", pr[1]);
            pp.s(row, "bookmaker_last_update", iso_ts(g.date, at - 3));
            pp.s(row, "source_file_path", tag + "/odds-api/player-props/" + event + "/" + snap_ts + ".json");
            pp.s(row, "data_source", "historical");
            pp.s(row, "processed_at", processed);
          }
        }
      }
    }
    for (int s = 0; s < 2; ++s) {
      for (const PlayerLine& l : box.lines[s]) {
        if (l.status != PlayerLine::kActive) continue;
        hist[l.player].points.push_back(l.points());
        hist[l.player].seconds.push_back(l.seconds);
      }
    }

    // Game lines: spreads and totals from the pre-game expectations, two books, two snapshots.
    {
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
          const Outcome outcomes[4] = {{"spreads", home_full, -sp},
                                       {"spreads", away_full, sp},
                                       {"totals", "Over", to},
                                       {"totals", "Under", to}};
          for (const Outcome& oc : outcomes) {
            size_t row = gl.add();
            gl.s(row, "snapshot_timestamp", snap_ts);
            if (snap == 1) gl.s(row, "previous_snapshot_timestamp", iso_ts(g.date, open_min));
            if (snap == 0) gl.s(row, "next_snapshot_timestamp", iso_ts(g.date, close_min));
            gl.s(row, "game_id", event);
            gl.s(row, "sport_key", "basketball_nba");
            gl.s(row, "sport_title", "NBA");
            gl.s(row, "commence_time", tip_ts);
            gl.d(row, "game_date", g.date);
            gl.s(row, "home_team", home_full);
            gl.s(row, "away_team", away_full);
            gl.s(row, "home_team_abbr", g.home);
            gl.s(row, "away_team_abbr", g.away);
            gl.s(row, "bookmaker_key", book == 0 ? "draftkings" : "fanduel");
            gl.s(row, "bookmaker_title", book == 0 ? "DraftKings" : "FanDuel");
            gl.s(row, "bookmaker_last_update", iso_ts(g.date, at - 2));
            gl.s(row, "market_key", oc.market);
            gl.s(row, "market_last_update", iso_ts(g.date, at - 2));
            gl.s(row, "outcome_name", oc.name);
            gl.f(row, "outcome_price", r.chance(0.7) ? 1.91 : r.chance(0.5) ? 1.87 : 1.95);
            gl.f(row, "outcome_point", oc.point);
            gl.s(row, "source_file_path", tag + "/odds-api/game-lines/" + event + "/" + snap_ts + ".json");
            gl.s(row, "data_source", "historical");
            gl.s(row, "created_at", processed);
            gl.s(row, "processed_at", processed);
          }
        }
      }
    }

    // Injury report of the game's day (17:00 ET issue).
    for (const auto& e : box.report) {
      const auto& p = lg.players[e.player];
      size_t row = ir.add();
      ir.d(row, "report_date", g.date);
      ir.i(row, "report_hour", 17);
      ir.s(row, "season", detail::season_label(season));
      ir.d(row, "game_date", g.date);
      char tbuf[16];
      int h12 = (x.tip_minutes_et / 60 + 11) % 12 + 1;
      std::snprintf(tbuf, sizeof tbuf, "%02d:%02d %s ET", h12, x.tip_minutes_et % 60, x.tip_minutes_et >= 720 ? "PM" : "AM");
      ir.s(row, "game_time", tbuf);
      ir.s(row, "game_id", gid);
      ir.s(row, "matchup", g.away + "@" + g.home);
      ir.s(row, "away_team", g.away);
      ir.s(row, "home_team", g.home);
      ir.s(row, "team", codes[e.team]);
      size_t sp = p.name.find(' ');
      ir.s(row, "player_name_original", p.name.substr(sp + 1) + ", " + p.name.substr(0, sp));
      ir.s(row, "player_full_name", p.name);
      ir.s(row, "player_lookup", p.lookup);
      ir.s(row, "injury_status", e.status);
      ir.s(row, "reason", e.reason);
      ir.s(row, "reason_category", e.category);
      ir.f(row, "confidence_score", 1.0);
      ir.f(row, "overall_report_confidence", 1.0);
      ir.s(row, "scrape_time", iso_ts(g.date, 17 * 60 + 15 + et_to_utc(g.date)));
      ir.s(row, "run_id", "demo-" + std::to_string(seed) + "-" + g.date.compact());
      ir.s(row, "source_file_path", tag + "/injury-report/" + g.date.iso() + "_17.pdf");
      ir.s(row, "processed_at", processed);
    }
  }

  out.tables.emplace_back("nba_raw.nbac_schedule", std::move(sched));
  out.tables.emplace_back("nba_raw.nbac_gamebook_player_stats", std::move(gb.table()));
  out.tables.emplace_back("nba_raw.nbac_team_boxscore", std::move(tb.table()));
  out.tables.emplace_back("nba_raw.player_shot_zones", std::move(pz.table()));
  out.tables.emplace_back("nba_raw.team_shot_zones_allowed", std::move(tz.table()));
  out.tables.emplace_back("nba_raw.odds_api_player_points_props", std::move(pp.table()));
  out.tables.emplace_back("nba_raw.odds_api_game_lines", std::move(gl.table()));
  out.tables.emplace_back("nba_raw.nbac_injury_report", std::move(ir.table()));
  return out;
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
  // Pipeline: season i+1 is built (itself parallel over games) while season i is written, so at
  // most two seasons are held in memory.
  DemoSummary sum;
  sum.seasons = seasons;
  SeasonTables current = build_tables(seasons[0], opt.seed);
  for (size_t i = 0; i < seasons.size(); ++i) {
    SeasonTables next;
    tbb::task_group tg;
    if (i + 1 < seasons.size()) tg.run([&] { next = build_tables(seasons[i + 1], opt.seed); });
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
