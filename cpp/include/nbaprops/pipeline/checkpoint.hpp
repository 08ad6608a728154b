#pragma once
/// @file checkpoint.hpp
/// Legacy-compatible backfill checkpoints (spec §4): one JSON file per (job,
/// start, end) at
/// `<dir>/<job>_<start>_<end>.json` with the legacy keys (`job_name,
/// start_date, end_date, created_at, last_updated, last_successful_date,
/// successful_dates, failed_dates, skipped_dates, stats{total_days, processed,
/// successful, failed, skipped}`) plus `errors {date: message}`.
///
/// Fixes (DECISION 5/6): resume skips committed dates and retries failed ones
/// (legacy resumed from max(success)+1, skipping failures, and restarted from
/// scratch when complete); error text is stored; a corrupt file is set aside as
/// `<name>.corrupt-<n>` and reported instead of silently ignored. Writes:
/// `.tmp` + fflush + fsync + rename under an exclusive flock on `<stem>.lock`.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "nbaprops/core/date.hpp"

namespace nbaprops::pipeline {

/// Default checkpoint directory (legacy).
inline constexpr const char* kDefaultCheckpointDir = "/tmp/backfill_checkpoints";

/// A checkpoint. Thread-safe: every method locks an internal mutex; each mark
/// saves the file.
class Checkpoint {
 public:
  /// Opens (loading when the file exists) the checkpoint of @p job over @p
  /// range in @p dir (created if missing). A corrupt or invalid file is renamed
  /// to `<name>.corrupt-<n>`, a warning is logged, corrupt() returns true and
  /// the checkpoint starts empty. Nothing is written until a mark or save().
  /// @throws StorageError when the directory cannot be created.
  /// @param warehouse URI of the warehouse the run writes (stored as the extra
  /// key `warehouse`). A file written for another warehouse is never trusted:
  /// it is moved aside to
  /// `<name>.foreign-<n>` with a warning and the checkpoint starts empty (two
  /// warehouses backfilled over the same range share the legacy file name).
  /// Files without the key (legacy) are trusted.
  Checkpoint(std::string dir, std::string job, DateRange range, const std::string& warehouse = "");

  /// Tag of the read-only constructor.
  struct ReadOnly {};
  /// Loads the checkpoint of @p job over @p range in @p dir for a look
  /// (`--status`): creates nothing, and a corrupt, invalid or foreign file is
  /// reported (warning(), corrupt()) but left where it is. Never to be marked
  /// or saved.
  Checkpoint(ReadOnly, std::string dir, std::string job, DateRange range);

  /// @return `<dir>/<job>_<start>_<end>.json`.
  static std::string path_for(const std::string& dir, const std::string& job, DateRange range);
  /// Deletes the checkpoint file of (job, range) (`--no-resume`; the .lock
  /// stays, as in the legacy).
  /// @return true when a file existed.
  static bool reset(const std::string& dir, const std::string& job, DateRange range);
  /// @return the status box of (job, range), or `No checkpoint found for <job>
  /// … Would be: <path>`; valid UTF-8 (a path's invalid byte as \xNN). A look
  /// only: creates, moves and writes nothing (a corrupt file is reported and
  /// left where it is).
  static std::string status_of(const std::string& dir, const std::string& job, DateRange range);

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] const std::string& job() const noexcept { return job_; }
  /// @return the warehouse URI this checkpoint belongs to ("" when unknown).
  [[nodiscard]] const std::string& warehouse() const noexcept { return warehouse_; }
  [[nodiscard]] DateRange range() const noexcept { return range_; }
  /// @return true when an existing valid file was loaded.
  [[nodiscard]] bool loaded() const noexcept { return loaded_; }
  /// @return true when the existing file was corrupt/invalid (and was set
  /// aside).
  [[nodiscard]] bool corrupt() const noexcept { return corrupt_; }
  /// @return where the corrupt file was moved ("" if none).
  [[nodiscard]] const std::string& corrupt_path() const noexcept { return corrupt_path_; }
  /// @return the warning text about the corrupt file ("" if none): our own
  /// words, valid UTF-8 (a byte of the file or its path that is not is shown
  /// as \xNN).
  [[nodiscard]] const std::string& warning() const noexcept { return warning_; }

  /// Records a committed date (success or empty): adds to successful_dates,
  /// removes from failed_dates and errors, updates last_successful_date; saves.
  void mark_complete(Date d);
  /// Records a failed date with its error text (stored in `errors`); removes it
  /// from the successful set (a later failure overrides an earlier success);
  /// saves.
  void mark_failed(Date d, const std::string& error);
  /// Records a skipped (bootstrap) date; saves.
  void mark_skipped(Date d);
  /// Writes the file now (atomic). @throws StorageError on I/O failure.
  void save();
  /// Marks save at most once per @p ms milliseconds (0, the default: on every
  /// mark, as the legacy did). A runner committing many units a second sets an
  /// interval and calls flush() at the end: a crash loses at most the last
  /// interval's marks, whose dates a resume simply recomputes (writes are
  /// idempotent). Thread-safe.
  void set_autosave_interval_ms(int ms);
  /// Saves when a mark has not been written yet. @throws StorageError on I/O
  /// failure.
  void flush();

  /// @return true when @p d is committed (resume skips it).
  [[nodiscard]] bool is_committed(Date d) const;
  /// @return true when @p d failed (resume retries it).
  [[nodiscard]] bool is_failed(Date d) const;
  [[nodiscard]] std::vector<Date> successful_dates() const;
  [[nodiscard]] std::vector<Date> failed_dates() const;
  [[nodiscard]] std::vector<Date> skipped_dates() const;
  [[nodiscard]] std::map<Date, std::string> errors() const;
  [[nodiscard]] std::optional<Date> last_successful_date() const;
  /// @return the first date a resumed run has work on: the earliest failed
  /// date, else the day after the latest successful/skipped date; nullopt when
  /// nothing failed and that day is after the end (complete). With nothing
  /// recorded: the start date.
  [[nodiscard]] std::optional<Date> resume_date() const;
  /// @return the JSON text as written to disk (pretty, 2-space indent).
  [[nodiscard]] std::string to_json() const;
  /// @return the legacy status box (`CHECKPOINT STATUS: <job>`, range, totals,
  /// last success, `Resume from: <d> (<n> days remaining)` or `Status:
  /// COMPLETE`), plus failed dates to retry.
  [[nodiscard]] std::string status_text() const;

 private:
  void load_locked();
  /// Renames the file to `<path>.<kind>-<n>` (the first n free). @return the
  /// new path, "" when it could not be moved or the checkpoint is read-only.
  std::string move_aside(const char* kind);
  void save_locked(bool durable = true);
  void marked_locked();
  std::string json_locked() const;

  mutable std::mutex mu_;
  int autosave_ms_ = 0;
  bool dirty_ = false;
  std::chrono::steady_clock::time_point last_save_{};
  std::string dir_, job_, path_;
  std::string warehouse_;
  DateRange range_;
  std::string created_at_, last_updated_;
  std::set<Date> successful_, failed_, skipped_;
  std::map<Date, std::string> errors_;
  bool loaded_ = false, corrupt_ = false, read_only_ = false;
  std::string corrupt_path_, warning_;
};

}  // namespace nbaprops::pipeline
