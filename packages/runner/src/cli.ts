/**
 * The `gan` command line. Subcommands are added by their own modules under ./commands.
 */
import 'reflect-metadata';
import { Command, CommanderError } from 'commander';
import { configCommand } from './commands/config';
import { registerDiff } from './commands/diff';
import { registerEval } from './commands/eval';
import { registerSample } from './commands/sample';
import { registerTrain } from './commands/train';
import { registerSweep } from './commands/sweep';
import { registerMetrics } from './commands/metrics';
import { registerTrainClassifier } from './commands/train_classifier';
import { registerEncode } from './commands/encode';
import { registerReconstruct } from './commands/reconstruct';
import { registerScore } from './commands/score';
import { formatError } from './errors';
import { Io, processIo } from './io';

/** Collects the promise of the action that commander runs, so that main() can await and report it. */
type Runner = (p: Promise<unknown>) => void;

export function buildProgram(io: Io = processIo, run: Runner = () => undefined): Command {
  const program = new Command('gan');
  program
    .description('Compare GAN for Node.js: train, evaluate and sweep GANs configured with Gin files.')
    .version(require('../package.json').version)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  program.addCommand(configCommand());
  registerTrain(program, io, run);
  registerEval(program, io, run);
  registerSample(program, io, run);
  registerDiff(program, io, run);
  registerSweep(program, io, run);
  registerMetrics(program, io, run);
  registerTrainClassifier(program, io, run);
  registerEncode(program, io, run);
  registerReconstruct(program, io, run);
  registerScore(program, io, run);
  return program;
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
  const program = buildProgram(io, (p) => {
    action = p;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    if (action) await action;
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.err(formatError(e) + '\n');
    return (e as { exitCode?: number }).exitCode ?? 1;
  }
}
