/**
 * compare_gan's abstract_arch: the `G` and `D` configurables every architecture consumes, and
 * the base classes that apply them.
 *
 * Gin parameters (compare_gan names):
 *   G.batch_norm_fn   normalization of G's hidden layers (None, @batch_norm,
 *                     @conditional_batch_norm, @self_modulated_batch_norm, @no_batch_norm)
 *   G.spectral_norm   spectral norm on all of G's weights (False)
 *   D.batch_norm_fn   normalization of D's hidden layers (None)
 *   D.layer_norm      layer norm in D's hidden layers (False)
 *   D.spectral_norm   spectral norm on all of D's weights (False)
 *   D.project_y       (this port) projection discriminator: add <embed(y), features> to the
 *                     logit. None (default) = project when the GAN is conditional. The
 *                     architecture-specific `resnet_cifar.Discriminator.project_y` /
 *                     `resnet_biggan.Discriminator.project_y`, when bound, take precedence.
 *
 * Conditional GANs (ArchitectureOptions.conditional): G's normalization becomes class-conditional
 * — G.batch_norm_fn = None or @batch_norm is applied as @conditional_batch_norm (compare_gan
 * would silently ignore the labels); a normalization that ignores labels (@no_batch_norm,
 * @self_modulated_batch_norm) is refused, since G takes labels only there — and D projects y.
 */
import * as tf from '@tensorflow/tfjs-core';
import { configurable, registry, t } from '@cgan/config-lang';
import { Rng } from '../core/rng';
import { VariableStore } from '../core/variables';
import { batch_norm, BatchNormFn, conditional_batch_norm } from '../ops/batch_norm';
import { OpContext } from '../ops/context';
import { WeightInit } from '../ops/initializers';
import { layer_norm } from '../ops/layer_norm';
import { projectY } from '../ops/projection';
import { ArchitectureOptions, DiscriminatorNet, DiscriminatorOutput, GeneratorNet } from './abstract_arch';

export interface GParams {
  batch_norm_fn: BatchNormFn | null;
  spectral_norm: boolean;
}

export interface DParams {
  batch_norm_fn: BatchNormFn | null;
  layer_norm: boolean;
  spectral_norm: boolean;
  project_y: boolean | null;
}

/** compare_gan's `G` (AbstractGenerator's constructor parameters). */
export const G = configurable(
  'G',
  {
    module: 'abstract_arch',
    params: {
      batch_norm_fn: { default: null, type: t.fn, doc: 'normalization of hidden layers, e.g. @batch_norm' },
      spectral_norm: { default: false, type: t.bool, doc: 'spectral normalization of all weights' },
    },
  },
  (kw: Partial<GParams>): GParams => ({ batch_norm_fn: kw.batch_norm_fn ?? null, spectral_norm: kw.spectral_norm ?? false }),
);

/** compare_gan's `D` (AbstractDiscriminator's constructor parameters), plus `project_y`. */
export const D = configurable(
  'D',
  {
    module: 'abstract_arch',
    params: {
      batch_norm_fn: { default: null, type: t.fn, doc: 'normalization of hidden layers, e.g. @batch_norm' },
      layer_norm: { default: false, type: t.bool, doc: 'layer normalization of hidden layers' },
      spectral_norm: { default: false, type: t.bool, doc: 'spectral normalization of all weights' },
      project_y: { default: null, type: t.optional(t.bool), doc: 'projection discriminator; None: when the GAN is conditional' },
    },
  },
  (kw: Partial<DParams>): DParams => ({
    batch_norm_fn: kw.batch_norm_fn ?? null,
    layer_norm: kw.layer_norm ?? false,
    spectral_norm: kw.spectral_norm ?? false,
    project_y: kw.project_y ?? null,
  }),
);

/** Runtime arguments of every network constructor (from ArchitectureOptions). */
export interface NetKwargs {
  store: VariableStore;
  rng?: Rng;
  image_shape: [number, number, number];
  num_classes: number;
  conditional: boolean;
  name?: string;
}

/** The constructor kwargs for an architecture's networks. */
export function netKwargs(o: ArchitectureOptions): NetKwargs {
  return { store: o.store, rng: o.rng, image_shape: o.imageShape, num_classes: o.numClasses, conditional: o.conditional };
}

function isConfigurable(fn: unknown, target: Function, fullName: string): boolean {
  return fn === target || registry.infoOf(fn)?.fullName === fullName;
}

/** G's normalization under `conditional` (see the module comment). */
export function generatorNorm(fn: BatchNormFn | null, conditional: boolean): BatchNormFn | null {
  if (!conditional) return fn;
  if (fn == null || isConfigurable(fn, batch_norm, 'arch_ops.batch_norm')) return conditional_batch_norm as BatchNormFn;
  if (!isConfigurable(fn, conditional_batch_norm, 'arch_ops.conditional_batch_norm')) {
    // Every generator here takes the labels through its normalization only (as compare_gan's).
    const name = registry.infoOf(fn)?.name ?? 'this normalization';
    throw new Error(
      `G.batch_norm_fn = @${name} ignores class labels, so the generator of this conditional GAN (ModularGAN.conditional = True) would ignore them: ` +
        'bind G.batch_norm_fn = @conditional_batch_norm (None and @batch_norm become it), or ModularGAN.conditional = False.',
    );
  }
  return fn;
}

function checkShape(what: string, shape: number[], expected: number[], hint: string): void {
  if (shape.length !== expected.length || shape.some((d, i) => expected[i] >= 0 && d !== expected[i])) {
    throw new Error(`${what} has shape [${shape}], expected [${expected.map((d) => (d < 0 ? 'batch' : d))}]; ${hint}`);
  }
}

abstract class Net {
  readonly name: string;
  readonly imageShape: [number, number, number];
  protected readonly store: VariableStore;
  protected readonly rng: Rng;
  protected readonly conditional: boolean;
  protected readonly numClasses: number;

  constructor(kw: NetKwargs, defaultName: string) {
    if (!kw || !kw.store || !kw.image_shape) {
      throw new Error(`${new.target.name} must be constructed with { store, image_shape, num_classes, conditional } (use buildArchitecture).`);
    }
    this.name = kw.name ?? defaultName;
    this.imageShape = kw.image_shape;
    this.store = kw.store;
    this.rng = kw.rng ?? new Rng(0);
    this.conditional = kw.conditional;
    this.numClasses = kw.num_classes;
  }

  protected context(isTraining: boolean): OpContext {
    return { store: this.store, rng: this.rng, isTraining };
  }

  protected checkLabels(y: tf.Tensor2D | null, batch: number): void {
    if (y == null) {
      if (this.conditional) throw new Error(`The ${this.name} is class-conditional: pass one-hot labels y of shape [${batch}, ${this.numClasses}].`);
      return;
    }
    checkShape(`${this.name} labels y`, y.shape, [batch, -1], 'y must be one-hot labels [batch, num_classes].');
  }
}

/** compare_gan's AbstractGenerator. Variables live under `generator/`. */
export abstract class AbstractGenerator extends Net implements GeneratorNet {
  protected readonly batchNormFn: BatchNormFn | null;
  protected readonly spectralNorm: boolean;

  constructor(kw: NetKwargs & Partial<GParams>) {
    super(kw, 'generator');
    const g = G({ batch_norm_fn: kw.batch_norm_fn, spectral_norm: kw.spectral_norm }) as GParams;
    this.batchNormFn = generatorNorm(g.batch_norm_fn, kw.conditional);
    this.spectralNorm = g.spectral_norm;
  }

  apply(z: tf.Tensor2D, y: tf.Tensor2D | null, isTraining: boolean): tf.Tensor4D {
    checkShape(`${this.name} input z`, z.shape, [-1, -1], 'z must be [batch, z_dim].');
    this.checkLabels(y, z.shape[0]);
    return tf.tidy(() => this.store.scope(this.name, () => {
      const out = this.build(this.context(isTraining), z, y);
      checkShape(`${this.name} output`, out.shape, [z.shape[0], ...this.imageShape], 'this is a bug in the architecture.');
      return out;
    }));
  }

  /** The configured normalization (identity when G.batch_norm_fn is None). */
  protected batchNorm(ctx: OpContext, inputs: tf.Tensor, args: { name: string; z?: tf.Tensor2D | null; y?: tf.Tensor2D | null; use_sn?: boolean }): tf.Tensor {
    if (!this.batchNormFn) return inputs;
    return this.batchNormFn({ ctx, inputs, is_training: ctx.isTraining, use_sn: args.use_sn ?? this.spectralNorm, z: args.z ?? null, y: args.y ?? null, name: args.name });
  }

  /** A normalization compare_gan hard-codes (infogan): batch norm, class-conditional when conditional. */
  protected fixedBatchNorm(ctx: OpContext, inputs: tf.Tensor, args: { name: string; y?: tf.Tensor2D | null }): tf.Tensor {
    const fn = (generatorNorm(batch_norm as BatchNormFn, this.conditional) ?? batch_norm) as BatchNormFn;
    return fn({ ctx, inputs, is_training: ctx.isTraining, use_sn: this.spectralNorm, y: args.y ?? null, name: args.name });
  }

  /** Builds the network inside scope `generator`: [batch, z_dim] -> [batch, h, w, c] in [0, 1]. */
  protected abstract build(ctx: OpContext, z: tf.Tensor2D, y: tf.Tensor2D | null): tf.Tensor4D;
}

/** What an architecture's discriminator body returns; the base adds projection and sigmoid. */
export interface DiscriminatorBody {
  /** [batch, 1], before the projection term. */
  logits: tf.Tensor2D;
  /** [batch, features]. */
  features: tf.Tensor2D;
}

/** compare_gan's AbstractDiscriminator. Variables live under `discriminator/`. */
export abstract class AbstractDiscriminator extends Net implements DiscriminatorNet {
  protected readonly batchNormFn: BatchNormFn | null;
  protected readonly layerNorm: boolean;
  protected readonly spectralNorm: boolean;
  /** Whether y is projected onto the features (D.project_y or the architecture's own). */
  readonly projectY: boolean;

  /** `project_y`: the architecture's own binding (null: use D.project_y). */
  constructor(kw: NetKwargs & Partial<DParams>) {
    super(kw, 'discriminator');
    const d = D({ batch_norm_fn: kw.batch_norm_fn, layer_norm: kw.layer_norm, spectral_norm: kw.spectral_norm }) as DParams;
    this.batchNormFn = d.batch_norm_fn;
    this.layerNorm = d.layer_norm;
    this.spectralNorm = d.spectral_norm;
    this.projectY = kw.project_y ?? d.project_y ?? kw.conditional;
  }

  /** Without D.batch_norm_fn every layer here works row by row (layer norm, SN and attention included). */
  get rowIndependent(): boolean {
    return this.batchNormFn === null;
  }

  apply(x: tf.Tensor4D, y: tf.Tensor2D | null, isTraining: boolean): DiscriminatorOutput {
    checkShape(`${this.name} input x`, x.shape, [-1, ...this.imageShape], `the architecture was built for ${this.imageShape.join('x')} images.`);
    this.checkLabels(y, x.shape[0]);
    if (this.projectY && y == null) {
      throw new Error(`The ${this.name} projects class labels (project_y) but got none: make the GAN conditional (ModularGAN.conditional = True) or set D.project_y = False.`);
    }
    return tf.tidy(() => this.store.scope(this.name, () => {
      const ctx = this.context(isTraining);
      const body = this.build(ctx, x, y);
      let logits = body.logits;
      if (this.projectY && y != null) {
        logits = tf.add(logits, projectY(ctx, body.features, y, { scope: 'embedding_fc', use_sn: this.spectralNorm, initializer: this.projectionInitializer() }));
      }
      return { probs: tf.sigmoid(logits), logits, features: body.features };
    }));
  }

  /** The projection embedding's initializer (`weights` unless an architecture overrides it). */
  protected projectionInitializer(): WeightInit | undefined {
    return undefined;
  }

  protected batchNorm(ctx: OpContext, inputs: tf.Tensor, args: { name: string; y?: tf.Tensor2D | null; use_sn?: boolean }): tf.Tensor {
    if (!this.batchNormFn) return inputs;
    return this.batchNormFn({ ctx, inputs, is_training: ctx.isTraining, use_sn: args.use_sn ?? this.spectralNorm, z: null, y: args.y ?? null, name: args.name });
  }

  /** Layer norm in scope `scope` when D.layer_norm. */
  protected maybeLayerNorm(ctx: OpContext, inputs: tf.Tensor, scopeName: string): tf.Tensor {
    return this.layerNorm ? (layer_norm({ ctx, inputs, scope: scopeName }) as tf.Tensor) : inputs;
  }

  /** Builds the network inside scope `discriminator`. */
  protected abstract build(ctx: OpContext, x: tf.Tensor4D, y: tf.Tensor2D | null): DiscriminatorBody;
}
