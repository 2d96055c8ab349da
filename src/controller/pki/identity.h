// Who a certificate names, and how a CA is pinned.
//
// An agent certificate names its node as the URI SAN
// spiffe://microseg/node/NAME (and as its CN, for people). Only the URI is
// read: a CN is just text, and the server certificate has no such URI, so it
// never authenticates as a node.
#pragma once

#include <optional>
#include <string>

#include "common/status.h"
#include "controller/pki/openssl_util.h"

namespace microseg::pki {

inline constexpr char kNodeUriPrefix[] = "spiffe://microseg/node/";

std::string NodeIdentityUri(const std::string& node);

// The node of an agent certificate; nullopt when it names none (or more than
// one).
std::optional<std::string> NodeOfCertificate(X509* cert);

// SHA-256 of the certificate's DER encoding, as 64 lowercase hex digits.
std::string Sha256Fingerprint(X509* cert);

// "AB:CD:..." or "abcd..." (optionally "sha256:" first) -> 64 lowercase hex
// digits; an error for anything else.
Result<std::string> NormalizeFingerprint(const std::string& text);

}  // namespace microseg::pki
