#include "nbaprops/processors/predictions/player_prop_predictions.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <future>
#include <map>
#include <mutex>
#include <pthread.h>
#include <shared_mutex>
#include <string_view>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/json_error.hpp"
#include "nbaprops/models/xgboost.hpp"
#include "../precompute/phase4_util.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/grading/scoring_tier.hpp"
#include "nbaprops/processors/predictions/feature_store.hpp"
#include "nbaprops/processors/predictions/prediction_systems.hpp"

namespace nbaprops::predictions {

namespace {

namespace mlfs = cols::ml_feature_store_v2;
namespace pgs = cols::player_game_summary;
namespace ppp = cols::player_prop_predictions;
namespace tdza = cols::team_defense_zone_analysis;

using proc::py_round;

constexpr const char* kOutput = "nba_predictions.player_prop_predictions";
constexpr int kHistoryDays = 90;  // similarity history: D−90 … D−1
constexpr size_t kHistoryGames = 30;
constexpr const char* kTiers = "nba_predictions.scoring_tier_adjustments";
/// Tier adjustments: the newest row of the year before D (the legacy looked
/// back without limit; an off-season is shorter than a year).
constexpr int kTierLookupDays = 365;
constexpr size_t kSeasonAvgFeature = 2;  // points_avg_season in the v1_baseline_25 order

struct ModelSlot {
  std::mutex mu;
  std::shared_ptr<const models::XGBoostModel> model;
  std::string id;
  /// A load_xgboost_model_async() not yet taken: valid until xgboost_model()
  /// takes its model; kept when it failed, so every reader sees the error.
  std::shared_future<std::shared_ptr<const models::XGBoostModel>> loading;
};
ModelSlot& model_slot() {
  static ModelSlot slot;
  return slot;
}

/// A process forked while the default model loads (multiprocessing with fork,
/// a notebook's worker pool) would inherit a future whose thread is not in the
/// child: waiting on it there never returns. A fork therefore waits for the
/// load, holding the slot so no other thread is inside it at the fork.
void guard_forks_during_loads() {
  static const bool registered = [] {
    return pthread_atfork(
               [] {
                 auto& slot = model_slot();
                 slot.mu.lock();
                 if (slot.loading.valid()) slot.loading.wait();
               },
               [] { model_slot().mu.unlock(); }, [] { model_slot().mu.unlock(); }) == 0;
  }();
  if (!registered) throw std::runtime_error("pthread_atfork failed: cannot load the XGBoost model in the background");
}

/// The line a player's predictions are judged against.
struct Line {
  std::optional<double> value;
  bool actual = false;
  std::string method;  ///< estimation column when estimated
};
/// The UPGC columns the line is chosen from, resolved once (nullptr: left out
/// of the projection, reads as NULL).
struct LineColumns {
  explicit LineColumns(const Table& upgc)
      : has_line(proc::opt_col(upgc, "has_prop_line")),
        line(proc::opt_col(upgc, "current_points_line")),
        averages{{{"points_avg_last_5", proc::opt_col(upgc, "points_avg_last_5")},
                  {"points_avg_last_10", proc::opt_col(upgc, "points_avg_last_10")}}} {}
  const Column *has_line, *line;
  std::array<std::pair<const char*, const Column*>, 2> averages;  ///< estimation fallbacks, in order
};

Line choose_line(const LineColumns& c, const size_t* row) {
  Line l;
  if (!row) return l;
  const auto has = proc::bool_of(c.has_line, *row);
  if (auto v = proc::real_of(c.line, *row); v && has.value_or(true)) {
    l.value = py_round(*v, 1);
    l.actual = true;
    return l;
  }
  for (const auto& [name, col] : c.averages) {
    if (auto v = proc::real_of(col, *row)) {
      l.value = round_to_half(*v);
      l.method = name;
      return l;
    }
  }
  return l;
}

/// "YYYYMMDD_AWAY_HOME" → HOME (empty when the id has another shape).
std::string_view home_of(std::string_view game_id) {
  auto p = game_id.rfind('_');
  return p == std::string_view::npos ? std::string_view() : game_id.substr(p + 1);
}

/// One past game of a player, as the similarity history describes it: every
/// PGS row of the window, 0-minute rows included (spec §2.1 has no minutes
/// filter).
struct Played {
  Date date;
  double points;                ///< NULL points count as 0.0 (legacy)
  const std::string* opponent;  ///< interned; NULL reads as ""
  bool home;
};

/// The players' games of a season (player_game_summary), ingested once per
/// date in date order; the D−90 … D−1 window of a player is a slice.
class PlayedHistory final : public proc::SeasonHistory {
 public:
  using Games = std::vector<std::pair<Date, Played>>;
  [[nodiscard]] const Games* games(const std::string* player) const {
    auto it = players_.find(player);
    return it == players_.end() ? nullptr : &it->second;
  }

 protected:
  void add_rows(const Table& pgs, const std::vector<size_t>& rows) override {
    const Column *c_date = &pgs.col(pgs::game_date), *c_player = &pgs.col(pgs::player_lookup);
    const Column *c_points = proc::opt_col(pgs, "points"), *c_opp = proc::opt_col(pgs, "opponent_team_abbr"),
                 *c_team = proc::opt_col(pgs, "team_abbr"), *c_game = proc::opt_col(pgs, "game_id");
    for (size_t r : rows) {
      if (c_player->is_null(r)) continue;
      const std::string* opp = proc::text_of(c_opp, r);
      const std::string* team = proc::text_of(c_team, r);
      const std::string* game = proc::text_of(c_game, r);
      const bool home = team && !team->empty() && home_of(game ? *game : std::string_view()) == *team;
      const Date gd = *proc::date_of(c_date, r);
      players_[c_player->text_ptr(r)].emplace_back(
          gd, Played{gd, proc::real_of(c_points, r).value_or(0.0), opp ? opp : Column::empty_text(), home});
    }
  }

 private:
  std::unordered_map<const std::string*, Games> players_;
};

/// Each team's defensive rating over its last 15 games as of each date
/// (team_defense_zone_analysis), ingested once per date; the last row of a
/// (team, date) wins. Kept per team as a dense array over the season's days
/// (a similarity history looks up 30 past games per player and date: an
/// index, where a hash map of (team, date) keys waited on a cache miss each).
class RatingHistory final : public proc::SeasonHistory {
 public:
  [[nodiscard]] std::optional<double> rating(const std::string* team, Date d) const {
    auto it = teams_.find(team);
    if (it == teams_.end()) return std::nullopt;
    const int64_t i = static_cast<int64_t>(d.days()) - first().days();
    if (i < 0 || i >= static_cast<int64_t>(it->second.size())) return std::nullopt;
    return it->second[static_cast<size_t>(i)];
  }

 protected:
  void add_rows(const Table& tdza, const std::vector<size_t>& rows) override {
    const Column* c_rating = proc::opt_col(tdza, "defensive_rating_last_15");
    if (!c_rating) return;  // no ratings read: every opponent is unknown
    const Column &c_team = tdza.col(tdza::team_abbr), &c_date = tdza.col(tdza::analysis_date);
    for (size_t r : rows) {
      if (c_team.is_null(r) || c_rating->is_null(r)) continue;
      // Rows come dated from first() on (SeasonHistory::ingest).
      const auto i = static_cast<size_t>(c_date.int_at(r) - first().days());
      std::vector<std::optional<double>>& days = teams_[c_team.text_ptr(r)];
      if (days.size() <= i) days.resize(i + 1);
      days[i] = *c_rating->get_real(r);
    }
  }

 private:
  /// Per team (interned name): the rating of first() + i at [i].
  std::unordered_map<const std::string*, std::vector<std::optional<double>>> teams_;
};

/// The carried state of the processor: both history tables of the season.
struct PredictionHistory final : CarriedState {
  PlayedHistory pgs;
  RatingHistory tdza;
};

/// Similarity history of a player: his games of D−90 … D−1, newest first (at
/// most 30), each described as it was when played.
std::vector<HistoricalGame> similarity_history(const PlayedHistory& pgs, const RatingHistory& tdza, Date d,
                                               const std::string* player) {
  const PlayedHistory::Games* all = pgs.games(player);
  if (!all) return {};
  // The 30 listed games, plus the (up to) 5 before the oldest of them that its
  // rest and form look at.
  const std::vector<Played> v = proc::newest_first(*all, d - kHistoryDays, d, kHistoryGames + 5);
  const size_t keep = std::min(v.size(), kHistoryGames);
  double listed = 0;
  for (size_t i = 0; i < keep; ++i) listed += v[i].points;
  const double listed_mean = keep ? listed / static_cast<double>(keep) : 0.0;
  std::vector<HistoricalGame> h;
  h.reserve(keep);
  for (size_t i = 0; i < keep; ++i) {
    HistoricalGame g;
    g.points = v[i].points;
    g.opponent = opponent_tier(tdza.rating(v[i].opponent, v[i].date).value_or(112.0));  // MLFS default when unknown
    g.rest = i + 1 < v.size() ? rest_bucket((v[i].date - v[i + 1].date) - 1) : RestBucket::kWellRested;
    g.is_home = v[i].home;
    // Form going into that game: its (up to) 5 previous games against the
    // listed mean (legacy used the games after it, i.e. the future of that
    // game).
    double sum = 0;
    size_t n = 0;
    for (size_t k = i + 1; k < v.size() && n < 5; ++k, ++n) sum += v[k].points;
    g.form = n == 0 ? Form::kNormal : form_of(sum / static_cast<double>(n) - listed_mean);
    h.push_back(g);
  }
  return h;
}

/// The player's MLFS values that every one of his prediction rows repeats:
/// identity, completeness and processing status (read once per player, written
/// once per row).
struct Carried {
  const std::string *universal_player_id = nullptr, *game_id = nullptr, *data_quality_issues = nullptr;
  std::optional<int64_t> expected_games, actual_games, missing_games;
  std::optional<double> completeness_pct;
  std::optional<bool> production_ready;
  bool season_boundary = false, bootstrap_mode = false;
};

/// The MLFS columns a unit reads, resolved once (nullptr: left out of the
/// projection, reads as NULL).
struct MlfsColumns {
  explicit MlfsColumns(const Table& t)
      : player(&t.col(mlfs::player_lookup)),
        date(&t.col(mlfs::game_date)),
        features(proc::opt_col(t, "features")),
        universal_player_id(proc::opt_col(t, "universal_player_id")),
        game_id(proc::opt_col(t, "game_id")),
        data_quality_issues(proc::opt_col(t, "data_quality_issues")),
        expected_games(proc::opt_col(t, "expected_games_count")),
        actual_games(proc::opt_col(t, "actual_games_count")),
        missing_games(proc::opt_col(t, "missing_games_count")),
        completeness(proc::opt_col(t, "completeness_percentage")),
        production_ready(proc::opt_col(t, "is_production_ready")),
        season_boundary(proc::opt_col(t, "season_boundary_detected")),
        bootstrap_mode(proc::opt_col(t, "backfill_bootstrap_mode")),
        days_rest(proc::opt_col(t, "days_rest")),
        quality(proc::opt_col(t, "feature_quality_score")),
        is_home(proc::opt_col(t, "is_home")) {}
  const Column *player, *date, *features, *universal_player_id, *game_id, *data_quality_issues, *expected_games,
      *actual_games, *missing_games, *completeness, *production_ready, *season_boundary, *bootstrap_mode, *days_rest,
      *quality, *is_home;
};

Carried carried_from(const MlfsColumns& m, size_t r) {
  Carried c;
  c.universal_player_id = proc::text_of(m.universal_player_id, r);
  c.game_id = proc::text_of(m.game_id, r);
  c.data_quality_issues = proc::text_of(m.data_quality_issues, r);
  c.expected_games = proc::int_of(m.expected_games, r);
  c.actual_games = proc::int_of(m.actual_games, r);
  c.missing_games = proc::int_of(m.missing_games, r);
  c.completeness_pct = proc::real_of(m.completeness, r);
  c.production_ready = proc::bool_of(m.production_ready, r);
  c.season_boundary = proc::bool_of(m.season_boundary, r).value_or(false);
  c.bootstrap_mode = proc::bool_of(m.bootstrap_mode, r).value_or(false);
  return c;
}

/// The output columns, resolved once per unit.
struct OutColumns {
  explicit OutColumns(Table& table) : t(table) {}
  Table& t;
  Column &prediction_id = t.col(ppp::prediction_id), &system_id = t.col(ppp::system_id),
         &player_lookup = t.col(ppp::player_lookup), &game_date = t.col(ppp::game_date),
         &prediction_version = t.col(ppp::prediction_version), &predicted_points = t.col(ppp::predicted_points),
         &confidence_score = t.col(ppp::confidence_score), &recommendation = t.col(ppp::recommendation),
         &has_prop_line = t.col(ppp::has_prop_line), &current_points_line = t.col(ppp::current_points_line),
         &line_margin = t.col(ppp::line_margin), &line_source = t.col(ppp::line_source),
         &estimated_line_value = t.col(ppp::estimated_line_value), &estimation_method = t.col(ppp::estimation_method),
         &fatigue = t.col(ppp::fatigue_adjustment), &shot_zone = t.col(ppp::shot_zone_adjustment),
         &pace = t.col(ppp::pace_adjustment), &usage_spike = t.col(ppp::usage_spike_adjustment),
         &home_away = t.col(ppp::home_away_adjustment), &other = t.col(ppp::other_adjustments),
         &similarity_baseline = t.col(ppp::similarity_baseline), &similar_games_count = t.col(ppp::similar_games_count),
         &avg_similarity = t.col(ppp::avg_similarity_score), &min_similarity = t.col(ppp::min_similarity_score),
         &ml_model_id = t.col(ppp::ml_model_id), &model_version = t.col(ppp::model_version),
         &scoring_tier = t.col(ppp::scoring_tier), &tier_adjustment = t.col(ppp::tier_adjustment),
         &adjusted_points = t.col(ppp::adjusted_points), &variance = t.col(ppp::prediction_variance),
         &agreement = t.col(ppp::system_agreement_score), &contributing = t.col(ppp::contributing_systems),
         &warnings = t.col(ppp::warnings), &universal_player_id = t.col(ppp::universal_player_id),
         &game_id = t.col(ppp::game_id), &expected_games = t.col(ppp::expected_games_count),
         &actual_games = t.col(ppp::actual_games_count), &missing_games = t.col(ppp::missing_games_count),
         &completeness = t.col(ppp::completeness_percentage), &production_ready = t.col(ppp::is_production_ready),
         &data_quality_issues = t.col(ppp::data_quality_issues), &is_active = t.col(ppp::is_active);
  const phase4_detail::ProcessingStatusColumns status{t};
};

void write_carried(OutColumns& o, size_t r, const Carried& c) {
  if (c.universal_player_id) o.universal_player_id.set_text_ptr(r, c.universal_player_id);
  if (c.game_id) o.game_id.set_text_ptr(r, c.game_id);
  o.expected_games.set_int(r, c.expected_games);
  o.actual_games.set_int(r, c.actual_games);
  o.missing_games.set_int(r, c.missing_games);
  o.completeness.set_real(r, c.completeness_pct);
  if (c.production_ready) o.production_ready.set_int(r, int64_t{*c.production_ready ? 1 : 0});
  if (c.data_quality_issues) o.data_quality_issues.set_text_ptr(r, c.data_quality_issues);
  o.status.write(r, c.season_boundary, c.bootstrap_mode);
}

}  // namespace

void set_xgboost_model(std::shared_ptr<const models::XGBoostModel> model, std::string model_id) {
  auto& slot = model_slot();
  std::lock_guard lock(slot.mu);
  slot.loading = {};
  slot.model = std::move(model);
  slot.id = slot.model ? std::move(model_id) : std::string();
}

void load_xgboost_model_async(std::string path, std::string model_id) {
  guard_forks_during_loads();
  auto loading = std::async(std::launch::async, [path = std::move(path)] {
                   return std::make_shared<const models::XGBoostModel>(models::XGBoostModel::load(path));
                 }).share();
  auto& slot = model_slot();
  std::lock_guard lock(slot.mu);
  slot.loading = std::move(loading);
  slot.model.reset();
  slot.id = std::move(model_id);
}

std::pair<std::shared_ptr<const models::XGBoostModel>, std::string> xgboost_model() {
  auto& slot = model_slot();
  std::lock_guard lock(slot.mu);
  if (slot.loading.valid()) {
    slot.model = slot.loading.get();  // waits; rethrows the load's error (the slot keeps it)
    slot.loading = {};
  }
  return {slot.model, slot.id};
}

std::string xgboost_model_id() {
  auto& slot = model_slot();
  std::lock_guard lock(slot.mu);
  return slot.id;
}

double round_to_half(double x) { return py_round(x * 2.0, 0) / 2.0; }

namespace {

/// The first row dated @p d per player (legacy "first matching row wins"),
/// keyed by the interned name.
phase4_detail::RowByKey first_row_of(const Table& t, const char* date_col, Date d) {
  return phase4_detail::first_row_map_by(t, "player_lookup", date_col, d);
}

/// The stored features array of one player: 25 numbers (JSON null or
/// non-number → NaN). @throws DataError when it is not such an array.
void parse_features(const std::string* text, Features& f) {
  if (!text) throw DataError("features is NULL");
  // The feature store's own text ('[' then 25 numbers or nulls) without a JSON
  // tree; anything else through nlohmann, for the same values or its error.
  thread_local std::vector<double> values;
  if (proc::parse_number_array(*text, values) && values.size() == f.size()) {
    std::copy(values.begin(), values.end(), f.begin());
    return;
  }
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(*text);
  } catch (const nlohmann::json::exception& e) {
    throw DataError(json_error_text(e, *text));
  }
  if (!j.is_array() || j.size() != f.size()) {
    throw DataError("features has " + std::to_string(j.is_array() ? j.size() : 0) + " values, expected 25");
  }
  for (size_t k = 0; k < f.size(); ++k) f[k] = j[k].is_number() ? j[k].get<double>() : std::nan("");
}

/// One player's inputs and the five systems' outputs.
struct PlayerResult {
  std::vector<std::pair<const char*, SystemPrediction>> systems;
  Line line;
  std::optional<std::string> failure;
  Features f{};
  std::optional<int64_t> days_rest;
  double quality = 0;
};

/// The five systems of one player whose features, line and model output are
/// known.
void predict_player(PlayerResult& pr, const std::vector<HistoricalGame>& history, std::optional<double> model_points) {
  const Features& f = pr.f;
  const auto line = pr.line.value;
  SystemPrediction ma = moving_average(f, line);
  SystemPrediction zm = zone_matchup(f, line);
  SystemPrediction sim = similarity_balanced(f, pr.days_rest, history, line);
  std::optional<SystemPrediction> xgb;
  if (model_points) xgb = xgboost_system(*model_points, pr.quality, f, line);
  std::vector<SystemPrediction> components = {ma, zm, sim};
  if (xgb) components.push_back(*xgb);
  SystemPrediction ens = ensemble(components, line);
  pr.systems.reserve(5);
  pr.systems.emplace_back(kSystemMovingAverage, std::move(ma));
  pr.systems.emplace_back(kSystemZoneMatchup, std::move(zm));
  pr.systems.emplace_back(kSystemSimilarity, std::move(sim));
  if (xgb) pr.systems.emplace_back(kSystemXgboost, std::move(*xgb));
  pr.systems.emplace_back(kSystemEnsemble, std::move(ens));
}

/// The interned text of a short constant (system ids, recommendations,
/// sources): looked up once per distinct value per thread.
const std::string* interned(std::string_view s) {
  thread_local std::unordered_map<std::string_view, const std::string*> memo;
  auto it = memo.find(s);
  if (it != memo.end()) return it->second;
  const std::string* p = intern(s);
  memo.emplace(*p, p);  // keyed by the pooled copy, which lives as long as the process
  return p;
}

/// Rows one player writes: one per system with a prediction.
size_t rows_of(const PlayerResult& pr) {
  if (pr.failure) return 0;
  return static_cast<size_t>(
      std::count_if(pr.systems.begin(), pr.systems.end(), [](const auto& s) { return s.second.points.has_value(); }));
}

/// Phase 5C on an ensemble row (legacy prediction backfill, spec §5): the
/// player's scoring tier, and the tier's adjustment of the dates before D.
void write_tier(OutColumns& o, size_t r, const PlayerResult& pr, double points, const grading::TierAdjustments& tiers) {
  const double avg = pr.f[kSeasonAvgFeature];
  const grading::AppliedTier a =
      grading::apply_scoring_tier(tiers, std::isnan(avg) ? std::nullopt : std::optional<double>(avg), points);
  o.scoring_tier.set_text_ptr(r, interned(a.scoring_tier));
  o.tier_adjustment.set_real(r, a.tier_adjustment);
  o.adjusted_points.set_real(r, a.adjusted_points);
}

/// Fills the rows of one predicted player from row @p r on (one per system
/// with a prediction; the table is already sized).
void emit_player(OutColumns& o, size_t r, Date d, const std::string& date_iso, const std::string* player,
                 const PlayerResult& pr, const Carried& carried, const std::string* model_id,
                 const std::string* warnings, const grading::TierAdjustments& tiers) {
  const std::string* const line_source = interned(pr.line.actual ? "ACTUAL_PROP" : "ESTIMATED_AVG");
  std::string id;
  for (const auto& [system, s] : pr.systems) {
    if (!s.points) {
      // Legacy: a similarity result without a prediction was dropped at
      // write; so is an ensemble without two components (legacy stored 0.0
      // for it).
      continue;
    }
    id.assign(date_iso).append("_").append(*player).append("_").append(system);
    o.prediction_id.set_unique_text(r, id);
    o.system_id.set_text_ptr(r, interned(system));
    o.player_lookup.set_text_ptr(r, player);
    o.game_date.set_int(r, int64_t{d.days()});
    o.prediction_version.set_int(r, int64_t{1});
    o.predicted_points.set_real(r, py_round(*s.points, 1));
    o.confidence_score.set_real(r, py_round(s.confidence, 2));
    o.recommendation.set_text_ptr(r, interned(pr.line.value ? std::string_view(s.recommendation) : "NO_LINE"));
    o.has_prop_line.set_int(r, int64_t{pr.line.actual ? 1 : 0});
    if (pr.line.value) {
      o.current_points_line.set_real(r, *pr.line.value);
      o.line_margin.set_real(r, py_round(*s.points - *pr.line.value, 2));
      o.line_source.set_text_ptr(r, line_source);
      if (!pr.line.actual) {
        o.estimated_line_value.set_real(r, *pr.line.value);
        o.estimation_method.set_text_ptr(r, interned(pr.line.method));
      }
    }
    auto put = [r](Column& c, std::optional<double> v) {
      if (v) c.set_real(r, py_round(*v, 2));
    };
    put(o.fatigue, s.fatigue);
    put(o.shot_zone, s.shot_zone);
    put(o.pace, s.pace);
    put(o.usage_spike, s.usage_spike);
    put(o.home_away, s.home_away);
    put(o.other, s.other);
    if (std::string_view(system) == kSystemSimilarity) {
      o.similarity_baseline.set_real(r, py_round(*s.similarity_baseline, 1));
      o.similar_games_count.set_int(r, int64_t{s.similar_games});
      put(o.avg_similarity, s.avg_similarity);
      put(o.min_similarity, s.min_similarity);
    }
    if (std::string_view(system) == kSystemXgboost) {
      o.ml_model_id.set_text_ptr(r, model_id);
      // DECISION 7: a real model, named by its id (the legacy's "1.0" named the
      // mock).
      o.model_version.set_text_ptr(r, model_id);
    } else {
      o.model_version.set_text_ptr(r, interned(kPredictionModelVersion));  // legacy backfill: every row "1.0"
    }
    if (std::string_view(system) == kSystemEnsemble) {
      put(o.variance, s.variance);
      put(o.agreement, s.agreement_pct);
      o.contributing.set_int(r, int64_t{s.contributing});
      write_tier(o, r, pr, *s.points, tiers);
    }
    if (warnings) o.warnings.set_text_ptr(r, warnings);
    write_carried(o, r, carried);
    o.is_active.set_int(r, int64_t{1});
    ++r;
  }
}

/// The rows of D from the date's MLFS/UPGC/PDC rows and the similarity
/// histories (which may hold other dates: only D−90 … D−1 is used).
UnitOutput predict_date(Date d, const Table& mlfs_t, const Table& upgc_t, const Table& pdc_t, const PlayedHistory& pgs,
                        const RatingHistory& tdza, const grading::TierAdjustments& tiers,
                        const models::XGBoostModel* model, const std::string& model_id) {
  UnitOutput out(catalog::get(kOutput));
  const auto mlfs = first_row_of(mlfs_t, "game_date", d);
  if (mlfs.empty()) {
    out.empty_reason = "no ml_feature_store_v2 rows for " + d.iso();
    return out;
  }
  const auto upgc = first_row_of(upgc_t, "game_date", d);
  const auto pdc = first_row_of(pdc_t, "cache_date", d);
  const MlfsColumns mc(mlfs_t);
  const LineColumns line_cols(upgc_t);

  // Players in name order, so rows (and reruns) are deterministic.
  std::vector<std::pair<const std::string*, size_t>> players(mlfs.begin(), mlfs.end());
  std::sort(players.begin(), players.end(), [](const auto& a, const auto& b) { return *a.first < *b.first; });

  std::vector<PlayerResult> results(players.size());
  // 1. Features and lines per player; the model's input rows, one block for the
  // whole date.
  const std::optional<ModelInputPlan> plan = model ? std::optional<ModelInputPlan>(*model) : std::nullopt;
  // A model without feature names gets all-missing rows (plan width 0).
  const size_t width = model ? static_cast<size_t>(model->num_features()) : 0;
  std::vector<float> model_rows(players.size() * width, std::nanf(""));
  const Column* pdc_minutes = pdc.empty() ? nullptr : proc::opt_col(pdc_t, "minutes_avg_last_10");
  const Column* pdc_assisted = pdc.empty() ? nullptr : proc::opt_col(pdc_t, "assisted_rate_last_10");
  const Column* pdc_usage = pdc.empty() ? nullptr : proc::opt_col(pdc_t, "usage_rate_last_10");
  tbb::parallel_for(size_t{0}, players.size(), [&](size_t i) {
    const auto& [player, mr] = players[i];
    PlayerResult& pr = results[i];
    try {
      parse_features(proc::text_of(mc.features, mr), pr.f);
    } catch (const std::exception& e) {
      // One bad stored row fails only its player (named with table, field and
      // date).
      pr.failure = std::string("nba_predictions.ml_feature_store_v2 ") + d.iso() + " player " + *player +
                   " field features: " + e.what();
      return;
    }
    auto ur = upgc.find(player);
    pr.line = choose_line(line_cols, ur == upgc.end() ? nullptr : &ur->second);
    pr.days_rest = proc::int_of(mc.days_rest, mr);
    pr.quality = proc::real_of(mc.quality, mr).value_or(0.0);
    if (model) {
      ModelExtras x;
      if (auto pit = pdc.find(player); pit != pdc.end()) {
        x.minutes_avg_last_10 = proc::real_of(pdc_minutes, pit->second);
        x.assisted_rate_last_10 = proc::real_of(pdc_assisted, pit->second);
        x.usage_rate_last_10 = proc::real_of(pdc_usage, pit->second);
      }
      x.days_rest = pr.days_rest;
      x.is_home = proc::bool_of(mc.is_home, mr);
      plan->fill(pr.f, x, model_rows.data() + i * width);
    }
  });
  // 2. The model over the whole block at once (the batched evaluator, identical
  // to per-row calls).
  const std::vector<double> model_points = model ? model->predict_batch(model_rows) : std::vector<double>{};
  // 3. The five systems per player.
  tbb::parallel_for(size_t{0}, players.size(), [&](size_t i) {
    PlayerResult& pr = results[i];
    if (pr.failure) return;
    predict_player(pr, similarity_history(pgs, tdza, d, players[i].first),
                   model ? std::optional(model_points[i]) : std::nullopt);
  });

  // 4. Rows, in player order: each player's rows start at the sum of the rows
  // before him, so players fill their own slots in parallel.
  std::vector<size_t> first_row(players.size() + 1, 0);
  for (size_t i = 0; i < players.size(); ++i) first_row[i + 1] = first_row[i] + rows_of(results[i]);
  out.rows.resize(first_row.back());
  OutColumns o(out.rows);
  const std::string date_iso = d.iso();
  const std::string* const model_id_text = intern(model_id);
  const std::string* const warnings =
      model ? nullptr : intern(nlohmann::json::array({"xgboost_model_unavailable"}).dump());
  tbb::parallel_for(size_t{0}, players.size(), [&](size_t i) {
    if (results[i].failure) return;
    emit_player(o, first_row[i], d, date_iso, players[i].first, results[i], carried_from(mc, players[i].second),
                model_id_text, warnings, tiers);
  });
  for (size_t i = 0; i < players.size(); ++i) {
    if (results[i].failure) {
      out.failures.push_back({*players[i].first, "PROCESSING_ERROR", *results[i].failure});
    } else {
      ++out.entities_processed;
    }
  }
  if (out.rows.num_rows() == 0 && out.empty_reason.empty()) {
    out.empty_reason = "no player could be predicted on " + date_iso;
  }
  return out;
}

}  // namespace

UnitOutput compute_predictions(Date d, const PredictionInputs& in, const models::XGBoostModel* model,
                               const std::string& model_id) {
  // Fresh histories of the given rows of D−90 … D−1: the processor's code path.
  PredictionHistory h;
  const Date from = d - kHistoryDays;
  h.pgs.start(from, from);
  h.tdza.start(from, from);
  h.pgs.ingest(in.pgs, d - 1);
  h.tdza.ingest(in.tdza, d - 1);
  const grading::TierAdjustments tiers =
      in.tier_adjustments ? grading::tier_adjustments_before(d, *in.tier_adjustments) : grading::TierAdjustments{};
  return predict_date(d, in.mlfs, in.upgc, in.pdc, h.pgs, h.tdza, tiers, model, model_id);
}

namespace {

// The columns each read takes (declared, so that a run loads each table once
// with the union its processors read).
const std::vector<std::string> kMlfsColumns = {"player_lookup",
                                               "universal_player_id",
                                               "game_date",
                                               "game_id",
                                               "features",
                                               "feature_quality_score",
                                               "is_home",
                                               "days_rest",
                                               "expected_games_count",
                                               "actual_games_count",
                                               "missing_games_count",
                                               "completeness_percentage",
                                               "is_production_ready",
                                               "data_quality_issues",
                                               "season_boundary_detected",
                                               "backfill_bootstrap_mode"};
const std::vector<std::string> kUpgcColumns = {"player_lookup",     "game_date",           "team_abbr",
                                               "has_prop_line",     "current_points_line", "points_avg_last_5",
                                               "points_avg_last_10"};
const std::vector<std::string> kPdcColumns = {"player_lookup", "cache_date", "minutes_avg_last_10",
                                              "assisted_rate_last_10", "usage_rate_last_10"};
const std::vector<std::string> kPgsColumns = {"player_lookup", "game_date",          "game_id",
                                              "team_abbr",     "opponent_team_abbr", "points"};
const std::vector<std::string> kTdzaColumns = {"team_abbr", "analysis_date", "defensive_rating_last_15"};
const std::vector<std::string> kTierColumns = {"system_id", "scoring_tier", "as_of_date", "recommended_adjustment"};

const ProcessorInfo kInfo{
    .name = "player_prop_predictions",
    .code = "pred",
    .phase = 5,
    .output_table = kOutput,
    .entity = "players",
    .reads = {{"nba_predictions.ml_feature_store_v2", WindowKind::kSameDate, 0, true, kMlfsColumns},
              {"nba_analytics.upcoming_player_game_context", WindowKind::kSameDate, 0, true, kUpgcColumns},
              {"nba_precompute.player_daily_cache", WindowKind::kSameDate, 0, false, kPdcColumns},
              {"nba_analytics.player_game_summary", WindowKind::kDaysBefore, kHistoryDays, false, kPgsColumns},
              {"nba_precompute.team_defense_zone_analysis", WindowKind::kDaysBefore, kHistoryDays, false, kTdzaColumns},
              // Phase 5C adjustments of the dates before D only: they are
              // computed from graded predictions, so the runner orders
              // predictions of D after the tier units of D−365 … D−1 (which
              // wait for the predictions of their dates), never after D's own.
              // Optional: none exist before the first tier run.
              {kTiers, WindowKind::kDaysBefore, kTierLookupDays, false, kTierColumns}},
    .bootstrap = BootstrapPolicy::kSkip,
    .legacy_job = "prediction_backfill",
    .description =
        "Points predictions of five systems (moving average, zone matchup, similarity, XGBoost model, "
        "ensemble) per player against the prop line"};

class PlayerPropPredictionsProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    Table mlfs = proc::read_window(ctx, "nba_predictions.ml_feature_store_v2", d, d, kMlfsColumns);
    Table upgc = proc::read_window(ctx, "nba_analytics.upcoming_player_game_context", d, d, kUpgcColumns);
    Table pdc = proc::read_window(ctx, "nba_precompute.player_daily_cache", d, d, kPdcColumns);
    // The similarity histories of the season, carried from the dates before
    // (or this unit's own when run alone): only dates not ingested yet are read.
    auto* carried = dynamic_cast<PredictionHistory*>(ctx.carried);
    const Date from = d - kHistoryDays;
    std::unique_ptr<CarriedState> own_pgs, own_tdza;
    UnitContext sub = ctx;
    sub.carried = carried ? &carried->pgs : nullptr;
    const auto& pgs = proc::history_for<PlayedHistory>(sub, own_pgs, from, from, d - 1, [&](Date lo, Date hi) {
      return proc::read_window(ctx, "nba_analytics.player_game_summary", lo, hi, kPgsColumns);
    });
    sub.carried = carried ? &carried->tdza : nullptr;
    const auto& tdza = proc::history_for<RatingHistory>(sub, own_tdza, from, from, d - 1, [&](Date lo, Date hi) {
      return proc::read_window(ctx, "nba_precompute.team_defense_zone_analysis", lo, hi, kTdzaColumns);
    });
    const grading::TierAdjustments tiers =
        grading::tier_adjustments_before(d, proc::read_window(ctx, kTiers, d - kTierLookupDays, d - 1, kTierColumns));
    auto [model, id] = xgboost_model();
    std::shared_lock pgs_lock(pgs.mutex()), tdza_lock(tdza.mutex());
    return predict_date(d, mlfs, upgc, pdc, pgs, tdza, tiers, model.get(), id);
  }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<PredictionHistory>(); }
};

}  // namespace

std::unique_ptr<Processor> make_player_prop_predictions_processor() {
  return std::make_unique<PlayerPropPredictionsProcessor>();
}

}  // namespace nbaprops::predictions
