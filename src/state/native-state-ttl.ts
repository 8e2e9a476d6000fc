/**
 * State TTL on the native keyed state backend: a TTL state's stored values start with an int64
 * last-access stamp (little-endian ms); expiry per the StateTtlConfig's time to live and
 * visibility; cleanup on read (an expired value read is removed); `OnReadAndWrite` refreshes the
 * stamp of a value read. Expired entries are also left out of snapshots with
 * cleanupFullSnapshot (in the backend's snapshot). strom does not run Flink's incremental
 * background cleanup on this backend yet.
 *
 * Depends on: ./state-ttl-config, ./keyed-state-snapshot-format.
 */
import type { SnapshotStateMeta } from './keyed-state-snapshot-format.js';
import { StateTtlConfig } from './state-ttl-config.js';

/** Bytes of the stamp in front of each stored value of a TTL state. */
export const STAMP_BYTES = 8;

export type Expiry = 'live' | 'expired-visible' | 'expired';

export function isExpired(ttl: StateTtlConfig, lastAccess: number, now: number): boolean {
  return lastAccess + ttl.ttlMs <= now;
}

/** Expiry of a stored stamp, per the TTL's visibility. */
export function expiryOf(ttl: StateTtlConfig, stamp: number, now: number): Expiry {
  if (!isExpired(ttl, stamp, now)) return 'live';
  return ttl.stateVisibility === StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp ? 'expired-visible' : 'expired';
}

/**
 * What a read of one stored value returns under TTL (the read path of ValueState.value() and
 * MapState.get()): a live value (refreshed when the TTL updates on read), or, expired, removed
 * and returned only when expired values stay visible.
 */
export function ttlRead<T>(ttl: StateTtlConfig, stamp: number, now: number, value: T, remove: () => void, refresh: (value: T) => void): T | null {
  const expiry = expiryOf(ttl, stamp, now);
  if (expiry !== 'live') {
    remove();
    return expiry === 'expired-visible' ? value : null;
  }
  if (ttl.updateType === StateTtlConfig.UpdateType.OnReadAndWrite) refresh(value);
  return value;
}

/** The stamp bytes restored in front of a value (none without TTL). */
export function stampPrefix(meta: SnapshotStateMeta, timestamp: number): Uint8Array {
  if (!meta.ttl) return new Uint8Array(0);
  const b = new Uint8Array(STAMP_BYTES);
  new DataView(b.buffer).setBigInt64(0, BigInt(timestamp), true);
  return b;
}
