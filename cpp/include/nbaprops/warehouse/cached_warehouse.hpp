#pragma once
/// @file cached_warehouse.hpp
/// A run-scoped read cache in front of a Warehouse: the "load once" of the
/// design. The first read of a (table, projection) loads the partitions of the
/// cache window up to 120 days past what it reads with one query, later reads
/// reaching further load the next block the same way, and reads inside what is
/// loaded are served from memory. Writes go through to the base warehouse and
/// mark the written partitions stale, so the next read reloads exactly those
/// (one small query each) — reads always return what the base would, in the
/// same row order, except for the partitions a run declares it is about to
/// replace (expect_writes), which nothing reads before they are written.
///
/// Valid only while every writer of the cached tables goes through this object
/// (the runner's units); an outside writer during the run is not seen.
/// Thread-safe.

#include <atomic>
#include <climits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nbaprops/warehouse/warehouse.hpp"

namespace nbaprops {

/// Caching decorator; see the file comment.
class CachedWarehouse final : public Warehouse {
 public:
  /// @param base the warehouse (must outlive this object). @param window the
  /// dates to cache; reads reaching outside it go to @p base directly.
  CachedWarehouse(Warehouse& base, DateRange window) : base_(base), window_(window) {}
  /// @param windows per-table windows (qualified name → dates the run can
  /// read); tables not listed are read from @p base directly. Bounds memory to
  /// what the plan reads.
  /// @param projections per-table columns (the union of what the plan's reads
  /// of the table declare): such a table is loaded once with them, and a read
  /// of any of their subsets is served from that copy.
  /// Blocks load with read_block().
  CachedWarehouse(Warehouse& base, std::map<std::string, DateRange> windows,
                  std::map<std::string, std::vector<std::string>> projections = {})
      : base_(base), window_{Date(0), Date(-1)}, windows_(std::move(windows)), projections_(std::move(projections)) {}

  [[nodiscard]] std::string uri() const override { return base_.uri(); }
  void ensure_table(const TableSchema& schema) override { base_.ensure_table(schema); }
  /// Asked of the base warehouse: stored rows, not the run's cache.
  [[nodiscard]] std::set<std::pair<Date, std::string>> distinct_by_date(const TableSchema& schema, DateRange range,
                                                                        const std::string& column) override {
    return base_.distinct_by_date(schema, range, column);
  }
  void allow_background_io(bool allow) override { base_.allow_background_io(allow); }
  void wait_for_background_io() override { base_.wait_for_background_io(); }
  [[nodiscard]] bool writes_take_turns() const override { return base_.writes_take_turns(); }
  [[nodiscard]] bool short_reads_are_cheap() const override { return base_.short_reads_are_cheap(); }
  [[nodiscard]] bool has_table(const TableSchema& schema) override { return base_.has_table(schema); }
  [[nodiscard]] Table read(const TableSchema& schema, std::optional<DateRange> range,
                           const std::vector<std::string>& columns = {}) override;
  /// Served from the cache as read(); a block the cache does not hold is read
  /// as a block from the base.
  [[nodiscard]] Table read_block(const TableSchema& schema, DateRange range,
                                 const std::vector<std::string>& columns) override;
  void write_batch(const std::vector<TableWrite>& writes) override;
  void append(const TableSchema& schema, const Table& rows) override;
  [[nodiscard]] Table newest_ledger_rows(const LedgerLookup& q) override { return base_.newest_ledger_rows(q); }
  [[nodiscard]] std::map<Date, int64_t> partition_counts(const TableSchema& schema,
                                                         std::optional<DateRange> range) override {
    return base_.partition_counts(schema, range);
  }
  [[nodiscard]] std::map<Date, std::string> partition_hashes(const TableSchema& schema,
                                                             std::optional<DateRange> range) override {
    return base_.partition_hashes(schema, range);
  }
  /// Columns the cached projection of the table holds are hashed from memory
  /// (loading the blocks reads would load); other columns, or every column,
  /// from the base.
  [[nodiscard]] std::map<Date, PartitionHash> content_hashes(const TableSchema& schema, std::optional<DateRange> range,
                                                             const std::vector<std::string>& columns = {}) override;

  /// Drops every cached partition dated before @p floor and serves reads
  /// reaching before it from the base from now on (the runner calls it once no
  /// unfinished unit can read those dates: memory stays bounded by what the
  /// rest of the plan reads, not by the run's whole range). Never raises the
  /// floor backwards. Never waits: a projection another thread holds (a block
  /// loading, a read being served) lets go of those partitions at its next
  /// read or the next release.
  void release_before(Date floor);

  /// Declares the partitions of @p table this run is going to replace:
  /// until each is written or settled, a block load skips it instead of
  /// reading rows from the base that the run replaces before anything may read
  /// them (the runner's edges hold a reader back until every unit of its
  /// window is settled). A rerun of a range over a filled warehouse otherwise
  /// loads 120 days of each output table's old rows at its first read.
  /// Ignored when the base's short reads are not cheap (a block around the
  /// run's dates would take a remote query per gap): it is read whole there.
  void expect_writes(const std::string& table, const std::vector<Date>& dates);
  /// The unit writing @p date of @p table is settled: when it did not replace
  /// the partition (skipped, resumed, failed, blocked, cancelled), what the
  /// base stores is read from now on, as for any date the run does not write.
  /// Nothing happens for a date written since expect_writes.
  void settle(const std::string& table, Date date);

  /// @return the cached rows (all projections; for tests and benchmarks).
  [[nodiscard]] size_t cached_rows();

  /// @return base queries issued by read() so far (for tests and benchmarks).
  [[nodiscard]] int64_t base_reads() const noexcept { return base_reads_; }

  /// Seconds the calling thread has spent getting cached partitions ready:
  /// waiting for a projection another thread is loading, loading a block from
  /// the base, reloading stale dates. The runner adds what a unit's input
  /// fingerprint spends here to the unit's read seconds (the fingerprint is
  /// often the first to reach a raw block).
  static double& thread_load_seconds() noexcept;

 private:
  /// Days of a table's window loaded at once (the rest as reads reach it).
  static constexpr int kLoadBlockDays = 120;
  struct Entry {
    std::mutex mu;
    bool loaded = false;
    int32_t loaded_through = INT32_MIN;  ///< last day loaded from the base (when loaded)
    std::map<int32_t, Table> parts;      // partition day → rows of that day (base order)
    std::set<int32_t> stale;
    int32_t released_to = INT32_MIN;  ///< no partition dated before it is held
  };
  Entry& entry(const std::string& key);
  /// Drops @p e's partitions dated before @p day (caller holds e.mu).
  static void release_locked(Entry& e, int32_t day);
  /// A locked, loaded and fresh cached projection and its partitions of a
  /// range.
  struct Served {
    std::unique_lock<std::mutex> lock;
    Entry* entry;
    const std::vector<std::string>* cols;  ///< the projection cached
    std::map<int32_t, Table>::const_iterator lo, hi;
  };
  /// @return what serves a read of @p columns of @p schema over @p range, or
  /// nullopt when it goes to the base (outside the window or the floor, no
  /// partition column; with @p projection_only, also columns that are not a
  /// subset of the table's declared projection).
  std::optional<Served> serve(const TableSchema& schema, std::optional<DateRange> range,
                              const std::vector<std::string>& columns, bool projection_only);
  Table read(const TableSchema& schema, std::optional<DateRange> range, const std::vector<std::string>& columns,
             bool block);
  void append_done(const TableSchema& schema);
  /// The subranges of @p range holding no partition of @p table the run has
  /// yet to write (expect_writes), in date order.
  [[nodiscard]] std::vector<DateRange> unexpected_ranges(const std::string& table, DateRange range);
  /// Ends the wait for @p dates of @p table (written); @return whether any of
  /// them was expected.
  bool written(const std::string& table, const std::vector<Date>& dates);
  /// The (key, entry) pairs of @p table's cached projections.
  std::vector<std::pair<std::string, Entry*>> entries_of(const std::string& table);
  void load_date(Entry& e, const TableSchema& schema, const std::vector<std::string>& columns, int32_t day);

  /// The cache window of @p schema (empty range when uncached).
  [[nodiscard]] DateRange window_of(const TableSchema& schema) const;

  Warehouse& base_;
  DateRange window_;
  std::map<std::string, DateRange> windows_;
  std::map<std::string, std::vector<std::string>> projections_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Entry>> entries_;  // key: table + '|' + projection
  std::map<std::string, std::set<std::string>> keys_by_table_;
  std::mutex expected_mu_;
  std::map<std::string, std::set<int32_t>> expected_;  ///< table → days the run has yet to write (expect_writes)
  std::atomic<int64_t> base_reads_{0};
  std::atomic<int32_t> floor_{INT32_MIN};  ///< see release_before()
};

}  // namespace nbaprops
