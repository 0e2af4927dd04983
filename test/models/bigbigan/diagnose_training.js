#!/usr/bin/env node
/**
 * Trains a BigBiGAN in-process (wasm backend) and prints one JSON line per evaluation step:
 *   node test/models/bigbigan/diagnose_training.js STEPS EVAL_STEPS [BINDING ...]
 *   e.g. OPENBLAS_NUM_THREADS=1 node test/models/bigbigan/diagnose_training.js 400 0,100,200,400 'BigBiGAN.latent_regression_weight = 0.0'
 * Config: $GIN (default gin-configs/bigbigan_fashion_mnist.gin) plus the BINDINGs; seed $SEED (1).
 * Fields: probe / probeTr (linear probe test / train accuracy on E's pooled features, 2000 train and
 * 1000 test images, 30 epochs), dead (features zero on every test image), probeMu ($MU=1: the probe
 * on mu), muStd / muMean (spread and offset of E(x) over 500 test images), jRealGap / jFakeGap (how
 * much the mean s_xz of 64 real / fake pairs changes when their latents are shuffled: ~0 when the
 * joint head has learned no link between an image and its latent), agree (class agreement of x
 * and G(E(x)) on 500 test images by the shipped classifier), gEnt / gEntTr / gStd (G's diversity, see
 * diversity() below), then the training summaries averaged
 * since the previous line, and sps (seconds per step). Not a Jest test; needs `npm run build`.
 */
'use strict';
const fs = require('fs');
const tf = require('@tensorflow/tfjs-core');
const { parseConfig, config } = require('@cgan/config-lang');
const m = require('@cgan/models');
async function main() {
  const steps = Number(process.argv[2]);
  const evalAt = new Set(process.argv[3].split(',').map(Number));
  const binds = process.argv.slice(4);
  await m.useBackend('wasm');
  const text = fs.readFileSync(process.env.GIN || 'gin-configs/bigbigan_fashion_mnist.gin', 'utf8').split('\n').filter((l) => !l.startsWith('run_config.')).join('\n');
  parseConfig(text + '\n' + binds.join('\n') + '\n');
  const seed = Number(process.env.SEED || 1);
  const ds = await m.createDataset({ seed, overrides: { download: false } });
  const store = new m.VariableStore();
  const Gan = m.getOptions().gan_class;
  const gan = new Gan({ datasetInfo: ds.info, store, rng: new m.Rng(seed) });
  gan.build();
  // probe sets
  const grab = async (split, n) => {
    const xs = []; const ys = [];
    let k = 0;
    for await (const b of ds.batches(split, { batchSize: 500, repeat: false, dropRemainder: false })) {
      xs.push(b.images); ys.push(...b.labels.dataSync()); k += b.images.shape[0];
      if (k >= n) break;
    }
    return { x: tf.slice(tf.concat(xs, 0), 0, n), y: Int32Array.from(ys.slice(0, n)) };
  };
  const tr = await grab('train', 2000), te = await grab('test', 1000);
  const feats = (x, which) => {
    const out = [];
    for (let i = 0; i < x.shape[0]; i += 250) out.push(tf.tidy(() => gan.encodeFeatures(tf.slice(x, i, 250), which)));
    const f = tf.concat(out, 0); tf.dispose(out);
    const d = f.dataSync().slice(); const cols = f.shape[1]; f.dispose();
    return { rows: x.shape[0], cols, data: d };
  };
  const probe = (which) => {
    const a = feats(tr.x, which), b = feats(te.x, which);
    const r = m.linearProbeAccuracy({ features: a, labels: tr.y }, { features: b, labels: te.y }, 10, { epochs: 30 });
    // dead features & spread
    let dead = 0; for (let c = 0; c < b.cols; c++) { let mx = 0; for (let r2 = 0; r2 < b.rows; r2++) mx = Math.max(mx, b.data[r2 * b.cols + c]); if (mx <= 0) dead++; }
    return { acc: +r.accuracy.toFixed(3), tr: +r.trainAccuracy.toFixed(3), dead };
  };
  const muStats = () => tf.tidy(() => { const mu = gan.encode(tf.slice(te.x, 0, 500)); const mo = tf.moments(mu, 0); return { muStd: +tf.mean(tf.sqrt(mo.variance)).dataSync()[0].toFixed(3), muMean: +tf.sqrt(tf.mean(tf.square(mo.mean))).dataSync()[0].toFixed(3) }; });
  const joint = () => tf.tidy(() => {
    const x = tf.slice(te.x, 0, 64);
    const z = gan.sampleZ(64);
    const fake = gan.sample(z, null);
    const ez = gan.encode(x);
    const perm = tf.tensor1d(Array.from({ length: 64 }, (_, i) => (i + 1) % 64), 'int32');
    const a = gan.scores(x, ez, fake, z, false);
    const b = gan.scores(x, tf.gather(ez, perm), fake, tf.gather(z, perm), false);
    const mean = (t) => +tf.mean(t).dataSync()[0].toFixed(3);
    return { jRealGap: +(mean(b.real.xz) - mean(a.real.xz)).toFixed(3), jFakeGap: +(mean(b.fake.xz) - mean(a.fake.xz)).toFixed(3) };
  });
  const it = ds.batches('train', { batchSize: m.getOptions().batch_size, seed: seed + 1, repeat: true });
  const t0 = Date.now();
  let acc = {};
  const clf = await m.extractorFor('fashion-mnist');
  // G's diversity: entropy (nats, max ln 10 = 2.30) of the classifier's labels of 500 samples G(z)
  // with batch norm's moving averages (gEnt, what samples and G(E(x)) use) and with batch
  // statistics (gEntTr; the moving averages are restored afterwards), and the mean per-pixel
  // standard deviation over the samples (gStd; near-constant blobs: small).
  const moving = [...store.all('generator').entries()].filter(([k]) => /moving_/.test(k)).map(([, v]) => v);
  const diversity = () => tf.tidy(() => {
    const saved = moving.map((v) => v.clone());
    const z = gan.sampleZ(500);
    const inf = gan.sample(z, null);
    const trn = tf.concat([0, 100, 200, 300, 400].map((i) => gan.generator(tf.slice(z, i, 100), null, true)), 0);
    moving.forEach((v, i) => v.assign(saved[i]));
    const ent = (x) => { const h = new Array(10).fill(0); for (const c of tf.argMax(clf.extract(x).logits, 1).dataSync()) h[c]++; return +(-h.filter((c) => c).reduce((a, c) => a + (c / 500) * Math.log(c / 500), 0)).toFixed(2); };
    return { gEnt: ent(inf), gEntTr: ent(trn), gStd: +tf.mean(tf.sqrt(tf.moments(inf, 0).variance)).dataSync()[0].toFixed(3) };
  });
  const report = async (s) => {
    const ag = await m.reconstructionAgreement(gan, ds, clf, 500);
    const p = probe('features'); const pm = process.env.MU ? probe('mu') : { acc: null };
    console.log(JSON.stringify({ step: s, sps: s ? +((Date.now() - t0) / 1000 / s).toFixed(2) : 0, probe: p.acc, probeTr: p.tr, dead: p.dead, probeMu: pm.acc, ...muStats(), ...joint(), agree: ag.agreement, ...diversity(), ...acc, s_per_step: s ? +((Date.now() - t0) / 1000 / s).toFixed(2) : 0 }));
  };
  if (evalAt.has(0)) await report(0);
  const sum = {}; let n = 0;
  for (let s = 1; s <= steps; s++) {
    const bs = [];
    for (let k = 0; k < gan.discIters; k++) bs.push((await it.next()).value);
    const out = gan.trainStep(bs, s - 1);
    for (const b of bs) tf.dispose([b.images, b.labels, b.labelled]);
    for (const [k, v] of Object.entries(out)) if (/^(d_loss|g_loss|e_loss|s_)/.test(k)) sum[k] = (sum[k] || 0) + v;
    n++;
    if (evalAt.has(s)) { acc = Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, +(v / n).toFixed(2)])); for (const k in sum) sum[k] = 0; n = 0; await report(s); }
  }
  process.exit(0);
}
main().catch((e) => { console.error(e); process.exit(1); });
