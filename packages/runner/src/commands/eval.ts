/**
 * `gan eval --model_dir RUN`: evaluates every checkpoint whose step is a multiple of
 * --eval_every_steps and that eval.jsonl does not have yet (compare_gan's eval job), then
 * refreshes report.html. The run is rebuilt from the bindings it recorded (its newest
 * operative config), then --gin_config files and --gin_bindings on top, then the short flags
 * (--num_samples N = `metrics.evaluation.num_samples = N`, --metrics fid,kid =
 * `metrics.evaluation.metrics = ['fid', 'kid']`). The metrics come from ../evaluation.
 */
import { Command } from 'commander';
import { RunError } from '../errors';
import { evaluatedSteps, evaluateStep, requireEvaluator } from '../evaluation';
import { Io, loggerFor } from '../io';
import { disposeCheckpoint, LoadedCheckpoint } from '../run/checkpoint';
import { writeReport } from '../run/report';
import { RunDir } from '../run/run_dir';
import { restoreState } from '../run/state';
import { collect, positiveInt, withRebuiltRun } from './common';

export interface EvalFlags {
  model_dir: string;
  eval_every_steps: number;
  data_dir?: string;
  gin_config?: string[];
  gin_bindings?: string[];
  num_samples?: number;
  metrics?: string[];
  /** Evaluate again the steps eval.jsonl already has. */
  force?: boolean;
  quiet?: boolean;
}

const METRICS = ['fid', 'kid', 'inception_score', 'prd', 'ms_ssim'];
const METRIC_ALIASES: Record<string, string> = { is: 'inception_score' };

export function parseMetricList(v: string): string[] {
  const out = v
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((s) => METRIC_ALIASES[s] ?? s);
  const bad = out.filter((m) => !METRICS.includes(m));
  if (bad.length || !out.length) throw new RunError(`--metrics: unknown metric${bad.length > 1 ? 's' : ''} '${bad.join("', '") || v}'.`, `choose from ${METRICS.join(', ')} (comma-separated; 'is' = inception_score)`);
  return out;
}

/** The short flags as the bindings they stand for. */
export function evalFlagBindings(flags: Pick<EvalFlags, 'num_samples' | 'metrics'>): string[] {
  const b: string[] = [];
  if (flags.num_samples !== undefined) b.push(`metrics.evaluation.num_samples = ${flags.num_samples}`);
  if (flags.metrics) b.push(`metrics.evaluation.metrics = [${flags.metrics.map((m) => `'${m}'`).join(', ')}]`);
  return b;
}

export async function evalCommand(flags: EvalFlags, io: Io): Promise<number[]> {
  const logger = loggerFor(io, flags.quiet);
  requireEvaluator();
  const dir = new RunDir(flags.model_dir);
  if (!dir.exists()) throw new RunError(`'${flags.model_dir}' is not a run directory (no run.json).`, 'pass the --model_dir of a `gan train` run');
  const all = dir.checkpoints.list();
  if (!all.length) throw new RunError(`${flags.model_dir} has no checkpoint to evaluate.`, 'train it first (gan train --model_dir ...), or pass the run directory that holds checkpoints/');
  const done = flags.force ? new Set<number>() : evaluatedSteps(dir);
  const todo = all
    .filter((c) => c.step % flags.eval_every_steps === 0 && !done.has(c.step))
    .sort((a, b) => a.step - b.step);
  if (!todo.length) {
    io.out('nothing to evaluate: every checkpoint at a multiple of --eval_every_steps is in eval.jsonl (--force evaluates them again)\n');
    return [];
  }
  const release = dir.open('gan eval');
  try {
    return await evaluateTodo(dir, todo, flags, io, logger);
  } finally {
    release();
  }
}

async function evaluateTodo(dir: RunDir, todo: Array<{ step: number; dir: string }>, flags: EvalFlags, io: Io, logger: ReturnType<typeof loggerFor>): Promise<number[]> {
  const extra = { ginConfigs: flags.gin_config ?? [], ginBindings: [...(flags.gin_bindings ?? []), ...evalFlagBindings(flags)] };
  return withRebuiltRun(dir, flags.data_dir ?? null, logger, async (built) => {
    const evaluated: number[] = [];
    for (const [i, c] of todo.entries()) {
      let ckpt: LoadedCheckpoint;
      try {
        ckpt = { ...dir.checkpoints.read(c.dir), dir: c.dir, skipped: [] };
      } catch (e) {
        logger.warn(`${(e as Error).message} Skipped.`);
        continue;
      }
      try {
        await restoreState(ckpt, built.gan, built.store, null);
      } finally {
        disposeCheckpoint(ckpt);
      }
      logger.info(`evaluating checkpoint ${i + 1}/${todo.length} (step ${c.step})`);
      const m = await evaluateStep({ gan: built.gan, dataset: built.dataset, step: c.step, modelDir: dir.root, rng: built.rng.fork(`eval/${c.step}`), log: logger.info }, dir);
      io.out(`step ${c.step}: ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
      evaluated.push(c.step);
    }
    writeReport({ modelDir: dir.root });
    return evaluated;
  }, extra);
}

export function registerEval(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('eval')
    .description("Evaluate a run's checkpoints (results in eval.jsonl and report.html), with the evaluation bindings the run recorded unless overridden.")
    .requiredOption('--model_dir <dir>', 'run directory')
    .option('--gin_config <file>', 'Gin file applied on top of the run\'s operative config (repeatable)', collect, [])
    .option('--gin_bindings <binding>', "binding applied on top, e.g. 'metrics.kid.num_subsets = 10' (repeatable)", collect, [])
    .option('--num_samples <n>', 'real and generated images (metrics.evaluation.num_samples)', positiveInt('--num_samples'))
    .option('--metrics <list>', 'comma-separated: fid, inception_score (is), kid, prd, ms_ssim (metrics.evaluation.metrics; default fid,inception_score)', parseMetricList)
    .option('--eval_every_steps <n>', 'evaluate checkpoints whose step is a multiple of N', positiveInt('--eval_every_steps'), 1)
    .option('--data_dir <dir>', 'where datasets are looked for')
    .option('--force', 'evaluate again the steps eval.jsonl already has')
    .option('--quiet', 'only warnings and errors on stderr')
    .action((opts: EvalFlags) => run(evalCommand(opts, io)));
}
