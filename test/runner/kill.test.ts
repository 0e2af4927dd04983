/**
 * Kills the real `gan` process (SIGKILL) at random moments while it writes a checkpoint every
 * step, then checks that every checkpoint folder loads and that restarting resumes. Uses the
 * built CLI (packages/runner/bin/gan.js; `npm test` builds it first).
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { CheckpointStore } from '../../packages/runner/src/run/checkpoint';
import { tmpdir, writeGin } from './fixtures';

jest.setTimeout(180000);

const BIN = path.join(__dirname, '../../packages/runner/bin/gan.js');
const built = fs.existsSync(path.join(__dirname, '../../packages/runner/dist/index.js'));

const GIN = `
runtime.backend = "cpu"
runtime.seed = 3
dataset.name = "shapes"
dataset.resolution = 8
dataset.num_train_examples = 64
dataset.num_test_examples = 16
options.gan_class = @ModularGAN
options.architecture = "dcgan_arch"
dcgan.Generator.gf_dim = 4
dcgan.Discriminator.df_dim = 4
options.batch_size = 4
options.training_steps = 1000
options.z_dim = 4
run_config.save_checkpoints_steps = 1
run_config.save_samples_steps = 1000
run_config.keep_checkpoint_max = 3
run_config.num_samples = 4
`;

function startGan(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, output: () => out };
}

const exited = (c: ChildProcess) => new Promise<void>((resolve) => c.once('exit', () => resolve()));

(built ? test : test.skip)('SIGKILL at random moments never leaves a checkpoint that fails to load', async () => {
  const dir = tmpdir('kill');
  const gin = writeGin(dir, 'k.gin', GIN);
  const model = path.join(dir, 'run');
  const store = new CheckpointStore(model);
  let lastStep = 0;
  for (let round = 0; round < 3; round++) {
    const { child, output } = startGan(['train', '--gin_config', gin, '--model_dir', model]);
    // Wait until this round has written at least one new checkpoint, then kill at a random moment.
    const t0 = Date.now();
    while ((store.list()[0]?.step ?? 0) <= lastStep && Date.now() - t0 < 60000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 400)));
    child.kill('SIGKILL');
    await exited(child);
    if (round > 0) expect(output()).toMatch(/resuming from .*ckpt-\d+ \(step \d+\)/);
    const list = store.list();
    expect(list.length).toBeGreaterThan(0);
    for (const c of list) expect(() => store.read(c.dir)).not.toThrow();
    const latest = store.loadLatest()!;
    expect(latest.skipped).toEqual([]);
    expect(latest.step).toBeGreaterThanOrEqual(lastStep);
    lastStep = latest.step;
    const steps = fs.readFileSync(path.join(model, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
    expect(steps).toBeGreaterThanOrEqual(lastStep);
  }
});

(built ? test : test.skip)('SIGINT stops after the current step with a checkpoint of it, exit code 130', async () => {
  const dir = tmpdir('sigint');
  const gin = writeGin(dir, 'k.gin', GIN.replace('run_config.save_checkpoints_steps = 1', 'run_config.save_checkpoints_steps = 100000'));
  const model = path.join(dir, 'run');
  const { child, output } = startGan(['train', '--gin_config', gin, '--model_dir', model]);
  const t0 = Date.now();
  while (!/step \d+\/1000/.test(output()) && Date.now() - t0 < 60000) await new Promise((r) => setTimeout(r, 50));
  const code = new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  child.kill('SIGINT');
  expect(await code).toBe(130);
  const m = /Stopped by SIGINT at step (\d+) of 1000; checkpoint .*ckpt-0*(\d+) written/.exec(output());
  expect(m).not.toBeNull();
  expect(m![1]).toBe(m![2]);
  expect(new CheckpointStore(model).loadLatest()!.step).toBe(Number(m![1]));
});
