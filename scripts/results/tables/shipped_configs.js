/**
 * Table 5: every shipped Fashion-MNIST config (gin-configs/fashion_mnist/*.gin) as written, at one
 * CPU budget: its networks narrowed (DCGAN/SNDCGAN to half width, the ResNets to a quarter), batch 32, STEPS steps; everything else (loss, penalty,
 * disc_iters, optimizer, self-supervision, labels, EMA) as the file says. These are the FIDs each
 * config's header comment quotes, so that the number a user reads beside a config comes from a
 * committed raw file. They are not the FIDs of the configs' full budgets (6,000-10,000 steps at
 * batch 64), which this 2-core machine cannot afford for every config.
 */
'use strict';
const { trainAndEvaluate, metricOf, stats, fmtStats, mdTable, rawsOf } = require('../lib');

const STEPS = 600;
const NUM_SAMPLES = 2000;
const COMMON = ['options.batch_size = 32'];

const rows = [
  { id: 'dcgan', config: 'gin-configs/fashion_mnist/dcgan.gin', width: ['dcgan.Generator.gf_dim = 16', 'dcgan.Discriminator.df_dim = 16'] },
  { id: 'sndcgan', config: 'gin-configs/fashion_mnist/sndcgan.gin', width: ['sndcgan.Generator.ch = 16', 'sndcgan.Discriminator.ch = 16'] },
  { id: 'wgangp', config: 'gin-configs/fashion_mnist/wgangp.gin', width: ['dcgan.Generator.gf_dim = 16', 'dcgan.Discriminator.df_dim = 16'] },
  { id: 'resnet', config: 'gin-configs/fashion_mnist/resnet.gin', width: ['resnet_cifar.Generator.ch = 16', 'resnet_cifar.Discriminator.ch = 16'] },
  // SSGAN's rotated batch is a number of examples: a quarter of the batch, as the file's 16 of 64.
  { id: 'ssgan', config: 'gin-configs/fashion_mnist/ssgan.gin', width: ['resnet_cifar.Generator.ch = 16', 'resnet_cifar.Discriminator.ch = 16', 'SSGAN.rotated_batch_size = 8'] },
  // The file starts G's EMA at step 2000: within this budget the raw G is evaluated.
  { id: 's3gan_10pct', config: 'gin-configs/fashion_mnist/s3gan_10pct.gin', width: ['resnet_cifar.Generator.ch = 16', 'resnet_cifar.Discriminator.ch = 16'] },
].map((r) => ({ seeds: [1, 2], label: r.config.split('/').pop(), ...r }));

async function runRow(row, seed, ctx) {
  const bindings = [...row.width, ...COMMON];
  const raw = await trainAndEvaluate({ configs: [row.config], bindings, steps: STEPS, evalEvery: STEPS / 2, numSamples: NUM_SAMPLES, metrics: ['fid', 'kid'], seed }, ctx);
  return { ...raw, config: row.config };
}

const at = (raw, step) => metricOf((raw.metrics || []).find((m) => m.step === step), 'fid');

function render(raws) {
  const lines = [];
  lines.push(
    `Each shipped config as written, with its networks narrowed (${rows.map((r) => r.width.filter((w) => !w.startsWith('SSGAN')).map((w) => `\`${w}\``).join(', ')).filter((v, i, a) => a.indexOf(v) === i).join('; ')}), \`options.batch_size = 32\` (SSGAN's rotated batch scaled with it: \`SSGAN.rotated_batch_size = 8\`) and ${STEPS} steps (generator steps; the configs' \`disc_iters\` D steps each), seeds 1 and 2. ` +
      `FID and KID on ${NUM_SAMPLES} generated vs ${NUM_SAMPLES} test images at steps ${STEPS / 2} and ${STEPS}; mean ± sample standard deviation over seeds. ` +
      "s3gan_10pct.gin starts G's moving average at step 2000, so its raw generator is evaluated here.",
  );
  lines.push('');
  lines.push(
    `**Budget caveat.** The configs' own budgets are 4,000-10,000 steps of batch 64 at full width (hours to days on this machine); ${STEPS} steps of batch 32 is ~${((STEPS * 32) / 60000).toFixed(2)} epoch. These are the numbers each config's header comment quotes, as "FID at the quick-look budget", not as the config's end point.`,
  );
  lines.push('');
  const table = rows.map((r) => {
    const rr = rawsOf(raws, r.id);
    const mid = stats(rr.map((x) => at(x, STEPS / 2)));
    const end = stats(rr.map((x) => at(x, STEPS)));
    const kid = stats(rr.map((x) => metricOf(x.final, 'kid')));
    const wall = stats(rr.map((x) => x.wall_s));
    const seeds = rr.map((x) => `${x.seed}: ${(at(x, STEPS) ?? NaN).toFixed(1)}`).join(', ');
    const grids = rr.map((x) => `[s${x.seed}](results/shipped_configs/${r.id}--seed${x.seed}.png)`).join(' ');
    return [`\`${r.label}\``, fmtStats(mid), fmtStats(end), seeds || '—', fmtStats(kid, 2), wall.mean === null ? '—' : wall.mean.toFixed(0), grids || 'not run'];
  });
  lines.push(mdTable(['config', `FID @${STEPS / 2}`, `FID @${STEPS}`, 'per seed', `KID @${STEPS}`, 'wall s/run', 'samples'], table));
  lines.push('');
  const missing = rows.flatMap((r) => r.seeds.filter((k) => !rawsOf(raws, r.id).some((x) => x.seed === k)).map((k) => `${r.label} seed ${k}`));
  if (missing.length) lines.push(`Not measured yet (\`npm run results -- --table shipped_configs --by-seed\` measures them): ${missing.join('; ')}.`);
  return lines.join('\n');
}

module.exports = { renderEmpty: true, id: 'shipped_configs', order: 5, title: 'The shipped Fashion-MNIST configs at a quick-look budget', rows, runRow, render, STEPS };
