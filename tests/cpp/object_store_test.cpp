#include <gtest/gtest.h>
#include <zlib.h>

#include "nbaprops/core/error.hpp"
#include "nbaprops/io/object_store.hpp"
#include "test_util.hpp"

using namespace nbaprops;
using nbaprops::testing::TempDir;

namespace {
std::string gzip(const std::string& text) {
  uLongf n = compressBound(static_cast<uLong>(text.size())) + 32;
  std::string out(n, '\0');
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  zs.avail_in = static_cast<uInt>(text.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}
}  // namespace

TEST(ObjectStore, LocalWriteListReadAndGzip) {
  TempDir dir;
  io::LocalObjectStore store(dir.path().string());
  store.write("v1/results/2024-01-15.json", "{}", "application/json", "public, max-age=300");
  store.write("v1/results/latest.json", gzip("{\"a\":1}"), "application/json", "");
  store.write("other/x.json", "[]", "application/json", "");
  auto objs = store.list("v1/results/");
  ASSERT_EQ(objs.size(), 2u);
  EXPECT_EQ(objs[0].path, "v1/results/2024-01-15.json");
  EXPECT_EQ(objs[0].size, 2);
  EXPECT_EQ(objs[0].updated.size(), 20u);
  EXPECT_EQ(io::maybe_gunzip(store.read(objs[1].path), objs[1].path), "{\"a\":1}");
  EXPECT_EQ(io::read_file((dir.path() / "v1/results/latest.json").string()), "{\"a\":1}");
  EXPECT_THROW((void)store.read("missing.json"), StorageError);
}

TEST(ObjectStore, TruncatedGzipIsADataErrorNamingTheFile) {
  std::string gz = gzip(std::string(5000, 'x'));
  gz.resize(gz.size() / 2);
  try {
    (void)io::maybe_gunzip(gz, "lake/file.json.gz");
    FAIL() << "expected DataError";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("lake/file.json.gz"), std::string::npos);
  }
}
