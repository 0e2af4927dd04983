/**
 * Table 1: losses on one architecture (SNDCGAN, Fashion-MNIST), the fixed budget of
 * RESULTS_CONTRACT.md (table 3's "ours" side is this table's non_saturating rows).
 * Question (Lucic et al. 2018, "Are GANs Created Equal?"): do the losses end close to each other?
 */
'use strict';
const { trainAndEvaluate, metricOf, stats, fmtStats, mdTable, rawsOf } = require('../lib');

const CONFIG = 'gin-configs/fashion_mnist/sndcgan.gin';
const STEPS = 400;
const BUDGET = [
  'sndcgan.Generator.ch = 16',
  'sndcgan.Discriminator.ch = 16',
  'options.batch_size = 32',
  'options.z_dim = 64',
  'options.disc_iters = 1',
  'ModularGAN.g_lr = 0.0002',
  'ModularGAN.d_lr = 0.0002',
  'ModularGAN.g_optimizer_fn = @tf.train.AdamOptimizer',
  'ModularGAN.d_optimizer_fn = @tf.train.AdamOptimizer',
  'tf.train.AdamOptimizer.beta1 = 0.5',
  'tf.train.AdamOptimizer.beta2 = 0.999',
];

/** Best FIDs on Fashion-MNIST in Lucic et al. 2018 (Inception features, large search): for the trend only. */
const PAPER = { non_saturating: 26.5, least_squares: 30.7, wgangp: 24.5 };

const rows = [
  { id: 'non_saturating', label: 'non-saturating', seeds: [1, 2], bindings: ['loss.fn = @non_saturating', 'penalty.fn = @no_penalty'] },
  { id: 'hinge', label: 'hinge', seeds: [1, 2], bindings: ['loss.fn = @hinge', 'penalty.fn = @no_penalty'] },
  { id: 'least_squares', label: 'least squares', seeds: [1, 2], bindings: ['loss.fn = @least_squares', 'penalty.fn = @no_penalty'] },
  { id: 'wgangp', label: 'WGAN-GP (λ = 10, SN kept on)', seeds: [1, 2], bindings: ['loss.fn = @wasserstein', 'penalty.fn = @wgangp_penalty', 'options.lamba = 10'] },
];

async function runRow(row, seed, ctx) {
  return trainAndEvaluate({ configs: [CONFIG], bindings: [...BUDGET, ...row.bindings], steps: STEPS, evalEvery: 200, numSamples: 2000, metrics: ['fid', 'kid'], seed }, ctx);
}

const at = (raw, step, name) => metricOf((raw.metrics || []).find((m) => m.step === step), name);

function render(raws) {
  const lines = [];
  lines.push(
    `\`${CONFIG}\` with ${BUDGET.slice(0, 3).map((b) => `\`${b}\``).join(', ')}, z_dim 64, Adam(2e-4, β1 0.5, β2 0.999) for G and D, 1 D step per G step, ${STEPS} steps, seeds 1 and 2. ` +
      'WGAN-GP keeps spectral normalisation in D, as in Compare GAN\'s SNDCGAN setups (D.spectral_norm = True in the config). FID and KID on 2000 generated vs 2000 test images at steps 200 and 400; mean ± sample standard deviation over seeds.',
  );
  lines.push('');
  lines.push(
    `**Budget caveat.** ${STEPS} steps of batch 32 is ~0.2 epoch of Fashion-MNIST, at quarter width (ch 16); Lucic et al. trained each model for 20 epochs after a search of 100 hyperparameter settings per loss. These numbers compare the losses *early in training at one shared setting*; they say nothing about where each loss ends up.`,
  );
  lines.push('');
  const table = rows.map((r) => {
    const rr = rawsOf(raws, r.id);
    const fid200 = stats(rr.map((x) => at(x, 200, 'fid')));
    const fid400 = stats(rr.map((x) => at(x, STEPS, 'fid')));
    const kid400 = stats(rr.map((x) => at(x, STEPS, 'kid')));
    const wall = stats(rr.map((x) => x.wall_s));
    const seeds = rr.map((x) => `${x.seed}: ${(at(x, STEPS, 'fid') ?? NaN).toFixed(1)}`).join(', ');
    const grids = rr.map((x) => `[s${x.seed}](results/losses/${r.id}--seed${x.seed}.png)`).join(' ');
    return { r, fid400, cells: [r.label, fmtStats(fid200), fmtStats(fid400), seeds || '—', fmtStats(kid400, 2), wall.mean === null ? '—' : `${wall.mean.toFixed(0)}`, PAPER[r.id] ?? '—', grids || '—'] };
  });
  lines.push(mdTable(['loss', 'FID @200', 'FID @400', 'FID @400 per seed', 'KID @400', 'wall s/run', 'paper best FID (Inception)', 'samples'], table.map((t) => t.cells)));
  lines.push('');
  const first = rawsOf(raws, 'non_saturating')[0] ?? raws[0];
  if (first) lines.push(`![non-saturating, seed ${first.seed}](results/losses/${first.row}--seed${first.seed}.png)`);
  lines.push('');
  const missing = rows.flatMap((r) => r.seeds.filter((k) => !rawsOf(raws, r.id).some((x) => x.seed === k)).map((k) => `${r.label} seed ${k}`));
  if (missing.length) lines.push(`Not measured yet (\`npm run results -- --table losses --by-seed\` measures them): ${missing.join('; ')}.`, '');
  // The trend: are the losses within each other's seed spread?
  const done = table.filter((t) => t.fid400.n > 0);
  if (done.length < 2) {
    lines.push('**Trend:** not enough rows measured yet to compare the losses.');
    return lines.join('\n');
  }
  const means = done.map((t) => t.fid400.mean);
  const lo = Math.min(...means);
  const hi = Math.max(...means);
  const best = done.find((t) => t.fid400.mean === lo);
  const worst = done.find((t) => t.fid400.mean === hi);
  const sds = done.map((t) => t.fid400.sd).filter((x) => x !== null);
  const spread = sds.length ? Math.max(...sds) : null;
  const close = done.filter((t) => t.fid400.mean - lo <= (spread ?? 0) * 2);
  lines.push(
    `**Trend (Lucic et al. 2018: the losses end close to each other, best FIDs 24.5 to 30.7).** At step ${STEPS} the mean FIDs range from ${lo.toFixed(1)} (${best.r.label}) to ${hi.toFixed(1)} (${worst.r.label}), a gap of ${(hi - lo).toFixed(1)}` +
      (spread !== null ? ` against a largest seed-to-seed standard deviation of ${spread.toFixed(1)}` : '') +
      `. Within two such deviations of the best: ${close.map((t) => t.r.label).join(', ')}. ` +
      (close.length === done.length
        ? 'Here, too, the losses are close to each other: the paper\'s trend holds at this budget.'
        : `So at this tiny budget the trend holds only partly: ${done.filter((t) => !close.includes(t)).map((t) => t.r.label).join(', ')} ${done.length - close.length === 1 ? 'is' : 'are'} clearly behind. The paper compares the best of a large hyperparameter search after full training, not one shared setting after 400 steps, so this does not contradict it.`) +
      (done.some((t) => t.fid400.n < 2) ? ` Weak evidence: ${done.filter((t) => t.fid400.n < 2).map((t) => t.r.label).join(', ')} ha${done.filter((t) => t.fid400.n < 2).length === 1 ? 's' : 've'} a single seed, and one loss's two seeds already differ by up to ${spread !== null ? (spread * Math.SQRT2).toFixed(0) : '?'} FID.` : '') +
      (done.length < rows.length ? ` (${rows.length - done.length} loss(es) not measured yet.)` : ''),
  );
  return lines.join('\n');
}

module.exports = { renderEmpty: true, id: 'losses', order: 1, title: 'Losses on SNDCGAN (Fashion-MNIST)', rows, runRow, render, CONFIG, BUDGET, STEPS };
