#!/usr/bin/env node
// KID and PRD cost on N real + N generated feature vectors of D dimensions (default 1,000 x 128,
// the domain classifier's feature width) with the default settings (KID: 100 subsets of
// min(1000, N/2); PRD: 20 clusters, 10 runs of k-means with 10 restarts).
// Usage: npm run build && node bench/kid_prd.bench.js [--n 1000] [--d 128]
'use strict';
const m = require('../packages/models/dist');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const N = opt('n', 1000);
const D = opt('d', 128);

// Like a classifier's features: 10 classes (random centres, shared by both sets), noise, ReLU.
const centres = (() => {
  const rng = new m.Rng(7);
  return Array.from({ length: 10 }, () => Float64Array.from({ length: D }, () => 2 * rng.normal()));
})();
function features(seed, shift) {
  const rng = new m.Rng(seed);
  const data = new Float32Array(N * D);
  for (let i = 0; i < N; i++) {
    const c = centres[rng.int(10)];
    for (let j = 0; j < D; j++) data[i * D + j] = Math.max(0, c[j] + rng.normal() + shift);
  }
  return { rows: N, cols: D, data };
}

const real = features(1, 0);
const fake = features(2, 0.2);
for (const [name, fn] of [
  ['kid', () => m.kernelInceptionDistance({ real, fake })],
  ['prd', () => m.prdScore({ real, fake })],
]) {
  const t0 = process.hrtime.bigint();
  const r = fn();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const shown = name === 'kid' ? `kid=${r.kid.toExponential(4)} kid_std=${r.kid_std.toExponential(3)}` : `prd_f8=${r.prd_f8.toFixed(4)} prd_f1_8=${r.prd_f1_8.toFixed(4)}`;
  console.log(`${name} N=${N} D=${D}: ${s.toFixed(2)} s  (${shown})`);
}
