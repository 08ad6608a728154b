#include "nbaprops/pipeline/fingerprint.hpp"

#include <cstdio>
#include <algorithm>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

#include "nbaprops/core/catalog_columns.hpp"
#include "nbaprops/core/content_hash.hpp"
#include "nbaprops/core/schema.hpp"

namespace nbaprops::pipeline {

namespace ledger_col = cols::run_ledger;

namespace {

/// A fingerprint token: its kind letter, then its text ("n" + count, "h" + hash).
/// Appended, not "n" + temporary: GCC 12 warns falsely (-Wrestrict) on that.
std::string tagged(char tag, std::string_view text) {
  std::string out(1, tag);
  out += text;
  return out;
}

}  // namespace

/// Per-table input state: each partition's content hash ("h<hash>") or, where
/// none is recorded, its row count ("n<count>"). Loaded once (call_once), so a
/// table being loaded blocks only the units that read that table.
struct InputFingerprints::TableState {
  std::once_flag loaded;
  bool ready = false;                        // guarded by mu_
  std::map<int32_t, std::string> token;      // day → token; guarded by mu_
  std::map<int32_t, std::string> committed;  // commits noted while loading; guarded by mu_
  /// A fingerprint's state after mixing the tokens of days [start, end], from
  /// state h_in: the next unit of a season-to-date window (same start, later
  /// end) goes on from there instead of mixing the season again. Dropped when
  /// a token of one of those days changes (note_committed).
  struct Prefix {
    uint64_t h_in;
    int32_t start, end;
    uint64_t h_out;
  };
  std::vector<Prefix> prefixes;  // guarded by mu_
  uint64_t version = 0;          // tokens changed since loading; guarded by mu_
};

/// Content tokens of a raw table over the columns one read declares, computed
/// block by block as fingerprints reach them (raw tables do not change during a
/// run: a day computed once stays valid).
struct InputFingerprints::RawState {
  std::mutex mu;
  std::map<int32_t, std::string> token;  // day → "h<hash>"; guarded by mu
  std::set<int32_t> done;                // days whose token is known (or that have no rows); guarded by mu
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
  // Written only by units, which record each partition's hash as they commit.
  for (const auto& [d, n] : warehouse_.partition_counts(schema, w)) token[d.days()] = tagged('n', std::to_string(n));
  for (const auto& [d, h] : warehouse_.partition_hashes(schema, w)) token[d.days()] = "h" + h;
  return token;
}

bool InputFingerprints::produced(const std::string& table) {
  std::call_once(produced_once_, [this] {
    for (const Processor* p : registry::all()) produced_.insert(p->info().output_table);
  });
  return produced_.count(table) > 0;
}

InputFingerprints::RawState& InputFingerprints::raw_state(const UpstreamRead& r) {
  std::string key = r.table + "|";
  for (const auto& c : r.columns) key += c + ",";
  std::unique_lock lock(mu_);
  auto& slot = raws_[key];
  if (!slot) slot = std::make_unique<RawState>();
  return *slot;
}

void InputFingerprints::hash_raw(const UpstreamRead& r, DateRange w, RawState& st) {
  // Raw inputs may be changed by anyone (a re-import, a hand-written UPDATE):
  // hash what is stored, over the columns the read declares (a change to a
  // column no processor of this read looks at cannot change its output).
  // Called with st.mu held.
  std::optional<int32_t> first;
  for (int32_t d = w.start.days(); d <= w.end.days() && !first; ++d) {
    if (!st.done.count(d)) first = d;
  }
  if (!first) return;
  // The days still unknown, in one block reaching ahead as the run's cache
  // loads (later units of the plan read them next), within the table's window.
  DateRange block{Date(*first), w.end};
  if (auto it = windows_.find(r.table); it != windows_.end() && it->second.start <= block.start) {
    block.end = std::min(it->second.end, std::max(w.end, block.start + (kRawBlockDays - 1)));
  }
  const TableSchema& schema = catalog::get(r.table);
  for (const auto& [d, h] : warehouse_.content_hashes(schema, block, r.columns))
    st.token[d.days()] = tagged('h', h.hex());
  for (int32_t d = block.start.days(); d <= block.end.days(); ++d) st.done.insert(d);
}

void InputFingerprints::mix_raw(const UpstreamRead& r, DateRange w,
                                const std::function<void(int32_t, const std::string&)>& mix) {
  RawState& st = raw_state(r);
  std::lock_guard lock(st.mu);
  hash_raw(r, w, st);
  for (auto it = st.token.lower_bound(w.start.days()); it != st.token.end() && it->first <= w.end.days(); ++it) {
    mix(it->first, it->second);
  }
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
  const std::string token = tagged('h', (it == hashes.end() ? PartitionHash{} : it->second).hex());
  std::unique_lock lock(mu_);
  TableState& st = *tables_[table];
  (st.ready ? st.token : st.committed)[d.days()] = token;
  ++st.version;
  std::erase_if(st.prefixes, [&](const TableState::Prefix& p) { return p.start <= d.days() && d.days() <= p.end; });
}

std::string InputFingerprints::fingerprint(const Unit& u) {
  uint64_t h = kFnvOffset;
  auto mix = [&h](std::string_view s) { h = fnv1a_text(h, s); };
  const auto& reads = u.processor->info().reads;
  // The raw blocks this unit needs that no other unit is loading, first: where
  // another worker is loading one table (a block load of a raw table is a few
  // tens of milliseconds), this one loads the next instead of waiting for it.
  // The mixing below then waits only for blocks still being loaded.
  if (reads.size() > 1) {
    for (const UpstreamRead& r : reads) {
      const DateRange w = r.window(schedule_, u.date);
      if (w.start > w.end || produced(r.table)) continue;
      RawState& st = raw_state(r);
      std::unique_lock lock(st.mu, std::try_to_lock);
      if (lock.owns_lock()) hash_raw(r, w, st);
    }
  }
  for (const UpstreamRead& r : reads) {
    const DateRange w = r.window(schedule_, u.date);
    mix(r.table);
    if (w.start > w.end) continue;
    if (!produced(r.table)) {
      mix_raw(r, w, [&](int32_t day, const std::string& token) {
        mix(Date(day).iso());
        mix(token);
      });
      continue;
    }
    TableState& st = state(r.table);
    const uint64_t h_in = h;
    const int32_t start = w.start.days(), end = w.end.days();
    uint64_t version = 0;
    {
      std::shared_lock lock(mu_);
      version = st.version;
      // The longest prefix of this window already mixed from the same state.
      int32_t from = start;
      for (const TableState::Prefix& p : st.prefixes) {
        if (p.h_in == h_in && p.start == start && p.end <= end && p.end >= from) {
          h = p.h_out;
          from = p.end + 1;
        }
      }
      for (auto it = st.token.lower_bound(from); it != st.token.end() && it->first <= end; ++it) {
        if (it->second == "n0") continue;
        mix(Date(it->first).iso());
        mix(it->second);
      }
    }
    std::unique_lock lock(mu_);
    if (st.version == version) {  // no token changed meanwhile
      constexpr size_t kPrefixes = 16;
      auto same = std::find_if(st.prefixes.begin(), st.prefixes.end(),
                               [&](const TableState::Prefix& p) { return p.h_in == h_in && p.start == start; });
      if (same != st.prefixes.end()) {
        if (same->end < end) *same = TableState::Prefix{h_in, start, end, h};
      } else {
        if (st.prefixes.size() == kPrefixes) st.prefixes.erase(st.prefixes.begin());
        st.prefixes.push_back(TableState::Prefix{h_in, start, end, h});
      }
    }
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

bool LastCommit::up_to_date(const std::string& fp, int64_t stored_rows) const noexcept {
  return fingerprint == fp && stored_rows == rows && (stored_rows > 0 || empty);
}

std::vector<std::pair<std::string, Date>> ledger_units(const std::vector<Unit>& units) {
  std::vector<std::pair<std::string, Date>> out;
  for (const Unit& u : units) {
    if (u.planned == UnitStatus::kPending) out.emplace_back(u.processor->info().name, u.date);
  }
  return out;
}

LastCommits load_last_commits(Warehouse& warehouse, const std::vector<Unit>& units) {
  LastCommits out;
  const Table t = warehouse.newest_ledger_rows(
      LedgerLookup{ledger_units(units),
                   {"success", "empty"},
                   {"unit_date", "input_fingerprint"},
                   {"processor", "unit_date", "status", "rows_written", "input_fingerprint", "finished_at"}});
  const Column &proc = t.col(ledger_col::processor), &day = t.col(ledger_col::unit_date),
               &status = t.col(ledger_col::status), &rows = t.col(ledger_col::rows_written),
               &fp = t.col(ledger_col::input_fingerprint), &fin = t.col(ledger_col::finished_at);
  for (size_t r = 0; r < t.num_rows(); ++r) {
    out[{proc.text_at(r), static_cast<int32_t>(day.int_at(r))}] =
        LastCommit{fp.text_at(r), rows.is_null(r) ? 0 : rows.int_at(r), fin.is_null(r) ? "" : fin.text_at(r),
                   status.text_at(r) == "empty"};
  }
  return out;
}

}  // namespace nbaprops::pipeline
