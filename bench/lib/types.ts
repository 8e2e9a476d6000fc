/**
 * The contract between `bench/run.ts` and the suites in `bench/suites/`.
 *
 * A suite file exports `suite: Suite`: a list of benchmarks and, optionally, goals. The runner
 * selects benchmarks by name (`--filter`), adds the baselines they are compared with, runs each
 * one, and computes every ratio itself, so a suite only measures.
 *
 * Two kinds of benchmark:
 * - `micro`: single-thread, measured with tinybench inside the runner's process.
 * - `threads`: a producer/consumer scenario between two worker threads, each repetition in a
 *   fresh worker pair (see `lib/thread-scenario.ts`).
 * - `process`: a whole program (e.g. a job with its own worker threads), each repetition in a
 *   fresh `node` process (see `suites/word-count.ts`).
 */

/** Unit of a rate. */
export type RateUnit = 'records/s' | 'segments/s' | 'bytes/s' | 'updates/s' | 'words/s' | 'bytes/key';

/** What one benchmark measured: one rate per repetition, best figure chosen by the runner. */
export interface Measurement {
  /** Primary rate of each repetition, in `BenchmarkDef.unit`. */
  samples: number[];
  /** Optional second figure of each repetition (e.g. bytes/s next to records/s). */
  secondary?: { unit: RateUnit; samples: number[] };
  /** What was moved per repetition, for the record (e.g. `{ records: 5e6, bytes: 1.1e8 }`). */
  work: Record<string, number | string>;
  /** Extra per-run facts worth keeping (e.g. producer back-pressured time). */
  details?: Record<string, unknown>;
}

/** Options the runner passes to every benchmark. */
export interface RunOptions {
  /** Repetitions of a thread scenario (each in a fresh worker pair); the median is reported. */
  repeats: number;
  /** Multiplies the fixed work of each benchmark (1 = tuned default; < 1 for a smoke run). */
  scale: number;
  /** Progress output (one line per repetition); silent when undefined. */
  log?: (line: string) => void;
}

/** One benchmark: a name that says what is measured, its unit and its baseline. */
export interface BenchmarkDef {
  /** Unique across all suites, e.g. `channel small records`; what `--filter` matches. */
  name: string;
  kind: 'micro' | 'threads' | 'process';
  /** Unit of the primary rate. */
  unit: RateUnit;
  /** Name of the benchmark this one is compared with (ratio = rate / baseline rate). */
  baseline?: string;
  /** One sentence on how the figure is obtained; copied into the JSON entry. */
  method: string;
  run(options: RunOptions): Promise<Measurement>;
}

/** A target ratio between a benchmark and its baseline, printed as PASS/MISS. */
export interface Goal {
  /** Human label, e.g. `small records >= 25x postMessage`. */
  name: string;
  /** Benchmark whose ratio to its baseline is checked. */
  benchmark: string;
  /** Least acceptable ratio to the benchmark's baseline. */
  minRatio?: number;
  /** Or: largest acceptable figure of the benchmark itself (e.g. a `bytes/key` entry). */
  maxValue?: number;
}

/** What a file in `bench/suites/` exports as `suite`. */
export interface Suite {
  name: string;
  benchmarks: BenchmarkDef[];
  goals?: Goal[];
}

/** One entry of the JSON results. */
export interface BenchResult {
  name: string;
  suite: string;
  kind: 'micro' | 'threads' | 'process';
  /** Median of the samples; null when the benchmark failed. */
  rate: number | null;
  unit: RateUnit;
  baseline: string | null;
  /** rate / baseline rate; null without a baseline or when either failed. */
  ratio: number | null;
  secondary?: { rate: number; unit: RateUnit };
  method: string;
  samples: number[];
  /** CPU (in cores) other processes used meanwhile; high values mean the figure is unreliable. */
  foreignCpu: number | null;
  work?: Record<string, number | string>;
  details?: Record<string, unknown>;
  /** Why no rate was reported (exception, verification failure, timeout). */
  error?: string;
}

/** One goal check in the JSON results. */
export interface GoalResult {
  name: string;
  benchmark: string;
  baseline: string | null;
  minRatio?: number;
  ratio: number | null;
  maxValue?: number;
  /** The benchmark's own figure, for a `maxValue` goal. */
  value?: number | null;
  status: 'PASS' | 'MISS' | 'N/A';
}
