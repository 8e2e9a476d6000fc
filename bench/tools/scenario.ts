/**
 * Runs one repetition of one thread scenario with hand-written parameters and prints the
 * outcome with its details; for investigations (e.g. under `node --cpu-prof`), not for results.
 *
 *   node dist/bench/tools/scenario.js channel-segments '{"segments":300000,"numSegments":64,
 *     "localPool":[2,8,10],"ringCapacity":16,"waitMs":50,"consumerSpins":1000}'
 */
import { runRepetition, verifyRepetition } from '../lib/thread-scenario.js';

const [name, json] = process.argv.slice(2);
if (!name || !json) {
  console.error('usage: node dist/bench/tools/scenario.js <scenario file name without .js> \'<params as JSON>\'');
  process.exit(2);
}
const params = JSON.parse(json) as Record<string, unknown>;
const url = new URL(`../scenarios/${name}.js`, import.meta.url).href;
const outcome = await runRepetition(url, params, 300_000);
const problem = verifyRepetition(outcome, outcome.producer.count);
const s = outcome.consumerMs / 1000;
console.log(
  JSON.stringify(
    {
      scenario: name,
      ok: problem ?? true,
      itemsPerSecond: Math.round(outcome.consumer.count / s),
      bytesPerSecond: Math.round(outcome.consumer.bytes / s),
      consumerMs: Math.round(outcome.consumerMs),
      producerMs: Math.round(outcome.producerMs),
      producer: outcome.producer.details,
      consumer: outcome.consumer.details,
    },
    null,
    2,
  ),
);
