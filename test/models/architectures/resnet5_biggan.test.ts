/** resnet5_biggan_arch: compare_gan's resnet5_biggan.py (BigGAN as biggan_imagenet128.gin names it). */
import * as tf from '@tensorflow/tfjs-core';
import { config, parseConfig, registry } from '@cgan/config-lang';
import { architectureNames, buildArchitecture, Architecture } from '../../../packages/models/src/architectures';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { allFinite, bind, oneHot, useCpu } from './helpers';

jest.setTimeout(120000);
beforeAll(useCpu);
afterEach(() => config.clear());

const ARCH = 'resnet5_biggan_arch';
const NUM_CLASSES = 3;
/** Blocks + 1 z chunks: 4 at 32, 5 at 64, 6 at 128. */
const Z_DIM: Record<number, number> = { 32: 8, 64: 10, 128: 12 };

type Shape = [number, number, number];

function tinyWidths(attention = ''): void {
  bind('resnet5_biggan.Generator', 'ch', 1);
  bind('resnet5_biggan.Discriminator', 'ch', 1);
  bind('resnet5_biggan.Generator', 'blocks_with_attention', attention);
  bind('resnet5_biggan.Discriminator', 'blocks_with_attention', attention);
}

function withArch<T>(imageShape: Shape, conditional: boolean, zDim: number, fn: (a: Architecture, store: VariableStore) => T, seed = 1): T {
  const store = new VariableStore();
  try {
    return fn(buildArchitecture(ARCH, { store, imageShape, numClasses: NUM_CLASSES, zDim, conditional, rng: new Rng(seed) }), store);
  } finally {
    store.dispose();
  }
}

const z = (n: number, zDim: number, seed = 11) => tf.randomNormal([n, zDim], 0, 1, 'float32', seed) as tf.Tensor2D;
const names = (store: VariableStore) => [...store.all().keys()];
const shapeOf = (store: VariableStore, name: string) => store.all().get(name)?.shape;

test('registers resnet5_biggan_arch and the resnet5_biggan Gin module with compare_gan defaults', () => {
  expect(architectureNames()).toContain(ARCH);
  const g = registry.lookup('resnet5_biggan.Generator');
  const defaults = (info: typeof g) => Object.fromEntries([...info.params.values()].map((p) => [p.name, p.default]));
  expect(defaults(g)).toEqual({ ch: 96, blocks_with_attention: 'B4', hierarchical_z: true, embed_z: false, embed_y: true, embed_y_dim: 128, embed_bias: false });
  expect(defaults(registry.lookup('resnet5_biggan.Discriminator'))).toEqual({ ch: 96, blocks_with_attention: 'B1', project_y: null });
  expect(defaults(registry.lookup('resnet5_biggan.BigGanResNetBlock'))).toEqual({ sc_kernel_size: 1 });
  // Distinct from resnet_biggan: binding one module does not configure the other.
  expect(registry.lookup('resnet5_biggan.Generator')).not.toBe(registry.lookup('resnet_biggan.Generator'));
});

describe.each([32, 64, 128])('at %ipx', (res) => {
  test.each([false, true])('conditional=%s: G shape and [0, 1] range, D logits, projection and conditional norm', (conditional) => {
    tinyWidths();
    withArch([res, res, 3], conditional, Z_DIM[res], (a, store) => {
      const y = conditional ? oneHot([0, 2], NUM_CLASSES) : null;
      const img = a.generator.apply(z(2, Z_DIM[res]), y, true);
      expect(img.shape).toEqual([2, res, res, 3]);
      const px = img.dataSync();
      expect(px.every((v) => v >= 0 && v <= 1)).toBe(true);
      const d = a.discriminator.apply(img, y, true);
      expect(d.logits.shape).toEqual([2, 1]);
      expect(allFinite(d.logits)).toBe(true);
      const blocks = Math.log2(res / 4);
      const n = names(store);
      // G: blocks upsample 4 -> res; D: blocks B1..B(blocks+1), the last one keeps the size.
      expect(n).toContain(`generator/B${blocks}/up_conv1/kernel`);
      expect(n).not.toContain(`generator/B${blocks + 1}/up_conv1/kernel`);
      expect(n).toContain(`discriminator/B${blocks + 1}/same_conv1/kernel`);
      expect(n.some((x) => x.startsWith('generator/') && x.includes('/condition/gamma/kernel'))).toBe(conditional);
      expect(n.includes('discriminator/embedding_fc/kernel')).toBe(conditional);
      expect(n.includes('generator/embed_y/kernel')).toBe(conditional);
      tf.dispose([img, d.logits, d.probs, d.features]);
    });
  });
});

test('hierarchical_z splits z over fc_noise and the blocks (each chunk + y embedding conditions a block); off: all of z everywhere', () => {
  tinyWidths();
  bind('resnet5_biggan.Generator', 'embed_y_dim', 5);
  const y = oneHot([1, 2], NUM_CLASSES);
  withArch([32, 32, 3], true, 8, (a, store) => {
    a.generator.apply(z(2, 8), y, true);
    expect(shapeOf(store, 'generator/fc_noise/kernel')).toEqual([2, 4 * 4 * 4]); // 8 / (3 blocks + 1)
    expect(shapeOf(store, 'generator/B1/bn1/condition/gamma/kernel')).toEqual([2 + 5, 4]);
    expect(shapeOf(store, 'generator/B3/bn2/condition/beta/kernel')).toEqual([2 + 5, 4]);
  });
  // The second chunk conditions B1 only: changing it leaves fc_noise's input (chunk 1) alone
  // but changes the image; changing chunk 1 changes it too.
  // With compare_gan's default weights (normal, stddev 0.02) conditional batch norm's gamma
  // (a linear map of z and y, no +1) is ~0.05, so early chunks barely move the image (~1e-6);
  // the orthogonal initializer of biggan_imagenet128.gin keeps every chunk's effect visible.
  bind('weights', 'initializer', 'orthogonal');
  withArch([32, 32, 3], true, 8, (a) => {
    const base = z(2, 8);
    // Training mode: batch statistics keep the tiny network's signal well above float noise.
    const img = (zz: tf.Tensor2D) => a.generator.apply(zz, y, true).dataSync();
    const mask = (i: number) => tf.tensor2d([Array.from({ length: 8 }, (_, j) => (Math.floor(j / 2) === i ? 1 : 0)), Array(8).fill(0)]);
    const ref = img(base);
    for (const chunk of [0, 1, 3]) {
      const changed = img(tf.add(base, mask(chunk)) as tf.Tensor2D);
      expect([chunk, changed.some((v, i) => Math.abs(v - ref[i]) > 1e-5)]).toEqual([chunk, true]);
    }
  });
  config.clear();
  tinyWidths();
  bind('resnet5_biggan.Generator', 'embed_y_dim', 5);
  bind('resnet5_biggan.Generator', 'hierarchical_z', false);
  withArch([32, 32, 3], true, 7, (a, store) => {
    a.generator.apply(z(2, 7), y, true);
    expect(shapeOf(store, 'generator/fc_noise/kernel')).toEqual([7, 4 * 4 * 4]); // whole z, any z_dim
    expect(shapeOf(store, 'generator/B1/bn1/condition/gamma/kernel')).toEqual([5, 4]); // y embedding only
  });
  // hierarchical_z with a z_dim the blocks + 1 chunks do not divide: a clear error.
  config.clear();
  tinyWidths();
  expect(() => withArch([64, 64, 3], false, 12, () => undefined)).toThrow(/splits z into 5 chunks.*z_dim = 12.*hierarchical_z = False/);
});

test('embed_y replaces the one-hot labels by a learned embedding (embed_y_dim); off: the one-hot labels themselves', () => {
  tinyWidths();
  bind('resnet5_biggan.Generator', 'embed_y_dim', 6);
  const y = oneHot([0, 1], NUM_CLASSES);
  withArch([32, 32, 3], true, 8, (a, store) => {
    a.generator.apply(z(2, 8), y, true);
    expect(shapeOf(store, 'generator/embed_y/kernel')).toEqual([NUM_CLASSES, 6]);
    expect(names(store)).not.toContain('generator/embed_y/bias'); // embed_bias = False
    expect(shapeOf(store, 'generator/B2/bn1/condition/gamma/kernel')).toEqual([2 + 6, 4]);
  });
  config.clear();
  tinyWidths();
  bind('resnet5_biggan.Generator', 'embed_y', false);
  bind('resnet5_biggan.Generator', 'embed_z', true);
  bind('resnet5_biggan.Generator', 'embed_bias', true);
  withArch([32, 32, 3], true, 8, (a, store) => {
    a.generator.apply(z(2, 8), y, true);
    expect(names(store).some((x) => x.startsWith('generator/embed_y'))).toBe(false);
    expect(shapeOf(store, 'generator/B2/bn1/condition/gamma/kernel')).toEqual([2 + NUM_CLASSES, 4]);
    expect(shapeOf(store, 'generator/embed_z/kernel')).toEqual([8, 8]);
    expect(shapeOf(store, 'generator/embed_z/bias')).toEqual([8]);
  });
});

test('BigGAN details: attention blocks, unconditional final norm, D shortcuts only where channels change, sc_kernel_size', () => {
  tinyWidths();
  bind('resnet5_biggan.Generator', 'ch', 2);
  bind('resnet5_biggan.Discriminator', 'ch', 4);
  bind('resnet5_biggan.Generator', 'blocks_with_attention', 'B2');
  bind('resnet5_biggan.Discriminator', 'blocks_with_attention', 'B1');
  const y = oneHot([0, 2], NUM_CLASSES);
  withArch([32, 32, 3], true, 8, (a, store) => {
    const img = a.generator.apply(z(2, 8), y, true);
    a.discriminator.apply(img, y, true);
    const n = names(store);
    expect(n).toContain('generator/non_local_block/sigma');
    expect(n).toContain('discriminator/non_local_block/sigma');
    expect(n).toContain('generator/final_norm/gamma');
    expect(n.some((x) => x.startsWith('generator/final_norm/condition'))).toBe(false);
    expect(shapeOf(store, 'generator/B1/up_conv_shortcut/kernel')).toEqual([1, 1, 8, 8]);
    expect(shapeOf(store, 'discriminator/B1/down_conv_shortcut/kernel')).toEqual([1, 1, 3, 8]);
    expect(n.some((x) => x.startsWith('discriminator/B2/') && x.includes('shortcut'))).toBe(false); // 8 -> 8
    // Projection dimension = D's last block channels (ch * 2 at 32px), glorot-initialised.
    expect(shapeOf(store, 'discriminator/embedding_fc/kernel')).toEqual([NUM_CLASSES, 8]);
  });
  bind('resnet5_biggan.BigGanResNetBlock', 'sc_kernel_size', 3);
  withArch([32, 32, 3], false, 8, (a, store) => {
    a.discriminator.apply(a.generator.apply(z(2, 8), null, true), null, true);
    expect(shapeOf(store, 'generator/B1/up_conv_shortcut/kernel')).toEqual([3, 3, 8, 8]);
    expect(shapeOf(store, 'discriminator/B1/down_conv_shortcut/kernel')).toEqual([3, 3, 3, 8]);
  });
});

test('Discriminator.project_y: None follows D.project_y / conditioning; True without labels is a clear error', () => {
  tinyWidths();
  bind('resnet5_biggan.Discriminator', 'project_y', false);
  const y = oneHot([0, 2], NUM_CLASSES);
  withArch([32, 32, 3], true, 8, (a, store) => {
    a.discriminator.apply(a.generator.apply(z(2, 8), y, true), y, true);
    expect(names(store)).not.toContain('discriminator/embedding_fc/kernel');
  });
  bind('resnet5_biggan.Discriminator', 'project_y', true);
  withArch([32, 32, 3], false, 8, (a) => {
    expect(() => a.discriminator.apply(tf.zeros([2, 32, 32, 3]) as tf.Tensor4D, null, true)).toThrow(/projects class labels.*ModularGAN\.conditional = True/);
  });
});

test.each([false, true])('conditional=%s: one gradient step gives finite, non-zero gradients for every variable', (conditional) => {
  tinyWidths('B1');
  bind('G', 'spectral_norm', true);
  bind('D', 'spectral_norm', true);
  withArch([32, 32, 3], conditional, 8, (a, store) => {
    const zz = z(2, 8);
    const y = conditional ? oneHot([1, 2], NUM_CLASSES) : null;
    const real = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
    a.discriminator.apply(a.generator.apply(zz, y, true), y, true); // create variables
    const vars = store.trainable();
    const { value, grads } = tf.variableGrads(() => {
      const dReal = a.discriminator.apply(real, y, true).logits;
      const dFake = a.discriminator.apply(a.generator.apply(zz, y, true), y, true).logits;
      return tf.add(tf.mean(tf.relu(tf.sub(1, dReal))), tf.mean(tf.relu(tf.add(1, dFake)))) as tf.Scalar; // hinge
    }, vars);
    expect(Number.isFinite(value.dataSync()[0])).toBe(true);
    expect(Object.keys(grads).sort()).toEqual(vars.map((v) => v.name).sort());
    for (const [name, g] of Object.entries(grads)) if (!allFinite(g)) throw new Error(`gradient of ${name} is not finite`);
    const total = Object.values(grads).reduce((s, g) => s + tf.sum(tf.abs(g)).dataSync()[0], 0);
    expect(total).toBeGreaterThan(0);
    for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.01)));
    expect(allFinite(a.generator.apply(zz, y, false))).toBe(true);
    tf.dispose([value, ...Object.values(grads)]);
  });
});

test("biggan_imagenet128.gin's architecture lines bind unchanged (tiny ch, 32px)", () => {
  // (options.architecture = "resnet5_biggan_arch" is the name passed to buildArchitecture.)
  parseConfig(`
G.batch_norm_fn = @conditional_batch_norm
G.spectral_norm = True
resnet5_biggan.Generator.hierarchical_z = True
resnet5_biggan.Generator.embed_y = True
D.spectral_norm = True
resnet5_biggan.Discriminator.project_y = True
resnet5_biggan.Generator.ch = 1
resnet5_biggan.Discriminator.ch = 1
`);
  withArch([32, 32, 3], true, 8, (a, store) => {
    const y = oneHot([0, 1], NUM_CLASSES);
    const d = a.discriminator.apply(a.generator.apply(z(2, 8), y, true), y, true);
    expect(allFinite(d.logits)).toBe(true);
    expect(names(store)).toContain('discriminator/embedding_fc/kernel/u_var');
    expect(names(store)).toContain('generator/B1/bn1/condition/gamma/kernel/u_var');
  });
});

test('unsupported resolutions and bad widths are clear errors', () => {
  tinyWidths();
  expect(() => withArch([48, 48, 3], false, 8, () => undefined)).toThrow(/resnet5_biggan_arch supports resolutions 28, 32, 64, 128, 256, 512/);
  bind('resnet5_biggan.Generator', 'ch', 0);
  expect(() => withArch([32, 32, 3], false, 8, () => undefined)).toThrow(/resnet5_biggan\.Generator\.ch must be a positive integer/);
});
