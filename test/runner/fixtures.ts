/**
 * Test fixtures for the runner: a tiny architecture (one dense layer each for G and D) so that
 * runner tests take seconds, small Gin configs, and an in-process CLI.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs-core';
import { configurable } from '@cgan/config-lang';
import { ModularGAN } from '@cgan/models';
import type { Architecture, ArchitectureOptions, Batch, GanVariant, VariableStore } from '@cgan/models';
import { main } from '@cgan/runner';
import type { Io } from '../../packages/runner/src/io';

function dense(store: VariableStore, x: tf.Tensor2D, units: number, name: string, seed: number): tf.Tensor2D {
  return store.scope(name, () => {
    const w = store.get('kernel', [x.shape[1], units], (s) => tf.randomNormal(s, 0, 0.05, 'float32', seed));
    const b = store.get('bias', [units], (s) => tf.zeros(s));
    return tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
  });
}

/** A one-layer G and D: enough to exercise every part of the runner. */
export const runnerTestArch = configurable('runner_test_arch', { params: {} }, (o: ArchitectureOptions): Architecture => {
  const [h, w, c] = o.imageShape;
  const { store } = o;
  return {
    generator: {
      name: 'generator',
      imageShape: o.imageShape,
      apply: (z, y) =>
        store.scope('generator', () => {
          const inp = y ? (tf.concat([z, y], 1) as tf.Tensor2D) : z;
          return tf.reshape(tf.sigmoid(dense(store, inp, h * w * c, 'fc', 1)), [-1, h, w, c]) as tf.Tensor4D;
        }),
    },
    discriminator: {
      name: 'discriminator',
      apply: (x, y) =>
        store.scope('discriminator', () => {
          const flat = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
          const features = tf.relu(dense(store, y ? (tf.concat([flat, y], 1) as tf.Tensor2D) : flat, 8, 'fc1', 2)) as tf.Tensor2D;
          const logits = dense(store, features, 1, 'fc2', 3);
          return { logits, probs: tf.sigmoid(logits) as tf.Tensor2D, features };
        }),
    },
  };
});

export const TINY_GIN = `
runtime.backend = "cpu"
runtime.seed = 1
dataset.name = "shapes"
dataset.resolution = 8
dataset.num_train_examples = 64
dataset.num_test_examples = 16
options.gan_class = @ModularGAN
options.architecture = "runner_test_arch"
options.batch_size = 4
options.training_steps = 6
options.z_dim = 3
options.disc_iters = 1
run_config.save_checkpoints_steps = 2
run_config.keep_checkpoint_max = 2
run_config.num_samples = 4
loss.fn = @non_saturating
ModularGAN.g_lr = 0.01
`;

export function tmpdir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cgan-runner-${tag}-`));
}

export function writeGin(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `gan ...args` in-process with captured output. */
export async function gan(...args: string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: Io = {
    out: (s) => {
      out += s;
    },
    err: (s) => {
      err += s;
    },
    progressStream: process.stderr,
  };
  const saved = process.exitCode;
  process.exitCode = undefined;
  const code = await main(['node', 'gan', ...args], io);
  process.exitCode = saved;
  return { code, out, err };
}

/** Asserts exit code 0, showing stderr when not. */
export function expectOk(r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`gan exited ${r.code}:\n${r.err}`);
  return r;
}

/**
 * A GAN variant defined only here, to show that any configurable class is selectable through
 * options.gan_class, and to make a loss diverge on purpose at `nan_step`.
 */
@configurable('DivergingTestGAN', { params: { nan_step: 3 } })
export class DivergingTestGAN extends (ModularGAN as unknown as new (kw: object) => GanVariant) {
  private nanStep: number;
  constructor(kw: { nan_step: number }) {
    super(kw);
    this.nanStep = kw.nan_step;
  }
  trainStep(batches: Batch[], step: number): Record<string, number> {
    const out = super.trainStep(batches, step);
    return step + 1 >= this.nanStep ? { ...out, g_loss: NaN } : out;
  }
}
