// NftExecutor: the seam between microseg and the kernel's nftables.
//
// The real implementation (LibNftablesExecutor) hands scripts to
// libnftables; tests inject a fake that records them. Nothing in the
// dataplane branches on which one it has.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"

namespace microseg::nft {

class NftExecutor {
 public:
  virtual ~NftExecutor() = default;
  // Runs `script` (nft syntax, many commands) as ONE netfilter transaction:
  // either every command takes effect or none does.
  virtual Status Run(const std::string& script) = 0;
  // `list table inet microseg` as nft JSON; nullopt when the table is absent.
  virtual Result<std::optional<std::string>> ListTableJson() = 0;
};

}  // namespace microseg::nft
