#include "plan/port_painter.h"

#include <algorithm>

namespace microseg {

int ProtocolGroup(Protocol p) {
  switch (p) {
    case Protocol::kTCP: return 0;
    case Protocol::kUDP: return 1;
    case Protocol::kSCTP: return 2;
  }
  return 0;
}

std::vector<std::pair<uint8_t, uint8_t>> GroupProtocolRanges(int group) {
  switch (group) {
    case 0: return {{6, 6}};
    case 1: return {{17, 17}};
    case 2: return {{132, 132}};
    default: return {{0, 5}, {7, 16}, {18, 131}, {133, 255}};
  }
}

void PortPainter::Paint(int group, uint16_t first, uint16_t last, uint8_t color) {
  std::vector<PaintedSpan>& spans = spans_[group];
  std::vector<PaintedSpan> added;
  uint32_t cursor = first;
  for (const PaintedSpan& s : spans) {
    if (cursor > last) break;
    if (s.last < cursor) continue;
    if (s.first > cursor) {
      uint32_t gap_end = std::min<uint32_t>(s.first - 1, last);
      added.push_back({static_cast<uint16_t>(cursor), static_cast<uint16_t>(gap_end), color});
    }
    cursor = uint32_t{s.last} + 1;
  }
  if (cursor <= last) added.push_back({static_cast<uint16_t>(cursor), last, color});
  if (added.empty()) return;
  spans.insert(spans.end(), added.begin(), added.end());
  std::sort(spans.begin(), spans.end(),
            [](const PaintedSpan& a, const PaintedSpan& b) { return a.first < b.first; });
}

void PortPainter::PaintAll(uint8_t color) {
  for (int g = 0; g < kProtocolGroups; ++g) Paint(g, 0, 65535, color);
}

void PortPainter::PaintFrom(const PortPainter& other, uint8_t skip) {
  for (int g = 0; g < kProtocolGroups; ++g) {
    for (const PaintedSpan& s : other.spans_[g]) {
      if (s.color != skip) Paint(g, s.first, s.last, s.color);
    }
  }
}

std::vector<PaintedSpan> PortPainter::Spans(int group) const {
  std::vector<PaintedSpan> out;
  for (const PaintedSpan& s : spans_[group]) {
    if (!out.empty() && out.back().color == s.color && uint32_t{out.back().last} + 1 == s.first) {
      out.back().last = s.last;
    } else {
      out.push_back(s);
    }
  }
  return out;
}

}  // namespace microseg
