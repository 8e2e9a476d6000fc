/**
 * The native keyed state backend's side of the shared snapshot format
 * (keyed-state-snapshot-format.ts): the store's raw entries (KeyedStateStore.entries()) turned
 * into snapshot items, and the checks a restore makes against declared states.
 *
 * Depends on: ../errors, ./keyed-state-snapshot-format, ./native-state-ttl.
 */
import { errors } from '../errors.js';
import type { SnapshotStateMeta } from './keyed-state-snapshot-format.js';
import { STAMP_BYTES } from './native-state-ttl.js';

export interface RawEntry {
  readonly stateId: number;
  readonly kind: number;
  readonly keyGroup: number;
  readonly key: Uint8Array;
  readonly ns: Uint8Array;
  readonly userKey: Uint8Array;
  readonly value: Uint8Array;
}

/** The records of KeyedStateStore.entries(). */
export function parseEntries(bytes: Uint8Array): RawEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: RawEntry[] = [];
  let p = 0;
  const blob = (): Uint8Array => {
    const n = view.getUint32(p, true);
    const b = bytes.subarray(p + 4, p + 4 + n);
    p += 4 + n;
    return b;
  };
  while (p < bytes.length) {
    const stateId = view.getUint16(p, true);
    const kind = bytes[p + 2]!;
    const keyGroup = view.getInt32(p + 4, true);
    p += 8;
    out.push({ stateId, kind, keyGroup, key: blob(), ns: blob(), userKey: blob(), value: blob() });
  }
  return out;
}

export interface Item {
  readonly timestamp: number;
  readonly userKey: Uint8Array | undefined;
  readonly value: Uint8Array;
}

/** The snapshot items of one (state, key, namespace)'s stored entries. */
export function snapshotItems(meta: SnapshotStateMeta, raws: readonly RawEntry[]): Item[] {
  const ttlBytes = meta.ttl ? STAMP_BYTES : 0;
  const stamp = (b: Uint8Array, at: number): number => (meta.ttl ? Number(new DataView(b.buffer, b.byteOffset + at, 8).getBigInt64(0, true)) : 0);
  if (meta.kind === 'MAP') {
    return raws.map((r) => ({ timestamp: stamp(r.value, 0), userKey: r.userKey, value: r.value.subarray(ttlBytes) }));
  }
  const v = raws[0]!.value;
  if (meta.kind !== 'LIST') return [{ timestamp: stamp(v, 0), userKey: undefined, value: v.subarray(ttlBytes) }];
  const items: Item[] = [];
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  for (let p = 0; p < v.length; ) {
    const timestamp = stamp(v, p);
    const n = view.getUint32(p + ttlBytes, true);
    const at = p + ttlBytes + 4;
    items.push({ timestamp, userKey: undefined, value: v.subarray(at, at + n) });
    p = at + n;
  }
  return items;
}

/** A snapshot's state agrees with the declared one (or the one restored before). */
export function checkAgrees(snapshot: SnapshotStateMeta, declared: SnapshotStateMeta): void {
  const fields = ['kind', 'ttl', 'namespaceTypeName', 'valueTypeName', 'userKeyTypeName'] as const;
  for (const f of fields) {
    if (snapshot[f] !== declared[f]) {
      throw errors.invalidArgumentType(
        `state '${declared.name}'`,
        `${f} ${String(declared[f])}`,
        `the restored snapshot holds it with ${f} ${String(snapshot[f])}; declare it as it was when the snapshot was taken`,
      );
    }
  }
}

/** The uint32 length prefix of a restored list element. */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}

/** Bytes as a string, to group entries by their bytes. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
