import * as path from 'path';
import { downsample2, Image, msSsim, msSsimDiversity, Rng, writeNpy } from '@cgan/models';
import { HAS_SCIPY, runPython, skipMessage, tmpDir } from './python';

const itPy = HAS_SCIPY ? it : it.skip;
if (!HAS_SCIPY) console.warn(skipMessage('MS-SSIM scipy reference test'));

/** A smooth random image in [0, 1] (sums of a few sinusoids). */
function smoothImage(h: number, w: number, c: number, seed: number): Image {
  const rng = new Rng(seed);
  const waves = Array.from({ length: 4 }, () => [rng.uniform() * 0.6, rng.uniform() * 0.6, rng.uniform() * 6]);
  const data = new Float64Array(h * w * c);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
    let v = 0;
    for (const [a, b, p] of waves) v += Math.sin(a * x + b * y + p + ch);
    data[(y * w + x) * c + ch] = 0.5 + v / 8;
  }
  return { h, w, c, data };
}

function addNoise(img: Image, sigma: number, seed: number): Image {
  const rng = new Rng(seed);
  return { ...img, data: img.data.map((v) => Math.min(1, Math.max(0, v + sigma * rng.normal()))) };
}

function boxBlur(img: Image, radius: number): Image {
  const { h, w, c } = img;
  const out = new Float64Array(img.data.length);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
    let s = 0;
    let n = 0;
    for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) {
      const yy = y + dy;
      const xx = x + dx;
      if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
      s += img.data[(yy * w + xx) * c + ch];
      n++;
    }
    out[(y * w + x) * c + ch] = s / n;
  }
  return { h, w, c, data: out };
}

describe('MS-SSIM', () => {
  it('is 1 for identical images', () => {
    const a = smoothImage(32, 32, 3, 1);
    expect(msSsim(a, a)).toBeCloseTo(1, 12);
    const g = smoothImage(28, 28, 1, 2);
    expect(msSsim(g, g)).toBeCloseTo(1, 12);
  });

  it('decreases monotonically with more noise and more blur', () => {
    const a = smoothImage(32, 32, 1, 3);
    const noisy = [0.02, 0.05, 0.1, 0.2, 0.4].map((s) => msSsim(a, addNoise(a, s, 7)));
    for (let i = 1; i < noisy.length; i++) expect(noisy[i]).toBeLessThan(noisy[i - 1]);
    expect(noisy[0]).toBeLessThan(1);
    const blurred = [1, 2, 3].map((r) => msSsim(a, boxBlur(a, r)));
    for (let i = 1; i < blurred.length; i++) expect(blurred[i]).toBeLessThan(blurred[i - 1]);
  });

  itPy('matches the msssim.py reference (scipy fftconvolve / ndimage) on random images', () => {
    const dir = tmpDir();
    const pairs: Array<[Image, Image]> = [
      [smoothImage(32, 32, 3, 4), addNoise(smoothImage(32, 32, 3, 4), 0.1, 1)],
      [smoothImage(28, 28, 1, 5), boxBlur(smoothImage(28, 28, 1, 5), 1)],
      [smoothImage(33, 30, 2, 6), addNoise(smoothImage(33, 30, 2, 6), 0.3, 2)],
    ];
    pairs.forEach(([a, b], i) => {
      writeNpy(path.join(dir, `a${i}.npy`), { rows: 1, cols: a.data.length, data: Float64Array.from(a.data) });
      writeNpy(path.join(dir, `b${i}.npy`), { rows: 1, cols: b.data.length, data: Float64Array.from(b.data) });
    });
    const shapes = pairs.map(([a]) => [a.h, a.w, a.c]);
    const ref = runPython<number[]>(`
import json, numpy as np
from scipy import signal
from scipy.ndimage import convolve
def gauss(size, sigma):
    radius = size // 2; offset = 0.0; start, stop = -radius, radius + 1
    if size % 2 == 0:
        offset = 0.5; stop -= 1
    x, y = np.mgrid[offset + start:stop, offset + start:stop]
    g = np.exp(-((x**2 + y**2) / (2.0 * sigma**2)))
    return g / g.sum()
def ssim(img1, img2, max_val=1.0, filter_size=11, filter_sigma=1.5, k1=0.01, k2=0.03):
    _, height, width, _ = img1.shape
    size = min(filter_size, height, width)
    sigma = size * filter_sigma / filter_size
    window = np.reshape(gauss(size, sigma), (1, size, size, 1))
    mu1 = signal.fftconvolve(img1, window, mode='valid'); mu2 = signal.fftconvolve(img2, window, mode='valid')
    s11 = signal.fftconvolve(img1 * img1, window, mode='valid'); s22 = signal.fftconvolve(img2 * img2, window, mode='valid')
    s12 = signal.fftconvolve(img1 * img2, window, mode='valid')
    mu11, mu22, mu12 = mu1 * mu1, mu2 * mu2, mu1 * mu2
    s11 -= mu11; s22 -= mu22; s12 -= mu12
    c1 = (k1 * max_val) ** 2; c2 = (k2 * max_val) ** 2
    v1 = 2.0 * s12 + c2; v2 = s11 + s22 + c2
    return np.mean(((2.0 * mu12 + c1) * v1) / ((mu11 + mu22 + c1) * v2)), np.mean(v1 / v2)
def msssim(img1, img2):
    weights = np.array([0.0448, 0.2856, 0.3001, 0.2363, 0.1333]); levels = weights.size
    down = np.ones((1, 2, 2, 1)) / 4.0
    mssim, mcs = [], []
    for _ in range(levels):
        s, cs = ssim(img1, img2); mssim.append(s); mcs.append(cs)
        img1, img2 = [convolve(im, down, mode='reflect')[:, ::2, ::2, :] for im in (img1, img2)]
    return np.prod(np.array(mcs[:levels - 1]) ** weights[:levels - 1]) * (mssim[levels - 1] ** weights[levels - 1])
shapes = ${JSON.stringify(shapes)}
out = []
for i, (h, w, c) in enumerate(shapes):
    a = np.load('a%d.npy' % i).reshape(1, h, w, c); b = np.load('b%d.npy' % i).reshape(1, h, w, c)
    out.append(float(msssim(a, b)))
print(json.dumps(out))
`, dir);
    pairs.forEach(([a, b], i) => expect(msSsim(a, b)).toBeCloseTo(ref[i], 8));
  });

  it('downsamples by 2x2 averages with a reflected border', () => {
    const img = { h: 3, w: 3, c: 1, data: new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) };
    const d = downsample2(img);
    expect([d.h, d.w]).toEqual([2, 2]);
    expect(Array.from(d.data)).toEqual([3, 4.5, 7.5, 9]);
  });

  it('diversity: near 1 for copies, lower for different samples; validates shapes', () => {
    const h = 28;
    const per = h * h;
    const copies = new Float32Array(4 * per);
    const distinct = new Float32Array(4 * per);
    const base = smoothImage(h, h, 1, 1).data;
    for (let i = 0; i < 4; i++) {
      copies.set(base, i * per);
      distinct.set(smoothImage(h, h, 1, 10 + i).data, i * per);
    }
    expect(msSsimDiversity({ images: copies, shape: [4, h, h, 1] })).toBeCloseTo(1, 6);
    expect(msSsimDiversity({ images: distinct, shape: [4, h, h, 1] })).toBeLessThan(0.9);
    expect(() => msSsim(smoothImage(8, 8, 1, 1), smoothImage(8, 8, 1, 1))).toThrow(/at least 16 pixels/);
    expect(() => msSsim(smoothImage(16, 16, 1, 1), smoothImage(16, 16, 3, 1))).toThrow(/shapes differ/);
  });
});
