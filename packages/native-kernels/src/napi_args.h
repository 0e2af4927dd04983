// Argument helpers shared by the kernels addons (native_kernels.cc: OpenBLAS, onednn_kernels.cc:
// oneDNN): Float32Array views, integer arrays and the NHWC conv geometry both take.
#pragma once
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstdint>
#include <string>
#include <vector>

namespace cgan {

struct Fail {
  std::string msg;
};

inline void check(napi_env env, napi_status s, const char *what) {
  if (s != napi_ok) throw Fail{std::string("native-kernels: ") + what};
}

inline float *f32(napi_env env, napi_value v, size_t need, const char *name) {
  bool is = false;
  check(env, napi_is_typedarray(env, v, &is), name);
  if (!is) throw Fail{std::string("native-kernels: ") + name + " must be a Float32Array"};
  napi_typedarray_type type;
  size_t length;
  void *data;
  napi_value ab;
  size_t off;
  check(env, napi_get_typedarray_info(env, v, &type, &length, &data, &ab, &off), name);
  if (type != napi_float32_array) throw Fail{std::string("native-kernels: ") + name + " must be a Float32Array"};
  if (length < need) throw Fail{std::string("native-kernels: ") + name + " has " + std::to_string(length) + " elements, needs " + std::to_string(need)};
  return static_cast<float *>(data);
}

// A typed array's element count (any element type; f32 / f64 check the type).
inline size_t length(napi_env env, napi_value v, const char *name) {
  bool is = false;
  check(env, napi_is_typedarray(env, v, &is), name);
  if (!is) throw Fail{std::string("native-kernels: ") + name + " must be a Float32Array"};
  napi_typedarray_type type;
  size_t n;
  check(env, napi_get_typedarray_info(env, v, &type, &n, nullptr, nullptr, nullptr), name);
  return n;
}

inline double *f64(napi_env env, napi_value v, size_t need, const char *name) {
  bool is = false;
  check(env, napi_is_typedarray(env, v, &is), name);
  napi_typedarray_type type = napi_float32_array;
  size_t n = 0;
  void *data = nullptr;
  if (is) check(env, napi_get_typedarray_info(env, v, &type, &n, &data, nullptr, nullptr), name);
  if (!is || type != napi_float64_array) throw Fail{std::string("native-kernels: ") + name + " must be a Float64Array"};
  if (n < need) throw Fail{std::string("native-kernels: ") + name + " has " + std::to_string(n) + " elements, needs " + std::to_string(need)};
  return static_cast<double *>(data);
}

inline double number(napi_env env, napi_value v, const char *name) {
  double d = 0;
  check(env, napi_get_value_double(env, v, &d), name);
  return d;
}

inline std::vector<int64_t> ints(napi_env env, napi_value v, size_t n, const char *name) {
  bool is = false;
  check(env, napi_is_array(env, v, &is), name);
  if (!is) throw Fail{std::string("native-kernels: ") + name + " must be an array of integers"};
  uint32_t len;
  check(env, napi_get_array_length(env, v, &len), name);
  if (len != n) throw Fail{std::string("native-kernels: ") + name + " must have " + std::to_string(n) + " entries"};
  std::vector<int64_t> out(n);
  for (uint32_t i = 0; i < len; i++) {
    napi_value e;
    check(env, napi_get_element(env, v, i, &e), name);
    check(env, napi_get_value_int64(env, e, &out[i]), name);
  }
  return out;
}

// Geometry of one NHWC conv: x [n,h,w,ci], filter [kh,kw,ci,co], y [n,oh,ow,co].
struct Conv {
  int64_t n, h, w, ci, kh, kw, co, oh, ow, sh, sw, pt, pl, dh, dw;
  int64_t K() const { return kh * kw * ci; }
  bool pointwise() const { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w; }
};

inline Conv conv_of(napi_env env, napi_value v) {
  auto d = ints(env, v, 15, "dims");
  Conv c{d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10], d[11], d[12], d[13], d[14]};
  for (int i = 0; i < 15; i++)
    if (d[i] <= 0 && i != 11 && i != 12) throw Fail{"native-kernels: conv dims must be positive"};
  return c;
}

}  // namespace cgan
