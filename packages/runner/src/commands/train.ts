/**
 * `gan train`: compare_gan's main.py flags. Builds the run from --gin_config files and
 * --gin_bindings, checks the model_dir, trains (resuming when a checkpoint exists) and
 * optionally evaluates. `--dry_run` builds everything and prints the operative config and
 * parameter counts without training or writing anything.
 */
import { Command, Option } from 'commander';
import { config } from '@cgan/config-lang';
import { evaluateGan, formatProfile, loadEvaluationExtractors, profileSteps } from '@cgan/models';
import { asConfigProblem, RunError } from '../errors';
import { operativeConfigStr } from '../gin';
import { Io, loggerFor, processIo } from '../io';
import { diffBindings, effectiveBindings, showValue } from '../run/effective';
import { makeProgress } from '../run/progress';
import { gitCommit, isScheduleBinding, packageVersions, RunDir, RunJson } from '../run/run_dir';
import { Schedule, Trainer, TrainOptions, TrainResult } from '../run/trainer';
import { findEvaluator, recordEvaluationConfig, requireEvaluator } from '../evaluation';
import { buildRun, BuiltRun, disposeRun, TOKENS } from '../wiring/container';
import { ignoredBindings } from '../wiring/run_config';
import { buildForCheck } from '../wiring/build_check';
import { collect, positiveInt } from './common';

export interface TrainFlags {
  model_dir?: string;
  gin_config: string[];
  gin_bindings: string[];
  /** Overrides run_config.schedule (default 'train'). */
  schedule?: Schedule;
  /** Overrides run_config.eval_every_steps (default 5000). */
  eval_every_steps?: number;
  data_dir?: string;
  dry_run?: boolean;
  force?: boolean;
  quiet?: boolean;
  /** profile this many steps (after 2 warm-up steps) and print where their time goes */
  profile?: number | boolean;
}

/** Parameter counts per top-level variable scope (generator, discriminator, ...). */
export function parameterCounts(built: BuiltRun): Array<[string, number]> {
  const scopes = new Set<string>();
  for (const name of built.store.all().keys()) scopes.add(name.split('/')[0]);
  return [...scopes].sort().map((s) => [s, built.store.count(`${s}/`)] as [string, number]);
}

function describeDiff(a: Record<string, string>, b: Record<string, string>, d = diffBindings(a, b)): string {
  const shown = d.slice(0, 8).map((x) => `${x.key}: ${showValue(x.a, x.key)} -> ${showValue(x.b, x.key)}`);
  return shown.join('; ') + (d.length > 8 ? `; and ${d.length - 8} more` : '');
}

export async function trainCommand(flags: TrainFlags, io: Io, hooks: Pick<TrainOptions, 'afterStep'> = {}): Promise<TrainResult | null> {
  const logger = loggerFor(io, flags.quiet);
  if (!flags.gin_config.length && !flags.gin_bindings.length) {
    throw new RunError('No configuration given.', 'pass --gin_config FILE (e.g. gin-configs/quickstart_shapes.gin)');
  }
  if (!flags.model_dir && !flags.dry_run) throw new RunError('--model_dir is required.', 'pass --model_dir runs/NAME (or --dry_run to only build the model)');
  // --schedule / --eval_every_steps are bindings of run_config, so that config and sweep files can
  // set them and the operative config records them.
  flags = { ...flags, gin_bindings: [...flags.gin_bindings, ...scheduleBindings(flags)] };

  if (flags.dry_run) return dryRun(flags, io, logger);
  const previousRun = flags.model_dir ? new RunDir(flags.model_dir).previousRun() : null;
  const built = await buildRun(
    { reuseSeed: previousRun?.seed ?? null, ginConfigs: flags.gin_config, ginBindings: flags.gin_bindings, dataDir: flags.data_dir ?? null, fakeDataFallback: false },
    logger,
  );
  try {
    return await trainBuilt(built, flags, io, hooks, logger);
  } finally {
    disposeRun(built);
  }
}

export function scheduleBindings(flags: Pick<TrainFlags, 'schedule' | 'eval_every_steps'>): string[] {
  const b: string[] = [];
  if (flags.schedule !== undefined) b.push(`run_config.schedule = '${flags.schedule}'`);
  if (flags.eval_every_steps !== undefined) b.push(`run_config.eval_every_steps = ${flags.eval_every_steps}`);
  return b;
}

function warnAboutConfig(built: BuiltRun, logger: ReturnType<typeof loggerFor>): void {
  for (const line of ignoredBindings()) logger.warn(`ignored (no effect in this runner): ${line}`);
  if (built.datasetNote) logger.warn(built.datasetNote);
}

/**
 * Builds everything (on `fake` data when the dataset is missing) and prints the operative
 * config and parameter counts. Variable shapes do not depend on the batch size, so the networks
 * are built at batch 2 (then at options.batch_size for variants whose heads need more).
 */
async function dryRun(flags: TrainFlags, io: Io, logger: ReturnType<typeof loggerFor>): Promise<null> {
  const built = await buildForCheck({ ginConfigs: flags.gin_config, ginBindings: flags.gin_bindings, dataDir: flags.data_dir ?? null }, logger, loggerFor(io, true));
  try {
    warnAboutConfig(built, logger);
    recordEvaluationConfig();
    config.finalize();
    printDryRun(built, io);
    return null;
  } finally {
    disposeRun(built);
  }
}

async function trainBuilt(built: BuiltRun, flags: TrainFlags, io: Io, hooks: Pick<TrainOptions, 'afterStep'>, logger: ReturnType<typeof loggerFor>): Promise<TrainResult | null> {
  const effective = effectiveBindings();
  warnAboutConfig(built, logger);
  const schedule = built.runConfig.schedule;
  if (schedule !== 'train') requireEvaluator();

  const dir = flags.model_dir ? new RunDir(flags.model_dir) : null;
  const previous = dir?.previousRun() ?? null;
  if (previous) {
    const before = previous.effective_bindings ?? {};
    const d = diffBindings(before, effective);
    const modelChanges = d.filter((x) => !isScheduleBinding(x.key));
    if (modelChanges.length && !flags.force) {
      throw new RunError(
        `--model_dir '${dir!.root}' holds a run with a different config (${describeDiff(before, effective, modelChanges)}). Nothing was changed.`,
        'use another --model_dir, rerun with that run\'s operative_config-*.gin, or pass --force to continue this run with the new config ' +
          '(only schedule bindings -- options.training_steps, run_config.*, metrics.evaluation.* -- may change without it)',
      );
    }
    if (d.length) logger.info(`continuing the run in ${dir!.root} with changed bindings: ${describeDiff(before, effective, d)}${modelChanges.length ? ' (--force)' : ''}`);
  }

  await asConfigProblem('Could not build the networks', () => built.gan.build());
  recordEvaluationConfig();
  config.finalize();
  // Evaluation needs its feature extractor (e.g. a trained classifier): fail now, not after training.
  // (Only for the built-in evaluator: an installed one brings its own.)
  if (schedule !== 'train' && findEvaluator() === evaluateGan) await asConfigProblem(`--schedule ${schedule} cannot evaluate`, () => loadEvaluationExtractors(built.dataset.info), 'train the classifier first (gan train_classifier), set metrics.feature_extractor, or use --schedule train');

  const release = dir!.open('gan train');
  try {
    return await trainOpened(built, flags, io, hooks, logger, dir!, previous, effective);
  } finally {
    release();
  }
}

async function trainOpened(built: BuiltRun, flags: TrainFlags, io: Io, hooks: Pick<TrainOptions, 'afterStep'>, logger: ReturnType<typeof loggerFor>, dir: RunDir, previous: RunJson | null, effective: Record<string, string>): Promise<TrainResult> {
  const latestStep = dir!.checkpoints.list()[0]?.step ?? 0;
  const runJson: RunJson = {
    format: 'cgan-run/1',
    created: previous?.created ?? new Date().toISOString(),
    seed: built.runtime.seed,
    backend: built.runtime.backend,
    dataset: built.dataset.info.name,
    gan_class: (built.options.gan_class as Function)?.name,
    versions: packageVersions(),
    git_commit: gitCommit(),
    command: process.argv.slice(2),
    effective_bindings: effective,
    history: previous
      ? [...(previous.history ?? []), ...(diffBindings(previous.effective_bindings ?? {}, effective).length ? [{ step: latestStep, effective_bindings: previous.effective_bindings }] : [])]
      : [],
  };
  if (previous && previous.seed !== runJson.seed && !flags.force) {
    throw new RunError(`--model_dir '${dir!.root}' was trained with seed ${previous.seed}, this config uses ${runJson.seed}.`, 'set runtime.seed to the run\'s seed, or pass --force');
  }
  dir!.writeRunJson(runJson);
  built.container.register(TOKENS.RunDir, { useValue: dir });
  const trainer = built.container.resolve(Trainer);
  logger.info(
    `training ${runJson.gan_class} on ${built.dataset.info.name} [${built.dataset.info.imageShape.join('x')}] for ${built.options.training_steps} steps ` +
      `(batch ${built.options.batch_size}, backend ${built.runtime.backend}, seed ${built.runtime.seed}) in ${dir!.root}`,
  );
  const profile = flags.profile ? profileSteps({ warmup: 2, steps: flags.profile === true ? 5 : flags.profile, onReport: (r) => io.err(`${formatProfile(r)}\n`) }) : null;
  const afterStep = profile ? (step: number) => (profile(step), hooks.afterStep?.(step)) : hooks.afterStep;
  const result = await trainer.train({
    schedule: built.runConfig.schedule,
    evalEverySteps: built.runConfig.eval_every_steps,
    progress: makeProgress(io.progressStream, (s) => io.err(s)),
    onOperativeConfig: (step) => `wrote ${dir!.writeOperative(step, operativeConfigStr())}`,
    afterStep,
    handleSignals: io === processIo,
  });
  logger.info(`done: step ${result.finalStep}${result.stepsPerSec ? `, ${result.stepsPerSec.toFixed(2)} steps/s` : ''}; report: ${dir!.root}/report.html`);
  return result;
}

function printDryRun(built: BuiltRun, io: Io): void {
  const info = built.dataset.info;
  io.out(`# Operative config (dry run; parts first used inside a training step are added to operative_config-0.gin by a real run)\n`);
  io.out(operativeConfigStr().trimEnd() + '\n\n');
  io.out(`# dataset: ${info.name} ${info.imageShape.join('x')}, ${info.numClasses} classes, ${info.numExamples.train} train / ${info.numExamples.test} test examples\n`);
  io.out(`# backend: ${built.runtime.backend}, seed: ${built.runtime.seed}\n`);
  let total = 0;
  for (const [scope, n] of parameterCounts(built)) {
    io.out(`# parameters ${scope}: ${n.toLocaleString('en-US')}\n`);
    total += n;
  }
  io.out(`# parameters total (trainable): ${total.toLocaleString('en-US')}\n`);
}

export function registerTrain(program: Command, io: Io, run: (p: Promise<unknown>) => void): void {
  program
    .command('train')
    .description('Train a GAN configured by Gin files; resumes from the newest checkpoint in --model_dir.')
    .option('--model_dir <dir>', 'run directory (checkpoints, metrics, samples, report)')
    .option('--gin_config <file>', 'Gin config file (repeatable; later files override earlier ones)', collect, [])
    .option('--gin_bindings <binding>', "extra binding, e.g. 'options.training_steps = 100' (repeatable)", collect, [])
    .addOption(new Option('--schedule <schedule>', "what to run (run_config.schedule; default 'train')").choices(['train', 'eval_after_train', 'continuous_eval']))
    .option('--eval_every_steps <n>', 'evaluate every N steps (continuous_eval; run_config.eval_every_steps, default 5000)', positiveInt('--eval_every_steps'))
    .option('--data_dir <dir>', 'where datasets are looked for')
    .option('--dry_run', 'build everything, print the operative config and parameter counts, and exit')
    .option('--force', 'continue a run in --model_dir even though its model or data bindings differ (schedule bindings such as options.training_steps may change without it)')
    .option('--quiet', 'only warnings and errors on stderr')
    .option('--profile [steps]', 'after 2 warm-up steps, time the kernels of the next N steps (default 5) and print where a step goes', (v: string) => positiveInt('--profile')(v), undefined)
    .action((opts: TrainFlags) => run(trainCommand(opts, io)));
}
