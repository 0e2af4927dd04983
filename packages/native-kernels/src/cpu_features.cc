// CPUID feature probe, a separate addon that links nothing: index.js loads it BEFORE the kernels
// addon (which links OpenBLAS), to choose OpenBLAS's kernel family from what the CPU and the OS
// support rather than from the CPU's model number (DYNAMIC_ARCH builds fall back to old SSE
// kernels on models they do not know).
//
// probe() -> { arch, vendor, sse3, avx, fma, avx2, avx512f, avx512bw, avx512vl, avx512dq }
// where every AVX flag also requires the OS to save the registers (XCR0 via xgetbv).
#define NAPI_VERSION 8
#include <node_api.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#if defined(__x86_64__) || defined(__i386__) || defined(_M_X64)
#define CGAN_X86 1
#if defined(_MSC_VER)
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace {

void set_bool(napi_env env, napi_value obj, const char *name, bool v) {
  napi_value b;
  napi_get_boolean(env, v, &b);
  napi_set_named_property(env, obj, name, b);
}

void set_str(napi_env env, napi_value obj, const char *name, const char *v) {
  napi_value s;
  napi_create_string_utf8(env, v, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, obj, name, s);
}

#ifdef CGAN_X86
void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4]) {
#if defined(_MSC_VER)
  int x[4];
  __cpuidex(x, int(leaf), int(sub));
  for (int i = 0; i < 4; i++) r[i] = uint32_t(x[i]);
#else
  __cpuid_count(leaf, sub, r[0], r[1], r[2], r[3]);
#endif
}

uint64_t xcr0() {
#if defined(_MSC_VER)
  return _xgetbv(0);
#else
  uint32_t lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t(hi) << 32) | lo;
#endif
}
#endif

napi_value probe(napi_env env, napi_callback_info) {
  napi_value o;
  napi_create_object(env, &o);
#ifdef CGAN_X86
  set_str(env, o, "arch", "x86");
  uint32_t r[4];
  cpuid(0, 0, r);
  const uint32_t max_leaf = r[0];
  char vendor[13];
  std::memcpy(vendor, &r[1], 4);
  std::memcpy(vendor + 4, &r[3], 4);
  std::memcpy(vendor + 8, &r[2], 4);
  vendor[12] = 0;
  set_str(env, o, "vendor", vendor);
  cpuid(1, 0, r);
  const uint32_t ecx1 = r[2];
  const bool sse3 = ecx1 & (1u << 0), fma = ecx1 & (1u << 12), osxsave = ecx1 & (1u << 27), avx_hw = ecx1 & (1u << 28);
  const uint64_t xcr = osxsave ? xcr0() : 0;
  const bool os_ymm = (xcr & 0x6) == 0x6;            // SSE + AVX state
  const bool os_zmm = os_ymm && (xcr & 0xe0) == 0xe0;  // opmask, ZMM_Hi256, Hi16_ZMM
  uint32_t ebx7 = 0;
  if (max_leaf >= 7) {
    cpuid(7, 0, r);
    ebx7 = r[1];
  }
  const bool avx = avx_hw && os_ymm;
  set_bool(env, o, "sse3", sse3);
  set_bool(env, o, "avx", avx);
  set_bool(env, o, "fma", fma && avx);
  set_bool(env, o, "avx2", avx && (ebx7 & (1u << 5)));
  set_bool(env, o, "avx512f", os_zmm && (ebx7 & (1u << 16)));
  set_bool(env, o, "avx512dq", os_zmm && (ebx7 & (1u << 17)));
  set_bool(env, o, "avx512bw", os_zmm && (ebx7 & (1u << 30)));
  set_bool(env, o, "avx512vl", os_zmm && (ebx7 & (1u << 31)));
#else
  set_str(env, o, "arch", "other");
#endif
  return o;
}

// Sets (a string) or removes (null) one variable of the C environment, which OpenBLAS and the
// OpenMP runtime read when they are loaded (process.env is a copy in worker threads and test
// sandboxes, so it cannot be relied on to reach getenv).
void put_env(const char *name, const char *value) {
#if defined(_WIN32)
  _putenv_s(name, value ? value : "");
#else
  if (value) setenv(name, value, 1);
  else unsetenv(name);
#endif
}

// A string argument (up to 63 bytes), or nullptr for anything else.
const char *string_or_null(napi_env env, napi_value v, char (&buf)[64]) {
  napi_valuetype t = napi_undefined;
  napi_typeof(env, v, &t);
  if (t != napi_string) return nullptr;
  size_t len = 0;
  napi_get_value_string_utf8(env, v, buf, sizeof(buf), &len);
  return buf;
}

// setCoretype(name) / setCoretype(null): OPENBLAS_CORETYPE (see put_env).
napi_value set_coretype(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  char buf[64];
  put_env("OPENBLAS_CORETYPE", argc == 1 ? string_or_null(env, a[0], buf) : nullptr);
  return nullptr;
}

// setEnv(name, value) / setEnv(name, null): any variable (see put_env).
napi_value set_env(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value a[2];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  char name[64], value[64];
  const char *n = argc >= 1 ? string_or_null(env, a[0], name) : nullptr;
  if (!n || !*n) {
    napi_throw_error(env, nullptr, "cpu_features: setEnv(name, value | null) needs a name");
    return nullptr;
  }
  put_env(n, argc == 2 ? string_or_null(env, a[1], value) : nullptr);
  return nullptr;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"probe", nullptr, probe, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setCoretype", nullptr, set_coretype, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setEnv", nullptr, set_env, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
