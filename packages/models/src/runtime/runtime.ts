/**
 * The `runtime` configurable (`runtime.backend`, `runtime.seed`, `runtime.native_kernels`) and
 * `initRuntime`, which the runner and tests call once before building models.
 */
import { configurable, t } from '@cgan/config-lang';
import { BACKEND_CHOICES, BackendChoice, BackendSelection, describeSelection, useBackend } from './backend';
import { setNativeKernels } from './kernels/native';
import { drawSeed, setRuntimeSeed } from './seed';

export interface RuntimeOptions {
  backend?: BackendChoice;
  seed?: number | null;
  /** wasm only: native (OpenBLAS) convolutions and matMuls when @cgan/native-kernels is built */
  native_kernels?: boolean;
}

/** `runtime.backend` / `runtime.seed` with their bindings applied. */
export const runtimeOptions = configurable(
  'runtime',
  {
    params: {
      backend: { default: 'auto', type: t.oneOf(...BACKEND_CHOICES), doc: 'tfjs backend: auto tries tensorflow-gpu, tensorflow, wasm, cpu in turn' },
      seed: { default: null, type: t.optional(t.int), doc: 'seed of every random draw; None draws one and records it' },
      native_kernels: { default: true, type: t.bool, doc: 'wasm backend: run convolutions and matMuls with @cgan/native-kernels (oneDNN convolutions where built, OpenBLAS) when it is built' },
    },
  },
  (kw: RuntimeOptions): Required<RuntimeOptions> => ({ backend: kw.backend ?? 'auto', seed: kw.seed ?? null, native_kernels: kw.native_kernels ?? true }),
);

export interface RuntimeInfo extends BackendSelection {
  seed: number;
  /** true when no seed was configured and one was drawn */
  seedDrawn: boolean;
  /** human-readable summary (backend chosen, backends skipped and why, seed) */
  summary: string;
}

/**
 * Chooses the backend and sets the seed. Explicit options win over Gin bindings. `log` receives
 * the summary (default: nothing; the runner writes it to its log).
 */
export async function initRuntime(opts: RuntimeOptions & { log?: (line: string) => void } = {}): Promise<RuntimeInfo> {
  const { log, ...explicit } = opts;
  const kw = runtimeOptions(explicit);
  setNativeKernels(kw.native_kernels);
  const selection = await useBackend(kw.backend);
  const seedDrawn = kw.seed === null;
  const seed = kw.seed ?? drawSeed();
  setRuntimeSeed(seed);
  const summary = `${describeSelection(selection)}\nruntime.seed = ${seed}${seedDrawn ? ' (drawn; bind runtime.seed to replay)' : ''}`;
  log?.(summary);
  return { ...selection, seed, seedDrawn, summary };
}
