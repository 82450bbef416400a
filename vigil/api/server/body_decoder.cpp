#include "vigil/api/server/body_decoder.h"

#include <zlib.h>
#include <zstd.h>

#include <memory>

namespace vigil::api {
namespace {

std::string Lower(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '\t') {
      out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    }
  }
  return out;
}

Result<std::string> Inflate(std::string_view body, size_t max_bytes, int window_bits) {
  z_stream zs{};
  if (inflateInit2(&zs, window_bits) != Z_OK) {
    return InternalError("cannot start zlib");
  }
  std::string out;
  char chunk[16384];
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  zs.avail_in = static_cast<uInt>(body.size());
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(chunk);
    zs.avail_out = sizeof(chunk);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return InvalidArgumentError("the compressed body is corrupt");
    }
    const size_t produced = sizeof(chunk) - zs.avail_out;
    if (out.size() + produced > max_bytes) {
      inflateEnd(&zs);
      return ResourceExhaustedError("the decoded body exceeds {} bytes", max_bytes);
    }
    out.append(chunk, produced);
    if (rc == Z_OK && produced == 0 && zs.avail_in == 0) {
      inflateEnd(&zs);
      return InvalidArgumentError("the compressed body is truncated");
    }
  }
  inflateEnd(&zs);
  return out;
}

struct DctxFree {
  void operator()(ZSTD_DCtx* d) const { ZSTD_freeDCtx(d); }
};

Result<std::string> Unzstd(std::string_view body, size_t max_bytes) {
  std::unique_ptr<ZSTD_DCtx, DctxFree> dctx(ZSTD_createDCtx());
  if (!dctx) {
    return InternalError("cannot start zstd");
  }
  // Refuse frames whose window would need more memory than the body limit allows.
  ZSTD_DCtx_setParameter(dctx.get(), ZSTD_d_windowLogMax, 27);
  std::string out;
  char chunk[16384];
  ZSTD_inBuffer in{body.data(), body.size(), 0};
  size_t last = 1;
  while (in.pos < in.size || last != 0) {
    ZSTD_outBuffer output{chunk, sizeof(chunk), 0};
    last = ZSTD_decompressStream(dctx.get(), &output, &in);
    if (ZSTD_isError(last)) {
      return InvalidArgumentError("the zstd body is corrupt: {}", ZSTD_getErrorName(last));
    }
    if (out.size() + output.pos > max_bytes) {
      return ResourceExhaustedError("the decoded body exceeds {} bytes", max_bytes);
    }
    out.append(chunk, output.pos);
    if (in.pos == in.size && output.pos == 0 && last != 0) {
      return InvalidArgumentError("the zstd body is truncated");
    }
  }
  return out;
}

}  // namespace

Result<std::string> DecodeBody(std::string_view encoding, std::string_view body,
                               size_t max_bytes) {
  const std::string name = Lower(encoding);
  if (name.empty() || name == "identity") {
    if (body.size() > max_bytes) {
      return ResourceExhaustedError("the body exceeds {} bytes", max_bytes);
    }
    return std::string(body);
  }
  if (name == "gzip" || name == "x-gzip") {
    return Inflate(body, max_bytes, 15 + 16);
  }
  if (name == "deflate") {
    return Inflate(body, max_bytes, 15 + 32);
  }
  if (name == "zstd") {
    return Unzstd(body, max_bytes);
  }
  return UnimplementedError("unsupported Content-Encoding '{}'", encoding);
}

}  // namespace vigil::api
