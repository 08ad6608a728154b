#include "nbaprops/processors/analytics/team_defense.hpp"

#include <array>
#include <cstdint>

#include "game_lines.hpp"
#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics {
using detail::NullableSum;
using detail::TeamLine;

std::optional<double> defensive_rating(double opp_points, double opp_fga, double opp_fta, double opp_tov,
                                       double opp_oreb) {
  // Legacy TDGS divides by the unrounded possessions (TOGS rounds them to 1 dp
  // first).
  return rating(opp_points, opp_fga + 0.44 * opp_fta - opp_oreb + opp_tov);
}

namespace {

namespace tdgs = cols::team_defense_game_summary;
namespace psz = cols::player_shot_zones;
namespace tsza = cols::team_shot_zones_allowed;

// TDGS HASH_FIELDS: ids, opponent box, zones, points by zone, defensive
// actions, ratings, context and placeholders (everything except
// source/quality/metadata columns).
const std::vector<std::string> kHashFields = {"game_id",
                                              "game_date",
                                              "defending_team_abbr",
                                              "opponent_team_abbr",
                                              "season_year",
                                              "points_allowed",
                                              "opp_fg_attempts",
                                              "opp_fg_makes",
                                              "opp_three_pt_attempts",
                                              "opp_three_pt_makes",
                                              "opp_ft_attempts",
                                              "opp_ft_makes",
                                              "opp_rebounds",
                                              "opp_assists",
                                              "turnovers_forced",
                                              "fouls_committed",
                                              "opp_paint_attempts",
                                              "opp_paint_makes",
                                              "opp_mid_range_attempts",
                                              "opp_mid_range_makes",
                                              "points_in_paint_allowed",
                                              "mid_range_points_allowed",
                                              "three_pt_points_allowed",
                                              "second_chance_points_allowed",
                                              "fast_break_points_allowed",
                                              "blocks_paint",
                                              "blocks_mid_range",
                                              "blocks_three_pt",
                                              "steals",
                                              "defensive_rebounds",
                                              "defensive_rating",
                                              "opponent_pace",
                                              "opponent_ts_pct",
                                              "home_game",
                                              "win_flag",
                                              "margin_of_victory",
                                              "overtime_periods",
                                              "players_inactive",
                                              "starters_inactive",
                                              "referee_crew_id"};

/// Where a defender's zones allowed come from.
enum ZoneSource : uint8_t { kNoZones, kAllowedTable, kPlayerZones };
/// Legacy spec §2: a team's gamebook rows give its defensive actions only when
/// at least this many of them are active (the reconstruction's threshold too).
constexpr int kMinActiveRows = 5;

/// Where its defensive actions come from.
enum Actions : uint8_t { kNoActions, kGamebookActions, kBoxActions };

/// Zone attempts/makes allowed by one defender in one game.
struct ZonesAllowed {
  std::optional<int64_t> paint_att, paint_made, mid_att, mid_made;
  ZoneSource source = kNoZones;
};

/// Blocks by zone of one team in one game (Σ over its players).
struct Blocks {
  NullableSum paint, mid, three;
  bool found = false;
};

struct ZoneSums {
  NullableSum paint_att, paint_made, mid_att, mid_made;
  bool found = false;
};

std::optional<int64_t> times(int64_t k, std::optional<int64_t> v) {
  return v ? std::optional<int64_t>(k * *v) : std::nullopt;
}

/// The raw zone rows of a date per game slot.
struct SlotZones {
  std::vector<ZonesAllowed> allowed;  ///< per defender (team_shot_zones_allowed)
  std::vector<const std::string*> allowed_at;
  std::vector<ZoneSums> shooting;  ///< per shooting team (player_shot_zones)
  std::vector<Blocks> blocks;      ///< per blocking team (player_shot_zones)
  explicit SlotZones(size_t n) : allowed(n), allowed_at(n, nullptr), shooting(n), blocks(n) {}
};

/// The columns TDGS reads of the zone tables (see
/// detail::togs_team_box_columns).
const std::vector<std::string> kZoneColumns = {
    "game_date",          "game_id",         "team_abbr",    "paint_attempts",   "paint_makes",
    "mid_range_attempts", "mid_range_makes", "blocks_paint", "blocks_mid_range", "blocks_three_pt"};
const std::vector<std::string> kAllowedColumns = {"game_date",
                                                  "game_id",
                                                  "defending_team_abbr",
                                                  "processed_at",
                                                  "paint_attempts_allowed",
                                                  "paint_makes_allowed",
                                                  "mid_range_attempts_allowed",
                                                  "mid_range_makes_allowed"};

/// Zones allowed: the project's per-defender table (latest processed_at per
/// defender; NULL sorts first) …
void take_allowed(const Table& za, const detail::GameSlots& slots, SlotZones& z) {
  static const std::string* const kNone = intern("");
  const Column &gid = za.col(tsza::game_id), &team = za.col(tsza::defending_team_abbr),
               &pa = za.col(tsza::processed_at);
  const Column &pat = za.col(tsza::paint_attempts_allowed), &pm = za.col(tsza::paint_makes_allowed);
  const Column &mat = za.col(tsza::mid_range_attempts_allowed), &mm = za.col(tsza::mid_range_makes_allowed);
  for (size_t r = 0; r < za.num_rows(); ++r) {
    const int s = slots.find(gid.text_ptr(r), team.text_ptr(r));
    if (s < 0) continue;
    const auto i = static_cast<size_t>(s);
    const std::string* at = pa.is_null(r) ? kNone : pa.text_ptr(r);
    if (z.allowed_at[i] && *at <= *z.allowed_at[i]) continue;
    z.allowed_at[i] = at;
    z.allowed[i] = {pat.get_int(r), pm.get_int(r), mat.get_int(r), mm.get_int(r), kAllowedTable};
  }
}

/// … else the opponent's own player zones (Σ per shooting team), and blocks
/// per blocking team.
void take_player_zones(const Table& pz, const detail::GameSlots& slots, SlotZones& z) {
  const Column &gid = pz.col(psz::game_id), &team = pz.col(psz::team_abbr);
  const Column &pat = pz.col(psz::paint_attempts), &pm = pz.col(psz::paint_makes);
  const Column &mat = pz.col(psz::mid_range_attempts), &mm = pz.col(psz::mid_range_makes);
  const Column &bp = pz.col(psz::blocks_paint), &bm = pz.col(psz::blocks_mid_range), &b3 = pz.col(psz::blocks_three_pt);
  for (size_t r = 0; r < pz.num_rows(); ++r) {
    const int s = slots.find(gid.text_ptr(r), team.text_ptr(r));
    if (s < 0) continue;
    ZoneSums& sum = z.shooting[static_cast<size_t>(s)];
    sum.found = true;
    sum.paint_att.add(pat.get_int(r));
    sum.paint_made.add(pm.get_int(r));
    sum.mid_att.add(mat.get_int(r));
    sum.mid_made.add(mm.get_int(r));
    Blocks& b = z.blocks[static_cast<size_t>(s)];
    b.found = true;
    b.paint.add(bp.get_int(r));
    b.mid.add(bm.get_int(r));
    b.three.add(b3.get_int(r));
  }
}

/// What decides a TDGS row's quality/source block (a handful of values per
/// date).
struct BlockFacts {
  bool recon = false;      ///< either side's line reconstructed from players
  bool own_recon = false;  ///< the defender's own line reconstructed
  ZoneSource zones = kNoZones;
  Actions actions = kNoActions;
  bool missing_actions = false;
  bool partial = false;
  [[nodiscard]] uint32_t key() const {
    return (recon ? 1U : 0U) | (own_recon ? 2U : 0U) | (uint32_t{zones} << 2) | (uint32_t{actions} << 4) |
           (missing_actions ? 64U : 0U) | (partial ? 128U : 0U);
  }
};

const std::vector<std::string> kBlockColumns = [] {
  std::vector<std::string> c = detail::quality_columns();
  c.insert(c.end(), {"quality_used_fallback", "quality_reconstructed", "quality_metadata", "primary_source_used",
                     "processed_with_issues"});
  for (const char* prefix : {"team_boxscore", "gamebook_players"}) {
    for (const char* field : {"_last_updated", "_rows_found", "_completeness_pct", "_hash"}) {
      c.push_back(std::string("source_") + prefix + field);
    }
  }
  return c;
}();

void render_block(Table& t, size_t r, const BlockFacts& f, const detail::SourceBlock& src_box,
                  const detail::SourceBlock& src_gb) {
  static constexpr std::array<const char*, 3> kZoneSource = {"", "team_shot_zones_allowed", "player_shot_zones"};
  static constexpr std::array<const char*, 3> kActions = {"none", "nbac_gamebook", "nbac_team_boxscore"};
  std::vector<std::string> issues;
  if (f.zones == kNoZones) issues.emplace_back("shot_zones_unavailable");
  if (f.missing_actions) issues.emplace_back("missing_defensive_actions");
  if (f.partial) issues.emplace_back("partial_box_score");
  const std::string offense_src = f.recon ? "reconstructed_team_from_players" : "nbac_team_boxscore";
  std::vector<std::string> sources = {offense_src};
  if (f.zones != kNoZones) sources.emplace_back(kZoneSource[f.zones]);
  if (f.actions == kGamebookActions) sources.emplace_back("nbac_gamebook");
  proc::Quality q;
  if (f.recon) {
    q = {"silver", 85.0, {"backup_source_used", "reconstructed"}, {}};
  } else {
    q = {"gold", 100.0, {}, {}};
  }
  for (auto& s : issues) q.issues.push_back(s);
  if (f.partial) {
    q.tier = "bronze";
    q.score = 60.0;
  }
  q.sources = sources;
  proc::write_quality(t, r, q);
  t.set(r, tdgs::quality_used_fallback, f.recon);
  t.set(r, tdgs::quality_reconstructed, f.recon);
  t.set(r, tdgs::quality_metadata, std::string("{\"sources_used\": ") + proc::json_array(sources) + "}");
  t.set(r, tdgs::primary_source_used, offense_src + "+" + kActions[f.actions]);
  // Legacy: processed_with_issues = no defensive actions (≈ always FALSE);
  // now any data issue.
  t.set(r, tdgs::processed_with_issues, !issues.empty());
  if (!f.own_recon) detail::write_source_block(t, r, "team_boxscore", src_box);
  detail::write_source_block(t, r, "gamebook_players", src_gb);
  // source_bdl_players_*: BDL is not an input of this project → NULL.
}

/// One defender's row of one game.
struct DefenderRow {
  const Game& game;
  size_t slot;
  const TeamLine& own;
  const TeamLine& opp;
  std::string key;  ///< "game_id|team" of the defender (DateTeamLines keys)
};

/// The opponent's offense (NULL where the source lacks the stat, e.g.
/// shots-only gamebooks), and the ratings from it.
void write_opponent_offense(Table& t, size_t r, const TeamLine& own, const TeamLine& opp, BlockFacts& f) {
  t.col(tdgs::points_allowed).set_int(r, opp.pts);
  t.col(tdgs::opp_fg_attempts).set_int(r, opp.fga);
  t.col(tdgs::opp_fg_makes).set_int(r, opp.fgm);
  t.col(tdgs::opp_three_pt_attempts).set_int(r, opp.tpa);
  t.col(tdgs::opp_three_pt_makes).set_int(r, opp.tpm);
  t.col(tdgs::opp_ft_attempts).set_int(r, opp.fta);
  t.col(tdgs::opp_ft_makes).set_int(r, opp.ftm);
  t.col(tdgs::opp_rebounds).set_int(r, opp.reb);
  t.col(tdgs::opp_assists).set_int(r, opp.ast);
  t.col(tdgs::turnovers_forced).set_int(r, opp.tov);
  t.col(tdgs::fouls_committed).set_int(r, own.pf);
  t.col(tdgs::three_pt_points_allowed).set_int(r, times(3, opp.tpm));
  if (opp.pts && opp.fga && opp.fta && opp.tov && opp.oreb) {
    const double fga = static_cast<double>(*opp.fga), fta = static_cast<double>(*opp.fta);
    const double tov = static_cast<double>(*opp.tov), oreb = static_cast<double>(*opp.oreb);
    t.col(tdgs::defensive_rating).set_real(r, defensive_rating(static_cast<double>(*opp.pts), fga, fta, tov, oreb));
    // Legacy: opponent_pace = raw opponent possessions (the ×48/48 is a
    // no-op; §10.6); kept.
    t.col(tdgs::opponent_pace).set_real(r, possessions_1dp(fga, fta, tov, oreb));
  } else {
    f.partial = true;
  }
  if (opp.pts && opp.fga && opp.fta) {
    t.col(tdgs::opponent_ts_pct)
        .set_real(r, true_shooting(static_cast<double>(*opp.pts), static_cast<double>(*opp.fga),
                                   static_cast<double>(*opp.fta)));
  }
}

/// Zones allowed = the opponent's shooting zones; blocks by zone = Σ of the
/// defender's players (NULL when the zone source lacks block data).
void write_zones(Table& t, size_t r, const SlotZones& z, size_t slot, BlockFacts& f) {
  std::optional<ZonesAllowed> zones;
  if (z.allowed[slot].source == kAllowedTable) {
    zones = z.allowed[slot];
  } else if (const ZoneSums& s = z.shooting[slot ^ 1U]; s.found) {
    zones =
        ZonesAllowed{s.paint_att.value(), s.paint_made.value(), s.mid_att.value(), s.mid_made.value(), kPlayerZones};
  }
  if (zones) {
    t.col(tdgs::opp_paint_attempts).set_int(r, zones->paint_att);
    t.col(tdgs::opp_paint_makes).set_int(r, zones->paint_made);
    t.col(tdgs::opp_mid_range_attempts).set_int(r, zones->mid_att);
    t.col(tdgs::opp_mid_range_makes).set_int(r, zones->mid_made);
    t.col(tdgs::points_in_paint_allowed).set_int(r, times(2, zones->paint_made));
    t.col(tdgs::mid_range_points_allowed).set_int(r, times(2, zones->mid_made));
    f.zones = zones->source;
  }
  // second_chance_points_allowed, fast_break_points_allowed: NULL — no
  // source (legacy NULL too).
  if (const Blocks& b = z.blocks[slot]; b.found) {
    t.col(tdgs::blocks_paint).set_int(r, b.paint.value());
    t.col(tdgs::blocks_mid_range).set_int(r, b.mid.value());
    t.col(tdgs::blocks_three_pt).set_int(r, b.three.value());
  }
}

/// Defensive actions, result, overtime and inactive players of the defender.
void write_context(Table& t, size_t r, const detail::DateTeamLines& lines, const DefenderRow& x, BlockFacts& f) {
  const TeamLine& own = x.own;
  const TeamLine& opp = x.opp;
  // Defensive actions: Σ over the defender's active gamebook rows, kept only
  // when the team has at least 5 active rows (legacy spec §2).
  // Legacy: COALESCE to 0 when absent. Fixed (DECISION 6): the team box
  // value when there is no such gamebook group, else NULL.
  std::optional<int64_t> stl, dreb;
  if (auto rb = lines.rebuilt.find(x.key); rb != lines.rebuilt.end() && rb->second.active_rows >= kMinActiveRows) {
    stl = rb->second.stl;
    dreb = rb->second.dreb;
    f.actions = kGamebookActions;
  } else if (!own.reconstructed && (own.stl || own.dreb)) {
    stl = own.stl;
    dreb = own.dreb;
    f.actions = kBoxActions;
  }
  t.col(tdgs::steals).set_int(r, stl);
  t.col(tdgs::defensive_rebounds).set_int(r, dreb);
  f.missing_actions = !stl && !dreb;

  const bool home = x.slot % 2 == 0;
  t.col(tdgs::home_game).set_int(r, int64_t{home ? 1 : 0});
  // Legacy: win/margin from plus_minus (primary) or points (reconstructed).
  // Fixed (§10.2): from the final scores in the schedule, else from the two
  // team lines; NULL when unknown.
  const Game& g = x.game;
  std::optional<int64_t> own_score, opp_score;
  if (g.home_score && g.away_score) {
    own_score = home ? *g.home_score : *g.away_score;
    opp_score = home ? *g.away_score : *g.home_score;
  } else if (own.pts && opp.pts) {
    own_score = own.pts;
    opp_score = opp.pts;
  }
  if (own_score && opp_score) {
    t.col(tdgs::win_flag).set_int(r, int64_t{*own_score > *opp_score ? 1 : 0});
    t.col(tdgs::margin_of_victory).set_int(r, *own_score - *opp_score);
  }
  // Legacy: overtime_periods always 0 (TODO). Fixed (DECISION 6): from the
  // team minutes of the box score as in TOGS; NULL when only player rows
  // exist (no team minutes).
  const auto& minutes = own.minutes ? own.minutes : opp.minutes;
  if (minutes) t.col(tdgs::overtime_periods).set_int(r, int64_t{overtime_periods(minutes)});
  // Legacy: NULL placeholder. As in TOGS we count the defender's inactive
  // gamebook rows; NULL when the team has no gamebook rows at all.
  // starters_inactive, referee_crew_id: no source → NULL.
  if (lines.gamebook_rows.count(x.key)) {
    auto in_it = lines.inactive.find(x.key);
    t.col(tdgs::players_inactive).set_int(r, in_it == lines.inactive.end() ? int64_t{0} : in_it->second);
  }
}

}  // namespace

UnitOutput compute_team_defense(const Schedule& schedule, Date d, const TeamDefenseInputs& in) {
  const TableSchema& schema = catalog::get("nba_analytics.team_defense_game_summary");
  UnitOutput out(schema);
  auto games = schedule.games_on(d);
  if (games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }
  const detail::DateTeamLines lines = detail::build_team_lines(in.team_box, in.gamebook);
  const detail::GameSlots slots(games);
  SlotZones zones(slots.size());
  take_allowed(in.zones_allowed, slots, zones);
  take_player_zones(in.shot_zones, slots, zones);
  const detail::SourceBlock src_box = detail::source_block(in.team_box, 4);
  const detail::SourceBlock src_gb = detail::source_block(in.gamebook, 80);

  std::vector<const TeamLine*> side(slots.size());
  for (size_t s = 0; s < slots.size(); ++s) side[s] = lines.find(*slots.game_id(s), *slots.team(s));
  Table& t = out.rows;
  for (size_t i = 0; i < games.size(); ++i) {
    if (side[2 * i] && side[2 * i + 1]) {
      t.resize(t.num_rows() + 2);
      continue;
    }
    const std::string& gid = *slots.game_id(2 * i);
    out.failures.push_back(
        {gid, "INCOMPLETE_UPSTREAM", "no team box score and fewer than 5 active player rows for " + gid});
  }
  detail::BlockMemo memo(t, kBlockColumns);
  size_t r = 0;
  for (size_t s = 0; s < slots.size(); ++s) {
    if (!side[s] || !side[s ^ 1U]) continue;
    const DefenderRow x{*games[s / 2], s, *side[s], *side[s ^ 1U], *slots.game_id(s) + "|" + *slots.team(s)};
    t.col(tdgs::game_id).set_text_ptr(r, slots.game_id(s));
    t.col(tdgs::game_date).set_int(r, int64_t{d.days()});
    t.col(tdgs::defending_team_abbr).set_text_ptr(r, slots.team(s));
    t.col(tdgs::opponent_team_abbr).set_text_ptr(r, slots.team(s ^ 1U));
    t.col(tdgs::season_year).set_int(r, int64_t{x.game.season});
    BlockFacts f;
    f.recon = x.own.reconstructed || x.opp.reconstructed;
    f.own_recon = x.own.reconstructed;
    write_opponent_offense(t, r, x.own, x.opp, f);
    write_zones(t, r, zones, s, f);
    write_context(t, r, lines, x, f);
    memo.write(t, r, f.key(), [&](Table& st, size_t sr) { render_block(st, sr, f, src_box, src_gb); });
    ++r;
  }
  proc::fill_data_hash(t, kHashFields);
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0 && out.empty_reason.empty()) out.empty_reason = "no team lines for " + d.iso();
  return out;
}

namespace {

const ProcessorInfo kInfo{
    .name = "team_defense_game_summary",
    .code = "tdgs",
    .phase = 3,
    .output_table = "nba_analytics.team_defense_game_summary",
    .entity = "teams",
    .reads = {{"nba_raw.nbac_team_boxscore", WindowKind::kSameDate, 0, false, detail::team_line_box_columns()},
              {"nba_raw.nbac_gamebook_player_stats", WindowKind::kSameDate, 0, true,
               detail::team_line_gamebook_columns()},
              {"nba_raw.player_shot_zones", WindowKind::kSameDate, 0, false, kZoneColumns},
              {"nba_raw.team_shot_zones_allowed", WindowKind::kSameDate, 0, false, kAllowedColumns}},
    .legacy_job = "team_defense_game_summary",
    .description =
        "Team defensive line per game: opponent offense, "
        "defensive rating, zones allowed, blocks"};

class TeamDefenseProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    Table box =
        proc::read_window(ctx, "nba_raw.nbac_team_boxscore", ctx.date, ctx.date, detail::team_line_box_columns());
    Table gb = proc::read_window(ctx, "nba_raw.nbac_gamebook_player_stats", ctx.date, ctx.date,
                                 detail::team_line_gamebook_columns());
    Table zones = proc::read_window(ctx, "nba_raw.player_shot_zones", ctx.date, ctx.date, kZoneColumns);
    Table allowed = proc::read_window(ctx, "nba_raw.team_shot_zones_allowed", ctx.date, ctx.date, kAllowedColumns);
    return compute_team_defense(ctx.schedule, ctx.date, {box, gb, zones, allowed});
  }
};

}  // namespace

std::unique_ptr<Processor> make_team_defense_processor() { return std::make_unique<TeamDefenseProcessor>(); }

}  // namespace nbaprops::analytics
