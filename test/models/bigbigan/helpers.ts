import * as tf from '@tensorflow/tfjs-core';
import { parseConfig } from '@cgan/config-lang';
import { BigBiGAN, Batch, DatasetInfo, getOptions, Rng, VariableStore } from '@cgan/models';

export const info8: DatasetInfo = { name: 'tiny8', imageShape: [8, 8, 1], numClasses: 3, numExamples: { train: 64, test: 16 } };

/** A small BigBiGAN on dcgan_arch (any resolution) with a narrow encoder and joint heads. */
export const TINY_GIN = `
options.gan_class = @BigBiGAN
options.architecture = "dcgan_arch"
options.batch_size = 4
options.training_steps = 10
options.z_dim = 6
dcgan.Generator.gf_dim = 4
dcgan.Discriminator.df_dim = 4
encoder.ch = 4
encoder.mlp_units = 8
BigBiGAN.mlp_units = 8
loss.fn = @hinge
penalty.fn = @no_penalty
z.distribution_fn = @tf.random.normal
`;

const live: Array<{ gan: BigBiGAN; store: VariableStore }> = [];

/** Disposes every GAN buildBigBiGAN made (call in afterEach, so a failed test does not leak variable names). */
export function disposeAll(): void {
  for (const { gan, store } of live.splice(0)) disposeGan(gan, store);
}

export function buildBigBiGAN(extra = '', datasetInfo: DatasetInfo = info8, seed = 1): { gan: BigBiGAN; store: VariableStore } {
  parseConfig(TINY_GIN + extra);
  const Gan = getOptions().gan_class as new (kw: object) => BigBiGAN;
  const store = new VariableStore();
  try {
    const gan = new Gan({ datasetInfo, store, rng: new Rng(seed) });
    live.push({ gan, store });
    gan.build();
    return { gan, store };
  } catch (e) {
    store.dispose();
    throw e;
  }
}

export function randomBatch(bs: number, seed: number, shape: [number, number, number] = info8.imageShape): Batch {
  return {
    images: tf.randomUniform([bs, ...shape], 0, 1, 'float32', seed) as tf.Tensor4D,
    labels: tf.tensor1d(Array.from({ length: bs }, (_, i) => i % 3), 'int32'),
    labelled: tf.ones([bs]) as tf.Tensor1D,
  };
}

export function disposeBatch(b: Batch): void {
  tf.dispose([b.images, b.labels, b.labelled]);
}

export function disposeGan(gan: BigBiGAN, store: VariableStore): void {
  const i = live.findIndex((e) => e.gan === gan);
  if (i >= 0) live.splice(i, 1);
  gan.gOptimizer.dispose();
  gan.dOptimizer.dispose();
  gan.eOptimizer.dispose();
  store.dispose();
}

export const snapshot = (vars: tf.Variable[]) => vars.map((v) => Array.from(v.dataSync()));

/** Sum of |g| over the gradients of the variables whose name starts with `prefix`. */
export function gradMass(grads: tf.NamedTensorMap, prefix: string): number {
  let s = 0;
  let n = 0;
  for (const [name, g] of Object.entries(grads)) {
    if (!name.startsWith(prefix)) continue;
    n++;
    s += tf.tidy(() => tf.sum(tf.abs(g)).dataSync()[0]);
  }
  if (n === 0) throw new Error(`no gradients for variables under '${prefix}'`);
  return s;
}
