/**
 * The one byte format of a keyed state snapshot (keyed-state-backend.ts), written and read by
 * both backends: the JS heap backend and the native one. Self-describing, versioned and
 * checksummed; integers little-endian. Bump `KEYED_STATE_SNAPSHOT_VERSION` on any change.
 *
 * Keys, namespaces and values are stored as length-prefixed blobs, each the bytes of the
 * declared serializer (GENERIC when undeclared), so a backend that keeps state serialized (the
 * native one) copies blobs in and out without decoding them, and the heap backend decodes them
 * with its serializers: neither needs the other's JS values.
 *
 * ```
 *   header (36 bytes)
 *      0  uint32 magic            0x534B5453, the bytes "STKS"
 *      4  uint32 version          KEYED_STATE_SNAPSHOT_VERSION
 *      8  int32  maxParallelism   must equal the restoring backend's (key groups would differ otherwise)
 *     12  int32  keyGroupStart    inclusive range the snapshot covers,
 *     16  int32  keyGroupEnd      0 <= start, end < maxParallelism; empty when end < start
 *     20  int32  stateCount
 *     24  int32  sectionCount     key groups that have entries
 *     28  uint32 totalLength      bytes of the whole snapshot, trailer included
 *     32  uint32 flags            0 (reserved)
 *   key type name                 string (int32 UTF-8 length + bytes): the key serializer's typeName
 *   stateCount x state
 *     string name, uint8 kind (0 VALUE, 1 LIST, 2 MAP, 3 REDUCING, 4 AGGREGATING), uint8 ttl (0/1),
 *     string namespace serializer name, string value type name (the value, list element, map
 *     value or accumulator), string user key type name (MAP; "" otherwise)
 *   sectionCount x key-group section, key groups strictly ascending, all within the range
 *     int32 keyGroup, int32 byteLength (of the entries that follow), int32 entryCount
 *     entryCount x entry
 *       int32 stateIndex, blob key, blob namespace, int32 itemCount (>= 1), itemCount x item
 *         item: [int64 TTL last-access ms, when the state has TTL] [blob user key, MAP only] blob value
 *       VALUE, REDUCING, AGGREGATING: exactly one item; LIST: one item per element, in order;
 *       MAP: one item per user key/value pair. TTL is per item, as in Flink (TtlListState and
 *       TtlMapState keep a timestamp per element and per user key).
 *   trailer
 *     uint32 crc32                CRC-32 (IEEE) of every byte before it
 *   blob = int32 length + that many bytes
 * ```
 *
 * An empty namespace blob is VOID_NAMESPACE (also in states with a namespace serializer, whose
 * encodings are never empty).
 *
 * Sections carry their byte length so a restore skips the key groups outside its range without
 * looking at their entries (rescale: a subtask keeps its part of one or several snapshots).
 *
 * The reader checks length, magic, version and checksum first (a CRC-32 catches every
 * single-bit flip and every burst up to 32 bits), then walks the whole structure (every blob in
 * bounds, every count consistent) before returning, so a corrupt or truncated snapshot throws
 * `CorruptRecordError` and never yields partial entries. Decoding blobs with serializers, and
 * checking each key's key group, is the backend's (it decodes everything before it changes).
 *
 * Depends on: ../errors, ../types, ./snapshot-envelope, ./state-descriptor.
 */

import { CorruptRecordError, errors } from '../errors.js';
import { DataInputView } from '../types/data-input-view.js';
import { DataOutputView } from '../types/data-output-view.js';
import type { TypeSerializer } from '../types/type-serializer.js';
import { crc32, openSnapshotEnvelope, SNAPSHOT_TRAILER_BYTES as TRAILER_BYTES, type SnapshotEnvelope } from './snapshot-envelope.js';
import type { StateKind } from './state-descriptor.js';

/** "STKS" read as a little-endian uint32. */
export const KEYED_STATE_SNAPSHOT_MAGIC = 0x534b5453;
/** Format version; bump on any change of the layout above. */
export const KEYED_STATE_SNAPSHOT_VERSION = 1;
const HEADER_BYTES = 36;
const OFF_STATE_COUNT = 20;
const OFF_SECTION_COUNT = 24;
const OFF_TOTAL_LENGTH = 28;
/** Smallest encoded entry: stateIndex, key, namespace and itemCount words, one value blob length. */
const MIN_ENTRY_BYTES = 20;

const KIND_CODES: readonly StateKind[] = ['VALUE', 'LIST', 'MAP', 'REDUCING', 'AGGREGATING'];

/** What a snapshot says about one state. */
export interface SnapshotStateMeta {
  readonly name: string;
  readonly kind: StateKind;
  /** Items carry a TTL last-access timestamp. */
  readonly ttl: boolean;
  /** `typeName` of the namespace serializer (VOID_NAMESPACE states: VOID_NAMESPACE_TYPE_NAME). */
  readonly namespaceTypeName: string;
  /** `typeName` of the value, list element, map value or accumulator serializer. */
  readonly valueTypeName: string;
  /** `typeName` of the map's user key serializer; "" for other kinds. */
  readonly userKeyTypeName: string;
}

/** The namespace type name of states outside windows. */
export const VOID_NAMESPACE_TYPE_NAME = 'VOID';

/** What a snapshot covers. */
export interface SnapshotScope {
  readonly maxParallelism: number;
  readonly keyGroupStart: number;
  readonly keyGroupEnd: number;
  /** `typeName` of the key serializer. */
  readonly keyTypeName: string;
}

/**
 * Writes a snapshot entry by entry. Call order: `beginKeyGroup` (ascending, within the scope),
 * then per entry `beginEntry`, key, namespace, and per item the TTL timestamp (TTL states), the
 * user key (MAP) and the value; `finish` returns the bytes. Each blob comes either from a
 * serializer (`key`, `namespace`, `userKey`, `value`) or as bytes already serialized (`*Bytes`).
 * Serializer errors (`SerializationError`) propagate; the writer is then unusable.
 */
export class KeyedStateSnapshotWriter {
  readonly #out = new DataOutputView(4096);
  readonly #scope: SnapshotScope;
  readonly #states: readonly SnapshotStateMeta[];
  #sections = 0;
  #keyGroup = -1;
  /** Position of the current section's byteLength word, or -1. */
  #sectionAt = -1;
  #sectionEntries = 0;
  /** Position of the current entry's itemCount word, or -1. */
  #itemCountAt = -1;
  #items = 0;
  #finished = false;

  constructor(scope: SnapshotScope, states: readonly SnapshotStateMeta[]) {
    const { maxParallelism: maxP, keyGroupStart: start, keyGroupEnd: end } = scope;
    if (!Number.isInteger(maxP) || maxP < 1) throw errors.argumentOutOfRange('maxParallelism', maxP, 'expected an integer >= 1');
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end >= maxP || end < start - 1) {
      throw errors.argumentOutOfRange('key-group range', `[${start}, ${end}]`, `expected 0 <= start, end < ${maxP}, end >= start - 1`);
    }
    this.#scope = scope;
    this.#states = states;
    const out = this.#out;
    out.writeInt32(KEYED_STATE_SNAPSHOT_MAGIC | 0);
    out.writeInt32(KEYED_STATE_SNAPSHOT_VERSION);
    out.writeInt32(maxP);
    out.writeInt32(start);
    out.writeInt32(end);
    out.writeInt32(states.length);
    out.writeInt32(0); // sectionCount, patched by finish
    out.writeInt32(0); // totalLength, patched by finish
    out.writeInt32(0); // flags
    out.writeString(scope.keyTypeName);
    for (const s of states) {
      const code = KIND_CODES.indexOf(s.kind);
      if (code < 0) throw errors.invalidArgumentType(`kind of state '${s.name}'`, s.kind, `expected one of ${KIND_CODES.join(', ')}`);
      out.writeString(s.name);
      out.writeUint8(code);
      out.writeUint8(s.ttl ? 1 : 0);
      out.writeString(s.namespaceTypeName);
      out.writeString(s.valueTypeName);
      out.writeString(s.userKeyTypeName);
    }
  }

  /** Starts the section of `keyGroup`: greater than the previous one, within the scope. A section left without entries is dropped. */
  beginKeyGroup(keyGroup: number): void {
    this.#endEntry();
    this.#endSection();
    if (!Number.isInteger(keyGroup) || keyGroup <= this.#keyGroup || keyGroup < this.#scope.keyGroupStart || keyGroup > this.#scope.keyGroupEnd) {
      throw errors.internal(`snapshot writer: key group ${keyGroup} after ${this.#keyGroup} (must ascend within [${this.#scope.keyGroupStart}, ${this.#scope.keyGroupEnd}])`);
    }
    const out = this.#out;
    out.writeInt32(keyGroup);
    this.#sectionAt = out.pos;
    out.writeInt32(0); // byteLength
    out.writeInt32(0); // entryCount
    this.#keyGroup = keyGroup;
    this.#sectionEntries = 0;
    this.#sections++;
  }

  /** Starts an entry of the state at `stateIndex`; write its key and namespace next. */
  beginEntry(stateIndex: number): void {
    this.#endEntry();
    if (this.#sectionAt < 0) throw errors.internal('snapshot writer: beginEntry before beginKeyGroup');
    if (!Number.isInteger(stateIndex) || stateIndex < 0 || stateIndex >= this.#states.length) {
      throw errors.internal(`snapshot writer: state index ${stateIndex} out of 0..${this.#states.length - 1}`);
    }
    this.#out.writeInt32(stateIndex);
    this.#sectionEntries++;
  }

  key<K>(serializer: TypeSerializer<K>, key: K): void {
    this.#blob(serializer, key);
  }
  keyBytes(bytes: Uint8Array): void {
    this.#out.writeBytes(bytes);
  }
  namespace<N>(serializer: TypeSerializer<N>, namespace: N): void {
    this.#blob(serializer, namespace);
    this.#beginItems();
  }
  namespaceBytes(bytes: Uint8Array): void {
    this.#out.writeBytes(bytes);
    this.#beginItems();
  }
  /** The TTL last-access time of the next item (TTL states only, before its user key / value). */
  timestamp(ms: number): void {
    this.#out.writeBigInt64(BigInt(ms));
  }
  userKey<UK>(serializer: TypeSerializer<UK>, userKey: UK): void {
    this.#blob(serializer, userKey);
  }
  userKeyBytes(bytes: Uint8Array): void {
    this.#out.writeBytes(bytes);
  }
  /** The value of the current item; ends the item. */
  value<V>(serializer: TypeSerializer<V>, value: V): void {
    this.#blob(serializer, value);
    this.#items++;
  }
  valueBytes(bytes: Uint8Array): void {
    this.#out.writeBytes(bytes);
    this.#items++;
  }

  /** The snapshot's bytes (a fresh copy). */
  finish(): Uint8Array {
    if (this.#finished) throw errors.internal('snapshot writer: finish called twice');
    this.#endEntry();
    this.#endSection();
    this.#finished = true;
    const out = this.#out;
    const total = out.pos + TRAILER_BYTES;
    out.view.setInt32(OFF_SECTION_COUNT, this.#sections, true);
    out.view.setUint32(OFF_TOTAL_LENGTH, total, true);
    out.writeInt32(crc32(out.buf, 0, out.pos) | 0);
    return new Uint8Array(out.buf.subarray(0, out.pos));
  }

  #blob<T>(serializer: TypeSerializer<T>, value: T): void {
    const out = this.#out;
    const at = out.pos;
    out.writeInt32(0);
    serializer.write(value, out);
    out.view.setInt32(at, out.pos - at - 4, true);
  }

  #beginItems(): void {
    this.#itemCountAt = this.#out.pos;
    this.#out.writeInt32(0);
    this.#items = 0;
  }

  #endEntry(): void {
    if (this.#itemCountAt < 0) return;
    if (this.#items === 0) throw errors.internal('snapshot writer: an entry needs at least one item (write no entry for an empty list or map)');
    this.#out.view.setInt32(this.#itemCountAt, this.#items, true);
    this.#itemCountAt = -1;
  }

  #endSection(): void {
    if (this.#sectionAt < 0) return;
    const out = this.#out;
    if (this.#sectionEntries === 0) {
      // Nothing was written for this key group (e.g. every entry expired): drop the section.
      out.pos = this.#sectionAt - 4;
      this.#sections--;
    } else {
      out.view.setInt32(this.#sectionAt, out.pos - this.#sectionAt - 8, true);
      out.view.setInt32(this.#sectionAt + 4, this.#sectionEntries, true);
    }
    this.#sectionAt = -1;
  }
}

/** One item of a snapshot entry; blobs are views into the snapshot's bytes (copy to keep them). */
export interface SnapshotItem {
  /** TTL last-access ms; 0 when the state has no TTL. */
  readonly timestamp: number;
  /** The user key's bytes (MAP), else undefined. */
  readonly userKey: Uint8Array | undefined;
  readonly value: Uint8Array;
}

/** One entry: a key's state in one namespace. */
export interface SnapshotEntry {
  readonly stateIndex: number;
  readonly keyGroup: number;
  readonly key: Uint8Array;
  readonly namespace: Uint8Array;
  readonly items: readonly SnapshotItem[];
}

/** A validated snapshot: its scope, states and the entries of the key groups asked for. */
export interface ReadKeyedStateSnapshot {
  readonly scope: SnapshotScope;
  readonly states: readonly SnapshotStateMeta[];
  /** Entries of the requested key groups, by ascending key group, in written order. */
  readonly entries: readonly SnapshotEntry[];
}

/**
 * Validates a whole snapshot and returns the entries whose key group lies in
 * `[keepStart, keepEnd]` (a restoring subtask's range). Blobs are views into `bytes`.
 * @throws CorruptRecordError on anything truncated, corrupt or taken with another maxParallelism.
 */
export function readKeyedStateSnapshot(bytes: Uint8Array, maxParallelism: number, keepStart: number, keepEnd: number): ReadKeyedStateSnapshot {
  const buf = openSnapshotEnvelope(bytes, ENVELOPE);
  const len = buf.length;

  const snapMaxP = buf.readInt32LE(8);
  const start = buf.readInt32LE(12);
  const end = buf.readInt32LE(16);
  const stateCount = buf.readInt32LE(OFF_STATE_COUNT);
  const sectionCount = buf.readInt32LE(OFF_SECTION_COUNT);
  const flags = buf.readUInt32LE(32);
  if (snapMaxP !== maxParallelism) {
    throw corrupt(`the snapshot was taken with maxParallelism ${snapMaxP}, this backend has ${maxParallelism} (key groups would not line up)`);
  }
  if (start < 0 || end >= maxParallelism || end < start - 1) throw corrupt(`invalid key-group range [${start}, ${end}] for maxParallelism ${maxParallelism}`);
  if (flags !== 0) throw corrupt(`unknown flags 0x${flags.toString(16)}`);
  const limit = len - TRAILER_BYTES;
  if (stateCount < 0 || stateCount > limit) throw corrupt(`impossible state count ${stateCount}`);
  if (sectionCount < 0 || sectionCount > end - start + 1) throw corrupt(`impossible section count ${sectionCount} for range [${start}, ${end}]`);

  const input = new DataInputView(buf, undefined, HEADER_BYTES, limit);
  const entries: SnapshotEntry[] = [];
  let scope: SnapshotScope;
  const states: SnapshotStateMeta[] = [];
  try {
    scope = { maxParallelism, keyGroupStart: start, keyGroupEnd: end, keyTypeName: input.readString() };
    const names = new Set<string>();
    for (let i = 0; i < stateCount; i++) {
      const name = input.readString();
      const code = input.readUint8();
      const ttl = input.readUint8();
      const kind = KIND_CODES[code];
      if (kind === undefined) throw corrupt(`state '${name}' has unknown kind code ${code}`);
      if (ttl > 1) throw corrupt(`state '${name}' has TTL flag ${ttl}`);
      if (names.has(name)) throw corrupt(`state '${name}' appears twice`);
      names.add(name);
      states.push({ name, kind, ttl: ttl === 1, namespaceTypeName: input.readString(), valueTypeName: input.readString(), userKeyTypeName: input.readString() });
    }
    let previous = start - 1;
    for (let s = 0; s < sectionCount; s++) {
      const keyGroup = input.readInt32();
      if (keyGroup <= previous || keyGroup > end) throw corrupt(`section ${s}: key group ${keyGroup} not ascending within [${start}, ${end}]`);
      previous = keyGroup;
      const byteLength = input.readInt32();
      const entryCount = input.readInt32();
      const sectionEnd = input.pos + byteLength;
      if (byteLength < 0 || sectionEnd > limit) throw corrupt(`section of key group ${keyGroup}: length ${byteLength} runs past the end`);
      if (entryCount < 1 || entryCount * MIN_ENTRY_BYTES > byteLength) throw corrupt(`section of key group ${keyGroup}: impossible entry count ${entryCount}`);
      const keep = keyGroup >= keepStart && keyGroup <= keepEnd;
      const section = new DataInputView(buf, undefined, input.pos, sectionEnd);
      for (let e = 0; e < entryCount; e++) {
        const entry = readEntry(section, buf, states, keyGroup);
        if (keep) entries.push(entry);
      }
      if (section.pos !== sectionEnd) throw corrupt(`section of key group ${keyGroup}: ${sectionEnd - section.pos} bytes after its last entry`);
      input.pos = sectionEnd;
    }
  } catch (e) {
    if (e instanceof CorruptRecordError) throw e.message.includes('invalid keyed state snapshot') ? e : corrupt(e.message);
    throw e;
  }
  if (input.pos !== limit) throw corrupt(`${limit - input.pos} unexpected bytes after the last section`);
  return { scope, states, entries };
}

function readEntry(input: DataInputView, buf: Buffer, states: readonly SnapshotStateMeta[], keyGroup: number): SnapshotEntry {
  const at = input.pos;
  const stateIndex = input.readInt32();
  const meta = states[stateIndex];
  if (meta === undefined) throw corrupt(`entry at offset ${at}: state index ${stateIndex} out of 0..${states.length - 1}`);
  const key = readBlob(input, buf);
  const namespace = readBlob(input, buf);
  const itemCount = input.readLength(4);
  const single = meta.kind === 'VALUE' || meta.kind === 'REDUCING' || meta.kind === 'AGGREGATING';
  if (itemCount < 1 || (single && itemCount !== 1)) throw corrupt(`entry at offset ${at} of ${meta.kind} state '${meta.name}' has ${itemCount} items`);
  const items: SnapshotItem[] = new Array(itemCount);
  for (let i = 0; i < itemCount; i++) {
    const timestamp = meta.ttl ? Number(input.readBigInt64()) : 0;
    const userKey = meta.kind === 'MAP' ? readBlob(input, buf) : undefined;
    items[i] = { timestamp, userKey, value: readBlob(input, buf) };
  }
  return { stateIndex, keyGroup, key, namespace, items };
}

function readBlob(input: DataInputView, buf: Buffer): Uint8Array {
  const n = input.readLength();
  const p = input.pos;
  input.pos = p + n;
  return buf.subarray(p, p + n);
}

function corrupt(detail: string): CorruptRecordError {
  return errors.corruptRecord(`invalid keyed state snapshot: ${detail}`);
}

const ENVELOPE: SnapshotEnvelope = {
  magic: KEYED_STATE_SNAPSHOT_MAGIC,
  version: KEYED_STATE_SNAPSHOT_VERSION,
  headerBytes: HEADER_BYTES,
  totalLengthOffset: OFF_TOTAL_LENGTH,
  corrupt,
  what: 'a keyed state snapshot',
};
