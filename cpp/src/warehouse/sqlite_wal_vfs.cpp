#include "warehouse/sqlite_wal_vfs.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <vector>

namespace nbaprops::sqlite_detail {
namespace {

constexpr const char* kName = "nbaprops-wal";
/// The most a log's gathered writes hold before they are written.
constexpr size_t kMaxGathered = size_t{1} << 20;
/// The memory a log gathers in, taken at its first write and kept until it
/// closes: room for kMaxGathered bytes and the write that passes them (a frame
/// of the largest page, 64 KiB, and its header). A buffer grown by doubling and
/// given back after each large commit had cost every commit its copies and the
/// kernel's first touches of fresh pages (2 % of a PSZA + TDZA rerun's samples).
constexpr size_t kGatherCapacity = kMaxGathered + (size_t{64} << 10) + 24;
/// The most one write of the wrapped VFS takes: SQLite's unix VFS writes at most
/// 128 KiB - 1 bytes a call (it masks the size with 0x1ffff), so gathered bytes
/// go in pieces of 31 pages of 4 KiB.
constexpr size_t kMaxWrite = size_t{31} * 4096;
/// The log's own header, then frames: a 24-byte header (page number, then the
/// database size in pages after the commit for a commit frame, else 0), then
/// the page (https://www.sqlite.org/fileformat2.html#walformat).
constexpr sqlite3_int64 kLogHeaderBytes = 32;
constexpr int kFrameHeaderBytes = 24;

/// What SQLite holds for an open file of this VFS: this, then the wrapped
/// VFS's own file object (offset kRealOffset).
struct File {
  sqlite3_file base;  // first: the methods SQLite calls
  bool is_log = false;
  File* log = nullptr;                  // a database file: its open write-ahead log
  File* db = nullptr;                   // a write-ahead log: its database file
  const char* name = nullptr;           // a database file: its key in databases()
  std::vector<unsigned char> gathered;  // a log: writes not yet made, from gathered_at
  sqlite3_int64 gathered_at = 0;
  bool write_after_next = false;  // a log: a commit frame's header was gathered
  int failed = SQLITE_OK;         // a log: a gathered write that failed where no caller could hear it

  sqlite3_file* real();
};

constexpr size_t kRealOffset =
    (sizeof(File) + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) * alignof(std::max_align_t);

sqlite3_file* File::real() { return reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(this) + kRealOffset); }

File* of(sqlite3_file* f) { return reinterpret_cast<File*>(f); }
sqlite3_file* real(sqlite3_file* f) { return of(f)->real(); }
const sqlite3_io_methods& real_methods(sqlite3_file* f) { return *real(f)->pMethods; }

/// Open database files by the name SQLite opened them with: the same pointer
/// that sqlite3_filename_database() gives for their log's name.
std::mutex registry_mutex;
std::unordered_map<const char*, File*>& databases() {
  static std::unordered_map<const char*, File*> map;
  return map;
}

/// Writes what @p f gathered. Each write SQLite made returned, so an error here
/// fails the call that wrote (the commit's last write) or the later one that
/// needs the bytes in the file.
int write_gathered(File& f) {
  if (f.gathered.empty()) return SQLITE_OK;
  sqlite3_file* r = f.real();
  int rc = SQLITE_OK;
  for (size_t at = 0; at < f.gathered.size() && rc == SQLITE_OK; at += kMaxWrite) {
    const size_t n = std::min(kMaxWrite, f.gathered.size() - at);
    rc = r->pMethods->xWrite(r, f.gathered.data() + at, static_cast<int>(n),
                             f.gathered_at + static_cast<sqlite3_int64>(at));
  }
  f.gathered.clear();
  f.write_after_next = false;
  return rc;
}

/// What a log gathered, written before a call that needs it in the file; a
/// database file has nothing to write.
int flush_log(sqlite3_file* f) {
  File& file = *of(f);
  if (!file.is_log) return SQLITE_OK;
  if (file.failed != SQLITE_OK) return file.failed;
  return write_gathered(file);
}

/// A database file's log, written before SQLite publishes or locks anything in
/// the WAL-index. From calls that cannot fail (a barrier), an error is kept:
/// every later call on the log returns it.
int flush_log_of_db(sqlite3_file* f) {
  File* log = of(f)->log;
  if (log == nullptr || log->gathered.empty()) return SQLITE_OK;
  const int rc = write_gathered(*log);
  if (rc != SQLITE_OK) log->failed = rc;
  return rc;
}

// ------------------------------------------------------------------------------------------- the log's writes

int x_write(sqlite3_file* f, const void* data, int amount, sqlite3_int64 offset) {
  File& file = *of(f);
  if (!file.is_log) return real_methods(f).xWrite(real(f), data, amount, offset);
  if (file.failed != SQLITE_OK) return file.failed;
  const auto end = file.gathered_at + static_cast<sqlite3_int64>(file.gathered.size());
  if (!file.gathered.empty() && offset != end) {
    if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
  }
  if (file.gathered.empty()) file.gathered_at = offset;
  const auto* bytes = static_cast<const unsigned char*>(data);
  try {
    if (file.gathered.capacity() < kGatherCapacity) file.gathered.reserve(kGatherCapacity);
    file.gathered.insert(file.gathered.end(), bytes, bytes + amount);
  } catch (const std::bad_alloc&) {  // no memory to gather: this write goes as SQLite made it
    if (const int rc = write_gathered(file); rc != SQLITE_OK) return rc;
    return real_methods(f).xWrite(real(f), data, amount, offset);
  }
  if (file.write_after_next) return write_gathered(file);  // the commit frame's page
  const bool commit_frame_header =
      amount == kFrameHeaderBytes && offset >= kLogHeaderBytes && (bytes[4] | bytes[5] | bytes[6] | bytes[7]) != 0;
  if (commit_frame_header) {
    file.write_after_next = true;
  } else if (file.gathered.size() >= kMaxGathered) {
    return write_gathered(file);
  }
  return SQLITE_OK;
}

// ------------------------------------------------------------------------------------- every other file call

int x_close(sqlite3_file* f) {
  File& file = *of(f);
  int rc = file.is_log ? flush_log(f) : flush_log_of_db(f);
  {
    const std::lock_guard lock(registry_mutex);
    if (file.is_log) {
      if (file.db != nullptr) file.db->log = nullptr;
    } else {
      if (file.log != nullptr) file.log->db = nullptr;
      if (file.name != nullptr) databases().erase(file.name);
    }
  }
  const int closed = real_methods(f).xClose(real(f));
  file.~File();
  return rc != SQLITE_OK ? rc : closed;
}

int x_read(sqlite3_file* f, void* out, int amount, sqlite3_int64 offset) {
  if (const int rc = flush_log(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xRead(real(f), out, amount, offset);
}

int x_truncate(sqlite3_file* f, sqlite3_int64 size) {
  if (const int rc = flush_log(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xTruncate(real(f), size);
}

int x_sync(sqlite3_file* f, int flags) {
  if (const int rc = flush_log(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xSync(real(f), flags);
}

int x_file_size(sqlite3_file* f, sqlite3_int64* size) {
  if (const int rc = flush_log(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xFileSize(real(f), size);
}

int x_lock(sqlite3_file* f, int level) { return real_methods(f).xLock(real(f), level); }
int x_unlock(sqlite3_file* f, int level) { return real_methods(f).xUnlock(real(f), level); }
int x_check_reserved_lock(sqlite3_file* f, int* out) { return real_methods(f).xCheckReservedLock(real(f), out); }

int x_file_control(sqlite3_file* f, int op, void* arg) {
  if (const int rc = flush_log(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xFileControl(real(f), op, arg);
}

int x_sector_size(sqlite3_file* f) { return real_methods(f).xSectorSize(real(f)); }
int x_device_characteristics(sqlite3_file* f) { return real_methods(f).xDeviceCharacteristics(real(f)); }

int x_shm_map(sqlite3_file* f, int region, int size, int extend, void volatile** out) {
  return real_methods(f).xShmMap(real(f), region, size, extend, out);
}

int x_shm_lock(sqlite3_file* f, int offset, int n, int flags) {
  const int rc = flush_log_of_db(f);
  if (rc != SQLITE_OK && (flags & SQLITE_SHM_LOCK) != 0) return rc;
  return real_methods(f).xShmLock(real(f), offset, n, flags);
}

void x_shm_barrier(sqlite3_file* f) {
  flush_log_of_db(f);
  real_methods(f).xShmBarrier(real(f));
}

int x_shm_unmap(sqlite3_file* f, int delete_flag) {
  flush_log_of_db(f);
  return real_methods(f).xShmUnmap(real(f), delete_flag);
}

int x_fetch(sqlite3_file* f, sqlite3_int64 offset, int amount, void** out) {
  if (const int rc = flush_log(f); rc != SQLITE_OK) return rc;
  return real_methods(f).xFetch(real(f), offset, amount, out);
}

int x_unfetch(sqlite3_file* f, sqlite3_int64 offset, void* page) {
  return real_methods(f).xUnfetch(real(f), offset, page);
}

/// The methods of a file whose wrapped methods are of version @p V (SQLite
/// tells what a file supports by the version and the non-null entries).
template <int V>
constexpr sqlite3_io_methods kMethods = {
    V,
    x_close,
    x_read,
    x_write,
    x_truncate,
    x_sync,
    x_file_size,
    x_lock,
    x_unlock,
    x_check_reserved_lock,
    x_file_control,
    x_sector_size,
    x_device_characteristics,
    V >= 2 ? x_shm_map : nullptr,
    V >= 2 ? x_shm_lock : nullptr,
    V >= 2 ? x_shm_barrier : nullptr,
    V >= 2 ? x_shm_unmap : nullptr,
    V >= 3 ? x_fetch : nullptr,
    V >= 3 ? x_unfetch : nullptr,
};

const sqlite3_io_methods* methods_like(const sqlite3_io_methods& m) {
  if (m.iVersion >= 3 && m.xFetch != nullptr && m.xShmMap != nullptr) return &kMethods<3>;
  if (m.iVersion >= 2 && m.xShmMap != nullptr) return &kMethods<2>;
  return &kMethods<1>;
}

// ------------------------------------------------------------------------------------------------ the VFS

/// The VFS a call goes to: SQLite's default one of the moment, as if this VFS
/// were not there (a default registered later, which wraps the one before it,
/// included), unless its files do not fit in the room this VFS asked for; then
/// the default of the moment this VFS was registered.
sqlite3_vfs* wrapped(sqlite3_vfs* vfs) {
  auto* first = static_cast<sqlite3_vfs*>(vfs->pAppData);
  sqlite3_vfs* now = sqlite3_vfs_find(nullptr);
  if (now == nullptr || now == vfs || now->szOsFile > first->szOsFile) return first;
  return now;
}

int x_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  auto* file = new (f) File{};
  sqlite3_file* r = file->real();
  sqlite3_vfs* inner = wrapped(vfs);
  const int rc = inner->xOpen(inner, name, r, flags, out_flags);
  if (r->pMethods == nullptr) {  // SQLite calls no method of a file that did not open
    file->~File();
    f->pMethods = nullptr;
    return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
  }
  file->base.pMethods = methods_like(*r->pMethods);
  if (rc != SQLITE_OK || name == nullptr) return rc;
  const std::lock_guard lock(registry_mutex);
  if ((flags & SQLITE_OPEN_MAIN_DB) != 0) {
    try {
      databases()[name] = file;
      file->name = name;
    } catch (const std::bad_alloc&) {  // unregistered: its log writes as SQLite makes them
    }
  } else if ((flags & SQLITE_OPEN_WAL) != 0) {
    auto it = databases().find(sqlite3_filename_database(name));
    if (it != databases().end() && it->second->log == nullptr) {
      file->is_log = true;
      file->db = it->second;
      it->second->log = file;
    }
  }
  return rc;
}

int x_delete(sqlite3_vfs* v, const char* name, int sync_dir) {
  sqlite3_vfs* w = wrapped(v);
  return w->xDelete(w, name, sync_dir);
}
int x_access(sqlite3_vfs* v, const char* name, int flags, int* out) {
  sqlite3_vfs* w = wrapped(v);
  return w->xAccess(w, name, flags, out);
}
int x_full_pathname(sqlite3_vfs* v, const char* name, int n, char* out) {
  sqlite3_vfs* w = wrapped(v);
  return w->xFullPathname(w, name, n, out);
}
void* x_dl_open(sqlite3_vfs* v, const char* name) {
  sqlite3_vfs* w = wrapped(v);
  return w->xDlOpen ? w->xDlOpen(w, name) : nullptr;
}
void x_dl_error(sqlite3_vfs* v, int n, char* out) {
  sqlite3_vfs* w = wrapped(v);
  if (w->xDlError) {
    w->xDlError(w, n, out);
  } else if (n > 0) {
    out[0] = '\0';
  }
}
void (*x_dl_sym(sqlite3_vfs* v, void* lib, const char* sym))(void) {
  sqlite3_vfs* w = wrapped(v);
  return w->xDlSym ? w->xDlSym(w, lib, sym) : nullptr;
}
void x_dl_close(sqlite3_vfs* v, void* lib) {
  sqlite3_vfs* w = wrapped(v);
  if (w->xDlClose) w->xDlClose(w, lib);
}
int x_randomness(sqlite3_vfs* v, int n, char* out) {
  sqlite3_vfs* w = wrapped(v);
  return w->xRandomness(w, n, out);
}
int x_sleep(sqlite3_vfs* v, int us) {
  sqlite3_vfs* w = wrapped(v);
  return w->xSleep(w, us);
}
int x_current_time(sqlite3_vfs* v, double* out) {
  sqlite3_vfs* w = wrapped(v);
  return w->xCurrentTime(w, out);
}
int x_get_last_error(sqlite3_vfs* v, int n, char* out) {
  sqlite3_vfs* w = wrapped(v);
  return w->xGetLastError ? w->xGetLastError(w, n, out) : 0;
}
int x_current_time_int64(sqlite3_vfs* v, sqlite3_int64* out) {
  sqlite3_vfs* w = wrapped(v);
  if (w->iVersion >= 2 && w->xCurrentTimeInt64) return w->xCurrentTimeInt64(w, out);
  double days = 0;
  const int rc = w->xCurrentTime(w, &days);
  *out = static_cast<sqlite3_int64>(days * 86400000.0);
  return rc;
}

sqlite3_vfs* make_vfs() {
  sqlite3_vfs* base = sqlite3_vfs_find(nullptr);
  if (base == nullptr) return nullptr;
  static sqlite3_vfs vfs{};
  vfs.iVersion = 2;
  vfs.szOsFile = static_cast<int>(kRealOffset) + base->szOsFile;
  vfs.mxPathname = base->mxPathname;
  vfs.zName = kName;
  vfs.pAppData = base;
  vfs.xOpen = x_open;
  vfs.xDelete = x_delete;
  vfs.xAccess = x_access;
  vfs.xFullPathname = x_full_pathname;
  vfs.xDlOpen = x_dl_open;
  vfs.xDlError = x_dl_error;
  vfs.xDlSym = x_dl_sym;
  vfs.xDlClose = x_dl_close;
  vfs.xRandomness = x_randomness;
  vfs.xSleep = x_sleep;
  vfs.xCurrentTime = x_current_time;
  vfs.xGetLastError = x_get_last_error;
  vfs.xCurrentTimeInt64 = x_current_time_int64;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
  return &vfs;
}

}  // namespace

const char* gathering_wal_vfs() {
  static sqlite3_vfs* vfs = make_vfs();
  return vfs != nullptr ? vfs->zName : nullptr;
}

}  // namespace nbaprops::sqlite_detail
