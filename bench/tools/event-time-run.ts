/**
 * One run of the event-time suite's keyed job (`jobs/keyed-event-time.ts`) in this (fresh)
 * process; prints one JSON line `{ ms, cpuMs, ... }` on stdout. `ms` is the wall time of
 * `execute()` (worker start-up included), `cpuMs` the CPU time of the whole process over the
 * same interval (`process.cpuUsage()`: user + system of every thread, so the task slots too).
 *
 *   node dist/bench/tools/event-time-run.js '{"records":5000000,"keys":10000,"time":"periodic","parallelism":2,"output":"/tmp/et"}'
 */
import { performance } from 'node:perf_hooks';

interface Args {
  records: number;
  keys: number;
  time: 'none' | 'periodic' | 'punctuated';
  parallelism: number;
  /** A directory for the sink subtasks' reports. */
  output: string;
  /** Extra configuration (Flink keys). */
  config?: Record<string, unknown>;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  const { execute } = await import('../../src/index.js');
  const jobUrl = new URL('../jobs/keyed-event-time.js', import.meta.url);
  const { default: job } = await import(jobUrl.href);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await execute(job, {
    module: jobUrl,
    params: { records: String(args.records), keys: String(args.keys), time: args.time, output: args.output },
    config: { 'parallelism.default': args.parallelism, 'execution.runtime-mode': 'STREAMING', ...args.config },
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, durationMs: result.durationMs, slots: result.slots }));
}

await main();
