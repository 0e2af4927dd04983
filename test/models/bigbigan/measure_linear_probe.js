#!/usr/bin/env node
/**
 * Measures the linear-probe accuracy (packages/models/src/representation) of a trained BigBiGAN
 * run's encoder against the same probe on the same encoder at its random initialisation (the
 * run's config and seed, no checkpoint restored), and on raw pixels for reference.
 * Not a Jest test: run it on a `gan train` run directory after `npm run build`:
 *
 *   node test/models/bigbigan/measure_linear_probe.js RUN [--features features|mu] [--train N] [--test N] [--epochs N]
 *
 * Prints one JSON line per measurement. The probe's settings default to the run's
 * `linear_probe.*` bindings.
 */
'use strict';
const path = require('path');
const root = path.resolve(__dirname, '../../..');
const tf = require('@tensorflow/tfjs-core');
const models = require('@cgan/models');
require('@cgan/runner'); // registers the runner's configurables (run_config, doctor, ...) that operative configs name
const { withRebuiltRun, runDirOfCheckpoint } = require(path.join(root, 'packages/runner/dist/commands/common.js'));
const { RunDir } = require(path.join(root, 'packages/runner/dist/run/run_dir.js'));
const { CheckpointStore, disposeCheckpoint } = require(path.join(root, 'packages/runner/dist/run/checkpoint.js'));
const { restoreState } = require(path.join(root, 'packages/runner/dist/run/state.js'));

function flag(name, dflt) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
}

async function main() {
  const target = process.argv[2];
  if (!target || target.startsWith('--')) {
    process.stderr.write('usage: node measure_linear_probe.js RUN [--features features|mu] [--train N] [--test N] [--epochs N]\n');
    process.exit(2);
  }
  const settings = {};
  if (flag('features')) settings.features = flag('features');
  if (flag('train')) settings.num_train_examples = Number(flag('train'));
  if (flag('test')) settings.num_test_examples = Number(flag('test'));
  if (flag('epochs')) settings.epochs = Number(flag('epochs'));
  const dir = new RunDir(runDirOfCheckpoint(target));
  const logger = { info: (m) => process.stderr.write(`${m}\n`), warn: (m) => process.stderr.write(`warning: ${m}\n`) };
  await withRebuiltRun(dir, null, logger, async (built) => {
    const s = models.linearProbeSettings(settings);
    // Collapse diagnostics on 500 test images: pooled features that are zero for all of them, and
    // the spread of the latent mean mu across images (about 0 when E ignores its input).
    const it = built.dataset.batches('test', { batchSize: 500, repeat: false });
    const sample = (await it.next()).value;
    await it.return();
    const diagnostics = () =>
      tf.tidy(() => {
        const out = built.gan.encoder(sample.images, false);
        return {
          dead_features: tf.sum(tf.cast(tf.lessEqual(tf.max(out.features, 0), 0), 'float32')).dataSync()[0],
          mu_std_across_images: tf.mean(tf.sqrt(tf.moments(out.mu, 0).variance)).dataSync()[0],
          mean_sigma: out.sigma ? tf.mean(out.sigma).dataSync()[0] : null,
        };
      });
    const probe = async (what, fn, withDiagnostics) => {
      const t0 = Date.now();
      const r = await models.probeFeatureFn(fn, built.dataset, s);
      const extra = withDiagnostics ? diagnostics() : {};
      process.stdout.write(JSON.stringify({ what, features: s.features, ...r, ...extra, seconds: (Date.now() - t0) / 1000 }) + '\n');
    };
    if (!process.argv.includes('--no_pixels')) await probe('raw pixels', (x) => tf.reshape(x, [x.shape[0], -1]), false);
    await probe('encoder at random initialisation', (x) => built.gan.encodeFeatures(x, s.features), true);
    const ckpt = CheckpointStore.resolve(path.resolve(target) === path.resolve(dir.root) ? dir.root : target);
    try {
      await restoreState(ckpt, built.gan, built.store, null);
    } finally {
      disposeCheckpoint(ckpt);
    }
    await probe(`trained encoder (step ${ckpt.step})`, (x) => built.gan.encodeFeatures(x, s.features), true);
  });
}

main().catch((e) => {
  process.stderr.write(`${e && e.format ? e.format() : e && e.stack ? e.stack : e}\n`);
  process.exit(1);
});
