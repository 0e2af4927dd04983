/** The G and D configurables, conditioning, BigGAN's options, resolutions and their errors. */
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { buildArchitecture, Architecture } from '../../../packages/models/src/architectures';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { allFinite, bind, oneHot, useCpu } from './helpers';

beforeAll(useCpu);
afterEach(() => config.clear());

type Shape = [number, number, number];

function withArch(name: string, imageShape: Shape, conditional: boolean, fn: (a: Architecture, store: VariableStore) => void, zDim = 8, seed = 1): void {
  const store = new VariableStore();
  try {
    fn(buildArchitecture(name, { store, imageShape, numClasses: 3, zDim, conditional, rng: new Rng(seed) }), store);
  } finally {
    store.dispose();
  }
}

function tiny(): void {
  bind('dcgan.Generator', 'gf_dim', 2);
  bind('dcgan.Discriminator', 'df_dim', 2);
  bind('resnet_cifar.Generator', 'ch', 4);
  bind('resnet_cifar.Discriminator', 'ch', 4);
  bind('resnet_biggan.Generator', 'ch', 1);
  bind('resnet_biggan.Discriminator', 'ch', 1);
}

const z8 = () => tf.randomNormal([2, 8], 0, 1, 'float32', 11) as tf.Tensor2D;
const names = (store: VariableStore) => [...store.all().keys()];

/** Runs G then D once (creating every variable). */
function run(a: Architecture, y: tf.Tensor2D | null, z = z8()): tf.Tensor4D {
  const img = a.generator.apply(z, y, true);
  a.discriminator.apply(img, y, true);
  return img;
}

test('G.spectral_norm and D.spectral_norm choose where spectral norm applies', () => {
  tiny();
  bind('G', 'spectral_norm', true);
  withArch('resnet_cifar_arch', [32, 32, 3], false, (a, store) => {
    run(a, null);
    expect(names(store).filter((n) => n.startsWith('generator/') && n.endsWith('u_var')).length).toBeGreaterThan(5);
    expect(names(store).some((n) => n.startsWith('discriminator/') && n.endsWith('u_var'))).toBe(false);
  });
  config.clear();
  tiny();
  bind('D', 'spectral_norm', true);
  withArch('dcgan_arch', [32, 32, 3], false, (a, store) => {
    run(a, null);
    expect(names(store).some((n) => n.startsWith('generator/') && n.endsWith('u_var'))).toBe(false);
    expect(names(store).filter((n) => n.startsWith('discriminator/') && n.endsWith('u_var')).length).toBe(5);
  });
});

test('G.batch_norm_fn: None means no normalization; unconditional @batch_norm; @self_modulated_batch_norm', () => {
  tiny();
  withArch('dcgan_arch', [32, 32, 3], false, (a, store) => {
    run(a, null);
    expect(names(store).some((n) => n.includes('g_bn'))).toBe(false);
  });
  bind('G', 'batch_norm_fn', { ref: 'batch_norm' });
  withArch('dcgan_arch', [32, 32, 3], false, (a, store) => {
    run(a, null);
    expect(names(store)).toContain('generator/g_bn1/gamma');
    expect(names(store)).toContain('generator/g_bn1/moving_mean');
  });
  bind('G', 'batch_norm_fn', { ref: 'self_modulated_batch_norm' });
  withArch('resnet_cifar_arch', [32, 32, 3], false, (a, store) => {
    run(a, null);
    expect(names(store)).toContain('generator/B1/bn1/sbn/hidden/kernel');
  });
  // G takes labels only through its normalization: a conditional G with a label-blind one is refused.
  expect(() => withArch('resnet_cifar_arch', [32, 32, 3], true, () => undefined)).toThrow(/G\.batch_norm_fn = @self_modulated_batch_norm ignores class labels/);
});

test('a conditional GAN gets class-conditional batch norm in G and a projection D', () => {
  tiny();
  bind('G', 'batch_norm_fn', { ref: 'batch_norm' });
  withArch('dcgan_arch', [32, 32, 3], true, (a, store) => {
    const z = z8();
    const y1 = oneHot([0, 1], 3);
    const y2 = oneHot([2, 1], 3);
    run(a, y1, z);
    expect(names(store)).toContain('generator/g_bn1/condition/gamma/kernel');
    expect(names(store)).toContain('discriminator/embedding_fc/kernel');
    // The labels change the images (example 0 changed class; in inference, example 1 did not).
    const i1 = a.generator.apply(z, y1, false);
    const i2 = a.generator.apply(z, y2, false);
    const diff = tf.abs(tf.sub(i1, i2));
    expect(tf.max(tf.slice(diff, [0, 0, 0, 0], [1, -1, -1, -1])).dataSync()[0]).toBeGreaterThan(1e-4);
    expect(tf.max(tf.slice(diff, [1, 0, 0, 0], [1, -1, -1, -1])).dataSync()[0]).toBeLessThan(1e-6);
    // ... and D's logits.
    const d1 = a.discriminator.apply(i1, y1, false).logits.dataSync();
    const d2 = a.discriminator.apply(i1, y2, false).logits.dataSync();
    expect(Math.abs(d1[0] - d2[0])).toBeGreaterThan(0);
    expect(() => a.generator.apply(z, null, false)).toThrow(/class-conditional: pass one-hot labels/);
  });
});

test('D.project_y and the architecture-specific project_y', () => {
  tiny();
  bind('D', 'project_y', false);
  withArch('resnet_cifar_arch', [32, 32, 3], true, (a, store) => {
    run(a, oneHot([0, 1], 3));
    expect(names(store)).not.toContain('discriminator/embedding_fc/kernel');
  });
  bind('resnet_cifar.Discriminator', 'project_y', true); // wins over D.project_y
  withArch('resnet_cifar_arch', [32, 32, 3], true, (a, store) => {
    run(a, oneHot([0, 1], 3));
    expect(names(store)).toContain('discriminator/embedding_fc/kernel');
  });
  config.clear();
  tiny();
  bind('D', 'project_y', true);
  withArch('resnet_cifar_arch', [32, 32, 3], false, (a) => {
    const img = a.generator.apply(z8(), null, true);
    expect(() => a.discriminator.apply(img, null, true)).toThrow(/projects class labels \(project_y\) but got none/);
  });
});

test('D.batch_norm_fn and D.layer_norm normalise D', () => {
  tiny();
  bind('D', 'batch_norm_fn', { ref: 'batch_norm' });
  bind('D', 'layer_norm', true);
  withArch('resnet_cifar_arch', [32, 32, 3], false, (a, store) => {
    run(a, null);
    expect(names(store)).toContain('discriminator/B1/bn1/gamma');
    expect(names(store)).toContain('discriminator/B1/ln2/gamma');
  });
  withArch('dcgan_arch', [32, 32, 3], false, (a, store) => {
    run(a, null);
    expect(names(store)).toContain('discriminator/d_bn1/gamma');
    expect(names(store)).toContain('discriminator/d_ln3/beta');
  });
});

test('inference uses batch-norm moving averages: an example does not depend on its batch', () => {
  tiny();
  bind('G', 'batch_norm_fn', { ref: 'batch_norm' });
  withArch('dcgan_arch', [28, 28, 1], false, (a) => {
    const za = tf.randomNormal([2, 8], 0, 1, 'float32', 1) as tf.Tensor2D;
    const zb = tf.concat([tf.slice(za, [0, 0], [1, -1]), tf.randomNormal([1, 8], 0, 1, 'float32', 2)]) as tf.Tensor2D;
    a.generator.apply(za, null, true);
    const first = (img: tf.Tensor4D) => tf.slice(img, [0, 0, 0, 0], [1, -1, -1, -1]);
    const inferA = first(a.generator.apply(za, null, false));
    const inferB = first(a.generator.apply(zb, null, false));
    expect(tf.max(tf.abs(tf.sub(inferA, inferB))).dataSync()[0]).toBeLessThan(1e-6);
    const trainA = first(a.generator.apply(za, null, true));
    const trainB = first(a.generator.apply(zb, null, true));
    expect(tf.max(tf.abs(tf.sub(trainA, trainB))).dataSync()[0]).toBeGreaterThan(1e-5);
  });
});

test('initial weights are reproducible from the Rng seed', () => {
  tiny();
  const out = (seed: number) => {
    let v: number[] = [];
    withArch('resnet_cifar_arch', [32, 32, 3], false, (a) => {
      v = Array.from(a.generator.apply(tf.ones([1, 8]) as tf.Tensor2D, null, false).dataSync());
    }, 8, seed);
    return v;
  };
  expect(out(4)).toEqual(out(4));
  expect(out(4)).not.toEqual(out(5));
});

test('BigGAN: hierarchical z, shared class embedding, attention, unconditional final norm, glorot projection', () => {
  tiny();
  bind('resnet_biggan.Generator', 'ch', 2);
  bind('resnet_biggan.Discriminator', 'ch', 4);
  bind('resnet_biggan.Generator', 'blocks_with_attention', 'B2');
  bind('resnet_biggan.Discriminator', 'blocks_with_attention', 'B1');
  bind('resnet_biggan.Generator', 'embed_y_dim', 6);
  withArch('resnet_biggan_arch', [32, 32, 3], true, (a, store) => {
    const img = run(a, oneHot([0, 2], 3), tf.randomNormal([2, 8], 0, 1, 'float32', 3) as tf.Tensor2D);
    expect(allFinite(img)).toBe(true);
    const n = names(store);
    expect(store.all().get('generator/embed_y/kernel')!.shape).toEqual([3, 6]);
    expect(store.all().get('generator/fc_noise/kernel')!.shape).toEqual([2, 4 * 4 * 8]); // z0 = 8 / 4 chunks
    expect(store.all().get('generator/B1/bn1/condition/gamma/kernel')!.shape).toEqual([2 + 6, 8]); // z chunk + embedding
    expect(n).toContain('generator/non_local_block/sigma');
    expect(n).toContain('discriminator/non_local_block/sigma');
    expect(n).toContain('generator/final_norm/gamma');
    expect(n.some((x) => x.startsWith('generator/final_norm/condition'))).toBe(false);
    expect(n).toContain('discriminator/B1/down_conv_shortcut/kernel'); // 3 -> 8 channels: shortcut
    expect(n.some((x) => x.startsWith('discriminator/B2/') && x.includes('shortcut'))).toBe(false); // 8 -> 8: none
    // Glorot-initialised projection: stddev sqrt(2 / (3 + 8)) truncated, far above weights' 0.02.
    const e = store.all().get('discriminator/embedding_fc/kernel')!;
    expect(tf.max(tf.abs(e)).dataSync()[0]).toBeGreaterThan(0.1);
  });
  expect(() => withArch('resnet_biggan_arch', [64, 64, 3], false, () => undefined, 12)).toThrow(/splits z into 5 chunks.*z_dim = 12.*hierarchical_z = False/);
});

test('28x28 ResNets run their 32x32 network (G crops, D pads)', () => {
  tiny();
  withArch('resnet_cifar_arch', [28, 28, 1], false, (a, store) => {
    const img = run(a, null);
    expect(img.shape).toEqual([2, 28, 28, 1]);
    expect(store.all().get('generator/fc_noise/kernel')!.shape).toEqual([8, 4 * 4 * 4]);
  });
});

test('unsupported image shapes explain what is supported', () => {
  tiny();
  expect(() => withArch('resnet_cifar_arch', [64, 64, 3], false, () => undefined)).toThrow(/resnet_cifar_arch supports resolutions 28, 32; the dataset's images are 64x64/);
  expect(() => withArch('resnet_biggan_arch', [48, 48, 3], false, () => undefined)).toThrow(/supports resolutions 28, 32, 64, 128, 256, 512/);
  expect(() => withArch('resnet5_arch', [32, 32, 4], false, () => undefined)).toThrow(/1 or 3 color channels/);
  expect(() => withArch('resnet5_arch', [32, 16, 3], false, () => undefined)).toThrow(/square images/);
  expect(() => withArch('infogan_arch', [30, 30, 3], false, () => undefined)).toThrow(/divisible by 4/);
  withArch('dcgan_arch', [32, 32, 3], false, (a) => {
    expect(() => a.discriminator.apply(tf.zeros([2, 28, 28, 1]) as tf.Tensor4D, null, true)).toThrow(/built for 32x32x3 images/);
  });
});

test('apply leaks no tensors (training updates included)', () => {
  tiny();
  bind('G', 'batch_norm_fn', { ref: 'batch_norm' });
  bind('D', 'spectral_norm', true);
  withArch('resnet_biggan_arch', [32, 32, 3], true, (a) => {
    const z = z8();
    const y = oneHot([0, 1], 3);
    tf.dispose(run(a, y, z)); // creates the variables
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      for (const training of [true, false]) {
        const img = a.generator.apply(z, y, training);
        const d = a.discriminator.apply(img, y, training);
        tf.dispose([img, d.logits, d.probs, d.features]);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
