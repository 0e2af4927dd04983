/**
 * One place that chooses the tfjs backend: `runtime.backend = "auto"` (or "tensorflow-gpu",
 * "tensorflow", "wasm", "cpu"). `auto` tries @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node
 * (optionalDependencies, required lazily), then wasm (with the training kernels of ./kernels),
 * then cpu, and reports which one runs and why the others did not.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's CommonJS build registers no gradient functions; tfjs-layers' bundle registers them all.
import '@tensorflow/tfjs-layers';
import './gradients';
import { registerWasmTrainingKernels } from './kernels';
import { nativeKernelsStatus } from './kernels/native';

export const BACKEND_CHOICES = ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface BackendAttempt {
  /** the `runtime.backend` name tried */
  name: Exclude<BackendChoice, 'auto'>;
  ok: boolean;
  /** why it was not used (empty when ok) */
  reason: string;
}

export interface BackendSelection {
  requested: BackendChoice;
  /** the `runtime.backend` name that runs */
  chosen: Exclude<BackendChoice, 'auto'>;
  /** tfjs's own backend name: 'tensorflow', 'wasm' or 'cpu' */
  tfjsBackend: string;
  attempts: BackendAttempt[];
}

const AUTO_ORDER: Array<Exclude<BackendChoice, 'auto'>> = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'];

function errText(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0];
}

/** `require` of an optional package by a computed name, so that bundlers and tsc leave it alone. */
function requireOptional(pkg: string): { ok: true } | { ok: false; reason: string } {
  try {
    require(pkg);
    return { ok: true };
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'MODULE_NOT_FOUND' && errText(e).includes(pkg)) {
      return { ok: false, reason: `${pkg} is not installed (it is an optional dependency; \`npm install ${pkg}\` where its native binaries are available)` };
    }
    return { ok: false, reason: `${pkg} failed to load: ${errText(e)}` };
  }
}

async function activate(tfjsName: string): Promise<string | null> {
  if (!tf.findBackendFactory(tfjsName)) return `no '${tfjsName}' backend is registered`;
  try {
    const ok = await tf.setBackend(tfjsName);
    return ok ? null : `the '${tfjsName}' backend failed to initialise`;
  } catch (e) {
    return `the '${tfjsName}' backend failed to initialise: ${errText(e)}`;
  }
}

async function tryOne(name: Exclude<BackendChoice, 'auto'>): Promise<{ tfjsName: string; reason: string | null }> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      const pkg = name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
      const r = requireOptional(pkg);
      if (!r.ok) return { tfjsName: 'tensorflow', reason: r.reason };
      return { tfjsName: 'tensorflow', reason: await activate('tensorflow') };
    }
    case 'wasm': {
      try {
        require('@tensorflow/tfjs-backend-wasm');
      } catch (e) {
        return { tfjsName: 'wasm', reason: `@tensorflow/tfjs-backend-wasm failed to load: ${errText(e)}` };
      }
      registerWasmTrainingKernels();
      return { tfjsName: 'wasm', reason: await activate('wasm') };
    }
    case 'cpu': {
      try {
        require('@tensorflow/tfjs-backend-cpu');
      } catch (e) {
        return { tfjsName: 'cpu', reason: `@tensorflow/tfjs-backend-cpu failed to load: ${errText(e)}` };
      }
      quietCpuBackend();
      return { tfjsName: 'cpu', reason: await activate('cpu') };
    }
  }
}

/**
 * The cpu backend prints a "install tfjs-node" banner on first use in Node. The selection above
 * already says why tfjs-node is not used, so the banner is switched off.
 */
export function quietCpuBackend(): void {
  const b = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | undefined;
  if (b && 'firstUse' in b) b.firstUse = false;
}

/**
 * Makes `requested` the active tfjs backend (for 'auto': the first that works in AUTO_ORDER).
 * Throws an Error naming every attempt and how to fix it when none can run.
 */
export async function useBackend(requested: BackendChoice = 'auto'): Promise<BackendSelection> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new Error(`Unknown runtime.backend '${requested}': choose one of ${BACKEND_CHOICES.map((b) => `"${b}"`).join(', ')}.`);
  }
  const order = requested === 'auto' ? AUTO_ORDER : [requested];
  const attempts: BackendAttempt[] = [];
  for (const name of order) {
    const { tfjsName, reason } = await tryOne(name);
    attempts.push({ name, ok: reason === null, reason: reason ?? '' });
    if (reason === null) return { requested, chosen: name, tfjsBackend: tfjsName, attempts };
  }
  const lines = attempts.map((a) => `  - ${a.name}: ${a.reason}`).join('\n');
  throw new Error(
    `runtime.backend = "${requested}" could not start a tfjs backend:\n${lines}\n` +
      (requested === 'auto' ? 'Reinstall the workspace dependencies (npm ci) so that @tensorflow/tfjs-backend-cpu is present.' : 'Use runtime.backend = "auto" to fall back to a backend that works here.'),
  );
}

/** One line per attempt, e.g. for the run log. */
export function describeSelection(s: BackendSelection): string {
  const head = `tfjs backend: ${s.chosen} (runtime.backend = "${s.requested}")`;
  const skipped = s.attempts.filter((a) => !a.ok).map((a) => `  skipped ${a.name}: ${a.reason}`);
  const native = s.tfjsBackend === 'wasm' ? [`  ${nativeKernelsStatus()}`] : [];
  return [head, ...native, ...skipped].join('\n');
}
