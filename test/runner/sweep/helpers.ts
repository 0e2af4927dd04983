/** Shared test fixtures: tiny configurables to sweep over, and temp sweep files. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { configurable, registry, t } from '@cgan/config-lang';

export function registerTestConfigurables(): void {
  if (registry.match('SweepToyGAN').length) return;
  configurable('SweepToyGAN', {
    params: { g_lr: 0.0002, d_lr: 0.0002, disc_iters: { default: 1, type: t.int }, seed: { default: 0, type: t.int }, loss_fn: { default: null, type: t.any }, steps: { default: 10, type: t.int } },
  }, (kw: Record<string, unknown>) => kw);
  configurable('toy_hinge', { module: 'toy_loss', params: {} }, () => 0);
  configurable('toy_non_saturating', { module: 'toy_loss', params: {} }, () => 0);
}

export function tmpDir(prefix = 'sweep-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes `files` (name -> text) into a fresh temp dir; returns the dir. */
export function writeFiles(files: Record<string, string>): string {
  const dir = tmpDir();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}
