/**
 * The `gan` command line. Subcommands are added by their own modules under ./commands.
 *
 * main() loads only the module of the subcommand being run: most of them load TensorFlow.js
 * (~1 s), which `gan --help`, `gan config ...` and `gan lsp` do not need. `gan --help` lists
 * every command from COMMANDS below (a test checks it against the commands themselves).
 */
import { Command, CommanderError, Help } from 'commander';
import type { Io } from './io';
import { processIo } from './io';

/** Collects the promise of the action that commander runs, so that main() can await and report it. */
type Runner = (p: Promise<unknown>) => void;
type Register = (program: Command, io: Io, run: Runner) => void;

interface CommandEntry {
  name: string;
  /** How `gan --help` lists it: its usage term and its description. */
  term: string;
  summary: string;
  register: () => Register;
}

/* eslint-disable @typescript-eslint/no-require-imports */
export const COMMANDS: CommandEntry[] = [
  { name: 'config', term: 'config', summary: 'Parse, format and check Gin configuration files.', register: () => (p) => p.addCommand(require('./commands/config').configCommand()) },
  { name: 'train', term: 'train [options]', summary: 'Train a GAN configured by Gin files; resumes from the newest checkpoint in --model_dir.', register: () => require('./commands/train').registerTrain },
  { name: 'eval', term: 'eval [options]', summary: "Evaluate a run's checkpoints (results in eval.jsonl and report.html), with the evaluation bindings the run recorded unless overridden.", register: () => require('./commands/eval').registerEval },
  { name: 'sample', term: 'sample [options]', summary: 'Write a PNG grid of samples from a checkpoint (the EMA generator when the run uses one).', register: () => require('./commands/sample').registerSample },
  { name: 'diff', term: 'diff <run_a> <run_b>', summary: 'Show the bindings in which two runs (or .gin files) differ.', register: () => require('./commands/diff').registerDiff },
  { name: 'sweep', term: 'sweep', summary: 'Hyperparameter sweeps: plan, run locally or on a Redis queue, and compare results (docs/SWEEPS.md).', register: () => require('./commands/sweep').registerSweep },
  { name: 'metrics', term: 'metrics [options] <metric>', summary: 'Compute FID, KID or PRD on precomputed feature matrices (.npy) and print one JSON object.', register: () => require('./commands/metrics').registerMetrics },
  { name: 'train-classifier', term: 'train-classifier [options]', summary: 'Train the small convnet whose features and logits the metrics use (fid[<dataset>-classifier@<fingerprint>], ...).', register: () => require('./commands/train_classifier').registerTrainClassifier },
  { name: 'encode', term: 'encode [options]', summary: "Encode images with a trained encoder GAN's encoder (BigBiGAN) into a .npy of latents.", register: () => require('./commands/encode').registerEncode },
  { name: 'reconstruct', term: 'reconstruct [options]', summary: 'Write a PNG grid of real images and their reconstructions G(E(x)) by an encoder GAN (BigBiGAN).', register: () => require('./commands/reconstruct').registerReconstruct },
  { name: 'translate', term: 'translate [options]', summary: 'Translate images with a trained CycleGAN: one PNG per input, named after it, and grid.png (input / translated / cycled).', register: () => require('./commands/translate').registerTranslate },
  { name: 'score', term: 'score [options] <images>', summary: 'FID, KID, IS and PRD of a set of images (PNG folder, .npy or .npz; NHWC/NCHW; uint8 or float in [0, 1]) against a dataset split or another set; one JSON object.', register: () => require('./commands/score').registerScore },
  { name: 'lsp', term: 'lsp [options]', summary: 'Run the Gin language server (diagnostics, completion, hover, ...) for editors.', register: () => require('./commands/lsp').registerLsp },
];
/* eslint-enable @typescript-eslint/no-require-imports */

function baseProgram(io: Io): Command {
  return new Command('gan')
    .description('Compare GAN for Node.js: train, evaluate and sweep GANs configured with Gin files.')
    .version(require('../package.json').version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
}

/** The whole program, every command loaded (main() loads only the one it runs). */
export function buildProgram(io: Io = processIo, run: Runner = () => undefined): Command {
  const program = baseProgram(io);
  require('reflect-metadata');
  for (const c of COMMANDS) c.register()(program, io, run);
  return program;
}

/** The command name in `argv` (after program options and `help`), if any. */
function commandName(args: string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** The program with only the command `argv` (plain arguments) runs loaded; the others listed by name for --help. */
function lazyProgram(argv: string[], io: Io, run: Runner): Command {
  const program = baseProgram(io);
  const wanted = COMMANDS.find((c) => c.name === commandName(argv));
  if (wanted) {
    require('reflect-metadata');
    wanted.register()(program, io, run);
    return program;
  }
  const terms = new Map<Command, string>();
  for (const c of COMMANDS) terms.set(program.command(c.name).description(c.summary), c.term);
  const help = new Help();
  program.configureHelp({ subcommandTerm: (cmd) => terms.get(cmd) ?? help.subcommandTerm(cmd) });
  return program;
}

/** The loaded config's effective bindings for an error report (none when nothing was loaded). */
function currentBindings(): Record<string, string> {
  try {
    // Loaded here, like errors.ts: the config language is not needed for `gan --help`.
    const { effectiveBindings, showValue } = require('./run/effective') as typeof import('./run/effective');
    return Object.fromEntries(Object.entries(effectiveBindings()).map(([k, v]) => [k, showValue(v)]));
  } catch {
    return {};
  }
}

/** `gan ... | head`: when the reader closes the pipe, stop quietly (no EPIPE stack trace). */
function quietOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') > 0) continue;
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
}

/** `process.argv` form (node, script, ...args)? Kept so that `main(process.argv)` still works. */
function isProcessArgv(argv: string[]): boolean {
  return argv.length >= 2 && (argv[0] === process.execPath || /(^|[\\/])node(\.exe)?$/.test(argv[0]));
}

/**
 * Runs the CLI with plain arguments (`main(['train', '--gin_config', 'a.gin'])`; `process.argv`
 * also accepted); returns the exit code (0 ok, 1 bad input, 3 diverged, 2 usage).
 */
export async function main(args: string[] = process.argv.slice(2), io: Io = processIo): Promise<number> {
  const argv = isProcessArgv(args) ? args.slice(2) : args;
  if (io === processIo) quietOnClosedPipe();
  let action: Promise<unknown> | null = null;
  try {
    const program = lazyProgram(argv, io, (p) => {
      // Handled below (awaited); marked now so that a rejection before that is not 'unhandled'.
      p.catch(() => undefined);
      action = p;
    });
    await program.parseAsync(argv, { from: 'user' });
    if (action) await action;
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    // Loaded here: errors.ts loads the config language, which `gan --help` does not need.
    const { formatError } = require('./errors') as typeof import('./errors');
    io.err(formatError(e, { bindings: currentBindings() }) + '\n');
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
}
