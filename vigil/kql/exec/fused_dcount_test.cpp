#include "vigil/kql/exec/fused_dcount.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

namespace vigil::kql {
namespace {

// A block of `rows` rows of a string column with its own dictionary (every value once) whose
// row r holds value values[r] ("" marks null), like a store block.
std::shared_ptr<store::ColumnVector> Block(const std::vector<std::string>& values) {
  auto col = std::make_shared<store::ColumnVector>();
  auto dict = std::make_shared<store::Dictionary>();
  std::map<std::string, uint32_t> codes;
  for (const auto& v : values) {
    col->valid.push_back(v.empty() ? 0 : 1);
    if (v.empty()) {
      col->codes.push_back(0);
      continue;
    }
    auto [it, inserted] = codes.emplace(v, static_cast<uint32_t>(codes.size()));
    if (inserted) {
      dict->Add(v);
    }
    col->codes.push_back(it->second);
  }
  col->dict = dict;
  return col;
}

// Every group's dcount after feeding `blocks` (value, group per row) through FusedDcount with
// the given bitmap byte limit.
std::vector<int64_t> Counts(const std::vector<std::vector<std::pair<std::string, uint32_t>>>& blocks,
                            size_t groups, size_t byte_limit, int64_t accuracy) {
  const AggregateFunction* fn = Registry::Default().FindAggregate("dcount");
  std::vector<std::unique_ptr<AggregateState>> states;
  for (size_t g = 0; g < groups; ++g) {
    states.push_back(fn->create());
  }
  size_t bytes = 0;
  FusedDcount dcount(accuracy, 1, 0, &bytes, byte_limit);
  for (const auto& block : blocks) {
    std::vector<std::string> values;
    std::vector<uint32_t> rows, group_of;
    for (size_t r = 0; r < block.size(); ++r) {
      values.push_back(block[r].first);
      if (r % 5 != 4) {  // rows the scan's filters dropped are not passed
        rows.push_back(static_cast<uint32_t>(r));
        group_of.push_back(block[r].second);
      }
    }
    dcount.Add(*Block(values), rows, group_of, states);
    EXPECT_LE(bytes, byte_limit);
  }
  dcount.Finish(states);
  EXPECT_EQ(bytes, 0u);
  std::vector<int64_t> out;
  for (auto& s : states) {
    std::vector<Value> v;
    s->Finish(v);
    out.push_back(v[0].AsInt64());
  }
  return out;
}

TEST(FusedDcountTest, CountsDistinctValuesPerGroupAcrossDictionariesAndLimits) {
  std::mt19937 rng(7);
  const size_t groups = 12;
  std::vector<std::vector<std::pair<std::string, uint32_t>>> blocks(6);
  std::vector<std::set<std::string>> exact(groups);
  for (size_t b = 0; b < blocks.size(); ++b) {
    for (size_t r = 0; r < 700; ++r) {
      const auto g = static_cast<uint32_t>(rng() % groups);
      // group 0 sees up to 3000 values (past the exact limit: the sketch), others 40
      const uint32_t v = g == 0 ? rng() % 3000 : rng() % 40;
      std::string value = r % 97 == 0 ? std::string() : "v" + std::to_string(v);
      if (r % 5 != 4) {
        exact[g].insert(value);  // null strings count as the empty string
      }
      blocks[b].emplace_back(std::move(value), g);
    }
  }
  const std::vector<int64_t> roomy = Counts(blocks, groups, size_t{1} << 20, 1);
  for (size_t g = 1; g < groups; ++g) {
    EXPECT_EQ(roomy[g], static_cast<int64_t>(exact[g].size())) << g;
  }
  EXPECT_NEAR(static_cast<double>(roomy[0]), static_cast<double>(exact[0].size()),
              exact[0].size() * 0.03);
  // Spilling early (no room at all, or in the middle of a block) changes nothing.
  for (const size_t limit : {size_t{0}, size_t{100}, size_t{600}}) {
    EXPECT_EQ(Counts(blocks, groups, limit, 1), roomy) << limit;
  }
  EXPECT_EQ(Counts(blocks, groups, 0, 2)[1], roomy[1]);
}

}  // namespace
}  // namespace vigil::kql
