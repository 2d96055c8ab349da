// KubeSync: mirrors a Kubernetes cluster into an ObjectSink.
//
// One Reflector (kube/reflector.h) per resource, each on its own thread
// with its own connection to the API server, as client-go informers do.
// Sink calls from all threads are serialized, so the sink sees one call at
// a time. Objects of different kinds arrive in no particular order.
//
// Start() returns once the threads run; Stop() (or the destructor) aborts
// requests in flight, wakes backoff sleeps and joins every thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "kube/kubeconfig.h"
#include "kube/object_sink.h"
#include "kube/reflector.h"
#include "kube/stop_signal.h"

namespace microseg::kube {

struct KubeSyncOptions {
  // Kinds to sync; empty means every resource in kube/resources.h.
  std::vector<std::string> kinds;
  ReflectorOptions reflector;
  uint64_t seed = 0;  // jitter; 0 picks a random seed
  Logger log;         // may be empty
};

class KubeSync {
 public:
  // `sink` must outlive the KubeSync. Errors: unknown kind, bad TLS material.
  static Result<std::unique_ptr<KubeSync>> Start(const ClusterAccess& access, ObjectSink* sink,
                                                 KubeSyncOptions options);
  ~KubeSync();
  KubeSync(const KubeSync&) = delete;
  KubeSync& operator=(const KubeSync&) = delete;

  void Stop();

 private:
  class SerializedSink;
  explicit KubeSync(std::unique_ptr<SerializedSink> sink);

  std::unique_ptr<SerializedSink> sink_;
  StopSignal stop_;
  std::vector<std::unique_ptr<Reflector>> reflectors_;
  std::vector<std::thread> threads_;
};

}  // namespace microseg::kube
