// Reading a kubeconfig: which API server, and how to authenticate to it.
//
// Supports what kubectl reads for static credentials: current-context (or
// an explicit context), clusters[].cluster.{server, certificate-authority,
// certificate-authority-data, insecure-skip-tls-verify} and
// users[].user.{token, tokenFile, client-certificate, client-certificate-data,
// client-key, client-key-data}. Relative file paths are relative to the
// kubeconfig's directory, as kubectl does. exec and auth-provider plugins
// are refused with a message saying so.
//
// Files named by the kubeconfig are read at load time, except tokenFile,
// which the client re-reads before every request (projected service account
// tokens rotate).
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace microseg::kube {

struct ClusterAccess {
  std::string server;  // "https://10.0.0.1:6443", possibly with a path prefix
  std::string ca_pem;  // trusted CAs; empty trusts the system roots
  bool insecure_skip_tls_verify = false;
  std::string token;       // bearer token given inline
  std::string token_file;  // absolute path; read before each request when set
  std::string client_cert_pem;
  std::string client_key_pem;
};

// `context` empty means current-context. Errors name the file and entry,
// e.g. "/home/me/.kube/config: context \"prod\" not found".
Result<ClusterAccess> LoadKubeconfig(const std::string& path, const std::string& context);

// The same from text; relative paths resolve against `base_dir`.
Result<ClusterAccess> ParseKubeconfig(std::string_view text, const std::string& source,
                                      const std::string& base_dir, const std::string& context);

// Decodes standard base64 (padding optional), ignoring whitespace.
Result<std::string> DecodeBase64(std::string_view text);

}  // namespace microseg::kube
