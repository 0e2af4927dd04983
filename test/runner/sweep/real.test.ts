/** A sweep whose trials are real `gan train` runs (tiny architecture, a few steps). */
import * as fs from 'fs';
import * as path from 'path';
import { main } from '@cgan/runner';
import { tmpDir, writeFiles } from './helpers';

const ROOT = path.resolve(__dirname, '../../..');
const built = fs.existsSync(path.join(ROOT, 'packages/runner/dist/commands/sweep.js'));
const TRAIN = `${process.execPath} ${path.join(__dirname, 'real-train.js')}`;

async function gan(...args: string[]) {
  let out = '';
  let err = '';
  const io = { out: (s: string) => void (out += s), err: (s: string) => void (err += s), progressStream: { isTTY: false } as NodeJS.WriteStream };
  const code = await main(['node', 'gan', ...args], io);
  process.exitCode = undefined;
  return { code, out, err };
}

(built ? test : test.skip)('trials are real run directories: run.json, operative config, checkpoints, metrics', async () => {
  const src = writeFiles({
    'sweep.gin': `dataset.name = "shapes"
dataset.resolution = 8
dataset.num_train_examples = 32
dataset.num_test_examples = 8
options.gan_class = @ModularGAN
options.architecture = "sweep_test_arch"
options.batch_size = 4
options.training_steps = 4
options.z_dim = 3
run_config.save_checkpoints_steps = 2
run_config.num_samples = 4
loss.fn = @non_saturating
sweep.grid = {'loss.fn': [@non_saturating, @hinge]}
sweep.metric = 'd_loss'
`,
  });
  const dir = tmpDir('sweep-real-');
  const run = await gan('sweep', 'run', path.join(src, 'sweep.gin'), '--sweep_dir', dir, '--workers', '2', '--trial_command', TRAIN);
  expect(run.err).toContain('sweep: 2 trials done, 0 failed');
  const ids = fs.readdirSync(dir).filter((f) => /^[0-9a-f]{12}$/.test(f));
  expect(ids).toHaveLength(2);
  for (const id of ids) {
    const d = path.join(dir, id);
    for (const f of ['run.json', 'operative_config-0.gin', 'metrics.jsonl', 'checkpoints']) expect(fs.existsSync(path.join(d, f))).toBe(true);
    expect(fs.readFileSync(path.join(d, 'operative_config-0.gin'), 'utf8')).toMatch(/loss\.fn = @(loss_lib\.)?(hinge|non_saturating)/);
  }
  const res = await gan('sweep', 'results', dir);
  expect(res.out).toMatch(/d_loss final\s+d_loss best \(min\)/);
  expect(res.out).toMatch(/@hinge\s+4/);
  const best = await gan('sweep', 'best', dir);
  expect(best.out).toMatch(/^# Best trial [0-9a-f]{12} .*: d_loss = /);
  expect(best.out).toContain('options.training_steps = 4');
}, 90000);
