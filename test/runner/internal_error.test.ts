/**
 * An unexpected exception (a bug) reaches the user as one paragraph: what failed, in which
 * component, the bindings that chose the components, and how to report it; the stack only
 * with GAN_DEBUG=1.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable } from '@cgan/config-lang';
import type { Architecture, ArchitectureOptions } from '@cgan/models';
import { errorComponent, formatError } from '../../packages/runner/src/errors';
import { gan, TINY_GIN, tmpdir, writeGin } from './fixtures';

// A D that fails the way a bug does (a TypeError from deep inside a training step).
configurable('runner_buggy_arch', { params: {} }, (o: ArchitectureOptions): Architecture => ({
  generator: { name: 'generator', imageShape: o.imageShape, apply: (z) => tf.zeros([z.shape[0], ...o.imageShape]) as tf.Tensor4D },
  discriminator: {
    name: 'discriminator',
    apply: () => {
      const missing = undefined as unknown as { shape: number[] };
      return { logits: tf.zeros([1, 1]), probs: tf.zeros([1, 1]), features: tf.zeros([1, missing.shape[0]]) } as never;
    },
  },
}));

const STACK = `TypeError: Cannot read properties of undefined (reading 'shape')
    at apply (/x/packages/models/dist/gans/modular_gan.js:251:37)
    at Engine.scopedRun (/x/node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js:4572:23)`;

test('errorComponent names the innermost frame of this project', () => {
  expect(errorComponent(STACK)).toBe('@cgan/models gans/modular_gan.js:251');
  const tfFirst = STACK.split('\n');
  expect(errorComponent([tfFirst[0], tfFirst[2], tfFirst[1]].join('\n'))).toBe('@cgan/models gans/modular_gan.js:251, calling @tensorflow/tfjs-core');
});

test('formatError: one paragraph for a bug, the stack only under GAN_DEBUG', () => {
  const e = new TypeError("Cannot read properties of undefined (reading 'shape')");
  e.stack = STACK;
  const saved = process.env.GAN_DEBUG;
  delete process.env.GAN_DEBUG;
  try {
    const text = formatError(e, { bindings: { 'options.architecture': '"resnet_cifar_arch"', 'penalty.fn': '@wgangp_penalty', 'options.batch_size': '4' } });
    expect(text).not.toContain('\n');
    expect(text).toMatch(/^internal error .*reading 'shape'.*@cgan\/models gans\/modular_gan\.js:251.*options\.architecture = "resnet_cifar_arch", penalty\.fn = @wgangp_penalty\..*report.*GAN_DEBUG=1/);
    expect(text).not.toContain('batch_size');
    process.env.GAN_DEBUG = '1';
    expect(formatError(e)).toContain('\n    at apply (');
  } finally {
    if (saved === undefined) delete process.env.GAN_DEBUG;
    else process.env.GAN_DEBUG = saved;
  }
});

test('gan train: a bug inside a training step prints one paragraph, exit code 1', async () => {
  const dir = tmpdir('bug');
  const cfg = writeGin(dir, 'bug.gin', TINY_GIN.replace('options.architecture = "runner_test_arch"', 'options.architecture = @runner_buggy_arch'));
  const saved = process.env.GAN_DEBUG;
  delete process.env.GAN_DEBUG;
  try {
    const r = await gan('train', '--gin_config', cfg, '--model_dir', `${dir}/run`, '--quiet');
    expect(r.code).toBe(1);
    const line = r.err.trim().split('\n').pop()!;
    expect(line).toMatch(/^internal error .*reading 'shape'/);
    expect(line).toContain('options.architecture = @runner_buggy_arch');
    expect(r.err).not.toMatch(/\n\s+at /);
  } finally {
    if (saved !== undefined) process.env.GAN_DEBUG = saved;
  }
});
