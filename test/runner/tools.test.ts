import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs-core';
import { setEvaluator } from '../../packages/runner/src/evaluation';
import { expectOk, gan, tmpdir, TINY_GIN, writeGin } from './fixtures';

jest.setTimeout(120000);

const dir = tmpdir('tools');
const gin = writeGin(dir, 'tiny.gin', TINY_GIN);
const a = path.join(dir, 'a');
const b = path.join(dir, 'b');

beforeAll(async () => {
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', a, '--gin_bindings', 'options.training_steps = 2'));
  expectOk(await gan('train', '--gin_config', gin, '--model_dir', b, '--gin_bindings', 'options.training_steps = 2', '--gin_bindings', 'ModularGAN.g_lr = 0.02', '--gin_bindings', 'options.z_dim = 5'));
});

test('gan diff shows exactly the differing bindings', async () => {
  const r = expectOk(await gan('diff', a, b));
  expect(r.out).toMatch(/2 differing bindings/);
  expect(r.out).toMatch(/modular_gan\.ModularGAN\.g_lr\s+0\.01\s+->\s+0\.02/);
  expect(r.out).toMatch(/runner_lib\.options\.z_dim\s+3\s+->\s+5/);
  expect(r.out).not.toMatch(/batch_size/);
  const same = expectOk(await gan('diff', a, a));
  expect(same.out).toMatch(/have the same bindings/);
  // A run against its own operative config (defaults spelled out): the same.
  expect(expectOk(await gan('diff', a, path.join(a, 'operative_config-0.gin'))).out).toMatch(/same bindings/);
  const bad = await gan('diff', a, path.join(dir, 'missing'));
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/does not exist/);
});

test('gan sample writes a grid of n samples from a checkpoint, deterministic per seed', async () => {
  const out1 = path.join(dir, 'g1.png');
  const out2 = path.join(dir, 'g2.png');
  const out3 = path.join(dir, 'g3.png');
  const r = expectOk(await gan('sample', '--checkpoint', path.join(a, 'checkpoints/ckpt-000000002'), '--n', '9', '--out', out1));
  expect(r.out).toMatch(/9 samples from .*ckpt-000000002 \(step 2\)/);
  const png = PNG.sync.read(fs.readFileSync(out1));
  // 3x3 tiles of 8px upscaled x7 (56px) with 1px gaps
  expect(png.width).toBe(3 * 57 + 1);
  expectOk(await gan('sample', '--checkpoint', a, '--n', '9', '--out', out2));
  expect(fs.readFileSync(out1).equals(fs.readFileSync(out2))).toBe(true);
  expectOk(await gan('sample', '--checkpoint', a, '--n', '9', '--out', out3, '--seed', '7'));
  expect(fs.readFileSync(out1).equals(fs.readFileSync(out3))).toBe(false);
  const bad = await gan('sample', '--checkpoint', path.join(dir, 'nothing'), '--out', out3);
  expect(bad.code).toBe(1);
  expect(bad.err).not.toMatch(/internal error/);
});

test('gan eval evaluates each checkpoint once through the evaluation hook', async () => {
  // The library's evaluator (FID etc. on a domain classifier): succeeds, or fails cleanly when no
  // classifier has been trained for 'shapes' on this machine.
  const real = await gan('eval', '--model_dir', a);
  expect(real.err).not.toMatch(/internal error/);
  if (real.code !== 0) expect(real.err).toMatch(/Evaluation at step 2 failed: .*\n  hint: /);
  fs.rmSync(path.join(a, 'eval.jsonl'), { force: true });
  const seen: number[] = [];
  setEvaluator(async (ctx) => {
    seen.push(ctx.step);
    const x = ctx.gan.sample(ctx.gan.sampleZ(4), null);
    const mean = (await tf.mean(x).data())[0];
    x.dispose();
    return { mean_pixel: mean };
  });
  try {
    const r = expectOk(await gan('eval', '--model_dir', a));
    expect(r.out).toMatch(/step 2: mean_pixel=/);
    expect(seen).toEqual([2]);
    const again = expectOk(await gan('eval', '--model_dir', a));
    expect(again.out).toMatch(/nothing to evaluate/);
    const lines = fs.readFileSync(path.join(a, 'eval.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(fs.readFileSync(path.join(a, 'report.html'), 'utf8')).toMatch(/Evaluation metrics[\s\S]*mean_pixel/);
    // eval_after_train schedule
    const c = path.join(dir, 'c');
    expectOk(await gan('train', '--gin_config', gin, '--model_dir', c, '--gin_bindings', 'options.training_steps = 2', '--schedule', 'eval_after_train'));
    expect(fs.readFileSync(path.join(c, 'eval.jsonl'), 'utf8').trim().split('\n')).toHaveLength(1);
    // continuous_eval every step
    const d = path.join(dir, 'd');
    expectOk(await gan('train', '--gin_config', gin, '--model_dir', d, '--gin_bindings', 'options.training_steps = 2', '--schedule', 'continuous_eval', '--eval_every_steps', '1'));
    expect(fs.readFileSync(path.join(d, 'eval.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
  } finally {
    setEvaluator(null);
  }
});
