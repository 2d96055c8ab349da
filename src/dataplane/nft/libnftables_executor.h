// LibNftablesExecutor: NftExecutor over libnftables (nft_run_cmd_from_buffer).
//
// It talks to the network namespace of the thread that constructs it (the
// netlink socket is opened then), so a lab agent thread enters its node's
// namespace first and builds its executor there.
// Thread safety: calls are serialized by a process-wide mutex, since
// libnftables keeps some global state.
#pragma once

#include <memory>

#include "dataplane/nft/executor.h"

struct nft_ctx;

namespace microseg::nft {

class LibNftablesExecutor : public NftExecutor {
 public:
  LibNftablesExecutor();
  ~LibNftablesExecutor() override;
  LibNftablesExecutor(const LibNftablesExecutor&) = delete;
  LibNftablesExecutor& operator=(const LibNftablesExecutor&) = delete;

  Status Run(const std::string& script) override;
  Result<std::optional<std::string>> ListTableJson() override;

 private:
  nft_ctx* ctx_ = nullptr;       // scripts in nft syntax
  nft_ctx* json_ctx_ = nullptr;  // JSON listing
};

// True when this process may change nftables (root and libnftables can
// reach the kernel). Used by tests to skip cleanly.
bool NftablesAvailable();

}  // namespace microseg::nft
