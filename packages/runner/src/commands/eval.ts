/**
 * `gan eval --model_dir RUN`: evaluates every checkpoint whose step is a multiple of
 * --eval_every_steps and that eval.jsonl does not have yet (compare_gan's eval job), then
 * refreshes report.html. The metrics come from the evaluation hook (../evaluation).
 */
import { Command } from 'commander';
import { RunError } from '../errors';
import { evaluatedSteps, evaluateStep, requireEvaluator } from '../evaluation';
import { Io, loggerFor } from '../io';
import { disposeCheckpoint, LoadedCheckpoint } from '../run/checkpoint';
import { writeReport } from '../run/report';
import { RunDir } from '../run/run_dir';
import { restoreState } from '../run/state';
import { positiveInt, withRebuiltRun } from './common';

export interface EvalFlags {
  model_dir: string;
  eval_every_steps: number;
  data_dir?: string;
}

export async function evalCommand(flags: EvalFlags, io: Io): Promise<number[]> {
  const logger = loggerFor(io);
  requireEvaluator();
  const dir = new RunDir(flags.model_dir);
  if (!dir.exists()) throw new RunError(`'${flags.model_dir}' is not a run directory (no run.json).`, 'pass the --model_dir of a `gan train` run');
  const all = dir.checkpoints.list();
  if (!all.length) throw new RunError(`${flags.model_dir} has no checkpoint to evaluate.`, 'train it first (gan train --model_dir ...), or pass the run directory that holds checkpoints/');
  const done = evaluatedSteps(dir);
  const todo = all
    .filter((c) => c.step % flags.eval_every_steps === 0 && !done.has(c.step))
    .sort((a, b) => a.step - b.step);
  if (!todo.length) {
    io.out('nothing to evaluate: every checkpoint at a multiple of --eval_every_steps is in eval.jsonl\n');
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
  return withRebuiltRun(dir, flags.data_dir ?? null, logger, async (built) => {
  const evaluated: number[] = [];
  for (const c of todo) {
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
    const m = await evaluateStep({ gan: built.gan, dataset: built.dataset, step: c.step, modelDir: dir.root, rng: built.rng.fork(`eval/${c.step}`), log: logger.info }, dir);
    io.out(`step ${c.step}: ${Object.entries(m).map(([k, v]) => `${k}=${v}`).join(' ')}\n`);
    evaluated.push(c.step);
  }
  writeReport({ modelDir: dir.root });
  return evaluated;
  });
}

export function registerEval(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('eval')
    .description("Evaluate a run's checkpoints (results in eval.jsonl and report.html).")
    .requiredOption('--model_dir <dir>', 'run directory')
    .option('--eval_every_steps <n>', 'evaluate checkpoints whose step is a multiple of N', positiveInt('--eval_every_steps'), 1)
    .option('--data_dir <dir>', 'where datasets are looked for')
    .action((opts: EvalFlags) => run(evalCommand(opts, io)));
}
