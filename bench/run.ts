/**
 * Benchmark runner: `npm run bench [-- options]`.
 *
 * Discovers every suite in `bench/suites/` (each file exports `suite: Suite`), runs the
 * selected benchmarks plus the baselines they are compared with, prints a table and the goal
 * checks, and writes `bench/results/latest.json` and a timestamped copy.
 *
 * Options:
 *   --filter <text>   run benchmarks whose name (or suite name) contains <text> (case-insensitive;
 *                     repeatable, comma-separated, or /regex/); their baselines always run too
 *   --list            list suites and benchmarks, run nothing
 *   --repeats <n>     repetitions per benchmark, median reported (default 3)
 *   --scale <x>       multiply the fixed work of every benchmark (default 1)
 *   --quick           same as --scale 0.1 --repeats 1: a smoke run, figures not comparable
 *   --no-save         do not write JSON results
 *   --quiet           no per-repetition progress lines
 *   --help            the options
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatRate, formatRatio, table } from './lib/format.js';
import { startNoiseProbe } from './lib/noise.js';
import { median } from './lib/thread-scenario.js';
import type { BenchmarkDef, BenchResult, Goal, GoalResult, Suite } from './lib/types.js';

const SUITES_DIR = new URL('./suites/', import.meta.url);
/** Results live in the source tree (gitignored), not in dist/. */
const RESULTS_DIR = new URL('../../bench/results/', import.meta.url);
const SCHEMA_VERSION = 1;
/** Foreign CPU load (cores) from which an entry is flagged as noisy. */
const NOISY_CPU = 0.25;

/** `±12%`: half the range of the samples relative to their median. */
function spread(samples: number[]): string {
  if (samples.length < 2) return '';
  const m = median(samples);
  return `±${(((Math.max(...samples) - Math.min(...samples)) / 2 / m) * 100).toFixed(0)}%`;
}

interface Selected {
  suite: string;
  def: BenchmarkDef;
}

async function loadSuites(): Promise<Suite[]> {
  const files = readdirSync(SUITES_DIR)
    .filter((f) => f.endsWith('.js'))
    .sort();
  const suites: Suite[] = [];
  const names = new Set<string>();
  for (const file of files) {
    const mod = (await import(new URL(file, SUITES_DIR).href)) as { suite?: Suite };
    const suite = mod.suite;
    if (!suite || !Array.isArray(suite.benchmarks)) throw new Error(`bench/suites/${file} does not export a suite`);
    for (const b of suite.benchmarks) {
      if (names.has(b.name)) throw new Error(`duplicate benchmark name '${b.name}' (in suite ${suite.name})`);
      names.add(b.name);
    }
    suites.push(suite);
  }
  for (const suite of suites) {
    for (const b of suite.benchmarks) {
      if (b.baseline !== undefined && !names.has(b.baseline)) {
        throw new Error(`benchmark '${b.name}' names an unknown baseline '${b.baseline}'`);
      }
    }
  }
  return suites;
}

function matcher(filters: string[]): (name: string) => boolean {
  if (filters.length === 0) return () => true;
  const tests = filters.map((f) => {
    const re = /^\/(.*)\/([a-z]*)$/.exec(f);
    if (re) {
      const regex = new RegExp(re[1]!, re[2]!.includes('i') ? re[2] : `${re[2]}i`);
      return (name: string) => regex.test(name);
    }
    const needle = f.toLowerCase();
    return (name: string) => name.toLowerCase().includes(needle);
  });
  return (name) => tests.some((t) => t(name));
}

/** The matching benchmarks and, transitively, their baselines, in suite/declaration order. */
function select(suites: Suite[], matches: (name: string) => boolean): Selected[] {
  const all = suites.flatMap((s) => s.benchmarks.map((def) => ({ suite: s.name, def })));
  const byName = new Map(all.map((x) => [x.def.name, x]));
  const wanted = new Set<string>();
  const add = (name: string): void => {
    if (wanted.has(name)) return;
    wanted.add(name);
    const baseline = byName.get(name)!.def.baseline;
    if (baseline !== undefined) add(baseline);
  };
  for (const x of all) if (matches(x.def.name) || matches(x.suite)) add(x.def.name);
  return all.filter((x) => wanted.has(x.def.name));
}

function environment(): Record<string, unknown> {
  const cpus = os.cpus();
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    commit = undefined;
  }
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${os.release()}`,
    arch: process.arch,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model,
    totalMemoryMiB: Math.round(os.totalmem() / 2 ** 20),
    loadAverage: os.loadavg().map((x) => Math.round(x * 100) / 100),
    commit,
  };
}

const OPTIONS = {
  filter: { type: 'string', multiple: true },
  list: { type: 'boolean' },
  repeats: { type: 'string' },
  scale: { type: 'string' },
  quick: { type: 'boolean' },
  'no-save': { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** The options, as the module comment lists them. */
const USAGE = `usage: npm run bench [-- options]
  --filter <text>   benchmarks whose name (or suite name) contains <text> (repeatable, comma-separated, or /regex/)
  --list            list suites and benchmarks, run nothing
  --repeats <n>     repetitions per benchmark, median reported (default 3)
  --scale <x>       multiply the fixed work of every benchmark (default 1)
  --quick           same as --scale 0.1 --repeats 1: a smoke run, figures not comparable
  --no-save         do not write JSON results
  --quiet           no per-repetition progress lines
  --help            this text`;

/** A bad option: reported as one line and the usage, exit code 2, no stack trace. */
class UsageError extends Error {}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ options: OPTIONS });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const suites = await loadSuites();
  if (values.list) {
    for (const s of suites) {
      console.log(`${s.name}`);
      for (const b of s.benchmarks) console.log(`  ${b.name} [${b.kind}, ${b.unit}]${b.baseline ? ` vs ${b.baseline}` : ''}`);
    }
    return 0;
  }
  const repeats = values.quick ? 1 : Number(values.repeats ?? 3);
  const scale = values.quick ? 0.1 : Number(values.scale ?? 1);
  if (!Number.isInteger(repeats) || repeats < 1) throw new UsageError(`--repeats must be a positive integer, got ${values.repeats}`);
  if (!(scale > 0)) throw new UsageError(`--scale must be > 0, got ${values.scale}`);
  const filters = (values.filter ?? []).flatMap((f) => (f.startsWith('/') ? [f] : f.split(','))).map((f) => f.trim()).filter(Boolean);
  const selected = select(suites, matcher(filters));
  if (selected.length === 0) {
    console.error(`no benchmark matches ${filters.map((f) => `'${f}'`).join(', ')}; try --list`);
    return 2;
  }

  const startedAt = new Date();
  const env = environment();
  const log = values.quiet ? undefined : (line: string) => console.log(line);
  console.log(`strom benchmarks: ${selected.length} selected, repeats ${repeats}, scale ${scale}, ${env.cpus} CPUs, load ${(env.loadAverage as number[]).join(' ')}`);

  const results: BenchResult[] = [];
  for (const { suite, def } of selected) {
    log?.(`${def.name} ...`);
    const base = {
      name: def.name,
      suite,
      kind: def.kind,
      unit: def.unit,
      baseline: def.baseline ?? null,
      ratio: null,
      method: def.method,
    };
    const probe = startNoiseProbe();
    try {
      const m = await def.run({ repeats, scale, log });
      const rate = median(m.samples);
      const foreignCpu = probe.stop();
      results.push({
        ...base,
        rate,
        secondary: m.secondary ? { rate: median(m.secondary.samples), unit: m.secondary.unit } : undefined,
        samples: m.samples,
        foreignCpu,
        work: m.work,
        details: m.details,
      });
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      console.error(`  FAILED: ${error}`);
      results.push({ ...base, rate: null, samples: [], foreignCpu: probe.stop(), error });
    }
  }
  const byName = new Map(results.map((r) => [r.name, r]));
  for (const r of results) {
    const b = r.baseline === null ? undefined : byName.get(r.baseline);
    if (r.rate !== null && b?.rate) r.ratio = r.rate / b.rate;
  }
  const goals: GoalResult[] = suites
    .flatMap((s) => s.goals ?? [])
    .filter((g: Goal) => byName.has(g.benchmark))
    .map((g: Goal): GoalResult => {
      const r = byName.get(g.benchmark)!;
      if (g.maxValue !== undefined) {
        const status = r.rate === null ? 'N/A' : r.rate <= g.maxValue ? 'PASS' : 'MISS';
        return { name: g.name, benchmark: g.benchmark, baseline: r.baseline, ratio: r.ratio, maxValue: g.maxValue, value: r.rate, status };
      }
      const minRatio = g.minRatio ?? 1;
      const status = r.ratio === null ? 'N/A' : r.ratio >= minRatio ? 'PASS' : 'MISS';
      return { name: g.name, benchmark: g.benchmark, baseline: r.baseline, minRatio, ratio: r.ratio, status };
    });

  console.log('');
  console.log(
    table(
      ['benchmark', 'rate', 'also', 'baseline', 'ratio', 'spread', 'other load'],
      results.map((r) => [
        r.name,
        r.error ? 'FAILED' : formatRate(r.rate, r.unit),
        r.secondary ? formatRate(r.secondary.rate, r.secondary.unit) : '',
        r.baseline ?? '',
        formatRatio(r.ratio),
        spread(r.samples),
        r.foreignCpu == null ? '?' : `${r.foreignCpu.toFixed(2)} cpu${r.foreignCpu >= NOISY_CPU ? ' (noisy)' : ''}`,
      ]),
    ),
  );
  if (goals.length > 0) console.log('');
  for (const g of goals) {
    if (g.maxValue !== undefined) {
      const unit = byName.get(g.benchmark)!.unit;
      const got = g.value == null ? 'no figure' : formatRate(g.value, unit);
      console.log(`${g.status.padEnd(4)}  ${g.name}: ${got} (goal <= ${formatRate(g.maxValue, unit)})`);
      continue;
    }
    if (g.minRatio === undefined) continue;
    const need = g.minRatio >= 1 ? `${g.minRatio}x` : `${(g.minRatio * 100).toFixed(0)}%`;
    const got = g.ratio === null ? 'no figure' : g.minRatio >= 1 ? formatRatio(g.ratio) : `${(g.ratio * 100).toFixed(1)}%`;
    console.log(`${g.status.padEnd(4)}  ${g.name}: ${got} (goal ${need})`);
  }

  if (!values['no-save']) {
    const report = {
      schema: SCHEMA_VERSION,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      environment: env,
      options: { filters, repeats, scale },
      results,
      goals,
    };
    const dir = fileURLToPath(RESULTS_DIR);
    mkdirSync(dir, { recursive: true });
    const json = `${JSON.stringify(report, null, 2)}\n`;
    const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
    writeFileSync(new URL('latest.json', RESULTS_DIR), json);
    writeFileSync(new URL(`${stamp}.json`, RESULTS_DIR), json);
    console.log(`\nresults: bench/results/latest.json, bench/results/${stamp}.json`);
  }
  return results.some((r) => r.error) ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`bench: ${error.message}\n${USAGE}`);
  process.exitCode = 2;
}
