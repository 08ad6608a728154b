#include "nbaprops/processors/predictions/prediction_systems.hpp"

#include <boost/container/small_vector.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <span>

#include "nbaprops/models/xgboost.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/predictions/feature_store.hpp"

namespace nbaprops::predictions {

namespace {
using proc::py_round;
}  // namespace

namespace {

constexpr double kMaxPoints = 60.0;

/// A per-player list of a few entries, kept on the stack (a similarity history
/// holds at most 30 games, an ensemble a handful of systems).
template <class T, size_t N>
using SmallVec = boost::container::small_vector<T, N>;

double clamp_points(double p) { return std::clamp(p, 0.0, kMaxPoints); }

/// Population standard deviation.
double pop_std(std::span<const double> v) {
  if (v.empty()) return 0.0;
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - mean) * (x - mean);
  return std::sqrt(ss / static_cast<double>(v.size()));
}

}  // namespace

double tuple_confidence(const Features& f) {
  double c = 0.5;
  if (f[3] > 6.0) {
    c -= 0.15;
  } else if (f[3] > 4.0) {
    c -= 0.08;
  }
  const auto games = static_cast<int64_t>(f[4]);  // Python int(): truncation toward zero
  if (games >= 3) {
    c += 0.10;
  } else if (games == 2) {
    c += 0.05;
  } else {
    c -= 0.10;
  }
  // Legacy ×0.8 when data_source == "mock": MLFS never writes "mock", so the
  // factor is always 1.
  return std::clamp(c, 0.2, 0.8);
}

std::string tuple_recommendation(double pred, double confidence, std::optional<double> line) {
  if (!line) return "PASS";
  if (std::abs(pred - *line) <= 2.0) return "PASS";
  if (confidence <= 0.45) return "PASS";
  return pred > *line ? "OVER" : "UNDER";
}

SystemPrediction moving_average(const Features& f, std::optional<double> line) {
  SystemPrediction s;
  const double base = 0.50 * f[0] + 0.30 * f[1] + 0.20 * f[2];
  // As the legacy: a fatigue score above 70 lowers the prediction (the legacy
  // MA reads the score as tiredness while PCF scores freshness; kept — the spec
  // lists no fix for it).
  s.fatigue = f[5] > 70 ? -2.5 : (f[5] > 50 ? -1.0 : 0.0);
  s.shot_zone = 0.3 * f[6];
  s.other = f[16] == 1.0 ? -1.5 : 0.0;  // back-to-back rest penalty
  s.pace = 0.3 * f[7];
  s.home_away = f[15] == 1.0 ? 0.5 : -0.5;
  s.usage_spike = 0.4 * f[8];
  const double adj = *s.fatigue + *s.shot_zone + *s.other + *s.pace + *s.home_away + *s.usage_spike;
  s.points = clamp_points(base + adj);
  s.confidence = tuple_confidence(f);
  s.recommendation = tuple_recommendation(*s.points, s.confidence, line);
  return s;
}

SystemPrediction zone_matchup(const Features& f, std::optional<double> line) {
  SystemPrediction s;
  // Every zone uses the same defensive input; player usage of a zone only
  // weights it.
  const double def = (110.0 - f[13]) * 0.3;
  const double multipliers[4] = {1.2, 1.0, 1.1, 0.8};  // paint, mid-range, three, free throw
  const double usage[4] = {f[18], f[19], f[20], f[21]};
  double zone = 0;
  for (int z = 0; z < 4; ++z) {
    const double score = std::clamp(def * multipliers[z], -3.0, 3.0);
    const double weight = usage[z] >= 0.40 ? 1.0 : (usage[z] >= 0.20 ? 0.7 : 0.4);
    zone += score * weight;
  }
  s.shot_zone = zone;
  s.pace = 0.4 * f[7];
  s.home_away = f[15] == 1.0 ? 0.8 : -0.8;
  s.fatigue = f[5] > 70 ? -1.5 : (f[5] > 50 ? -0.8 : 0.0);
  s.points = clamp_points(f[2] + zone + *s.pace + *s.home_away + *s.fatigue);
  s.confidence = tuple_confidence(f);
  s.recommendation = tuple_recommendation(*s.points, s.confidence, line);
  return s;
}

OpponentTier opponent_tier(double def_rating_last_15) {
  if (def_rating_last_15 < 110) return OpponentTier::kElite;
  if (def_rating_last_15 < 115) return OpponentTier::kAverage;
  return OpponentTier::kWeak;
}

RestBucket rest_bucket(int64_t days_rest) {
  if (days_rest <= 0) return RestBucket::kBackToBack;
  if (days_rest == 1) return RestBucket::kOneDay;
  if (days_rest == 2) return RestBucket::kTwoDays;
  return RestBucket::kWellRested;
}

Form form_of(double diff) {
  if (diff >= 3) return Form::kHot;
  if (diff <= -3) return Form::kCold;
  return Form::kNormal;
}

double similarity_score(const SimilarityContext& now, const HistoricalGame& g) {
  double s = 0;
  const int tier_gap = std::abs(static_cast<int>(now.opponent) - static_cast<int>(g.opponent));
  s += tier_gap == 0 ? 40 : (tier_gap == 1 ? 20 : 0);
  const int rest_gap = std::abs(static_cast<int>(now.rest) - static_cast<int>(g.rest));
  s += rest_gap == 0 ? 30 : (rest_gap == 1 ? 15 : 0);
  s += now.is_home == g.is_home ? 15 : 0;
  s += now.form == g.form ? 15 : 5;
  return s;
}

SystemPrediction similarity_balanced(const Features& f, std::optional<int64_t> days_rest,
                                     const std::vector<HistoricalGame>& history, std::optional<double> line) {
  SystemPrediction s;
  SimilarityContext now;
  now.opponent = opponent_tier(f[13]);
  now.rest = rest_bucket(days_rest.value_or(1));  // legacy: NULL days_rest → 1
  now.is_home = f[15] != 0.0;
  now.form = form_of(f[0] - f[2]);
  SmallVec<std::pair<double, const HistoricalGame*>, 32> matched;
  for (const HistoricalGame& g : history) {
    const double score = similarity_score(now, g);
    if (score >= 70) matched.emplace_back(score, &g);
  }
  std::stable_sort(matched.begin(), matched.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (matched.size() > 20) matched.resize(20);
  s.similar_games = static_cast<int>(matched.size());
  if (matched.size() < 5) {
    s.recommendation = "PASS";
    s.error = "Insufficient similar games";
    return s;
  }
  double num = 0, den = 0, sum_score = 0, min_score = 100;
  SmallVec<double, 20> pts;
  for (const auto& [score, g] : matched) {
    num += g->points * score / 100.0;
    den += score / 100.0;
    sum_score += score;
    min_score = std::min(min_score, score);
    pts.push_back(g->points);
  }
  const double baseline = num / den;
  s.fatigue = py_round((f[5] - 70.0) * 0.015, 2);
  s.shot_zone = py_round(0.4 * f[6], 2);
  s.pace = py_round(0.8 * f[7], 2);
  s.usage_spike = py_round(0.8 * f[8], 2);
  s.home_away = py_round(now.is_home ? 0.8 : -0.5, 2);
  const double total = py_round(*s.fatigue + *s.shot_zone + *s.pace + *s.usage_spike + *s.home_away, 2);
  s.points = py_round(clamp_points(baseline + total), 2);
  s.similarity_baseline = baseline;
  const double mean_score = sum_score / static_cast<double>(matched.size());
  s.avg_similarity = mean_score;
  s.min_similarity = min_score;
  double c = 50;
  const size_t n = matched.size();
  c += n >= 15 ? 20 : (n >= 10 ? 15 : (n >= 7 ? 10 : -15));
  c += mean_score >= 85 ? 20 : (mean_score >= 75 ? 15 : (mean_score >= 70 ? 10 : 5));
  const double sd = pop_std({pts.data(), pts.size()});
  c += sd < 4 ? 15 : (sd < 6 ? 8 : (sd < 8 ? 3 : -5));
  c = py_round(std::clamp(c, 0.0, 100.0), 2);
  s.confidence = c / 100.0;
  if (!line || c < 65) {
    s.recommendation = "PASS";
  } else {
    const double e = *s.points - *line;
    s.recommendation = e >= 2.0 ? "OVER" : (e <= -2.0 ? "UNDER" : "PASS");
  }
  return s;
}

SystemPrediction xgboost_system(double model_points, double quality, const Features& f, std::optional<double> line) {
  SystemPrediction s;
  s.points = py_round(clamp_points(model_points), 2);
  double c = 70;
  c += quality >= 90 ? 10 : (quality >= 80 ? 7 : (quality >= 70 ? 5 : (quality >= 60 ? 2 : 0)));
  c += f[3] < 4 ? 10 : (f[3] < 6 ? 7 : (f[3] < 8 ? 5 : 2));
  c = std::clamp(c, 0.0, 100.0);
  s.confidence = c / 100.0;
  if (!line || c < 60) {
    s.recommendation = "PASS";
  } else {
    const double e = *s.points - *line;
    s.recommendation = e >= 1.5 ? "OVER" : (e <= -1.5 ? "UNDER" : "PASS");
  }
  return s;
}

ModelInputPlan::ModelInputPlan(const models::XGBoostModel& model) {
  const auto& mlfs = mlfs_feature_names();
  sources_.reserve(model.feature_names().size());
  for (const std::string& name : model.feature_names()) {
    // Training semantics (legacy spec §3.3): shot rates in percent, days_rest 1
    // = back-to-back, PDC-only inputs with the training NULL defaults.
    if (name == "minutes_avg_last_10") {
      sources_.emplace_back(Source::kMinutesAvgLast10, 0);
    } else if (name == "opponent_def_rating_last_15") {
      sources_.emplace_back(Source::kFeature, 13);
    } else if (name == "opponent_pace_last_15") {
      sources_.emplace_back(Source::kFeature, 14);
    } else if (name == "is_home") {
      sources_.emplace_back(Source::kIsHome, 15);
    } else if (name == "days_rest") {
      sources_.emplace_back(Source::kDaysRest, 0);
    } else if (name == "paint_rate_last_10") {
      sources_.emplace_back(Source::kFeatureX100, 18);
    } else if (name == "mid_range_rate_last_10") {
      sources_.emplace_back(Source::kFeatureX100, 19);
    } else if (name == "three_pt_rate_last_10") {
      sources_.emplace_back(Source::kFeatureX100, 20);
    } else if (name == "assisted_rate_last_10") {
      sources_.emplace_back(Source::kAssistedRate, 0);
    } else if (name == "team_pace_last_10") {
      sources_.emplace_back(Source::kFeature, 22);
    } else if (name == "team_off_rating_last_10") {
      sources_.emplace_back(Source::kFeature, 23);
    } else if (name == "usage_rate_last_10") {
      sources_.emplace_back(Source::kUsageRate, 0);
    } else if (auto it = std::find(mlfs.begin(), mlfs.end(), name); it != mlfs.end()) {
      sources_.emplace_back(Source::kFeature, static_cast<uint8_t>(it - mlfs.begin()));
    } else {
      sources_.emplace_back(Source::kMissing, 0);  // e.g. v1's starter_rate_last_10: no source
    }
  }
}

void ModelInputPlan::fill(const Features& f, const ModelExtras& x, float* out) const noexcept {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  for (const auto& [source, k] : sources_) {
    double v = 0;
    switch (source) {
      case Source::kFeature:
        v = f[k];
        break;
      case Source::kFeatureX100:
        v = f[k] * 100.0;
        break;
      case Source::kMinutesAvgLast10:
        v = x.minutes_avg_last_10 ? *x.minutes_avg_last_10 : std::numeric_limits<double>::quiet_NaN();
        break;
      case Source::kIsHome:
        v = x.is_home ? (*x.is_home ? 1.0 : 0.0) : f[k];
        break;
      case Source::kDaysRest:
        v = x.days_rest ? static_cast<double>(*x.days_rest + 1) : 2.0;
        break;
      case Source::kAssistedRate:
        v = x.assisted_rate_last_10 ? *x.assisted_rate_last_10 * 100.0 : 60.0;
        break;
      case Source::kUsageRate:
        v = x.usage_rate_last_10.value_or(25.0);
        break;
      case Source::kMissing:
        v = std::numeric_limits<double>::quiet_NaN();
        break;
    }
    *out++ = std::isfinite(v) ? static_cast<float>(v) : nan;
  }
}

std::vector<float> model_row(const models::XGBoostModel& model, const Features& f, const ModelExtras& x) {
  const ModelInputPlan plan(model);
  std::vector<float> row(plan.width());
  plan.fill(f, x, row.data());
  return row;
}

SystemPrediction ensemble(const std::vector<SystemPrediction>& components, std::optional<double> line) {
  SystemPrediction s;
  SmallVec<const SystemPrediction*, 8> valid;
  for (const auto& c : components) {
    if (c.points) valid.push_back(&c);
  }
  s.contributing = static_cast<int>(valid.size());
  if (valid.size() < 2) {
    // Legacy stored predicted 0.0 / PASS here; no prediction is written
    // instead.
    s.recommendation = "PASS";
    s.error = "Fewer than 2 valid component predictions";
    return s;
  }
  double num = 0, den = 0, conf_sum = 0;
  SmallVec<double, 8> preds;
  for (const SystemPrediction* c : valid) {
    const double conf = c->confidence * 100.0;
    num += *c->points * conf;
    den += conf;
    conf_sum += conf;
    preds.push_back(*c->points);
  }
  const double mean_pred = std::accumulate(preds.begin(), preds.end(), 0.0) / static_cast<double>(preds.size());
  s.points = clamp_points(den > 0 ? num / den : mean_pred);
  const double sigma = pop_std({preds.data(), preds.size()});
  double conf = conf_sum / static_cast<double>(valid.size());
  conf += sigma < 2.0 ? 10 : (sigma < 3.0 ? 5 : (sigma < 6.0 ? -5 : -10));
  if (valid.size() == 4) conf += 5;
  conf = std::clamp(conf, 20.0, 95.0);
  s.confidence = conf / 100.0;
  s.variance = sigma;
  s.agreement_pct =
      sigma < 2.0 ? 95.0 : (sigma < 3.0 ? 85.0 : (sigma < 6.0 ? 70.0 : std::max(50.0, 100.0 - 5.0 * sigma)));
  if (!line || conf < 65 || std::abs(*s.points - *line) < 1.5) {
    s.recommendation = "PASS";
    return s;
  }
  int over = 0, under = 0;
  for (const SystemPrediction* c : valid) {
    over += c->recommendation == "OVER";
    under += c->recommendation == "UNDER";
  }
  const double half = static_cast<double>(valid.size()) / 2.0;
  if (over > half) {
    s.recommendation = "OVER";
  } else if (under > half) {
    s.recommendation = "UNDER";
  } else {
    s.recommendation = *s.points > *line ? "OVER" : "UNDER";
  }
  return s;
}

}  // namespace nbaprops::predictions
