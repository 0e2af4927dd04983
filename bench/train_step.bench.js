#!/usr/bin/env node
'use strict';
/**
 * `npm run bench train`: steady-state training steps of every shipped Fashion-MNIST config
 * (gin-configs/fashion_mnist/*.gin) through the code `gan train` runs (bench/train_worker.js calls
 * the runner's trainCommand), against a PyTorch twin of the same model, rounds alternating so both
 * sides see the same machine load. One JSON line per config:
 *   {"config", "ms_per_step", "pytorch_ms_per_step", "ratio", "gflops", "peak_rss_mb", ...}
 Each side runs at every thread count of THREADS (OPENBLAS_NUM_THREADS for ours,
 * torch.set_num_threads for the twin) in every round; the order alternates (ours 1, PyTorch 1, ours
 * 2, PyTorch 2, then reversed next round) and the 1-minute load average is recorded before each run.
 * ms_per_step / pytorch_ms_per_step: each side at its best thread count (the one with the lowest
 * median over rounds), that median; ratio: median over rounds of the same-round ratio of the two
 * best thread counts; gflops: conv/matMul GFLOP per step / our step time. `runs` lists every
 * measurement (round, side, threads, ms_per_step, load).
 *
 *   CONFIGS=sndcgan,dcgan   only these, in this order      ROUNDS=3   rounds (default 2)
 *   STEPS=3 WARMUP=2        timed / warm-up steps          THREADS=1,2  thread counts (default 1,2)
 *   JS_THREADS / TORCH_THREADS  one side's thread counts instead of THREADS (e.g. JS_THREADS=1)
 *   TWINS_SHARED=dir        where torch_sndcgan_step.py / torch_resnet_cifar_step.py are
 *                           (default ../shared/bench or ../../shared/bench); PYTHON=/usr/bin/python3
 * Needs the build (npx tsc -b) and, for the PyTorch side, Debian's python3-torch.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');

const root = path.resolve(__dirname, '..');
const env = process.env;
const rounds = Number(env.ROUNDS || 2), steps = Number(env.STEPS || 3), warmup = Number(env.WARMUP || 2);
// Both 1 and 2 threads by default: each side is judged at its best. On a loaded machine a 2-thread
// OpenBLAS waits on its descheduled partner at every sgemm (SNDCGAN: 35 s/step with 2 threads at
// load ~25, 6.7 s with 1 at load ~14, for ~3.3 CPU-s of work either way), so 1 often wins there.
const threadList = (v) => String(v).split(',').map((x) => Number(x.trim())).filter((x) => Number.isInteger(x) && x > 0);
const jsThreads = threadList(env.JS_THREADS || env.THREADS || '1,2'), torchThreads = threadList(env.TORCH_THREADS || env.THREADS || '1,2');
const python = env.PYTHON || '/usr/bin/python3';
// ../shared/bench of the checkout (or of its parent, for a git worktree one level down).
const shared = path.resolve(env.TWINS_SHARED || [path.join(root, '..', 'shared', 'bench'), path.join(root, '..', '..', 'shared', 'bench')].find((d) => fs.existsSync(d)) || path.join(root, '..', 'shared', 'bench'));
const twins = path.join(__dirname, 'twins');

/** The PyTorch twin of each shipped config: script and arguments. */
const TWINS = {
  dcgan: [path.join(twins, 'torch_dcgan_fm_step.py'), []],
  wgangp: [path.join(twins, 'torch_dcgan_fm_step.py'), ['--wgangp']],
  sndcgan: [path.join(shared, 'torch_sndcgan_step.py'), ['--ch', '32']],
  resnet: [path.join(shared, 'torch_resnet_cifar_step.py'), ['--ch', '64', '--disc_iters', '2']],
  ssgan: [path.join(twins, 'torch_ssgan_step.py'), ['--mode', 'ssgan']],
  s3gan_10pct: [path.join(twins, 'torch_ssgan_step.py'), ['--mode', 's3gan']],
};

const cfgDir = path.join(root, 'gin-configs', 'fashion_mnist');
const only = env.CONFIGS ? env.CONFIGS.split(',').map((s) => s.trim()) : null;
const shipped = fs.readdirSync(cfgDir).filter((f) => f.endsWith('.gin')).map((f) => f.slice(0, -4)).sort();
// CONFIGS runs in the order given.
const configs = only ? only.filter((c) => shipped.includes(c) || !process.stderr.write(`no gin-configs/fashion_mnist/${c}.gin\n`)) : shipped;

function lastJson(out) {
  const line = out.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  return line ? JSON.parse(line) : null;
}

function runOurs(config, threads) {
  const r = spawnSync(process.execPath, [path.join(__dirname, 'train_worker.js'), path.join(cfgDir, `${config}.gin`), String(steps), String(warmup)], {
    encoding: 'utf8',
    env: { ...env, OPENBLAS_NUM_THREADS: String(threads) },
    maxBuffer: 1 << 24,
  });
  const j = r.status === 0 ? lastJson(r.stdout) : null;
  if (!j) process.stderr.write(`${config}: gan train side failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}\n`);
  return j;
}

function runTwin(config, threads) {
  const t = TWINS[config];
  if (!t || !fs.existsSync(t[0])) {
    process.stderr.write(`${config}: no PyTorch twin (${t ? `${t[0]} is missing; set TWINS_SHARED` : 'none written for this config'})\n`);
    return null;
  }
  const r = spawnSync(python, [t[0], ...t[1], '--steps', String(steps), '--threads', String(threads)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  const j = r.status === 0 ? lastJson(r.stdout) : null;
  if (!j) process.stderr.write(`${config}: PyTorch twin failed (exit ${r.status ?? r.error}): ${(r.stderr || '').trim().split('\n').slice(-2).join(' | ')}\n`);
  return j;
}

const median = (xs) => {
  const s = xs.filter((x) => x != null).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};
const round1 = (x) => (x == null ? null : Math.round(x * 10) / 10);

const load1 = () => Math.round(os.loadavg()[0] * 100) / 100;

for (const config of configs) {
  const runs = []; // { round, side, threads, ms_per_step, load, ours? }
  const order = [];
  for (let i = 0; i < Math.max(jsThreads.length, torchThreads.length); i++) {
    if (i < jsThreads.length) order.push(['ours', jsThreads[i]]);
    if (i < torchThreads.length) order.push(['pytorch', torchThreads[i]]);
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate the order, so neither side nor thread count always gets the quieter moment.
    for (const [side, threads] of round % 2 === 0 ? order : [...order].reverse()) {
      const load = load1();
      const j = side === 'ours' ? runOurs(config, threads) : runTwin(config, threads);
      if (j) runs.push({ round, side, threads, ms_per_step: j.ms_per_step, load, ...(side === 'ours' ? { worker: j } : {}) });
    }
  }
  /** The thread count with the lowest median step over rounds, and that median. */
  const best = (side) => {
    let b = null;
    for (const threads of side === 'ours' ? jsThreads : torchThreads) {
      const m = median(runs.filter((r) => r.side === side && r.threads === threads).map((r) => r.ms_per_step));
      if (m != null && (!b || m < b.ms)) b = { threads, ms: m };
    }
    return b;
  };
  const bo = best('ours'), bp = best('pytorch');
  const at = (side, threads, round) => runs.find((r) => r.side === side && r.threads === threads && r.round === round);
  const ratios = [];
  if (bo && bp) {
    for (let round = 0; round < rounds; round++) {
      const o = at('ours', bo.threads, round), p = at('pytorch', bp.threads, round);
      if (o && p) ratios.push(o.ms_per_step / p.ms_per_step);
    }
  }
  const ours = runs.filter((r) => r.side === 'ours').map((r) => r.worker);
  const ms = bo ? bo.ms : null;
  const gflopPerStep = median(ours.map((o) => o.gflop_per_step));
  console.log(
    JSON.stringify({
      config: `fashion_mnist/${config}.gin`,
      ms_per_step: round1(ms),
      pytorch_ms_per_step: round1(bp ? bp.ms : null),
      ratio: ratios.length ? Math.round(median(ratios) * 100) / 100 : null,
      gflops: ms && gflopPerStep ? round1(gflopPerStep / (ms / 1000)) : null,
      peak_rss_mb: ours.length ? Math.max(...ours.map((o) => o.peak_rss_mb)) : null,
      threads: bo ? bo.threads : null,
      pytorch_threads: bp ? bp.threads : null,
      gflop_per_step: gflopPerStep,
      rounds: ratios.length,
      ratios: ratios.map((r) => Math.round(r * 100) / 100),
      runs: runs.map((r) => ({ round: r.round, side: r.side, threads: r.threads, ms_per_step: round1(r.ms_per_step), load: r.load })),
      kernels: ours[0]?.kernels ?? null,
      twin: TWINS[config] ? path.relative(root, TWINS[config][0]) : null,
    }),
  );
}
