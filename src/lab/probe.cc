#include "lab/probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

#include "lab/netns.h"

namespace microseg::lab {
namespace {

bool Listens(const LabPod& pod, Protocol protocol, uint16_t port) {
  return std::any_of(pod.ports.begin(), pod.ports.end(),
                     [&](const LabPort& p) { return p.protocol == protocol && p.port == port; });
}

// One connection attempt from `from`'s namespace to `to`.
bool Connect(const LabPod& from, const LabPod& to, Protocol protocol, uint16_t port,
             std::chrono::milliseconds timeout) {
  int fd;
  {
    ScopedNetns in(from.netns);
    if (!in.status().ok()) return false;
    int type = protocol == Protocol::kUDP ? SOCK_DGRAM : SOCK_STREAM;
    fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
                protocol == Protocol::kSCTP ? IPPROTO_SCTP : 0);
  }
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, to.ip.c_str(), &addr.sin_addr);
  bool ok = false;
  int ms = static_cast<int>(timeout.count());
  if (protocol == Protocol::kUDP) {
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    for (int attempt = 0; attempt < 2 && !ok; ++attempt) {
      (void)!send(fd, "probe", 5, 0);
      pollfd p{fd, POLLIN, 0};
      char buf[16];
      if (poll(&p, 1, ms / 2) > 0 && recv(fd, buf, sizeof(buf), 0) > 0) ok = true;
    }
  } else {
    int rc = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
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
  return ok;
}

}  // namespace

std::vector<ProbeRow> ProbeTable::Disagreements() const {
  std::vector<ProbeRow> out;
  for (const ProbeRow& r : rows) {
    if (!r.agrees()) out.push_back(r);
  }
  return out;
}

nlohmann::json ProbeTable::ToJson() const {
  nlohmann::json j;
  j["port"] = port;
  j["protocol"] = ProtocolName(protocol);
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
                    std::to_string(port) + " (rows: from, columns: to)\n";
    size_t w = 6;
    for (const auto& n : tos) w = std::max(w, n.size() + 1);
    s += std::string(w, ' ');
    for (const auto& t : tos) s += t + std::string(w - t.size(), ' ');
    s += "\n";
    for (const auto& f : froms) {
      s += f + std::string(w > f.size() ? w - f.size() : 1, ' ');
      for (const auto& t : tos) {
        auto it = cell.find({f, t});
        std::string v = it == cell.end() ? "-" : observed ? it->second->observed : it->second->model;
        std::string mark = v == "allow" ? "." : v == "deny" ? "X" : v == "would-deny" ? "w" : "-";
        s += mark + std::string(w - 1, ' ');
      }
      s += "\n";
    }
    return s;
  };
  std::string out = table("observed", true) + "\n" + table("model", false);
  auto dis = Disagreements();
  out += "\n" + std::to_string(dis.size()) + " disagreement(s)\n";
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
  for (const LabPod& from : topology.pods) {
    for (const LabPod& to : topology.pods) {
      if (&from == &to || !Listens(to, protocol, port)) continue;
      ProbeRow row{from.key, to.key, "", ""};
      auto src = engine.Resolve(from.key);
      auto dst = engine.Resolve(to.key);
      row.model = src.ok() && dst.ok() ? std::string(engine.Check(*src, *dst, protocol, port).Name())
                                       : "unknown";
      table.rows.push_back(std::move(row));
    }
  }
  std::atomic<size_t> next{0};
  std::vector<std::thread> workers;
  int n = std::max(1, std::min<int>(options.parallelism, static_cast<int>(table.rows.size())));
  for (int w = 0; w < n; ++w) {
    workers.emplace_back([&] {
      for (size_t i; (i = next++) < table.rows.size();) {
        ProbeRow& r = table.rows[i];
        bool ok = Connect(*topology.FindPod(r.from), *topology.FindPod(r.to), protocol, port, options.timeout);
        r.observed = ok ? "allow" : "deny";
      }
    });
  }
  for (auto& t : workers) t.join();
  return table;
}

}  // namespace microseg::lab
