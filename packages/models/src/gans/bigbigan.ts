/**
 * BigBiGAN (Donahue & Simonyan, "Large Scale Adversarial Representation Learning",
 * arXiv:1907.02544): a GAN with an encoder E (images -> latents) and a discriminator that judges
 * (image, latent) pairs. Real pairs are (x, E(x)), fake pairs (G(z), z).
 *
 * The discriminator has three heads (paper, section 2):
 *   s_x(x)     = the architecture's D logit, theta_x . F(x)   (F: D's last features)
 *   s_z(z)     = theta_z . H(z)                               (H: MLP on z, scope discriminator_z)
 *   s_xz(x, z) = theta_xz . J(F(x), H(z))                     (J: MLP on [F, H], scope discriminator_xz)
 * D minimises the configured loss (`loss.fn`, hinge in the paper) of each head, summed:
 *   l_D = sum_k loss_k(real = s_k(x, E(x)), fake = s_k(G(z), z))      (+ lambda * penalty on s_x)
 * G and E minimise the same sum with the roles flipped: G wants its pairs scored as real, E wants
 * its pairs scored as fake. Each head contributes the loss's generator term on the fake pairs and
 * the same term on the negated real scores:
 *   l_EG = sum_k g_loss(fake = s_k(G(z), z)) + g_loss(fake = -s_k(x, E(x)))
 * which for the hinge loss is the paper's l_EG = E[s(x, E(x))] - E[s(G(z), z)] with
 * s = s_x + s_z + s_xz. G and E are updated together (one gradient computation), each with its own
 * optimizer: E's learning rate is `BigBiGAN.encoder_lr` (the paper's "higher encoder LR").
 *
 * Optional, not in the paper: `BigBiGAN.latent_regression_weight` w > 0 adds w * mean ||E(G(z)) - z||^2
 * to l_EG (E learns to invert G on its samples, G to keep z recoverable, as InfoGAN's mutual-information
 * term). In short runs the joint head s_xz learns no link between an image and its latent, so the
 * adversarial l_EG alone gives E no x-dependent signal (docs/RESULTS.md table 4).
 *
 * The encoder is `BigBiGAN.encoder_fn` (default @encoder, architectures/encoder.ts); a stochastic
 * encoder samples z = mu + sigma * eps during training (reparameterised); `encode(x)` returns mu.
 * `reconstruct(x)` = G(E(x)) with the sampling generator. Unconditional only.
 */
import * as tf from '@tensorflow/tfjs-core';
import { config, configurable, registry, t } from '@cgan/config-lang';
import '../architectures';
import { encoder as defaultEncoder, EncoderFn, EncoderNet, EncoderOutput } from '../architectures/encoder';
import { Batch } from '../datasets/types';
import { get_losses, GanLosses } from '../losses/loss_lib';
import { OptimizerFn } from '../optimizers/tf_train';
import { clipWeights } from '../penalties/weight_clipping';
import { baseDatasetName } from '../datasets/unpaired';
import { extractorFor } from '../metrics/evaluate';
import { FeatureExtractor } from '../metrics/extractors/types';
import { encoderMetrics } from '../representation/evaluate';
import { GanNetwork, GanOptimizer, VariantEvalContext } from './abstract_gan';
import { minimize } from './train_core';
import { LossOutputs, ModularGAN, ModularGANKwargs, StepInputs } from './modular_gan';
import { HeadContext, linear } from './tensor_utils';

/** Trainable variable prefix of the encoder. */
export const E_PREFIX = 'encoder';

export interface BigBiGANKwargs extends ModularGANKwargs {
  encoder_fn: EncoderFn;
  encoder_lr: number | null;
  encoder_optimizer_fn: OptimizerFn | null;
  z_mlp_layers: number;
  xz_mlp_layers: number;
  mlp_units: number;
  latent_regression_weight: number;
}

/** A training sub-step's inputs: the images and fakes of ModularGAN plus both pairs' latents. */
export interface BigBiStepInputs extends StepInputs {
  /** The latents the fakes were generated from [bs, z_dim]. */
  z?: tf.Tensor2D;
  /** E(x) for the real images [bs, z_dim]. */
  ez?: tf.Tensor2D;
}

/** The three heads' scores of the real pairs (x, E(x)) and the fake pairs (G(z), z), each [bs, 1]. */
export interface JointScores {
  real: { x: tf.Tensor2D; z: tf.Tensor2D; xz: tf.Tensor2D };
  fake: { x: tf.Tensor2D; z: tf.Tensor2D; xz: tf.Tensor2D };
}

export const BIGBIGAN_HEADS = ['x', 'z', 'xz'] as const;

function losses(real: tf.Tensor2D, fake: tf.Tensor2D): GanLosses {
  return get_losses({ d_real: tf.sigmoid(real), d_fake: tf.sigmoid(fake), d_real_logits: real, d_fake_logits: fake } as never);
}

@configurable('BigBiGAN', {
  module: 'bigbigan',
  params: {
    encoder_fn: { default: defaultEncoder, type: t.any, doc: 'builds the encoder E: @encoder (architectures/encoder.ts) or another' },
    encoder_lr: { default: null, type: t.optional(t.number), doc: "E's learning rate; None: g_lr (the paper uses a higher one)" },
    encoder_optimizer_fn: { default: null, type: t.any, doc: "E's optimizer; None: g_optimizer_fn" },
    z_mlp_layers: { default: 2, type: t.int, doc: 'layers of H, the MLP on z (residual after the first)' },
    xz_mlp_layers: { default: 2, type: t.int, doc: 'layers of J, the MLP on [F(x), H(z)] (residual after the first)' },
    mlp_units: { default: 256, type: t.int, doc: 'width of H and J' },
    latent_regression_weight: {
      default: 0,
      type: t.number,
      doc: "weight of the latent regression term mean ||E(G(z)) - z||^2 added to l_EG (0: the paper's purely adversarial objective)",
    },
  },
})
export class BigBiGAN extends ModularGAN {
  readonly encoderNet: EncoderNet;
  readonly eOptimizer: tf.Optimizer;
  readonly eLr: number;
  readonly zMlpLayers: number;
  readonly xzMlpLayers: number;
  readonly mlpUnits: number;
  readonly latentRegressionWeight: number;

  constructor(kw: BigBiGANKwargs) {
    super(kw);
    if (this.conditional) {
      throw new Error('BigBiGAN is unconditional here (its encoder and joint discriminator take no labels); set ModularGAN.conditional = False.');
    }
    if (this.jointGenForDisc) {
      throw new Error('BigBiGAN pairs every fake with its latent z, which experimental_joint_gen_for_disc does not keep; set ModularGAN.experimental_joint_gen_for_disc = False.');
    }
    for (const [name, v, min] of [['z_mlp_layers', kw.z_mlp_layers, 1], ['xz_mlp_layers', kw.xz_mlp_layers, 1], ['mlp_units', kw.mlp_units, 1]] as const) {
      if (!Number.isInteger(v) || v < min) throw new Error(`BigBiGAN.${name} must be an integer >= ${min}, got ${v}.`);
    }
    this.zMlpLayers = kw.z_mlp_layers;
    this.xzMlpLayers = kw.xz_mlp_layers;
    this.mlpUnits = kw.mlp_units;
    if (!(kw.latent_regression_weight >= 0)) throw new Error(`BigBiGAN.latent_regression_weight must be >= 0, got ${kw.latent_regression_weight}.`);
    this.latentRegressionWeight = kw.latent_regression_weight;
    if (typeof kw.encoder_fn !== 'function') throw new Error(`BigBiGAN.encoder_fn must be an encoder reference such as @encoder, got ${String(kw.encoder_fn)}.`);
    this.encoderNet = kw.encoder_fn({ store: this.store, rng: this.rng, image_shape: this.datasetInfo.imageShape, z_dim: this.zDim, name: E_PREFIX });
    // ModularGAN's own parameters (g_optimizer_fn, g_lr) are resolved inside its constructor;
    // E falls back to them, so resolve them here the same way (explicit arguments win).
    const base = config.resolveArgs(registry.lookup('modular_gan.ModularGAN'), kw as unknown as Record<string, unknown>) as unknown as ModularGANKwargs;
    const eOptFn = kw.encoder_optimizer_fn ?? base.g_optimizer_fn;
    if (typeof eOptFn !== 'function') throw new Error('BigBiGAN.encoder_optimizer_fn must be an optimizer reference such as @tf.train.AdamOptimizer (or None).');
    this.eLr = kw.encoder_lr ?? base.g_lr;
    this.eOptimizer = eOptFn({ learning_rate: this.eLr, name: 'e_' });
  }

  networks(): GanNetwork[] {
    return [...super.networks(), { name: 'encoder', prefix: E_PREFIX }];
  }

  optimizers(): GanOptimizer[] {
    return [...super.optimizers(), { name: 'e', optimizer: this.eOptimizer, baseLr: this.eLr, schedule: this.lrSchedule, variables: () => this.eVars() }];
  }

  eVars(): tf.Variable[] {
    return this.store.trainable(`${E_PREFIX}/`);
  }

  /** E(x): features, mu and (stochastic encoders) sigma. */
  encoder(x: tf.Tensor4D, isTraining: boolean): EncoderOutput {
    return this.encoderNet.apply(x, isTraining);
  }

  /** A latent for x: mu + sigma * eps when the encoder is stochastic, else mu. */
  encoderSample(x: tf.Tensor4D, isTraining: boolean): tf.Tensor2D {
    return tf.tidy(() => {
      const out = this.encoder(x, isTraining);
      if (!out.sigma) return out.mu;
      const eps = tf.randomNormal(out.mu.shape, 0, 1, 'float32', this.rng.nextSeed());
      return tf.add(out.mu, tf.mul(out.sigma, eps)) as tf.Tensor2D;
    });
  }

  /** The deterministic encoding E(x) = mu (inference mode). */
  encode(x: tf.Tensor4D): tf.Tensor2D {
    if (!this.built) this.build();
    return tf.tidy(() => this.encoder(x, false).mu);
  }

  /** The encoder's pooled features (inference mode): what the linear probe reads by default. */
  encodeFeatures(x: tf.Tensor4D, which: 'features' | 'mu' = 'features'): tf.Tensor2D {
    if (!this.built) this.build();
    return tf.tidy(() => {
      const out = this.encoder(x, false);
      return which === 'mu' ? out.mu : out.features;
    });
  }

  /** G(E(x)) with the sampling generator (EMA weights when g_use_ema). */
  reconstruct(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const z = this.encode(x);
      return this.sample(z, null);
    });
  }

  /**
   * What `gan eval` adds for BigBiGAN (representation/evaluate.ts encoderMetrics): the linear
   * probe on E's features and on raw pixels, and the class agreement of x and G(E(x)) by the
   * dataset's domain classifier (skipped, with a log line, where the dataset has none).
   */
  async extraMetrics(ctx: VariantEvalContext): Promise<Record<string, number>> {
    if (!this.built) this.build();
    let classifier: FeatureExtractor | null = null;
    if (ctx.dataset.info.numClasses >= 2) {
      try {
        classifier = await extractorFor(baseDatasetName(ctx.dataset.info.name));
      } catch (e) {
        ctx.log(`reconstruction class agreement skipped: no domain classifier for ${ctx.dataset.info.name} (${(e as Error).message.split('\n')[0]})`);
      }
    }
    return encoderMetrics(this, ctx, classifier);
  }

  /** A residual MLP: relu(linear) then (layers - 1) blocks h + relu(linear(h)). */
  private mlp(h: HeadContext, x: tf.Tensor2D, layers: number): tf.Tensor2D {
    let out = tf.relu(linear(h, x, this.mlpUnits, 'fc1')) as tf.Tensor2D;
    for (let i = 2; i <= layers; i++) out = tf.add(out, tf.relu(linear(h, out, this.mlpUnits, `fc${i}`))) as tf.Tensor2D;
    return out;
  }

  /**
   * The joint discriminator's scores: F(x) and s_x from the architecture's D (real and fake
   * images in one call unless deprecated_split_disc_calls), s_z = theta_z . H(z), s_xz = theta_xz . J([F, H]).
   */
  scores(images: tf.Tensor4D, ez: tf.Tensor2D, fake: tf.Tensor4D, z: tf.Tensor2D, isTraining = true): JointScores {
    const bs = images.shape[0];
    if (ez.shape[0] !== bs || fake.shape[0] !== z.shape[0]) {
      throw new Error(`BigBiGAN pairs must have one latent per image: ${bs} images with ${ez.shape[0]} encodings, ${fake.shape[0]} fakes with ${z.shape[0]} latents.`);
    }
    const { real, fake: fk } = this.discriminateRealAndFake({ images, realY: null, fake, fakeY: null, mode: 'd' });
    const h = this.headContext(isTraining);
    const allZ = tf.concat([ez, z], 0) as tf.Tensor2D;
    const hz = this.store.scope('discriminator_z', () => this.mlp(h, allZ, this.zMlpLayers));
    const sz = this.store.scope('discriminator_z', () => linear(h, hz, 1, 'score'));
    const fx = tf.concat([real.features, fk.features], 0) as tf.Tensor2D;
    const sxz = this.store.scope('discriminator_xz', () => linear(h, this.mlp(h, tf.concat([fx, hz], 1) as tf.Tensor2D, this.xzMlpLayers), 1, 'score'));
    const split = (s: tf.Tensor2D) => tf.split(s, [bs, s.shape[0] - bs], 0) as [tf.Tensor2D, tf.Tensor2D];
    const [szR, szF] = split(sz);
    const [sxzR, sxzF] = split(sxz);
    return { real: { x: real.logits, z: szR, xz: sxzR }, fake: { x: fk.logits, z: szF, xz: sxzF } };
  }

  /**
   * l_D (mode 'd', plus lambda * penalty) and l_EG (reported as g_loss) from the three heads.
   * A training step passes the pair latents `z` and `ez`; without them (building the
   * variables) fresh ones are drawn.
   */
  createLoss(inp: BigBiStepInputs): LossOutputs {
    const z = inp.z ?? this.sampleZ(inp.fake.shape[0]);
    const ez = inp.ez ?? this.encoderSample(inp.images, true);
    const s = this.scores(inp.images, ez, inp.fake, z, true);
    const summaries: Record<string, tf.Scalar> = {};
    let dLoss: tf.Scalar = tf.scalar(0);
    let egLoss: tf.Scalar = tf.scalar(0);
    for (const k of BIGBIGAN_HEADS) {
      const l = losses(s.real[k], s.fake[k]);
      // G's term: its pairs scored as real; E's term: its pairs scored as fake (negated scores).
      const gTerm = l.g_loss;
      const eTerm = losses(tf.neg(s.fake[k]) as tf.Tensor2D, tf.neg(s.real[k]) as tf.Tensor2D).g_loss;
      summaries[`d_loss_${k}`] = l.d_loss;
      summaries[`g_loss_${k}`] = gTerm;
      summaries[`e_loss_${k}`] = eTerm;
      summaries[`s_${k}_real`] = tf.mean(s.real[k]) as tf.Scalar;
      summaries[`s_${k}_fake`] = tf.mean(s.fake[k]) as tf.Scalar;
      dLoss = tf.add(dLoss, l.d_loss) as tf.Scalar;
      egLoss = tf.add(egLoss, tf.add(gTerm, eTerm)) as tf.Scalar;
    }
    if (inp.mode === 'd') {
      const penalty = this.penalty(inp);
      summaries.penalty = penalty;
      dLoss = tf.add(dLoss, tf.mul(this.lambda, penalty)) as tf.Scalar;
    } else if (this.latentRegressionWeight > 0) {
      // E(G(z)) in inference mode: with `encoder.normalize_mu` (and any batch norm in E) the fakes
      // are then standardised by the moving statistics of the real images, the very map that
      // encode(x) applies at inference, and they do not pull those statistics towards their own.
      // (In training mode a third of the updates came from fake batches: E(x) at inference was
      // off the prior by ~2 standard deviations and G(E(x)) fed G latents it never saw.)
      const reg = tf.mean(tf.square(tf.sub(this.encoder(inp.fake, false).mu, z))) as tf.Scalar;
      summaries.e_loss_latent = reg;
      egLoss = tf.add(egLoss, tf.mul(this.latentRegressionWeight, reg)) as tf.Scalar;
    }
    return { d_loss: dLoss, g_loss: egLoss, summaries };
  }

  protected discriminatorStep(batch: Batch): Record<string, number> {
    const bs = batch.images.shape[0];
    const z = this.sampleZ(bs);
    const fake = tf.tidy(() => this.generator(z, null, true));
    const ez = tf.tidy(() => this.encoderSample(batch.images, true));
    try {
      const out = this.minimize(this.dOptimizer, this.dVars(), () => this.createLoss({ images: batch.images, realY: null, fake, fakeY: null, z, ez, mode: 'd' }), 'd_loss');
      if (this.clipLimit !== null) clipWeights(this.dVars(), this.clipLimit);
      return out;
    } finally {
      tf.dispose([z, fake, ez]);
    }
  }

  /** One joint G and E update on l_EG (a single backward pass, then each optimizer applies its part). */
  protected generatorStep(batch: Batch, step: number): Record<string, number> {
    const z = this.sampleZ(batch.images.shape[0]);
    const gVars = this.gVars();
    try {
      const result = minimize(
        () => {
          const fake = this.generator(z, null, true);
          const ez = this.encoderSample(batch.images, true);
          const out = this.createLoss({ images: batch.images, realY: null, fake, fakeY: null, z, ez, mode: 'g' });
          const summaries = Object.fromEntries(Object.entries(out.summaries).filter(([k]) => k.startsWith('g_loss_') || k.startsWith('e_loss_')));
          return { loss: out.g_loss, summaries };
        },
        [
          { optimizer: this.gOptimizer, variables: gVars },
          { optimizer: this.eOptimizer, variables: this.eVars() },
        ],
        'g_loss',
      );
      if (this.ema && Number.isFinite(result.g_loss)) this.ema.update(gVars, step);
      return result;
    } finally {
      z.dispose();
    }
  }
}

/** Whether a GAN has an encoder (BigBiGAN or a class with the same methods). */
export function hasEncoder(gan: unknown): gan is { encode(x: tf.Tensor4D): tf.Tensor2D; encodeFeatures(x: tf.Tensor4D, which?: 'features' | 'mu'): tf.Tensor2D; reconstruct(x: tf.Tensor4D): tf.Tensor4D } {
  const g = gan as Record<string, unknown> | null;
  return !!g && typeof g.encode === 'function' && typeof g.encodeFeatures === 'function' && typeof g.reconstruct === 'function';
}
