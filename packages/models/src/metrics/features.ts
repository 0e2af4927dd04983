/**
 * A feature matrix: `rows` samples of `cols` features, row-major float64 (or float32 as read
 * from a file). Every metric in this folder takes these.
 */
export interface FeatureMatrix {
  rows: number;
  cols: number;
  data: Float64Array | Float32Array;
}

export function featureMatrix(rows: number, cols: number, data?: Float64Array | Float32Array): FeatureMatrix {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new Error(`feature matrix shape must be two non-negative integers, got [${rows}, ${cols}]`);
  }
  const d = data ?? new Float64Array(rows * cols);
  if (d.length !== rows * cols) throw new Error(`feature matrix [${rows}, ${cols}] needs ${rows * cols} values, got ${d.length}`);
  return { rows, cols, data: d };
}

/** Rows `idx` of `m` as a new float64 matrix. */
export function takeRows(m: FeatureMatrix, idx: ArrayLike<number>): FeatureMatrix {
  const out = new Float64Array(idx.length * m.cols);
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i] * m.cols;
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.data[src + j];
  }
  return { rows: idx.length, cols: m.cols, data: out };
}

/** Stacks row blocks with the same number of columns. */
export function concatRows(parts: FeatureMatrix[]): FeatureMatrix {
  if (parts.length === 0) return featureMatrix(0, 0);
  const cols = parts[0].cols;
  let rows = 0;
  for (const p of parts) {
    if (p.cols !== cols) throw new Error(`cannot stack feature matrices with ${cols} and ${p.cols} columns`);
    rows += p.rows;
  }
  const out = new Float64Array(rows * cols);
  let off = 0;
  for (const p of parts) {
    out.set(p.data, off);
    off += p.data.length;
  }
  return { rows, cols, data: out };
}

export function assertFinite(m: FeatureMatrix, what: string): void {
  for (let i = 0; i < m.data.length; i++) {
    if (!Number.isFinite(m.data[i])) {
      throw new Error(`${what} has a non-finite value (${m.data[i]}) at row ${Math.floor(i / m.cols)}, column ${i % m.cols}`);
    }
  }
}
