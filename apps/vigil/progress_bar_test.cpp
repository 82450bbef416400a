#include "apps/vigil/progress_bar.h"

#include <gtest/gtest.h>

namespace vigil::app {
namespace {

TEST(ProgressBarTest, GroupsThousands) {
  EXPECT_EQ(WithThousands(0), "0");
  EXPECT_EQ(WithThousands(13), "13");
  EXPECT_EQ(WithThousands(999), "999");
  EXPECT_EQ(WithThousands(1000), "1,000");
  EXPECT_EQ(WithThousands(26652), "26,652");
  EXPECT_EQ(WithThousands(1234567), "1,234,567");
}

TEST(ProgressBarTest, HumanBytes) {
  EXPECT_EQ(HumanBytes(512), "512 B");
  EXPECT_EQ(HumanBytes(1536), "1.5 KiB");
  EXPECT_EQ(HumanBytes(uint64_t{3} << 30), "3.0 GiB");
}

}  // namespace
}  // namespace vigil::app
