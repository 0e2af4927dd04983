/**
 * The fault-injection suite's tools: the built `gan` CLI as a real process (signals, locks,
 * Redis), a tiny config, and the check that no output carries a stack trace.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';

export const ROOT = path.resolve(__dirname, '../..');
export const GAN = path.join(ROOT, 'packages/runner/bin/gan.js');
export const BUILT = fs.existsSync(path.join(ROOT, 'packages/runner/dist/index.js'));
export const HAS_REDIS = spawnSync('redis-server', ['--version']).status === 0;
export const FAKE_TRAIN = path.join(__dirname, 'fake-train.js');

/** A tiny real config for the CLI (dcgan at 8x8, 4 channels): a step takes milliseconds. */
export const TINY = `
runtime.backend = "cpu"
runtime.seed = 3
dataset.name = "shapes"
dataset.resolution = 8
dataset.num_train_examples = 64
dataset.num_test_examples = 16
options.gan_class = @ModularGAN
options.architecture = "dcgan_arch"
dcgan.Generator.gf_dim = 4
dcgan.Discriminator.df_dim = 4
options.batch_size = 4
options.training_steps = 10
options.z_dim = 4
run_config.save_checkpoints_steps = 5
run_config.keep_checkpoint_max = 3
run_config.num_samples = 4
`;

export function tmp(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `cgan-faults-${tag}-`));
}

export function write(dir: string, name: string, text: string | Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

export interface Proc {
  child: ChildProcess;
  output: () => string;
  done: Promise<{ code: number | null; signal: string | null; output: string }>;
}

/** Starts `gan ...args` (or `node script ...args` when args[0] ends in .js) as a real process. */
export function start(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; detached?: boolean; uid?: number } = {}): Proc {
  const argv = args[0]?.endsWith('.js') ? args : [GAN, ...args];
  const child = spawn(process.execPath, argv, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GAN_DEBUG: '', ...opts.env },
    cwd: opts.cwd,
    detached: opts.detached,
    uid: opts.uid,
    gid: opts.uid,
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const done = new Promise<{ code: number | null; signal: string | null; output: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, output: out })),
  );
  return { child, output: () => out, done };
}

/** Runs `gan ...args` to completion. */
export async function run(args: string[], opts: Parameters<typeof start>[1] = {}) {
  return start(args, opts).done;
}

/** No stack frames, no "internal error", no Node banner, no unhandled rejection. */
export function expectNoStack(output: string): void {
  expect(output).not.toMatch(/^\s+at .+[:(].*\d+:\d+\)?$/m);
  expect(output).not.toMatch(/internal error|Unhandled|UnhandledPromiseRejection|Node\.js v\d+/);
}

/** A clean user error: exit 1 (or `code`), one `error:` paragraph matching `re`, no stack. */
export function expectCleanError(r: { code: number | null; output: string }, re: RegExp, code = 1): void {
  if (r.code !== code || !re.test(r.output)) throw new Error(`expected exit ${code} and ${re}, got ${r.code}:\n${r.output.slice(-3000)}`);
  expectNoStack(r.output);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function until(what: string, cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A real redis-server on a free loopback port, no persistence. */
export async function startRedis(port?: number): Promise<{ url: string; port: number; proc: ChildProcess; stop: () => Promise<void> }> {
  const p = port ?? (await freePort());
  const proc = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${p}`;
  await until('redis-server', () => new Promise<boolean>((resolve) => {
    const s = net.connect(p, '127.0.0.1', () => (s.end(), resolve(true)));
    s.on('error', () => resolve(false));
  }), 10000);
  const stop = () => new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
  return { url, port: p, proc, stop };
}

export const maybe = (cond: boolean) => (cond ? test : test.skip);
