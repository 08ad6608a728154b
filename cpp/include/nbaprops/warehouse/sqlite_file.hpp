#pragma once
/// @file sqlite_file.hpp
/// Bulk reads of one SQLite table straight from its database file's b-tree
/// pages, bypassing SQLite's per-cell virtual machine (several times cheaper
/// per value for wide tables), and per-value counts of its index's first column
/// from the index's pages.
///
/// Only the common layout is read this way: a rowid table in a UTF-8 database
/// whose rows fit in their leaf page and whose stored records carry every
/// column. Anything else (overflow pages, a record shorter than the table,
/// reserved serial types, a WAL that cannot be checkpointed under the reader's
/// snapshot) raises FileLayoutUnsupported before any value is returned, and the
/// caller reads through SQLite instead; the values are the same either way.
///
/// The format facts used here are those of the documented SQLite file format
/// (https://www.sqlite.org/fileformat2.html): big-endian page numbers, table
/// b-tree pages 0x05 (interior) and 0x0D (leaf), index b-tree pages 0x02
/// (interior, whose cells hold entries too) and 0x0A (leaf), varints, record
/// serial types, the local payload limit of index cells.

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct sqlite3;

namespace nbaprops::sqlite_file {

/// The file cannot be read page by page (see the file comment); read it through
/// SQLite.
class FileLayoutUnsupported : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One stored value, as the record holds it (no affinity applied).
struct Field {
  enum class Kind : uint8_t { kNull, kInt, kReal, kText, kBlob };
  Kind kind = Kind::kNull;
  int64_t i = 0;       ///< kInt
  double r = 0;        ///< kReal
  std::string_view s;  ///< kText / kBlob: bytes inside the current page buffer
};

/// The value of record serial type @p t stored at @p p (its size checked by
/// the caller; the reserved types 10 and 11 read as a blob).
inline Field decode_field(uint64_t t, const unsigned char* p) noexcept {
  auto big_endian = [p](unsigned n) {
    uint64_t v = 0;
    for (unsigned k = 0; k < n; ++k) v = (v << 8) | p[k];
    return v;
  };
  Field f;
  switch (t) {
    case 0:
      break;
    case 8:
    case 9:
      f.kind = Field::Kind::kInt;
      f.i = static_cast<int64_t>(t - 8);
      break;
    case 7: {
      const uint64_t bits = big_endian(8);
      f.kind = Field::Kind::kReal;
      std::memcpy(&f.r, &bits, sizeof f.r);
      break;
    }
    default:
      if (t <= 6) {
        static constexpr unsigned kBytes[7] = {0, 1, 2, 3, 4, 6, 8};
        const unsigned n = kBytes[t];
        uint64_t v = big_endian(n);
        if (n < 8 && (v >> (8 * n - 1)) != 0) v |= ~uint64_t{0} << (8 * n);  // sign-extend
        f.kind = Field::Kind::kInt;
        f.i = static_cast<int64_t>(v);
      } else {
        f.kind = (t & 1) ? Field::Kind::kText : Field::Kind::kBlob;
        f.s = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>((t - 12) / 2));
      }
  }
  return f;
}

/// @return whether every frame of the write-ahead log of @p db's database
/// @p schema is already in the database file (its last valid frame, mxFrame,
/// no further than the checkpoint's progress, nBackfill), from the WAL-index
/// header as SQLite's unix and windows VFSes keep it in shared memory
/// (https://www.sqlite.org/walformat.html), read through the connection's own
/// mapping of it (never a descriptor of ours: see PinnedTable). False whenever
/// that cannot be told: no mapping (the connection has not read the file since
/// it opened its log), a VFS without shared memory, a header being rewritten.
/// A database not in WAL mode has no log: true.
[[nodiscard]] bool log_settled(sqlite3* db, const std::string& schema);

/// A table of a SQLite database file pinned at one snapshot: a read
/// transaction is held open on an own read-only connection for the object's
/// lifetime, and every frame of the write-ahead log up to that snapshot has
/// been copied into the database file (a passive checkpoint), so the file's
/// pages are exactly the snapshot's. Writers may commit meanwhile (to the log);
/// their frames cannot be checkpointed over pages the snapshot still needs (a
/// checkpoint copies no frame past the oldest reader's mark, and copies nothing
/// while a reader ignores the log), and in rollback-journal mode the
/// snapshot's shared lock keeps writers out of the file.
///
/// Pages are read through SQLite's own file handles (the VFS's xRead on the
/// sqlite3_file of an SQLite connection), never through a descriptor of our
/// own: closing any descriptor of a file drops every POSIX lock the process
/// holds on it, including those of SQLite's connections, and SQLite's VFS
/// defers such closes while a lock is held.
///
/// Thread safety: const members may be called from several threads at once;
/// each thread reads through its own LeafCursor (its own Lease).
class PinnedTable {
  struct Handle;  // one SQLite connection's file handle (sqlite_file.cpp)

 public:
  /// Pins the snapshot and lists the table's leaf pages.
  /// @param file the database file (opened read-only for the snapshot, and
  /// read-write once for the checkpoint); @param table the table name.
  /// @throws FileLayoutUnsupported for every reason the table cannot be read
  /// page by page: missing file or table, INTEGER PRIMARY KEY, generated
  /// columns, WITHOUT ROWID, non-UTF-8 text, a log that could not be fully
  /// checkpointed, any SQLite error. The caller then reads through SQLite.
  PinnedTable(const std::filesystem::path& file, const std::string& table);
  /// The same through two connections the caller already has (no connection
  /// is opened, no schema parsed again), on which @p file is attached as
  /// @p schema. @p reader must have no transaction open: it holds the
  /// snapshot's read transaction until this object is destroyed, which ends
  /// it; it must outlive this object and serve nothing else meanwhile.
  /// @p checkpointer is used in the constructor only.
  /// With @p settled_log_only, a log holding frames not yet copied into the
  /// file (log_settled() false under the snapshot) raises
  /// FileLayoutUnsupported before anything is checkpointed: the caller wrote
  /// the file, and copying its frames would sync every dirty page of it.
  PinnedTable(const std::filesystem::path& file, const std::string& table, sqlite3* reader, sqlite3* checkpointer,
              const std::string& schema, bool settled_log_only = false);
  ~PinnedTable();
  PinnedTable(const PinnedTable&) = delete;
  PinnedTable& operator=(const PinnedTable&) = delete;

  /// @return the index of @p column among the record's fields.
  /// @throws FileLayoutUnsupported when the stored table has no such column.
  [[nodiscard]] size_t field_of(const std::string& column) const;
  /// @return whether the stored table has @p column (a catalog column added
  /// since the table was written may be missing: its values read NULL).
  [[nodiscard]] bool stores(const std::string& column) const;
  /// @return the table's leaf pages in rowid order.
  [[nodiscard]] const std::vector<uint32_t>& leaves() const noexcept { return leaves_; }
  /// @return per leaf (as leaves()), the largest rowid it can hold (a leaf
  /// holds the rowids above the previous leaf's bound, up to its own).
  [[nodiscard]] const std::vector<int64_t>& leaf_upper() const noexcept { return leaf_upper_; }
  /// @return the page size in bytes.
  [[nodiscard]] uint32_t page_size() const noexcept { return page_size_; }
  /// @return the bytes of a page the b-tree uses (page size minus reserved).
  [[nodiscard]] uint32_t usable_size() const noexcept { return usable_; }

  /// Counts the entries of the table's index @p index per text value of its
  /// first column, for the values between @p lo and @p hi (byte order; NULLs
  /// are not counted): what SELECT col, COUNT(*) … WHERE col BETWEEN lo AND hi
  /// GROUP BY col gives, from the index's pages (subtrees wholly outside the
  /// range are not read).
  /// @throws FileLayoutUnsupported when @p index is not an index of the table
  /// whose first column is @p column, ascending under BINARY; for an entry on
  /// overflow pages, a first-column value neither text nor NULL, a malformed
  /// page. With @p rowids: the least and the largest rowid of the entries
  /// counted (the last field of each entry; untouched when none).
  [[nodiscard]] std::map<std::string, int64_t, std::less<>> count_index_texts(
      const std::string& index, const std::string& column, std::string_view lo, std::string_view hi,
      std::pair<int64_t, int64_t>* rowids = nullptr) const;

  /// One SQLite file handle of the snapshot's database file, lent to one
  /// thread: the pinned connection's own, or that of a further read-only
  /// connection (opened on demand, kept for the table's lifetime; it takes no
  /// lock, the pinned connection's locks keep the file at the snapshot).
  /// Returned to the table when destroyed.
  class Lease {
   public:
    /// @throws FileLayoutUnsupported when no connection can be opened.
    explicit Lease(const PinnedTable& table);
    ~Lease();
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;

    /// Reads page @p page (1-based) into @p out (page_size() bytes).
    /// @throws FileLayoutUnsupported on a failed or short read or a page
    /// number out of range.
    void read_page(uint32_t page, unsigned char* out) const;

   private:
    friend class PinnedTable;
    /// Reads @p bytes at @p offset of the file into @p out.
    void read(void* out, uint32_t bytes, int64_t offset) const;

    const PinnedTable& table_;
    Handle* handle_;
  };

 private:
  /// Pins the snapshot on the snapshot's reader (see the constructors);
  /// @p checkpoint_log copies the write-ahead log into the file.
  template <typename CheckpointLog>
  void pin(const std::string& table, CheckpointLog&& checkpoint_log);
  void collect_leaves(const Lease& lease, uint32_t root);
  /// The root page of index @p index of the table, checked to start with
  /// @p column ascending under BINARY (count_index_texts).
  [[nodiscard]] uint32_t index_root(const std::string& index, const std::string& column) const;

  struct Snapshot;
  std::unique_ptr<Snapshot> snapshot_;
  uint32_t page_size_ = 0, usable_ = 0, page_count_ = 0;
  std::string table_;
  std::vector<std::string> columns_;
  std::vector<uint32_t> leaves_;
  std::vector<int64_t> leaf_upper_;
};

/// The rows of a run of leaf pages, in rowid order; the record of the current
/// row is parsed once, each field decoded on demand. Reads through its own
/// lease of one of the table's SQLite file handles.
///
/// Thread safety: one cursor per thread.
class LeafCursor {
 public:
  /// @param leaves a sub-range of PinnedTable::leaves(); @param fields how many
  /// leading record fields the caller reads (the others are not decoded).
  /// @throws FileLayoutUnsupported when no file handle can be had.
  LeafCursor(const PinnedTable& table, const uint32_t* first, const uint32_t* last, size_t fields);

  /// Advances to the next row (the next one the filter keeps, when set).
  /// @return false after the last.
  /// @throws FileLayoutUnsupported (overflow pages, short record, reserved
  /// serial type, malformed page, a filtered field neither text nor NULL).
  bool next();

  /// Keeps only the rows whose field @p field (< fields) is a text between
  /// @p lo and @p hi (byte order, as SQLite's BINARY collation compares; NULL
  /// is never between). A skipped row's record is decoded only up to that
  /// field. The strings must outlive the cursor.
  void keep_text_between(size_t field, std::string_view lo, std::string_view hi) noexcept {
    filter_field_ = field;
    lo_ = lo;
    hi_ = hi;
  }

  /// Field @p i of the current row (i < fields given to the constructor).
  [[nodiscard]] Field field(size_t i) const noexcept { return decode_field(types_[i], record_ + offsets_[i]); }

 private:
  bool load_next_page();
  /// Decodes the serial types of fields [parsed_, @p upto) of the current
  /// record. @return false when the record has fewer fields.
  bool parse_types(size_t upto);
  /// Whether the current row passes the filter (see keep_text_between).
  bool kept();

  const PinnedTable& table_;
  PinnedTable::Lease lease_;
  const uint32_t* next_leaf_;
  const uint32_t* last_leaf_;
  size_t fields_;
  std::vector<unsigned char> page_;
  unsigned cells_ = 0, cell_ = 0, cell_array_ = 0;
  const unsigned char* record_ = nullptr;
  const unsigned char* header_at_ = nullptr;  // next serial type of the current record
  const unsigned char* header_end_ = nullptr;
  const unsigned char* record_end_ = nullptr;
  uint64_t body_ = 0;  // offset of the next field's value in the record
  size_t parsed_ = 0;  // fields whose serial types are decoded
  std::vector<uint64_t> types_;
  std::vector<uint32_t> offsets_;
  static constexpr size_t kNoFilter = ~size_t{0};
  size_t filter_field_ = kNoFilter;
  std::string_view lo_, hi_;
};

}  // namespace nbaprops::sqlite_file
