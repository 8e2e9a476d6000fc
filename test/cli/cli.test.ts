import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../../examples/word-count.js', import.meta.url));
const PHYSICAL = fileURLToPath(new URL('../fixtures/jobs/physical.js', import.meta.url));

async function strom(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('strom wordcount with no arguments counts the embedded text and prints the top words', async () => {
  const { code, stdout } = await strom('wordcount');
  assert.equal(code, 0);
  assert.match(stdout, /^Top words \(embedded text\):/);
  assert.match(stdout, /^ {2}the +22$/m);
  assert.match(stdout, /287 words, 170 distinct/);
});

test('strom run executes a job module with job parameters and -p', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'strom-cli-'));
  try {
    const out = join(dir, 'counts');
    const { code } = await strom('run', EXAMPLE, '-p', '2', '-D', 'execution.runtime-mode=batch', '--', '--output', out);
    assert.equal(code, 0);
    assert.deepEqual(readdirSync(out).sort(), ['1', '2']);
    const lines = readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').trim().split('\n'));
    assert.ok(lines.includes('(the,22)'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a bad configuration key exits with code 2 and names the nearest key', async () => {
  const { code, stderr } = await strom('wordcount', '-D', 'parallelism.defualt=2');
  assert.equal(code, 2);
  assert.match(stderr, /Unknown configuration key 'parallelism\.defualt'.*did you mean 'parallelism\.default'\?/);
});

test('strom explain prints the plan without running the job', async () => {
  const { code, stdout } = await strom('explain', EXAMPLE, '-p', '2');
  assert.equal(code, 0);
  assert.match(stdout, /Task 2: Counter -> Sink: Print to Std\. Out \[keyed\]/);
  assert.match(stdout, /key groups 64-127/);
});

test('strom explain shows the physical choices: native or js aggregation, combiners, serializers, inputs', async () => {
  const batch = await strom('explain', PHYSICAL, '-D', 'execution.runtime-mode=batch');
  assert.equal(batch.code, 0, batch.stderr);
  const has = (text: string, line: RegExp) => assert.match(text, line, text);
  has(batch.stdout, /^ {2}operator #\d+: Native Sum \[native, sum\(1\)\], input TUPLE\(STRING, DOUBLE\)$/m);
  has(batch.stdout, /^ {2}operator #\d+: Native Count \[native, count\(\)\]/m);
  has(batch.stdout, /^ {2}operator #\d+: Selector Sum \[js, sum\(1\)\]/m);
  has(batch.stdout, /^ {2}operator #\d+: Generic Max \[js, max\(1\)\], input GENERIC$/m);
  has(batch.stdout, /^ {2}operator #\d+: Reduce \[js, reduce\]/m);
  has(batch.stdout, /output: HASH\(fields 0\) to Task \d+ \(Native Sum -> Sink: Print to Std\. Out\), .*, serializer TUPLE\(STRING, DOUBLE\), combiner \[native, sum\(1\)\]$/m);
  has(batch.stdout, /output: HASH\(fields 0\) to Task \d+ \(Native Count -> Sink: Print to Std\. Out\), .*, serializer TUPLE\(STRING, DOUBLE\)$/m);
  has(batch.stdout, /input: FORWARD from Task \d+ \(Source: Numbers\), .*, serializer DOUBLE, input 2$/m);
  has(batch.stdout, /input: FORWARD from Task \d+ \(Source: Typed -> Typed\), .*, serializer TUPLE\(STRING, DOUBLE\), input 1$/m);
  assert.equal(batch.stdout.match(/combiner/g)?.length, 1, 'one combiner: only the keyed edge into the native sum');
  const streaming = await strom('explain', PHYSICAL);
  assert.equal(streaming.code, 0, streaming.stderr);
  assert.doesNotMatch(streaming.stdout, /combiner/, 'STREAMING emits every update: no combiner');
  has(streaming.stdout, /Native Sum \[native, sum\(1\)\]/);
});
