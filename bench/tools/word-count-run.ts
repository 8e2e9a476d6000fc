/**
 * One WordCount run in this (fresh) process, for `suites/word-count.ts`; prints one JSON line
 * `{ ms, ... }` on stdout. `ms` is the wall time of the job itself (read, count, write), without
 * Node's start-up and module loading, the same for both modes.
 *
 *   node dist/bench/tools/word-count-run.js '{"mode":"strom","input":"/tmp/x.txt","output":"/tmp/out","parallelism":2}'
 *   node dist/bench/tools/word-count-run.js '{"mode":"plain","input":"/tmp/x.txt","output":"/tmp/out.txt"}'
 *
 * `strom`: examples/word-count.js through `execute()` with `parallelism.default` and BATCH mode
 * (task-slot worker threads included in the time). `plain`: single-threaded JS with the same
 * tokenizer and output format (see `plainWordCount`). Also usable under `node --cpu-prof`.
 */
import { closeSync, openSync, readSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

interface Args {
  mode: 'strom' | 'plain';
  input: string;
  output: string;
  parallelism?: number;
  /** Extra configuration for the strom job (Flink keys). */
  config?: Record<string, unknown>;
  /** strom: publish task metrics to shared memory (default true, as execute()). */
  metrics?: boolean;
}

const CHUNK = 1 << 20;

/**
 * The baseline: the file is read in 1 MiB chunks (`readSync` into one reused buffer), each
 * chunk cut after its last `\n` (the rest carried into the next chunk), decoded as UTF-8 and
 * split into lines; each line is tokenized exactly as the example does (`toLowerCase()`,
 * `split(/\W+/)`, empty tokens dropped), counted in a `Map`, and the counts are written as
 * `(word,count)` lines with one `writeFileSync`. Of the variants measured (whole file as one
 * string, split per line or as a whole; 64 KiB..4 MiB chunks, split per chunk or per line)
 * this and the whole-file per-line split were the fastest (within noise); this one streams.
 */
function plainWordCount(input: string, output: string): { words: number; distinct: number } {
  const counts = new Map<string, number>();
  const fd = openSync(input, 'r');
  const buf = Buffer.allocUnsafe(CHUNK);
  let carry = 0;
  let words = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, carry, CHUNK - carry, null);
      const end = carry + n;
      if (end === 0) break;
      // Cut after the last newline (or take everything at the end of the file).
      let cut = n === 0 ? end : buf.lastIndexOf(0x0a, end - 1) + 1;
      if (cut === 0) cut = end; // a line longer than the chunk: tokens may be split (not in our data)
      const lines = buf.toString('utf8', 0, cut).split('\n');
      for (let l = 0; l < lines.length; l++) {
        const tokens = lines[l]!.toLowerCase().split(/\W+/);
        for (let i = 0; i < tokens.length; i++) {
          const t = tokens[i]!;
          if (t.length === 0) continue;
          counts.set(t, (counts.get(t) ?? 0) + 1);
          words++;
        }
      }
      carry = end - cut;
      buf.copy(buf, 0, cut, end);
      if (n === 0 && carry === 0) break;
    }
  } finally {
    closeSync(fd);
  }
  let text = '';
  for (const [word, count] of counts) text += `(${word},${count})\n`;
  writeFileSync(output, text);
  return { words, distinct: counts.size };
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as Args;
  if (args.mode === 'plain') {
    const t0 = performance.now();
    const r = plainWordCount(args.input, args.output);
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ ms, ...r }));
    return;
  }
  if (args.mode !== 'strom') throw new Error(`unknown mode ${String(args.mode)}`);
  const { execute } = await import('../../src/index.js');
  const jobUrl = new URL('../../examples/word-count.js', import.meta.url);
  const { default: job } = await import(jobUrl.href);
  const t0 = performance.now();
  const result = await execute(job, {
    module: jobUrl,
    params: { input: args.input, output: args.output },
    config: { 'parallelism.default': args.parallelism ?? 1, 'execution.runtime-mode': 'BATCH', ...args.config },
    metrics: args.metrics ?? true,
  });
  const ms = performance.now() - t0;
  console.log(
    JSON.stringify({
      ms,
      durationMs: result.durationMs,
      slots: result.slots,
      networkSegments: result.networkSegments,
      tasks: result.tasks,
      metrics: result.metrics !== undefined,
    }),
  );
}

await main();
