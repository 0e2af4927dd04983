/**
 * OpenBLAS's kernel family is chosen from CPU features (CPUID), not the CPU's model: the chooser,
 * the probe against the kernel's view of the same CPUID bits, and the family the loaded addon runs
 * and reports. (The kernels of that family are checked against the reference in
 * native_kernels.test.ts.)
 */
import * as fs from 'fs';
import { loadNativeKernels, nativeKernelFamilyName } from '@cgan/models';

interface Pkg {
  chooseCoretype(f: Record<string, unknown>): { core: string; isa: string } | null;
  cpuFeatures(): Record<string, unknown> & { arch: string; source: string };
  family: { core: string; isa: string; chosenBy: string; mismatch: string } | null;
}
const pkg = require('@cgan/native-kernels') as Pkg;
const { addon, reason } = loadNativeKernels();
if (!addon) console.log(`kernel family tests of the loaded addon skipped: ${reason}`);
const withAddon = addon ? test : test.skip;
const x86 = { arch: 'x86', sse3: true, avx: true, fma: true, avx2: true, avx512f: true, avx512bw: true, avx512vl: true, avx512dq: true };

test.each([
  [x86, 'SkylakeX'],
  [{ ...x86, avx512bw: false }, 'Haswell'],
  [{ ...x86, avx512f: false, avx512bw: false, avx512vl: false, avx512dq: false }, 'Haswell'],
  [{ arch: 'x86', sse3: true, avx: true, fma: false, avx2: true }, 'Sandybridge'],
  [{ arch: 'x86', sse3: true, avx: true }, 'Sandybridge'],
  [{ arch: 'x86', sse3: true, avx: false }, null],
  [{ arch: 'other' }, null],
  [{ arch: 'unknown' }, null],
])('chooseCoretype(%o) = %s', (f, core) => {
  expect(pkg.chooseCoretype(f)?.core ?? null).toBe(core);
});

test('the CPUID probe agrees with /proc/cpuinfo (Linux x86)', () => {
  const f = pkg.cpuFeatures();
  if (process.platform !== 'linux' || f.arch !== 'x86' || f.source !== 'cpuid') return;
  const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'))!;
  const flags = new Set(line.split(':')[1].trim().split(/\s+/));
  for (const k of ['avx', 'fma', 'avx2', 'avx512f', 'avx512bw', 'avx512vl', 'avx512dq']) expect([k, f[k]]).toEqual([k, flags.has(k)]);
});

withAddon('the addon runs the family the features choose (unless OPENBLAS_CORETYPE was set) and says so', () => {
  const fam = pkg.family!;
  expect(fam).not.toBeNull();
  const choice = pkg.chooseCoretype(pkg.cpuFeatures());
  if (fam.chosenBy === 'OPENBLAS_CORETYPE') return;
  expect(fam.mismatch).toBe('');
  if (choice) {
    expect(fam.core.toLowerCase()).toBe(choice.core.toLowerCase());
    expect(fam.chosenBy).toMatch(/^cpu features/);
  } else expect(fam.chosenBy).toBe('openblas');
  expect(addon!.blasCorename().toLowerCase()).toBe(fam.core.toLowerCase());
  expect(nativeKernelFamilyName()).toMatch(new RegExp(`^(onednn [\\d.]+ \\(\\w+\\) convs \\+ )?openblas ${fam.core} \\(${fam.isa.replace('+', '\\+')}, chosen by`));
  // The choice is made for this process only: child processes do not inherit it.
  expect(process.env.OPENBLAS_CORETYPE).toBeUndefined();
});

withAddon('the convolutions name their library: oneDNN (its version and the ISA it dispatched to) where built, else OpenBLAS and why', () => {
  const m = pkg as unknown as { onednn: { info(): { version: string; isa: string }; getThreads(): number } | null; onednnReason: string; family: { conv: { library: string; version?: string; isa?: string; reason?: string } } };
  const conv = m.family.conv;
  if (m.onednn) {
    expect(conv).toMatchObject({ library: 'onednn', version: m.onednn.info().version, isa: m.onednn.info().isa });
    expect(conv.isa).toMatch(/^(sse41|avx|avx2|avx2_vnni|avx512\w*)$/);
    expect(nativeKernelFamilyName()).toMatch(new RegExp(`^onednn ${conv.version!.replace(/\./g, '\\.')} \\(${conv.isa}\\) convs \\+ openblas `));
    // the same thread policy as OpenBLAS
    expect(m.onednn.getThreads()).toBe(addon!.getThreads());
  } else {
    expect(conv).toEqual({ library: 'openblas', reason: m.onednnReason });
    expect(m.onednnReason).not.toBe('');
    expect(nativeKernelFamilyName()).toMatch(/^openblas /);
  }
});

withAddon('the thread count says why (OPENBLAS_NUM_THREADS or one per core, never the load)', () => {
  const fam = pkg.family as unknown as { threadsChosenBy: string };
  expect(fam.threadsChosenBy).toMatch(/^(OPENBLAS_NUM_THREADS|openblas \(one per core\))$/);
  if (fam.threadsChosenBy === 'OPENBLAS_NUM_THREADS') expect(addon!.getThreads()).toBe(Number(process.env.OPENBLAS_NUM_THREADS));
});

withAddon("idle workers wait passively (both thread pools share the cores) unless the user chose, and children do not inherit our choice", () => {
  const { spawnSync } = require('child_process') as typeof import('child_process');
  const probe = (extra: Record<string, string>) => {
    const env: Record<string, string> = { ...(process.env as Record<string, string>), ...extra };
    for (const k of ['OMP_WAIT_POLICY', 'OPENBLAS_THREAD_TIMEOUT', 'GOMP_SPINCOUNT']) if (!(k in extra)) delete env[k];
    const code = "const m = require('@cgan/native-kernels'); console.log(JSON.stringify({ wait: m.family.threadWait, omp: process.env.OMP_WAIT_POLICY ?? null, ob: process.env.OPENBLAS_THREAD_TIMEOUT ?? null }))";
    const r = spawnSync(process.execPath, ['-e', code], { env, encoding: 'utf8' });
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { wait: string; omp: string | null; ob: string | null };
  };
  expect(probe({})).toEqual({ wait: 'OMP_WAIT_POLICY=passive, OPENBLAS_THREAD_TIMEOUT=4', omp: null, ob: null });
  expect(probe({ OMP_WAIT_POLICY: 'active' })).toEqual({ wait: 'OPENBLAS_THREAD_TIMEOUT=4, OMP_WAIT_POLICY=active (yours)', omp: 'active', ob: null });
  expect(probe({ GOMP_SPINCOUNT: '1000' }).wait).toBe('OPENBLAS_THREAD_TIMEOUT=4, GOMP_SPINCOUNT=1000 (yours)');
});
