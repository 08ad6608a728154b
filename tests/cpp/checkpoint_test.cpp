// Checkpoints: legacy JSON keys, atomic write, corrupt files set aside, fixed
// resume semantics.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nbaprops/pipeline/checkpoint.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using namespace nbaprops::pipeline;
using nbaprops::testing::TempDir;
namespace fs = std::filesystem;

namespace {
Date D(const char* s) { return Date::parse(s); }
const DateRange kRange{Date::parse("2023-11-01"), Date::parse("2023-11-30")};
}  // namespace

TEST(CheckpointTest, JsonRoundTripWithLegacyKeys) {
  TempDir dir;
  const std::string ckdir = (dir.path() / "ck").string();  // created on demand
  {
    Checkpoint c(ckdir, "player_shot_zone_analysis", kRange);
    EXPECT_FALSE(c.loaded());
    EXPECT_EQ(c.path(), ckdir + "/player_shot_zone_analysis_2023-11-01_2023-11-30.json");
    c.mark_complete(D("2023-11-10"));
    c.mark_failed(D("2023-11-11"), "DataError: boom");
    c.mark_skipped(D("2023-11-02"));
    c.mark_complete(D("2023-11-13"));
  }
  std::ifstream in(ckdir + "/player_shot_zone_analysis_2023-11-01_2023-11-30.json");
  nlohmann::json j = nlohmann::json::parse(in);
  std::set<std::string> keys;
  for (auto& [k, v] : j.items()) keys.insert(k);
  std::set<std::string> want{
      "job_name",         "start_date",   "end_date",      "created_at", "last_updated", "last_successful_date",
      "successful_dates", "failed_dates", "skipped_dates", "stats",      "errors"};
  EXPECT_EQ(keys, want);
  EXPECT_EQ(j["job_name"], "player_shot_zone_analysis");
  EXPECT_EQ(j["start_date"], "2023-11-01");
  EXPECT_EQ(j["end_date"], "2023-11-30");
  EXPECT_EQ(j["last_successful_date"], "2023-11-13");
  EXPECT_EQ(j["successful_dates"], nlohmann::json({"2023-11-10", "2023-11-13"}));
  EXPECT_EQ(j["failed_dates"], nlohmann::json({"2023-11-11"}));
  EXPECT_EQ(j["skipped_dates"], nlohmann::json({"2023-11-02"}));
  EXPECT_EQ(j["errors"]["2023-11-11"], "DataError: boom");
  EXPECT_EQ(j["stats"]["total_days"], 30);
  EXPECT_EQ(j["stats"]["processed"], 4);
  EXPECT_EQ(j["stats"]["successful"], 2);
  EXPECT_EQ(j["stats"]["failed"], 1);
  EXPECT_EQ(j["stats"]["skipped"], 1);
  std::set<std::string> stat_keys;
  for (auto& [k, v] : j["stats"].items()) stat_keys.insert(k);
  EXPECT_EQ(stat_keys, (std::set<std::string>{"total_days", "processed", "successful", "failed", "skipped"}));
  // created_at is a local naive ISO timestamp (no zone), like the legacy
  // datetime.now().isoformat().
  std::string created = j["created_at"];
  EXPECT_EQ(created.size(), 26u) << created;
  EXPECT_EQ(created[10], 'T');

  Checkpoint again(ckdir, "player_shot_zone_analysis", kRange);
  EXPECT_TRUE(again.loaded());
  EXPECT_FALSE(again.corrupt());
  EXPECT_EQ(again.successful_dates(), (std::vector<Date>{D("2023-11-10"), D("2023-11-13")}));
  EXPECT_EQ(again.failed_dates(), (std::vector<Date>{D("2023-11-11")}));
  EXPECT_EQ(again.skipped_dates(), (std::vector<Date>{D("2023-11-02")}));
  EXPECT_EQ(again.errors().at(D("2023-11-11")), "DataError: boom");
  EXPECT_EQ(again.last_successful_date(), D("2023-11-13"));
}

TEST(CheckpointTest, AtomicWriteLeavesNoTmp) {
  TempDir dir;
  Checkpoint c(dir.path().string(), "job", kRange);
  for (int i = 1; i <= 5; ++i) c.mark_complete(kRange.start + i);
  EXPECT_TRUE(fs::exists(dir.path() / "job_2023-11-01_2023-11-30.json"));
  EXPECT_TRUE(fs::exists(dir.path() / "job_2023-11-01_2023-11-30.lock"));  // legacy sidecar
  EXPECT_FALSE(fs::exists(dir.path() / "job_2023-11-01_2023-11-30.tmp"));
  int files = 0;
  for (auto& e : fs::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << e.path();
  }
  EXPECT_EQ(files, 2);
}

TEST(CheckpointTest, CorruptFileIsSetAsideAndReported) {
  TempDir dir;
  const std::string path = Checkpoint::path_for(dir.path().string(), "job", kRange);
  {
    std::ofstream(path) << "{\"job_name\": \"job\", \"successful_dates\": [tru";
  }
  {
    Checkpoint c(dir.path().string(), "job", kRange);
    EXPECT_TRUE(c.corrupt());
    EXPECT_FALSE(c.loaded());
    EXPECT_EQ(c.corrupt_path(), path + ".corrupt-1");
    EXPECT_NE(c.warning().find("corrupt"), std::string::npos);
    EXPECT_TRUE(fs::exists(path + ".corrupt-1"));
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(c.successful_dates().empty());  // never trusted
    EXPECT_EQ(c.resume_date(), kRange.start);
  }
  // Structurally valid JSON but inconsistent: a date both successful and
  // failed.
  {
    std::ofstream(path) << R"({"job_name":"job","start_date":"2023-11-01","end_date":"2023-11-30",
      "successful_dates":["2023-11-05"],"failed_dates":["2023-11-05"],"skipped_dates":[]})";
  }
  Checkpoint c2(dir.path().string(), "job", kRange);
  EXPECT_TRUE(c2.corrupt());
  EXPECT_EQ(c2.corrupt_path(), path + ".corrupt-2");
  EXPECT_NE(c2.warning().find("both successful and failed"), std::string::npos) << c2.warning();
  // Missing key / wrong range also count as invalid.
  {
    std::ofstream(path) << R"({"job_name":"job","start_date":"2023-11-02","end_date":"2023-11-30",
      "successful_dates":[],"failed_dates":[]})";
  }
  Checkpoint c3(dir.path().string(), "job", kRange);
  EXPECT_TRUE(c3.corrupt());
  EXPECT_NE(Checkpoint::status_of(dir.path().string(), "job", kRange).find("No checkpoint found"), std::string::npos);
}

// Audit B finding 2: a file of bytes that are not UTF-8 (a corrupted block).
// The warning is our own words, valid UTF-8 (the byte in hex, a path's
// invalid byte as \xNN), and the status box (--status) leaves the file where
// it is.
TEST(CheckpointTest, ABinaryFileGivesAValidUtf8WarningAndStatusMovesNothing) {
  TempDir dir;
  const std::string ckdir = (dir.path() / "ck\xe9").string();  // a Latin-1 directory name
  fs::create_directories(ckdir);
  const std::string path = Checkpoint::path_for(ckdir, "job", kRange);
  {
    std::ofstream(path, std::ios::binary) << "\xcd\xff\xfe\x80 corrupted";
  }
  auto valid_utf8 = [](const std::string& s) {
    for (unsigned char c : s) {
      if (c >= 0x80) return false;  // every text here is ASCII once escaped
    }
    return true;
  };
  const std::string status = Checkpoint::status_of(ckdir, "job", kRange);
  EXPECT_TRUE(valid_utf8(status)) << status;
  EXPECT_NE(status.find("WARNING: checkpoint " + (dir.path() / "ck\\xe9").string()), std::string::npos) << status;
  EXPECT_NE(status.find("(not valid JSON at byte 1 (0xCD)); a run moves it aside and starts fresh"), std::string::npos)
      << status;
  EXPECT_TRUE(fs::exists(path));  // --status writes and moves nothing
  EXPECT_FALSE(fs::exists(path + ".corrupt-1"));
  Checkpoint c(ckdir, "job", kRange);
  EXPECT_TRUE(c.corrupt());
  EXPECT_TRUE(valid_utf8(c.warning())) << c.warning();
  EXPECT_EQ(c.warning().find("json.exception"), std::string::npos) << c.warning();
  EXPECT_NE(c.warning().find("not valid JSON at byte 1 (0xCD)"), std::string::npos) << c.warning();
  EXPECT_NE(c.warning().find("moved aside to "), std::string::npos) << c.warning();
  EXPECT_TRUE(fs::exists(path + ".corrupt-1"));
}

TEST(CheckpointTest, ResumeRetriesFailuresAndSkipsCommitted) {
  TempDir dir;
  Checkpoint c(dir.path().string(), "job", kRange);
  c.mark_complete(D("2023-11-10"));
  c.mark_failed(D("2023-11-11"), "boom");
  c.mark_complete(D("2023-11-13"));
  // Legacy resumed at max(success)+1 = 11-14 and never retried 11-11. Fixed:
  // the failed date first.
  EXPECT_EQ(c.resume_date(), D("2023-11-11"));
  EXPECT_TRUE(c.is_committed(D("2023-11-10")));
  EXPECT_FALSE(c.is_committed(D("2023-11-11")));
  EXPECT_TRUE(c.is_failed(D("2023-11-11")));
  std::string status = c.status_text();
  EXPECT_NE(status.find("CHECKPOINT STATUS: job"), std::string::npos) << status;
  EXPECT_NE(status.find("Resume from: 2023-11-11 (20 days remaining)"), std::string::npos) << status;
  EXPECT_NE(status.find("Failed dates to retry on resume (1): 2023-11-11"), std::string::npos) << status;
  // mark_complete removes the date from failed_dates (and its error).
  c.mark_complete(D("2023-11-11"));
  EXPECT_FALSE(c.is_failed(D("2023-11-11")));
  EXPECT_TRUE(c.errors().empty());
  EXPECT_EQ(c.resume_date(), D("2023-11-14"));
  c.mark_complete(D("2023-11-30"));
  EXPECT_EQ(c.resume_date(), std::nullopt);
  EXPECT_NE(c.status_text().find("Status: COMPLETE"), std::string::npos);
  // A complete checkpoint is not restarted from scratch: every committed date
  // stays committed.
  Checkpoint reopened(dir.path().string(), "job", kRange);
  EXPECT_TRUE(reopened.is_committed(D("2023-11-13")));
  EXPECT_EQ(reopened.resume_date(), std::nullopt);
  // --no-resume deletes the JSON file only.
  EXPECT_TRUE(Checkpoint::reset(dir.path().string(), "job", kRange));
  EXPECT_FALSE(Checkpoint::reset(dir.path().string(), "job", kRange));
  EXPECT_NE(Checkpoint::status_of(dir.path().string(), "job", kRange).find("Would be: "), std::string::npos);
}

TEST(CheckpointTest, ConcurrentMarksAreAllRecorded) {
  TempDir dir;
  Checkpoint c(dir.path().string(), "job", kRange);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t; i < 28; i += 4) c.mark_complete(kRange.start + i);
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(c.successful_dates().size(), 28u);
  Checkpoint again(dir.path().string(), "job", kRange);
  EXPECT_EQ(again.successful_dates().size(), 28u);
}

TEST(CheckpointWarehouse, AFileOfAnotherWarehouseIsSetAsideNotTrusted) {
  nbaprops::testing::TempDir dir;
  const nbaprops::DateRange range{nbaprops::Date::parse("2023-11-01"), nbaprops::Date::parse("2023-11-30")};
  {
    nbaprops::pipeline::Checkpoint a(dir.path().string(), "togs", range, "/data/wh-a");
    a.mark_complete(nbaprops::Date::parse("2023-11-01"));
  }
  nbaprops::pipeline::Checkpoint same(dir.path().string(), "togs", range, "/data/wh-a");
  EXPECT_TRUE(same.is_committed(nbaprops::Date::parse("2023-11-01")));
  nbaprops::pipeline::Checkpoint other(dir.path().string(), "togs", range, "/data/wh-b");
  EXPECT_FALSE(other.is_committed(nbaprops::Date::parse("2023-11-01")));
  EXPECT_FALSE(other.corrupt());
  EXPECT_NE(other.warning().find("belongs to warehouse /data/wh-a"), std::string::npos) << other.warning();
  EXPECT_TRUE(std::filesystem::exists(other.path() + ".foreign-1"));  // nothing lost
  other.mark_complete(nbaprops::Date::parse("2023-11-02"));
  EXPECT_NE(other.to_json().find("\"warehouse\": \"/data/wh-b\""), std::string::npos);
}
