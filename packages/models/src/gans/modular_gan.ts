/**
 * compare_gan's ModularGAN: a GAN assembled from an architecture (`options.architecture`), a loss
 * (`loss.fn`), a penalty (`penalty.fn`, weight `options.lamba`), optimizers and the training
 * schedule (`options.disc_iters` D updates, then one G update). Eager TF.js: gradients come from
 * `tf.variableGrads` and are applied with `optimizer.applyGradients`.
 *
 * Constructed by the runner as `new gan_class({ datasetInfo, store, rng })` (optionally with
 * `parameters`, the resolved `options`; otherwise they are read from the bindings); every other
 * argument comes from bindings (`ModularGAN.g_lr = ...`).
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, t } from '@cgan/config-lang';
import { Architecture, DiscriminatorOutput } from '../architectures/abstract_arch';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';
import { Batch, DatasetInfo } from '../datasets/types';
import { configuredLoss, discriminatorAccuracy, generatorLossFromFakes, get_losses, gLossReadsOnlyFakes } from '../losses/loss_lib';
import { LrSchedule, lrScheduleFor } from '../optimizers/lr_schedule';
import { AdamOptimizer, OptimizerFn } from '../optimizers/tf_train';
import { get_penalty_loss } from '../penalties/penalty_lib';
import { clipWeights, weight_clipping } from '../penalties/weight_clipping';
import { EvalSampler, GanNetwork, GanOptimizer, GanRuntime, GanVariant, NoiseSampler, Preview, PreviewContext, VariantEvalContext, withRewoundStreams } from './abstract_gan';
import { resolveArchitecture } from './architecture';
import { GeneratorEma } from './ema';
import { GanOptions, getOptions } from './options';
import { HeadContext, maskedOneHot } from './tensor_utils';
import { minimize } from './train_core';
import { z_generator } from './z';

export interface ModularGANKwargs extends GanRuntime {
  /** The resolved `options` (runner_lib's get_options_dict); read from bindings when omitted. */
  parameters?: GanOptions;
  deprecated_split_disc_calls: boolean;
  experimental_joint_gen_for_disc: boolean;
  g_use_ema: boolean;
  ema_decay: number;
  ema_start_step: number;
  g_optimizer_fn: OptimizerFn;
  d_optimizer_fn: OptimizerFn | null;
  g_lr: number;
  d_lr: number | null;
  conditional: boolean;
  fit_label_distribution: boolean;
}

/** What a sub-step's loss is computed from. */
export interface StepInputs {
  /** Real images [bs, h, w, c]. */
  images: tf.Tensor4D;
  /** Real labels one-hot [bs, classes] (all-zero rows for hidden labels), null if unconditional. */
  realY: tf.Tensor2D | null;
  /** Generated images [bs, h, w, c]. */
  fake: tf.Tensor4D;
  /** Labels the fakes were generated with, null if unconditional. */
  fakeY: tf.Tensor2D | null;
  /** Which loss is being minimised: D's (penalty included) or G's. */
  mode: 'd' | 'g';
  /**
   * Mode 'g' only, set by generatorStep when `generatorSkipsReal()` holds: the variant may run D
   * on the fakes alone (its G loss is then exactly the same) and leave out the summaries of the
   * real half. A variant that ignores it computes the full real + fake path, as before.
   */
  fakesOnly?: boolean;
}

export interface LossOutputs {
  d_loss: tf.Scalar;
  g_loss: tf.Scalar;
  /** Extra scalars reported by trainStep (e.g. penalty, rotation losses). */
  summaries: Record<string, tf.Scalar>;
}

/** Trainable variable name prefixes of G and D (compare_gan: "generator"/"discriminator" in var.name). */
export const G_PREFIX = 'generator';
export const D_PREFIX = 'discriminator';

@configurable('ModularGAN', {
  module: 'modular_gan',
  params: {
    deprecated_split_disc_calls: { default: false, type: t.bool, doc: 'pass real and fake images through D separately' },
    experimental_joint_gen_for_disc: { default: false, type: t.bool, doc: 'generate the fakes of all disc_iters D steps in one G call' },
    g_use_ema: { default: false, type: t.bool, doc: 'sample with moving averages of G weights' },
    ema_decay: { default: 0.9999, type: t.number },
    ema_start_step: { default: 40000, type: t.int, doc: 'EMA decay is 0 before this step' },
    g_optimizer_fn: { default: AdamOptimizer, type: t.any, doc: '@tf.train.AdamOptimizer and others' },
    d_optimizer_fn: { default: null, type: t.any, doc: 'None: same as g_optimizer_fn' },
    g_lr: { default: 0.0002, type: t.number },
    d_lr: { default: null, type: t.optional(t.number), doc: 'None: g_lr' },
    conditional: { default: false, type: t.bool, doc: 'G and D get one-hot labels' },
    fit_label_distribution: { default: false, type: t.bool, doc: 'fakes use the real batch labels; sampling follows the label counts' },
  },
})
export class ModularGAN implements GanVariant, NoiseSampler {
  readonly store: VariableStore;
  /** The run's one random stream (z, sampled labels, penalty noise); the runner checkpoints its state. */
  readonly rng: Rng;
  readonly datasetInfo: DatasetInfo;
  readonly options: GanOptions;
  readonly zDim: number;
  readonly discIters: number;
  readonly conditional: boolean;
  readonly numClasses: number;
  readonly architecture: Architecture;
  readonly gOptimizer: tf.Optimizer;
  readonly dOptimizer: tf.Optimizer;
  readonly gLr: number;
  readonly dLr: number;
  /** `lr_schedule` (constant by default), applied to every optimizer by the runner. */
  readonly lrSchedule: LrSchedule | null;
  protected readonly lambda: number;
  protected readonly splitDiscCalls: boolean;
  protected readonly jointGenForDisc: boolean;
  protected readonly fitLabelDistribution: boolean;
  protected readonly ema: GeneratorEma | null;
  protected readonly clipLimit: number | null;
  protected built = false;
  private previewInputs: { z: tf.Tensor2D; y: tf.Tensor2D | null } | null = null;

  constructor(kw: ModularGANKwargs) {
    if (!kw || !kw.store || !kw.rng || !kw.datasetInfo) {
      throw new Error(`${new.target.name} must be constructed with { datasetInfo, store, rng } (the runner passes them).`);
    }
    this.store = kw.store;
    this.rng = kw.rng;
    this.datasetInfo = kw.datasetInfo;
    this.options = kw.parameters ?? getOptions();
    this.zDim = this.options.z_dim;
    this.discIters = this.options.disc_iters;
    this.lambda = this.options.lambda;
    this.numClasses = kw.datasetInfo.numClasses;
    if (kw.conditional && !(this.numClasses > 0)) {
      throw new Error(`ModularGAN.conditional = True but dataset '${kw.datasetInfo.name}' has no labels; set ModularGAN.conditional = False.`);
    }
    this.conditional = kw.conditional;
    this.fitLabelDistribution = kw.fit_label_distribution;
    this.splitDiscCalls = kw.deprecated_split_disc_calls;
    this.jointGenForDisc = kw.experimental_joint_gen_for_disc;
    const dOptFn = kw.d_optimizer_fn ?? kw.g_optimizer_fn;
    const dLr = kw.d_lr ?? kw.g_lr;
    if (typeof kw.g_optimizer_fn !== 'function' || typeof dOptFn !== 'function') {
      throw new Error('ModularGAN.g_optimizer_fn / d_optimizer_fn must be optimizer references such as @tf.train.AdamOptimizer.');
    }
    this.gLr = kw.g_lr;
    this.dLr = dLr;
    this.lrSchedule = lrScheduleFor(this.options.training_steps);
    this.gOptimizer = kw.g_optimizer_fn({ learning_rate: kw.g_lr, name: 'g_' });
    this.dOptimizer = dOptFn({ learning_rate: dLr, name: 'd_' });
    this.ema = kw.g_use_ema ? new GeneratorEma(this.store, kw.ema_decay, kw.ema_start_step) : null;
    this.clipLimit = weight_clipping({} as never);
    this.architecture = this.buildArchitecture();
  }

  /** Builds `options.architecture`'s networks (weights are created lazily, on first use). */
  protected buildArchitecture(conditional = this.conditional): Architecture {
    const archFn = resolveArchitecture(this.options.architecture);
    return archFn({
      store: this.store,
      imageShape: this.datasetInfo.imageShape,
      numClasses: this.numClasses,
      zDim: this.zDim,
      conditional,
      rng: this.rng,
    });
  }

  /** Where D's auxiliary heads live; they use spectral norm when the architecture's D does. */
  headContext(isTraining: boolean): HeadContext {
    const d = this.architecture.discriminator as unknown as { spectralNorm?: boolean };
    return { store: this.store, rng: this.rng, isTraining, useSn: d.spectralNorm === true };
  }

  /** G and D; subclasses add theirs. A trainable variable outside them is an error (compare_gan's _check_variables). */
  networks(): GanNetwork[] {
    return [
      { name: 'generator', prefix: G_PREFIX },
      { name: 'discriminator', prefix: D_PREFIX },
    ];
  }

  /** G's and D's optimizers ('g', 'd'); subclasses add theirs. */
  optimizers(): GanOptimizer[] {
    return [
      { name: 'g', optimizer: this.gOptimizer, baseLr: this.gLr, schedule: this.lrSchedule, variables: () => this.gVars() },
      { name: 'd', optimizer: this.dOptimizer, baseLr: this.dLr, schedule: this.lrSchedule, variables: () => this.dVars() },
    ];
  }

  /** The one stream: z, sampled labels and penalty noise all draw from the run's stream. */
  randomStreams(): Record<string, Rng> {
    return { rng: this.rng };
  }

  build(): void {
    if (this.built) return;
    tf.tidy(() => {
      // One forward pass at the training batch size creates every variable (heads included).
      const bs = this.options.batch_size;
      const z = this.sampleZ(bs);
      const y = this.conditional ? this.sampleLabels(bs) : null;
      const x = this.generator(z, y, false);
      const images = tf.zeros([bs, ...this.datasetInfo.imageShape]) as tf.Tensor4D;
      const realY = this.conditional ? this.sampleLabels(bs) : null;
      this.createLoss({ images, realY, fake: x, fakeY: y, mode: 'g' });
    });
    if (this.conditional && this.fitLabelDistribution) this.labelCounts();
    if (this.ema) this.ema.init(this.gVars());
    const allowed = this.networks().map((n) => n.prefix);
    const stray = [...this.store.all().entries()].filter(([n, v]) => v.trainable && !allowed.some((p) => n.startsWith(p))).map(([n]) => n);
    if (stray.length) {
      throw new Error(`Trainable variables belong to neither G nor D: ${stray.join(', ')}; name them under ${allowed.map((p) => `'${p}'`).join(' or ')}.`);
    }
    this.built = true;
  }

  gVars(): tf.Variable[] {
    return this.store.trainable(G_PREFIX);
  }

  dVars(): tf.Variable[] {
    return this.store.trainable(D_PREFIX);
  }

  /** G(z, y). */
  generator(z: tf.Tensor2D, y: tf.Tensor2D | null, isTraining: boolean): tf.Tensor4D {
    return this.architecture.generator.apply(z, this.conditional ? y : null, isTraining);
  }

  /** D(x, y). Variants add heads by overriding this. */
  discriminator(x: tf.Tensor4D, y: tf.Tensor2D | null, isTraining: boolean): DiscriminatorOutput {
    return this.architecture.discriminator.apply(x, this.conditional ? y : null, isTraining);
  }

  sampleZ(batchSize: number): tf.Tensor2D {
    return z_generator({ shape: [batchSize, this.zDim], seed: this.rng.nextSeed() } as never);
  }

  /** Uniformly drawn one-hot labels (compare_gan's label_generator). */
  sampleLabels(batchSize: number): tf.Tensor2D {
    const idx = new Int32Array(batchSize);
    for (let i = 0; i < batchSize; i++) idx[i] = this.rng.int(this.numClasses);
    return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(idx, 'int32'), this.numClasses), 'float32') as tf.Tensor2D);
  }

  /** label_counts (fit_label_distribution): non-trainable, initialised to 1e-6. */
  protected labelCounts(): tf.Variable {
    return this.store.scope('label_counts', () => this.store.get('label_counts', [this.numClasses], (s) => tf.fill(s, 1e-6), false));
  }

  /** One-hot labels of the real batch (zero rows where labelled == 0), null if unconditional. */
  realLabels(batch: Batch): tf.Tensor2D | null {
    if (!this.conditional) return null;
    return maskedOneHot(batch.labels, batch.labelled, this.numClasses);
  }

  /** Labels for the fakes of a sub-step: the real ones when fit_label_distribution, else uniform. */
  protected fakeLabels(batch: Batch, realY: tf.Tensor2D | null): tf.Tensor2D | null {
    if (!this.conditional) return null;
    if (this.fitLabelDistribution && realY) return tf.clone(realY);
    return this.sampleLabels(batch.images.shape[0]);
  }

  /** D on real and fake images: one concatenated call, or two with deprecated_split_disc_calls. */
  protected discriminateRealAndFake(inp: StepInputs): { real: DiscriminatorOutput; fake: DiscriminatorOutput } {
    if (this.splitDiscCalls) {
      return { real: this.discriminator(inp.images, inp.realY, true), fake: this.discriminator(inp.fake, inp.fakeY, true) };
    }
    const bs = inp.images.shape[0];
    const allY = inp.realY && inp.fakeY ? (tf.concat([inp.realY, inp.fakeY], 0) as tf.Tensor2D) : null;
    const all = this.discriminator(tf.concat([inp.images, inp.fake], 0) as tf.Tensor4D, allY, true);
    const split = (x: tf.Tensor2D) => tf.split(x, [bs, x.shape[0] - bs], 0) as [tf.Tensor2D, tf.Tensor2D];
    const [pr, pf] = split(all.probs);
    const [lr, lf] = split(all.logits);
    const [fr, ff] = split(all.features);
    return { real: { probs: pr, logits: lr, features: fr }, fake: { probs: pf, logits: lf, features: ff } };
  }

  /**
   * Whether G's step runs D on the fakes alone instead of compare_gan's real + fake call. Exact
   * (same G loss, same gradients, same state afterwards) when:
   * 1. D is row-independent (`DiscriminatorNet.rowIndependent`: no batch norm in D), so D(fake)
   *    does not depend on the real images beside it; spectral norm's power iteration depends on
   *    the weights only and still advances once per D call, as before;
   * 2. loss.fn's g_loss reads only the fakes (`gLossReadsOnlyFakes`: the four losses of loss_lib);
   * 3. the variant's G loss reads nothing else of the real half (ModularGAN, SSGAN, S3GAN, S2GAN:
   *    their rotation and class heads on the real images feed only D's loss and summaries).
   * Not with deprecated_split_disc_calls (D is called twice there, its power iteration too).
   * A subclass whose `discriminator()` adds batch statistics must override this with `false`.
   */
  generatorSkipsReal(): boolean {
    return this.architecture.discriminator.rowIndependent === true && !this.splitDiscCalls && gLossReadsOnlyFakes(configuredLoss());
  }

  /** compare_gan's create_loss: loss.fn on D's outputs plus lambda * penalty.fn (D's loss only). */
  createLoss(inp: StepInputs): LossOutputs {
    if (inp.mode === 'g' && inp.fakesOnly) {
      const fake = this.discriminator(inp.fake, inp.fakeY, true);
      return { d_loss: tf.scalar(NaN), g_loss: generatorLossFromFakes(configuredLoss(), fake.probs, fake.logits), summaries: {} };
    }
    const { real, fake } = this.discriminateRealAndFake(inp);
    const losses = get_losses({ d_real: real.probs, d_fake: fake.probs, d_real_logits: real.logits, d_fake_logits: fake.logits } as never);
    const summaries: Record<string, tf.Scalar> = { d_loss_real: losses.d_loss_real, d_loss_fake: losses.d_loss_fake };
    let dLoss = losses.d_loss;
    if (inp.mode === 'd') {
      const penalty = this.penalty(inp);
      summaries.penalty = penalty;
      dLoss = tf.add(dLoss, tf.mul(this.lambda, penalty)) as tf.Scalar;
      Object.assign(summaries, discriminatorAccuracy(real.logits, fake.logits));
    }
    return { d_loss: dLoss, g_loss: losses.g_loss, summaries };
  }

  /** penalty.fn with D's labels bound to the real labels (compare_gan's functools.partial). */
  protected penalty(inp: StepInputs): tf.Scalar {
    return get_penalty_loss({
      x: inp.images,
      x_fake: inp.fake,
      discriminator: (x: tf.Tensor4D, isTraining: boolean) => this.discriminator(x, inp.realY, isTraining),
      is_training: true,
      store: this.store,
      rng: this.rng,
    } as never);
  }

  /** One update minimising `lossFn()[which]` over `vars` with `opt` (the shared training core). */
  protected minimize(opt: tf.Optimizer, vars: tf.Variable[], lossFn: () => LossOutputs, which: 'd_loss' | 'g_loss'): Record<string, number> {
    return minimize(
      () => {
        const out = lossFn();
        return { loss: out[which], summaries: out.summaries };
      },
      [{ optimizer: opt, variables: vars }],
      which,
    );
  }

  trainStep(batches: Batch[], step: number): Record<string, number> {
    if (batches.length !== this.discIters) {
      throw new Error(`${this.constructor.name}.trainStep needs options.disc_iters = ${this.discIters} batches, got ${batches.length}.`);
    }
    if (!this.built) this.build();
    const summaries: Record<string, number> = {};
    // disc_iters discriminator updates, each on its own batch and fresh fakes (G is fixed during
    // them, so with experimental_joint_gen_for_disc all fakes come from one G call).
    const joint = this.jointGenForDisc && batches.length > 1 ? this.jointFakes(batches) : null;
    try {
      batches.forEach((batch, i) => {
        const dOut = this.discriminatorStep(batch, joint ? joint[i] : undefined);
        for (const [k, v] of Object.entries(dOut)) summaries[k] = v;
        summaries[`d_loss_${i}`] = dOut.d_loss;
      });
    } finally {
      if (joint) joint.forEach((j) => tf.dispose([j.fake, ...(j.fakeY ? [j.fakeY] : [])]));
    }
    // One generator update on the last batch (its real half feeds D, as compare_gan's sub-step).
    const gOut = this.generatorStep(batches[batches.length - 1], step);
    for (const [k, v] of Object.entries(gOut)) if (!(k in summaries) || k === 'g_loss') summaries[k] = v;
    return summaries;
  }

  /** The fakes (and their labels) of every D step from one generator call. */
  protected jointFakes(batches: Batch[]): Array<{ fake: tf.Tensor4D; fakeY: tf.Tensor2D | null }> {
    const sizes = batches.map((b) => b.images.shape[0]);
    const ys = batches.map((b) => {
      const realY = this.realLabels(b);
      const fakeY = this.fakeLabels(b, realY);
      if (realY) realY.dispose();
      return fakeY;
    });
    const total = sizes.reduce((a, b) => a + b, 0);
    const z = this.sampleZ(total);
    const allY = ys[0] ? (tf.concat(ys as tf.Tensor2D[], 0) as tf.Tensor2D) : null;
    const fakes = tf.tidy(() => tf.split(this.generator(z, allY, true), sizes, 0) as tf.Tensor4D[]);
    tf.dispose([z, ...(allY ? [allY] : [])]);
    return fakes.map((fake, i) => ({ fake, fakeY: ys[i] }));
  }

  protected discriminatorStep(batch: Batch, given?: { fake: tf.Tensor4D; fakeY: tf.Tensor2D | null }): Record<string, number> {
    const realY = this.realLabels(batch);
    const fakeY = given ? null : this.fakeLabels(batch, realY);
    const z = given ? null : this.sampleZ(batch.images.shape[0]);
    const fake = given ? null : tf.tidy(() => this.generator(z!, fakeY, true));
    try {
      const inputs = given ? { fake: given.fake, fakeY: given.fakeY } : { fake: fake!, fakeY };
      const out = this.minimize(this.dOptimizer, this.dVars(), () => this.createLoss({ images: batch.images, realY, ...inputs, mode: 'd' }), 'd_loss');
      if (this.clipLimit !== null) clipWeights(this.dVars(), this.clipLimit);
      return out;
    } finally {
      tf.dispose([realY, fakeY, z, fake].filter((x) => x !== null) as tf.Tensor[]);
    }
  }

  protected generatorStep(batch: Batch, step: number): Record<string, number> {
    const realY = this.realLabels(batch);
    const fakeY = this.fakeLabels(batch, realY);
    const z = this.sampleZ(batch.images.shape[0]);
    const fakesOnly = this.generatorSkipsReal();
    try {
      const out = this.minimize(
        this.gOptimizer,
        this.gVars(),
        () => {
          const fake = this.generator(z, fakeY, true);
          return this.createLoss({ images: batch.images, realY, fake, fakeY, mode: 'g', fakesOnly });
        },
        'g_loss',
      );
      if (this.conditional && this.fitLabelDistribution && fakeY) {
        const counts = this.labelCounts();
        tf.tidy(() => counts.assign(tf.add(counts, tf.sum(fakeY, 0))));
      }
      if (this.ema) this.ema.update(this.gVars(), step);
      return out;
    } finally {
      tf.dispose([realY, fakeY, z].filter((x) => x !== null) as tf.Tensor[]);
    }
  }

  /**
   * Images from the sampling generator: G in inference mode, with the moving averages of its
   * weights when g_use_ema. Conditional: y one-hot; null draws uniform labels (with
   * fit_label_distribution: labels from the learned label counts, as compare_gan's eval mode).
   */
  sample(z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D {
    if (!this.built) this.build();
    return tf.tidy(() => {
      let labels = y;
      if (this.conditional) {
        if (!labels && this.fitLabelDistribution) {
          const counts = this.labelCounts();
          const idx = tf.multinomial(tf.log(tf.div(counts, tf.sum(counts))) as tf.Tensor1D, z.shape[0], this.rng.nextSeed()) as tf.Tensor1D;
          labels = tf.cast(tf.oneHot(tf.cast(idx, 'int32'), this.numClasses), 'float32') as tf.Tensor2D;
        } else if (!labels) {
          labels = this.sampleLabels(z.shape[0]);
        }
      }
      const run = () => this.generator(z, labels, false);
      return this.ema ? this.ema.withAveragedWeights(this.gVars(), run) : run();
    });
  }

  /**
   * The sample grid: the sampling generator on fixed z (and labels i mod K when conditional),
   * drawn once from the rewound streams, so the same in every run and after resuming.
   */
  preview(n: number, _ctx?: PreviewContext): Preview {
    if (!this.previewInputs || this.previewInputs.z.shape[0] !== n) {
      if (this.previewInputs) tf.dispose([this.previewInputs.z, ...(this.previewInputs.y ? [this.previewInputs.y] : [])]);
      const k = this.numClasses;
      this.previewInputs = withRewoundStreams(Object.values(this.randomStreams()), () => ({
        z: tf.keep(this.sampleZ(n)),
        y: this.conditional && k > 0 ? (tf.keep(tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % k), 'int32'), k), 'float32'))) as tf.Tensor2D) : null,
      }));
    }
    const { z, y } = this.previewInputs;
    return {
      images: tf.tidy(() => this.sample(z, y)),
      caption: `the generator${this.ema ? ' (its moving averages, g_use_ema)' : ''} on fixed z${this.conditional ? ' and fixed labels (class i mod K)' : ''}`,
      checkDiversity: true,
      inputs: { z, y },
    };
  }

  /** Evaluation compares samples (uniformly drawn labels when conditional) with the real test split. */
  evalSamplers(ctx: VariantEvalContext): EvalSampler[] {
    const k = ctx.dataset.info.numClasses;
    return [
      {
        name: '',
        sample: (n: number): tf.Tensor4D => {
          const z = this.sampleZ(n);
          let y: tf.Tensor2D | null = null;
          if (this.conditional) {
            const labels = Int32Array.from({ length: n }, () => ctx.rng.int(k));
            y = tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(labels, 'int32'), k), 'float32') as tf.Tensor2D);
          }
          try {
            return this.sample(z, y);
          } finally {
            z.dispose();
            y?.dispose();
          }
        },
      },
    ];
  }
}

/** compare_gan's example configs name `@GPUModularGAN`; on this port it is ModularGAN itself. */
@configurable('GPUModularGAN', { module: 'modular_gan', params: {} })
export class GPUModularGAN extends ModularGAN {}
