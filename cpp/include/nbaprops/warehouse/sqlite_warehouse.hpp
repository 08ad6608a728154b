#pragma once
/// @file sqlite_warehouse.hpp
/// The embedded default backend: one directory, one SQLite file per dataset,
/// each ATTACHed under the dataset's name so tables keep their legacy names
/// (`nba_analytics.player_game_summary`). WAL mode, one writer per file
/// (serialised by a mutex per file, so units writing different datasets commit
/// at the same time), readers from a small connection pool. Read-only mode: when asked for
/// (`sqlite:///path?mode=ro`), or when the directory or one of its database
/// files is not writable, every file is opened read-only (immutable when the
/// directory itself is not writable, since SQLite cannot create the WAL index
/// there), dataset files that do not exist read as empty, and every write
/// throws a StorageError naming the directory and why.

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops {

namespace sqlite_detail {
class Connection;
class Statement;
class RowSource;
class BackgroundCheckpointer;
}  // namespace sqlite_detail

/// The URI (for sqlite3_open_v2 with SQLITE_OPEN_URI, or ATTACH on a
/// connection opened with it) that opens database file @p file of a SQLite
/// warehouse for reading only. The one rule of every read-only open: a
/// read-only warehouse's own connections, the parallel slices of
/// nbaprops.read and nbaprops.query's ATTACH. A file that does not exist reads
/// as an empty in-memory database; in a directory that cannot be written
/// (permissions, a read-only mount) a WAL database opens only as immutable
/// (SQLite cannot create its -shm index there), unless a writer left a
/// non-empty -wal behind (then mode=ro, so its committed pages are read);
/// elsewhere mode=ro.
std::string sqlite_read_only_uri(const std::filesystem::path& file);

/// SQLite warehouse. Thread-safe.
class SqliteWarehouse final : public Warehouse {
 public:
  /// Opens or creates the warehouse directory (read-only: never creates
  /// anything).
  /// @param read_only force read-only mode (it is also chosen when the files
  /// are not writable).
  /// @throws StorageError (a read-only warehouse whose directory does not
  /// exist, I/O failure).
  explicit SqliteWarehouse(std::filesystem::path dir, bool read_only = false);
  ~SqliteWarehouse() override;

  [[nodiscard]] std::string uri() const override { return dir_.string(); }
  /// @return true when the warehouse was opened read-only.
  [[nodiscard]] bool read_only() const noexcept { return !read_only_reason_.empty(); }
  /// @return why the warehouse is read-only ("the directory is not writable",
  /// "<file> is not writable", "opened read-only on request"); "" when writable.
  [[nodiscard]] const std::string& read_only_reason() const noexcept { return read_only_reason_; }
  void ensure_table(const TableSchema& schema) override;
  [[nodiscard]] bool has_table(const TableSchema& schema) override;
  [[nodiscard]] Table read(const TableSchema& schema, std::optional<DateRange> range,
                           const std::vector<std::string>& columns = {}) override;
  /// read() of a large part of a table, decoded straight from the database
  /// file's pages when the layout allows it (sqlite_file.hpp), else through
  /// SQLite: the same rows, values and order either way.
  [[nodiscard]] Table read_block(const TableSchema& schema, DateRange range,
                                 const std::vector<std::string>& columns) override;
  void write_batch(const std::vector<TableWrite>& writes) override;
  void append(const TableSchema& schema, const Table& rows) override;
  /// Each unit looked up through the ledger's date index, on (unit_date,
  /// processor, finished_at), which ensure_table gives a ledger written before
  /// it (a run does before its lookups); without it, the range is read (the
  /// default).
  [[nodiscard]] Table newest_ledger_rows(const LedgerLookup& q) override;
  /// The columns @p schema's table stores (PRAGMA table_info); empty when the
  /// table does not exist. A read selects NULL for a catalog column the table
  /// lacks (written before the column joined the catalog, and not written
  /// since): its values did not exist when the rows were written. Kept per
  /// table and warehouse object once the table has every catalog column; a
  /// table lacking one is looked at again on each read (another process may
  /// add it).
  [[nodiscard]] std::shared_ptr<const std::set<std::string>> stored_columns(const TableSchema& schema);
  [[nodiscard]] std::map<Date, int64_t> partition_counts(const TableSchema& schema,
                                                         std::optional<DateRange> range) override;
  /// One `SELECT DISTINCT` of the two columns (no row read into a Table, no
  /// sort by key).
  [[nodiscard]] std::set<std::pair<Date, std::string>> distinct_by_date(const TableSchema& schema, DateRange range,
                                                                        const std::string& column) override;
  [[nodiscard]] std::map<Date, std::string> partition_hashes(const TableSchema& schema,
                                                             std::optional<DateRange> range) override;
  /// Streams the stored rows into their partition hashes (no Table is built).
  [[nodiscard]] std::map<Date, PartitionHash> content_hashes(const TableSchema& schema, std::optional<DateRange> range,
                                                             const std::vector<std::string>& columns = {}) override;

  /// @return read_block and partition_counts calls answered from the file's
  /// pages so far (the others went through SQLite; for tests and benchmarks).
  [[nodiscard]] int64_t page_reads() const noexcept { return page_reads_.load(); }

  /// Test hook: the next write fails (StorageError) after inserting @p rows
  /// rows, inside its transaction, to prove atomicity. Negative disables.
  void inject_write_failure_after(int64_t rows) { fail_after_rows_ = rows; }
  /// Test hook: checkpoint a file once its WAL holds @p pages (default
  /// 10,000), on every connection.
  void checkpoint_after_pages(int pages);
  /// Waits until no checkpoint is due or running. Checkpoints run on a thread
  /// of their own (sqlite_checkpointer.hpp); a run waits for them before it
  /// returns (wait_for_background_io), a test may want the files quiet.
  void wait_for_checkpoints();
  void wait_for_background_io() override { wait_for_checkpoints(); }
  /// With @p allow false, a full log is checkpointed by the writer that
  /// filled it, after its commit (outside the files' locks), as it was before
  /// the background checkpointer.
  void allow_background_io(bool allow) override { background_io_ = allow; }
  [[nodiscard]] bool writes_take_turns() const override { return true; }
  [[nodiscard]] bool short_reads_are_cheap() const override { return true; }

 private:
  std::unique_ptr<sqlite_detail::Connection> acquire();
  /// @return @p fn(pinned) with @p schema's table pinned (sqlite_file.hpp)
  /// through two of the pool's connections. @throws FileLayoutUnsupported.
  template <typename Fn>
  auto with_pinned(const TableSchema& schema, Fn&& fn);
  /// Whether @p schema's table may be read from its file's pages: the
  /// warehouse is writable (pinning checkpoints the log) and the table has a
  /// partition column. Once this object has written the table's dataset file,
  /// with_pinned also requires its log to be settled (no frame that the pin
  /// would first copy into the file and sync: reads through SQLite cost less
  /// than that), else the read goes through SQLite.
  [[nodiscard]] bool pages_readable(const TableSchema& schema) const;
  /// @throws StorageError naming the directory when the warehouse is read-only.
  void require_writable(const std::string& what) const;
  void release(std::unique_ptr<sqlite_detail::Connection> c);
  /// Right after a commit on @p c, with the committed files' writers' locks
  /// still held: checkpoints the logs that grew to twice the threshold.
  /// @return the other logs that reached it, for checkpoint_later.
  std::map<std::string, int> checkpoint_full_logs(sqlite_detail::Connection& c);
  /// After the commit on @p c, outside the files' locks: hands the logs in
  /// @p due to the background checkpointer, or checkpoints them on @p c when
  /// background I/O is not allowed.
  void checkpoint_later(sqlite_detail::Connection& c, const std::map<std::string, int>& due);
  /// The background checkpointer's work: PASSIVE checkpoints of the files in
  /// @p due (name → the most frames its log was seen to hold).
  void checkpoint_now(const std::map<std::string, int>& due);
  std::map<Date, PartitionHash> content_hashes_on(sqlite_detail::Connection& c, const TableSchema& schema,
                                                  std::optional<DateRange> range,
                                                  const std::vector<std::string>& columns = {});
  Table read_on(sqlite_detail::Connection& c, const TableSchema& schema, std::optional<DateRange> range,
                const std::vector<std::string>& columns);
  /// @return true when @p w records its partitions' content hashes.
  static bool records_hashes(const TableWrite& w);
  /// After the COMMIT of @p by_file's writes (in commit order; pointers into
  /// @p writes) failed with @p what, the transaction rolled back: throws
  /// PartialCommitError when some of the writes are stored, else StorageError.
  [[noreturn]] static void throw_failed_commit(sqlite_detail::Connection& c,
                                               const std::vector<std::pair<size_t, const TableWrite*>>& by_file,
                                               const std::vector<TableWrite>& writes, const std::string& what,
                                               bool transient);
  /// Creates the dataset's hash table once per warehouse object (outside any
  /// transaction).
  void ensure_hash_table(sqlite_detail::Connection& c, const std::string& dataset);
  void record_hashes(sqlite_detail::Connection& c, const TableWrite& w);
  void delete_covered(sqlite_detail::Connection& c, const TableWrite& w);
  /// Inserts @p rows in @p order (read_back_order; nullptr: sorted here).
  /// @p constant: constant_columns(rows, *order) when the caller has it.
  void write_rows(sqlite_detail::Connection& c, const TableSchema& schema, const Table& rows,
                  const std::set<int32_t>* allowed_dates, const std::vector<size_t>* order,
                  const std::vector<uint8_t>* constant = nullptr);
  /// Inserts rows order[from], order[from + 1], … of @p rows. @p known_constant:
  /// the columns of one value in those rows when the caller found them (over
  /// these rows or more: constant_columns); nullptr: found here.
  void insert_rows(sqlite_detail::Connection& c, const TableSchema& schema, const Table& rows,
                   const std::vector<size_t>& order, size_t from, const std::vector<uint8_t>* known_constant = nullptr);
  /// Whether the stored @p schema has triggers or a unique index (read once
  /// per schema version of its file and connection).
  static bool has_triggers_or_unique_index(sqlite_detail::Connection& c, const TableSchema& schema);
  /// Steps @p st (a write reading nbaprops_rows(?1)) with @p src bound to ?1,
  /// and leaves it reset. An injected write failure (inject_write_failure_after)
  /// fails the read of the source's row at that position: the statement's
  /// changes are undone and the failure thrown, naming @p schema.
  void run_source(sqlite_detail::Statement& st, sqlite_detail::RowSource& src, const TableSchema& schema);
  /// The replace of one date's whole partition by rows of every column: the
  /// new rows overwrite the stored ones in place (sqlite_warehouse.cpp), or
  /// are inserted when nothing is stored.
  /// @return false, having written nothing, when @p w is not such a replace
  /// (the caller deletes and inserts).
  /// @p order is @p w's rows in read_back_order.
  bool overwrite_partition(sqlite_detail::Connection& c, const TableWrite& w, const std::set<int32_t>& allowed,
                           const std::vector<size_t>& order);
  /// The writers' mutex of @p dataset's file.
  std::mutex& file_mutex(const std::string& dataset);
  /// @return whether the run ledger's date index also orders each date's rows
  /// by processor and time.
  bool has_ledger_index();
  /// Rebuilds a ledger's date index written before it did, on a writable
  /// warehouse. Only writers call it (ensure_table): a lookup, such as a
  /// freshness report, writes nothing.
  void ensure_ledger_index();
  /// Compares an existing table's stored columns with the catalog's, once per
  /// table and warehouse object: a catalog column the table lacks (added to the
  /// catalog since the table was written) is added with ALTER TABLE … ADD
  /// COLUMN (stored rows read NULL there) and logged; a column stored with
  /// another type, or one the catalog does not know, refuses the write
  /// (StorageError naming table and column).
  void ensure_columns(const TableSchema& schema);
  /// stored_columns() on @p c.
  std::shared_ptr<const std::set<std::string>> stored_columns_on(sqlite_detail::Connection& c,
                                                                 const TableSchema& schema);

  std::filesystem::path dir_;
  std::string read_only_reason_;  // empty: writable
  std::mutex pool_mu_;
  std::vector<std::unique_ptr<sqlite_detail::Connection>> pool_;
  /// One per dataset file, keyed by its rank in commit order. A batch locks
  /// the files it writes in that order (never two batches waiting on each
  /// other) and each just before its first write, so the run logs' file, last,
  /// is held only for the ledger rows and the commit.
  std::map<std::string, std::pair<size_t, std::mutex>> file_mu_;
  std::map<std::string, std::atomic<bool>> wrote_;  ///< per dataset file: written by this object (then
                                                    ///< pinned only with a settled log)
  std::mutex ddl_mu_;
  std::set<std::string> known_tables_;
  std::set<std::string> hash_tables_;      ///< datasets whose hash table exists
  std::set<std::string> columns_checked_;  ///< tables whose columns match the catalog (ensure_columns)
  /// stored_columns() of tables that have every catalog column (under ddl_mu_)
  std::map<std::string, std::shared_ptr<const std::set<std::string>>> stored_columns_;
  bool ledger_index_ = false;  ///< has_ledger_index() was true (under ddl_mu_)
  std::atomic<int64_t> fail_after_rows_{-1};
  std::atomic<int> checkpoint_pages_;
  std::atomic<int64_t> page_reads_{0};
  std::atomic<bool> background_io_{true};
  /// Last: destroyed (its thread joined) while the pool still exists.
  std::unique_ptr<sqlite_detail::BackgroundCheckpointer> checkpointer_;
};

}  // namespace nbaprops
