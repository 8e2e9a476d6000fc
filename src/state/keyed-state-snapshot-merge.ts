/**
 * Rewrites keyed state snapshots (keyed-state-snapshot-format.ts) without decoding their values:
 * one snapshot made of the states of several (the heap and the native backend of one operator
 * each write some of its states), or a snapshot cut down to some states (a restored state handed
 * to the backend its descriptor is routed to).
 *
 * Depends on: ./keyed-state-snapshot-format, ../errors.
 */

import { errors } from '../errors.js';
import {
  KeyedStateSnapshotWriter,
  readKeyedStateSnapshot,
  type SnapshotEntry,
  type SnapshotScope,
  type SnapshotStateMeta,
} from './keyed-state-snapshot-format.js';

/**
 * One snapshot over `scope` holding every state of `snapshots` (each state in one of them only),
 * with the entries of the key groups in the scope's range.
 * @throws CorruptRecordError for a bad snapshot or a state in two snapshots.
 */
export function mergeKeyedStateSnapshots(snapshots: readonly Uint8Array[], scope: SnapshotScope): Uint8Array {
  return rewrite(snapshots, scope, () => true);
}

/** `snapshot` with only the states `keep` accepts, over the same key-group range. */
export function selectKeyedStateSnapshotStates(snapshot: Uint8Array, maxParallelism: number, keep: (meta: SnapshotStateMeta) => boolean): Uint8Array {
  const { scope } = readKeyedStateSnapshot(snapshot, maxParallelism, 1, 0);
  return rewrite([snapshot], scope, keep);
}

function rewrite(snapshots: readonly Uint8Array[], scope: SnapshotScope, keep: (meta: SnapshotStateMeta) => boolean): Uint8Array {
  const metas: SnapshotStateMeta[] = [];
  const names = new Set<string>();
  const { keyGroupStart: start, keyGroupEnd: end } = scope;
  const buckets: Array<Array<readonly [number, SnapshotEntry]> | undefined> = new Array(Math.max(0, end - start + 1));
  for (const bytes of snapshots) {
    const snap = readKeyedStateSnapshot(bytes, scope.maxParallelism, start, end);
    if (snap.scope.keyTypeName !== scope.keyTypeName) {
      throw errors.corruptRecord(`invalid keyed state snapshot: keys of ${snap.scope.keyTypeName} cannot join keys of ${scope.keyTypeName}`);
    }
    const index = snap.states.map((meta) => {
      if (!keep(meta)) return -1;
      if (names.has(meta.name)) throw errors.corruptRecord(`invalid keyed state snapshot: state '${meta.name}' is in two of the snapshots merged`);
      names.add(meta.name);
      return metas.push(meta) - 1;
    });
    for (const e of snap.entries) {
      const i = index[e.stateIndex]!;
      if (i >= 0) (buckets[e.keyGroup - start] ??= []).push([i, e]);
    }
  }
  const w = new KeyedStateSnapshotWriter(scope, metas);
  for (let g = 0; g < buckets.length; g++) {
    const list = buckets[g];
    if (list === undefined) continue;
    w.beginKeyGroup(start + g);
    for (const [i, e] of list) writeRawEntry(w, i, e, metas[i]!);
  }
  return w.finish();
}

/** Writes an entry read from a snapshot, its blobs unchanged, as state `index` of `w`. */
export function writeRawEntry(w: KeyedStateSnapshotWriter, index: number, e: SnapshotEntry, meta: SnapshotStateMeta): void {
  w.beginEntry(index);
  w.keyBytes(e.key);
  w.namespaceBytes(e.namespace);
  for (const i of e.items) {
    if (meta.ttl) w.timestamp(i.timestamp);
    if (i.userKey !== undefined) w.userKeyBytes(i.userKey);
    w.valueBytes(i.value);
  }
}
