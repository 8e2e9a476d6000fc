/**
 * The cost of task metrics (issue 5): WordCount p=1 (BATCH, the 64 MiB Zipf text of the
 * word-count suite) with metrics published to shared memory (`execute()`'s default) against the
 * same job with `metrics: false`. The ratio on/off is the overhead; 1.0 = free.
 *
 * Every repetition is a fresh `node` process (`tools/word-count-run.js`), as in the word-count
 * suite; the two entries alternate on/off within each repetition round so drift of the machine
 * hits both alike (the off entry's run does both and caches the on samples for its partner).
 * Both outputs are compared word by word.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRate } from '../lib/format.js';
import type { BenchmarkDef, Goal, Measurement, RunOptions, Suite } from '../lib/types.js';
import { zipfTextFile } from '../lib/zipf-text.js';

const RUNNER = fileURLToPath(new URL('../tools/word-count-run.js', import.meta.url));
const TEXT_BYTES = 64 * 2 ** 20;
const OFF = 'WordCount p=1 metrics off';
const ON = 'WordCount p=1 metrics on';
const TIMEOUT_MS = 180_000;

interface Sample {
  rate: number;
  ms: number;
}

/** Samples of the on entry, measured interleaved with the off entry's. */
let pendingOn: { scale: number; samples: Sample[] } | undefined;

function runOnce(input: string, metrics: boolean): Promise<{ ms: number; counts: string }> {
  const dir = mkdtempSync(join(os.tmpdir(), 'strom-metrics-'));
  const output = join(dir, 'out');
  return new Promise<{ ms: number; counts: string }>((resolve, reject) => {
    execFile(
      process.execPath,
      [RUNNER, JSON.stringify({ mode: 'strom', input, output, parallelism: 1, metrics })],
      { timeout: TIMEOUT_MS, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        try {
          if (error) throw new Error(`run failed (${error.message.split('\n')[0]}): ${stderr.trim().slice(-2000)}`);
          const result = JSON.parse(stdout.trim().split('\n').pop() ?? '') as { ms: number; metrics: boolean };
          if (result.metrics !== metrics) throw new Error(`metrics ${metrics} requested, the result says ${result.metrics}`);
          const files = statSync(output).isDirectory() ? readdirSync(output).sort().map((f) => join(output, f)) : [output];
          const counts = files.map((f) => readFileSync(f, 'utf8').split('\n').sort().join('\n')).join('\n');
          resolve({ ms: result.ms, counts });
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

async function measureBoth(run: RunOptions): Promise<{ off: Sample[]; on: Sample[]; bytes: number; input: string }> {
  const bytes = Math.max(2 ** 20, Math.round(TEXT_BYTES * run.scale));
  const input = zipfTextFile({ bytes, vocabulary: 100_000, seed: 42 }, run.log);
  const off: Sample[] = [];
  const on: Sample[] = [];
  for (let i = 0; i < run.repeats; i++) {
    // Alternate which goes first, so a warm page cache or a slow start favours neither.
    const order = i % 2 === 0 ? [false, true] : [true, false];
    const outputs: string[] = [];
    for (const metrics of order) {
      const { ms, counts } = await runOnce(input, metrics);
      outputs.push(counts);
      (metrics ? on : off).push({ ms, rate: bytes / (ms / 1000) });
      run.log?.(`  WordCount p=1 metrics ${metrics ? 'on' : 'off'} #${i + 1}: ${formatRate(bytes / (ms / 1000), 'bytes/s')} (${ms.toFixed(0)} ms)`);
    }
    if (outputs[0] !== outputs[1]) throw new Error(`repetition ${i + 1}: the outputs with metrics on and off differ`);
  }
  return { off, on, bytes, input };
}

function measurement(samples: Sample[], bytes: number, input: string, metrics: boolean): Measurement {
  return {
    samples: samples.map((s) => s.rate),
    work: { bytes, repeats: samples.length },
    details: { input, metrics, ms: samples.map((s) => Math.round(s.ms)) },
  };
}

const off: BenchmarkDef = {
  name: OFF,
  kind: 'process',
  unit: 'bytes/s',
  method:
    'examples/word-count.js with execute({ metrics: false }) in a fresh node process, parallelism 1, BATCH, 64 MiB Zipf text; ' +
    'wall time of execute(); runs interleaved with the metrics-on entry (alternating order), outputs compared',
  async run(run: RunOptions): Promise<Measurement> {
    const both = await measureBoth(run);
    pendingOn = { scale: run.scale, samples: both.on };
    return measurement(both.off, both.bytes, both.input, false);
  },
};

const on: BenchmarkDef = {
  name: ON,
  kind: 'process',
  unit: 'bytes/s',
  baseline: OFF,
  method:
    'the same job with metrics published to shared memory (the default): per step counters + idle/back-pressure time, ' +
    'state sampled every 100 ms, heap every 200 ms; ratio to metrics off = 1 - overhead',
  async run(run: RunOptions): Promise<Measurement> {
    // Measured together with the off entry (which the runner always runs first, as the baseline).
    let samples = pendingOn?.scale === run.scale ? pendingOn.samples : undefined;
    let bytes = Math.max(2 ** 20, Math.round(TEXT_BYTES * run.scale));
    let input = '';
    if (!samples) {
      const both = await measureBoth(run);
      ({ on: samples, bytes, input } = both);
    }
    pendingOn = undefined;
    return measurement(samples, bytes, input, true);
  },
};

const goals: Goal[] = [{ name: 'WordCount p=1 with metrics >= 0.97x without', benchmark: ON, minRatio: 0.97 }];

export const suite: Suite = { name: 'metrics-overhead', benchmarks: [off, on], goals };
