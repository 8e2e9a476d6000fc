/**
 * WordCount end to end on real worker threads, the real addon and real files: a generated
 * multi-megabyte text (seeded, Zipf-distributed words including unicode, punctuation, CRLF
 * lines, no final newline) counted with Flink's tokenizer must give exactly what a plain JS
 * count gives, in BATCH at every parallelism, in STREAMING as the rolling counts 1..n of every
 * word, and through the WordCount example writing text files.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execute, executeAndCollect } from '../../src/index.js';
import wordCountExample from '../../examples/word-count.js';
import wordCountCollect from '../fixtures/jobs/word-count-collect.js';
import { prng } from '../support/prng.js';

/** Words that exercise the tokenizer: unicode (split by \W), case, digits, underscores, apostrophes. */
const SPECIAL_WORDS = [
  'café', 'naïve', 'Straße', 'Ünïcödé', '日本語', 'emoji😀smile', 'İstanbul', '\u212Aelvin', 'ΣΊΣΥΦΟΣ',
  "don't", "nennt's", 'snake_case', 'route66', '42', 'MiXeD', 'UPPER', 'x', '_', 'o\u0301k',
];

/** About `bytes` of text: Zipf-ish words (rank r with weight 1/r), punctuation, LF and CRLF lines, no final newline. */
function generateText(bytes: number, seed: number): string {
  const random = prng(seed);
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const vocabulary = new Set<string>();
  while (vocabulary.size < 4000) {
    const length = 1 + Math.floor(random() * 9);
    let word = '';
    for (let i = 0; i < length; i++) word += letters[Math.floor(random() * letters.length)];
    vocabulary.add(word);
  }
  const words = [...vocabulary];
  // Spread the special words over the ranks so some are frequent and some rare.
  SPECIAL_WORDS.forEach((w, i) => words.splice(i * 97, 0, w));
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= words.length; r++) cumulative.push((total += 1 / r));
  const pick = (): string => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    const word = words[lo]!;
    const shape = random();
    return shape < 0.1 ? word.toUpperCase() : shape < 0.2 ? word[0]!.toUpperCase() + word.slice(1) : word;
  };
  const separators = [' ', ' ', ' ', ' ', ', ', '. ', '; ', ' -- ', '!? ', ' (', ') ', '\t', '"', ' ... '];
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    let line = '';
    const r = random();
    if (r > 0.03) {
      // 3% empty lines; otherwise 1 to 16 words.
      const n = 1 + Math.floor(random() * 16);
      if (random() < 0.1) line += separators[Math.floor(random() * separators.length)]!;
      for (let i = 0; i < n; i++) {
        if (i > 0) line += separators[Math.floor(random() * separators.length)]!;
        line += pick();
      }
      if (random() < 0.3) line += '.';
    }
    parts.push(line);
    parts.push(random() < 0.3 ? '\r\n' : '\n');
    size += Buffer.byteLength(line) + 2;
  }
  parts.pop(); // no final newline
  return parts.join('');
}

/** The reference: Flink's tokenizer in plain JS. */
function referenceCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of text.split(/\r?\n/)) {
    for (const token of line.toLowerCase().split(/\W+/)) if (token.length > 0) counts.set(token, (counts.get(token) ?? 0) + 1);
  }
  return counts;
}

async function collectAll<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of iterable) out.push(record);
  return out;
}

describe('WordCount on a generated text', () => {
  let dir: string;
  let input: string;
  let reference: Map<string, number>;
  let referenceSorted: [string, number][];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'strom-word-count-'));
    input = join(dir, 'input.txt');
    const text = generateText(3 * 1024 * 1024, 20261124);
    writeFileSync(input, text);
    reference = referenceCounts(text);
    referenceSorted = [...reference].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    // The text really has what it should exercise.
    assert.ok(text.includes('\r\n') && !text.endsWith('\n'));
    assert.ok(reference.has('caf') && reference.has('stra') && reference.has('kelvin') && reference.has('nennt'));
    assert.ok(reference.size > 3000);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const batchResults = new Map<number, [string, number][]>();
  for (const parallelism of [1, 2, 3, 4]) {
    it(`BATCH at parallelism ${parallelism}: one final (word, count) per word, equal to the reference`, async () => {
      const job = executeAndCollect<[string, number]>(wordCountCollect, {
        params: { input },
        config: { 'execution.runtime-mode': 'BATCH', 'parallelism.default': parallelism, 'taskmanager.numberOfTaskSlots': parallelism },
      });
      const records = await collectAll(job);
      const result = await job.result;
      assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
      const sorted = records.map(([w, c]): [string, number] => [w, c]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      // BATCH emits each word once: no duplicates, so the sorted list equals the reference's.
      assert.equal(sorted.length, reference.size);
      assert.deepEqual(sorted, referenceSorted);
      batchResults.set(parallelism, sorted);
      // The source read every byte once, split over the subtasks.
      const sources = result.tasks.filter((t) => t.name.startsWith('Source:'));
      assert.equal(sources.length, parallelism);
    });
  }

  it('BATCH results are identical across parallelisms 1 to 4', () => {
    assert.equal(batchResults.size, 4, 'the BATCH runs above must have passed');
    for (const p of [2, 3, 4]) assert.deepEqual(batchResults.get(p), batchResults.get(1));
  });

  it('STREAMING at parallelism 2: every word gets (word,1), (word,2), ..., (word,n) in order', async () => {
    const job = executeAndCollect<[string, number]>(wordCountCollect, {
      params: { input },
      config: { 'execution.runtime-mode': 'STREAMING', 'parallelism.default': 2 },
    });
    const last = new Map<string, number>();
    let records = 0;
    for await (const [word, count] of job) {
      records++;
      const previous = last.get(word) ?? 0;
      if (count !== previous + 1) assert.fail(`word '${word}': got count ${count} after ${previous}`);
      last.set(word, count);
    }
    const result = await job.result;
    assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
    let tokens = 0;
    for (const n of reference.values()) tokens += n;
    assert.equal(records, tokens);
    assert.deepEqual(new Map([...last].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), new Map(referenceSorted));
  });

  it('examples/word-count.ts at parallelism 2 writes files 1 and 2 whose final counts equal the reference', async () => {
    const output = join(dir, 'counts');
    const result = await execute(wordCountExample, { params: { input, output }, config: { 'parallelism.default': 2 } });
    assert.equal(result.jobName, 'WordCount');
    assert.equal(result.networkSegments.availableAtEnd, result.networkSegments.total);
    assert.deepEqual(readdirSync(output).sort(), ['1', '2']);
    const finals = new Map<string, number>();
    const fileOf = new Map<string, string>();
    let lines = 0;
    for (const file of ['1', '2']) {
      const content = readFileSync(join(output, file), 'utf8');
      assert.ok(content.length > 0, `file ${file} is not empty`);
      assert.ok(content.endsWith('\n'));
      for (const line of content.slice(0, -1).split('\n')) {
        lines++;
        const match = /^\((\w+),(\d+)\)$/.exec(line);
        if (!match) assert.fail(`unexpected line in file ${file}: ${JSON.stringify(line)}`);
        const word = match[1]!;
        const count = Number(match[2]);
        // Keyed: a word's counts all come from one subtask, so one file.
        const seenIn = fileOf.get(word);
        if (seenIn !== undefined && seenIn !== file) assert.fail(`word '${word}' in files ${seenIn} and ${file}`);
        fileOf.set(word, file);
        finals.set(word, Math.max(finals.get(word) ?? 0, count));
      }
    }
    let tokens = 0;
    for (const n of reference.values()) tokens += n;
    assert.equal(lines, tokens, 'STREAMING writes one line per token');
    assert.deepEqual(new Map([...finals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), new Map(referenceSorted));
  });
});
