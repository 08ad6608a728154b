#pragma once
// Google Cloud Storage as an io::ObjectStore (JSON API over libcurl). The
// endpoint is https://storage.googleapis.com, or $STORAGE_EMULATOR_HOST
// (emulators; anonymous unless a credential is configured). Uploads are single
// multipart requests (metadata + media), which GCS applies atomically.

#include <memory>
#include <string>

#include "nbaprops/io/object_store.hpp"

namespace nbaprops::io {

/// Opens `gs://bucket[/prefix]`. @throws ConfigError on a malformed URI.
std::unique_ptr<ObjectStore> open_gcs_store(const std::string& uri);

}  // namespace nbaprops::io
