/**
 * Image resampling on uint8 HWC arrays: antialiased bilinear resize (a triangle filter widened
 * when shrinking, as PIL's BILINEAR), centre crop to a square, and channel conversion.
 */

// Module-level aliases: global lookups (Math.*) are very slow inside Jest's vm contexts.
const { max, min, round, abs, floor, ceil } = Math;

interface Taps {
  start: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const support = max(1, scale);
  const maxTaps = ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    const lo = max(0, floor(center - support));
    const hi = min(inSize, ceil(center + support));
    let sum = 0;
    let k = 0;
    for (let i = lo; i < hi && k < maxTaps; i++, k++) {
      const wgt = max(0, 1 - abs((i + 0.5 - center) / support));
      weights[o * maxTaps + k] = wgt;
      sum += wgt;
    }
    if (sum === 0) {
      // Degenerate footprint: nearest pixel.
      weights[o * maxTaps] = 1;
      start[o] = min(inSize - 1, floor(center));
      count[o] = 1;
      continue;
    }
    for (let j = 0; j < k; j++) weights[o * maxTaps + j] /= sum;
    start[o] = lo;
    count[o] = k;
  }
  return { start, count, weights, maxTaps };
}

/** Resizes one [h, w, c] uint8 image to [oh, ow, c]. */
export function resizeImage(src: Uint8Array, h: number, w: number, c: number, oh: number, ow: number): Uint8Array {
  if (h === oh && w === ow) return src.slice();
  const tx = taps(w, ow);
  const ty = taps(h, oh);
  const mid = new Float32Array(h * ow * c);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < tx.count[x]; k++) acc += tx.weights[x * tx.maxTaps + k] * src[(y * w + tx.start[x] + k) * c + ch];
        mid[(y * ow + x) * c + ch] = acc;
      }
    }
  }
  const out = new Uint8Array(oh * ow * c);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < ty.count[y]; k++) acc += ty.weights[y * ty.maxTaps + k] * mid[((ty.start[y] + k) * ow + x) * c + ch];
        out[(y * ow + x) * c + ch] = min(255, max(0, round(acc)));
      }
    }
  }
  return out;
}

/** The central square of an [h, w, c] image. */
export function centerCropSquare(src: Uint8Array, h: number, w: number, c: number): { data: Uint8Array; size: number } {
  const size = min(h, w);
  if (h === w) return { data: src, size };
  const y0 = floor((h - size) / 2);
  const x0 = floor((w - size) / 2);
  const out = new Uint8Array(size * size * c);
  for (let y = 0; y < size; y++) out.set(src.subarray(((y0 + y) * w + x0) * c, ((y0 + y) * w + x0 + size) * c), y * size * c);
  return { data: out, size };
}

/**
 * Converts `pixels` pixels from `cIn` to `cOut` channels: 1→3 replicates, 3/4→1 takes the
 * luminance (ITU-R 601), 4→3 composites RGBA over black.
 */
export function convertChannels(src: Uint8Array, pixels: number, cIn: number, cOut: number): Uint8Array {
  if (cIn === cOut) return src;
  const out = new Uint8Array(pixels * cOut);
  for (let p = 0; p < pixels; p++) {
    let r: number, g: number, b: number;
    if (cIn === 1) r = g = b = src[p];
    else {
      const a = cIn === 4 ? src[p * 4 + 3] / 255 : 1;
      r = src[p * cIn] * a;
      g = src[p * cIn + 1] * a;
      b = src[p * cIn + 2] * a;
    }
    if (cOut === 1) out[p] = round(0.299 * r + 0.587 * g + 0.114 * b);
    else {
      out[p * cOut] = round(r);
      out[p * cOut + 1] = round(g);
      out[p * cOut + 2] = round(b);
      if (cOut === 4) out[p * 4 + 3] = 255;
    }
  }
  return out;
}

/** Resizes and recolours every image of an [n, h, w, c] array. */
export function adaptImages(images: Uint8Array, n: number, shape: [number, number, number], res: number, colors: number): Uint8Array {
  const [h, w, c] = shape;
  if (h === res && w === res && c === colors) return images;
  const out = new Uint8Array(n * res * res * colors);
  for (let i = 0; i < n; i++) {
    let img = images.subarray(i * h * w * c, (i + 1) * h * w * c);
    let side = h;
    if (h !== w) ({ data: img, size: side } = centerCropSquare(img, h, w, c));
    const sized = side === res ? img : resizeImage(img, side, side, c, res, res);
    out.set(convertChannels(sized, res * res, c, colors), i * res * res * colors);
  }
  return out;
}
