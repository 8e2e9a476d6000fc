/**
 * The three process-function examples on fixed input with their expected alerts: through the
 * strom/testing harness (deterministic: watermarks and the processing-time clock set by the
 * test) and as real jobs on worker threads (executeAndCollect, and `strom run` of a TypeScript
 * source, whose imports of strom's sources meet the CLI's build: a second copy of strom's classes).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { executeAndCollect, Types } from '../../src/index.js';
import { MAX_WATERMARK, ProcessFunctionTestHarnesses, StreamRecord, Watermark } from '../../src/testing/index.js';
import fraudJob, { DEFAULT_TRANSACTIONS, FraudDetector, ONE_MINUTE, type Transaction } from '../../examples/fraud-detection.js';
import sessionJob, { DEFAULT_SESSIONS, SessionTimeout, type Click } from '../../examples/session-timeout.js';
import sensorJob, { DEFAULT_READINGS, SilenceAlert, type Reading } from '../../examples/sensor-silence.js';

const exec = promisify(execFile);
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
/** An example's TypeScript source (this file runs from dist/test/runtime). */
const SOURCE_EXAMPLE = (name: string) => fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url));

async function collect(job: typeof fraudJob, params: Record<string, string>, parallelism = 1): Promise<string[]> {
  const results: string[] = [];
  for await (const alert of executeAndCollect<string>(job, { params: { ...params, collect: 'true' }, config: { 'parallelism.default': parallelism } })) results.push(alert);
  return results;
}

const FRAUD_ALERTS = [
  'alert: account A, 720.00 at 2026-01-01T12:00:30.000Z after a small transaction',
  'alert: account C, 501.00 at 2026-01-01T12:02:30.000Z after a small transaction',
];

describe('examples/fraud-detection', () => {
  const fraudHarness = () => ProcessFunctionTestHarnesses.forKeyedProcessFunction(new FraudDetector(), (t: Transaction) => t.accountId, Types.STRING);

  it('harness: the embedded transactions with monotonous watermarks raise the two alerts, at the large transactions\' times', () => {
    const harness = fraudHarness();
    for (const txn of DEFAULT_TRANSACTIONS) {
      harness.processElement(txn, txn.timestamp);
      harness.processWatermark(txn.timestamp - 1); // forMonotonousTimestamps
    }
    harness.endInput();
    assert.deepEqual(
      harness.extractOutputStreamRecords(),
      FRAUD_ALERTS.map((alert, i) => new StreamRecord(alert, [DEFAULT_TRANSACTIONS[2]!, DEFAULT_TRANSACTIONS[9]!][i]!.timestamp)),
    );
    assert.equal(harness.numKeyedStateEntries(), 0, 'every flag and timer state was cleared');
    assert.equal(harness.numEventTimeTimers(), 0);
  });

  it('harness: the timer forgets the flag once the watermark passes the minute; the next small transaction sets it again', () => {
    const harness = fraudHarness();
    harness.processElement({ accountId: 'x', amount: 0.2, timestamp: 0 }, 0);
    assert.equal(harness.numEventTimeTimers(), 1);
    assert.equal(harness.numKeyedStateEntries(), 2, 'flag and timer');
    harness.processWatermark(ONE_MINUTE);
    assert.equal(harness.numKeyedStateEntries(), 0, 'the timer cleared both');
    harness.processElement({ accountId: 'x', amount: 900, timestamp: ONE_MINUTE }, ONE_MINUTE);
    harness.processElement({ accountId: 'x', amount: 0.2, timestamp: ONE_MINUTE + 1 }, ONE_MINUTE + 1);
    harness.processElement({ accountId: 'x', amount: 600, timestamp: ONE_MINUTE + 2 }, ONE_MINUTE + 2);
    assert.deepEqual(harness.getOutput(), [new Watermark(ONE_MINUTE), new StreamRecord('alert: account x, 600.00 at 1970-01-01T00:01:00.002Z after a small transaction', ONE_MINUTE + 2)]);
    assert.equal(harness.numEventTimeTimers(), 0, 'the alerting transaction deleted the timer');
  });

  for (const parallelism of [1, 2]) {
    it(`a real job at parallelism ${parallelism} raises the same alerts`, async () => {
      assert.deepEqual((await collect(fraudJob, {}, parallelism)).sort(), FRAUD_ALERTS);
    });
  }

  it('`strom run examples/fraud-detection.ts` (the TypeScript source, importing strom\'s sources) prints the alerts', async () => {
    const { stdout } = await exec(process.execPath, [CLI, 'run', SOURCE_EXAMPLE('fraud-detection.ts'), '-q']);
    assert.deepEqual(stdout.trimEnd().split('\n'), FRAUD_ALERTS);
  });
});

describe('examples/session-timeout', () => {
  it('harness: a session ends once the manual clock passes the last click + gap; every click moves the timeout', () => {
    const harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SessionTimeout(100), (c: Click) => c.user, Types.STRING);
    const click = (time: number, user: string, page: string) => {
      harness.setProcessingTime(time);
      harness.processElement({ user, page });
    };
    click(0, 'ann', 'home');
    click(10, 'bob', 'home');
    click(90, 'ann', 'search'); // moves ann's timeout from 100 to 190
    harness.setProcessingTime(100);
    assert.deepEqual(harness.extractOutputValues(), []);
    harness.setProcessingTime(110);
    assert.deepEqual(harness.getOutput(), [new StreamRecord('bob: 1 event (home)', null)]);
    click(150, 'ann', 'cart');
    harness.setProcessingTime(249);
    assert.equal(harness.extractOutputValues().length, 1);
    harness.setProcessingTime(250);
    click(300, 'ann', 'home');
    harness.setProcessingTime(1000);
    assert.deepEqual(harness.extractOutputValues(), ['bob: 1 event (home)', 'ann: 3 events (home, search, cart)', 'ann: 1 event (home)']);
    assert.equal(harness.numKeyedStateEntries(), 0);
    assert.equal(harness.numProcessingTimeTimers(), 0);
  });

  it('a real job on the embedded, paced clicks emits each session once, per user in order', async () => {
    const sessions = await collect(sessionJob, {});
    const perUser = (lines: readonly string[]) => ['ann', 'bob', 'cid'].map((user) => lines.filter((l) => l.startsWith(`${user}:`)));
    assert.deepEqual(perUser(sessions), perUser(DEFAULT_SESSIONS));
    assert.equal(sessions.length, DEFAULT_SESSIONS.length);
  });
});

describe('examples/sensor-silence', () => {
  const EXPECTED = [
    's2: no reading for 10 s since 2026-01-01T08:00:20.000Z',
    's3: no reading for 10 s since 2026-01-01T08:00:30.000Z',
    's1: no reading for 10 s since 2026-01-01T08:00:58.000Z',
    's2: no reading for 10 s since 2026-01-01T08:00:58.000Z',
  ];

  it('harness: alerts fire when the watermark passes a silence, in event-time order; the end of input fires the last ones', () => {
    const harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SilenceAlert(10_000), (r: Reading) => r.sensor, Types.STRING);
    for (const reading of DEFAULT_READINGS) {
      harness.processElement(reading, reading.timestamp);
      harness.processWatermark(reading.timestamp - 1);
    }
    const midStream = harness.extractOutputValues();
    assert.deepEqual(midStream, EXPECTED.slice(0, 2), 'the silences of s2 and s3 are found while the others report');
    harness.processWatermark(MAX_WATERMARK);
    assert.deepEqual(harness.extractOutputValues(), EXPECTED);
  });

  it('harness: a late watermark does not lose a silence (the reading after it leaves the timer to fire)', () => {
    const harness = ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SilenceAlert(10), (r: Reading) => r.sensor, Types.STRING);
    harness.processElement({ sensor: 'a', value: 1, timestamp: 0 }, 0);
    harness.processElement({ sensor: 'a', value: 1, timestamp: 25 }, 25); // no watermark in between
    harness.processWatermark(24);
    assert.deepEqual(harness.extractOutputValues(), ['a: no reading for 0.01 s since 1970-01-01T00:00:00.000Z']);
  });

  for (const parallelism of [1, 3]) {
    it(`a real job at parallelism ${parallelism} gives the same alerts`, async () => {
      assert.deepEqual((await collect(sensorJob, {}, parallelism)).sort(), [...EXPECTED].sort());
    });
  }
});
