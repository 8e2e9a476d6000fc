/**
 * The tag byte that starts every framed payload, as in Flink's StreamElementSerializer:
 * `[int32 length][tag][payload]`, where length counts the tag and the payload.
 */
export const StreamElementTag = {
  /** A record without a timestamp; the payload is the serialized value. */
  RECORD: 0,
  /** A record with a timestamp: float64 epoch ms, then the serialized value. */
  RECORD_WITH_TIMESTAMP: 1,
  /** A watermark: float64 epoch ms. */
  WATERMARK: 2,
  /** A latency marker (reserved). */
  LATENCY_MARKER: 3,
  /** A stream status change (reserved). */
  STREAM_STATUS: 4,
} as const;

/** Bytes of the length prefix. */
export const LENGTH_BYTES = 4;
/** Bytes of the length prefix plus the tag: the least room a record start needs in a segment. */
export const HEADER_BYTES = 5;
/** Largest framed record accepted by readers (1 GiB); longer lengths mean corrupt bytes. */
export const MAX_RECORD_BYTES = 1 << 30;
