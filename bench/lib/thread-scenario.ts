/**
 * Runs a thread scenario (see `scenario.ts`) on the main thread: each repetition gets a fresh
 * `setup()` and a fresh producer/consumer worker pair, so no JIT state, garbage or queued
 * memory carries over between repetitions. The main thread only waits meanwhile.
 */
import { Worker } from 'node:worker_threads';
import { CTRL_ABORTED, CTRL_ARRIVED, CTRL_WORDS, type RoleResult, type ScenarioSetup } from './scenario.js';
import type { ScenarioWorkerData, ScenarioWorkerMessage } from './scenario-worker.js';
import type { BenchmarkDef, Measurement, RateUnit, RunOptions } from './types.js';
import { formatRate } from './format.js';

const WORKER_URL = new URL('./scenario-worker.js', import.meta.url);

/** Outcome of one repetition. */
export interface RepetitionOutcome {
  producer: RoleResult;
  consumer: RoleResult;
  /** Producer's time from barrier to return, ms. */
  producerMs: number;
  /** Consumer's time from barrier to having received everything, ms: the measured interval. */
  consumerMs: number;
}

interface RoleOutcome {
  result: RoleResult;
  elapsedMs: number;
}

/** Runs one repetition of the scenario at `moduleUrl`; rejects on error, timeout or a bad exit. */
export async function runRepetition(moduleUrl: string, params: unknown, timeoutMs: number): Promise<RepetitionOutcome> {
  const mod = (await import(moduleUrl)) as { setup(params: unknown): ScenarioSetup | Promise<ScenarioSetup> };
  const setup = await mod.setup(params);
  const ctrlBuffer = new SharedArrayBuffer(CTRL_WORDS * 4);
  const ctrl = new Int32Array(ctrlBuffer);
  const workers: Worker[] = [];
  const spawn = (role: 'producer' | 'consumer'): Promise<RoleOutcome> => {
    const workerData: ScenarioWorkerData = { moduleUrl, role, params, shared: setup.shared, own: setup[role], ctrl: ctrlBuffer };
    const worker = new Worker(WORKER_URL, { workerData, transferList: setup.transfer?.[role] ?? [] });
    workers.push(worker);
    return new Promise<RoleOutcome>((resolve, reject) => {
      let settled = false;
      worker.once('message', (msg: ScenarioWorkerMessage) => {
        settled = true;
        if (msg.ok) resolve({ result: msg.result, elapsedMs: msg.elapsedMs });
        else reject(new Error(msg.error));
      });
      worker.once('error', (err) => {
        settled = true;
        reject(new Error(`${role} worker crashed: ${err.stack ?? err.message}`));
      });
      worker.once('exit', (code) => {
        if (!settled) reject(new Error(`${role} worker exited with code ${code} before reporting`));
      });
    });
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`repetition timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const [p, c] = await Promise.race([Promise.all([spawn('producer'), spawn('consumer')]), timeout]);
    return { producer: p.result, consumer: c.result, producerMs: p.elapsedMs, consumerMs: c.elapsedMs };
  } catch (err) {
    Atomics.store(ctrl, CTRL_ABORTED, 1);
    Atomics.notify(ctrl, CTRL_ARRIVED);
    setup.abort?.();
    throw err;
  } finally {
    clearTimeout(timer);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Checks that the consumer got exactly what the producer sent; returns a problem or undefined. */
export function verifyRepetition(outcome: RepetitionOutcome, expectedCount: number): string | undefined {
  const { producer: p, consumer: c } = outcome;
  if (p.count !== expectedCount) return `producer sent ${p.count} items, expected ${expectedCount}`;
  if (c.count !== p.count) return `consumer received ${c.count} of ${p.count} items`;
  if (c.bytes !== p.bytes) return `consumer received ${c.bytes} of ${p.bytes} bytes`;
  if (c.checksum !== p.checksum) return `checksum mismatch: sent ${p.checksum}, received ${c.checksum}`;
  if (!(outcome.consumerMs > 0)) return `non-positive elapsed time ${outcome.consumerMs} ms`;
  return undefined;
}

/** Describes a benchmark backed by a thread scenario. */
export interface ThreadBenchmarkOptions<P> {
  name: string;
  /** `bytes/s` rates the payload bytes, otherwise the item count; the other becomes the secondary figure. */
  unit: RateUnit;
  /** What an item is when the unit is `bytes/s` (default `records/s`). */
  itemUnit?: Exclude<RateUnit, 'bytes/s'>;
  baseline?: string;
  method: string;
  /** Scenario module, resolved against the suite file: `new URL('../scenarios/x.js', import.meta.url).href`. */
  moduleUrl: string;
  /** Parameters for a given work scale (1 = the tuned default). */
  params(scale: number): P;
  /** Items the producer must send with these parameters. */
  expectedCount(params: P): number;
  /** Per-repetition time limit; default 120 s. */
  timeoutMs?: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** A BenchmarkDef that runs the scenario `repeats` times, each in a fresh worker pair. */
export function threadBenchmark<P>(options: ThreadBenchmarkOptions<P>): BenchmarkDef {
  return {
    name: options.name,
    kind: 'threads',
    unit: options.unit,
    baseline: options.baseline,
    method: options.method,
    async run(run: RunOptions): Promise<Measurement> {
      const params = options.params(run.scale);
      const byItems = options.unit !== 'bytes/s';
      const expected = options.expectedCount(params);
      const records: number[] = [];
      const bytes: number[] = [];
      const details: Record<string, unknown>[] = [];
      let last: RepetitionOutcome | undefined;
      for (let i = 0; i < run.repeats; i++) {
        const outcome = await runRepetition(options.moduleUrl, params, options.timeoutMs ?? 120_000);
        const problem = verifyRepetition(outcome, expected);
        if (problem) throw new Error(`repetition ${i + 1}: ${problem}`);
        const seconds = outcome.consumerMs / 1000;
        records.push(outcome.consumer.count / seconds);
        bytes.push(outcome.consumer.bytes / seconds);
        details.push({
          consumerMs: round(outcome.consumerMs),
          producerMs: round(outcome.producerMs),
          ...(outcome.producer.details ? { producer: outcome.producer.details } : {}),
          ...(outcome.consumer.details ? { consumer: outcome.consumer.details } : {}),
        });
        last = outcome;
        const rate = byItems ? records[i]! : bytes[i]!;
        run.log?.(`  ${options.name} #${i + 1}: ${formatRate(rate, options.unit)} (${outcome.consumerMs.toFixed(0)} ms)`);
      }
      const primary = byItems ? records : bytes;
      const secondaryUnit: RateUnit = byItems ? 'bytes/s' : (options.itemUnit ?? 'records/s');
      return {
        samples: primary,
        secondary: { unit: secondaryUnit, samples: byItems ? bytes : records },
        work: { items: expected, bytes: last!.consumer.bytes, repeats: run.repeats, median: round(median(primary)) },
        details: { params, repetitions: details },
      };
    },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export { median };
