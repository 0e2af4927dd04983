export * from './backend';
export * from './seed';
export * from './runtime';
export { registerGradientOverrides } from './gradients';
export { registerWasmTrainingKernels, useShippedWasmKernel, wasmKernelNames } from './kernels';
export { loadNativeKernels, nativeKernelFamilyName, nativeKernelNames, nativeKernelsActive, nativeKernelsStatus, setNativeKernels } from './kernels/native';
export type { NativeKernelFamily } from './kernels/native';
export { formatProfile, kernelFlops, profileSteps, startKernelProfile } from './profile';
export type { KernelProfile, KernelStat, ProfileReport } from './profile';
