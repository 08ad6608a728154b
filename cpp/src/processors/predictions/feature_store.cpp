#include "nbaprops/processors/predictions/feature_store.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <shared_mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "../precompute/phase4_util.hpp"
#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/processors/common.hpp"
#include "nbaprops/processors/precompute/zone_common.hpp"

namespace nbaprops::predictions {
using precompute::RowHasher;
using proc::opt_bool;
using proc::opt_int;
using proc::opt_real;
using proc::opt_text;
using proc::py_round;

const std::vector<std::string>& mlfs_feature_names() {
  static const std::vector<std::string> kNames = {"points_avg_last_5",
                                                  "points_avg_last_10",
                                                  "points_avg_season",
                                                  "points_std_last_10",
                                                  "games_in_last_7_days",
                                                  "fatigue_score",
                                                  "shot_zone_mismatch_score",
                                                  "pace_score",
                                                  "usage_spike_score",
                                                  "rest_advantage",
                                                  "injury_risk",
                                                  "recent_trend",
                                                  "minutes_change",
                                                  "opponent_def_rating",
                                                  "opponent_pace",
                                                  "home_away",
                                                  "back_to_back",
                                                  "playoff_game",
                                                  "pct_paint",
                                                  "pct_mid_range",
                                                  "pct_three",
                                                  "pct_free_throw",
                                                  "team_pace",
                                                  "team_off_rating",
                                                  "team_win_pct"};
  return kNames;
}

const char* to_string(FeatureSource s) noexcept {
  switch (s) {
    case FeatureSource::kPhase4:
      return "phase4";
    case FeatureSource::kPhase3:
      return "phase3";
    case FeatureSource::kDefault:
      return "default";
    case FeatureSource::kCalculated:
      return "calculated";
  }
  return "default";
}

double rest_advantage(std::optional<int64_t> days_rest, std::optional<int64_t> opponent_days_rest) {
  if (!days_rest || !opponent_days_rest) return 0.0;
  return static_cast<double>(std::clamp<int64_t>(*days_rest - *opponent_days_rest, -2, 2));
}

double injury_risk(const std::optional<std::string>& player_status) {
  std::string s = player_status.value_or("");
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  if (s == "probable") return 1.0;
  if (s == "questionable") return 2.0;
  if (s == "doubtful" || s == "out") return 3.0;
  return 0.0;  // available, '' and unknown
}

double recent_trend(const std::vector<std::optional<double>>& pts) {
  if (pts.size() < 5) return 0.0;
  const double recent = (pts[0].value_or(0) + pts[1].value_or(0) + pts[2].value_or(0)) / 3.0;
  const double older = (pts[3].value_or(0) + pts[4].value_or(0)) / 2.0;
  // Legacy: diff = older − recent over a newest-first list, so a positive trend
  // meant the player scored MORE in the older games. Fixed (DECISION 6): diff =
  // recent − older.
  const double diff = recent - older;
  if (diff >= 5) return 2.0;
  if (diff >= 2) return 1.0;
  if (diff <= -5) return -2.0;
  if (diff <= -2) return -1.0;
  return 0.0;
}

double minutes_change(double recent, double season) {
  if (recent == 0.0 || season == 0.0) return 0.0;
  const double pct = (recent - season) / season;
  if (pct >= 0.20) return 2.0;
  if (pct >= 0.10) return 1.0;
  if (pct <= -0.20) return -2.0;
  if (pct <= -0.10) return -1.0;
  return 0.0;
}

double pct_free_throw(const std::vector<std::optional<double>>& ft_makes,
                      const std::vector<std::optional<double>>& points) {
  if (points.size() < 5) return 0.15;
  double ft = 0, pts = 0;
  for (size_t i = 0; i < points.size() && i < 10; ++i) {
    pts += points[i].value_or(0);
    if (i < ft_makes.size()) ft += ft_makes[i].value_or(0);
  }
  if (pts == 0.0) return 0.15;
  return py_round(std::clamp(ft / pts, 0.0, 0.5), 9);
}

double team_win_pct(int64_t wins, int64_t games) {
  if (games < 5) return 0.5;
  return py_round(static_cast<double>(wins) / static_cast<double>(games), 9);
}

FeatureVector build_features(const Phase4Values& p4, const Phase3Values& p3) {
  FeatureVector f;
  using S = FeatureSource;
  auto chain = [&](int idx, std::optional<double> v4, std::optional<double> v3, double dflt) {
    if (v4) {
      f.values[idx] = *v4;
      f.sources[idx] = S::kPhase4;
    } else if (v3) {
      f.values[idx] = *v3;
      f.sources[idx] = S::kPhase3;
    } else {
      f.values[idx] = dflt;
      f.sources[idx] = S::kDefault;
    }
  };
  auto calc = [&](int idx, double v) {
    f.values[idx] = v;
    f.sources[idx] = S::kCalculated;
  };
  auto p3v = [&](int idx, double v) {
    f.values[idx] = v;
    f.sources[idx] = S::kPhase3;  // always tagged phase3, even when UPGC lacked the field
  };

  // Phase 3 fallbacks from PGS history before D.
  std::vector<std::optional<double>> pts, mins, fts;
  pts.reserve(p3.last_10_games.size());
  mins.reserve(p3.last_10_games.size());
  fts.reserve(p3.last_10_games.size());
  for (const auto& g : p3.last_10_games) {
    pts.push_back(g.points);
    mins.push_back(g.minutes);
    fts.push_back(g.ft_makes);
  }
  std::optional<double> p3_l10, p3_l5, p3_min_l10;
  if (!pts.empty()) {
    double s = 0;
    for (auto& x : pts) s += x.value_or(0);  // NULL points count as 0 (legacy)
    p3_l10 = s / static_cast<double>(pts.size());
  }
  if (pts.size() >= 5) {
    double s = 0;
    for (size_t i = 0; i < 5; ++i) s += pts[i].value_or(0);
    p3_l5 = s / 5.0;
  }
  if (!mins.empty()) {
    double s = 0;
    for (auto& x : mins) s += x.value_or(0);
    p3_min_l10 = s / static_cast<double>(mins.size());
  }

  chain(0, p4.points_avg_last_5, p3_l5, 10.0);
  chain(1, p4.points_avg_last_10, p3_l10, 10.0);
  chain(2, p4.points_avg_season, p3.points_avg_season, 10.0);
  chain(3, p4.points_std_last_10, std::nullopt, 5.0);
  chain(4, p4.games_in_last_7_days, std::nullopt, 3.0);
  chain(5, p4.fatigue_score, std::nullopt, 50.0);
  chain(6, p4.shot_zone_mismatch_score, std::nullopt, 0.0);
  chain(7, p4.pace_score, std::nullopt, 0.0);
  chain(8, p4.usage_spike_score, std::nullopt, 0.0);
  calc(9, rest_advantage(p3.days_rest, p3.opponent_days_rest));
  calc(10, injury_risk(p3.player_status));
  calc(11, recent_trend(pts));
  const double recent_min = p4.minutes_avg_last_10 ? *p4.minutes_avg_last_10 : p3_min_l10.value_or(0.0);
  calc(12, minutes_change(recent_min, p3.minutes_avg_season.value_or(0.0)));
  chain(13, p4.opponent_def_rating, std::nullopt, 112.0);
  chain(14, p4.opponent_pace, std::nullopt, 100.0);
  p3v(15, p3.home_game.value_or(false) ? 1.0 : 0.0);
  p3v(16, p3.back_to_back.value_or(false) ? 1.0 : 0.0);
  std::string phase = p3.season_phase.value_or("");
  std::transform(phase.begin(), phase.end(), phase.begin(), [](unsigned char c) { return std::tolower(c); });
  p3v(17, phase == "playoffs" ? 1.0 : 0.0);
  // Legacy: the PSZA row overwrote the PDC keys whenever it existed, even with
  // NULL values (then the feature fell to its default). Fixed (DECISION 6):
  // PSZA wins only when its value is present.
  auto zone = [&](std::optional<double> psza, std::optional<double> pdc) -> std::optional<double> {
    std::optional<double> v = (p4.has_psza && psza) ? psza : pdc;
    if (v) return *v / 100.0;
    return std::nullopt;
  };
  chain(18, zone(p4.paint_rate_last_10, p4.pdc_paint_rate_last_10), std::nullopt, 0.30);
  chain(19, zone(p4.mid_range_rate_last_10, std::nullopt), std::nullopt, 0.20);
  chain(20, zone(p4.three_pt_rate_last_10, p4.pdc_three_pt_rate_last_10), std::nullopt, 0.35);
  calc(21, pct_free_throw(fts, pts));
  chain(22, p4.team_pace_last_10, std::nullopt, 100.0);
  chain(23, p4.team_off_rating_last_10, std::nullopt, 112.0);
  calc(24, team_win_pct(p3.team_wins, p3.team_games));
  return f;
}

double feature_quality_score(const FeatureVector& f) {
  double sum = 0;
  for (auto s : f.sources) {
    switch (s) {
      case FeatureSource::kPhase4:
      case FeatureSource::kCalculated:
        sum += 100;
        break;
      case FeatureSource::kPhase3:
        sum += 75;
        break;
      case FeatureSource::kDefault:
        sum += 40;
        break;
    }
  }
  return py_round(sum / kMlfsFeatureCount, 2);
}

std::string feature_data_source(const FeatureVector& f) {
  int p4 = 0, p3 = 0;
  for (auto s : f.sources) {
    p4 += s == FeatureSource::kPhase4;
    p3 += s == FeatureSource::kPhase3;
  }
  const double s4 = p4 / static_cast<double>(kMlfsFeatureCount);
  const double s3 = p3 / static_cast<double>(kMlfsFeatureCount);
  if (s4 >= 0.90) return "phase4";
  if (s4 >= 0.50) return "phase4_partial";
  if (s3 >= 0.50) return "phase3";
  return "mixed";
}

std::string feature_quality_tier(double score) { return proc::tier_for_score(score); }

namespace {

namespace mlfs = cols::ml_feature_store_v2;
namespace pgs = cols::player_game_summary;

const std::vector<std::string> kHashFields = {"player_lookup",
                                              "universal_player_id",
                                              "game_date",
                                              "game_id",
                                              "features",
                                              "feature_names",
                                              "feature_count",
                                              "feature_version",
                                              "feature_quality_score",
                                              "opponent_team_abbr",
                                              "is_home",
                                              "days_rest",
                                              "data_source",
                                              "early_season_flag",
                                              "insufficient_data_reason"};

/// Minimum rows per source for the completeness pct (legacy backfill
/// thresholds: 20 players, 20 teams).
constexpr double kMinRows = 20.0;
/// The Phase 3 fallback's recent games: the last 10 within 60 days before D.
constexpr int kRecentDays = 60;
constexpr size_t kRecentGames = 10;

/// One Phase 4 table's rows of D: the first row per key (player or team) and
/// the source tracking of them all (rows, newest processed_at, pct, latest
/// hash).
struct Phase4Source {
  Phase4Source(const Table& t, const char* key, const char* date_col, Date d) {
    std::vector<size_t> dated;
    first = phase4_detail::first_row_map_by(t, key, date_col, d, &dated);
    rows = static_cast<int64_t>(dated.size());
    const Column* processed = proc::col_if_any(t, "processed_at");
    for (size_t r : dated) {
      const std::string* pa = proc::text_of(processed, r);
      if (pa && (!last_updated || *last_updated < *pa)) last_updated = pa;
    }
    hash = phase4_detail::latest_hash_ptr(t, dated);
    pct = py_round(std::min(static_cast<double>(rows) / kMinRows * 100.0, 100.0), 2);
    ready_col = proc::opt_col(t, "is_production_ready");
  }
  /// The key's row, or nullopt.
  [[nodiscard]] std::optional<size_t> row(const std::string* key) const {
    auto it = first.find(key);
    if (it == first.end()) return std::nullopt;
    return it->second;
  }
  /// The key's row exists and is production ready.
  [[nodiscard]] bool ready(const std::string* key) const {
    const auto r = row(key);
    return r && proc::bool_of(ready_col, *r).value_or(false);
  }

  phase4_detail::RowByKey first;  ///< interned key → first row of D
  int64_t rows = 0;
  const std::string *last_updated = nullptr, *hash = nullptr;
  double pct = 0;
  const Column* ready_col = nullptr;
};

/// The four source_<name>_* columns of one Phase 4 source, resolved once.
struct TrackColumns {
  TrackColumns(Table& t, ColumnId last_updated_id, ColumnId rows_found_id, ColumnId pct_id, ColumnId hash_id)
      : last_updated(t.col(last_updated_id)),
        rows_found(t.col(rows_found_id)),
        pct(t.col(pct_id)),
        hash(t.col(hash_id)) {}
  void write(size_t i, const Phase4Source& s) const {
    if (s.last_updated) last_updated.set_text_ptr(i, s.last_updated);
    rows_found.set_int(i, s.rows);
    pct.set_real(i, s.pct);
    if (s.hash) hash.set_text_ptr(i, s.hash);
  }
  Column &last_updated, &rows_found, &pct, &hash;
};

/// player_game_summary from the season's first MLFS window on, as per-player
/// date-ordered histories with running season sums (MLFS's carried PGS
/// state): a date D reads its last 10 games within 60 days and its season
/// averages from the slices before D.
class MlfsPgsHistory final : public proc::SeasonHistory {
 public:
  struct Player {
    std::vector<std::pair<Date, RecentGame>> games;         ///< every row, stored order
    std::vector<Date> season_dates;                         ///< this season's rows
    std::vector<double> cum_points{0.0}, cum_minutes{0.0};  ///< running sums over season_dates (size + 1)
  };
  [[nodiscard]] const Player* player(const std::string* name) const {
    auto it = players_.find(name);
    return it == players_.end() ? nullptr : &it->second;
  }

 protected:
  void add_rows(const Table& p, const std::vector<size_t>& rows) override {
    const Column &c_date = p.col(pgs::game_date), &c_player = p.col(pgs::player_lookup);
    const Column *c_points = proc::opt_col(p, "points"), *c_minutes = proc::opt_col(p, "minutes_played"),
                 *c_ft = proc::opt_col(p, "ft_makes"), *c_season = proc::opt_col(p, "season_year");
    const Date season_start_ = season_start();
    const int season = season_of(season_start_);
    for (size_t r : rows) {
      if (c_player.is_null(r)) continue;
      const Date gd(static_cast<int32_t>(c_date.int_at(r)));
      Player& h = players_[c_player.text_ptr(r)];
      const RecentGame g{proc::real_of(c_points, r), proc::real_of(c_minutes, r), proc::real_of(c_ft, r)};
      h.games.emplace_back(gd, g);
      if (gd >= season_start_ && proc::int_of(c_season, r).value_or(season) == season) {
        h.season_dates.push_back(gd);
        h.cum_points.push_back(h.cum_points.back() + g.points.value_or(0));
        h.cum_minutes.push_back(h.cum_minutes.back() + g.minutes.value_or(0));
      }
    }
  }

 private:
  std::unordered_map<const std::string*, Player> players_;  // interned player_lookup
};

/// team_offense_game_summary of the season as per-team game dates with
/// running win counts (MLFS's carried TOGS state): a team's record before D is
/// a binary search, not a rescan of the season to date.
class TeamRecordHistory final : public proc::SeasonHistory {
 public:
  struct Record {
    int64_t wins = 0, games = 0;
  };
  /// Wins and games of @p team this season before @p d.
  [[nodiscard]] Record record_before(const std::string* team, Date d) const {
    auto it = teams_.find(team);
    if (it == teams_.end()) return {};
    const Team& t = it->second;
    const auto n = static_cast<size_t>(std::lower_bound(t.dates.begin(), t.dates.end(), d) - t.dates.begin());
    return {t.cum_wins[n], static_cast<int64_t>(n)};
  }

 protected:
  void add_rows(const Table& t, const std::vector<size_t>& rows) override {
    const Column *c_date = proc::opt_col(t, "game_date"), *c_team = proc::opt_col(t, "team_abbr"),
                 *c_season = proc::opt_col(t, "season_year"), *c_win = proc::opt_col(t, "win_flag");
    const int season = season_of(season_start());
    for (size_t r : rows) {  // date order, from the season's first game
      const std::string* team = proc::text_of(c_team, r);
      if (!team || proc::int_of(c_season, r).value_or(season) != season) continue;
      Team& h = teams_[team];
      h.dates.push_back(*proc::date_of(c_date, r));
      h.cum_wins.push_back(h.cum_wins.back() + (proc::bool_of(c_win, r).value_or(false) ? 1 : 0));
    }
  }

 private:
  struct Team {
    std::vector<Date> dates;           ///< the team's rows, ascending
    std::vector<int64_t> cum_wins{0};  ///< wins over the first k rows (size + 1)
  };
  std::unordered_map<const std::string*, Team> teams_;  // interned team_abbr
};

/// MLFS's carried state: both season histories it slices.
struct MlfsState final : CarriedState {
  MlfsPgsHistory pgs;
  TeamRecordHistory togs;
};

/// PGS and TOGS columns MLFS reads.
const std::vector<std::string> kPgsColumns = {"player_lookup", "game_date",      "season_year",
                                              "points",        "minutes_played", "ft_makes"};
const std::vector<std::string> kTogsColumns = {"team_abbr", "game_date", "season_year", "win_flag"};
/// Phase 4 columns MLFS reads: the feature values, readiness and source
/// tracking (processed_at, data_hash).
const std::vector<std::string> kPdcColumns = {"player_lookup",           "cache_date",          "points_avg_last_5",
                                              "points_avg_last_10",      "points_avg_season",   "points_std_last_10",
                                              "games_in_last_7_days",    "minutes_avg_last_10", "team_pace_last_10",
                                              "team_off_rating_last_10", "paint_rate_last_10",  "three_pt_rate_last_10",
                                              "is_production_ready",     "processed_at",        "data_hash"};
const std::vector<std::string> kPcfColumns = {
    "player_lookup", "game_date",         "fatigue_score",       "shot_zone_mismatch_score",
    "pace_score",    "usage_spike_score", "is_production_ready", "processed_at",
    "data_hash"};
const std::vector<std::string> kTdzaColumns = {"team_abbr",     "analysis_date",       "defensive_rating_last_15",
                                               "opponent_pace", "is_production_ready", "processed_at",
                                               "data_hash"};
const std::vector<std::string> kPszaColumns = {
    "player_lookup",         "analysis_date",       "paint_rate_last_10", "mid_range_rate_last_10",
    "three_pt_rate_last_10", "is_production_ready", "processed_at",       "data_hash"};
/// UPGC columns MLFS reads of D: the roster and the pre-game context.
const std::vector<std::string> kUpgcColumns = {
    "player_lookup", "game_date",          "universal_player_id", "game_id",      "team_abbr", "opponent_team_abbr",
    "days_rest",     "opponent_days_rest", "player_status",       "season_phase", "home_game", "back_to_back"};

/// What every player of D shares: the roster (UPGC, first row per player, in
/// player order), the Phase 4 sources and the season flags.
struct DateInputs {
  DateInputs(Date day, Date start, const FeatureStoreInputs& in)
      : d(day),
        season_start(start),
        roster(phase4_detail::first_rows_by(in.upgc, "player_lookup", "game_date", day)),
        pdc(in.pdc, "player_lookup", "cache_date", day),
        pcf(in.pcf, "player_lookup", "game_date", day),
        psza(in.psza, "player_lookup", "analysis_date", day),
        tdza(in.tdza, "team_abbr", "analysis_date", day) {
    bootstrap = (d - season_start) < 30;
    const int month = d.month();
    boundary = month == 10 || month == 11 || month == 4;
  }
  Date d, season_start;
  std::vector<std::pair<const std::string*, size_t>> roster;  ///< interned player → UPGC row
  Phase4Source pdc, pcf, psza, tdza;
  bool bootstrap = false, boundary = false;
};

/// Input columns of the Phase 4 and UPGC tables, resolved once per unit
/// (nullptr: left out of the projection, read as NULL).
struct InputColumns {
  explicit InputColumns(const FeatureStoreInputs& in)
      : pdc{proc::opt_col(in.pdc, "points_avg_last_5"),    proc::opt_col(in.pdc, "points_avg_last_10"),
            proc::opt_col(in.pdc, "points_avg_season"),    proc::opt_col(in.pdc, "points_std_last_10"),
            proc::opt_col(in.pdc, "games_in_last_7_days"), proc::opt_col(in.pdc, "minutes_avg_last_10"),
            proc::opt_col(in.pdc, "team_pace_last_10"),    proc::opt_col(in.pdc, "team_off_rating_last_10"),
            proc::opt_col(in.pdc, "paint_rate_last_10"),   proc::opt_col(in.pdc, "three_pt_rate_last_10")},
        pcf{proc::opt_col(in.pcf, "fatigue_score"), proc::opt_col(in.pcf, "shot_zone_mismatch_score"),
            proc::opt_col(in.pcf, "pace_score"), proc::opt_col(in.pcf, "usage_spike_score")},
        psza{proc::opt_col(in.psza, "paint_rate_last_10"), proc::opt_col(in.psza, "mid_range_rate_last_10"),
             proc::opt_col(in.psza, "three_pt_rate_last_10")},
        tdza{proc::opt_col(in.tdza, "defensive_rating_last_15"), proc::opt_col(in.tdza, "opponent_pace")},
        opponent(proc::opt_col(in.upgc, "opponent_team_abbr")),
        team(proc::opt_col(in.upgc, "team_abbr")),
        upid(proc::opt_col(in.upgc, "universal_player_id")),
        game_id(proc::opt_col(in.upgc, "game_id")),
        days_rest(proc::opt_col(in.upgc, "days_rest")),
        opponent_days_rest(proc::opt_col(in.upgc, "opponent_days_rest")),
        status(proc::opt_col(in.upgc, "player_status")),
        phase(proc::opt_col(in.upgc, "season_phase")),
        home(proc::opt_col(in.upgc, "home_game")),
        b2b(proc::opt_col(in.upgc, "back_to_back")) {}
  std::array<const Column*, 10> pdc;
  std::array<const Column*, 4> pcf;
  std::array<const Column*, 3> psza;
  std::array<const Column*, 2> tdza;
  const Column *opponent, *team, *upid, *game_id, *days_rest, *opponent_days_rest, *status, *phase, *home, *b2b;
};

/// The Phase 4 values of a player (and its opponent's TDZA row) on D.
Phase4Values phase4_values(const DateInputs& x, const InputColumns& c, const std::string* player,
                           const std::string* opponent) {
  using proc::real_of;
  Phase4Values p4;
  if (const auto r = x.pdc.row(player)) {
    p4.points_avg_last_5 = real_of(c.pdc[0], *r);
    p4.points_avg_last_10 = real_of(c.pdc[1], *r);
    p4.points_avg_season = real_of(c.pdc[2], *r);
    p4.points_std_last_10 = real_of(c.pdc[3], *r);
    p4.games_in_last_7_days = real_of(c.pdc[4], *r);
    p4.minutes_avg_last_10 = real_of(c.pdc[5], *r);
    p4.team_pace_last_10 = real_of(c.pdc[6], *r);
    p4.team_off_rating_last_10 = real_of(c.pdc[7], *r);
    p4.pdc_paint_rate_last_10 = real_of(c.pdc[8], *r);
    p4.pdc_three_pt_rate_last_10 = real_of(c.pdc[9], *r);
  }
  if (const auto r = x.pcf.row(player)) {
    p4.fatigue_score = real_of(c.pcf[0], *r);
    p4.shot_zone_mismatch_score = real_of(c.pcf[1], *r);
    p4.pace_score = real_of(c.pcf[2], *r);
    p4.usage_spike_score = real_of(c.pcf[3], *r);
  }
  if (const auto r = x.psza.row(player)) {
    p4.has_psza = true;
    p4.paint_rate_last_10 = real_of(c.psza[0], *r);
    p4.mid_range_rate_last_10 = real_of(c.psza[1], *r);
    p4.three_pt_rate_last_10 = real_of(c.psza[2], *r);
  }
  if (const auto r = x.tdza.row(opponent)) {
    p4.opponent_def_rating = real_of(c.tdza[0], *r);
    p4.opponent_pace = real_of(c.tdza[1], *r);
  }
  return p4;
}

/// The Phase 3 values of a player on D: UPGC context, PGS history strictly
/// before D (last 10 games within 60 days, any season; this season's averages
/// from running sums) and the team's season record before D.
Phase3Values phase3_values(const DateInputs& x, const InputColumns& c, size_t ur, const std::string* player,
                           const MlfsPgsHistory& pgs, const TeamRecordHistory& togs) {
  Phase3Values p3;
  p3.days_rest = proc::int_of(c.days_rest, ur);
  p3.opponent_days_rest = proc::int_of(c.opponent_days_rest, ur);
  p3.player_status = phase4_detail::opt_string(c.status, ur);
  p3.season_phase = phase4_detail::opt_string(c.phase, ur);
  p3.home_game = proc::bool_of(c.home, ur);
  p3.back_to_back = proc::bool_of(c.b2b, ur);
  if (const MlfsPgsHistory::Player* h = pgs.player(player)) {
    p3.last_10_games = proc::newest_first(h->games, x.d - kRecentDays, x.d, kRecentGames);
    const auto n_season = static_cast<size_t>(std::lower_bound(h->season_dates.begin(), h->season_dates.end(), x.d) -
                                              h->season_dates.begin());
    if (n_season > 0) {
      const double n = static_cast<double>(n_season);
      p3.points_avg_season = h->cum_points[n_season] / n;
      p3.minutes_avg_season = h->cum_minutes[n_season] / n;
    }
  }
  // Legacy: the roster carried no team_abbr, so no team games were fetched and
  // team_win_pct was always 0.5. Fixed (DECISION 6): wins / games of the
  // player's team this season before D.
  if (const std::string* team = proc::text_of(c.team, ur)) {
    const TeamRecordHistory::Record rec = togs.record_before(team, x.d);
    p3.team_wins = rec.wins;
    p3.team_games = rec.games;
  }
  return p3;
}

/// Output columns, resolved once per unit.
struct MlfsColumns {
  explicit MlfsColumns(Table& t)
      : player(t.col(mlfs::player_lookup)),
        upid(t.col(mlfs::universal_player_id)),
        game_date(t.col(mlfs::game_date)),
        game_id(t.col(mlfs::game_id)),
        features(t.col(mlfs::features)),
        names(t.col(mlfs::feature_names)),
        count(t.col(mlfs::feature_count)),
        version(t.col(mlfs::feature_version)),
        quality(t.col(mlfs::feature_quality_score)),
        opponent(t.col(mlfs::opponent_team_abbr)),
        is_home(t.col(mlfs::is_home)),
        days_rest(t.col(mlfs::days_rest)),
        data_source(t.col(mlfs::data_source)),
        quality_tier(t.col(mlfs::quality_tier)),
        early(t.col(mlfs::early_season_flag)),
        expected(t.col(mlfs::expected_games_count)),
        actual(t.col(mlfs::actual_games_count)),
        pct(t.col(mlfs::completeness_percentage)),
        missing(t.col(mlfs::missing_games_count)),
        ready(t.col(mlfs::is_production_ready)),
        issues(t.col(mlfs::data_quality_issues)),
        hash(t.col(mlfs::data_hash)),
        pdc(t, mlfs::source_daily_cache_last_updated, mlfs::source_daily_cache_rows_found,
            mlfs::source_daily_cache_completeness_pct, mlfs::source_daily_cache_hash),
        pcf(t, mlfs::source_composite_last_updated, mlfs::source_composite_rows_found,
            mlfs::source_composite_completeness_pct, mlfs::source_composite_hash),
        psza(t, mlfs::source_shot_zones_last_updated, mlfs::source_shot_zones_rows_found,
             mlfs::source_shot_zones_completeness_pct, mlfs::source_shot_zones_hash),
        tdza(t, mlfs::source_team_defense_last_updated, mlfs::source_team_defense_rows_found,
             mlfs::source_team_defense_completeness_pct, mlfs::source_team_defense_hash),
        status(t) {}
  Column &player, &upid, &game_date, &game_id, &features, &names, &count, &version, &quality, &opponent, &is_home,
      &days_rest, &data_source, &quality_tier, &early, &expected, &actual, &pct, &missing, &ready, &issues, &hash;
  TrackColumns pdc, pcf, psza, tdza;
  phase4_detail::ProcessingStatusColumns status;
};

/// The data_quality_issues of a player: the upstreams missing or not
/// production ready (nullptr: all ready).
const std::string* upstream_issues(const DateInputs& x, const std::string* player, const std::string* opponent,
                                   bool& all_ready) {
  static const phase4_detail::UpstreamIssueTexts kIssues(
      {"upstream_player_daily_cache_incomplete", "upstream_player_composite_factors_incomplete",
       "upstream_player_shot_zone_incomplete", "upstream_team_defense_zone_incomplete"});
  const bool pdc = x.pdc.ready(player), pcf = x.pcf.ready(player), psza = x.psza.ready(player),
             tdza = x.tdza.ready(opponent);
  all_ready = pdc && pcf && psza && tdza;
  return kIssues.text(pdc, pcf, psza, tdza);
}

/// The interned quality_tier text of a quality score (five constants).
const std::string* quality_tier_text(double score) {
  static const std::array<const std::string*, 5> kTiers = {intern("gold"), intern("silver"), intern("bronze"),
                                                           intern("poor"), intern("unusable")};
  const std::string tier = feature_quality_tier(score);
  for (const std::string* t : kTiers) {
    if (*t == tier) return t;
  }
  return intern(tier);
}

/// Writes row @p i: the player's features, their quality, the context copied
/// from UPGC, source tracking, completeness and status (hashed afterwards with
/// its block of rows, RowHasher::set_rows).
void write_row(Table& t, const MlfsColumns& c, size_t i, const DateInputs& x, const InputColumns& in, size_t ur,
               const std::string* player, const std::string* opponent, const FeatureVector& f, const Phase3Values& p3,
               std::string& scratch) {
  static const std::string* const kNames = intern(nlohmann::json(mlfs_feature_names()).dump());
  static const std::string* const kVersion = intern(kMlfsVersion);
  c.player.set_text_ptr(i, player);
  if (const std::string* v = proc::text_of(in.upid, ur)) c.upid.set_text_ptr(i, v);
  c.game_date.set_int(i, int64_t{x.d.days()});
  if (const std::string* v = proc::text_of(in.game_id, ur)) c.game_id.set_text_ptr(i, v);
  std::string& features = scratch;  // the block's hash texts are built in it afterwards
  features.clear();
  proc::append_json_number_array(features, f.values.data(), f.values.size());
  c.features.set_unique_text(i, features);
  c.names.set_text_ptr(i, kNames);
  c.count.set_int(i, int64_t{kMlfsFeatureCount});
  c.version.set_text_ptr(i, kVersion);
  // feature_generation_time_ms: legacy wall-clock timing per player;
  // processors never read the clock (output must be deterministic), so NULL.
  const double quality = feature_quality_score(f);
  c.quality.set_real(i, quality);
  if (opponent && !opponent->empty()) c.opponent.set_text_ptr(i, opponent);
  if (p3.home_game) c.is_home.set_int(i, int64_t{*p3.home_game ? 1 : 0});
  if (p3.days_rest) c.days_rest.set_int(i, *p3.days_rest);
  c.data_source.set_text(i, feature_data_source(f));
  // quality_tier (legacy ALTER column, spec §1.6): from the score; not in the
  // data_hash (the legacy HASH_FIELDS leave it out).
  c.quality_tier.set_text_ptr(i, quality_tier_text(quality));
  c.pdc.write(i, x.pdc);
  c.pcf.write(i, x.pcf);
  c.psza.write(i, x.psza);
  c.tdza.write(i, x.tdza);
  c.early.set_int(i, int64_t{0});  // bootstrap dates are skipped (no placeholder rows)
  // Own completeness as in legacy backfill mode (check skipped): 100 %,
  // expected = actual = the cached last-10 games.
  const auto cached = static_cast<int64_t>(p3.last_10_games.size());
  c.expected.set_int(i, cached);
  c.actual.set_int(i, cached);
  c.pct.set_real(i, 100.0);
  c.missing.set_int(i, int64_t{0});
  bool all_ready = false;
  c.issues.set_text_ptr(i, upstream_issues(x, player, opponent, all_ready));
  c.ready.set_int(i, int64_t{all_ready ? 1 : 0});
  // DECISION 2: one bootstrap rule from the schedule (legacy: before Oct 31 /
  // 30 days from Oct 1).
  c.status.write(i, x.boundary, x.bootstrap);
  // The row is hashed with its block (set_rows): the mixin renders the
  // features and names arrays as Python lists from their JSON text (the
  // numbers round-trip; JSON null is None). created_at/updated_at are stamped
  // by the runner.
}

/// The MLFS rows of D from the carried histories (shared-locked by the caller)
/// and D's UPGC and Phase 4 rows.
UnitOutput compute_feature_store(Date d, const MlfsPgsHistory& pgs, const TeamRecordHistory& togs,
                                 const FeatureStoreInputs& in) {
  const TableSchema& schema = catalog::get("nba_predictions.ml_feature_store_v2");
  UnitOutput out(schema);
  const DateInputs x(d, pgs.season_start(), in);
  if (x.roster.empty()) {
    // Legacy backfill took the roster from D's own box scores (PGS game_date =
    // D); that reads the day's results (DECISION 1), so the date is empty
    // without pre-game context.
    out.empty_reason = "no upcoming_player_game_context rows for " + d.iso();
    return out;
  }
  const InputColumns in_cols(in);
  Table& t = out.rows;
  t.resize(x.roster.size());
  const MlfsColumns cols(t);
  const RowHasher hash(t, kHashFields, RowHasher::Style::kMixin);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, x.roster.size()), [&](const tbb::blocked_range<size_t>& range) {
    std::string& scratch = RowHasher::scratch();
    for (size_t i = range.begin(); i != range.end(); ++i) {
      const auto& [player, ur] = x.roster[i];
      const std::string* opponent = proc::text_of(in_cols.opponent, ur);
      const Phase4Values p4 = phase4_values(x, in_cols, player, opponent);
      const Phase3Values p3 = phase3_values(x, in_cols, ur, player, pgs, togs);
      write_row(t, cols, i, x, in_cols, ur, player, opponent, build_features(p4, p3), p3, scratch);
    }
    hash.set_rows(t, range.begin(), range.end(), cols.hash, scratch);
  });
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  return out;
}

}  // namespace

UnitOutput compute_feature_store(const Schedule& schedule, Date d, const FeatureStoreInputs& in) {
  const int season = season_of(d);
  const Date season_start = schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
  MlfsState h;
  h.pgs.start(std::min(season_start, d - kRecentDays), season_start);
  h.pgs.ingest(in.pgs, d - 1);
  h.togs.start(season_start, season_start);
  h.togs.ingest(in.togs, d - 1);
  return compute_feature_store(d, h.pgs, h.togs, in);
}

namespace {

// UTGC is not read: no MLFS feature uses team game context (legacy spec §1.3).
// Legacy live mode wrote early-season placeholder rows (features NULL,
// data_source early_season); the legacy backfill job skipped these dates, as
// the runner does here.
const ProcessorInfo kInfo{
    .name = "ml_feature_store_v2",
    .code = "mlfs",
    .phase = 4,
    .output_table = "nba_predictions.ml_feature_store_v2",
    .entity = "players",
    .reads = {{"nba_precompute.player_daily_cache", WindowKind::kSameDate, 0, true, kPdcColumns},
              {"nba_precompute.player_composite_factors", WindowKind::kSameDate, 0, true, kPcfColumns},
              {"nba_precompute.player_shot_zone_analysis", WindowKind::kSameDate, 0, true, kPszaColumns},
              {"nba_precompute.team_defense_zone_analysis", WindowKind::kSameDate, 0, true, kTdzaColumns},
              // Phase 3 fallbacks and context.
              {"nba_analytics.upcoming_player_game_context", WindowKind::kSameDate, 0, true, kUpgcColumns},
              {"nba_analytics.player_game_summary", WindowKind::kSeasonToDate, 0, false, kPgsColumns},
              // Early in a season the 60-day fallback window reaches into the
              // previous one.
              {"nba_analytics.player_game_summary", WindowKind::kDaysBefore, kRecentDays, false, kPgsColumns},
              {"nba_analytics.team_offense_game_summary", WindowKind::kSeasonToDate, 0, false, kTogsColumns}},
    .bootstrap = BootstrapPolicy::kSkip,
    .legacy_job = "ml_feature_store",
    .description = "ML feature store: 25 features v1_baseline_25 with Phase 4 → Phase 3 → default fallbacks"};

class FeatureStoreProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<MlfsState>(); }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    const int season = season_of(d);
    const Date start = ctx.schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
    // Only the columns MLFS uses (narrow cached copies, cheap per-date slices).
    Table upgc = proc::read_window(ctx, "nba_analytics.upcoming_player_game_context", d, d, kUpgcColumns);
    Table pdc = proc::read_window(ctx, "nba_precompute.player_daily_cache", d, d, kPdcColumns);
    Table pcf = proc::read_window(ctx, "nba_precompute.player_composite_factors", d, d, kPcfColumns);
    Table psza = proc::read_window(ctx, "nba_precompute.player_shot_zone_analysis", d, d, kPszaColumns);
    Table tdza = proc::read_window(ctx, "nba_precompute.team_defense_zone_analysis", d, d, kTdzaColumns);
    // The season's PGS and TOGS histories, carried from the dates before (or
    // this unit's own when run alone, or when the carried one began after this
    // window).
    auto* state = dynamic_cast<MlfsState*>(ctx.carried);
    std::unique_ptr<CarriedState> own_pgs, own_togs;
    const UnitContext pgs_ctx{ctx.warehouse, ctx.schedule, d, ctx.info, state ? &state->pgs : nullptr};
    const auto& pgs = proc::history_for<MlfsPgsHistory>(
        pgs_ctx, own_pgs, start, std::min(start, d - kRecentDays), d - 1, [&](Date from, Date to) {
          return proc::read_window(ctx, "nba_analytics.player_game_summary", from, to, kPgsColumns);
        });
    const UnitContext togs_ctx{ctx.warehouse, ctx.schedule, d, ctx.info, state ? &state->togs : nullptr};
    const auto& togs =
        proc::history_for<TeamRecordHistory>(togs_ctx, own_togs, start, start, d - 1, [&](Date from, Date to) {
          return proc::read_window(ctx, "nba_analytics.team_offense_game_summary", from, to, kTogsColumns);
        });
    std::shared_lock pgs_lock(pgs.mutex());
    std::shared_lock togs_lock(togs.mutex());
    const Table no_pgs(catalog::get("nba_analytics.player_game_summary"));
    const Table no_togs(catalog::get("nba_analytics.team_offense_game_summary"));
    return compute_feature_store(d, pgs, togs, {upgc, pdc, pcf, psza, tdza, no_pgs, no_togs});
  }
};

}  // namespace

std::unique_ptr<Processor> make_feature_store_processor() { return std::make_unique<FeatureStoreProcessor>(); }

}  // namespace nbaprops::predictions
