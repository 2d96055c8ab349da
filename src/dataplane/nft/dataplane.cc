#include "dataplane/nft/dataplane.h"

#include "dataplane/nft/table_reader.h"
#include "plan/plan_diff.h"
#include "render/nft/renderer.h"

namespace microseg::nft {

Status NftDataplane::Apply(const Plan& plan) {
  last_ = Stats{};
  Status s = applied_ ? RunDelta(*applied_, plan) : Reconcile(plan);
  if (s.ok()) {
    applied_ = plan;
  } else {
    applied_.reset();  // the next Apply starts from what the kernel has
  }
  return s;
}

Status NftDataplane::ApplyPatch(const PlanDiff& diff, const Plan& plan) {
  if (!applied_) return Apply(plan);
  last_ = Stats{};
  Status s = Status::Ok();
  if (diff.empty()) {
    last_.kind = Stats::Kind::kNoop;
  } else {
    std::string script = RenderDelta(diff, plan);
    last_.kind = Stats::Kind::kDelta;
    last_.element_ops = diff.ElementOps();
    last_.script_bytes = script.size();
    s = executor_->Run(script);
  }
  if (!s.ok()) {
    applied_.reset();
    return s;
  }
  ApplyDiff(diff, &*applied_);
  return s;
}

Status NftDataplane::Install(const Plan& plan) {
  last_ = Stats{};
  Status s = Replace(plan);
  if (s.ok()) {
    applied_ = plan;
  } else {
    applied_.reset();
  }
  return s;
}

Status NftDataplane::Reconcile(const Plan& plan) {
  last_.read_back = true;
  read_back_.reset();
  auto listing = executor_->ListTableJson();
  if (!listing.ok()) return listing.status();
  if (!listing->has_value()) return Replace(plan);
  auto table = ParseTableJson(**listing);
  if (!table.ok() || table->skeleton_chain != SkeletonChain(plan.options)) return Replace(plan);
  Plan observed;
  observed.node = plan.node;
  observed.options = plan.options;
  observed.endpoints = plan.endpoints;
  observed.ingress = std::move(table->ingress);
  observed.egress = std::move(table->egress);
  read_back_ = observed;
  return RunDelta(observed, plan);
}

Status NftDataplane::RunDelta(const Plan& from, const Plan& to) {
  PlanDiff diff = DiffPlans(from, to);
  if (diff.skeleton_changed) return Replace(to);
  if (diff.empty()) {
    last_.kind = Stats::Kind::kNoop;
    return Status::Ok();
  }
  std::string script = RenderDelta(diff, to);
  last_.kind = Stats::Kind::kDelta;
  last_.element_ops = diff.ElementOps();
  last_.script_bytes = script.size();
  return executor_->Run(script);
}

Status NftDataplane::Replace(const Plan& plan) {
  std::string script = RenderReplace(plan);
  last_.kind = Stats::Kind::kReplace;
  last_.script_bytes = script.size();
  return executor_->Run(script);
}

}  // namespace microseg::nft
