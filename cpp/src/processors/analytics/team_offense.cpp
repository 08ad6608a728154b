#include "nbaprops/processors/analytics/team_offense.hpp"

#include <array>
#include <initializer_list>

#include "game_lines.hpp"
#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics {
using proc::py_round;

double possessions_1dp(double fga, double fta, double tov, double oreb) {
  return py_round(fga + 0.44 * fta + tov - oreb, 1);
}

std::optional<double> rating(double points, double poss) {
  if (poss <= 0) return std::nullopt;
  return py_round(points / poss * 100.0, 2);
}

namespace {
std::optional<int> whole_minutes(const std::optional<std::string>& m) {
  if (!m || m->empty()) return std::nullopt;
  auto colon = m->find(':');
  try {
    return std::stoi(m->substr(0, colon));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}
}  // namespace

double game_minutes(const std::optional<std::string>& team_minutes) {
  auto m = whole_minutes(team_minutes);
  return m ? *m / 5.0 : 48.0;
}

std::optional<double> pace(double poss, double gm) {
  if (gm <= 0) return std::nullopt;
  return py_round(poss * 48.0 / gm, 1);
}

std::optional<double> true_shooting(double points, double fga, double fta) {
  double denom = 2.0 * (fga + 0.44 * fta);
  if (denom <= 0) return std::nullopt;
  return py_round(points / denom, 3);
}

int overtime_periods(const std::optional<std::string>& team_minutes) {
  auto m = whole_minutes(team_minutes);
  if (!m || *m <= 240) return 0;
  return (*m - 240) / 25;
}

namespace {

namespace togs = cols::team_offense_game_summary;
namespace tbox = cols::nbac_team_boxscore;
namespace gbps = cols::nbac_gamebook_player_stats;
namespace psz = cols::player_shot_zones;

const std::vector<std::string> kHashFields = {"game_id",
                                              "nba_game_id",
                                              "game_date",
                                              "team_abbr",
                                              "opponent_team_abbr",
                                              "season_year",
                                              "points_scored",
                                              "fg_attempts",
                                              "fg_makes",
                                              "three_pt_attempts",
                                              "three_pt_makes",
                                              "ft_attempts",
                                              "ft_makes",
                                              "rebounds",
                                              "assists",
                                              "turnovers",
                                              "personal_fouls",
                                              "team_paint_attempts",
                                              "team_paint_makes",
                                              "team_mid_range_attempts",
                                              "team_mid_range_makes",
                                              "points_in_paint_scored",
                                              "second_chance_points_scored",
                                              "offensive_rating",
                                              "pace",
                                              "possessions",
                                              "ts_pct",
                                              "home_game",
                                              "win_flag",
                                              "margin_of_victory",
                                              "overtime_periods",
                                              "players_inactive",
                                              "starters_inactive",
                                              "referee_crew_id"};

/// The box stats of a team line, in the order of kBoxStats / kGamebookStats.
enum Stat { kPts, kFga, kFgm, kTpa, kTpm, kFta, kFtm, kOreb, kReb, kAst, kTov, kPf, kStats };
constexpr std::array<ColumnId, kStats> kBoxStats = {
    tbox::points,         tbox::fg_attempted, tbox::fg_made,   tbox::three_pt_attempted,
    tbox::three_pt_made,  tbox::ft_attempted, tbox::ft_made,   tbox::offensive_rebounds,
    tbox::total_rebounds, tbox::assists,      tbox::turnovers, tbox::personal_fouls};
constexpr std::array<ColumnId, kStats> kGamebookStats = {gbps::points,
                                                         gbps::field_goals_attempted,
                                                         gbps::field_goals_made,
                                                         gbps::three_pointers_attempted,
                                                         gbps::three_pointers_made,
                                                         gbps::free_throws_attempted,
                                                         gbps::free_throws_made,
                                                         gbps::offensive_rebounds,
                                                         gbps::total_rebounds,
                                                         gbps::assists,
                                                         gbps::turnovers,
                                                         gbps::personal_fouls};
constexpr std::array<ColumnId, 4> kZoneStats = {psz::paint_attempts, psz::paint_makes, psz::mid_range_attempts,
                                                psz::mid_range_makes};

/// The shot-zone columns TOGS reads (see detail::togs_team_box_columns).
const std::vector<std::string> kZoneColumns = {
    "game_date", "game_id", "team_abbr", "paint_attempts", "paint_makes", "mid_range_attempts", "mid_range_makes"};

/// Columns @p ids of @p t, resolved once.
template <size_t N>
std::array<const Column*, N> columns_of(const Table& t, const std::array<ColumnId, N>& ids) {
  std::array<const Column*, N> out{};
  for (size_t i = 0; i < N; ++i) out[i] = &t.col(ids[i]);
  return out;
}
int64_t int_or_0(const Column* c, size_t r) { return c->get_int(r).value_or(0); }

/// One team's box line, from the team box score or reconstructed from players.
struct TeamLine {
  std::array<int64_t, kStats> v{};
  const std::string* minutes = nullptr;  ///< team minutes text, nullptr when NULL
  const std::string* processed_at = nullptr;
  bool found = false;
  int player_rows = 0;
};

struct Zones {
  std::array<int64_t, 4> v{};
  bool found = false;
};

/// Everything TOGS takes from the raw rows of a date, per game slot.
struct SlotInputs {
  std::vector<TeamLine> box, rebuilt;
  std::vector<int64_t> inactive;
  std::vector<Zones> zones;
  explicit SlotInputs(size_t n) : box(n), rebuilt(n), inactive(n, 0), zones(n) {}
};

std::optional<std::string> text_opt(const std::string* s) { return s ? std::optional<std::string>(*s) : std::nullopt; }

/// Team box rows: the latest processed_at per slot (legacy dedup).
void take_box(const Table& tb, const detail::GameSlots& slots, SlotInputs& in) {
  const Column &gid = tb.col(tbox::game_id), &team = tb.col(tbox::team_abbr), &pa = tb.col(tbox::processed_at);
  const Column& minutes = tb.col(tbox::minutes);
  const auto stats = columns_of(tb, kBoxStats);
  for (size_t r = 0; r < tb.num_rows(); ++r) {
    const int s = slots.find(gid.text_ptr(r), team.text_ptr(r));
    if (s < 0) continue;
    const std::string* p = proc::text_of(&pa, r);
    TeamLine& l = in.box[static_cast<size_t>(s)];
    if (l.found && l.processed_at && p && *p <= *l.processed_at) continue;
    l = TeamLine{};
    l.found = true;
    l.processed_at = p;
    for (size_t k = 0; k < kStats; ++k) l.v[k] = int_or_0(stats[k], r);
    l.minutes = proc::text_of(&minutes, r);
  }
}

/// Player rows: the reconstruction fallback (per game here, where the legacy
/// did all-or-nothing per range) and inactive counts.
void take_gamebook(const Table& gb, const detail::GameSlots& slots, SlotInputs& in) {
  static const std::string* const kActive = intern("active");
  static const std::string* const kInactive = intern("inactive");
  const Column &gid = gb.col(gbps::game_id), &team = gb.col(gbps::team_abbr), &status = gb.col(gbps::player_status);
  const auto stats = columns_of(gb, kGamebookStats);
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    const int s = slots.find(gid.text_ptr(r), team.text_ptr(r));
    if (s < 0) continue;
    const std::string* st = status.text_ptr(r);  // interned: equal pointers ⇔ equal text
    if (st == kInactive) ++in.inactive[static_cast<size_t>(s)];
    if (st != kActive) continue;
    TeamLine& l = in.rebuilt[static_cast<size_t>(s)];
    l.found = true;
    ++l.player_rows;
    for (size_t k = 0; k < kStats; ++k) l.v[k] += int_or_0(stats[k], r);
  }
}

void take_zones(const Table& z, const detail::GameSlots& slots, SlotInputs& in) {
  const Column &gid = z.col(psz::game_id), &team = z.col(psz::team_abbr);
  const auto stats = columns_of(z, kZoneStats);
  for (size_t r = 0; r < z.num_rows(); ++r) {
    const int s = slots.find(gid.text_ptr(r), team.text_ptr(r));
    if (s < 0) continue;
    Zones& zz = in.zones[static_cast<size_t>(s)];
    zz.found = true;
    for (size_t k = 0; k < zz.v.size(); ++k) zz.v[k] += int_or_0(stats[k], r);
  }
}

/// The TOGS columns of the box stats (TOGS has no offensive_rebounds column)
/// and of the zone stats, in the order of kBoxStats and kZoneStats.
constexpr std::array<std::optional<ColumnId>, kStats> kOutStats = {
    togs::points_scored,  togs::fg_attempts, togs::fg_makes,  togs::three_pt_attempts,
    togs::three_pt_makes, togs::ft_attempts, togs::ft_makes,  std::nullopt,
    togs::rebounds,       togs::assists,     togs::turnovers, togs::personal_fouls};
constexpr std::array<ColumnId, 4> kOutZones = {togs::team_paint_attempts, togs::team_paint_makes,
                                               togs::team_mid_range_attempts, togs::team_mid_range_makes};

/// Legacy spec §9: expected_count_min of TOGS's team box score.
constexpr int64_t kExpectedBoxRows = 20;

/// The cells of a TOGS row that depend only on (reconstructed, zones found).
const std::vector<std::string> kBlockColumns = [] {
  std::vector<std::string> c = detail::quality_columns();
  c.insert(c.end(), {"source_nbac_boxscore_last_updated", "source_nbac_boxscore_rows_found",
                     "source_nbac_boxscore_completeness_pct", "source_nbac_boxscore_hash", "quality_used_fallback",
                     "quality_reconstructed", "shot_zones_available", "shot_zones_source", "primary_source_used",
                     "processed_with_issues"});
  return c;
}();

/// Legacy spec §9: the team box score's source columns are run-level
/// constants, @p box_source (MAX(processed_at), COUNT(*), min(100, rows / 20 ·
/// 100), the latest hash); a row reconstructed from players leaves them NULL,
/// as the legacy did when it had no team box score.
void render_block(Table& t, size_t r, bool reconstructed, bool has_zones, const detail::SourceBlock& box_source) {
  if (!reconstructed) detail::write_source_block(t, r, "nbac_boxscore", box_source);
  proc::Quality q;
  if (reconstructed) {
    q = {"silver", 85.0, {"backup_source_used", "reconstructed"}, {"reconstructed_team_from_players"}};
  } else {
    q = {"gold", 100.0, {}, {"nbac_team_boxscore"}};
  }
  if (!has_zones) q.issues.push_back("shot_zones_unavailable");
  proc::write_quality(t, r, q);
  t.set(r, togs::quality_used_fallback, reconstructed);
  t.set(r, togs::quality_reconstructed, reconstructed);
  t.set(r, togs::shot_zones_available, has_zones);
  if (has_zones) t.set(r, togs::shot_zones_source, "player_shot_zones");
  t.set(r, togs::primary_source_used, reconstructed ? "reconstructed_team_from_players" : "nbac_team_boxscore");
  t.set(r, togs::processed_with_issues, !has_zones);
}

/// One team's row: @p l its line, @p opp the opponent's.
struct TeamRow {
  const Game& game;
  size_t slot;
  const TeamLine& line;
  const TeamLine& opp;
  const Zones& zones;
  int64_t inactive;
  bool reconstructed;
  const detail::SourceBlock& box_source;
};

void write_team_row(Table& t, size_t r, detail::BlockMemo& memo, const detail::GameSlots& slots, Date d,
                    const TeamRow& x) {
  const TeamLine& l = x.line;
  const bool home = x.slot % 2 == 0;
  t.col(togs::game_id).set_text_ptr(r, slots.game_id(x.slot));
  t.col(togs::nba_game_id).set_text(r, x.game.nba_game_id);
  t.col(togs::game_date).set_int(r, int64_t{d.days()});
  t.col(togs::team_abbr).set_text_ptr(r, slots.team(x.slot));
  t.col(togs::opponent_team_abbr).set_text_ptr(r, slots.team(x.slot ^ 1U));
  t.col(togs::season_year).set_int(r, int64_t{x.game.season});
  for (size_t k = 0; k < kStats; ++k) {
    if (kOutStats[k]) t.col(*kOutStats[k]).set_int(r, l.v[k]);
  }
  if (x.zones.found) {
    for (size_t k = 0; k < kOutZones.size(); ++k) t.col(kOutZones[k]).set_int(r, x.zones.v[k]);
    t.col(togs::points_in_paint_scored).set_int(r, 2 * x.zones.v[1]);
  }
  // Legacy: "value if value else None" turned exact zeros into NULL; we keep
  // real zeros (DECISION 6) and use NULL only where the formula is undefined.
  const auto dv = [&](Stat k) { return static_cast<double>(l.v[k]); };
  const double p1 = possessions_1dp(dv(kFga), dv(kFta), dv(kTov), dv(kOreb));
  t.col(togs::possessions).set_int(r, static_cast<int64_t>(p1));  // legacy int() truncation
  t.col(togs::offensive_rating).set_real(r, rating(dv(kPts), p1));
  const std::optional<std::string> minutes = text_opt(l.minutes);
  t.col(togs::pace).set_real(r, pace(p1, game_minutes(minutes)));
  t.col(togs::ts_pct).set_real(r, true_shooting(dv(kPts), dv(kFga), dv(kFta)));
  t.col(togs::home_game).set_int(r, int64_t{home ? 1 : 0});
  t.col(togs::win_flag).set_int(r, int64_t{l.v[kPts] > x.opp.v[kPts] ? 1 : 0});
  t.col(togs::margin_of_victory).set_int(r, l.v[kPts] - x.opp.v[kPts]);
  t.col(togs::overtime_periods).set_int(r, int64_t{overtime_periods(minutes)});
  // Legacy wrote NULL placeholders; we count inactive players from the
  // gamebook (DECISION 6).
  t.col(togs::players_inactive).set_int(r, x.inactive);
  const uint32_t key = (x.reconstructed ? 1U : 0U) | (x.zones.found ? 2U : 0U);
  memo.write(t, r, key,
             [&](Table& s, size_t sr) { render_block(s, sr, x.reconstructed, x.zones.found, x.box_source); });
}

}  // namespace

UnitOutput compute_team_offense(const Schedule& schedule, Date d, const TeamOffenseInputs& in) {
  const TableSchema& schema = catalog::get("nba_analytics.team_offense_game_summary");
  UnitOutput out(schema);
  auto games = schedule.games_on(d);
  if (games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }
  const detail::GameSlots slots(games);
  SlotInputs inputs(slots.size());
  take_box(in.team_box, slots, inputs);
  take_gamebook(in.gamebook, slots, inputs);
  take_zones(in.shot_zones, slots, inputs);

  // A side's line: the team box score, else ≥ 5 active player rows.
  std::vector<const TeamLine*> side(slots.size(), nullptr);
  size_t rows = 0;
  for (size_t s = 0; s < slots.size(); ++s) {
    if (inputs.box[s].found) {
      side[s] = &inputs.box[s];
    } else if (inputs.rebuilt[s].player_rows >= 5) {
      side[s] = &inputs.rebuilt[s];
    }
  }
  for (size_t i = 0; i < games.size(); ++i) {
    if (side[2 * i] && side[2 * i + 1]) {
      rows += 2;
    } else {
      const std::string& gid = *slots.game_id(2 * i);
      out.failures.push_back(
          {gid, "INCOMPLETE_UPSTREAM", "no team box score and fewer than 5 active player rows for " + gid});
    }
  }
  Table& t = out.rows;
  t.resize(rows);
  detail::BlockMemo memo(t, kBlockColumns);
  const detail::SourceBlock box_source = detail::source_block(in.team_box, kExpectedBoxRows);
  size_t r = 0;
  for (size_t s = 0; s < slots.size(); ++s) {
    if (!side[s] || !side[s ^ 1U]) continue;
    const TeamRow x{
        *games[s / 2], s, *side[s], *side[s ^ 1U], inputs.zones[s], inputs.inactive[s], side[s] == &inputs.rebuilt[s],
        box_source};
    write_team_row(t, r++, memo, slots, d, x);
  }
  proc::fill_data_hash(t, kHashFields);
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0 && out.empty_reason.empty()) out.empty_reason = "no team box scores for " + d.iso();
  return out;
}

namespace detail {

GameSlots::GameSlots(const std::vector<const Game*>& games) {
  ids_.reserve(games.size());
  teams_.reserve(2 * games.size());
  for (const Game* g : games) {
    ids_.push_back(intern(g->date_id()));
    teams_.push_back(intern(g->home));
    teams_.push_back(intern(g->away));
  }
}

int GameSlots::find(const std::string* game_id, const std::string* team) const noexcept {
  for (size_t i = 0; i < ids_.size(); ++i) {
    if (ids_[i] != game_id) continue;
    if (teams_[2 * i] == team) return static_cast<int>(2 * i);
    if (teams_[2 * i + 1] == team) return static_cast<int>(2 * i + 1);
  }
  return -1;
}

namespace {
/// The names of @p columns present in @p out (in_projection: unknown ones
/// throw).
std::vector<std::string> present(const Table& out, const std::vector<std::string>& columns) {
  std::vector<std::string> keep;
  for (const auto& c : columns) {
    if (proc::in_projection(out, c.c_str())) keep.push_back(c);
  }
  return keep;
}
}  // namespace

BlockMemo::BlockMemo(const Table& out, const std::vector<std::string>& columns)
    : scratch_(out.schema(), present(out, columns)) {
  for (size_t i = 0; i < scratch_.num_columns(); ++i) columns_.emplace_back(out.require(scratch_.column_names()[i]), i);
}

bool BlockMemo::lookup(uint32_t key, size_t& row) const noexcept {
  for (const auto& [k, r] : keys_) {
    if (k == key) {
      row = r;
      return true;
    }
  }
  return false;
}

namespace {
/// "game_date", @p keys, then the names of @p stats.
std::vector<std::string> columns_with(std::initializer_list<const char*> keys, const auto& stats) {
  std::vector<std::string> out = {"game_date"};
  out.insert(out.end(), keys.begin(), keys.end());
  for (const ColumnId id : stats) out.push_back(catalog::column(id).name);
  return out;
}
}  // namespace

const std::vector<std::string>& togs_team_box_columns() {
  static const std::vector<std::string> kColumns =
      columns_with({"game_id", "team_abbr", "processed_at", "minutes", "data_hash"}, kBoxStats);
  return kColumns;
}

const std::vector<std::string>& togs_gamebook_columns() {
  static const std::vector<std::string> kColumns =
      columns_with({"game_id", "team_abbr", "player_status"}, kGamebookStats);
  return kColumns;
}

const std::vector<std::string>& team_line_box_columns() {
  static const std::vector<std::string> kColumns = columns_with(
      {"game_id", "team_abbr", "processed_at", "minutes", "data_hash", "defensive_rebounds", "steals"}, kBoxStats);
  return kColumns;
}

const std::vector<std::string>& team_line_gamebook_columns() {
  static const std::vector<std::string> kColumns = columns_with(
      {"game_id", "team_abbr", "player_status", "defensive_rebounds", "steals", "processed_at", "data_hash"},
      kGamebookStats);
  return kColumns;
}

const std::vector<std::string>& quality_columns() {
  static const std::vector<std::string> kColumns = {"quality_tier",       "quality_score",       "quality_issues",
                                                    "data_sources",       "is_production_ready", "data_quality_tier",
                                                    "data_quality_issues"};
  return kColumns;
}

}  // namespace detail

namespace {

const ProcessorInfo kInfo{
    .name = "team_offense_game_summary",
    .code = "togs",
    .phase = 3,
    .output_table = "nba_analytics.team_offense_game_summary",
    .entity = "teams",
    .reads = {{"nba_raw.nbac_team_boxscore", WindowKind::kSameDate, 0, false, detail::togs_team_box_columns()},
              {"nba_raw.nbac_gamebook_player_stats", WindowKind::kSameDate, 0, true, detail::togs_gamebook_columns()},
              {"nba_raw.player_shot_zones", WindowKind::kSameDate, 0, false, kZoneColumns}},
    .legacy_job = "team_offense_game_summary",
    .description =
        "Team offensive line per game: possessions, pace, "
        "offensive rating, TS%"};

class TeamOffenseProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    Table box = proc::read_window(ctx, "nba_raw.nbac_team_boxscore", d, d, detail::togs_team_box_columns());
    Table gb = proc::read_window(ctx, "nba_raw.nbac_gamebook_player_stats", d, d, detail::togs_gamebook_columns());
    Table zones = proc::read_window(ctx, "nba_raw.player_shot_zones", d, d, kZoneColumns);
    return compute_team_offense(ctx.schedule, ctx.date, {box, gb, zones});
  }
};

}  // namespace

std::unique_ptr<Processor> make_team_offense_processor() { return std::make_unique<TeamOffenseProcessor>(); }

}  // namespace nbaprops::analytics
