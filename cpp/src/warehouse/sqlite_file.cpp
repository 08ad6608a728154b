#include "nbaprops/warehouse/sqlite_file.hpp"

#include <array>
#include <mutex>

#include "warehouse/sqlite_internal.hpp"

namespace nbaprops::sqlite_file {
namespace {

using sqlite_detail::Connection;
using sqlite_detail::Statement;

uint32_t be16(const unsigned char* p) { return (uint32_t{p[0]} << 8) | p[1]; }
uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

/// A varint at @p p (at most 9 bytes, none past @p end); advances @p p.
uint64_t varint(const unsigned char*& p, const unsigned char* end) {
  uint64_t v = 0;
  for (int k = 0; k < 8; ++k) {
    if (p >= end) throw FileLayoutUnsupported("varint past the end of its page");
    const unsigned char b = *p++;
    v = (v << 7) | (b & 0x7f);
    if (!(b & 0x80)) return v;
  }
  if (p >= end) throw FileLayoutUnsupported("varint past the end of its page");
  return (v << 8) | *p++;
}

/// The body bytes of serial types 0–11 (10 and 11 are reserved: their 0 is
/// never used, serial_size refuses them).
constexpr uint8_t kFixedSize[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};

uint64_t serial_size(uint64_t t) {
  if (t == 10 || t == 11) throw FileLayoutUnsupported("reserved serial type");
  return t < 12 ? kFixedSize[t] : (t - 12) / 2;
}

std::unique_ptr<Connection> open(const std::filesystem::path& file, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  auto c = std::make_unique<Connection>(raw);
  if (rc != SQLITE_OK) throw FileLayoutUnsupported("cannot open " + file.string());
  // A double-quoted name that is no column is an error, not a string literal.
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
  sqlite3_db_config(raw, SQLITE_DBCONFIG_DQS_DDL, 0, nullptr);
  sqlite3_busy_timeout(raw, 60000);
  return c;
}

}  // namespace

/// An SQLite connection's file handle on the main database.
struct PinnedTable::Handle {
  std::unique_ptr<Connection> owner;  // null: the pinned connection's own handle
  sqlite3_file* file = nullptr;
  bool lent = false;
};

/// The read transaction that pins the snapshot, and the file handles pages
/// are read through.
struct PinnedTable::Snapshot {
  std::filesystem::path file;
  std::unique_ptr<Connection> owned;  ///< the reader, when this object opened it
  sqlite3* reader = nullptr;          ///< holds the read transaction
  std::string schema = "main";        ///< the file's name on the reader
  std::mutex mutex;                   // guards handles and the reader's statements
  std::vector<std::unique_ptr<Handle>> handles;

  /// A lent reader's transaction ends here (an own reader's with its close).
  ~Snapshot() {
    if (!owned && reader && sqlite3_get_autocommit(reader) == 0)
      sqlite3_exec(reader, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  /// @return @p sql's "{schema}" replaced by the quoted schema name.
  [[nodiscard]] std::string on_schema(std::string sql) const {
    const std::string q = "\"" + schema + "\"";
    for (size_t at; (at = sql.find("{schema}")) != std::string::npos;) sql.replace(at, 8, q);
    return sql;
  }
};

namespace {

/// The file handle SQLite reads @p db's database @p schema through, or null.
sqlite3_file* find_file_handle(sqlite3* db, const std::string& schema) {
  sqlite3_file* f = nullptr;
  if (sqlite3_file_control(db, schema.c_str(), SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods ||
      !f->pMethods->xRead) {
    return nullptr;
  }
  return f;
}

/// find_file_handle(), @throws FileLayoutUnsupported naming @p file for none.
sqlite3_file* file_handle(sqlite3* db, const std::string& schema, const std::filesystem::path& file) {
  sqlite3_file* f = find_file_handle(db, schema);
  if (f == nullptr) throw FileLayoutUnsupported("no SQLite file handle for " + file.string());
  return f;
}

}  // namespace

PinnedTable::Lease::Lease(const PinnedTable& table) : table_(table), handle_(nullptr) {
  Snapshot& snap = *table.snapshot_;
  const std::lock_guard lock(snap.mutex);
  for (auto& h : snap.handles) {
    if (!h->lent) {
      handle_ = h.get();
      break;
    }
  }
  if (!handle_) {
    // Another thread reads meanwhile: a connection of its own (a handle is used
    // by one thread at a time). It starts no transaction and takes no lock;
    // SQLite's VFS keeps its descriptor open while the process holds a lock on
    // the file, and reuses it for a later connection.
    auto h = std::make_unique<Handle>();
    h->owner = open(snap.file, SQLITE_OPEN_READONLY);
    h->file = file_handle(h->owner->get(), "main", snap.file);
    snap.handles.push_back(std::move(h));
    handle_ = snap.handles.back().get();
  }
  handle_->lent = true;
}

PinnedTable::Lease::~Lease() {
  const std::lock_guard lock(table_.snapshot_->mutex);
  handle_->lent = false;
}

void PinnedTable::Lease::read(void* out, uint32_t bytes, int64_t offset) const {
  const int rc = handle_->file->pMethods->xRead(handle_->file, out, static_cast<int>(bytes), offset);
  if (rc != SQLITE_OK) {
    throw FileLayoutUnsupported("cannot read " + std::to_string(bytes) + " bytes at " + std::to_string(offset) +
                                " of " + table_.snapshot_->file.string() + ": " + sqlite3_errstr(rc));
  }
}

void PinnedTable::Lease::read_page(uint32_t page, unsigned char* out) const {
  // Page 1 holds the file header and the schema, never a page of a table.
  if (page < 2 || page > table_.page_count_) throw FileLayoutUnsupported("page number out of range");
  read(out, table_.page_size_, static_cast<int64_t>(page - 1) * table_.page_size_);
}

/// @return whether a passive checkpoint of @p schema on @p db copied every
/// frame of its log (a database not in WAL mode has none to copy). The pragma,
/// not sqlite3_wal_checkpoint_v2: on a connection that has not read the file
/// yet, the call finds no log open and reports nothing to copy.
bool checkpointed_all(sqlite3* db, const std::string& schema) {
  Statement st(db, "PRAGMA \"" + schema + "\".wal_checkpoint(PASSIVE)");
  return st.step() && sqlite3_column_int(st.get(), 0) == 0 &&
         sqlite3_column_int64(st.get(), 1) == sqlite3_column_int64(st.get(), 2);
}

bool log_settled(sqlite3* db, const std::string& schema) {
  {
    Statement st(db, "PRAGMA \"" + schema + "\".journal_mode");
    if (!st.step()) return false;
    const auto* mode = reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0));
    if (mode == nullptr || sqlite3_stricmp(mode, "wal") != 0) return true;
  }
  sqlite3_file* f = find_file_handle(db, schema);
  if (f == nullptr) return false;
  const sqlite3_io_methods& m = *f->pMethods;
  if (m.iVersion < 2 || !m.xShmMap || !m.xShmBarrier) return false;
  // The first 32 KiB region of the WAL-index: two copies of its 48-byte
  // header, then the checkpoint information (nBackfill first). A writer
  // rewrites the second copy, then the first; equal copies read first to
  // second are one header. Fields in the machine's byte order.
  constexpr int kRegionBytes = 32768;
  constexpr size_t kHeaderBytes = 48, kIsInit = 12, kMaxFrame = 16, kBackfill = 96;
  volatile void* region = nullptr;
  if (m.xShmMap(f, 0, kRegionBytes, 0, &region) != SQLITE_OK || region == nullptr) return false;
  const auto* shm = const_cast<const unsigned char*>(static_cast<volatile unsigned char*>(region));
  unsigned char first[kHeaderBytes], second[kHeaderBytes];
  std::memcpy(first, shm, kHeaderBytes);
  m.xShmBarrier(f);
  std::memcpy(second, shm + kHeaderBytes, kHeaderBytes);
  uint32_t max_frame = 0, backfill = 0;
  std::memcpy(&backfill, shm + kBackfill, sizeof backfill);
  if (std::memcmp(first, second, kHeaderBytes) != 0 || first[kIsInit] == 0) return false;
  std::memcpy(&max_frame, first + kMaxFrame, sizeof max_frame);
  return backfill >= max_frame;
}

PinnedTable::PinnedTable(const std::filesystem::path& file, const std::string& table)
    : snapshot_(std::make_unique<Snapshot>()) {
  try {
    snapshot_->file = file;
    snapshot_->owned = open(file, SQLITE_OPEN_READONLY);
    snapshot_->reader = snapshot_->owned->get();
    pin(table, [&] {
      // An own SQLite connection: closing it keeps the process's locks (see
      // above).
      auto writer = open(file, SQLITE_OPEN_READWRITE);
      return checkpointed_all(writer->get(), "main");
    });
  } catch (const StorageError& e) {  // SQLite could not pin the snapshot
    throw FileLayoutUnsupported(e.what());
  }
}

PinnedTable::PinnedTable(const std::filesystem::path& file, const std::string& table, sqlite3* reader,
                         sqlite3* checkpointer, const std::string& schema, bool settled_log_only)
    : snapshot_(std::make_unique<Snapshot>()) {
  try {
    snapshot_->file = file;
    snapshot_->reader = reader;
    snapshot_->schema = schema;
    if (sqlite3_get_autocommit(reader) == 0) throw FileLayoutUnsupported("the reader is inside a transaction");
    pin(table, [&] {
      if (settled_log_only && !log_settled(reader, schema)) {
        throw FileLayoutUnsupported("its write-ahead log holds frames this warehouse wrote, not yet in the file");
      }
      return checkpointed_all(checkpointer, schema);
    });
  } catch (const StorageError& e) {
    throw FileLayoutUnsupported(e.what());
  }
}

template <typename CheckpointLog>
void PinnedTable::pin(const std::string& table, CheckpointLog&& checkpoint_log) {
  Snapshot& snap = *snapshot_;
  table_ = table;
  sqlite3* db = snap.reader;
  auto exec = [db](const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      const std::string m = err ? err : "error";
      sqlite3_free(err);
      throw FileLayoutUnsupported("sqlite: " + m);
    }
  };
  exec("BEGIN");
  uint32_t root = 0;
  {  // the first read starts the transaction's snapshot
    Statement st(db, snap.on_schema("SELECT rootpage FROM {schema}.sqlite_schema WHERE type = 'table' AND name = ?"));
    sqlite3_bind_text(st.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    if (!st.step()) throw FileLayoutUnsupported("no table " + table);
    root = static_cast<uint32_t>(sqlite3_column_int64(st.get(), 0));
  }
  {
    Statement st(db, "SELECT name, pk, hidden FROM pragma_table_xinfo(?, ?)");
    sqlite3_bind_text(st.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, snap.schema.c_str(), -1, SQLITE_TRANSIENT);
    while (st.step()) {
      // An INTEGER PRIMARY KEY is stored as the rowid, generated columns not at all.
      if (sqlite3_column_int(st.get(), 1) != 0 || sqlite3_column_int(st.get(), 2) != 0) {
        throw FileLayoutUnsupported("primary key or hidden column in " + table);
      }
      columns_.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0)));
    }
  }
  {
    Statement st(db, snap.on_schema("PRAGMA {schema}.page_count"));  // the snapshot's database size
    if (!st.step()) throw FileLayoutUnsupported("no page count");
    page_count_ = static_cast<uint32_t>(sqlite3_column_int64(st.get(), 0));
  }
  // Copy the log into the file up to (at most) this snapshot; when every frame
  // got copied, the file holds exactly the snapshot's pages.
  if (!checkpoint_log()) throw FileLayoutUnsupported("the write-ahead log could not be checkpointed");
  auto own = std::make_unique<Handle>();
  own->file = file_handle(db, snap.schema, snap.file);
  snap.handles.push_back(std::move(own));
  const Lease lease(*this);
  unsigned char header[100];
  lease.read(header, sizeof header, 0);
  page_size_ = be16(header + 16) == 1 ? 65536 : be16(header + 16);
  usable_ = page_size_ - header[20];
  if (page_size_ < 512 || be32(header + 56) != 1) throw FileLayoutUnsupported("not a UTF-8 database");
  collect_leaves(lease, root);
}

PinnedTable::~PinnedTable() = default;

size_t PinnedTable::field_of(const std::string& column) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == column) return i;
  }
  throw FileLayoutUnsupported("no stored column " + column);
}

bool PinnedTable::stores(const std::string& column) const {
  return std::find(columns_.begin(), columns_.end(), column) != columns_.end();
}

void PinnedTable::collect_leaves(const Lease& lease, uint32_t root) {
  std::vector<unsigned char> buf(page_size_);
  // A b-tree's leaves are all at the same depth: find it down the left edge,
  // then list the pages of the level above it without reading the leaves
  // (LeafCursor checks each leaf's type when it reads it).
  int height = 0;
  for (uint32_t page = root;; ++height) {
    if (height > 40) throw FileLayoutUnsupported("malformed b-tree");
    lease.read_page(page, buf.data());
    if (buf[0] == 0x0D) break;
    const uint32_t first_cell = be16(buf.data() + 12);
    if (buf[0] != 0x05 || be16(buf.data() + 3) == 0 || first_cell + 4 > usable_) {
      throw FileLayoutUnsupported("not a rowid table b-tree page");
    }
    page = be32(buf.data() + first_cell);
  }
  // Each child with the largest rowid it can hold: an interior cell's key
  // bounds its left child; the right-most child has its parent's bound.
  std::vector<uint32_t> level{root};
  std::vector<int64_t> upper{INT64_MAX};
  for (int depth = 0; depth < height; ++depth) {
    std::vector<uint32_t> below;
    std::vector<int64_t> below_upper;
    for (size_t i = 0; i < level.size(); ++i) {
      lease.read_page(level[i], buf.data());
      const unsigned char* h = buf.data();
      if (h[0] != 0x05) throw FileLayoutUnsupported("not a rowid table b-tree page");
      const uint32_t cells = be16(h + 3);
      if (12 + 2 * cells > usable_) throw FileLayoutUnsupported("malformed interior page");
      for (uint32_t k = 0; k < cells; ++k) {
        const uint32_t off = be16(h + 12 + size_t{2} * k);
        if (off + 5 > usable_) throw FileLayoutUnsupported("malformed interior page");
        below.push_back(be32(h + off));
        const unsigned char* key = h + off + 4;
        below_upper.push_back(static_cast<int64_t>(varint(key, h + usable_)));
      }
      below.push_back(be32(h + 8));  // the right-most child comes last
      below_upper.push_back(upper[i]);
      if (below.size() > page_count_) throw FileLayoutUnsupported("malformed b-tree");
    }
    level = std::move(below);
    upper = std::move(below_upper);
  }
  leaves_ = std::move(level);
  leaf_upper_ = std::move(upper);
}

uint32_t PinnedTable::index_root(const std::string& index, const std::string& column) const {
  const std::lock_guard lock(snapshot_->mutex);  // the reader connection, one thread at a time
  try {
    sqlite3* db = snapshot_->reader;
    Statement st(db,
                 snapshot_->on_schema(
                     "SELECT rootpage FROM {schema}.sqlite_schema WHERE type = 'index' AND name = ? AND tbl_name = ?"));
    sqlite3_bind_text(st.get(), 1, index.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st.get(), 2, table_.c_str(), -1, SQLITE_TRANSIENT);
    if (!st.step()) throw FileLayoutUnsupported("no index " + index + " of " + table_);
    const auto root = static_cast<uint32_t>(sqlite3_column_int64(st.get(), 0));
    Statement xi(db, "SELECT name, desc, coll FROM pragma_index_xinfo(?, ?) WHERE seqno = 0");
    sqlite3_bind_text(xi.get(), 1, index.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(xi.get(), 2, snapshot_->schema.c_str(), -1, SQLITE_TRANSIENT);
    const auto text = [&xi](int i) {
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(xi.get(), i));
      return std::string(t ? t : "");
    };
    if (!xi.step() || text(0) != column || sqlite3_column_int(xi.get(), 1) != 0 || text(2) != "BINARY") {
      throw FileLayoutUnsupported("index " + index + " does not start with " + column + " ascending");
    }
    return root;
  } catch (const StorageError& e) {
    throw FileLayoutUnsupported(e.what());
  }
}

namespace {

/// The first field of an index entry (text or NULL) and, when asked for, its
/// rowid (the last field of the index's record).
struct IndexKey {
  bool null = true;
  std::string_view text;  // inside the page being read
  int64_t rowid = 0;
};

/// Decodes the index entry (a record: indexed columns, then the rowid) whose
/// payload starts at @p p; @p max_local: the largest payload stored on the
/// page.
IndexKey index_key(const unsigned char* p, const unsigned char* end, uint64_t max_local, bool want_rowid) {
  const uint64_t payload = varint(p, end);
  if (payload > max_local) throw FileLayoutUnsupported("index entry on overflow pages");
  if (payload > static_cast<uint64_t>(end - p)) throw FileLayoutUnsupported("malformed index cell");
  const unsigned char* rec = p;
  const uint64_t header = varint(p, rec + payload);
  if (header > payload) throw FileLayoutUnsupported("malformed index record");
  const uint64_t t = varint(p, rec + header);
  IndexKey k;
  if (t == 0) return k;
  if (t < 13 || (t & 1) == 0) throw FileLayoutUnsupported("index value neither text nor NULL");
  const uint64_t bytes = (t - 13) / 2;
  if (header + bytes > payload) throw FileLayoutUnsupported("malformed index record");
  k.null = false;
  k.text = std::string_view(reinterpret_cast<const char*>(rec + header), bytes);
  if (want_rowid) {
    // The record is (the indexed columns, rowid): the rowid is its last field,
    // after the fields of the index's further columns, if any.
    if (p >= rec + header) throw FileLayoutUnsupported("index entry without a rowid");
    uint64_t offset = header + bytes;
    uint64_t rt = varint(p, rec + header);
    while (p < rec + header) {
      offset += serial_size(rt);  // no wrap: offset <= payload before, a size < 2^63
      if (offset > payload) throw FileLayoutUnsupported("malformed index record");
      rt = varint(p, rec + header);
    }
    if (offset + serial_size(rt) > payload) throw FileLayoutUnsupported("malformed index record");
    const Field id = decode_field(rt, rec + offset);
    if (id.kind != Field::Kind::kInt) throw FileLayoutUnsupported("index entry without an integer rowid");
    k.rowid = id.i;
  }
  return k;
}

/// Entry counts per text value in [lo, hi], and the least and largest rowid
/// counted. Entries come mostly in key order, so runs of one value: the last
/// value's count answers them without a lookup.
class TextCounts {
 public:
  TextCounts(std::string_view lo, std::string_view hi, std::pair<int64_t, int64_t>* rowids)
      : lo_(lo), hi_(hi), rowids_(rowids) {}
  void add(const IndexKey& k) {
    if (k.null || k.text < lo_ || k.text > hi_) return;
    if (rowids_ != nullptr) {
      if (out_.empty() || k.rowid < rowids_->first) rowids_->first = k.rowid;
      if (out_.empty() || k.rowid > rowids_->second) rowids_->second = k.rowid;
    }
    if (last_ == out_.end() || last_->first != k.text) {
      last_ = out_.find(k.text);
      if (last_ == out_.end()) last_ = out_.emplace(std::string(k.text), 0).first;
    }
    ++last_->second;
  }
  std::map<std::string, int64_t, std::less<>> take() { return std::move(out_); }

 private:
  std::string_view lo_, hi_;
  std::pair<int64_t, int64_t>* rowids_;
  std::map<std::string, int64_t, std::less<>> out_;
  std::map<std::string, int64_t, std::less<>>::iterator last_ = out_.end();
};

}  // namespace

std::map<std::string, int64_t, std::less<>> PinnedTable::count_index_texts(const std::string& index,
                                                                           const std::string& column,
                                                                           std::string_view lo, std::string_view hi,
                                                                           std::pair<int64_t, int64_t>* rowids) const {
  const uint32_t root = index_root(index, column);
  // Interior cells hold entries too, each between the keys of its two
  // children.
  const uint64_t max_local = (static_cast<uint64_t>(usable_) - 12) * 64 / 255 - 23;
  const bool want_rowid = rowids != nullptr;
  TextCounts counts(lo, hi, rowids);
  const Lease lease(*this);
  std::vector<unsigned char> buf(page_size_);
  std::vector<std::pair<uint32_t, int>> todo{{root, 0}};  // page, depth
  uint32_t pages = 0;
  while (!todo.empty()) {
    const auto [page, depth] = todo.back();
    todo.pop_back();
    if (depth > 40 || ++pages > page_count_) throw FileLayoutUnsupported("malformed index b-tree");
    lease.read_page(page, buf.data());
    const unsigned char* h = buf.data();
    const unsigned char* end = h + usable_;
    const bool leaf = h[0] == 0x0A;
    if (!leaf && h[0] != 0x02) throw FileLayoutUnsupported("not an index b-tree page");
    const uint32_t cells = be16(h + 3);
    const uint32_t array = leaf ? 8 : 12;
    if (array + 2 * cells > usable_) throw FileLayoutUnsupported("malformed index page");
    IndexKey prev;  // the key before the current child (NULL: nothing below bounds it)
    std::vector<std::pair<uint32_t, int>> below;
    for (uint32_t k = 0; k < cells; ++k) {
      const uint32_t off = be16(h + array + size_t{2} * k);
      if (off + (leaf ? 1 : 5) > usable_) throw FileLayoutUnsupported("malformed index cell");
      const unsigned char* p = h + off;
      if (leaf) {
        counts.add(index_key(p, end, max_local, want_rowid));
        continue;
      }
      const uint32_t child = be32(p);
      const IndexKey key = index_key(p + 4, end, max_local, want_rowid);
      // The child's first values lie between prev and key (NULL first): read
      // it unless it is wholly below lo or above hi.
      const bool below_lo = key.null || key.text < lo;
      const bool above_hi = !prev.null && prev.text > hi;
      if (!below_lo && !above_hi) below.emplace_back(child, depth + 1);
      counts.add(key);
      prev = key;
    }
    if (!leaf && (prev.null || prev.text <= hi)) below.emplace_back(be32(h + 8), depth + 1);
    // Keys of a child page are views into buf: read children only after this
    // page is done (they go on the stack).
    todo.insert(todo.end(), below.rbegin(), below.rend());
  }
  return counts.take();
}

LeafCursor::LeafCursor(const PinnedTable& table, const uint32_t* first, const uint32_t* last, size_t fields)
    : table_(table),
      lease_(table),
      next_leaf_(first),
      last_leaf_(last),
      fields_(fields),
      page_(table.page_size()),
      types_(fields),
      offsets_(fields) {}

bool LeafCursor::load_next_page() {
  if (next_leaf_ == last_leaf_) return false;
  lease_.read_page(*next_leaf_++, page_.data());
  if (page_[0] != 0x0D) throw FileLayoutUnsupported("not a table leaf page");
  cells_ = be16(page_.data() + 3);
  cell_ = 0;
  cell_array_ = 8;
  if (cell_array_ + 2 * cells_ > table_.usable_size()) throw FileLayoutUnsupported("malformed leaf page");
  return true;
}

namespace {

/// serial_size of each serial type written in one header byte (below 0x80:
/// NULL, the integers, a real, the constants 0 and 1, text and blobs of up to
/// 57 bytes); kReservedSize for the reserved types 10 and 11.
constexpr uint8_t kReservedSize = 0xff;
constexpr std::array<uint8_t, 128> kOneByteSize = [] {
  std::array<uint8_t, 128> size{};
  for (size_t t = 0; t < size.size(); ++t) {
    size[t] = t == 10 || t == 11 ? kReservedSize : t < 12 ? kFixedSize[t] : static_cast<uint8_t>((t - 12) / 2);
  }
  return size;
}();

}  // namespace

bool LeafCursor::parse_types(size_t upto) {
  // A wide table's records are decoded up to the last field a read takes (the
  // 79th of player_game_summary's 90 for PSZA): nearly every serial type is one
  // byte, its size read from a table, without the varint loop. The cursor's
  // state is kept in locals meanwhile (stores to the arrays could alias it).
  const unsigned char* at = header_at_;
  const unsigned char* const end = header_end_;
  uint64_t body = body_;
  size_t parsed = parsed_;
  uint64_t* const types = types_.data();
  uint32_t* const offsets = offsets_.data();
  while (parsed < upto && at < end) {
    const unsigned char b = *at;
    uint64_t t = b, size = b < 0x80 ? kOneByteSize[b] : kReservedSize;
    if (size != kReservedSize) {
      ++at;
    } else {
      t = varint(at, end);
      size = serial_size(t);  // throws on a reserved type
    }
    types[parsed] = t;
    offsets[parsed] = static_cast<uint32_t>(body);
    body += size;
    ++parsed;
  }
  header_at_ = at;
  body_ = body;
  parsed_ = parsed;
  return parsed == upto;
}

bool LeafCursor::kept() {
  if (filter_field_ == kNoFilter) return true;
  // A record too short for the filtered field fails in next() as any other.
  if (!parse_types(filter_field_ + 1)) return true;
  const uint64_t t = types_[filter_field_];
  if (t == 0) return false;
  if (t < 13 || (t & 1) == 0) throw FileLayoutUnsupported("filtered field is neither text nor NULL");
  const uint64_t bytes = (t - 13) / 2;
  if (offsets_[filter_field_] + bytes > static_cast<uint64_t>(record_end_ - record_)) {
    throw FileLayoutUnsupported("malformed record");
  }
  const std::string_view v(reinterpret_cast<const char*>(record_ + offsets_[filter_field_]), bytes);
  return v >= lo_ && v <= hi_;
}

bool LeafCursor::next() {
  for (;;) {
    while (cell_ == cells_) {
      if (!load_next_page()) return false;
    }
    const unsigned char* base = page_.data();
    const unsigned char* end = base + table_.usable_size();
    const uint32_t off = be16(base + cell_array_ + size_t{2} * cell_++);
    const unsigned char* p = base + off;
    if (p >= end) throw FileLayoutUnsupported("malformed leaf cell");
    const uint64_t payload = varint(p, end);
    varint(p, end);  // rowid
    if (payload > table_.usable_size() - 35) throw FileLayoutUnsupported("row on overflow pages");
    if (payload > static_cast<uint64_t>(end - p)) throw FileLayoutUnsupported("malformed leaf cell");
    record_ = p;
    record_end_ = p + payload;
    const uint64_t header = varint(p, record_end_);
    if (header > payload) throw FileLayoutUnsupported("malformed record");
    header_at_ = p;
    header_end_ = record_ + header;
    body_ = header;
    parsed_ = 0;
    if (!kept()) continue;
    // A record written before an ADD COLUMN lacks the new columns (their
    // default applies): left to SQLite.
    if (!parse_types(fields_)) throw FileLayoutUnsupported("record shorter than the table");
    if (body_ > payload) throw FileLayoutUnsupported("malformed record");
    return true;
  }
}

}  // namespace nbaprops::sqlite_file
