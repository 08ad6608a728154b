#include "nbaprops/processors/precompute/team_defense_zone.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "nbaprops/processors/common.hpp"

namespace nbaprops::precompute {

namespace {

const char* const kTdgs = "nba_analytics.team_defense_game_summary";
const char* const kOutput = "nba_precompute.team_defense_zone_analysis";

/// The TDGS columns TDZA reads.
const std::vector<std::string> kTdgsColumns = {"defending_team_abbr",
                                               "game_date",
                                               "opp_paint_makes",
                                               "opp_paint_attempts",
                                               "opp_mid_range_makes",
                                               "opp_mid_range_attempts",
                                               "opp_three_pt_makes",
                                               "opp_three_pt_attempts",
                                               "points_in_paint_allowed",
                                               "blocks_paint",
                                               "blocks_mid_range",
                                               "blocks_three_pt",
                                               "points_allowed",
                                               "defensive_rating",
                                               "opponent_pace",
                                               "processed_at",
                                               "data_hash"};

const std::vector<std::string> kHashFields = {"team_abbr",
                                              "analysis_date",
                                              "paint_pct_allowed_last_15",
                                              "paint_attempts_allowed_per_game",
                                              "paint_points_allowed_per_game",
                                              "paint_blocks_per_game",
                                              "paint_defense_vs_league_avg",
                                              "mid_range_pct_allowed_last_15",
                                              "mid_range_attempts_allowed_per_game",
                                              "mid_range_blocks_per_game",
                                              "mid_range_defense_vs_league_avg",
                                              "three_pt_pct_allowed_last_15",
                                              "three_pt_attempts_allowed_per_game",
                                              "three_pt_blocks_per_game",
                                              "three_pt_defense_vs_league_avg",
                                              "defensive_rating_last_15",
                                              "opponent_points_per_game",
                                              "opponent_pace",
                                              "games_in_sample",
                                              "strongest_zone",
                                              "weakest_zone",
                                              "data_quality_tier",
                                              "calculation_notes"};

std::optional<double> ratio(int64_t num, int64_t den) {
  if (den == 0) return std::nullopt;
  return static_cast<double>(num) / static_cast<double>(den);
}

std::optional<double> mean_of(const std::vector<DefenseGame>& games, std::optional<double> DefenseGame::* field) {
  double sum = 0;
  int n = 0;
  for (const auto& g : games) {
    if (g.*field) {
      sum += *(g.*field);
      ++n;
    }
  }
  if (n == 0) return std::nullopt;
  return sum / n;
}

std::optional<double> vs_league(std::optional<double> pct, double league) {
  if (!pct) return std::nullopt;
  return (*pct - league) * 100.0;
}

/// Writes a NUMERIC/FLOAT value, rounded to the column's declared scale for
/// NUMERIC(p,s): the legacy wrote unrounded floats and BigQuery stored them at
/// the declared scale.
void set_numeric(Table& t, size_t row, const char* name, std::optional<double> v) {
  size_t idx = t.require(name);
  if (v && t.def(idx).type == ColumnType::kNumeric) v = proc::py_round(*v, t.def(idx).scale);
  t.col(idx).set_real(row, v);
}

/// Per-entity outcome of the parallel pass.
struct TeamResult {
  std::optional<ZoneDefenseMetrics> metrics;
  Completeness completeness;
  std::optional<EntityFailure> failure;
};

}  // namespace

LeagueAverages league_averages(const std::vector<std::vector<DefenseGame>>& team_games) {
  double sum_paint = 0, sum_mid = 0, sum_three = 0;
  int teams = 0;
  for (const auto& games : team_games) {
    if (static_cast<int>(games.size()) < kTdzaLeagueMinGames) continue;
    int64_t pm = 0, pa = 0, mm = 0, ma = 0, tm = 0, ta = 0;
    for (const auto& g : games) {
      pm += g.paint_makes;
      pa += g.paint_attempts;
      mm += g.mid_makes;
      ma += g.mid_attempts;
      tm += g.three_makes;
      ta += g.three_attempts;
    }
    auto p = ratio(pm, pa), m = ratio(mm, ma), t = ratio(tm, ta);
    if (!p || !m || !t) continue;
    sum_paint += *p;
    sum_mid += *m;
    sum_three += *t;
    ++teams;
  }
  LeagueAverages out;
  if (teams < kTdzaLeagueMinTeams) return out;  // legacy defaults, teams_in_sample 0
  out.paint = sum_paint / teams;
  out.mid_range = sum_mid / teams;
  out.three_pt = sum_three / teams;
  out.teams_in_sample = teams;
  return out;
}

std::pair<std::optional<std::string>, std::optional<std::string>> strongest_weakest_zone(
    std::optional<double> paint, std::optional<double> mid_range, std::optional<double> three_pt) {
  const std::pair<const char*, std::optional<double>> candidates[] = {
      {"paint", paint}, {"mid_range", mid_range}, {"perimeter", three_pt}};
  std::optional<std::string> strongest, weakest;
  double lo = 0, hi = 0;
  for (const auto& [key, v] : candidates) {
    if (!v) continue;
    // Strict comparisons keep the earliest key on ties (Python min/max over
    // dict keys).
    if (!strongest || *v < lo) {
      strongest = key;
      lo = *v;
    }
    if (!weakest || *v > hi) {
      weakest = key;
      hi = *v;
    }
  }
  return {strongest, weakest};
}

std::string tdza_quality_tier(int games) {
  if (games >= 15) return "high";
  if (games >= 10) return "medium";
  return "low";
}

ZoneDefenseMetrics zone_defense_metrics(const std::vector<DefenseGame>& games, const LeagueAverages& league) {
  ZoneDefenseMetrics m;
  m.games = static_cast<int>(games.size());
  int64_t pm = 0, pa = 0, mm = 0, ma = 0, tm = 0, ta = 0, ppts = 0, bp = 0, bm = 0, bt = 0, pts = 0;
  bool ppts_known = false, blk_known = false, pts_known = false;
  for (const auto& g : games) {
    ppts_known = ppts_known || g.paint_points_known;
    blk_known = blk_known || g.blocks_known;
    pts_known = pts_known || g.points_known;
    pm += g.paint_makes;
    pa += g.paint_attempts;
    mm += g.mid_makes;
    ma += g.mid_attempts;
    tm += g.three_makes;
    ta += g.three_attempts;
    ppts += g.paint_points;
    bp += g.blocks_paint;
    bm += g.blocks_mid;
    bt += g.blocks_three;
    pts += g.points_allowed;
  }
  m.paint_pct = ratio(pm, pa);
  m.mid_pct = ratio(mm, ma);
  m.three_pct = ratio(tm, ta);
  if (m.games > 0) {
    const double n = m.games;
    m.paint_att_pg = pa / n;
    m.mid_att_pg = ma / n;
    m.three_att_pg = ta / n;
    // Legacy: NULL inputs summed as 0, so shots-only data reported 0 points and
    // 0 blocks per game. Fixed (DECISION 6): NULL when no game of the window
    // knew the value.
    if (ppts_known) m.paint_pts_pg = ppts / n;
    if (blk_known) {
      m.paint_blk_pg = bp / n;
      m.mid_blk_pg = bm / n;
      m.three_blk_pg = bt / n;
    }
    if (pts_known) m.opp_pts_pg = pts / n;
  }
  m.defensive_rating = mean_of(games, &DefenseGame::defensive_rating);
  m.opponent_pace = mean_of(games, &DefenseGame::opponent_pace);
  m.paint_vs_league = vs_league(m.paint_pct, league.paint);
  m.mid_vs_league = vs_league(m.mid_pct, league.mid_range);
  m.three_vs_league = vs_league(m.three_pct, league.three_pt);
  std::tie(m.strongest_zone, m.weakest_zone) =
      strongest_weakest_zone(m.paint_vs_league, m.mid_vs_league, m.three_vs_league);
  std::string notes;
  auto note = [&](const char* text) { notes += (notes.empty() ? "" : "; ") + std::string(text); };
  if (pa == 0) note("No paint attempts");
  if (ma == 0) note("No mid-range attempts");
  if (ta == 0) note("No three-point attempts");
  if (!notes.empty()) m.calculation_notes = notes;
  return m;
}

UnitOutput compute_team_defense_zone(const Schedule& schedule, Date d, const Table& tdgs) {
  UnitOutput out(catalog::get(kOutput));
  // DECISION 2: one bootstrap rule from the schedule; the runner skips these
  // dates (kSkip).
  if (schedule.is_bootstrap(d)) {
    out.empty_reason = "skipped_early_season";
    return out;
  }
  const int season = season_of(d);
  // DECISION 2: season-to-date windows start at the season's first game
  // (legacy: Oct 1).
  const Date season_start = schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
  const Date league_from = d - kTdzaLeagueDays;

  // One pass over the input: season games (last-15 and completeness) and
  // league-window games per team.
  std::map<std::string, std::vector<DefenseGame>> season_games, league_games;
  std::optional<std::string> last_updated, source_hash;
  Date source_hash_date;
  std::string source_hash_team;
  for (size_t r = 0; r < tdgs.num_rows(); ++r) {
    auto date = tdgs.get_date(r, "game_date");
    auto team = tdgs.get_text(r, "defending_team_abbr");
    // DECISION 1: strictly before D (legacy: game_date <= analysis_date).
    if (!date || !team || *date >= d) continue;
    const bool in_season = *date >= season_start;
    const bool in_league = *date >= league_from;
    if (!in_season && !in_league) continue;
    DefenseGame g;
    g.date = *date;
    auto iv = [&](const char* c) { return tdgs.get_int(r, c).value_or(0); };
    g.paint_makes = iv("opp_paint_makes");
    g.paint_attempts = iv("opp_paint_attempts");
    g.mid_makes = iv("opp_mid_range_makes");
    g.mid_attempts = iv("opp_mid_range_attempts");
    g.three_makes = iv("opp_three_pt_makes");
    g.three_attempts = iv("opp_three_pt_attempts");
    g.paint_points = iv("points_in_paint_allowed");
    g.blocks_paint = iv("blocks_paint");
    g.blocks_mid = iv("blocks_mid_range");
    g.blocks_three = iv("blocks_three_pt");
    g.points_allowed = iv("points_allowed");
    auto known = [&](const char* c) { return tdgs.get_int(r, c).has_value(); };
    g.paint_points_known = known("points_in_paint_allowed");
    g.blocks_known = known("blocks_paint") || known("blocks_mid_range") || known("blocks_three_pt");
    g.points_known = known("points_allowed");
    g.defensive_rating = tdgs.get_real(r, "defensive_rating");
    g.opponent_pace = tdgs.get_real(r, "opponent_pace");
    if (in_league) league_games[*team].push_back(g);
    if (!in_season) continue;
    season_games[*team].push_back(g);
    // Source tracking: last_updated is the newest processed_at (a timestamp);
    // the source hash is the newest game's row (ties: team). Legacy: the hash
    // of the most recently *processed* row. Fixed (DECISION 4): processed_at
    // changes on every rerun, so the hash would too; the game date keeps it
    // stable.
    auto pa = tdgs.get_text(r, "processed_at");
    if (pa && (!last_updated || *pa > *last_updated)) last_updated = pa;
    if (!source_hash || *date > source_hash_date || (*date == source_hash_date && *team > source_hash_team)) {
      source_hash = tdgs.get_text(r, "data_hash");
      source_hash_date = *date;
      source_hash_team = *team;
    }
  }

  std::vector<std::vector<DefenseGame>> league_input;
  league_input.reserve(league_games.size());
  for (auto& [team, games] : league_games) league_input.push_back(std::move(games));
  const LeagueAverages league = league_averages(league_input);

  // Entities: teams with season rows, plus NBA teams the schedule says have
  // played (their missing rows are reported instead of silently skipped).
  std::set<std::string> team_set;
  for (const auto& [team, games] : season_games) team_set.insert(team);
  for (const auto& code : nba_tricodes()) {
    if (!schedule.team_games_before(code, d, season).empty()) team_set.insert(code);
  }
  const std::vector<std::string> teams(team_set.begin(), team_set.end());
  if (teams.empty()) {
    out.empty_reason = "no team_defense_game_summary rows and no scheduled games before " + d.iso();
    return out;
  }

  // Dependency-check style source figures (spec A.2): teams with ≥ 15 season
  // games.
  int64_t rows_found = 0, teams_found = 0;
  for (const auto& [team, games] : season_games) {
    if (static_cast<int>(games.size()) >= kTdzaGames) {
      rows_found += static_cast<int64_t>(games.size());
      ++teams_found;
    }
  }

  const bool bootstrap = schedule.is_bootstrap(d);  // false here; kept for the legacy bypass shape
  std::vector<TeamResult> results(teams.size());
  tbb::parallel_for(size_t{0}, teams.size(), [&](size_t i) {
    const std::string& team = teams[i];
    TeamResult& res = results[i];
    try {
      static const std::vector<DefenseGame> kNone;
      auto it = season_games.find(team);
      const std::vector<DefenseGame>& all = it == season_games.end() ? kNone : it->second;
      // DECISION 3: expected = the team's scheduled games before D this season,
      // home and away (legacy credited each game to the home team only → ~200
      // %).
      std::set<Date> dates;
      for (const auto& g : all) dates.insert(g.date);
      res.completeness = make_completeness(static_cast<int64_t>(schedule.team_games_before(team, d, season).size()),
                                           static_cast<int64_t>(dates.size()));
      if (!res.completeness.production_ready && !bootstrap) {
        // Legacy category INCOMPLETE_DATA: the schedule has games whose
        // upstream rows are missing.
        res.failure = EntityFailure{team, "INCOMPLETE_UPSTREAM",
                                    "Incomplete data: " + pct_text(res.completeness.pct) + "% (" +
                                        std::to_string(res.completeness.actual) + "/" +
                                        std::to_string(res.completeness.expected) + " games)"};
        return;
      }
      if (static_cast<int>(all.size()) < kTdzaGames) {
        res.failure =
            EntityFailure{team, "INSUFFICIENT_DATA",
                          "Only " + std::to_string(all.size()) + " games, need " + std::to_string(kTdzaGames)};
        return;
      }
      std::vector<DefenseGame> last(all.begin(), all.end());
      std::sort(last.begin(), last.end(), [](const DefenseGame& a, const DefenseGame& b) { return a.date > b.date; });
      last.resize(kTdzaGames);
      res.metrics = zone_defense_metrics(last, league);
    } catch (const std::exception& e) {
      res.failure = EntityFailure{team, "PROCESSING_ERROR", e.what()};
      res.metrics.reset();
    }
  });

  Table& t = out.rows;
  const bool boundary = is_season_boundary(d);
  std::optional<double> source_pct;
  if (teams_found > 0) {
    source_pct =
        std::min(100.0, static_cast<double>(rows_found) / static_cast<double>(kTdzaGames * teams_found) * 100.0);
  }
  for (size_t i = 0; i < teams.size(); ++i) {
    TeamResult& res = results[i];
    if (res.failure) {
      out.failures.push_back(std::move(*res.failure));
      continue;
    }
    if (!res.metrics) continue;
    const ZoneDefenseMetrics& m = *res.metrics;
    size_t r = t.add_row();
    t.set(r, "team_abbr", teams[i]);
    t.set(r, "analysis_date", d);
    set_numeric(t, r, "paint_pct_allowed_last_15", m.paint_pct);
    set_numeric(t, r, "paint_attempts_allowed_per_game", m.paint_att_pg);
    set_numeric(t, r, "paint_points_allowed_per_game", m.paint_pts_pg);
    set_numeric(t, r, "paint_blocks_per_game", m.paint_blk_pg);
    set_numeric(t, r, "paint_defense_vs_league_avg", m.paint_vs_league);
    set_numeric(t, r, "mid_range_pct_allowed_last_15", m.mid_pct);
    set_numeric(t, r, "mid_range_attempts_allowed_per_game", m.mid_att_pg);
    set_numeric(t, r, "mid_range_blocks_per_game", m.mid_blk_pg);
    set_numeric(t, r, "mid_range_defense_vs_league_avg", m.mid_vs_league);
    set_numeric(t, r, "three_pt_pct_allowed_last_15", m.three_pct);
    set_numeric(t, r, "three_pt_attempts_allowed_per_game", m.three_att_pg);
    set_numeric(t, r, "three_pt_blocks_per_game", m.three_blk_pg);
    set_numeric(t, r, "three_pt_defense_vs_league_avg", m.three_vs_league);
    set_numeric(t, r, "defensive_rating_last_15", m.defensive_rating);
    set_numeric(t, r, "opponent_points_per_game", m.opp_pts_pg);
    set_numeric(t, r, "opponent_pace", m.opponent_pace);
    t.set(r, "games_in_sample", int64_t{m.games});
    if (m.strongest_zone) t.set(r, "strongest_zone", *m.strongest_zone);
    if (m.weakest_zone) t.set(r, "weakest_zone", *m.weakest_zone);
    t.set(r, "data_quality_tier", tdza_quality_tier(m.games));
    if (m.calculation_notes) t.set(r, "calculation_notes", *m.calculation_notes);
    if (last_updated) t.set(r, "source_team_defense_last_updated", *last_updated);
    t.set(r, "source_team_defense_rows_found", rows_found);
    set_numeric(t, r, "source_team_defense_completeness_pct", source_pct);
    if (source_hash) t.set(r, "source_team_defense_hash", *source_hash);
    // early_season_flag and insufficient_data_reason stay NULL on real rows
    // (legacy).
    write_completeness(t, r, res.completeness);
    // DECISION 2: one bootstrap rule from the schedule (legacy: before Oct 31 /
    // 30 days from Oct 1).
    proc::write_processing_status(t, r, boundary, bootstrap);
  }
  fill_precompute_hash(t, kHashFields);
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0) {
    out.empty_reason = "no team qualified on " + d.iso() + " (" + std::to_string(out.failures.size()) + " failures; " +
                       std::to_string(kTdzaGames) + " games before the date are needed)";
  }
  return out;
}

namespace {

class TeamDefenseZoneProcessor final : public Processor {
 public:
  TeamDefenseZoneProcessor() {
    info_.name = "team_defense_zone_analysis";
    info_.code = "tdza";
    info_.phase = 4;
    info_.output_table = kOutput;
    info_.entity = "teams";
    info_.legacy_job = "team_defense_zone_analysis";
    // Metrics use the last 15 games; completeness counts the whole season to
    // date (read from the season's first game), so the declared window is
    // season-to-date.
    info_.reads = {{kTdgs, WindowKind::kSeasonToDate, 0, true},
                   {kTdgs, WindowKind::kDaysBefore, kTdzaLeagueDays, true}};
    info_.bootstrap = BootstrapPolicy::kSkip;
    info_.description =
        "Opponent FG% allowed, volume and blocks by zone over "
        "each team's last 15 games, vs a 31-day league "
        "average; strongest/weakest zone";
  }
  const ProcessorInfo& info() const override { return info_; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    if (ctx.schedule.is_bootstrap(d)) {
      UnitOutput out(catalog::get(kOutput));
      out.empty_reason = "skipped_early_season";
      return out;
    }
    const int season = season_of(d);
    const Date season_start = ctx.schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
    // One read: season to date (last 15 games and completeness) ∪ the 31-day
    // league window.
    const Date from = std::min(season_start, d - kTdzaLeagueDays);
    Table tdgs = proc::read_window(ctx, kTdgs, from, d - 1, kTdgsColumns);
    return compute_team_defense_zone(ctx.schedule, d, tdgs);
  }

 private:
  ProcessorInfo info_;
};

}  // namespace

std::unique_ptr<Processor> make_team_defense_zone_processor() { return std::make_unique<TeamDefenseZoneProcessor>(); }

}  // namespace nbaprops::precompute
