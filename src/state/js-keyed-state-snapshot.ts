/**
 * The byte format of a {@link JsKeyedState} snapshot (see js-keyed-state.ts), written and read
 * here only. Self-describing and versioned; integers little-endian. Bump `SNAPSHOT_VERSION` on
 * any change.
 *
 * ```
 *   header (32 bytes)
 *      0  uint32 magic            0x534B534A, the bytes "JSKS"
 *      4  uint32 version          SNAPSHOT_VERSION
 *      8  int32  maxParallelism   must equal the restoring state's (key groups would differ otherwise)
 *     12  int32  keyGroupStart    inclusive range the snapshot covers,
 *     16  int32  keyGroupEnd      0 <= start, end < maxParallelism; empty when end < start
 *     20  int32  entryCount
 *     24  uint32 totalLength      bytes of the whole snapshot, trailer included
 *     28  uint32 flags            0 (reserved)
 *   key type name, value type name   strings (int32 UTF-8 length + bytes); must equal the restoring state's
 *   entryCount x entry, in first-seen order
 *     int32 keyGroup, then the key (key serializer), then the value (value serializer)
 *   trailer
 *     uint32 crc32                CRC-32 (IEEE) of every byte before it
 * ```
 *
 * The reader checks the length, magic, version and checksum before decoding anything (a CRC-32
 * catches every single-bit flip and every burst up to 32 bits), then decodes every entry
 * before returning, so a corrupt or truncated snapshot throws `CorruptRecordError` and never
 * yields partial or garbage entries. Key validation (supported key, key group) is the caller's.
 *
 * Depends on: ../errors, ../types, ./snapshot-envelope.
 */

import { CorruptRecordError, errors } from '../errors.js';
import { DataInputView } from '../types/data-input-view.js';
import { DataOutputView } from '../types/data-output-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { crc32, openSnapshotEnvelope, type SnapshotEnvelope } from './snapshot-envelope.js';

export { crc32 } from './snapshot-envelope.js';

/** "JSKS" read as a little-endian uint32. */
export const SNAPSHOT_MAGIC = 0x534b534a;
/** Format version; bump on any change of the layout above. */
export const SNAPSHOT_VERSION = 1;
const HEADER_BYTES = 32;
const TRAILER_BYTES = 4;
/** Smallest possible encoded entry: the key group word plus at least one byte each of key and value. */
const MIN_ENTRY_BYTES = 6;

const OFF_ENTRY_COUNT = 20;
const OFF_TOTAL_LENGTH = 24;

/** One entry as written to / read from a snapshot. */
export interface SnapshotEntry<K, V> {
  readonly key: K;
  readonly keyGroup: number;
  readonly value: V;
}

/** What a snapshot describes besides its entries. */
export interface SnapshotHeader {
  readonly maxParallelism: number;
  readonly keyGroupStart: number;
  readonly keyGroupEnd: number;
}

/**
 * Writes the entries of `entries` whose key group lies in `[header.keyGroupStart,
 * header.keyGroupEnd]`, in iteration order. Serializer errors (`SerializationError`) propagate.
 */
export function writeSnapshot<K, V>(
  header: SnapshotHeader,
  keySerializer: TypeSerializer<K>,
  valueSerializer: TypeSerializer<V>,
  entries: Iterable<SnapshotEntry<K, V>>,
): Uint8Array {
  const { keyGroupStart: start, keyGroupEnd: end } = header;
  const out = new DataOutputView(4096);
  out.writeInt32(SNAPSHOT_MAGIC | 0);
  out.writeInt32(SNAPSHOT_VERSION);
  out.writeInt32(header.maxParallelism);
  out.writeInt32(start);
  out.writeInt32(end);
  out.writeInt32(0); // entryCount, patched below
  out.writeInt32(0); // totalLength, patched below
  out.writeInt32(0); // flags
  out.writeString(keySerializer.typeName);
  out.writeString(valueSerializer.typeName);
  let count = 0;
  for (const e of entries) {
    if (e.keyGroup < start || e.keyGroup > end) continue;
    out.writeInt32(e.keyGroup);
    keySerializer.write(e.key, out);
    valueSerializer.write(e.value, out);
    count++;
  }
  const total = out.pos + TRAILER_BYTES;
  out.view.setInt32(OFF_ENTRY_COUNT, count, true);
  out.view.setUint32(OFF_TOTAL_LENGTH, total, true);
  out.writeInt32(crc32(out.buf, 0, out.pos) | 0);
  // Copy out of the growable scratch so the caller holds exactly the snapshot's bytes.
  return new Uint8Array(out.buf.subarray(0, out.pos));
}

/**
 * Decodes and validates a whole snapshot written by {@link writeSnapshot} for a state with
 * `maxParallelism` and these serializers.
 * @throws CorruptRecordError on anything truncated, corrupt or incompatible.
 */
export function readSnapshot<K, V>(
  bytes: Uint8Array,
  maxParallelism: number,
  keySerializer: TypeSerializer<K>,
  valueSerializer: TypeSerializer<V>,
): { header: SnapshotHeader; entries: SnapshotEntry<K, V>[] } {
  const buf = openSnapshotEnvelope(bytes, ENVELOPE);
  const len = buf.length;

  const snapMaxP = buf.readInt32LE(8);
  const start = buf.readInt32LE(12);
  const end = buf.readInt32LE(16);
  const count = buf.readInt32LE(OFF_ENTRY_COUNT);
  const flags = buf.readUInt32LE(28);
  if (snapMaxP !== maxParallelism) {
    throw corrupt(`the snapshot was taken with maxParallelism ${snapMaxP}, this state has ${maxParallelism}`);
  }
  if (start < 0 || end >= maxParallelism || end < start - 1) {
    throw corrupt(`invalid key-group range [${start}, ${end}] for maxParallelism ${maxParallelism}`);
  }
  if (flags !== 0) throw corrupt(`unknown flags 0x${flags.toString(16)}`);
  const limit = len - TRAILER_BYTES;
  if (count < 0 || count * MIN_ENTRY_BYTES > limit - HEADER_BYTES) throw corrupt(`impossible entry count ${count}`);

  const input = new DataInputView(buf, undefined, HEADER_BYTES, limit);
  const entries: SnapshotEntry<K, V>[] = [];
  try {
    const keyTypeName = input.readString();
    const valueTypeName = input.readString();
    if (keyTypeName !== keySerializer.typeName || valueTypeName !== valueSerializer.typeName) {
      throw corrupt(
        `the snapshot holds keys of ${keyTypeName} and values of ${valueTypeName}, ` +
          `this state ${keySerializer.typeName} and ${valueSerializer.typeName}`,
      );
    }
    for (let i = 0; i < count; i++) {
      const at = input.pos;
      const keyGroup = input.readInt32();
      if (keyGroup < start || keyGroup > end) throw corrupt(`entry ${i} at offset ${at}: key group ${keyGroup} outside [${start}, ${end}]`);
      const key = keySerializer.read(input);
      const value = valueSerializer.read(input);
      entries.push({ key, keyGroup, value });
    }
  } catch (e) {
    if (e instanceof CorruptRecordError) throw e;
    // e.g. v8.deserialize inside GENERIC on bytes that passed the checksum but are not valid
    throw corrupt(`undecodable entry (${e instanceof Error ? e.message : String(e)})`);
  }
  if (input.pos !== limit) throw corrupt(`${limit - input.pos} unexpected bytes after the last entry`);
  return { header: { maxParallelism, keyGroupStart: start, keyGroupEnd: end }, entries };
}

function corrupt(detail: string): CorruptRecordError {
  return errors.corruptRecord(`invalid JS keyed state snapshot: ${detail}`);
}

const ENVELOPE: SnapshotEnvelope = {
  magic: SNAPSHOT_MAGIC,
  version: SNAPSHOT_VERSION,
  headerBytes: HEADER_BYTES,
  totalLengthOffset: OFF_TOTAL_LENGTH,
  corrupt,
  what: 'a JS keyed state snapshot',
};
