// CompiledRuleSet::Match and ReadField: the hot path. Per batch: (1) the buckets of every row
// (ActionType, Channel); (2) for the buckets that take a good share of the batch, whole-column
// Vectorscan scans of their plain string-column literals and of their keyword literals (every
// string cell); (3) per row and bucket, the remaining per-value scans and the exact evaluation
// of the rules whose necessary literal hit.

#include <algorithm>
#include <cstddef>

#include "vigil/detect/match/compiled.h"
#include "vigil/detect/match/internal/compiled_types.h"

namespace vigil::detect::match {
namespace {

using internal::Bucket;
using internal::TableMatcher;
using internal::ThreadState;
using BatchHits = ThreadState::BatchHits;

void MarkAtom(ThreadState& state, uint32_t atom) {
  if (state.atom_hit[atom] == 0) {
    state.atom_hit[atom] = 1;
    state.atoms_set.push_back(atom);
  }
}

int OnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long /*to*/,
            unsigned int /*flags*/, void* context) {
  MarkAtom(*static_cast<ThreadState*>(context), id);
  return 0;
}

// Scan of one buffer: a whole column of the batch (row < 0), or one row's cell. Every match
// becomes (row, atom). A match of the escape atom counts only inside AdditionalFields and only
// when its backslash really starts an escape (preceded by an even run of backslashes).
struct ColumnScan {
  const schema::ColumnData* column;
  size_t rows;
  uint32_t base;     // offset in column->bytes of the scanned buffer
  int64_t row = -1;  // >= 0: the buffer is this row's cell
  bool additional = false;
  uint32_t escape_atom = internal::kNoAtom;
  std::vector<std::pair<uint32_t, uint32_t>>* hits;
  uint32_t cursor = 0;  // whole-column scans: the row of the last match
};

int OnColumnMatch(unsigned int id, unsigned long long /*from*/, unsigned long long to,
                  unsigned int /*flags*/, void* context) {
  auto& scan = *static_cast<ColumnScan*>(context);
  const auto last = static_cast<uint32_t>(scan.base + to - 1);  // last byte of the match
  uint32_t row = 0;
  if (scan.row >= 0) {
    row = static_cast<uint32_t>(scan.row);
  } else {
    // Matches come in increasing end offset: walk a cursor forward, search when it cannot.
    const auto& offsets = scan.column->offsets;
    row = scan.cursor;
    if (offsets[row] > last) {
      auto it = std::upper_bound(
          offsets.begin(), offsets.begin() + static_cast<ptrdiff_t>(scan.rows) + 1, last);
      row = static_cast<uint32_t>(it - offsets.begin() - 1);
    } else {
      for (int step = 0; offsets[row + 1] <= last; ++step) {
        if (step == 8) {
          auto it = std::upper_bound(
              offsets.begin(), offsets.begin() + static_cast<ptrdiff_t>(scan.rows) + 1, last);
          row = static_cast<uint32_t>(it - offsets.begin() - 1);
          break;
        }
        ++row;
      }
    }
    scan.cursor = row;
  }
  if (id == scan.escape_atom) {
    if (!scan.additional) {
      return 0;
    }
    const uint32_t cell_begin = scan.column->offsets[row];
    const std::string& bytes = scan.column->bytes;
    uint32_t run = 0;
    for (uint32_t p = last - 1; p > cell_begin && bytes[p - 1] == '\\'; --p) {
      ++run;
    }
    if (run % 2 != 0) {
      return 0;
    }
  }
  auto& hits = *scan.hits;
  if (hits.empty() || hits.back() != std::pair(row, static_cast<uint32_t>(id))) {
    hits.emplace_back(row, id);
  }
  return 0;
}

void ScanWhole(const hs_database_t* db, const schema::ColumnData& data, size_t rows,
               ColumnScan& scan, hs_scratch_t* scratch) {
  scan.row = -1;
  scan.cursor = 0;
  scan.base = data.offsets[0];
  const uint32_t size = data.offsets[rows] - scan.base;
  if (size > 0) {
    hs_scan(db, data.bytes.data() + scan.base, size, 0, scratch, OnColumnMatch, &scan);
  }
}

bool InBucket(const ThreadState& state, size_t row, uint32_t bucket) {
  const uint32_t* b = &state.row_buckets[row * 4];
  return b[0] == bucket || b[1] == bucket || b[2] == bucket || b[3] == bucket;
}

// Fills `out` for one bucket: keyword literals over every string cell (whole columns when the
// bucket takes a good share of the rows, else the cells of its rows), and, when `columns`, the
// column databases over their whole columns.
void ScanBatch(const schema::TableBatch& batch, const Bucket& bucket, ThreadState& state,
               bool whole, BatchHits& out) {
  out.raw.clear();
  const auto& schema = batch.schema();
  const size_t rows = batch.rows();
  if (bucket.keyword_db != nullptr) {
    const int af_col = schema.additional_fields_column();
    for (size_t col = 0; col < schema.column_count(); ++col) {
      const auto& data = batch.column(col);
      if (!schema::IsBytesBacked(data.type)) {
        continue;
      }
      ColumnScan scan{&data,        rows, 0, -1, static_cast<int>(col) == af_col,
                      bucket.escape_atom, &out.raw};
      if (whole) {
        ScanWhole(bucket.keyword_db, data, rows, scan, state.hs_scratch);
        continue;
      }
      for (size_t row = 0; row < rows; ++row) {
        if (!InBucket(state, row, out.bucket) || data.IsNull(row)) {
          continue;
        }
        scan.base = data.offsets[row];
        scan.row = static_cast<int64_t>(row);
        const uint32_t size = data.offsets[row + 1] - scan.base;
        if (size > 0) {
          hs_scan(bucket.keyword_db, data.bytes.data() + scan.base, size, 0, state.hs_scratch,
                  OnColumnMatch, &scan);
        }
      }
    }
  }
  out.columns_scanned = whole;
  if (whole) {
    for (const auto& database : bucket.databases) {
      if (database.column_db == nullptr) {
        continue;
      }
      const auto& data = batch.column(static_cast<size_t>(database.col));
      ColumnScan scan{&data, rows, 0, -1, false, internal::kNoAtom, &out.raw};
      ScanWhole(database.column_db, data, rows, scan, state.hs_scratch);
    }
  }
  // rows -> atoms (counting sort by row).
  out.row_start.assign(rows + 1, 0);
  for (const auto& [row, atom] : out.raw) {
    ++out.row_start[row + 1];
  }
  for (size_t row = 0; row < rows; ++row) {
    out.row_start[row + 1] += out.row_start[row];
  }
  state.fill.assign(out.row_start.begin(), out.row_start.end() - 1);
  out.atoms.resize(out.raw.size());
  for (const auto& [row, atom] : out.raw) {
    out.atoms[state.fill[row]++] = atom;
  }
}

void RunBucket(const TableMatcher& table, const Bucket& bucket, ThreadState& state, uint32_t row,
               const BatchHits* batch_hits, std::vector<RuleHit>& out) {
  RowReader& reader = state.reader;
  state.atoms_set.clear();
  const bool columns_scanned = batch_hits != nullptr && batch_hits->columns_scanned;
  if (batch_hits != nullptr) {
    for (uint32_t i = batch_hits->row_start[row]; i < batch_hits->row_start[row + 1]; ++i) {
      MarkAtom(state, batch_hits->atoms[i]);
    }
  }
  for (const auto& database : bucket.databases) {
    if (columns_scanned && database.column_db != nullptr &&
        (!database.fallback ||
         !reader.batch().column(static_cast<size_t>(database.col)).IsNull(row))) {
      continue;  // found by the whole-column scan
    }
    const FieldValue& value = reader.Get(database.accessor);
    if (!value.present() || value.text.empty()) {
      continue;
    }
    hs_scan(database.db, value.text.data(), static_cast<unsigned>(value.text.size()), 0,
            state.hs_scratch, OnMatch, &state);
  }
  for (const auto& numbers : bucket.number_atoms) {
    const auto& data = reader.batch().column(static_cast<size_t>(numbers.col));
    if (!data.IsNull(row)) {
      auto it = numbers.atoms.find(data.ints[row]);
      if (it != numbers.atoms.end()) {
        MarkAtom(state, it->second);
      }
    }
  }
  if (!bucket.event_id_atoms.empty()) {
    if (auto id = reader.EventId()) {
      auto it = bucket.event_id_atoms.find(*id);
      if (it != bucket.event_id_atoms.end()) {
        MarkAtom(state, it->second);
      }
    }
  }
  ++state.stamp;
  state.candidates.clear();
  for (uint32_t atom : state.atoms_set) {
    state.atom_hit[atom] = 0;
    if (atom >= bucket.atom_rules.size()) {
      continue;
    }
    for (uint32_t rule : bucket.atom_rules[atom]) {
      if (state.rule_stamp[rule] != state.stamp) {
        state.rule_stamp[rule] = state.stamp;
        state.candidates.push_back(rule);
      }
    }
  }
  for (uint32_t rule : bucket.always) {
    if (internal::EvaluateRule(table.rules[rule], reader, state.fold)) {
      out.push_back({table.rules[rule].rule, row});
    }
  }
  for (uint32_t rule : state.candidates) {
    if (internal::EvaluateRule(table.rules[rule], reader, state.fold)) {
      out.push_back({table.rules[rule].rule, row});
    }
  }
}

const TableMatcher* FindTable(const std::vector<std::unique_ptr<TableMatcher>>& tables,
                              const schema::TableSchema& schema) {
  for (const auto& table : tables) {
    if (table->schema == &schema || table->schema->name() == schema.name()) {
      return table.get();
    }
  }
  return nullptr;
}

bool HasColumnDatabases(const Bucket& bucket) {
  return std::any_of(bucket.databases.begin(), bucket.databases.end(),
                     [](const internal::FieldDatabase& db) { return db.column_db != nullptr; });
}

}  // namespace

void CompiledRuleSet::Match(const schema::TableBatch& batch, MatchScratch& scratch,
                            std::vector<RuleHit>& out) const {
  const TableMatcher* table = FindTable(tables_, batch.schema());
  if (table == nullptr || batch.empty()) {
    return;
  }
  ThreadState& state = *scratch.state_;
  if (state.build_id != build_id_) {
    if (state.hs_scratch != nullptr) {
      hs_free_scratch(state.hs_scratch);
      state.hs_scratch = nullptr;
    }
    for (const auto& t : tables_) {
      for (const auto& bucket : t->buckets) {
        for (const auto& database : bucket.databases) {
          hs_alloc_scratch(database.db, &state.hs_scratch);
          if (database.column_db != nullptr) {
            hs_alloc_scratch(database.column_db, &state.hs_scratch);
          }
        }
        if (bucket.keyword_db != nullptr) {
          hs_alloc_scratch(bucket.keyword_db, &state.hs_scratch);
        }
      }
    }
    state.atom_hit.assign(max_atoms_, 0);
    state.rule_stamp.assign(max_rules_, 0);
    state.stamp = 0;
    state.build_id = build_id_;
  }
  if (table->schema != &batch.schema() &&
      table->schema->column_count() != batch.schema().column_count()) {
    return;  // same name, different layout: column indexes would not apply
  }
  const auto& action_data =
      table->action_col >= 0 ? &batch.column(static_cast<size_t>(table->action_col)) : nullptr;
  std::string& key = state.key;
  const size_t rows = batch.rows();
  // Pass 1: the buckets of every row.
  state.row_buckets.assign(rows * 4, internal::kNoAtom);
  state.headers.assign(table->channel_buckets ? rows : 0, RowReader::Header{});
  state.bucket_rows.assign(table->buckets.size(), 0);
  for (size_t row = 0; row < rows; ++row) {
    state.reader.Reset(batch, row, &table->accessors);
    std::string_view action;
    if (table->action_buckets && action_data != nullptr && !action_data->IsNull(row)) {
      action = action_data->GetBytes(row);
    }
    std::string_view channel;
    if (table->channel_buckets) {
      state.headers[row] = state.reader.GetHeader();
      channel = state.headers[row].channel;
    }
    for (int combo = 0; combo < 4; ++combo) {
      const bool use_action = (combo & 1) != 0;
      const bool use_channel = (combo & 2) != 0;
      if ((use_action && action.empty()) || (use_channel && channel.empty())) {
        continue;
      }
      key.clear();
      if (use_action) {
        key.append(action);
      }
      key.push_back('\x1f');
      if (use_channel) {
        for (char c : channel) {
          key.push_back(FoldChar(c));
        }
      }
      auto it = table->bucket_index.find(key);
      if (it != table->bucket_index.end()) {
        state.row_buckets[row * 4 + static_cast<size_t>(combo)] = it->second;
        ++state.bucket_rows[it->second];
      }
    }
  }
  // Pass 2: whole-column literal scans for the buckets that take a good share of the batch
  // (keywords are scanned for every bucket that has them, cell by cell when it is small).
  state.bucket_slot.assign(table->buckets.size(), -1);
  size_t slots = 0;
  for (size_t index = 0; index < table->buckets.size(); ++index) {
    const size_t count = state.bucket_rows[index];
    if (count == 0) {
      continue;
    }
    const Bucket& bucket = table->buckets[index];
    const bool whole = count * 4 >= rows;
    if (bucket.keyword_db == nullptr && !(whole && HasColumnDatabases(bucket))) {
      continue;
    }
    if (state.batch_hits.size() <= slots) {
      state.batch_hits.resize(slots + 1);
    }
    BatchHits& hits = state.batch_hits[slots];
    hits.bucket = static_cast<uint32_t>(index);
    state.bucket_slot[index] = static_cast<int32_t>(slots++);
    ScanBatch(batch, bucket, state, whole, hits);
  }
  // Pass 3: per row and bucket, the per-value scans left and the rules they enable.
  for (size_t row = 0; row < rows; ++row) {
    state.reader.Reset(batch, row, &table->accessors);
    if (table->channel_buckets) {
      state.reader.SetHeader(state.headers[row]);
    }
    const size_t first_hit = out.size();
    for (int combo = 0; combo < 4; ++combo) {
      const uint32_t index = state.row_buckets[row * 4 + static_cast<size_t>(combo)];
      if (index == internal::kNoAtom) {
        continue;
      }
      const int32_t slot = state.bucket_slot[index];
      RunBucket(*table, table->buckets[index], state, static_cast<uint32_t>(row),
                slot >= 0 ? &state.batch_hits[static_cast<size_t>(slot)] : nullptr, out);
    }
    if (out.size() - first_hit > 1) {  // a row's hits in rule order, whatever enabled them
      std::sort(out.begin() + static_cast<ptrdiff_t>(first_hit), out.end(),
                [](const RuleHit& a, const RuleHit& b) { return a.rule < b.rule; });
    }
  }
}

std::optional<std::string> CompiledRuleSet::ReadField(const schema::TableBatch& batch, size_t row,
                                                      uint32_t rule,
                                                      std::string_view sigma_field) const {
  const TableMatcher* table = FindTable(tables_, batch.schema());
  if (table == nullptr || row >= batch.rows()) {
    return std::nullopt;
  }
  auto it = table->by_rule.find(rule);
  if (it == table->by_rule.end() || it->second.empty()) {
    return std::nullopt;
  }
  auto accessor =
      ResolveField(batch.schema(), table->rules[it->second.front()].context, sigma_field);
  if (!accessor.ok()) {
    return std::nullopt;
  }
  RowReader reader;
  reader.Reset(batch, row, nullptr);
  std::string buffer;
  FieldValue value = reader.Read(*accessor, buffer);
  if (!value.present()) {
    return std::nullopt;
  }
  return std::string(value.text);
}

}  // namespace vigil::detect::match
