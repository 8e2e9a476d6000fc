/**
 * A rough estimate of the JS heap bytes a value takes, for the memory figures of JS-held state
 * (metrics and tuning only; never charged to managed memory).
 *
 * Depends on: nothing.
 */

/** Fields of one array/object measured by the size estimate before extrapolating. */
const ESTIMATE_FIELDS = 64;

/** Rough heap bytes of a value, looking `depth` levels deep (deeper parts count as one pointer). */
export function estimateBytes(v: unknown, depth: number): number {
  switch (typeof v) {
    case 'string':
      return 16 + v.length * 2;
    case 'number':
      return (v | 0) === v ? 8 : 16;
    case 'bigint':
      return 16 + 8 * Math.ceil(v.toString(16).length / 16);
    case 'boolean':
    case 'undefined':
      return 8;
    case 'object': {
      if (v === null) return 8;
      if (depth <= 0) return 8;
      if (ArrayBuffer.isView(v)) return 64 + v.byteLength;
      // At most ESTIMATE_FIELDS fields are measured; the rest count as the average of those.
      if (Array.isArray(v)) {
        const n = Math.min(v.length, ESTIMATE_FIELDS);
        let sum = 0;
        for (let i = 0; i < n; i++) sum += estimateBytes(v[i], depth - 1);
        return 32 + (n === 0 ? 0 : (sum / n) * v.length);
      }
      let bytes = 32;
      let fields = 0;
      for (const k in v) {
        if (++fields > ESTIMATE_FIELDS) {
          bytes += 24;
          continue;
        }
        bytes += 8 + estimateBytes((v as Record<string, unknown>)[k], depth - 1);
      }
      return bytes;
    }
    default:
      return 32;
  }
}
