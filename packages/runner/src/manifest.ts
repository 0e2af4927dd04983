/**
 * The configurable manifest of this project (see @cgan/config-lang's manifest.ts): every
 * configurable that `gan train` registers (the models, run_config and the sweep statements), written to
 * dist/gin-manifest.json by `npm run build` (`node packages/runner/dist/manifest.js`), read by
 * `gan config check|docs` and `gan lsp` so that they start without loading TensorFlow.js.
 *
 * It cannot go stale silently: it records the build stamps (.tsbuildinfo times) of the packages
 * it describes, and a reader that finds them changed rebuilds it first (in a child process, which
 * loads the models once) and says so on stderr.
 */
import * as fs from 'fs';
import * as path from 'path';
import { declareManifest, Manifest, manifestEntries, registry } from '@cgan/config-lang';

export interface ProjectManifest extends Manifest {
  /** The .tsbuildinfo modification times of the packages it was built from. */
  stamps: Record<string, number>;
}

const runnerDir = path.resolve(__dirname, '..');
/** Where the manifest lives; source paths in it are relative to its folder. */
export const manifestFile = path.join(runnerDir, 'dist', 'gin-manifest.json');

function stamps(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pkg of ['@cgan/config-lang', '@cgan/models', '@cgan/runner']) {
    let dir: string;
    try {
      dir = pkg === '@cgan/runner' ? runnerDir : path.dirname(require.resolve(`${pkg}/package.json`));
    } catch {
      continue;
    }
    try {
      out[pkg] = fs.statSync(path.join(dir, 'dist', '.tsbuildinfo')).mtimeMs;
    } catch {
      out[pkg] = 0;
    }
  }
  return out;
}

/** Loads the code that registers the configurables and returns their manifest (this process keeps them). */
export function buildManifest(): ProjectManifest {
  process.setSourceMapsEnabled(true);
  registry.recordSources = true;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('@cgan/models');
  require('./wiring/run_config');
  // Sweep files are Gin files too (checked, completed and hovered like any other).
  require('./sweep/configurables').registerSweepConfigurables();
  registry.recordSources = false;
  return { version: 1, stamps: stamps(), configurables: manifestEntries(undefined, path.dirname(manifestFile)) };
}

function readManifest(): ProjectManifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(manifestFile, 'utf8')) as ProjectManifest;
    return m.version === 1 && Array.isArray(m.configurables) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** Whether the manifest on disk was built from the packages' current build. */
export function isFresh(m: ProjectManifest | undefined): m is ProjectManifest {
  if (!m || !m.stamps) return false;
  const now = stamps();
  return Object.keys(now).every((k) => m.stamps[k] === now[k]);
}

/**
 * The manifest, rebuilt first when missing or older than the build (a note on `log` says so).
 * The rebuild runs this file in a child process so that the caller never loads TensorFlow.js.
 */
export function loadManifest(log: (s: string) => void = (s) => process.stderr.write(s)): ProjectManifest {
  const m = readManifest();
  if (isFresh(m)) return m;
  log(`note: ${m ? 'the build changed since the configurable manifest was written' : 'no configurable manifest yet'}; rebuilding ${path.relative(process.cwd(), manifestFile)} (npm run build does this)\n`);
  const script = path.join(runnerDir, 'dist', 'manifest.js');
  // Loaded here: child_process costs ~5 ms at every `gan config` start otherwise.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const r = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  const rebuilt = readManifest();
  if (r.status === 0 && rebuilt) return rebuilt;
  // Not writable (an installed package) or not built: load the code here instead (slower, still right).
  log(`note: could not write the manifest (${(r.stderr || `exit ${r.status}`).trim().split('\n').pop()}); loading the models instead\n`);
  return buildManifest();
}

/** Registers the project's configurables from the manifest (without loading their code). */
export function declareProjectConfigurables(log?: (s: string) => void): ProjectManifest {
  const m = loadManifest(log);
  declareManifest(m, path.dirname(manifestFile));
  return m;
}

/** `node dist/manifest.js`: writes the manifest. */
function writeManifest(): void {
  const m = buildManifest();
  fs.mkdirSync(path.dirname(manifestFile), { recursive: true });
  const tmp = `${manifestFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(m, null, 1) + '\n');
  fs.renameSync(tmp, manifestFile);
  process.stdout.write(`wrote ${path.relative(process.cwd(), manifestFile)} (${m.configurables.length} configurables)\n`);
}

if (require.main === module) writeManifest();
