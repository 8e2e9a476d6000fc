/**
 * The DataStream operators end to end on real worker threads: chains, union, the partitioners
 * (which subtask got which record is read back from writeAsText's per-subtask files), keyed
 * aggregations on the native path (field keys on declared types) and the JS path (selector
 * functions, undeclared types) against plain JS references, ROW field-name keys, readTextFile
 * and fromSequence splits, print()'s output format, and operator chaining switched off.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execute, executeAndCollect, type JobExecutionResult } from '../../src/index.js';
import operators, { keyedInput } from '../fixtures/jobs/operators.js';

type Tuple3 = [string, number, number];

async function run<T>(params: Record<string, string>, config: Record<string, unknown> = {}): Promise<{ records: T[]; result: JobExecutionResult }> {
  const job = executeAndCollect<T>(operators, { params, config });
  const records: T[] = [];
  for await (const record of job) records.push(record);
  const result = await job.result;
  assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total, 'every network segment is back');
  return { records, result };
}

const byNumber = (a: number, b: number) => a - b;
const byKey = (a: readonly unknown[], b: readonly unknown[]) => (String(a[0]) < String(b[0]) ? -1 : String(a[0]) > String(b[0]) ? 1 : 0);
const sortedByKey = <T extends readonly unknown[]>(records: T[]): T[] => [...records].sort(byKey);

/** Lines of writeAsText's files `1..parallelism` under `dir` (each file's lines, in order). */
function readParts(dir: string, parallelism: number): string[][] {
  assert.deepEqual(
    readdirSync(dir).sort(),
    Array.from({ length: parallelism }, (_, i) => String(i + 1)).sort(),
  );
  return Array.from({ length: parallelism }, (_, i) => {
    const content = readFileSync(join(dir, String(i + 1)), 'utf8');
    return content === '' ? [] : content.slice(0, -1).split('\n');
  });
}

/** The keyed input of the fixture, grouped by key in arrival order. */
function groups(n: number, keys: number): Map<string, Tuple3[]> {
  const out = new Map<string, Tuple3[]>();
  for (const t of keyedInput(n, keys)) {
    let list = out.get(t[0]);
    if (!list) out.set(t[0], (list = []));
    list.push(t);
  }
  return out;
}

const N = 5000;
const KEYS = 37;
const BATCH2 = { 'execution.runtime-mode': 'BATCH', 'parallelism.default': 2 };

describe('chains and union', () => {
  const expectedChain: number[] = [];
  for (let x = 1; x <= N; x++) {
    const y = x * 3;
    if (y % 2 !== 0) continue;
    expectedChain.push(y);
    if (y % 4 === 0) expectedChain.push(-y);
  }
  expectedChain.sort(byNumber);

  it('map -> filter -> flatMap at parallelism 2 gives exactly the reference records', async () => {
    const { records, result } = await run<number>({ case: 'chain', n: String(N) }, { 'parallelism.default': 2 });
    assert.deepEqual(records.sort(byNumber), expectedChain);
    // Source, map, filter, flatMap and collect chain into one task per subtask.
    assert.equal(result.tasks.length, 2);
    assert.match(result.tasks[0]!.name, /^Source: Sequence Source -> Map -> Filter -> Flat Map -> Sink: Collect \(1\/2\)$/);
  });

  it('disableOperatorChaining gives the same records with one task per operator', async () => {
    const { records, result } = await run<number>({ case: 'chain', n: String(N) }, { 'parallelism.default': 2, 'pipeline.operator-chaining': false });
    assert.deepEqual(records.sort(byNumber), expectedChain);
    assert.equal(result.tasks.length, 5 * 2);
    for (const task of result.tasks) assert.doesNotMatch(task.name, / -> /);
  });

  it('union of three sources (one of them non-parallel) gives every record once', async () => {
    const { records } = await run<number>({ case: 'union', n: '3000' }, { 'parallelism.default': 2 });
    const expected: number[] = [];
    for (let i = 1; i <= 3000; i++) expected.push(i * 10, -i * 10, (3000 + i) * 10);
    assert.deepEqual(records.sort(byNumber), expected.sort(byNumber));
  });

  it('a two-input task reads each input from its own rings with its own serializer', async () => {
    // Input 1 (TUPLE(STRING, DOUBLE), 2 rings per subtask) must reach fn1 and input 2 (DOUBLE,
    // 1 ring) fn2: a ring read as the other input fails to deserialize or lands in the wrong function.
    const { records, result } = await run<string>({ case: 'connect', n: '2000' }, { 'parallelism.default': 2 });
    const expected: string[] = [];
    for (let i = 0; i < 2000; i++) expected.push(`a:w${i}:${i}`, `b:${i + 1}`);
    assert.deepEqual(records.sort(), expected.sort());
    const coMap = result.tasks.filter((t) => t.name.startsWith('Co-Map'));
    assert.equal(coMap.length, 2);
    assert.equal(coMap.reduce((n, t) => n + t.numRecordsIn, 0), 4000);
  });
});

describe('partitioning at parallelism 3 (file N = records of sink subtask N)', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'strom-operators-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const P3 = { 'parallelism.default': 3, 'taskmanager.numberOfTaskSlots': 3 };
  const all = (n: number, from = 0) => Array.from({ length: n }, (_, i) => String(i + from));

  it('rebalance: round robin, so the subtasks get n/3 each (±1) and every record once, in order per subtask', async () => {
    const output = join(dir, 'rebalance');
    await execute(operators, { params: { case: 'rebalance', n: '1000', output }, config: P3 });
    const parts = readParts(output, 3);
    assert.deepEqual(parts.map((p) => p.length).sort(byNumber), [333, 333, 334]);
    assert.deepEqual(parts.flat().map(Number).sort(byNumber), all(1000).map(Number));
    for (const part of parts) {
      // Round robin from one producer: consecutive records of a subtask are 3 apart.
      for (let i = 1; i < part.length; i++) assert.equal(Number(part[i]) - Number(part[i - 1]), 3);
    }
  });

  it('broadcast: each of the 3 consumers receives every record, in order', async () => {
    const output = join(dir, 'broadcast');
    await execute(operators, { params: { case: 'broadcast', n: '1000', output }, config: P3 });
    for (const part of readParts(output, 3)) assert.deepEqual(part, all(1000));
  });

  it('global: everything goes to subtask 1', async () => {
    const output = join(dir, 'global');
    await execute(operators, { params: { case: 'global', n: '1000', output }, config: P3 });
    const parts = readParts(output, 3);
    assert.deepEqual(parts[1], []);
    assert.deepEqual(parts[2], []);
    assert.deepEqual(parts[0]!.map(Number).sort(byNumber), all(1000, 1).map(Number));
  });

  it('forward: subtask i of the sink gets exactly sequence split i, in order', async () => {
    const output = join(dir, 'forward');
    await execute(operators, { params: { case: 'forward', n: '1000', output }, config: P3 });
    assert.deepEqual(readParts(output, 3), [all(334, 1), all(333, 335), all(333, 668)]);
  });

  it('fromSequence splits the range into contiguous parts, the first ones one longer; fewer numbers than subtasks leave the last empty', async () => {
    const output = join(dir, 'split-10');
    await execute(operators, { params: { case: 'sequence-split', from: '-3', to: '6', output }, config: P3 });
    assert.deepEqual(readParts(output, 3), [['-3', '-2', '-1', '0'], ['1', '2', '3'], ['4', '5', '6']]);
    const small = join(dir, 'split-2');
    await execute(operators, { params: { case: 'sequence-split', from: '7', to: '8', output: small }, config: P3 });
    assert.deepEqual(readParts(small, 3), [['7'], ['8'], []]);
  });

  it('readTextFile at parallelism 3 reads every line exactly once (LF and CRLF, unicode, empty lines, no final newline)', async () => {
    const input = join(dir, 'lines.txt');
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) lines.push(i % 101 === 0 ? '' : `line ${i} ${'äöü日本'.slice(0, i % 6)} ${'x'.repeat(i % 37)}`);
    let text = '';
    for (let i = 0; i < lines.length; i++) text += lines[i] + (i === lines.length - 1 ? '' : i % 3 === 0 ? '\r\n' : '\n');
    writeFileSync(input, text);
    const { records, result } = await run<string>({ case: 'read-text', output: input }, P3);
    assert.equal(records.length, lines.length);
    assert.deepEqual([...records].sort(), [...lines].sort());
    const sources = result.tasks.filter((t) => t.name.startsWith('Source:'));
    assert.equal(sources.length, 3);
    for (const s of sources) assert.ok(s.numRecordsIn > 0, `${s.name} read some lines`);
  });
});

describe('keyed aggregations (BATCH, parallelism 2): native field keys and JS selector keys agree with the reference', () => {
  const input = groups(N, KEYS);
  const params = (c: string) => ({ case: c, n: String(N), keys: String(KEYS) });
  const refSum = sortedByKey([...input].map(([k, list]): Tuple3 => [k, list.reduce((s, t) => s + t[1], 0), list[0]![2]]));

  for (const c of ['key-field-sum', 'key-selector-sum', 'key-field-generic-sum', 'reduce']) {
    it(`${c}: [key, sum, tag of the key's first record]`, async () => {
      const { records } = await run<Tuple3>(params(c), BATCH2);
      assert.deepEqual(sortedByKey(records), refSum);
    });
  }

  it('ROW type with field-name keys: keyBy("word").sum("count")', async () => {
    const { records } = await run<{ word: string; count: number }>(params('row-sum'), BATCH2);
    const rows = records.map((r) => [r.word, r.count] as [string, number]);
    assert.deepEqual(sortedByKey(rows), refSum.map(([k, s]) => [k, s]));
  });

  for (const c of ['count', 'count-selector']) {
    it(`${c}: [key, number of records]`, async () => {
      const { records } = await run<[string, number]>(params(c), BATCH2);
      assert.deepEqual(sortedByKey(records), sortedByKey([...input].map(([k, list]): [string, number] => [k, list.length])));
    });
  }

  for (const c of ['avg', 'avg-selector']) {
    it(`${c}: [key, mean]`, async () => {
      const { records } = await run<[string, number]>(params(c), BATCH2);
      const expected = sortedByKey([...input].map(([k, list]): [string, number] => [k, list.reduce((s, t) => s + t[1], 0) / list.length]));
      const actual = sortedByKey(records);
      assert.deepEqual(actual.map(([k]) => k), expected.map(([k]) => k));
      for (let i = 0; i < actual.length; i++) assert.ok(Math.abs(actual[i]![1] - expected[i]![1]) < 1e-9, `${actual[i]![0]}: ${actual[i]![1]} vs ${expected[i]![1]}`);
    });
  }

  it('min and max change only the field; the others come from the key\'s first record', async () => {
    const min = await run<Tuple3>(params('min'), BATCH2);
    const max = await run<Tuple3>(params('max'), BATCH2);
    assert.deepEqual(sortedByKey(min.records), sortedByKey([...input].map(([k, l]): Tuple3 => [k, Math.min(...l.map((t) => t[1])), l[0]![2]])));
    assert.deepEqual(sortedByKey(max.records), sortedByKey([...input].map(([k, l]): Tuple3 => [k, Math.max(...l.map((t) => t[1])), l[0]![2]])));
  });

  const firstExtreme = (list: Tuple3[], better: (a: number, b: number) => boolean) =>
    list.reduce((best, t) => (better(t[1], best[1]) ? t : best));
  for (const [c, better] of [
    ['minBy', (a: number, b: number) => a < b],
    ['minBy-selector', (a: number, b: number) => a < b],
    ['maxBy', (a: number, b: number) => a > b],
    ['maxBy-selector', (a: number, b: number) => a > b],
  ] as const) {
    it(`${c}: the whole record holding the extreme, the first one on ties`, async () => {
      const { records } = await run<Tuple3>(params(c), BATCH2);
      assert.deepEqual(sortedByKey(records), sortedByKey([...input].map(([, list]) => firstExtreme(list, better))));
    });
  }
});

describe('keyed aggregations in STREAMING (parallelism 2)', () => {
  it('field keys (native) and selector keys (JS) emit the same rolling sums per key, in order', async () => {
    const input = groups(N, KEYS);
    const perKey = (records: Tuple3[]) => {
      const out = new Map<string, number[]>();
      for (const [k, s] of records) {
        let list = out.get(k);
        if (!list) out.set(k, (list = []));
        list.push(s);
      }
      return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
    };
    const expected = new Map(
      [...input].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, list]) => {
        let sum = 0;
        return [k, list.map((t) => (sum += t[1]))];
      }),
    );
    const native = await run<Tuple3>({ case: 'key-field-sum', n: String(N), keys: String(KEYS) }, { 'parallelism.default': 2 });
    const js = await run<Tuple3>({ case: 'key-selector-sum', n: String(N), keys: String(KEYS) }, { 'parallelism.default': 2 });
    assert.deepEqual(perKey(native.records), expected);
    assert.deepEqual(perKey(js.records), expected);
  });

  it('disableOperatorChaining does not change keyed results', async () => {
    const chained = await run<Tuple3>({ case: 'key-field-sum', n: String(N), keys: String(KEYS) }, BATCH2);
    const unchained = await run<Tuple3>({ case: 'key-field-sum', n: String(N), keys: String(KEYS) }, { ...BATCH2, 'pipeline.operator-chaining': false });
    assert.deepEqual(sortedByKey(unchained.records), sortedByKey(chained.records));
  });
});

describe('print()', () => {
  const exec = promisify(execFile);
  const index = new URL('../../src/index.js', import.meta.url).href;
  const fixture = new URL('../fixtures/jobs/operators.js', import.meta.url).href;
  async function printed(parallelism: number, prefix?: string): Promise<string[]> {
    const params = JSON.stringify(prefix === undefined ? { case: 'print' } : { case: 'print', prefix });
    const script =
      `const { execute } = await import(${JSON.stringify(index)});` +
      `const { default: job } = await import(${JSON.stringify(fixture)});` +
      `await execute(job, { params: ${params}, config: { 'execution.runtime-mode': 'BATCH', 'parallelism.default': ${parallelism} } });`;
    const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('.', import.meta.url)) });
    return stdout.split('\n').filter((l) => l.length > 0).sort();
  }

  it('at parallelism 1 prints tuples as (word,n) without a subtask prefix', async () => {
    assert.deepEqual(await printed(1), ['(a,2)', '(b,1)', '(c,1)']);
  });

  it('at parallelism 2 prefixes "N> " (the 1-based sink subtask), and "prefix:N> " with a prefix', async () => {
    const plain = await printed(2);
    assert.equal(plain.length, 3);
    for (const line of plain) assert.match(line, /^[12]> \((a,2|b,1|c,1)\)$/);
    assert.deepEqual(plain.map((l) => l.slice(3)).sort(), ['(a,2)', '(b,1)', '(c,1)']);
    const prefixed = await printed(2, 'out');
    assert.equal(prefixed.length, 3);
    for (const line of prefixed) assert.match(line, /^out:[12]> \((a,2|b,1|c,1)\)$/);
    assert.deepEqual(prefixed.map((l) => l.slice('out:'.length + 3)).sort(), ['(a,2)', '(b,1)', '(c,1)']);
  });
});
