#include "vigil/kql/exec/fused_dcount.h"

#include <algorithm>
#include <bit>
#include <string>
#include <string_view>

#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

bool SharedIdHashes::Claim(uint64_t space) {
  std::lock_guard lock(mu_);
  if (space_ == 0) {
    space_ = space;
  }
  return space_ == space;
}

void SharedIdHashes::Absorb(const std::vector<uint64_t>& hashes,
                            const std::vector<uint8_t>& known) {
  std::lock_guard lock(mu_);
  if (table_->hashes.size() < hashes.size()) {
    table_->hashes.resize(hashes.size(), 0);
    known_.resize(hashes.size(), 0);
  }
  for (size_t i = 0; i < hashes.size(); ++i) {
    if (known[i] != 0 && known_[i] == 0) {
      table_->hashes[i] = hashes[i];
      known_[i] = 1;
    }
  }
}

bool FusedDcount::UseDictionary(const store::ColumnVector& col) {
  dict_ = col.dict;
  type_ = col.type;
  code_hash_.assign(dict_->size(), 0);
  hashed_.assign(dict_->size(), 0);
  code_value_.assign(dict_->size(), kNoValue);
  // Store value ids number a string value the same on every thread (guid and dynamic texts
  // that differ can hash alike, so they keep the thread's own numbering).
  const uint64_t space = dict_->id_space();
  const bool ids = shared_ != nullptr && type_ == schema::ColumnType::kString && space != 0;
  if (mode_ == Mode::kNone) {
    mode_ = ids && shared_->Claim(space) ? Mode::kStoreIds : Mode::kLocal;
    if (mode_ == Mode::kStoreIds) {
      id_space_ = space;
    }
    return true;
  }
  return mode_ == Mode::kLocal || (ids && space == id_space_);
}

uint64_t FusedDcount::CodeHash(uint32_t code) {
  if (hashed_[code] == 0) {
    const std::string_view raw = (*dict_)[code];
    code_hash_[code] = type_ == schema::ColumnType::kString
                           ? DistinctHashOfString(raw)
                           : DistinctHash(ScanDictValue(type_, raw));
    hashed_[code] = 1;
  }
  return code_hash_[code];
}

uint32_t FusedDcount::NumberCode(uint32_t code) {
  if (mode_ == Mode::kStoreIds) {
    const uint32_t id = dict_->value_ids()[code];
    if (id >= id_hash_.size()) {
      const size_t size = std::max<size_t>(id + 1, id_hash_.size() * 2);
      id_hash_.resize(size, 0);
      id_known_.resize(size, 0);
    }
    if (id_known_[id] == 0) {
      id_hash_[id] = CodeHash(code);
      id_known_[id] = 1;
      id_count_ = std::max<size_t>(id_count_, size_t{id} + 1);
    }
    code_value_[code] = id;
    return id;
  }
  // A value the store numbered table-wide (Dictionary::value_ids) that an earlier dictionary
  // already had keeps its number without hashing.
  uint32_t* slot = nullptr;
  if (dict_->id_space() != 0) {
    if (dict_->id_space() != id_space_) {
      id_space_ = dict_->id_space();
      store_id_value_.clear();
    }
    const uint32_t id = dict_->value_ids()[code];
    if (id >= store_id_value_.size()) {
      store_id_value_.resize(std::max<size_t>(id + 1, store_id_value_.size() * 2), kNoValue);
    }
    slot = &store_id_value_[id];
    if (*slot != kNoValue) {
      code_value_[code] = *slot;
      return *slot;
    }
  }
  const uint64_t h = CodeHash(code);
  const uint32_t v =
      values_.Intern(std::string_view(reinterpret_cast<const char*>(&h), sizeof(h)), h);
  code_value_[code] = v;
  if (slot != nullptr) {
    *slot = v;
  }
  return v;
}

void FusedDcount::Add(const store::ColumnVector& col, const std::vector<uint32_t>& rows,
                      const std::vector<uint32_t>& groups,
                      std::vector<std::unique_ptr<AggregateState>>& states) {
  static const uint64_t kEmptyStringHash = DistinctHash(Value::String(std::string()));
  if (col.dict && col.dict != dict_) {
    numbered_ = UseDictionary(col);
  }
  // Row i's value straight into its group's state.
  auto add_row = [&](size_t i) {
    const uint32_t r = rows[i];
    uint64_t h;
    if (col.IsNull(r)) {
      if (col.type != schema::ColumnType::kString) {
        return;  // dcount skips nulls
      }
      h = kEmptyStringHash;  // a null string is the empty string
    } else if (col.dict) {
      h = CodeHash(col.codes[r]);
    } else if (col.type == schema::ColumnType::kReal) {
      h = DistinctHash(Value::Real(col.reals[r]));
    } else {
      h = DistinctHash(ScanIntValue(col.type, col.ints[r]));
    }
    State(states, groups[i]).AddDistinctHashes({&h, 1}, accuracy_);
  };
  size_t i = 0;
  if (col.dict && bitmaps_ && numbered_) {
    // First the value number of every row, making room in the bitmaps; then a tight loop sets
    // the bits (independent loads, so the cache misses overlap).
    row_values_.resize(rows.size());
    for (; i < rows.size(); ++i) {
      const uint32_t r = rows[i];
      if (col.IsNull(r)) {
        row_values_[i] = kNoValue;
        add_row(i);
        continue;
      }
      const uint32_t code = col.codes[r];
      uint32_t v = code_value_[code];
      if (v == kNoValue) {
        v = NumberCode(code);
      }
      const uint32_t g = groups[i];
      if ((g >= bits_.size() || (v >> 6) >= bits_[g].size()) && !Room(g, v, states)) {
        // Spilled: the rows before this one go straight to their states too.
        for (size_t j = 0; j < i; ++j) {
          if (row_values_[j] != kNoValue) {
            const uint64_t h = ValueHash(row_values_[j]);
            State(states, groups[j]).AddDistinctHashes({&h, 1}, accuracy_);
          }
        }
        break;
      }
      row_values_[i] = v;
    }
    if (bitmaps_) {
      std::vector<uint64_t>* bits = bits_.data();
      for (size_t j = 0; j < rows.size(); ++j) {
        const uint32_t v = row_values_[j];
        if (v != kNoValue) {
          bits[groups[j]][v >> 6] |= uint64_t{1} << (v & 63);
        }
      }
      return;
    }
  }
  for (; i < rows.size(); ++i) {
    add_row(i);
  }
}

bool FusedDcount::Room(size_t group, uint32_t v,
                       std::vector<std::unique_ptr<AggregateState>>& states) {
  if (group >= bits_.size()) {
    bits_.resize(std::max(group + 1, bits_.size() * 2));
  }
  std::vector<uint64_t>& row = bits_[group];
  if ((v >> 6) < row.size()) {
    return true;
  }
  // Room for every value numbered so far and a quarter more: the rows are the working set of
  // the scan, so they are kept tight (a group touched again after its row grew grows again).
  const size_t words = std::max<size_t>((v >> 6) + 1, (ValueCount() + ValueCount() / 4 + 63) / 64);
  const size_t added = (words - row.size()) * sizeof(uint64_t);
  if (*bytes_used_ + added > byte_limit_) {
    Spill(states);
    return false;
  }
  *bytes_used_ += added;
  row.resize(words, 0);
  return true;
}

void FusedDcount::Finish(std::vector<std::unique_ptr<AggregateState>>& states) {
  if (!bitmaps_ || mode_ != Mode::kStoreIds) {
    Spill(states);
    return;
  }
  shared_->Absorb(id_hash_, id_known_);
  const std::shared_ptr<const DistinctValueHashes> table = shared_->table();
  for (size_t g = 0; g < bits_.size(); ++g) {
    std::vector<uint64_t>& row = bits_[g];
    *bytes_used_ -= row.size() * sizeof(uint64_t);
    if (!row.empty() && !State(states, g).AddDistinctBitmap(row, table, accuracy_)) {
      *bytes_used_ += row.size() * sizeof(uint64_t);  // Spill below feeds it as hashes
      continue;
    }
    row = {};
  }
  Spill(states);
}

void FusedDcount::Spill(std::vector<std::unique_ptr<AggregateState>>& states) {
  if (!bitmaps_) {
    return;
  }
  for (size_t g = 0; g < bits_.size(); ++g) {
    const std::vector<uint64_t>& row = bits_[g];
    hash_buffer_.clear();
    for (size_t w = 0; w < row.size(); ++w) {
      for (uint64_t word = row[w]; word != 0; word &= word - 1) {
        hash_buffer_.push_back(ValueHash(static_cast<uint32_t>(w * 64) +
                                         static_cast<uint32_t>(std::countr_zero(word))));
      }
    }
    if (!hash_buffer_.empty()) {
      State(states, g).AddDistinctHashes(hash_buffer_, accuracy_);
    }
    *bytes_used_ -= row.size() * sizeof(uint64_t);
  }
  bits_ = {};
  bitmaps_ = false;
}

}  // namespace vigil::kql
