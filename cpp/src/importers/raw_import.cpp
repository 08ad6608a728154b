// The raw (data-lake) import driver: the kinds, file enumeration by the legacy
// path patterns, newest-file-wins, checks, one all-or-nothing write and the
// run-ledger rows.
#include <tbb/parallel_for.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <map>
#include <set>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/table.hpp"
#include "nbaprops/importers/raw.hpp"
#include "nbaprops/importers/validate.hpp"
#include "nbaprops/io/object_store.hpp"
#include "raw_internal.hpp"

namespace nbaprops::importers {
namespace {

namespace ledger = cols::run_ledger;

using raw::Checks;
using raw::Parsed;
using raw::Where;

enum class Pick { kNewestPerFolder, kEveryFile };

/// Everything the driver needs about a kind beyond the public RawSource.
struct KindDef {
  RawSource src;
  Parsed (*parse)(const std::string&, const std::string&, const Schedule&);
  Pick pick;
  std::vector<std::string> duplicate_key;  ///< two rows with equal values here are an error
  std::vector<std::string> hash_fields;    ///< the legacy HASH_FIELDS of the table
  Checks checks;
};

// Plausible ranges: generous bounds that only catch broken parses and unit
// mix-ups (a record NBA game has 100 points by one player, 73 minutes in 6OT;
// 186 team points).

KindDef gamebook_kind() {
  return {{"gamebook",
           "nba_raw.nbac_gamebook_player_stats",
           "NbacGamebookProcessor",
           "nbac_gamebook",
           {"nba-com/gamebooks-data/"},
           false,
           {"game_id"},
           "the newest file (by its timestamp name) of each game folder "
           "{date}/{YYYYMMDD-AWAYHOME}/"},
          &raw::parse_gamebook,
          Pick::kNewestPerFolder,
          {"game_id", "team_abbr", "player_lookup"},
          {"game_id", "player_lookup", "minutes", "field_goals_made", "field_goals_attempted", "points",
           "total_rebounds", "assists"},
          {{{"points", 0, 100},
            {"minutes_decimal", 0, 75},
            {"field_goals_made", 0, 40},
            {"field_goals_attempted", 0, 70},
            {"three_pointers_made", 0, 25},
            {"three_pointers_attempted", 0, 40},
            {"free_throws_made", 0, 40},
            {"free_throws_attempted", 0, 50},
            {"offensive_rebounds", 0, 25},
            {"defensive_rebounds", 0, 35},
            {"total_rebounds", 0, 55},
            {"assists", 0, 35},
            {"steals", 0, 15},
            {"blocks", 0, 20},
            {"turnovers", 0, 20},
            {"personal_fouls", 0, 6},
            {"plus_minus", -80, 80},
            {"field_goal_percentage", 0, 1},
            {"three_point_percentage", 0, 1},
            {"free_throw_percentage", 0, 1}},
           {{"field_goals_made", "field_goals_attempted"},
            {"three_pointers_made", "three_pointers_attempted"},
            {"free_throws_made", "free_throws_attempted"},
            {"three_pointers_made", "field_goals_made"}}}};
}

KindDef team_boxscore_kind() {
  return {{"team-boxscore",
           "nba_raw.nbac_team_boxscore",
           "NbacTeamBoxscoreProcessor",
           "nbac_team_boxscore",
           {"nba-com/team-boxscore/"},
           true,
           {"game_id"},
           "the newest file of each game folder {YYYYMMDD}/{nba_game_id}/"},
          &raw::parse_team_boxscore,
          Pick::kNewestPerFolder,
          {"game_id", "team_abbr"},
          {"game_id", "team_abbr", "is_home", "fg_made", "fg_attempted", "three_pt_made", "three_pt_attempted",
           "ft_made", "ft_attempted", "offensive_rebounds", "defensive_rebounds", "total_rebounds", "assists", "steals",
           "blocks", "turnovers", "personal_fouls", "points", "plus_minus"},
          {{{"points", 30, 250},
            {"fg_made", 0, 100},
            {"fg_attempted", 20, 160},
            {"three_pt_made", 0, 40},
            {"three_pt_attempted", 0, 90},
            {"ft_made", 0, 70},
            {"ft_attempted", 0, 90},
            {"total_rebounds", 0, 110},
            {"assists", 0, 70},
            {"steals", 0, 40},
            {"blocks", 0, 40},
            {"turnovers", 0, 50},
            {"personal_fouls", 0, 70},
            {"plus_minus", -100, 100},
            {"fg_percentage", 0, 1},
            {"three_pt_percentage", 0, 1},
            {"ft_percentage", 0, 1}},
           {{"fg_made", "fg_attempted"},
            {"three_pt_made", "three_pt_attempted"},
            {"ft_made", "ft_attempted"},
            {"three_pt_made", "fg_made"}}}};
}

KindDef props_kind() {
  return {{"props",
           "nba_raw.odds_api_player_points_props",
           "OddsApiPropsProcessor",
           "odds_api_props",
           {"odds-api/player-props-history/", "odds-api/player-props/"},
           false,
           {"game_id", "snapshot_timestamp"},
           "every snapshot file of {date}/{event_id}-{AWAYHOME}/ under both "
           "prefixes"},
          &raw::parse_player_props,
          Pick::kEveryFile,
          {"game_id", "bookmaker", "player_lookup", "snapshot_timestamp"},
          {"player_lookup", "game_date", "game_id", "bookmaker", "points_line", "snapshot_timestamp"},
          {{{"points_line", 0, 100},
            {"over_price", 1.001, 1000},
            {"under_price", 1.001, 1000},
            {"minutes_before_tipoff", -60 * 24 * 2, 60 * 24 * 30}},
           {}}};
}

KindDef game_lines_kind() {
  return {
      {"game-lines",
       "nba_raw.odds_api_game_lines",
       "OddsGameLinesProcessor",
       "odds_game_lines",
       {"odds-api/game-lines-history/", "odds-api/game-lines/"},
       false,
       {"game_id", "snapshot_timestamp"},
       "the newest snapshot file of each event folder "
       "{date}/{event_id}-{AWAYHOME}/ (--all-snapshots: every one)"},
      &raw::parse_game_lines,
      Pick::kNewestPerFolder,
      {"game_id", "snapshot_timestamp", "bookmaker_key", "market_key", "outcome_name"},
      {"game_id", "game_date", "bookmaker_key", "market_key", "outcome_name", "outcome_point", "snapshot_timestamp"},
      {{{"outcome_price", 1.001, 1000}, {"outcome_point", -100, 400}}, {}}};
}

KindDef injury_report_kind() {
  return {{"injury-report",
           "nba_raw.nbac_injury_report",
           "NbacInjuryReportProcessor",
           "nbac_injury_report",
           {"nba-com/injury-report-data/"},
           false,
           {"report_date", "report_hour"},
           "the newest file of each hour folder {date}/{HH}/ (every hourly report "
           "is kept)"},
          &raw::parse_injury_report,
          Pick::kNewestPerFolder,
          {"report_date", "report_hour", "game_id", "player_lookup"},
          {"player_lookup", "team", "game_date", "game_id", "injury_status", "reason", "reason_category"},
          {{{"report_hour", 0, 23}, {"confidence_score", 0, 1}, {"overall_report_confidence", 0, 1}}, {}}};
}

KindDef bdl_boxscores_kind() {
  return {{"bdl-boxscores",
           "nba_raw.bdl_player_boxscores",
           "BdlBoxscoresProcessor",
           "bdl_boxscores",
           {"ball-dont-lie/boxscores/"},
           false,
           {"game_id"},
           "every file of {date}/; the newest file wins for a game several files "
           "cover"},
          &raw::parse_bdl_boxscores,
          Pick::kEveryFile,
          {"game_id", "player_lookup"},
          {"game_id", "player_lookup", "points", "rebounds", "assists", "field_goals_made", "field_goals_attempted"},
          {{{"points", 0, 100},
            {"rebounds", 0, 55},
            {"assists", 0, 35},
            {"offensive_rebounds", 0, 25},
            {"defensive_rebounds", 0, 35},
            {"steals", 0, 15},
            {"blocks", 0, 20},
            {"turnovers", 0, 20},
            {"personal_fouls", 0, 6},
            {"field_goals_attempted", 0, 70},
            {"three_pointers_attempted", 0, 40},
            {"free_throws_attempted", 0, 50},
            {"field_goal_pct", 0, 1},
            {"three_point_pct", 0, 1},
            {"free_throw_pct", 0, 1}},
           {{"field_goals_made", "field_goals_attempted"},
            {"three_pointers_made", "three_pointers_attempted"},
            {"free_throws_made", "free_throws_attempted"},
            {"three_pointers_made", "field_goals_made"}}}};
}

/// The /stats endpoint: same table, same rules as the /boxscores files,
/// different layout and folder (the folder date is the scrape date; games carry
/// their own dates).
KindDef bdl_stats_kind() {
  KindDef stats = bdl_boxscores_kind();
  stats.src = {"bdl-stats",
               "nba_raw.bdl_player_boxscores",
               "BdlPlayerBoxScoresProcessor",
               "bdl_player_box_scores",
               {"ball-dont-lie/player-box-scores/"},
               false,
               {"game_id"},
               "every file of {scrape date}/; games carry their own dates; "
               "the newest file wins per game"};
  stats.parse = &raw::parse_bdl_stats;
  return stats;
}

const std::vector<KindDef>& kinds() {
  static const std::vector<KindDef> all = {gamebook_kind(),   team_boxscore_kind(), props_kind(),
                                           game_lines_kind(), injury_report_kind(), bdl_boxscores_kind(),
                                           bdl_stats_kind()};
  return all;
}

const KindDef& kind_def(const std::string& kind) {
  for (const KindDef& d : kinds()) {
    if (d.src.kind == kind) return d;
  }
  std::string names;
  for (const KindDef& d : kinds()) names += (names.empty() ? "" : ", ") + d.src.kind;
  throw ConfigError("unknown raw import kind '" + kind + "' (supported: " + names + ")");
}

bool is_json_file(const std::string& path) {
  auto ends = [&](const char* s) {
    const std::string suf(s);
    return path.size() >= suf.size() && path.compare(path.size() - suf.size(), suf.size(), suf) == 0;
  };
  return ends(".json") || ends(".json.gz");
}

/// A file chosen for import.
struct Chosen {
  std::string rel;      ///< path relative to the store ("" for a single file)
  std::string display;  ///< full path / URL: messages and source_file_path
  std::string newness;  ///< larger = newer (file-name stamp, else update time,
                        ///< then path)
};

std::string newness_of(const io::ObjectInfo& o) {
  const raw::LakePath lp = raw::parse_lake_path(o.path);
  return (lp.stamp.empty() ? o.updated : lp.stamp) + "|" + o.path;
}

std::string join_path(const std::string& root, const std::string& rel) {
  if (root.empty()) return rel;
  return root.back() == '/' ? root + rel : root + "/" + rel;
}

/// Lists the files of @p def for @p dates (all dates when empty) and applies
/// the kind's pick rule.
std::vector<Chosen> enumerate(io::ObjectStore& store, const KindDef& def, const std::vector<Date>& dates,
                              bool all_snapshots) {
  std::vector<io::ObjectInfo> found;
  const std::set<Date> wanted(dates.begin(), dates.end());
  for (const std::string& prefix : def.src.prefixes) {
    std::vector<std::string> lists;
    if (dates.empty()) {
      lists.push_back(prefix);
    } else {
      for (Date d : dates) {
        // The folder format the scrapers write; team box scores were written
        // both ways.
        lists.push_back(prefix + d.iso() + "/");
        if (def.src.compact_date) lists.push_back(prefix + d.compact() + "/");
      }
    }
    for (const std::string& l : lists) {
      for (io::ObjectInfo& o : store.list(l)) {
        if (!is_json_file(o.path)) continue;
        const raw::LakePath lp = raw::parse_lake_path(o.path.substr(prefix.size()));
        if (!lp.date || (!wanted.empty() && !wanted.count(*lp.date))) continue;
        found.push_back(std::move(o));
      }
    }
  }
  const bool newest_only = def.pick == Pick::kNewestPerFolder && !(def.src.kind == "game-lines" && all_snapshots);
  std::map<std::string, const io::ObjectInfo*> best;  // folder (or file) → newest file
  for (const io::ObjectInfo& o : found) {
    const std::string dir = o.path.substr(0, o.path.rfind('/') + 1);
    const raw::LakePath lp = raw::parse_lake_path(o.path);
    // A file directly in the date folder (older layout, no game/hour folder) is
    // its own group.
    const std::string group = newest_only && !lp.group.empty() ? dir : o.path;
    auto [it, inserted] = best.emplace(group, &o);
    if (!inserted && newness_of(o) > newness_of(*it->second)) it->second = &o;
  }
  std::vector<Chosen> out;
  out.reserve(best.size());
  for (const auto& [group, o] : best) out.push_back({o->path, join_path(store.uri(), o->path), newness_of(*o)});
  std::sort(out.begin(), out.end(), [](const Chosen& a, const Chosen& b) { return a.rel < b.rel; });
  return out;
}

std::string key_text(const Table& t, size_t r, const std::vector<size_t>& cols) {
  std::string k;
  for (size_t c : cols) {
    k += t.cell_text(r, c);
    k.push_back('\x1f');
  }
  return k;
}

std::vector<size_t> column_indexes(const Table& t, const std::vector<std::string>& names) {
  std::vector<size_t> out;
  out.reserve(names.size());
  for (const std::string& n : names) out.push_back(t.require(n));
  return out;
}

std::string make_run_id(const std::string& kind) {
  std::string stamp = iso_timestamp_now(true);
  std::string compact;
  for (char c : stamp.substr(0, 19)) {
    if (std::isdigit(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  return "raw_" + kind + "_" + compact.substr(0, 8) + "_" + compact.substr(8);
}

void write_ledger(Warehouse& wh, const RawImportResult& res, const std::string& status_if_rows,
                  const std::string& error, const std::string& started, double seconds,
                  const std::string& fingerprint) {
  const TableSchema& schema = catalog::get("nba_orchestration.run_ledger");
  Table t(schema);
  std::set<Date> dates(res.dates.begin(), res.dates.end());
  for (const auto& [d, n] : res.rows_by_date) dates.insert(d);
  const std::string finished = iso_timestamp_now(true);
  for (Date d : dates) {
    const size_t r = t.add_row();
    auto it = res.rows_by_date.find(d);
    const int64_t rows = it == res.rows_by_date.end() ? 0 : it->second;
    t.set(r, ledger::run_id, res.run_id);
    t.set(r, ledger::processor, "raw." + res.kind);
    t.set(r, ledger::output_table, res.table);
    t.set(r, ledger::unit_date, d);
    if (!error.empty()) {
      t.set(r, ledger::status, "failed");
      t.set(r, ledger::rows_written, int64_t{0});
      t.set(r, ledger::reason, utf8_clip(error, 2000));  // stored text stays valid UTF-8
    } else {
      t.set(r, ledger::status, rows > 0 ? status_if_rows : "empty");
      t.set(r, ledger::rows_written, rows);
      if (rows == 0)
        t.set(r, ledger::reason,
              "no rows: no file for this date, or files without rows "
              "(exhibition, empty)");
    }
    t.set(r, ledger::attempts, int64_t{1});
    t.set(r, ledger::input_fingerprint, fingerprint);
    t.set(r, ledger::duration_ms, seconds * 1000.0);
    t.set(r, ledger::started_at, started);
    t.set(r, ledger::finished_at, finished);
  }
  if (t.num_rows() == 0) return;
  try {
    wh.append(schema, t);
  } catch (const std::exception& e) {
    NBAPROPS_LOG_WARN << "run ledger append failed for raw." << res.kind << ": " << e.what();
  }
}

}  // namespace

const std::vector<RawSource>& raw_sources() {
  static const std::vector<RawSource> v = [] {
    std::vector<RawSource> out;
    for (const KindDef& d : kinds()) out.push_back(d.src);
    return out;
  }();
  return v;
}

const RawSource& raw_source(const std::string& kind) { return kind_def(kind).src; }

Table parse_raw_file(const std::string& kind, const std::string& text, const std::string& path,
                     const Schedule& schedule) {
  const KindDef& def = kind_def(kind);
  Parsed p = def.parse(text, path, schedule);
  raw::run_checks(p.rows, p.where, def.checks);
  fill_data_hash(p.rows, def.hash_fields);
  return std::move(p.rows);
}

namespace {

/// The files of @p source: one file, or the kind's files of a lake directory or
/// bucket (@p store receives the opened store).
std::vector<Chosen> source_files(const std::string& source, const KindDef& def, const RawImportOptions& opts,
                                 std::unique_ptr<io::ObjectStore>& store) {
  std::error_code ec;
  if (source.find("://") == std::string::npos && std::filesystem::is_regular_file(source, ec)) {
    return {{"", source, ""}};
  }
  if (source.find("://") == std::string::npos && !std::filesystem::is_directory(source, ec)) {
    throw StorageError("raw import source " + source + ": no such file or directory");
  }
  store = io::open_object_store(source);
  return enumerate(*store, def, opts.dates, opts.all_snapshots);
}

/// Reads and parses every file (in parallel; each task owns its slot), then
/// reports the first error in file order so the message does not depend on
/// scheduling.
std::vector<std::optional<Parsed>> parse_files(const std::vector<Chosen>& files, io::ObjectStore* store,
                                               const KindDef& def, const Schedule& schedule) {
  std::vector<std::optional<Parsed>> parsed(files.size());
  std::vector<std::exception_ptr> errors(files.size());
  tbb::parallel_for(size_t{0}, files.size(), [&](size_t i) {
    try {
      const Chosen& f = files[i];
      std::string text = store ? io::maybe_gunzip(store->read(f.rel), f.display) : io::read_file(f.display);
      parsed[i].emplace(def.parse(text, f.display, schedule));
    } catch (...) {
      errors[i] = std::current_exception();
    }
  });
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return parsed;
}

/// The rows to write, with their origins: the newest file wins per replace key
/// (re-scrapes of a game, a snapshot or a report), games outside @p teams
/// (when given) are dropped. Records each file's use in @p res and
/// @p fingerprint_text.
Table select_rows(const std::vector<Chosen>& files, const std::vector<std::optional<Parsed>>& parsed,
                  const KindDef& def, const TableSchema& schema, const std::set<std::string>& teams,
                  std::vector<Where>& where, RawImportResult& res, std::string& fingerprint_text) {
  std::vector<size_t> order(files.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return files[a].newness < files[b].newness; });
  std::map<std::string, size_t> owner;  // replace-key value → file index
  for (size_t i : order) {
    const Table& t = parsed[i]->rows;
    const auto cols = column_indexes(t, def.src.replace_key);
    for (size_t r = 0; r < t.num_rows(); ++r) owner[key_text(t, r, cols)] = i;
  }
  // A row of one of @p teams' games (any row when none is given); @p c holds
  // the file's team columns, resolved at its first check.
  struct TeamColumns {
    const Column* home = nullptr;
    const Column* away = nullptr;
  };
  auto wanted = [&](const Table& t, size_t r, TeamColumns& c) {
    if (teams.empty()) return true;
    if (c.home == nullptr) c = {&t.col("home_team_abbr"), &t.col("away_team_abbr")};
    return teams.count(c.home->get_text(r).value_or("")) || teams.count(c.away->get_text(r).value_or(""));
  };
  Table rows(schema);
  for (size_t i = 0; i < files.size(); ++i) {
    const Parsed& p = *parsed[i];
    const auto cols = column_indexes(p.rows, def.src.replace_key);
    int64_t kept = 0;
    TeamColumns team_cols;
    for (size_t r = 0; r < p.rows.num_rows(); ++r) {
      if (owner[key_text(p.rows, r, cols)] != i || !wanted(p.rows, r, team_cols)) continue;
      rows.append_row(p.rows, r);
      where.push_back(p.where[r]);
      ++kept;
    }
    const std::string status = p.exhibition             ? "exhibition"
                               : p.rows.num_rows() == 0 ? "empty"
                               : kept == 0              ? "superseded"
                                                        : "used";
    res.files.push_back({files[i].display, kept, status});
    fingerprint_text += files[i].display + "|" + std::to_string(kept) + "\n";
  }
  return rows;
}

/// A duplicate record inside what is being written is an error (legacy
/// appended both).
void refuse_duplicates(const Table& rows, const std::vector<Where>& where, const KindDef& def) {
  const auto cols = column_indexes(rows, def.duplicate_key);
  std::map<std::string, size_t> seen;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    auto [it, inserted] = seen.emplace(key_text(rows, r, cols), r);
    if (inserted) continue;
    std::string key;
    for (size_t c : cols) key += (key.empty() ? "" : ", ") + rows.column_names()[c] + "=" + rows.cell_text(r, c);
    raw::fail(where[r], "(" + key + ")", "",
              "duplicate record: the same key is already in " + where[it->second].file + " record " +
                  where[it->second].record);
  }
}

/// The dates of the lake folders @p files were found in.
std::set<Date> lake_dates(const std::vector<Chosen>& files) {
  std::set<Date> found;
  for (const Chosen& f : files) {
    if (auto d = raw::parse_lake_path(f.display).date) found.insert(*d);
  }
  return found;
}

}  // namespace

RawImportResult import_raw(Warehouse& wh, const std::string& kind, const std::string& source, const Schedule& schedule,
                           const RawImportOptions& opts) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string started = iso_timestamp_now(true);
  const KindDef& def = kind_def(kind);
  const TableSchema& schema = catalog::get(def.src.table);
  RawImportResult res;
  res.kind = def.src.kind;
  res.table = def.src.table;
  res.run_id = opts.run_id.empty() ? make_run_id(def.src.kind) : opts.run_id;
  res.dry_run = opts.dry_run;
  res.dates = opts.dates;
  std::string fingerprint_text;
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  const std::set<std::string> teams(opts.team_filter.begin(), opts.team_filter.end());
  if (!teams.empty() && (schema.index_of("home_team_abbr") < 0 || schema.index_of("away_team_abbr") < 0)) {
    throw ConfigError("--team-filter needs a table with home_team_abbr and away_team_abbr, not " + schema.name);
  }
  std::unique_ptr<io::ObjectStore> store;
  std::vector<Chosen> files;
  try {
    files = source_files(source, def, opts, store);
    const auto parsed = parse_files(files, store.get(), def, schedule);
    std::vector<Where> where;
    Table rows = select_rows(files, parsed, def, schema, teams, where, res, fingerprint_text);
    if (def.src.kind == "gamebook") raw::resolve_inactive_names(rows, wh);
    refuse_duplicates(rows, where, def);
    raw::run_checks(rows, where, def.checks);
    fill_data_hash(rows, def.hash_fields);
    if (rows.index_of("processed_by_run_id") >= 0) {
      const size_t run_id = rows.require("processed_by_run_id");
      for (size_t r = 0; r < rows.num_rows(); ++r) rows.set(r, run_id, res.run_id);
    }
    const int part = rows.require(schema.partition_column);
    for (size_t r = 0; r < rows.num_rows(); ++r) {
      if (auto d = rows.col(static_cast<size_t>(part)).get_int(r)) ++res.rows_by_date[Date(static_cast<int32_t>(*d))];
    }
    res.rows = static_cast<int64_t>(rows.num_rows());
    if (res.dates.empty()) {
      std::set<Date> found = lake_dates(files);
      for (const auto& [d, n] : res.rows_by_date) found.insert(d);
      res.dates.assign(found.begin(), found.end());
    }
    if (!opts.dry_run) {
      std::vector<Date> dates;
      for (const auto& [d, n] : res.rows_by_date) dates.push_back(d);
      wh.ensure_table(schema);
      if (!dates.empty()) wh.write_batch({TableWrite{&schema, &rows, dates, def.src.replace_key}});
    }
  } catch (const ConfigError&) {
    throw;  // a usage error (e.g. gs:// unavailable in this build): nothing was
            // attempted
  } catch (const Error& e) {
    res.seconds = seconds();
    if (!opts.dry_run && opts.write_ledger) {
      res.rows_by_date.clear();
      if (res.dates.empty()) {
        const std::set<Date> found = lake_dates(files);
        res.dates.assign(found.begin(), found.end());
      }
      write_ledger(wh, res, "success", e.what(), started, res.seconds, sha256_hex(fingerprint_text).substr(0, 16));
    }
    throw;
  }
  res.seconds = seconds();
  if (!opts.dry_run && opts.write_ledger) {
    write_ledger(wh, res, "success", "", started, res.seconds, sha256_hex(fingerprint_text).substr(0, 16));
  }
  NBAPROPS_LOG_INFO << "raw import " << res.kind << " from " << source << ": " << res.files.size() << " files, "
                    << res.rows << " rows" << (opts.dry_run ? " (dry run)" : "");
  return res;
}

}  // namespace nbaprops::importers
