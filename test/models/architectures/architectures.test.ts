/**
 * Every architecture builds at each resolution it supports (28, 32, 64, 128), with and without
 * conditioning: output shapes, ranges, finite values; one gradient step gives finite gradients
 * for every trainable variable. Tiny widths keep it fast on the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { config, ConfigError } from '@cgan/config-lang';
import { architectureNames, buildArchitecture, Architecture } from '../../../packages/models/src/architectures';
import { VariableStore } from '../../../packages/models/src/core/variables';
import { Rng } from '../../../packages/models/src/core/rng';
import { allFinite, bind, oneHot, useCpu } from './helpers';

beforeAll(useCpu);
afterEach(() => config.clear());

/** Small widths for each architecture (compare_gan's defaults are far too big for cpu tests). */
function bindTinyWidths(): void {
  bind('dcgan.Generator', 'gf_dim', 2);
  bind('dcgan.Discriminator', 'df_dim', 2);
  bind('sndcgan.Generator', 'ch', 1);
  bind('sndcgan.Discriminator', 'ch', 1);
  bind('infogan.Generator', 'ch', 1);
  bind('infogan.Discriminator', 'ch', 1);
  bind('resnet_cifar.Generator', 'ch', 4);
  bind('resnet_cifar.Discriminator', 'ch', 4);
  bind('resnet5.Generator', 'ch', 1);
  bind('resnet5.Discriminator', 'ch', 1);
  bind('resnet_biggan.Generator', 'ch', 1);
  bind('resnet_biggan.Discriminator', 'ch', 1);
  // Attention at 64/128 costs seconds per softmax on the cpu backend; it is tested at 32 in options.test.ts.
  bind('resnet_biggan.Generator', 'blocks_with_attention', '');
  bind('resnet_biggan.Discriminator', 'blocks_with_attention', '');
  bind('G', 'batch_norm_fn', { ref: 'batch_norm' });
  bind('D', 'spectral_norm', true);
}

const RESOLUTIONS: Record<string, number[]> = {
  dcgan_arch: [28, 32, 64, 128],
  sndcgan_arch: [28, 32, 64, 128],
  infogan_arch: [28, 32, 64, 128],
  resnet_cifar_arch: [28, 32],
  resnet5_arch: [28, 32, 64, 128],
  resnet_biggan_arch: [28, 32, 64, 128],
};
const Z_DIM = 12;
const NUM_CLASSES = 3;

/** BigGAN splits z into blocks + 1 chunks: 4 (32), 5 (64), 6 (128). */
function zDimFor(arch: string, res: number): number {
  if (arch !== 'resnet_biggan_arch') return Z_DIM;
  return ({ 28: 8, 32: 8, 64: 10, 128: 12 } as Record<number, number>)[res];
}

function build(arch: string, res: number, conditional: boolean, store: VariableStore): Architecture {
  const colors = res === 28 ? 1 : 3;
  return buildArchitecture(arch, { store, imageShape: [res, res, colors], numClasses: NUM_CLASSES, zDim: zDimFor(arch, res), conditional, rng: new Rng(7) });
}

test('the registry knows every compare_gan architecture and explains unknown names', () => {
  expect(architectureNames()).toEqual(['dcgan_arch', 'infogan_arch', 'resnet5_arch', 'resnet5_biggan_arch', 'resnet_biggan_arch', 'resnet_biggan_deep_arch', 'resnet_cifar_arch', 'sndcgan_arch']);
  const store = new VariableStore();
  const opts = { store, imageShape: [32, 32, 3] as [number, number, number], numClasses: 10, zDim: 8, conditional: false };
  expect(() => buildArchitecture('resnet_cifar', opts)).toThrow(ConfigError);
  try {
    buildArchitecture('resnet_cifar', opts);
  } catch (e) {
    expect((e as ConfigError).message).toContain('Unknown architecture "resnet_cifar"');
    expect((e as ConfigError).hint).toContain('resnet_cifar_arch');
    expect((e as ConfigError).hint).toContain('dcgan_arch');
  }
});

const cases: Array<[string, number, boolean]> = [];
for (const [arch, resolutions] of Object.entries(RESOLUTIONS)) for (const res of resolutions) for (const cond of [false, true]) cases.push([arch, res, cond]);

describe.each(cases)('%s at %ipx, conditional=%s', (arch, res, conditional) => {
  test('G and D have the right shapes and ranges', () => {
    bindTinyWidths();
    const store = new VariableStore();
    try {
      const a = build(arch, res, conditional, store);
      tf.tidy(() => {
        const zDim = zDimFor(arch, res);
        const z = tf.randomNormal([2, zDim], 0, 1, 'float32', 1) as tf.Tensor2D;
        const y = conditional ? oneHot([0, 2], NUM_CLASSES) : null;
        const colors = res === 28 ? 1 : 3;
        for (const training of [true, false]) {
          const img = a.generator.apply(z, y, training);
          expect(img.shape).toEqual([2, res, res, colors]);
          expect(allFinite(img)).toBe(true);
          expect(tf.min(img).dataSync()[0]).toBeGreaterThanOrEqual(0);
          expect(tf.max(img).dataSync()[0]).toBeLessThanOrEqual(1);
          const d = a.discriminator.apply(img, y, training);
          expect(d.logits.shape).toEqual([2, 1]);
          expect(d.probs.shape).toEqual([2, 1]);
          expect(d.features.rank).toBe(2);
          expect(d.features.shape[0]).toBe(2);
          expect(allFinite(d.logits) && allFinite(d.features)).toBe(true);
          const p = d.probs.dataSync();
          expect(p.every((v) => v >= 0 && v <= 1)).toBe(true);
        }
      });
      // Conditional G normalises with class-conditional batch norm; conditional D projects y.
      const names = [...store.all().keys()];
      expect(names.some((n) => n.startsWith('generator/') && n.includes('/condition/gamma/kernel'))).toBe(conditional);
      expect(names.includes('discriminator/embedding_fc/kernel')).toBe(conditional);
      expect(names.some((n) => n.startsWith('discriminator/') && n.endsWith('/u_var'))).toBe(true);
    } finally {
      store.dispose();
    }
  });
});

/** One gradient step per architecture at its smallest resolution (cpu conv gradients are slow). */
const gradCases: Array<[string, number, boolean]> = [];
for (const [arch, resolutions] of Object.entries(RESOLUTIONS)) for (const cond of [false, true]) gradCases.push([arch, Math.min(...resolutions), cond]);

describe.each(gradCases)('%s at %ipx, conditional=%s', (arch, res, conditional) => {
  test('one gradient step gives finite gradients for every trainable variable', () => {
    bindTinyWidths();
    const store = new VariableStore();
    try {
      const a = build(arch, res, conditional, store);
      const zDim = zDimFor(arch, res);
      const z = tf.randomNormal([2, zDim], 0, 1, 'float32', 3) as tf.Tensor2D;
      const y = conditional ? oneHot([1, 2], NUM_CLASSES) : null;
      const real = tf.randomUniform([2, res, res, res === 28 ? 1 : 3], 0, 1, 'float32', 4) as tf.Tensor4D;
      a.generator.apply(z, y, true); // create variables
      a.discriminator.apply(real, y, true);
      const vars = store.trainable();
      // A non-saturating-like loss through G and D, so every variable gets a gradient.
      const { value, grads } = tf.variableGrads(() => {
        const fake = a.generator.apply(z, y, true);
        const dReal = a.discriminator.apply(real, y, true).logits;
        const dFake = a.discriminator.apply(fake, y, true).logits;
        return tf.add(tf.mean(tf.softplus(tf.neg(dReal))), tf.mean(tf.softplus(dFake))) as tf.Scalar;
      }, vars);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(Object.keys(grads).sort()).toEqual(vars.map((v) => v.name).sort());
      for (const [name, g] of Object.entries(grads)) {
        if (!allFinite(g)) throw new Error(`gradient of ${name} is not finite`);
      }
      // Not all zero: the step would change the model.
      const total = Object.values(grads).reduce((s, g) => s + tf.sum(tf.abs(g)).dataSync()[0], 0);
      expect(total).toBeGreaterThan(0);
      // Apply the step and check the model stays finite.
      for (const v of vars) v.assign(tf.sub(v, tf.mul(grads[v.name], 0.01)));
      expect(allFinite(a.generator.apply(z, y, false))).toBe(true);
      tf.dispose([value, ...Object.values(grads)]);
    } finally {
      store.dispose();
    }
  });
});
