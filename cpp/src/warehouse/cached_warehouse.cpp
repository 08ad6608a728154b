#include "nbaprops/warehouse/cached_warehouse.hpp"

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

Table CachedWarehouse::read(const TableSchema& schema, std::optional<DateRange> range,
                            const std::vector<std::string>& columns) {
  // The partition column is needed to split; add it to the cached projection when absent.
  std::vector<std::string> cols = columns;
  if (!cols.empty()) {
    bool has_part = false;
    for (const auto& c : cols) has_part |= c == schema.partition_column;
    if (!has_part) {
      ++base_reads_;
      return base_.read(schema, range, columns);
    }
  }
  if (!range || range->start < window_.start || window_.end < range->end) {
    ++base_reads_;
    return base_.read(schema, range, columns);
  }
  Entry& e = entry(key_of(schema, cols));
  std::lock_guard lock(e.mu);
  if (!e.loaded) {
    Table all = base_.read(schema, window_, cols);
    ++base_reads_;
    split_by_date(all, e.parts);
    e.loaded = true;
    e.stale.clear();
  }
  for (auto it = e.stale.lower_bound(range->start.days()); it != e.stale.end() && *it <= range->end.days();) {
    load_date(e, schema, cols, *it);
    it = e.stale.erase(it);
  }
  Table out(schema, cols);
  size_t rows = 0;
  auto lo = e.parts.lower_bound(range->start.days());
  auto hi = e.parts.upper_bound(range->end.days());
  for (auto it = lo; it != hi; ++it) rows += it->second.num_rows();
  out.reserve(rows);
  for (auto it = lo; it != hi; ++it) out.append_same(it->second);
  return out;
}

void CachedWarehouse::write_batch(const std::vector<TableWrite>& writes) {
  base_.write_batch(writes);
  for (const TableWrite& w : writes) {
    std::vector<Entry*> affected;
    {
      std::lock_guard lock(mu_);
      for (const auto& k : keys_by_table_[w.schema->name]) affected.push_back(entries_[k].get());
    }
    for (Entry* e : affected) {
      std::lock_guard lock(e->mu);
      for (Date d : w.dates) e->stale.insert(d.days());
    }
  }
}

void CachedWarehouse::append(const TableSchema& schema, const Table& rows) {
  base_.append(schema, rows);
  std::vector<Entry*> affected;
  {
    std::lock_guard lock(mu_);
    for (const auto& k : keys_by_table_[schema.name]) affected.push_back(entries_[k].get());
  }
  for (Entry* e : affected) {
    std::lock_guard lock(e->mu);
    e->loaded = false;
    e->parts.clear();
    e->stale.clear();
  }
}

}  // namespace nbaprops
