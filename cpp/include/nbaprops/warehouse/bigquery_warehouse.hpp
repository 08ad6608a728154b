#pragma once
/// @file bigquery_warehouse.hpp
/// The shared-warehouse backend: Google BigQuery over its REST API (libcurl),
/// behind the same Warehouse interface as SQLite. Tables keep their legacy
/// names in datasets named
/// `<prefix><dataset><suffix>` (`nba_analytics.player_game_summary`), are
/// created from the catalog schemas with exact types (NUMERIC(p,s) vs FLOAT64,
/// DATE, TIMESTAMP, BOOL, JSON, REPEATED STRING for arrays) and are partitioned
/// by day on their date column.
///
/// Cost model (requests): a read is one query job plus one request per further
/// page; a partition count is one grouped query; a write_batch is one
/// multi-statement transaction (`BEGIN TRANSACTION; DELETE …; INSERT …;
/// COMMIT TRANSACTION`) plus one NDJSON load job per table too large to inline
/// (more than `inline_cells` cells, or a JSON/ARRAY/non-finite value): those
/// rows go to a staging table in the `<prefix>nbaprops_staging<suffix>`
/// dataset (tables expire after a day, dropped after the commit) and are
/// inserted with `INSERT … SELECT`; the others are `INSERT … VALUES` inside the
/// transaction. A failed statement rolls the whole transaction back, so
/// readers never see a date empty or doubled and a failure mid-write leaves
/// the old rows. The same transaction records the content hash of every
/// whole-partition replace in `nba_orchestration.partition_hashes` (as the
/// SQLite backend does), so partition_hashes() works here too.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops {

/// How write_batch replaces partitions.
enum class BigQueryWriteMode {
  /// Staging table + one multi-statement transaction (default; atomic across
  /// tables and dates;
  /// works in the emulator).
  kTransaction,
  /// One WRITE_TRUNCATE load job per partition decorator (`table$YYYYMMDD`).
  /// Real BigQuery only
  /// (the emulator refuses decorators); atomic per (table, date) only, not
  /// across a batch.
  /// Key-scoped writes (TableWrite::replace_key) still use the transaction.
  kPartitionTruncate,
};

/// Connection settings, parsed from `bigquery://PROJECT?key=value&…`.
struct BigQueryOptions {
  std::string project;          ///< GCP project id (required)
  std::string location = "US";  ///< `location=`: where datasets are created and jobs run
  std::string dataset_prefix;   ///< `dataset_prefix=`: e.g. "dev_" → dev_nba_raw
  std::string dataset_suffix;   ///< `dataset_suffix=`: e.g. "_test" → nba_raw_test
  std::string endpoint;         ///< `endpoint=`: API root for emulators (default the
                                ///< Google API)
  std::string auth;             ///< `auth=`: none|token|service_account|adc|metadata
                                ///< (default: in order)
  BigQueryWriteMode write_mode = BigQueryWriteMode::kTransaction;  ///< `write_mode=transaction|truncate`
  int max_attempts = 6;                                            ///< `max_attempts=`: tries per request
  std::chrono::milliseconds initial_backoff{500};                  ///< `backoff_ms=`: first retry delay (jittered)
  std::chrono::milliseconds timeout{120000};                       ///< `timeout_s=`: per request
  int64_t page_rows = 50000;                                       ///< `page_rows=`: rows per result page
  int64_t inline_cells = 100;  ///< `inline_cells=`: largest write (rows × columns) sent as INSERT … VALUES
                               ///< instead of a staging load job (0: always stage)

  /// Parses a `bigquery://` URI; values may be percent-encoded. Unset keys keep
  /// the defaults, which $NBAPROPS_HTTP_MAX_ATTEMPTS / _BACKOFF_MS / _TIMEOUT_S
  /// adjust first.
  /// @throws ConfigError on a missing project, an unknown key or a bad value.
  static BigQueryOptions parse(const std::string& uri);
};

/// BigQuery warehouse. Thread-safe: reads and counts run in parallel; writes
/// are group-committed: a write_batch arriving while a transaction is in
/// flight waits, and all batches waiting when it ends share the next
/// transaction (each batch's deletes, then its inserts, batch after batch: the
/// same effect as one transaction each, in order). A shared transaction that
/// the server rejects is retried batch by batch, so only the faulty batch
/// fails.
class BigQueryWarehouse final : public Warehouse {
 public:
  /// Connects lazily: nothing is sent until the first call. @throws ConfigError
  /// (credentials).
  explicit BigQueryWarehouse(const BigQueryOptions& options);
  ~BigQueryWarehouse() override;

  /// @return `bigquery://PROJECT?location=…` (never a credential).
  [[nodiscard]] std::string uri() const override;
  void ensure_table(const TableSchema& schema) override;
  [[nodiscard]] bool has_table(const TableSchema& schema) override;
  /// One query job (`ORDER BY` partition date, then key) and its pages. A
  /// missing table reads as empty. @throws NetworkError naming the table and
  /// range (job id when a job failed), DataError.
  [[nodiscard]] Table read(const TableSchema& schema, std::optional<DateRange> range,
                           const std::vector<std::string>& columns = {}) override;
  /// One query job: the newest counting row of each (processor, unit_date) of
  /// the units' processors and range, ranked by BigQuery (`ROW_NUMBER()`), so
  /// only those rows come back, not the ledger's history.
  [[nodiscard]] Table newest_ledger_rows(const LedgerLookup& q) override;
  /// @throws DataError (row outside the dates, NULL in a required column),
  /// NetworkError (the API's message, the tables and dates, the job id).
  void write_batch(const std::vector<TableWrite>& writes) override;
  /// One WRITE_APPEND load job with a fixed job id, so a retried request cannot
  /// append twice.
  void append(const TableSchema& schema, const Table& rows) override;
  [[nodiscard]] std::map<Date, int64_t> partition_counts(const TableSchema& schema,
                                                         std::optional<DateRange> range) override;
  /// One query of `nba_orchestration.partition_hashes`. Whole-partition
  /// replaces record their hash in the write's transaction; a key- or
  /// scope-limited replace removes the hashes of its dates (callers then fall
  /// back to row counts), and so does a `write_mode=truncate` load before it
  /// starts.
  [[nodiscard]] std::map<Date, std::string> partition_hashes(const TableSchema& schema,
                                                             std::optional<DateRange> range) override;

  /// @return the BigQuery dataset holding @p schema (prefix + dataset +
  /// suffix).
  [[nodiscard]] std::string dataset_of(const TableSchema& schema) const;
  /// @return HTTP requests sent so far (retries included; token requests
  /// excluded).
  [[nodiscard]] int64_t request_count() const noexcept;
  /// Test hook: the next write_batch's transaction fails after its DELETE
  /// statements (a statement that raises an error), to prove the old rows
  /// survive.
  void inject_write_failure();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nbaprops
