/**
 * `runtime.seed`: the one seed every random draw of a run derives from (initialisers, z,
 * shuffling, label masks, penalty interpolation). Modules ask for a named child stream
 * (`runtimeRng('z')`), derived with Rng.fork, so adding a consumer does not shift the others'
 * draws; tfjs random ops take `stream.nextSeed()` as their `seed` argument.
 */
import { randomInt } from 'crypto';
import { Rng } from '../core/rng';

let root: Rng | null = null;

/** Sets the run's seed (a non-negative 32-bit integer) and resets every derived stream. */
export function setRuntimeSeed(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`runtime.seed must be an integer in [0, 4294967295], got ${seed}; e.g. runtime.seed = 42.`);
  }
  root = new Rng(seed >>> 0);
  streams.clear();
  return root;
}

/** A fresh seed for runs that set none (the run records it so that it can be replayed). */
export function drawSeed(): number {
  return randomInt(0, 2 ** 31 - 1);
}

/** The run's seed, or null before `initRuntime`/`setRuntimeSeed`. */
export function runtimeSeed(): number | null {
  return root ? root.seed : null;
}

const streams = new Map<string, Rng>();

/**
 * The run's random stream named `tag` (the same object for the same tag until the seed changes).
 * Without a seed set yet, throws: call initRuntime({ seed }) or setRuntimeSeed first.
 */
export function runtimeRng(tag: string): Rng {
  if (!root) throw new Error(`No runtime.seed is set yet (stream '${tag}' was requested): call initRuntime() or setRuntimeSeed(seed) before drawing random numbers.`);
  let s = streams.get(tag);
  if (!s) {
    s = root.fork(tag);
    streams.set(tag, s);
  }
  return s;
}

/** A 31-bit seed for one tfjs random op, drawn from the stream `tag`. */
export function opSeed(tag: string): number {
  return runtimeRng(tag).nextSeed();
}
