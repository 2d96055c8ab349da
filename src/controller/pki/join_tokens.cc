#include "controller/pki/join_tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "controller/pki/secure_file.h"

namespace microseg::pki {

namespace {

constexpr int64_t kKeepAfterUseSeconds = 24 * 3600;

std::string Hex(const unsigned char* data, size_t size) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < size; ++i) {
    out += kHex[data[i] >> 4];
    out += kHex[data[i] & 15];
  }
  return out;
}

int64_t SystemNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string HashJoinToken(const std::string& token) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(token.data(), token.size(), md, &len, EVP_sha256(), nullptr) != 1) return "";
  return Hex(md, len);
}

Result<std::unique_ptr<JoinTokenStore>> JoinTokenStore::Open(const std::string& path,
                                                             Clock clock) {
  std::unique_ptr<JoinTokenStore> store(
      new JoinTokenStore(path, clock ? std::move(clock) : Clock(SystemNow)));
  if (!FileExists(path)) return store;
  Result<std::string> text = ReadFileText(path);
  if (!text.ok()) return text.status();
  nlohmann::json root = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object() || !root.contains("tokens") || !root["tokens"].is_array()) {
    return Status::Error(path + ": expected {\"tokens\": [...]}");
  }
  for (const nlohmann::json& t : root["tokens"]) {
    if (!t.is_object() || !t.contains("sha256") || !t["sha256"].is_string() ||
        !t.contains("node") || !t["node"].is_string() || !t.contains("expires") ||
        !t["expires"].is_number_integer()) {
      return Status::Error(path + ": a token entry needs sha256, node and expires");
    }
    Entry e;
    e.hash = t["sha256"].get<std::string>();
    e.node = t["node"].get<std::string>();
    e.expires = t["expires"].get<int64_t>();
    if (t.contains("used") && t["used"].is_number_integer()) e.used = t["used"].get<int64_t>();
    store->entries_.push_back(std::move(e));
  }
  return store;
}

Status JoinTokenStore::SaveLocked() const {
  nlohmann::json tokens = nlohmann::json::array();
  for (const Entry& e : entries_) {
    nlohmann::json t{{"sha256", e.hash}, {"node", e.node}, {"expires", e.expires}};
    if (e.used != 0) t["used"] = e.used;
    tokens.push_back(std::move(t));
  }
  return WriteFileAtomic(path_, nlohmann::json{{"tokens", tokens}}.dump(2) + "\n", 0600);
}

void JoinTokenStore::PruneLocked(int64_t now) {
  std::erase_if(entries_, [now](const Entry& e) {
    int64_t end = e.used != 0 ? std::min(e.expires, e.used) : e.expires;
    return now > end + kKeepAfterUseSeconds;
  });
}

Result<JoinToken> JoinTokenStore::Create(const std::string& node, int64_t ttl_seconds) {
  if (ttl_seconds < 1 || ttl_seconds > kMaxJoinTokenTtlSeconds) {
    return Status::Error("ttl: must be between 1 second and 7 days, got " +
                         std::to_string(ttl_seconds) + " s");
  }
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return Status::Error("cannot generate a join token: RAND_bytes failed");
  }
  JoinToken token{Hex(bytes, sizeof bytes), node, 0};
  OPENSSL_cleanse(bytes, sizeof bytes);
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_();
  token.expires = now + ttl_seconds;
  PruneLocked(now);
  entries_.push_back({HashJoinToken(token.token), node, token.expires, 0});
  if (Status s = SaveLocked(); !s.ok()) {
    entries_.pop_back();
    return s;
  }
  return token;
}

Result<std::string> JoinTokenStore::Redeem(const std::string& token) {
  const std::string hash = HashJoinToken(token);
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t now = clock_();
  for (Entry& e : entries_) {
    if (e.hash.size() != hash.size() ||
        CRYPTO_memcmp(e.hash.data(), hash.data(), hash.size()) != 0) {
      continue;
    }
    if (e.used != 0) return Status::Error("join token already used (tokens are single-use)");
    if (now >= e.expires) return Status::Error("join token expired");
    e.used = now;
    if (Status s = SaveLocked(); !s.ok()) {
      e.used = 0;
      return s;
    }
    return e.node;
  }
  return Status::Error("invalid join token");
}

std::vector<JoinTokenStore::Entry> JoinTokenStore::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_;
}

}  // namespace microseg::pki
