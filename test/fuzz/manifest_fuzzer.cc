// Feeds arbitrary bytes to the manifest parser: it must return a Status,
// never crash, hang or leak, whatever the input.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ingest/manifest_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The source name picks the reader: YAML (JSON-looking text is sniffed)
  // and the streaming JSON reader of .json files.
  (void)microseg::ParseManifests(text, "fuzz.yaml");
  (void)microseg::ParseManifests(text, "fuzz.json");
  return 0;
}
