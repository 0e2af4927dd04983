/**
 * What a checkpoint holds and how it goes back into a run: every VariableStore variable
 * (weights, EMA copies, batch-norm statistics, spectral-norm vectors), the optimizer state,
 * the RNG state, the step and the data position.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GanVariant, Rng, RngState, VariableStore } from '@cgan/models';
import { RunError } from '../errors';
import { CheckpointData, LoadedCheckpoint } from './checkpoint';
import { optimizerState, setOptimizerState } from '@cgan/models';
import { optimizerHiddenState, setOptimizerHiddenState } from './optimizer_exact';

export interface TrainState {
  step: number;
  /** Batches drawn from the training split so far (the data position). */
  batchesConsumed: number;
}

/**
 * Every random stream of a run: the run's own (`run`) and the ones the variant declares
 * (`gan.<name>`; a declared stream that is the run's own is not listed twice).
 */
export function collectRngs(gan: GanVariant, root: Rng): Map<string, Rng> {
  const out = new Map<string, Rng>([['run', root]]);
  for (const [k, v] of Object.entries(gan.randomStreams())) if (v !== root) out.set(`gan.${k}`, v);
  return out;
}

export function rngStates(rngs: Map<string, Rng>): Record<string, RngState> {
  return Object.fromEntries([...rngs].map(([k, r]) => [k, r.state()]));
}

/** Sets every stream to its saved state; a stream seeded differently is a config mismatch. */
export function setRngStates(rngs: Map<string, Rng>, states: Record<string, RngState>, where: string): void {
  for (const [k, r] of rngs) {
    const s = states[k];
    if (!s) continue;
    if (s.seed !== r.seed) {
      throw new RunError(`${where} was written by a run whose random stream '${k}' is seeded ${s.seed}; this run's is seeded ${r.seed}.`, "set runtime.seed to the run's seed (see run.json)");
    }
    r.setState(s);
  }
}

export async function captureState(gan: GanVariant, store: VariableStore, rng: Rng, st: TrainState): Promise<CheckpointData> {
  const variables = new Map<string, tf.Tensor>();
  for (const [name, v] of store.all()) variables.set(name, v);
  const optimizer = await optimizerState(gan);
  return { step: st.step, groups: { variables, optimizer, optimizer_exact: optimizerHiddenState(gan) }, state: { rngs: rngStates(collectRngs(gan, rng)), batches_consumed: st.batchesConsumed } };
}

/** Restores a checkpoint into a built GAN; a mismatch names the variable and the checkpoint. */
export async function restoreState(ckpt: LoadedCheckpoint, gan: GanVariant, store: VariableStore, rng: Rng | null): Promise<TrainState> {
  const saved = ckpt.groups.variables ?? new Map<string, tf.Tensor>();
  const live = store.all();
  const problems: string[] = [];
  for (const [name, v] of live) {
    const t = saved.get(name);
    if (!t) problems.push(`'${name}' is missing from the checkpoint`);
    else if (t.shape.join(',') !== v.shape.join(',')) problems.push(`'${name}' has shape [${t.shape}] in the checkpoint, [${v.shape}] in this model`);
  }
  for (const name of saved.keys()) if (!live.has(name)) problems.push(`the checkpoint has '${name}', which this model does not create`);
  if (problems.length) {
    throw new RunError(
      `Checkpoint ${ckpt.dir} does not match the model built from this config: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? `; and ${problems.length - 5} more` : ''}.`,
      'use the config the run was trained with (its operative_config-*.gin), or another --model_dir',
    );
  }
  for (const [name, v] of live) v.assign(saved.get(name)!);
  if (ckpt.groups.optimizer && ckpt.groups.optimizer.size) await setOptimizerState(gan, ckpt.groups.optimizer);
  setOptimizerHiddenState(gan, ckpt.groups.optimizer_exact);
  const states = ckpt.state.rngs as Record<string, RngState> | undefined;
  if (rng && states) setRngStates(collectRngs(gan, rng), states, `Checkpoint ${ckpt.dir}`);
  const consumed = Number(ckpt.state.batches_consumed ?? 0);
  return { step: ckpt.step, batchesConsumed: consumed };
}
