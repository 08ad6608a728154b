#include "io/gcs_store.hpp"

#include <algorithm>
#include <cstdlib>

#include "io/gcp_auth.hpp"
#include "io/http.hpp"
#include "nbaprops/core/error.hpp"

namespace nbaprops::io {

namespace {

class GcsObjectStore final : public ObjectStore {
 public:
  GcsObjectStore(std::string uri, std::string bucket, std::string prefix, std::string endpoint, bool overridden)
      : uri_(std::move(uri)),
        bucket_(std::move(bucket)),
        prefix_(std::move(prefix)),
        endpoint_(std::move(endpoint)),
        http_(retry_policy_from_env()) {
    AuthOptions o;
    o.endpoint_override = overridden;
    if (const char* m = std::getenv("NBAPROPS_GCS_AUTH")) o.mode = m;
    auth_ = make_token_source(http_, o);
  }

  std::string uri() const override { return uri_; }

  std::vector<ObjectInfo> list(const std::string& prefix) override {
    std::vector<ObjectInfo> out;
    const std::string full = prefix_ + prefix;
    std::string page;
    do {
      HttpRequest req =
          request("GET", endpoint_ + "/storage/v1/b/" + url_encode(bucket_) + "/o?prefix=" + url_encode(full) +
                             (page.empty() ? "" : "&pageToken=" + url_encode(page)));
      auto [status, j] = http_.send_json(req, "GCS list " + where(prefix));
      check(status, j, "list", prefix);
      page = j.is_object() ? j.value("nextPageToken", std::string()) : std::string();
      if (!j.is_object() || !j.contains("items")) continue;
      for (const auto& item : j["items"]) {
        const std::string name = item.value("name", std::string());
        if (name.rfind(prefix_, 0) != 0) continue;
        ObjectInfo info;
        info.path = name.substr(prefix_.size());
        const auto& size = item.contains("size") ? item["size"] : nlohmann::json();
        info.size = size.is_string() ? std::stoll(size.get<std::string>()) : size.is_number() ? size.get<int64_t>() : 0;
        info.updated = item.value("updated", std::string());
        out.push_back(std::move(info));
      }
    } while (!page.empty());
    std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.path < b.path; });
    return out;
  }

  std::string read(const std::string& path) override {
    HttpRequest req = request("GET", object_url(path) + "?alt=media");
    HttpResponse r = http_.send(req, "GCS read " + where(path));
    if (r.status == 404) throw StorageError("cannot read " + where(path) + ": no such object");
    if (r.status / 100 != 2) {
      throw NetworkError(
          "GCS read " + where(path) + " failed (HTTP " + std::to_string(r.status) + "): " + api_error_message(r.body),
          false);
    }
    return std::move(r.body);
  }

  void write(const std::string& path, std::string_view bytes, const std::string& content_type,
             const std::string& cache_control) override {
    nlohmann::json meta = {{"name", prefix_ + path}, {"contentType", content_type}};
    if (!cache_control.empty()) meta["cacheControl"] = cache_control;
    auto [type, body] = multipart_related(meta.dump(), bytes, content_type);
    HttpRequest req =
        request("POST", endpoint_ + "/upload/storage/v1/b/" + url_encode(bucket_) + "/o?uploadType=multipart");
    req.headers.push_back("Content-Type: " + type);
    req.body = std::move(body);
    auto [status, j] = http_.send_json(req, "GCS write " + where(path));
    check(status, j, "write", path);
  }

 private:
  std::string where(const std::string& path) const { return "gs://" + bucket_ + "/" + prefix_ + path; }
  std::string object_url(const std::string& path) const {
    return endpoint_ + "/storage/v1/b/" + url_encode(bucket_) + "/o/" + url_encode(prefix_ + path);
  }
  HttpRequest request(const std::string& method, std::string url) {
    HttpRequest req;
    req.method = method;
    req.url = std::move(url);
    if (std::string h = auth_->authorization_header(); !h.empty()) req.headers.push_back(std::move(h));
    return req;
  }
  void check(long status, const nlohmann::json& j, const char* op, const std::string& path) const {
    if (status / 100 == 2) return;
    throw NetworkError(std::string("GCS ") + op + " " + where(path) + " failed (HTTP " + std::to_string(status) +
                           "): " + api_error_message(j.is_null() ? std::string() : j.dump()),
                       false);
  }

  std::string uri_, bucket_, prefix_, endpoint_;
  HttpClient http_;
  std::shared_ptr<TokenSource> auth_;
};

}  // namespace

std::unique_ptr<ObjectStore> open_gcs_store(const std::string& uri) {
  std::string rest = uri.substr(5);  // after gs://
  const size_t slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (bucket.empty()) throw ConfigError("object store URI '" + uri + "' names no bucket (gs://bucket/prefix)");
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  if (!prefix.empty()) prefix += '/';
  std::string endpoint = "https://storage.googleapis.com";
  bool overridden = false;
  if (const char* e = std::getenv("STORAGE_EMULATOR_HOST"); e && *e) {
    endpoint = e;
    if (endpoint.find("://") == std::string::npos) endpoint = "http://" + endpoint;
    while (endpoint.back() == '/') endpoint.pop_back();
    overridden = true;
  }
  return std::make_unique<GcsObjectStore>(uri, std::move(bucket), std::move(prefix), std::move(endpoint), overridden);
}

}  // namespace nbaprops::io
