import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { SourceError } from '../../../src/errors.js';
import { createSourceReader, SourceStatus, type SourceReaderOptions } from '../../../src/runtime/sources/source-reader.js';
import { textFileSplit } from '../../../src/runtime/sources/text-file-source-reader.js';
import { drainSync } from './drain.js';

let dir: string;
let fileCounter = 0;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'strom-text-source-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeTemp(content: string | Buffer): string {
  const path = join(dir, `input-${fileCounter++}.txt`);
  writeFileSync(path, content);
  return path;
}

/** Every subtask's lines, in subtask order. */
function readAll(path: string, parallelism: number, options: SourceReaderOptions = {}, max = 7): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < parallelism; i++) {
    const reader = createSourceReader({ kind: 'textFile', path }, { subtaskIndex: i, parallelism }, options);
    out.push(drainSync(reader, max) as string[]);
    reader.close();
  }
  return out;
}

function readFlat(path: string, parallelism: number, options: SourceReaderOptions = {}, max = 7): string[] {
  return readAll(path, parallelism, options, max).flat();
}

describe('textFileSplit', () => {
  it('partitions [0, size) into contiguous ranges as even as possible', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), fc.integer({ min: 1, max: 64 }), (size, p) => {
        let expected = 0;
        for (let i = 0; i < p; i++) {
          const { start, end } = textFileSplit(size, i, p);
          assert.equal(start, expected);
          assert.ok(end >= start);
          assert.ok(end - start <= Math.ceil(size / p) && end - start >= Math.floor(size / p));
          expected = end;
        }
        assert.equal(expected, size);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

describe('TextFileSourceReader', () => {
  it('reads every line exactly once, in order, for random files, parallelism and chunk sizes', () => {
    const content = fc
      .oneof(
        { weight: 3, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
        { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
        { weight: 2, arbitrary: fc.constantFrom('', '€', '😀', 'é', 'a😀b€c', '\u{10FFFF}', ' ') },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('x', '€', '😀', 'ab'), fc.integer({ min: 50, max: 400 })).map(([s, n]) => s.repeat(n)) },
      )
      // Lines hold no '\n' nor a trailing '\r'; lone surrogates become U+FFFD as UTF-8 writes them.
      .map((s) => Buffer.from(s.replace(/[\r\n]/g, '_'), 'utf8').toString('utf8'));
    const line = fc.tuple(content, fc.constantFrom('\n', '\r\n'));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 25 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 8 }),
        fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 17, max: 4096 })),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 9 }),
        (lines, finalNewline, parallelism, chunkSize, maxReadsPerPoll, max) => {
          let text = '';
          lines.forEach(([l, terminator], i) => {
            text += l;
            if (i < lines.length - 1 || finalNewline) text += terminator;
          });
          const expected = lines.map(([l]) => l);
          // Without a final newline an empty last line leaves no trace in the file.
          if (!finalNewline && expected.length > 0 && expected[expected.length - 1] === '') expected.pop();
          const path = writeTemp(text);
          const perSubtask = readAll(path, parallelism, { chunkSize, maxReadsPerPoll }, max);
          assert.deepEqual(perSubtask.flat(), expected);
          rmSync(path);
        },
      ),
      { seed: 20240611, numRuns: 300 },
    );
  });

  it('follows the line rules: final newline, empty lines, CRLF, no final newline', () => {
    const cases: Array<[string, string[]]> = [
      ['', []],
      ['\n', ['']],
      ['\n\n', ['', '']],
      ['a', ['a']],
      ['a\n', ['a']],
      ['a\n\nb', ['a', '', 'b']],
      ['a\r\nb\r\n', ['a', 'b']],
      ['a\r\n\r\nb', ['a', '', 'b']],
      ['a\rb\n', ['a\rb']],
      ['last\r', ['last']],
    ];
    for (const [text, expected] of cases) {
      const path = writeTemp(text);
      for (let p = 1; p <= 6; p++) {
        for (const chunkSize of [1, 2, 3, 64]) {
          assert.deepEqual(readFlat(path, p, { chunkSize }), expected, `${JSON.stringify(text)} p=${p} chunk=${chunkSize}`);
        }
      }
    }
  });

  it('gives a line starting exactly at a split start to that split', () => {
    // size 8, p = 2: subtask 1 owns [4, 8); "abc\n" ends at byte 3, so "efg" starts at 4.
    const path = writeTemp('abc\nefg\n');
    assert.deepEqual(readAll(path, 2), [['abc'], ['efg']]);
    // size 9: subtask 1 owns [4, 9) (floor(9/2) = 4), still starting at "efg".
    assert.deepEqual(readAll(writeTemp('abc\nefgh\n'), 2), [['abc'], ['efgh']]);
    // size 9, p = 3: ranges [0,3), [3,6), [6,9) start exactly on the line starts 0, 3 and 6.
    assert.deepEqual(readAll(writeTemp('ab\ncd\nef\n'), 3), [['ab'], ['cd'], ['ef']]);
  });

  it('handles more subtasks than lines', () => {
    const path = writeTemp('only\n');
    const parts = readAll(path, 8, { chunkSize: 2 });
    assert.deepEqual(parts.flat(), ['only']);
    assert.equal(parts.filter((p) => p.length > 0).length, 1);
  });

  it('reads 1 MiB lines with 64 KiB chunks, each exactly once', () => {
    const big = (c: string) => c.repeat(1024 * 1024);
    const lines = [big('a'), 'short', big('€').slice(0, 400_000), '', big('b'), '😀'.repeat(300_000)];
    const path = writeTemp(lines.join('\r\n'));
    for (const p of [1, 2, 3, 5, 8]) {
      assert.deepEqual(readFlat(path, p, { chunkSize: 64 * 1024 }, 4), lines, `p=${p}`);
    }
  });

  it('never cuts a multi-byte character at a split point or a chunk boundary', () => {
    const lines = ['€€€', '😀😀', 'aé😀€b', '\u{10FFFF}'];
    const path = writeTemp(`${lines.join('\n')}\n`);
    for (let p = 1; p <= 8; p++) {
      for (let chunkSize = 1; chunkSize <= 7; chunkSize++) {
        assert.deepEqual(readFlat(path, p, { chunkSize, maxReadsPerPoll: 1 }, 1), lines);
      }
    }
  });

  it('bounds the work of one poll and reports progress', () => {
    const path = writeTemp(`${'x'.repeat(100)}\nyy\n`);
    const reader = createSourceReader({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1 }, { chunkSize: 10, maxReadsPerPoll: 2 });
    assert.equal(reader.totalBytes, undefined);
    const got: unknown[] = [];
    assert.equal(reader.poll(100, (r) => got.push(r)), SourceStatus.MORE);
    assert.equal(got.length, 0);
    assert.equal(reader.bytesRead, 20);
    assert.equal(reader.totalBytes, 104);
    assert.deepEqual(drainSync(reader), ['x'.repeat(100), 'yy']);
    assert.equal(reader.bytesRead, 104);
    assert.equal(reader.poll(10, () => assert.fail('no record after END')), SourceStatus.END);
    reader.close();
    reader.close();
  });

  it('splits progress totals so they add up to the file size', () => {
    const path = writeTemp('one\ntwo\nthree\nfour\nfive\n');
    let total = 0;
    for (let i = 0; i < 3; i++) {
      const reader = createSourceReader({ kind: 'textFile', path }, { subtaskIndex: i, parallelism: 3 });
      drainSync(reader);
      assert.equal(reader.bytesRead, reader.totalBytes);
      total += reader.totalBytes!;
    }
    assert.equal(total, 24);
  });

  it('fails with ERR_SOURCE_FILE naming the path when the file is missing', () => {
    const path = join(dir, 'does-not-exist.txt');
    const reader = createSourceReader({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1 });
    assert.throws(
      () => reader.poll(1, () => {}),
      (e: unknown) => e instanceof SourceError && e.code === 'ERR_SOURCE_FILE' && e.message.includes(path) && e.message.includes('ENOENT'),
    );
  });

  it('fails with ERR_SOURCE_FILE when the path is a directory', () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    const reader = createSourceReader({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1 });
    assert.throws(
      () => reader.poll(1, () => {}),
      (e: unknown) => e instanceof SourceError && e.code === 'ERR_SOURCE_FILE' && e.message.includes(path) && e.message.includes('directory'),
    );
  });

  it('fails with ERR_SOURCE_FILE when the file is not readable', { skip: process.getuid?.() === 0 ? 'root reads any file' : false }, () => {
    const path = writeTemp('secret\n');
    chmodSync(path, 0o000);
    const reader = createSourceReader({ kind: 'textFile', path }, { subtaskIndex: 0, parallelism: 1 });
    assert.throws(
      () => reader.poll(1, () => {}),
      (e: unknown) => e instanceof SourceError && e.code === 'ERR_SOURCE_FILE' && e.message.includes(path) && e.message.includes('EACCES'),
    );
  });

  it('opens nothing before the first poll, and close() before it ends the reader', () => {
    const reader = createSourceReader({ kind: 'textFile', path: join(dir, 'missing') }, { subtaskIndex: 0, parallelism: 1 });
    reader.close();
    assert.equal(reader.poll(1, () => {}), SourceStatus.END);
  });
});
