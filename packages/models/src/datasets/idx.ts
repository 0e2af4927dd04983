/**
 * The IDX format of MNIST and Fashion-MNIST (gzip-compressed or not): a 4-byte magic number
 * (0, 0, type 0x08 = ubyte, number of dimensions), big-endian uint32 dimension sizes, then data.
 */
import * as fs from 'fs';
import * as zlib from 'zlib';
import { DatasetError } from './errors';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const REFETCH = 'the file is damaged: delete it and get it again';

/** Reads an IDX file of unsigned bytes with `ndims` dimensions, gunzipping when needed. */
export function readIdxFile(file: string, ndims: number, hint = REFETCH): IdxArray {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    throw new DatasetError(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      buf = zlib.gunzipSync(buf);
    } catch (e) {
      throw new DatasetError(`${file} is not a valid gzip file or is truncated (${(e as Error).message})`, hint);
    }
  }
  return parseIdx(buf, file, ndims, hint);
}

export function parseIdx(buf: Uint8Array, file: string, ndims: number, hint = REFETCH): IdxArray {
  const expectedMagic = 0x0800 | ndims;
  const hex = (x: number) => `0x${x.toString(16).padStart(8, '0')}`;
  if (buf.length < 4 + 4 * ndims) {
    throw new DatasetError(`${file} is truncated: ${buf.length} bytes, too short for an IDX header`, hint);
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const magic = view.getUint32(0);
  if (magic !== expectedMagic) {
    throw new DatasetError(
      `${file} is not an IDX file of ${ndims}-dimensional unsigned bytes: magic number ${hex(magic)}, expected ${hex(expectedMagic)}`,
      hint,
    );
  }
  const dims: number[] = [];
  for (let i = 0; i < ndims; i++) dims.push(view.getUint32(4 + 4 * i));
  const header = 4 + 4 * ndims;
  const expected = header + dims.reduce((a, b) => a * b, 1);
  if (buf.length !== expected) {
    throw new DatasetError(
      `${file} is ${buf.length < expected ? 'truncated' : 'too long'}: its header declares ${dims.join('x')} (${expected} bytes) but it holds ${buf.length} bytes`,
      hint,
    );
  }
  return { dims, data: buf.subarray(header) };
}
