/**
 * The small ones of issue 18: gan diff shows values (defaults included) and the schedule; sample
 * lists the checkpoints a run has; --search_path spelled as every flag (--search-path an alias);
 * `| head` ends quietly; a requested stop is no error; train-classifier shows an ETA and saves
 * what it trained when interrupted.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { RunError } from '@cgan/runner';
import { trainClassifierCommand } from '../../packages/runner/src/commands/train_classifier';
import { formatError } from '../../packages/runner/src/errors';
import { expectOk, gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(180000);

const ROOT = path.resolve(__dirname, '../..');
const bin = path.join(ROOT, 'packages/runner/bin/gan.js');
const dir = tmpdir('small');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('gan diff shows default values, treats equal numbers as equal, includes the schedule', async () => {
  const a = writeGin(dir, 'a.gin', TINY_GIN + 'ModularGAN.d_lr = 1e-05\n');
  const b = writeGin(dir, 'b.gin', TINY_GIN.replace('ModularGAN.g_lr = 0.01\n', '') + "ModularGAN.d_lr = 0.00001\nrun_config.schedule = 'eval_after_train'\n");
  const r = expectOk(await gan('diff', a, b));
  expect(r.out).toMatch(/2 differing bindings/);
  expect(r.out).toMatch(/ModularGAN\.g_lr\s+0\.01\s+->\s+0\.0002 \(default\)/);
  expect(r.out).toMatch(/run_config\.schedule\s+"train" \(default\)\s+->\s+"eval_after_train"/);
  expect(r.out).not.toMatch(/d_lr/);
});

test('sample --checkpoint of a missing checkpoint lists those the run has', async () => {
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  const run = path.join(dir, 'run');
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', run, '--gin_bindings', 'options.training_steps = 4', '--quiet'));
  const r = await gan('sample', '--checkpoint', path.join(run, 'checkpoints', 'ckpt-100'), '--out', path.join(dir, 's.png'));
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/Checkpoint '.*ckpt-100' does not exist\.\n  hint: .* has: ckpt-0+2, ckpt-0+4 \(pass one of them/);
});

test('an operative config round-trips: it records the evaluation and schedule, and rereading it warns about nothing', async () => {
  const run = path.join(dir, 'run');
  const op = fs.readFileSync(path.join(run, 'operative_config-0.gin'), 'utf8');
  expect(op).toMatch(/metrics\.evaluation\.num_samples = 10000/);
  expect(op).toMatch(/run_config\.schedule = 'train'/);
  expect(op).toMatch(/run_config\.iterations_per_loop = 1000/);
  const again = expectOk(await gan('train', '--gin_config', path.join(run, 'operative_config-0.gin'), '--model_dir', path.join(dir, 'again'), '--gin_bindings', 'options.training_steps = 1'));
  expect(again.err).not.toMatch(/warning/);
  // Same run config: gan diff sees no difference but the step count.
  expect(expectOk(await gan('diff', run, path.join(dir, 'again'))).out).toMatch(/1 differing binding[\s\S]*training_steps\s+4\s+->\s+1/);
});

test('--search_path and its alias --search-path; `| head` ends without an EPIPE trace', () => {
  fs.mkdirSync(path.join(dir, 'inc'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'inc', 'base.gin'), Array.from({ length: 12000 }, (_, i) => `M${i} = ${i}`).join('\n') + '\n');
  fs.writeFileSync(path.join(dir, 'main.gin'), "include 'base.gin'\n");
  for (const flag of ['--search_path', '--search-path']) {
    const r = spawnSync(process.execPath, [bin, 'config', 'parse', 'main.gin', flag, 'inc'], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^M0 = 0$/m);
  }
  const piped = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" config parse main.gin --search_path inc | head -1`], { cwd: dir, encoding: 'utf8' });
  expect(piped.stdout.trim()).toBe("include 'base.gin'");
  expect(piped.stderr).not.toMatch(/EPIPE|at /);
});

test('a requested stop (exit code 130) is printed as a stop, not an error', () => {
  expect(formatError(new RunError('Stopped by SIGINT at step 3 of 10; checkpoint ckpt-3 written.', 'rerun the same command to resume', 130))).toMatch(/^stopped: Stopped by SIGINT/);
  expect(formatError(new RunError('bad'))).toBe('error: bad');
});

test('train-classifier shows an ETA and, on Ctrl-C, saves what it trained', async () => {
  const out = path.join(dir, 'clf');
  let err = '';
  const io = {
    out: () => undefined,
    err: (s: string) => {
      err += s;
      if (/epoch 1\/2 step 16\/16/.test(s)) process.emit('SIGINT', 'SIGINT');
    },
    progressStream: process.stderr,
  };
  const p = trainClassifierCommand(
    { dataset: 'shapes', out, epochs: 2, trainExamples: 64, testExamples: 16, batchSize: 4, learningRate: 0.001, convFilters: [4], denseUnits: 8, seed: 1, backend: 'cpu', handleSignals: true },
    io,
  );
  await expect(p).rejects.toThrow(/Stopped by SIGINT after 16 of 32 steps; the partly trained classifier was saved/);
  expect(err).toMatch(/epoch 1\/2 step 16\/16 loss [\d.]+ ETA \d+/);
  const meta = JSON.parse(fs.readFileSync(path.join(out, 'classifier.json'), 'utf8'));
  expect(meta.interrupted).toEqual({ steps: 16, of: 32 });
  expect(process.listenerCount('SIGINT')).toBe(0);
});
