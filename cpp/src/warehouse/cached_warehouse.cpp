#include "nbaprops/warehouse/cached_warehouse.hpp"

#include <algorithm>
#include <chrono>
#include <optional>

namespace nbaprops {
namespace {

std::string key_of(const TableSchema& schema, const std::vector<std::string>& columns) {
  std::string k = schema.name + "|";
  for (const auto& c : columns) k += c + ",";
  return k;
}

/// Splits rows (ordered by partition date) into one Table per date.
void split_by_date(const Table& all, std::map<int32_t, Table>& parts) {
  const int part = all.index_of(all.schema().partition_column);
  size_t r = 0;
  while (r < all.num_rows()) {
    const int64_t day = all.col(static_cast<size_t>(part)).int_at(r);
    size_t end = r;
    while (end < all.num_rows() && all.col(static_cast<size_t>(part)).int_at(end) == day) ++end;
    Table t = all.slice(r, end);
    parts.insert_or_assign(static_cast<int32_t>(day), std::move(t));
    r = end;
  }
}

/// The projection of a cache key ("table|c1,c2,"; empty = every column of the
/// schema), or nullopt when @p rows lacks one of its columns.
std::optional<std::vector<std::string>> projection_of(const std::string& key, const Table& rows) {
  std::vector<std::string> cols;
  std::string cur;
  for (size_t i = key.find('|') + 1; i < key.size(); ++i) {
    if (key[i] == ',') {
      cols.push_back(cur);
      cur.clear();
    } else {
      cur += key[i];
    }
  }
  if (cols.empty()) {
    for (const auto& c : rows.schema().columns) cols.push_back(c.name);
  }
  for (const auto& c : cols) {
    if (rows.index_of(c) < 0) return std::nullopt;
  }
  return cols;
}

/// Row indices of @p w's rows per partition day, each in the order the base
/// warehouse reads them back (@p w.order: key columns ascending, NULL first,
/// ties in written order).
std::map<int32_t, std::vector<size_t>> rows_by_partition_in_base_order(const TableWrite& w) {
  std::map<int32_t, std::vector<size_t>> out;
  if (w.order == nullptr) return out;  // no rows, or no partition column
  const Column& pc = w.rows->col(w.rows->require(w.schema->partition_column));
  for (size_t r : *w.order) {
    if (!pc.is_null(r)) out[static_cast<int32_t>(pc.int_at(r))].push_back(r);
  }
  return out;
}

}  // namespace

CachedWarehouse::Entry& CachedWarehouse::entry(const std::string& key) {
  std::lock_guard lock(mu_);
  auto& e = entries_[key];
  if (!e) {
    e = std::make_unique<Entry>();
    keys_by_table_[key.substr(0, key.find('|'))].insert(key);
  }
  return *e;
}

void CachedWarehouse::load_date(Entry& e, const TableSchema& schema, const std::vector<std::string>& columns,
                                int32_t day) {
  Table t = base_.read(schema, DateRange{Date(day), Date(day)}, columns);
  ++base_reads_;
  if (t.num_rows() == 0) {
    e.parts.erase(day);
  } else {
    e.parts.insert_or_assign(day, std::move(t));
  }
}

double& CachedWarehouse::thread_load_seconds() noexcept {
  thread_local double seconds = 0;
  return seconds;
}

DateRange CachedWarehouse::window_of(const TableSchema& schema) const {
  if (windows_.empty()) return window_;
  auto it = windows_.find(schema.name);
  return it == windows_.end() ? DateRange{Date(0), Date(-1)} : it->second;
}

std::optional<CachedWarehouse::Served> CachedWarehouse::serve(const TableSchema& schema, std::optional<DateRange> range,
                                                              const std::vector<std::string>& columns,
                                                              bool projection_only) {
  // The projection cached: a table the plan loads with one projection (the
  // union its reads declare) serves any subset of it from that one copy (the
  // requested columns, the same rows in the same order).
  const std::vector<std::string>* load = &columns;
  if (auto p = projections_.find(schema.name); p != projections_.end() && !columns.empty()) {
    const auto& u = p->second;
    if (std::all_of(columns.begin(), columns.end(),
                    [&](const std::string& c) { return std::find(u.begin(), u.end(), c) != u.end(); })) {
      load = &u;
    }
  }
  if (projection_only && load == &columns) return std::nullopt;
  const std::vector<std::string>& cols = *load;
  // The partition column is needed to split; a projection without it is read
  // from the base.
  if (!cols.empty() && std::find(cols.begin(), cols.end(), schema.partition_column) == cols.end()) return std::nullopt;
  const DateRange window = window_of(schema);
  if (!range || range->start < window.start || window.end < range->end || range->start.days() < floor_.load()) {
    return std::nullopt;
  }
  Entry& e = entry(key_of(schema, cols));
  struct LoadClock {
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
    ~LoadClock() {
      thread_load_seconds() += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    }
  } clock;
  std::unique_lock lock(e.mu);
  // What a release could not take while another thread held the entry (never
  // a date this read asks for).
  release_locked(e, std::min(floor_.load(), range->start.days()));
  if (!e.loaded || e.loaded_through < range->end.days()) {
    // The window loads in blocks as the run reaches them: what is in memory is
    // the block being read, not every season of the run at once.
    const Date from = e.loaded ? Date(e.loaded_through + 1) : std::max(window.start, Date(floor_.load()));
    const Date to = std::min(window.end, std::max(range->end, from + (kLoadBlockDays - 1)));
    // Partitions the run has yet to write are left out: they come in with
    // their commits (write_batch) or, when their unit writes nothing, as
    // stale dates (settle).
    for (const DateRange& part : unexpected_ranges(schema.name, DateRange{from, to})) {
      Table all = base_.read_block(schema, part, cols);
      ++base_reads_;
      split_by_date(all, e.parts);
    }
    e.stale.erase(e.stale.lower_bound(from.days()), e.stale.upper_bound(to.days()));
    e.loaded = true;
    e.loaded_through = to.days();
  }
  for (auto it = e.stale.lower_bound(range->start.days()); it != e.stale.end() && *it <= range->end.days();) {
    load_date(e, schema, cols, *it);
    it = e.stale.erase(it);
  }
  return Served{std::move(lock), &e, &cols, e.parts.lower_bound(range->start.days()),
                e.parts.upper_bound(range->end.days())};
}

Table CachedWarehouse::read(const TableSchema& schema, std::optional<DateRange> range,
                            const std::vector<std::string>& columns) {
  return read(schema, range, columns, false);
}

Table CachedWarehouse::read_block(const TableSchema& schema, DateRange range, const std::vector<std::string>& columns) {
  return read(schema, range, columns, true);
}

Table CachedWarehouse::read(const TableSchema& schema, std::optional<DateRange> range,
                            const std::vector<std::string>& columns, bool block) {
  auto sv = serve(schema, range, columns, false);
  if (!sv) {
    ++base_reads_;
    return block ? base_.read_block(schema, *range, columns) : base_.read(schema, range, columns);
  }
  const std::vector<std::string>& cols = *sv->cols;
  Table out(schema, columns);
  size_t rows = 0;
  for (auto it = sv->lo; it != sv->hi; ++it) rows += it->second.num_rows();
  out.reserve(rows);
  if (cols == columns) {
    for (auto it = sv->lo; it != sv->hi; ++it) out.append_same(it->second);
    return out;
  }
  std::vector<size_t> from;  // each requested column's position in the cached projection
  from.reserve(columns.size());
  for (const auto& c : columns)
    from.push_back(static_cast<size_t>(std::find(cols.begin(), cols.end(), c) - cols.begin()));
  for (auto it = sv->lo; it != sv->hi; ++it) out.append_columns(it->second, from);
  return out;
}

std::map<Date, PartitionHash> CachedWarehouse::content_hashes(const TableSchema& schema, std::optional<DateRange> range,
                                                              const std::vector<std::string>& columns) {
  // Hashed in place from the cached projection when it holds the columns;
  // otherwise (every column, say) from the base, which streams the rows rather
  // than holding one more projection of the table.
  auto sv = serve(schema, range, columns, true);
  if (!sv) return base_.content_hashes(schema, range, columns);
  std::map<Date, PartitionHash> out;
  if (sv->lo == sv->hi) return out;
  PartitionHasher hasher(sv->lo->second, columns);  // every part has the projection's layout
  for (auto it = sv->lo; it != sv->hi; ++it) hasher.add(it->second, out);
  return out;
}

void CachedWarehouse::write_batch(const std::vector<TableWrite>& given) {
  // The rows in the order the base stores them, sorted once for the base and
  // for the cached parts below.
  std::vector<TableWrite> writes = given;
  std::vector<std::vector<size_t>> orders(writes.size());
  for (size_t i = 0; i < writes.size(); ++i) {
    TableWrite& w = writes[i];
    if (w.order != nullptr || w.schema == nullptr || w.rows == nullptr) continue;  // the base rejects the latter
    orders[i] = read_back_order_if_any(*w.schema, *w.rows);
    if (!orders[i].empty()) w.order = &orders[i];
  }
  base_.write_batch(writes);
  for (const TableWrite& w : writes) {
    // Before the entries to update are listed: a block loading meanwhile
    // either finds the dates written (and reads them from the base, which has
    // them) or is an entry listed here (and gets them below).
    written(w.schema->name, w.dates);
    if (w.append_only) {
      append_done(*w.schema);
      continue;
    }
    const std::vector<std::pair<std::string, Entry*>> affected = entries_of(w.schema->name);
    // A whole-partition replace: the rows written are the partitions' content,
    // so they go straight into the cache (in the base's row order) instead of
    // being read back. Partial replaces are reloaded from the base on the next
    // read.
    const bool whole = w.replace_key.empty() && w.scope.empty();
    std::map<int32_t, std::vector<size_t>> rows_by_day;
    if (whole && !affected.empty()) rows_by_day = rows_by_partition_in_base_order(w);
    for (auto& [key, e] : affected) {
      std::lock_guard lock(e->mu);
      std::optional<std::vector<std::string>> cols;
      if (whole && e->loaded) cols = projection_of(key, *w.rows);
      for (Date d : w.dates) {
        if (d.days() < floor_.load()) continue;  // released: reads of it go to the base
        if (!cols) {
          e->stale.insert(d.days());
          continue;
        }
        e->stale.erase(d.days());
        auto it = rows_by_day.find(d.days());
        if (it == rows_by_day.end()) {
          e->parts.erase(d.days());
          continue;
        }
        Table part(*w.schema, *cols);
        part.resize(it->second.size());
        for (size_t c = 0; c < cols->size(); ++c) {
          const Column& src = w.rows->col(w.rows->require((*cols)[c]));
          Column& dst = part.col(c);
          for (size_t i = 0; i < it->second.size(); ++i) dst.copy_cell(i, src, it->second[i]);
        }
        e->parts.insert_or_assign(d.days(), std::move(part));
      }
    }
  }
}

void CachedWarehouse::release_locked(Entry& e, int32_t day) {
  if (day <= e.released_to) return;
  e.parts.erase(e.parts.begin(), e.parts.lower_bound(day));
  e.stale.erase(e.stale.begin(), e.stale.lower_bound(day));
  e.released_to = day;
}

void CachedWarehouse::release_before(Date floor) {
  std::vector<Entry*> all;
  {
    std::lock_guard lock(mu_);
    if (floor.days() > floor_.load()) floor_.store(floor.days());
    for (auto& [key, e] : entries_) all.push_back(e.get());
  }
  // An entry another thread holds is not waited for: that thread may be
  // loading a season's block (the first unit of a run, for tens of
  // milliseconds), and the releasing worker would idle all that time. The
  // entry lets go at its next read (serve) or at a later release.
  const int32_t day = floor_.load();
  for (Entry* e : all) {
    std::unique_lock lock(e->mu, std::try_to_lock);
    if (lock.owns_lock()) release_locked(*e, day);
  }
}

size_t CachedWarehouse::cached_rows() {
  std::vector<Entry*> all;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, e] : entries_) all.push_back(e.get());
  }
  size_t n = 0;
  for (Entry* e : all) {
    std::lock_guard lock(e->mu);
    for (const auto& [day, t] : e->parts) n += t.num_rows();
  }
  return n;
}

void CachedWarehouse::append(const TableSchema& schema, const Table& rows) {
  base_.append(schema, rows);
  {
    // Dates unknown here: the table's expected partitions are read from the
    // base again, as before expect_writes.
    std::lock_guard lock(expected_mu_);
    expected_.erase(schema.name);
  }
  append_done(schema);
}

void CachedWarehouse::expect_writes(const std::string& table, const std::vector<Date>& dates) {
  if (!base_.short_reads_are_cheap()) return;
  std::lock_guard lock(expected_mu_);
  auto& days = expected_[table];
  for (Date d : dates) days.insert(d.days());
}

bool CachedWarehouse::written(const std::string& table, const std::vector<Date>& dates) {
  std::lock_guard lock(expected_mu_);
  auto it = expected_.find(table);
  if (it == expected_.end()) return false;
  bool any = false;
  for (Date d : dates) any = it->second.erase(d.days()) > 0 || any;
  return any;
}

void CachedWarehouse::settle(const std::string& table, Date date) {
  if (!written(table, {date})) return;  // written (or never expected): nothing to reload
  // A block loaded since expect_writes skipped the date; the next read of it
  // loads it from the base (a block loaded from now on includes it).
  for (const auto& [key, e] : entries_of(table)) {
    std::lock_guard lock(e->mu);
    if (e->loaded && date.days() <= e->loaded_through && date.days() >= floor_.load()) e->stale.insert(date.days());
  }
}

std::vector<DateRange> CachedWarehouse::unexpected_ranges(const std::string& table, DateRange range) {
  std::vector<DateRange> out;
  std::lock_guard lock(expected_mu_);
  auto it = expected_.find(table);
  if (it == expected_.end() || it->second.empty()) {
    out.push_back(range);
    return out;
  }
  int32_t start = range.start.days();
  for (auto d = it->second.lower_bound(start); d != it->second.end() && *d <= range.end.days(); ++d) {
    if (*d > start) out.push_back(DateRange{Date(start), Date(*d - 1)});
    start = *d + 1;
  }
  if (start <= range.end.days()) out.push_back(DateRange{Date(start), range.end});
  return out;
}

std::vector<std::pair<std::string, CachedWarehouse::Entry*>> CachedWarehouse::entries_of(const std::string& table) {
  std::vector<std::pair<std::string, Entry*>> out;
  std::lock_guard lock(mu_);
  for (const auto& k : keys_by_table_[table]) out.emplace_back(k, entries_[k].get());
  return out;
}

void CachedWarehouse::append_done(const TableSchema& schema) {
  for (const auto& [key, e] : entries_of(schema.name)) {
    std::lock_guard lock(e->mu);
    e->loaded = false;
    e->parts.clear();
    e->stale.clear();
  }
}

}  // namespace nbaprops
