#!/usr/bin/env node
// FID over 10,000 real + 10,000 generated images with the domain classifier:
// feature extraction (batched), streaming float64 moments, and the Fréchet distance.
// Real = Fashion-MNIST test split; "generated" = 10,000 training images (a perfect generator),
// then 10,000 uniform-noise images. Also times the Fréchet distance alone at 2048 dimensions
// (Inception-v3's pool features). Uses the classifier from `gan train-classifier --dataset
// fashion-mnist` when present, else an untrained one of the same architecture (same cost).
// Usage: npm run build && node bench/fid.bench.js [--n 10000] [--backend auto|wasm|cpu]
'use strict';
const path = require('path');
const fs = require('fs');
const tf = require('@tensorflow/tfjs-core');
const m = require('../packages/models/dist');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const N = Number(opt('n', 10000));
const BATCH = 250;

async function main() {
  const sel = await m.useBackend(opt('backend', 'auto'));
  console.log(m.describeSelection(sel).split('\n')[0]);
  const ds = await m.createDataset({ overrides: { name: 'fashion-mnist' } });
  const [h, w, c] = ds.info.imageShape;
  const dir = m.defaultClassifierDir('fashion-mnist');
  let ex;
  if (fs.existsSync(path.join(dir, 'classifier.json'))) {
    ex = await m.loadClassifierExtractor(dir);
    console.log(`classifier: ${dir} (test accuracy ${(ex.meta.testAccuracy * 100).toFixed(2)}%)`);
  } else {
    const model = m.buildClassifier([h, w, c], 10, { conv_filters: [16, 32], dense_units: 128 }, 1);
    ex = new m.ClassifierExtractor(model, { dataset: 'fashion-mnist', imageShape: [h, w, c], numClasses: 10, featureDim: 128, fingerprint: 'untrained' });
    console.log('classifier: none trained (run `gan train-classifier --dataset fashion-mnist`); timing an untrained one of the same size');
  }

  const per = h * w * c;
  const fromSplit = (split) => {
    const d = ds.data(split);
    let next = 0;
    return (n) => {
      const out = new Float32Array(n * per);
      for (let i = 0; i < n * per; i++) out[i] = d.images[next * per + i] / 255;
      next += n;
      return tf.tensor4d(out, [n, h, w, c]);
    };
  };
  const features = (sample, n) => {
    const acc = new m.RunningMoments(ex.featureDim);
    for (let done = 0; done < n; done += BATCH) {
      const x = sample(Math.min(BATCH, n - done));
      const o = ex.extract(x);
      acc.add({ rows: x.shape[0], cols: ex.featureDim, data: o.features.dataSync() });
      x.dispose();
      o.features.dispose();
      if (o.logits) o.logits.dispose();
    }
    return acc.stats();
  };
  const time = (label, fn) => {
    const t0 = process.hrtime.bigint();
    const r = fn();
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    console.log(`${label.padEnd(58)} ${s.toFixed(2).padStart(8)} s`);
    return r;
  };

  const nReal = Math.min(N, ds.info.numExamples.test);
  const real = time(`features + moments, ${nReal} real (test) images`, () => features(fromSplit('test'), nReal));
  const fake = time(`features + moments, ${N} "generated" (train) images`, () => features(fromSplit('train'), N));
  const fid = time(`Fréchet distance (${ex.featureDim}-d)`, () => m.frechetDistance(real, fake));
  const noise = time(`features + moments, ${N} noise images`, () => features((n) => tf.randomUniform([n, h, w, c]), N));
  const fidNoise = m.frechetDistance(real, noise);
  console.log(`fid[fashion-mnist-classifier] test vs train: ${fid.toFixed(3)}   test vs noise: ${fidNoise.toFixed(3)}`);

  // The Fréchet distance at Inception size, on synthetic 2048-d statistics.
  const d = 2048;
  const rng = new m.Rng(1);
  const mk = (shift) => {
    const rows = 2 * d;
    const data = new Float64Array(rows * d);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal() + (i % d < 64 ? shift : 0);
    return m.gaussianStats({ rows, cols: d, data });
  };
  const [a, b] = time(`moments of 2 x ${2 * d} synthetic ${d}-d features`, () => [mk(0), mk(0.5)]);
  const f2048 = time(`Fréchet distance (${d}-d, float64 eigendecompositions)`, () => m.frechetDistance(a, b));
  console.log(`fid (2048-d synthetic) = ${f2048.toFixed(4)}`);
  ex.dispose();
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
