#include "nbaprops/processors/grading/scoring_tier.hpp"

#include <array>
#include <cmath>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/json_error.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/grading/prediction_accuracy.hpp"

namespace nbaprops::grading {
namespace {

namespace pa = cols::prediction_accuracy;
namespace mlfs2 = cols::ml_feature_store_v2;
namespace sta = cols::scoring_tier_adjustments;

constexpr const char* kAccuracy = "nba_predictions.prediction_accuracy";
constexpr const char* kMlfs = "nba_predictions.ml_feature_store_v2";
constexpr const char* kTiers = "nba_predictions.scoring_tier_adjustments";
constexpr size_t kSeasonAvgIndex = 2;  // points_avg_season in the v1_baseline_25 feature order

struct TierSpec {
  std::string_view label;
  double min_points;
  std::optional<double> max_points;
};
// Output order: highest tier first.
constexpr std::array<TierSpec, 4> kTierSpecs = {{{"STAR_30PLUS", 30.0, std::nullopt},
                                                 {"STARTER_20_29", 20.0, 30.0},
                                                 {"ROTATION_10_19", 10.0, 20.0},
                                                 {"BENCH_0_9", 0.0, 10.0}}};

size_t tier_index(std::optional<double> avg) noexcept {
  if (!avg || std::isnan(*avg)) return 3;
  if (*avg >= 30.0) return 0;
  if (*avg >= 20.0) return 1;
  if (*avg >= 10.0) return 2;
  return 3;
}

/// Element 2 of a stored features array: a value, NULL (JSON null /
/// non-finite), or an error text.
struct SeasonAvg {
  std::optional<double> value;
  std::string error;
};

/// The season average of a features array of @p count values whose element
/// kSeasonAvgIndex is @p x (NaN for JSON null, or when there is none).
SeasonAvg season_avg_from(size_t count, double x) {
  if (count <= kSeasonAvgIndex) {
    return {std::nullopt, "features has " + std::to_string(count) + " values, no points_avg_season"};
  }
  if (!std::isfinite(x)) return {};
  return {x, {}};
}

SeasonAvg season_avg_of(const std::string* features) {
  if (!features) return {};
  // The feature store's own text (a flat array of numbers and nulls) without a
  // JSON tree; anything else through nlohmann, for the same value or its error.
  thread_local std::vector<double> values;
  if (proc::parse_number_array(*features, values)) {
    return season_avg_from(values.size(), values.size() > kSeasonAvgIndex ? values[kSeasonAvgIndex] : std::nan(""));
  }
  try {
    const auto j = nlohmann::json::parse(*features);
    if (!j.is_array()) return {std::nullopt, "features is not a JSON array"};
    double x = std::nan("");
    if (j.size() > kSeasonAvgIndex) {
      const auto& v = j[kSeasonAvgIndex];
      if (!v.is_null() && !v.is_number()) return {std::nullopt, "points_avg_season is not a number"};
      if (v.is_number()) x = v.get<double>();
    }
    return season_avg_from(j.size(), x);
  } catch (const nlohmann::json::exception& e) {
    return {std::nullopt, "features: " + json_error_text(e, *features)};
  }
}

/// Legacy rounding (Python round) then the value the NUMERIC column keeps; NULL
/// stays NULL.
void set_numeric(Table& t, size_t row, ColumnId id, std::optional<double> v, int dp) {
  const size_t col = t.at(id);
  if (!v || !std::isfinite(*v)) {
    t.col(col).set_null(row);
    return;
  }
  t.col(col).set_real(row, bq_numeric(proc::py_round(*v, dp), t.def(col).scale));
}

}  // namespace

std::string_view scoring_tier(std::optional<double> season_avg) noexcept {
  return kTierSpecs[tier_index(season_avg)].label;
}

double tier_adjustment_factor(std::string_view tier) noexcept {
  if (tier == kTierSpecs[0].label) return 1.0;
  if (tier == kTierSpecs[1].label) return 0.75;
  return 0.5;  // ROTATION_10_19, BENCH_0_9 (and the legacy's default for any other)
}

TierAdjustments tier_adjustments_before(Date d, const Table& tiers) {
  TierAdjustments out;
  if (tiers.num_rows() == 0) return out;
  const Column &system = tiers.col(sta::system_id), &tier = tiers.col(sta::scoring_tier),
               &as_of = tiers.col(sta::as_of_date);
  const Column* adjustment = proc::opt_col(tiers, "recommended_adjustment");
  const std::string* const ensemble = intern(kTierSystem);
  for (size_t r = 0; r < tiers.num_rows(); ++r) {
    if (system.is_null(r) || system.text_ptr(r) != ensemble || tier.is_null(r) || as_of.is_null(r)) continue;
    const Date day(static_cast<int32_t>(as_of.int_at(r)));
    // Legacy: as_of_date <= the game date, which let the date's own grading in.
    // Fixed (DECISION 1): strictly before.
    if (day >= d) continue;
    size_t k = kTierSpecs.size();
    for (size_t i = 0; i < kTierSpecs.size(); ++i) {
      if (tier.text_at(r) == kTierSpecs[i].label) k = i;
    }
    if (k == kTierSpecs.size() || (out.as_of[k] && *out.as_of[k] >= day)) continue;  // unknown tier / not newer
    out.as_of[k] = day;
    out.raw[k] = proc::real_of(adjustment, r);
  }
  return out;
}

AppliedTier apply_scoring_tier(const TierAdjustments& adj, std::optional<double> season_avg,
                               double predicted_points) noexcept {
  // Legacy: "season_avg if season_avg else predicted" (0 and missing fall back).
  const bool known = season_avg && std::isfinite(*season_avg) && *season_avg != 0.0;
  const size_t k = tier_index(known ? *season_avg : predicted_points);
  AppliedTier out;
  out.scoring_tier = kTierSpecs[k].label;
  const double scaled = adj.raw[k].value_or(0.0) * tier_adjustment_factor(out.scoring_tier);
  if (scaled != 0.0 && std::isfinite(scaled)) {
    out.tier_adjustment = scaled;
    out.adjusted_points = predicted_points + scaled;
  }
  return out;
}

double adjustment_confidence(int64_t sample_size, double std_signed_error) noexcept {
  const double size_factor = std::min(1.0, static_cast<double>(sample_size) / 100.0);
  const double spread_factor = std::max(0.3, 1.0 - std_signed_error / 20.0);
  return size_factor * spread_factor;
}

namespace {

/// One graded ensemble_v1 prediction of a date, put in its tier.
struct GradedCall {
  size_t tier;
  double signed_error, abs_error;
  std::optional<bool> correct;
};

/// What one date contributes to every as-of window that covers it: its graded
/// calls in stored order, and the rows it could not use. It depends on that
/// date's rows only, so a window's answer never depends on which other dates
/// were summarised first.
struct DaySummary {
  std::vector<GradedCall> calls;
  std::vector<EntityFailure> failures;
};

/// Rows of @p t dated in [from, to], grouped by date (index = days after
/// @p from), stored order kept within a date.
std::vector<std::vector<size_t>> rows_by_date(const Table& t, Date from, Date to) {
  std::vector<std::vector<size_t>> out(static_cast<size_t>(to - from + 1));
  const Column& date = t.col(t.schema().partition_column);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (date.is_null(r)) continue;
    const int64_t day = date.int_at(r);
    if (day >= from.days() && day <= to.days()) out[static_cast<size_t>(day - from.days())].push_back(r);
  }
  return out;
}

DaySummary summarise_day(Date d, const Table& acc, const std::vector<size_t>& acc_rows, const Table& mlfs,
                         const std::vector<size_t>& mlfs_rows) {
  DaySummary day;
  if (acc_rows.empty()) return day;
  // The player's first feature-store row of the date (legacy join: first wins).
  const Column& m_player = mlfs.col(mlfs2::player_lookup);
  std::unordered_map<const std::string*, size_t> mlfs_of;
  for (size_t r : mlfs_rows) {
    if (!m_player.is_null(r)) mlfs_of.emplace(m_player.text_ptr(r), r);
  }
  const Column &system = acc.col(pa::system_id), &player = acc.col(pa::player_lookup);
  const Column &signed_col = acc.col(pa::signed_error), &abs_col = acc.col(pa::absolute_error);
  const Column* correct_col = proc::opt_col(acc, "prediction_correct");
  const Column& features = mlfs.col(mlfs2::features);
  const std::string* const ensemble = intern(kTierSystem);
  std::set<const std::string*> failed;
  auto fail = [&](const std::string* who, const char* category, const std::string& reason) {
    if (failed.insert(who).second) day.failures.push_back({*who + " " + d.iso(), category, reason});
  };
  for (size_t r : acc_rows) {
    if (system.is_null(r) || system.text_ptr(r) != ensemble) continue;
    const auto signed_error = signed_col.get_real(r);
    const auto abs_error = abs_col.get_real(r);
    if (player.is_null(r) || !signed_error || !abs_error || !std::isfinite(*signed_error) ||
        !std::isfinite(*abs_error)) {
      continue;  // not a graded prediction (no predicted points)
    }
    const std::string* who = player.text_ptr(r);
    auto m = mlfs_of.find(who);
    if (m == mlfs_of.end()) {
      // Legacy: the inner join dropped such rows silently. Fixed (DECISION 6):
      // reported.
      fail(who, "INCOMPLETE_UPSTREAM", "no ml_feature_store_v2 row for " + *who + " " + d.iso());
      continue;
    }
    const SeasonAvg avg = season_avg_of(proc::text_of(&features, m->second));
    if (!avg.error.empty()) {
      fail(who, "PROCESSING_ERROR", std::string(kMlfs) + " " + d.iso() + " player " + *who + ": " + avg.error);
      continue;
    }
    day.calls.push_back({tier_index(avg.value), *signed_error, *abs_error, proc::bool_of(correct_col, r)});
  }
  return day;
}

/// The carried state of the tier processor: one summary per date, made once
/// from that date's grading and feature-store rows; an as-of date is answered
/// from the summaries of its 30 days.
class TierHistory final : public CarriedState {
 public:
  /// The first and last dates of [from, to] not summarised yet (caller holds
  /// the lock exclusively).
  [[nodiscard]] std::optional<DateRange> missing(Date from, Date to) const {
    std::optional<DateRange> out;
    for (Date d = from; d <= to; d = d + 1) {
      if (days_.count(d.days())) continue;
      if (!out) out = DateRange{d, d};
      out->end = d;
    }
    return out;
  }
  /// Summarises the dates of [from, to] not summarised yet from rows of both
  /// tables (any order; rows outside [from, to] are ignored).
  void add(Date from, Date to, const Table& acc, const Table& mlfs) {
    const auto acc_rows = rows_by_date(acc, from, to);
    const auto mlfs_rows = rows_by_date(mlfs, from, to);
    for (Date d = from; d <= to; d = d + 1) {
      const auto i = static_cast<size_t>(d - from);
      if (!days_.count(d.days())) days_.emplace(d.days(), summarise_day(d, acc, acc_rows[i], mlfs, mlfs_rows[i]));
    }
  }
  [[nodiscard]] std::shared_mutex& mutex() const noexcept { return mu_; }
  /// The rows of @p as_of from the summaries of A−29 … A (caller holds the
  /// lock, shared).
  [[nodiscard]] UnitOutput answer(Date as_of) const;

 private:
  std::map<int32_t, DaySummary> days_;
  mutable std::shared_mutex mu_;
};

UnitOutput TierHistory::answer(Date as_of) const {
  UnitOutput out(catalog::get(kTiers));
  const Date first = as_of - (kTierLookbackDays - 1);
  const auto lo = days_.lower_bound(first.days()), hi = days_.upper_bound(as_of.days());

  struct Tally {
    int64_t n = 0, correct = 0, incorrect = 0;
    double sum = 0, abs_sum = 0, ss = 0;
  };
  std::array<Tally, kTierSpecs.size()> tallies;
  int64_t graded = 0;
  // Summed in stored date order, as the legacy query's rows came.
  for (auto it = lo; it != hi; ++it) {
    const DaySummary& day = it->second;
    out.failures.insert(out.failures.end(), day.failures.begin(), day.failures.end());
    for (const GradedCall& c : day.calls) {
      Tally& t = tallies[c.tier];
      ++t.n;
      t.sum += c.signed_error;
      t.abs_sum += c.abs_error;
      // Legacy: win_rate = AVG(IF(prediction_correct, 1, 0)) over every row, so
      // PASS/HOLD/NO_LINE, pushes and ungraded rows counted as misses. Fixed
      // (DECISION 6): a hit rate over the graded OVER/UNDER calls
      // (prediction_correct TRUE or FALSE).
      if (c.correct) ++(*c.correct ? t.correct : t.incorrect);
      ++graded;
    }
  }
  for (auto it = lo; it != hi; ++it) {
    for (const GradedCall& c : it->second.calls) {
      Tally& t = tallies[c.tier];
      const double mean = t.sum / static_cast<double>(t.n);
      t.ss += (c.signed_error - mean) * (c.signed_error - mean);
    }
  }

  Table& rows = out.rows;
  size_t largest = 0;
  for (size_t k = 0; k < kTierSpecs.size(); ++k) {
    const Tally& t = tallies[k];
    const int64_t n = t.n;
    if (t.n > tallies[largest].n) largest = k;
    if (n < kTierMinSample) continue;
    const double mean = t.sum / static_cast<double>(n);
    const double sd = std::sqrt(t.ss / static_cast<double>(n - 1));
    const int64_t calls = t.correct + t.incorrect;

    const size_t row = rows.add_row();
    rows.set(row, sta::system_id, std::string(kTierSystem));
    rows.set(row, sta::scoring_tier, std::string(kTierSpecs[k].label));
    rows.set(row, sta::as_of_date, as_of);
    rows.set(row, sta::sample_size, n);
    rows.set(row, sta::lookback_days, int64_t{kTierLookbackDays});
    set_numeric(rows, row, sta::avg_signed_error, mean, 2);
    set_numeric(rows, row, sta::avg_absolute_error, t.abs_sum / static_cast<double>(n), 2);
    set_numeric(rows, row, sta::std_signed_error, sd, 2);
    set_numeric(rows, row, sta::recommended_adjustment, -mean, 2);
    set_numeric(rows, row, sta::adjustment_confidence, adjustment_confidence(n, sd), 3);
    set_numeric(
        rows, row, sta::current_win_rate,
        calls ? std::optional<double>(static_cast<double>(t.correct) / static_cast<double>(calls)) : std::nullopt, 3);
    rows.col(sta::projected_win_rate).set_null(row);
    set_numeric(rows, row, sta::tier_min_points, kTierSpecs[k].min_points, 1);
    set_numeric(rows, row, sta::tier_max_points, kTierSpecs[k].max_points, 1);
    rows.set(row, sta::model_version, std::string(kTierModelVersion));
  }

  out.entities_processed = static_cast<int64_t>(rows.num_rows());
  if (rows.num_rows() == 0) {
    const std::string window = first.iso() + " … " + as_of.iso();
    if (graded == 0) {
      out.empty_reason = "no graded " + std::string(kTierSystem) + " predictions in " + window;
    } else {
      out.empty_reason = "no tier has " + std::to_string(kTierMinSample) + " graded " + std::string(kTierSystem) +
                         " predictions in " + window + " (largest: " + std::string(kTierSpecs[largest].label) + " " +
                         std::to_string(tallies[largest].n) + ")";
    }
  }
  return out;
}

}  // namespace

UnitOutput compute_scoring_tier_adjustments(Date as_of, const TierInputs& in) {
  TierHistory h;
  const Date first = as_of - (kTierLookbackDays - 1);
  h.add(first, as_of, in.accuracy, in.mlfs);
  return h.answer(as_of);
}

namespace {

// The columns each read takes (declared, so that a run loads each table once
// with the union its processors read).
const std::vector<std::string> kAccuracyColumns = {"player_lookup", "game_date",      "system_id",
                                                   "signed_error",  "absolute_error", "prediction_correct"};
const std::vector<std::string> kMlfsColumns = {"player_lookup", "game_date", "features"};

// A−29 … A: the same date plus the 29 days before it.
const ProcessorInfo kInfo{
    .name = "scoring_tier_adjustments",
    .code = "tier",
    .phase = 5,
    .output_table = kTiers,
    .entity = "tiers",
    .reads = {{kAccuracy, WindowKind::kDaysThrough, kTierLookbackDays - 1, false, kAccuracyColumns},
              {kMlfs, WindowKind::kDaysThrough, kTierLookbackDays - 1, true, kMlfsColumns}},
    .bootstrap = BootstrapPolicy::kRun,
    .legacy_job = "scoring_tier_backfill",
    .description =
        "Ensemble bias per scoring tier over 30 days of grading: errors, hit "
        "rate, adjustment"};

class ScoringTierProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<TierHistory>(); }
  UnitOutput run(const UnitContext& ctx) const override {
    // Each date of the window is summarised once per run (carried), from reads
    // inside this unit's window only.
    TierHistory own;
    auto* carried = dynamic_cast<TierHistory*>(ctx.carried);
    TierHistory& h = carried ? *carried : own;
    const Date from = ctx.date - (kTierLookbackDays - 1);
    {
      std::unique_lock lock(h.mutex());
      if (const auto m = h.missing(from, ctx.date)) {
        const Table accuracy = proc::read_window(ctx, kAccuracy, m->start, m->end, kAccuracyColumns);
        const Table mlfs = proc::read_window(ctx, kMlfs, m->start, m->end, kMlfsColumns);
        h.add(m->start, m->end, accuracy, mlfs);
      }
    }
    std::shared_lock lock(h.mutex());
    return h.answer(ctx.date);
  }
};

}  // namespace

std::unique_ptr<Processor> make_scoring_tier_processor() { return std::make_unique<ScoringTierProcessor>(); }

}  // namespace nbaprops::grading
