// RowReader: reads Sigma field values (through mapping.h Accessors) from one row of a
// TableBatch, caching each value, its case-folded form, the row's Provider/Channel/EventID and
// the parsed AdditionalFields for the current row. Used by CompiledRuleSet::Match/ReadField.
// Not thread-safe: one per thread (inside MatchScratch); buffers are reused across rows.
#pragma once

#include <simdjson.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/detect/match/mapping.h"
#include "vigil/schema/table_batch.h"

namespace vigil::detect::match {

// ASCII lower-casing by table (locale-free, branch-free): the only case folding of the matcher.
inline constexpr std::array<char, 256> kFoldTable = [] {
  std::array<char, 256> table{};
  for (int c = 0; c < 256; ++c) {
    table[static_cast<size_t>(c)] =
        static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return table;
}();

inline char FoldChar(char c) { return kFoldTable[static_cast<unsigned char>(c)]; }

inline void FoldInto(std::string_view text, std::string& out) {
  out.resize(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    out[i] = FoldChar(text[i]);
  }
}

struct FieldValue {
  enum class Kind : uint8_t { kAbsent, kNull, kString, kNumber, kBool };
  Kind kind = Kind::kAbsent;
  std::string_view text;  // text form (numbers in decimal, bools true/false); empty for null
  double number = 0;      // kNumber / kBool
  bool is_datetime = false;
  int64_t ticks = 0;  // is_datetime

  bool present() const { return kind != Kind::kAbsent && kind != Kind::kNull; }
};

class RowReader {
 public:
  RowReader();
  // Starts a new row; `accessors` is the accessor table the ids given to Get() index.
  void Reset(const schema::TableBatch& batch, size_t row, const std::vector<Accessor>* accessors);

  const FieldValue& Get(uint32_t id);
  // The value's text, ASCII lower-cased (cached).
  std::string_view Folded(uint32_t id);
  // Reads an accessor that is not in the table (ReadField); not cached.
  FieldValue Read(const Accessor& accessor, std::string& buffer);

  std::string_view Channel();
  std::string_view Provider();
  std::optional<int64_t> EventId();

  // The row's Provider/Channel/EventID, to hand to a later Reset of the same row (Match reads
  // the header once per row in its bucket pass). `stable` is false when the values live in
  // this reader's buffers (escaped JSON): such a header must not be reused.
  struct Header {
    std::string_view channel, provider;
    std::optional<int64_t> event_id;
    bool stable = false;
  };
  Header GetHeader();
  void SetHeader(const Header& header);

  // Calls fn(text) for every string column (except AdditionalFields) and every string member
  // of AdditionalFields; stops when fn returns true. Returns whether it stopped.
  template <typename Fn>
  bool AnyString(Fn&& fn);

  const schema::TableBatch& batch() const { return *batch_; }
  size_t row() const { return row_; }

 private:
  void ScanHeader();
  bool ParseAdditional();
  FieldValue Additional(std::string_view key, std::string& buffer);
  FieldValue Column(int col, bool datetime, std::string& buffer);

  const schema::TableBatch* batch_ = nullptr;
  size_t row_ = 0;
  const std::vector<Accessor>* accessors_ = nullptr;
  uint64_t generation_ = 0;
  std::vector<uint64_t> value_stamp_;
  std::vector<uint64_t> folded_stamp_;
  std::vector<FieldValue> values_;
  std::vector<std::string> buffers_;
  std::vector<std::string> folded_;

  bool header_done_ = false;
  bool header_fast_ = false;
  std::string_view channel_, provider_;
  std::optional<int64_t> event_id_;
  std::string header_buffer_;

  int af_state_ = 0;  // 0 not parsed, 1 parsed object, 2 absent/invalid
  simdjson::dom::parser parser_;
  simdjson::dom::object af_;
  std::string af_scratch_;
};

template <typename Fn>
bool RowReader::AnyString(Fn&& fn) {
  const auto& schema = batch_->schema();
  const int af_col = schema.additional_fields_column();
  for (size_t col = 0; col < schema.column_count(); ++col) {
    if (static_cast<int>(col) == af_col || !schema::IsBytesBacked(schema.column(col).type)) {
      continue;
    }
    const auto& data = batch_->column(col);
    if (data.IsNull(row_)) {
      continue;
    }
    if (fn(data.GetBytes(row_))) {
      return true;
    }
  }
  if (!ParseAdditional()) {
    return false;
  }
  for (auto field : af_) {
    std::string_view text;
    if (field.value.get_string().get(text) == simdjson::SUCCESS && fn(text)) {
      return true;
    }
  }
  return false;
}

}  // namespace vigil::detect::match
