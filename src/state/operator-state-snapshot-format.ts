/**
 * The byte format of an operator (non-keyed) state snapshot (operator-state-backend.ts): the
 * list states of one subtask, each with its distribution mode, element type and elements as
 * serialized blobs, so redistribution to another parallelism moves elements without decoding
 * them. Versioned and checksummed in the shared envelope (snapshot-envelope.ts); integers
 * little-endian. Bump `OPERATOR_STATE_SNAPSHOT_VERSION` on any change.
 *
 * ```
 *   header (20 bytes)
 *      0  uint32 magic            0x534F5453, the bytes "STOS"
 *      4  uint32 version          OPERATOR_STATE_SNAPSHOT_VERSION
 *      8  int32  stateCount
 *     12  uint32 totalLength      bytes of the whole snapshot, trailer included
 *     16  uint32 flags            0 (reserved)
 *   stateCount x state
 *     string name, uint8 mode (0 SPLIT_DISTRIBUTE, 1 UNION), string element type name,
 *     int32 elementCount, elementCount x blob (int32 length + the element serializer's bytes)
 *   trailer
 *     uint32 crc32                CRC-32 (IEEE) of every byte before it
 * ```
 *
 * Depends on: ./snapshot-envelope, ../errors, ../types.
 */

import { CorruptRecordError, errors } from '../errors.js';
import { DataInputView } from '../types/data-input-view.js';
import { DataOutputView } from '../types/data-output-view.js';
import { crc32, openSnapshotEnvelope, SNAPSHOT_TRAILER_BYTES, type SnapshotEnvelope } from './snapshot-envelope.js';

/** "STOS" read as a little-endian uint32. */
export const OPERATOR_STATE_SNAPSHOT_MAGIC = 0x534f5453;
export const OPERATOR_STATE_SNAPSHOT_VERSION = 1;
const HEADER_BYTES = 20;
const OFF_TOTAL_LENGTH = 12;

/** Flink's OperatorStateHandle.Mode: how a list is spread over the subtasks of a new parallelism. */
export type OperatorStateMode = 'SPLIT_DISTRIBUTE' | 'UNION';
const MODES: readonly OperatorStateMode[] = ['SPLIT_DISTRIBUTE', 'UNION'];

/** One list state of a snapshot; elements are serialized blobs. */
export interface OperatorStateEntry {
  readonly name: string;
  readonly mode: OperatorStateMode;
  readonly elementTypeName: string;
  readonly elements: readonly Uint8Array[];
}

export function writeOperatorStateSnapshot(states: readonly OperatorStateEntry[]): Uint8Array {
  const out = new DataOutputView(1024);
  out.writeInt32(OPERATOR_STATE_SNAPSHOT_MAGIC | 0);
  out.writeInt32(OPERATOR_STATE_SNAPSHOT_VERSION);
  out.writeInt32(states.length);
  out.writeInt32(0); // totalLength, patched below
  out.writeInt32(0); // flags
  for (const s of states) {
    out.writeString(s.name);
    out.writeUint8(MODES.indexOf(s.mode));
    out.writeString(s.elementTypeName);
    out.writeInt32(s.elements.length);
    for (const e of s.elements) out.writeBytes(e);
  }
  out.view.setUint32(OFF_TOTAL_LENGTH, out.pos + SNAPSHOT_TRAILER_BYTES, true);
  out.writeInt32(crc32(out.buf, 0, out.pos) | 0);
  return new Uint8Array(out.buf.subarray(0, out.pos));
}

/**
 * Validates and decodes a snapshot; element blobs are views into `bytes`.
 * @throws CorruptRecordError on anything truncated or corrupt.
 */
export function readOperatorStateSnapshot(bytes: Uint8Array): OperatorStateEntry[] {
  const buf = openSnapshotEnvelope(bytes, ENVELOPE);
  const limit = buf.length - SNAPSHOT_TRAILER_BYTES;
  const count = buf.readInt32LE(8);
  if (buf.readUInt32LE(16) !== 0) throw corrupt(`unknown flags 0x${buf.readUInt32LE(16).toString(16)}`);
  if (count < 0 || count > limit) throw corrupt(`impossible state count ${count}`);
  const input = new DataInputView(buf, undefined, HEADER_BYTES, limit);
  const states: OperatorStateEntry[] = [];
  const names = new Set<string>();
  try {
    for (let i = 0; i < count; i++) {
      const name = input.readString();
      const mode = MODES[input.readUint8()];
      if (mode === undefined) throw corrupt(`state '${name}' has an unknown mode`);
      if (names.has(name)) throw corrupt(`state '${name}' appears twice`);
      names.add(name);
      const elementTypeName = input.readString();
      const n = input.readLength(4);
      const elements: Uint8Array[] = new Array(n);
      for (let e = 0; e < n; e++) {
        const len = input.readLength();
        elements[e] = buf.subarray(input.pos, input.pos + len);
        input.pos += len;
      }
      states.push({ name, mode, elementTypeName, elements });
    }
  } catch (e) {
    if (e instanceof CorruptRecordError) throw e.message.includes('invalid operator state snapshot') ? e : corrupt(e.message);
    throw e;
  }
  if (input.pos !== limit) throw corrupt(`${limit - input.pos} unexpected bytes after the last state`);
  return states;
}

function corrupt(detail: string): CorruptRecordError {
  return errors.corruptRecord(`invalid operator state snapshot: ${detail}`);
}

const ENVELOPE: SnapshotEnvelope = {
  magic: OPERATOR_STATE_SNAPSHOT_MAGIC,
  version: OPERATOR_STATE_SNAPSHOT_VERSION,
  headerBytes: HEADER_BYTES,
  totalLengthOffset: OFF_TOTAL_LENGTH,
  corrupt,
  what: 'an operator state snapshot',
};
