// Join tokens: how an agent proves, once, that an admin let it enroll.
//
// An admin creates a token for one node with a bounded lifetime
// (`microseg token create --node NAME`); the agent sends it with its CSR to
// POST /api/v1/agents/enroll, and the controller issues a certificate for
// that node. A token is single-use. Only SHA-256 hashes are kept, in
// DATA_DIR/join-tokens.json (mode 0600), so a restart keeps pending tokens
// and a copy of the file enrolls nobody. Used and expired tokens are kept
// (hashed) for a day so that their reuse gets a precise message.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace microseg::pki {

inline constexpr int64_t kDefaultJoinTokenTtlSeconds = 3600;
inline constexpr int64_t kMaxJoinTokenTtlSeconds = 7 * 24 * 3600;

struct JoinToken {
  std::string token;   // 64 hex digits; shown once
  std::string node;
  int64_t expires = 0;  // unix seconds
};

// The hash under which a token is stored (SHA-256, hex).
std::string HashJoinToken(const std::string& token);

class JoinTokenStore {
 public:
  using Clock = std::function<int64_t()>;  // unix seconds

  // Reads `path` when it exists. `clock` defaults to the system clock.
  static Result<std::unique_ptr<JoinTokenStore>> Open(const std::string& path,
                                                      Clock clock = nullptr);

  // A new token for `node` valid for `ttl_seconds` (1 .. 7 days).
  Result<JoinToken> Create(const std::string& node, int64_t ttl_seconds);

  // Marks `token` used and returns its node; an error saying why otherwise
  // (unknown, expired, already used). Nothing changes on error.
  Result<std::string> Redeem(const std::string& token);

  struct Entry {
    std::string hash;
    std::string node;
    int64_t expires = 0;
    int64_t used = 0;  // unix seconds; 0 while unused
  };
  std::vector<Entry> entries() const;

 private:
  JoinTokenStore(std::string path, Clock clock) : path_(std::move(path)), clock_(std::move(clock)) {}
  Status SaveLocked() const;
  void PruneLocked(int64_t now);

  const std::string path_;
  const Clock clock_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;  // guarded by mu_
};

}  // namespace microseg::pki
