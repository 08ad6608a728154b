#include "nbaprops/pipeline/fingerprint.hpp"

#include <cstdio>
#include <mutex>
#include <optional>
#include <string_view>

#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/core/schema.hpp"

namespace nbaprops::pipeline {

/// Per-table input state: each partition's content hash ("h<hash>") or, where
/// none is recorded, its row count ("n<count>"). Loaded once (call_once), so a
/// table being loaded blocks only the units that read that table.
struct InputFingerprints::TableState {
  std::once_flag loaded;
  bool ready = false;                        // guarded by mu_
  std::map<int32_t, std::string> token;      // day → token; guarded by mu_
  std::map<int32_t, std::string> committed;  // commits noted while loading; guarded by mu_
};

InputFingerprints::InputFingerprints(Warehouse& warehouse, const Schedule& schedule,
                                     std::map<std::string, DateRange> windows)
    : warehouse_(warehouse), schedule_(schedule), windows_(std::move(windows)) {}

InputFingerprints::~InputFingerprints() = default;

std::map<int32_t, std::string> InputFingerprints::load_tokens(const std::string& table) {
  std::map<int32_t, std::string> token;
  const TableSchema& schema = catalog::get(table);
  std::optional<DateRange> w;
  if (auto it = windows_.find(table); it != windows_.end()) w = it->second;
  bool produced = false;
  for (const Processor* p : registry::all()) produced |= p->info().output_table == table;
  if (produced) {
    // Written only by units, which record each partition's hash as they commit.
    for (const auto& [d, n] : warehouse_.partition_counts(schema, w)) token[d.days()] = "n" + std::to_string(n);
    for (const auto& [d, h] : warehouse_.partition_hashes(schema, w)) token[d.days()] = "h" + h;
  } else {
    // Raw inputs may be changed by anyone (a re-import, a hand-written UPDATE):
    // hash what is stored, once.
    for (const auto& [d, h] : warehouse_.content_hashes(schema, w)) token[d.days()] = "h" + h.hex();
  }
  return token;
}

InputFingerprints::TableState& InputFingerprints::state(const std::string& table) {
  TableState* st = nullptr;
  {
    std::shared_lock lock(mu_);
    if (auto it = tables_.find(table); it != tables_.end()) st = it->second.get();
  }
  if (st == nullptr) {
    std::unique_lock lock(mu_);
    auto& slot = tables_[table];
    if (!slot) slot = std::make_unique<TableState>();
    st = slot.get();
  }
  std::call_once(st->loaded, [&] {
    auto token = load_tokens(table);  // outside mu_: other tables' units go on
    std::unique_lock lock(mu_);
    for (auto& [day, t] : st->committed) token[day] = std::move(t);  // newer than what was read
    st->committed.clear();
    st->token = std::move(token);
    st->ready = true;
  });
  return *st;
}

void InputFingerprints::note_committed(const std::string& table, Date d, const std::map<Date, PartitionHash>& hashes) {
  {
    std::shared_lock lock(mu_);
    if (!tables_.count(table)) return;  // nobody has read it yet
  }
  const auto it = hashes.find(d);
  const std::string token = "h" + (it == hashes.end() ? PartitionHash{} : it->second).hex();
  std::unique_lock lock(mu_);
  TableState& st = *tables_[table];
  (st.ready ? st.token : st.committed)[d.days()] = token;
}

std::string InputFingerprints::fingerprint(const Unit& u) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  for (const UpstreamRead& r : u.processor->info().reads) {
    const DateRange w = r.window(schedule_, u.date);
    mix(r.table);
    if (w.start > w.end) continue;
    TableState& st = state(r.table);
    std::shared_lock lock(mu_);
    for (auto it = st.token.lower_bound(w.start.days()); it != st.token.end() && it->first <= w.end.days(); ++it) {
      if (it->second == "n0") continue;
      mix(Date(it->first).iso());
      mix(it->second);
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool LastCommit::up_to_date(const std::string& fp, int64_t stored_rows) const noexcept {
  return fingerprint == fp && stored_rows == rows && (stored_rows > 0 || empty);
}

LastCommits load_last_commits(Warehouse& warehouse, DateRange range) {
  LastCommits out;
  const TableSchema& ledger = catalog::get("nba_orchestration.run_ledger");
  Table t = warehouse.read(ledger, range,
                           {"processor", "unit_date", "status", "rows_written", "input_fingerprint", "finished_at"});
  const Column &proc = t.col("processor"), &day = t.col("unit_date"), &status = t.col("status"),
               &rows = t.col("rows_written"), &fp = t.col("input_fingerprint"), &fin = t.col("finished_at");
  for (size_t r = 0; r < t.num_rows(); ++r) {
    if (fp.is_null(r) || day.is_null(r)) continue;
    const std::string& st = status.text_at(r);
    if (st != "success" && st != "empty") continue;
    LastCommit& lc = out[{proc.text_at(r), static_cast<int32_t>(day.int_at(r))}];
    if (!lc.finished_at.empty() && fin.text_at(r) < lc.finished_at) continue;
    lc = LastCommit{fp.text_at(r), rows.is_null(r) ? 0 : rows.int_at(r), fin.text_at(r), st == "empty"};
  }
  return out;
}

}  // namespace nbaprops::pipeline
