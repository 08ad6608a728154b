#include "nbaprops/io/object_store.hpp"

#include <sys/stat.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "io/gcs_store.hpp"
#include "nbaprops/core/error.hpp"

namespace nbaprops::io {

namespace fs = std::filesystem;

std::string maybe_gunzip(std::string bytes, const std::string& name) {
  if (bytes.size() < 2 || static_cast<unsigned char>(bytes[0]) != 0x1f ||
      static_cast<unsigned char>(bytes[1]) != 0x8b) {
    return bytes;
  }
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) throw DataError(name + ": cannot initialise gzip decoder");
  std::string out;
  std::string buf(1 << 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(bytes.data());
  zs.avail_in = static_cast<uInt>(bytes.size());
  int rc = Z_OK;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf.data(), buf.size() - zs.avail_out);
    if (rc == Z_STREAM_END) {
      // Concatenated gzip members: continue with the next one.
      if (zs.avail_in == 0) break;
      if (inflateReset(&zs) != Z_OK) break;
      continue;
    }
    if (rc != Z_OK) break;
    if (zs.avail_in == 0 && zs.avail_out != 0) {
      rc = Z_BUF_ERROR;  // input ended inside a member: truncated
      break;
    }
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    throw DataError(name + ": corrupt or truncated gzip data (zlib code " + std::to_string(rc) + ")");
  }
  return out;
}

std::string read_file(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw StorageError("cannot read " + path + ": no such file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StorageError("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw StorageError("cannot read " + path + ": I/O error");
  return maybe_gunzip(std::move(ss).str(), path);
}

LocalObjectStore::LocalObjectStore(std::string root) : root_(std::move(root)) {}

std::vector<ObjectInfo> LocalObjectStore::list(const std::string& prefix) {
  std::vector<ObjectInfo> out;
  std::error_code ec;
  const fs::path root(root_);
  if (!fs::is_directory(root, ec)) return out;
  // Walk only below the prefix's directory part (a lake holds years of dates).
  const size_t slash = prefix.rfind('/');
  const fs::path start = slash == std::string::npos ? root : root / prefix.substr(0, slash);
  if (!fs::is_directory(start, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string rel = fs::relative(it->path(), root, ec).generic_string();
    if (rel.rfind(prefix, 0) != 0) continue;
    ObjectInfo info;
    info.path = rel;
    info.size = static_cast<int64_t>(it->file_size(ec));
    struct stat st{};
    const std::time_t t = ::stat(it->path().c_str(), &st) == 0 ? st.st_mtime : 0;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    info.updated = buf;
    out.push_back(std::move(info));
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.path < b.path; });
  return out;
}

std::string LocalObjectStore::read(const std::string& path) {
  const fs::path p = fs::path(root_) / path;
  std::ifstream in(p, std::ios::binary);
  if (!in) throw StorageError("cannot read " + p.string() + ": no such file");
  std::ostringstream ss;
  ss << in.rdbuf();
  return std::move(ss).str();
}

void LocalObjectStore::write(const std::string& path, std::string_view bytes, const std::string&, const std::string&) {
  const fs::path p = fs::path(root_) / path;
  std::error_code ec;
  fs::create_directories(p.parent_path(), ec);
  if (ec) throw StorageError("cannot create " + p.parent_path().string() + ": " + ec.message());
  const fs::path tmp = p.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) throw StorageError("cannot write " + tmp.string());
  }
  fs::rename(tmp, p, ec);
  if (ec) throw StorageError("cannot rename " + tmp.string() + " to " + p.string() + ": " + ec.message());
}

std::unique_ptr<ObjectStore> open_object_store(const std::string& uri) {
  if (uri.rfind("gs://", 0) == 0) return open_gcs_store(uri);
  if (uri.find("://") != std::string::npos) throw ConfigError("unsupported object store URI '" + uri + "'");
  return std::make_unique<LocalObjectStore>(uri);
}

}  // namespace nbaprops::io
