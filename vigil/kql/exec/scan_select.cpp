// ScanOp's row selection: the pushed filters run over each batch one at a time, on the rows the
// previous ones kept (integer ranges on raw integers, string filters once per dictionary value
// with verdicts kept per table-wide value id, anything else through the evaluator). See
// scan_op.h; opening the cursors, producing chunks and the threads are in scan_op.cpp.
#include <algorithm>

#include "vigil/kql/exec/scan_op.h"

namespace vigil::kql {

KResult<bool> ScanOp::Select(ScanWorker& w, bool threaded) {
  EvalContext& eval = threaded ? w.eval : ctx_->eval;
  Chunk one;
  one.rows = 1;
  one.cols.resize(1);
  one.cols[0].resize(1);
  while (true) {
    if (threaded) {
      if (stop_.load(std::memory_order_relaxed)) {
        return false;
      }
      if (ctx_->Cancelled()) {
        return KErr("KQL0904", "query cancelled");
      }
      if (ctx_->Expired()) {
        return KErr("KQL0903", "query exceeded its time limit");
      }
    } else {
      auto ok = ctx_->Check();
      if (!ok) {
        return ok;
      }
    }
    auto more = w.cursor->Next(w.batch);
    if (!more) {
      return KErr("KQL0905", "scan of " + table_ + " failed: " + more.error().ToString());
    }
    if (!*more) {
      const auto& st = w.cursor->stats();
      w.stats.blocks_read += st.blocks_read;
      w.stats.blocks_skipped += st.blocks_skipped_time + st.blocks_skipped_hint;
      w.stats.partitions_skipped += st.partitions_skipped;
      return false;
    }
    store::ColumnBatch& batch = w.batch;
    w.stats.rows_scanned += batch.rows;
    for (const auto& col : batch.columns) {
      w.stats.bytes_scanned += col->dict ? col->codes.size() * 4 : batch.rows * 8;
    }
    // Refresh dictionary caches.
    for (size_t b = 0; b < batch.columns.size(); ++b) {
      const auto& col = batch.column(b);
      const std::shared_ptr<const store::Dictionary> previous = w.dict_cache[b].dict;
      if (w.dict_cache[b].Refresh(col)) {
        for (size_t f = 0; f < batch_filters_.size(); ++f) {
          if (batch_filters_[f].column == b) {
            if (previous != nullptr) {
              KeepVerdicts(w, f, *previous);
            }
            w.verdicts[f].assign(col.dict->size(), -1);
            w.verdicts_complete[f] = 0;
            SeedVerdicts(w, f, *col.dict);
          }
        }
      }
    }
    // Selection by the pushed filters, one filter at a time over the rows still selected
    // (string filters once per distinct dictionary value).
    std::vector<uint32_t>& sel = w.sel;
    sel.resize(batch.rows);
    for (size_t r = 0; r < batch.rows; ++r) {
      sel[r] = static_cast<uint32_t>(r);
    }
    auto refine = [&sel](auto&& pass) {
      size_t n = 0;
      for (const uint32_t r : sel) {
        sel[n] = r;
        n += pass(r) ? 1 : 0;
      }
      sel.resize(n);
    };
    for (size_t fi = 0; fi < batch_filters_.size() && !sel.empty(); ++fi) {
      const BatchFilter& f = batch_filters_[fi];
      const size_t b = f.column;
      const auto& col = batch.column(b);
      const uint8_t* valid = col.valid.data();
      if (f.int_range) {
        const int64_t* ints = col.ints.data();
        const int64_t lo = f.lo;
        const int64_t hi = f.hi;
        refine([&](uint32_t r) { return valid[r] != 0 && ints[r] >= lo && ints[r] <= hi; });
      } else if (f.text && col.dict) {
        const uint32_t* codes = col.codes.data();
        int8_t* verdicts = w.verdicts[fi].data();
        const store::Dictionary& dict = *col.dict;
        // The first filter sees every row, so it would reach (nearly) every value of a
        // dictionary no larger than the batch: judge them all at once, then select without
        // a branch per row.
        if (fi == 0 && !w.verdicts_complete[fi] && dict.size() <= batch.rows) {
          const auto unknown =
              static_cast<size_t>(std::count(verdicts, verdicts + dict.size(), int8_t{-1}));
          if (unknown * 2 >= dict.size()) {
            // Mostly new values: one pass over the packed values beats a call per value.
            f.text->MatchAll(dict, verdicts);
          } else {
            for (size_t i = 0; i < dict.size(); ++i) {
              if (verdicts[i] < 0) {
                verdicts[i] = f.text->Match(dict[i]) ? 1 : 0;
              }
            }
          }
          w.verdicts_complete[fi] = 1;
        }
        if (w.verdicts_complete[fi]) {
          const bool null_verdict = f.null_verdict;
          refine(
              [&](uint32_t r) { return valid[r] != 0 ? verdicts[codes[r]] == 1 : null_verdict; });
          continue;
        }
        refine([&](uint32_t r) {
          if (valid[r] == 0) {
            return f.null_verdict;
          }
          int8_t& v = verdicts[codes[r]];
          if (v < 0) {
            v = f.text->Match(dict[codes[r]]) ? 1 : 0;
          }
          return v == 1;
        });
      } else if (col.dict) {
        int8_t* verdicts = w.verdicts[fi].data();
        refine([&](uint32_t r) {
          if (valid[r] == 0) {
            one.cols[0][0] = Cell(w, b, r);
            return IsTrue(Eval(*f.predicate, one, 0, eval));
          }
          int8_t& v = verdicts[col.codes[r]];
          if (v < 0) {
            one.cols[0][0] = Cell(w, b, r);
            v = IsTrue(Eval(*f.predicate, one, 0, eval)) ? 1 : 0;
          }
          return v == 1;
        });
      } else {
        refine([&](uint32_t r) {
          one.cols[0][0] = Cell(w, b, r);
          return IsTrue(Eval(*f.predicate, one, 0, eval));
        });
      }
    }
    if (sel.empty()) {
      continue;
    }
    return true;
  }
}

void ScanOp::SeedVerdicts(ScanWorker& w, size_t f, const store::Dictionary& dict) {
  if (dict.id_space() == 0) {
    return;
  }
  std::vector<int8_t>& known = w.value_verdicts[f];
  if (w.value_space[f] != dict.id_space()) {
    w.value_space[f] = dict.id_space();
    known.clear();
  }
  // Values an earlier dictionary of the table had are judged already.
  const std::vector<uint32_t>& ids = dict.value_ids();
  int8_t* verdicts = w.verdicts[f].data();
  size_t judged = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i] < known.size() && known[ids[i]] >= 0) {
      verdicts[i] = known[ids[i]];
      ++judged;
    }
  }
  w.verdicts_complete[f] = judged == ids.size() ? 1 : 0;
}

void ScanOp::KeepVerdicts(ScanWorker& w, size_t f, const store::Dictionary& dict) {
  if (dict.id_space() == 0 || w.value_space[f] != dict.id_space()) {
    return;
  }
  std::vector<int8_t>& known = w.value_verdicts[f];
  const std::vector<uint32_t>& ids = dict.value_ids();
  const int8_t* verdicts = w.verdicts[f].data();
  for (size_t i = 0; i < ids.size(); ++i) {
    if (verdicts[i] >= 0) {
      if (ids[i] >= known.size()) {
        known.resize(std::max<size_t>(ids[i] + 1, known.size() * 2), -1);
      }
      known[ids[i]] = verdicts[i];
    }
  }
}

KResult<bool> ScanOp::RunBatches(const BatchSink& sink,
                                 const std::function<void(size_t worker)>& done) {
  if (!workers_.empty() || done_) {
    return KErr("KQL0905", "scan of " + table_ + " was already started");
  }
  auto ok = Open();
  if (!ok) {
    return ok;
  }
  std::vector<std::optional<KqlError>> errors(workers_.size());
  auto run = [&](size_t i, bool threaded) {
    ScanWorker& w = *workers_[i];
    while (true) {
      auto more = Select(w, threaded);
      if (more && *more) {
        more = sink(i, w.batch, w.sel);
      }
      if (!more) {
        errors[i] = more.error();
        stop_ = true;
        return;
      }
      if (!*more) {
        if (done) {
          done(i);
        }
        return;
      }
    }
  };
  if (workers_.size() == 1) {
    run(0, /*threaded=*/false);
  } else {
    std::vector<std::thread> threads;
    for (size_t i = 0; i < workers_.size(); ++i) {
      threads.emplace_back(run, i, /*threaded=*/true);
    }
    for (auto& t : threads) {
      t.join();
    }
  }
  Finish();
  done_ = true;
  for (auto& e : errors) {
    if (e) {
      return tl::unexpected(*e);
    }
  }
  return true;
}

}  // namespace vigil::kql
