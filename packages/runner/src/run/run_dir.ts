/**
 * The run directory, what users share:
 *   run.json                     seed, backend, versions, git commit, effective bindings
 *   operative_config-<step>.gin  the config the run used from <step> on (defaults included)
 *   checkpoints/ckpt-<step>/     see ./checkpoint
 *   metrics.jsonl                one record per logged step (./metrics_log)
 *   samples/step-<N>.png         EMA generator on fixed z (./images)
 *   report.html                  curves and latest samples (./report)
 *   eval.jsonl                   evaluation results (written by the evaluation hook)
 *   .lock                        who is writing here now (./lock): train and eval take it
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fileSystemError, RunError } from '../errors';
import { CheckpointStore } from './checkpoint';
import { lockDirectory } from './lock';
import { MetricsLog } from './metrics_log';

export interface RunJson {
  format: 'cgan-run/1';
  created: string;
  seed: number;
  backend: string;
  dataset?: string;
  gan_class?: string;
  versions: Record<string, string>;
  git_commit: string | null;
  command: string[];
  /** Non-default bindings (see ../run/effective). */
  effective_bindings: Record<string, string>;
  /** Earlier effective bindings when a run was continued with --force, with the step. */
  history?: Array<{ step: number; effective_bindings: Record<string, string> }>;
}

/**
 * Bindings that only schedule a run (how long, how often to checkpoint, log, sample or
 * evaluate) and leave the model, the data and the optimisation untouched. Rerunning `gan train`
 * on a run directory with only these changed extends the run (Compare GAN's semantics: raise
 * options.training_steps and rerun); any other change needs --force.
 */
const SCHEDULE_BINDINGS = /^(runner_lib\.options\.training_steps|run_config\.\w+|TpuSummaries\.\w+|metrics\.evaluation\.\w+)$/;

export function isScheduleBinding(key: string): boolean {
  return SCHEDULE_BINDINGS.test(key);
}

export class RunDir {
  readonly checkpoints: CheckpointStore;
  readonly metrics: MetricsLog;
  constructor(readonly root: string) {
    this.checkpoints = new CheckpointStore(root);
    this.metrics = new MetricsLog(path.join(root, 'metrics.jsonl'));
  }

  get runJsonPath(): string {
    return path.join(this.root, 'run.json');
  }
  get evalPath(): string {
    return path.join(this.root, 'eval.jsonl');
  }
  samplePath(step: number): string {
    return path.join(this.root, 'samples', `step-${step}.png`);
  }
  operativePath(step: number): string {
    return path.join(this.root, `operative_config-${step}.gin`);
  }

  exists(): boolean {
    return fs.existsSync(this.runJsonPath);
  }

  ensure(): void {
    if (fs.existsSync(this.root) && !fs.statSync(this.root).isDirectory()) {
      throw new RunError(`--model_dir '${this.root}' exists and is not a folder.`, 'pass a folder (it is created when missing)');
    }
    try {
      fs.mkdirSync(path.join(this.root, 'samples'), { recursive: true });
    } catch (e) {
      throw fileSystemError(e, `--model_dir ${this.root}`) ?? e;
    }
  }

  /**
   * Creates the directory if needed and takes its lock (see ./lock) for `command`; returns the
   * release function. Every command that writes into a run directory opens it this way.
   */
  open(command: string): () => void {
    this.ensure();
    return lockDirectory(this.root, command, 'run directory');
  }

  /** Whether any step was ever completed here (a checkpoint, an operative config or a metric). */
  hasProgress(): boolean {
    if (this.checkpoints.list().length || this.operativeConfigs().length) return true;
    try {
      return fs.statSync(this.metrics.file).size > 0;
    } catch {
      return false;
    }
  }

  readRunJson(): RunJson | null {
    if (!fs.existsSync(this.runJsonPath)) return null;
    try {
      return JSON.parse(fs.readFileSync(this.runJsonPath, 'utf8')) as RunJson;
    } catch (e) {
      throw new RunError(`${this.runJsonPath} is not valid JSON (${(e as Error).message}).`, 'restore it from a backup, or use another --model_dir');
    }
  }

  /**
   * The run.json of a run that made progress; null for a fresh directory or one whose run
   * stopped before its first step (nothing there to protect, so no --force is needed).
   */
  previousRun(): RunJson | null {
    return this.hasProgress() ? this.readRunJson() : null;
  }

  writeRunJson(r: RunJson): void {
    writeAtomic(this.runJsonPath, JSON.stringify(r, null, 2) + '\n');
  }

  writeOperative(step: number, text: string): string {
    const file = this.operativePath(step);
    writeAtomic(file, text.endsWith('\n') ? text : text + '\n');
    return file;
  }

  /** operative_config-<step>.gin files, newest (highest step) first. */
  operativeConfigs(): Array<{ step: number; file: string }> {
    if (!fs.existsSync(this.root) || !fs.statSync(this.root).isDirectory()) return [];
    return fs
      .readdirSync(this.root)
      .map((n) => ({ n, m: /^operative_config-(\d+)\.gin$/.exec(n) }))
      .filter((x) => x.m)
      .map((x) => ({ step: Number(x.m![1]), file: path.join(this.root, x.n) }))
      .sort((a, b) => b.step - a.step);
  }
}

/** Writes through a temporary file renamed into place; on failure nothing is left behind. */
export function writeAtomic(file: string, text: string | Buffer): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw fileSystemError(e) ?? e;
  }
}

function pkgVersion(name: string): string | undefined {
  try {
    return require(`${name}/package.json`).version;
  } catch {
    return undefined;
  }
}

export function packageVersions(): Record<string, string> {
  const out: Record<string, string> = { node: process.version };
  for (const n of ['@cgan/config-lang', '@cgan/models', '@cgan/runner', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm']) {
    const v = pkgVersion(n);
    if (v) out[n] = v;
  }
  return out;
}

/** The checkout's commit (with `-dirty` when there are uncommitted changes), or null. */
export function gitCommit(cwd = __dirname): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    let dirty = false;
    try {
      dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    } catch {
      /* ignore */
    }
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null;
  }
}
