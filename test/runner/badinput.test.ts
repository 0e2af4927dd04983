import * as fs from 'fs';
import * as path from 'path';
import { expectOk, gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(120000);

/** Every bad-input error: non-zero exit, one paragraph, no stack trace. */
function expectCleanError(r: { code: number; err: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/internal error|\n\s+at .*:\d+:\d+/);
}

function listing(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const n of fs.readdirSync(d)) {
      const p = path.join(d, n);
      if (fs.statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

describe('bad configs', () => {
  const dir = tmpdir('bad');
  const run = (extra: string) => gan('train', '--gin_config', writeGin(dir, `c${Math.random()}.gin`, TINY_GIN + extra), '--model_dir', path.join(dir, 'never'));

  test('unknown configurable and unknown parameter name the line and suggest the right name', async () => {
    expectCleanError(await run('optoins.batch_size = 3\n'), /No configurable matching 'optoins'[\s\S]*did you mean 'runner_lib.options'/);
    expectCleanError(await run('options.batch_sise = 3\n'), /has no parameter 'batch_sise'[\s\S]*batch_size/);
  });
  test('wrong type', async () => {
    expectCleanError(await run('options.batch_size = "big"\n'), /Wrong type for 'runner_lib.options.batch_size'/);
    expectCleanError(await run('run_config.save_checkpoints_steps = 1.5\n'), /run_config.save_checkpoints_steps/);
  });
  test('missing REQUIRED', async () => {
    const text = TINY_GIN.replace(/options\.training_steps = 6\n/, '');
    const r = await gan('train', '--gin_config', writeGin(dir, 'noreq.gin', text), '--model_dir', path.join(dir, 'never'));
    expectCleanError(r, /Required parameter 'runner_lib.options.training_steps' was not supplied/);
  });
  test('unknown dataset and unknown architecture', async () => {
    expectCleanError(await run('dataset.name = "fashoin-mnist"\n'), /unknown dataset 'fashoin-mnist'[\s\S]*fashion-mnist/);
    expectCleanError(await run('options.architecture = "no_such_arch"\n'), /no_such_arch/);
  });
  test('missing config file and bad flags', async () => {
    expectCleanError(await gan('train', '--gin_config', path.join(dir, 'nope.gin'), '--model_dir', dir), /does not exist/);
    expectCleanError(await gan('train', '--gin_config', writeGin(dir, 'ok.gin', TINY_GIN)), /--model_dir is required/);
    const r = await gan('train', '--schedule', 'sometimes');
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/Allowed choices are train, eval_after_train, continuous_eval/);
  });
  test('nothing was created by the failed runs', () => {
    expect(fs.existsSync(path.join(dir, 'never'))).toBe(false);
  });
});

test('a model_dir holding a run with a different config is refused unless --force', async () => {
  const dir = tmpdir('mismatch');
  const model = path.join(dir, 'run');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 2'));
  const before = listing(model);
  const r = await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 2', '--gin_bindings', 'ModularGAN.g_lr = 0.5');
  expectCleanError(r, /holds a run with a different config \(modular_gan.ModularGAN.g_lr: 0.01 -> 0.5\)[\s\S]*--force/);
  expect(listing(model)).toEqual(before);
  const forced = expectOk(await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 4', '--gin_bindings', 'ModularGAN.g_lr = 0.5', '--force'));
  expect(forced.err).toMatch(/resuming from .*step 2/);
  const runJson = JSON.parse(fs.readFileSync(path.join(model, 'run.json'), 'utf8'));
  expect(runJson.history).toHaveLength(1);
  expect(runJson.history[0].step).toBe(2);
  expect(fs.existsSync(path.join(model, 'operative_config-2.gin'))).toBe(true);
  expect(fs.existsSync(path.join(model, 'operative_config-0.gin'))).toBe(true);
});

test('a damaged newest checkpoint is named and the previous good one is used', async () => {
  const dir = tmpdir('corrupt');
  const model = path.join(dir, 'run');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 4'));
  const bad = path.join(model, 'checkpoints/ckpt-000000004/weights.bin');
  const bytes = fs.readFileSync(bad);
  bytes[10] ^= 0xff;
  fs.writeFileSync(bad, bytes);
  // A leftover temporary folder from a killed save is ignored too.
  fs.mkdirSync(path.join(model, 'checkpoints/.tmp-ckpt-000000006-999'));
  const r = expectOk(await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 4'));
  expect(r.err).toMatch(/Checkpoint file .*ckpt-000000004\/weights.bin is damaged: its SHA-256 does not match the manifest/);
  expect(r.err).toMatch(/resuming from .*ckpt-000000002 \(step 2\)/);
  // Every checkpoint damaged: a clear error, nothing deleted.
  for (const c of fs.readdirSync(path.join(model, 'checkpoints'))) {
    if (c.startsWith('ckpt-')) fs.writeFileSync(path.join(model, 'checkpoints', c, 'manifest.json'), '{ torn');
  }
  const before = listing(model);
  const r2 = await gan('train', '--gin_config', gin, '--model_dir', model, '--gin_bindings', 'options.training_steps = 4');
  expectCleanError(r2, /Every checkpoint in .* is damaged: .*manifest.json is damaged: it is not valid JSON/);
  expect(listing(model)).toEqual(before);
});

test('a NaN loss stops training naming the step and the loss; the last good checkpoint stays', async () => {
  const dir = tmpdir('nan');
  const model = path.join(dir, 'run');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN.replace('@ModularGAN', '@DivergingTestGAN') + 'DivergingTestGAN.nan_step = 3\n');
  const r = await gan('train', '--gin_config', gin, '--model_dir', model);
  expectCleanError(r, /Training diverged at step 3: 'g_loss' is NaN\. Training stopped; the last good checkpoint \(.*ckpt-000000002\) is kept\./);
  expect(r.code).toBe(3);
  expect(fs.readdirSync(path.join(model, 'checkpoints'))).toEqual(['ckpt-000000002']);
  expect(fs.existsSync(path.join(model, 'report.html'))).toBe(true);
});
