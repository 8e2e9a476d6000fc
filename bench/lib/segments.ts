/**
 * The 32 KiB segments the raw-segment benchmarks move. Every segment carries its sequence
 * number in its first and last 4 bytes and a fixed pattern in between; the consumer checks
 * head, tail and one pattern byte, which catches lost, reordered and half-written segments.
 */

/** Bytes per segment (strom's default `taskmanager.memory.segment-size`). */
export const SEGMENT_BYTES = 32 * 1024;
/** Offset of the pattern byte the consumer checks. */
export const PROBE_OFFSET = SEGMENT_BYTES >> 1;

/** A source segment filled with the pattern; `stamp` writes the sequence number into it. */
export function makeSource(): { src: Uint8Array; stamp(i: number): void } {
  const src = new Uint8Array(SEGMENT_BYTES);
  for (let i = 0; i < SEGMENT_BYTES; i++) src[i] = (i * 31 + 7) & 0xff;
  const view = new DataView(src.buffer);
  return {
    src,
    stamp(i: number) {
      view.setInt32(0, i, true);
      view.setInt32(SEGMENT_BYTES - 4, i, true);
    },
  };
}

/** The pattern byte expected at PROBE_OFFSET. */
export const PROBE_VALUE = (PROBE_OFFSET * 31 + 7) & 0xff;

/** Checksum of segments 0..n-1: each contributes head + tail = 2 * i. */
export function expectedSegmentChecksum(n: number): number {
  return n * (n - 1);
}
