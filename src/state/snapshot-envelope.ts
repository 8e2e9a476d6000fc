/**
 * The envelope every strom state snapshot shares: a uint32 magic and a uint32 version first, a
 * uint32 total length at a fixed header offset, and a CRC-32 (IEEE) of every byte before the
 * 4-byte trailer. `openSnapshotEnvelope` checks all four before a reader decodes anything.
 *
 * Depends on: ../errors.
 */

import { errors, type CorruptRecordError } from '../errors.js';

/** Bytes of the CRC-32 trailer. */
export const SNAPSHOT_TRAILER_BYTES = 4;

/** CRC-32 (IEEE 802.3, reflected, poly 0xEDB88320) lookup table. */
const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of `bytes[start, end)` as an unsigned 32-bit number. */
export function crc32(bytes: Uint8Array, start: number, end: number): number {
  let c = -1;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}

/** What identifies one snapshot format. */
export interface SnapshotEnvelope {
  readonly magic: number;
  readonly version: number;
  /** Header bytes before the first variable-length field. */
  readonly headerBytes: number;
  /** Offset of the uint32 total length in the header. */
  readonly totalLengthOffset: number;
  /** Builds the format's CorruptRecordError from a detail. */
  readonly corrupt: (detail: string) => CorruptRecordError;
  /** What the format holds, for the bad-magic message, e.g. "a keyed state snapshot". */
  readonly what: string;
}

/**
 * Checks type, length, magic, version and checksum of `bytes`; returns a Buffer over them.
 * @throws CorruptRecordError (via `envelope.corrupt`) on any mismatch.
 */
export function openSnapshotEnvelope(bytes: Uint8Array, envelope: SnapshotEnvelope): Buffer {
  if (!(bytes instanceof Uint8Array)) throw errors.invalidArgumentType('snapshot', bytes, 'expected a Uint8Array from snapshot()');
  const { corrupt } = envelope;
  const len = bytes.byteLength;
  if (len < envelope.headerBytes + SNAPSHOT_TRAILER_BYTES) throw corrupt(`${len} bytes is shorter than the smallest snapshot`);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, len);
  const magic = buf.readUInt32LE(0);
  if (magic !== envelope.magic) throw corrupt(`bad magic 0x${magic.toString(16)} (not ${envelope.what})`);
  const version = buf.readUInt32LE(4);
  if (version !== envelope.version) throw corrupt(`unsupported version ${version} (this strom reads version ${envelope.version})`);
  const total = buf.readUInt32LE(envelope.totalLengthOffset);
  if (total !== len) throw corrupt(`the header says ${total} bytes but ${len} were given (truncated?)`);
  const stored = buf.readUInt32LE(len - SNAPSHOT_TRAILER_BYTES);
  const actual = crc32(buf, 0, len - SNAPSHOT_TRAILER_BYTES);
  if (stored !== actual) throw corrupt(`checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)})`);
  return buf;
}
