#include "nbaprops/processors/grading/scoring_tier.hpp"

#include <array>
#include <cmath>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/grading/prediction_accuracy.hpp"

namespace nbaprops::grading {
namespace {

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

std::string key_of(const std::string& player, Date d) { return player + '\x1f' + std::to_string(d.days()); }

/// Element 2 of a stored features array: a value, NULL (JSON null /
/// non-finite), or an error text.
struct SeasonAvg {
  std::optional<double> value;
  std::string error;
};

SeasonAvg season_avg_of(const std::optional<std::string>& features) {
  if (!features) return {};
  try {
    const auto j = nlohmann::json::parse(*features);
    if (!j.is_array()) return {std::nullopt, "features is not a JSON array"};
    if (j.size() <= kSeasonAvgIndex) {
      return {std::nullopt, "features has " + std::to_string(j.size()) + " values, no points_avg_season"};
    }
    const auto& v = j[kSeasonAvgIndex];
    if (v.is_null()) return {};
    if (!v.is_number()) return {std::nullopt, "points_avg_season is not a number"};
    const double x = v.get<double>();
    if (!std::isfinite(x)) return {};
    return {x, {}};
  } catch (const nlohmann::json::exception& e) {
    return {std::nullopt, std::string("features is not valid JSON: ") + e.what()};
  }
}

struct Tally {
  std::vector<double> signed_errors;
  double abs_sum = 0;
  int64_t correct = 0, incorrect = 0;
};

/// Legacy rounding (Python round) then the value the NUMERIC column keeps; NULL
/// stays NULL.
void set_numeric(Table& t, size_t row, const char* name, std::optional<double> v, int dp) {
  const size_t col = t.require(name);
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

double adjustment_confidence(int64_t sample_size, double std_signed_error) noexcept {
  const double size_factor = std::min(1.0, static_cast<double>(sample_size) / 100.0);
  const double spread_factor = std::max(0.3, 1.0 - std_signed_error / 20.0);
  return size_factor * spread_factor;
}

namespace {

/// season_avg_of, parsed once per distinct stored features text: text cells are
/// interned, so the string's address identifies its content for the process
/// lifetime (each date reads the same MLFS rows of the 30 days before it
/// again). Thread-safe.
SeasonAvg memo_season_avg(const Column& features, size_t row) {
  if (features.is_null(row)) return season_avg_of(std::nullopt);
  const std::string* key = features.text_ptr(row);
  static std::mutex mu;
  static std::unordered_map<const std::string*, SeasonAvg> memo;
  {
    std::lock_guard lock(mu);
    if (auto it = memo.find(key); it != memo.end()) return it->second;
  }
  SeasonAvg avg = season_avg_of(*key);
  std::lock_guard lock(mu);
  memo.emplace(key, avg);
  return avg;
}

}  // namespace

UnitOutput compute_scoring_tier_adjustments(Date as_of, const TierInputs& in) {
  UnitOutput out(catalog::get(kTiers));
  const Date first = as_of - (kTierLookbackDays - 1);
  auto in_window = [&](std::optional<Date> d) { return d && *d >= first && *d <= as_of; };

  std::unordered_map<std::string, size_t> mlfs_of;
  for (size_t r = 0; r < in.mlfs.num_rows(); ++r) {
    auto player = in.mlfs.get_text(r, "player_lookup");
    auto d = in.mlfs.get_date(r, "game_date");
    if (player && in_window(d)) mlfs_of.emplace(key_of(*player, *d), r);
  }

  std::array<Tally, kTierSpecs.size()> tallies;
  std::set<std::string> failed;
  auto fail = [&](const std::string& id, const char* category, const std::string& reason) {
    if (failed.insert(id).second) out.failures.push_back({id, category, reason});
  };
  int64_t graded = 0;
  const Table& acc = in.accuracy;
  const Column& features_col = in.mlfs.col("features");
  for (size_t r = 0; r < acc.num_rows(); ++r) {
    if (acc.get_text(r, "system_id") != kTierSystem) continue;
    const auto d = acc.get_date(r, "game_date");
    if (!in_window(d)) continue;
    const auto player = acc.get_text(r, "player_lookup");
    const auto signed_error = acc.get_real(r, "signed_error");
    const auto abs_error = acc.get_real(r, "absolute_error");
    if (!player || !signed_error || !abs_error || !std::isfinite(*signed_error) || !std::isfinite(*abs_error)) {
      continue;  // not a graded prediction (no predicted points)
    }
    const std::string id = *player + " " + d->iso();
    auto m = mlfs_of.find(key_of(*player, *d));
    if (m == mlfs_of.end()) {
      // Legacy: the inner join dropped such rows silently. Fixed (DECISION 6):
      // reported.
      fail(id, "INCOMPLETE_UPSTREAM", "no ml_feature_store_v2 row for " + id);
      continue;
    }
    const SeasonAvg avg = memo_season_avg(features_col, m->second);
    if (!avg.error.empty()) {
      fail(id, "PROCESSING_ERROR", std::string(kMlfs) + " " + d->iso() + " player " + *player + ": " + avg.error);
      continue;
    }
    Tally& t = tallies[tier_index(avg.value)];
    t.signed_errors.push_back(*signed_error);
    t.abs_sum += *abs_error;
    // Legacy: win_rate = AVG(IF(prediction_correct, 1, 0)) over every row, so
    // PASS/HOLD/NO_LINE, pushes and ungraded rows counted as misses. Fixed
    // (DECISION 6): a hit rate over the graded OVER/UNDER calls
    // (prediction_correct TRUE or FALSE).
    if (auto correct = acc.get_bool(r, "prediction_correct")) ++(*correct ? t.correct : t.incorrect);
    ++graded;
  }

  Table& rows = out.rows;
  size_t largest = 0;
  for (size_t k = 0; k < kTierSpecs.size(); ++k) {
    const Tally& t = tallies[k];
    const auto n = static_cast<int64_t>(t.signed_errors.size());
    if (t.signed_errors.size() > tallies[largest].signed_errors.size()) largest = k;
    if (n < kTierMinSample) continue;
    double sum = 0;
    for (double e : t.signed_errors) sum += e;
    const double mean = sum / static_cast<double>(n);
    double ss = 0;
    for (double e : t.signed_errors) ss += (e - mean) * (e - mean);
    const double sd = std::sqrt(ss / static_cast<double>(n - 1));
    const int64_t calls = t.correct + t.incorrect;

    const size_t row = rows.add_row();
    rows.set(row, "system_id", std::string(kTierSystem));
    rows.set(row, "scoring_tier", std::string(kTierSpecs[k].label));
    rows.set(row, "as_of_date", as_of);
    rows.set(row, "sample_size", n);
    rows.set(row, "lookback_days", int64_t{kTierLookbackDays});
    set_numeric(rows, row, "avg_signed_error", mean, 2);
    set_numeric(rows, row, "avg_absolute_error", t.abs_sum / static_cast<double>(n), 2);
    set_numeric(rows, row, "std_signed_error", sd, 2);
    set_numeric(rows, row, "recommended_adjustment", -mean, 2);
    set_numeric(rows, row, "adjustment_confidence", adjustment_confidence(n, sd), 3);
    set_numeric(
        rows, row, "current_win_rate",
        calls ? std::optional<double>(static_cast<double>(t.correct) / static_cast<double>(calls)) : std::nullopt, 3);
    rows.set_null(row, "projected_win_rate");
    set_numeric(rows, row, "tier_min_points", kTierSpecs[k].min_points, 1);
    set_numeric(rows, row, "tier_max_points", kTierSpecs[k].max_points, 1);
    rows.set(row, "model_version", std::string(kTierModelVersion));
  }

  out.entities_processed = static_cast<int64_t>(rows.num_rows());
  if (rows.num_rows() == 0) {
    const std::string window = first.iso() + " … " + as_of.iso();
    if (graded == 0) {
      out.empty_reason = "no graded " + std::string(kTierSystem) + " predictions in " + window;
    } else {
      out.empty_reason = "no tier has " + std::to_string(kTierMinSample) + " graded " + std::string(kTierSystem) +
                         " predictions in " + window + " (largest: " + std::string(kTierSpecs[largest].label) + " " +
                         std::to_string(tallies[largest].signed_errors.size()) + ")";
    }
  }
  return out;
}

namespace {

class ScoringTierProcessor final : public Processor {
 public:
  ScoringTierProcessor() {
    info_.name = "scoring_tier_adjustments";
    info_.code = "tier";
    info_.phase = 5;
    info_.output_table = kTiers;
    info_.entity = "tiers";
    info_.legacy_job = "scoring_tier_backfill";
    // A−29 … A: the same date plus the 29 days before it.
    info_.reads = {{kAccuracy, WindowKind::kDaysThrough, kTierLookbackDays - 1, false},
                   {kMlfs, WindowKind::kDaysThrough, kTierLookbackDays - 1, true}};
    info_.bootstrap = BootstrapPolicy::kRun;
    info_.description =
        "Ensemble bias per scoring tier over 30 days of "
        "grading: errors, hit rate, adjustment";
  }
  const ProcessorInfo& info() const override { return info_; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date from = ctx.date - (kTierLookbackDays - 1);
    Table accuracy = proc::read_window(
        ctx, kAccuracy, from, ctx.date,
        {"player_lookup", "game_date", "system_id", "signed_error", "absolute_error", "prediction_correct"});
    Table mlfs = proc::read_window(ctx, kMlfs, from, ctx.date, {"player_lookup", "game_date", "features"});
    return compute_scoring_tier_adjustments(ctx.date, {accuracy, mlfs});
  }

 private:
  ProcessorInfo info_;
};

}  // namespace

std::unique_ptr<Processor> make_scoring_tier_processor() { return std::make_unique<ScoringTierProcessor>(); }

}  // namespace nbaprops::grading
