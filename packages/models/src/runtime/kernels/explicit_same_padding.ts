/**
 * tfjs-backend-wasm's Conv2D / FusedConv2D / DepthwiseConv2dNative hand 'same' padding to
 * XNNPACK as its TensorFlow-SAME flag, which computes wrong outputs when a stride exceeds the
 * kernel size (e.g. a 1x3 kernel with stride 3: max error ~1.7 against the cpu backend). These
 * wrappers pass 'same' as the equivalent explicit padding, which XNNPACK handles correctly.
 */
import { backend_util, getKernel, KernelConfig, KernelFunc, NamedAttrMap } from '@tensorflow/tfjs-core';

function explicitPad(xShape: number[], filterShape: number[], attrs: NamedAttrMap, depthwise: boolean): NamedAttrMap {
  if (attrs.pad !== 'same') return attrs;
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as number | [number, number],
    (attrs.dilations as number | [number, number]) ?? 1,
    'same',
    undefined,
    depthwise,
  );
  const p = info.padInfo;
  return { ...attrs, pad: [[0, 0], [p.top, p.bottom], [p.left, p.right], [0, 0]] as never };
}

/** Wraps the wasm backend's own kernel `name` (looked up when registered). */
export function explicitSamePaddingConfig(name: string, depthwise = false): KernelConfig | undefined {
  const original = getKernel(name, 'wasm');
  if (!original) return undefined;
  const inner = original.kernelFunc;
  const kernelFunc: KernelFunc = (args) => {
    const { x, filter } = args.inputs as Record<string, { shape: number[] }>;
    if (args.attrs?.dataFormat === 'NCHW') return inner(args);
    return inner({ ...args, attrs: explicitPad(x.shape, filter.shape, args.attrs ?? {}, depthwise) });
  };
  return { ...original, kernelFunc };
}
