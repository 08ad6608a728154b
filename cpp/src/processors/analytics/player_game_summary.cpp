#include "nbaprops/processors/analytics/player_game_summary.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <array>
#include <initializer_list>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "game_lines.hpp"
#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/names.hpp"
#include "nbaprops/processors/analytics/team_offense.hpp"
#include "nbaprops/processors/common.hpp"

namespace nbaprops::analytics {
using proc::py_round;

std::optional<double> pgs_minutes_decimal(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  const std::string& s = *text;
  if (s.empty() || s == "-" || s == "null" || s == "NULL" || s == "None") return std::nullopt;
  auto colon = s.find(':');
  const char* begin = s.c_str();
  char* end = nullptr;
  if (colon == std::string::npos) {
    double v = std::strtod(begin, &end);
    if (end == begin || *end != '\0') return std::nullopt;
    return v;
  }
  std::string mm = s.substr(0, colon), ss = s.substr(colon + 1);
  long m = std::strtol(mm.c_str(), &end, 10);
  if (mm.empty() || *end != '\0') return std::nullopt;
  long sec = std::strtol(ss.c_str(), &end, 10);
  if (ss.empty() || *end != '\0' || sec < 0 || sec > 59) return std::nullopt;
  return py_round(static_cast<double>(m) + static_cast<double>(sec) / 60.0, 2);
}

std::optional<double> pgs_minutes_played(std::optional<double> minutes_decimal) {
  if (!minutes_decimal) return std::nullopt;
  double whole = py_round(*minutes_decimal, 0);
  // Legacy: "int(round(m)) if m else None" — 0 minutes is NULL; kept (a
  // 0-minute active row has no playing time to report, and Phase 4 averages
  // skip NULL minutes).
  if (whole == 0) return std::nullopt;
  return whole;
}

std::optional<double> usage_rate(double fga, double fta, double tov, double minutes, double team_fga, double team_fta,
                                 double team_tov) {
  double team = team_fga + 0.44 * team_fta + team_tov;
  if (minutes <= 0 || team <= 0) return std::nullopt;
  return py_round(100.0 * (fga + 0.44 * fta + tov) * 48.0 / (minutes * team), 1);
}

std::optional<double> effective_fg(double fgm, double tpm, double fga) {
  if (fga <= 0) return std::nullopt;
  return py_round((fgm + 0.5 * tpm) / fga, 3);
}

std::string over_under(double points, double line) {
  // Legacy: 'OVER' if points >= line (a push counted as OVER). Fixed (DECISION
  // 6): a push is "PUSH".
  if (points > line) return "OVER";
  if (points < line) return "UNDER";
  return "PUSH";
}

namespace {

namespace pgs = cols::player_game_summary;
namespace gbps = cols::nbac_gamebook_player_stats;
namespace psz = cols::player_shot_zones;
namespace pprops = cols::odds_api_player_points_props;

/// "YYYYMMDD_AWAY_HOME" → {away, home}; empty strings when unparseable.
std::pair<std::string, std::string> teams_of_game_id(const std::string& gid) {
  auto a = gid.find('_');
  if (a == std::string::npos) return {};
  auto b = gid.find('_', a + 1);
  if (b == std::string::npos) return {};
  return {gid.substr(a + 1, b - a - 1), gid.substr(b + 1)};
}

int book_rank(const std::string& book) {
  if (book == "draftkings") return 1;
  if (book == "fanduel") return 2;
  return 3;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// detail::normalize_ts(a) < detail::normalize_ts(b) without building either
/// (the first 19 characters, 'T' read as ' '); nullptr reads as "".
bool ts_less(const std::string* a, const std::string* b) {
  const size_t na = a ? std::min<size_t>(a->size(), 19) : 0, nb = b ? std::min<size_t>(b->size(), 19) : 0;
  for (size_t i = 0; i < na && i < nb; ++i) {
    const auto ca = static_cast<unsigned char>((*a)[i] == 'T' ? ' ' : (*a)[i]);
    const auto cb = static_cast<unsigned char>((*b)[i] == 'T' ? ' ' : (*b)[i]);
    if (ca != cb) return ca < cb;
  }
  return na < nb;
}

/// A hash of interned-pointer keys.
struct PtrHash {
  size_t operator()(const std::pair<const std::string*, const std::string*>& k) const noexcept {
    const std::hash<const void*> h;
    return h(k.first) ^ (h(k.second) * 31);
  }
};

/// Interned (player_lookup, away, home) of a player-game.
struct PlayerGame {
  const std::string *player, *away, *home;
  bool operator==(const PlayerGame&) const = default;
};
struct PlayerGameHash {
  size_t operator()(const PlayerGame& k) const noexcept {
    const std::hash<const void*> h;
    return h(k.player) ^ (h(k.away) * 31) ^ (h(k.home) * 1031);
  }
};

/// The chosen line of one player-game: closing and opening of the chosen book
/// (interned, lower case).
struct ChosenLine {
  double closing = 0, opening = 0;
  const std::string* book = nullptr;
};
using LineIndex = std::unordered_map<PlayerGame, ChosenLine, PlayerGameHash>;

/// An eligible (pre-tip-off) snapshot of one book.
struct Snap {
  const std::string* book;  ///< interned, lower case
  const std::string* ts;    ///< the snapshot time text, nullptr when unknown
  double line;
};

/// The lower-case interned copy of an interned text (memoised in @p memo:
/// bookmakers, statuses).
const std::string* lowered(const std::string* book,
                           std::vector<std::pair<const std::string*, const std::string*>>& memo) {
  for (const auto& [raw, low] : memo) {
    if (raw == book) return low;
  }
  const std::string* low = intern(lower(*book));
  memo.emplace_back(book, low);
  return low;
}

/// The eligible snapshots with their player-game, in row order.
std::vector<std::pair<PlayerGame, Snap>> eligible_snaps(const Table& props) {
  const Column *line = &props.col(pprops::points_line), *player = &props.col(pprops::player_lookup);
  const Column *book = &props.col(pprops::bookmaker), *home_c = &props.col(pprops::home_team_abbr);
  const Column *away_c = &props.col(pprops::away_team_abbr), *gid = &props.col(pprops::game_id);
  const Column *snap_c = &props.col(pprops::snapshot_timestamp), *capture = &props.col(pprops::capture_timestamp);
  const Column *start_c = &props.col(pprops::game_start_time), *before_c = &props.col(pprops::minutes_before_tipoff);
  std::vector<std::pair<const std::string*, const std::string*>> books;
  std::vector<std::pair<PlayerGame, Snap>> snaps;
  for (size_t r = 0; r < props.num_rows(); ++r) {
    const std::string* p = proc::text_of(player, r);
    const std::string* b = proc::text_of(book, r);
    if (line->is_null(r) || !p || !b || p->empty()) continue;
    const std::string* home = proc::text_of(home_c, r);
    const std::string* away = proc::text_of(away_c, r);
    if (!home || !away) {
      const std::string* g = proc::text_of(gid, r);
      auto [a, h] = teams_of_game_id(g ? *g : std::string());
      if (!home) home = intern(h);
      if (!away) away = intern(a);
    }
    const std::string* snap = proc::text_of(snap_c, r);
    if (!snap) snap = proc::text_of(capture, r);
    const std::string* start = proc::text_of(start_c, r);
    const std::optional<int64_t> before = before_c->get_int(r);
    // Only pre-game snapshots qualify (closing line = latest snapshot ≤
    // tip-off).
    if (snap && start) {
      if (ts_less(start, snap)) continue;
    } else if (before && *before < 0) {
      continue;
    }
    snaps.emplace_back(PlayerGame{p, away, home}, Snap{lowered(b, books), snap, *line->get_real(r)});
  }
  return snaps;
}

/// select_points_lines with interned keys.
LineIndex choose_lines(const Table& props) {
  LineIndex out;
  std::vector<std::pair<PlayerGame, Snap>> snaps = eligible_snaps(props);
  // Player-games in an order of their interned pointers; each one's snapshots
  // in row order.
  auto key_less = [](const PlayerGame& x, const PlayerGame& y) {
    return std::less<>()(x.player, y.player) ||
           (x.player == y.player &&
            (std::less<>()(x.away, y.away) || (x.away == y.away && std::less<>()(x.home, y.home))));
  };
  proc::for_each_key_group(snaps, key_less, [&](const PlayerGame& key, const std::vector<Snap>& v) {
    // Legacy: an arbitrary (unordered) snapshot of the preferred book, opening
    // never filled. Fixed (DECISION 6, spec §10.3): DraftKings → FanDuel →
    // alphabetical; closing = latest snapshot ≤ tip-off; opening = earliest
    // snapshot of the same book.
    const std::string* best = nullptr;
    for (const Snap& s : v) {
      if (!best || book_rank(*s.book) < book_rank(*best) ||
          (book_rank(*s.book) == book_rank(*best) && *s.book < *best)) {
        best = s.book;
      }
    }
    // The first smallest and the last largest (time, line) snapshot of that
    // book (std::minmax_element).
    const Snap *lo = nullptr, *hi = nullptr;
    auto less = [](const Snap& a, const Snap& b) {
      if (ts_less(a.ts, b.ts)) return true;
      if (ts_less(b.ts, a.ts)) return false;
      return a.line < b.line;
    };
    for (const Snap& s : v) {
      if (s.book != best) continue;
      if (!lo || less(s, *lo)) lo = &s;
      if (!hi || !less(s, *hi)) hi = &s;
    }
    out.emplace(key, ChosenLine{hi->line, lo->line, best});
  });
  return out;
}

}  // namespace

std::map<std::string, PointsLine> select_points_lines(const Table& props) {
  std::map<std::string, PointsLine> out;
  for (const auto& [k, l] : choose_lines(props)) {
    out[*k.player + "|" + *k.away + "|" + *k.home] = PointsLine{l.closing, *l.book, l.opening, *l.book};
  }
  return out;
}

namespace {

const std::vector<std::string> kHashFields = {
    // ids
    "player_lookup", "universal_player_id", "player_full_name", "game_id", "game_date", "team_abbr",
    "opponent_team_abbr", "season_year",
    // 16 box stats
    "points", "minutes_played", "assists", "offensive_rebounds", "defensive_rebounds", "steals", "blocks", "turnovers",
    "fg_attempts", "fg_makes", "three_pt_attempts", "three_pt_makes", "ft_attempts", "ft_makes", "plus_minus",
    "personal_fouls",
    // 8 zone / block / and1
    "paint_attempts", "paint_makes", "mid_range_attempts", "mid_range_makes", "paint_blocks", "mid_range_blocks",
    "three_pt_blocks", "and1_count",
    // 2 creation
    "assisted_fg_makes", "unassisted_fg_makes",
    // efficiency + flags
    "usage_rate", "ts_pct", "efg_pct", "starter_flag", "win_flag",
    // 7 prop fields
    "points_line", "over_under_result", "margin", "opening_line", "line_movement", "points_line_source",
    "opening_line_source",
    // status
    "is_active", "player_status"};

/// Gamebook box columns copied as they are, and their PGS columns.
constexpr std::array<std::pair<ColumnId, ColumnId>, 15> kBoxCopy = {
    {{gbps::points, pgs::points},
     {gbps::assists, pgs::assists},
     {gbps::offensive_rebounds, pgs::offensive_rebounds},
     {gbps::defensive_rebounds, pgs::defensive_rebounds},
     {gbps::steals, pgs::steals},
     {gbps::blocks, pgs::blocks},
     {gbps::turnovers, pgs::turnovers},
     {gbps::field_goals_attempted, pgs::fg_attempts},
     {gbps::field_goals_made, pgs::fg_makes},
     {gbps::three_pointers_attempted, pgs::three_pt_attempts},
     {gbps::three_pointers_made, pgs::three_pt_makes},
     {gbps::free_throws_attempted, pgs::ft_attempts},
     {gbps::free_throws_made, pgs::ft_makes},
     {gbps::plus_minus, pgs::plus_minus},
     {gbps::personal_fouls, pgs::personal_fouls}}};
/// Player shot-zone columns copied as they are, and their PGS columns.
constexpr std::array<std::pair<ColumnId, ColumnId>, 10> kZoneCopy = {
    {{psz::paint_attempts, pgs::paint_attempts},
     {psz::paint_makes, pgs::paint_makes},
     {psz::mid_range_attempts, pgs::mid_range_attempts},
     {psz::mid_range_makes, pgs::mid_range_makes},
     {psz::assisted_makes, pgs::assisted_fg_makes},
     {psz::unassisted_makes, pgs::unassisted_fg_makes},
     // Legacy: block zones only for blockers who
     // also had a shot row. Our zone table is per
     // player, so every blocker with a row gets
     // values; NULL when the source has none.
     {psz::blocks_paint, pgs::paint_blocks},
     {psz::blocks_mid_range, pgs::mid_range_blocks},
     {psz::blocks_three_pt, pgs::three_pt_blocks},
     {psz::and1_count, pgs::and1_count}}};
/// The first kZoneAttempts of kZoneCopy are the attempts/makes/creation
/// columns set to 0 for a covered player without field goals.
constexpr size_t kZoneAttempts = 6;

/// The raw columns PGS reads (see detail::togs_team_box_columns).
const std::vector<std::string>& gamebook_columns() {
  static const std::vector<std::string> kColumns = [] {
    std::vector<std::string> c = detail::team_line_gamebook_columns();
    c.insert(c.end(),
             {"player_lookup", "player_name", "season_year", "minutes", "minutes_decimal", "blocks", "plus_minus"});
    return c;
  }();
  return kColumns;
}
const std::vector<std::string> kZoneColumns = [] {
  std::vector<std::string> c = {"game_date", "game_id", "player_lookup", "processed_at"};
  for (const auto& [from, to] : kZoneCopy) c.push_back(catalog::column(from).name);
  return c;
}();
const std::vector<std::string> kPropColumns = {
    "game_date",         "game_id",         "home_team_abbr",        "away_team_abbr",
    "player_lookup",     "bookmaker",       "points_line",           "snapshot_timestamp",
    "capture_timestamp", "game_start_time", "minutes_before_tipoff", "processed_at",
    "data_hash"};

/// One emitted player-game: its gamebook row, game (index into the date's
/// games) and interned player_lookup / game_id.
struct Pick {
  size_t row;
  size_t game;
  const std::string* lookup;
  const std::string* gid;
};

/// Orders picks as the strings "game_id|player_lookup" (the legacy output
/// order), building them only for ids of different lengths.
bool pick_less(const Pick& a, const Pick& b) {
  if (a.gid == b.gid) return *a.lookup < *b.lookup;
  if (a.gid->size() == b.gid->size()) return *a.gid < *b.gid;
  return *a.gid + "|" + *a.lookup < *b.gid + "|" + *b.lookup;
}

/// The day's games by interned id and by team (a gamebook row keyed by the
/// NBA id, legacy after 2025-12-28, is matched by its team).
struct DayGames {
  explicit DayGames(const std::vector<const Game*>& g) : games(g), slots(g) {}
  [[nodiscard]] std::optional<size_t> of(const std::string* gid, const std::string* team) const {
    for (size_t i = 0; i < games.size(); ++i) {
      if (slots.game_id(2 * i) == gid) return i;
    }
    for (size_t i = games.size(); i-- > 0;) {  // the last game of the team (map overwrite)
      if (slots.team(2 * i) == team || slots.team(2 * i + 1) == team) return i;
    }
    return std::nullopt;
  }
  const std::vector<const Game*>& games;
  detail::GameSlots slots;
};

/// Active rows, one per (game_id, player_lookup): the latest processed_at wins
/// (legacy only logged duplicates; the output key must stay unique). Failures
/// for rows that cannot be placed and for games without gamebook rows.
std::vector<Pick> pick_active_rows(const Table& gb, const DayGames& day, Date d, std::vector<EntityFailure>& failures) {
  const Column &gid_c = gb.col(gbps::game_id), &team_c = gb.col(gbps::team_abbr), &status = gb.col(gbps::player_status);
  const Column &lookup_c = gb.col(gbps::player_lookup), &name_c = gb.col(gbps::player_name),
               &pa = gb.col(gbps::processed_at);
  std::vector<Pick> picks;
  std::unordered_map<std::pair<const std::string*, const std::string*>, size_t, PtrHash> at;
  std::vector<bool> has_rows(day.games.size(), false);
  std::vector<std::pair<const std::string*, const std::string*>> statuses;  // raw → lower case
  static const std::string* const kActive = intern("active");
  for (size_t r = 0; r < gb.num_rows(); ++r) {
    const std::string *gid = gid_c.text_ptr(r), *team = team_c.text_ptr(r);  // NULL reads ""
    const std::optional<size_t> g = day.of(gid, team);
    if (g) has_rows[*g] = true;
    // Legacy: DNP and inactive rows are never emitted.
    if (lowered(status.text_ptr(r), statuses) != kActive) continue;
    const std::string* lookup = lookup_c.text_ptr(r);
    if (lookup->empty()) lookup = intern(player_lookup(name_c.text_at(r)));
    if (lookup->empty()) {
      failures.push_back({*gid + "|" + *team, "PROCESSING_ERROR", "gamebook row without a player name"});
      continue;
    }
    if (!g || (team != day.slots.team(2 * *g) && team != day.slots.team(2 * *g + 1))) {
      failures.push_back(
          {*lookup, "INCOMPLETE_UPSTREAM", "game " + *gid + " / team " + *team + " not in the schedule of " + d.iso()});
      continue;
    }
    const Pick p{r, *g, lookup, day.slots.game_id(2 * *g)};
    auto [it, fresh] = at.try_emplace({p.gid, lookup}, picks.size());
    if (fresh) {
      picks.push_back(p);
    } else if (pa.text_at(r) > pa.text_at(picks[it->second].row)) {  // NULL reads ""
      picks[it->second] = p;
    }
  }
  for (size_t i = 0; i < day.games.size(); ++i) {
    if (has_rows[i]) continue;
    const std::string& gid = *day.slots.game_id(2 * i);
    failures.push_back({gid, "INCOMPLETE_UPSTREAM", "no gamebook rows for " + gid});
  }
  std::sort(picks.begin(), picks.end(), pick_less);
  return picks;
}

/// Shot zones per player-game (latest processed_at per key; NULL reads "")
/// and the games the source covers.
struct ZoneIndex {
  explicit ZoneIndex(const Table& z) {
    const Column &gid = z.col(psz::game_id), &player = z.col(psz::player_lookup), &pa = z.col(psz::processed_at);
    for (size_t r = 0; r < z.num_rows(); ++r) {
      if (std::find(games.begin(), games.end(), gid.text_ptr(r)) == games.end()) games.push_back(gid.text_ptr(r));
      auto [it, fresh] = rows.try_emplace({gid.text_ptr(r), player.text_ptr(r)}, r);
      if (!fresh && pa.text_at(r) > pa.text_at(it->second)) it->second = r;
    }
  }
  [[nodiscard]] bool covers(const std::string* gid) const {
    return std::find(games.begin(), games.end(), gid) != games.end();
  }
  std::unordered_map<std::pair<const std::string*, const std::string*>, size_t, PtrHash> rows;
  std::vector<const std::string*> games;
};

/// Input and output columns PGS copies or writes per row, resolved once per
/// unit.
struct PgsColumns {
  PgsColumns(Table& t, const Table& gb, const Table& z)
      : player(t.col(pgs::player_lookup)),
        upid(t.col(pgs::universal_player_id)),
        name(t.col(pgs::player_full_name)),
        game_id(t.col(pgs::game_id)),
        date(t.col(pgs::game_date)),
        team(t.col(pgs::team_abbr)),
        opp(t.col(pgs::opponent_team_abbr)),
        season(t.col(pgs::season_year)),
        minutes(t.col(pgs::minutes_played)),
        zones_estimated(t.col(pgs::shot_zones_estimated)),
        usage(t.col(pgs::usage_rate)),
        ts(t.col(pgs::ts_pct)),
        efg(t.col(pgs::efg_pct)),
        starter(t.col(pgs::starter_flag)),
        win(t.col(pgs::win_flag)),
        line(t.col(pgs::points_line)),
        line_source(t.col(pgs::points_line_source)),
        opening(t.col(pgs::opening_line)),
        opening_source(t.col(pgs::opening_line_source)),
        movement(t.col(pgs::line_movement)),
        over_under(t.col(pgs::over_under_result)),
        margin(t.col(pgs::margin)),
        gb_team(gb.col(gbps::team_abbr)),
        gb_name(gb.col(gbps::player_name)),
        gb_season(gb.col(gbps::season_year)),
        gb_minutes(gb.col(gbps::minutes)),
        gb_minutes_decimal(gb.col(gbps::minutes_decimal)) {
    for (size_t k = 0; k < kBoxCopy.size(); ++k) box[k] = {&gb.col(kBoxCopy[k].first), &t.col(kBoxCopy[k].second)};
    for (size_t k = 0; k < kZoneCopy.size(); ++k) zone[k] = {&z.col(kZoneCopy[k].first), &t.col(kZoneCopy[k].second)};
  }
  Column &player, &upid, &name, &game_id, &date, &team, &opp, &season, &minutes, &zones_estimated, &usage, &ts, &efg,
      &starter, &win, &line, &line_source, &opening, &opening_source, &movement, &over_under, &margin;
  const Column &gb_team, &gb_name, &gb_season, &gb_minutes, &gb_minutes_decimal;
  std::array<std::pair<const Column*, Column*>, kBoxCopy.size()> box{};    ///< gamebook → PGS
  std::array<std::pair<const Column*, Column*>, kZoneCopy.size()> zone{};  ///< zones → PGS
};

/// The gamebook box of one row (NULL stays NULL — the shots-only importer
/// fills only FGM/FGA/3PM/3PA).
struct BoxLine {
  std::optional<int64_t> pts, fga, fgm, tpm, fta, tov;
  std::optional<double> minutes;
};

/// What decides a PGS row's quality/source block (a handful of values per
/// date).
struct BlockFacts {
  bool partial = false, zones_unavailable = false, win_unknown = false;
  bool zone_source = false;  ///< a player_shot_zones row was used
  uint8_t team = 0;          ///< usage's team line: 0 none, 1 reconstructed, 2 team box
  bool odds = false;
  [[nodiscard]] uint32_t key() const {
    return (partial ? 1U : 0U) | (zones_unavailable ? 2U : 0U) | (win_unknown ? 4U : 0U) | (zone_source ? 8U : 0U) |
           (uint32_t{team} << 4) | (odds ? 64U : 0U);
  }
};

/// The day's run-level source blocks (§9): PGS expected counts nbac 200, odds
/// 100. player_shot_zones replaces BigDataBall (source_bbd_*): its legacy
/// expectation (2000 PBP events) does not apply to one row per player-game, so
/// completeness stays NULL. BDL, NBA.com PBP and BettingPros are not read →
/// NULL.
struct Sources {
  detail::SourceBlock nbac, bbd, odds;
};

const std::vector<std::string> kBlockColumns = [] {
  std::vector<std::string> c = detail::quality_columns();
  c.insert(c.end(), {"is_active", "player_status", "primary_source_used", "processed_with_issues",
                     "quality_used_fallback", "quality_reconstructed", "quality_metadata"});
  for (const char* prefix : {"nbac", "bbd", "odds"}) {
    for (const char* field : {"_last_updated", "_rows_found", "_completeness_pct", "_hash"}) {
      c.push_back(std::string("source_") + prefix + field);
    }
  }
  return c;
}();

void render_block(Table& t, size_t r, const BlockFacts& f, const Sources& src) {
  t.set(r, pgs::is_active, true);
  t.set(r, pgs::player_status, "active");
  detail::write_source_block(t, r, "nbac", src.nbac);
  detail::write_source_block(t, r, "bbd", src.bbd);
  detail::write_source_block(t, r, "odds", src.odds);
  std::vector<std::string> issues;
  if (f.partial) issues.emplace_back("partial_box_score");
  if (f.zones_unavailable) issues.emplace_back("shot_zones_unavailable");
  if (f.win_unknown) issues.emplace_back("win_flag_unknown");
  std::vector<std::string> sources = {"nbac_gamebook"};
  if (f.zone_source) sources.emplace_back("player_shot_zones");
  if (f.team != 0) sources.emplace_back(f.team == 1 ? "reconstructed_team_from_players" : "nbac_team_boxscore");
  if (f.odds) sources.emplace_back("odds_api_player_points_props");
  // Legacy: gamebook rows gold/100 with no issues. Partial box scores
  // (shots-only import) are downgraded to bronze so consumers can tell them
  // apart.
  proc::Quality q;
  q.tier = f.partial ? "bronze" : "gold";
  q.score = f.partial ? 60.0 : 100.0;
  q.issues = issues;
  q.sources = sources;
  proc::write_quality(t, r, q);
  t.set(r, pgs::primary_source_used, "nbac_gamebook");
  t.set(r, pgs::processed_with_issues, !issues.empty());
  t.set(r, pgs::quality_used_fallback, false);  // no BDL fallback path in this project
  t.set(r, pgs::quality_reconstructed, false);
  // quality_sample_size: NULL as in the legacy (a single game).
  // quality_calculated_at: NULL — processors never read the clock;
  // processed_at (stamped by the runner) carries the time.
  t.set(r, pgs::quality_metadata,
        std::string("{\"early_season\": false, \"sources_used\": ") + proc::json_array(sources) + "}");
  // source_bdl_*, source_nbac_pbp_*, source_bp_*: sources this project does
  // not read → NULL.
}

/// Ids and the gamebook box score of one row. @return the box values the
/// formulas use.
BoxLine write_ids_and_box(const PgsColumns& c, size_t r, const Pick& p, const Game& g, const std::string* opp, Date d) {
  const size_t g_r = p.row;
  c.player.set_text_ptr(r, p.lookup);
  // No player registry in this project: the registry's first-assignment
  // format "<lookup>_001" (collisions, which got _002, are not detected).
  c.upid.set_text(r, *p.lookup + "_001");
  if (!c.gb_name.is_null(g_r)) c.name.set_text_ptr(r, c.gb_name.text_ptr(g_r));
  c.game_id.set_text_ptr(r, p.gid);
  c.date.set_int(r, int64_t{d.days()});
  c.team.set_text_ptr(r, c.gb_team.text_ptr(g_r));
  c.opp.set_text_ptr(r, opp);
  c.season.set_int(r, c.gb_season.get_int(g_r).value_or(g.season));
  for (const auto& [from, to] : c.box) to->set_int(r, from->get_int(g_r));
  BoxLine b;  // indices into kBoxCopy
  b.pts = c.box[0].first->get_int(g_r);
  b.tov = c.box[6].first->get_int(g_r);
  b.fga = c.box[7].first->get_int(g_r);
  b.fgm = c.box[8].first->get_int(g_r);
  b.tpm = c.box[10].first->get_int(g_r);
  b.fta = c.box[11].first->get_int(g_r);
  b.minutes = pgs_minutes_decimal(c.gb_minutes.get_text(g_r));
  if (!b.minutes) b.minutes = c.gb_minutes_decimal.get_real(g_r);
  // Schema NUMERIC(5,1), but the legacy wrote whole minutes (spec §3,
  // §10.16): kept for parity.
  c.minutes.set_real(r, pgs_minutes_played(b.minutes));
  return b;
}

/// Shot zones of one row.
void write_zones(const PgsColumns& c, size_t r, const Pick& p, const ZoneIndex& zones, const BoxLine& b,
                 BlockFacts& f) {
  if (auto it = zones.rows.find({p.gid, p.lookup}); it != zones.rows.end()) {
    for (const auto& [from, to] : c.zone) to->set_int(r, from->get_int(it->second));
    f.zone_source = true;
  } else if (zones.covers(p.gid) && b.fga && *b.fga == 0) {
    // Legacy: NULL for a player without shot rows. The source covers this
    // game and the player took no field goal, so his zone attempts/makes are
    // 0, not unknown. Blocks/and-ones stay NULL.
    for (size_t k = 0; k < kZoneAttempts; ++k) c.zone[k].second->set_int(r, int64_t{0});
  } else {
    f.zones_unavailable = true;
    return;
  }
  // Zones come from made/attempted shot locations, not estimates; NULL when
  // there are none.
  c.zones_estimated.set_int(r, int64_t{0});
}

/// Usage, TS%, eFG%, the starter proxy and the win flag of one row; @p tl the
/// team's line, @p ol the opponent's (nullptr when unknown).
void write_efficiency(const PgsColumns& c, size_t r, const BoxLine& b, const detail::TeamLine* tl,
                      const detail::TeamLine* ol, std::optional<bool> schedule_win, BlockFacts& f) {
  // Usage rate needs the team's FGA/FTA/TOV: the same-date team box, else the
  // sum of the team's active gamebook rows (PGS does not depend on TOGS
  // having run).
  if (tl && b.fga && b.tov && b.minutes && tl->fga && tl->fta && tl->tov) {
    // Legacy: "round(u, 1) if u else None" turned 0 into NULL; we keep a real
    // 0 (DECISION 6).
    c.usage.set_real(r, usage_rate(static_cast<double>(*b.fga), static_cast<double>(b.fta.value_or(0)),
                                   static_cast<double>(*b.tov), *b.minutes, static_cast<double>(*tl->fga),
                                   static_cast<double>(*tl->fta), static_cast<double>(*tl->tov)));
    f.team = tl->reconstructed ? 1 : 2;
  }
  // Legacy: TS% only when FGA > 0 (FGA = 0 with free throws → NULL); kept.
  if (b.pts && b.fga && *b.fga > 0 && b.fta) {
    c.ts.set_real(r,
                  true_shooting(static_cast<double>(*b.pts), static_cast<double>(*b.fga), static_cast<double>(*b.fta)));
  }
  if (b.fga && b.fgm && b.tpm) {
    c.efg.set_real(r,
                   effective_fg(static_cast<double>(*b.fgm), static_cast<double>(*b.tpm), static_cast<double>(*b.fga)));
  }
  // Legacy proxy for starters (the gamebook has no starter flag): more than
  // 20 minutes.
  c.starter.set_int(r, int64_t{b.minutes.has_value() && *b.minutes > 20.0 ? 1 : 0});
  // Legacy: win_flag hard-coded FALSE. Fixed (DECISION 6, §10.2): from the
  // final scores — the schedule's, else the day's team lines. The column is
  // NOT NULL: FALSE plus an issue when unknown.
  std::optional<bool> win = schedule_win;
  if (!win && tl && ol && tl->pts && ol->pts) win = *tl->pts > *ol->pts;
  f.win_unknown = !win;
  c.win.set_int(r, int64_t{win.value_or(false) ? 1 : 0});
}

/// The points prop of one row.
void write_prop(const PgsColumns& c, size_t r, const ChosenLine& pl, std::optional<int64_t> pts) {
  c.line.set_real(r, pl.closing);
  c.line_source.set_text_ptr(r, pl.book);
  c.opening.set_real(r, pl.opening);
  c.opening_source.set_text_ptr(r, pl.book);
  c.movement.set_real(r, py_round(pl.closing - pl.opening, 1));
  if (pts) {
    c.over_under.set_text(r, over_under(static_cast<double>(*pts), pl.closing));
    c.margin.set_real(r, py_round(static_cast<double>(*pts) - pl.closing, 2));
  }
}

/// Everything a date's rows are computed from.
struct DayInputs {
  const DayGames& day;
  std::vector<const detail::TeamLine*> lines;  ///< per game slot (nullptr: no line)
  const ZoneIndex& zones;
  const LineIndex& props;
  Sources sources;
};

void write_player_row(Table& t, size_t r, const PgsColumns& c, detail::BlockMemo& memo, const DayInputs& in,
                      const Pick& p, Date d) {
  const Game& g = *in.day.games[p.game];
  const std::string* team = c.gb_team.text_ptr(p.row);
  const bool home = team == in.day.slots.team(2 * p.game);
  const std::string* opp = in.day.slots.team(2 * p.game + (home ? 1 : 0));
  BlockFacts f;
  const BoxLine b = write_ids_and_box(c, r, p, g, opp, d);
  f.partial = !b.pts || !b.minutes;
  write_zones(c, r, p, in.zones, b, f);
  std::optional<bool> schedule_win;
  if (g.home_score && g.away_score) schedule_win = home ? *g.home_score > *g.away_score : *g.away_score > *g.home_score;
  const detail::TeamLine* tl = in.lines[2 * p.game + (home ? 0 : 1)];
  const detail::TeamLine* ol = schedule_win ? nullptr : in.lines[2 * p.game + (home ? 1 : 0)];
  write_efficiency(c, r, b, tl, ol, schedule_win, f);
  const std::string* away = in.day.slots.team(2 * p.game + 1);
  const std::string* home_team = in.day.slots.team(2 * p.game);
  if (auto it = in.props.find(PlayerGame{p.lookup, away, home_team}); it != in.props.end()) {
    write_prop(c, r, it->second, b.pts);
    f.odds = true;
  }
  memo.write(t, r, f.key(), [&](Table& s, size_t sr) { render_block(s, sr, f, in.sources); });
}

}  // namespace

UnitOutput compute_player_game_summary(const Schedule& schedule, Date d, const PlayerGameInputs& in) {
  const TableSchema& schema = catalog::get("nba_analytics.player_game_summary");
  UnitOutput out(schema);
  auto games = schedule.games_on(d);
  if (games.empty()) {
    out.empty_reason = "no games on " + d.iso();
    return out;
  }
  const DayGames day(games);
  const std::vector<Pick> picks = pick_active_rows(in.gamebook, day, d, out.failures);
  const detail::DateTeamLines lines = detail::build_team_lines(in.team_box, in.gamebook);
  const ZoneIndex zones(in.shot_zones);
  const LineIndex props = choose_lines(in.props);
  DayInputs inputs{day,
                   {},
                   zones,
                   props,
                   Sources{detail::source_block(in.gamebook, 200), detail::source_block(in.shot_zones, 0),
                           detail::source_block(in.props, 100)}};
  for (size_t s = 0; s < day.slots.size(); ++s) {
    inputs.lines.push_back(lines.find(*day.slots.game_id(s), *day.slots.team(s)));
  }
  Table& t = out.rows;
  t.resize(picks.size());
  const PgsColumns cols(t, in.gamebook, in.shot_zones);
  detail::BlockMemo memo(t, kBlockColumns);
  for (size_t r = 0; r < picks.size(); ++r) write_player_row(t, r, cols, memo, inputs, picks[r], d);
  proc::fill_data_hash(t, kHashFields);
  out.entities_processed = static_cast<int64_t>(t.num_rows());
  if (t.num_rows() == 0 && out.empty_reason.empty()) out.empty_reason = "no active gamebook rows for " + d.iso();
  return out;
}

namespace {

const ProcessorInfo kInfo{
    .name = "player_game_summary",
    .code = "pgs",
    .phase = 3,
    .output_table = "nba_analytics.player_game_summary",
    .entity = "players",
    // Team totals for usage come from the same-date team box (or the players),
    // not from TOGS.
    .reads = {{"nba_raw.nbac_gamebook_player_stats", WindowKind::kSameDate, 0, true, gamebook_columns()},
              {"nba_raw.nbac_team_boxscore", WindowKind::kSameDate, 0, false, detail::team_line_box_columns()},
              {"nba_raw.player_shot_zones", WindowKind::kSameDate, 0, false, kZoneColumns},
              {"nba_raw.odds_api_player_points_props", WindowKind::kSameDate, 0, false, kPropColumns}},
    .legacy_job = "player_game_summary",
    .description =
        "Player box score per game: efficiency, usage, shot "
        "zones, points-prop outcome"};

class PlayerGameSummaryProcessor final : public Processor {
 public:
  const ProcessorInfo& info() const override { return kInfo; }
  UnitOutput run(const UnitContext& ctx) const override {
    const Date d = ctx.date;
    Table gb = proc::read_window(ctx, "nba_raw.nbac_gamebook_player_stats", d, d, gamebook_columns());
    Table box = proc::read_window(ctx, "nba_raw.nbac_team_boxscore", d, d, detail::team_line_box_columns());
    Table zones = proc::read_window(ctx, "nba_raw.player_shot_zones", d, d, kZoneColumns);
    Table props = proc::read_window(ctx, "nba_raw.odds_api_player_points_props", d, d, kPropColumns);
    return compute_player_game_summary(ctx.schedule, ctx.date, {gb, box, zones, props});
  }
};

}  // namespace

std::unique_ptr<Processor> make_player_game_summary_processor() {
  return std::make_unique<PlayerGameSummaryProcessor>();
}

}  // namespace nbaprops::analytics
