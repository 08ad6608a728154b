#include "nbaprops/core/table.hpp"

#include <openssl/sha.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "nbaprops/core/decimal.hpp"
#include "nbaprops/core/error.hpp"
#include "nbaprops/core/memory.hpp"
#include "nbaprops/core/sha256_batch.hpp"
#include "nbaprops/core/text_cursor.hpp"

namespace nbaprops {

namespace {

/// The process-wide string pool. Each shard indexes its strings with an
/// open-addressing table of (hash, entry), so a lookup hashes the text once and
/// a miss costs one string allocation. A small per-thread direct-mapped memo in
/// front answers repeated values (teams, players, statuses) without a lock.
///
/// Two lifetimes (table.hpp): pinned entries (intern) live in per-shard deques
/// that never shrink; cell entries (intern_cell) live in chunks that reclaim()
/// frees once nothing can hold them. A cell entry asked for pinned is promoted
/// in place (its address is already in cells); reclaim keeps the chunks that
/// hold such entries and frees the others' texts.
class TextPool {
  struct Chunk;

 public:
  static constexpr std::string_view kPoison = "\x01reclaimed text (NBAPROPS_TEXT_POOL_POISON)";

  const std::string* intern(std::string_view s, bool pinned) {
    const uint64_t h = std::hash<std::string_view>{}(s);
    const uint64_t gen = gen_.load(std::memory_order_acquire);
    Memo& memo = memo_[h & (kMemoSize - 1)];
    if (memo.hash == h && memo.gen == gen && memo.entry != nullptr &&
        (!pinned || memo.entry->pinned.load(std::memory_order_relaxed)) && memo.entry->text == s) {
      return &memo.entry->text;
    }
    Shard& shard = shards_[(h >> 52) % kShards];
    Entry* out;
    bool inserted = false;
    {
      std::lock_guard lock(shard.mu);
      out = shard.find_or_insert(h, s, pinned, inserted);
    }
    // A text seen for the first time is not memoised: most are seen once
    // (row hashes, ids) and would only evict repeated ones (names, teams,
    // statuses), which are memoised from their second lookup on.
    if (!inserted) memo = Memo{h, gen, out};
    return &out->text;
  }

  /// A cell entry for @p s, not indexed (see unique_cell). The shard is
  /// picked by the text's address, which spreads threads without a lookup.
  const std::string* unique(std::string_view s) {
    Shard& shard = shards_[(reinterpret_cast<uintptr_t>(s.data()) >> 6) % kShards];
    std::lock_guard lock(shard.mu);
    return &shard.new_cell(s)->text;
  }

  /// Chunks of cell texts taken out of the pool, freed when destroyed.
  using Garbage = std::vector<std::unique_ptr<Chunk>>;

  /// Takes every cell entry out of the pool into @p garbage (the caller frees
  /// it, outside the gate): the caller guarantees that no thread holds or is
  /// interning one (see reclaim_cell_texts). @return entries taken.
  size_t reclaim(Garbage& garbage) {
    for (Shard& shard : shards_) shard.mu.lock();
    size_t freed = 0;
    for (Shard& shard : shards_) freed += shard.drop_cells(poison_, garbage);
    // Memos of every thread now name freed entries: a new generation makes
    // them misses.
    gen_.fetch_add(1, std::memory_order_acq_rel);
    ++reclaims_;
    for (Shard& shard : shards_) shard.mu.unlock();
    return freed;
  }

  TextPoolStats stats() {
    TextPoolStats out;
    for (Shard& shard : shards_) {
      std::lock_guard lock(shard.mu);
      out.pinned += shard.pinned_count;
      out.cells += shard.cell_count;
      out.cell_bytes += shard.cell_bytes;
    }
    out.reclaims = reclaims_.load();
    return out;
  }

 private:
  struct Entry {
    std::string text;
    std::atomic<bool> pinned{false};  ///< set under the shard's lock, read by memo hits without it
  };
  struct Slot {
    uint64_t hash = 0;
    Entry* entry = nullptr;
  };
  /// Cell entries, 256 to a chunk: reclaim frees whole chunks.
  struct Chunk {
    std::array<Entry, 256> entries;
    size_t used = 0;
    size_t promoted = 0;  ///< entries pinned after they were made as cells
  };
  struct Shard {
    std::mutex mu;
    std::vector<Slot> slots = std::vector<Slot>(64);
    size_t used = 0;
    std::deque<Entry> pinned_store;
    std::vector<std::unique_ptr<Chunk>> chunks;    ///< cell entries of this generation
    std::vector<std::unique_ptr<Chunk>> retained;  ///< older chunks kept for their promoted entries
    size_t pinned_count = 0, cell_count = 0, cell_bytes = 0;

    Entry* find_or_insert(uint64_t h, std::string_view s, bool pinned, bool& inserted) {
      const size_t mask = slots.size() - 1;
      for (size_t i = h & mask;; i = (i + 1) & mask) {
        Slot& slot = slots[i];
        if (slot.entry == nullptr) {
          inserted = true;
          Entry* e = pinned ? new_pinned(s) : new_cell(s);
          slot = Slot{h, e};
          if (++used * 4 > slots.size() * 3) grow(slots.size() * 2);
          return e;
        }
        if (slot.hash == h && slot.entry->text == s) {
          if (pinned && !slot.entry->pinned.load(std::memory_order_relaxed)) promote(slot.entry);
          return slot.entry;
        }
      }
    }
    Entry* new_pinned(std::string_view s) {
      Entry& e = pinned_store.emplace_back();
      e.text = std::string(s);  // exact capacity (assign() would grow an empty string to at least 30)
      e.pinned.store(true, std::memory_order_relaxed);
      ++pinned_count;
      return &e;
    }
    Entry* new_cell(std::string_view s) {
      if (chunks.empty() || chunks.back()->used == chunks.back()->entries.size()) {
        chunks.push_back(std::make_unique<Chunk>());
      }
      Entry& e = chunks.back()->entries[chunks.back()->used++];
      e.text = std::string(s);  // exact capacity, as above
      ++cell_count;
      cell_bytes += s.size();
      return &e;
    }
    /// Pins cell entry @p e where it is (cells already point to it).
    void promote(Entry* e) {
      e->pinned.store(true, std::memory_order_relaxed);
      ++pinned_count;
      --cell_count;
      cell_bytes -= e->text.size();
      for (auto& c : chunks) {
        if (e >= c->entries.data() && e < c->entries.data() + c->entries.size()) {
          ++c->promoted;
          return;
        }
      }
    }
    /// @param poison keep the entries, overwritten with kPoison (an audit:
    /// a text that should have been pinned shows up in its table).
    size_t drop_cells(bool poison, Garbage& garbage) {
      const size_t freed = cell_count;
      for (auto& c : chunks) {
        if (c->promoted == 0 && !poison) {
          garbage.push_back(std::move(c));
          continue;
        }
        for (size_t i = 0; i < c->used; ++i) {
          if (c->entries[i].pinned.load(std::memory_order_relaxed)) continue;
          if (poison) {
            c->entries[i].text = kPoison;
          } else {
            std::string().swap(c->entries[i].text);
          }
        }
        retained.push_back(std::move(c));
      }
      chunks.clear();
      // Re-index what is left: the pinned entries, wherever they live.
      std::vector<Entry*> keep;
      for (Entry& e : pinned_store) keep.push_back(&e);
      for (auto& c : retained) {
        for (size_t i = 0; i < c->used; ++i) {
          if (c->entries[i].pinned.load(std::memory_order_relaxed)) keep.push_back(&c->entries[i]);
        }
      }
      size_t size = 64;
      while (keep.size() * 4 > size * 3) size *= 2;
      slots.assign(size, Slot{});
      for (Entry* e : keep) place(Slot{std::hash<std::string_view>{}(e->text), e});
      used = keep.size();
      cell_count = 0;
      cell_bytes = 0;
      return freed;
    }
    void grow(size_t size) {
      std::vector<Slot> old(size);
      old.swap(slots);
      for (const Slot& e : old) {
        if (e.entry != nullptr) place(e);
      }
    }
    /// Puts @p e in the first free slot of its probe sequence (no lookup).
    void place(const Slot& e) {
      const size_t mask = slots.size() - 1;
      size_t i = e.hash & mask;
      while (slots[i].entry != nullptr) i = (i + 1) & mask;
      slots[i] = e;
    }
  };
  struct Memo {
    uint64_t hash = 0;
    uint64_t gen = 0;
    Entry* entry = nullptr;
  };
  static constexpr size_t kShards = 64;
  // 8192 entries (192 KB per thread): a demo season's cascade interns 4.1 M
  // texts; 1024 entries answered 65 % of them, 8192 answer 76 %, and the
  // pool's share of the run's samples fell from 6.8 % to 5.4 % (perf). Most of
  // the rest are texts seen once (row hashes, ids), which no memo helps.
  static constexpr size_t kMemoSize = 8192;
  std::array<Shard, kShards> shards_;
  std::atomic<uint64_t> gen_{1};  ///< memo entries of another generation are misses
  std::atomic<uint64_t> reclaims_{0};
  // NBAPROPS_TEXT_POOL_POISON=1: reclaimed texts are overwritten, not freed.
  const bool poison_ = [] {
    const char* v = std::getenv("NBAPROPS_TEXT_POOL_POISON");
    return v != nullptr && std::string_view(v) == "1";
  }();
  static thread_local std::array<Memo, kMemoSize> memo_;
};

thread_local std::array<TextPool::Memo, TextPool::kMemoSize> TextPool::memo_{};

TextPool& pool() {
  static TextPool* p = new TextPool();  // never destroyed: cells may outlive
                                        // static destruction order
  return *p;
}

/// Who may hold cell texts: text Columns and TextPoolUse objects, counted in
/// padded per-thread-ish slots (a holder made on one thread may end on
/// another; only the sum matters). A holder counts itself, then checks for a
/// reclaim in progress; the reclaimer flags itself, then sums: with
/// sequentially consistent operations one of them sees the other (a holder
/// that arrives meanwhile waits until the texts are out of the pool).
struct Holders {
  struct alignas(64) Slot {
    std::atomic<int64_t> n{0};
  };
  static constexpr size_t kSlots = 32;
  std::array<Slot, kSlots> slots;
  std::atomic<bool> reclaiming{false};
  std::mutex mu;  ///< one reclaim at a time; waiters sleep on cv
  std::condition_variable cv;

  static size_t my_slot() {
    static std::atomic<size_t> next{0};
    thread_local const size_t slot = next.fetch_add(1) % kSlots;
    return slot;
  }
  int64_t sum() const {
    int64_t total = 0;
    for (const Slot& s : slots) total += s.n.load();
    return total;
  }
};

Holders& holders() {
  static Holders* h = new Holders();  // never destroyed (as the pool)
  return *h;
}

[[noreturn]] void storage_mismatch(const char* what, Storage s) {
  throw ConfigError(std::string("cannot ") + what + " a " +
                    (s == Storage::kText  ? "text"
                     : s == Storage::kInt ? "integer"
                                          : "real") +
                    " column");
}

}  // namespace

const std::string* intern(std::string_view s) { return pool().intern(s, true); }

const std::string* intern_cell(std::string_view s) { return pool().intern(s, false); }

const std::string* unique_cell(std::string_view s) { return pool().unique(s); }

namespace text_pool_detail {

void add_holder() noexcept {
  Holders& h = holders();
  h.slots[Holders::my_slot()].n.fetch_add(1);
  if (h.reclaiming.load()) {
    std::unique_lock lock(h.mu);
    h.cv.wait(lock, [&] { return !h.reclaiming.load(); });
  }
}

void drop_holder() noexcept { holders().slots[Holders::my_slot()].n.fetch_sub(1); }

}  // namespace text_pool_detail

namespace {

/// The gate of a reclaim (see Holders): the cell texts leave the pool into
/// @p garbage when no holder exists; a holder arriving meanwhile waits.
size_t take_cell_texts(TextPool::Garbage& garbage) {
  Holders& h = holders();
  std::unique_lock lock(h.mu);
  h.reclaiming.store(true);
  size_t taken = 0;
  if (h.sum() == 0) taken = pool().reclaim(garbage);
  h.reclaiming.store(false);
  lock.unlock();
  h.cv.notify_all();
  return taken;
}

}  // namespace

size_t reclaim_cell_texts() {
  wait_for_background_work();
  TextPool::Garbage garbage;
  return take_cell_texts(garbage);  // freed here, with garbage
}

void reclaim_cell_texts_in_background(std::function<void()> then) {
  run_in_background([then = std::move(then)] {
    {
      TextPool::Garbage garbage;
      take_cell_texts(garbage);
    }
    if (then) then();
  });
}

TextPoolStats text_pool_stats() {
  wait_for_background_work();
  return pool().stats();
}

const std::string* Column::empty_text() noexcept {
  static const std::string* const empty = intern("");
  return empty;
}

void Column::throw_storage_mismatch(const char* what) const { storage_mismatch(what, storage_); }

std::optional<std::string> Column::get_text(size_t row) const {
  if (storage_ != Storage::kText) storage_mismatch("read text from", storage_);
  if (valid_[row] == 0) return std::nullopt;
  return *texts_[row];
}

void Column::set_text_ptr(size_t row, const std::string* interned) {
  if (storage_ != Storage::kText) storage_mismatch("set text on", storage_);
  texts_[row] = interned;
  valid_[row] = 1;
}

void Column::resize(size_t rows) {
  valid_.resize(rows, 0);
  switch (storage_) {
    case Storage::kInt:
      ints_.resize(rows, 0);
      break;
    case Storage::kReal:
      reals_.resize(rows, 0.0);
      break;
    case Storage::kText:
      texts_.resize(rows, empty_text());
      break;
  }
}

void Column::reserve(size_t rows) {
  valid_.reserve(rows);
  switch (storage_) {
    case Storage::kInt:
      ints_.reserve(rows);
      break;
    case Storage::kReal:
      reals_.reserve(rows);
      break;
    case Storage::kText:
      texts_.reserve(rows);
      break;
  }
}

void Column::push_from(const Column& other, size_t row) {
  NBAPROPS_ASSERT(other.storage_ == storage_);
  valid_.push_back(other.valid_[row]);
  switch (storage_) {
    case Storage::kInt:
      ints_.push_back(other.ints_[row]);
      break;
    case Storage::kReal:
      reals_.push_back(other.reals_[row]);
      break;
    case Storage::kText:
      texts_.push_back(other.texts_[row]);
      break;
  }
}

Table::Table(const TableSchema& schema, const std::vector<std::string>& columns) : schema_(&schema) {
  if (columns.empty()) {
    for (size_t i = 0; i < schema.columns.size(); ++i) {
      names_.push_back(schema.columns[i].name);
      schema_idx_.push_back(static_cast<int>(i));
    }
  } else {
    for (const auto& c : columns) {
      names_.push_back(c);
      schema_idx_.push_back(schema.require(c));
    }
  }
  columns_.reserve(names_.size());
  col_of_schema_.assign(schema.columns.size(), -1);
  for (size_t i = 0; i < schema_idx_.size(); ++i) {
    columns_.emplace_back(storage_of(schema.columns[schema_idx_[i]].type));
    col_of_schema_[schema_idx_[i]] = static_cast<int>(i);
  }
}

int Table::index_of(std::string_view name) const noexcept {
  const int s = schema_->index_of(name);
  return s < 0 ? -1 : col_of_schema_[static_cast<size_t>(s)];
}

size_t Table::require(std::string_view name) const {
  int idx = index_of(name);
  if (idx < 0) {
    throw ConfigError("table " + schema_->name + ": column '" + std::string(name) +
                      "' is not in this table or projection");
  }
  return static_cast<size_t>(idx);
}

void Table::throw_not_here(ColumnId id) const {
  const ColumnDef& c = catalog::column(id);  // an id outside the catalogue throws there
  std::string what = "table ";
  what.append(schema_->name).append(": catalogue column ").append(catalog::all()[id.table].name);
  throw InternalError(what.append(".").append(c.name).append(" is not in this table or projection"));
}

size_t Table::add_row() {
  for (auto& c : columns_) c.resize(rows_ + 1);
  return rows_++;
}

void Table::resize(size_t rows) {
  for (auto& c : columns_) c.resize(rows);
  rows_ = rows;
}

void Table::reserve(size_t rows) {
  for (auto& c : columns_) c.reserve(rows);
}

void Table::append(const Table& other) {
  std::vector<int> map(names_.size());
  for (size_t i = 0; i < names_.size(); ++i) map[i] = other.index_of(names_[i]);
  size_t base = rows_;
  resize(rows_ + other.rows_);
  for (size_t i = 0; i < names_.size(); ++i) {
    if (map[i] < 0) continue;
    const Column& src = other.columns_[map[i]];
    Column& dst = columns_[i];
    for (size_t r = 0; r < other.rows_; ++r) {
      if (src.is_null(r)) continue;
      switch (src.storage()) {
        case Storage::kInt:
          dst.set_int(base + r, src.int_at(r));
          break;
        case Storage::kReal:
          dst.set_real(base + r, src.real_at(r));
          break;
        case Storage::kText:
          dst.set_text_ptr(base + r, src.text_ptr(r));
          break;
      }
    }
  }
}

namespace {

/// Appends every cell of @p src to @p dst (same storage).
void append_column(Column& dst, const Column& src) {
  NBAPROPS_ASSERT(dst.storage() == src.storage());
  dst.valid().insert(dst.valid().end(), src.valid().begin(), src.valid().end());
  switch (dst.storage()) {
    case Storage::kInt:
      dst.ints().insert(dst.ints().end(), src.ints().begin(), src.ints().end());
      break;
    case Storage::kReal:
      dst.reals().insert(dst.reals().end(), src.reals().begin(), src.reals().end());
      break;
    case Storage::kText:
      dst.texts().insert(dst.texts().end(), src.texts().begin(), src.texts().end());
      break;
  }
}

}  // namespace

void Table::append_same(const Table& other) {
  NBAPROPS_ASSERT(other.names_ == names_);
  for (size_t i = 0; i < columns_.size(); ++i) append_column(columns_[i], other.columns_[i]);
  rows_ += other.rows_;
}

void Table::append_columns(const Table& other, const std::vector<size_t>& from) {
  NBAPROPS_ASSERT(from.size() == columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    NBAPROPS_ASSERT(other.names_[from[i]] == names_[i]);
    append_column(columns_[i], other.columns_[from[i]]);
  }
  rows_ += other.rows_;
}

Table Table::slice(size_t begin, size_t end) const {
  Table out(*schema_, names_);
  out.schema_idx_ = schema_idx_;
  for (size_t i = 0; i < columns_.size(); ++i) {
    const Column& src = columns_[i];
    Column& dst = out.columns_[i];
    dst.valid().assign(src.valid().begin() + begin, src.valid().begin() + end);
    switch (src.storage()) {
      case Storage::kInt:
        dst.ints().assign(src.ints().begin() + begin, src.ints().begin() + end);
        break;
      case Storage::kReal:
        dst.reals().assign(src.reals().begin() + begin, src.reals().begin() + end);
        break;
      case Storage::kText:
        dst.texts().assign(src.texts().begin() + begin, src.texts().begin() + end);
        break;
    }
  }
  out.rows_ = end - begin;
  return out;
}

void Table::append_row(const Table& other, size_t row) {
  NBAPROPS_ASSERT(other.names_ == names_);
  for (size_t i = 0; i < columns_.size(); ++i) columns_[i].push_from(other.columns_[i], row);
  ++rows_;
}

std::optional<Date> Table::get_date(size_t row, std::string_view name) const {
  auto v = get_int(row, name);
  if (!v) return std::nullopt;
  return Date(static_cast<int32_t>(*v));
}

std::optional<bool> Table::get_bool(size_t row, std::string_view name) const {
  auto v = get_int(row, name);
  if (!v) return std::nullopt;
  return *v != 0;
}

namespace {

/// JSON text of a float as Python's json.dumps writes it (Infinity for inf).
std::string py_float(double v) {
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return python_float_repr(v);
}

/// Appends @p s as json.dumps (ensure_ascii) writes a string: printable ASCII
/// without quotes or backslashes as is, anything else through nlohmann.
void append_json_text(TextCursor& out, std::string_view s) {
  if (!json_plain(s)) {
    out.append(nlohmann::json(std::string(s)).dump(-1, ' ', true));
    return;
  }
  char* p = out.room(s.size() + 2);
  *p++ = '"';
  std::memcpy(p, s.data(), s.size());
  p += s.size();
  *p++ = '"';
  out.advance_to(p);
}

/// @return true when @p s is a JSON array, without whitespace, of plain
/// strings (json_plain) and integers without a sign, leading zeros or more
/// than 18 digits: text that nlohmann parses and dumps (compact, ASCII) to
/// itself.
bool compact_plain_array(std::string_view s) {
  if (s.size() < 2 || s.front() != '[' || s.back() != ']') return false;
  size_t i = 1;
  const size_t end = s.size() - 1;
  if (i == end) return true;
  while (true) {
    if (s[i] == '"') {
      const size_t close = s.find('"', i + 1);
      if (close == std::string_view::npos || close >= end || !json_plain(s.substr(i + 1, close - i - 1))) return false;
      i = close + 1;
    } else {
      const size_t from = i;
      while (i < end && s[i] >= '0' && s[i] <= '9') ++i;
      if (i == from || i - from > 18 || (s[from] == '0' && i - from > 1)) return false;
    }
    if (i == end) return true;
    if (s[i] != ',') return false;
    ++i;
  }
}

/// Writes cell (@p row, @p c) as Python's json.dumps(default=str) writes it.
void append_json_value(TextCursor& out, const Table& t, size_t row, size_t c) {
  const Column& col = t.col(c);
  if (col.is_null(row)) {
    out.append("null");
    return;
  }
  switch (t.def(c).type) {
    case ColumnType::kBool:
      out.append(col.int_at(row) ? "true" : "false");
      return;
    case ColumnType::kDate:
      out.append('"');
      out.append(Date(static_cast<int32_t>(col.int_at(row))).iso());
      out.append('"');
      return;
    case ColumnType::kInt64:
      out.append_int(col.int_at(row));
      return;
    case ColumnType::kFloat64:
    case ColumnType::kNumeric:
      append_python_float_repr(out, col.real_at(row));
      return;
    case ColumnType::kArray:
    case ColumnType::kJson: {
      // A compact array of plain strings and integers (what json_array and
      // the processors write) is its own re-serialisation.
      if (compact_plain_array(col.text_at(row))) {
        out.append(col.text_at(row));
        return;
      }
      auto parsed = nlohmann::json::parse(col.text_at(row), nullptr, false);
      out.append(parsed.is_discarded() ? nlohmann::json(col.text_at(row)).dump(-1, ' ', true)
                                       : parsed.dump(-1, ' ', true));
      return;
    }
    default:
      append_json_text(out, col.text_at(row));
      return;
  }
}

}  // namespace

bool json_plain(std::string_view s) {
  bool plain = true;
  for (char ch : s) {
    const auto u = static_cast<unsigned char>(ch);
    plain &= u >= 0x20 && u < 0x7f && ch != '"' && ch != '\\';
  }
  return plain;
}

std::string Table::cell_text(size_t row, size_t c) const {
  const Column& cl = columns_[c];
  if (cl.is_null(row)) return "NULL";
  const ColumnDef& d = def(c);
  switch (d.type) {
    case ColumnType::kBool:
      return cl.int_at(row) ? "true" : "false";
    case ColumnType::kDate:
      return Date(static_cast<int32_t>(cl.int_at(row))).iso();
    case ColumnType::kInt64:
      return std::to_string(cl.int_at(row));
    case ColumnType::kFloat64:
    case ColumnType::kNumeric:
      return py_float(cl.real_at(row));
    default:
      return cl.text_at(row);
  }
}

std::string python_float_repr(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  // The shortest round-trip digits, laid out as Python's repr does: positional
  // for decimal exponents -4 … 15, scientific (at least two exponent digits)
  // outside them.
  std::array<char, 64> buf{};
  const auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v, std::chars_format::scientific);
  const std::string_view sci(buf.data(), static_cast<size_t>(end - buf.data()));
  const size_t e = sci.find('e');
  std::string_view mant = sci.substr(0, e);
  const int exp10 = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string out;
  if (!mant.empty() && mant.front() == '-') {
    out = "-";
    mant.remove_prefix(1);
  }
  if (exp10 < -4 || exp10 >= 16) {
    char ebuf[16];  // "e-324" at most; sized for any int, so the compiler sees no truncation
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
    return out + std::string(mant) + ebuf;
  }
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits += c;
  }
  if (exp10 < 0) return out + "0." + std::string(static_cast<size_t>(-exp10 - 1), '0') + digits;
  const size_t int_len = static_cast<size_t>(exp10) + 1;
  if (digits.size() <= int_len) return out + digits + std::string(int_len - digits.size(), '0') + ".0";
  return out + digits.substr(0, int_len) + "." + digits.substr(int_len);
}

std::optional<ShortDecimal> short_decimal(double v, int max_places) noexcept {
  if (!std::isfinite(v)) return std::nullopt;
  for (int k = 0; k <= std::min(max_places, 9); ++k) {
    const double scaled = v * kPowersOfTen[static_cast<size_t>(k)];
    // Below 2^50 the product is within 1/16 of the decimal's digits when one
    // of k places rounds to v, so the nearest integer finds them.
    if (!(std::fabs(scaled) < 0x1p50)) return std::nullopt;
    const double r = nearest_integer(scaled);
    if (r / kPowersOfTen[static_cast<size_t>(k)] == v) return ShortDecimal{static_cast<int64_t>(r), k};
  }
  return std::nullopt;
}

char* write_python_float_repr(char* out, double v) {
  if (v == 0) {
    const std::string_view zero = std::signbit(v) ? "-0.0" : "0.0";
    return std::copy(zero.begin(), zero.end(), out);
  }
  // A value of four decimal places or fewer (most stored values are rounded):
  // its shortest digits are those of short_decimal(v, 4), laid out
  // positionally as Python does from 1e-4 on. They are found without its
  // loop: when k <= 4 places round to v, so do the same digits followed by
  // 4 - k zeros (the same decimal), which the product at four places is
  // within 3/16 of below 2^50; the fewest places are those left when the
  // trailing zeros of the four are dropped (dropping a zero keeps the
  // decimal). One division and no data-dependent branch, where the loop took
  // one a place and mispredicted its exit.
  if (const double scaled = v * kPowersOfTen[4]; std::fabs(v) >= 1e-4 && std::fabs(scaled) < 0x1p50) {
    const double r = nearest_integer(scaled);
    if (r / kPowersOfTen[4] == v) {
      const auto u = static_cast<uint64_t>(std::fabs(r));
      const int zeros = static_cast<int>(u % 10 == 0) + static_cast<int>(u % 100 == 0) +
                        static_cast<int>(u % 1000 == 0) + static_cast<int>(u % 10000 == 0);
      char* p = out;
      if (v < 0) *p++ = '-';
      p = std::to_chars(p, out + kFloatReprMax, u / 10000).ptr;
      *p++ = '.';
      const auto frac = static_cast<uint32_t>(u % 10000);
      p[0] = static_cast<char>('0' + frac / 1000);
      p[1] = static_cast<char>('0' + frac / 100 % 10);
      p[2] = static_cast<char>('0' + frac / 10 % 10);
      p[3] = static_cast<char>('0' + frac % 10);
      return p + (zeros == 4 ? 1 : 4 - zeros);  // a whole number keeps one place: "45.0"
    }
  }
  // Below 1e16 Python writes positionally; where to_chars does too, the digits
  // are the same shortest round-trip ones.
  if (std::isfinite(v) && std::fabs(v) < 1e16) {
    char* end = std::to_chars(out, out + kFloatReprMax, v).ptr;
    if (std::find(out, end, 'e') == end) {
      if (std::find(out, end, '.') == end) {
        *end++ = '.';
        *end++ = '0';
      }
      return end;
    }
  }
  const std::string text = python_float_repr(v);
  return std::copy(text.begin(), text.end(), out);
}

void append_python_float_repr(std::string& out, double v) {
  std::array<char, kFloatReprMax> buf{};
  out.append(buf.data(), write_python_float_repr(buf.data(), v));
}

void append_python_float_repr(TextCursor& out, double v) {
  out.advance_to(write_python_float_repr(out.room(kFloatReprMax), v));
}

namespace {

/// The SHA-256 of @p bytes as lowercase hex, its first @p hex_chars characters
/// written to @p out. The one-shot digest keeps its state on the stack: the
/// EVP interface of OpenSSL 3.0 allocates and frees a provider context on every
/// EVP_DigestInit_ex2, one malloc per row hash. The low-level functions are
/// deprecated in 3.0, not removed, and take the same SHA-NI code path.
void sha256_prefix(std::string_view bytes, size_t hex_chars, char* out) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  SHA256_CTX ctx;
  if (2 * sizeof(digest) < hex_chars || SHA256_Init(&ctx) != 1 ||
      SHA256_Update(&ctx, bytes.data(), bytes.size()) != 1 || SHA256_Final(digest, &ctx) != 1) {
    throw InternalError("SHA-256 failed");
  }
#pragma GCC diagnostic pop
  hex_prefix(digest, hex_chars, out);
}

}  // namespace

std::string_view sha256_hex16(std::string_view bytes, std::array<char, 16>& out) {
  sha256_prefix(bytes, out.size(), out.data());
  return {out.data(), out.size()};
}

std::string sha256_hex16(std::string_view bytes) {
  std::string out(16, '0');
  sha256_prefix(bytes, out.size(), out.data());
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  std::string out(64, '0');
  sha256_prefix(bytes, out.size(), out.data());
  return out;
}

namespace {

/// The JSON keys of a list of hash fields, sorted by name (as
/// json.dumps(sort_keys=True)): each `"name": ` (after `, ` from the second
/// on, as json.dumps separates items) and its name. Built once per
/// list (the processors' field lists are constants) and kept for the process.
using SortedKeys = std::vector<std::pair<std::string, std::string>>;

const SortedKeys& sorted_keys(const std::vector<std::string>& names) {
  static std::mutex mu;
  static std::map<std::vector<std::string>, std::unique_ptr<const SortedKeys>> cache;
  std::lock_guard lock(mu);
  auto& slot = cache[names];
  if (!slot) {
    std::map<std::string, std::string> sorted;
    for (const auto& f : names) sorted.emplace(f, nlohmann::json(f).dump() + ": ");
    auto keys = std::make_unique<SortedKeys>();
    for (auto& [name, key] : sorted) keys->emplace_back((keys->empty() ? "" : ", ") + key, name);
    slot = std::move(keys);
  }
  return *slot;
}

/// The hash fields of a table, sorted by name, with their JSON keys.
struct HashPlan {
  std::vector<std::pair<const std::string*, size_t>> fields;  // "\"name\": " → column index
  HashPlan(const Table& table, const std::vector<std::string>& names) {
    const SortedKeys& keys = sorted_keys(names);
    fields.reserve(keys.size());
    for (const auto& [key, name] : keys) fields.emplace_back(&key, table.require(name));
  }
  /// The row's hash, written to @p out; its JSON text is built in @p json.
  std::string_view hash(const Table& table, size_t row, std::array<char, 16>& out, std::string& json) const {
    TextCursor text(json);
    render(text, table, row);
    return sha256_hex16(text.text(), out);
  }
  /// Sets the hashes of rows [@p begin, @p end) in @p out, their JSON texts
  /// built side by side in @p json and hashed together (sha256_hex16_rows).
  void fill(const Table& table, size_t begin, size_t end, Column& out, std::string& json) const {
    sha256_hex16_rows(
        begin, end, json, [&](TextCursor& text, size_t row) { render(text, table, row); },
        [&](size_t row, std::string_view hash) { out.set_unique_text(row, hash); });
  }

 private:
  void render(TextCursor& text, const Table& table, size_t row) const {
    text.append('{');
    for (const auto& [key, column] : fields) {
      text.append(*key);  // ", " before every key but the first
      append_json_value(text, table, row, column);
    }
    text.append('}');
  }
};

}  // namespace

std::vector<uint8_t> constant_columns(const Table& rows, const std::vector<size_t>& order, size_t begin, size_t end) {
  std::vector<uint8_t> out(rows.num_columns(), 0);
  end = std::min(end, order.size());
  if (begin >= end || end - begin < 2) return out;
  const size_t r0 = order[begin];
  for (size_t c = 0; c < rows.num_columns(); ++c) {
    const Column& col = rows.col(c);
    const uint8_t* valid = col.valid().data();
    const bool valid0 = valid[r0] != 0;
    // The rest of the range against its first row, stopping at the first
    // difference (most columns differ by the second row).
    auto all_equal = [&](auto&& same) {
      for (size_t k = begin + 1; k < end; ++k) {
        const size_t r = order[k];
        if ((valid[r] != 0) != valid0 || (valid0 && !same(r))) return false;
      }
      return true;
    };
    bool one = false;
    switch (col.storage()) {
      case Storage::kInt: {
        const int64_t* v = col.ints().data();
        one = all_equal([&](size_t r) { return v[r] == v[r0]; });
        break;
      }
      case Storage::kReal: {
        const double* v = col.reals().data();
        one = all_equal([&](size_t r) { return std::bit_cast<uint64_t>(v[r]) == std::bit_cast<uint64_t>(v[r0]); });
        break;
      }
      case Storage::kText: {
        const std::string* const* v = col.texts().data();
        one = all_equal([&](size_t r) { return v[r] == v[r0] || *v[r] == *v[r0]; });
        break;
      }
    }
    out[c] = one ? 1 : 0;
  }
  return out;
}

std::string data_hash(const Table& table, size_t row, const std::vector<std::string>& fields) {
  std::array<char, 16> h{};
  std::string json;
  return std::string(HashPlan(table, fields).hash(table, row, h, json));
}

void fill_data_hash(Table& t, const std::vector<std::string>& fields) {
  const size_t h = t.require("data_hash");
  const HashPlan plan(t, fields);
  Column& out = t.col(h);
  // A unit's few rows (a date's teams) are hashed here; many rows in parallel.
  constexpr size_t kSerialRows = 64;
  // The thread's JSON buffer, reached once per block of rows (a thread-local
  // from the extension module costs a __tls_get_addr call; a buffer made per
  // block would grow again in every block).
  auto block = [&](const tbb::blocked_range<size_t>& rows) {
    thread_local std::string buffer;
    plan.fill(t, rows.begin(), rows.end(), out, buffer);
  };
  if (t.num_rows() <= kSerialRows) {
    block(tbb::blocked_range<size_t>(0, t.num_rows()));
    return;
  }
  tbb::parallel_for(tbb::blocked_range<size_t>(0, t.num_rows()), block);
}

}  // namespace nbaprops
