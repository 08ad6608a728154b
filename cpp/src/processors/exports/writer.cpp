// Export types, object paths, atomic JSON files and the multi-date writer.
#include <fcntl.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <set>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "nbaprops/core/schema.hpp"
#include "nbaprops/core/workers.hpp"
#include "nbaprops/io/object_store.hpp"
#include "processors/exports/exports_internal.hpp"

namespace nbaprops::exports {
namespace fs = std::filesystem;

namespace {

std::string supported_list() {
  std::string out;
  for (ExportType t : all_types()) out += (out.empty() ? "" : ", ") + std::string(to_string(t));
  return out;
}

/// The legacy shorthand groups and their members (daily_export.py).
const std::vector<std::pair<std::string, std::vector<std::string>>>& groups() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kGroups = {
      {"trends-daily", {"trends-hot-cold", "trends-bounce-back", "tonight-trend-plays"}},
      {"trends-weekly", {"trends-what-matters", "trends-team", "trends-quick-hits"}},
      {"trends-all",
       {"trends-hot-cold", "trends-bounce-back", "trends-what-matters", "trends-team", "trends-quick-hits",
        "trends-deep-dive", "tonight-trend-plays"}}};
  return kGroups;
}

/// The UTC clock as the legacy's datetime.now(timezone.utc).isoformat():
/// "2024-01-16T08:00:00.123456+00:00" (no fraction when it is 0).
std::string generated_now() {
  std::string s = iso_timestamp_now(true);  // "…T08:00:00.123456Z"
  if (s.ends_with('Z')) s.replace(s.size() - 1, 1, "+00:00");
  if (const size_t dot = s.rfind(".000000+00:00"); dot != std::string::npos && dot + 13 == s.size()) s.erase(dot, 7);
  return s;
}

std::string json_body(const Json& payload) {
  return payload.dump(2, ' ', false, nlohmann::detail::error_handler_t::replace);
}

/// The legacy exporters' Cache-Control (publishing/*_exporter.py): latest/today
/// 5 minutes; dated results, best-bets and the deep dive a day; what-matters,
/// team tendencies and quick hits 12 hours; tonight and the tonight player
/// pages 5 minutes; live and live-grading (dated and latest) 30 seconds; the
/// rest (predictions, performance, streaks, hot/cold, bounce-back, tonight
/// plays, player profiles) an hour.
std::string cache_control(ExportType type, bool alias) {
  switch (type) {
    case ExportType::kLive:
    case ExportType::kLiveGrading:
      return "public, max-age=30";  // and latest
    case ExportType::kTonight:
    case ExportType::kTonightPlayers:
      return "public, max-age=300";
    case ExportType::kTrendsWhatMatters:
    case ExportType::kTrendsTeam:
    case ExportType::kTrendsQuickHits:
      return "public, max-age=43200";
    case ExportType::kTrendsDeepDive:
      return "public, max-age=86400";
    default:
      break;
  }
  if (alias) return "public, max-age=300";
  if (type == ExportType::kResults || type == ExportType::kBestBets) return "public, max-age=86400";
  return "public, max-age=3600";
}

bool is_multi_file(ExportType type) { return type == ExportType::kTonightPlayers || type == ExportType::kPlayers; }

Json build_one(Warehouse& wh, const detail::Inputs& in, ExportType type, Date date, const BuildOptions& o,
               const std::string& gen) {
  if (std::string err = detail::source_error(in, type); !err.empty()) throw StorageError(err);
  switch (type) {
    case ExportType::kStreaks:
      return detail::streaks_payload(wh, date, o.min_streak, gen);
    case ExportType::kTrendsHotCold:
      return detail::hot_cold_payload(wh, date, gen);
    case ExportType::kTrendsBounceBack:
      return detail::bounce_back_payload(wh, date, gen);
    case ExportType::kTrendsWhatMatters:
      return detail::what_matters_payload(wh, date, gen);
    case ExportType::kTrendsTeam:
      return detail::team_tendencies_payload(wh, date, gen);
    case ExportType::kTrendsQuickHits:
      return detail::quick_hits_payload(wh, date, gen);
    case ExportType::kTrendsDeepDive:
      return detail::deep_dive_payload(wh, date, gen);
    case ExportType::kTonightTrendPlays:
      return detail::trend_plays_payload(wh, date, gen);
    case ExportType::kLive:
      return detail::live_payload(wh, date, o, gen);
    case ExportType::kLiveGrading:
      return detail::live_grading_payload(wh, date, o, gen);
    case ExportType::kResults:
      return detail::results_payload(in, date, gen);
    case ExportType::kPerformance:
      return detail::performance_payload(in, date, gen);
    case ExportType::kBestBets:
      return detail::best_bets_payload(in, date, o, gen);
    case ExportType::kPredictions:
      return detail::predictions_payload(in, date, gen);
    case ExportType::kTonight:
      return detail::tonight_payload(in, date, gen);
    case ExportType::kTonightPlayers:
    case ExportType::kPlayers:
      break;
  }
  throw ConfigError(std::string("export type ") + to_string(type) + " writes several files");
}

/// Every file of @p type for @p date: the multi-file types' pages, else the one
/// payload at its path (plus the latest/today copies when @p newest).
std::vector<detail::ExportFile> build_files(Warehouse& wh, const detail::Inputs& in, ExportType type, Date date,
                                            const BuildOptions& o, const std::string& gen, bool newest) {
  if (type == ExportType::kTonightPlayers) return detail::tonight_player_files(wh, date, gen);
  if (type == ExportType::kPlayers) return detail::player_profile_files(wh, date, o.min_games, gen);
  std::vector<detail::ExportFile> files;
  files.push_back({object_path(type, date), build_one(wh, in, type, date, o, gen)});
  if (newest) {
    for (auto& a : alias_paths(type)) files.push_back({std::move(a), files.front().payload});
  }
  return files;
}

/// Distinct team codes named by "team" fields anywhere in @p j.
void collect_teams(const Json& j, std::set<std::string>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "team" && it.value().is_string()) out.insert(it.value().get<std::string>());
      collect_teams(it.value(), out);
    }
  } else if (j.is_array()) {
    for (const auto& x : j) collect_teams(x, out);
  }
}

int64_t count_of(ExportType type, const std::vector<detail::ExportFile>& files) {
  if (is_multi_file(type)) return static_cast<int64_t>(files.size());
  const Json& payload = files.front().payload;
  switch (type) {
    case ExportType::kResults:
      return static_cast<int64_t>(payload.at("results").size());
    case ExportType::kPerformance:
      return static_cast<int64_t>(payload.at("systems").size());
    case ExportType::kBestBets:
      return payload.at("total_picks").get<int64_t>();
    case ExportType::kPredictions:
      return payload.at("total_predictions").get<int64_t>();
    case ExportType::kTonight:
      return payload.at("total_players").get<int64_t>();
    case ExportType::kStreaks: {
      const Json& st = payload.at("streaks");
      return static_cast<int64_t>(st.at("over").size() + st.at("under").size() + st.at("prediction_hits").size());
    }
    case ExportType::kTrendsHotCold:
      return payload.at("total_qualifying_players").get<int64_t>();
    case ExportType::kTrendsBounceBack:
      return payload.at("total_candidates").get<int64_t>();
    case ExportType::kTrendsWhatMatters:
      return static_cast<int64_t>(payload.at("key_insights").size());
    case ExportType::kTrendsTeam: {
      std::set<std::string> teams;
      collect_teams(payload, teams);
      return static_cast<int64_t>(teams.size());
    }
    case ExportType::kTrendsQuickHits:
      return static_cast<int64_t>(payload.at("stats").size());
    case ExportType::kTrendsDeepDive:
      return 1;
    case ExportType::kTonightTrendPlays:
      return payload.at("total_trend_plays").get<int64_t>();
    case ExportType::kLive:
      return payload.at("total_games").get<int64_t>();
    case ExportType::kLiveGrading:
      return payload.at("summary").at("total_predictions").get<int64_t>();
    case ExportType::kTonightPlayers:
    case ExportType::kPlayers:
      break;
  }
  return 0;
}

Json build_single(Warehouse& wh, ExportType type, Date date, const BuildOptions& o) {
  const detail::Inputs in = detail::load(wh, date, date, date, {type});
  const std::string gen = o.generated_at.empty() ? generated_now() : o.generated_at;
  if (!is_multi_file(type)) return build_one(wh, in, type, date, o, gen);
  Json out = Json::object();
  for (auto& f : build_files(wh, in, type, date, o, gen, false)) out[f.path] = std::move(f.payload);
  return out;
}

}  // namespace

const char* to_string(ExportType type) noexcept {
  switch (type) {
    case ExportType::kResults:
      return "results";
    case ExportType::kPerformance:
      return "performance";
    case ExportType::kBestBets:
      return "best-bets";
    case ExportType::kPredictions:
      return "predictions";
    case ExportType::kTonight:
      return "tonight";
    case ExportType::kTonightPlayers:
      return "tonight-players";
    case ExportType::kStreaks:
      return "streaks";
    case ExportType::kTrendsHotCold:
      return "trends-hot-cold";
    case ExportType::kTrendsBounceBack:
      return "trends-bounce-back";
    case ExportType::kTrendsWhatMatters:
      return "trends-what-matters";
    case ExportType::kTrendsTeam:
      return "trends-team";
    case ExportType::kTrendsQuickHits:
      return "trends-quick-hits";
    case ExportType::kTrendsDeepDive:
      return "trends-deep-dive";
    case ExportType::kTonightTrendPlays:
      return "tonight-trend-plays";
    case ExportType::kLive:
      return "live";
    case ExportType::kLiveGrading:
      return "live-grading";
    case ExportType::kPlayers:
      return "players";
  }
  return "results";
}

const char* to_string(ExportStatus status) noexcept {
  switch (status) {
    case ExportStatus::kSuccess:
      return "success";
    case ExportStatus::kPartial:
      return "partial";
    case ExportStatus::kFailed:
      return "failed";
  }
  return "failed";
}

const std::vector<ExportType>& all_types() {
  static const std::vector<ExportType> kAll = [] {
    std::vector<ExportType> all;
    all.reserve(static_cast<size_t>(ExportType::kPlayers));
    for (int t = 0; t < static_cast<int>(ExportType::kPlayers); ++t) all.push_back(static_cast<ExportType>(t));
    return all;
  }();
  return kAll;
}

ExportType parse_type(std::string_view name) {
  for (ExportType t : all_types()) {
    if (name == to_string(t)) return t;
  }
  std::string valid = supported_list();
  for (const auto& [group, _] : groups()) valid += ", " + group;
  if (name == "players") {
    throw ConfigError(
        "export type 'players' is not an --only name: the player profiles are the --players run; "
        "valid types: " +
        valid);
  }
  throw ConfigError("unknown export type '" + std::string(name) + "'; valid types: " + valid);
}

ExportType type_named(std::string_view name) { return name == "players" ? ExportType::kPlayers : parse_type(name); }

std::vector<ExportType> parse_types(const std::vector<std::string>& names) {
  std::vector<bool> wanted(all_types().size(), false);
  bool any = false;
  for (const auto& n : names) {
    auto g = std::find_if(groups().begin(), groups().end(), [&](const auto& x) { return x.first == n; });
    if (g != groups().end()) {
      for (const auto& m : g->second) wanted[static_cast<size_t>(parse_type(m))] = true;
    } else {
      wanted[static_cast<size_t>(parse_type(n))] = true;
    }
    any = true;
  }
  if (!any) return all_types();
  std::vector<ExportType> out;
  for (ExportType t : all_types()) {
    if (wanted[static_cast<size_t>(t)]) out.push_back(t);
  }
  return out;
}

Json build_results(Warehouse& wh, Date date, const BuildOptions& o) {
  return build_single(wh, ExportType::kResults, date, o);
}
Json build_performance(Warehouse& wh, Date as_of, const BuildOptions& o) {
  return build_single(wh, ExportType::kPerformance, as_of, o);
}
Json build_best_bets(Warehouse& wh, Date date, const BuildOptions& o) {
  return build_single(wh, ExportType::kBestBets, date, o);
}
Json build_predictions(Warehouse& wh, Date date, const BuildOptions& o) {
  return build_single(wh, ExportType::kPredictions, date, o);
}
Json build_tonight(Warehouse& wh, Date date, const BuildOptions& o) {
  return build_single(wh, ExportType::kTonight, date, o);
}
Json build_streaks(Warehouse& wh, Date as_of, const BuildOptions& o) {
  return build_single(wh, ExportType::kStreaks, as_of, o);
}
Json build_hot_cold(Warehouse& wh, Date as_of, const BuildOptions& o) {
  return build_single(wh, ExportType::kTrendsHotCold, as_of, o);
}
Json build_bounce_back(Warehouse& wh, Date as_of, const BuildOptions& o) {
  return build_single(wh, ExportType::kTrendsBounceBack, as_of, o);
}
Json build_what_matters(Warehouse& wh, Date as_of, const BuildOptions& o) {
  return build_single(wh, ExportType::kTrendsWhatMatters, as_of, o);
}
Json build_team_tendencies(Warehouse& wh, Date as_of, const BuildOptions& o) {
  return build_single(wh, ExportType::kTrendsTeam, as_of, o);
}
Json build_quick_hits(Warehouse& wh, Date as_of, const BuildOptions& o) {
  return build_single(wh, ExportType::kTrendsQuickHits, as_of, o);
}
Json build_deep_dive(Warehouse& wh, Date as_of, const BuildOptions& o) {
  return build_single(wh, ExportType::kTrendsDeepDive, as_of, o);
}
Json build_tonight_trend_plays(Warehouse& wh, Date day, const BuildOptions& o) {
  return build_single(wh, ExportType::kTonightTrendPlays, day, o);
}
Json build_live(Warehouse& wh, Date date, const BuildOptions& o) {
  return build_single(wh, ExportType::kLive, date, o);
}
Json build_live_grading(Warehouse& wh, Date date, const BuildOptions& o) {
  return build_single(wh, ExportType::kLiveGrading, date, o);
}
Json build(Warehouse& wh, ExportType type, Date date, const BuildOptions& o) { return build_single(wh, type, date, o); }

std::string object_path(ExportType type, Date date) {
  switch (type) {
    case ExportType::kResults:
      return "v1/results/" + date.iso() + ".json";
    case ExportType::kPerformance:
      return "v1/systems/performance.json";
    case ExportType::kBestBets:
      return "v1/best-bets/" + date.iso() + ".json";
    case ExportType::kPredictions:
      return "v1/predictions/" + date.iso() + ".json";
    case ExportType::kTonight:
      return "v1/tonight/all-players.json";
    case ExportType::kTonightPlayers:
      return "v1/tonight/player/";
    case ExportType::kStreaks:
      return "v1/streaks/today.json";
    case ExportType::kTrendsHotCold:
      return "v1/trends/whos-hot-v2.json";
    case ExportType::kTrendsBounceBack:
      return "v1/trends/bounce-back.json";
    case ExportType::kTrendsWhatMatters:
      return "v1/trends/what-matters.json";
    case ExportType::kTrendsTeam:
      return "v1/trends/team-tendencies.json";
    case ExportType::kTrendsQuickHits:
      return "v1/trends/quick-hits.json";
    case ExportType::kTrendsDeepDive:
      return "v1/trends/deep-dive-current.json";
    case ExportType::kTonightTrendPlays:
      return "v1/trends/tonight-plays.json";
    case ExportType::kLive:
      return "v1/live/" + date.iso() + ".json";
    case ExportType::kLiveGrading:
      return "v1/live-grading/" + date.iso() + ".json";
    case ExportType::kPlayers:
      return "v1/players/";
  }
  return "";
}

bool is_undated(ExportType type) noexcept {
  switch (type) {
    case ExportType::kResults:
    case ExportType::kBestBets:
    case ExportType::kPredictions:
    case ExportType::kLive:
    case ExportType::kLiveGrading:
      return false;
    default:
      return true;
  }
}

std::vector<std::string> alias_paths(ExportType type) {
  switch (type) {
    case ExportType::kResults:
      return {"v1/results/latest.json"};
    case ExportType::kBestBets:
      return {"v1/best-bets/latest.json"};
    case ExportType::kPredictions:
      return {"v1/predictions/today.json"};
    case ExportType::kLive:
      return {"v1/live/latest.json"};
    case ExportType::kLiveGrading:
      return {"v1/live-grading/latest.json"};
    default:
      return {};
  }
}

void write_json_atomic(const fs::path& path, const Json& payload) {
  static std::atomic<uint64_t> counter{0};
  std::error_code ec;
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path(), ec);
    if (ec) throw StorageError("cannot create directory " + path.parent_path().string() + ": " + ec.message());
  }
  const std::string body = json_body(payload);
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw StorageError("cannot write " + tmp.string() + ": " + std::strerror(errno));
  size_t done = 0;
  int err = 0;
  while (done < body.size()) {
    const ssize_t n = ::write(fd, body.data() + done, body.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : EIO;
      break;
    }
    done += static_cast<size_t>(n);
  }
  if (!err && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && !err) err = errno;
  if (err) {
    fs::remove(tmp, ec);
    throw StorageError("cannot write " + path.string() + ": " + std::strerror(err));
  }
  fs::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignore;
    fs::remove(tmp, ignore);
    throw StorageError("cannot rename " + tmp.string() + " to " + path.string() + ": " + ec.message());
  }
}

std::vector<std::string> ExportRun::files() const {
  std::vector<std::string> out;
  for (const auto& d : dates) {
    for (const auto& t : d.types) out.insert(out.end(), t.paths.begin(), t.paths.end());
  }
  return out;
}

int ExportRun::exit_code() const {
  for (const auto& d : dates) {
    for (const auto& t : d.types) {
      if (!t.ok) return 1;
    }
  }
  return 0;
}

ExportRun write_exports(Warehouse& wh, const std::vector<Date>& dates_in, const ExportOptions& options) {
  if (options.workers < 1) throw ConfigError("export workers must be at least 1");
  const auto started = std::chrono::steady_clock::now();
  std::vector<Date> dates = dates_in;
  std::sort(dates.begin(), dates.end());
  dates.erase(std::unique(dates.begin(), dates.end()), dates.end());
  const std::vector<ExportType> types = options.types.empty() ? all_types() : options.types;

  ExportRun run;
  run.generated_at = options.build.generated_at.empty() ? generated_now() : options.build.generated_at;
  if (dates.empty()) return run;
  const Date newest = dates.back();
  const detail::Inputs in = detail::load(wh, dates.front(), newest, newest, types);

  // Dates with work: every date for dated types; the undated files
  // (performance, tonight) only for the newest date.
  for (Date d : dates) {
    DateOutcome o;
    o.date = d;
    for (ExportType t : types) {
      if (is_undated(t) && d != newest) continue;
      TypeOutcome to;
      to.type = t;
      o.types.push_back(std::move(to));
    }
    if (!o.types.empty()) run.dates.push_back(std::move(o));
  }

  // gs://bucket/prefix: objects through the object store, with the legacy
  // metadata.
  std::unique_ptr<io::ObjectStore> bucket;
  if (options.out_dir.string().rfind("gs://", 0) == 0) bucket = io::open_object_store(options.out_dir.string());

  WorkerArena arena(options.workers);
  arena.execute([&] {
    tbb::parallel_for(size_t{0}, run.dates.size(), [&](size_t i) {
      DateOutcome& o = run.dates[i];
      for (TypeOutcome& to : o.types) {
        try {
          const auto files = build_files(wh, in, to.type, o.date, options.build, run.generated_at, o.date == newest);
          to.count = count_of(to.type, files);
          // Range mode: only the last date refreshes latest/today (legacy).
          for (size_t k = 0; k < files.size(); ++k) {
            const auto& f = files[k];
            if (bucket) {
              bucket->write(f.path, json_body(f.payload), "application/json",
                            cache_control(to.type, !is_multi_file(to.type) && k > 0));
            } else {
              write_json_atomic(options.out_dir / f.path, f.payload);
            }
            to.paths.push_back(f.path);
          }
          to.ok = true;
        } catch (const std::exception& e) {
          to.ok = false;
          to.error = e.what();
          NBAPROPS_LOG_WARN << "export " << to_string(to.type) << " " << o.date.iso() << " failed: " << e.what();
        }
      }
      const auto ok = std::count_if(o.types.begin(), o.types.end(), [](const TypeOutcome& t) { return t.ok; });
      o.status = ok == static_cast<long>(o.types.size()) ? ExportStatus::kSuccess
                 : ok == 0                               ? ExportStatus::kFailed
                                                         : ExportStatus::kPartial;
    });
  });

  for (ExportType t : types) {
    size_t ran = 0, ok = 0;
    for (const auto& d : run.dates) {
      for (const auto& to : d.types) {
        if (to.type != t) continue;
        ++ran;
        ok += to.ok ? 1 : 0;
      }
    }
    run.type_status.emplace_back(t, ok == ran ? ExportStatus::kSuccess
                                    : ok == 0 ? ExportStatus::kFailed
                                              : ExportStatus::kPartial);
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return run;
}

std::vector<Date> calendar_days(Date start, Date end) {
  if (end < start) throw ConfigError("export range start " + start.iso() + " is after its end " + end.iso());
  std::vector<Date> out;
  out.reserve(static_cast<size_t>(end - start) + 1);
  for (Date d = start; d <= end; d = d + 1) out.push_back(d);
  return out;
}

std::vector<Date> graded_dates(Warehouse& wh) {
  std::vector<Date> out;
  for (const auto& [d, n] : wh.partition_counts(catalog::get("nba_predictions.prediction_accuracy"), std::nullopt)) {
    if (n > 0) out.push_back(d);
  }
  return out;
}

}  // namespace nbaprops::exports
