// BitPack/BitUnpack round trips for every width and for counts that end at every bit offset
// (the unpacker loads 8 bytes at a time and finishes the last values byte by byte).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "vigil/store/internal/encoding.h"

namespace vigil::store::internal {
namespace {

TEST(StoreBitPackTest, RoundTripsEveryWidthAndTail) {
  std::mt19937_64 rng(42);
  for (int width = 0; width <= 64; ++width) {
    const uint64_t mask = width == 64 ? ~uint64_t{0} : ((uint64_t{1} << width) - 1);
    for (size_t count : {size_t{0}, size_t{1}, size_t{2}, size_t{7}, size_t{8}, size_t{9},
                         size_t{63}, size_t{64}, size_t{65}, size_t{1000}}) {
      std::vector<uint64_t> values(count);
      for (auto& v : values) {
        v = rng() & mask;
      }
      if (count > 0) {
        values[count - 1] = mask;  // all bits set in the very last value
      }
      ByteWriter out;
      out.PutU8(0xAB);  // a leading byte: the packed bits need not be aligned in the buffer
      BitPack(values, width, out);
      out.PutU8(0xCD);  // and a trailing one the unpacker must not consume
      const std::string bytes = out.Release();
      ByteReader in(bytes);
      uint8_t lead = 0;
      ASSERT_TRUE(in.GetU8(lead));
      std::vector<uint64_t> decoded;
      ASSERT_TRUE(BitUnpack(in, count, width, decoded)) << width << " " << count;
      EXPECT_EQ(decoded, values) << "width " << width << " count " << count;
      uint8_t trail = 0;
      ASSERT_TRUE(in.GetU8(trail));
      EXPECT_EQ(trail, 0xCD);
      EXPECT_TRUE(in.at_end());
    }
  }
}

TEST(StoreBitPackTest, TruncatedInputFails) {
  ByteWriter out;
  BitPack(std::vector<uint64_t>(100, 5), 3, out);
  std::string bytes = out.Release();
  bytes.pop_back();
  ByteReader in(bytes);
  std::vector<uint64_t> decoded;
  EXPECT_FALSE(BitUnpack(in, 100, 3, decoded));
}

}  // namespace
}  // namespace vigil::store::internal
