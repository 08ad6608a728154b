#include "nbaprops/processors/precompute/composite_factors.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <string_view>
#include <unordered_map>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/precompute/zone_common.hpp"
#include "phase4_util.hpp"

namespace nbaprops::precompute {
using phase4_detail::json_str;
using phase4_detail::py_float;
using proc::bool_of;
using proc::int_of;
using proc::opt_col;
using proc::py_round_signed;
using proc::real_of;

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

namespace pcf = cols::player_composite_factors;

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

/// The UPGC columns PCF reads, resolved once (nullptr: left out of the
/// projection, reads as NULL).
struct UpgcColumns {
  explicit UpgcColumns(const Table& u)
      : days_rest(opt_col(u, "days_rest")),
        back_to_back(opt_col(u, "back_to_back")),
        games_last_7(opt_col(u, "games_in_last_7_days")),
        minutes_last_7(opt_col(u, "minutes_in_last_7_days")),
        avg_minutes_last_7(opt_col(u, "avg_minutes_per_game_last_7")),
        back_to_backs_last_14(opt_col(u, "back_to_backs_last_14_days")),
        player_age(opt_col(u, "player_age")),
        opponent(opt_col(u, "opponent_team_abbr")),
        pace_diff(opt_col(u, "pace_differential")),
        projected(opt_col(u, "projected_usage_rate")),
        baseline(opt_col(u, "avg_usage_rate_last_7_games")),
        stars(opt_col(u, "star_teammates_out")),
        upid(opt_col(u, "universal_player_id")),
        game(opt_col(u, "game_id")),
        ready(opt_col(u, "is_production_ready")) {}
  const Column *days_rest, *back_to_back, *games_last_7, *minutes_last_7, *avg_minutes_last_7, *back_to_backs_last_14,
      *player_age, *opponent, *pace_diff, *projected, *baseline, *stars, *upid, *game, *ready;
};

/// The columns PCF reads of its four upstreams (its projections: the run's
/// cache loads only these).
const std::vector<std::string> kUpgcColumns = {"player_lookup",
                                               "game_date",
                                               "universal_player_id",
                                               "game_id",
                                               "days_rest",
                                               "back_to_back",
                                               "games_in_last_7_days",
                                               "minutes_in_last_7_days",
                                               "avg_minutes_per_game_last_7",
                                               "back_to_backs_last_14_days",
                                               "player_age",
                                               "opponent_team_abbr",
                                               "pace_differential",
                                               "projected_usage_rate",
                                               "avg_usage_rate_last_7_games",
                                               "star_teammates_out",
                                               "is_production_ready",
                                               "data_hash",
                                               "processed_at"};
const std::vector<std::string> kUtgcColumns = {"team_abbr", "game_date", "is_production_ready", "data_hash",
                                               "processed_at"};
const std::vector<std::string> kPszaColumns = {"player_lookup",
                                               "analysis_date",
                                               "primary_scoring_zone",
                                               "paint_rate_last_10",
                                               "mid_range_rate_last_10",
                                               "three_pt_rate_last_10",
                                               "is_production_ready",
                                               "data_hash",
                                               "processed_at"};
const std::vector<std::string> kTdzaColumns = {"team_abbr",
                                               "analysis_date",
                                               "paint_defense_vs_league_avg",
                                               "mid_range_defense_vs_league_avg",
                                               "three_pt_defense_vs_league_avg",
                                               "weakest_zone",
                                               "is_production_ready",
                                               "data_hash",
                                               "processed_at"};

/// An upstream table's rows of D by entity (first row wins; keys are interned
/// pointers), its is_production_ready column and the latest data_hash of D.
struct Upstream {
  Upstream(const Table& table, const char* key, const char* date_col, Date d)
      : ready_col(opt_col(table, "is_production_ready")) {
    std::vector<size_t> dated;
    sorted = phase4_detail::first_rows_by(table, key, date_col, d, &dated);
    rows = phase4_detail::RowByKey(sorted);
    hash = phase4_detail::latest_hash_ptr(table, dated);
  }
  [[nodiscard]] std::optional<size_t> row_of(const std::string* key) const {
    auto it = rows.find(key);
    if (it == rows.end()) return std::nullopt;
    return it->second;
  }
  /// The entity's is_production_ready (missing row or NULL → false).
  [[nodiscard]] bool ready(const std::string* key) const {
    auto r = row_of(key);
    return r && proc::bool_of(ready_col, *r).value_or(false);
  }
  std::vector<std::pair<const std::string*, size_t>> sorted;  ///< (key, first row), in key order
  phase4_detail::RowByKey rows;                               ///< the same, by key
  const Column* ready_col;
  const std::string* hash = nullptr;  ///< latest data_hash of D (nullptr: none)
};

/// The PSZA and TDZA columns of a player's zones, resolved once (nullptr: left
/// out of the projection, reads as NULL).
struct ZoneColumns {
  ZoneColumns(const Table& psza, const Table& tdza)
      : zone(opt_col(psza, "primary_scoring_zone")),
        paint(opt_col(psza, "paint_rate_last_10")),
        mid(opt_col(psza, "mid_range_rate_last_10")),
        three(opt_col(psza, "three_pt_rate_last_10")),
        paint_def(opt_col(tdza, "paint_defense_vs_league_avg")),
        mid_def(opt_col(tdza, "mid_range_defense_vs_league_avg")),
        three_def(opt_col(tdza, "three_pt_defense_vs_league_avg")),
        weakest(opt_col(tdza, "weakest_zone")) {}
  const Column *zone, *paint, *mid, *three, *paint_def, *mid_def, *three_def, *weakest;
};

/// Everything a player's row is computed from, and its four active factors.
struct PlayerFactors {
  FatigueInputs fi;
  int fatigue = 0;
  const std::string* opponent = nullptr;  ///< interned; "" when NULL (as the legacy's lookup key)
  std::optional<PlayerZones> pz;
  std::optional<OpponentZones> oz;
  double shot = 0;
  std::optional<double> pace_diff, projected, baseline;
  std::optional<int64_t> stars;
  double pace = 0, usage = 0;
  /// Unrounded sum (the four deferred factors add 0.0).
  [[nodiscard]] double total() const { return fatigue_adjustment(fatigue) + shot + pace + usage; }
};

PlayerFactors player_factors(const std::string* player, const UpgcColumns& u, size_t ur, const Upstream& psza,
                             const Upstream& tdza, const ZoneColumns& z) {
  using phase4_detail::opt_string;
  PlayerFactors f;
  f.fi.days_rest = int_of(u.days_rest, ur);
  f.fi.back_to_back = bool_of(u.back_to_back, ur);
  f.fi.games_last_7 = int_of(u.games_last_7, ur);
  f.fi.minutes_last_7 = real_of(u.minutes_last_7, ur);
  f.fi.avg_minutes_last_7 = real_of(u.avg_minutes_last_7, ur);
  f.fi.back_to_backs_last_14 = int_of(u.back_to_backs_last_14, ur);
  f.fi.player_age = int_of(u.player_age, ur);
  f.fatigue = fatigue_score(f.fi);
  const std::string* opp = proc::text_of(u.opponent, ur);
  f.opponent = opp ? opp : Column::empty_text();
  if (auto r = psza.row_of(player)) {
    f.pz = PlayerZones{opt_string(z.zone, *r), real_of(z.paint, *r), real_of(z.mid, *r), real_of(z.three, *r)};
  }
  if (auto r = tdza.row_of(f.opponent)) {
    f.oz = OpponentZones{real_of(z.paint_def, *r), real_of(z.mid_def, *r), real_of(z.three_def, *r),
                         opt_string(z.weakest, *r)};
  }
  f.shot = shot_zone_mismatch(f.pz, f.oz);
  f.pace_diff = real_of(u.pace_diff, ur);
  f.pace = pace_score(f.pace_diff);
  f.projected = real_of(u.projected, ur);
  f.baseline = real_of(u.baseline, ur);
  f.stars = int_of(u.stars, ur);
  f.usage = usage_spike_score(f.projected, f.baseline, f.stars);
  return f;
}

/// Builds a flat JSON object as json.dumps writes it (", " and ": "), keys in
/// the order given, into one string.
class ContextJson {
 public:
  ContextJson() {
    out_.reserve(192);
    out_ += '{';
  }
  ContextJson& num(const char* key, double v) {
    phase4_detail::append_py_float(start(key), v);
    return *this;
  }
  ContextJson& integer(const char* key, int64_t v) {
    append_int64(start(key), v);
    return *this;
  }
  ContextJson& boolean(const char* key, bool v) {
    start(key) += v ? "true" : "false";
    return *this;
  }
  ContextJson& str(const char* key, std::string_view v) {
    phase4_detail::append_json_str(start(key), v);
    return *this;
  }
  std::string done() {
    out_ += '}';
    return std::move(out_);
  }

 private:
  std::string& start(const char* key) {
    if (out_.size() > 1) out_ += ", ";
    out_ += '"';
    out_ += key;
    out_ += "\": ";
    return out_;
  }
  std::string out_;
};

/// The four context JSON columns as the default (parallel) legacy path writes
/// them: the values actually used.
std::string fatigue_context(const PlayerFactors& f) {
  const FatigueInputs& fi = f.fi;
  return ContextJson()
      .integer("days_rest", fi.days_rest.value_or(1))
      .boolean("back_to_back", fi.back_to_back.value_or(false))
      .integer("games_last_7", fi.games_last_7.value_or(3))
      .num("minutes_last_7", fi.minutes_last_7.value_or(200.0))
      .num("avg_minutes_pg_last_7", fi.avg_minutes_last_7.value_or(30.0))
      .integer("back_to_backs_last_14", fi.back_to_backs_last_14.value_or(0))
      .integer("player_age", fi.player_age.value_or(25))
      .integer("final_score", f.fatigue)
      .done();
}

std::string shot_zone_context(const PlayerFactors& f) {
  if (!f.pz || !f.oz) return "{\"missing_data\": true}";
  return ContextJson()
      .str("player_primary_zone", f.pz->primary_zone ? std::string_view(*f.pz->primary_zone) : "unknown")
      .str("opponent_weak_zone", f.oz->weakest_zone ? std::string_view(*f.oz->weakest_zone) : "unknown")
      .num("final_score", f.shot)
      .done();
}

std::string pace_context(const PlayerFactors& f) {
  return ContextJson().num("pace_differential", f.pace_diff.value_or(0.0)).num("final_score", f.pace).done();
}

std::string usage_context(const PlayerFactors& f) {
  const double p_used = f.projected.value_or(25.0);
  const double b_used = f.baseline.value_or(25.0);
  return ContextJson()
      .num("projected_usage_rate", p_used)
      .num("avg_usage_last_7", b_used)
      .num("usage_differential", b_used == 0.0 ? 0.0 : p_used - b_used)
      .integer("star_teammates_out", f.stars.value_or(0))
      .num("final_score", f.usage)
      .done();
}

/// The cells every row of D shares.
ConstantColumns pcf_constants(const TableSchema& schema, Date d, const std::array<const std::string*, 4>& hashes,
                              bool season_boundary, bool bootstrap_mode) {
  return ConstantColumns(schema, [&](Table& t, size_t i) {
    t.set(i, pcf::game_date, d);
    t.set(i, pcf::analysis_date, d);
    for (ColumnId c : {pcf::referee_favorability_score, pcf::look_ahead_pressure_score, pcf::travel_impact_score,
                       pcf::opponent_strength_score}) {
      t.set(i, c, 0.0);  // deferred factors
    }
    t.set(i, pcf::calculation_version, kPcfVersion);
    // source_*_{last_updated,rows_found,completeness_pct}: NULL, as every
    // legacy backfilled row (the dependency check that fills them is replaced
    // in backfill mode). The hashes: the latest data_hash of each source for D.
    const ColumnId hash_columns[] = {pcf::source_player_context_hash, pcf::source_team_context_hash,
                                     pcf::source_player_shot_hash, pcf::source_team_defense_hash};
    for (size_t k = 0; k < 4; ++k) {
      if (hashes[k]) t.col(hash_columns[k]).set_text_ptr(i, hashes[k]);
    }
    t.set(i, pcf::early_season_flag, false);  // constant in the legacy; insufficient_data_reason NULL
    // Own completeness: legacy backfill values (no PGS completeness check in
    // PCF, whose DAG reads are UPGC/UTGC/PSZA/TDZA): expected = actual = PSZA
    // rows of the player (one per (player, D) by construction, 1 when absent),
    // 100 %.
    t.set(i, pcf::expected_games_count, int64_t{1});
    t.set(i, pcf::actual_games_count, int64_t{1});
    t.set(i, pcf::completeness_percentage, 100.0);
    t.set(i, pcf::missing_games_count, int64_t{0});
    // No reprocess-attempts table in nbaprops: breakers are never active;
    // attempt time NULL. DECISION 2: one bootstrap rule from the schedule
    // (legacy: before Oct 31 / 30 days from Oct 1).
    proc::write_processing_status(t, i, season_boundary, bootstrap_mode);
  });
}

/// Writes the cells of row @p i that vary by player.
void write_factor_row(Table& t, size_t i, const std::string* player, const UpgcColumns& u, size_t ur,
                      const PlayerFactors& f, bool shot_ready, bool def_ready, bool team_ready) {
  t.col(pcf::player_lookup).set_text_ptr(i, player);
  if (const std::string* v = proc::text_of(u.upid, ur)) t.col(pcf::universal_player_id).set_text_ptr(i, v);
  if (const std::string* v = proc::text_of(u.game, ur)) t.col(pcf::game_id).set_text_ptr(i, v);
  t.col(pcf::fatigue_score).set_int(i, int64_t{f.fatigue});
  // Signed zeros until the row is hashed (store_unsigned_zeros).
  t.col(pcf::shot_zone_mismatch_score).set_real(i, py_round_signed(f.shot, 1));
  t.col(pcf::pace_score).set_real(i, py_round_signed(f.pace, 1));
  t.col(pcf::usage_spike_score).set_real(i, py_round_signed(f.usage, 1));
  t.col(pcf::total_composite_adjustment).set_real(i, py_round_signed(f.total(), 2));
  t.col(pcf::fatigue_context_json).set_text(i, fatigue_context(f));
  t.col(pcf::shot_zone_context_json).set_text(i, shot_zone_context(f));
  t.col(pcf::pace_context_json).set_text(i, pace_context(f));
  t.col(pcf::usage_context_json).set_text(i, usage_context(f));
  const auto completeness = data_completeness(f.fi.days_rest.has_value(), f.projected.has_value(),
                                              f.pace_diff.has_value(), f.pz.has_value(), f.oz.has_value());
  t.col(pcf::data_completeness_pct).set_real(i, completeness.pct);
  if (completeness.missing_fields) t.col(pcf::missing_data_fields).set_text(i, *completeness.missing_fields);
  const auto warnings = composite_warnings(f.fatigue, f.shot, f.total());
  t.col(pcf::has_warnings).set_int(i, warnings ? 1 : 0);
  if (warnings) t.col(pcf::warning_details).set_text(i, *warnings);
  // Upstream readiness from the rows' own is_production_ready (legacy
  // production lookups; backfill set them all True). UTGC and TDZA are the
  // opponent's rows, as in the legacy.
  const bool ctx_ready = proc::bool_of(u.ready, ur).value_or(false);
  const bool all_up = shot_ready && def_ready && ctx_ready && team_ready;
  t.col(pcf::is_production_ready).set_int(i, all_up ? 1 : 0);  // own readiness is true (100 %)
  static const phase4_detail::UpstreamIssueTexts kIssues(
      {"upstream_player_shot_zone_incomplete", "upstream_team_defense_zone_incomplete",
       "upstream_player_context_incomplete", "upstream_team_context_incomplete"});
  t.col(pcf::data_quality_issues).set_text_ptr(i, kIssues.text(shot_ready, def_ready, ctx_ready, team_ready));
  t.col(pcf::upstream_player_shot_ready).set_int(i, shot_ready ? 1 : 0);
  t.col(pcf::upstream_team_defense_ready).set_int(i, def_ready ? 1 : 0);
  t.col(pcf::upstream_player_context_ready).set_int(i, ctx_ready ? 1 : 0);
  t.col(pcf::upstream_team_context_ready).set_int(i, team_ready ? 1 : 0);
  t.col(pcf::all_upstreams_ready).set_int(i, all_up ? 1 : 0);
}

/// The legacy stores Python's round() of the scores and hashes them as str(),
/// so a negative score that rounds to zero is "-0.0" in its hash input
/// (round(-0.04751, 1) = -0.0). Row @p i is hashed with those signed zeros
/// (write_factor_row), then stores 0.0.
void store_unsigned_zeros(Table& t, size_t i) {
  for (ColumnId id :
       {pcf::shot_zone_mismatch_score, pcf::pace_score, pcf::usage_spike_score, pcf::total_composite_adjustment}) {
    Column& k = t.col(id);
    if (!k.is_null(i) && k.real_at(i) == 0.0) k.set_real(i, 0.0);
  }
}

}  // namespace

UnitOutput compute_composite_factors(const Schedule& schedule, Date d, const CompositeFactorsInputs& in) {
  const TableSchema& schema = catalog::get("nba_precompute.player_composite_factors");
  UnitOutput out(schema);

  // Player universe: distinct UPGC players of D, first row wins, in player
  // order (deterministic).
  const Upstream upgc(in.upgc, "player_lookup", "game_date", d);
  if (upgc.sorted.empty()) {
    // Legacy backfill synthesised a context from D's own box scores (PGS
    // game_date = D) when UPGC was empty; that reads the day's results
    // (DECISION 1), so we report the date as empty instead.
    out.empty_reason = "no upcoming_player_game_context rows for " + d.iso();
    return out;
  }
  const auto& players = upgc.sorted;
  const Upstream psza(in.psza, "player_lookup", "analysis_date", d);
  const Upstream tdza(in.tdza, "team_abbr", "analysis_date", d);
  const Upstream utgc(in.utgc, "team_abbr", "game_date", d);
  // Source hashes: the latest data_hash of each source for D (same value on
  // every row).
  const std::array<const std::string*, 4> hashes = {upgc.hash, utgc.hash, psza.hash, tdza.hash};
  // Date-level metadata. Legacy: computed from Oct 1 / in production only
  // (backfill wrote False). We compute what the names promise, with the season
  // start from the schedule (DECISION 2).
  const auto start = schedule.season_start(season_of(d));
  const bool bootstrap_mode = start && (d - *start) >= 0 && (d - *start) < 30;
  const int month = d.month();
  const bool season_boundary = month == 10 || month == 11 || month == 4;

  Table& t = out.rows;
  t.resize(players.size());
  const UpgcColumns u(in.upgc);
  const ZoneColumns zones(in.psza, in.tdza);
  const ConstantColumns constants = pcf_constants(schema, d, hashes, season_boundary, bootstrap_mode);
  const RowHasher hasher(t, kHashFields, RowHasher::Style::kMixin);
  Column& hash = t.col(pcf::data_hash);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, players.size()), [&](const tbb::blocked_range<size_t>& range) {
    std::string& scratch = RowHasher::scratch();
    for (size_t i = range.begin(); i != range.end(); ++i) {
      const auto& [player, ur] = players[i];
      const PlayerFactors f = player_factors(player, u, ur, psza, tdza, zones);
      constants.apply(t, i);
      write_factor_row(t, i, player, u, ur, f, psza.ready(player), tdza.ready(f.opponent), utgc.ready(f.opponent));
    }
    hasher.set_rows(t, range.begin(), range.end(), hash, scratch);
    for (size_t i = range.begin(); i != range.end(); ++i) store_unsigned_zeros(t, i);
  });
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  return out;
}

namespace {

/// UPGC/UTGC rows of D are pre-game context; PSZA/TDZA of D are computed from
/// games before D.
const ProcessorInfo kInfo{
    .name = "player_composite_factors",
    .code = "pcf",
    .phase = 4,
    .output_table = "nba_precompute.player_composite_factors",
    .entity = "players",
    .reads = {{"nba_analytics.upcoming_player_game_context", WindowKind::kSameDate, 0, true, kUpgcColumns},
              {"nba_analytics.upcoming_team_game_context", WindowKind::kSameDate, 0, true, kUtgcColumns},
              {"nba_precompute.player_shot_zone_analysis", WindowKind::kSameDate, 0, true, kPszaColumns},
              {"nba_precompute.team_defense_zone_analysis", WindowKind::kSameDate, 0, true, kTdzaColumns}},
    .bootstrap = BootstrapPolicy::kSkip,
    .legacy_job = "player_composite_factors",
    .description =
        "Fatigue, shot-zone mismatch, pace and usage-spike adjustments per player "
        "(v1_4factors)"};

class CompositeFactorsProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    Table upgc = proc::read_window(ctx, "nba_analytics.upcoming_player_game_context", d, d, kUpgcColumns);
    Table utgc = proc::read_window(ctx, "nba_analytics.upcoming_team_game_context", d, d, kUtgcColumns);
    Table psza = proc::read_window(ctx, "nba_precompute.player_shot_zone_analysis", d, d, kPszaColumns);
    Table tdza = proc::read_window(ctx, "nba_precompute.team_defense_zone_analysis", d, d, kTdzaColumns);
    return compute_composite_factors(ctx.schedule, d, {upgc, utgc, psza, tdza});
  }
};

}  // namespace

std::unique_ptr<Processor> make_composite_factors_processor() { return std::make_unique<CompositeFactorsProcessor>(); }

}  // namespace nbaprops::precompute
