/**
 * The cost of event time (issue 10): the same keyed job (parallelism 2, fromSequence ->
 * `[key, 1]` -> keyBy(0).sum(1), native, STREAMING -> a counting sink) without event time, with
 * assignTimestampsAndWatermarks(forBoundedOutOfOrderness) and the default 200 ms periodic
 * watermarks, and with a watermark after every record (punctuated, the worst case).
 *
 * Every repetition is a fresh `node` process (`tools/event-time-run.js`). The three variants run
 * interleaved within each round (the order rotates), so drift of the machine hits all alike: the
 * baseline's run measures all three and hands the others their samples. Primary figure: records/s
 * of wall time; secondary: records per second of CPU time of the whole process (every thread).
 * Every run's sink reports are checked (records received, the final count per key).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRate } from '../lib/format.js';
import type { BenchmarkDef, Measurement, RunOptions, Suite } from '../lib/types.js';

const RUNNER = fileURLToPath(new URL('../tools/event-time-run.js', import.meta.url));
const RECORDS = 4_000_000;
const KEYS = 10_000;
const PARALLELISM = 2;
const TIMEOUT_MS = 180_000;

type Time = 'none' | 'periodic' | 'punctuated';
const TIMES: Time[] = ['none', 'periodic', 'punctuated'];
const NAMES: Record<Time, string> = {
  none: 'keyed job p=2 without event time',
  periodic: 'keyed job p=2 periodic watermarks',
  punctuated: 'keyed job p=2 watermark per record',
};

interface Sample {
  ms: number;
  cpuMs: number;
}

/** Samples of the other variants, measured interleaved with the baseline's. */
let pending: { scale: number; samples: Record<Time, Sample[]> } | undefined;

interface SinkReport {
  received: number;
  keys: number;
  total: number;
}

function runOnce(records: number, time: Time): Promise<Sample> {
  const output = mkdtempSync(join(os.tmpdir(), 'strom-event-time-'));
  const args = { records, keys: KEYS, time, parallelism: PARALLELISM, output };
  return new Promise<Sample>((resolve, reject) => {
    execFile(
      process.execPath,
      [RUNNER, JSON.stringify(args)],
      { timeout: TIMEOUT_MS, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        try {
          if (error) throw new Error(`run failed (${error.message.split('\n')[0]}): ${stderr.trim().slice(-2000)}`);
          const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as Sample;
          const reports = readdirSync(output).map((f) => JSON.parse(readFileSync(join(output, f), 'utf8')) as SinkReport);
          const received = reports.reduce((s, r) => s + r.received, 0);
          const total = reports.reduce((s, r) => s + r.total, 0);
          const keys = reports.reduce((s, r) => s + r.keys, 0);
          // STREAMING sums: one output per input; the latest sum per key adds up to the input.
          if (received !== records || total !== records || keys !== Math.min(KEYS, records)) {
            throw new Error(`${time}: the sinks received ${received} records, ${keys} keys, total ${total}; expected ${records}, ${Math.min(KEYS, records)}, ${records}`);
          }
          resolve({ ms: result.ms, cpuMs: result.cpuMs });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        } finally {
          rmSync(output, { recursive: true, force: true });
        }
      },
    );
  });
}

function recordsOf(run: RunOptions): number {
  return Math.max(100_000, Math.round(RECORDS * run.scale));
}

async function measureAll(run: RunOptions): Promise<Record<Time, Sample[]>> {
  const records = recordsOf(run);
  const samples: Record<Time, Sample[]> = { none: [], periodic: [], punctuated: [] };
  for (let i = 0; i < run.repeats; i++) {
    // Rotate the order, so a warm cache or a slow start favours no variant.
    const order = TIMES.map((_, j) => TIMES[(i + j) % TIMES.length]!);
    for (const time of order) {
      const sample = await runOnce(records, time);
      samples[time].push(sample);
      run.log?.(
        `  ${NAMES[time]} #${i + 1}: ${formatRate(records / (sample.ms / 1000), 'records/s')} wall (${sample.ms.toFixed(0)} ms), ` +
          `${formatRate(records / (sample.cpuMs / 1000), 'records/s')} of CPU (${sample.cpuMs.toFixed(0)} ms)`,
      );
    }
  }
  return samples;
}

function measurement(samples: Sample[], records: number, time: Time): Measurement {
  return {
    samples: samples.map((s) => records / (s.ms / 1000)),
    secondary: { unit: 'records/s', samples: samples.map((s) => records / (s.cpuMs / 1000)) },
    work: { records, keys: KEYS, parallelism: PARALLELISM, repeats: samples.length },
    details: { time, ms: samples.map((s) => Math.round(s.ms)), cpuMs: samples.map((s) => Math.round(s.cpuMs)) },
  };
}

const METHOD =
  'fresh node process: execute() of fromSequence(0, 4M) -> map to [k(i % 10k), 1] -> keyBy(0).sum(1) (native, STREAMING) -> counting sink, ' +
  'parallelism 2; primary: records / wall time of execute(); secondary: records / CPU time of the whole process (all threads); ' +
  'the three variants run interleaved, order rotating per round; sink totals checked';

function variant(time: Time): BenchmarkDef {
  const baseline = time === 'none';
  return {
    name: NAMES[time],
    kind: 'process',
    unit: 'records/s',
    ...(baseline ? {} : { baseline: NAMES.none }),
    method:
      (time === 'none'
        ? 'no timestamps or watermarks; '
        : time === 'periodic'
          ? 'assignTimestampsAndWatermarks(forBoundedOutOfOrderness(100 ms)) on the sequence number, 200 ms periodic watermarks (the default); '
          : 'a punctuated generator: the bounded-delay watermark after every record (one watermark frame per record per channel); ') + METHOD,
    async run(run: RunOptions): Promise<Measurement> {
      // The baseline (which the runner always runs first) measures every variant, interleaved.
      let all = pending?.scale === run.scale ? pending.samples : undefined;
      if (baseline || !all || all[time].length === 0) {
        all = await measureAll(run);
        pending = { scale: run.scale, samples: all };
      }
      const samples = all[time];
      all[time] = [];
      return measurement(samples, recordsOf(run), time);
    },
  };
}

export const suite: Suite = { name: 'event-time', benchmarks: TIMES.map(variant) };
