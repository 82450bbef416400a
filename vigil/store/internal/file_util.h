// POSIX file helpers for the store's crash-safe writes: durable write via temp file + fsync +
// rename + directory fsync, positional reads, and an RAII file descriptor. Thread-safe (no
// shared state); a File object belongs to one owner.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "vigil/base/status.h"

namespace vigil::store::internal {

class File {
 public:
  File() = default;
  explicit File(int fd) : fd_(fd) {}
  File(File&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  File& operator=(File&& other) noexcept;
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ~File() { Close(); }

  static Result<File> OpenRead(const std::filesystem::path& path);
  // Creates (truncating) for writing.
  static Result<File> Create(const std::filesystem::path& path);
  // Opens an existing file for appending writes.
  static Result<File> OpenAppend(const std::filesystem::path& path);

  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }
  void Close();

  Status WriteAll(std::string_view data, const std::filesystem::path& path_for_errors);
  Status Sync(const std::filesystem::path& path_for_errors);  // fdatasync
  // Reads exactly `length` bytes at `offset` into `out`.
  Status ReadAt(uint64_t offset, size_t length, std::string& out,
                const std::filesystem::path& path_for_errors) const;
  Result<uint64_t> Size(const std::filesystem::path& path_for_errors) const;

 private:
  int fd_ = -1;
};

Status FsyncDir(const std::filesystem::path& dir);
// Writes `data` to `path` atomically and durably: <path>.tmp, fsync, rename, fsync parent dir.
Status WriteFileDurably(const std::filesystem::path& path, std::string_view data);
Result<std::string> ReadWholeFile(const std::filesystem::path& path);

}  // namespace vigil::store::internal
