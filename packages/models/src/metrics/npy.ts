/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0) holding 2-D float32/float64 arrays,
 * little-endian, C order: what `numpy.save` writes for a feature matrix. Anything else is
 * rejected with a message saying how to convert it.
 */
import * as fs from 'fs';
import { FeatureMatrix } from './features';

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]); // \x93NUMPY

export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

interface Header {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

function parseHeader(text: string, where: string): Header {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shape) throw new NpyError(`${where}: malformed .npy header ${JSON.stringify(text.trim())}`);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const v = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(v) || v < 0) throw new NpyError(`${where}: bad dimension '${s}' in .npy header`);
      return v;
    });
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

/** The header of a .npy file and where its data starts. */
function readHeader(buf: Uint8Array, where: string): { b: Buffer; header: Header; dataStart: number } {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < 10 || !b.subarray(0, 6).equals(MAGIC)) {
    throw new NpyError(`${where}: not a NumPy .npy file (missing the \\x93NUMPY magic); save features with numpy.save`);
  }
  const major = b[6];
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = b.readUInt16LE(8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (b.length < 12) throw new NpyError(`${where}: truncated .npy header`);
    headerLen = b.readUInt32LE(8);
    start = 12;
  } else {
    throw new NpyError(`${where}: unsupported .npy format version ${major}.${b[7]} (supported: 1.0, 2.0, 3.0)`);
  }
  if (b.length < start + headerLen) throw new NpyError(`${where}: truncated .npy header (file has ${b.length} bytes)`);
  const header = parseHeader(b.toString(major === 3 ? 'utf8' : 'latin1', start, start + headerLen), where);
  return { b, header, dataStart: start + headerLen };
}

/** An N-D array of uint8, float32 or float64 (images: `gan score`). */
export interface NdArray {
  dtype: 'uint8' | 'float32' | 'float64';
  shape: number[];
  data: Uint8Array | Float32Array | Float64Array;
}

/** Parses the bytes of a .npy file holding an N-D uint8 / float32 / float64 array (C order). */
export function parseNpyArray(buf: Uint8Array, where = '.npy data'): NdArray {
  const { b, header, dataStart } = readHeader(buf, where);
  const kinds: Record<string, [NdArray['dtype'], number]> = { '|u1': ['uint8', 1], '<u1': ['uint8', 1], '|b1': ['uint8', 1], '<f4': ['float32', 4], '<f8': ['float64', 8] };
  const kind = kinds[header.descr];
  if (!kind) throw new NpyError(`${where}: unsupported dtype '${header.descr}'; images must be uint8 (0..255) or float32/float64 (0..1) — convert with a.astype(numpy.uint8) or a.astype(numpy.float32)`);
  if (header.fortranOrder) throw new NpyError(`${where}: Fortran-ordered arrays are not supported; save numpy.ascontiguousarray(a) instead`);
  const count = header.shape.reduce((x, y) => x * y, 1);
  const need = count * kind[1];
  if (b.length - dataStart < need) throw new NpyError(`${where}: truncated data: shape (${header.shape.join(', ')}) needs ${need} bytes, the file has ${b.length - dataStart}`);
  const bytes = new Uint8Array(need);
  bytes.set(b.subarray(dataStart, dataStart + need));
  const data = kind[0] === 'uint8' ? bytes : kind[0] === 'float32' ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
  return { dtype: kind[0], shape: header.shape, data };
}

/** Parses the bytes of a .npy file holding a 2-D float32/float64 array. */
export function parseNpy(buf: Uint8Array, where = '.npy data'): FeatureMatrix {
  const { b, header, dataStart } = readHeader(buf, where);
  let bytesPer: number;
  if (header.descr === '<f4' || (header.descr === '|f4')) bytesPer = 4;
  else if (header.descr === '<f8' || header.descr === '|f8') bytesPer = 8;
  else {
    throw new NpyError(
      `${where}: unsupported dtype '${header.descr}'; only little-endian float32 ('<f4') and float64 ('<f8') are read — convert with a.astype(numpy.float32)`,
    );
  }
  if (header.fortranOrder) {
    throw new NpyError(`${where}: Fortran-ordered arrays are not supported; save numpy.ascontiguousarray(a) instead`);
  }
  if (header.shape.length !== 2) {
    throw new NpyError(`${where}: expected a 2-D array (rows = samples, columns = features), got shape (${header.shape.join(', ')})`);
  }
  const [rows, cols] = header.shape;
  const need = rows * cols * bytesPer;
  if (b.length - dataStart < need) {
    throw new NpyError(`${where}: truncated data: shape (${rows}, ${cols}) needs ${need} bytes, the file has ${b.length - dataStart}`);
  }
  // Copy into an aligned buffer (the data offset need not be a multiple of 8 in old files).
  const bytes = new Uint8Array(need);
  bytes.set(b.subarray(dataStart, dataStart + need));
  const data = bytesPer === 4 ? new Float32Array(bytes.buffer) : new Float64Array(bytes.buffer);
  return { rows, cols, data };
}

/** Reads a .npy file (see parseNpy). */
export function readNpy(path: string): FeatureMatrix {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new NpyError(`${path}: cannot read (${code === 'ENOENT' ? 'no such file' : (e as Error).message})`);
  }
  return parseNpy(buf, path);
}

/** Serialises a 2-D matrix as a version 1.0 .npy (float64 for Float64Array, float32 for Float32Array). */
export function formatNpy(m: FeatureMatrix): Buffer {
  const descr = m.data instanceof Float32Array ? '<f4' : '<f8';
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  // Pad with spaces so that magic + version + length + header + '\n' is a multiple of 64.
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  MAGIC.copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
  if (body.length !== m.rows * m.cols * m.data.BYTES_PER_ELEMENT) throw new NpyError(`matrix data does not match its shape [${m.rows}, ${m.cols}]`);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

export function writeNpy(path: string, m: FeatureMatrix): void {
  fs.writeFileSync(path, formatNpy(m));
}
