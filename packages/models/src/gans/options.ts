/**
 * `options`: compare_gan's get_options_dict (runner_lib.py), the run's legacy parameters.
 * The runner reads the whole dict through `getOptions()`; GAN variants read architecture,
 * z_dim, lambda and disc_iters from it.
 */
import { configurable, REQUIRED, t } from '@cgan/config-lang';

export interface GanOptions {
  /** The (global) batch size. */
  batch_size: number;
  /** The GAN variant class (`@ModularGAN`, `@SSGAN`, `@S3GAN`, `@S2GAN`, ...), constructed by the runner. */
  gan_class: unknown;
  /** Architecture name, e.g. 'dcgan_arch' (a configurable building an Architecture), or a reference to it. */
  architecture: string | Function;
  /** Number of training steps (each: disc_iters D updates and one G update). */
  training_steps: number;
  /** Weight of the penalty (compare_gan spells the Gin parameter `lamba`; the dict key is `lambda`). */
  lambda: number;
  /** D updates per G update. */
  disc_iters: number;
  /** Length of z. */
  z_dim: number;
}

export const get_options_dict = configurable(
  'options',
  {
    module: 'runner_lib',
    params: {
      batch_size: { default: REQUIRED, type: t.int },
      gan_class: { default: REQUIRED, type: t.any },
      architecture: { default: REQUIRED, type: t.any },
      training_steps: { default: REQUIRED, type: t.int },
      discriminator_normalization: { default: null, type: t.any, doc: 'deprecated, ignored (kept to read old configs)' },
      lamba: { default: 1, type: t.number },
      disc_iters: { default: 1, type: t.int },
      z_dim: { default: 128, type: t.int },
    },
  },
  (kw: { batch_size: number; gan_class: unknown; architecture: string | Function; training_steps: number; lamba: number; disc_iters: number; z_dim: number }): GanOptions => {
    const positiveInt = (name: string, v: number) => {
      if (!(Number.isInteger(v) && v > 0)) throw new Error(`options.${name} must be a positive integer, got ${v}.`);
    };
    positiveInt('batch_size', kw.batch_size);
    positiveInt('training_steps', kw.training_steps);
    positiveInt('disc_iters', kw.disc_iters);
    positiveInt('z_dim', kw.z_dim);
    if (typeof kw.architecture !== 'string' && typeof kw.architecture !== 'function') {
      throw new Error(`options.architecture must be an architecture name such as "dcgan_arch", got ${String(kw.architecture)}.`);
    }
    return {
      batch_size: kw.batch_size,
      gan_class: kw.gan_class,
      architecture: kw.architecture,
      training_steps: kw.training_steps,
      lambda: kw.lamba,
      disc_iters: kw.disc_iters,
      z_dim: kw.z_dim,
    };
  },
);

/** The resolved `options` (bindings applied); throws a ConfigError naming any missing REQUIRED option. */
export function getOptions(): GanOptions {
  return get_options_dict({} as never);
}
