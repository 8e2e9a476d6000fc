/**
 * The reader of a `fromSequence(from, to)` source: the inclusive range is cut into `parallelism`
 * contiguous ranges as even as possible, as Flink's NumberSequenceSource splits it: with
 * `n = to - from + 1`, `q = n / p` and `r = n % p`, the first `r` ranges hold `q + 1` numbers and
 * the others `q`, in order, so range i of subtask i starts right after range i - 1 ends. When
 * `n < p` the last `p - n` subtasks get empty ranges. Each subtask emits its range in increasing
 * order: numbers for number bounds, bigints for bigint bounds.
 */
import { checkContext, SourceStatus, UNBLOCKED, type SourceOutput, type SourceReader, type SourceReaderContext } from './source-reader.js';

/**
 * The inclusive range `[first, last]` of subtask `index` of `parallelism` over `[from, to]`;
 * empty (`first > last`) when the subtask gets no number. Computed on bigints, so exact for any
 * bounds.
 */
export function sequenceSplit(from: bigint, to: bigint, index: number, parallelism: number): { first: bigint; last: bigint } {
  const n = to >= from ? to - from + 1n : 0n;
  const p = BigInt(parallelism);
  const i = BigInt(index);
  const q = n / p;
  const r = n % p;
  // Ranges before i: i * q numbers, plus one for each of them among the first r.
  const first = from + i * q + (i < r ? i : r);
  const size = q + (i < r ? 1n : 0n);
  return { first, last: first + size - 1n };
}

/** Emits one subtask's contiguous part of a number sequence. */
export class SequenceSourceReader implements SourceReader<unknown> {
  readonly #big: boolean;
  // Exactly one pair is used: numbers (bounds within safe integers) or bigints.
  #nextNumber = 0;
  #lastNumber = -1;
  #nextBig = 0n;
  #lastBig = -1n;

  constructor(from: bigint | number, to: bigint | number, context: SourceReaderContext) {
    checkContext(context);
    this.#big = typeof from === 'bigint' || typeof to === 'bigint';
    const { first, last } = sequenceSplit(BigInt(from), BigInt(to), context.subtaskIndex, context.parallelism);
    if (this.#big) {
      this.#nextBig = first;
      this.#lastBig = last;
    } else if (first <= last) {
      // Both lie within [from, to], so they are safe integers and number arithmetic is exact.
      this.#nextNumber = Number(first);
      this.#lastNumber = Number(last);
    }
  }

  poll(max: number, emit: (record: unknown) => void, output: SourceOutput = UNBLOCKED): number {
    if (this.#big) {
      let next = this.#nextBig;
      const last = this.#lastBig;
      for (let k = 0; k < max && next <= last && output.blocked === 0; k++) emit(next++);
      this.#nextBig = next;
      return next <= last ? SourceStatus.MORE : SourceStatus.END;
    }
    let next = this.#nextNumber;
    const last = this.#lastNumber;
    for (let k = 0; k < max && next <= last && output.blocked === 0; k++) emit(next++);
    this.#nextNumber = next;
    return next <= last ? SourceStatus.MORE : SourceStatus.END;
  }

  get ready(): Promise<void> | undefined {
    return undefined;
  }

  close(): void {
    this.#nextNumber = 0;
    this.#lastNumber = -1;
    this.#nextBig = 0n;
    this.#lastBig = -1n;
  }

  get bytesRead(): number {
    return 0;
  }

  get totalBytes(): number | undefined {
    return undefined;
  }
}
