#include "controller/pki/server_tls.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>

#include "controller/pki/identity.h"

namespace microseg::pki {

namespace {

constexpr unsigned char kSessionContext[] = "microseg-controller";

void AddName(std::vector<std::string>* names, const std::string& name) {
  if (name.empty()) return;
  if (std::find(names->begin(), names->end(), name) == names->end()) names->push_back(name);
}

void AddInterfaceAddresses(std::vector<std::string>* names, bool v4, bool v6) {
  struct ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return;
  for (struct ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    char text[INET6_ADDRSTRLEN] = {0};
    if (v4 && i->ifa_addr->sa_family == AF_INET) {
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text, sizeof text);
    } else if (v6 && i->ifa_addr->sa_family == AF_INET6) {
      auto* a6 = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr)) continue;  // needs a scope: unusable in a URL
      inet_ntop(AF_INET6, &a6->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    AddName(names, text);
  }
  freeifaddrs(list);
}

}  // namespace

Status ConfigureServerContext(SSL_CTX* ctx, const Credentials& server, X509* ca) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1 ||
      SSL_CTX_use_certificate(ctx, server.cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, server.key.get()) != 1 || SSL_CTX_check_private_key(ctx) != 1) {
    return Status::Error(OpenSslError("TLS: server certificate"));
  }
  // TLS 1.2: only AEAD suites with forward secrecy (no CBC, no SHA-1 MACs,
  // no static RSA). TLS 1.3's suites all qualify and stay OpenSSL's.
  if (SSL_CTX_set_cipher_list(ctx, kTls12Ciphers) != 1) {
    return Status::Error(OpenSslError("TLS: cipher list"));
  }
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION |
                               SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Client certificates: asked for, checked against the CA alone (not the
  // system's roots), optional.
  X509_STORE* store = X509_STORE_new();
  if (store == nullptr || X509_STORE_add_cert(store, ca) != 1) {
    X509_STORE_free(store);
    return Status::Error(OpenSslError("TLS: client CA"));
  }
  SSL_CTX_set_cert_store(ctx, store);  // owned by ctx now
  STACK_OF(X509_NAME)* names = sk_X509_NAME_new_null();
  if (names == nullptr ||
      sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca))) <= 0) {
    sk_X509_NAME_pop_free(names, X509_NAME_free);
    return Status::Error(OpenSslError("TLS: client CA list"));
  }
  SSL_CTX_set_client_CA_list(ctx, names);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_verify_depth(ctx, 1);
  if (SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof kSessionContext - 1) != 1) {
    return Status::Error(OpenSslError("TLS: session context"));
  }
  return Status::Ok();
}

std::vector<std::string> ServerNames(const std::string& listen_host,
                                     const std::vector<std::string>& extra) {
  std::vector<std::string> names;
  const bool any4 = listen_host == "0.0.0.0" || listen_host.empty();
  const bool any6 = listen_host == "::";
  if (any4 || any6) {
    AddInterfaceAddresses(&names, /*v4=*/true, /*v6=*/any6);
  } else {
    AddName(&names, listen_host);
  }
  AddName(&names, "127.0.0.1");
  AddName(&names, "::1");
  AddName(&names, "localhost");
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) == 0) AddName(&names, host);
  for (const std::string& name : extra) AddName(&names, name);
  return names;
}

std::string PeerNode(const SSL* ssl) {
  if (ssl == nullptr) return "";
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return "";
  return NodeOfCertificate(cert).value_or("");
}

}  // namespace microseg::pki
