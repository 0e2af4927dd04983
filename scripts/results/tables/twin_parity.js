'use strict';
/**
 * Table 3: quality parity with a reference implementation. A PyTorch twin of table 1's
 * non-saturating SNDCGAN row (bench/twins/torch_sndcgan_train.py: same architecture, init, BN,
 * spectral norm, z, data, steps, batch, widths and optimizer) is trained for the same seeds and
 * its samples are scored by `gan score` with the same shipped extractor as ours. "Ours" is table
 * 1's raw files (docs/results/losses/non_saturating--seed<k>.json); no separate run.
 */
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');

const PYTHON = process.env.TWIN_PYTHON || '/usr/bin/python3';
const TRAINER = 'bench/twins/torch_sndcgan_train.py';
const TRAINER_FILES = [TRAINER, 'bench/twins/twin_common.py'];
// Table 1's fixed budget (RESULTS_CONTRACT.md): sndcgan.gin at ch 16, batch 32, z 64, 400 steps,
// Adam(2e-4, 0.5, 0.999), disc_iters 1, FID on 2000 samples vs 2000 test images at 200 and 400.
const BUDGET = { steps: 400, batch: 32, ch: 16, z_dim: 64, lr: 2e-4, beta1: 0.5, beta2: 0.999, sample_steps: [200, 400], num_samples: 2000 };
const OURS = { table: 'losses', row: 'non_saturating' };

function trainerArgs(seed, out) {
  const b = BUDGET;
  return [
    `--steps=${b.steps}`, `--batch=${b.batch}`, `--ch=${b.ch}`, `--z_dim=${b.z_dim}`, `--lr=${b.lr}`,
    `--beta1=${b.beta1}`, `--beta2=${b.beta2}`, `--seed=${seed}`, '--threads=1',
    `--sample_steps=${b.sample_steps.join(',')}`, `--num_samples=${b.num_samples}`, `--out=${out}`,
  ];
}

function machine() {
  const cpu = os.cpus();
  return `${cpu.length}-core ${cpu[0] ? cpu[0].model.trim() : 'CPU'}, Node ${process.versions.node}, ${PYTHON} + PyTorch (1 thread)`;
}

/** Runs a child to completion; resolves its stdout, rejects with the tail of its stderr. */
function run(cmd, args, opts) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (b) => (out += b));
    child.stderr.on('data', (b) => (err += b));
    child.on('error', (e) => reject(new Error(`${cmd} ${args.join(' ')}: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.slice(0, 3).join(' ')} ... exited ${code ?? signal}:\n${err.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

const ENV = { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' };

/** The twin's finished output in `out`, if one exists for exactly these arguments (resumable). */
function finishedTwin(out, seed) {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const b = BUDGET;
    const same = s.seed === seed && s.steps === b.steps && s.batch_size === b.batch && s.ch === b.ch && s.z_dim === b.z_dim &&
      s.lr === b.lr && s.betas[0] === b.beta1 && s.betas[1] === b.beta2 && s.threads === 1 &&
      s.samples.map((x) => x.step).join(',') === b.sample_steps.join(',') && s.samples.every((x) => fs.existsSync(x.npy));
    return same ? s : null;
  } catch {
    return null;
  }
}

async function score(repoRoot, npy, n) {
  const stdout = await run(process.execPath, [path.join(repoRoot, 'packages/runner/bin/gan.js'), 'score', npy, '--against', 'fashion-mnist:test', '--n', String(n), '--quiet'], { cwd: repoRoot, env: ENV });
  return JSON.parse(stdout.trim().split('\n').pop());
}

/** Mean of the training log's fields over the last `k` logged records. */
function tail(logPath, k = 5) {
  const recs = fs.readFileSync(logPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).slice(-k);
  const mean = (f) => recs.reduce((a, r) => a + r[f], 0) / recs.length;
  return { from_step: recs[0].step, to_step: recs[recs.length - 1].step, d_loss: mean('d_loss'), g_loss: mean('g_loss'), d_accuracy: mean('d_accuracy') };
}

const fmt = (x, d = 1) => (x == null || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));
const metricKey = (obj, prefix) => Object.keys(obj || {}).find((k) => k.startsWith(`${prefix}[`));

function stats(values) {
  const v = values.filter((x) => Number.isFinite(x));
  if (!v.length) return null;
  const n = v.length;
  const mean = v.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : null;
  return { n, mean, sd };
}

function atStep(raw, step, prefix) {
  const m = (raw.metrics || []).find((r) => r.step === step);
  const k = metricKey(m, prefix);
  return k ? m[k] : undefined;
}

function readOurs(repoRoot) {
  const dir = path.join(repoRoot, 'docs/results', OURS.table);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir)
    .filter((f) => f.startsWith(`${OURS.row}--seed`) && f.endsWith('.json'))
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
    .sort((a, b) => a.seed - b.seed);
}

module.exports = {
  id: 'twin_parity',
  order: 3,
  title: 'Quality parity with a PyTorch twin (SNDCGAN, Fashion-MNIST)',
  renderEmpty: true,
  rows: [{ id: 'sndcgan_non_saturating', label: 'SNDCGAN non-saturating, PyTorch twin', seeds: [1, 2] }],
  budget: BUDGET,

  async runRow(row, seed, ctx) {
    const repoRoot = ctx.repoRoot;
    const started = new Date().toISOString();
    const out = path.join(ctx.workDir, `twin-seed${seed}`);
    let summary = finishedTwin(out, seed);
    const reused = summary !== null;
    if (summary) ctx.log(`twin seed ${seed}: reusing the finished training in ${out}`);
    else {
      fs.rmSync(out, { recursive: true, force: true });
      const args = ['-n', '5', PYTHON, path.join(repoRoot, TRAINER), ...trainerArgs(seed, out)];
      ctx.log(`twin seed ${seed}: nice ${args.join(' ')}`);
      summary = JSON.parse((await run('nice', args, { cwd: repoRoot, env: ENV })).trim().split('\n').pop());
    }
    const tScore = Date.now();
    const metrics = [];
    let extractor = null;
    for (const s of summary.samples) {
      ctx.log(`twin seed ${seed}: gan score ${s.npy} --against fashion-mnist:test --n ${BUDGET.num_samples}`);
      const sc = await score(repoRoot, s.npy, BUDGET.num_samples);
      extractor = { extractor: sc.extractor, extractor_fingerprint: sc.extractor_fingerprint, extractor_accuracy: sc.extractor_accuracy };
      metrics.push({ step: s.step, ...sc.metrics, pixel_std: s.pixel_std, mean_pairwise_l2: s.mean_pairwise_l2 });
    }
    const last = summary.samples[summary.samples.length - 1];
    const samplesPath = ctx.samplesPath || ctx.rawPath.replace(/\.json$/, '.png');
    fs.mkdirSync(path.dirname(samplesPath), { recursive: true });
    fs.copyFileSync(last.png, samplesPath);
    const hash = crypto.createHash('sha256');
    for (const f of TRAINER_FILES) hash.update(fs.readFileSync(path.join(repoRoot, f)));
    hash.update(JSON.stringify(trainerArgs(seed, '<out>')));
    const final = { ...metrics[metrics.length - 1] };
    delete final.step;
    return {
      table: 'twin_parity', row: row.id, label: row.label, seed,
      config: TRAINER, bindings: trainerArgs(seed, '<out>'),
      config_hash: hash.digest('hex'),
      steps: BUDGET.steps, batch_size: BUDGET.batch, wall_s: summary.wall_s, twin_training_reused: reused, score_wall_s: (Date.now() - tScore) / 1000,
      threads: 1, machine: machine(), framework: `pytorch ${summary.torch}`,
      started, finished: new Date().toISOString(), git_commit: ctx.commit,
      ...extractor, num_samples: BUDGET.num_samples, split: 'test',
      metrics, final,
      training_tail: tail(path.join(out, 'log.jsonl')),
      samples: path.relative(repoRoot, samplesPath),
    };
  },

  render(raws, ctx) {
    const repoRoot = (ctx && ctx.repoRoot) || path.resolve(__dirname, '../../..');
    const ours = readOurs(repoRoot);
    const twin = raws.filter((r) => r.table === 'twin_parity').sort((a, b) => a.seed - b.seed);
    const L = [];
    L.push(`Ours is table 1's non-saturating row (\`${OURS.table}/${OURS.row}--seed<k>.json\`, no separate run); the twin is`);
    L.push(`\`${TRAINER}\` (PyTorch, one thread): the same SNDCGAN (ch ${BUDGET.ch}), init N(0, 0.02), G batch norm (decay 0.9,`);
    L.push(`epsilon 1e-5), spectral norm with one power iteration, z ~ U(-1, 1), batch ${BUDGET.batch}, ${BUDGET.steps} steps, Adam(2e-4, 0.5, 0.999),`);
    L.push(`trained on the Fashion-MNIST train split. Both sides are scored the same way: ${BUDGET.num_samples} samples of G in inference mode`);
    L.push(`against ${BUDGET.num_samples} test images, with \`gan score\` (the twin) and \`gan train --schedule continuous_eval\` (ours), the same shipped extractor.`);
    L.push('');
    if (!twin.length) {
      L.push('_Not measured yet: run `npm run results -- --table twin_parity`._');
      return L.join('\n');
    }
    const extractorOf = (r) => `${r.extractor}${r.extractor_fingerprint && !String(r.extractor).includes('@') ? ` (weights ${r.extractor_fingerprint})` : ''}`;
    const extractors = new Set([...ours, ...twin].map(extractorOf));
    L.push('| step | side | FID per seed | FID mean ± sd | KID per seed |');
    L.push('|---|---|---|---|---|');
    const verdicts = [];
    for (const step of BUDGET.sample_steps) {
      const sides = [['ours (TF.js)', ours], ['PyTorch twin', twin]].map(([name, rs]) => {
        const fids = rs.map((r) => atStep(r, step, 'fid'));
        const kids = rs.map((r) => atStep(r, step, 'kid'));
        return { name, rs, fids, kids, st: stats(fids) };
      });
      for (const s of sides) {
        const per = s.rs.map((r, i) => `s${r.seed}: ${fmt(s.fids[i])}`).join(', ') || 'not measured';
        const kid = s.rs.map((r, i) => `s${r.seed}: ${fmt(s.kids[i], 4)}`).join(', ') || '';
        L.push(`| ${step} | ${s.name} | ${per} | ${s.st ? `${fmt(s.st.mean)}${s.st.sd === null ? '' : ` ± ${fmt(s.st.sd)}`}` : 'n/a'} | ${kid} |`);
      }
      const [o, t] = sides.map((s) => s.st);
      if (o && t && o.n >= 2 && t.n >= 2) {
        const diff = o.mean - t.mean;
        const tol = 2 * Math.sqrt(o.sd ** 2 / o.n + t.sd ** 2 / t.n);
        verdicts.push({ step, diff, tol, agree: Math.abs(diff) <= tol });
      }
    }
    L.push('');
    if (extractors.size > 1) {
      L.push(`**Not comparable:** the two sides were scored with different extractors (${[...extractors].join(', ')}).`);
    } else {
      L.push(`Extractor: ${[...extractors][0]}. Spread: sample standard deviation over seeds. "Agree" means the difference of the`);
      L.push('means is within two standard errors of the difference, 2·√(sd_ours²/n_ours + sd_twin²/n_twin).');
      L.push('');
      for (const v of verdicts) {
        L.push(`- step ${v.step}: ours − twin = ${fmt(v.diff)} FID, tolerance ${fmt(v.tol)}: **${v.agree ? 'agree' : v.diff > 0 ? 'ours is worse' : 'ours is better'}**.`);
      }
      if (!verdicts.length) L.push('- No verdict yet: both sides need at least two seeds.');
      else {
        L.push('');
        L.push('With two seeds a side and FIDs that still swing by tens of points between checkpoints at this budget (~0.2 epoch),');
        L.push('"agree" only rules out a difference larger than the tolerance above; it is not evidence that a smaller one is absent.');
      }
    }
    const tails = twin.filter((r) => r.training_tail).map((r) => `seed ${r.seed}: D accuracy ${fmt(r.training_tail.d_accuracy, 2)}, d_loss ${fmt(r.training_tail.d_loss, 2)}, g_loss ${fmt(r.training_tail.g_loss, 2)}`);
    if (tails.length) {
      L.push('');
      L.push(`Twin's training log, mean of the last logged steps (${twin[0].training_tail.from_step}-${twin[0].training_tail.to_step}): ${tails.join('; ')}.`);
    }
    const wall = twin.map((r) => `seed ${r.seed}: ${fmt(r.wall_s, 0)} s`).join(', ');
    L.push(`Twin training wall time (${twin[0].machine}, shared machine): ${wall}. Samples: ${twin.map((r) => `[seed ${r.seed}](${path.relative('docs', r.samples)})`).join(', ')}.`);
    return L.join('\n');
  },
};
