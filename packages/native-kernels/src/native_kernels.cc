// Float32 NHWC convolutions (forward, backprop input, backprop filter) and batched matMul for the
// tfjs wasm backend, computed with im2col + OpenBLAS's cblas_sgemm on the wasm heap's memory
// (the arguments are Float32Array views; outputs are written in place, nothing is returned).
#include "napi_args.h"
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_config(void);
char *openblas_get_corename(void);
}

namespace {

using namespace cgan;

// The im2col buffer, kept between calls (a fresh 16-64 MB allocation per call costs page faults
// and zeroing). One per thread: worker_threads may load the addon too.
float *scratch(size_t n) {
  thread_local std::vector<float> buf;
  if (buf.size() < n) {
    buf = std::vector<float>();
    buf.resize(n);
  }
  return buf.data();
}

// Images per im2col chunk: the column buffer stays under ~64 MB.
int64_t chunk_images(const Conv &c) {
  const int64_t per = c.oh * c.ow * c.K();
  return std::max<int64_t>(1, std::min<int64_t>(c.n, (int64_t(16) << 20) / std::max<int64_t>(per, 1)));
}

// col[(b, oy, ox), (ky, kx, c)] = x[b0 + b, oy*sh + ky*dh - pt, ox*sw + kx*dw - pl, c] (0 outside).
// With dw == 1 each kernel row is one contiguous run of the input row.
void im2col(const Conv &c, const float *x, int64_t b0, int64_t nb, float *col) {
  const int64_t K = c.K(), rowlen = c.kw * c.ci;
  for (int64_t b = 0; b < nb; b++) {
    const float *xb = x + (b0 + b) * c.h * c.w * c.ci;
    for (int64_t oy = 0; oy < c.oh; oy++) {
      for (int64_t ox = 0; ox < c.ow; ox++) {
        float *dst = col + ((b * c.oh + oy) * c.ow + ox) * K;
        const int64_t ix0 = ox * c.sw - c.pl;
        for (int64_t ky = 0; ky < c.kh; ky++) {
          float *d = dst + ky * rowlen;
          const int64_t iy = oy * c.sh + ky * c.dh - c.pt;
          if (iy < 0 || iy >= c.h) {
            std::memset(d, 0, sizeof(float) * rowlen);
            continue;
          }
          const float *xr = xb + iy * c.w * c.ci;
          if (c.dw == 1) {
            const int64_t kx0 = std::min<int64_t>(c.kw, std::max<int64_t>(0, -ix0)), kx1 = std::max<int64_t>(kx0, std::min<int64_t>(c.kw, c.w - ix0));
            if (kx0 > 0) std::memset(d, 0, sizeof(float) * kx0 * c.ci);
            if (kx1 > kx0) std::memcpy(d + kx0 * c.ci, xr + (ix0 + kx0) * c.ci, sizeof(float) * (kx1 - kx0) * c.ci);
            if (kx1 < c.kw) std::memset(d + kx1 * c.ci, 0, sizeof(float) * (c.kw - kx1) * c.ci);
          } else {
            for (int64_t kx = 0; kx < c.kw; kx++) {
              const int64_t ix = ix0 + kx * c.dw;
              if (ix < 0 || ix >= c.w) std::memset(d + kx * c.ci, 0, sizeof(float) * c.ci);
              else std::memcpy(d + kx * c.ci, xr + ix * c.ci, sizeof(float) * c.ci);
            }
          }
        }
      }
    }
  }
}

// dx[b0 + b, ...] += col scattered back (the adjoint of im2col).
void col2im(const Conv &c, const float *col, int64_t b0, int64_t nb, float *dx) {
  const int64_t K = c.K(), rowlen = c.kw * c.ci;
  for (int64_t b = 0; b < nb; b++) {
    float *xb = dx + (b0 + b) * c.h * c.w * c.ci;
    for (int64_t oy = 0; oy < c.oh; oy++) {
      for (int64_t ox = 0; ox < c.ow; ox++) {
        const float *src = col + ((b * c.oh + oy) * c.ow + ox) * K;
        const int64_t ix0 = ox * c.sw - c.pl;
        for (int64_t ky = 0; ky < c.kh; ky++) {
          const int64_t iy = oy * c.sh + ky * c.dh - c.pt;
          if (iy < 0 || iy >= c.h) continue;
          const float *s = src + ky * rowlen;
          float *xr = xb + iy * c.w * c.ci;
          for (int64_t kx = 0; kx < c.kw; kx++) {
            const int64_t ix = ix0 + kx * c.dw;
            if (ix < 0 || ix >= c.w) continue;
            const float *sk = s + kx * c.ci;
            float *d = xr + ix * c.ci;
            for (int64_t i = 0; i < c.ci; i++) d[i] += sk[i];
          }
        }
      }
    }
  }
}

// conv2d(x, filter, y, dims): y = conv(x, filter).
void conv2d(napi_env env, napi_value *a) {
  const Conv c = conv_of(env, a[3]);
  const float *x = f32(env, a[0], c.n * c.h * c.w * c.ci, "x");
  const float *f = f32(env, a[1], c.K() * c.co, "filter");
  float *y = f32(env, a[2], c.n * c.oh * c.ow * c.co, "y");
  const int64_t K = c.K();
  if (c.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c.n * c.h * c.w, c.co, c.ci, 1.f, x, c.ci, f, c.co, 0.f, y, c.co);
    return;
  }
  const int64_t nb = chunk_images(c), rows = c.oh * c.ow;
  float *col = scratch(nb * rows * K);
  for (int64_t b0 = 0; b0 < c.n; b0 += nb) {
    const int64_t m = std::min(nb, c.n - b0);
    im2col(c, x, b0, m, col);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m * rows, c.co, K, 1.f, col, K, f, c.co, 0.f, y + b0 * rows * c.co, c.co);
  }
}

// conv2dBackpropInput(dy, filter, dx, dims): dx = d(sum(conv(x, filter) * dy)) / dx.
void conv2d_backprop_input(napi_env env, napi_value *a) {
  const Conv c = conv_of(env, a[3]);
  const float *dy = f32(env, a[0], c.n * c.oh * c.ow * c.co, "dy");
  const float *f = f32(env, a[1], c.K() * c.co, "filter");
  float *dx = f32(env, a[2], c.n * c.h * c.w * c.ci, "dx");
  const int64_t K = c.K();
  if (c.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, c.n * c.h * c.w, c.ci, c.co, 1.f, dy, c.co, f, c.co, 0.f, dx, c.ci);
    return;
  }
  std::memset(dx, 0, sizeof(float) * c.n * c.h * c.w * c.ci);
  const int64_t nb = chunk_images(c), rows = c.oh * c.ow;
  float *col = scratch(nb * rows * K);
  for (int64_t b0 = 0; b0 < c.n; b0 += nb) {
    const int64_t m = std::min(nb, c.n - b0);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m * rows, K, c.co, 1.f, dy + b0 * rows * c.co, c.co, f, c.co, 0.f, col, K);
    col2im(c, col, b0, m, dx);
  }
}

// conv2dBackpropFilter(x, dy, dfilter, dims): dfilter = d(sum(conv(x, filter) * dy)) / dfilter.
void conv2d_backprop_filter(napi_env env, napi_value *a) {
  const Conv c = conv_of(env, a[3]);
  const float *x = f32(env, a[0], c.n * c.h * c.w * c.ci, "x");
  const float *dy = f32(env, a[1], c.n * c.oh * c.ow * c.co, "dy");
  float *df = f32(env, a[2], c.K() * c.co, "dfilter");
  const int64_t K = c.K();
  if (c.pointwise()) {
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c.ci, c.co, c.n * c.h * c.w, 1.f, x, c.ci, dy, c.co, 0.f, df, c.co);
    return;
  }
  const int64_t nb = chunk_images(c), rows = c.oh * c.ow;
  float *col = scratch(nb * rows * K);
  for (int64_t b0 = 0; b0 < c.n; b0 += nb) {
    const int64_t m = std::min(nb, c.n - b0);
    im2col(c, x, b0, m, col);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, K, c.co, m * rows, 1.f, col, K, dy + b0 * rows * c.co, c.co, b0 == 0 ? 0.f : 1.f, df, c.co);
  }
}

// matMul(a, b, c, [batchA, batchB, m, n, k, transposeA, transposeB]): c[i] = op(a[i]) op(b[i]),
// a batch of 1 broadcasting over the other.
void mat_mul(napi_env env, napi_value *a) {
  auto d = ints(env, a[3], 7, "dims");
  const int64_t ba = d[0], bb = d[1], m = d[2], n = d[3], k = d[4];
  const bool ta = d[5] != 0, tb = d[6] != 0;
  if (ba <= 0 || bb <= 0 || m < 0 || n < 0 || k < 0 || (ba != bb && ba != 1 && bb != 1)) throw Fail{"native-kernels: bad matMul dims"};
  const int64_t batch = std::max(ba, bb);
  const float *A = f32(env, a[0], ba * m * k, "a");
  const float *B = f32(env, a[1], bb * k * n, "b");
  float *C = f32(env, a[2], batch * m * n, "c");
  if (k == 0) {
    std::memset(C, 0, sizeof(float) * batch * m * n);
    return;
  }
  // Products under ~4 MFLOP (spectral norm's matrix-vector products, small dense layers) on one
  // thread: OpenBLAS's own threshold (~0.5 MFLOP) would wake a worker for them, which costs more
  // than it saves, more so when the other core is busy. Where OpenBLAS would have split such a
  // product, its values may differ in the last bits (another blocking); a seeded sndcgan.gin run
  // at 2 threads gave the same losses to the bit before and after.
  const int threads = openblas_get_num_threads();
  const bool one = threads > 1 && double(m) * double(n) * double(k) < double(1 << 21);
  if (one) openblas_set_num_threads(1);
  for (int64_t i = 0; i < batch; i++) {
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, m, n, k, 1.f,
                A + (ba == 1 ? 0 : i) * m * k, ta ? m : k, B + (bb == 1 ? 0 : i) * k * n, tb ? k : n, 0.f, C + i * m * n, n);
  }
  if (one) openblas_set_num_threads(threads);
}

// sumLeading(x, out, [rows, cols, mean]): out[c] = sum_r x[r, c] (times 1/rows when mean),
// accumulated in double row by row: the same order and rounding as the JS loop it replaces.
void sum_leading(napi_env env, napi_value *a) {
  auto d = ints(env, a[2], 3, "dims");
  const int64_t rows = d[0], cols = d[1];
  if (rows <= 0 || cols <= 0) throw Fail{"native-kernels: bad sumLeading dims"};
  const float *x = f32(env, a[0], rows * cols, "x");
  float *out = f32(env, a[1], cols, "out");
  std::vector<double> acc(cols, 0.0);
  double *ac = acc.data();
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    for (int64_t c = 0; c < cols; c++) ac[c] += double(xr[c]);
  }
  const double scale = d[2] ? 1.0 / double(rows) : 1.0;
  for (int64_t c = 0; c < cols; c++) out[c] = float(ac[c] * scale);
}

// The arguments batchNorm and batchNormGrad share: dims [rows, c, rows_per_scale_row] and epsilon.
struct BatchNormDims {
  int64_t rows, c, rps, srows;
  float eps;
};

BatchNormDims batch_norm_dims(napi_env env, napi_value dims, napi_value epsilon, const char *name) {
  auto d = ints(env, dims, 3, "dims");
  const int64_t rows = d[0], c = d[1], rps = d[2];
  if (rows <= 0 || c <= 0 || rps <= 0 || rows % rps) throw Fail{std::string("native-kernels: bad ") + name + " dims"};
  double eps = 0;
  check(env, napi_get_value_double(env, epsilon, &eps), "epsilon");
  return {rows, c, rps, rows / rps, float(eps)};
}

// Training-mode batch norm over the rows of x [rows, c] (every axis but the channels), with
// scale and offset of c values (per channel) or (rows / rows_per_scale_row) x c (per sample).
// Each elementwise step is one float32 operation in the order of the tfjs ops it replaces
// ((x - mean) * rsqrt(var + eps) * scale + offset); the sums accumulate in double. The same
// arithmetic as packages/models/src/runtime/kernels/batch_norm.ts documents.
//
// batchNorm(x, scale, offset, y, mean, variance, [rows, c, rows_per_scale_row], epsilon)
void batch_norm(napi_env env, napi_value *a) {
  const BatchNormDims bn = batch_norm_dims(env, a[6], a[7], "batchNorm");
  const int64_t rows = bn.rows, c = bn.c, rps = bn.rps, srows = bn.srows;
  const float eps = bn.eps;
  const float *x = f32(env, a[0], rows * c, "x");
  const float *scale = f32(env, a[1], srows * c, "scale");
  const float *offset = f32(env, a[2], srows * c, "offset");
  float *y = f32(env, a[3], rows * c, "y");
  float *mean = f32(env, a[4], c, "mean");
  float *var = f32(env, a[5], c, "variance");
  std::vector<double> acc(c, 0.0);
  std::vector<float> rstd(c);
  double *ac = acc.data();
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    for (int64_t k = 0; k < c; k++) ac[k] += double(xr[k]);
  }
  for (int64_t k = 0; k < c; k++) mean[k] = float(ac[k] / double(rows));
  std::fill(acc.begin(), acc.end(), 0.0);
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * c;
    for (int64_t k = 0; k < c; k++) {
      const float dv = xr[k] - mean[k];
      ac[k] += double(dv * dv);
    }
  }
  for (int64_t k = 0; k < c; k++) {
    var[k] = float(ac[k] / double(rows));
    rstd[k] = float(1.0 / std::sqrt(double(var[k] + eps)));
  }
  const float *rs = rstd.data();
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * c, *sr = scale + (r / rps) * c, *orow = offset + (r / rps) * c;
    float *yr = y + r * c;
    for (int64_t k = 0; k < c; k++) yr[k] = ((xr[k] - mean[k]) * rs[k]) * sr[k] + orow[k];
  }
}

// Its gradient, through the batch moments too:
//   dx = rstd * (dy*scale - mean_rows(dy*scale) - xhat * mean_rows(dy*scale*xhat)),
//   dscale = sum dy*xhat, doffset = sum dy (over the rows sharing a scale row), in double.
// batchNormGrad(x, dy, scale, mean, variance, dx, dscale, doffset, [rows, c, rows_per_scale_row], epsilon)
void batch_norm_grad(napi_env env, napi_value *a) {
  const BatchNormDims bn = batch_norm_dims(env, a[8], a[9], "batchNormGrad");
  const int64_t rows = bn.rows, c = bn.c, rps = bn.rps, srows = bn.srows;
  const float eps = bn.eps;
  const float *x = f32(env, a[0], rows * c, "x");
  const float *dy = f32(env, a[1], rows * c, "dy");
  const float *scale = f32(env, a[2], srows * c, "scale");
  const float *mean = f32(env, a[3], c, "mean");
  const float *var = f32(env, a[4], c, "variance");
  float *dx = f32(env, a[5], rows * c, "dx");
  float *dscale = f32(env, a[6], srows * c, "dscale");
  float *doffset = f32(env, a[7], srows * c, "doffset");
  std::vector<double> rstd(c), sg(c, 0.0), sgx(c, 0.0), ds(srows * c, 0.0), dof(srows * c, 0.0);
  for (int64_t k = 0; k < c; k++) rstd[k] = double(float(1.0 / std::sqrt(double(var[k] + eps))));
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * c, *gr = dy + r * c, *sr = scale + (r / rps) * c;
    double *dsr = ds.data() + (r / rps) * c, *dor = dof.data() + (r / rps) * c;
    for (int64_t k = 0; k < c; k++) {
      const double xh = (double(xr[k]) - double(mean[k])) * rstd[k];
      const double g = gr[k], gx = g * double(sr[k]);
      sg[k] += gx;
      sgx[k] += gx * xh;
      dsr[k] += g * xh;
      dor[k] += g;
    }
  }
  for (int64_t k = 0; k < c; k++) {
    sg[k] /= double(rows);
    sgx[k] /= double(rows);
  }
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * c, *gr = dy + r * c, *sr = scale + (r / rps) * c;
    float *dxr = dx + r * c;
    for (int64_t k = 0; k < c; k++) {
      const double xh = (double(xr[k]) - double(mean[k])) * rstd[k];
      dxr[k] = float(rstd[k] * (double(gr[k]) * double(sr[k]) - sg[k] - xh * sgx[k]));
    }
  }
  for (int64_t i = 0; i < srows * c; i++) {
    dscale[i] = float(ds[i]);
    doffset[i] = float(dof[i]);
  }
}

// leakyRelu(x, y, alpha): y = x < 0 ? alpha * x : x, as the wasm and cpu LeakyRelu kernels.
void leaky_relu(napi_env env, napi_value *a) {
  const float alpha = float(number(env, a[2], "alpha"));
  const size_t n = length(env, a[0], "x");
  const float *x = f32(env, a[0], n, "x");
  float *y = f32(env, a[1], n, "y");
  for (size_t i = 0; i < n; i++) y[i] = x[i] < 0 ? alpha * x[i] : x[i];
}

// leakyReluGrad(dy, x, dx, alpha): dx = dy * step(x, alpha), step = 1 where x > 0, NaN where x is
// NaN, else alpha: the product the gradient of LeakyRelu computes with Step and Multiply
// (packages/models/src/runtime/gradients.ts), in one pass.
void leaky_relu_grad(napi_env env, napi_value *a) {
  const float alpha = float(number(env, a[3], "alpha"));
  const size_t n = length(env, a[0], "dy");
  const float *dy = f32(env, a[0], n, "dy");
  const float *x = f32(env, a[1], n, "x");
  float *dx = f32(env, a[2], n, "dx");
  const float nan = std::nanf("");
  for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (x[i] > 0 ? 1.f : x[i] == x[i] ? alpha : nan);
}

// The Adam loop; with MEASURE the sums too (a separate instance: the plain loop stays vectorisable).
template <bool MEASURE>
void adam_loop(const float *k, size_t n, const float *w, const float *m, const float *v, const float *g, float *ow, float *om, float *ov, double *sums) {
  const float b1 = k[0], b2 = k[1], c1 = k[2], c2 = k[3], d1 = k[4], d2 = k[5], eps = k[6], lr = k[7];
  double gs = 0, ws = 0, us = 0;
  for (size_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * c1;
    const float vi = v[i] * b2 + (gi * gi) * c2;
    om[i] = mi;
    ov[i] = vi;
    const float wi = ((mi / d1) / (std::sqrt(vi / d2) + eps)) * lr + w[i];
    ow[i] = wi;
    if constexpr (MEASURE) {
      const double d = double(wi) - double(w[i]);
      gs += double(gi) * double(gi);
      ws += double(wi) * double(wi);
      us += d * d;
    }
  }
  if constexpr (MEASURE) {
    sums[0] = gs;
    sums[1] = ws;
    sums[2] = us;
  }
}

// adamUpdate(w, m, v, g, w_out, m_out, v_out, [b1, b2, 1-b1, 1-b2, 1-b1^t, 1-b2^t, eps, -lr], sums | null):
// tfjs's Adam step for one variable, each operation rounded to float32 in tfjs's order, as
// packages/models/src/optimizers/fused_adam.ts's JS loop (Math.fround after each operation; a
// float32 operation here rounds the same way, and binding.gyp keeps the compiler from fusing
// multiply-adds). sums (a Float64Array of 3), when given: sum g^2, sum w_out^2, sum (w_out - w)^2
// in double, in the JS loop's order.
void adam_update(napi_env env, napi_value *a) {
  const size_t n = length(env, a[0], "w");
  const float *w = f32(env, a[0], n, "w");
  const float *m = f32(env, a[1], n, "m");
  const float *v = f32(env, a[2], n, "v");
  const float *g = f32(env, a[3], n, "g");
  float *ow = f32(env, a[4], n, "w_out");
  float *om = f32(env, a[5], n, "m_out");
  float *ov = f32(env, a[6], n, "v_out");
  float k[8];
  bool is = false;
  check(env, napi_is_array(env, a[7], &is), "adam constants");
  if (!is) throw Fail{"native-kernels: adamUpdate needs 8 constants"};
  for (uint32_t i = 0; i < 8; i++) {
    napi_value e;
    check(env, napi_get_element(env, a[7], i, &e), "adam constants");
    k[i] = float(number(env, e, "adam constant"));
  }
  napi_valuetype st = napi_undefined;
  napi_typeof(env, a[8], &st);
  if (st == napi_null || st == napi_undefined) adam_loop<false>(k, n, w, m, v, g, ow, om, ov, nullptr);
  else adam_loop<true>(k, n, w, m, v, g, ow, om, ov, f64(env, a[8], 3, "sums"));
}

template <void (*F)(napi_env, napi_value *), size_t N>
napi_value wrapN(napi_env env, napi_callback_info info) {
  size_t argc = N;
  napi_value a[N];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  try {
    if (argc != N) throw Fail{"native-kernels: expected " + std::to_string(N) + " arguments"};
    F(env, a);
  } catch (const Fail &e) {
    napi_throw_error(env, nullptr, e.msg.c_str());
  } catch (const std::bad_alloc &) {
    napi_throw_error(env, nullptr, "native-kernels: out of memory");
  }
  return nullptr;
}

template <void (*F)(napi_env, napi_value *)>
napi_value wrap3(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value a[3];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  try {
    if (argc != 3) throw Fail{"native-kernels: expected 3 arguments"};
    F(env, a);
  } catch (const Fail &e) {
    napi_throw_error(env, nullptr, e.msg.c_str());
  } catch (const std::bad_alloc &) {
    napi_throw_error(env, nullptr, "native-kernels: out of memory");
  }
  return nullptr;
}

template <void (*F)(napi_env, napi_value *)>
napi_value wrap4(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value a[4];
  napi_get_cb_info(env, info, &argc, a, nullptr, nullptr);
  try {
    if (argc != 4) throw Fail{"native-kernels: expected 4 arguments"};
    F(env, a);
  } catch (const Fail &e) {
    napi_throw_error(env, nullptr, e.msg.c_str());
  } catch (const std::bad_alloc &) {
    napi_throw_error(env, nullptr, "native-kernels: out of memory for the im2col buffer");
  }
  return nullptr;
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
  openblas_set_num_threads(n);
  return nullptr;
}

napi_value get_threads(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_int32(env, openblas_get_num_threads(), &v);
  return v;
}

napi_value blas_config(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value blas_corename(napi_env env, napi_callback_info) {
  napi_value v;
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &v);
  return v;
}

napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"conv2d", nullptr, wrap4<conv2d>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropInput", nullptr, wrap4<conv2d_backprop_input>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"conv2dBackpropFilter", nullptr, wrap4<conv2d_backprop_filter>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"matMul", nullptr, wrap4<mat_mul>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"sumLeading", nullptr, wrap3<sum_leading>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNorm", nullptr, wrapN<batch_norm, 8>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"batchNormGrad", nullptr, wrapN<batch_norm_grad, 10>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"leakyRelu", nullptr, wrapN<leaky_relu, 3>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"leakyReluGrad", nullptr, wrapN<leaky_relu_grad, 4>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"adamUpdate", nullptr, wrapN<adam_update, 9>, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"setThreads", nullptr, set_threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"getThreads", nullptr, get_threads, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"blasConfig", nullptr, blas_config, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
      {"blasCorename", nullptr, blas_corename, nullptr, nullptr, nullptr, napi_enumerable, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
