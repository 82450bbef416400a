#include "vigil/base/hash_set64.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace vigil {
namespace {

uint64_t Mixed(uint64_t i) { return (i + 1) * 0x9E3779B97F4A7C15ull; }

TEST(HashSet64Test, InsertReportsNewMembersOnceIncludingZero) {
  HashSet64 set;
  EXPECT_TRUE(set.Insert(0));
  EXPECT_FALSE(set.Insert(0));
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_TRUE(set.Insert(Mixed(i)));
  }
  for (uint64_t i = 0; i < 1000; ++i) {
    EXPECT_FALSE(set.Insert(Mixed(i)));
  }
  EXPECT_EQ(set.size(), 1001u);
  EXPECT_EQ(set.values()[1], Mixed(0));  // insertion order
}

TEST(HashSet64Test, ReserveKeepsMembersAndLaterInsertsStillDeduplicate) {
  HashSet64 set;
  for (uint64_t i = 0; i < 10; ++i) {
    set.Insert(Mixed(i));
  }
  set.Reserve(5000);
  EXPECT_EQ(set.size(), 10u);
  for (uint64_t i = 0; i < 5000; ++i) {
    EXPECT_EQ(set.Insert(Mixed(i)), i >= 10) << i;
  }
  EXPECT_EQ(set.size(), 5000u);
  set.Reserve(3);  // smaller than the set: no effect
  EXPECT_FALSE(set.Insert(Mixed(4999)));
  set.Clear();
  EXPECT_EQ(set.size(), 0u);
  EXPECT_TRUE(set.Insert(Mixed(1)));
}

}  // namespace
}  // namespace vigil
