#!/usr/bin/env node
'use strict';
/**
 * The cost of watching a run (gradient/weight health, the doctor, the TensorBoard event file) on
 * the quick start: one process, one model, blocks of BLOCK training steps alternating between
 * "watched" (what `gan train` does on a logged step: health probe armed, record with health
 * fields to metrics.jsonl, TensorBoard scalars, doctor) and "plain" (the step and a record with
 * summaries and learning rates only), so that both see the same machine load. Prints the median
 * ms/step of each mode and the overhead (median over block pairs of watched/plain - 1).
 * D's accuracy (d_acc_real/d_acc_fake) is part of the step in both modes.
 *
 *   npx tsc -b && node bench/watch_overhead.bench.js
 *   BLOCK=20 PAIRS=8 WARMUP=20 GIN=gin-configs/quickstart_shapes.gin node bench/watch_overhead.bench.js
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dist = (p) => require(path.join(root, 'packages/runner/dist', p));
const BLOCK = Number(process.env.BLOCK ?? 20);
const PAIRS = Number(process.env.PAIRS ?? 8);
const WARMUP = Number(process.env.WARMUP ?? 20);
const GIN = process.env.GIN ?? path.join(root, 'gin-configs/quickstart_shapes.gin');
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

async function main() {
  require('reflect-metadata');
  const { buildRun, disposeRun } = dist('wiring/container.js');
  const { RunMonitor } = dist('run/health_monitor.js');
  const { learningRates } = dist('run/optimizer_exact.js');
  const logger = { info: () => {}, warn: (m) => console.error(m) };
  const built = await buildRun({ ginConfigs: [GIN], ginBindings: [], dataDir: null, fakeDataFallback: false }, logger);
  const { gan, dataset, options, rng } = built;
  gan.build();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'watch-bench-'));
  const monitor = new RunMonitor({ gan, modelDir: dir, log: (l) => console.log(l) });
  monitor.begin(0);
  const it = dataset.batches('train', { batchSize: options.batch_size, seed: rng.fork('data/shuffle').seed, repeat: true, dropRemainder: true });
  const metricsFile = path.join(dir, 'metrics.jsonl');
  let step = 0;
  const oneStep = async (watched) => {
    const batches = [];
    for (let i = 0; i < gan.discIters; i++) batches.push((await it.next()).value);
    const t0 = performance.now();
    if (watched) monitor.beforeStep(true);
    const summaries = gan.trainStep(batches, step);
    step++;
    const rec = { step, ...summaries, ...learningRates(gan), ...(watched ? monitor.healthFields() : {}) };
    fs.appendFileSync(metricsFile, JSON.stringify(rec) + '\n');
    if (watched) monitor.afterLoggedStep(rec);
    const ms = performance.now() - t0;
    for (const b of batches) { b.images.dispose(); b.labels.dispose(); b.labelled.dispose(); }
    return ms;
  };
  for (let i = 0; i < WARMUP; i++) await oneStep(i % 2 === 0);
  const plain = [];
  const watched = [];
  const ratios = [];
  for (let p = 0; p < PAIRS; p++) {
    // Alternate which mode goes first, so a drift in machine load does not favour one.
    const order = p % 2 ? [true, false] : [false, true];
    const res = {};
    for (const w of order) {
      const times = [];
      for (let i = 0; i < BLOCK; i++) times.push(await oneStep(w));
      res[w] = median(times);
    }
    plain.push(res[false]);
    watched.push(res[true]);
    ratios.push(res[true] / res[false]);
    console.log(`pair ${p + 1}/${PAIRS}: plain ${res[false].toFixed(1)} ms/step, watched ${res[true].toFixed(1)} ms/step (${((res[true] / res[false] - 1) * 100).toFixed(1)}%)`);
  }
  monitor.end();
  await it.return?.();
  disposeRun(built);
  const summary = { config: path.relative(root, GIN), block: BLOCK, pairs: PAIRS, plain_ms_per_step: +median(plain).toFixed(1), watched_ms_per_step: +median(watched).toFixed(1), overhead_pct: +((median(ratios) - 1) * 100).toFixed(2) };
  console.log(JSON.stringify(summary));
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
