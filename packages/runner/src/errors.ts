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
    // A message quoting a huge value (a 1 MB string binding) shows its head and tail only.
    const message = this.message.split('\n').map((l) => clip(l, 400)).join('\n');
    // Exit code 130: the user asked to stop (Ctrl-C); that is no error.
    const head = this.exitCode === 130 ? 'stopped' : 'error';
    return this.hint ? `${head}: ${message}\n  hint: ${clip(this.hint, 400)}` : `${head}: ${message}`;
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
    const fsErr = fileSystemError(e);
    if (fsErr) throw fsErr;
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
  const fsErr = fileSystemError(e);
  if (fsErr) return formatError(fsErr);
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

/** What each file-system error code means and what usually fixes it. */
const FS_CODES: Record<string, [string, string]> = {
  EACCES: ['permission denied', 'make it writable (chmod/chown), or choose another location'],
  EPERM: ['operation not permitted', 'check its permissions and owner, or choose another location'],
  EROFS: ['the file system is read-only', 'choose a location on a writable file system'],
  EISDIR: ['it is a folder, a file was expected', 'name a file, not a folder'],
  ENOTDIR: ['a part of the path is a file, a folder was expected', 'check the path, or choose another location'],
  EEXIST: ['something is already there', 'remove it, or choose another location'],
  ENOENT: ['it does not exist', 'check the path (relative paths are relative to the current folder)'],
  ELOOP: ['it is a loop of symbolic links', 'fix or remove the symbolic link'],
  ENOSPC: ['the disk is full', 'free some disk space, then run the same command again'],
  EDQUOT: ['the disk quota is exceeded', 'free some space, then run the same command again'],
  ENAMETOOLONG: ['the name is too long', 'use a shorter path'],
  EMFILE: ['too many open files', 'raise the open-file limit (ulimit -n)'],
  EBUSY: ['it is busy', 'wait for the program using it, or choose another location'],
  ENOTEMPTY: ['the folder is not empty', 'empty it, or choose another location'],
  EXDEV: ['it is on another file system', 'keep the files on one file system'],
  EIO: ['an input/output error occurred', 'check the disk'],
};

const SYSCALL_VERB: Record<string, string> = {
  open: 'open', read: 'read', write: 'write to', mkdir: 'create the folder', rmdir: 'remove', rm: 'remove', unlink: 'remove',
  rename: 'rename', scandir: 'list', stat: 'read', lstat: 'read', copyfile: 'copy', fsync: 'write to', access: 'use', utime: 'update',
};

/** Keeps messages readable when they quote a huge value: the head and tail of long text. */
export function clip(s: string, max = 200): string {
  return s.length <= max ? s : `${s.slice(0, max - 40)}... (${s.length} characters) ...${s.slice(-20)}`;
}

/**
 * A file-system error (EACCES, EISDIR, ENOSPC, ...) as one sentence naming the path and the
 * fix; null for anything else. The single place these codes are explained.
 */
export function fileSystemError(e: unknown, what?: string): RunError | null {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  // Not `instanceof Error`: errors from another realm (a vm context, Jest) are still errors.
  if (!e || typeof e !== 'object' || typeof err.code !== 'string' || !FS_CODES[err.code] || (!err.path && !what)) return null;
  const [why, fix] = FS_CODES[err.code];
  const target = err.path ? `'${clip(err.path)}'${err.dest ? ` to '${clip(err.dest)}'` : ''}` : what!;
  const verb = SYSCALL_VERB[err.syscall ?? ''] ?? 'use';
  const re = new RunError(`Cannot ${verb} ${target}${what && err.path ? ` (${what})` : ''}: ${why} (${err.code}).`, fix);
  (re as { cause?: unknown }).cause = e;
  return re;
}
