/**
 * WordCount end to end (issue 4): examples/word-count.js run with `execute()` over a 64 MiB
 * Zipf-distributed text in BATCH mode at parallelism 1 and 2, against a plain single-threaded
 * JS WordCount with the same tokenizer and output format.
 *
 * Every repetition runs in a fresh `node` process (`tools/word-count-run.js`): a job starts its
 * own task-slot worker threads, and a fresh process carries no JIT state or garbage over. The
 * figure is the job's own wall time measured inside that process (read, tokenize, count,
 * write; for strom also the worker start-up and teardown), without Node's start-up and module
 * loading. The text is generated once and cached in the OS temp dir (`lib/zipf-text.ts`).
 * Each run writes into a fresh temp dir, deleted afterwards; every strom result is parsed and
 * compared word by word with the baseline's (one `(word,count)` line per word in BATCH mode).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRate } from '../lib/format.js';
import { median } from '../lib/thread-scenario.js';
import type { BenchmarkDef, Goal, Measurement, RunOptions, Suite } from '../lib/types.js';
import { zipfTextFile } from '../lib/zipf-text.js';

const RUNNER = fileURLToPath(new URL('../tools/word-count-run.js', import.meta.url));
const TEXT_BYTES = 64 * 2 ** 20;
const VOCABULARY = 100_000;
const SEED = 42;
const TIMEOUT_MS = 180_000;
const PLAIN = 'plain JS WordCount';

interface RunnerArgs {
  mode: 'strom' | 'plain';
  input: string;
  output: string;
  parallelism?: number;
}

interface RunnerResult {
  ms: number;
  words?: number;
  distinct?: number;
  durationMs?: number;
  tasks?: {
    name: string;
    numRecordsIn: number;
    numRecordsOut: number;
    backPressuredTimeMs: number;
    durationMs: number;
  }[];
}

/** The input of this run (scale changes its size) and the baseline's counts, once known. */
interface Input {
  path: string;
  bytes: number;
  reference?: { counts: Map<string, number>; words: number };
}
let input: Input | undefined;

function textFor(run: RunOptions): Input {
  const bytes = Math.max(2 ** 20, Math.round(TEXT_BYTES * run.scale));
  if (input?.bytes === bytes) return input;
  const path = zipfTextFile({ bytes, vocabulary: VOCABULARY, seed: SEED }, run.log);
  input = { path, bytes };
  return input;
}

/** Runs the runner in a fresh process; resolves with its JSON line and the process wall time. */
function runProcess(args: RunnerArgs): Promise<{ result: RunnerResult; processMs: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [RUNNER, JSON.stringify(args)],
      { timeout: TIMEOUT_MS, maxBuffer: 16 << 20, killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        const processMs = performance.now() - started;
        if (error) {
          reject(new Error(`${args.mode} run failed (${error.message.split('\n')[0]}): ${stderr.trim().slice(-2000)}`));
          return;
        }
        const last = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve({ result: JSON.parse(last) as RunnerResult, processMs });
        } catch {
          reject(new Error(`${args.mode} run printed no result: ${stdout.slice(-500)} ${stderr.slice(-500)}`));
        }
      },
    );
  });
}

/** Parses `(word,count)` lines of a file, or of every file of a directory (parallel sink). */
function readCounts(path: string): Map<string, number> {
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .sort()
        .map((f) => join(path, f))
    : [path];
  const counts = new Map<string, number>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const line = text.slice(start, end);
      start = end + 1;
      const comma = line.lastIndexOf(',');
      if (line[0] !== '(' || line[line.length - 1] !== ')' || comma < 0) throw new Error(`bad output line '${line}' in ${file}`);
      const word = line.slice(1, comma);
      const count = Number(line.slice(comma + 1, -1));
      if (counts.has(word)) throw new Error(`word '${word}' appears twice in the output (BATCH mode writes one line per word)`);
      counts.set(word, count);
    }
  }
  return counts;
}

/** A problem with `got` compared with the reference, or undefined. */
function compare(got: Map<string, number>, want: Map<string, number>): string | undefined {
  if (got.size !== want.size) return `${got.size} distinct words, the baseline has ${want.size}`;
  for (const [word, count] of want) {
    const c = got.get(word);
    if (c !== count) return `'${word}': ${c ?? 'missing'}, the baseline counts ${count}`;
  }
  return undefined;
}

function sumOf(counts: Map<string, number>): number {
  let n = 0;
  for (const c of counts.values()) n += c;
  return n;
}

/** Runs the baseline once more, untimed, if a strom entry runs before it (it never does in `npm run bench`). */
async function reference(text: Input): Promise<NonNullable<Input['reference']>> {
  if (text.reference) return text.reference;
  const dir = mkdtempSync(join(os.tmpdir(), 'strom-wc-'));
  try {
    const output = join(dir, 'out.txt');
    await runProcess({ mode: 'plain', input: text.path, output });
    const counts = readCounts(output);
    text.reference = { counts, words: sumOf(counts) };
    return text.reference;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function wordCountBenchmark(name: string, parallelism: number | undefined): BenchmarkDef {
  const plain = parallelism === undefined;
  return {
    name,
    kind: 'process',
    unit: 'bytes/s',
    baseline: plain ? undefined : PLAIN,
    method: plain
      ? 'Single-threaded JS in a fresh node process: 1 MiB readSync chunks cut at the last newline, split into lines, each line toLowerCase().split(/\\W+/) (empty dropped), counts in a Map, result written as (word,count) lines with one writeFileSync; wall time of that work, median of the repetitions; rate = input bytes/s'
      : `examples/word-count.js with execute() in a fresh node process, parallelism.default ${parallelism}, execution.runtime-mode BATCH, readTextFile -> writeAsText into a fresh temp dir; wall time of execute() (worker start-up included, node start-up not), median of the repetitions; rate = input bytes/s; every output checked word by word against the plain JS counts`,
    async run(run: RunOptions): Promise<Measurement> {
      const text = textFor(run);
      const ref = plain ? undefined : await reference(text);
      const bytesRates: number[] = [];
      const wordRates: number[] = [];
      const repetitions: Record<string, unknown>[] = [];
      let words = ref?.words ?? 0;
      let distinct = ref?.counts.size ?? 0;
      // The baseline varies more between processes (±15%: a Map of fresh strings is sensitive to
      // the per-process hash seed and to memory contention), so it gets two more repetitions.
      const repeats = plain ? run.repeats + 2 : run.repeats;
      for (let i = 0; i < repeats; i++) {
        const dir = mkdtempSync(join(os.tmpdir(), 'strom-wc-'));
        try {
          const output = join(dir, plain ? 'out.txt' : 'out');
          const { result, processMs } = await runProcess(
            plain ? { mode: 'plain', input: text.path, output } : { mode: 'strom', input: text.path, output, parallelism },
          );
          const counts = readCounts(output);
          if (plain) {
            const total = sumOf(counts);
            if (total !== result.words || counts.size !== result.distinct) {
              throw new Error(`baseline output has ${total} words / ${counts.size} distinct, it counted ${result.words} / ${result.distinct}`);
            }
            if (i === 0) text.reference = { counts, words: total };
            else {
              const problem = compare(counts, text.reference!.counts);
              if (problem) throw new Error(`baseline repetition ${i + 1} differs from the first: ${problem}`);
            }
            words = total;
            distinct = counts.size;
          } else {
            const problem = compare(counts, ref!.counts);
            if (problem) throw new Error(`repetition ${i + 1}: output differs from the plain JS WordCount: ${problem}`);
          }
          const seconds = result.ms / 1000;
          bytesRates.push(text.bytes / seconds);
          wordRates.push(words / seconds);
          repetitions.push({
            ms: round(result.ms),
            processMs: round(processMs),
            ...(result.tasks
              ? {
                  tasks: result.tasks.map((t) => ({
                    name: t.name,
                    durationMs: round(t.durationMs),
                    backPressuredTimeMs: round(t.backPressuredTimeMs),
                    recordsIn: t.numRecordsIn,
                    recordsOut: t.numRecordsOut,
                  })),
                }
              : {}),
          });
          run.log?.(`  ${name} #${i + 1}: ${formatRate(bytesRates[i]!, 'bytes/s')} (${result.ms.toFixed(0)} ms, process ${processMs.toFixed(0)} ms)`);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      return {
        samples: bytesRates,
        secondary: { unit: 'words/s', samples: wordRates },
        work: { bytes: text.bytes, words, distinctWords: distinct, repeats, medianMs: round(text.bytes / median(bytesRates) * 1000) },
        details: { input: text.path, parallelism: parallelism ?? 'plain', repetitions },
      };
    },
  };
}

const goals: Goal[] = [
  { name: 'WordCount p=2 >= 2x plain JS WordCount', benchmark: 'WordCount p=2', minRatio: 2 },
  { name: 'WordCount p=1 >= 0.8x plain JS WordCount', benchmark: 'WordCount p=1', minRatio: 0.8 },
];

export const suite: Suite = {
  name: 'word-count',
  benchmarks: [wordCountBenchmark(PLAIN, undefined), wordCountBenchmark('WordCount p=1', 1), wordCountBenchmark('WordCount p=2', 2)],
  goals,
};

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
