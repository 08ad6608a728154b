#include "nbaprops/warehouse/sqlite_warehouse.hpp"

#include "nbaprops/core/content_hash.hpp"
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <numeric>
#include <set>
#include <tuple>
#include <type_traits>
#include <unordered_map>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/warehouse/sqlite_file.hpp"
#include "warehouse/catalog_drift.hpp"
#include "warehouse/sqlite_checkpointer.hpp"
#include "warehouse/sqlite_wal_vfs.hpp"
#include "warehouse/sqlite_internal.hpp"
#include "warehouse/sqlite_row_source.hpp"

namespace nbaprops {
namespace fs = std::filesystem;
using sqlite_detail::Connection;
using sqlite_detail::RowSource;
using sqlite_detail::Statement;
using sqlite_detail::Transaction;

namespace {

/// SQLite's memory statistics (on by default) take one process-wide mutex in
/// every sqlite3_malloc and sqlite3_free: with two workers writing, each
/// inserted row's record buffer made the other worker's thread sleep on that
/// mutex (perf sched: about 40 % of the workers' switches to idle in a
/// cascade). Turned off when the library loads, before any connection opens
/// (it can only be set before SQLite initialises: where the host process
/// opened SQLite first, e.g. with Python's sqlite3, the call fails and nothing
/// changes). The statistics (sqlite3_memory_used, heap limits) are not used.
[[maybe_unused]] const int kMemstatusOff = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);

std::string quote(const std::string& ident) { return "\"" + ident + "\""; }
std::string qualified(const TableSchema& s) { return quote(s.dataset()) + "." + quote(s.table()); }

const char* sql_type(ColumnType t) {
  switch (storage_of(t)) {
    case Storage::kInt:
      return t == ColumnType::kDate ? "TEXT" : "INTEGER";
    case Storage::kReal:
      return "REAL";
    case Storage::kText:
      return "TEXT";
  }
  return "TEXT";
}

/// The run logs' dataset: its file commits after every data file (datasets()).
constexpr const char* kLogDataset = "nba_orchestration";
/// The run ledger. Its date index also orders each date's rows by processor
/// and time: a unit's newest rows are found there (newest_ledger_rows),
/// whatever the ledger's history holds beside them, at the cost of the date
/// index alone (a second index would add a page to every unit's commit).
constexpr const char* kLedgerTable = "nba_orchestration.run_ledger";
constexpr const char* kLedgerIndexColumns = "(unit_date, processor, finished_at)";
/// Each dataset file's own table of partition content hashes (not a catalog
/// table: bookkeeping of the file it lives in).
constexpr const char* kHashTable = "nbaprops_partition_hashes";
/// Pages of WAL before an automatic checkpoint (SQLite default: 1000).
constexpr int kWalAutocheckpointPages = 10000;

/// The datasets in attach order, which is commit order: in WAL mode SQLite
/// commits a transaction that spans files one file after the other, in the
/// order they were attached, and a crash in between leaves the earlier files
/// committed and the later ones not. The run logs (ledger, failures) come last,
/// so a crash can leave a unit's output committed without its ledger row (a
/// resume recomputes it), never a ledger row claiming an output that is not
/// there. Partition hashes live in the data file they describe, so a hash
/// always matches the rows it is stored with.
std::vector<std::string> datasets() {
  std::set<std::string> names;
  for (const auto& t : catalog::all()) names.insert(t.dataset());
  std::vector<std::string> out;
  for (const auto& n : names) {
    if (n != kLogDataset) out.push_back(n);
  }
  if (names.count(kLogDataset)) out.push_back(kLogDataset);
  return out;
}

/// Fast YYYY-MM-DD → Date for stored values (validated). The error names the
/// table and column; that text is built only for a value that fails (this
/// runs once per stored row read).
Date parse_stored_date(const unsigned char* txt, int len, const TableSchema& s, const std::string& col) {
  std::string_view v(reinterpret_cast<const char*>(txt), static_cast<size_t>(len));
  try {
    return Date::parse(v);
  } catch (const DataError&) {
    try {
      Date::parse(v, s.name + "." + col);  // the same failure, worded with where the value is stored
    } catch (const DataError& e) {
      throw DataError(std::string("stored value unreadable: ") + e.what());
    }
    throw;
  }
}

/// The name of the index ensure_table creates on a table's partition column.
std::string partition_index_name(const TableSchema& s) { return "ix_" + s.table() + "_" + s.partition_column; }

/// Ranges of at least this many days are counted from the index's pages (see
/// partition_counts).
constexpr int kPageCountMinDays = 28;

bool writable(const fs::path& p) { return ::access(p.c_str(), W_OK) == 0; }

/// A file: URI for sqlite3_open_v2/ATTACH (with SQLITE_OPEN_URI): '%', '?' and
/// '#' escaped.
std::string file_uri(const fs::path& path, const std::string& query) {
  std::string out = "file:";
  for (char c : path.string()) {
    if (c == '%' || c == '?' || c == '#') {
      static const char* hex = "0123456789ABCDEF";
      out += '%';
      out += hex[(static_cast<unsigned char>(c) >> 4) & 0xF];
      out += hex[static_cast<unsigned char>(c) & 0xF];
    } else {
      out += c;
    }
  }
  return out + "?" + query;
}

/// How a read-only warehouse opens one database file: a missing file reads as
/// an empty in-memory database; in a directory SQLite cannot write, a WAL
/// database opens only as immutable (it cannot create the -shm index), unless a
/// writer left a non-empty -wal behind (then mode=ro, so its committed pages
/// are read).
std::string read_only_uri(const fs::path& file, bool dir_writable) {
  if (!fs::exists(file)) return "file::memory:";
  fs::path wal = file;
  wal += "-wal";
  std::error_code ec;
  const bool live_wal = fs::exists(wal) && fs::file_size(wal, ec) > 0;
  return file_uri(file, dir_writable || live_wal ? "mode=ro" : "immutable=1");
}

}  // namespace

std::string sqlite_read_only_uri(const fs::path& file) {
  const fs::path dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  return read_only_uri(file, writable(dir));
}

SqliteWarehouse::SqliteWarehouse(fs::path dir, bool read_only)
    : dir_(std::move(dir)), checkpoint_pages_(kWalAutocheckpointPages) {
  std::error_code ec;
  if (read_only) {
    if (!fs::is_directory(dir_, ec)) throw StorageError("read-only warehouse " + dir_.string() + " does not exist");
    read_only_reason_ = "opened read-only on request";
  } else if (fs::is_directory(dir_, ec) && !writable(dir_)) {
    read_only_reason_ = "the directory is not writable";
  } else {
    fs::create_directories(dir_, ec);
    if (ec) throw StorageError("cannot create warehouse directory " + dir_.string() + ": " + ec.message());
    for (const auto& entry : fs::directory_iterator(dir_, ec)) {
      if (entry.path().extension() == ".sqlite" && !writable(entry.path())) {
        read_only_reason_ = entry.path().filename().string() + " is not writable";
        break;
      }
    }
  }
  if (!read_only_reason_.empty()) {
    NBAPROPS_LOG_INFO << "warehouse " << dir_.string() << " opened read-only: " << read_only_reason_;
  }
  const auto order = datasets();
  for (size_t i = 0; i < order.size(); ++i) {
    file_mu_.try_emplace(order[i], std::piecewise_construct, std::forward_as_tuple(i), std::forward_as_tuple());
    wrote_.try_emplace(order[i], false);
  }
  // Open one connection eagerly so configuration errors surface here.
  release(acquire());
  if (read_only_reason_.empty()) {
    checkpointer_ = std::make_unique<sqlite_detail::BackgroundCheckpointer>(
        [this](const std::map<std::string, int>& due) { checkpoint_now(due); });
  }
}

std::mutex& SqliteWarehouse::file_mutex(const std::string& dataset) {
  auto it = file_mu_.find(dataset);
  if (it == file_mu_.end()) throw ConfigError("SQLite warehouse: no dataset file '" + dataset + "' in the catalog");
  wrote_.at(dataset).store(true);  // its writers' mutex is taken to write
  return it->second.second;
}

void SqliteWarehouse::require_writable(const std::string& what) const {
  if (read_only_reason_.empty()) return;
  throw StorageError("warehouse " + dir_.string() + " is read-only (" + read_only_reason_ + "): cannot write " + what);
}

SqliteWarehouse::~SqliteWarehouse() = default;

std::unique_ptr<Connection> SqliteWarehouse::acquire() {
  {
    std::lock_guard lock(pool_mu_);
    if (!pool_.empty()) {
      auto c = std::move(pool_.back());
      pool_.pop_back();
      return c;
    }
  }
  sqlite3* raw = nullptr;
  const fs::path main = dir_ / "warehouse.sqlite";
  const bool ro = !read_only_reason_.empty();
  const bool dir_writable = writable(dir_);
  const std::string target = ro ? read_only_uri(main, dir_writable) : main.string();
  const int flags =
      (ro ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  // Every attached file opens through the same VFS: one that writes a log's
  // frames a commit at a time (sqlite_wal_vfs.hpp).
  int rc = sqlite3_open_v2(target.c_str(), &raw, flags, sqlite_detail::gathering_wal_vfs());
  if (rc != SQLITE_OK) {
    std::string m = raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    throw StorageError("cannot open SQLite warehouse " + main.string() + (ro ? " (read-only)" : "") + ": " + m);
  }
  auto conn = std::make_unique<Connection>(raw);
  // A double-quoted name that is no column is an error, not a string literal
  // (SQLite's legacy misfeature, which read a missing column as its name).
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  sqlite3_busy_timeout(raw, 60000);
  try {
    sqlite_detail::register_row_source(raw);
    if (!ro) conn->exec("PRAGMA journal_mode=WAL");
    for (const auto& ds : datasets()) {
      const fs::path file = dir_ / (ds + ".sqlite");
      const std::string name = ro ? read_only_uri(file, dir_writable) : file.string();
      Statement att(raw, "ATTACH DATABASE ? AS " + quote(ds));
      sqlite3_bind_text(att.get(), 1, name.c_str(), -1, SQLITE_TRANSIENT);
      att.step();
      if (ro) continue;
      conn->exec("PRAGMA " + quote(ds) + ".journal_mode=WAL");
      conn->exec("PRAGMA " + quote(ds) + ".synchronous=NORMAL");
    }
    // A unit's commit rewrites the tail pages of the tables it appends to; a
    // larger WAL before each checkpoint copies each such page into the
    // database file once per ~40 MB of commits instead of once per ~4 MB
    // (measured: ~10 % less CPU for a demo season's cascade). The checkpoint
    // runs on the background checkpointer's thread, asked for after the commit
    // that fills the WAL: not inside that COMMIT (which held the run logs'
    // file, needed by every unit's commit, for the whole copy), and not in the
    // unit that committed either (sqlite_checkpointer.hpp).
    if (!ro) conn->defer_checkpoints(checkpoint_pages_.load());
  } catch (const StorageError& e) {
    throw StorageError("cannot open SQLite warehouse " + dir_.string() + ": " + e.what(), e.transient());
  }
  return conn;
}

void SqliteWarehouse::checkpoint_after_pages(int pages) {
  std::lock_guard lock(pool_mu_);
  checkpoint_pages_ = pages;
  if (!read_only()) {
    for (auto& c : pool_) c->defer_checkpoints(pages);
  }
}

void SqliteWarehouse::release(std::unique_ptr<Connection> c) {
  std::lock_guard lock(pool_mu_);
  pool_.push_back(std::move(c));
}

namespace {

/// A PASSIVE checkpoint of attached file @p name on @p c. The pragma, not
/// sqlite3_wal_checkpoint_v2: on a connection that has not read the file yet
/// (a pool connection, say) the call finds no log open and copies nothing. A
/// file another connection (or process) is checkpointing is skipped (busy):
/// that one copies the frames. Never throws: it runs after a commit, which a
/// failed checkpoint does not undo (the frames stay in the log, where SQLite
/// reads them, for a later checkpoint).
void checkpoint_passive(Connection& c, const std::string& name) noexcept {
  try {
    Statement& st = c.prepared("PRAGMA " + quote(name) + ".wal_checkpoint(PASSIVE)");
    while (st.step()) {
    }
    st.reset();
  } catch (const std::exception& e) {
    NBAPROPS_LOG_WARN << "checkpoint of " << name << " failed (left to a later one): " << e.what();
  }
}

}  // namespace

std::map<std::string, int> SqliteWarehouse::checkpoint_full_logs(Connection& c) {
  std::map<std::string, int> due = c.take_due_checkpoints();
  for (auto it = due.begin(); it != due.end();) {
    // The background checkpointer copies beside the writers, and SQLite
    // restarts a log only at a write transaction that began after a
    // checkpoint copied all of it. A pipeline's units compute between their
    // writes, so it catches up; writers that never pause would keep it behind
    // and the log growing. A log twice the threshold is checkpointed here,
    // by the writer that filled it, before any writer of the file begins
    // again (the file's lock is still held).
    if (it->second >= 2 * checkpoint_pages_.load()) {
      if (checkpointer_) checkpointer_->wait_idle();  // not busy with this log
      checkpoint_passive(c, it->first);
      it = due.erase(it);
    } else {
      ++it;
    }
  }
  return due;
}

void SqliteWarehouse::checkpoint_later(Connection& c, const std::map<std::string, int>& due) {
  if (due.empty()) return;
  if (checkpointer_ && background_io_.load()) {
    checkpointer_->request(due);
  } else {
    for (const auto& entry : due) checkpoint_passive(c, entry.first);
  }
}

void SqliteWarehouse::checkpoint_now(const std::map<std::string, int>& due) {
  auto c = acquire();
  for (const auto& entry : due) checkpoint_passive(*c, entry.first);
  release(std::move(c));
}

void SqliteWarehouse::wait_for_checkpoints() {
  if (checkpointer_) checkpointer_->wait_idle();
}

namespace {

/// The columns of @p schema's partition index, in parentheses.
std::string partition_index_columns(const TableSchema& schema) {
  return schema.name == kLedgerTable ? kLedgerIndexColumns : "(" + quote(schema.partition_column) + ")";
}

}  // namespace

bool SqliteWarehouse::has_table(const TableSchema& schema) {
  {
    std::lock_guard lock(ddl_mu_);
    if (known_tables_.count(schema.name)) return true;
  }
  auto c = acquire();
  bool found = false;
  {
    Statement st(c->get(), "SELECT 1 FROM " + quote(schema.dataset()) + ".sqlite_master WHERE type='table' AND name=?");
    sqlite3_bind_text(st.get(), 1, schema.table().c_str(), -1, SQLITE_TRANSIENT);
    found = st.step();
  }
  release(std::move(c));
  if (found) {
    std::lock_guard lock(ddl_mu_);
    known_tables_.insert(schema.name);
  }
  return found;
}

std::shared_ptr<const std::set<std::string>> SqliteWarehouse::stored_columns(const TableSchema& schema) {
  {
    std::lock_guard lock(ddl_mu_);
    if (auto it = stored_columns_.find(schema.name); it != stored_columns_.end()) return it->second;
  }
  auto c = acquire();
  try {
    auto out = stored_columns_on(*c, schema);
    release(std::move(c));
    return out;
  } catch (...) {
    release(std::move(c));
    throw;
  }
}

std::shared_ptr<const std::set<std::string>> SqliteWarehouse::stored_columns_on(sqlite_detail::Connection& c,
                                                                                const TableSchema& schema) {
  {
    std::lock_guard lock(ddl_mu_);
    if (auto it = stored_columns_.find(schema.name); it != stored_columns_.end()) return it->second;
  }
  auto names = std::make_shared<std::set<std::string>>();
  {
    Statement st(c.get(), "PRAGMA " + quote(schema.dataset()) + ".table_info(" + quote(schema.table()) + ")");
    while (st.step()) names->emplace(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1)));
  }
  const bool complete = std::all_of(schema.columns.begin(), schema.columns.end(),
                                    [&](const ColumnDef& col) { return names->count(col.name) > 0; });
  if (complete) {
    std::lock_guard lock(ddl_mu_);
    stored_columns_.emplace(schema.name, names);
  }
  return names;
}

namespace {

/// @p name as a select-list or ORDER BY term: the column, or NULL when the
/// stored table lacks it (stored_columns).
std::string column_ref(const std::string& name, const std::set<std::string>& stored) {
  return stored.count(name) ? quote(name) : "NULL";
}

/// @p name as a select-list item: the column, or NULL AS it.
std::string select_item(const std::string& name, const std::set<std::string>& stored) {
  return stored.count(name) ? quote(name) : "NULL AS " + quote(name);
}

/// @p s upper-cased (SQLite's declared types compare without case).
std::string upper(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

void SqliteWarehouse::ensure_columns(const TableSchema& schema) {
  {
    std::lock_guard lock(ddl_mu_);
    if (columns_checked_.count(schema.name)) return;
  }
  std::map<std::string, std::string> stored;  // name → declared type
  {
    auto c = acquire();
    try {
      Statement st(c->get(), "PRAGMA " + quote(schema.dataset()) + ".table_info(" + quote(schema.table()) + ")");
      while (st.step()) {
        stored[reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1))] =
            upper(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 2)));
      }
    } catch (...) {
      release(std::move(c));
      throw;
    }
    release(std::move(c));
  }
  const std::string where = "warehouse " + dir_.string() + ": " + schema.name;
  const auto missing = warehouse_detail::catalog_columns_missing(
      schema, std::move(stored), [](const ColumnDef& col) { return std::string(sql_type(col.type)); }, where);
  if (!missing.empty()) {
    require_writable(schema.name + " (its new column(s) " + warehouse_detail::column_names(missing) + ")");
    std::lock_guard wlock(file_mutex(schema.dataset()));
    auto c = acquire();
    try {
      for (const ColumnDef* col : missing) {
        c->exec("ALTER TABLE " + qualified(schema) + " ADD COLUMN " + quote(col->name) + " " + sql_type(col->type));
      }
    } catch (...) {
      release(std::move(c));
      throw;
    }
    release(std::move(c));
    {
      std::lock_guard lock(ddl_mu_);
      stored_columns_.erase(schema.name);
    }
    warehouse_detail::log_columns_added(where, missing);
  }
  std::lock_guard lock(ddl_mu_);
  columns_checked_.insert(schema.name);
}

void SqliteWarehouse::ensure_table(const TableSchema& schema) {
  if (has_table(schema)) {
    ensure_columns(schema);
    if (schema.name == kLedgerTable) ensure_ledger_index();
    return;
  }
  require_writable(schema.name);
  std::string ddl = "CREATE TABLE IF NOT EXISTS " + qualified(schema) + " (";
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const auto& c = schema.columns[i];
    ddl += (i ? ", " : "") + quote(c.name) + " " + sql_type(c.type);
  }
  ddl += ")";
  std::string idx = "CREATE INDEX IF NOT EXISTS " + quote(schema.dataset()) + "." +
                    quote(partition_index_name(schema)) + " ON " + quote(schema.table()) +
                    partition_index_columns(schema);
  std::lock_guard wlock(file_mutex(schema.dataset()));
  auto c = acquire();
  try {
    c->exec(ddl);
    c->exec(idx);
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
  std::lock_guard lock(ddl_mu_);
  known_tables_.insert(schema.name);
  columns_checked_.insert(schema.name);  // created from the catalog
}

namespace {

/// Whether SQLite orders key cell @p v of the current row as read_ordered
/// decodes it: a NULL, or a value of the column's own storage class (a date as
/// ISO text, whose bytes order as its days).
bool orders_as_decoded(sqlite3_value* v, ColumnType type, Storage storage) {
  switch (sqlite3_value_type(v)) {
    case SQLITE_NULL:
      return true;
    case SQLITE_INTEGER:
      return type != ColumnType::kDate && storage != Storage::kText;
    case SQLITE_FLOAT:
      return storage == Storage::kReal;
    case SQLITE_TEXT: {
      if (type != ColumnType::kDate) return storage == Storage::kText;
      const unsigned char* t = sqlite3_value_text(v);
      return sqlite3_value_bytes(v) == 10 && t[4] == '-' && t[7] == '-';
    }
    default:
      return false;
  }
}

/// The text of @p v (converted as sqlite3_column_text converts).
std::string_view text_of(sqlite3_value* v) {
  const auto* txt = reinterpret_cast<const char*>(sqlite3_value_text(v));
  return {txt, static_cast<size_t>(sqlite3_value_bytes(v))};
}

/// Puts rows [begin, begin + order.size()) of @p t in the order @p order gives
/// (row begin + i becomes the old row order[i]).
void reorder_rows(Table& t, size_t begin, const std::vector<size_t>& order) {
  auto apply = [&](auto& cells) {
    std::vector<typename std::decay_t<decltype(cells)>::value_type> moved;
    moved.reserve(order.size());
    for (size_t r : order) moved.push_back(cells[r]);
    std::copy(moved.begin(), moved.end(), cells.begin() + static_cast<std::ptrdiff_t>(begin));
  };
  for (size_t c = 0; c < t.num_columns(); ++c) {
    Column& col = t.col(c);
    apply(col.valid());
    switch (col.storage()) {
      case Storage::kInt:
        apply(col.ints());
        break;
      case Storage::kReal:
        apply(col.reals());
        break;
      case Storage::kText:
        apply(col.texts());
        break;
    }
  }
}

/// The cells a read fills: the requested columns (out) and, with keys, the
/// partition and key columns the request left out, read beside them to order
/// the rows (then dropped).
struct ReadCells {
  Table out;
  std::optional<Table> beside;
  std::vector<std::string> select;  ///< out's columns, then beside's
  size_t part = 0;                  ///< the partition column's position in select (with keys)
  std::vector<size_t> key_at;       ///< the key columns' positions in select (with keys)
  std::vector<Column*> dst;         ///< the column of each position in select

  ReadCells(const TableSchema& schema, const std::vector<std::string>& columns, bool with_keys)
      : out(schema, columns), select(out.column_names()) {
    const size_t ncol = out.num_columns();
    auto position = [this](const std::string& name) {
      const auto it = std::find(select.begin(), select.end(), name);
      if (it != select.end()) return static_cast<size_t>(it - select.begin());
      select.push_back(name);
      return select.size() - 1;
    };
    if (with_keys) {
      part = position(schema.partition_column);
      for (const auto& k : schema.key_columns) key_at.push_back(position(k));
    }
    if (select.size() > ncol) beside.emplace(schema, std::vector<std::string>(select.begin() + ncol, select.end()));
    dst.resize(select.size());
    for (size_t i = 0; i < select.size(); ++i) dst[i] = i < ncol ? &out.col(i) : &beside->col(i - ncol);
  }
  ReadCells(const ReadCells&) = delete;  // dst points into the tables
  ReadCells& operator=(const ReadCells&) = delete;

  /// Makes room for row @p row (rows added in bulk, NULL).
  void room_for(size_t row) {
    if (row < out.num_rows()) return;
    rows(row < 256 ? 256 : 2 * row);
  }
  /// Sizes the cells for @p n rows, all NULL (when the count is known ahead).
  void rows(size_t n) {
    out.resize(n);
    if (beside) beside->resize(n);
  }
  /// @return the key columns (with keys).
  [[nodiscard]] std::vector<const Column*> keys() const {
    std::vector<const Column*> k;
    for (size_t i : key_at) k.push_back(dst[i]);
    return k;
  }
};

/// The last text (interned) and date seen per column of a read. Rows come
/// sorted by date (and mostly by key), so a column often repeats the previous
/// row's value: a repeat is answered without hashing or parsing it again. It
/// holds the texts it interns (a reader that hashes rows has no column).
///
/// A `data_hash` column (a row's own hash: a new text in every row, matched by
/// value and never by address, like the ones the processors write with
/// Column::set_unique_text) takes unique_cell texts: interning them looked
/// each up in the pool's index, where it never was, and then indexed it.
class RepeatCache {
 public:
  explicit RepeatCache(const std::vector<std::string>& select)
      : text_(select.size(), nullptr), unique_(select.size(), 0), date_(select.size()) {
    for (size_t i = 0; i < select.size(); ++i) unique_[i] = select[i] == "data_hash" ? 1 : 0;
  }
  /// The interned text @p v of column @p i (a unique cell in a data_hash
  /// column).
  const std::string* text(size_t i, std::string_view v) {
    if (text_[i] == nullptr || *text_[i] != v) text_[i] = unique_[i] != 0 ? unique_cell(v) : intern_cell(v);
    return text_[i];
  }
  /// The days of date text @p v of column @p i; @p parse() parses a new one.
  template <class Parse>
  int64_t date(size_t i, std::string_view v, Parse&& parse) {
    auto& last = date_[i];
    if (!last || v != last->first) last.emplace(std::string(v), parse());
    return last->second;
  }

 private:
  TextPoolUse holds_texts_;
  std::vector<const std::string*> text_;
  std::vector<uint8_t> unique_;  ///< per column: a data_hash column
  std::vector<std::optional<std::pair<std::string, int64_t>>> date_;
};

/// The SELECT of read_ordered: @p select over @p range (two parameters), by
/// date, then rowid (keys sorted here) or the key columns.
std::string ordered_select(const TableSchema& schema, const std::vector<std::string>& select, bool has_range,
                           bool sort_keys_here, const std::set<std::string>& stored) {
  std::string sql = "SELECT ";
  for (size_t i = 0; i < select.size(); ++i) sql += (i ? ", " : "") + select_item(select[i], stored);
  sql += " FROM " + qualified(schema);
  if (has_range) sql += " WHERE " + quote(schema.partition_column) + " BETWEEN ? AND ?";
  sql += " ORDER BY " + quote(schema.partition_column);
  if (sort_keys_here) {
    sql += ", rowid";
  } else {
    for (const auto& k : schema.key_columns) sql += ", " + column_ref(k, stored);
  }
  return sql;
}

/// Puts each run of one date (rows [@p date_starts[k], @p date_starts[k+1]))
/// in key order, a stable sort; a run already in order is only checked.
void sort_date_runs(Table& out, const std::vector<const Column*>& keys, const std::vector<size_t>& date_starts) {
  auto less = [&keys](size_t a, size_t b) { return key_less(keys, a, b); };
  std::vector<size_t> order;
  for (size_t r = 0; r + 1 < date_starts.size(); ++r) {
    const size_t begin = date_starts[r], end = date_starts[r + 1];
    order.resize(end - begin);
    std::iota(order.begin(), order.end(), begin);
    if (std::is_sorted(order.begin(), order.end(), less)) continue;
    std::stable_sort(order.begin(), order.end(), less);
    reorder_rows(out, begin, order);
  }
}

/// Stores SQLite value @p val (not NULL) of select column @p i in row @p row
/// of @p col, converted as sqlite3_value_* converts.
void store_value(Column& col, size_t row, sqlite3_value* val, size_t i, ColumnType type, RepeatCache& repeats,
                 const TableSchema& schema, const std::string& name) {
  if (type == ColumnType::kDate) {
    const std::string_view v = text_of(val);
    col.set_int(row, repeats.date(i, v, [&] {
      return parse_stored_date(reinterpret_cast<const unsigned char*>(v.data()), static_cast<int>(v.size()), schema,
                               name)
          .days();
    }));
    return;
  }
  switch (col.storage()) {
    case Storage::kInt:
      col.set_int(row, sqlite3_value_int64(val));
      break;
    case Storage::kReal:
      col.set_real(row, sqlite3_value_double(val));
      break;
    case Storage::kText:
      col.set_text_ptr(row, repeats.text(i, text_of(val)));
      break;
  }
}

/// Reads @p columns of @p schema over @p range in the warehouse's row order:
/// by partition date, then by key (key_less), ties in rowid order.
///
/// With @p sort_keys_here, SQLite orders by date and rowid only, which the date
/// index gives as it is, and each date's rows are put in key order here (a
/// stable sort, so ties keep rowid order, as SQLite's sorter keeps them; rows
/// written in key order are only checked). SQLite's sorter for the key columns
/// took a third of a block load's time. Key columns not requested are read
/// beside, for the sort. @return nullopt when a key cell would order
/// differently from its decoded value (a text in an INTEGER column, a date not
/// in ISO form): the caller then lets SQLite sort.
std::optional<Table> read_ordered(sqlite_detail::Connection& conn, const TableSchema& schema,
                                  std::optional<DateRange> range, const std::vector<std::string>& columns,
                                  bool sort_keys_here, const std::set<std::string>& stored) {
  ReadCells cells(schema, columns, sort_keys_here);
  Table& out = cells.out;
  const std::vector<std::string>& select = cells.select;
  const std::vector<Column*>& dst = cells.dst;
  const size_t part = cells.part;
  Statement st(conn.get(), ordered_select(schema, select, range.has_value(), sort_keys_here, stored));
  if (range) {
    std::string a = range->start.iso(), b = range->end.iso();
    sqlite3_bind_text(st.get(), 1, a.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, b.c_str(), -1, SQLITE_TRANSIENT);
  }
  sqlite3_stmt* s = st.get();
  const size_t nsel = select.size();
  std::vector<ColumnType> types(nsel);
  for (size_t i = 0; i < nsel; ++i) types[i] = schema.column(select[i]).type;
  RepeatCache repeats(select);
  std::vector<sqlite3_value*> vals(nsel);  // the current row's cells
  std::vector<size_t> date_starts;         // first row of each run of one stored date
  std::string run_date;
  bool run_null = false;
  size_t rows = 0;
  while (st.step()) {
    cells.room_for(rows);
    const size_t row = rows++;
    // Each cell's value fetched once, then read with the sqlite3_value_*
    // accessors (the same conversions as sqlite3_column_*, without their
    // per-call statement checks). The statement and its values are used by
    // this thread only.
    for (size_t i = 0; i < nsel; ++i) vals[i] = sqlite3_column_value(s, static_cast<int>(i));
    if (sort_keys_here) {
      for (size_t k : cells.key_at) {
        if (!orders_as_decoded(vals[k], types[k], dst[k]->storage())) return std::nullopt;
      }
      const bool is_null = sqlite3_value_type(vals[part]) == SQLITE_NULL;
      const std::string_view d = is_null ? std::string_view() : text_of(vals[part]);
      if (row == 0 || is_null != run_null || d != run_date) {
        date_starts.push_back(row);
        run_null = is_null;
        run_date.assign(d);
      }
    }
    for (size_t i = 0; i < nsel; ++i) {
      if (sqlite3_value_type(vals[i]) != SQLITE_NULL)
        store_value(*dst[i], row, vals[i], i, types[i], repeats, schema, select[i]);
    }
  }
  out.resize(rows);
  if (cells.key_at.empty()) return std::move(out);
  date_starts.push_back(rows);
  sort_date_runs(out, cells.keys(), date_starts);
  return std::move(out);
}

/// What a page read raises for a stored value of @p schema.@p name it does
/// not take: the caller reads through SQLite, which converts (or rejects) it.
sqlite_file::FileLayoutUnsupported needs_sqlite(const TableSchema& schema, const std::string& name) {
  return sqlite_file::FileLayoutUnsupported("a stored value of " + schema.name + "." + name +
                                            " needs SQLite's conversion");
}

/// Whether page field @p v is a date the pages can take: ISO text only, whose
/// bytes order as its days (SQLite orders the dates as text).
bool iso_date_text(const sqlite_file::Field& v) {
  return v.kind == sqlite_file::Field::Kind::kText && v.s.size() == 10 && v.s[4] == '-' && v.s[7] == '-';
}

/// The date of ISO text @p s of @p schema.@p name (iso_date_text), or
/// needs_sqlite when it is none (SQLite's path reports it).
Date page_date(std::string_view s, const TableSchema& schema, const std::string& name) {
  try {
    return Date::parse(s, schema.name + "." + name);
  } catch (const DataError&) {
    throw needs_sqlite(schema, name);
  }
}

/// Stores page field @p v (not NULL) of select column @p i in row @p row of
/// @p col. Only stored values whose conversion is the identity (or an integer
/// read as a real) are taken; anything else raises FileLayoutUnsupported.
void store_field(Column& col, size_t row, const sqlite_file::Field& v, size_t i, bool is_date, RepeatCache& repeats,
                 const TableSchema& schema, const std::string& name) {
  using sqlite_file::Field;
  auto unsupported = [&] { return needs_sqlite(schema, name); };
  if (is_date) {
    if (!iso_date_text(v)) throw unsupported();
    col.set_int(row, repeats.date(i, v.s, [&] { return page_date(v.s, schema, name).days(); }));
    return;
  }
  switch (col.storage()) {
    case Storage::kInt:
      if (v.kind != Field::Kind::kInt) throw unsupported();
      col.set_int(row, v.i);
      break;
    case Storage::kReal:
      if (v.kind == Field::Kind::kReal) {
        col.set_real(row, v.r);
      } else if (v.kind == Field::Kind::kInt) {
        col.set_real(row, static_cast<double>(v.i));  // as sqlite3_value_double converts
      } else {
        throw unsupported();
      }
      break;
    case Storage::kText:
      if (v.kind != Field::Kind::kText) throw unsupported();
      col.set_text_ptr(row, repeats.text(i, v.s));
      break;
  }
}

/// Rows read in rowid order put by date (@p day), then key: a stable sort, so
/// ties keep rowid order, as read_ordered's ORDER BY date, rowid and its key
/// sort keep them; rows already in order are only checked.
void sort_by_date_and_key(Table& out, const Column& day, const std::vector<const Column*>& keys) {
  auto less = [&](size_t a, size_t b) {
    const int64_t da = day.int_at(a), db = day.int_at(b);
    return da != db ? da < db : key_less(keys, a, b);
  };
  std::vector<size_t> order(out.num_rows());
  std::iota(order.begin(), order.end(), size_t{0});
  if (std::is_sorted(order.begin(), order.end(), less)) return;
  std::stable_sort(order.begin(), order.end(), less);
  reorder_rows(out, 0, order);
}

/// The leaves of a pinned table that can hold the rows of a date range.
struct RangeLeaves {
  const uint32_t* first;
  const uint32_t* last;
  size_t rows;  ///< the range's rows, as the date index counts them
};

/// Only the leaves that can hold the rows dated [@p lo, @p hi]: the date
/// index's entries in the range give their least and largest rowid (a table
/// of many seasons holds a block's rows in a small part of its leaves).
RangeLeaves range_leaves(const sqlite_file::PinnedTable& pinned, const TableSchema& schema, const std::string& lo,
                         const std::string& hi) {
  std::pair<int64_t, int64_t> rowids{0, -1};
  size_t rows = 0;
  for (const auto& [date, n] :
       pinned.count_index_texts(partition_index_name(schema), schema.partition_column, lo, hi, &rowids)) {
    rows += static_cast<size_t>(n);
  }
  const auto& leaves = pinned.leaves();
  const auto& upper = pinned.leaf_upper();
  const size_t first = std::min(
      static_cast<size_t>(std::lower_bound(upper.begin(), upper.end(), rowids.first) - upper.begin()), leaves.size());
  size_t last = static_cast<size_t>(std::lower_bound(upper.begin(), upper.end(), rowids.second) - upper.begin());
  last = rowids.first > rowids.second ? first : std::max(first, std::min(last + 1, leaves.size()));
  return RangeLeaves{leaves.data() + first, leaves.data() + last, rows};
}

/// The distinct (date, text of @p column) pairs of the rows dated in @p range,
/// read straight from the pinned table's pages: no row is built, no text
/// interned, and a pair repeating the previous row's is not looked up again.
/// Only ISO date texts and text values are taken (anything else raises
/// FileLayoutUnsupported: the caller asks SQLite, which converts as before).
std::set<std::pair<Date, std::string>> distinct_pages(const sqlite_file::PinnedTable& pinned, const TableSchema& schema,
                                                      DateRange range, const std::string& column) {
  using sqlite_file::Field;
  const size_t part = pinned.field_of(schema.partition_column), col = pinned.field_of(column);
  const std::string lo = range.start.iso(), hi = range.end.iso();
  const RangeLeaves leaves = range_leaves(pinned, schema, lo, hi);
  sqlite_file::LeafCursor cur(pinned, leaves.first, leaves.last, std::max(part, col) + 1);
  cur.keep_text_between(part, lo, hi);
  std::set<std::pair<Date, std::string>> out;
  std::string last_day, last_text;
  bool any = false;
  while (cur.next()) {
    const Field day = cur.field(part), value = cur.field(col);
    if (value.kind == Field::Kind::kNull) continue;
    if (!iso_date_text(day)) throw needs_sqlite(schema, schema.partition_column);
    if (value.kind != Field::Kind::kText) throw needs_sqlite(schema, column);
    if (any && day.s == last_day && value.s == last_text) continue;
    any = true;
    last_day.assign(day.s);
    last_text.assign(value.s);
    out.emplace(page_date(day.s, schema, schema.partition_column), last_text);
  }
  return out;
}

/// What read_ordered returns for @p range, read straight from the pages of the
/// table's database file pinned as @p pinned (sqlite_file.hpp) instead of through SQLite's
/// per-cell virtual machine: the same rows, values and order. Only stored
/// values whose conversion is the identity (or an integer read as a real) are
/// taken; anything else raises FileLayoutUnsupported, and the caller reads
/// through SQLite, which converts (or rejects) it as before.
Table read_pages(const sqlite_file::PinnedTable& pinned, const TableSchema& schema, DateRange range,
                 const std::vector<std::string>& columns) {
  using sqlite_file::Field;
  ReadCells cells(schema, columns, true);
  Table& out = cells.out;
  const std::vector<std::string>& select = cells.select;
  const std::vector<Column*>& dst = cells.dst;
  const size_t part = cells.part;
  const size_t nsel = select.size();
  std::vector<bool> is_date(nsel);
  std::vector<size_t> field(nsel);
  constexpr size_t kMissing = SIZE_MAX;  // a catalog column the stored table lacks: NULL in every row
  size_t fields = 0;
  for (size_t i = 0; i < nsel; ++i) {
    is_date[i] = schema.column(select[i]).type == ColumnType::kDate;
    field[i] = i != part && !pinned.stores(select[i]) ? kMissing : pinned.field_of(select[i]);
    if (field[i] != kMissing) fields = std::max(fields, field[i] + 1);
  }
  const std::string lo = range.start.iso(), hi = range.end.iso();
  const RangeLeaves leaves = range_leaves(pinned, schema, lo, hi);
  cells.rows(leaves.rows);  // the cells are sized once, not grown as rows come
  sqlite_file::LeafCursor cur(pinned, leaves.first, leaves.last, fields);
  cur.keep_text_between(field[part], lo, hi);
  RepeatCache repeats(select);  // as in read_ordered: a column often repeats the previous row's value
  size_t rows = 0;
  while (cur.next()) {
    cells.room_for(rows);
    const size_t row = rows++;
    for (size_t i = 0; i < nsel; ++i) {
      if (field[i] == kMissing) continue;  // the cells start NULL
      const Field v = cur.field(field[i]);
      if (v.kind != Field::Kind::kNull) store_field(*dst[i], row, v, i, is_date[i], repeats, schema, select[i]);
    }
  }
  out.resize(rows);
  // The filter let no NULL date through.
  sort_by_date_and_key(out, *dst[part], cells.keys());
  return std::move(out);
}

}  // namespace

Table SqliteWarehouse::read(const TableSchema& schema, std::optional<DateRange> range,
                            const std::vector<std::string>& columns) {
  if (!has_table(schema)) return Table(schema, columns);
  auto c = acquire();
  try {
    Table out = read_on(*c, schema, range, columns);
    release(std::move(c));
    return out;
  } catch (...) {
    release(std::move(c));
    throw;
  }
}

bool SqliteWarehouse::pages_readable(const TableSchema& schema) const {
  return !read_only() && !schema.partition_column.empty() && wrote_.count(schema.dataset()) > 0;
}

template <typename Fn>
auto SqliteWarehouse::with_pinned(const TableSchema& schema, Fn&& fn) {
  // Two of the pool's connections (the file attached, its schema parsed), not
  // two new ones: the reader holds the snapshot, the other checkpoints.
  struct Lent {
    SqliteWarehouse& wh;
    std::unique_ptr<Connection> reader, other;
    ~Lent() {
      if (reader) wh.release(std::move(reader));
      if (other) wh.release(std::move(other));
    }
  } lent{*this, acquire(), acquire()};
  // A file this object has written is pinned only while its log holds no
  // frame that is not in the file yet: copying them would sync every dirty
  // page of the file (a run's own outputs, being written), and the background
  // checkpointer may be copying them. A log settled meanwhile (checkpointed
  // by the checkpointer, another process or a close) is free to pin.
  const sqlite_file::PinnedTable pinned(dir_ / (schema.dataset() + ".sqlite"), schema.table(), lent.reader->get(),
                                        lent.other->get(), schema.dataset(), wrote_.at(schema.dataset()).load());
  return fn(pinned);  // the snapshot ends before the connections go back
}

Table SqliteWarehouse::read_block(const TableSchema& schema, DateRange range, const std::vector<std::string>& columns) {
  // The pages are read under a snapshot pinned with a checkpoint of the log
  // (sqlite_file.hpp), which writes: a read-only warehouse reads through SQLite.
  if (!pages_readable(schema) || !has_table(schema)) return read(schema, range, columns);
  try {
    Table out =
        with_pinned(schema, [&](const sqlite_file::PinnedTable& p) { return read_pages(p, schema, range, columns); });
    ++page_reads_;
    return out;
  } catch (const sqlite_file::FileLayoutUnsupported& e) {
    NBAPROPS_LOG_DEBUG << "reading " << schema.name << " " << range.start.iso() << ".." << range.end.iso()
                       << " through SQLite: " << e.what();
    return read(schema, range, columns);
  }
}

bool SqliteWarehouse::has_ledger_index() {
  {
    std::lock_guard lock(ddl_mu_);
    if (ledger_index_) return true;
  }
  const TableSchema& ledger = catalog::get(kLedgerTable);
  if (!has_table(ledger)) return false;
  auto c = acquire();
  int columns = 0;
  try {
    Statement st(c->get(),
                 "PRAGMA " + quote(ledger.dataset()) + ".index_info(" + quote(partition_index_name(ledger)) + ")");
    while (st.step()) ++columns;
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
  const bool found = columns == 3;
  std::lock_guard lock(ddl_mu_);
  ledger_index_ = ledger_index_ || found;
  return found;
}

void SqliteWarehouse::ensure_ledger_index() {
  if (read_only() || has_ledger_index()) return;
  // A ledger written before its index ordered a date's rows: the index is
  // rebuilt once (about 2 s a million rows).
  const TableSchema& ledger = catalog::get(kLedgerTable);
  const std::string name = quote(ledger.dataset()) + "." + quote(partition_index_name(ledger));
  std::lock_guard wlock(file_mutex(ledger.dataset()));
  {
    std::lock_guard lock(ddl_mu_);
    if (ledger_index_) return;  // another thread of this warehouse rebuilt it meanwhile
  }
  auto c = acquire();
  try {
    Transaction tx(*c);
    c->exec("DROP INDEX IF EXISTS " + name);
    c->exec("CREATE INDEX " + name + " ON " + quote(ledger.table()) + kLedgerIndexColumns);
    tx.commit();
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
  std::lock_guard lock(ddl_mu_);
  ledger_index_ = true;
}

Table SqliteWarehouse::newest_ledger_rows(const LedgerLookup& q) {
  if (q.units.empty() || !has_ledger_index()) return Warehouse::newest_ledger_rows(q);
  const TableSchema& ledger = catalog::get(kLedgerTable);
  const std::vector<std::string> columns = q.answer_columns();
  if (q.statuses.empty()) return Table(ledger, columns);
  ReadCells cells(ledger, columns, false);
  const std::vector<std::string>& select = cells.select;
  auto c = acquire();
  std::shared_ptr<const std::set<std::string>> stored;
  try {
    stored = stored_columns_on(*c, ledger);
  } catch (...) {
    release(std::move(c));
    throw;
  }
  std::string sql = "SELECT ";
  for (size_t i = 0; i < select.size(); ++i)
    sql += (i ? ", " : "") + select_item(ledger.column(select[i]).name, *stored);
  // The index walked backwards from the unit's newest row: rows of other
  // statuses (skips) or without a required value are passed over.
  sql += " FROM " + qualified(ledger) + " INDEXED BY " + quote(partition_index_name(ledger)) +
         " WHERE unit_date = ?2 AND processor = ?1 AND status IN (";
  for (size_t i = 0; i < q.statuses.size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 3);
  sql += ")";
  for (const std::string& r : q.required) sql += " AND " + column_ref(ledger.column(r).name, *stored) + " IS NOT NULL";
  sql += " ORDER BY finished_at DESC, rowid DESC LIMIT 1";
  std::vector<ColumnType> types(select.size());
  for (size_t i = 0; i < select.size(); ++i) types[i] = ledger.column(select[i]).type;
  RepeatCache repeats(select);
  try {
    Statement st(c->get(), sql);
    sqlite3_stmt* s = st.get();
    size_t rows = 0;
    for (const auto& [processor, date] : q.units) {
      st.reset();
      const std::string day = date.iso();
      sqlite3_bind_text(s, 1, processor.data(), static_cast<int>(processor.size()), SQLITE_STATIC);
      sqlite3_bind_text(s, 2, day.data(), static_cast<int>(day.size()), SQLITE_STATIC);
      for (size_t i = 0; i < q.statuses.size(); ++i) {
        sqlite3_bind_text(s, static_cast<int>(i + 3), q.statuses[i].data(), static_cast<int>(q.statuses[i].size()),
                          SQLITE_STATIC);
      }
      if (!st.step()) continue;
      cells.room_for(rows);
      const size_t row = rows++;
      for (size_t i = 0; i < select.size(); ++i) {
        sqlite3_value* v = sqlite3_column_value(s, static_cast<int>(i));
        if (sqlite3_value_type(v) != SQLITE_NULL)
          store_value(*cells.dst[i], row, v, i, types[i], repeats, ledger, select[i]);
      }
    }
    st.reset();
    cells.out.resize(rows);
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
  return std::move(cells.out);
}

Table SqliteWarehouse::read_on(sqlite_detail::Connection& conn, const TableSchema& schema,
                               std::optional<DateRange> range, const std::vector<std::string>& columns) {
  const auto stored = stored_columns_on(conn, schema);
  if (!schema.partition_column.empty()) {
    if (auto out = read_ordered(conn, schema, range, columns, true, *stored)) return std::move(*out);
  }
  return std::move(*read_ordered(conn, schema, range, columns, false, *stored));
}

std::map<Date, PartitionHash> SqliteWarehouse::content_hashes(const TableSchema& schema, std::optional<DateRange> range,
                                                              const std::vector<std::string>& columns) {
  if (!has_table(schema)) return {};
  auto c = acquire();
  try {
    auto out = content_hashes_on(*c, schema, range, columns);
    release(std::move(c));
    return out;
  } catch (...) {
    release(std::move(c));
    throw;
  }
}

std::map<Date, PartitionHash> SqliteWarehouse::content_hashes_on(sqlite_detail::Connection& conn,
                                                                 const TableSchema& schema,
                                                                 std::optional<DateRange> range,
                                                                 const std::vector<std::string>& columns) {
  // The cells decode as read_on decodes them (dates to days, the storage of
  // each column's type), so the hashes equal
  // partition_hashes_of(read(..., columns), columns).
  if (schema.partition_column.empty()) return {};
  std::vector<std::string> names = columns;
  if (names.empty()) {
    for (const auto& def : schema.columns) names.push_back(def.name);
  }
  RowHashBuilder hasher(names);
  const Table shape(schema, names);  // storage per column (an unknown column throws, naming it)
  const auto stored = stored_columns_on(conn, schema);
  std::string sql = "SELECT ";
  for (size_t i = 0; i < names.size(); ++i) sql += (i ? ", " : "") + select_item(names[i], *stored);
  const int part = static_cast<int>(std::find(names.begin(), names.end(), schema.partition_column) - names.begin());
  if (part == static_cast<int>(names.size())) sql += ", " + quote(schema.partition_column);  // grouped by, not hashed
  sql += " FROM " + qualified(schema);
  if (range) sql += " WHERE " + quote(schema.partition_column) + " BETWEEN ? AND ?";
  Statement st(conn.get(), sql);
  if (range) {
    const std::string a = range->start.iso(), b = range->end.iso();
    sqlite3_bind_text(st.get(), 1, a.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, b.c_str(), -1, SQLITE_TRANSIENT);
  }
  sqlite3_stmt* s = st.get();
  std::vector<uint8_t> is_date(names.size());
  for (size_t i = 0; i < names.size(); ++i) is_date[i] = schema.column(names[i]).type == ColumnType::kDate;
  auto day_of = [&](int i) {
    const unsigned char* txt = sqlite3_column_text(s, i);
    const size_t ui = static_cast<size_t>(i);
    return parse_stored_date(txt, sqlite3_column_bytes(s, i), schema,
                             ui < names.size() ? names[ui] : schema.partition_column);
  };
  std::map<Date, PartitionHash> out;
  while (st.step()) {
    if (sqlite3_column_type(s, part) == SQLITE_NULL) continue;
    hasher.start();
    for (size_t i = 0; i < names.size(); ++i) {
      if (!hasher.hashed(i)) continue;
      const int ci = static_cast<int>(i);
      if (sqlite3_column_type(s, ci) == SQLITE_NULL) {
        hasher.null(i);
      } else if (is_date[i]) {
        hasher.int64(i, day_of(ci).days());
      } else if (shape.col(i).storage() == Storage::kInt) {
        hasher.int64(i, sqlite3_column_int64(s, ci));
      } else if (shape.col(i).storage() == Storage::kReal) {
        hasher.real(i, sqlite3_column_double(s, ci));
      } else {
        const auto* txt = reinterpret_cast<const char*>(sqlite3_column_text(s, ci));
        hasher.text(i, std::string_view(txt, static_cast<size_t>(sqlite3_column_bytes(s, ci))));
      }
    }
    PartitionHash& ph = out[day_of(part)];
    ph.sum += hasher.finish();
    ++ph.rows;
  }
  return out;
}

namespace {

/// Every row of @p rows (partition column @p part) may be written: its
/// partition is one being replaced (@p allowed_dates, when given) and no
/// required column is NULL or missing. Checked in the order given, before any
/// row is bound.
void check_writable(const TableSchema& schema, const Table& rows, const Column& part,
                    const std::set<int32_t>* allowed_dates) {
  for (const auto& def : schema.columns) {
    if (def.required && rows.index_of(def.name) < 0) {
      throw DataError(schema.name + ": required column '" + def.name + "' missing from the rows written");
    }
  }
  const auto date_text = [&](size_t r) {
    return part.is_null(r) ? std::string("NULL") : Date(static_cast<int32_t>(part.int_at(r))).iso();
  };
  std::vector<size_t> required;
  for (size_t i = 0; i < rows.num_columns(); ++i) {
    if (rows.def(i).required) required.push_back(i);
  }
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    if (part.is_null(r) || (allowed_dates && !allowed_dates->count(static_cast<int32_t>(part.int_at(r))))) {
      throw DataError(schema.name + ": row " + std::to_string(r) + " has " + schema.partition_column + "=" +
                      date_text(r) + ", outside the partitions being replaced");
    }
    for (size_t i : required) {
      if (rows.col(i).is_null(r)) {
        throw DataError(schema.name + ": row " + std::to_string(r) + " (" + schema.partition_column + " " +
                        date_text(r) + "): required column '" + rows.def(i).name + "' is NULL");
      }
    }
  }
}

/// " WHERE <partition column> = ? [AND <scope column> = ?]…": the stored rows
/// of one date's partition (within the write's scope).
std::string partition_condition(const TableWrite& w, int first = 0) {
  auto param = [&](int k) { return first > 0 ? "?" + std::to_string(first + k) : std::string("?"); };
  std::string where = " WHERE " + quote(w.schema->partition_column) + " = " + param(0);
  int k = 1;
  for (const auto& [col, value] : w.scope) where += " AND " + quote(col) + " = " + param(k++);
  return where;
}

/// " FROM <table>" and partition_condition.
std::string partition_where(const TableWrite& w) { return " FROM " + qualified(*w.schema) + partition_condition(w); }

/// Binds @p iso and the scope's values to partition_condition's parameters of
/// @p st, from parameter @p first on (the scope's values stay owned by @p w).
/// @return the next parameter.
int bind_partition(sqlite3_stmt* st, const std::string& iso, const TableWrite& w, int first = 1) {
  sqlite3_bind_text(st, first, iso.c_str(), static_cast<int>(iso.size()), SQLITE_TRANSIENT);
  int p = first + 1;
  for (const auto& [col, value] : w.scope) {
    sqlite3_bind_text(st, p++, value.c_str(), static_cast<int>(value.size()), SQLITE_STATIC);
  }
  return p;
}

/// Ranges of fewer rows read every column from the source: a statement of
/// their own would cost more to prepare than the columns it saves.
constexpr size_t kMinRowsToFold = 8;
/// Statements kept per table and kind beside the unfolded one; a range whose
/// columns fold another way reads every column from the source.
constexpr size_t kMaxFoldedStatements = 8;

/// The columns a statement reading @p src takes once, as bound parameters:
/// none below kMinRowsToFold rows; else @p known when the caller found them
/// (over these rows or more), or those found here.
std::vector<uint8_t> folded_columns(const RowSource& src, const std::vector<uint8_t>* known) {
  if (known && src.end() - src.begin() >= kMinRowsToFold) return *known;
  return src.constant_columns(kMinRowsToFold);
}

/// @p w's constant columns (TableWrite::constant) when they were found with
/// the order its rows are written in (@p order), else nullptr.
const std::vector<uint8_t>* constant_hint(const TableWrite& w, const std::vector<size_t>* order) {
  const bool fits = w.constant && order && w.order == order && w.constant->size() == w.rows->num_columns();
  return fits ? w.constant : nullptr;
}

/// The name a statement is kept under: @p base, and when columns are folded
/// (@p constant: 1 for a column taken as a bound parameter), "~" and their
/// numbers.
std::string folded_name(const std::string& base, const std::vector<uint8_t>& constant) {
  std::string name = base;
  for (size_t i = 0; i < constant.size(); ++i) {
    if (constant[i] != 0) name += (name.size() == base.size() ? "~" : ",") + std::to_string(i);
  }
  return name;
}

/// The statement kept for @p base folding @p constant, or nullptr when it is
/// still to be prepared; @p name is set to the name it is kept under. A shape
/// that would be one too many for @p base folds nothing (@p constant is
/// cleared).
Statement* find_folded(Connection& c, const std::string& base, std::vector<uint8_t>& constant, std::string& name) {
  name = folded_name(base, constant);
  if (Statement* kept = c.find_prepared(name)) return kept;
  if (name.size() == base.size() || c.count_prepared(base + "~") < kMaxFoldedStatements) return nullptr;
  std::fill(constant.begin(), constant.end(), 0);
  name = base;
  return c.find_prepared(name);
}

/// Binds the folded columns' values (RowSource::bind_first) to parameters
/// @p first, first + 1, … in column order.
void bind_folded(Statement& st, RowSource& src, const std::vector<uint8_t>& constant, int first) {
  for (size_t i = 0; i < constant.size(); ++i) {
    if (constant[i] != 0) src.bind_first(st.get(), first++, i);
  }
}

/// "INSERT INTO <table> (<rows' columns>) SELECT c0, ?2, … FROM
/// nbaprops_rows(?1)": every row of a RowSource bound to ?1, in its order; a
/// column whose value is the same in every row (@p constant) is taken once,
/// from parameters ?2, ?3, … in column order (bind_folded), instead of from
/// each row. Rows of every column in schema order (a unit's output, the run
/// logs) use statements kept per table and folding, found without spelling
/// their SQL out again; other rows fold nothing (@p constant is cleared).
Statement& insert_statement(Connection& c, const TableSchema& schema, const Table& rows,
                            std::vector<uint8_t>& constant) {
  const size_t ncol = rows.num_columns();
  sqlite_detail::require_row_source_columns(ncol, schema.name);
  bool whole = ncol == schema.columns.size();
  for (size_t i = 0; whole && i < ncol; ++i) whole = &rows.def(i) == &schema.columns[i];
  std::string name;
  if (whole) {
    if (Statement* kept = find_folded(c, schema.name + "#insert", constant, name)) return *kept;
  } else {
    std::fill(constant.begin(), constant.end(), 0);
  }
  std::string sql = "INSERT INTO " + qualified(schema) + " (";
  for (size_t i = 0; i < ncol; ++i) sql += (i ? ", " : "") + quote(rows.column_names()[i]);
  sql += ") SELECT ";
  int param = 2;
  for (size_t i = 0; i < ncol; ++i) {
    sql += (i ? ", " : "") + (constant[i] != 0 ? "?" + std::to_string(param++) : "c" + std::to_string(i));
  }
  sql += " FROM nbaprops_rows(?1)";
  return whole ? c.prepared_as(name, sql) : c.prepared(sql);
}

/// "UPDATE <table> SET <folded column> = ?k, …, (<the other columns but the
/// partition's>) = (SELECT … FROM nbaprops_rows(?1) WHERE rid =
/// <table>.rowid)" and @p where (?2 on, numbered): each stored row the
/// condition selects takes the values of the source row paired with its
/// rowid; a column whose value is the same in every row (@p constant) is set
/// from parameters @p first_folded, … in column order (bind_folded). The
/// partition column is not set (its value is the stored one), so its index
/// stays as it is.
std::string update_sql(const TableSchema& schema, size_t part, const std::string& where,
                       const std::vector<uint8_t>& constant, int first_folded) {
  std::string folded, targets, values;
  int param = first_folded;
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    if (i == part) continue;
    if (constant[i] != 0) {
      folded += quote(schema.columns[i].name) + " = ?" + std::to_string(param++) + ", ";
    } else {
      targets += (targets.empty() ? "" : ", ") + quote(schema.columns[i].name);
      values += (values.empty() ? "" : ", ") + ("c" + std::to_string(i));
    }
  }
  sqlite_detail::require_row_source_columns(schema.columns.size(), schema.name);
  return "UPDATE " + qualified(schema) + " SET " + folded + "(" + targets + ") = (SELECT " + values +
         " FROM nbaprops_rows(?1) WHERE rid = " + qualified(schema) + ".rowid)" + where;
}

}  // namespace

void SqliteWarehouse::write_rows(Connection& c, const TableSchema& schema, const Table& rows,
                                 const std::set<int32_t>* allowed_dates, const std::vector<size_t>* order,
                                 const std::vector<uint8_t>* constant) {
  if (rows.num_rows() == 0) return;
  if (&rows.schema() != &schema && rows.schema().name != schema.name) {
    throw ConfigError("rows of table " + rows.schema().name + " written to " + schema.name);
  }
  int part_idx = rows.index_of(schema.partition_column);
  if (part_idx < 0) throw DataError(schema.name + ": rows lack the partition column " + schema.partition_column);
  check_writable(schema, rows, rows.col(static_cast<size_t>(part_idx)), allowed_dates);
  // Each date's rows are stored in key order, the order reads return them in,
  // so a later read of the partition only checks the order instead of sorting.
  insert_rows(c, schema, rows, order ? *order : read_back_order(schema, rows), 0, order ? constant : nullptr);
}

void SqliteWarehouse::insert_rows(Connection& c, const TableSchema& schema, const Table& rows,
                                  const std::vector<size_t>& order, size_t from,
                                  const std::vector<uint8_t>* known_constant) {
  if (from >= order.size()) return;
  RowSource src(rows, order, from, order.size());
  std::vector<uint8_t> constant = folded_columns(src, known_constant);
  Statement& st = insert_statement(c, schema, rows, constant);
  bind_folded(st, src, constant, 2);
  run_source(st, src, schema);
}

void SqliteWarehouse::run_source(Statement& st, RowSource& src, const TableSchema& schema) {
  src.fail_at(fail_after_rows_.load());
  sqlite3_bind_pointer(st.get(), 1, &src, RowSource::kPointerType, nullptr);
  try {
    st.step();
  } catch (const StorageError&) {
    st.reset();  // the source is gone when this returns
    if (src.failed_at() < 0) throw;
    fail_after_rows_ = -1;
    throw StorageError("injected write failure in " + schema.name + " after " + std::to_string(src.failed_at()) +
                       " rows");
  }
  st.reset();
}

bool SqliteWarehouse::has_triggers_or_unique_index(Connection& c, const TableSchema& schema) {
  const std::string ds = quote(schema.dataset());
  Statement& version = c.prepared("PRAGMA " + ds + ".schema_version");
  version.step();
  const int64_t now = sqlite3_column_int64(version.get(), 0);
  version.reset();
  auto& [read_at, fact] = c.schema_fact(schema.name + "#triggers_or_unique");
  if (read_at == now && now != 0) return fact;
  Statement& extras = c.prepared("SELECT 1 FROM " + ds +
                                 ".sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 UNION ALL "
                                 "SELECT 1 FROM pragma_index_list(?1, ?2) WHERE \"unique\" LIMIT 1");
  sqlite3_bind_text(extras.get(), 1, schema.table().c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(extras.get(), 2, schema.dataset().c_str(), -1, SQLITE_TRANSIENT);
  fact = extras.step();
  extras.reset();
  read_at = now;
  return fact;
}

bool SqliteWarehouse::overwrite_partition(Connection& c, const TableWrite& w, const std::set<int32_t>& allowed,
                                          const std::vector<size_t>& order) {
  const TableSchema& schema = *w.schema;
  const Table& rows = *w.rows;
  const size_t n = rows.num_rows(), ncol = rows.num_columns();
  if (w.append_only || !w.replace_key.empty() || w.dates.size() != 1 || n == 0 || ncol != schema.columns.size()) {
    return false;
  }
  // Every column, in schema order: an UPDATE keeps the stored value of a
  // column it does not set, where delete and insert would leave it NULL.
  for (size_t i = 0; i < ncol; ++i) {
    if (&rows.def(i) != &schema.columns[i]) return false;
  }
  const int part = rows.index_of(schema.partition_column);
  if (part < 0) return false;
  // The file's write lock before reading from it: a transaction that has read
  // a file cannot wait for its write lock (SQLite answers busy at once, where
  // a first write waits for another process's transaction to end). A write
  // that matches no row takes the lock and changes no page.
  Statement& lock = c.prepared("DELETE FROM " + qualified(schema) + " WHERE 0");
  lock.step();
  lock.reset();
  // Tables a user gave triggers (an audit, say) or a unique index keep the
  // delete and insert: their triggers see what a replace always was, and rows
  // overwritten one at a time could meet a key that is still stored further
  // on (a player dropped, another added) where a delete clears them all first.
  if (has_triggers_or_unique_index(c, schema)) return false;
  check_writable(schema, rows, rows.col(static_cast<size_t>(part)), &allowed);
  // The statement's shape: columns of one value in every new row are set from
  // parameters (one value in all rows is one value in the first ones too).
  std::string base = schema.name + "#overwrite";
  for (const auto& scope : w.scope) base += "," + scope.first;
  std::vector<uint8_t> constant = folded_columns(RowSource(rows, order, 0, n), constant_hint(w, &order));
  const std::vector<uint8_t> insert_constant = constant;
  constant[static_cast<size_t>(part)] = 0;  // not set
  // The subquery keeps two columns at least (a row value of one, or none,
  // would be another statement's shape).
  if (std::count(constant.begin(), constant.end(), uint8_t{0}) < 3) std::fill(constant.begin(), constant.end(), 0);
  std::string name;
  Statement* st = find_folded(c, base, constant, name);
  const int first_folded = 3 + static_cast<int>(w.scope.size());  // after the partition's ?2, ?3, …
  if (st == nullptr) {
    st = &c.prepared_as(
        name, update_sql(schema, static_cast<size_t>(part), partition_condition(w, 2), constant, first_folded));
  }
  // One UPDATE visits the stored rows of the partition in rowid order and
  // gives each the next new row in key order (RowSource::pair_next), so the
  // rows keep their rowids and rowid order stays key order. New rows left
  // over are appended after them (rowids above every stored one). A
  // partition that held more rows than it gets stops the UPDATE at the first
  // stored row without a new one: the stored rows past the n-th by rowid are
  // deleted and the UPDATE runs again (what the failed one had written is
  // undone with it or overwritten by the second: either way every row left
  // takes its new values).
  const std::string iso = w.dates.front().iso();
  size_t updated = 0;
  for (bool again = false;; again = true) {
    RowSource src(rows, order, 0, n);
    src.pair_in_rowid_order();
    bind_partition(st->get(), iso, w, 2);
    bind_folded(*st, src, constant, first_folded);
    try {
      run_source(*st, src, schema);
    } catch (const StorageError&) {
      if (again || !src.ran_out()) throw;
      Statement& del = c.prepared("DELETE FROM " + qualified(schema) + " WHERE rowid IN (SELECT rowid" +
                                  partition_where(w) + " ORDER BY rowid LIMIT -1 OFFSET ?)");
      sqlite3_bind_int64(del.get(), bind_partition(del.get(), iso, w), static_cast<int64_t>(n));
      del.step();
      del.reset();
      st = c.find_prepared(name);  // reset, no bindings
      continue;
    }
    updated = static_cast<size_t>(sqlite3_changes64(c.get()));
    if (updated != src.paired()) {
      throw InternalError(schema.name + " " + iso + ": the overwrite updated " + std::to_string(updated) +
                          " stored rows and paired " + std::to_string(src.paired()) + " new ones");
    }
    break;
  }
  insert_rows(c, schema, rows, order, updated, &insert_constant);
  return true;
}

namespace {

/// Runs @p fn; a StorageError it throws is re-thrown naming the table and the
/// step.
template <class Fn>
void in_step(const TableSchema& schema, const char* step, Fn&& fn) {
  try {
    fn();
  } catch (const StorageError& e) {
    throw StorageError(schema.name + " (" + step + "): " + e.what(), e.transient());
  }
}

/// Binds cell @p r of @p col (of logical type @p type) to parameter @p p; NULL
/// stays NULL.
void bind_cell(sqlite3_stmt* st, int p, const Column& col, ColumnType type, size_t r) {
  if (col.is_null(r)) {
    sqlite3_bind_null(st, p);
  } else if (type == ColumnType::kDate) {
    std::string d = Date(static_cast<int32_t>(col.int_at(r))).iso();
    sqlite3_bind_text(st, p, d.c_str(), static_cast<int>(d.size()), SQLITE_TRANSIENT);
  } else if (col.storage() == Storage::kInt) {
    sqlite3_bind_int64(st, p, col.int_at(r));
  } else if (col.storage() == Storage::kReal) {
    sqlite3_bind_double(st, p, col.real_at(r));
  } else {
    sqlite3_bind_text(st, p, col.text_at(r).data(), static_cast<int>(col.text_at(r).size()), SQLITE_STATIC);
  }
}

}  // namespace

void SqliteWarehouse::delete_covered(sqlite_detail::Connection& c, const TableWrite& w) {
  const TableSchema& schema = *w.schema;
  if (w.append_only) return;
  if (w.replace_key.empty()) {
    Statement& del = c.prepared("DELETE" + partition_where(w));
    for (Date d : w.dates) {
      bind_partition(del.get(), d.iso(), w);
      del.step();
      del.reset();
    }
    return;
  }
  // Key-scoped replace: delete the stored rows of the covered dates whose key
  // equals a written row's.
  const Table& rows = *w.rows;
  std::vector<size_t> idx;
  std::string sql = "DELETE FROM " + qualified(schema) + " WHERE " + quote(schema.partition_column) + " = ?";
  for (const auto& k : w.replace_key) {
    idx.push_back(rows.require(k));
    sql += " AND " + quote(k) + " IS ?";
  }
  const size_t part = rows.require(schema.partition_column);
  Statement& del = c.prepared(sql);
  std::set<std::vector<std::string>> done;
  for (size_t r = 0; r < rows.num_rows(); ++r) {
    std::vector<std::string> key{rows.cell_text(r, part)};
    for (size_t i : idx) key.push_back(rows.cell_text(r, i));
    if (!done.insert(std::move(key)).second) continue;
    bind_cell(del.get(), 1, rows.col(part), ColumnType::kDate, r);
    for (size_t i = 0; i < idx.size(); ++i) {
      bind_cell(del.get(), static_cast<int>(i) + 2, rows.col(idx[i]), rows.def(idx[i]).type, r);
    }
    del.step();
    del.reset();
  }
}

bool SqliteWarehouse::records_hashes(const TableWrite& w) {
  return !w.append_only && w.schema->dataset() != kLogDataset && !w.dates.empty();
}

void SqliteWarehouse::ensure_hash_table(sqlite_detail::Connection& c, const std::string& dataset) {
  {
    std::lock_guard lock(ddl_mu_);
    if (hash_tables_.count(dataset)) return;
  }
  std::lock_guard wlock(file_mutex(dataset));
  c.exec("CREATE TABLE IF NOT EXISTS " + quote(dataset) + "." + quote(kHashTable) +
         " (table_name TEXT NOT NULL, partition_date TEXT NOT NULL, content_hash TEXT NOT NULL, "
         "row_count INTEGER NOT NULL, PRIMARY KEY (table_name, partition_date))");
  std::lock_guard lock(ddl_mu_);
  hash_tables_.insert(dataset);
}

void SqliteWarehouse::record_hashes(sqlite_detail::Connection& c, const TableWrite& w) {
  const TableSchema& schema = *w.schema;
  if (!records_hashes(w)) return;
  std::map<Date, PartitionHash> hashes;
  if (w.replace_key.empty() && w.scope.empty()) {
    hashes = w.content_hashes();  // the rows written are the partitions' whole content
  } else {
    // Part of each partition was replaced: hash what is stored now (inside this
    // transaction).
    const auto [lo, hi] = std::minmax_element(w.dates.begin(), w.dates.end());
    hashes = content_hashes_on(c, schema, DateRange{*lo, *hi});
  }
  // In the table's own file, inside the same transaction: the hash commits with
  // the rows it describes or not at all. An upsert, not INSERT OR REPLACE: a
  // rerun's hash overwrites the stored row where it is, where a replace
  // deleted it and inserted it again under a new rowid, dirtying two more
  // pages of the table and its key index per commit (measured: 638 of the
  // 2,629 log frames of a rerun of a season of TOGS).
  Statement& st = c.prepared("INSERT INTO " + quote(schema.dataset()) + "." + quote(kHashTable) +
                             " VALUES (?, ?, ?, ?) ON CONFLICT (table_name, partition_date) DO UPDATE SET "
                             "content_hash = excluded.content_hash, row_count = excluded.row_count");
  for (Date d : w.dates) {
    const PartitionHash h = hashes.count(d) ? hashes.at(d) : PartitionHash{};
    const std::string iso = d.iso(), hex = h.hex();
    sqlite3_bind_text(st.get(), 1, schema.name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, iso.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 3, hex.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st.get(), 4, h.rows);
    st.step();
    st.reset();
  }
}

std::map<Date, std::string> SqliteWarehouse::partition_hashes(const TableSchema& schema,
                                                              std::optional<DateRange> range) {
  std::map<Date, std::string> out;
  const std::string where = std::string(" WHERE table_name = ?") + (range ? " AND partition_date BETWEEN ? AND ?" : "");
  // The hashes stored with the data; then, for partitions written before hashes
  // moved there, the ones recorded in nba_orchestration.partition_hashes.
  std::vector<std::string> sources;
  const TableSchema& legacy = catalog::get("nba_orchestration.partition_hashes");
  const bool legacy_rows = has_table(legacy);
  auto c = acquire();
  try {
    {
      Statement probe(c->get(), "SELECT 1 FROM " + quote(schema.dataset()) + ".sqlite_master WHERE name = ?");
      sqlite3_bind_text(probe.get(), 1, kHashTable, -1, SQLITE_STATIC);
      if (probe.step()) sources.push_back(quote(schema.dataset()) + "." + quote(kHashTable));
    }
    if (legacy_rows) sources.push_back(qualified(legacy));
    const std::string a = range ? range->start.iso() : "", b = range ? range->end.iso() : "";
    for (const std::string& src : sources) {
      Statement st(c->get(), "SELECT partition_date, content_hash FROM " + src + where);
      sqlite3_bind_text(st.get(), 1, schema.name.c_str(), -1, SQLITE_TRANSIENT);
      if (range) {
        sqlite3_bind_text(st.get(), 2, a.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st.get(), 3, b.c_str(), -1, SQLITE_TRANSIENT);
      }
      while (st.step()) {
        const unsigned char* txt = sqlite3_column_text(st.get(), 0);
        const int len = sqlite3_column_bytes(st.get(), 0);
        const Date d = parse_stored_date(txt, len, schema, "partition_date");
        out.emplace(d, reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1)));  // first source wins
      }
    }
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
  return out;
}

namespace {

/// Whether the partitions of whole-partition write @p w hold what it wrote:
/// their recorded content hashes and row counts are the written ones (read on
/// @p c, outside any transaction).
bool hashes_stored(Connection& c, const TableWrite& w) {
  const std::map<Date, PartitionHash> wrote = w.content_hashes();
  Statement st(c.get(), "SELECT content_hash, row_count FROM " + quote(w.schema->dataset()) + "." + quote(kHashTable) +
                            " WHERE table_name = ? AND partition_date = ?");
  for (Date d : w.dates) {
    const PartitionHash h = wrote.count(d) ? wrote.at(d) : PartitionHash{};
    const std::string iso = d.iso();
    sqlite3_bind_text(st.get(), 1, w.schema->name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, iso.c_str(), -1, SQLITE_TRANSIENT);
    const bool same = st.step() && reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0)) == h.hex() &&
                      sqlite3_column_int64(st.get(), 1) == h.rows;
    st.reset();
    if (!same) return false;
  }
  return true;
}

}  // namespace

void SqliteWarehouse::throw_failed_commit(Connection& c,
                                          const std::vector<std::pair<size_t, const TableWrite*>>& by_file,
                                          const std::vector<TableWrite>& writes, const std::string& what,
                                          bool transient) {
  using Stored = PartialCommitError::Stored;
  // The files in commit order, each with what its content hashes say. SQLite
  // commits the files one after the other: those before the one whose commit
  // failed are committed, it and the later ones are not. So the last file is
  // never committed, a file before a committed one is, a file after one that
  // is not is not either. A partition whose stored content already equalled
  // the written rows counts as committed: it holds those rows either way.
  std::vector<size_t> rank;
  std::vector<Stored> file;
  try {
    for (const auto& [r, w] : by_file) {
      if (rank.empty() || rank.back() != r) {
        rank.push_back(r);
        file.push_back(Stored::kUnknown);
      }
      if (!records_hashes(*w) || !w->replace_key.empty() || !w->scope.empty() || file.back() == Stored::kNo) continue;
      file.back() = hashes_stored(c, *w) ? Stored::kYes : Stored::kNo;
    }
  } catch (const std::exception& e) {
    throw StorageError(what + "; which of its files committed could not be read: " + e.what());
  }
  file.back() = Stored::kNo;
  for (size_t i = 1; i < file.size(); ++i) {
    if (file[i - 1] == Stored::kNo) file[i] = Stored::kNo;
  }
  for (size_t i = file.size() - 1; i-- > 0;) {
    if (file[i] == Stored::kUnknown && file[i + 1] == Stored::kYes) file[i] = Stored::kYes;
  }
  if (std::find(file.begin(), file.end(), Stored::kYes) == file.end()) throw StorageError(what, transient);
  std::vector<Stored> stored(writes.size(), Stored::kUnknown);
  std::string yes, no, unknown;
  size_t f = 0;
  for (size_t i = 0; i < by_file.size(); ++i) {
    if (i > 0 && by_file[i].first != by_file[i - 1].first) ++f;
    const TableWrite* w = by_file[i].second;
    stored[static_cast<size_t>(w - writes.data())] = file[f];
    std::string& list = file[f] == Stored::kYes ? yes : (file[f] == Stored::kNo ? no : unknown);
    list += (list.empty() ? "" : ", ") + w->schema->name;
  }
  throw PartialCommitError(what + "; committed: " + yes + (no.empty() ? "" : "; not committed (old rows kept): " + no) +
                               (unknown.empty() ? "" : "; not known whether committed: " + unknown),
                           std::move(stored));
}

void SqliteWarehouse::write_batch(const std::vector<TableWrite>& writes) {
  if (writes.empty()) return;
  require_writable(writes.front().schema ? writes.front().schema->name : "a batch");
  for (const TableWrite& w : writes) {
    if (w.schema == nullptr || w.rows == nullptr) throw ConfigError("write_batch: a write without schema or rows");
    ensure_table(*w.schema);
  }
  // The writes grouped by file in commit order (a table's writes keep their
  // order), so the files are locked in that order, one after the other.
  std::vector<std::pair<size_t, const TableWrite*>> by_file;
  for (const TableWrite& w : writes) {
    auto it = file_mu_.find(w.schema->dataset());
    if (it == file_mu_.end()) throw ConfigError(w.schema->name + ": no dataset file in the catalog");
    by_file.emplace_back(it->second.first, &w);
  }
  std::stable_sort(by_file.begin(), by_file.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Each write's rows in the order they are stored, sorted before any file's
  // lock is taken: a sort under the lock would hold back the file's other
  // writers. A write that cannot be sorted (no rows, no partition column) has
  // none; write_rows reports what is wrong with it.
  std::map<const TableWrite*, std::vector<size_t>> sorted;
  for (const auto& file_write : by_file) {
    const TableWrite* w = file_write.second;
    if (w->order == nullptr) sorted.emplace(w, read_back_order_if_any(*w->schema, *w->rows));
  }
  auto order_of = [&](const TableWrite* w) -> const std::vector<size_t>* {
    if (w->order) return w->order;
    const std::vector<size_t>& own = sorted.at(w);
    return own.empty() ? nullptr : &own;
  };
  auto c = acquire();
  std::map<std::string, int> due;  // logs for the background checkpointer
  try {
    // Outside the transaction (a rollback would drop a table created in it).
    for (const auto& [rank, w] : by_file) {
      if (records_hashes(*w)) ensure_hash_table(*c, w->schema->dataset());
    }
    {
      std::vector<std::unique_lock<std::mutex>> held;  // released after the commit or the rollback
      Transaction tx(*c);
      std::string locked;
      for (const auto& file_write : by_file) {
        const TableWrite* w = file_write.second;  // a plain pointer: lambdas below capture it
        if (std::string ds = w->schema->dataset(); ds != locked) {
          held.emplace_back(file_mutex(ds));
          locked = std::move(ds);
        }
        std::set<int32_t> allowed;
        for (Date d : w->dates) allowed.insert(d.days());
        const std::vector<size_t>* order = order_of(w);
        bool overwritten = false;
        if (order)
          in_step(*w->schema, "overwrite", [&] { overwritten = overwrite_partition(*c, *w, allowed, *order); });
        if (!overwritten) {
          in_step(*w->schema, "delete", [&] { delete_covered(*c, *w); });
          in_step(*w->schema, "insert", [&] {
            write_rows(*c, *w->schema, *w->rows, w->append_only ? nullptr : &allowed, order, constant_hint(*w, order));
          });
        }
        in_step(*w->schema, "hash", [&] { record_hashes(*c, *w); });
      }
      try {
        tx.commit();
      } catch (const StorageError& e) {
        std::string names;
        for (const TableWrite& w : writes) names += (names.empty() ? "" : ", ") + w.schema->name;
        // The files' locks are still held: what is stored now is this
        // commit's doing, or what was there before it.
        tx.rollback();
        throw_failed_commit(*c, by_file, writes, names + " (commit): " + e.what(), e.transient());
      }
      due = checkpoint_full_logs(*c);
    }
    checkpoint_later(*c, due);
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
}

void SqliteWarehouse::append(const TableSchema& schema, const Table& rows) {
  require_writable(schema.name);
  ensure_table(schema);
  auto c = acquire();
  try {
    std::map<std::string, int> due;
    {
      std::lock_guard wlock(file_mutex(schema.dataset()));
      Transaction tx(*c);
      write_rows(*c, schema, rows, nullptr, nullptr);
      tx.commit();
      due = checkpoint_full_logs(*c);
    }
    checkpoint_later(*c, due);
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
}

std::map<Date, int64_t> SqliteWarehouse::partition_counts(const TableSchema& schema, std::optional<DateRange> range) {
  std::map<Date, int64_t> out;
  if (!has_table(schema)) return out;
  // A range of many dates (a backfill's pre-flight) is counted from the date
  // index's pages: SQLite steps its VM once per row for the same counts. A few
  // dates are a short index seek either way. Pinning a snapshot writes (a
  // checkpoint), so not on a read-only warehouse.
  if (range && range->end.days() - range->start.days() >= kPageCountMinDays && pages_readable(schema)) {
    try {
      const std::string lo = range->start.iso(), hi = range->end.iso();
      const auto counts = with_pinned(schema, [&](const sqlite_file::PinnedTable& p) {
        return p.count_index_texts(partition_index_name(schema), schema.partition_column, lo, hi);
      });
      for (const auto& [text, n] : counts) {
        out[parse_stored_date(reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()),
                              schema, schema.partition_column)] = n;
      }
      ++page_reads_;
      return out;
    } catch (const sqlite_file::FileLayoutUnsupported& e) {
      NBAPROPS_LOG_DEBUG << "counting " << schema.name << " through SQLite: " << e.what();
      out.clear();
    }
  }
  std::string sql = "SELECT " + quote(schema.partition_column) + ", COUNT(*) FROM " + qualified(schema);
  if (range) sql += " WHERE " + quote(schema.partition_column) + " BETWEEN ? AND ?";
  sql += " GROUP BY 1";
  auto c = acquire();
  try {
    Statement st(c->get(), sql);
    if (range) {
      std::string a = range->start.iso(), b = range->end.iso();
      sqlite3_bind_text(st.get(), 1, a.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st.get(), 2, b.c_str(), -1, SQLITE_TRANSIENT);
    }
    while (st.step()) {
      if (sqlite3_column_type(st.get(), 0) == SQLITE_NULL) continue;
      const unsigned char* txt = sqlite3_column_text(st.get(), 0);
      int len = sqlite3_column_bytes(st.get(), 0);
      out[parse_stored_date(txt, len, schema, schema.partition_column)] = sqlite3_column_int64(st.get(), 1);
    }
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
  return out;
}

std::set<std::pair<Date, std::string>> SqliteWarehouse::distinct_by_date(const TableSchema& schema, DateRange range,
                                                                         const std::string& column) {
  std::set<std::pair<Date, std::string>> out;
  (void)schema.column(column);  // a column of the catalog, or ConfigError
  const auto stored = stored_columns(schema);
  if (!stored || !stored->count(column) || !stored->count(schema.partition_column)) return out;
  // A range of many dates (a backfill's stored failure rows) is read from the
  // table's pages (distinct_pages): SQLite steps its VM through each row and
  // keeps a temporary b-tree for the DISTINCT.
  if (range.end.days() - range.start.days() >= kPageCountMinDays && pages_readable(schema)) {
    try {
      out = with_pinned(schema,
                        [&](const sqlite_file::PinnedTable& p) { return distinct_pages(p, schema, range, column); });
      ++page_reads_;
      return out;
    } catch (const sqlite_file::FileLayoutUnsupported& e) {
      NBAPROPS_LOG_DEBUG << "distinct " << column << " of " << schema.name << " through SQLite: " << e.what();
      out.clear();
    }
  }
  const std::string sql = "SELECT DISTINCT " + quote(schema.partition_column) + ", " + quote(column) + " FROM " +
                          qualified(schema) + " WHERE " + quote(schema.partition_column) + " BETWEEN ? AND ?";
  const std::string lo = range.start.iso(), hi = range.end.iso();
  auto c = acquire();
  try {
    Statement st(c->get(), sql);
    sqlite3_bind_text(st.get(), 1, lo.c_str(), static_cast<int>(lo.size()), SQLITE_STATIC);
    sqlite3_bind_text(st.get(), 2, hi.c_str(), static_cast<int>(hi.size()), SQLITE_STATIC);
    while (st.step()) {
      if (sqlite3_column_type(st.get(), 0) == SQLITE_NULL || sqlite3_column_type(st.get(), 1) == SQLITE_NULL) continue;
      const Date day = parse_stored_date(sqlite3_column_text(st.get(), 0), sqlite3_column_bytes(st.get(), 0), schema,
                                         schema.partition_column);
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 1));
      out.emplace(day, std::string(text, static_cast<size_t>(sqlite3_column_bytes(st.get(), 1))));
    }
  } catch (...) {
    release(std::move(c));
    throw;
  }
  release(std::move(c));
  return out;
}

}  // namespace nbaprops
