/**
 * Single-thread micro benchmarks on tinybench. One BenchmarkDef runs tinybench `repeats`
 * times; each run's median iteration time gives one rate sample.
 */
import { Bench } from 'tinybench';
import type { BenchmarkDef, Measurement, RateUnit, RunOptions } from './types.js';
import { formatRate } from './format.js';

export interface MicroBenchmarkOptions {
  name: string;
  unit: RateUnit;
  baseline?: string;
  method: string;
  /** Units (bytes or records) one call of `fn` moves. */
  unitsPerIteration: number;
  /** Builds the function to time (allocations happen here, outside the timing). */
  prepare(): () => void;
  /** Self-check after the runs (e.g. the copy really happened); throws on failure. */
  verify?(): void;
  /** tinybench time budget per run in ms at scale 1 (default 1000). */
  timeMs?: number;
}

export function microBenchmark(options: MicroBenchmarkOptions): BenchmarkDef {
  return {
    name: options.name,
    kind: 'micro',
    unit: options.unit,
    baseline: options.baseline,
    method: options.method,
    async run(run: RunOptions): Promise<Measurement> {
      const fn = options.prepare();
      const samples: number[] = [];
      let iterations = 0;
      for (let i = 0; i < run.repeats; i++) {
        const time = Math.max(100, (options.timeMs ?? 1000) * run.scale);
        const bench = new Bench({ time, warmupTime: Math.min(250, time / 4), throws: true });
        bench.add(options.name, fn);
        await bench.run();
        const result = bench.tasks[0]!.result;
        if (result.state !== 'completed') {
          throw new Error(`tinybench task ended in state ${result.state}${'error' in result ? `: ${result.error}` : ''}`);
        }
        const rate = (options.unitsPerIteration * 1000) / result.latency.p50;
        iterations += result.latency.samplesCount;
        samples.push(rate);
        run.log?.(`  ${options.name} #${i + 1}: ${formatRate(rate, options.unit)} (${result.latency.samplesCount} iterations)`);
      }
      options.verify?.();
      return { samples, work: { unitsPerIteration: options.unitsPerIteration, iterations, repeats: run.repeats } };
    },
  };
}
