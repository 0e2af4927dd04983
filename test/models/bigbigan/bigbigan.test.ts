/**
 * BigBiGAN's joint discriminator and losses (Donahue & Simonyan 2019): the three heads' shapes,
 * where each loss's gradients go, the hinge losses against the paper's formulas, and the
 * direction of the G and E updates.
 */
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { config } from '@cgan/config-lang';
import { BigBiGAN, optimizerState, setOptimizerState } from '@cgan/models';
import { buildBigBiGAN, disposeAll, disposeBatch, disposeGan, gradMass, randomBatch, snapshot } from './helpers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  disposeAll();
  config.clear();
});

const mean = (t: tf.Tensor) => tf.tidy(() => tf.mean(t).dataSync()[0]);
const sumScores = (s: { x: tf.Tensor2D; z: tf.Tensor2D; xz: tf.Tensor2D }) => tf.add(tf.add(s.x, s.z), s.xz);

/**
 * A gradient-descent step scaled so that the largest change of any weight is 1e-2 (the tiny
 * networks' gradients are ~1e-7 at initialisation, too small for a fixed learning rate to show).
 */
function descend(grads: tf.NamedTensorMap): void {
  const maxAbs = Math.max(...Object.values(grads).map((g) => tf.tidy(() => tf.max(tf.abs(g)).dataSync()[0])));
  expect(maxAbs).toBeGreaterThan(0);
  tf.train.sgd(1e-2 / maxAbs).applyGradients(grads);
}

/** A real batch with its encodings, and fakes with their latents (no gradient history). */
function pairs(gan: BigBiGAN, bs = 4, seed = 7) {
  const images = tf.randomUniform([bs, 8, 8, 1], 0, 1, 'float32', seed) as tf.Tensor4D;
  const z = gan.sampleZ(bs);
  const fake = gan.generator(z, null, true);
  const ez = gan.encoderSample(images, true);
  return { images, z, fake, ez, realY: null, fakeY: null };
}

test('three heads: s_x, s_z, s_xz are [batch, 1] for real (x, E(x)) and fake (G(z), z) pairs', () => {
  const { gan, store } = buildBigBiGAN();
  const p = pairs(gan, 5);
  const s = gan.scores(p.images, p.ez, p.fake, p.z);
  for (const side of [s.real, s.fake]) for (const k of ['x', 'z', 'xz'] as const) expect(side[k].shape).toEqual([5, 1]);
  // Variables of the heads live under the discriminator prefix, E under 'encoder'.
  const names = [...store.all().keys()];
  expect(names.some((n) => n.startsWith('discriminator_z/'))).toBe(true);
  expect(names.some((n) => n.startsWith('discriminator_xz/'))).toBe(true);
  expect(names.some((n) => n.startsWith('encoder/'))).toBe(true);
  expect(gan.eVars().length).toBeGreaterThan(0);
  // s_z depends only on z: the same latent gets the same score whatever image it is paired with.
  const s2 = gan.scores(p.images, p.ez, tf.zerosLike(p.fake), p.z);
  expect(Array.from(s2.fake.z.dataSync())).toEqual(Array.from(s.fake.z.dataSync()));
  expect(Array.from(s2.fake.xz.dataSync())).not.toEqual(Array.from(s.fake.xz.dataSync()));
  disposeGan(gan, store);
});

test('hinge: l_D = sum_k E[relu(1 - s_k(x, E(x)))] + E[relu(1 + s_k(G(z), z))], l_EG = E[s(x, E(x))] - E[s(G(z), z)]', () => {
  const { gan, store } = buildBigBiGAN();
  const p = pairs(gan);
  const s = gan.scores(p.images, p.ez, p.fake, p.z);
  let dExpected = 0;
  for (const k of ['x', 'z', 'xz'] as const) dExpected += mean(tf.relu(tf.sub(1, s.real[k]))) + mean(tf.relu(tf.add(1, s.fake[k])));
  const egExpected = mean(sumScores(s.real)) - mean(sumScores(s.fake));
  const out = gan.createLoss({ ...p, mode: 'g' });
  expect(out.d_loss.dataSync()[0]).toBeCloseTo(dExpected, 4);
  expect(out.g_loss.dataSync()[0]).toBeCloseTo(egExpected, 4);
  // The per-head summaries add up, and G's and E's terms have the paper's signs.
  for (const k of ['x', 'z', 'xz'] as const) {
    expect(out.summaries[`g_loss_${k}`].dataSync()[0]).toBeCloseTo(-mean(s.fake[k]), 4);
    expect(out.summaries[`e_loss_${k}`].dataSync()[0]).toBeCloseTo(mean(s.real[k]), 4);
  }
  disposeGan(gan, store);
});

test('non-saturating loss: E minimises softplus(s(x, E(x))), G minimises softplus(-s(G(z), z)) per head', () => {
  const { gan, store } = buildBigBiGAN('loss.fn = @non_saturating\n');
  const p = pairs(gan);
  const s = gan.scores(p.images, p.ez, p.fake, p.z);
  const out = gan.createLoss({ ...p, mode: 'g' });
  for (const k of ['x', 'z', 'xz'] as const) {
    expect(out.summaries[`e_loss_${k}`].dataSync()[0]).toBeCloseTo(mean(tf.softplus(s.real[k])), 4);
    expect(out.summaries[`g_loss_${k}`].dataSync()[0]).toBeCloseTo(mean(tf.softplus(tf.neg(s.fake[k]))), 4);
  }
  disposeGan(gan, store);
});

test('gradients: l_D reaches all three heads; l_EG reaches G and E; each head only its own inputs', () => {
  const { gan, store } = buildBigBiGAN();
  const p = pairs(gan);
  const d = tf.variableGrads(() => gan.createLoss({ ...p, mode: 'd' }).d_loss, gan.dVars());
  expect(gradMass(d.grads, 'discriminator/')).toBeGreaterThan(0);
  expect(gradMass(d.grads, 'discriminator_z/')).toBeGreaterThan(0);
  expect(gradMass(d.grads, 'discriminator_xz/')).toBeGreaterThan(0);
  // The latent head's loss does not touch F (the image network) nor J.
  const dz = tf.variableGrads(() => gan.createLoss({ ...p, mode: 'd' }).summaries.d_loss_z, gan.dVars());
  expect(Object.keys(dz.grads).every((n) => n.startsWith('discriminator_z/'))).toBe(true);
  // G and E: one backward pass through G(z) and E(x).
  const z = p.z;
  const eg = tf.variableGrads(() => {
    const fake = gan.generator(z, null, true);
    const ez = gan.encoderSample(p.images, true);
    return gan.createLoss({ images: p.images, realY: null, fake, fakeY: null, z, ez, mode: 'g' }).g_loss;
  }, [...gan.gVars(), ...gan.eVars()]);
  expect(gradMass(eg.grads, 'generator/')).toBeGreaterThan(0);
  expect(gradMass(eg.grads, 'encoder/')).toBeGreaterThan(0);
  // With a stochastic encoder, sigma's layer gets gradient through the reparameterisation.
  expect(gradMass(eg.grads, 'encoder/sigma/')).toBeGreaterThan(0);
  disposeGan(gan, store);
});

test('update directions: a small E step lowers the real pairs\' scores, a small G step raises the fake pairs\' scores', () => {
  const { gan, store } = buildBigBiGAN('encoder.stochastic = False\n');
  const images = tf.randomUniform([8, 8, 8, 1], 0, 1, 'float32', 3) as tf.Tensor4D;
  const z = gan.sampleZ(8);
  const realScore = () => tf.tidy(() => mean(sumScores(gan.scores(images, gan.encoderSample(images, true), gan.generator(z, null, true), z).real)));
  const fakeScore = () => tf.tidy(() => mean(sumScores(gan.scores(images, gan.encoderSample(images, true), gan.generator(z, null, true), z).fake)));
  const egLoss = () => {
    const fake = gan.generator(z, null, true);
    const ez = gan.encoderSample(images, true);
    return gan.createLoss({ images, realY: null, fake, fakeY: null, z, ez, mode: 'g' }).g_loss;
  };
  const r0 = realScore();
  const f0 = fakeScore();
  descend(tf.variableGrads(egLoss, gan.eVars()).grads);
  const r1 = realScore();
  expect(r1).toBeLessThan(r0);
  expect(fakeScore()).toBeCloseTo(f0, 6); // E does not change the fake pairs
  descend(tf.variableGrads(egLoss, gan.gVars()).grads);
  expect(fakeScore()).toBeGreaterThan(f0);
  expect(realScore()).toBeCloseTo(r1, 6); // G does not change the real pairs
  disposeGan(gan, store);
});

test('latent regression: l_EG adds w * mean ||E(G(z)) - z||^2, whose gradient reaches E through the fakes and G', () => {
  const { gan, store } = buildBigBiGAN('encoder.stochastic = False\nBigBiGAN.latent_regression_weight = 0.5\n');
  const p = pairs(gan);
  const out = gan.createLoss({ ...p, mode: 'g' });
  const s = gan.scores(p.images, p.ez, p.fake, p.z);
  const adversarial = mean(sumScores(s.real)) - mean(sumScores(s.fake));
  const reg = mean(tf.square(tf.sub(gan.encoder(p.fake, true).mu, p.z)));
  expect(out.summaries.e_loss_latent.dataSync()[0]).toBeCloseTo(reg, 4);
  expect(out.g_loss.dataSync()[0]).toBeCloseTo(adversarial + 0.5 * reg, 4);
  // D's loss is unchanged by it.
  expect(gan.createLoss({ ...p, mode: 'd' }).summaries.e_loss_latent).toBeUndefined();
  // The term alone trains E on G's samples, and G to keep z recoverable from its samples.
  const e = tf.variableGrads(() => gan.createLoss({ ...p, mode: 'g' }).summaries.e_loss_latent, gan.eVars());
  expect(gradMass(e.grads, 'encoder/')).toBeGreaterThan(0);
  const g = tf.variableGrads(() => {
    const fake = gan.generator(p.z, null, true);
    return gan.createLoss({ ...p, fake, mode: 'g' }).summaries.e_loss_latent;
  }, gan.gVars());
  expect(gradMass(g.grads, 'generator/')).toBeGreaterThan(0);
  disposeGan(gan, store);
});

test('normalize_mu: encode() standardises a batch over itself, and the latent regression leaves the moving averages to the real images', () => {
  const { gan, store } = buildBigBiGAN('encoder.stochastic = False\nencoder.normalize_mu = True\nBigBiGAN.latent_regression_weight = 1.0\n');
  const moving = () => [...store.all('encoder/mu_norm').entries()].filter(([k]) => /moving_/.test(k)).map(([k, v]) => [k, Array.from(v.dataSync())]);
  expect(moving().length).toBe(2);
  const p = pairs(gan); // E(x) of the real images in training mode: updates the moving averages
  const before = moving();
  // The latent regression's E(G(z)) must not pull the statistics encode() falls back on towards the fakes'.
  gan.createLoss({ ...p, mode: 'g' });
  expect(moving()).toEqual(before);
  // At inference a batch is standardised with its own statistics (the moving averages lag E's drifting raw output).
  const x = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
  const z = gan.encode(x);
  const m = tf.moments(z, 0);
  expect(Math.max(...Array.from(tf.abs(m.mean).dataSync()))).toBeLessThan(1e-4);
  expect(Array.from(z.dataSync()).map((v) => +v.toFixed(4))).toEqual(Array.from(gan.encoder(x, true).mu.dataSync()).map((v) => +v.toFixed(4)));
  // A single image falls back to the moving averages.
  expect(gan.encode(tf.slice(x, 0, 1) as tf.Tensor4D).shape).toEqual([1, 6]);
  disposeGan(gan, store);
});

test('latent regression is off by default (the paper\'s objective) and refuses a negative weight', () => {
  const { gan, store } = buildBigBiGAN();
  const p = pairs(gan);
  expect(gan.createLoss({ ...p, mode: 'g' }).summaries.e_loss_latent).toBeUndefined();
  disposeGan(gan, store);
  config.clear();
  expect(() => buildBigBiGAN('BigBiGAN.latent_regression_weight = -1.0\n')).toThrow(/latent_regression_weight must be >= 0/);
});

test('trainStep: disc_iters D updates (three heads) and one joint G+E update with E\'s own learning rate; finite losses', () => {
  const { gan, store } = buildBigBiGAN('options.disc_iters = 2\nBigBiGAN.encoder_lr = 0.001\nModularGAN.g_lr = 0.0002\n');
  expect((gan.eOptimizer as unknown as { learningRate: number }).learningRate).toBe(0.001);
  expect((gan.gOptimizer as unknown as { learningRate: number }).learningRate).toBe(0.0002);
  const heads = (prefix: string) => snapshot(store.trainable(prefix));
  const before = { g: heads('generator/'), e: heads('encoder/'), dx: heads('discriminator/'), dz: heads('discriminator_z/'), dxz: heads('discriminator_xz/') };
  const batches = [randomBatch(4, 1), randomBatch(4, 2)];
  const s = gan.trainStep(batches, 0);
  expect(Object.values(s).every(Number.isFinite)).toBe(true);
  expect(Object.keys(s)).toEqual(expect.arrayContaining(['d_loss', 'g_loss', 'd_loss_x', 'd_loss_z', 'd_loss_xz', 'e_loss_x', 'g_loss_xz', 'd_loss_0', 'd_loss_1']));
  expect(s.d_loss).toBeCloseTo(s.d_loss_x + s.d_loss_z + s.d_loss_xz, 4);
  for (const [k, v] of Object.entries(before)) expect([k, heads({ g: 'generator/', e: 'encoder/', dx: 'discriminator/', dz: 'discriminator_z/', dxz: 'discriminator_xz/' }[k]!)]).not.toEqual([k, v]);
  batches.forEach(disposeBatch);
  disposeGan(gan, store);
});

test('encode / reconstruct: shapes, deterministic encoding, stochastic training samples', () => {
  const { gan, store } = buildBigBiGAN();
  const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
  const z = gan.encode(x);
  expect(z.shape).toEqual([3, 6]);
  expect(Array.from(gan.encode(x).dataSync())).toEqual(Array.from(z.dataSync()));
  expect(Array.from(gan.encoderSample(x, false).dataSync())).not.toEqual(Array.from(z.dataSync()));
  expect(gan.encodeFeatures(x).shape[0]).toBe(3);
  expect(gan.encodeFeatures(x, 'mu').shape).toEqual([3, 6]);
  const r = gan.reconstruct(x);
  expect(r.shape).toEqual([3, 8, 8, 1]);
  expect(Array.from(r.dataSync())).toEqual(Array.from(gan.sample(z, null).dataSync()));
  const rmin = tf.min(r).dataSync()[0];
  const rmax = tf.max(r).dataSync()[0];
  expect(rmin).toBeGreaterThanOrEqual(0);
  expect(rmax).toBeLessThanOrEqual(1);
  disposeGan(gan, store);
});

test('optimizer state includes E\'s optimizer and restores', async () => {
  const { gan, store } = buildBigBiGAN();
  const b = randomBatch(4, 1);
  gan.trainStep([b], 0);
  const st = await optimizerState(gan);
  const eKeys = [...st.keys()].filter((k) => k.startsWith('e_opt/'));
  expect(eKeys.length).toBeGreaterThan(gan.eVars().length); // Adam: two slots per variable (+ iterations)
  await setOptimizerState(gan, st);
  expect(Object.values(gan.trainStep([b], 1)).every(Number.isFinite)).toBe(true);
  tf.dispose([...st.values()]);
  disposeBatch(b);
  disposeGan(gan, store);
});

test('bad settings are named', () => {
  expect(() => buildBigBiGAN('ModularGAN.conditional = True\n')).toThrow(/BigBiGAN is unconditional/);
  config.clear();
  expect(() => buildBigBiGAN('BigBiGAN.mlp_units = 0\n')).toThrow(/BigBiGAN.mlp_units must be an integer >= 1/);
  config.clear();
  expect(() => buildBigBiGAN('encoder.ch = 0\n')).toThrow(/encoder.ch must be a positive integer/);
});

test('a non-finite loss is reported, not applied: G, E and D keep their weights', () => {
  const { gan, store } = buildBigBiGAN();
  const before = snapshot(store.trainable());
  const b = randomBatch(4, 1);
  const bad = { ...b, images: tf.fill([4, 8, 8, 1], NaN) as tf.Tensor4D };
  const s = gan.trainStep([bad], 0);
  expect(Number.isNaN(s.d_loss)).toBe(true);
  expect(Number.isNaN(s.g_loss)).toBe(true);
  expect(snapshot(store.trainable())).toEqual(before);
  tf.dispose(bad.images);
  disposeBatch(b);
});

test('experimental_joint_gen_for_disc is refused (BigBiGAN needs each fake\'s z)', () => {
  expect(() => buildBigBiGAN('ModularGAN.experimental_joint_gen_for_disc = True\n')).toThrow(/experimental_joint_gen_for_disc = False/);
});
