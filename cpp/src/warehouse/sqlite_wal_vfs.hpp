#pragma once
/// @file sqlite_wal_vfs.hpp
/// An SQLite VFS that writes a write-ahead log's frames in one system call a
/// commit instead of two a page.
///
/// SQLite appends a committed page to the log as two `pwrite`s: the 24-byte
/// frame header, then the page. Each call enters the kernel, takes the file's
/// lock and prepares every page-cache page it touches; a 4 KiB page behind a
/// 24-byte header straddles two of them. The VFS "nbaprops-wal" wraps the
/// default one: a log's writes that follow one another are gathered in memory
/// and written in one call, which the file system serves page by page.
///
/// Nothing is buffered past its commit, and every reader finds the frames in
/// the file:
/// - a commit frame's header (a frame whose database size field is not zero)
///   makes the write that completes the frame write everything gathered, and
///   an error there fails that write, so the commit fails as it would have;
/// - the database file's `xShmBarrier` (which SQLite calls before it publishes
///   a commit in the WAL-index, where readers and checkpoints find frames) and
///   `xShmLock` write what is gathered first, as does every other call on the
///   log (read, size, sync, truncate, close) and a write not at its end;
/// - at most 1 MiB is gathered (a transaction that spills pages to the log
///   before it commits).
/// Files open through SQLite's default VFS of the moment (as without this one),
/// and locks, shared memory and every other file go to it untouched, so other
/// connections of the process (Python's `sqlite3` among them) and other
/// processes work on the same files as before.

namespace nbaprops::sqlite_detail {

/// The name of the VFS, registered with SQLite (not as the default) at the
/// first call; null when SQLite has no default VFS to wrap.
const char* gathering_wal_vfs();

}  // namespace nbaprops::sqlite_detail
