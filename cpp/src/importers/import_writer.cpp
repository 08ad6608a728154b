// One import = one transaction that replaces what the file covers and erases
// nothing it lacks (see import_writer.hpp), and the writers of the shot-chart,
// schedule and box-score imports.
#include "nbaprops/importers/import_writer.hpp"

#include <algorithm>
#include <memory>
#include <set>
#include <unordered_map>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/importers/importers.hpp"

namespace nbaprops::importers {
namespace {

/// The written rows of one (date, key) group and what the stored rows of that
/// group would lose.
struct Group {
  size_t first_row = 0;
  std::vector<bool> carried;   // per guarded field: some written row of the group has it
  std::set<std::string> lost;  // guarded fields a stored row has and the group lacks
  int64_t stored_lost = 0;     // stored rows that would lose a field
  bool drop = false;           // the written rows of this group are not written
};

std::string group_key(const Table& t, size_t r, size_t part, const std::vector<size_t>& key) {
  std::string k = t.cell_text(r, part);
  for (size_t i : key) k += '\x1f' + t.cell_text(r, i);
  return k;
}

std::string describe_group(const Table& t, size_t r, size_t part, const std::vector<size_t>& key) {
  std::string s;
  for (size_t i : key) {
    if (!s.empty()) s += '/';
    s += t.cell_text(r, i);
  }
  return s + " on " + t.cell_text(r, part);
}

std::string join(const std::set<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

/// The analysis of one ImportTable against the stored rows.
struct TablePlan {
  std::vector<size_t> key_idx;
  size_t part_idx = 0;
  std::unordered_map<std::string, Group> groups;
  std::vector<std::string> group_order;  // first-seen order, for deterministic messages
  int64_t kept_stored_groups = 0;
};

TablePlan plan_table(Warehouse& wh, const ImportTable& it) {
  const Table& rows = *it.rows;
  const TableSchema& schema = rows.schema();
  TablePlan p;
  p.part_idx = rows.require(schema.partition_column);
  for (const auto& k : it.replace_key) p.key_idx.push_back(rows.require(k));
  std::vector<size_t> guard_idx;
  for (const auto& g : it.guarded) guard_idx.push_back(rows.require(g));
  std::set<int32_t> dates;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    auto [git, fresh] = p.groups.try_emplace(group_key(rows, r, p.part_idx, p.key_idx));
    Group& g = git->second;
    if (fresh) {
      g.first_row = r;
      g.carried.assign(guard_idx.size(), false);
      p.group_order.push_back(git->first);
    }
    for (size_t i = 0; i < guard_idx.size(); ++i) {
      if (!rows.col(guard_idx[i]).is_null(r)) g.carried[i] = true;
    }
    if (!rows.col(p.part_idx).is_null(r)) dates.insert(static_cast<int32_t>(rows.col(p.part_idx).int_at(r)));
  }
  if (dates.empty() || (it.guarded.empty() && !it.keep_stored) || !wh.has_table(schema)) return p;

  std::vector<std::string> cols{schema.partition_column};
  for (const auto& k : it.replace_key) cols.push_back(k);
  for (const auto& g : it.guarded) {
    if (std::find(cols.begin(), cols.end(), g) == cols.end()) cols.push_back(g);
  }
  // The row key (e.g. game + player): a stored row whose own written row
  // lacks a guarded field loses it even when other rows of the group carry it.
  std::vector<std::string> row_key;
  std::vector<size_t> row_key_idx;
  for (const auto& k : schema.key_columns) {
    if (rows.index_of(k) < 0) continue;
    row_key.push_back(k);
    row_key_idx.push_back(rows.require(k));
    if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
  }
  std::unordered_map<std::string, size_t> written_row;
  if (!row_key.empty() && !it.keep_stored) {
    for (size_t r = 0; r < rows.num_rows(); ++r) written_row.emplace(group_key(rows, r, p.part_idx, row_key_idx), r);
  }
  const Table stored = wh.read(schema, DateRange{Date(*dates.begin()), Date(*dates.rbegin())}, cols);
  const size_t s_part = stored.require(schema.partition_column);
  std::vector<size_t> s_key, s_guard;
  for (const auto& k : it.replace_key) s_key.push_back(stored.require(k));
  for (const auto& g : it.guarded) s_guard.push_back(stored.require(g));
  std::vector<size_t> s_row_key;
  for (const auto& k : row_key) s_row_key.push_back(stored.require(k));
  for (size_t r = 0; r < stored.num_rows(); ++r) {
    auto git = p.groups.find(group_key(stored, r, s_part, s_key));
    if (git == p.groups.end()) continue;
    Group& g = git->second;
    if (it.keep_stored) {
      if (!g.drop) ++p.kept_stored_groups;
      g.drop = true;
      continue;
    }
    bool loses = false;
    auto own = written_row.empty() ? written_row.end() : written_row.find(group_key(stored, r, s_part, s_row_key));
    for (size_t i = 0; i < s_guard.size(); ++i) {
      const bool carried = own == written_row.end() ? g.carried[i] : !rows.col(guard_idx[i]).is_null(own->second);
      if (!carried && !stored.col(s_guard[i]).is_null(r)) {
        g.lost.insert(it.guarded[i]);
        loses = true;
      }
    }
    if (loses) ++g.stored_lost;
  }
  return p;
}

/// @return @p rows without the rows of dropped groups (a copy only when
/// something is dropped).
Table without_dropped(const Table& rows, const TablePlan& p) {
  Table out(rows.schema(), rows.column_names());
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    if (!p.groups.at(group_key(rows, r, p.part_idx, p.key_idx)).drop) out.append_row(rows, r);
  }
  return out;
}

/// Deletes of the stored rows that share @p it's unique_column value with a
/// row of @p out but not its replace key (see ImportTable::unique_column).
std::vector<TableWrite> stale_rows(Warehouse& wh, const ImportTable& it, const Table& out, std::string_view source,
                                   const Table& no_rows, std::vector<std::string>& warnings) {
  const TableSchema& schema = out.schema();
  if (it.unique_column.empty() || out.num_rows() == 0 || !wh.has_table(schema)) return {};
  const size_t part = out.require(schema.partition_column), uniq = out.require(it.unique_column);
  std::vector<size_t> key;
  for (const auto& k : it.replace_key) key.push_back(out.require(k));
  std::unordered_map<std::string, std::string> written;  // unique value → date + replace key
  std::optional<Date> lo, hi;
  for (size_t r = 0; r < out.num_rows(); ++r) {
    written.emplace(out.cell_text(r, uniq), group_key(out, r, part, key));
    if (auto d = out.get_date(r, schema.partition_column)) {
      lo = lo ? std::min(*lo, *d) : *d;
      hi = hi ? std::max(*hi, *d) : *d;
    }
  }
  if (!lo) return {};
  std::vector<std::string> cols{schema.partition_column, it.unique_column};
  for (const auto& k : it.replace_key) {
    if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
  }
  // A game moves by days or weeks, never by more than a season.
  const Table stored = wh.read(schema, DateRange{*lo - 400, *hi + 400}, cols);
  const size_t s_part = stored.require(schema.partition_column), s_uniq = stored.require(it.unique_column);
  std::vector<size_t> s_key;
  for (const auto& k : it.replace_key) s_key.push_back(stored.require(k));
  std::vector<TableWrite> deletes;
  for (size_t r = 0; r < stored.num_rows(); ++r) {
    const std::string value = stored.cell_text(r, s_uniq);
    auto w = written.find(value);
    if (w == written.end() || w->second == group_key(stored, r, s_part, s_key)) continue;
    TableWrite del{&schema, &no_rows, {*stored.get_date(r, schema.partition_column)}, {}};
    del.scope = {{it.unique_column, value}};
    deletes.push_back(std::move(del));
    warnings.push_back(std::string(source) + ": " + schema.name + " " + it.unique_column + " " + value +
                       " was stored as " + describe_group(stored, r, s_part, s_key) + "; replaced by the file's row");
  }
  return deletes;
}

std::string fmt_count(int64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), 1, ',');
  return s;
}

}  // namespace

OnRicher parse_on_richer(std::string_view name) {
  if (name == "refuse") return OnRicher::kRefuse;
  if (name == "replace") return OnRicher::kReplace;
  if (name == "keep") return OnRicher::kKeep;
  throw ConfigError("unknown on_richer '" + std::string(name) + "' (use refuse, replace or keep)");
}

ImportReport write_import(Warehouse& wh, std::string_view source, const std::vector<ImportTable>& tables,
                          const ImportOptions& opt) {
  ImportReport rep;
  std::vector<TablePlan> plans;
  std::vector<std::string> conflicts;
  int64_t input_rows = 0;
  for (const ImportTable& it : tables) {
    if (it.rows == nullptr) throw ConfigError("write_import: a table without rows");
    input_rows += static_cast<int64_t>(it.rows->num_rows());
    plans.push_back(plan_table(wh, it));
    TablePlan& p = plans.back();
    const Table& rows = *it.rows;
    int64_t games = 0, stored = 0;
    std::set<std::string> fields;
    std::string first;
    for (const auto& k : p.group_order) {
      Group& g = p.groups.at(k);
      if (g.lost.empty()) continue;
      if (first.empty()) first = describe_group(rows, g.first_row, p.part_idx, p.key_idx);
      ++games;
      stored += g.stored_lost;
      fields.insert(g.lost.begin(), g.lost.end());
      if (opt.on_richer == OnRicher::kKeep) g.drop = true;
    }
    if (games == 0) continue;
    const std::string what =
        rows.schema().name + ": " + fmt_count(stored) + (stored == 1 ? " stored row of " : " stored rows of ") +
        fmt_count(games) + (games == 1 ? " game (first: " : " games (first: ") + first + ") " +
        (stored == 1 ? "has " : "have ") + join(fields) + ", which " + std::string(source) + " does not carry";
    if (opt.on_richer == OnRicher::kRefuse)
      conflicts.push_back(what);
    else if (opt.on_richer == OnRicher::kReplace)
      rep.warnings.push_back(what + "; replaced anyway (--replace)");
    else
      rep.warnings.push_back(what +
                             "; kept them and skipped the file's rows "
                             "of those games (--keep-existing)");
  }
  // Keeping a game's stored rows in one table keeps it in every table of the
  // import keyed the same way (game_id), so a game never ends up half from the
  // file and half from the warehouse.
  if (opt.on_richer == OnRicher::kKeep) {
    std::set<std::pair<std::vector<std::string>, std::string>> kept;  // (key columns, group key)
    for (size_t i = 0; i < tables.size(); ++i) {
      for (const auto& [k, g] : plans[i].groups) {
        if (!g.lost.empty()) kept.emplace(tables[i].replace_key, k);
      }
    }
    for (size_t i = 0; i < tables.size(); ++i) {
      for (auto& [k, g] : plans[i].groups) {
        if (kept.count({tables[i].replace_key, k})) g.drop = true;
      }
    }
  }
  if (!conflicts.empty()) {
    std::string msg = std::string(source) +
                      ": importing it would erase data the warehouse already "
                      "has, so nothing " +
                      "was written:";
    for (const auto& c : conflicts) msg += "\n  - " + c;
    msg +=
        "\nPass --replace to overwrite those rows anyway, or "
        "--keep-existing to keep them and import the rest "
        "(Python: on_richer=\"replace\" or \"keep\").";
    throw DataError(msg);
  }

  std::vector<Table> filtered;  // stable storage for the TableWrites below
  filtered.reserve(tables.size());
  std::vector<std::unique_ptr<Table>> no_rows;  // the empty rows of the deletes
  std::vector<TableWrite> deletes, writes;
  for (size_t i = 0; i < tables.size(); ++i) {
    const Table& rows = *tables[i].rows;
    const bool any_drop =
        std::any_of(plans[i].groups.begin(), plans[i].groups.end(), [](const auto& kv) { return kv.second.drop; });
    filtered.push_back(any_drop ? without_dropped(rows, plans[i]) : Table(rows.schema(), {}));
    const Table& out = any_drop ? filtered.back() : rows;
    std::set<Date> dates;
    for (size_t r = 0; r < out.num_rows(); ++r) {
      if (auto d = out.get_date(r, out.schema().partition_column)) dates.insert(*d);
    }
    rep.rows[out.schema().name] = static_cast<int64_t>(out.num_rows());
    if (plans[i].kept_stored_groups > 0) {
      NBAPROPS_LOG_INFO << source << ": " << plans[i].kept_stored_groups << " " << out.schema().name
                        << " rows were already stored and were left as they are";
    }
    if (!tables[i].unique_column.empty()) {
      no_rows.push_back(std::make_unique<Table>(out.schema(), out.column_names()));
      for (TableWrite& d : stale_rows(wh, tables[i], out, source, *no_rows.back(), rep.warnings)) {
        deletes.push_back(std::move(d));
      }
    }
    if (out.num_rows() == 0) continue;
    writes.push_back(TableWrite{&out.schema(), &out, {dates.begin(), dates.end()}, tables[i].replace_key});
  }
  if (input_rows == 0)
    rep.warnings.push_back(std::string(source) + ": no rows to import (empty file); nothing was written");
  // The deletes first: a table's writes run in order, and a delete by value
  // after the insert would remove the written row too.
  writes.insert(writes.begin(), deletes.begin(), deletes.end());
  if (!writes.empty()) wh.write_batch(writes);
  return rep;
}

ImportReport write_shot_chart(Warehouse& wh, const ShotChartImport& imp, const ImportOptions& opt) {
  const Table schedule = Schedule(imp.games).to_table();
  ImportReport rep = write_import(
      wh, imp.source.empty() ? "shot chart" : imp.source,
      {{&schedule, {"game_code"}, {}, /*keep_stored=*/true},
       {&imp.player_zones,
        {"game_id"},
        {"assisted_makes", "unassisted_makes", "and1_count", "blocks_paint", "blocks_mid_range", "blocks_three_pt"}},
       {&imp.team_zones_allowed, {"game_id"}, {}},
       {&imp.gamebook, {"game_id"}, {"points", "minutes", "minutes_decimal", "free_throws_attempted", "assists"}}},
      opt);
  rep.warnings.insert(rep.warnings.begin(), imp.warnings.begin(), imp.warnings.end());
  return rep;
}

ImportReport write_schedule(Warehouse& wh, const Schedule& s, const ImportOptions& opt) {
  const Table t = s.to_table();
  return write_import(wh, "schedule", {{&t, {"game_code"}, {"home_team_score", "away_team_score"}, false, "game_id"}},
                      opt);
}

ImportReport write_schedule(Warehouse& wh, const ScheduleImport& imp, std::string_view source,
                            const ImportOptions& opt) {
  const Table t = Schedule(imp.games).to_table();
  ImportReport rep =
      write_import(wh, source, {{&t, {"game_code"}, {"home_team_score", "away_team_score"}, false, "game_id"}}, opt);
  rep.warnings.insert(rep.warnings.begin(), imp.warnings.begin(), imp.warnings.end());
  return rep;
}

ImportReport write_bdl(Warehouse& wh, const Table& rows, const ImportOptions& opt, std::string_view source) {
  if (rows.schema().name != "nba_raw.bdl_player_boxscores") {
    throw ConfigError("write_bdl expects nba_raw.bdl_player_boxscores rows, got " + rows.schema().name);
  }
  std::string name(source);
  if (name.empty()) name = rows.num_rows() > 0 ? *rows.get_text(0, "source_file_path") : "box scores";
  return write_import(wh, name, {{&rows, {"game_id"}, {"points", "minutes"}}}, opt);
}

}  // namespace nbaprops::importers
