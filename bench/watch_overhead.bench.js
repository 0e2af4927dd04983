#!/usr/bin/env node
'use strict';
/**
 * The cost of watching a run (gradient/weight health, the doctor, the TensorBoard event file) on
 * the quick start: one process, one model, blocks of BLOCK training steps alternating between
 * "watched" (what `gan train` does on a logged step: health probe armed, record with health
 * fields to metrics.jsonl, TensorBoard scalars, doctor) and "plain" (the step and a record with
 * summaries and learning rates only), so that both see the same machine load. Prints the median
 * ms/step of each mode, the overhead as the ratio of the two medians, and the direct cost: the
 * time spent inside the watching code itself (probe, record fields, TensorBoard, doctor) per
 * watched step, as a fraction of the plain median (robust on a loaded machine, where the
 * difference of two noisy medians is not); direct_ms_median is the median watched step's direct cost
 * (the mean is pulled up by load spikes); load_avg: the 1-minute load average at the start and end
 * of the timed pairs. D's accuracy (d_acc_real/d_acc_fake) is part of the
 * step in both modes.
 *
 *   npx tsc -b && node bench/watch_overhead.bench.js
 *   BLOCK=1 PAIRS=100 WARMUP=10 GIN=gin-configs/quickstart_shapes.gin node bench/watch_overhead.bench.js
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dist = (p) => require(path.join(root, 'packages/runner/dist', p));
const BLOCK = Number(process.env.BLOCK ?? 1);
const PAIRS = Number(process.env.PAIRS ?? 100);
const WARMUP = Number(process.env.WARMUP ?? 10);
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
  // Time spent inside the watching code (the probe runs inside trainStep, around applyGradients).
  // CPU time too (process.cpuUsage, ms): the load inflates wall time but hardly CPU time; with
  // OPENBLAS_NUM_THREADS=1 the process's CPU time is this thread's.
  let direct = 0;
  let directCpu = 0;
  const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  const parts = {};
  const partsCpu = {};
  const timed = (obj, name) => {
    const f = obj[name].bind(obj);
    obj[name] = (...a) => { const t = performance.now(); const c = cpuMs(); try { return f(...a); } finally { const d = performance.now() - t; direct += d; const dc = cpuMs() - c; directCpu += dc; parts[name] = (parts[name] ?? 0) + d; partsCpu[name] = (partsCpu[name] ?? 0) + dc; } };
  };
  timed(monitor.health, 'beforeApply');
  timed(monitor.health, 'afterApply');
  timed(monitor, 'healthFields');
  timed(monitor, 'afterLoggedStep');
  const it = dataset.batches('train', { batchSize: options.batch_size, seed: rng.fork('data/shuffle').seed, repeat: true, dropRemainder: true });
  const metricsFile = path.join(dir, 'metrics.jsonl');
  let step = 0;
  const directPerStep = [];
  const directCpuPerStep = [];
  const plainCpu = [];
  const oneStep = async (watched) => {
    const d0 = direct;
    const dc0 = directCpu;
    const batches = [];
    for (let i = 0; i < gan.discIters; i++) batches.push((await it.next()).value);
    const t0 = performance.now();
    const c0 = cpuMs();
    if (watched) monitor.beforeStep(true);
    const summaries = gan.trainStep(batches, step);
    step++;
    const rec = { step, ...summaries, ...learningRates(gan), ...(watched ? monitor.healthFields() : {}) };
    fs.appendFileSync(metricsFile, JSON.stringify(rec) + '\n');
    if (watched) monitor.afterLoggedStep(rec);
    const ms = performance.now() - t0;
    if (watched) {
      directPerStep.push(direct - d0);
      directCpuPerStep.push(directCpu - dc0);
    } else plainCpu.push(cpuMs() - c0);
    for (const b of batches) { b.images.dispose(); b.labels.dispose(); b.labelled.dispose(); }
    return ms;
  };
  for (let i = 0; i < WARMUP; i++) await oneStep(i % 2 === 0);
  const plain = [];
  const watched = [];
  const ratios = [];
  direct = 0;
  directPerStep.length = 0;
  directCpuPerStep.length = 0;
  plainCpu.length = 0;
  const load0 = os.loadavg()[0];
  for (const k of Object.keys(parts)) parts[k] = partsCpu[k] = 0;
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
    if (BLOCK > 1 || (p + 1) % 20 === 0) console.log(`pair ${p + 1}/${PAIRS}: plain ${res[false].toFixed(1)} ms/step, watched ${res[true].toFixed(1)} ms/step (${((res[true] / res[false] - 1) * 100).toFixed(1)}%)`);
  }
  monitor.end();
  await it.return?.();
  disposeRun(built);
  const directMs = direct / (PAIRS * BLOCK);
  const summary = {
    config: path.relative(root, GIN),
    block: BLOCK,
    pairs: PAIRS,
    plain_ms_per_step: +median(plain).toFixed(1),
    watched_ms_per_step: +median(watched).toFixed(1),
    overhead_pct_of_medians: +((median(watched) / median(plain) - 1) * 100).toFixed(2),
    direct_ms_per_watched_step: +directMs.toFixed(2),
    direct_pct_of_plain_step: +((directMs / median(plain)) * 100).toFixed(2),
    // The median watched step's direct cost: robust to the load spikes that inflate the mean.
    direct_ms_median: +median(directPerStep).toFixed(2),
    direct_pct_median_of_plain_step: +((median(directPerStep) / median(plain)) * 100).toFixed(2),
    plain_cpu_ms_per_step: +median(plainCpu).toFixed(1),
    direct_cpu_ms_median: +median(directCpuPerStep).toFixed(2),
    direct_cpu_pct_of_plain_cpu: +((median(directCpuPerStep) / median(plainCpu)) * 100).toFixed(2),
    load_avg: [+load0.toFixed(2), +os.loadavg()[0].toFixed(2)],
    direct_ms_by_call: Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, +(v / (PAIRS * BLOCK)).toFixed(2)])),
    direct_cpu_ms_by_call: Object.fromEntries(Object.entries(partsCpu).map(([k, v]) => [k, +(v / (PAIRS * BLOCK)).toFixed(2)])),
  };
  console.log(JSON.stringify(summary));
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
