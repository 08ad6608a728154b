#include "nbaprops/processors/precompute/daily_cache.hpp"
#include "nbaprops/processors/precompute/zone_common.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <map>
#include <set>
#include <shared_mutex>
#include <unordered_map>

#include "nbaprops/processors/common.hpp"
#include "phase4_util.hpp"

namespace nbaprops::precompute {
using phase4_detail::json_str;
using phase4_detail::py_float;
using proc::opt_int;
using proc::opt_real;
using proc::opt_text;
using proc::py_round;

namespace {
std::optional<double> r4(std::optional<double> v) { return py_round(v, 4); }

template <class F>
std::vector<std::optional<double>> pick(const std::vector<PlayerGame>& g, size_t n, F f) {
  std::vector<std::optional<double>> out;
  for (size_t i = 0; i < g.size() && i < n; ++i) out.push_back(f(g[i]));
  return out;
}
}  // namespace

CacheMetrics cache_metrics(const std::vector<PlayerGame>& g) {
  using phase4_detail::mean;
  CacheMetrics m;
  const size_t all = g.size();
  auto pts = [](const PlayerGame& x) { return x.points; };
  m.points_avg_last_5 = r4(mean(pick(g, 5, pts)));
  m.points_avg_last_10 = r4(mean(pick(g, 10, pts)));
  m.points_avg_season = r4(mean(pick(g, all, pts)));
  if (std::min<size_t>(g.size(), 10) > 1) m.points_std_last_10 = r4(phase4_detail::sample_std(pick(g, 10, pts)));
  m.minutes_avg_last_10 = r4(mean(pick(g, 10, [](const PlayerGame& x) { return x.minutes; })));
  m.usage_rate_last_10 = r4(mean(pick(g, 10, [](const PlayerGame& x) { return x.usage_rate; })));
  m.ts_pct_last_10 = r4(mean(pick(g, 10, [](const PlayerGame& x) { return x.ts_pct; })));
  m.player_usage_rate_season = r4(mean(pick(g, all, [](const PlayerGame& x) { return x.usage_rate; })));
  double makes = 0, assisted = 0;
  for (size_t i = 0; i < g.size() && i < 10; ++i) {
    makes += g[i].fg_makes.value_or(0);
    assisted += g[i].assisted_fg_makes.value_or(0);
  }
  if (makes > 0) m.assisted_rate_last_10 = py_round(assisted / makes, 9);
  m.games_played_season = static_cast<int64_t>(all);
  return m;
}

std::optional<double> team_mean_r4(const std::vector<std::optional<double>>& values) {
  return r4(phase4_detail::mean(values));
}

WindowCompleteness window_completeness(int64_t expected, int64_t actual) {
  const Completeness c = make_completeness(expected, actual);  // the one legacy completeness formula
  WindowCompleteness w;
  w.expected = c.expected;
  w.actual = c.actual;
  w.missing = c.missing;
  w.pct = c.pct;
  w.ready = c.production_ready;
  return w;
}

namespace {

/// PDC data_hash (default parallel legacy path): full 64-hex SHA-256 of
/// json.dumps(sort_keys=True) of the hash fields, which include
/// cache_quality_score (not a column of the table).
std::string pdc_hash(const Table& t, size_t r, double cache_quality_score) {
  static const std::vector<std::string> kFields = {"player_lookup",
                                                   "universal_player_id",
                                                   "cache_date",
                                                   "points_avg_last_5",
                                                   "points_avg_last_10",
                                                   "points_avg_season",
                                                   "points_std_last_10",
                                                   "minutes_avg_last_10",
                                                   "usage_rate_last_10",
                                                   "ts_pct_last_10",
                                                   "games_played_season",
                                                   "team_pace_last_10",
                                                   "team_off_rating_last_10",
                                                   "player_usage_rate_season",
                                                   "games_in_last_7_days",
                                                   "games_in_last_14_days",
                                                   "minutes_in_last_7_days",
                                                   "minutes_in_last_14_days",
                                                   "back_to_backs_last_14_days",
                                                   "avg_minutes_per_game_last_7",
                                                   "fourth_quarter_minutes_last_7",
                                                   "primary_scoring_zone",
                                                   "paint_rate_last_10",
                                                   "three_pt_rate_last_10",
                                                   "assisted_rate_last_10",
                                                   "player_age",
                                                   "cache_version"};
  std::map<std::string, std::string> kv;
  for (const auto& f : kFields) {
    size_t c = t.require(f);
    const Column& col = t.col(c);
    std::string v;
    if (col.is_null(r)) {
      v = "null";
    } else {
      switch (t.def(c).type) {
        case ColumnType::kInt64:
          v = std::to_string(col.int_at(r));
          break;
        case ColumnType::kFloat64:
        case ColumnType::kNumeric:
          v = py_float(col.real_at(r));
          break;
        case ColumnType::kDate:
          v = json_str(t.cell_text(r, c));
          break;
        default:
          v = json_str(col.text_at(r));
          break;
      }
    }
    kv[f] = v;
  }
  kv["cache_quality_score"] = py_float(cache_quality_score);
  std::string json = "{";
  for (const auto& [k, v] : kv) {
    if (json.size() > 1) json += ", ";
    json += json_str(k) + ": " + v;
  }
  json += "}";
  return sha256_hex(json);
}

}  // namespace

namespace {

/// One season of player_game_summary as per-player, date-ordered histories
/// (PDC's carried state): a date D reads the slices before D.
class PgsHistory final : public proc::SeasonHistory {
 public:
  struct Player {
    std::vector<Date> dates;                                 ///< distinct row dates, ascending
    std::vector<std::pair<Date, const std::string*>> teams;  ///< rows with a team, stored order
    std::vector<std::pair<Date, PlayerGame>> kept;           ///< active with minutes or points, stored order
    [[nodiscard]] size_t dates_in(Date from, Date before) const {
      return static_cast<size_t>(std::lower_bound(dates.begin(), dates.end(), before) -
                                 std::lower_bound(dates.begin(), dates.end(), from));
    }
    /// The team of the last row with a team dated before @p d (nullptr: none).
    [[nodiscard]] const std::string* team_before(Date d) const {
      auto it = std::lower_bound(teams.begin(), teams.end(), d, [](const auto& t, Date x) { return t.first < x; });
      return it == teams.begin() ? nullptr : (it - 1)->second;
    }
  };

  [[nodiscard]] const Player* player(const std::string* name) const {
    auto it = players_.find(name);
    return it == players_.end() ? nullptr : &it->second;
  }
  /// The newest data_hash of the rows before @p d (latest date, then the
  /// largest hash; legacy "latest upstream hash").
  [[nodiscard]] const std::string* latest_hash_before(Date d) const {
    auto it = max_hash_.lower_bound(d.days());
    return it == max_hash_.begin() ? nullptr : std::prev(it)->second;
  }

 protected:
  void add_rows(const Table& p, const std::vector<size_t>& rows) override {
    // Columns resolved once (no name lookups in the per-row loop).
    const Column *c_date = proc::opt_col(p, "game_date"), *c_season = proc::opt_col(p, "season_year"),
                 *c_player = proc::opt_col(p, "player_lookup"), *c_team = proc::opt_col(p, "team_abbr"),
                 *c_points = proc::opt_col(p, "points"), *c_minutes = proc::opt_col(p, "minutes_played"),
                 *c_usage = proc::opt_col(p, "usage_rate"), *c_ts = proc::opt_col(p, "ts_pct"),
                 *c_fgm = proc::opt_col(p, "fg_makes"), *c_ast = proc::opt_col(p, "assisted_fg_makes"),
                 *c_active = proc::opt_col(p, "is_active"), *c_hash = proc::opt_col(p, "data_hash");
    const int season = season_of(first());
    for (size_t r : rows) {
      const Date gd = *proc::date_of(c_date, r);
      if (const std::string* h = proc::text_of(c_hash, r)) {
        auto [it, fresh] = max_hash_.try_emplace(gd.days(), h);
        if (!fresh && *h > *it->second) it->second = h;
      }
      if (proc::int_of(c_season, r).value_or(season) != season) continue;
      const std::string* pl = proc::text_of(c_player, r);
      if (!pl) continue;
      Player& h = players_[pl];
      if (h.dates.empty() || h.dates.back() != gd) h.dates.push_back(gd);
      if (const std::string* team = proc::text_of(c_team, r)) h.teams.emplace_back(gd, team);
      PlayerGame g{proc::real_of(c_points, r), proc::real_of(c_minutes, r), proc::real_of(c_usage, r),
                   proc::real_of(c_ts, r),     proc::real_of(c_fgm, r),     proc::real_of(c_ast, r)};
      const bool active = proc::bool_of(c_active, r).value_or(false);
      if (active && (g.minutes.value_or(0) > 0 || g.points.value_or(0) > 0)) h.kept.emplace_back(gd, g);
    }
  }

 private:
  std::unordered_map<const std::string*, Player> players_;  // interned player_lookup
  std::map<int32_t, const std::string*> max_hash_;          // day → largest data_hash of its rows
};

/// PGS columns PDC reads.
const std::vector<std::string> kPgsColumns = {
    "player_lookup", "game_date", "team_abbr", "season_year",       "is_active", "points",      "minutes_played",
    "usage_rate",    "ts_pct",    "fg_makes",  "assisted_fg_makes", "data_hash", "processed_at"};

UnitOutput compute_daily_cache(const Schedule& schedule, Date d, const PgsHistory& pgs, const DailyCacheInputs& in);

}  // namespace

UnitOutput compute_daily_cache(const Schedule& schedule, Date d, const DailyCacheInputs& in) {
  const int season = season_of(d);
  PgsHistory history;
  // Season-to-date starts at the season's first game (DECISION 2; legacy used
  // season_year only).
  const Date season_start = schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
  history.start(season_start, season_start);
  history.ingest(in.pgs, d - 1);
  return compute_daily_cache(schedule, d, history, in);
}

namespace {

UnitOutput compute_daily_cache(const Schedule& schedule, Date d, const PgsHistory& pgs, const DailyCacheInputs& in) {
  const TableSchema& schema = catalog::get("nba_precompute.player_daily_cache");
  UnitOutput out(schema);
  const int season = season_of(d);
  const Date season_start = pgs.first();

  // UPGC universe (first row per player wins), in player order.
  std::map<std::string, size_t> upgc;
  for (size_t r = 0; r < in.upgc.num_rows(); ++r) {
    if (in.upgc.get_date(r, "game_date") != d) continue;
    if (auto p = in.upgc.get_text(r, "player_lookup")) upgc.emplace(*p, r);
  }
  if (upgc.empty()) {
    // Legacy: backfill synthesised the roster from D's own box scores; that
    // reads D's results (DECISION 1), so an empty UPGC gives an empty date
    // here.
    out.empty_reason = "no upcoming_player_game_context rows for " + d.iso();
    return out;
  }
  // PGS: season S, strictly before D (DECISION 1; legacy used game_date <= D):
  // the history's slices before D.

  // TOGS: each team's 10 most recent games before D, across seasons (legacy: no
  // season filter).
  std::unordered_map<std::string, std::vector<std::pair<Date, size_t>>> togs;
  std::vector<size_t> togs_rows;
  const Column *t_date = proc::opt_col(in.togs, "game_date"), *t_team = proc::opt_col(in.togs, "team_abbr");
  for (size_t r = 0; r < in.togs.num_rows(); ++r) {
    auto gd = proc::date_of(t_date, r);
    const std::string* team = proc::text_of(t_team, r);
    if (!gd || !team || *gd >= d) continue;
    togs_rows.push_back(r);
    togs[*team].emplace_back(*gd, r);
  }
  for (auto& [_, v] : togs) {
    std::sort(v.begin(), v.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    if (v.size() > 10) v.resize(10);
  }

  std::unordered_map<std::string, size_t> psza;
  std::vector<size_t> psza_rows;
  for (size_t r = 0; r < in.psza.num_rows(); ++r) {
    if (in.psza.get_date(r, "analysis_date") != d) continue;
    psza_rows.push_back(r);
    if (auto pl = in.psza.get_text(r, "player_lookup")) psza.emplace(*pl, r);
  }

  const std::string* h_pgs = pgs.latest_hash_before(d);
  const auto h_togs = phase4_detail::latest_hash(in.togs, togs_rows);
  const auto h_upgc = phase4_detail::latest_hash(in.upgc, phase4_detail::rows_dated(in.upgc, "game_date", d, d));
  const auto h_psza = phase4_detail::latest_hash(in.psza, psza_rows);

  // Legacy: is_bootstrap = (D − Oct 1) < 30. We count from the first game
  // (DECISION 2).
  const bool is_bootstrap = (d - season_start) < 30;
  const int month = d.month();
  const bool boundary = month == 10 || month == 11 || month == 4;

  std::vector<std::pair<std::string, size_t>> players(upgc.begin(), upgc.end());
  Table work(schema);
  work.resize(players.size());
  std::vector<std::optional<EntityFailure>> failed(players.size());
  const Table& u = in.upgc;

  tbb::parallel_for(size_t{0}, players.size(), [&](size_t i) {
    const auto& [player, ur] = players[i];
    static const PgsHistory::Player kNone;
    const PgsHistory::Player* hp = pgs.player(intern(player));
    const PgsHistory::Player& h = hp ? *hp : kNone;

    // Completeness windows (DECISION 3: the team's real scheduled games before
    // D). Games windows compare the player's season game dates before D with
    // min(N, team games before D); day windows compare dates in [D − N, D − 1]
    // (legacy: actual included D).
    const std::string* last_team = h.team_before(d);
    const std::string team = last_team ? *last_team : std::string();
    std::vector<const Game*> team_games;
    if (!team.empty()) team_games = schedule.team_games_before(team, d, season);
    auto games_window = [&](int64_t n) {
      const int64_t expected = std::min<int64_t>(n, static_cast<int64_t>(team_games.size()));
      return window_completeness(team.empty() ? 0 : expected, static_cast<int64_t>(h.dates_in(season_start, d)));
    };
    auto days_window = [&](int n) {
      std::set<Date> team_dates;
      for (const Game* g : team_games) {
        if (g->date >= d - n) team_dates.insert(g->date);
      }
      const auto actual = static_cast<int64_t>(h.dates_in(std::max(season_start, d - n), d));
      // Legacy: a day window in which the team had no game (the All-Star break)
      // scored 0 % and failed every player with INCOMPLETE_DATA, emptying PDC
      // for the first days after the break. Fixed (DECISION 6): nothing
      // expected means nothing missing — the window is complete.
      if (team_dates.empty() && !team.empty()) {
        WindowCompleteness w = window_completeness(0, actual);
        w.pct = 100.0;
        w.ready = true;
        return w;
      }
      return window_completeness(static_cast<int64_t>(team_dates.size()), actual);
    };
    const WindowCompleteness l5 = games_window(5), l10 = games_window(10), l7d = days_window(7), l14d = days_window(14);
    const bool all_complete = l5.ready && l10.ready && l7d.ready && l14d.ready;
    // No reprocess-attempts table in nbaprops: circuit breakers never trip
    // (gate 3 is inert).
    if (!all_complete && !is_bootstrap && !boundary) {
      failed[i] = EntityFailure{player, "INCOMPLETE_DATA", "Incomplete data across windows"};
      return;
    }
    const std::vector<PlayerGame> games = proc::newest_first(h.kept, season_start, d, 82);
    const auto n = static_cast<int64_t>(games.size());
    if (n < 5) {
      failed[i] =
          EntityFailure{player, "INSUFFICIENT_DATA", "Only " + std::to_string(n) + " games played, need 5 minimum"};
      return;
    }
    const CacheMetrics m = cache_metrics(games);

    Table& t = work;
    t.set(i, "player_lookup", player);
    if (auto v = opt_text(u, ur, "universal_player_id")) t.set(i, "universal_player_id", *v);
    t.set(i, "cache_date", d);
    t.col("points_avg_last_5").set_real(i, m.points_avg_last_5);
    t.col("points_avg_last_10").set_real(i, m.points_avg_last_10);
    t.col("points_avg_season").set_real(i, m.points_avg_season);
    t.col("points_std_last_10").set_real(i, m.points_std_last_10);
    t.col("minutes_avg_last_10").set_real(i, m.minutes_avg_last_10);
    t.col("usage_rate_last_10").set_real(i, m.usage_rate_last_10);
    t.col("ts_pct_last_10").set_real(i, m.ts_pct_last_10);
    t.set(i, "games_played_season", m.games_played_season);
    t.col("player_usage_rate_season").set_real(i, m.player_usage_rate_season);
    t.col("assisted_rate_last_10").set_real(i, m.assisted_rate_last_10);
    // Team pace / offensive rating over the UPGC team's ≤ 10 TOGS rows; NULL
    // when none.
    const std::string upgc_team = opt_text(u, ur, "team_abbr").value_or("");
    if (auto it = togs.find(upgc_team); it != togs.end()) {
      std::vector<std::optional<double>> pace, ortg;
      for (const auto& [_, r] : it->second) {
        pace.push_back(opt_real(in.togs, r, "pace"));
        ortg.push_back(opt_real(in.togs, r, "offensive_rating"));
      }
      t.col("team_pace_last_10").set_real(i, team_mean_r4(pace));
      t.col("team_off_rating_last_10").set_real(i, team_mean_r4(ortg));
    }
    // Workload copied from UPGC (int() truncation; NULL stays NULL).
    for (const char* c :
         {"games_in_last_7_days", "games_in_last_14_days", "minutes_in_last_7_days", "minutes_in_last_14_days",
          "back_to_backs_last_14_days", "fourth_quarter_minutes_last_7", "player_age"}) {
      t.col(c).set_int(i, opt_int(u, ur, c));
    }
    t.col("avg_minutes_per_game_last_7").set_real(i, r4(opt_real(u, ur, "avg_minutes_per_game_last_7")));
    // Shot zones copied from PSZA (optional).
    auto pit = psza.find(player);
    if (pit != psza.end()) {
      if (auto z = opt_text(in.psza, pit->second, "primary_scoring_zone")) t.set(i, "primary_scoring_zone", *z);
      t.col("paint_rate_last_10").set_real(i, opt_real(in.psza, pit->second, "paint_rate_last_10"));
      t.col("three_pt_rate_last_10").set_real(i, opt_real(in.psza, pit->second, "three_pt_rate_last_10"));
    }
    t.set(i, "shot_zone_data_available", pit != psza.end());
    // source_*_{last_updated,rows_found,completeness_pct}: NULL as in every
    // legacy backfilled row.
    if (h_pgs) t.set(i, "source_player_game_hash", *h_pgs);
    if (h_togs) t.set(i, "source_team_offense_hash", *h_togs);
    if (h_upgc) t.set(i, "source_upcoming_context_hash", *h_upgc);
    if (h_psza) t.set(i, "source_shot_zone_hash", *h_psza);
    t.set(i, "early_season_flag", n < 10);
    if (n < 10) t.set(i, "insufficient_data_reason", "Only " + std::to_string(n) + " games played, need 10 minimum");
    t.set(i, "expected_games_count", l5.expected);
    t.set(i, "actual_games_count", l5.actual);
    t.set(i, "completeness_percentage", l5.pct);
    t.set(i, "missing_games_count", l5.missing);
    t.set(i, "is_production_ready", all_complete);
    t.set(i, "data_quality_issues", "[]");
    // DECISION 2: one bootstrap rule from the schedule (legacy: before Oct 31 /
    // 30 days from Oct 1).
    proc::write_processing_status(t, i, boundary, is_bootstrap);
    t.set(i, "l5_completeness_pct", l5.pct);
    t.set(i, "l5_is_complete", l5.ready);
    t.set(i, "l10_completeness_pct", l10.pct);
    t.set(i, "l10_is_complete", l10.ready);
    t.set(i, "l7d_completeness_pct", l7d.pct);
    t.set(i, "l7d_is_complete", l7d.ready);
    t.set(i, "l14d_completeness_pct", l14d.pct);
    t.set(i, "l14d_is_complete", l14d.ready);
    t.set(i, "all_windows_complete", all_complete);
    t.set(i, "cache_version", "v1");
    // cache_quality_score (= L5 pct) and quality_tier are not columns of the
    // table (legacy: not in the DDL either); the score enters the hash as in
    // the legacy.
    t.set(i, "data_hash", pdc_hash(t, i, l5.pct));
  });

  for (size_t i = 0; i < players.size(); ++i) {
    if (failed[i]) {
      out.failures.push_back(*failed[i]);
    } else {
      out.rows.append_row(work, i);
    }
  }
  out.entities_processed = static_cast<int64_t>(out.rows.num_rows());
  if (out.rows.num_rows() == 0) out.empty_reason = "no player qualified on " + d.iso();
  return out;
}

class DailyCacheProcessor final : public Processor {
 public:
  DailyCacheProcessor() {
    info_.name = "player_daily_cache";
    info_.code = "pdc";
    info_.phase = 4;
    info_.output_table = "nba_precompute.player_daily_cache";
    info_.entity = "players";
    info_.legacy_job = "player_daily_cache";
    // Legacy: ran after PCF as if it read it. Fixed (DECISION 6): PDC reads no
    // PCF column, so PCF is not an upstream.
    info_.reads = {{"nba_analytics.player_game_summary", WindowKind::kSeasonToDate, 0, true},
                   // The team's last 10 games are looked up 365 days back (as the legacy
                   // did), so early in a season they reach into the previous one. Declared
                   // as two reads so the runner waits for (and is blocked by) every TOGS
                   // unit the lookup can reach, while the pre-flight requires only this
                   // season's dates: the previous season's tail is used when present.
                   {"nba_analytics.team_offense_game_summary", WindowKind::kSeasonToDate, 0, true},
                   {"nba_analytics.team_offense_game_summary", WindowKind::kDaysBefore, 365, false},
                   {"nba_analytics.upcoming_player_game_context", WindowKind::kSameDate, 0, true},
                   {"nba_precompute.player_shot_zone_analysis", WindowKind::kSameDate, 0, false}};
    info_.bootstrap = BootstrapPolicy::kSkip;
    info_.description =
        "Daily per-player cache: scoring averages, L10 "
        "usage/TS%, team pace, workload, zones";
  }
  const ProcessorInfo& info() const override { return info_; }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<PgsHistory>(); }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    const int season = season_of(d);
    const Date start = ctx.schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
    // The season's PGS history, carried from the dates before (or this unit's
    // own when run alone): only the dates not ingested yet are read.
    std::unique_ptr<CarriedState> own;
    const auto& pgs = proc::history_for<PgsHistory>(ctx, own, start, start, d - 1, [&](Date from, Date to) {
      return proc::read_window(ctx, "nba_analytics.player_game_summary", from, to, kPgsColumns);
    });
    // The team's last 10 games may reach into the previous season (legacy: no
    // season filter).
    Table togs = proc::read_window(ctx, "nba_analytics.team_offense_game_summary", d - 365, d - 1,
                                   {"team_abbr", "game_date", "pace", "offensive_rating", "data_hash", "processed_at"});
    Table upgc = proc::read_window(ctx, "nba_analytics.upcoming_player_game_context", d, d);
    Table psza = proc::read_window(ctx, "nba_precompute.player_shot_zone_analysis", d, d);
    std::shared_lock lock(pgs.mutex());
    const Table no_pgs(catalog::get("nba_analytics.player_game_summary"));
    return compute_daily_cache(ctx.schedule, d, pgs, {no_pgs, togs, upgc, psza});
  }

 private:
  ProcessorInfo info_;
};

}  // namespace

std::unique_ptr<Processor> make_daily_cache_processor() { return std::make_unique<DailyCacheProcessor>(); }

}  // namespace nbaprops::precompute
