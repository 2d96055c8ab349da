// Protocols, port numbers, port names and policy port entries.
#include "ingest/decode_common.h"

namespace microseg {

namespace {

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

Status InvalidPortName(const Field& field, const std::string& name, const std::string& why) {
  std::string message = "invalid port name " + Quote(name) + ": " + why;
  // The usual cause: `port: "80"` is a string, so it is read as a name.
  if (AllDigits(name)) message += " (write a port number without quotes)";
  return field.Error(message);
}

}  // namespace

std::string ValidatePortName(std::string_view name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 15) return "must be no more than 15 characters";
  bool has_letter = false;
  for (char c : name) {
    bool letter = c >= 'a' && c <= 'z';
    if (!letter && !(c >= '0' && c <= '9') && c != '-') {
      return "must contain only lowercase letters, digits and '-'";
    }
    has_letter |= letter;
  }
  if (name.find("--") != std::string_view::npos) return "must not contain consecutive '-'";
  if (name.front() == '-' || name.back() == '-') return "must not begin or end with '-'";
  if (!has_letter) return "must contain at least one letter (a-z)";
  return "";
}

Status DecodeProtocol(const Field& field, Protocol* protocol) {
  size_t index = 0;
  if (!field.present()) return Status::Ok();
  MICROSEG_RETURN_IF_ERROR(DecodeEnum(field, {"TCP", "UDP", "SCTP"}, &index));
  *protocol = kAllProtocols[index];
  return Status::Ok();
}

Status DecodePortName(const Field& field, std::string* name) {
  if (!field.present()) return Status::Ok();
  std::string text;
  MICROSEG_RETURN_IF_ERROR(field.ReadString(&text));
  if (std::string err = ValidatePortName(text); !err.empty()) {
    return InvalidPortName(field, text, err);
  }
  *name = std::move(text);
  return Status::Ok();
}

Status DecodePortNumber(const Field& field, uint16_t* port) {
  int64_t value = 0;
  if (!field.present()) return Status::Ok();
  MICROSEG_RETURN_IF_ERROR(field.ReadInt(1, 65535, &value));
  *port = static_cast<uint16_t>(value);
  return Status::Ok();
}

Status DecodePortOrName(const Field& field, uint16_t* number, std::string* name) {
  if (!field.present()) return Status::Ok();
  if (field.is_string()) return DecodePortName(field, name);
  if (!field.is_integer()) return field.TypeError("an integer or a port name");
  return DecodePortNumber(field, number);
}

Status DecodePolicyPort(const Field& field, PortMatch* port) {
  MICROSEG_RETURN_IF_ERROR(field.ExpectMap());
  Protocol protocol = Protocol::kTCP;
  MICROSEG_RETURN_IF_ERROR(DecodeProtocol(field.Child("protocol"), &protocol));
  Field port_field = field.Child("port");
  Field end_field = field.Child("endPort");
  uint16_t number = 0;
  std::string name;
  MICROSEG_RETURN_IF_ERROR(DecodePortOrName(port_field, &number, &name));
  uint16_t end = 0;
  MICROSEG_RETURN_IF_ERROR(DecodePortNumber(end_field, &end));
  if (end_field.present()) {
    if (!port_field.present()) return end_field.Error("may not be set when port is not set");
    if (!name.empty()) return end_field.Error("may not be set when port is a name");
    if (end < number) {
      return end_field.Error("must be greater than or equal to port (" + std::to_string(number) +
                             "), got " + std::to_string(end));
    }
  }
  if (!name.empty()) {
    *port = PortMatch::Named(protocol, std::move(name));
  } else if (number != 0) {
    *port = PortMatch::Range(protocol, number, end_field.present() ? end : number);
  } else {
    *port = PortMatch::All(protocol);
  }
  return Status::Ok();
}

}  // namespace microseg
