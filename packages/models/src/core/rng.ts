/**
 * One seedable random stream for everything random in a run: initialisers, z, shuffling,
 * label masks. Its state is a pair of 32-bit words, so it can be checkpointed and restored.
 * (mulberry32-style generator on a 64-bit counter: fast, deterministic on every backend.)
 */
// Module-level aliases: under Jest's vm sandbox, looking up Math.* in hot loops is ~300x slower.
const { imul, floor, sqrt, log, cos, PI } = Math;

export interface RngState {
  seed: number;
  counter: number;
}

export class Rng {
  private counter = 0;
  constructor(readonly seed: number) {}

  /** A uniform float in [0, 1). */
  uniform(): number {
    let x = (this.seed ^ imul(this.counter++ + 0x6d2b79f5, 0x9e3779b1)) >>> 0;
    x = imul(x ^ (x >>> 15), x | 1);
    x ^= x + imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }

  /** A 31-bit integer, e.g. a seed for a tfjs random op. */
  nextSeed(): number {
    return floor(this.uniform() * 2147483647);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return floor(this.uniform() * n);
  }

  /** A standard normal draw (Box-Muller). */
  normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return sqrt(-2 * log(u)) * cos(2 * PI * v);
  }

  /** Fisher-Yates shuffle of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }

  /** An independent child stream (e.g. one for data, one for z), derived deterministically. */
  fork(tag: string): Rng {
    let h = this.seed ^ 0x811c9dc5;
    for (let i = 0; i < tag.length; i++) h = imul(h ^ tag.charCodeAt(i), 16777619);
    return new Rng(h >>> 0);
  }

  state(): RngState {
    return { seed: this.seed, counter: this.counter };
  }

  setState(s: RngState): void {
    if (s.seed !== this.seed) throw new Error(`RNG state for seed ${s.seed} restored into a stream seeded ${this.seed}`);
    this.counter = s.counter;
  }
}
