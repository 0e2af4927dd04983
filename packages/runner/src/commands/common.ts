/** Pieces shared by the train / eval / sample commands: config loading from a run directory, building. */
import * as fs from 'fs';
import * as path from 'path';
import { config, ConfigError, ConfigErrors } from '@cgan/config-lang';
import { asConfigProblem, clip, RunError } from '../errors';
import { RunDir } from '../run/run_dir';
// A run's operative config binds doctor.* (the training monitor): register it, or sample, eval and
// encode cannot rebuild the run ("No configurable matching 'doctor'").
import '../run/doctor';
import { BuiltRun, Logger, RunSpec, TOKENS, withRun } from '../wiring/container';

export function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new RunError(`${name} must be a positive integer, got '${v}'.`);
    return n;
  };
}

export function integer(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\s*[-+]?\d+\s*$/.test(v) || !Number.isSafeInteger(n)) throw new RunError(`${name} must be an integer, got '${clip(v, 80)}'.`);
    return n;
  };
}

/** The config a run directory was trained with: its newest operative_config-*.gin. */
export function runConfigFile(dir: RunDir): string {
  const ops = dir.operativeConfigs();
  if (!ops.length) {
    throw new RunError(
      `${dir.root} has no operative_config-*.gin: it is not a run directory, or its run stopped before the first step.`,
      'pass the run directory that `gan train --model_dir` wrote',
    );
  }
  const file = ops[0].file;
  if (!fs.readFileSync(file, 'utf8').trim()) {
    throw new RunError(`${file} is empty: the run directory is damaged.`, `restore it from a backup, or copy an older operative_config-*.gin of this run over it`);
  }
  return file;
}

/** Finds the run directory a checkpoint path belongs to (RUN, RUN/checkpoints/ckpt-N, or its manifest). */
export function runDirOfCheckpoint(p: string): string {
  let d = path.resolve(p);
  if (fs.existsSync(d) && fs.statSync(d).isFile()) d = path.dirname(d);
  if (fs.existsSync(path.join(d, 'checkpoints'))) return d;
  if (path.basename(path.dirname(d)) === 'checkpoints') return path.dirname(path.dirname(d));
  throw new RunError(`'${p}' is not a checkpoint: expected RUN, RUN/checkpoints/ckpt-<step> or its manifest.json.`);
}

/** Rebuilds a trained run from its operative config (+ `extra` files and bindings on top; GAN variables created), runs `fn`, releases it. */
export async function withRebuiltRun<T>(
  dir: RunDir,
  dataDir: string | null,
  logger: Logger,
  fn: (built: BuiltRun) => Promise<T>,
  extra: { ginConfigs?: string[]; ginBindings?: string[] } = {},
): Promise<T> {
  const file = runConfigFile(dir);
  const spec: RunSpec = {
    ginConfigs: [file, ...(extra.ginConfigs ?? [])],
    ginBindings: extra.ginBindings ?? [],
    dataDir,
    fakeDataFallback: false,
    reuseSeed: dir.readRunJson()?.seed ?? null,
  };
  let built = false;
  try {
    return await withRun(spec, logger, async (b) => {
      b.container.register(TOKENS.RunDir, { useValue: dir });
      await asConfigProblem('Could not build the networks', () => b.gan.build());
      config.finalize();
      built = true;
      return fn(b);
    });
  } catch (e) {
    if (built || !(e instanceof ConfigError || e instanceof ConfigErrors)) throw e;
    // The run's own config does not build: name the file, which may be damaged.
    const text = e.format().replace(/^error: /, '');
    throw new RunError(`The run's config ${file} does not rebuild the run (is the file damaged?):\n${text}`, `restore ${path.basename(file)} from a backup or an older operative_config-*.gin of this run`);
  }
}
