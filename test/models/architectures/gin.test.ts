/** compare_gan's Gin lines for the architecture configure this port unchanged. */
import * as tf from '@tensorflow/tfjs-core';
import { config, getConfigurable, parseConfig } from '@cgan/config-lang';
import { ArchitectureFactory, buildArchitecture } from '../../../packages/models/src/architectures';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { allFinite, oneHot, useCpu } from './helpers';

beforeAll(useCpu);
afterEach(() => config.clear());

test('the architecture part of example_configs/biggan_imagenet128.gin (with a tiny ch)', () => {
  parseConfig(`
weights.initializer = "orthogonal"
spectral_norm.singular_value = "auto"

# Generator
G.batch_norm_fn = @conditional_batch_norm
G.spectral_norm = True
resnet_biggan.Generator.hierarchical_z = True
resnet_biggan.Generator.embed_y = True
standardize_batch.decay = 0.9
standardize_batch.epsilon = 1e-5
standardize_batch.use_moving_averages = False

# Discriminator
D.spectral_norm = True
resnet_biggan.Discriminator.project_y = True

# Small enough for a cpu test.
resnet_biggan.Generator.ch = 2
resnet_biggan.Discriminator.ch = 2
resnet_biggan.Generator.blocks_with_attention = "B2"
`);
  const store = new VariableStore();
  try {
    const a = buildArchitecture('resnet_biggan_arch', { store, imageShape: [32, 32, 3], numClasses: 4, zDim: 8, conditional: true, rng: new Rng(3) });
    const y = oneHot([0, 3], 4);
    const img = a.generator.apply(tf.randomNormal([2, 8], 0, 1, 'float32', 1) as tf.Tensor2D, y, true);
    const d = a.discriminator.apply(img, y, true);
    expect(img.shape).toEqual([2, 32, 32, 3]);
    expect(allFinite(d.logits)).toBe(true);
    const names = [...store.all().keys()];
    expect(names).toContain('generator/B1/bn1/accu/accu_mean'); // use_moving_averages = False
    expect(names).toContain('generator/B1/bn1/condition/gamma/kernel/u_var'); // G.spectral_norm reaches CBN
    expect(names).toContain('generator/non_local_block/sigma');
    expect(names).toContain('discriminator/embedding_fc/kernel/u_var');
    // weights.initializer = "orthogonal": fc_noise's kernel [2, 8*16] has orthonormal rows.
    const k = store.all().get('generator/fc_noise/kernel')!;
    const gram = tf.matMul(k, k, false, true).arraySync() as number[][];
    expect(gram[0][0]).toBeCloseTo(1, 4);
    expect(gram[0][1]).toBeCloseTo(0, 4);
    // singular_value = "auto" keeps the smaller vector: u = [2, 1] (left) for the [2, 128] kernel.
    expect(store.all().get('generator/fc_noise/kernel/u_var')!.shape).toEqual([2, 1]);
  } finally {
    store.dispose();
  }
});

test('options.architecture names resolve through the registry, also as references', () => {
  parseConfig(`
dcgan.Generator.gf_dim = 2
dcgan.Discriminator.df_dim = 2
G.batch_norm_fn = @batch_norm
standardize_batch.decay = 0.9
`);
  const store = new VariableStore();
  try {
    const a = buildArchitecture('dcgan_arch', { store, imageShape: [28, 28, 1], numClasses: 10, zDim: 4, conditional: false });
    expect(a.generator.apply(tf.ones([2, 4]) as tf.Tensor2D, null, true).shape).toEqual([2, 28, 28, 1]);
    expect(store.all().get('generator/g_fc1/kernel')!.shape).toEqual([4, 2 * 8 * 2 * 2]);
  } finally {
    store.dispose();
  }
  // `options.architecture = @dcgan_arch`: the factory is a configurable too.
  const ref = getConfigurable('dcgan_arch') as ArchitectureFactory;
  const store2 = new VariableStore();
  try {
    const a = buildArchitecture(ref, { store: store2, imageShape: [28, 28, 1], numClasses: 10, zDim: 4, conditional: false });
    expect(a.discriminator.apply(tf.zeros([2, 28, 28, 1]) as tf.Tensor4D, null, false).logits.shape).toEqual([2, 1]);
  } finally {
    store2.dispose();
  }
});
