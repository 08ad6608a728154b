#include <random>
#include <thread>

#include "nbaprops/core/error.hpp"
#include "nbaprops/core/logging.hpp"
#include "warehouse/bigquery_internal.hpp"

namespace nbaprops::bq {

namespace {

constexpr const char* kGoogleApi = "https://bigquery.googleapis.com";

io::RetryPolicy policy_of(const BigQueryOptions& o) {
  io::RetryPolicy p;
  p.max_attempts = o.max_attempts;
  p.initial_backoff = o.initial_backoff;
  p.timeout = o.timeout;
  return p;
}

/// The first error of a query/job response: status.errorResult (jobs) or
/// errors[] (emulator's 200 answers to jobs.query), else "".
std::string job_error(const nlohmann::json& j, std::string* reason = nullptr) {
  const nlohmann::json* e = nullptr;
  if (j.contains("status") && j["status"].contains("errorResult"))
    e = &j["status"]["errorResult"];
  else if (j.contains("errors") && j["errors"].is_array() && !j["errors"].empty())
    e = &j["errors"][0];
  if (!e || !e->is_object()) return "";
  if (reason) *reason = e->value("reason", std::string());
  return e->value("message", std::string("unknown error"));
}

std::string job_id_of(const nlohmann::json& j) {
  if (j.contains("jobReference") && j["jobReference"].contains("jobId")) {
    return j["jobReference"]["jobId"].get<std::string>();
  }
  return "";
}

}  // namespace

std::string unique_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) out += kHex[rng() & 15];
  return out;
}

Client::Client(const BigQueryOptions& options)
    : options_(options), http_(policy_of(options)), auth_http_(policy_of(options)) {
  io::AuthOptions a;
  a.mode = options.auth;
  a.endpoint_override = !options.endpoint.empty();
  auth_ = io::make_token_source(auth_http_, a);
}

std::string Client::api_root() const { return options_.endpoint.empty() ? kGoogleApi : options_.endpoint; }

io::HttpRequest Client::request(const std::string& method, const std::string& url) {
  io::HttpRequest req;
  req.method = method;
  req.url = url;
  if (std::string h = auth_->authorization_header(); !h.empty()) req.headers.push_back(std::move(h));
  return req;
}

std::pair<long, nlohmann::json> Client::call(const std::string& method, const std::string& path,
                                             const nlohmann::json* body, const std::string& what,
                                             std::initializer_list<long> ok) {
  io::HttpRequest req =
      request(method, api_root() + "/bigquery/v2/projects/" + io::url_encode(options_.project) + path);
  if (body) {
    req.headers.push_back("Content-Type: application/json");
    req.body = body->dump();
  }
  auto [status, j] = http_.send_json(req, what);
  if (status / 100 == 2) return {status, std::move(j)};
  for (long s : ok) {
    if (status == s) return {status, std::move(j)};
  }
  throw NetworkError(what + ": BigQuery answered HTTP " + std::to_string(status) + ": " +
                         io::api_error_message(j.is_null() ? std::string() : j.dump()),
                     false);
}

nlohmann::json Client::wait_job(nlohmann::json job, const std::string& what) {
  auto delay = std::chrono::milliseconds(100);
  while (!(job.contains("status") && job["status"].value("state", std::string()) == "DONE")) {
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(2000));
    const std::string id = job_id_of(job);
    job = call("GET", "/jobs/" + io::url_encode(id) + "?location=" + io::url_encode(options_.location), nullptr,
               what + " (job " + id + ")")
              .second;
  }
  if (std::string err = job_error(job); !err.empty()) {
    throw NetworkError(what + ": BigQuery job " + job_id_of(job) + " failed: " + err, false);
  }
  return job;
}

bool Client::query(const std::string& sql, const std::string& what,
                   const std::function<void(const nlohmann::json& rows)>& on_page, bool allow_missing) {
  nlohmann::json body = {{"query", sql},
                         {"useLegacySql", false},
                         {"location", options_.location},
                         {"maxResults", options_.page_rows},
                         {"timeoutMs", 60000},
                         {"requestId", unique_suffix()},
                         {"formatOptions", {{"useInt64Timestamp", true}}}};
  auto [status, j] = call("POST", "/queries", &body, what, {400, 404});
  const std::string page_query = "?location=" + io::url_encode(options_.location) +
                                 "&maxResults=" + std::to_string(options_.page_rows) +
                                 "&timeoutMs=60000&formatOptions.useInt64Timestamp=true";
  std::string id = job_id_of(j);
  auto fail_if_error = [&](const nlohmann::json& r, long st) -> bool {
    std::string reason;
    std::string err = job_error(r, &reason);
    if (err.empty() && st / 100 != 2) err = io::api_error_message(r.dump());
    if (err.empty()) return false;
    if (allow_missing && (reason == "notFound" || st == 404) &&
        (err.find("Not found: Table") != std::string::npos || err.find("Not found: Dataset") != std::string::npos)) {
      return true;
    }
    throw NetworkError(what + ": BigQuery query" + (id.empty() ? "" : " job " + id) + " failed: " + err, false);
  };
  if (fail_if_error(j, status)) return false;
  // Long jobs: poll getQueryResults until complete.
  while (!j.value("jobComplete", false)) {
    j = call("GET", "/queries/" + io::url_encode(id) + page_query, nullptr, what + " (job " + id + ")").second;
    if (fail_if_error(j, 200)) return false;
  }
  while (true) {
    if (j.contains("rows") && j["rows"].is_array()) on_page(j["rows"]);
    const std::string token = j.value("pageToken", std::string());
    if (token.empty()) break;
    j = call("GET", "/queries/" + io::url_encode(id) + page_query + "&pageToken=" + io::url_encode(token), nullptr,
             what + " (job " + id + ", next page)")
            .second;
    if (fail_if_error(j, 200)) return false;
  }
  return true;
}

void Client::load(const nlohmann::json& load_config, std::string_view ndjson, const std::string& job_id,
                  const std::string& what) {
  const nlohmann::json meta = {
      {"jobReference", {{"projectId", options_.project}, {"jobId", job_id}, {"location", options_.location}}},
      {"configuration", {{"load", load_config}}}};
  auto [type, body] = io::multipart_related(meta.dump(), ndjson, "application/octet-stream");
  io::HttpRequest req = request("POST", api_root() + "/upload/bigquery/v2/projects/" +
                                            io::url_encode(options_.project) + "/jobs?uploadType=multipart");
  req.headers.push_back("Content-Type: " + type);
  req.body = std::move(body);
  auto [status, j] = http_.send_json(req, what);
  if (status == 409) {
    // An earlier attempt created the job (its answer was lost): wait for that
    // one.
    j = call("GET", "/jobs/" + io::url_encode(job_id) + "?location=" + io::url_encode(options_.location), nullptr,
             what + " (job " + job_id + ")")
            .second;
  } else if (status / 100 != 2) {
    throw NetworkError(what + ": BigQuery load job " + job_id + " answered HTTP " + std::to_string(status) + ": " +
                           io::api_error_message(j.is_null() ? std::string() : j.dump()),
                       false);
  }
  if (!j.contains("jobReference")) j["jobReference"] = {{"jobId", job_id}};
  wait_job(std::move(j), what);
}

}  // namespace nbaprops::bq
