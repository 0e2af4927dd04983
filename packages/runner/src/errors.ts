/**
 * User-facing errors. Anything a user can cause (bad config, bad flags, a damaged run
 * directory, a diverging loss) is a RunError or a config-lang ConfigError: printed as one
 * paragraph, never with a stack trace. Anything else is a bug and keeps its stack.
 */
import { ConfigError, ConfigErrors } from '@cgan/config-lang';

export class RunError extends Error {
  constructor(message: string, readonly hint?: string, readonly exitCode = 1) {
    super(message);
    this.name = 'RunError';
  }
  format(): string {
    // Exit code 130: the user asked to stop (Ctrl-C); that is no error.
    const head = this.exitCode === 130 ? 'stopped' : 'error';
    return this.hint ? `${head}: ${this.message}\n  hint: ${this.hint}` : `${head}: ${this.message}`;
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

/** The text printed for an error: a paragraph for user errors, the stack for bugs. */
export function formatError(e: unknown): string {
  if (e instanceof RunError) {
    const cause = (e as { cause?: unknown }).cause;
    return process.env.GAN_DEBUG && cause instanceof Error ? `${e.format()}\n${cause.stack}` : e.format();
  }
  if (e instanceof ConfigError || e instanceof ConfigErrors || hasFormat(e)) return e.format();
  if (e instanceof Error) return `internal error (please report it): ${e.stack ?? e.message}`;
  return `internal error: ${String(e)}`;
}
