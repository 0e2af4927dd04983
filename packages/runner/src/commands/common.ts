/** Pieces shared by the train / eval / sample commands: config loading from a run directory, building. */
import * as fs from 'fs';
import * as path from 'path';
import { config } from '@cgan/config-lang';
import { asConfigProblem, RunError } from '../errors';
import { RunDir } from '../run/run_dir';
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

/** The config a run directory was trained with: its newest operative_config-*.gin. */
export function runConfigFile(dir: RunDir): string {
  const ops = dir.operativeConfigs();
  if (!ops.length) {
    throw new RunError(
      `${dir.root} has no operative_config-*.gin: it is not a run directory, or its run stopped before the first step.`,
      'pass the run directory that `gan train --model_dir` wrote',
    );
  }
  return ops[0].file;
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
  const spec: RunSpec = { ginConfigs: [runConfigFile(dir), ...(extra.ginConfigs ?? [])], ginBindings: extra.ginBindings ?? [], dataDir, fakeDataFallback: false };
  return withRun(spec, logger, async (built) => {
    built.container.register(TOKENS.RunDir, { useValue: dir });
    await asConfigProblem('Could not build the networks', () => built.gan.build());
    config.finalize();
    return fn(built);
  });
}
