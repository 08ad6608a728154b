// systems/performance.json (legacy SystemPerformanceExporter, spec
// legacy-mlfs-phase5-6 §6.4).
#include <algorithm>
#include <cmath>
#include <map>

#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports::detail {
namespace {

struct Meta {
  std::string display_name, description;
  bool primary = false;
  int rank = 99;  ///< sorts the systems; not written (the legacy's "ranking")
};

/// Display metadata (the legacy SYSTEM_METADATA); ids it did not list (e.g. the
/// worker's "moving_average") show their id, an empty description, and rank 99.
Meta meta_of(const std::string& id) {
  static const std::map<std::string, Meta> kKnown = {
      {"ensemble_v1", {"Ensemble", "Weighted combination of all prediction systems", true, 1}},
      {"xgboost_v1", {"XGBoost ML", "Gradient boosted trees trained on historical data", false, 2}},
      {"moving_average_baseline_v1", {"Moving Average", "Weighted moving averages of recent performance", false, 3}},
      {"similarity_balanced_v1", {"Similarity", "K-nearest neighbor matching to similar historical games", false, 4}},
      {"zone_matchup_v1", {"Zone Matchup", "Shot zone analysis against opponent defense", false, 5}},
  };
  auto it = kKnown.find(id);
  return it == kKnown.end() ? Meta{id, "", false, 99} : it->second;
}

/// The legacy's ROUND(AVG(x), dp) of a NUMERIC column in BigQuery: the stored
/// values summed as integers of their scale, so the mean is exact, and rounded
/// half away from zero; null without a value.
class NumericMean {
 public:
  explicit NumericMean(int scale = 0) : scale_(scale) {}
  void add(std::optional<double> v) {
    if (!v || !std::isfinite(*v)) return;
    units_ += numeric_units(*v, scale_);
    ++n_;
  }
  [[nodiscard]] std::optional<double> rounded(int dp) const { return exact_round(units_, n_ * pow10_int(scale_), dp); }

 private:
  int scale_ = 0;
  int64_t units_ = 0, n_ = 0;
};

/// The system_daily_performance columns a window reads, and the NUMERIC
/// scales of its day-means: resolved once per table, so adding a row looks no
/// column up by name.
struct DailyColumns {
  const Column &system, &predictions, &recommendations, &correct, &hc_count, &hc_correct;
  const Column &mae, &bias, &over_wr, &under_wr, &w3, &w5;
  int mae_scale, bias_scale, over_wr_scale, under_wr_scale, w3_scale, w5_scale;

  explicit DailyColumns(const Table& t)
      : system(t.col(sdp::system_id)),
        predictions(t.col(sdp::predictions_count)),
        recommendations(t.col(sdp::recommendations_count)),
        correct(t.col(sdp::correct_count)),
        hc_count(t.col(sdp::high_confidence_count)),
        hc_correct(t.col(sdp::high_confidence_correct)),
        mae(t.col(sdp::mae)),
        bias(t.col(sdp::avg_bias)),
        over_wr(t.col(sdp::over_win_rate)),
        under_wr(t.col(sdp::under_win_rate)),
        w3(t.col(sdp::within_3_pct)),
        w5(t.col(sdp::within_5_pct)),
        mae_scale(numeric_scale(t, "mae")),
        bias_scale(numeric_scale(t, "avg_bias")),
        over_wr_scale(numeric_scale(t, "over_win_rate")),
        under_wr_scale(numeric_scale(t, "under_win_rate")),
        w3_scale(numeric_scale(t, "within_3_pct")),
        w5_scale(numeric_scale(t, "within_5_pct")) {}
};

/// BigQuery's SUM of an INT64 column: the sum of the non-null values, null
/// when there is none (a window without rows, or only null counts).
class Sum {
 public:
  void add(std::optional<int64_t> v) {
    if (v) sum_ = sum_.value_or(0) + *v;
  }
  [[nodiscard]] std::optional<int64_t> value() const { return sum_; }

 private:
  std::optional<int64_t> sum_;
};

/// The legacy's ROUND(SAFE_DIVIDE(SUM(num), SUM(den)), 3): null when either
/// sum is null or the denominator is 0.
std::optional<double> ratio(const Sum& num, const Sum& den) {
  if (!num.value() || !den.value()) return std::nullopt;
  return exact_round(*num.value(), *den.value(), 3);
}

/// Sums and day-means of system_daily_performance rows over one window; every
/// figure as the legacy SQL computed it (SUM, ROUND(SAFE_DIVIDE(Σ, Σ), 3),
/// ROUND(AVG(NUMERIC), 2 or 3)): a window without rows has null counts, as
/// the legacy's SUM(CASE WHEN <in window> THEN x END) over no row.
struct Window {
  Sum predictions, recommendations, correct, hc_count, hc_correct;
  NumericMean mae, bias, over_wr, under_wr, w3, w5;

  explicit Window(const DailyColumns& c)
      : mae(c.mae_scale),
        bias(c.bias_scale),
        over_wr(c.over_wr_scale),
        under_wr(c.under_wr_scale),
        w3(c.w3_scale),
        w5(c.w5_scale) {}

  void add(const DailyColumns& c, size_t r) {
    predictions.add(c.predictions.get_int(r));
    recommendations.add(c.recommendations.get_int(r));
    correct.add(c.correct.get_int(r));
    hc_count.add(c.hc_count.get_int(r));
    hc_correct.add(c.hc_correct.get_int(r));
    mae.add(c.mae.get_real(r));
    bias.add(c.bias.get_real(r));
    over_wr.add(c.over_wr.get_real(r));
    under_wr.add(c.under_wr.get_real(r));
    w3.add(c.w3.get_real(r));
    w5.add(c.w5.get_real(r));
  }
  /// Σcorrect / Σrecommendations; null without recommendations (the legacy's
  /// SAFE_DIVIDE).
  [[nodiscard]] std::optional<double> win_rate() const { return ratio(correct, recommendations); }
  [[nodiscard]] std::optional<double> mean_mae() const { return mae.rounded(2); }
  [[nodiscard]] std::optional<double> mean_bias() const { return bias.rounded(2); }
  [[nodiscard]] Json json() const {
    Json j;
    j["predictions"] = integer(predictions.value());
    j["recommendations"] = integer(recommendations.value());
    j["correct"] = integer(correct.value());
    j["win_rate"] = number(win_rate(), 3);
    j["mae"] = number(mean_mae(), 2);
    j["bias"] = number(mean_bias(), 2);
    return j;
  }
  [[nodiscard]] Json breakdown() const {
    Json j;
    j["over_win_rate"] = number(over_wr.rounded(3), 3);
    j["under_win_rate"] = number(under_wr.rounded(3), 3);
    j["within_3_pct"] = number(w3.rounded(3), 3);
    j["within_5_pct"] = number(w5.rounded(3), 3);
    j["high_confidence_win_rate"] = number(ratio(hc_correct, hc_count), 3);
    return j;
  }
};

struct System {
  std::string id;
  Meta meta;
  Window last_7, last_30, season;
  System(std::string system, const DailyColumns& c)
      : id(std::move(system)), meta(meta_of(id)), last_7(c), last_30(c), season(c) {}
};

/// One legacy comparison entry: Python's min/max over the systems with a key
/// of the season figure (`x or 999`, `x or 0`, `abs(x or 999)`), so a null
/// figure stands in as 999 (or 0) and can be chosen, written null, when no
/// system has a better one. The legacy iterated its query's rows (BigQuery
/// gives no order); we iterate in rank order, and the first of equal keys wins
/// as in Python's min/max. Legacy: an exact 0 also became 999 (`0.0 or 999`),
/// so a 0.0 MAE or bias lost. Fixed (DECISION 6): 0.0 is a figure.
Json pick(const std::vector<System>& systems, std::optional<double> (*value)(const System&),
          double (*key)(std::optional<double>), bool lowest, int digits) {
  const System* chosen = nullptr;
  double best = 0;
  for (const System& s : systems) {
    const double k = key(value(s));
    if (!chosen || (lowest ? k < best : k > best)) {
      best = k;
      chosen = &s;
    }
  }
  Json j;
  j["system_id"] = chosen->id;
  j["value"] = number(value(*chosen), digits);
  return j;
}

}  // namespace

Json performance_payload(const Inputs& in, Date as_of, const std::string& generated_at) {
  const Table& t = *in.daily_perf.table;
  // The read holds this season's rows up to the loaded as-of date; keep those ≤
  // as_of of the same season (the fixed, season-bounded window — see load()).
  const Date season_start = Date::from_ymd(season_of(as_of), 10, 1);
  const DailyColumns dc(t);
  std::map<std::string, System> by_id;
  const auto& days = t.col(sdp::game_date);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    const Date d(static_cast<int32_t>(days.int_at(r)));
    if (d < season_start || d > as_of) continue;
    const std::string id = dc.system.get_text(r).value_or("");
    System& s = by_id.try_emplace(id, id, dc).first->second;
    s.season.add(dc, r);
    if (d > as_of - 30) s.last_30.add(dc, r);
    if (d > as_of - 7) s.last_7.add(dc, r);
  }
  std::vector<System> systems;
  systems.reserve(by_id.size());
  for (auto& [id, s] : by_id) systems.push_back(std::move(s));
  std::stable_sort(systems.begin(), systems.end(),
                   [](const System& a, const System& b) { return a.meta.rank < b.meta.rank; });

  Json list = Json::array();
  for (const System& s : systems) {
    Json j;
    j["system_id"] = s.id;
    j["display_name"] = s.meta.display_name;
    j["description"] = s.meta.description;
    j["is_primary"] = s.meta.primary;
    Json windows;
    windows["last_7_days"] = s.last_7.json();
    windows["last_30_days"] = s.last_30.json();
    windows["season"] = s.season.json();
    j["windows"] = std::move(windows);
    j["breakdown"] = s.season.breakdown();
    list.push_back(std::move(j));
  }

  // The legacy compares the rounded season figures; without a system (no row
  // in the window) it writes an empty comparison ({}, its _empty_response).
  Json comparison = Json::object();
  if (!systems.empty()) {
    comparison["best_mae"] = pick(
        systems, [](const System& s) { return s.season.mean_mae(); },
        [](std::optional<double> x) { return x.value_or(999.0); }, true, 2);
    comparison["best_win_rate"] = pick(
        systems, [](const System& s) { return s.season.win_rate(); },
        [](std::optional<double> x) { return x.value_or(0.0); }, false, 3);
    comparison["lowest_bias"] = pick(
        systems, [](const System& s) { return s.season.mean_bias(); },
        [](std::optional<double> x) { return std::fabs(x.value_or(999.0)); }, true, 2);
  }

  Json out;
  out["as_of_date"] = as_of.iso();
  out["generated_at"] = generated_at;
  out["systems"] = std::move(list);
  out["comparison"] = std::move(comparison);
  return out;
}

}  // namespace nbaprops::exports::detail
