/**
 * TFRecord framing, as TensorFlow's record_writer.cc writes it: for each record
 *   uint64 length (little-endian) | uint32 masked_crc32c(length bytes) | data | uint32 masked_crc32c(data)
 * where masked_crc(c) = ((c >>> 15) | (c << 17)) + 0xa282ead8 (mod 2^32). CRC32C (Castagnoli)
 * comes from the crc-32 package (SheetJS; pure JavaScript, no native binary).
 */
import * as CRC32C from 'crc-32/crc32c';

export function crc32c(data: Uint8Array): number {
  return CRC32C.buf(data) >>> 0;
}

export function maskedCrc32c(data: Uint8Array): number {
  const c = crc32c(data);
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

export function tfrecord(data: Uint8Array): Buffer {
  const out = Buffer.alloc(8 + 4 + data.length + 4);
  out.writeBigUInt64LE(BigInt(data.length), 0);
  out.writeUInt32LE(maskedCrc32c(out.subarray(0, 8)), 8);
  out.set(data, 12);
  out.writeUInt32LE(maskedCrc32c(data), 12 + data.length);
  return out;
}

/** Splits a TFRecord file into its records, checking both checksums of each. */
export function readTfrecords(buf: Uint8Array): Uint8Array[] {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.length);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < b.length) {
    if (off + 12 > b.length) throw new Error(`truncated record header at byte ${off}`);
    const len = Number(b.readBigUInt64LE(off));
    if (b.readUInt32LE(off + 8) !== maskedCrc32c(b.subarray(off, off + 8))) throw new Error(`bad length checksum at byte ${off}`);
    const data = b.subarray(off + 12, off + 12 + len);
    if (data.length !== len || off + 16 + len > b.length) throw new Error(`truncated record at byte ${off}`);
    if (b.readUInt32LE(off + 12 + len) !== maskedCrc32c(data)) throw new Error(`bad data checksum at byte ${off}`);
    out.push(data);
    off += 16 + len;
  }
  return out;
}
