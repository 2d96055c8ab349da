// TruthTable: a connectivity grid in the style of the upstream Kubernetes
// network policy e2e tests (test/e2e/network/netpol). Rows are sources
// ("from"), columns destinations ("to"); a cell is "." when the flow is
// allowed and "X" when it is denied. Self pairs are ordinary cells.
//
//   from\to  x/a x/b x/c
//   x/a      .   X   .
//   x/b      .   .   .
//   x/c      X   X   .
//
// Text format (Parse):
//  - blank lines and lines whose first non-blank character is '#' are ignored;
//  - the first remaining line names the columns; it may start with one extra
//    corner word (any token, e.g. "from\to"), recognised by the header having
//    one token more than each row has cells;
//  - every other line is a row name followed by exactly one cell per column.
// Row and column names are whitespace-free tokens ("x/a", "node/node-1",
// "203.0.113.7") and must be unique within their axis.
//
// A value type; not thread-safe for concurrent mutation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace microseg::testutil {

class TruthTable {
 public:
  TruthTable() = default;
  // A table whose every cell is `allowed`.
  TruthTable(std::vector<std::string> rows, std::vector<std::string> columns, bool allowed);

  // Errors name the 1-based line of `text`, e.g.
  //   "line 3: row x/b has 2 cells, expected 3".
  static Result<TruthTable> Parse(std::string_view text);

  const std::vector<std::string>& rows() const { return rows_; }
  const std::vector<std::string>& columns() const { return columns_; }
  bool allowed(size_t row, size_t column) const { return cells_[row * columns_.size() + column]; }
  void set(size_t row, size_t column, bool allowed) {
    cells_[row * columns_.size() + column] = allowed;
  }
  size_t CountAllowed() const;

  // The grid in Parse's format with a "from\to" corner and aligned columns;
  // Parse(ToString()) reproduces the table.
  std::string ToString() const;

  bool operator==(const TruthTable&) const = default;

 private:
  std::vector<std::string> rows_;
  std::vector<std::string> columns_;
  std::vector<bool> cells_;  // row-major
};

struct CellMismatch {
  size_t row = 0;
  size_t column = 0;
  bool expected = false;  // the expected cell; actual is its negation
};

// Cells where `actual` differs from `expected`, row-major. Both tables must
// have the same rows and columns (asserted).
std::vector<CellMismatch> Compare(const TruthTable& expected, const TruthTable& actual);

// A human-readable report: both grids, a grid marking mismatched cells with
// "!" (and agreeing ones with "-"), and one line per mismatch
// ("x/a -> y/b: expected allow, got deny").
std::string DescribeMismatches(const TruthTable& expected, const TruthTable& actual);

}  // namespace microseg::testutil
