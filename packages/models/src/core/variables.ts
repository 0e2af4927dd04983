/**
 * Named variables for eager TF.js networks, created on first use like Sonnet/TF1 scopes:
 * `store.scope('generator', () => linear(store, x, 128, 'g_fc1'))` creates `generator/g_fc1/kernel`.
 * Every piece of state a run checkpoints lives here: weights, batch-norm moving averages,
 * spectral-norm power-iteration vectors (trainable = false).
 */
import * as tf from '@tensorflow/tfjs-core';

export type Initializer = (shape: number[]) => tf.Tensor;

export class VariableStore {
  private vars = new Map<string, tf.Variable>();
  private trainableFlags = new Map<string, boolean>();
  private stack: string[] = [];

  /** Runs `fn` with `name` appended to the variable name path. */
  scope<T>(name: string, fn: () => T): T {
    this.stack.push(name);
    try {
      return fn();
    } finally {
      this.stack.pop();
    }
  }

  currentPath(): string {
    return this.stack.join('/');
  }

  /** Gets `<path>/<name>`, creating it with `init(shape)` the first time. */
  get(name: string, shape: number[], init: Initializer, trainable = true): tf.Variable {
    const full = [...this.stack, name].join('/');
    const existing = this.vars.get(full);
    if (existing) {
      if (existing.shape.join(',') !== shape.join(',')) {
        throw new Error(`variable ${full} exists with shape [${existing.shape}], asked for [${shape}]`);
      }
      return existing;
    }
    const v = tf.tidy(() => tf.variable(init(shape), trainable, full));
    this.vars.set(full, v);
    this.trainableFlags.set(full, trainable);
    return v;
  }

  has(fullName: string): boolean {
    return this.vars.has(fullName);
  }

  /** Trainable variables whose name starts with `prefix` (e.g. 'generator/'). */
  trainable(prefix = ''): tf.Variable[] {
    return [...this.vars.entries()].filter(([n]) => n.startsWith(prefix) && this.trainableFlags.get(n)).map(([, v]) => v);
  }

  /** Every variable by full name (for checkpoints). */
  all(prefix = ''): Map<string, tf.Variable> {
    return new Map([...this.vars.entries()].filter(([n]) => n.startsWith(prefix)));
  }

  /** Number of scalar parameters (trainable only unless `all`). */
  count(prefix = '', all = false): number {
    let n = 0;
    for (const [name, v] of this.vars) if (name.startsWith(prefix) && (all || this.trainableFlags.get(name))) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.trainableFlags.clear();
  }
}
