/**
 * Multi-scale SSIM (Wang et al. 2003) as in compare_gan's image_similarity / the TF models
 * msssim.py reference: Gaussian window (11, sigma 1.5, shrunk for small images), valid
 * filtering, 2x2 average downsampling with reflected borders, five scales with weights
 * (0.0448, 0.2856, 0.3001, 0.2363, 0.1333). Images are float64 [h, w, c] in [0, max_val].
 *
 * As a GAN metric (compare_gan ms_ssim_score) it measures the *diversity* of generated
 * samples: the mean MS-SSIM over pairs of different samples (lower = more diverse).
 */
import { configurable, t } from '@cgan/config-lang';

export interface Image {
  h: number;
  w: number;
  c: number;
  /** Row-major [h, w, c]. */
  data: Float64Array | Float32Array;
}

export interface MsSsimOptions {
  maxVal?: number;
  filterSize?: number;
  filterSigma?: number;
  k1?: number;
  k2?: number;
  weights?: number[];
}

export const DEFAULT_MS_SSIM_WEIGHTS = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333];

/** Normalised 2-D Gaussian window (msssim.py _FSpecialGauss), row-major size*size. */
export function gaussianWindow(size: number, sigma: number): Float64Array {
  const radius = Math.floor(size / 2);
  let offset = 0;
  const start = -radius;
  if (size % 2 === 0) offset = 0.5;
  const g = new Float64Array(size * size);
  let sum = 0;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) {
      const x = offset + start + i;
      const y = offset + start + j;
      const v = Math.exp(-(x * x + y * y) / (2 * sigma * sigma));
      g[i * size + j] = v;
      sum += v;
    }
  }
  for (let i = 0; i < g.length; i++) g[i] /= sum;
  return g;
}

/** 'valid' 2-D filtering of each channel with a symmetric window. */
function filterValid(img: Float64Array, h: number, w: number, c: number, win: Float64Array, size: number): Float64Array {
  const oh = h - size + 1;
  const ow = w - size + 1;
  const out = new Float64Array(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let i = 0; i < size; i++) {
          const row = (y + i) * w;
          for (let j = 0; j < size; j++) s += win[(size - 1 - i) * size + (size - 1 - j)] * img[(row + x + j) * c + ch];
        }
        out[(y * ow + x) * c + ch] = s;
      }
    }
  }
  return out;
}

/** SSIM and contrast-structure term at one scale (msssim.py _SSIMForMultiScale). */
export function ssimAndCs(a: Image, b: Image, o: Required<Omit<MsSsimOptions, 'weights'>>): { ssim: number; cs: number } {
  const { h, w, c } = a;
  const size = Math.min(o.filterSize, h, w);
  const sigma = (size * o.filterSigma) / o.filterSize;
  const x1 = Float64Array.from(a.data);
  const x2 = Float64Array.from(b.data);
  const win = gaussianWindow(size, sigma);
  const prod = (p: Float64Array, q: Float64Array) => p.map((v, i) => v * q[i]);
  const mu1 = filterValid(x1, h, w, c, win, size);
  const mu2 = filterValid(x2, h, w, c, win, size);
  const s11 = filterValid(prod(x1, x1), h, w, c, win, size);
  const s22 = filterValid(prod(x2, x2), h, w, c, win, size);
  const s12 = filterValid(prod(x1, x2), h, w, c, win, size);
  const c1 = (o.k1 * o.maxVal) ** 2;
  const c2 = (o.k2 * o.maxVal) ** 2;
  let ssim = 0;
  let cs = 0;
  for (let i = 0; i < mu1.length; i++) {
    const mu11 = mu1[i] * mu1[i];
    const mu22 = mu2[i] * mu2[i];
    const mu12 = mu1[i] * mu2[i];
    const v1 = 2 * (s12[i] - mu12) + c2;
    const v2 = s11[i] - mu11 + (s22[i] - mu22) + c2;
    ssim += ((2 * mu12 + c1) * v1) / ((mu11 + mu22 + c1) * v2);
    cs += v1 / v2;
  }
  return { ssim: ssim / mu1.length, cs: cs / mu1.length };
}

/** 2x2 average with reflected border, keeping every other pixel (ceil(h/2) x ceil(w/2)). */
export function downsample2(img: Image): Image {
  const { h, w, c } = img;
  const oh = Math.ceil(h / 2);
  const ow = Math.ceil(w / 2);
  const out = new Float64Array(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    const y0 = 2 * y;
    const y1 = Math.min(2 * y + 1, h - 1);
    for (let x = 0; x < ow; x++) {
      const x0 = 2 * x;
      const x1 = Math.min(2 * x + 1, w - 1);
      for (let ch = 0; ch < c; ch++) {
        const at = (yy: number, xx: number) => img.data[(yy * w + xx) * c + ch];
        out[(y * ow + x) * c + ch] = (at(y0, x0) + at(y0, x1) + at(y1, x0) + at(y1, x1)) / 4;
      }
    }
  }
  return { h: oh, w: ow, c, data: out };
}

/** MS-SSIM between two images of the same shape. */
export function msSsim(a: Image, b: Image, opts: MsSsimOptions = {}): number {
  if (a.h !== b.h || a.w !== b.w || a.c !== b.c) {
    throw new Error(`MS-SSIM: image shapes differ ([${a.h}, ${a.w}, ${a.c}] vs [${b.h}, ${b.w}, ${b.c}])`);
  }
  if (a.data.length !== a.h * a.w * a.c || b.data.length !== a.data.length) throw new Error('MS-SSIM: image data does not match its shape');
  const o = { maxVal: opts.maxVal ?? 1, filterSize: opts.filterSize ?? 11, filterSigma: opts.filterSigma ?? 1.5, k1: opts.k1 ?? 0.01, k2: opts.k2 ?? 0.03 };
  const weights = opts.weights ?? DEFAULT_MS_SSIM_WEIGHTS;
  const levels = weights.length;
  if (Math.min(a.h, a.w) < 2 ** (levels - 1)) {
    throw new Error(`MS-SSIM with ${levels} scales needs images of at least ${2 ** (levels - 1)} pixels a side, got ${a.h}x${a.w}`);
  }
  let x = a;
  let y = b;
  let result = 1;
  for (let l = 0; l < levels; l++) {
    const { ssim, cs } = ssimAndCs(x, y, o);
    // Negative cs/ssim (anti-correlated images) raised to a fractional power is NaN in numpy too;
    // clamp at 0 so that such pairs count as maximally dissimilar.
    if (l < levels - 1) result *= Math.pow(Math.max(cs, 0), weights[l]);
    else result *= Math.pow(Math.max(ssim, 0), weights[l]);
    if (l < levels - 1) {
      x = downsample2(x);
      y = downsample2(y);
    }
  }
  return result;
}

/**
 * Diversity of generated samples (compare_gan ms_ssim_score): mean MS-SSIM over the pairs
 * (i, i + n/2) of `images` ([n, h, w, c] row-major, values in [0, max_val]).
 */
export interface MsSsimParams {
  max_val: number;
  filter_size: number;
  filter_sigma: number;
  k1: number;
  k2: number;
}

export const msSsimDiversity = configurable('ms_ssim', {
  module: 'metrics',
  params: { max_val: 1.0, filter_size: { default: 11, type: t.int }, filter_sigma: 1.5, k1: 0.01, k2: 0.03 },
  doc: 'Mean MS-SSIM between pairs of generated samples (lower = more diverse).',
}, (kw: { images: Float32Array | Float64Array; shape: [number, number, number, number] } & MsSsimParams): number => {
  const [n, h, w, c] = kw.shape;
  if (n < 2) throw new Error(`MS-SSIM diversity needs at least 2 images, got ${n}`);
  const per = h * w * c;
  const half = Math.floor(n / 2);
  let total = 0;
  for (let i = 0; i < half; i++) {
    const a = { h, w, c, data: kw.images.subarray(i * per, (i + 1) * per) };
    const b = { h, w, c, data: kw.images.subarray((i + half) * per, (i + half + 1) * per) };
    total += msSsim(a, b, { maxVal: kw.max_val, filterSize: kw.filter_size, filterSigma: kw.filter_sigma, k1: kw.k1, k2: kw.k2 });
  }
  return total / half;
}) as unknown as (kw: { images: Float32Array | Float64Array; shape: [number, number, number, number] } & Partial<MsSsimParams>) => number;
