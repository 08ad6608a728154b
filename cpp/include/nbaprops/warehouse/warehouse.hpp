#pragma once
/// @file warehouse.hpp
/// The storage interface every backend implements (SQLite embedded default;
/// BigQuery at scale). Tables are the catalog's; each is partitioned by a DATE
/// column, and the unit of writing is the atomic replacement of whole (table,
/// date) partitions.

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/core/date.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/table.hpp"

namespace nbaprops {

/// The order of a read's rows within one partition: the schema's key columns
/// ascending, NULL first, numbers by value, texts bytewise (SQLite's BINARY
/// collation); rows equal on every key keep the order they were written in.
/// @return whether row @p a sorts before row @p b over the key columns @p keys.
inline bool key_less(const std::vector<const Column*>& keys, size_t a, size_t b) noexcept {
  for (const Column* c : keys) {
    const bool na = c->is_null(a), nb = c->is_null(b);
    if (na || nb) {
      if (na != nb) return na;
      continue;
    }
    switch (c->storage()) {
      case Storage::kInt:
        if (c->int_at(a) != c->int_at(b)) return c->int_at(a) < c->int_at(b);
        break;
      case Storage::kReal:
        if (c->real_at(a) != c->real_at(b)) return c->real_at(a) < c->real_at(b);
        break;
      case Storage::kText:
        if (c->text_ptr(a) != c->text_ptr(b)) {
          const int cmp = c->text_at(a).compare(c->text_at(b));
          if (cmp != 0) return cmp < 0;
        }
        break;
    }
  }
  return false;
}

/// @return the rows of @p rows in the order a warehouse reads them back: by
/// partition date (NULL first), each date's rows by key_less over the key
/// columns of @p schema that @p rows holds, ties in the given order (a stable
/// sort; already ordered rows are only checked). @p rows must hold the
/// partition column.
inline std::vector<size_t> read_back_order(const TableSchema& schema, const Table& rows) {
  const Column& part = rows.col(rows.require(schema.partition_column));
  std::vector<const Column*> keys;
  for (const auto& k : schema.key_columns) {
    const int idx = rows.index_of(k);
    if (idx >= 0) keys.push_back(&rows.col(static_cast<size_t>(idx)));
  }
  auto less = [&](size_t a, size_t b) {
    const bool na = part.is_null(a), nb = part.is_null(b);
    if (na || nb) return na && !nb;
    const int64_t da = part.int_at(a), db = part.int_at(b);
    return da != db ? da < db : key_less(keys, a, b);
  };
  std::vector<size_t> order(rows.num_rows());
  for (size_t r = 0; r < order.size(); ++r) order[r] = r;
  if (!std::is_sorted(order.begin(), order.end(), less)) std::stable_sort(order.begin(), order.end(), less);
  return order;
}

/// read_back_order(@p schema, @p rows), or empty when the rows cannot be put
/// in it: none, or no partition column among them (a write of such rows fails
/// in the backend, with the backend's message).
inline std::vector<size_t> read_back_order_if_any(const TableSchema& schema, const Table& rows) {
  if (rows.num_rows() == 0 || rows.index_of(schema.partition_column) < 0) return {};
  return read_back_order(schema, rows);
}

/// One table's part of a multi-table atomic write (Warehouse::write_batch).
struct TableWrite {
  const TableSchema* schema = nullptr;  ///< target table (catalog schema)
  const Table* rows = nullptr;          ///< rows to insert; each row's partition date
                                        ///< must be in @p dates
  std::vector<Date> dates;              ///< the partitions this write covers
  /// Empty: every stored row of @p dates is deleted first (whole-partition
  /// replace). Otherwise only the stored rows of @p dates whose values in these
  /// columns equal those of some row of @p rows are deleted ("replace what the
  /// file covers", e.g. {"game_id"}); other rows stay.
  std::vector<std::string> replace_key;
  /// When non-empty (and replace_key is empty), only the stored rows of @p
  /// dates whose text columns equal these values are deleted, e.g.
  /// {{"processor", "psza"}} for a partition shared by many writers. Rows are
  /// deleted even when @p rows is empty.
  std::vector<std::pair<std::string, std::string>> scope;
  /// Append @p rows without deleting anything (ledgers).
  bool append_only = false;
  /// partition_hashes_of(*rows) when the caller already computed it (the runner
  /// needs the hashes too); nullptr: a backend recording hashes computes them.
  const std::map<Date, PartitionHash>* hashes = nullptr;
  /// read_back_order(*schema, *rows) when the caller computed it (the runner,
  /// before its commit's turn; the run's cache, which keeps the rows in that
  /// order too); nullptr: the backend sorts.
  const std::vector<size_t>* order = nullptr;
  /// constant_columns(*rows, *order) when the caller computed it with @p order
  /// (the runner, before its commit's turn); nullptr: a backend writing such
  /// columns once finds them itself.
  const std::vector<uint8_t>* constant = nullptr;

  /// The content hash of each date of a whole-partition write (@p hashes, or
  /// computed from @p rows).
  [[nodiscard]] std::map<Date, PartitionHash> content_hashes() const {
    return hashes ? *hashes : partition_hashes_of(*rows);
  }
};

/// Thrown by Warehouse::write_batch when its commit failed after part of the
/// batch had committed. SQLite commits a transaction over several dataset
/// files one file after the other: a full disk between two of them leaves the
/// earlier files committed (their new rows) and the later ones as they were
/// (their old rows). The message names what is stored and what is not;
/// stored() says it per write.
class PartialCommitError : public StorageError {
 public:
  /// Whether one write of the batch is stored.
  enum class Stored {
    kNo,       ///< its file did not commit: the old rows are kept
    kYes,      ///< its file committed
    kUnknown,  ///< nothing in its file tells, and the commit order does not either
  };
  PartialCommitError(const std::string& message, std::vector<Stored> stored)
      : StorageError(message), stored_(std::move(stored)) {}
  /// @return per write of the batch, in the order given to write_batch.
  [[nodiscard]] const std::vector<Stored>& stored() const noexcept { return stored_; }

 private:
  std::vector<Stored> stored_;
};

/// What Warehouse::newest_ledger_rows looks up in the run ledger
/// (`nba_orchestration.run_ledger`, one row per unit and run, never updated).
struct LedgerLookup {
  /// The units asked about: (processor name, unit date).
  std::vector<std::pair<std::string, Date>> units;
  /// A row counts when its status is one of these…
  std::vector<std::string> statuses;
  /// …and none of these columns is NULL in it.
  std::vector<std::string> required;
  /// The columns returned (`processor` and `unit_date` are always among them).
  std::vector<std::string> columns;

  /// @return the answer's columns: columns, then `processor` and `unit_date`
  /// where absent.
  [[nodiscard]] std::vector<std::string> answer_columns() const;
  /// @return the dates from the earliest unit's to the latest's (units not
  /// empty).
  [[nodiscard]] DateRange range() const;
};

/// Abstract warehouse. Implementations are safe to call from several threads at
/// once: reads run in parallel, writes are serialised internally (per dataset
/// file on SQLite, so writes of different datasets run in parallel).
class Warehouse {
 public:
  virtual ~Warehouse() = default;

  /// @return a URI describing the warehouse (a directory path for SQLite).
  [[nodiscard]] virtual std::string uri() const = 0;

  /// Creates the table (and its partition index) when it does not exist yet.
  /// Idempotent.
  /// @throws StorageError on I/O failure.
  virtual void ensure_table(const TableSchema& schema) = 0;

  /// @return true when the table exists in this warehouse.
  [[nodiscard]] virtual bool has_table(const TableSchema& schema) = 0;

  /// Bulk columnar read of the rows whose partition date is in @p range (all
  /// rows when nullopt).
  /// @param columns projection (empty: all columns). Rows come ordered by
  /// partition date, then key. A missing table reads as empty. @throws
  /// StorageError, DataError (undecodable stored value).
  [[nodiscard]] virtual Table read(const TableSchema& schema, std::optional<DateRange> range,
                                   const std::vector<std::string>& columns = {}) = 0;

  /// read() of a block of many partitions (a run cache loading the dates a
  /// plan reads next): the same rows in the same order. A backend may read
  /// such a block a faster way than a few partitions.
  [[nodiscard]] virtual Table read_block(const TableSchema& schema, DateRange range,
                                         const std::vector<std::string>& columns) {
    return read(schema, range, columns);
  }

  /// @return for each unit of @p q, its newest counting row of the run ledger
  /// (greatest `finished_at`, a time in microseconds: one unit's rows do not
  /// tie), as @p q's columns; a unit without one has no row. Rows in
  /// no particular order. This default reads the units' whole date range and
  /// keeps the newest row of each: a cost that grows with the ledger's history
  /// (every rerun and resume appends a row per unit). A backend may look each
  /// unit up instead (SQLite, through an index) or rank the rows where they
  /// are (BigQuery). @throws StorageError, DataError.
  [[nodiscard]] virtual Table newest_ledger_rows(const LedgerLookup& q);

  /// Atomically replaces the partitions @p dates with the rows of @p rows (each
  /// row's partition column must be one of @p dates). All-or-nothing: on any
  /// error nothing changes. An empty
  /// @p rows clears the partitions (DECISION 4). @throws DataError (row outside
  /// the dates, NULL in a required column: names table, row, column and date),
  /// StorageError.
  void replace_partitions(const TableSchema& schema, const std::vector<Date>& dates, const Table& rows) {
    write_batch({TableWrite{&schema, &rows, dates, {}, {}, false}});
  }

  /// Applies every write in one all-or-nothing transaction (an import touching
  /// several tables, a unit's output): either every table changes or none does.
  /// An error names the table and the step (delete / insert / commit). One
  /// exception: a backend whose transaction spans files committed one by one
  /// (SQLite) can fail the commit after the first files committed; it then
  /// throws PartialCommitError, saying which writes are stored. @throws
  /// DataError, StorageError, PartialCommitError.
  virtual void write_batch(const std::vector<TableWrite>& writes) = 0;

  /// Replaces one partition; see replace_partitions.
  void replace_partition(const TableSchema& schema, Date date, const Table& rows) {
    replace_partitions(schema, std::vector<Date>{date}, rows);
  }

  /// Appends rows without touching existing ones (ledgers, failure logs).
  virtual void append(const TableSchema& schema, const Table& rows) = 0;

  /// @return row counts per partition date within @p range (all dates when
  /// nullopt); dates with no rows are absent. One grouped query.
  [[nodiscard]] virtual std::map<Date, int64_t> partition_counts(const TableSchema& schema,
                                                                 std::optional<DateRange> range) = 0;

  /// @return the content hash (16 hex) of each partition in @p range that was
  /// written through this library (see core/content_hash.hpp); partitions
  /// without a recorded hash are absent. A backend that keeps no hashes returns
  /// {} and callers fall back to row counts.
  [[nodiscard]] virtual std::map<Date, std::string> partition_hashes(const TableSchema& schema,
                                                                     std::optional<DateRange> range) {
    return {};
  }

  /// @return the content hash of each partition in @p range with rows, computed
  /// from the rows stored now over @p columns (empty: every column), for tables
  /// that may change outside this library (raw inputs): what
  /// partition_hashes_of(read(schema, range, columns), columns) gives. A
  /// backend may compute it without materialising the rows. @throws
  /// StorageError, DataError.
  [[nodiscard]] virtual std::map<Date, PartitionHash> content_hashes(const TableSchema& schema,
                                                                     std::optional<DateRange> range,
                                                                     const std::vector<std::string>& columns = {}) {
    std::vector<std::string> with_part = columns;
    if (!columns.empty() && std::find(columns.begin(), columns.end(), schema.partition_column) == columns.end()) {
      with_part.push_back(schema.partition_column);  // to group by, not hashed
    }
    return partition_hashes_of(read(schema, range, with_part), columns);
  }

  /// The distinct (partition date, @p column) pairs of the rows stored with a
  /// partition date in @p range, rows with either NULL left out: e.g. which
  /// processors have failure rows on which dates. @p column is a text column.
  /// The default reads both columns; a backend may ask for the pairs alone.
  /// A missing table (or a stored table without @p column) gives none.
  /// @throws StorageError.
  [[nodiscard]] virtual std::set<std::pair<Date, std::string>> distinct_by_date(const TableSchema& schema,
                                                                                DateRange range,
                                                                                const std::string& column) {
    std::set<std::pair<Date, std::string>> out;
    const Table t = read(schema, range, {schema.partition_column, column});
    const Column& day = t.col(static_cast<size_t>(t.index_of(schema.partition_column)));
    const Column& text = t.col(static_cast<size_t>(t.index_of(column)));
    for (size_t r = 0; r < t.num_rows(); ++r) {
      if (!day.is_null(r) && !text.is_null(r)) out.emplace(Date(static_cast<int32_t>(day.int_at(r))), text.text_at(r));
    }
    return out;
  }

  /// Whether the warehouse may do its housekeeping on a thread of its own
  /// (SQLite: copying full write-ahead logs into the database files), beside
  /// the threads that call it. Allowed unless told otherwise; a run with one
  /// worker forbids it for its duration: it was asked to use one thread.
  virtual void allow_background_io(bool /*allow*/) {}
  /// Returns once the housekeeping the warehouse does on its own thread
  /// (allow_background_io) has nothing due and nothing running. A run calls
  /// it before it returns: the checkpoints its commits asked for are part of
  /// its seconds, and none of its work goes on behind the caller.
  virtual void wait_for_background_io() {}

  /// Whether writes to one dataset take turns (SQLite: one writer per dataset
  /// file, the others wait for it). A caller with writes for a dataset from
  /// several threads then queues them for one thread to commit, instead of
  /// parking the others on the file.
  [[nodiscard]] virtual bool writes_take_turns() const { return false; }

  /// Whether a read of a few partitions costs little more than their rows
  /// (SQLite: pages of a local file). A warehouse where every read is a
  /// remote query (BigQuery) answers false, and a caller reads it in as few
  /// calls as it can rather than skipping ranges it does not need.
  [[nodiscard]] virtual bool short_reads_are_cheap() const { return false; }
};

/// Opens (creating if needed) a warehouse. @param uri a directory path or
/// `sqlite:///path` for the SQLite backend. @throws ConfigError for an
/// unsupported scheme, StorageError on I/O failure.
std::unique_ptr<Warehouse> open_warehouse(const std::string& uri);

}  // namespace nbaprops
