#!/usr/bin/env node
/**
 * `node scripts/results/bigbigan_random_init.js RUN [BINDING ...]`: BigBiGAN's evaluation metrics
 * (its extraMetrics: linear probe on E's features and on raw pixels, reconstruction class
 * agreement) for the run's networks at their random initialisation -- the run's config and seed
 * rebuilt (plus the BINDINGs, e.g. the `--gin_bindings` the run was trained with), no checkpoint restored, so exactly the weights its training started from. Prints one
 * JSON object on stdout. Used by scripts/results/tables/bigbigan.js for the step-0 baseline
 * (`gan train` has no step-0 evaluation). Needs `npm run build`.
 */
'use strict';
const path = require('path');
const root = path.resolve(__dirname, '../..');
const models = require('@cgan/models');
require('@cgan/runner'); // registers the runner's configurables (run_config, doctor, ...) that operative configs name
const { withRebuiltRun, runDirOfCheckpoint } = require(path.join(root, 'packages/runner/dist/commands/common.js'));
const { RunDir } = require(path.join(root, 'packages/runner/dist/run/run_dir.js'));

async function main() {
  const target = process.argv[2];
  if (!target) {
    process.stderr.write('usage: node scripts/results/bigbigan_random_init.js RUN [BINDING ...]\n');
    process.exit(2);
  }
  const dir = new RunDir(runDirOfCheckpoint(target));
  const log = (m) => process.stderr.write(`${m}\n`);
  const ginBindings = process.argv.slice(3);
  await withRebuiltRun(dir, null, { info: log, warn: (m) => log(`warning: ${m}`) }, async (built) => {
    if (typeof built.gan.extraMetrics !== 'function') throw new Error(`${target}: the run's GAN has no extra metrics (not a BigBiGAN run?)`);
    const m = await built.gan.extraMetrics({ dataset: built.dataset, rng: new models.Rng(0), log });
    process.stdout.write(`${JSON.stringify(m)}\n`);
  }, { ginBindings });
}

main().catch((e) => {
  process.stderr.write(`${e && e.format ? e.format() : e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
