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

/**
 * An IDX file's dimensions without reading its data: the header from the first bytes (inflated
 * alone when gzipped) and the total size from the file's length, or for gzip from the size its
 * trailer records (ISIZE), so that a truncated or mismatched file is still caught.
 */
export function readIdxHeader(file: string, ndims: number, hint = REFETCH): number[] {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(size, 1024));
    fs.readSync(fd, head, 0, head.length, 0);
    let header: Buffer = head;
    let total = size;
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
      try {
        header = zlib.gunzipSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      } catch (e) {
        throw new DatasetError(`${file} is not a valid gzip file (${(e as Error).message})`, hint);
      }
      const trailer = Buffer.alloc(4);
      if (size < 18 || fs.readSync(fd, trailer, 0, 4, size - 4) !== 4) throw new DatasetError(`${file} is truncated: ${size} bytes, too short for a gzip file`, hint);
      total = trailer.readUInt32LE(0); // the uncompressed size modulo 2^32
    }
    const { dims, bytes } = idxHeader(header, file, ndims, hint);
    if (total !== bytes % 2 ** 32) {
      throw new DatasetError(`${file} is truncated or damaged: its header declares ${dims.join('x')} (${bytes} bytes) but it holds ${total} bytes`, hint);
    }
    return dims;
  } catch (e) {
    if (e instanceof DatasetError) throw e;
    throw new DatasetError(`cannot read ${file}: ${(e as Error).message}`);
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** The dimensions an IDX header declares and the file's expected size in bytes. */
function idxHeader(buf: Uint8Array, file: string, ndims: number, hint: string): { dims: number[]; bytes: number } {
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
  return { dims, bytes: 4 + 4 * ndims + dims.reduce((a, b) => a * b, 1) };
}

export function parseIdx(buf: Uint8Array, file: string, ndims: number, hint = REFETCH): IdxArray {
  const { dims, bytes: expected } = idxHeader(buf, file, ndims, hint);
  if (buf.length !== expected) {
    throw new DatasetError(
      `${file} is ${buf.length < expected ? 'truncated' : 'too long'}: its header declares ${dims.join('x')} (${expected} bytes) but it holds ${buf.length} bytes`,
      hint,
    );
  }
  return { dims, data: buf.subarray(4 + 4 * ndims) };
}
