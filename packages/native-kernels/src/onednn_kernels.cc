// Float32 NHWC convolutions (forward, backprop input, backprop filter) with oneDNN's convolution
// primitives, on the wasm heap's memory. Built only where oneDNN's headers and library are found
// (scripts/have_onednn.js); index.js then routes the three convolutions here and keeps OpenBLAS
// (native_kernels.cc) for matMul and for any convolution oneDNN declines.
//
// oneDNN dispatches on the CPU's features itself (AVX-512, AVX2, SSE4.1 JIT kernels). Each
// primitive is created once per shape and operation and cached (the same shapes repeat every
// training step). The primitives pick their weights layout (format_tag::any: a blocked layout,
// reordered from and to tfjs's HWIO every call, which is cheap next to the convolution) and their
// activation layouts (see g_layout). The reorder buffers and the scratchpad are shared by all
// primitives and only grow.
//
// Each conv function returns true when it ran, false when the shape is left to OpenBLAS (measured
// faster there, see declined(), or oneDNN has no primitive for it): the caller then runs the
// OpenBLAS kernel. The choice depends on the shape only, so a run is reproducible. Arguments are
// as in native_kernels.cc.
#include "napi_args.h"

#include <oneapi/dnnl/dnnl.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>

extern "C" {
// Debian's libdnnl uses the OpenMP runtime (libgomp): its thread count is OpenMP's.
void omp_set_num_threads(int n);
int omp_get_max_threads(void);
}

namespace {

using namespace cgan;
using dnnl::memory;
using tag = memory::format_tag;

enum Op { FWD = 0, BWD_DATA = 1, BWD_WEIGHTS = 2 };
const char *const OP_NAMES[] = {"conv2d", "conv2dBackpropInput", "conv2dBackpropFilter"};

dnnl::engine &eng() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

// Per thread, as the cache and buffers below: worker_threads may load the addon too.
dnnl::stream &strm() {
  thread_local dnnl::stream s(eng());
  return s;
}

// Grow-only 64-byte aligned buffers: one per tensor role that may need a reorder, and the scratchpad.
struct Buffer {
  void *p = nullptr;
  size_t n = 0;
  void *get(size_t bytes) {
    if (bytes > n) {
      std::free(p);
      n = 0;
      p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
      if (!p) throw std::bad_alloc();
      n = bytes;
    }
    return p;
  }
  ~Buffer() { std::free(p); }
};
thread_local Buffer g_buf[4];

// Activation layouts: 'auto' (default) lets the primitive choose (a channel-blocked layout, the
// tensors reordered from and to NHWC) unless a side has fewer than 8 channels (blocking would pad
// it to 8: measured 2-14x slower), where NHWC is kept; 'any' / 'nhwc' force one (for benchmarks).
enum Layout { AUTO = 0, ANY = 1, NHWC = 2 };
Layout g_layout = AUTO;
const char *const LAYOUT_NAMES[] = {"auto", "any", "nhwc"};
// Shapes: 'auto' (default) leaves to OpenBLAS the cases where its im2col + sgemm measured faster
// (oneDNN 2.6.3 jit:avx2 against OpenBLAS 0.3.21 Haswell, one thread, AMD Zen 3: see README);
// 'all' runs every shape here (for benchmarks and tests).
bool g_all_shapes = false;

bool declined(int op, const Conv &c) {
  if (g_all_shapes) return false;
  // the input gradient of a conv from 1-7 channels (a D's first layer, a G's last): 1.7-2.6x slower
  if (op == 1 && c.ci < 8) return true;
  // outputs under 6x6 (4x4 maps of 128-256 channels): 1.1-1.7x slower
  if (std::min(c.oh, c.ow) < 6) return true;
  return false;
}

bool nhwc_activations(const Conv &c) { return g_layout == NHWC || (g_layout == AUTO && (c.ci < 8 || c.co < 8)); }

// One cached primitive: two inputs and one output, each with tfjs's layout (user) and the
// primitive's, and the reorders between them when they differ.
struct Slot {
  int arg;
  memory::desc user, prim;
  bool reorder;
  dnnl::reorder r;
};

struct Entry {
  dnnl::primitive prim;
  Slot in0, in1, out;
  memory::desc scratch;
  std::string impl;
};

thread_local std::unordered_map<std::string, std::unique_ptr<Entry>> g_cache;

Slot slot(int arg, const memory::desc &user, const memory::desc &prim, bool is_output) {
  Slot s{arg, user, prim, !(user == prim), dnnl::reorder()};
  if (s.reorder) {
    s.r = is_output ? dnnl::reorder(dnnl::reorder::primitive_desc(eng(), prim, eng(), user)) : dnnl::reorder(dnnl::reorder::primitive_desc(eng(), user, eng(), prim));
  }
  return s;
}

// The primitive for this op and shape (nullptr when oneDNN has none).
Entry *entry(Op op, const Conv &c) {
  // oneDNN sizes a primitive's work split (and scratchpad) for the OpenMP thread count at creation
  // and runs that many threads whatever the count is later: the count is part of the key (and the
  // layout by its index: "auto" and "any" share a first letter).
  std::string key = std::to_string(op) + std::to_string(int(g_layout)) + (g_all_shapes ? "a" : "d") + "t" + std::to_string(omp_get_max_threads());
  const int64_t v[] = {c.n, c.h, c.w, c.ci, c.kh, c.kw, c.co, c.oh, c.ow, c.sh, c.sw, c.pt, c.pl, c.dh, c.dw};
  for (int64_t x : v) key += "," + std::to_string(x);
  auto it = g_cache.find(key);
  if (it != g_cache.end()) return it->second.get();
  if (declined(op, c)) {
    g_cache[key] = nullptr;
    return nullptr;
  }

  const memory::dims src_d{c.n, c.ci, c.h, c.w}, wei_d{c.co, c.ci, c.kh, c.kw}, dst_d{c.n, c.co, c.oh, c.ow};
  const memory::dims strides{c.sh, c.sw}, dil{c.dh - 1, c.dw - 1}, pad_l{c.pt, c.pl};
  // tfjs's bottom/right padding is >= 0 and makes (h + pt + pb - ker) / s + 1 = oh; oneDNN wants
  // the same relation, and the rows a 'valid' conv drops give a negative value: clamp to 0.
  const memory::dims pad_r{std::max<int64_t>(0, (c.oh - 1) * c.sh + (c.kh - 1) * c.dh + 1 - c.h - c.pt),
                           std::max<int64_t>(0, (c.ow - 1) * c.sw + (c.kw - 1) * c.dw + 1 - c.w - c.pl)};
  const auto f32t = memory::data_type::f32;
  const memory::desc src_u(src_d, f32t, tag::nhwc), wei_u(wei_d, f32t, tag::hwio), dst_u(dst_d, f32t, tag::nhwc);
  const tag act = nhwc_activations(c) ? tag::nhwc : tag::any;
  const memory::desc src_a(src_d, f32t, act), wei_a(wei_d, f32t, tag::any), dst_a(dst_d, f32t, act);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);

  auto e = std::make_unique<Entry>();
  try {
    dnnl::convolution_forward::desc fd(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src_a, wei_a, dst_a, strides, dil, pad_l, pad_r);
    dnnl::convolution_forward::primitive_desc fpd(fd, attr, eng());
    if (op == FWD) {
      e->prim = dnnl::convolution_forward(fpd);
      e->in0 = slot(DNNL_ARG_SRC, src_u, fpd.src_desc(), false);
      e->in1 = slot(DNNL_ARG_WEIGHTS, wei_u, fpd.weights_desc(), false);
      e->out = slot(DNNL_ARG_DST, dst_u, fpd.dst_desc(), true);
      e->scratch = fpd.scratchpad_desc();
      e->impl = fpd.impl_info_str();
    } else if (op == BWD_DATA) {
      dnnl::convolution_backward_data::desc bd(dnnl::algorithm::convolution_direct, src_a, wei_a, dst_a, strides, dil, pad_l, pad_r);
      dnnl::convolution_backward_data::primitive_desc bpd(bd, attr, eng(), fpd);
      e->prim = dnnl::convolution_backward_data(bpd);
      e->in0 = slot(DNNL_ARG_DIFF_DST, dst_u, bpd.diff_dst_desc(), false);
      e->in1 = slot(DNNL_ARG_WEIGHTS, wei_u, bpd.weights_desc(), false);
      e->out = slot(DNNL_ARG_DIFF_SRC, src_u, bpd.diff_src_desc(), true);
      e->scratch = bpd.scratchpad_desc();
      e->impl = bpd.impl_info_str();
    } else {
      dnnl::convolution_backward_weights::desc wd(dnnl::algorithm::convolution_direct, src_a, wei_a, dst_a, strides, dil, pad_l, pad_r);
      dnnl::convolution_backward_weights::primitive_desc wpd(wd, attr, eng(), fpd);
      e->prim = dnnl::convolution_backward_weights(wpd);
      e->in0 = slot(DNNL_ARG_SRC, src_u, wpd.src_desc(), false);
      e->in1 = slot(DNNL_ARG_DIFF_DST, dst_u, wpd.diff_dst_desc(), false);
      e->out = slot(DNNL_ARG_DIFF_WEIGHTS, wei_u, wpd.diff_weights_desc(), true);
      e->scratch = wpd.scratchpad_desc();
      e->impl = wpd.impl_info_str();
    }
  } catch (const dnnl::error &) {
    e.reset();  // remembered as "none": the caller falls back every time without asking again
  }
  Entry *p = e.get();
  g_cache[key] = std::move(e);
  return p;
}

// Runs the cached primitive on user pointers, reordering through the shared buffers as needed.
void run(Entry &e, float *in0, float *in1, float *out) {
  dnnl::stream &s = strm();
  auto user_mem = [](const Slot &sl, void *p) { return memory(sl.user, eng(), p); };
  auto prim_mem = [&](Slot &sl, void *user, int buf) {
    if (!sl.reorder) return memory(sl.prim, eng(), user);
    return memory(sl.prim, eng(), g_buf[buf].get(sl.prim.get_size()));
  };
  memory m0 = prim_mem(e.in0, in0, 0), m1 = prim_mem(e.in1, in1, 1), mo = prim_mem(e.out, out, 2);
  if (e.in0.reorder) {
    memory u = user_mem(e.in0, in0);
    e.in0.r.execute(s, u, m0);
  }
  if (e.in1.reorder) {
    memory u = user_mem(e.in1, in1);
    e.in1.r.execute(s, u, m1);
  }
  memory sp(e.scratch, eng(), e.scratch.get_size() ? g_buf[3].get(e.scratch.get_size()) : nullptr);
  e.prim.execute(s, {{e.in0.arg, m0}, {e.in1.arg, m1}, {e.out.arg, mo}, {DNNL_ARG_SCRATCHPAD, sp}});
  if (e.out.reorder) {
    memory u = user_mem(e.out, out);
    e.out.r.execute(s, mo, u);
  }
  s.wait();
}

bool conv2d(napi_env env, napi_value *a) {
  const Conv c = conv_of(env, a[3]);
  float *x = f32(env, a[0], c.n * c.h * c.w * c.ci, "x");
  float *f = f32(env, a[1], c.K() * c.co, "filter");
  float *y = f32(env, a[2], c.n * c.oh * c.ow * c.co, "y");
  Entry *e = entry(FWD, c);
  if (!e) return false;
  run(*e, x, f, y);
  return true;
}

bool conv2d_backprop_input(napi_env env, napi_value *a) {
  const Conv c = conv_of(env, a[3]);
  float *dy = f32(env, a[0], c.n * c.oh * c.ow * c.co, "dy");
  float *f = f32(env, a[1], c.K() * c.co, "filter");
  float *dx = f32(env, a[2], c.n * c.h * c.w * c.ci, "dx");
  Entry *e = entry(BWD_DATA, c);
  if (!e) return false;
  run(*e, dy, f, dx);
  return true;
}

bool conv2d_backprop_filter(napi_env env, napi_value *a) {
  const Conv c = conv_of(env, a[3]);
  float *x = f32(env, a[0], c.n * c.h * c.w * c.ci, "x");
  float *dy = f32(env, a[1], c.n * c.oh * c.ow * c.co, "dy");
  float *df = f32(env, a[2], c.K() * c.co, "dfilter");
  Entry *e = entry(BWD_WEIGHTS, c);
  if (!e) return false;
  run(*e, x, dy, df);
  return true;
}

template <bool (*F)(napi_env, napi_value *)>
napi_value wrap4(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  bool ran = false;
  try {
    if (argc != 4) throw Fail{"native-kernels: expected 4 arguments"};
    ran = F(env, a);
  } catch (const Fail &e) {
    napi_throw_error(env, nullptr, e.msg.c_str());
    return nullptr;
  } catch (const dnnl::error &e) {
    napi_throw_error(env, nullptr, (std::string("native-kernels: oneDNN: ") + e.what()).c_str());
    return nullptr;
  } catch (const std::bad_alloc &) {
    napi_throw_error(env, nullptr, "native-kernels: out of memory for oneDNN's buffers");
    return nullptr;
  }
  napi_value v;
  napi_get_boolean(env, ran, &v);
  return v;
}

napi_value set_threads(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  int32_t n = 0;
  if (argc != 1 || napi_get_value_int32(env, a[0], &n) != napi_ok || n < 1) {
    napi_throw_error(env, nullptr, "native-kernels: setThreads(n) needs an integer n >= 1");
    return nullptr;
  }
  omp_set_num_threads(n);
  return nullptr;
}

napi_value get_threads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, omp_get_max_threads(), &v);
  return v;
}

std::string string_arg(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value a[1];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  char buf[16] = {0};
  size_t len = 0;
  if (argc != 1 || napi_get_value_string_utf8(env, a[0], buf, sizeof(buf), &len) != napi_ok) return "";
  return buf;
}

// setLayout('auto' | 'any' | 'nhwc'): see g_layout.
napi_value set_layout(napi_env env, napi_callback_info info) {
  const std::string v = string_arg(env, info);
  if (v == "auto") g_layout = AUTO;
  else if (v == "any") g_layout = ANY;
  else if (v == "nhwc") g_layout = NHWC;
  else napi_throw_error(env, nullptr, "native-kernels: setLayout needs 'auto', 'any' or 'nhwc'");
  return nullptr;
}

// setShapes('auto' | 'all'): see g_all_shapes.
napi_value set_shapes(napi_env env, napi_callback_info info) {
  const std::string v = string_arg(env, info);
  if (v == "auto" || v == "all") g_all_shapes = v == "all";
  else napi_throw_error(env, nullptr, "native-kernels: setShapes needs 'auto' or 'all'");
  return nullptr;
}

const char *isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_mic: return "avx512_mic";
    case dnnl::cpu_isa::avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "all";
  }
}

// info() -> { version: '2.6.3', isa: 'avx2', runtime: 'omp', layout: 'auto', shapes: 'auto' }
napi_value info(napi_env env, napi_callback_info) {
  const dnnl_version_t *v = dnnl_version();
  napi_value o, s;
  napi_create_object(env, &o);
  const std::string ver = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
  napi_create_string_utf8(env, ver.c_str(), NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "version", s);
  napi_create_string_utf8(env, isa_name(dnnl::get_effective_cpu_isa()), NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "isa", s);
  napi_create_string_utf8(env, v->cpu_runtime == DNNL_RUNTIME_OMP ? "omp" : v->cpu_runtime == DNNL_RUNTIME_TBB ? "tbb" : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "seq" : "other", NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "runtime", s);
  napi_create_string_utf8(env, LAYOUT_NAMES[g_layout], NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "layout", s);
  napi_create_string_utf8(env, g_all_shapes ? "all" : "auto", NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, o, "shapes", s);
  return o;
}

// primitives() -> [{ op, dims, impl, layout }]: the cached primitives, oneDNN's implementation of
// each (e.g. 'jit:avx2') and whether activations were reordered ('blocked') or not ('nhwc'); impl
// '' where the shape was left to OpenBLAS (declined, or oneDNN had no primitive).
napi_value primitives(napi_env env, napi_callback_info) {
  napi_value arr;
  napi_create_array(env, &arr);
  uint32_t i = 0;
  for (const auto &kv : g_cache) {
    napi_value o, s;
    napi_create_object(env, &o);
    const int op = kv.first[0] - '0';
    napi_create_string_utf8(env, OP_NAMES[op], NAPI_AUTO_LENGTH, &s);
    napi_set_named_property(env, o, "op", s);
    napi_create_string_utf8(env, kv.first.substr(kv.first.find(',') + 1).c_str(), NAPI_AUTO_LENGTH, &s);
    napi_set_named_property(env, o, "dims", s);
    napi_create_string_utf8(env, kv.second ? (kv.second->in0.user == kv.second->in0.prim && kv.second->out.user == kv.second->out.prim ? "nhwc" : "blocked") : "", NAPI_AUTO_LENGTH, &s);
    napi_set_named_property(env, o, "layout", s);
    napi_create_string_utf8(env, kv.second ? kv.second->impl.c_str() : "", NAPI_AUTO_LENGTH, &s);
    napi_set_named_property(env, o, "impl", s);
    napi_set_element(env, arr, i++, o);
  }
  return arr;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv2d", nullptr, wrap4<conv2d>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, wrap4<conv2d_backprop_input>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, wrap4<conv2d_backprop_filter>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, set_threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"getThreads", nullptr, get_threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setLayout", nullptr, set_layout, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setShapes", nullptr, set_shapes, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"info", nullptr, info, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"primitives", nullptr, primitives, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
