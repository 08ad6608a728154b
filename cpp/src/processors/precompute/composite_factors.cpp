#include "nbaprops/processors/precompute/composite_factors.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <unordered_map>

#include "nbaprops/processors/common.hpp"
#include "phase4_util.hpp"

namespace nbaprops::precompute {
using phase4_detail::json_str;
using phase4_detail::py_float;
using proc::opt_bool;
using proc::opt_int;
using proc::opt_real;
using proc::opt_text;
using proc::py_round;

int fatigue_score(const FatigueInputs& in) {
  int score = 100;
  const int64_t days_rest = in.days_rest.value_or(1);
  if (in.back_to_back.value_or(false)) {
    score -= 15;
  } else if (days_rest >= 3) {
    score += 5;
  }
  if (in.games_last_7.value_or(3) >= 4) score -= 10;
  if (in.minutes_last_7.value_or(200.0) > 240.0) score -= 10;
  if (in.avg_minutes_last_7.value_or(30.0) > 35.0) score -= 8;
  const int64_t b2b14 = in.back_to_backs_last_14.value_or(0);
  if (b2b14 >= 2) {
    score -= 12;
  } else if (b2b14 == 1) {
    score -= 5;
  }
  const int64_t age = in.player_age.value_or(25);
  if (age >= 35) {
    score -= 10;
  } else if (age >= 30) {
    score -= 5;
  }
  return std::clamp(score, 0, 100);
}

double fatigue_adjustment(int score) { return (score - 100) / 20.0; }

double shot_zone_mismatch(const std::optional<PlayerZones>& player, const std::optional<OpponentZones>& opp) {
  if (!player || !opp) return 0.0;
  const std::string zone = player->primary_zone.value_or("");
  std::optional<double> rate = player->paint_rate;
  std::optional<double> defence = opp->paint_vs_league;
  if (zone == "mid_range") {
    rate = player->mid_range_rate;
    defence = opp->mid_range_vs_league;
  } else if (zone == "perimeter") {
    rate = player->three_pt_rate;
    defence = opp->three_pt_vs_league;
  }
  double w = std::min(rate.value_or(50.0) / 50.0, 1.0);
  double m = defence.value_or(0.0) * w;
  if (std::abs(m) > 5.0) m *= 1.2;
  return std::clamp(m, -10.0, 10.0);
}

double pace_score(std::optional<double> pace_differential) {
  return std::clamp(pace_differential.value_or(0.0) / 2.0, -3.0, 3.0);
}

double usage_spike_score(std::optional<double> projected, std::optional<double> baseline,
                         std::optional<int64_t> stars_out) {
  const double p = projected.value_or(25.0);
  const double b = baseline.value_or(25.0);
  const int64_t stars = stars_out.value_or(0);
  if (b == 0.0) return 0.0;
  double s = 0.3 * (p - b);
  if (stars > 0 && s > 0) s *= stars >= 2 ? 1.30 : 1.15;  // negative spikes are never boosted
  return std::clamp(s, -3.0, 3.0);
}

DataCompleteness data_completeness(bool has_days_rest, bool has_projected_usage, bool has_pace_diff, bool has_psza,
                                   bool has_tdza) {
  const std::pair<bool, const char*> checks[] = {{has_days_rest, "days_rest"},
                                                 {has_projected_usage, "projected_usage_rate"},
                                                 {has_pace_diff, "pace_differential"},
                                                 {has_psza, "player_shot_zone"},
                                                 {has_tdza, "team_defense_zone"}};
  DataCompleteness out;
  int passed = 0;
  std::string missing;
  for (const auto& [ok, name] : checks) {
    if (ok) {
      ++passed;
    } else {
      if (!missing.empty()) missing += ", ";
      missing += name;
    }
  }
  out.pct = passed / 5.0 * 100.0;
  if (!missing.empty()) out.missing_fields = missing;
  return out;
}

std::optional<std::string> composite_warnings(double fatigue, double shot_zone, double total) {
  std::string w;
  auto add = [&](const char* s) {
    if (!w.empty()) w += "; ";
    w += s;
  };
  if (fatigue < 50) add("EXTREME_FATIGUE: Player showing severe fatigue");
  if (std::abs(shot_zone) > 8.0) add("EXTREME_MATCHUP: Unusual zone mismatch");
  if (std::abs(total) > 12.0) add("EXTREME_ADJUSTMENT: Very large composite adjustment");
  if (w.empty()) return std::nullopt;
  return w;
}

namespace {

const std::vector<std::string> kHashFields = {"player_lookup",
                                              "universal_player_id",
                                              "game_date",
                                              "game_id",
                                              "analysis_date",
                                              "fatigue_score",
                                              "shot_zone_mismatch_score",
                                              "pace_score",
                                              "usage_spike_score",
                                              "referee_favorability_score",
                                              "look_ahead_pressure_score",
                                              "travel_impact_score",
                                              "opponent_strength_score",
                                              "total_composite_adjustment",
                                              "calculation_version",
                                              "early_season_flag",
                                              "insufficient_data_reason",
                                              "data_completeness_pct",
                                              "missing_data_fields",
                                              "has_warnings",
                                              "warning_details"};

/// An upstream row's is_production_ready (missing row or NULL → false).
bool ready(const Table& t, const std::unordered_map<std::string, size_t>& idx, const std::string& key) {
  auto it = idx.find(key);
  if (it == idx.end()) return false;
  return opt_bool(t, it->second, "is_production_ready").value_or(false);
}

}  // namespace

UnitOutput compute_composite_factors(const Schedule& schedule, Date d, const CompositeFactorsInputs& in) {
  const TableSchema& schema = catalog::get("nba_precompute.player_composite_factors");
  UnitOutput out(schema);

  // Player universe: distinct UPGC players of D, first row wins, in player
  // order (deterministic).
  std::unordered_map<std::string, size_t> upgc_idx = proc::first_row_by(in.upgc, "player_lookup", "game_date", d);
  if (upgc_idx.empty()) {
    // Legacy backfill synthesised a context from D's own box scores (PGS
    // game_date = D) when UPGC was empty; that reads the day's results
    // (DECISION 1), so we report the date as empty instead.
    out.empty_reason = "no upcoming_player_game_context rows for " + d.iso();
    return out;
  }
  std::vector<std::pair<std::string, size_t>> players(upgc_idx.begin(), upgc_idx.end());
  std::sort(players.begin(), players.end());

  const auto psza_idx = proc::first_row_by(in.psza, "player_lookup", "analysis_date", d);
  const auto tdza_idx = proc::first_row_by(in.tdza, "team_abbr", "analysis_date", d);
  const auto utgc_idx = proc::first_row_by(in.utgc, "team_abbr", "game_date", d);

  // Source hashes: the latest data_hash of each source for D (same value on
  // every row).
  auto all_rows = [&](const Table& t, const char* col) { return phase4_detail::rows_dated(t, col, d, d); };
  const auto h_upgc = phase4_detail::latest_hash(in.upgc, all_rows(in.upgc, "game_date"));
  const auto h_utgc = phase4_detail::latest_hash(in.utgc, all_rows(in.utgc, "game_date"));
  const auto h_psza = phase4_detail::latest_hash(in.psza, all_rows(in.psza, "analysis_date"));
  const auto h_tdza = phase4_detail::latest_hash(in.tdza, all_rows(in.tdza, "analysis_date"));

  // Date-level metadata. Legacy: computed from Oct 1 / in production only
  // (backfill wrote False). We compute what the names promise, with the season
  // start from the schedule (DECISION 2).
  const auto start = schedule.season_start(season_of(d));
  const bool bootstrap_mode = start && (d - *start) >= 0 && (d - *start) < 30;
  const int month = d.month();
  const bool season_boundary = month == 10 || month == 11 || month == 4;

  Table& t = out.rows;
  t.resize(players.size());
  const Table& u = in.upgc;
  tbb::parallel_for(size_t{0}, players.size(), [&](size_t i) {
    const auto& [player, ur] = players[i];
    // --- fatigue
    // -------------------------------------------------------------------------------
    FatigueInputs fi;
    fi.days_rest = opt_int(u, ur, "days_rest");
    fi.back_to_back = opt_bool(u, ur, "back_to_back");
    fi.games_last_7 = opt_int(u, ur, "games_in_last_7_days");
    fi.minutes_last_7 = opt_real(u, ur, "minutes_in_last_7_days");
    fi.avg_minutes_last_7 = opt_real(u, ur, "avg_minutes_per_game_last_7");
    fi.back_to_backs_last_14 = opt_int(u, ur, "back_to_backs_last_14_days");
    fi.player_age = opt_int(u, ur, "player_age");
    const int fatigue = fatigue_score(fi);
    // --- shot zone
    // -----------------------------------------------------------------------------
    const auto opponent = opt_text(u, ur, "opponent_team_abbr").value_or("");
    std::optional<PlayerZones> pz;
    if (auto it = psza_idx.find(player); it != psza_idx.end()) {
      size_t r = it->second;
      pz = PlayerZones{opt_text(in.psza, r, "primary_scoring_zone"), opt_real(in.psza, r, "paint_rate_last_10"),
                       opt_real(in.psza, r, "mid_range_rate_last_10"), opt_real(in.psza, r, "three_pt_rate_last_10")};
    }
    std::optional<OpponentZones> oz;
    if (auto it = tdza_idx.find(opponent); it != tdza_idx.end()) {
      size_t r = it->second;
      oz = OpponentZones{opt_real(in.tdza, r, "paint_defense_vs_league_avg"),
                         opt_real(in.tdza, r, "mid_range_defense_vs_league_avg"),
                         opt_real(in.tdza, r, "three_pt_defense_vs_league_avg"), opt_text(in.tdza, r, "weakest_zone")};
    }
    const double shot = shot_zone_mismatch(pz, oz);
    // --- pace and usage
    // ------------------------------------------------------------------------
    const auto pace_diff = opt_real(u, ur, "pace_differential");
    const double pace = pace_score(pace_diff);
    const auto projected = opt_real(u, ur, "projected_usage_rate");
    const auto baseline = opt_real(u, ur, "avg_usage_rate_last_7_games");
    const auto stars = opt_int(u, ur, "star_teammates_out");
    const double usage = usage_spike_score(projected, baseline, stars);
    // Total from the unrounded parts (the four deferred factors add 0.0).
    const double total = py_round(fatigue_adjustment(fatigue) + shot + pace + usage, 2);
    const auto completeness = data_completeness(fi.days_rest.has_value(), projected.has_value(), pace_diff.has_value(),
                                                pz.has_value(), oz.has_value());
    const auto warnings = composite_warnings(fatigue, shot, fatigue_adjustment(fatigue) + shot + pace + usage);

    t.set(i, "player_lookup", player);
    if (auto v = opt_text(u, ur, "universal_player_id")) t.set(i, "universal_player_id", *v);
    t.set(i, "game_date", d);
    if (auto v = opt_text(u, ur, "game_id")) t.set(i, "game_id", *v);
    t.set(i, "analysis_date", d);
    t.set(i, "fatigue_score", int64_t{fatigue});
    t.set(i, "shot_zone_mismatch_score", py_round(shot, 1));
    t.set(i, "pace_score", py_round(pace, 1));
    t.set(i, "usage_spike_score", py_round(usage, 1));
    for (const char* c : {"referee_favorability_score", "look_ahead_pressure_score", "travel_impact_score",
                          "opponent_strength_score"}) {
      t.set(i, c, 0.0);  // deferred factors
    }
    t.set(i, "total_composite_adjustment", total);

    // Context JSON as the default (parallel) legacy path writes it: values
    // actually used.
    const double min7 = fi.minutes_last_7.value_or(200.0);
    const double mpg7 = fi.avg_minutes_last_7.value_or(30.0);
    t.set(i, "fatigue_context_json",
          "{\"days_rest\": " + std::to_string(fi.days_rest.value_or(1)) +
              ", \"back_to_back\": " + (fi.back_to_back.value_or(false) ? "true" : "false") +
              ", \"games_last_7\": " + std::to_string(fi.games_last_7.value_or(3)) +
              ", \"minutes_last_7\": " + py_float(min7) + ", \"avg_minutes_pg_last_7\": " + py_float(mpg7) +
              ", \"back_to_backs_last_14\": " + std::to_string(fi.back_to_backs_last_14.value_or(0)) +
              ", \"player_age\": " + std::to_string(fi.player_age.value_or(25)) +
              ", \"final_score\": " + std::to_string(fatigue) + "}");
    if (!pz || !oz) {
      t.set(i, "shot_zone_context_json", "{\"missing_data\": true}");
    } else {
      t.set(i, "shot_zone_context_json",
            "{\"player_primary_zone\": " + json_str(pz->primary_zone.value_or("unknown")) +
                ", \"opponent_weak_zone\": " + json_str(oz->weakest_zone.value_or("unknown")) +
                ", \"final_score\": " + py_float(shot) + "}");
    }
    t.set(
        i, "pace_context_json",
        "{\"pace_differential\": " + py_float(pace_diff.value_or(0.0)) + ", \"final_score\": " + py_float(pace) + "}");
    const double p_used = projected.value_or(25.0);
    const double b_used = baseline.value_or(25.0);
    t.set(i, "usage_context_json",
          "{\"projected_usage_rate\": " + py_float(p_used) + ", \"avg_usage_last_7\": " + py_float(b_used) +
              ", \"usage_differential\": " + py_float(b_used == 0.0 ? 0.0 : p_used - b_used) +
              ", \"star_teammates_out\": " + std::to_string(stars.value_or(0)) +
              ", \"final_score\": " + py_float(usage) + "}");

    t.set(i, "calculation_version", kPcfVersion);
    t.set(i, "data_completeness_pct", completeness.pct);
    if (completeness.missing_fields) t.set(i, "missing_data_fields", *completeness.missing_fields);
    t.set(i, "has_warnings", warnings.has_value());
    if (warnings) t.set(i, "warning_details", *warnings);

    // source_*_{last_updated,rows_found,completeness_pct}: NULL, as every
    // legacy backfilled row (the dependency check that fills them is replaced
    // in backfill mode).
    if (h_upgc) t.set(i, "source_player_context_hash", *h_upgc);
    if (h_utgc) t.set(i, "source_team_context_hash", *h_utgc);
    if (h_psza) t.set(i, "source_player_shot_hash", *h_psza);
    if (h_tdza) t.set(i, "source_team_defense_hash", *h_tdza);

    t.set(i, "early_season_flag",
          false);  // constant in the legacy; insufficient_data_reason NULL
    // Own completeness: legacy backfill values (no PGS completeness check in
    // PCF, whose DAG reads are UPGC/UTGC/PSZA/TDZA): expected = actual = PSZA
    // rows of the player (1 when none), 100 %.
    const int64_t psza_rows = 1;  // one PSZA row per (player, D) by construction, 1 when absent
    t.set(i, "expected_games_count", psza_rows);
    t.set(i, "actual_games_count", psza_rows);
    t.set(i, "completeness_percentage", 100.0);
    t.set(i, "missing_games_count", int64_t{0});
    // Upstream readiness from the rows' own is_production_ready (legacy
    // production lookups; backfill set them all True). UTGC and TDZA are the
    // opponent's rows, as in the legacy.
    const bool shot_ready = ready(in.psza, psza_idx, player);
    const bool def_ready = ready(in.tdza, tdza_idx, opponent);
    const bool ctx_ready = opt_bool(u, ur, "is_production_ready").value_or(false);
    const bool team_ready = ready(in.utgc, utgc_idx, opponent);
    const bool all_up = shot_ready && def_ready && ctx_ready && team_ready;
    std::vector<std::string> issues;
    if (!shot_ready) issues.emplace_back("upstream_player_shot_zone_incomplete");
    if (!def_ready) issues.emplace_back("upstream_team_defense_zone_incomplete");
    if (!ctx_ready) issues.emplace_back("upstream_player_context_incomplete");
    if (!team_ready) issues.emplace_back("upstream_team_context_incomplete");
    t.set(i, "is_production_ready", all_up);  // own readiness is true (100 %)
    t.set(i, "data_quality_issues", proc::json_array(issues));
    t.set(i, "upstream_player_shot_ready", shot_ready);
    t.set(i, "upstream_team_defense_ready", def_ready);
    t.set(i, "upstream_player_context_ready", ctx_ready);
    t.set(i, "upstream_team_context_ready", team_ready);
    t.set(i, "all_upstreams_ready", all_up);
    // No reprocess-attempts table in nbaprops: breakers are never active;
    // attempt time NULL. DECISION 2: one bootstrap rule from the schedule
    // (legacy: before Oct 31 / 30 days from Oct 1).
    proc::write_processing_status(t, i, season_boundary, bootstrap_mode);
    t.set(i, "data_hash", phase4_detail::mixin_hash(t, i, kHashFields));
  });
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  return out;
}

namespace {

class CompositeFactorsProcessor final : public Processor {
 public:
  CompositeFactorsProcessor() {
    info_.name = "player_composite_factors";
    info_.code = "pcf";
    info_.phase = 4;
    info_.output_table = "nba_precompute.player_composite_factors";
    info_.entity = "players";
    info_.legacy_job = "player_composite_factors";
    // UPGC/UTGC rows of D are pre-game context; PSZA/TDZA of D are computed
    // from games before D.
    info_.reads = {{"nba_analytics.upcoming_player_game_context", WindowKind::kSameDate, 0, true},
                   {"nba_analytics.upcoming_team_game_context", WindowKind::kSameDate, 0, false},
                   {"nba_precompute.player_shot_zone_analysis", WindowKind::kSameDate, 0, true},
                   {"nba_precompute.team_defense_zone_analysis", WindowKind::kSameDate, 0, true}};
    info_.bootstrap = BootstrapPolicy::kSkip;
    info_.description =
        "Fatigue, shot-zone mismatch, pace and usage-spike "
        "adjustments per player (v1_4factors)";
  }
  const ProcessorInfo& info() const override { return info_; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    Table upgc = proc::read_window(ctx, "nba_analytics.upcoming_player_game_context", d, d);
    Table utgc = proc::read_window(ctx, "nba_analytics.upcoming_team_game_context", d, d);
    Table psza = proc::read_window(ctx, "nba_precompute.player_shot_zone_analysis", d, d);
    Table tdza = proc::read_window(ctx, "nba_precompute.team_defense_zone_analysis", d, d);
    return compute_composite_factors(ctx.schedule, d, {upgc, utgc, psza, tdza});
  }

 private:
  ProcessorInfo info_;
};

}  // namespace

std::unique_ptr<Processor> make_composite_factors_processor() { return std::make_unique<CompositeFactorsProcessor>(); }

}  // namespace nbaprops::precompute
