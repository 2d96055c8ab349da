#include "kube/kube_sync.h"

#include <chrono>
#include <random>

namespace microseg::kube {

// Serializes calls from the reflector threads to the user's sink.
class KubeSync::SerializedSink : public ObjectSink {
 public:
  explicit SerializedSink(ObjectSink* sink) : sink_(sink) {}
  Status Apply(const SyncedObject& object) override {
    std::lock_guard lock(mu_);
    return sink_->Apply(object);
  }
  Status Delete(const ObjectKey& key) override {
    std::lock_guard lock(mu_);
    return sink_->Delete(key);
  }
  Status Resync(const std::string& kind, const std::vector<ObjectKey>& present) override {
    std::lock_guard lock(mu_);
    return sink_->Resync(kind, present);
  }

 private:
  std::mutex mu_;
  ObjectSink* sink_;  // calls guarded by mu_
};

KubeSync::KubeSync(std::unique_ptr<SerializedSink> sink) : sink_(std::move(sink)) {}

Result<std::unique_ptr<KubeSync>> KubeSync::Start(const ClusterAccess& access, ObjectSink* sink,
                                                  KubeSyncOptions options) {
  std::vector<const Resource*> resources;
  if (options.kinds.empty()) {
    for (const Resource& r : AllResources()) resources.push_back(&r);
  } else {
    for (const std::string& kind : options.kinds) {
      const Resource* r = FindResource(kind);
      if (r == nullptr) return Status::Error("kube-sync: unknown kind \"" + kind + "\"");
      resources.push_back(r);
    }
  }
  uint64_t seed = options.seed != 0 ? options.seed : std::random_device{}();
  std::unique_ptr<KubeSync> sync(new KubeSync(std::make_unique<SerializedSink>(sink)));
  for (const Resource* r : resources) {
    Result<std::unique_ptr<ApiClient>> client = ApiClient::Create(access);
    if (!client.ok()) return client.status();
    sync->reflectors_.push_back(
        std::make_unique<Reflector>(*r, std::move(*client), sync->sink_.get(), &sync->stop_,
                                    options.reflector, seed++, options.log));
  }
  for (auto& reflector : sync->reflectors_) {
    sync->threads_.emplace_back([r = reflector.get()] { r->Run(); });
  }
  return sync;
}

KubeSync::~KubeSync() { Stop(); }

void KubeSync::Stop() {
  stop_.Request();
  // A request that starts just after an Interrupt is not aborted by it, so
  // interrupt until every reflector has noticed the stop.
  for (bool all_done = false; !all_done;) {
    all_done = true;
    for (auto& reflector : reflectors_) {
      if (reflector->done()) continue;
      all_done = false;
      reflector->Interrupt();
    }
    if (!all_done) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

}  // namespace microseg::kube
