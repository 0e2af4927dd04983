/**
 * Image grids as PNG (pngjs): a batch of NHWC images in [0, 1] tiled into a near-square grid
 * with a 1-pixel gap, optionally upscaled (nearest neighbour) so small images stay visible.
 */
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import * as tf from '@tensorflow/tfjs-core';
import { writeAtomic } from './run_dir';

export interface GridOptions {
  /** Columns; default ceil(sqrt(n)). */
  cols?: number;
  /** Integer upscale factor; default makes each tile at least 56 px. */
  scale?: number;
  gap?: number;
}

export function gridPng(images: tf.Tensor4D, opts: GridOptions = {}): Buffer {
  const [n, h, w, c] = images.shape;
  const data = images.dataSync();
  const cols = opts.cols ?? Math.ceil(Math.sqrt(n));
  const rows = Math.ceil(n / cols);
  const scale = opts.scale ?? Math.max(1, Math.ceil(56 / Math.max(h, w)));
  const gap = opts.gap ?? 1;
  const W = cols * (w * scale + gap) + gap;
  const H = rows * (h * scale + gap) + gap;
  const png = new PNG({ width: W, height: H });
  png.data.fill(255);
  const to8 = (v: number) => (Number.isFinite(v) ? Math.max(0, Math.min(255, Math.round(v * 255))) : 0);
  for (let i = 0; i < n; i++) {
    const ox = gap + (i % cols) * (w * scale + gap);
    const oy = gap + Math.floor(i / cols) * (h * scale + gap);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const base = ((i * h + y) * w + x) * c;
        const r = to8(data[base]);
        const g = c >= 3 ? to8(data[base + 1]) : r;
        const b = c >= 3 ? to8(data[base + 2]) : r;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const p = ((oy + y * scale + dy) * W + (ox + x * scale + dx)) * 4;
            png.data[p] = r;
            png.data[p + 1] = g;
            png.data[p + 2] = b;
            png.data[p + 3] = 255;
          }
        }
      }
    }
  }
  return PNG.sync.write(png);
}

/** Writes atomically (temp + rename) so a reader never sees half a PNG. */
export function writeGrid(file: string, images: tf.Tensor4D, opts?: GridOptions): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeAtomic(file, gridPng(images, opts));
}

export function readPngSize(file: string): { width: number; height: number } {
  const png = PNG.sync.read(fs.readFileSync(file));
  return { width: png.width, height: png.height };
}
