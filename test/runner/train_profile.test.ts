/** `gan train --profile N`: after 2 warm-up steps, where N steps went; training is unchanged. */
import * as fs from 'fs';
import * as path from 'path';
import { gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(120000);

test('--profile 2 prints the kernel table once and the run still trains every step', async () => {
  const dir = tmpdir('profile');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  const model = path.join(dir, 'run');
  const r = await gan('train', '--gin_config', gin, '--model_dir', model, '--profile', '2');
  expect(r.code).toBe(0);
  expect(r.err.match(/profile over 2 steps: [\d.]+ ms\/step/g)).toHaveLength(1);
  expect(r.err).toMatch(/CPU time [\d.]+ ms\/step/);
  expect(r.err).toMatch(/conv\/matMul: [\d.]+ GFLOP\/step/);
  expect(r.err).toMatch(/^\s+(Conv2D|BatchMatMul|_FusedMatMul|FusedConv2D)\s/m);
  const metrics = fs.readFileSync(path.join(model, 'metrics.jsonl'), 'utf8').trim().split('\n');
  expect(metrics).toHaveLength(6);
});

test('--profile rejects a non-positive step count', async () => {
  const dir = tmpdir('profile-bad');
  const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
  const r = await gan('train', '--gin_config', gin, '--model_dir', path.join(dir, 'run'), '--profile', '0');
  expect(r.code).not.toBe(0);
  expect(r.err).toMatch(/--profile must be a positive integer/);
});
