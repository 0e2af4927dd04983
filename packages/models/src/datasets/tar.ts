/**
 * Reads members of a .tar.gz (ustar/GNU) archive held in memory: enough for dataset archives
 * such as cifar-10-binary.tar.gz. Regular files only; long GNU names are supported.
 */
import * as zlib from 'zlib';
import { DatasetError } from './errors';

export function extractTarGz(gz: Buffer, file: string, want: (member: string) => boolean): Map<string, Buffer> {
  let tar: Buffer;
  try {
    tar = zlib.gunzipSync(gz);
  } catch (e) {
    throw new DatasetError(`${file} is not a valid .tar.gz archive (${(e as Error).message})`, 'delete it and download it again');
  }
  return readTar(tar, file, want);
}

export function readTar(tar: Buffer, file: string, want: (member: string) => boolean): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  let longName: string | undefined;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const str = (a: number, n: number) => header.subarray(a, a + n).toString('latin1').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] || 0x30);
    const prefix = str(345, 155);
    let name = longName ?? (prefix ? `${prefix}/${str(0, 100)}` : str(0, 100));
    longName = undefined;
    const start = off + 512;
    if (!Number.isFinite(size) || start + size > tar.length) {
      throw new DatasetError(`${file}: archive member '${name}' is truncated`, 'delete the archive and download it again');
    }
    const body = tar.subarray(start, start + size);
    if (type === 'L') longName = body.toString('latin1').replace(/\0.*$/s, '');
    else if ((type === '0' || type === '\0') && want(name.replace(/^\.\//, ''))) out.set(name.replace(/^\.\//, ''), Buffer.from(body));
    off = start + Math.ceil(size / 512) * 512;
  }
  return out;
}
