/**
 * The configurable manifest (packages/runner/dist/gin-manifest.json) must say what the code
 * registers: every name, parameter, type, default, doc and source line. Built by `npm run build`;
 * this test fails when it is out of date with the sources.
 */
import * as fs from 'fs';
import * as path from 'path';
import { infoFromManifest, manifestEntries, ParamType, registry, Tuple, typeFromSpec, ConfigurableReference, ConfigValue } from '@cgan/config-lang';
import { isFresh, loadManifest, manifestFile, ProjectManifest } from '../../packages/runner/src/manifest';

let manifest: ProjectManifest;
beforeAll(() => {
  manifest = loadManifest(() => undefined);
  registry.recordSources = true;
  require('@cgan/models');
  require('../../packages/runner/src/wiring/run_config');
  require('../../packages/runner/src/sweep/configurables').registerSweepConfigurables();
  registry.recordSources = false;
}, 120000);

test('the manifest lists exactly what the code registers (run `npm run build` when this fails)', () => {
  const live = manifestEntries(registry.all().filter((i) => !i.declared), path.dirname(manifestFile));
  expect(manifest.configurables.map((c) => c.fullName)).toEqual(live.map((c) => c.fullName));
  // Source lines: Jest's compiler (SWC) maps decorator frames to other lines than tsc's, so
  // the lines are checked against the file's text instead of against Jest's.
  const noLine = (cs: typeof live) => cs.map((c) => ({ ...c, source: c.source && { file: c.source.file } }));
  expect(noLine(manifest.configurables)).toEqual(noLine(live));
  expect(manifest.configurables.length).toBeGreaterThan(50);
  for (const c of manifest.configurables) {
    expect(c.source?.file).toMatch(/\.ts$/);
    const lines = fs.readFileSync(path.resolve(path.dirname(manifestFile), c.source!.file), 'utf8').split('\n');
    // The line names the configurable (its registration or its class declaration), give or take a line.
    const near = lines.slice(c.source!.line - 2, c.source!.line + 1).join('\n');
    expect([c.fullName, near.includes(c.name) || near.includes(registry.lookup(c.fullName).target.name)]).toEqual([c.fullName, true]);
  }
});

test('types rebuilt from the manifest accept and reject the same values as the registered ones', () => {
  const samples: ConfigValue[] = [1, 2.5, -3, 'hinge', 'cifar10', 'min', true, null, [1, 2], [1.5], ['a'], new Tuple([1]), new ConfigurableReference('x')];
  let compared = 0;
  for (const entry of manifest.configurables) {
    const rebuilt = infoFromManifest(entry);
    const real = registry.lookup(entry.fullName);
    for (const [name, p] of real.params) {
      const q = rebuilt.params.get(name)!;
      expect(q.type.name).toBe(p.type.name);
      expect(q.hasDefault).toBe(p.hasDefault);
      for (const v of samples) {
        expect([entry.fullName, name, v, q.type.check(v) === null]).toEqual([entry.fullName, name, v, p.type.check(v) === null]);
        compared++;
      }
    }
  }
  expect(compared).toBeGreaterThan(1000);
});

test('a type known only by name is kept by name and accepts anything', () => {
  const custom: ParamType = { name: 'my type', check: () => 'never' };
  expect(custom.spec).toBeUndefined();
  const t = typeFromSpec(undefined, 'my type');
  expect(t.name).toBe('my type');
  expect(t.check(1)).toBeNull();
});

test('a manifest whose build stamps differ is stale, and a stale one is rebuilt when read', () => {
  expect(isFresh(manifest)).toBe(true);
  expect(isFresh({ ...manifest, stamps: { ...manifest.stamps, '@cgan/models': 1 } })).toBe(false);
  expect(isFresh({ ...manifest, stamps: undefined as never })).toBe(false);
});
