#include "testing/truth_table.h"

#include <gtest/gtest.h>

namespace microseg::testutil {
namespace {

TEST(TruthTableTest, ParsesGridWithCorner) {
  auto t = TruthTable::Parse(R"(
    # comment lines and blank lines are skipped
    from\to x/a x/b
    x/a     .   X

    x/b     X   .
  )");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->rows(), (std::vector<std::string>{"x/a", "x/b"}));
  EXPECT_EQ(t->columns(), (std::vector<std::string>{"x/a", "x/b"}));
  EXPECT_TRUE(t->allowed(0, 0));
  EXPECT_FALSE(t->allowed(0, 1));
  EXPECT_FALSE(t->allowed(1, 0));
  EXPECT_TRUE(t->allowed(1, 1));
  EXPECT_EQ(t->CountAllowed(), 2u);
}

TEST(TruthTableTest, ParsesGridWithoutCornerAndDifferentAxes) {
  auto t = TruthTable::Parse("x/a node/node-1 203.0.113.7\nx/b . X .\n");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->rows(), (std::vector<std::string>{"x/b"}));
  EXPECT_EQ(t->columns().size(), 3u);
  EXPECT_FALSE(t->allowed(0, 1));
}

TEST(TruthTableTest, RoundTripsThroughToString) {
  TruthTable t({"x/a", "y/longer-name"}, {"x/a", "y/b", "z/c"}, true);
  t.set(1, 2, false);
  EXPECT_EQ(t.ToString(),
            "from\\to       x/a y/b z/c\n"
            "x/a           .   .   .\n"
            "y/longer-name .   .   X\n");
  auto back = TruthTable::Parse(t.ToString());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, t);
}

struct BadTable {
  const char* text;
  const char* error;
};

class TruthTableErrorTest : public ::testing::TestWithParam<BadTable> {};

TEST_P(TruthTableErrorTest, NamesLineAndProblem) {
  auto t = TruthTable::Parse(GetParam().text);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(), GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    All, TruthTableErrorTest,
    ::testing::Values(BadTable{"", "empty table: expected a header line of column names"},
                      BadTable{"a b\n", "line 1: table has no rows"},
                      BadTable{"a b c d\na . X\n",
                               "line 1: header names 4 columns but row a has 2 cells"},
                      BadTable{"a b\na . .\nb . \n", "line 3: row b has 1 cells, expected 2"},
                      BadTable{"a b\na . y\n",
                               "line 2: row a, column b: cell \"y\" is neither \".\" (allow) "
                               "nor \"X\" (deny)"},
                      BadTable{"a a\na . .\n", "line 1: column a appears twice"},
                      BadTable{"a b\na . .\na . .\n", "row a appears twice"}));

TEST(TruthTableTest, CompareListsMismatchesRowMajor) {
  TruthTable expected({"a", "b"}, {"a", "b"}, true);
  TruthTable actual = expected;
  actual.set(0, 1, false);
  actual.set(1, 0, false);
  auto m = Compare(expected, actual);
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].row, 0u);
  EXPECT_EQ(m[0].column, 1u);
  EXPECT_TRUE(m[0].expected);
  EXPECT_EQ(m[1].row, 1u);
  EXPECT_EQ(m[1].column, 0u);
  EXPECT_TRUE(Compare(expected, expected).empty());
}

TEST(TruthTableTest, DescribeMismatchesShowsGridsAndCells) {
  TruthTable expected({"a", "b"}, {"a", "b"}, true);
  TruthTable actual = expected;
  actual.set(1, 0, false);
  EXPECT_EQ(DescribeMismatches(expected, actual),
            "expected:\n"
            "from\\to a b\n"
            "a       . .\n"
            "b       . .\n"
            "actual:\n"
            "from\\to a b\n"
            "a       . .\n"
            "b       X .\n"
            "mismatches (! differs, - agrees):\n"
            "from\\to a b\n"
            "a       - -\n"
            "b       ! -\n"
            "b -> a: expected allow, got deny\n");
}

}  // namespace
}  // namespace microseg::testutil
