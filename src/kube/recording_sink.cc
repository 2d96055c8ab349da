#include "kube/recording_sink.h"

#include <algorithm>
#include <set>

namespace microseg::kube {

Status RecordingSink::Apply(const SyncedObject& object) {
  std::lock_guard lock(mu_);
  if (!fail_with_.empty()) return Status::Error(fail_with_);
  objects_[object.key] = object.json;
  log_.push_back("apply " + object.key.ToString());
  changed_.notify_all();
  return Status::Ok();
}

Status RecordingSink::Delete(const ObjectKey& key) {
  std::lock_guard lock(mu_);
  if (!fail_with_.empty()) return Status::Error(fail_with_);
  objects_.erase(key);
  log_.push_back("delete " + key.ToString());
  changed_.notify_all();
  return Status::Ok();
}

Status RecordingSink::Resync(const std::string& kind, const std::vector<ObjectKey>& present) {
  std::lock_guard lock(mu_);
  if (!fail_with_.empty()) return Status::Error(fail_with_);
  std::set<ObjectKey> keep(present.begin(), present.end());
  std::erase_if(objects_, [&](const auto& entry) {
    return entry.first.kind == kind && !keep.contains(entry.first);
  });
  log_.push_back("resync " + kind + " " + std::to_string(present.size()));
  changed_.notify_all();
  return Status::Ok();
}

void RecordingSink::FailWith(std::string message) {
  std::lock_guard lock(mu_);
  fail_with_ = std::move(message);
}

std::vector<std::string> RecordingSink::Log() const {
  std::lock_guard lock(mu_);
  return log_;
}

std::vector<std::string> RecordingSink::LogSince(size_t from) const {
  std::lock_guard lock(mu_);
  if (from >= log_.size()) return {};
  return std::vector<std::string>(log_.begin() + static_cast<std::ptrdiff_t>(from), log_.end());
}

std::map<ObjectKey, std::string> RecordingSink::Objects() const {
  std::lock_guard lock(mu_);
  return objects_;
}

bool RecordingSink::WaitFor(const Predicate& done, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return done(objects_, log_); });
}

}  // namespace microseg::kube
