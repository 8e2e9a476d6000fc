/**
 * Every source reader stops a poll between records as soon as the task's output is blocked
 * (`output.blocked` set by a writer that could not take a record), and resumes where it stopped:
 * what waits for a back-pressured output stays bounded by the output of one record.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SourceSpec } from '../../../src/graph/stream-graph.js';
import { createSourceReader, SourceStatus, type SourceReader } from '../../../src/runtime/sources/source-reader.js';
import { tempDirs } from '../../support/temp-dirs.js';

/** Polls with a budget of 100 records, blocking the output at the `blockAt`-th record of each poll; returns all records. */
async function pollBlocked(reader: SourceReader<unknown>, blockAt: number): Promise<unknown[]> {
  const output = { blocked: 0 };
  const records: unknown[] = [];
  for (let polls = 0; ; polls++) {
    assert.ok(polls < 1000, 'the reader never ended');
    output.blocked = 0;
    let inPoll = 0;
    const status = reader.poll(
      100,
      (record) => {
        assert.equal(output.blocked, 0, 'a record came after the output was blocked');
        records.push(record);
        if (++inPoll === blockAt) output.blocked = 1; // what a writer whose channel ran dry does
      },
      output,
    );
    if (status === SourceStatus.END) return records;
    if (status === SourceStatus.WAITING) await reader.ready;
    else assert.ok(inPoll <= blockAt, `poll emitted ${inPoll} records, past the blocked output`);
  }
}

describe('source readers stop a poll when the output is blocked', () => {
  const dir = tempDirs('strom-source-output-');
  const context = { subtaskIndex: 0, parallelism: 1 };
  const numbers = Array.from({ length: 25 }, (_, i) => i);
  const specs: Array<[string, () => SourceSpec]> = [
    ['elements', () => ({ kind: 'elements', elements: numbers })],
    ['sequence', () => ({ kind: 'sequence', from: 0, to: 24 })],
    ['custom sync iterable', () => ({ kind: 'custom', factory: () => numbers })],
    [
      'custom async iterable',
      () => ({
        kind: 'custom',
        factory: async function* () {
          yield* numbers;
        },
      }),
    ],
    [
      'text file',
      () => {
        const path = join(dir(), 'lines.txt');
        writeFileSync(path, numbers.map((n) => `${n}\n`).join(''));
        return { kind: 'textFile', path };
      },
    ],
  ];
  for (const [name, spec] of specs) {
    it(`${name}: three records per poll, none lost or repeated`, async () => {
      const records = await pollBlocked(createSourceReader(spec(), context), 3);
      assert.deepEqual(
        records.map((r) => Number(r)),
        numbers,
      );
    });
  }
});
