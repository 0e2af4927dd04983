import * as path from 'path';
import { fidFromFeatures, frechetDistance, gaussianStats, matmul, Rng, RunningMoments, sqrtmPsd, symmetricEigen, writeNpy } from '@cgan/models';
import { correlatedFeatures } from './fixtures';
import { HAS_SCIPY, runPython, skipMessage, tmpDir } from './python';

const itPy = HAS_SCIPY ? it : it.skip;
if (!HAS_SCIPY) console.warn(skipMessage('FID numpy/scipy reference tests'));

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const x = new Float64Array(n * n);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const xt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) xt[j * n + i] = x[i * n + j];
  return matmul(x, xt, n, n, n); // PSD
}

describe('symmetricEigen', () => {
  it.each([1, 2, 7, 60])('decomposes an n x n PSD matrix, n = %i (A v = lambda v, orthonormal, ascending)', (n) => {
    const a = randomSymmetric(n, n);
    const { values, vectors } = symmetricEigen(a, n);
    const v = vectors!;
    for (let i = 0; i < n; i++) {
      if (i > 0) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
      for (let r = 0; r < n; r++) {
        let s = 0;
        for (let c = 0; c < n; c++) s += a[r * n + c] * v[i * n + c];
        expect(Math.abs(s - values[i] * v[i * n + r])).toBeLessThan(1e-9 * Math.max(1, Math.abs(values[n - 1])));
      }
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let c = 0; c < n; c++) dot += v[i * n + c] * v[j * n + c];
        expect(dot).toBeCloseTo(i === j ? 1 : 0, 10);
      }
    }
    const only = symmetricEigen(a, n, { vectors: false }).values;
    for (let i = 0; i < n; i++) expect(only[i]).toBeCloseTo(values[i], 8);
  });

  it('handles diagonal and rank-deficient matrices', () => {
    const d = new Float64Array([3, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(Array.from(symmetricEigen(d, 3).values)).toEqual([1, 2, 3]);
    const x = new Float64Array([1, 2, 3]);
    const r1 = matmul(x, x, 3, 1, 3); // x x^T, rank 1
    const ev = symmetricEigen(r1, 3).values;
    expect(ev[0]).toBeCloseTo(0, 12);
    expect(ev[1]).toBeCloseTo(0, 12);
    expect(ev[2]).toBeCloseTo(14, 12);
  });

  it('sqrtmPsd squares back to the matrix', () => {
    const n = 30;
    const a = randomSymmetric(n, 5);
    const s = sqrtmPsd(a, n);
    const s2 = matmul(s, s, n, n, n);
    for (let i = 0; i < n * n; i++) expect(s2[i]).toBeCloseTo(a[i], 8);
  });
});

describe('Fréchet distance, closed forms', () => {
  it('is 0 for identical feature sets', () => {
    const f = correlatedFeatures(300, 10, 1);
    expect(fidFromFeatures(f, f)).toBeLessThan(1e-9);
  });

  it('matches ||m1-m2||^2 + sum (sqrt a - sqrt b)^2 for diagonal covariances', () => {
    const a = [1, 4, 9, 0.25];
    const b = [4, 1, 1, 2.25];
    const diag = (v: number[]) => {
      const m = new Float64Array(v.length * v.length);
      v.forEach((x, i) => (m[i * v.length + i] = x));
      return m;
    };
    const m1 = new Float64Array([0, 1, 2, 3]);
    const m2 = new Float64Array([1, 1, 0, 3]);
    const expected = 1 + 0 + 4 + 0 + a.reduce((s, x, i) => s + (Math.sqrt(x) - Math.sqrt(b[i])) ** 2, 0);
    expect(frechetDistance({ mean: m1, cov: diag(a) }, { mean: m2, cov: diag(b) })).toBeCloseTo(expected, 12);
  });

  it('matches tr sqrt(AB) = sqrt(tr AB + 2 sqrt(det AB)) for non-commuting 2x2 covariances', () => {
    const A = new Float64Array([2, 0.8, 0.8, 1]);
    const B = new Float64Array([1, -0.5, -0.5, 3]);
    const AB = matmul(A, B, 2, 2, 2);
    const trAB = AB[0] + AB[3];
    const detAB = AB[0] * AB[3] - AB[1] * AB[2];
    const trSqrt = Math.sqrt(trAB + 2 * Math.sqrt(detAB));
    const expected = 0.5 ** 2 + 2 ** 2 + (2 + 1) + (1 + 3) - 2 * trSqrt;
    const got = frechetDistance({ mean: new Float64Array([0, 0]), cov: A }, { mean: new Float64Array([0.5, -2]), cov: B });
    expect(got).toBeCloseTo(expected, 12);
  });

  it('recovers the known distance between two sampled Gaussians', () => {
    // N(0, I) vs N(1, 4 I) in 3-D: 3 * 1 + 3 * (1 - 2)^2 = 6.
    const rng = new Rng(3);
    const n = 20000;
    const a = new Float64Array(n * 3).map(() => rng.normal());
    const b = new Float64Array(n * 3).map(() => 1 + 2 * rng.normal());
    expect(fidFromFeatures({ rows: n, cols: 3, data: a }, { rows: n, cols: 3, data: b })).toBeCloseTo(6, 1);
  });

  it('streams: batched moments equal one-shot moments', () => {
    const f = correlatedFeatures(257, 6, 9, 100); // large offset checks the shifted accumulation
    const acc = new RunningMoments(6);
    for (let r = 0; r < f.rows; r += 50) {
      const rows = Math.min(50, f.rows - r);
      acc.add({ rows, cols: 6, data: f.data.subarray(r * 6, (r + rows) * 6) });
    }
    const s1 = acc.stats();
    const s2 = gaussianStats(f);
    for (let i = 0; i < 36; i++) expect(s1.cov[i]).toBeCloseTo(s2.cov[i], 10);
    for (let i = 0; i < 6; i++) expect(s1.mean[i]).toBeCloseTo(s2.mean[i], 10);
  });

  it('rejects mismatched dimensions and non-finite features', () => {
    expect(() => fidFromFeatures(correlatedFeatures(10, 3, 1), correlatedFeatures(10, 4, 1))).toThrow(/3 columns, fake 4/);
    const bad = correlatedFeatures(10, 3, 1);
    bad.data[4] = NaN;
    expect(() => fidFromFeatures(bad, bad)).toThrow(/non-finite/);
  });
});

describe('Fréchet distance vs numpy/scipy', () => {
  itPy('matches the TTUR/tfgan formula with scipy.linalg.sqrtm on fixed feature sets', () => {
    const dir = tmpDir();
    const cases = [
      [correlatedFeatures(500, 12, 11), correlatedFeatures(400, 12, 12, 0.3, 1.2)],
      [correlatedFeatures(300, 48, 21), correlatedFeatures(350, 48, 22, -0.1, 0.9)],
    ];
    cases.forEach(([a, b], i) => {
      writeNpy(path.join(dir, `a${i}.npy`), a);
      writeNpy(path.join(dir, `b${i}.npy`), b);
    });
    const ref = runPython<number[]>(`
import json, numpy as np, scipy.linalg
out = []
for i in range(${cases.length}):
    a = np.load('a%d.npy' % i); b = np.load('b%d.npy' % i)
    m1, m2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
    d = m1 - m2
    out.append(float(d.dot(d) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean.real)))
print(json.dumps(out))
`, dir);
    cases.forEach(([a, b], i) => {
      const got = fidFromFeatures(a, b);
      expect(Math.abs(got - ref[i]) / ref[i]).toBeLessThan(1e-8);
    });
  });
});
