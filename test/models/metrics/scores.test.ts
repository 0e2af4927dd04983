import * as path from 'path';
import { classifierAccuracy, clusterHistograms, computePrd, inceptionScore, kernelInceptionDistance, kmeans, mmd2Unbiased, prdScore, prdToMaxFBetaPair, Rng, takeRows, writeNpy, FeatureMatrix } from '@cgan/models';
import { correlatedFeatures } from './fixtures';
import { HAS_SCIPY, HAS_SKLEARN, runPython, skipMessage, tmpDir } from './python';

const itPy = HAS_SCIPY ? it : it.skip;
const itSk = HAS_SKLEARN ? it : it.skip;
if (!HAS_SCIPY) console.warn(skipMessage('KID/IS/PRD numpy reference tests'));
else if (!HAS_SKLEARN) console.warn('SKIPPED PRD end-to-end sklearn reference: /usr/bin/python3 cannot import sklearn (python3-sklearn)');

/** n points around each of `k` well separated centres (20 apart), `counts[c]` per centre. */
function blobs(counts: number[], dim: number, seed: number): FeatureMatrix {
  const rng = new Rng(seed);
  const rows = counts.reduce((a, b) => a + b, 0);
  const data = new Float64Array(rows * dim);
  let r = 0;
  counts.forEach((n, c) => {
    for (let i = 0; i < n; i++, r++) for (let j = 0; j < dim; j++) data[r * dim + j] = (j === c % dim ? 20 * (1 + Math.floor(c / dim)) : 0) + 0.3 * rng.normal();
  });
  return { rows, cols: dim, data };
}

describe('KID', () => {
  itPy('unbiased polynomial MMD^2 matches numpy', () => {
    const dir = tmpDir();
    const x = correlatedFeatures(120, 16, 1);
    const y = correlatedFeatures(120, 16, 2, 0.2, 1.1);
    writeNpy(path.join(dir, 'x.npy'), x);
    writeNpy(path.join(dir, 'y.npy'), y);
    const ref = runPython<number>(`
import json, numpy as np
X = np.load('x.npy'); Y = np.load('y.npy'); d = X.shape[1]; m = X.shape[0]
k = lambda a, b: (a.dot(b.T) / d + 1) ** 3
Kxx, Kyy, Kxy = k(X, X), k(Y, Y), k(X, Y)
mmd2 = (Kxx.sum() - np.trace(Kxx) + Kyy.sum() - np.trace(Kyy)) / (m * (m - 1)) - 2 * Kxy.sum() / (m * m)
print(json.dumps(float(mmd2)))
`, dir);
    expect(mmd2Unbiased(x, y)).toBeCloseTo(ref, 10);
    // One subset of all the samples is a permutation: same estimate, zero spread.
    const r = kernelInceptionDistance({ real: y, fake: x, num_subsets: 1, subset_size: 119 });
    expect(r.subset_size).toBe(119);
    const all = kernelInceptionDistance({ real: y, fake: x, num_subsets: 1, subset_size: 120 });
    expect(all.subset_size).toBe(60);
    expect(r.kid).toBeGreaterThan(0);
  });

  it('uses subsets smaller than the sample sets, so that the spread means something (issue 13)', () => {
    // 300 samples and the default subset_size 1000: subsets of 150, a real spread (was 4e-13).
    const a = correlatedFeatures(300, 8, 1, 0, 1, 99);
    const b = correlatedFeatures(300, 8, 2, 0.5, 1, 99);
    const r = kernelInceptionDistance({ real: a, fake: b, num_subsets: 20 });
    expect(r.subset_size).toBe(150);
    expect(r.kid_std).toBeGreaterThan(1e-3 * Math.abs(r.kid));
    // The precomputed kernel matrices give what per-subset MMDs give.
    const rng = new Rng(0);
    const vals: number[] = [];
    for (let s = 0; s < 20; s++) {
      const gi = rng.permutation(300).subarray(0, 150);
      const ri = rng.permutation(300).subarray(0, 150);
      vals.push(mmd2Unbiased(takeRows(b, gi), takeRows(a, ri)));
    }
    expect(r.kid).toBeCloseTo(vals.reduce((x, y) => x + y, 0) / vals.length, 10);
  });

  it('is near 0 for samples of one distribution and grows with the shift', () => {
    // Same mixing matrix (distribution), independent samples.
    const a = correlatedFeatures(400, 8, 1, 0, 1, 99);
    const b = correlatedFeatures(400, 8, 2, 0, 1, 99);
    const same = kernelInceptionDistance({ real: a, fake: b, num_subsets: 10, subset_size: 150 });
    const near = kernelInceptionDistance({ real: a, fake: correlatedFeatures(400, 8, 2, 0.5, 1, 99), num_subsets: 10, subset_size: 150 });
    const far = kernelInceptionDistance({ real: a, fake: correlatedFeatures(400, 8, 2, 1.5, 1, 99), num_subsets: 10, subset_size: 150 });
    expect(Math.abs(same.kid)).toBeLessThan(3 * same.kid_std + 1e-3);
    expect(near.kid).toBeGreaterThan(Math.abs(same.kid) + 3 * same.kid_std);
    expect(far.kid).toBeGreaterThan(near.kid);
    expect(far.kid_std).toBeGreaterThan(0);
  });

  it('is reproducible for a seed and validates its inputs', () => {
    const a = correlatedFeatures(100, 4, 1);
    const b = correlatedFeatures(100, 4, 2);
    expect(kernelInceptionDistance({ real: a, fake: b, num_subsets: 5, subset_size: 50, seed: 3 })).toEqual(kernelInceptionDistance({ real: a, fake: b, num_subsets: 5, subset_size: 50, seed: 3 }));
    expect(() => kernelInceptionDistance({ real: a, fake: correlatedFeatures(100, 5, 2) })).toThrow(/4 columns, fake 5/);
    expect(() => mmd2Unbiased(correlatedFeatures(1, 4, 1), correlatedFeatures(1, 4, 2))).toThrow(/at least 2/);
  });
});

describe('Inception Score', () => {
  itPy('matches numpy with splits', () => {
    const dir = tmpDir();
    const logits = correlatedFeatures(250, 10, 5, 0, 3);
    writeNpy(path.join(dir, 'l.npy'), logits);
    const ref = runPython<[number, number]>(`
import json, numpy as np
from scipy.special import softmax
p = softmax(np.load('l.npy'), axis=1); n = p.shape[0]; scores = []
for s in range(5):
    part = p[(s * n) // 5:((s + 1) * n) // 5]
    py = part.mean(0, keepdims=True)
    scores.append(np.exp(np.mean(np.sum(part * (np.log(part) - np.log(py)), 1))))
print(json.dumps([float(np.mean(scores)), float(np.std(scores))]))
`, dir);
    const r = inceptionScore({ logits, num_splits: 5 });
    expect(r.inception_score).toBeCloseTo(ref[0], 10);
    expect(r.inception_score_std).toBeCloseTo(ref[1], 10);
  });

  it('is 1 for constant predictions and K for confident uniform classes', () => {
    const k = 4;
    const n = 400;
    const same = new Float64Array(n * k).map((_, i) => (i % k === 0 ? 5 : 0));
    expect(inceptionScore({ logits: { rows: n, cols: k, data: same }, num_splits: 2 }).inception_score).toBeCloseTo(1, 10);
    const sharp = new Float64Array(n * k).map((_, i) => (i % k === Math.floor(i / k) % k ? 60 : 0));
    expect(inceptionScore({ logits: { rows: n, cols: k, data: sharp }, num_splits: 2 }).inception_score).toBeCloseTo(k, 6);
    expect(() => inceptionScore({ logits: { rows: 3, cols: k, data: sharp.subarray(0, 12) }, num_splits: 10 })).toThrow(/at least num_splits=10/);
  });

  it('classifier accuracy', () => {
    const logits = { rows: 4, cols: 3, data: new Float64Array([1, 0, 0, 0, 2, 0, 0, 0, 3, 5, 1, 0]) };
    expect(classifierAccuracy(logits, [0, 1, 2, 1])).toBe(0.75);
    expect(() => classifierAccuracy(logits, [0])).toThrow(/4 predictions but 1 labels/);
  });
});

describe('PRD', () => {
  itPy('compute_prd and the F_8 / F_1/8 summaries match compare_gan prd_score.py', () => {
    const dir = tmpDir();
    const evalDist = [0.1, 0.4, 0.0, 0.3, 0.2];
    const refDist = [0.2, 0.2, 0.2, 0.2, 0.2];
    const ref = runPython<{ p: number[]; r: number[]; f: number[] }>(`
import json, numpy as np
def compute_prd(eval_dist, ref_dist, num_angles=1001, epsilon=1e-10):
    slopes_2d = np.expand_dims(np.tan(np.linspace(epsilon, np.pi/2 - epsilon, num=num_angles)), 1)
    precision = np.minimum(np.expand_dims(ref_dist, 0) * slopes_2d, np.expand_dims(eval_dist, 0)).sum(axis=1)
    recall = precision / slopes_2d.flatten()
    return np.clip(precision, 0, 1), np.clip(recall, 0, 1)
def f_beta(p, r, beta=1, epsilon=1e-10):
    return (1 + beta**2) * (p * r) / ((beta**2 * p) + r + epsilon)
p, r = compute_prd(np.array(${JSON.stringify(evalDist)}), np.array(${JSON.stringify(refDist)}))
print(json.dumps({'p': p.tolist(), 'r': r.tolist(), 'f': [float(np.max(f_beta(p, r, 8))), float(np.max(f_beta(p, r, 1/8)))]}))
`, dir);
    const c = computePrd(evalDist, refDist);
    for (let i = 0; i < 1001; i += 50) {
      expect(c.precision[i]).toBeCloseTo(ref.p[i], 9);
      expect(c.recall[i]).toBeCloseTo(ref.r[i], 9);
    }
    const f = prdToMaxFBetaPair(c, 8);
    expect(f.fBeta).toBeCloseTo(ref.f[0], 9);
    expect(f.fBetaInv).toBeCloseTo(ref.f[1], 9);
  });

  itSk('end to end equals prd_score with sklearn k-means on unambiguous clusters', () => {
    const dir = tmpDir();
    // 6 clusters; the generated set misses cluster 5 and over-samples cluster 0.
    const real = blobs([20, 20, 20, 20, 20, 20], 6, 1);
    const fake = blobs([45, 15, 20, 20, 20, 0], 6, 2);
    writeNpy(path.join(dir, 'real.npy'), real);
    writeNpy(path.join(dir, 'fake.npy'), fake);
    const ref = runPython<number[]>(`
import json, numpy as np
from sklearn.cluster import KMeans
real = np.load('real.npy'); fake = np.load('fake.npy'); k = 6
labels = KMeans(n_clusters=k, n_init=10, random_state=0).fit(np.vstack([fake, real])).labels_
e = np.histogram(labels[:len(fake)], bins=k, range=[0, k], density=True)[0]
r = np.histogram(labels[len(fake):], bins=k, range=[0, k], density=True)[0]
slopes = np.tan(np.linspace(1e-10, np.pi/2 - 1e-10, num=1001))
p = np.clip(np.minimum(r[None] * slopes[:, None], e[None]).sum(1), 0, 1)
rc = np.clip(p / slopes, 0, 1)
fb = lambda b: float(np.max((1 + b**2) * p * rc / (b**2 * p + rc + 1e-10)))
print(json.dumps([fb(8), fb(1/8)]))
`, dir);
    const r = prdScore({ real, fake, num_clusters: 6, num_runs: 2 });
    expect(r.prd_f8).toBeCloseTo(ref[0], 9);
    expect(r.prd_f1_8).toBeCloseTo(ref[1], 9);
    expect(r.prd_f8).toBeLessThan(0.95); // a missed mode costs recall
  });

  it('identical sets have precision and recall 1; disjoint sets ~0', () => {
    const a = blobs([10, 10, 10, 10], 4, 1);
    const same = prdScore({ real: a, fake: a, num_clusters: 4, num_runs: 1 });
    expect(same.prd_f8).toBeCloseTo(1, 6);
    expect(same.prd_f1_8).toBeCloseTo(1, 6);
    const far = { ...a, data: a.data.map((v) => v + 1000) };
    const disjoint = prdScore({ real: a, fake: far, num_clusters: 4, num_runs: 1 });
    expect(disjoint.prd_f8).toBeLessThan(0.01);
    expect(disjoint.prd_f1_8).toBeLessThan(0.01);
    expect(() => prdScore({ real: a, fake: blobs([5], 4, 1) })).toThrow(/same size/);
  });

  it('k-means finds separated clusters and histograms are normalised', () => {
    const x = blobs([15, 25, 10], 3, 4);
    const { labels } = kmeans(x, { k: 3, rng: new Rng(1) });
    const groups = [labels.subarray(0, 15), labels.subarray(15, 40), labels.subarray(40)];
    for (const g of groups) expect(new Set(g).size).toBe(1);
    expect(new Set([groups[0][0], groups[1][0], groups[2][0]]).size).toBe(3);
    const h = clusterHistograms(labels, 15, 3);
    expect(h.evalDist.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(h.refDist.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(() => kmeans(x, { k: 100, rng: new Rng(1) })).toThrow(/cannot form 100 clusters/);
  });
});
