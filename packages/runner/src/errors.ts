/**
 * User-facing errors. Anything a user can cause (bad config, bad flags, a damaged run
 * directory, a diverging loss) is a RunError or a config-lang ConfigError: printed as one
 * paragraph, never with a stack trace. Anything else is a bug: one paragraph too (what failed,
 * where, the bindings that chose the components, how to report it); GAN_DEBUG=1 adds the stack.
 */
import { ConfigError, ConfigErrors } from '@cgan/config-lang';

export class RunError extends Error {
  constructor(message: string, readonly hint?: string, readonly exitCode = 1) {
    super(message);
    this.name = 'RunError';
  }
  format(): string {
    return this.hint ? `error: ${this.message}\n  hint: ${this.hint}` : `error: ${this.message}`;
  }
}

/** Training stopped because a loss became NaN or infinite. */
export class DivergenceError extends RunError {
  constructor(readonly step: number, readonly lossName: string, readonly value: number, lastGood: string | null) {
    super(
      `Training diverged at step ${step}: '${lossName}' is ${value}. Training stopped; ` +
        (lastGood ? `the last good checkpoint (${lastGood}) is kept.` : 'no checkpoint had been written yet.'),
      'lower the learning rates, add a penalty or spectral norm, or resume from the last good checkpoint with different bindings (--force)',
      3,
    );
    this.name = 'DivergenceError';
  }
}

/** Errors with their own user-facing format (ConfigError, DatasetError, ...). */
function hasFormat(e: unknown): e is Error & { format(): string } {
  return e instanceof Error && e.constructor !== Error && typeof (e as { format?: unknown }).format === 'function';
}

export function isUserError(e: unknown): boolean {
  return e instanceof RunError || e instanceof ConfigError || e instanceof ConfigErrors || hasFormat(e);
}

/**
 * Runs the building of a run from its config: a plain Error thrown there (an option out of
 * range, an unknown architecture name) is bad input, reported as one paragraph.
 */
export async function asConfigProblem<T>(what: string, fn: () => Promise<T> | T, hint = 'check the bindings named above (gan config check FILE validates a config)'): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isUserError(e) || !(e instanceof Error) || e.constructor !== Error) throw e;
    const err = new RunError(`${what}: ${e.message}`, hint);
    (err as { cause?: unknown }).cause = e;
    throw err;
  }
}

/**
 * Where an unexpected error was thrown: the innermost stack frame in this project's packages
 * (`@cgan/models gans/modular_gan.js:251`), and the library below it when the error came from one
 * (`in @tensorflow/tfjs-core`).
 */
export function errorComponent(stack: string | undefined): string | null {
  const frames = (stack ?? '').split('\n').filter((l) => /^\s+at /.test(l));
  const ours = frames.map((f) => /packages[\\/](config-lang|models|runner|native-kernels)[\\/](?:src|dist)[\\/]([^:)]+):(\d+)/.exec(f)).find((m) => m);
  const lib = frames.length ? /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(frames[0]) : null;
  const parts: string[] = [];
  if (ours) parts.push(`@cgan/${ours[1]} ${ours[2].replace(/\\/g, '/')}:${ours[3]}`);
  if (lib) parts.push(`${ours ? 'calling ' : ''}${lib[1].replace(/\\/g, '/')}`);
  return parts.length ? parts.join(', ') : null;
}

/** Bindings that choose components (what a bug report needs first), from the current config. */
const SELECTORS = /(^|\.)(gan_class|architecture|fn|batch_norm_fn|spectral_norm|layer_norm|backend|name|conditional)$/;

export interface ErrorContext {
  /** The run's effective bindings (key -> Gin value text), when a config was loaded. */
  bindings?: Record<string, string>;
}

/**
 * The text printed for an error: its own paragraph for user errors; for anything else (a bug)
 * one paragraph saying what failed, where, under which bindings and how to report it, with
 * the stack only when GAN_DEBUG is set.
 */
export function formatError(e: unknown, ctx: ErrorContext = {}): string {
  if (e instanceof RunError) {
    const cause = (e as { cause?: unknown }).cause;
    return process.env.GAN_DEBUG && cause instanceof Error ? `${e.format()}\n${cause.stack}` : e.format();
  }
  if (e instanceof ConfigError || e instanceof ConfigErrors || hasFormat(e)) return e.format();
  const err = e instanceof Error ? e : new Error(String(e));
  const what = err.message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ') || err.name;
  const where = errorComponent(err.stack);
  const chosen = Object.entries(ctx.bindings ?? {}).filter(([k]) => SELECTORS.test(k));
  const shown = chosen.slice(0, 10).map(([k, v]) => `${k} = ${v}`).join(', ') + (chosen.length > 10 ? `, and ${chosen.length - 10} more` : '');
  const paragraph =
    `internal error (a bug in compare-gan-js, not in your config): ${what}` +
    (where ? ` [in ${where}]` : '') +
    (shown ? `; bindings involved: ${shown}` : '') +
    '. Please report it with this message, the operative config (gan train ... --dry_run prints it) and the output of the same command run with GAN_DEBUG=1' +
    (process.env.GAN_DEBUG ? '.' : ', which adds the stack trace.');
  return process.env.GAN_DEBUG ? `${paragraph}\n${err.stack ?? ''}` : paragraph;
}
