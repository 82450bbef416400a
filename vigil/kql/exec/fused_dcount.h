// dcount inside a fused scan summarize (ScanAggregateOp), one per aggregate and scan thread.
//
// Adding each row's value to its group's state is a random access into every group's exact
// set or 16 KiB sketch: one cache miss per row once there are many groups. Over a dictionary
// column this numbers the distinct hashes the thread meets instead (a few thousand for a device
// or account column) and a row sets one bit per (group, value number), in a loop without a
// branch per row. Finish() then feeds each group's set bits to its state in one run, so the
// state stays in cache. Past the byte limit (many groups times many values) the bits are fed
// to the states early and rows go straight to their states from then on. Columns without a
// dictionary (numbers) always go straight to the states.
//
// Over a string column whose dictionaries carry the store's table-wide value ids
// (Dictionary::value_ids), the value number is that id, the same on every scan thread. A
// thread's bitmaps then go to the group states whole (AggregateState::AddDistinctBitmap) with
// the ids' hashes in a table the threads share (SharedIdHashes), and the threads' states merge
// by OR: no value is hashed into an exact set or sketch unless its group passes the exact
// limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "vigil/base/string_interner.h"
#include "vigil/kql/functions/registry.h"
#include "vigil/store/table_source.h"

namespace vigil::kql {

// The hashes of one column's store value ids, shared by a scan's threads: each adds what it
// hashed when it finishes; read (through table()) only after every thread has finished.
class SharedIdHashes {
 public:
  // Takes the table for the value-id space `space`; false when another space has it.
  bool Claim(uint64_t space);
  // Records hashes[i] for each i with known[i] != 0.
  void Absorb(const std::vector<uint64_t>& hashes, const std::vector<uint8_t>& known);
  std::shared_ptr<const DistinctValueHashes> table() const { return table_; }

 private:
  std::mutex mu_;
  uint64_t space_ = 0;
  std::vector<uint8_t> known_;
  std::shared_ptr<DistinctValueHashes> table_ = std::make_shared<DistinctValueHashes>();
};

class FusedDcount {
 public:
  // The group states live in `states` at [group * stride + offset]. `bytes_used` is shared by a
  // thread's FusedDcounts and kept at most `byte_limit`. `shared` (may be null) is the table
  // of store value-id hashes this aggregate's FusedDcounts on other threads share.
  FusedDcount(int64_t accuracy, size_t stride, size_t offset, size_t* bytes_used, size_t byte_limit,
              SharedIdHashes* shared = nullptr)
      : accuracy_(accuracy),
        stride_(stride),
        offset_(offset),
        bytes_used_(bytes_used),
        byte_limit_(byte_limit),
        shared_(shared) {}

  // Adds the value of column `col` at each of `rows` (the batch rows that passed the scan's
  // filters) to the group in `groups` at the same index.
  void Add(const store::ColumnVector& col, const std::vector<uint32_t>& rows,
           const std::vector<uint32_t>& groups,
           std::vector<std::unique_ptr<AggregateState>>& states);
  // Hands the bits gathered so far to the states (as bitmaps over store value ids where the
  // states take them, else as hashes); afterwards rows go straight to the states.
  void Finish(std::vector<std::unique_ptr<AggregateState>>& states);

 private:
  enum class Mode : uint8_t { kNone, kLocal, kStoreIds };

  // Takes `col`'s dictionary; false when its values cannot be numbered like the previous
  // dictionaries' (store value ids of another space, or none): its rows then go straight to
  // the states, and the bits gathered so far stay.
  bool UseDictionary(const store::ColumnVector& col);
  // Feeds the bits to the states as hashes; afterwards rows go straight to the states.
  void Spill(std::vector<std::unique_ptr<AggregateState>>& states);
  uint64_t ValueHash(uint32_t v) const {
    return mode_ == Mode::kStoreIds ? id_hash_[v] : values_.hashes()[v];
  }
  size_t ValueCount() const { return mode_ == Mode::kStoreIds ? id_count_ : values_.size(); }
  // The hash dcount counts for `code` of the current dictionary, computed once per code.
  uint64_t CodeHash(uint32_t code);
  // The value number of `code` of the current dictionary (first time for this dictionary).
  uint32_t NumberCode(uint32_t code);
  // Makes room for value `v` in `group`'s bitmap; false when that would pass the byte limit
  // (the bits are then fed to the states).
  bool Room(size_t group, uint32_t v, std::vector<std::unique_ptr<AggregateState>>& states);
  AggregateState& State(std::vector<std::unique_ptr<AggregateState>>& states, size_t group) const {
    return *states[group * stride_ + offset_];
  }

  static constexpr uint32_t kNoValue = UINT32_MAX;

  int64_t accuracy_;
  size_t stride_;
  size_t offset_;
  size_t* bytes_used_;
  size_t byte_limit_;
  SharedIdHashes* shared_;
  Mode mode_ = Mode::kNone;
  bool bitmaps_ = true;   // false once spilled
  bool numbered_ = true;  // the current dictionary's values have value numbers
  // The current dictionary and its codes' hashes and value numbers.
  std::shared_ptr<const store::Dictionary> dict_;
  schema::ColumnType type_ = schema::ColumnType::kString;
  std::vector<uint64_t> code_hash_;
  std::vector<uint8_t> hashed_;
  std::vector<uint32_t> code_value_;
  uint64_t id_space_ = 0;                 // the store's value-id space of the ids below
  std::vector<uint32_t> store_id_value_;  // kLocal: store value id -> value number
  StringInterner values_;  // kLocal: distinct hashes (as 8-byte texts) -> value number
  // kStoreIds: the hash of each store value id met (id_known_), ids below id_count_.
  std::vector<uint64_t> id_hash_;
  std::vector<uint8_t> id_known_;
  size_t id_count_ = 0;
  std::vector<std::vector<uint64_t>> bits_;  // per group: one bit per value number
  std::vector<uint32_t> row_values_;         // per batch row
  std::vector<uint64_t> hash_buffer_;
};

}  // namespace vigil::kql
