// Feeds arbitrary bytes to the controller's request body parsing (raw
// manifests and the JSON envelope, for apply and delete): it must return a
// Status or keyed objects, never crash, hang, leak or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "controller/api/apply_request.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  for (const char* content_type : {"application/yaml", microseg::kManifestsContentType}) {
    auto sources = microseg::ReadManifestSources(body, content_type, "fuzz");
    if (!sources.ok()) continue;
    (void)microseg::ParseApplyRequest(*sources);
    (void)microseg::ParseDeleteRequest(*sources);
  }
  return 0;
}
