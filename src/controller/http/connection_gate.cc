#include "controller/http/connection_gate.h"

namespace microseg {

ConnectionGate::ConnectionGate(size_t max_total, size_t max_per_ip)
    : max_total_(max_total), max_per_ip_(max_per_ip) {}

bool ConnectionGate::Enter(const std::string& ip) {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ >= max_total_) return false;
  size_t& mine = per_ip_[ip];
  if (mine >= max_per_ip_) {
    if (mine == 0) per_ip_.erase(ip);
    return false;
  }
  ++mine;
  ++total_;
  return true;
}

void ConnectionGate::Leave(const std::string& ip) {
  std::lock_guard<std::mutex> lock(mu_);
  --total_;
  auto it = per_ip_.find(ip);
  if (--it->second == 0) per_ip_.erase(it);
}

size_t ConnectionGate::total() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

ConnectionGate::Ticket::Ticket(ConnectionGate* gate, std::string ip)
    : gate_(gate->Enter(ip) ? gate : nullptr), ip_(std::move(ip)) {}

ConnectionGate::Ticket::~Ticket() {
  if (gate_ != nullptr) gate_->Leave(ip_);
}

}  // namespace microseg
