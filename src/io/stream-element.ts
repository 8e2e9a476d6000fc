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
  /** A watermark status change (WatermarkStatus ACTIVE 0 / IDLE 1): int32. */
  STREAM_STATUS: 4,
} as const;

/** The timestamp of a record that has none (Flink's StreamRecord without a timestamp): framed as RECORD. */
export const NO_TIMESTAMP = Number.NEGATIVE_INFINITY;

/** Bytes of the length prefix. */
export const LENGTH_BYTES = 4;
/** Bytes of the length prefix plus the tag: the least room a record start needs in a segment. */
export const HEADER_BYTES = 5;
/** Largest framed record accepted by readers (1 GiB); longer lengths mean corrupt bytes. */
export const MAX_RECORD_BYTES = 1 << 30;
/** Bytes of a record's timestamp (float64 epoch ms) before its value in a RECORD_WITH_TIMESTAMP frame. */
export const TIMESTAMP_BYTES = 8;
/** Payload bytes of a WATERMARK frame (float64 epoch ms; +-Infinity for MIN/MAX_WATERMARK). */
export const WATERMARK_PAYLOAD_BYTES = 8;
/** Payload bytes of a STREAM_STATUS frame (int32, as Flink's StreamElementSerializer writes it). */
export const STATUS_PAYLOAD_BYTES = 4;
