#include "dataplane/nft/libnftables_executor.h"

#include <nftables/libnftables.h>
#include <unistd.h>

#include <mutex>

namespace microseg::nft {
namespace {

std::mutex& LibMutex() {
  static std::mutex mu;
  return mu;
}

nft_ctx* NewContext(unsigned output_flags) {
  nft_ctx* ctx = nft_ctx_new(NFT_CTX_DEFAULT);
  if (!ctx) return nullptr;
  nft_ctx_output_set_flags(ctx, output_flags);
  nft_ctx_buffer_output(ctx);
  nft_ctx_buffer_error(ctx);
  return ctx;
}

std::string Trimmed(const char* text) {
  std::string s = text ? text : "";
  constexpr size_t kMax = 4000;  // nft echoes whole command lines in errors
  if (s.size() > kMax) s = s.substr(0, kMax) + "... (truncated)";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

LibNftablesExecutor::LibNftablesExecutor() {
  std::lock_guard<std::mutex> lock(LibMutex());
  ctx_ = NewContext(0);
  json_ctx_ = NewContext(NFT_CTX_OUTPUT_JSON);
}

LibNftablesExecutor::~LibNftablesExecutor() {
  std::lock_guard<std::mutex> lock(LibMutex());
  if (ctx_) nft_ctx_free(ctx_);
  if (json_ctx_) nft_ctx_free(json_ctx_);
}

Status LibNftablesExecutor::Run(const std::string& script) {
  if (!ctx_) return Status::Error("libnftables: cannot create a context");
  std::lock_guard<std::mutex> lock(LibMutex());
  int rc = nft_run_cmd_from_buffer(ctx_, script.c_str());
  std::string err = Trimmed(nft_ctx_get_error_buffer(ctx_));
  if (rc != 0) return Status::Error("nft transaction failed: " + (err.empty() ? "unknown error" : err));
  return Status::Ok();
}

Result<std::optional<std::string>> LibNftablesExecutor::ListTableJson() {
  if (!json_ctx_) return Status::Error("libnftables: cannot create a context");
  std::lock_guard<std::mutex> lock(LibMutex());
  int rc = nft_run_cmd_from_buffer(json_ctx_, "list table inet microseg");
  std::string out = nft_ctx_get_output_buffer(json_ctx_);
  std::string err = Trimmed(nft_ctx_get_error_buffer(json_ctx_));
  if (rc != 0) {
    if (err.find("No such file or directory") != std::string::npos) return std::optional<std::string>();
    return Status::Error("nft list table inet microseg failed: " + err);
  }
  return std::optional<std::string>(std::move(out));
}

bool NftablesAvailable() {
  if (geteuid() != 0) return false;
  LibNftablesExecutor probe;
  // A read-only command that needs a working netlink socket.
  return probe.ListTableJson().ok();
}

}  // namespace microseg::nft
