/**
 * Runs one trial as a child process: by default `node packages/runner/bin/gan.js train
 * --model_dir RUN_DIR --gin_config SWEEP.gin --gin_bindings 'k = v' ...`, so a crash never
 * takes the worker or other trials down. The command is injectable (`--trial_command` or
 * GAN_SWEEP_TRIAL_COMMAND) so tests can run a fake, fast trainer.
 *
 * A small guard process sits between the worker and the trial: it puts the trial in its own
 * process group and kills that group when the worker disappears (the IPC channel closes), so a
 * worker killed with SIGKILL leaves no orphan writing into a directory another worker resumes.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { clip } from '../errors';
import { SweepError } from './errors';
import { TrialRecord } from './state';

export interface TrialResult {
  ok: boolean;
  exitCode: number | null;
  signal: string | null;
  wallTimeSec: number;
  /** For a failure: what went wrong (exit status and the end of the log). */
  error?: string;
}

/** Runs `trial` in `runDir`; must never throw for a failing trial (report it in the result). */
export type TrialRunner = (trial: TrialRecord, runDir: string, opts?: { signal?: AbortSignal }) => Promise<TrialResult>;

export const TRIAL_COMMAND_ENV = 'GAN_SWEEP_TRIAL_COMMAND';

/** The default trial command: this package's `gan` binary under the current node. */
export function defaultTrialCommand(): string[] {
  return [process.execPath, path.resolve(__dirname, '../../bin/gan.js')];
}

/** A command given as a JSON array or as whitespace-separated words. */
export function parseCommand(text: string): string[] {
  const t = text.trim();
  const hint = `write --trial_command (or ${TRIAL_COMMAND_ENV}) as words ('node fake.js') or a JSON array of strings ('["node", "fake.js"]')`;
  if (t.startsWith('[')) {
    let a: unknown;
    try {
      a = JSON.parse(t);
    } catch (e) {
      throw new SweepError(`The trial command '${clip(text)}' is not valid JSON (${(e as Error).message}).`, hint);
    }
    if (!Array.isArray(a) || !a.length || !a.every((x) => typeof x === 'string')) throw new SweepError(`The trial command must be a JSON array of strings, got '${clip(text)}'.`, hint);
    return a;
  }
  const words = t.split(/\s+/).filter(Boolean);
  if (!words.length) throw new SweepError('The trial command is empty.', hint);
  return words;
}

export function resolveTrialCommand(option?: string): string[] {
  const text = option ?? process.env[TRIAL_COMMAND_ENV];
  return text ? parseCommand(text) : defaultTrialCommand();
}

export function trialArgs(trial: TrialRecord, runDir: string): string[] {
  return ['train', '--model_dir', runDir, '--gin_config', trial.sweepFile, ...trial.lines.flatMap((l) => ['--gin_bindings', l])];
}

const GUARD = `
const { spawn } = require('child_process');
const [cmd, ...args] = JSON.parse(process.argv[1]);
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const kill = (sig) => { try { process.kill(-child.pid, sig); } catch (e) {} };
process.on('disconnect', () => { kill('SIGKILL'); process.exit(137); });
// Ctrl-C reaches the guard twice (from the terminal, and as the worker's SIGTERM): the trial gets
// one SIGTERM, since a second one makes it quit without its stop checkpoint.
let stopping = false;
for (const s of ['SIGTERM', 'SIGINT']) process.on(s, () => { if (stopping) return; stopping = true; kill('SIGTERM'); setTimeout(() => { kill('SIGKILL'); process.exit(143); }, 60000).unref(); });
child.on('error', (e) => { process.stderr.write('cannot start trial command ' + JSON.stringify(cmd) + ': ' + e.message + '\\n'); process.exit(127); });
child.on('exit', (code, sig) => process.exit(code === null ? 128 + (require('os').constants.signals[sig] || 9) : code));
`;

const shellQuote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/**
 * A one-line summary (the exit status and the trial's `error:` line, or its last line), then
 * the end of this attempt's log.
 */
export function describeFailure(status: string, log: string): string {
  const attempt = log.slice(log.lastIndexOf('\n=== ') + 1).split('\n').slice(1).map((l) => l.trimEnd()).filter(Boolean);
  const errorLine = [...attempt].reverse().find((l) => /^(error|gan):/.test(l)) ?? attempt[attempt.length - 1];
  const tail = attempt.slice(-10).join('\n');
  return `${status}${errorLine ? `: ${errorLine.slice(0, 300)}` : ''}${tail ? `\n${tail}` : ''}`;
}

/** A TrialRunner that spawns `command + trialArgs(...)` (through the guard), logging to trial.log. */
export function processTrialRunner(command: string[], env: NodeJS.ProcessEnv = process.env): TrialRunner {
  return (trial, runDir, opts = {}) =>
    new Promise<TrialResult>((resolve) => {
      fs.mkdirSync(runDir, { recursive: true });
      const logFile = path.join(runDir, 'trial.log');
      const log = fs.openSync(logFile, 'a');
      const started = Date.now();
      fs.writeSync(log, `\n=== ${new Date().toISOString()} ${[...command, ...trialArgs(trial, runDir)].map(shellQuote).join(' ')}\n`);
      const child = spawn(process.execPath, ['-e', GUARD, JSON.stringify([...command, ...trialArgs(trial, runDir)])], {
        stdio: ['ignore', log, log, 'ipc'],
        env,
      });
      const onAbort = () => child.kill('SIGTERM');
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      let done = false;
      const finish = (exitCode: number | null, signal: string | null, spawnError?: string) => {
        if (done) return;
        done = true;
        opts.signal?.removeEventListener('abort', onAbort);
        fs.closeSync(log);
        const wallTimeSec = (Date.now() - started) / 1000;
        const ok = exitCode === 0 && !spawnError;
        let error: string | undefined;
        if (!ok) {
          error = describeFailure(spawnError ?? (signal ? `killed by ${signal}` : `exited with status ${exitCode}`), fs.readFileSync(logFile, 'utf8'));
        }
        resolve({ ok, exitCode, signal, wallTimeSec, error });
      };
      child.on('error', (e) => finish(null, null, `cannot start the trial guard: ${e.message}`));
      child.on('exit', (code, signal) => finish(code, signal));
    });
}
