/**
 * The keyed job of the event-time suite (`suites/event-time.ts`): a parallel sequence source,
 * optionally event time, `[key, 1]` tuples, keyBy(0).sum(1) (the native keyed aggregation,
 * STREAMING: one rolling sum per record) and a sink that only counts.
 *
 * params: `records`, `keys`, `time` (`none`, `periodic` or `punctuated`), `output` (a directory:
 * each sink subtask writes `<subtask>.json` with what it received, for the suite to check).
 *
 * - `none`: no timestamps, no watermarks (plain records on the wire).
 * - `periodic`: assignTimestampsAndWatermarks(forBoundedOutOfOrderness(100 ms)) with the record's
 *   sequence number as its event time; watermarks every `pipeline.auto-watermark-interval`.
 * - `punctuated`: the same bounded delay, but a watermark after every record (the worst case:
 *   one watermark frame per record, broadcast to every downstream channel).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineJob, Types, WatermarkStrategy } from '../../src/index.js';

const DELAY_MS = 100;

function strategy(time: string): WatermarkStrategy<number> | undefined {
  switch (time) {
    case 'none':
      return undefined;
    case 'periodic':
      return WatermarkStrategy.forBoundedOutOfOrderness<number>(DELAY_MS).withTimestampAssigner((i) => i);
    case 'punctuated':
      return WatermarkStrategy.forGenerator<number>(() => {
        let max = Number.NEGATIVE_INFINITY;
        return {
          onEvent: (_event, timestamp, output) => {
            max = Math.max(max, timestamp);
            output.emitWatermark(max - DELAY_MS - 1);
          },
          onPeriodicEmit: () => {},
        };
      }).withTimestampAssigner((i) => i);
    default:
      throw new Error(`params.time must be none, periodic or punctuated, not ${time}`);
  }
}

export default defineJob((env, params) => {
  const records = Number(params.records);
  const keys = Number(params.keys);
  const output = params.output;
  if (!Number.isSafeInteger(records) || records < 1 || !Number.isSafeInteger(keys) || keys < 1 || !output) {
    throw new Error('params: records and keys (positive integers) and output (a directory) are required');
  }
  const time = strategy(params.time ?? 'none');
  let numbers = env.fromSequence(0, records - 1);
  if (time) numbers = numbers.assignTimestampsAndWatermarks(time).name('Event time');
  numbers
    .map((i: number): [string, number] => [`k${i % keys}`, 1])
    .returns(Types.TUPLE(Types.STRING, Types.DOUBLE))
    .name('To pairs')
    .keyBy(0)
    .sum(1)
    .name('Counter')
    .addSink(({ subtaskIndex }) => {
      // The latest rolling sum per key: their total must be the number of records.
      const latest = new Map<string, number>();
      let received = 0;
      return {
        invoke([key, count]: [string, number]) {
          received++;
          latest.set(key, count);
        },
        close() {
          let total = 0;
          for (const count of latest.values()) total += count;
          writeFileSync(join(output, `${subtaskIndex}.json`), JSON.stringify({ received, keys: latest.size, total }));
        },
      };
    }, 'Counting sink');
  return `keyed event time (${params.time ?? 'none'})`;
});
