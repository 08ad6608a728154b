#include "nbaprops/processors/precompute/player_shot_zone.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "nbaprops/processors/common.hpp"

namespace nbaprops::precompute {

namespace {

const char* const kPgs = "nba_analytics.player_game_summary";
const char* const kOutput = "nba_precompute.player_shot_zone_analysis";
/// Days of the legacy dependency-check window behind
/// source_player_game_rows_found (2 × 10 games).
constexpr int kSourceWindowDays = 20;

/// The PGS columns PSZA reads.
const std::vector<std::string> kPgsColumns = {"player_lookup",
                                              "universal_player_id",
                                              "game_id",
                                              "game_date",
                                              "team_abbr",
                                              "paint_attempts",
                                              "paint_makes",
                                              "mid_range_attempts",
                                              "mid_range_makes",
                                              "three_pt_attempts",
                                              "three_pt_makes",
                                              "assisted_fg_makes",
                                              "unassisted_fg_makes",
                                              "fg_makes",
                                              "fg_attempts",
                                              "minutes_played",
                                              "is_active",
                                              "processed_at",
                                              "data_hash"};

const std::vector<std::string> kHashFields = {
    "player_lookup",           "universal_player_id",         "analysis_date",
    "paint_rate_last_10",      "mid_range_rate_last_10",      "three_pt_rate_last_10",
    "paint_pct_last_10",       "mid_range_pct_last_10",       "three_pt_pct_last_10",
    "paint_attempts_per_game", "mid_range_attempts_per_game", "three_pt_attempts_per_game",
    "assisted_rate_last_10",   "unassisted_rate_last_10",     "total_shots_last_10",
    "games_in_sample_10",      "sample_quality_10",           "paint_rate_last_20",
    "paint_pct_last_20",       "games_in_sample_20",          "sample_quality_20",
    "player_position",         "primary_scoring_zone",        "data_quality_tier",
    "calculation_notes"};

/// A player's rows inside the season window.
struct PlayerRows {
  std::vector<ShotGame> games;  ///< qualifying games
  std::set<Date> all_dates;     ///< every row's date (any status): completeness "actual"
  Date latest_date;             ///< latest row (any status) → current team
  std::string latest_team;
  Date latest_game_date;  ///< latest qualifying row → universal_player_id
  std::string latest_game_id;
  std::optional<std::string> universal_player_id;
  bool has_row = false, has_game = false;
};

struct PlayerResult {
  std::optional<ShotZoneMetrics> last10, last20;
  int games10 = 0, games20 = 0;
  Completeness completeness;
  std::optional<EntityFailure> failure;
};

std::optional<double> share(int64_t part, int64_t whole, double scale, int digits) {
  if (whole == 0) return std::nullopt;
  return np_round(static_cast<double>(part) / static_cast<double>(whole) * scale, digits);
}

}  // namespace

ShotZoneMetrics shot_zone_metrics(const std::vector<ShotGame>& games) {
  ShotZoneMetrics m;
  m.games = static_cast<int>(games.size());
  int64_t pa = 0, pm = 0, ma = 0, mm = 0, ta = 0, tm = 0, fgm = 0, ast = 0, una = 0;
  bool ast_known = false, una_known = false;
  for (const auto& g : games) {
    ast_known = ast_known || g.assisted_known;
    una_known = una_known || g.unassisted_known;
    pa += g.paint_attempts;
    pm += g.paint_makes;
    ma += g.mid_attempts;
    mm += g.mid_makes;
    ta += g.three_attempts;
    tm += g.three_makes;
    fgm += g.fg_makes;
    ast += g.assisted;
    una += g.unassisted;
  }
  const int64_t tot = pa + ma + ta;  // zone attempts, not fg_attempts (legacy)
  m.paint_rate = share(pa, tot, 100.0, 2);
  m.mid_rate = share(ma, tot, 100.0, 2);
  m.three_rate = share(ta, tot, 100.0, 2);
  m.paint_pct = share(pm, pa, 1.0, 3);
  m.mid_pct = share(mm, ma, 1.0, 3);
  m.three_pct = share(tm, ta, 1.0, 3);
  if (m.games > 0) {
    m.paint_apg = np_round(static_cast<double>(pa) / m.games, 1);
    m.mid_apg = np_round(static_cast<double>(ma) / m.games, 1);
    m.three_apg = np_round(static_cast<double>(ta) / m.games, 1);
  }
  // Legacy: a NULL assisted/unassisted count summed as 0, so shots-only data
  // (no assist information) reported 0 % assisted. Fixed (DECISION 6): NULL
  // when no game of the window knew it.
  if (tot > 0 && fgm > 0) {
    if (ast_known) m.assisted_rate = share(ast, fgm, 100.0, 2);
    if (una_known) m.unassisted_rate = share(una, fgm, 100.0, 2);
  }
  if (tot > 0) m.total_shots = tot;
  return m;
}

std::optional<std::string> primary_scoring_zone(std::optional<double> paint_rate, std::optional<double> mid_rate,
                                                std::optional<double> three_rate) {
  const double paint = paint_rate.value_or(0), mid = mid_rate.value_or(0), three = three_rate.value_or(0);
  if (paint == 0 && mid == 0 && three == 0) return std::nullopt;
  if (paint >= 40) return "paint";
  if (three >= 40) return "perimeter";
  if (mid >= 35) return "mid_range";
  return "balanced";
}

std::string psza_quality_tier(int games) {
  if (games >= 10) return "high";
  if (games >= 7) return "medium";
  return "low";
}

std::string sample_quality(int n, int target) {
  if (n >= target) return "excellent";
  if (n >= static_cast<int>(0.7 * target)) return "good";
  if (n >= static_cast<int>(0.5 * target)) return "limited";
  return "insufficient";
}

bool qualifies(std::optional<bool> is_active, std::optional<double> minutes_played,
               std::optional<int64_t> fg_attempts) {
  if (!is_active.value_or(false)) return false;
  return minutes_played.value_or(0) > 0 || fg_attempts.value_or(0) > 0;
}

UnitOutput compute_player_shot_zone(const Schedule& schedule, Date d, const Table& pgs) {
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
  const Date source_from = d - kSourceWindowDays;

  std::unordered_map<std::string, PlayerRows> players;
  std::optional<std::string> last_updated, source_hash;
  int64_t rows_found = 0;
  // Columns resolved once; the loop reads cells without allocating (no per-row
  // string lookups).
  const Column& c_player = pgs.col("player_lookup");
  const Column& c_date = pgs.col("game_date");
  const Column& c_game = pgs.col("game_id");
  const Column& c_team = pgs.col("team_abbr");
  const Column& c_upid = pgs.col("universal_player_id");
  const Column& c_active = pgs.col("is_active");
  const Column& c_minutes = pgs.col("minutes_played");
  const Column& c_fga = pgs.col("fg_attempts");
  const Column& c_processed = pgs.col("processed_at");
  const Column& c_hash = pgs.col("data_hash");
  const Column* c_zone[9] = {
      &pgs.col("paint_attempts"),  &pgs.col("paint_makes"),       &pgs.col("mid_range_attempts"),
      &pgs.col("mid_range_makes"), &pgs.col("three_pt_attempts"), &pgs.col("three_pt_makes"),
      &pgs.col("fg_makes"),        &pgs.col("assisted_fg_makes"), &pgs.col("unassisted_fg_makes")};
  static const std::string kEmpty;
  auto text = [](const Column& c, size_t r) -> const std::string& { return c.is_null(r) ? kEmpty : c.text_at(r); };
  size_t source_row = 0;
  bool have_source = false;
  for (size_t r = 0; r < pgs.num_rows(); ++r) {
    if (c_player.is_null(r) || c_date.is_null(r)) continue;
    const Date date(static_cast<int32_t>(c_date.int_at(r)));
    // DECISION 1: strictly before D (legacy: game_date <= analysis_date).
    if (date >= d || date < season_start) continue;
    const std::string& player = c_player.text_at(r);
    const std::string& game_id = text(c_game, r);
    PlayerRows& p = players[player];
    p.all_dates.insert(date);
    if (!p.has_row || date > p.latest_date) {
      p.has_row = true;
      p.latest_date = date;
      p.latest_team = text(c_team, r);
    }
    if (date >= source_from) ++rows_found;
    if (!c_processed.is_null(r)) {
      // source_player_game_last_updated: when the upstream was last written (a
      // timestamp, like processed_at itself).
      if (!last_updated || c_processed.text_at(r) > *last_updated) last_updated = c_processed.text_at(r);
      // Source tracking: the newest upstream row (ties: player, then game id).
      // Legacy: the most recently *processed* row. Fixed (DECISION 4):
      // processed_at changes on every rerun, so the source hash would too; the
      // game date makes the choice stable.
      bool newer = !have_source;
      if (have_source) {
        const Date best_date(static_cast<int32_t>(c_date.int_at(source_row)));
        if (date != best_date) {
          newer = date > best_date;
        } else {
          const std::string& bp = c_player.text_at(source_row);
          newer = player != bp ? player > bp : game_id > text(c_game, source_row);
        }
      }
      if (newer) {
        source_row = r;
        have_source = true;
      }
    }
    const std::optional<bool> active =
        c_active.is_null(r) ? std::nullopt : std::optional<bool>(c_active.int_at(r) != 0);
    if (!qualifies(active, c_minutes.get_real(r), c_fga.get_int(r))) continue;
    ShotGame g;
    g.date = date;
    g.game_id = game_id;
    int64_t v[9];
    for (int k = 0; k < 9; ++k) v[k] = c_zone[k]->get_int(r).value_or(0);
    g.paint_attempts = v[0], g.paint_makes = v[1], g.mid_attempts = v[2], g.mid_makes = v[3];
    g.three_attempts = v[4], g.three_makes = v[5], g.fg_makes = v[6], g.assisted = v[7], g.unassisted = v[8];
    g.assisted_known = !c_zone[7]->is_null(r);
    g.unassisted_known = !c_zone[8]->is_null(r);
    if (!p.has_game || date > p.latest_game_date || (date == p.latest_game_date && game_id > p.latest_game_id)) {
      p.has_game = true;
      p.latest_game_date = date;
      p.latest_game_id = game_id;
      p.universal_player_id = c_upid.get_text(r);
    }
    p.games.push_back(std::move(g));
  }
  if (have_source) {
    source_hash = c_hash.get_text(source_row);
  }

  // Entities: players with at least one qualifying game (legacy extract), in
  // name order.
  std::vector<std::string> names;
  for (const auto& [name, p] : players) {
    if (p.has_game) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) {
    out.empty_reason = "no qualifying player_game_summary rows between " + season_start.iso() + " and " + (d - 1).iso();
    return out;
  }

  // Expected games per team: the team's last 10 scheduled games this season
  // before D (DECISIONS 2, 3; legacy had no season lower bound).
  std::map<std::string, int64_t> expected_by_team;
  for (const auto& name : names) {
    const std::string& team = players[name].latest_team;
    if (!expected_by_team.count(team)) {
      auto n = static_cast<int64_t>(schedule.team_games_before(team, d, season).size());
      expected_by_team[team] = std::min<int64_t>(n, kPszaGames);
    }
  }

  const bool bootstrap = schedule.is_bootstrap(d);  // false here; kept for the legacy bypass shape
  const bool boundary = is_season_boundary(d);
  std::vector<PlayerResult> results(names.size());
  tbb::parallel_for(size_t{0}, names.size(), [&](size_t i) {
    const std::string& name = names[i];
    PlayerResult& res = results[i];
    try {
      PlayerRows& p = players.at(name);
      const int64_t expected = expected_by_team.at(p.latest_team);
      res.completeness = make_completeness(expected, static_cast<int64_t>(p.all_dates.size()));
      if (!res.completeness.production_ready && !bootstrap && !boundary) {
        // Legacy category INCOMPLETE_DATA (Dec–Mar only): fewer season rows
        // than the team's last 10.
        res.failure = EntityFailure{name, "INCOMPLETE_UPSTREAM",
                                    "Incomplete data: " + pct_text(res.completeness.pct) + "% (" +
                                        std::to_string(res.completeness.actual) + "/" +
                                        std::to_string(res.completeness.expected) + " games)"};
        return;
      }
      std::sort(p.games.begin(), p.games.end(), [](const ShotGame& a, const ShotGame& b) {
        return a.date != b.date ? a.date > b.date : a.game_id > b.game_id;
      });
      res.games10 = std::min<int>(static_cast<int>(p.games.size()), kPszaGames);
      res.games20 = std::min<int>(static_cast<int>(p.games.size()), kPszaTrendGames);
      if (res.games10 < kPszaGames) {
        const std::string counts = std::to_string(res.games10) + "/" + std::to_string(expected) + " games (need " +
                                   std::to_string(kPszaGames) + ")";
        // Legacy: INCOMPLETE_UPSTREAM whenever the team's last-10 count was 10,
        // so a bench player with a row for every team game but < 10 qualifying
        // ones was "missing upstream data" (spec B.3.6; legacy backfill mode
        // called all of them EXPECTED_INCOMPLETE). Fixed (DECISION 6): upstream
        // is incomplete only when the player's rows miss scheduled games
        // (completeness missing > 0).
        if (res.completeness.missing > 0) {
          res.failure = EntityFailure{name, "INCOMPLETE_UPSTREAM", "Missing upstream data: " + counts};
        } else if (expected < kPszaGames) {
          res.failure = EntityFailure{name, "EXPECTED_INCOMPLETE", "Season bootstrap: " + counts};
        } else {
          res.failure = EntityFailure{name, "EXPECTED_INCOMPLETE", "Too few qualifying games: " + counts};
        }
        return;
      }
      res.last10 = shot_zone_metrics(std::vector<ShotGame>(p.games.begin(), p.games.begin() + res.games10));
      if (res.games20 >= kPszaTrendMinGames) {
        res.last20 = shot_zone_metrics(std::vector<ShotGame>(p.games.begin(), p.games.begin() + res.games20));
      }
    } catch (const std::exception& e) {
      res.failure = EntityFailure{name, "PROCESSING_ERROR", e.what()};
      res.last10.reset();
    }
  });

  Table& t = out.rows;
  for (size_t i = 0; i < names.size(); ++i) {
    PlayerResult& res = results[i];
    if (res.failure) {
      out.failures.push_back(std::move(*res.failure));
      continue;
    }
    if (!res.last10) continue;
    const ShotZoneMetrics& m = *res.last10;
    const PlayerRows& p = players.at(names[i]);
    size_t r = t.add_row();
    t.set(r, "player_lookup", names[i]);
    if (p.universal_player_id) t.set(r, "universal_player_id", *p.universal_player_id);
    t.set(r, "analysis_date", d);
    t.col("paint_rate_last_10").set_real(r, m.paint_rate);
    t.col("mid_range_rate_last_10").set_real(r, m.mid_rate);
    t.col("three_pt_rate_last_10").set_real(r, m.three_rate);
    t.col("total_shots_last_10").set_int(r, m.total_shots);
    t.set(r, "games_in_sample_10", int64_t{res.games10});
    t.set(r, "sample_quality_10", sample_quality(res.games10, kPszaGames));
    t.col("paint_pct_last_10").set_real(r, m.paint_pct);
    t.col("mid_range_pct_last_10").set_real(r, m.mid_pct);
    t.col("three_pt_pct_last_10").set_real(r, m.three_pct);
    t.set(r, "paint_attempts_per_game", m.paint_apg);
    t.set(r, "mid_range_attempts_per_game", m.mid_apg);
    t.set(r, "three_pt_attempts_per_game", m.three_apg);
    if (res.last20) {
      t.col("paint_rate_last_20").set_real(r, res.last20->paint_rate);
      t.col("paint_pct_last_20").set_real(r, res.last20->paint_pct);
    }
    t.set(r, "games_in_sample_20", int64_t{res.games20});
    t.set(r, "sample_quality_20", sample_quality(res.games20, kPszaTrendGames));
    t.col("assisted_rate_last_10").set_real(r, m.assisted_rate);
    t.col("unassisted_rate_last_10").set_real(r, m.unassisted_rate);
    // player_position and calculation_notes stay NULL on real rows (legacy).
    if (auto zone = primary_scoring_zone(m.paint_rate, m.mid_rate, m.three_rate)) {
      t.set(r, "primary_scoring_zone", *zone);
    }
    t.set(r, "data_quality_tier", psza_quality_tier(res.games10));
    // Legacy: the default parallel path left the three v4.0 source fields NULL
    // (spec B.3.5). Fixed (DECISION 6): they carry what their names promise,
    // from the 20-day source window.
    if (last_updated) t.set(r, "source_player_game_last_updated", *last_updated);
    t.set(r, "source_player_game_rows_found", rows_found);
    t.set(r, "source_player_game_completeness_pct", rows_found > 0 ? 100.0 : 0.0);
    if (source_hash) t.set(r, "source_player_game_hash", *source_hash);
    t.set(r, "early_season_flag", false);
    write_completeness(t, r, res.completeness);
    // DECISION 2: one bootstrap rule from the schedule (legacy: before Oct 31 /
    // 30 days from Oct 1).
    proc::write_processing_status(t, r, boundary, bootstrap);
  }
  fill_precompute_hash(t, kHashFields);
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0) {
    out.empty_reason = "no player qualified on " + d.iso() + " (" + std::to_string(out.failures.size()) +
                       " failures; " + std::to_string(kPszaGames) + " qualifying games before the date are needed)";
  }
  return out;
}

namespace {

class PlayerShotZoneProcessor final : public Processor {
 public:
  PlayerShotZoneProcessor() {
    info_.name = "player_shot_zone_analysis";
    info_.code = "psza";
    info_.phase = 4;
    info_.output_table = kOutput;
    info_.entity = "players";
    info_.legacy_job = "player_shot_zone_analysis";
    // Metrics use the last 10/20 games, but completeness counts the whole
    // season to date, so the unit reads (and must wait for) every PGS date of
    // the season before D.
    info_.reads = {{kPgs, WindowKind::kSeasonToDate, 0, true}};
    info_.bootstrap = BootstrapPolicy::kSkip;
    info_.description =
        "Player shot distribution, FG% and attempts by zone "
        "over the last 10 games, assisted share, 20-game "
        "paint trend and primary scoring zone";
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
    // One read, season to date: the last 20 games and the completeness count
    // live there.
    Table pgs = proc::read_window(ctx, kPgs, std::min(season_start, d - 1), d - 1, kPgsColumns);
    return compute_player_shot_zone(ctx.schedule, d, pgs);
  }

 private:
  ProcessorInfo info_;
};

}  // namespace

std::unique_ptr<Processor> make_player_shot_zone_processor() { return std::make_unique<PlayerShotZoneProcessor>(); }

}  // namespace nbaprops::precompute
