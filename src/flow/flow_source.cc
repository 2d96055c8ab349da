#include "flow/flow_source.h"

#include "flow/flow_enricher.h"
#include "flow/flow_file.h"
#include "ingest/manifest_loader.h"

namespace microseg {

Result<FlowInputs> LoadFlowInputs(const std::vector<std::string>& manifests,
                                  const std::vector<std::string>& flow_files,
                                  const AggregatorOptions& options) {
  FlowInputs in;
  if (!manifests.empty()) {
    auto loaded = LoadManifests(manifests);
    if (!loaded.ok()) return loaded.status();
    in.objects = std::move(loaded->objects);
    in.warnings = std::move(loaded->warnings);
    in.engine = std::make_unique<PolicyEngine>();
    in.engine->Load(in.objects);  // a copy: `objects` stays for the caller
  }
  in.directory = std::make_unique<EndpointDirectory>(in.objects);
  FlowEnricher enricher(in.engine.get(), in.directory.get());
  FlowAggregator aggregator(options);
  for (const std::string& file : flow_files) {
    Status s = ForEachFlowInFile(file, [&](FlowRecord&& record) {
      aggregator.Add(enricher.Enrich(std::move(record)));
      return Status::Ok();
    });
    if (!s.ok()) return s;
  }
  in.flows = aggregator.Snapshot();
  in.totals = aggregator.totals();
  in.folded = aggregator.folded();
  return in;
}

}  // namespace microseg
