#include "testing/truth_table.h"

#include <algorithm>
#include <cassert>
#include <set>
#include <sstream>

namespace microseg::testutil {
namespace {

std::vector<std::string> Tokens(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) out.emplace_back(line.substr(start, i - start));
  }
  return out;
}

std::string LineError(int line, const std::string& message) {
  return "line " + std::to_string(line) + ": " + message;
}

// Returns the name that occurs twice, or "".
std::string FirstDuplicate(const std::vector<std::string>& names) {
  std::set<std::string> seen;
  for (const auto& n : names) {
    if (!seen.insert(n).second) return n;
  }
  return "";
}

std::string Pad(const std::string& s, size_t width) {
  return s + std::string(width > s.size() ? width - s.size() : 0, ' ');
}

// Renders a grid with `cell(r, c)` as each cell's text.
template <typename CellFn>
std::string Render(const TruthTable& t, CellFn cell) {
  const std::string corner = "from\\to";
  size_t first = corner.size();
  for (const auto& r : t.rows()) first = std::max(first, r.size());
  std::vector<size_t> widths;
  for (const auto& c : t.columns()) widths.push_back(std::max<size_t>(c.size(), 1));
  std::ostringstream out;
  out << Pad(corner, first);
  for (size_t c = 0; c < t.columns().size(); ++c) out << ' ' << Pad(t.columns()[c], widths[c]);
  out << '\n';
  for (size_t r = 0; r < t.rows().size(); ++r) {
    out << Pad(t.rows()[r], first);
    for (size_t c = 0; c < t.columns().size(); ++c) out << ' ' << Pad(cell(r, c), widths[c]);
    out << '\n';
  }
  // Trailing blanks make diffs of printed grids noisy.
  std::string s = out.str();
  std::string trimmed;
  std::istringstream lines(s);
  for (std::string line; std::getline(lines, line);) {
    line.erase(line.find_last_not_of(' ') + 1);
    trimmed += line + '\n';
  }
  return trimmed;
}

}  // namespace

TruthTable::TruthTable(std::vector<std::string> rows, std::vector<std::string> columns,
                       bool allowed)
    : rows_(std::move(rows)),
      columns_(std::move(columns)),
      cells_(rows_.size() * columns_.size(), allowed) {}

Result<TruthTable> TruthTable::Parse(std::string_view text) {
  struct Line {
    int number;
    std::vector<std::string> tokens;
  };
  std::vector<Line> lines;
  int number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    ++number;
    std::vector<std::string> tokens = Tokens(text.substr(pos, end - pos));
    if (!tokens.empty() && tokens[0][0] != '#') lines.push_back({number, std::move(tokens)});
    pos = end + 1;
  }
  if (lines.empty()) return Status::Error("empty table: expected a header line of column names");
  if (lines.size() == 1) return Status::Error(LineError(lines[0].number, "table has no rows"));

  const size_t cells = lines[1].tokens.size() - 1;
  std::vector<std::string> header = lines[0].tokens;
  if (header.size() == cells + 1) {
    header.erase(header.begin());  // corner word
  } else if (header.size() != cells) {
    return Status::Error(LineError(
        lines[0].number, "header names " + std::to_string(header.size()) + " columns but row " +
                             lines[1].tokens[0] + " has " + std::to_string(cells) + " cells"));
  }
  if (cells == 0) return Status::Error(LineError(lines[1].number, "row has no cells"));
  if (std::string dup = FirstDuplicate(header); !dup.empty()) {
    return Status::Error(LineError(lines[0].number, "column " + dup + " appears twice"));
  }

  TruthTable table;
  table.columns_ = std::move(header);
  for (size_t i = 1; i < lines.size(); ++i) {
    const Line& line = lines[i];
    const std::string& name = line.tokens[0];
    if (line.tokens.size() - 1 != cells) {
      return Status::Error(LineError(line.number, "row " + name + " has " +
                                                      std::to_string(line.tokens.size() - 1) +
                                                      " cells, expected " + std::to_string(cells)));
    }
    for (size_t c = 0; c < cells; ++c) {
      const std::string& cell = line.tokens[c + 1];
      if (cell == ".") {
        table.cells_.push_back(true);
      } else if (cell == "X") {
        table.cells_.push_back(false);
      } else {
        return Status::Error(
            LineError(line.number, "row " + name + ", column " + table.columns_[c] + ": cell \"" +
                                       cell + "\" is neither \".\" (allow) nor \"X\" (deny)"));
      }
    }
    table.rows_.push_back(name);
  }
  if (std::string dup = FirstDuplicate(table.rows_); !dup.empty()) {
    return Status::Error("row " + dup + " appears twice");
  }
  return table;
}

size_t TruthTable::CountAllowed() const {
  return static_cast<size_t>(std::count(cells_.begin(), cells_.end(), true));
}

std::string TruthTable::ToString() const {
  return Render(*this, [this](size_t r, size_t c) { return allowed(r, c) ? "." : "X"; });
}

std::vector<CellMismatch> Compare(const TruthTable& expected, const TruthTable& actual) {
  assert(expected.rows() == actual.rows() && expected.columns() == actual.columns());
  std::vector<CellMismatch> out;
  for (size_t r = 0; r < expected.rows().size(); ++r) {
    for (size_t c = 0; c < expected.columns().size(); ++c) {
      if (expected.allowed(r, c) != actual.allowed(r, c)) {
        out.push_back({r, c, expected.allowed(r, c)});
      }
    }
  }
  return out;
}

std::string DescribeMismatches(const TruthTable& expected, const TruthTable& actual) {
  std::vector<CellMismatch> mismatches = Compare(expected, actual);
  std::ostringstream out;
  out << "expected:\n" << expected.ToString() << "actual:\n" << actual.ToString();
  out << "mismatches (! differs, - agrees):\n"
      << Render(expected, [&](size_t r, size_t c) {
           return expected.allowed(r, c) == actual.allowed(r, c) ? std::string("-")
                                                                 : std::string("!");
         });
  for (const CellMismatch& m : mismatches) {
    out << expected.rows()[m.row] << " -> " << expected.columns()[m.column] << ": expected "
        << (m.expected ? "allow" : "deny") << ", got " << (m.expected ? "deny" : "allow") << '\n';
  }
  return out.str();
}

}  // namespace microseg::testutil
