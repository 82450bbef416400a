// Crash test for the store (issue requirement): SIGKILLs store_kill_driver at random points
// while it appends with background flush and compaction running, then proves every
// acknowledged batch is present exactly once, no batch is partial, and the store opens cleanly.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <string>

#include "vigil/schema/catalog.h"
#include "vigil/store/store.h"
#include "vigil/store/store_scan_test_util.h"
#include "vigil/store/store_test_util.h"

namespace vigil::store {
namespace {

namespace fs = std::filesystem;

constexpr int kTrials = 24;
constexpr int kRowsPerBatch = 40;  // DeviceProcessEvents; DeviceEvents gets half

struct DriverRun {
  std::set<int64_t> acked;
  bool opened = false;
};

// Starts the driver, lets it run for `run_for`, SIGKILLs it and collects its ACK lines.
DriverRun RunAndKill(const fs::path& dir, int64_t first_seq, std::chrono::milliseconds run_for) {
  DriverRun run;
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe failed";
    return run;
  }
  const std::string dir_arg = dir.string();
  const std::string seq_arg = std::to_string(first_seq);
  const std::string rows_arg = std::to_string(kRowsPerBatch);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    ::execl(VIGIL_STORE_KILL_DRIVER, VIGIL_STORE_KILL_DRIVER, dir_arg.c_str(), seq_arg.c_str(),
            rows_arg.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string buffer;
  auto consume = [&](bool wait, int timeout_ms) {
    pollfd pfd{fds[0], POLLIN, 0};
    if (wait && ::poll(&pfd, 1, timeout_ms) <= 0) {
      return false;
    }
    char chunk[4096];
    const ssize_t got = ::read(fds[0], chunk, sizeof(chunk));
    if (got <= 0) {
      return false;
    }
    buffer.append(chunk, static_cast<size_t>(got));
    return true;
  };
  const auto deadline = std::chrono::steady_clock::now() + run_for;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      break;
    }
    consume(true, static_cast<int>(left.count()));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  // Lines already in the pipe were printed after their Append returned: they count.
  while (consume(false, 0)) {
  }
  ::close(fds[0]);
  size_t pos = 0;
  while (true) {
    const size_t end = buffer.find('\n', pos);
    if (end == std::string::npos) {
      break;
    }
    const std::string line = buffer.substr(pos, end - pos);
    if (line == "OPEN") {
      run.opened = true;
    } else if (line.rfind("ACK ", 0) == 0) {
      run.acked.insert(std::stoll(line.substr(4)));
    }
    pos = end + 1;
  }
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "driver exited on its own (status " << status << ")";
  return run;
}

// seq -> row count in `table`.
std::map<int64_t, int> RowsPerSeq(const Snapshot& snapshot, const std::string& table) {
  std::map<int64_t, int> counts;
  const ScanStats stats = testing::ForEachBatch(
      snapshot, {.table = table, .columns = {"ReportId", "ProcessId"}},
      [&](const ColumnBatch& batch) {
        for (size_t r = 0; r < batch.rows; ++r) {
          const int64_t seq = batch.column(0).ints[r] / 1000;
          EXPECT_EQ(batch.column(1).ints[r], seq);
          ++counts[seq];
        }
      });
  EXPECT_EQ(stats.blocks_corrupt, 0u);
  return counts;
}

size_t CountFiles(const fs::path& dir, std::string_view extension) {
  size_t count = 0;
  std::error_code ec;
  for (const auto& entry : fs::recursive_directory_iterator(dir, ec)) {
    count += entry.path().extension() == extension ? 1 : 0;
  }
  return count;
}

TEST(StoreKillTest, EveryAcknowledgedBatchSurvivesSigkill) {
  testing::TempDir dir;
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<int> delay_ms(5, 450);
  std::set<int64_t> all_acked;
  std::set<int64_t> present_before;
  int64_t next_seq = 0;
  size_t total_acked = 0;
  size_t kills_with_partial_segment = 0;
  size_t kills_with_unflushed_wal = 0;
  uint64_t torn_tails = 0;
  const auto start = std::chrono::steady_clock::now();

  for (int trial = 0; trial < kTrials; ++trial) {
    const DriverRun run =
        RunAndKill(dir.path(), next_seq, std::chrono::milliseconds(delay_ms(rng)));
    total_acked += run.acked.size();
    all_acked.insert(run.acked.begin(), run.acked.end());
    kills_with_partial_segment += CountFiles(dir.path() / "tables", ".tmp") > 0 ? 1 : 0;
    kills_with_unflushed_wal += CountFiles(dir.path() / "wal", ".log") > 1 ? 1 : 0;

    StoreOptions options;
    options.dir = dir.path();
    options.background_flush = false;
    auto store = Store::Open(options, schema::Catalog::Default());
    ASSERT_TRUE(store.ok()) << "trial " << trial << ": " << store.status().ToString();
    torn_tails += (*store)->Health().wal_torn_tails;
    EXPECT_EQ((*store)->Health().corrupt_segments, 0u) << "trial " << trial;

    const auto snapshot = (*store)->GetSnapshot();
    const auto process = RowsPerSeq(*snapshot, "DeviceProcessEvents");
    const auto events = RowsPerSeq(*snapshot, "DeviceEvents");
    std::set<int64_t> present;
    for (const auto& [seq, count] : process) {
      // Whole batches only, each exactly once (no partial batch, no phantom duplicate).
      ASSERT_EQ(count, kRowsPerBatch) << "trial " << trial << " seq " << seq;
      // The driver appends one batch at a time: at most one batch past the last ACK can be
      // durable without its ACK having been read.
      const int64_t last_possible = run.acked.empty() ? next_seq : *run.acked.rbegin() + 1;
      ASSERT_LE(seq, last_possible) << "trial " << trial << ": phantom seq " << seq;
      ASSERT_TRUE(seq < next_seq ? present_before.contains(seq) : true)
          << "trial " << trial << ": seq " << seq << " reappeared";
      present.insert(seq);
    }
    // AppendAll is atomic across tables.
    ASSERT_EQ(events.size(), process.size()) << "trial " << trial;
    for (const auto& [seq, count] : events) {
      ASSERT_EQ(count, kRowsPerBatch / 2) << "trial " << trial << " seq " << seq;
      ASSERT_TRUE(present.contains(seq));
    }
    for (int64_t seq : all_acked) {
      ASSERT_TRUE(present.contains(seq))
          << "trial " << trial << ": acknowledged seq " << seq << " lost";
    }
    for (int64_t seq : present_before) {
      ASSERT_TRUE(present.contains(seq)) << "trial " << trial << ": seq " << seq << " vanished";
    }
    present_before = present;
    if (!present.empty()) {
      next_seq = std::max(next_seq, *present.rbegin() + 1);
    }
    // Keep the WAL as the crash left it for the next trial (no flush on the way out).
    (*store)->AbandonForTest();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "kill test: %d trials, %zu acknowledged batches, %zu batches stored, %llu torn WAL "
      "tails, %zu kills left a partial segment, %zu left >1 WAL file, %.1f s\n",
      kTrials, total_acked, present_before.size(), static_cast<unsigned long long>(torn_tails),
      kills_with_partial_segment, kills_with_unflushed_wal, seconds);
  EXPECT_GT(total_acked, static_cast<size_t>(kTrials));  // the driver made real progress
  EXPECT_LT(seconds, 60.0);
}

}  // namespace
}  // namespace vigil::store
