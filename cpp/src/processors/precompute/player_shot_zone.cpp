#include "nbaprops/processors/precompute/player_shot_zone.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <map>
#include <shared_mutex>
#include <span>
#include <unordered_map>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::precompute {

namespace {

namespace pgs = cols::player_game_summary;
namespace psza = cols::player_shot_zone_analysis;

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

// The projection's columns, resolved once per ingest.
struct PgsColumns {
  explicit PgsColumns(const Table& t)
      : player(t.col(pgs::player_lookup)),
        date(t.col(pgs::game_date)),
        game(t.col(pgs::game_id)),
        team(t.col(pgs::team_abbr)),
        upid(t.col(pgs::universal_player_id)),
        active(t.col(pgs::is_active)),
        minutes(t.col(pgs::minutes_played)),
        fga(t.col(pgs::fg_attempts)),
        processed(t.col(pgs::processed_at)),
        hash(t.col(pgs::data_hash)),
        zone{&t.col(pgs::paint_attempts),  &t.col(pgs::paint_makes),       &t.col(pgs::mid_range_attempts),
             &t.col(pgs::mid_range_makes), &t.col(pgs::three_pt_attempts), &t.col(pgs::three_pt_makes),
             &t.col(pgs::fg_makes),        &t.col(pgs::assisted_fg_makes), &t.col(pgs::unassisted_fg_makes)} {}
  const Column &player, &date, &game, &team, &upid, &active, &minutes, &fga, &processed, &hash;
  const Column* zone[9];
};

/// Running totals over a prefix of a player's qualifying games: a window's
/// totals are the difference of two prefixes (integers: exact in any order).
struct ZoneSums {
  int64_t pa = 0, pm = 0, ma = 0, mm = 0, ta = 0, tm = 0, fgm = 0, ast = 0, una = 0;
  int64_t ast_known = 0, una_known = 0;  ///< games that knew the assisted / unassisted makes
  void add(const ShotGame& g) {
    pa += g.paint_attempts, pm += g.paint_makes, ma += g.mid_attempts, mm += g.mid_makes;
    ta += g.three_attempts, tm += g.three_makes, fgm += g.fg_makes, ast += g.assisted, una += g.unassisted;
    ast_known += g.assisted_known ? 1 : 0;
    una_known += g.unassisted_known ? 1 : 0;
  }
  [[nodiscard]] ZoneSums minus(const ZoneSums& o) const {
    return ZoneSums{pa - o.pa,
                    pm - o.pm,
                    ma - o.ma,
                    mm - o.mm,
                    ta - o.ta,
                    tm - o.tm,
                    fgm - o.fgm,
                    ast - o.ast,
                    una - o.una,
                    ast_known - o.ast_known,
                    una_known - o.una_known};
  }
  bool operator==(const ZoneSums&) const = default;
};

/// Metrics of a window of @p games games whose totals are @p s.
ShotZoneMetrics metrics_of(const ZoneSums& s, int games);

/// One season's player_game_summary, ingested once in date order and kept as
/// per-player, date-ordered histories (the carried state of PSZA): a date D is
/// answered from the slices before D.
class ShotZoneHistory final : public proc::SeasonHistory {
 public:
  /// What a date after every ingested row of a player reads of him (the usual
  /// case: a date is answered once the dates before it are ingested), kept in
  /// the player's record so such a date reads no array of his: each array is
  /// an allocation of its own, and a date's hundreds of players would wait on
  /// a cache miss for each.
  struct Tail {
    Date last_row_date;                         ///< newest row date (any status)
    size_t n_games = 0, n_dates = 0;            ///< games.size(), dates.size()
    const std::string* team = nullptr;          ///< team_at.back()
    const std::string* newest_upid = nullptr;   ///< newest_upid.back()
    ZoneSums last10, last20;                    ///< totals of the last min(n, 10) / min(n, 20) games
    ZoneSums total;                             ///< prefix.back()
    Date last_game_date;                        ///< game_dates.back() (n_games > 0)
    const std::string* last_game_id = nullptr;  ///< games.back().game_id (n_games > 0)
  };
  struct Player {
    const std::string* name = nullptr;        ///< interned player_lookup
    Tail tail;                                ///< kept by add_date() / add_game(), which append from it
    std::vector<Date> dates;                  ///< distinct row dates (any status), ascending
    std::vector<const std::string*> team_at;  ///< team of the first row of each of those dates
    std::vector<ShotGame> games;              ///< qualifying games, (date, game id) ascending
    std::vector<const std::string*> upid;     ///< universal_player_id per game (nullptr: NULL)
    /// newest_upid[i]: universal_player_id of the newest of games[0, i] (ties
    /// on date and game id: the first stored row), kept with the games so a
    /// date reads one entry instead of walking back over the games.
    std::vector<const std::string*> newest_upid;
    std::vector<Date> game_dates;              ///< games[i].date (a dense array to search)
    std::vector<ZoneSums> prefix{ZoneSums{}};  ///< prefix[i]: totals of games[0, i)
    /// What his last row's data_hash rendered (RowHasher::Memo): a date that
    /// follows one without a game of his gives him the same row but its date.
    /// Written by the date's compute alone (MemoTurn).
    mutable RowHasher::Memo hash_memo;
    /// The metrics of his last row's two windows (last 10, last 20 games) with
    /// the totals and game counts they came from: metrics_of is a function of
    /// those, so a window holding the same ones takes them. Written as
    /// hash_memo is (MemoTurn).
    struct MetricsMemo {
      bool valid = false;
      ZoneSums sums;
      int games = 0;
      ShotZoneMetrics metrics;
    };
    mutable std::array<MetricsMemo, 2> metrics_memo;
    /// Totals of the @p n games before index @p end.
    [[nodiscard]] ZoneSums window_sums(size_t end, size_t n) const { return prefix[end].minus(prefix[end - n]); }
    /// Adds a qualifying game (any date order) with its universal_player_id,
    /// and the tail's game part.
    void add_game(const ShotGame& g, const std::string* upid);
    /// Adds a row date (any order) with the team of its first row, and the
    /// tail's date part (every row has one; a game only qualifying rows).
    void add_date(Date date, const std::string* team);
    void refresh_date_tail() {
      tail.n_dates = dates.size();
      tail.last_row_date = dates.back();
      tail.team = team_at.back();
    }
    void refresh_game_tail() {
      tail.n_games = games.size();
      tail.newest_upid = newest_upid.back();
      tail.total = prefix.back();
      tail.last_game_date = games.back().date;
      tail.last_game_id = games.back().game_id;
      tail.last10 = window_sums(tail.n_games, std::min<size_t>(tail.n_games, kPszaGames));
      tail.last20 = window_sums(tail.n_games, std::min<size_t>(tail.n_games, kPszaTrendGames));
    }
    /// Qualifying games strictly before @p d.
    [[nodiscard]] size_t games_before(Date d) const {
      return static_cast<size_t>(std::lower_bound(game_dates.begin(), game_dates.end(), d) - game_dates.begin());
    }
    [[nodiscard]] size_t dates_before(Date d) const {
      return static_cast<size_t>(std::lower_bound(dates.begin(), dates.end(), d) - dates.begin());
    }
  };
  /// Per-date source facts behind the source_player_game_* columns.
  struct Day {
    int64_t rows = 0;
    const std::string* max_processed = nullptr;  ///< newest processed_at of the day
    /// The day's newest row with a processed_at (ties: player, then game id;
    /// the first such row wins).
    const std::string *src_player = nullptr, *src_game = nullptr, *src_hash = nullptr;
  };

  /// Source facts of the season before D: rows of the 20-day source window,
  /// the newest processed_at and the newest row's hash.
  struct Source {
    int64_t rows_found = 0;
    const std::string* last_updated = nullptr;
    const std::string* hash = nullptr;
  };
  /// A player with at least one qualifying game before D.
  struct Entity {
    const Player* p;
    size_t n_games;           ///< qualifying games before D
    size_t n_dates;           ///< distinct row dates before D
    const std::string* team;  ///< current team: the first row of the latest date before D
    bool at_tail;             ///< every row of the player is before D (his Tail answers D)
    /// Metrics of his last min(n_games, @p cap) games before D (@p cap:
    /// kPszaGames or kPszaTrendGames); with @p memo, taken from or kept in the
    /// player's metrics memo of that window.
    [[nodiscard]] ShotZoneMetrics last_games(int cap, bool memo = false) const {
      const size_t n = std::min<size_t>(n_games, static_cast<size_t>(cap));
      const ZoneSums sums = !at_tail                 ? p->window_sums(n_games, n)
                            : cap == kPszaGames      ? p->tail.last10
                            : cap == kPszaTrendGames ? p->tail.last20
                                                     : p->window_sums(n_games, n);
      const int games = static_cast<int>(n);
      if (!memo || (cap != kPszaGames && cap != kPszaTrendGames)) return metrics_of(sums, games);
      Player::MetricsMemo& kept = p->metrics_memo[cap == kPszaGames ? 0 : 1];
      if (!kept.valid || kept.games != games || !(kept.sums == sums)) {
        kept = Player::MetricsMemo{true, sums, games, metrics_of(sums, games)};
      }
      return kept.metrics;
    }
    /// universal_player_id of the newest qualifying game before D (ties on
    /// date and game id: the first stored row).
    [[nodiscard]] const std::string* newest_upid() const {
      return at_tail ? p->tail.newest_upid : p->newest_upid[n_games - 1];
    }
  };

  /// The PSZA output of date @p d from the rows before it.
  [[nodiscard]] UnitOutput compute(const Schedule& schedule, Date d) const;
  [[nodiscard]] Source source_before(Date d) const;
  /// Entities of D (legacy extract: players with a qualifying game before D),
  /// in name order.
  [[nodiscard]] std::vector<Entity> entities_before(Date d) const;

 protected:
  void add_rows(const Table& pgs, const std::vector<size_t>& rows) override;
  void add_row(const PgsColumns& c, size_t r);

 private:
  std::map<std::string_view, Player> players_;               // keyed by interned names: ordered output, stable keys
  std::unordered_map<const std::string*, Player*> by_name_;  ///< players_ by interned name (the ingest's lookup)
  std::map<int32_t, Day> days_;
  /// Computes under way (MemoTurn): the one that finds none uses and updates
  /// the players' hash memos. A season's dates compute one after another (the
  /// runner's edges between its units), so that is each one in turn; one
  /// started beside another renders its rows without them.
  mutable std::atomic<int> computing_{0};
  Day* last_day_ = nullptr;  ///< days_[last_day_key_] (map nodes are stable)
  int32_t last_day_key_ = 0;
  SeasonTeamGames team_games_;
};

void ShotZoneHistory::add_rows(const Table& pgs, const std::vector<size_t>& rows) {
  const PgsColumns c(pgs);
  for (size_t r : rows) {
    if (!c.player.is_null(r)) add_row(c, r);
  }
}

void ShotZoneHistory::Player::add_date(Date date, const std::string* team) {
  if (dates.empty() || tail.last_row_date < date) {  // rows come in date order: an append
    dates.push_back(date);
    team_at.push_back(team);
  } else if (auto at = std::upper_bound(dates.begin(), dates.end(), date); at == dates.begin() || *(at - 1) != date) {
    team_at.insert(team_at.begin() + (at - dates.begin()), team);
    dates.insert(at, date);
  }
  refresh_date_tail();
}

void ShotZoneHistory::Player::add_game(const ShotGame& g, const std::string* upid_of_game) {
  const auto later = [](const ShotGame& x, const ShotGame& y) {
    return x.date != y.date ? x.date < y.date : *x.game_id < *y.game_id;
  };
  if (games.empty() || tail.last_game_date < g.date ||
      (tail.last_game_date == g.date && !(*g.game_id < *tail.last_game_id))) {
    // An append (rows come in date order): the new totals and newest id from
    // the tail, without reading the arrays back.
    const bool tie = !games.empty() && tail.last_game_date == g.date && *tail.last_game_id == *g.game_id;
    ZoneSums next = tail.total;
    next.add(g);
    games.push_back(g);
    upid.push_back(upid_of_game);
    game_dates.push_back(g.date);
    prefix.push_back(next);
    newest_upid.push_back(tie ? tail.newest_upid : upid_of_game);
    refresh_game_tail();
    return;
  }
  auto pos = std::upper_bound(games.begin(), games.end(), g, later);
  const auto at_game = static_cast<size_t>(pos - games.begin());
  upid.insert(upid.begin() + static_cast<std::ptrdiff_t>(at_game), upid_of_game);
  game_dates.insert(game_dates.begin() + static_cast<std::ptrdiff_t>(at_game), g.date);
  games.insert(pos, g);
  // A game inserted before others redoes the totals (and newest ids) after it.
  prefix.resize(games.size() + 1);
  newest_upid.resize(games.size());
  for (size_t i = at_game; i < games.size(); ++i) {
    prefix[i + 1] = prefix[i];
    prefix[i + 1].add(games[i]);
    const bool tie = i > 0 && games[i - 1].date == games[i].date && *games[i - 1].game_id == *games[i].game_id;
    newest_upid[i] = tie ? newest_upid[i - 1] : upid[i];
  }
  refresh_game_tail();
}

void ShotZoneHistory::add_row(const PgsColumns& c, size_t r) {
  const Date date(static_cast<int32_t>(c.date.int_at(r)));
  const std::string* player = c.player.text_ptr(r);
  const std::string* game_id = c.game.text_ptr(r);  // NULL reads as ""
  Player*& known = by_name_[player];
  if (!known) known = &players_[*player];
  Player& p = *known;
  p.name = player;
  p.add_date(date, c.team.text_ptr(r));
  if (!last_day_ || last_day_key_ != date.days()) {  // rows come in date order: one lookup per date
    last_day_ = &days_[date.days()];
    last_day_key_ = date.days();
  }
  Day& day = *last_day_;
  ++day.rows;
  if (!c.processed.is_null(r)) {
    const std::string* processed = c.processed.text_ptr(r);
    if (!day.max_processed || *processed > *day.max_processed) day.max_processed = processed;
    // Legacy: the most recently *processed* row. Fixed (DECISION 4):
    // processed_at changes on every rerun, so the source hash would too; the
    // game date makes the choice stable.
    if (!day.src_player || *player > *day.src_player || (player == day.src_player && *game_id > *day.src_game)) {
      day.src_player = player;
      day.src_game = game_id;
      day.src_hash = proc::text_of(&c.hash, r);
    }
  }
  const std::optional<bool> active = c.active.is_null(r) ? std::nullopt : std::optional<bool>(c.active.int_at(r) != 0);
  if (!qualifies(active, c.minutes.get_real(r), c.fga.get_int(r))) return;
  ShotGame g;
  g.date = date;
  g.game_id = game_id;
  int64_t v[9];
  for (int k = 0; k < 9; ++k) v[k] = c.zone[k]->get_int(r).value_or(0);
  g.paint_attempts = v[0], g.paint_makes = v[1], g.mid_attempts = v[2], g.mid_makes = v[3];
  g.three_attempts = v[4], g.three_makes = v[5], g.fg_makes = v[6], g.assisted = v[7], g.unassisted = v[8];
  g.assisted_known = !c.zone[7]->is_null(r);
  g.unassisted_known = !c.zone[8]->is_null(r);
  p.add_game(g, proc::text_of(&c.upid, r));
}

/// Why a player of D has no row (legacy failure categories), or kRow.
enum class Verdict : uint8_t { kRow, kIncompleteData, kMissingUpstream, kSeasonBootstrap, kTooFewGames };

/// A player's standing on D: small and without strings, so a date's players are
/// judged in one pass over a compact array; the metrics of a row are taken from
/// the running sums when the row is written, the failures' texts only for the
/// players who have one.
struct PlayerResult {
  Completeness completeness;
  int64_t expected = 0;  ///< the current team's last-10 scheduled games before D
  int games10 = 0, games20 = 0;
  Verdict verdict = Verdict::kRow;
};

std::optional<double> share(int64_t part, int64_t whole, double scale, int digits) {
  if (whole == 0) return std::nullopt;
  return np_round(static_cast<double>(part) / static_cast<double>(whole) * scale, digits);
}

/// The output columns PSZA writes per row, resolved once per unit.

/// sample_quality, psza_quality_tier and primary_scoring_zone as interned
/// texts (no string built per row).
const std::string* sample_quality_text(int n, int target) {
  static const std::string* const kText[] = {intern("excellent"), intern("good"), intern("limited"),
                                             intern("insufficient")};
  if (n >= target) return kText[0];
  if (n >= static_cast<int>(0.7 * target)) return kText[1];
  if (n >= static_cast<int>(0.5 * target)) return kText[2];
  return kText[3];
}

const std::string* quality_tier_text(int games) {
  static const std::string* const kText[] = {intern("high"), intern("medium"), intern("low")};
  return kText[games >= 10 ? 0 : (games >= 7 ? 1 : 2)];
}

const std::string* scoring_zone_text(const ShotZoneMetrics& m) {
  const auto zone = primary_scoring_zone(m.paint_rate, m.mid_rate, m.three_rate);
  if (!zone) return nullptr;
  static const std::string* const kText[] = {intern("paint"), intern("perimeter"), intern("mid_range"),
                                             intern("balanced")};
  for (const std::string* text : kText) {
    if (*text == *zone) return text;
  }
  return intern(*zone);
}

}  // namespace

ShotZoneMetrics shot_zone_metrics(std::span<const ShotGame> games) {
  ZoneSums sums;
  for (const auto& g : games) sums.add(g);
  return metrics_of(sums, static_cast<int>(games.size()));
}

namespace {

ShotZoneMetrics metrics_of(const ZoneSums& s, int games) {
  ShotZoneMetrics m;
  m.games = games;
  const int64_t tot = s.pa + s.ma + s.ta;  // zone attempts, not fg_attempts (legacy)
  m.paint_rate = share(s.pa, tot, 100.0, 2);
  m.mid_rate = share(s.ma, tot, 100.0, 2);
  m.three_rate = share(s.ta, tot, 100.0, 2);
  m.paint_pct = share(s.pm, s.pa, 1.0, 3);
  m.mid_pct = share(s.mm, s.ma, 1.0, 3);
  m.three_pct = share(s.tm, s.ta, 1.0, 3);
  if (games > 0) {
    m.paint_apg = np_round(static_cast<double>(s.pa) / games, 1);
    m.mid_apg = np_round(static_cast<double>(s.ma) / games, 1);
    m.three_apg = np_round(static_cast<double>(s.ta) / games, 1);
  }
  // Legacy: a NULL assisted/unassisted count summed as 0, so shots-only data
  // (no assist information) reported 0 % assisted. Fixed (DECISION 6): NULL
  // when no game of the window knew it.
  if (tot > 0 && s.fgm > 0) {
    if (s.ast_known > 0) m.assisted_rate = share(s.ast, s.fgm, 100.0, 2);
    if (s.una_known > 0) m.unassisted_rate = share(s.una, s.fgm, 100.0, 2);
  }
  if (tot > 0) m.total_shots = tot;
  return m;
}

}  // namespace

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
  const int season = season_of(d);
  ShotZoneHistory history;
  const Date season_start = schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
  history.start(season_start, season_start);
  history.ingest(pgs, d - 1);
  return history.compute(schedule, d);
}

ShotZoneHistory::Source ShotZoneHistory::source_before(Date d) const {
  Source out;
  const Day* newest = nullptr;
  const Date source_from = d - kSourceWindowDays;
  for (auto it = days_.begin(); it != days_.end() && it->first < d.days(); ++it) {
    const Day& day = it->second;
    if (it->first >= source_from.days()) out.rows_found += day.rows;
    if (day.max_processed && (!out.last_updated || *day.max_processed > *out.last_updated)) {
      out.last_updated = day.max_processed;
    }
    if (day.src_player) newest = &day;
  }
  out.hash = newest ? newest->src_hash : nullptr;
  return out;
}

std::vector<ShotZoneHistory::Entity> ShotZoneHistory::entities_before(Date d) const {
  std::vector<Entity> entities;
  entities.reserve(players_.size());
  for (const auto& [name, p] : players_) {
    if (p.tail.last_row_date < d) {
      if (p.tail.n_games > 0) entities.push_back(Entity{&p, p.tail.n_games, p.tail.n_dates, p.tail.team, true});
      continue;
    }
    const size_t n = p.games_before(d);
    if (n == 0) continue;
    const size_t dates = p.dates_before(d);
    entities.push_back(Entity{&p, n, dates, p.team_at[dates - 1], false});
  }
  return entities;
}

namespace {

/// One player's standing on D: a row, or why he has none.
PlayerResult evaluate_player(const ShotZoneHistory::Entity& e, int64_t expected, bool boundary) {
  PlayerResult res;
  res.expected = expected;
  res.completeness = make_completeness(expected, static_cast<int64_t>(e.n_dates));
  if (!res.completeness.production_ready && !boundary) {
    // Legacy category INCOMPLETE_DATA (Dec–Mar only): fewer season rows than
    // the team's last 10.
    res.verdict = Verdict::kIncompleteData;
    return res;
  }
  // The newest games first: the tail of the slice before D.
  res.games10 = std::min<int>(static_cast<int>(e.n_games), kPszaGames);
  res.games20 = std::min<int>(static_cast<int>(e.n_games), kPszaTrendGames);
  if (res.games10 < kPszaGames) {
    // Legacy: INCOMPLETE_UPSTREAM whenever the team's last-10 count was 10, so a
    // bench player with a row for every team game but < 10 qualifying ones was
    // "missing upstream data" (spec B.3.6; legacy backfill mode called all of
    // them EXPECTED_INCOMPLETE). Fixed (DECISION 6): upstream is incomplete only
    // when the player's rows miss scheduled games (completeness missing > 0).
    if (res.completeness.missing > 0) {
      res.verdict = Verdict::kMissingUpstream;
    } else if (expected < kPszaGames) {
      res.verdict = Verdict::kSeasonBootstrap;
    } else {
      res.verdict = Verdict::kTooFewGames;
    }
  }
  return res;
}

/// The processor_failures entry of a player whose verdict is not kRow. About
/// 21,000 a real season: each reason is written into one string, without the
/// temporaries of a chain of concatenations.
EntityFailure failure_of(const ShotZoneHistory::Entity& e, const PlayerResult& res) {
  const Completeness& c = res.completeness;
  EntityFailure f{*e.p->name, "", ""};
  std::string& reason = f.reason;
  reason.reserve(64);
  const auto number = [&reason](int64_t v) {
    char buf[24];
    reason.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
  };
  if (res.verdict == Verdict::kIncompleteData) {
    f.category = "INCOMPLETE_UPSTREAM";
    reason += "Incomplete data: ";
    reason += pct_text(c.pct);
    reason += "% (";
    number(c.actual);
    reason += '/';
    number(c.expected);
    reason += " games)";
    return f;
  }
  switch (res.verdict) {
    case Verdict::kMissingUpstream:
      f.category = "INCOMPLETE_UPSTREAM";
      reason += "Missing upstream data: ";
      break;
    case Verdict::kSeasonBootstrap:
      f.category = "EXPECTED_INCOMPLETE";
      reason += "Season bootstrap: ";
      break;
    default:
      f.category = "EXPECTED_INCOMPLETE";
      reason += "Too few qualifying games: ";
      break;
  }
  number(res.games10);
  reason += '/';
  number(res.expected);
  reason += " games (need ";
  number(kPszaGames);
  reason += ')';
  return f;
}

/// Writes row @p r of a player with metrics (everything but the per-date
/// constants and the hash); with @p memo (this compute's MemoTurn), his
/// windows' metrics come from or go to his metrics memos.
void write_player_row(Table& t, size_t r, const CompletenessColumns& completeness, const ShotZoneHistory::Entity& e,
                      Date d, const PlayerResult& res, bool memo) {
  // The windows' totals from the player's running sums (no pass over games).
  const ShotZoneMetrics m = e.last_games(kPszaGames, memo);
  t.col(psza::player_lookup).set_text_ptr(r, e.p->name);
  if (const std::string* upid = e.newest_upid()) t.col(psza::universal_player_id).set_text_ptr(r, upid);
  t.col(psza::analysis_date).set_int(r, d.days());
  t.col(psza::paint_rate_last_10).set_real(r, m.paint_rate);
  t.col(psza::mid_range_rate_last_10).set_real(r, m.mid_rate);
  t.col(psza::three_pt_rate_last_10).set_real(r, m.three_rate);
  t.col(psza::total_shots_last_10).set_int(r, m.total_shots);
  t.col(psza::games_in_sample_10).set_int(r, res.games10);
  t.col(psza::sample_quality_10).set_text_ptr(r, sample_quality_text(res.games10, kPszaGames));
  t.col(psza::paint_pct_last_10).set_real(r, m.paint_pct);
  t.col(psza::mid_range_pct_last_10).set_real(r, m.mid_pct);
  t.col(psza::three_pt_pct_last_10).set_real(r, m.three_pct);
  t.col(psza::paint_attempts_per_game).set_real(r, m.paint_apg);
  t.col(psza::mid_range_attempts_per_game).set_real(r, m.mid_apg);
  t.col(psza::three_pt_attempts_per_game).set_real(r, m.three_apg);
  if (res.games20 >= kPszaTrendMinGames) {
    const ShotZoneMetrics m20 = e.last_games(kPszaTrendGames, memo);
    t.col(psza::paint_rate_last_20).set_real(r, m20.paint_rate);
    t.col(psza::paint_pct_last_20).set_real(r, m20.paint_pct);
  }
  t.col(psza::games_in_sample_20).set_int(r, res.games20);
  t.col(psza::sample_quality_20).set_text_ptr(r, sample_quality_text(res.games20, kPszaTrendGames));
  t.col(psza::assisted_rate_last_10).set_real(r, m.assisted_rate);
  t.col(psza::unassisted_rate_last_10).set_real(r, m.unassisted_rate);
  // player_position and calculation_notes stay NULL on real rows (legacy).
  if (const std::string* zone = scoring_zone_text(m)) t.col(psza::primary_scoring_zone).set_text_ptr(r, zone);
  t.col(psza::data_quality_tier).set_text_ptr(r, quality_tier_text(res.games10));
  completeness.write(t, r, res.completeness);
}

/// The cells every row of D shares: source facts (legacy: the default parallel
/// path left the three v4.0 source fields NULL, spec B.3.5; fixed, DECISION 6:
/// they carry what their names promise, from the 20-day source window) and the
/// processing status (DECISION 2: one bootstrap rule from the schedule).
ConstantColumns date_constants(const TableSchema& schema, const ShotZoneHistory::Source& src, bool boundary) {
  return ConstantColumns(schema, [&](Table& t, size_t r) {
    if (src.last_updated) t.col(psza::source_player_game_last_updated).set_text_ptr(r, src.last_updated);
    t.set(r, psza::source_player_game_rows_found, src.rows_found);
    t.set(r, psza::source_player_game_completeness_pct, src.rows_found > 0 ? 100.0 : 0.0);
    if (src.hash) t.col(psza::source_player_game_hash).set_text_ptr(r, src.hash);
    t.set(r, psza::early_season_flag, false);
    // The runner skips bootstrap dates (kSkip): rows are never in bootstrap mode.
    proc::write_processing_status(t, r, boundary, false);
  });
}

/// A compute's turn at the players' hash memos: its own when no other
/// compute of the history is under way as it starts (it then keeps the count
/// above zero until it ends, so no other one gets a turn meanwhile).
struct MemoTurn {
  explicit MemoTurn(std::atomic<int>& n) : count(n), mine(n.fetch_add(1) == 0) {}
  ~MemoTurn() { count.fetch_sub(1); }
  MemoTurn(const MemoTurn&) = delete;
  MemoTurn& operator=(const MemoTurn&) = delete;
  std::atomic<int>& count;
  const bool mine;
};

}  // namespace

UnitOutput ShotZoneHistory::compute(const Schedule& schedule, Date d) const {
  UnitOutput out(catalog::get(kOutput));
  // DECISION 2: one bootstrap rule from the schedule; the runner skips these
  // dates (kSkip).
  if (schedule.is_bootstrap(d)) {
    out.empty_reason = "skipped_early_season";
    return out;
  }
  const std::vector<Entity> entities = entities_before(d);
  if (entities.empty()) {
    // DECISION 2: season-to-date windows start at the season's first game
    // (legacy: Oct 1).
    out.empty_reason = "no qualifying player_game_summary rows between " + first().iso() + " and " + (d - 1).iso();
    return out;
  }
  // Expected games per player: his current team's last 10 scheduled games this
  // season before D (DECISIONS 2, 3; legacy had no season lower bound).
  const auto team_games = team_games_.get(schedule, season_of(d));
  const bool boundary = is_season_boundary(d);
  // Each team's expected games counted once (a date has about 30 teams and
  // hundreds of players; team names are interned, compared by address).
  std::vector<std::pair<const std::string*, int64_t>> expected_by_team;
  const auto expected_of = [&](const std::string* team) {
    for (const auto& [known, n] : expected_by_team) {
      if (known == team) return n;
    }
    const int64_t n = std::min<int64_t>(team_games->before(*team, d), kPszaGames);
    expected_by_team.emplace_back(team, n);
    return n;
  };
  // Failures in entity order; each row's entity (rows are preallocated, then
  // written and hashed in parallel, one row per task iteration).
  std::vector<PlayerResult> results(entities.size());
  std::vector<size_t> row_entity;
  row_entity.reserve(entities.size());
  for (size_t i = 0; i < entities.size(); ++i) {
    results[i] = evaluate_player(entities[i], expected_of(entities[i].team), boundary);
    if (results[i].verdict == Verdict::kRow) {
      row_entity.push_back(i);
    } else {
      out.failures.push_back(failure_of(entities[i], results[i]));
    }
  }
  Table& t = out.rows;
  t.resize(row_entity.size());
  const CompletenessColumns completeness(t);
  const ConstantColumns constants = date_constants(t.schema(), source_before(d), boundary);
  const RowHasher hasher(t, kHashFields, RowHasher::Style::kPrecompute);
  Column& hash = t.col(psza::data_hash);
  // Each row's player's hash memo (one player a row), when this compute is
  // the only one under way.
  const MemoTurn turn(computing_);
  std::vector<RowHasher::Memo*> memos;
  if (turn.mine) {
    memos.resize(row_entity.size());
    for (size_t r = 0; r < memos.size(); ++r) memos[r] = &entities[row_entity[r]].p->hash_memo;
  }
  tbb::parallel_for(tbb::blocked_range<size_t>(0, row_entity.size(), 32), [&](const tbb::blocked_range<size_t>& rows) {
    std::string& scratch = RowHasher::scratch();
    for (size_t r = rows.begin(); r != rows.end(); ++r) {
      write_player_row(t, r, completeness, entities[row_entity[r]], d, results[row_entity[r]], turn.mine);
      constants.apply(t, r);
    }
    hasher.set_rows(t, rows.begin(), rows.end(), hash, scratch, memos.empty() ? nullptr : memos.data());
  });
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0) {
    out.empty_reason = "no player qualified on " + d.iso() + " (" + std::to_string(out.failures.size()) +
                       " failures; " + std::to_string(kPszaGames) + " qualifying games before the date are needed)";
  }
  return out;
}

namespace {

/// Metrics use the last 10/20 games, but completeness counts the whole season
/// to date, so the unit reads (and must wait for) every PGS date of the season
/// before D.
const ProcessorInfo kInfo{.name = "player_shot_zone_analysis",
                          .code = "psza",
                          .phase = 4,
                          .output_table = kOutput,
                          .entity = "players",
                          .reads = {{kPgs, WindowKind::kSeasonToDate, 0, true, kPgsColumns}},
                          .bootstrap = BootstrapPolicy::kSkip,
                          .legacy_job = "player_shot_zone_analysis",
                          .description =
                              "Player shot distribution, FG% and attempts by zone over the last 10 "
                              "games, assisted share, 20-game paint trend and primary scoring zone"};

class PlayerShotZoneProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    if (ctx.schedule.is_bootstrap(d)) {
      UnitOutput out(catalog::get(kOutput));
      out.empty_reason = "skipped_early_season";
      return out;
    }
    const int season = season_of(d);
    const Date season_start = ctx.schedule.season_start(season).value_or(Date::from_ymd(season, 10, 1));
    // The season's history, carried from the dates before (or this unit's own
    // when run alone): only the PGS dates not ingested yet are read.
    std::unique_ptr<CarriedState> own;
    const auto& history = proc::history_for<ShotZoneHistory>(
        ctx, own, season_start, season_start, d - 1,
        [&](Date from, Date to) { return proc::read_window(ctx, kPgs, from, to, kPgsColumns); });
    std::shared_lock lock(history.mutex());
    return history.compute(ctx.schedule, d);
  }
  std::unique_ptr<CarriedState> make_carried_state() const override { return std::make_unique<ShotZoneHistory>(); }
  // run() computes under the history's shared lock, which the next date's
  // catch-up takes exclusively.
  bool computes_dates_in_turn() const override { return true; }
};

}  // namespace

std::unique_ptr<Processor> make_player_shot_zone_processor() { return std::make_unique<PlayerShotZoneProcessor>(); }

}  // namespace nbaprops::precompute
