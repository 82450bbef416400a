// A one-line progress bar on stderr for long commands, drawn only when stderr is a terminal and
// at most ten times a second. Single-threaded use.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace vigil::app {

class ProgressBar {
 public:
  ProgressBar();
  // Redraws if enough time passed. `total` 0 = unknown.
  void Update(uint64_t done, uint64_t total, uint64_t records, const std::string& current);
  // Clears the line.
  void Done();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

std::string HumanBytes(uint64_t bytes);
std::string WithThousands(uint64_t value);

}  // namespace vigil::app
