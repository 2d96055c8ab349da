// Test helpers for src/flow: a small estate, records and a loaded engine.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "flow/endpoint_directory.h"
#include "flow/flow_enricher.h"
#include "flow/flow_record.h"
#include "ingest/manifest_loader.h"
#include "policy/policy_engine.h"

namespace microseg::flow_test {

// shop: web-1, web-2 (app=web), db-1 (app=db, named port postgres),
// job-1 (no app label); a VM `billing` (app=billing, host billing);
// an unmanaged workload `saas`; NetworkPolicy shop/db allows web -> db:5432.
inline constexpr char kEstate[] = R"(
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: ops}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: web-1, labels: {app: web}}
spec: {nodeName: n1}
status: {phase: Running, podIP: 10.0.1.1}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: web-2, labels: {app: web}}
spec: {nodeName: n2}
status: {phase: Running, podIP: 10.0.1.2}
---
apiVersion: v1
kind: Pod
metadata: {namespace: shop, name: db-1, labels: {app: db}}
spec:
  nodeName: n2
  containers:
  - name: db
    ports: [{name: postgres, containerPort: 5432}]
status: {phase: Running, podIP: 10.0.2.1}
---
apiVersion: v1
kind: Pod
metadata: {namespace: ops, name: job-1, labels: {team: ops}}
spec: {nodeName: n1}
status: {phase: Running, podIP: 10.0.9.1}
---
apiVersion: microseg.io/v1alpha1
kind: Workload
metadata: {name: billing, labels: {app: billing}}
spec: {host: billing, ips: [192.168.10.10]}
---
apiVersion: microseg.io/v1alpha1
kind: Workload
metadata: {name: saas, labels: {app: saas}}
spec: {unmanaged: true, ips: [192.168.30.10]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {namespace: shop, name: db}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: web}}}]
    ports: [{port: 5432}]
)";

inline ObjectSet Objects(const std::string& yaml = kEstate) {
  auto loaded = ParseManifests(yaml, "estate.yaml");
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return loaded.ok() ? loaded->objects : ObjectSet();
}

inline FlowRecord Record(const char* src, const char* dst, uint16_t port,
                         FlowVerdict verdict = FlowVerdict::kAllow, uint64_t packets = 1,
                         uint64_t bytes = 100, int64_t first = 1000,
                         Protocol protocol = Protocol::kTCP) {
  FlowRecord r;
  r.src = *IpAddress::Parse(src);
  r.dst = *IpAddress::Parse(dst);
  r.port = port;
  r.protocol = protocol;
  r.verdict = verdict;
  r.packets = packets;
  r.bytes = bytes;
  r.first = first;
  r.last = first + 1;
  return r;
}

// An engine + directory + enricher over one ObjectSet.
struct Estate {
  explicit Estate(const std::string& yaml = kEstate)
      : objects(Objects(yaml)), directory(objects), enricher(&engine, &directory) {
    engine.Load(objects);
  }
  ObjectSet objects;
  PolicyEngine engine;
  EndpointDirectory directory;
  FlowEnricher enricher;
};

}  // namespace microseg::flow_test
