'use strict';
/**
 * The native kernels, if they were built (see scripts/install.js). Never throws:
 * `available` is false and `reason` says why when the addon is missing or does not load.
 *
 * Before the kernels addon (which links OpenBLAS) is loaded, OpenBLAS's kernel family is chosen
 * from the CPU's features (CPUID + the OS's saved register state, probed by the separate
 * cpu_features addon, or /proc/cpuinfo's flags when that one is missing): OpenBLAS's DYNAMIC_ARCH
 * build picks by CPU model and falls back to SSE3 (Prescott) kernels on models it does not know.
 * OpenBLAS reads OPENBLAS_CORETYPE once, when it is loaded; a value the user set is kept.
 */
const fs = require('fs');
const path = require('path');

const release = path.join(__dirname, 'build', 'Release');

/**
 * OpenBLAS core type for these CPU features (the best kernel family the CPU and OS can run), or
 * null to leave OpenBLAS's own choice (not x86, or no AVX).
 * @param {{arch: string, avx?: boolean, fma?: boolean, avx2?: boolean, avx512f?: boolean, avx512bw?: boolean, avx512vl?: boolean, avx512dq?: boolean}} f
 */
function chooseCoretype(f) {
  if (!f || f.arch !== 'x86') return null;
  if (f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq) return { core: 'SkylakeX', isa: 'avx512' };
  if (f.avx2 && f.fma) return { core: 'Haswell', isa: 'avx2+fma' };
  if (f.avx) return { core: 'Sandybridge', isa: 'avx' };
  return null;
}

function probeAddon() {
  try {
    return require(path.join(release, 'cpu_features.node'));
  } catch {
    return null;
  }
}

/** CPU features: the CPUID probe, else /proc/cpuinfo's flags (Linux), else unknown. */
function cpuFeatures() {
  try {
    const f = probeAddon().probe();
    return { ...f, source: 'cpuid' };
  } catch {
    /* not built: fall back to the kernel's view of CPUID */
  }
  if (process.arch !== 'x64' && process.arch !== 'ia32') return { arch: 'other', source: `process.arch ${process.arch}` };
  try {
    const line = fs.readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    if (line) {
      const fl = new Set(line.split(':')[1].trim().split(/\s+/));
      const has = (n) => fl.has(n);
      return { arch: 'x86', sse3: has('pni'), avx: has('avx'), fma: has('fma'), avx2: has('avx2'), avx512f: has('avx512f'), avx512bw: has('avx512bw'), avx512vl: has('avx512vl'), avx512dq: has('avx512dq'), source: '/proc/cpuinfo' };
    }
  } catch {
    /* not Linux */
  }
  return { arch: 'unknown', source: 'no probe' };
}

/**
 * Sets (a string) or removes (null) a variable of the C environment, which OpenBLAS and OpenMP
 * read when they load: through the probe addon where it is built (process.env is only a copy in
 * worker threads and test sandboxes), else process.env.
 */
function setCEnv(name, value) {
  const probe = probeAddon();
  if (probe && probe.setEnv) probe.setEnv(name, value);
  else if (probe && probe.setCoretype && name === 'OPENBLAS_CORETYPE') probe.setCoretype(value);
  else if (value) process.env[name] = value;
  else delete process.env[name];
}

/**
 * How idle worker threads wait, set before OpenBLAS (its pthreads) and oneDNN (OpenMP, libgomp)
 * load, where the user has not set it: both libraries' workers otherwise spin after each call
 * (OpenBLAS ~2^28 cycles, libgomp ~300k iterations), and with two thread pools on a few cores a
 * spinning worker of one takes the core a working thread of the other needs (and any other
 * process's). Measured on the 2-core VM, SNDCGAN at 2 threads under load: 2,976 CPU-ms per step
 * spinning, 1,855 with passive waits (README). The variables are removed again after the loads,
 * so child processes do not inherit them. Results do not depend on it.
 */
const WAIT_POLICY = { OMP_WAIT_POLICY: 'passive', OPENBLAS_THREAD_TIMEOUT: '4' };
/** What the user set (kept) and what we set, for `family.threadWait`. */
let waitPolicy = '';
let waitSetHere = [];
function setWaitPolicy() {
  const user = Object.keys(WAIT_POLICY).concat('GOMP_SPINCOUNT').filter((k) => process.env[k]);
  waitSetHere = Object.keys(WAIT_POLICY).filter((k) => !process.env[k] && !(k === 'OMP_WAIT_POLICY' && process.env.GOMP_SPINCOUNT));
  for (const k of waitSetHere) setCEnv(k, WAIT_POLICY[k]);
  waitPolicy = [...waitSetHere.map((k) => `${k}=${WAIT_POLICY[k]}`), ...user.map((k) => `${k}=${process.env[k]} (yours)`)].join(', ');
}
function clearWaitPolicy() {
  for (const k of waitSetHere) setCEnv(k, null);
  waitSetHere = [];
}

let addon = null;
let reason = '';
/** How OpenBLAS's kernels were chosen (see kernelFamily in index.d.ts). */
let family = null;
if (process.env.CGAN_NATIVE_KERNELS === '0') {
  reason = 'disabled by CGAN_NATIVE_KERNELS=0';
} else {
  const features = cpuFeatures();
  const choice = chooseCoretype(features);
  const userCore = process.env.OPENBLAS_CORETYPE;
  const setHere = !userCore && choice !== null;
  if (setHere) setCEnv('OPENBLAS_CORETYPE', choice.core);
  setWaitPolicy();
  try {
    addon = require(path.join(release, 'native_kernels.node'));
  } catch (e) {
    const first = String((e && e.message) || e).split('\n')[0];
    reason = e && e.code === 'MODULE_NOT_FOUND'
      ? 'the addon is not built (it needs g++, make and libopenblas-dev: apt-get install -y libopenblas-dev, then npm rebuild @cgan/native-kernels)'
      : `the addon failed to load: ${first}`;
  } finally {
    // OpenBLAS has read it (at load); child processes must not inherit our choice.
    if (setHere) setCEnv('OPENBLAS_CORETYPE', null);
  }
  if (addon) {
    // OpenBLAS starts one thread per core; OPENBLAS_NUM_THREADS, when set, wins. The count is
    // not chosen from the machine's load: 1 and 2 threads sum in different orders, so a run (or a
    // resumed run) would then depend on how busy the machine was. On a machine whose cores other
    // jobs keep busy, OPENBLAS_NUM_THREADS=1 is much faster (measured 5x on 2 cores at load 14-25).
    const threadsChosenBy = process.env.OPENBLAS_NUM_THREADS ? 'OPENBLAS_NUM_THREADS' : 'openblas (one per core)';
    const core = typeof addon.blasCorename === 'function' ? String(addon.blasCorename()).trim() : '';
    const wanted = userCore || (choice && choice.core) || '';
    family = {
      library: 'openblas',
      core,
      isa: choice ? choice.isa : features.arch === 'x86' ? 'sse' : features.arch,
      chosenBy: userCore ? 'OPENBLAS_CORETYPE' : choice ? `cpu features (${features.source})` : 'openblas',
      // OpenBLAS was loaded earlier in this process (by another module), or ignored the name.
      mismatch: wanted && core.toLowerCase() !== wanted.toLowerCase() ? `wanted ${wanted}, OpenBLAS runs ${core}` : '',
      threadsChosenBy,
      /** how idle workers wait: the variables set at load (see WAIT_POLICY) */
      threadWait: waitPolicy,
      features,
    };
  }
}

/**
 * oneDNN convolutions (onednn_kernels.node, built only where oneDNN's headers and library were
 * found; oneDNN picks its AVX-512 / AVX2 / SSE4.1 kernels from the CPU itself). When it loads,
 * Conv2D, Conv2DBackpropInput and Conv2DBackpropFilter run there (a shape oneDNN declines runs
 * the OpenBLAS kernel); matMul stays OpenBLAS. CGAN_ONEDNN=0 skips it (at build and at run time).
 */
const CONV_OPS = ['conv2d', 'conv2dBackpropInput', 'conv2dBackpropFilter'];
let onednn = null;
let onednnReason = '';
/** The kernels the runtime calls: OpenBLAS's, with the convolutions routed to oneDNN when it runs. */
let kernels = addon;
if (addon) {
  if (process.env.CGAN_ONEDNN === '0') onednnReason = 'disabled by CGAN_ONEDNN=0';
  else {
    try {
      onednn = require(path.join(release, 'onednn_kernels.node'));
    } catch (e) {
      const first = String((e && e.message) || e).split('\n')[0];
      onednnReason = e && e.code === 'MODULE_NOT_FOUND'
        ? 'not built (oneDNN 2.x was not found at install: apt-get install -y libdnnl-dev, then npm rebuild @cgan/native-kernels)'
        : `failed to load: ${first}`;
    }
  }
}
// libgomp (with oneDNN) and OpenBLAS have read the wait policy.
clearWaitPolicy();
if (addon) {
  const openblas = addon;
  let convLibrary = onednn ? 'onednn' : 'openblas';
  kernels = { ...openblas };
  for (const op of CONV_OPS) {
    // oneDNN returns false for a shape it leaves to OpenBLAS (measured faster there, or no primitive).
    kernels[op] = (a, b, c, dims) => {
      if (convLibrary !== 'onednn' || !onednn[op](a, b, c, dims)) openblas[op](a, b, c, dims);
    };
  }
  kernels.setThreads = (n) => {
    openblas.setThreads(n);
    if (onednn) onednn.setThreads(n);
  };
  kernels.convLibrary = () => convLibrary;
  kernels.setConvLibrary = (lib) => {
    if (lib !== 'openblas' && lib !== 'onednn') throw new Error(`native-kernels: setConvLibrary('openblas' | 'onednn'), got ${String(lib)}`);
    if (lib === 'onednn' && !onednn) throw new Error(`native-kernels: oneDNN convolutions are unavailable: ${onednnReason}`);
    convLibrary = lib;
  };
  if (onednn) {
    // The same thread policy as OpenBLAS (OPENBLAS_NUM_THREADS, else one per core): oneDNN runs
    // on OpenMP (libgomp) here, whose default would follow OMP_NUM_THREADS instead.
    onednn.setThreads(openblas.getThreads());
    const i = onednn.info();
    family.conv = { library: 'onednn', version: i.version, isa: i.isa, runtime: i.runtime, layout: i.layout, chosenBy: 'onednn (its own cpu dispatch)' };
  } else {
    family.conv = { library: 'openblas', reason: onednnReason };
  }
}

module.exports = { available: addon !== null, reason, addon: kernels, openblas: addon, onednn, onednnReason, family, chooseCoretype, cpuFeatures };
