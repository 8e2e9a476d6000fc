/** Test helper: runs a source reader the way a task does (poll, await `ready` on WAITING). */
import { SourceStatus, type SourceReader } from '../../../src/runtime/sources/source-reader.js';

/** Polls `reader` with batches of `max` until END (or until `count` records arrived); returns the records. */
export async function drain<T>(reader: SourceReader<T>, max = 16, count = Infinity): Promise<{ records: T[]; waits: number; polls: number }> {
  const records: T[] = [];
  let waits = 0;
  let polls = 0;
  for (;;) {
    polls++;
    const status = reader.poll(max, (r) => records.push(r));
    if (status === SourceStatus.END || records.length >= count) return { records, waits, polls };
    if (status === SourceStatus.WAITING) {
      waits++;
      if (reader.ready === undefined) throw new Error('WAITING without a ready promise');
      await reader.ready;
    } else if (status !== SourceStatus.MORE) {
      throw new Error(`unknown status ${status}`);
    }
  }
}

/** Runs a reader that never waits (files, sequences, elements) synchronously to its END. */
export function drainSync<T>(reader: SourceReader<T>, max = 16): T[] {
  const records: T[] = [];
  for (;;) {
    const status = reader.poll(max, (r) => records.push(r));
    if (status === SourceStatus.END) return records;
    if (status !== SourceStatus.MORE) throw new Error(`unexpected status ${status}`);
  }
}
