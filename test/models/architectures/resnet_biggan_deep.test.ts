/** resnet_biggan_deep_arch: compare_gan's resnet_biggan_deep.py (BigGAN-deep). */
import * as tf from '@tensorflow/tfjs-core';
import { config, registry } from '@cgan/config-lang';
import { buildArchitecture, Architecture } from '../../../packages/models/src/architectures';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { allFinite, bind, oneHot, useCpu } from './helpers';

jest.setTimeout(120000);
beforeAll(useCpu);
afterEach(() => config.clear());

const ARCH = 'resnet_biggan_deep_arch';
const NUM_CLASSES = 3;
type Shape = [number, number, number];

function tiny(): void {
  bind('resnet_biggan_deep.Generator', 'ch', 2);
  bind('resnet_biggan_deep.Discriminator', 'ch', 2);
  bind('resnet_biggan_deep.Generator', 'embed_y_dim', 5);
}

function withArch<T>(imageShape: Shape, conditional: boolean, fn: (a: Architecture, store: VariableStore) => T, zDim = 6): T {
  const store = new VariableStore();
  try {
    return fn(buildArchitecture(ARCH, { store, imageShape, numClasses: NUM_CLASSES, zDim, conditional, rng: new Rng(2) }), store);
  } finally {
    store.dispose();
  }
}

const z = (n: number, zDim = 6) => tf.randomNormal([n, zDim], 0, 1, 'float32', 7) as tf.Tensor2D;
const names = (store: VariableStore) => [...store.all().keys()];
const shapeOf = (store: VariableStore, name: string) => store.all().get(name)?.shape;

test('compare_gan defaults', () => {
  const defaults = (sel: string) => Object.fromEntries([...registry.lookup(sel).params.values()].map((p) => [p.name, p.default]));
  expect(defaults('resnet_biggan_deep.Generator')).toEqual({ ch: 128, embed_y: true, embed_y_dim: 128, experimental_fast_conv_to_rgb: false });
  expect(defaults('resnet_biggan_deep.Discriminator')).toEqual({ ch: 128, blocks_with_attention: 'B1', project_y: null });
});

// 64px (where attention and D's add_channels appear) runs at ch = 1 and only with
// GAN_SLOW_TESTS=1: about 20 s of cpu time.
const cases: Array<[number, boolean]> = [[32, false], [32, true], ...(process.env.GAN_SLOW_TESTS ? ([[64, true]] as Array<[number, boolean]>) : [])];
test.each(cases)('%ipx conditional=%s: shapes, [0, 1] range, bottleneck blocks, identity skips, attention at 64x64', (res, conditional) => {
  tiny();
  const ch = res === 64 ? 1 : 2;
  bind('resnet_biggan_deep.Generator', 'ch', ch);
  bind('resnet_biggan_deep.Discriminator', 'ch', ch);
  withArch([res, res, 3], conditional, (a, store) => {
    const y = conditional ? oneHot([0, 2], NUM_CLASSES) : null;
    const img = a.generator.apply(z(2), y, true);
    expect(img.shape).toEqual([2, res, res, 3]);
    expect(img.dataSync().every((v) => v >= 0 && v <= 1)).toBe(true);
    const d = a.discriminator.apply(img, y, true);
    expect(d.logits.shape).toEqual([2, 1]);
    expect(allFinite(d.logits)).toBe(true);
    const n = names(store);
    const zy = conditional ? 6 + 5 : 6;
    // z is not chunked: fc_noise and every norm see [z, embed(y)].
    const gIn = (res === 32 ? 4 : 16) * ch;
    expect(shapeOf(store, 'generator/fc_noise/kernel')).toEqual([zy, 4 * 4 * gIn]);
    if (conditional) expect(shapeOf(store, 'generator/B3/conv4/bn/condition/gamma/kernel')![0]).toBe(zy);
    // Bottleneck: max(in, out) / 4 channels.
    expect(shapeOf(store, 'generator/B1/conv1/1x1_conv/kernel')).toEqual([1, 1, gIn, gIn / 4]);
    expect(shapeOf(store, 'generator/B1/conv2/3x3_conv/kernel')).toEqual([3, 3, gIn / 4, gIn / 4]);
    // Identity skips: no conv in G's shortcut; D adds channels with a 1x1 conv when they grow.
    expect(n.some((x) => x.startsWith('generator/') && x.includes('/shortcut/'))).toBe(false);
    expect(n.some((x) => x.startsWith('discriminator/') && x.includes('/shortcut/add_channels/kernel'))).toBe(res === 64);
    expect(n).toContain('discriminator/initial_conv/kernel');
    expect(n.includes('generator/non_local_block/sigma')).toBe(res === 64);
    expect(n.includes('discriminator/embedding_fc/kernel')).toBe(conditional);
    expect(n.some((x) => x.includes('final_norm/condition'))).toBe(false);
  });
});

test('experimental_fast_conv_to_rgb convolves to 128 channels and keeps the first colors', () => {
  tiny();
  bind('resnet_biggan_deep.Generator', 'experimental_fast_conv_to_rgb', true);
  withArch([32, 32, 1], false, (a, store) => {
    expect(a.generator.apply(z(2), null, true).shape).toEqual([2, 32, 32, 1]);
    expect(shapeOf(store, 'generator/final_conv/kernel')).toEqual([3, 3, 8, 128]);
  });
});

test('one gradient step gives finite, non-zero gradients for every variable (conditional, spectral norm)', () => {
  tiny();
  bind('G', 'spectral_norm', true);
  bind('D', 'spectral_norm', true);
  withArch([32, 32, 3], true, (a, store) => {
    const y = oneHot([1, 2], NUM_CLASSES);
    const zz = z(2);
    const real = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    a.discriminator.apply(a.generator.apply(zz, y, true), y, true);
    const vars = store.trainable();
    const { value, grads } = tf.variableGrads(() => {
      const dReal = a.discriminator.apply(real, y, true).logits;
      const dFake = a.discriminator.apply(a.generator.apply(zz, y, true), y, true).logits;
      return tf.add(tf.mean(tf.relu(tf.sub(1, dReal))), tf.mean(tf.relu(tf.add(1, dFake)))) as tf.Scalar;
    }, vars);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).sort()).toEqual(vars.map((v) => v.name).sort());
    for (const [name, g] of Object.entries(grads)) if (!allFinite(g)) throw new Error(`gradient of ${name} is not finite`);
    expect(Object.values(grads).reduce((s, g) => s + tf.sum(tf.abs(g)).dataSync()[0], 0)).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
  });
});
