// PortPainter: first-match evaluation of an ordered rule list over the whole
// (protocol, port) space at once. Each rule "paints" the parts of its ports
// that no earlier rule painted; what stays unpainted falls to the default.
// Internal to the compiler.
#pragma once

#include <cstdint>
#include <vector>

#include "model/port_match.h"

namespace microseg {

// TCP, UDP, SCTP, and every other IP protocol (which has no ports).
inline constexpr int kProtocolGroups = 4;

struct PaintedSpan {
  uint16_t first, last;
  uint8_t color;
};

class PortPainter {
 public:
  // Paints `color` on [first, last] of group `group` wherever still unpainted.
  void Paint(int group, uint16_t first, uint16_t last, uint8_t color);
  void PaintAll(uint8_t color);
  // Spans of one group, sorted, disjoint, adjacent same-color spans merged.
  std::vector<PaintedSpan> Spans(int group) const;
  // Copies the spans of `other` whose color is not `skip` (as a first layer).
  void PaintFrom(const PortPainter& other, uint8_t skip);

 private:
  std::vector<PaintedSpan> spans_[kProtocolGroups];  // sorted by first
};

int ProtocolGroup(Protocol p);  // 0..2
// The IP protocol number ranges a group covers (OTHER: four ranges).
std::vector<std::pair<uint8_t, uint8_t>> GroupProtocolRanges(int group);

}  // namespace microseg
