/**
 * Helpers the table modules share (scripts/results/tables/*.js): one (row, seed) trained and
 * evaluated through the real `gan train --schedule continuous_eval` and `gan sample` commands,
 * in a child process each, and turned into the raw-file fields of RESULTS_CONTRACT.md; plus the
 * statistics and Markdown helpers their render() functions use.
 */
'use strict';
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const GAN = path.join(REPO_ROOT, 'packages', 'runner', 'bin', 'gan.js');

/** The running child (one at a time), so that run.js can stop it on a signal or a deadline. */
let current = null;

/** Runs `node gan.js ...args` with one OpenBLAS thread; resolves { code, output }; every line also goes to logFile. */
function runGan(args, { logFile, onLine } = {}) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
    const child = spawn(process.execPath, [GAN, ...args], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    current = child;
    const log = logFile ? fs.createWriteStream(logFile, { flags: 'a' }) : null;
    log?.write(`$ gan ${args.join(' ')}\n`);
    let output = '';
    let partial = '';
    const take = (buf) => {
      const s = buf.toString();
      output += s;
      log?.write(s);
      const lines = (partial + s).split(/\r|\n/);
      partial = lines.pop();
      for (const l of lines) if (l.trim()) onLine?.(l);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      current = null;
      log?.end();
      resolve({ code: code ?? (signal ? 128 : 1), signal, output });
    });
  });
}

/** Stops the running child (SIGTERM: it checkpoints and exits); true when there was one. */
function stopCurrent() {
  if (!current) return false;
  current.kill('SIGTERM');
  return true;
}

/** e.g. "2-core AMD EPYC 7B13 (Zen 3), Node v20.20.0, backend wasm+openblas Zen" from a train log. */
function machineLine(trainOutput) {
  const cpus = os.cpus();
  const model = (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
  const backend = /tfjs backend: (\S+)/.exec(trainOutput)?.[1] ?? 'unknown';
  const kernels = /wasm conv\/matMul kernels: native, (\S+ \S+)/.exec(trainOutput)?.[1];
  return `${cpus.length}-core ${model}, Node ${process.version}, backend ${backend}${backend === 'wasm' ? (kernels ? `+${kernels}` : '+xnnpack') : ''}`;
}

/** Rewrites a `gan sample` grid (RGBA) as grayscale or RGB PNG at maximum compression: ~3x smaller. */
function compactPng(file) {
  const { PNG } = require('pngjs');
  const png = PNG.sync.read(fs.readFileSync(file));
  const d = png.data;
  let gray = true;
  for (let i = 0; i < d.length && gray; i += 4) gray = d[i] === d[i + 1] && d[i] === d[i + 2];
  const out = PNG.sync.write(png, { colorType: gray ? 0 : 2, inputHasAlpha: true, deflateLevel: 9 });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, out);
  fs.renameSync(tmp, file);
  return out.length;
}

function sha256(text) {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** eval.jsonl records -> [{ step, <metric>: value, ... }] and the evaluation info of the last one. */
function readEvalRecords(modelDir) {
  const file = path.join(modelDir, 'eval.jsonl');
  if (!fs.existsSync(file)) return { metrics: [], info: null };
  const recs = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const metrics = recs.map((r) => {
    const m = { step: r.step };
    for (const [k, v] of Object.entries(r)) if (typeof v === 'number' && k !== 'step' && !k.startsWith('_')) m[k] = v;
    if (typeof r.wall?.eval_sec === 'number') m.eval_s = Math.round(r.wall.eval_sec * 10) / 10;
    return m;
  });
  return { metrics, info: recs.length ? recs[recs.length - 1].eval ?? null : null };
}

/**
 * Trains one (row, seed) with `gan train --schedule continuous_eval`, evaluating every
 * `evalEvery` steps on `numSamples` generated vs real test images, then writes a 8x8 sample grid.
 * Returns the raw-file fields (everything but table/row/label/seed).
 */
async function trainAndEvaluate(o, ctx) {
  const { configs, bindings, steps, evalEvery, numSamples, metrics = ['fid', 'kid'], seed } = o;
  fs.rmSync(ctx.workDir, { recursive: true, force: true }); // a half-done earlier attempt: start afresh (wall time must be whole)
  fs.mkdirSync(ctx.workDir, { recursive: true });
  const logFile = path.join(ctx.workDir, 'results.log');
  const allBindings = [
    ...bindings,
    `options.training_steps = ${steps}`,
    `runtime.seed = ${seed}`,
    `run_config.save_checkpoints_steps = ${steps}`,
    `metrics.evaluation.num_samples = ${numSamples}`,
    `metrics.evaluation.metrics = [${metrics.map((m) => `'${m}'`).join(', ')}]`,
    "metrics.evaluation.split = 'test'",
  ];
  const started = new Date();
  let lastShown = 0;
  const train = await runGan(
    ['train', ...configs.flatMap((c) => ['--gin_config', c]), ...allBindings.flatMap((b) => ['--gin_bindings', b]), '--model_dir', ctx.workDir, '--schedule', 'continuous_eval', '--eval_every_steps', String(evalEvery)],
    {
      logFile,
      onLine: (l) => {
        // progress every ~30 s, and every evaluation result
        if (/fid\[/.test(l) || /error|Error/.test(l) || Date.now() - lastShown > 30000) {
          lastShown = Date.now();
          ctx.log(l.slice(0, 200));
        }
      },
    },
  );
  const wall = (Date.now() - started.getTime()) / 1000;
  if (train.code !== 0) throw new Error(`gan train exited with ${train.code}${train.signal ? ` (${train.signal})` : ''}; see ${logFile}:\n${train.output.split('\n').slice(-15).join('\n')}`);
  fs.mkdirSync(path.dirname(ctx.samplesPath), { recursive: true });
  const sample = await runGan(['sample', '--checkpoint', ctx.workDir, '--n', '64', '--seed', '0', '--out', ctx.samplesPath], { logFile });
  if (sample.code !== 0) throw new Error(`gan sample exited with ${sample.code}; see ${logFile}`);
  compactPng(ctx.samplesPath);
  const op = fs.readFileSync(path.join(ctx.workDir, 'operative_config-0.gin'), 'utf8');
  const { metrics: evals, info } = readEvalRecords(ctx.workDir);
  const final = evals.length ? Object.fromEntries(Object.entries(evals[evals.length - 1]).filter(([k]) => k !== 'step' && k !== 'eval_s')) : {};
  return {
    config: configs.join(' + '),
    bindings: allBindings,
    config_hash: sha256(op),
    steps,
    batch_size: Number(/options\.batch_size = (\d+)/.exec(op)?.[1] ?? NaN),
    wall_s: Math.round(wall * 10) / 10,
    threads: 1,
    machine: machineLine(train.output),
    started: started.toISOString(),
    finished: new Date().toISOString(),
    git_commit: ctx.commit,
    extractor: info?.extractor ?? null,
    extractor_fingerprint: info?.extractor_fingerprint ?? null,
    extractor_accuracy: info?.extractor_accuracy ?? null,
    num_samples: info?.num_samples ?? numSamples,
    split: info?.split ?? 'test',
    metrics: evals,
    final,
    samples: path.relative(ctx.repoRoot, ctx.samplesPath),
  };
}

// ---------- statistics and Markdown for render() ----------

/** The value of metric `name` (e.g. 'fid') in a metrics object whose keys carry an extractor tag. */
function metricOf(obj, name) {
  if (!obj) return undefined;
  const key = Object.keys(obj).find((k) => k === name || k.startsWith(`${name}[`));
  return key === undefined ? undefined : obj[key];
}

/** { mean, sd (sample, n-1; null for n < 2), n, values } */
function stats(values) {
  const v = values.filter((x) => typeof x === 'number' && Number.isFinite(x));
  const n = v.length;
  if (!n) return { mean: null, sd: null, n: 0, values: v };
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, sd, n, values: v };
}

/** "39.0 ± 2.1 (n=2)", "41.2 (n=1)" or "—". */
function fmtStats(s, digits = 1) {
  if (!s || s.mean === null) return '—';
  return `${s.mean.toFixed(digits)}${s.sd !== null ? ` ± ${s.sd.toFixed(digits)}` : ''} (n=${s.n})`;
}

/** A Markdown table from a header row and rows of cells. */
function mdTable(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The raws of one row, ordered by seed. */
function rawsOf(raws, rowId) {
  return raws.filter((r) => r.row === rowId).sort((a, b) => a.seed - b.seed);
}

module.exports = { REPO_ROOT, runGan, stopCurrent, machineLine, compactPng, sha256, readEvalRecords, trainAndEvaluate, metricOf, stats, fmtStats, mdTable, rawsOf };
