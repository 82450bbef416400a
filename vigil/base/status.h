// Status and Result<T>: how every Vigil module reports expected failures (bad input, I/O,
// limits) without exceptions. Used everywhere; values are immutable once built and safe to
// share across threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace vigil {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kOutOfRange,
  kResourceExhausted,
  kCancelled,
  kDeadlineExceeded,
  kDataLoss,
  kIoError,
  kUnimplemented,
  kUnavailable,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

// Position in user-supplied text (KQL query, Sigma YAML), 1-based; 0 = unknown.
struct SourceSpan {
  uint32_t line = 0;
  uint32_t column = 0;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const SourceSpan& span() const { return span_; }
  const std::string& diagnostic_id() const { return diagnostic_id_; }

  Status& WithSpan(SourceSpan span) {
    span_ = span;
    return *this;
  }
  Status& WithDiagnosticId(std::string id) {
    diagnostic_id_ = std::move(id);
    return *this;
  }
  // Prefixes the message with context, e.g. the file being read.
  Status Annotate(std::string_view context) const;

  // "invalid argument: unknown column 'X'" (code name, optional id and span, message).
  std::string ToString() const;

  void IgnoreError() const {}

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  SourceSpan span_;
  std::string diagnostic_id_;
};

template <typename... Args>
Status MakeStatus(StatusCode code, fmt::format_string<Args...> format, Args&&... args) {
  return Status(code, fmt::format(format, std::forward<Args>(args)...));
}
template <typename... Args>
Status InvalidArgumentError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kInvalidArgument, format, std::forward<Args>(args)...);
}
template <typename... Args>
Status NotFoundError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kNotFound, format, std::forward<Args>(args)...);
}
template <typename... Args>
Status AlreadyExistsError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kAlreadyExists, format, std::forward<Args>(args)...);
}
template <typename... Args>
Status IoError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kIoError, format, std::forward<Args>(args)...);
}
template <typename... Args>
Status DataLossError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kDataLoss, format, std::forward<Args>(args)...);
}
template <typename... Args>
Status FailedPreconditionError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kFailedPrecondition, format, std::forward<Args>(args)...);
}
template <typename... Args>
Status ResourceExhaustedError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kResourceExhausted, format, std::forward<Args>(args)...);
}
template <typename... Args>
Status UnimplementedError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kUnimplemented, format, std::forward<Args>(args)...);
}
template <typename... Args>
Status InternalError(fmt::format_string<Args...> format, Args&&... args) {
  return MakeStatus(StatusCode::kInternal, format, std::forward<Args>(args)...);
}

// Result<T> holds a T or a non-OK Status. Constructible from either, so functions can
// `return value;` or `return SomeError(...);`.
template <typename T>
class [[nodiscard]] Result : public tl::expected<T, Status> {
 public:
  using Base = tl::expected<T, Status>;
  using Base::Base;
  Result(Status status) : Base(tl::unexpected<Status>(std::move(status))) {}  // NOLINT
  Result(const T& value) : Base(value) {}                                      // NOLINT
  Result(T&& value) : Base(std::move(value)) {}                                // NOLINT

  bool ok() const { return this->has_value(); }
  Status status() const { return ok() ? Status() : this->error(); }
};

namespace internal {
inline Status ToStatus(const Status& status) { return status; }
template <typename T>
Status ToStatus(const Result<T>& result) {
  return result.status();
}
}  // namespace internal

}  // namespace vigil

#define VIGIL_CONCAT_INNER(a, b) a##b
#define VIGIL_CONCAT(a, b) VIGIL_CONCAT_INNER(a, b)

#define VIGIL_RETURN_IF_ERROR(expr)                                   \
  do {                                                                \
    ::vigil::Status vigil_status_ = ::vigil::internal::ToStatus(expr); \
    if (!vigil_status_.ok()) {                                        \
      return vigil_status_;                                           \
    }                                                                 \
  } while (false)

#define VIGIL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.has_value()) {                           \
    return std::move(tmp).error();                  \
  }                                                 \
  lhs = std::move(*tmp)

#define VIGIL_ASSIGN_OR_RETURN(lhs, expr) \
  VIGIL_ASSIGN_OR_RETURN_IMPL(VIGIL_CONCAT(vigil_result_, __LINE__), lhs, expr)
