/**
 * A keyed running maximum over an unbounded stream: an async generator of sensor readings
 * (never ends), keyed by sensor, `max(1)` per sensor. Every reading emits the sensor's maximum
 * so far: `[sensor, max reading, seq of the sensor's first reading]` (Flink's `max` changes only
 * the aggregated field). The caller reads it with executeAndCollect and stops after N results;
 * breaking out of the loop cancels the job.
 *
 *   node dist/examples/running-max.js        # prints the first 20 running maxima
 *   node dist/examples/running-max.js 100    # ... the first 100
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { defineJob, executeAndCollect, Types } from '../src/index.js';

export type Reading = [sensor: string, value: number, seq: number];

export const SENSORS = 4;

/** Reading number `seq`: a deterministic pseudo-random sensor and value (0.0 to 99.9). */
export function reading(seq: number): Reading {
  let h = Math.imul(seq + 1, 0x9e3779b1) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  return [`sensor-${(h % SENSORS) + 1}`, Math.floor((h >>> 8) % 1000) / 10, seq];
}

/** Sensor readings forever; `params.intervalMs` (default 0) paces them. */
const job = defineJob((env, params) => {
  const intervalMs = Number(params.intervalMs ?? 0);
  env
    .fromSource(
      async function* sensors() {
        for (let seq = 0; ; seq++) {
          yield reading(seq);
          if (intervalMs > 0) await sleep(intervalMs);
          else if (seq % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
        }
      },
      'Sensors',
      Types.TUPLE(Types.STRING, Types.DOUBLE, Types.DOUBLE),
    )
    .setParallelism(1)
    .keyBy(0)
    .max(1)
    .name('Running Max')
    .collect();
  return 'Running Max';
});
export default job;

/** The first `limit` running maxima, then cancels the job. */
export async function runningMax(limit: number, config: Record<string, unknown> = {}): Promise<Reading[]> {
  const results: Reading[] = [];
  if (limit <= 0) return results;
  // Low buffer timeout: results arrive within a few ms of their reading.
  const collected = executeAndCollect<Reading>(job, { config: { 'execution.buffer-timeout': 5, ...config } });
  for await (const result of collected) {
    results.push(result);
    if (results.length >= limit) break;
  }
  await collected.result;
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const limit = Number(process.argv[2] ?? 20);
  for (const [sensor, max, seq] of await runningMax(limit)) console.log(`${sensor} max ${max} (first seq ${seq})`);
}
