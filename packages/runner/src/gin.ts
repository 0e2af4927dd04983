/**
 * Loading a run's configuration into the process-wide Gin config: the --gin_config files in
 * order, then the --gin_bindings (compare_gan's `gin.parse_config_files_and_bindings`).
 * Every error found is reported at once, each with its file, line and a hint.
 */
import * as fs from 'fs';
import { config, operativeConfigStr as ginOperativeConfigStr, parseConfigFiles } from '@cgan/config-lang';
import { clip, fileSystemError, RunError } from './errors';
import { registerSweepConfigurables } from './sweep/configurables';

/** Clears the config and applies `files` then `bindings`. */
export function loadGinConfig(files: string[], bindings: string[], searchPaths: string[] = []): void {
  for (const f of files) {
    let st: fs.Stats;
    try {
      st = fs.statSync(f);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new RunError(`Config file '${clip(f)}' does not exist.`, 'check the --gin_config path');
      throw fileSystemError(e, '--gin_config') ?? e;
    }
    if (st.isDirectory()) throw new RunError(`Config path '${f}' is a folder, not a .gin file.`, 'pass the .gin file inside it');
  }
  config.clear();
  // A sweep file is also a trial's config (`gan sweep run` passes it to each `gan train`): its
  // sweep.* statements must be known, and they configure nothing.
  registerSweepConfigurables();
  parseConfigFiles(files, bindings, { collectErrors: true, ...(searchPaths.length ? { searchPaths } : {}) });
}

/** The operative config as Gin text (what was used, defaults included). */
export function operativeConfigStr(): string {
  return ginOperativeConfigStr();
}
