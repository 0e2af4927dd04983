import * as fs from 'fs';
import * as path from 'path';
import { trainCommand } from '../../packages/runner/src/commands/train';
import { deterministicView, readJsonl } from '../../packages/runner/src/run/metrics_log';
import { expectOk, gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(120000);

const weights = (model: string, step: number) => fs.readFileSync(path.join(model, `checkpoints/ckpt-${String(step).padStart(9, '0')}/weights.bin`));
const metrics = (model: string) => deterministicView(readJsonl(path.join(model, 'metrics.jsonl')) as any);
const quietIo = { out: () => undefined, err: () => undefined, progressStream: process.stderr };

test('same config and seed twice: bit-identical weights and metrics.jsonl (wall-clock fields excluded)', async () => {
  const dir = tmpdir('repro');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  const a = path.join(dir, 'a');
  const b = path.join(dir, 'b');
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', a));
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', b));
  expect(weights(a, 6).equals(weights(b, 6))).toBe(true);
  expect(metrics(a)).toEqual(metrics(b));
  expect(fs.readFileSync(path.join(a, 'samples/step-6.png')).equals(fs.readFileSync(path.join(b, 'samples/step-6.png')))).toBe(true);
  // A different seed gives different weights (the comparison above can fail).
  const c = path.join(dir, 'c');
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', c, '--gin_bindings', 'dataset.seed = 5'));
  expect(weights(a, 6).equals(weights(c, 6))).toBe(false);
});

test('a run killed mid-way resumes from its checkpoint and ends bit-identical to an uninterrupted one', async () => {
  const dir = tmpdir('resume');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  const full = path.join(dir, 'full');
  const cut = path.join(dir, 'cut');
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', full));
  const flags = { model_dir: cut, gin_config: [gin], gin_bindings: [], schedule: 'train' as const, eval_every_steps: 1 };
  await expect(
    trainCommand(flags, quietIo, {
      afterStep: (s) => {
        if (s === 3) throw new Error('simulated kill after step 3');
      },
    }),
  ).rejects.toThrow('simulated kill');
  expect(fs.readdirSync(path.join(cut, 'checkpoints'))).toEqual(['ckpt-000000002']);
  expect(readJsonl(path.join(cut, 'metrics.jsonl')).length).toBe(3);
  const r = await gan('train', '--gin_config', gin, '--model_dir', cut);
  expect(r.code).toBe(0);
  expect(r.err).toMatch(/resuming from .*ckpt-000000002 \(step 2\)/);
  expect(r.err).toMatch(/step 2 -> 6/);
  expect(metrics(cut).map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6]);
  expect(metrics(cut)).toEqual(metrics(full));
  expect(weights(cut, 6).equals(weights(full, 6))).toBe(true);
  // Running again when done: nothing to train, nothing lost.
  const again = await gan('train', '--gin_config', gin, '--model_dir', cut);
  expect(again.code).toBe(0);
  expect(again.err).toMatch(/already at step 6/);
  // The operative config reruns the run exactly.
  const rerun = path.join(dir, 'rerun');
  const op = path.join(full, 'operative_config-0.gin');
  const r2 = await gan('train', '--gin_config', op, '--model_dir', rerun);
  expect(r2.err).not.toMatch(/error/);
  expect(weights(rerun, 6).equals(weights(full, 6))).toBe(true);
  // and the operative config of the rerun is the same text
  expect(fs.readFileSync(path.join(rerun, 'operative_config-0.gin'), 'utf8')).toBe(fs.readFileSync(op, 'utf8'));
  // and it counts as the same config for that model_dir
  expectOk(await gan('train', '--gin_config', op, '--model_dir', full));
});

test('without runtime.seed a seed is drawn, recorded, reused on resume and replayed by the operative config', async () => {
  const dir = tmpdir('seed');
  const gin = writeGin(dir, 'noseed.gin', TINY_GIN.replace('runtime.seed = 1\n', ''));
  const model = path.join(dir, 'run');
  const flags = { model_dir: model, gin_config: [gin], gin_bindings: [], schedule: 'train' as const, eval_every_steps: 1 };
  await expect(
    trainCommand(flags, quietIo, {
      afterStep: (s) => {
        if (s === 3) throw new Error('simulated kill after step 3');
      },
    }),
  ).rejects.toThrow('simulated kill');
  const seed = JSON.parse(fs.readFileSync(path.join(model, 'run.json'), 'utf8')).seed;
  expect(fs.readFileSync(path.join(model, 'operative_config-0.gin'), 'utf8')).toMatch(new RegExp(`runtime.seed = ${seed}\\b`));
  const r = expectOk(await gan('train', '--gin_config', gin, '--model_dir', model));
  expect(r.err).toMatch(new RegExp(`runtime.seed = ${seed}`));
  expect(r.err).toMatch(/resuming from/);
  const replay = path.join(dir, 'replay');
  expectOk(await gan('train', '--gin_config', path.join(model, 'operative_config-0.gin'), '--model_dir', replay));
  expect(weights(replay, 6).equals(weights(model, 6))).toBe(true);
});
