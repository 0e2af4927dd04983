// Using compare-gan-js as a library (README "Using it as a library"); run from any directory
// where `@cgan/runner` resolves (npm install / npm link, or NODE_PATH=<repo>/node_modules).
const { train, loadGan, configurable } = require('@cgan/runner');
const { hinge } = require('@cgan/models');
const os = require('os');
const path = require('path');
const fs = require('fs');

// Your own configurable, usable from Gin as @my_hinge (here a loss that delegates to hinge).
configurable('my_hinge', { module: 'my_losses', params: {} }, (kw) => hinge(kw));

async function run() {
  const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgan-example-'));
  const result = await train({
    modelDir,
    ginBindings: [
      'dataset.name = "shapes"', 'dataset.resolution = 8', 'dataset.num_train_examples = 32', 'dataset.num_test_examples = 16',
      'options.gan_class = @ModularGAN', 'options.architecture = "dcgan_arch"', 'options.batch_size = 4',
      'options.training_steps = 2', 'options.z_dim = 8', 'loss.fn = @my_hinge', 'runtime.backend = "cpu"',
      'run_config.save_checkpoints_steps = 2',
    ],
    log: null,
  });
  const gan = await loadGan(modelDir);                 // or path.join(modelDir, 'checkpoints/ckpt-000000002')
  const images = gan.sample(4);                        // float32 [4, 8, 8, 3] in [0, 1]
  console.log(JSON.stringify({ finalStep: result.finalStep, step: gan.step, shape: images.shape }));
  images.dispose();
  gan.dispose();
}

run().catch((e) => {
  console.error(e.format ? e.format() : e);
  process.exitCode = 1;
});
