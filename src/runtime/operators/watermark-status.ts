/**
 * Flink's WatermarkStatus: whether a stream is ACTIVE (its watermarks count) or IDLE (it emits
 * nothing for a while, e.g. a source split without data or a source marked idle by
 * `WatermarkStrategy.withIdleness`). A downstream task's input watermark is the minimum over its
 * active channels only, so an idle input does not hold event time back (StatusWatermarkValve);
 * a channel that turns active again does not move the watermark backwards.
 *
 * Statuses travel like watermarks: in order with records, through every Output, and on the wire
 * as STREAM_STATUS frames (io/stream-element.ts).
 */
export const WatermarkStatus = { ACTIVE: 0, IDLE: 1 } as const;
export type WatermarkStatus = (typeof WatermarkStatus)[keyof typeof WatermarkStatus];
