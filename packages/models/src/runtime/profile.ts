/**
 * Where a training step's time goes: `startKernelProfile()` wraps every kernel registered for
 * the active backend with a timer (self time: a kernel built from other kernels is charged only
 * for its own work), and counts the FLOPs of convolutions and matMuls from their shapes;
 * `profile.report(steps, wallMs)` gives the table `gan train --profile` prints, and `stop()`
 * puts the kernels back. Exact for synchronous backends (wasm, cpu); on the tensorflow backend
 * kernels are queued, so the times are dispatch times.
 */
import { backend_util, getBackend, getKernelsForBackend, KernelConfig, NamedAttrMap, registerKernel, TensorInfo, unregisterKernel, util } from '@tensorflow/tfjs-core';

export interface KernelStat {
  name: string;
  calls: number;
  /** self time (children excluded), ms */
  ms: number;
  /** self CPU time of the process (all threads), ms: robust to other processes sharing the cores */
  cpuMs: number;
  /** multiply-adds x 2 of the convolutions / matMuls, 0 for other kernels */
  flops: number;
}

export interface ProfileReport {
  steps: number;
  /** wall time per step, ms */
  msPerStep: number;
  /** CPU time of this process per step, ms (all threads; under load, less than wall x threads) */
  cpuMsPerStep: number;
  /** kernel time per step, ms; the rest is JS (tape, op dispatch, optimizer bookkeeping, data) */
  kernelMsPerStep: number;
  /** CPU time of the kernels per step, ms */
  kernelCpuMsPerStep: number;
  /** GFLOP per step of the conv/matMul kernels, and their GFLOP/s over their own time */
  gflopPerStep: number;
  convGflops: number;
  /** GFLOP per CPU-second of the conv/matMul kernels (per core when threads are busy) */
  convGflopsPerCpuS: number;
  kernels: KernelStat[];
}

export interface KernelProfile {
  /** the numbers so far; `wallMs`: wall time of the `steps` steps (CPU time: since start/reset) */
  report(steps: number, wallMs: number): ProfileReport;
  /** forget what was counted (e.g. after warm-up steps) */
  reset(): void;
  /** puts the original kernels back */
  stop(): void;
}

const PROFILED = Symbol.for('cgan.runtime.profiled');

function size(t: TensorInfo | undefined): number {
  return t ? util.sizeFromShape(t.shape) : 0;
}

/** 2 x multiply-adds of a conv / matMul kernel call, from its inputs and attributes. */
export function kernelFlops(name: string, inputs: Record<string, TensorInfo | undefined>, attrs: NamedAttrMap): number {
  const convFlops = (xShape: number[], filterShape: number[]) => {
    // x [n,h,w,ci], filter [kh,kw,ci,co]: 2 * n*oh*ow*co * kh*kw*ci
    const info = backend_util.computeConv2DInfo(xShape as never, filterShape as never, attrs.strides as never, (attrs.dilations as never) ?? 1, attrs.pad as never, attrs.dimRoundingMode as never, false, (backend_util.convertConv2DDataFormat((attrs.dataFormat as 'NHWC') ?? 'NHWC')));
    return 2 * info.batchSize * info.outHeight * info.outWidth * info.outChannels * info.filterHeight * info.filterWidth * info.inChannels;
  };
  try {
    switch (name) {
      case 'Conv2D':
      case 'FusedConv2D':
        return convFlops(inputs.x!.shape, inputs.filter!.shape);
      case 'Conv2DBackpropInput':
        return convFlops(attrs.inputShape as number[], inputs.filter!.shape);
      case 'Conv2DBackpropFilter':
        return convFlops(inputs.x!.shape, attrs.filterShape as number[]);
      case 'BatchMatMul':
      case '_FusedMatMul': {
        const a = inputs.a!, b = inputs.b!;
        const ta = !!attrs.transposeA, tb = !!attrs.transposeB;
        const ra = a.shape.length, rb = b.shape.length;
        const m = a.shape[ra - (ta ? 1 : 2)], k = a.shape[ra - (ta ? 2 : 1)], n = b.shape[rb - (tb ? 2 : 1)];
        const batch = Math.max(size(a) / (m * k), size(b) / (k * n));
        return 2 * batch * m * n * k;
      }
      default:
        return 0;
    }
  } catch {
    return 0;
  }
}

/** Starts timing every kernel of the active backend (or `backendName`). */
export function startKernelProfile(backendName: string = getBackend()): KernelProfile {
  const stats = new Map<string, KernelStat>();
  const originals: KernelConfig[] = [];
  // Time spent in kernels called from the kernel on top of the stack (subtracted from its self time).
  const childMs: number[] = [];
  const childCpu: number[] = [];
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (const k of getKernelsForBackend(backendName)) {
    if ((k as { [PROFILED]?: boolean })[PROFILED]) continue;
    originals.push(k);
    const inner = k.kernelFunc;
    const name = k.kernelName;
    const wrapped: KernelConfig = {
      ...k,
      kernelFunc: (args) => {
        childMs.push(0);
        childCpu.push(0);
        const c0 = cpuNow();
        const t0 = performance.now();
        let out;
        try {
          out = inner(args);
        } finally {
          const total = performance.now() - t0;
          const cpu = cpuNow() - c0;
          const children = childMs.pop()!;
          const childrenCpu = childCpu.pop()!;
          if (childMs.length) {
            childMs[childMs.length - 1] += total;
            childCpu[childCpu.length - 1] += cpu;
          }
          let s = stats.get(name);
          if (!s) stats.set(name, (s = { name, calls: 0, ms: 0, cpuMs: 0, flops: 0 }));
          s.calls++;
          s.ms += total - children;
          s.cpuMs += cpu - childrenCpu;
          s.flops += kernelFlops(name, args.inputs as Record<string, TensorInfo>, args.attrs ?? {});
        }
        return out;
      },
    };
    (wrapped as { [PROFILED]?: boolean })[PROFILED] = true;
    unregisterKernel(name, backendName);
    registerKernel(wrapped);
  }
  let cpu0 = process.cpuUsage();
  return {
    reset: () => {
      stats.clear();
      cpu0 = process.cpuUsage();
    },
    report(steps, wallMs) {
      const cpu = process.cpuUsage(cpu0);
      const kernels = [...stats.values()].sort((a, b) => b.ms - a.ms);
      const kernelMs = kernels.reduce((s, k) => s + k.ms, 0);
      const kernelCpu = kernels.reduce((s, k) => s + k.cpuMs, 0);
      const heavy = kernels.filter((k) => k.flops > 0);
      const flops = heavy.reduce((s, k) => s + k.flops, 0);
      const heavyMs = heavy.reduce((s, k) => s + k.ms, 0);
      const heavyCpu = heavy.reduce((s, k) => s + k.cpuMs, 0);
      const per = Math.max(steps, 1);
      return { steps, msPerStep: wallMs / per, cpuMsPerStep: (cpu.user + cpu.system) / 1000 / per, kernelMsPerStep: kernelMs / per, kernelCpuMsPerStep: kernelCpu / per, gflopPerStep: flops / per / 1e9, convGflops: heavyMs > 0 ? flops / 1e9 / (heavyMs / 1000) : 0, convGflopsPerCpuS: heavyCpu > 0 ? flops / 1e9 / (heavyCpu / 1000) : 0, kernels };
    },
    stop() {
      for (const k of originals) {
        unregisterKernel(k.kernelName, backendName);
        registerKernel(k);
      }
      originals.length = 0;
    },
  };
}

/** The report as a few lines of text (top `top` kernels by self time). */
export function formatProfile(r: ProfileReport, top = 15): string {
  const pct = (ms: number) => `${((100 * ms) / Math.max(r.msPerStep, 1e-9)).toFixed(1)}%`;
  const lines = [
    `profile over ${r.steps} step${r.steps === 1 ? '' : 's'}: ${r.msPerStep.toFixed(1)} ms/step; kernels ${r.kernelMsPerStep.toFixed(1)} ms (${pct(r.kernelMsPerStep)}), ` +
      `outside kernels (JS: tape, op dispatch, optimizer, data) ${(r.msPerStep - r.kernelMsPerStep).toFixed(1)} ms (${pct(r.msPerStep - r.kernelMsPerStep)})`,
    `CPU time ${r.cpuMsPerStep.toFixed(1)} ms/step (all threads; far below the wall time means other processes share the cores), ${r.kernelCpuMsPerStep.toFixed(1)} ms of it in kernels`,
    `conv/matMul: ${r.gflopPerStep.toFixed(2)} GFLOP/step at ${r.convGflops.toFixed(1)} GFLOP/s of their own wall time (${r.convGflopsPerCpuS.toFixed(1)} per CPU-second); the step as a whole ${(r.gflopPerStep / (r.msPerStep / 1000)).toFixed(1)} GFLOP/s`,
    `  ${'kernel'.padEnd(24)} ${'ms/step'.padStart(9)} ${'share'.padStart(6)} ${'cpu ms'.padStart(8)} ${'calls/step'.padStart(10)} ${'GFLOP/s'.padStart(8)} ${'/cpu-s'.padStart(7)}`,
  ];
  const per = Math.max(r.steps, 1);
  for (const k of r.kernels.slice(0, top)) {
    const ms = k.ms / per;
    const gf = (t: number) => (k.flops && t > 0 ? (k.flops / 1e9 / (t / 1000)).toFixed(1) : '');
    lines.push(`  ${k.name.padEnd(24)} ${ms.toFixed(1).padStart(9)} ${pct(ms).padStart(6)} ${(k.cpuMs / per).toFixed(1).padStart(8)} ${(k.calls / per).toFixed(0).padStart(10)} ${gf(k.ms).padStart(8)} ${gf(k.cpuMs).padStart(7)}`);
  }
  if (r.kernels.length > top) {
    const rest = r.kernels.slice(top).reduce((s, k) => s + k.ms, 0) / per;
    lines.push(`  ${`(${r.kernels.length - top} others)`.padEnd(24)} ${rest.toFixed(1).padStart(9)} ${pct(rest).padStart(6)}`);
  }
  return lines.join('\n');
}

/**
 * An `afterStep(step)` hook that profiles steps `warmup+1 .. warmup+steps` of the ones it sees
 * and hands the report to `onReport` (then the kernels are unwrapped: later steps run as usual).
 */
export function profileSteps(opts: { warmup?: number; steps?: number; onReport: (r: ProfileReport) => void }): (step: number) => void {
  const warmup = Math.max(1, opts.warmup ?? 2), steps = Math.max(1, opts.steps ?? 5);
  let seen = 0;
  let profile: KernelProfile | null = null;
  let t0 = 0;
  return () => {
    seen++;
    if (seen === warmup) {
      profile = startKernelProfile();
      t0 = performance.now();
    } else if (profile && seen === warmup + steps) {
      const r = profile.report(steps, performance.now() - t0);
      profile.stop();
      profile = null;
      opts.onReport(r);
    }
  };
}
