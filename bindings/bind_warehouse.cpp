// The warehouse: open, bulk read to numpy columns, partition counts.
//
// Reads of a SQLite warehouse decode straight into columns, GIL released: a
// whole-table read (or most of one) decodes the table's pages from the file
// (sqlite_file.hpp), runs of leaves in parallel; a small date range, or a
// layout the page reader leaves to SQLite, reads date or rowid slices of about
// equal row counts in parallel (one read-only connection each). Each value is
// decoded once into its column (text dictionary-encoded), then handed to numpy
// (convert.hpp). Other backends read through Warehouse::read and the same
// conversion.
#include <dlfcn.h>
#include <pybind11/stl.h>
#include <sqlite3.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "bindings.hpp"
#include "convert.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/warehouse/sqlite_file.hpp"
#include "nbaprops/warehouse/sqlite_warehouse.hpp"
#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops::py {
namespace {

std::optional<DateRange> range_of(std::optional<int32_t> start, std::optional<int32_t> end) {
  if (!start && !end) return std::nullopt;
  return DateRange{Date(start.value_or(-100000)), Date(end.value_or(100000))};
}

/// Reads below this many rows use one query; above it, slices are read in
/// parallel.
constexpr int64_t kParallelReadRows = 20000;

struct DbClose {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalize {
  void operator()(sqlite3_stmt* st) const { sqlite3_finalize(st); }
};
using Db = std::unique_ptr<sqlite3, DbClose>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalize>;

std::string quote(const std::string& ident) { return "\"" + ident + "\""; }

std::vector<Storage> storages(const std::vector<const ColumnDef*>& defs) {
  std::vector<Storage> out;
  for (const ColumnDef* d : defs) out.push_back(storage_of(d->type));
  return out;
}

/// A part with room for @p expect rows.
FramePart empty_part(const std::vector<Storage>& storage, size_t expect) {
  FramePart p;
  p.columns.resize(storage.size());
  for (size_t i = 0; i < storage.size(); ++i) {
    if (storage[i] != Storage::kText) p.columns[i].valid.reserve(expect);
    if (storage[i] == Storage::kInt) p.columns[i].ints.reserve(expect);
    if (storage[i] == Storage::kReal) p.columns[i].reals.reserve(expect);
  }
  return p;
}

// Appending one decoded cell to its column (both read paths).
void put_null(ColumnPart& c, Storage storage) {
  if (storage == Storage::kText) {
    c.text.add_null();
    return;
  }
  c.valid.push_back(0);
  if (storage == Storage::kReal) {
    c.reals.push_back(0.0);
  } else {
    c.ints.push_back(0);
  }
}
void put(ColumnPart& c, int64_t v) {
  c.valid.push_back(1);
  c.ints.push_back(v);
}
void put(ColumnPart& c, double v) {
  c.valid.push_back(1);
  c.reals.push_back(v);
}
void put_date(ColumnPart& c, std::string_view day, const TableSchema& s, const ColumnDef& def) {
  try {
    put(c, static_cast<int64_t>(Date::parse(day, s.name + "." + def.name).days()));
  } catch (const DataError& e) {
    throw DataError(std::string("stored value unreadable: ") + e.what());
  }
}
std::string_view text_of(sqlite3_value* v) {
  const auto* txt = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return {txt, static_cast<size_t>(sqlite3_value_bytes(v))};
}

/// One slice of a read: a rowid range scanned in storage order (most of the
/// table), or a partition-date range through the date index (a small part of
/// it).
struct Slice {
  bool by_rowid = true;
  int64_t first = 0, last = 0;     // rowids (by_rowid)
  std::optional<DateRange> dates;  // filter (by_rowid) or index range
};

/// A read-only connection to one dataset file of a SQLite warehouse.
class DatasetFile {
 public:
  DatasetFile(std::filesystem::path file, const TableSchema& s) : file_(std::move(file)), s_(s) {
    sqlite3* raw = nullptr;
    // The warehouse's rule for reading a file (immutable in a directory that
    // cannot be written, where the plain path could not open a WAL file
    // without its -shm index).
    const std::string uri = sqlite_read_only_uri(file_);
    const int rc =
        sqlite3_open_v2(uri.c_str(), &raw, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr);
    db_.reset(raw);
    if (rc != SQLITE_OK) throw error("open");
    // A double-quoted name that is no column is an error, not a string literal.
    sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
    sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
    sqlite3_busy_timeout(db_.get(), 60000);
  }
  StorageError error(const std::string& step) const {
    return StorageError("reading " + s_.name + " from " + file_.string() + " (" + step +
                        "): " + (db_ ? sqlite3_errmsg(db_.get()) : "out of memory"));
  }
  Stmt prepare(const std::string& sql) const {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) throw error("prepare");
    return Stmt(raw);
  }
  /// count(*), min(rowid), max(rowid) of the table.
  std::array<int64_t, 3> extent() const {
    std::array<int64_t, 3> out{0, 0, 0};
    for (int i = 0; i < 2; ++i) {
      Stmt st = prepare(i == 0 ? "SELECT count(*) FROM " + quote(s_.table())
                               : "SELECT min(rowid), max(rowid) FROM " + quote(s_.table()));
      if (sqlite3_step(st.get()) != SQLITE_ROW) throw error("extent");
      if (i == 0) {
        out[0] = sqlite3_column_int64(st.get(), 0);
      } else {
        out[1] = sqlite3_column_int64(st.get(), 0);
        out[2] = sqlite3_column_int64(st.get(), 1);
      }
    }
    return out;
  }

  /// The file's PRAGMA data_version: it changes when another connection (or
  /// process) commits to the file, whatever the commit changed. A rerun
  /// overwrites a partition where it is (same rowids): the extent does not
  /// change, the data version does.
  int64_t data_version() const {
    Stmt st = prepare("PRAGMA data_version");
    if (sqlite3_step(st.get()) != SQLITE_ROW) throw error("data_version");
    return sqlite3_column_int64(st.get(), 0);
  }

  /// The rows of @p slice, decoded column by column (in storage order;
  /// frame_to_python sorts); NULL in a column not in @p stored (the table's
  /// stored columns: one added to the catalog since it was written).
  FramePart read(const std::vector<const ColumnDef*>& defs, const Slice& slice, size_t expect,
                 const std::set<std::string>& stored) const;

 private:
  std::filesystem::path file_;
  const TableSchema& s_;
  Db db_;
};

FramePart DatasetFile::read(const std::vector<const ColumnDef*>& defs, const Slice& slice, size_t expect,
                            const std::set<std::string>& stored) const {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < defs.size(); ++i) {
    const std::string& name = defs[i]->name;
    sql += (i ? ", " : "") + (stored.count(name) ? quote(name) : "NULL AS " + quote(name));
  }
  sql += " FROM " + quote(s_.table());
  const std::string part = quote(s_.partition_column);
  if (slice.by_rowid) {
    // "+" keeps SQLite from using the date index: a rowid range is a sequential
    // scan.
    sql += " WHERE rowid BETWEEN ?1 AND ?2";
    if (slice.dates) sql += " AND +" + part + " BETWEEN ?3 AND ?4";
  } else {
    sql += " WHERE " + part + " BETWEEN ?3 AND ?4";
  }
  Stmt st = prepare(sql);
  if (slice.by_rowid) {
    sqlite3_bind_int64(st.get(), 1, slice.first);
    sqlite3_bind_int64(st.get(), 2, slice.last);
  }
  if (slice.dates) {
    const std::string a = slice.dates->start.iso(), b = slice.dates->end.iso();
    sqlite3_bind_text(st.get(), 3, a.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 4, b.c_str(), -1, SQLITE_TRANSIENT);
  }
  const std::vector<Storage> storage = storages(defs);
  FramePart p = empty_part(storage, expect);
  sqlite3_stmt* q = st.get();
  int step;
  while ((step = sqlite3_step(q)) == SQLITE_ROW) {
    for (size_t i = 0; i < defs.size(); ++i) {
      // One value handle per cell: its type, then its content (fewer API round
      // trips than column_*).
      sqlite3_value* v = sqlite3_column_value(q, static_cast<int>(i));
      ColumnPart& c = p.columns[i];
      if (sqlite3_value_type(v) == SQLITE_NULL) {
        put_null(c, storage[i]);
      } else if (storage[i] == Storage::kText) {
        c.text.add(text_of(v));
      } else if (storage[i] == Storage::kReal) {
        put(c, sqlite3_value_double(v));
      } else if (defs[i]->type == ColumnType::kDate) {
        put_date(c, text_of(v), s_, *defs[i]);
      } else {
        put(c, static_cast<int64_t>(sqlite3_value_int64(v)));
      }
    }
    ++p.rows;
  }
  if (step != SQLITE_DONE) throw error("step");
  return p;
}

/// The rows of the pinned table's leaves [@p first, @p last) (in rowid order)
/// whose partition date is in @p range (every row when nullopt).
FramePart read_leaves(const sqlite_file::PinnedTable& table, const TableSchema& s,
                      const std::vector<const ColumnDef*>& defs, const std::vector<Storage>& storage,
                      std::optional<DateRange> range, const uint32_t* first, const uint32_t* last, size_t expect) {
  using Kind = sqlite_file::Field::Kind;
  std::vector<size_t> field(defs.size());
  constexpr size_t kMissing = SIZE_MAX;  // a catalog column the stored table lacks: NULL in every row
  for (size_t i = 0; i < defs.size(); ++i) {
    field[i] = table.stores(defs[i]->name) ? table.field_of(defs[i]->name) : kMissing;
  }
  const size_t part_field = table.field_of(s.partition_column);
  size_t fields = part_field + 1;
  for (size_t f : field) {
    if (f != kMissing) fields = std::max(fields, f + 1);
  }
  const std::string lo = range ? range->start.iso() : std::string(), hi = range ? range->end.iso() : std::string();
  // The same conversions as sqlite3_value_* on the SQLite path; any other
  // storage class is left to that path.
  auto unsupported = [&](size_t i) -> sqlite_file::FileLayoutUnsupported {
    return sqlite_file::FileLayoutUnsupported("unexpected storage class in " + s.name + "." + defs[i]->name);
  };
  FramePart p = empty_part(storage, expect);
  sqlite_file::LeafCursor cur(table, first, last, fields);
  while (cur.next()) {
    if (range) {
      const sqlite_file::Field d = cur.field(part_field);
      if (d.kind != Kind::kText && d.kind != Kind::kNull) throw sqlite_file::FileLayoutUnsupported("partition value");
      if (d.kind == Kind::kNull || d.s < lo || d.s > hi) continue;
    }
    for (size_t i = 0; i < defs.size(); ++i) {
      const sqlite_file::Field v = field[i] == kMissing ? sqlite_file::Field{} : cur.field(field[i]);
      ColumnPart& c = p.columns[i];
      if (v.kind == Kind::kNull) {
        put_null(c, storage[i]);
      } else if (storage[i] == Storage::kText) {
        if (v.kind != Kind::kText) throw unsupported(i);
        c.text.add(v.s);
      } else if (storage[i] == Storage::kReal) {
        if (v.kind == Kind::kReal) {
          put(c, v.r);
        } else if (v.kind == Kind::kInt) {
          put(c, static_cast<double>(v.i));
        } else {
          throw unsupported(i);
        }
      } else if (defs[i]->type == ColumnType::kDate) {
        if (v.kind != Kind::kText) throw unsupported(i);
        put_date(c, v.s, s, *defs[i]);
      } else {
        if (v.kind != Kind::kInt) throw unsupported(i);
        put(c, v.i);
      }
    }
    ++p.rows;
  }
  return p;
}

/// The rows of a whole-table (or most-of-the-table) read straight from the
/// file's pages, runs of leaves read in parallel by up to @p workers threads,
/// all at one snapshot, each thread through its own SQLite file handle (see
/// sqlite_file.hpp). @return nullopt when the file's layout needs SQLite.
std::optional<std::vector<FramePart>> read_pinned(const std::filesystem::path& file, const TableSchema& s,
                                                  const std::vector<const ColumnDef*>& defs,
                                                  std::optional<DateRange> range, int workers, size_t expect) {
  try {
    const sqlite_file::PinnedTable table(file, s.table());
    const std::vector<Storage> storage = storages(defs);
    const auto& leaves = table.leaves();
    // A few runs per worker: a thread the machine's load holds back leaves its
    // remaining runs to the others.
    const size_t n = std::max<size_t>(1, std::min<size_t>(4 * static_cast<size_t>(workers), leaves.size() / 64));
    std::vector<FramePart> parts(n);
    tbb::parallel_for(size_t{0}, n, [&](size_t i) {
      const uint32_t* first = leaves.data() + leaves.size() * i / n;
      const uint32_t* last = leaves.data() + leaves.size() * (i + 1) / n;
      parts[i] = read_leaves(table, s, defs, storage, range, first, last, expect / n + 1);
    });
    NBAPROPS_LOG_DEBUG << "read " << s.name << " from its pages (" << leaves.size() << " leaves, " << n << " runs)";
    return parts;
  } catch (const sqlite_file::FileLayoutUnsupported& e) {
    NBAPROPS_LOG_DEBUG << "reading " << s.name << " through SQLite: " << e.what();
    return std::nullopt;
  }
}

/// Test hook (Warehouse._inject_write_during_read): SQL run once, on a
/// read-write connection of its own to the table's file, after the first
/// slice of the next read of several slices and before the others, which then
/// run one after another: a commit landing between two slices' snapshots.
std::mutex g_injected_mu;
std::string g_injected_write;

std::string take_injected_write() {
  std::lock_guard lock(g_injected_mu);
  return std::exchange(g_injected_write, {});
}

void run_injected_write(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  const Db db(raw);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  if (rc != SQLITE_OK || sqlite3_exec(db.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) {
    throw StorageError("injected write on " + file.string() + ": " + (db ? sqlite3_errmsg(db.get()) : "no memory"));
  }
}

/// The rows of each of @p slices of @p s's table in @p file, read in parallel,
/// each through its own connection (its own snapshot).
std::vector<FramePart> read_slices(const std::filesystem::path& file, const TableSchema& s,
                                   const std::vector<const ColumnDef*>& defs, const std::vector<Slice>& slices,
                                   size_t expect, const std::set<std::string>& stored) {
  std::vector<FramePart> parts(slices.size());
  if (const std::string inject = slices.size() > 1 ? take_injected_write() : std::string(); !inject.empty()) {
    for (size_t i = 0; i < slices.size(); ++i) {
      if (i == 1) run_injected_write(file, inject);
      parts[i] = DatasetFile(file, s).read(defs, slices[i], expect, stored);
    }
    return parts;
  }
  tbb::parallel_for(size_t{0}, slices.size(), [&](size_t i) {
    const DatasetFile f(file, s);
    parts[i] = f.read(defs, slices[i], expect, stored);
  });
  return parts;
}

/// Date slices of about equal row counts covering @p counts (index reads of a
/// small part).
std::vector<Slice> date_slices(const std::map<Date, int64_t>& counts, DateRange range, int workers) {
  int64_t total = 0;
  for (const auto& [d, c] : counts) total += c;
  if (total < kParallelReadRows || counts.size() < 2 || workers < 2) return {Slice{false, 0, 0, range}};
  std::vector<Slice> out;
  const int64_t per = (total + workers - 1) / workers;
  int64_t acc = 0;
  Date from = range.start;
  for (auto it = counts.begin(); it != counts.end(); ++it) {
    acc += it->second;
    if (std::next(it) == counts.end()) {
      out.push_back(Slice{false, 0, 0, DateRange{from, range.end}});
    } else if (acc >= per) {
      out.push_back(Slice{false, 0, 0, DateRange{from, it->first}});
      from = Date(it->first.days() + 1);
      acc = 0;
    }
  }
  return out;
}

/// The read behind Warehouse.read. SQLite: slices decoded in parallel, unsorted
/// (the caller sorts); other backends: one Warehouse::read, already in order.
/// Call without the GIL.
/// @return the parts and whether they still need sorting.
std::pair<std::vector<FramePart>, bool> read_parts(Warehouse& wh, const TableSchema& s, std::optional<DateRange> range,
                                                   const std::vector<const ColumnDef*>& defs) {
  auto* sqlite = dynamic_cast<SqliteWarehouse*>(&wh);
  if (!sqlite || !wh.has_table(s)) {
    std::vector<std::string> names;
    for (const ColumnDef* d : defs) names.push_back(d->name);
    std::vector<FramePart> one;
    one.push_back(part_from_table(wh.read(s, range, names)));
    return {std::move(one), false};
  }
  const int workers = std::max(1, std::min(4, tbb::this_task_arena::max_concurrency()));
  const std::filesystem::path file = std::filesystem::path(wh.uri()) / (s.dataset() + ".sqlite");
  const DatasetFile meta(file, s);
  const auto stored = sqlite->stored_columns(s);  // a catalog column the table lacks reads NULL
  // Each slice reads through its own connection (its own snapshot). A write
  // committed between the slices' snapshots would mix old and new rows, also
  // within one partition (a rowid slice can end inside it), so the file's data
  // version is compared before and after: any commit to the file since
  // repeats the read, finally on one connection. (The table's extent, row
  // count and rowid range, compared before, missed a rerun that overwrites a
  // partition in place with as many rows: same rowids.)
  for (int attempt = 0;; ++attempt) {
    const int64_t version = meta.data_version();
    const auto [total, lo, hi] = meta.extent();
    const int k = attempt < 2 ? workers : 1;
    std::vector<Slice> slices;
    int64_t wanted = total;
    if (range) {
      const auto counts = wh.partition_counts(s, range);
      wanted = 0;
      for (const auto& [d, c] : counts) wanted += c;
      // A small part of the table reads faster through the date index than by a
      // full scan.
      if (wanted * 4 < total) slices = date_slices(counts, *range, k);
    }
    if (slices.empty()) {
      const int n = total < kParallelReadRows ? 1 : k;
      const int64_t span = (hi - lo) / n + 1;
      for (int i = 0; i < n; ++i) {
        const int64_t a = lo + i * span;
        slices.push_back(Slice{true, a, i + 1 == n ? hi : a + span - 1, range});
      }
    }
    // Pinning checkpoints the log: not in a warehouse opened read-only.
    if (attempt == 0 && slices.front().by_rowid && !sqlite->read_only()) {
      if (auto pinned = read_pinned(file, s, defs, range, workers, static_cast<size_t>(wanted))) {
        return {std::move(*pinned), true};
      }
    }
    const size_t expect = static_cast<size_t>(wanted) / slices.size() + 1;
    std::vector<FramePart> parts = read_slices(file, s, defs, slices, expect, *stored);
    if (slices.size() == 1 || meta.data_version() == version) return {std::move(parts), true};
  }
}

#ifdef NBAPROPS_SQLITE_BUNDLED
constexpr bool kSqliteBundled = true;  // built on SQLite's amalgamation (cmake/BundledSQLite.cmake)
#else
constexpr bool kSqliteBundled = false;
#endif

}  // namespace

void bind_warehouse(pyb::module_& m) {
  pyb::class_<Warehouse, std::shared_ptr<Warehouse>>(m, "Warehouse", "A warehouse (SQLite directory).")
      .def_property_readonly("uri", &Warehouse::uri)
      .def(
          "read",
          [](Warehouse& wh, const std::string& table, std::optional<int32_t> start, std::optional<int32_t> end,
             const std::vector<std::string>& columns, bool categorical) {
            const TableSchema& s = catalog::get(table);
            const Table projection(s, columns);  // validates the column names
            std::vector<const ColumnDef*> defs;
            for (size_t i = 0; i < projection.num_columns(); ++i) defs.push_back(&projection.def(i));
            // The rows come ordered by partition date, then key, as
            // Warehouse::read orders them; sort columns outside the projection
            // are read too, and dropped.
            RowOrder order;
            order.outputs = defs.size();
            std::vector<const ColumnDef*> read_defs = defs;
            std::vector<std::string> sort_names{s.partition_column};
            sort_names.insert(sort_names.end(), s.key_columns.begin(), s.key_columns.end());
            for (const std::string& name : sort_names) {
              int idx = projection.index_of(name);
              if (idx < 0) {
                idx = static_cast<int>(read_defs.size());
                read_defs.push_back(&s.column(name));
              }
              order.sort_by.push_back(static_cast<size_t>(idx));
            }
            std::vector<FramePart> parts;
            {
              pyb::gil_scoped_release release;
              auto [read, unsorted] = read_parts(wh, s, range_of(start, end), read_defs);
              parts = std::move(read);
              if (!unsorted) order.sort_by.clear();
            }
            return frame_to_python(s, read_defs, parts, order, categorical ? TextMode::kCategory : TextMode::kObject);
          },
          pyb::arg("table"), pyb::arg("start") = std::nullopt, pyb::arg("end") = std::nullopt,
          pyb::arg("columns") = std::vector<std::string>{}, pyb::arg("categorical") = false,
          "Rows of a table (partition date in [start, end]) as numpy columns "
          "for _frames.to_frame.")
      .def(
          "partition_counts",
          [](Warehouse& wh, const std::string& table, std::optional<int32_t> start, std::optional<int32_t> end) {
            const TableSchema& s = catalog::get(table);
            std::map<Date, int64_t> counts;
            {
              pyb::gil_scoped_release release;
              counts = wh.partition_counts(s, range_of(start, end));
            }
            std::map<int32_t, int64_t> out;
            for (auto& [d, n] : counts) out[d.days()] = n;
            return out;
          },
          pyb::arg("table"), pyb::arg("start") = std::nullopt, pyb::arg("end") = std::nullopt)
      .def(
          "partition_hashes",
          [](Warehouse& wh, const std::string& table, std::optional<int32_t> start, std::optional<int32_t> end) {
            const TableSchema& s = catalog::get(table);
            std::map<Date, std::string> hashes;
            {
              pyb::gil_scoped_release release;
              hashes = wh.partition_hashes(s, range_of(start, end));
            }
            std::map<int32_t, std::string> out;
            for (auto& [d, h] : hashes) out[d.days()] = std::move(h);
            return out;
          },
          pyb::arg("table"), pyb::arg("start") = std::nullopt, pyb::arg("end") = std::nullopt)
      .def(
          "has_table",
          [](Warehouse& wh, const std::string& table) {
            const TableSchema& s = catalog::get(table);
            pyb::gil_scoped_release release;
            return wh.has_table(s);
          },
          pyb::arg("table"))
      .def("_inject_write_during_read",
           [](Warehouse&, const std::string& sql) {
             std::lock_guard lock(g_injected_mu);
             g_injected_write = sql;
           })
      .def("_inject_write_failure_after", [](Warehouse& wh, int64_t rows) {
        auto* sq = dynamic_cast<SqliteWarehouse*>(&wh);
        if (!sq) throw ConfigError("write-failure injection is only available on SQLite warehouses");
        sq->inject_write_failure_after(rows);
      });
  m.def(
      "sqlite_library",
      [] {
        // The libsqlite3 this process loaded: the one built with nbaprops, or one loaded before it
        // (cmake/BundledSQLite.cmake: one copy per process).
        Dl_info info{};
        const bool found = dladdr(reinterpret_cast<void*>(&sqlite3_libversion), &info) != 0;
        const std::string source_id = sqlite3_sourceid();
        pyb::dict out;
        out["version"] = std::string(sqlite3_libversion());
        out["source_id"] = source_id;
        out["path"] = found && info.dli_fname ? std::string(info.dli_fname) : std::string();
        out["built_with_nbaprops"] = kSqliteBundled;
        out["bundled"] = kSqliteBundled && source_id == SQLITE_SOURCE_ID;
        return out;
      },
      "The SQLite library in use: version, source_id, path, built_with_nbaprops (this build bundles one) and "
      "bundled (the one in use is it).");
  m.def(
      "read_only_uri", [](const std::string& file) { return sqlite_read_only_uri(file); }, pyb::arg("file"),
      "The URI that opens a SQLite warehouse's database file for reading only (the warehouse's own rule: "
      "immutable=1 in a directory that cannot be written, else mode=ro; file::memory: for a missing file).");
  m.def(
      "open_warehouse",
      [](const std::string& uri) {
        pyb::gil_scoped_release release;
        return std::shared_ptr<Warehouse>(open_warehouse(uri));
      },
      pyb::arg("uri"), "Open (creating if needed) a warehouse directory.");
}

}  // namespace nbaprops::py
