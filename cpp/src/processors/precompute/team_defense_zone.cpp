#include "nbaprops/processors/precompute/team_defense_zone.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <shared_mutex>
#include <span>
#include <tuple>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::precompute {

namespace {

namespace tdg = cols::team_defense_game_summary;
namespace tdza = cols::team_defense_zone_analysis;

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
void set_numeric(Table& t, size_t row, ColumnId id, std::optional<double> v) {
  const size_t idx = t.at(id);
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

namespace {

// The projection's columns, resolved once per ingest.
struct TdgsColumns {
  explicit TdgsColumns(const Table& t)
      : team(t.col(tdg::defending_team_abbr)),
        date(t.col(tdg::game_date)),
        rating(t.col(tdg::defensive_rating)),
        pace(t.col(tdg::opponent_pace)),
        processed(t.col(tdg::processed_at)),
        hash(t.col(tdg::data_hash)),
        counts{
            &t.col(tdg::opp_paint_makes),         &t.col(tdg::opp_paint_attempts), &t.col(tdg::opp_mid_range_makes),
            &t.col(tdg::opp_mid_range_attempts),  &t.col(tdg::opp_three_pt_makes), &t.col(tdg::opp_three_pt_attempts),
            &t.col(tdg::points_in_paint_allowed), &t.col(tdg::blocks_paint),       &t.col(tdg::blocks_mid_range),
            &t.col(tdg::blocks_three_pt),         &t.col(tdg::points_allowed)} {}
  const Column &team, &date, &rating, &pace, &processed, &hash;
  const Column* counts[11];
};

DefenseGame defense_game(const TdgsColumns& c, size_t r) {
  DefenseGame g;
  g.date = Date(static_cast<int32_t>(c.date.int_at(r)));
  int64_t v[11];
  for (int k = 0; k < 11; ++k) v[k] = c.counts[k]->get_int(r).value_or(0);
  g.paint_makes = v[0], g.paint_attempts = v[1], g.mid_makes = v[2], g.mid_attempts = v[3];
  g.three_makes = v[4], g.three_attempts = v[5], g.paint_points = v[6];
  g.blocks_paint = v[7], g.blocks_mid = v[8], g.blocks_three = v[9], g.points_allowed = v[10];
  g.paint_points_known = !c.counts[6]->is_null(r);
  g.blocks_known = !c.counts[7]->is_null(r) || !c.counts[8]->is_null(r) || !c.counts[9]->is_null(r);
  g.points_known = !c.counts[10]->is_null(r);
  g.defensive_rating = c.rating.get_real(r);
  g.opponent_pace = c.pace.get_real(r);
  return g;
}

/// One season of team_defense_game_summary (and the league window's days
/// before the season's first game), ingested once in date order into per-team,
/// date-ordered games (the carried state of TDZA): a date D is answered from
/// the slices before D.
class DefenseHistory final : public proc::SeasonHistory {
 public:
  struct Team {
    const std::string* name = nullptr;  ///< interned defending_team_abbr
    std::vector<DefenseGame> games;     ///< date ascending (a date's rows in stored order)
    /// Games dated in [from, before).
    [[nodiscard]] std::span<const DefenseGame> between(Date from, Date before) const {
      auto by_date = [](const DefenseGame& g, Date x) { return g.date < x; };
      const auto lo = std::lower_bound(games.begin(), games.end(), from, by_date);
      const auto hi = std::lower_bound(lo, games.end(), before, by_date);
      return {lo, hi};
    }
  };
  /// Per-date source facts: the newest processed_at and the row with the
  /// greatest team (the first such row).
  struct Day {
    const std::string* max_processed = nullptr;
    const std::string* team = nullptr;
    const std::string* hash = nullptr;
  };

  /// The TDZA output of date @p d from the rows before it.
  [[nodiscard]] UnitOutput compute(const Schedule& schedule, Date d) const;

 protected:
  void add_rows(const Table& tdgs, const std::vector<size_t>& rows) override {
    const TdgsColumns c(tdgs);
    for (size_t r : rows) {
      if (c.team.is_null(r)) continue;
      const std::string* team = c.team.text_ptr(r);
      Team& t = teams_[*team];
      t.name = team;
      DefenseGame g = defense_game(c, r);
      Day& day = days_[g.date.days()];
      // Source tracking: last_updated is the newest processed_at (a timestamp);
      // the source hash is the newest game's row (ties: team). Legacy: the
      // hash of the most recently *processed* row. Fixed (DECISION 4):
      // processed_at changes on every rerun, so the hash would too; the game
      // date keeps it stable.
      if (const std::string* pa = proc::text_of(&c.processed, r);
          pa && (!day.max_processed || *pa > *day.max_processed)) {
        day.max_processed = pa;
      }
      if (!day.team || *team > *day.team) {
        day.team = team;
        day.hash = proc::text_of(&c.hash, r);
      }
      // Rows arrive in date order: appending keeps the games sorted.
      t.games.push_back(g);
    }
  }

 private:
  struct Window;
  [[nodiscard]] Window window_before(const Schedule& schedule, Date d) const;

  std::map<std::string_view, Team> teams_;  // keyed by interned names: teams in name order
  std::map<int32_t, Day> days_;
  SeasonTeamGames team_games_;
};

/// What D's rows are computed from: each team's season games and league-window
/// games before D, the source facts, and the entities.
struct DefenseHistory::Window {
  std::map<std::string, std::span<const DefenseGame>> season;  ///< teams with season games
  LeagueAverages league;
  std::vector<std::string> teams;  ///< entities, in name order
  const std::string* last_updated = nullptr;
  const std::string* source_hash = nullptr;
  int64_t rows_found = 0, teams_found = 0;
};

DefenseHistory::Window DefenseHistory::window_before(const Schedule& schedule, Date d) const {
  Window w;
  const Date season_start = this->season_start();
  std::vector<std::vector<DefenseGame>> league_input;
  for (const auto& [name, team] : teams_) {
    const auto league = team.between(d - kTdzaLeagueDays, d);
    if (!league.empty()) league_input.emplace_back(league.begin(), league.end());
    const auto season = team.between(season_start, d);
    if (season.empty()) continue;
    w.season.emplace(*team.name, season);
    // Dependency-check style source figures (spec A.2): teams with ≥ 15 season
    // games.
    if (static_cast<int>(season.size()) >= kTdzaGames) {
      w.rows_found += static_cast<int64_t>(season.size());
      ++w.teams_found;
    }
  }
  w.league = league_averages(league_input);
  const Day* newest = nullptr;
  for (auto it = days_.lower_bound(season_start.days()); it != days_.end() && it->first < d.days(); ++it) {
    const Day& day = it->second;
    if (day.max_processed && (!w.last_updated || *day.max_processed > *w.last_updated)) {
      w.last_updated = day.max_processed;
    }
    if (day.team) newest = &day;
  }
  if (newest) w.source_hash = newest->hash;
  // Entities: teams with season rows, plus NBA teams the schedule says have
  // played (their missing rows are reported instead of silently skipped).
  const auto team_games = team_games_.get(schedule, season_of(d));
  std::set<std::string> team_set;
  for (const auto& [team, games] : w.season) team_set.insert(team);
  for (const auto& code : nba_tricodes()) {
    if (team_games->before(code, d) > 0) team_set.insert(code);
  }
  w.teams.assign(team_set.begin(), team_set.end());
  return w;
}

/// One team's metrics for D, or why it has no row.
TeamResult evaluate_team(const std::string& team, std::span<const DefenseGame> all, int64_t expected,
                         const LeagueAverages& league) {
  TeamResult res;
  // DECISION 3: expected = the team's scheduled games before D this season,
  // home and away (legacy credited each game to the home team only → ~200 %).
  int64_t distinct_dates = 0;
  for (size_t i = 0; i < all.size(); ++i) distinct_dates += (i == 0 || all[i].date != all[i - 1].date) ? 1 : 0;
  res.completeness = make_completeness(expected, distinct_dates);
  if (!res.completeness.production_ready) {
    // Legacy category INCOMPLETE_DATA: the schedule has games whose upstream
    // rows are missing.
    res.failure = EntityFailure{team, "INCOMPLETE_UPSTREAM",
                                "Incomplete data: " + pct_text(res.completeness.pct) + "% (" +
                                    std::to_string(res.completeness.actual) + "/" +
                                    std::to_string(res.completeness.expected) + " games)"};
    return res;
  }
  if (static_cast<int>(all.size()) < kTdzaGames) {
    res.failure = EntityFailure{team, "INSUFFICIENT_DATA",
                                "Only " + std::to_string(all.size()) + " games, need " + std::to_string(kTdzaGames)};
    return res;
  }
  // The newest 15 games, newest first (the order the means are summed in).
  std::vector<DefenseGame> last(all.rbegin(), all.rbegin() + kTdzaGames);
  res.metrics = zone_defense_metrics(last, league);
  return res;
}

/// The columns of the 16 numeric metrics, in the order of metric_values().
constexpr ColumnId kMetricColumns[] = {tdza::paint_pct_allowed_last_15,
                                       tdza::paint_attempts_allowed_per_game,
                                       tdza::paint_points_allowed_per_game,
                                       tdza::paint_blocks_per_game,
                                       tdza::paint_defense_vs_league_avg,
                                       tdza::mid_range_pct_allowed_last_15,
                                       tdza::mid_range_attempts_allowed_per_game,
                                       tdza::mid_range_blocks_per_game,
                                       tdza::mid_range_defense_vs_league_avg,
                                       tdza::three_pt_pct_allowed_last_15,
                                       tdza::three_pt_attempts_allowed_per_game,
                                       tdza::three_pt_blocks_per_game,
                                       tdza::three_pt_defense_vs_league_avg,
                                       tdza::defensive_rating_last_15,
                                       tdza::opponent_points_per_game,
                                       tdza::opponent_pace};

/// The 16 numeric metrics in kMetricColumns order.
std::array<std::optional<double>, 16> metric_values(const ZoneDefenseMetrics& m) {
  return {m.paint_pct,       m.paint_att_pg,     m.paint_pts_pg,  m.paint_blk_pg, m.paint_vs_league, m.mid_pct,
          m.mid_att_pg,      m.mid_blk_pg,       m.mid_vs_league, m.three_pct,    m.three_att_pg,    m.three_blk_pg,
          m.three_vs_league, m.defensive_rating, m.opp_pts_pg,    m.opponent_pace};
}

/// An interned copy of a text from a small fixed set (zones, tiers, notes).
const std::string* pooled(const std::string& s) {
  static const std::string* const kKnown[] = {intern("paint"), intern("mid_range"), intern("perimeter"),
                                              intern("high"),  intern("medium"),    intern("low")};
  for (const std::string* p : kKnown) {
    if (*p == s) return p;
  }
  return intern(s);
}

/// Writes row @p r of a team with metrics.
void write_team_row(Table& t, size_t r, const CompletenessColumns& completeness, const std::string* team, Date d,
                    const TeamResult& res) {
  const ZoneDefenseMetrics& m = *res.metrics;
  t.col(tdza::team_abbr).set_text_ptr(r, team);
  t.col(tdza::analysis_date).set_int(r, d.days());
  const auto values = metric_values(m);
  for (size_t i = 0; i < values.size(); ++i) set_numeric(t, r, kMetricColumns[i], values[i]);
  t.col(tdza::games_in_sample).set_int(r, int64_t{m.games});
  if (m.strongest_zone) t.col(tdza::strongest_zone).set_text_ptr(r, pooled(*m.strongest_zone));
  if (m.weakest_zone) t.col(tdza::weakest_zone).set_text_ptr(r, pooled(*m.weakest_zone));
  t.col(tdza::data_quality_tier).set_text_ptr(r, pooled(tdza_quality_tier(m.games)));
  if (m.calculation_notes) t.col(tdza::calculation_notes).set_text_ptr(r, pooled(*m.calculation_notes));
  completeness.write(t, r, res.completeness);
}

UnitOutput DefenseHistory::compute(const Schedule& schedule, Date d) const {
  UnitOutput out(catalog::get(kOutput));
  // DECISION 2: one bootstrap rule from the schedule; the runner skips these
  // dates (kSkip).
  if (schedule.is_bootstrap(d)) {
    out.empty_reason = "skipped_early_season";
    return out;
  }
  const Window w = window_before(schedule, d);
  if (w.teams.empty()) {
    out.empty_reason = "no team_defense_game_summary rows and no scheduled games before " + d.iso();
    return out;
  }
  const auto team_games = team_games_.get(schedule, season_of(d));
  std::vector<TeamResult> results(w.teams.size());
  tbb::parallel_for(size_t{0}, w.teams.size(), [&](size_t i) {
    const std::string& team = w.teams[i];
    try {
      const auto it = w.season.find(team);
      const auto all = it == w.season.end() ? std::span<const DefenseGame>() : it->second;
      results[i] = evaluate_team(team, all, team_games->before(team, d), w.league);
    } catch (const std::exception& e) {
      results[i] = TeamResult{};
      results[i].failure = EntityFailure{team, "PROCESSING_ERROR", e.what()};
    }
  });

  Table& t = out.rows;
  std::optional<double> source_pct;
  if (w.teams_found > 0) {
    source_pct =
        std::min(100.0, static_cast<double>(w.rows_found) / static_cast<double>(kTdzaGames * w.teams_found) * 100.0);
  }
  const ConstantColumns constants(t.schema(), [&](Table& c, size_t r) {
    if (w.last_updated) c.col(tdza::source_team_defense_last_updated).set_text_ptr(r, w.last_updated);
    c.set(r, tdza::source_team_defense_rows_found, w.rows_found);
    set_numeric(c, r, tdza::source_team_defense_completeness_pct, source_pct);
    if (w.source_hash) c.col(tdza::source_team_defense_hash).set_text_ptr(r, w.source_hash);
    // early_season_flag and insufficient_data_reason stay NULL on real rows
    // (legacy). DECISION 2: one bootstrap rule from the schedule (legacy:
    // before Oct 31 / 30 days from Oct 1); the runner skips bootstrap dates.
    proc::write_processing_status(c, r, is_season_boundary(d), false);
  });
  std::vector<size_t> row_team;
  for (size_t i = 0; i < w.teams.size(); ++i) {
    TeamResult& res = results[i];
    if (res.failure) {
      out.failures.push_back(std::move(*res.failure));
    } else if (res.metrics) {
      row_team.push_back(i);
    }
  }
  t.resize(row_team.size());
  const CompletenessColumns completeness(t);
  const RowHasher hasher(t, kHashFields, RowHasher::Style::kPrecompute);
  Column& hash = t.col(tdza::data_hash);
  for (size_t r = 0; r < row_team.size(); ++r) {
    write_team_row(t, r, completeness, intern(w.teams[row_team[r]]), d, results[row_team[r]]);
    constants.apply(t, r);
  }
  hasher.set_rows(t, 0, row_team.size(), hash, RowHasher::scratch());
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0) {
    out.empty_reason = "no team qualified on " + d.iso() + " (" + std::to_string(out.failures.size()) + " failures; " +
                       std::to_string(kTdzaGames) + " games before the date are needed)";
  }
  return out;
}

/// The first date a unit for @p d reads: the season's first game (last 15
/// games and completeness) or the 31-day league window's first day, whichever
/// is earlier.
Date window_from(const Schedule& schedule, Date d, Date* season_start) {
  const int season = season_of(d);
  *season_start = schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
  return std::min(*season_start, d - kTdzaLeagueDays);
}

}  // namespace

UnitOutput compute_team_defense_zone(const Schedule& schedule, Date d, const Table& tdgs) {
  Date season_start;
  const Date from = window_from(schedule, d, &season_start);
  DefenseHistory history;
  history.start(from, season_start);
  history.ingest(tdgs, d - 1);
  return history.compute(schedule, d);
}

namespace {

/// Metrics use the last 15 games; completeness counts the whole season to date
/// (read from the season's first game), so the declared window is season-to-date.
const ProcessorInfo kInfo{.name = "team_defense_zone_analysis",
                          .code = "tdza",
                          .phase = 4,
                          .output_table = kOutput,
                          .entity = "teams",
                          .reads = {{kTdgs, WindowKind::kSeasonToDate, 0, true, kTdgsColumns},
                                    {kTdgs, WindowKind::kDaysBefore, kTdzaLeagueDays, true, kTdgsColumns}},
                          .bootstrap = BootstrapPolicy::kSkip,
                          .legacy_job = "team_defense_zone_analysis",
                          .description =
                              "Opponent FG% allowed, volume and blocks by zone over each team's last 15 "
                              "games, vs a 31-day league average; strongest/weakest zone"};

class TeamDefenseZoneProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    if (ctx.schedule.is_bootstrap(d)) {
      UnitOutput out(catalog::get(kOutput));
      out.empty_reason = "skipped_early_season";
      return out;
    }
    Date season_start;
    const Date from = window_from(ctx.schedule, d, &season_start);
    // The season's history, carried from the dates before (or this unit's own
    // when run alone): only the TDGS dates not ingested yet are read, inside
    // this unit's window (season to date ∪ the 31-day league window).
    std::unique_ptr<CarriedState> own;
    const auto& history = proc::history_for<DefenseHistory>(ctx, own, season_start, from, d - 1, [&](Date lo, Date hi) {
      return proc::read_window(ctx, kTdgs, lo, hi, kTdgsColumns);
    });
    std::shared_lock lock(history.mutex());
    return history.compute(ctx.schedule, d);
  }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<DefenseHistory>(); }
  // run() computes under the history's shared lock, which the next date's
  // catch-up takes exclusively.
  bool computes_dates_in_turn() const override { return true; }
};

}  // namespace

std::unique_ptr<Processor> make_team_defense_zone_processor() { return std::make_unique<TeamDefenseZoneProcessor>(); }

}  // namespace nbaprops::precompute
