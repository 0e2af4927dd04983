import * as fs from 'fs';
import * as path from 'path';
import { formatNpy, parseNpy, readNpy, writeNpy } from '@cgan/models';
import { HAS_SCIPY, runPython, skipMessage, tmpDir } from './python';

const itPy = HAS_SCIPY ? it : it.skip;
if (!HAS_SCIPY) console.warn(skipMessage('.npy numpy interoperability tests'));

/** A v1 .npy built by hand: header dict text, then raw bytes. */
function handMade(header: string, body: Uint8Array, major = 1): Buffer {
  const h = Buffer.from(header + '\n', 'latin1');
  const pre = Buffer.alloc(major === 1 ? 10 : 12);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]).copy(pre);
  pre[6] = major;
  if (major === 1) pre.writeUInt16LE(h.length, 8);
  else pre.writeUInt32LE(h.length, 8);
  return Buffer.concat([pre, h, Buffer.from(body)]);
}

describe('.npy', () => {
  it('round-trips float64 and float32 matrices with an aligned header', () => {
    const f64 = { rows: 3, cols: 2, data: new Float64Array([1, -2.5, 3e-300, 4, 5, Math.PI]) };
    const buf = formatNpy(f64);
    expect((buf.indexOf('\n') + 1) % 64).toBe(0);
    expect(parseNpy(buf)).toEqual(f64);
    const f32 = { rows: 2, cols: 2, data: new Float32Array([1.5, 2, 3, -4]) };
    expect(parseNpy(formatNpy(f32))).toEqual(f32);
    const empty = { rows: 0, cols: 5, data: new Float64Array(0) };
    expect(parseNpy(formatNpy(empty))).toEqual(empty);
  });

  it('reads version 2 headers and single-byte-order dtypes', () => {
    const body = new Uint8Array(new Float32Array([1, 2]).buffer);
    const m = parseNpy(handMade("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", body, 2));
    expect(Array.from(m.data)).toEqual([1, 2]);
  });

  it('explains what is wrong with unsupported files', () => {
    const f8 = new Uint8Array(new Float64Array([1, 2, 3, 4]).buffer);
    expect(() => parseNpy(Buffer.from('hello world, not numpy'), 'x.npy')).toThrow(/x\.npy: not a NumPy \.npy file/);
    expect(() => parseNpy(handMade("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 2), }", f8))).toThrow(/unsupported dtype '<i8'.*astype/);
    expect(() => parseNpy(handMade("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }", f8))).toThrow(/unsupported dtype '>f8'/);
    expect(() => parseNpy(handMade("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", f8))).toThrow(/Fortran-ordered.*ascontiguousarray/);
    expect(() => parseNpy(handMade("{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", f8))).toThrow(/expected a 2-D array.*shape \(4\)/);
    expect(() => parseNpy(handMade("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }", f8))).toThrow(/truncated data: shape \(3, 2\) needs 48 bytes, the file has 32/);
    expect(() => parseNpy(handMade("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", f8).subarray(0, 20))).toThrow(/truncated \.npy header/);
    expect(() => readNpy('/nonexistent/features.npy')).toThrow(/features\.npy: cannot read \(no such file\)/);
  });

  itPy('reads what numpy.save writes and numpy reads what writeNpy writes', () => {
    const dir = tmpDir();
    writeNpy(path.join(dir, 'ours.npy'), { rows: 2, cols: 3, data: new Float64Array([1, 2, 3, 4, 5, 6.5]) });
    const ref = runPython<number[]>(`
import json, numpy as np
a = np.load('ours.npy'); assert a.dtype == np.float64 and a.shape == (2, 3)
np.save('f32.npy', np.arange(12, dtype=np.float32).reshape(4, 3) / 4)
np.save('f64.npy', np.arange(6, dtype=np.float64).reshape(3, 2) * -1.5 + 1)
np.save('big.npy', np.zeros((2, 2), dtype=np.float32))  # padding variants
np.save('fortran.npy', np.asfortranarray(np.ones((3, 2))))
np.save('ints.npy', np.ones((2, 2), dtype=np.int32))
print(json.dumps(a.ravel().tolist()))
`, dir);
    expect(ref).toEqual([1, 2, 3, 4, 5, 6.5]);
    const f32 = readNpy(path.join(dir, 'f32.npy'));
    expect([f32.rows, f32.cols, f32.data instanceof Float32Array]).toEqual([4, 3, true]);
    expect(Array.from(f32.data)).toEqual(Array.from({ length: 12 }, (_, i) => i / 4));
    expect(Array.from(readNpy(path.join(dir, 'f64.npy')).data)).toEqual([1, -0.5, -2, -3.5, -5, -6.5]);
    expect(() => readNpy(path.join(dir, 'fortran.npy'))).toThrow(/Fortran/);
    expect(() => readNpy(path.join(dir, 'ints.npy'))).toThrow(/'<i4'/);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
