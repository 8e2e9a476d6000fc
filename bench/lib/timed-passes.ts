/**
 * The simple timed loop of the single-thread state suites: one untimed warm-up pass, then
 * `run.repeats` timed passes; each pass reports its elapsed time (and facts to keep).
 */
import { formatRate } from './format.js';
import type { RateUnit, RunOptions } from './types.js';

export interface TimedPass {
  elapsedMs: number;
  details?: Record<string, unknown>;
}

/** Rates (`records` per pass) of the timed passes and each pass's details. */
export async function timedPasses(
  run: RunOptions,
  name: string,
  records: number,
  unit: RateUnit,
  pass: () => TimedPass,
): Promise<{ samples: number[]; repetitions: Record<string, unknown>[] }> {
  pass();
  const samples: number[] = [];
  const repetitions: Record<string, unknown>[] = [];
  for (let i = 0; i < run.repeats; i++) {
    const { elapsedMs, details } = pass();
    const rate = (records * 1000) / elapsedMs;
    samples.push(rate);
    repetitions.push({ elapsedMs: Math.round(elapsedMs * 10) / 10, ...details });
    run.log?.(`  ${name} #${i + 1}: ${formatRate(rate, unit)} (${elapsedMs.toFixed(0)} ms)`);
    await new Promise((r) => setImmediate(r));
  }
  return { samples, repetitions };
}
