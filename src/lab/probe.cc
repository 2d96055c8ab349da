#include "lab/probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "lab/socket_address.h"
#include "netns/netns.h"

namespace microseg::lab {
namespace {

bool Listens(const LabEndpoint& e, Protocol protocol, uint16_t port) {
  return std::any_of(e.ports.begin(), e.ports.end(),
                     [&](const LabPort& p) { return p.protocol == protocol && p.port == port; });
}

// Every probe is a new flow, with a source port no earlier probe of this
// process used: a reused 5-tuple would match the conntrack entry of an
// earlier probe (UDP entries live 30 s) and be accepted as established
// although the policy changed since, which is not what a probe measures.
// Processes start at a random offset, so successive `lab probe` runs differ.
uint16_t NextSourcePort() {
  constexpr uint32_t kFirst = 20000, kCount = 40000;
  static std::atomic<uint32_t> next{static_cast<uint32_t>(std::random_device{}() % kCount)};
  return static_cast<uint16_t>(kFirst + next++ % kCount);
}

// One connection attempt from `from`'s namespace and address to `to`. The
// source is bound: a host holds several addresses (its workloads', its
// fabric IP) and the flow must come from the one the model checks.
// Only a connection attempt observes anything: when the probe cannot even
// make its socket (no SCTP in this kernel, so no listener either), the
// pair is not observable rather than denied.
const char* Connect(const LabEndpoint& from, const LabEndpoint& to, Protocol protocol, uint16_t port,
                    std::chrono::milliseconds timeout, IpFamily family) {
  const std::string& from_ip = family == IpFamily::kV6 ? from.ip6 : from.ip;
  const std::string& to_ip = family == IpFamily::kV6 ? to.ip6 : to.ip;
  int fd;
  {
    ScopedNetns in(from.netns);
    if (!in.status().ok()) return kNotObservable;
    int type = protocol == Protocol::kUDP ? SOCK_DGRAM : SOCK_STREAM;
    fd = socket(family == IpFamily::kV6 ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
                protocol == Protocol::kSCTP ? IPPROTO_SCTP : 0);
  }
  if (fd < 0) return kNotObservable;
  bool bound = false;
  for (int attempt = 0; attempt < 16 && !bound; ++attempt) {
    socklen_t len;
    sockaddr_storage src = SocketAddress(from_ip, NextSourcePort(), &len);
    bound = bind(fd, reinterpret_cast<sockaddr*>(&src), len) == 0;
  }
  if (!bound) {
    close(fd);
    return kNotObservable;
  }
  socklen_t addr_len;
  sockaddr_storage addr = SocketAddress(to_ip, port, &addr_len);
  bool ok = false;
  int ms = static_cast<int>(timeout.count());
  if (protocol == Protocol::kUDP) {
    connect(fd, reinterpret_cast<sockaddr*>(&addr), addr_len);
    for (int attempt = 0; attempt < 2 && !ok; ++attempt) {
      (void)!send(fd, "probe", 5, 0);
      pollfd p{fd, POLLIN, 0};
      char buf[16];
      if (poll(&p, 1, ms / 2) > 0 && recv(fd, buf, sizeof(buf), 0) > 0) ok = true;
    }
  } else {
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), addr_len);
    if (rc == 0) {
      ok = true;
    } else if (errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      if (poll(&p, 1, ms) > 0) {
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        ok = err == 0;
      }
    }
  }
  close(fd);
  return ok ? "allow" : "deny";
}

}  // namespace

std::vector<ProbeRow> ProbeTable::Disagreements() const {
  std::vector<ProbeRow> out;
  for (const ProbeRow& r : rows) {
    if (r.observable() && !r.agrees()) out.push_back(r);
  }
  return out;
}

size_t ProbeTable::NotObservable() const {
  return static_cast<size_t>(
      std::count_if(rows.begin(), rows.end(), [](const ProbeRow& r) { return !r.observable(); }));
}

nlohmann::json ProbeTable::ToJson() const {
  nlohmann::json j;
  j["port"] = port;
  j["protocol"] = ProtocolName(protocol);
  j["family"] = family == IpFamily::kV6 ? "IPv6" : "IPv4";
  j["rows"] = nlohmann::json::array();
  for (const ProbeRow& r : rows) {
    j["rows"].push_back({{"from", r.from}, {"to", r.to}, {"observed", r.observed}, {"model", r.model}});
  }
  return j;
}

std::string ProbeTable::ToText() const {
  std::set<std::string> froms, tos;
  std::map<std::pair<std::string, std::string>, const ProbeRow*> cell;
  for (const ProbeRow& r : rows) {
    froms.insert(r.from);
    tos.insert(r.to);
    cell[{r.from, r.to}] = &r;
  }
  auto table = [&](const char* title, bool observed) {
    std::string s = std::string(title) + " " + std::string(ProtocolName(protocol)) + "/" +
                    std::to_string(port) + (family == IpFamily::kV6 ? " over IPv6" : "") +
                    " (rows: from, columns: to)\n";
    size_t w = 6, first = 6;
    for (const auto& n : tos) w = std::max(w, n.size() + 1);
    for (const auto& n : froms) first = std::max(first, n.size() + 1);
    s += std::string(first, ' ');
    for (const auto& t : tos) s += t + std::string(w - t.size(), ' ');
    s += "\n";
    for (const auto& f : froms) {
      s += f + std::string(first - f.size(), ' ');
      for (const auto& t : tos) {
        auto it = cell.find({f, t});
        std::string v = it == cell.end() ? "-" : observed ? it->second->observed : it->second->model;
        std::string mark = v == "allow"        ? "."
                           : v == "deny"         ? "X"
                           : v == "would-deny"   ? "w"
                           : v == kNotObservable ? "?"
                                                 : "-";
        s += mark + std::string(w - 1, ' ');
      }
      s += "\n";
    }
    return s;
  };
  std::string out = table("observed", true) + "\n" + table("model", false);
  auto dis = Disagreements();
  out += "\n" + std::to_string(dis.size()) + " disagreement(s)";
  if (size_t unseen = NotObservable(); unseen > 0) {
    out += ", " + std::to_string(unseen) + " pair(s) not observable (?: the probe cannot make a " +
           std::string(ProtocolName(protocol)) + " socket here), left out";
  }
  out += "\n";
  for (const ProbeRow& r : dis) {
    out += "  " + r.from + " -> " + r.to + ": observed " + r.observed + ", model " + r.model + "\n";
  }
  return out;
}

ProbeTable Probe(const LabTopology& topology, const PolicyEngine& engine, Protocol protocol,
                 uint16_t port, const ProbeOptions& options) {
  ProbeTable table;
  table.port = port;
  table.protocol = protocol;
  table.family = options.family;
  std::vector<LabEndpoint> endpoints = topology.Endpoints();
  const bool v6 = options.family == IpFamily::kV6;
  // Endpoints without an address of the family take no part.
  std::erase_if(endpoints, [&](const LabEndpoint& e) { return (v6 ? e.ip6 : e.ip).empty(); });
  std::vector<std::pair<size_t, size_t>> pairs;  // indices into endpoints, per row
  for (size_t f = 0; f < endpoints.size(); ++f) {
    for (size_t t = 0; t < endpoints.size(); ++t) {
      const LabEndpoint& from = endpoints[f];
      const LabEndpoint& to = endpoints[t];
      // Same namespace (a pod to itself, two workloads of one host): the
      // flow never leaves the host's loopback, which the table accepts.
      if (from.netns == to.netns || !Listens(to, protocol, port)) continue;
      if (!options.from.empty() && !options.from.count(from.key)) continue;
      if (!options.to.empty() && !options.to.count(to.key)) continue;
      ProbeRow row{from.key, to.key, "", ""};
      // Over IPv6 the model sees the flow of the IPv6 addresses.
      auto src = engine.Resolve(v6 ? from.ip6 : from.key);
      auto dst = engine.Resolve(v6 ? to.ip6 : to.key);
      row.model = src.ok() && dst.ok() ? std::string(engine.Check(*src, *dst, protocol, port).Name())
                                       : "unknown";
      table.rows.push_back(std::move(row));
      pairs.push_back({f, t});
    }
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  int n = std::max(1, std::min<int>(options.parallelism, static_cast<int>(table.rows.size())));
  for (int w = 0; w < n; ++w) {
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < table.rows.size();) {
        ProbeRow& r = table.rows[i];
        r.observed = Connect(endpoints[pairs[i].first], endpoints[pairs[i].second], protocol, port,
                             options.timeout, options.family);
      }
    });
  }
  for (auto& t : workers) t.join();
  return table;
}

}  // namespace microseg::lab
