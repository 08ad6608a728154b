#include "nbaprops/pipeline/checkpoint.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/json_error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/utf8.hpp"

namespace nbaprops::pipeline {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string local_iso_now() { return iso_timestamp_now(false); }

json dates_json(const std::set<Date>& s) {
  json a = json::array();
  for (Date d : s) a.push_back(d.iso());
  return a;
}

std::set<Date> parse_dates(const json& a, const char* key) {
  if (!a.is_array()) throw DataError(std::string("'") + key + "' is not a list");
  std::set<Date> out;
  for (const auto& v : a) {
    if (!v.is_string()) throw DataError(std::string("'") + key + "' holds a non-string value");
    out.insert(Date::parse(v.get<std::string>(), key));
  }
  return out;
}

/// An exclusive flock on <stem>.lock for the duration of a write (legacy
/// sidecar, never deleted).
class FileLock {
 public:
  explicit FileLock(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ >= 0) ::flock(fd_, LOCK_EX);
  }
  ~FileLock() {
    if (fd_ >= 0) {
      ::flock(fd_, LOCK_UN);
      ::close(fd_);
    }
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

std::string stem_of(const std::string& path) { return path.substr(0, path.size() - 5); }  // drop ".json"

/// @p text with every byte that is not part of valid UTF-8 written as \xNN
/// (a path or message quoting a file's bytes stays readable, and valid text
/// for Python).
std::string valid_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (const size_t n = utf8_sequence(text, i); n > 0) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    static const char* hex = "0123456789abcdef";
    const auto c = static_cast<unsigned char>(text[i++]);
    out += "\\x";
    out += hex[c >> 4];
    out += hex[c & 0xF];
  }
  return out;
}

}  // namespace

std::string Checkpoint::path_for(const std::string& dir, const std::string& job, DateRange range) {
  return (fs::path(dir) / (job + "_" + range.start.iso() + "_" + range.end.iso() + ".json")).string();
}

bool Checkpoint::reset(const std::string& dir, const std::string& job, DateRange range) {
  std::error_code ec;
  return fs::remove(path_for(dir, job, range), ec);
}

std::string Checkpoint::status_of(const std::string& dir, const std::string& job, DateRange range) {
  std::string path = path_for(dir, job, range);
  if (!fs::exists(path))
    return valid_utf8("No checkpoint found for " + job + " (" + range.start.iso() + " to " + range.end.iso() +
                      ")\nWould be: " + path + "\n");
  const Checkpoint c(ReadOnly{}, dir, job, range);  // a look: nothing is moved or written
  std::string text = c.status_text();
  if (c.corrupt()) text = "WARNING: " + c.warning() + "\n" + text;
  return valid_utf8(text);
}

namespace {

/// A warehouse's identity: a directory's canonical absolute path (so `B/`,
/// `./B` and `B` are one warehouse), a URI as given.
std::string warehouse_identity(const std::string& uri) {
  if (uri.empty() || uri.find("://") != std::string::npos) return uri;
  std::error_code ec;
  const fs::path p = fs::weakly_canonical(fs::absolute(uri, ec), ec);
  if (ec) return uri;
  std::string s = p.string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

}  // namespace

Checkpoint::Checkpoint(std::string dir, std::string job, DateRange range, const std::string& warehouse)
    : dir_(std::move(dir)), job_(std::move(job)), warehouse_(warehouse_identity(warehouse)), range_(range) {
  if (job_.empty()) throw ConfigError("checkpoint job name is empty");
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw StorageError("cannot create checkpoint directory " + dir_ + ": " + ec.message());
  path_ = path_for(dir_, job_, range_);
  std::lock_guard lock(mu_);
  load_locked();
}

Checkpoint::Checkpoint(ReadOnly, std::string dir, std::string job, DateRange range)
    : dir_(std::move(dir)), job_(std::move(job)), range_(range), read_only_(true) {
  if (job_.empty()) throw ConfigError("checkpoint job name is empty");
  path_ = path_for(dir_, job_, range_);
  std::lock_guard lock(mu_);
  load_locked();
}

std::string Checkpoint::move_aside(const char* kind) {
  if (read_only_) return "";
  for (int n = 1;; ++n) {
    std::string aside = path_ + "." + kind + "-" + std::to_string(n);
    if (fs::exists(aside)) continue;
    std::error_code ec;
    fs::rename(path_, aside, ec);
    return ec ? std::string() : aside;
  }
}

void Checkpoint::load_locked() {
  if (!fs::exists(path_)) return;
  std::string text;
  try {
    std::ifstream in(path_);
    std::stringstream buf;
    buf << in.rdbuf();
    text = buf.str();
    json j = json::parse(text);
    if (!j.is_object()) throw DataError("top level is not an object");
    for (const char* key : {"job_name", "start_date", "end_date", "successful_dates", "failed_dates"}) {
      if (!j.contains(key)) throw DataError(std::string("missing key '") + key + "'");
    }
    if (j["job_name"] != job_) throw DataError("job_name is '" + j["job_name"].dump() + "', expected '" + job_ + "'");
    if (!warehouse_.empty() && j.contains("warehouse") && j["warehouse"].is_string() &&
        warehouse_identity(j["warehouse"].get<std::string>()) != warehouse_) {
      // Not corrupt, but not ours: trusting it would skip dates this warehouse
      // never committed.
      const std::string other = j["warehouse"].get<std::string>();
      const std::string aside = move_aside("foreign");
      warning_ =
          valid_utf8("checkpoint " + path_ + " belongs to warehouse " + other + ", not " + warehouse_ +
                     (aside.empty() ? std::string("; ignoring it") : "; moved aside to " + aside) + "; starting fresh");
      NBAPROPS_LOG_WARN << warning_;
      return;
    }
    if (Date::parse(j["start_date"].get<std::string>(), "start_date") != range_.start ||
        Date::parse(j["end_date"].get<std::string>(), "end_date") != range_.end) {
      throw DataError("start_date/end_date do not match the file name");
    }
    auto ok = parse_dates(j["successful_dates"], "successful_dates");
    auto bad = parse_dates(j["failed_dates"], "failed_dates");
    std::set<Date> skipped;
    if (j.contains("skipped_dates")) skipped = parse_dates(j["skipped_dates"], "skipped_dates");
    for (Date d : ok) {
      if (bad.count(d)) throw DataError("date " + d.iso() + " is both successful and failed");
    }
    std::map<Date, std::string> errors;
    if (j.contains("errors") && !j["errors"].is_null()) {
      if (!j["errors"].is_object()) throw DataError("'errors' is not an object");
      for (auto& [k, v] : j["errors"].items())
        errors[Date::parse(k, "errors")] = v.is_string() ? v.get<std::string>() : v.dump();
    }
    successful_ = std::move(ok);
    failed_ = std::move(bad);
    skipped_ = std::move(skipped);
    errors_ = std::move(errors);
    created_at_ = j.value("created_at", std::string());
    last_updated_ = j.value("last_updated", std::string());
    loaded_ = true;
  } catch (const std::exception& e) {
    corrupt_ = true;
    corrupt_path_ = move_aside("corrupt");
    // The JSON library's own text quotes the raw byte where parsing stopped
    // (not valid UTF-8 in a binary file): said in our words, the byte in hex.
    const std::string why =
        dynamic_cast<const json::exception*>(&e) != nullptr ? json_error_text(e, text) : std::string(e.what());
    const std::string then = read_only_              ? "a run moves it aside and starts fresh"
                             : corrupt_path_.empty() ? "could not move it aside; starting fresh"
                                                     : "moved aside to " + corrupt_path_ + "; starting fresh";
    warning_ = valid_utf8("checkpoint " + path_ + " is corrupt or invalid (" + why + "); " + then);
    NBAPROPS_LOG_WARN << warning_;
    successful_.clear();
    failed_.clear();
    skipped_.clear();
    errors_.clear();
  }
}

std::string Checkpoint::to_json() const {
  std::lock_guard lock(mu_);
  return json_locked();
}

std::string Checkpoint::json_locked() const {
  json j;
  j["job_name"] = job_;
  if (!warehouse_.empty()) j["warehouse"] = warehouse_;
  j["start_date"] = range_.start.iso();
  j["end_date"] = range_.end.iso();
  j["created_at"] = created_at_.empty() ? json(nullptr) : json(created_at_);
  j["last_updated"] = last_updated_.empty() ? json(nullptr) : json(last_updated_);
  j["last_successful_date"] = successful_.empty() ? json(nullptr) : json(successful_.rbegin()->iso());
  j["successful_dates"] = dates_json(successful_);
  j["failed_dates"] = dates_json(failed_);
  j["skipped_dates"] = dates_json(skipped_);
  j["stats"] = json{{"total_days", range_.days()},
                    {"processed", successful_.size() + failed_.size() + skipped_.size()},
                    {"successful", successful_.size()},
                    {"failed", failed_.size()},
                    {"skipped", skipped_.size()}};
  json errors = json::object();
  for (auto& [d, m] : errors_) errors[d.iso()] = m;
  j["errors"] = errors;
  return j.dump(2);
}

void Checkpoint::save_locked(bool durable) {
  std::string now = local_iso_now();
  if (created_at_.empty()) created_at_ = now;
  last_updated_ = now;
  const std::string text = json_locked();
  const std::string stem = stem_of(path_);
  FileLock file_lock(stem + ".lock");
  const std::string tmp = stem + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw StorageError("cannot write checkpoint " + tmp);
  bool good = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  good = std::fflush(f) == 0 && good;
  if (durable) good = ::fsync(::fileno(f)) == 0 && good;
  good = std::fclose(f) == 0 && good;
  if (!good) {
    std::remove(tmp.c_str());
    throw StorageError("cannot write checkpoint " + tmp);
  }
  std::error_code ec;
  fs::rename(tmp, path_, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw StorageError("cannot rename " + tmp + " to " + path_ + ": " + ec.message());
  }
  dirty_ = false;
  last_save_ = std::chrono::steady_clock::now();
}

void Checkpoint::save() {
  std::lock_guard lock(mu_);
  save_locked();
}

void Checkpoint::set_autosave_interval_ms(int ms) {
  std::lock_guard lock(mu_);
  autosave_ms_ = std::max(0, ms);
}

void Checkpoint::flush() {
  std::lock_guard lock(mu_);
  if (dirty_) save_locked();
}

void Checkpoint::marked_locked() {
  const auto now = std::chrono::steady_clock::now();
  if (autosave_ms_ > 0 && now - last_save_ < std::chrono::milliseconds(autosave_ms_)) {
    dirty_ = true;
    return;
  }
  // Progress saves during a run are atomic (temp file + rename) but not synced
  // to disk: a killed process leaves the last one whole, and the run ledger —
  // committed with each unit — is what resume trusts. save() and flush() sync.
  save_locked(/*durable=*/false);
}

void Checkpoint::mark_complete(Date d) {
  std::lock_guard lock(mu_);
  successful_.insert(d);
  failed_.erase(d);
  errors_.erase(d);
  skipped_.erase(d);
  marked_locked();
}

void Checkpoint::mark_failed(Date d, const std::string& error) {
  std::lock_guard lock(mu_);
  failed_.insert(d);
  successful_.erase(d);
  errors_[d] = error;
  marked_locked();
}

void Checkpoint::mark_skipped(Date d) {
  std::lock_guard lock(mu_);
  skipped_.insert(d);
  marked_locked();
}

bool Checkpoint::is_committed(Date d) const {
  std::lock_guard lock(mu_);
  return successful_.count(d) > 0;
}

bool Checkpoint::is_failed(Date d) const {
  std::lock_guard lock(mu_);
  return failed_.count(d) > 0;
}

std::vector<Date> Checkpoint::successful_dates() const {
  std::lock_guard lock(mu_);
  return {successful_.begin(), successful_.end()};
}
std::vector<Date> Checkpoint::failed_dates() const {
  std::lock_guard lock(mu_);
  return {failed_.begin(), failed_.end()};
}
std::vector<Date> Checkpoint::skipped_dates() const {
  std::lock_guard lock(mu_);
  return {skipped_.begin(), skipped_.end()};
}
std::map<Date, std::string> Checkpoint::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}
std::optional<Date> Checkpoint::last_successful_date() const {
  std::lock_guard lock(mu_);
  if (successful_.empty()) return std::nullopt;
  return *successful_.rbegin();
}

std::optional<Date> Checkpoint::resume_date() const {
  std::lock_guard lock(mu_);
  if (!failed_.empty()) return *failed_.begin();
  std::optional<Date> last;
  if (!successful_.empty()) last = *successful_.rbegin();
  if (!skipped_.empty() && (!last || *skipped_.rbegin() > *last)) last = *skipped_.rbegin();
  if (!last) return range_.start;
  Date next = *last + 1;
  if (next > range_.end) return std::nullopt;
  return next;
}

std::string Checkpoint::status_text() const {
  std::optional<Date> resume = resume_date();
  std::lock_guard lock(mu_);
  std::ostringstream os;
  const std::string rule(60, '=');
  os << rule << "\n";
  os << "CHECKPOINT STATUS: " << job_ << "\n";
  os << rule << "\n";
  os << "Date range: " << range_.start.iso() << " to " << range_.end.iso() << "\n";
  os << "Total days: " << range_.days() << "\n";
  os << "Processed: " << (successful_.size() + failed_.size() + skipped_.size()) << "\n";
  os << "  Successful: " << successful_.size() << "\n";
  os << "  Failed: " << failed_.size() << "\n";
  os << "  Skipped: " << skipped_.size() << "\n";
  os << "Last success: " << (successful_.empty() ? std::string("None") : successful_.rbegin()->iso()) << "\n";
  if (resume) {
    os << "Resume from: " << resume->iso() << " (" << (range_.end - *resume + 1) << " days remaining)\n";
  } else {
    os << "Status: COMPLETE\n";
  }
  if (!failed_.empty()) {
    os << "Failed dates to retry on resume (" << failed_.size() << "):";
    size_t i = 0;
    for (Date d : failed_) {
      if (i++ == 10) {
        os << " … and " << (failed_.size() - 10) << " more";
        break;
      }
      os << " " << d.iso();
    }
    os << "\n";
  }
  os << "File: " << path_ << "\n";
  os << rule << "\n";
  return os.str();
}

}  // namespace nbaprops::pipeline
