#include "nbaprops/processors/grading/prediction_accuracy.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/decimal.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/predictions/prediction_systems.hpp"

namespace nbaprops::grading {
namespace {

namespace pa = cols::prediction_accuracy;
namespace ppp = cols::player_prop_predictions;
namespace pgs = cols::player_game_summary;
namespace sdp = cols::system_daily_performance;

constexpr const char* kPredictions = "nba_predictions.player_prop_predictions";
constexpr const char* kActuals = "nba_analytics.player_game_summary";
constexpr const char* kAccuracy = "nba_predictions.prediction_accuracy";
constexpr const char* kDaily = "nba_predictions.system_daily_performance";
constexpr double kHighConfidence = 0.70;
constexpr size_t kMaxText = 500;

std::optional<double> finite(std::optional<double> v) {
  if (v && !std::isfinite(*v)) return std::nullopt;
  return v;
}

/// Legacy rounding to @p dp digits (none when dp < 0), then the value BigQuery
/// keeps in the column.
void set_rounded(Table& t, size_t row, ColumnId id, std::optional<double> v, int dp) {
  const size_t col = t.at(id);
  v = finite(v);
  if (!v) {
    t.col(col).set_null(row);
    return;
  }
  double x = dp >= 0 ? proc::py_round(*v, dp) : *v;
  if (t.def(col).type == ColumnType::kNumeric) x = bq_numeric(x, t.def(col).scale);
  t.col(col).set_real(row, x);
}

/// A stored text cell as written out: sanitize_text() of it, without a copy
/// when it is already clean (no control character or quote, ≤ 500 bytes).
const std::string* clean_text(const std::string* v) {
  bool clean = v->size() <= kMaxText;
  for (size_t i = 0; clean && i < v->size(); ++i) {
    const auto c = static_cast<unsigned char>((*v)[i]);
    clean = c >= 0x20 && c != 0x7F && c != '"';
  }
  return clean ? v : intern_cell(sanitize_text(*v));
}

void set_text(Table& t, size_t row, ColumnId col, const std::string* v) {
  if (v) {
    t.col(col).set_text_ptr(row, clean_text(v));
  } else {
    t.col(col).set_null(row);
  }
}

}  // namespace

double bq_numeric(double v, int scale) {
  NBAPROPS_ASSERT(std::isfinite(v) && scale >= 0 && scale <= 9);
  if (v == 0) return 0.0;
  // A value of at most `scale` places already: its shortest digits are those
  // places, which the rounding below keeps as they are (and its digits at
  // `scale` places are exact in a double).
  if (std::fabs(v) * kPowersOfTen[static_cast<size_t>(scale)] < 0x1p53 && short_decimal(v, scale)) return v;
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), std::fabs(v), std::chars_format::scientific);
  NBAPROPS_ASSERT(ec == std::errc());
  // "d.ddde±XX": significant digits (at most 17) and the power of ten of the
  // first one.
  std::array<char, 32> digits{};
  int n_digits = 0;
  const char* p = buf.data();
  for (; p != end && *p != 'e'; ++p) {
    if (*p != '.') digits[static_cast<size_t>(n_digits++)] = *p;
  }
  int exp10 = 0;
  std::from_chars(p + 1 + (p[1] == '+' ? 1 : 0), end, exp10);
  // Keep the digits whose place value is at least 10^-scale; round on the next
  // one.
  const int keep = exp10 + scale + 1;
  if (keep < 0) return 0.0;
  if (keep > 17) return v;  // beyond any NUMERIC(p ≤ 17, s) value: nothing to round
  int64_t n = 0;
  for (int i = 0; i < keep; ++i) n = n * 10 + (i < n_digits ? digits[static_cast<size_t>(i)] - '0' : 0);
  if (keep < n_digits && digits[static_cast<size_t>(keep)] >= '5') ++n;
  const double out = static_cast<double>(n) / kPowersOfTen[static_cast<size_t>(scale)];
  return v < 0 ? -out : out;
}

std::string sanitize_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t code_points = 0;
  for (unsigned char c : s) {
    const bool continuation = (c & 0xC0) == 0x80;
    if (!continuation) {
      if (c < 0x20 || c == 0x7F) continue;
      if (code_points == kMaxText) break;
      ++code_points;
    }
    out += c == '"' ? '\'' : static_cast<char>(c);
  }
  return out;
}

std::optional<bool> prediction_correct(const std::optional<std::string>& recommendation, std::optional<double> line,
                                       int64_t actual) {
  if (!recommendation || !line || !std::isfinite(*line)) return std::nullopt;
  const std::string& rec = *recommendation;
  if (rec == "PASS" || rec == "HOLD" || rec == "NO_LINE") return std::nullopt;
  const double a = static_cast<double>(actual);
  if (a == *line) return std::nullopt;  // push
  return (a > *line) == (rec == "OVER");
}

std::optional<int64_t> confidence_decile(std::optional<double> confidence) {
  confidence = finite(confidence);
  if (!confidence) return std::nullopt;
  return std::min<int64_t>(10, static_cast<int64_t>(*confidence * 10.0) + 1);
}

namespace {

/// The prediction columns read (optional ones nullptr when absent).
struct PredictionColumns {
  const Column &date, &player, &system;
  const Column *model, *model_id, *game, *pred, *line, *conf, *rec, *pace, *sample;
  explicit PredictionColumns(const Table& p)
      : date(p.col(ppp::game_date)),
        player(p.col(ppp::player_lookup)),
        system(p.col(ppp::system_id)),
        model(proc::opt_col(p, "model_version")),
        model_id(proc::opt_col(p, "ml_model_id")),
        game(proc::opt_col(p, "game_id")),
        pred(proc::opt_col(p, "predicted_points")),
        line(proc::opt_col(p, "current_points_line")),
        conf(proc::opt_col(p, "confidence_score")),
        rec(proc::opt_col(p, "recommendation")),
        pace(proc::opt_col(p, "pace_adjustment")),
        sample(proc::opt_col(p, "similar_games_count")) {}
};

/// The box-score columns read (optional ones nullptr when absent).
struct ActualColumns {
  const Column &points, *game, *team, *opp, *minutes;
  explicit ActualColumns(const Table& a)
      : points(a.col(pgs::points)),
        game(proc::opt_col(a, "game_id")),
        team(proc::opt_col(a, "team_abbr")),
        opp(proc::opt_col(a, "opponent_team_abbr")),
        minutes(proc::opt_col(a, "minutes_played")) {}
};

/// One box-score row per player of D (the first in warehouse order).
std::unordered_map<const std::string*, size_t> actuals_by_player(const Table& a, Date d) {
  std::unordered_map<const std::string*, size_t> out;
  const Column &player = a.col(pgs::player_lookup), &date = a.col(pgs::game_date);
  for (size_t r = 0; r < a.num_rows(); ++r) {
    if (player.is_null(r) || date.is_null(r) || date.int_at(r) != d.days()) continue;
    out.emplace(player.text_ptr(r), r);
  }
  return out;
}

/// Output row @p row: prediction row @p r graded against box-score row @p ar
/// (@p actual points).
void write_graded_row(Table& t, size_t row, const PredictionColumns& p, size_t r, const ActualColumns& a, size_t ar,
                      Date d, int64_t actual) {
  const std::optional<double> pred = finite(proc::real_of(p.pred, r));
  const std::optional<double> line = finite(proc::real_of(p.line, r));
  const std::optional<double> conf = finite(proc::real_of(p.conf, r));
  const std::string* rec = proc::text_of(p.rec, r);
  const double actual_d = static_cast<double>(actual);
  set_text(t, row, pa::player_lookup, proc::text_of(&p.player, r));
  const std::string* game = proc::text_of(p.game, r);
  set_text(t, row, pa::game_id, game ? game : proc::text_of(a.game, ar));
  t.col(pa::game_date).set_int(row, int64_t{d.days()});
  set_text(t, row, pa::system_id, proc::text_of(&p.system, r));
  set_text(t, row, pa::team_abbr, proc::text_of(a.team, ar));
  set_text(t, row, pa::opponent_team_abbr, proc::text_of(a.opp, ar));
  set_rounded(t, row, pa::predicted_points, pred, 2);
  set_rounded(t, row, pa::confidence_score, conf, 4);
  t.col(pa::confidence_decile).set_int(row, confidence_decile(conf));
  set_text(t, row, pa::recommendation, rec);
  set_rounded(t, row, pa::line_value, line, 2);
  set_rounded(t, row, pa::pace_adjustment, proc::real_of(p.pace, r), 4);
  t.col(pa::similarity_sample_size).set_int(row, proc::int_of(p.sample, r));
  t.col(pa::actual_points).set_int(row, actual);
  set_rounded(t, row, pa::minutes_played, proc::real_of(a.minutes, ar), -1);
  if (pred) {
    const double abs_err = std::fabs(*pred - actual_d);
    set_rounded(t, row, pa::absolute_error, abs_err, 2);
    set_rounded(t, row, pa::signed_error, *pred - actual_d, 2);
    t.col(pa::within_3_points).set_int(row, abs_err <= 3.0 ? 1 : 0);
    t.col(pa::within_5_points).set_int(row, abs_err <= 5.0 ? 1 : 0);
    if (line) set_rounded(t, row, pa::predicted_margin, *pred - *line, 2);
  }
  if (line) set_rounded(t, row, pa::actual_margin, actual_d - *line, 2);
  auto correct = prediction_correct(rec ? std::optional<std::string>(*rec) : std::nullopt, line, actual);
  if (correct) t.col(pa::prediction_correct).set_int(row, *correct ? 1 : 0);
  // The prediction's model_version (legacy); a row written before predictions
  // had the column falls back to its ml_model_id (XGBoost rows only).
  const std::string* model = proc::text_of(p.model, r);
  set_text(t, row, pa::model_version, model ? model : proc::text_of(p.model_id, r));
}

}  // namespace

UnitOutput compute_prediction_accuracy(Date d, const GradingInputs& in) {
  UnitOutput out(catalog::get(kAccuracy));
  const Table& p = in.predictions;
  const Table& a = in.actuals;
  const std::unordered_map<const std::string*, size_t> actual_of = actuals_by_player(a, d);
  Table& t = out.rows;
  const PredictionColumns pc(p);
  const ActualColumns ac(a);

  std::unordered_set<std::string> failed;
  std::unordered_set<const std::string*> graded;
  auto fail = [&](const std::string& id, const char* category, const char* reason) {
    if (failed.insert(id).second) out.failures.push_back({id, category, reason});
  };
  size_t n_predictions = 0;
  // Sized once for every prediction row (each writes at most one row), cut to
  // the rows written at the end: no per-row growth of the ~25 columns.
  t.resize(p.num_rows());
  size_t n_rows = 0;
  for (size_t r = 0; r < p.num_rows(); ++r) {
    if (pc.date.is_null(r) || pc.date.int_at(r) != d.days()) continue;
    ++n_predictions;
    const std::string* player = proc::text_of(&pc.player, r);
    const std::string* system = proc::text_of(&pc.system, r);
    if (!player || !system) {
      std::string id = "row " + std::to_string(r);
      if (player || system) id = player ? *player : *system;
      fail(id, "PROCESSING_ERROR", "prediction row without player_lookup or system_id");
      continue;
    }
    auto it = actual_of.find(player);
    if (it == actual_of.end()) {
      fail(*player, "INCOMPLETE_UPSTREAM", "no actuals");
      continue;
    }
    const auto points = ac.points.get_int(it->second);
    if (!points) {
      // Legacy: the NULL surfaced as NaN, the actuals loader raised and the
      // whole date was reported as having no actuals. Here only this player is
      // skipped (DECISION 6).
      fail(*player, "INCOMPLETE_UPSTREAM", "no actuals: NULL points in player_game_summary");
      continue;
    }
    graded.insert(player);
    write_graded_row(t, n_rows++, pc, r, ac, it->second, d, *points);
  }

  t.resize(n_rows);
  out.entities_processed = static_cast<int64_t>(graded.size());
  if (t.num_rows() == 0) {
    if (n_predictions == 0) {
      out.empty_reason = "no predictions for " + d.iso();
    } else if (actual_of.empty()) {
      out.empty_reason = "no actuals: player_game_summary has no rows for " + d.iso();
    } else {
      out.empty_reason = "no predicted player has actuals on " + d.iso();
    }
  }
  return out;
}

namespace {

/// The errors and confidences summed as the integers of their stored NUMERIC
/// scale (tenths, thousandths), so that means are exact, as BigQuery's
/// AVG(NUMERIC) is.
struct Tally {
  int64_t predictions = 0, correct = 0, incorrect = 0, passes = 0;
  int64_t over = 0, over_correct = 0, under = 0, under_correct = 0;
  int64_t within_3 = 0, within_5 = 0, high = 0, high_correct = 0, high_recs = 0;
  int64_t abs_units = 0, signed_units = 0, conf_units = 0;
  int64_t abs_n = 0, signed_n = 0, conf_n = 0;
};

}  // namespace

UnitOutput compute_system_daily_performance(Date d, const Table& acc) {
  UnitOutput out(catalog::get(kDaily));
  std::map<std::string, Tally> systems;
  std::unordered_map<const std::string*, Tally*> tally_of;  // interned system_id → its tally
  const Column &c_date = acc.col(pa::game_date), &c_system = acc.col(pa::system_id);
  const Column *c_rec = proc::opt_col(acc, "recommendation"), *c_correct = proc::opt_col(acc, "prediction_correct"),
               *c_w3 = proc::opt_col(acc, "within_3_points"), *c_w5 = proc::opt_col(acc, "within_5_points"),
               *c_abs = proc::opt_col(acc, "absolute_error"), *c_signed = proc::opt_col(acc, "signed_error"),
               *c_conf = proc::opt_col(acc, "confidence_score");
  const int error_scale = proc::numeric_scale(acc, "absolute_error"),
            conf_scale = proc::numeric_scale(acc, "confidence_score");
  NBAPROPS_ASSERT(proc::numeric_scale(acc, "signed_error") == error_scale);
  for (size_t r = 0; r < acc.num_rows(); ++r) {
    if (c_date.is_null(r) || c_date.int_at(r) != d.days() || c_system.is_null(r)) continue;
    Tally*& slot = tally_of[c_system.text_ptr(r)];
    if (!slot) slot = &systems[c_system.text_at(r)];
    Tally& s = *slot;
    ++s.predictions;
    const std::string* rec_text = proc::text_of(c_rec, r);
    const std::string_view rec = rec_text ? std::string_view(*rec_text) : std::string_view();
    const std::optional<bool> correct = proc::bool_of(c_correct, r);
    const bool won = correct.value_or(false);
    if (correct) ++(*correct ? s.correct : s.incorrect);
    if (rec == "PASS") ++s.passes;
    if (rec == "OVER") {
      ++s.over;
      s.over_correct += won;
    } else if (rec == "UNDER") {
      ++s.under;
      s.under_correct += won;
    }
    if (proc::bool_of(c_w3, r).value_or(false)) ++s.within_3;
    if (proc::bool_of(c_w5, r).value_or(false)) ++s.within_5;
    if (auto v = finite(proc::real_of(c_abs, r))) {
      s.abs_units += proc::numeric_units(*v, error_scale);
      ++s.abs_n;
    }
    if (auto v = finite(proc::real_of(c_signed, r))) {
      s.signed_units += proc::numeric_units(*v, error_scale);
      ++s.signed_n;
    }
    if (auto v = finite(proc::real_of(c_conf, r))) {
      s.conf_units += proc::numeric_units(*v, conf_scale);
      ++s.conf_n;
      // Legacy (spec §4): the count is every row with confidence ≥ 0.70, PASS
      // and HOLD included; only the win rate's denominator is OVER/UNDER.
      if (*v >= kHighConfidence) {
        ++s.high;
        s.high_correct += won;
        s.high_recs += rec == "OVER" || rec == "UNDER";
      }
    }
  }

  // Legacy rounding (BigQuery: exact, halves away from zero): win rates
  // ROUND(…, 3), mae/bias ROUND(AVG, 2); the shares and the mean confidence
  // at their NUMERIC(4,3) scale.
  Table& t = out.rows;
  for (const auto& [system, s] : systems) {
    const size_t row = t.add_row();
    auto i = [&](ColumnId col, int64_t v) { t.col(col).set_int(row, v); };
    // Rounded already; set_rounded keeps the value as the NUMERIC stores it.
    auto x = [&](ColumnId col, std::optional<double> v) { set_rounded(t, row, col, v, -1); };
    t.set(row, sdp::game_date, d);
    t.set(row, sdp::system_id, sanitize_text(system));
    const int64_t recs = s.over + s.under;
    i(sdp::predictions_count, s.predictions);
    i(sdp::recommendations_count, recs);
    i(sdp::correct_count, s.correct);
    i(sdp::incorrect_count, s.incorrect);
    i(sdp::pass_count, s.passes);
    x(sdp::win_rate, proc::exact_round(s.correct, recs, 3));
    x(sdp::mae, proc::exact_round(s.abs_units, s.abs_n * proc::pow10_int(error_scale), 2));
    x(sdp::avg_bias, proc::exact_round(s.signed_units, s.signed_n * proc::pow10_int(error_scale), 2));
    i(sdp::over_count, s.over);
    i(sdp::over_correct, s.over_correct);
    x(sdp::over_win_rate, proc::exact_round(s.over_correct, s.over, 3));
    i(sdp::under_count, s.under);
    i(sdp::under_correct, s.under_correct);
    x(sdp::under_win_rate, proc::exact_round(s.under_correct, s.under, 3));
    i(sdp::within_3_count, s.within_3);
    x(sdp::within_3_pct, proc::exact_round(s.within_3, s.predictions, 3));
    i(sdp::within_5_count, s.within_5);
    x(sdp::within_5_pct, proc::exact_round(s.within_5, s.predictions, 3));
    x(sdp::avg_confidence, proc::exact_round(s.conf_units, s.conf_n * proc::pow10_int(conf_scale), 3));
    i(sdp::high_confidence_count, s.high);
    i(sdp::high_confidence_correct, s.high_correct);
    x(sdp::high_confidence_win_rate, proc::exact_round(s.high_correct, s.high_recs, 3));
  }
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0) out.empty_reason = "no graded predictions for " + d.iso();
  return out;
}

namespace {

// The columns each read takes (declared, so that a run loads each table once
// with the union its processors read).
const std::vector<std::string> kPredictionColumns = {
    "player_lookup",    "game_id",        "game_date",           "system_id",       "predicted_points",
    "confidence_score", "recommendation", "current_points_line", "pace_adjustment", "similar_games_count",
    "model_version",    "ml_model_id"};
const std::vector<std::string> kActualColumns = {"player_lookup",      "game_id", "game_date",     "team_abbr",
                                                 "opponent_team_abbr", "points",  "minutes_played"};
const std::vector<std::string> kGradedColumns = {"game_date",          "system_id",       "recommendation",
                                                 "prediction_correct", "absolute_error",  "signed_error",
                                                 "within_3_points",    "within_5_points", "confidence_score"};

// No predictions exist on bootstrap dates (predictions skip them), so grading
// skips them too: the ledger says why, and the pre-flight of a downstream run
// does not expect rows there.
const ProcessorInfo kAccuracyInfo{
    .name = "prediction_accuracy",
    .code = "grade",
    .phase = 5,
    .output_table = kAccuracy,
    .entity = "players",
    .reads = {{kPredictions, WindowKind::kSameDate, 0, true, kPredictionColumns},
              {kActuals, WindowKind::kSameDate, 0, true, kActualColumns}},
    .bootstrap = BootstrapPolicy::kSkip,
    .legacy_job = "grading_backfill",
    .description = "Every prediction of the day graded against the player's points (errors, OVER/UNDER outcome)"};

const ProcessorInfo kDailyInfo{
    .name = "system_daily_performance",
    .code = "sdp",
    .phase = 5,
    .output_table = kDaily,
    .entity = "systems",
    .reads = {{kAccuracy, WindowKind::kSameDate, 0, true, kGradedColumns}},
    .bootstrap = BootstrapPolicy::kSkip,  // as grading: nothing is graded on bootstrap dates
    .legacy_job = "system_daily_performance",
    .description = "Daily accuracy per prediction system: win rates, MAE, bias, within-3/5 shares"};

class PredictionAccuracyProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kAccuracyInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    Table predictions = proc::read_window(ctx, kPredictions, d, d, kPredictionColumns);
    Table actuals = proc::read_window(ctx, kActuals, d, d, kActualColumns);
    return compute_prediction_accuracy(d, {predictions, actuals});
  }
};

class SystemDailyPerformanceProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kDailyInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    Table acc = proc::read_window(ctx, kAccuracy, ctx.date, ctx.date, kGradedColumns);
    return compute_system_daily_performance(ctx.date, acc);
  }
};

}  // namespace

std::unique_ptr<Processor> make_prediction_accuracy_processor() {
  return std::make_unique<PredictionAccuracyProcessor>();
}
std::unique_ptr<Processor> make_system_daily_performance_processor() {
  return std::make_unique<SystemDailyPerformanceProcessor>();
}

}  // namespace nbaprops::grading
