/**
 * Loads a sweep file with the config language's own loader (includes expanded, every binding
 * validated against the registry), then reads its `sweep.*` statements. All problems are
 * reported together, with locations, before anything runs.
 */
import * as path from 'path';
import { applyStatements, checkReferences, Config, ConfigError, ConfigErrors, loadFile } from '@cgan/config-lang';
import { registerSweepConfigurables, SWEEP_CONFIGURABLE } from './configurables';
import { planTrials, sweptKeys, Trial } from './plan';
import { readSweepSpec, SweepSpec } from './spec';

export interface LoadedSweep {
  file: string;
  spec: SweepSpec;
  trials: Trial[];
  keys: string[];
}

export function loadSweep(file: string, opts: { searchPaths?: string[] } = {}): LoadedSweep {
  registerSweepConfigurables();
  const abs = path.resolve(file);
  const { statements, errors } = loadFile(abs, { collectErrors: true, searchPaths: opts.searchPaths });
  const cfg = new Config();
  const all: ConfigError[] = [...errors, ...applyStatements(statements, { collectErrors: true }, cfg)];
  const base = statements.filter((s) => !(s.kind === 'binding' && s.selector === SWEEP_CONFIGURABLE && !s.scope));
  for (const e of checkReferences(base, cfg)) all.push(e);
  if (all.length) throw new ConfigErrors(all);
  const spec = readSweepSpec(cfg, abs);
  return { file: abs, spec, trials: planTrials(spec), keys: sweptKeys(spec) };
}
