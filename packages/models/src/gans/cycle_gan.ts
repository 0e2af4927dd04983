/**
 * CycleGAN (Zhu et al., "Unpaired Image-to-Image Translation using Cycle-Consistent Adversarial
 * Networks", ICCV 2017), after junyanz/pytorch-CycleGAN-and-pix2pix (cycle_gan_model.py):
 * G_a2b: A -> B and G_b2a: B -> A, discriminators D_b (real B vs G_a2b(a)) and D_a, trained on
 * unpaired batches (dataset.name = "unpaired"; batch.images = A, batch.imagesB = B).
 *
 *   G step  L_G = adv(D_b(G_a2b(a))) + adv(D_a(G_b2a(b)))
 *               + lambda_A |G_b2a(G_a2b(a)) - a|_1 + lambda_B |G_a2b(G_b2a(b)) - b|_1
 *               + lambda_identity (lambda_B |G_a2b(b) - b|_1 + lambda_A |G_b2a(a) - a|_1)
 *   D step  L_D = loss.fn's d_loss(D_b(b), D_b(pool_b(fakes))) + the same for D_a
 *
 * with images in [-1, 1] inside the networks. adv = loss.fn's g_loss; loss.fn defaults to
 * @least_squares here (the reference LSGAN), applied to D's raw patch scores (given as both
 * probs and logits, so every loss.fn works). Note: loss_lib's least_squares g_loss is
 * 0.5 * mean((D - 1)^2), half the reference's MSE term. Both generators share one optimizer and
 * both discriminators another (Adam(lr = 2e-4, beta1 = 0.5)); learning rate constant, then
 * linear to zero over the second half of training (lr_schedule.decay = "linear" unless bound).
 *
 * options.architecture names the generator as the reference's netG: "resnet_9blocks" (default of
 * the reference), "resnet_6blocks", "resnet_<N>blocks", "unet" or "unet_<size>"; the
 * discriminator is `patch_discriminator` (70x70 PatchGAN). Their widths: resnet_generator.ngf,
 * unet_generator.ngf, patch_discriminator.ndf / n_layers.
 */
import * as tf from '@tensorflow/tfjs-core';
import { config, configurable, t } from '@cgan/config-lang';
import { ImageTranslatorNet, PatchDiscriminatorNet, patch_discriminator, resnet_generator, unet_generator } from '../architectures/cyclegan';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';
import { Batch, DatasetInfo, GanDataset } from '../datasets/types';
import { isUnpaired, UnpairedDataset } from '../datasets/unpaired';
import { get_losses, least_squares } from '../losses/loss_lib';
import { OpContext } from '../ops/context';
import { LrSchedule, lr_schedule, makeLrSchedule } from '../optimizers/lr_schedule';
import { EvalSampler, GanNetwork, GanOptimizer, GanRuntime, GanVariant, Preview, PreviewContext, VariantEvalContext } from './abstract_gan';
import { ImagePool } from './image_pool';
import { GanOptions, getOptions } from './options';
import { minimize } from './train_core';

export type Direction = 'a2b' | 'b2a';

export interface CycleGANKwargs extends GanRuntime {
  lambda_A: number;
  lambda_B: number;
  lambda_identity: number;
  pool_size: number;
  lr: number;
  beta1: number;
  beta2: number;
}

/** Variable scopes of the four networks. */
export const CYCLEGAN_NETWORKS = {
  generator_a2b: 'generator_a2b',
  generator_b2a: 'generator_b2a',
  discriminator_a: 'discriminator_a',
  discriminator_b: 'discriminator_b',
} as const;

const toSigned = (x: tf.Tensor4D) => tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D;
const toUnit = (x: tf.Tensor4D) => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1) as tf.Tensor4D;
const l1 = (a: tf.Tensor, b: tf.Tensor) => tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar;

/** The generator named by options.architecture (the reference's netG). */
export function cycleganGenerator(architecture: unknown, outputChannels: number): ImageTranslatorNet {
  const name = typeof architecture === 'string' ? architecture : '';
  const resnet = /^resnet_(\d+)blocks$/.exec(name);
  if (resnet) return resnet_generator({ output_channels: outputChannels, n_blocks: Number(resnet[1]) } as never);
  const unet = /^unet(?:_(\d+))?$/.exec(name);
  if (unet) return unet_generator({ output_channels: outputChannels, ...(unet[1] ? { num_downs: Math.round(Math.log2(Number(unet[1]))) } : {}) } as never);
  throw new Error(
    `options.architecture = ${JSON.stringify(architecture)} is not a CycleGAN generator; use "resnet_9blocks", "resnet_6blocks", "resnet_<N>blocks", "unet" or "unet_<size>" (e.g. unet_256).`,
  );
}

@configurable('CycleGAN', {
  module: 'cycle_gan',
  params: {
    lambda_A: { default: 10.0, type: t.number, doc: 'weight of the cycle loss A -> B -> A' },
    lambda_B: { default: 10.0, type: t.number, doc: 'weight of the cycle loss B -> A -> B' },
    lambda_identity: { default: 0.5, type: t.number, doc: 'identity loss weight, relative to lambda_A / lambda_B (0: off)' },
    pool_size: { default: 50, type: t.int, doc: 'generated images kept for D (0: no history)' },
    lr: { default: 0.0002, type: t.number, doc: 'Adam learning rate of G and D' },
    beta1: { default: 0.5, type: t.number },
    beta2: { default: 0.999, type: t.number },
  },
})
export class CycleGAN implements GanVariant {
  readonly store: VariableStore;
  readonly rng: Rng;
  readonly datasetInfo: DatasetInfo;
  readonly options: GanOptions;
  readonly discIters = 1;
  readonly imageShape: [number, number, number];
  readonly gA2B: ImageTranslatorNet;
  readonly gB2A: ImageTranslatorNet;
  readonly dA: PatchDiscriminatorNet;
  readonly dB: PatchDiscriminatorNet;
  readonly gOptimizer: tf.Optimizer;
  readonly dOptimizer: tf.Optimizer;
  readonly lr: number;
  readonly lrSchedule: LrSchedule | null;
  readonly lambdaA: number;
  readonly lambdaB: number;
  readonly lambdaIdentity: number;
  /** The image pools' stream (declared: checkpointed with the run). */
  readonly poolRng: Rng;
  readonly poolA: ImagePool;
  readonly poolB: ImagePool;
  private readonly lossArgs: { fn?: unknown };
  private built = false;
  private previewInputs: { a: tf.Tensor4D; b: tf.Tensor4D } | null = null;

  constructor(kw: CycleGANKwargs) {
    if (!kw || !kw.store || !kw.rng || !kw.datasetInfo) throw new Error('CycleGAN must be constructed with { datasetInfo, store, rng } (the runner passes them).');
    const domains = kw.datasetInfo.domains;
    if (!domains) {
      throw new Error(
        `CycleGAN translates between two domains, but dataset '${kw.datasetInfo.name}' has one: set dataset.name = "unpaired" with a/dataset.name and b/dataset.name (or unpaired.folder = DIR with trainA, trainB, testA, testB).`,
      );
    }
    if (domains.a.imageShape[2] !== domains.b.imageShape[2]) {
      throw new Error(`CycleGAN: domain A has ${domains.a.imageShape[2]} channels, domain B ${domains.b.imageShape[2]}; set a/dataset.colors and b/dataset.colors to the same value.`);
    }
    this.store = kw.store;
    this.rng = kw.rng;
    this.datasetInfo = kw.datasetInfo;
    this.options = kw.parameters ?? getOptions();
    if (this.options.disc_iters !== 1) throw new Error(`CycleGAN alternates one G and one D update: set options.disc_iters = 1 (got ${this.options.disc_iters}).`);
    this.imageShape = domains.a.imageShape;
    const c = this.imageShape[2];
    this.gA2B = cycleganGenerator(this.options.architecture, c);
    this.gB2A = cycleganGenerator(this.options.architecture, c);
    this.dA = patch_discriminator({} as never);
    this.dB = patch_discriminator({} as never);
    for (const [k, v] of [['lambda_A', kw.lambda_A], ['lambda_B', kw.lambda_B], ['lambda_identity', kw.lambda_identity]] as const) {
      if (!(typeof v === 'number' && v >= 0)) throw new Error(`CycleGAN.${k} must be a number >= 0, got ${v}.`);
    }
    this.lambdaA = kw.lambda_A;
    this.lambdaB = kw.lambda_B;
    this.lambdaIdentity = kw.lambda_identity;
    this.lr = kw.lr;
    this.gOptimizer = tf.train.adam(kw.lr, kw.beta1, kw.beta2, 1e-8);
    this.dOptimizer = tf.train.adam(kw.lr, kw.beta1, kw.beta2, 1e-8);
    // The reference's schedule (constant, then linear to 0) unless lr_schedule.decay is bound.
    const sched = lr_schedule({} as never);
    if (config.query('lr_schedule', 'decay') === undefined) sched.decay = 'linear';
    this.lrSchedule = makeLrSchedule(sched, this.options.training_steps);
    this.lossArgs = config.query('loss', 'fn') === undefined ? { fn: least_squares } : {};
    this.poolRng = this.rng.fork('image_pool');
    this.poolA = new ImagePool(this.store, 'image_pool_a', kw.pool_size, this.imageShape, this.poolRng);
    this.poolB = new ImagePool(this.store, 'image_pool_b', kw.pool_size, this.imageShape, this.poolRng);
  }

  private ctx(): OpContext {
    return { store: this.store, rng: this.rng, isTraining: true };
  }

  private net(scopeName: string, fn: (ctx: OpContext) => tf.Tensor4D): tf.Tensor4D {
    return this.store.scope(scopeName, () => fn(this.ctx()));
  }

  /** G_a2b or G_b2a on images in [-1, 1]. */
  generate(direction: Direction, x: tf.Tensor4D): tf.Tensor4D {
    const g = direction === 'a2b' ? this.gA2B : this.gB2A;
    return this.net(direction === 'a2b' ? CYCLEGAN_NETWORKS.generator_a2b : CYCLEGAN_NETWORKS.generator_b2a, (ctx) => g.apply(ctx, x));
  }

  /** D_a or D_b: raw patch scores, flattened to [patches, 1]. */
  discriminate(domain: 'a' | 'b', x: tf.Tensor4D): tf.Tensor2D {
    const d = domain === 'a' ? this.dA : this.dB;
    const s = this.net(domain === 'a' ? CYCLEGAN_NETWORKS.discriminator_a : CYCLEGAN_NETWORKS.discriminator_b, (ctx) => d.apply(ctx, x));
    return tf.reshape(s, [-1, 1]) as tf.Tensor2D;
  }

  private losses(real: tf.Tensor2D, fake: tf.Tensor2D) {
    return get_losses({ d_real: real, d_fake: fake, d_real_logits: real, d_fake_logits: fake, ...this.lossArgs } as never);
  }

  networks(): GanNetwork[] {
    return Object.values(CYCLEGAN_NETWORKS).map((n) => ({ name: n, prefix: `${n}/` }));
  }

  private vars(...names: string[]): tf.Variable[] {
    return names.flatMap((n) => this.store.trainable(`${n}/`));
  }

  gVars(): tf.Variable[] {
    return this.vars(CYCLEGAN_NETWORKS.generator_a2b, CYCLEGAN_NETWORKS.generator_b2a);
  }

  dVars(): tf.Variable[] {
    return this.vars(CYCLEGAN_NETWORKS.discriminator_a, CYCLEGAN_NETWORKS.discriminator_b);
  }

  optimizers(): GanOptimizer[] {
    return [
      { name: 'g', optimizer: this.gOptimizer, baseLr: this.lr, schedule: this.lrSchedule, variables: () => this.gVars() },
      { name: 'd', optimizer: this.dOptimizer, baseLr: this.lr, schedule: this.lrSchedule, variables: () => this.dVars() },
    ];
  }

  randomStreams(): Record<string, Rng> {
    return { rng: this.rng, image_pool: this.poolRng };
  }

  build(): void {
    if (this.built) return;
    tf.tidy(() => {
      const x = tf.zeros([1, ...this.imageShape]) as tf.Tensor4D;
      for (const d of ['a2b', 'b2a'] as Direction[]) this.generate(d, x);
      this.discriminate('a', x);
      this.discriminate('b', x);
    });
    this.poolA.build();
    this.poolB.build();
    const allowed = this.networks().map((n) => n.prefix);
    const stray = [...this.store.all().entries()].filter(([n, v]) => v.trainable && !allowed.some((p) => n.startsWith(p))).map(([n]) => n);
    if (stray.length) throw new Error(`Trainable variables outside CycleGAN's networks: ${stray.join(', ')}.`);
    this.built = true;
  }

  trainStep(batches: Batch[], _step: number): Record<string, number> {
    if (batches.length !== 1) throw new Error(`CycleGAN.trainStep takes one batch, got ${batches.length}.`);
    const batch = batches[0];
    if (!batch.imagesB) throw new Error('CycleGAN needs unpaired batches (batch.imagesB): set dataset.name = "unpaired".');
    if (!this.built) this.build();
    const realA = tf.tidy(() => toSigned(batch.images));
    const realB = tf.tidy(() => toSigned(batch.imagesB!));
    let fakeA: tf.Tensor4D | null = null;
    let fakeB: tf.Tensor4D | null = null;
    let poolA: tf.Tensor4D | null = null;
    let poolB: tf.Tensor4D | null = null;
    try {
      const g = minimize(
        () => {
          const fB = this.generate('a2b', realA);
          const fA = this.generate('b2a', realB);
          fakeB = tf.keep(tf.clone(fB));
          fakeA = tf.keep(tf.clone(fA));
          const sB = this.discriminate('b', fB);
          const sA = this.discriminate('a', fA);
          const summaries: Record<string, tf.Scalar> = {
            g_loss_a2b: this.losses(sB, sB).g_loss,
            g_loss_b2a: this.losses(sA, sA).g_loss,
            cycle_loss_a: tf.mul(l1(this.generate('b2a', fB), realA), this.lambdaA) as tf.Scalar,
            cycle_loss_b: tf.mul(l1(this.generate('a2b', fA), realB), this.lambdaB) as tf.Scalar,
          };
          if (this.lambdaIdentity > 0) {
            summaries.identity_loss_a = tf.mul(l1(this.generate('a2b', realB), realB), this.lambdaB * this.lambdaIdentity) as tf.Scalar;
            summaries.identity_loss_b = tf.mul(l1(this.generate('b2a', realA), realA), this.lambdaA * this.lambdaIdentity) as tf.Scalar;
          }
          return { loss: tf.addN(Object.values(summaries)) as tf.Scalar, summaries };
        },
        [{ optimizer: this.gOptimizer, variables: this.gVars() }],
        'g_loss',
      );
      poolB = this.poolB.query(fakeB!);
      poolA = this.poolA.query(fakeA!);
      const d = minimize(
        () => {
          const lb = this.losses(this.discriminate('b', realB), this.discriminate('b', poolB!));
          const la = this.losses(this.discriminate('a', realA), this.discriminate('a', poolA!));
          return { loss: tf.add(la.d_loss, lb.d_loss) as tf.Scalar, summaries: { d_loss_a: la.d_loss, d_loss_b: lb.d_loss } };
        },
        [{ optimizer: this.dOptimizer, variables: this.dVars() }],
        'd_loss',
      );
      return { ...g, ...d };
    } finally {
      tf.dispose([realA, realB, ...[fakeA, fakeB, poolA, poolB].filter((x): x is tf.Tensor4D => x !== null)]);
    }
  }

  /** Translates images in [0, 1] (A -> B for 'a2b'); output in [0, 1]. */
  translate(x: tf.Tensor4D, direction: Direction): tf.Tensor4D {
    if (!this.built) this.build();
    this.checkImages(x);
    return tf.tidy(() => toUnit(this.generate(direction, toSigned(x))));
  }

  /** The translation and the cycle back (x -> G(x) -> F(G(x))), both in [0, 1]. */
  translateAndCycle(x: tf.Tensor4D, direction: Direction): { translated: tf.Tensor4D; cycled: tf.Tensor4D } {
    if (!this.built) this.build();
    this.checkImages(x);
    const back: Direction = direction === 'a2b' ? 'b2a' : 'a2b';
    const [translated, cycled] = tf.tidy(() => {
      const t1 = this.generate(direction, toSigned(x));
      return [toUnit(t1), toUnit(this.generate(back, t1))];
    });
    return { translated, cycled };
  }

  private checkImages(x: tf.Tensor4D): void {
    const [h, w, c] = this.imageShape;
    if (x.rank !== 4 || x.shape[1] !== h || x.shape[2] !== w || x.shape[3] !== c) {
      throw new Error(`CycleGAN was trained on ${h}x${w}x${c} images; got [${x.shape.join(', ')}].`);
    }
  }

  private unpaired(ds: GanDataset): UnpairedDataset {
    if (!isUnpaired(ds)) throw new Error(`CycleGAN needs the unpaired dataset it was trained on (dataset.name = "unpaired"), got '${ds.info.name}'.`);
    return ds as UnpairedDataset;
  }

  /** The first `n` test images of a domain, in order (one tensor; the caller disposes it). */
  async testImages(ds: GanDataset, domain: 'a' | 'b', n: number): Promise<tf.Tensor4D> {
    const parts: tf.Tensor4D[] = [];
    let have = 0;
    for await (const b of this.unpaired(ds).domain(domain).batches('test', { batchSize: Math.min(n, 256), repeat: false, dropRemainder: false })) {
      tf.dispose([b.labels, b.labelled]);
      parts.push(b.images);
      have += b.images.shape[0];
      if (have >= n) break;
    }
    const all = tf.concat(parts, 0) as tf.Tensor4D;
    tf.dispose(parts);
    if (all.shape[0] <= n) return all;
    const cut = tf.slice(all, 0, n) as tf.Tensor4D;
    all.dispose();
    return cut;
  }

  /** Translation grid: rows A, G(A), F(G(A)), B, F(B), G(F(B)) on the first test images. */
  async preview(n: number, ctx: PreviewContext): Promise<Preview> {
    const k = Math.max(1, Math.min(8, n));
    if (!this.previewInputs || this.previewInputs.a.shape[0] !== k) {
      const a = await this.testImages(ctx.dataset, 'a', k);
      const b = await this.testImages(ctx.dataset, 'b', k);
      const m = Math.min(a.shape[0], b.shape[0]);
      this.previewInputs = { a: tf.keep(tf.slice(a, 0, m)), b: tf.keep(tf.slice(b, 0, m)) };
      tf.dispose([a, b]);
    }
    const { a, b } = this.previewInputs;
    const ab = this.translateAndCycle(a, 'a2b');
    const ba = this.translateAndCycle(b, 'b2a');
    const images = tf.concat([a, ab.translated, ab.cycled, b, ba.translated, ba.cycled], 0) as tf.Tensor4D;
    tf.dispose([ab.translated, ab.cycled, ba.translated, ba.cycled]);
    return {
      images,
      columns: a.shape[0],
      caption: 'translation grid on the first test images: rows A, G_a2b(A), G_b2a(G_a2b(A)) (cycle), then B, G_b2a(B), G_a2b(G_b2a(B))',
    };
  }

  /** Translated A against real test B (a2b_*) and translated B against real test A (b2a_*). */
  evalSamplers(ctx: VariantEvalContext): EvalSampler[] {
    const ds = this.unpaired(ctx.dataset);
    const sampler = (direction: Direction): EvalSampler => {
      const from = direction === 'a2b' ? 'a' : 'b';
      const to = direction === 'a2b' ? 'b' : 'a';
      let source: tf.Tensor4D | null = null;
      let pos = 0;
      return {
        name: direction,
        dataset: ds.domain(to),
        split: 'test',
        sample: async (n: number) => {
          if (!source) source = tf.keep(await this.testImages(ds, from, ds.domain(from).info.numExamples.test));
          const total = source.shape[0];
          const idx = Int32Array.from({ length: n }, (_, i) => (pos + i) % total);
          pos = (pos + n) % total;
          const x = tf.tidy(() => tf.gather(source!, tf.tensor1d(idx, 'int32')) as tf.Tensor4D);
          try {
            return this.translate(x, direction);
          } finally {
            x.dispose();
          }
        },
      };
    };
    return [sampler('a2b'), sampler('b2a')];
  }

  /**
   * cycle_error_a / _b: mean |F(G(x)) - x| on test images (in [0, 1]); on the shapes task
   * (paired test scenes) shapes_a2b_accuracy / shapes_b2a_accuracy: how often the translation
   * of test image i is nearest (L2) to the other domain's rendering of scene i among all test
   * images of both domains (chance: shapes_chance = 1 / (2 * scenes)).
   */
  async extraMetrics(ctx: VariantEvalContext): Promise<Record<string, number>> {
    const ds = this.unpaired(ctx.dataset);
    const n = Math.min(ds.domain('a').info.numExamples.test, ds.domain('b').info.numExamples.test, 500);
    const a = await this.testImages(ds, 'a', n);
    const b = await this.testImages(ds, 'b', n);
    const out: Record<string, number> = {};
    try {
      const ab = this.translateInBatches(a, 'a2b');
      const ba = this.translateInBatches(b, 'b2a');
      out.cycle_error_a = tf.tidy(() => l1(ab.cycled, a).dataSync()[0]);
      out.cycle_error_b = tf.tidy(() => l1(ba.cycled, b).dataSync()[0]);
      if (ds.info.domains?.pairedTest && a.shape[0] === b.shape[0]) {
        out.shapes_a2b_accuracy = nearestIsTarget(ab.translated, b, a);
        out.shapes_b2a_accuracy = nearestIsTarget(ba.translated, a, b);
        out.shapes_chance = 1 / (2 * a.shape[0]);
      }
      tf.dispose([ab.translated, ab.cycled, ba.translated, ba.cycled]);
    } finally {
      tf.dispose([a, b]);
    }
    return out;
  }

  private translateInBatches(x: tf.Tensor4D, direction: Direction, bs = 64): { translated: tf.Tensor4D; cycled: tf.Tensor4D } {
    const ts: tf.Tensor4D[] = [];
    const cs: tf.Tensor4D[] = [];
    for (let i = 0; i < x.shape[0]; i += bs) {
      const part = tf.slice(x, i, Math.min(bs, x.shape[0] - i)) as tf.Tensor4D;
      const r = this.translateAndCycle(part, direction);
      part.dispose();
      ts.push(r.translated);
      cs.push(r.cycled);
    }
    const out = { translated: tf.concat(ts, 0) as tf.Tensor4D, cycled: tf.concat(cs, 0) as tf.Tensor4D };
    tf.dispose([...ts, ...cs]);
    return out;
  }
}

/**
 * Fraction of i for which translated[i]'s nearest image (squared L2) among target[*] and
 * source[*] is target[i]: right scene and right domain.
 */
export function nearestIsTarget(translated: tf.Tensor4D, target: tf.Tensor4D, source: tf.Tensor4D): number {
  return tf.tidy(() => {
    const n = translated.shape[0];
    const flat = (x: tf.Tensor4D) => tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
    const q = flat(translated);
    const cands = tf.concat([flat(target), flat(source)], 0) as tf.Tensor2D;
    const d = tf.sub(tf.sum(tf.square(cands), 1), tf.mul(2, tf.matMul(q, cands, false, true)));
    const nearest = tf.argMin(d, 1);
    const correct = tf.equal(nearest, tf.range(0, n, 1, 'int32'));
    return tf.mean(tf.cast(correct, 'float32')).dataSync()[0];
  });
}

/** Whether a GAN translates between two domains (CycleGAN or a class with the same methods). */
export function isTranslator(gan: unknown): gan is Pick<CycleGAN, 'translate' | 'translateAndCycle' | 'imageShape'> {
  const g = gan as Record<string, unknown> | null;
  return !!g && typeof g.translate === 'function' && typeof g.translateAndCycle === 'function';
}
