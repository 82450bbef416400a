#include "vigil/store/internal/file_util.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vigil::store::internal {
namespace {

Status ErrnoError(std::string_view what, const std::filesystem::path& path) {
  return IoError("{} '{}': {}", what, path.string(), std::strerror(errno));
}

}  // namespace

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

void File::Close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

Result<File> File::OpenRead(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError("cannot open", path);
  }
  return File(fd);
}

Result<File> File::Create(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    return ErrnoError("cannot create", path);
  }
  return File(fd);
}

Result<File> File::OpenAppend(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError("cannot open for append", path);
  }
  return File(fd);
}

Status File::WriteAll(std::string_view data, const std::filesystem::path& path_for_errors) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd_, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ErrnoError("cannot write", path_for_errors);
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return Status::Ok();
}

Status File::Sync(const std::filesystem::path& path_for_errors) {
  if (::fdatasync(fd_) != 0) {
    return ErrnoError("cannot fsync", path_for_errors);
  }
  return Status::Ok();
}

Status File::ReadAt(uint64_t offset, size_t length, std::string& out,
                    const std::filesystem::path& path_for_errors) const {
  out.resize(length);
  size_t done = 0;
  while (done < length) {
    const ssize_t got =
        ::pread(fd_, out.data() + done, length - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) {
        continue;
      }
      return ErrnoError("cannot read", path_for_errors);
    }
    if (got == 0) {
      return DataLossError("'{}': unexpected end of file at offset {}", path_for_errors.string(),
                           offset + done);
    }
    done += static_cast<size_t>(got);
  }
  return Status::Ok();
}

Result<uint64_t> File::Size(const std::filesystem::path& path_for_errors) const {
  struct stat info {};
  if (::fstat(fd_, &info) != 0) {
    return ErrnoError("cannot stat", path_for_errors);
  }
  return static_cast<uint64_t>(info.st_size);
}

Status FsyncDir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return ErrnoError("cannot open directory", dir);
  }
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) {
    return ErrnoError("cannot fsync directory", dir);
  }
  return Status::Ok();
}

Status WriteFileDurably(const std::filesystem::path& path, std::string_view data) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  {
    VIGIL_ASSIGN_OR_RETURN(File file, File::Create(tmp));
    VIGIL_RETURN_IF_ERROR(file.WriteAll(data, tmp));
    VIGIL_RETURN_IF_ERROR(file.Sync(tmp));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return ErrnoError("cannot rename to", path);
  }
  return FsyncDir(path.parent_path());
}

Result<std::string> ReadWholeFile(const std::filesystem::path& path) {
  VIGIL_ASSIGN_OR_RETURN(File file, File::OpenRead(path));
  VIGIL_ASSIGN_OR_RETURN(uint64_t size, file.Size(path));
  std::string data;
  VIGIL_RETURN_IF_ERROR(file.ReadAt(0, size, data, path));
  return data;
}

}  // namespace vigil::store::internal
