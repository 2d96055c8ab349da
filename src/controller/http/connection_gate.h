// ConnectionGate: how many connections the server serves at once, in all
// and per client IP. Admit() is asked once per accepted connection; a
// refused connection is closed at once instead of holding a server thread.
// Thread-safe.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace microseg {

class ConnectionGate {
 public:
  // Limits of at least 1.
  ConnectionGate(size_t max_total, size_t max_per_ip);

  // Admission of one connection from `ip`; releases it when destroyed.
  class Ticket {
   public:
    Ticket(ConnectionGate* gate, std::string ip);
    ~Ticket();
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    bool admitted() const { return gate_ != nullptr; }

   private:
    ConnectionGate* gate_;  // null: refused
    std::string ip_;
  };

  size_t total() const;

 private:
  bool Enter(const std::string& ip);
  void Leave(const std::string& ip);

  const size_t max_total_;
  const size_t max_per_ip_;
  mutable std::mutex mu_;
  size_t total_ = 0;                      // guarded by mu_
  std::map<std::string, size_t> per_ip_;  // guarded by mu_; no zero entries
};

}  // namespace microseg
