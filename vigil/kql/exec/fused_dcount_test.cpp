#include "vigil/kql/exec/fused_dcount.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

namespace vigil::kql {
namespace {

// A block of `rows` rows of a string column with its own dictionary (every value once) whose
// row r holds value values[r] ("" marks null), like a store block. With `ids` (text -> store
// value id, grown as values appear) the dictionary carries table-wide value ids of `space`.
std::shared_ptr<store::ColumnVector> Block(const std::vector<std::string>& values,
                                           std::map<std::string, uint32_t>* ids = nullptr,
                                           uint64_t space = 0) {
  auto col = std::make_shared<store::ColumnVector>();
  auto dict = std::make_shared<store::Dictionary>();
  std::map<std::string, uint32_t> codes;
  std::vector<uint32_t> value_ids;
  for (const auto& v : values) {
    col->valid.push_back(v.empty() ? 0 : 1);
    if (v.empty()) {
      col->codes.push_back(0);
      continue;
    }
    auto [it, inserted] = codes.emplace(v, static_cast<uint32_t>(codes.size()));
    if (inserted) {
      dict->Add(v);
      if (ids != nullptr) {
        value_ids.push_back(ids->emplace(v, static_cast<uint32_t>(ids->size())).first->second);
      }
    }
    col->codes.push_back(it->second);
  }
  if (ids != nullptr) {
    dict->SetValueIds(space, std::move(value_ids));
  }
  col->dict = dict;
  return col;
}

using Blocks = std::vector<std::vector<std::pair<std::string, uint32_t>>>;

struct FeedOptions {
  size_t byte_limit = size_t{1} << 20;
  int64_t accuracy = 1;
  size_t threads = 1;                   // blocks dealt round-robin to this many FusedDcounts
  bool value_ids = false;               // dictionaries carry store value ids (one space)
  size_t block_without_ids = SIZE_MAX;  // ... except this block
};

// Every group's dcount after feeding `blocks` (value, group per row) through FusedDcount, as
// a fused scan does: each thread its own states, merged into the first thread's at the end.
std::vector<int64_t> Counts(const Blocks& blocks, size_t groups, const FeedOptions& run) {
  const AggregateFunction* fn = Registry::Default().FindAggregate("dcount");
  std::vector<std::vector<std::unique_ptr<AggregateState>>> states(run.threads);
  std::vector<size_t> bytes(run.threads, 0);
  SharedIdHashes shared;
  std::vector<FusedDcount> dcounts;
  for (size_t t = 0; t < run.threads; ++t) {
    for (size_t g = 0; g < groups; ++g) {
      states[t].push_back(fn->create());
    }
    dcounts.emplace_back(run.accuracy, 1, 0, &bytes[t], run.byte_limit, &shared);
  }
  std::map<std::string, uint32_t> ids;
  for (size_t b = 0; b < blocks.size(); ++b) {
    const size_t t = b % run.threads;
    std::vector<std::string> values;
    std::vector<uint32_t> rows, group_of;
    for (size_t r = 0; r < blocks[b].size(); ++r) {
      values.push_back(blocks[b][r].first);
      if (r % 5 != 4) {  // rows the scan's filters dropped are not passed
        rows.push_back(static_cast<uint32_t>(r));
        group_of.push_back(blocks[b][r].second);
      }
    }
    const bool with_ids = run.value_ids && b != run.block_without_ids;
    dcounts[t].Add(*Block(values, with_ids ? &ids : nullptr, with_ids ? 77 : 0), rows, group_of,
                   states[t]);
    EXPECT_LE(bytes[t], run.byte_limit);
  }
  for (size_t t = 0; t < run.threads; ++t) {
    dcounts[t].Finish(states[t]);
    EXPECT_EQ(bytes[t], 0u);
  }
  for (size_t t = 1; t < run.threads; ++t) {
    for (size_t g = 0; g < groups; ++g) {
      states[0][g]->Merge(*states[t][g]);
    }
  }
  std::vector<int64_t> out;
  for (auto& s : states[0]) {
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
  const std::vector<int64_t> roomy = Counts(blocks, groups, FeedOptions{});
  for (size_t g = 1; g < groups; ++g) {
    EXPECT_EQ(roomy[g], static_cast<int64_t>(exact[g].size())) << g;
  }
  EXPECT_NEAR(static_cast<double>(roomy[0]), static_cast<double>(exact[0].size()),
              exact[0].size() * 0.03);
  // Spilling early (no room at all, or in the middle of a block) changes nothing.
  for (const size_t limit : {size_t{0}, size_t{100}, size_t{600}}) {
    EXPECT_EQ(Counts(blocks, groups, FeedOptions{.byte_limit = limit}), roomy) << limit;
  }
  EXPECT_EQ(Counts(blocks, groups, FeedOptions{.byte_limit = 0, .accuracy = 2})[1], roomy[1]);
  // Two threads numbering values by store value ids hand their bitmaps to the states, which
  // merge them by OR: the same counts, the sketched group included, at any spill point, and
  // when one dictionary has no ids (that thread spills) or the states get only hashes.
  for (const size_t limit : {size_t{1} << 20, size_t{0}, size_t{300}}) {
    EXPECT_EQ(
        Counts(blocks, groups, FeedOptions{.byte_limit = limit, .threads = 2, .value_ids = true}),
        roomy)
        << limit;
  }
  EXPECT_EQ(
      Counts(blocks, groups, FeedOptions{.threads = 2, .value_ids = true, .block_without_ids = 3}),
      roomy);
  EXPECT_EQ(
      Counts(blocks, groups, FeedOptions{.threads = 3, .value_ids = true, .block_without_ids = 0}),
      roomy);
  EXPECT_EQ(Counts(blocks, groups, FeedOptions{.threads = 2}), roomy);
}

TEST(FusedDcountTest, BitmapStatesMergeWithStatesFedValues) {
  // A state holding a bitmap merges with one fed Values (either way round) into the count of
  // the union, exact below the limit.
  const AggregateFunction* fn = Registry::Default().FindAggregate("dcount");
  auto table = std::make_shared<DistinctValueHashes>();
  for (int i = 0; i < 100; ++i) {
    table->hashes.push_back(DistinctHash(Value::String("v" + std::to_string(i))));
  }
  std::vector<uint64_t> bits(2, 0);
  for (int i = 0; i < 100; i += 2) {
    bits[static_cast<size_t>(i) / 64] |= uint64_t{1} << (i % 64);  // v0, v2, ..., v98
  }
  for (const bool bitmap_first : {true, false}) {
    auto with_bits = fn->create();
    auto with_values = fn->create();
    std::vector<uint64_t> copy = bits;
    ASSERT_TRUE(with_bits->AddDistinctBitmap(copy, table, 1));
    for (int i = 0; i < 30; ++i) {  // v0..v29: 15 of them already in the bitmap
      const Value v = Value::String("v" + std::to_string(i));
      with_values->Add(std::span<const Value>(&v, 1));
    }
    AggregateState& into = bitmap_first ? *with_bits : *with_values;
    into.Merge(bitmap_first ? *with_values : *with_bits);
    std::vector<Value> out;
    into.Finish(out);
    EXPECT_EQ(out[0].AsInt64(), 50 + 15) << bitmap_first;
  }
  // A bitmap over another table is refused, and the state keeps its own.
  auto state = fn->create();
  std::vector<uint64_t> copy = bits;
  ASSERT_TRUE(state->AddDistinctBitmap(copy, table, 1));
  std::vector<uint64_t> other_bits = bits;
  EXPECT_FALSE(
      state->AddDistinctBitmap(other_bits, std::make_shared<DistinctValueHashes>(*table), 1));
  EXPECT_EQ(other_bits, bits);
}

}  // namespace
}  // namespace vigil::kql
