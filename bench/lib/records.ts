/**
 * The small records every small-record benchmark moves: `[string, number]` with a 10-character
 * ASCII key and a double. Producer and consumer compute the same checksum, so a lost,
 * duplicated, reordered or corrupted record is caught.
 */

/** Distinct keys cycled through (power of two). */
export const KEY_COUNT = 1024;

/** `key-000000` ... `key-001023`: 10 ASCII characters each. */
export const KEYS: readonly string[] = Array.from({ length: KEY_COUNT }, (_, i) => `key-${String(i).padStart(6, '0')}`);

/** The record with sequence number `i`. */
export function makeRecord(i: number): [string, number] {
  return [KEYS[i & (KEY_COUNT - 1)]!, i * 0.5];
}

/** Serialized payload bytes of a record with strom's TUPLE(STRING, DOUBLE) encoding: int32 length + UTF-8 + float64. */
export const PAYLOAD_BYTES = 4 + 10 + 8;
/** Framed bytes in a segment: `[int32 length][tag][payload]`. */
export const FRAMED_BYTES = 5 + PAYLOAD_BYTES;

/**
 * Folds one received record into a running checksum; sequence-sensitive (`i` is the expected
 * index), so reordering changes it. Stays an exact integer for up to ~2^40 records.
 */
export function checksumStep(sum: number, i: number, key: string, value: number): number {
  // value * 2 === i for an intact record; the key's last char and length catch key corruption.
  return sum + (value * 2 === i ? 1 : 1e6) + key.charCodeAt(9) + key.length * (i & 7);
}

/** The checksum of records 0..n-1 as the producer sent them. */
export function expectedChecksum(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const [k, v] = makeRecord(i);
    sum = checksumStep(sum, i, k, v);
  }
  return sum;
}
