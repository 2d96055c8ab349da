// FakeNftExecutor: records the scripts it is given and serves a listing the
// test sets. For unit tests of everything above the kernel seam.
#pragma once

#include <string>
#include <vector>

#include "dataplane/nft/executor.h"

namespace microseg::nft {

class FakeNftExecutor : public NftExecutor {
 public:
  Status Run(const std::string& script) override {
    scripts.push_back(script);
    if (!fail_next_run.empty()) {
      std::string m = std::move(fail_next_run);
      fail_next_run.clear();
      return Status::Error(m);
    }
    return Status::Ok();
  }
  Result<std::optional<std::string>> ListTableJson() override {
    ++listings;
    return listing;
  }

  std::vector<std::string> scripts;
  std::optional<std::string> listing;  // nullopt: no table
  std::string fail_next_run;           // non-empty: the next Run fails with it
  int listings = 0;
};

}  // namespace microseg::nft
