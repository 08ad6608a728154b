#include "nbaprops/warehouse/sqlite_file.hpp"

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

uint64_t serial_size(uint64_t t) {
  static constexpr uint8_t kSize[12] = {0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0};
  if (t == 10 || t == 11) throw FileLayoutUnsupported("reserved serial type");
  return t < 12 ? kSize[t] : (t - 12) / 2;
}

std::unique_ptr<Connection> open(const std::filesystem::path& file, int flags) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(file.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  auto c = std::make_unique<Connection>(raw);
  if (rc != SQLITE_OK) throw FileLayoutUnsupported("cannot open " + file.string());
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
  std::unique_ptr<Connection> reader;
  std::mutex mutex;  // guards handles
  std::vector<std::unique_ptr<Handle>> handles;
};

namespace {

/// The file handle SQLite reads @p db's main database through.
sqlite3_file* file_handle(sqlite3* db, const std::filesystem::path& file) {
  sqlite3_file* f = nullptr;
  if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &f) != SQLITE_OK || !f || !f->pMethods ||
      !f->pMethods->xRead) {
    throw FileLayoutUnsupported("no SQLite file handle for " + file.string());
  }
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
    h->file = file_handle(h->owner->get(), snap.file);
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

PinnedTable::PinnedTable(const std::filesystem::path& file, const std::string& table)
    : snapshot_(std::make_unique<Snapshot>()) {
  try {
    Snapshot& snap = *snapshot_;
    snap.file = file;
    snap.reader = open(file, SQLITE_OPEN_READONLY);
    Connection& c = *snap.reader;
    c.exec("BEGIN");
    uint32_t root = 0;
    {  // the first read starts the transaction's snapshot
      Statement st(c.get(), "SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = ?");
      sqlite3_bind_text(st.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
      if (!st.step()) throw FileLayoutUnsupported("no table " + table);
      root = static_cast<uint32_t>(sqlite3_column_int64(st.get(), 0));
    }
    {
      Statement st(c.get(), "SELECT name, pk, hidden FROM pragma_table_xinfo(?)");
      sqlite3_bind_text(st.get(), 1, table.c_str(), -1, SQLITE_TRANSIENT);
      while (st.step()) {
        // An INTEGER PRIMARY KEY is stored as the rowid, generated columns not at all.
        if (sqlite3_column_int(st.get(), 1) != 0 || sqlite3_column_int(st.get(), 2) != 0) {
          throw FileLayoutUnsupported("primary key or hidden column in " + table);
        }
        columns_.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(st.get(), 0)));
      }
    }
    {
      Statement st(c.get(), "PRAGMA page_count");  // the snapshot's database size
      if (!st.step()) throw FileLayoutUnsupported("no page count");
      page_count_ = static_cast<uint32_t>(sqlite3_column_int64(st.get(), 0));
    }
    {
      // Copy the log into the file up to (at most) this snapshot; when every
      // frame got copied, the file holds exactly the snapshot's pages. (An own
      // SQLite connection: closing it keeps the process's locks, see above.)
      auto writer = open(file, SQLITE_OPEN_READWRITE);
      Statement st(writer->get(), "PRAGMA wal_checkpoint(PASSIVE)");
      if (!st.step() || sqlite3_column_int(st.get(), 0) != 0 ||
          sqlite3_column_int64(st.get(), 1) != sqlite3_column_int64(st.get(), 2)) {
        throw FileLayoutUnsupported("the write-ahead log could not be checkpointed");
      }
    }
    auto own = std::make_unique<Handle>();
    own->file = file_handle(c.get(), file);
    snap.handles.push_back(std::move(own));
    const Lease lease(*this);
    unsigned char header[100];
    lease.read(header, sizeof header, 0);
    page_size_ = be16(header + 16) == 1 ? 65536 : be16(header + 16);
    usable_ = page_size_ - header[20];
    if (page_size_ < 512 || be32(header + 56) != 1) throw FileLayoutUnsupported("not a UTF-8 database");
    collect_leaves(lease, root);
  } catch (const StorageError& e) {  // SQLite could not pin the snapshot
    throw FileLayoutUnsupported(e.what());
  }
}

PinnedTable::~PinnedTable() = default;

size_t PinnedTable::field_of(const std::string& column) const {
  for (size_t i = 0; i < columns_.size(); ++i) {
    if (columns_[i] == column) return i;
  }
  throw FileLayoutUnsupported("no stored column " + column);
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
  std::vector<uint32_t> level{root};
  for (int depth = 0; depth < height; ++depth) {
    std::vector<uint32_t> below;
    for (uint32_t page : level) {
      lease.read_page(page, buf.data());
      const unsigned char* h = buf.data();
      if (h[0] != 0x05) throw FileLayoutUnsupported("not a rowid table b-tree page");
      const uint32_t cells = be16(h + 3);
      if (12 + 2 * cells > usable_) throw FileLayoutUnsupported("malformed interior page");
      for (uint32_t k = 0; k < cells; ++k) {
        const uint32_t off = be16(h + 12 + 2 * k);
        if (off + 4 > usable_) throw FileLayoutUnsupported("malformed interior page");
        below.push_back(be32(h + off));
      }
      below.push_back(be32(h + 8));  // the right-most child comes last
      if (below.size() > page_count_) throw FileLayoutUnsupported("malformed b-tree");
    }
    level = std::move(below);
  }
  leaves_ = std::move(level);
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

bool LeafCursor::parse_types(size_t upto) {
  for (; parsed_ < upto && header_at_ < header_end_; ++parsed_) {
    const uint64_t t = varint(header_at_, header_end_);
    types_[parsed_] = t;
    offsets_[parsed_] = static_cast<uint32_t>(body_);
    body_ += serial_size(t);
  }
  return parsed_ == upto;
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
    const uint32_t off = be16(base + cell_array_ + 2 * cell_++);
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
