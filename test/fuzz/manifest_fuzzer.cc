// Feeds arbitrary bytes to the manifest parser: it must return a Status,
// never crash, hang or leak, whatever the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ingest/manifest_loader.h"
#include "ingest/manifest_text.h"
#include "ingest/object_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The source name picks the reader: YAML (JSON-looking text is sniffed)
  // and the streaming JSON reader of .json files.
  (void)microseg::ParseManifests(text, "fuzz.yaml");
  (void)microseg::ParseManifests(text, "fuzz.json");
  // validate's mode: every error collected, unsupported kinds as errors.
  microseg::ObjectSet objects;
  std::vector<std::string> warnings, errors;
  microseg::ObjectSink sink(&objects, &warnings);
  (void)microseg::DecodeManifestText(text, "fuzz.yaml", &sink,
                                     {&errors, /*unsupported_kind_is_error=*/true});
  return 0;
}
