/** The rolling aggregations of a keyed stream, with the codes native/core/keyed_aggregation.h uses. */
export const AggregationKindCode = {
  sum: 1,
  min: 2,
  max: 3,
  minBy: 4,
  maxBy: 5,
  count: 6,
  avg: 7,
} as const;

/** `sum`, `min`, `max`, `minBy`, `maxBy`, `count` or `avg`. */
export type AggregationKind = keyof typeof AggregationKindCode;

/**
 * Status words of the native process()/emitFinal() result: DONE, OUTPUT_FULL (the next frame
 * needs more room), INCOMPLETE (a frame is cut at the end of the input), YIELDED (emitFinal
 * stopped at its record budget; more finals remain), ELEMENT (process stopped before a
 * watermark or watermark status frame, for its task to handle in order).
 */
export const ProcessStatus = { DONE: 0, OUTPUT_FULL: 1, INCOMPLETE: 2, YIELDED: 3, ELEMENT: 4 } as const;
